/*
 * test_format_bits.c - the model bits that formats 8 to 11 added change
 * what they claim to change, and a decoder follows them.
 *
 * For coarse_classes (levels 1-2), skip_share, skip_share_wide,
 * byte_records, spell_new, byte_history (levels 3-9), escape_keys and
 * adam_no_momentum (levels 4-9): a level's configuration with
 * the bit and without it, on an input where the bit
 * matters, must give different payloads that both decode to the input. A
 * bit that the model ignored, or that a decoder read differently from the
 * encoder, fails here; the golden files only show that the headers parse.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../fuzz/fuzz_common.h"   /* fuzz_buf: a growable smix_write_fn buffer */
#include "codec.h"
#include "smix.h"

static int pass, fail;
static void check(int cond, const char *name)
{
    printf("%s %s\n", cond ? "PASS" : "FAIL", name);
    if (cond) pass++; else fail++;
}

/* Compresses in with cfg; 0 and the frame in out, or -1. */
static int compress_with(const smix_config *cfg, const uint8_t *in, size_t n, fuzz_buf *out)
{
    smix_params p = {.level = cfg->level, .threads = 1};
    smix_cctx *c = smix_cctx_create(&p);
    int ok = c && smix__cctx_set_config(c, cfg) == SMIX_OK && smix_compress(c, in, n, fuzz_buf_write, out, NULL) == SMIX_OK;
    smix_cctx_free(c);
    return ok ? 0 : -1;
}

static int decodes_to(const fuzz_buf *frame, const uint8_t *in, size_t n)
{
    smix_params p = {.threads = 1};
    smix_dctx *d = smix_dctx_create(&p);
    fuzz_buf out = {.limit = n};
    int ok = d && smix_decompress(d, frame->data, frame->len, fuzz_buf_write, &out, NULL) == SMIX_OK &&
             out.len == n && memcmp(out.data, in, n) == 0;
    smix_dctx_free(d);
    fuzz_buf_free(&out);
    return ok;
}

/* The payloads (after the header) of two frames differ. */
static int payloads_differ(const fuzz_buf *a, const fuzz_buf *b)
{
    size_t ha = a->len >= 8 ? (size_t)(a->data[6] | a->data[7] << 8) : 0;
    size_t hb = b->len >= 8 ? (size_t)(b->data[6] | b->data[7] << 8) : 0;
    return a->len - ha != b->len - hb || memcmp(a->data + ha, b->data + hb, a->len - ha) != 0;
}

/* A level's configuration with the 0/1 field at flag_offset set (as the
 * level sets it) and cleared; smaller: the bit must also give the smaller
 * frame. */
static void test_bit(int level, size_t flag_offset, const char *name, const uint8_t *in, size_t n, int smaller)
{
    smix_config on, off;
    smix_level_config(level, &on);
    off = on;
    char msg[160];
    snprintf(msg, sizeof msg, "level %d sets %s", level, name);
    check(((uint8_t *)&on)[flag_offset] == 1, msg);
    ((uint8_t *)&off)[flag_offset] = 0;
    fuzz_buf a = {.limit = SIZE_MAX}, b = {.limit = SIZE_MAX};
    snprintf(msg, sizeof msg, "level %d compresses with and without %s", level, name);
    check(compress_with(&on, in, n, &a) == 0 && compress_with(&off, in, n, &b) == 0, msg);
    snprintf(msg, sizeof msg, "level %d: %s changes the payload (%zu vs %zu bytes)", level, name, a.len, b.len);
    check(payloads_differ(&a, &b), msg);
    if (smaller) {
        snprintf(msg, sizeof msg, "level %d: %s makes the frame smaller (%zu vs %zu bytes)", level, name, a.len, b.len);
        check(a.len < b.len, msg);
    }
    snprintf(msg, sizeof msg, "level %d: both frames decode to the input", level);
    check(decodes_to(&a, in, n) && decodes_to(&b, in, n), msg);
    fuzz_buf_free(&a);
    fuzz_buf_free(&b);
}

/* Sentences of two words: the token two back of the second word is "."
 * at every one of thousands of positions, with a hundred different
 * followers: a skip context past skip_share's thresholds (its first 90 KB
 * make enough classes for coarse_classes to matter). */
static size_t make_text(uint8_t *out, size_t cap)
{
    static const char *w[] = {
        "the", "of", "and", "to", "in", "is", "was", "for", "on", "that", "with", "as", "by", "at",
        "from", "his", "her", "it", "an", "be", "are", "or", "this", "which", "had", "not", "but",
        "one", "were", "have", "their", "they", "has", "been", "all", "who", "its", "new", "more",
        "also", "other", "after", "first", "when", "can", "into", "there", "some", "time", "two",
        "would", "out", "only", "about", "over", "many", "most", "such", "then", "them", "these",
        "than", "may", "made", "between", "world", "city", "state", "war", "year", "part", "under",
        "during", "both", "three", "where", "before", "through", "while", "people", "known", "since",
        "water", "house", "music", "film", "book", "later", "early", "called", "name", "used", "life",
        "history", "school", "church", "family", "north", "south", "light" };
    size_t nw = sizeof w / sizeof w[0], n = 0;
    uint32_t s = 12345;
    while (n + 64 < cap) {
        s = s * 1103515245u + 12345u;
        n += (size_t)snprintf((char *)out + n, cap - n, ". %s %s", w[(s >> 8) % nw], w[(s >> 20) % nw]);
    }
    return n;
}

/* Rows of 40 bytes, as in a table: a row number, a few small numbers that
 * change slowly down each column, a label from a short list, padding.
 * The byte 40 back predicts most bytes; the last few bytes do not. */
static size_t make_records(uint8_t *out, size_t cap)
{
    static const char *label[] = { "north", "south", "east", "west", "centre", "port", "hill" };
    size_t n = 0;
    uint32_t s = 777, v[4] = { 1000, 2000, 3000, 4000 };
    for (uint32_t row = 0; n + 40 <= cap; row++) {
        uint8_t *r = out + n;
        memset(r, 0, 40);
        for (int k = 0; k < 4; k++) r[k] = (uint8_t)(row >> (8 * k));
        for (int c = 0; c < 4; c++) {
            s = s * 1103515245u + 12345u;
            v[c] += (s >> 16) % 5;
            r[4 + 4 * c] = (uint8_t)v[c];
            r[5 + 4 * c] = (uint8_t)(v[c] >> 8);
        }
        s = s * 1103515245u + 12345u;
        memcpy(r + 24, label[(s >> 16) % 7], strlen(label[(s >> 16) % 7]));
        r[39] = 0xFF;
        n += 40;
    }
    return n;
}

/* Words made of syllables, thousands of them: many first occurrences,
 * spelled from parts the byte model has seen. */
static size_t make_words(uint8_t *out, size_t cap)
{
    static const char *syl[] = { "ka", "ro", "mi", "tel", "san", "du", "ver", "lo", "pa", "ni",
                                 "gor", "shi", "ba", "est", "un", "qui", "fa", "zo", "den", "ly" };
    size_t n = 0;
    uint32_t s = 4242;
    while (n + 16 < cap) {
        s = s * 1103515245u + 12345u;
        uint32_t k = 2 + (s >> 30);
        out[n++] = ' ';
        for (uint32_t j = 0; j < k; j++) {
            s = s * 1103515245u + 12345u;
            const char *y = syl[(s >> 16) % 20];
            size_t l = strlen(y);
            memcpy(out + n, y, l);
            n += l;
        }
    }
    return n;
}

int main(void)
{
    /* skip_share applies from a block's token 2^18 on: about 290,000
     * tokens of these sentences */
    size_t cap = 1000000;
    uint8_t *text = malloc(cap);
    if (!text) return 1;
    size_t n = make_text(text, cap);
    test_bit(1, offsetof(smix_config, coarse_classes), "coarse_classes", text, 90000, 0);
    test_bit(3, offsetof(smix_config, skip_share), "skip_share", text, n, 0);
    /* skip_share_wide: the skip context of a sentence's first word (the
     * word two back) has a hundred followers, a total past 1,024 and
     * below 4,096 by then */
    test_bit(3, offsetof(smix_config, skip_share_wide), "skip_share_wide", text, n, 0);
    /* byte_records: 60,000 bytes of 40-byte rows */
    n = make_records(text, 60000);
    test_bit(3, offsetof(smix_config, byte_records), "byte_records", text, n, 1);
    /* spell_new: 60,000 bytes of made-up words */
    n = make_words(text, 60000);
    test_bit(3, offsetof(smix_config, spell_new), "spell_new", text, n, 1);
    /* byte_history: the same words, the first 20,000 bytes twice: the
     * second copy is one long match */
    memcpy(text + 20000, text, 20000);
    test_bit(3, offsetof(smix_config, byte_history), "byte_history", text, 40000, 1);
    /* adam_no_momentum: the SSM trains differently (level 4 has the SSM) */
    test_bit(4, offsetof(smix_config, adam_no_momentum), "adam_no_momentum", text, 20000, 0);
    /* escape_keys: the escapes' sums by key add in another order (the
     * same probabilities but for rounding); the made-up words escape often
     * (level 4 walks escapes) */
    n = make_words(text, 20000);
    test_bit(4, offsetof(smix_config, escape_keys), "escape_keys", text, n, 0);
    free(text);
    printf("%d passed, %d failed\n", pass, fail);
    return fail != 0;
}
