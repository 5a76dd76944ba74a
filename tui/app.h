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
#include "tv_doc.h"
#include "tv_keys.h"
#include "tv_nav.h"
#include "tv_scale.h"
#include "tv_table.h"
#include "tv_colour.h"
#include "tv_learn.h"
#include "tv_summary.h"
#include "layout.h"

typedef enum app_view { VIEW_MAIN = 0, VIEW_SUMMARY, VIEW_HELP, VIEW_TABLE, VIEW_RANGE } app_view;

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
    tv_doc *doc;
    tv_nav nav;                /* cursor, mark, search, message (shared with smix-view) */
    lay_pos top;               /* first line shown in the text pane */
    lay_opts lo;
    int explain;               /* explain line shown */
    int det_scroll;            /* detail pane: first row shown under its title ({ and }) */
    app_view view;
    int scroll;                /* summary/help scroll offset */
    int playing, speed;        /* speed: index into the speed table */
    double play_last, play_acc;
    int prompt;                /* 0, '/' or ':' while a prompt is open */
    char input[256];
    size_t input_len;
    app_rect r_text, r_detail, r_time, r_explain, r_status;
    int64_t *hit;              /* text pane: token under each cell, -1 none */
    int hit_h, hit_w;
    uint64_t tl_first;         /* timeline: token in its first column */
    int tl_zoom;               /* timeline: 2^tl_zoom tokens per column */
    tv_table *table;           /* the token table (t), built on first use */
    tv_colour col;             /* what the text's colours mean (c) */
    tv_learn learn;            /* the SSM's training chunks (the timeline's loss row) */
    tv_srow *range;            /* the range view's rows (v), while it is open */
    size_t n_range;
    int quit;
} app;

/* ---- panes ---- */
typedef struct pane_ops {
    const char *name;
    void (*draw)(app *a, const app_rect *r);
    int (*click)(app *a, const app_rect *r, int y, int x);   /* returns ACT_* */
} pane_ops;

extern const pane_ops pane_text, pane_detail, pane_timeline, pane_explain, pane_status,
    pane_summary, pane_help, pane_table;
/* Rows the explain sentence of the current token takes at width w. */
int explain_rows(app *a, int w);

/* ---- actions ---- */
/* The tv key (traceview/tv_keys.h) of an ncurses key code, or -1. */
int action_tv_key(int key);
/* Runs the action bound to key (an ncurses code) in the main view;
 * returns ACT_* bits. The bindings and the help come from tv_keys. */
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

/* Geometry of the main view for the current screen size. */
void app_layout(app *a);
void app_draw(app *a);

/* Speed table for play mode, tokens per second. */
int app_speed(int idx);
int app_speed_count(void);

typedef struct app_opts {
    int explain;
    int sep;
    const tv_key *keys;    /* scripted keys run first, may be NULL */
    size_t nkeys;
    const char *dump;      /* headless: write the screen here after the keys */
} app_opts;

/* Runs the viewer on d (borrowed) with terminal c. Returns the exit status. */
int app_run(crt *c, tv_doc *d, const app_opts *o);


#endif /* TUI_APP_H */
