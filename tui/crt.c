/*
 * crt.c - terminal setup, colour modes and safe drawing (see crt.h).
 *
 * The bits scale is traceview's (tv_scale.h, the one smix-view draws too):
 * eight levels of the viridis colour map, dark purple for cheap tokens
 * through teal to yellow for costly ones, so lightness grows with cost in
 * every mode that can show it and stays readable for colour-blind users. Odd tokens get a slightly lighter shade of the same
 * level, which is what makes token boundaries visible without spending a
 * column on them. In 256 colours each RGB value is snapped to the nearest
 * palette entry; in 8 colours the ramp degrades to default, blue, magenta,
 * red, yellow, white; without colour it becomes plain, underline, bold,
 * bold+underline.
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700
#endif
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#include "crt.h"
#include "tv_scale.h"

#include <langinfo.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <unistd.h>
#include <wchar.h>

struct crt {
    SCREEN *scr;
    FILE *out, *in;
    int headless;
    int utf8;
    crt_mode mode;
    attr_t attr[CRT_NCOLORS];
    short pair[CRT_NCOLORS];
    attr_t lattr[2][CRT_LEVELS];
    short lpair[2][CRT_LEVELS];
};

_Static_assert(CRT_LEVELS == TV_LEVELS, "colour levels and bits levels must agree");

static unsigned crt__level_rgb(int l)
{
    tv_rgb c = tv_scale_level_rgb(l);
    return (unsigned)c.r << 16 | (unsigned)c.g << 8 | c.b;
}

const char *crt_mode_name(crt_mode m)
{
    static const char *const names[] = { "mono", "8 colours", "256 colours", "truecolor" };
    return m <= CRT_TRUE ? names[m] : "?";
}

crt_mode crt_get_mode(const crt *c) { return c->mode; }
int crt_utf8(const crt *c) { return c->utf8; }
int crt_headless(const crt *c) { return c->headless; }

/* ---- colour arithmetic ---- */

static unsigned crt__mix(unsigned rgb, unsigned to, int pct)
{
    unsigned out = 0;
    for (int sh = 0; sh <= 16; sh += 8) {
        int a = (int)((rgb >> sh) & 255), b = (int)((to >> sh) & 255);
        out |= (unsigned)(a + (b - a) * pct / 100) << sh;
    }
    return out;
}

static int crt__dist(unsigned a, unsigned b)
{
    int d = 0;
    for (int sh = 0; sh <= 16; sh += 8) {
        int x = (int)((a >> sh) & 255) - (int)((b >> sh) & 255);
        d += x * x;
    }
    return d;
}

/* Nearest xterm-256 palette entry (6x6x6 cube or grey ramp). */
static int crt__to256(unsigned rgb)
{
    static const int lv[6] = { 0, 95, 135, 175, 215, 255 };
    int best = 16, bd = 1 << 30;
    for (int i = 0; i < 216; i++) {
        unsigned c = (unsigned)lv[i / 36] << 16 | (unsigned)lv[i / 6 % 6] << 8 | (unsigned)lv[i % 6];
        int d = crt__dist(rgb, c);
        if (d < bd) { bd = d; best = 16 + i; }
    }
    for (int i = 0; i < 24; i++) {
        unsigned g = (unsigned)(8 + 10 * i);
        int d = crt__dist(rgb, g << 16 | g << 8 | g);
        if (d < bd) { bd = d; best = 232 + i; }
    }
    return best;
}

static int crt__color(const crt *c, unsigned rgb)
{
    return c->mode == CRT_TRUE ? (int)rgb : crt__to256(rgb);
}

/* ---- setup ---- */

static short crt__pair(short *next, int fg, int bg)
{
    short p = (*next)++;
    init_extended_pair(p, fg, bg);
    return p;
}

static void crt__semantic_mono(crt *c)
{
    static const attr_t a[CRT_NCOLORS] = {
        [CRT_STATUS] = A_REVERSE, [CRT_STATUS_KEY] = A_REVERSE | A_BOLD,
        [CRT_TITLE] = A_BOLD, [CRT_DIM] = A_DIM, [CRT_BAR_POS] = A_BOLD,
        [CRT_BAR_NEG] = A_DIM, [CRT_ACTUAL] = A_BOLD | A_UNDERLINE,
        [CRT_ERROR] = A_BOLD | A_REVERSE, [CRT_HELP_KEY] = A_BOLD,
    };
    static const attr_t lv[CRT_LEVELS] = {
        0, 0, A_UNDERLINE, A_UNDERLINE, A_BOLD, A_BOLD, A_BOLD | A_UNDERLINE,
        A_BOLD | A_UNDERLINE,
    };
    memcpy(c->attr, a, sizeof a);
    for (int l = 0; l < CRT_LEVELS; l++) {
        c->lattr[0][l] = lv[l];
        c->lattr[1][l] = lv[l] | A_DIM;
    }
}

static void crt__semantic_color(crt *c, short *np)
{
    int grey = c->mode == CRT_8 ? COLOR_BLUE : crt__color(c, 0x808080);
    struct { crt_color k; int fg, bg; attr_t a; } t[] = {
        { CRT_STATUS, COLOR_BLACK, COLOR_CYAN, 0 },
        { CRT_STATUS_KEY, COLOR_BLACK, COLOR_CYAN, A_BOLD },
        { CRT_TITLE, COLOR_YELLOW, -1, A_BOLD },
        { CRT_LABEL, COLOR_CYAN, -1, 0 },
        { CRT_DIM, grey, -1, c->mode == CRT_8 ? A_BOLD : 0 },
        { CRT_BAR_POS, COLOR_GREEN, -1, A_BOLD },
        { CRT_BAR_NEG, COLOR_RED, -1, A_BOLD },
        { CRT_ACTUAL, COLOR_YELLOW, -1, A_BOLD },
        { CRT_ERROR, COLOR_WHITE, COLOR_RED, A_BOLD },
        { CRT_HELP_KEY, COLOR_YELLOW, -1, A_BOLD },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        c->pair[t[i].k] = crt__pair(np, t[i].fg, t[i].bg);
        c->attr[t[i].k] = t[i].a;
    }
}

static void crt__levels_8(crt *c, short *np)
{
    static const int bg[CRT_LEVELS] = { -1, COLOR_BLUE, COLOR_BLUE, COLOR_MAGENTA,
                                        COLOR_MAGENTA, COLOR_RED, COLOR_YELLOW, COLOR_WHITE };
    for (int l = 0; l < CRT_LEVELS; l++) {
        int fg = l >= 6 ? COLOR_BLACK : (l == 0 ? -1 : COLOR_WHITE);
        c->lpair[0][l] = c->lpair[1][l] = crt__pair(np, fg, bg[l]);
        c->lattr[0][l] = 0;
        c->lattr[1][l] = A_BOLD;
    }
}

static void crt__levels_rgb(crt *c, short *np)
{
    for (int l = 0; l < CRT_LEVELS; l++) {
        unsigned base = crt__level_rgb(l);
        int dark = tv_scale_dark_ink(tv_scale_level_rgb(l));
        int fg = dark ? crt__color(c, 0x000000) : crt__color(c, 0xffffff);
        int even = crt__color(c, base), odd = even;
        for (int pct = 14; pct <= 50 && odd == even; pct += 8)
            odd = crt__color(c, crt__mix(base, dark ? 0x000000 : 0xffffff, pct));
        c->lpair[0][l] = crt__pair(np, fg, even);
        c->lpair[1][l] = crt__pair(np, fg, odd);
    }
}

static crt_mode crt__detect(int force)
{
    const char *nc = getenv("NO_COLOR");
    crt_mode cap;
    /* decide before start_color(): that alone would paint white on black */
    if (force == CRT_MONO || (force < 0 && nc && *nc)) return CRT_MONO;
    if (!has_colors() || start_color() != OK) return CRT_MONO;
    if (COLORS >= 0x1000000 || tigetflag("RGB") > 0) cap = CRT_TRUE;
    else if (COLORS >= 256) cap = CRT_256;
    else if (COLORS >= 8) cap = CRT_8;
    else return CRT_MONO;
    return force >= 0 && (crt_mode)force < cap ? (crt_mode)force : cap;
}

static void crt__colors(crt *c, int force)
{
    short next = 1;
    c->mode = crt__detect(force);
    if (c->mode == CRT_MONO) {
        crt__semantic_mono(c);
        return;
    }
    use_default_colors();
    crt__semantic_color(c, &next);
    if (c->mode == CRT_8) crt__levels_8(c, &next);
    else crt__levels_rgb(c, &next);
}

/* COLORTERM=truecolor with an xterm-like TERM whose terminfo has no direct
 * colour: use the xterm-direct entry (Debian: ncurses-term) if installed,
 * so 24-bit colours work without changing TERM. NULL if not applicable. */
static SCREEN *crt__truecolor_term(crt *c)
{
    const char *ct = getenv("COLORTERM"), *term = getenv("TERM");
    (void)c;
    if (!ct || (strcmp(ct, "truecolor") != 0 && strcmp(ct, "24bit") != 0)) return NULL;
    if (!term || strncmp(term, "xterm", 5) != 0 || strstr(term, "direct")) return NULL;
    int err = 0;
    if (setupterm("xterm-direct", STDOUT_FILENO, &err) != OK) return NULL;
    del_curterm(cur_term);
    return newterm("xterm-direct", stdout, stdin);
}

static int crt__newterm(crt *c, const crt_opts *o, char *err, size_t errlen)
{
    const char *term = getenv("TERM");
    if (o->headless) {
        c->out = fopen("/dev/null", "w");
        c->in = fopen("/dev/null", "r");
        if (!c->out || !c->in) { snprintf(err, errlen, "cannot open /dev/null"); return -1; }
        c->scr = newterm(term && *term ? term : "xterm", c->out, c->in);
        if (!c->scr) c->scr = newterm("xterm", c->out, c->in);
    } else {
        if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
            snprintf(err, errlen, "standard input and output must be a terminal "
                     "(use --dump-screen for a text snapshot)");
            return -1;
        }
        c->scr = crt__truecolor_term(c);
        if (!c->scr) c->scr = newterm(NULL, stdout, stdin);
    }
    if (!c->scr) {
        snprintf(err, errlen, "cannot use terminal type '%s'", term ? term : "(unset)");
        return -1;
    }
    return 0;
}

crt *crt_open(const crt_opts *o, char *err, size_t errlen)
{
    crt *c = calloc(1, sizeof *c);
    if (!c) { snprintf(err, errlen, "out of memory"); return NULL; }
    c->headless = o->headless;
    c->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
    if (crt__newterm(c, o, err, errlen) != 0) {
        crt_close(c);
        return NULL;
    }
    set_term(c->scr);
    if (o->headless) resize_term(o->height > 0 ? o->height : 24, o->width > 0 ? o->width : 80);
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    curs_set(0);
    set_escdelay(25);
    if (!o->headless) {
        mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
        mouseinterval(0);
    }
    crt__colors(c, o->force_mode);
    return c;
}

void crt_close(crt *c)
{
    if (!c) return;
    if (c->scr) {
        endwin();
        delscreen(c->scr);
    }
    if (c->out) fclose(c->out);
    if (c->in) fclose(c->in);
    free(c);
}

void crt_resize(crt *c, int width, int height)
{
    if (c->headless && width > 0 && height > 0) resize_term(height, width);
}

void crt_set(crt *c, crt_color col)
{
    attr_set(c->attr[col], c->pair[col], NULL);
}

void crt_set_level(crt *c, int level, int odd, int current)
{
    if (level < 0) level = 0;
    if (level >= CRT_LEVELS) level = CRT_LEVELS - 1;
    odd = odd ? 1 : 0;
    attr_t a = c->lattr[odd][level];
    if (current) a = (a & ~(attr_t)A_DIM) | A_REVERSE | (c->mode == CRT_MONO ? 0 : A_BOLD);
    attr_set(a, c->lpair[odd][level], NULL);
}

void crt_underline(crt *c)
{
    if (c->mode != CRT_MONO) attr_on(A_UNDERLINE, NULL);
}

void crt_set_plain(crt *c, int current)
{
    attr_set(current ? c->attr[CRT_NORMAL] | A_REVERSE : c->attr[CRT_DIM], current ? c->pair[CRT_NORMAL]
             : c->pair[CRT_DIM], NULL);
}

int crt_text(crt *c, int y, int x, int maxw, const char *s)
{
    mbstate_t st;
    int cols = 0;
    size_t n = strlen(s);
    (void)c;
    memset(&st, 0, sizeof st);
    move(y, x);
    for (size_t i = 0; i < n;) {
        wchar_t wc;
        size_t k = mbrtowc(&wc, s + i, n - i, &st);
        if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
            memset(&st, 0, sizeof st);
            i++;
            continue;   /* never happens with escaped text; drop, never send */
        }
        int w = wcwidth(wc);
        if (wc >= 0x20 && !(wc >= 0x7f && wc < 0xa0) && w > 0) {
            if (cols + w > maxw) break;
            addnstr(s + i, (int)k);
            cols += w;
        }
        i += k;
    }
    return cols;
}

void crt_fill(crt *c, int y, int x, int n)
{
    (void)c;
    move(y, x);
    for (int i = 0; i < n; i++) addch(' ');
}

int crt_dump(crt *c, FILE *f)
{
    wchar_t *row = calloc((size_t)COLS + 1, sizeof *row);
    (void)c;
    if (!row) return -1;
    for (int y = 0; y < LINES; y++) {
        char line[8 * 1024];
        size_t o = 0;
        mbstate_t st;
        memset(&st, 0, sizeof st);
        int n = mvinnwstr(y, 0, row, COLS);
        for (int i = 0; i < n && o + MB_CUR_MAX < sizeof line; i++) {
            size_t k = wcrtomb(line + o, row[i], &st);
            if (k != (size_t)-1) o += k;
        }
        while (o > 0 && line[o - 1] == ' ') o--;
        fwrite(line, 1, o, f);
        fputc('\n', f);
    }
    free(row);
    return ferror(f) ? -1 : 0;
}

const char *crt_spark(const crt *c, int level)
{
    static const char *const u[8] = { "\xE2\x96\x81", "\xE2\x96\x82", "\xE2\x96\x83",
                                       "\xE2\x96\x84", "\xE2\x96\x85", "\xE2\x96\x86",
                                       "\xE2\x96\x87", "\xE2\x96\x88" };
    static const char *const a[8] = { "_", ".", ",", "-", "=", "+", "*", "#" };
    if (level < 0) level = 0;
    if (level > 7) level = 7;
    return c->utf8 ? u[level] : a[level];
}
