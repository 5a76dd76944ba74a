/*
 * app.c - geometry, scrolling and the one event loop (see app.h).
 *
 * The loop is the same for a person and for a script: a key comes either
 * from the script (--keys) or from getch(), goes through action_dispatch,
 * and the reaction bits decide whether to scroll, redraw or quit. Play mode
 * is the only timer: getch() waits at most one tick while playing, and the
 * cursor advances by speed x elapsed time.
 */
#define _POSIX_C_SOURCE 200809L
#include "app.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

_Static_assert(CRT_LEVELS == TV_LEVELS, "colour levels and bits levels must agree");

static const int app__speeds[] = { 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000 };

int app_speed(int idx) { return app__speeds[idx]; }
int app_speed_count(void) { return (int)(sizeof app__speeds / sizeof app__speeds[0]); }

static double app__now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void app_message(app *a, int error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->nav.msg, sizeof a->nav.msg, fmt, ap);
    va_end(ap);
    a->nav.msg_error = error;
}

void app_goto(app *a, uint64_t t)
{
    uint64_t n = tv_doc_count(a->doc);
    a->nav.cur = n == 0 ? 0 : (t < n ? t : n - 1);
}

void app_play(app *a, int on)
{
    a->playing = on && tv_doc_count(a->doc) > 0;
    a->play_last = app__now();
    a->play_acc = 0;
}

/* ---- geometry ---- */

void app_layout(app *a)
{
    int H = LINES, W = COLS;
    app_rect z = { 0, 0, 0, 0 };
    a->r_status = (app_rect){ H - 1, 0, 1, W };
    int tl = H >= 10 ? (a->learn.n && H >= 16 ? 4 : 3) : 0;   /* a loss row with the SSM */
    /* the explain sentence: the rows it needs at this width, at least 2,
     * at most a third of what the timeline leaves */
    int ex = 0;
    if (a->explain && H >= 12) {
        int most = (H - 1 - tl) / 3 > 2 ? (H - 1 - tl) / 3 : 2;
        ex = explain_rows(a, W);
        ex = ex < 2 ? 2 : ex > most ? most : ex;
    }
    a->r_explain = ex ? (app_rect){ H - 1 - ex, 0, ex, W } : z;
    a->r_time = tl ? (app_rect){ H - 1 - ex - tl, 0, tl, W } : z;
    int top_h = H - 1 - ex - tl;
    if (top_h < 1) top_h = 1;
    if (W >= 110) {
        int dw = W * 2 / 5 < 64 ? (W * 2 / 5 > 46 ? W * 2 / 5 : 46) : 64;
        a->r_text = (app_rect){ 0, 0, top_h, W - dw - 1 };
        a->r_detail = (app_rect){ 0, W - dw, top_h, dw };
    } else if (top_h >= 8 && W >= 30) {
        /* a band under the text; on a short screen (60x20 with the explain
         * sentence) the text keeps 4 rows and the band scrolls ({ }) */
        int dh = top_h >= 12 ? (top_h / 2 < 12 ? top_h / 2 : 12) : top_h - 4;
        a->r_text = (app_rect){ 0, 0, top_h - dh, W };
        a->r_detail = (app_rect){ top_h - dh, 0, dh, W };
    } else {
        a->r_text = (app_rect){ 0, 0, top_h, W };
        a->r_detail = z;
    }
    a->lo.width = a->r_text.w > 0 ? a->r_text.w : 1;
    a->lo.utf8 = crt_utf8(a->crt);
}

static void app__hit_alloc(app *a)
{
    int h = a->r_text.h, w = a->r_text.w;
    if (h * w > a->hit_h * a->hit_w || !a->hit) {
        free(a->hit);
        a->hit = malloc((size_t)(h > 0 ? h : 1) * (size_t)(w > 0 ? w : 1) * sizeof *a->hit);
    }
    a->hit_h = a->hit ? h : 0;
    a->hit_w = a->hit ? w : 0;
    for (int i = 0; a->hit && i < h * w; i++) a->hit[i] = -1;
}

void app_draw(app *a)
{
    erase();
    app_layout(a);
    app__hit_alloc(a);
    if (a->view == VIEW_MAIN) {
        app_follow(a, 0);
        pane_text.draw(a, &a->r_text);
        if (a->r_detail.h > 0) pane_detail.draw(a, &a->r_detail);
        if (a->r_time.h > 0) pane_timeline.draw(a, &a->r_time);
        if (a->r_explain.h > 0) pane_explain.draw(a, &a->r_explain);
    } else {
        app_rect r = { 0, 0, LINES - 1, COLS };
        (a->view == VIEW_SUMMARY || a->view == VIEW_RANGE ? &pane_summary
         : a->view == VIEW_TABLE ? &pane_table : &pane_help)->draw(a, &r);
    }
    pane_status.draw(a, &a->r_status);
    if (!crt_headless(a->crt)) refresh();
}

/* ---- scrolling ---- */

static lay_pos app__back(app *a, lay_pos p, int n)
{
    for (int i = 0; i < n; i++) {
        lay_pos q = lay_prev(a->doc, p, &a->lo);
        if (lay_pos_cmp(q, p) == 0) break;
        p = q;
    }
    return p;
}

/* Keeps the last page full: if fewer than h lines follow top, pull top up. */
static void app__clamp_bottom(app *a, int h)
{
    lay_pos p = a->top, last = a->top;
    int lines = 1;
    for (; lines < h; lines++) {
        lay_pos q = lay_next(a->doc, p, &a->lo);
        if (lay_pos_cmp(q, p) == 0) break;
        last = p = q;
    }
    if (lines < h) a->top = app__back(a, last, h - 1);
}

void app_follow(app *a, int jumped)
{
    int h = a->r_text.h > 0 ? a->r_text.h : 1;
    if (tv_doc_count(a->doc) == 0) return;
    lay_pos cl = lay_line_of(a->doc, a->nav.cur, &a->lo);
    if (lay_pos_cmp(cl, a->top) < 0) {
        lay_pos up = lay_prev(a->doc, a->top, &a->lo);
        a->top = !jumped && lay_pos_cmp(up, cl) == 0 ? cl : app__back(a, cl, h / 2);
        return;
    }
    lay_pos p = a->top;
    for (int i = 0; i < h; i++) {
        if (lay_pos_cmp(p, cl) == 0) return;   /* visible */
        lay_pos q = lay_next(a->doc, p, &a->lo);
        if (lay_pos_cmp(q, p) == 0) break;
        p = q;
    }
    if (!jumped && lay_pos_cmp(p, cl) == 0) a->top = lay_next(a->doc, a->top, &a->lo);
    else a->top = app__back(a, cl, h / 2);
    app__clamp_bottom(a, h);
}

/* Token to land on in line l at column x when moving down (dir > 0) or up
 * from cur: never the same token, so a token split over lines cannot trap
 * the cursor. -1 if the line has none. */
static int64_t app__pick(const lay_line *l, int x, uint64_t cur, int dir)
{
    int64_t t = lay_tok_at(l, x);
    if (t < 0) return -1;
    if (dir > 0 && (uint64_t)t <= cur) {
        for (int i = 0; i < l->ncells; i++)
            if (l->cells[i].tok > cur) return (int64_t)l->cells[i].tok;
        return -1;
    }
    if (dir < 0 && (uint64_t)t >= cur) {
        for (int i = l->ncells - 1; i >= 0; i--)
            if (l->cells[i].tok < cur) return (int64_t)l->cells[i].tok;
        return -1;
    }
    return t;
}

void app_move_lines(app *a, int n)
{
    lay_line *l = malloc(sizeof *l);
    if (!l || tv_doc_count(a->doc) == 0) { free(l); return; }
    lay_pos p = lay_line_of(a->doc, a->nav.cur, &a->lo);
    lay_line_at(a->doc, p, &a->lo, l);
    int x = lay_col_of(l, a->nav.cur);
    if (x < 0) x = 0;
    int dir = n > 0 ? 1 : -1;
    for (int i = 0; i < (n > 0 ? n : -n); i++) {
        lay_pos q = dir > 0 ? lay_next(a->doc, p, &a->lo) : lay_prev(a->doc, p, &a->lo);
        if (lay_pos_cmp(q, p) == 0) break;
        p = q;
        lay_line_at(a->doc, p, &a->lo, l);
        int64_t t = app__pick(l, x, a->nav.cur, dir);
        if (t >= 0) a->nav.cur = (uint64_t)t;
    }
    free(l);
}

/* ---- event loop ---- */

static int app__click(app *a, int y, int x)
{
    struct { const pane_ops *ops; app_rect *r; } panes[] = {
        { &pane_text, &a->r_text }, { &pane_timeline, &a->r_time },
    };
    if (a->view == VIEW_TABLE) return tv_table_click(a->table, y - 4) ? ACT_REDRAW : ACT_NONE;   /* a row */
    if (a->view != VIEW_MAIN) return ACT_NONE;
    for (size_t i = 0; i < sizeof panes / sizeof panes[0]; i++) {
        app_rect *r = panes[i].r;
        if (y >= r->y && y < r->y + r->h && x >= r->x && x < r->x + r->w && panes[i].ops->click)
            return panes[i].ops->click(a, r, y - r->y, x - r->x);
    }
    return ACT_NONE;
}

static int app__mouse(app *a)
{
    MEVENT ev;
    if (getmouse(&ev) != OK) return ACT_NONE;
    if (a->view == VIEW_TABLE && (ev.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED))) {
        for (int i = 0; i < 3; i++)
            tv_table_key(a->table, (ev.bstate & BUTTON4_PRESSED) ? 'k' : 'j', LINES - 5 > 1 ? LINES - 5 : 1);
        return ACT_REDRAW;
    }
    if (ev.bstate & BUTTON4_PRESSED) { app_move_lines(a, -3); return ACT_MOVED; }
    if (ev.bstate & BUTTON5_PRESSED) { app_move_lines(a, 3); return ACT_MOVED; }
    if (ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)) return app__click(a, ev.y, ev.x);
    return ACT_NONE;
}

static int app__key(app *a, int key)
{
    if (key == KEY_MOUSE) return app__mouse(a);
    if (key == KEY_RESIZE) return ACT_REDRAW;
    if (a->prompt) return action_prompt_key(a, key);
    return action_dispatch(a, key);
}

/* A key of a script: headless resize and click, named keys as ncurses
 * codes, a character as its UTF-8 bytes (what a terminal sends). */
static int app__script_key(app *a, const tv_key *k)
{
    static const struct { int tv, nc; } map[] = {
        { TV_KEY_ENTER, '\n' }, { TV_KEY_ESC, 27 }, { TV_KEY_TAB, '\t' }, { TV_KEY_BS, KEY_BACKSPACE },
        { TV_KEY_LEFT, KEY_LEFT }, { TV_KEY_RIGHT, KEY_RIGHT }, { TV_KEY_UP, KEY_UP },
        { TV_KEY_DOWN, KEY_DOWN }, { TV_KEY_PGUP, KEY_PPAGE }, { TV_KEY_PGDN, KEY_NPAGE },
        { TV_KEY_HOME, KEY_HOME }, { TV_KEY_END, KEY_END },
    };
    if (k->key == TV_KEY_RESIZE) { crt_resize(a->crt, k->a, k->b); return ACT_REDRAW; }
    if (k->key == TV_KEY_CLICK) return app__click(a, k->b, k->a);
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (map[i].tv == k->key) return app__key(a, map[i].nc);
    if (k->key < 0x80) return app__key(a, k->key);
    char u[4];
    int n = k->key < 0x800 ? 2 : k->key < 0x10000 ? 3 : 4, r = 0;
    for (int i = n - 1; i > 0; i--) u[i] = (char)(0x80 | ((k->key >> (6 * (n - 1 - i))) & 0x3F));
    u[0] = (char)((0xF0 << (4 - n)) | (k->key >> (6 * (n - 1))));
    for (int i = 0; i < n; i++) r |= app__key(a, (unsigned char)u[i]);
    return r;
}

static void app__tick(app *a)
{
    double now = app__now();
    a->play_acc += (now - a->play_last) * app_speed(a->speed);
    a->play_last = now;
    if (a->play_acc < 1) return;
    uint64_t step = (uint64_t)a->play_acc;
    a->play_acc -= (double)step;
    uint64_t n = tv_doc_count(a->doc);
    if (a->nav.cur + step >= n - 1 || n == 0) {
        app_goto(a, n ? n - 1 : 0);
        a->playing = 0;
        app_message(a, 0, "end of trace");
    } else {
        a->nav.cur += step;
    }
}

static void app__react(app *a, int r)
{
    if (r & ACT_QUIT) a->quit = 1;
    if (a->view == VIEW_MAIN && (r & (ACT_MOVED | ACT_JUMPED))) {
        app_layout(a);
        app_follow(a, (r & ACT_JUMPED) != 0);
    }
}

static void app__interactive(app *a)
{
    while (!a->quit) {
        /* the state as drawn: read before drawing, so a check that ends
         * while the screen is drawn cannot leave "checking" on screen
         * with getch() waiting for a key (the notice must come alone) */
        int checking = tv_doc_verify_state(a->doc) == TV_VERIFY_PENDING;
        app_draw(a);
        timeout(a->playing ? 40 : checking ? 200 : -1);
        int key = getch();
        if (key == ERR) {
            if (a->playing) { app__tick(a); app__react(a, ACT_MOVED); }
            continue;
        }
        app__react(a, app__key(a, key));
    }
}

int app_run(crt *c, tv_doc *d, const app_opts *o)
{
    app a;
    memset(&a, 0, sizeof a);
    a.crt = c;
    a.doc = d;
    a.explain = o->explain;
    a.lo.sep = o->sep;
    a.speed = 3;
    tv_colour_init(&a.col, d);
    tv_learn_init(&a.learn, d);
    app_layout(&a);
    app_message(&a, 0, "%s", crt_mode_name(crt_get_mode(c)));
    for (size_t i = 0; i < o->nkeys && !a.quit; i++) {
        app_draw(&a);
        app__react(&a, app__script_key(&a, &o->keys[i]));
    }
    int rc = 0;
    if (o->dump) {
        app_draw(&a);
        FILE *f = strcmp(o->dump, "-") == 0 ? stdout : fopen(o->dump, "w");
        rc = f && crt_dump(c, f) == 0 ? 0 : 1;
        if (f && f != stdout) rc |= fclose(f) != 0;
    } else {
        app__interactive(&a);
    }
    free(a.hit);
    tv_table_free(a.table);
    free(a.range);
    return rc;
}
