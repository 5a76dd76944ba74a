/*
 * pane_detail.c - everything the trace knows about the cursor token.
 *
 * Two shapes: a tall column beside the text on wide terminals (header, one
 * bar per component, then the top-8 lists), or a short band under the text
 * on narrow ones (a header, the bars in sub-columns and the top-8 lists
 * side by side). A bar is a component's term in the token's logit (the
 * trace's components, by name; they sum to the logit), all on one scale
 * per token (the largest |term|, at least 1) so their lengths compare. The
 * header says what each coding step cost; the SSM's figures appear only
 * where the trace has them (its level has the SSM; a token seen before).
 */
#include "app.h"
#include "esc.h"
#include "explain.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void det__label(app *a, int y, int *x, int maxx, const char *label, const char *value)
{
    crt_set(a->crt, CRT_LABEL);
    *x += crt_text(a->crt, y, *x, maxx - *x, label);
    crt_set(a->crt, CRT_NORMAL);
    *x += crt_text(a->crt, y, *x, maxx - *x, value);
}

static void det__quote(app *a, const uint8_t *b, uint32_t n, char *out, size_t outlen)
{
    char e[96];
    esc_string(b, n > 32 ? 32 : n, crt_utf8(a->crt), e, sizeof e);
    snprintf(out, outlen, "'%s'%s", e, n > 32 ? "..." : "");
}

/* First header row: token number, text, id, offset. */
static void det__title(app *a, const smix_trace_token *tk, int y, int x, int mx)
{
    char v[64], q[128];
    crt_set(a->crt, CRT_TITLE);
    snprintf(v, sizeof v, "token %llu ", (unsigned long long)tk->index + 1);
    x += crt_text(a->crt, y, x, mx - x, v);
    det__quote(a, tk->bytes, tk->length, q, sizeof q);
    crt_set(a->crt, CRT_NORMAL);
    x += crt_text(a->crt, y, x, mx - x, q);
    snprintf(v, sizeof v, " %u", tk->token_id);
    det__label(a, y, &x, mx, "  id", v);
    snprintf(v, sizeof v, " %llu+%u", (unsigned long long)tk->offset, tk->length);
    det__label(a, y, &x, mx, "  off", v);
    if (tk->is_new) det__label(a, y, &x, mx, "  NEW", "");
}

static int det__has_ssm(app *a)
{
    return (doc_summary(a->doc)->flags & SMIX_TRACE_SSM) != 0;
}

/* The SSM's view of the token: "off", "n/a (new)" or "p #rank". */
static void det__ssm(app *a, const smix_trace_token *tk, char *v, size_t n)
{
    char p[24];
    if (!det__has_ssm(a)) snprintf(v, n, " off");
    else if (!(tk->flags & SMIX_TI_SSM)) snprintf(v, n, " n/a (new; NEW %s)", explain_pct(tk->p_ssm_new, p, sizeof p));
    else snprintf(v, n, " %s #%u", explain_pct(tk->p_ssm, p, sizeof p), tk->rank_ssm);
}

/* The coding steps with bits, on one row: "sym 3.20 class 5.10 ...". */
static void det__steps(app *a, const smix_trace_token *tk, int y, int x, int mx)
{
    smix_trace_part p;
    det__label(a, y, &x, mx, "steps", "");
    for (uint32_t k = 0; smix_trace_step(doc_trace(a->doc), k, &p) == 0; k++) {
        char v[48];
        if (fabs(tk->step_bits[k]) < 0.005) continue;
        snprintf(v, sizeof v, " %.2f", tk->step_bits[k]);
        char lab[24];
        snprintf(lab, sizeof lab, " %s", p.name);
        det__label(a, y, &x, mx, lab, v);
    }
}

/* Short band: the numbers on two rows. Returns rows used. */
static int det__header_band(app *a, const smix_trace_token *tk, const app_rect *r)
{
    char v[64], p[24];
    int y = r->y + 1, x = r->x, mx = r->x + r->w;
    det__title(a, tk, r->y, r->x, mx);
    det__ssm(a, tk, v, sizeof v);
    det__label(a, y, &x, mx, "SSM", v);
    if (det__has_ssm(a)) {
        snprintf(v, sizeof v, " %.2f", tk->entropy);
        det__label(a, y, &x, mx, "  H", v);
    }
    snprintf(v, sizeof v, " %s #%u", explain_pct(tk->p_final, p, sizeof p), tk->rank_final);
    det__label(a, y, &x, mx, "  final", v);
    snprintf(v, sizeof v, " %.2f", tk->bits);
    det__label(a, y, &x, mx, "  bits", v);
    snprintf(v, sizeof v, " %d x%u", tk->longest_order, tk->longest_count);
    det__label(a, y, &x, mx, "  order", v);
    det__steps(a, tk, y + 1, r->x, mx);
    return 3;
}

/* Tall column: four rows. */
static int det__header_full(app *a, const smix_trace_token *tk, const app_rect *r)
{
    char v[64], p[24];
    int y = r->y + 1, x = r->x, mx = r->x + r->w;
    det__title(a, tk, r->y, r->x, mx);
    det__ssm(a, tk, v, sizeof v);
    det__label(a, y, &x, mx, "SSM p", v);
    x = r->x;
    y++;
    if (det__has_ssm(a)) {
        snprintf(v, sizeof v, " %.2f bits", tk->entropy);
        det__label(a, y, &x, mx, "entropy", v);
        snprintf(v, sizeof v, " %.3f", tk->scale);
        det__label(a, y, &x, mx, "  scale", v);
        x = r->x;
        y++;
    }
    snprintf(v, sizeof v, " %s  rank %u", explain_pct(tk->p_final, p, sizeof p), tk->rank_final);
    det__label(a, y, &x, mx, "final p", v);
    crt_set(a->crt, CRT_TITLE);
    snprintf(v, sizeof v, "  %.2f bits", tk->bits);
    x += crt_text(a->crt, y, x, mx - x, v);
    det__steps(a, tk, ++y, r->x, mx);
    x = r->x;
    y++;
    snprintf(v, sizeof v, " %d, followed by this token %ux", tk->longest_order, tk->longest_count);
    det__label(a, y, &x, mx, "longest n-gram", v);
    return y - r->y + 1;
}

static void det__bias(app *a, const smix_trace_token *tk, int comp, double scale, int y, int x,
                      int w)
{
    char v[32];
    int utf8 = crt_utf8(a->crt);
    float b = tk->comp[comp];
    smix_trace_part p;
    crt_set(a->crt, CRT_LABEL);
    if (smix_trace_component(doc_trace(a->doc), (uint32_t)comp, &p) == 0) crt_text(a->crt, y, x, w, p.name);
    snprintf(v, sizeof v, "%+5.1f", b);
    crt_set(a->crt, CRT_NORMAL);
    crt_text(a->crt, y, x + 7, w - 7, v);
    int bw = w - 13, half = (bw - 1) / 2, x0 = x + 13 + half;
    if (half < 1) return;
    int len = doc_clampi(fabs(b) / scale * half + 0.5, 0, half);
    if (len == 0 && fabs(b) >= 0.05) len = 1;
    crt_set(a->crt, CRT_DIM);
    crt_text(a->crt, y, x0, 1, utf8 ? "\xE2\x94\x82" : "|");
    crt_set(a->crt, b >= 0 ? CRT_BAR_POS : CRT_BAR_NEG);
    for (int i = 1; i <= len; i++)
        crt_text(a->crt, y, b >= 0 ? x0 + i : x0 - i, 1, utf8 ? "\xE2\x96\x88" : (b >= 0 ? "+" : "-"));
    crt_set(a->crt, CRT_NORMAL);
}

/* Term bars in as many sub-columns as fit (at least 19 columns each); if
 * not all components fit, the ones with the largest |term| are shown, in
 * component order. */
static void det__biases(app *a, const smix_trace_token *tk, int y, int x, int w, int h)
{
    double scale = 1.0;
    int n = (int)tk->n_comp, show[SMIX_TRACE_MAX_COMP], ns = 0;
    for (int k = 0; k < n; k++)
        if (fabs(tk->comp[k]) > scale) scale = fabs(tk->comp[k]);
    if (h < 1 || n < 1) return;
    int cols = (n + h - 1) / h;
    while (cols > 1 && w / cols < 19) cols--;
    int room = cols * h < n ? cols * h : n;
    for (int k = 0; k < n; k++) {
        int bigger = 0;   /* components that outrank k */
        for (int j = 0; j < n; j++)
            bigger += fabs(tk->comp[j]) > fabs(tk->comp[k]) || (fabs(tk->comp[j]) == fabs(tk->comp[k]) && j < k);
        if (bigger < room) show[ns++] = k;
    }
    int rows = (ns + cols - 1) / cols, cw = w / cols;
    for (int i = 0; i < ns; i++)
        det__bias(a, tk, show[i], scale, y + i % rows, x + (i / rows) * cw, cw - 1);
}

static void det__cand(app *a, uint32_t id, float p, uint32_t actual, int y, int x, int w)
{
    char q[128], pc[24];
    uint32_t len;
    if (id == SMIX_TOKEN_NONE) return;
    const uint8_t *b = doc_vocab(a->doc, id, &len);
    if (id == SMIX_TOKEN_NEW) snprintf(q, sizeof q, "<new>");
    else det__quote(a, b, len, q, sizeof q);
    crt_set(a->crt, id == actual ? CRT_ACTUAL : CRT_NORMAL);
    crt_text(a->crt, y, x, w - 7, q);
    explain_pct(p, pc, sizeof pc);
    crt_text(a->crt, y, x + w - 7, 7, pc);
    crt_set(a->crt, CRT_NORMAL);
}

static void det__topk(app *a, const smix_trace_token *tk, int y, int x, int w, int h)
{
    smix_trace_topk top;
    if (h < 2 || smix_trace_get_topk(doc_trace(a->doc), tk->index, &top) != 0) return;
    int ssm = det__has_ssm(a), cw = ssm ? (w - 3) / 2 : w - 3;
    uint32_t actual = tk->is_new ? SMIX_TOKEN_NEW : tk->token_id;
    crt_set(a->crt, CRT_TITLE);
    crt_text(a->crt, y, x, w, "   after mixing");
    if (ssm) crt_text(a->crt, y, x + 3 + cw, w - 3 - cw, "SSM alone");
    for (int i = 0; i < SMIX_TOPK && i + 1 < h; i++) {
        char n[8];
        snprintf(n, sizeof n, "%d", i + 1);
        crt_set(a->crt, CRT_DIM);
        crt_text(a->crt, y + 1 + i, x, 3, n);
        det__cand(a, top.id[i], top.p[i], actual, y + 1 + i, x + 2, cw);
        if (ssm) det__cand(a, top.ssm_id[i], top.ssm_p[i], tk->token_id, y + 1 + i, x + 3 + cw, cw);
    }
}

static void detail_draw(app *a, const app_rect *r)
{
    smix_trace_token tk;
    if (doc_token(a->doc, a->cur, &tk) != 0) return;
    int band = r->w >= 80;
    if (band) {
        crt_set(a->crt, CRT_DIM);
        for (int x = 0; x < r->w; x++)
            crt_text(a->crt, r->y, r->x + x, 1, crt_utf8(a->crt) ? "\xE2\x94\x80" : "-");
        app_rect hr = { r->y + 1, r->x, r->h - 1, r->w };
        int used = 1 + det__header_band(a, &tk, &hr);
        int h = r->h - used, half = r->w / 2;
        det__biases(a, &tk, r->y + used, r->x, half - 1, h);
        det__topk(a, &tk, r->y + used, r->x + half, r->w - half, h);
        return;
    }
    for (int y = 0; y < r->h; y++) {
        crt_set(a->crt, CRT_DIM);
        crt_text(a->crt, r->y + y, r->x - 1, 1, crt_utf8(a->crt) ? "\xE2\x94\x82" : "|");
    }
    int used = det__header_full(a, &tk, r) + 1;
    int left = r->h - used - 10;   /* keep room for the top-8 lists */
    int nc = (int)tk.n_comp;
    int bh = left >= nc ? nc : (left >= 7 ? left : (left > 4 ? left : 5));
    det__biases(a, &tk, r->y + used, r->x, r->w, bh);
    det__topk(a, &tk, r->y + used + bh + 1, r->x, r->w, r->h - used - bh - 1);
}

const pane_ops pane_detail = { "detail", detail_draw, NULL };
