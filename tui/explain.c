/*
 * explain.c - the `e` line: a sentence per token (see explain.h).
 *
 * Every figure comes from the record: the token's probability under the
 * token model is e^(logit - log_norm), its rival's e^(fav_logit - log_norm),
 * (the token model's, before the byte model refines the coding of it),
 * and the difference of their logits is the sum of the components' margins
 * (comp - fav_comp), so "X favoured the rival most" names the component
 * with the most negative margin, and "X set it apart" the most positive.
 * Components are named by the trace's own descriptions. The cases: a first
 * occurrence (NEW, then its id); the token was the favourite; another
 * token was.
 */
#include "explain.h"
#include "esc.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

char *explain_pct(double p, char *out, size_t outlen)
{
    double pc = p * 100.0;
    if (pc >= 9.95) snprintf(out, outlen, "%.0f%%", pc);
    else if (pc >= 0.995) snprintf(out, outlen, "%.1f%%", pc);
    else if (pc >= 0.00995) snprintf(out, outlen, "%.2f%%", pc);
    else snprintf(out, outlen, "%.1e%%", pc);
    return out;
}

/* The component with the largest (sign > 0) or smallest (sign < 0) margin
 * of the token over its rival; -1 if none differs. */
static int explain__pick(const smix_trace_token *tk, int sign)
{
    int best = -1;
    double bm = 0.0;
    for (uint32_t c = 0; c < tk->n_comp; c++) {
        double m = sign * ((double)tk->comp[c] - tk->fav_comp[c]);
        if (m > bm) {
            bm = m;
            best = (int)c;
        }
    }
    return best;
}

static void explain__desc(const smix_trace *t, int comp, char *out, size_t outlen)
{
    smix_trace_part p;
    if (comp < 0 || smix_trace_component(t, (uint32_t)comp, &p) != 0) snprintf(out, outlen, "no single component");
    else snprintf(out, outlen, "%s", p.description);
}

/* The rival's text, escaped, in quotes ("NEW" for a new token). */
static void explain__rival(const smix_trace_token *tk, const smix_trace *t, int utf8, char *out, size_t outlen)
{
    uint32_t len = 0;
    const uint8_t *b = tk->fav_id == SMIX_TOKEN_NEW ? NULL : smix_trace_vocab_token(t, tk->fav_id, &len);
    char e[48];
    if (tk->fav_id == SMIX_TOKEN_NEW) snprintf(out, outlen, "a new token");
    else if (!b) snprintf(out, outlen, "token #%u", tk->fav_id);
    else {
        esc_string(b, len > 16 ? 16 : len, utf8, e, sizeof e);
        snprintf(out, outlen, "'%s'", e);
    }
}

/* The bits of the trace's step `name` for this token (0 if none). */
static double explain__step(const smix_trace_token *tk, const smix_trace *t, const char *name)
{
    int k = smix_trace_step_index(t, name);
    return k >= 0 ? tk->step_bits[k] : 0.0;
}

static void explain__ssm(const smix_trace_token *tk, char *out, size_t outlen)
{
    char ps[24];
    out[0] = 0;
    if (tk->flags & SMIX_TI_SSM)
        snprintf(out, outlen, " The SSM alone gave it %s (rank %u, %.1f bits).", explain_pct(tk->p_ssm, ps, sizeof ps),
                 tk->rank_ssm, -log2(tk->p_ssm > 0 ? tk->p_ssm : 1e-30));
}

/* " (coded at P)" when the coded probability differs from the token
 * model's (the byte model, quantisation, the id of a new token). */
static void explain__coded(const smix_trace_token *tk, double p, char *out, size_t outlen)
{
    char pc[24];
    out[0] = 0;
    if (!tk->is_new && fabs(log2(p) + tk->bits) > 0.05)
        snprintf(out, outlen, " (coded at %s)", explain_pct(tk->p_final, pc, sizeof pc));
}

void explain_token(const smix_trace_token *tk, const smix_trace_topk *top,
                   const smix_trace *t, int utf8, char *out, size_t outlen)
{
    char txt[64], pm[24], pr[24], rival[64], who[112], ssm[96], coded[40];
    (void)top;
    esc_string(tk->bytes, tk->length > 24 ? 24 : tk->length, utf8, txt, sizeof txt);
    double p = exp(tk->logit - tk->log_norm), prv = exp(tk->fav_logit - tk->log_norm);
    explain__coded(tk, p, coded, sizeof coded);
    explain_pct(p, pm, sizeof pm);
    explain_pct(prv, pr, sizeof pr);
    explain__rival(tk, t, utf8, rival, sizeof rival);
    explain__ssm(tk, ssm, sizeof ssm);
    if (tk->is_new) {
        snprintf(out, outlen, "'%s' appears here for the first time: the model gave NEW %s, and its id took "
                 "%.1f more bits through the id tree; %.1f bits in all.", txt, pm, explain__step(tk, t, "id"),
                 tk->bits);
    } else if (tk->fav_id == SMIX_TOKEN_NONE) {
        snprintf(out, outlen, "'%s' was the only token the model offered here: %.2f bits.", txt, tk->bits);
    } else if (tk->flags & SMIX_TI_FAV) {
        explain__desc(t, explain__pick(tk, 1), who, sizeof who);
        snprintf(out, outlen, "'%s' was the model's favourite at %s%s, %.2f bits; the runner-up was %s at %s, "
                 "and %s set them apart most.%s", txt, pm, coded, tk->bits, rival, pr, who, ssm);
    } else {
        explain__desc(t, explain__pick(tk, -1), who, sizeof who);
        snprintf(out, outlen, "'%s' got %s%s (rank %u), %.1f bits: the favourite was %s at %s, and %s "
                 "favoured it over this token most.%s", txt, pm, coded, tk->rank_final, tk->bits, rival, pr, who, ssm);
    }
}
