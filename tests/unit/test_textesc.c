/*
 * test_textesc.c - the terminal escaper (smix_text_unit, smix_text_escape):
 * the escapes of each kind of unit, printable text left alone, no cut
 * escapes when the output is short, and, over every code point and over
 * random bytes, an output that holds nothing a terminal would act on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smix.h"

static int pass, fail;
static void check(int cond, const char *name)
{
    printf("%s %s\n", cond ? "PASS" : "FAIL", name);
    if (cond) pass++; else fail++;
}

static const char *esc(const char *in, size_t n)
{
    static char out[256];
    smix_text_escape(in, n, out, sizeof out);
    return out;
}

static size_t put_utf8(uint8_t *u, uint32_t c)
{
    if (c < 0x80) { u[0] = (uint8_t)c; return 1; }
    if (c < 0x800) { u[0] = (uint8_t)(0xC0 | c >> 6); u[1] = (uint8_t)(0x80 | (c & 63)); return 2; }
    if (c < 0x10000) {
        u[0] = (uint8_t)(0xE0 | c >> 12); u[1] = (uint8_t)(0x80 | (c >> 6 & 63));
        u[2] = (uint8_t)(0x80 | (c & 63));
        return 3;
    }
    u[0] = (uint8_t)(0xF0 | c >> 18); u[1] = (uint8_t)(0x80 | (c >> 12 & 63));
    u[2] = (uint8_t)(0x80 | (c >> 6 & 63)); u[3] = (uint8_t)(0x80 | (c & 63));
    return 4;
}

/* Nothing a terminal acts on: no C0 control, no DEL, no C1 control in
 * UTF-8, no bidi override or other invisible format character, valid UTF-8. */
static int terminal_safe(const char *s)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        char e[SMIX_TEXT_ESC_MAX];
        size_t len = smix_text_unit(p + i, n - i, &cp, e);
        if (e[0]) return 0;   /* something that needed escaping got through */
        i += len;
    }
    return 1;
}

static void test_kinds(void)
{
    check(!strcmp(esc("evil\x1b]0;owned\a", 14), "evil\\x1B]0;owned\\x07"), "ESC and BEL as \\xNN");
    check(!strcmp(esc("a\nb\rc\td", 7), "a\\nb\\rc\\td"), "newline, return, tab");
    check(!strcmp(esc("\x7f\x00z", 3), "\\x7F\\x00z"), "DEL and NUL");
    check(!strcmp(esc("\xc2\x9b" "31m", 5), "\\u009B31m"), "a C1 control (CSI) as \\u009B");
    check(!strcmp(esc("\x9b" "31m", 4), "\\x9B31m"), "a lone 0x9B byte as \\x9B");
    check(!strcmp(esc("abc\xe2\x80\xae" "fed", 9), "abc\\u202Efed"), "RIGHT-TO-LEFT OVERRIDE");
    check(!strcmp(esc("\xe2\x81\xa6x\xe2\x81\xa9", 7), "\\u2066x\\u2069"), "isolates LRI .. PDI");
    check(!strcmp(esc("\xef\xbb\xbf" "x\xe2\x80\x8b", 7), "\\uFEFFx\\u200B"), "BOM and ZERO WIDTH SPACE");
    check(!strcmp(esc("\xf3\xa0\x80\x81", 4), "\\U000E0001"), "a tag character as \\U000E0001");
    check(!strcmp(esc("a\\b", 3), "a\\\\b"), "a backslash is doubled");
    check(!strcmp(esc("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80", 17),
                  "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80"), "printable UTF-8 is left alone");
    check(!strcmp(esc("\xc0\xaf\xed\xa0\x80", 5), "\\xC0\\xAF\\xED\\xA0\\x80"),
          "overlong forms and surrogates byte by byte");
    uint32_t cp;
    char e[SMIX_TEXT_ESC_MAX];
    check(smix_text_unit((const uint8_t *)"\\", 1, &cp, e) == 1 && !e[0] && cp == '\\',
          "smix_text_unit shows a backslash as it is");
}

static void test_short_output(void)
{
    char out[8];
    size_t used = smix_text_escape("ab\x1b\x1b", 4, out, sizeof out);
    check(!strcmp(out, "ab\\x1B") && used == 3, "a short output ends before an escape that does not fit");
    used = smix_text_escape("\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5", 9, out, 7);
    check(!strcmp(out, "\xe6\x97\xa5\xe6\x97\xa5") && used == 6, "... and before a character that does not fit");
    check(smix_text_escape("x", 1, out, 1) == 0 && out[0] == 0, "room for the NUL only: nothing written");
}

static void test_every_code_point(void)
{
    int safe = 1, shown = 0;
    char out[64];
    for (uint32_t c = 0; c <= 0x10FFFF; c++) {
        uint8_t u[4];
        if (c >= 0xD800 && c <= 0xDFFF) continue;
        size_t k = put_utf8(u, c);
        smix_text_escape(u, k, out, sizeof out);
        safe &= terminal_safe(out);
        shown += !strcmp(out, (const char *)memcpy((char[8]){0}, u, k));
    }
    check(safe, "every code point escapes to terminal-safe text");
    check(shown > 1000000, "almost every code point is shown as it is");
}

static void test_random_bytes(void)
{
    uint64_t s = 42;
    int safe = 1;
    char out[1024];
    for (int r = 0; r < 20000; r++) {
        uint8_t b[64];
        for (size_t i = 0; i < sizeof b; i++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            b[i] = (uint8_t)(s >> 56);
        }
        smix_text_escape(b, sizeof b, out, sizeof out);
        safe &= terminal_safe(out);
    }
    check(safe, "random bytes escape to terminal-safe text");
}

int main(void)
{
    test_kinds();
    test_short_output();
    test_every_code_point();
    test_random_bytes();
    printf("%d passed, %d failed\n", pass, fail);
    return fail != 0;
}
