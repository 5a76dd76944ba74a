/*
 * tv_keys.c - the key table of both viewers and the script parser (see
 * tv_keys.h).
 */
#include "tv_keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct tv__bind {
    tv_action act;
    int key[3];          /* 0: unused */
    unsigned who;
    const char *help;
} tv__bind;

#define BOTH (TV_TUI | TV_SDL)

static const tv__bind tv__table[] = {
    { TV_A_NEXT, { 'l', TV_KEY_RIGHT }, BOTH, "next token" },
    { TV_A_PREV, { 'h', TV_KEY_LEFT }, BOTH, "previous token" },
    { TV_A_DOWN, { 'j', TV_KEY_DOWN }, BOTH, "one line down (same column)" },
    { TV_A_UP, { 'k', TV_KEY_UP }, BOTH, "one line up" },
    { TV_A_PGDN, { TV_KEY_PGDN, TV_CTRL('f') }, BOTH, "one page down" },
    { TV_A_PGUP, { TV_KEY_PGUP, TV_CTRL('b') }, BOTH, "one page up" },
    { TV_A_FIRST, { 'g', TV_KEY_HOME }, BOTH, "first token" },
    { TV_A_LAST, { 'G', TV_KEY_END }, BOTH, "last token" },
    { TV_A_PLAY, { ' ' }, BOTH, "play / pause (the cursor advances on its own)" },
    { TV_A_FASTER, { '+', '=' }, BOTH, "play faster" },
    { TV_A_SLOWER, { '-' }, BOTH, "play slower" },
    { TV_A_SEARCH, { '/' }, BOTH, "search the text (smart case), Enter runs it, Esc cancels" },
    { TV_A_MATCH_NEXT, { 'n' }, BOTH, "next match" },
    { TV_A_MATCH_PREV, { 'N' }, BOTH, "previous match" },
    { TV_A_COSTLY_NEXT, { 'w' }, BOTH, "next costliest token (top 1% by bits)" },
    { TV_A_COSTLY_PREV, { 'W' }, BOTH, "previous costliest token" },
    { TV_A_JUMP, { ':' }, BOTH, "jump: 123 token number (from 0), @4567 or 4567b byte offset, 50%" },
    { TV_A_MARK, { 'm' }, BOTH, "set the mark" },
    { TV_A_TO_MARK, { '\'' }, BOTH, "jump to the mark (again: back)" },
    { TV_A_ZOOM_IN, { 'z' }, BOTH, "timeline: zoom in (fewer tokens per column)" },
    { TV_A_ZOOM_OUT, { 'Z' }, BOTH, "timeline: zoom out" },
    { TV_A_EXPLAIN, { 'e' }, BOTH, "explain line on / off" },
    { TV_A_SEP, { 'b' }, TV_TUI, "token separators on / off" },
    { TV_A_SUMMARY, { 's' }, BOTH, "summary: the report's figures, bits histogram, training loss" },
    { TV_A_TABLE, { 't' }, BOTH, "token table: sort by bits, a component, by id; filter; Enter jumps" },
    { TV_A_RANGE, { 'v' }, BOTH, "the range from the mark (m) to the cursor: bits, bpb, NEW, components; E: CSV" },
    { TV_A_COLOUR, { 'c' }, BOTH, "colour the text by: bits, SSM rank, final rank, NEW, top component, vs SSM" },
    { TV_A_SWAP, { 'x' }, TV_SDL, "compare mode: swap A and B" },
    { TV_A_PNG, { 'P' }, TV_SDL, "save the window as a PNG in the current directory" },
    { TV_A_PAN_LEFT, { '[' }, TV_SDL, "timeline: pan left (half the zoomed window)" },
    { TV_A_PAN_RIGHT, { ']' }, TV_SDL, "timeline: pan right" },
    { TV_A_DETAIL_DOWN, { '}' }, TV_TUI, "detail pane: scroll down to the rows that do not fit" },
    { TV_A_DETAIL_UP, { '{' }, TV_TUI, "detail pane: scroll up" },
    { TV_A_FONT_UP, { 'F' }, TV_SDL, "projector: larger text" },
    { TV_A_FONT_DOWN, { 'f' }, TV_SDL, "smaller text" },
    { TV_A_THEME, { 'T' }, TV_SDL, "projector: light high-contrast theme / dark theme" },
    { TV_A_HELP, { '?' }, BOTH, "this help (Esc closes)" },
    { TV_A_REDRAW, { TV_CTRL('l') }, TV_TUI, "redraw the screen" },
    { TV_A_QUIT, { 'q' }, BOTH, "quit" },
};

#define TV__N ((int)(sizeof tv__table / sizeof tv__table[0]))

tv_action tv_keys_action(int key, unsigned who)
{
    for (int i = 0; i < TV__N; i++) {
        if (!(tv__table[i].who & who)) continue;
        for (int k = 0; k < 3 && tv__table[i].key[k]; k++)
            if (tv__table[i].key[k] == key) return tv__table[i].act;
    }
    return TV_A_NONE;
}

static const struct { const char *name, *shown; int key; } tv__names[] = {
    { "enter", "Enter", TV_KEY_ENTER }, { "esc", "Esc", TV_KEY_ESC }, { "space", "space", ' ' },
    { "tab", "Tab", TV_KEY_TAB }, { "bs", "BS", TV_KEY_BS }, { "left", "Left", TV_KEY_LEFT },
    { "right", "Right", TV_KEY_RIGHT }, { "up", "Up", TV_KEY_UP }, { "down", "Down", TV_KEY_DOWN },
    { "pgup", "PgUp", TV_KEY_PGUP }, { "pgdn", "PgDn", TV_KEY_PGDN }, { "home", "Home", TV_KEY_HOME },
    { "end", "End", TV_KEY_END }, { "lt", "<", '<' },
};
#define TV__NNAMES ((int)(sizeof tv__names / sizeof tv__names[0]))

static void tv__key_label(int key, char *out, size_t len)
{
    for (int i = 0; i < TV__NNAMES; i++)
        if (tv__names[i].key == key && key != '<') { snprintf(out, len, "%s", tv__names[i].shown); return; }
    if (key > 0 && key < 0x20) snprintf(out, len, "^%c", key + '@');
    else snprintf(out, len, "%c", key);
}

int tv_keys_help(unsigned who, int i, char *keys, size_t keyslen, const char **help)
{
    int row = 0;
    for (int r = 0; r < TV__N; r++) {
        if (!(tv__table[r].who & who)) continue;
        if (row++ != i) continue;
        size_t o = 0;
        keys[0] = 0;
        for (int k = 0; k < 3 && tv__table[r].key[k] && o < keyslen; k++) {
            char l[16];
            tv__key_label(tv__table[r].key[k], l, sizeof l);
            o += (size_t)snprintf(keys + o, keyslen - o, "%s%s", k ? "  " : "", l);
        }
        *help = tv__table[r].help;
        return 0;
    }
    return -1;
}

static int tv__named(const char *name, size_t len, tv_key *k)
{
    unsigned a, b;
    char buf[64];
    if (len >= sizeof buf) return -1;
    memcpy(buf, name, len);
    buf[len] = 0;
    k->a = k->b = 0;
    for (int i = 0; i < TV__NNAMES; i++)
        if (strcasecmp(buf, tv__names[i].name) == 0) { k->key = tv__names[i].key; return 0; }
    if (len == 3 && (buf[0] == 'C' || buf[0] == 'c') && buf[1] == '-') { k->key = TV_CTRL(buf[2]); return 0; }
    if (sscanf(buf, "resize=%ux%u", &a, &b) == 2 && a > 0 && b > 0 && a < 4096 && b < 4096) {
        *k = (tv_key){ TV_KEY_RESIZE, (int)a, (int)b };
        return 0;
    }
    if (sscanf(buf, "click=%u,%u", &a, &b) == 2 && a < 4096 && b < 4096) {
        *k = (tv_key){ TV_KEY_CLICK, (int)a, (int)b };
        return 0;
    }
    return -1;
}

int tv_keys_parse(const char *s, tv_key **out, size_t *n, char *err, size_t errlen)
{
    size_t len = strlen(s), k = 0;
    tv_key *v = malloc((len + 1) * sizeof *v);
    if (!v) { snprintf(err, errlen, "out of memory"); return -1; }
    for (size_t i = 0; i < len; i++) {
        tv_key key = { (unsigned char)s[i], 0, 0 };
        if (s[i] == '\n' || s[i] == '\r') continue;
        if (s[i] == '\\' && (s[i + 1] == 'n' || s[i + 1] == 'e' || s[i + 1] == '\\')) {
            key.key = s[i + 1] == 'n' ? TV_KEY_ENTER : s[i + 1] == 'e' ? TV_KEY_ESC : '\\';
            i++;
        } else if (s[i] == '<') {
            const char *e = strchr(s + i, '>');
            if (!e || tv__named(s + i + 1, (size_t)(e - s - i - 1), &key) != 0) {
                snprintf(err, errlen, "unknown key name at '%.20s' (try <Enter>, <lt>, <C-l>)", s + i);
                free(v);
                return -1;
            }
            i = (size_t)(e - s);
        } else if ((unsigned char)s[i] >= 0x80) {   /* a UTF-8 character: its code point */
            unsigned c = (unsigned char)s[i];
            int more = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
            unsigned cp = c & (0x3F >> more);
            for (int m = 0; m < more && (s[i + 1] & 0xC0) == 0x80; m++) cp = cp << 6 | (s[++i] & 0x3F);
            key.key = (int)cp;
        }
        v[k++] = key;
    }
    *out = v;
    *n = k;
    return 0;
}
