#!/bin/sh
# deps.sh - install the Debian packages smix needs to build and test.
#
# Fast when nothing is missing: one dpkg-query call, no apt, no network.
# As root it runs `apt-get update` once and `apt-get install -y` for what is
# missing; otherwise it prints the exact command to run and exits 1.
# On a system without dpkg it only lists what it would want and exits 0.
#
# Usage: sh tools/deps.sh [bench]    (bench adds the comparison compressors)
set -eu

# Build: compiler, make, headers for the TUI (ncurses) and viewer (SDL2 + ttf,
# found with pkg-config), the font the viewer loads.
PKGS="build-essential make pkg-config libncurses-dev libsdl2-dev libsdl2-ttf-dev fonts-dejavu-core"
# libsdl2-image-dev: the viewer's PNG screenshots (IMG_SavePNG) instead of a
# hand-written deflate: a library for what a library does (docs/viewer.md).
PKGS="$PKGS libsdl2-image-dev"
# fonts-droid-fallback: the viewer's fallback for the CJK characters DejaVu
# Sans Mono lacks (tests/test_viewer.sh checks Japanese is drawn).
PKGS="$PKGS fonts-droid-fallback"
# Tests: clang + its runtime (libFuzzer, sanitizers) for `make fuzz`,
# valgrind for memcheck, tmux to drive the TUI, xz/zstd/bzip2 used by tests
# and `make bench`, GNU parallel for the scale-out recipe's test (README), jq
# to read the trace's JSON exports in tests/test_trace.sh.
PKGS="$PKGS clang libclang-rt-dev valgrind tmux xz-utils zstd bzip2 parallel jq"

# imagemagick: tests/test_viewer.sh counts the colours of the PNGs the
# viewer saves (it renders with SDL's offscreen driver: no X server needed).
PKGS="$PKGS imagemagick"

if [ "${1:-}" = bench ]; then
    PKGS="$PKGS p7zip-full zpaq"
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "deps.sh: not a Debian system; make sure these (or their equivalents) are installed:"
    echo "  $PKGS"
    exit 0
fi

# One dpkg-query for everything; unknown packages print nothing on stdout.
installed=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' $PKGS 2>/dev/null |
            awk '$2 == "ii" { print $1 }') || true
missing=
for p in $PKGS; do
    case " $(echo $installed) " in
        *" $p "*) ;;
        *) case " $missing " in *" $p "*) ;; *) missing="$missing $p" ;; esac ;;
    esac
done
missing=${missing# }

if [ -z "$missing" ]; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "deps.sh: missing packages: $missing" >&2
    echo "deps.sh: run this, then try again:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y $missing" >&2
    exit 1
fi

echo "deps.sh: installing: $missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update
# shellcheck disable=SC2086
apt-get install -y --no-install-recommends $missing </dev/null
echo "deps.sh: done"
