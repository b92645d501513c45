/*
 * The x86 qb8 dots' shared per-block pieces (qb8-dot-avx2-u256.c,
 * qb8-dot-avx512vnni-u64.c): the exact widened lanes of one block, for the pairs of
 * blocks where the sign trick fails, and a block's scale da * db.
 */
#ifndef QB_DOT_QB8_DOT_X86_H
#define QB_DOT_QB8_DOT_X86_H

#include "dot/dot-x86.h"
#include "qb/ukernel.h"

/* The 8 s32 lanes of one block, exact for every byte (the sign trick's lanes). */
static inline __m256i qb__lanes_wide(const qb_block_q8* x, const qb_block_q8* y) {
  const __m256i x0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i*) x->qs));
  const __m256i x1 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i*) (x->qs + 16)));
  const __m256i y0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i*) y->qs));
  const __m256i y1 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i*) (y->qs + 16)));
  /* Pairs 0..7 and 8..15; vphaddd adds adjacent pairs within each 128-bit half, giving
   * lanes 0 1 4 5 | 2 3 6 7, which vpermq puts in order. */
  const __m256i h = _mm256_hadd_epi32(_mm256_madd_epi16(x0, y0), _mm256_madd_epi16(x1, y1));
  return _mm256_permute4x64_epi64(h, _MM_SHUFFLE(3, 1, 2, 0));
}

/* Block k's scale da * db, rounded to f32 as the reference rounds it, in every lane. */
static inline __m256 qb__scale(const qb_block_q8* x, const qb_block_q8* y) {
  return _mm256_mul_ps(_mm256_broadcast_ss(&x->d), _mm256_broadcast_ss(&y->d));
}

#endif /* QB_DOT_QB8_DOT_X86_H */
