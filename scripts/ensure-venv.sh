#!/bin/sh
# Create (or refresh) the project's Python venv in .venv with the packages of
# requirements-test.txt. Re-runs pip only when the requirements change.
set -eu
cd "$(dirname "$0")/.."
venv=.venv
stamp=$venv/.requirements-stamp
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    else
        echo "mxcanvas: python3 venv support is missing (apt-get install python3-venv)" >&2
        exit 1
    fi
fi
[ -x $venv/bin/python ] || python3 -m venv $venv
if [ ! -f $stamp ] || ! cmp -s requirements-test.txt $stamp; then
    $venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-test.txt
    cp requirements-test.txt $stamp
fi
