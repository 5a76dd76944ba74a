#!/usr/bin/env bash
# test_terminal.sh - nothing from the input reaches a terminal raw.
#
# File names and token text are untrusted: a name or a token holding ESC,
# BEL, DEL, a C1 control (raw or as UTF-8), a bidi override or a broken
# UTF-8 sequence must reach a terminal only as a visible escape (the
# engine's smix_text_escape rule), from every program and every path:
# smix's messages (the name inside a message too), --trace-dump csv (on a
# terminal, run under script(1), and into a file), --trace-dump jsonl (JSON
# escapes, so a parser still reads the same text), --trace-report, and the
# error messages of smix-tui and smix-view.
#
# Run from the repo root after `make`: bash tests/test_terminal.sh
set -u
ROOT=$(pwd)
SMIX=${SMIX:-build/smix}
TUI=${TUI:-build/smix-tui}
VIEW=${VIEW:-build/smix-view}
for v in SMIX TUI VIEW; do case ${!v} in /*) ;; *) printf -v $v '%s' "$ROOT/${!v}" ;; esac; done

pass=0 fail=0
ok()  { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1${2:+ ($2)}"; fail=$((fail + 1)); }
check() { local n=$1; shift; if "$@"; then ok "$n"; else bad "$n"; fi; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; }

for b in "$SMIX" "$TUI" "$VIEW"; do
    [ -x "$b" ] || { bad "setup" "$b is not built"; finish; exit 1; }
done
command -v script >/dev/null 2>&1 || { bad "setup" "script(1) not found (util-linux)"; finish; exit 1; }
command -v jq >/dev/null 2>&1 || { bad "setup" "jq not found (make deps installs it)"; finish; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/smix-term.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1

# raw_controls FILE: true if FILE holds anything a terminal would act on:
# C0 controls but newline (and the \r that script(1) adds), DEL, C1 controls
# raw or in UTF-8, a bidi override or isolate, a zero-width character.
raw_controls() {
    LC_ALL=C grep -aqP '[\x00-\x09\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\x8b-\x8f\xa8-\xae]|\xe2\x81[\xa6-\xa9]|\xef\xbb\xbf' "$1"
}

# ---- hostile text and names
printf 'title \033]0;owned\007 clip \033]52;c;b3duZWQ=\007 query \033[6n del \177 c1 \xc2\x9b31m rtl \xe2\x80\xae fed \xe2\x81\xa6iso\xe2\x81\xa9 zw \xe2\x80\x8b bom \xef\xbb\xbf end\n' > hostile.txt
printf 'bad bytes \xff\xfe \x9b and \033[2J\n' > broken.txt
evil=$'evil\e]0;owned\a\e[31m\u202e.smt'
"$SMIX" -q -1 --trace hostile.smt -o hostile.smx hostile.txt || bad "setup" "cannot trace hostile.txt"
"$SMIX" -q -1 --trace broken.smt -o broken.smx broken.txt || bad "setup" "cannot trace broken.txt"

# ---- smix's messages: the name in the location and inside the message
printf 'junk' > "$evil"
"$SMIX" --trace-report "$evil" 2> err1
check "--trace-report on a bad file with a hostile name: a message" test -s err1
check "... with no control character in it" eval '! raw_controls err1'
check "... the name is said once, escaped" eval '[ "$(grep -o "evil\\\\x1B" err1 | wc -l)" = 1 ]'
"$SMIX" -q --trace "$evil/x.smt" -c hostile.txt > /dev/null 2> err2
check "--trace into a hostile path: no control character in the message" eval '[ -s err2 ] && ! raw_controls err2'
"$SMIX" -d "$evil" 2> err3
check "-d of a hostile name: no control character" eval '[ -s err3 ] && ! raw_controls err3'
"$SMIX" --memlimit $'1\e[2J' hostile.txt 2> err4
check "a hostile option value: no control character" eval '[ -s err4 ] && ! raw_controls err4'

# ---- dumps and reports
script -qec "'$SMIX' --trace-dump csv hostile.smt" /dev/null > tty.csv 2>&1 < /dev/null
check "csv on a terminal: written" grep -q '^index,' tty.csv
check "csv on a terminal: no control character" eval '! raw_controls tty.csv'
check "csv on a terminal: escapes shown" grep -qF '"\x1B"' tty.csv
script -qec "'$SMIX' --trace-dump csv broken.smt" /dev/null > tty2.csv 2>&1 < /dev/null
check "csv on a terminal, invalid UTF-8: no control character" eval '! raw_controls tty2.csv'
"$SMIX" --trace-dump csv hostile.smt > file.csv
check "csv to a file: no control character either" eval '! raw_controls file.csv'
check "csv to a file: the escapes of the terminal escaper" grep -qF '"\x1B"' file.csv
for t in hostile broken; do
    "$SMIX" --trace-dump jsonl $t.smt > $t.jsonl
    check "jsonl ($t): no control character, C1 or bidi character raw" eval "! raw_controls $t.jsonl"
    script -qec "'$SMIX' --trace-dump jsonl $t.smt" /dev/null > tty.jsonl 2>&1 < /dev/null
    check "jsonl ($t) on a terminal: no control character" eval '! raw_controls tty.jsonl'
done
check "jsonl: every line parses" eval 'jq -e . hostile.jsonl broken.jsonl > /dev/null'
# ASCII controls are whole tokens of valid UTF-8: a parser gets them back
printf 'a ]0;x b  c  d
' > ctl.txt
"$SMIX" -q -1 --trace ctl.smt -o ctl.smx ctl.txt
"$SMIX" --trace-dump jsonl ctl.smt > ctl.jsonl
check "jsonl: escaped controls read back as the exact text" eval '! raw_controls ctl.jsonl && jq -j .text ctl.jsonl | cmp -s - ctl.txt'
script -qec "'$SMIX' --trace-report hostile.smt" /dev/null > tty.rep 2>&1 < /dev/null
check "report on a terminal: no control character" eval '[ -s tty.rep ] && ! raw_controls tty.rep'
"$SMIX" --trace-report --json hostile.smt > rep.json
check "report --json: valid, no control character" eval 'jq -e . rep.json > /dev/null && ! raw_controls rep.json'

# ---- the viewers' messages
cp hostile.smt "$evil"
head -c 400 hostile.smt > "$evil"
"$TUI" --dump-screen - "$evil" > /dev/null 2> tui.err
check "smix-tui: a damaged trace with a hostile name: a message" test -s tui.err
check "smix-tui: no control character in it" eval '! raw_controls tui.err'
"$TUI" --color $'\e]0;x\a' hostile.smt > /dev/null 2> tui2.err
check "smix-tui: a hostile option value: no control character" eval '[ -s tui2.err ] && ! raw_controls tui2.err'
SDL_VIDEODRIVER=offscreen "$VIEW" --screenshot x.png "$evil" > /dev/null 2> view.err
check "smix-view: a damaged trace with a hostile name: a message" test -s view.err
check "smix-view: no control character in it" eval '! raw_controls view.err'

cd "$ROOT"
finish
