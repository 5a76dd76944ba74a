/*
 * frame.c - panel layout and drawing one whole frame.
 *
 * Layout, in output pixels: a header line, the text heat map (left) with its
 * legend, the component and coder panels (right), the timeline across the
 * bottom and a status line. Panels that need a fixed number of text rows get
 * them first; the heat map and timeline take what is left, so the window can
 * be resized to anything and every panel is clipped to its own rectangle.
 */
#include <stdio.h>
#include <string.h>
#include "view.h"

#define COMP_ROWS 25     /* rows the component panel draws (up to 30 components in 3 columns) */
#define CODER_ROWS 11    /* rows the coder panel draws */

static int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

void vw_layout(vw_state *st)
{
    int cw = st->font.cw, ch = st->font.ch, W = st->W, H = st->H, pad = ch / 2;
    int bar = ch + ch / 2;
    st->r_head = (SDL_Rect){ 0, 0, W, bar };
    st->r_status = (SDL_Rect){ 0, H - bar, W, bar };
    int rw = clampi(W * 2 / 5, 62 * cw < W / 2 ? 62 * cw : W / 2, W - 30 * cw);
    int need = (COMP_ROWS + CODER_ROWS) * ch + 2 * pad;
    int avail = H - 2 * bar;
    int th = clampi(avail - need, 7 * ch, H * 35 / 100);
    if (th > avail - 4 * ch) th = avail - 4 * ch;
    if (th < 3 * ch) th = 3 * ch;
    /* Short window: the right column keeps its full height and the timeline
     * runs under the text only. */
    int narrow = avail - th < need;
    int y0 = bar, y1 = H - bar - th, ry1 = narrow ? H - bar : y1;
    st->r_time = (SDL_Rect){ 0, y1, narrow ? W - rw : W, th };
    int legend = 2 * ch + pad;
    st->r_text = (SDL_Rect){ pad, y0 + pad, W - rw - 2 * pad, y1 - y0 - legend - 2 * pad };
    st->r_legend = (SDL_Rect){ pad, y1 - legend, W - rw - 2 * pad, legend };
    int comph = COMP_ROWS * ch + pad;
    if (comph > ry1 - y0) comph = ry1 - y0;
    st->r_comp = (SDL_Rect){ W - rw, y0, rw, comph };
    st->r_coder = (SDL_Rect){ W - rw, y0 + comph, rw, ry1 - y0 - comph };
    st->page_ok = 0;
}

static void draw_head(vw_state *st)
{
    vw_font *f = &st->font;
    const smix_trace_summary *a = &st->a.sum, *b = &st->b.sum;
    int y = st->r_head.y + f->ch / 4, x = f->cw;
    double bpa = a->input_bytes ? a->total_bits / a->input_bytes : 0;
    vw_fill(st->ren, 0, 0, st->W, st->r_head.h, VW_PANEL);
    x += vw_text(f, st->ren, x, y, "smix-view", -1, VW_ACCENT) * f->cw + 2 * f->cw;
    if (!st->compare) {
        vw_textf(f, st->ren, x, y, VW_FG, "%s   %llu tokens   %llu -> %llu bytes   %.4f bpb   level %u",
                 st->a.name, (unsigned long long)st->a.n, (unsigned long long)a->input_bytes,
                 (unsigned long long)a->compressed_bytes, bpa, a->config.level);
        return;
    }
    double bpb = b->input_bytes ? b->total_bits / b->input_bytes : 0;
    double d = b->total_bits - a->total_bits;
    vw_textf(f, st->ren, x, y, VW_FG,
             "A %s: %.0f bits %.4f bpb   B %s: %.0f bits %.4f bpb   B-A %+.0f bits (%+.2f%%)",
             st->a.name, a->total_bits, bpa, st->b.name, b->total_bits, bpb, d,
             a->total_bits > 0 ? 100.0 * d / a->total_bits : 0.0);
}

/* Message of a background verification that failed, else NULL. */
static const char *damaged(vw_state *st)
{
    if (SDL_AtomicGet(&st->a.verified) == 2)
        return st->a.verify_msg;
    if (st->b.t && SDL_AtomicGet(&st->b.verified) == 2)
        return st->b.verify_msg;
    return NULL;
}

static void draw_status(vw_state *st)
{
    vw_font *f = &st->font;
    int y = st->r_status.y + f->ch / 4, x = f->cw;
    vw_fill(st->ren, 0, st->r_status.y, st->W, st->r_status.h, VW_PANEL);
    if (st->prompt_kind) {
        vw_textf(f, st->ren, x, y, VW_ACCENT, "%s%s_", st->prompt_kind == '/' ? "search: " :
                 "jump to token (or @byte offset): ", st->prompt);
        return;
    }
    uint64_t n = st->a.n;
    double bits = n ? vw_pyr_query(&st->pa, 0, st->sel + 1).sum : 0;
    uint64_t bytes = n ? vw_bytes_upto(st, st->sel) : 0;
    char left[160];
    snprintf(left, sizeof left, "tok %llu/%llu  %.3f bpb so far  %s %.0f tok/s  ",
             (unsigned long long)(n ? st->sel + 1 : 0), (unsigned long long)n,
             bytes ? bits / bytes : 0.0, st->playing ? "PLAY" : "pause", vw_speed(st));
    x += vw_text(f, st->ren, x, y, left, -1, VW_FG) * f->cw;
    if (damaged(st))
        vw_textf(f, st->ren, x, y, VW_NEGC, "DAMAGED TRACE, figures may be wrong: %s", damaged(st));
    else if (SDL_AtomicGet(&st->a.verified) == 0 ||
             (st->b.t && SDL_AtomicGet(&st->b.verified) == 0))
        vw_text(f, st->ren, x, y, "(verifying the trace in the background...)", -1, VW_DIM);
    else if (st->msg[0])
        vw_text(f, st->ren, x, y, st->msg, -1, VW_ACCENT);
    else
        vw_text(f, st->ren, x, y, "h/l step  j/k line  space play  +/- speed  / search  "
                "w costly  : jump  P png  ? help  q quit", -1, VW_DIM);
}

static void draw_help(vw_state *st)
{
    static const char *lines[] = {
        "keys (as in smix-tui)",
        "h l  <- ->     previous / next token",
        "k j  up down   previous / next line",
        "PgUp PgDn      page up / down",
        "g G  Home End  first / last token",
        "space          play / pause",
        "+ -            faster / slower",
        "/ n N          search text, next / previous match",
        "w W            next / previous costliest token (top 1%)",
        ":              jump to token number, or @byte offset",
        "m '            set mark / jump to mark",
        "P              save this window as PNG",
        "? Esc          close this help      q  quit",
        "",
        "mouse: click a token to select it, hover for its figures;",
        "timeline: wheel zooms, drag pans, click jumps",
    };
    int n = (int)(sizeof lines / sizeof lines[0]);
    vw_font *f = &st->font;
    int w = 62 * f->cw, h = (n + 2) * f->ch;
    int x = (st->W - w) / 2, y = (st->H - h) / 2;
    vw_fill(st->ren, x, y, w, h, (vw_rgb){ 12, 13, 16 });
    vw_frame(st->ren, x, y, w, h, VW_ACCENT);
    for (int i = 0; i < n; i++)
        vw_text(f, st->ren, x + 2 * f->cw, y + (i + 1) * f->ch, lines[i], -1, i ? VW_FG : VW_ACCENT);
}

static void clip(vw_state *st, const SDL_Rect *r)
{
    SDL_RenderSetClipRect(st->ren, r);
}

void vw_draw(vw_state *st)
{
    SDL_RenderSetClipRect(st->ren, NULL);
    vw_fill(st->ren, 0, 0, st->W, st->H, VW_BG);
    draw_head(st);
    vw_fill(st->ren, st->r_comp.x, st->r_comp.y, st->r_comp.w, st->r_comp.h + st->r_coder.h, VW_PANEL);
    vw_line(st->ren, st->r_coder.x + 4, st->r_coder.y, st->r_coder.x + st->r_coder.w - 4,
            st->r_coder.y, VW_GRID);
    vw_line(st->ren, 0, st->r_time.y, st->r_time.w, st->r_time.y, VW_GRID);
    clip(st, &st->r_text);
    vw_heat_draw(st);
    clip(st, &st->r_legend);
    vw_heat_legend(st);
    if (st->a.n) {
        clip(st, &st->r_comp);
        vw_panel_components(st);
        clip(st, &st->r_coder);
        vw_panel_coder(st);
    }
    clip(st, &st->r_time);
    vw_plot_draw(st);
    SDL_RenderSetClipRect(st->ren, NULL);
    draw_status(st);
    if (st->help)
        draw_help(st);
    else if (!st->dragging)
        vw_heat_tooltip(st);
}

int vw_save_png(vw_state *st, const char *path)
{
    size_t n = (size_t)st->W * st->H * 3;
    uint8_t *rgb = SDL_malloc(n);
    int rc = -1;
    if (!rgb) {
        snprintf(st->msg, sizeof st->msg, "out of memory for the PNG");
        return -1;
    }
    if (SDL_RenderReadPixels(st->ren, NULL, SDL_PIXELFORMAT_RGB24, rgb, st->W * 3) != 0)
        snprintf(st->msg, sizeof st->msg, "reading pixels: %s", SDL_GetError());
    else if (vw_png_write(path, rgb, st->W, st->H) != 0)
        snprintf(st->msg, sizeof st->msg, "cannot write %s", path);
    else
        rc = 0;
    SDL_free(rgb);
    return rc;
}
