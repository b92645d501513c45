/*
 * The scalar semantics of llama.cpp's q8_0 and q4_0 (kernels/quant/README.md), one
 * inline function per block. Included by the scalar references and by SIMD variants
 * for their checks; nothing here depends on an ISA.
 */
#ifndef QB_QBLOCK_SCALAR_H
#define QB_QBLOCK_SCALAR_H

#include <math.h>
#include <stdint.h>

#include "common/fp.h"
#include "qb/ukernel.h"
#include "quant/quant-scalar.h"

/* From this many values on, a row is taken to stream from memory rather than sit in cache:
 * the x86 group loops of q8_0, q4_0 and qb8 (qblock-avx512.h) then stop overlapping one
 * group's maxima with the previous group's codes. The tests run a row this long. */
#define QB_QBLOCK_STREAM ((size_t) 1 << 21)

/*
 * One q8_0 block, as ggml's quantize_row_q8_0_ref. Steps:
 * 1. amax = max |x| (NaN skipped: it counts as 0);
 * 2. d = amax / 127 in f32, stored as f16 (round to nearest even); the codes use
 *    id = 1 / d of the f32 d, not of the stored f16 (as ggml does);
 * 3. q = roundf(x * id): half away from zero. For finite blocks |x * id| <= 127 within
 *    an ulp, so ggml never needs a clamp; ours clamps to [-127, 127] and gives NaN
 *    (a NaN input, or inf * 0 in a block holding an infinity, whose id is 0) the code 0,
 *    where ggml's float -> int8 conversion would be undefined.
 */
static inline void qb__q8_0_block(const float* x, qb_block_q8_0* b) {
  float amax = 0.0f;
  for (int i = 0; i < QB_BLOCK_LEN; i++) {
    const float a = fabsf(x[i]);
    amax = a > amax ? a : amax;
  }
  const float d = amax / 127.0f;
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  b->d = qb_f32_to_f16_bits(qb_f32_to_bits(d));
  for (int i = 0; i < QB_BLOCK_LEN; i++) {
    float r = qb__round_away(x[i] * id);
    if (isnan(r)) {
      r = 0.0f;
    }
    r = r < -127.0f ? -127.0f : r;
    r = r > 127.0f ? 127.0f : r;
    b->qs[i] = (int8_t) r;
  }
}

/*
 * One q4_0 block, as ggml's quantize_row_q4_0_ref. Steps:
 * 1. m = the first element of largest |x| (a later equal |x| does not replace it; NaN is
 *    skipped), with its sign;
 * 2. d = m / -8 in f32, stored as f16; id = 1 / d (f32), 0 when d is 0. So m itself maps
 *    to code 0 (value -8 d = m) and the other side reaches +8, clamped to 7;
 * 3. code = min(15, trunc(x * id + 8.5f)), the addition rounded in f32 as ggml does
 *    (x * id + 8.5 >= 0 for finite blocks, so the truncation is a floor). NaN (a NaN
 *    input, or inf * 0) gives code 8 (value 0) and a negative sum code 0, where ggml's
 *    conversion would be undefined;
 * 4. packing: byte j holds element j in its low nibble and element j + 16 in its high one.
 */
static inline uint8_t qb__q4_0_code(float v, float id) {
  const float t = v * id + 8.5f;
  if (isnan(t)) {
    return 8;
  }
  if (!(t >= 0.0f)) {
    return 0;
  }
  return t >= 15.0f ? 15 : (uint8_t) (int32_t) t;
}

static inline void qb__q4_0_block(const float* x, qb_block_q4_0* b) {
  float amax = 0.0f, m = 0.0f;
  for (int i = 0; i < QB_BLOCK_LEN; i++) {
    const float a = fabsf(x[i]);
    if (amax < a) {
      amax = a;
      m = x[i];
    }
  }
  const float d = m / -8.0f;
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  b->d = qb_f32_to_f16_bits(qb_f32_to_bits(d));
  for (int j = 0; j < QB_BLOCK_LEN / 2; j++) {
    const uint8_t lo = qb__q4_0_code(x[j], id);
    const uint8_t hi = qb__q4_0_code(x[j + QB_BLOCK_LEN / 2], id);
    b->qs[j] = (uint8_t) (lo | (hi << 4));
  }
}

static inline float qb__f16_value(uint16_t h) {
  return qb_f32_from_bits(qb_f16_to_f32_bits(h));
}

#endif /* QB_QBLOCK_SCALAR_H */
