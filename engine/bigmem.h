/*
 * bigmem.h - advice to the OS on the large tables that are read at random
 * positions (the n-gram hash table and follower pool, the byte model's
 * counters): back them with huge pages where the OS offers them, so that a
 * lookup costs one cache miss rather than a cache miss and a TLB walk.
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
