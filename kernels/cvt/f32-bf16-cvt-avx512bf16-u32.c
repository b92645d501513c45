/*
 * f32 -> bf16 with AVX512-BF16 (vcvtneps2bf16), 32 per iteration. The instruction rounds to nearest
 * even and quiets NaN keeping the top payload bits like the reference, but it reads subnormal f32
 * inputs as zero of the same sign whatever MXCSR.DAZ says (Intel SDM, convert_fp32_to_bfloat16):
 * declared QB_SEM_FTZ_IN. Its outputs are never subnormal for a normal input (bf16 has f32's
 * exponent range), so no other flag.
 */
#include <assert.h>
#include <immintrin.h>

#include "cvt/cvt-x86.h"
#include "qb/ukernel.h"

/* 16 elements. */
static inline void qb__cvt16(const float* in, uint16_t* out) {
  _mm256_storeu_si256((__m256i*) out, (__m256i) _mm512_cvtneps_pbh(_mm512_loadu_ps(in)));
}

void qb_f32_bf16_cvt_ukernel__avx512bf16_u32(size_t n, const void* x, void* y, const void* params) {
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
    _mm256_mask_storeu_epi16(out, m, (__m256i) _mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(m, in)));
  }
}
