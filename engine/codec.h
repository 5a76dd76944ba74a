/*
 * codec.h - engine-internal entry points of the codec (engine/codec.c), for
 * tests and fuzz targets; programs use smix.h.
 */
#ifndef SMIX_CODEC_H
#define SMIX_CODEC_H

#include "smix.h"

/* Makes cctx code with cfg instead of its level's configuration (the
 * blocks, the byte table's size for the input and the n-gram budget are
 * still set per frame, cfg->byte_mix being the most). For tests and fuzz
 * targets that explore configurations no level uses, small ones above all:
 * a vocabulary of 512 tokens sets a model up in a fraction of the time of
 * 32,768. SMIX_ERR_CORRUPT if a decoder would refuse cfg. */
smix_result smix__cctx_set_config(smix_cctx *cctx, const smix_config *cfg);

#endif
