/*
 * app.h - the viewer's state, its panes and its event loop.
 *
 * Layers, as in htop: crt.h owns the terminal and colours; doc.h the data;
 * each pane (pane_*.c) is a widget that draws itself into a rectangle and
 * may handle a click there (a pane_ops table, like tig's view_ops);
 * action.c maps keys to handlers that return a set of reactions; app.c is
 * the one event loop that reads a key (from the terminal or a script),
 * dispatches it and redraws.
 */
#ifndef TUI_APP_H
#define TUI_APP_H

#include <stdint.h>
#include "crt.h"
#include "doc.h"
#include "layout.h"

typedef enum app_view { VIEW_MAIN = 0, VIEW_SUMMARY, VIEW_HELP } app_view;

typedef struct app_rect {
    int y, x, h, w;
} app_rect;

/* What a handler asks the loop to do afterwards (a bit set). */
enum {
    ACT_NONE = 0,
    ACT_REDRAW = 1,
    ACT_QUIT = 2,
    ACT_MOVED = 4,    /* the cursor moved a little: scroll just enough */
    ACT_JUMPED = 8,   /* the cursor jumped: centre it if it is off screen */
};

typedef struct app {
    crt *crt;
    doc *doc;
    uint64_t cur;              /* current token */
    uint64_t mark;
    int has_mark;
    lay_pos top;               /* first line shown in the text pane */
    lay_opts lo;
    int explain;               /* explain line shown */
    app_view view;
    int scroll;                /* summary/help scroll offset */
    int playing, speed;        /* speed: index into the speed table */
    double play_last, play_acc;
    char search[256];
    int prompt;                /* 0, '/' or ':' while a prompt is open */
    char input[256];
    size_t input_len;
    char msg[256];
    int msg_error;
    app_rect r_text, r_detail, r_time, r_explain, r_status;
    int64_t *hit;              /* text pane: token under each cell, -1 none */
    int hit_h, hit_w;
    uint64_t tl_first;         /* timeline: token in its first column */
    int quit;
} app;

/* ---- panes ---- */
typedef struct pane_ops {
    const char *name;
    void (*draw)(app *a, const app_rect *r);
    int (*click)(app *a, const app_rect *r, int y, int x);   /* returns ACT_* */
} pane_ops;

extern const pane_ops pane_text, pane_detail, pane_timeline, pane_explain, pane_status,
    pane_summary, pane_help;

/* ---- actions ---- */
typedef int (*action_fn)(app *a);
typedef struct action {
    int key;
    const char *label;     /* key as shown in the help */
    const char *help;      /* NULL: same action as the previous row */
    action_fn fn;
} action;

const action *action_table(int *n);
/* Runs the action bound to key in the main view; returns ACT_* bits. */
int action_dispatch(app *a, int key);
/* Handles a key while a prompt ('/' or ':') is open. */
int action_prompt_key(app *a, int key);

/* Cursor moves shared by actions and panes. */
void app_goto(app *a, uint64_t t);
void app_message(app *a, int error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Makes the cursor visible; jumped centres it instead of scrolling a line. */
void app_follow(app *a, int jumped);
/* Moves the cursor n screen lines (negative: up), keeping its column. */
void app_move_lines(app *a, int n);
/* Starts or stops play mode. */
void app_play(app *a, int on);
/* Bits of tokens [0, cur] and bytes up to the end of cur: running bpb. */
double app_bpb_so_far(app *a);

/* Geometry of the main view for the current screen size. */
void app_layout(app *a);
void app_draw(app *a);

/* Speed table for play mode, tokens per second. */
int app_speed(int idx);
int app_speed_count(void);

typedef struct app_opts {
    int explain;
    int sep;
    const int *keys;       /* scripted keys run first, may be NULL */
    size_t nkeys;
    const char *dump;      /* headless: write the screen here after the keys */
} app_opts;

/* Runs the viewer on d (borrowed) with terminal c. Returns the exit status. */
int app_run(crt *c, doc *d, const app_opts *o);

/* Script keys: parses "ll<Enter>/word<Enter>G" into key codes (see keys.c). */
#define APP_KEY_RESIZE_BASE 0x40000000   /* headless resize: base | w << 12 | h */
#define APP_KEY_CLICK_BASE  0x20000000   /* headless click:  base | x << 12 | y */
int keys_parse(const char *s, int **out, size_t *n, char *err, size_t errlen);

#endif /* TUI_APP_H */
