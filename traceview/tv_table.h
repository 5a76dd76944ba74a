/*
 * tv_table.h - the token table of both viewers (`t`), htop-style: the
 * tokens (or the token ids, each the total over its occurrences) sorted by
 * bits or by what one component saved or cost, filtered by NEW / seen,
 * token type and longest n-gram order; Enter jumps to the token.
 *
 * Sorting, filtering and aggregation are done here once and drawn twice
 * (smix-tui's pane_table.c, smix-view's table.c): both viewers show the
 * same rows in the same order for the same keys.
 *
 * Cost on long traces: the first build reads every record once and keeps
 * a few compact columns (bits, id, NEW, type, order: 14 bytes a token);
 * sorting by a component reads its column once more (4 bytes a token).
 * After that, changing the sort or a filter reads no record: one pass over
 * the columns keeps the best TV_TABLE_MAX rows in a heap (O(n log K)).
 * A record that cannot be read (a damaged, lazily opened trace) is left
 * out and counted (bad).
 */
#ifndef TV_TABLE_H
#define TV_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include "tv_doc.h"
#include "tv_keys.h"

#define TV_TABLE_MAX 2000      /* rows kept: the best of the sort */

/* What a row is. */
enum { TV_TB_TOKENS = 0,       /* one row per token of the trace */
       TV_TB_IDS = 1 };        /* one row per token id: totals over its occurrences */

/* Sort keys (key >= TV_TB_KEY_COMP + c: component c's bits saved, or its
 * margin over the rival for traces without bits saved). */
enum { TV_TB_KEY_BITS = 0, TV_TB_KEY_COUNT = 1, TV_TB_KEY_COMP = 2 };

/* The NEW filter. */
enum { TV_TB_ALL = 0, TV_TB_NEW = 1, TV_TB_SEEN = 2 };

typedef struct tv_table_row {
    uint64_t tok;       /* the token; by id: its costliest occurrence (where Enter goes) */
    uint32_t id;
    uint64_t count;     /* by id: occurrences that pass the filters; else 1 */
    double bits;        /* bits; by id: their sum */
    double comp;        /* the sort component's value (sum by id); 0 without one */
    uint8_t is_new;     /* by id: the id's first occurrence is among the rows' */
    uint8_t type;       /* SMIX_TTYPE_* */
    int8_t order;       /* longest n-gram order seen (by id: of the costliest occurrence) */
} tv_table_row;

typedef struct tv__tcols tv__tcols;

typedef struct tv_table {
    tv_doc *d;
    /* the view: set these, then tv_table_build */
    int mode;           /* TV_TB_TOKENS, TV_TB_IDS */
    int key;            /* TV_TB_KEY_* */
    int ascending;      /* smallest first (e.g. the components that cost most) */
    int f_new;          /* TV_TB_ALL, TV_TB_NEW, TV_TB_SEEN */
    int f_type;         /* -1 any, else SMIX_TTYPE_* */
    int f_order;        /* -1 any, else exactly this longest order */
    /* the result */
    tv_table_row *row;
    size_t n_rows;
    uint64_t matched;   /* tokens (by id: ids) that pass the filters; rows hold the best */
    uint64_t bad;       /* records that could not be read */
    int max_order;      /* the largest longest_order in the trace */
    int saved;          /* component values are bits saved (else margins) */
    /* the cursor in the rows */
    size_t sel, top;
    char msg[160];      /* the last key's message, "" for none */
    tv__tcols *cols;
} tv_table;

/* A table over d (borrowed), sorted by bits, largest first; builds it
 * (one pass over the trace). NULL if out of memory. */
tv_table *tv_table_create(tv_doc *d);
void tv_table_free(tv_table *t);   /* accepts NULL */

/* Applies the view fields. Returns 0, or -1 if out of memory (the rows
 * are then empty). */
int tv_table_build(tv_table *t);

/* What a key did. */
enum { TV_TB_R_NONE = 0, TV_TB_R_REDRAW, TV_TB_R_JUMP, TV_TB_R_CLOSE, TV_TB_R_QUIT };

/* Handles a tv key (tv_keys.h) in the table: j/k Up/Down PgUp/PgDn g/G
 * move; o next sort key, O previous; r reverses; a tokens / by id;
 * n NEW / seen / all; y the next token type; d the next n-gram order;
 * Enter (or l, Right) jumps (tv_table_target); Esc, t (or h, Left) closes;
 * q quits. page: rows on screen. */
int tv_table_key(tv_table *t, int key, int page);
/* A click on the row'th row shown (0 = t->top): selects it. Returns 1 if
 * that row exists. */
int tv_table_click(tv_table *t, int row);
/* The token Enter jumps to (the selected row's), or -1 without rows. */
int64_t tv_table_target(const tv_table *t);
/* Keeps the selected row among the `page` rows from t->top. */
void tv_table_scroll(tv_table *t, int page);

/* The lines both viewers draw (escaped, safe to draw):
 *   tv_table_title: "Tokens by bits, largest first: 2000 of 8123 tokens shown"
 *   tv_table_filters: "filters: NEW+seen  type any  order any  (n y d: change)"
 *   tv_table_keys: the keys
 *   tv_table_header / tv_table_line: the column header and row i. */
void tv_table_title(const tv_table *t, char *out, size_t len);
void tv_table_filters(const tv_table *t, char *out, size_t len);
const char *tv_table_keys(void);
void tv_table_header(const tv_table *t, char *out, size_t len);
void tv_table_line(const tv_table *t, size_t i, int utf8, char *out, size_t len);
/* The name of sort key k ("bits", "count", "saved:ppm", "margin:ng1"). */
void tv_table_key_name(const tv_table *t, int k, char *out, size_t len);

#endif /* TV_TABLE_H */
