#!/bin/sh
# run.sh - the simulations behind docs/model.md's session-4 figures on
# escapes and new-token ids. They replay the token stream of a level-3
# trace of FILE (its tokens do not depend on the model) in Python 3, a
# developer's tool only: nothing in the build or the tests needs it.
#
# Usage: tools/sim/run.sh FILE     (after make; about 3 minutes on 1 MB)
set -eu
cd "$(dirname "$0")/../.."
[ $# -eq 1 ] || { echo "usage: tools/sim/run.sh FILE" >&2; exit 2; }
command -v python3 >/dev/null || { echo "run.sh: needs python3 (apt-get install python3)" >&2; exit 1; }
[ -x build/smix ] && [ -f build/libsmix.a ] || { echo "run.sh: run make first" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -O2 -Iengine tools/sim/vocab_dump.c build/libsmix.a -lm -fopenmp -o "$tmp/vocab_dump"
"$tmp/vocab_dump" >"$tmp/vocab"
build/smix -q -3 -c --trace="$tmp/t.smt" "$1" >/dev/null
build/smix --trace-dump csv "$tmp/t.smt" | python3 -c '
import csv, sys
r = csv.reader(sys.stdin)
h = next(r)
i, x, n = h.index("token_id"), h.index("text_hex"), h.index("is_new")
for row in r:
    print(row[i], row[x], row[n])' >"$tmp/tokens"
sim="python3 tools/sim"
$sim/escapes.py "$tmp/tokens" "$tmp/vocab"
$sim/newid_tree.py "$tmp/tokens" "$tmp/vocab" tree
$sim/newid_tree.py "$tmp/tokens" "$tmp/vocab" mix
for ob in "2 1" "4 0" "4 0.5" "4 1" "6 0.5"; do
    # shellcheck disable=SC2086
    $sim/newid_bytes.py "$tmp/tokens" "$tmp/vocab" $ob
done
