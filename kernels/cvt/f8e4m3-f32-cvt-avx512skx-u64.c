/*
 * f8 e4m3fn -> f32 with AVX-512, 64 per iteration: each byte read as an f16 (a shift and a
 * mask), widened by vcvtph2ps and scaled by 2^8, S.1111.111 made the canonical NaN
 * (kernels/cvt/cvt-f8-x86.h). Exact.
 */
#include <assert.h>
#include <immintrin.h>

#include "cvt/cvt-f8-x86.h"
#include "qb/ukernel.h"

void qb_f8e4m3_f32_cvt_ukernel__avx512skx_u64(size_t n, const void* x, void* y, const void* params) {
  const uint8_t* in = (const uint8_t*) x;
  float* out = (float*) y;
  (void) params;
  assert(n == 0 || (x != NULL && y != NULL));
  for (; n >= 64; n -= 64) {
    const __m512 a = qb_f8e4m3_avx512_to_f32(_mm_loadu_si128((const __m128i*) in));
    const __m512 b = qb_f8e4m3_avx512_to_f32(_mm_loadu_si128((const __m128i*) (in + 16)));
    const __m512 c = qb_f8e4m3_avx512_to_f32(_mm_loadu_si128((const __m128i*) (in + 32)));
    const __m512 d = qb_f8e4m3_avx512_to_f32(_mm_loadu_si128((const __m128i*) (in + 48)));
    _mm512_storeu_ps(out, a);
    _mm512_storeu_ps(out + 16, b);
    _mm512_storeu_ps(out + 32, c);
    _mm512_storeu_ps(out + 48, d);
    in += 64;
    out += 64;
  }
  for (; n >= 16; n -= 16) {
    _mm512_storeu_ps(out, qb_f8e4m3_avx512_to_f32(_mm_loadu_si128((const __m128i*) in)));
    in += 16;
    out += 16;
  }
  if (n != 0) {
    /* The last n < 16 through the same instructions, masked: masked-off lanes are
     * neither read nor written. */
    const __mmask16 m = (__mmask16) ((1u << n) - 1u);
    _mm512_mask_storeu_ps(out, m, qb_f8e4m3_avx512_to_f32(_mm_maskz_loadu_epi8(m, in)));
  }
}
