/*
 * tv_why.c - the figures and the sentence behind "why did this token cost
 * N bits" (see tv_why.h).
 *
 * The sentence says only what the record proves: the token model's
 * probabilities (e^(logit - log_norm)), the favourite and its lead, the
 * components with the largest margins (an exact split of that lead), what
 * the byte model and a new token's id added, and the SSM's own view where
 * the trace has one.
 */
#include "tv_why.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TV__LN2 0.69314718055994530942

char *tv_pct(double p, char *out, size_t outlen)
{
    double pc = p * 100.0;
    if (!(pc >= 0)) pc = 0;
    if (pc >= 9.95) snprintf(out, outlen, "%.0f%%", pc);
    else if (pc >= 0.995) snprintf(out, outlen, "%.1f%%", pc);
    else if (pc >= 0.0995) snprintf(out, outlen, "%.2f%%", pc);
    else if (pc >= 0.00995) snprintf(out, outlen, "%.3f%%", pc);
    else if (pc > 0) snprintf(out, outlen, "%.1e%%", pc);
    else snprintf(out, outlen, "0%%");
    return out;
}

static int tv__cmp_comp(const void *a, const void *b)
{
    const tv_why_comp *x = a, *y = b;
    double sx = fabs(x->saved_bits), sy = fabs(y->saved_bits);   /* 0 without counterfactuals */
    if (sx != sy) return sx < sy ? 1 : -1;
    double mx = fabs(x->margin_bits), my = fabs(y->margin_bits);
    if (mx != my) return mx < my ? 1 : -1;
    double tx = fabs(x->tok_bits), ty = fabs(y->tok_bits);
    if (tx != ty) return tx < ty ? 1 : -1;
    return x->index - y->index;
}

static void tv__rival(tv_doc *d, const smix_trace_token *tk, int utf8, char *out, size_t outlen)
{
    uint32_t len = 0;
    char e[48];
    if (tk->fav_id == SMIX_TOKEN_NEW) { snprintf(out, outlen, "a new token"); return; }
    const uint8_t *b = smix_trace_vocab_token(tv_doc_trace(d), tk->fav_id, &len);
    if (!b) { snprintf(out, outlen, "token id %u", tk->fav_id); return; }
    tv_text_label(b, len, utf8, 20, e, sizeof e);
    snprintf(out, outlen, "'%s'", e);
}

static void tv__steps(tv_doc *d, tv_why *w)
{
    const smix_trace *t = tv_doc_trace(d);
    w->n_steps = 0;
    for (uint32_t k = 0; k < w->tk.n_steps && k < SMIX_TRACE_MAX_STEPS; k++) {
        smix_trace_part p;
        if (smix_trace_step(t, k, &p) != 0) break;
        tv_why_step *s = &w->step[w->n_steps++];
        s->name = p.name;
        s->description = p.description;
        s->mixed = p.mixed;
        s->bits = w->tk.step_bits[k];
        s->tm = w->tk.step_tm[k];
        int spelled = !strcmp(p.name, "new_walk");
        if (spelled || !strcmp(p.name, "id")) {
            w->id_bits += s->tm;
            w->byte_bits += s->bits - s->tm;
            w->id_coded += s->bits;
            if (spelled && s->bits != 0.0) w->id_spelled = 1;
        } else if (!strcmp(p.name, "coder")) w->coder_bits += s->bits;
        else {
            w->model_bits += s->tm;
            w->byte_bits += s->bits - s->tm;
        }
    }
}

static void tv__comps(tv_doc *d, tv_why *w)
{
    const smix_trace *t = tv_doc_trace(d);
    w->n_comp = 0;
    for (uint32_t c = 0; c < w->tk.n_comp && c < SMIX_TRACE_MAX_COMP; c++) {
        smix_trace_part p;
        if (smix_trace_component(t, c, &p) != 0) break;
        tv_why_comp *x = &w->comp[w->n_comp++];
        x->index = (int)c;
        x->name = p.name;
        x->group = p.group;
        x->description = p.description;
        x->tok_bits = w->tk.comp[c] / TV__LN2;
        x->rival_bits = w->rival ? w->tk.fav_comp[c] / TV__LN2 : 0.0;
        x->margin_bits = w->rival ? x->tok_bits - x->rival_bits : 0.0;
        x->saved_bits = w->has_saved ? w->tk.saved[c] : 0.0;
    }
    qsort(w->comp, w->n_comp, sizeof w->comp[0], tv__cmp_comp);
}

int tv_why_token(tv_doc *d, uint64_t i, int utf8, tv_why *w)
{
    memset(w, 0, sizeof *w);
    if (tv_doc_token(d, i, &w->tk) != 0) return -1;
    const smix_trace_token *tk = &w->tk;
    tv_text_label(tk->bytes, tk->length, utf8, 24, w->text, sizeof w->text);
    w->bits = tk->bits;
    w->p_model = exp(tk->logit - tk->log_norm);
    w->rival = tk->fav_id != SMIX_TOKEN_NONE;
    w->token_is_fav = (tk->flags & SMIX_TI_FAV) != 0;
    if (w->rival) {
        w->p_rival = exp(tk->fav_logit - tk->log_norm);
        w->lead_bits = (tk->fav_logit - tk->logit) / TV__LN2;
        tv__rival(d, tk, utf8, w->rival_text, sizeof w->rival_text);
    }
    tv__steps(d, w);
    w->has_saved = (tv_doc_summary(d)->flags & SMIX_TRACE_SAVED) != 0;
    tv__comps(d, w);
    return 0;
}

/* "C (description)" for the first component named, "C" after. */
static void tv__names(const tv_why *w, int sign, char *out, size_t outlen)
{
    int n = 0;
    size_t o = 0;
    out[0] = 0;
    for (uint32_t k = 0; k < w->n_comp && n < 2; k++) {
        const tv_why_comp *c = &w->comp[k];
        double m = sign * c->margin_bits;
        if (m < 0.05 || (n == 1 && m < 0.25 * sign * w->comp[0].margin_bits)) continue;
        if (n == 0) {   /* its description up to any parenthesis: a sentence, not a manual */
            size_t dl = strcspn(c->description, "(");
            while (dl > 0 && c->description[dl - 1] == ' ') dl--;
            o += (size_t)snprintf(out + o, outlen - o, "%s, %.1f bits (%.*s)", c->name, m, (int)dl, c->description);
        }
        else snprintf(out + o, outlen - o, ", and %s, %.1f bits", c->name, m);
        n++;
        if (o >= outlen) break;
    }
    if (n == 0) snprintf(out, outlen, "no single component");
}

static void tv__tail(const tv_why *w, tv_doc *d, char *out, size_t outlen)
{
    char ps[24];
    size_t o = 0;
    out[0] = 0;
    if (w->has_saved && w->n_comp && fabs(w->comp[0].saved_bits) >= 0.05) {
        o += (size_t)snprintf(out, outlen, " Without %s it would have cost %.2f bits %s", w->comp[0].name,
                              fabs(w->comp[0].saved_bits), w->comp[0].saved_bits > 0 ? "more" : "less");
        /* the next largest counterfactual too, when it is of the same size */
        if (o < outlen && w->n_comp > 1 && fabs(w->comp[1].saved_bits) >= 0.05 &&
            fabs(w->comp[1].saved_bits) >= 0.25 * fabs(w->comp[0].saved_bits))
            o += (size_t)snprintf(out + o, outlen - o, ", without %s %.2f bits %s", w->comp[1].name,
                                  fabs(w->comp[1].saved_bits), w->comp[1].saved_bits > 0 ? "more" : "less");
        if (o < outlen) o += (size_t)snprintf(out + o, outlen - o, ".");
    }
    if (fabs(w->byte_bits) >= 0.05)
        o += (size_t)snprintf(out + o, outlen - o, " The byte model %s %.2f bits.",
                              w->byte_bits < 0 ? "saved" : "added", fabs(w->byte_bits));
    if (o < outlen && (w->tk.flags & SMIX_TI_SSM))
        snprintf(out + o, outlen - o, " The SSM alone gave it %s (rank %u).", tv_pct(w->tk.p_ssm, ps, sizeof ps),
                 w->tk.rank_ssm);
    else if (o < outlen && tv_doc_has_ssm(d) && w->tk.is_new)
        snprintf(out + o, outlen - o, " The SSM gave NEW %s.", tv_pct(w->tk.p_ssm_new, ps, sizeof ps));
}

void tv_why_sentence(const tv_why *w, tv_doc *d, char *out, size_t outlen)
{
    char pm[24], pr[24], who[320], tail[320];
    const smix_trace_token *tk = &w->tk;
    tv_pct(w->p_model, pm, sizeof pm);
    tv_pct(w->p_rival, pr, sizeof pr);
    tv__tail(w, d, tail, sizeof tail);
    if (tk->is_new && w->id_spelled) {
        snprintf(out, outlen, "#%llu '%s' appears for the first time: %.2f bits. The model gave NEW %s "
                 "(%.2f bits), then spelling it took %.2f bits (the id tree alone: %.2f).%s",
                 (unsigned long long)tk->index, w->text, w->bits, pm, w->model_bits, w->id_coded, w->id_bits, tail);
    } else if (tk->is_new) {
        snprintf(out, outlen, "#%llu '%s' appears for the first time: %.2f bits. The model gave NEW %s "
                 "(%.2f bits), then its id took %.2f bits.%s", (unsigned long long)tk->index, w->text,
                 w->bits, pm, w->model_bits, w->id_bits, tail);
    } else if (!w->rival) {
        snprintf(out, outlen, "#%llu '%s' was the only token the model offered: %.2f bits.%s",
                 (unsigned long long)tk->index, w->text, w->bits, tail);
    } else if (w->token_is_fav) {
        tv__names(w, 1, who, sizeof who);
        snprintf(out, outlen, "#%llu '%s' was the model's favourite at %s: %.2f bits. It led the runner-up, "
                 "%s at %s, by %.1f bits, most through %s.%s", (unsigned long long)tk->index, w->text, pm,
                 w->bits, w->rival_text, pr, -w->lead_bits, who, tail);
    } else {
        tv__names(w, -1, who, sizeof who);
        snprintf(out, outlen, "#%llu '%s' cost %.2f bits: the model expected %s (%s) and gave this "
                 "token %s (rank %u). The favourite's lead of %.1f bits came most from %s.%s",
                 (unsigned long long)tk->index, w->text, w->bits, w->rival_text, pr, pm, tk->rank_final,
                 w->lead_bits, who, tail);
    }
}

static void tv__cost_line(const tv_why *w, char *out, size_t outlen)
{
    size_t o = (size_t)snprintf(out, outlen, "%.2f bits = token model %.2f", w->bits, w->model_bits);
    if (o < outlen && fabs(w->byte_bits) >= 0.005)
        o += (size_t)snprintf(out + o, outlen - o, " %s byte model %.2f", w->byte_bits < 0 ? "-" : "+",
                              fabs(w->byte_bits));
    if (o < outlen && w->id_bits >= 0.005) o += (size_t)snprintf(out + o, outlen - o, " + id %.2f", w->id_bits);
    if (o < outlen && fabs(w->coder_bits) >= 0.005)
        snprintf(out + o, outlen - o, " %s coder %.2f", w->coder_bits < 0 ? "-" : "+", fabs(w->coder_bits));
}

static void tv__rival_line(const tv_why *w, char *out, size_t outlen)
{
    char pr[24];
    tv_pct(w->p_rival, pr, sizeof pr);
    if (!w->rival) snprintf(out, outlen, "no rival: the only candidate");
    else if (w->token_is_fav)
        snprintf(out, outlen, "the favourite; runner-up %s at %s, %.2f bits behind", w->rival_text, pr,
                 -w->lead_bits);
    else snprintf(out, outlen, "expected: %s at %s, %.2f bits ahead", w->rival_text, pr, w->lead_bits);
}

static void tv__ssm_line(const tv_why *w, tv_doc *d, char *out, size_t outlen)
{
    char p[24];
    const smix_trace_token *tk = &w->tk;
    if (!tv_doc_has_ssm(d)) snprintf(out, outlen, "SSM off at level %u (levels 4-9 have it)",
                                     tv_doc_summary(d)->config.level);
    else if (!(tk->flags & SMIX_TI_SSM))
        snprintf(out, outlen, "SSM n/a for a new token (it gave NEW %s), entropy %.2f bits",
                 tv_pct(tk->p_ssm_new, p, sizeof p), tk->entropy);
    else snprintf(out, outlen, "SSM %s rank %u, entropy %.2f bits, scale %.3f", tv_pct(tk->p_ssm, p, sizeof p),
                  tk->rank_ssm, tk->entropy, tk->scale);
}

static void tv__steps_line(const tv_why *w, char *out, size_t outlen)
{
    size_t o = (size_t)snprintf(out, outlen, "steps:");
    for (uint32_t k = 0; k < w->n_steps && o < outlen; k++) {
        const tv_why_step *s = &w->step[k];
        if (fabs(s->bits) < 0.005 && fabs(s->tm) < 0.005) continue;
        o += (size_t)snprintf(out + o, outlen - o, " %s %.2f", s->name, s->bits);
        if (o < outlen && s->mixed && fabs(s->bits - s->tm) >= 0.005)
            o += (size_t)snprintf(out + o, outlen - o, " (model %.2f)", s->tm);
    }
}

void tv_why_line(const tv_why *w, tv_doc *d, int which, char *out, size_t outlen)
{
    char p[24];
    const smix_trace_token *tk = &w->tk;
    switch (which) {
    case TV_WHY_TITLE:
        snprintf(out, outlen, "#%llu '%s'  id %u  off %llu+%u%s", (unsigned long long)tk->index, w->text,
                 tk->token_id, (unsigned long long)tk->offset, tk->length, tk->is_new ? "  NEW" : "");
        break;
    case TV_WHY_COST: tv__cost_line(w, out, outlen); break;
    case TV_WHY_FINAL:
        snprintf(out, outlen, "coded p %s, rank %u (token model p %s)", tv_pct(tk->p_final, p, sizeof p),
                 tk->rank_final, tv_pct(w->p_model, (char[24]){ 0 }, 24));
        break;
    case TV_WHY_RIVAL: tv__rival_line(w, out, outlen); break;
    case TV_WHY_SSM: tv__ssm_line(w, d, out, outlen); break;
    case TV_WHY_STEPS: tv__steps_line(w, out, outlen); break;
    case TV_WHY_ORDER:
        if (tk->longest_order > 0)
            snprintf(out, outlen, "longest context seen: order %d, followed by this token %ux", tk->longest_order,
                     tk->longest_count);
        else snprintf(out, outlen, "no n-gram context seen before");
        break;
    default: if (outlen) out[0] = 0;
    }
}
