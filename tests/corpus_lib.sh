# corpus_lib.sh - sourced by the suites that use the benchmark corpus.
#
# corpus_unpack WHAT: exits 77 (skip) with a message naming WHAT when
# ../shared/corpus is absent; otherwise makes sure build/corpus holds the
# unpacked, verified files (unpacking once), or fails the suite.
corpus_unpack() {
    local src=../shared/corpus
    if [ ! -f "$src/unpack.sh" ]; then
        echo "SKIP $1: no corpus at $src (see README)"; exit 77
    fi
    if [ ! -f build/corpus/SHA256SUMS ] || ! (cd build/corpus && sha256sum -c --quiet SHA256SUMS >/dev/null 2>&1); then
        sh "$src/unpack.sh" build/corpus >/dev/null || { echo "FAIL unpack corpus"; echo "0 passed, 1 failed"; exit 1; }
    fi
}
