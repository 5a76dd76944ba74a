/*
 * forge.c - hostile but well-sealed .smx and .smt files, for the tests.
 *
 *   build/forge smx IN OUT [payload-size N] [random-payload SEED]
 *                          [byte OFFSET VALUE]...
 *   build/forge smt IN OUT [token I FIELD VALUE] [total VALUE]
 *                          [chunk I loss|lr VALUE]...
 *
 * A damaged byte is the easy case: a checksum catches it. What a reader must
 * also survive is a file whose checksums are all right but whose contents
 * are not what any encoder writes: a frame header asking for an expensive
 * model and a payload of noise (a decompression bomb), a trace whose bits
 * are NaN or 1e300. This tool edits a real file and then rewrites every
 * checksum (the frame's payload and header CRCs; the trace's section and
 * header CRCs) so that only the content checks stand between the edit and
 * the program under test.
 *
 * smx: payload-size N makes the payload N bytes long (a frame of one block;
 *      edits apply in order, so random-payload after it fills them);
 *      random-payload SEED replaces the payload with pseudo-random bytes;
 *      byte OFFSET VALUE sets one header byte (layout: engine/container.c).
 * smt: token I FIELD VALUE sets a number of token record I (format 2),
 *      FIELD one of bits logit log_norm fav_logit (f64), p_final p_ssm
 *      p_ssm_new entropy scale (f32), compN / biasN and fav_compN (the
 *      component terms), stepN and tmN (the steps' bits, f64), top_pN and
 *      ssm_pN (the top lists; ssm_p only in a trace with the SSM), savedN
 *      (the bits saved, in a trace that has them);
 *      total VALUE the header's total_bits (auto: the sum of the records'
 *      bits, as the reader checks it); chunk I loss|lr VALUE a chunk's
 *      float. VALUE is anything strtod reads: nan, inf, -inf, 1e300.
 */
#include "checksum.h"
#include "trace_format.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint8_t *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = len >= 0 ? malloc((size_t)len + 1) : NULL;
    if (b && fread(b, 1, (size_t)len, f) != (size_t)len) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *n = b ? (size_t)len : 0;
    return b;
}

static int die(const char *msg)
{
    fprintf(stderr, "forge: %s\n", msg);
    return 1;
}

/* ---------------- .smx ---------------- */

static void random_payload(uint8_t *b, size_t n, size_t hs, unsigned long seed)
{
    uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
    for (size_t i = hs; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        b[i] = (uint8_t)(x >> 32);
    }
}

static int forge_smx(uint8_t **bp, size_t *np, int argc, char **argv)
{
    uint8_t *b = *bp;
    size_t n = *np;
    if (n < 68 || memcmp(b, "SMX\x1a", 4) != 0)
        return die("not an smix frame");
    size_t hs = trc_get16(b + 6);
    if (hs < 68 || hs > n)
        return die("bad header size");
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "random-payload") && i + 1 < argc) {
            random_payload(b, n, hs, strtoul(argv[++i], NULL, 0));
        } else if (!strcmp(argv[i], "payload-size") && i + 1 < argc) {
            size_t len = strtoul(argv[++i], NULL, 0);   /* one-block frames only */
            uint8_t *nb = realloc(b, hs + len + 1);
            if (!nb)
                return die("out of memory");
            if (hs + len > n)
                memset(nb + n, 0, hs + len - n);
            *bp = b = nb;
            *np = n = hs + len;
            trc_put64(b + 48, len);
        } else if (!strcmp(argv[i], "byte") && i + 2 < argc) {
            unsigned long off = strtoul(argv[i + 1], NULL, 0);
            if (off >= hs - 4)
                return die("byte: offset outside the header");
            b[off] = (uint8_t)strtoul(argv[i + 2], NULL, 0);
            i += 2;
        } else {
            return die("smx: unknown edit");
        }
    }
    trc_put32(b + 60, crc32c(0, b + hs, n - hs));
    trc_put32(b + hs - 4, crc32c(0, b, hs - 4));
    return 0;
}

/* ---------------- .smt ---------------- */

/* A token record's field: its offset, and whether it is an f64. -1 for a
 * name this trace has no such field for. The arrays' places come from the
 * header's record layout. */
static int token_field(const uint8_t *b, const char *f, int *dbl)
{
    static const struct { const char *name; int off, dbl; } tab[] = {
        {"bits", TRC_T_BITS, 1}, {"logit", TRC_T_LOGIT, 1}, {"log_norm", TRC_T_LOGNORM, 1},
        {"fav_logit", TRC_T_FAVLOGIT, 1}, {"p_final", TRC_T_PFINAL, 0}, {"p_ssm", TRC_T_PSSM, 0},
        {"p_ssm_new", TRC_T_PSSMNEW, 0}, {"entropy", TRC_T_ENTROPY, 0}, {"scale", TRC_T_SCALE, 0},
    };
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
        if (!strcmp(f, tab[i].name)) {
            *dbl = tab[i].dbl;
            return tab[i].off;
        }
    static const struct { const char *prefix; int layout, size, dbl; } arr[] = {
        {"comp", TRC_L_COMP, 4, 0}, {"bias", TRC_L_COMP, 4, 0}, {"fav_comp", TRC_L_FAV, 4, 0},
        {"step", TRC_L_STEPS, 8, 1}, {"tm", TRC_L_TM, 8, 1}, {"top_p", TRC_L_TOPK, 8, 0},
        {"ssm_p", TRC_L_SSMTOPK, 8, 0}, {"saved", TRC_L_SAVED, 4, 0},
    };
    uint32_t ncomp = trc_get32(b + TRC_H_NCOMP), nsteps = trc_get32(b + TRC_H_NSTEPS);
    for (size_t i = 0; i < sizeof arr / sizeof arr[0]; i++) {
        size_t l = strlen(arr[i].prefix);
        int k;
        if (strncmp(f, arr[i].prefix, l) || sscanf(f + l, "%d", &k) != 1 || k < 0) continue;
        uint32_t base = trc_get32(b + TRC_H_LAYOUT + 4 * arr[i].layout);
        int topk = arr[i].layout == TRC_L_TOPK || arr[i].layout == TRC_L_SSMTOPK;
        uint32_t n = topk ? TRC_TOPK : arr[i].layout == TRC_L_STEPS || arr[i].layout == TRC_L_TM ? nsteps : ncomp;
        if (!base || (uint32_t)k >= n) return -1;
        *dbl = arr[i].dbl;
        return (int)(base + (uint32_t)k * (uint32_t)arr[i].size + (topk ? 4 : 0));
    }
    return -1;
}

static const uint8_t *section(const uint8_t *b, int s, uint64_t *count, uint32_t *elem)
{
    const uint8_t *d = b + TRC_H_SECTIONS + s * TRC_SECTION_SIZE;
    *count = trc_get64(d + 8);
    *elem = trc_get32(d + 16);
    return b + trc_get64(d);
}

static void reseal_smt(uint8_t *b, size_t n)
{
    uint32_t hs = trc_get32(b + TRC_H_HEADER_SIZE);
    for (int s = 0; s < TRC_NSECTIONS; s++) {
        uint8_t *d = b + TRC_H_SECTIONS + s * TRC_SECTION_SIZE;
        uint64_t off = trc_get64(d), count = trc_get64(d + 8), elem = trc_get32(d + 16);
        if (off <= n && count * elem <= n - off)
            trc_put32(d + 20, crc32c(0, b + off, (size_t)(count * elem)));
    }
    trc_put32(b + hs - 4, crc32c(0, b, hs - 4));
}

static int forge_smt(uint8_t *b, size_t n, int argc, char **argv)
{
    if (n < TRC_HEADER_SIZE || memcmp(b, TRC_MAGIC, TRC_MAGIC_LEN) != 0)
        return die("not a trace");
    for (int i = 0; i < argc; i++) {
        uint64_t count;
        uint32_t elem;
        if (!strcmp(argv[i], "token") && i + 3 < argc) {
            const uint8_t *sec = section(b, TRC_SEC_TOKENS, &count, &elem);
            uint64_t k = strtoull(argv[i + 1], NULL, 0);
            int dbl, off = token_field(b, argv[i + 2], &dbl);
            if (k >= count || off < 0 || (uint32_t)off + (dbl ? 8u : 4u) > elem)
                return die("token: no such record or field");
            uint8_t *r = (uint8_t *)sec + k * elem + off;
            double v = strtod(argv[i + 3], NULL);
            if (dbl)
                trc_putd(r, v);
            else
                trc_putf(r, (float)v);
            i += 3;
        } else if (!strcmp(argv[i], "total") && i + 1 < argc) {
            double v = strtod(argv[++i], NULL);
            if (!strcmp(argv[i], "auto")) {   /* the sum in record order, as the reader adds */
                const uint8_t *sec = section(b, TRC_SEC_TOKENS, &count, &elem);
                v = 0;
                for (uint64_t k = 0; k < count; k++)
                    v += trc_getd(sec + k * elem + TRC_T_BITS);
            }
            trc_putd(b + TRC_H_TOTALBITS, v);
        } else if (!strcmp(argv[i], "chunk") && i + 3 < argc) {
            const uint8_t *sec = section(b, TRC_SEC_CHUNKS, &count, &elem);
            uint64_t k = strtoull(argv[i + 1], NULL, 0);
            if (k >= count)
                return die("chunk: no such record");
            int off = !strcmp(argv[i + 2], "loss") ? 24 : !strcmp(argv[i + 2], "lr") ? 28 : -1;
            if (off < 0)
                return die("chunk: field is loss or lr");
            trc_putf((uint8_t *)sec + k * elem + off, (float)strtod(argv[i + 3], NULL));
            i += 3;
        } else {
            return die("smt: unknown edit");
        }
    }
    reseal_smt(b, n);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 4 || (strcmp(argv[1], "smx") && strcmp(argv[1], "smt"))) {
        fprintf(stderr, "usage: forge smx|smt IN OUT [EDIT...] (see tools/forge.c)\n");
        return 2;
    }
    size_t n;
    uint8_t *b = slurp(argv[2], &n);
    if (!b)
        return die("cannot read the input");
    int rc = argv[1][2] == 'x' ? forge_smx(&b, &n, argc - 4, argv + 4)
                               : forge_smt(b, n, argc - 4, argv + 4);
    if (!rc) {
        FILE *f = fopen(argv[3], "wb");
        int bad = !f || fwrite(b, 1, n, f) != n;
        if (f && fclose(f) != 0)
            bad = 1;
        if (bad)
            rc = die("cannot write the output");
    }
    free(b);
    return rc;
}
