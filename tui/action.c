/*
 * action.c - keys -> handlers (htop's Action table) and the prompt editor.
 *
 * Every key of the main view is one row of app__actions: the help screen is
 * generated from the same table, so it cannot drift from what the keys do.
 * Handlers only change state and return ACT_* bits; scrolling and drawing
 * are the event loop's job.
 */
#include "app.h"
#include "esc.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CTRL(c) ((c) & 0x1f)

static uint64_t act__n(const app *a) { return doc_count(a->doc); }

static int act_right(app *a)
{
    if (a->cur + 1 < act__n(a)) a->cur++;
    return ACT_MOVED;
}

static int act_left(app *a)
{
    if (a->cur > 0) a->cur--;
    return ACT_MOVED;
}

static int act_down(app *a) { app_move_lines(a, 1); return ACT_MOVED; }
static int act_up(app *a) { app_move_lines(a, -1); return ACT_MOVED; }

static int act__page(app *a, int dir)
{
    int h = a->r_text.h > 1 ? a->r_text.h - 1 : 1;
    for (int i = 0; i < h; i++) {
        lay_pos q = dir > 0 ? lay_next(a->doc, a->top, &a->lo) : lay_prev(a->doc, a->top, &a->lo);
        if (lay_pos_cmp(q, a->top) == 0) break;
        a->top = q;
    }
    app_move_lines(a, dir * h);
    return ACT_MOVED;
}

static int act_pgdn(app *a) { return act__page(a, 1); }
static int act_pgup(app *a) { return act__page(a, -1); }

static int act_first(app *a)
{
    a->cur = 0;
    a->top = (lay_pos){ 0, 0 };
    return ACT_JUMPED;
}

static int act_last(app *a)
{
    app_goto(a, act__n(a) ? act__n(a) - 1 : 0);
    return ACT_JUMPED;
}

static int act_play(app *a)
{
    app_play(a, !a->playing);
    app_message(a, 0, a->playing ? "playing at %d tokens/s (+/- speed, space pauses)" : "paused",
                app_speed(a->speed));
    return ACT_REDRAW;
}

static int act__speed(app *a, int d)
{
    int s = a->speed + d;
    if (s >= 0 && s < app_speed_count()) a->speed = s;
    app_message(a, 0, "speed %d tokens/s", app_speed(a->speed));
    return ACT_REDRAW;
}

static int act_faster(app *a) { return act__speed(a, 1); }
static int act_slower(app *a) { return act__speed(a, -1); }

static int act__prompt(app *a, int kind)
{
    a->prompt = kind;
    a->input_len = 0;
    a->input[0] = 0;
    a->msg[0] = 0;
    return ACT_REDRAW;
}

static int act_search(app *a) { return act__prompt(a, '/'); }
static int act_jump(app *a) { return act__prompt(a, ':'); }

static int act__find(app *a, int dir)
{
    char shown[128];
    int wrapped = 0;
    if (!a->search[0]) {
        app_message(a, 1, "no search yet: press / first");
        return ACT_REDRAW;
    }
    esc_string((const uint8_t *)a->search, strlen(a->search), a->lo.utf8, shown, sizeof shown);
    int64_t t = doc_search(a->doc, a->cur, a->search, dir, &wrapped);
    if (t < 0) {
        app_message(a, 1, "pattern not found: %s", shown);
        return ACT_REDRAW;
    }
    a->cur = (uint64_t)t;
    if (wrapped) app_message(a, 0, "/%s: search hit %s, continuing at %s", shown,
                             dir > 0 ? "BOTTOM" : "TOP", dir > 0 ? "TOP" : "BOTTOM");
    else app_message(a, 0, "/%s", shown);
    return ACT_JUMPED;
}

static int act_next(app *a) { return act__find(a, 1); }
static int act_prev(app *a) { return act__find(a, -1); }

static int act__costly(app *a, int dir)
{
    int64_t t = doc_next_costly(a->doc, a->cur, dir);
    const doc_stats *s = doc_get_stats(a->doc);
    if (t < 0) return ACT_REDRAW;
    a->cur = (uint64_t)t;
    app_message(a, 0, "top 1%%: %.1f+ bits (%llu tok)", s->top1_threshold,
                (unsigned long long)s->top1_count);
    return ACT_JUMPED;
}

static int act_costly(app *a) { return act__costly(a, 1); }
static int act_costly_prev(app *a) { return act__costly(a, -1); }

static int act_mark(app *a)
{
    a->mark = a->cur;
    a->has_mark = 1;
    app_message(a, 0, "mark set at tok %llu (' jumps back)", (unsigned long long)a->cur + 1);
    return ACT_REDRAW;
}

static int act_jump_mark(app *a)
{
    if (!a->has_mark) {
        app_message(a, 1, "no mark set: press m first");
        return ACT_REDRAW;
    }
    uint64_t t = a->mark;
    a->mark = a->cur;   /* so that ' again returns: like vim's '' */
    app_goto(a, t);
    return ACT_JUMPED;
}

static int act_explain(app *a) { a->explain = !a->explain; return ACT_MOVED; }
static int act_sep(app *a) { a->lo.sep = !a->lo.sep; return ACT_MOVED; }

static int act_summary(app *a)
{
    a->view = a->view == VIEW_SUMMARY ? VIEW_MAIN : VIEW_SUMMARY;
    a->scroll = 0;
    return ACT_REDRAW;
}

static int act_help(app *a)
{
    a->view = a->view == VIEW_HELP ? VIEW_MAIN : VIEW_HELP;
    a->scroll = 0;
    return ACT_REDRAW;
}

static int act_quit(app *a) { (void)a; return ACT_QUIT; }
static int act_redraw(app *a) { (void)a; clearok(curscr, TRUE); return ACT_REDRAW; }

static const action app__actions[] = {
    { 'l', "l  Right", "next token", act_right },
    { KEY_RIGHT, NULL, NULL, act_right },
    { 'h', "h  Left", "previous token", act_left },
    { KEY_LEFT, NULL, NULL, act_left },
    { 'j', "j  Down", "one line down", act_down },
    { KEY_DOWN, NULL, NULL, act_down },
    { 'k', "k  Up", "one line up", act_up },
    { KEY_UP, NULL, NULL, act_up },
    { KEY_NPAGE, "PgDn ^F", "one page down", act_pgdn },
    { CTRL('f'), NULL, NULL, act_pgdn },
    { KEY_PPAGE, "PgUp ^B", "one page up", act_pgup },
    { CTRL('b'), NULL, NULL, act_pgup },
    { 'g', "g  Home", "first token", act_first },
    { KEY_HOME, NULL, NULL, act_first },
    { 'G', "G  End", "last token", act_last },
    { KEY_END, NULL, NULL, act_last },
    { ' ', "space", "play / pause", act_play },
    { '+', "+ -", "play faster / slower", act_faster },
    { '=', NULL, NULL, act_faster },
    { '-', NULL, NULL, act_slower },
    { '/', "/", "search the text (smart case)", act_search },
    { 'n', "n N", "next / previous match", act_next },
    { 'N', NULL, NULL, act_prev },
    { 'w', "w W", "next / previous costliest token (top 1% by bits)", act_costly },
    { 'W', NULL, NULL, act_costly_prev },
    { ':', ":", "jump: 123 token, @4567 or 4567b byte offset, 50%", act_jump },
    { 'm', "m", "set mark", act_mark },
    { '\'', "'", "jump to mark (again: back)", act_jump_mark },
    { 'e', "e", "explain line on / off", act_explain },
    { 'b', "b", "token separators on / off", act_sep },
    { 's', "s", "summary: report figures and bits histogram", act_summary },
    { '?', "?", "this help", act_help },
    { CTRL('l'), "^L", "redraw the screen", act_redraw },
    { 'q', "q", "quit", act_quit },
};

const action *action_table(int *n)
{
    *n = (int)(sizeof app__actions / sizeof app__actions[0]);
    return app__actions;
}

/* Keys of the summary and help views: scroll, close, quit. */
static int act__overlay(app *a, int key)
{
    switch (key) {
    case 'q': return ACT_QUIT;
    case 'j': case KEY_DOWN: a->scroll++; return ACT_REDRAW;
    case 'k': case KEY_UP: if (a->scroll > 0) a->scroll--; return ACT_REDRAW;
    case KEY_NPAGE: case ' ': a->scroll += LINES / 2; return ACT_REDRAW;
    case KEY_PPAGE: a->scroll = a->scroll > LINES / 2 ? a->scroll - LINES / 2 : 0; return ACT_REDRAW;
    case 'g': case KEY_HOME: a->scroll = 0; return ACT_REDRAW;
    case 's': if (a->view == VIEW_HELP) { a->view = VIEW_SUMMARY; a->scroll = 0; return ACT_REDRAW; }
        /* fall through */
    default:
        a->view = VIEW_MAIN;
        return ACT_MOVED;
    }
}

int action_dispatch(app *a, int key)
{
    int n;
    const action *t = action_table(&n);
    if (a->view != VIEW_MAIN) return act__overlay(a, key);
    a->msg[0] = 0;
    for (int i = 0; i < n; i++)
        if (t[i].key == key) return t[i].fn(a) | ACT_REDRAW;
    return ACT_NONE;
}

/* ---- prompt ---- */

/* Parses the ':' argument: "123" token (1-based), "@N"/"Nb" byte offset,
 * "N%" share of the file. Returns 0 and the token, or -1. */
static int act__parse_jump(app *a, const char *s, uint64_t *tok)
{
    char *end;
    while (isspace((unsigned char)*s)) s++;
    int byte = *s == '@';
    if (byte) s++;
    if (!isdigit((unsigned char)*s)) return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno) return -1;
    if (*end == 'b' || *end == 'B') { byte = 1; end++; }
    int pct = *end == '%';
    if (pct) end++;
    while (isspace((unsigned char)*end)) end++;
    if (*end) return -1;
    if (pct) {
        uint64_t n = act__n(a);
        *tok = n ? (uint64_t)((double)(v > 100 ? 100 : v) / 100.0 * (double)(n - 1)) : 0;
    } else if (byte) {
        *tok = smix_trace_token_at_offset(doc_trace(a->doc), v);
    } else {
        *tok = v > 0 ? v - 1 : 0;
    }
    return 0;
}

static int act__prompt_run(app *a)
{
    int kind = a->prompt;
    a->prompt = 0;
    if (kind == '/') {
        if (a->input_len) snprintf(a->search, sizeof a->search, "%s", a->input);
        return act__find(a, 1);
    }
    uint64_t t;
    if (act__parse_jump(a, a->input, &t) != 0) {
        char shown[128];
        esc_string((const uint8_t *)a->input, a->input_len, a->lo.utf8, shown, sizeof shown);
        app_message(a, 1, "cannot jump to '%s': use 123, @4567, 4567b or 50%%", shown);
        return ACT_REDRAW;
    }
    app_goto(a, t);
    return ACT_JUMPED;
}

int action_prompt_key(app *a, int key)
{
    switch (key) {
    case 27: case CTRL('c'): case CTRL('g'):
        a->prompt = 0;
        return ACT_REDRAW;
    case '\n': case '\r': case KEY_ENTER:
        return act__prompt_run(a) | ACT_REDRAW;
    case KEY_BACKSPACE: case 127: case 8:
        while (a->input_len > 0 && ((unsigned char)a->input[--a->input_len] & 0xC0) == 0x80) {}
        a->input[a->input_len] = 0;
        return ACT_REDRAW;
    case CTRL('u'):
        a->input_len = 0;
        a->input[0] = 0;
        return ACT_REDRAW;
    default:
        if (key >= 0x20 && key <= 0xff && key != 0x7f && a->input_len + 1 < sizeof a->input) {
            a->input[a->input_len++] = (char)key;
            a->input[a->input_len] = 0;
        }
        return ACT_REDRAW;
    }
}
