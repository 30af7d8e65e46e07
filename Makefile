# mxlock top-level build. `make` builds the module and the tool;
# `make check` runs every test (host unit tests, then the VM suite);
# `make demo` shows the lock at work in a VM; `make check-debug` runs the VM
# suite on a KASAN/kmemleak/lockdep kernel built from source. See README.md.

# Kernel build tree; deferred so that only module targets look it up.
KDIR ?= $(shell scripts/kdir)

.PHONY: all module ctl tests check check-debug demo clean

all: module ctl

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

ctl:
	$(MAKE) -C ctl

tests: ctl
	$(MAKE) -C tests

check: all tests
	scripts/check

# Builds (or reuses) the debug kernel and the module against it in
# build/debug/, then scripts/check on that kernel.
check-debug: ctl tests
	scripts/check-debug

demo: all
	scripts/vm-run -- scripts/demo

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C ctl clean
	$(MAKE) -C tests clean
	rm -rf build/debug
