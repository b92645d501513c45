/*
 * bf16 -> f32 with AdvSIMD, 16 per iteration: a bf16 is the top half of an f32, so
 * SHLL (vshll_n_u16 by 16) widens and shifts in one step. Exact, a signaling NaN stays
 * signaling, as in the reference: bit-exact.
 */
#include <arm_neon.h>
#include <assert.h>
#include <string.h>

#include "qb/ukernel.h"

static inline void qb__cvt8(const uint16_t* in, float* out) {
  const uint16x8_t h = vld1q_u16(in);
  vst1q_f32(out, vreinterpretq_f32_u32(vshll_n_u16(vget_low_u16(h), 16)));
  vst1q_f32(out + 4, vreinterpretq_f32_u32(vshll_high_n_u16(h, 16)));
}

void qb_bf16_f32_cvt_ukernel__neon_u16(size_t n, const void* x, void* y, const void* params) {
  const uint16_t* in = (const uint16_t*) x;
  float* out = (float*) y;
  (void) params;
  assert(n == 0 || (x != NULL && y != NULL));
  for (; n >= 16; n -= 16, in += 16, out += 16) {
    qb__cvt8(in, out);
    qb__cvt8(in + 8, out + 8);
  }
  for (; n >= 8; n -= 8, in += 8, out += 8) {
    qb__cvt8(in, out);
  }
  if (n != 0) {
    uint16_t ibuf[8] = {0};
    float obuf[8];
    memcpy(ibuf, in, n * sizeof *in);
    qb__cvt8(ibuf, obuf);
    memcpy(out, obuf, n * sizeof *out);
  }
}
