/*
 * tokstat.c - measures the built-in vocabulary on files: tokens, bytes per
 * token and distinct tokens for several vocabulary sizes (prefixes of the
 * table), for the engine's BPE encoder and, for comparison, greedy
 * longest-match and a minimum-token segmentation over the same tokens.
 *
 * Usage: tokstat [-a] [-s SIZES] FILE...
 *   -s  comma-separated vocabulary sizes (default 1024,...,32768)
 *   -a  also run greedy longest-match and minimum-token segmentation
 * Prints a Markdown table (docs/vocab.md) and checks every round trip.
 */
#include "tok.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NONE UINT32_MAX

static void die(const char *msg, const char *arg)
{
    fprintf(stderr, "tokstat: %s%s%s\n", arg ? arg : "", arg ? ": " : "", msg);
    exit(1);
}

static uint8_t *read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) die(strerror(errno), path);
    size_t cap = 1 << 20, len = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (!buf) die("out of memory", NULL);
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap) break;
        cap *= 2;
        buf = realloc(buf, cap);
    }
    fclose(f);
    *n = len;
    return buf;
}

/* ---- a trie over all tokens, edges in one hash table ---- */

typedef struct {
    uint64_t *key;   /* (node << 8 | byte) + 1, 0 = empty */
    uint32_t *child;
    size_t mask;
    uint32_t *id;    /* token id ending at node, or NONE */
    uint32_t nodes;
} trie;

static uint32_t trie_step(const trie *t, uint32_t node, uint8_t c)
{
    uint64_t k = (((uint64_t)node << 8) | c) + 1;
    size_t h = (size_t)((k * 0x9e3779b97f4a7c15ULL) >> 20) & t->mask;
    while (t->key[h]) {
        if (t->key[h] == k) return t->child[h];
        h = (h + 1) & t->mask;
    }
    return NONE;
}

static void trie_build(trie *t, const tok_vocab *v)
{
    uint32_t size = tok_vocab_size(v);
    size_t total = 1;
    for (uint32_t i = 0; i < size; i++) {
        uint32_t len;
        tok_bytes(v, i, &len);
        total += len;
    }
    size_t slots = 1;
    while (slots < total * 2) slots <<= 1;
    t->key = calloc(slots, sizeof *t->key);
    t->child = calloc(slots, sizeof *t->child);
    t->id = malloc(total * sizeof *t->id);
    if (!t->key || !t->child || !t->id) die("out of memory", NULL);
    t->mask = slots - 1;
    t->nodes = 1;
    t->id[0] = NONE;
    for (uint32_t i = 0; i < size; i++) {
        uint32_t len, node = 0;
        const uint8_t *s = tok_bytes(v, i, &len);
        for (uint32_t j = 0; j < len; j++) {
            uint32_t next = trie_step(t, node, s[j]);
            if (next == NONE) {
                uint64_t k = (((uint64_t)node << 8) | s[j]) + 1;
                size_t h = (size_t)((k * 0x9e3779b97f4a7c15ULL) >> 20) & t->mask;
                while (t->key[h]) h = (h + 1) & t->mask;
                t->key[h] = k;
                t->child[h] = next = t->nodes;
                t->id[t->nodes++] = NONE;
            }
            node = next;
        }
        t->id[node] = i;
    }
}

/* Greedy longest match with ids < limit. */
static size_t encode_greedy(const trie *t, uint32_t limit, const uint8_t *s, size_t n,
                            uint32_t *out)
{
    size_t k = 0;
    for (size_t p = 0; p < n;) {
        uint32_t node = 0, best = s[p];
        size_t blen = 1;
        for (size_t j = p; j < n; j++) {
            node = trie_step(t, node, s[j]);
            if (node == NONE) break;
            if (t->id[node] < limit) { best = t->id[node]; blen = j - p + 1; }
        }
        out[k++] = best;
        p += blen;
    }
    return k;
}

/* Fewest tokens (ids < limit), by dynamic programming from the end. */
static size_t encode_min(const trie *t, uint32_t limit, const uint8_t *s, size_t n,
                         uint32_t *out, uint32_t *cost, uint32_t *pick)
{
    cost[n] = 0;
    for (size_t p = n; p-- > 0;) {
        uint32_t node = 0;
        cost[p] = NONE;
        for (size_t j = p; j < n; j++) {
            node = trie_step(t, node, s[j]);
            if (node == NONE) break;
            uint32_t id = t->id[node];
            if (id < limit && cost[j + 1] + 1 < cost[p]) { cost[p] = cost[j + 1] + 1; pick[p] = id; }
        }
    }
    size_t k = 0;
    for (size_t p = 0; p < n;) {
        uint32_t len;
        tok_bytes(tok_builtin(), pick[p], &len);
        out[k++] = pick[p];
        p += len;
    }
    return k;
}

static size_t distinct(const uint32_t *ids, size_t k, uint8_t *seen, uint32_t size)
{
    memset(seen, 0, size);
    size_t d = 0;
    for (size_t i = 0; i < k; i++)
        if (!seen[ids[i]]) { seen[ids[i]] = 1; d++; }
    return d;
}

static void check_round_trip(const tok_vocab *v, const uint32_t *ids, size_t k,
                             const uint8_t *src, size_t n, uint8_t *tmp, const char *path)
{
    if (tok_decode(v, ids, k, tmp, n) != n || memcmp(tmp, src, n) != 0)
        die("round trip failed", path);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

int main(int argc, char **argv)
{
    uint32_t sizes[16] = { 1024, 2048, 4096, 8192, 16384, 32768 };
    int nsizes = 6, all = 0, i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "-a")) all = 1;
        else if (!strcmp(argv[i], "-s") && i + 1 < argc) {
            char *p = argv[++i];
            for (nsizes = 0; *p && nsizes < 16; nsizes++) {
                sizes[nsizes] = (uint32_t)strtoul(p, &p, 10);
                if (*p == ',') p++;
            }
        } else die("usage: tokstat [-a] [-s SIZES] FILE...", NULL);
    }
    if (i >= argc) die("usage: tokstat [-a] [-s SIZES] FILE...", NULL);
    const tok_vocab *v = tok_builtin();
    uint32_t vsize = tok_vocab_size(v);
    trie t = { 0 };
    if (all) trie_build(&t, v);
    uint8_t *seen = malloc(vsize);
    printf("| file | vocab | BPE tokens | bytes/token | distinct |%s\n",
           all ? " greedy tokens | min tokens |" : "");
    printf("|---|---:|---:|---:|---:|%s\n", all ? "---:|---:|" : "");
    for (; i < argc; i++) {
        size_t n;
        uint8_t *src = read_file(argv[i], &n);
        uint32_t *ids = malloc((n + 1) * sizeof *ids);
        uint32_t *cost = all ? malloc((n + 1) * sizeof *cost) : NULL;
        uint32_t *pick = all ? malloc((n + 1) * sizeof *pick) : NULL;
        uint8_t *tmp = malloc(n + 1);
        if (!ids || !tmp || !seen || (all && (!cost || !pick))) die("out of memory", NULL);
        for (int s = 0; s < nsizes; s++) {
            uint32_t lim = sizes[s] < vsize ? sizes[s] : vsize;
            double t0 = now();
            size_t k = tok_encode(v, lim, src, n, ids);
            double dt = now() - t0;
            check_round_trip(v, ids, k, src, n, tmp, argv[i]);
            printf("| %s | %u | %zu | %.3f | %zu |", base_name(argv[i]), lim, k,
                   k ? (double)n / (double)k : 0.0, distinct(ids, k, seen, vsize));
            if (all) {
                size_t kg = encode_greedy(&t, lim, src, n, ids);
                check_round_trip(v, ids, kg, src, n, tmp, argv[i]);
                size_t km = encode_min(&t, lim, src, n, ids, cost, pick);
                check_round_trip(v, ids, km, src, n, tmp, argv[i]);
                printf(" %zu | %zu |", kg, km);
            }
            printf("\n");
            fprintf(stderr, "tokstat: %s limit %u: %.1f ms (%.1f MB/s)\n", base_name(argv[i]),
                    lim, dt * 1e3, (double)n / 1e6 / (dt > 0 ? dt : 1e-9));
        }
        free(src); free(ids); free(cost); free(pick); free(tmp);
    }
    free(seen);
    free(t.key); free(t.child); free(t.id);
    return 0;
}
