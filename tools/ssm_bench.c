/*
 * ssm_bench.c - speed and prediction quality of the smix SSM on a real file.
 *
 * Tokenises the file simply (a word with an optional leading space, a digit,
 * or any other single byte; once `-V` rows exist, new words are spelled as
 * single-byte tokens) and drives the model exactly as the codec does: row 0
 * is the escape; a token's first occurrence is predicted as the escape
 * (target 0) and the fresh row is fed as the next input.
 *
 * Prints tokens/s of the model calls alone, mean bits/token of the model's
 * softmax on the actual target, the last chunk losses, and a hash of every
 * logit produced (equal hashes across builds / thread counts = bit-identical
 * predictions).
 *
 *   build/ssm_bench [-n TOKENS] [-t THREADS] [-V MAXROWS] [-r 0|1] [-R 0|1]
 *                   [-s 0|1|2] [-S THR] [-F 0|1] [-i ITERS_LATE] [-L LR_MILLI]
 *                   [-m SMOOTH_MILLI] FILE
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ssm.h"

typedef struct vocab {
    uint32_t *slot_row;      /* hash slot -> row+1 (0 empty) */
    uint32_t *slot_off, *slot_len;
    uint32_t nslots;
    const uint8_t *base;
} vocab;

static uint64_t hash_bytes(const uint8_t *p, uint32_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (uint32_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

/* Returns the slot of the token (found or empty). */
static uint32_t vocab_find(const vocab *v, const uint8_t *p, uint32_t n)
{
    uint32_t i = (uint32_t)hash_bytes(p, n) & (v->nslots - 1);
    while (v->slot_row[i]) {
        if (v->slot_len[i] == n && !memcmp(v->base + v->slot_off[i], p, n)) return i;
        i = (i + 1) & (v->nslots - 1);
    }
    return i;
}

static int is_word(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static uint32_t token_len(const uint8_t *p, size_t left)
{
    size_t i = (p[0] == ' ' && left > 1 && is_word(p[1])) ? 1 : 0;
    if (!is_word(p[i])) return 1;
    while (i < left && is_word(p[i])) i++;
    return (uint32_t)i;
}

typedef struct bench {
    ssm *m;
    float *logits;
    uint32_t cap;
    double bits, bits_tail, t_model;
    uint64_t n, n_tail_from, hash;
    float loss;
    int trace;          /* SSM_BENCH_TRACE set: running logit hash per position to stderr */
} bench;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Predicts, scores the target, observes. */
static int step(bench *b, uint32_t target, uint32_t input)
{
    uint32_t rows = ssm_rows(b->m);
    double t0 = now();
    ssm_predict(b->m, b->logits);
    b->t_model += now() - t0;
    double mx = b->logits[0], z = 0.0;
    for (uint32_t j = 0; j < rows; j++) mx = b->logits[j] > mx ? b->logits[j] : mx;
    for (uint32_t j = 0; j < rows; j++) z += exp((double)b->logits[j] - mx);
    double bits = (log(z) - ((double)b->logits[target] - mx)) / log(2.0);
    b->bits += bits;
    if (b->n >= b->n_tail_from) b->bits_tail += bits;
    for (uint32_t j = 0; j < rows; j++) {
        uint32_t u;
        memcpy(&u, &b->logits[j], 4);
        b->hash = (b->hash ^ u) * 1099511628211ull;
    }
    if (b->trace) fprintf(stderr, "%llu %016llx\n", (unsigned long long)b->n, (unsigned long long)b->hash);
    smix_chunk_info ci;
    t0 = now();
    if (ssm_observe(b->m, target, input, &ci)) b->loss = ci.loss;
    b->t_model += now() - t0;
    b->n++;
    return 0;
}

/* Returns the row of token p[0..n), adding it (and reporting via *is_new). */
static int64_t row_of(bench *b, vocab *v, const uint8_t *p, uint32_t n, int *is_new)
{
    uint32_t i = vocab_find(v, p, n);
    *is_new = 0;
    if (v->slot_row[i]) return v->slot_row[i] - 1;
    int r = ssm_add_row(b->m);
    if (r < 0) return -1;
    if (ssm_rows(b->m) > b->cap) {
        b->cap *= 2;
        b->logits = realloc(b->logits, b->cap * sizeof(float));
        if (!b->logits) return -1;
    }
    v->slot_row[i] = (uint32_t)r + 1;
    v->slot_off[i] = (uint32_t)(p - v->base);
    v->slot_len[i] = n;
    *is_new = 1;
    return r;
}

static int feed_token(bench *b, vocab *v, const uint8_t *p, uint32_t n)
{
    int is_new;
    int64_t r = row_of(b, v, p, n, &is_new);
    if (r < 0) return -1;
    return step(b, is_new ? 0 : (uint32_t)r, (uint32_t)r);
}

int main(int argc, char **argv)
{
    long maxtok = -1, maxrows = 8192;
    int threads = 1;
    ssm_tuning tun;
    int set_r = -1, set_R = -1, set_s = -1, set_F = -1;
    float thr = -1.0f;
    const char *path = NULL;
    smix_config cfg = { .level = 5, .n_layers = 2, .d_model = 32, .d_state = 16, .d_inner = 64,
                        .d_conv = 4, .chunk = 32, .iters_early = 8, .iters_mid = 4,
                        .iters_late = 2, .ssm_enabled = 1, .max_order = 32, .lr_milli = 200,
                        .smooth_milli = 120 };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] == '-' && a[1] && !a[2] && i + 1 < argc) {
            const char *val = argv[++i];
            switch (a[1]) {
            case 'n': maxtok = atol(val); break;
            case 't': threads = atoi(val); break;
            case 'V': maxrows = atol(val); break;
            case 'r': set_r = atoi(val); break;
            case 'R': set_R = atoi(val); break;
            case 's': set_s = atoi(val); break;
            case 'F': set_F = atoi(val); break;
            case 'S': thr = (float)atof(val); break;
            case 'i': cfg.iters_late = (uint8_t)atoi(val); break;
            case 'L': cfg.lr_milli = (uint16_t)atoi(val); break;
            case 'm': cfg.smooth_milli = (uint16_t)atoi(val); break;
            default: fprintf(stderr, "ssm_bench: unknown option %s\n", a); return 2;
            }
        } else {
            path = a;
        }
    }
    if (!path) {
        fprintf(stderr, "usage: ssm_bench [-n TOK] [-t THR] [-V ROWS] [-r 0|1] [-R 0|1] "
                        "[-s 0|1|2] [-S THR] [-F 0|1] [-i ITERS_LATE] [-L LR_MILLI] [-m SMOOTH_MILLI] FILE\n");
        return 2;
    }
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); return 1; }
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *data = malloc((size_t)sz + 1);
    if (!data || fread(data, 1, (size_t)sz, f) != (size_t)sz) { fprintf(stderr, "read failed\n"); return 1; }
    fclose(f);

    bench b = { 0 };
    b.m = ssm_create(&cfg, 12345);
    b.cap = 1024;
    b.logits = malloc(b.cap * sizeof(float));
    if (!b.m || !b.logits) { fprintf(stderr, "out of memory\n"); return 1; }
    ssm_set_threads(b.m, threads);
    ssm_get_tuning(b.m, &tun);
    if (set_r >= 0) tun.reuse_pred = set_r;
    if (set_R >= 0) tun.refresh_state = set_R;
    if (set_s >= 0) tun.sparse_head = set_s;
    if (set_F >= 0) tun.sparse_fwd = set_F;
    if (thr >= 0.0f) tun.head_thr = thr;
    ssm_set_tuning(b.m, &tun);
    b.hash = 1469598103934665603ull;
    b.trace = getenv("SSM_BENCH_TRACE") != NULL;
    vocab v = { 0 };
    v.nslots = 1u << 20;
    v.slot_row = calloc(v.nslots, 4);
    v.slot_off = calloc(v.nslots, 4);
    v.slot_len = calloc(v.nslots, 4);
    v.base = data;
    if (!v.slot_row || !v.slot_off || !v.slot_len) return 1;
    if (ssm_add_row(b.m) != 0) return 1;   /* row 0: escape */

    /* count tokens first so the tail figure covers the second half */
    uint64_t ntok = 0;
    for (size_t i = 0; i < (size_t)sz; i += token_len(data + i, (size_t)sz - i)) ntok++;
    if (maxtok >= 0 && (uint64_t)maxtok < ntok) ntok = (uint64_t)maxtok;
    b.n_tail_from = ntok / 2;

    double t0 = now();
    for (size_t i = 0; i < (size_t)sz && b.n < ntok;) {
        uint32_t n = token_len(data + i, (size_t)sz - i);
        int known = v.slot_row[vocab_find(&v, data + i, n)] != 0;
        if (known || n == 1 || (long)ssm_rows(b.m) < maxrows) {
            if (feed_token(&b, &v, data + i, n) < 0) return 1;
        } else {
            for (uint32_t k = 0; k < n && b.n < ntok; k++)
                if (feed_token(&b, &v, data + i + k, 1) < 0) return 1;
        }
        i += n;
    }
    double wall = now() - t0;
    struct timespec cpu;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
    printf("tokens %llu rows %u model %.2fs (%.0f tok/s) wall %.2fs cpu %.2fs  bits/token %.4f  "
           "2nd-half %.4f  last-loss %.4f  mem %.1fMB  hash %016llx\n",
           (unsigned long long)b.n, ssm_rows(b.m), b.t_model, (double)b.n / b.t_model, wall,
           (double)cpu.tv_sec + 1e-9 * (double)cpu.tv_nsec,
           b.bits / (double)b.n, b.bits_tail / (double)(b.n - b.n_tail_from), b.loss,
           (double)ssm_memory(b.m) / 1e6, (unsigned long long)b.hash);
    ssm_stats st;
    ssm_get_stats(b.m, &st);
    printf("  training steps %llu, head rows with gradient %.1f%% of rows (mean %.0f of %.0f)\n",
           (unsigned long long)st.steps, 100.0 * (double)st.listed_rows / (double)st.total_rows,
           (double)st.listed_rows / (double)st.steps, (double)st.total_rows / (double)st.steps);
    ssm_free(b.m);
    free(b.logits);
    free(v.slot_row); free(v.slot_off); free(v.slot_len);
    free(data);
    return 0;
}
