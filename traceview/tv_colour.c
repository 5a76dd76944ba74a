/*
 * tv_colour.c - the colourings of the text (see tv_colour.h).
 */
#include "tv_colour.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TV__LN2 0.69314718055994530942

static const char *const tv__names[TV_COL_COUNT] = {
    "bits", "SSM rank", "final rank", "NEW / seen", "top component", "vs SSM alone",
};

/* GLTR's buckets on the eight levels: far apart, best darkest. */
static const int tv__rank_level[5] = { 0, 2, 4, 6, 7 };
static const char *const tv__rank_label[5] = { "1", "<=10", "<=100", "<=1000", "worse" };
static const double tv__vs_edge[TV_LEVELS - 1] = { 4, 2, 0.5, 0, -0.5, -2, -4 };
static const char *const tv__vs_label[TV_LEVELS] = {
    "saved 4+", "saved 2-4", "saved 0.5-2", "saved <0.5", "lost <0.5", "lost 0.5-2", "lost 2-4", "lost 4+",
};

const char *tv_colour_name(int mode)
{
    return mode >= 0 && mode < TV_COL_COUNT ? tv__names[mode] : "?";
}

void tv_colour_init(tv_colour *c, tv_doc *d)
{
    memset(c, 0, sizeof *c);
    c->saved = (tv_doc_summary(d)->flags & SMIX_TRACE_SAVED) != 0;
}

/* The component that did most for token tk: saved most, else favoured it
 * most over its rival (largest term without a rival); -1 if none did. */
static int tv__dominant(const tv_colour *c, const smix_trace_token *tk)
{
    int best = -1;
    double bv = 0;
    for (uint32_t k = 0; k < tk->n_comp && k < SMIX_TRACE_MAX_COMP; k++) {
        double v = c->saved ? tk->saved[k] : tk->fav_id != SMIX_TOKEN_NONE ? tk->comp[k] - tk->fav_comp[k]
                                                                              : tk->comp[k];
        if (v > bv) { bv = v; best = (int)k; }
    }
    return c->saved && bv < 0.01 ? -1 : best;
}

/* The seven components that are dominant most often (one pass). */
static void tv__find_top(tv_colour *c, tv_doc *d)
{
    uint64_t cnt[SMIX_TRACE_MAX_COMP] = { 0 }, n = tv_doc_count(d);
    smix_trace_token tk;
    for (uint64_t i = 0; i < n; i++) {
        if (tv_doc_token(d, i, &tk) != 0) continue;
        int k = tv__dominant(c, &tk);
        if (k >= 0) cnt[k]++;
    }
    c->n_top = 0;
    while (c->n_top < TV_LEVELS - 1) {
        int best = -1;
        for (int k = 0; k < SMIX_TRACE_MAX_COMP; k++) {
            int used = 0;
            for (int j = 0; j < c->n_top; j++) used |= c->top[j] == k;
            if (!used && cnt[k] && (best < 0 || cnt[k] > cnt[best])) best = k;
        }
        if (best < 0) break;
        c->top[c->n_top++] = best;
    }
    c->top_ready = 1;
}

void tv_colour_next(tv_colour *c, tv_doc *d)
{
    c->mode = (c->mode + 1) % TV_COL_COUNT;
    if (c->mode == TV_COL_COMP && !c->top_ready) tv__find_top(c, d);
}

static int tv__rank_bucket(uint32_t r)
{
    return r <= 1 ? 0 : r <= 10 ? 1 : r <= 100 ? 2 : r <= 1000 ? 3 : 4;
}

int tv_colour_level(const tv_colour *c, tv_doc *d, uint64_t i)
{
    smix_trace_token tk;
    if (c->mode == TV_COL_BITS) return tv_scale_level(tv_doc_bits(d, i));
    if (tv_doc_token(d, i, &tk) != 0) return -1;
    int ssm = (tk.flags & SMIX_TI_SSM) != 0;
    switch (c->mode) {
    case TV_COL_SSM_RANK: return ssm ? tv__rank_level[tv__rank_bucket(tk.rank_ssm)] : -1;
    case TV_COL_RANK: return tv__rank_level[tv__rank_bucket(tk.rank_final)];
    case TV_COL_NEW: return tk.is_new ? 6 : 1;
    case TV_COL_COMP: {
        int k = tv__dominant(c, &tk);
        if (k < 0) return -1;
        for (int j = 0; j < c->n_top; j++)
            if (c->top[j] == k) return j;
        return c->n_top;
    }
    case TV_COL_VS_SSM: {
        if (!ssm || !(tk.p_ssm > 0)) return -1;
        double v = -log2(tk.p_ssm) - tk.bits;
        int l = 0;
        while (l < TV_LEVELS - 1 && v < tv__vs_edge[l]) l++;
        return l;
    }
    default: return -1;
    }
}

int tv_colour_legend(const tv_colour *c, tv_doc *d, int k, char *out, size_t len)
{
    smix_trace_part p;
    switch (c->mode) {
    case TV_COL_BITS:
        if (k >= TV_LEVELS) return -1;
        snprintf(out, len, "%g%s", tv_scale_anchor(k), k == TV_LEVELS - 1 ? "+" : "");
        return k;
    case TV_COL_SSM_RANK: case TV_COL_RANK:
        if (k >= 5) return -1;
        snprintf(out, len, "%s", tv__rank_label[k]);
        return tv__rank_level[k];
    case TV_COL_NEW:
        if (k >= 2) return -1;
        snprintf(out, len, "%s", k ? "NEW" : "seen");
        return k ? 6 : 1;
    case TV_COL_COMP:
        if (k > c->n_top) return -1;
        if (k == c->n_top) snprintf(out, len, "other");
        else if (smix_trace_component(tv_doc_trace(d), (uint32_t)c->top[k], &p) == 0) snprintf(out, len, "%s", p.name);
        else snprintf(out, len, "?");
        return k;
    case TV_COL_VS_SSM:
        if (k >= TV_LEVELS) return -1;
        snprintf(out, len, "%s", tv__vs_label[k]);
        return k;
    default: return -1;
    }
}

void tv_colour_here(const tv_colour *c, tv_doc *d, uint64_t i, char *out, size_t len)
{
    int l = tv_colour_level(c, d, i);
    snprintf(out, len, "n/a");
    if (c->mode == TV_COL_BITS) { snprintf(out, len, "%.2f bits", tv_doc_bits(d, i)); return; }
    for (int k = 0; l >= 0; k++) {
        char lab[48];
        int lk = tv_colour_legend(c, d, k, lab, sizeof lab);
        if (lk < 0) break;
        if (lk == l) { snprintf(out, len, "%s", lab); return; }
    }
}

static const char *const tv__short_names[TV_COL_COUNT] = {
    "bits", "SSM rank", "rank", "NEW", "top", "saved vs SSM >=",
};
static const char *const tv__vs_short[TV_LEVELS] = { "+4", "+2", "+.5", "+0", "-.5", "-2", "-4", "<-4" };

const char *tv_colour_short_name(int mode)
{
    return mode >= 0 && mode < TV_COL_COUNT ? tv__short_names[mode] : "?";
}

int tv_colour_legend_short(const tv_colour *c, tv_doc *d, int k, char *out, size_t len)
{
    if (c->mode != TV_COL_VS_SSM) return tv_colour_legend(c, d, k, out, len);
    if (k < 0 || k >= TV_LEVELS) return -1;
    snprintf(out, len, "%s", tv__vs_short[k]);
    return k;
}
