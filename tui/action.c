/*
 * action.c - keys -> handlers, and the prompt editor.
 *
 * Which key does what is not decided here: traceview/tv_keys.c holds the
 * one table both viewers use (and that generates both help screens). This
 * file turns an ncurses key code into a tv key, asks the table for the
 * action, and runs its handler from app__handlers, indexed by action.
 * Cursor commands (search, costly tokens, marks, jumps) are the shared
 * tv_nav ones, so they land where smix-view lands and say what it says.
 * Handlers only change state and return ACT_* bits; scrolling and drawing
 * are the event loop's job.
 */
#include "app.h"

#include <stdlib.h>
#include <string.h>

#define CTRL(c) ((c) & 0x1f)

static uint64_t act__n(const app *a) { return tv_doc_count(a->doc); }

static int act_right(app *a)
{
    if (a->nav.cur + 1 < act__n(a)) a->nav.cur++;
    return ACT_MOVED;
}

static int act_left(app *a)
{
    if (a->nav.cur > 0) a->nav.cur--;
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
    a->nav.cur = 0;
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
    a->nav.msg[0] = 0;
    return ACT_REDRAW;
}

static int act_search(app *a) { return act__prompt(a, '/'); }
static int act_jump(app *a) { return act__prompt(a, ':'); }
static int act_next(app *a) { return tv_nav_find(&a->nav, a->doc, NULL, 1) ? ACT_JUMPED : ACT_REDRAW; }
static int act_prev(app *a) { return tv_nav_find(&a->nav, a->doc, NULL, -1) ? ACT_JUMPED : ACT_REDRAW; }
static int act_costly(app *a) { return tv_nav_costly(&a->nav, a->doc, 1) ? ACT_JUMPED : ACT_REDRAW; }
static int act_costly_prev(app *a) { return tv_nav_costly(&a->nav, a->doc, -1) ? ACT_JUMPED : ACT_REDRAW; }
static int act_mark(app *a) { tv_nav_set_mark(&a->nav); return ACT_REDRAW; }
static int act_jump_mark(app *a) { return tv_nav_to_mark(&a->nav, a->doc) ? ACT_JUMPED : ACT_REDRAW; }

static int act__zoom(app *a, int d)
{
    int z = a->tl_zoom + d;
    if (z >= 0 && z <= 20) a->tl_zoom = z;
    app_message(a, 0, "timeline: %d token%s per column", 1 << a->tl_zoom, a->tl_zoom ? "s" : "");
    return ACT_REDRAW;
}

static int act_zoom_in(app *a) { return act__zoom(a, -1); }
static int act_zoom_out(app *a) { return act__zoom(a, 1); }
static int act_explain(app *a) { a->explain = !a->explain; return ACT_MOVED; }
static int act_sep(app *a) { a->lo.sep = !a->lo.sep; return ACT_MOVED; }
/* The detail pane draws its rows from det_scroll on (and clamps it). */
static int act_detail_down(app *a) { a->det_scroll++; return ACT_REDRAW; }
static int act_detail_up(app *a) { if (a->det_scroll > 0) a->det_scroll--; return ACT_REDRAW; }

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

static int act_table(app *a)
{
    if (!a->table && !(a->table = tv_table_create(a->doc))) {
        app_message(a, 1, "the token table needs more memory than there is");
        return ACT_REDRAW;
    }
    a->view = VIEW_TABLE;
    return ACT_REDRAW;
}

static int act_range(app *a)
{
    if (!a->nav.has_mark) {
        app_message(a, 1, "no range: set the mark (m) at one end, move to the other, then v");
        return ACT_REDRAW;
    }
    free(a->range);
    a->range = NULL;
    if (tv_summary_range_rows(a->doc, a->nav.mark, a->nav.cur, crt_utf8(a->crt), &a->range, &a->n_range) != 0) {
        app_message(a, 1, "the range cannot be reported: out of memory or a damaged record");
        return ACT_REDRAW;
    }
    a->view = VIEW_RANGE;
    a->scroll = 0;
    return ACT_REDRAW;
}

static void act__export(app *a)
{
    char path[128], err[256];
    if (tv_summary_range_csv(a->doc, a->nav.mark, a->nav.cur, path, sizeof path, err, sizeof err) == 0)
        app_message(a, 0, "wrote %s", path);
    else
        app_message(a, 1, "%s", err);
}

static int act_colour(app *a)
{
    tv_colour_next(&a->col, a->doc);
    app_message(a, 0, "colours: %s", tv_colour_name(a->col.mode));
    return ACT_REDRAW;
}

static int act_quit(app *a) { (void)a; return ACT_QUIT; }
static int act_redraw(app *a) { (void)a; clearok(curscr, TRUE); return ACT_REDRAW; }

typedef int (*action_fn)(app *a);

static const action_fn app__handlers[TV_A_COUNT] = {
    [TV_A_NEXT] = act_right, [TV_A_PREV] = act_left, [TV_A_DOWN] = act_down, [TV_A_UP] = act_up,
    [TV_A_PGDN] = act_pgdn, [TV_A_PGUP] = act_pgup, [TV_A_FIRST] = act_first, [TV_A_LAST] = act_last,
    [TV_A_PLAY] = act_play, [TV_A_FASTER] = act_faster, [TV_A_SLOWER] = act_slower,
    [TV_A_SEARCH] = act_search, [TV_A_MATCH_NEXT] = act_next, [TV_A_MATCH_PREV] = act_prev,
    [TV_A_COSTLY_NEXT] = act_costly, [TV_A_COSTLY_PREV] = act_costly_prev, [TV_A_JUMP] = act_jump,
    [TV_A_MARK] = act_mark, [TV_A_TO_MARK] = act_jump_mark, [TV_A_ZOOM_IN] = act_zoom_in,
    [TV_A_ZOOM_OUT] = act_zoom_out, [TV_A_EXPLAIN] = act_explain, [TV_A_SEP] = act_sep,
    [TV_A_SUMMARY] = act_summary, [TV_A_TABLE] = act_table, [TV_A_RANGE] = act_range, [TV_A_COLOUR] = act_colour,
    [TV_A_DETAIL_DOWN] = act_detail_down, [TV_A_DETAIL_UP] = act_detail_up, [TV_A_HELP] = act_help, [TV_A_REDRAW] = act_redraw,
    [TV_A_QUIT] = act_quit,
};

int action_tv_key(int key)
{
    static const struct { int nc, tv; } map[] = {
        { '\n', TV_KEY_ENTER }, { '\r', TV_KEY_ENTER }, { KEY_ENTER, TV_KEY_ENTER }, { 27, TV_KEY_ESC },
        { '\t', TV_KEY_TAB }, { KEY_BACKSPACE, TV_KEY_BS }, { 127, TV_KEY_BS }, { KEY_LEFT, TV_KEY_LEFT },
        { KEY_RIGHT, TV_KEY_RIGHT }, { KEY_UP, TV_KEY_UP }, { KEY_DOWN, TV_KEY_DOWN },
        { KEY_PPAGE, TV_KEY_PGUP }, { KEY_NPAGE, TV_KEY_PGDN }, { KEY_HOME, TV_KEY_HOME },
        { KEY_END, TV_KEY_END },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (map[i].nc == key) return map[i].tv;
    return key >= 0 && key < 0x110000 && key < KEY_MIN ? key : -1;
}

/* Keys of the token table: tv_table's (the ones smix-view answers). */
static int act__table(app *a, int key)
{
    int page = LINES - 5 > 1 ? LINES - 5 : 1;
    switch (tv_table_key(a->table, action_tv_key(key), page)) {
    case TV_TB_R_QUIT: return ACT_QUIT;
    case TV_TB_R_CLOSE: a->view = VIEW_MAIN; return ACT_MOVED | ACT_REDRAW;
    case TV_TB_R_JUMP:
        a->view = VIEW_MAIN;
        tv_nav_goto(&a->nav, a->doc, (uint64_t)tv_table_target(a->table));
        return ACT_JUMPED | ACT_REDRAW;
    default: return ACT_REDRAW;
    }
}

/* Keys of the summary and help views: scroll, close, quit. */
static int act__overlay(app *a, int key)
{
    if (a->view == VIEW_TABLE) return act__table(a, key);
    switch (key) {
    case 'q': return ACT_QUIT;
    case 'j': case KEY_DOWN: a->scroll++; return ACT_REDRAW;
    case 'k': case KEY_UP: if (a->scroll > 0) a->scroll--; return ACT_REDRAW;
    case KEY_NPAGE: case ' ': a->scroll += LINES / 2; return ACT_REDRAW;
    case KEY_PPAGE: a->scroll = a->scroll > LINES / 2 ? a->scroll - LINES / 2 : 0; return ACT_REDRAW;
    case 'g': case KEY_HOME: a->scroll = 0; return ACT_REDRAW;
    case 'E': if (a->view == VIEW_RANGE) { act__export(a); return ACT_REDRAW; }
        a->view = VIEW_MAIN;
        return ACT_MOVED;
    case 's': if (a->view == VIEW_HELP) { a->view = VIEW_SUMMARY; a->scroll = 0; return ACT_REDRAW; }
        /* fall through */
    default:
        a->view = VIEW_MAIN;
        return ACT_MOVED;
    }
}

int action_dispatch(app *a, int key)
{
    if (a->view != VIEW_MAIN) return act__overlay(a, key);
    tv_action act = tv_keys_action(action_tv_key(key), TV_TUI);
    if (act == TV_A_NONE || !app__handlers[act]) return ACT_NONE;
    a->nav.msg[0] = 0;
    return app__handlers[act](a) | ACT_REDRAW;
}

/* ---- prompt ---- */

static int act__prompt_run(app *a)
{
    int kind = a->prompt;
    a->prompt = 0;
    if (kind == '/') return tv_nav_find(&a->nav, a->doc, a->input, 1) ? ACT_JUMPED : ACT_REDRAW;
    return tv_nav_jump(&a->nav, a->doc, a->input) ? ACT_JUMPED : ACT_REDRAW;
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
