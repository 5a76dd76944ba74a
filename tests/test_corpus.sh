#!/usr/bin/env bash
# test_corpus.sh - real text at every level: round trips of corpus prefixes.
#
# The samples are small; some faults only show after tens of thousands of
# tokens of real text (a favourite holding nearly all the probability mass
# once made a frequency total overflow the coder at level 9 after 25,000
# tokens of enwik8). Each level compresses the first 100 KB of enwik8 and
# of book1, and build/smix-portable decodes what build/smix wrote (and the
# other way round for the default level), byte-exact; kennedy.xls (binary)
# round-trips at level 1 within 1.5x the size of xz -9e. Traces of the
# enwik8 prefix at levels 1, 3, 5 account for every bit of the payload.
# Skipped (exit 77) when ../shared/corpus is absent.
#
# Run from the repo root: bash tests/test_corpus.sh   (LEVELS="1 2 ... 9" for all)
set -u
SMIX=${SMIX:-build/smix}
PORT=${PORT:-build/smix-portable}
LEVELS=${LEVELS:-1 2 3 4 9}
cd "$(dirname "$0")/.." || exit 1
source tests/corpus_lib.sh
corpus_unpack "corpus round trips"
pass=0 fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }

W=$(mktemp -d "${TMPDIR:-/tmp}/smix-corpus.XXXXXX")
trap 'rm -rf "$W"' EXIT
head -c 100000 build/corpus/enwik8_1M > "$W/enwik8"
head -c 100000 "$(find build/corpus/ -name book1 | head -1)" > "$W/book1"

for f in enwik8 book1; do
    for l in $LEVELS; do
        if "$SMIX" -q -$l -c "$W/$f" > "$W/$f.$l.smx" &&
           "$PORT" -q -d -c "$W/$f.$l.smx" | cmp -s - "$W/$f"; then
            ok "$f 100 KB level $l: $(stat -c %s "$W/$f.$l.smx") bytes, portable decode exact"
        else
            bad "$f 100 KB level $l does not round-trip"
        fi
    done
done
"$PORT" -q -c "$W/enwik8" > "$W/p.smx" && "$SMIX" -q -d -c "$W/p.smx" | cmp -s - "$W/enwik8" \
    && ok "portable encode, SIMD decode (default level)" || bad "portable encode, SIMD decode"

# Traces of real text: the tokens' bits add up to the payload less each
# block's flush (48 to 64 bits a block), and the decoder's trace equals the
# encoder's (the row invariants are in tests/test_trace.sh, on the samples).
for l in 1 3 5; do
    rm -f "$W/t$l.smt" "$W/d$l.smt"
    if "$SMIX" -q -$l -c --trace "$W/t$l.smt" "$W/enwik8" > "$W/t$l.smx" &&
       "$SMIX" -q -d -c --trace "$W/d$l.smt" "$W/t$l.smx" > /dev/null && cmp -s "$W/t$l.smt" "$W/d$l.smt" &&
       "$SMIX" --trace-report --json "$W/t$l.smt" | jq -e '.flush_bits >= 48 * .blocks - 1e-6 and
           .flush_bits <= 64 * .blocks + 1e-6 and .payload_bytes + .header_bytes == .compressed_bytes' > /dev/null; then
        ok "enwik8 100 KB level $l: trace bits = payload - flush, decoder trace = encoder trace"
    else
        bad "enwik8 100 KB level $l: trace bits against the payload, or the decoder's trace"
    fi
done

# A binary file: the model must not drift on a million one-byte tokens (an
# APM that lifted tiny probabilities once made kennedy.xls 7x larger than
# xz -9e, and out-of-range frequencies made it undecodable).
K=$(find build/corpus/ -name kennedy.xls | head -1)
if [ -n "$K" ] && command -v xz >/dev/null; then
    xzs=$(xz -9e -c "$K" | wc -c)
    if "$SMIX" -q -1 -c "$K" > "$W/k.smx" && "$PORT" -q -d -c "$W/k.smx" | cmp -s - "$K"; then
        s=$(stat -c %s "$W/k.smx")
        [ "$s" -le $((xzs * 3 / 2)) ] && ok "kennedy.xls level 1: $s bytes (xz -9e $xzs), decodes exactly" \
            || bad "kennedy.xls level 1: $s bytes, more than 1.5x xz -9e ($xzs)"
    else
        bad "kennedy.xls level 1 does not round-trip"
    fi
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
