/*
 * bf16 -> f32 with AVX-512: zero-extend and shift into the high half, 32 per iteration. Exact.
 */
#include <assert.h>
#include <immintrin.h>

#include "cvt/cvt-x86.h"
#include "qb/ukernel.h"

/* 16 elements. */
static inline void qb__cvt16(const uint16_t* in, float* out) {
  const __m512i w = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i*) in));
  _mm512_storeu_si512(out, _mm512_slli_epi32(w, 16));
}

void qb_bf16_f32_cvt_ukernel__avx512skx_u32(size_t n, const void* x, void* y, const void* params) {
  const uint16_t* in = (const uint16_t*) x;
  float* out = (float*) y;
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
    _mm512_mask_storeu_epi32(out, m,
                             _mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(m, in)), 16));
  }
}
