/*
 * input.c - keys, mouse and playback.
 *
 * Keys follow the terminal viewer (tui/) so one habit serves both: h/l or
 * arrows step, k/j move a line, g/G first/last, space plays, +/- speed, /
 * searches and n/N repeat, w/W jump between the costliest 1% of tokens, :
 * jumps to a token number (or @byte offset), m/' mark and return, ? help,
 * q quits; P saves the window as PNG. Printable commands come from
 * SDL_TEXTINPUT (so they follow the keyboard layout), special keys from
 * SDL_KEYDOWN.
 */
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
    st->sel = tok;
    vw_heat_ensure_visible(st);
    if (!st->dragging)
        vw_plot_follow(st);
}

static void step(vw_state *st, long d)
{
    if (d < 0 && (uint64_t)-d > st->sel)
        vw_select(st, 0);
    else
        vw_select(st, st->sel + d);
}

static void run_prompt(vw_state *st)
{
    if (st->prompt_kind == '/') {
        snprintf(st->search, sizeof st->search, "%s", st->prompt);
        uint64_t k = vw_load_search(st, st->sel, st->search, 1);
        if (k == VW_NONE)
            snprintf(st->msg, sizeof st->msg, "not found");
        else
            vw_select(st, k);
    } else if (st->prompt_kind == ':') {
        char *end = NULL;
        int byoff = st->prompt[0] == '@';
        unsigned long long v = strtoull(st->prompt + byoff, &end, 10);
        if (!end || end == st->prompt + byoff || *end)
            snprintf(st->msg, sizeof st->msg, "type a token number, or @ and a byte offset");
        else
            vw_select(st, byoff ? smix_trace_token_at_offset(st->a.t, v) : v);
    }
    st->prompt_kind = 0;
    st->prompt[0] = 0;
}

static void prompt_key(vw_state *st, SDL_Keycode k)
{
    size_t n = strlen(st->prompt);
    if (k == SDLK_ESCAPE) {
        st->prompt_kind = 0;
        st->prompt[0] = 0;
    } else if (k == SDLK_RETURN || k == SDLK_KP_ENTER) {
        run_prompt(st);
    } else if (k == SDLK_BACKSPACE && n > 0) {
        while (n > 0 && ((uint8_t)st->prompt[n - 1] & 0xC0) == 0x80)
            n--;                        /* drop a whole UTF-8 character */
        st->prompt[n ? n - 1 : 0] = 0;
    }
}

static void find_next(vw_state *st, int dir)
{
    uint64_t k = vw_load_search(st, st->sel, st->search, dir);
    if (k == VW_NONE)
        snprintf(st->msg, sizeof st->msg, st->search[0] ? "not found" : "no search yet: press /");
    else
        vw_select(st, k);
}

static void costly(vw_state *st, int dir)
{
    uint64_t k = vw_load_costly(st, st->sel, dir);
    if (k != VW_NONE)
        vw_select(st, k);
}

/* Commands typed as characters. */
static void command_char(vw_state *st, char c)
{
    switch (c) {
    case 'q': st->quit = 1; break;
    case 'h': step(st, -1); break;
    case 'l': step(st, 1); break;
    case 'k': vw_select(st, vw_heat_vertical(st, -1)); break;
    case 'j': vw_select(st, vw_heat_vertical(st, 1)); break;
    case 'g': vw_select(st, 0); break;
    case 'G': vw_select(st, st->a.n ? st->a.n - 1 : 0); break;
    case ' ': st->playing = !st->playing; st->play_acc = 0; st->last_ms = SDL_GetTicks64(); break;
    case '+': case '=': if (st->speed_idx + 1 < NSPEEDS) st->speed_idx++; break;
    case '-': if (st->speed_idx > 0) st->speed_idx--; break;
    case '/': case ':': st->prompt_kind = c; st->prompt[0] = 0; break;
    case 'n': find_next(st, 1); break;
    case 'N': find_next(st, -1); break;
    case 'w': costly(st, 1); break;
    case 'W': costly(st, -1); break;
    case 'm': st->mark = st->sel; snprintf(st->msg, sizeof st->msg, "mark set"); break;
    case '\'': { uint64_t m = st->mark; st->mark = st->sel; vw_select(st, m); break; }
    case '?': st->help = !st->help; break;
    case 'P': st->want_png = 1; break;   /* saved after the next draw */
    default: break;
    }
}

static void key_down(vw_state *st, const SDL_KeyboardEvent *e)
{
    SDL_Keycode k = e->keysym.sym;
    if (st->prompt_kind) {
        prompt_key(st, k);
        return;
    }
    st->msg[0] = 0;
    switch (k) {
    case SDLK_LEFT: step(st, -1); break;
    case SDLK_RIGHT: step(st, 1); break;
    case SDLK_UP: vw_select(st, vw_heat_vertical(st, -1)); break;
    case SDLK_DOWN: vw_select(st, vw_heat_vertical(st, 1)); break;
    case SDLK_PAGEUP: vw_select(st, vw_heat_vertical(st, -(st->rows > 2 ? st->rows - 1 : 1))); break;
    case SDLK_PAGEDOWN: vw_select(st, vw_heat_vertical(st, st->rows > 2 ? st->rows - 1 : 1)); break;
    case SDLK_HOME: vw_select(st, 0); break;
    case SDLK_END: vw_select(st, st->a.n ? st->a.n - 1 : 0); break;
    case SDLK_ESCAPE: if (st->help) st->help = 0; break;
    default: break;
    }
}

static void text_input(vw_state *st, const char *s)
{
    if (st->prompt_kind) {
        size_t n = strlen(st->prompt), m = strlen(s);
        if (n + m < sizeof st->prompt)
            memcpy(st->prompt + n, s, m + 1);
        return;
    }
    if (s[0] && !s[1]) {
        st->msg[0] = 0;
        command_char(st, s[0]);
    }
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
        if (st->sel + k >= st->a.n) {
            k = st->a.n - 1 - st->sel;
            st->playing = 0;            /* stop at the end */
        }
        vw_select(st, st->sel + k);
    }
}

void vw_input_keys(vw_state *st, const char *keys)
{
    SDL_Event ev;
    for (const char *k = keys; k && *k && !st->quit; k++) {
        memset(&ev, 0, sizeof ev);
        int esc = k[0] == '\\' && (k[1] == 'n' || k[1] == 'e' || k[1] == '\\');
        char c = esc ? (k[1] == 'n' ? '\n' : k[1] == 'e' ? 27 : '\\') : *k;
        k += esc;
        if (c == '\n' || c == '\r') {
            ev.type = SDL_KEYDOWN;
            ev.key.keysym.sym = SDLK_RETURN;
        } else if (c == 27) {
            ev.type = SDL_KEYDOWN;
            ev.key.keysym.sym = SDLK_ESCAPE;
        } else {
            ev.type = SDL_TEXTINPUT;
            ev.text.text[0] = c;
        }
        vw_input_event(st, &ev);
    }
}
