#!/bin/sh
# Run every tcltest file under valgrind memcheck (make memcheck).
#   sh scripts/memcheck.sh ?file.test ...?
# A file passes when its tests pass, valgrind reports no errors, and no block
# is definitely lost. Tcl itself leaves "still reachable" memory at exit (its
# caches and the Thread package's), which is not an error and is not counted.
# tests/valgrind.supp holds the suppressions for noise outside the package.
# Logs: target/memcheck/<file>.log. Child processes (tclsh children, test
# tools) run natively; only the test file's own tclsh is checked. The
# package's watchdog (a fork of that tclsh, src/sys/watchdog.rs) stays
# silent: it outlives the tclsh, and its summary would otherwise be the
# log's last.
set -u
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null 2>&1 || { echo "memcheck: valgrind is not installed (make test-deps)" >&2; exit 1; }
TCLSH=${TCLSH:-tclsh}
logs=target/memcheck
mkdir -p $logs
files=${*:-$(cd tests && ls *.test)}
failed=""
export TCLLIBPATH="$(pwd)"
for f in $files; do
    name=$(basename "$f" .test)
    log=$logs/$name.log
    out=$logs/$name.out
    valgrind --tool=memcheck --error-exitcode=99 --leak-check=full --child-silent-after-fork=yes \
        --errors-for-leak-kinds=definite --show-leak-kinds=definite \
        --suppressions=tests/valgrind.supp --num-callers=30 \
        --log-file="$log" "$TCLSH" "tests/$name.test" >"$out" 2>&1
    rc=$?
    summary=$(grep -E '^[^ ]+\.test:\s+Total' "$out" | tail -n 1)
    errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$log" | tail -n 1)
    lost=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$log" | tail -n 1)
    echo "memcheck: $name: ${summary:-no test summary}; valgrind errors ${errors:-?}, definitely lost ${lost:-0} bytes"
    if [ "$rc" -ne 0 ] || [ "${errors:-1}" != 0 ] || ! echo "$summary" | grep -q 'Failed\s*0'; then
        failed="$failed $name"
    fi
done
if [ -n "$failed" ]; then
    echo "memcheck: FAILED:$failed (see $logs/)" >&2
    exit 1
fi
echo "memcheck: all files clean"
