/*
 * MXFP4 . MXFP8 E4M3 -> f32 on AVX-512 + VBMI + BF16, four blocks per iteration, two to a
 * vector: the loop of mxf8e4m3-dot-avx512bf16vbmi-u128.c with the FP4 side decoded by
 * 16-entry tables. Both blocks' 33 bytes (x[1].qs lies 17 bytes after x[0].qs) are read
 * by one masked load; one vpermb puts in each qword the 4 bytes holding the elements of
 * its words in both outputs, in the E4M3 side's element order; per output, one
 * vpmultishiftqb moves each word's nibble to its low bits and one vpermw reads the word,
 * the bf16 of 2^-8 times the element's value (0, 0.5, 1, 1.5, 2, 3, 4, 6, signed: exact),
 * from a 16-entry table repeated twice so that the bit above the nibble does not matter:
 * five shuffles and no unpack per 64 elements (the byte tables and unpacks before them
 * took six, two of them unpacks), in the order of the E4M3 decode
 * (lowdot-avx512vbmi.h: qb__e4m3x64_to_bf16_vbmi, 2^-8 times the E4M3 values). Two vdpbf16ps multiply them
 * exactly and sum the products into 16 lanes (0..7 block k, 8..15 block k + 1), each 2^-16 times the sum of
 * its four products (multiples of 2^-26 below 2^-2: never subnormal, so vdpbf16ps's flushing never acts), and
 * each half is scaled as the MXFP8 kernel scales a block (qb__mx_pair_add_vbmi): the FP4 . E4M3 lanes are a
 * subset of the E4M3 . E4M3 ones, so its one-FMA range and its large-scale rule hold for them. The same exact
 * products grouped differently (QB_SEM_REASSOC); NaN E4M3 codes decode to a bf16 NaN that every sum and
 * scaling keeps, and a NaN scale gives NaN through the multiplications: the result is then the quiet NaN
 * (QB_SEM_NAN_CANON). The last nb % 4 blocks go two, then one, at a time.
 */
#include <assert.h>

#include "lowbit/lowdot-avx512vbmi.h"
#include "qb/ukernel.h"

/* The lanes of blocks x[0], y[0] (0..7) and, when two, x[1], y[1] (8..15). */
static inline __m512 qb__mxf4mxf8e4m3_pair(const qb_block_mx4* x, const qb_block_mx8* y, int two,
                                           const qb__e4m3_bf16_tables* t, const qb__f4_bf16_consts* c) {
  __m512i cb = _mm512_zextsi256_si512(_mm256_loadu_si256((const __m256i*) y[0].qs));
  if (two) cb = _mm512_inserti64x4(cb, _mm256_loadu_si256((const __m256i*) y[1].qs), 1);
  /* The codes stay in a register (GCC would load them once per use). */
  __asm__("" : "+v"(cb));
  __m512i a0, a1, b0, b1;
  qb__f4x64_to_bf16_vbmi(x, two, c, &a0, &a1);
  qb__e4m3x64_to_bf16_vbmi(cb, t, &b0, &b1);
  return _mm512_dpbf16_ps(_mm512_dpbf16_ps(_mm512_setzero_ps(), (__m512bh) a0, (__m512bh) b0), (__m512bh) a1,
                          (__m512bh) b1);
}

void qb_mxf4mxf8e4m3_dot_ukernel__avx512bf16vbmi_u128(size_t n, const void* a, const void* b, void* out) {
  const qb_block_mx4* x = (const qb_block_mx4*) a;
  const qb_block_mx8* y = (const qb_block_mx8*) b;
  const size_t nb = n / QB_MX_BLOCK_LEN;
  const qb__e4m3_bf16_tables t = qb__e4m3_bf16_tables_load();
  const qb__f4_bf16_consts c = qb__f4_bf16_consts_load();
  __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
  float big = 0.0f;
  size_t k = 0;
  assert(n % QB_MX_BLOCK_LEN == 0);
  assert(n == 0 || (a != NULL && b != NULL));
  assert(out != NULL);
  for (; k + 4 <= nb; k += 4) {
    const __m512 p0 = qb__mxf4mxf8e4m3_pair(&x[k], &y[k], 1, &t, &c);
    const __m512 p1 = qb__mxf4mxf8e4m3_pair(&x[k + 2], &y[k + 2], 1, &t, &c);
    acc0 = qb__mx_pair_add_vbmi(p0, x[k].e, y[k].e, x[k + 1].e, y[k + 1].e, acc0, &big);
    acc1 = qb__mx_pair_add_vbmi(p1, x[k + 2].e, y[k + 2].e, x[k + 3].e, y[k + 3].e, acc1, &big);
  }
  if (k + 2 <= nb) {
    const __m512 p = qb__mxf4mxf8e4m3_pair(&x[k], &y[k], 1, &t, &c);
    acc0 = qb__mx_pair_add_vbmi(p, x[k].e, y[k].e, x[k + 1].e, y[k + 1].e, acc0, &big);
    k += 2;
  }
  if (k < nb)
    acc1 = qb__mx_half_add_vbmi(qb__mxf4mxf8e4m3_pair(&x[k], &y[k], 0, &t, &c), 0x00FF, x[k].e, y[k].e, acc1,
                                &big);
  const float s = _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1)) + big;
  *(float*) out = qb__lowdot_result_avx512(s, 0);
}
