/*
 * Block int8 . block int8 -> f32 with AVX2 + FMA. Per block, exact integer partial
 * sums in 8 s32 lanes, lane i the sum of the products of bytes 4i..4i+3 (|lane| <=
 * 4 * 128^2). Eight blocks per iteration: the lanes of each four blocks are added in
 * pairs by two levels of a transposing reduction into one vector, block j + i's
 * quarter sums (8 products each, exact in f32) in lane i of each 128-bit half, which is
 * converted to f32 and accumulated by one FMA with the four blocks' scales da * db
 * (rounded to f32 as in the reference; blended from broadcast loads) in the same lanes:
 * the same terms grouped differently (QB_SEM_REASSOC), two accumulators.
 *
 * The lanes come from ggml's sign trick, x * y = |x| * sign(y, x): vpabsb, vpsignb,
 * vpmaddubsw (u8 x s8 pairs to s16), vpmaddwd by 1 (pairs to s32), no shuffle. It fails
 * in one case only: y = -128 against a negative x, where sign(y, x) wraps -(-128) to
 * -128 (|x| read as u8 is exact for -128, and with sign(y, x) in [-127, 127] the pairs
 * stay within 2 * 128 * 127: no saturation). The minimum byte of sign(y, x) over the
 * eight blocks is kept (vpminsb) and, where it is -128, the eight blocks' lanes are
 * formed again by widening both sides to 16 bits (vpmovsxbw, vpmaddwd, then adjacent
 * pairs added by vphaddd and put back in order), which gives the same lanes for every
 * byte: the result does not depend on the path. Blocks from a quantizer hold codes in
 * [-127, 127] and never take the second path. The last 1..7 blocks take the widening
 * path, one block and one FMA each.
 *
 * The loop it replaced (avx2_u64) took two blocks per iteration, a vcvtdq2ps, a vmulps
 * of two broadcast scales and an FMA per block: on Zen 3, vpabsb / vpsignb, vmulps and
 * the FMA share two vector pipes, so six of its eight vector operations per block went
 * to three pipes. Here a block costs the four sum operations and the vpminsb plus a
 * quarter of the reduction (5 shuffles, 3 additions per four blocks), the blends
 * (any pipe) and a quarter of a vcvtdq2ps, a vmulps and an FMA. Paired objects, one
 * process, on ggml's quantizer's blocks: see kernels/dot/README.md ("qb8 on Zen 3").
 */
#include <assert.h>

#include "dot/qb8-dot-x86.h"
#include "qb/ukernel.h"

/* One block's 8 s32 lanes by the sign trick; *lo keeps the minimum byte of sign(y, x). */
static inline __m256i qb__lanes_sign(const qb_block_q8* x, const qb_block_q8* y, __m256i* lo) {
  /* x read once, into a register (the compiler would fold its load into both vpabsb and
   * vpsignb). */
  __m256i xa = _mm256_loadu_si256((const __m256i*) x->qs);
  __asm__("" : "+x"(xa));
  const __m256i sb = _mm256_sign_epi8(_mm256_loadu_si256((const __m256i*) y->qs), xa);
  *lo = _mm256_min_epi8(*lo, sb);
  return _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_abs_epi8(xa), sb), _mm256_set1_epi16(1));
}

/* Four blocks' lanes -> block i's two quarter sums in lane i of each 128-bit half:
 * unpacks for the pairs, then vpalignr and a blend (one shuffle where the unpack form
 * takes two). Every lane sums eight products of one block, exactly. */
static inline __m256i qb__quarters4(const __m256i v[4]) {
  const __m256i a0 = _mm256_add_epi32(_mm256_unpacklo_epi32(v[0], v[1]), _mm256_unpackhi_epi32(v[0], v[1]));
  const __m256i a1 = _mm256_add_epi32(_mm256_unpacklo_epi32(v[2], v[3]), _mm256_unpackhi_epi32(v[2], v[3]));
  return _mm256_add_epi32(_mm256_alignr_epi8(a1, a0, 8), _mm256_blend_epi32(a0, a1, 0xCC));
}

/* The scales of four blocks, block i's in lane i of each 128-bit half. */
static inline __m256 qb__scales4(const qb_block_q8* x) {
  __m256 d = _mm256_blend_ps(_mm256_broadcast_ss(&x[0].d), _mm256_broadcast_ss(&x[1].d), 0x22);
  d = _mm256_blend_ps(d, _mm256_broadcast_ss(&x[2].d), 0x44);
  return _mm256_blend_ps(d, _mm256_broadcast_ss(&x[3].d), 0x88);
}

void qb_qb8_dot_ukernel__avx2_u256(size_t n, const void* a, const void* b, void* out) {
  const qb_block_q8* x = (const qb_block_q8*) a;
  const qb_block_q8* y = (const qb_block_q8*) b;
  const size_t nb = n / QB_BLOCK_LEN;
  const __m256i m128 = _mm256_set1_epi8((char) 0x80);
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  size_t k = 0;
  assert(out != NULL);
  assert(n % QB_BLOCK_LEN == 0);
  assert(n == 0 || (a != NULL && b != NULL));
  for (; k + 8 <= nb; k += 8) {
    __m256i lo = _mm256_set1_epi8(127);
    __m256i v[8];
    for (int j = 0; j < 8; j++) {
      v[j] = qb__lanes_sign(&x[k + j], &y[k + j], &lo);
    }
    if (__builtin_expect(_mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, m128)) != 0, 0)) {
      for (int j = 0; j < 8; j++) {
        v[j] = qb__lanes_wide(&x[k + j], &y[k + j]);
      }
    }
    const __m256 d0 = _mm256_mul_ps(qb__scales4(&x[k]), qb__scales4(&y[k]));
    const __m256 d1 = _mm256_mul_ps(qb__scales4(&x[k + 4]), qb__scales4(&y[k + 4]));
    acc0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(qb__quarters4(&v[0])), d0, acc0);
    acc1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(qb__quarters4(&v[4])), d1, acc1);
  }
  for (; k < nb; k++) {
    acc0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(qb__lanes_wide(&x[k], &y[k])), qb__scale(&x[k], &y[k]), acc0);
  }
  *(float*) out = qb__hsum_ps256(_mm256_add_ps(acc0, acc1));
}
