/*
 * f32 -> bf16 with AVX2 integer arithmetic (round half to even by adding 0x7FFF plus the kept lsb;
 * NaN quieted with its top payload bits), 32 per iteration: the reference's own algorithm, bit-
 * exact (kernels/cvt/cvt-x86.h).
 */
#include <assert.h>
#include <immintrin.h>
#include <string.h>

#include "cvt/cvt-x86.h"
#include "qb/ukernel.h"

/* 16 elements: one store. */
static inline void qb__cvt16(const float* in, uint16_t* out) {
  const __m256i a = qb_cvt_avx2_f32_to_bf16(_mm256_loadu_si256((const __m256i*) in));
  const __m256i b = qb_cvt_avx2_f32_to_bf16(_mm256_loadu_si256((const __m256i*) (in + 8)));
  _mm256_storeu_si256((__m256i*) out, qb_cvt_avx2_pack_u16(a, b));
}

/* 8 elements, for what is left after the blocks. */
static inline void qb__cvt8(const float* in, uint16_t* out) {
  const __m256i a = qb_cvt_avx2_f32_to_bf16(_mm256_loadu_si256((const __m256i*) in));
  _mm_storeu_si128((__m128i*) out, _mm256_castsi256_si128(qb_cvt_avx2_pack_u16(a, a)));
}

void qb_f32_bf16_cvt_ukernel__avx2_u32(size_t n, const void* x, void* y, const void* params) {
  const float* in = (const float*) x;
  uint16_t* out = (uint16_t*) y;
  (void) params;
  assert(n == 0 || (x != NULL && y != NULL));
  for (; n >= 32; n -= 32) {
    qb__cvt16(in, out);
    qb__cvt16(in + 16, out + 16);
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
    uint16_t obuf[8];
    memset(ibuf, 0, sizeof ibuf);
    memcpy(ibuf, in, n * sizeof *in);
    qb__cvt8(ibuf, obuf);
    memcpy(out, obuf, n * sizeof *out);
  }
}
