/*
 * f64 -> f32 with FCVTN/FCVTN2, 8 per iteration. FPCR at Linux's defaults: round to
 * nearest even, subnormals kept, NaN quieted with its top payload bits: the same
 * instruction the reference's C conversion compiles to, so bit-exact.
 */
#include <arm_neon.h>
#include <assert.h>
#include <string.h>

#include "qb/ukernel.h"

static inline float32x4_t qb__cvt4(const double* in) {
  return vcvt_high_f32_f64(vcvt_f32_f64(vld1q_f64(in)), vld1q_f64(in + 2));
}

void qb_f64_f32_cvt_ukernel__neon_u8(size_t n, const void* x, void* y, const void* params) {
  const double* in = (const double*) x;
  float* out = (float*) y;
  (void) params;
  assert(n == 0 || (x != NULL && y != NULL));
  for (; n >= 8; n -= 8, in += 8, out += 8) {
    vst1q_f32(out, qb__cvt4(in));
    vst1q_f32(out + 4, qb__cvt4(in + 4));
  }
  for (; n >= 4; n -= 4, in += 4, out += 4) {
    vst1q_f32(out, qb__cvt4(in));
  }
  if (n != 0) {
    double ibuf[4] = {0};
    float obuf[4];
    memcpy(ibuf, in, n * sizeof *in);
    vst1q_f32(obuf, qb__cvt4(ibuf));
    memcpy(out, obuf, n * sizeof *out);
  }
}
