#!/usr/bin/env bash
# roundtrip.sh - round trips of samples/ and of bad inputs through one smix
# binary; used by `make check` (quick) and `make sanitize` (full).
#
# Usage: tests/roundtrip.sh SMIX [quick|full]
#   quick: every sample at -1, the demo sample at the default level, empty
#          and 1-byte inputs.
#   full:  every sample at -1, its first 6 KB at the default level and its
#          first 3 KB at -5 (with the state space model); bad inputs (empty,
#          1 byte, random, NULs, all 256 byte values, a long run, invalid
#          UTF-8); stdin/stdout; damaged frames (flipped bytes, truncations)
#          that must fail with exit 1 and leave no output.
# Sanitizer reports exit with 86/87 (set below) so they never pass for the
# expected "exit 1" of a damaged file.
set -u
cd "$(dirname "$0")/.." || exit 1
SMIX=${1:?usage: roundtrip.sh SMIX [quick|full]}
MODE=${2:-full}
export ASAN_OPTIONS=${ASAN_OPTIONS:-exitcode=86:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:exitcode=87}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() {
    echo "FAIL $1"; fail=$((fail + 1))
    mkdir -p build/test-logs/failed-inputs && cp "$2" build/test-logs/failed-inputs/ 2>/dev/null
}

# rt NAME FILE LEVELFLAG: compress, decompress, compare.
rt() {
    local name=$1 f=$2 lv=$3 err=$tmp/err
    if "$SMIX" -q $lv -c "$f" >"$tmp/c" 2>"$err" &&
       "$SMIX" -q -d -c "$tmp/c" >"$tmp/d" 2>>"$err" && cmp -s "$f" "$tmp/d"; then
        ok "roundtrip $name ${lv:-default}"
    else
        bad "roundtrip $name ${lv:-default}" "$f"; sed 's/^/    /' "$err" | head -n 5
    fi
}

# must_fail NAME FILE: decoding must exit exactly 1 and leave no output file.
must_fail() {
    local name=$1 f=$2 rc
    rm -f "$tmp/out"
    "$SMIX" -q -d -o "$tmp/out" "$f" 2>"$tmp/err" </dev/null
    rc=$?
    if [ $rc -eq 1 ] && [ ! -e "$tmp/out" ]; then
        ok "rejects $name"
    else
        bad "rejects $name (exit $rc$([ -e "$tmp/out" ] && echo ', output left'))" "$f"
        sed 's/^/    /' "$tmp/err" | head -n 5
    fi
}

samples=$(ls samples/* | grep -v '/LICENSES.md$')

for s in $samples; do rt "$(basename "$s")" "$s" -1; done
: >"$tmp/empty"; rt empty "$tmp/empty" ""
printf 'x' >"$tmp/one"; rt one-byte "$tmp/one" ""

if [ "$MODE" = quick ]; then
    rt prose.txt samples/prose.txt ""
else
    # The default level on 6 KB of each, and -5 (with the state space model,
    # slow under sanitizers) on 3 KB of each.
    for s in $samples; do
        head -c 6000 "$s" >"$tmp/head"; rt "$(basename "$s")[:6000]" "$tmp/head" ""
        head -c 3000 "$s" >"$tmp/head"; rt "$(basename "$s")[:3000]" "$tmp/head" -5
    done
    head -c 8000 /dev/urandom >"$tmp/random"; rt random-8k "$tmp/random" ""
    head -c 20000 /dev/zero >"$tmp/nuls"; rt nuls-20k "$tmp/nuls" -1
    printf "$(printf '\\%03o' $(seq 0 255))" >"$tmp/all256"; rt all-256-bytes "$tmp/all256" ""
    head -c 30000 /dev/zero | tr '\0' 'a' >"$tmp/run"; rt run-of-a "$tmp/run" -1
    for i in $(seq 1 200); do printf 'caf\xe9 \xff\xfe\xc3\x28 na\xefve \xe2\x82 %d\n' "$i"; done >"$tmp/badutf8"
    rt invalid-utf8 "$tmp/badutf8" ""

    # stdin to stdout
    if "$SMIX" -q -1 <samples/page.html | "$SMIX" -q -d | cmp -s - samples/page.html; then
        ok "roundtrip stdin/stdout"
    else
        bad "roundtrip stdin/stdout" samples/page.html
    fi

    # Damaged frames: every 13th byte flipped, and 16 truncations.
    head -c 1500 samples/prose.txt >"$tmp/small"
    if "$SMIX" -q -1 -c "$tmp/small" >"$tmp/small.smx"; then
        size=$(stat -c %s "$tmp/small.smx")
        for ((off = 0; off < size; off += 13)); do
            cp "$tmp/small.smx" "$tmp/flip.smx"
            byte=$(od -An -tu1 -j "$off" -N1 "$tmp/small.smx" | tr -d ' ')
            printf "$(printf '\\%03o' $((byte ^ 0x5a)))" |
                dd of="$tmp/flip.smx" bs=1 seek="$off" conv=notrunc status=none
            must_fail "byte $off flipped" "$tmp/flip.smx"
        done
        for ((k = 0; k < 16; k++)); do
            len=$((size * k / 16))
            head -c "$len" "$tmp/small.smx" >"$tmp/trunc.smx"
            must_fail "truncated to $len of $size" "$tmp/trunc.smx"
        done
    else
        bad "compress small sample" "$tmp/small"
    fi
fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
