/*
 * gfx.c - font, glyph cache, drawing primitives and colour scales.
 *
 * Text is drawn one monospace cell at a time from a cache of glyph textures
 * (rendered white once by SDL_ttf, tinted per draw with a colour mod). A page
 * of the heat map is a few thousand cells, and creating a texture per string
 * per frame would dominate the frame time; a cached glyph costs one copy.
 * The cache is a fixed open-addressed table: when it is nearly full, new
 * code points draw as '?' rather than evicting (a page never holds that many
 * distinct characters).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "view.h"

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
    for (int i = 0; i < VW_GLYPH_SLOTS; i++)
        if (f->slot[i].tex)
            SDL_DestroyTexture(f->slot[i].tex);
    if (f->ttf)
        TTF_CloseFont(f->ttf);
    memset(f, 0, sizeof *f);
}

/* Renders cp into slot g; on failure the slot stays texture-less (drawn as
 * nothing) so a bad glyph cannot fail the frame. */
static void glyph_make(vw_font *f, SDL_Renderer *r, vw_glyph *g, uint32_t cp)
{
    SDL_Color white = { 255, 255, 255, 255 };
    uint32_t use = cp;
    if (!TTF_GlyphIsProvided32(f->ttf, use))
        use = TTF_GlyphIsProvided32(f->ttf, 0xFFFD) ? 0xFFFD : '?';
    g->cp = cp;
    SDL_Surface *s = TTF_RenderGlyph32_Blended(f->ttf, use, white);
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

/* Piecewise-linear interpolation through n evenly spaced anchors. */
static vw_rgb ramp(const uint32_t *hex, int n, double t)
{
    if (!(t > 0.0)) t = 0.0;        /* also catches NaN */
    if (t > 1.0) t = 1.0;
    double x = t * (n - 1);
    int i = (int)x;
    if (i >= n - 1) i = n - 2;
    double u = x - i;
    uint32_t a = hex[i], b = hex[i + 1];
    vw_rgb c;
    c.r = (uint8_t)(((a >> 16) & 255) * (1 - u) + ((b >> 16) & 255) * u + 0.5);
    c.g = (uint8_t)(((a >> 8) & 255) * (1 - u) + ((b >> 8) & 255) * u + 0.5);
    c.b = (uint8_t)((a & 255) * (1 - u) + (b & 255) * u + 0.5);
    return c;
}

vw_rgb vw_viridis(double t)
{
    /* viridis sampled at 0, 0.1, ..., 1 */
    static const uint32_t v[11] = {
        0x440154, 0x482475, 0x414487, 0x355F8D, 0x2A788E, 0x21918C,
        0x22A884, 0x44BF70, 0x7AD151, 0xBDDF26, 0xFDE725
    };
    return ramp(v, 11, t);
}

vw_rgb vw_diverge(double d)
{
    /* ColorBrewer RdBu (7 classes), blue for negative */
    static const uint32_t v[7] = {
        0x2166AC, 0x67A9CF, 0xD1E5F0, 0xF7F7F7, 0xFDDBC7, 0xEF8A62, 0xB2182B
    };
    return ramp(v, 7, (d + 1.0) / 2.0);
}

vw_rgb vw_ink_on(vw_rgb bg)
{
    double y = 0.2126 * bg.r + 0.7152 * bg.g + 0.0722 * bg.b;
    return y > 128 ? (vw_rgb){ 10, 10, 14 } : (vw_rgb){ 245, 245, 245 };
}
