#!/usr/bin/env bash
# test_fuzz_regress.sh - replay the fuzz regressions without clang.
#
# Each tests/fuzz/fuzz_<t>.c is also built with the plain-main driver
# (build/fuzz-regress/fuzz_<t>, `make fuzz-drivers`). This replays every
# saved crasher in tests/fuzz/regressions/<t>/, plus the samples (tokenizer
# and round trip) and the golden files (decoder), so a bug found once by
# `make fuzz` stays fixed. A failing property aborts the driver.
set -u
cd "$(dirname "$0")/.." || exit 1
D=build/fuzz-regress
pass=0 fail=0
if [ ! -x $D/fuzz_tok ] || [ ! -x $D/fuzz_view ]; then
    make --no-print-directory -s fuzz-drivers >/dev/null 2>&1 ||
        { echo "FAIL make fuzz-drivers"; echo "0 passed, 1 failed"; exit 1; }
fi

replay() { # TARGET DIR...
    local t=$1 out; shift
    if out=$(timeout 300 "$D/fuzz_$t" "$@" 2>&1); then
        echo "PASS fuzz_$t replays $* (${out##*replayed })"
        pass=$((pass + 1))
    else
        echo "FAIL fuzz_$t replays $*"
        echo "$out" | tail -n 5 | sed 's/^/    /'
        fail=$((fail + 1))
    fi
}

for t in decode roundtrip trace view tok; do
    replay $t tests/fuzz/regressions/$t
done
replay view tests/fuzz/regressions/trace
replay tok samples
replay roundtrip samples
replay decode tests/golden/decode tests/golden/errors

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
