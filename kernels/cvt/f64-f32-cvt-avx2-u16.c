/*
 * f64 -> f32 with AVX (vcvtpd2ps), 16 per iteration. The same conversion as the reference's C cast
 * (cvtsd2ss): MXCSR rounding, nearest even by default; NaN quieted with its top payload bits. Bit-
 * exact.
 */
#include <assert.h>
#include <immintrin.h>
#include <string.h>

#include "qb/ukernel.h"

/* 4 elements. */
static inline void qb__cvt4(const double* in, float* out) {
  _mm_storeu_ps(out, _mm256_cvtpd_ps(_mm256_loadu_pd(in)));
}

void qb_f64_f32_cvt_ukernel__avx2_u16(size_t n, const void* x, void* y, const void* params) {
  const double* in = (const double*) x;
  float* out = (float*) y;
  (void) params;
  assert(n == 0 || (x != NULL && y != NULL));
  for (; n >= 16; n -= 16) {
    qb__cvt4(in, out);
    qb__cvt4(in + 4, out + 4);
    qb__cvt4(in + 8, out + 8);
    qb__cvt4(in + 12, out + 12);
    in += 16;
    out += 16;
  }
  for (; n >= 4; n -= 4) {
    qb__cvt4(in, out);
    in += 4;
    out += 4;
  }
  if (n != 0) {
    /* The last n < 4 through the same instructions, via zeroed buffers: nothing is
     * read or written past the arrays. */
    double ibuf[4];
    float obuf[4];
    memset(ibuf, 0, sizeof ibuf);
    memcpy(ibuf, in, n * sizeof *in);
    qb__cvt4(ibuf, obuf);
    memcpy(out, obuf, n * sizeof *out);
  }
}
