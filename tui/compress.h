/*
 * compress.h - `smix-tui FILE`: compress a plain file to a temporary trace
 * (through the public smix.h API and the trace writer) so it can be viewed.
 */
#ifndef TUI_COMPRESS_H
#define TUI_COMPRESS_H

#include <stddef.h>
#include "smix_trace.h"

/* Compresses path at level (0: default) while recording a trace, shows a
 * progress line on stderr if it is a terminal, and opens the trace. The
 * temporary trace is unlinked once open (the reader keeps its mapping).
 * Returns NULL with a message in err on failure. */
smix_trace *compress_to_trace(const char *path, int level, char *err, size_t errlen);

#endif /* TUI_COMPRESS_H */
