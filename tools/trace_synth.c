/*
 * trace_synth.c - writes a realistic synthetic trace (.smt) for any file,
 * without the real engine, so the viewers and the trace tools can be built
 * and tested before (and independently of) the model.
 *
 *   build/trace_synth [-r REPEAT] IN OUT.smt
 *
 * The input is split into word-like tokens of 1-6 bytes (letters with a
 * leading space, digit runs, whitespace runs, punctuation); ids are given in
 * order of first appearance. The numbers follow a simple story that looks
 * like the real thing (a level-5 configuration: its components and coding
 * steps): tokens seen often get high probabilities, first occurrences are
 * coded through SMIX_TOKEN_NEW and cost ~15-20 bits, n-gram orders fire
 * more for frequent tokens, the SSM is a noisy version of the final
 * probability, top-k lists contain the actual token at its rank, and the
 * training loss falls chunk by chunk. The trace satisfies the same
 * invariants as a real one: the components' terms sum to the logit, the
 * steps' bits to the token's bits, (log_norm - logit) / ln 2 is the token
 * model's cost of the steps before the id, bits = -log2(p_final), and sum of
 * bits / 8 + header bytes + flush = compressed size.
 *
 * Output is deterministic: the same input always gives the same bytes (the
 * generator is seeded from the input size, and exp/log come from fmath.h).
 * -r REPEAT codes the input REPEAT times in a row (large traces for viewer
 * tests: a 1 MB file with -r 30 gives about 9M tokens).
 */
#include "smix_trace.h"
#include "checksum.h"
#include "fmath.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct synth_vocab {
    const uint8_t *text;   /* the input buffer */
    uint64_t *first_off;   /* [n] offset of the first occurrence of id */
    uint32_t *len;         /* [n] */
    uint32_t n, cap;
    uint32_t *slots;       /* hash of (bytes) -> id + 1 */
    size_t nslots;
} synth_vocab;

typedef struct synth_tok {
    uint64_t off;
    uint32_t len, id;
} synth_tok;

typedef struct synth {
    uint64_t rng;
    synth_vocab v;
    synth_tok *toks;
    size_t ntok, captok;
    uint32_t *count;       /* [v.n] occurrences so far */
    uint32_t recent[256];  /* ring of recent ids */
    uint64_t nrecent;
    uint32_t distinct;
} synth;

/* ---------------- helpers ---------------- */

static double uni(synth *s) { return (double)(fm_rng_next(&s->rng) >> 11) * (1.0 / 9007199254740992.0); }

/* approximately standard normal (Irwin-Hall of 4 uniforms, variance 1) */
static double gauss(synth *s)
{
    return (uni(s) + uni(s) + uni(s) + uni(s) - 2.0) * 1.7320508075688772;
}

static double clampd(double x, double lo, double hi) { return x < lo ? lo : x > hi ? hi : x; }

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fprintf(stderr, "trace_synth: out of memory\n");
        exit(1);
    }
    return q;
}

static int is_letter(uint8_t c) { return (c | 32) >= 'a' && (c | 32) <= 'z'; }
static int is_alpha(uint8_t c) { return is_letter(c) || c >= 0x80; }
static int is_digit(uint8_t c) { return c >= '0' && c <= '9'; }
static int is_space(uint8_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* ---------------- tokenizer and vocabulary ---------------- */

static uint64_t hash_bytes(const uint8_t *p, uint32_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (uint32_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

static void vocab_grow(synth_vocab *v)
{
    size_t ns = v->nslots ? v->nslots * 2 : 4096;
    uint32_t *sl = calloc(ns, sizeof *sl);
    if (!sl) { fprintf(stderr, "trace_synth: out of memory\n"); exit(1); }
    for (uint32_t id = 0; id < v->n; id++) {
        size_t j = hash_bytes(v->text + v->first_off[id], v->len[id]) & (ns - 1);
        while (sl[j]) j = (j + 1) & (ns - 1);
        sl[j] = id + 1;
    }
    free(v->slots);
    v->slots = sl;
    v->nslots = ns;
}

static uint32_t vocab_intern(synth_vocab *v, uint64_t off, uint32_t len)
{
    if ((size_t)(v->n + 1) * 2 > v->nslots) vocab_grow(v);
    const uint8_t *p = v->text + off;
    size_t j = hash_bytes(p, len) & (v->nslots - 1);
    for (; v->slots[j]; j = (j + 1) & (v->nslots - 1)) {
        uint32_t id = v->slots[j] - 1;
        if (v->len[id] == len && memcmp(v->text + v->first_off[id], p, len) == 0) return id;
    }
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 1024;
        v->first_off = xrealloc(v->first_off, v->cap * sizeof *v->first_off);
        v->len = xrealloc(v->len, v->cap * sizeof *v->len);
    }
    v->first_off[v->n] = off;
    v->len[v->n] = len;
    v->slots[j] = v->n + 1;
    return v->n++;
}

static const uint8_t *vocab_lookup(void *ctx, uint32_t id, uint32_t *len)
{
    const synth_vocab *v = ctx;
    if (id >= v->n) return NULL;
    *len = v->len[id];
    return v->text + v->first_off[id];
}

/* Length of the token starting at p[0..n). */
static uint32_t next_len(synth *s, const uint8_t *p, uint64_t n)
{
    uint32_t max = (uint32_t)(n < 6 ? n : 6), k = 1;
    if (p[0] == ' ' && n > 1 && is_alpha(p[1])) {
        uint32_t lim = 3 + (uint32_t)(uni(s) * 4);     /* 3..6 */
        while (k < max && k < lim && is_alpha(p[k])) k++;
    } else if (is_alpha(p[0])) {
        uint32_t lim = 2 + (uint32_t)(uni(s) * 5);     /* 2..6 */
        while (k < max && k < lim && is_alpha(p[k])) k++;
    } else if (is_digit(p[0])) {
        while (k < max && k < 3 && is_digit(p[k])) k++;
    } else if (is_space(p[0])) {
        while (k < max && k < 4 && p[k] == p[0]) k++;
    } else if (p[0] == '<' && n > 1 && p[1] == '/') {
        k = 2;
    }
    return k;
}

static void tokenize(synth *s, const uint8_t *text, uint64_t n)
{
    s->v.text = text;
    for (uint64_t off = 0; off < n;) {
        uint32_t len = next_len(s, text + off, n - off);
        if (s->ntok == s->captok) {
            s->captok = s->captok ? s->captok * 2 : 4096;
            s->toks = xrealloc(s->toks, s->captok * sizeof *s->toks);
        }
        s->toks[s->ntok++] = (synth_tok){ off, len, vocab_intern(&s->v, off, len) };
        off += len;
    }
}

/* ---------------- plausible numbers ---------------- */

/* Quantises p to a 16-bit frequency like a range coder would. */
static double quantise(double p)
{
    double f = floor(p * 65536.0 + 0.5);
    return clampd(f, 1.0, 65535.0) / 65536.0;
}

static uint32_t pick_candidate(synth *s, uint32_t avoid, const uint32_t *taken, int ntaken)
{
    for (int tries = 0; tries < 16; tries++) {
        uint32_t id;
        if (s->nrecent && uni(s) < 0.8) id = s->recent[(uint32_t)(uni(s) * 256) % (s->nrecent < 256 ? s->nrecent : 256)];
        else id = (uint32_t)(uni(s) * s->v.n);
        int dup = id == avoid;
        for (int k = 0; k < ntaken; k++) dup |= taken[k] == id;
        if (!dup) return id;
    }
    return (uint32_t)(fm_rng_next(&s->rng) % s->v.n);
}

/* A descending top-8 list in which `actual` (probability p) sits at its rank
 * if it makes the list; returns the 1-based rank (9+ if outside). */
static uint32_t make_topk(synth *s, uint32_t actual, double p, double spread,
                          uint32_t *id, float *pr)
{
    double w[SMIX_TOPK], sum = 0;
    for (int k = 0; k < SMIX_TOPK; k++) sum += w[k] = fm_exp((float)(-spread * k)) * (0.7 + 0.6 * uni(s));
    for (int k = 0; k < SMIX_TOPK; k++) w[k] *= 0.9 / sum;
    for (int i = 1; i < SMIX_TOPK; i++)           /* insertion sort, descending */
        for (int j = i; j > 0 && w[j] > w[j - 1]; j--) { double x = w[j]; w[j] = w[j - 1]; w[j - 1] = x; }
    int r = 0;
    while (r < SMIX_TOPK && w[r] > p) r++;
    if (r < SMIX_TOPK) {
        for (int k = SMIX_TOPK - 1; k > r; k--) w[k] = w[k - 1];
        w[r] = p;
    }
    for (int k = 0; k < SMIX_TOPK; k++) {
        id[k] = k == r ? actual : pick_candidate(s, actual, id, k);
        pr[k] = (float)w[k];
    }
    return r < SMIX_TOPK ? (uint32_t)r + 1 : SMIX_TOPK + 1 + (uint32_t)(uni(s) * 1.0 / (p + 1e-4));
}

/* A term for every component the configuration uses, by its name: the
 * n-gram orders only up to the token's longest order, the NEW features and
 * NEW's APM only on NEW, the others on any token. Returns their sum. */
static double fill_terms(synth *s, const smix_config *cfg, int is_new, int order, float *c)
{
    double sum = 0;
    memset(c, 0, SMIX_MAX_COMPONENTS * sizeof *c);
    for (int i = 0; i < smix_component_count(); i++) {
        const char *n = smix_component_get(i)->name;
        int ng = n[0] == 'n' && n[1] == 'g' ? atoi(n + 2) : 0, newf = strncmp(n, "new_", 4) == 0 || !strcmp(n, "apm_new");
        if (!smix_component_used(cfg, i) || (ng && (is_new || ng > order)) || newf != is_new) continue;
        c[i] = (float)(0.3 * gauss(s) + (ng ? 0.25 + 0.03 * ng : 0.1));
        sum += c[i];
    }
    return sum;
}

/* The cost of the token model's steps (is_cand, cand_walk, is_new,
 * esc_walk), what the byte model made of them, and the id tree's (the id
 * step, or new_walk where cfg spells new tokens); t->bits their sum.
 * Returns the token model's cost before the id. */
static double fill_steps(synth *s, const smix_config *cfg, smix_token_info *t, double p, int escaped)
{
    static const char *const names[] = { "is_cand", "cand_walk", "is_new", "esc_walk", "id" };
    double tm[5] = { 0 };
    if (t->is_new) {
        tm[0] = -log2(1.0 - 0.3 * p);
        tm[2] = -log2(p / (1.0 - 0.3 * p));
        tm[4] = 15.0;
    } else if (escaped) {
        tm[0] = 1.0;
        tm[2] = 0.2;
        tm[3] = -log2(p) > 2.0 ? -log2(p) - 1.2 : 0.8;
    } else {
        tm[0] = -log2(p) * 0.1;
        tm[1] = -log2(p) * 0.9;
    }
    memset(t->step_bits, 0, sizeof t->step_bits);
    memset(t->step_tm, 0, sizeof t->step_tm);
    for (int i = 0; i < smix_step_count(); i++) {
        for (int k = 0; k < 5; k++) {
            const char *n = smix_step_get(i)->name;
            int spelled = k == 4 && !strcmp(n, "new_walk");
            if ((strcmp(n, names[k]) && !spelled) || tm[k] <= 0 || !smix_step_used(cfg, i)) continue;
            t->step_tm[i] = tm[k];
            t->step_bits[i] = k == 4 && !spelled ? tm[k] : tm[k] * (0.97 + 0.04 * uni(s));   /* the byte model's part */
        }
    }
    t->bits = 0;
    for (int i = 0; i < smix_step_count(); i++) t->bits += t->step_bits[i];
    return tm[0] + tm[1] + tm[2] + tm[3];
}

static int8_t pick_order(synth *s, uint32_t c)
{
    if (c == 0) return 0;
    double q = 0.45 + 0.45 * (1.0 - 1.0 / (c + 1.0));
    int o = 0;
    while (o < 4 && uni(s) < q) o++;
    return (int8_t)o;
}

/* The rival: another candidate with terms of its own. */
static void fill_rival(synth *s, const smix_config *cfg, smix_token_info *t, uint32_t id)
{
    t->fav_id = t->top_id[0] != id ? t->top_id[0] : t->top_id[1];
    if (t->top_id[0] == id) t->flags |= SMIX_TI_FAV;
    t->fav_logit = fill_terms(s, cfg, t->fav_id == SMIX_TOKEN_NEW, 2, t->fav_comp);
}

static void make_token(synth *s, const smix_config *cfg, uint64_t i, smix_token_info *t)
{
    const synth_tok *k = &s->toks[i];
    uint32_t c = s->count[k->id];
    memset(t, 0, sizeof *t);
    t->index = i;
    t->offset = k->off;
    t->length = k->len;
    t->token_id = k->id;
    t->bytes = s->v.text + k->off;
    t->is_new = c == 0;
    t->longest_order = pick_order(s, c);
    t->longest_count = t->longest_order ? 1 + (uint32_t)(uni(s) * c) : 0;
    double p;
    if (t->is_new) {
        p = quantise(clampd((s->distinct + 1.0) / (i + s->distinct + 2.0), 0.002, 0.9));
        t->entropy = (float)(8.0 + 4.0 * uni(s));
    } else {
        double logit = 1.2 * fm_log((float)c + 1.0f) - 1.5 + 1.4 * gauss(s) + 0.25 * t->longest_order / 4.0;
        p = quantise(clampd(1.0 / (1.0 + fm_exp((float)-logit)), 1e-5, 0.999));
        t->p_ssm = (float)clampd(p * fm_exp((float)(0.8 * gauss(s) - 0.2)), 1e-7, 0.999);
        t->entropy = (float)clampd(0.3 + 0.6 * -log2(t->p_ssm) + gauss(s), 0.05, 14.0);
        t->flags |= SMIX_TI_SSM;
    }
    t->p_ssm_new = (float)clampd(0.5 * (s->distinct + 1.0) / (i + 2.0), 1e-4, 0.9);
    t->scale = (float)clampd(1.5 - t->entropy / 10.0 + 0.1 * gauss(s), 0.2, 2.0);
    double info = fill_steps(s, cfg, t, p, !t->is_new && p < 0.01);
    t->p_final = (float)exp2(-t->bits);
    t->logit = fill_terms(s, cfg, t->is_new, t->longest_order, t->comp);
    t->log_norm = t->logit + info * 0.69314718055994531;
    t->rank_final = 1 + (uint32_t)(uni(s) * 2.0 / p);
    double spread = 0.15 + 1.5 / (1.0 + t->entropy);
    make_topk(s, t->is_new ? SMIX_TOKEN_NEW : k->id, p, spread, t->top_id, t->top_p);
    fill_rival(s, cfg, t, t->is_new ? SMIX_TOKEN_NEW : k->id);
    uint32_t r = make_topk(s, k->id, t->p_ssm, spread * 0.8, t->ssm_top_id, t->ssm_top_p);
    t->rank_ssm = t->is_new ? 0 : r;
    if (t->is_new)   /* the SSM has no opinion on unseen tokens: keep it out of its list */
        for (int j = 0; j < SMIX_TOPK; j++)
            if (t->ssm_top_id[j] == k->id) t->ssm_top_id[j] = pick_candidate(s, k->id, t->ssm_top_id, j);
}

/* ---------------- driver ---------------- */

static void fill_info(const synth *s, smix_file_info *f, uint64_t n, uint32_t crc, double bits, int end)
{
    memset(f, 0, sizeof *f);
    f->format_version = SMIX_FORMAT_VERSION;
    f->input_bytes = n;
    f->checksum = crc;
    f->header_bytes = 40;
    if (end) {
        f->tokens = s->ntok;
        f->payload_bytes = (uint64_t)ceil(bits / 8.0) + 7;   /* and the coder's flush */
        f->compressed_bytes = f->header_bytes + f->payload_bytes;
    }
    smix_level_config(5, &f->config);
    f->config.vocab_size = s->v.n;
    f->config.blocks = 1;
}

static void emit_chunk(const smix_hooks *h, synth *s, uint64_t ci, uint64_t first, uint32_t n)
{
    smix_chunk_info c = { ci, first, n, ci < 10 ? 4 : ci < 30 ? 2 : 1, 0, 0.002f };
    c.loss = (float)(2.5 + 4.5 * fm_exp((float)(-(double)ci / 30.0)) + 0.2 * gauss(s));
    h->chunk(h->user, &c);
}

static void run(const smix_hooks *h, synth *s, uint64_t n, uint32_t crc)
{
    smix_file_info f;
    fill_info(s, &f, n, crc, 0, 0);
    h->begin(h->user, &f);
    s->count = calloc(s->v.n ? s->v.n : 1, sizeof *s->count);
    if (!s->count) { fprintf(stderr, "trace_synth: out of memory\n"); exit(1); }
    double bits = 0;
    for (uint64_t i = 0; i < s->ntok; i++) {
        smix_token_info t;
        make_token(s, &f.config, i, &t);
        h->token(h->user, &t);
        bits += t.bits;
        s->distinct += s->count[t.token_id]++ == 0;
        s->recent[s->nrecent++ % 256] = t.token_id;
        if ((i + 1) % 64 == 0 || i + 1 == s->ntok)
            emit_chunk(h, s, i / 64, i / 64 * 64, (uint32_t)(i % 64 + 1));
    }
    fill_info(s, &f, n, crc, bits, 1);
    h->end(h->user, &f);
}

static uint8_t *read_file(const char *path, unsigned repeat, uint64_t *n)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) { perror(path); return NULL; }
    size_t cap = 1 << 16, len = 0, k;
    uint8_t *b = xrealloc(NULL, cap);
    while ((k = fread(b + len, 1, cap - len, fp)) > 0)
        if ((len += k) == cap) b = xrealloc(b, cap *= 2);
    int bad = ferror(fp);
    fclose(fp);
    if (bad) { perror(path); free(b); return NULL; }
    b = xrealloc(b, len * repeat);
    for (unsigned r = 1; r < repeat; r++) memcpy(b + len * r, b, len);
    *n = (uint64_t)len * repeat;
    return b;
}

int main(int argc, char **argv)
{
    unsigned repeat = 1;
    if (argc == 5 && strcmp(argv[1], "-r") == 0) {
        repeat = (unsigned)strtoul(argv[2], NULL, 10);
        argv += 2;
        argc -= 2;
    }
    if (argc != 3 || repeat < 1 || repeat > 1000) {
        fprintf(stderr, "usage: trace_synth [-r REPEAT] IN OUT.smt\n");
        return 2;
    }
    uint64_t n = 0;
    uint8_t *text = read_file(argv[1], repeat, &n);
    if (!text) return 1;
    synth s;
    memset(&s, 0, sizeof s);
    s.rng = 0x5EED5EEDull ^ n;
    tokenize(&s, text, n);
    char err[512];
    smix_trace_writer *w = smix_trace_writer_open(argv[2], err, sizeof err);
    if (!w) { fprintf(stderr, "trace_synth: %s\n", err); return 1; }
    smix_trace_writer_set_vocab(w, vocab_lookup, &s.v);
    smix_hooks h;
    smix_trace_writer_hooks(w, &h, NULL);
    run(&h, &s, n, crc32c(0, text, n));
    int rc = smix_trace_writer_finish(w, err, sizeof err);
    if (rc) fprintf(stderr, "trace_synth: %s\n", err);
    free(s.toks); free(s.count); free(s.v.first_off); free(s.v.len); free(s.v.slots); free(text);
    return rc ? 1 : 0;
}
