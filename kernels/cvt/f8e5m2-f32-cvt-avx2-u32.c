/*
 * f8 e5m2 -> f32 with AVX2 + F16C, 32 per iteration. An e5m2 byte is the high byte of the f16 with
 * the same value (same exponent, mantissa truncated), so the byte shifted up goes through
 * vcvtph2ps: exact, subnormals kept, a signaling NaN quieted with its payload, as the reference
 * does.
 */
#include <assert.h>
#include <immintrin.h>
#include <string.h>

#include "qb/ukernel.h"

/* 8 elements. */
static inline void qb__cvt8(const uint8_t* in, float* out) {
  const __m128i h = _mm_slli_epi16(_mm_cvtepu8_epi16(_mm_loadl_epi64((const __m128i*) in)), 8);
  _mm256_storeu_ps(out, _mm256_cvtph_ps(h));
}

void qb_f8e5m2_f32_cvt_ukernel__avx2_u32(size_t n, const void* x, void* y, const void* params) {
  const uint8_t* in = (const uint8_t*) x;
  float* out = (float*) y;
  (void) params;
  assert(n == 0 || (x != NULL && y != NULL));
  for (; n >= 32; n -= 32) {
    qb__cvt8(in, out);
    qb__cvt8(in + 8, out + 8);
    qb__cvt8(in + 16, out + 16);
    qb__cvt8(in + 24, out + 24);
    in += 32;
    out += 32;
  }
  for (; n >= 8; n -= 8) {
    qb__cvt8(in, out);
    in += 8;
    out += 8;
  }
  if (n != 0) {
    /* The last n < 8 through the same instructions, via zeroed buffers: nothing is
     * read or written past the arrays. */
    uint8_t ibuf[8];
    float obuf[8];
    memset(ibuf, 0, sizeof ibuf);
    memcpy(ibuf, in, n * sizeof *in);
    qb__cvt8(ibuf, obuf);
    memcpy(out, obuf, n * sizeof *out);
  }
}
