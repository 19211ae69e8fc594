#!/bin/sh
# Create (or refresh) the project's Python venv in .venv with the packages of
# requirements-test.txt. Re-runs pip only when the requirements change.
set -eu
cd "$(dirname "$0")/.."
venv=.venv
stamp=$venv/.requirements-stamp
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || sh scripts/apt-install.sh "Python venv" python3-venv
[ -x $venv/bin/python ] || python3 -m venv $venv
if [ ! -f $stamp ] || ! cmp -s requirements-test.txt $stamp; then
    $venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-test.txt
    cp requirements-test.txt $stamp
fi
