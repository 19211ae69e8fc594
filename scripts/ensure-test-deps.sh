#!/bin/sh
# Install what the reliability tests need beyond the build dependencies:
#   tcl-thread  the Thread package (tests/load.test runs 4 interpreters in
#               4 threads),
#   valgrind    for `make memcheck`,
#   man-db, groff-base  for tests/manpage.test (`man --warnings -l`).
# Installs with apt-get when run as root; otherwise says what is missing (the
# tests that need it then skip loudly through tcltest constraints).
set -eu

missing=""
echo 'exit [catch {package require Thread}]' | tclsh >/dev/null 2>&1 || missing="$missing tcl-thread"
command -v valgrind >/dev/null 2>&1 || missing="$missing valgrind"
command -v man >/dev/null 2>&1 || missing="$missing man-db"
command -v groff >/dev/null 2>&1 || missing="$missing groff-base"

# shellcheck disable=SC2086
exec sh "$(dirname "$0")/apt-install.sh" --optional test $missing
