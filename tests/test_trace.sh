#!/usr/bin/env bash
# test_trace.sh - per-token traces from the command line.
#
# With the real engine (build/smix --trace), on samples at levels 1, 3, 5
# and 9 (one without the SSM and bit by bit, one with both): the
# compressed file is byte-identical with and without --trace; the trace
# written by `-d --trace` equals the one written while compressing (the
# decoder mirrors the encoder); and on every row of the dump
#   - the components' terms c_* sum to logit,
#   - the steps' bits_* sum to bits, and bits = -log2(p_final),
#   - (log_norm - logit) / ln 2, the token model's information, equals what
#     the token model's own probabilities cost for the steps before the id
#     (tm_* where the byte model refines a step, else bits_*), to the
#     quantisation of those probabilities,
#   - p_ssm is empty on NEW rows, and there is no SSM column without the SSM;
# over the file, the payload is the sum of bits plus each block's flush (48
# to 64 bits a block); --trace-report --json agrees with the dump (every
# component's pull, margin and bits saved, every step's bits), over the
# file and with --range over some of its tokens; the dump keeps one record
# per line with no raw control byte; `| head` ends quietly with status 0.
# With synthetic traces (build/trace_synth): the same invariants, dump and
# report, and truncated, corrupted, foreign or format-1 traces exit 1.
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

HEADER='index,offset,length,token_id,text,is_new,type,bits,p_final,rank_final,bits_'
command -v jq >/dev/null 2>&1 || { bad "jq" "jq not installed (make deps installs it)"; finish; exit 1; }
[ -x "$SMIX" ] || { bad "smix" "$SMIX is not built"; finish; exit 1; }
printf 'hello hello trace\n' >"$T/probe"
if ! "$SMIX" -q -c --trace "$T/probe.smt" "$T/probe" >/dev/null 2>"$T/probe.err" || [ ! -s "$T/probe.smt" ]; then
    bad "engine traces" "$SMIX --trace does not work: $(head -c 300 "$T/probe.err")"
    finish; exit 1
fi

# ------------------------------------------------------------ helpers

# csv_header TRACE: the dump's first line starts with the required columns
csv_header() { "$SMIX" --trace-dump csv "$1" 2>/dev/null | head -n 1 | grep -q "^$HEADER"; }

# rows TRACE: the trace's JSON-lines dump, made once (TRACE.jsonl)
rows() {
    [ -s "$1.jsonl" ] || "$SMIX" --trace-dump jsonl "$1" >"$1.jsonl" || { rm -f "$1.jsonl"; return 1; }
}

# none TRACE NAME JQ-FILTER: the dump has rows and the filter selects none
# of them (a failing dump or filter fails)
none() {
    rows "$1" && [ -s "$1.jsonl" ] || { echo "$2: no dump"; return 1; }
    jq -r "$3 | .index" "$1.jsonl" >"$T/bad.txt" || { echo "$2: jq failed"; return 1; }
    [ ! -s "$T/bad.txt" ] || { echo "$2: $(wc -l <"$T/bad.txt") rows, first: $(head -n 3 "$T/bad.txt" | tr '\n' ' ')"; return 1; }
}

# the components' terms sum to the logit (float rounding: 1e-5 of their size)
ROW_TERMS='[to_entries[] | select(.key | startswith("c_")) | .value] as $c
    | select((($c | add) - .logit | fabs) > 1e-5 * (1 + ($c | map(fabs) | add)))'
# the steps' bits sum to bits (same order, so exact to 1e-9), and bits = -log2 p_final
ROW_STEPS='select(((([to_entries[] | select(.key | startswith("bits_")) | .value] | add) - .bits) | fabs) > 1e-9 * (1 + .bits)
    or ((.p_final | log2) + .bits | fabs) > 1e-4)'
# the information before quantisation against the token model's own cost of
# the steps before the id (or the spelled id, new_walk): the quantisation of a probability p to integer
# frequencies (a total near 2^26) is within 2 log2(1 + 2^(info - 24)) bits
ROW_INFO='((.log_norm - .logit) / (2 | log)) as $info
    | ([to_entries[] | select((.key | startswith("bits_")) and .key != "bits_id" and .key != "bits_new_walk" and .key != "bits_coder")
        | .key[5:]] ) as $steps
    | (. as $r | [$steps[] as $s | if ($r | has("tm_" + $s)) then $r["tm_" + $s] else $r["bits_" + $s] end] | add) as $tm
    | select(($info - $tm | fabs) > 1e-3 + 2 * (1 + pow(2; $info - 24) | log2))'

invariants() {
    local t=$1
    none "$t" "terms != logit" "$ROW_TERMS" && none "$t" "steps != bits" "$ROW_STEPS" &&
        none "$t" "information != token model" "$ROW_INFO"
}

# ssm_fields TRACE: with the SSM, p_ssm is null exactly on NEW rows; without
# it, the dump has no SSM column
ssm_fields() {
    if "$SMIX" --trace-report --json "$1" | jq -e '.ssm' >/dev/null; then
        none "$1" "p_ssm on NEW rows or missing on seen rows" 'select((.is_new == 1) != (.p_ssm == null))'
    else
        ! "$SMIX" --trace-dump csv "$1" | head -n 1 | grep -q -E 'p_ssm|rank_ssm|entropy|scale'
    fi
}

# payload TRACE: payload bytes x 8 = sum of bits + a flush of 48 to 64 bits a block
payload() {
    "$SMIX" --trace-report --json "$1" | jq -e '.blocks as $b | .flush_bits >= 48 * $b - 1e-6 and .flush_bits <= 64 * $b + 1e-6
        and ((.payload_bytes * 8 - .total_bits - .flush_bits) | fabs) < 1e-6' >/dev/null ||
        { "$SMIX" --trace-report --json "$1" | jq -c '{payload_bytes, total_bits, flush_bits, blocks}'; return 1; }
}

# report_matches TRACE [A B]: the report's totals, components (pull, margin
# and, where the trace has them, the bits saved) and steps are sums over
# the dump's rows (with A B: over rows A to B-1, against --range A:B)
report_matches() {
    local range=() a=0 b=-1
    [ $# -eq 3 ] && { range=(--range "$2:$3"); a=$2; b=$3; }
    "$SMIX" --trace-report --json "${range[@]}" "$1" >"$T/rep.json" || return 1
    rows "$1" || return 1
    jq -s --slurpfile rep "$T/rep.json" --argjson a $a --argjson b $b '
        ($rep[0]) as $r | 1.4426950408889634 as $l2e
        | (if $b < 0 then . else .[$a:$b] end) as $rows
        | def near(a; b): ((a - b) | fabs) <= 1e-6 * (1 + (b | fabs));
        near($rows | map(.bits) | add // 0; $r.total_bits)
        and ($r.tokens == ($rows | length)) and ($r.range.first == ($rows[0].index // 0))
        and all($r.components[]; . as $c
            | near($rows | map(.["c_" + $c.name]) | add * $l2e; $c.pull_bits)
            and near($rows | map(.["c_" + $c.name] - (.["fav_c_" + $c.name] // 0)) | add * $l2e; $c.margin_bits)
            and (if $c.saved_bits == null then ($rows[0] | has("saved_" + $c.name) | not)
                 else near($rows | map(.["saved_" + $c.name]) | add; $c.saved_bits) end))
        and all($r.steps[]; . as $s | near($rows | map(.["bits_" + $s.name]) | add; $s.bits))' "$1.jsonl" | grep -q true
}

# saved_recorded TRACE: the dump has a saved_ column per component, and the
# text report ranks the components by it
saved_recorded() {
    "$SMIX" --trace-dump csv "$1" | head -n 1 | grep -q ',saved_prior,' &&
        "$SMIX" --trace-report "$1" | grep -q '^Components, by the bits each saved'
}

# ranges TRACE: --range on the report and the dump, and ranges refused
ranges() {
    local n
    n=$("$SMIX" --trace-report --json "$1" | jq .tokens)
    report_matches "$1" 100 600 || { echo "report --range 100:600"; return 1; }
    [ "$("$SMIX" --trace-dump jsonl --range 100:600 "$1" | wc -l)" = 500 ] || { echo "dump --range"; return 1; }
    [ "$("$SMIX" --trace-dump jsonl --range $((n - 3)): "$1" | jq -s 'map(.index)' -c)" = "[$((n - 3)),$((n - 2)),$((n - 1))]" ] ||
        { echo "dump --range A:"; return 1; }
    for r in "$n:" "5:5" "9:3" "x:4" "4" "-1:3" ":0"; do
        "$SMIX" --trace-report --range "$r" "$1" >/dev/null 2>"$T/err" && { echo "--range $r accepted"; return 1; }
        [ -s "$T/err" ] || { echo "--range $r: no message"; return 1; }
    done
    "$SMIX" -q -c --range 1:2 "$T/probe" >/dev/null 2>&1 && { echo "--range while compressing"; return 1; }
    return 0
}

# one_line TRACE: as many dump lines as tokens, and no control byte but newline
one_line() {
    local toks lines
    toks=$("$SMIX" --trace-report --json "$1" | jq .tokens)
    for fmt in csv jsonl; do
        "$SMIX" --trace-dump $fmt "$1" >"$T/dump" || return 1
        lines=$(wc -l <"$T/dump")
        [ $fmt = csv ] && lines=$((lines - 1))
        [ "$lines" = "$toks" ] || { echo "$fmt: $lines lines for $toks tokens"; return 1; }
        LC_ALL=C grep -q -P '[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]' "$T/dump" &&
            { echo "$fmt: a raw control byte"; return 1; }
    done
    return 0
}

# damaged TRACE: truncations and flipped bytes are refused with exit 1 and a message
damaged() {
    local t=$1 size cut rc
    size=$(wc -c <"$t")
    for cut in 0 7 100 319 511 512 $((size / 2)) $((size - 1)); do
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

# format1 TRACE: a trace of format 1 is refused with how to write it again
format1() {
    cp "$1" "$T/old.smt"
    printf '\x01' | dd of="$T/old.smt" bs=1 seek=8 conv=notrunc 2>/dev/null
    ! "$SMIX" --trace-report "$T/old.smt" >/dev/null 2>"$T/err" && grep -q 'write the trace again' "$T/err"
}

# quiet_head TRACE: `smix --trace-dump ... | head` ends with status 0 and says nothing
quiet_head() {
    local rc
    for fmt in csv jsonl; do
        ( "$SMIX" --trace-dump $fmt "$1" 2>"$T/err"; echo $? >"$T/rc" ) | head -n 2 >/dev/null
        rc=$(cat "$T/rc")
        [ "$rc" = 0 ] && [ ! -s "$T/err" ] || { echo "$fmt | head: exit $rc, $(head -c 200 "$T/err")"; return 1; }
    done
    ( "$SMIX" --trace-report "$1" 2>"$T/err"; echo $? >"$T/rc" ) | head -n 1 >/dev/null
    [ "$(cat "$T/rc")" = 0 ] && [ ! -s "$T/err" ] || { echo "report | head: exit $(cat "$T/rc"), $(head -c 200 "$T/err")"; return 1; }
    # a reader that is gone before the first write (the report's output is
    # longer than one stdio buffer, so a late failure would show too)
    for cmd in --trace-report "--trace-dump csv"; do
        ( "$SMIX" $cmd "$1" 2>"$T/err"; echo $? >"$T/rc" ) | true
        rc=$(cat "$T/rc")
        [ "$rc" = 0 ] && [ ! -s "$T/err" ] || { echo "$cmd | true: exit $rc, $(head -c 200 "$T/err")"; return 1; }
    done
}

# ------------------------------------------------------------ synthetic traces

if [ -x "$SYNTH" ]; then
    check "trace_synth runs" "$SYNTH" "$ROOT/samples/page.html" "$T/s1.smt"
    "$SYNTH" "$ROOT/samples/page.html" "$T/s2.smt" 2>/dev/null
    check "trace_synth is deterministic" cmp -s "$T/s1.smt" "$T/s2.smt"
    check "trace_synth refuses a missing input" eval "! '$SYNTH' '$T/nope' '$T/x.smt' 2>/dev/null"
    check "synthetic: csv header" csv_header "$T/s1.smt"
    check "synthetic: row invariants" invariants "$T/s1.smt"
    check "synthetic: SSM fields" ssm_fields "$T/s1.smt"
    check "synthetic: report --json matches the dump" report_matches "$T/s1.smt"
    check "synthetic: one line per record" one_line "$T/s1.smt"
    check "synthetic: text report" eval "'$SMIX' --trace-report '$T/s1.smt' | grep -q 'Costliest tokens'"
    check "synthetic: jsonl text round-trips" eval "'$SMIX' --trace-dump jsonl '$T/s1.smt' | jq -j .text | cmp -s - '$ROOT/samples/page.html'"
    check "synthetic: damaged traces exit 1" damaged "$T/s1.smt"
    check "synthetic: format 1 refused" format1 "$T/s1.smt"
    "$SMIX" --trace-report "$ROOT/samples/page.html" >/dev/null 2>"$T/err"
    check "foreign file exits 1" test $? -eq 1
    "$SMIX" --trace-report "$T/nonexistent.smt" >/dev/null 2>"$T/err"
    check "missing trace exits 1" test $? -eq 1
else
    bad "synthetic traces" "$SYNTH is not built"
fi

# ------------------------------------------------------------ the real engine

# control bytes in the text: ESC sequences, BEL, DEL, C1, a bidi override
printf 'plain \033]0;title\007 text\033[31m red \177 \302\205 \342\200\256 evil\r\n' >"$T/ctl.txt"
check "control bytes: trace" eval "'$SMIX' -q -3 -c --trace '$T/ctl.smt' '$T/ctl.txt' >/dev/null"
check "control bytes: one line per record, none raw" one_line "$T/ctl.smt"

# the bits saved (--trace-saved) at levels 3 and 9 of prose.txt and 1 of records.bin
for fl in prose.txt:1:3s:5:9s records.bin:1s:3; do
    f=${fl%%:*}
    src=$ROOT/samples/$f
    [ -f "$src" ] || { bad "$f" "sample missing"; continue; }
    levels=${fl#*:}
    for Ls in ${levels//:/ }; do
        L=${Ls%s} saved=()
        [ "$L" != "$Ls" ] && saved=(--trace-saved)
        n="$f -$L ${saved[*]}"
        cp "$src" "$T/$f"
        "$SMIX" -q -$L -c "$T/$f" >"$T/$f.plain.smx"
        rm -f "$T/$f.$L.smt"
        "$SMIX" -q -$L -c --trace "$T/$f.$L.smt" "${saved[@]}" "$T/$f" >"$T/$f.smx"
        check "$n: --trace does not change the compressed file" cmp -s "$T/$f.plain.smx" "$T/$f.smx"
        "$SMIX" -q -d -c --trace "$T/$f.d.smt" "${saved[@]}" "$T/$f.smx" >"$T/$f.out"
        check "$n: round trip with -d --trace" cmp -s "$T/$f.out" "$src"
        check "$n: decompression trace equals compression trace" cmp -s "$T/$f.$L.smt" "$T/$f.d.smt"
        rm -f "$T/$f.d.smt"
        check "$n: csv header" csv_header "$T/$f.$L.smt"
        check "$n: row invariants (terms, steps, information)" invariants "$T/$f.$L.smt"
        check "$n: SSM fields" ssm_fields "$T/$f.$L.smt"
        check "$n: payload = bits + flush" payload "$T/$f.$L.smt"
        check "$n: report --json matches the dump" report_matches "$T/$f.$L.smt"
        [ ${#saved[@]} -gt 0 ] && check "$n: the bits saved are recorded" saved_recorded "$T/$f.$L.smt"
    done
done
check "engine: --range on the report and the dump" ranges "$T/prose.txt.3.smt"
# a NaN among the bits saved, behind valid checksums, is damage
if [ -x "$ROOT/build/forge" ]; then
    if "$ROOT/build/forge" smt "$T/prose.txt.3.smt" "$T/nan.smt" token 7 saved2 nan; then
        check "engine: a NaN among the bits saved is refused" eval "'$SMIX' --trace-report '$T/nan.smt' 2>&1 >/dev/null | grep -q 'not a finite number'"
    else
        bad "forge a NaN among the bits saved"
    fi
else
    bad "forged traces" "build/forge is not built"
fi
check "engine: --trace-saved without --trace is refused" eval "! '$SMIX' -q -c --trace-saved '$T/probe' >/dev/null 2>&1"
check "engine: damaged traces exit 1" damaged "$T/prose.txt.3.smt"
check "engine: | head ends quietly" quiet_head "$T/prose.txt.3.smt"
rm -f "$T/probe.smt"
"$SMIX" -q -c --trace "$T/nodir/x.smt" "$T/probe" >/dev/null 2>"$T/err"
check "unwritable trace path fails" test $? -ne 0 -a -s "$T/err"

finish
