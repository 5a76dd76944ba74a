/*
 * tv_keys.h - the keys of both viewers: one table, one script syntax.
 *
 * Every command a viewer has is a tv_action; the table below binds keys to
 * actions and holds the line of help for each, so the key help of smix-tui
 * (`?`) and of smix-view (`?`) are both generated from it and the two
 * viewers answer the same keys the same way. A front-end turns its own
 * events (an ncurses key code, an SDL key or text event) into a tv key:
 * a Unicode character, a control character (TV_CTRL('f')), or one of the
 * named keys TV_KEY_*; tv_keys_action maps it to the action.
 *
 * Scripts (--keys, --keys-file, in both viewers): plain characters stand
 * for themselves; <Enter> <Esc> <Space> <Tab> <BS> <Left> <Right> <Up>
 * <Down> <PgUp> <PgDn> <Home> <End> <lt> (a literal '<') and <C-x>
 * (control-x) for the rest; "\n" is Enter, "\e" Escape, "\\" a backslash;
 * newlines are ignored (a file can hold one step per line). Two more are
 * for headless runs: <resize=WxH> and <click=X,Y> (a cell, 0-based).
 */
#ifndef TV_KEYS_H
#define TV_KEYS_H

#include <stddef.h>

typedef enum tv_action {
    TV_A_NONE = 0,
    TV_A_NEXT, TV_A_PREV, TV_A_DOWN, TV_A_UP, TV_A_PGDN, TV_A_PGUP, TV_A_FIRST, TV_A_LAST,
    TV_A_PLAY, TV_A_FASTER, TV_A_SLOWER,
    TV_A_SEARCH, TV_A_MATCH_NEXT, TV_A_MATCH_PREV, TV_A_COSTLY_NEXT, TV_A_COSTLY_PREV,
    TV_A_JUMP, TV_A_MARK, TV_A_TO_MARK,
    TV_A_ZOOM_IN, TV_A_ZOOM_OUT, TV_A_EXPLAIN, TV_A_SEP, TV_A_SUMMARY, TV_A_TABLE, TV_A_RANGE,
    TV_A_COLOUR, TV_A_SWAP, TV_A_PNG, TV_A_FONT_UP, TV_A_FONT_DOWN, TV_A_THEME, TV_A_PAN_LEFT,
    TV_A_PAN_RIGHT, TV_A_DETAIL_DOWN, TV_A_DETAIL_UP,
    TV_A_HELP, TV_A_REDRAW, TV_A_QUIT,
    TV_A_COUNT
} tv_action;

/* Which viewer has an action. */
#define TV_TUI 1u
#define TV_SDL 2u

/* Named keys, above every Unicode code point. */
enum {
    TV_KEY_ENTER = 0x110000, TV_KEY_ESC, TV_KEY_TAB, TV_KEY_BS, TV_KEY_LEFT, TV_KEY_RIGHT,
    TV_KEY_UP, TV_KEY_DOWN, TV_KEY_PGUP, TV_KEY_PGDN, TV_KEY_HOME, TV_KEY_END,
    TV_KEY_RESIZE,   /* script only: a = width, b = height */
    TV_KEY_CLICK,    /* script only: a = column, b = row */
};
#define TV_CTRL(c) ((c) & 0x1f)

/* The action bound to key in viewer `who` (TV_TUI or TV_SDL), or TV_A_NONE. */
tv_action tv_keys_action(int key, unsigned who);

/* Row i of the help of viewer `who`: the keys as shown ("l  Right") and
 * what they do. Returns 0, or -1 past the last row. */
int tv_keys_help(unsigned who, int i, char *keys, size_t keyslen, const char **help);

/* One step of a script. */
typedef struct tv_key {
    int key;      /* a character or TV_KEY_* */
    int a, b;     /* TV_KEY_RESIZE, TV_KEY_CLICK */
} tv_key;

/* Parses a script into a new array (*out, *n; free it). Returns 0, or -1
 * with a message in err. */
int tv_keys_parse(const char *s, tv_key **out, size_t *n, char *err, size_t errlen);

#endif /* TV_KEYS_H */
