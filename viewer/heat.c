/*
 * heat.c - the text heat map: the original text, each token's background
 * coloured by its cost (or, comparing, by how many bits B saved or lost).
 *
 * The page is a grid of monospace cells laid out from an anchor token each
 * frame (a page is a few thousand tokens read from the mapped trace, which is
 * cheap), wrapping at token boundaries where the token fits on a line. The
 * grid maps every cell back to its token, which is all that mouse selection,
 * hover and up/down movement need. A one-pixel gap after each token keeps
 * token boundaries visible even between tokens of equal cost.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "view.h"

#define CELLS_MAX 256   /* cells shown for one token; longer ones end in an ellipsis */

/* Cells of token k in map mode; returns the count (<= CELLS_MAX). */
static size_t token_cells(const vw_state *st, uint64_t k, uint32_t *cp, uint8_t *fl)
{
    smix_trace_token tk;
    if (smix_trace_get_token(st->a.t, k, &tk) != 0)
        return 0;
    size_t nc = vw_esc_cells(tk.bytes, tk.length, VW_ESC_MAP, cp, fl, CELLS_MAX);
    if (nc > CELLS_MAX) {
        nc = CELLS_MAX;
        cp[nc - 1] = 0x2026;
        fl[nc - 1] = VW_CELL_ESC;
    }
    return nc;
}

static int grid_alloc(vw_state *st)
{
    int rows = st->r_text.h / st->font.ch;
    int cols = st->r_text.w / st->font.cw;
    if (rows < 1 || cols < 1) {
        st->rows = st->cols = 0;
        return -1;
    }
    if (rows * cols > st->grid_cap) {
        vw_cellinfo *g = realloc(st->grid, (size_t)rows * cols * sizeof *g);
        if (!g) {
            st->rows = st->cols = 0;
            return -1;
        }
        st->grid = g;
        st->grid_cap = rows * cols;
    }
    st->rows = rows;
    st->cols = cols;
    for (int i = 0; i < rows * cols; i++)
        st->grid[i] = (vw_cellinfo){ VW_NONE, 0, 0 };
    return 0;
}

void vw_heat_layout(vw_state *st)
{
    uint32_t cp[CELLS_MAX];
    uint8_t fl[CELLS_MAX];
    int r = 0, c = 0;
    uint64_t k = st->anchor;
    st->page_last = VW_NONE;
    st->page_ok = 0;
    if (grid_alloc(st) != 0)
        return;
    for (; r < st->rows && k < st->a.n; k++) {
        size_t nc = token_cells(st, k, cp, fl);
        if (c > 0 && c + (int)nc > st->cols && (int)nc <= st->cols)
            r++, c = 0;                   /* wrap before a token that fits a line */
        size_t i = 0;
        for (; i < nc && r < st->rows; i++) {
            st->grid[r * st->cols + c] = (vw_cellinfo){ k, cp[i], fl[i] };
            if (++c >= st->cols || (fl[i] & VW_CELL_NL))
                r++, c = 0;
        }
        if (i < nc)
            break;                        /* cut at the bottom: not fully shown */
        st->page_last = k;
    }
    st->page_ok = 1;
}

uint64_t vw_heat_back_rows(const vw_state *st, uint64_t tok, int want)
{
    uint32_t cp[CELLS_MAX];
    uint8_t fl[CELLS_MAX];
    int cols = st->cols > 0 ? st->cols : 80;
    long rows = 0, cur = 0;
    if (want <= 0)
        return tok;
    for (uint64_t k = tok; k > 0; k--) {
        size_t nc = token_cells(st, k - 1, cp, fl);
        int nl = 0;
        for (size_t i = 0; i < nc; i++)
            nl += (fl[i] & VW_CELL_NL) != 0;
        if (nl) {
            rows += (cur + cols - 1) / cols + (cur == 0) + (nl - 1);
            if (rows >= want)
                return k;                 /* start right after a line break */
            cur = (long)nc;
        } else {
            cur += (long)nc;
            if (rows + cur / cols >= want)
                return k - 1;             /* inside a very long line */
        }
    }
    return 0;
}

void vw_heat_ensure_visible(vw_state *st)
{
    if (!st->page_ok)
        vw_heat_layout(st);
    if (st->rows == 0 || st->a.n == 0)
        return;
    int shown = st->sel >= st->anchor && st->page_last != VW_NONE && st->sel <= st->page_last;
    if (shown)
        return;
    st->anchor = vw_heat_back_rows(st, st->sel, st->rows / 3);
    vw_heat_layout(st);
    if (st->page_last == VW_NONE || st->sel > st->page_last) {
        st->anchor = st->sel;           /* a huge token: start the page with it */
        vw_heat_layout(st);
    }
}

uint64_t vw_heat_token_at(const vw_state *st, int x, int y)
{
    if (!st->page_ok || st->rows == 0)
        return VW_NONE;
    int c = (x - st->r_text.x) / st->font.cw;
    int r = (y - st->r_text.y) / st->font.ch;
    if (x < st->r_text.x || y < st->r_text.y || c >= st->cols || r >= st->rows)
        return VW_NONE;
    return st->grid[r * st->cols + c].tok;
}

static int find_sel(const vw_state *st, int *r0, int *c0)
{
    for (int i = 0; i < st->rows * st->cols; i++)
        if (st->grid[i].tok == st->sel) {
            *r0 = i / st->cols;
            *c0 = i % st->cols;
            return 0;
        }
    return -1;
}

/* Token in row r at or left of column c (else the row's first token). */
static uint64_t pick_in_row(const vw_state *st, int r, int c)
{
    const vw_cellinfo *row = &st->grid[r * st->cols];
    for (int x = c; x >= 0; x--)
        if (row[x].tok != VW_NONE)
            return row[x].tok;
    for (int x = c + 1; x < st->cols; x++)
        if (row[x].tok != VW_NONE)
            return row[x].tok;
    return VW_NONE;
}

uint64_t vw_heat_vertical(vw_state *st, int dr)
{
    int r0, c0;
    vw_heat_ensure_visible(st);
    if (st->rows == 0 || find_sel(st, &r0, &c0) != 0)
        return st->sel;
    int t = r0 + dr;
    if (t < 0) {
        st->anchor = vw_heat_back_rows(st, st->anchor, -t);
        vw_heat_layout(st);
        if (find_sel(st, &r0, &c0) != 0)
            return st->sel;
        t = r0 + dr < 0 ? 0 : r0 + dr;
    } else if (t >= st->rows) {
        int shift = t - st->rows + 1;
        uint64_t na = pick_in_row(st, shift < st->rows ? shift : st->rows - 1, 0);
        if (na != VW_NONE && na > st->anchor) {
            st->anchor = na;
            vw_heat_layout(st);
        }
        if (find_sel(st, &r0, &c0) != 0)
            r0 = -1;
        t = r0 + dr >= st->rows ? st->rows - 1 : r0 + dr;
        if (t < 0) t = 0;
    }
    uint64_t k = pick_in_row(st, t, c0);
    return k == VW_NONE ? (dr > 0 && st->page_last != VW_NONE ? st->page_last : st->sel) : k;
}

static vw_rgb token_colour(const vw_state *st, uint64_t k)
{
    if (st->compare) {
        float d = vw_bits_b_on_a(st, k) - vw_bits_a(st, k);
        return vw_diverge(d / st->diff_max);
    }
    return vw_viridis(vw_bits_a(st, k) / st->bits_max);
}

/* Ink for a cell: escapes and stand-in marks stand out from real text. */
static vw_rgb cell_ink(vw_rgb bg, uint8_t flags)
{
    vw_rgb ink = vw_ink_on(bg);
    int dark = ink.r > 128;   /* white ink means a dark background */
    if (flags & VW_CELL_ESC)
        return dark ? (vw_rgb){ 255, 170, 200 } : (vw_rgb){ 150, 0, 60 };
    if (flags & VW_CELL_MARK)
        return dark ? (vw_rgb){ 170, 170, 180 } : (vw_rgb){ 90, 90, 100 };
    return ink;
}

/* Outlines the cells of token k (selection or hover). */
static void outline_token(vw_state *st, uint64_t k, vw_rgb c, int thick)
{
    int cw = st->font.cw, ch = st->font.ch;
    for (int r = 0; r < st->rows; r++) {
        int c0 = -1, c1 = -1;
        for (int x = 0; x < st->cols; x++)
            if (st->grid[r * st->cols + x].tok == k) {
                if (c0 < 0) c0 = x;
                c1 = x;
            }
        if (c0 < 0)
            continue;
        int x0 = st->r_text.x + c0 * cw, y0 = st->r_text.y + r * ch;
        for (int t = 0; t < thick; t++)
            vw_frame(st->ren, x0 - 1 - t, y0 - 1 - t, (c1 - c0 + 1) * cw + 1 + 2 * t,
                     ch + 2 + 2 * t, c);
    }
}

static void draw_row(vw_state *st, int r)
{
    int cw = st->font.cw, ch = st->font.ch;
    int y = st->r_text.y + r * ch;
    uint64_t cur = VW_NONE;
    vw_rgb bg = VW_BG;
    for (int x = 0; x < st->cols; x++) {
        const vw_cellinfo *cell = &st->grid[r * st->cols + x];
        if (cell->tok == VW_NONE)
            continue;
        if (cell->tok != cur) {
            cur = cell->tok;
            bg = token_colour(st, cur);
        }
        int last = x + 1 >= st->cols || st->grid[r * st->cols + x + 1].tok != cur;
        vw_fill(st->ren, st->r_text.x + x * cw, y, cw - last, ch, bg);
        vw_glyph_draw(&st->font, st->ren, cell->cp, st->r_text.x + x * cw, y,
                      cell_ink(bg, cell->flags));
    }
}

void vw_heat_draw(vw_state *st)
{
    vw_heat_layout(st);       /* from the anchor: scrolling may hide the selection */
    if (st->a.n == 0) {
        vw_text(&st->font, st->ren, st->r_text.x, st->r_text.y, "(empty trace: no tokens)", -1, VW_DIM);
        return;
    }
    for (int r = 0; r < st->rows; r++)
        draw_row(st, r);
    uint64_t hov = vw_heat_token_at(st, st->mx, st->my);
    if (hov != VW_NONE && hov != st->sel)
        outline_token(st, hov, VW_DIM, 1);
    outline_token(st, st->sel, VW_SELC, 3);
    outline_token(st, st->sel, (vw_rgb){ 20, 20, 24 }, 1);   /* dark inner ring: reads on any colour */
}

void vw_heat_legend(vw_state *st)
{
    SDL_Rect *L = &st->r_legend;
    int cw = st->font.cw;
    const char *title = st->compare ? "B vs A, bits per token:" : "bits per token:";
    int tx = L->x + vw_text(&st->font, st->ren, L->x, L->y, title, -1, VW_DIM) * cw + cw;
    int bw = L->w - (tx - L->x) - 8 * cw;
    if (bw < 40)
        return;
    int bh = st->font.ch / 2;
    for (int i = 0; i < bw; i++) {
        double t = (double)i / (bw - 1);
        vw_rgb c = st->compare ? vw_diverge(2 * t - 1) : vw_viridis(t);
        vw_fill(st->ren, tx + i, L->y + 2, 1, bh, c);
    }
    int ly = L->y + 2 + bh;
    for (int k = 0; k <= 4; k++) {
        int x = tx + (bw - 1) * k / 4;
        char lab[32];
        if (st->compare)
            snprintf(lab, sizeof lab, "%+.3g", st->diff_max * (k - 2) / 2.0);
        else
            snprintf(lab, sizeof lab, "%s%.3g", k == 4 ? ">=" : "", st->bits_max * k / 4.0);
        vw_line(st->ren, x, ly - 2, x, ly + 2, VW_FG);
        int lw = (int)vw_utf8_cells(lab) * cw;
        int lx = k == 0 ? x : k == 4 ? x - lw : x - lw / 2;
        vw_text(&st->font, st->ren, lx, ly + 2, lab, -1, VW_FG);
    }
    if (st->compare) {
        vw_text(&st->font, st->ren, tx + bw + cw, L->y, "B loses", -1, vw_diverge(0.8));
        vw_text(&st->font, st->ren, tx + bw + cw, L->y + st->font.ch, "B saves", -1, vw_diverge(-0.8));
    }
}

/* Lines of the hover tooltip for token k; returns the line count. */
static int tooltip_lines(const vw_state *st, uint64_t k, char lines[][128])
{
    smix_trace_token tk;
    char txt[96];
    if (smix_trace_get_token(st->a.t, k, &tk) != 0)
        return 0;
    vw_esc_str(tk.bytes, tk.length, VW_ESC_LABEL, 24, txt, sizeof txt);
    int n = 0;
    snprintf(lines[n++], 128, "#%llu  \"%s\"", (unsigned long long)k, txt);
    snprintf(lines[n++], 128, "bits %.3f   p_final %.4g", tk.bits, tk.p_final);
    if (tk.flags & SMIX_TI_SSM)
        snprintf(lines[n++], 128, "p_ssm %.4g  rank %u  H %.2f b", tk.p_ssm, tk.rank_ssm, tk.entropy);
    else if (st->a.sum.flags & SMIX_TRACE_SSM)
        snprintf(lines[n++], 128, "p_ssm n/a (new)  H %.2f b", tk.entropy);
    snprintf(lines[n++], 128, "offset %llu  len %u  id %u%s", (unsigned long long)tk.offset,
             tk.length, tk.token_id, tk.is_new ? "  NEW" : "");
    if (st->compare) {
        float b = vw_bits_b_on_a(st, k);
        snprintf(lines[n++], 128, "A %.3f  B %.3f  B-A %+.3f bits", tk.bits, b, b - tk.bits);
    }
    return n;
}

void vw_heat_tooltip(vw_state *st)
{
    char lines[6][128];
    uint64_t k = vw_heat_token_at(st, st->mx, st->my);
    if (k == VW_NONE)
        return;
    int n = tooltip_lines(st, k, lines);
    int w = 0;
    for (int i = 0; i < n; i++) {
        int c = (int)vw_utf8_cells(lines[i]);
        if (c > w) w = c;
    }
    int pw = (w + 2) * st->font.cw, ph = (n + 1) * st->font.ch;
    int x = st->mx + 14, y = st->my + 18;
    if (x + pw > st->W) x = st->mx - pw - 6;
    if (y + ph > st->H) y = st->my - ph - 6;
    if (x < 0) x = 0;
    if (y < 0) y = 0;
    vw_fill(st->ren, x, y, pw, ph, (vw_rgb){ 12, 13, 16 });
    vw_frame(st->ren, x, y, pw, ph, VW_ACCENT);
    for (int i = 0; i < n; i++)
        vw_text(&st->font, st->ren, x + st->font.cw, y + st->font.ch / 2 + i * st->font.ch,
                lines[i], -1, i == 0 ? VW_ACCENT : VW_FG);
}
