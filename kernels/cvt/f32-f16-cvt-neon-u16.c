/*
 * f32 -> f16 with FCVTN/FCVTN2, 16 per iteration. The vector half-precision converts
 * are part of base Armv8.0 AdvSIMD (no +fp16 needed) and honour FPCR, which Linux
 * leaves at its defaults: round to nearest even, subnormals kept, NaN quieted with its
 * top payload bits, overflow to inf. That is the reference's semantics: bit-exact.
 */
#include <arm_neon.h>
#include <assert.h>
#include <string.h>

#include "qb/ukernel.h"

static inline float16x8_t qb__cvt8(const float* in) {
  return vcvt_high_f16_f32(vcvt_f16_f32(vld1q_f32(in)), vld1q_f32(in + 4));
}

void qb_f32_f16_cvt_ukernel__neon_u16(size_t n, const void* x, void* y, const void* params) {
  const float* in = (const float*) x;
  uint16_t* out = (uint16_t*) y;
  (void) params;
  assert(n == 0 || (x != NULL && y != NULL));
  for (; n >= 16; n -= 16, in += 16, out += 16) {
    vst1q_u16(out, vreinterpretq_u16_f16(qb__cvt8(in)));
    vst1q_u16(out + 8, vreinterpretq_u16_f16(qb__cvt8(in + 8)));
  }
  for (; n >= 8; n -= 8, in += 8, out += 8) {
    vst1q_u16(out, vreinterpretq_u16_f16(qb__cvt8(in)));
  }
  if (n != 0) {
    /* The last n < 8 through the same instructions via zeroed buffers: nothing is read
     * or written past the arrays. */
    float ibuf[8] = {0};
    uint16_t obuf[8];
    memcpy(ibuf, in, n * sizeof *in);
    vst1q_u16(obuf, vreinterpretq_u16_f16(qb__cvt8(ibuf)));
    memcpy(out, obuf, n * sizeof *out);
  }
}
