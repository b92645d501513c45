/*
 * MXFP8 E4M3 . MXFP8 E4M3 -> f32 on AVX-512 + VBMI without BF16 (Ice Lake, Tiger Lake, and
 * VMs that hide BF16), four blocks per iteration, two to a vector: the loop of
 * mxf8e4m3-dot-avx512bf16vbmi-u128.c with its two vdpbf16ps replaced by f32 FMAs
 * (lowdot-avx512vbmi.h: qb__bf16x2_fma_vbmi). The 32 codes of blocks k and k + 1 of each
 * side are loaded into one vector and decoded exactly to bf16 worth 2^-8 times their
 * values (qb__e4m3x64_pair_to_bf16_vbmi: four vpermt2b, a vpternlogd for the products'
 * signs and four unpacks per 64 pairs), each 128-bit lane's codes kept in it; each 32-bit
 * lane's two bf16 are made f32 and their exact products (2^-16 times the reference's, at
 * least 2^-34: no subnormal) summed by FMA into 16 lanes, lanes 0..7 from block k and
 * 8..15 from block k + 1, each the sum of four products. Then each half is scaled as the
 * BF16 kernels scale a block (one FMA by 2^(sa + sb + 16) where the reference's two
 * power-of-two multiplications are exact for every lane, else those two in its order, a
 * block whose scales could overflow a lane summed before it is scaled), the two powers
 * read by broadcast loads (qb__mx_pair_add_tab_vbmi). The same exact products grouped
 * differently (QB_SEM_REASSOC). NaN codes decode to a bf16 NaN, which every product, sum
 * and scaling they enter keeps, and a NaN scale gives NaN through the multiplications:
 * the result is then the quiet NaN (QB_SEM_NAN_CANON). The last nb % 4 blocks go two,
 * then one, at a time.
 */
#include <assert.h>

#include "lowbit/lowdot-avx512vbmi.h"
#include "qb/ukernel.h"

/* The lanes of blocks x[0], y[0] (0..7) and, when two, x[1], y[1] (8..15). */
static inline __m512 qb__mxf8e4m3_pair(const qb_block_mx8* x, const qb_block_mx8* y, int two,
                                       const qb__e4m3_bf16_tables* t) {
  __m512i ca = _mm512_zextsi256_si512(_mm256_loadu_si256((const __m256i*) x[0].qs));
  __m512i cb = _mm512_zextsi256_si512(_mm256_loadu_si256((const __m256i*) y[0].qs));
  if (two) {
    ca = _mm512_inserti64x4(ca, _mm256_loadu_si256((const __m256i*) x[1].qs), 1);
    cb = _mm512_inserti64x4(cb, _mm256_loadu_si256((const __m256i*) y[1].qs), 1);
  }
  /* The codes stay in registers (GCC would load them once per use). */
  __asm__("" : "+v"(ca), "+v"(cb));
  __m512i a0, a1, b0, b1;
  qb__e4m3x64_pair_to_bf16_vbmi(ca, cb, t, &a0, &a1, &b0, &b1);
  return qb__bf16x2_fma_vbmi(a1, b1, qb__bf16x2_fma_vbmi(a0, b0, _mm512_setzero_ps()));
}

void qb_mxf8e4m3_dot_ukernel__avx512vbmi_u128(size_t n, const void* a, const void* b, void* out) {
  const qb_block_mx8* x = (const qb_block_mx8*) a;
  const qb_block_mx8* y = (const qb_block_mx8*) b;
  const size_t nb = n / QB_MX_BLOCK_LEN;
  __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
  const qb__e4m3_bf16_tables t = qb__e4m3_bf16_tables_load();
  float big = 0.0f;
  size_t k = 0;
  assert(n % QB_MX_BLOCK_LEN == 0);
  assert(n == 0 || (a != NULL && b != NULL));
  assert(out != NULL);
  for (; k + 4 <= nb; k += 4) {
    const __m512 p0 = qb__mxf8e4m3_pair(&x[k], &y[k], 1, &t);
    const __m512 p1 = qb__mxf8e4m3_pair(&x[k + 2], &y[k + 2], 1, &t);
    acc0 = qb__mx_pair_add_tab_vbmi(p0, x[k].e, y[k].e, x[k + 1].e, y[k + 1].e, acc0, &big);
    acc1 = qb__mx_pair_add_tab_vbmi(p1, x[k + 2].e, y[k + 2].e, x[k + 3].e, y[k + 3].e, acc1, &big);
  }
  if (k + 2 <= nb) {
    const __m512 p = qb__mxf8e4m3_pair(&x[k], &y[k], 1, &t);
    acc0 = qb__mx_pair_add_vbmi(p, x[k].e, y[k].e, x[k + 1].e, y[k + 1].e, acc0, &big);
    k += 2;
  }
  if (k < nb)
    acc1 = qb__mx_half_add_vbmi(qb__mxf8e4m3_pair(&x[k], &y[k], 0, &t), 0x00FF, x[k].e, y[k].e, acc1, &big);
  const float s = _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1)) + big;
  *(float*) out = qb__lowdot_result_avx512(s, 0);
}
