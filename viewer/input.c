/*
 * input.c - keys, mouse and playback.
 *
 * Which key does what is traceview's table (tv_keys.c), the one smix-tui
 * uses and both help screens are made from: an SDL event becomes a tv key
 * (a character from SDL_TEXTINPUT, so commands follow the keyboard layout;
 * a named key from SDL_KEYDOWN), tv_keys_action gives the action, and
 * vw__handlers runs it. Cursor commands (search, costly tokens, marks,
 * jumps) are the shared tv_nav ones, so they land on the same tokens and
 * say the same things as in smix-tui.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "view.h"

static const double speeds[] = { 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000, 20000, 100000 };
#define NSPEEDS ((int)(sizeof speeds / sizeof speeds[0]))

double vw_speed(const vw_state *st)
{
    return speeds[st->speed_idx];
}

void vw_select(vw_state *st, uint64_t tok)
{
    if (st->a.n == 0)
        return;
    if (tok >= st->a.n)
        tok = st->a.n - 1;
    st->nav.cur = tok;
    vw_heat_ensure_visible(st);
    if (!st->dragging)
        vw_plot_follow(st);
}

static void step(vw_state *st, long d)
{
    if (d < 0 && (uint64_t)-d > st->nav.cur)
        vw_select(st, 0);
    else
        vw_select(st, st->nav.cur + d);
}

static void run_prompt(vw_state *st)
{
    int moved = st->prompt_kind == '/' ? tv_nav_find(&st->nav, st->a.d, st->prompt, 1)
                                       : tv_nav_jump(&st->nav, st->a.d, st->prompt);
    if (moved)
        vw_select(st, st->nav.cur);
    st->prompt_kind = 0;
    st->prompt[0] = 0;
}

static void prompt_key(vw_state *st, int key)
{
    size_t n = strlen(st->prompt);
    if (key == TV_KEY_ESC) {
        st->prompt_kind = 0;
        st->prompt[0] = 0;
    } else if (key == TV_KEY_ENTER) {
        run_prompt(st);
    } else if (key == TV_KEY_BS && n > 0) {
        while (n > 0 && ((uint8_t)st->prompt[n - 1] & 0xC0) == 0x80)
            n--;                        /* drop a whole UTF-8 character */
        st->prompt[n ? n - 1 : 0] = 0;
    }
}

static void prompt_text(vw_state *st, const char *s)
{
    size_t n = strlen(st->prompt), m = strlen(s);
    if (n + m < sizeof st->prompt)
        memcpy(st->prompt + n, s, m + 1);
}

/* The nav command moved the cursor: follow it on the page and timeline. */
static void nav_moved(vw_state *st, int moved)
{
    if (moved)
        vw_select(st, st->nav.cur);
}

static void zoom(vw_state *st, double f)
{
    SDL_Rect a = st->r_time;
    double sx = st->tspan > 0 ? ((double)st->nav.cur + 0.5 - st->t0) / st->tspan : 0.5;
    vw_plot_zoom(st, a.x + 7 * st->font.cw + (int)(sx * (a.w - 14 * st->font.cw)), f);
    snprintf(st->nav.msg, sizeof st->nav.msg, "timeline: tokens %.0f..%.0f", st->t0, st->t0 + st->tspan);
}

static void swap_ab(vw_state *st)
{
    char err[256];
    if (!st->compare) {
        snprintf(st->nav.msg, sizeof st->nav.msg, "x swaps A and B in compare mode (two traces)");
        return;
    }
    vw_trace t = st->a;
    uint64_t off = vw_bytes_upto(st, st->nav.cur) - 1;
    st->a = st->b;
    st->b = t;
    vw_load_free_series(st);
    if (vw_load_prepare(st, err, sizeof err) != 0) {
        snprintf(st->nav.msg, sizeof st->nav.msg, "%s", err);
        st->quit = 1;
        return;
    }
    st->page_ok = 0;
    st->anchor = 0;
    tv_colour_init(&st->col, st->a.d);
    tv_learn_init(&st->learn, st->a.d);
    st->tspan = (double)st->a.n;
    vw_select(st, smix_trace_token_at_offset(st->a.t, off));
    snprintf(st->nav.msg, sizeof st->nav.msg, "swapped: A is now %s", st->a.name);
}

/* Compare mode: w/W visit B's largest gains and losses (|B-A| in the top
 * 1%) instead of A's costliest tokens. */
static int diff_jump(vw_state *st, int dir)
{
    uint64_t n = st->a.n, k = st->nav.cur;
    for (uint64_t step = 1; step <= n; step++) {
        k = dir > 0 ? (k + 1) % n : (k + n - 1) % n;
        float d = vw_bits_b_on_a(st, k) - vw_bits_a(st, k);
        if (fabsf(d) >= st->diff_top && fabsf(d) > 0) {
            snprintf(st->nav.msg, sizeof st->nav.msg, "B-A %+.2f bits here (|B-A| >= %.2f: the top 1%%)", d,
                     st->diff_top);
            tv_nav_goto(&st->nav, st->a.d, k);
            return 1;
        }
    }
    snprintf(st->nav.msg, sizeof st->nav.msg, "B and A cost the same everywhere");
    return 0;
}

static void open_table(vw_state *st)
{
    if (!st->table && !(st->table = tv_table_create(st->a.d))) {
        snprintf(st->nav.msg, sizeof st->nav.msg, "the token table needs more memory than there is");
        st->nav.msg_error = 1;
        return;
    }
    st->table_on = 1;
    st->help = st->summary = 0;
}

static void close_range(vw_state *st)
{
    free(st->range);
    st->range = NULL;
    st->n_range = 0;
}

/* v: the range from the mark to the cursor (tv_summary's rows, as in smix-tui). */
static void open_range(vw_state *st)
{
    tv_nav *v = &st->nav;
    close_range(st);
    if (!v->has_mark) {
        snprintf(v->msg, sizeof v->msg, "no range: set the mark (m) at one end, move to the other, then v");
        v->msg_error = 1;
        return;
    }
    if (tv_summary_range_rows(st->a.d, v->mark, v->cur, 1, &st->range, &st->n_range) != 0) {
        snprintf(v->msg, sizeof v->msg, "the range cannot be reported: out of memory or a damaged record");
        v->msg_error = 1;
        return;
    }
    st->help = st->summary = 0;
    st->scroll = 0;
}

static void export_range(vw_state *st)
{
    char path[128], err[256];
    tv_nav *v = &st->nav;
    v->msg_error = tv_summary_range_csv(st->a.d, v->mark, v->cur, path, sizeof path, err, sizeof err) != 0;
    if (v->msg_error)
        snprintf(v->msg, sizeof v->msg, "%s", err);
    else
        snprintf(v->msg, sizeof v->msg, "wrote %s", path);
}

/* The token table is open: its keys (tv_table's, as in smix-tui). */
static int table_key(vw_state *st, int key)
{
    if (!st->table_on)
        return 0;
    switch (tv_table_key(st->table, key, vw_table_page(st))) {
    case TV_TB_R_QUIT: st->quit = 1; break;
    case TV_TB_R_CLOSE: st->table_on = 0; break;
    case TV_TB_R_JUMP:
        st->table_on = 0;
        st->nav.msg[0] = 0;
        vw_select(st, (uint64_t)tv_table_target(st->table));
        break;
    default: break;
    }
    return 1;
}

static void font_step(vw_state *st, int d)
{
    int pt = st->font_pt + d;
    if (pt < 8 || pt > 48) {
        snprintf(st->nav.msg, sizeof st->nav.msg, "text size %d pt: the %s", st->font_pt, d > 0 ? "largest" : "smallest");
        return;
    }
    st->font_pt = pt;
    if (vw_refont(st) != 0) {
        snprintf(st->nav.msg, sizeof st->nav.msg, "cannot open the font at %d pt", pt);
        return;
    }
    snprintf(st->nav.msg, sizeof st->nav.msg, "text size %d pt", st->font_pt);
}

static void pan(vw_state *st, int dir)
{
    st->t0 += dir * st->tspan / 2;
    vw_plot_zoom(st, st->r_time.x, 1.0);   /* clamps the view */
    snprintf(st->nav.msg, sizeof st->nav.msg, "timeline: tokens %.0f..%.0f", st->t0, st->t0 + st->tspan);
}

static void act(vw_state *st, tv_action a)
{
    tv_nav *v = &st->nav;
    tv_doc *d = st->a.d;
    int page = st->rows > 2 ? st->rows - 1 : 1;
    switch (a) {
    case TV_A_QUIT: st->quit = 1; break;
    case TV_A_PREV: step(st, -1); break;
    case TV_A_NEXT: step(st, 1); break;
    case TV_A_UP: vw_select(st, vw_heat_vertical(st, -1)); break;
    case TV_A_DOWN: vw_select(st, vw_heat_vertical(st, 1)); break;
    case TV_A_PGUP: vw_select(st, vw_heat_vertical(st, -page)); break;
    case TV_A_PGDN: vw_select(st, vw_heat_vertical(st, page)); break;
    case TV_A_FIRST: vw_select(st, 0); break;
    case TV_A_LAST: vw_select(st, st->a.n ? st->a.n - 1 : 0); break;
    case TV_A_PLAY: st->playing = !st->playing; st->play_acc = 0; st->last_ms = SDL_GetTicks64(); break;
    case TV_A_FASTER: if (st->speed_idx + 1 < NSPEEDS) st->speed_idx++; break;
    case TV_A_SLOWER: if (st->speed_idx > 0) st->speed_idx--; break;
    case TV_A_SEARCH: st->prompt_kind = '/'; st->prompt[0] = 0; break;
    case TV_A_JUMP: st->prompt_kind = ':'; st->prompt[0] = 0; break;
    case TV_A_MATCH_NEXT: nav_moved(st, tv_nav_find(v, d, NULL, 1)); break;
    case TV_A_MATCH_PREV: nav_moved(st, tv_nav_find(v, d, NULL, -1)); break;
    case TV_A_COSTLY_NEXT: nav_moved(st, st->compare ? diff_jump(st, 1) : tv_nav_costly(v, d, 1)); break;
    case TV_A_COSTLY_PREV: nav_moved(st, st->compare ? diff_jump(st, -1) : tv_nav_costly(v, d, -1)); break;
    case TV_A_MARK: tv_nav_set_mark(v); break;
    case TV_A_TO_MARK: nav_moved(st, tv_nav_to_mark(v, d)); break;
    case TV_A_ZOOM_IN: zoom(st, 0.5); break;
    case TV_A_ZOOM_OUT: zoom(st, 2.0); break;
    case TV_A_EXPLAIN: st->explain = !st->explain; vw_layout(st); vw_heat_layout(st); vw_select(st, v->cur); break;
    case TV_A_SUMMARY: st->summary = !st->summary; st->help = 0; st->scroll = 0; break;
    case TV_A_TABLE: open_table(st); break;
    case TV_A_RANGE: open_range(st); break;
    case TV_A_COLOUR:
        if (st->compare) {
            snprintf(v->msg, sizeof v->msg, "compare mode colours the text by B-A");
            break;
        }
        tv_colour_next(&st->col, d);
        snprintf(v->msg, sizeof v->msg, "colours: %s", tv_colour_name(st->col.mode));
        break;
    case TV_A_SWAP: swap_ab(st); break;
    case TV_A_PNG: st->want_png = 1; break;   /* saved after the next draw */
    case TV_A_FONT_UP: font_step(st, 2); break;
    case TV_A_FONT_DOWN: font_step(st, -2); break;
    case TV_A_PAN_LEFT: pan(st, -1); break;
    case TV_A_PAN_RIGHT: pan(st, 1); break;
    case TV_A_THEME:
        st->th = vw_theme_get(st->th == vw_theme_get(0));
        snprintf(v->msg, sizeof v->msg, "theme: %s", st->th->name);
        break;
    case TV_A_HELP: st->help = !st->help; st->summary = 0; st->scroll = 0; break;
    default: break;
    }
}

/* An overlay (help, summary) is open: scroll, close, quit. */
static int overlay_key(vw_state *st, int key)
{
    if (!st->help && !st->summary && !st->range)
        return 0;
    if (key == 'q') st->quit = 1;
    else if (key == 'E' && st->range) export_range(st);
    else if (key == 'j' || key == TV_KEY_DOWN) st->scroll++;
    else if ((key == 'k' || key == TV_KEY_UP) && st->scroll > 0) st->scroll--;
    else if (key == TV_KEY_PGDN || key == ' ') st->scroll += 10;
    else if (key == TV_KEY_PGUP) st->scroll = st->scroll > 10 ? st->scroll - 10 : 0;
    else if (key == 'g' || key == TV_KEY_HOME) st->scroll = 0;
    else if (key == 's' && st->help) { st->help = 0; st->summary = 1; st->scroll = 0; }
    else if (key == 'P') st->want_png = 1;
    else { st->help = st->summary = 0; close_range(st); }
    return 1;
}

/* A tv key, from the keyboard or a script. */
static void key(vw_state *st, int k)
{
    if (st->prompt_kind) {
        prompt_key(st, k);
        return;
    }
    if (table_key(st, k) || overlay_key(st, k))
        return;
    st->nav.msg[0] = 0;
    act(st, tv_keys_action(k, TV_SDL));
}

static int tv_key_of(SDL_Keycode k, Uint16 mod)
{
    static const struct { SDL_Keycode sdl; int tv; } map[] = {
        { SDLK_RETURN, TV_KEY_ENTER }, { SDLK_KP_ENTER, TV_KEY_ENTER }, { SDLK_ESCAPE, TV_KEY_ESC },
        { SDLK_BACKSPACE, TV_KEY_BS }, { SDLK_TAB, TV_KEY_TAB }, { SDLK_LEFT, TV_KEY_LEFT },
        { SDLK_RIGHT, TV_KEY_RIGHT }, { SDLK_UP, TV_KEY_UP }, { SDLK_DOWN, TV_KEY_DOWN },
        { SDLK_PAGEUP, TV_KEY_PGUP }, { SDLK_PAGEDOWN, TV_KEY_PGDN }, { SDLK_HOME, TV_KEY_HOME },
        { SDLK_END, TV_KEY_END },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (map[i].sdl == k)
            return map[i].tv;
    if ((mod & KMOD_CTRL) && k >= SDLK_a && k <= SDLK_z)
        return TV_CTRL((int)k);
    return -1;   /* characters come as SDL_TEXTINPUT */
}

static void key_down(vw_state *st, const SDL_KeyboardEvent *e)
{
    int k = tv_key_of(e->keysym.sym, e->keysym.mod);
    if (k >= 0)
        key(st, k);
}

/* Decodes the first character of a UTF-8 string (SDL's text events). */
static int first_cp(const char *s)
{
    uint32_t cp;
    size_t n = smix_utf8_decode((const uint8_t *)s, strlen(s), &cp);
    return n ? (int)cp : -1;
}

static void text_input(vw_state *st, const char *s)
{
    if (st->prompt_kind) {
        prompt_text(st, s);
        return;
    }
    int cp = first_cp(s);
    if (cp > 0)
        key(st, cp);
}

static int in_rect(const SDL_Rect *r, int x, int y)
{
    return x >= r->x && y >= r->y && x < r->x + r->w && y < r->y + r->h;
}

static void mouse_button(vw_state *st, const SDL_MouseButtonEvent *e)
{
    int x = (int)(e->x * st->dpi), y = (int)(e->y * st->dpi);
    if (e->button != SDL_BUTTON_LEFT)
        return;
    if (st->table_on) {   /* a click selects a row of the table */
        if (e->type == SDL_MOUSEBUTTONDOWN)
            tv_table_click(st->table, vw_table_row_at(st, y));
        return;
    }
    if (e->type == SDL_MOUSEBUTTONDOWN) {
        if (in_rect(&st->r_text, x, y)) {
            uint64_t k = vw_heat_token_at(st, x, y);
            if (k != VW_NONE)
                vw_select(st, k);
        } else if (in_rect(&st->r_time, x, y)) {
            st->dragging = 1;
            st->drag_moved = 0;
            st->drag_x0 = x;
            st->drag_t0 = st->t0;
        }
    } else if (st->dragging) {
        st->dragging = 0;
        if (!st->drag_moved)
            vw_select(st, (uint64_t)vw_plot_token_at_x(st, x));   /* a click: jump */
    }
}

static void mouse_motion(vw_state *st, const SDL_MouseMotionEvent *e)
{
    st->mx = (int)(e->x * st->dpi);
    st->my = (int)(e->y * st->dpi);
    if (!st->dragging)
        return;
    int dx = st->mx - st->drag_x0;
    if (abs(dx) > 3)
        st->drag_moved = 1;
    if (st->drag_moved) {
        double pw = st->r_time.w - 14.0 * st->font.cw;
        st->t0 = st->drag_t0 - dx / (pw > 1 ? pw : 1) * st->tspan;
        vw_plot_zoom(st, st->r_time.x, 1.0);   /* clamps the view */
    }
}

static void mouse_wheel(vw_state *st, const SDL_MouseWheelEvent *e)
{
    int dy = e->direction == SDL_MOUSEWHEEL_FLIPPED ? -e->y : e->y;
    if (dy == 0)
        return;
    if (st->table_on) {
        for (int i = 0; i < 3; i++)
            tv_table_key(st->table, dy > 0 ? 'k' : 'j', vw_table_page(st));
        return;
    }
    if (in_rect(&st->r_time, st->mx, st->my)) {
        vw_plot_zoom(st, st->mx, dy > 0 ? 0.8 : 1.25);
    } else if (in_rect(&st->r_text, st->mx, st->my)) {
        if (dy < 0 && st->page_last != VW_NONE && st->page_last + 1 < st->a.n) {
            uint64_t k = st->grid[(st->rows > 3 ? 3 : st->rows - 1) * st->cols].tok;
            if (k != VW_NONE && k > st->anchor)
                st->anchor = k;
        } else if (dy > 0) {
            st->anchor = vw_heat_back_rows(st, st->anchor, 3);
        }
        vw_heat_layout(st);
    }
}

void vw_input_event(vw_state *st, const SDL_Event *ev)
{
    switch (ev->type) {
    case SDL_QUIT: st->quit = 1; break;
    case SDL_KEYDOWN: key_down(st, &ev->key); break;
    case SDL_TEXTINPUT: text_input(st, ev->text.text); break;
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP: mouse_button(st, &ev->button); break;
    case SDL_MOUSEMOTION: mouse_motion(st, &ev->motion); break;
    case SDL_MOUSEWHEEL: mouse_wheel(st, &ev->wheel); break;
    case SDL_WINDOWEVENT:
        if (ev->window.event == SDL_WINDOWEVENT_LEAVE)
            st->mx = st->my = -1;
        break;
    default: break;
    }
}

void vw_input_tick(vw_state *st)
{
    if (!st->playing)
        return;
    uint64_t now = SDL_GetTicks64();
    st->play_acc += (now - st->last_ms) / 1000.0 * vw_speed(st);
    st->last_ms = now;
    if (st->play_acc >= 1.0) {
        uint64_t k = (uint64_t)st->play_acc;
        st->play_acc -= (double)k;
        if (st->nav.cur + k >= st->a.n) {
            k = st->a.n - 1 - st->nav.cur;
            st->playing = 0;            /* stop at the end */
        }
        vw_select(st, st->nav.cur + k);
    }
}

/* A script's character, as a text event would bring it. */
static void script_char(vw_state *st, int cp)
{
    char u[5] = { 0 };
    if (cp < 0x80) u[0] = (char)cp;
    else if (cp < 0x800) { u[0] = (char)(0xC0 | cp >> 6); u[1] = (char)(0x80 | (cp & 0x3F)); }
    else if (cp < 0x10000) { u[0] = (char)(0xE0 | cp >> 12); u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
                             u[2] = (char)(0x80 | (cp & 0x3F)); }
    else { u[0] = (char)(0xF0 | cp >> 18); u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
           u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); u[3] = (char)(0x80 | (cp & 0x3F)); }
    text_input(st, u);
}

int vw_input_keys(vw_state *st, const char *keys, char *err, size_t errlen)
{
    tv_key *k = NULL;
    size_t n = 0;
    if (!keys)
        return 0;
    if (tv_keys_parse(keys, &k, &n, err, errlen) != 0)
        return -1;
    for (size_t i = 0; i < n && !st->quit; i++) {
        if (k[i].key == TV_KEY_CLICK) {
            SDL_Event ev = { 0 };
            ev.type = SDL_MOUSEBUTTONDOWN;
            ev.button.button = SDL_BUTTON_LEFT;
            ev.button.x = (int)(k[i].a / st->dpi);
            ev.button.y = (int)(k[i].b / st->dpi);
            vw_input_event(st, &ev);
            ev.type = SDL_MOUSEBUTTONUP;
            vw_input_event(st, &ev);
        } else if (k[i].key == TV_KEY_RESIZE) {
            continue;   /* a window's size is the window manager's */
        } else if (k[i].key >= TV_KEY_ENTER || k[i].key < 0x20) {
            key(st, k[i].key);
        } else {
            script_char(st, k[i].key);
        }
    }
    free(k);
    return 0;
}
