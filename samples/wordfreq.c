/*
 * wordfreq.c - count the words of a text and print the most frequent ones.
 *
 * A sample file for the smix test suite (MIT licence, see LICENSES.md).
 * Words are maximal runs of ASCII letters, folded to lower case. They are
 * kept in an open-addressing hash table that doubles when it is 3/4 full;
 * at the end the entries are sorted by count (then by word) and the first
 * N are printed.
 *
 * Usage: wordfreq [-n N] [FILE...]
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
    char *word;      /* owned, NUL-terminated; NULL marks an empty slot */
    size_t len;
    uint64_t hash;
    unsigned long count;
} entry;

typedef struct table {
    entry *slots;
    size_t cap;      /* always a power of two */
    size_t used;
} table;

/* FNV-1a: small, fast enough, and good enough for words. */
static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

static int table_init(table *t, size_t cap)
{
    t->slots = calloc(cap, sizeof *t->slots);
    t->cap = cap;
    t->used = 0;
    return t->slots ? 0 : -1;
}

static void table_free(table *t)
{
    if (!t->slots)
        return;
    for (size_t i = 0; i < t->cap; i++)
        free(t->slots[i].word);
    free(t->slots);
    t->slots = NULL;
}

/* Finds the slot for (word, hash): either the one holding it or the empty
 * slot where it belongs. Linear probing; the table is never full. */
static entry *table_find(const table *t, const char *w, size_t n, uint64_t h)
{
    size_t mask = t->cap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        entry *e = &t->slots[i];
        if (!e->word)
            return e;
        if (e->hash == h && e->len == n && memcmp(e->word, w, n) == 0)
            return e;
    }
}

static int table_grow(table *t)
{
    table bigger;
    if (table_init(&bigger, t->cap * 2) != 0)
        return -1;
    for (size_t i = 0; i < t->cap; i++) {
        entry *e = &t->slots[i];
        if (!e->word)
            continue;
        *table_find(&bigger, e->word, e->len, e->hash) = *e;
        bigger.used++;
    }
    free(t->slots);
    *t = bigger;
    return 0;
}

static int table_add(table *t, const char *w, size_t n)
{
    if ((t->used + 1) * 4 > t->cap * 3 && table_grow(t) != 0)
        return -1;
    uint64_t h = hash_bytes(w, n);
    entry *e = table_find(t, w, n, h);
    if (e->word) {
        e->count++;
        return 0;
    }
    e->word = malloc(n + 1);
    if (!e->word)
        return -1;
    memcpy(e->word, w, n);
    e->word[n] = '\0';
    e->len = n;
    e->hash = h;
    e->count = 1;
    t->used++;
    return 0;
}

/* Reads one stream, adding every word. Words longer than the buffer are
 * split, which is harmless for a frequency count. */
static int count_stream(table *t, FILE *f)
{
    char word[256];
    size_t n = 0;
    int c;
    while ((c = getc(f)) != EOF) {
        if (isalpha(c) && c < 128) {
            word[n++] = (char)tolower(c);
            if (n < sizeof word)
                continue;
        }
        if (n > 0 && table_add(t, word, n) != 0)
            return -1;
        n = 0;
    }
    if (n > 0 && table_add(t, word, n) != 0)
        return -1;
    return ferror(f) ? -1 : 0;
}

static int by_count(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->word, y->word);
}

static void print_top(table *t, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < t->cap; i++)
        if (t->slots[i].word)
            t->slots[k++] = t->slots[i];
    qsort(t->slots, k, sizeof *t->slots, by_count);
    for (size_t i = 0; i < k && i < n; i++)
        printf("%8lu  %s\n", t->slots[i].count, t->slots[i].word);
    /* The compacted prefix still owns every word; clear the rest so that
     * table_free does not free anything twice. */
    for (size_t i = k; i < t->cap; i++)
        t->slots[i].word = NULL;
}

static int parse_count(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end != '\0' || v == 0)
        return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    size_t top = 20;
    int i = 1;
    if (i + 1 < argc && strcmp(argv[i], "-n") == 0) {
        if (parse_count(argv[i + 1], &top) != 0) {
            fprintf(stderr, "wordfreq: bad count '%s'\n", argv[i + 1]);
            return 2;
        }
        i += 2;
    }
    table t;
    if (table_init(&t, 1024) != 0) {
        perror("wordfreq");
        return 1;
    }
    int status = 0;
    if (i == argc && count_stream(&t, stdin) != 0) {
        perror("wordfreq: <stdin>");
        status = 1;
    }
    for (; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f || count_stream(&t, f) != 0) {
            fprintf(stderr, "wordfreq: %s: %s\n", argv[i], strerror(errno));
            status = 1;
        }
        if (f)
            fclose(f);
    }
    print_top(&t, top);
    table_free(&t);
    return status;
}
