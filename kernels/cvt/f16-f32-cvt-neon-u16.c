/*
 * f16 -> f32 with FCVTL/FCVTL2 (base Armv8.0 AdvSIMD), 16 per iteration. Exact; a
 * signaling NaN is quieted with its payload kept (FPCR.DN is 0 under Linux), as the
 * reference does: bit-exact.
 */
#include <arm_neon.h>
#include <assert.h>
#include <string.h>

#include "qb/ukernel.h"

static inline void qb__cvt8(const uint16_t* in, float* out) {
  const float16x8_t h = vreinterpretq_f16_u16(vld1q_u16(in));
  vst1q_f32(out, vcvt_f32_f16(vget_low_f16(h)));
  vst1q_f32(out + 4, vcvt_high_f32_f16(h));
}

void qb_f16_f32_cvt_ukernel__neon_u16(size_t n, const void* x, void* y, const void* params) {
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
