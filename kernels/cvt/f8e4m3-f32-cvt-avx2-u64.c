/*
 * f8 e4m3fn -> f32 with AVX2 and F16C, 64 per iteration: each byte read as an f16 (a shift
 * and a mask), widened by vcvtph2ps and scaled by 2^8, the one magnitude that reads 480
 * made the canonical NaN (kernels/cvt/cvt-f8-x86.h). Exact.
 */
#include <assert.h>
#include <immintrin.h>
#include <string.h>

#include "cvt/cvt-f8-x86.h"
#include "qb/ukernel.h"

static inline void qb__cvt8(const uint8_t* in, float* out) {
  _mm256_storeu_ps(out, qb_f8e4m3_avx2_to_f32(_mm_loadl_epi64((const __m128i*) in)));
}

void qb_f8e4m3_f32_cvt_ukernel__avx2_u64(size_t n, const void* x, void* y, const void* params) {
  const uint8_t* in = (const uint8_t*) x;
  float* out = (float*) y;
  (void) params;
  assert(n == 0 || (x != NULL && y != NULL));
  for (; n >= 64; n -= 64) {
    for (int i = 0; i < 64; i += 8) qb__cvt8(in + i, out + i);
    in += 64;
    out += 64;
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
