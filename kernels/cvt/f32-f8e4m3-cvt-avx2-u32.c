/*
 * f32 -> f8 e4m3fn with AVX2 integer arithmetic, 32 per iteration: the reference's rounding (round
 * half to even, subnormals kept) on 8 lanes, overflow and inf to NaN, NaN to 0x7F with the sign.
 * Bit-exact (kernels/cvt/cvt-x86.h).
 */
#include <assert.h>
#include <immintrin.h>
#include <string.h>

#include "cvt/cvt-x86.h"
#include "qb/ukernel.h"

/* 32 elements: one store. */
static inline void qb__cvt32(const float* in, uint8_t* out) {
  const __m256i a = qb_cvt_avx2_f32_to_f8e4m3(_mm256_loadu_si256((const __m256i*) in), 0);
  const __m256i b = qb_cvt_avx2_f32_to_f8e4m3(_mm256_loadu_si256((const __m256i*) (in + 8)), 0);
  const __m256i c = qb_cvt_avx2_f32_to_f8e4m3(_mm256_loadu_si256((const __m256i*) (in + 16)), 0);
  const __m256i d = qb_cvt_avx2_f32_to_f8e4m3(_mm256_loadu_si256((const __m256i*) (in + 24)), 0);
  _mm256_storeu_si256((__m256i*) out, qb_cvt_avx2_pack_u8x4(a, b, c, d));
}

/* 8 elements, for what is left after the blocks. */
static inline void qb__cvt8(const float* in, uint8_t* out) {
  const __m256i a = qb_cvt_avx2_f32_to_f8e4m3(_mm256_loadu_si256((const __m256i*) in), 0);
  _mm_storel_epi64((__m128i*) out, qb_cvt_avx2_pack_u8x1(a));
}

void qb_f32_f8e4m3_cvt_ukernel__avx2_u32(size_t n, const void* x, void* y, const void* params) {
  const float* in = (const float*) x;
  uint8_t* out = (uint8_t*) y;
  (void) params;
  assert(n == 0 || (x != NULL && y != NULL));
  for (; n >= 32; n -= 32) {
    qb__cvt32(in, out);
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
    float ibuf[8];
    uint8_t obuf[8];
    memset(ibuf, 0, sizeof ibuf);
    memcpy(ibuf, in, n * sizeof *in);
    qb__cvt8(ibuf, obuf);
    memcpy(out, obuf, n * sizeof *out);
  }
}
