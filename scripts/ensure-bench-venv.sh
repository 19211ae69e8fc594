#!/bin/sh
# Add the benchmark's Python packages (requirements-bench.txt) to the
# project's venv, which scripts/ensure-venv.sh has made. Re-runs pip only
# when the requirements change.
set -eu
cd "$(dirname "$0")/.."
venv=.venv
stamp=$venv/.bench-requirements-stamp
if [ ! -f $stamp ] || ! cmp -s requirements-bench.txt $stamp; then
    $venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-bench.txt
    cp requirements-bench.txt $stamp
fi
