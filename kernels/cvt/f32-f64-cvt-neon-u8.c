/*
 * f32 -> f64 with FCVTL/FCVTL2, 8 per iteration. Exact; NaN handling as the
 * reference's C conversion (the same instruction): bit-exact.
 */
#include <arm_neon.h>
#include <assert.h>
#include <string.h>

#include "qb/ukernel.h"

static inline void qb__cvt4(const float* in, double* out) {
  const float32x4_t v = vld1q_f32(in);
  vst1q_f64(out, vcvt_f64_f32(vget_low_f32(v)));
  vst1q_f64(out + 2, vcvt_high_f64_f32(v));
}

void qb_f32_f64_cvt_ukernel__neon_u8(size_t n, const void* x, void* y, const void* params) {
  const float* in = (const float*) x;
  double* out = (double*) y;
  (void) params;
  assert(n == 0 || (x != NULL && y != NULL));
  for (; n >= 8; n -= 8, in += 8, out += 8) {
    qb__cvt4(in, out);
    qb__cvt4(in + 4, out + 4);
  }
  for (; n >= 4; n -= 4, in += 4, out += 4) {
    qb__cvt4(in, out);
  }
  if (n != 0) {
    float ibuf[4] = {0};
    double obuf[4];
    memcpy(ibuf, in, n * sizeof *in);
    qb__cvt4(ibuf, obuf);
    memcpy(out, obuf, n * sizeof *out);
  }
}
