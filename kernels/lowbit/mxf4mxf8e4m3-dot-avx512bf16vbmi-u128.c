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

/* The constants of qb__f4x64_to_bf16_vbmi. */
typedef struct qb__f4_bf16_consts {
  __m512i gather, shift0, shift1, table;
} qb__f4_bf16_consts;

static inline qb__f4_bf16_consts qb__f4_bf16_consts_load(void) {
  /* Qword 2L + h (128-bit lane L, half h) takes the code bytes of elements 16L + 4h..+3 (first) and
   * 16L + 8 + 4h..+3 (second): bytes 8L + 2h, +1 and 8L + 4 + 2h, +1 (block 1's after its scale byte). */
  static const uint8_t gather[64] = {0,  1,  4,  5,  0,  1,  4,  5,  2,  3,  6,  7,  2,  3,  6,  7,
                                     8,  9,  12, 13, 8,  9,  12, 13, 10, 11, 14, 15, 10, 11, 14, 15,
                                     17, 18, 21, 22, 17, 18, 21, 22, 19, 20, 23, 24, 19, 20, 23, 24,
                                     25, 26, 29, 30, 25, 26, 29, 30, 27, 28, 31, 32, 27, 28, 31, 32};
  /* Word j of a qword: the nibble at bit 4j (first) or 16 + 4j (second) in its low byte. */
  static const uint8_t shift0[8] = {0, 0, 4, 4, 8, 8, 12, 12};
  static const uint8_t shift1[8] = {16, 16, 20, 20, 24, 24, 28, 28};
  /* E2M1 s e1 e0 m -> the bf16 of 2^-8 times its value, twice (vpermw reads 5 index bits). */
  static const uint16_t table[32] = {0x0000, 0x3B00, 0x3B80, 0x3BC0, 0x3C00, 0x3C40, 0x3C80, 0x3CC0,
                                     0x8000, 0xBB00, 0xBB80, 0xBBC0, 0xBC00, 0xBC40, 0xBC80, 0xBCC0,
                                     0x0000, 0x3B00, 0x3B80, 0x3BC0, 0x3C00, 0x3C40, 0x3C80, 0x3CC0,
                                     0x8000, 0xBB00, 0xBB80, 0xBBC0, 0xBC00, 0xBC40, 0xBC80, 0xBCC0};
  uint64_t s0, s1;
  memcpy(&s0, shift0, sizeof s0);
  memcpy(&s1, shift1, sizeof s1);
  qb__f4_bf16_consts c;
  c.gather = _mm512_loadu_si512(gather);
  c.shift0 = _mm512_set1_epi64((long long) s0);
  c.shift1 = _mm512_set1_epi64((long long) s1);
  c.table = _mm512_loadu_si512(table);
  return c;
}

/* The 32 FP4 elements of x[0] and, when two, x[1] (else zeros) -> bf16 worth 2^-8 times
 * their values, in the order of qb__e4m3x64_to_bf16_vbmi for the E4M3 codes of blocks
 * y[0] (bytes 0..31) and y[1] (32..63): one vpermb gathers the code bytes of both outputs'
 * elements into each qword, one vpmultishiftqb per output moves each word's nibble to its
 * low bits, and one vpermw per output reads the whole bf16 from a 16-entry word table. */
static inline void qb__f4x64_to_bf16_vbmi(const qb_block_mx4* x, int two, const qb__f4_bf16_consts* c,
                                          __m512i* first, __m512i* second) {
  const __mmask64 m = two ? ((__mmask64) 1 << 33) - 1 : 0xFFFF;
  const __m512i g = _mm512_permutexvar_epi8(c->gather, _mm512_maskz_loadu_epi8(m, x[0].qs));
  *first = _mm512_permutexvar_epi16(_mm512_multishift_epi64_epi8(c->shift0, g), c->table);
  *second = _mm512_permutexvar_epi16(_mm512_multishift_epi64_epi8(c->shift1, g), c->table);
}

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
