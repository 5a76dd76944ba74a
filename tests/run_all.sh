#!/usr/bin/env bash
# run_all.sh - run every tests/test_*.sh suite and summarise.
#
# Each suite runs from the repo root with stdin closed, its output saved to
# build/test-logs/<suite>.log. A suite passes with exit 0, is skipped with
# exit 77 (automake's convention: e.g. a missing optional tool), and fails
# otherwise; a failed suite's FAIL lines and the end of its log are shown.
# The last line is `N passed, M failed, K skipped` (suites), and the exit
# status is non-zero if any suite failed.
#
# Usage: tests/run_all.sh [SUITE...]   (names like test_cli.sh or cli;
#                                      default: every tests/test_*.sh)
# Env:   SUITE_TIMEOUT seconds per suite (default 900)
set -u
cd "$(dirname "$0")/.." || exit 1

logdir=build/test-logs
mkdir -p "$logdir"
timeout_s=${SUITE_TIMEOUT:-900}

suites=()
if [ $# -gt 0 ]; then
    for a in "$@"; do
        a=${a##*/}; a=${a#test_}; a=${a%.sh}
        suites+=("tests/test_$a.sh")
    done
else
    for f in tests/test_*.sh; do
        [ -e "$f" ] && suites+=("$f")
    done
fi

pass=0 fail=0 skip=0 failed_names=""
for s in "${suites[@]}"; do
    name=$(basename "$s" .sh)
    log=$logdir/$name.log
    if [ ! -f "$s" ]; then
        echo "FAIL $name (no such suite: $s)"
        fail=$((fail + 1)); failed_names="$failed_names $name"
        continue
    fi
    start=$(date +%s)
    timeout -k 10 "$timeout_s" bash "$s" >"$log" 2>&1 </dev/null
    rc=$?
    secs=$(( $(date +%s) - start ))
    counts=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
    case $rc in
    0)
        echo "PASS $name (${counts:-no count line}; ${secs}s)"
        pass=$((pass + 1))
        ;;
    77)
        why=$(grep -E '^SKIP' "$log" | tail -n 1)
        echo "SKIP $name (${why:-exit 77}; ${secs}s)"
        skip=$((skip + 1))
        ;;
    *)
        [ $rc -eq 124 ] && counts="timed out after ${timeout_s}s"
        echo "FAIL $name (exit $rc; ${counts:-no count line}; ${secs}s; log: $log)"
        grep -E '^FAIL' "$log" | head -n 20 | sed 's/^/    /'
        echo "    --- last lines of $log:"
        tail -n 15 "$log" | sed 's/^/    /'
        fail=$((fail + 1)); failed_names="$failed_names $name"
        ;;
    esac
done

[ -n "$failed_names" ] && echo "failed suites:$failed_names"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
