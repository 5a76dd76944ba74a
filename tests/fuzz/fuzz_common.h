/*
 * fuzz_common.h - shared bits of the smix fuzz targets.
 *
 * Every target defines LLVMFuzzerTestOneInput and aborts (so libFuzzer and
 * the regression driver both report it) when a property fails. The targets
 * build either with clang -fsanitize=fuzzer or with any C compiler plus
 * regression_driver.c, which replays files and directories.
 */
#ifndef SMIX_FUZZ_COMMON_H
#define SMIX_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Fails loudly: libFuzzer turns abort() into a crash report with the input. */
#define FUZZ_ASSERT(cond)                                                       \
    do {                                                                        \
        if (!(cond)) {                                                          \
            fprintf(stderr, "%s:%d: fuzz assertion failed: %s\n", __FILE__,     \
                    __LINE__, #cond);                                           \
            abort();                                                            \
        }                                                                       \
    } while (0)

/* A growable output buffer for smix_write_fn, with a cap so that a hostile
 * header claiming a huge size cannot make the target allocate gigabytes. */
typedef struct fuzz_buf {
    uint8_t *data;
    size_t len, cap, limit;
} fuzz_buf;

static inline int fuzz_buf_write(void *ctx, const void *p, size_t n)
{
    fuzz_buf *b = ctx;
    if (n > b->limit - b->len)
        return 1;                 /* -> SMIX_ERR_WRITE, a normal error */
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        uint8_t *d = realloc(b->data, cap);
        if (!d)
            return 1;
        b->data = d;
        b->cap = cap;
    }
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

static inline void fuzz_buf_free(fuzz_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

/* Runs run() on the input as it is, then on a copy whose checksums reseal()
 * rewrote to match (when it could), so mutations get past the first CRC. */
static inline void fuzz_as_is_and_resealed(const uint8_t *data, size_t size,
                                           void (*run)(const uint8_t *, size_t),
                                           int (*reseal)(uint8_t *, size_t))
{
    run(data, size);
    uint8_t *copy = malloc(size ? size : 1);
    FUZZ_ASSERT(copy != NULL);
    if (size)
        memcpy(copy, data, size);
    if (reseal(copy, size))
        run(copy, size);
    free(copy);
}

#endif
