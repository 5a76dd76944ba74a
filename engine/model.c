/*
 * model.c - the token model: the SSM mixed with n-gram, skip-context,
 * match, recency and frequency components into the distribution that is
 * coded (the structures and the files that compute each part:
 * model_internal.h; the formula of a candidate's logit: model_feat.c).
 *
 * Sparse evaluation: only the "candidates" (NEW, the followers of the
 * contexts found, the last rec_window tokens, the match, the SSM's
 * favourites; model_cand.c) get the sparse features. Every other seen
 * token's logit depends only on its kind, count and age (biases, prior and
 * time-since-last-seen at the class's typical values; the SSM feature is
 * measured against the SSM's mean over those tokens and so is 0 for them),
 * so they are handled as classes of equal logit (model_class.c) and cost
 * O(classes in use), not O(tokens). Coding is then in up to three steps: a
 * candidate or ESCAPE; after an escape the class (its mass times a factor
 * learned for step 2 alone); then the member of the class, uniformly.
 * Finally APMs refine the probabilities of ESCAPE, NEW and the favourite
 * (model_apm.c). Levels 1 and 2 ("fast") thin long order-1 follower
 * lists, as every level thins the skip contexts', and with coarse_classes
 * (format 8) make no candidates of the recent positions (format 7 files:
 * 16 recent positions instead of 32).
 *
 * Frequencies: f[i] = 1 + floor(e[i] K), e[i] = exp(F[i] - max F), K chosen
 * so the total stays below MODEL_TOTAL. Every sum runs in a fixed order:
 * the same bits on every build and thread count.
 */
#include "model_internal.h"

#include "components.h"

#include <stdlib.h>
#include <string.h>

#include "fmath.h"
#include "tok.h"
#include "vec.h"

/* The hashed tables' sizes (model_internal.h): their full sizes from a
 * vocabulary of 2^15 tokens, fewer rows below. */
static void table_bits(model *m)
{
    int vbits = 8;
    while ((1u << vbits) < m->c.vocab) vbits++;
    int less = vbits < 15 ? 15 - vbits : 0;
    m->c.set2_bits = SET2_BITS - less;
    m->c.pair_bits = KIND_PAIR_BITS - less;
    m->c.mbits = MATCH_BITS - less;
}

/* Each first byte's room in by_first, and each second byte's after a
 * space in by_space: as many slots as the vocabulary has ids that start
 * with it; with escape_keys, each key's room for its (class, key) pairs
 * likewise. 0, or -1 on OOM. */
static int by_first_init(model *m)
{
    uint32_t n[256] = { 0 }, n2[256] = { 0 }, at = 0, at2 = 0, keys[SC_NKEYS] = { 0 };
    for (uint32_t id = 0; id < m->c.vocab; id++) {
        uint32_t len;
        const uint8_t *b = tok_bytes(tok_builtin(), id, &len);
        n[b[0]]++;
        if (b[0] == ' ' && len > 1) n2[b[1]]++;
        keys[sc_key(b, len)]++;
    }
    for (int b = 0; b < 256; b++) {
        m->h.by_first_at[b] = at;
        at += n[b];
        m->h.by_space_at[b] = at2;
        at2 += n2[b];
    }
    return m->c.cfg.escape_keys ? sc_keys_init(&m->h.sc, m->c.cap, keys) : 0;
}

model *model_create(const smix_config *cfg, int threads)
{
    model *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->c.cfg = *cfg;
    m->c.vocab = cfg->vocab_size;
    m->c.cap = m->c.vocab + 1;
    m->c.ssm_cap = cfg->ssm_rows ? cfg->ssm_rows : m->c.cap;
    m->h.slot_of = calloc(m->c.vocab, sizeof *m->h.slot_of);
    m->h.id_of = calloc(m->c.cap, sizeof *m->h.id_of);
    m->h.count = calloc(m->c.cap, sizeof *m->h.count);
    m->h.first = calloc(m->c.cap, 1);
    m->h.by_first = calloc(m->c.cap, sizeof *m->h.by_first);
    m->s.cand_mark = calloc(m->c.cap, 1);
    m->h.prior = calloc(m->c.cap, sizeof *m->h.prior);
    m->s.z = calloc(m->c.cap, sizeof *m->s.z);
    m->s.zf = calloc(m->c.cap, sizeof *m->s.zf);
    m->s.cand = calloc(m->c.cap + 1, sizeof *m->s.cand);
    m->s.cand_index = calloc(m->c.cap, sizeof *m->s.cand_index);
    m->s.cand_class = calloc(m->c.cap + 1, sizeof *m->s.cand_class);
    m->s.cand_used = calloc(m->c.cap + 1, sizeof *m->s.cand_used);
    int sc_ok = sc_init(&m->h.sc, m->c.cap) == 0;
    m->h.by_space = calloc(m->c.cap, sizeof *m->h.by_space);
    m->s.cand_by_key = calloc(m->c.cap, sizeof *m->s.cand_by_key);
    m->s.F = calloc(m->c.cap, sizeof *m->s.F);
    m->s.e = calloc(m->c.cap, sizeof *m->s.e);
    m->s.e_ssm = calloc(m->c.cap, sizeof *m->s.e_ssm);
    m->h.last = calloc(m->c.cap, sizeof *m->h.last);
    m->s.rlast = calloc(m->c.cap, sizeof *m->s.rlast);
    m->s.freq = calloc(m->c.cap + 1, sizeof *m->s.freq);
    m->w.kind_tok = calloc((size_t)m->c.cap * SC_KINDS, sizeof *m->w.kind_tok);
    table_bits(m);
    m->w.set2 = calloc((size_t)1 << m->c.set2_bits, sizeof *m->w.set2);
    m->w.kind_pair = calloc((size_t)SC_KINDS << m->c.pair_bits, sizeof *m->w.kind_pair);
    m->w.class_factor = malloc((size_t)NEWID_KINDS * SC_NCLASS * sizeof *m->w.class_factor);
    m->h.mtab = calloc((size_t)1 << m->c.mbits, sizeof *m->h.mtab);
    /* --memlimit's n-gram budget is shared: each skip context may use an
     * eighth, the n-gram orders the rest */
    uint64_t budget = (uint64_t)cfg->ngram_budget_mb << 20, skip_budget = budget / 8;
    int nskip = cfg->skip_context ? cfg->skip_context + 1 : 0;
    budget -= (uint64_t)nskip * skip_budget;
    uint32_t follow = 16u * cfg->follow16;
    m->ng = ngm_create(cfg->max_order, budget, follow);
    int skip_ok = 1;
    for (int d = 0; d < nskip && d < NSKIP; d++) {
        m->skip[d] = ngm_create(1, skip_budget, follow);
        m->s.skip_items[d] = malloc(m->c.cap * sizeof *m->s.skip_items[d]);
        skip_ok &= m->skip[d] && m->s.skip_items[d];
    }
    int nid_ok = newid_init(&m->nid, m->c.vocab) == 0;
    m->s.o1_items = malloc(m->c.cap * sizeof *m->s.o1_items);
    m->s.q = calloc(m->c.cap + 1, sizeof *m->s.q);
    m->s.recsum = calloc(m->c.cap + 1, sizeof *m->s.recsum);
    m->s.item_g = calloc((size_t)NCTX * m->c.cap, sizeof *m->s.item_g);
    m->s.item_r = calloc((size_t)NCTX * m->c.cap, sizeof *m->s.item_r);
    m->s.item_cand = calloc((size_t)NCTX * m->c.cap, sizeof *m->s.item_cand);
    m->s.item_share = calloc((size_t)NCTX * m->c.cap, 1);
    m->s.item_age = calloc((size_t)NCTX * m->c.cap, 1);
    if (cfg->ssm_enabled) {
        m->net = ssm_create(cfg, 0x5EED5EED5EEDull);
        if (m->net) ssm_set_threads(m->net, threads);
    }
    if (!sc_ok || !m->w.set2 || !m->w.kind_tok || !m->w.class_factor || !m->w.kind_pair || !m->s.zf || !m->s.cand || !m->s.cand_index || !m->s.cand_class || !m->s.cand_used ||
        !m->h.slot_of || !m->h.id_of || !m->h.count || !m->h.first || !m->h.by_first || !m->h.by_space || !m->s.cand_by_key || !m->s.cand_mark || !m->h.prior || !m->s.z || !m->s.F || !m->s.e || !m->s.e_ssm || !m->h.last || !m->s.rlast ||
        !m->s.freq || !m->h.mtab || !m->s.q || !m->s.recsum || !m->s.item_g || !m->s.item_r || !m->s.item_cand || !m->s.item_share || !m->s.item_age || !m->ng || !m->s.o1_items || !skip_ok || !nid_ok || (cfg->ssm_enabled && !m->net) ||
        (m->net && ssm_add_row(m->net) != 0)) {
        model_free(m);
        return NULL;
    }
    m->h.nslots = 1;             /* slot 0: NEW */
    m->c.mix_lr = 0.01f;
    m->c.fast = cfg->level <= 2;
    m->c.age_octaves = m->c.fast ? SC_WIDE_AGES : 1;
    m->c.count_octaves = cfg->coarse_classes ? SC_COARSE_COUNTS : 1;
    m->c.cells = smix_component_used(cfg, COMP_CELLS);
    m->c.rec_window = !smix_component_used(cfg, COMP_RECENT) ? 0 : m->c.fast ? REC_WINDOW_FAST : REC_WINDOW;
    m->h.new_rate = 0.5f;
    if (by_first_init(m) < 0) {
        model_free(m);
        return NULL;
    }
    model_feat_init(m);
    model_class_init(m);
    model_apm_init(m);
    return m;
}

void model_free(model *m)
{
    if (!m) return;
    ssm_free(m->net);
    ngm_free(m->ng);
    for (int d = 0; d < NSKIP; d++) {
        ngm_free(m->skip[d]);
        free(m->s.skip_items[d]);
    }
    newid_free(&m->nid);
    free(m->s.o1_items);
    free(m->h.slot_of); free(m->h.id_of); free(m->h.count); free(m->h.prior);
    free(m->h.first); free(m->h.by_first); free(m->h.by_space); free(m->s.cand_by_key); free(m->s.cand_mark);
    sc_free(&m->h.sc);
    free(m->w.set2); free(m->w.kind_tok); free(m->w.kind_pair); free(m->w.class_factor);
    free(m->s.zf); free(m->s.cand); free(m->s.cand_index); free(m->s.cand_class); free(m->s.cand_used);
    free(m->s.z); free(m->s.F); free(m->s.e); free(m->s.e_ssm); free(m->h.last); free(m->s.rlast); free(m->s.freq);
    free(m->s.trace_idx); free(m->s.cf_me); free(m->s.cf_x); free(m->s.cf_p); free(m->s.cf_cells);
    free(m->h.hist); free(m->h.mtab); free(m->s.q); free(m->s.recsum); free(m->s.item_g); free(m->s.item_r); free(m->s.item_cand);
    free(m->s.item_share); free(m->s.item_age);
    free(m);
}

size_t model_memory(const model *m)
{
    size_t b = sizeof *m + (sizeof *m->w.set2 << m->c.set2_bits) + (size_t)m->c.cap * (92 + 14 * NCTX) + m->h.hist_cap * 4 + ((size_t)4 << m->c.mbits);
    b += (m->s.trace_idx ? (size_t)m->c.cap * 4 : 0) + (m->s.cf_cells ? (size_t)m->c.cap * 4 : 0) + (size_t)m->s.cf_len * 12;
    b += m->h.sc.key ? (size_t)m->c.cap * 8 + SC_KEY_CELLS * sizeof *m->h.sc.pair_at : 0;   /* escape_keys */
    b += ngm_memory(m->ng);
    for (int d = 0; d < NSKIP; d++) b += m->skip[d] ? ngm_memory(m->skip[d]) : 0;
    if (m->net) b += ssm_memory(m->net);
    return b;
}

uint32_t model_nsyms(const model *m) { return m->s.nsyms; }

const uint32_t *model_freqs(const model *m) { return m->s.freq; }

uint32_t model_total(const model *m) { return m->s.total; }

uint32_t model_symbol_of(const model *m, uint32_t id)
{
    uint32_t slot = model_slot_of(m, id);
    if (model_is_cand(m, slot)) return m->s.cand_index[slot];
    return m->s.ncand;   /* escape */
}

uint32_t model_symbol_slot(const model *m, uint32_t sym) { return sym < m->s.ncand ? m->s.cand[sym] : 0; }

const uint32_t *model_symbol_slots(const model *m) { return m->s.cand; }

const uint32_t *model_token_ids(const model *m) { return m->h.id_of; }

int model_is_escape(const model *m, uint32_t sym) { return sym == m->s.ncand && m->s.n_other; }

uint32_t model_slot_of(const model *m, uint32_t id) { return id < m->c.vocab ? m->h.slot_of[id] : 0; }

uint32_t model_token_of(const model *m, uint32_t slot) { return slot < m->h.nslots ? m->h.id_of[slot] : 0; }

newid *model_newid(model *m) { return &m->nid; }

/* ---- prediction ---- */


/* Float rounding may push a total slightly past MODEL_TOTAL (by a few per
 * symbol); the coder allows 4x that. Anything beyond would be a bug upstream:
 * halve until it fits rather than emit a stream that cannot decode. The sum
 * is recomputed in 64 bits so a wrapped 32-bit sum cannot hide an excess. */
uint32_t model_fit_total(uint32_t *f, uint32_t n)
{
    for (;;) {
        uint64_t total = 0;
        for (uint32_t i = 0; i < n; i++) total += f[i];
        if (total <= 4 * (uint64_t)MODEL_TOTAL) return (uint32_t)total;
        for (uint32_t i = 0; i < n; i++) f[i] = f[i] ? 1 + f[i] / 2 : 0;
    }
}

/* A frequency scale that keeps every e K a finite float below 2^32: if the
 * mass is degenerate, all symbols get the floor frequency (the same on every
 * build, where an out-of-range float-to-int conversion would not be). */
float model_safe_scale(double total, double mass)
{
    double k = total / mass;
    return k > 0.0 && k < 1e30 ? (float)k : 0.0f;
}

static void quantise(model *m, const float *w)
{
    uint32_t n = m->s.ncand;
    float fmax = vec_max(m->s.F, n);
    float top = 0.0f, shift = fmax;
    if (m->s.n_other) {
        top = model_class_parts(m, w);
        shift = top > fmax ? top : fmax;
    }
    double se = vec_exp_sum(m->s.F, shift, m->s.e, n);
    m->s.shift = shift;
    m->s.esc_f = 1.0;
    m->s.other_mass = m->s.other_prior = m->s.other_rlast = 0.0;
    memset(m->s.kind_mass, 0, sizeof m->s.kind_mass);
    memset(m->s.count_mass, 0, sizeof m->s.count_mass);
    memset(m->s.age_mass, 0, sizeof m->s.age_mass);
    m->s.esc_b = -1;
    m->s.esc_ctx = m->s.set * NEWID_KINDS + m->nid.kind;
    if (m->s.n_other) {
        model_class_masses(m, shift, top);
        model_esc_refine(m, se);
    }
    model_new_refine(m);
    model_apm_refine(m, fmax);
    model_part_masses(m);
    float K = model_safe_scale((double)(MODEL_TOTAL - 2 * (n + 1)), m->s.sum_e);
    vec_quantise(m->s.e, K, m->s.freq, n);
    m->s.nsyms = n;
    if (m->s.n_other) {
        float x = (float)m->s.other_mass * K;
        m->s.freq[n] = 1 + (x < 4e9f ? (uint32_t)x : 0);
        m->s.nsyms = n + 1;
    }
    m->s.total = model_fit_total(m->s.freq, m->s.nsyms);
}

/* The learned biases in use at this position: the kind bias by the
 * previous last byte, token and pair; the count, age and cell biases by
 * the kind of that byte. */
static void select_biases(model *m)
{
    if (m->h.t) {
        uint32_t len;
        const uint8_t *b = tok_bytes(tok_builtin(), m->h.id_of[m->h.hist[m->h.t - 1]], &len);
        newid_set_context(&m->nid, b, len);
    }
    const float *kt = m->w.kind_tok + (size_t)(m->h.t ? m->h.hist[m->h.t - 1] : 0) * SC_KINDS;
    m->s.kind_pair_at = m->h.t > 1 ? (uint32_t)(((m->h.hist[m->h.t - 1] * 0x9E3779B1u) ^ (m->h.hist[m->h.t - 2] * 0x85EBCA6Bu + 0x27D4EB2Fu)) * 0xC2B2AE35u >> (32 - m->c.pair_bits)) : 0;
    const float *kp = m->w.kind_pair + (size_t)m->s.kind_pair_at * SC_KINDS;
    for (int f = 0; f < SC_KINDS; f++) m->s.kind_cur[f] = (m->w.kind_w[m->nid.last_byte][f] + kt[f]) + kp[f];
    m->s.count_bias = m->w.count_bias_t[m->nid.kind];
    m->s.cell_share_bias = m->w.cell_share_bias_t[m->nid.kind];
    m->s.cell_age_bias = m->w.cell_age_bias_t[m->nid.kind];
    m->s.age_bias = m->w.age_bias_t[m->nid.kind];
}

int model_predict(model *m)
{
    if (model_contexts(m) < 0) return -1;
    model_new_features(m);
    select_biases(m);
    model_ssm_predict(m);
    model_cand_build(m);
    model_ppm_blend(m);
    model_ssm_features(m);
    m->s.set = m->s.longest * MATCH_BUCKETS + model_match_bucket(m->h.mlen);
    m->s.set2 = m->h.t ? (int)((m->h.hist[m->h.t - 1] * 2654435761u) >> (32 - m->c.set2_bits)) : 0;
    for (int f = 0; f < NFEAT; f++) m->s.wc[f] = m->w.set1[m->s.set][f] + m->w.set2[m->s.set2][f];
    model_cand_base(m, m->s.wc);
    model_add_sparse(m, m->s.wc);
    quantise(m, m->s.wc);
    return 0;
}

/* ---- update ---- */

static int add_slot(model *m, uint32_t id)
{
    if (id >= m->c.vocab || m->h.slot_of[id] || m->h.nslots >= m->c.cap) return -1;
    uint32_t slot = m->h.nslots++;
    m->h.slot_of[id] = slot;
    m->h.id_of[slot] = id;
    uint32_t len;
    const uint8_t *bytes = tok_bytes(tok_builtin(), id, &len);
    uint8_t b = bytes[0];
    m->h.first[slot] = b;
    m->h.by_first[m->h.by_first_at[b] + m->h.by_first_n[b]++] = (uint16_t)slot;
    if (b == ' ' && len > 1) m->h.by_space[m->h.by_space_at[bytes[1]] + m->h.by_space_n[bytes[1]]++] = (uint16_t)slot;
    if (m->net && slot < m->c.ssm_cap && ssm_add_row(m->net) != (int)slot) return -1;
    return (int)slot;
}

/* Every learned part takes its step on the cost of the actual slot y. */
static void learn(model *m, uint32_t y)
{
    model_learn_apms(m, y);
    model_learn_class_factor(m, y);
    model_learn_class_biases(m, y);
    model_learn_weights(m, y);   /* and the cell biases, in the same pass over the followers */
}

/* With follow_words, the contexts that end in a word keep a quarter of
 * the followers the others may (16 x follow16 / 4): after a word come
 * many different tokens, each rarely, and their lists were the longest
 * ones scanned (level 1: 6% fewer instructions, +0.28% on enwik8_1M). */
static uint32_t follower_cap(const model *m)
{
    if (!m->c.cfg.follow_words || !m->h.t) return 0;
    return sc_is_word_kind(sc_kind_of(m->h.sc.cls[m->h.hist[m->h.t - 1]])) ? 4u * m->c.cfg.follow16 : 0;
}

int model_update(model *m, uint32_t slot, uint32_t token_id, smix_chunk_info *ci)
{
    learn(m, slot);
    uint32_t target = slot;
    m->h.new_rate += ((slot == 0 ? 1.0f : 0.0f) - m->h.new_rate) * (1.0f / 256.0f);
    if (slot == 0) {
        if (token_id >= m->c.vocab || m->h.slot_of[token_id]) return -1;
        newid_mark_used(&m->nid, token_id);
        int s = add_slot(m, token_id);
        if (s < 0) return -1;
        slot = (uint32_t)s;
        m->h.count[0]++;
        m->h.prior[0] = 0.1f * fm_log(1.0f + (float)m->h.count[0]);
    }
    m->h.count[slot]++;
    m->h.last[slot] = (uint32_t)m->h.t + 1;
    m->h.prior[slot] = 0.1f * fm_log(1.0f + (float)m->h.count[slot]);
    int count_bucket = sc_count_bucket(m->h.count[slot], m->c.count_octaves);
    if (target == 0) {   /* its first class: the kind comes from its bytes */
        uint32_t len;
        const uint8_t *b = tok_bytes(tok_builtin(), token_id, &len);
        sc_insert(&m->h.sc, slot, sc_class(sc_token_kind(b, len), count_bucket, 0), sc_key(b, len));
    } else {
        sc_move(&m->h.sc, slot, sc_class(sc_kind_of(m->h.sc.cls[slot]), count_bucket, 0));
    }
    /* y's place in each list, where learn found it (a filtered list's
     * place may be wrong: the update then searches) */
    if (ngm_update_at(m->ng, m->h.t, slot, follower_cap(m), m->s.y_at) < 0) return -1;
    for (int d = 0; d < NSKIP; d++) {
        int32_t at[NGM_NORDERS] = { m->s.y_at[CTX_SKIP + d], -1, -1, -1 };
        if (m->skip[d] && m->h.t >= (size_t)d + 2 && ngm_update_at(m->skip[d], m->h.t - 1 - d, slot, 0, at) < 0) return -1;
    }
    if (m->h.t == m->h.hist_cap) {
        size_t ncap = m->h.hist_cap ? m->h.hist_cap * 2 : 1 << 16;
        uint32_t *nh = realloc(m->h.hist, ncap * sizeof *nh);
        if (!nh) return -1;
        m->h.hist = nh;
        m->h.hist_cap = ncap;
    }
    m->h.hist[m->h.t++] = slot;
    model_age_classes(m);
    model_match_update(m);
    if (m->net) {
        uint32_t row = slot < m->c.ssm_cap ? slot : 0;
        return ssm_observe(m->net, target < m->c.ssm_cap ? target : 0, row, ci);
    }
    return 0;
}
