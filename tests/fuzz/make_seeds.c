/*
 * make_seeds.c - seed frames for fuzz_decode in small configurations.
 *
 *   build/fuzz-regress/make_seeds OUTDIR FILE...
 *
 * Every level's features with a vocabulary of 256 or 1,024 tokens, on the
 * first bytes of each FILE: frames that a decoder sets up in a fraction of
 * the time of a real file's (a model's set-up grows with its vocabulary),
 * so the decoder is fuzzed at hundreds of inputs a second instead of a few,
 * and the fuzzer's mutations of a header wander through configurations no
 * level writes. Written by tests/fuzz/run.sh before `make fuzz`.
 */
#include "codec.h"
#include "fuzz_common.h"
#include "smix.h"

static int put(void *ctx, const void *p, size_t n)
{
    return fwrite(p, 1, n, ctx) == n ? 0 : 1;
}

static int seed(const char *dir, const char *name, const uint8_t *src, size_t n, int level,
                uint32_t vocab)
{
    smix_config cfg;
    char path[4096];
    smix_params p = {.level = level, .threads = 1};
    smix_cctx *c = smix_cctx_create(&p);
    if (!c || smix_level_config(level, &cfg) != SMIX_OK)
        return -1;
    cfg.vocab_size = vocab;
    const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
    snprintf(path, sizeof path, "%s/%s.l%d.v%u.smx", dir, base, level, (unsigned)vocab);
    FILE *f = fopen(path, "wb");
    int rc = f && smix__cctx_set_config(c, &cfg) == SMIX_OK &&
             smix_compress(c, src, n, put, f, NULL) == SMIX_OK ? 0 : -1;
    if (f && fclose(f) != 0)
        rc = -1;
    smix_cctx_free(c);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: make_seeds OUTDIR FILE...\n");
        return 2;
    }
    for (int i = 2; i < argc; i++) {
        uint8_t buf[1024];
        FILE *f = fopen(argv[i], "rb");
        size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
        if (f)
            fclose(f);
        static const int levels[] = { 1, 2, 3, 4, 9 };
        for (size_t k = 0; k < sizeof levels / sizeof levels[0]; k++) {
            int level = levels[k];
            size_t len = level >= 4 ? n / 16 : n / 2;   /* the SSM is slower per byte */
            if (seed(argv[1], argv[i], buf, len, level, level % 2 ? 256 : 1024) != 0) {
                fprintf(stderr, "make_seeds: %s at level %d failed\n", argv[i], level);
                return 1;
            }
        }
    }
    return 0;
}
