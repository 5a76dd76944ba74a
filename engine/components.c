/*
 * components.c - the public view of the component and step tables
 * (components.h), and which of them a configuration uses.
 */
#include "components.h"

#define COMP_ROW(id, name, group, weights, used, desc) { name, group, desc },
static const smix_component comps[COMP_N] = { COMP_LIST(COMP_ROW) };
#define STEP_ROW(id, name, mixed, desc) { name, desc, mixed },
static const smix_step steps[STEP_N] = { STEP_LIST(STEP_ROW) };

int smix_component_count(void) { return COMP_N; }

const smix_component *smix_component_get(int i) { return i >= 0 && i < COMP_N ? &comps[i] : NULL; }

int smix_component_used(const smix_config *c, int i)
{
    if (!c) return 0;
#define COMP_USED(id, name, group, weights, used, desc) case COMP_##id: return (used) != 0;
    switch (i) {
    COMP_LIST(COMP_USED)
    default: return 0;
    }
#undef COMP_USED
}

int smix_step_count(void) { return STEP_N; }

const smix_step *smix_step_get(int i) { return i >= 0 && i < STEP_N ? &steps[i] : NULL; }

int smix_step_used(const smix_config *c, int i)
{
    if (!c || i < 0 || i >= STEP_N) return 0;
    int bits = c->byte_mix != 0, walk = bits && c->escape_walk;
    switch (i) {
    case STEP_SYM: return !bits;
    case STEP_IS_CAND:
    case STEP_CAND_WALK:
    case STEP_IS_NEW: return bits;
    case STEP_CLASS:
    case STEP_RANK: return !walk;
    case STEP_ESC_WALK: return walk;
    case STEP_ID: return !(bits && c->spell_new);
    case STEP_NEW_WALK: return bits && c->spell_new;
    default: return 1;
    }
}
