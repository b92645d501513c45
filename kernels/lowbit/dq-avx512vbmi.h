/*
 * The block dequantizers of kernels/lowbit on AVX-512 + VBMI: MX (FP8 E4M3 / E5M2, FP6
 * E2M3 / E3M2, FP4), NVFP4 and FP8 per 128 (and its 128 x 128 tiles). Each code's exact
 * f32 value comes from a table read by one permute per 16 or 32 codes (vpermps for FP4,
 * vpermt2w for FP6, vpermt2b for FP8), and the block's scale is applied by one
 * multiplication, the reference's own product: bit-exact with the scalar references for
 * every scale and code (NaN codes and NaN scales by a blend, in blocks that hold them).
 * Included only by -avx512vbmi- files (dq-avx512.c.in, f8t128.c.in, cvt/cvt-f8-x86.h).
 */
#ifndef QB_LOWBIT_DQ_AVX512VBMI_H
#define QB_LOWBIT_DQ_AVX512VBMI_H

#include <assert.h>
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lowbit/elem-avx512skx.h"
#include "lowbit/f8-bytes.h"
#include "lowbit/lowbit-scalar.h"

/* The f32 bits of every E8M0 scale (qb_e8m0_to_f32_bits: 2^(e - 127), 2^-127 for 0, NaN
 * for 0xFF), so that a block's scale is one broadcast load. */
#define QB__DQ512_E8M0(e) ((e) == 0 ? 0x00400000u : (e) == 255 ? 0x7FC00000u : (uint32_t) (e) << 23)
#define QB__DQ512_E8M0_4(e) \
  QB__DQ512_E8M0(e), QB__DQ512_E8M0(e + 1), QB__DQ512_E8M0(e + 2), QB__DQ512_E8M0(e + 3)
#define QB__DQ512_E8M0_16(e) \
  QB__DQ512_E8M0_4(e), QB__DQ512_E8M0_4(e + 4), QB__DQ512_E8M0_4(e + 8), QB__DQ512_E8M0_4(e + 12)
#define QB__DQ512_E8M0_64(e) \
  QB__DQ512_E8M0_16(e), QB__DQ512_E8M0_16(e + 16), QB__DQ512_E8M0_16(e + 32), QB__DQ512_E8M0_16(e + 48)
static const uint32_t qb__dq512_e8m0_bits[256] = {QB__DQ512_E8M0_64(0), QB__DQ512_E8M0_64(64),
                                                  QB__DQ512_E8M0_64(128), QB__DQ512_E8M0_64(192)};

static inline __m512 qb__dq512_e8m0(uint8_t e) {
  return _mm512_castsi512_ps(_mm512_set1_epi32((int) qb__dq512_e8m0_bits[e]));
}

/* v * s lane by lane, as the FP8 references compute it: a NaN code keeps its own NaN
 * (vmulps's choice between two NaNs follows the operand order, which the compiler picks,
 * so the NaN lanes are put back). nan_s says whether s may be NaN; otherwise the product
 * of a NaN code and s is that NaN already. */
static inline __m512 qb__dq512_f8_times(__m512 v, __m512 s, const int nan_s) {
  const __m512 p = _mm512_mul_ps(v, s);
  return nan_s ? _mm512_mask_mov_ps(p, _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q), v) : p;
}

/* ---- INT8 (MXINT8) --------------------------------------------------------------------- */

/* The f32 bits of 2^(e - 133) for every E8M0 byte: MXINT8's scale with the elements' 2^-6
 * folded in, exact for every e (subnormal below e = 7: 2^(e - 133) is bit e + 16, the
 * shift written so that no branch of the constant shifts past 31), NaN for
 * 0xFF. */
#define QB__DQ512_I8(e) \
  ((e) == 255 ? 0x7FC00000u : (e) >= 7 ? (uint32_t) (e - 6) << 23 : 1u << ((7 & (e)) + 16))
#define QB__DQ512_I8_4(e) QB__DQ512_I8(e), QB__DQ512_I8(e + 1), QB__DQ512_I8(e + 2), QB__DQ512_I8(e + 3)
#define QB__DQ512_I8_16(e) \
  QB__DQ512_I8_4(e), QB__DQ512_I8_4(e + 4), QB__DQ512_I8_4(e + 8), QB__DQ512_I8_4(e + 12)
#define QB__DQ512_I8_64(e) \
  QB__DQ512_I8_16(e), QB__DQ512_I8_16(e + 16), QB__DQ512_I8_16(e + 32), QB__DQ512_I8_16(e + 48)
static const uint32_t qb__dq512_i8_bits[256] = {QB__DQ512_I8_64(0), QB__DQ512_I8_64(64), QB__DQ512_I8_64(128),
                                                QB__DQ512_I8_64(192)};

/*
 * One MXINT8 block -> 32 f32: each code widened (vpmovsxbd) and converted exactly
 * (vcvtdq2ps), times 2^(e - 133): the real product c 2^(e - 133) is the reference's
 * (c / 64, exact) times 2^(e - 127), so its one rounding is the reference's, for every e
 * (0xFF's NaN included).
 */
static inline void qb__dq512_mxi8_block(const qb_block_mx8* b, float* y) {
  const __m512 s = _mm512_castsi512_ps(_mm512_set1_epi32((int) qb__dq512_i8_bits[b->e]));
  for (int h = 0; h < 2; h++) {
    const __m512i c = _mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i*) (b->qs + 16 * h)));
    _mm512_storeu_ps(y + 16 * h, _mm512_mul_ps(_mm512_cvtepi32_ps(c), s));
  }
}

/* ---- FP4 (MXFP4, NVFP4) ------------------------------------------------------------- */

/* The 16 E2M1 values, code order (bit 3 the sign). */
static inline __m512 qb__dq512_f4_values(void) {
  return _mm512_setr_ps(0.0f, 0.5f, 1.0f, 1.5f, 2.0f, 3.0f, 4.0f, 6.0f, -0.0f, -0.5f, -1.0f, -1.5f, -2.0f,
                        -3.0f, -4.0f, -6.0f);
}

/* 16 FP4 codes (8 bytes at q) -> one per 32-bit lane, in its low 4 bits (the bits above
 * are another code's, and vpermps reads only those 4): vpmultishiftqb of the 8 bytes
 * broadcast to every qword (a load) copies bits 4i .. 4i + 7 into the low byte of dword
 * i: qword j's bytes 0 and 4 from bit offsets 8j and 8j + 4. */
static inline __m512i qb__dq512_f4_index(const uint8_t* q) {
  uint64_t w;
  memcpy(&w, q, sizeof w);
  const __m512i ctl = _mm512_set_epi64(0x0000003C00000038ll, 0x0000003400000030ll, 0x0000002C00000028ll,
                                       0x0000002400000020ll, 0x0000001C00000018ll, 0x0000001400000010ll,
                                       0x0000000C00000008ll, 0x0000000400000000ll);
  return _mm512_multishift_epi64_epi8(ctl, _mm512_set1_epi64((long long) w));
}

/*
 * One MX FP4 block -> 32 f32: the table t = e2m1(c) * 2^(e - 127) for the 16 codes (one
 * vmulps: each lane the reference's own product, for every scale, 0xFF's NaN and the
 * subnormal 2^-127 included), then vpermps looks each code up.
 */
static inline void qb__dq512_mxf4_block(const qb_block_mx4* b, float* y) {
  const __m512 t = _mm512_mul_ps(qb__dq512_f4_values(), qb__dq512_e8m0(b->e));
  _mm512_storeu_ps(y, _mm512_permutexvar_ps(qb__dq512_f4_index(b->qs), t));
  _mm512_storeu_ps(y + 16, _mm512_permutexvar_ps(qb__dq512_f4_index(b->qs + 8), t));
}

/* The f32 bits of every E4M3 code (qb_f8e4m3_to_f32_bits): sign, then 0x7F's NaN, the
 * normal codes (exponent field e >= 1: f32 exponent e + 120, the 3 mantissa bits on top
 * of f32's), zero and the subnormals m 2^-9 (1: 2^-9; 2, 3: 2^-8 x 1.0, 1.5; 4..7: 2^-7
 * x 1.0 .. 1.75). NVFP4's block scales read as a table, as the E8M0 ones. */
#define QB__DQ512_E4M3_E(c) (15 & (c) >> 3)
#define QB__DQ512_E4M3_M(c) (7 & (c))
#define QB__DQ512_E4M3_MAG(c)                                                                \
  ((0x7F & (c)) == 0x7F ? 0x7FC00000u                                                        \
   : QB__DQ512_E4M3_E(c) != 0                                                                \
       ? (uint32_t) (QB__DQ512_E4M3_E(c) + 120) << 23 | (uint32_t) QB__DQ512_E4M3_M(c) << 20 \
   : QB__DQ512_E4M3_M(c) == 0 ? 0u                                                           \
   : QB__DQ512_E4M3_M(c) == 1 ? 118u << 23                                                   \
   : QB__DQ512_E4M3_M(c) < 4  ? 119u << 23 | (uint32_t) (1 & (c)) << 22                      \
                              : 120u << 23 | (uint32_t) (3 & (c)) << 21)
#define QB__DQ512_E4M3(c) ((uint32_t) (0x80 & (c)) << 24 | QB__DQ512_E4M3_MAG(c))
#define QB__DQ512_E4M3_4(c) \
  QB__DQ512_E4M3(c), QB__DQ512_E4M3(c + 1), QB__DQ512_E4M3(c + 2), QB__DQ512_E4M3(c + 3)
#define QB__DQ512_E4M3_16(c) \
  QB__DQ512_E4M3_4(c), QB__DQ512_E4M3_4(c + 4), QB__DQ512_E4M3_4(c + 8), QB__DQ512_E4M3_4(c + 12)
#define QB__DQ512_E4M3_64(c) \
  QB__DQ512_E4M3_16(c), QB__DQ512_E4M3_16(c + 16), QB__DQ512_E4M3_16(c + 32), QB__DQ512_E4M3_16(c + 48)
static const uint32_t qb__dq512_e4m3_bits[256] = {QB__DQ512_E4M3_64(0), QB__DQ512_E4M3_64(64),
                                                  QB__DQ512_E4M3_64(128), QB__DQ512_E4M3_64(192)};

/* The reference's block scale d = e4m3(s) * g of every scale byte s: the table above for g
 * = 1 (its product by 1 is itself, NaN included), else each entry times g, into dt (256
 * entries, once per call). */
static inline const uint32_t* qb__dq512_nvf4_d_table(float g, uint32_t* dt) {
  if (g == 1.0f) return qb__dq512_e4m3_bits;
  for (int i = 0; i < 256; i += 16)
    _mm512_storeu_si512((void*) (dt + i),
                        _mm512_castps_si512(_mm512_mul_ps(
                            _mm512_castsi512_ps(_mm512_loadu_si512((const void*) (qb__dq512_e4m3_bits + i))),
                            _mm512_set1_ps(g))));
  return dt;
}

/*
 * One NVFP4 block -> 16 f32, as MXFP4: the table e2m1(c) * d (one vmulps, d broadcast
 * from the call's table of qb__dq512_nvf4_d_table: the reference's products for every d,
 * NaN, infinite (0 * inf is the same default NaN) or subnormal) and one vpermps.
 */
static inline void qb__dq512_nvf4_block(const qb_block_nvf4* b, const uint32_t* dt, float* y) {
  const __m512 t =
      _mm512_mul_ps(qb__dq512_f4_values(), _mm512_castsi512_ps(_mm512_set1_epi32((int) dt[b->s])));
  _mm512_storeu_ps(y, _mm512_permutexvar_ps(qb__dq512_f4_index(b->qs), t));
}

/* ---- FP6 (MXFP6) ---------------------------------------------------------------------- */

/*
 * One MX FP6 block (32 codes in 24 bytes) -> 32 f32, in 3 permutes and 2 integer
 * operations:
 * 1. vpermb gives qword q the two bytes that hold codes 2q and 2q + 1 (stream bytes
 *    3q / 2 and the next; the codes start at bit 0 of them for an even q, 4 for an odd
 *    one) and the two that hold codes 2q + 16 and 2q + 17 (12 bytes on);
 * 2. vpmultishiftqb puts codes 2q, 2q + 16, 2q + 1, 2q + 17 in the low bytes of the
 *    qword's words 0..3, so that dword k holds code k in its low word and code k + 16 in
 *    its high one (vpermt2w reads the low 6 bits of each word: the rest is ignored);
 * 3. vpermt2w looks each word up in the tables of qb__elem_avx512_f6_hi16 (elem-avx512skx.h:
 *    the top 16 bits of the code's f32 value; its low 16 are zero);
 * 4. dword k shifted left by 16 is code k's f32, masked to its high word code k + 16's:
 *    both in order, no unpack;
 * 5. times 2^(e - 127): one rounding, the reference's product (FP6 has no NaN code;
 *    0xFF's NaN scale gives the reference's NaN).
 */
static inline void qb__dq512_mxf6_block(const qb_block_mx6* b, __m512i tlo, __m512i thi, float* y) {
  const __m512 s = qb__dq512_e8m0(b->e);
  const __m512i g = _mm512_castsi256_si512(_mm256_maskz_loadu_epi8(0xFFFFFF, b->qs));
  /* 1. Qword q: bytes 3q / 2, 3q / 2 + 1, 12 + 3q / 2, 13 + 3q / 2 (then the same again). */
  const __m512i idx =
      _mm512_set_epi8(23, 22, 11, 10, 23, 22, 11, 10, 22, 21, 10, 9, 22, 21, 10, 9, 20, 19, 8, 7, 20, 19, 8,
                      7, 19, 18, 7, 6, 19, 18, 7, 6, 17, 16, 5, 4, 17, 16, 5, 4, 16, 15, 4, 3, 16, 15, 4, 3,
                      14, 13, 2, 1, 14, 13, 2, 1, 13, 12, 1, 0, 13, 12, 1, 0);
  /* 2. Bytes 0, 2, 4, 6 from bit offsets o, 16 + o, o + 6, 22 + o (o = 0 for an even q, 4
   * for an odd one); the odd bytes the same as their even neighbours. */
  const __m512i ctl = _mm512_set_epi64(0x1A1A0A0A14140404ll, 0x1616060610100000ll, 0x1A1A0A0A14140404ll,
                                       0x1616060610100000ll, 0x1A1A0A0A14140404ll, 0x1616060610100000ll,
                                       0x1A1A0A0A14140404ll, 0x1616060610100000ll);
  const __m512i c = _mm512_multishift_epi64_epi8(ctl, _mm512_permutexvar_epi8(idx, g));
  /* 3. */
  const __m512i v = _mm512_permutex2var_epi16(tlo, c, thi);
  /* 4, 5. */
  _mm512_storeu_ps(y, _mm512_mul_ps(_mm512_castsi512_ps(_mm512_slli_epi32(v, 16)), s));
  _mm512_storeu_ps(
      y + 16,
      _mm512_mul_ps(_mm512_castsi512_ps(_mm512_and_si512(v, _mm512_set1_epi32((int) 0xFFFF0000u))), s));
}

/* ---- FP8 (MXFP8, per 128, per tile) ----------------------------------------------------- */

/*
 * The f32 of each FP8 magnitude as the 128-byte tables of f8-bytes.h, read by vpermt2b
 * (which reads an index's low 7 bits).
 */
typedef struct qb__dq512_f8_tables {
  __m512i hi0, hi1, lo0, lo1;
} qb__dq512_f8_tables;

static inline qb__dq512_f8_tables qb__dq512_f8_tables_load(const int e4m3) {
  const uint8_t* hi = e4m3 ? qb__f8e4m3_f32_hi : qb__f8e5m2_f32_hi;
  const uint8_t* lo = e4m3 ? qb__f8e4m3_f32_lo : qb__f8e5m2_f32_lo;
  qb__dq512_f8_tables t;
  t.hi0 = _mm512_loadu_si512(hi);
  t.hi1 = _mm512_loadu_si512(hi + 64);
  t.lo0 = _mm512_loadu_si512(lo);
  t.lo1 = _mm512_loadu_si512(lo + 64);
  return t;
}

/*
 * 64 FP8 codes (bytes of c) -> their f32 values, 16 per vector in order (v[0] codes 0-15,
 * ...); only the first `quarters` vectors are made:
 * 1. two vpermt2b read each code's bytes 3 and 2 of its f32 from the tables, and one
 *    vpternlogd puts the code's sign (bit 7) into byte 3;
 * 2. per 16 codes one vpermt2b from the two (zero-masked) builds the dwords 0, 0, byte 2,
 *    byte 3: the f32.
 */
static inline __attribute__((always_inline)) void qb__dq512_f8_x64(__m512i c, const qb__dq512_f8_tables* t,
                                                                   __m512 v[4], const int quarters) {
  /* 1. 0xF8 is A | (B & C). */
  const __m512i h = _mm512_ternarylogic_epi32(_mm512_permutex2var_epi8(t->hi0, c, t->hi1), c,
                                              _mm512_set1_epi8((char) 0x80), 0xF8);
  const __m512i l = _mm512_permutex2var_epi8(t->lo0, c, t->lo1);
  /* 2. Dword i of vector j: byte 2 from l's byte 16j + i, byte 3 from h's (64 on). */
  const __m512i idx = _mm512_set_epi32(0x4F0F0000, 0x4E0E0000, 0x4D0D0000, 0x4C0C0000, 0x4B0B0000, 0x4A0A0000,
                                       0x49090000, 0x48080000, 0x47070000, 0x46060000, 0x45050000, 0x44040000,
                                       0x43030000, 0x42020000, 0x41010000, 0x40000000);
  for (int j = 0; j < quarters; j++) {
    const __m512i ij = _mm512_add_epi32(idx, _mm512_set1_epi32(0x10100000 * j));
    v[j] = _mm512_castsi512_ps(_mm512_maskz_permutex2var_epi8(0xCCCCCCCCCCCCCCCCull, l, ij, h));
  }
}

/*
 * Two MX FP8 blocks (E4M3 or E5M2, by the tables) -> 64 f32: their codes in one vector
 * (vinserti64x4), decoded by qb__dq512_f8_x64, each 16 times its block's scale. A NaN
 * code keeps its own NaN: under a finite scale the product is that NaN; a pair with the
 * NaN scale 0xFF puts the NaN lanes back.
 */
static inline void qb__dq512_mxf8_x2(const qb_block_mx8* b, const qb__dq512_f8_tables* t, float* y) {
  const __m512i c = _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_loadu_si256((const __m256i*) b[0].qs)),
                                       _mm256_loadu_si256((const __m256i*) b[1].qs), 1);
  __m512 v[4];
  qb__dq512_f8_x64(c, t, v, 4);
  const __m512 s0 = qb__dq512_e8m0(b[0].e), s1 = qb__dq512_e8m0(b[1].e);
  if (__builtin_expect((b[0].e == 0xFF) | (b[1].e == 0xFF), 0)) {
    _mm512_storeu_ps(y, qb__dq512_f8_times(v[0], s0, 1));
    _mm512_storeu_ps(y + 16, qb__dq512_f8_times(v[1], s0, 1));
    _mm512_storeu_ps(y + 32, qb__dq512_f8_times(v[2], s1, 1));
    _mm512_storeu_ps(y + 48, qb__dq512_f8_times(v[3], s1, 1));
    return;
  }
  _mm512_storeu_ps(y, _mm512_mul_ps(v[0], s0));
  _mm512_storeu_ps(y + 16, _mm512_mul_ps(v[1], s0));
  _mm512_storeu_ps(y + 32, _mm512_mul_ps(v[2], s1));
  _mm512_storeu_ps(y + 48, _mm512_mul_ps(v[3], s1));
}

/* One MX FP8 block -> 32 f32 (the last of an odd count), as qb__dq512_mxf8_x2. */
static inline void qb__dq512_mxf8_x1(const qb_block_mx8* b, const qb__dq512_f8_tables* t, float* y) {
  __m512 v[4];
  qb__dq512_f8_x64(_mm512_zextsi256_si512(_mm256_loadu_si256((const __m256i*) b->qs)), t, v, 2);
  const __m512 s = qb__dq512_e8m0(b->e);
  _mm512_storeu_ps(y, qb__dq512_f8_times(v[0], s, 1));
  _mm512_storeu_ps(y + 16, qb__dq512_f8_times(v[1], s, 1));
}

/*
 * One row of 128 E4M3 codes -> f32 times d (the per-128 block, a row of a tile): the
 * reference's v != v ? v : v * d, for every d (a NaN d puts the NaN codes' lanes back;
 * 0 * inf is the same default NaN in both).
 */
static inline void qb__dq512_f8_row128(const uint8_t* q, float d, const qb__dq512_f8_tables* t, float* y) {
  const __m512 dv = _mm512_set1_ps(d);
  const int nan_d = d != d;
  for (int h = 0; h < 2; h++) {
    __m512 v[4];
    qb__dq512_f8_x64(_mm512_loadu_si512((const void*) (q + 64 * h)), t, v, 4);
    if (__builtin_expect(nan_d, 0)) {
      for (int j = 0; j < 4; j++) _mm512_storeu_ps(y + 64 * h + 16 * j, qb__dq512_f8_times(v[j], dv, 1));
    } else {
      for (int j = 0; j < 4; j++) _mm512_storeu_ps(y + 64 * h + 16 * j, _mm512_mul_ps(v[j], dv));
    }
  }
}

/* qb__dq512_f8_row128 with E4M3's tables, in the signature of lowbit-avx2.h's
 * qb__f8_row_dequant_avx2 (f8t128.c.in's rows; keep_nan must be 1: the references keep a
 * NaN code's NaN). */
static inline void qb__dq512_f8_row_dequant(const uint8_t* q, float d, float* y, const int keep_nan) {
  assert(keep_nan);
  (void) keep_nan;
  const qb__dq512_f8_tables t = qb__dq512_f8_tables_load(1);
  qb__dq512_f8_row128(q, d, &t, y);
}

#endif /* QB_LOWBIT_DQ_AVX512VBMI_H */
