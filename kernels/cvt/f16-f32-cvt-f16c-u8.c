/*
 * f16 -> f32 with F16C, 8 per iteration. vcvtph2ps is exact, keeps subnormals and quiets a
 * signaling NaN with its payload kept, as the reference does: bit-exact (tests/test_cvt_simd.c
 * checks all 65,536 inputs).
 */
#include <assert.h>
#include <immintrin.h>
#include <string.h>

#include "qb/ukernel.h"

/* 8 elements. */
static inline void qb__cvt8(const uint16_t* in, float* out) {
  _mm256_storeu_ps(out, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i*) in)));
}

void qb_f16_f32_cvt_ukernel__f16c_u8(size_t n, const void* x, void* y, const void* params) {
  const uint16_t* in = (const uint16_t*) x;
  float* out = (float*) y;
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
    uint16_t ibuf[8];
    float obuf[8];
    memset(ibuf, 0, sizeof ibuf);
    memcpy(ibuf, in, n * sizeof *in);
    qb__cvt8(ibuf, obuf);
    memcpy(out, obuf, n * sizeof *out);
  }
}
