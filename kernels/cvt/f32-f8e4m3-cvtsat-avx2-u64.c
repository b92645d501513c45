/*
 * f32 -> f8 e4m3fn, saturating with AVX2, 64 per iteration: one float addition rounds
 * (kernels/cvt/cvt-f8-x86.h; round to nearest even, MXCSR's default, which qbench never
 * changes), overflow and inf to +-448 (0x7E). Bit-exact with the reference.
 */
#include <assert.h>
#include <immintrin.h>
#include <string.h>

#include "cvt/cvt-f8-x86.h"
#include "cvt/cvt-x86.h"
#include "qb/ukernel.h"

static inline __m256i qb__cvt8(const float* in) {
  return qb_f8_avx2_from_f32(_mm256_loadu_si256((const __m256i*) in), 3, QB_F8_E4M3_EMIN, QB_F8_E4M3_CLAMP,
                             0x7E, 0x7F);
}

void qb_f32_f8e4m3_cvtsat_ukernel__avx2_u64(size_t n, const void* x, void* y, const void* params) {
  const float* in = (const float*) x;
  uint8_t* out = (uint8_t*) y;
  (void) params;
  assert(n == 0 || (x != NULL && y != NULL));
  for (; n >= 64; n -= 64) {
    const __m256i a = qb__cvt8(in), b = qb__cvt8(in + 8), c = qb__cvt8(in + 16), d = qb__cvt8(in + 24);
    const __m256i e = qb__cvt8(in + 32), f = qb__cvt8(in + 40), g = qb__cvt8(in + 48), h = qb__cvt8(in + 56);
    _mm256_storeu_si256((__m256i*) out, qb_cvt_avx2_pack_u8x4(a, b, c, d));
    _mm256_storeu_si256((__m256i*) (out + 32), qb_cvt_avx2_pack_u8x4(e, f, g, h));
    in += 64;
    out += 64;
  }
  for (; n >= 8; n -= 8) {
    _mm_storel_epi64((__m128i*) out, qb_cvt_avx2_pack_u8x1(qb__cvt8(in)));
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
    _mm_storel_epi64((__m128i*) obuf, qb_cvt_avx2_pack_u8x1(qb__cvt8(ibuf)));
    memcpy(out, obuf, n * sizeof *out);
  }
}
