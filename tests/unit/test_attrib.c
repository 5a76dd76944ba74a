/*
 * test_attrib.c - the trace's attribution and counterfactuals against brute
 * force, on the token model itself (the configurations of levels 1, 3, 5
 * and 6 (the SSM, with fewer rows than tokens), on the first kilobytes of samples/prose.txt and of a binary
 * sample).
 *
 * At every position, the terms of EVERY symbol's logit are taken
 * (model_slot_terms: NEW, every candidate, every seen token no candidate
 * offered), and then, in double precision with libm's exp:
 *   - the logits' exponentials sum to the model's normaliser (log_norm), so
 *     the terms describe the whole distribution, not only the token;
 *   - each component's "bits saved" (model_trace -> saved) equals
 *     (log sum_j e^(L_j - c_X(j)) - log Z + c_X(y)) / ln 2, the distribution
 *     recomputed without that component, which model_cf.c gets from masses
 *     by bucket and the change over each component's support instead.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components.h"
#include "model_internal.h"
#include "tok.h"

static int pass, fail;
static void check(int cond, const char *name)
{
    printf("%s %s\n", cond ? "PASS" : "FAIL", name);
    if (cond) pass++; else fail++;
}

typedef struct worst {
    double norm;              /* largest |log sum e^L - log_norm| (nats) */
    double saved;             /* largest |saved - brute force| (bits), relative to 1 + |brute force| */
    int comp;                 /* where */
    size_t pos;
    double got, want;
    size_t checked;           /* (token, component) pairs with a non-zero term somewhere */
    size_t escapes, news;     /* positions of each kind checked */
} worst;

/* Brute force at one position: every slot's terms, the normaliser, and
 * each component's counterfactual, against model_trace's record. */
static void brute(model *m, uint32_t y, const smix_token_info *t, size_t pos, float *terms, worst *w)
{
    uint32_t n = m->h.nslots;
    double *logit = malloc(n * sizeof *logit), shift = t->log_norm;
    for (uint32_t j = 0; j < n; j++) logit[j] = model_slot_terms(m, j, terms + (size_t)j * COMP_N);
    double z = 0.0;
    for (uint32_t j = 0; j < n; j++) z += exp(logit[j] - shift);
    double dn = fabs(log(z));
    if (dn > w->norm) w->norm = dn;
    const char *dbg = getenv("CFDBG");
    if (dbg && (size_t)atoi(dbg) == pos) {
        for (int c = 0; c < COMP_N; c++) {
            double dc = 0, dm = 0;
            for (uint32_t j = 0; j < n; j++) {
                double v = exp(logit[j] - shift) * (exp(-(double)terms[(size_t)j * COMP_N + c]) - 1);
                if (j == 0 || model_is_cand(m, j)) dc += v; else dm += v;
            }
            fprintf(stderr, "brute %d D/Z cand %.9g other %.9g  sum %.9g\n", c, dc / z, dm / z, (dc + dm) / z);
        }
    }
    for (int c = 0; c < COMP_N; c++) {
        double zc = 0.0;
        int any = 0;
        for (uint32_t j = 0; j < n; j++) {
            float tc = terms[(size_t)j * COMP_N + c];
            any |= tc != 0.0f;
            zc += exp(logit[j] - (double)tc - shift);
        }
        double want = (log(zc / z) + (double)terms[(size_t)y * COMP_N + c]) / log(2.0);
        double err = fabs(t->saved[c] - want) / (1.0 + fabs(want));
        w->checked += any;
        if (err > w->saved) {
            w->saved = err;
            w->comp = c;
            w->pos = pos;
            w->got = t->saved[c];
            w->want = want;
        }
    }
    free(logit);
}

/* Codes ids[0..n) through the token model as the codec does (the escape's
 * class step prepared when the token is an escape), checking each position. */
static int run(int level, const uint32_t *ids, size_t n, worst *w)
{
    smix_config cfg;
    if (smix_level_config(level, &cfg) != SMIX_OK) return -1;
    cfg.blocks = 1;
    model *m = model_create(&cfg, 1);
    float *terms = malloc((size_t)m->c.cap * COMP_N * sizeof *terms);
    smix_token_info *t = calloc(1, sizeof *t);
    if (!m || !terms || !t || model_trace_init(m, 1) != 0) return -1;
    memset(w, 0, sizeof *w);
    for (size_t i = 0; i < n; i++) {
        if (model_predict(m) < 0) return -1;
        uint32_t slot = model_slot_of(m, ids[i]);
        if (model_is_escape(m, model_symbol_of(m, ids[i]))) {
            model_escape_prepare(m);
            w->escapes++;
        }
        w->news += slot == 0;
        model_trace(m, slot, t);
        brute(m, slot, t, i, terms, w);
        smix_chunk_info ci;
        if (model_update(m, slot, ids[i], &ci) < 0) return -1;
    }
    free(t);
    free(terms);
    model_free(m);
    return 0;
}

static uint32_t *tokens_of(const char *path, size_t max_bytes, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    uint8_t *buf = malloc(max_bytes);
    size_t len = fread(buf, 1, max_bytes, f);
    fclose(f);
    uint32_t *ids = malloc((len + 1) * sizeof *ids);
    *n = tok_encode(tok_builtin(), tok_vocab_size(tok_builtin()), buf, len, ids);
    free(buf);
    return ids;
}

static void test_file(const char *path, size_t bytes)
{
    size_t n;
    uint32_t *ids = tokens_of(path, bytes, &n);
    check(ids && n > 100, path);
    if (!ids) return;
    static const int levels[] = { 1, 2, 3, 6 };
    for (size_t k = 0; k < sizeof levels / sizeof levels[0]; k++) {
        worst w = { 0 };
        char name[256];
        int ok = run(levels[k], ids, n, &w) == 0;
        snprintf(name, sizeof name, "%s level %d: %zu tokens (%zu new, %zu escapes) ran", path, levels[k], n,
                 w.news, w.escapes);
        check(ok && w.news > 0 && w.escapes > 0, name);
        snprintf(name, sizeof name, "%s level %d: every symbol's terms sum to the normaliser (worst %.2e nats)",
                 path, levels[k], w.norm);
        check(w.norm < 1e-4, name);
        snprintf(name, sizeof name, "%s level %d: bits saved = brute force on %zu (token, component) pairs "
                 "(worst %.2e: %s at token %zu, %.6f against %.6f)", path, levels[k], w.checked, w.saved,
                 smix_component_get(w.comp)->name, w.pos, w.got, w.want);
        check(w.saved < 1e-5 && w.checked > n, name);
    }
    free(ids);
}

int main(void)
{
    if (!getenv("CFONLY")) test_file("samples/prose.txt", 6000);
    test_file("samples/records.bin", 6000);
    printf("%d passed, %d failed\n", pass, fail);
    return fail ? 1 : 0;
}
