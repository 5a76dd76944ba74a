#!/usr/bin/env bash
# tools/bench_scale.sh - how smix scales with the input's size: the default
# level on texts of 1 to 100 MB, with -T1 and -T2, beside xz -9e on the same
# files in the same run; writes a table to docs/BENCHMARKS.scale.md.
#
#   tools/bench_scale.sh                  SIZES="1 3 10 30 100" (MB)
#   SIZES="1 3 10" tools/bench_scale.sh   a shorter run
#   LEVEL=3                               the smix level (default: the default)
#   OUT=-                                 print the table only
#
# The inputs come from tools/bigtext.sh (the corpus, then Debian-packaged
# text; never downloaded): input N is the first N MB of the largest. Every
# smix result is checked by a round trip (cmp) before it is reported, and
# -T1 and -T2 must write the same bytes. Times are wall seconds of one run
# (/usr/bin/time); the machine may be shared: compare within one table.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
SMIX=$ROOT/build/smix
SIZES=${SIZES:-"1 3 10 30 100"}
LEVEL=${LEVEL:-}
OUT=${OUT:-docs/BENCHMARKS.scale.md}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/smix-scale.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

[ -x "$SMIX" ] || { echo "bench_scale: build/smix missing (run make)" >&2; exit 1; }
source tests/corpus_lib.sh
corpus_unpack "scaling benchmark"
largest=0
for n in $SIZES; do [ "$n" -gt "$largest" ] && largest=$n; done
sha=$(sh tools/bigtext.sh "$largest" "$WORK/big" build/corpus) || exit 1
lflag=${LEVEL:+-$LEVEL}

# run NAME CMD...: one timed run with stdout to $WORK/out; sets SEC, RSS_MB
run() {
    /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" > "$WORK/out" 2>/dev/null || return 1
    read -r SEC rss < "$WORK/time"
    RSS_MB=$((rss / 1024))
}
per_mb() { awk -v s="$1" -v n="$2" 'BEGIN { printf "%.2f", s / n }'; }
mb_s() { awk -v s="$1" -v n="$2" 'BEGIN { printf "%.2f", (s > 0 ? n / s : 0) }'; }
bpb() { awk -v b="$1" -v n="$2" 'BEGIN { printf "%.3f", b * 8 / n }'; }

ROWS=$WORK/rows
: > "$ROWS"
for n in $SIZES; do
    f=$WORK/in$n
    head -c $((n * 1000000)) "$WORK/big" > "$f"
    echo "bench_scale: $n MB" >&2
    run xz -9e -c "$f" || { echo "bench_scale: xz failed" >&2; exit 1; }
    xsec=$SEC; xbytes=$(stat -c %s "$WORK/out")
    run "$SMIX" -q $lflag -T1 -c "$f" || { echo "bench_scale: smix -T1 failed on $n MB" >&2; exit 1; }
    s1=$SEC; r1=$RSS_MB; cp "$WORK/out" "$WORK/t1.smx"; bytes=$(stat -c %s "$WORK/t1.smx")
    run "$SMIX" -q $lflag -T2 -c "$f" || { echo "bench_scale: smix -T2 failed on $n MB" >&2; exit 1; }
    s2=$SEC; r2=$RSS_MB
    cmp -s "$WORK/out" "$WORK/t1.smx" || { echo "bench_scale: -T1 and -T2 differ on $n MB" >&2; exit 1; }
    run "$SMIX" -q -d -T2 -c "$WORK/t1.smx" || { echo "bench_scale: decode failed on $n MB" >&2; exit 1; }
    d2=$SEC; rd=$RSS_MB
    cmp -s "$WORK/out" "$f" || { echo "bench_scale: round trip MISMATCH on $n MB" >&2; exit 1; }
    blocks=$("$SMIX" -lv "$WORK/t1.smx" | awk '/blocks:/ { sub(/,$/, "", $2); print $2; exit }')
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
        "$n" "${blocks:-1}" "$bytes" "$(bpb "$bytes" $((n * 1000000)))" \
        "$s1" "$(per_mb "$s1" "$n")" "$s2" "$(mb_s "$s2" "$n")" "$d2" \
        "$((r1 > r2 ? (r1 > rd ? r1 : rd) : (r2 > rd ? r2 : rd)))" \
        "$(bpb "$xbytes" $((n * 1000000))) in $xsec s" \
        "$(awk -v a="$s2" -v b="$xsec" 'BEGIN { printf "%.1fx", (b > 0 ? a / b : 0) }')" >> "$ROWS"
    echo "  $n MB: $bytes bytes, -T1 ${s1}s, -T2 ${s2}s, -d -T2 ${d2}s; xz -9e ${xsec}s" >&2
done

{
    echo "| MB | blocks | bytes | bpb | -T1 s | -T1 s/MB | -T2 s | -T2 MB/s | -d -T2 s | peak RSS MiB | xz -9e | -T2 / xz |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|"
    cat "$ROWS"
} > "$WORK/table"
if [ "$OUT" = "-" ]; then cat "$WORK/table"; exit 0; fi
{
    echo "# Scaling: the default level on 1 to $largest MB"
    echo
    echo "Measured by \`tools/bench_scale.sh\` (\`make bench-scale\`) on $(date -u +%Y-%m-%d) at commit"
    echo "$(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end."
    echo "Command: \`SIZES=\"$SIZES\"${LEVEL:+ LEVEL=$LEVEL} tools/bench_scale.sh\`. Inputs: the first N MB of"
    echo "\`tools/bigtext.sh $largest\` (SHA-256 of the $largest MB file: \`$sha\`): the corpus (enwik8_3M,"
    echo "bible.txt, world192.txt, the Calgary and Canterbury texts), then Python sources, manual pages"
    echo "and C headers from this machine's Debian packages. One run per cell, wall seconds; -T1 and"
    echo "-T2 wrote the same bytes and every file round-tripped. \"blocks\" is the first frame's."
    echo
    cat "$WORK/table"
} > "$OUT"
cat "$WORK/table"
echo "bench_scale: wrote $OUT" >&2
