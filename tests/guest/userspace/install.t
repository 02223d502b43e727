#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# meson install into a staging directory installs the headers, both
# libraries with versioned sonames, their pkg-config files and the CLI; a
# tiny out-of-tree program builds against them with pkg-config and runs.
. "$CCSHARED_SRC/tests/lib/tap.sh"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

check "meson install --destdir works" \
	meson install -C "$CCSHARED_BUILD" --no-rebuild --destdir "$stage" --tags runtime,devel
prefix=$(meson introspect "$CCSHARED_BUILD" --buildoptions |
	python3 -c 'import json,sys; o={x["name"]:x["value"] for x in json.load(sys.stdin)}; print(o["prefix"], o["libdir"], o["bindir"], o["includedir"])')
read -r p libdir bindir includedir <<<"$prefix"
case $libdir in /*) ;; *) libdir=$p/$libdir ;; esac
case $bindir in /*) ;; *) bindir=$p/$bindir ;; esac
case $includedir in /*) ;; *) includedir=$p/$includedir ;; esac
check "the header is installed" test -f "$stage$includedir/ccshared.h"
check "the verbs header is installed" test -f "$stage$includedir/ccshared-verbs.h"
check "libccshared.so.0 is installed, with its soname" sh -c \
	"test -L '$stage$libdir/libccshared.so' && objdump -p '$stage$libdir/libccshared.so' | grep -q 'SONAME *libccshared.so.0'"
check "libccshared-verbs.so.0 is installed, with its soname" sh -c \
	"objdump -p '$stage$libdir/libccshared-verbs.so' | grep -q 'SONAME *libccshared-verbs.so.0'"
# Exactly what userspace/libccshared.map exports, each symbol in the
# version node that lists it (a new symbol goes in a new node).
map_exports() {
	awk '/^[A-Z0-9_.]+ *\{/ { node = $1 } /^\t\tccshared_[a-z0-9_]*;$/ { sub(/;/, "", $1); print $1 "@@" node }' \
		"$CCSHARED_SRC/userspace/libccshared.map" | sort
}
lib_exports() {
	nm -D --defined-only "$stage$libdir/libccshared.so" | awk '$2 == "T" { print $3 }' | sort
}
is "libccshared exports exactly the symbols of libccshared.map, in their version nodes ($(map_exports | wc -l))" \
	"$(lib_exports)" "$(map_exports)"
check "libccshared has no dependency but libc" sh -c \
	"! objdump -p '$stage$libdir/libccshared.so' | grep NEEDED | grep -v 'libc.so'"
check "the pkg-config files are installed" test -f "$stage$libdir/pkgconfig/ccshared.pc" -a \
	-f "$stage$libdir/pkgconfig/ccshared-verbs.pc"
check "the CLI is installed" test -x "$stage$bindir/ccshared"

cat >"$stage/hello.c" <<'C'
#include <stdio.h>
#include <ccshared.h>

int main(void)
{
	struct ccshared_platform_info info;

	if (ccshared_detect(NULL, &info))
		return 1;
	printf("platform %s\n", ccshared_platform_name(info.platform));
	return 0;
}
C
export PKG_CONFIG_PATH=$stage$libdir/pkgconfig PKG_CONFIG_SYSROOT_DIR=$stage
check "an out-of-tree program builds with pkg-config --cflags --libs ccshared" sh -c \
	"cc -Wall -Werror -o '$stage/hello' '$stage/hello.c' \$(pkg-config --cflags --libs ccshared)"
check "... and runs against the installed library" sh -c \
	"LD_LIBRARY_PATH='$stage$libdir' '$stage/hello' | grep -qx 'platform none'"
check "pkg-config --cflags --libs ccshared-verbs names libibverbs" sh -c \
	"pkg-config --libs ccshared-verbs | grep -q -- '-libverbs'"
echo "1..$_tap_n"
done_testing
