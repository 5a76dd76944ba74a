/*
 * tok.c - byte-level BPE: pre-splitting, merge application, detokenising.
 *
 * Design. Training (tools/vocab_train.c) cut text into chunks with
 * tok_chunk_len and learned merges inside chunks; merge k made id 256+k.
 * Encoding repeats that on new text: cut into the same chunks, start each
 * chunk as single bytes, and repeatedly merge the adjacent pair whose merged
 * id is lowest (the earliest learned) until no pair with an id < limit is
 * left. That is exactly the tokenisation a BPE of `limit` entries gives, so
 * a prefix of the table is a consistent smaller vocabulary. (Greedy
 * longest-match over the same table was measured too: docs/vocab.md.)
 *
 * Cost. A chunk has at most TOK_CHUNK_MAX bytes, so the per-chunk work lives
 * in two fixed arrays on the stack. Each merge rescans the chunk's pairs
 * (O(m^2) for m bytes, m ~ 5 for text, 64 at worst). A pair lookup reads the
 * sorted list of merges whose left part is the left token (first/pair
 * tables) and binary-searches it by right part; a pair cache and a cache
 * of whole short chunks (text repeats its words) skip most lookups.
 */
#include "tok.h"

#include <string.h>

#define NO_MERGE UINT32_MAX

/* Reads the i-th w-digit base-64 number of a packed table. */
static inline uint32_t packed(const char *t, size_t i, unsigned w)
{
    const unsigned char *p = (const unsigned char *)t + i * w;
    uint32_t v = 0;
    for (unsigned k = 0; k < w; k++)
        v = (v << 6) | (uint32_t)(p[k] - TOK__DIGIT0);
    return v;
}

uint32_t tok_vocab_size(const tok_vocab *v)
{
    return v ? v->size : 0;
}

const uint8_t *tok_bytes(const tok_vocab *v, uint32_t id, uint32_t *len)
{
    if (!v || id >= v->size) {
        if (len) *len = 0;
        return NULL;
    }
    uint32_t a = packed(v->off, id, TOK__OFF_W);
    uint32_t b = packed(v->off, (size_t)id + 1, TOK__OFF_W);
    if (len) *len = b - a;
    return v->bytes + a;
}

int tok_parts(const tok_vocab *v, uint32_t id, uint32_t *left, uint32_t *right)
{
    if (!v || id < 256 || id >= v->size) return 0;
    size_t i = (size_t)(id - 256) * 2;
    if (left) *left = packed(v->parts, i, TOK__ID_W);
    if (right) *right = packed(v->parts, i + 1, TOK__ID_W);
    return 1;
}

/* The id that merging (a, b) makes, or NO_MERGE if none below limit. */
static uint32_t merge_id(const tok_vocab *v, uint32_t limit, uint32_t a, uint32_t b)
{
    size_t lo = packed(v->first, a, TOK__ID_W);
    size_t hi = packed(v->first, (size_t)a + 1, TOK__ID_W);
    while (lo < hi) { /* pair[lo..hi) sorted by right part */
        size_t mid = lo + (hi - lo) / 2;
        uint32_t r = packed(v->pair, mid * 2, TOK__ID_W);
        if (r == b) {
            uint32_t id = packed(v->pair, mid * 2 + 1, TOK__ID_W);
            return id < limit ? id : NO_MERGE;
        }
        if (r < b) lo = mid + 1;
        else hi = mid;
    }
    return NO_MERGE;
}

/* A direct-mapped cache of pair lookups, on the caller's stack: text reuses
 * few pairs, and a hit costs one load instead of a binary search. An entry
 * is (a << 18 | b) << 19 | result (0x7ffff for none); all ones is empty,
 * a key no pair of ids < 2^18 has. */
#define CACHE_BITS 12
typedef struct {
    const tok_vocab *v;
    uint32_t limit;
    uint64_t e[1u << CACHE_BITS];
} pair_cache;

static uint32_t cached_merge(pair_cache *c, uint32_t a, uint32_t b)
{
    uint64_t key = ((uint64_t)a << 18) | b;
    size_t h = (size_t)((key * 0x9e3779b97f4a7c15ULL) >> (64 - CACHE_BITS));
    if (c->e[h] >> 19 == key) {
        uint32_t r = (uint32_t)(c->e[h] & 0x7ffff);
        return r == 0x7ffff ? NO_MERGE : r;
    }
    uint32_t id = merge_id(c->v, c->limit, a, b);
    c->e[h] = (key << 19) | (id == NO_MERGE ? 0x7ffff : id);
    return id;
}

/* BPE of one chunk src[0..m), m <= TOK_CHUNK_MAX. Returns ids written. */
static size_t encode_chunk(pair_cache *c, const uint8_t *src, size_t m, uint32_t *out)
{
    uint32_t t[TOK_CHUNK_MAX];    /* current tokens of the chunk */
    uint32_t r[TOK_CHUNK_MAX];    /* r[i]: id of merging t[i], t[i+1] */
    size_t k = m;
    for (size_t i = 0; i < m; i++) t[i] = src[i];
    for (size_t i = 0; i + 1 < k; i++) r[i] = cached_merge(c, t[i], t[i + 1]);
    while (k > 1) {
        size_t best = 0;
        for (size_t i = 1; i + 1 < k; i++)
            if (r[i] < r[best]) best = i;
        if (r[best] == NO_MERGE) break;
        t[best] = r[best];
        /* drop t[best+1] and the pair it started */
        memmove(t + best + 1, t + best + 2, (k - best - 2) * sizeof t[0]);
        if (best + 2 < k)
            memmove(r + best + 1, r + best + 2, (k - best - 3) * sizeof r[0]);
        k--;
        if (best > 0) r[best - 1] = cached_merge(c, t[best - 1], t[best]);
        if (best + 1 < k) r[best] = cached_merge(c, t[best], t[best + 1]);
    }
    memcpy(out, t, k * sizeof t[0]);
    return k;
}

/* Text repeats its words: results for short chunks are kept in a
 * direct-mapped cache on the caller's stack, keyed by the chunk's bytes. */
#define WCACHE_BITS 11
#define WCACHE_BYTES 16 /* chunks up to this long are cached */
#define WCACHE_IDS 6    /* ... if they give at most this many ids, all < 2^16 */
typedef struct {
    uint64_t w[2];               /* chunk bytes, zero-padded */
    uint16_t len, nids;          /* len 0: empty */
    uint16_t ids[WCACHE_IDS];
} wcache_entry;

typedef struct {
    pair_cache pairs;
    wcache_entry words[1u << WCACHE_BITS];
} encode_cache;

/* Encodes one chunk through the word cache. */
static size_t encode_cached(encode_cache *c, const uint8_t *src, size_t m, uint32_t *out)
{
    if (m > WCACHE_BYTES) return encode_chunk(&c->pairs, src, m, out);
    uint64_t w[2] = { 0, 0 };
    memcpy(w, src, m);
    uint64_t h = (w[0] * 0x9e3779b97f4a7c15ULL) ^ (w[1] * 0xc2b2ae3d27d4eb4fULL) ^ m;
    wcache_entry *e = &c->words[(h * 0xff51afd7ed558ccdULL) >> (64 - WCACHE_BITS)];
    if (e->len == m && e->w[0] == w[0] && e->w[1] == w[1]) {
        for (size_t i = 0; i < e->nids; i++) out[i] = e->ids[i];
        return e->nids;
    }
    size_t k = encode_chunk(&c->pairs, src, m, out);
    if (k > WCACHE_IDS) return k;
    for (size_t i = 0; i < k; i++) {
        if (out[i] > UINT16_MAX) return k;
        e->ids[i] = (uint16_t)out[i];
    }
    e->w[0] = w[0];
    e->w[1] = w[1];
    e->len = (uint16_t)m;
    e->nids = (uint16_t)k;
    return k;
}

size_t tok_encode(const tok_vocab *v, uint32_t limit, const uint8_t *src, size_t n,
                  uint32_t *out)
{
    if (!v || !src || !out) return 0;
    if (limit > v->size) limit = v->size;
    if (limit < 256) limit = 256;
    encode_cache c; /* ~96 KB of stack, cleared once per call */
    c.pairs.v = v;
    c.pairs.limit = limit;
    memset(c.pairs.e, 0xff, sizeof c.pairs.e);
    memset(c.words, 0, sizeof c.words);
    size_t pos = 0, k = 0;
    while (pos < n) {
        size_t m = tok_chunk_len(src + pos, n - pos);
        if (m == 1) out[k++] = src[pos];
        else k += encode_cached(&c, src + pos, m, out + k);
        pos += m;
    }
    return k;
}

size_t tok_decode(const tok_vocab *v, const uint32_t *ids, size_t count, uint8_t *out,
                  size_t cap)
{
    size_t total = 0;
    for (size_t i = 0; i < count; i++) {
        uint32_t len;
        const uint8_t *p = tok_bytes(v, ids[i], &len);
        if (!p) return SIZE_MAX;
        if (total < cap) memcpy(out + total, p, len <= cap - total ? len : cap - total);
        total += len;
    }
    return total;
}

/* ---- pre-splitter ---- */

enum { C_LETTER, C_DIGIT, C_SPACE, C_OTHER };

static int byte_class(uint8_t c)
{
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return C_LETTER;
    if (c >= 0x80) return C_LETTER; /* keeps UTF-8 sequences with their word */
    if (c >= '0' && c <= '9') return C_DIGIT;
    if (c == ' ' || (c >= '\t' && c <= '\r')) return C_SPACE;
    return C_OTHER;
}

/* Length of an HTML entity (&amp; &#160; &#x27;) at s[0], or 0. */
static size_t entity_len(const uint8_t *s, size_t n)
{
    if (n < 3 || s[0] != '&') return 0;
    size_t lim = n < 12 ? n : 12;
    for (size_t i = 1; i < lim; i++) {
        if (s[i] == ';') return i > 1 ? i + 1 : 0;
        if (s[i] != '#' && byte_class(s[i]) != C_LETTER && byte_class(s[i]) != C_DIGIT)
            return 0;
        if (s[i] >= 0x80) return 0;
    }
    return 0;
}

/* Length of the run of class cl starting at s[0] (s[0] is of that class). */
static size_t run_len(const uint8_t *s, size_t n, int cl)
{
    size_t i = 1;
    while (i < n) {
        int c = byte_class(s[i]);
        if (c == cl) { i++; continue; }
        /* don't, o'clock: an apostrophe between letters stays in the word */
        if (cl == C_LETTER && s[i] == '\'' && i + 1 < n && byte_class(s[i + 1]) == C_LETTER) {
            i += 2;
            continue;
        }
        break;
    }
    return i;
}

size_t tok_chunk_len(const uint8_t *src, size_t n)
{
    if (!src || n == 0) return 0;
    /* Nothing past the cap plus one byte of lookahead changes the result;
     * without this a long run would be rescanned for every chunk. */
    if (n > TOK_CHUNK_MAX + 1) n = TOK_CHUNK_MAX + 1;
    size_t lead = 0, len;
    if (src[0] == ' ' && n > 1 && byte_class(src[1]) != C_SPACE) lead = 1;
    const uint8_t *s = src + lead;
    size_t rest = n - lead;
    int cl = byte_class(s[0]);
    size_t e = cl == C_OTHER ? entity_len(s, rest) : 0;
    if (e) {
        len = lead + e;
    } else if (cl == C_SPACE) {
        len = run_len(s, rest, cl);
        /* "\n   word": the last space goes with the word, as " word" */
        if (len > 1 && len < rest && s[len - 1] == ' ') len--;
    } else {
        len = lead + run_len(s, rest, cl);
    }
    return len < TOK_CHUNK_MAX ? len : TOK_CHUNK_MAX;
}
