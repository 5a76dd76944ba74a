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
#include <SDL_image.h>
#include "view.h"

#define COMP_MIN_ROWS 26  /* rows the component panel wants: header lines, components, top 8 */
#define CODER_ROWS 13     /* rows the coder panel draws: the top-8 bar, up to 5 step bars */

static int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Panels in output pixels. The right column (component and coder panels)
 * gets its width first (at most 2/5 of the window, room for 30 columns of
 * text on the left); the explain strip and the timeline run along the
 * bottom. In a short window the right column keeps its full height (the
 * timeline runs under the text only) and the coder panel goes before the
 * component panel gets too short; in a narrow one the right column takes
 * half the width. */
void vw_layout(vw_state *st)
{
    int cw = st->font.cw, ch = st->font.ch, W = st->W, H = st->H, pad = ch / 2;
    int bar = ch + ch / 2;
    st->r_head = (SDL_Rect){ 0, 0, W, bar };
    st->r_status = (SDL_Rect){ 0, H - bar, W, bar };
    int cols = W / (cw > 0 ? cw : 1);
    int ex = st->explain ? (cols < 100 ? 5 : cols < 150 ? 4 : 3) * ch + ch / 2 : 0;   /* the sentence's rows */
    st->r_explain = (SDL_Rect){ 0, H - bar - ex, W, ex };
    int rw = clampi(W * 2 / 5, 62 * cw < W / 2 ? 62 * cw : W / 2, W - 30 * cw);
    if (rw < W / 2) rw = W - rw < 50 * cw ? W / 2 : rw;
    int avail = H - 2 * bar - ex;
    int need = (COMP_MIN_ROWS + CODER_ROWS) * ch + 2 * pad;
    int th = clampi(avail - need, 7 * ch, H * 30 / 100);
    if (th > avail - 4 * ch) th = avail - 4 * ch;
    if (th < 3 * ch) th = 3 * ch;
    int narrow = avail - th < need;
    int y0 = bar, y1 = H - bar - ex - th, ry1 = narrow ? H - bar - ex : y1;
    st->r_time = (SDL_Rect){ 0, y1, narrow ? W - rw : W, th };
    int legend = 2 * ch + pad;
    st->r_text = (SDL_Rect){ pad, y0 + pad, W - rw - 2 * pad, y1 - y0 - legend - 2 * pad };
    st->r_legend = (SDL_Rect){ pad, y1 - legend, W - rw - 2 * pad, legend };
    int right = ry1 - y0, coder = CODER_ROWS * ch + pad;
    if (right - coder < COMP_MIN_ROWS * ch) coder = 0;   /* too short for both: the components stay */
    st->r_comp = (SDL_Rect){ W - rw, y0, rw, right - coder };
    st->r_coder = (SDL_Rect){ W - rw, y0 + right - coder, rw, coder };
    st->page_ok = 0;
}

static void draw_head(vw_state *st)
{
    vw_font *f = &st->font;
    const smix_trace_summary *a = &st->a.sum, *b = &st->b.sum;
    int y = st->r_head.y + f->ch / 4, x = f->cw;
    double bpa = a->input_bytes ? a->total_bits / a->input_bytes : 0;
    char na[96], nb[96];
    const char *fa = tv_doc_basename(st->a.d), *fb = st->b.d ? tv_doc_basename(st->b.d) : "";
    tv_text_label((const uint8_t *)fa, strlen(fa), 1, 40, na, sizeof na);
    tv_text_label((const uint8_t *)fb, strlen(fb), 1, 40, nb, sizeof nb);
    vw_fill(st->ren, 0, 0, st->W, st->r_head.h, VW_PANEL);
    x += vw_text(f, st->ren, x, y, "smix-view", -1, VW_ACCENT) * f->cw + 2 * f->cw;
    if (!st->compare) {
        char line[320];
        snprintf(line, sizeof line, "%s  %llu tokens  %llu -> %llu bytes  %.4f bpb  level %u%s", na,
                 (unsigned long long)st->a.n, (unsigned long long)a->input_bytes,
                 (unsigned long long)a->compressed_bytes, bpa, a->config.level,
                 (a->flags & SMIX_TRACE_SSM) ? " (SSM)" : " (no SSM)");
        if ((int)vw_utf8_cells(line) > (st->W - x) / f->cw)   /* narrow: the essentials, not a cut line */
            snprintf(line, sizeof line, "%s  %llu tok  %.3f bpb  L%u%s", na, (unsigned long long)st->a.n, bpa,
                     a->config.level, (a->flags & SMIX_TRACE_SSM) ? " SSM" : "");
        vw_text(f, st->ren, x, y, line, -1, VW_FG);
        return;
    }
    double bpb = b->input_bytes ? b->total_bits / b->input_bytes : 0;
    double d = b->total_bits - a->total_bits;
    vw_textf(f, st->ren, x, y, VW_FG,
             "A %s: L%u %.4f bpb   B %s: L%u %.4f bpb   B-A %+.0f bits (%+.2f%%)   x swaps",
             na, a->config.level, bpa, nb, b->config.level, bpb, d,
             a->total_bits > 0 ? 100.0 * d / a->total_bits : 0.0);
}

static void draw_status(vw_state *st)
{
    vw_font *f = &st->font;
    int y = st->r_status.y + f->ch / 4, x = f->cw;
    char left[256], pos[200], notice[320] = "";
    vw_fill(st->ren, 0, st->r_status.y, st->W, st->r_status.h, VW_PANEL);
    if (st->prompt_kind) {
        char shown[300];
        tv_text_label((const uint8_t *)st->prompt, strlen(st->prompt), 1, 200, shown, sizeof shown);
        vw_textf(f, st->ren, x, y, VW_ACCENT, "%s%s_", st->prompt_kind == '/' ? "search: " :
                 "jump to token number (from 0), @byte offset or N%: ", shown);
        return;
    }
    tv_nav_status(&st->nav, st->a.d, pos, sizeof pos);
    snprintf(left, sizeof left, "%s  %s %.0f tok/s  ", pos, st->playing ? "PLAY" : "pause", vw_speed(st));
    x += vw_text(f, st->ren, x, y, left, -1, VW_FG) * f->cw;
    tv_doc_notice(st->a.d, notice, sizeof notice);
    if (!notice[0] && st->b.d)
        tv_doc_notice(st->b.d, notice, sizeof notice);
    int damaged = tv_doc_verify_state(st->a.d) == TV_VERIFY_DAMAGED || tv_doc_bad_reads(st->a.d) ||
                  (st->b.d && (tv_doc_verify_state(st->b.d) == TV_VERIFY_DAMAGED || tv_doc_bad_reads(st->b.d)));
    if (notice[0])
        vw_text(f, st->ren, x, y, notice, -1, damaged ? VW_NEGC : VW_DIM);
    else if (st->nav.msg[0])
        vw_text(f, st->ren, x, y, st->nav.msg, -1, st->nav.msg_error ? VW_NEGC : VW_ACCENT);
    else
        vw_text(f, st->ren, x, y, "? help  q quit", -1, VW_DIM);
}

/* The explain sentence (e), as smix-tui's. */
static void draw_explain(vw_state *st)
{
    tv_why w;
    char s[1536];
    SDL_Rect *R = &st->r_explain;
    if (R->h <= 0 || tv_why_token(st->a.d, st->nav.cur, 1, &w) != 0)
        return;
    vw_fill(st->ren, R->x, R->y, R->w, R->h, VW_PANEL);
    tv_why_sentence(&w, st->a.d, s, sizeof s);
    vw_wrap(st, s, R->x + st->font.cw, R->y + st->font.ch / 4, R->w - 2 * st->font.cw, R->h / st->font.ch, VW_FG);
}

/* The key help, from traceview's table (the one smix-tui's is made from). */
static void draw_help(vw_state *st)
{
    vw_font *f = &st->font;
    char keys[48], line[200];
    const char *help;
    int n = 0;
    while (tv_keys_help(TV_SDL, n, keys, sizeof keys, &help) == 0)
        n++;
    int rows = n + 6, w = 78 * f->cw, h = (rows + 1) * f->ch;
    if (w > st->W) w = st->W;
    if (h > st->H) h = st->H;
    int x = (st->W - w) / 2, y = (st->H - h) / 2, row = -st->scroll;
    vw_fill(st->ren, x, y, w, h, VW_WELL);
    vw_capture_erase(f, x, y, w, h);
    vw_frame(st->ren, x, y, w, h, VW_ACCENT);
    SDL_Rect clipr = { x, y, w, h };
    SDL_RenderSetClipRect(st->ren, &clipr);
#define HROW(s, c) do { if (row >= 0 && (row + 1) * f->ch < h) vw_text(f, st->ren, x + 2 * f->cw, y + (row + 1) * f->ch / 1, s, w / f->cw - 3, c); row++; } while (0)
    HROW("smix-view keys, the same as smix-tui's (j/k scroll, Esc closes)", VW_ACCENT);
    for (int i = 0; tv_keys_help(TV_SDL, i, keys, sizeof keys, &help) == 0; i++) {
        snprintf(line, sizeof line, "%-14s %s", keys, help);
        HROW(line, VW_FG);
    }
    HROW("", VW_FG);
    HROW("mouse: click a token to select it, hover for its figures;", VW_DIM);
    HROW("timeline: wheel zooms, drag pans, click jumps", VW_DIM);
    HROW("tokens are numbered from 0, as in smix-tui and smix --trace-dump", VW_DIM);
#undef HROW
    SDL_RenderSetClipRect(st->ren, NULL);
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
    if (st->r_coder.h > 0)
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
        if (st->r_coder.h > 0) {
            clip(st, &st->r_coder);
            vw_panel_coder(st);
        }
    }
    clip(st, &st->r_time);
    vw_plot_draw(st);
    SDL_RenderSetClipRect(st->ren, NULL);
    draw_explain(st);
    draw_status(st);
    if (st->help)
        draw_help(st);
    else if (st->table_on)
        vw_table_draw(st);
    else if (st->summary || st->range)
        vw_summary_draw(st);
    else if (!st->dragging)
        vw_heat_tooltip(st);
}

int vw_save_png(vw_state *st, const char *path)
{
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, st->W, st->H, 24, SDL_PIXELFORMAT_RGB24);
    int rc = -1;
    if (!s) {
        snprintf(st->nav.msg, sizeof st->nav.msg, "out of memory for the PNG: %s", SDL_GetError());
        return -1;
    }
    if (SDL_RenderReadPixels(st->ren, NULL, SDL_PIXELFORMAT_RGB24, s->pixels, s->pitch) != 0)
        snprintf(st->nav.msg, sizeof st->nav.msg, "reading pixels: %s", SDL_GetError());
    else if (IMG_SavePNG(s, path) != 0) {
        snprintf(st->nav.msg, sizeof st->nav.msg, "cannot write %s: %s", path, IMG_GetError());
        remove(path);   /* no partial file */
    } else
        rc = 0;
    SDL_FreeSurface(s);
    return rc;
}
