/*
 * tok.h - byte-level BPE tokenizer with a static, compiled-in vocabulary.
 *
 * Ids 0..255 are the single bytes, so every byte string (binary, NUL bytes,
 * invalid UTF-8) tokenises and detokenises back exactly. Ids 256.. are BPE
 * merges in the order the trainer (tools/vocab_train.c) learned them, so the
 * first `limit` ids are themselves the BPE vocabulary of size `limit`: the
 * caller chooses the vocabulary size per level from one shipped table.
 *
 * Encoding splits the input into chunks (tok_chunk_len, the same rule the
 * trainer used) and applies, inside each chunk, the learned merges lowest id
 * first: the classic BPE result. See docs/vocab.md for sources and figures.
 *
 * Thread safety: a tok_vocab is immutable constant data; every function here
 * is reentrant and allocates nothing.
 */
#ifndef SMIX_TOK_H
#define SMIX_TOK_H

#include <stddef.h>
#include <stdint.h>

typedef struct tok_vocab tok_vocab;

/* Longest chunk the pre-splitter produces; no token is longer. */
#define TOK_CHUNK_MAX 64

/* The compiled-in vocabulary (engine/vocab_data.c). Never NULL. */
const tok_vocab *tok_builtin(void);

/* Total entries (256 single bytes + merges). */
uint32_t tok_vocab_size(const tok_vocab *v);

/* The built-in vocabulary's ids sorted by their bytes (memcmp order, a
 * prefix first), *n of them (engine/vocab_order.c, generated). */
const uint16_t *tok_byte_order(uint32_t *n);

/* The bytes of token `id` and their count in *len (len may be NULL).
 * Returns NULL (and *len = 0) if id >= tok_vocab_size(v). The pointer is
 * into the vocabulary's constant data: valid for the program's lifetime. */
const uint8_t *tok_bytes(const tok_vocab *v, uint32_t id, uint32_t *len);

/* The merge that made token `id` (id >= 256): its left and right parts, both
 * < id. Returns 0 for single bytes and out-of-range ids, 1 otherwise. */
int tok_parts(const tok_vocab *v, uint32_t id, uint32_t *left, uint32_t *right);

/* Tokenises src[0..n) using only ids < limit (limit is clamped to
 * [256, size]; any limit works for any input). Writes at most n ids to out
 * and returns their count. Deterministic. Allocates nothing; uses ~96 KB of
 * stack for caches (cleared per call, so prefer one call per buffer over
 * many tiny ones); about 25 ns per byte of text. */
size_t tok_encode(const tok_vocab *v, uint32_t limit, const uint8_t *src, size_t n,
                  uint32_t *out);

/* Detokenises: writes the bytes of ids[0..count) to out, at most cap bytes.
 * Returns the total length the ids expand to (which may exceed cap: then out
 * holds only the first cap bytes), or SIZE_MAX if an id is out of range. */
size_t tok_decode(const tok_vocab *v, const uint32_t *ids, size_t count, uint8_t *out,
                  size_t cap);

/* Pre-splitter shared by the encoder and the trainer: the length (1 ..
 * TOK_CHUNK_MAX) of the chunk starting at src[0], or 0 if n == 0. Chunks are
 * an optional leading space plus a run of letters (ASCII letters, bytes
 * >= 0x80, and apostrophes between letters), of digits, or of other
 * symbols; an HTML entity (&name; / &#123;); or a run of whitespace (that
 * leaves its last space to a following word). No token crosses a chunk. */
size_t tok_chunk_len(const uint8_t *src, size_t n);

/*
 * The vocabulary's layout. Private: defined here only so the generated table
 * (engine/vocab_data.c) and the trainer can build one. Integer tables are
 * strings of fixed-width base-64 digits ('#' + value, most significant
 * first) so the generated source stays small; the decoder reads them
 * directly, no unpacking step and no mutable state.
 */
#define TOK__DIGIT0 35 /* '#': digit value 0 */
#define TOK__ID_W 3    /* digits per id (ids < 2^18) */
#define TOK__OFF_W 4   /* digits per byte offset (< 2^24) */
struct tok_vocab {
    uint32_t size;        /* entries: 256 + merges */
    const uint8_t *bytes; /* every token's bytes, concatenated in id order */
    const char *off;      /* (size+1) x OFF_W: token id is bytes[off[id]..off[id+1]) */
    const char *first;    /* (size+1) x ID_W: the merges whose left part is a are
                             pair[first[a]..first[a+1]) */
    const char *pair;     /* (size-256) x 2 ID_W: (right part, merged id) of every
                             merge, sorted by (left, right) */
    const char *parts;    /* (size-256) x 2 ID_W: left and right part of id 256+i */
};

#endif
