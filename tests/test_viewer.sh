#!/usr/bin/env bash
# tests/test_viewer.sh - build/smix-view, headless.
#
# Renders screenshots with the offscreen and dummy SDL video drivers and
# checks what a person would see: a PNG of the requested size that any PNG
# decoder reads, a heat map of many colours, a picture that follows --at,
# compare mode, the window path (P saves a PNG, q quits), plain files traced
# on the fly, and clean exit 1 (never a crash) on malformed traces.
# Colour counting uses ImageMagick (identify/convert) or, without it, python3.
set -u
cd "$(dirname "$0")/.."

V=${V:-build/smix-view}
SMIX=build/smix
pass=0
fail=0
ok()  { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1${2:+: $2}"; fail=$((fail + 1)); }
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_viewer.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export TMPDIR=$tmp

if [ ! -x "$V" ]; then
    bad "smix-view built" "$V missing"
    echo "$pass passed, $fail failed"
    exit 1
fi

# PNG width and height from the IHDR chunk (bytes 16..23, big-endian).
png_size() {
    od -An -tu1 -j16 -N8 "$1" 2>/dev/null |
        awk '{ printf "%dx%d", $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8 }'
}
is_png() { [ "$(od -An -c -j1 -N3 "$1" 2>/dev/null | tr -d ' ')" = "PNG" ]; }

# Colours covering at least 40 pixels (token backgrounds, not the
# anti-aliased edges of glyphs) in a crop W H X Y of a PNG; "" if no decoder.
colours() {
    local f=$1 w=$2 h=$3 x=$4 y=$5
    if command -v convert >/dev/null 2>&1; then
        convert "$f" -crop "${w}x${h}+${x}+${y}" +repage -format %c histogram:info:- 2>/dev/null |
            awk -F: '$1 + 0 >= 40 { n++ } END { print n + 0 }'
    elif command -v python3 >/dev/null 2>&1; then
        python3 - "$f" "$w" "$h" "$x" "$y" <<'EOF'
import sys, zlib, struct
f, w, h, x0, y0 = sys.argv[1], *map(int, sys.argv[2:])
d = open(f, 'rb').read()
pos, idat, W, H = 8, b'', 0, 0
while pos < len(d):
    n, t = struct.unpack('>I4s', d[pos:pos + 8])
    if t == b'IHDR': W, H = struct.unpack('>II', d[pos + 8:pos + 16])
    if t == b'IDAT': idat += d[pos + 8:pos + 8 + n]
    pos += 12 + n
raw = zlib.decompress(idat)          # 8-bit RGB rows, each after its filter type (PNG spec 9)
s, bpp = 3 * W + 1, 3
rows, prev = [], bytearray(3 * W)
for r in range(H):
    ft, line = raw[r * s], bytearray(raw[r * s + 1:(r + 1) * s])
    for i in range(len(line)):
        a = line[i - bpp] if i >= bpp else 0
        b, c = prev[i], prev[i - bpp] if i >= bpp else 0
        if ft == 1: line[i] = (line[i] + a) & 255
        elif ft == 2: line[i] = (line[i] + b) & 255
        elif ft == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif ft == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(bytes(line)); prev = line
from collections import Counter
px = Counter(rows[r][3 * c:3 * c + 3] for r in range(y0, y0 + h) for c in range(x0, x0 + w))
print(sum(1 for v in px.values() if v >= 40))
EOF
    fi
}

# ---- sample traces: the real engine if it works, else the synthetic writer
A=$tmp/a.smt
B=$tmp/b.smt
if $SMIX -q -1 --trace="$A" -o "$tmp/a.smx" samples/prose.txt 2>/dev/null &&
   $SMIX -q -2 --trace="$B" -o "$tmp/b.smx" samples/prose.txt 2>/dev/null; then
    :
elif [ -x build/trace_synth ]; then
    build/trace_synth samples/prose.txt "$A" && cp "$A" "$B"
fi
if [ ! -s "$A" ]; then
    bad "sample trace" "neither $SMIX --trace nor build/trace_synth made one"
    echo "$pass passed, $fail failed"
    exit 1
fi

# ---- headless screenshots with both drivers
for drv in offscreen dummy; do
    out=$tmp/$drv.png
    SDL_VIDEODRIVER=$drv $V --screenshot "$out" --at 100 --size 800x500 "$A" 2>"$tmp/err"
    rc=$?
    check "screenshot $drv: exit 0" [ $rc -eq 0 ]
    check "screenshot $drv: PNG signature" is_png "$out"
    sz=$(png_size "$out")
    check "screenshot $drv: size 800x500 (got $sz)" [ "$sz" = "800x500" ]
done

n=$(colours "$tmp/offscreen.png" 300 300 10 40)
if [ -z "$n" ]; then
    bad "heat map colours" "no ImageMagick (make deps installs it) or python3 to decode the PNG"
else
    check "heat map has many background colours ($n in a 300x300 crop)" [ "$n" -ge 12 ]
fi
check "offscreen and dummy render the same frame" cmp -s "$tmp/offscreen.png" "$tmp/dummy.png"

SDL_VIDEODRIVER=offscreen $V --screenshot "$tmp/at10.png" --at 10 --size 800x500 "$A"
SDL_VIDEODRIVER=offscreen $V --screenshot "$tmp/at10b.png" --at 10 --size 800x500 "$A"
SDL_VIDEODRIVER=offscreen $V --screenshot "$tmp/at2000.png" --at 2000 --size 800x500 "$A"
check "--at changes the picture" bash -c "! cmp -s '$tmp/at10.png' '$tmp/offscreen.png'"
check "--at far away changes the picture" bash -c "! cmp -s '$tmp/at10.png' '$tmp/at2000.png'"
check "same --at gives the same picture" cmp -s "$tmp/at10.png" "$tmp/at10b.png"

SDL_VIDEODRIVER=offscreen $V --screenshot "$tmp/hi.png" --scale 2 --size 500x320 "$A"
sz=$(png_size "$tmp/hi.png")
check "HiDPI --scale 2 doubles the pixels (got $sz)" [ "$sz" = "1000x640" ]

SDL_VIDEODRIVER=offscreen $V --screenshot "$tmp/keys.png" --keys "G" --size 800x500 "$A"
SDL_VIDEODRIVER=offscreen $V --screenshot "$tmp/last.png" --at 999999999 --size 800x500 "$A"
check "--keys G selects the last token like --at past the end" cmp -s "$tmp/keys.png" "$tmp/last.png"

# ---- compare mode
SDL_VIDEODRIVER=offscreen $V --screenshot "$tmp/cmp.png" --at 100 --size 900x560 "$A" "$B" 2>"$tmp/err"
rc=$?
check "compare mode: exit 0" [ $rc -eq 0 ]
sz=$(png_size "$tmp/cmp.png")
check "compare mode: PNG 900x560 (got $sz)" [ "$sz" = "900x560" ]
check "compare mode differs from single view" bash -c "! cmp -s '$tmp/cmp.png' '$tmp/offscreen.png'"
printf 'another input entirely\n' > "$tmp/other.txt"
if $SMIX -q -1 --trace="$tmp/other.smt" -o "$tmp/other.smx" "$tmp/other.txt" 2>/dev/null; then
    SDL_VIDEODRIVER=offscreen $V --screenshot "$tmp/x.png" "$A" "$tmp/other.smt" 2>"$tmp/err"
    rc=$?
    check "compare of different inputs: exit 1 with a message" [ $rc -eq 1 -a -s "$tmp/err" ]
fi

# ---- the text of the frame (--dump-screen): timeline zoom keys, swap in compare mode
tl() { SDL_VIDEODRIVER=offscreen $V --dump-screen - --size 900x560 "$@" 2>/dev/null | grep -o 'tokens [0-9]*\.\.[0-9]*' | head -1; }
full=$(tl "$A"); zin=$(tl --keys zz "$A"); zout=$(tl --keys zzZ "$A")
check "z zooms the timeline in ($full -> $zin), Z out ($zout)" \
    bash -c "[ -n '$full' ] && [ '$full' != '$zin' ] && [ '$zin' != '$zout' ]"
h1=$(SDL_VIDEODRIVER=offscreen $V --dump-screen - --size 1000x600 "$A" "$B" 2>/dev/null | head -1)
h2=$(SDL_VIDEODRIVER=offscreen $V --dump-screen - --size 1000x600 --keys x "$A" "$B" 2>/dev/null | head -1)
check "compare: the header names A and B" bash -c "echo '$h1' | grep -q 'A a.smt: L1 .* B b.smt: L2'"
check "compare: x swaps A and B" bash -c "echo '$h2' | grep -q 'A b.smt: L2 .* B a.smt: L1'"
check "compare: w visits B's largest changes" bash -c "SDL_VIDEODRIVER=offscreen $V --dump-screen - --keys w '$A' '$B' 2>/dev/null | tail -2 | grep -q 'B-A [-+][0-9.]* bits here (|B-A| >= [0-9.]*: the top 1%)'"

# ---- the window path: offscreen driver, scripted keys, P saves, q quits
mkdir -p "$tmp/win"
root=$(pwd)
(cd "$tmp/win" && SDL_VIDEODRIVER=offscreen timeout 30 "$root/$V" --size 700x450 --keys "lll/the<Enter>wPq" "$A")
rc=$?
check "window (offscreen driver): keys then q exits 0" [ $rc -eq 0 ]
shot=$(ls "$tmp/win"/smix-view-*.png 2>/dev/null | head -n1)
check "window: P saved a PNG" [ -n "$shot" ]
[ -n "$shot" ] && { sz=$(png_size "$shot"); check "window: PNG is the window size (got $sz)" [ "$sz" = "700x450" ]; }

# ---- a plain file is compressed to a temporary trace first
printf 'Plain text\twith a tab, \033[31mescape\033[0m, bad \377\376 bytes and \342\200\256 bidi.\n%.0s' {1..20} > "$tmp/hostile.txt"
mkdir -p "$tmp/t"
TMPDIR=$tmp/t SDL_VIDEODRIVER=offscreen $V -1 --screenshot "$tmp/plain.png" --at 5 --size 800x500 "$tmp/hostile.txt" 2>"$tmp/err"
rc=$?
check "plain (hostile) file: traced and shown, exit 0" [ $rc -eq 0 ]
check "plain file: PNG written" is_png "$tmp/plain.png"
check "plain file: temporary trace removed" [ -z "$(ls -A "$tmp/t")" ]

# ---- signals while a plain file is traced: nothing left in $TMPDIR
# (the trace is an unlinked file from the start; it once stayed behind with
# its directory). perl restores the default action of SIGINT, which a
# background job of a script inherits as ignored.
perl -e 'srand(3); print join(" ", map { ("alpha", "beta", "gamma", "delta")[int rand 4] . int(rand 500) } 1 .. 60000)' > "$tmp/plain.txt"
sig_run() {  # sig_run NAME SIGNAL...
    local name=$1 st=$tmp/sigtmp pid i s seen=0
    shift
    rm -rf "$st" && mkdir -p "$st"
    TMPDIR=$st SDL_VIDEODRIVER=offscreen perl -e '$SIG{INT} = $SIG{TERM} = "DEFAULT"; exec @ARGV' -- \
        $V --screenshot "$tmp/sig.png" "$tmp/plain.txt" > /dev/null 2>&1 &
    pid=$!
    for ((i = 0; i < 200; i++)); do   # until it holds a file under $TMPDIR
        ls -l /proc/$pid/fd 2>/dev/null | grep -q "$st/" && { seen=1; break; }
        sleep 0.02
    done
    sleep 0.3
    for s in "$@"; do kill -"$s" $pid 2>/dev/null; sleep 0.05; done
    wait $pid
    local rc=$?
    check "$name: tracing was under way when signalled" [ $seen = 1 ]
    check "$name: the viewer stopped (status $rc)" [ $rc -ge 128 ]
    check "$name: nothing left in \$TMPDIR" [ -z "$(ls -A "$st")" ]
}
sig_run "SIGINT while tracing" INT
sig_run "SIGINT twice while tracing" INT INT
sig_run "SIGTERM while tracing" TERM

# ---- malformed traces: exit 1 with a message, never a crash
malformed() {
    local name=$1 file=$2
    SDL_VIDEODRIVER=offscreen $V --screenshot "$tmp/m.png" "$file" 2>"$tmp/err"
    local rc=$?
    check "malformed ($name): exit 1 (got $rc) with a message" [ $rc -eq 1 -a -s "$tmp/err" ]
}
head -c 1000 "$A" > "$tmp/trunc.smt";           malformed truncated "$tmp/trunc.smt"
head -c 12 "$A" > "$tmp/short.smt";             malformed "12 bytes" "$tmp/short.smt"
: > "$tmp/empty.smt";                           malformed empty "$tmp/empty.smt"
head -c 4096 /dev/urandom > "$tmp/noise.smt";   malformed "random bytes" "$tmp/noise.smt"
cp "$A" "$tmp/flip.smt"
size=$(wc -c < "$A")
off=$((size / 3))
b=$(od -An -tu1 -j$off -N1 "$A" | tr -d ' ')
printf "\\$(printf %03o $((b ^ 0x5A)))" | dd of="$tmp/flip.smt" bs=1 seek=$off conv=notrunc 2>/dev/null
malformed "one byte flipped" "$tmp/flip.smt"
malformed "missing file" "$tmp/does-not-exist.smt"

# ---- hostile numbers behind valid checksums (build/forge): a NaN is
# refused, extreme finite values are drawn without a crash. A NaN in one
# record once crashed the viewer (viewer/load.c, the histogram index).
FORGE=build/forge
if [ -x "$FORGE" ]; then
    $FORGE smt "$A" "$tmp/nan.smt" token 3 bits nan total nan
    malformed "NaN bits and total" "$tmp/nan.smt"
    $FORGE smt "$A" "$tmp/nan1.smt" token 3 bits nan
    malformed "NaN bits in one record" "$tmp/nan1.smt"
    $FORGE smt "$A" "$tmp/huge.smt" token 1 bits 1e300 total 1e300 token 2 bias0 3e38 \
        token 2 bias1 -3e38 token 3 p_final 3e38 token 4 top_p0 3e38 token 4 top_p1 3e38 \
        token 5 p_ssm -3e38 token 6 entropy 3e38 token 7 scale -3e38 token 8 bits -1e300 total auto
    for at in 1 2 3 4 5 8; do
        SDL_VIDEODRIVER=offscreen $V --screenshot "$tmp/h.png" --at $at --size 800x500 "$tmp/huge.smt" 2>"$tmp/err"
        check "extreme values, token $at: drawn (exit 0)" [ $? -eq 0 ]
    done
    SDL_VIDEODRIVER=offscreen $V --screenshot "$tmp/h.png" --at 3 "$tmp/huge.smt" "$A" 2>"$tmp/err"
    check "extreme values compared with the original: drawn (exit 0)" [ $? -eq 0 ]
else
    bad "hostile numbers" "$FORGE not built (make all builds it)"
fi
$V --no-such-option >/dev/null 2>&1
check "unknown option: exit 2" [ $? -eq 2 ]

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
