/*
 * f32 -> f16 with AVX512-FP16 (vcvtps2phx, the rounding embedded: nearest even whatever MXCSR
 * says), 32 per iteration. Declared bit-exact like vcvtps2ph: round to nearest even, overflow to
 * inf, NaN payload truncated and quieted. Not checked on hardware yet: tests/test_cvt_simd.c checks
 * every f32 on a CPU that has AVX512-FP16.
 */
#include <assert.h>
#include <immintrin.h>

#include "cvt/cvt-x86.h"
#include "qb/ukernel.h"

/* 16 elements. */
static inline void qb__cvt16(const float* in, uint16_t* out) {
  const __m256h h =
      _mm512_cvtx_roundps_ph(_mm512_loadu_ps(in), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  _mm256_storeu_si256((__m256i*) out, _mm256_castph_si256(h));
}

void qb_f32_f16_cvt_ukernel__avx512fp16_u32(size_t n, const void* x, void* y, const void* params) {
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
  for (; n >= 16; n -= 16) {
    qb__cvt16(in, out);
    in += 16;
    out += 16;
  }
  if (n != 0) {
    /* The last n < 16 through the same instructions, masked: masked-off lanes are
     * neither read nor written. */
    const __mmask16 m = qb_cvt_mask16(n);
    const __m256h h =
        _mm512_cvtx_roundps_ph(_mm512_maskz_loadu_ps(m, in), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    _mm256_mask_storeu_epi16(out, m, _mm256_castph_si256(h));
  }
}
