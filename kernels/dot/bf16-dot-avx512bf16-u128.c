/*
 * bf16 . bf16 -> f32 with vdpbf16ps (AVX512_BF16): each f32 lane adds the products of
 * one pair of bf16 elements. The instruction reads subnormal inputs as zero, flushes
 * subnormal results to zero and rounds to nearest even regardless of MXCSR, and its
 * pair-sum does not round like two separate f32 additions: the variant declares
 * QB_SEM_FTZ_IN | QB_SEM_FTZ_OUT | QB_SEM_REASSOC and is held to the FTZ form of the
 * bound in dot.h. 4 accumulators of 16 lanes (32 elements each); a masked tail
 * (masked-off elements read as +0.0).
 *
 * Out of cache (the inputs' bytes at least the threshold of common/stream.h) the pairs
 * go through a loop of 32-byte loads instead: on the AMD EPYC (Zen 4) VM the 64-byte
 * loads of the zmm loop read DRAM at about 0.8x the rate of the same instruction on
 * 32-byte loads (README.md, "The bf16 dot out of cache"). There each vdpbf16ps sums
 * 16 pairs into 8 f32 lanes from zero (the same pair sums, flushed and rounded as in
 * the zmm loop), and those are added in two f64 accumulators: no f32 running sum, so
 * the result is more accurate than the zmm loop's, within the same bound.
 */
#include <assert.h>

#include "common/stream.h"
#include "dot/dot-x86.h"
#include "qb/ukernel.h"

static inline __m512bh qb__load32_bf16(const uint16_t* p) {
  return (__m512bh) _mm512_loadu_si512(p);
}

static inline __m512d qb__pairs16_f64(__m256bh x, __m256bh y) {
  return _mm512_cvtps_pd(_mm256_dpbf16_ps(_mm256_setzero_ps(), x, y));
}

static inline __m256bh qb__load16_bf16(const uint16_t* p) {
  return (__m256bh) _mm256_loadu_si256((const __m256i*) p);
}

/* The out-of-cache loop: 32 pairs per iteration in two f64 accumulators, then 16 at a
 * time with masked loads. */
static float qb__dot_wide(size_t n, const uint16_t* x, const uint16_t* y) {
  __m512d acc0 = _mm512_setzero_pd(), acc1 = _mm512_setzero_pd();
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    acc0 = _mm512_add_pd(acc0, qb__pairs16_f64(qb__load16_bf16(x + i), qb__load16_bf16(y + i)));
    acc1 = _mm512_add_pd(acc1, qb__pairs16_f64(qb__load16_bf16(x + i + 16), qb__load16_bf16(y + i + 16)));
  }
  for (; i < n; i += 16) {
    const __mmask16 m = n - i >= 16 ? (__mmask16) 0xFFFF : (__mmask16) qb__mask_low64(n - i);
    const __m256bh vx = (__m256bh) _mm256_maskz_loadu_epi16(m, x + i);
    const __m256bh vy = (__m256bh) _mm256_maskz_loadu_epi16(m, y + i);
    acc0 = _mm512_add_pd(acc0, qb__pairs16_f64(vx, vy));
  }
  return (float) _mm512_reduce_add_pd(_mm512_add_pd(acc0, acc1));
}

void qb_bf16_dot_ukernel__avx512bf16_u128(size_t n, const void* a, const void* b, void* out) {
  const uint16_t* x = (const uint16_t*) a;
  const uint16_t* y = (const uint16_t*) b;
  __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
  __m512 acc2 = _mm512_setzero_ps(), acc3 = _mm512_setzero_ps();
  size_t i = 0;
  assert(out != NULL);
  assert(n == 0 || (a != NULL && b != NULL));
  if (qb_stream_reads_out_of_cache(2 * n * sizeof(uint16_t))) {
    *(float*) out = qb__dot_wide(n, x, y);
    return;
  }
  for (; i + 128 <= n; i += 128) {
    acc0 = _mm512_dpbf16_ps(acc0, qb__load32_bf16(x + i), qb__load32_bf16(y + i));
    acc1 = _mm512_dpbf16_ps(acc1, qb__load32_bf16(x + i + 32), qb__load32_bf16(y + i + 32));
    acc2 = _mm512_dpbf16_ps(acc2, qb__load32_bf16(x + i + 64), qb__load32_bf16(y + i + 64));
    acc3 = _mm512_dpbf16_ps(acc3, qb__load32_bf16(x + i + 96), qb__load32_bf16(y + i + 96));
  }
  while (i < n) {
    const size_t left = n - i;
    const __mmask32 m = left >= 32 ? (__mmask32) 0xFFFFFFFFu : (__mmask32) qb__mask_low64(left);
    const __m512bh vx = (__m512bh) _mm512_maskz_loadu_epi16(m, x + i);
    const __m512bh vy = (__m512bh) _mm512_maskz_loadu_epi16(m, y + i);
    acc0 = _mm512_dpbf16_ps(acc0, vx, vy);
    i += left >= 32 ? 32 : left;
  }
  acc0 = _mm512_add_ps(_mm512_add_ps(acc0, acc1), _mm512_add_ps(acc2, acc3));
  *(float*) out = qb__hsum_ps512(acc0);
}
