# mxlock top-level build. `make` builds the module and the tool;
# `make check` runs every test (host unit tests, then the VM suite);
# `make demo` shows the lock at work in a VM; `make check-debug` runs the VM
# suite on a KASAN/kmemleak/lockdep kernel built from source. See README.md.

# Kernel build tree; deferred so that only module targets look it up.
KDIR ?= $(shell scripts/kdir)

.PHONY: all module ctl tests deps check check-kernels check-debug check-boot \
	deb demo clean

all: module ctl

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

ctl:
	$(MAKE) -C ctl

tests: ctl
	$(MAKE) -C tests

# The Debian packages everything needs; instant when they are there.
deps:
	scripts/install-deps

# demo and check work on a fresh machine: packages first, then the build
# (which needs the kernel headers they bring).
# KERNEL=6.12 (6.1-rt, 6.1-cloud, 6.12-cloud, 7.x): the VM suite on that kernel instead, with a
# module built for it (scripts/check-kernel); the host tests do not
# depend on the kernel and run with the default check.
check: deps
ifeq ($(KERNEL),)
	$(MAKE) all tests
	scripts/check
else
	$(MAKE) ctl tests
	scripts/check-kernel $(KERNEL)
endif

# Every kernel mxlock is tested on in turn (6.1, 6.12, 6.1-rt, 7.x), the
# whole VM suite on each, then a table (scripts/check-kernels).
check-kernels: deps
	$(MAKE) ctl tests
	scripts/check-kernels

# Builds (or reuses) the debug kernel and the module against it in
# build/debug/, then scripts/check on that kernel.
check-debug: deps
	$(MAKE) ctl tests
	scripts/check-debug

# The two Debian packages, mxlock-dkms and mxlockctl, in build/deb/, and
# lintian on them (scripts/deb; the version is VERSION's).
deb: deps
	scripts/deb

# The packages installed by apt in a Debian 12 image made by mmdebstrap,
# booted with systemd in front of Postfix, upgraded to 6.12 through DKMS
# and purged (scripts/check-boot). On request: it takes about 15 minutes.
check-boot: deps
	scripts/check-boot

demo: deps
	$(MAKE) all
	scripts/vm-run -- scripts/demo

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C ctl clean
	$(MAKE) -C tests clean
	$(MAKE) -C tests/fuzz clean
	rm -rf build/debug build/kernels

# ---- static analysis and fuzzing -------------------------------------------
#
#   make lint                     scripts/lint: sparse on the module,
#                                 checkpatch --strict, cppcheck, gcc and
#                                 clang -Wall -Wextra -Werror; fails on any
#                                 finding, and when a tool is missing
#   make fuzz [FUZZ_SECONDS=300]  tests/host/fuzz.sh, each libFuzzer target
#                                 for FUZZ_SECONDS, growing the corpus kept
#                                 in tests/fuzz/work/ from run to run
#
# make check runs both as host tests (tests/host/lint.sh, and fuzz.sh with
# 30 s a target). checkpatch runs at its defaults (100 columns) with no
# --ignore: on files (-f) none of the patch-only checks, such as
# FILE_PATH_CHANGES, comes up, and every header has its SPDX line. One
# finding is excluded, by exact line, not by type: PREFER_KERNEL_TYPES on
# kmod/set.h's typedefs of u8/u32/u64 in its host-only shim (scripts/lint
# says why).

FUZZ_SECONDS ?= 300

.PHONY: lint fuzz

lint: deps
	scripts/lint

fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_CORPUS=$(CURDIR)/tests/fuzz/work \
		tests/host/fuzz.sh

# ---- benchmarks (never part of check: timings pass or fail nothing) -------
#
#   make bench   the host lookup micro-benchmark (set.c vs rte_lpm vs a
#                binary search; scripts/bench-host, docs/bench-host.md);
#                results in build/bench/. See docs/benchmarks.md.

.PHONY: bench

bench:
	scripts/install-deps bench
	$(MAKE) all
	scripts/bench-host

# ---- installing ----------------------------------------------------------
#
#   make install [DESTDIR=] [PREFIX=/usr/local] [KDIR=]
#   make uninstall [same variables]
#   make dkms-install / dkms-uninstall   (the module via DKMS instead)
#
# The module goes where modprobe finds it, for the kernel of $(KDIR) (its
# version read from the tree, not from `uname -r`: the two differ when
# building for another kernel). depmod runs unless DESTDIR is set: a
# package runs it on the target. The units (mxlock.service, and
# mxlock-sync.service with its timer) go to $(PREFIX)/lib/systemd/system,
# a vendor unit directory systemd searches (so /usr/lib/... with
# PREFIX=/usr), leaving /etc/systemd/system to the admin's own overrides;
# none is enabled here.
# Configuration is installed only if absent and removed only if unchanged:
# an admin's allowlist is never overwritten nor deleted.

VERSION := $(shell cat VERSION)
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR ?= /etc
INSTALL ?= install
DEPMOD ?= depmod
# The release KDIR was configured for: what its modules' vermagic says and
# where modprobe looks for them (Debian's include/config/kernel.release can
# differ, e.g. 6.1.192 for 6.1.0-56-amd64). Looked up once, when needed.
KVER_OF_KDIR = k=$(KDIR); { sed -n 's/^.define UTS_RELEASE "\(.*\)"$$/\1/p' \
	"$$k/include/generated/utsrelease.h" || \
	cat "$$k/include/config/kernel.release"; } 2>/dev/null
KVER ?= $(eval KVER := $(shell $(KVER_OF_KDIR)))$(KVER)
MODDIR = /lib/modules/$(KVER)/extra

# Each installed file, as $(DESTDIR)-less path = source.
INST_MODULE = $(MODDIR)/mxlock.ko
INST_FILES = $(SBINDIR)/mxlockctl=ctl/mxlockctl:755 \
	$(MANDIR)/man8/mxlockctl.8=doc/mxlockctl.8:644 \
	$(BASHCOMPDIR)/mxlockctl=packaging/mxlockctl.bash-completion:644
# The units, each from packaging/ with its /usr/local/sbin/ rewritten.
UNITS = mxlock.service mxlock-sync.service mxlock-sync.timer
INST_CONF = $(SYSCONFDIR)/mxlock/allow.conf=packaging/allow.conf \
	$(SYSCONFDIR)/mxlock/sync.conf=packaging/sync.conf \
	$(SYSCONFDIR)/default/mxlock=packaging/mxlock.default
# systemctl only on a live install onto a host booted with systemd.
LIVE_SYSTEMD = [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]

.PHONY: install install-module install-ctl uninstall dkms-install dkms-uninstall \
	install-dkms-src

install: all
	$(MAKE) install-module install-ctl
	@echo "install: done. Edit $(SYSCONFDIR)/mxlock/allow.conf, then: systemctl enable --now mxlock"
	@echo "install: to follow the provider's SPF record: $(SYSCONFDIR)/mxlock/sync.conf, mxlockctl sync --dry-run, then: systemctl enable --now mxlock-sync.timer"

# The parts, built beforehand (they build nothing themselves). The module,
# $(MODULE_KO), goes in for the kernel of $(KDIR).
MODULE_KO ?= kmod/mxlock.ko

install-module:
	@[ -n "$(KVER)" ] || { echo "install: no kernel version in $(KDIR) (set KDIR or KVER)" >&2; exit 1; }
	$(INSTALL) -D -m 644 $(MODULE_KO) $(DESTDIR)$(INST_MODULE)
ifeq ($(DESTDIR),)
	$(DEPMOD) -a $(KVER)
endif

# Everything but the module: the tool, man page, completion, units and
# configuration (debian/rules installs the mxlockctl package with it).
install-ctl:
	@set -e; for f in $(INST_FILES); do \
		dst=$${f%%=*}; src=$${f#*=}; mode=$${src#*:}; src=$${src%:*}; \
		echo "$(INSTALL) -D -m $$mode $$src $(DESTDIR)$$dst"; \
		$(INSTALL) -D -m $$mode $$src $(DESTDIR)$$dst; \
	done
	$(INSTALL) -d -m 755 $(DESTDIR)$(UNITDIR)
	@set -e; for u in $(UNITS); do \
		dst=$(DESTDIR)$(UNITDIR)/$$u; \
		echo "sed '/^Exec/s|/usr/local/sbin/|$(SBINDIR)/|g' packaging/$$u > $$dst"; \
		sed '/^Exec/s|/usr/local/sbin/|$(SBINDIR)/|g' packaging/$$u > $$dst.tmp; \
		chmod 644 $$dst.tmp; \
		mv -f $$dst.tmp $$dst; \
	done
	@set -e; for f in $(INST_CONF); do \
		dst=$(DESTDIR)$${f%%=*}; src=$${f#*=}; \
		if [ -e "$$dst" ]; then \
			echo "install: keeping $$dst (exists; the shipped one is $$src)"; \
		else \
			echo "$(INSTALL) -D -m 644 $$src $$dst"; \
			$(INSTALL) -D -m 644 $$src "$$dst"; \
		fi; \
	done
	@if $(LIVE_SYSTEMD); then systemctl daemon-reload; fi

uninstall:
	@[ -n "$(KVER)" ] || { echo "uninstall: no kernel version in $(KDIR) (set KDIR or KVER)" >&2; exit 1; }
	@if $(LIVE_SYSTEMD); then for u in mxlock-sync.timer mxlock.service; do \
		[ -e $(UNITDIR)/$$u ] || continue; \
		echo "systemctl disable --now $$u"; \
		systemctl disable --now $$u || true; \
	done; fi
	rm -f $(DESTDIR)$(INST_MODULE)
	@set -e; for u in $(UNITS); do \
		echo "rm -f $(DESTDIR)$(UNITDIR)/$$u"; rm -f "$(DESTDIR)$(UNITDIR)/$$u"; \
	done
	rmdir $(DESTDIR)$(MODDIR) 2>/dev/null || true
	@set -e; for f in $(INST_FILES); do \
		echo "rm -f $(DESTDIR)$${f%%=*}"; rm -f "$(DESTDIR)$${f%%=*}"; \
	done
	@set -e; for f in $(INST_CONF); do \
		dst=$(DESTDIR)$${f%%=*}; src=$${f#*=}; \
		if [ ! -e "$$dst" ]; then :; \
		elif cmp -s "$$src" "$$dst"; then echo "rm -f $$dst"; rm -f "$$dst"; \
		else echo "uninstall: keeping $$dst (edited)"; fi; \
	done
	rmdir $(DESTDIR)$(SYSCONFDIR)/mxlock 2>/dev/null || true
ifeq ($(DESTDIR),)
	$(DEPMOD) -a $(KVER)
endif
	@if $(LIVE_SYSTEMD); then systemctl daemon-reload; fi

# DKMS: copy the module's sources to $(DKMS_SRCTREE)/mxlock-$(VERSION), then
# add, build and install it for KVER with dkms, which rebuilds it for every
# new kernel. The tool, man page, unit and config still come from `make
# install`; use one way for the module, not both (dkms's copy wins anyway:
# Debian's dkms installs to updates/dkms/, which depmod searches first).
# DKMS may carry options: DKMS="dkms --dkmstree DIR --sourcetree DIR ...".
DKMS ?= dkms
DKMS_SRCTREE ?= /usr/src
DKMS_SRC = $(DKMS_SRCTREE)/mxlock-$(VERSION)
DKMS_FILES = dkms.conf VERSION Kbuild include/uapi/linux/mxlock.h \
	kmod/Kbuild $(filter-out %.mod.c,$(wildcard kmod/*.c kmod/*.h))

# The module's sources as DKMS wants them, under $(DESTDIR)$(DKMS_SRC),
# dkms.conf with its version filled in from VERSION (the mxlock-dkms
# package gets the same from dh_dkms -V).
install-dkms-src:
	rm -rf $(DESTDIR)$(DKMS_SRC)
	@set -e; for f in $(DKMS_FILES); do \
		echo "$(INSTALL) -D -m 644 $$f $(DESTDIR)$(DKMS_SRC)/$$f"; \
		$(INSTALL) -D -m 644 $$f $(DESTDIR)$(DKMS_SRC)/$$f; \
	done
	sed -i 's/^PACKAGE_VERSION="#MODULE_VERSION#"$$/PACKAGE_VERSION="$(VERSION)"/' \
		$(DESTDIR)$(DKMS_SRC)/dkms.conf

dkms-install:
	@[ -n "$(KVER)" ] || { echo "dkms-install: no kernel version in $(KDIR) (set KDIR or KVER)" >&2; exit 1; }
	@if $(DKMS) status -m mxlock -v $(VERSION) | grep -q .; then \
		echo "$(DKMS) remove -m mxlock -v $(VERSION) --all"; \
		$(DKMS) remove -m mxlock -v $(VERSION) --all; \
	fi
	$(MAKE) install-dkms-src DESTDIR=
	$(DKMS) add -m mxlock -v $(VERSION)
	$(DKMS) install -m mxlock -v $(VERSION) -k $(KVER)

dkms-uninstall:
	@if $(DKMS) status -m mxlock -v $(VERSION) | grep -q .; then \
		echo "$(DKMS) remove -m mxlock -v $(VERSION) --all"; \
		$(DKMS) remove -m mxlock -v $(VERSION) --all; \
	fi
	rm -rf $(DKMS_SRC)
