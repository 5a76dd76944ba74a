/*
 * view.h - shared state and module interfaces of smix-view, the SDL2 viewer.
 *
 * What the viewer shows is computed by traceview/ (tv_*.h), the view model
 * smix-tui uses too: token numbers, search, marks, jumps, the key table,
 * the explain sentence, number formats and the colour scale.
 *
 * The viewer follows the shape of SDL's own test programs: one state struct
 * (vw_state) owns everything, main() sets it up, and loop() handles events,
 * draws and presents one frame. The same drawing code renders into a window
 * or, for --screenshot, into an SDL_Surface through a software renderer, so a
 * PNG shows exactly what a person sees.
 *
 * Modules (file = prefix):
 *   load.c   vw_load_    traces, temp trace from a plain file, per-token bits
 *   pyr.c    vw_pyr_     min/max/sum pyramids for fast whole-file plots
 *   gfx.c    vw_gfx_     font + glyph cache, primitives, colour scales
 *   heat.c   vw_heat_    text heat map, legend, tooltip
 *   plot.c   vw_plot_    timeline of the whole file
 *   panel.c  vw_panel_   component panel and coder panel
 *   summary.c vw_summary_ the summary overlay (s)
 *   table.c  vw_table_   the token table overlay (t)
 *   input.c  vw_input_   keys, mouse, playback, search
 */
#ifndef SMIX_VIEW_H
#define SMIX_VIEW_H

#include <stddef.h>
#include <stdint.h>
#include <SDL.h>
#include <SDL_ttf.h>
#include "smix.h"
#include "smix_trace.h"
#include "tv_doc.h"
#include "tv_keys.h"
#include "tv_nav.h"
#include "tv_scale.h"
#include "tv_text.h"
#include "tv_summary.h"
#include "tv_table.h"
#include "tv_colour.h"
#include "tv_learn.h"
#include "tv_why.h"

#define VW_NONE UINT64_MAX

/* A pixel or an index from a number that came from a trace: NaN gives lo,
 * and nothing outside [lo, hi] reaches the int conversion (converting an
 * out-of-range float to int is undefined behaviour). Every such conversion
 * in the viewer goes through here. */
static inline int vw_clampi(double v, int lo, int hi)
{
    if (!(v >= lo))
        return lo;
    if (v >= hi)
        return hi;
    return (int)v;
}

/* ---------------- pyramids (pyr.c) ---------------- */

/* Aggregate of a run of per-token values. */
typedef struct vw_agg {
    float mn, mx;
    double sum;
    uint64_t n;
} vw_agg;

#define VW_PYR_BASE 16   /* tokens per block of level 0 */
#define VW_PYR_FAN 8     /* blocks of level k per block of level k+1 */
#define VW_PYR_MAXLEV 12

/* Source of raw per-token values: used for ranges finer than one block. */
typedef float (*vw_raw_fn)(const void *ctx, uint64_t i);

/* Min/max/sum pyramid over n values. lev[k] holds blocks of
 * VW_PYR_BASE * VW_PYR_FAN^k tokens; memory is about n/14 aggregates, so a
 * 10M-token trace costs ~20 MB and any range is answered from at most
 * ~2*FAN blocks per level. */
typedef struct vw_pyr {
    uint64_t n;
    int nlev;
    uint64_t cnt[VW_PYR_MAXLEV];
    vw_agg *lev[VW_PYR_MAXLEV];
    vw_raw_fn raw;
    const void *raw_ctx;
} vw_pyr;

/* Allocates levels for n values. Returns 0, or -1 on allocation failure. */
int vw_pyr_init(vw_pyr *p, uint64_t n, vw_raw_fn raw, const void *raw_ctx);
/* Feeds value i (called for i = 0..n-1 in order), then vw_pyr_finish. */
void vw_pyr_push(vw_pyr *p, uint64_t i, float v);
void vw_pyr_finish(vw_pyr *p);
void vw_pyr_free(vw_pyr *p);
/* Aggregate over tokens [a, b). */
vw_agg vw_pyr_query(const vw_pyr *p, uint64_t a, uint64_t b);

/* ---------------- text cells ---------------- */

/* Cell flags of the heat map. Text comes from traceview's glyphs
 * (tv_text.h): escapes and marks are drawn in their own colours. */
enum {
    VW_CELL_ESC = 1,     /* part of a visible escape such as \x1b */
    VW_CELL_NL = 2,      /* a line end: the line breaks after it */
    VW_CELL_MARK = 4,    /* a stand-in glyph (return or tab arrow) */
    VW_CELL_WIDE = 8     /* the right half of a wide glyph (drawn by its left half) */
};

/* ---------------- graphics (gfx.c) ---------------- */

#define VW_GLYPH_SLOTS 2048

typedef struct vw_glyph {
    uint32_t cp;          /* 0 = empty slot; a cluster's hash with bit 31 set */
    char s[TV_GLYPH_MAX]; /* a cluster's text (several code points), else "" */
    SDL_Texture *tex;
    int w, h;
} vw_glyph;

/* The text a frame shows, cell by cell (--dump-screen): every glyph drawn
 * is also written here, at the cell nearest its position. */
typedef struct vw_capture {
    int cols, rows;
    char (*cell)[TV_GLYPH_MAX];   /* "" = blank; "\x01" = the right half of a wide glyph */
} vw_capture;

#define VW_FALLBACKS 4

typedef struct vw_font {
    TTF_Font *ttf;
    TTF_Font *fb[VW_FALLBACKS];   /* fallback fonts for glyphs ttf lacks (opened on first need) */
    int fb_tried;
    int px;               /* pixel size asked for */
    int cw, ch, asc;      /* cell width/height, ascent */
    int used;
    vw_capture *cap;      /* --dump-screen: record the text drawn, or NULL */
    vw_glyph slot[VW_GLYPH_SLOTS];
} vw_font;

typedef struct vw_rgb { uint8_t r, g, b; } vw_rgb;

/* Opens path at px pixels for renderer ren. Returns 0 or -1 (message in
 * err). */
int vw_font_open(vw_font *f, SDL_Renderer *ren, const char *path, int px,
                 char *err, size_t errlen);
void vw_font_close(vw_font *f);    /* accepts a zeroed font */

void vw_fill(SDL_Renderer *r, int x, int y, int w, int h, vw_rgb c);
void vw_frame(SDL_Renderer *r, int x, int y, int w, int h, vw_rgb c);
void vw_line(SDL_Renderer *r, int x0, int y0, int x1, int y1, vw_rgb c);
/* One code point in the cell at (x, y); wider glyphs are squeezed. */
void vw_glyph_draw(vw_font *f, SDL_Renderer *r, uint32_t cp, int x, int y, vw_rgb c);
/* A glyph of traceview (tv_text.h: a character with its combining marks,
 * shaped by SDL_ttf) in `cells` cells (1, or 2 for a wide character). */
void vw_cluster_draw(vw_font *f, SDL_Renderer *r, const char *s, int cells, int x, int y, vw_rgb c);
/* The capture of --dump-screen: allocate for a W x H frame, write as UTF-8
 * text lines (trailing blanks dropped), free. */
int vw_capture_init(vw_capture *cap, int W, int H, const vw_font *f);
int vw_capture_write(const vw_capture *cap, FILE *out);
/* Blanks the capture under a pixel rectangle (an overlay hides what is
 * under it). */
void vw_capture_erase(vw_font *f, int x, int y, int w, int h);
void vw_capture_free(vw_capture *cap);
/* UTF-8 text (our own strings: invalid bytes show as '?'); returns the
 * number of cells drawn. Stops after max_cells (<0: no limit). */
int vw_text(vw_font *f, SDL_Renderer *r, int x, int y, const char *s,
            int max_cells, vw_rgb c);
/* printf-style vw_text. */
int vw_textf(vw_font *f, SDL_Renderer *r, int x, int y, vw_rgb c,
             const char *fmt, ...) __attribute__((format(printf, 6, 7)));
size_t vw_utf8_cells(const char *s);

/* Colour scales. t in [0,1]: viridis (perceptually uniform, readable with
 * all common colour-vision deficiencies). d in [-1,1]: blue (-) to red (+)
 * through light grey, also colour-blind safe. */
vw_rgb vw_viridis(double t);
/* The colour of a token costing bits: traceview's fixed scale (tv_scale.h),
 * the one smix-tui's levels sample. */
vw_rgb vw_bits_rgb(double bits);
vw_rgb vw_diverge(double d);
/* Black or white, whichever reads better on bg. */
vw_rgb vw_ink_on(vw_rgb bg);

/* ---------------- state ---------------- */

/* Traces up to this many tokens are fully verified before the window opens. */
#define VW_SYNC_VERIFY_MAX 2000000u

typedef struct vw_trace {
    tv_doc *d;                  /* the shared view model of the trace (owns it) */
    const smix_trace *t;        /* tv_doc_trace(d) */
    const char *name;
    smix_trace_summary sum;
    uint64_t n;
} vw_trace;

typedef struct vw_cellinfo {
    uint64_t tok;         /* VW_NONE: empty; the token that owns the glyph */
    uint64_t last;        /* the glyph's last token (> tok when it spans tokens) */
    uint8_t flags;        /* VW_CELL_* */
    uint8_t cells;        /* columns the glyph takes (1, 2) */
    char s[TV_GLYPH_MAX]; /* the glyph's text */
} vw_cellinfo;

typedef struct vw_state {
    /* data */
    vw_trace a, b;        /* b.t == NULL unless comparing */
    int compare;
    vw_pyr pa;            /* bits of A per token */
    vw_pyr pd;            /* compare: bits of B on A's token spans minus A */
    float *bits_a;        /* [n] bits of A per token (NULL: read the trace) */
    float *bits_d;        /* [n] compare: B-on-A minus A per token, or NULL */
    float bits_max;       /* top of the heat-map colour scale */
    float diff_max;       /* compare: +- end of the difference scale */
    float costly;         /* w/W: bits of the costliest 1% */
    float diff_top;       /* compare, w/W: |B-A| of the top 1% (B's largest gains and losses) */
    double cumd_max;      /* compare: the largest |running sum of B-A| (the timeline's right axis) */

    /* rendering */
    SDL_Window *win;
    SDL_Renderer *ren;
    SDL_Surface *shot;    /* --screenshot target (software renderer) */
    vw_font font;
    const char *font_path;
    int font_pt;          /* base size in points (before HiDPI scale) */
    float dpi;            /* drawable pixels per window point */
    int W, H;             /* output size in pixels */
    SDL_Rect r_head, r_text, r_legend, r_time, r_comp, r_coder, r_explain, r_status;

    /* heat map page */
    vw_cellinfo *grid;
    int rows, cols, grid_cap;
    uint64_t anchor;      /* first token on the page */
    uint64_t page_last;   /* last token (partly) on the page */
    int page_ok;

    /* selection and navigation: the cursor, mark, search and message are
     * traceview's tv_nav, as in smix-tui */
    tv_nav nav;
    char prompt[256];     /* text being typed after / or : */
    char prompt_kind;     /* 0, '/', ':' */

    /* timeline view: tokens [t0, t0 + tspan) */
    double t0, tspan;
    int dragging, drag_moved, drag_x0;
    double drag_t0;

    /* mouse in output pixels; -1 when outside */
    int mx, my;

    /* playback */
    int playing, speed_idx;
    double play_acc;
    uint64_t last_ms;

    int help, quit, level;
    int sync_verify;      /* verify whole traces before use (screenshots) */
    const char *keys;     /* --keys: commands run before the first frame */
    int want_png;         /* P pressed: save the next frame */
    int last_verify;      /* verification states when last drawn */
    int explain;          /* the explain line is shown (e) */
    int summary;          /* the summary is shown (s) */
    int scroll;           /* summary/help scroll offset, rows */
    tv_table *table;      /* the token table (t), built on first use */
    int table_on;         /* the table is shown */
    tv_colour col;        /* what the text's colours mean (c) */
    tv_learn learn;       /* A's SSM training chunks (the timeline's loss curve) */
    const struct vw_theme *th;   /* colours of the frame (vw_theme_get) */
    tv_srow *range;       /* the range view's rows (v), while it is shown */
    size_t n_range;
} vw_state;

/* ---------------- load.c ---------------- */
/* Opens path as a trace, or (if it is not one) compresses it into a temp
 * trace first. Returns 0, or -1 with a message in err. */
int vw_load_open(vw_state *st, vw_trace *tr, const char *path, char *err, size_t errlen);
/* Builds pyramids, scales and (compare) the difference series. */
int vw_load_prepare(vw_state *st, char *err, size_t errlen);
void vw_load_free(vw_state *st);
/* Frees what vw_load_prepare made (before preparing again: A and B swapped). */
void vw_load_free_series(vw_state *st);
/* Bits of token i of A; bits that B spent on the bytes of A's token i. */
float vw_bits_a(const vw_state *st, uint64_t i);
float vw_bits_b_on_a(const vw_state *st, uint64_t i);
/* Bytes from the start of the input to the end of token i. */
uint64_t vw_bytes_upto(const vw_state *st, uint64_t i);

/* ---------------- heat.c ---------------- */
void vw_heat_layout(vw_state *st);           /* fills the page grid */
void vw_heat_draw(vw_state *st);
void vw_heat_legend(vw_state *st);
void vw_heat_tooltip(vw_state *st);
void vw_heat_ensure_visible(vw_state *st);   /* re-anchors if sel left the page */
uint64_t vw_heat_back_rows(const vw_state *st, uint64_t tok, int rows);
uint64_t vw_heat_token_at(const vw_state *st, int x, int y);
/* Token in the row dr rows from the selection's row, same column. */
uint64_t vw_heat_vertical(vw_state *st, int dr);

/* ---------------- plot.c ---------------- */
void vw_plot_draw(vw_state *st);
double vw_plot_token_at_x(const vw_state *st, int x);
void vw_plot_follow(vw_state *st);           /* keeps sel inside the view */
void vw_plot_zoom(vw_state *st, int x, double factor);

/* ---------------- panel.c ---------------- */
void vw_panel_components(vw_state *st);
void vw_panel_coder(vw_state *st);
/* Draws s from (x, y) on, wrapped at spaces to wpx pixels over at most rows
 * rows (continuation rows indented); returns the y below it. */
int vw_wrap(vw_state *st, const char *s, int x, int y, int wpx, int rows, vw_rgb c);

/* ---------------- summary.c ---------------- */
/* The summary overlay (s): traceview's summary rows, as smix-tui shows. */
void vw_summary_draw(vw_state *st);

/* ---------------- table.c ---------------- */
/* The token table overlay (t): traceview's rows, as smix-tui shows them. */
void vw_table_draw(vw_state *st);
/* Rows of tokens it shows (what a page key moves). */
int vw_table_page(const vw_state *st);
/* The row of tokens (0 = the first shown) at pixel row y, or -1. */
int vw_table_row_at(const vw_state *st, int y);

/* ---------------- input.c ---------------- */
void vw_input_event(vw_state *st, const SDL_Event *ev);
void vw_input_tick(vw_state *st);            /* playback */
/* Runs a key script (traceview's syntax, tv_keys.h) as if typed. Returns
 * 0, or -1 with a message in err for a script that does not parse. */
int vw_input_keys(vw_state *st, const char *keys, char *err, size_t errlen);
void vw_select(vw_state *st, uint64_t tok);
double vw_speed(const vw_state *st);         /* tokens per second */

/* ---------------- main.c ---------------- */
void vw_layout(vw_state *st);                /* panel rectangles from W, H */
void vw_draw(vw_state *st);                  /* one whole frame */
/* The font at st->font_pt again (F, f), and the layout for it. Returns 0,
 * or -1 if the font cannot be opened (then the old size is kept). */
int vw_refont(vw_state *st);
/* Writes what the renderer holds now as a PNG (SDL2_image's IMG_SavePNG;
 * call after drawing, before present). Returns 0, or -1 with a message in
 * nav.msg (and no file left). */
int vw_save_png(vw_state *st, const char *path);

/* Theme: every colour of the frame but the data scales (viridis, the
 * diverging scale, the level colours), picked at run time (T, --theme,
 * --projector): dark, or light high-contrast for projectors. */
typedef struct vw_theme {
    const char *name;
    vw_rgb bg, panel, grid, fg, dim, accent, selc, ssmc, mixc, posc, negc;
    vw_rgb well;      /* overlays (help, summary, table, tooltip) */
    vw_rgb plotbg;    /* the timeline's plot area */
    vw_rgb hilite;    /* the highlighted row of a top-8 list */
    vw_rgb bar, bar2, bar3;   /* coder panel: the interval, alternate slices */
} vw_theme;

/* VW_THEME_DARK or VW_THEME_LIGHT. */
const vw_theme *vw_theme_get(int light);

/* The theme's colours, for code that has the state in `st`. */
#define VW_BG      (st->th->bg)
#define VW_PANEL   (st->th->panel)
#define VW_GRID    (st->th->grid)
#define VW_FG      (st->th->fg)
#define VW_DIM     (st->th->dim)
#define VW_ACCENT  (st->th->accent)
#define VW_SELC    (st->th->selc)
#define VW_SSMC    (st->th->ssmc)
#define VW_MIXC    (st->th->mixc)
#define VW_POSC    (st->th->posc)
#define VW_NEGC    (st->th->negc)
#define VW_WELL    (st->th->well)

#endif /* SMIX_VIEW_H */
