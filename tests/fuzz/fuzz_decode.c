/*
 * fuzz_decode.c - smix_decompress, smix_frame_info and smix_frame_header on
 * arbitrary bytes.
 *
 * Property: no crash, no sanitizer report, no hang, and a result that is
 * either SMIX_OK or one of the documented error codes.
 *
 * Each input is decoded twice. First as it is: almost every mutation then
 * stops at a checksum, which tests the container checks. Then, if it starts
 * like a frame, with the payload size and both CRC-32Cs (payload, header)
 * rewritten to match, so the range decoder and the model run on damaged
 * payloads and damaged configurations (the way zstd's fuzzers skip
 * checksums). Work is bounded: output is capped, and a progress hook stops
 * decoding after MAX_TOKENS (a resealed header may claim any size).
 * Seeds: frames of the samples' first bytes in small configurations (a
 * vocabulary of 256 or 1,024 tokens: tests/fuzz/make_seeds.c), which set a
 * model up fast; the golden files are replayed as regressions.
 */
#include "fuzz_common.h"
#include "checksum.h"
#include "container.h"
#include "smix.h"

#define OUT_LIMIT (1u << 20)
#define MEM_LIMIT (512ull << 20)
#define MAX_TOKENS 1024

static int stop_early(void *user, uint64_t bytes_done, uint64_t bytes_total,
                      uint64_t tokens_done, double bits)
{
    (void)user; (void)bytes_done; (void)bytes_total; (void)bits;
    return tokens_done >= MAX_TOKENS;
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Rewrites payload size and CRCs (layout in engine/container.c). Returns 0
 * if buf does not look like a frame header. */
static int reseal(uint8_t *buf, size_t size)
{
    if (size < CTR_HEADER_SIZE || memcmp(buf, "SMX\x1a", 4) != 0)
        return 0;
    size_t hsize = (size_t)buf[6] | (size_t)buf[7] << 8;
    if (hsize < CTR_HEADER_SIZE || hsize > size)
        return 0;
    put_le(buf + 48, size - hsize, 8);
    put_le(buf + 60, crc32c(0, buf + hsize, size - hsize), 4);
    put_le(buf + hsize - 4, crc32c(0, buf, hsize - 4), 4);
    return 1;
}

static void decode(const uint8_t *data, size_t size)
{
    smix_file_info info;
    smix_result r = smix_frame_info(data, size, &info);
    FUZZ_ASSERT((int)r >= 0 && r < SMIX_ERR__COUNT);
    FUZZ_ASSERT(smix_strerror(r) != NULL);
    /* The header alone, as the CLI checks it before reading the rest: it
     * accepts whatever the whole frame passes, and declares its size. */
    smix_file_info head;
    smix_result rh = smix_frame_header(data, size / 2, &head);
    FUZZ_ASSERT((int)rh >= 0 && rh < SMIX_ERR__COUNT);
    if (r == SMIX_OK)
        FUZZ_ASSERT(smix_frame_header(data, info.header_bytes, &head) == SMIX_OK &&
                    head.compressed_bytes == info.compressed_bytes &&
                    head.input_bytes == info.input_bytes);

    smix_params p = {.level = 0, .threads = 1, .memlimit = MEM_LIMIT};
    smix_dctx *d = smix_dctx_create(&p);
    if (!d)
        return;
    smix_hooks hooks = {.version = SMIX_HOOKS_VERSION, .progress = stop_early};
    fuzz_buf out = {.limit = OUT_LIMIT};
    r = smix_decompress(d, data, size, fuzz_buf_write, &out, &hooks);
    FUZZ_ASSERT((int)r >= 0 && r < SMIX_ERR__COUNT);
    if (r == SMIX_OK) {
        /* Frames that decode must have had valid headers saying so. */
        uint64_t total = 0;
        for (size_t at = 0; at < size; at += info.compressed_bytes) {
            FUZZ_ASSERT(smix_frame_info(data + at, size - at, &info) == SMIX_OK);
            total += info.input_bytes;
        }
        FUZZ_ASSERT(total == out.len);
    }
    fuzz_buf_free(&out);
    smix_dctx_free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_as_is_and_resealed(data, size, decode, reseal);
    return 0;
}
