/*
 * f32 -> f64 with AVX (vcvtps2pd), 16 per iteration. Exact, like the reference's C cast (a
 * signaling NaN quieted, its payload kept). Bit-exact.
 */
#include <assert.h>
#include <immintrin.h>
#include <string.h>

#include "qb/ukernel.h"

/* 4 elements. */
static inline void qb__cvt4(const float* in, double* out) {
  _mm256_storeu_pd(out, _mm256_cvtps_pd(_mm_loadu_ps(in)));
}

void qb_f32_f64_cvt_ukernel__avx2_u16(size_t n, const void* x, void* y, const void* params) {
  const float* in = (const float*) x;
  double* out = (double*) y;
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
    float ibuf[4];
    double obuf[4];
    memset(ibuf, 0, sizeof ibuf);
    memcpy(ibuf, in, n * sizeof *in);
    qb__cvt4(ibuf, obuf);
    memcpy(out, obuf, n * sizeof *out);
  }
}
