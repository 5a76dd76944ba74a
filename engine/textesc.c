/*
 * textesc.c - the one rule for showing untrusted text (file names, token
 * text, messages that quote them) on a terminal or in a viewer.
 *
 * A terminal acts on what it is sent: ESC and CSI start sequences that set
 * the window title, write the clipboard (OSC 52) or answer queries into the
 * input; C1 controls (U+0080..U+009F) do the same on terminals that take
 * 8-bit controls; bidirectional overrides and other invisible format
 * characters make text read differently from the bytes it holds. So only
 * printable UTF-8 goes out as it is; every other unit becomes a visible,
 * unambiguous escape:
 *
 *   \n \r \t                  newline, carriage return, tab
 *   \xNN                      any other C0 control, DEL, and every byte that
 *                             is not part of valid UTF-8 (NN = the byte)
 *   \uXXXX, \UXXXXXXXX        C1 controls and invisible format characters
 *                             (bidi controls, zero-width characters, line and
 *                             paragraph separators, BOM, tags), by code point
 *   \\                        a backslash, in escaped strings (so that every
 *                             backslash there starts an escape)
 *
 * The CLI, the TUI and the viewer all decide through smix_text_unit, so they
 * agree on what is shown as it is; the TUI and the viewer draw some escapes
 * their own way (a return arrow for a newline, a colour for escapes).
 */
#include "smix.h"

#include <stdio.h>
#include <string.h>

/* Code points that draw nothing or change how text around them reads. */
static int invisible(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9F) ||         /* C1 controls */
           cp == 0xAD ||                         /* soft hyphen */
           cp == 0x061C ||                       /* Arabic letter mark */
           cp == 0x180E ||                       /* Mongolian vowel separator */
           (cp >= 0x200B && cp <= 0x200F) ||     /* zero widths, LRM, RLM */
           (cp >= 0x2028 && cp <= 0x202E) ||     /* line/paragraph separators, LRE..RLO */
           (cp >= 0x2060 && cp <= 0x206F) ||     /* word joiner, invisible operators, LRI..PDI */
           cp == 0xFEFF ||                       /* BOM, zero-width no-break space */
           (cp >= 0xFFF9 && cp <= 0xFFFB) ||     /* interlinear annotations */
           (cp >= 0xE0000 && cp <= 0xE007F);     /* tags */
}

size_t smix_text_unit(const uint8_t *p, size_t n, uint32_t *cp, char esc[SMIX_TEXT_ESC_MAX])
{
    esc[0] = '\0';
    if (!n) { *cp = 0; return 0; }
    size_t len = smix_utf8_decode(p, n, cp);
    if (len == 0) {                               /* not valid UTF-8: the byte */
        *cp = p[0];
        snprintf(esc, SMIX_TEXT_ESC_MAX, "\\x%02X", p[0]);
        return 1;
    }
    uint32_t c = *cp;
    if (c == '\n') memcpy(esc, "\\n", 3);
    else if (c == '\r') memcpy(esc, "\\r", 3);
    else if (c == '\t') memcpy(esc, "\\t", 3);
    else if (c < 0x20 || c == 0x7F) snprintf(esc, SMIX_TEXT_ESC_MAX, "\\x%02X", (unsigned)c);
    else if (invisible(c)) snprintf(esc, SMIX_TEXT_ESC_MAX, c > 0xFFFF ? "\\U%08X" : "\\u%04X", (unsigned)c);
    return len;
}

size_t smix_text_escape(const void *src, size_t n, char *out, size_t outlen)
{
    const uint8_t *p = src;
    size_t i = 0, o = 0;
    if (!outlen) return 0;
    while (i < n) {
        uint32_t cp;
        char esc[SMIX_TEXT_ESC_MAX];
        size_t len = smix_text_unit(p + i, n - i, &cp, esc);
        const char *show = esc[0] ? esc : cp == '\\' ? "\\\\" : (const char *)p + i;
        size_t k = esc[0] || cp == '\\' ? strlen(show) : len;
        if (o + k + 1 > outlen) break;   /* never cut an escape or a character */
        memcpy(out + o, show, k);
        o += k;
        i += len;
    }
    out[o] = '\0';
    return i;
}
