/*
 * model_match.c - the match model: the longest earlier occurrence of the
 * last MATCH_MIN or more tokens predicts the token that followed it.
 *
 * A table of 1 << mbits cells maps a hash of the last MATCH_MIN tokens to
 * the position after their latest occurrence. While a match holds it is
 * extended token by token (up to MATCH_MAX); when it fails, the next
 * position looks the table up again. Its feature (model_feat.c) is
 * m(len) = 1.5 (1 - 1 / (1 + 0.3 len)) on the predicted token only, and its
 * length bucket chooses the first mixing weight set.
 */
#include "model_internal.h"

int model_match_bucket(uint32_t len) { return len == 0 ? 0 : len < 8 ? 1 : 2; }

float model_match_feature(uint32_t len) { return 1.5f * (1.0f - 1.0f / (1.0f + 0.3f * (float)len)); }

/* After hist[t-1] was added: extends the match or looks for a new one. */
void model_match_update(model *m)
{
    size_t t = m->h.t;   /* hist[0..t) known, hist[t-1] just added */
    if (m->h.mlen && m->h.hist[m->h.mptr] == m->h.hist[t - 1]) {
        m->h.mptr++;
        if (m->h.mlen < MATCH_MAX) m->h.mlen++;
    } else {
        m->h.mlen = 0;
    }
    if (t < MATCH_MIN) return;
    uint64_t h = 0;
    for (int i = 1; i <= MATCH_MIN; i++) h = (h + m->h.hist[t - i] + 1) * 0x9E3779B97F4A7C15ull;
    uint32_t *cell = &m->h.mtab[h >> (64 - m->c.mbits)];
    if (!m->h.mlen && *cell) {
        size_t p = *cell;
        uint32_t len = 0;
        while (len < MATCH_MAX && len < p && m->h.hist[p - 1 - len] == m->h.hist[t - 1 - len]) len++;
        if (len >= MATCH_MIN) {
            m->h.mptr = p;
            m->h.mlen = len;
        }
    }
    *cell = (uint32_t)t;
}
