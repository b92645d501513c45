/*
 * Scalar semantics of the quant families, shared by the scalar references (and by
 * nothing else: SIMD variants re-implement these steps and the tests hold them to
 * bit-exactness). The formulas and the reasons behind them: kernels/quant/README.md.
 */
#ifndef QB_QUANT_SCALAR_H
#define QB_QUANT_SCALAR_H

#include <assert.h>
#include <math.h>
#include <stdint.h>

#include "qb/ukernel.h"

/* The kernel preconditions on one set of affine parameters; [tmin, tmax] is the
 * range of the integer dtype (s8 or u8). Compiled out with NDEBUG. */
static inline void qb__quant_assert_params(float scale, float inv_scale, int32_t zp, int32_t qmin,
                                           int32_t qmax, int32_t tmin, int32_t tmax) {
  assert(scale > 0.0f && scale <= 0x1.fffffep+127f);
  assert(inv_scale == 1.0f / scale);
  assert(tmin <= qmin && qmin <= zp && zp <= qmax && qmax <= tmax);
  (void) scale, (void) inv_scale, (void) zp, (void) qmin, (void) qmax, (void) tmin, (void) tmax;
}

/*
 * Round to nearest integer, ties to even: what nearbyintf does in the default rounding
 * mode, without a libm call (glibc's nearbyintf saves and restores the FP environment,
 * which made the reference ten times slower). For |v| < 2^23, adding and subtracting
 * 2^23 leaves no fraction bits, so the add rounds v to an integer, ties to even; larger
 * values, infinities and NaN are already integral (or NaN) and pass through.
 */
static inline float qb__round_even(float v) {
  const float a = fabsf(v);
  if (!(a < 0x1p23f)) {
    return v;
  }
  return copysignf((a + 0x1p23f) - 0x1p23f, v);
}

/* Round half away from zero: roundf, without a libm call. For |v| < 2^23 the truncation
 * through int32 is exact, and so is v - t; beyond, v is integral (or inf, or NaN). */
static inline float qb__round_away(float v) {
  if (!(fabsf(v) < 0x1p23f)) {
    return v;
  }
  const float t = (float) (int32_t) v;
  /* A 0/1 float instead of a branch: on random data the branch mispredicts half the time. */
  const float up = (float) (fabsf(v - t) >= 0.5f);
  return t + copysignf(up, v);
}

/*
 * x -> q. Steps:
 * 1. Round in float: PyTorch multiplies by inv_scale and rounds half to even;
 *    TFLite divides by scale and rounds half away from zero.
 * 2. NaN gives the zero point (kernels/quant/README.md explains why).
 * 3. Clamp in float to [qmin - zp, qmax - zp] before converting, so the conversion
 *    never sees an out-of-range value (that would be UB) and +-inf saturate.
 * 4. Add the zero point in integers: exact.
 */
static inline int32_t qb__quant_one(float x, float scale, float inv_scale, int32_t zp, int32_t qmin,
                                    int32_t qmax, qb_round_mode mode) {
  float r = mode == QB_ROUND_TFLITE ? qb__round_away(x / scale) : qb__round_even(x * inv_scale);
  const float lo = (float) (qmin - zp);
  const float hi = (float) (qmax - zp);
  if (isnan(r)) {
    return zp;
  }
  r = r < lo ? lo : r;
  r = r > hi ? hi : r;
  return (int32_t) r + zp;
}

static inline float qb__dequant_one(int32_t q, float scale, int32_t zp) {
  return (float) (q - zp) * scale;
}

/*
 * One block of symmetric block quantization. NaN counts as 0 for the absmax and
 * quantizes to 0; a block with an infinity gets d = +inf and all-zero codes, so it
 * dequantizes to NaN (inf * 0): the loss shows instead of hiding.
 */
static inline void qb__block_quant_one(const float* x, qb_block_q8* b) {
  float amax = 0.0f;
  for (int i = 0; i < QB_BLOCK_LEN; i++) {
    const float a = fabsf(x[i]);
    amax = a > amax ? a : amax; /* false for NaN: NaN is skipped */
  }
  const float d = amax / 127.0f;
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  b->d = d;
  for (int i = 0; i < QB_BLOCK_LEN; i++) {
    float r = qb__round_even(x[i] * id);
    if (isnan(r)) {
      r = 0.0f; /* NaN input, or inf * 0 */
    }
    r = r < -127.0f ? -127.0f : r;
    r = r > 127.0f ? 127.0f : r;
    b->qs[i] = (int8_t) r;
  }
}

/* One block of block dequantization: y = d * q. */
static inline void qb__block_dequant_one(const qb_block_q8* b, float* y) {
  for (int i = 0; i < QB_BLOCK_LEN; i++) {
    y[i] = b->d * (float) b->qs[i];
  }
}

#endif /* QB_QUANT_SCALAR_H */
