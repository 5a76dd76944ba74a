/*
 * fuzz_roundtrip.c - compress arbitrary bytes, decompress, compare.
 *
 * Property: smix_compress succeeds on any input and smix_decompress gives the
 * same bytes back; smix_frame_info agrees with the input size. Level 1 (the
 * mixer without the state space model) on inputs capped at ROUNDTRIP_MAX
 * bytes; when the first byte is a multiple of 4, level 4 (one SSM layer) on
 * at most SSM_MAX bytes, which is slower per byte. Run libFuzzer with
 * -max_len=ROUNDTRIP_MAX.
 */
#include "fuzz_common.h"
#include "smix.h"

#define ROUNDTRIP_MAX 2048
#define SSM_MAX 512

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int level = size > 0 && data[0] % 4 == 0 ? 4 : 1;
    size_t cap = level == 4 ? SSM_MAX : ROUNDTRIP_MAX;
    if (size > cap)
        size = cap;
    smix_params p = {.level = level, .threads = 1, .memlimit = 0};
    smix_cctx *c = smix_cctx_create(&p);
    smix_dctx *d = smix_dctx_create(&p);
    FUZZ_ASSERT(c && d);

    fuzz_buf comp = {.limit = (size_t)-1};
    smix_result r = smix_compress(c, data, size, fuzz_buf_write, &comp, NULL);
    if (r != SMIX_OK)
        fprintf(stderr, "compress: %s\n", smix_strerror(r));
    FUZZ_ASSERT(r == SMIX_OK);

    smix_file_info info;
    FUZZ_ASSERT(smix_frame_info(comp.data, comp.len, &info) == SMIX_OK);
    FUZZ_ASSERT(info.input_bytes == size);

    fuzz_buf back = {.limit = size};
    r = smix_decompress(d, comp.data, comp.len, fuzz_buf_write, &back, NULL);
    if (r != SMIX_OK)
        fprintf(stderr, "decompress: %s\n", smix_strerror(r));
    FUZZ_ASSERT(r == SMIX_OK);
    FUZZ_ASSERT(back.len == size);
    FUZZ_ASSERT(size == 0 || memcmp(back.data, data, size) == 0);

    fuzz_buf_free(&comp);
    fuzz_buf_free(&back);
    smix_cctx_free(c);
    smix_dctx_free(d);
    return 0;
}
