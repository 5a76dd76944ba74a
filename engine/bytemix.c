/*
 * bytemix.c - byte-context counters, two logistic mixers, an APM; see
 * bytemix.h.
 *
 * Contexts: the bits of the current byte so far with the last 0, 1, 2, 3,
 * 4, 5 and 6 bytes, and with the current word (the letters since the last
 * non-letter, case folded). Each context's counters for one nibble share a
 * 64-byte bucket of one table, so a byte costs two cache misses per
 * context. A counter is a probability (22 bits), a history (5 bits, see
 * History) and a count (5 bits); it moves by 1/(count + 1.5) of its
 * error, so it averages while young and tracks once the count reaches the
 * limit. Each context gives the mixers two inputs: the stretch of its
 * probability, and that scaled by n/(n+4), so a mixer can trust a young
 * counter less than an old one (with History: the stretch of what its
 * history predicts).
 *
 * Records (BYTEMIX_RECORDS; format 9, levels 3-9): binary files
 * are often tables of fixed-length rows (a spreadsheet's cells, a fax
 * image's scan lines, an executable's instructions). A byte value whose
 * last four occurrences are equally spaced votes for that spacing r; a
 * spacing with 8 votes, each within 16 r + 256 bytes of the one before,
 * becomes the record length (not a multiple of the current one), and it
 * lapses after 64 r + 4096 bytes without a vote. While a record length is
 * known, six more contexts join: the three bytes above (r + 1, r and r - 1
 * back), the byte above with the last byte, the column (position mod r)
 * with the byte above, the bytes r and 2 r back, and two sparse contexts
 * for the fixed-width fields of such files: the bytes 2 and 3 back with the
 * position mod 4, and the bytes 4 and 8 back. Without one they are not
 * looked up and give the mixers 0. Text keeps one only in stretches
 * (enwik8_1M: 1.3% more time, no gain); kennedy.xls is 24% smaller, ptt5
 * 34% (docs/model.md, session 9).
 *
 * History (BYTEMIX_HISTORY; format 10, levels 3-9): a
 * counter also keeps the last four bits it saw (with a leading 1: 5 bits,
 * beside its count). Each context maps that history to a probability of
 * its own, learned as it goes, and the stretch of it replaces the
 * counter's n/(n+4) input: a counter that was 1,1,1,0 lately says more
 * than its average. And a match model: the bytes are kept in a ring of
 * 2^(table_bits-2); at each byte boundary MATCH_MIN bytes are looked up
 * in a hash table of positions (one byte late, see match_update), and
 * while the byte after the earlier occurrence keeps coming true, its bits
 * are predicted, with a probability learned by the match's length and the
 * predicted bit (two inputs: its stretch, and the predicted bit's sign
 * times the length). The second mixers learn at twice the rate of formats
 * 5-9, and the mixers' dot products add in eight lanes (dot_inputs).
 * enwik8_1M 0.44% smaller at level 3, kennedy.xls 11%, for about 5% more
 * time (docs/model.md, session 10).
 *
 * Mixing: the first mixer (weights chosen by the bits of the byte so far)
 * mixes the contexts alone: the byte model's own prediction. The second
 * (weights chosen by the token model's confidence and the position in the
 * token) mixes the contexts, the first mixer and the token model's
 * marginal; an APM by the last byte and the bits so far refines it (its
 * output weighs 3/4). Token-level decisions have counters of their own in
 * the same table, by decision, position and the last 0-4 bytes, and a
 * small mixer with the token model's probability.
 */
#include "bytemix.h"

#include <stdlib.h>
#include <string.h>

#include "bigmem.h"
#include "fmath.h"

#define NCTX_BASE 8            /* orders 0-6 and the word */
#define NCTX 14                /* + four record contexts and two sparse ones (BYTEMIX_RECORDS) */
#define NMATCH 2               /* the match model's inputs (with history) */
#define NX (2 * NCTX + NMATCH) /* inputs per context: its stretch, and that times n/(n+4)
                                  (with history: the stretch of its history's probability) */
#define NIN1 (NX + 1)        /* + bias */
#define NIN2 (NX + 3)        /* + first mixer, token model, bias */
/* Rows of weights and inputs in whole lanes of eight (dot_inputs); the
 * weights past a mixer's inputs stay 0. The inputs get 8 more (a multiple
 * of 8 bytes, so no other field moves), and bytemix_memory leaves all of
 * the padding out: the estimate, and with it --memlimit's n-gram budget
 * (levels.c), stays that of format 10's first release. */
#define LANES8(n) (((n) + 7) & ~7)
_Static_assert(NIN2 + 8 >= LANES8(NIN2), "the inputs have room for whole lanes");
#define LANE_PAD_BYTES (sizeof(float) * (8 + 256 * (LANES8(NIN1) - NIN1) + (NSET2 + BYTEMIX_WALKS * 256) * (LANES8(NIN2) - NIN2)))
#define CONF_BUCKETS 12
#define POS_BUCKETS 3
#define NSET2 (BYTEMIX_WALKS * CONF_BUCKETS * POS_BUCKETS)
#define APM_CELLS 33
#define EVENT_KINDS 5
#define EVENT_POS 8
#define EVENT_ORDERS 5
#define EVENT_IN (EVENT_ORDERS + 2)
#define COUNT_LIMIT 30
#define REC_HIST 8192          /* bytes of history kept: 2 REC_MAX and more */
#define REC_MAX 4000           /* the longest record */
#define REC_LAST 4             /* equally spaced occurrences that make a vote */
#define REC_SURE 8             /* votes that make a record length */
#define REC_GAP 16             /* votes further apart than REC_GAP r + REC_GAP_MIN start over */
#define REC_GAP_MIN 256
#define REC_EXPIRE 64          /* no vote for REC_EXPIRE r + REC_EXPIRE_MIN bytes: no records */
#define REC_EXPIRE_MIN 4096
#define HIST_LIMIT 255         /* a history map's count stops here */
#define MATCH_MIN 7            /* bytes that must agree for a match */
#define MATCH_VERIFY 32        /* bytes a found match is checked back */
#define MATCH_LENS 20          /* length buckets: 1..15, then 16-31, 32-63, 64-127, 128+ */
#define MATCH_LIMIT 1023
#define LR1 0.02f
#define LR2 0.001f
#define LR2_HISTORY 0.002f      /* format 10: the second mixers learn twice as fast */
#define LR_EVENT 0.002f
#define APM_RATE 0.02f
#define INPUT_CLAMP 8.0f
#define STRETCH_MAX 11.09f      /* stretch_f's range: ln(65535) */

struct bytemix {
    uint32_t *table;            /* counters: p << 10 | count */
    uint32_t mask;
    float stretch[4096];        /* ln(p/(1-p)) of a 12-bit probability */
    float recip[COUNT_LIMIT + 1];
    float hrecip[MATCH_LIMIT + 1]; /* 1/(n + 1.5) for the history and match maps */
    uint16_t hnext[64];         /* history h (bits 5-9 of a counter) then bit b: hnext[2 h + b], in place */
    /* history */
    uint64_t last;              /* the last 8 bytes, most recent lowest */
    uint32_t word;              /* hash of the current word */
    uint32_t c0;                /* bits of the current byte with a leading 1 */
    uint32_t hash[NCTX];        /* context hashes at the byte boundary */
    int nctx;                   /* contexts in use: NCTX_BASE, or NCTX with records */
    int nlive;                  /* contexts looked up: NCTX_BASE while no record length is known */
    /* records: the byte history and the detected record length */
    uint8_t hist[REC_HIST];     /* byte at 1-based position q: hist[q % REC_HIST] */
    uint32_t npos;              /* bytes seen */
    uint32_t rpos[256][REC_LAST]; /* the last positions of each byte value, newest first */
    uint32_t rlen;              /* the record length, 0 for none */
    uint32_t rlen_seen;         /* position of its last vote */
    uint32_t rcand[2], rcount[2], rcand_seen[2]; /* two candidates: length, votes, last vote */
    uint32_t base[NCTX];        /* bucket of the current nibble */
    /* the bit being coded */
    uint32_t *slot[NCTX];
    float x[NIN2 + 8];          /* past the inputs in use: 0 (dot_inputs); NIN2 + 8 >= LANES8(NIN2) */
    float p1, p2;
    float x1;                   /* the first mixer's stretch (see exact_stretch) */
    int history;                /* format 10: bit histories and the match model */
    float lr2;                  /* the second mixers' rate */
    int nx;                     /* mixer inputs from the contexts (and the match model) */
    float hmap[NCTX][32];       /* by context and history: P(1) */
    uint16_t hmap_n[NCTX][32];
    uint8_t hidx[NCTX];         /* the histories of the bit being coded */
    /* the match model */
    uint8_t *mbuf;              /* the last bytes: byte at 1-based position q at mbuf[q & mmask] */
    uint32_t mmask;
    uint32_t *mtab;             /* by a hash of MATCH_MIN bytes: the position of the last of them, when last seen */
    int mtab_shift;
    uint32_t mhash;             /* the last MATCH_MIN bytes' slot, read at the next byte */
    uint32_t mlen, mptr;        /* the match's length, and the position of the byte it predicts */
    int mbucket, mbit;          /* of the bit being coded: length bucket (-1: no prediction), bit */
    float mmap[MATCH_LENS][2];
    uint16_t mmap_n[MATCH_LENS][2];
    int exact_stretch;          /* formats 5-8: the mixers' stretches are stretch_f of their
                                   squashed outputs; format 9 (with records) takes their dot
                                   products, sparing two logarithms a coded bit */
    int set2, set3, apm_lo;
    uint32_t apm1_at, apm2_at;  /* the APM rows of the bit being coded */
    float p2a, p2b;
    float apm_frac, apm_p, apm2_p;
    float *apm_row, *apm2_row;
    float w1[256][LANES8(NIN1)];
    float w2[NSET2][LANES8(NIN2)];
    float w3[BYTEMIX_WALKS * 256][LANES8(NIN2)]; /* a second set, by the walk and the bits so far */
    float *apm;                 /* [2 x 65536][APM_CELLS]: by the last byte, by a hash of two */
    uint8_t *apm_ready;         /* [2 x 65536]: the row holds its values (else the identity) */
    float apm_identity[APM_CELLS];
    /* token-level decisions */
    uint32_t *ev_slot[EVENT_ORDERS];
    float w_ev[EVENT_KINDS * EVENT_POS][EVENT_IN];
    float ev_x[EVENT_IN], ev_p;
    int ev_set;
};

static float clampf(float x, float lo, float hi) { return x < lo ? lo : x > hi ? hi : x; }
static float squash(float x) { return fm_sigmoid(clampf(x, -30.0f, 30.0f)); }
static float stretch_f(float p)
{
    p = clampf(p, 1.0f / 65536.0f, 1.0f - 1.0f / 65536.0f);
    return fm_log(p / (1.0f - p));
}

static void byte_boundary(bytemix *bm);
static uint32_t mix_hash(uint32_t a, uint32_t b);

/* The match model at a byte boundary (byte c at 1-based position q):
 * extend the match by c or drop it. The table is read one byte late, so
 * that its cache line can be fetched while the byte is coded: the last
 * MATCH_MIN bytes before c are looked up (and their position stored), and
 * a match is taken if they agree, at least MATCH_MIN bytes back, and the
 * byte after them was c too. Then the hash of the last MATCH_MIN bytes
 * (with c) waits for the next byte. */
static void match_update(bytemix *bm, uint32_t c)
{
    uint32_t q = bm->npos;      /* record_update or advance counted byte c */
    bm->mbuf[q & bm->mmask] = (uint8_t)c;
    if (bm->mlen && bm->mbuf[bm->mptr & bm->mmask] == c) {
        bm->mptr++;
        if (bm->mlen < 65535) bm->mlen++;
    } else {
        bm->mlen = 0;
    }
    if (q > MATCH_MIN) {        /* the hash of the MATCH_MIN bytes ending at q - 1 */
        uint32_t *slot = &bm->mtab[bm->mhash], cand = *slot, e = q - 1;
        *slot = e;
        if (!bm->mlen && cand && e - cand + MATCH_VERIFY <= bm->mmask && bm->mbuf[(cand + 1) & bm->mmask] == c) {
            uint32_t l = 0;
            while (l < MATCH_VERIFY && l < cand && bm->mbuf[(cand - l) & bm->mmask] == bm->mbuf[(e - l) & bm->mmask]) l++;
            if (l >= MATCH_MIN) {
                bm->mlen = l + 1;
                bm->mptr = cand + 2;
            }
        }
    }
    if (q < MATCH_MIN) return;
    uint64_t v = bm->last & ((((uint64_t)1) << (8 * MATCH_MIN)) - 1);
    bm->mhash = (uint32_t)((v * 0x9E3779B97F4A7C15ull) >> bm->mtab_shift);
    __builtin_prefetch(&bm->mtab[bm->mhash], 1);
}

/* The match model's inputs for the next bit: x[0] the stretch of its
 * probability, x[1] the predicted bit's sign times the length / 8 (at most
 * 2); both 0 while there is no match or the byte so far departed from it. */
static void match_inputs(bytemix *bm, float *x)
{
    bm->mbucket = -1;
    x[0] = x[1] = 0.0f;
    if (!bm->mlen) return;
    uint32_t pb = (uint32_t)bm->mbuf[bm->mptr & bm->mmask] | 256u;
    int known = 31 - __builtin_clz(bm->c0);
    if ((pb >> (8 - known)) != bm->c0) return;
    int e = (int)((pb >> (7 - known)) & 1u);
    uint32_t n = bm->mlen;
    int b = n < 16 ? (int)n : n < 32 ? 16 : n < 64 ? 17 : n < 128 ? 18 : 19;
    bm->mbucket = b;
    bm->mbit = e;
    x[0] = bm->stretch[(int)(bm->mmap[b][e] * 4095.0f)];
    x[1] = (e ? 0.125f : -0.125f) * (float)(b < 16 ? b : 16);
}

/* Records: a byte value whose last REC_LAST occurrences are equally spaced
 * votes for that spacing; a spacing voted for REC_SURE times becomes the
 * record length. */
static void record_update(bytemix *bm, uint32_t c)
{
    uint32_t q = ++bm->npos;    /* 1-based position of byte c */
    bm->hist[q & (REC_HIST - 1)] = (uint8_t)c;
    uint32_t *lp = bm->rpos[c];
    uint32_t r = q - lp[0];
    int even = lp[REC_LAST - 1] != 0 && r >= 2 && r <= REC_MAX;
    for (int k = 0; even && k + 1 < REC_LAST; k++) even = lp[k] - lp[k + 1] == r;
    for (int k = REC_LAST - 1; k > 0; k--) lp[k] = lp[k - 1];
    lp[0] = q;
    if (bm->rlen && q - bm->rlen_seen > REC_EXPIRE * bm->rlen + REC_EXPIRE_MIN)
        bm->rlen = 0;           /* no votes for it in a long while: no records */
    if (!even) return;
    if (r == bm->rlen) bm->rlen_seen = q;
    int k = r == bm->rcand[0] ? 0 : r == bm->rcand[1] ? 1 : -1;
    if (k >= 0 && q - bm->rcand_seen[k] <= REC_GAP * r + REC_GAP_MIN) bm->rcount[k]++;
    else {
        if (k < 0) k = bm->rcount[0] > bm->rcount[1];    /* replace the weaker */
        bm->rcand[k] = r;
        bm->rcount[k] = 1;
    }
    bm->rcand_seen[k] = q;
    if (bm->rcount[k] >= REC_SURE && r != bm->rlen && !(bm->rlen && r % bm->rlen == 0)) {
        bm->rlen = r;
        bm->rlen_seen = q;
        bm->rcount[0] = bm->rcount[1] = 0;
    }
}

/* The byte at distance d back (1 = the last byte). */
static uint32_t hist_at(const bytemix *bm, uint32_t d)
{
    return d <= bm->npos ? bm->hist[(bm->npos + 1 - d) & (REC_HIST - 1)] : 0;
}

/* The record and sparse contexts' hashes at a byte boundary, and whether
 * they are looked up. */
static void record_hashes(bytemix *bm)
{
    uint32_t r = bm->rlen;
    bm->nlive = r ? NCTX : NCTX_BASE;
    if (!r) return;
    uint32_t above = hist_at(bm, r), left = hist_at(bm, r + 1), right = hist_at(bm, r - 1);   /* r >= 2 */
    bm->hash[8] = mix_hash(mix_hash(r, above | left << 8 | right << 16), 0x1B873593u);
    bm->hash[9] = mix_hash(mix_hash(r, above | (uint32_t)(bm->last & 255) << 8), 0x68E31DA4u);
    bm->hash[10] = mix_hash(mix_hash(r, (bm->npos % r) | above << 16), 0x297A2D39u);
    bm->hash[11] = mix_hash(mix_hash(r, above | hist_at(bm, 2 * r) << 8), 0x4B3A1C2Du);
    bm->hash[12] = mix_hash((uint32_t)((bm->last >> 8) & 0xFFFF) | (bm->npos & 3) << 16, 0x2545F491u);
    bm->hash[13] = mix_hash((uint32_t)((bm->last >> 24) & 0xFF) | (uint32_t)((bm->last >> 56) & 0xFF) << 8, 0x6C8E9CF5u);
}

/* APM row c, the identity until it is first used. */
static float *apm_row_at(bytemix *bm, uint32_t c)
{
    float *row = bm->apm + (size_t)c * APM_CELLS;
    if (!bm->apm_ready[c]) {
        memcpy(row, bm->apm_identity, sizeof bm->apm_identity);
        bm->apm_ready[c] = 1;
    }
    return row;
}

bytemix *bytemix_create(int table_bits, unsigned features)
{
    if (table_bits < 16 || table_bits > 26) return NULL;
    int records = (features & BYTEMIX_RECORDS) != 0, history = (features & BYTEMIX_HISTORY) != 0;
    bytemix *bm = calloc(1, sizeof *bm);
    if (!bm) return NULL;
    size_t n = (size_t)1 << table_bits;
    bm->table = malloc(n * sizeof *bm->table);
    bm->apm = malloc((size_t)2 * 65536 * APM_CELLS * sizeof *bm->apm);
    bm->apm_ready = calloc((size_t)2 * 65536, 1);
    if (history) {
        bm->mmask = ((uint32_t)1 << (table_bits - 2)) - 1;
        bm->mbuf = calloc((size_t)bm->mmask + 1, 1);
        bm->mtab = calloc((size_t)1 << (table_bits - 6), sizeof *bm->mtab);
        bm->mtab_shift = 64 - (table_bits - 6);
    }
    if (!bm->table || !bm->apm || !bm->apm_ready || (history && (!bm->mbuf || !bm->mtab))) {
        bytemix_free(bm);
        return NULL;
    }
    bm->mask = (uint32_t)(n - 1);
    bm->nctx = records ? NCTX : NCTX_BASE;
    bm->nlive = NCTX_BASE;
    bm->exact_stretch = !records;
    bm->history = history;
    bm->mbucket = -1;
    bm->lr2 = history ? LR2_HISTORY : LR2;
    int nx = bm->nx = 2 * bm->nctx + (history ? NMATCH : 0);
    for (int i = 0; i < NCTX; i++)
        for (int h = 0; h < 32; h++) bm->hmap[i][h] = 0.5f;
    for (int b = 0; b < MATCH_LENS; b++) {
        bm->mmap[b][0] = 0.25f;
        bm->mmap[b][1] = 0.75f;
    }
    bigmem_advise(bm->table, n * sizeof *bm->table);
    /* read at random too: a TLB miss on 4 KB pages was most of the APM rows' cost */
    bigmem_advise(bm->apm, (size_t)2 * 65536 * APM_CELLS * sizeof *bm->apm);
    if (history) {
        bigmem_advise(bm->mbuf, (size_t)bm->mmask + 1);
        bigmem_advise(bm->mtab, sizeof *bm->mtab << (table_bits - 6));
    }
    for (size_t i = 0; i < n; i++) bm->table[i] = (uint32_t)1 << 31;   /* p = 1/2, count 0 */
    for (int i = 0; i < 4096; i++) bm->stretch[i] = stretch_f(((float)i + 0.5f) / 4096.0f);
    for (int i = 0; i <= COUNT_LIMIT; i++) bm->recip[i] = 1.0f / ((float)i + 1.5f);
    for (int i = 0; i <= MATCH_LIMIT; i++) bm->hrecip[i] = 1.0f / ((float)i + 1.5f);
    for (uint32_t h = 0; h < 32; h++)
        for (uint32_t b = 0; b < 2; b++) {
            uint32_t next = h == 0 ? 2u | b : h < 16 ? (h << 1) | b : (((h << 1) | b) & 15u) | 16u;
            bm->hnext[2 * h + b] = (uint16_t)(next << 5);
        }
    for (int s = 0; s < 256; s++)
        for (int i = 0; i < nx + 1; i++) bm->w1[s][i] = 0.3f;
    for (int s = 0; s < NSET2; s++) {
        for (int i = 0; i < NIN2; i++) bm->w2[s][i] = 0.0f;
        bm->w2[s][nx + 1] = 1.0f;   /* start from the token model alone */
    }
    for (int s = 0; s < BYTEMIX_WALKS * 256; s++) {
        for (int i = 0; i < NIN2; i++) bm->w3[s][i] = 0.0f;
        bm->w3[s][nx + 1] = 1.0f;
    }
    /* each APM row starts as the identity, written when it is first used (a
     * short input touches few of the 131,072 rows) */
    for (int j = 0; j < APM_CELLS; j++) bm->apm_identity[j] = squash((float)(j - 16) * 0.5f);
    for (int s = 0; s < EVENT_KINDS * EVENT_POS; s++) {
        for (int i = 0; i < EVENT_IN; i++) bm->w_ev[s][i] = 0.0f;
        bm->w_ev[s][EVENT_ORDERS] = 1.0f;
    }
    bm->c0 = 1;
    byte_boundary(bm);
    return bm;
}

void bytemix_free(bytemix *bm)
{
    if (!bm) return;
    free(bm->table);
    free(bm->apm);
    free(bm->apm_ready);
    free(bm->mbuf);
    free(bm->mtab);
    free(bm);
}

uint64_t bytemix_memory(int table_bits)
{
    /* the most it takes: with history also a ring of 2^(table_bits-2) bytes and
     * 2^(table_bits-6) positions */
    return sizeof(bytemix) - LANE_PAD_BYTES + ((uint64_t)sizeof(uint32_t) << table_bits) + ((uint64_t)1 << (table_bits - 2)) +
           ((uint64_t)sizeof(uint32_t) << (table_bits - 6)) + (uint64_t)2 * 65536 * (APM_CELLS * sizeof(float) + 1);
}

static uint32_t mix_hash(uint32_t a, uint32_t b)
{
    uint32_t h = (a ^ (b * 0x9E3779B1u)) * 0x85EBCA6Bu;
    return h ^ (h >> 15);
}

/* Buckets of 16 counters: the nibble's 15 partial values index 1..15. */
static void set_buckets(bytemix *bm)
{
    uint32_t nib = bm->c0 >= 16 ? bm->c0 : 0;
    for (int i = 0; i < bm->nlive; i++) {
        bm->base[i] = (mix_hash(bm->hash[i], nib + 1) & bm->mask) & ~15u;
        __builtin_prefetch(&bm->table[bm->base[i]], 1);   /* read and written at the nibble's bits */
    }
}

static void byte_boundary(bytemix *bm)
{
    uint64_t h = bm->last;
    bm->hash[0] = 0;
    for (int k = 1; k <= 6; k++) {
        uint64_t v = h & ((((uint64_t)1) << (8 * k)) - 1);
        bm->hash[k] = mix_hash(mix_hash((uint32_t)v, (uint32_t)(v >> 32)), (uint32_t)k * 0x2545F491u);
    }
    bm->hash[7] = mix_hash(bm->word, 0x51ED27u);
    if (bm->nctx > NCTX_BASE) record_hashes(bm);
    set_buckets(bm);
}

static void find_slots(bytemix *bm)
{
    uint32_t c0 = bm->c0, idx;
    if (c0 < 16) idx = c0;
    else if (c0 < 32) idx = 1;
    else if (c0 < 64) idx = 2 | (c0 & 1);
    else if (c0 < 128) idx = 4 | (c0 & 3);
    else idx = 8 | (c0 & 7);
    for (int i = 0; i < bm->nlive; i++) bm->slot[i] = &bm->table[bm->base[i] + idx];
}

static float counter_input(const bytemix *bm, uint32_t c)
{
    if ((c & 1023u) == 0) return 0.0f;
    return bm->stretch[c >> 20];
}

/* A counter: p << 10 | history << 5 | count. The history (with history:
 * the last up to four bits after a leading 1; 0 before the first) is 0
 * in formats 5-9, whose counts never pass COUNT_LIMIT < 32. */
static void counter_learn(const bytemix *bm, uint32_t *c, int bit)
{
    uint32_t v = *c, n = v & 31u, h = v & (31u << 5);
    int32_t p = (int32_t)(v >> 10), target = bit ? (1 << 22) - 1 : 0;
    p += (int32_t)((float)(target - p) * bm->recip[n]);
    if (n < COUNT_LIMIT) n++;
    if (bm->history) h = bm->hnext[(h >> 4) | (uint32_t)bit];
    *c = ((uint32_t)p << 10) | h | n;
}

/* A mixer's dot product. Formats 5-9 sum in input order; format 10 (with
 * history) puts input j in lane j % 8 and adds the lanes pairwise, in an
 * order fixed by the code, so the compiler can keep the lanes in vector
 * registers (SSE2 and up) without changing a bit, and the sum is not one
 * chain of 31 dependent additions. The inputs are taken in whole lanes of
 * eight: past n, w is 0 and x finite, and adding w x = +-0 to a lane
 * leaves it as it is (a lane's sum starts at +0 and is never -0), so the
 * sum is that of the n inputs, without a loop for the last few. */
static float dot_inputs(const bytemix *bm, const float *w, const float *x, int n)
{
    if (!bm->history) {
        float dot = 0.0f;
        for (int i = 0; i < n; i++) dot += w[i] * x[i];
        return dot;
    }
    float a[8] = { 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f };
    for (int j = 0; j < n; j += 8)
        for (int k = 0; k < 8; k++) a[k] += w[j + k] * x[j + k];
    return ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
}

/* The first mixer: the byte contexts alone. Also sets the inputs x[0..NX). */
static void first_mixer(bytemix *bm)
{
    find_slots(bm);
    int nc = bm->nctx, nx = bm->nx;
    for (int i = bm->nlive; i < nc; i++) bm->x[i] = bm->x[nc + i] = 0.0f;
    if (bm->history) {
        for (int i = 0; i < bm->nlive; i++) {
            uint32_t c = *bm->slot[i], h = (c >> 5) & 31u;
            bm->hidx[i] = (uint8_t)h;
            bm->x[i] = counter_input(bm, c);
            bm->x[nc + i] = h ? bm->stretch[(int)(bm->hmap[i][h] * 4095.0f)] : 0.0f;
        }
        match_inputs(bm, bm->x + 2 * nc);
    } else {
        for (int i = 0; i < bm->nlive; i++) {
            uint32_t c = *bm->slot[i], n = c & 31u;
            bm->x[i] = counter_input(bm, c);
            bm->x[nc + i] = bm->x[i] * ((float)n / ((float)n + 4.0f));
        }
    }
    bm->x[nx] = 0.25f;
    for (int i = nx + 1; i < LANES8(nx + 1); i++) bm->x[i] = 0.0f;   /* the second mixer's, set after this */
    const float *w = bm->w1[bm->c0];
    float dot = dot_inputs(bm, w, bm->x, nx + 1);
    bm->p1 = squash(dot);
    bm->x1 = bm->exact_stretch ? stretch_f(bm->p1) : clampf(dot, -STRETCH_MAX, STRETCH_MAX);
}

/* The APMs' rows: by the last byte and the bits so far; by a hash of the
 * last two bytes and the bits so far. */
static uint32_t apm1_index(const bytemix *bm) { return ((uint32_t)(bm->last & 255) << 8) | bm->c0; }
static uint32_t apm2_index(const bytemix *bm)
{
    return 65536 + (mix_hash((uint32_t)(bm->last & 0xFFFF), bm->c0 * 0x2F0B3u) >> 16);
}

/* The cache lines of first[0..last] (an APM row: three lines). Always
 * inlined: gcc takes a function with nothing but prefetches for pure and
 * drops its calls, as it dropped the APM rows' prefetch before session 11. */
static inline __attribute__((always_inline)) void prefetch_floats(const float *first, const float *last)
{
    for (const float *r = first; r < last; r += 16) __builtin_prefetch(r, 1);
    __builtin_prefetch(last, 1);
}

/* The bit's two APM rows, asked for before the mixers' work so that
 * bytemix_p waits less for them (with huge pages for the table: see
 * bytemix_create). Only the bits bytemix_p codes read them: asked for at
 * every bit (advance, before session 11) most would be wasted. */
static void set_apm_rows(bytemix *bm)
{
    bm->apm1_at = apm1_index(bm);
    bm->apm2_at = apm2_index(bm);
    const float *r1 = bm->apm + (size_t)bm->apm1_at * APM_CELLS, *r2 = bm->apm + (size_t)bm->apm2_at * APM_CELLS;
    prefetch_floats(r1, r1 + APM_CELLS - 1);
    prefetch_floats(r2, r2 + APM_CELLS - 1);
}

static int conf_bucket(float st)
{
    int b = (int)((st + 6.0f) * (float)CONF_BUCKETS / 12.0f);
    return b < 0 ? 0 : b >= CONF_BUCKETS ? CONF_BUCKETS - 1 : b;
}

uint32_t bytemix_p(bytemix *bm, float p_token, int pos, int walk)
{
    set_apm_rows(bm);
    first_mixer(bm);
    float st = clampf(stretch_f(p_token), -INPUT_CLAMP * 2, INPUT_CLAMP * 2);
    float x1 = bm->x1;
    float *x = bm->x;
    int nx = bm->nx, nin2 = nx + 3;
    x[nx] = x1;
    x[nx + 1] = st;
    x[nx + 2] = 0.25f;
    bm->set2 = (walk * CONF_BUCKETS + conf_bucket(st)) * POS_BUCKETS + (pos < POS_BUCKETS ? pos : POS_BUCKETS - 1);
    bm->set3 = walk * 256 + (int)bm->c0;
    const float *w = bm->w2[bm->set2], *v = bm->w3[bm->set3];
    float dot = dot_inputs(bm, w, x, nin2), dot3 = dot_inputs(bm, v, x, nin2);
    bm->p2a = squash(dot);
    bm->p2b = squash(dot3);
    bm->p2 = squash((dot + dot3) * 0.5f);
    /* APM by the last byte and the bits so far */
    float s = clampf(bm->exact_stretch ? stretch_f(bm->p2) : (dot + dot3) * 0.5f, -7.999f, 7.999f);
    float f = (s + 8.0f) * 2.0f;
    int lo = (int)f;
    bm->apm_frac = f - (float)lo;
    bm->apm_lo = lo;
    bm->apm_row = apm_row_at(bm, bm->apm1_at);
    bm->apm_p = bm->apm_row[lo] * (1.0f - bm->apm_frac) + bm->apm_row[lo + 1] * bm->apm_frac;
    bm->apm2_row = apm_row_at(bm, bm->apm2_at);
    bm->apm2_p = bm->apm2_row[lo] * (1.0f - bm->apm_frac) + bm->apm2_row[lo + 1] * bm->apm_frac;
    float p = (2.0f * bm->p2 + 3.0f * bm->apm_p + 3.0f * bm->apm2_p) * 0.125f;
    uint32_t q = (uint32_t)(p * (float)BYTEMIX_SCALE + 0.5f);
    return q < 1 ? 1 : q > BYTEMIX_SCALE - 1 ? BYTEMIX_SCALE - 1 : q;
}

static void advance(bytemix *bm, int bit)
{
    bm->c0 = (bm->c0 << 1) | (uint32_t)bit;
    if (bm->c0 >= 256) {
        uint32_t c = bm->c0 & 255;
        bm->last = (bm->last << 8) | c;
        if (bm->nctx > NCTX_BASE) record_update(bm, c);
        else bm->npos++;
        if (bm->history) match_update(bm, c);
        int letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 128;
        bm->word = letter ? (bm->word ^ (c | 32u)) * 0x01000193u : 0;
        bm->c0 = 1;
        byte_boundary(bm);
    } else if (bm->c0 >= 16 && bm->c0 < 32) {
        set_buckets(bm);
    }
}

/* The history maps and the match model's map learn the coded bit. */
static void history_learn(bytemix *bm, float y)
{
    for (int i = 0; i < bm->nlive; i++) {
        int h = bm->hidx[i];
        uint16_t *n = &bm->hmap_n[i][h];
        bm->hmap[i][h] += (y - bm->hmap[i][h]) * bm->hrecip[*n];
        if (*n < HIST_LIMIT) (*n)++;
    }
    if (bm->mbucket >= 0) {
        float *q = &bm->mmap[bm->mbucket][bm->mbit];
        uint16_t *n = &bm->mmap_n[bm->mbucket][bm->mbit];
        *q += (y - *q) * bm->hrecip[*n];
        if (*n < MATCH_LIMIT) (*n)++;
    }
}

void bytemix_learn(bytemix *bm, int bit)
{
    float y = (float)bit;
    float e1 = (y - bm->p1) * LR1;
    int nx = bm->nx, nin2 = nx + 3;
    float *w1 = bm->w1[bm->c0];
    for (int i = 0; i < nx; i++) w1[i] += e1 * bm->x[i];
    w1[nx] += e1 * 0.25f;
    float e2 = (y - bm->p2a) * bm->lr2, e3 = (y - bm->p2b) * bm->lr2;
    float *w2 = bm->w2[bm->set2], *w3 = bm->w3[bm->set3];
    for (int i = 0; i < nin2; i++) w2[i] += e2 * bm->x[i];
    for (int i = 0; i < nin2; i++) w3[i] += e3 * bm->x[i];
    float *a = bm->apm_row;
    int lo = bm->apm_lo;
    a[lo] += (y - a[lo]) * APM_RATE * (1.0f - bm->apm_frac);
    a[lo + 1] += (y - a[lo + 1]) * APM_RATE * bm->apm_frac;
    a = bm->apm2_row;
    a[lo] += (y - a[lo]) * APM_RATE * (1.0f - bm->apm_frac);
    a[lo + 1] += (y - a[lo + 1]) * APM_RATE * bm->apm_frac;
    if (bm->history) history_learn(bm, y);
    for (int i = 0; i < bm->nlive; i++) counter_learn(bm, bm->slot[i], bit);
    advance(bm, bit);
}

void bytemix_pass(bytemix *bm, int bit)
{
    find_slots(bm);
    for (int i = 0; i < bm->nlive; i++) counter_learn(bm, bm->slot[i], bit);
    advance(bm, bit);
}

/* Token-level decisions: counters by the decision, the position in the
 * token and the last 0-4 bytes, mixed with the token model's probability. */
uint32_t bytemix_event_p(bytemix *bm, int kind, float p_token, int pos)
{
    uint32_t pb = (uint32_t)(pos < EVENT_POS ? pos : EVENT_POS - 1);
    uint32_t ctx = (uint32_t)kind * EVENT_POS + pb;
    bm->ev_set = (int)ctx;
    for (int k = 0; k < EVENT_ORDERS; k++) {
        uint64_t v = k ? bm->last & ((((uint64_t)1) << (8 * k)) - 1) : 0;
        uint32_t h = mix_hash(mix_hash((uint32_t)v, (uint32_t)(v >> 32) + ctx * 0x3C6EF372u), 0x7F4A7C15u + (uint32_t)k);
        bm->ev_slot[k] = &bm->table[h & bm->mask];
        bm->ev_x[k] = counter_input(bm, *bm->ev_slot[k]);
    }
    bm->ev_x[EVENT_ORDERS] = clampf(stretch_f(p_token), -INPUT_CLAMP * 2, INPUT_CLAMP * 2);
    bm->ev_x[EVENT_ORDERS + 1] = 0.25f;
    const float *w = bm->w_ev[bm->ev_set];
    float dot = 0.0f;
    for (int i = 0; i < EVENT_IN; i++) dot += w[i] * bm->ev_x[i];
    bm->ev_p = squash(dot);
    uint32_t q = (uint32_t)(bm->ev_p * (float)BYTEMIX_SCALE + 0.5f);
    return q < 1 ? 1 : q > BYTEMIX_SCALE - 1 ? BYTEMIX_SCALE - 1 : q;
}

void bytemix_event_learn(bytemix *bm, int bit)
{
    float e = ((float)bit - bm->ev_p) * LR_EVENT;
    float *w = bm->w_ev[bm->ev_set];
    for (int i = 0; i < EVENT_IN; i++) w[i] += e * bm->ev_x[i];
    for (int k = 0; k < EVENT_ORDERS; k++) counter_learn(bm, bm->ev_slot[k], bit);
}
