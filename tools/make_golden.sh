#!/usr/bin/env bash
# make_golden.sh - (re)make tests/golden/ with the current build/smix.
#
# Run it only when the container format changes on purpose (and then keep the
# old files too: renaming is not needed, the v<N>- prefix says which format
# made them). tests/test_golden.sh then checks that every later build decodes
# tests/golden/decode/ byte-exact (or, for an older format it no longer
# reads, refuses with an "older format" message) and rejects every file in
# tests/golden/errors/ with exit 1. Encoder output is never compared.
#
#   decode/v<N>-<name>.smx      a frame made by format N
#   decode/v<N>-<name>.sha256   SHA-256 and size of the original
#   errors/<what>.smx           damaged or foreign data that must fail
#
# Usage: tools/make_golden.sh          (needs build/smix: run make first)
set -euo pipefail
cd "$(dirname "$0")/.."
SMIX=${SMIX:-build/smix}
G=tests/golden
[ -x "$SMIX" ] || { echo "make_golden.sh: $SMIX not built (run make)" >&2; exit 1; }
ver=$(sed -n 's/^#define SMIX_FORMAT_VERSION \([0-9]*\).*/\1/p' engine/smix.h)
[ -n "$ver" ] || { echo "make_golden.sh: no SMIX_FORMAT_VERSION in engine/smix.h" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$G/decode" "$G/errors"
rm -f "$G/decode/v$ver-"* "$G/errors/"*.smx

# reseal IN OUT OFFSET BYTE: set one header byte and recompute the header's
# CRC-32C (bytes 0..size-4, size at offset 6), so only that field is wrong.
cat >"$tmp/reseal.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include "checksum.h"
int main(int argc, char **argv)
{
    static unsigned char b[1 << 20];
    FILE *f = fopen(argv[1], "rb");
    size_t n = f ? fread(b, 1, sizeof b, f) : 0;
    if (!f || argc != 5 || n < 8) return 1;
    fclose(f);
    b[strtoul(argv[3], 0, 0)] = (unsigned char)strtoul(argv[4], 0, 0);
    size_t h = b[6] | (size_t)b[7] << 8;
    if (h < 8 || h > n) return 1;
    uint32_t c = crc32c(0, b, h - 4);
    for (int i = 0; i < 4; i++) b[h - 4 + i] = (unsigned char)(c >> (8 * i));
    f = fopen(argv[2], "wb");
    return !f || fwrite(b, 1, n, f) != n || fclose(f) != 0;
}
C
cc -O1 -Iengine -o "$tmp/reseal" "$tmp/reseal.c" engine/checksum.c

# golden NAME INPUT LEVELFLAG...
golden() {
    local name=$1 in=$2; shift 2
    local out=$G/decode/v$ver-$name
    "$SMIX" -q "$@" -c "$in" >"$out.smx"
    "$SMIX" -q -d -c "$out.smx" | cmp - "$in"
    echo "$(sha256sum <"$in" | cut -d' ' -f1) $(stat -c %s "$in")" >"$out.sha256"
    echo "  $out.smx ($(stat -c %s "$out.smx") bytes, from $(stat -c %s "$in"))"
}
head -c 4096 samples/prose.txt >"$tmp/prose"
head -c 4096 samples/records.bin >"$tmp/binary"
head -c 3000 samples/events.jsonl >"$tmp/log"
: >"$tmp/empty"
printf 'A' >"$tmp/one"
# 612 KB in blocks of 256 KiB: three blocks; repetitive, so small
for i in $(seq 24); do cat samples/prose.txt samples/wordfreq.c samples/multilingual.txt samples/page.html; done >"$tmp/blocks"
echo "golden frames (format $ver):"
golden prose-l1 "$tmp/prose" -1
golden prose-default "$tmp/prose"
golden code-l9 samples/wordfreq.c -9
golden utf8-default samples/multilingual.txt
golden binary-l3 "$tmp/binary" -3
golden log-l6 "$tmp/log" -6
golden empty "$tmp/empty"
golden one-byte "$tmp/one"
golden blocks-l1 "$tmp/blocks" -1 --block-size 256K
xz -9 -c samples/prose.txt >"$tmp/stored"   # incompressible: kept as it is
golden stored-default "$tmp/stored"
# two files concatenated: two frames, decoded to the two originals in turn
out=$G/decode/v$ver-frames
cat "$G/decode/v$ver-prose-l1.smx" "$G/decode/v$ver-code-l9.smx" >"$out.smx"
cat "$tmp/prose" samples/wordfreq.c >"$tmp/frames"
"$SMIX" -q -d -c "$out.smx" | cmp - "$tmp/frames"
echo "$(sha256sum <"$tmp/frames" | cut -d' ' -f1) $(stat -c %s "$tmp/frames")" >"$out.sha256"
echo "  $out.smx (two frames)"

# Damaged and foreign files, all made from the prose frame.
E=$G/errors
src=$G/decode/v$ver-prose-l1.smx
size=$(stat -c %s "$src")
hsize=$(od -An -tu2 -j6 -N2 "$src" | tr -d ' ')
flip() { # IN OUT OFFSET
    cp "$1" "$2"
    local b; b=$(od -An -tu1 -j "$3" -N1 "$1" | tr -d ' ')
    printf "$(printf '\\%03o' $((b ^ 0x01)))" | dd of="$2" bs=1 seek="$3" conv=notrunc status=none
}
head -c $((size / 2)) "$src" >"$E/truncated-half.smx"
head -c $((size - 1)) "$src" >"$E/truncated-last-byte.smx"
head -c 40 "$src" >"$E/truncated-in-header.smx"
head -c "$hsize" "$src" >"$E/header-only.smx"
flip "$src" "$E/flipped-payload-byte.smx" $(( hsize + (size - hsize) / 2 ))
flip "$src" "$E/flipped-last-byte.smx" $((size - 1))
flip "$src" "$E/flipped-header-byte.smx" 20
flip "$src" "$E/flipped-header-crc.smx" $((hsize - 1))
"$tmp/reseal" "$src" "$E/resealed-wrong-size.smx" 32 $(( $(od -An -tu1 -j32 -N1 "$src") ^ 0x04 ))
"$tmp/reseal" "$src" "$E/resealed-bad-level.smx" 8 0
# flags byte (offset 18): skip_context 3 is not a valid value
"$tmp/reseal" "$src" "$E/resealed-bad-skip.smx" 18 $(( $(od -An -tu1 -j18 -N1 "$src") | 0x06 ))
flip "$src" "$E/wrong-magic.smx" 0
blk=$G/decode/v$ver-blocks-l1.smx
"$tmp/reseal" "$blk" "$E/resealed-block-sizes.smx" 64 $(( $(od -An -tu1 -j64 -N1 "$blk") ^ 0x10 ))
"$tmp/reseal" "$blk" "$E/resealed-block-count.smx" 18 $(( $(od -An -tu1 -j18 -N1 "$blk") ^ 0x08 ))
"$tmp/reseal" "$src" "$E/future-version.smx" 4 $((ver + 1))
oldest=$(sed -n 's/^#define SMIX_FORMAT_OLDEST \([0-9]*\).*/\1/p' engine/smix.h)
[ "${oldest:-$ver}" -gt 1 ] && "$tmp/reseal" "$src" "$E/older-version.smx" 4 $((${oldest:-$ver} - 1))
# a level-1 frame labelled format 6, which had no follow_words bit (its
# coarse_classes bit cleared, so that the follow_words bit alone is wrong),
# and labelled format 7, which had no coarse_classes bit (config byte 18 is
# at offset 26)
b18=$(od -An -tu1 -j26 -N1 "$src" | tr -d ' ')
if [ "$ver" -ge 8 ]; then
    "$tmp/reseal" "$src" "$tmp/no-coarse.smx" 26 $((b18 & 0x7F))
    "$tmp/reseal" "$tmp/no-coarse.smx" "$E/v6-with-follow-words.smx" 4 6
    "$tmp/reseal" "$src" "$E/v7-with-coarse-classes.smx" 4 7
    # a level-3 frame (skip_share, bit 7 of config byte 11) labelled format 7,
    # with format 9's bits cleared (byte_records, bit 6 of config byte 19 at
    # offset 27; skip_share_wide and spell_new, bits 5 and 6 of config byte
    # 11 at offset 19), format 10's (byte_history and adam_no_momentum,
    # bits 4 and 3 of config byte 11) and format 11's (escape_keys, bit 5 of
    # config byte 19) so that skip_share alone is wrong
    l3=$G/decode/v$ver-prose-default.smx
    b19=$(od -An -tu1 -j27 -N1 "$l3" | tr -d ' ')
    b11=$(od -An -tu1 -j19 -N1 "$l3" | tr -d ' ')
    # l3x MASK19 MASK11 OUT: l3 with config bytes 19 and 11 masked
    l3x() {
        "$tmp/reseal" "$l3" "$tmp/l3x.smx" 27 $((b19 & $1))
        "$tmp/reseal" "$tmp/l3x.smx" "$3" 19 $((b11 & $2))
    }
    l3x 0x9F 0x87 "$tmp/v9-bits-cleared.smx"
    "$tmp/reseal" "$tmp/v9-bits-cleared.smx" "$E/v7-with-skip-share.smx" 4 7
    # and labelled format 8, which had none of format 9's bits: each alone
    if [ "$ver" -ge 9 ]; then
        l3x 0xDF 0x87 "$tmp/records-only.smx"
        "$tmp/reseal" "$tmp/records-only.smx" "$E/v8-with-byte-records.smx" 4 8
        l3x 0x9F 0xC7 "$tmp/spell-only.smx"
        "$tmp/reseal" "$tmp/spell-only.smx" "$E/v8-with-spell-new.smx" 4 8
        l3x 0x9F 0xA7 "$tmp/wide-only.smx"
        "$tmp/reseal" "$tmp/wide-only.smx" "$E/v8-with-skip-share-wide.smx" 4 8
    fi
    # labelled format 9, which had none of format 10's bits: byte_history
    # (level 3) alone, and adam_no_momentum alone (level 9, byte_history
    # cleared); format 11's escape_keys cleared in both
    if [ "$ver" -ge 10 ]; then
        l3x 0xDF 0xFF "$tmp/no-keys.smx"
        "$tmp/reseal" "$tmp/no-keys.smx" "$E/v9-with-byte-history.smx" 4 9
        l9=$G/decode/v$ver-code-l9.smx
        b11_9=$(od -An -tu1 -j19 -N1 "$l9" | tr -d ' ')
        b19_9=$(od -An -tu1 -j27 -N1 "$l9" | tr -d ' ')
        "$tmp/reseal" "$l9" "$tmp/l9-no-keys.smx" 27 $((b19_9 & 0xDF))
        "$tmp/reseal" "$tmp/l9-no-keys.smx" "$tmp/adam-only.smx" 19 $((b11_9 & 0xEF))
        "$tmp/reseal" "$tmp/adam-only.smx" "$E/v9-with-adam-no-momentum.smx" 4 9
    fi
    # labelled format 10, which had no escape_keys bit (level 9)
    if [ "$ver" -ge 11 ]; then
        "$tmp/reseal" "$G/decode/v$ver-code-l9.smx" "$E/v10-with-escape-keys.smx" 4 10
    fi
elif [ "$ver" -eq 7 ]; then
    "$tmp/reseal" "$src" "$E/v6-with-follow-words.smx" 4 6
fi
{ cat "$src"; printf 'garbage'; } >"$E/trailing-garbage.smx"
# the second of two frames damaged, in its header and in its payload
two=$G/decode/v$ver-frames.smx
flip "$two" "$E/second-frame-header.smx" $((size + 20))
flip "$two" "$E/second-frame-payload.smx" $(( $(stat -c %s "$two") - 10 ))
: >"$E/empty.smx"
head -c 3 "$src" >"$E/three-bytes.smx"
cp samples/page.html "$E/not-smix-html.smx"
xz -9 -c samples/prose.txt >"$E/not-smix-xz.smx"
echo "error files: $(ls "$E" | wc -l) in $E"
