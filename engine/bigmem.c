/*
 * bigmem.c - huge-page advice for large tables; see bigmem.h.
 *
 * Linux: madvise(MADV_HUGEPAGE), which transparent huge pages honour in
 * their default "madvise" mode (in "always" mode the tables get huge pages
 * anyway; in "never" mode the call changes nothing). A failed call is
 * ignored: it is advice.
 */
#include "bigmem.h"

#include <stdint.h>

#if defined(__linux__) && !defined(SMIX_NO_BIGMEM)
#include <sys/mman.h>
#endif

#define BIGMEM_PAGE ((size_t)4096)
#define BIGMEM_HUGE ((size_t)2 << 20)

void bigmem_advise(void *p, size_t bytes)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE) && !defined(SMIX_NO_BIGMEM)
    if (!p || bytes < BIGMEM_HUGE) return;
    uintptr_t lo = ((uintptr_t)p + BIGMEM_PAGE - 1) & ~(uintptr_t)(BIGMEM_PAGE - 1);
    uintptr_t hi = ((uintptr_t)p + bytes) & ~(uintptr_t)(BIGMEM_PAGE - 1);
    if (hi > lo) (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
    (void)p;
    (void)bytes;
#endif
}
