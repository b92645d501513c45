/*
 * Block int8 . block int8 -> f32 with AVX2 + FMA. Per block, exact integer partial
 * sums in 8 s32 lanes, lane i the sum of the products of bytes 4i..4i+3 (|lane| <=
 * 4 * 128^2, exact in f32). Then, as the reference, scale = da * db rounded to f32, but
 * each lane is scaled and accumulated by its own FMA: the same terms grouped
 * differently (QB_SEM_REASSOC). Two blocks per iteration into 2 accumulators.
 *
 * The lanes come from ggml's sign trick, x * y = |x| * sign(y, x): vpabsb, vpsignb,
 * vpmaddubsw (u8 x s8 pairs to s16), vpmaddwd by 1 (pairs to s32), no shuffle. It fails
 * in one case only: y = -128 against a negative x, where sign(y, x) wraps -(-128) to
 * -128 (|x| read as u8 is exact for -128, and with sign(y, x) in [-127, 127] the pairs
 * stay within 2 * 128 * 127: no saturation). The minimum byte of sign(y, x) over the two
 * blocks is kept (vpminsb) and, where it is -128, the two blocks' lanes are formed again
 * by widening both sides to 16 bits (vpmovsxbw, vpmaddwd, then adjacent pairs added by
 * vphaddd and put back in order), which gives the same lanes for every byte: the result
 * does not depend on the path. Blocks from a quantizer hold codes in [-127, 127] and
 * never take the second path.
 *
 * The widening path alone (four vpmovsxbw per block, shuffles) ran 2.65 TSC ticks per
 * block in L1 on the 2-core Zen 4 VM; this loop 2.31-2.34 (1.13-1.16x, one process,
 * loaded machine). The scale product is formed from two vbroadcastss loads and one
 * vmulps (the scalar vmulss + vbroadcastss took one vector operation more per block).
 */
#include <assert.h>

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

void qb_qb8_dot_ukernel__avx2_u64(size_t n, const void* a, const void* b, void* out) {
  const qb_block_q8* x = (const qb_block_q8*) a;
  const qb_block_q8* y = (const qb_block_q8*) b;
  const size_t nb = n / QB_BLOCK_LEN;
  const __m256i one = _mm256_set1_epi16(1), m128 = _mm256_set1_epi8((char) 0x80);
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  size_t k = 0;
  assert(out != NULL);
  assert(n % QB_BLOCK_LEN == 0);
  assert(n == 0 || (a != NULL && b != NULL));
  for (; k + 2 <= nb; k += 2) {
    __m256i v[2];
    __m256i lo = _mm256_set1_epi8(127);
    for (int j = 0; j < 2; j++) {
      /* x read once, into a register (the compiler would fold its load into both
       * vpabsb and vpsignb). */
      __m256i xa = _mm256_loadu_si256((const __m256i*) x[k + j].qs);
      __asm__("" : "+x"(xa));
      const __m256i sb = _mm256_sign_epi8(_mm256_loadu_si256((const __m256i*) y[k + j].qs), xa);
      lo = _mm256_min_epi8(lo, sb);
      v[j] = _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_abs_epi8(xa), sb), one);
    }
    if (__builtin_expect(_mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, m128)) != 0, 0)) {
      v[0] = qb__lanes_wide(&x[k], &y[k]);
      v[1] = qb__lanes_wide(&x[k + 1], &y[k + 1]);
    }
    acc0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(v[0]), qb__scale(&x[k], &y[k]), acc0);
    acc1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(v[1]), qb__scale(&x[k + 1], &y[k + 1]), acc1);
  }
  if (k < nb) {
    acc0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(qb__lanes_wide(&x[k], &y[k])), qb__scale(&x[k], &y[k]), acc0);
  }
  *(float*) out = qb__hsum_ps256(_mm256_add_ps(acc0, acc1));
}
