/*
 * trace_report.c - "where the bits went": one pass over a trace that sums
 * the coded cost by stretch of the file, by token type, by bits-per-token
 * bin, by coding step, against two baselines (the SSM alone on the tokens
 * seen before, and an adaptive order-0 frequency model that this file runs
 * itself on the token stream), and per model component (its pull on the
 * coded token, its share of the margin over the token's strongest rival,
 * and the bits it saved where the trace records them). Used by `smix --trace-report` and the TUI summary view,
 * so both show the same numbers.
 *
 * Memory: a hash map of id -> count for the order-0 baseline (one slot per
 * distinct id); everything else is fixed-size in smix_trace_report.
 */
#include "smix_trace.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LOG2E 1.4426950408889634

/* ---------------- token types ---------------- */

static int is_ws(uint8_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }
static int is_dig(uint8_t c) { return c >= '0' && c <= '9'; }
static int is_let(uint8_t c) { return ((c | 32) >= 'a' && (c | 32) <= 'z') || c >= 0x80; }
static int is_pun(uint8_t c) { return c > ' ' && c < 0x7F && !is_dig(c) && !is_let(c); }

static int has_markup(const uint8_t *p, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        if (p[i] == '<' || p[i] == '>') return 1;
        if (p[i] == '&' && i + 1 < n && (p[i + 1] == '#' || is_let(p[i + 1]))) return 1;
    }
    return 0;
}

/* All of p[0..n) satisfy the class test, and at least one byte is "key". */
static int all_with(const uint8_t *p, uint32_t n, int (*ok)(uint8_t), int (*key)(uint8_t))
{
    int seen = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (!ok(p[i])) return 0;
        seen |= key(p[i]);
    }
    return seen;
}

static int num_ok(uint8_t c) { return is_dig(c) || c == '.' || c == ','; }
static int word_ok(uint8_t c) { return is_let(c) || is_dig(c) || c == '\'' || c == '_' || c == '-'; }
static int pun_ok(uint8_t c) { return is_pun(c) || is_ws(c); }

int smix_trace_token_type(const uint8_t *p, uint32_t n)
{
    if (!p || n == 0) return SMIX_TTYPE_OTHER;
    if (all_with(p, n, is_ws, is_ws)) return SMIX_TTYPE_WHITESPACE;
    if (has_markup(p, n)) return SMIX_TTYPE_MARKUP;
    uint32_t s = p[0] == ' ' ? 1 : 0;   /* BPE tokens often carry one leading space */
    if (all_with(p + s, n - s, num_ok, is_dig)) return SMIX_TTYPE_NUMBER;
    if (is_let(p[s]) && all_with(p + s, n - s, word_ok, is_let)) return SMIX_TTYPE_WORD;
    if (all_with(p, n, pun_ok, is_pun)) return SMIX_TTYPE_PUNCT;
    return SMIX_TTYPE_OTHER;
}

const char *smix_trace_token_type_name(int type)
{
    static const char *const names[SMIX_TTYPE_COUNT] = {
        "word", "number", "markup", "whitespace", "punctuation", "other"
    };
    return type >= 0 && type < SMIX_TTYPE_COUNT ? names[type] : "?";
}

/* ---------------- order-0 baseline ---------------- */

typedef struct count_map {
    uint32_t *keys, *vals;   /* vals: count, 0 = empty slot */
    size_t cap, used;
} count_map;

static size_t cm_slot(const count_map *m, uint32_t id)
{
    size_t j = (id * 0x9E3779B1u) & (m->cap - 1);
    while (m->vals[j] && m->keys[j] != id) j = (j + 1) & (m->cap - 1);
    return j;
}

static int cm_grow(count_map *m)
{
    count_map n = { NULL, NULL, m->cap ? m->cap * 2 : 4096, m->used };
    n.keys = calloc(n.cap, sizeof *n.keys);
    n.vals = calloc(n.cap, sizeof *n.vals);
    if (!n.keys || !n.vals) { free(n.keys); free(n.vals); return -1; }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->vals[i]) continue;
        size_t j = cm_slot(&n, m->keys[i]);
        n.keys[j] = m->keys[i];
        n.vals[j] = m->vals[i];
    }
    free(m->keys);
    free(m->vals);
    *m = n;
    return 0;
}

/* Cost in bits of token id under the adaptive order-0 model, then counts it.
 * Returns a negative value if memory ran out. */
static double prior_cost(count_map *m, uint32_t id, uint64_t n, uint32_t vocab)
{
    if ((m->used + 1) * 2 > m->cap && cm_grow(m)) return -1.0;
    size_t j = cm_slot(m, id);
    double d = (double)m->used, bits;
    if (m->vals[j]) {
        bits = -log2((double)m->vals[j] / ((double)n + d));
        if (m->vals[j] < UINT32_MAX) m->vals[j]++;
        return bits;
    }
    double esc = n ? d / ((double)n + d) : 1.0;
    double unseen = (double)vocab > d ? (double)vocab - d : 1.0;
    m->keys[j] = id;
    m->vals[j] = 1;
    m->used++;
    return -log2(esc) + log2(unseen);
}

/* ---------------- the pass ---------------- */

static void add_costly(smix_trace_report *r, uint64_t index, double bits)
{
    uint32_t n = r->n_costly;
    if (n == SMIX_REPORT_TOP && !(bits > r->costly[n - 1].bits)) return;
    uint32_t k = n < SMIX_REPORT_TOP ? n++ : n - 1;     /* slot to fill, then bubble up */
    while (k > 0 && bits > r->costly[k - 1].bits) {
        r->costly[k] = r->costly[k - 1];
        k--;
    }
    r->costly[k].index = index;
    r->costly[k].bits = bits;
    r->n_costly = n;
}

static int hist_bin(double bits)
{
    double edge = 0.125;
    int b = 0;
    while (b < SMIX_REPORT_HIST_BINS - 1 && !(bits < edge)) {
        b++;
        edge *= 2;
    }
    return b;
}

static void init_report(const smix_trace *t, smix_trace_report *r, uint64_t first, uint64_t n)
{
    smix_trace_summary s;
    smix_trace_get_summary(t, &s);
    memset(r, 0, sizeof *r);
    r->input_bytes = s.input_bytes;
    r->header_bytes = s.header_bytes;
    r->payload_bytes = s.payload_bytes;
    r->compressed_bytes = s.compressed_bytes;
    r->chunks = s.chunks;
    r->blocks = s.config.blocks ? s.config.blocks : 1;
    r->ssm = (s.flags & SMIX_TRACE_SSM) != 0;
    r->first_token = first;
    r->tokens = n;
    r->whole = first == 0 && n == s.tokens;
    r->n_comp = smix_trace_component_count(t);
    r->saved_known = (s.flags & SMIX_TRACE_SAVED) != 0;
    r->n_steps = smix_trace_step_count(t);
    uint32_t k = n < SMIX_REPORT_STRETCHES ? (uint32_t)n : SMIX_REPORT_STRETCHES;
    r->n_stretches = k;
    static const int orders[SMIX_REPORT_ORDERS] = { 1, 2, 3, 4, 5, 6, 7, 8, 16, 32 };
    for (int i = 0; i < SMIX_REPORT_ORDERS; i++)
        if (orders[i] <= s.config.max_order) r->order[r->n_orders++].order = orders[i];
    double lo = 0, hi = 0.125;
    for (int i = 0; i < SMIX_REPORT_HIST_BINS; i++, lo = hi, hi *= 2) {
        r->hist[i].lo = lo;
        r->hist[i].hi = i == SMIX_REPORT_HIST_BINS - 1 ? INFINITY : hi;
    }
}

/* Stretches: the range's bytes split into equal parts. */
static void init_stretches(const smix_trace *t, smix_trace_report *r, uint64_t *lo, uint64_t *span)
{
    smix_trace_token a, b;
    *lo = *span = 0;
    if (!r->tokens || smix_trace_get_token(t, r->first_token, &a) ||
        smix_trace_get_token(t, r->first_token + r->tokens - 1, &b))
        return;
    *lo = a.offset;
    *span = b.offset + b.length - a.offset;
    r->first_byte = *lo;
    r->end_byte = *lo + *span;
    for (uint32_t i = 0; i < r->n_stretches; i++)
        r->stretch[i].first_byte = *lo + (uint64_t)((unsigned __int128)*span * i / r->n_stretches);
}

static void add_parts(smix_trace_report *r, const smix_trace_token *tk)
{
    for (uint32_t c = 0; c < r->n_comp; c++) {
        r->comp[c].pull += LOG2E * tk->comp[c];
        r->comp[c].margin += LOG2E * ((double)tk->comp[c] - (tk->fav_id == SMIX_TOKEN_NONE ? 0.0 : tk->fav_comp[c]));
        r->comp[c].active += tk->comp[c] != 0.0f;
        r->comp[c].saved += tk->saved[c];
    }
    for (uint32_t k = 0; k < r->n_steps; k++) {
        r->step[k].bits += tk->step_bits[k];
        r->step[k].tm += tk->step_tm[k];
        r->step[k].tokens += tk->step_bits[k] != 0.0 || tk->step_tm[k] != 0.0;
    }
    r->info_bits += (tk->log_norm - tk->logit) * LOG2E;
}

/* id_step: the index of the "id" step, or else of "new_walk" (the id
 * spelled bit by bit), -1 for neither. */
static void add_token(smix_trace_report *r, const smix_trace_token *tk, int id_step, uint64_t lo, uint64_t span)
{
    double b = tk->bits;
    r->total_bits += b;
    if (tk->flags & SMIX_TI_SSM) {
        r->ssm_tokens++;
        r->ssm_bits += -log2((double)tk->p_ssm);
        r->ssm_final_bits += b;
    }
    if (tk->is_new) {
        r->new_tokens++;
        r->new_bits += b;
        if (id_step >= 0) r->new_id_bits += tk->step_bits[id_step];
        if (r->ssm && tk->p_ssm_new > 0) r->new_ssm_bits += -log2((double)tk->p_ssm_new);
    }
    add_parts(r, tk);
    if (r->n_stretches && span) {
        uint64_t off = tk->offset - lo;
        uint32_t s = off >= span ? r->n_stretches - 1 : (uint32_t)((unsigned __int128)off * r->n_stretches / span);
        if (!r->stretch[s].tokens) r->stretch[s].first_token = tk->index;
        r->stretch[s].tokens++;
        r->stretch[s].bytes += tk->length;
        r->stretch[s].bits += b;
    }
    add_costly(r, tk->index, b);
    int ty = smix_trace_token_type(tk->bytes, tk->length);
    r->type[ty].count++;
    r->type[ty].bytes += tk->length;
    r->type[ty].bits += b;
    for (uint32_t i = 0; i < r->n_orders; i++) r->order[i].count += tk->longest_order >= r->order[i].order;
    int h = hist_bin(b);
    r->hist[h].count++;
    r->hist[h].bits += b;
}

static void finish_report(const smix_trace *t, smix_trace_report *r, uint64_t bytes)
{
    double n = (double)r->tokens;
    r->bpb = bytes > 0 ? r->total_bits / (double)bytes : 0;
    r->file_bpb = r->input_bytes > 0 ? (double)r->compressed_bytes * 8.0 / (double)r->input_bytes : 0;
    r->flush_bits = r->whole ? (double)r->payload_bytes * 8.0 - r->total_bits : 0;
    r->saved_vs_ssm = r->ssm_bits - r->ssm_final_bits;
    r->saved_vs_prior = r->prior_bits - r->total_bits;
    for (uint32_t s = 0; s < r->n_stretches; s++)
        r->stretch[s].bpb = r->stretch[s].bytes ? r->stretch[s].bits / (double)r->stretch[s].bytes : 0;
    for (int k = 0; k < SMIX_TTYPE_COUNT; k++)
        r->type[k].share = r->total_bits > 0 ? r->type[k].bits / r->total_bits : 0;
    for (uint32_t i = 0; i < r->n_orders; i++) r->order[i].share = n > 0 ? r->order[i].count / n : 0;
    smix_chunk_info c;
    if (smix_trace_get_chunk(t, 0, &c) == 0) r->first_loss = c.loss;
    if (r->chunks && smix_trace_get_chunk(t, r->chunks - 1, &c) == 0) r->last_loss = c.loss;
}

int smix_trace_report_range(const smix_trace *t, uint64_t first, uint64_t n, smix_trace_report *r)
{
    if (!t || !r) return -1;
    uint64_t all = smix_trace_count(t);
    if (first > all) first = all;
    if (n > all - first) n = all - first;
    init_report(t, r, first, n);
    uint64_t lo, span, bytes = 0;
    init_stretches(t, r, &lo, &span);
    count_map m = { NULL, NULL, 0, 0 };
    uint32_t vocab = smix_trace_vocab_size(t);
    int rc = 0, id_step = smix_trace_step_index(t, "id");
    if (id_step < 0) id_step = smix_trace_step_index(t, "new_walk");
    for (uint64_t i = 0; i < first + n && rc == 0; i++) {
        smix_trace_token tk;
        if (smix_trace_get_token(t, i, &tk)) { rc = -1; break; }   /* damaged (lazy open) */
        double pb = prior_cost(&m, tk.token_id, i, vocab);
        if (pb < 0) rc = -1;
        if (i < first) continue;
        r->prior_bits += pb;
        bytes += tk.length;
        add_token(r, &tk, id_step, lo, span);
    }
    r->distinct = m.used;
    free(m.keys);
    free(m.vals);
    finish_report(t, r, bytes);
    return rc;
}

int smix_trace_report_compute(const smix_trace *t, smix_trace_report *r)
{
    return smix_trace_report_range(t, 0, smix_trace_count(t), r);
}
