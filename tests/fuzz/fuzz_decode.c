/*
 * fuzz_decode.c - smix_decompress and smix_frame_info on arbitrary bytes.
 *
 * Property: no crash, no sanitizer report, no hang, and a result that is
 * either SMIX_OK or one of the documented error codes. Output is capped (a
 * damaged header may claim any size); hitting the cap is a normal error.
 * Seeds: files compressed from samples/ and tests/golden/.
 */
#include "fuzz_common.h"
#include "smix.h"

#define OUT_LIMIT (8u << 20)
#define MEM_LIMIT (512ull << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    smix_file_info info;
    smix_result r = smix_frame_info(data, size, &info);
    FUZZ_ASSERT((int)r >= 0 && r < SMIX_ERR__COUNT);
    FUZZ_ASSERT(smix_strerror(r) != NULL);

    smix_params p = {.level = 0, .threads = 1, .memlimit = MEM_LIMIT};
    smix_dctx *d = smix_dctx_create(&p);
    if (!d)
        return 0;
    fuzz_buf out = {.limit = OUT_LIMIT};
    r = smix_decompress(d, data, size, fuzz_buf_write, &out, NULL);
    FUZZ_ASSERT((int)r >= 0 && r < SMIX_ERR__COUNT);
    if (r == SMIX_OK) {
        /* A frame that decodes must have had a valid header saying so. */
        FUZZ_ASSERT(smix_frame_info(data, size, &info) == SMIX_OK);
        FUZZ_ASSERT(info.input_bytes == out.len);
    }
    fuzz_buf_free(&out);
    smix_dctx_free(d);
    return 0;
}
