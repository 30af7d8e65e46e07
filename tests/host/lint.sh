#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Static analysis as one of make check's host tests: scripts/lint (sparse,
# checkpatch --strict, cppcheck, gcc and clang -Werror), KTAP, exit 0, 1
# on a finding, 4 when a check had to be skipped for a missing tool.
exec "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lint"
