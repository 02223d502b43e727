# SPDX-License-Identifier: GPL-2.0
# The two commands are `make demo` and `make check`; both set up what they
# need (host packages, kernels, guest root) on first use.  The build itself
# is meson's (userspace) and Kbuild's (modules), run inside the trixie root
# by tests/vm/build.

KERNEL ?= 7.3
KERNELS ?= 7.3 6.12

.PHONY: check demo check-fresh check-packaging build deb shell checkpatch conformance-table clean

check:
	tests/check $(foreach k,$(KERNELS),--kernel $(k))

demo:
	tests/demo

# Not part of `check`: clean Debian 12 and 13 roots, a fresh clone of HEAD
# in each, `make demo` there (about 25 minutes; see README.md).
# FRESH='--release trixie --target check' narrows or widens it.
check-fresh:
	tests/fresh $(FRESH)

# Not part of `check`: install the packages in a guest of each kernel as a
# user would (DKMS builds the module there), use, purge and reinstall them
# (tests/guest/packaging; about 25 minutes a kernel under TCG).
check-packaging:
	tests/check --part packaging $(foreach k,$(KERNELS),--kernel $(k))

build:
	tests/vm/build

# The Debian packages, built in the trixie root into build/deb (README.md).
deb:
	tests/vm/build-debs

shell:
	tests/vm/run --kernel $(KERNEL) -- sh

checkpatch:
	tests/host/checkpatch.t

# The heap conformance suite on both kernels, then its table in
# docs/conformance.md, written from that run's logs.
conformance-table:
	tests/check --part conformance
	tests/guest/conformance/table

clean:
	rm -rf build
