/*
 * f64 -> f32 with AVX-512 (vcvtpd2ps), 16 per iteration. The same conversion as the reference's C
 * cast: bit-exact.
 */
#include <assert.h>
#include <immintrin.h>

#include "cvt/cvt-x86.h"
#include "qb/ukernel.h"

/* 8 elements. */
static inline void qb__cvt8(const double* in, float* out) {
  _mm256_storeu_ps(out, _mm512_cvtpd_ps(_mm512_loadu_pd(in)));
}

void qb_f64_f32_cvt_ukernel__avx512skx_u16(size_t n, const void* x, void* y, const void* params) {
  const double* in = (const double*) x;
  float* out = (float*) y;
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
    _mm256_mask_storeu_ps(out, m, _mm512_cvtpd_ps(_mm512_maskz_loadu_pd(m, in)));
  }
}
