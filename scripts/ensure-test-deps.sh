#!/bin/sh
# Install what the reliability tests need beyond the build dependencies:
#   tcl-thread  the Thread package (tests/load.test runs 4 interpreters in
#               4 threads),
#   valgrind    for `make memcheck`.
# Installs with apt-get when run as root; otherwise says what is missing (the
# tests that need it then skip loudly through tcltest constraints).
set -eu

missing=""
echo 'exit [catch {package require Thread}]' | tclsh >/dev/null 2>&1 || missing="$missing tcl-thread"
command -v valgrind >/dev/null 2>&1 || missing="$missing valgrind"

[ -z "$missing" ] && exit 0

echo "mxcanvas: installing test dependencies:$missing"
if [ "$(id -u)" -ne 0 ]; then
    echo "mxcanvas: not root; please run: sudo apt-get install$missing (tests needing them are skipped)" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
