/*
 * f32 -> f16 with F16C, 8 per iteration. vcvtps2ph with the rounding in the immediate (nearest
 * even, whatever MXCSR says) rounds like the reference, overflows to inf, and keeps a NaN's top
 * payload bits with the quiet bit set, as the reference does: bit-exact (tests/test_cvt_simd.c
 * checks every f32).
 */
#include <assert.h>
#include <immintrin.h>
#include <string.h>

#include "qb/ukernel.h"

/* 8 elements. */
static inline void qb__cvt8(const float* in, uint16_t* out) {
  _mm_storeu_si128((__m128i*) out, _mm256_cvtps_ph(_mm256_loadu_ps(in), _MM_FROUND_TO_NEAREST_INT));
}

void qb_f32_f16_cvt_ukernel__f16c_u8(size_t n, const void* x, void* y, const void* params) {
  const float* in = (const float*) x;
  uint16_t* out = (uint16_t*) y;
  (void) params;
  assert(n == 0 || (x != NULL && y != NULL));
  for (; n >= 8; n -= 8) {
    qb__cvt8(in, out);
    in += 8;
    out += 8;
  }
  if (n != 0) {
    /* The last n < 8 through the same instructions, via zeroed buffers: nothing is
     * read or written past the arrays. */
    float ibuf[8];
    uint16_t obuf[8];
    memset(ibuf, 0, sizeof ibuf);
    memcpy(ibuf, in, n * sizeof *in);
    qb__cvt8(ibuf, obuf);
    memcpy(out, obuf, n * sizeof *out);
  }
}
