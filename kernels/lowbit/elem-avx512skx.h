/*
 * The element casts of kernels/lowbit on AVX-512 (F/BW/VL/DQ), 64 elements per block:
 * f32 -> FP6 E2M3 / E3M2, FP4 E2M1 and E8M0, and FP6 -> f32 (the FP4 and E8M0 decodes run
 * at the store roof with AVX2 already). Bit-exact with the scalar references: the encodes
 * by the steps of elem-avx2.h on 16 lanes (the rare blocks by an exact path with mask
 * registers for the NaN and special lanes), the FP6 decode by a 64-entry vpermt2w table
 * of the f32's top 16 bits. Included by -avx512skx- files and by elem-avx512vbmi.h.
 */
#ifndef QB_LOWBIT_ELEM_AVX512SKX_H
#define QB_LOWBIT_ELEM_AVX512SKX_H

#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

/* The f32 bits of the largest finite value of a small float format (no inf, no NaN). */
#define QB__FN16_MAXBITS(ebits, mbits, bias) \
  ((((1 << (ebits)) - 1 - (bias) + 127) << 23) | (((1 << (mbits)) - 1) << (23 - (mbits))))

/* 16 magnitudes (f32 bits of |x|, not NaN) -> their codes in a small float, rounded to
 * nearest (ties even, or away from zero with ties_away) and saturated at maxbits: |x|
 * clamped to maxbits; e = 2^(binade of |x|, at least the format's smallest normal one);
 * |x| + 2^(e + 23 - mbits) rounds |x| to the format's quantum in that binade (to nearest,
 * ties to even) and leaves the count k of quanta in the sum's mantissa; the code is k +
 * ((e + bias - 1) << mbits), from the bits of the sum and of e. Ties away: |x| + half a quantum,
 * 2^(e - mbits - 1), then + 2^(e + 23 - mbits), both additions rounded toward zero (embedded
 * rounding): truncations compose, so the sum holds floor(|x| / quantum + 1/2). */
static inline __m512i qb__elem_avx512_round_fn(__m512i abs, int mbits, int bias, uint32_t maxbits,
                                               const int ties_away) {
  const __m512i a = _mm512_min_epu32(abs, _mm512_set1_epi32((int) maxbits));
  const __m512i e = _mm512_max_epu32(_mm512_and_si512(a, _mm512_set1_epi32(0x7F800000)),
                                     _mm512_set1_epi32((128 - bias) << 23));
  const __m512 magic = _mm512_castsi512_ps(_mm512_add_epi32(e, _mm512_set1_epi32((23 - mbits) << 23)));
  __m512 sumf;
  if (ties_away) {
    const __m512 half = _mm512_castsi512_ps(_mm512_sub_epi32(e, _mm512_set1_epi32((mbits + 1) << 23)));
    const __m512 t =
        _mm512_add_round_ps(_mm512_castsi512_ps(a), half, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    sumf = _mm512_add_round_ps(t, magic, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  } else {
    sumf = _mm512_add_ps(_mm512_castsi512_ps(a), magic);
  }
  const __m512i q =
      _mm512_add_epi32(_mm512_sub_epi32(_mm512_castps_si512(sumf), e), _mm512_srli_epi32(e, 23 - mbits));
  return _mm512_sub_epi32(q, _mm512_set1_epi32(((23 - mbits) << 23) + ((128 - bias) << mbits)));
}

/* 16 f32 (as bits) -> codes of a finite small float, one per 32-bit lane: the magnitude
 * by qb__elem_avx512_round_fn (saturating at the largest value, inf included), NaN gives 0,
 * the sign goes to bit ebits + mbits. */
static inline __m512i qb__elem_avx512_encode_fn(__m512i w, int ebits, int mbits, int bias) {
  const int nbits = ebits + mbits;
  const __m512i abs = _mm512_and_si512(w, _mm512_set1_epi32(0x7FFFFFFF));
  const __mmask16 num = _mm512_cmple_epu32_mask(abs, _mm512_set1_epi32(0x7F800000));
  const __m512i k = _mm512_maskz_mov_epi32(
      num, qb__elem_avx512_round_fn(abs, mbits, bias, QB__FN16_MAXBITS(ebits, mbits, bias), 0));
  /* k | (w >> (31 - nbits) & 1 << nbits): 0xF8 is A | (B & C). */
  return _mm512_ternarylogic_epi32(k, _mm512_srli_epi32(w, 31 - nbits), _mm512_set1_epi32(1 << nbits), 0xF8);
}

/* 16 f32 (as bits) -> E8M0 codes (qb__elem_avx2_encode_e8m0's steps 1 and 2), 0xFF where NaN. */
static inline __m512i qb__elem_avx512_encode_e8m0(__m512i w) {
  const __mmask16 sub = _mm512_cmplt_epu32_mask(w, _mm512_set1_epi32(0x800000));
  const __m512i t = _mm512_add_epi32(w, _mm512_set1_epi32(0x400000));
  const __m512i c = _mm512_srli_epi32(_mm512_mask_sub_epi32(t, sub, t, _mm512_set1_epi32(0x200000)), 23);
  const __mmask16 special =
      _mm512_cmpge_epu32_mask(_mm512_sub_epi32(w, _mm512_set1_epi32(1)), _mm512_set1_epi32(0x7F7FFFFF));
  return _mm512_mask_mov_epi32(c, special, _mm512_set1_epi32(0xFF));
}

/* The byte order of 4 x 16 lanes packed by vpackusdw / vpackuswb (or the signed packs),
 * "lane order": byte j of 128-bit lane L holds element 16 (j / 4) + 4 L + j % 4, so each
 * dword holds 4 consecutive elements (group 4 (j / 4) + L of 16). */
static inline __m512i qb__elem_avx512_packus_lanes(__m512i c0, __m512i c1, __m512i c2, __m512i c3) {
  return _mm512_packus_epi16(_mm512_packus_epi32(c0, c1), _mm512_packus_epi32(c2, c3));
}
/* The dword permute that puts lane order's groups in element order. */
static inline __m512i qb__elem_avx512_lanes_order(__m512i b) {
  return _mm512_permutexvar_epi32(_mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15), b);
}

/* 64 f32 -> 64 FP6 / FP4 codes in lane order, exact for every input (NaN, inf, huge):
 * qb__elem_avx512_encode_fn per 16 lanes. Out of line: the path of the blocks that
 * qb__elem_avx512_encode_fn_lanes_x64 sends it. */
static __attribute__((noinline, cold)) __m512i qb__elem_avx512_encode_fn_rare_x64(const float* in, int ebits,
                                                                                  int mbits, int bias) {
  __m512i c[4];
  for (int i = 0; i < 4; i++)
    c[i] = qb__elem_avx512_encode_fn(_mm512_loadu_si512((const void*) (in + 16 * i)), ebits, mbits, bias);
  return qb__elem_avx512_packus_lanes(c[0], c[1], c[2], c[3]);
}

/*
 * 64 f32 -> 64 FP6 / FP4 codes in lane order, the common case in 6 vector operations per
 * 16 and 12 per 64: elem-avx2.h's qb__elem_avx2_encode_fn_short_lanes_x32 on 16 lanes
 * (its steps 1-5 and cvt-f8-x86.h's qb_f8_avx2_sum_madd, which describe why it is exact),
 * where qb__elem_avx512_encode_fn takes 13 per 16:
 * 1-4. per 16: b = w | sign, E = max(exponent of w, F << 23), magic = E + ((23 - mbits)
 *    << 23) + T by vpaddsw, S = magic - b (vsubps), vpmaddwd with (2^(7 - mbits), 1):
 *    2^(7 - mbits) code; per 64: vpackusdw, vpmulhuw by 2^(9 + mbits), vpackuswb:
 *    min(code, 255) per byte;
 * 5. a byte from 128 up (only inf, NaN and huge |x| give one: vpmovb2m) sends the block to
 *    qb__elem_avx512_encode_fn_rare_x64; otherwise the codes are clamped to maxcode
 *    (vpminub) and the sign, bit 7 of x's bits packed with signed saturation, moved to bit
 *    nbits and or-ed on (vpsrlw, vpternlogd).
 */
static inline __attribute__((always_inline)) __m512i qb__elem_avx512_encode_fn_lanes_x64(const float* in,
                                                                                         int ebits, int mbits,
                                                                                         int bias) {
  const int nbits = ebits + mbits, f = 128 - bias;
  __m512i w[4], p[4];
  for (int i = 0; i < 4; i++) {
    w[i] = _mm512_loadu_si512((const void*) (in + 16 * i));
    /* 1-4. */
    const __m512i b = _mm512_or_si512(w[i], _mm512_set1_epi32((int) 0x80000000u));
    const __m512i e =
        _mm512_max_epu32(_mm512_and_si512(w[i], _mm512_set1_epi32(0x7F800000)), _mm512_set1_epi32(f << 23));
    const int t = 65536 - ((f + 23 - mbits) << mbits);
    const __m512i magic = _mm512_adds_epi16(e, _mm512_set1_epi32(((23 - mbits) << 23) + t));
    const __m512i q = _mm512_castps_si512(_mm512_sub_ps(_mm512_castsi512_ps(magic), _mm512_castsi512_ps(b)));
    p[i] = _mm512_madd_epi16(q, _mm512_set1_epi32(1 << 16 | 1 << (7 - mbits)));
  }
  /* The signs packed first, so that x's vectors are free early (as in elem-avx2.h). */
  const __m512i sg = _mm512_packs_epi16(_mm512_packs_epi32(w[0], w[1]), _mm512_packs_epi32(w[2], w[3]));
  const __m512i k = _mm512_set1_epi16((short) (1 << (9 + mbits)));
  const __m512i c = _mm512_packus_epi16(_mm512_mulhi_epu16(_mm512_packus_epi32(p[0], p[1]), k),
                                        _mm512_mulhi_epu16(_mm512_packus_epi32(p[2], p[3]), k));
  /* 5. */
  if (__builtin_expect(_mm512_movepi8_mask(c) != 0, 0))
    return qb__elem_avx512_encode_fn_rare_x64(in, ebits, mbits, bias);
  const __m512i m = _mm512_min_epu8(c, _mm512_set1_epi8((char) ((1 << nbits) - 1)));
  /* m | (sg >> (7 - nbits) on 16-bit lanes, which moves each byte's bit 7 to its bit nbits,
   * & 1 << nbits): 0xF8 is A | (B & C). */
  return _mm512_ternarylogic_epi32(m, _mm512_srli_epi16(sg, 7 - nbits), _mm512_set1_epi8((char) (1 << nbits)),
                                   0xF8);
}

/* 64 f32 -> 64 E8M0 codes in lane order, exact for every input: qb__elem_avx512_encode_e8m0
 * per 16 lanes. Out of line, for the blocks that qb__elem_avx512skx_f32_e8m0_x64 does not
 * finish by itself. */
static __attribute__((noinline, cold)) __m512i qb__elem_avx512_encode_e8m0_rare_x64(const float* in) {
  __m512i c[4];
  for (int i = 0; i < 4; i++)
    c[i] = qb__elem_avx512_encode_e8m0(_mm512_loadu_si512((const void*) (in + 16 * i)));
  return qb__elem_avx512_packus_lanes(c[0], c[1], c[2], c[3]);
}

/*
 * 64 f32 -> 64 E8M0 codes in order, the common case in 2 vector operations per 16 and 6
 * per 64 (elem-avx2.h's qb__elem_avx2_f32_e8m0_x32 on 16 lanes, which says why each step
 * is exact):
 * 1. (w + 2^22) >> 23 per lane, packed to bytes with unsigned saturation: the reference's
 *    code for every x but +0, the negative NaNs from 0xFFC00000 up and the subnormals in
 *    [2^-127, 1.5 x 2^-127), each of which gives a byte of 0 or 1;
 * 2. a block with a byte <= 1 (vpcmpub to a mask) is redone: the bytes whose x, packed with
 *    signed saturation, is <= 0 (+0 and the negatives) made 0xFF; if a byte of 1 is left,
 *    the exact path;
 * 3. one vpermd puts the groups in order.
 */
static inline void qb__elem_avx512skx_f32_e8m0_x64(const float* in, uint8_t* out) {
  __m512i w[4], c[4];
  for (int i = 0; i < 4; i++) {
    w[i] = _mm512_loadu_si512((const void*) (in + 16 * i));
    /* 1. */
    c[i] = _mm512_srli_epi32(_mm512_add_epi32(w[i], _mm512_set1_epi32(0x400000)), 23);
  }
  __m512i b = qb__elem_avx512_packus_lanes(c[0], c[1], c[2], c[3]);
  /* 2. */
  const __m512i one = _mm512_set1_epi8(1);
  if (__builtin_expect(_mm512_cmple_epu8_mask(b, one) != 0, 0)) {
    const __m512i sg = _mm512_packs_epi16(_mm512_packs_epi32(w[0], w[1]), _mm512_packs_epi32(w[2], w[3]));
    b = _mm512_mask_mov_epi8(b, _mm512_cmplt_epi8_mask(sg, one), _mm512_set1_epi8((char) 0xFF));
    if (_mm512_cmpeq_epi8_mask(b, one) != 0) b = qb__elem_avx512_encode_e8m0_rare_x64(in);
  }
  /* 3. */
  _mm512_storeu_si512((void*) out, qb__elem_avx512_lanes_order(b));
}

/* 64 FP4 codes in lane order -> 32 bytes (byte k = c[2k] | c[2k + 1] << 4) in order, or
 * two blocks' 128 codes -> 64 bytes, one store:
 * 1. vpmaddubsw joins codes 2k and 2k + 1 (neighbours in a dword);
 * 2. vpackuswb of the two blocks: 16-bit unit u of lane L holds a's output bytes 8u + 2L,
 *    8u + 2L + 1 (u < 4) or b's (u >= 4, from 8 (u - 4) + 2L);
 * 3. one vpermw puts the 16-bit units in order. */
static inline __m512i qb__elem_avx512_pack4_x128(__m512i a, __m512i b) {
  const __m512i k = _mm512_set1_epi16(0x1001);
  /* 1, 2. */
  const __m512i x = _mm512_packus_epi16(_mm512_maddubs_epi16(a, k), _mm512_maddubs_epi16(b, k));
  /* 3. Word r < 16 from lane r % 4, unit r / 4; word 16 + r from lane r % 4, unit 4 + r / 4. */
  return _mm512_permutexvar_epi16(_mm512_set_epi16(31, 23, 15, 7, 30, 22, 14, 6, 29, 21, 13, 5, 28, 20, 12, 4,
                                                   27, 19, 11, 3, 26, 18, 10, 2, 25, 17, 9, 1, 24, 16, 8, 0),
                                  x);
}
static inline void qb__elem_avx512_pack4_lanes_x64(__m512i a, uint8_t* out) {
  _mm256_storeu_si256((__m256i*) out, _mm512_castsi512_si256(qb__elem_avx512_pack4_x128(a, a)));
}
static inline void qb__elem_avx512_pack4_lanes_x128(__m512i a, __m512i b, uint8_t* out) {
  _mm512_storeu_si512((void*) out, qb__elem_avx512_pack4_x128(a, b));
}

/* 64 FP6 codes in lane order -> 48 bytes in order: c0 | c1 << 6 | c2 << 12 | c3 << 18 per
 * dword (vpmaddubsw, vpmaddwd: each dword is a group of 4 consecutive codes), the dwords
 * put in group order (vpermd), the low 3 bytes of each gathered within 128-bit lanes
 * (vpshufb), the lanes' 12 bytes joined by a dword permute. _over stores 64 bytes, 16 past
 * the block's (for a block whose next block's store overwrites them), the last block 48
 * by a masked store. */
static inline __m512i qb__elem_avx512_pack6_x64(__m512i c) {
  const __m512i p = _mm512_maddubs_epi16(c, _mm512_set1_epi16(0x4001));
  const __m512i w = qb__elem_avx512_lanes_order(_mm512_madd_epi16(p, _mm512_set1_epi32(0x10000001)));
  const __m512i s = _mm512_shuffle_epi8(
      w, _mm512_broadcast_i32x4(_mm_setr_epi8(0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1)));
  return _mm512_permutexvar_epi32(_mm512_setr_epi32(0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 3, 7, 11, 15), s);
}
static inline void qb__elem_avx512_pack6_lanes_x64(__m512i c, uint8_t* out) {
  _mm512_mask_storeu_epi8(out, 0xFFFFFFFFFFFFull, qb__elem_avx512_pack6_x64(c));
}
static inline void qb__elem_avx512_pack6_lanes_x64_over(__m512i c, uint8_t* out) {
  _mm512_storeu_si512((void*) out, qb__elem_avx512_pack6_x64(c));
}

/*
 * nb >= 1 blocks of 64 f32 -> FP6 / FP4, software-pipelined as elem-avx2.h's
 * qb__elem_avx2_encode_fn_blocks: each block's codes computed before the previous block's
 * are packed and stored; FP6 stores every block but the last with 16 bytes past its own
 * (overwritten by the next block's store), FP4 packs two blocks per 64-byte store. The
 * encoder, the FP4 two-block pack and the FP6 packs are parameters (elem-avx512vbmi.h
 * passes its own); always inlined, the calls are direct.
 */
typedef __m512i (*qb__elem_avx512_encoder)(const float* in, int ebits, int mbits, int bias);
typedef void (*qb__elem_avx512_pack4_fn)(__m512i a, __m512i b, uint8_t* out);
typedef void (*qb__elem_avx512_pack6_fn)(__m512i c, uint8_t* out);
static inline __attribute__((always_inline)) void qb__elem_avx512_encode_fn_blocks_with(
    size_t nb, const float* in, uint8_t* out, int ebits, int mbits, int bias, qb__elem_avx512_encoder encode,
    qb__elem_avx512_pack4_fn pack4_x128, qb__elem_avx512_pack6_fn pack6,
    qb__elem_avx512_pack6_fn pack6_over) {
  const int nbits = ebits + mbits;
  const size_t ob = (size_t) (1 + nbits) * 8; /* bytes per 64 codes */
  __m512i c = encode(in, ebits, mbits, bias);
  if (nbits == 3) {
    size_t i = 1;
    for (; i + 1 < nb; i += 2) {
      const __m512i d = encode(in + 64 * i, ebits, mbits, bias);
      const __m512i e = encode(in + 64 * (i + 1), ebits, mbits, bias);
      pack4_x128(c, d, out + ob * (i - 1));
      c = e;
    }
    if (i < nb) {
      pack4_x128(c, encode(in + 64 * i, ebits, mbits, bias), out + ob * (i - 1));
    } else {
      qb__elem_avx512_pack4_lanes_x64(c, out + ob * (nb - 1));
    }
    return;
  }
  for (size_t i = 1; i < nb; i++) {
    const __m512i next = encode(in + 64 * i, ebits, mbits, bias);
    pack6_over(c, out + ob * (i - 1));
    c = next;
  }
  pack6(c, out + ob * (nb - 1));
}
static inline __attribute__((always_inline)) void qb__elem_avx512_encode_fn_blocks(size_t nb, const float* in,
                                                                                   uint8_t* out, int ebits,
                                                                                   int mbits, int bias) {
  qb__elem_avx512_encode_fn_blocks_with(nb, in, out, ebits, mbits, bias, qb__elem_avx512_encode_fn_lanes_x64,
                                        qb__elem_avx512_pack4_lanes_x128, qb__elem_avx512_pack6_lanes_x64,
                                        qb__elem_avx512_pack6_lanes_x64_over);
}

/* One block (the tails of elem-loop.c.in), and nb >= 1 whole blocks in a row. */
static inline void qb__elem_avx512skx_f32_f4e2m1_x64(const float* in, uint8_t* out) {
  qb__elem_avx512_pack4_lanes_x64(qb__elem_avx512_encode_fn_lanes_x64(in, 2, 1, 1), out);
}
static inline void qb__elem_avx512skx_f32_f6e2m3_x64(const float* in, uint8_t* out) {
  qb__elem_avx512_pack6_lanes_x64(qb__elem_avx512_encode_fn_lanes_x64(in, 2, 3, 1), out);
}
static inline void qb__elem_avx512skx_f32_f6e3m2_x64(const float* in, uint8_t* out) {
  qb__elem_avx512_pack6_lanes_x64(qb__elem_avx512_encode_fn_lanes_x64(in, 3, 2, 3), out);
}
static inline void qb__elem_avx512skx_f32_f4e2m1_x64_blocks(size_t nb, const float* in, uint8_t* out) {
  qb__elem_avx512_encode_fn_blocks(nb, in, out, 2, 1, 1);
}
static inline void qb__elem_avx512skx_f32_f6e2m3_x64_blocks(size_t nb, const float* in, uint8_t* out) {
  qb__elem_avx512_encode_fn_blocks(nb, in, out, 2, 3, 1);
}
static inline void qb__elem_avx512skx_f32_f6e3m2_x64_blocks(size_t nb, const float* in, uint8_t* out) {
  qb__elem_avx512_encode_fn_blocks(nb, in, out, 3, 2, 3);
}

/* The f32 values of 16 FP6 magnitudes (exponent e, mantissa m; 5 bits), exactly and with
 * no f32 subnormal: m and e moved into f32's
 * fields plus (127 - bias) << 23 give a normal code's 2^(e - bias) x 1.m; a subnormal code
 * (e = 0) takes one more exponent step and then loses 2^(1 - bias). The operands are
 * constants, so the compiler folds the tables. */
static inline __m512 qb__elem_avx512_f6_mags(__m512i mag, int mbits, int bias) {
  const __mmask16 sub = _mm512_cmplt_epi32_mask(mag, _mm512_set1_epi32(1 << mbits));
  const __m512i t =
      _mm512_add_epi32(_mm512_slli_epi32(mag, 23 - mbits), _mm512_set1_epi32((127 - bias) << 23));
  const __m512i t1 = _mm512_mask_add_epi32(t, sub, t, _mm512_set1_epi32(1 << 23));
  return _mm512_mask_sub_ps(_mm512_castsi512_ps(t1), sub, _mm512_castsi512_ps(t1),
                            _mm512_castsi512_ps(_mm512_set1_epi32((128 - bias) << 23)));
}

/* The top 16 bits of the f32 values of the 64 FP6 codes as the two tables of vpermt2w:
 * *lo word i for code i (0-31: positive), *hi word i for code 32 + i (the same value,
 * negative). An FP6 value has at most 4 significant bits, so the low 16 bits of its f32
 * are zero. Word 2j of a dword is code 2j's, word 2j + 1 code 2j + 1's, from the f32
 * values of qb__elem_avx512_f6_mags; the operands are constants (computed once per call,
 * out of the loop). */
static inline void qb__elem_avx512_f6_hi16(int mbits, int bias, __m512i* lo, __m512i* hi) {
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i ve = _mm512_castps_si512(qb__elem_avx512_f6_mags(even, mbits, bias));
  const __m512i vo =
      _mm512_castps_si512(qb__elem_avx512_f6_mags(_mm512_add_epi32(even, _mm512_set1_epi32(1)), mbits, bias));
  *lo =
      _mm512_or_si512(_mm512_srli_epi32(ve, 16), _mm512_and_si512(vo, _mm512_set1_epi32((int) 0xFFFF0000u)));
  *hi = _mm512_or_si512(*lo, _mm512_set1_epi16((short) 0x8000));
}

/* 32 FP6 codes, one per 16-bit lane in the low 6 bits (the bits above are ignored), word
 * k of lane L for code 4L + k (k < 4) or 16 + 4L + k - 4 -> their 32 f32 in order at out:
 * vpermt2w looks the 6 bits (sign included) up in the tables of qb__elem_avx512_f6_hi16,
 * vpunpcklwd / vpunpckhwd with zero below make each word the top of its f32 (codes 0-15,
 * then 16-31). */
static inline void qb__elem_avx512_f6_words_f32(__m512i c, __m512i tlo, __m512i thi, float* out) {
  const __m512i z = _mm512_setzero_si512();
  const __m512i v = _mm512_permutex2var_epi16(tlo, c, thi);
  _mm512_storeu_si512((void*) out, _mm512_unpacklo_epi16(z, v));
  _mm512_storeu_si512((void*) (out + 16), _mm512_unpackhi_epi16(z, v));
}

/*
 * 64 FP6 codes (48 bytes: groups of 4 codes in 3 bytes, c0 | c1 << 6 | c2 << 12 | c3 <<
 * 18) -> f32, 32 codes (24 bytes, 6 dwords) at a time, into the words of
 * qb__elem_avx512_f6_words_f32 (lane L: the groups of codes 4L .. 4L + 3 and 16 + 4L ..):
 * 1. vpermd gives lane L the dwords that hold group L's bytes (3L .. 3L + 2) and group 4 +
 *    L's (12 + 3L ..): dwords 3L / 4, 3L / 4 + 1, (12 + 3L) / 4, (12 + 3L) / 4 + 1;
 * 2. vpshufb puts in word k of each group the two bytes that hold code k (bytes 0-1 of
 *    the group for codes 0 and 1, bytes 1-2 for codes 2 and 3);
 * 3. vpsrlvw shifts them right by 0, 6, 4, 10: the code in the low 6 bits.
 * 12 vector operations per 64 where the vpermi2ps table of 32 f32 took 20. The load is
 * masked to the block's 48 bytes.
 */
static inline void qb__elem_avx512_f6_f32_x64(const uint8_t* in, float* out, int mbits, int bias) {
  __m512i tlo, thi;
  qb__elem_avx512_f6_hi16(mbits, bias, &tlo, &thi);
  const __m512i g = _mm512_maskz_loadu_epi8(0xFFFFFFFFFFFFull, in);
  /* 1. */
  const __m512i d0 = _mm512_setr_epi32(0, 1, 3, 4, 0, 1, 3, 4, 1, 2, 4, 5, 2, 3, 5, 6);
  /* 2. Group L at byte 3L - 4 (3L / 4) of its lane (0, 3, 2, 1), group 4 + L at 8 plus
   * 12 + 3L - 4 ((12 + 3L) / 4) (8, 11, 10, 9). */
  const __m512i ctl =
      _mm512_set_epi8(11, 10, 11, 10, 10, 9, 10, 9, 3, 2, 3, 2, 2, 1, 2, 1, 12, 11, 12, 11, 11, 10, 11, 10, 4,
                      3, 4, 3, 3, 2, 3, 2, 13, 12, 13, 12, 12, 11, 12, 11, 5, 4, 5, 4, 4, 3, 4, 3, 10, 9, 10,
                      9, 9, 8, 9, 8, 2, 1, 2, 1, 1, 0, 1, 0);
  /* 3. */
  const __m512i sh = _mm512_set_epi16(10, 4, 6, 0, 10, 4, 6, 0, 10, 4, 6, 0, 10, 4, 6, 0, 10, 4, 6, 0, 10, 4,
                                      6, 0, 10, 4, 6, 0, 10, 4, 6, 0);
  for (int h = 0; h < 2; h++) {
    const __m512i d = h == 0 ? d0 : _mm512_add_epi32(d0, _mm512_set1_epi32(6));
    const __m512i c = _mm512_srlv_epi16(_mm512_shuffle_epi8(_mm512_permutexvar_epi32(d, g), ctl), sh);
    qb__elem_avx512_f6_words_f32(c, tlo, thi, out + 32 * h);
  }
}

static inline void qb__elem_avx512skx_f6e2m3_f32_x64(const uint8_t* in, float* out) {
  qb__elem_avx512_f6_f32_x64(in, out, 3, 1);
}
static inline void qb__elem_avx512skx_f6e3m2_f32_x64(const uint8_t* in, float* out) {
  qb__elem_avx512_f6_f32_x64(in, out, 2, 3);
}

#endif /* QB_LOWBIT_ELEM_AVX512SKX_H */
