/*
 * test_escape.c - the escape list of the levels that walk escapes.
 *
 * After an escape the codec asks the model for the tokens it can be (every
 * seen token that is no candidate, with its class's probability over the
 * class's members to code): first their mass and count by first byte
 * (model_escape_first_sums), then those with the coded first byte
 * (model_escape_tokens_from), from lists the model keeps by first byte.
 * At every escape of a real text this checks both against a brute force
 * over every seen slot: the same tokens in order of first occurrence, the
 * same probabilities, the same counts, masses within rounding, and a total
 * that covers the list; and that the candidates' marks are gone afterwards
 * (a mark left behind would hide a token from the next escape).
 *
 * From format 11 (escape_keys) the sums are by key instead: the first
 * byte, or a space and the second byte (model_escape_key_counts,
 * model_escape_key_mass, summed over the classes' (class, key) pairs).
 * There it checks, at every escape, every key's count, mass and tokens,
 * every kind's mass, and that the pairs hold exactly the seen slots by
 * class and key, before and after the masses are summed (which takes the
 * candidates out of their pairs for a while).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"
#include "slotclass_check.h"
#include "tok.h"

static int pass, fail;
static void check(int cond, const char *name)
{
    printf("%s %s\n", cond ? "PASS" : "FAIL", name);
    if (cond) pass++; else fail++;
}

typedef struct tally {
    size_t escapes, lists;       /* escapes checked, first-byte (or key) lists compared */
    size_t bad_count, bad_mass, bad_list, bad_total, marks_left;
    size_t bad_kind, bad_pairs;  /* escape_keys: kind masses, pair counts */
} tally;

/* The probability the brute force expects for a slot no candidate. */
static double member_p(const model *m, uint32_t slot)
{
    uint32_t i = model_class_of(m, slot), others = model_class_size(m, i);
    return others ? (double)m->s.class_p[i] / (double)others : 0.0;
}

static void check_escape(model *m, tally *t, uint32_t *ids, double *p)
{
    double mass[256], want_mass[256] = { 0 };
    uint32_t count[256], want_count[256] = { 0 }, want_total = 0;
    uint32_t total = model_escape_first_sums(m, mass, count);
    for (uint32_t slot = 1; slot < m->h.nslots; slot++) {
        if (model_is_cand(m, slot)) continue;
        uint32_t len, b = tok_bytes(tok_builtin(), m->h.id_of[slot], &len)[0];
        want_mass[b] += member_p(m, slot);
        want_count[b]++;
        want_total++;
    }
    t->escapes++;
    t->bad_total += total != want_total;
    for (uint32_t b = 0; b < 256; b++) {
        t->bad_count += count[b] != want_count[b];
        t->bad_mass += fabs(mass[b] - want_mass[b]) > 1e-12 * (1.0 + want_mass[b]);
        if (!want_count[b]) continue;
        uint32_t n = model_escape_tokens_from(m, b, ids, p), k = 0, bad = n != want_count[b];
        for (uint32_t slot = 1; slot < m->h.nslots && !bad; slot++) {
            uint32_t len, id = m->h.id_of[slot];
            if (model_is_cand(m, slot) || tok_bytes(tok_builtin(), id, &len)[0] != b) continue;
            bad = k >= n || ids[k] != id || p[k] != member_p(m, slot);
            k++;
        }
        t->lists++;
        t->bad_list += bad;
    }
    for (uint32_t slot = 0; slot < m->c.cap; slot++) t->marks_left += m->s.cand_mark[slot] != 0;
}

static int near(double got, double want) { return fabs(got - want) <= 1e-5 * want + 1e-12; }

static void check_keys(model *m, tally *t, uint32_t *ids, double *p)
{
    static double want_mass[SC_NKEYS];
    uint32_t count[SC_NKEYS], want_count[SC_NKEYS] = { 0 }, want_total = 0;
    double kind_mass[SC_KINDS], want_kind[SC_KINDS] = { 0 };
    t->bad_pairs += !sc_pairs_exact(&m->h.sc, m->h.nslots);
    uint32_t total = model_escape_key_counts(m, count, kind_mass);
    memset(want_mass, 0, sizeof want_mass);
    for (uint32_t slot = 1; slot < m->h.nslots; slot++) {
        if (model_is_cand(m, slot)) continue;
        uint32_t len;
        const uint8_t *b = tok_bytes(tok_builtin(), m->h.id_of[slot], &len);
        uint32_t key = sc_key(b, len);
        want_mass[key] += member_p(m, slot);
        want_kind[sc_token_kind(b, len)] += member_p(m, slot);
        want_count[key]++;
        want_total++;
    }
    t->escapes++;
    t->bad_total += total != want_total;
    for (int k = 0; k < SC_KINDS; k++) t->bad_kind += !near(kind_mass[k], want_kind[k]);
    for (uint32_t key = 0; key < SC_NKEYS; key++) {
        t->bad_count += count[key] != want_count[key];
        if (!want_count[key]) continue;
        t->bad_mass += !near(model_escape_key_mass(m, key), want_mass[key]);
        if (key == ' ') continue;   /* " " alone: the codec knows its id; key ' ' lists every space token */
        uint32_t n = model_escape_tokens_from(m, key, ids, p), k = 0, bad = n != want_count[key];
        for (uint32_t slot = 1; slot < m->h.nslots && !bad; slot++) {
            uint32_t len, id = m->h.id_of[slot];
            const uint8_t *b = tok_bytes(tok_builtin(), id, &len);
            if (model_is_cand(m, slot) || sc_key(b, len) != key) continue;
            bad = k >= n || ids[k] != id || !near(p[k], member_p(m, slot));
            k++;
        }
        t->lists++;
        t->bad_list += bad;
    }
    t->bad_pairs += !sc_pairs_exact(&m->h.sc, m->h.nslots);
}

static int run(int level, int keys, const uint32_t *tok, size_t n, tally *t)
{
    smix_config cfg;
    if (smix_level_config(level, &cfg) != SMIX_OK) return -1;
    cfg.blocks = 1;
    cfg.escape_walk = 1;
    cfg.escape_keys = (uint8_t)keys;
    model *m = model_create(&cfg, 1);
    uint32_t *ids = m ? malloc(m->c.cap * sizeof *ids) : NULL;
    double *p = m ? malloc(m->c.cap * sizeof *p) : NULL;
    if (!m || !ids || !p) return -1;
    memset(t, 0, sizeof *t);
    for (size_t i = 0; i < n; i++) {
        if (model_predict(m) < 0) return -1;
        uint32_t slot = model_slot_of(m, tok[i]);
        if (model_is_escape(m, model_symbol_of(m, tok[i]))) {
            model_escape_prepare(m);
            if (keys) check_keys(m, t, ids, p);
            else check_escape(m, t, ids, p);
        }
        smix_chunk_info ci;
        if (model_update(m, slot, tok[i], &ci) < 0) return -1;
    }
    free(ids);
    free(p);
    model_free(m);
    return 0;
}

static void test_file(const char *path, size_t max_bytes, int level, int keys)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = malloc(max_bytes);
    size_t len = f ? fread(buf, 1, max_bytes, f) : 0;
    if (f) fclose(f);
    uint32_t *tok = malloc((len + 1) * sizeof *tok);
    size_t n = tok_encode(tok_builtin(), tok_vocab_size(tok_builtin()), buf, len, tok);
    free(buf);
    tally t;
    char name[320], what[96];
    snprintf(what, sizeof what, "%s level %d, sums by %s", path, level, keys ? "key" : "first byte");
    int ok = len > 1000 && run(level, keys, tok, n, &t) == 0;
    snprintf(name, sizeof name, "%s: %zu tokens, %zu escapes, %zu lists", what, n, ok ? t.escapes : 0,
             ok ? t.lists : 0);
    check(ok && t.escapes > 50 && t.lists > t.escapes, name);
    if (ok) {
        snprintf(name, sizeof name, "%s: counts and the total as brute force (%zu, %zu wrong)", what, t.bad_count,
                 t.bad_total);
        check(t.bad_count == 0 && t.bad_total == 0, name);
        snprintf(name, sizeof name, "%s: masses as brute force (%zu wrong)", what, t.bad_mass);
        check(t.bad_mass == 0, name);
        snprintf(name, sizeof name, "%s: each list's tokens, in order, with their probabilities (%zu wrong)", what,
                 t.bad_list);
        check(t.bad_list == 0, name);
        if (keys) {
            snprintf(name, sizeof name, "%s: kind masses as brute force (%zu wrong)", what, t.bad_kind);
            check(t.bad_kind == 0, name);
            snprintf(name, sizeof name, "%s: the pairs hold the seen slots by class and key, before and after "
                     "(%zu wrong)", what, t.bad_pairs);
            check(t.bad_pairs == 0, name);
        } else {
            snprintf(name, sizeof name, "%s: no candidate marks left behind (%zu)", what, t.marks_left);
            check(t.marks_left == 0, name);
        }
    }
    free(tok);
}

int main(void)
{
    for (int keys = 0; keys <= 1; keys++) {
        test_file("samples/prose.txt", 40000, 3, keys);
        test_file("samples/multilingual.txt", 6000, 3, keys);
        test_file("samples/records.bin", 20000, 4, keys);
    }
    printf("%d passed, %d failed\n", pass, fail);
    return fail ? 1 : 0;
}
