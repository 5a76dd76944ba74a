/*
 * explain.c - the `e` line: a sentence per token (see explain.h).
 *
 * The cases, checked in order: a token seen for the first time (spelled out,
 * no model could know it); the SSM switched off; a component that lifted the
 * token well above the SSM's guess (the usual n-gram/match story); one that
 * pulled it below; an easy token; a hard one. "Instead of" always compares
 * with the cost the SSM alone would have paid, -log2 p_ssm.
 */
#include "explain.h"
#include "esc.h"

#include <ctype.h>
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

/* "the 4-gram context", "the match model", ... */
static void explain__comp(int comp, char *out, size_t outlen)
{
    static const int orders[SMIX_NCOMP] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 16, 32, 0, 0 };
    if (comp == SMIX_COMP_PRIOR) snprintf(out, outlen, "the frequency prior");
    else if (comp == SMIX_COMP_MATCH) snprintf(out, outlen, "an earlier repeat of this text (match model)");
    else if (comp == SMIX_COMP_RECENCY) snprintf(out, outlen, "the recency model");
    else if (comp > 0 && comp < SMIX_NCOMP) snprintf(out, outlen, "the %d-gram context", orders[comp]);
    else snprintf(out, outlen, "the other models");
}

static int explain__order(int comp)
{
    static const int orders[SMIX_NCOMP] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 16, 32, 0, 0 };
    return comp >= 0 && comp < SMIX_NCOMP ? orders[comp] : 0;
}

static void explain__extremes(const smix_trace_token *tk, int *up, int *down)
{
    *up = *down = -1;
    for (int k = 0; k < SMIX_NCOMP; k++) {
        if (tk->bias[k] > 0 && (*up < 0 || tk->bias[k] > tk->bias[*up])) *up = k;
        if (tk->bias[k] < 0 && (*down < 0 || tk->bias[k] < tk->bias[*down])) *down = k;
    }
}

static void explain__raised(const smix_trace_token *tk, int up, const char *ps, const char *pf,
                            double bssm, char *out, size_t outlen)
{
    char who[80];
    int ord = explain__order(up);
    unsigned c = tk->longest_count;
    if (ord > 0 && ord == tk->longest_order && c > 0) {
        snprintf(out, outlen, "The %d-gram context had seen this token %u time%s and raised it "
                 "from %s under the SSM to %s, so it cost %.1f bits instead of %.1f.",
                 ord, c, c == 1 ? "" : "s", ps, pf, tk->bits, bssm);
    } else if (ord > 0 && tk->longest_order > 0 && c > 0) {
        snprintf(out, outlen, "The n-gram models raised it from %s under the SSM to %s (the longest "
                 "context seen, %d tokens, had been followed by it %u time%s), so it cost %.1f bits "
                 "instead of %.1f.", ps, pf, tk->longest_order, c, c == 1 ? "" : "s", tk->bits, bssm);
    } else {
        explain__comp(up, who, sizeof who);
        who[0] = (char)toupper((unsigned char)who[0]);
        snprintf(out, outlen, "%s raised it from %s under the SSM to %s, so it cost %.1f bits "
                 "instead of %.1f.", who, ps, pf, tk->bits, bssm);
    }
}

void explain_token(const smix_trace_token *tk, const smix_trace_topk *top,
                   const smix_trace *t, int utf8, char *out, size_t outlen)
{
    char txt[64], ps[24], pf[24], who[80];
    int up, down;
    esc_string(tk->bytes, tk->length > 24 ? 24 : tk->length, utf8, txt, sizeof txt);
    explain_pct(tk->p_ssm, ps, sizeof ps);
    explain_pct(tk->p_final, pf, sizeof pf);
    explain__extremes(tk, &up, &down);
    double bssm = tk->p_ssm > 0 ? -log2(tk->p_ssm) : 0;
    int ssm_on = tk->rank_ssm > 0 || tk->p_ssm > 0;

    if (tk->is_new) {
        snprintf(out, outlen, "'%s' appears here for the first time, so no model could predict it: "
                 "it was coded as a new token and spelled out, %.1f bits.", txt, tk->bits);
    } else if (!ssm_on) {
        explain__comp(up, who, sizeof who);
        snprintf(out, outlen, "No SSM prediction here; mostly %s gave '%s' %s, so it cost %.1f bits.",
                 who, txt, pf, tk->bits);
    } else if (up >= 0 && tk->p_final > 1.5 * tk->p_ssm && tk->p_final - tk->p_ssm > 0.05) {
        explain__raised(tk, up, ps, pf, bssm, out, outlen);
    } else if (down >= 0 && tk->p_final < 0.67 * tk->p_ssm && tk->p_ssm - tk->p_final > 0.05) {
        explain__comp(down, who, sizeof who);
        snprintf(out, outlen, "The SSM gave '%s' %s (rank %u), but %s pulled it down to %s, so it "
                 "cost %.1f bits instead of %.1f.", txt, ps, tk->rank_ssm, who, pf, tk->bits, bssm);
    } else if (tk->p_final >= 0.5) {
        snprintf(out, outlen, "Easy: the SSM ranked '%s' #%u at %s and after mixing it had %s, "
                 "so it cost only %.2f bits.", txt, tk->rank_ssm, ps, pf, tk->bits);
    } else {
        char fav[128] = "";
        if (top && top->id[0] != tk->token_id && top->id[0] != SMIX_TOKEN_NEW) {
            uint32_t len = 0;
            const uint8_t *b = smix_trace_vocab_token(t, top->id[0], &len);
            char ft[40], fp[24];
            if (b) {
                esc_string(b, len > 16 ? 16 : len, utf8, ft, sizeof ft);
                snprintf(fav, sizeof fav, " (the favourite was '%s' at %s)", ft,
                         explain_pct(top->p[0], fp, sizeof fp));
            }
        }
        snprintf(out, outlen, "Hard to predict: the SSM ranked '%s' #%u at %s (its entropy was "
                 "%.1f bits) and mixing gave %s%s, so it cost %.1f bits.", txt, tk->rank_ssm, ps,
                 tk->entropy, pf, fav, tk->bits);
    }
}
