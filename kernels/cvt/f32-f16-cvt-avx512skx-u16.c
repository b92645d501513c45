/*
 * f32 -> f16 with AVX-512 (512-bit vcvtps2ph), 16 per iteration. vcvtps2ph with the rounding in the
 * immediate (nearest even, whatever MXCSR says) rounds like the reference, overflows to inf, and
 * keeps a NaN's top payload bits with the quiet bit set, as the reference does: bit-exact
 * (tests/test_cvt_simd.c checks every f32).
 */
#include <assert.h>
#include <immintrin.h>

#include "cvt/cvt-x86.h"
#include "qb/ukernel.h"

/* 16 elements. */
static inline void qb__cvt16(const float* in, uint16_t* out) {
  _mm256_storeu_si256((__m256i*) out, _mm512_cvtps_ph(_mm512_loadu_ps(in), _MM_FROUND_TO_NEAREST_INT));
}

void qb_f32_f16_cvt_ukernel__avx512skx_u16(size_t n, const void* x, void* y, const void* params) {
  const float* in = (const float*) x;
  uint16_t* out = (uint16_t*) y;
  (void) params;
  assert(n == 0 || (x != NULL && y != NULL));
  for (; n >= 16; n -= 16) {
    qb__cvt16(in, out);
    in += 16;
    out += 16;
  }
  if (n != 0) {
    /* The last n < 16 through the same instructions, masked: masked-off lanes are
     * neither read nor written. */
    const __mmask16 m = qb_cvt_mask16(n);
    _mm256_mask_storeu_epi16(out, m,
                             _mm512_cvtps_ph(_mm512_maskz_loadu_ps(m, in), _MM_FROUND_TO_NEAREST_INT));
  }
}
