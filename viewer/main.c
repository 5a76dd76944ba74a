/*
 * main.c - smix-view: command line, SDL set-up, the frame loop.
 *
 * Two ways to run. Interactive: a resizable, HiDPI-aware window; loop()
 * handles events, advances playback, draws and presents one frame, and
 * sleeps in SDL_WaitEventTimeout when nothing moves so an idle viewer costs
 * no CPU. --screenshot: no window and no video driver at all; the same
 * drawing code renders through a software renderer into an SDL_Surface, one
 * frame is written as PNG and the program exits, so it works headless
 * (SDL_VIDEODRIVER=offscreen or dummy, or no display).
 */
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "view.h"

#define DEFAULT_W 1280
#define DEFAULT_H 800
#define DEFAULT_PT 14

typedef struct options {
    const char *in[2];
    int nin;
    const char *shot;
    const char *dump;      /* --dump-screen: the frame as text */
    uint64_t at;
    int at_set;
    int w, h;
    double scale;
    int mouse_x, mouse_y;  /* --mouse: hover position for the screenshot */
    int bench;             /* --bench N: time N frames, print ms/frame */
} options;

/* An error line on stderr: every name and message in it is escaped
 * (smix_text_escape), so no file name or argument reaches the terminal raw. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    char raw[1024], out[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    size_t n = strlen(raw);
    if (n && raw[n - 1] == '\n')
        raw[--n] = 0;
    smix_text_escape(raw, n, out, sizeof out);
    fprintf(stderr, "smix-view: %s\n", out);
}

static const char *font_candidates[] = {
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",   /* Debian: fonts-dejavu-core */
    "/usr/share/fonts/TTF/DejaVuSansMono.ttf",
    "/usr/share/fonts/dejavu/DejaVuSansMono.ttf",
    "/usr/share/fonts/dejavu-sans-mono-fonts/DejaVuSansMono.ttf",
    "/usr/local/share/fonts/DejaVuSansMono.ttf",
    NULL
};

static void usage(FILE *f)
{
    fprintf(f,
        "usage: smix-view [options] TRACE.smt|FILE [TRACE_B.smt|FILE_B]\n"
        "  Shows where the bits of an smix compression go. A FILE that is not a\n"
        "  trace is compressed first (into a temporary trace). With two inputs\n"
        "  (traces of the same input, e.g. two levels) shows where B saves or\n"
        "  loses bits against A.\n"
        "options:\n"
        "  --screenshot OUT.png  render one frame to OUT.png and exit (no display needed)\n"
        "  --at TOKEN            select token number TOKEN first (from 0, as in smix-tui\n"
        "                        and smix --trace-dump)\n"
        "  --size WxH            window or screenshot size in pixels (default %dx%d)\n"
        "  --scale F             screenshot pixel scale, like a HiDPI display (default 1)\n"
        "  --mouse X,Y           screenshot: pointer at X,Y (shows the hover tooltip)\n"
        "  --bench N             screenshot: also time N frames of playback, print ms/frame\n"
        "  --keys KEYS           run these keys first (smix-tui's syntax: <Enter> or \\n,\n"
        "                        <Esc>, <Left> ...), e.g. 'G' or '/word<Enter>'\n"
        "  --dump-screen OUT     write what the frame shows as UTF-8 text to OUT (- for\n"
        "                        stdout) instead of a PNG, like smix-tui --dump-screen\n"
        "  --font FILE.ttf       monospace font (default DejaVu Sans Mono)\n"
        "  --font-size N         font size in points (default %d; F and f change it)\n"
        "  --theme dark|light    colours of the frame (light: high contrast; T switches)\n"
        "  --projector           for a projector: the light theme and a 20-point font\n"
        "  -1 .. -9              level used when compressing a FILE (default %d: the\n"
        "                        lowest level with the SSM)\n"
        "  -h, --help            this help;  -V, --version  version\n"
        "keys: as in smix-tui; press ? in the viewer\n", DEFAULT_W, DEFAULT_H, DEFAULT_PT, TV_PLAIN_LEVEL);
}

static int parse_size(const char *s, int *w, int *h)
{
    char *e;
    long a = strtol(s, &e, 10);
    if (*e != 'x' && *e != 'X')
        return -1;
    long b = strtol(e + 1, &e, 10);
    if (*e || a < 64 || b < 64 || a > 16384 || b > 16384)
        return -1;
    *w = (int)a;
    *h = (int)b;
    return 0;
}

/* Returns 0 to run, 1 to exit successfully (help), 2 on a usage error. */
static int parse_args(vw_state *st, options *o, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = !strcmp(a, "--screenshot") || !strcmp(a, "--at") || !strcmp(a, "--size") ||
                    !strcmp(a, "--font") || !strcmp(a, "--font-size") || !strcmp(a, "--scale") || !strcmp(a, "--keys") ||
                    !strcmp(a, "--mouse") || !strcmp(a, "--bench") || !strcmp(a, "--dump-screen") ||
                    !strcmp(a, "--theme");
        if (takes && !v) {
            say("%s needs a value\n", a);
            return 2;
        }
        char *e = NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { usage(stdout); return 1; }
        else if (!strcmp(a, "-V") || !strcmp(a, "--version")) { printf("smix-view %s\n", SMIX_VERSION_STRING); return 1; }
        else if (!strcmp(a, "--screenshot")) o->shot = v;
        else if (!strcmp(a, "--dump-screen")) o->dump = v;
        else if (!strcmp(a, "--at")) { o->at = strtoull(v, &e, 10); o->at_set = 1; if (*e || *v == '-') goto bad; }
        else if (!strcmp(a, "--size")) { if (parse_size(v, &o->w, &o->h)) goto bad; }
        else if (!strcmp(a, "--font")) st->font_path = v;
        else if (!strcmp(a, "--theme")) { if (strcmp(v, "dark") && strcmp(v, "light")) goto bad; st->th = vw_theme_get(!strcmp(v, "light")); }
        else if (!strcmp(a, "--projector")) { st->th = vw_theme_get(1); st->font_pt = 20; continue; }
        else if (!strcmp(a, "--keys")) st->keys = v;
        else if (!strcmp(a, "--mouse")) { if (sscanf(v, "%d,%d", &o->mouse_x, &o->mouse_y) != 2) goto bad; }
        else if (!strcmp(a, "--bench")) { o->bench = (int)strtol(v, &e, 10); if (*e || o->bench < 1) goto bad; }
        else if (!strcmp(a, "--font-size")) { st->font_pt = (int)strtol(v, &e, 10); if (*e || st->font_pt < 5 || st->font_pt > 96) goto bad; }
        else if (!strcmp(a, "--scale")) { o->scale = strtod(v, &e); if (*e || o->scale < 0.5 || o->scale > 4) goto bad; }
        else if (a[0] == '-' && a[1] >= '1' && a[1] <= '9' && !a[2]) { st->level = a[1] - '0'; continue; }
        else if (a[0] == '-' && a[1]) { say("unknown option %s\n", a); return 2; }
        else if (o->nin < 2) { o->in[o->nin++] = a; continue; }
        else { say("at most two inputs\n"); return 2; }
        i++;
        continue;
bad:
        say("bad value for %s: %s\n", a, v);
        return 2;
    }
    if (o->nin == 0) {
        usage(stderr);
        return 2;
    }
    return 0;
}

static const char *find_font(const vw_state *st)
{
    if (st->font_path)
        return st->font_path;
    const char *env = getenv("SMIX_VIEW_FONT");
    if (env && *env)
        return env;
    for (int i = 0; font_candidates[i]; i++)
        if (access(font_candidates[i], R_OK) == 0)
            return font_candidates[i];
    return font_candidates[0];   /* the error message names the Debian path */
}

/* (Re)opens the font for the current pixel scale and lays out the panels. */
static int setup_font(vw_state *st)
{
    char err[512];
    int px = (int)(st->font_pt * st->dpi + 0.5);
    if (st->font.ttf && st->font.px == px)
        return 0;
    vw_font_close(&st->font);
    if (vw_font_open(&st->font, st->ren, find_font(st), px, err, sizeof err) != 0) {
        say("%s\n", err);
        return -1;
    }
    return 0;
}

int vw_refont(vw_state *st)
{
    int px = st->font.px;
    if (setup_font(st) != 0) {
        st->font_pt = (int)(px / (st->dpi > 0 ? st->dpi : 1) + 0.5);
        setup_font(st);
        return -1;
    }
    vw_layout(st);
    vw_heat_layout(st);
    st->page_last = VW_NONE;   /* re-anchor around the selection */
    vw_select(st, st->nav.cur);
    return 0;
}

/* Window mode: output size and HiDPI scale changed (or first frame). */
static int window_resized(vw_state *st)
{
    int ww, wh;
    SDL_GetWindowSize(st->win, &ww, &wh);
    if (SDL_GetRendererOutputSize(st->ren, &st->W, &st->H) != 0) {
        say("SDL_GetRendererOutputSize: %s\n", SDL_GetError());
        return -1;
    }
    st->dpi = ww > 0 ? (float)st->W / ww : 1.0f;
    if (setup_font(st) != 0)
        return -1;
    vw_layout(st);
    vw_heat_layout(st);
    st->page_last = VW_NONE;   /* force re-anchoring around the selection */
    vw_select(st, st->nav.cur);
    return 0;
}

static void save_png_now(vw_state *st)
{
    char path[64];
    time_t now = time(NULL);
    struct tm tmv;
    localtime_r(&now, &tmv);
    strftime(path, sizeof path, "smix-view-%Y%m%d-%H%M%S.png", &tmv);
    if (vw_save_png(st, path) == 0)
        snprintf(st->nav.msg, sizeof st->nav.msg, "saved %s", path);
    st->want_png = 0;
}

/* One frame: events, playback, draw, present. Returns 0 to go on. */
static int loop(vw_state *st)
{
    SDL_Event ev;
    int got = st->playing ? SDL_PollEvent(&ev) : SDL_WaitEventTimeout(&ev, 500);
    int verify = tv_doc_verify_state(st->a.d) * 4 + (st->b.d ? tv_doc_verify_state(st->b.d) : 0);
    int changed = got || st->playing || st->want_png || verify != st->last_verify;
    st->last_verify = verify;
    while (got) {
        if (ev.type == SDL_WINDOWEVENT && (ev.window.event == SDL_WINDOWEVENT_SIZE_CHANGED ||
                                           ev.window.event == SDL_WINDOWEVENT_DISPLAY_CHANGED)) {
            if (window_resized(st) != 0)
                return -1;
        }
        vw_input_event(st, &ev);
        got = SDL_PollEvent(&ev);
    }
    vw_input_tick(st);
    if (!changed && !st->quit)
        return 0;             /* idle: nothing to redraw */
    vw_draw(st);
    if (st->want_png)
        save_png_now(st);
    SDL_RenderPresent(st->ren);
    if (st->playing)
        SDL_Delay(8);   /* vsync may be off (software renderer): cap the rate */
    return st->quit;
}

static int run_window(vw_state *st, const options *o)
{
    char title[600];
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        say("SDL_Init: %s (use --screenshot without a display)\n", SDL_GetError());
        return 1;
    }
    snprintf(title, sizeof title, "smix-view: %s%s%s", st->a.name, st->compare ? " vs " : "",
             st->compare ? st->b.name : "");
    st->win = SDL_CreateWindow(title, SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED, o->w, o->h,
                               SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
    if (!st->win) {
        say("SDL_CreateWindow: %s\n", SDL_GetError());
        return 1;
    }
    st->ren = SDL_CreateRenderer(st->win, -1, SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC);
    if (!st->ren)
        st->ren = SDL_CreateRenderer(st->win, -1, SDL_RENDERER_SOFTWARE);
    if (!st->ren) {
        say("SDL_CreateRenderer: %s\n", SDL_GetError());
        return 1;
    }
    if (window_resized(st) != 0)
        return 1;
    char err[256];
    if (vw_input_keys(st, st->keys, err, sizeof err) != 0) {
        say("%s\n", err);
        return 1;
    }
    int rc;
    while ((rc = loop(st)) == 0)
        ;
    return rc < 0 ? 1 : 0;
}

/* Draws n frames while stepping through the file as playback would. */
static void bench(vw_state *st, int n)
{
    uint64_t sel0 = st->nav.cur, stepn = st->a.n / (uint64_t)n + 1;
    uint64_t t0 = SDL_GetPerformanceCounter();
    for (int i = 0; i < n; i++) {
        vw_select(st, (st->nav.cur + stepn) % (st->a.n ? st->a.n : 1));
        vw_draw(st);
    }
    double ms = (double)(SDL_GetPerformanceCounter() - t0) * 1000.0 / SDL_GetPerformanceFrequency();
    say("%d frames, %.2f ms/frame (%llu tokens, software renderer)\n",
            n, ms / n, (unsigned long long)st->a.n);
    vw_select(st, sel0);
}

static int run_screenshot(vw_state *st, const options *o)
{
    st->dpi = (float)o->scale;
    st->W = (int)(o->w * o->scale + 0.5);
    st->H = (int)(o->h * o->scale + 0.5);
    st->shot = SDL_CreateRGBSurfaceWithFormat(0, st->W, st->H, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!st->shot) {
        say("SDL_CreateRGBSurfaceWithFormat: %s\n", SDL_GetError());
        return 1;
    }
    st->ren = SDL_CreateSoftwareRenderer(st->shot);
    if (!st->ren) {
        say("SDL_CreateSoftwareRenderer: %s\n", SDL_GetError());
        return 1;
    }
    if (setup_font(st) != 0)
        return 1;
    vw_layout(st);
    vw_heat_layout(st);
    vw_select(st, st->nav.cur);   /* as a jump from the first page: --at N is :N */
    st->mx = st->my = -1;
    char err[256];
    if (vw_input_keys(st, st->keys, err, sizeof err) != 0) {
        say("%s\n", err);
        return 1;
    }
    st->want_png = 0;
    if (o->bench)
        bench(st, o->bench);
    st->mx = (int)(o->mouse_x * o->scale);
    st->my = (int)(o->mouse_y * o->scale);
    vw_capture cap = { 0 };
    if (o->dump) {
        if (vw_capture_init(&cap, st->W, st->H, &st->font) != 0) {
            say("out of memory\n");
            return 1;
        }
        st->font.cap = &cap;
    }
    vw_draw(st);
    st->font.cap = NULL;
    int rc = 0;
    if (o->shot && vw_save_png(st, o->shot) != 0) {
        say("%s\n", st->nav.msg);
        rc = 1;
    }
    if (o->dump) {
        FILE *f = strcmp(o->dump, "-") == 0 ? stdout : fopen(o->dump, "w");
        if (!f || vw_capture_write(&cap, f) != 0 || (f != stdout && fclose(f) != 0)) {
            say("cannot write %s\n", o->dump);
            rc = 1;
        } else if (f == stdout) {
            fflush(stdout);
        }
    }
    vw_capture_free(&cap);
    return rc;
}

static void cleanup(vw_state *st)
{
    vw_font_close(&st->font);
    if (st->ren)
        SDL_DestroyRenderer(st->ren);
    if (st->shot)
        SDL_FreeSurface(st->shot);
    if (st->win)
        SDL_DestroyWindow(st->win);
    free(st->grid);
    tv_table_free(st->table);
    free(st->range);
    vw_load_free(st);
    TTF_Quit();
    SDL_Quit();
}

static int load(vw_state *st, const options *o)
{
    char err[1024];
    if (vw_load_open(st, &st->a, o->in[0], err, sizeof err) != 0 ||
        (o->nin == 2 && vw_load_open(st, &st->b, o->in[1], err, sizeof err) != 0) ||
        (st->compare = o->nin == 2, vw_load_prepare(st, err, sizeof err) != 0)) {
        say("%s\n", err);
        return -1;
    }
    tv_nav_goto(&st->nav, st->a.d, o->at_set ? o->at : 0);
    tv_colour_init(&st->col, st->a.d);
    tv_learn_init(&st->learn, st->a.d);
    st->tspan = (double)st->a.n;
    st->speed_idx = 4;
    return 0;
}

int main(int argc, char **argv)
{
    if (smix_guard_stdio() != 0)
        return 1;
    /* Character widths (wcwidth, in traceview's glyphs) need a UTF-8
     * LC_CTYPE; the window draws UTF-8 whatever the user's locale is. */
    if (!setlocale(LC_CTYPE, "C.UTF-8"))
        setlocale(LC_CTYPE, "");
    vw_state st = { 0 };
    options o = { .w = DEFAULT_W, .h = DEFAULT_H, .scale = 1.0, .mouse_x = -1, .mouse_y = -1 };
    st.font_pt = DEFAULT_PT;
    st.th = vw_theme_get(0);
    st.level = TV_PLAIN_LEVEL;
    st.explain = 1;
    st.dpi = 1.0f;
    st.mx = st.my = -1;
    int pa = parse_args(&st, &o, argc, argv);
    if (pa)
        return pa == 1 ? 0 : 2;
    if (SDL_Init(0) != 0 || TTF_Init() != 0) {
        say("SDL/TTF init: %s\n", SDL_GetError());
        return 1;
    }
    int rc = 1;
    st.sync_verify = o.shot != NULL || o.dump != NULL;
    if (load(&st, &o) == 0)
        rc = o.shot || o.dump ? run_screenshot(&st, &o) : run_window(&st, &o);
    cleanup(&st);
    return rc;
}
