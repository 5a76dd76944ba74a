#!/usr/bin/env bash
# test_views.sh - smix-tui, smix-view and the CLI say the same things about
# the same trace: they share one view model (traceview/), and this suite
# reads their screens (smix-tui --dump-screen, smix-view --dump-screen, the
# text of what each draws) to check it: token numbers, jumps, search, the
# costly-token jump, the explain sentence and the per-component figures of a
# known token (against the CSV), the key help, text in other scripts, CR LF,
# small screens, the teaching level. Run from the repo root after `make`.
set -u
cd "$(dirname "$0")/.." || exit 1

TUI=build/smix-tui
V=build/smix-view
SMIX=build/smix
pass=0
fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
ko() { echo "FAIL $1${2:+: $2}"; fail=$((fail + 1)); }
check() { local name=$1; shift; if "$@"; then ok "$name"; else ko "$name"; fi; }
T=$(mktemp -d "${TMPDIR:-/tmp}/test_views.XXXXXX")
trap 'rm -rf "$T"' EXIT
export LANG=C.UTF-8 LC_ALL=C.UTF-8 SDL_VIDEODRIVER=offscreen

for p in "$TUI" "$V" "$SMIX"; do
    [ -x "$p" ] || { echo "FAIL setup: $p not built"; echo "0 passed, 1 failed"; exit 1; }
done
command -v python3 > /dev/null || { echo "FAIL setup: python3 missing"; echo "0 passed, 1 failed"; exit 1; }

tui() { "$TUI" --dump-screen - "$@" 2> "$T/err"; }
sdl() { "$V" --dump-screen - "$@" 2> "$T/err"; }

# ---- a trace with the SSM (level 5) of the prose sample
$SMIX -q -5 -f --trace "$T/p.smt" -o "$T/p.smx" samples/prose.txt
$SMIX --trace-dump csv "$T/p.smt" > "$T/p.csv"
N=$(($(wc -l < "$T/p.csv") - 1))

# The costliest token by the CLI report: its index, in both viewers.
I=$($SMIX --trace-report "$T/p.smt" | awk '/^Costliest tokens/ { getline; getline; print $1; exit }')
check "the report names the costliest token ($I)" [ -n "$I" ]
tui --size 120x40 --keys ":$I<Enter>" "$T/p.smt" > "$T/t.txt"
sdl --size 1280x800 --keys ":$I<Enter>" "$T/p.smt" > "$T/s.txt"
sdl --size 1280x800 --at "$I" "$T/p.smt" > "$T/s_at.txt"
check "smix-tui :$I shows #$I of $N" grep -q "#$I of $N " "$T/t.txt"
check "smix-view :$I shows #$I of $N" grep -q "#$I of $N " "$T/s.txt"
check "smix-view --at $I is the same frame as :$I" cmp -s "$T/s.txt" "$T/s_at.txt"
# the token's text, as the CSV has it, in both titles
title=$(python3 - "$T/p.csv" "$I" <<'PY'
import csv, sys
r = list(csv.DictReader(open(sys.argv[1], newline=''), ))[int(sys.argv[2])]
print("#%s '%s'" % (r['index'], r['text']))
PY
)
check "smix-tui title is $title" grep -qF "$title" "$T/t.txt"
check "smix-view title is $title" grep -qF "$title" "$T/s.txt"

# w (the top 1% by bits) lands on the same token in both
a=$(tui --keys w "$T/p.smt" | grep -o '#[0-9]* of' | tail -1)
b=$(sdl --keys w "$T/p.smt" | grep -o '#[0-9]* of' | tail -1)
check "w lands on the same token in both ($a, $b)" [ -n "$a" -a "$a" = "$b" ]

# ---- search: smart case, the same hit in both
printf 'one Zebra two zebra three ZEBRA four zebras\n' > "$T/z.txt"
$SMIX -q -1 -f --trace "$T/z.smt" -o "$T/z.smx" "$T/z.txt"
off_of() { grep -o '#[0-9]* of [0-9]*  off [0-9]*' | tail -1 | sed 's/.*off //'; }
for pat in zebra Zebra ZEBRA zebras; do
    want=$(python3 -c "import sys,re; t=open(sys.argv[1]).read(); p=sys.argv[2]; \
print(re.search(re.escape(p), t, 0 if any(c.isupper() for c in p) else re.I).start())" "$T/z.txt" "$pat")
    ta=$(tui --keys "/$pat<Enter>" "$T/z.smt" | off_of)
    sa=$(sdl --keys "/$pat<Enter>" "$T/z.smt" | off_of)
    # the token holding the match's first byte starts at or before it
    check "/$pat: the same token in both (off $ta, $sa)" [ -n "$ta" -a "$ta" = "$sa" ]
    check "/$pat: smart case finds byte $want (token at $ta)" [ -n "$ta" ] && [ "$ta" -le "$want" ] && [ $((want - ta)) -lt 8 ]
done

# ---- the explain sentence and the component rows of a known token
# A token the model did not expect (another token was the favourite):
# the figures on screen must be the CSV's.
J=$(python3 - "$T/p.csv" <<'PY'
import csv, sys
for r in csv.DictReader(open(sys.argv[1], newline='')):
    if r['is_new'] == '0' and r['is_fav'] == '0' and r['fav_id'] not in ('4294967295', '4294967294') \
       and float(r['bits']) > 6:
        print(r['index']); break
PY
)
check "a token with another favourite exists ($J)" [ -n "$J" ]
tui --size 160x60 --teach --keys ":$J<Enter>" "$T/p.smt" > "$T/tj.txt"
sdl --size 1400x900 --keys ":$J<Enter>" "$T/p.smt" > "$T/sj.txt"
python3 - "$T/p.csv" "$J" "$T/tj.txt" "$T/sj.txt" > "$T/why.out" <<'PY'
import csv, math, sys, re
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
r = rows[int(sys.argv[2])]
comps = [k[2:] for k in r if k.startswith('c_')]
ln2 = math.log(2)
m = {c: (float(r['c_' + c]) / ln2, float(r['fav_c_' + c]) / ln2) for c in comps}
top = max(comps, key=lambda c: abs(m[c][0] - m[c][1]))
t, f = m[top]
row = "%-8s %+6.2f %+6.2f %+6.2f" % (top, t, f, t - f)
lead = (float(r['fav_logit']) - float(r['logit'])) / ln2
bits = float(r['bits'])
sent = "#%s '%s' cost %.2f bits: the model expected '%s'" % (r['index'], r['text'], bits, r['fav_text'])
for name in sys.argv[3:]:
    scr = open(name).read()
    flat = re.sub(r'\s+', ' ', scr)
    print("row", name, re.sub(r'\s+', ' ', row) in re.sub(r' +', ' ', scr))
    print("lead", name, ("lead of %.1f bits" % lead) in flat)
    print("sentence", name, sent in flat)
    print("cost", name, ("%.2f bits = token model" % bits) in flat)
PY
while read -r what file res; do
    check "token $J: the $what on $(basename "$file") agrees with the CSV" [ "$res" = True ]
done < "$T/why.out"

# ---- both help screens come from one key table
tui --size 100x50 --keys '?' "$T/p.smt" > "$T/th.txt"
sdl --size 1280x900 --keys '?' "$T/p.smt" > "$T/sh.txt"
for h in "jump: 123 token number (from 0)" "next costliest token (top 1% by bits)" \
         "search the text (smart case)" "timeline: zoom in"; do
    check "help of both viewers: '$h'" bash -c "grep -qF '$h' '$T/th.txt' && grep -qF '$h' '$T/sh.txt'"
done

# ---- text in other scripts, CR LF
$SMIX -q -5 -f --trace "$T/m.smt" -o "$T/m.smx" samples/multilingual.txt
tui --size 200x30 "$T/m.smt" > "$T/tm.txt"
sdl --size 1280x800 "$T/m.smt" > "$T/sm.txt"
for s in "Τρία σύντομα κείμενα" "三つの短い文章" "zwölf Jahren"; do
    check "smix-tui draws '$s'" grep -qF "$s" "$T/tm.txt"
    check "smix-view draws '$s'" grep -qF "$s" "$T/sm.txt"
done
check "multilingual: no \\x escapes in smix-view's text" bash -c "! head -12 '$T/sm.txt' | cut -c1-70 | grep -q '\\\\x'"
printf 'line one\r\nline two\r\nline three\r\n' > "$T/crlf.txt"
$SMIX -q -1 -f --trace "$T/c.smt" -o "$T/c.smx" "$T/crlf.txt"
check "CR LF: smix-tui shows one line end, no \\r" bash -c "tui() { $TUI --dump-screen - \"\$@\"; }; ! tui '$T/c.smt' | grep -qF '\\r'"
check "CR LF: smix-view shows one line end, no \\r" bash -c "! $V --dump-screen - '$T/c.smt' | head -6 | grep -qF '\\r'"

# ---- no raw control bytes on any screen
printf 'safe \033[2J\033]0;pwned\007 \x9b31m bad\xff c1:\xc2\x9b rtl:\xe2\x80\xae end\r\n' > "$T/h.txt"
$SMIX -q -1 -f --trace "$T/h.smt" -o "$T/h.smx" "$T/h.txt"
for k in "" s e '?' t ta mGv cccc; do
    tui --size 100x30 --keys "$k" "$T/h.smt" > "$T/hx.txt"
    sdl --size 1000x700 --keys "$k" "$T/h.smt" > "$T/hs.txt"
    for f in hx hs; do
        check "hostile, keys '$k': no control bytes in $f" \
            bash -c "! LC_ALL=C grep -aqP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]' '$T/$f.txt'"
    done
done

# ---- small screens: every row fits, the essentials are there
for size in 80x24 60x20; do
    w=${size%x*}
    tui --size "$size" --teach --keys ":$I<Enter>" "$T/p.smt" > "$T/small.txt"
    check "smix-tui $size: no row wider than $w" \
        bash -c "[ \$(python3 -c 'import sys; print(max(len(l.rstrip(\"\\n\")) for l in open(sys.argv[1])))' '$T/small.txt') -le $w ]"
    check "smix-tui $size: status and title" bash -c "grep -q '#$I of $N' '$T/small.txt' && grep -qF \"$title\" '$T/small.txt'"
    # the detail pane is there and whole, with and without the explain
    # sentence: its title on the rule, the cost, the rival and the SSM lines
    # (wrapped, not cut), the component heading and a component; the rows
    # that do not fit are counted on the rule and reached by scrolling (})
    for teach in --teach ""; do
        tui --size "$size" $teach --keys ":$I<Enter>" "$T/p.smt" > "$T/sd.txt"
        tui --size "$size" $teach --keys ":$I<Enter>$(printf '}%.0s' $(seq 60))" "$T/p.smt" > "$T/sd_end.txt"
        tui --size "$size" $teach --keys ":$I<Enter>$(printf '}%.0s' $(seq 60)){" "$T/p.smt" > "$T/sd_back.txt"
        python3 - "$T/p.csv" "$I" "$T/sd.txt" "$T/sd_end.txt" "$T/sd_back.txt" > "$T/sd.out" <<'PY'
import csv, re, sys
r = list(csv.DictReader(open(sys.argv[1], newline='')))[int(sys.argv[2])]
def band(name):
    lines = open(name).read().split('\n')
    top = next((i for i, l in enumerate(lines) if l.startswith('\u2500')), None)   # the rule over the band
    if top is None: return None, ''
    end = next(i for i in range(top, len(lines)) if lines[i].startswith('bits  0'))
    return lines[top], re.sub(r'\s+', ' ', ' '.join(lines[top + 1:end]))
rule, body = band(sys.argv[3])
print('title', ("#%s '%s'" % (r['index'], r['text'])) in (rule or '') + body[:60])
more = re.search(r' (\d+) more: \}', rule or '')
print('rows_below_counted', more is not None)
want = ['%.2f bits = token model' % float(r['bits']),
        ('expected: \'%s\' at' % r['fav_text']) if r['is_fav'] == '0' else 'runner-up',
        'entropy %.2f bits' % float(r['entropy']), 'bits: token rival margin']
if r['is_new'] == '1':   # the id tree's own cost: the id step, or new_walk's token-model share
    want.append('+ id %.2f' % float(r['bits_id'] if r.get('bits_id') else r['tm_new_walk']))
for w in want: print('whole:' + w.replace(' ', '_'), w in body)
rule2, body2 = band(sys.argv[4])
print('scrolled_to_the_end', rule2 is not None and re.search(r' %s above: \{' % more.group(1) if more else 'x', rule2) is not None
      and ('longest context seen' in body2 or 'no n-gram context' in body2))
rule3, body3 = band(sys.argv[5])
print('one_back_up', rule3 is not None and ' 1 more: } {' in rule3)
PY
        while read -r what res; do
            check "smix-tui $size ${teach:-(no explain)}: detail pane ${what//_/ }" [ "$res" = True ]
        done < "$T/sd.out"
    done
done
for size in 640x480 800x600; do
    sdl --size "$size" --keys ":$I<Enter>" "$T/p.smt" > "$T/small.txt"
    check "smix-view $size: status, title, cost line and explain sentence" \
        bash -c "grep -q '#$I of $N' '$T/small.txt' && grep -qF \"$title\" '$T/small.txt' && grep -q 'bits = token model' '$T/small.txt' && grep -q 'appears for the first time\\|cost [0-9.]* bits' '$T/small.txt'"
done

# ---- a plain file is traced at a level with the SSM
head -c 3000 samples/prose.txt > "$T/plain.txt"
check "smix-tui FILE traces with the SSM" bash -c "$TUI --dump-screen - --size 120x40 --keys 'l' '$T/plain.txt' 2>/dev/null | grep -q 'SSM .*rank\\|SSM n/a'"
check "smix-view FILE traces with the SSM" bash -c "$V --dump-screen - '$T/plain.txt' 2>/dev/null | grep -q 'level 4 (SSM)'"

# ---- summary: the report's figures and the training loss curve, in both
tui --size 140x60 --keys s "$T/p.smt" > "$T/ts.txt"
sdl --size 1400x900 --keys s "$T/p.smt" > "$T/ss.txt"
for s in "Training of the SSM" "loss per chunk" "How to read it" "Costliest tokens" "#$I "; do
    check "summary of both: '$s'" bash -c "grep -qF '$s' '$T/ts.txt' && grep -qF '$s' '$T/ss.txt'"
done

# ---- a trace with bits saved (--trace-saved): the why rows and the
# sentence name the components with the largest counterfactual effect
$SMIX -q -5 -f --trace "$T/q.smt" --trace-saved -o "$T/q.smx" samples/prose.txt
$SMIX --trace-dump csv "$T/q.smt" > "$T/q.csv"
K=$(python3 - "$T/q.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
comps = [k[6:] for k in rows[0] if k.startswith('saved_')]
# a seen token that another token was the favourite for, with two large counterfactuals
best = None
for r in rows:
    if r['is_new'] == '1' or r['is_fav'] == '1' or r['fav_text'] in ('', '<NEW>'): continue
    s = sorted((abs(float(r['saved_' + c])), c) for c in comps)
    if s[-2][0] >= 0.25 * s[-1][0] and s[-2][0] >= 0.5 and (best is None or float(r['bits']) > best[0]):
        best = (float(r['bits']), r['index'])
print(best[1])
PY
)
check "a token with two large counterfactuals ($K)" [ -n "$K" ]
tui --size 120x40 --teach --keys ":$K<Enter>" "$T/q.smt" > "$T/tq.txt"
sdl --size 1280x800 --keys ":$K<Enter>" "$T/q.smt" > "$T/sq.txt"
python3 - "$T/q.csv" "$K" "$T/tq.txt" "$T/sq.txt" > "$T/saved.out" <<'PY'
import csv, re, sys
r = list(csv.DictReader(open(sys.argv[1], newline='')))[int(sys.argv[2])]
comps = sorted(((float(r[k]), k[6:]) for k in r if k.startswith('saved_')), key=lambda x: -abs(x[0]))
(s0, c0), (s1, c1) = comps[0], comps[1]
tail = "Without %s it would have cost %.2f bits %s, without %s %.2f bits %s." % (
    c0, abs(s0), "more" if s0 > 0 else "less", c1, abs(s1), "more" if s1 > 0 else "less")
for name in sys.argv[3:]:
    flat = re.sub(r'\s+', ' ', open(name).read())
    print("sentence", name, tail in flat)
    print("row", name, re.search(r'\b%s\s.*%s' % (re.escape(c0), re.escape('%+.2f' % s0)), open(name).read()) is not None)
    print("rival", name, ("expected: '%s'" % r['fav_text']) in flat)
PY
while read -r what file res; do
    check "token $K: the saved-bits $what on $(basename "$file") agrees with the CSV" [ "$res" = True ]
done < "$T/saved.out"

# ---- the token table (t): the same rows as the CSV sorted the same way,
# in both viewers; filters; Enter jumps to the selected token
table() {   # keys -> both screens
    tui --size 130x40 --keys "t$1" "$T/q.smt" > "$T/tt.txt"
    sdl --size 1280x800 --keys "t$1" "$T/q.smt" > "$T/st.txt"
}
tabcheck() {   # name keys python-expr-for-expected
    table "$2"
    python3 - "$T/q.csv" "$3" "$T/tt.txt" "$T/st.txt" > "$T/tab.out" <<'PY'
import csv, re, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
f = lambda r, k: float(r[k])
want = eval(sys.argv[2])           # (list of the first rows' keys, matched count)
for name in sys.argv[3:]:
    scr = open(name).read()
    got = re.findall(r'^\s*(#?\d+)\s+(?:\d+\s+)?-?\d+\.\d\d\b', scr, re.M)[:len(want[0])]
    m = re.search(r' of (\d+) (?:tokens|ids) shown', scr)
    ok = got == want[0] and m is not None and int(m.group(1)) == want[1]
    print(name, ok, got, want[0], m.group(1) if m else None)
PY
    while read -r file res rest; do
        check "table $1 in $(basename "$file")" [ "$res" = True ] || echo "   $rest"
    done < "$T/tab.out"
}
N2=$(($(wc -l < "$T/q.csv") - 1))
tabcheck "by bits" "" \
  "(['#'+r['index'] for r in sorted(rows, key=lambda r: (-f(r,'bits'), int(r['index'])))[:6]], len(rows))"
tabcheck "by saved:ssm" "o" \
  "(['#'+r['index'] for r in sorted(rows, key=lambda r: (-f(r,'saved_ssm'), int(r['index'])))[:6]], len(rows))"
tabcheck "reversed (cheapest first)" "r" \
  "(['#'+r['index'] for r in sorted(rows, key=lambda r: (f(r,'bits'), int(r['index'])))[:6]], len(rows))"
tabcheck "NEW only" "n" \
  "(['#'+r['index'] for r in sorted([r for r in rows if r['is_new']=='1'], key=lambda r: (-f(r,'bits'), int(r['index'])))[:6]], sum(r['is_new']=='1' for r in rows))"
tabcheck "seen only, type word" "nny" \
  "(['#'+r['index'] for r in sorted([r for r in rows if r['is_new']=='0' and r['type']=='word'], key=lambda r: (-f(r,'bits'), int(r['index'])))[:6]], sum(r['is_new']=='0' and r['type']=='word' for r in rows))"
tabcheck "longest order 2" "ddd" \
  "(['#'+r['index'] for r in sorted([r for r in rows if r['longest_order']=='2'], key=lambda r: (-f(r,'bits'), int(r['index'])))[:6]], sum(r['longest_order']=='2' for r in rows))"
tabcheck "by id, total bits" "a" \
  "(lambda s: (sorted(s, key=lambda k: (-s[k], int(k)))[:6], len(s)))(__import__('functools').reduce(lambda d, r: (d.__setitem__(r['token_id'], d.get(r['token_id'], 0.0) + f(r,'bits')), d)[1], rows, {}))"
top=$(python3 -c "import csv,sys; r=sorted(csv.DictReader(open(sys.argv[1])), key=lambda r: (-float(r['bits']), int(r['index']))); print(r[2]['index'])" "$T/q.csv")
check "table: j j Enter jumps to the third costliest, #$top (smix-tui)" bash -c "$TUI --dump-screen - --size 120x40 --keys 'tjj<Enter>' '$T/q.smt' | grep -q '#$top of $N2 '"
check "table: j j Enter jumps to the third costliest, #$top (smix-view)" bash -c "$V --dump-screen - --keys 'tjj<Enter>' '$T/q.smt' | grep -q '#$top of $N2 '"
fourth=$(python3 -c "import csv,sys; r=sorted(csv.DictReader(open(sys.argv[1])), key=lambda r: (-float(r['bits']), int(r['index']))); print(r[3]['index'])" "$T/q.csv")
check "table: a click on the fourth row, Enter: #$fourth (smix-tui)" bash -c "$TUI --dump-screen - --size 120x40 --keys 't<click=10,7><Enter>' '$T/q.smt' | grep -q '#$fourth of $N2 '"
check "help of both viewers: the token table" bash -c "grep -qF 'token table' '$T/th.txt' && grep -qF 'token table' '$T/sh.txt'"

# ---- a range (m at one end, v at the other): its figures against the CSV,
# in both viewers; E writes it as CSV and never touches an existing file
A=150 B=420
tui --size 140x60 --keys ":$A<Enter>m:$B<Enter>v" "$T/q.smt" > "$T/tr.txt"
sdl --size 1400x900 --keys ":$A<Enter>m:$B<Enter>v" "$T/q.smt" > "$T/sr.txt"
python3 - "$T/q.csv" "$A" "$B" "$T/tr.txt" "$T/sr.txt" > "$T/range.out" <<'PY'
import csv, re, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
a, b = int(sys.argv[2]), int(sys.argv[3])
rg = rows[a:b + 1]
bits = sum(float(r['bits']) for r in rg)
nbytes = sum(int(r['length']) for r in rg)
new = [r for r in rg if r['is_new'] == '1']
ssm = sum(float(r['saved_ssm']) for r in rg)
want = {
    'title': "Range #%d..#%d" % (a, b),
    'tokens': "tokens %d, bytes %s..%d (%d bytes)" % (len(rg), rg[0]['offset'], int(rg[-1]['offset']) + int(rg[-1]['length']), nbytes),
    'bits': "bits %.1f = %.3f bpb" % (bits, bits / nbytes),
    'NEW': "NEW %d tokens = %.1f%% of the tokens, %.1f%% of the bits" % (len(new), 100.0 * len(new) / len(rg), 100 * sum(float(r['bits']) for r in new) / bits),
    'saved ssm': "ssm %+.0f (" % ssm,
}
for name in sys.argv[4:]:
    flat = re.sub(r'[ \u2588]+', ' ', open(name).read())
    for k, v in want.items():
        print(k.replace(' ', '_'), name, v in flat)
PY
while read -r what file res; do
    check "range $A..$B: $what on $(basename "$file") agrees with the CSV" [ "$res" = True ]
done < "$T/range.out"
mkdir -p "$T/x" && echo "mine" > "$T/x/smix-range-$A-$B.csv"
R=$PWD; (cd "$T/x" && "$R/$TUI" --dump-screen - --size 140x40 --keys ":$A<Enter>m:$B<Enter>vE" "$T/q.smt") > "$T/te.txt"
(cd "$T/x" && "$R/$V" --dump-screen - --keys ":$A<Enter>m:$B<Enter>vE" "$T/q.smt") > "$T/se.txt"
check "E: an existing smix-range-$A-$B.csv is left alone" [ "$(cat "$T/x/smix-range-$A-$B.csv")" = mine ]
check "E: smix-tui says where it wrote" grep -q "wrote smix-range-$A-$B-2.csv" "$T/te.txt"
check "E: smix-view says where it wrote" grep -q "wrote smix-range-$A-$B-3.csv" "$T/se.txt"
check "E: the CSVs of both viewers are the same" cmp -s "$T/x/smix-range-$A-$B-2.csv" "$T/x/smix-range-$A-$B-3.csv"
check "E: no temporary file left" bash -c "! ls '$T/x' | grep -q tmp"
python3 - "$T/q.csv" "$A" "$B" "$T/x/smix-range-$A-$B-2.csv" > "$T/csv.out" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
a, b = int(sys.argv[2]), int(sys.argv[3])
got = list(csv.DictReader(open(sys.argv[4], newline='')))
ok = len(got) == b - a + 1
for g, r in zip(got, rows[a:b + 1]):
    ok &= g['index'] == r['index'] and g['text'] == r['text'] and abs(float(g['bits']) - float(r['bits'])) < 1e-5
    ok &= all(abs(float(g[k]) - float(r[k])) < 1e-5 for k in r if k.startswith('saved_'))
print(ok, len(got))
PY
check "E: the CSV's rows are the trace's tokens $A..$B with their bits saved ($(cat "$T/csv.out"))" grep -q True "$T/csv.out"
check "v without a mark says how to set one (smix-tui)" bash -c "$TUI --dump-screen - --keys v '$T/q.smt' | grep -q 'no range: set the mark'"
check "v without a mark says how to set one (smix-view)" bash -c "$V --dump-screen - --keys v '$T/q.smt' | grep -q 'no range: set the mark'"

# ---- colourings (c): the class both legends give the cursor's token
# ("here: ...") is the CSV's, for a seen token and a new one
NEWTOK=$(python3 -c "import csv,sys; print([r['index'] for r in csv.DictReader(open(sys.argv[1])) if r['is_new']=='1'][5])" "$T/q.csv")
for tok in "$K" "$NEWTOK"; do
    keys=":$tok<Enter>"
    for m in 1 2 3 4 5; do
        keys="${keys}c"
        tui --size 150x40 --keys "$keys" "$T/q.smt" > "$T/tc$m.txt"
        sdl --size 1280x800 --keys "$keys" "$T/q.smt" > "$T/sc$m.txt"
    done
    python3 - "$T/q.csv" "$tok" "$T" > "$T/col.out" <<'PY'
import csv, math, re, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
comps = [k[6:] for k in rows[0] if k.startswith('saved_')]
def dominant(r):
    best, bv = None, 0.0
    for c in comps:
        v = float(r['saved_' + c])
        if v > bv: best, bv = c, v
    return best if bv >= 0.01 else None
cnt = {}
for r in rows:
    d = dominant(r)
    if d: cnt[d] = cnt.get(d, 0) + 1
top = sorted(cnt, key=lambda c: (-cnt[c], comps.index(c)))[:7]
def bucket(rank):
    rank = int(rank)
    return '1' if rank <= 1 else '<=10' if rank <= 10 else '<=100' if rank <= 100 else '<=1000' if rank <= 1000 else 'worse'
r = rows[int(sys.argv[2])]
seen_ssm = r['is_new'] == '0' and r['p_ssm'] != ''
want = {1: bucket(r['rank_ssm']) if seen_ssm else 'n/a', 2: bucket(r['rank_final']),
        3: 'NEW' if r['is_new'] == '1' else 'seen'}
d = dominant(r)
want[4] = 'n/a' if d is None else d if d in top else 'other'
if seen_ssm and float(r['p_ssm']) > 0:
    v = -math.log2(float(r['p_ssm'])) - float(r['bits'])
    edges, labels = [4, 2, 0.5, 0, -0.5, -2, -4], ["saved 4+", "saved 2-4", "saved 0.5-2", "saved <0.5", "lost <0.5", "lost 0.5-2", "lost 2-4", "lost 4+"]
    l = 0
    while l < 7 and v < edges[l]: l += 1
    want[5] = labels[l]
else:
    want[5] = 'n/a'
names = {1: 'SSM rank', 2: 'final rank', 3: 'NEW / seen', 4: 'top component', 5: 'vs SSM alone'}
short = {1: 'SSM rank', 2: 'rank', 3: 'NEW', 4: 'top', 5: 'saved vs SSM >='}   # a narrow legend's names
for m in range(1, 6):
    t = open('%s/tc%d.txt' % (sys.argv[3], m)).read()
    v = open('%s/sc%d.txt' % (sys.argv[3], m)).read()
    print("%s=%s" % (names[m].replace(' ', '_'), want[m].replace(' ', '_')), 'smix-tui', ('%s (here: %s)' % (names[m], want[m])) in t)
    print("%s=%s" % (names[m].replace(' ', '_'), want[m].replace(' ', '_')), 'smix-view', re.search(r'(?:%s, here|%s): %s(?:  |\s*$)' % (re.escape(names[m]), re.escape(short[m]), re.escape(want[m])), v, re.M) is not None)
PY
    while read -r what who res; do
        check "colours, token $tok: $what in $who's legend" [ "$res" = True ]
    done < "$T/col.out"
done
# at 80x24 every colouring's legend is whole: its last level's label is there
keys=":$K<Enter>"
for last in worse worse NEW other '<-4'; do
    keys="${keys}c"
    check "smix-tui 80x24, legend of ${keys#:$K<Enter>}: ends with '$last', not cut" \
        bash -c "$TUI --dump-screen - --size 80x24 --keys '$keys' '$T/q.smt' | grep -F '(here' | grep -qF -- ' $last'"
done
keys=":$K<Enter>"
for last in worse worse NEW other '<-4'; do
    keys="${keys}c"
    check "smix-view 640x480, legend of ${keys#:$K<Enter>}: '$last' is drawn" \
        bash -c "$V --dump-screen - --size 640x480 --keys '$keys' '$T/q.smt' | grep -A1 ': \|here: ' | cut -c1-40 | grep -qF -- ' $last'"
done
check "help of both viewers: the colourings" bash -c "grep -qF 'colour the text by' '$T/th.txt' && grep -qF 'colour the text by' '$T/sh.txt'"

# ---- learning on the timeline: the SSM's loss per chunk beside the bits;
# the line for the selected token's chunk is the report's first and last
# chunk at the two ends (chunks of config.chunk = 32 tokens here)
$SMIX --trace-report --json "$T/q.smt" > "$T/q.json"
read -r NCH L0 L1 < <(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d['chunks'], '%.2f' % d['loss']['first'], '%.2f' % d['loss']['last'])" "$T/q.json")
LAST=$(( (NCH - 1) * 32 ))
check "smix-tui: chunk 0's loss $L0 on the loss row's legend" bash -c "$TUI --dump-screen - --size 140x40 '$T/q.smt' | grep -q 'loss row: $L0 nats here (chunk 0, lr 0.006'"
check "smix-tui: the last chunk's loss $L1 at #$LAST" bash -c "$TUI --dump-screen - --size 140x40 --keys ':$LAST<Enter>' '$T/q.smt' | grep -q 'loss row: $L1 nats here (chunk $((NCH - 1)),'"
check "smix-view: chunk 0's loss $L0 under the timeline" bash -c "$V --dump-screen - '$T/q.smt' | grep -q 'chunk 0: SSM loss $L0 nats'"
check "smix-view: the last chunk's loss $L1 at #$LAST" bash -c "$V --dump-screen - --at $LAST '$T/q.smt' | grep -q 'chunk $((NCH - 1)): SSM loss $L1 nats'"
check "smix-view: the loss curve's key" bash -c "$V --dump-screen - '$T/q.smt' | grep -q 'SSM loss [0-9.]*\.\.[0-9.]* nats'"
check "no loss row without the SSM (level 1)" bash -c "! $TUI --dump-screen - --size 140x40 '$T/z.smt' | grep -q 'loss row'"

# ---- projector mode (smix-view): light high-contrast theme, text size,
# keyboard pan, and the small window without cut labels
px() { convert "$1" -format "%[pixel:p{$2,$3}]" info: 2>/dev/null; }
command -v convert > /dev/null || ko "projector tests need ImageMagick's convert (make deps installs it)"
"$V" --screenshot "$T/dark.png" "$T/q.smt" 2> /dev/null
"$V" --screenshot "$T/light.png" --projector "$T/q.smt" 2> /dev/null
"$V" --screenshot "$T/light2.png" --keys T "$T/q.smt" 2> /dev/null
check "--projector: a white background" [ "$(px "$T/light.png" 3 400)" = "srgb(255,255,255)" ]
check "default: a dark background" [ "$(px "$T/dark.png" 3 400)" = "srgb(24,26,31)" ]
check "T: the light theme" [ "$(px "$T/light2.png" 3 400)" = "srgb(255,255,255)" ]
check "T in projector mode: back to dark" bash -c "$V --dump-screen - --projector --keys T '$T/q.smt' | grep -q 'theme: dark'"
w14=$(sdl --keys ":$K<Enter>" "$T/q.smt" | awk '{ if (length($0) > m) m = length($0) } END { print m }')
w20=$(sdl --projector --keys ":$K<Enter>" "$T/q.smt" | awk '{ if (length($0) > m) m = length($0) } END { print m }')
check "--projector: larger text, fewer columns ($w20 < $w14)" [ "$w20" -lt "$w14" ]
check "F: larger text" bash -c "$V --dump-screen - --keys FF '$T/q.smt' | grep -q 'text size 18 pt'"
check "f: smaller text" bash -c "$V --dump-screen - --keys f '$T/q.smt' | grep -q 'text size 12 pt'"
t0a=$(sdl --keys ":1000<Enter>zzz" "$T/q.smt" | grep -o 'tokens [0-9]*\.\.[0-9]*' | head -1 | sed 's/tokens \([0-9]*\).*/\1/')
t0b=$(sdl --keys ":1000<Enter>zzz]" "$T/q.smt" | grep -o 'tokens [0-9]*\.\.[0-9]*' | head -1 | sed 's/tokens \([0-9]*\).*/\1/')
t0c=$(sdl --keys ":1000<Enter>zzz[" "$T/q.smt" | grep -o 'tokens [0-9]*\.\.[0-9]*' | head -1 | sed 's/tokens \([0-9]*\).*/\1/')
check "] pans the zoomed timeline right, [ left ($t0c < $t0a < $t0b)" [ -n "$t0a" ] && [ "$t0c" -lt "$t0a" ] && [ "$t0a" -lt "$t0b" ]
for size in 640x480 800x600; do
    sdl --size "$size" --keys ":$K<Enter>" "$T/q.smt" > "$T/small.txt"
    check "smix-view $size: the component header is whole" grep -q 'token  rival margin  saved' "$T/small.txt"
    check "smix-view $size: the explain sentence ends on screen" bash -c "tail -3 '$T/small.txt' | head -2 | grep -q '[.)]\$'"
    check "smix-view $size: the timeline's top label" bash -c "grep -A1 '^ tokens 0\\.\\.' '$T/small.txt' | grep -q '^ *25 '"
done

# ---- smix-view's coder panel: one slice per coding step, labelled with the
# step's bits, which are the CSV's and add up to the token's bits; each
# slice's width in the PNG is 2^-bits of its bar (2 pixels at least)
$SMIX -q -1 -f --trace "$T/p1.smt" -o "$T/p1.smx" samples/prose.txt
$SMIX -q -3 -f --trace "$T/p3.smt" -o "$T/p3.smx" samples/prose.txt
$SMIX --trace-dump csv "$T/p1.smt" > "$T/p1.csv"
$SMIX --trace-dump csv "$T/p3.smt" > "$T/p3.csv"
pick() {   # pick CSV EXPR: the index of the first row where EXPR holds
    python3 - "$1" "$2" <<'PY'
import csv, sys
b = lambda r, k: abs(float(r.get('bits_' + k) or 0)) >= 0.005
for r in csv.DictReader(open(sys.argv[1], newline='')):
    if eval(sys.argv[2]): print(r['index']); break
PY
}
for spec in "p:r['is_new']=='1' and b(r,'is_new') and b(r,'new_walk'):a NEW token (is_new slice, then its spelled id)" \
            "p:r['is_new']=='0' and b(r,'cand_walk') and float(r['bits'])>4:a candidate" \
            "p3:b(r,'class') and b(r,'rank'):a level 3 escape (class, rank)" \
            "p1:b(r,'sym') and b(r,'class') and b(r,'rank'):a level 1 escape (sym, class, rank)" \
            "p1:b(r,'sym') and b(r,'id'):a level 1 NEW token (sym, id)"; do
    tr=${spec%%:*}; rest=${spec#*:}; expr=${rest%%:*}; what=${rest#*:}
    k=$(pick "$T/$tr.csv" "$expr")
    [ -n "$k" ] || { ko "coder panel: $what exists in $tr"; continue; }
    sdl --size 1280x800 --at "$k" "$T/$tr.smt" > "$T/cp.txt"
    "$V" --screenshot "$T/cp.png" --size 1280x800 --at "$k" "$T/$tr.smt" 2> /dev/null
    convert "$T/cp.png" -crop 512x800+768+0 +repage txt:- 2> /dev/null > "$T/cp.pix"
    python3 - "$T/$tr.csv" "$k" "$T/cp.txt" "$T/cp.pix" > "$T/cp.out" <<'PY'
import csv, re, sys
r = list(csv.DictReader(open(sys.argv[1], newline='')))[int(sys.argv[2])]
steps = [k[5:] for k in r if k.startswith('bits_')]
val = lambda p, k: float(r.get(p + k) or 0)
want = [(k, '%.2f' % val('bits_', k)) for k in steps
        if abs(val('bits_', k)) >= 0.005 or abs(val('tm_', k)) >= 0.005]
bits = float(r['bits'])
lines = open(sys.argv[3]).read().split('\n')
top = next(i for i, l in enumerate(lines) if 'range coder: #%s ' % r['index'] in l)
col = lines[top].index('range coder:')
panel = [l[col:] for l in lines[top:top + 16]]
panel = panel[:next((i + 1 for i, l in enumerate(panel) if 'add up to' in l), len(panel))]
got = [(m.group(1), m.group(2)) for l in panel for m in [re.match(r'(\w+) +(-?\d+\.\d\d) bits', l)] if m]
print('step_bits', got == want, got, want)
print('sum', abs(sum(val('bits_', k) for k in steps) - bits) < 1e-9
      and any(('the steps add up to %.2f bits' % bits) in l for l in panel), bits)
print('step_count', any(('coded in %d step' % len(want)) in l for l in panel), len(want))
# the bars: rows of the PNG with frame, orange slice, bar, frame, at the step bars' left edge
px = {}
for l in open(sys.argv[4]):
    m = re.match(r'(\d+),(\d+): \((\d+),(\d+),(\d+)', l)
    if m: px[int(m.group(1)), int(m.group(2))] = tuple(int(v) for v in m.group(3, 4, 5))
W = max(x for x, _ in px) + 1
DIM, MIX, BAR = (140, 146, 158), (230, 159, 0), (52, 55, 64)
bars, prev = [], None
for y in range(max(y for _, y in px) + 1):
    row = [px.get((x, y)) for x in range(W)]
    for x0 in range(1, W - 4):
        if row[x0 - 1] != DIM or row[x0] != MIX: continue
        x = x0
        while x < W and row[x] == MIX: x += 1
        o = x - x0
        while x < W and row[x] == BAR: x += 1
        if x < W and row[x] == DIM and x - x0 > 40:
            if prev != y - 1: bars.append((x0, o, x - x0))
            prev = y
        break
bars = [b for b in bars if b[0] == bars[-1][0]][-len(want):] if bars else []
exp = [min(max(int(2 ** -val('bits_', k) * b[2] + 0.5), 2), b[2]) for (k, _), b in zip(want, bars)]
ok = len(bars) == len(want) and all(abs(b[1] - e) <= 1 for b, e in zip(bars, exp))
print('slice_widths', ok, [b[1] for b in bars], exp)
PY
    while read -r check_what res detail; do
        check "coder panel, $what (#$k of $tr): ${check_what//_/ } as in the trace" [ "$res" = True ]
        [ "$res" = True ] || echo "   $detail"
    done < "$T/cp.out"
done

# smix-tui at 80x24: the explain sentence gets the rows it needs
tui --size 80x24 --keys ":$K<Enter>e" "$T/q.smt" > "$T/tsmall.txt"
check "smix-tui 80x24: the explain sentence is shown" grep -q "^#$K " "$T/tsmall.txt"
check "smix-tui 80x24: the explain sentence ends on screen" bash -c "tail -2 '$T/tsmall.txt' | head -1 | grep -q '[.)]\$'"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
