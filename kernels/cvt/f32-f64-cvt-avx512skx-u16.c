/*
 * f32 -> f64 with AVX-512 (vcvtps2pd), 16 per iteration. Exact: bit-exact.
 */
#include <assert.h>
#include <immintrin.h>

#include "cvt/cvt-x86.h"
#include "qb/ukernel.h"

/* 8 elements. */
static inline void qb__cvt8(const float* in, double* out) {
  _mm512_storeu_pd(out, _mm512_cvtps_pd(_mm256_loadu_ps(in)));
}

void qb_f32_f64_cvt_ukernel__avx512skx_u16(size_t n, const void* x, void* y, const void* params) {
  const float* in = (const float*) x;
  double* out = (double*) y;
  (void) params;
  assert(n == 0 || (x != NULL && y != NULL));
  for (; n >= 16; n -= 16) {
    qb__cvt8(in, out);
    qb__cvt8(in + 8, out + 8);
    in += 16;
    out += 16;
  }
  for (; n >= 8; n -= 8) {
    qb__cvt8(in, out);
    in += 8;
    out += 8;
  }
  if (n != 0) {
    /* The last n < 8 through the same instructions, masked: masked-off lanes are
     * neither read nor written. */
    const __mmask8 m = qb_cvt_mask8(n);
    _mm512_mask_storeu_pd(out, m, _mm512_cvtps_pd(_mm256_maskz_loadu_ps(m, in)));
  }
}
