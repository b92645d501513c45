/*
 * One NVFP4 block that tells a quantizer dividing by the block scale d (the definition,
 * kernels/lowbit/README.md: codes e2m1(x / d), one f32 division) from one multiplying by
 * 1 / d, which a faster kernel might do. amax = 11.25 gives s = e4m3(11.25 / 6 / g) =
 * 1.875 for g = 1 (code 0x3F), and 48 for g = 5/128 (code 0x64): d = 1.875 both ways, and
 * fl(1 / d) = 0x1.111112p-1 lies above 8/15. Each element after the first then has
 * fl(x / d) on one side of an E2M1 rounding boundary (0.75, 1.25, 1.75, 2.5, 3.5, 5), or
 * on it (a tie, to even), and fl(x * fl(1 / d)) on the other: 0x1.67fffep+0 / d =
 * 0x1.7ffffep-1 (code 0.5) but times 1 / d gives 0.75 (a tie: 1.0); 0x1.2cp+1 / d = 1.25
 * (a tie: 1.0) but times 1 / d gives 1.25 + 1 ulp (1.5); and so on up the grid, with
 * both signs. Found by a search over the e4m3 scales and the neighbours of every
 * boundary times d; a 1 / d quantizer gets 12 of the 16 codes wrong.
 */
#ifndef QB_TEST_NVF4_DIV_H
#define QB_TEST_NVF4_DIV_H

#include <stdint.h>

static const float qb_test_nvf4_div_x[16] = {
    11.25f,         0x1.67fffep+0f,  0x1.2cp+1f,      0x1.a3fffep+1f, 0x1.2cp+2f,
    0x1.a3fffep+2f, 0x1.2cp+3f,      -0x1.67fffep+0f, -0x1.2cp+1f,    -0x1.a3fffep+1f,
    -0x1.2cp+2f,    -0x1.a3fffep+2f, -0x1.2cp+3f,     0.0f,           -0.0f,
    -11.25f};

/* The block's scale byte for g = 1, and its packed codes under the definition (element 2k
 * in the low nibble of byte k): 6, 0.5, 1, 1.5, 2, 3, 4, then the same negated, 0, -0, -6.
 * A 1 / d quantizer gives 6, 1, 1.5, 2, 3, 4, 6, ...: bytes 0x27 0x43 0x65 0xA7 ... */
static const uint8_t qb_test_nvf4_div_s = 0x3F;
static const uint8_t qb_test_nvf4_div_qs[8] = {0x17, 0x32, 0x54, 0x96, 0xBA, 0xDC, 0x0E, 0xF8};

#endif /* QB_TEST_NVF4_DIV_H */
