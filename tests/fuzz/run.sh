#!/usr/bin/env bash
# run.sh - run the libFuzzer targets for a fixed time each (make fuzz).
#
# Usage: tests/fuzz/run.sh SECONDS JOBS [TARGET...]
#   SECONDS  per target (-max_total_time)     JOBS  targets run at once
# Needs build/fuzz/fuzz_<target> (make fuzz builds them) and build/smix
# (to make seed inputs). Seeds go to build/fuzz/seeds/<t>; what libFuzzer
# finds is kept in build/fuzz/corpus/<t> between runs; crashers are written
# to build/fuzz/crashes/<t>-*. Exits non-zero if any target failed.
set -u
cd "$(dirname "$0")/../.." || exit 1

secs=${1:-30}
jobs=${2:-2}
shift 2 2>/dev/null || shift $#
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(decode roundtrip trace view tok)
F=build/fuzz
SMIX=build/smix
mkdir -p "$F/seeds" "$F/corpus" "$F/crashes"

samples() { ls samples/* | grep -v '/LICENSES.md$'; }

# Seed inputs: plain samples for the byte-level targets, frames of samples
# in small configurations for the decoder (tests/fuzz/make_seeds.c; the
# golden files are replayed as regressions, not fuzzed from: a model of
# 32,768 tokens takes a decoder 30 times longer to set up), small traces for
# the trace reader and the viewers' data layer.
make_seeds() {
    local s d
    for d in roundtrip tok; do
        mkdir -p "$F/seeds/$d"
        for s in $(samples); do head -c 4096 "$s" >"$F/seeds/$d/$(basename "$s")"; done
    done
    mkdir -p "$F/seeds/decode" "$F/seeds/trace"
    # the decoder's seeds: small configurations, which it sets up fast
    build/fuzz-regress/make_seeds "$F/seeds/decode" $(samples) || return 1
    for s in $(samples); do
        local b; b=$(basename "$s")
        head -c 3000 "$s" >"$F/seeds/$b.part"
        if [ -x "$SMIX" ]; then
            head -c 300 "$s" >"$F/seeds/$b.tiny"
            "$SMIX" -q -1 -f -o "$F/seeds/$b.tiny.smx" --trace "$F/seeds/trace/$b.smt" "$F/seeds/$b.tiny" \
                >/dev/null 2>&1 || rm -f "$F/seeds/trace/$b.smt"
            # and at level 5: SSM fields, training chunks
            "$SMIX" -q -5 -f -o "$F/seeds/$b.tiny.smx" --trace "$F/seeds/trace/$b.l5.smt" "$F/seeds/$b.tiny" \
                >/dev/null 2>&1 || rm -f "$F/seeds/trace/$b.l5.smt"
            rm -f "$F/seeds/$b.tiny" "$F/seeds/$b.tiny.smx"
        fi
        rm -f "$F/seeds/$b.part"
    done
    return 0
}

max_len() {
    case $1 in
    decode) echo 16384 ;;
    trace | view) echo 65536 ;;
    roundtrip) echo 162 ;;    # fuzz_roundtrip.c: 2 bytes of configuration, 160 of data
    *) echo 4096 ;;
    esac
}

# Inputs of a target: its corpus (new finds are written to the first one),
# seeds and regressions; the viewers' data layer also reads the trace
# reader's, which are traces too.
inputs() {
    echo "$F/corpus/$1" "$F/seeds/$1" "tests/fuzz/regressions/$1"
    [ "$1" = view ] && echo "$F/corpus/trace" "$F/seeds/trace" "tests/fuzz/regressions/trace"
}

run_one() {
    local t=$1 bin=$F/fuzz_$1
    mkdir -p $(inputs "$t") "tests/fuzz/regressions/$t"
    # A small quarantine: every run frees a model's tables (megabytes), and
    # keeping 256 MB of them from reuse made the decoder twice as slow.
    ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=8} "$bin" $(inputs "$t") \
        -max_total_time="$secs" -max_len="$(max_len "$t")" -timeout=30 \
        -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$F/crashes/$t-" >"$F/$t.log" 2>&1
}

report() {
    local t=$1 rc=$2 runs
    runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$F/$t.log" | grep -Eo '[0-9]+$')
    if [ "$rc" -eq 0 ]; then
        echo "PASS fuzz_$t (${runs:-?} runs in ${secs}s)"
        return 0
    fi
    echo "FAIL fuzz_$t (exit $rc; log: $F/$t.log)"
    grep -E 'ERROR|assertion|SUMMARY|Test unit written' "$F/$t.log" | head -n 10 | sed 's/^/    /'
    echo "    To keep it as a regression test: cp $F/crashes/$t-<id> tests/fuzz/regressions/$t/"
    return 1
}

for t in "${targets[@]}"; do
    if [ ! -x "$F/fuzz_$t" ]; then
        echo "fuzz: $F/fuzz_$t is not built (make fuzz builds it)" >&2
        exit 2
    fi
done
make_seeds

pass=0 fail=0 i=0
while [ $i -lt ${#targets[@]} ]; do
    batch=("${targets[@]:i:jobs}")
    pids=()
    for t in "${batch[@]}"; do run_one "$t" & pids+=($!); done
    for k in "${!batch[@]}"; do
        wait "${pids[$k]}"; rc=$?
        if report "${batch[$k]}" $rc; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
    done
    i=$((i + jobs))
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
