/*
 * f32 -> qb8, avx512skx, 16 blocks of 32 (512 values) per iteration: the blocks' absmax
 * found together, so the horizontal reductions and the divisions are shared.
 * 1, 2. The 16 blocks' absmax in one vector, block b's in lane 4 * (b % 4) + b / 4
 *    (qb__avx512_amax16 in quant-avx512.h: four levels of shuffles and maxima).
 * 3. d = absmax / 127 and id = d != 0 ? 1 / d : 0 with two vector divisions: the same IEEE
 *    operations as the reference, so the same bits.
 * 4. Each block quantized with its own id broadcast, as qb__avx512_block_quant does.
 * The last n % 512 values go block by block. Bit-exact with the scalar reference.
 */
#include <assert.h>
#include <string.h>

#include "qb/ukernel.h"
#include "quant/quant-avx512.h"

/* 16 blocks starting at x. */
static inline void qb__quant16(const float* x, qb_block_q8* out) {
  /* 1, 2. */
  const __m512 amax = qb__avx512_amax16(x, 0);
  /* 3. */
  const __m512 d = _mm512_div_ps(amax, _mm512_set1_ps(127.0f));
  const __mmask16 nz = _mm512_cmp_ps_mask(d, _mm512_setzero_ps(), _CMP_NEQ_UQ);
  const __m512 id = _mm512_maskz_div_ps(nz, _mm512_set1_ps(1.0f), d);
  float ds[16], ids[16];
  _mm512_storeu_ps(ds, d);
  _mm512_storeu_ps(ids, id);
  /* 4. */
  const __m512 lo = _mm512_set1_ps(-127.0f), hi = _mm512_set1_ps(127.0f);
  for (int b = 0; b < 16; b++) {
    const int lane = 4 * (b % 4) + b / 4;
    const __m512 idb = _mm512_set1_ps(ids[lane]);
    memcpy(&out[b].d, &ds[lane], sizeof(float));
    for (int i = 0; i < 2; i++) {
      const __m512 v = _mm512_mul_ps(_mm512_loadu_ps(x + 32 * b + 16 * i), idb);
      __m512 r = _mm512_roundscale_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
      r = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(r, r, _CMP_ORD_Q), r); /* NaN, or inf * 0 */
      const __m512i q = _mm512_cvtps_epi32(_mm512_min_ps(_mm512_max_ps(r, lo), hi));
      _mm_storeu_si128((__m128i*) (out[b].qs + 16 * i), _mm512_cvtepi32_epi8(q));
    }
  }
}

void qb_f32_qb8_quant_ukernel__avx512skx_u512(size_t n, const void* x, void* y, const void* params) {
  const float* in = (const float*) x;
  qb_block_q8* out = (qb_block_q8*) y;
  (void) params;
  assert(n % QB_BLOCK_LEN == 0);
  assert(n == 0 || (x != NULL && y != NULL));
  size_t b = 0;
  for (; b + 16 <= n / QB_BLOCK_LEN; b += 16) qb__quant16(in + b * QB_BLOCK_LEN, &out[b]);
  for (; b < n / QB_BLOCK_LEN; b++) qb__avx512_block_quant(in + b * QB_BLOCK_LEN, &out[b]);
}
