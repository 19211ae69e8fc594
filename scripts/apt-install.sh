#!/bin/sh
# Install Debian packages for a set-up step, the one way every ensure-*.sh
# script does it:  apt-install.sh [--optional] WHAT PACKAGE...
# As root with apt-get: `apt-get update`, then install. Otherwise say what to
# install; exit 1, or 0 with --optional (the tests that need the packages then
# skip loudly through their tcltest constraints).
set -eu
optional=0
if [ "${1:-}" = "--optional" ]; then optional=1; shift; fi
what=$1; shift
[ $# -eq 0 ] && exit 0

echo "mxcanvas: installing $what dependencies: $*"
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "mxcanvas: cannot install (not root, or no apt-get); please run: sudo apt-get install $*" >&2
    [ $optional -eq 1 ] && exit 0
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "$@" >/dev/null
