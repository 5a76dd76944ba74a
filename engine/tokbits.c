/*
 * tokbits.c - the token model's candidates coded bit by bit; see tokbits.h.
 *
 * Only the candidates are walked: a bit on which all the remaining
 * candidates agree is not coded (the byte model still reads it), and an
 * end-of-token decision is coded only where one candidate ends and others
 * go on. The marginals are summed over the candidates in the model's symbol
 * order, so the decoder adds the same numbers in the same order.
 */
#include "tokbits.h"

#include <stdlib.h>
#include <string.h>

#include "bytemix.h"
#include "fmath.h"
#include "newid.h"
#include "slotclass.h"
#include "tok.h"

typedef struct cand {
    const uint8_t *bytes;       /* looked up once a walk needs more than the first byte (need_bytes) */
    uint32_t len, id;
    double mass;                /* in the candidates' walk a frequency: an integer */
} cand;

struct tokbits {
    bytemix *bm;
    int walk_escapes;           /* escapes walked too, else left to the caller */
    int escape_keys;            /* their first bytes from the model's sums by key (escape_key) */
    uint32_t space_id;          /* the token " " */
    int spell_new;              /* new tokens walked too, else left to the caller */
    uint32_t cap;               /* entries of cands, esc_ids, esc_p */
    /* escape_keys: the byte values below v that are of kind k, among first
     * bytes ([0]; a space is of the kinds of a space and a byte) and
     * second bytes after a space ([1]); and each key's kind */
    uint16_t kind_below[2][SC_KINDS][257];
    uint8_t kind_vals[2][SC_KINDS][256];   /* those values, ascending */
    uint8_t key_kind[SC_NKEYS];
    /* the walk's ranges of byte values, [lo, lo + 2^k) at node 256 / 2^k +
     * lo / 2^k: the kinds whole in it and those split by it (bit k: kind
     * k), and the split kinds' values in it */
    uint16_t node_whole[2][512], node_split[2][512], node_nsplit[2][512];
    cand *cands;                /* the tokens still possible */
    uint32_t *esc_ids;          /* model_escape_tokens_from */
    double *esc_p;
    const uint8_t **bytes_of;   /* [cap] each token's bytes, looked up once */
    uint8_t *len_of, *first_of; /* by id: its length and first byte */
};

tokbits *tokbits_create(uint32_t vocab, int table_bits, unsigned bm_features, int walk_escapes, int escape_keys,
                        int spell_new)
{
    tokbits *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->walk_escapes = walk_escapes;
    t->escape_keys = escape_keys;
    t->spell_new = spell_new;
    t->cap = vocab + 1;
    t->bm = bytemix_create(table_bits, bm_features);
    t->cands = malloc(t->cap * sizeof *t->cands);
    t->esc_ids = malloc(t->cap * sizeof *t->esc_ids);
    t->esc_p = malloc(t->cap * sizeof *t->esc_p);
    t->bytes_of = malloc(t->cap * sizeof *t->bytes_of);
    t->len_of = malloc(t->cap);
    t->first_of = malloc(t->cap);
    if (!t->bm || !t->cands || !t->esc_ids || !t->esc_p || !t->bytes_of || !t->len_of || !t->first_of) {
        tokbits_free(t);
        return NULL;
    }
    uint8_t spaced[SC_KINDS] = { 0 };   /* the kinds of the tokens that start with a space */
    for (uint32_t key = 0; key < SC_NKEYS; key++) {
        t->key_kind[key] = (uint8_t)sc_key_kind(key);
        if (key >= SC_SPACE_KEYS || key == ' ') spaced[t->key_kind[key]] = 1;
    }
    for (int s = 0; s < 2; s++)
        for (int k = 0; k < SC_KINDS; k++) {
            uint16_t n = 0;
            for (uint32_t v = 0; v < 256; v++) {
                t->kind_below[s][k][v] = n;
                if (s ? t->key_kind[SC_SPACE_KEYS + v] == k : v == ' ' ? spaced[k] : t->key_kind[v] == k)
                    t->kind_vals[s][k][n++] = (uint8_t)v;
            }
            t->kind_below[s][k][256] = n;
        }
    for (int s = 0; s < 2; s++)
        for (uint32_t size = 1; size <= 256; size <<= 1)
            for (uint32_t lo = 0; lo < 256; lo += size) {
                uint32_t node = 256 / size + lo / size;
                for (int k = 0; k < SC_KINDS; k++) {
                    uint32_t in = (uint32_t)t->kind_below[s][k][lo + size] - t->kind_below[s][k][lo];
                    if (in == 0) continue;
                    if (in == t->kind_below[s][k][256]) t->node_whole[s][node] |= (uint16_t)(1u << k);
                    else {
                        t->node_split[s][node] |= (uint16_t)(1u << k);
                        t->node_nsplit[s][node] = (uint16_t)(t->node_nsplit[s][node] + in);
                    }
                }
            }
    for (uint32_t id = 0; id < vocab; id++) {
        uint32_t len;
        t->bytes_of[id] = tok_bytes(tok_builtin(), id, &len);
        t->len_of[id] = (uint8_t)len;
        t->first_of[id] = t->bytes_of[id][0];
        if (len == 1 && t->first_of[id] == ' ') t->space_id = id;
    }
    return t;
}

void tokbits_free(tokbits *t)
{
    if (!t) return;
    bytemix_free(t->bm);
    free(t->cands);
    free(t->esc_ids);
    free(t->esc_p);
    free(t->bytes_of);
    free(t->len_of);
    free(t->first_of);
    free(t);
}

/* One binary decision, coded or decoded: p1 is P(bit = 1) in 1/BYTEMIX_SCALE. */
typedef struct bit_io {
    rc_encoder *enc;
    rc_decoder *dec;
    const uint8_t *target;   /* encoding: the token's bytes */
    uint32_t target_len;
    step_costs *k;           /* the costs, added to step `step` */
    int step;
    int damaged;
} bit_io;

/* -log2(part / whole) for the token model's share of a decision (its mass
 * for the outcome, over the mass of both). */
static double share_cost(double part, double whole)
{
    double p = whole > 1e-300 ? part / whole : 0.5;
    return fm_log2d(1.0 / (p > 1e-300 ? p : 1e-300));
}

/* Codes (or decodes) a decision with P(1) = p1 / BYTEMIX_SCALE; m1 and m0
 * are the token model's masses for 1 and 0, for the record of its own cost. */
static int code_bit(bit_io *io, uint32_t p1, int bit, double m1, double m0)
{
    if (io->enc) {
        if (bit) rc_encode(io->enc, 0, p1, BYTEMIX_SCALE);
        else rc_encode(io->enc, p1, BYTEMIX_SCALE - p1, BYTEMIX_SCALE);
    } else {
        uint32_t v = rc_decode_target(io->dec, BYTEMIX_SCALE);
        if (v >= BYTEMIX_SCALE) io->damaged = 1;
        bit = v < p1;
        if (bit) rc_decode_update(io->dec, 0, p1);
        else rc_decode_update(io->dec, p1, BYTEMIX_SCALE - p1);
    }
    if (io->k) {                /* the costs, for the trace only */
        io->k->bits[io->step] += rc_cost(bit ? p1 : BYTEMIX_SCALE - p1, BYTEMIX_SCALE);
        io->k->tm[io->step] += share_cost(bit ? m1 : m0, m1 + m0);
    }
    return bit;
}

/* The candidates of the model's distribution (t->cands), their mass, the
 * mass it left to NEW and ESCAPE together (*other) and to NEW (*fresh).
 * Returns their count. Their bytes are left out (a cache miss each, and
 * most candidates go at their first byte): need_bytes. */
static uint32_t gather(tokbits *t, const model *m, double *mass, double *other, double *fresh)
{
    uint32_t n = 0, nsyms = model_nsyms(m), ncand = nsyms - (uint32_t)model_is_escape(m, nsyms - 1);
    const uint32_t *f = model_freqs(m), *slots = model_symbol_slots(m), *ids = model_token_ids(m);
    double c = 0.0, o = 0.0;
    for (uint32_t s = 0; s < nsyms; s++) {
        uint32_t slot = s < ncand ? slots[s] : 0;
        if (slot == 0) {
            o += (double)f[s];
            if (s == 0) *fresh = (double)f[s];
            continue;
        }
        cand *k = &t->cands[n++];
        k->id = ids[slot];
        k->len = t->len_of[k->id];
        k->mass = (double)f[s];
        c += (double)f[s];
    }
    *mass = c;
    *other = o;
    return n;
}

static double cand_mass(const tokbits *t, uint32_t n)
{
    double mass = 0.0;
    for (uint32_t i = 0; i < n; i++) mass += t->cands[i].mass;
    return mass;
}

static double ratio(double part, double whole)
{
    return whole > 1e-300 ? part / whole : 0.5;
}

/* Codes (or decodes) whether the token ends after pos bytes, when candidate
 * `exact` does and others go on; removes it when the token goes on. */
static int code_end_bit(tokbits *t, bit_io *io, double exact, double all, uint32_t pos, int walk)
{
    uint32_t q = bytemix_event_p(t->bm, walk == BYTEMIX_ESCAPES ? BYTEMIX_END_ESCAPE : BYTEMIX_END,
                                 (float)ratio(exact, all), (int)pos);
    int end = code_bit(io, q, io->target && pos == io->target_len, exact, all - exact);
    bytemix_event_learn(t->bm, end);
    return end;
}

static int code_end(tokbits *t, bit_io *io, uint32_t *n, uint32_t exact, uint32_t pos, int walk)
{
    int end = code_end_bit(t, io, t->cands[exact].mass, cand_mass(t, *n), pos, walk);
    if (!end) t->cands[exact] = t->cands[--*n];
    return end;
}

/* One bit of byte pos, given the mass and count of the tokens left and of
 * those with the bit set: coded (or decoded) unless they all agree. */
static int code_byte_bit(tokbits *t, bit_io *io, double mass, double ones, uint32_t n, uint32_t n1,
                         uint32_t pos, int k, int walk)
{
    if (n1 == 0 || n1 == n) {
        bytemix_pass(t->bm, n1 != 0);
        return n1 != 0;
    }
    uint32_t q = bytemix_p(t->bm, (float)ratio(ones, mass), (int)pos, walk);
    int bit = code_bit(io, q, io->target ? (io->target[pos] >> k) & 1 : 0, ones, mass - ones);
    bytemix_learn(t->bm, bit);
    return bit;
}

/* The bits of byte pos from the mass and count of the tokens left by byte
 * value; returns the byte. */
static uint32_t code_byte_sums(tokbits *t, bit_io *io, const double *mass, const uint32_t *count, uint32_t pos,
                               int walk)
{
    uint32_t v = 0;
    for (int k = 7; k >= 0; k--) {
        uint32_t lo = v << (k + 1), half = 1u << k, c = 0, c1 = 0;
        double all = 0.0, ones = 0.0;
        for (uint32_t b = lo; b < lo + half; b++) {
            all += mass[b];
            c += count[b];
        }
        for (uint32_t b = lo + half; b < lo + 2 * half; b++) {
            ones += mass[b];
            c1 += count[b];
        }
        all += ones;
        v = (v << 1) | (uint32_t)code_byte_bit(t, io, all, ones, c + c1, c1, pos, k, walk);
    }
    return v;
}

/* code_byte_sums for the candidates' walk, whose masses are frequencies:
 * integers that add up to at most 4 MODEL_TOTAL = 2^28 (model_fit_total),
 * so every sum of them is exact in a double, in any order, and in 32 bits.
 * The sums are taken as integers (no chain of dependent additions; they
 * vectorise), and are the same numbers. */
_Static_assert(4ull * MODEL_TOTAL < (1ull << 32), "the candidates' frequencies add up in 32 bits");
static uint32_t code_byte_sums_exact(tokbits *t, bit_io *io, const uint32_t *mass, const uint32_t *count, uint32_t pos,
                                     int walk)
{
    uint32_t v = 0;
    for (int k = 7; k >= 0; k--) {
        uint32_t lo = v << (k + 1), half = 1u << k, c = 0, c1 = 0, zeros = 0, ones = 0;
        for (uint32_t b = lo; b < lo + half; b++) {
            zeros += mass[b];
            c += count[b];
        }
        for (uint32_t b = lo + half; b < lo + 2 * half; b++) {
            ones += mass[b];
            c1 += count[b];
        }
        v = (v << 1) | (uint32_t)code_byte_bit(t, io, (double)zeros + (double)ones, (double)ones, c + c1, c1, pos, k, walk);
    }
    return v;
}

/* Many tokens left: their mass by byte value, the bits from its sums, then
 * one pass to keep those that agree. In the candidates' walk the masses
 * are summed as integers (code_byte_sums_exact), and at pos 0 the first
 * bytes come from first_of (a small table): only the tokens kept look
 * their bytes up. */
#define HISTOGRAM_MIN 64
static void code_byte_histogram(tokbits *t, bit_io *io, uint32_t *n, uint32_t pos, int walk)
{
    uint32_t count[256] = { 0 }, v, kept = 0;
    cand *cs = t->cands;
    if (walk == BYTEMIX_CANDIDATES) {
        uint32_t mass[256] = { 0 };
        if (pos == 0) {
            for (uint32_t i = 0; i < *n; i++) {
                uint32_t b = t->first_of[cs[i].id];
                mass[b] += (uint32_t)cs[i].mass;
                count[b]++;
            }
        } else {
            for (uint32_t i = 0; i < *n; i++) {
                uint32_t b = cs[i].bytes[pos];
                mass[b] += (uint32_t)cs[i].mass;
                count[b]++;
            }
        }
        v = code_byte_sums_exact(t, io, mass, count, pos, walk);
    } else {
        double mass[256] = { 0 };
        for (uint32_t i = 0; i < *n; i++) {
            uint32_t b = cs[i].bytes[pos];
            mass[b] += cs[i].mass;
            count[b]++;
        }
        v = code_byte_sums(t, io, mass, count, pos, walk);
    }
    if (pos == 0) {
        for (uint32_t i = 0; i < *n; i++)
            if (t->first_of[cs[i].id] == v) {
                cs[kept] = cs[i];
                cs[kept++].bytes = t->bytes_of[cs[i].id];
            }
    } else {
        for (uint32_t i = 0; i < *n; i++)
            if (cs[i].bytes[pos] == v) cs[kept++] = cs[i];
    }
    *n = kept;
}

/* Codes (or decodes) byte pos among t->cands[0..n); keeps those that agree. */
static void code_byte(tokbits *t, bit_io *io, uint32_t *n, uint32_t pos, int walk)
{
    if (*n >= HISTOGRAM_MIN) {
        code_byte_histogram(t, io, n, pos, walk);
        return;
    }
    for (int k = 7; k >= 0; k--) {
        double mass = 0.0, ones = 0.0;
        uint32_t n1 = 0;
        for (uint32_t i = 0; i < *n; i++) {
            mass += t->cands[i].mass;
            if ((t->cands[i].bytes[pos] >> k) & 1) {
                ones += t->cands[i].mass;
                n1++;
            }
        }
        int bit = code_byte_bit(t, io, mass, ones, *n, n1, pos, k, walk);
        if (n1 == 0 || n1 == *n) continue;
        uint32_t kept = 0;
        for (uint32_t i = 0; i < *n; i++)
            if ((int)((t->cands[i].bytes[pos] >> k) & 1) == bit) t->cands[kept++] = t->cands[i];
        *n = kept;
    }
}

/* The bytes of t->cands[0..n), which gather left out. */
static void need_bytes(tokbits *t, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) t->cands[i].bytes = t->bytes_of[t->cands[i].id];
}

/* Which of t->cands[0..n), which agree on their first `pos` bytes (with
 * their bytes looked up, unless pos is 0); returns its index. */
static uint32_t code_candidate(tokbits *t, bit_io *io, uint32_t n, int walk, uint32_t pos)
{
    io->step = walk == BYTEMIX_ESCAPES ? STEP_ESC_WALK : STEP_CAND_WALK;
    if (pos == 0 && n < HISTOGRAM_MIN) need_bytes(t, n);   /* else code_byte_histogram looks them up */
    for (;; pos++) {
        if (pos > 0) {
            uint32_t exact = n;
            for (uint32_t i = 0; i < n; i++)
                if (t->cands[i].len == pos) exact = i;
            if (exact < n && (n == 1 || code_end(t, io, &n, exact, pos, walk))) return exact;
        }
        code_byte(t, io, &n, pos, walk);
        if (io->damaged) return 0;
    }
}

/* Codes (or decodes) whether the token is a candidate (returns 1) or not. */
static int code_is_cand(tokbits *t, bit_io *io, const model *m, uint32_t *n, int is_cand, double *fresh,
                        double *other)
{
    double mass;
    *fresh = 0.0;
    *n = gather(t, m, &mass, other, fresh);
    if (*n == 0) return 0;
    double p = ratio(mass, mass + *other);
    uint32_t q = bytemix_event_p(t->bm, BYTEMIX_IS_CAND, (float)p, 0);
    io->step = STEP_IS_CAND;
    int bit = code_bit(io, q, is_cand, mass, *other);
    bytemix_event_learn(t->bm, bit);
    return bit;
}

void tokbits_pass(tokbits *t, uint32_t id)
{
    const uint8_t *b = t->bytes_of[id];
    for (uint32_t i = 0; i < t->len_of[id]; i++)
        for (int k = 7; k >= 0; k--) bytemix_pass(t->bm, (b[i] >> k) & 1);
}

/* Codes (or decodes) whether a token that is no candidate is new (returns
 * 1) or an escape; forced when the model left no mass to one of them. */
static int code_is_new(tokbits *t, bit_io *io, double fresh, double other, int is_new)
{
    if (fresh <= 0.0 || fresh >= other) return fresh > 0.0;
    uint32_t q = bytemix_event_p(t->bm, BYTEMIX_IS_NEW, (float)(fresh / other), 0);
    io->step = STEP_IS_NEW;
    int bit = code_bit(io, q, is_new, fresh, other - fresh);
    bytemix_event_learn(t->bm, bit);
    return bit;
}

/* An escape's keys (config.escape_keys): the count of each, and its mass
 * once a walk needs it (model_escape_key_mass). A walk over byte values
 * reads the keys of each value: for the first byte, its own (and for a
 * space, " " alone and every key of a space and a byte); for the second
 * byte after a space, the key of the space and that byte. */
typedef struct esc_keys {
    model *m;
    const tokbits *t;
    uint32_t count[SC_NKEYS];
    double mass[SC_NKEYS];
    uint8_t known[SC_NKEYS];
    double kind_mass[2][SC_KINDS];   /* of the first bytes' kinds; of the second bytes' */
    uint32_t count_below[2][257];    /* of the byte values below v: [0] first bytes, [1] second */
} esc_keys;

/* The prefix sums of counts by byte value: first bytes (s 0, a space's
 * counting every key of a space and a byte), or second bytes (s 1). */
static void keys_prefix(esc_keys *e, int s)
{
    const uint32_t *count = e->count + (s ? SC_SPACE_KEYS : 0);
    uint32_t *below = e->count_below[s], c = 0;
    for (uint32_t v = 0; v < 256; v++) {
        below[v] = c;
        c += count[v];
    }
    below[256] = c;
    if (!s) {   /* the space's: every key of a space and a byte, after it */
        uint32_t sc = 0;
        for (uint32_t k = SC_SPACE_KEYS; k < SC_NKEYS; k++) sc += e->count[k];
        for (uint32_t v = ' ' + 1; v <= 256; v++) below[v] += sc;
    }
}

static double key_mass(esc_keys *e, uint32_t key)
{
    if (!e->known[key]) {
        e->mass[key] = model_escape_key_mass(e->m, key);
        e->known[key] = 1;
    }
    return e->mass[key];
}

/* Count of the tokens of byte values [lo, hi) (first: of first bytes, else
 * of second bytes after a space), and, if mass, their mass: each kind in
 * the range, in kind order, by its mass if the range holds all its values,
 * else by the masses of its keys in the range, in value order. *split: the
 * byte values of the kinds split by the range (the keys a mass sums). */
static double keys_of(esc_keys *e, uint32_t lo, uint32_t hi, int first, uint32_t *count, uint32_t *split, int mass)
{
    const tokbits *t = e->t;
    int s = !first;
    uint32_t node = 256 / (hi - lo) + lo / (hi - lo), whole = t->node_whole[s][node];
    *count = e->count_below[s][hi] - e->count_below[s][lo];
    *split = t->node_nsplit[s][node];
    if (!mass) return 0.0;
    double sum = 0.0;
    for (uint32_t kinds = whole | t->node_split[s][node]; kinds; kinds &= kinds - 1) {
        int k = __builtin_ctz(kinds);
        if (whole >> k & 1) {
            sum += e->kind_mass[s][k];
            continue;
        }
        for (uint32_t j = t->kind_below[s][k][lo]; j < t->kind_below[s][k][hi]; j++) {
            uint32_t v = t->kind_vals[s][k][j], key = first ? v : SC_SPACE_KEYS + v;
            if (e->count[key]) sum += key_mass(e, key);
        }
    }
    return sum;
}

/* The bits of byte pos among the escape's keys, MSB first, given the mass
 * of all of them (*mass; on return, the mass of the byte coded): of the
 * two halves of each step, the one with fewer keys to sum (keys_of's
 * split; the zeros on a tie) is summed and the other is what is left of
 * the whole. Returns the byte. */
static uint32_t code_key_byte(tokbits *t, bit_io *io, esc_keys *e, int first, double *mass, uint32_t pos)
{
    uint32_t v = 0;
    double all = *mass;
    for (int k = 7; k >= 0; k--) {
        uint32_t lo = v << (k + 1), half = 1u << k, c0, c1, s0, s1;
        keys_of(e, lo, lo + half, first, &c0, &s0, 0);
        keys_of(e, lo + half, lo + 2 * half, first, &c1, &s1, 0);
        double m0, m1;
        if (c0 == 0 || c1 == 0) {
            m0 = c0 ? all : 0.0;
            m1 = c1 ? all : 0.0;
        } else if (s0 <= s1) {
            m0 = keys_of(e, lo, lo + half, first, &c0, &s0, 1);
            m1 = all - m0 > 0.0 ? all - m0 : 0.0;
        } else {
            m1 = keys_of(e, lo + half, lo + 2 * half, first, &c1, &s1, 1);
            m0 = all - m1 > 0.0 ? all - m1 : 0.0;
        }
        int bit = code_byte_bit(t, io, m0 + m1, m1, c0 + c1, c1, pos, k, BYTEMIX_ESCAPES);
        all = bit ? m1 : m0;
        v = (v << 1) | (uint32_t)bit;
    }
    *mass = all;
    return v;
}

/* The first byte of an escape from its keys; after a space, whether the
 * token ends (" " itself, when it can be), then the second byte. *key is
 * then the key of the tokens left (' ' for " " itself), *pos the bytes
 * coded. Returns 0, or -1 with no token to code. */
static int escape_key(tokbits *t, bit_io *io, model *m, uint32_t *key, uint32_t *pos)
{
    esc_keys e;
    e.m = m;
    e.t = t;
    memset(e.known, 0, sizeof e.known);
    int ok = model_escape_key_counts(m, e.count, e.kind_mass[0]) > 0;
    if (ok) {
        keys_prefix(&e, 0);
        memcpy(e.kind_mass[1], e.kind_mass[0], sizeof e.kind_mass[1]);
        double mass = model_escape_mass(m);
        io->step = STEP_ESC_WALK;
        *key = code_key_byte(t, io, &e, 1, &mass, 0);
        *pos = 1;
        if (*key == ' ') {
            double alone = e.count[' '] ? key_mass(&e, ' ') : 0.0, *k2 = &e.kind_mass[1][t->key_kind[' ']];
            *k2 = *k2 - alone > 0.0 ? *k2 - alone : 0.0;   /* the second bytes' kind of " " without it */
            keys_prefix(&e, 1);
            uint32_t others = e.count_below[1][256];   /* tokens of a space and a byte */
            if (!e.count[' '] || (others && !code_end_bit(t, io, alone, mass, 1, BYTEMIX_ESCAPES))) {
                mass = mass - alone > 0.0 ? mass - alone : 0.0;
                *key = SC_SPACE_KEYS + code_key_byte(t, io, &e, 0, &mass, 1);
                *pos = 2;
            }
        }
    }
    return ok ? 0 : -1;
}

/* After an escape: which of the tokens it can be (the model's list, with
 * its step-2 masses). The list is long (every seen token that is no
 * candidate), so its first byte is coded from sums by byte value (by key
 * from format 11, and after a space the second byte too: escape_key) and
 * only the tokens that share them are walked further. Returns the token's
 * id, or TOKBITS_NEW for an empty list (a damaged stream). */
static uint32_t code_escape(tokbits *t, bit_io *io, model *m)
{
    model_escape_prepare(m);
    double mass[256];
    uint32_t count[256], pos = 1, key;
    if (t->escape_keys) {
        if (escape_key(t, io, m, &key, &pos) < 0) return TOKBITS_NEW;
        if (key == ' ') return t->space_id;
    } else {
        if (model_escape_first_sums(m, mass, count) == 0) return TOKBITS_NEW;
        io->step = STEP_ESC_WALK;
        key = code_byte_sums(t, io, mass, count, 0, BYTEMIX_ESCAPES);
    }
    uint32_t n = model_escape_tokens_from(m, key, t->esc_ids, t->esc_p);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t id = t->esc_ids[i];
        cand *k = &t->cands[i];
        k->id = id;
        k->bytes = t->bytes_of[id];
        k->len = t->len_of[id];
        k->mass = t->esc_p[i];
    }
    if (n == 0) return TOKBITS_NEW;
    return t->cands[code_candidate(t, io, n, BYTEMIX_ESCAPES, pos)].id;
}

/* A difference of newid_mass_below()s: the tree's mass of a range of codes
 * (used codes have none), not below 0 by rounding. */
static double nonneg(double d) { return d > 0.0 ? d : 0.0; }

/* The first code of [lo, hi) whose token has bit k of byte pos set: the
 * codes are in byte-string order and their tokens agree on every bit
 * before it, so the bit rises once along the range. */
static uint32_t split_at(const tokbits *t, const newid *nid, uint32_t lo, uint32_t hi, uint32_t pos, int k)
{
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if ((t->bytes_of[newid_id(nid, mid)][pos] >> k) & 1) hi = mid;
        else lo = mid + 1;
    }
    return lo;
}

/* After NEW (config.spell_new): which unused token, its bytes bit by bit,
 * with the id tree's probabilities as the token model's (newid.h); the
 * tokens that agree with the bits so far are a range of its codes, in
 * byte-string order. Returns the id, or TOKBITS_NEW for a damaged stream. */
static uint32_t walk_new(tokbits *t, bit_io *io, const newid *nid)
{
    /* the codes [lo, hi) agree with the bits so far; u_ and f_ are the
     * unused codes and the tree's mass below each end */
    uint32_t lo = 0, hi = nid->vocab, ulo = 0, uhi = newid_unused_below(nid, hi);
    double flo = 0.0, fhi = newid_mass_below(nid, hi);
    io->step = STEP_NEW_WALK;
    for (uint32_t pos = 0;; pos++) {
        uint32_t all = uhi - ulo;
        if (all == 0 || pos >= 255) {
            io->damaged = 1;
            return TOKBITS_NEW;
        }
        uint32_t first = newid_id(nid, lo);
        if (pos > 0 && t->len_of[first] == pos) {     /* the prefix itself sorts first */
            uint32_t u1 = newid_unused_below(nid, lo + 1);
            double f1 = newid_mass_below(nid, lo + 1);
            if (u1 > ulo) {
                if (all == 1) return first;
                double me = nonneg(f1 - flo), ma = nonneg(fhi - flo);
                uint32_t q = bytemix_event_p(t->bm, BYTEMIX_END_NEW, (float)ratio(me, ma), (int)pos);
                int end = code_bit(io, q, io->target && pos == io->target_len, me, ma - me);
                bytemix_event_learn(t->bm, end);
                if (end) return first;
            }
            lo++;
            ulo = u1;
            flo = f1;
        }
        for (int k = 7; k >= 0; k--) {
            uint32_t mid = split_at(t, nid, lo, hi, pos, k), umid = newid_unused_below(nid, mid);
            /* a side without unused codes has no mass: the bit is not coded */
            double fmid = umid == ulo ? flo : umid == uhi ? fhi : newid_mass_below(nid, mid);
            double m0 = nonneg(fmid - flo), m1 = nonneg(fhi - fmid);
            int bit = code_byte_bit(t, io, m0 + m1, m1, uhi - ulo, uhi - umid, pos, k, BYTEMIX_NEW);
            if (bit) {
                lo = mid;
                ulo = umid;
                flo = fmid;
            } else {
                hi = mid;
                uhi = umid;
                fhi = fmid;
            }
        }
        if (io->damaged) return TOKBITS_NEW;
    }
}

/* The walk, then the id tree learns the token's code as if it had coded it. */
static uint32_t code_new(tokbits *t, bit_io *io, model *m)
{
    newid *nid = model_newid(m);
    uint32_t id = walk_new(t, io, nid);
    if (id != TOKBITS_NEW) newid_learn_id(nid, id);
    return id;
}

void tokbits_encode(tokbits *t, model *m, rc_encoder *rc, uint32_t id, uint32_t *left, step_costs *k)
{
    bit_io io = { rc, NULL, NULL, 0, k, STEP_IS_CAND, 0 };
    io.target = tok_bytes(tok_builtin(), id, &io.target_len);
    uint32_t n, slot = model_slot_of(m, id);
    int is_cand = slot && model_symbol_slot(m, model_symbol_of(m, id)) == slot;
    double fresh, rest;
    *left = 0;
    if (code_is_cand(t, &io, m, &n, is_cand, &fresh, &rest)) code_candidate(t, &io, n, BYTEMIX_CANDIDATES, 0);
    else if (code_is_new(t, &io, fresh, rest, slot == 0)) {
        if (t->spell_new) code_new(t, &io, m);
        else *left = TOKBITS_NEW;
    }
    else if (t->walk_escapes) code_escape(t, &io, m);
    else *left = TOKBITS_ESCAPE;
}

int tokbits_decode(tokbits *t, model *m, rc_decoder *rc, uint32_t *id, step_costs *k)
{
    bit_io io = { NULL, rc, NULL, 0, k, STEP_IS_CAND, 0 };
    uint32_t n;
    double fresh, rest;
    if (code_is_cand(t, &io, m, &n, 0, &fresh, &rest)) {
        *id = t->cands[code_candidate(t, &io, n, BYTEMIX_CANDIDATES, 0)].id;
    } else if (code_is_new(t, &io, fresh, rest, 0)) {
        *id = t->spell_new ? code_new(t, &io, m) : TOKBITS_NEW;
        if (*id == TOKBITS_NEW && t->spell_new) return -1;
    } else if (t->walk_escapes) {
        *id = code_escape(t, &io, m);
        if (*id == TOKBITS_NEW) return -1;
    } else {
        *id = TOKBITS_ESCAPE;
    }
    return io.damaged ? -1 : 0;
}
