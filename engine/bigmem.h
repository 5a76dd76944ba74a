/*
 * bigmem.h - advice to the OS on the large tables that are read at random
 * positions (the n-gram hash table, the byte model's counters): back them
 * with huge pages where the OS offers them, so that a lookup costs one
 * cache miss rather than a cache miss and a TLB walk.
 *
 * Only for memory that is never realloc'ed: advice on part of a mapping
 * splits it, and realloc can then no longer move it with mremap but copies
 * it (the n-gram follower pool, advised, raised the peak memory of 30 MB at
 * level 3 from 351 to 412-418 MB).
 *
 * Advice only: what the tables hold, and so every coded bit, does not depend
 * on it. Where the OS has no such advice (or refuses it) nothing changes.
 */
#ifndef SMIX_BIGMEM_H
#define SMIX_BIGMEM_H

#include <stddef.h>

/* Asks for huge pages on the whole pages of p[0..bytes); regions smaller
 * than one huge page are left alone. Call it before the region is first
 * written (after malloc/calloc/realloc), so its pages are faulted in large. */
void bigmem_advise(void *p, size_t bytes);

#endif
