#!/bin/sh
# Make a Tcl 9.0 available for the second build and test pass, and print the
# path of its tclsh (nothing, exit 0, when none can be had: the 9.0 pass is
# then skipped loudly by the Makefile).
#
#   ensure-tcl9.sh tclsh     the Tcl 9 shell (the system's, or .tcl9/bin/tclsh9.0)
#   ensure-tcl9.sh pcdir     a folder holding a `tcl.pc` for Tcl 9, for the
#                            PKG_CONFIG_PATH of the 9.0 cargo build (tcl-sys's
#                            build script asks pkg-config for "tcl")
#
# A system Tcl 9 (`tclsh9.0` and `pkg-config tcl9.0`) is used when present.
# Otherwise Debian 13's tcl9.0 packages are fetched with `apt-get download`
# from the machine's own mirror (suite trixie) through a private sources list
# and private lists/cache folders under .tcl9/apt, so nothing of the system's
# apt state changes, and unpacked with `dpkg -x` into .tcl9/root beside that
# release's libc6, libtommath1 and zlib1g (its libtcl9.0 needs glibc >= 2.38).
# .tcl9/bin/tclsh9.0 runs it through that release's own loader.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
what=${1:-tclsh}
t9=$top/.tcl9
root=$t9/root
multiarch=x86_64-linux-gnu

say() { echo "mxcanvas: $*" >&2; }

# Tcl 9.0 with its headers, Tk 9.0 with its headers (tests/tk_stubs_layout.rs
# checks the viewer's stub slots against tkDecls.h), Thread 3.0 (the thread,
# race and fork tests), and the trixie libraries they need beyond bookworm's
# (the X11 and font libraries come from the system).
packages="tcl9.0 libtcl9.0 tcl9.0-dev tk9.0 libtk9.0 tk9.0-dev tcl9.0-thread libc6 libtommath1 zlib1g"

# The Tcl 9 headers and stub library: "includedir libdir".
system_tcl9() {
    command -v tclsh9.0 >/dev/null 2>&1 && command -v pkg-config >/dev/null 2>&1 \
        && pkg-config --exists tcl9.0 2>/dev/null
}

# The machine's Debian mirror: the first deb source whose suite is the
# system's own release (neither -security nor -updates), from either sources
# format. Printed, never stored in a committed file.
debian_mirror() {
    codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
    [ -n "$codename" ] || return 1
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        # deb822 stanzas: URIs: and Suites: lines, separated by blank lines.
        awk -v want="$codename" '
            function done_stanza() { if (uri != "" && suite && deb) { print uri; exit } uri = ""; suite = deb = 0 }
            /^[ \t]*$/ { done_stanza(); next }
            /^URIs:/   { uri = $2 }
            /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == want) suite = 1 }
            /^Types:/  { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
            END        { done_stanza() }' "$f"
    done | head -n 1 | grep . && return 0
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        # One-line format: deb [options] URI suite components...
        sed -n 's/^deb[ \t]\+\(\[[^]]*\][ \t]\+\)\?\([^ \t]\+\)[ \t]\+'"$codename"'[ \t].*/\2/p' "$f"
    done | head -n 1 | grep .
}

fetch() {
    command -v apt-get >/dev/null 2>&1 && command -v dpkg >/dev/null 2>&1 || {
        say "no Tcl 9: neither tclsh9.0 nor apt-get/dpkg to fetch it"; return 1; }
    [ "$(uname -m)" = x86_64 ] || { say "no Tcl 9: fetching it is set up for x86_64 only"; return 1; }
    mirror=$(debian_mirror) || { say "no Tcl 9: no Debian mirror in /etc/apt/sources.list*"; return 1; }
    keyring=/usr/share/keyrings/debian-archive-keyring.gpg
    [ -f "$keyring" ] || { say "no Tcl 9: $keyring is missing"; return 1; }
    say "fetching Tcl 9.0, Tk 9.0 and Thread 3.0 (Debian trixie packages, unpacked into .tcl9/, not installed)"
    rm -rf "$t9.new"
    mkdir -p "$t9.new/apt/lists/partial" "$t9.new/apt/cache/archives/partial" "$t9.new/debs" "$t9.new/root"
    echo "deb [signed-by=$keyring] $mirror trixie main" >"$t9.new/apt/sources.list"
    : >"$t9.new/apt/status"
    set -- -o Dir::Etc::SourceList="$t9.new/apt/sources.list" -o Dir::Etc::SourceParts=/nonexistent \
        -o Dir::State::Lists="$t9.new/apt/lists" -o Dir::Cache="$t9.new/apt/cache" \
        -o Dir::State::status="$t9.new/apt/status" -o Debug::NoLocking=1 -o APT::Sandbox::User=root \
        -o Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false \
        -o Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled=false \
        -o Acquire::IndexTargets::deb::DEP-11-icons-small::DefaultEnabled=false
    apt-get -qq "$@" update >&2 || { say "no Tcl 9: apt-get update of the trixie list failed"; return 1; }
    (cd "$t9.new/debs" && apt-get -qq "$@" download $packages >&2) \
        || { say "no Tcl 9: apt-get download failed"; return 1; }
    for deb in "$t9.new"/debs/*.deb; do dpkg -x "$deb" "$t9.new/root"; done
    rm -rf "$t9.new/apt/lists" "$t9.new/apt/cache"
    write_indexes "$t9.new/root"
    # The wrapper names the final place, so move there first.
    rm -rf "$t9" && mv "$t9.new" "$t9"
    write_wrapper
    got=$(echo 'puts [info patchlevel]' | "$t9/bin/tclsh9.0" 2>&1) || true
    case $got in
        9.*) say "Tcl $got ready: $t9/bin/tclsh9.0" ;;
        *) say "no Tcl 9: the unpacked tclsh9.0 does not run: $got"; rm -rf "$t9"; return 1 ;;
    esac
}

# The wrapper: the trixie loader runs the trixie tclsh with the unpacked
# libraries, --argv0 makes [info nameofexecutable] the wrapper (so tests that
# start a child tclsh start a Tcl 9 one), TCL_LIBRARY finds init.tcl and
# TCL9_0_TM_PATH the modules (tcltest 2.5.9 is one), TK_LIBRARY Tk's scripts.
write_wrapper() {
    mkdir -p "$t9/bin"
    cat >"$t9/bin/tclsh9.0" <<EOF
#!/bin/sh
r='$root'
export TCL_LIBRARY="\$r/usr/lib/tcl9.0"
export TCL9_0_TM_PATH="\$r/usr/lib/tcl9.0/tcl9"
export TK_LIBRARY="\$r/usr/lib/tk9.0"
exec "\$r/usr/lib/$multiarch/ld-linux-x86-64.so.2" \\
    --library-path "\$r/usr/lib/$multiarch:\$r/lib/$multiarch" \\
    --argv0 '$t9/bin/tclsh9.0' "\$r/usr/bin/tclsh9.0" "\$@"
EOF
    chmod 0755 "$t9/bin/tclsh9.0"
}

# Package indexes where the unpacked Tcl 9 looks (auto_path holds
# $tcl_library/.., i.e. root/usr/lib, whose subfolders it searches): Debian's
# own index for Tk names /usr/lib/x86_64-linux-gnu, not the unpacked copy,
# so Tk gets one of its own beside its script library (root/usr/lib/tk9.0,
# which is TK_LIBRARY); Thread's index is relative to its folder, which a
# link puts in reach.
write_indexes() {
    r=$1
    cat >"$r/usr/lib/tk9.0/pkgIndex.tcl" <<'EOF'
# Written by scripts/ensure-tcl9.sh: Tk 9.0 from the unpacked Debian package.
if {![package vsatisfies [package provide Tcl] 9.0]} return
package ifneeded tk 9.0.1 [list load [file join [file dirname $dir] x86_64-linux-gnu libtcl9tk9.0.so]]
package ifneeded Tk 9.0.1 [list package require -exact tk 9.0.1]
EOF
    ln -sfn tcltk/$multiarch/thread3.0.1 "$r/usr/lib/thread3.0.1"
}

# A pkg-config file named "tcl" for the 9.0 headers and stub library only
# (no -ltcl9.0: the library reaches Tcl through stubs).
write_pc() {
    includedir=$1 libdir=$2 version=$3
    mkdir -p "$t9/pkgconfig"
    cat >"$t9/pkgconfig/tcl.pc.tmp" <<EOF
# Written by scripts/ensure-tcl9.sh for the Tcl 9.0 build of mxcanvas.
includedir=$includedir
libdir=$libdir

Name: Tool Command Language
Description: Tcl 9.0 headers and stub library
Version: $version
Libs: -L\${libdir} -ltclstub9.0
Cflags: -I\${includedir}
EOF
    # Unchanged content keeps its timestamp (nothing to rebuild).
    if cmp -s "$t9/pkgconfig/tcl.pc.tmp" "$t9/pkgconfig/tcl.pc"; then
        rm -f "$t9/pkgconfig/tcl.pc.tmp"
    else
        mv -f "$t9/pkgconfig/tcl.pc.tmp" "$t9/pkgconfig/tcl.pc"
    fi
    echo "$t9/pkgconfig"
}

if system_tcl9; then
    case $what in
        tclsh) command -v tclsh9.0 ;;
        pcdir) write_pc "$(pkg-config --variable=includedir tcl9.0)" "$(pkg-config --variable=libdir tcl9.0)" \
                   "$(pkg-config --modversion tcl9.0)" ;;
    esac
    exit 0
fi
# A .tcl9 from before Tk and Thread were fetched is fetched again.
if [ ! -x "$t9/bin/tclsh9.0" ] || [ ! -f "$root/usr/include/tcl9.0/tcl.h" ] \
    || [ ! -f "$root/usr/lib/tk9.0/pkgIndex.tcl" ] || [ ! -e "$root/usr/lib/thread3.0.1/pkgIndex.tcl" ]; then
    fetch || exit 0
fi
case $what in
    tclsh) echo "$t9/bin/tclsh9.0" ;;
    pcdir) write_pc "$root/usr/include/tcl9.0" "$root/usr/lib/$multiarch" \
               "$(sed -n 's/^Version: //p' "$root/usr/lib/$multiarch/pkgconfig/tcl9.0.pc")" ;;
    *) say "usage: ensure-tcl9.sh tclsh|pcdir"; exit 2 ;;
esac
