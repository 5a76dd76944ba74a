/*
 * levels.h - engine-internal helpers of levels.c (presets live there).
 */
#ifndef SMIX_LEVELS_H
#define SMIX_LEVELS_H

#include <stdint.h>

#include "smix.h"

/* The n-gram memory budget (MiB) of each block's model that keeps coding n
 * bytes with config c (in c->blocks blocks) under memlimit: 0 if no budget
 * is needed, -1 if even a small budget does not fit. */
int smix__ngram_budget(const smix_config *c, uint64_t memlimit, uint64_t n);

/* How many blocks a frame of n bytes is cut into with blocks of block_size
 * bytes (1..SMIX_MAX_BLOCKS; the last may be shorter). */
uint32_t smix__block_count(uint64_t block_size, uint64_t n);

/* The byte model's table (log2 of its counters) for n bytes with config c:
 * the level's, or less for a small input; 0 without the byte model. */
uint8_t smix__byte_table_bits(const smix_config *c, uint64_t n);

/* How many of them may run at once (the memory estimate counts on it). */
uint32_t smix__live_blocks(uint32_t blocks);

#endif
