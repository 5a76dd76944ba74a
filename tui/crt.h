/*
 * crt.h - the only module that talks to ncurses about terminals and colours.
 *
 * As in htop's CRT, the rest of the viewer asks for *semantic* colours
 * (status bar, bias bar, bits level 3 on an odd token, ...) and CRT maps them
 * to whatever the terminal can do: direct RGB colour ("truecolor", when the
 * terminfo entry says so, e.g. TERM=xterm-direct), the 256-colour palette,
 * the 8 basic colours, or no colour at all (NO_COLOR, --mono, or a terminal
 * without colours) where levels become bold/underline combinations and the
 * cursor is reverse video.
 *
 * CRT also runs headless (output to /dev/null, a fixed size) so a script of
 * keys can be replayed and the screen dumped as text: that is how the
 * viewer's own tests and docs get their screens.
 */
#ifndef TUI_CRT_H
#define TUI_CRT_H

#define NCURSES_WIDECHAR 1
#include <curses.h>
#include <stdio.h>

typedef enum crt_mode {
    CRT_MONO = 0,
    CRT_8,
    CRT_256,
    CRT_TRUE,
} crt_mode;

typedef enum crt_color {
    CRT_NORMAL = 0,
    CRT_STATUS,       /* status line */
    CRT_STATUS_KEY,   /* emphasised part of the status line */
    CRT_TITLE,        /* pane titles */
    CRT_LABEL,        /* field names in the detail pane */
    CRT_DIM,          /* separators, axis */
    CRT_BAR_POS,      /* a component raising the actual token */
    CRT_BAR_NEG,      /* a component lowering it */
    CRT_ACTUAL,       /* the actual token in a top-k list */
    CRT_ERROR,        /* error messages */
    CRT_HELP_KEY,
    CRT_NCOLORS
} crt_color;

#define CRT_LEVELS 8   /* must equal TV_LEVELS */

typedef struct crt crt;

typedef struct crt_opts {
    int headless;          /* no terminal: draw into memory only */
    int width, height;     /* headless size */
    int force_mode;        /* -1 auto, else a crt_mode */
} crt_opts;

/* Starts ncurses. NULL with a message in err on failure. */
crt *crt_open(const crt_opts *o, char *err, size_t errlen);
/* Ends ncurses and restores the terminal. Accepts NULL. */
void crt_close(crt *c);

crt_mode crt_get_mode(const crt *c);
const char *crt_mode_name(crt_mode m);
int crt_utf8(const crt *c);
int crt_headless(const crt *c);

/* Headless only: changes the screen size (as a terminal resize would). */
void crt_resize(crt *c, int width, int height);

/* Sets the drawing attributes for a semantic colour. */
void crt_set(crt *c, crt_color col);
/* Attributes for a token of bits level `level` (0..TV_LEVELS-1); odd marks
 * every other token so boundaries show; current is the cursor token. */
void crt_set_level(crt *c, int level, int odd, int current);

/* Adds an underline to the attributes set (the range from the mark to the
 * cursor); nothing in mono mode, where underline is a bits level. */
void crt_underline(crt *c);

/* Attributes for a token without a colour (a colouring's n/a): plain,
 * reverse video for the cursor. */
void crt_set_plain(crt *c, int current);

/* Draws safe UTF-8 text (no control characters: callers escape untrusted
 * bytes first) at y, x, clipped to maxw columns. Returns columns used. */
int crt_text(crt *c, int y, int x, int maxw, const char *s);
/* Fills n columns with spaces in the current attributes. */
void crt_fill(crt *c, int y, int x, int n);

/* Writes the screen contents as UTF-8 text, one line per row, trailing
 * spaces removed. Returns 0 or -1 on a write error. */
int crt_dump(crt *c, FILE *f);

/* Block glyph for a sparkline level 0..7 (ASCII fallback without UTF-8). */
const char *crt_spark(const crt *c, int level);

#endif /* TUI_CRT_H */
