/*
 * trace_format.h - internal: the on-disk layout of .smt traces, shared by the
 * trace writer, reader and report (docs/trace-format.md is the prose version
 * of this file; keep the two in step).
 *
 * Everything is little-endian and read/written through the byte helpers
 * below (memcpy-free, alignment-free), so the reader never dereferences a
 * misaligned or out-of-bounds pointer and the writer produces the same bytes
 * on any host.
 *
 * File = header (TRC_HEADER_SIZE bytes, CRC-protected) followed by sections
 * whose position, element count, element size and CRC-32C the header lists:
 *   0 tokens   fixed-size per-token records: a fixed part, then arrays at
 *              the offsets of the header's layout table (their lengths
 *              from the component and step counts), incl. top-k and (2.1)
 *              the bits each component saved
 *   1 chunks   per training chunk (TRC_CHUNK_SIZE)
 *   2 strings  string-table entries {id, len, blob offset} (TRC_STRING_SIZE)
 *   3 idindex  u32 entry numbers sorted by (id, entry) for id lookups
 *   4 blob     the bytes the string entries point into (element size 1)
 *   5 comps    the components the file's level uses (TRC_COMP_SIZE)
 *   6 steps    the coding steps it uses (TRC_STEP_SIZE)
 * A new component or step changes only the counts (no version change).
 * Minor versions may only append: header fields (header_size grows), record
 * fields (elem_size grows) and sections (n_sections grows). Anything else is
 * a new major version, which readers refuse.
 */
#ifndef SMIX_TRACE_FORMAT_H
#define SMIX_TRACE_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "checksum.h"   /* crc32c(), the engine's CRC-32C */

#define TRC_MAGIC "SMIXTRC\x1a"   /* 8 bytes; \x1a stops `type` on DOS-likes */
#define TRC_MAGIC_LEN 8
#define TRC_MAJOR 2
#define TRC_MINOR 1

/* header */
#define TRC_HEADER_SIZE 512
#define TRC_H_MAJOR        8   /* u16 */
#define TRC_H_MINOR       10   /* u16 */
#define TRC_H_HEADER_SIZE 12   /* u32 */
#define TRC_H_NSECTIONS   16   /* u32 */
#define TRC_H_NCOMP       20   /* u32 components in the components section */
#define TRC_H_TOPK        24   /* u32 */
#define TRC_H_FLAGS       28   /* u32 TRC_F_* */
#define TRC_H_INPUT       32   /* u64 smix_file_info.input_bytes */
#define TRC_H_TOKENS      40   /* u64 smix_file_info.tokens (as the engine said) */
#define TRC_H_HDRBYTES    48   /* u64 */
#define TRC_H_PAYLOAD     56   /* u64 */
#define TRC_H_COMPRESSED  64   /* u64 */
#define TRC_H_FORMATVER   72   /* u32 */
#define TRC_H_CHECKSUM    76   /* u32 CRC-32C of the original input */
#define TRC_H_CONFIG      80   /* 12 x u8, u16 lr_milli, u16 smooth_milli, u32 vocab */
#define TRC_H_NSTEPS     100   /* u32 steps in the steps section */
#define TRC_H_TOTALBITS  104   /* f64, sum of token bits in record order */
#define TRC_H_CONFIG2    112   /* u8 blocks, byte_mix, escape_walk, skip_context; u16 ssm_rows, ngram_budget_mb */
#define TRC_H_LAYOUT     120   /* u32 x 7: offsets in a token record of comp, fav_comp, steps, tm, topk,
                                  ssm_topk, saved (2.1; 0 in 2.0 files) */
#define TRC_H_SECTIONS   160   /* n_sections x TRC_SECTION_SIZE */
#define TRC_SECTION_SIZE  32   /* u64 offset, u64 count, u32 elem_size, u32 crc, u64 0 */
#define TRC_NSECTIONS      7
/* the last 4 bytes of the header: CRC-32C of bytes [0, header_size - 4) */

/* header flags */
#define TRC_F_SSM  1u   /* the level has the SSM: its fields and top list are recorded */
#define TRC_F_BITS 2u   /* tokens coded bit by bit with the byte model (mixed steps) */

enum { TRC_SEC_TOKENS, TRC_SEC_CHUNKS, TRC_SEC_STRINGS, TRC_SEC_IDINDEX, TRC_SEC_BLOB,
       TRC_SEC_COMPS, TRC_SEC_STEPS };

/* the record layout table at TRC_H_LAYOUT */
enum { TRC_L_COMP, TRC_L_FAV, TRC_L_STEPS, TRC_L_TM, TRC_L_TOPK, TRC_L_SSMTOPK, TRC_L_SAVED, TRC_NLAYOUT };

/* token record: fixed part */
#define TRC_TOKEN_FIXED   96
#define TRC_T_OFFSET       0   /* u64 */
#define TRC_T_LENGTH       8   /* u32 */
#define TRC_T_ID          12   /* u32 */
#define TRC_T_STR         16   /* u32 string entry holding this token's bytes */
#define TRC_T_ISNEW       20   /* u8 */
#define TRC_T_ORDER       21   /* i8 */
#define TRC_T_FLAGS       22   /* u8 SMIX_TI_* */
#define TRC_T_PSSM        28   /* f32 */
#define TRC_T_COUNT       24   /* u32 */
#define TRC_T_RANK        32   /* u32 */
#define TRC_T_PSSMNEW     36   /* f32 */
#define TRC_T_ENTROPY     40   /* f32 */
#define TRC_T_SCALE       44   /* f32 */
#define TRC_T_BITS        48   /* f64 */
#define TRC_T_PFINAL      56   /* f32 */
#define TRC_T_RANKFINAL   60   /* u32 */
#define TRC_T_LOGIT       64   /* f64 */
#define TRC_T_LOGNORM     72   /* f64 */
#define TRC_T_FAVLOGIT    80   /* f64 */
#define TRC_T_FAVID       88   /* u32 */
/* then, at the offsets of the layout table: f32 x n_comp (comp), f32 x
 * n_comp (fav_comp), f64 x n_steps (steps), f64 x n_steps (tm), top-k
 * {u32 id, f32 p} x 8, with TRC_F_SSM the SSM's top-k likewise, and
 * (2.1) f32 x n_comp (saved: each component's bits saved) */
#define TRC_TOPK_SIZE     64

#define TRC_CHUNK_SIZE    32   /* u64 index, u64 first_token, u32 n, u32 iters, f32 loss, f32 lr */
#define TRC_STRING_SIZE   16   /* u32 id, u32 len, u64 blob offset */
#define TRC_TOPK           8
/* components section: fixed-size text fields, NUL-padded printable ASCII */
#define TRC_COMP_SIZE    128   /* name[16], group[16], description[96] */
#define TRC_STEP_SIZE    128   /* name[16], u32 flags (1: mixed), 12 zero bytes, description[96] */
#define TRC_NAME_LEN      16
#define TRC_DESC_LEN      96
#define TRC_MAX_COMP      64   /* a reader refuses more */
#define TRC_MAX_STEPS     16

/* Display text stored for SMIX_TOKEN_NEW in the string table. */
#define TRC_NEW_TEXT "<NEW>"

/* ---- little-endian byte helpers ---- */
static inline void trc_put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void trc_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}
static inline void trc_put64(uint8_t *p, uint64_t v) { trc_put32(p, (uint32_t)v); trc_put32(p + 4, (uint32_t)(v >> 32)); }
static inline uint16_t trc_get16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t trc_get32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t trc_get64(const uint8_t *p) { return trc_get32(p) | ((uint64_t)trc_get32(p + 4) << 32); }

/* Floats travel as their IEEE bit patterns (type punning through a union is
 * defined in C11). */
static inline void trc_putf(uint8_t *p, float f) { union { float f; uint32_t u; } x; x.f = f; trc_put32(p, x.u); }
static inline void trc_putd(uint8_t *p, double d) { union { double d; uint64_t u; } x; x.d = d; trc_put64(p, x.u); }
static inline float trc_getf(const uint8_t *p) { union { float f; uint32_t u; } x; x.u = trc_get32(p); return x.f; }
static inline double trc_getd(const uint8_t *p) { union { double d; uint64_t u; } x; x.u = trc_get64(p); return x.d; }

#endif /* SMIX_TRACE_FORMAT_H */
