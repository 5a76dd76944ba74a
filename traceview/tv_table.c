/*
 * tv_table.c - the token table (see tv_table.h).
 *
 * Design: the records are read once into compact columns (tv__tcols), and
 * every view (sort key, order, filters, tokens or ids) is one pass over the
 * columns that keeps the best TV_TABLE_MAX rows in a binary heap whose root
 * is the worst row kept; the heap is then sorted. By id, the pass first sums
 * the occurrences into per-id totals (vocabulary-sized arrays) and the heap
 * runs over the ids.
 */
#include "tv_table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TV__LN2 0.69314718055994530942
#define TV__NEWBIT 0x80u

struct tv__tcols {
    uint64_t n;
    double *bits;
    uint32_t *id;
    uint8_t *kind;       /* TV__NEWBIT | type; 0xff: unreadable */
    int8_t *order;
    float *comp;         /* the values of component comp_of, or NULL */
    int comp_of;
};

static void tv__cols_free(tv__tcols *c)
{
    if (!c) return;
    free(c->bits);
    free(c->id);
    free(c->kind);
    free(c->order);
    free(c->comp);
    free(c);
}

/* One pass over the records: the fixed columns. */
static tv__tcols *tv__cols_read(tv_table *t)
{
    uint64_t n = tv_doc_count(t->d);
    size_t m = n ? (size_t)n : 1;
    tv__tcols *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->n = n;
    c->comp_of = -1;
    c->bits = malloc(m * sizeof *c->bits);
    c->id = malloc(m * sizeof *c->id);
    c->kind = malloc(m);
    c->order = malloc(m);
    if (!c->bits || !c->id || !c->kind || !c->order) { tv__cols_free(c); return NULL; }
    smix_trace_token tk;
    t->bad = 0;
    t->max_order = 0;
    for (uint64_t i = 0; i < n; i++) {
        if (tv_doc_token(t->d, i, &tk) != 0) {
            c->kind[i] = 0xff;
            c->bits[i] = 0;
            c->id[i] = 0;
            c->order[i] = 0;
            t->bad++;
            continue;
        }
        c->bits[i] = tk.bits;
        c->id[i] = tk.token_id;
        c->kind[i] = (uint8_t)((tk.is_new ? TV__NEWBIT : 0) | (unsigned)smix_trace_token_type(tk.bytes, tk.length));
        c->order[i] = tk.longest_order;
        if (tk.longest_order > t->max_order) t->max_order = tk.longest_order;
    }
    return c;
}

/* The column of component k (bits saved, or the margin over the rival). */
static int tv__cols_comp(tv_table *t, int k)
{
    tv__tcols *c = t->cols;
    if (c->comp_of == k) return 0;
    free(c->comp);
    c->comp_of = -1;
    c->comp = malloc((c->n ? (size_t)c->n : 1) * sizeof *c->comp);
    if (!c->comp) return -1;
    smix_trace_token tk;
    for (uint64_t i = 0; i < c->n; i++) {
        float v = 0;
        if (c->kind[i] != 0xff && tv_doc_token(t->d, i, &tk) == 0 && (uint32_t)k < tk.n_comp) {
            if (t->saved) v = tk.saved[k];
            else if (tk.fav_id != SMIX_TOKEN_NONE) v = (float)((tk.comp[k] - tk.fav_comp[k]) / TV__LN2);
        }
        c->comp[i] = v;
    }
    c->comp_of = k;
    return 0;
}

static double tv__val(const tv_table *t, const tv_table_row *r)
{
    if (t->key == TV_TB_KEY_COUNT) return (double)r->count;
    if (t->key >= TV_TB_KEY_COMP) return r->comp;
    return r->bits;
}

/* 1 if a ranks before b in the view. */
static int tv__before(const tv_table *t, const tv_table_row *a, const tv_table_row *b)
{
    double x = tv__val(t, a), y = tv__val(t, b);
    if (x != y) return t->ascending ? x < y : x > y;
    return a->tok < b->tok;
}

/* The heap: row[0] is the row that ranks last. */
static void tv__sift(tv_table *t, size_t i)
{
    tv_table_row *h = t->row;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, w = i;
        if (l < t->n_rows && tv__before(t, &h[w], &h[l])) w = l;
        if (r < t->n_rows && tv__before(t, &h[w], &h[r])) w = r;
        if (w == i) return;
        tv_table_row x = h[i];
        h[i] = h[w];
        h[w] = x;
        i = w;
    }
}

static void tv__offer(tv_table *t, const tv_table_row *r)
{
    t->matched++;
    if (t->n_rows < TV_TABLE_MAX) {
        size_t i = t->n_rows++;
        t->row[i] = *r;
        while (i > 0) {
            size_t p = (i - 1) / 2;
            if (!tv__before(t, &t->row[p], &t->row[i])) break;
            tv_table_row x = t->row[i];
            t->row[i] = t->row[p];
            t->row[p] = x;
            i = p;
        }
    } else if (tv__before(t, r, &t->row[0])) {
        t->row[0] = *r;
        tv__sift(t, 0);
    }
}

/* Heap sort: the root (the row that ranks last) goes to the end, so the
 * rows end best first. */
static void tv__sort(tv_table *t)
{
    size_t n = t->n_rows;
    while (t->n_rows > 1) {
        tv_table_row x = t->row[0];
        t->row[0] = t->row[t->n_rows - 1];
        t->row[t->n_rows - 1] = x;
        t->n_rows--;
        tv__sift(t, 0);
    }
    t->n_rows = n;
}

static int tv__pass(const tv_table *t, uint64_t i)
{
    const tv__tcols *c = t->cols;
    uint8_t k = c->kind[i];
    if (k == 0xff) return 0;
    if (t->f_new == TV_TB_NEW && !(k & TV__NEWBIT)) return 0;
    if (t->f_new == TV_TB_SEEN && (k & TV__NEWBIT)) return 0;
    if (t->f_type >= 0 && (k & 0x7f) != t->f_type) return 0;
    if (t->f_order >= 0 && c->order[i] != t->f_order) return 0;
    return 1;
}

static tv_table_row tv__row_of(const tv_table *t, uint64_t i)
{
    const tv__tcols *c = t->cols;
    tv_table_row r = { .tok = i, .id = c->id[i], .count = 1, .bits = c->bits[i],
                       .comp = c->comp ? c->comp[i] : 0, .is_new = (c->kind[i] & TV__NEWBIT) != 0,
                       .type = (uint8_t)(c->kind[i] & 0x7f), .order = c->order[i] };
    return r;
}

/* By id: totals per id in vocabulary-sized arrays, then the heap over ids. */
static int tv__build_ids(tv_table *t)
{
    const tv__tcols *c = t->cols;
    uint32_t v = smix_trace_vocab_size(tv_doc_trace(t->d));
    tv_table_row *acc = calloc(v ? v : 1, sizeof *acc);
    if (!acc) return -1;
    for (uint64_t i = 0; i < c->n; i++) {
        if (!tv__pass(t, i) || c->id[i] >= v) continue;
        tv_table_row *a = &acc[c->id[i]];
        if (a->count == 0 || c->bits[i] > c->bits[a->tok]) {
            a->tok = i;   /* the costliest occurrence */
            a->type = (uint8_t)(c->kind[i] & 0x7f);
            a->order = c->order[i];
        }
        a->id = c->id[i];
        a->count++;
        a->bits += c->bits[i];
        a->comp += c->comp ? c->comp[i] : 0;
        a->is_new |= (c->kind[i] & TV__NEWBIT) != 0;
    }
    for (uint32_t id = 0; id < v; id++)
        if (acc[id].count) tv__offer(t, &acc[id]);
    free(acc);
    return 0;
}

int tv_table_build(tv_table *t)
{
    t->n_rows = 0;
    t->matched = 0;
    if (!t->cols && !(t->cols = tv__cols_read(t))) return -1;
    if (t->key == TV_TB_KEY_COUNT && t->mode != TV_TB_IDS) t->key = TV_TB_KEY_BITS;
    int comp = t->key >= TV_TB_KEY_COMP ? t->key - TV_TB_KEY_COMP : -1;
    if (comp >= 0 && tv__cols_comp(t, comp) != 0) return -1;
    if (comp < 0 && t->cols->comp) { free(t->cols->comp); t->cols->comp = NULL; t->cols->comp_of = -1; }
    if (t->mode == TV_TB_IDS) {
        if (tv__build_ids(t) != 0) return -1;
    } else {
        for (uint64_t i = 0; i < t->cols->n; i++)
            if (tv__pass(t, i)) {
                tv_table_row r = tv__row_of(t, i);
                tv__offer(t, &r);
            }
    }
    tv__sort(t);
    if (t->sel >= t->n_rows) t->sel = t->n_rows ? t->n_rows - 1 : 0;
    if (t->top > t->sel) t->top = t->sel;
    return 0;
}

tv_table *tv_table_create(tv_doc *d)
{
    tv_table *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->d = d;
    t->f_type = -1;
    t->f_order = -1;
    t->saved = (tv_doc_summary(d)->flags & SMIX_TRACE_SAVED) != 0;
    t->row = malloc(TV_TABLE_MAX * sizeof *t->row);
    if (!t->row || tv_table_build(t) != 0) { tv_table_free(t); return NULL; }
    return t;
}

void tv_table_free(tv_table *t)
{
    if (!t) return;
    tv__cols_free(t->cols);
    free(t->row);
    free(t);
}

/* ---- keys ---- */

static int tv__n_keys(const tv_table *t)
{
    return TV_TB_KEY_COMP + (int)smix_trace_component_count(tv_doc_trace(t->d));
}

static void tv__next_key(tv_table *t, int dir)
{
    int n = tv__n_keys(t);
    do t->key = (t->key + dir + n) % n;
    while (t->key == TV_TB_KEY_COUNT && t->mode != TV_TB_IDS);
}

static void tv__rebuild(tv_table *t)
{
    char k[48];
    t->sel = t->top = 0;
    if (tv_table_build(t) != 0) snprintf(t->msg, sizeof t->msg, "out of memory");
    else {
        tv_table_key_name(t, t->key, k, sizeof k);
        snprintf(t->msg, sizeof t->msg, "sorted by %s, %s first", k, t->ascending ? "smallest" : "largest");
    }
}

void tv_table_scroll(tv_table *t, int page)
{
    if (page < 1) page = 1;
    if (t->sel < t->top) t->top = t->sel;
    if (t->sel >= t->top + (size_t)page) t->top = t->sel - (size_t)page + 1;
}

static int tv__move(tv_table *t, long d, int page)
{
    if (!t->n_rows) return TV_TB_R_REDRAW;
    long s = (long)t->sel + d;
    if (s < 0) s = 0;
    if (s >= (long)t->n_rows) s = (long)t->n_rows - 1;
    t->sel = (size_t)s;
    tv_table_scroll(t, page);
    return TV_TB_R_REDRAW;
}

static int tv__filter_key(tv_table *t, int key)
{
    switch (key) {
    case 'a': t->mode = !t->mode; if (t->key == TV_TB_KEY_COUNT) t->key = TV_TB_KEY_BITS; break;
    case 'n': t->f_new = (t->f_new + 1) % 3; break;
    case 'y': t->f_type = t->f_type + 1 >= SMIX_TTYPE_COUNT ? -1 : t->f_type + 1; break;
    case 'd': t->f_order = t->f_order + 1 > t->max_order ? -1 : t->f_order + 1; break;
    case 'o': tv__next_key(t, 1); break;
    case 'O': tv__next_key(t, -1); break;
    case 'r': t->ascending = !t->ascending; break;
    default: return 0;
    }
    tv__rebuild(t);
    return 1;
}

int tv_table_key(tv_table *t, int key, int page)
{
    t->msg[0] = 0;
    if (tv__filter_key(t, key)) return TV_TB_R_REDRAW;
    switch (key) {
    case 'j': case TV_KEY_DOWN: return tv__move(t, 1, page);
    case 'k': case TV_KEY_UP: return tv__move(t, -1, page);
    case TV_KEY_PGDN: case TV_CTRL('f'): case ' ': return tv__move(t, page, page);
    case TV_KEY_PGUP: case TV_CTRL('b'): return tv__move(t, -page, page);
    case 'g': case TV_KEY_HOME: return tv__move(t, -(long)t->n_rows, page);
    case 'G': case TV_KEY_END: return tv__move(t, (long)t->n_rows, page);
    case TV_KEY_ENTER: case 'l': case TV_KEY_RIGHT: return t->n_rows ? TV_TB_R_JUMP : TV_TB_R_REDRAW;
    case TV_KEY_ESC: case 't': case 'h': case TV_KEY_LEFT: return TV_TB_R_CLOSE;
    case 'q': return TV_TB_R_QUIT;
    default: return TV_TB_R_NONE;
    }
}

int tv_table_click(tv_table *t, int row)
{
    if (row < 0 || t->top + (size_t)row >= t->n_rows) return 0;
    t->sel = t->top + (size_t)row;
    return 1;
}

int64_t tv_table_target(const tv_table *t)
{
    return t->n_rows ? (int64_t)t->row[t->sel < t->n_rows ? t->sel : 0].tok : -1;
}

/* ---- lines ---- */

void tv_table_key_name(const tv_table *t, int k, char *out, size_t len)
{
    smix_trace_part p;
    if (k == TV_TB_KEY_BITS) snprintf(out, len, "bits");
    else if (k == TV_TB_KEY_COUNT) snprintf(out, len, "count");
    else if (smix_trace_component(tv_doc_trace(t->d), (uint32_t)(k - TV_TB_KEY_COMP), &p) == 0)
        snprintf(out, len, "%s:%s", t->saved ? "saved" : "margin", p.name);
    else snprintf(out, len, "?");
}

static const char *tv__new_name(int f)
{
    return f == TV_TB_NEW ? "NEW only" : f == TV_TB_SEEN ? "seen only" : "NEW and seen";
}

void tv_table_title(const tv_table *t, char *out, size_t len)
{
    char k[48];
    tv_table_key_name(t, t->key, k, sizeof k);
    size_t o = (size_t)snprintf(out, len, "%s by %s, %s first: %zu of %llu %s shown",
                                t->mode == TV_TB_IDS ? "Token ids (totals)" : "Tokens", k,
                                t->ascending ? "smallest" : "largest", t->n_rows,
                                (unsigned long long)t->matched, t->mode == TV_TB_IDS ? "ids" : "tokens");
    if (t->bad && o < len)
        snprintf(out + o, len - o, "  (%llu damaged records left out)", (unsigned long long)t->bad);
}

void tv_table_filters(const tv_table *t, char *out, size_t len)
{
    char ord[16];
    if (t->f_order < 0) snprintf(ord, sizeof ord, "any");
    else snprintf(ord, sizeof ord, "%d", t->f_order);
    snprintf(out, len, "filters: %s (n)  type %s (y)  longest order %s (d)", tv__new_name(t->f_new),
             t->f_type < 0 ? "any" : smix_trace_token_type_name(t->f_type), ord);
}

const char *tv_table_keys(void)
{
    return "j/k move  Enter jump  o/O sort  r reverse  a tokens/ids  n y d filter  Esc back";
}

void tv_table_header(const tv_table *t, char *out, size_t len)
{
    char k[48];
    tv_table_key_name(t, t->key >= TV_TB_KEY_COMP ? t->key : -1, k, sizeof k);
    if (t->key < TV_TB_KEY_COMP) k[0] = 0;
    if (t->mode == TV_TB_IDS)
        snprintf(out, len, "%7s %7s %10s %6s %12s  %s", "id", "count", "bits", "mean", k, "text");
    else
        snprintf(out, len, "%9s %7s %12s %3s %-11s %s", "token", "bits", k, "ord", "type", "text");
}

void tv_table_line(const tv_table *t, size_t i, int utf8, char *out, size_t len)
{
    char txt[96], c[24] = "";
    const tv_table_row *r = &t->row[i];
    uint32_t n = 0;
    const uint8_t *b = tv_doc_vocab(t->d, r->id, &n);
    tv_text_label(b, n, utf8, 30, txt, sizeof txt);
    if (t->key >= TV_TB_KEY_COMP) snprintf(c, sizeof c, "%+.2f", r->comp);
    if (t->mode == TV_TB_IDS)
        snprintf(out, len, "%7u %7llu %10.2f %6.2f %12s  '%s'", r->id, (unsigned long long)r->count, r->bits,
                 r->count ? r->bits / (double)r->count : 0.0, c, txt);
    else
        snprintf(out, len, "#%-8llu %7.2f %12s %3d %-11s '%s'%s", (unsigned long long)r->tok, r->bits, c,
                 r->order, smix_trace_token_type_name(r->type), txt, r->is_new ? "  NEW" : "");
}
