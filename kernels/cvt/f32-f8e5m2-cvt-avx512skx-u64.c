/*
 * f32 -> f8 e5m2 with AVX-512, 64 per iteration: one float addition with embedded
 * nearest-even rounding does the rounding (kernels/cvt/cvt-f8-x86.h), overflow and inf to inf (0x7C), NaN
 * 0x7E, vpmovdb narrows. Bit-exact with the reference whatever MXCSR says.
 */
#include <assert.h>
#include <immintrin.h>

#include "cvt/cvt-f8-x86.h"
#include "qb/ukernel.h"

static inline __m128i qb__cvt16(__m512i w) {
  return qb_f8_avx512_from_f32(w, 2, QB_F8_E5M2_EMIN, QB_F8_E5M2_CLAMP, 0x7C, 0x7E);
}

void qb_f32_f8e5m2_cvt_ukernel__avx512skx_u64(size_t n, const void* x, void* y, const void* params) {
  const float* in = (const float*) x;
  uint8_t* out = (uint8_t*) y;
  (void) params;
  assert(n == 0 || (x != NULL && y != NULL));
  for (; n >= 64; n -= 64) {
    const __m128i a = qb__cvt16(_mm512_loadu_si512(in));
    const __m128i b = qb__cvt16(_mm512_loadu_si512(in + 16));
    const __m128i c = qb__cvt16(_mm512_loadu_si512(in + 32));
    const __m128i d = qb__cvt16(_mm512_loadu_si512(in + 48));
    _mm_storeu_si128((__m128i*) out, a);
    _mm_storeu_si128((__m128i*) (out + 16), b);
    _mm_storeu_si128((__m128i*) (out + 32), c);
    _mm_storeu_si128((__m128i*) (out + 48), d);
    in += 64;
    out += 64;
  }
  for (; n >= 16; n -= 16) {
    _mm_storeu_si128((__m128i*) out, qb__cvt16(_mm512_loadu_si512(in)));
    in += 16;
    out += 16;
  }
  if (n != 0) {
    /* The last n < 16 through the same instructions, masked: masked-off lanes are
     * neither read nor written. */
    const __mmask16 m = (__mmask16) ((1u << n) - 1u);
    _mm_mask_storeu_epi8(out, m, qb__cvt16(_mm512_maskz_loadu_epi32(m, in)));
  }
}
