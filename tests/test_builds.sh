#!/usr/bin/env bash
# test_builds.sh - another compiler builds smix and writes the same bytes.
#
# `make CC=clang` must build (the SSM's vectoriser flags are GCC's; clang
# gets what it understands), and the clang build must write exactly the
# bytes build/smix writes, at levels with and without the state space model,
# and decode build/smix's files. clang is a test dependency (tools/deps.sh),
# so a missing clang is a failure, not a skip.
#
# Run from the repo root after `make`: bash tests/test_builds.sh
# Env: SMIX (default build/smix), CLANG (default clang).
set -u
cd "$(dirname "$0")/.." || exit 1
SMIX=${SMIX:-build/smix}
CLANG=${CLANG:-clang}
B=build/clang

pass=0 fail=0
ok()  { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1${2:+ ($2)}"; fail=$((fail + 1)); }
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; }

[ -x "$SMIX" ] || { bad "setup" "$SMIX is not built"; finish; exit 1; }
command -v "$CLANG" >/dev/null 2>&1 || { bad "setup" "$CLANG not found (make deps installs it)"; finish; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/smix-builds.XXXXXX")
trap 'rm -rf "$T"' EXIT

if make -s -j2 CC="$CLANG" B=$B $B/smix >"$T/make.log" 2>&1; then
    ok "make CC=$CLANG builds smix"
else
    bad "make CC=$CLANG builds smix" "$(grep -m 3 -i error "$T/make.log")"
    finish; exit 1
fi
check_warnings() { ! grep -q 'warning:' "$T/make.log"; }
if check_warnings; then ok "no compiler warnings"; else bad "no compiler warnings" "$(grep -m 3 warning: "$T/make.log")"; fi

# Levels 1 (n-grams), 3 (the default: bitwise coding with the byte model)
# and 5 (the state space model), on text and binary samples.
for f in samples/prose.txt samples/records.bin samples/multilingual.txt; do
    for l in 1 3 5; do
        b=${f##*/}
        "$SMIX" -q -$l -T2 -c "$f" >"$T/gcc.smx" 2>"$T/err"
        $B/smix -q -$l -T2 -c "$f" >"$T/clang.smx" 2>>"$T/err"
        if cmp -s "$T/gcc.smx" "$T/clang.smx" && [ -s "$T/gcc.smx" ]; then
            ok "$b -$l: clang and gcc builds write the same bytes"
        else
            bad "$b -$l: clang and gcc builds write the same bytes" "$(head -c 200 "$T/err")"
        fi
        $B/smix -q -d -c "$T/gcc.smx" | cmp -s - "$f"
        if [ $? -eq 0 ]; then ok "$b -$l: clang decodes gcc"; else bad "$b -$l: clang decodes gcc"; fi
    done
done
finish
