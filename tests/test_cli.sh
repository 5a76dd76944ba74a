#!/usr/bin/env bash
# test_cli.sh - the smix command line behaves like zstd/xz and never loses data.
#
# Round trips in every I/O mode (file, stdin/stdout, -c, -o) on samples/ and
# on awkward inputs; refusals (existing output, terminal, wrong suffix);
# write errors (/dev/full); --rm only after success; closed descriptors 0-2;
# signals leave nothing, at any moment, however many;
# -l and -t; damaged/foreign/future-version files fail cleanly; -T1 == -T2;
# build/smix-portable and build/smix decode each other; --trace does not
# change the output; names are escaped in messages.
#
# Run from the repo root: bash tests/test_cli.sh   (SMIX=, SMIX_PORTABLE= to override)
set -u

SMIX=${SMIX:-build/smix}
PORT=${SMIX_PORTABLE:-build/smix-portable}
ROOT=$(pwd)
case $SMIX in /*) ;; *) SMIX=$ROOT/$SMIX ;; esac
case $PORT in /*) ;; *) PORT=$ROOT/$PORT ;; esac
FAST=-1          # level for the big generated inputs (level 5 on 200 KB random is slow)

pass=0 fail=0
ok()  { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1${2:+ ($2)}"; fail=$((fail + 1)); }
# check NAME CMD...: PASS if the command succeeds
check() { local n=$1; shift; if "$@"; then ok "$n"; else bad "$n"; fi; }
# st NAME: PASS if the previous command succeeded
st() { if [ $? -eq 0 ]; then ok "$1"; else bad "$1"; fi; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; }

if [ ! -x "$SMIX" ]; then bad "setup" "$SMIX is not built"; finish; exit 1; fi

T=$(mktemp -d "${TMPDIR:-/tmp}/smix-cli.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1

# No temporary output (".NAME.smix-XXXXXX") left in a directory.
no_temp() { ! ls -A "${1:-.}" | grep -q '\.smix-'; }
# Runs smix with stderr to $T/err; returns its exit status.
run() { "$SMIX" "$@" 2>"$T/err"; }
err_has() { grep -q -- "$1" "$T/err"; }

# ---------------------------------------------------------------- inputs
mkdir in
perl -e 'srand(42); print map chr(int rand 256), 1..204800' > in/random.bin
perl -e 'print map chr, 0..255' > in/allbytes.bin
printf 'x' > in/one.byte
: > in/empty
perl -e 'print "a" x 100000' > in/run.txt
head -c 65536 /dev/zero > in/nuls.bin
perl -e 'print "caf\xe9 na\xefve \xff\xfe\x80\xc3 \xed\xa0\x80 latin-1 and broken UTF-8\n" x 100' > in/nonutf8.txt
have_samples=0
for f in "$ROOT"/samples/*; do
    [ -f "$f" ] || continue
    cp "$f" "in/sample-${f##*/}" && have_samples=1
done
[ $have_samples = 1 ] || cp "$ROOT/tests/test_cli.sh" in/script.txt   # some text anyway

level_for() { case $1 in *random.bin|*nuls.bin|*run.txt) echo $FAST ;; *) echo "" ;; esac; }

# ---------------------------------------------------------------- round trips
# File mode on every input: FILE -> FILE.smx (FILE kept) -> FILE again.
mkdir rt
for f in in/*; do
    b=${f##*/}
    cp "$f" "rt/$b"
    lvl=$(level_for "$b")
    if run -q $lvl "rt/$b" && [ -f "rt/$b.smx" ] && cmp -s "rt/$b" "$f"; then
        mv "rt/$b" "rt/$b.orig"
        if run -q -d "rt/$b.smx" && cmp -s "rt/$b" "$f" && [ -f "rt/$b.smx" ]; then
            ok "roundtrip file $b"
        else bad "roundtrip file $b" "decode: $(head -c 200 "$T/err")"; fi
    else bad "roundtrip file $b" "encode: $(head -c 200 "$T/err")"; fi
done
check "roundtrip no temp files left" no_temp rt

# The other modes on a few inputs of different kinds.
for b in one.byte allbytes.bin nonutf8.txt empty; do
    f=in/$b
    "$SMIX" -q < "$f" > "s.$b.smx" 2>"$T/err" && "$SMIX" -q -d < "s.$b.smx" > "s.$b.out" 2>>"$T/err" &&
        cmp -s "s.$b.out" "$f"
    check "roundtrip stdin/stdout $b" [ $? -eq 0 ]
    "$SMIX" -q - < "$f" | "$SMIX" -q -d - | cmp -s - "$f"
    check "roundtrip '-' filter $b" [ $? -eq 0 ]
    "$SMIX" -q -c "$f" | "$SMIX" -q -dc | cmp -s - "$f"
    check "roundtrip -c $b" [ $? -eq 0 ]
    run -q "$f" -o "o.$b.x" && run -q -d -o "o.$b.y" "o.$b.x" && cmp -s "o.$b.y" "$f"
    check "roundtrip -o $b" [ $? -eq 0 ]
done
"$SMIX" -q -c rt/one.byte.smx > /dev/null 2>&1
check "compress -c accepts an .smx name" [ $? -eq 0 ]

# ---------------------------------------------------------------- never overwrite
mkdir ow && cp in/nonutf8.txt ow/a && echo precious > ow/a.smx
run -q ow/a; rc=$?
check "existing output refused without -f" [ $rc -eq 1 ]
check "existing output untouched" [ "$(cat ow/a.smx)" = precious ]
check "existing output message names it" err_has "a.smx: already exists"
run -q -f ow/a && "$SMIX" -q -dc ow/a.smx | cmp -s - in/nonutf8.txt
check "-f overwrites" [ $? -eq 0 ]
echo precious > ow/a
run -q -d ow/a.smx; rc=$?
[ $rc -eq 1 ] && [ "$(cat ow/a)" = precious ]; st "decompress refuses existing output"
check "decompress refusal left it untouched" [ "$(cat ow/a)" = precious ]
echo precious > ow/o
run -q -o ow/o in/one.byte
check "-o to existing file refused" [ $? -eq 1 ]
check "-o refusal left it untouched" [ "$(cat ow/o)" = precious ]
check "refusals leave no temp files" no_temp ow
run -q -d in/nonutf8.txt
check "-d refuses a name without .smx" [ $? -eq 1 ]
check "-d suffix message" err_has "unknown suffix"
cp rt/one.byte.smx ow/x.smx
run -q ow/x.smx
check "compressing FILE.smx refused without -f" [ $? -eq 1 ]
run -q -o "$T/in/one.byte" in/one.byte
[ $? -eq 1 ] && cmp -s in/one.byte rt/one.byte.orig; st "input == output refused"

# ---------------------------------------------------------------- write errors
mkdir wf && cp in/nonutf8.txt wf/a
run -q -o /dev/full wf/a; rc=$?
check "-o /dev/full exits 1" [ $rc -eq 1 ]
check "-o /dev/full message" err_has "No space left"
check "-o /dev/full keeps the source" cmp -s wf/a in/nonutf8.txt
"$SMIX" -q -c wf/a > /dev/full 2>"$T/err"; rc=$?
check "-c > /dev/full exits 1" [ $rc -eq 1 ]
check "-c > /dev/full message" err_has "write error"
run -q --rm -o /dev/full wf/a
check "--rm with a failed write keeps the source" cmp -s wf/a in/nonutf8.txt
"$SMIX" -q -dc rt/nonutf8.txt.smx > /dev/full 2>/dev/null
check "-dc > /dev/full exits 1" [ $? -eq 1 ]
check "write errors leave no partial file" [ "$(ls -A wf)" = a ]
mkdir ro && cp in/one.byte ro/a && chmod 555 ro
if [ "$(id -u)" != 0 ]; then
    run -q ro/a; check "unwritable directory fails" [ $? -eq 1 ]
fi
chmod 755 ro
# a closed pipe: the reader goes away
"$SMIX" -q -dc rt/sample-events.jsonl.smx 2>"$T/err" | head -c 1 > /dev/null
rcs=("${PIPESTATUS[@]}")
if [ -f rt/sample-events.jsonl.smx ]; then
    # 0 is fine if everything fit in the pipe before head left; never a crash
    check "closed pipe: exit 0 or 1" [ "${rcs[0]}" -le 1 ]
fi

# ---------------------------------------------------------------- --rm
mkdir rm && cp in/nonutf8.txt rm/a && cp in/one.byte rm/b
run -q --rm rm/a
[ ! -e rm/a ] && [ -f rm/a.smx ]; st "--rm removes the source on success"
"$SMIX" -q -dc rm/a.smx | cmp -s - in/nonutf8.txt
check "--rm output decodes" [ $? -eq 0 ]
run -q -d --rm rm/a.smx || cat "$T/err"
[ ! -e rm/a.smx ] && cmp -s rm/a in/nonutf8.txt; st "-d --rm removes the .smx"
echo precious > rm/b.smx
run -q --rm rm/b
[ -f rm/b ] && [ "$(cat rm/b.smx)" = precious ]; st "--rm keeps the source when the output exists"
run -q --rm -c rm/b > /dev/null
check "--rm with -c keeps the source" [ -f rm/b ]
run -q --rm -o /dev/null rm/b
check "--rm with -o /dev/null keeps the source" [ -f rm/b ]

# ---------------------------------------------------------------- closed 0-2
# A closed descriptor must not be taken by the output file: with stderr
# closed, -v's progress lines once went into the .smx and --rm then deleted
# the source of an undecodable file.
mkdir fd && cp in/sample-prose.txt fd/a 2>/dev/null || cp in/nonutf8.txt fd/a
cp fd/a fd/a.orig
"$SMIX" -v --rm fd/a 2>&-
check "stderr closed: compression succeeds" [ $? -eq 0 ]
"$SMIX" -q -dc fd/a.smx 2>"$T/err" | cmp -s - fd/a.orig
check "stderr closed: the .smx decodes to the source" [ $? -eq 0 ]
"$SMIX" -v -d fd/a.smx 2>&-
check "stderr closed: decompression writes the original" cmp -s fd/a fd/a.orig
"$SMIX" -q -c fd/a.orig >&- 2>"$T/err"
check "stdout closed: -c fails" [ $? -eq 1 ]
check "stdout closed: the error says so" err_has "stdout: write error"
"$SMIX" -q -c <&- >/dev/null 2>"$T/err"
check "stdin closed: reading it fails" [ $? -eq 1 ]
check "stdin closed: the error says so" err_has "stdin: read error"
# Started with 0-2 closed and blocked on reading a FIFO, smix must hold
# /dev/null on 0-2 (the FIFO and anything opened later get 3 and up).
mkfifo fd/fifo
"$SMIX" -q -o fd/fifo.smx fd/fifo <&- >&- 2>&- &
pid=$!
fds=""
for _ in $(seq 1 100); do
    fds=$(readlink /proc/$pid/fd/0 /proc/$pid/fd/1 /proc/$pid/fd/2 2>/dev/null | tr '\n' ' ')
    [ -n "$fds" ] && break
    sleep 0.05
done
cat fd/a.orig > fd/fifo
wait $pid
check "closed 0-2 are held on /dev/null" [ "$fds" = "/dev/null /dev/null /dev/null " ]
"$SMIX" -q -dc fd/fifo.smx 2>/dev/null | cmp -s - fd/a.orig
check "closed 0-2: the FIFO's data round-trips" [ $? -eq 0 ]
rm -f fd/a.smx
"$SMIX" -q fd/a <&- >&- 2>&-
check "all three closed: the file is still compressed" [ $? -eq 0 ]
"$SMIX" -q -dc fd/a.smx 2>/dev/null | cmp -s - fd/a.orig
check "all three closed: the .smx decodes" [ $? -eq 0 ]

# ---------------------------------------------------------------- metadata, several files
mkdir md && cp in/nonutf8.txt md/a && chmod 640 md/a && touch -d '2001-02-03 04:05:06' md/a
run -q md/a && [ "$(stat -c '%a %Y' md/a.smx)" = "$(stat -c '%a %Y' md/a)" ]
check "compressed file keeps mode and mtime" [ $? -eq 0 ]
mv md/a md/a.orig
run -q -d md/a.smx && [ "$(stat -c '%a %Y' md/a)" = "$(stat -c '%a %Y' md/a.orig)" ]
check "decompressed file keeps mode and mtime" [ $? -eq 0 ]
mkdir mf && cp in/one.byte mf/a && cp in/allbytes.bin mf/b
run -q mf/a mf/missing mf/b; rc=$?
check "several files: failure -> exit 1" [ $rc -eq 1 ]
[ -f mf/a.smx ] && [ -f mf/b.smx ]; st "several files: the others are done"
check "several files: error names the file" err_has "mf/missing: No such file"
check "several files: one line per error" [ "$(wc -l < "$T/err")" -eq 1 ]
run -q -o x mf/a mf/b
check "-o with several inputs refused" [ $? -eq 1 ]

# ---------------------------------------------------------------- -l and -t
"$SMIX" -l rt/nonutf8.txt.smx > list.out 2>"$T/err"
check "-l exits 0" [ $? -eq 0 ]
osz=$(stat -c %s in/nonutf8.txt | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta')
csz=$(stat -c %s rt/nonutf8.txt.smx | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta')
check "-l shows the original size" grep -q " $osz " list.out
check "-l shows the compressed size" grep -q " $csz " list.out
check "-l shows bpb and checksum columns" grep -q "bpb.*CRC-32C" list.out
"$SMIX" -lv rt/nonutf8.txt.smx > listv.out 2>&1
check "-lv shows the model config" grep -q "d_model\|no SSM" listv.out
run -t rt/nonutf8.txt.smx rt/allbytes.bin.smx rt/empty.smx
check "-t on good files" [ $? -eq 0 ]

# ---------------------------------------------------------------- bad inputs
mkdir bad
good=rt/nonutf8.txt.smx
n=$(stat -c %s $good)
perl -e 'open F, "<", $ARGV[0]; binmode F; local $/; $d = <F>; substr($d, $ARGV[1], 1) ^= "\x01"; print $d' \
    $good $((n / 2)) > bad/flip.smx
head -c $((n - 7)) $good > bad/trunc.smx
head -c 30 $good > bad/short.smx
echo "this is plain text, not smix" > bad/text.smx
gzip -c in/nonutf8.txt > bad/gz.smx 2>/dev/null || cp in/random.bin bad/gz.smx
head -c 5000 in/random.bin > bad/random.smx
: > bad/empty.smx
# the format version is byte 4 (docs/format.md); it is checked before the
# header checksum, so a newer file says so instead of "corrupt" (255: newer
# than any format this build writes)
perl -e 'open F, "<", $ARGV[0]; binmode F; local $/; $d = <F>; substr($d, 4, 1) = "\xff"; print $d' \
    $good > bad/future.smx
for f in bad/*.smx; do
    b=${f##*/}
    run -q -d "$f"; rc=$?
    if [ $rc -eq 1 ] && [ ! -e "${f%.smx}" ] && no_temp bad && err_has "${b}: ..."; then
        ok "bad input -d $b: exit 1, no output ($(cut -c1-60 "$T/err"))"
    else bad "bad input -d $b" "rc=$rc $(head -c 200 "$T/err")"; fi
    run -t "$f"
    check "bad input -t $b" [ $? -eq 1 ]
    "$SMIX" -q -dc "$f" > /dev/null 2>&1
    check "bad input -dc $b" [ $? -eq 1 ]
done
run -t bad/future.smx
check "future version: message says newer" err_has "newer"
run -t bad/trunc.smx
check "truncated: message" grep -qi "truncat\|end" "$T/err"
run -t bad/text.smx
check "foreign file: message" grep -qi "smix format\|not an smix\|magic" "$T/err"
run -l bad/text.smx > /dev/null
check "-l on a foreign file exits 1" [ $? -eq 1 ]

# ---------------------------------------------------------------- threads, portable, trace
s=in/sample-prose.txt; [ -f "$s" ] || s=in/nonutf8.txt
"$SMIX" -q -T1 -c "$s" > t1.smx && "$SMIX" -q -T2 -c "$s" > t2.smx
check "-T1 and -T2 outputs identical" cmp -s t1.smx t2.smx
"$SMIX" -q -T2 -dc t1.smx | cmp -s - "$s"
check "-T2 decodes -T1 output" [ $? -eq 0 ]
if [ -x "$PORT" ]; then
    for f in "$s" in/allbytes.bin in/sample-records.bin; do
        [ -f "$f" ] || continue
        b=${f##*/}
        "$SMIX" -q -c "$f" | "$PORT" -q -dc | cmp -s - "$f"
        check "smix -> smix-portable $b" [ $? -eq 0 ]
        "$PORT" -q -T2 -c "$f" | "$SMIX" -q -T1 -dc | cmp -s - "$f"
        check "smix-portable -> smix $b" [ $? -eq 0 ]
        "$PORT" -q -c "$f" | cmp -s - <("$SMIX" -q -c "$f")
        check "smix and smix-portable outputs identical $b" [ $? -eq 0 ]
    done
else
    bad "portable cross-decoding" "$PORT not built (make portable)"
fi
# Level 4 (the SSM and the escape walk) with threads that really split the
# work: 96 KB in blocks of 32 KiB, coded two at a time with -T2. (The SSM's
# head uses threads only from 4,096 rows, more than any level has, so a
# one-block file compares two single-threaded runs: the old test did.) The
# proof that -T2 ran two threads: two of its threads used CPU time.
mkdir -p thr
perl -e 'srand(11); @w = map { join "", map { chr(97 + int rand 26) } 1..(2 + int rand 8) } 1..3000;
         $s = ""; while (length $s < 96000) { $s .= $w[int rand @w] . (rand() < 0.1 ? ".\n" : " ") } print $s' > thr/in
"$SMIX" -q -4 -T1 --block-size 32K -c thr/in > thr/t1.smx
"$SMIX" -q -4 -T2 --block-size 32K -c thr/in > thr/t2.smx &
pid=$!
busy=0
while kill -0 $pid 2>/dev/null; do   # threads with at least 5 ticks of CPU time
    n=$(cat /proc/$pid/task/*/stat 2>/dev/null | sed 's/.*) //' | awk '$12 >= 5' | wc -l)
    [ "$n" -gt "$busy" ] && busy=$n
    sleep 0.05
done
wait $pid
check "level 4, 3 blocks: -T2 ran two threads that both worked ($busy)" [ "$busy" -ge 2 ]
check "level 4, 3 blocks: -T1 and -T2 outputs identical" cmp -s thr/t1.smx thr/t2.smx
rm -rf thr
"$SMIX" -q -4 -c "$s" > t41.smx
if [ -x "$PORT" ]; then
    "$PORT" -q -T2 -dc t41.smx | cmp -s - "$s"
    check "level 4: smix-portable decodes smix" [ $? -eq 0 ]
fi
# ---------------------------------------------------------------- stored
# Data the model cannot shrink is stored as it is: the output is the header
# plus the input, in one block or two, and decodes with either build.
mkdir -p sto
head -c 30000 /dev/urandom > sto/rand
"$SMIX" -q -c sto/rand > sto/rand.smx
st "random data compresses"
check "random data: at most the 68-byte header added" [ "$(stat -c %s sto/rand.smx)" -le $((30000 + 68)) ]
"$SMIX" -lv sto/rand.smx > sto/l 2>&1
check "-lv says stored" grep -q "stored" sto/l
"$SMIX" -q -dc sto/rand.smx | cmp -s - sto/rand
st "stored round trip"
head -c 600000 /dev/urandom > sto/rand2
"$SMIX" -q -1 --block-size 300K -c sto/rand2 > sto/rand2.smx
check "random data in two blocks: at most the 108-byte header added" [ "$(stat -c %s sto/rand2.smx)" -le $((600000 + 108)) ]
"$SMIX" -q -T2 -dc sto/rand2.smx | cmp -s - sto/rand2
st "two stored blocks round trip"
if [ -x "$PORT" ]; then
    "$PORT" -q -T1 -dc sto/rand2.smx | cmp -s - sto/rand2
    st "two stored blocks: smix-portable decodes"
fi

# ---------------------------------------------------------------- blocks
# In blocks of 256 KiB, 612 KB takes three blocks with a model each; the bits must not
# depend on the threads (-T1 codes them one after the other, -T2 at once),
# the two builds must agree, a trace must cover both blocks in order, and a
# damaged byte in the second block's payload must fail (the payload CRC
# refuses it before any block decodes; test_container and the golden error
# files cover the block table's own checks) and leave no output.
mkdir -p blk
for i in $(seq 24); do cat "$ROOT"/samples/{prose.txt,wordfreq.c,page.html,multilingual.txt}; done > blk/in
B="--block-size 256K"
"$SMIX" -q -1 $B -T1 -c blk/in > blk/t1.smx && "$SMIX" -q -1 $B -T2 -c blk/in > blk/t2.smx
check "two blocks: -T1 and -T2 outputs identical" cmp -s blk/t1.smx blk/t2.smx
check "two blocks: the header says 3" eval '"$SMIX" -lv blk/t1.smx | grep -q "blocks: *3"'
# the block table (offset 64, 20 bytes an entry, the input size first):
# three blocks of a third each (chunk boundaries move them by a few bytes),
# not two of 256 KiB and a short third, which would keep -T2 waiting
sizes=$(for i in 0 1 2; do od -An -tu4 -j $((64 + 20 * i)) -N4 blk/t1.smx; done | tr -s ' \n' ' ')
check "two blocks: three blocks of equal length ($sizes bytes)" eval 'echo $sizes | awk -v n="$(stat -c %s blk/in)" "{ for (i = 1; i <= 3; i++) if (\$i < n / 3 - 64 || \$i > n / 3 + 64) bad = 1; exit bad || \$1 + \$2 + \$3 != n }"'
"$SMIX" -q -T2 -dc blk/t1.smx | cmp -s - blk/in
st "two blocks: -T2 decodes"
"$SMIX" -q -T1 -dc blk/t2.smx | cmp -s - blk/in
st "two blocks: -T1 decodes"
if [ -x "$PORT" ]; then
    "$PORT" -q -1 $B -c blk/in | cmp -s - blk/t1.smx
    st "two blocks: smix-portable output identical"
    "$PORT" -q -T2 -dc blk/t1.smx | cmp -s - blk/in
    st "two blocks: smix-portable decodes"
fi
"$SMIX" -q -1 $B --trace blk/tr.smt -c blk/in > blk/tr.smx
check "two blocks: --trace does not change the output" cmp -s blk/tr.smx blk/t1.smx
"$SMIX" --trace-dump jsonl blk/tr.smt | sed 's/^{"index":\([0-9]*\),"offset":\([0-9]*\),"length":\([0-9]*\),.*/\1 \2 \3/' |
    awk -v n="$(stat -c %s blk/in)" '{ if ($1 != NR - 1 || $2 != at) bad = 1; at = $2 + $3 } END { exit bad || at != n }'
st "two blocks: the trace covers every byte, in order"
size=$(stat -c %s blk/t1.smx)
cp blk/t1.smx blk/bad.smx
printf '\x55' | dd of=blk/bad.smx bs=1 seek=$((size - 20)) conv=notrunc status=none
"$SMIX" -q -T2 -d -o blk/bad.out blk/bad.smx 2>"$T/err"
check "two blocks: a damaged second-block payload fails" [ $? -eq 1 ]
check "two blocks: ... as corrupt data" grep -q "corrupt" "$T/err"
check "two blocks: ... and leaves no output" [ ! -e blk/bad.out ]

run -q --trace tr.smt -c "$s" > tr.smx
[ $? -eq 0 ] && [ -s tr.smt ]; st "--trace writes the trace"
check "--trace does not change the output" cmp -s tr.smx t1.smx
run -q --trace tr2.smt -dc tr.smx > tr.out
[ $? -eq 0 ] && [ -s tr2.smt ] && cmp -s tr.out "$s"; st "--trace on decompression"
run -q --trace tr.smt -c "$s" > /dev/null
check "--trace refuses to overwrite" [ $? -eq 1 ]
"$SMIX" --trace-report tr.smt > rep.out 2>"$T/err"
[ $? -eq 0 ] && [ -s rep.out ]; st "--trace-report"
"$SMIX" --trace-report --json tr.smt > rep.json 2>"$T/err"
[ $? -eq 0 ] && grep -q '{' rep.json; st "--trace-report --json"
"$SMIX" --trace-dump csv tr.smt > dump.csv 2>"$T/err"
[ $? -eq 0 ] && [ "$(wc -l < dump.csv)" -gt 1 ]; st "--trace-dump csv"
"$SMIX" --trace-dump jsonl tr.smt > dump.jsonl 2>"$T/err"
[ $? -eq 0 ] && [ -s dump.jsonl ]; st "--trace-dump jsonl"
run --trace-report bad/text.smx
check "--trace-report on a non-trace fails" [ $? -eq 1 ]
# The trace and the output may not be one file, however it is spelled: the
# trace once ended up under the output's name (and -f replaced it silently).
mkdir -p tsame && cp "$s" tsame/a
run -q --trace tsame/a.smx tsame/a
[ $? -eq 1 ] && [ ! -e tsame/a.smx ]; st "--trace FILE.smx FILE: refused, nothing written"
check "... the message says why" err_has "the trace and the output are the same file"
run -q -f --trace ./tsame/../tsame/x.smx -o tsame/x.smx tsame/a
[ $? -eq 1 ] && [ ! -e tsame/x.smx ]; st "-f --trace X -o X (spelled differently): refused"
"$SMIX" -q -c tsame/a > tsame/a.smx && rm tsame/a
run -q -d --trace tsame/a tsame/a.smx
[ $? -eq 1 ] && [ ! -e tsame/a ]; st "-d --trace FILE FILE.smx: refused, nothing written"
check "... and no temporary files left" no_temp tsame

# ---------------------------------------------------------------- options and messages
run --memlimit 1K -q -c "$s" > ml.smx
check "--memlimit too small fails" [ $? -eq 1 ]
run --memlimit 1Q "$s"
check "bad --memlimit value refused" [ $? -eq 1 ]
run --bogus
check "unknown option exits 1" [ $? -eq 1 ]
run -0 "$s"
check "level 0 refused" [ $? -eq 1 ]
"$SMIX" -h | grep -q Usage
check "-h" [ $? -eq 0 ]
"$SMIX" -V | grep -q "smix [0-9]"
check "-V" [ $? -eq 0 ]
cp in/one.byte q
"$SMIX" -q q 2> q.err
[ $? -eq 0 ] && [ ! -s q.err ]; st "-q prints nothing"
"$SMIX" -v -f q 2> v.err
check "-v prints a summary" grep -q "q: .* -> " v.err
evil=$'evil\e]0;owned\a\e[31m\n.smx'
printf 'junk' > "$evil"
run -d "$evil"
check "bad file with an escape-laden name fails" [ $? -eq 1 ]
check "no control characters reach the terminal" \
    bash -c '! LC_ALL=C grep -q "[[:cntrl:]]" <(tr -d "\n" < "$1")' _ "$T/err"
check "the name is shown escaped" err_has 'evil\\x1B'
if command -v script > /dev/null 2>&1; then
    script -qec "'$SMIX' -c '$T/in/one.byte'" /dev/null > tty.out 2>&1 < /dev/null
    rc=$?
    [ $rc -eq 1 ] && grep -q "terminal" tty.out; st "compressed data to a terminal refused"
    script -qec "'$SMIX' -f -c '$T/in/one.byte' > /dev/null" /dev/null > tty2.out 2>&1 < /dev/null
    check "-f allows a terminal (stdin)" [ $? -eq 0 ]
    script -qec "'$SMIX' -d" /dev/null > tty3.out 2>&1 < /dev/null
    [ $? -eq 1 ] && grep -q "terminal" tty3.out; st "compressed data from a terminal refused"
else
    bad "terminal refusals" "script(1) not found (util-linux)"
fi

# ---------------------------------------------------------------- frames
# Concatenated .smx files decode to the concatenated inputs (as with xz and
# zstd); -l sums them and -lv lists each frame; -t checks every frame; a
# damaged frame is named by its index and nothing from it or after it is
# written; data after the last frame is refused; --trace takes one frame.
mkdir -p fr
cp "$ROOT/samples/prose.txt" fr/a; cp "$ROOT/samples/page.html" fr/b
head -c 700000 blk/in > fr/c
"$SMIX" -q -1 fr/a && "$SMIX" -q -9 fr/b && "$SMIX" -q -1 --block-size 64K fr/c
cat fr/a.smx fr/b.smx fr/c.smx > fr/abc.smx
cat fr/a fr/b fr/c > fr/abc
"$SMIX" -q -dc fr/abc.smx 2>"$T/err" | cmp -s - fr/abc
st "frames: concatenated files decode to the concatenated inputs"
"$SMIX" -q -T2 -dc fr/abc.smx 2>"$T/err" | cmp -s - fr/abc
st "frames: ... with -T2 too"
"$SMIX" -t fr/abc.smx 2>"$T/err"
st "frames: -t accepts them"
"$SMIX" -l fr/abc.smx > fr/l 2>&1
check "frames: -l shows the total original size" grep -q "$(stat -c %s fr/abc | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta')" fr/l
check "frames: -l counts them" grep -q "3 fr" fr/l
"$SMIX" -lv fr/abc.smx > fr/l 2>&1
check "frames: -lv lists each" eval 'grep -q "frames: *3" fr/l && grep -c "^ *frame [0-9]" fr/l | grep -qx 3'
asize=$(stat -c %s fr/a.smx); bsize=$(stat -c %s fr/b.smx)
cp fr/abc.smx fr/bad.smx   # a byte in the middle of the second frame's payload, inverted
# (inverted, not set: a set value can be the byte that is there already)
badoff=$((asize + bsize / 2))
badbyte=$(od -An -tu1 -j "$badoff" -N1 fr/abc.smx | tr -d ' ')
printf "$(printf '\\%03o' $((badbyte ^ 0xFF)))" | dd of=fr/bad.smx bs=1 seek="$badoff" conv=notrunc status=none
check "frames: the damaged copy differs from the original" eval '! cmp -s fr/abc.smx fr/bad.smx'
"$SMIX" -q -d -o fr/bad.out fr/bad.smx 2>"$T/err"
check "frames: a damaged second frame fails" [ $? -eq 1 ]
check "frames: ... named by its index" err_has "frame 2"
check "frames: ... and no output file is left" [ ! -e fr/bad.out ]
# (test_container checks that a block damaged where only decoding sees it
# stops the output at the end of the block before it)
cp fr/abc.smx fr/bad3.smx
printf 'x' >> fr/bad3.smx
"$SMIX" -q -dc fr/bad3.smx > fr/bad3.out 2>"$T/err"
check "frames: data after the last frame fails" [ $? -eq 1 ]
check "frames: ... named as such" err_has "frame 4 (data after the last frame?)"
check "frames: ... and nothing was written to stdout" [ ! -s fr/bad3.out ]
"$SMIX" -q -d --trace fr/t.smt -c fr/abc.smx > /dev/null 2>"$T/err"
check "frames: --trace of several frames is refused" [ $? -eq 1 ]
check "frames: ... saying why" err_has "--trace records one frame"
check "frames: ... and leaves no trace" [ ! -e fr/t.smt ]
head -c 700000 blk/in > fr/big   # over 32 blocks of 16 KiB: two frames
"$SMIX" -q -1 --block-size 16K --trace fr/t.smt -c fr/big > /dev/null 2>"$T/err"
check "frames: --trace of an input longer than a frame is refused" [ $? -eq 1 ]
"$SMIX" -q -1 --block-size 16K -T1 -c fr/big > fr/big1.smx && "$SMIX" -q -1 --block-size 16K -T2 -c fr/big > fr/big2.smx
check "frames: an input of two frames, -T1 and -T2 identical" cmp -s fr/big1.smx fr/big2.smx
"$SMIX" -l fr/big1.smx > fr/l 2>&1
check "frames: ... -l counts 2" grep -q "2 fr" fr/l
"$SMIX" -q -dc fr/big1.smx | cmp -s - fr/big
st "frames: ... round trip"
# Progress on a terminal (script(1) gives smix a pty): the line is redrawn
# in place and shows the percentage, the rate in bytes/s and an ETA.
script -qec "$SMIX -v -1 -f -o fr/prog.smx fr/big" fr/typescript >/dev/null 2>&1 </dev/null
st "progress: -v on a terminal compresses"
check "progress: redrawn with a percentage, B/s and ETA" eval \
    'grep -q $'"'"'\r'"'"' fr/typescript && grep -q "%" fr/typescript && grep -q "B/s" fr/typescript && grep -q "ETA" fr/typescript'

# The scale-out recipe of README: GNU parallel cuts the input into pieces,
# runs one smix per piece (here two local jobs; --sshlogin spreads the same
# command over machines) and -k keeps their outputs in order: the
# concatenation is an smix file of several frames.
if command -v parallel >/dev/null 2>&1; then
    parallel --will-cite --pipe --block 200k -k -j2 "$SMIX" -q -1 -c < fr/big > fr/par.smx 2>"$T/err"
    st "GNU parallel: pieces compress"
    "$SMIX" -q -dc fr/par.smx 2>"$T/err" | cmp -s - fr/big
    st "GNU parallel: the joined output decodes to the input"
    "$SMIX" -l fr/par.smx > fr/l 2>&1
    check "GNU parallel: ... as several frames" eval '! grep -q " 1 fr" fr/l && grep -q "[0-9] fr" fr/l'
else
    bad "GNU parallel is not installed (tools/deps.sh installs it)"
fi
for bad in 1K 15K 65M x; do
    "$SMIX" -q --block-size $bad -c fr/a > /dev/null 2>"$T/err"
    rc=$?
    check "--block-size $bad is refused" eval '[ $rc -eq 1 ] && err_has "block size"'
done

# ---------------------------------------------------------------- --memlimit
# A limit below what the file would need sets an n-gram budget in the header:
# the file still round-trips (the decoder stops learning at the same point),
# -lv shows the budget, and a limit too small for anything is refused.
mkdir -p ml
awk 'BEGIN { srand(7); for (i = 0; i < 90000; i++) printf "w%d ", int(rand() * 30000); }' > ml/in
"$SMIX" -q -2 --memlimit 70M -c ml/in > ml/a.smx 2>"$T/err"
st "--memlimit with a budget compresses"
"$SMIX" -d -c ml/a.smx 2>"$T/err" | cmp -s - ml/in
st "--memlimit budget round-trips"
"$SMIX" -lv ml/a.smx > ml/l 2>&1
check "-lv shows the n-gram budget" grep -q "n-gram memory" ml/l
# in blocks of 300 KiB this input takes two blocks, each with a budget
"$SMIX" -q -1 --block-size 300K --memlimit 100M -c ml/in > ml/c.smx 2>"$T/err"
st "--memlimit with two blocks compresses"
"$SMIX" -lv ml/c.smx > ml/l 2>&1
check "-lv shows two blocks with a budget" eval 'grep -q "blocks: *2" ml/l && grep -q "n-gram memory" ml/l'
"$SMIX" -d -T2 -c ml/c.smx 2>"$T/err" | cmp -s - ml/in
st "two blocks with a budget round-trip"
"$SMIX" -q -1 --memlimit 20M -c ml/in > ml/b.smx 2>"$T/err"
check "--memlimit too small exits 1" [ $? -eq 1 ]
check "--memlimit too small message" err_has "memory limit"

# Decoding needs what the file's level needs: the message says how much and
# does not suggest a lower level (the decoder cannot choose one).
"$SMIX" -q -3 -c "$s" > ml/d.smx
"$SMIX" -q -d --memlimit 40M -c ml/d.smx > /dev/null 2>"$T/err"
check "-d over --memlimit exits 1" [ $? -eq 1 ]
check "-d over --memlimit: says what decoding needs" err_has "decoding this file needs about"
check "-d over --memlimit: no advice to use a lower level" bash -c '! grep -q "lower level" "$1"' _ "$T/err"
# The help must not claim that the output does not depend on --memlimit:
# a budget below the need is recorded in the header and changes the bytes.
"$SMIX" -q -2 -c ml/in > ml/nolimit.smx
check "--memlimit with a budget changes the output" bash -c '! cmp -s ml/a.smx ml/nolimit.smx'
check "-h does not claim the output is independent of --memlimit" \
    bash -c '! "$1" -h | grep -i "never depends" | grep -q memlimit' _ "$SMIX"
check "-h says a budget changes the output" bash -c '"$1" -h | grep -A2 -- --memlimit | grep -q "changes the output"' _ "$SMIX"

# ---------------------------------------------------------------- large and endless inputs
# The input is held in memory: what is too large is refused from its size
# before it is read, an endless input once it passes --memlimit, and a file
# that is not smix from its first bytes. Under a 300 MB address-space cap a
# program that read the input first would fail with "Cannot allocate memory".
mkdir -p big
truncate -s $((6 * 1024 * 1024 * 1024)) big/huge
truncate -s $((1024 * 1024 * 1024)) big/zeros
limited() { ( ulimit -v 300000; "$SMIX" "$@" ) 2>"$T/err"; }
limited -c big/huge > /dev/null
check "sparse 6 GiB: refused" [ $? -eq 1 ]
check "sparse 6 GiB: refused from its size, before reading it" err_has "input too large"
limited -d -c big/huge > /dev/null
check "-d of a sparse 6 GiB file: refused from its size" err_has "input too large"
limited -d -c big/zeros > /dev/null
check "-d of 1 GiB of zeros: refused" [ $? -eq 1 ]
check "-d of 1 GiB of zeros: refused from its first bytes" err_has "not in smix format"
limited -t big/zeros
check "-t of 1 GiB of zeros: refused from its first bytes" err_has "not in smix format"
limited -l big/zeros > /dev/null
check "-l of 1 GiB of zeros: refused from its first bytes" err_has "not in smix format"
limited --memlimit 64M -c big/zeros > /dev/null
check "--memlimit 64M, a 1 GiB file: refused" [ $? -eq 1 ]
check "--memlimit 64M, a 1 GiB file: from its size" err_has "memory limit exceeded: the input (1.00 GiB)"
limited --memlimit 64M -c /dev/zero > /dev/null
check "--memlimit 64M, /dev/zero: refused" [ $? -eq 1 ]
check "--memlimit 64M, /dev/zero: stops reading at the limit" err_has "larger than --memlimit 64.0 MiB"
limited -d -c < /dev/zero > /dev/null
check "-d of /dev/zero on stdin: not in smix format" err_has "not in smix format"
rm -f big/huge big/zeros
# A file shorter than its first frame's header says is refused before
# decoding, from a file or from a pipe; data after the last frame too.
"$SMIX" -q -c in/nonutf8.txt > big/good.smx
head -c 100 big/good.smx > big/short.smx
limited -t big/short.smx
check "a truncated frame: refused as truncated" err_has "truncated"
head -c 100 big/good.smx | limited -d -c > /dev/null
check "a truncated frame through a pipe: truncated" err_has "truncated"
{ cat big/good.smx; printf 'extra'; } | limited -d -c > /dev/null
check "a frame and more bytes through a pipe: refused" [ $? -eq 1 ]
cat big/good.smx | limited -d -c | cmp -s - in/nonutf8.txt
check "a frame through a pipe decodes under the cap" [ $? -eq 0 ]

# ---------------------------------------------------------------- signals
# No leftovers, however many signals arrive and whenever: the temporary
# output and the temporary trace are removed, or both files are complete.
# A ~1.5 MB text at the default level takes a while: interrupt it once its
# temporary files exist. (The second of two quick signals once left the
# trace's temporary file behind.)
mkdir sig
perl -e 'srand(7); @w = map { join "", map { chr(97 + int rand 26) } 1..(2 + int rand 8) } 1..3000;
         $s = ""; while (length $s < 1500000) { $s .= $w[int rand @w] . (rand() < 0.1 ? ".\n" : " ") } print $s' > sig/big
# sig_run NAME WANT_RC SIGNAL [GAP SIGNAL]...: compresses sig/big with a
# trace, sends the signals once its temporary files exist, checks.
sig_run() {
    local name=$1 want=$2 pid seen=0 rc t0 t1
    shift 2
    "$SMIX" -q --trace sig/big.smt sig/big 2>"$T/err" &
    pid=$!
    for _ in $(seq 1 400); do
        if ls -A sig | grep -q '\.smix-' && ls -A sig | grep -q '\.tmp\.'; then seen=1; break; fi
        kill -0 $pid 2>/dev/null || break
        sleep 0.02
    done
    check "$name: the temporary files were seen while it ran" [ $seen = 1 ]
    sleep 0.3
    t0=$(date +%s%N)
    kill -"$1" $pid 2>/dev/null
    shift
    while [ $# -ge 2 ]; do sleep "$1"; kill -"$2" $pid 2>/dev/null; shift 2; done
    for _ in $(seq 1 200); do kill -0 $pid 2>/dev/null || break; sleep 0.02; done
    t1=$(date +%s%N)
    kill -0 $pid 2>/dev/null && kill -KILL $pid
    wait $pid; rc=$?
    check "$name: exit status $want (got $rc)" [ $rc -eq "$want" ]
    check "$name: stopped within 2 s ($(( (t1 - t0) / 1000000 )) ms)" [ $(( t1 - t0 )) -lt 2000000000 ]
    check "$name: no output, no trace, no temporary file" [ "$(ls -A sig)" = big ]
}
sig_run "SIGINT" 130 INT
check "SIGINT: the message says interrupted" err_has "interrupted"
sig_run "SIGTERM" 143 TERM
sig_run "SIGINT twice, 1 ms apart" 130 INT 0.001 INT
sig_run "SIGINT twice, 10 ms apart" 130 INT 0.01 INT
sig_run "SIGINT then SIGTERM, 50 ms apart" 130 INT 0.05 TERM
sig_run "SIGINT three times" 130 INT 0.005 INT 0.005 INT

# Signals at random moments of short runs, from before the temporary files
# exist to after the outputs are in place: either nothing is left, or the
# output and the trace are both there and complete.
head -c 60000 sig/big > sig/small
head -c 150000 sig/big > sig/d9
rm -f sig/big
odd=""
for i in $(seq 1 16); do
    "$SMIX" -q -1 --trace sig/s.smt sig/small 2>/dev/null &
    pid=$!
    sleep "0.$(( RANDOM % 25 ))"
    kill -INT $pid 2>/dev/null
    [ $((i % 2)) = 0 ] && { sleep "0.0$(( RANDOM % 10 ))"; kill -TERM $pid 2>/dev/null; }
    wait $pid
    left=$(ls -A sig | grep -v -e '^small$' -e '^d9$' | LC_ALL=C sort | tr '\n' ' ')
    case "$left" in
    "") ;;
    "s.smt small.smx ")
        "$SMIX" -q -dc sig/small.smx | cmp -s - sig/small && "$SMIX" --trace-report sig/s.smt >/dev/null 2>&1 ||
            odd="$odd [run $i: incomplete outputs]" ;;
    *) odd="$odd [run $i: $left]" ;;
    esac
    rm -f sig/small.smx sig/s.smt
done
check "signals at random moments: nothing or everything, never a temporary file${odd:+ ($odd)}" [ -z "$odd" ]

# Decoding at the slowest configuration a header may ask for (level 9's
# model) still sees SIGINT at once.
"$SMIX" -q -9 -c sig/d9 > sig/d9.smx
"$SMIX" -q -T1 -d -c sig/d9.smx > /dev/null 2>"$T/err" &
pid=$!
sleep 0.5
t0=$(date +%s%N)
kill -INT $pid 2>/dev/null
for _ in $(seq 1 100); do kill -0 $pid 2>/dev/null || break; sleep 0.01; done
t1=$(date +%s%N)
kill -0 $pid 2>/dev/null && kill -KILL $pid
wait $pid; rc=$?
check "level 9 decoding: SIGINT stops it (exit $rc)" [ $rc -eq 130 ]
check "level 9 decoding: within a second ($(( (t1 - t0) / 1000000 )) ms)" [ $(( t1 - t0 )) -lt 1000000000 ]
# and a header asking for more than any level (the bomb that ignored SIGINT
# for minutes) is refused before decoding
if [ -x "$ROOT/build/forge" ]; then
    "$ROOT/build/forge" smx sig/d9.smx sig/bomb.smx byte 9 8 byte 10 128 byte 11 64 byte 12 252 \
        byte 13 8 byte 14 1 byte 15 32 byte 16 32 byte 17 32
    run -t sig/bomb.smx
    check "a model beyond every level is refused as corrupt" err_has "corrupt"
else
    bad "a model beyond every level" "build/forge not built (make all builds it)"
fi

cd "$ROOT"
finish
