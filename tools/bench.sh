#!/usr/bin/env bash
# tools/bench.sh - measure smix against xz, zstd, bzip2, 7z PPMd and zpaq in
# the same run, on the same files, and write docs/BENCHMARKS.md.
#
#   tools/bench.sh                 enwik8_1M alice29.txt book1 kennedy.xls
#   BENCH=full tools/bench.sh      + enwik8_3M bible.txt world192.txt
#   LEVELS="1 5 9" tools/bench.sh  smix levels to run (default: 1 5 9)
#   REPEAT=3                       runs per timing; the median is reported
#   OUT=docs/BENCHMARKS.md         where to write the table ("-" = stdout only)
#   FILES="a b"                    corpus files to use instead of the default set
#   PEERS="xz zstd bzip2 7z zpaq lpaq1"  which peers to run (default: all)
#
# lpaq1 (not a Debian package) is built from ../shared/peers into
# build/peers when its source is there (sh ../shared/peers/build.sh).
# The corpus comes from ../shared/corpus (unpacked into build/corpus).
# Every smix result is checked by a round trip (cmp) before it is reported.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
SMIX=$ROOT/build/smix
CORPUS_SRC=${CORPUS_SRC:-$ROOT/../shared/corpus}
CORPUS=$ROOT/build/corpus
LEVELS=${LEVELS:-"1 5 9"}
REPEAT=${REPEAT:-1}
OUT=${OUT:-docs/BENCHMARKS.md}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/smix-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

[ -x "$SMIX" ] || { echo "bench: build/smix missing (run make)" >&2; exit 1; }
if [ ! -f "$CORPUS/enwik8_1M" ]; then
    [ -x "$CORPUS_SRC/unpack.sh" ] || { echo "bench: no corpus at $CORPUS_SRC (skipped)"; exit 0; }
    mkdir -p "$CORPUS" && sh "$CORPUS_SRC/unpack.sh" "$CORPUS" >/dev/null || exit 1
fi
path_of() {
    for d in "$CORPUS" "$CORPUS/canterbury" "$CORPUS/calgary" "$CORPUS/canterbury_large"; do
        [ -f "$d/$1" ] && { echo "$d/$1"; return; }
    done
    echo "bench: $1 not found in $CORPUS" >&2; return 1
}

# median of numbers on stdin
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# timed CMD...: runs REPEAT times with stdout to $WORK/out; sets SEC, RSS_KB
timed() {
    local ts="" rs="" i
    for i in $(seq "$REPEAT"); do
        /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" > "$WORK/out" 2>/dev/null || return 1
        read -r s r < "$WORK/time"
        ts="$ts $s"; rs="$rs $r"
    done
    SEC=$(printf '%s\n' $ts | median)
    RSS_KB=$(printf '%s\n' $rs | sort -n | tail -1)
}

ROWS=$WORK/rows
: > "$ROWS"
row() { printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$@" >> "$ROWS"; }

bench_tool() { # name file ext compress-cmd... -- decompress-cmd...
    local name=$1 f=$2; shift 2
    local ccmd=() dcmd=()
    while [ "$1" != "--" ]; do ccmd+=("$1"); shift; done; shift
    dcmd=("$@")
    timed "${ccmd[@]}" "$f" || { row "$name" "$(basename "$f")" fail - - - - -; return; }
    local csec=$SEC crss=$RSS_KB
    cp "$WORK/out" "$WORK/packed"
    local bytes; bytes=$(stat -c %s "$WORK/packed")
    timed "${dcmd[@]}" "$WORK/packed" || { row "$name" "$(basename "$f")" "$bytes" decode-fail - - - -; return; }
    cmp -s "$WORK/out" "$f" || { row "$name" "$(basename "$f")" "$bytes" MISMATCH - - - -; return; }
    local n; n=$(stat -c %s "$f")
    local bpb; bpb=$(awk -v b="$bytes" -v n="$n" 'BEGIN{printf "%.3f", b*8/n}')
    local tps="-"
    if [ "${name#smix}" != "$name" ]; then
        local toks; toks=$("$SMIX" -l "$WORK/packed" 2>/dev/null | awk 'NR==2 {print $5}' | tr -dc 0-9)
        [ -n "$toks" ] && tps=$(awk -v t="$toks" -v s="$csec" 'BEGIN{printf "%.0f", (s>0? t/s : 0)}')
    fi
    row "$name" "$(basename "$f")" "$bytes" "$bpb" "$csec" "$SEC" "$tps" "$((crss > RSS_KB ? crss : RSS_KB))"
    echo "  $name $(basename "$f"): $bytes bytes, $bpb bpb, ${csec}s / ${SEC}s" >&2
}

# 7z and zpaq write archives, not streams: wrap them
p7z_c() { rm -f "$WORK/a.7z"; 7z a -bd -m0=PPMd -mx=9 "$WORK/a.7z" "$1" >/dev/null && cat "$WORK/a.7z"; }
p7z_d() { rm -rf "$WORK/x7"; mkdir "$WORK/x7"; cp "$1" "$WORK/b.7z"; 7z e -bd -o"$WORK/x7" "$WORK/b.7z" >/dev/null && cat "$WORK/x7"/*; }
zpaq_c() { rm -f "$WORK/a.zpaq"; zpaq a "$WORK/a.zpaq" "$1" -m5 >/dev/null 2>&1 && cat "$WORK/a.zpaq"; }
zpaq_d() { rm -rf "$WORK/xz"; mkdir "$WORK/xz"; cp "$1" "$WORK/b.zpaq"; (cd "$WORK/xz" && zpaq x "$WORK/b.zpaq" -to out >/dev/null 2>&1) && find "$WORK/xz/out" -type f -exec cat {} +; }
# lpaq1 reads and writes files
lpaq_c() { rm -f "$WORK/a.lpq"; "$LPAQ" 9 "$1" "$WORK/a.lpq" >/dev/null 2>&1 && cat "$WORK/a.lpq"; }
lpaq_d() { rm -f "$WORK/x.lpq"; "$LPAQ" d "$1" "$WORK/x.lpq" >/dev/null 2>&1 && cat "$WORK/x.lpq"; }
LPAQ=$ROOT/build/peers/lpaq1
if [ ! -x "$LPAQ" ] && [ -f "$ROOT/../shared/peers/build.sh" ] && command -v g++ >/dev/null; then
    sh "$ROOT/../shared/peers/build.sh" "$ROOT/build/peers" >/dev/null 2>&1 || true
fi
export -f p7z_c p7z_d zpaq_c zpaq_d lpaq_c lpaq_d
export LPAQ
export WORK

if [ -z "${FILES:-}" ]; then
    FILES="enwik8_1M alice29.txt book1 kennedy.xls"
    [ "${BENCH:-}" = full ] && FILES="$FILES enwik8_3M bible.txt world192.txt"
fi
PEERS=${PEERS:-"xz zstd bzip2 7z zpaq lpaq1"}
peer() {
    case " $PEERS " in *" $1 "*) ;; *) return 1 ;; esac
    [ "$1" = lpaq1 ] && { [ -x "$LPAQ" ]; return; }
    command -v "$1" >/dev/null
}

for name in $FILES; do
    f=$(path_of "$name") || continue
    echo "bench: $name" >&2
    for L in $LEVELS; do
        bench_tool "smix -$L" "$f" "$SMIX" -q -"$L" -c -- "$SMIX" -q -d -c
    done
    peer xz && bench_tool "xz -9e" "$f" xz -9e -c -- xz -d -c
    peer zstd && bench_tool "zstd -19" "$f" zstd -q -19 -c -- zstd -q -d -c
    peer bzip2 && bench_tool "bzip2 -9" "$f" bzip2 -9 -c -- bzip2 -d -c
    peer 7z && bench_tool "7z PPMd mx9" "$f" bash -c 'p7z_c "$0"' -- bash -c 'p7z_d "$0"'
    peer zpaq && bench_tool "zpaq -m5" "$f" bash -c 'zpaq_c "$0"' -- bash -c 'zpaq_d "$0"'
    peer lpaq1 && bench_tool "lpaq1 9" "$f" bash -c 'lpaq_c "$0"' -- bash -c 'lpaq_d "$0"'
done

{
    echo "| compressor | file | bytes | bits/byte | compress s | decompress s | tokens/s | peak RSS KB |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|"
    cat "$ROWS"
} > "$WORK/table"

if [ "$OUT" = "-" ]; then cat "$WORK/table"; exit 0; fi
cat "$WORK/table"
{
    echo "# Benchmarks"
    echo
    echo "Measured by \`make bench\` (tools/bench.sh) on $(date -u +%Y-%m-%d), $(nproc) cores,"
    echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg) at the end."
    echo "All compressors ran in the same run on the same files; timings are the median of"
    echo "REPEAT=$REPEAT run(s) (wall seconds, \`/usr/bin/time\`); the machine is shared, so compare"
    echo "ratios within one table rather than absolute seconds. Every smix row was verified by a"
    echo "round trip. Command: \`LEVELS=\"$LEVELS\" REPEAT=$REPEAT${BENCH:+ BENCH=$BENCH} FILES=\"$FILES\" tools/bench.sh\`."
    echo
    echo "Peer commands: \`xz -9e -c\`, \`zstd -19 -c\`, \`bzip2 -9 -c\`, \`7z a -m0=PPMd -mx=9\`,"
    echo "\`zpaq a -m5\` (archive sizes include their headers), \`lpaq1 9\` (built from ../shared/peers,"
    echo "\`-O3 -march=native\`), smix \`-c -LEVEL\`."
    echo
    cat "$WORK/table"
    if [ -f docs/BENCHMARKS.notes.md ]; then echo; cat docs/BENCHMARKS.notes.md; fi
} > "$OUT"
echo "bench: wrote $OUT" >&2
