#!/bin/sh
# Install what the Tk display test (tests/photo.test) needs and a fresh
# machine may lack: Tk for tclsh (libtk8.6, package `tk`) and a virtual X
# server (Xvfb, plus xauth for xvfb-run), and Tk's headers (tk-dev) for the
# cargo test that checks src/tcl/tk.rs's stub slots against tkDecls.h. Installs with apt-get when run as
# root; otherwise says what is missing and carries on: the Tk tests then skip
# loudly through their tcltest constraint.
set -eu

missing=""
echo 'package require Tk' | DISPLAY= tclsh 2>&1 | grep -q 'display' || missing="$missing tk"
command -v Xvfb >/dev/null 2>&1 || missing="$missing xvfb"
command -v xauth >/dev/null 2>&1 || missing="$missing xauth"
# xwd: `make viewer-shot` pictures the whole viewer window (examples/view-phantom.tcl).
command -v xwd >/dev/null 2>&1 || missing="$missing x11-apps"
[ -f /usr/include/tcl8.6/tkDecls.h ] || [ -f /usr/include/tk8.6/tkDecls.h ] || missing="$missing tk-dev"

# shellcheck disable=SC2086
exec sh "$(dirname "$0")/apt-install.sh" --optional "display test" $missing
