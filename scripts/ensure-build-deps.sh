#!/bin/sh
# Install what building mxcanvas needs and a fresh machine may lack.
# tcl-sys runs bindgen, which needs libclang; the package needs Tcl's headers
# and stub library (tcl-dev) and pkg-config. Installs with apt-get when run as
# root; otherwise says what to install.
set -eu

have_libclang() {
    [ -n "${LIBCLANG_PATH:-}" ] && return 0
    ldconfig -p 2>/dev/null | grep -q 'libclang\(-[0-9.]*\)\?\.so' && return 0
    # libclang-cpp (present without libclang) does not count: bindgen needs libclang.
    ls /usr/lib/llvm-*/lib/libclang.so* /usr/lib/llvm-*/lib/libclang-[0-9]*.so* >/dev/null 2>&1
}

missing=""
have_libclang || missing="$missing libclang-dev"
pkg-config --exists tcl 2>/dev/null || missing="$missing tcl-dev"
command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"
command -v tclsh >/dev/null 2>&1 || missing="$missing tcl"
command -v cc >/dev/null 2>&1 || missing="$missing gcc"
# DICOM JPEG-LS (cargo feature dicom-jpegls): the charls crate builds its
# vendored CharLS (C++) with cmake.
command -v cmake >/dev/null 2>&1 || missing="$missing cmake"
command -v c++ >/dev/null 2>&1 || missing="$missing g++"

# `make lint` needs clippy and rustfmt; a minimal rustup profile has neither.
need_component() { # component, the cargo subcommand it provides
    cargo "$2" --version >/dev/null 2>&1 && return 0
    if command -v rustup >/dev/null 2>&1; then
        rustup component add "$1"
    else
        echo "ensure-build-deps: cargo $2 is missing and there is no rustup to add $1" >&2
    fi
}
need_component clippy clippy
need_component rustfmt fmt

# shellcheck disable=SC2086
exec sh "$(dirname "$0")/apt-install.sh" build $missing
