/*
 * f8 e4m3fn -> f32 with AVX2, 32 per iteration: normals by shifting the bits into place and
 * rebiasing the exponent, subnormals as m * 2^-9, NaN canonical. Exact, bit-exact with the
 * reference (kernels/cvt/cvt-x86.h).
 */
#include <assert.h>
#include <immintrin.h>
#include <string.h>

#include "cvt/cvt-x86.h"
#include "qb/ukernel.h"

/* 8 elements. */
static inline void qb__cvt8(const uint8_t* in, float* out) {
  const __m256i b = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i*) in));
  _mm256_storeu_si256((__m256i*) out, qb_cvt_avx2_f8e4m3_to_f32(b));
}

void qb_f8e4m3_f32_cvt_ukernel__avx2_u32(size_t n, const void* x, void* y, const void* params) {
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
