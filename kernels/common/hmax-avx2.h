/*
 * The AVX2 reduction tree shared by the block quantizers (kernels/quant/qblock-avx2.h,
 * kernels/lowbit/blkq-avx2.h): eight blocks' partial maxima reduced in one transposing
 * tree rather than one horizontal reduction per block. Included only by -avx2- files.
 */
#ifndef QB_COMMON_HMAX_AVX2_H
#define QB_COMMON_HMAX_AVX2_H

#include <immintrin.h>

/*
 * Eight vectors of per-block partial maxima -> one vector of the eight blocks' maxima: block
 * k ends in lane k / 2 + 4 * (k % 2). Three levels of shuffle and max: 21 instructions for
 * 8 blocks (8 vperm2i128, 6 vshufps, 7 maxima), where one reduction per block takes 6, 48
 * in all. `uns` (a constant after inlining) picks unsigned 32-bit maxima (vpmaxud) over
 * signed ones (vpmaxsd).
 */
static inline __attribute__((always_inline)) __m256i qb__avx2_hmax8x8_op(const __m256i* m, int uns) {
#define QB__MAX(a, b) (uns ? _mm256_max_epu32(a, b) : _mm256_max_epi32(a, b))
  __m256i p[4];
#pragma GCC unroll 4
  for (int j = 0; j < 4; j++) {
    /* Low 128 bits: block 2j's 4 partials, high: block 2j + 1's. */
    p[j] = QB__MAX(_mm256_permute2x128_si256(m[2 * j], m[2 * j + 1], 0x20),
                   _mm256_permute2x128_si256(m[2 * j], m[2 * j + 1], 0x31));
  }
#define QB__SHUF(a, b, imm) \
  _mm256_castps_si256(_mm256_shuffle_ps(_mm256_castsi256_ps(a), _mm256_castsi256_ps(b), imm))
  /* Low lane: blocks 0, 0, 2, 2 (then 4, 4, 6, 6); high lane: the odd blocks. */
  const __m256i q0 = QB__MAX(QB__SHUF(p[0], p[1], 0x44), QB__SHUF(p[0], p[1], 0xEE));
  const __m256i q1 = QB__MAX(QB__SHUF(p[2], p[3], 0x44), QB__SHUF(p[2], p[3], 0xEE));
  const __m256i r = QB__MAX(QB__SHUF(q0, q1, 0x88), QB__SHUF(q0, q1, 0xDD));
#undef QB__SHUF
#undef QB__MAX
  return r;
}

/* The signed maxima: on |x| bits they order as the floats do, with a NaN above inf (so a
 * block's maximum says whether it holds a NaN or an infinity). */
static inline __attribute__((always_inline)) __m256i qb__avx2_hmax8x8(const __m256i* m) {
  return qb__avx2_hmax8x8_op(m, 0);
}

#endif
