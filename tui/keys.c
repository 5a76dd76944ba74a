/*
 * keys.c - key scripts for --keys and --keys-file.
 *
 * Plain characters stand for themselves; names in angle brackets for the
 * rest: <Enter> <Esc> <Space> <Tab> <BS> <Left> <Right> <Up> <Down> <PgUp>
 * <PgDn> <Home> <End> <lt> (a literal '<'), <C-x> (control-x), and two that
 * only make sense headless: <resize=WxH> and <click=X,Y> (0-based cell).
 * "\n" is Enter. Newlines in a key file are ignored, so a script can be
 * written one step per line.
 */
#define NCURSES_WIDECHAR 1
#include "app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct { const char *name; int key; } keys__names[] = {
    { "enter", '\n' }, { "esc", 27 }, { "space", ' ' }, { "tab", '\t' },
    { "bs", KEY_BACKSPACE }, { "left", KEY_LEFT }, { "right", KEY_RIGHT },
    { "up", KEY_UP }, { "down", KEY_DOWN }, { "pgup", KEY_PPAGE },
    { "pgdn", KEY_NPAGE }, { "home", KEY_HOME }, { "end", KEY_END }, { "lt", '<' },
};

static int keys__named(const char *name, size_t len, int *key)
{
    unsigned a, b;
    char buf[64];
    if (len >= sizeof buf) return -1;
    memcpy(buf, name, len);
    buf[len] = 0;
    for (size_t i = 0; i < sizeof keys__names / sizeof keys__names[0]; i++)
        if (strcasecmp(buf, keys__names[i].name) == 0) { *key = keys__names[i].key; return 0; }
    if (len == 3 && (buf[0] == 'C' || buf[0] == 'c') && buf[1] == '-') { *key = buf[2] & 0x1f; return 0; }
    if (sscanf(buf, "resize=%ux%u", &a, &b) == 2 && a > 0 && b > 0 && a < 4096 && b < 4096) {
        *key = APP_KEY_RESIZE_BASE | (int)(a << 12) | (int)b;
        return 0;
    }
    if (sscanf(buf, "click=%u,%u", &a, &b) == 2 && a < 4096 && b < 4096) {
        *key = APP_KEY_CLICK_BASE | (int)(a << 12) | (int)b;
        return 0;
    }
    return -1;
}

int keys_parse(const char *s, int **out, size_t *n, char *err, size_t errlen)
{
    size_t len = strlen(s), k = 0;
    int *v = malloc((len + 1) * sizeof *v);
    if (!v) { snprintf(err, errlen, "out of memory"); return -1; }
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\n' || s[i] == '\r') continue;
        if (s[i] == '\\' && s[i + 1] == 'n') { v[k++] = '\n'; i++; continue; }
        if (s[i] == '<') {
            const char *e = strchr(s + i, '>');
            int key;
            if (!e || keys__named(s + i + 1, (size_t)(e - s - i - 1), &key) != 0) {
                snprintf(err, errlen, "unknown key name at '%.20s' (try <Enter>, <lt>, <C-l>)", s + i);
                free(v);
                return -1;
            }
            v[k++] = key;
            i = (size_t)(e - s);
            continue;
        }
        v[k++] = (unsigned char)s[i];
    }
    *out = v;
    *n = k;
    return 0;
}
