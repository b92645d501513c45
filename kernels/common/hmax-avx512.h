/*
 * The AVX-512 reduction tree shared by the block quantizers (kernels/quant/qblock-avx512.h:
 * q8_0, qb8, q4_0 amaxes; kernels/quant/int4g-avx512.h: int4 group ranges): sixteen
 * blocks' partial maxima reduced in one transposing tree rather than one horizontal
 * reduction per block. Included only by files compiled with AVX-512 F.
 */
#ifndef QB_COMMON_HMAX_AVX512_H
#define QB_COMMON_HMAX_AVX512_H

#include <immintrin.h>

/* The lane of block k (0 .. 15) in qb__avx512_hmax16x16's result. */
static const int qb__avx512_hmax16_lane[16] = {0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15};

/*
 * Sixteen vectors of per-block partial maxima (block k's 16 partials in m[k]) -> one vector
 * of the sixteen blocks' maxima, signed or unsigned 32-bit (is_unsigned a constant), block
 * k in lane qb__avx512_hmax16_lane[k]. Four levels each halve the partials per block: a
 * level pairs vectors a and b, takes the halves of a it keeps and those of b by one blend,
 * the other halves by one blend and one shuffle that swaps neighbours, and one maximum
 * (vpblendmd and vpmaxsd run on every vector pipe, the shuffle only on two: 15 shuffles
 * for 16 blocks where two per pair and level take 30).
 */
static inline __attribute__((always_inline)) __m512i qb__avx512_hmax16x16(const __m512i* m,
                                                                          const int is_unsigned) {
#define QB__MAX(u, v) (is_unsigned ? _mm512_max_epu32(u, v) : _mm512_max_epi32(u, v))
  /* Level 1 (256-bit halves): block 2p in the low half of v1[p], 2p + 1 in the high. */
  __m512i v1[8];
#pragma GCC unroll 8
  for (int p = 0; p < 8; p++) {
    v1[p] = QB__MAX(_mm512_mask_blend_epi32(0xFF00, m[2 * p], m[2 * p + 1]),
                    _mm512_shuffle_i64x2(m[2 * p], m[2 * p + 1], _MM_SHUFFLE(1, 0, 3, 2)));
  }
  /* Level 2 (128-bit lanes): lane j of v2[q] from v1[2q] for even j, v1[2q + 1] for odd. */
  __m512i v2[4];
#pragma GCC unroll 4
  for (int q = 0; q < 4; q++) {
    const __m512i a = _mm512_mask_blend_epi32(0xF0F0, v1[2 * q], v1[2 * q + 1]);
    const __m512i b = _mm512_mask_blend_epi32(0xF0F0, v1[2 * q + 1], v1[2 * q]);
    v2[q] = QB__MAX(a, _mm512_shuffle_i64x2(b, b, _MM_SHUFFLE(2, 3, 0, 1)));
  }
  /* Level 3 (64-bit halves of each lane): the low half from v2[2r], the high from v2[2r + 1]. */
  __m512i v3[2];
#pragma GCC unroll 2
  for (int r = 0; r < 2; r++) {
    const __m512i a = _mm512_mask_blend_epi32(0xCCCC, v2[2 * r], v2[2 * r + 1]);
    const __m512i b = _mm512_mask_blend_epi32(0xCCCC, v2[2 * r + 1], v2[2 * r]);
    v3[r] = QB__MAX(a, _mm512_shuffle_epi32(b, _MM_PERM_BADC));
  }
  /* Level 4 (dwords): even dwords from v3[0], odd from v3[1]. */
  const __m512i a = _mm512_mask_blend_epi32(0xAAAA, v3[0], v3[1]);
  const __m512i b = _mm512_mask_blend_epi32(0xAAAA, v3[1], v3[0]);
  return QB__MAX(a, _mm512_shuffle_epi32(b, _MM_PERM_CDAB));
#undef QB__MAX
}

/* The lane of block k (0 .. 15) in qb__avx512_hmax16x8's result: k / 2 + 4 (k % 2) within
 * each eight. */
static const int qb__avx512_hmax8_lane[16] = {0, 4, 1, 5, 2, 6, 3, 7, 8, 12, 9, 13, 10, 14, 11, 15};

/*
 * The same reduction from eight partial maxima per block (256-bit vectors), for blocks whose
 * values are folded to eight lanes first (the int4 group ranges of 32 and 64, q4_0's maxima):
 * per eight blocks three levels of blend, shuffle and maximum, 21 instructions of which 8
 * shuffles (the vperm2i128 / vshufps pairs of common/hmax-avx2.h's tree, one of each pair a
 * vpblendd, which runs on every vector pipe). In two parts, so that a caller can reduce each
 * pair of blocks as soon as both are complete: qb__avx512_hmax8_pair (level 1: block 2j's
 * four partials in the low 128 bits, 2j + 1's in the high) and qb__avx512_hmax16x8p (levels 2
 * and 3 on the eight pairs, the second eight blocks in the high half). Signed or unsigned
 * 32-bit maxima (is_unsigned a constant).
 */
static inline __attribute__((always_inline)) __m256i qb__avx512_hmax8_pair(const __m256i a, const __m256i b,
                                                                           const int is_unsigned) {
  const __m256i u = _mm256_blend_epi32(a, b, 0xF0), v = _mm256_permute2x128_si256(a, b, 0x21);
  return is_unsigned ? _mm256_max_epu32(u, v) : _mm256_max_epi32(u, v);
}

static inline __attribute__((always_inline)) __m256i qb__avx512_hmax8_pairs4(const __m256i* p,
                                                                             const int is_unsigned) {
#define QB__MAX(u, v) (is_unsigned ? _mm256_max_epu32(u, v) : _mm256_max_epi32(u, v))
#define QB__SHUF(u, v, imm) \
  _mm256_castps_si256(_mm256_shuffle_ps(_mm256_castsi256_ps(u), _mm256_castsi256_ps(v), imm))
  /* Level 2: each 128-bit lane's first two partials from p[2r], the last two from p[2r + 1]. */
  const __m256i q0 = QB__MAX(_mm256_blend_epi32(p[0], p[1], 0xCC), QB__SHUF(p[0], p[1], 0x4E));
  const __m256i q1 = QB__MAX(_mm256_blend_epi32(p[2], p[3], 0xCC), QB__SHUF(p[2], p[3], 0x4E));
  /* Level 3: one partial per block. */
  return QB__MAX(QB__SHUF(q0, q1, 0x88), QB__SHUF(q0, q1, 0xDD));
#undef QB__SHUF
#undef QB__MAX
}

static inline __attribute__((always_inline)) __m512i qb__avx512_hmax16x8p(const __m256i* p,
                                                                          const int is_unsigned) {
  return _mm512_inserti64x4(_mm512_castsi256_si512(qb__avx512_hmax8_pairs4(p, is_unsigned)),
                            qb__avx512_hmax8_pairs4(p + 4, is_unsigned), 1);
}

/* Sixteen vectors of eight partial maxima (block k's in m[k]) -> one vector of the blocks'
 * maxima, block k in lane qb__avx512_hmax8_lane[k]. */
static inline __attribute__((always_inline)) __m512i qb__avx512_hmax16x8(const __m256i* m,
                                                                         const int is_unsigned) {
  __m256i p[8];
#pragma GCC unroll 8
  for (int j = 0; j < 8; j++) p[j] = qb__avx512_hmax8_pair(m[2 * j], m[2 * j + 1], is_unsigned);
  return qb__avx512_hmax16x8p(p, is_unsigned);
}

#endif /* QB_COMMON_HMAX_AVX512_H */
