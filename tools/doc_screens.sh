#!/usr/bin/env bash
# doc_screens.sh - regenerate the screens shown in docs/tui.md and
# docs/viewer.md from the current build: text captures of smix-tui
# (--dump-screen) and of smix-view (--dump-screen), and the PNGs in
# docs/img/ (smix-view --screenshot). Each capture replaces the code block
# between "<!-- capture:NAME -->" and "<!-- /capture -->" in the docs.
#
# Usage (repo root, after make): bash tools/doc_screens.sh
# Inputs are the repo's own samples, so anyone can run it.
set -eu
cd "$(dirname "$0")/.."
export LANG=C.UTF-8 LC_ALL=C.UTF-8 SDL_VIDEODRIVER=offscreen
T=$(mktemp -d "${TMPDIR:-/tmp}/doc_screens.XXXXXX")
trap 'rm -rf "$T"' EXIT

build/smix -q -5 -f --trace "$T/prose.smt" -o "$T/p5.smx" samples/prose.txt
build/smix -q -5 -f --trace "$T/prose-saved.smt" --trace-saved -o "$T/p5s.smx" samples/prose.txt
build/smix -q -1 -f --trace "$T/p1.smt" -o "$T/p1.smx" samples/prose.txt
build/smix -q -5 -f --trace "$T/multilingual.smt" -o "$T/m5.smx" samples/multilingual.txt
build/smix --trace-dump csv "$T/prose.smt" > "$T/prose.csv"
# a token the model did not expect: another token was its favourite
J=$(python3 - "$T/prose.csv" <<'PY'
import csv, sys
for r in csv.DictReader(open(sys.argv[1], newline='')):
    if r['is_new'] == '0' and r['is_fav'] == '0' and float(r['bits']) > 9 and r['type'] == 'word':
        print(r['index']); break
PY
)

cap() {  # cap NAME CMD...: the command's screen, for the docs
    local name=$1
    shift
    (cd "$T" && "$@") > "$T/$name.txt"
}
tui=$PWD/build/smix-tui
view=$PWD/build/smix-view
cap tui-main "$tui" --dump-screen - --size 120x36 --teach --keys ":$J<Enter>" prose.smt
cap tui-small "$tui" --dump-screen - --size 80x24 --teach --keys ":$J<Enter>" prose.smt
cap tui-summary "$tui" --dump-screen - --size 130x50 --keys s prose.smt
cap tui-table "$tui" --dump-screen - --size 110x20 --keys to prose-saved.smt
cap tui-range "$tui" --dump-screen - --size 130x34 --keys ':150<Enter>m:420<Enter>v' prose-saved.smt
cap view-text "$view" --dump-screen - --size 1280x800 --at "$J" prose.smt
"$view" --screenshot docs/img/viewer.png --size 1280x800 --at "$J" --mouse 200,205 "$T/prose.smt"
"$view" --screenshot docs/img/viewer-compare.png --size 1280x800 --at "$J" "$T/p1.smt" "$T/prose.smt"
"$view" --screenshot docs/img/viewer-projector.png --projector --size 1280x800 --keys ':500<Enter>zz' "$T/prose.smt"
"$view" --screenshot docs/img/viewer-small.png --size 640x480 --at 30 "$T/multilingual.smt"

python3 - "$T" "$J" docs/tui.md docs/viewer.md <<'PY'
import re, sys
tmp, j, docs = sys.argv[1], sys.argv[2], sys.argv[3:]
for doc in docs:
    s = open(doc).read()
    def put(m):
        body = open('%s/%s.txt' % (tmp, m.group(1))).read().rstrip('\n')
        return '<!-- capture:%s -->\n```\n%s\n```\n<!-- /capture -->' % (m.group(1), body)
    s = re.sub(r'<!-- capture:([a-z-]+) -->.*?<!-- /capture -->', put, s, flags=re.S)
    s = re.sub(r'(<!-- token -->)[0-9]+', r'\g<1>' + j, s)
    open(doc, 'w').write(s)
print('token', j)
PY
