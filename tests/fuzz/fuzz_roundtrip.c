/*
 * fuzz_roundtrip.c - compress arbitrary bytes, decompress, compare.
 *
 * Property: smix_compress succeeds on any input and smix_decompress gives the
 * same bytes back; smix_frame_info agrees with the input size.
 *
 * Small configurations: the first two bytes of the input choose one, the
 * rest is the data. A level's features (byte 0: skip contexts, the byte
 * model, the escape walk, the state space model with its smallest head)
 * with a vocabulary of 256, 512 or 1,024 tokens (byte 1): setting a
 * model up costs time with its vocabulary, and at 32,768 tokens on inputs
 * of up to 2 KB a run took a third of a second. The state space model,
 * slower per byte, gets at most SSM_MAX bytes. Run libFuzzer with
 * -max_len=ROUNDTRIP_MAX + 2.
 */
#include "fuzz_common.h"
#include "codec.h"
#include "smix.h"

#define ROUNDTRIP_MAX 160
#define SSM_MAX 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint32_t vocab[] = { 256, 512, 1024 };
    smix_config cfg;
    /* half the runs at levels 1-2, a quarter at 3 (the byte model, whose
     * tables take the longest to set up), a quarter at 4-9 (the SSM) */
    int b0 = size > 0 ? data[0] : 0;
    int level = b0 % 4 < 2 ? 1 + b0 % 2 : b0 % 4 == 2 ? 3 : 4 + (b0 >> 2) % 6;
    FUZZ_ASSERT(smix_level_config(level, &cfg) == SMIX_OK);
    cfg.vocab_size = vocab[size > 1 ? data[1] % 3 : 0];
    if (cfg.ssm_enabled)
        cfg.ssm_rows = 16;   /* the smallest head a decoder accepts */
    if (cfg.byte_mix)
        cfg.byte_mix = 16;   /* the smallest byte model: its tables are set up per run */
    data += size < 2 ? size : 2;
    size -= size < 2 ? size : 2;
    size_t cap = cfg.ssm_enabled ? SSM_MAX : ROUNDTRIP_MAX;
    if (size > cap)
        size = cap;
    smix_params p = {.level = level, .threads = 1, .memlimit = 0};
    smix_cctx *c = smix_cctx_create(&p);
    smix_dctx *d = smix_dctx_create(&p);
    FUZZ_ASSERT(c && d);
    FUZZ_ASSERT(smix__cctx_set_config(c, &cfg) == SMIX_OK);

    fuzz_buf comp = {.limit = (size_t)-1};
    smix_result r = smix_compress(c, data, size, fuzz_buf_write, &comp, NULL);
    if (r != SMIX_OK)
        fprintf(stderr, "compress: %s\n", smix_strerror(r));
    FUZZ_ASSERT(r == SMIX_OK);

    smix_file_info info;
    FUZZ_ASSERT(smix_frame_info(comp.data, comp.len, &info) == SMIX_OK);
    FUZZ_ASSERT(info.input_bytes == size && info.config.vocab_size == cfg.vocab_size);

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
