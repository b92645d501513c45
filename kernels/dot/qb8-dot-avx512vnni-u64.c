/*
 * Block int8 . block int8 -> f32 with vpdpbusd (AVX512_VNNI, 256-bit). Per block, exact
 * integer partial sums in 8 s32 lanes, lane i the sum of the products of bytes
 * 4i..4i+3, by ggml's sign trick: vpdpbusd of |x| (vpabsb, u8) by sign(y, x) (vpsignb),
 * exact unless y = -128 meets a negative x (sign(y, x) wraps to -128); the minimum
 * byte of sign(y, x) over each pair of blocks is kept and, where it is -128, the pair's
 * lanes are formed again by widening (the same lanes: qb8-dot-avx2-u256.c, whose former loop
 * this is with vpdpbusd for vpmaddubsw + vpmaddwd). Each lane is converted to f32
 * (exact) and accumulated by an FMA with its block's scale da * db, rounded to f32 as in
 * the reference: the same terms grouped differently (QB_SEM_REASSOC). Two blocks per
 * iteration into 2 accumulators.
 *
 * The previous loop put two blocks in one 512-bit register and took the signed product
 * by the unsigned-offset trick (vpxord, two vpdpbusd, vpsubd): nine 512-bit operations
 * per pair, each taking two of Zen 4's four vector pipes, 3.0 cycles per block of pipe
 * time. This one has about 7.5 256-bit vector operations per block; one process, loaded
 * VM: 2.33 -> 2.04 TSC ticks per block in L1 (1.14x), 2.31 -> 2.16 in L2 (1.07x),
 * results bit-identical.
 */
#include <assert.h>

#include "dot/qb8-dot-x86.h"
#include "qb/ukernel.h"

void qb_qb8_dot_ukernel__avx512vnni_u64(size_t n, const void* a, const void* b, void* out) {
  const qb_block_q8* x = (const qb_block_q8*) a;
  const qb_block_q8* y = (const qb_block_q8*) b;
  const size_t nb = n / QB_BLOCK_LEN;
  const __m256i zero = _mm256_setzero_si256(), m128 = _mm256_set1_epi8((char) 0x80);
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
      v[j] = _mm256_dpbusd_epi32(zero, _mm256_abs_epi8(xa), sb);
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
