/*
 * test_tok.c - the BPE tokenizer: round trips on hostile inputs at several
 * vocabulary limits, the fast encoder against a naive reference BPE, the
 * pre-splitter's contract, and that text really gets shorter.
 */
#include "tok.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int g_pass, g_fail;

static void check(int ok, const char *name)
{
    printf("%s %s\n", ok ? "PASS" : "FAIL", name);
    if (ok) g_pass++;
    else g_fail++;
}

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static const char k_text[] =
    "It was the best of times, it was the worst of times; the reader's "
    "patience isn't infinite, so we don't repeat ourselves.\n\n"
    "<page>\n    <title>Compression</title>\n    <text xml:space=\"preserve\">"
    "'''Data compression''' is the process of encoding [[information]] using "
    "fewer [[bit]]s than the original representation &quot;does&quot; &amp; "
    "more.</text>\n</page>\n"
    "int main(void) { return printf(\"%d\\n\", 42) < 0; }\n"
    "Caf\xc3\xa9 na\xc3\xafve \xe2\x80\x94 r\xc3\xa9sum\xc3\xa9 1913 2024-12-04\r\n";

/* ---- naive reference: plain BPE with a sorted merge list, no caches ---- */

typedef struct { uint32_t a, b, id; } merge;

static int cmp_merge(const void *x, const void *y)
{
    const merge *p = x, *q = y;
    if (p->a != q->a) return p->a < q->a ? -1 : 1;
    if (p->b != q->b) return p->b < q->b ? -1 : 1;
    return 0;
}

static uint32_t ref_lookup(const merge *m, size_t nm, uint32_t a, uint32_t b, uint32_t limit)
{
    merge key = { a, b, 0 };
    const merge *hit = bsearch(&key, m, nm, sizeof *m, cmp_merge);
    return hit && hit->id < limit ? hit->id : UINT32_MAX;
}

static size_t ref_encode(const merge *m, size_t nm, uint32_t limit, const uint8_t *src,
                         size_t n, uint32_t *out)
{
    size_t k = 0;
    for (size_t pos = 0; pos < n;) {
        size_t len = tok_chunk_len(src + pos, n - pos), cnt = len;
        uint32_t *t = out + k;
        for (size_t i = 0; i < len; i++) t[i] = src[pos + i];
        for (;;) { /* merge the leftmost pair with the lowest id */
            size_t best = SIZE_MAX;
            uint32_t bid = UINT32_MAX;
            for (size_t i = 0; i + 1 < cnt; i++) {
                uint32_t id = ref_lookup(m, nm, t[i], t[i + 1], limit);
                if (id < bid) { bid = id; best = i; }
            }
            if (best == SIZE_MAX) break;
            t[best] = bid;
            memmove(t + best + 1, t + best + 2, (cnt - best - 2) * sizeof *t);
            cnt--;
        }
        k += cnt;
        pos += len;
    }
    return k;
}

static merge *ref_merges(const tok_vocab *v, size_t *nm)
{
    uint32_t size = tok_vocab_size(v);
    merge *m = malloc((size - 256 + 1) * sizeof *m);
    if (!m) return NULL;
    for (uint32_t id = 256; id < size; id++) {
        m[id - 256].id = id;
        tok_parts(v, id, &m[id - 256].a, &m[id - 256].b);
    }
    qsort(m, size - 256, sizeof *m, cmp_merge);
    *nm = size - 256;
    return m;
}

/* ---- round trips ---- */

typedef struct {
    const tok_vocab *v;
    uint32_t *ids;
    uint8_t *back;
    const merge *m;
    size_t nm;
} fixture;

/* Encodes at several limits; checks round trip, id range, count <= n, and
 * equality with the reference encoder. */
static int round_trip(const fixture *f, const uint8_t *src, size_t n)
{
    uint32_t size = tok_vocab_size(f->v);
    uint32_t limits[] = { 256, 1000, 4096, size };
    for (size_t li = 0; li < sizeof limits / sizeof limits[0]; li++) {
        size_t k = tok_encode(f->v, limits[li], src, n, f->ids);
        if (k > n) return 0;
        for (size_t i = 0; i < k; i++)
            if (f->ids[i] >= limits[li]) return 0;
        if (tok_decode(f->v, f->ids, k, f->back, n) != n) return 0;
        if (n && memcmp(f->back, src, n) != 0) return 0;
        size_t kr = ref_encode(f->m, f->nm, limits[li], src, n, f->ids + n);
        if (kr != k || memcmp(f->ids, f->ids + n, k * sizeof *f->ids) != 0) return 0;
    }
    return 1;
}

static void test_round_trips(const fixture *f, uint8_t *buf, size_t cap)
{
    uint64_t s = 0x9e3779b97f4a7c15ULL;
    check(round_trip(f, buf, 0), "empty input");
    for (size_t i = 0; i < 256; i++) buf[i] = (uint8_t)i;
    check(round_trip(f, buf, 256), "all 256 byte values");
    for (size_t i = 0; i < 256; i++) buf[i] = (uint8_t)(255 - i);
    check(round_trip(f, buf, 256), "all 256 byte values, descending");
    for (size_t i = 0; i < cap; i++) buf[i] = (uint8_t)rng_next(&s);
    check(round_trip(f, buf, cap), "random bytes");
    memset(buf, 0, 5000);
    check(round_trip(f, buf, 5000), "NUL run");
    const char *bad[] = { "\xff\xfe", "\xc3", "\xe2\x80", "\xed\xa0\x80", "\xf8\x88\x80\x80\x80",
                          "\xc0\xaf", "a\x80z" };
    size_t n = 0;
    for (int r = 0; r < 200; r++)
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            size_t l = strlen(bad[i]);
            memcpy(buf + n, bad[i], l);
            n += l;
            buf[n++] = (uint8_t)"  x.\n"[r % 5];
        }
    check(round_trip(f, buf, n), "invalid UTF-8");
    const uint8_t runs[] = { 'a', ' ', '\n', '=', '7', 0xff };
    for (size_t r = 0; r < sizeof runs; r++) {
        memset(buf, runs[r], 3000);
        if (!round_trip(f, buf, 3000)) { check(0, "long runs"); return; }
    }
    check(1, "long runs");
    /* a whole buffer of one letter: round trip without the slow reference
     * (this took seconds when each chunk rescanned the rest of the run) */
    memset(buf, 'e', cap);
    size_t k = tok_encode(f->v, tok_vocab_size(f->v), buf, cap, f->ids);
    check(k < cap && tok_decode(f->v, f->ids, k, f->back, cap) == cap &&
          memcmp(f->back, buf, cap) == 0, "64 KB run of one letter");
    for (n = 0; n + sizeof k_text <= cap; n += sizeof k_text - 1)
        memcpy(buf + n, k_text, sizeof k_text - 1);
    check(round_trip(f, buf, n), "text (repeated)");
    /* text with random bytes sprinkled in: every chunk-boundary situation */
    for (size_t i = 0; i < n; i++)
        if (rng_next(&s) % 17 == 0) buf[i] = (uint8_t)rng_next(&s);
    check(round_trip(f, buf, n), "text with random damage");
}

/* ---- the rest ---- */

typedef struct token_ref { const uint8_t *b; uint32_t len; } token_ref;

static int cmp_token_ref(const void *pa, const void *pb)
{
    const token_ref *a = pa, *b = pb;
    int c = memcmp(a->b, b->b, a->len < b->len ? a->len : b->len);
    return c ? c : (a->len > b->len) - (a->len < b->len);
}

static int unique_strings(const tok_vocab *v)
{
    uint32_t size = tok_vocab_size(v);
    token_ref *t = malloc(size * sizeof *t);
    if (!t) return 0;
    for (uint32_t i = 0; i < size; i++) t[i].b = tok_bytes(v, i, &t[i].len);
    qsort(t, size, sizeof *t, cmp_token_ref);
    int ok = 1;
    for (uint32_t i = 1; i < size; i++) ok &= cmp_token_ref(&t[i - 1], &t[i]) != 0;
    free(t);
    return ok;
}

static void test_vocab(const tok_vocab *v)
{
    uint32_t size = tok_vocab_size(v), len, l, r;
    check(size >= 4096 && size <= (1u << 18), "vocabulary size in range");
    int bytes_ok = 1;
    for (uint32_t i = 0; i < 256; i++) {
        const uint8_t *p = tok_bytes(v, i, &len);
        bytes_ok &= p && len == 1 && p[0] == i;
    }
    check(bytes_ok, "ids 0..255 are the single bytes");
    check(tok_bytes(v, size, &len) == NULL && len == 0, "out-of-range id returns NULL");
    check(tok_bytes(v, UINT32_MAX, NULL) == NULL, "huge id returns NULL");
    check(tok_bytes(NULL, 0, &len) == NULL, "NULL vocab returns NULL");
    check(!tok_parts(v, 65, &l, &r) && !tok_parts(v, size, &l, &r), "tok_parts of bytes/out of range");
    int parts_ok = 1;
    for (uint32_t id = 256; id < size && parts_ok; id++) {
        uint32_t la, lb;
        const uint8_t *p = tok_bytes(v, id, &len), *pa, *pb;
        parts_ok = tok_parts(v, id, &l, &r) && l < id && r < id;
        pa = tok_bytes(v, l, &la);
        pb = tok_bytes(v, r, &lb);
        parts_ok = parts_ok && len == la + lb && len <= TOK_CHUNK_MAX && !memcmp(p, pa, la) &&
                   !memcmp(p + la, pb, lb);
    }
    check(parts_ok, "every merge = its parts concatenated, parts earlier");
    check(unique_strings(v), "no two tokens have the same bytes (tokbits.c tells candidates apart by them)");
    uint32_t one = 7;
    uint8_t out[4];
    check(tok_decode(v, &one, 1, out, 0) == 1, "tok_decode reports length past cap");
    one = size;
    check(tok_decode(v, &one, 1, out, 4) == SIZE_MAX, "tok_decode rejects bad id");
}

/* engine/vocab_order.c is generated: it must be every id once, in the
 * order of their bytes (memcmp, a prefix before what extends it), or the
 * first-occurrence coder would code ids against a stale order. */
static void test_byte_order(const tok_vocab *v)
{
    uint32_t n, len_a, len_b;
    const uint16_t *order = tok_byte_order(&n);
    uint8_t *seen = calloc(n ? n : 1, 1);
    int perm = n == tok_vocab_size(v) && seen, sorted = 1;
    for (uint32_t i = 0; perm && i < n; i++) {
        perm = order[i] < n && !seen[order[i]];
        if (perm) seen[order[i]] = 1;
    }
    for (uint32_t i = 1; perm && sorted && i < n; i++) {
        const uint8_t *a = tok_bytes(v, order[i - 1], &len_a), *b = tok_bytes(v, order[i], &len_b);
        int c = memcmp(a, b, len_a < len_b ? len_a : len_b);
        sorted = c < 0 || (c == 0 && len_a < len_b);
    }
    check(perm, "vocab_order.c lists every id of the vocabulary once");
    check(perm && sorted, "vocab_order.c lists them in byte order (regenerate it: make vocab-order)");
    free(seen);
}

static void test_chunks(void)
{
    const uint8_t *t = (const uint8_t *)k_text;
    size_t n = sizeof k_text - 1, sum = 0, ok = 1;
    while (sum < n) {
        size_t m = tok_chunk_len(t + sum, n - sum);
        ok &= m >= 1 && m <= TOK_CHUNK_MAX;
        if (!m) break;
        sum += m;
    }
    check(ok && sum == n, "chunks tile the input");
    check(tok_chunk_len(t, 0) == 0, "chunk of empty input");
    check(tok_chunk_len((const uint8_t *)" the cat", 8) == 4, "chunk: ' the'");
    check(tok_chunk_len((const uint8_t *)" don't", 6) == 6, "chunk: apostrophe in word");
    check(tok_chunk_len((const uint8_t *)"&quot;x", 7) == 6, "chunk: entity");
    check(tok_chunk_len((const uint8_t *)"\n   x", 5) == 3, "chunk: space left to word");
    uint8_t run[200];
    memset(run, 'a', sizeof run);
    check(tok_chunk_len(run, sizeof run) == TOK_CHUNK_MAX, "chunk: capped");
}

static void test_compresses(const fixture *f)
{
    const uint8_t *t = (const uint8_t *)k_text;
    size_t n = sizeof k_text - 1;
    uint32_t size = tok_vocab_size(f->v);
    size_t k256 = tok_encode(f->v, 256, t, n, f->ids);
    size_t k1k = tok_encode(f->v, 1024, t, n, f->ids);
    size_t kall = tok_encode(f->v, size, t, n, f->ids);
    check(k256 == n, "limit 256: one token per byte");
    check(k1k < n && kall < k1k, "bigger vocabulary, fewer tokens");
    check(kall * 5 < n * 2, "text: full vocabulary under 0.4 tokens per byte");
    check(tok_encode(f->v, 0, t, n, f->ids) == n && tok_encode(f->v, UINT32_MAX, t, n, f->ids) == kall,
          "limit clamped to [256, size]");
}

int main(void)
{
    enum { CAP = 1 << 16 };
    fixture f = { tok_builtin(), malloc(2 * (CAP + 1) * sizeof(uint32_t)), malloc(CAP + 1),
                  NULL, 0 };
    merge *m = ref_merges(f.v, &f.nm);
    uint8_t *buf = malloc(CAP);
    if (!f.ids || !f.back || !m || !buf) {
        printf("FAIL out of memory\n");
        return 1;
    }
    f.m = m;
    test_vocab(f.v);
    test_byte_order(f.v);
    test_chunks();
    test_round_trips(&f, buf, CAP);
    test_compresses(&f);
    free(f.ids); free(f.back); free(m); free(buf);
    printf("%d passed, %d failed\n", g_pass, g_fail);
    return g_fail != 0;
}
