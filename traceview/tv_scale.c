/*
 * tv_scale.c - the bits colour scale (see tv_scale.h).
 */
#include "tv_scale.h"

static const double tv__anchor[TV_LEVELS + 1] = { 0, 0.5, 1, 2, 4, 6, 9, 13, 20 };

double tv_scale_t(double bits)
{
    if (!(bits > 0)) return 0;
    for (int a = 0; a < TV_LEVELS; a++)
        if (bits < tv__anchor[a + 1])
            return (a + (bits - tv__anchor[a]) / (tv__anchor[a + 1] - tv__anchor[a])) / TV_LEVELS;
    return 1;
}

int tv_scale_level(double bits)
{
    int l = 0;
    while (l + 1 < TV_LEVELS && bits >= tv__anchor[l + 1]) l++;
    return l;
}

double tv_scale_anchor(int a)
{
    return tv__anchor[a < 0 ? 0 : a > TV_LEVELS ? TV_LEVELS : a];
}

/* Piecewise-linear interpolation through n evenly spaced anchors. */
static tv_rgb tv__ramp(const unsigned *hex, int n, double t)
{
    if (!(t > 0.0)) t = 0.0;
    if (t > 1.0) t = 1.0;
    double x = t * (n - 1);
    int i = (int)x;
    if (i >= n - 1) i = n - 2;
    double u = x - i;
    unsigned a = hex[i], b = hex[i + 1];
    tv_rgb c;
    c.r = (unsigned char)(((a >> 16) & 255) * (1 - u) + ((b >> 16) & 255) * u + 0.5);
    c.g = (unsigned char)(((a >> 8) & 255) * (1 - u) + ((b >> 8) & 255) * u + 0.5);
    c.b = (unsigned char)((a & 255) * (1 - u) + (b & 255) * u + 0.5);
    return c;
}

tv_rgb tv_scale_rgb(double t)
{
    /* viridis sampled at 0, 0.1, ..., 1 */
    static const unsigned v[11] = { 0x440154, 0x482475, 0x414487, 0x355F8D, 0x2A788E, 0x21918C,
                                    0x22A884, 0x44BF70, 0x7AD151, 0xBDDF26, 0xFDE725 };
    return tv__ramp(v, 11, t);
}

tv_rgb tv_scale_level_rgb(int level)
{
    if (level < 0) level = 0;
    if (level >= TV_LEVELS) level = TV_LEVELS - 1;
    return tv_scale_rgb((level + 0.5) / TV_LEVELS);
}

tv_rgb tv_scale_diverge(double d)
{
    static const unsigned v[7] = { 0x2166AC, 0x67A9CF, 0xD1E5F0, 0xF7F7F7, 0xFDDBC7, 0xEF8A62, 0xB2182B };
    return tv__ramp(v, 7, (d + 1.0) / 2.0);
}

int tv_scale_dark_ink(tv_rgb bg)
{
    return 0.2126 * bg.r + 0.7152 * bg.g + 0.0722 * bg.b > 128;
}
