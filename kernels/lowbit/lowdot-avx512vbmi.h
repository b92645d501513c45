/*
 * The pieces of the low-bit dots on AVX-512 + VBMI + BF16 (f8e4m3_dot, mxf8e4m3_dot,
 * mxf4mxf8e4m3_dot): E4M3
 * codes decoded to bf16 by table, two vpermt2b per 64 codes. The values are those of
 * lowdot-avx512.h (2^-8 times the codes' values, exactly; no bf16 subnormal, no f32
 * subnormal partial sum, so vdpbf16ps's flushing never acts), but the NaN codes decode
 * to a bf16 NaN: a NaN code makes its products and every sum it enters NaN, as in the
 * reference, so no tracker is kept (QB_SEM_NAN_CANON: the result is made the quiet NaN
 * at the end). Included only by files built with AVX-512 VBMI flags; the pieces here need
 * no BF16 (the kernels that call vdpbf16ps are built with BF16 flags too; the
 * avx512vbmi ones multiply the bf16 as f32: qb__bf16x2_fma_vbmi).
 */
#ifndef QB_LOWBIT_LOWDOT_AVX512VBMI_H
#define QB_LOWBIT_LOWDOT_AVX512VBMI_H

#include <immintrin.h>

#include "lowbit/f8-bytes.h"
#include "lowbit/lowdot-avx512.h"

/*
 * The bf16 of 2^-8 times each E4M3 magnitude (the code's low 7 bits), split in two
 * 128-byte tables, read by vpermt2b (which reads only an index's low 7 bits): the high
 * bytes without the sign (sign and the exponent's top 7 bits) and the low bytes (the
 * exponent's lowest bit and the 3 mantissa bits, then zeros). These are the f32's bytes 3
 * and 2 (f8-bytes.h: a bf16 is an f32's top half), with 2^-8 taken off the exponent: 4
 * off each high byte but code 0's (+0) and 0x7F's (the quiet NaN 0x7FC0); no value's
 * exponent byte is under 4, so no borrow reaches the low bytes. Codes 1..7 (m 2^-9,
 * m 2^-17 once scaled) are normalized bf16.
 */
typedef struct qb__e4m3_bf16_tables {
  __m512i hi0, hi1, lo0, lo1;
} qb__e4m3_bf16_tables;

static inline qb__e4m3_bf16_tables qb__e4m3_bf16_tables_load(void) {
  const __m512i four = _mm512_set1_epi8(4);
  const __m512i h0 = _mm512_loadu_si512(qb__f8e4m3_f32_hi);
  const __m512i h1 = _mm512_loadu_si512(qb__f8e4m3_f32_hi + 64);
  qb__e4m3_bf16_tables t;
  t.hi0 = _mm512_mask_sub_epi8(h0, ~(__mmask64) 1, h0, four);         /* not code 0 */
  t.hi1 = _mm512_mask_sub_epi8(h1, ~((__mmask64) 1 << 63), h1, four); /* not 0x7F */
  t.lo0 = _mm512_loadu_si512(qb__f8e4m3_f32_lo);
  t.lo1 = _mm512_loadu_si512(qb__f8e4m3_f32_lo + 64);
  return t;
}

/*
 * 64 E4M3 codes of each side (ca, cb) -> 64 bf16 pairs worth 2^-8 times their values
 * (the products' signs on a's side), without crossing 128-bit lanes: in each lane, codes
 * 0..7 go to *a0 and *b0, codes 8..15 to *a1 and *b1, in order, so that a lane by lane
 * product pairs the right codes.
 * 1. Four vpermt2b read the high bytes (no sign) and the low bytes of each code's bf16
 *    from the tables.
 * 2. One vpternlogd puts the sign of the product, bit 7 of ca ^ cb, into bit 7 of a's
 *    high bytes; b's stay positive. A NaN stays a NaN whatever its sign.
 * 3. vpunpcklbw / vpunpckhbw join low and high bytes into words.
 * Ten vector operations per 64 pairs (each side's sign apart: eleven, and 4 % slower
 * measured on Zen 4, where these shuffles bound the loop).
 */
static inline void qb__e4m3x64_pair_to_bf16_vbmi(__m512i ca, __m512i cb, const qb__e4m3_bf16_tables* t,
                                                 __m512i* a0, __m512i* a1, __m512i* b0, __m512i* b1) {
  const __m512i ha = _mm512_permutex2var_epi8(t->hi0, ca, t->hi1);
  const __m512i la = _mm512_permutex2var_epi8(t->lo0, ca, t->lo1);
  const __m512i hb = _mm512_permutex2var_epi8(t->hi0, cb, t->hi1);
  const __m512i lb = _mm512_permutex2var_epi8(t->lo0, cb, t->lo1);
  /* 0xD8 = C ? B : A bit by bit, C the mask: the sign from ca ^ cb, the rest from ha. */
  const __m512i hs =
      _mm512_ternarylogic_epi32(ha, _mm512_xor_si512(ca, cb), _mm512_set1_epi8((char) 0x80), 0xD8);
  *a0 = _mm512_unpacklo_epi8(la, hs);
  *a1 = _mm512_unpackhi_epi8(la, hs);
  *b0 = _mm512_unpacklo_epi8(lb, hb);
  *b1 = _mm512_unpackhi_epi8(lb, hb);
}

/*
 * The MX blocks' scaling of mxf4mxf8e4m3_dot, for lanes p that are 2^-16 times sums of
 * four exact FP4 . E4M3 products, a subset of the E4M3 . E4M3 ones, so the bounds of
 * mxf8e4m3_dot hold (its kernel keeps the same steps in its own file, taking the blocks:
 * moved here, it measured 0.95x, paired). As the AVX2 kernel scales a block
 * (lowdot-avx2.h, qb__mxf8e4m3_scaled_add_avx2): one FMA by 2^(sa + sb + 16) where the
 * reference's two power-of-two multiplications are exact for every lane (scale bytes ea
 * in [19, 234], ea + eb in [146, 361], eb not the NaN 0xFF; then *pow is that power).
 */
static inline int qb__mx_one_fma_vbmi(uint32_t ea, uint32_t eb, float* pow) {
  *pow = qb_f32_from_bits((ea + eb - 111u) << 23);
  return (ea - 19u <= 215u) & (ea + eb - 146u <= 215u) & (eb != 0xFFu);
}

/* acc + the lanes m of p (one block's) times the block's scales 2^sa, 2^sb: one FMA where
 * exact, else lane by lane in the reference's order, or the lanes summed first into *big
 * where a lane could overflow (qb__lowdot_big_scales). */
static inline __m512 qb__mx_half_add_vbmi(__m512 p, __mmask16 m, uint8_t ea, uint8_t eb, __m512 acc,
                                          float* big) {
  float pow;
  if (qb__mx_one_fma_vbmi(ea, eb, &pow)) return _mm512_mask3_fmadd_ps(p, _mm512_set1_ps(pow), acc, m);
  const float sa = qb__e8m0_scale(ea), sb = qb__e8m0_scale(eb);
  if (qb__lowdot_big_scales(ea, eb)) {
    *big += _mm512_mask_reduce_add_ps(m, p) * 0x1p16f * sa * sb;
    return acc;
  }
  return _mm512_mask3_fmadd_ps(_mm512_mul_ps(p, _mm512_set1_ps(sa * 0x1p16f)), _mm512_set1_ps(sb), acc, m);
}

/* acc + two blocks' lanes p (0..7 scale bytes ea0, eb0; 8..15 ea1, eb1) scaled. */
static inline __m512 qb__mx_pair_add_vbmi(__m512 p, uint8_t ea0, uint8_t eb0, uint8_t ea1, uint8_t eb1,
                                          __m512 acc, float* big) {
  float p0, p1;
  const int fast0 = qb__mx_one_fma_vbmi(ea0, eb0, &p0);
  if (__builtin_expect(fast0 & qb__mx_one_fma_vbmi(ea1, eb1, &p1), 1))
    return _mm512_fmadd_ps(p, _mm512_mask_blend_ps(0xFF00, _mm512_set1_ps(p0), _mm512_set1_ps(p1)), acc);
  acc = qb__mx_half_add_vbmi(p, 0x00FF, ea0, eb0, acc, big);
  return qb__mx_half_add_vbmi(p, 0xFF00, ea1, eb1, acc, big);
}

/*
 * The powers 2^(sa + sb + 16) of qb__mx_one_fma_vbmi as f32 bits, indexed by ea + eb - 146
 * (0..215: exponent fields 35..250), for qb__mx_pair_add_tab_vbmi.
 */
static const uint32_t qb__mx_pow_bits[216] = {
    0x11800000, 0x12000000, 0x12800000, 0x13000000, 0x13800000, 0x14000000, 0x14800000, 0x15000000,
    0x15800000, 0x16000000, 0x16800000, 0x17000000, 0x17800000, 0x18000000, 0x18800000, 0x19000000,
    0x19800000, 0x1A000000, 0x1A800000, 0x1B000000, 0x1B800000, 0x1C000000, 0x1C800000, 0x1D000000,
    0x1D800000, 0x1E000000, 0x1E800000, 0x1F000000, 0x1F800000, 0x20000000, 0x20800000, 0x21000000,
    0x21800000, 0x22000000, 0x22800000, 0x23000000, 0x23800000, 0x24000000, 0x24800000, 0x25000000,
    0x25800000, 0x26000000, 0x26800000, 0x27000000, 0x27800000, 0x28000000, 0x28800000, 0x29000000,
    0x29800000, 0x2A000000, 0x2A800000, 0x2B000000, 0x2B800000, 0x2C000000, 0x2C800000, 0x2D000000,
    0x2D800000, 0x2E000000, 0x2E800000, 0x2F000000, 0x2F800000, 0x30000000, 0x30800000, 0x31000000,
    0x31800000, 0x32000000, 0x32800000, 0x33000000, 0x33800000, 0x34000000, 0x34800000, 0x35000000,
    0x35800000, 0x36000000, 0x36800000, 0x37000000, 0x37800000, 0x38000000, 0x38800000, 0x39000000,
    0x39800000, 0x3A000000, 0x3A800000, 0x3B000000, 0x3B800000, 0x3C000000, 0x3C800000, 0x3D000000,
    0x3D800000, 0x3E000000, 0x3E800000, 0x3F000000, 0x3F800000, 0x40000000, 0x40800000, 0x41000000,
    0x41800000, 0x42000000, 0x42800000, 0x43000000, 0x43800000, 0x44000000, 0x44800000, 0x45000000,
    0x45800000, 0x46000000, 0x46800000, 0x47000000, 0x47800000, 0x48000000, 0x48800000, 0x49000000,
    0x49800000, 0x4A000000, 0x4A800000, 0x4B000000, 0x4B800000, 0x4C000000, 0x4C800000, 0x4D000000,
    0x4D800000, 0x4E000000, 0x4E800000, 0x4F000000, 0x4F800000, 0x50000000, 0x50800000, 0x51000000,
    0x51800000, 0x52000000, 0x52800000, 0x53000000, 0x53800000, 0x54000000, 0x54800000, 0x55000000,
    0x55800000, 0x56000000, 0x56800000, 0x57000000, 0x57800000, 0x58000000, 0x58800000, 0x59000000,
    0x59800000, 0x5A000000, 0x5A800000, 0x5B000000, 0x5B800000, 0x5C000000, 0x5C800000, 0x5D000000,
    0x5D800000, 0x5E000000, 0x5E800000, 0x5F000000, 0x5F800000, 0x60000000, 0x60800000, 0x61000000,
    0x61800000, 0x62000000, 0x62800000, 0x63000000, 0x63800000, 0x64000000, 0x64800000, 0x65000000,
    0x65800000, 0x66000000, 0x66800000, 0x67000000, 0x67800000, 0x68000000, 0x68800000, 0x69000000,
    0x69800000, 0x6A000000, 0x6A800000, 0x6B000000, 0x6B800000, 0x6C000000, 0x6C800000, 0x6D000000,
    0x6D800000, 0x6E000000, 0x6E800000, 0x6F000000, 0x6F800000, 0x70000000, 0x70800000, 0x71000000,
    0x71800000, 0x72000000, 0x72800000, 0x73000000, 0x73800000, 0x74000000, 0x74800000, 0x75000000,
    0x75800000, 0x76000000, 0x76800000, 0x77000000, 0x77800000, 0x78000000, 0x78800000, 0x79000000,
    0x79800000, 0x7A000000, 0x7A800000, 0x7B000000, 0x7B800000, 0x7C000000, 0x7C800000, 0x7D000000,
};

/*
 * qb__mx_pair_add_vbmi with the two powers read from qb__mx_pow_bits by broadcast loads
 * (one merged under the mask of lanes 8..15) instead of vmovd and vbroadcastss from
 * registers: on Intel those two take port 5, which the decode's shuffles fill (the
 * avx512vbmi MX dots: mxf8e4m3_dot 1.09x -> 1.19x of avx2 in one process on the Emerald
 * Rapids VM). Same lanes, same products, same results.
 */
static inline __m512 qb__mx_pair_add_tab_vbmi(__m512 p, uint8_t ea0, uint8_t eb0, uint8_t ea1, uint8_t eb1,
                                              __m512 acc, float* big) {
  float p0, p1;
  const int fast0 = qb__mx_one_fma_vbmi(ea0, eb0, &p0);
  if (__builtin_expect(fast0 & qb__mx_one_fma_vbmi(ea1, eb1, &p1), 1)) {
    const __m512i pow0 = _mm512_set1_epi32((int) qb__mx_pow_bits[ea0 + eb0 - 146u]);
    const __m512i pow = _mm512_mask_set1_epi32(pow0, 0xFF00, (int) qb__mx_pow_bits[ea1 + eb1 - 146u]);
    return _mm512_fmadd_ps(p, _mm512_castsi512_ps(pow), acc);
  }
  acc = qb__mx_half_add_vbmi(p, 0x00FF, ea0, eb0, acc, big);
  return qb__mx_half_add_vbmi(p, 0xFF00, ea1, eb1, acc, big);
}

/*
 * 64 E4M3 codes (one vector c) -> 64 bf16 worth 2^-8 times their values, signed, in
 * *first and *second in the order of qb__e4m3x64_pair_to_bf16_vbmi (in each 128-bit
 * lane codes 0..7 to *first, 8..15 to *second): two vpermt2b, one vpternlogd for the
 * sign, two unpacks. For a dot whose other side is decoded otherwise (mxf4mxf8e4m3_dot).
 */
static inline void qb__e4m3x64_to_bf16_vbmi(__m512i c, const qb__e4m3_bf16_tables* t, __m512i* first,
                                            __m512i* second) {
  const __m512i h = _mm512_permutex2var_epi8(t->hi0, c, t->hi1);
  const __m512i l = _mm512_permutex2var_epi8(t->lo0, c, t->lo1);
  /* 0xD8 = C ? B : A bit by bit, C the mask: the sign from c, the rest from h. */
  const __m512i hs = _mm512_ternarylogic_epi32(h, c, _mm512_set1_epi8((char) 0x80), 0xD8);
  *first = _mm512_unpacklo_epi8(l, hs);
  *second = _mm512_unpackhi_epi8(l, hs);
}

/*
 * The FP4 side of mxf4mxf8e4m3_dot (both its AVX-512 VBMI kernels): two blocks' 32 + 32
 * E2M1 codes -> bf16 worth 2^-8 times their values in the order of
 * qb__e4m3x64_to_bf16_vbmi, by one vpermb, two vpmultishiftqb and two vpermw
 * (mxf4mxf8e4m3-dot-avx512bf16vbmi-u128.c says how).
 */
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

/*
 * Without BF16 (Ice Lake, Tiger Lake, and VMs that hide it): acc + the products of the
 * bf16 pairs of a and b, lane by lane, as f32 FMAs. Each 32-bit lane of a and b holds two
 * bf16 from the decodes above (the low word one element, the high word the next): the
 * low one made an f32 by a shift left by 16, the high one by clearing the low word. The
 * values are 2^-8 times E4M3 values (or FP4 ones), so each product is exact (at most 8
 * significant bits each) and 2^-16 times the reference's, at least 2^-34: never an f32
 * subnormal, and every partial sum a multiple of 2^-34 (0 or normal). Two FMAs, one
 * shift and one and per 16 lanes of each side; a NaN bf16 (0x7FC0) becomes the f32 NaN
 * 0x7FC00000, which every sum it enters keeps.
 */
static inline __m512 qb__bf16x2_fma_vbmi(__m512i a, __m512i b, __m512 acc) {
  const __m512i high = _mm512_set1_epi32((int) 0xFFFF0000u);
  acc = _mm512_fmadd_ps(_mm512_castsi512_ps(_mm512_slli_epi32(a, 16)),
                        _mm512_castsi512_ps(_mm512_slli_epi32(b, 16)), acc);
  return _mm512_fmadd_ps(_mm512_castsi512_ps(_mm512_and_si512(a, high)),
                         _mm512_castsi512_ps(_mm512_and_si512(b, high)), acc);
}

#endif /* QB_LOWBIT_LOWDOT_AVX512VBMI_H */
