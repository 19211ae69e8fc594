#!/bin/sh
# `make install` / `make uninstall`.
#
#   install.sh install   TCLSH=LIB ...   (each Tcl shell with the library built for it)
#   install.sh uninstall
#
# Environment: PREFIX, DESTDIR, VERSION; optionally PKGDIR_<n> (n = 1, 2, ...:
# the package folder's parent for the n-th TCLSH=LIB pair, instead of asking
# that Tcl).
#
# For each Tcl, the package goes to mxcanvas$VERSION/ in the first entry of
# that Tcl's own `tcl_pkgPath` that lies in $PREFIX/lib (so
# /usr/lib/tcltk/x86_64-linux-gnu for Debian's Tcl and PREFIX=/usr,
# /usr/local/lib/tcltk for PREFIX=/usr/local), else $PREFIX/lib, the folder
# TEA packages use. Two Tcls that share the folder share one package folder,
# whose pkgIndex.tcl loads the library matching the running Tcl.
#
# Every file and every folder that install creates is listed, without
# DESTDIR, in $PREFIX/share/mxcanvas/install-manifest; uninstall removes
# exactly those, folders only when empty, and the manifest last.
set -eu
cd "$(dirname "$0")/.."
: "${PREFIX:?}" "${VERSION:?}"
DESTDIR=${DESTDIR:-}
manifest_dir=$PREFIX/share/mxcanvas
manifest=$manifest_dir/install-manifest
say() { echo "mxcanvas: $*" >&2; }

# The manifest being written (in DESTDIR, next to where it will end up).
new_manifest=

# mkdir -p that records each folder it creates.
make_dir() {
    dir=$1 missing=
    while [ ! -d "$DESTDIR$dir" ] && [ "$dir" != / ]; do
        missing="$dir $missing"
        dir=$(dirname "$dir")
    done
    for dir in $missing; do
        install -d -m 0755 "$DESTDIR$dir"
        echo "d $dir" >>"$new_manifest"
    done
}

# install_file MODE SOURCE DEST: copy, then rename into place, so a library a
# running process has loaded is replaced, never rewritten.
install_file() {
    mode=$1 src=$2 dest=$3
    make_dir "$(dirname "$dest")"
    install -m "$mode" "$src" "$DESTDIR$dest.tmp$$"
    mv -f "$DESTDIR$dest.tmp$$" "$DESTDIR$dest"
    grep -qxF "f $dest" "$new_manifest" || echo "f $dest" >>"$new_manifest"
}

# The folder a Tcl's packages go to under PREFIX (see above).
package_parent() {
    "$1" scripts/tcl-pkgdir.tcl "$PREFIX" </dev/null 2>/dev/null | tail -n 1 | sed 's|/*$||' | grep .
}

do_install() {
    [ $# -gt 0 ] || { say "install: no Tcl to install for"; exit 2; }
    if [ -f "$DESTDIR$manifest" ]; then
        # A previous install: keep what it recorded (folders it created are
        # still ours), and add what this one creates.
        new_manifest=$DESTDIR$manifest.new
        cp "$DESTDIR$manifest" "$new_manifest"
    else
        new_manifest=$(mktemp "${TMPDIR:-/tmp}/mxcanvas-manifest.XXXXXX")
    fi
    # A staging root is the packager's, not part of the install.
    [ -z "$DESTDIR" ] || mkdir -p "$DESTDIR"
    n=0
    for pair in "$@"; do
        n=$((n + 1))
        tclsh=${pair%%=*} lib=${pair#*=}
        [ -f "$lib" ] || { say "install: $lib is not built"; exit 1; }
        parent=$(eval echo "\${PKGDIR_$n:-}")
        [ -n "$parent" ] || parent=$(package_parent "$tclsh") \
            || { say "install: cannot run $tclsh to ask where its packages go"; exit 1; }
        pkgdir=$parent/mxcanvas$VERSION
        install_file 0755 "$lib" "$pkgdir/$(basename "$lib")"
        install_file 0644 pkgIndex.tcl "$pkgdir/pkgIndex.tcl"
        for script in library/*.tcl; do
            install_file 0644 "$script" "$pkgdir/$script"
        done
        say "installed $(basename "$lib") for $tclsh in $DESTDIR$pkgdir"
    done
    install_file 0644 man/mxcanvas.n "$PREFIX/share/man/mann/mxcanvas.n"
    install_file 0644 include/mxcanvas.h "$PREFIX/include/mxcanvas.h"
    pc=$(mktemp "${TMPDIR:-/tmp}/mxcanvas-pc.XXXXXX")
    sed -e "s|@PREFIX@|$PREFIX|" -e "s|@VERSION@|$VERSION|" include/mxcanvas.pc.in >"$pc"
    install_file 0644 "$pc" "$PREFIX/lib/pkgconfig/mxcanvas.pc"
    rm -f "$pc"
    # The manifest lists itself, so uninstall leaves nothing behind.
    make_dir "$manifest_dir"
    grep -qxF "f $manifest" "$new_manifest" || echo "f $manifest" >>"$new_manifest"
    mv -f "$new_manifest" "$DESTDIR$manifest"
    chmod 0644 "$DESTDIR$manifest"
}

do_uninstall() {
    if [ ! -f "$DESTDIR$manifest" ]; then
        say "uninstall: nothing to do: no $DESTDIR$manifest (not installed with PREFIX=$PREFIX${DESTDIR:+ DESTDIR=$DESTDIR})"
        return 0
    fi
    # Files first, then folders deepest first, each only if empty (a folder
    # install created may since hold someone else's files: it stays).
    sed -n 's/^f //p' "$DESTDIR$manifest" | while IFS= read -r f; do
        [ "$f" = "$manifest" ] || rm -f "$DESTDIR$f"
    done
    folders=$(mktemp "${TMPDIR:-/tmp}/mxcanvas-folders.XXXXXX")
    sed -n 's/^d //p' "$DESTDIR$manifest" | awk '{ print length($0) "\t" $0 }' | sort -rn | cut -f 2- >"$folders"
    rm -f "$DESTDIR$manifest"
    while IFS= read -r d; do
        rmdir "$DESTDIR$d" 2>/dev/null || [ ! -d "$DESTDIR$d" ] || say "uninstall: kept $DESTDIR$d (not empty)"
    done <"$folders"
    rm -f "$folders"
}

action=${1:-}
[ $# -gt 0 ] && shift
case $action in
    install) do_install "$@" ;;
    uninstall) do_uninstall ;;
    *) say "usage: install.sh install TCLSH=LIB... | uninstall"; exit 2 ;;
esac
