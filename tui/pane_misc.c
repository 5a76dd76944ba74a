/*
 * pane_misc.c - the one-row and small panes: timeline (bits and, with the
 * SSM, its training loss), explain line, status line, and the help screen
 * generated from the key table.
 */
#include "app.h"
#include "tv_text.h"
#include "tv_why.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- timeline: legend, sparkline around the cursor, running bpb ---- */

static void time__legend(app *a, const app_rect *r)
{
    char v[160];
    int x = r->x, mx = r->x + r->w;
    char lab[48], here[48];
    int full = 0, narrow;
    tv_colour_here(&a->col, a->doc, a->nav.cur, here, sizeof here);
    for (int k = 0; tv_colour_legend(&a->col, a->doc, k, lab, sizeof lab) >= 0; k++) full += (int)strlen(lab) + 2;
    full += (int)strlen(tv_colour_name(a->col.mode)) + (int)strlen(here) + 10;
    narrow = a->col.mode != TV_COL_BITS && full > r->w;   /* short names, one space: no label cut */
    crt_set(a->crt, CRT_LABEL);
    if (a->col.mode == TV_COL_BITS) snprintf(v, sizeof v, "bits ");
    else if (narrow) snprintf(v, sizeof v, "%s (here %s)", tv_colour_short_name(a->col.mode), here);
    else snprintf(v, sizeof v, "%s (here: %s) ", tv_colour_name(a->col.mode), here);
    x += crt_text(a->crt, r->y, x, mx - x, v);
    for (int k = 0, l; (l = narrow ? tv_colour_legend_short(&a->col, a->doc, k, lab, sizeof lab)
                                   : tv_colour_legend(&a->col, a->doc, k, lab, sizeof lab)) >= 0; k++) {
        if (narrow) x++;
        snprintf(v, sizeof v, narrow ? "%s" : " %s ", lab);
        crt_set_level(a->crt, l, 0, 0);
        x += crt_text(a->crt, r->y, x, mx - x, v);
    }
    if (narrow) return;   /* bpb and loss are in the status line and the loss row */
    const smix_trace_summary *s = tv_doc_summary(a->doc);
    double so_far = tv_doc_bpb_upto(a->doc, a->nav.cur), file = s->input_bytes ? s->total_bits / (double)s->input_bytes : 0.0;
    snprintf(v, sizeof v, "  bpb so far %.3f, file %.3f", so_far, file);
    if ((int)strlen(v) > mx - x) snprintf(v, sizeof v, "  bpb %.3f", so_far);   /* narrow: the figure */
    if ((int)strlen(v) > mx - x) return;
    crt_set(a->crt, CRT_NORMAL);
    x += crt_text(a->crt, r->y, x, mx - x, v);
    smix_chunk_info ci;
    if (r->h >= 4 && tv_learn_chunk(a->doc, a->nav.cur, &ci) == 0) {
        snprintf(v, sizeof v, "  loss row: %.2f nats here (chunk %llu, lr %g, %u step%s)", ci.loss,
                 (unsigned long long)ci.chunk_index, ci.lr, ci.iterations, ci.iterations == 1 ? "" : "s");
        if ((int)strlen(v) > mx - x) snprintf(v, sizeof v, "  loss %.2f", ci.loss);   /* narrow: the figure */
        if ((int)strlen(v) > mx - x) return;
        crt_set(a->crt, CRT_BAR_POS);
        crt_text(a->crt, r->y, x, mx - x, v);
        crt_set(a->crt, CRT_NORMAL);
    }
}

/* Column i of the strip covers tokens [first + i*k, first + (i+1)*k), k =
 * 2^zoom; its height is the costliest of them (square root scale up to 16
 * bits), so a single expensive token is never averaged away. */
static double time__col(app *a, uint64_t t0, uint64_t k, double *sum)
{
    double mx = 0;
    for (uint64_t t = t0; t < t0 + k && t < tv_doc_count(a->doc); t++) {
        double b = tv_doc_bits(a->doc, t);
        *sum += b;
        if (b > mx) mx = b;
    }
    return mx;
}

/* The loss row: under each column of the strip, the training loss of the
 * SSM chunk that holds its first token, from the file's lowest loss
 * (lowest block) to its highest. */
static void time__loss(app *a, const app_rect *r, uint64_t first, uint64_t k, uint64_t cols)
{
    const tv_learn *l = &a->learn;
    smix_chunk_info ci;
    crt_set(a->crt, CRT_BAR_POS);
    for (uint64_t i = 0; i < (uint64_t)r->w && first + i < cols; i++) {
        if (tv_learn_chunk(a->doc, (first + i) * k, &ci) != 0) continue;
        double f = l->hi > l->lo ? (ci.loss - l->lo) / (l->hi - l->lo) : 0.5;
        crt_text(a->crt, r->y + 2, r->x + (int)i, 1, crt_spark(a->crt, tv_clampi(f * 7.99, 0, 7)));
    }
    crt_set(a->crt, CRT_NORMAL);
}

static void time_draw(app *a, const app_rect *r)
{
    uint64_t n = tv_doc_count(a->doc), w = (uint64_t)r->w, k = (uint64_t)1 << a->tl_zoom;
    time__legend(a, r);
    if (n == 0 || r->h < 3) return;
    uint64_t cols = (n + k - 1) / k, cc = a->nav.cur / k;
    uint64_t first = cc > w / 2 ? cc - w / 2 : 0;
    if (cols > w && first > cols - w) first = cols - w;
    if (cols <= w) first = 0;
    a->tl_first = first * k;
    double sum = 0;
    uint64_t cnt = 0;
    int cx = 0;
    for (uint64_t i = 0; i < w && first + i < cols; i++) {
        uint64_t t = (first + i) * k;
        double b = time__col(a, t, k, &sum);
        cnt += t + k <= n ? k : n - t;
        int h = b > 0 ? tv_clampi(sqrt((b > 16 ? 16 : b) / 16.0) * 7.99, 0, 7) : 0;
        if (first + i == cc) { crt_set_level(a->crt, tv_scale_level(b), 0, 1); cx = (int)i; }
        else crt_set(a->crt, tv_scale_level(b) >= 5 ? CRT_TITLE : CRT_LABEL);
        crt_text(a->crt, r->y + 1, r->x + (int)i, 1, crt_spark(a->crt, h));
    }
    char v[256];
    int yc = r->y + (r->h >= 4 ? 3 : 2);
    if (r->h >= 4) time__loss(a, r, first, k, cols);
    crt_set(a->crt, CRT_TITLE);
    crt_text(a->crt, yc, r->x + cx, 1, "^");
    snprintf(v, sizeof v, "%.2f bits here; %.2f bits/token on this strip", tv_doc_bits(a->doc, a->nav.cur),
             cnt ? sum / (double)cnt : 0.0);
    if (k > 1) snprintf(v + strlen(v), sizeof v - strlen(v), " (%llu tokens a column, z/Z)", (unsigned long long)k);
    int room = cx + 2 > r->w - cx - 1 ? cx - 1 : r->w - cx - 2;   /* the wider side */
    if ((int)strlen(v) > room) {   /* too long for either side: the figures, shorter */
        snprintf(v, sizeof v, "%.2f bits; strip %.2f/token", tv_doc_bits(a->doc, a->nav.cur),
                 cnt ? sum / (double)cnt : 0.0);
        if ((int)strlen(v) > room) snprintf(v, sizeof v, "%.2f bits", tv_doc_bits(a->doc, a->nav.cur));
    }
    int len = (int)strlen(v), x = cx + 2;
    if (x + len > r->w && cx - 1 - len >= 0) x = cx - 1 - len;   /* the side with room */
    if (x + len > r->w) x = cx + 2;
    crt_set(a->crt, CRT_DIM);
    crt_text(a->crt, yc, r->x + x, r->w - x, v);
    crt_set(a->crt, CRT_NORMAL);
}

static int time_click(app *a, const app_rect *r, int y, int x)
{
    (void)r;
    if (y != 1) return ACT_NONE;
    app_goto(a, a->tl_first + ((uint64_t)x << a->tl_zoom));
    return ACT_MOVED | ACT_REDRAW;
}

const pane_ops pane_timeline = { "timeline", time_draw, time_click };

/* ---- explain line ---- */

/* The sentence for the current token; 0, or -1 when there is none. */
static int explain__sentence(app *a, char *s, size_t n)
{
    tv_why wy;
    if (tv_why_token(a->doc, a->nav.cur, crt_utf8(a->crt), &wy) != 0) return -1;
    tv_why_sentence(&wy, a->doc, s, n);
    return 0;
}

/* One row of p wrapped at a space within w: its length in *cut; returns
 * where the next row starts. */
static const char *explain__wrap(const char *p, int w, size_t *cut)
{
    size_t len = strlen(p);
    *cut = len;
    if ((int)len > w) {
        *cut = (size_t)w;
        while (*cut > 0 && p[*cut] != ' ') (*cut)--;
        if (*cut == 0) *cut = (size_t)w;
    }
    p += *cut;
    while (*p == ' ') p++;
    return p;
}

int explain_rows(app *a, int w)
{
    char s[1536];
    size_t cut;
    int rows = 0;
    if (w < 1 || explain__sentence(a, s, sizeof s) != 0) return 0;
    for (const char *p = s; *p; rows++) p = explain__wrap(p, w, &cut);
    return rows;
}

static void explain_draw(app *a, const app_rect *r)
{
    char s[1536];
    if (explain__sentence(a, s, sizeof s) != 0) return;
    crt_set(a->crt, CRT_NORMAL);
    /* wrap at spaces over the rows we have (app_layout gives as many as
     * the sentence needs, up to a third of the screen) */
    const char *p = s;
    for (int row = 0; row < r->h && *p; row++) {
        size_t cut;
        const char *next = explain__wrap(p, r->w, &cut);
        char line[1536];
        snprintf(line, sizeof line, "%.*s", (int)cut, p);
        crt_text(a->crt, r->y + row, r->x, r->w, line);
        p = next;
    }
}

const pane_ops pane_explain = { "explain", explain_draw, NULL };

/* ---- status line ---- */

static void status_prompt(app *a, const app_rect *r)
{
    char shown[600];
    tv_text_label((const uint8_t *)a->input, a->input_len, crt_utf8(a->crt), 200, shown, sizeof shown - 2);
    size_t l = strlen(shown);
    shown[l] = '_';
    shown[l + 1] = 0;
    crt_set(a->crt, CRT_NORMAL);
    crt_fill(a->crt, r->y, r->x, r->w);
    crt_text(a->crt, r->y, r->x, r->w, a->prompt == '/' ? "/" : ":");
    crt_text(a->crt, r->y, r->x + 1, r->w - 1, shown);
}

/* Left: position and cost (tv_nav_status, as smix-view says it); middle:
 * the damage notice if any, else the last message; right: the file's base
 * name and the help hint, which gives way to a long message first. */
static void status_draw(app *a, const app_rect *r)
{
    char v[256], name[160], right[200], notice[320];
    if (a->prompt) { status_prompt(a, r); return; }
    crt_set(a->crt, CRT_STATUS);
    crt_fill(a->crt, r->y, r->x, r->w);
    const char *fn = tv_doc_basename(a->doc);
    int nw = tv_text_label((const uint8_t *)fn, strlen(fn), crt_utf8(a->crt), 40, name, sizeof name);
    char pos[200];
    tv_nav_status(&a->nav, a->doc, pos, sizeof pos);
    snprintf(v, sizeof v, " %s%s%s", pos, a->playing ? "  PLAY" : "", a->nav.has_mark ? "  [m]" : "");
    crt_set(a->crt, CRT_STATUS_KEY);
    int x = r->x + crt_text(a->crt, r->y, r->x, r->w, v) + 2;
    tv_doc_notice(a->doc, notice, sizeof notice);
    const char *msg = notice[0] ? notice : a->nav.msg;
    int err = notice[0] ? tv_doc_verify_state(a->doc) == TV_VERIFY_DAMAGED || tv_doc_bad_reads(a->doc)
                        : a->nav.msg_error;
    int msgw = msg[0] ? (int)strlen(msg) : 0;
    int hint = x + msgw + nw + 10 <= r->w;
    snprintf(right, sizeof right, "%s%s", name, hint ? "  ? help " : " ");
    int rw = nw + (hint ? 9 : 1), rx = r->w - rw > x ? r->w - rw : x;
    if (msg[0]) {
        crt_set(a->crt, err ? CRT_ERROR : CRT_STATUS);
        crt_text(a->crt, r->y, x, rx - x - 1, msg);
    }
    crt_set(a->crt, CRT_STATUS);
    crt_text(a->crt, r->y, r->x + rx, r->w - rx, right);
}

const pane_ops pane_status = { "status", status_draw, NULL };

/* ---- help ---- */

/* The key rows come from traceview's table (tv_keys.c), the one smix-view's
 * help is made from too. */
static void help_draw(app *a, const app_rect *r)
{
    int row = -a->scroll;
    char keys[48];
    const char *help;
    crt_set(a->crt, CRT_TITLE);
    if (row >= 0) crt_text(a->crt, r->y + row, r->x, r->w, "smix-tui keys (j/k scroll, Esc or any other key closes, q quits)");
    row += 2;
    for (int i = 0; tv_keys_help(TV_TUI, i, keys, sizeof keys, &help) == 0; i++, row++) {
        if (row < 0 || row >= r->h) continue;
        crt_set(a->crt, CRT_HELP_KEY);
        crt_text(a->crt, r->y + row, r->x + 2, 14, keys);
        crt_set(a->crt, CRT_NORMAL);
        crt_text(a->crt, r->y + row, r->x + 16, r->w - 16, help);
    }
    static const char *const more[] = {
        "",
        "Mouse: click a token to select it, click the sparkline to jump, wheel scrolls.",
        "Colours: each token's background is its coded cost in bits, or what c picks",
        "(legend above the sparkline; as in smix-view); every other token is lighter",
        "so boundaries show; the current token is in reverse video. Without colour",
        "(NO_COLOR, --mono) levels are plain < underline < bold < bold+underline.",
        "Tokens are numbered from 0, as in smix --trace-dump and smix-view.",
        "The detail pane: each component's term in the token's and the rival's logit",
        "and their margin, in bits; the margins add up to the rival's lead.",
    };
    crt_set(a->crt, CRT_NORMAL);
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++, row++) {
        if (row < 0 || row >= r->h) continue;
        crt_text(a->crt, r->y + row, r->x, r->w, more[i]);
    }
}

const pane_ops pane_help = { "help", help_draw, NULL };
