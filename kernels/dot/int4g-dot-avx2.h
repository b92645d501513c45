/*
 * AVX2 int4 group . s8 dots (W4A8; kernels/quant/README.md "int4 groups"), included only
 * by -avx2- files (int4g-dot.c.in). Eight groups at a time, as the exact block dots of
 * qblock-dot-avx2.h: each group's exact int32 sum of (code - z) * a in 8 lanes, the
 * eight groups' lanes reduced to one vector of eight totals by one transposing tree,
 * converted to f32 (exact: |isum| <= 128 * 255 * 128 < 2^24), multiplied by the eight
 * f16 scales widened by one vcvtph2ps (each product rounded once, as the reference's
 * (float) isum * s), then added to the one f32 accumulator group by group, in order:
 * bit-exact with the scalar reference. Symmetric codes s4(c) = (c ^ 8) - 8: z = 8 on the
 * codes with their top bit flipped. Groups of 32 go two to a register
 * (qb__avx2_int4g_pair_lanes), larger groups one (qb__avx2_int4g_lanes).
 */
#ifndef QB_INT4G_DOT_AVX2_H
#define QB_INT4G_DOT_AVX2_H

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "dot/qblock-dot-avx2.h"
#include "qb/ukernel.h"

#define QB__INT4G_DOT_AVX2_INLINE static inline __attribute__((always_inline))

/*
 * One group of g (a multiple of 32): 8 s32 lanes whose sum is the group's exact
 * sum of (code - z) * a, for any zero point byte z (zp points at it; NULL for the
 * symmetric codes, whose z is 8).
 * 1. 16 packed bytes (32 codes, element 2j in the low nibble of byte j) zero-extended to
 *    16-bit words w_j = byte j; (w | w << 4) & 0x0F0F puts element 2j's code in the low
 *    byte of word j and element 2j + 1's in the high byte: the codes in element order,
 *    with no byte shuffle beyond the widening.
 * 2. vpmaddubsw of the codes (u8, 0..15) by the activations (s8) and of ones by the
 *    activations: pairs within 2 * 15 * 128 and 2 * 128, summed over the group's
 *    g / 32 chunks in s16 (at most 4 * 3840 for g = 128): never saturating or wrapping.
 * 3. vpmaddwd widens: sum(code * a) by ones, z * sum(a) by z in every word (pairs within
 *    2 * 4 * 256 * 255), and the difference is the group's sum, lane by lane. z in every
 *    word comes from one vpbroadcastw of the 16 bits at zp (z and the first code byte)
 *    and an and with 0x00FF, where a byte load, vmovd and a broadcast from a register
 *    took three instructions.
 */
QB__INT4G_DOT_AVX2_INLINE __m256i qb__avx2_int4g_lanes(const uint8_t* qs, const uint8_t* zp, const int8_t* a,
                                                       unsigned g) {
  const __m256i nib = _mm256_set1_epi16(0x0F0F);
  const __m256i ones8 = _mm256_set1_epi8(1);
  __m256i ca = _mm256_setzero_si256(), sa = _mm256_setzero_si256();
  for (unsigned i = 0; i < g; i += 32) {
    const __m256i w = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i*) (qs + i / 2)));
    __m256i c = _mm256_and_si256(_mm256_or_si256(w, _mm256_slli_epi16(w, 4)), nib);
    if (zp == NULL) c = _mm256_xor_si256(c, _mm256_set1_epi8(8));
    const __m256i av = _mm256_loadu_si256((const __m256i*) (a + i));
    ca = _mm256_add_epi16(ca, _mm256_maddubs_epi16(c, av));
    sa = _mm256_add_epi16(sa, _mm256_maddubs_epi16(ones8, av));
  }
  const __m256i zw =
      zp == NULL ? _mm256_set1_epi16(8)
                 : _mm256_and_si256(_mm256_broadcastw_epi16(_mm_loadu_si16(zp)), _mm256_set1_epi16(0x00FF));
  return _mm256_sub_epi32(_mm256_madd_epi16(ca, _mm256_set1_epi16(1)), _mm256_madd_epi16(sa, zw));
}

/*
 * Two adjacent asymmetric groups of 32, j and j + 1 (grp points at group j; a at its 32
 * activations, group j + 1's follow), in one register: 8 s32 lanes, the low four summing
 * to group j's exact sum of (code - z) * a, the high four to group j + 1's, for any zero
 * point byte. Two groups per register halve the operations that act on the group as a
 * whole (the widening vpmaddwd pair and their difference, the zero points) and the
 * transposing reduction after (qb__hsum8_pairs: 9 operations for eight groups where one
 * group per register takes 21). Adjacent groups (j and j + 1, where j and j + 4 took
 * 16-byte inserts): every 128-bit half comes from overlapping 32-byte loads by blends
 * (vpblendd, any vector pipe), and both zero points from one load (measured 1.04-1.06x
 * the pairs j, j + 4 on Zen 3). The eight totals come out in the lane order 0, 2, 4, 6,
 * 1, 3, 5, 7 (qb__hsum8_pairs), which the scales and the in-order additions follow.
 * 1. The 16 code bytes of each group in one 128-bit half (a blend of two overlapping
 *    32-byte loads inside the pair's 38 bytes): q & 0x0F holds the even elements' codes,
 *    (q >> 4) & 0x0F the odd ones', and their byte unpacks (low, high) put the codes of
 *    elements 0..15 and 16..31 of each group in element order, half by half.
 * 2. The activations in the same halves: elements 0..15 of both groups by a blend of the
 *    loads at a and a + 16, elements 16..31 by a blend of those at a + 16 and a + 32.
 *    vpmaddubsw by the codes and by ones: pairs within 2 * 15 * 128 and 2 * 128, two per
 *    group summed in s16: never saturating or wrapping.
 * 3. vpmaddwd widens: sum(code * a) by ones, z * sum(a) by z in every word of its half
 *    (pairs within 2 * 4 * 128 * 255): both zero points from one 32-byte load at group
 *    j's (byte 0: z of group j; byte 19, byte 3 of the high half: z of group j + 1) and
 *    one vpshufb that puts each half's zero point in every word of that half.
 */
QB__INT4G_DOT_AVX2_INLINE __m256i qb__avx2_int4g_pair_lanes(const qb_group_qu4g32* grp, const int8_t* a) {
  _Static_assert(sizeof(qb_group_qu4g32) == 19, "the offsets below are those of 19-byte groups");
  const uint8_t* p = (const uint8_t*) grp;
  const __m256i m = _mm256_set1_epi8(15);
  const __m256i ones8 = _mm256_set1_epi8(1);
  /* Group j's codes at p + 3, group j + 1's at p + 22: the high half of the load at p + 6. */
  const __m256i q = _mm256_blend_epi32(_mm256_loadu_si256((const __m256i*) (p + 3)),
                                       _mm256_loadu_si256((const __m256i*) (p + 6)), 0xF0);
  const __m256i lo = _mm256_and_si256(q, m), hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), m);
  const __m256i c0 = _mm256_unpacklo_epi8(lo, hi), c1 = _mm256_unpackhi_epi8(lo, hi);
  const __m256i a16 = _mm256_loadu_si256((const __m256i*) (a + 16));
  const __m256i v0 = _mm256_blend_epi32(_mm256_loadu_si256((const __m256i*) a), a16, 0xF0);
  const __m256i v1 = _mm256_blend_epi32(a16, _mm256_loadu_si256((const __m256i*) (a + 32)), 0xF0);
  const __m256i ca = _mm256_add_epi16(_mm256_maddubs_epi16(c0, v0), _mm256_maddubs_epi16(c1, v1));
  const __m256i sa = _mm256_add_epi16(_mm256_maddubs_epi16(ones8, v0), _mm256_maddubs_epi16(ones8, v1));
  /* Group j's zero point at p + 2, group j + 1's at p + 21: bytes 0 and 3 of the halves of the load at p + 2.
   */
  const char x = (char) 0x80;
  const __m256i zw = _mm256_shuffle_epi8(_mm256_loadu_si256((const __m256i*) (p + 2)),
                                         _mm256_setr_epi8(0, x, 0, x, 0, x, 0, x, 0, x, 0, x, 0, x, 0, x, 3,
                                                          x, 3, x, 3, x, 3, x, 3, x, 3, x, 3, x, 3, x));
  return _mm256_sub_epi32(_mm256_madd_epi16(ca, _mm256_set1_epi16(1)), _mm256_madd_epi16(sa, zw));
}

/*
 * The f16 scales of eight groups `stride` bytes apart, widened exactly to f32, lane i
 * holding group order[i]'s: as qb__scales8 (four 32-bit loads, each ending at one
 * group's scale, and four movw of another's into their low halves, packed into two
 * 64-bit words; one vcvtph2ps), in any order of the groups. order[2 i + 1] must not be 0
 * (the 32-bit load starts two bytes before its group's scale).
 */
QB__INT4G_DOT_AVX2_INLINE __m256 qb__int4g_scales8_order(const void* base, size_t stride,
                                                         const int order[8]) {
  const unsigned char* p = (const unsigned char*) base;
  uint64_t w[4];
  for (int i = 0; i < 4; i++) {
    uint32_t v;
    memcpy(&v, p + (size_t) order[2 * i + 1] * stride - 2, sizeof v);
    __asm__("movw %1, %w0"
            : "+r"(v)
            : "m"(*(const uint16_t*) (const void*) (p + (size_t) order[2 * i] * stride)));
    w[i] = v;
  }
  uint64_t lo = w[0] | w[1] << 32, hi = w[2] | w[3] << 32;
  __asm__("" : "+r"(lo), "+r"(hi));
  return _mm256_cvtph_ps(_mm_set_epi64x((long long) hi, (long long) lo));
}

/* One group's exact int32 sum (the tail groups). */
QB__INT4G_DOT_AVX2_INLINE int32_t qb__avx2_int4g_isum(const uint8_t* qs, const uint8_t* zp, const int8_t* a,
                                                      unsigned g) {
  const __m256i v = qb__avx2_int4g_lanes(qs, zp, a, g);
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_unpackhi_epi64(s, s));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm_cvtsi128_si32(s);
}

/* One group's f16 scale, widened exactly. */
QB__INT4G_DOT_AVX2_INLINE float qb__avx2_int4g_scale(const uint8_t* d) {
  uint16_t h;
  memcpy(&h, d, 2);
  return _mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtsi32_si128(h)));
}

/* acc + p[0] + p[1] + ... + p[7], left to right: eight dependent f32 additions. The
 * vector is stored once and each addition reads its term from memory (vaddss with a
 * memory operand), where extracting the lanes took seven shuffles; the loads do not
 * depend on acc, so the chain is the eight additions alone. */
QB__INT4G_DOT_AVX2_INLINE float qb__int4g_add8_in_order(float acc, __m256 p) {
  float t[8];
  _mm256_storeu_ps(t, p);
  /* Without this the compiler sees through the store and extracts the lanes again. */
  __asm__("" : "+m"(t));
  for (int i = 0; i < 8; i++) acc += t[i];
  return acc;
}

/* acc + p[lane[0]] + p[lane[1]] + ... + p[lane[7]], left to right: as
 * qb__int4g_add8_in_order, the terms read from the lanes given. */
QB__INT4G_DOT_AVX2_INLINE float qb__int4g_add8_lanes(float acc, __m256 p, const int lane[8]) {
  float t[8];
  _mm256_storeu_ps(t, p);
  __asm__("" : "+m"(t));
  for (int i = 0; i < 8; i++) acc += t[lane[i]];
  return acc;
}

#endif /* QB_INT4G_DOT_AVX2_H */
