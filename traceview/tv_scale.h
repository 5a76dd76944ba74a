/*
 * tv_scale.h - the bits colour scale of both viewers.
 *
 * One fixed scale, so that a colour means the same cost in smix-tui and
 * smix-view and in every file: anchors at 0, 0.5, 1, 2, 4, 6, 9, 13 and 20
 * bits map piecewise-linearly onto [0, 1] (nine anchors, eight equal
 * steps: cheap tokens are told apart finely, costly ones coarsely; 20 bits
 * and more are the top colour), and [0, 1] onto the viridis colour map
 * (perceptually uniform, lightness rising with cost, readable with the
 * common colour-vision deficiencies). The terminal draws the eight steps
 * as eight levels (level l covers [anchor l, anchor l+1)), the window draws
 * the continuous ramp.
 */
#ifndef TV_SCALE_H
#define TV_SCALE_H

#define TV_LEVELS 8

typedef struct tv_rgb { unsigned char r, g, b; } tv_rgb;

/* Position of a cost on the scale, in [0, 1] (NaN gives 0). */
double tv_scale_t(double bits);
/* Level 0..TV_LEVELS-1 of a cost. */
int tv_scale_level(double bits);
/* The bits at anchor a (0..TV_LEVELS): the lower edge of level a. */
double tv_scale_anchor(int a);
/* Colour at t in [0, 1] (viridis); tv_scale_level_rgb: the colour of a level
 * (its middle). */
tv_rgb tv_scale_rgb(double t);
tv_rgb tv_scale_level_rgb(int level);
/* Diverging colour for d in [-1, 1]: blue (B saves) to red (B loses),
 * through light grey (ColorBrewer RdBu, colour-blind safe). */
tv_rgb tv_scale_diverge(double d);
/* 1 if dark ink reads better than light on bg. */
int tv_scale_dark_ink(tv_rgb bg);

#endif /* TV_SCALE_H */
