# SPDX-License-Identifier: GPL-2.0
# The two commands are `make demo` and `make check`; both set up what they
# need (host packages, kernels, guest root) on first use.  The build itself
# is meson's (userspace) and Kbuild's (modules), run inside the trixie root
# by tests/vm/build.

KERNEL ?= 7.3
KERNELS ?= 7.3 6.12

.PHONY: check demo build shell checkpatch clean

check:
	tests/check $(foreach k,$(KERNELS),--kernel $(k))

demo:
	tests/demo

build:
	tests/vm/build

shell:
	tests/vm/run --kernel $(KERNEL) -- sh

checkpatch:
	tests/host/checkpatch.t

clean:
	rm -rf build
