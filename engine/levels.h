/*
 * levels.h - engine-internal helpers of levels.c (presets live there).
 */
#ifndef SMIX_LEVELS_H
#define SMIX_LEVELS_H

#include <stdint.h>

/* The n-gram memory budget (MiB) that keeps coding n bytes under memlimit:
 * 0 if no budget is needed, -1 if even a small budget does not fit. */
int smix__ngram_budget(uint64_t memlimit, uint64_t n);

#endif
