#!/usr/bin/env bash
# test_trace.sh - per-token traces from the command line.
#
# With the real engine (build/smix --trace): the compressed file is
# byte-identical with and without --trace; the trace written by `-d --trace`
# equals the one written while compressing (the decoder mirrors the
# encoder); sum(bits)/8 + header_bytes equals the compressed size within 16
# bytes; bits = -log2(p_final) to 1e-3; the CSV header; report --json keys.
# With synthetic traces (build/trace_synth): trace_synth is deterministic,
# dump/report work, and truncated, corrupted or foreign traces exit 1.
# A missing binary, a broken `smix --trace` or a missing jq (a test
# dependency, tools/deps.sh) fails the suite: nothing here is skipped.
#
# Run from the repo root: bash tests/test_trace.sh   (SMIX=, SYNTH= override)
set -u

ROOT=$(pwd)
SMIX=${SMIX:-build/smix}
SYNTH=${SYNTH:-build/trace_synth}
case $SMIX in /*) ;; *) SMIX=$ROOT/$SMIX ;; esac
case $SYNTH in /*) ;; *) SYNTH=$ROOT/$SYNTH ;; esac

pass=0 fail=0
ok()   { echo "PASS $1"; pass=$((pass + 1)); }
bad()  { echo "FAIL $1${2:+ ($2)}"; fail=$((fail + 1)); }
check() { local n=$1; shift; if "$@"; then ok "$n"; else bad "$n"; fi; }
finish() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}

T=$(mktemp -d "${TMPDIR:-/tmp}/smix-trace.XXXXXX")
trap 'rm -rf "$T"' EXIT

HEADER='index,offset,length,token_id,text,p_ssm,rank_ssm,entropy,scale,p_final,bits,bias_prior,bias_ng1,bias_ng2,bias_ng3,bias_ng4,bias_ng5,bias_ng6,bias_ng7,bias_ng8,bias_ng16,bias_ng32,bias_match,bias_recency'
HAVE_JQ=0; command -v jq >/dev/null 2>&1 && HAVE_JQ=1
HAVE_DUMP=0
[ -x "$SMIX" ] && "$SMIX" --help 2>&1 | grep -q -- '--trace-dump' && HAVE_DUMP=1
HAVE_TRACE=0
if [ -x "$SMIX" ]; then
    printf 'hello hello trace\n' >"$T/probe"
    "$SMIX" -q -c --trace "$T/probe.smt" "$T/probe" >/dev/null 2>"$T/probe.err" && [ -s "$T/probe.smt" ] && HAVE_TRACE=1
fi

# ------------------------------------------------------------ helpers

# csv_header TRACE: the dump's first line starts with the required columns
csv_header() { "$SMIX" --trace-dump csv "$1" 2>/dev/null | head -n 1 | grep -q "^$HEADER"; }

# bits_agree TRACE: every token has |(-log2 p_final) - bits| <= 1e-3
bits_agree() {
    local n
    n=$("$SMIX" --trace-dump jsonl "$1" | jq -s '[.[] | select((((.p_final | log2) + .bits) | fabs) > 1e-3)] | length') || return 1
    [ "$n" = 0 ]
}

# report_keys TRACE: --trace-report --json has the required keys and
# total_bits equals the sum of the dump's bits
report_keys() {
    "$SMIX" --trace-report --json "$1" >"$T/rep.json" || return 1
    jq -e 'has("input_bytes") and has("tokens") and has("header_bytes") and has("payload_bytes")
           and has("total_bits")' "$T/rep.json" >/dev/null || return 1
    local sum tot
    sum=$("$SMIX" --trace-dump jsonl "$1" | jq -s 'map(.bits) | add // 0')
    tot=$(jq '.total_bits' "$T/rep.json")
    awk -v a="$sum" -v b="$tot" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d < 1e-6 * (1 + b)) }'
}

# size_invariant TRACE FILE.smx: sum(bits)/8 + header_bytes ~ compressed size
size_invariant() {
    "$SMIX" --trace-report --json "$1" >"$T/rep.json" || return 1
    local bits hdr size
    bits=$(jq '.total_bits' "$T/rep.json")
    hdr=$(jq '.header_bytes' "$T/rep.json")
    size=$(wc -c <"$2")
    awk -v b="$bits" -v h="$hdr" -v s="$size" 'BEGIN { d = b / 8 + h - s; if (d < 0) d = -d;
        if (d > 16) printf "sum(bits)/8 + header = %.1f, file = %d\n", b / 8 + h, s; exit !(d <= 16) }'
}

# damaged TRACE: truncations and flipped bytes are refused with exit 1 and a message
damaged() {
    local t=$1 size cut rc
    size=$(wc -c <"$t")
    for cut in 0 7 100 319 320 $((size / 2)) $((size - 1)); do
        [ "$cut" -ge 0 ] || continue
        head -c "$cut" "$t" >"$T/cut.smt"
        "$SMIX" --trace-report "$T/cut.smt" >/dev/null 2>"$T/err"; rc=$?
        [ $rc -eq 1 ] && [ -s "$T/err" ] || { echo "truncated at $cut: exit $rc"; return 1; }
        "$SMIX" --trace-dump csv "$T/cut.smt" >/dev/null 2>&1; rc=$?
        [ $rc -eq 1 ] || { echo "dump of trace truncated at $cut: exit $rc"; return 1; }
    done
    for pos in 3 9 40 200 400 $((size / 3)) $((size - 20)); do
        cp "$t" "$T/flip.smt"
        printf '\x5a' | dd of="$T/flip.smt" bs=1 seek="$pos" conv=notrunc 2>/dev/null
        cmp -s "$t" "$T/flip.smt" && continue   # the byte was 0x5a already
        "$SMIX" --trace-report --json "$T/flip.smt" >/dev/null 2>"$T/err"; rc=$?
        [ $rc -eq 1 ] && [ -s "$T/err" ] || { echo "flipped byte $pos: exit $rc"; return 1; }
    done
}

# ------------------------------------------------------------ synthetic traces

if [ -x "$SYNTH" ]; then
    check "trace_synth runs" "$SYNTH" "$ROOT/samples/page.html" "$T/s1.smt"
    "$SYNTH" "$ROOT/samples/page.html" "$T/s2.smt" 2>/dev/null
    check "trace_synth is deterministic" cmp -s "$T/s1.smt" "$T/s2.smt"
    check "trace_synth refuses a missing input" eval "! '$SYNTH' '$T/nope' '$T/x.smt' 2>/dev/null"
    if [ $HAVE_DUMP = 1 ]; then
        check "synthetic: csv header" csv_header "$T/s1.smt"
        lines=$("$SMIX" --trace-dump jsonl "$T/s1.smt" | wc -l)
        toks=$("$SMIX" --trace-report --json "$T/s1.smt" | grep -o '"tokens":[0-9]*' | head -n 1 | cut -d: -f2)
        check "synthetic: one jsonl line per token" test "$lines" = "$toks" -a "$lines" -gt 0
        check "synthetic: text report" eval "'$SMIX' --trace-report '$T/s1.smt' | grep -q 'Costliest tokens'"
        if [ $HAVE_JQ = 1 ]; then
            check "synthetic: bits = -log2(p_final)" bits_agree "$T/s1.smt"
            check "synthetic: report --json keys and total" report_keys "$T/s1.smt"
            check "synthetic: jsonl text round-trips" eval "'$SMIX' --trace-dump jsonl '$T/s1.smt' | jq -j .text | cmp -s - '$ROOT/samples/page.html'"
        else
            bad "synthetic jq checks" "jq not installed (make deps installs it)"
        fi
        check "synthetic: damaged traces exit 1" damaged "$T/s1.smt"
        "$SMIX" --trace-report "$ROOT/samples/page.html" >/dev/null 2>"$T/err"
        check "foreign file exits 1" test $? -eq 1
        "$SMIX" --trace-report "$T/nonexistent.smt" >/dev/null 2>"$T/err"
        check "missing trace exits 1" test $? -eq 1
    else
        bad "dump/report on synthetic traces" "$SMIX has no --trace-dump"
    fi
else
    bad "synthetic traces" "$SYNTH is not built"
fi

# ------------------------------------------------------------ the real engine

if [ $HAVE_TRACE = 0 ]; then
    bad "engine traces" "$SMIX --trace does not work: $(head -c 300 "$T/probe.err")"
    finish; exit $?
fi

for f in prose.txt page.html records.bin; do
    src=$ROOT/samples/$f
    [ -f "$src" ] || { bad "$f" "sample missing"; continue; }
    cp "$src" "$T/$f"
    "$SMIX" -q -c "$T/$f" >"$T/$f.plain.smx"
    "$SMIX" -q -c --trace "$T/$f.smt" "$T/$f" >"$T/$f.smx"
    check "$f: --trace does not change the compressed file" cmp -s "$T/$f.plain.smx" "$T/$f.smx"
    check "$f: trace written" test -s "$T/$f.smt"
    "$SMIX" -q -d -c --trace "$T/$f.d.smt" "$T/$f.smx" >"$T/$f.out"
    check "$f: round trip with -d --trace" cmp -s "$T/$f.out" "$src"
    check "$f: decompression trace equals compression trace" cmp -s "$T/$f.smt" "$T/$f.d.smt"
    check "$f: csv header" csv_header "$T/$f.smt"
    if [ $HAVE_JQ = 1 ]; then
        check "$f: sum(bits)/8 + header_bytes = compressed size (16 B)" size_invariant "$T/$f.smt" "$T/$f.smx"
        check "$f: bits = -log2(p_final) to 1e-3" bits_agree "$T/$f.smt"
        check "$f: report --json keys and total" report_keys "$T/$f.smt"
    else
        bad "$f: jq checks" "jq not installed (make deps installs it)"
    fi
done
check "engine: damaged traces exit 1" damaged "$T/prose.txt.smt"
rm -f "$T/probe.smt"
"$SMIX" -q -c --trace "$T/nodir/x.smt" "$T/probe" >/dev/null 2>"$T/err"
check "unwritable trace path fails" test $? -ne 0 -a -s "$T/err"

finish
