/*
 * fuzz_tok.c - the tokenizer round trip on arbitrary bytes.
 *
 * Property, for the full vocabulary and for a limit chosen by the input's
 * first byte: tok_encode gives at most n ids, every id < limit, each token's
 * bytes are non-empty, their concatenation is the input, and tok_decode
 * agrees with it.
 */
#include "fuzz_common.h"
#include "tok.h"

static void check_limit(const tok_vocab *v, uint32_t limit, const uint8_t *data,
                        size_t size)
{
    uint32_t *ids = malloc((size ? size : 1) * sizeof *ids);
    uint8_t *cat = malloc(size ? size : 1);
    FUZZ_ASSERT(ids && cat);
    size_t n = tok_encode(v, limit, data, size, ids);
    FUZZ_ASSERT(n <= size);
    FUZZ_ASSERT((n == 0) == (size == 0));

    size_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t len = 0;
        const uint8_t *b = tok_bytes(v, ids[i], &len);
        FUZZ_ASSERT(ids[i] < limit);
        FUZZ_ASSERT(b != NULL && len >= 1 && len <= TOK_CHUNK_MAX);
        FUZZ_ASSERT(len <= size - pos);
        memcpy(cat + pos, b, len);
        pos += len;
    }
    FUZZ_ASSERT(pos == size);
    FUZZ_ASSERT(size == 0 || memcmp(cat, data, size) == 0);

    memset(cat, 0, size);
    FUZZ_ASSERT(tok_decode(v, ids, n, cat, size) == size);
    FUZZ_ASSERT(size == 0 || memcmp(cat, data, size) == 0);
    free(ids);
    free(cat);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const tok_vocab *v = tok_builtin();
    uint32_t full = tok_vocab_size(v);
    FUZZ_ASSERT(full >= 256);
    check_limit(v, full, data, size);
    if (size > 0) {
        /* 256 (bytes only) .. full, in 256 steps picked by the first byte. */
        uint32_t limit = 256 + (uint32_t)((uint64_t)(full - 256) * data[0] / 255);
        check_limit(v, limit, data + 1, size - 1);
    }
    return 0;
}
