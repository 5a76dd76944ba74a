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

typedef struct tcell {
    char s[TV_GLYPH_MAX];
    uint8_t flags, cells;
    uint64_t last;
} tcell;

static void tcell_put(tcell *out, size_t *n, const char *s, uint8_t flags, uint8_t cells, uint64_t last)
{
    if (*n >= CELLS_MAX)
        return;
    snprintf(out[*n].s, sizeof out[*n].s, "%s", s);
    out[*n].flags = flags;
    out[*n].cells = cells;
    out[*n].last = last;
    (*n)++;
}

/* The cells of token k: its glyphs (traceview: UTF-8 joined across tokens,
 * marks with their base, CR LF as one line end), an escape one cell per
 * character, a wide character in two cells. Returns the count. */
static size_t token_cells(const vw_state *st, uint64_t k, tcell *out)
{
    tv_doc *d = st->a.d;
    size_t n = 0;
    tv_pos p = { k, tv_text_start(tv_doc_bytes, d, k, 1) }, nx;
    uint64_t last;
    tv_glyph g;
    while (p.tok == k && n < CELLS_MAX && tv_text_at(tv_doc_bytes, d, p, 1, &g, &nx, &last) == 0) {
        if (g.kind == TV_G_NEWLINE)
            tcell_put(out, &n, "\xE2\x86\xB5", VW_CELL_NL | VW_CELL_MARK, 1, last);   /* return arrow */
        else if (g.kind == TV_G_TAB)
            tcell_put(out, &n, g.text, VW_CELL_MARK, 1, last);
        else if (g.kind == TV_G_ESC)
            for (const char *c = g.text; *c; c++)
                tcell_put(out, &n, (char[2]){ *c, 0 }, VW_CELL_ESC, 1, last);
        else {
            tcell_put(out, &n, g.text, 0, (uint8_t)(g.width > 1 ? 2 : 1), last);
            if (g.width > 1)
                tcell_put(out, &n, "", VW_CELL_WIDE, 0, last);
        }
        p = nx;
    }
    if (n >= CELLS_MAX) {
        snprintf(out[CELLS_MAX - 1].s, TV_GLYPH_MAX, "\xE2\x80\xA6");
        out[CELLS_MAX - 1].flags = VW_CELL_ESC;
        out[CELLS_MAX - 1].cells = 1;
    }
    return n;
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
        st->grid[i] = (vw_cellinfo){ .tok = VW_NONE, .last = VW_NONE };
    return 0;
}

void vw_heat_layout(vw_state *st)
{
    static tcell cl[CELLS_MAX];   /* one page at a time: not reentrant, like the rest of the UI */
    int r = 0, c = 0;
    uint64_t k = st->anchor;
    st->page_last = VW_NONE;
    st->page_ok = 0;
    if (grid_alloc(st) != 0)
        return;
    for (; r < st->rows && k < st->a.n; k++) {
        size_t nc = token_cells(st, k, cl);
        if (c > 0 && c + (int)nc > st->cols && (int)nc <= st->cols)
            r++, c = 0;                   /* wrap before a token that fits a line */
        size_t i = 0;
        for (; i < nc && r < st->rows; i++) {
            if (cl[i].cells == 2 && c + 1 >= st->cols)
                r++, c = 0;               /* a wide glyph does not straddle lines */
            if (r >= st->rows)
                break;
            vw_cellinfo *cell = &st->grid[r * st->cols + c];
            *cell = (vw_cellinfo){ .tok = k, .last = cl[i].last, .flags = cl[i].flags, .cells = cl[i].cells };
            memcpy(cell->s, cl[i].s, sizeof cell->s);
            if (++c >= st->cols || (cl[i].flags & VW_CELL_NL))
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
    static tcell cl[CELLS_MAX];
    int cols = st->cols > 0 ? st->cols : 80;
    long rows = 0, cur = 0;
    if (want <= 0)
        return tok;
    for (uint64_t k = tok; k > 0; k--) {
        size_t nc = token_cells(st, k - 1, cl);
        int nl = 0;
        for (size_t i = 0; i < nc; i++)
            nl += (cl[i].flags & VW_CELL_NL) != 0;
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
    int shown = st->nav.cur >= st->anchor && st->page_last != VW_NONE && st->nav.cur <= st->page_last;
    if (shown)
        return;
    st->anchor = vw_heat_back_rows(st, st->nav.cur, st->rows / 3);
    vw_heat_layout(st);
    if (st->page_last == VW_NONE || st->nav.cur > st->page_last) {
        st->anchor = st->nav.cur;           /* a huge token: start the page with it */
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
        if (st->grid[i].tok != VW_NONE && st->grid[i].tok <= st->nav.cur && st->nav.cur <= st->grid[i].last) {
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
        return st->nav.cur;
    int t = r0 + dr;
    if (t < 0) {
        st->anchor = vw_heat_back_rows(st, st->anchor, -t);
        vw_heat_layout(st);
        if (find_sel(st, &r0, &c0) != 0)
            return st->nav.cur;
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
    return k == VW_NONE ? (dr > 0 && st->page_last != VW_NONE ? st->page_last : st->nav.cur) : k;
}

static vw_rgb token_colour(const vw_state *st, uint64_t k)
{
    if (st->compare) {
        float d = vw_bits_b_on_a(st, k) - vw_bits_a(st, k);
        return vw_diverge(d / st->diff_max);
    }
    if (st->col.mode == TV_COL_BITS)
        return vw_bits_rgb(vw_bits_a(st, k));
    int l = tv_colour_level(&st->col, st->a.d, k);   /* the TUI's level colours: the same in both */
    if (l < 0)
        return VW_PANEL;
    tv_rgb c = tv_scale_level_rgb(l);
    return (vw_rgb){ c.r, c.g, c.b };
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

/* Outlines the cells of token k (selection or hover): the glyphs it owns
 * and a glyph it shares with earlier tokens (a character cut in pieces). */
static void outline_token(vw_state *st, uint64_t k, vw_rgb c, int thick)
{
    int cw = st->font.cw, ch = st->font.ch;
    for (int r = 0; r < st->rows; r++) {
        int c0 = -1, c1 = -1;
        for (int x = 0; x < st->cols; x++)
            if (st->grid[r * st->cols + x].tok <= k && k <= st->grid[r * st->cols + x].last &&
                st->grid[r * st->cols + x].tok != VW_NONE) {
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

static int in_range(const vw_state *st, uint64_t k)
{
    uint64_t a = st->nav.mark, b = st->nav.cur;
    if (!st->nav.has_mark)
        return 0;
    return a < b ? a <= k && k <= b : b <= k && k <= a;
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
        if (in_range(st, cur))   /* the range from the mark to the cursor (v reports it) */
            vw_fill(st->ren, st->r_text.x + x * cw, y + ch - 2, cw, 2, VW_ACCENT);
        if (!(cell->flags & VW_CELL_WIDE))
            vw_cluster_draw(&st->font, st->ren, cell->s, cell->cells ? cell->cells : 1, st->r_text.x + x * cw, y,
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
    if (hov != VW_NONE && hov != st->nav.cur)
        outline_token(st, hov, VW_DIM, 1);
    outline_token(st, st->nav.cur, VW_SELC, 3);
    outline_token(st, st->nav.cur, st->th == vw_theme_get(1) ? (vw_rgb){ 255, 255, 255 } : (vw_rgb){ 20, 20, 24 }, 1);   /* dark inner ring: reads on any colour */
}

/* The legend of a colouring other than bits: a swatch and a label per
 * level, after the colouring's name and the cursor token's label. */
static void legend_classes(vw_state *st)
{
    SDL_Rect *L = &st->r_legend;
    int cw = st->font.cw, ch = st->font.ch;
    char here[48], title[96], lab[48];
    int full = 0;
    for (int k = 0; tv_colour_legend(&st->col, st->a.d, k, lab, sizeof lab) >= 0; k++)
        full += ((int)vw_utf8_cells(lab) + 3) * cw;
    int narrow = full > L->w;   /* short labels, narrow swatches, after the title too: none dropped */
    tv_colour_here(&st->col, st->a.d, st->nav.cur, here, sizeof here);
    if (narrow)
        snprintf(title, sizeof title, "%s: %s", tv_colour_short_name(st->col.mode), here);
    else
        snprintf(title, sizeof title, "%s, here: %s", tv_colour_name(st->col.mode), here);
    int tw = vw_text(&st->font, st->ren, L->x, L->y, title, -1, VW_DIM);
    int x = narrow ? L->x + (tw + 2) * cw : L->x, y = narrow ? L->y : L->y + ch, sw = narrow ? cw : 2 * cw;
    for (int k = 0, l; (l = narrow ? tv_colour_legend_short(&st->col, st->a.d, k, lab, sizeof lab)
                                   : tv_colour_legend(&st->col, st->a.d, k, lab, sizeof lab)) >= 0; k++) {
        int w = (int)vw_utf8_cells(lab) * cw + sw + (narrow ? cw / 2 : cw);
        if (x + w > L->x + L->w && y == L->y) {   /* the title's row is full: on to the next */
            x = L->x;
            y += ch;
        }
        if (x + w > L->x + L->w)
            break;
        tv_rgb c = tv_scale_level_rgb(l);
        vw_fill(st->ren, x, y + 2, sw - 2, ch - 4, (vw_rgb){ c.r, c.g, c.b });
        vw_text(&st->font, st->ren, x + sw, y, lab, -1, VW_FG);
        x += w;
    }
}

void vw_heat_legend(vw_state *st)
{
    SDL_Rect *L = &st->r_legend;
    int cw = st->font.cw;
    if (!st->compare && st->col.mode != TV_COL_BITS) {
        legend_classes(st);
        return;
    }
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
    int ly = L->y + 2 + bh, nt = st->compare ? 4 : TV_LEVELS, lastx = -1000;
    for (int k = 0; k <= nt; k++) {
        int x = tx + (bw - 1) * k / nt;
        char lab[32];
        if (st->compare)
            snprintf(lab, sizeof lab, "%+.3g", st->diff_max * (k - 2) / 2.0);
        else   /* the scale's anchors, the same as smix-tui's levels */
            snprintf(lab, sizeof lab, "%g%s", tv_scale_anchor(k), k == nt ? "+" : "");
        vw_line(st->ren, x, ly - 2, x, ly + 2, VW_FG);
        int lw = (int)vw_utf8_cells(lab) * cw;
        int lx = k == 0 ? x : k == nt ? x - lw : x - lw / 2;
        if (lx < lastx + cw)
            continue;   /* no room: the tick stays, the label goes */
        vw_text(&st->font, st->ren, lx, ly + 2, lab, -1, VW_FG);
        lastx = lx + lw;
    }
    if (st->compare) {
        vw_text(&st->font, st->ren, tx + bw + cw, L->y, "B loses", -1, vw_diverge(0.8));
        vw_text(&st->font, st->ren, tx + bw + cw, L->y + st->font.ch, "B saves", -1, vw_diverge(-0.8));
    }
}

/* Lines of the hover tooltip for token k (traceview's lines, as in the
 * panel and in smix-tui); returns the line count. */
static int tooltip_lines(const vw_state *st, uint64_t k, char lines[][160])
{
    tv_why w;
    static const int which[] = { TV_WHY_TITLE, TV_WHY_COST, TV_WHY_FINAL, TV_WHY_SSM };
    int n = 0;
    if (tv_why_token(st->a.d, k, 1, &w) != 0)
        return 0;
    for (size_t i = 0; i < sizeof which / sizeof which[0]; i++)
        tv_why_line(&w, st->a.d, which[i], lines[n++], 160);
    if (st->compare) {
        float b = vw_bits_b_on_a(st, k);
        snprintf(lines[n++], 160, "A %.2f  B %.2f  B-A %+.2f bits", w.bits, b, b - w.bits);
    }
    return n;
}

void vw_heat_tooltip(vw_state *st)
{
    char lines[6][160];
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
    vw_fill(st->ren, x, y, pw, ph, VW_WELL);
    vw_frame(st->ren, x, y, pw, ph, VW_ACCENT);
    for (int i = 0; i < n; i++)
        vw_text(&st->font, st->ren, x + st->font.cw, y + st->font.ch / 2 + i * st->font.ch,
                lines[i], -1, i == 0 ? VW_ACCENT : VW_FG);
}
