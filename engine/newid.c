/*
 * newid.c - the first-occurrence id coder; see newid.h.
 */
#include "newid.h"

#include <stdlib.h>
#include <string.h>

#include "tok.h"

/* The ids in use (below n->vocab) in byte-string order: the built-in
 * order (precomputed, engine/vocab_order.c) without the others. */
static int byte_order(newid *n)
{
    uint32_t all, c = 0;
    const uint16_t *order = tok_byte_order(&all);
    for (uint32_t i = 0; i < all; i++) {
        uint32_t id = order[i];
        if (id >= n->vocab) continue;
        n->id_of[c] = (uint16_t)id;
        n->code_of[id] = (uint16_t)c++;
    }
    return c == n->vocab ? 0 : -1;
}

int newid_init(newid *n, uint32_t vocab)
{
    memset(n, 0, sizeof *n);
    n->vocab = vocab;
    n->bits = 1;
    while ((1u << n->bits) < vocab) n->bits++;
    size_t leaves = (size_t)1 << n->bits, ntop = (size_t)256 << NEWID_TOP_BITS;
    n->code_of = calloc(vocab, sizeof *n->code_of);
    n->id_of = calloc(vocab, sizeof *n->id_of);
    n->top = malloc(ntop * sizeof *n->top);
    n->deep = malloc(NEWID_KINDS * leaves * sizeof *n->deep);
    n->avail = calloc(2 * leaves, sizeof *n->avail);
    if (!n->code_of || !n->id_of || !n->top || !n->deep || !n->avail || vocab > 65536 || byte_order(n) < 0) {
        newid_free(n);
        return -1;
    }
    newid_set_context(n, NULL, 0);
    for (size_t c = 0; c < leaves; c++) n->avail[leaves + c] = c < vocab;
    for (size_t i = leaves - 1; i >= 1; i--) n->avail[i] = n->avail[2 * i] + n->avail[2 * i + 1];
    return 0;
}

void newid_free(newid *n)
{
    free(n->code_of); free(n->id_of); free(n->top); free(n->deep); free(n->avail);
    memset(n, 0, sizeof *n);
}

static int byte_kind(uint8_t b)
{
    if (b >= 'a' && b <= 'z') return 1;
    if (b >= 'A' && b <= 'Z') return 2;
    if (b >= '0' && b <= '9') return 3;
    if (b == ' ') return 4;
    if (b == '\n' || b == '\r' || b == '\t') return 5;
    if (b == '<' || b == '>' || b == '/' || b == '=' || b == '"') return 6;
    if (b == '[' || b == ']' || b == '|' || b == '{' || b == '}') return 7;
    if (b == '&' || b == ';' || b == '#') return 8;
    if (b >= 0x80) return 9;
    return 10;
}

_Static_assert(NEWID_KINDS <= 32, "deep_ready has a bit per kind");

/* The context's rows of top and deep, at their first use. */
static void ready_rows(newid *n)
{
    uint32_t b = (uint32_t)n->last_byte, k = (uint32_t)n->kind;
    if (!(n->top_ready[b / 32] >> (b % 32) & 1)) {
        uint16_t *row = n->top + ((size_t)b << NEWID_TOP_BITS);
        for (size_t i = 0; i < (1u << NEWID_TOP_BITS); i++) row[i] = NEWID_SCALE / 2;
        n->top_ready[b / 32] |= 1u << (b % 32);
    }
    if (!(n->deep_ready >> k & 1)) {
        uint16_t *row = n->deep + ((size_t)k << n->bits);
        for (size_t i = 0; i < ((size_t)1 << n->bits); i++) row[i] = NEWID_SCALE / 2;
        n->deep_ready |= 1u << k;
    }
}

void newid_set_context(newid *n, const uint8_t *prev, uint32_t len)
{
    n->last_byte = len ? prev[len - 1] : 0;
    n->kind = len ? byte_kind(prev[len - 1]) : 0;
    ready_rows(n);
}

static uint16_t *cell(const newid *n, uint32_t node)
{
    if (node < (1u << NEWID_TOP_BITS)) return &n->top[((uint32_t)n->last_byte << NEWID_TOP_BITS) + node];
    return &n->deep[((uint32_t)n->kind << n->bits) + node];
}

uint32_t newid_code(const newid *n, uint32_t id) { return n->code_of[id]; }
uint32_t newid_id(const newid *n, uint32_t code) { return code < n->vocab ? n->id_of[code] : code; }

/* The learned p, corrected by the unused codes on each side:
 * p a0 / (p a0 + (1 - p) a1). */
uint32_t newid_p(const newid *n, uint32_t node)
{
    uint64_t a0 = n->avail[2 * node], a1 = n->avail[2 * node + 1];
    if (!a0) return 0;
    if (!a1) return NEWID_SCALE;
    uint64_t p = *cell(n, node);
    uint64_t num = p * a0, den = num + (NEWID_SCALE - p) * a1;
    uint64_t q = num * NEWID_SCALE / den;
    return q < 1 ? 1 : q > NEWID_SCALE - 1 ? NEWID_SCALE - 1 : (uint32_t)q;
}

void newid_learn(newid *n, uint32_t node, int bit)
{
    uint16_t *c = cell(n, node), p = *c;
    if (bit) p -= p >> 4;
    else p += (NEWID_SCALE - p) >> 4;
    if (p < 32) p = 32;
    if (p > NEWID_SCALE - 32) p = NEWID_SCALE - 32;
    *c = p;
}

uint32_t newid_unused_below(const newid *n, uint32_t code)
{
    uint32_t below = 0, node = 1;
    if (code >> n->bits) return n->avail[1];
    for (int b = n->bits - 1; b >= 0; b--) {
        if ((code >> b) & 1) {
            below += n->avail[2 * node];
            node = 2 * node + 1;
        } else {
            node = 2 * node;
        }
    }
    return below;
}

double newid_mass_below(const newid *n, uint32_t code)
{
    if (code >> n->bits) return 1.0;
    double below = 0.0, path = 1.0;
    uint32_t node = 1;
    for (int b = n->bits - 1; b >= 0 && path > 0.0; b--) {
        double p0 = (double)newid_p(n, node) / (double)NEWID_SCALE;
        if ((code >> b) & 1) {
            below += path * p0;
            path *= 1.0 - p0;
            node = 2 * node + 1;
        } else {
            path *= p0;
            node = 2 * node;
        }
    }
    return below;
}

void newid_learn_id(newid *n, uint32_t id)
{
    uint32_t code = n->code_of[id], node = 1;
    for (int b = n->bits - 1; b >= 0; b--) {
        int bit = (code >> b) & 1;
        newid_learn(n, node, bit);
        node = 2 * node + (uint32_t)bit;
    }
}

void newid_mark_used(newid *n, uint32_t id)
{
    for (uint32_t node = (1u << n->bits) + n->code_of[id]; node >= 1; node /= 2) n->avail[node]--;
}
