/*
 * gfx.c - font, glyph cache, drawing primitives and colour scales.
 *
 * Text is drawn one monospace cell at a time from a cache of glyph textures
 * (rendered white once by SDL_ttf, tinted per draw with a colour mod). A page
 * of the heat map is a few thousand cells, and creating a texture per string
 * per frame would dominate the frame time; a cached glyph costs one copy.
 * The cache is a fixed open-addressed table: when it is nearly full, new
 * code points draw as '?' rather than evicting (a page never holds that many
 * distinct characters). A glyph of several code points (a letter and its
 * combining marks) is rendered as a string, which SDL_ttf shapes with
 * HarfBuzz, and cached by its text.
 *
 * DejaVu Sans Mono has Latin, Greek, Cyrillic and more, but no CJK, Indic
 * or Arabic letters: a glyph it lacks comes from the first fallback font
 * that has it (DejaVu Sans from the same package, then, if installed,
 * Debian's fonts-droid-fallback for CJK, fonts-noto-core, GNU Unifont),
 * squeezed into its cells; with none, the replacement character.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "view.h"

static const char *const fallback_paths[] = {
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",                /* fonts-dejavu-core */
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",      /* fonts-droid-fallback: CJK */
    "/usr/share/fonts/truetype/noto/NotoSansDevanagari-Regular.ttf",  /* fonts-noto-core */
    "/usr/share/fonts/opentype/unifont/unifont.otf",                  /* fonts-unifont */
};

static void fallbacks_open(vw_font *f)
{
    int k = 0;
    f->fb_tried = 1;
    for (size_t i = 0; i < sizeof fallback_paths / sizeof fallback_paths[0] && k < VW_FALLBACKS; i++)
        if (access(fallback_paths[i], R_OK) == 0 && (f->fb[k] = TTF_OpenFont(fallback_paths[i], f->px)) != NULL)
            k++;
}

/* The font that has cp: the main one, else the first fallback that does. */
static TTF_Font *font_for(vw_font *f, uint32_t cp)
{
    if (TTF_GlyphIsProvided32(f->ttf, cp))
        return f->ttf;
    if (!f->fb_tried)
        fallbacks_open(f);
    for (int i = 0; i < VW_FALLBACKS && f->fb[i]; i++)
        if (TTF_GlyphIsProvided32(f->fb[i], cp))
            return f->fb[i];
    return NULL;
}

/* Records text drawn at pixel (x, y) in the capture (--dump-screen). */
static void capture(vw_font *f, int x, int y, const char *s, int cells)
{
    vw_capture *c = f->cap;
    if (!c || f->cw <= 0 || f->ch <= 0 || x < 0 || y < 0)
        return;
    int col = (x + f->cw / 2) / f->cw, row = (y + f->ch / 2) / f->ch;
    if (row >= c->rows || col >= c->cols)
        return;
    snprintf(c->cell[row * c->cols + col], TV_GLYPH_MAX, "%s", s);
    for (int k = 1; k < cells && col + k < c->cols; k++)
        snprintf(c->cell[row * c->cols + col + k], TV_GLYPH_MAX, "\x01");
}

void vw_capture_erase(vw_font *f, int x, int y, int w, int h)
{
    vw_capture *c = f->cap;
    if (!c || f->cw <= 0 || f->ch <= 0)
        return;
    int c0 = (x + f->cw / 2) / f->cw, r0 = (y + f->ch / 2) / f->ch;
    int c1 = (x + w + f->cw / 2) / f->cw, r1 = (y + h + f->ch / 2) / f->ch;
    for (int r = r0 < 0 ? 0 : r0; r < r1 && r < c->rows; r++)
        for (int k = c0 < 0 ? 0 : c0; k < c1 && k < c->cols; k++)
            c->cell[r * c->cols + k][0] = 0;
}

int vw_capture_init(vw_capture *cap, int W, int H, const vw_font *f)
{
    cap->cols = W / (f->cw > 0 ? f->cw : 1) + 1;
    cap->rows = H / (f->ch > 0 ? f->ch : 1) + 1;
    cap->cell = calloc((size_t)cap->cols * cap->rows, sizeof *cap->cell);
    return cap->cell ? 0 : -1;
}

int vw_capture_write(const vw_capture *cap, FILE *out)
{
    for (int r = 0; r < cap->rows; r++) {
        char line[16384];
        size_t o = 0, keep = 0;
        for (int c = 0; c < cap->cols && o + TV_GLYPH_MAX < sizeof line; c++) {
            const char *s = cap->cell[r * cap->cols + c];
            if (s[0] == 1)
                continue;
            size_t l = s[0] ? strlen(s) : 1;
            memcpy(line + o, s[0] ? s : " ", l);
            o += l;
            if (s[0] && s[0] != ' ')
                keep = o;
        }
        fwrite(line, 1, keep, out);
        fputc('\n', out);
    }
    return ferror(out) ? -1 : 0;
}

void vw_capture_free(vw_capture *cap)
{
    free(cap->cell);
    cap->cell = NULL;
}

int vw_font_open(vw_font *f, SDL_Renderer *ren, const char *path, int px,
                 char *err, size_t errlen)
{
    int minx, maxx, miny, maxy, adv;
    (void)ren;
    memset(f, 0, sizeof *f);
    f->ttf = TTF_OpenFont(path, px);
    if (!f->ttf) {
        snprintf(err, errlen, "cannot open font %s: %s (install fonts-dejavu-core "
                 "or pass --font FILE.ttf)", path, TTF_GetError());
        return -1;
    }
    if (TTF_GlyphMetrics32(f->ttf, 'M', &minx, &maxx, &miny, &maxy, &adv) != 0 || adv <= 0) {
        snprintf(err, errlen, "font %s has no usable 'M': %s", path, TTF_GetError());
        TTF_CloseFont(f->ttf);
        f->ttf = NULL;
        return -1;
    }
    f->px = px;
    f->cw = adv;
    f->ch = TTF_FontLineSkip(f->ttf);
    if (f->ch < TTF_FontHeight(f->ttf))
        f->ch = TTF_FontHeight(f->ttf);
    f->asc = TTF_FontAscent(f->ttf);
    return 0;
}

void vw_font_close(vw_font *f)
{
    vw_capture *cap = f->cap;
    for (int i = 0; i < VW_GLYPH_SLOTS; i++)
        if (f->slot[i].tex)
            SDL_DestroyTexture(f->slot[i].tex);
    for (int i = 0; i < VW_FALLBACKS; i++)
        if (f->fb[i])
            TTF_CloseFont(f->fb[i]);
    if (f->ttf)
        TTF_CloseFont(f->ttf);
    memset(f, 0, sizeof *f);
    f->cap = cap;
}

/* Renders cp into slot g; on failure the slot stays texture-less (drawn as
 * nothing) so a bad glyph cannot fail the frame. */
static void glyph_make(vw_font *f, SDL_Renderer *r, vw_glyph *g, uint32_t cp)
{
    SDL_Color white = { 255, 255, 255, 255 };
    uint32_t use = cp;
    TTF_Font *font = font_for(f, cp);
    if (!font) {
        font = f->ttf;
        use = TTF_GlyphIsProvided32(f->ttf, 0xFFFD) ? 0xFFFD : '?';
    }
    g->cp = cp;
    SDL_Surface *s = TTF_RenderGlyph32_Blended(font, use, white);
    if (!s)
        return;
    g->tex = SDL_CreateTextureFromSurface(r, s);
    g->w = s->w;
    g->h = s->h;
    SDL_FreeSurface(s);
    if (g->tex)
        SDL_SetTextureBlendMode(g->tex, SDL_BLENDMODE_BLEND);
}

static vw_glyph *glyph_get(vw_font *f, SDL_Renderer *r, uint32_t cp)
{
    if (cp == 0)
        cp = '?';
    uint32_t h = (cp * 2654435761u) & (VW_GLYPH_SLOTS - 1);
    for (int probe = 0; probe < VW_GLYPH_SLOTS; probe++) {
        vw_glyph *g = &f->slot[(h + probe) & (VW_GLYPH_SLOTS - 1)];
        if (g->cp == cp)
            return g;
        if (g->cp == 0) {
            if (f->used >= VW_GLYPH_SLOTS * 3 / 4)
                return cp == '?' ? NULL : glyph_get(f, r, '?');
            f->used++;
            glyph_make(f, r, g, cp);
            return g;
        }
    }
    return NULL;
}

void vw_glyph_draw(vw_font *f, SDL_Renderer *r, uint32_t cp, int x, int y, vw_rgb c)
{
    if (f->cap) {
        char u[5] = { 0 };
        if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) u[0] = '?';
        else if (cp < 0x80) u[0] = (char)cp;
        else if (cp < 0x800) { u[0] = (char)(0xC0 | cp >> 6); u[1] = (char)(0x80 | (cp & 0x3F)); }
        else if (cp < 0x10000) { u[0] = (char)(0xE0 | cp >> 12); u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
                                 u[2] = (char)(0x80 | (cp & 0x3F)); }
        else { u[0] = (char)(0xF0 | cp >> 18); u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
               u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); u[3] = (char)(0x80 | (cp & 0x3F)); }
        capture(f, x, y, u, 1);
    }
    if (cp == ' ')
        return;
    vw_glyph *g = glyph_get(f, r, cp);
    if (!g || !g->tex)
        return;
    SDL_Rect d = { x, y, g->w, g->h };
    if (d.w > f->cw + f->cw / 4)
        d.w = f->cw;            /* wide glyph: squeeze into its cell */
    SDL_SetTextureColorMod(g->tex, c.r, c.g, c.b);
    SDL_RenderCopy(r, g->tex, NULL, &d);
}

/* A cluster's cache slot: keyed by a hash of its text (bit 31 set, so it
 * never equals a code point), the text compared on a hit. */
static vw_glyph *cluster_get(vw_font *f, SDL_Renderer *r, const char *s)
{
    uint32_t h = 2166136261u;
    for (const char *p = s; *p; p++)
        h = (h ^ (uint8_t)*p) * 16777619u;
    uint32_t key = h | 0x80000000u;
    for (int probe = 0; probe < VW_GLYPH_SLOTS; probe++) {
        vw_glyph *g = &f->slot[(key * 2654435761u + (uint32_t)probe) & (VW_GLYPH_SLOTS - 1)];
        if (g->cp == key && strcmp(g->s, s) == 0)
            return g;
        if (g->cp == 0) {
            if (f->used >= VW_GLYPH_SLOTS * 3 / 4)
                return NULL;
            f->used++;
            g->cp = key;
            snprintf(g->s, sizeof g->s, "%s", s);
            uint32_t cp0;
            TTF_Font *font = smix_utf8_decode((const uint8_t *)s, strlen(s), &cp0) ? font_for(f, cp0) : NULL;
            SDL_Color white = { 255, 255, 255, 255 };
            SDL_Surface *sf = TTF_RenderUTF8_Blended(font ? font : f->ttf, s, white);
            if (!sf)
                return g;
            g->tex = SDL_CreateTextureFromSurface(r, sf);
            g->w = sf->w;
            g->h = sf->h;
            SDL_FreeSurface(sf);
            if (g->tex)
                SDL_SetTextureBlendMode(g->tex, SDL_BLENDMODE_BLEND);
            return g;
        }
    }
    return NULL;
}

void vw_cluster_draw(vw_font *f, SDL_Renderer *r, const char *s, int cells, int x, int y, vw_rgb c)
{
    uint32_t cp;
    size_t n = strlen(s), k = smix_utf8_decode((const uint8_t *)s, n, &cp);
    if (k == n && k > 0 && cells == 1) {   /* one code point: the glyph cache */
        vw_glyph_draw(f, r, cp, x, y, c);
        return;
    }
    capture(f, x, y, s, cells);
    vw_glyph *g = k == n && k > 0 ? glyph_get(f, r, cp) : cluster_get(f, r, s);
    if (!g || !g->tex)
        return;
    SDL_Rect d = { x, y, g->w, g->h };
    if (d.w > cells * f->cw + f->cw / 4)
        d.w = cells * f->cw;   /* squeeze into its cells */
    SDL_SetTextureColorMod(g->tex, c.r, c.g, c.b);
    SDL_RenderCopy(r, g->tex, NULL, &d);
}

/* Decodes one code point of our own (trusted, mostly ASCII) strings. */
static uint32_t next_cp(const char **ps)
{
    const uint8_t *s = (const uint8_t *)*ps;
    uint32_t c = s[0];
    int k = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
    if (k == 0) {
        *ps += 1;
        return '?';
    }
    if (k > 1)
        c &= 0x3F >> (k - 1);
    for (int i = 1; i < k; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *ps += i;
            return '?';
        }
        c = (c << 6) | (s[i] & 0x3F);
    }
    *ps += k;
    return c;
}

size_t vw_utf8_cells(const char *s)
{
    size_t n = 0;
    while (*s) {
        next_cp(&s);
        n++;
    }
    return n;
}

int vw_text(vw_font *f, SDL_Renderer *r, int x, int y, const char *s,
            int max_cells, vw_rgb c)
{
    int n = 0;
    while (*s && (max_cells < 0 || n < max_cells)) {
        uint32_t cp = next_cp(&s);
        vw_glyph_draw(f, r, cp, x + n * f->cw, y, c);
        n++;
    }
    return n;
}

int vw_textf(vw_font *f, SDL_Renderer *r, int x, int y, vw_rgb c, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return vw_text(f, r, x, y, buf, -1, c);
}

void vw_fill(SDL_Renderer *r, int x, int y, int w, int h, vw_rgb c)
{
    if (w <= 0 || h <= 0)
        return;
    SDL_Rect rc = { x, y, w, h };
    SDL_SetRenderDrawColor(r, c.r, c.g, c.b, 255);
    SDL_RenderFillRect(r, &rc);
}

void vw_frame(SDL_Renderer *r, int x, int y, int w, int h, vw_rgb c)
{
    if (w <= 0 || h <= 0)
        return;
    SDL_Rect rc = { x, y, w, h };
    SDL_SetRenderDrawColor(r, c.r, c.g, c.b, 255);
    SDL_RenderDrawRect(r, &rc);
}

void vw_line(SDL_Renderer *r, int x0, int y0, int x1, int y1, vw_rgb c)
{
    SDL_SetRenderDrawColor(r, c.r, c.g, c.b, 255);
    SDL_RenderDrawLine(r, x0, y0, x1, y1);
}

/* The colour scales are traceview's (tv_scale.h), shared with smix-tui. */
static vw_rgb from_tv(tv_rgb c)
{
    return (vw_rgb){ c.r, c.g, c.b };
}

vw_rgb vw_viridis(double t)
{
    return from_tv(tv_scale_rgb(t));
}

vw_rgb vw_bits_rgb(double bits)
{
    return from_tv(tv_scale_rgb(tv_scale_t(bits)));
}

vw_rgb vw_diverge(double d)
{
    return from_tv(tv_scale_diverge(d));
}

vw_rgb vw_ink_on(vw_rgb bg)
{
    double y = 0.2126 * bg.r + 0.7152 * bg.g + 0.0722 * bg.b;
    return y > 128 ? (vw_rgb){ 10, 10, 14 } : (vw_rgb){ 245, 245, 245 };
}

static const vw_theme vw__dark = {
    "dark",
    { 24, 26, 31 }, { 34, 37, 44 }, { 58, 62, 72 }, { 222, 224, 228 }, { 140, 146, 158 },
    { 255, 176, 59 }, { 255, 255, 255 },
    { 86, 180, 233 },    /* Okabe-Ito sky blue */
    { 230, 159, 0 },     /* Okabe-Ito orange */
    { 0, 158, 115 },     /* Okabe-Ito green */
    { 213, 94, 0 },      /* Okabe-Ito vermillion */
    { 12, 13, 16 }, { 18, 19, 23 }, { 70, 60, 30 },
    { 52, 55, 64 }, { 88, 94, 108 }, { 110, 117, 133 },
};

/* For projectors: black on white, the accents darkened to keep a contrast
 * ratio above 4.5 on white and on the panels' grey (WCAG AA), the
 * Okabe-Ito hues kept. */
static const vw_theme vw__light = {
    "light",
    { 255, 255, 255 }, { 238, 238, 238 }, { 170, 170, 170 }, { 0, 0, 0 }, { 60, 60, 60 },
    { 160, 70, 0 }, { 0, 0, 0 },
    { 0, 94, 160 },      /* Okabe-Ito blue, darkened */
    { 150, 80, 0 },      /* orange, darkened */
    { 0, 120, 80 },      /* green, darkened */
    { 180, 60, 0 },      /* vermillion, darkened */
    { 250, 250, 250 }, { 246, 246, 246 }, { 255, 225, 160 },
    { 215, 215, 215 }, { 170, 170, 170 }, { 140, 140, 140 },
};

const vw_theme *vw_theme_get(int light)
{
    return light ? &vw__light : &vw__dark;
}
