/*
 * The scalar semantics of int4 group quantization (kernels/quant/README.md "int4 groups"),
 * one inline function per group, the group length G a parameter: the family files call
 * them with their own G. Nothing here depends on an ISA.
 */
#ifndef QB_INT4G_SCALAR_H
#define QB_INT4G_SCALAR_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "common/fp.h"
#include "qb/ukernel.h"
#include "quant/quant-scalar.h"

/* From this many values on, a row is taken to stream from memory rather than sit in cache:
 * the AVX-512 asymmetric group loop (int4g-avx512.h) and the AVX2 one for groups of 128
 * (int4g-avx2.h) then compute each run's ranges right before its codes instead of during the
 * previous run's. The tests run a row this long. */
#define QB_INT4G_STREAM ((size_t) 1 << 21)

static inline float qb__int4g_scale(const uint8_t* d) {
  uint16_t h;
  memcpy(&h, d, 2);
  return qb_f32_from_bits(qb_f16_to_f32_bits(h));
}

static inline float qb__int4g_store_scale(float s, uint8_t* d) {
  const uint16_t h = qb_f32_to_f16_bits(qb_f32_to_bits(s));
  memcpy(d, &h, 2);
  return qb_f32_from_bits(qb_f16_to_f32_bits(h));
}

/*
 * One asymmetric group of G values -> d, z, G/2 bytes of codes: GPTQ's round-to-nearest
 * quantizer (Quantizer.find_params with sym=False, maxq = 15) in f32, with the scale
 * rounded to f16 *before* the zero point and the codes are computed, so that the stored
 * scale is the one they were made with. Steps:
 * 1. lo = min(min x, 0), hi = max(max x, 0) (NaN skipped); both 0 -> lo = -1, hi = 1;
 * 2. s = (hi - lo) / 15, stored as f16 (RNE) and read back;
 * 3. z = clamp(round_even(-lo / s), 0, 15);
 * 4. code = clamp(round_even(x / s) + z, 0, 15); NaN gives z (value 0).
 * A scale that underflows f16 to 0 gives z = 0 and codes 0; a group holding an infinity
 * gets s = inf, z = 0 (or the NaN of inf / inf -> 0) and codes z: it dequantizes to NaN.
 */
static inline void qb__int4g_quant_group(const float* x, unsigned g, uint8_t* d, uint8_t* z, uint8_t* qs) {
  float lo = 0.0f, hi = 0.0f;
  for (unsigned i = 0; i < g; i++) {
    lo = x[i] < lo ? x[i] : lo; /* false for NaN: skipped */
    hi = x[i] > hi ? x[i] : hi;
  }
  if (lo == 0.0f && hi == 0.0f) {
    lo = -1.0f;
    hi = 1.0f;
  }
  const float s = qb__int4g_store_scale((hi - lo) / 15.0f, d);
  float zf = s != 0.0f ? qb__round_even(-lo / s) : 0.0f;
  zf = zf == zf ? zf : 0.0f;
  zf = zf < 0.0f ? 0.0f : zf > 15.0f ? 15.0f : zf;
  *z = (uint8_t) zf;
  for (unsigned j = 0; j < g / 2; j++) {
    uint8_t c[2];
    for (unsigned k = 0; k < 2; k++) {
      float q = s != 0.0f ? qb__round_even(x[2 * j + k] / s) + zf : 0.0f;
      q = q == q ? q : zf;
      q = q < 0.0f ? 0.0f : q > 15.0f ? 15.0f : q;
      c[k] = (uint8_t) q;
    }
    qs[j] = (uint8_t) (c[0] | (c[1] << 4));
  }
}

/*
 * One symmetric group: s = absmax / 7 stored as f16 and read back; code = clamp(
 * round_even(x / s), -8, 7); s == 0 (an all-zero group) gives code 0; NaN gives 0.
 */
static inline void qb__int4g_quant_group_sym(const float* x, unsigned g, uint8_t* d, uint8_t* qs) {
  float amax = 0.0f;
  for (unsigned i = 0; i < g; i++) {
    const float a = fabsf(x[i]);
    amax = a > amax ? a : amax;
  }
  const float s = qb__int4g_store_scale(amax / 7.0f, d);
  for (unsigned j = 0; j < g / 2; j++) {
    uint8_t c[2];
    for (unsigned k = 0; k < 2; k++) {
      float q = s != 0.0f ? qb__round_even(x[2 * j + k] / s) : 0.0f;
      q = q == q ? q : 0.0f;
      q = q < -8.0f ? -8.0f : q > 7.0f ? 7.0f : q;
      c[k] = (uint8_t) ((int32_t) q & 15);
    }
    qs[j] = (uint8_t) (c[0] | (c[1] << 4));
  }
}

/* A nibble as a signed code (two's complement). */
static inline int32_t qb__s4(uint32_t nib) {
  return (int32_t) (nib ^ 8u) - 8;
}

#endif /* QB_INT4G_SCALAR_H */
