/*
 * slotclass_check.h - for the unit tests: whether a slotclass's (class,
 * key) pairs (slotclass.h) hold exactly its members by class and key.
 */
#ifndef SMIX_SLOTCLASS_CHECK_H
#define SMIX_SLOTCLASS_CHECK_H

#include <stdlib.h>

#include "slotclass.h"

/* The members are slots 1..nslots-1. Each one's key is of its class's
 * kind; each key's pairs are the (class, key) cells with members, with
 * their counts, found again through pair_at; the members by key add up. */
static int sc_pairs_exact(const slotclass *c, uint32_t nslots)
{
    uint32_t *want = calloc(SC_KEY_CELLS, sizeof *want), bad = !want;
    for (uint32_t j = 1; j < nslots && !bad; j++) {
        bad |= sc_key_kind(c->key[j]) != sc_kind_of(c->cls[j]);
        want[sc_key_cell(c->cls[j], c->key[j])]++;
    }
    for (uint32_t key = 0; key < SC_NKEYS && !bad; key++) {
        uint32_t members = 0;
        for (uint32_t i = c->key_at[key]; i < c->key_at[key] + c->key_pairs[key]; i++) {
            uint32_t cell = sc_key_cell(c->pair_cls[i], key);
            bad |= c->pair_n[i] == 0 || c->pair_n[i] != want[cell] || c->pair_at[cell] != i + 1 ||
                   sc_kind_of(c->pair_cls[i]) != sc_key_kind(key);
            want[cell] = 0;
            members += c->pair_n[i];
        }
        bad |= members != c->key_n[key];
    }
    for (uint32_t i = 0; i < SC_KEY_CELLS && !bad; i++) bad |= want[i] != 0;
    free(want);
    return !bad;
}

#endif
