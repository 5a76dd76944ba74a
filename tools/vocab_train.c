/*
 * vocab_train.c - learns smix's byte-level BPE vocabulary and writes it as C.
 *
 * Usage: vocab_train [-n ENTRIES] [-o OUT.c] TEXT...
 *
 * Classic BPE, deterministic: the training text is cut into chunks by the
 * engine's own pre-splitter (tok_chunk_len), identical chunks are counted
 * once, and each step merges the adjacent pair with the highest count
 * (ties: the smaller (left, right) ids), making id 256 + step. It stops at
 * ENTRIES ids or when no pair occurs twice.
 *
 * Incremental: every pair keeps its count and a list of the distinct chunks
 * it occurs in, so a step only rewrites the chunks that hold the merged pair.
 * A max-heap holds (count, pair) with lazy updates: a count that went down
 * is fixed when its entry reaches the top; a count that went up is pushed
 * again. A few seconds for 32K entries on ~25 MB of text.
 *
 * The output (engine/vocab_data.c) holds the tables of struct tok_vocab in
 * tok.h: the bytes of every token, their offsets, and the merges.
 */
#include "tok.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DIE(...) do { fprintf(stderr, "vocab_train: " __VA_ARGS__); fputc('\n', stderr); exit(1); } while (0)

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) DIE("out of memory (%zu bytes)", n);
    return q;
}

static uint64_t hash64(uint64_t x)
{
    x ^= x >> 33; x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33; x *= 0xc4ceb9fe1a85ec53ULL;
    return x ^ (x >> 33);
}

static uint64_t hash_bytes(const uint8_t *s, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;
    for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * 0x100000001b3ULL;
    return hash64(h);
}

/* ---- distinct chunks ("words") with counts ---- */

typedef struct {
    uint32_t start;  /* into syms */
    uint32_t len;    /* current number of symbols */
    uint64_t count;  /* occurrences in the text */
    uint32_t stamp;  /* last merge step that rewrote it */
} word;

typedef struct {
    word *w;
    size_t nw, capw;
    uint32_t *syms;  /* symbols of all words; a word shrinks in place */
    size_t nsyms, capsyms;
    uint32_t *slot;  /* hash of word bytes -> word index+1 (while counting) */
    size_t nslot;
} wordset;

static int word_eq(const wordset *ws, uint32_t wi, const uint8_t *s, size_t n)
{
    const word *w = &ws->w[wi];
    if (w->len != n) return 0;
    for (size_t i = 0; i < n; i++)
        if (ws->syms[w->start + i] != s[i]) return 0;
    return 1;
}

static void wordset_grow(wordset *ws)
{
    size_t ns = ws->nslot ? ws->nslot * 2 : 1 << 20;
    uint32_t *slot = calloc(ns, sizeof *slot);
    if (!slot) DIE("out of memory");
    for (size_t i = 0; i < ws->nw; i++) {
        const word *w = &ws->w[i];
        uint8_t b[TOK_CHUNK_MAX];
        for (uint32_t k = 0; k < w->len; k++) b[k] = (uint8_t)ws->syms[w->start + k];
        size_t h = hash_bytes(b, w->len) & (ns - 1);
        while (slot[h]) h = (h + 1) & (ns - 1);
        slot[h] = (uint32_t)i + 1;
    }
    free(ws->slot);
    ws->slot = slot;
    ws->nslot = ns;
}

static void wordset_add(wordset *ws, const uint8_t *s, size_t n)
{
    if (ws->nw * 2 >= ws->nslot) wordset_grow(ws);
    size_t h = hash_bytes(s, n) & (ws->nslot - 1);
    while (ws->slot[h]) {
        uint32_t wi = ws->slot[h] - 1;
        if (word_eq(ws, wi, s, n)) { ws->w[wi].count++; return; }
        h = (h + 1) & (ws->nslot - 1);
    }
    if (ws->nw == ws->capw) {
        ws->capw = ws->capw ? ws->capw * 2 : 1 << 16;
        ws->w = xrealloc(ws->w, ws->capw * sizeof *ws->w);
    }
    if (ws->nsyms + n > ws->capsyms) {
        ws->capsyms = (ws->capsyms + n) * 2;
        ws->syms = xrealloc(ws->syms, ws->capsyms * sizeof *ws->syms);
    }
    word *w = &ws->w[ws->nw];
    w->start = (uint32_t)ws->nsyms;
    w->len = (uint32_t)n;
    w->count = 1;
    w->stamp = 0;
    for (size_t i = 0; i < n; i++) ws->syms[ws->nsyms++] = s[i];
    ws->slot[h] = (uint32_t)ws->nw + 1;
    ws->nw++;
}

static size_t count_file(wordset *ws, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) DIE("%s: %s", path, strerror(errno));
    size_t cap = 1 << 24, n = 0;
    uint8_t *buf = xrealloc(NULL, cap);
    for (;;) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) break;
        cap *= 2;
        buf = xrealloc(buf, cap);
    }
    if (ferror(f)) DIE("%s: read error", path);
    fclose(f);
    for (size_t pos = 0; pos < n;) {
        size_t m = tok_chunk_len(buf + pos, n - pos);
        if (m > 1) wordset_add(ws, buf + pos, m); /* single bytes hold no pair */
        pos += m;
    }
    free(buf);
    return n;
}

/* ---- pairs ---- */

typedef struct {
    uint32_t a, b;
    int64_t count;
    uint32_t *occ;     /* words it was seen in (may be stale, no duplicates) */
    uint32_t nocc, capocc;
    uint32_t touched;  /* last step whose count went up */
} pair;

typedef struct {
    pair *p;
    size_t np, capp;
    uint32_t *slot;    /* (a,b) -> pair index+1 */
    size_t nslot;
} pairset;

static size_t pair_hash(uint32_t a, uint32_t b, size_t mask)
{
    return (size_t)hash64(((uint64_t)a << 32) | b) & mask;
}

static void pairset_grow(pairset *ps)
{
    size_t ns = ps->nslot ? ps->nslot * 2 : 1 << 20;
    uint32_t *slot = calloc(ns, sizeof *slot);
    if (!slot) DIE("out of memory");
    for (size_t i = 0; i < ps->np; i++) {
        size_t h = pair_hash(ps->p[i].a, ps->p[i].b, ns - 1);
        while (slot[h]) h = (h + 1) & (ns - 1);
        slot[h] = (uint32_t)i + 1;
    }
    free(ps->slot);
    ps->slot = slot;
    ps->nslot = ns;
}

static uint32_t pair_get(pairset *ps, uint32_t a, uint32_t b)
{
    if (ps->np * 2 >= ps->nslot) pairset_grow(ps);
    size_t h = pair_hash(a, b, ps->nslot - 1);
    while (ps->slot[h]) {
        pair *p = &ps->p[ps->slot[h] - 1];
        if (p->a == a && p->b == b) return ps->slot[h] - 1;
        h = (h + 1) & (ps->nslot - 1);
    }
    if (ps->np == ps->capp) {
        ps->capp = ps->capp ? ps->capp * 2 : 1 << 16;
        ps->p = xrealloc(ps->p, ps->capp * sizeof *ps->p);
    }
    pair *p = &ps->p[ps->np];
    memset(p, 0, sizeof *p);
    p->a = a;
    p->b = b;
    p->touched = UINT32_MAX;
    ps->slot[h] = (uint32_t)ps->np + 1;
    return (uint32_t)ps->np++;
}

static void pair_add_occ(pair *p, uint32_t wi)
{
    if (p->nocc && p->occ[p->nocc - 1] == wi) return;
    if (p->nocc == p->capocc) {
        p->capocc = p->capocc ? p->capocc * 2 : 4;
        p->occ = xrealloc(p->occ, p->capocc * sizeof *p->occ);
    }
    p->occ[p->nocc++] = wi;
}

/* ---- max-heap of (count, pair), ties to the smaller (a, b) ---- */

typedef struct { int64_t count; uint32_t a, b, pi; } hent;
typedef struct { hent *e; size_t n, cap; } heap;

static int hent_above(const hent *x, const hent *y)
{
    if (x->count != y->count) return x->count > y->count;
    if (x->a != y->a) return x->a < y->a;
    return x->b < y->b;
}

static void heap_push(heap *h, const pair *p, uint32_t pi)
{
    if (h->n == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 1 << 16;
        h->e = xrealloc(h->e, h->cap * sizeof *h->e);
    }
    hent x = { p->count, p->a, p->b, pi };
    size_t i = h->n++;
    while (i > 0 && hent_above(&x, &h->e[(i - 1) / 2])) {
        h->e[i] = h->e[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h->e[i] = x;
}

static hent heap_pop(heap *h)
{
    hent top = h->e[0], x = h->e[--h->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n) break;
        if (c + 1 < h->n && hent_above(&h->e[c + 1], &h->e[c])) c++;
        if (!hent_above(&h->e[c], &x)) break;
        h->e[i] = h->e[c];
        i = c;
    }
    if (h->n) h->e[i] = x;
    return top;
}

/* ---- training ---- */

typedef struct {
    wordset ws;
    pairset ps;
    heap hp;
    uint32_t *left, *right;  /* merge k: (left[k], right[k]) -> 256 + k */
    uint32_t nmerge;
    uint32_t *touched;       /* pairs whose count went up this step */
    size_t ntouched, captouched;
} trainer;

/* Adds delta to the count of pair (a, b) seen in word wi. */
static void pair_count(trainer *t, uint32_t a, uint32_t b, int64_t delta, uint32_t wi,
                       uint32_t step)
{
    uint32_t pi = pair_get(&t->ps, a, b);
    pair *p = &t->ps.p[pi];
    p->count += delta;
    if (delta <= 0) return;
    pair_add_occ(p, wi);
    if (p->touched != step) {
        p->touched = step;
        if (t->ntouched == t->captouched) {
            t->captouched = t->captouched ? t->captouched * 2 : 1024;
            t->touched = xrealloc(t->touched, t->captouched * sizeof *t->touched);
        }
        t->touched[t->ntouched++] = pi;
    }
}

static void push_touched(trainer *t)
{
    for (size_t i = 0; i < t->ntouched; i++)
        heap_push(&t->hp, &t->ps.p[t->touched[i]], t->touched[i]);
    t->ntouched = 0;
}

static void init_pairs(trainer *t)
{
    for (uint32_t wi = 0; wi < t->ws.nw; wi++) {
        const word *w = &t->ws.w[wi];
        const uint32_t *s = t->ws.syms + w->start;
        for (uint32_t i = 0; i + 1 < w->len; i++)
            pair_count(t, s[i], s[i + 1], (int64_t)w->count, wi, 0);
    }
    push_touched(t);
}

/* Rewrites word wi with (a, b) -> id, updating the counts of its pairs. */
static void merge_word(trainer *t, uint32_t wi, uint32_t a, uint32_t b, uint32_t id,
                       uint32_t step)
{
    word *w = &t->ws.w[wi];
    uint32_t *s = t->ws.syms + w->start;
    int64_t c = (int64_t)w->count;
    uint32_t i, j, found = 0;
    for (i = 0; i + 1 < w->len; i++)
        if (s[i] == a && s[i + 1] == b) { found = 1; break; }
    if (!found) return; /* stale occurrence */
    for (i = 0; i + 1 < w->len; i++) pair_count(t, s[i], s[i + 1], -c, wi, step);
    for (i = j = 0; i < w->len; j++) {
        if (i + 1 < w->len && s[i] == a && s[i + 1] == b) { s[j] = id; i += 2; }
        else s[j] = s[i++];
    }
    w->len = j;
    for (i = 0; i + 1 < w->len; i++) pair_count(t, s[i], s[i + 1], c, wi, step);
}

/* Pops the best live pair, or returns UINT32_MAX if none occurs twice. */
static uint32_t best_pair(trainer *t)
{
    while (t->hp.n) {
        hent e = heap_pop(&t->hp);
        const pair *p = &t->ps.p[e.pi];
        if (p->count != e.count) { /* stale: went down since pushed */
            if (p->count > 0 && p->count < e.count) heap_push(&t->hp, p, e.pi);
            continue;
        }
        return p->count >= 2 ? e.pi : UINT32_MAX;
    }
    return UINT32_MAX;
}

static void train(trainer *t, uint32_t entries)
{
    init_pairs(t);
    t->left = xrealloc(NULL, entries * sizeof *t->left);
    t->right = xrealloc(NULL, entries * sizeof *t->right);
    while (256 + t->nmerge < entries) {
        uint32_t pi = best_pair(t);
        if (pi == UINT32_MAX) break;
        uint32_t step = t->nmerge + 1, id = 256 + t->nmerge;
        uint32_t a = t->ps.p[pi].a, b = t->ps.p[pi].b;
        t->left[t->nmerge] = a;
        t->right[t->nmerge] = b;
        t->nmerge++;
        /* occ may grow while we walk it (a == b cases): copy the count first */
        uint32_t nocc = t->ps.p[pi].nocc;
        for (uint32_t k = 0; k < nocc; k++) {
            uint32_t wi = t->ps.p[pi].occ[k];
            if (t->ws.w[wi].stamp == step) continue;
            t->ws.w[wi].stamp = step;
            merge_word(t, wi, a, b, id, step);
        }
        free(t->ps.p[pi].occ);
        t->ps.p[pi].occ = NULL;
        t->ps.p[pi].nocc = t->ps.p[pi].capocc = 0;
        push_touched(t);
        if (t->nmerge % 4096 == 0) fprintf(stderr, "vocab_train: %u merges\n", t->nmerge);
    }
}

/* ---- output ---- */

typedef struct { FILE *f; int col; } cout;

static void out_ch(cout *o, const char *s)
{
    if (o->col >= 96) { fputs("\"\n\"", o->f); o->col = 0; }
    o->col += (int)strlen(s);
    fputs(s, o->f);
}

/* One byte inside a C string literal, escaped where needed. */
static void out_byte(cout *o, uint8_t c)
{
    char s[8];
    if (c == '"' || c == '\\' || c == '?') snprintf(s, sizeof s, "\\%c", c);
    else if (c >= 0x20 && c < 0x7f) snprintf(s, sizeof s, "%c", c);
    else snprintf(s, sizeof s, "\\%03o", c);
    out_ch(o, s);
}

static void out_num(cout *o, uint32_t v, unsigned w)
{
    if (w < 6 && v >> (6 * w)) DIE("value %u does not fit %u digits", v, w);
    for (unsigned k = w; k-- > 0;) out_byte(o, (uint8_t)(TOK__DIGIT0 + ((v >> (6 * k)) & 63)));
}

static void begin_table(cout *o, const char *name, const char *what)
{
    fprintf(o->f, "\n/* %s */\nstatic const char %s[] =\n\"", what, name);
    o->col = 0;
}

static void end_table(cout *o)
{
    fputs("\";\n", o->f);
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t i = *(const uint64_t *)x, j = *(const uint64_t *)y;
    return i < j ? -1 : i > j;
}

static void write_c(const trainer *t, const char *path, uint64_t text_bytes)
{
    uint32_t size = 256 + t->nmerge;
    uint32_t *off = xrealloc(NULL, (size + 1) * sizeof *off);
    uint32_t *len = xrealloc(NULL, size * sizeof *len);
    for (uint32_t i = 0; i < size; i++)
        len[i] = i < 256 ? 1 : len[t->left[i - 256]] + len[t->right[i - 256]];
    off[0] = 0;
    for (uint32_t i = 0; i < size; i++) off[i + 1] = off[i] + len[i];
    if (off[size] >> 24) DIE("token bytes exceed the 24-bit offsets");
    uint8_t *bytes = xrealloc(NULL, off[size]);
    for (uint32_t i = 0; i < size; i++) {
        if (i < 256) { bytes[i] = (uint8_t)i; continue; }
        uint32_t l = t->left[i - 256], r = t->right[i - 256];
        memcpy(bytes + off[i], bytes + off[l], len[l]);
        memcpy(bytes + off[i] + len[l], bytes + off[r], len[r]);
    }
    /* merges sorted by (left, right): keys left:18 right:18 k:18 bits */
    uint64_t *key = xrealloc(NULL, (t->nmerge + 1) * sizeof *key);
    uint32_t *order = xrealloc(NULL, (t->nmerge + 1) * sizeof *order);
    for (uint32_t k = 0; k < t->nmerge; k++)
        key[k] = ((uint64_t)t->left[k] << 36) | ((uint64_t)t->right[k] << 18) | k;
    qsort(key, t->nmerge, sizeof *key, cmp_u64);
    for (uint32_t k = 0; k < t->nmerge; k++) order[k] = (uint32_t)(key[k] & 0x3ffff);
    free(key);

    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    cout o = { fopen(tmp, "w"), 0 };
    if (!o.f) DIE("%s: %s", tmp, strerror(errno));
    fprintf(o.f,
            "/*\n * vocab_data.c - smix's built-in BPE vocabulary: %u entries (256 bytes +\n"
            " * %u merges) learned from %" PRIu64 " bytes of text.\n *\n"
            " * Generated by tools/vocab_train.c through `make vocab` (tools/make_vocab.sh):\n"
            " * do not edit. Layout: struct tok_vocab in tok.h; sources: docs/vocab.md.\n */\n"
            "#include \"tok.h\"\n",
            size, t->nmerge, text_bytes);
    begin_table(&o, "vocab_bytes", "token bytes, id order");
    for (uint32_t i = 0; i < off[size]; i++) out_byte(&o, bytes[i]);
    end_table(&o);
    begin_table(&o, "vocab_off", "offset of each token in vocab_bytes");
    for (uint32_t i = 0; i <= size; i++) out_num(&o, off[i], TOK__OFF_W);
    end_table(&o);
    begin_table(&o, "vocab_first", "start in vocab_pair of the merges with left part a");
    for (uint32_t a = 0, k = 0; a <= size; a++) {
        while (k < t->nmerge && t->left[order[k]] < a) k++;
        out_num(&o, k, TOK__ID_W);
    }
    end_table(&o);
    begin_table(&o, "vocab_pair", "(right part, merged id) sorted by (left, right)");
    for (uint32_t k = 0; k < t->nmerge; k++) {
        out_num(&o, t->right[order[k]], TOK__ID_W);
        out_num(&o, 256 + order[k], TOK__ID_W);
    }
    end_table(&o);
    begin_table(&o, "vocab_parts", "left, right part of each merged id");
    for (uint32_t k = 0; k < t->nmerge; k++) {
        out_num(&o, t->left[k], TOK__ID_W);
        out_num(&o, t->right[k], TOK__ID_W);
    }
    end_table(&o);
    fprintf(o.f,
            "\nstatic const tok_vocab builtin = {\n    %u, (const uint8_t *)vocab_bytes, vocab_off,\n"
            "    vocab_first, vocab_pair, vocab_parts,\n};\n\n"
            "const tok_vocab *tok_builtin(void)\n{\n    return &builtin;\n}\n",
            size);
    if (fclose(o.f) != 0) DIE("%s: write error", tmp);
    if (rename(tmp, path) != 0) DIE("%s: %s", path, strerror(errno));
    free(off); free(len); free(bytes); free(order);
}

static void usage(void)
{
    fputs("usage: vocab_train [-n ENTRIES] [-o OUT.c] TEXT...\n"
          "Learns a byte-level BPE vocabulary of ENTRIES ids (default 32768,\n"
          "at most 262144) from the TEXT files and writes it as C source.\n",
          stderr);
    exit(2);
}

int main(int argc, char **argv)
{
    uint32_t entries = 32768;
    const char *out = "engine/vocab_data.c";
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "-n") && i + 1 < argc) entries = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "-o") && i + 1 < argc) out = argv[++i];
        else usage();
    }
    if (i >= argc || entries < 256 || entries > (1u << 18)) usage();
    trainer t;
    memset(&t, 0, sizeof t);
    uint64_t text = 0;
    for (; i < argc; i++) text += count_file(&t.ws, argv[i]);
    fprintf(stderr, "vocab_train: %" PRIu64 " bytes, %zu distinct chunks\n", text, t.ws.nw);
    train(&t, entries);
    fprintf(stderr, "vocab_train: %u entries\n", 256 + t.nmerge);
    write_c(&t, out, text);
    return 0;
}
