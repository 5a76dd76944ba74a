#!/usr/bin/env bash
# test_install.sh - `make install DESTDIR=... PREFIX=/usr` puts the programs
# and man pages in place, the installed smix works, `make uninstall` removes
# them again.
set -u
cd "$(dirname "$0")/.." || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
check() { # NAME COMMAND...
    local name=$1; shift
    if "$@"; then echo "PASS $name"; pass=$((pass + 1)); else echo "FAIL $name"; fail=$((fail + 1)); fi
}

dest=$tmp/root
make --no-print-directory -s install DESTDIR="$dest" PREFIX=/usr >"$tmp/log" 2>&1
rc=$?
check "make install exits 0" test $rc -eq 0
[ $rc -eq 0 ] || sed 's/^/    /' "$tmp/log" | tail -n 20

for p in smix smix-tui smix-view; do
    if [ -f "build/$p" ]; then
        check "installs bin/$p" test -x "$dest/usr/bin/$p"
        check "bin/$p is build/$p" cmp -s "build/$p" "$dest/usr/bin/$p"
    else
        echo "FAIL build/$p missing (make all builds it)"; fail=$((fail + 1))
    fi
done
for m in smix smix-tui smix-view; do
    if [ -f "docs/$m.1" ]; then
        check "installs man1/$m.1" cmp -s "docs/$m.1" "$dest/usr/share/man/man1/$m.1"
    else
        echo "FAIL docs/$m.1 missing"; fail=$((fail + 1))
    fi
done
check "nothing outside DESTDIR/usr" test -z "$(ls -A "$dest" | grep -v '^usr$')"

if [ -x "$dest/usr/bin/smix" ]; then
    check "installed smix round trip" \
        bash -c "'$dest/usr/bin/smix' -q -1 -c samples/page.html | '$dest/usr/bin/smix' -q -d -c | cmp -s - samples/page.html"
fi

# Custom BINDIR/MANDIR are respected.
make --no-print-directory -s install DESTDIR="$tmp/r2" BINDIR=/opt/x/bin MANDIR=/opt/x/man >/dev/null 2>&1
check "respects BINDIR" test -x "$tmp/r2/opt/x/bin/smix"

make --no-print-directory -s uninstall DESTDIR="$dest" PREFIX=/usr >/dev/null 2>&1
check "make uninstall removes programs" test -z "$(ls -A "$dest/usr/bin" 2>/dev/null)"
check "make uninstall removes man pages" test -z "$(ls -A "$dest/usr/share/man/man1" 2>/dev/null)"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
