#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The two routes of docs/userspace.md ("Building a program"), taken word
# for word from the page: its example.c, built from the build tree with the
# -uninstalled .pc files and an rpath, then installed with meson install +
# ldconfig and built with pkg-config.  Each program must run.
#
# The page's "meson setup build" and "meson compile -C build" are what
# tests/vm/build already did for $CCSHARED_BUILD (a whole build under TCG
# takes 7 minutes), so build/ here is that tree, and meson install runs
# with --no-rebuild (a rebuild would run Kbuild for both kernels).  Every
# other command runs as the page writes it.
. "$CCSHARED_SRC/tests/lib/tap.sh"
doc=$CCSHARED_SRC/docs/userspace.md
plan 9

# doc_block NAME: the fenced block after "<!-- test: NAME -->" in the page.
doc_block() {
	awk -v want="<!-- test: $1 -->" '
		$0 == want { found = 1; next }
		found && /^```/ { if (inside) exit; inside = 1; next }
		inside { print }' "$doc"
}

work=$(mktemp -d)
installed=
cleanup() {
	# Leave the guest's /usr/local as it was for the tests after this one.
	if [ -n "$installed" ]; then
		sed -n 's|^/|/|p' "$CCSHARED_BUILD/meson-logs/install-log.txt" | xargs -r rm -f
		ldconfig
	fi
	rm -rf "$work"
}
trap cleanup EXIT
ln -s "$CCSHARED_BUILD" "$work/build"
doc_block example.c >"$work/example.c"

# run NAME: the page's block NAME, in a fresh bash in the work directory.
run() {
	{
		echo 'set -e'
		echo 'meson() {'
		echo '	case $1 in'
		echo '	setup|compile) test -e build/build.ninja ;;'
		echo '	install) shift; command meson install --no-rebuild "$@" >/dev/null ;;'
		echo '	*) command meson "$@" ;;'
		echo '	esac'
		echo '}'
		doc_block "$1"
	} >"$work/$1.sh"
	(cd "$work" && bash "$1.sh")
}

missing=
for b in example.c build installed-root installed build-tree; do
	[ -n "$(doc_block $b)" ] || missing+=" $b"
done
is "the page has the example and every block of both routes" "${missing:-none}" none
check "the build block names meson setup and compile (done by tests/vm/build)" \
	grep -qx 'meson setup build' <(doc_block build)
check "build/ is a configured build tree" run build

# The build tree first: with nothing installed, only the rpath can find
# the library.
out=$(run build-tree 2>&1)
is "build tree: the example builds and runs" $? 0 || printf '# %s\n' "$out"
check "... and allocates its 64 MiB" grep -Eq '^dma-buf fd [0-9]+, 67108864 bytes at 0x' <<<"$out"
check "... without the rpath it would not run (why the page gives it)" bash -c "
	cd '$work' && export PKG_CONFIG_PATH=\$PWD/build/meson-uninstalled &&
	cc example.c -o norpath \$(pkg-config --cflags --libs ccshared) &&
	./norpath 2>&1 | grep -q 'libccshared.so.0: cannot open shared object file'"
rm -f "$work/example"

installed=1
check "installed: meson install and ldconfig, as root" run installed-root
out=$(run installed 2>&1)
is "installed: the example builds with pkg-config and runs" $? 0 || printf '# %s\n' "$out"
check "... against the installed library" bash -c \
	"ldd '$work/example' | grep -q 'libccshared.so.0 => /usr/local/lib/'"
done_testing
