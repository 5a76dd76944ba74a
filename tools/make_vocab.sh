#!/bin/sh
# make_vocab.sh - regenerates engine/vocab_data.c, smix's built-in BPE vocabulary.
#
# Usage: tools/make_vocab.sh TRAINER [OUT.c] [ENTRIES]   (normally via `make vocab`)
#
# 1. Installs the Debian packages holding the training text if missing
#    (dict-gcide dict-jargon dict-devil dict-foldoc python3-doc; needs root).
# 2. Extracts plain text from them, deterministically (fixed file order,
#    LC_ALL=C, fixed sampling), into build/vocab/*.txt (~27 MB).
# 3. Runs the trainer (tools/vocab_train.c) on it.
# Sources and licences: docs/vocab.md. None of them is a benchmark file.
set -eu
export LC_ALL=C

TRAINER=${1:?usage: make_vocab.sh TRAINER [OUT.c] [ENTRIES]}
OUT=${2:-engine/vocab_data.c}
ENTRIES=${3:-32768}
DIR=build/vocab
PKGS="dict-gcide dict-jargon dict-devil dict-foldoc python3-doc"

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "make_vocab: installing$missing"
    if [ "$(id -u)" != 0 ]; then
        echo "make_vocab: need root to install:$missing" >&2
        exit 1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing >/dev/null
fi

DICT=/usr/share/dictd
PYDOC=$(ls -d /usr/share/doc/python3*/html 2>/dev/null | sort | tail -n 1)
[ -d "$PYDOC" ] || { echo "make_vocab: python3 html docs not found" >&2; exit 1; }
mkdir -p "$DIR"

# Dictionaries: drop the dictd indentation (plain prose has none); for GCIDE
# also drop the source tags ("[1913 Webster]") and the syllabified headword
# (\Co*ag"u*late\), and keep every 4th entry (~8 MB of its 40 MB).
zcat "$DICT/gcide.dict.dz" |
    sed -e 's/^ *//' -e '/^\[[^]]*\]$/d' -e 's/ \\[^\\]*\\,*//' -e 's/ *\[1913 Webster\]//' |
    awk 'BEGIN { RS = ""; ORS = "\n\n" } NR % 4 == 1' > "$DIR/gcide.txt"
for d in foldoc jargon devil; do
    zcat "$DICT/$d.dict.dz" | sed -e 's/^ *//'
done > "$DIR/dicts.txt"
cat /usr/share/common-licenses/GPL-3 /usr/share/common-licenses/LGPL-2.1 \
    /usr/share/common-licenses/GFDL-1.3 /usr/share/common-licenses/Apache-2.0 \
    /usr/share/common-licenses/MPL-2.0 > "$DIR/licenses.txt"

# Python documentation: the main body of every 6th HTML page (markup and
# prose, no navigation boilerplate), and every 3rd reStructuredText source.
(cd "$PYDOC" && find . -name '*.html' | sort | awk 'NR % 6 == 1') |
    while read -r f; do
        awk '/<div class="body" role="main">/ { p = 1 } /<div class="sphinxsidebar"/ { p = 0 } p' "$PYDOC/$f"
    done > "$DIR/pyhtml.txt"
(cd "$PYDOC/_sources" && find . -type f -name '*.txt' | sort | awk 'NR % 3 == 1') |
    while read -r f; do cat "$PYDOC/_sources/$f"; done > "$DIR/pyrst.txt"

wc -c "$DIR"/gcide.txt "$DIR"/dicts.txt "$DIR"/licenses.txt "$DIR"/pyhtml.txt "$DIR"/pyrst.txt
"$TRAINER" -n "$ENTRIES" -o "$OUT" \
    "$DIR/gcide.txt" "$DIR/dicts.txt" "$DIR/licenses.txt" "$DIR/pyhtml.txt" "$DIR/pyrst.txt"
echo "make_vocab: wrote $OUT ($(wc -c < "$OUT") bytes)"
