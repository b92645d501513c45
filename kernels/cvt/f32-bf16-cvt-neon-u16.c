/*
 * f32 -> bf16 with AdvSIMD integer arithmetic, 16 per iteration: the reference's own
 * algorithm (kernels/common/fp.h), so bit-exact on every Armv8 core, bf16 or not.
 * 1. Round half to even: add 0x7FFF plus the lsb that is kept; a carry bumps the
 *    exponent (and overflows to inf) as it should.
 * 2. NaN: keep the top 16 bits and set the quiet bit instead.
 * 3. Narrow: the high halves of the 32-bit lanes (UZP2 via vuzp2q_u16).
 */
#include <arm_neon.h>
#include <assert.h>
#include <string.h>

#include "qb/ukernel.h"

static inline uint32x4_t qb__round(uint32x4_t w) {
  const uint32x4_t lsb = vandq_u32(vshrq_n_u32(w, 16), vdupq_n_u32(1));
  const uint32x4_t rounded = vaddq_u32(w, vaddq_u32(lsb, vdupq_n_u32(0x7FFF)));
  const uint32x4_t abs = vandq_u32(w, vdupq_n_u32(0x7FFFFFFFu));
  const uint32x4_t is_nan = vcgtq_u32(abs, vdupq_n_u32(0x7F800000u));
  const uint32x4_t quiet = vorrq_u32(w, vdupq_n_u32(0x00400000u));
  return vbslq_u32(is_nan, quiet, rounded);
}

static inline uint16x8_t qb__cvt8(const float* in) {
  const uint32x4_t lo = qb__round(vreinterpretq_u32_f32(vld1q_f32(in)));
  const uint32x4_t hi = qb__round(vreinterpretq_u32_f32(vld1q_f32(in + 4)));
  return vuzp2q_u16(vreinterpretq_u16_u32(lo), vreinterpretq_u16_u32(hi));
}

void qb_f32_bf16_cvt_ukernel__neon_u16(size_t n, const void* x, void* y, const void* params) {
  const float* in = (const float*) x;
  uint16_t* out = (uint16_t*) y;
  (void) params;
  assert(n == 0 || (x != NULL && y != NULL));
  for (; n >= 16; n -= 16, in += 16, out += 16) {
    vst1q_u16(out, qb__cvt8(in));
    vst1q_u16(out + 8, qb__cvt8(in + 8));
  }
  for (; n >= 8; n -= 8, in += 8, out += 8) {
    vst1q_u16(out, qb__cvt8(in));
  }
  if (n != 0) {
    float ibuf[8] = {0};
    uint16_t obuf[8];
    memcpy(ibuf, in, n * sizeof *in);
    vst1q_u16(obuf, qb__cvt8(ibuf));
    memcpy(out, obuf, n * sizeof *out);
  }
}
