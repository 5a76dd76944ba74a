#!/bin/sh
# bigtext.sh - builds a large text input for the scaling benchmark and the
# long tests, from files that are on the machine: never downloaded.
#
#   sh tools/bigtext.sh MB OUT [CORPUS_DIR]
#
# OUT gets exactly MB * 1,000,000 bytes: the unpacked benchmark corpus
# (CORPUS_DIR, default build/corpus: enwik8_3M first, then the other text
# files), then Debian-packaged text in a fixed order: Python's standard
# library sources, the manual pages (uncompressed), the C headers in
# /usr/include. Each source's files are taken in C-locale sorted order, so
# the same machine always gives the same bytes. Only when all of that is
# shorter than MB does it start again from the beginning (and says so, since
# repeats are easy to compress). The last line printed is OUT's SHA-256, for
# the record in docs/BENCHMARKS.md.
set -eu
mb=${1:?usage: bigtext.sh MB OUT [CORPUS_DIR]}
out=${2:?usage: bigtext.sh MB OUT [CORPUS_DIR]}
corpus=${3:-build/corpus}
want=$((mb * 1000000))
export LC_ALL=C

sources() {
    for f in enwik8_3M canterbury_large/bible.txt canterbury_large/world192.txt \
             calgary/book1 calgary/book2 calgary/news calgary/paper1 calgary/paper2 \
             calgary/bib calgary/progc calgary/progl calgary/progp calgary/trans \
             canterbury/alice29.txt canterbury/lcet10.txt canterbury/plrabn12.txt \
             canterbury/asyoulik.txt canterbury/cp.html canterbury/fields.c; do
        [ -f "$corpus/$f" ] && cat "$corpus/$f"
    done
    for d in /usr/lib/python3*; do
        [ -d "$d" ] && find "$d" -name '*.py' -type f | sort | xargs -r cat
    done
    [ -d /usr/share/man ] && find /usr/share/man -name '*.gz' -type f | sort | xargs -r zcat 2>/dev/null
    [ -d /usr/include ] && find /usr/include -name '*.h' -type f | sort | xargs -r cat
    return 0
}

tmp="$out.part.$$"
trap 'rm -f "$tmp"' EXIT INT TERM
: >"$tmp"
round=0
while [ "$(stat -c %s "$tmp")" -lt "$want" ]; do
    before=$(stat -c %s "$tmp")
    sources 2>/dev/null | head -c $((want - before)) >>"$tmp"
    [ "$(stat -c %s "$tmp")" -gt "$before" ] || { echo "bigtext: no source text found" >&2; exit 1; }
    round=$((round + 1))
    [ $round -gt 1 ] && echo "bigtext: the sources were too short; round $round repeats them" >&2
done
mv "$tmp" "$out"
trap - EXIT INT TERM
sha256sum "$out" | cut -d' ' -f1
