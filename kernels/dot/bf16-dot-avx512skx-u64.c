/* bf16 . bf16 -> f32 with AVX-512F/BW: the even/odd decode of bf16-dot-avx2-u32.c on 32
 * elements per register, 4 accumulators, a masked tail (masked-off elements read as
 * +0.0). Subnormals are kept; the order differs (QB_SEM_REASSOC). A call whose inputs
 * reach the out-of-cache threshold (common/stream.h) runs the same loop with both
 * inputs' lines QB_DOT_AHEAD bytes on prefetched (common/stream-x86.h), so the same
 * result (README.md, "The dots out of cache on Intel"). */
#include <assert.h>

#include "common/stream-x86.h"
#include "dot/dot-x86.h"
#include "qb/ukernel.h"

static inline __m512 qb__even(__m512i v) {
  return _mm512_castsi512_ps(_mm512_slli_epi32(v, 16));
}

static inline __m512 qb__odd(__m512i v, __m512i hi_mask) {
  return _mm512_castsi512_ps(_mm512_and_si512(v, hi_mask));
}

/* 64 pairs into the four accumulators. */
#define QB__STEP64(x, y, i)                                                   \
  do {                                                                        \
    const __m512i x0 = _mm512_loadu_si512((x) + (i));                         \
    const __m512i y0 = _mm512_loadu_si512((y) + (i));                         \
    const __m512i x1 = _mm512_loadu_si512((x) + (i) + 32);                    \
    const __m512i y1 = _mm512_loadu_si512((y) + (i) + 32);                    \
    acc0 = _mm512_fmadd_ps(qb__even(x0), qb__even(y0), acc0);                 \
    acc1 = _mm512_fmadd_ps(qb__odd(x0, hi_mask), qb__odd(y0, hi_mask), acc1); \
    acc2 = _mm512_fmadd_ps(qb__even(x1), qb__even(y1), acc2);                 \
    acc3 = _mm512_fmadd_ps(qb__odd(x1, hi_mask), qb__odd(y1, hi_mask), acc3); \
  } while (0)

void qb_bf16_dot_ukernel__avx512skx_u64(size_t n, const void* a, const void* b, void* out) {
  const uint16_t* x = (const uint16_t*) a;
  const uint16_t* y = (const uint16_t*) b;
  const __m512i hi_mask = _mm512_set1_epi32((int32_t) 0xFFFF0000u);
  __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
  __m512 acc2 = _mm512_setzero_ps(), acc3 = _mm512_setzero_ps();
  size_t i = 0;
  assert(out != NULL);
  assert(n == 0 || (a != NULL && b != NULL));
  if (qb_stream_reads_out_of_cache(2 * n * sizeof(uint16_t))) {
    for (; i + 64 + QB_DOT_AHEAD / 2 <= n; i += 64) {
      qb__prefetch_span(x + i + QB_DOT_AHEAD / 2, 64 * sizeof(uint16_t));
      qb__prefetch_span(y + i + QB_DOT_AHEAD / 2, 64 * sizeof(uint16_t));
      QB__STEP64(x, y, i);
    }
  }
  for (; i + 64 <= n; i += 64) {
    QB__STEP64(x, y, i);
  }
  while (i < n) {
    /* One register of up to 32 elements, masked when fewer remain. */
    const size_t left = n - i;
    const __mmask32 m = left >= 32 ? (__mmask32) 0xFFFFFFFFu : (__mmask32) qb__mask_low64(left);
    const __m512i x0 = _mm512_maskz_loadu_epi16(m, x + i);
    const __m512i y0 = _mm512_maskz_loadu_epi16(m, y + i);
    acc0 = _mm512_fmadd_ps(qb__even(x0), qb__even(y0), acc0);
    acc1 = _mm512_fmadd_ps(qb__odd(x0, hi_mask), qb__odd(y0, hi_mask), acc1);
    i += left >= 32 ? 32 : left;
  }
  acc0 = _mm512_add_ps(_mm512_add_ps(acc0, acc1), _mm512_add_ps(acc2, acc3));
  *(float*) out = qb__hsum_ps512(acc0);
}
