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
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"
#include "tok.h"

static int pass, fail;
static void check(int cond, const char *name)
{
    printf("%s %s\n", cond ? "PASS" : "FAIL", name);
    if (cond) pass++; else fail++;
}

typedef struct tally {
    size_t escapes, lists;       /* escapes checked, first-byte lists compared */
    size_t bad_count, bad_mass, bad_list, bad_total, marks_left;
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

static int run(int level, const uint32_t *tok, size_t n, tally *t)
{
    smix_config cfg;
    if (smix_level_config(level, &cfg) != SMIX_OK) return -1;
    cfg.blocks = 1;
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
            check_escape(m, t, ids, p);
        }
        smix_chunk_info ci;
        if (model_update(m, slot, tok[i], &ci) < 0) return -1;
    }
    free(ids);
    free(p);
    model_free(m);
    return 0;
}

static void test_file(const char *path, size_t max_bytes, int level)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = malloc(max_bytes);
    size_t len = f ? fread(buf, 1, max_bytes, f) : 0;
    if (f) fclose(f);
    uint32_t *tok = malloc((len + 1) * sizeof *tok);
    size_t n = tok_encode(tok_builtin(), tok_vocab_size(tok_builtin()), buf, len, tok);
    free(buf);
    tally t;
    char name[256];
    int ok = len > 1000 && run(level, tok, n, &t) == 0;
    snprintf(name, sizeof name, "%s level %d: %zu tokens, %zu escapes, %zu first-byte lists", path, level, n,
             ok ? t.escapes : 0, ok ? t.lists : 0);
    check(ok && t.escapes > 50 && t.lists > t.escapes, name);
    if (ok) {
        snprintf(name, sizeof name, "%s level %d: counts by first byte and the total as brute force "
                 "(%zu, %zu wrong)", path, level, t.bad_count, t.bad_total);
        check(t.bad_count == 0 && t.bad_total == 0, name);
        snprintf(name, sizeof name, "%s level %d: masses by first byte as brute force (%zu wrong)", path, level,
                 t.bad_mass);
        check(t.bad_mass == 0, name);
        snprintf(name, sizeof name, "%s level %d: each first byte's tokens, in order, with their probabilities "
                 "(%zu wrong)", path, level, t.bad_list);
        check(t.bad_list == 0, name);
        snprintf(name, sizeof name, "%s level %d: no candidate marks left behind (%zu)", path, level,
                 t.marks_left);
        check(t.marks_left == 0, name);
    }
    free(tok);
}

int main(void)
{
    test_file("samples/prose.txt", 40000, 3);
    test_file("samples/multilingual.txt", 6000, 3);
    test_file("samples/records.bin", 20000, 4);
    printf("%d passed, %d failed\n", pass, fail);
    return fail ? 1 : 0;
}
