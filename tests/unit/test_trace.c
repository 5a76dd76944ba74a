/*
 * test_trace.c - the trace writer, reader, report and dump commands.
 *
 * Writes traces through the hooks with synthetic records whose every field
 * is a known function of the token index, reads them back field by field
 * (floats compared bit for bit), seeks, maps offsets to tokens, and then
 * damages the file in every way we can think of (truncation at many
 * lengths, flipped bytes, foreign magic, newer major version): open must
 * fail with a message and never crash. Run it under ASan/UBSan too.
 */
#include "smix_trace.h"
#include "trace_format.h"
#include "checksum.h"
#include "components.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The CLI's dump/report code is tested here too (it has no engine state). */
#include "../../cli/trace_cmds.c"

static int failures, checks;

#define EXPECT(cond, ...) do { \
    checks++; \
    if (!(cond)) { failures++; printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } \
} while (0)

/* ---------------- synthetic input ---------------- */

#define NTOK 1000

/* The "file": token i has length 1 + i % 5 and bytes derived from i % 37 (so
 * ids repeat); id 7 appears as an actual token with bytes that differ from
 * what the vocabulary says, to exercise variant entries. */
static uint32_t tok_id(uint64_t i) { return (uint32_t)(i % 37) * 3; }
static uint32_t tok_len(uint64_t i) { return 1 + (uint32_t)(tok_id(i) % 5); }
static void tok_bytes(uint32_t id, uint32_t len, uint8_t *out)
{
    for (uint32_t k = 0; k < len; k++) out[k] = (uint8_t)(id * 7 + k * 13);   /* includes 0, \n, '"', high bytes */
}

/* vocabulary: id -> bytes like tok_bytes, except 3*7=21 (differs) and ids
 * >= 200 (unknown) */
typedef struct vocab { uint8_t buf[16]; } vocab;
static const uint8_t *test_vocab(void *ctx, uint32_t id, uint32_t *len)
{
    vocab *v = ctx;
    if (id >= 200) return NULL;
    *len = 1 + id % 5;
    tok_bytes(id, *len, v->buf);
    if (id == 21) v->buf[0] ^= 0xFF;
    return v->buf;
}

static float fval(uint64_t i, int k) { return (float)((double)(i * 31 + (uint64_t)k * 7) / 1013.0 - 0.25); }

static void make_token(uint64_t i, uint64_t off, uint8_t *bytes, smix_token_info *t)
{
    memset(t, 0, sizeof *t);
    t->index = i;
    t->offset = off;
    t->token_id = tok_id(i);
    t->length = tok_len(i);
    tok_bytes(t->token_id, t->length, bytes);
    t->bytes = bytes;
    t->is_new = i < 37;
    t->longest_order = (int8_t)(i % 33);
    t->longest_count = (uint32_t)(i * 5);
    t->flags = (uint8_t)(i % 4);
    if (t->flags & SMIX_TI_SSM) {
        t->p_ssm = fval(i, 1);
        t->rank_ssm = (uint32_t)(i % 100);
    }
    t->p_ssm_new = fval(i, 4);
    t->entropy = fval(i, 2);
    t->scale = fval(i, 3);
    for (int c = 0; c < SMIX_MAX_COMPONENTS; c++) {
        t->comp[c] = fval(i, 10 + c);
        t->fav_comp[c] = fval(i, 60 + c);
        t->saved[c] = fval(i, 110 + c);
    }
    t->logit = fval(i, 5) * 3.0;
    t->log_norm = t->logit + 1.5;
    t->fav_logit = fval(i, 6);
    t->fav_id = (uint32_t)((i * 5) % 230);
    t->rank_final = (uint32_t)(1 + i % 9);
    t->p_final = (float)(1.0 / (2 + i % 50));
    t->bits = -log2((double)t->p_final);
    for (int k = 0; k < SMIX_MAX_STEPS; k++) {
        t->step_bits[k] = t->bits * (k + 1) / 100.0;
        t->step_tm[k] = t->bits * (k + 2) / 100.0;
    }
    for (int k = 0; k < SMIX_TOPK; k++) {
        t->top_id[k] = k == 7 ? SMIX_TOKEN_NEW : (uint32_t)((i + (uint64_t)k * 11) % 230);
        t->top_p[k] = fval(i, 30 + k);
        t->ssm_top_id[k] = (uint32_t)((i * 3 + (uint64_t)k) % 210);
        t->ssm_top_p[k] = fval(i, 40 + k);
    }
}

static uint64_t input_bytes(void)
{
    uint64_t n = 0;
    for (uint64_t i = 0; i < NTOK; i++) n += tok_len(i);
    return n;
}

static void make_info(smix_file_info *f, int end)
{
    memset(f, 0, sizeof *f);
    f->format_version = 1;
    f->input_bytes = input_bytes();
    f->tokens = end ? NTOK : 0;
    f->header_bytes = 33;
    f->payload_bytes = end ? 1234 : 0;
    f->compressed_bytes = end ? 1267 : 0;
    f->checksum = 0xDEADBEEF;
    smix_config c = { .level = 5, .n_layers = 2, .d_model = 64, .d_state = 16, .d_inner = 128,
                      .d_conv = 4, .chunk = 64, .iters_early = 4, .iters_mid = 2, .iters_late = 1,
                      .ssm_enabled = 1, .skip_context = 1, .max_order = 32, .lr_milli = 200,
                      .smooth_milli = 10, .vocab_size = 4096 };
    f->config = c;
}

typedef struct chain_count { int begin, token, chunk, end, progress; } chain_count;
static void c_begin(void *u, const smix_file_info *f) { (void)f; ((chain_count *)u)->begin++; }
static void c_token(void *u, const smix_token_info *t) { (void)t; ((chain_count *)u)->token++; }
static void c_chunk(void *u, const smix_chunk_info *c) { (void)c; ((chain_count *)u)->chunk++; }
static void c_end(void *u, const smix_file_info *f) { (void)f; ((chain_count *)u)->end++; }
static int c_progress(void *u, uint64_t a, uint64_t b, uint64_t c, double d)
{
    (void)a; (void)b; (void)c; (void)d;
    ((chain_count *)u)->progress++;
    return 7;
}

/* Writes the synthetic trace to path with ntok tokens; returns finish's result. */
static int write_trace(const char *path, uint64_t ntok, int out_of_order, chain_count *cc, int saved)
{
    char err[256];
    vocab v;
    smix_trace_writer *w = smix_trace_writer_open(path, err, sizeof err);
    EXPECT(w != NULL, "writer_open: %s", err);
    if (!w) return -1;
    smix_trace_writer_set_vocab(w, test_vocab, &v);
    smix_trace_writer_set_saved(w, saved);
    smix_hooks chain = { SMIX_HOOKS_VERSION, cc, c_begin, c_token, c_chunk, c_end, c_progress, 0 };
    smix_hooks h;
    smix_trace_writer_hooks(w, &h, cc ? &chain : NULL);
    EXPECT(h.flags == (saved ? SMIX_HOOK_SAVED : 0u), "the hooks ask for the bits saved when the writer does");
    smix_file_info f;
    make_info(&f, 0);
    h.begin(h.user, &f);
    uint64_t off = 0;
    for (uint64_t i = 0; i < ntok; i++) {
        smix_token_info t;
        uint8_t bytes[16];
        make_token(i, off, bytes, &t);
        if (out_of_order && i == 5) t.index = 6;
        h.token(h.user, &t);
        off += t.length;
        if (i % 64 == 63) {
            smix_chunk_info c = { i / 64, i / 64 * 64, 64, (uint32_t)i, fval(i, 50), fval(i, 51) };
            h.chunk(h.user, &c);
        }
    }
    EXPECT(h.progress(h.user, 1, 2, 3, 4.0) == (cc ? 7 : 0), "progress chain");
    make_info(&f, 1);
    h.end(h.user, &f);
    int rc = smix_trace_writer_finish(w, err, sizeof err);
    if (!out_of_order) EXPECT(rc == 0, "finish: %s", err);
    else EXPECT(rc != 0 && strstr(err, "token 6"), "out-of-order token must fail: %s", err);
    return rc;
}

static int feq(float a, float b) { return memcmp(&a, &b, sizeof a) == 0; }

/* ---------------- read back ---------------- */

/* The engine's indices of the components and steps the test config uses. */
static uint32_t used_comps(int *idx)
{
    smix_file_info f;
    make_info(&f, 1);
    uint32_t n = 0;
    for (int i = 0; i < smix_component_count(); i++)
        if (smix_component_used(&f.config, i)) idx[n++] = i;
    return n;
}

static uint32_t used_steps(int *idx)
{
    smix_file_info f;
    make_info(&f, 1);
    uint32_t n = 0;
    for (int i = 0; i < smix_step_count(); i++)
        if (smix_step_used(&f.config, i)) idx[n++] = i;
    return n;
}

static void check_tokens(const smix_trace *t, int saved)
{
    uint64_t off = 0;
    for (uint64_t i = 0; i < NTOK; i++) {
        smix_token_info e;
        uint8_t bytes[16];
        make_token(i, off, bytes, &e);
        off += e.length;
        smix_trace_token g;
        smix_trace_topk k;
        EXPECT(smix_trace_get_token(t, i, &g) == 0, "get_token %llu", (unsigned long long)i);
        EXPECT(smix_trace_get_topk(t, i, &k) == 0, "get_topk");
        int ci[SMIX_MAX_COMPONENTS], si[SMIX_MAX_STEPS];
        uint32_t nc = used_comps(ci), ns = used_steps(si);
        int same = g.index == i && g.offset == e.offset && g.length == e.length &&
                   g.token_id == e.token_id && memcmp(g.bytes, e.bytes, e.length) == 0 &&
                   g.is_new == e.is_new && g.longest_order == e.longest_order && g.flags == e.flags &&
                   g.longest_count == e.longest_count && feq(g.p_ssm, e.p_ssm) && feq(g.p_ssm_new, e.p_ssm_new) &&
                   g.rank_ssm == e.rank_ssm && feq(g.entropy, e.entropy) && g.rank_final == e.rank_final &&
                   feq(g.scale, e.scale) && feq(g.p_final, e.p_final) && g.bits == e.bits &&
                   g.logit == e.logit && g.log_norm == e.log_norm && g.fav_logit == e.fav_logit &&
                   g.fav_id == e.fav_id && g.n_comp == nc && g.n_steps == ns;
        for (uint32_t c = 0; c < nc && same; c++)
            same &= feq(g.comp[c], e.comp[ci[c]]) && feq(g.fav_comp[c], e.fav_comp[ci[c]]) &&
                    feq(g.saved[c], saved ? e.saved[ci[c]] : 0.0f);
        for (uint32_t j = 0; j < ns && same; j++)
            same &= g.step_bits[j] == e.step_bits[si[j]] && g.step_tm[j] == e.step_tm[si[j]];
        for (int j = 0; j < SMIX_TOPK; j++)
            same &= k.id[j] == e.top_id[j] && feq(k.p[j], e.top_p[j]) &&
                    k.ssm_id[j] == e.ssm_top_id[j] && feq(k.ssm_p[j], e.ssm_top_p[j]);
        EXPECT(same, "token %llu differs after read back", (unsigned long long)i);
        if (!same) return;
    }
    smix_trace_token g;
    smix_trace_topk k;
    EXPECT(smix_trace_get_token(t, NTOK, &g) == -1 && smix_trace_get_topk(t, NTOK, &k) == -1,
           "out of range must be -1");
}

static void check_offsets(const smix_trace *t)
{
    uint64_t off = 0;
    int ok = 1;
    for (uint64_t i = 0; i < NTOK; i++)
        for (uint32_t b = 0; b < tok_len(i); b++, off++)
            ok &= smix_trace_token_at_offset(t, off) == i;
    EXPECT(ok, "token_at_offset for every byte");
    EXPECT(smix_trace_token_at_offset(t, off + 100) == NTOK - 1, "offset past the end");
    /* seek: token i at random positions directly */
    smix_trace_token g;
    EXPECT(smix_trace_get_token(t, 777, &g) == 0 && g.index == 777 && g.token_id == tok_id(777), "seek 777");
}

static void check_vocab(const smix_trace *t)
{
    uint32_t len = 0;
    uint8_t want[16];
    const uint8_t *p = smix_trace_vocab_token(t, 3, &len);
    tok_bytes(3, 4, want);
    EXPECT(p && len == 4 && memcmp(p, want, 4) == 0, "vocab id 3");
    p = smix_trace_vocab_token(t, SMIX_TOKEN_NEW, &len);
    EXPECT(p && len == strlen(TRC_NEW_TEXT) && memcmp(p, TRC_NEW_TEXT, len) == 0, "NEW entry");
    EXPECT(smix_trace_vocab_token(t, 205, &len) == NULL, "unknown id has no string");
    p = smix_trace_vocab_token(t, 199, &len);   /* only ever a candidate */
    tok_bytes(199, 5, want);
    EXPECT(p && len == 5 && memcmp(p, want, 5) == 0, "candidate-only id from vocab");
    /* id 21: candidate first (vocab bytes, altered) or actual first; either
     * way the actual token must show its own bytes */
    smix_trace_token g;
    EXPECT(smix_trace_get_token(t, 7, &g) == 0 && g.token_id == 21, "token 7 is id 21");
    tok_bytes(21, 2, want);
    EXPECT(g.length == 2 && memcmp(g.bytes, want, 2) == 0, "variant bytes kept for the actual token");
    EXPECT(smix_trace_vocab_size(t) == 4096, "vocab size");
}

static void check_summary(const smix_trace *t)
{
    smix_trace_summary s;
    smix_trace_get_summary(t, &s);
    double bits = 0;
    for (uint64_t i = 0; i < NTOK; i++) bits += -log2((double)(float)(1.0 / (2 + i % 50)));
    EXPECT(s.input_bytes == input_bytes() && s.tokens == NTOK && s.header_bytes == 33 &&
           s.payload_bytes == 1234 && s.compressed_bytes == 1267 && s.checksum == 0xDEADBEEF &&
           s.chunks == NTOK / 64 && s.vocab_size == 4096, "summary fields");
    EXPECT(fabs(s.total_bits - bits) < 1e-6, "total bits %f vs %f", s.total_bits, bits);
    EXPECT(s.config.level == 5 && s.config.ssm_enabled == 1 && s.config.skip_context == 1 && s.config.d_inner == 128 && s.config.max_order == 32 &&
           s.config.lr_milli == 200 && s.config.smooth_milli == 10, "config");
    smix_chunk_info c;
    EXPECT(smix_trace_chunk_count(t) == s.chunks, "chunk count");
    EXPECT(smix_trace_get_chunk(t, 3, &c) == 0 && c.chunk_index == 3 && c.first_token == 192 &&
           c.n_tokens == 64 && c.iterations == 255 && feq(c.loss, fval(255, 50)) &&
           feq(c.lr, fval(255, 51)), "chunk 3");
    EXPECT(smix_trace_get_chunk(t, s.chunks, &c) == -1, "chunk out of range");
    unsigned ma, mi;
    smix_trace_version(t, &ma, &mi);
    EXPECT(ma == 2 && mi == 1, "version");
    /* the trace's components are the config's, with the engine's names */
    int ci[SMIX_MAX_COMPONENTS];
    uint32_t nc = used_comps(ci);
    smix_trace_part p;
    int ok = smix_trace_component_count(t) == nc;
    for (uint32_t j = 0; j < nc && ok; j++)
        ok &= smix_trace_component(t, j, &p) == 0 && strcmp(p.name, smix_component_get(ci[j])->name) == 0 &&
              strcmp(p.group, smix_component_get(ci[j])->group) == 0 &&
              strcmp(p.description, smix_component_get(ci[j])->description) == 0;
    EXPECT(ok, "component table");
    EXPECT(smix_trace_component_index(t, "ng4") >= 0 && smix_trace_component_index(t, "skip4") == -1 &&
           smix_trace_step_index(t, "sym") >= 0 && smix_trace_step_index(t, "esc_walk") == -1 &&
           smix_trace_step(t, (uint32_t)smix_trace_step_index(t, "rank"), &p) == 0 && !p.mixed, "names");
    EXPECT(s.flags == SMIX_TRACE_SSM, "flags");
}

/* ---------------- damage ---------------- */

static uint8_t *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)sz + 1);
    *n = fread(b, 1, (size_t)sz, f);
    fclose(f);
    return b;
}

static void spit(const char *path, const uint8_t *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (n) fwrite(b, 1, n, f);
    fclose(f);
}

/* 1 if open fails with a non-empty message (and a successful open is closed). */
static int open_fails(const char *path, unsigned flags, const char *want)
{
    char err[512] = "";
    smix_trace *t = smix_trace_open_ex(path, flags, err, sizeof err);
    if (t) { smix_trace_close(t); return 0; }
    return err[0] != 0 && (!want || strstr(err, want) != NULL);
}

static void check_damage(const char *good, const char *bad)
{
    size_t n;
    uint8_t *b = slurp(good, &n);
    EXPECT(b != NULL, "read trace");
    if (!b) return;
    int ok = 1;
    for (size_t len = 0; len < n; len += len < 700 ? 1 : 997) {   /* truncation */
        spit(bad, b, len);
        ok &= open_fails(bad, 0, NULL) && open_fails(bad, SMIX_TRACE_OPEN_LAZY, NULL);
    }
    EXPECT(ok, "every truncation is refused");
    ok = 1;
    for (size_t i = 0; i < n; i += i < 400 ? 1 : 509) {            /* flipped bytes */
        b[i] ^= 0x5A;
        spit(bad, b, n);
        ok &= open_fails(bad, 0, NULL);
        b[i] ^= 0x5A;
    }
    EXPECT(ok, "every flipped byte is refused");
    uint8_t *x = malloc(n + 5);
    memcpy(x, b, n);
    memset(x + n, 0, 5);
    spit(bad, x, n + 5);   /* trailing garbage is tolerated (sections are located by the header) */
    EXPECT(!open_fails(bad, 0, NULL), "trailing bytes tolerated");
    memcpy(x, "SMIXTRCX", 8);
    spit(bad, x, n);
    EXPECT(open_fails(bad, 0, "not a smix trace"), "wrong magic");
    memcpy(x, b, n);
    trc_put16(x + TRC_H_MAJOR, 3);
    spit(bad, x, n);
    EXPECT(open_fails(bad, 0, "newer"), "newer major version");
    trc_put16(x + TRC_H_MAJOR, 1);
    spit(bad, x, n);
    EXPECT(open_fails(bad, 0, "write the trace again"), "format 1 is refused with how to regenerate it");
    trc_put16(x + TRC_H_MAJOR, 2);
    trc_put16(x + TRC_H_MINOR, 9);    /* a newer minor is read (after fixing the CRC) */
    trc_put32(x + TRC_HEADER_SIZE - 4, crc32c(0, x, TRC_HEADER_SIZE - 4));
    spit(bad, x, n);
    EXPECT(!open_fails(bad, 0, NULL), "newer minor version accepted");
    /* lazy open: a damaged token record is found by verify, and the damaged
     * record is refused by get_token instead of reading out of bounds */
    memcpy(x, b, n);
    uint32_t rec = trc_get32(x + TRC_H_SECTIONS + 16);   /* the token records' size */
    trc_put32(x + TRC_HEADER_SIZE + 5 * rec + TRC_T_STR, 0xFFFFFF);
    spit(bad, x, n);
    char err[256];
    smix_trace *t = smix_trace_open_ex(bad, SMIX_TRACE_OPEN_LAZY, err, sizeof err);
    EXPECT(t != NULL, "lazy open: %s", err);
    smix_trace_token g;
    EXPECT(t && smix_trace_verify(t, err, sizeof err) == -1 && strstr(err, "checksum"), "verify finds damage");
    EXPECT(t && smix_trace_get_token(t, 5, &g) == -1 && smix_trace_get_token(t, 4, &g) == 0, "damaged record refused");
    smix_trace_close(t);
    EXPECT(open_fails(bad, 0, NULL), "eager open refuses it");
    EXPECT(open_fails("/nonexistent/x.smt", 0, "No such file"), "missing file");
    EXPECT(open_fails("/tmp", 0, "directory"), "directory");
    free(x);
    free(b);
}

/* ---------------- report and dump ---------------- */

static void check_report(const smix_trace *t)
{
    smix_trace_report r;
    EXPECT(smix_trace_report_compute(t, &r) == 0, "report");
    double bits = 0;
    for (uint64_t i = 0; i < NTOK; i++) bits += -log2((double)(float)(1.0 / (2 + i % 50)));
    EXPECT(r.tokens == NTOK && fabs(r.total_bits - bits) < 1e-6, "report totals");
    double sb = 0;
    uint64_t st = 0, sbytes = 0;
    for (uint32_t s = 0; s < r.n_stretches; s++) {
        sb += r.stretch[s].bits;
        st += r.stretch[s].tokens;
        sbytes += r.stretch[s].bytes;
    }
    EXPECT(st == NTOK && sbytes == input_bytes() && fabs(sb - bits) < 1e-6, "stretches cover the file");
    uint64_t hc = 0;
    for (int h = 0; h < SMIX_REPORT_HIST_BINS; h++) hc += r.hist[h].count;
    EXPECT(hc == NTOK, "histogram covers every token");
    uint64_t tc = 0;
    for (int k = 0; k < SMIX_TTYPE_COUNT; k++) tc += r.type[k].count;
    EXPECT(tc == NTOK, "types cover every token");
    EXPECT(r.n_costly == SMIX_REPORT_TOP && r.costly[0].bits >= r.costly[1].bits &&
           r.costly[0].bits == -log2((double)(float)(1.0 / 51)), "costliest tokens sorted");
    /* order fired: longest_order = i % 33 */
    uint64_t want = 0;
    for (uint64_t i = 0; i < NTOK; i++) want += (int)(i % 33) >= 16;
    EXPECT(r.n_orders == SMIX_REPORT_ORDERS && r.order[8].order == 16 && r.order[8].count == want, "ng16 fired count");
    /* components: pull and margin from the terms; steps from their bits */
    int ci[SMIX_MAX_COMPONENTS];
    uint32_t nc = used_comps(ci);
    double pull = 0, margin = 0, step0 = 0;
    for (uint64_t i = 0; i < NTOK; i++) {
        smix_token_info e;
        uint8_t bytes[16];
        make_token(i, 0, bytes, &e);
        pull += e.comp[ci[2]] * 1.4426950408889634;
        margin += ((double)e.comp[ci[2]] - e.fav_comp[ci[2]]) * 1.4426950408889634;
        step0 += e.step_bits[STEP_SYM];
    }
    EXPECT(r.n_comp == nc && fabs(r.comp[2].pull - pull) < 1e-6 && fabs(r.comp[2].margin - margin) < 1e-6,
           "component pull %f/%f margin %f/%f", r.comp[2].pull, pull, r.comp[2].margin, margin);
    EXPECT(r.n_steps == 5 && fabs(r.step[0].bits - step0) < 1e-6, "steps");
    EXPECT(strcmp(smix_trace_token_type_name(smix_trace_token_type((const uint8_t *)" hello", 6)), "word") == 0 &&
           smix_trace_token_type((const uint8_t *)"123", 3) == SMIX_TTYPE_NUMBER &&
           smix_trace_token_type((const uint8_t *)"</", 2) == SMIX_TTYPE_MARKUP &&
           smix_trace_token_type((const uint8_t *)" \n\t", 3) == SMIX_TTYPE_WHITESPACE &&
           smix_trace_token_type((const uint8_t *)"?!", 2) == SMIX_TTYPE_PUNCT,
           "token types");
}

static char *read_text(FILE *f, size_t *n)
{
    fflush(f);
    long sz = ftell(f);
    rewind(f);
    char *s = malloc((size_t)sz + 1);
    *n = fread(s, 1, (size_t)sz, f);
    s[*n] = 0;
    return s;
}

static void check_cmds(const char *path, const char *bad)
{
    char err[256];
    FILE *f = tmpfile();
    EXPECT(trace_cmd_dump(path, "csv", NULL, f, err, sizeof err) == 0, "dump csv: %s", err);
    size_t n;
    char *s = read_text(f, &n);
    const char *hdr = "index,offset,length,token_id,text,is_new,type,bits,p_final,rank_final,"
                      "bits_sym,bits_class,bits_rank,bits_id,bits_coder,logit,log_norm,c_ssm,c_prior,";
    EXPECT(strncmp(s, hdr, strlen(hdr)) == 0, "csv header: %.200s", s);
    EXPECT(strstr(s, ",fav_id,fav_text,is_fav,fav_logit,fav_c_ssm,") && strstr(s, ",p_ssm,rank_ssm,p_ssm_new,"),
           "csv header: the rival's and the SSM's columns");
    size_t rows = 0;
    for (size_t i = 0; i < n; i++) rows += s[i] == '\n';
    EXPECT(rows == NTOK + 1, "one line per record, text escaped (%zu lines)", rows);
    fclose(f);
    free(s);
    f = tmpfile();
    EXPECT(trace_cmd_dump(path, "jsonl", NULL, f, err, sizeof err) == 0, "dump jsonl: %s", err);
    s = read_text(f, &n);
    size_t lines = 0;
    for (size_t i = 0; i < n; i++) lines += s[i] == '\n';
    EXPECT(lines == NTOK && strncmp(s, "{\"index\":0,", 11) == 0, "jsonl lines");
    fclose(f);
    free(s);
    f = tmpfile();
    EXPECT(trace_cmd_report(path, 1, NULL, f, err, sizeof err) == 0, "report json: %s", err);
    s = read_text(f, &n);
    EXPECT(strstr(s, "\"input_bytes\":") && strstr(s, "\"tokens\":1000") && strstr(s, "\"header_bytes\":33") &&
           strstr(s, "\"payload_bytes\":1234") && strstr(s, "\"total_bits\":") &&
           strstr(s, "\"components\":[{\"name\":\"ssm\",\"group\":\"ssm\",") && strstr(s, "\"steps\":[{\"name\":\"sym\","),
           "report json keys");
    fclose(f);
    free(s);
    f = tmpfile();
    EXPECT(trace_cmd_report(path, 0, NULL, f, err, sizeof err) == 0, "report text: %s", err);
    fclose(f);
    f = tmpfile();
    EXPECT(trace_cmd_dump(path, "xml", NULL, f, err, sizeof err) == -1, "unknown dump format");
    EXPECT(trace_cmd_report(bad, 0, NULL, f, err, sizeof err) == -1 && err[0], "report on damaged trace");
    EXPECT(trace_cmd_dump(bad, "csv", NULL, f, err, sizeof err) == -1 && err[0], "dump on damaged trace");
    fclose(f);
}

/* A trace with the bits saved: the report sums them per component, over
 * the file and over a range; the JSON report and the dump carry them, and
 * both honour a range of tokens. */
static void check_saved_report(const smix_trace *t)
{
    int ci[SMIX_MAX_COMPONENTS];
    uint32_t nc = used_comps(ci);
    double all = 0, part = 0;
    for (uint64_t i = 0; i < NTOK; i++) {
        smix_token_info e;
        uint8_t bytes[16];
        make_token(i, 0, bytes, &e);
        all += e.saved[ci[3]];
        part += i >= 100 && i < 300 ? e.saved[ci[3]] : 0.0;
    }
    smix_trace_report r;
    EXPECT(smix_trace_report_compute(t, &r) == 0 && r.saved_known && r.n_comp == nc &&
           fabs(r.comp[3].saved - all) < 1e-6, "saved over the file %f/%f", r.comp[3].saved, all);
    EXPECT(smix_trace_report_range(t, 100, 200, &r) == 0 && r.tokens == 200 && !r.whole &&
           fabs(r.comp[3].saved - part) < 1e-6, "saved over tokens 100-299 %f/%f", r.comp[3].saved, part);
}

/* The commands over a range of tokens, and ranges they refuse. */
static void check_range_cmds(const char *path)
{
    char err[256];
    size_t n;
    trace_range rg = { 100, 300 }, past = { NTOK, NTOK + 5 }, open_end = { 990, UINT64_MAX };
    FILE *f = tmpfile();
    EXPECT(trace_cmd_dump(path, "jsonl", &rg, f, err, sizeof err) == 0, "dump a range: %s", err);
    char *s = read_text(f, &n);
    size_t lines = 0;
    for (size_t i = 0; i < n; i++) lines += s[i] == '\n';
    EXPECT(lines == 200 && strncmp(s, "{\"index\":100,", 13) == 0 && strstr(s, "\"saved_prior\":"),
           "the range's rows, with the bits saved");
    fclose(f);
    free(s);
    f = tmpfile();
    EXPECT(trace_cmd_dump(path, "csv", &open_end, f, err, sizeof err) == 0, "dump to the end: %s", err);
    s = read_text(f, &n);
    lines = 0;
    for (size_t i = 0; i < n; i++) lines += s[i] == '\n';
    EXPECT(lines == 11, "a header and tokens 990-999 (%zu lines)", lines);
    fclose(f);
    free(s);
    f = tmpfile();
    EXPECT(trace_cmd_report(path, 1, &rg, f, err, sizeof err) == 0, "report a range: %s", err);
    s = read_text(f, &n);
    EXPECT(strstr(s, "\"tokens\":200,\"range\":{\"first\":100,\"end\":300,\"whole\":false}") &&
           strstr(s, "\"saved_bits\":") && !strstr(s, "\"saved_bits\":null"), "range and bits saved in the JSON report");
    fclose(f);
    free(s);
    f = tmpfile();
    EXPECT(trace_cmd_report(path, 0, &rg, f, err, sizeof err) == 0, "report a range as text: %s", err);
    s = read_text(f, &n);
    EXPECT(strstr(s, "tokens 100 to 299 (200 tokens)") && strstr(s, "Components, by the bits each saved"),
           "the text report says the range and ranks by bits saved");
    fclose(f);
    free(s);
    f = tmpfile();
    EXPECT(trace_cmd_report(path, 0, &past, f, err, sizeof err) == -1 && strstr(err, "no token"),
           "a range past the end is refused: %s", err);
    EXPECT(trace_cmd_dump(path, "csv", &past, f, err, sizeof err) == -1 && strstr(err, "no token"),
           "also by the dump: %s", err);
    fclose(f);
}

static void check_escapes(void)
{
    char buf[128];
    FILE *f = fmemopen(buf, sizeof buf, "w");
    const uint8_t in[] = { 'a', '"', '\\', '\n', 0, 0xC3, 0xA9, 0xFF, 0xE2, 0x82 };
    json_string(f, in, sizeof in);
    fputc(0, f);
    fclose(f);
    EXPECT(strcmp(buf, "\"a\\\"\\\\\\n\\u0000\xC3\xA9\\u00ff\\u00e2\\u0082\"") == 0, "json escape: %s", buf);
    f = fmemopen(buf, sizeof buf, "w");
    c_escaped(f, (const uint8_t *)"a,\"b\"\n\x1b[0m\x7f\xc2\x85\xe2\x80\xae\xff\\", 18, SIZE_MAX, 1);
    fputc(0, f);
    fclose(f);
    EXPECT(strcmp(buf, "a,\"\"b\"\"\\n\\x1B[0m\\x7F\\u0085\\u202E\\xFF\\\\") == 0, "csv escape: %s", buf);
    f = fmemopen(buf, sizeof buf, "w");
    json_string(f, (const uint8_t *)"\x1b\x7f\xc2\x85\xe2\x80\xae", 7);
    fputc(0, f);
    fclose(f);
    EXPECT(strcmp(buf, "\"\\u001b\\u007f\\u0085\\u202e\"") == 0, "json escapes controls: %s", buf);
}

/* The engine's tables fit the trace's fixed text fields, and names can
 * head a CSV column. */
static void check_tables(void)
{
    int ok = smix_component_count() > 0 && smix_step_count() > 0;
    for (int i = 0; i < smix_component_count() + smix_step_count(); i++) {
        const char *name = i < smix_component_count() ? smix_component_get(i)->name
                                                      : smix_step_get(i - smix_component_count())->name;
        const char *desc = i < smix_component_count() ? smix_component_get(i)->description
                                                      : smix_step_get(i - smix_component_count())->description;
        ok &= name[0] && strlen(name) < TRC_NAME_LEN && strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(name);
        ok &= strlen(desc) < TRC_DESC_LEN;
        if (i < smix_component_count()) ok &= strlen(smix_component_get(i)->group) < TRC_NAME_LEN;
    }
    EXPECT(ok, "component and step tables fit the trace");
    EXPECT(smix_component_get(smix_component_count()) == NULL && smix_step_get(-1) == NULL, "out of range");
}

int main(void)
{
    check_tables();
    char dir[] = "/tmp/smix_trace_testXXXXXX";
    if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
    char a[64], b[64], c[64], d[64], bad[64];
    snprintf(a, sizeof a, "%s/a.smt", dir);
    snprintf(b, sizeof b, "%s/b.smt", dir);
    snprintf(c, sizeof c, "%s/c.smt", dir);
    snprintf(d, sizeof d, "%s/d.smt", dir);
    snprintf(bad, sizeof bad, "%s/bad.smt", dir);

    chain_count cc = { 0, 0, 0, 0, 0 };
    write_trace(a, NTOK, 0, &cc, 0);
    EXPECT(cc.begin == 1 && cc.token == NTOK && cc.chunk == NTOK / 64 && cc.end == 1 && cc.progress == 1,
           "chained hooks called");
    write_trace(b, NTOK, 0, NULL, 0);
    size_t na, nb;
    uint8_t *ba = slurp(a, &na), *bb = slurp(b, &nb);
    EXPECT(ba && bb && na == nb && memcmp(ba, bb, na) == 0, "two writes are byte-identical");
    free(ba);
    free(bb);

    char err[256];
    smix_trace *t = smix_trace_open(a, err, sizeof err);
    EXPECT(t != NULL, "open: %s", err);
    if (t) {
        EXPECT(smix_trace_count(t) == NTOK, "count");
        check_tokens(t, 0);
        check_offsets(t);
        check_vocab(t);
        check_summary(t);
        check_report(t);
        smix_trace_close(t);
    }
    check_cmds(a, bad);
    check_escapes();
    check_damage(a, bad);

    /* with the bits saved (format 2.1): the same records and an array more */
    write_trace(d, NTOK, 0, NULL, 1);
    t = smix_trace_open(d, err, sizeof err);
    EXPECT(t != NULL, "open with the bits saved: %s", err);
    if (t) {
        smix_trace_summary s;
        smix_trace_get_summary(t, &s);
        EXPECT(s.flags == (SMIX_TRACE_SSM | SMIX_TRACE_SAVED), "flags with the bits saved");
        check_tokens(t, 1);
        check_saved_report(t);
        smix_trace_close(t);
    }
    check_range_cmds(d);
    check_damage(d, bad);

    /* a failed trace leaves nothing behind */
    write_trace(c, 10, 1, NULL, 0);
    EXPECT(access(c, F_OK) != 0, "failed trace leaves no file");
    /* empty trace */
    write_trace(c, 0, 0, NULL, 0);
    t = smix_trace_open(c, err, sizeof err);
    EXPECT(t && smix_trace_count(t) == 0 && smix_trace_token_at_offset(t, 5) == 0, "empty trace: %s", err);
    smix_trace_report r;
    EXPECT(t && smix_trace_report_compute(t, &r) == 0 && r.tokens == 0, "empty report");
    smix_trace_close(t);
    smix_trace_close(NULL);
    smix_trace_writer_abort(NULL);
    smix_trace_writer *w = smix_trace_writer_open(c, err, sizeof err);
    smix_trace_writer_abort(w);
    EXPECT(w && access(c, F_OK) == 0, "abort keeps an existing file untouched");

    unlink(a); unlink(b); unlink(c); unlink(d); unlink(bad);
    EXPECT(rmdir(dir) == 0, "no temporary files left behind");
    printf("test_trace: %d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
