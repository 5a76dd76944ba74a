/*
 * pane_misc.c - the one-row and small panes: timeline, explain line, status
 * line, and the help screen generated from the key table.
 */
#include "app.h"
#include "esc.h"
#include "explain.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- timeline: legend, sparkline around the cursor, running bpb ---- */

static void time__legend(app *a, const app_rect *r)
{
    static const char *const lab[DOC_LEVELS] = { "0", ".5", "1", "2", "4", "6", "9", "13+" };
    char v[96];
    int x = r->x, mx = r->x + r->w;
    crt_set(a->crt, CRT_LABEL);
    x += crt_text(a->crt, r->y, x, mx - x, "bits/token ");
    for (int l = 0; l < DOC_LEVELS; l++) {
        snprintf(v, sizeof v, " %s ", lab[l]);
        crt_set_level(a->crt, l, 0, 0);
        x += crt_text(a->crt, r->y, x, mx - x, v);
    }
    const smix_trace_summary *s = doc_summary(a->doc);
    snprintf(v, sizeof v, "  bpb so far %.3f   whole file %.3f", app_bpb_so_far(a),
             s->input_bytes ? s->total_bits / (double)s->input_bytes : 0.0);
    crt_set(a->crt, CRT_NORMAL);
    crt_text(a->crt, r->y, x, mx - x, v);
}

static void time_draw(app *a, const app_rect *r)
{
    uint64_t n = doc_count(a->doc), w = (uint64_t)r->w;
    time__legend(a, r);
    if (n == 0 || r->h < 3) return;
    uint64_t first = a->cur > w / 2 ? a->cur - w / 2 : 0;
    if (n > w && first > n - w) first = n - w;
    if (n <= w) first = 0;
    a->tl_first = first;
    double sum = 0;
    int cnt = 0, cx = 0;
    for (uint64_t i = 0; i < w && first + i < n; i++) {
        uint64_t t = first + i;
        double b = doc_bits(a->doc, t);
        int h = b > 0 ? doc_clampi(sqrt((b > 16 ? 16 : b) / 16.0) * 7.99, 0, 7) : 0;
        if (t == a->cur) { crt_set_level(a->crt, doc_level(b), 0, 1); cx = (int)i; }
        else crt_set(a->crt, doc_level(b) >= 5 ? CRT_TITLE : CRT_LABEL);
        crt_text(a->crt, r->y + 1, r->x + (int)i, 1, crt_spark(a->crt, h));
        sum += b;
        cnt++;
    }
    char v[128];
    smix_trace_token tk;
    doc_token(a->doc, a->cur, &tk);
    crt_set(a->crt, CRT_TITLE);
    crt_text(a->crt, r->y + 2, r->x + cx, 1, "^");
    snprintf(v, sizeof v, "%.2f bits here, %.2f bits/token on this strip", tk.bits,
             cnt ? sum / cnt : 0.0);
    int len = (int)strlen(v), x = cx + 2;
    if (x + len > r->w && cx - 1 - len >= 0) x = cx - 1 - len;   /* the side with room */
    crt_set(a->crt, CRT_DIM);
    crt_text(a->crt, r->y + 2, r->x + x, r->w - x, v);
    crt_set(a->crt, CRT_NORMAL);
}

static int time_click(app *a, const app_rect *r, int y, int x)
{
    (void)r;
    if (y != 1) return ACT_NONE;
    app_goto(a, a->tl_first + (uint64_t)x);
    return ACT_MOVED | ACT_REDRAW;
}

const pane_ops pane_timeline = { "timeline", time_draw, time_click };

/* ---- explain line ---- */

static void explain_draw(app *a, const app_rect *r)
{
    smix_trace_token tk;
    smix_trace_topk top;
    char s[1024];
    if (doc_token(a->doc, a->cur, &tk) != 0) return;
    int have = smix_trace_get_topk(doc_trace(a->doc), a->cur, &top) == 0;
    explain_token(&tk, have ? &top : NULL, doc_trace(a->doc), crt_utf8(a->crt), s, sizeof s);
    crt_set(a->crt, CRT_NORMAL);
    /* wrap at spaces over the rows we have */
    const char *p = s;
    for (int row = 0; row < r->h && *p; row++) {
        size_t len = strlen(p), cut = len;
        if ((int)len > r->w) {
            cut = (size_t)r->w;
            while (cut > 0 && p[cut] != ' ') cut--;
            if (cut == 0) cut = (size_t)r->w;
        }
        char line[1024];
        snprintf(line, sizeof line, "%.*s", (int)cut, p);
        crt_text(a->crt, r->y + row, r->x, r->w, line);
        p += cut;
        while (*p == ' ') p++;
    }
}

const pane_ops pane_explain = { "explain", explain_draw, NULL };

/* ---- status line ---- */

static void status_prompt(app *a, const app_rect *r)
{
    char shown[600];
    esc_string((const uint8_t *)a->input, a->input_len, crt_utf8(a->crt), shown, sizeof shown - 2);
    size_t l = strlen(shown);
    shown[l] = '_';
    shown[l + 1] = 0;
    crt_set(a->crt, CRT_NORMAL);
    crt_fill(a->crt, r->y, r->x, r->w);
    crt_text(a->crt, r->y, r->x, r->w, a->prompt == '/' ? "/" : ":");
    crt_text(a->crt, r->y, r->x + 1, r->w - 1, shown);
}

/* Left: position and cost; middle: the last message; right: the file's
 * base name and the help hint, which gives way to a long message first. */
static void status_draw(app *a, const app_rect *r)
{
    char v[256], name[160], right[200];
    if (a->prompt) { status_prompt(a, r); return; }
    crt_set(a->crt, CRT_STATUS);
    crt_fill(a->crt, r->y, r->x, r->w);
    const char *fn = doc_name(a->doc), *slash = strrchr(fn, '/');
    if (slash && slash[1]) fn = slash + 1;
    int nw = esc_string((const uint8_t *)fn, strlen(fn), crt_utf8(a->crt), name, sizeof name);
    smix_trace_token tk;
    doc_token(a->doc, a->cur, &tk);
    snprintf(v, sizeof v, " tok %llu/%llu  off %llu  %.2f bits  bpb %.3f%s%s",
             (unsigned long long)(doc_count(a->doc) ? a->cur + 1 : 0),
             (unsigned long long)doc_count(a->doc), (unsigned long long)tk.offset, tk.bits,
             app_bpb_so_far(a), a->playing ? "  PLAY" : "", a->has_mark ? "  [m]" : "");
    crt_set(a->crt, CRT_STATUS_KEY);
    int x = r->x + crt_text(a->crt, r->y, r->x, r->w, v) + 2;
    int msgw = a->msg[0] ? (int)strlen(a->msg) : 0;
    int hint = x + msgw + nw + 10 <= r->w;
    snprintf(right, sizeof right, "%s%s", name, hint ? "  ? help " : " ");
    int rw = nw + (hint ? 9 : 1), rx = r->w - rw > x ? r->w - rw : x;
    if (a->msg[0]) {
        crt_set(a->crt, a->msg_error ? CRT_ERROR : CRT_STATUS);
        crt_text(a->crt, r->y, x, rx - x - 1, a->msg);
    }
    crt_set(a->crt, CRT_STATUS);
    crt_text(a->crt, r->y, r->x + rx, r->w - rx, right);
}

const pane_ops pane_status = { "status", status_draw, NULL };

/* ---- help ---- */

static void help_draw(app *a, const app_rect *r)
{
    int n, row = -a->scroll;
    const action *t = action_table(&n);
    char v[160];
    crt_set(a->crt, CRT_TITLE);
    if (row >= 0) crt_text(a->crt, r->y + row, r->x, r->w, "smix-tui keys (j/k scroll, Esc or any other key closes, q quits)");
    row += 2;
    for (int i = 0; i < n; i++) {
        if (!t[i].help) continue;
        if (row >= 0 && row < r->h) {
            crt_set(a->crt, CRT_HELP_KEY);
            crt_text(a->crt, r->y + row, r->x + 2, 12, t[i].label);
            crt_set(a->crt, CRT_NORMAL);
            crt_text(a->crt, r->y + row, r->x + 16, r->w - 16, t[i].help);
        }
        row++;
    }
    static const char *const more[] = {
        "",
        "Mouse: click a token to select it, click the sparkline to jump, wheel scrolls.",
        "Colours: each token's background is its coded cost in bits (legend above the",
        "sparkline); every other token is a shade lighter so boundaries show; the",
        "current token is in reverse video. Without colour (NO_COLOR, --mono) levels",
        "are plain < underline < bold < bold+underline.",
        "Status line: tok <i>/<n>, byte offset, this token's bits, bpb so far, file.",
    };
    crt_set(a->crt, CRT_NORMAL);
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++, row++) {
        if (row < 0 || row >= r->h) continue;
        snprintf(v, sizeof v, "%s", more[i]);
        crt_text(a->crt, r->y + row, r->x, r->w, v);
    }
}

const pane_ops pane_help = { "help", help_draw, NULL };
