#!/usr/bin/env bash
# test_sweep.sh - every damaged or truncated .smx file is refused.
#
# A tiny sample (~300 bytes) is compressed; then every single-byte change of
# the compressed file (each byte XOR 0xFF), every single-bit change of its
# first 64 bytes (the header) and every truncation (lengths 0..n-1) must make
# `smix -d FILE` (and, for every 4th, `smix -t FILE`) exit with status 1 (not a crash, not
# a hang, not success) and leave no output or temporary file behind.
# Variants that fail are listed; each sweep is one PASS/FAIL check.
#
# Run from the repo root: bash tests/test_sweep.sh   (SMIX= to override)
set -u

SMIX=${SMIX:-build/smix}
ROOT=$(pwd)
case $SMIX in /*) ;; *) SMIX=$ROOT/$SMIX ;; esac
TIMEOUT=${SWEEP_TIMEOUT:-30}   # seconds per decode: a hang counts as a failure

pass=0 fail=0
ok()  { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1${2:+ ($2)}"; fail=$((fail + 1)); }
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; }

if [ ! -x "$SMIX" ]; then bad "setup" "$SMIX is not built"; finish; exit 1; fi

T=$(mktemp -d "${TMPDIR:-/tmp}/smix-sweep.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1

# The sample: the start of the bundled prose, or generated text.
if [ -f "$ROOT/samples/prose.txt" ]; then
    head -c 300 "$ROOT/samples/prose.txt" > sample
else
    perl -e 'print "The quick brown fox jumps over the lazy dog. " x 7' > sample
fi
if ! "$SMIX" -q -o good.smx sample 2> err || ! "$SMIX" -q -dc good.smx | cmp -s - sample; then
    bad "setup" "the sample does not round-trip: $(head -c 200 err)"
    finish; exit 1
fi
n=$(stat -c %s good.smx)
ok "sample round-trips ($(stat -c %s sample) bytes -> $n)"

# All variants in one perl run: byte/<i>.smx, bit/<i>_<k>.smx, trunc/<len>.smx
mkdir byte bit trunc
perl -e '
    open my $f, "<", "good.smx" or die; binmode $f; local $/; my $d = <$f>; close $f;
    sub put { open my $o, ">", $_[0] or die; binmode $o; print $o $_[1]; close $o }
    my $n = length $d;
    for my $i (0 .. $n - 1) {
        my $v = $d; substr($v, $i, 1) = chr(ord(substr($v, $i, 1)) ^ 0xFF); put("byte/$i.smx", $v);
        put("trunc/$i.smx", substr($d, 0, $i));
    }
    for my $i (0 .. ($n < 64 ? $n : 64) - 1) {
        for my $k (0 .. 7) {
            my $v = $d; substr($v, $i, 1) = chr(ord(substr($v, $i, 1)) ^ (1 << $k)); put("bit/${i}_$k.smx", $v);
        }
    }'

# sweep DIR WHAT: every variant in DIR must be refused by -d (which must
# leave neither FILE nor a temporary file); every 4th also by -t.
sweep() {
    local dir=$1 what=$2 total=0 bads=0 f rc rc2 base left
    for f in "$dir"/*.smx; do
        total=$((total + 1))
        base=${f%.smx}
        timeout "$TIMEOUT" "$SMIX" -q -d "$f" 2> err; rc=$?
        rc2=1
        if [ $((total % 4)) -eq 0 ]; then
            timeout "$TIMEOUT" "$SMIX" -q -t "$f" 2>> err; rc2=$?
        fi
        if [ $rc -ne 1 ] || [ $rc2 -ne 1 ] || [ -e "$base" ]; then
            bads=$((bads + 1))
            [ $bads -le 20 ] && echo "    $f: -d exit $rc, -t exit $rc2: $(head -n 1 err)"
            rm -f "$base"
        fi
    done
    left=$(ls -A "$dir" | grep -v '\.smx$' | head -n 5 | tr '\n' ' ')
    if [ -n "$left" ]; then
        bads=$((bads + 1))
        echo "    files left in $dir: $left"
    fi
    if [ $bads -eq 0 ] && [ $total -gt 0 ]; then
        ok "$what: all $total variants refused with exit 1, nothing left"
    else
        bad "$what" "$bads problems in $total variants"
    fi
}

sweep byte  "every byte flipped"
sweep bit   "every bit of the first 64 bytes flipped"
sweep trunc "every truncation"

# A decode of each kind to stdout must fail too (the pipeline sees exit 1).
rcs=""
for f in byte/$((n / 2)).smx bit/4_1.smx trunc/$((n - 1)).smx; do
    timeout "$TIMEOUT" "$SMIX" -q -dc "$f" > /dev/null 2>&1; rcs="$rcs $?"
done
if [ "$rcs" = " 1 1 1" ]; then ok "-dc on damaged files exits 1"; else bad "-dc on damaged files" "exits:$rcs"; fi

cd "$ROOT"
finish
