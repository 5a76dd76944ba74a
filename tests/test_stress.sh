#!/usr/bin/env bash
# test_stress.sh - `make check-long`: a large input with bounded memory.
#
# Builds a STRESS_MB (default 200) MB input by concatenating the benchmark
# corpus files (../shared/corpus, unpacked into build/corpus), compresses it
# at -1 with --memlimit 2G while sampling the process's peak RSS (VmHWM),
# decompresses and compares; checks that -v shows a progress display on a
# terminal (run under script(1) on a 2 MB prefix); and that an input over
# 4 GiB is refused with a clear message (the format's limit) without output.
# Skipped (exit 77) unless SMIX_LONG=1, or when the corpus is absent.
set -u
cd "$(dirname "$0")/.." || exit 1
SMIX=${SMIX:-build/smix}
MB=${STRESS_MB:-200}
LIMIT_BYTES=$((2 * 1024 * 1024 * 1024))

if [ "${SMIX_LONG:-0}" != 1 ]; then
    echo "SKIP stress test: run by make check-long (SMIX_LONG=1)"; exit 77
fi
source tests/corpus_lib.sh
corpus_unpack "stress test"
pass=0 fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }

W=build/stress
mkdir -p "$W"
trap 'rm -rf "$W"' EXIT
want=$((MB * 1000 * 1000))
# build/corpus/ with a slash: it may be a symlink to an unpacked corpus.
files=$(find build/corpus/ -type f ! -name SHA256SUMS | sort)
if [ -z "$files" ]; then
    echo "FAIL no corpus files in build/corpus"; echo "0 passed, 1 failed"; exit 1
fi
: >"$W/big"
while [ "$(stat -c %s "$W/big")" -lt "$want" ]; do
    cat $files >>"$W/big" || { echo "FAIL building the input"; exit 1; }
done
truncate -s "$want" "$W/big"
echo "input: $W/big, $want bytes from $(echo "$files" | wc -l) corpus files"

# run_peak CMD...: runs CMD, samples its VmHWM each second; sets $peak_kb, $rc.
run_peak() {
    "$@" &
    local pid=$! hwm
    peak_kb=0
    while kill -0 $pid 2>/dev/null; do
        hwm=$(awk '/^VmHWM:/ { print $2 }' /proc/$pid/status 2>/dev/null)
        [ -n "$hwm" ] && [ "$hwm" -gt "$peak_kb" ] && peak_kb=$hwm
        sleep 1
    done
    wait $pid; rc=$?
}

start=$(date +%s)
run_peak "$SMIX" -q -1 --memlimit 2G -f -o "$W/big.smx" "$W/big"
csecs=$(( $(date +%s) - start ))
[ $rc -eq 0 ] && ok "compress ${MB} MB at -1 --memlimit 2G (${csecs}s)" || bad "compress ${MB} MB (exit $rc)"
echo "peak RSS while compressing: $((peak_kb / 1024)) MiB"
[ $((peak_kb * 1024)) -le $LIMIT_BYTES ] && ok "compress peak RSS within 2 GiB" || bad "compress peak RSS $((peak_kb / 1024)) MiB > 2 GiB"
[ -f "$W/big.smx" ] && echo "compressed: $(stat -c %s "$W/big.smx") bytes"

start=$(date +%s)
run_peak "$SMIX" -q -d --memlimit 2G -f -o "$W/big.out" "$W/big.smx"
dsecs=$(( $(date +%s) - start ))
[ $rc -eq 0 ] && ok "decompress (${dsecs}s)" || bad "decompress (exit $rc)"
echo "peak RSS while decompressing: $((peak_kb / 1024)) MiB"
[ $((peak_kb * 1024)) -le $LIMIT_BYTES ] && ok "decompress peak RSS within 2 GiB" || bad "decompress peak RSS $((peak_kb / 1024)) MiB > 2 GiB"
cmp -s "$W/big" "$W/big.out" && ok "round trip ${MB} MB byte-exact" || bad "round trip ${MB} MB differs"
rm -f "$W/big.out" "$W/big.smx"

# Progress display on a terminal: script(1) gives smix a pty.
if command -v script >/dev/null 2>&1; then
    head -c 2000000 "$W/big" >"$W/part"
    script -qec "$SMIX -v -1 -f -o $W/part.smx $W/part" "$W/typescript" >/dev/null 2>&1 </dev/null
    rc=$?
    [ $rc -eq 0 ] && ok "compress 2 MB with -v on a terminal" || bad "compress with -v on a terminal (exit $rc)"
    # A live display redraws its line (\r) and shows a rate or an ETA.
    if grep -q $'\r' "$W/typescript" && grep -Eqi 'ETA|/s|%' "$W/typescript"; then
        ok "progress display shown"
    else
        bad "progress display shown"; tail -c 400 "$W/typescript" | cat -v | sed 's/^/    /'
    fi
else
    bad "progress display: script(1) not available (util-linux)"
fi

# Over 4 GiB: the format stores 64-bit sizes but this build codes at most
# 4 GiB - 1 bytes; a sparse file just over must be refused, not mangled.
truncate -s $((4 * 1024 * 1024 * 1024 + 1)) "$W/huge"
timeout 300 "$SMIX" -1 -f -o "$W/huge.smx" "$W/huge" 2>"$W/err"
rc=$?
if [ $rc -eq 1 ] && [ ! -e "$W/huge.smx" ] && [ -s "$W/err" ]; then
    ok "input over 4 GiB refused: $(head -n 1 "$W/err")"
elif [ $rc -eq 0 ] && timeout 600 "$SMIX" -d -c "$W/huge.smx" | cmp -s - "$W/huge"; then
    ok "input over 4 GiB round trip"
else
    bad "input over 4 GiB (exit $rc): $(head -n 1 "$W/err")"
fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
