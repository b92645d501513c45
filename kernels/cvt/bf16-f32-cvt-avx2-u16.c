/*
 * bf16 -> f32 with AVX2: zero-extend and shift into the high half, 16 per iteration. Exact (a
 * signaling NaN stays signaling, as in the reference).
 */
#include <assert.h>
#include <immintrin.h>
#include <string.h>

#include "qb/ukernel.h"

/* 8 elements. */
static inline void qb__cvt8(const uint16_t* in, float* out) {
  const __m256i w = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i*) in));
  _mm256_storeu_si256((__m256i*) out, _mm256_slli_epi32(w, 16));
}

void qb_bf16_f32_cvt_ukernel__avx2_u16(size_t n, const void* x, void* y, const void* params) {
  const uint16_t* in = (const uint16_t*) x;
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
