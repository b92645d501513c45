/*
 * The element casts of kernels/lowbit on AVX2, 32 elements per block: f32 -> FP6 E2M3 /
 * E3M2, FP4 E2M1 (packed as qb/lowbit.h says) and E8M0, and back. Bit-exact with the
 * scalar references (common/fp.h, README.md "Semantics"). Included only by files built
 * with AVX2 flags.
 */
#ifndef QB_LOWBIT_ELEM_AVX2_H
#define QB_LOWBIT_ELEM_AVX2_H

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "cvt/cvt-f8-x86.h"
#include "cvt/cvt-x86.h"

/* The f32 bits of the largest finite value of a small float format (no inf, no NaN). */
#define QB__FN_MAXBITS(ebits, mbits, bias) \
  ((((1 << (ebits)) - 1 - (bias) + 127) << 23) | (((1 << (mbits)) - 1) << (23 - (mbits))))

/*
 * Four vectors of 8 lanes whose byte 1 is a code (vpmaddwd's results below) and the four
 * vectors of x they came from -> the 32 codes, one byte each, with x's sign put on bit
 * nbits and, where clamp, the magnitude first held at maxcode, in lane order: the low
 * 128-bit lane holds codes 0-3, 8-11, 16-19, 24-27 and the high one 4-7, 12-15, 20-23,
 * 28-31 (the order that vpackssdw and vpacksswb of four vectors give):
 * 1. byte 1 of each lane gathered by vpshufb into bytes 4i .. 4i + 3 of each 128-bit lane
 *    for vector i, three vpor;
 * 2. clamp: vpminub with maxcode;
 * 3. the signs: x's bits packed with signed saturation (bit 7 of each byte), a byte blend
 *    between the code and the code with bit nbits set.
 */
static inline __m256i qb__elem_avx2_merge_byte1_lanes(const __m256i q[4], const __m256i w[4], int nbits,
                                                      const int clamp, int maxcode) {
  const __m256i m0 = _mm256_setr_epi8(1, 5, 9, 13, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 1, 5, 9,
                                      13, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
  const __m256i m1 = _mm256_setr_epi8(-1, -1, -1, -1, 1, 5, 9, 13, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                      -1, 1, 5, 9, 13, -1, -1, -1, -1, -1, -1, -1, -1);
  const __m256i m2 = _mm256_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1, 1, 5, 9, 13, -1, -1, -1, -1, -1, -1, -1,
                                      -1, -1, -1, -1, -1, 1, 5, 9, 13, -1, -1, -1, -1);
  const __m256i m3 = _mm256_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 1, 5, 9, 13, -1, -1, -1,
                                      -1, -1, -1, -1, -1, -1, -1, -1, -1, 1, 5, 9, 13);
  __m256i c = _mm256_or_si256(_mm256_or_si256(_mm256_shuffle_epi8(q[0], m0), _mm256_shuffle_epi8(q[1], m1)),
                              _mm256_or_si256(_mm256_shuffle_epi8(q[2], m2), _mm256_shuffle_epi8(q[3], m3)));
  if (clamp) c = _mm256_min_epu8(c, _mm256_set1_epi8((char) maxcode));
  const __m256i sg = _mm256_packs_epi16(_mm256_packs_epi32(w[0], w[1]), _mm256_packs_epi32(w[2], w[3]));
  return _mm256_blendv_epi8(c, _mm256_or_si256(c, _mm256_set1_epi8((char) (1 << nbits))), sg);
}

/* The same 32 codes in order: one vpermd puts the 128-bit halves' 4-byte groups in order. */
static inline __m256i qb__elem_avx2_merge_byte1(const __m256i q[4], const __m256i w[4], int nbits,
                                                const int clamp, int maxcode) {
  return _mm256_permutevar8x32_epi32(qb__elem_avx2_merge_byte1_lanes(q, w, nbits, clamp, maxcode),
                                     _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

/*
 * 32 f32 -> 32 codes (one byte each, in order) of a finite small float of mbits mantissa
 * bits and exponent bias `bias` (FP6, FP4), as qb__f32_to_fn_small rounds them: nearest,
 * ties to even, saturated at the largest magnitude maxbits (as f32 bits), inf too, NaN to
 * zero with its sign. With F = 128 - bias the biased f32 exponent of the format's smallest
 * normal binade (the subnormals' quantum is that binade's) and E the exponent field of |x|:
 * 1. a = |x| with NaN made +0 (vmaxps returns its second operand, 0, where the first is
 *    NaN), then clamped to maxbits (an integer min: inf and everything above the largest
 *    value give the largest code, what rounding then saturating gives);
 * 2. magic = X << 23 plus d, X = max(E, F) + 23 - mbits (and, max, add): 2^(X - 127) plus
 *    d ulps, d = -((F + 23 - mbits) << mbits) mod 256 (even);
 * 3. a + magic: the f32 addition rounds a to a multiple k of the quantum 2^(X - 127 - 23)
 *    (the format's quantum in binade max(E, F)), to nearest with ties to even (d is even),
 *    and leaves d + k in the sum's mantissa field: its low 16 bits are d + k (< 2^9), its
 *    high 16 bits X << 7 (positive as int16);
 * 4. vpmaddwd with the words (256, 2^(mbits + 1)) gives 256 (d + k + (X << mbits)), whose
 *    byte 1 is the code k + ((max(E, F) - F) << mbits) (k's implicit bit supplies the
 *    exponent's + 1 from binade F up; a carry into the next binade lands by itself): no
 *    shift per element (as cvt-f8-x86.h's 32-element fp8 encoders take their byte);
 * 5. qb__elem_avx2_merge_byte1_lanes gathers the bytes and puts the signs on bit ebits +
 *    mbits, in its lane order.
 * 8 vector operations per 8 elements and 11 per 32 where the code computed from the sum's
 * bits took 15 per 8 and 4 per 32.
 */
static inline __m256i qb__elem_avx2_encode_fn_lanes_x32(const float* in, int ebits, int mbits, int bias) {
  const int f = 128 - bias;
  __m256i w[4], q[4];
  for (int i = 0; i < 4; i++) {
    w[i] = _mm256_loadu_si256((const __m256i*) (in + 8 * i));
    /* 1. */
    const __m256 abs = _mm256_castsi256_ps(_mm256_and_si256(w[i], _mm256_set1_epi32(0x7FFFFFFF)));
    const __m256i a = _mm256_min_epi32(_mm256_castps_si256(_mm256_max_ps(abs, _mm256_setzero_ps())),
                                       _mm256_set1_epi32((int) QB__FN_MAXBITS(ebits, mbits, bias)));
    /* 2. */
    const __m256i magic = _mm256_add_epi32(
        _mm256_max_epi32(_mm256_and_si256(a, _mm256_set1_epi32(0x7F800000)), _mm256_set1_epi32(f << 23)),
        _mm256_set1_epi32(((23 - mbits) << 23) + (-((f + 23 - mbits) << mbits) & 0xFF)));
    /* 3, 4. */
    const __m256 sum = _mm256_add_ps(_mm256_castsi256_ps(a), _mm256_castsi256_ps(magic));
    q[i] = _mm256_madd_epi16(_mm256_castps_si256(sum), _mm256_set1_epi32((2 << mbits) << 16 | 256));
  }
  return qb__elem_avx2_merge_byte1_lanes(q, w, ebits + mbits, 0, 0);
}

/* qb__elem_avx2_encode_fn_lanes_x32 out of line, for the blocks that
 * qb__elem_avx2_encode_fn_short_lanes_x32 sends it (inline, GCC merges the two paths' sign
 * packs and then builds the blend's mask by a compare). */
static __attribute__((noinline, cold)) __m256i qb__elem_avx2_encode_fn_rare_x32(const float* in, int ebits,
                                                                                int mbits, int bias) {
  return qb__elem_avx2_encode_fn_lanes_x32(in, ebits, mbits, bias);
}

/*
 * The same 32 codes in the same lane order, the common case in 6 vector operations per 8
 * and 12 per 32 (where qb__elem_avx2_encode_fn_lanes_x32 takes 8 and 12), steps 1-4 by
 * cvt/cvt-f8-x86.h's 32-element fp8 encoders' function (qb_f8_avx2_sum_madd, with F as
 * its emin):
 * 1. b = -|x| (w with bit 31 set), no clamp and no NaN test per element;
 * 2. E = max(exponent field of b, F << 23) (and, max);
 * 3. magic = E + ((23 - mbits) << 23) + T by vpaddsw (16-bit signed saturating lanes),
 *    T = 2^16 - OFF2, OFF2 = (F + 23 - mbits) << mbits (even): its low half T, its high
 *    half (max(E, F) + 23 - mbits) << 7, which saturates to 0x7FFF, a NaN, where that
 *    exceeds 255 (and is already a NaN where it is 255). S = magic - b (vsubps, magic
 *    first: a NaN magic is returned as it is when b is a NaN too), for a finite magic the
 *    sum |x| + magic of qb__elem_avx2_encode_fn_lanes_x32's step 3, rounded to the
 *    quantum, ties to even (T is even): its low half T + k, its high half X << 7;
 * 4. vpmaddwd with the words (2^(7 - mbits), 1), the low word read as T + k - 2^16, gives
 *    2^(7 - mbits) (k + (X << mbits) - OFF2) = 2^(7 - mbits) code (the code as in step 4
 *    there, not yet clamped), positive and below 2^14 for every input (a NaN magic gives
 *    2^(7 - mbits) (T - 2^16) + 0x7FFF: a code of 213 (E2M1), 871 (E2M3) or 439 (E3M2));
 *    vpackusdw, vpmulhuw by 2^(9 + mbits) (the code on 16-bit lanes) and vpackuswb give
 *    min(code, 255) per byte;
 * 5. a byte from 128 up (inf, NaN and the |x| that round to 2^63 (E2M1), 2^15 (E2M3) or
 *    2^29 (E3M2) and above give one, nothing else: vpmovmskb) sends the block to
 *    qb__elem_avx2_encode_fn_lanes_x32 (out of line), which gives NaN its signed zero;
 *    otherwise the codes are clamped to maxcode (vpminub: saturation, as step 1 there
 *    does) and the signs put on by the blend of qb__elem_avx2_merge_byte1_lanes.
 */
static inline __attribute__((always_inline)) __m256i qb__elem_avx2_encode_fn_short_lanes_x32(const float* in,
                                                                                             int ebits,
                                                                                             int mbits,
                                                                                             int bias) {
  const int nbits = ebits + mbits;
  __m256i w[4], p[4];
  for (int i = 0; i < 4; i++) {
    w[i] = _mm256_loadu_si256((const __m256i*) (in + 8 * i));
    /* 1-4 (the fp8 encoders' function, its emin being F). */
    p[i] = qb_f8_avx2_sum_madd(w[i], mbits, 128 - bias);
  }
  /* The signs of step 5, packed before the test: GCC leaves them there and x's four
   * vectors are free early (1.03-1.06x for FP4; packed after it, they held four
   * registers to the end of the block). */
  const __m256i sg = _mm256_packs_epi16(_mm256_packs_epi32(w[0], w[1]), _mm256_packs_epi32(w[2], w[3]));
  /* 4. */
  const __m256i k = _mm256_set1_epi16((short) (1 << (9 + mbits)));
  const __m256i c = _mm256_packus_epi16(_mm256_mulhi_epu16(_mm256_packus_epi32(p[0], p[1]), k),
                                        _mm256_mulhi_epu16(_mm256_packus_epi32(p[2], p[3]), k));
  /* 5. */
  if (__builtin_expect(_mm256_movemask_epi8(c) != 0, 0))
    return qb__elem_avx2_encode_fn_rare_x32(in, ebits, mbits, bias);
  const __m256i m = _mm256_min_epu8(c, _mm256_set1_epi8((char) ((1 << nbits) - 1)));
  return _mm256_blendv_epi8(m, _mm256_or_si256(m, _mm256_set1_epi8((char) (1 << nbits))), sg);
}

/*
 * 8 f32 (as bits) -> E8M0 codes (qb_f32_to_e8m0_bits) of the positive x, one per 32-bit
 * lane, possibly above 0xFF where the code is NaN (the byte packing saturates them to
 * 0xFF):
 * 1. a normal x rounds up from 1.5 x 2^e: (w + 2^22) >> 23 is its exponent plus that
 *    carry (2^127 x 1.5 and up, inf and the positive NaNs reach 0xFF or 0x100: NaN);
 * 2. a subnormal rounds up to 2^-126 from 1.5 x 2^-127: (w + 2^21) >> 23 (code 0 or 1).
 * +0 and the negatives are left to qb__elem_avx2_encode_e8m0_x32.
 */
static inline __m256i qb__elem_avx2_encode_e8m0(__m256i w) {
  const __m256i sub = _mm256_cmpgt_epi32(_mm256_set1_epi32(0x800000), w);
  return _mm256_srli_epi32(_mm256_sub_epi32(_mm256_add_epi32(w, _mm256_set1_epi32(0x400000)),
                                            _mm256_and_si256(sub, _mm256_set1_epi32(0x200000))),
                           23);
}

/*
 * 32 f32 -> 32 E8M0 codes, one byte each, in the lane order of
 * qb__elem_avx2_merge_byte1_lanes, exact for every input: qb__elem_avx2_encode_e8m0's
 * codes packed with unsigned saturation, then 3. +0 and the negatives (-0 and negative
 * NaNs too), the w <= 0 as signed integers, made 0xFF (NaN) once per 32 bytes: x's bits
 * packed with signed saturation keep w's sign and w = 0 (a byte <= 0 exactly there), one
 * byte compare and an or. 5 vector operations per 8 and 4 per 32. The path of the blocks
 * that qb__elem_avx2_f32_e8m0_x32 does not finish by itself.
 */
static inline __m256i qb__elem_avx2_encode_e8m0_lanes_x32(const __m256i w[4]) {
  __m256i c[4];
  for (int i = 0; i < 4; i++) c[i] = qb__elem_avx2_encode_e8m0(w[i]);
  const __m256i b = _mm256_packus_epi16(_mm256_packus_epi32(c[0], c[1]), _mm256_packus_epi32(c[2], c[3]));
  /* 3. */
  const __m256i sg = _mm256_packs_epi16(_mm256_packs_epi32(w[0], w[1]), _mm256_packs_epi32(w[2], w[3]));
  return _mm256_or_si256(b, _mm256_cmpgt_epi8(_mm256_set1_epi8(1), sg));
}

/* 32 FP4 codes in the lane order of qb__elem_avx2_merge_byte1_lanes -> 16 bytes as
 * ordered (byte k = c[2k] | c[2k + 1] << 4): vpmaddubsw joins codes 2k and 2k + 1 (neighbours in
 * a 4-byte group), vpackuswb leaves each lane's 4 groups as 2-byte pairs in its low 8 bytes,
 * and one 128-bit vpunpcklwd of the two halves interleaves the pairs into order. Without
 * the two 3-cycle cross-lane permutes (vpermd, vpermq) of the ordered route. */
static inline void qb__elem_avx2_pack4_lanes_x32(__m256i c, uint8_t* out) {
  const __m256i p = _mm256_maddubs_epi16(c, _mm256_set1_epi16(0x1001));
  const __m256i b = _mm256_packus_epi16(p, p);
  _mm_storeu_si128((__m128i*) out,
                   _mm_unpacklo_epi16(_mm256_castsi256_si128(b), _mm256_extracti128_si256(b, 1)));
}

/* 32 FP6 codes in the lane order of qb__elem_avx2_merge_byte1_lanes -> 24 bytes in order
 * (3 per 4 codes: c0 | c1 << 6 | c2 << 12 | c3 << 18), with one cross-lane permute where
 * an ordered route takes two (the merge's vpermd and the join's):
 * 1. each 4-code group's 3 bytes built in its 32-bit lane (vpmaddubsw, vpmaddwd): the low
 *    128-bit lane holds groups 0, 2, 4, 6, the high one 1, 3, 5, 7;
 * 2. vpermq (qwords 0, 2, 1, 3) makes the lanes groups 0, 2, 1, 3 and 4, 6, 5, 7;
 * 3. vpshufb gathers each lane's 12 bytes in order, the high lane's as two overlapping
 *    8-byte runs (its bytes 0-7 and 4-11 into bytes 0-7 and 8-15);
 * 4. stores: the low lane's 16 bytes at out (its last 4 then overwritten), the high lane's
 *    runs at out + 12 (vmovq) and out + 16 (vpextrq): nothing written past out + 24.
 * qb__elem_avx2_pack6_groups does steps 1-2 (shared with the _over form below). */
static inline __m256i qb__elem_avx2_pack6_groups(__m256i c) {
  /* 1. */
  const __m256i p = _mm256_maddubs_epi16(c, _mm256_set1_epi16(0x4001));
  const __m256i w = _mm256_madd_epi16(p, _mm256_set1_epi32(0x10000001));
  /* 2. */
  return _mm256_permute4x64_epi64(w, _MM_SHUFFLE(3, 1, 2, 0));
}
static inline void qb__elem_avx2_pack6_lanes_x32(__m256i c, uint8_t* out) {
  const __m256i t = qb__elem_avx2_pack6_groups(c);
  /* 3. */
  const __m256i s =
      _mm256_shuffle_epi8(t, _mm256_setr_epi8(0, 1, 2, 8, 9, 10, 4, 5, 6, 12, 13, 14, -1, -1, -1, -1, 0, 1, 2,
                                              8, 9, 10, 4, 5, 9, 10, 4, 5, 6, 12, 13, 14));
  /* 4. */
  _mm_storeu_si128((__m128i*) out, _mm256_castsi256_si128(s));
  const __m128i h = _mm256_extracti128_si256(s, 1);
  _mm_storel_epi64((__m128i*) (out + 12), h);
  /* vpextrq to memory: a cast to double* for vmovhps (_mm_storeh_pd) would claim an
   * 8-byte alignment that out + 16 does not have (UBSan reports it). */
  const uint64_t hi = (uint64_t) _mm_extract_epi64(h, 1);
  memcpy(out + 16, &hi, sizeof hi);
}

/* 32 FP6 codes as qb__elem_avx2_pack6_lanes_x32 takes them -> their 24 bytes in order and
 * 4 more bytes past them, for a block that a later store overwrites there (all the blocks
 * of qb__elem_avx2_encode_fn_blocks but the last): steps 1-3 there with each 128-bit
 * lane's 12 bytes at its start, then two 16-byte stores at out and out + 12 (the second
 * by the store form of vextracti128), where the last block's 8-byte stores take a
 * vextracti128, a vmovq and a vpextrq. */
static inline void qb__elem_avx2_pack6_lanes_x32_over(__m256i c, uint8_t* out) {
  const __m256i t = qb__elem_avx2_pack6_groups(c);
  const __m256i s =
      _mm256_shuffle_epi8(t, _mm256_setr_epi8(0, 1, 2, 8, 9, 10, 4, 5, 6, 12, 13, 14, -1, -1, -1, -1, 0, 1, 2,
                                              8, 9, 10, 4, 5, 6, 12, 13, 14, -1, -1, -1, -1));
  _mm_storeu_si128((__m128i*) out, _mm256_castsi256_si128(s));
  _mm_storeu_si128((__m128i*) (out + 12), _mm256_extracti128_si256(s, 1));
}

/* 64 FP4 codes, two vectors in the lane order of qb__elem_avx2_merge_byte1_lanes -> 32
 * bytes as ordered, one 32-byte store, where two qb__elem_avx2_pack4_lanes_x32 take two
 * vpackuswb, two vextracti128, two vpunpcklwd and two stores:
 * 1. vpmaddubsw joins codes 2k and 2k + 1 of each vector (as there);
 * 2. vpackuswb of the two: each 128-bit lane's qwords are a's and b's 2-byte pairs of that
 *    lane (the low lane codes 0-3, 8-11, 16-19, 24-27, the high one 4-7, ...);
 * 3. vpermq (qwords 0, 2, 1, 3) puts a's two qwords in the low lane, b's in the high one;
 * 4. vpshufb interleaves each lane's two qwords by 2-byte pairs: the bytes in order. */
static inline void qb__elem_avx2_pack4_lanes_x64(__m256i a, __m256i b, uint8_t* out) {
  const __m256i k = _mm256_set1_epi16(0x1001);
  /* 1, 2. */
  const __m256i x = _mm256_packus_epi16(_mm256_maddubs_epi16(a, k), _mm256_maddubs_epi16(b, k));
  /* 3, 4. */
  const __m256i s =
      _mm256_shuffle_epi8(_mm256_permute4x64_epi64(x, _MM_SHUFFLE(3, 1, 2, 0)),
                          _mm256_setr_epi8(0, 1, 8, 9, 2, 3, 10, 11, 4, 5, 12, 13, 6, 7, 14, 15, 0, 1, 8, 9,
                                           2, 3, 10, 11, 4, 5, 12, 13, 6, 7, 14, 15));
  _mm256_storeu_si256((__m256i*) out, s);
}

/* ---- Decode ---------------------------------------------------------------------------- */

/*
 * FP4 values have nonzero bits only in the top 16 of their f32 (3 significant bits), so
 * they are decoded as two bytes, `hi` (bits 24..31) and `mid` (bits 16..23), then
 * widened. The 32 codes come arranged so that in-lane unpacks give element order: the low
 * 128-bit lane holds codes 0-3, 8-11, 16-19, 24-27 and the high one 4-7, 12-15, 20-23,
 * 28-31.
 */
static inline void qb__elem_avx2_hi16_x32(__m256i mid, __m256i hi, __m256i v[4]) {
  const __m256i z = _mm256_setzero_si256();
  const __m256i l = _mm256_unpacklo_epi8(mid, hi), h = _mm256_unpackhi_epi8(mid, hi);
  v[0] = _mm256_unpacklo_epi16(z, l);
  v[1] = _mm256_unpackhi_epi16(z, l);
  v[2] = _mm256_unpacklo_epi16(z, h);
  v[3] = _mm256_unpackhi_epi16(z, h);
}

/*
 * 32 E8M0 codes (arranged as above by a vpermd) -> f32. The top 16 bits of a code's f32
 * are the word c << 7, plus 0x40 for codes 0 (2^-127 = 0x00400000) and 0xFF (the quiet
 * NaN 0x7FC00000):
 * 1. t = 0x81 - (c + 1) with unsigned saturation has bit 7 set exactly for the codes c + 1
 *    (mod 256) in {0, 1}; kept alone (and 0x80);
 * 2. each word (t, c) = c << 8 | t, unpacked from the two byte vectors, shifted right by one
 *    is c << 7 | 0x40 for those codes, c << 7 for the others;
 * 3. unpacked with zero below, each word becomes the f32.
 * 13 vector operations per 32 where the bytes hi = c >> 1 and mid = (c & 1) << 7 | 0x40 of
 * qb__elem_avx2_hi16_x32 took 16.
 */
static inline __m256i qb__elem_avx2_e8m0_load_x32(const uint8_t* in) {
  __m256i r = _mm256_loadu_si256((const __m256i*) in);
  /* A separate load: vpermd with a memory operand ran this block 1.06-1.09x slower in L2
   * (README.md); the empty asm keeps GCC from folding the load back into it. */
  __asm__("" : "+x"(r));
  return _mm256_permutevar8x32_epi32(r, _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7));
}
static inline void qb__elem_avx2_e8m0_f32_lanes_x32(const __m256i c, float* out) {
  /* 1. */
  const __m256i t = _mm256_and_si256(
      _mm256_subs_epu8(_mm256_set1_epi8((char) 0x81), _mm256_add_epi8(c, _mm256_set1_epi8(1))),
      _mm256_set1_epi8((char) 0x80));
  /* 2. */
  const __m256i l = _mm256_srli_epi16(_mm256_unpacklo_epi8(t, c), 1);
  const __m256i h = _mm256_srli_epi16(_mm256_unpackhi_epi8(t, c), 1);
  /* 3. */
  const __m256i z = _mm256_setzero_si256();
  _mm256_storeu_si256((__m256i*) out, _mm256_unpacklo_epi16(z, l));
  _mm256_storeu_si256((__m256i*) (out + 8), _mm256_unpackhi_epi16(z, l));
  _mm256_storeu_si256((__m256i*) (out + 16), _mm256_unpacklo_epi16(z, h));
  _mm256_storeu_si256((__m256i*) (out + 24), _mm256_unpackhi_epi16(z, h));
}
static inline void qb__elem_avx2_e8m0_f32_x32(const uint8_t* in, float* out) {
  qb__elem_avx2_e8m0_f32_lanes_x32(qb__elem_avx2_e8m0_load_x32(in), out);
}

/* 32 FP4 codes, each code byte k of the 16 doubled in the arranged order (bytes 0, 1, 4,
 * 5, 8, 9, 12, 13 of them in the low 128-bit lane, 2, 3, 6, 7, 10, 11, 14, 15 in the high
 * one, each twice) -> their f32 values, v[i] holding codes 8i .. 8i + 7: the low nibble
 * kept in the even byte, the high one moved into the odd byte, then two 16-entry vpshufb
 * tables give hi and mid. */
static inline void qb__f4_f32_x32(__m256i d, __m256i v[4]) {
  const __m256i e = _mm256_or_si256(_mm256_and_si256(d, _mm256_set1_epi16(0x000F)),
                                    _mm256_and_si256(_mm256_srli_epi16(d, 4), _mm256_set1_epi16(0x0F00)));
  /* E2M1 magnitudes 0, 0.5, 1, 1.5, 2, 3, 4, 6 = 0x00000000, 0x3F000000, 0x3F800000,
   * 0x3FC00000, 0x40000000, 0x40400000, 0x40800000, 0x40C00000; codes 8-15 negative. */
  const __m256i t3 = _mm256_setr_epi8(
      0x00, 0x3F, 0x3F, 0x3F, 0x40, 0x40, 0x40, 0x40, (char) 0x80, (char) 0xBF, (char) 0xBF, (char) 0xBF,
      (char) 0xC0, (char) 0xC0, (char) 0xC0, (char) 0xC0, 0x00, 0x3F, 0x3F, 0x3F, 0x40, 0x40, 0x40, 0x40,
      (char) 0x80, (char) 0xBF, (char) 0xBF, (char) 0xBF, (char) 0xC0, (char) 0xC0, (char) 0xC0, (char) 0xC0);
  const __m256i t2 = _mm256_setr_epi8(
      0x00, 0x00, (char) 0x80, (char) 0xC0, 0x00, 0x40, (char) 0x80, (char) 0xC0, 0x00, 0x00, (char) 0x80,
      (char) 0xC0, 0x00, 0x40, (char) 0x80, (char) 0xC0, 0x00, 0x00, (char) 0x80, (char) 0xC0, 0x00, 0x40,
      (char) 0x80, (char) 0xC0, 0x00, 0x00, (char) 0x80, (char) 0xC0, 0x00, 0x40, (char) 0x80, (char) 0xC0);
  qb__elem_avx2_hi16_x32(_mm256_shuffle_epi8(t2, e), _mm256_shuffle_epi8(t3, e), v);
}

/* 32 FP4 codes (16 bytes, low nibble first) in both 128-bit lanes -> the arranged doubled
 * bytes of qb__f4_f32_x32. */
static inline __m256i qb__f4_spread_x32(__m256i b) {
  return _mm256_shuffle_epi8(b, _mm256_setr_epi8(0, 0, 1, 1, 4, 4, 5, 5, 8, 8, 9, 9, 12, 12, 13, 13, 2, 2, 3,
                                                 3, 6, 6, 7, 7, 10, 10, 11, 11, 14, 14, 15, 15));
}

/* 32 FP4 codes (16 bytes, low nibble first) -> f32 (qb__f4_f32_x32). */
static inline void qb__elem_avx2_f4e2m1_f32_x32(const uint8_t* in, float* out) {
  __m256i v[4];
  qb__f4_f32_x32(qb__f4_spread_x32(_mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i*) in))), v);
  for (int i = 0; i < 4; i++) _mm256_storeu_si256((__m256i*) (out + 8 * i), v[i]);
}

/*
 * 16 FP6 codes (12 bytes: bytes o .. o + 11 of the 16 at p, o being 0 or 4, so that a
 * caller reads no byte past its codes) -> 16 f16 whose values are exactly the codes'
 * values times 2^(bias - 15), in code order (the low 128-bit lane codes 0-7). FP6 is a
 * subset of f16 with a narrower exponent: the 5 magnitude bits put at the top of f16's
 * exponent and mantissa fields (E in the exponent's low bits, m at the mantissa's top)
 * are 2^(E - 15) x 1.m, or for E = 0 f16's subnormal 2^-14 x 0.m, both 2^(15 - bias)
 * times the code's 2^(E - bias) x 1.m and 2^(1 - bias) x 0.m. Steps:
 * 1. vpshufb puts in each 16-bit lane the two bytes that hold its code's 6 bits (of a
 *    3-byte group c0 | c1 << 6 | c2 << 12 | c3 << 18: bytes 0-1 for c0 and c1, bytes 1-2
 *    for c2 and c3);
 * 2. vpmullw by 2^10, 2^4, 2^6, 1 (a shift left per lane, AVX2 having no 16-bit variable
 *    shift) puts the code at bits 10-15, its sign bit at bit 15;
 * 3. an arithmetic shift right by mbits moves the magnitude to bits 14 - mbits .. 10 -
 *    mbits and copies the sign into the bits above it, which the mask clears.
 * vcvtph2ps then widens exactly (f16 subnormals included), and a multiplication by a power
 * of two scales: no f32 subnormal operand anywhere.
 */
static inline __m256i qb__f6_f16_x16(const uint8_t* p, const int o, const int mbits) {
  const __m256i g = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i*) p));
  const __m256i ctl =
      _mm256_setr_epi8(o, o + 1, o, o + 1, o + 1, o + 2, o + 1, o + 2, o + 3, o + 4, o + 3, o + 4, o + 4,
                       o + 5, o + 4, o + 5, o + 6, o + 7, o + 6, o + 7, o + 7, o + 8, o + 7, o + 8, o + 9,
                       o + 10, o + 9, o + 10, o + 10, o + 11, o + 10, o + 11);
  const __m256i mul = _mm256_setr_epi16(1 << 10, 1 << 4, 1 << 6, 1, 1 << 10, 1 << 4, 1 << 6, 1, 1 << 10,
                                        1 << 4, 1 << 6, 1, 1 << 10, 1 << 4, 1 << 6, 1);
  const __m256i t = _mm256_mullo_epi16(_mm256_shuffle_epi8(g, ctl), mul);
  return _mm256_and_si256(_mm256_srai_epi16(t, mbits),
                          _mm256_set1_epi16((short) (0x8000 | (0x1F << (10 - mbits)))));
}

/* 16 FP6 codes as qb__f6_f16_x16 reads them -> f32 times m (m a power of two, so that for
 * m = 2^(15 - bias) they are the codes' values and for m = 2^(15 - bias + s) the values
 * times 2^s, rounded once, as the reference's product), stored at out. */
static inline void qb__f6_f32_x16(const uint8_t* p, const int o, const int mbits, __m256 m, float* out) {
  const __m256i h = qb__f6_f16_x16(p, o, mbits);
  _mm256_storeu_ps(out, _mm256_mul_ps(_mm256_cvtph_ps(_mm256_castsi256_si128(h)), m));
  _mm256_storeu_ps(out + 8, _mm256_mul_ps(_mm256_cvtph_ps(_mm256_extracti128_si256(h, 1)), m));
}

/* 32 FP6 codes (24 bytes) -> f32: the second 16 read from byte 8 (qb__f6_f16_x16). The
 * two f16 vectors go to a stack buffer and widen by the memory form of vcvtph2ps
 * (qb_cvt_f16c_cvtph_mem), which Zen 3 issues twice per cycle, where the register form
 * of qb__f6_f32_x16 issues once and shares that slot with its vextracti128. */
static inline __attribute__((always_inline)) void qb__elem_avx2_f6_f32_x32(const uint8_t* in, float* out,
                                                                           int mbits, int bias) {
  const __m256 m = _mm256_set1_ps((float) (1 << (15 - bias)));
  _Alignas(32) uint16_t h[32];
  _mm256_store_si256((__m256i*) h, qb__f6_f16_x16(in, 0, mbits));
  _mm256_store_si256((__m256i*) (h + 16), qb__f6_f16_x16(in + 8, 4, mbits));
  for (int i = 0; i < 4; i++)
    _mm256_storeu_ps(out + 8 * i, _mm256_mul_ps(qb_cvt_f16c_cvtph_mem(h + 8 * i), m));
}

/*
 * nb >= 1 blocks of 32 FP6 codes -> f32 (qb__elem_avx2_f6_f32_x32's steps),
 * software-pipelined: the next block's two f16 vectors are stored to the buffer after
 * the current block's four vcvtph2ps have read it, so that each load of the buffer finds
 * its store issued one block earlier, not just before it. Measured 1.04-1.09x in L1 and
 * 1.02-1.04x in L2 over the plain loop of qb__elem_avx2_f6_f32_x32 blocks (README.md).
 */
static inline __attribute__((always_inline)) void qb__elem_avx2_f6_f32_blocks(size_t nb, const uint8_t* in,
                                                                              float* out, int mbits,
                                                                              int bias) {
  const __m256 m = _mm256_set1_ps((float) (1 << (15 - bias)));
  _Alignas(32) uint16_t h[32];
  _mm256_store_si256((__m256i*) h, qb__f6_f16_x16(in, 0, mbits));
  _mm256_store_si256((__m256i*) (h + 16), qb__f6_f16_x16(in + 8, 4, mbits));
  for (size_t i = 1; i < nb; i++) {
    __m256 y[4];
    for (int k = 0; k < 4; k++) y[k] = qb_cvt_f16c_cvtph_mem(h + 8 * k);
    const __m256i a = qb__f6_f16_x16(in + 24 * i, 0, mbits);
    const __m256i b = qb__f6_f16_x16(in + 24 * i + 8, 4, mbits);
    _mm256_store_si256((__m256i*) h, a);
    _mm256_store_si256((__m256i*) (h + 16), b);
    for (int k = 0; k < 4; k++) _mm256_storeu_ps(out + 32 * (i - 1) + 8 * k, _mm256_mul_ps(y[k], m));
  }
  for (int k = 0; k < 4; k++)
    _mm256_storeu_ps(out + 32 * (nb - 1) + 8 * k, _mm256_mul_ps(qb_cvt_f16c_cvtph_mem(h + 8 * k), m));
}

/* ---- The blocks of the kernels (elem-loop.c.in) ----------------------------------------- */

/*
 * nb >= 1 blocks of 32 f32 -> FP6 / FP4, software-pipelined: each block's codes are
 * computed before the previous block's are packed and stored. Out of order or not, the
 * core issues in program order into schedulers of limited size, and a block's packing
 * waits on the end of its own long chain (load, rounding, packs, sign blend: about 25
 * cycles) while it holds scheduler entries; packed one block later, its inputs are
 * ready when it is issued. Measured 1.15-1.2x over the plain loop of
 * qb__elem_avx2_encode_fn_short_lanes_x32 blocks (README.md); two blocks ahead, no more.
 * FP6 stores every block but the last with 4 bytes past its own (the next block's store
 * overwrites them: qb__elem_avx2_pack6_lanes_x32_over). FP4 packs two blocks per step
 * (qb__elem_avx2_pack4_lanes_x64): each step computes blocks i and i + 1, then packs
 * blocks i - 1 and i.
 */
static inline __attribute__((always_inline)) void qb__elem_avx2_encode_fn_blocks(size_t nb, const float* in,
                                                                                 uint8_t* out, int ebits,
                                                                                 int mbits, int bias) {
  const int nbits = ebits + mbits;
  const size_t ob = (size_t) (1 + nbits) * 4; /* bytes per 32 codes */
  __m256i c = qb__elem_avx2_encode_fn_short_lanes_x32(in, ebits, mbits, bias);
  if (nbits == 3) {
    size_t i = 1;
    for (; i + 1 < nb; i += 2) {
      const __m256i d = qb__elem_avx2_encode_fn_short_lanes_x32(in + 32 * i, ebits, mbits, bias);
      const __m256i e = qb__elem_avx2_encode_fn_short_lanes_x32(in + 32 * (i + 1), ebits, mbits, bias);
      qb__elem_avx2_pack4_lanes_x64(c, d, out + ob * (i - 1));
      c = e;
    }
    if (i < nb) {
      qb__elem_avx2_pack4_lanes_x64(
          c, qb__elem_avx2_encode_fn_short_lanes_x32(in + 32 * i, ebits, mbits, bias), out + ob * (i - 1));
    } else {
      qb__elem_avx2_pack4_lanes_x32(c, out + ob * (nb - 1));
    }
    return;
  }
  for (size_t i = 1; i < nb; i++) {
    const __m256i next = qb__elem_avx2_encode_fn_short_lanes_x32(in + 32 * i, ebits, mbits, bias);
    qb__elem_avx2_pack6_lanes_x32_over(c, out + ob * (i - 1));
    c = next;
  }
  qb__elem_avx2_pack6_lanes_x32(c, out + ob * (nb - 1));
}

/* One block (the tails of elem-loop.c.in), and nb >= 1 whole blocks in a row. */
static inline void qb__elem_avx2_f32_f6e2m3_x32(const float* in, uint8_t* out) {
  qb__elem_avx2_pack6_lanes_x32(qb__elem_avx2_encode_fn_short_lanes_x32(in, 2, 3, 1), out);
}
static inline void qb__elem_avx2_f32_f6e3m2_x32(const float* in, uint8_t* out) {
  qb__elem_avx2_pack6_lanes_x32(qb__elem_avx2_encode_fn_short_lanes_x32(in, 3, 2, 3), out);
}
static inline void qb__elem_avx2_f32_f4e2m1_x32(const float* in, uint8_t* out) {
  qb__elem_avx2_pack4_lanes_x32(qb__elem_avx2_encode_fn_short_lanes_x32(in, 2, 1, 1), out);
}
static inline void qb__elem_avx2_f32_f6e2m3_x32_blocks(size_t nb, const float* in, uint8_t* out) {
  qb__elem_avx2_encode_fn_blocks(nb, in, out, 2, 3, 1);
}
static inline void qb__elem_avx2_f32_f6e3m2_x32_blocks(size_t nb, const float* in, uint8_t* out) {
  qb__elem_avx2_encode_fn_blocks(nb, in, out, 3, 2, 3);
}
static inline void qb__elem_avx2_f32_f4e2m1_x32_blocks(size_t nb, const float* in, uint8_t* out) {
  qb__elem_avx2_encode_fn_blocks(nb, in, out, 2, 1, 1);
}
/*
 * 32 f32 -> 32 E8M0 codes in order, the common case in 2 vector operations per 8 and 5
 * per 32 (where qb__elem_avx2_encode_e8m0_lanes_x32 takes 5 and 4, plus the vpermd):
 * 1. c = (w + 2^22) >> 23 per lane (step 1 of qb__elem_avx2_encode_e8m0 for every w),
 *    packed to bytes with unsigned saturation. That is the reference's code for every x
 *    but three kinds: a positive normal gives its exponent plus the carry from 1.5 x 2^e;
 *    x from 1.5 x 2^127 up, inf, the positive NaNs and the negatives from -0 up to
 *    0xFFBFFFFF give 0xFF or more (0xFF once saturated: NaN); a subnormal below 2^-127
 *    (w < 0x400000) gives 0 and one from 1.5 x 2^-127 (0x600000) up 1, as the
 *    reference. The three kinds it gets wrong: +0 (0, not 0xFF), the negative NaNs from
 *    0xFFC00000 up (w + 2^22 wraps: 0, not 0xFF) and the subnormals in [2^-127,
 *    1.5 x 2^-127) (1, not 0): each gives a byte of 0 or 1.
 * 2. A block with a byte of 0 or 1 (vpminub, vpcmpeqb, vpmovmskb; only x below
 *    1.5 x 2^-126, +0 and those NaNs give one) is redone: its +0 and negatives made 0xFF
 *    (step 3 of qb__elem_avx2_encode_e8m0_lanes_x32: 4 operations), and if a byte of 1 is
 *    left (x in [2^-127, 1.5 x 2^-126): a subnormal may be among them) the whole exact
 *    path. Blocks of zeros among normal numbers take the first fix only.
 * 3. One vpermd puts the 128-bit halves' 4-byte groups in order.
 */
static inline void qb__elem_avx2_f32_e8m0_x32(const float* in, uint8_t* out) {
  __m256i w[4], c[4];
  for (int i = 0; i < 4; i++) {
    w[i] = _mm256_loadu_si256((const __m256i*) (in + 8 * i));
    /* 1. */
    c[i] = _mm256_srli_epi32(_mm256_add_epi32(w[i], _mm256_set1_epi32(0x400000)), 23);
  }
  __m256i b = _mm256_packus_epi16(_mm256_packus_epi32(c[0], c[1]), _mm256_packus_epi32(c[2], c[3]));
  /* 2. */
  const __m256i one = _mm256_set1_epi8(1);
  if (__builtin_expect(_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_min_epu8(b, one), b)) != 0, 0)) {
    const __m256i sg = _mm256_packs_epi16(_mm256_packs_epi32(w[0], w[1]), _mm256_packs_epi32(w[2], w[3]));
    b = _mm256_or_si256(b, _mm256_cmpgt_epi8(one, sg));
    if (_mm256_movemask_epi8(_mm256_cmpeq_epi8(b, one)) != 0) b = qb__elem_avx2_encode_e8m0_lanes_x32(w);
  }
  /* 3. */
  _mm256_storeu_si256((__m256i*) out,
                      _mm256_permutevar8x32_epi32(b, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7)));
}
static inline void qb__elem_avx2_f6e2m3_f32_x32(const uint8_t* in, float* out) {
  qb__elem_avx2_f6_f32_x32(in, out, 3, 1);
}
static inline void qb__elem_avx2_f6e3m2_f32_x32(const uint8_t* in, float* out) {
  qb__elem_avx2_f6_f32_x32(in, out, 2, 3);
}
static inline void qb__elem_avx2_f6e2m3_f32_x32_blocks(size_t nb, const uint8_t* in, float* out) {
  qb__elem_avx2_f6_f32_blocks(nb, in, out, 3, 1);
}
static inline void qb__elem_avx2_f6e3m2_f32_x32_blocks(size_t nb, const uint8_t* in, float* out) {
  qb__elem_avx2_f6_f32_blocks(nb, in, out, 2, 3);
}
/*
 * nb >= 1 blocks of 32 E8M0 codes, two per iteration, software-pipelined: each iteration
 * decodes two blocks from the codes the last one loaded and put in lane order (the
 * cross-lane vpermd), then loads and orders the next two. The loop's own
 * instructions halved pay for the separate load of qb__elem_avx2_e8m0_load_x32. Measured
 * 1.14x in L1 and 1.07-1.10x in L2 over two blocks per iteration without the pipeline
 * (README.md).
 */
static inline void qb__elem_avx2_e8m0_f32_x32_blocks(size_t nb, const uint8_t* in, float* out) {
  size_t i = 0;
  if (nb >= 2) {
    __m256i c0 = qb__elem_avx2_e8m0_load_x32(in), c1 = qb__elem_avx2_e8m0_load_x32(in + 32);
    for (i = 2; i + 2 <= nb; i += 2) {
      qb__elem_avx2_e8m0_f32_lanes_x32(c0, out + 32 * (i - 2));
      qb__elem_avx2_e8m0_f32_lanes_x32(c1, out + 32 * (i - 1));
      /* After the blocks that use them, so that they need no register copy. */
      c0 = qb__elem_avx2_e8m0_load_x32(in + 32 * i);
      c1 = qb__elem_avx2_e8m0_load_x32(in + 32 * i + 32);
    }
    qb__elem_avx2_e8m0_f32_lanes_x32(c0, out + 32 * (i - 2));
    qb__elem_avx2_e8m0_f32_lanes_x32(c1, out + 32 * (i - 1));
  }
  if (i < nb) qb__elem_avx2_e8m0_f32_x32(in + 32 * i, out + 32 * i);
}

#endif /* QB_LOWBIT_ELEM_AVX2_H */
