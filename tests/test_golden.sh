#!/usr/bin/env bash
# test_golden.sh - frames made by earlier builds must still decode, damaged
# files must be refused.
#
# tests/golden/decode/v<N>-*.smx decode byte-exact (SHA-256 and size in the
# .sha256 next to each) with build/smix and build/smix-portable; if format N
# is no longer read, the decoder must instead exit 1 saying the file is from
# an older format. Every tests/golden/errors/* must fail with exit 1, a
# one-line message, and leave no output file. Files are made by
# tools/make_golden.sh; fresh encoder output is never compared here.
# Env: SMIX (default build/smix), SMIX_PORTABLE (default build/smix-portable).
set -u
cd "$(dirname "$0")/.." || exit 1
SMIX=${SMIX:-build/smix}
PORT=${SMIX_PORTABLE:-build/smix-portable}
G=tests/golden
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); [ -s "$tmp/err" ] && sed 's/^/    /' "$tmp/err" | head -n 3; }

# The golden files are part of the repository: none at all is a failure.
ls $G/decode/*.smx >/dev/null 2>&1 || { echo "FAIL no golden files in $G/decode (tools/make_golden.sh)"; echo "0 passed, 1 failed"; exit 1; }
ls $G/errors/* >/dev/null 2>&1 || { echo "FAIL no golden error files in $G/errors"; echo "0 passed, 1 failed"; exit 1; }
[ -x "$SMIX" ] || { echo "FAIL $SMIX not built"; echo "0 passed, 1 failed"; exit 1; }
ver=$(sed -n 's/^#define SMIX_FORMAT_VERSION \([0-9]*\).*/\1/p' engine/smix.h)
bins=("$SMIX")
if [ "$SMIX" = build/smix ] && [ -x "$PORT" ]; then bins+=("$PORT"); fi

for f in $G/decode/*.smx; do
    name=$(basename "$f" .smx)
    fver=${name#v}; fver=${fver%%-*}
    read -r want_sum want_size <"${f%.smx}.sha256"
    for bin in "${bins[@]}"; do
        tag="$name ($(basename "$bin"))"
        "$bin" -q -d -c "$f" >"$tmp/out" 2>"$tmp/err"
        rc=$?
        if [ "$fver" != "$ver" ]; then
            # A format this build no longer reads: refused with a clear message.
            if [ $rc -eq 0 ] && [ "$(sha256sum <"$tmp/out" | cut -d' ' -f1)" = "$want_sum" ]; then
                ok "decodes $tag (format $fver, still read)"
            elif [ $rc -eq 1 ] && grep -qi 'older' "$tmp/err"; then
                ok "refuses $tag: older format"
            else
                bad "$tag: format $fver neither decoded nor refused as older (exit $rc)"
            fi
            continue
        fi
        got_sum=$(sha256sum <"$tmp/out" | cut -d' ' -f1)
        got_size=$(stat -c %s "$tmp/out")
        if [ $rc -eq 0 ] && [ "$got_sum" = "$want_sum" ] && [ "$got_size" = "$want_size" ]; then
            ok "decodes $tag byte-exact"
        else
            bad "decodes $tag (exit $rc, $got_size bytes, want $want_size)"
        fi
    done
    if "$SMIX" -q -t "$f" 2>"$tmp/err" || [ "$fver" != "$ver" ]; then
        ok "test mode accepts $name"
    else
        bad "test mode accepts $name"
    fi
done

# Files of the format this build writes must be among them, or a change to
# the current format would go unchecked (tools/make_golden.sh makes them).
if ls $G/decode/v"$ver"-*.smx >/dev/null 2>&1; then
    ok "golden files of the current format ($ver) are present"
else
    bad "no golden file of the current format $ver (run tools/make_golden.sh)"
fi

for f in $G/errors/*; do
    name=$(basename "$f")
    rm -f "$tmp/out"
    "$SMIX" -d -o "$tmp/out" "$f" 2>"$tmp/err" </dev/null
    rc=$?
    lines=$(wc -l <"$tmp/err")
    if [ $rc -eq 1 ] && [ ! -e "$tmp/out" ] && [ "$lines" -ge 1 ]; then
        ok "rejects $name"
    else
        bad "rejects $name (exit $rc, $lines message lines$([ -e "$tmp/out" ] && echo ', output left'))"
    fi
    "$SMIX" -d -c "$f" >/dev/null 2>"$tmp/err"
    rc=$?
    [ $rc -eq 1 ] && ok "rejects $name to stdout" || bad "rejects $name to stdout (exit $rc)"
    "$SMIX" -t "$f" 2>"$tmp/err"
    rc=$?
    [ $rc -eq 1 ] && ok "test mode rejects $name" || bad "test mode rejects $name (exit $rc)"
    case $name in
    future-version*)
        grep -qi 'newer' "$tmp/err" && ok "$name says newer" || bad "$name message should say newer" ;;
    older-version*)
        grep -qi 'older' "$tmp/err" && ok "$name says older" || bad "$name message should say older" ;;
    esac
done

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
