/*
 * AVX-512 VNNI int4 group . s8 dots (W4A8), included only by -avx512vnni- files
 * (int4g-dot.c.in). As int4g-dot-avx2.h, eight groups at a time, each group's exact int32
 * sum of (code - z) * a, the eight totals times their f16 scales (rounded once, as the
 * reference rounds them) and added to the one accumulator group by group, in order:
 * bit-exact with the scalar reference. What changes is the group sum: 64 codes per zmm,
 * vpdpbusd taking the unsigned codes (u8, 0..15) against the s8 activations directly, and
 * z * a by a second vpdpbusd of the zero point in every byte (any zero point byte: each
 * lane of that sum lies within 4 * 255 * 128 per 64 elements), where the AVX2 sums take
 * two vpmaddubsw, two s16 additions and two vpmaddwd per 32 codes. Groups of 128 go one
 * to a zmm (their lanes folded two groups to a zmm before the reduction); groups of 64 one
 * to a ymm (qb__vnni_int4g_lanes256, VEC=256 in variants.txt: 1.15x the zmm form on Zen 4,
 * paired, 8 rounds, L1 and L2, where for groups of 128 the ymm form measured 0.98-1.00x
 * (qu4g128) and 0.90-0.92x (qs4g128)); groups of 32 two to a ymm (qb__vnni_int4g_pair_lanes:
 * the AVX2 pair with vpdpbusd). Groups of 32 two to a zmm (the pair's codes zero-extended
 * by one vpmovzxbw, the two zero points spread by a vshufi64x2 and a vpshufb) measured 0.92x
 * the AVX2 kernel (paired rounds, L1), the ymm pair 1.05x.
 */
#ifndef QB_INT4G_DOT_AVX512_H
#define QB_INT4G_DOT_AVX512_H

#include <immintrin.h>
#include <stdint.h>

#include "dot/int4g-dot-avx2.h"
#include "qb/ukernel.h"

#define QB__INT4G_DOT_AVX512_INLINE static inline __attribute__((always_inline))

/* 32 packed code bytes (64 codes, element 2j in the low nibble of byte j) -> the codes in
 * element order, one per byte: zero-extended to words w_j = byte j, then (w | w << 4) &
 * 0x0F0F (one vpternlogd) puts element 2j's code in the low byte of word j and element
 * 2j + 1's in the high byte, as int4g-dot-avx2.h step 1. */
QB__INT4G_DOT_AVX512_INLINE __m512i qb__avx512_int4g_codes64(__m256i q) {
  const __m512i w = _mm512_cvtepu8_epi16(q);
  /* imm 0xA8: (A | B) & C. */
  return _mm512_ternarylogic_epi32(w, _mm512_slli_epi16(w, 4), _mm512_set1_epi16(0x0F0F), 0xA8);
}

/*
 * One group of g (a multiple of 64): 16 s32 lanes whose sum is the group's exact sum of
 * (code - z) * a, for any zero point byte z (zp points at it; NULL for the symmetric
 * codes, whose top bits are flipped first and whose z is 8, as in int4g-dot-avx2.h).
 * Per 64 codes: their unpacking (qb__avx512_int4g_codes64), vpdpbusd by the activations
 * into the code sum, vpdpbusd of z in every byte into the zero point's sum (each lane
 * within g / 16 * 255 * 128: no wrap); one subtraction per group.
 */
QB__INT4G_DOT_AVX512_INLINE __m512i qb__avx512_int4g_lanes(const uint8_t* qs, const uint8_t* zp,
                                                           const int8_t* a, unsigned g) {
  const __m512i zb = zp == NULL ? _mm512_set1_epi8(8) : _mm512_set1_epi8((char) *zp);
  __m512i cs = _mm512_setzero_si512(), zs = _mm512_setzero_si512();
  for (unsigned i = 0; i < g; i += 64) {
    __m256i q = _mm256_loadu_si256((const __m256i*) (qs + i / 2));
    if (zp == NULL) q = _mm256_xor_si256(q, _mm256_set1_epi8((char) 0x88));
    const __m512i av = _mm512_loadu_si512((const void*) (a + i));
    cs = _mm512_dpbusd_epi32(cs, qb__avx512_int4g_codes64(q), av);
    zs = _mm512_dpbusd_epi32(zs, zb, av);
  }
  return _mm512_sub_epi32(cs, zs);
}

/* Two groups' 16 lanes each (v0: group j, v1: group j + 1) -> one zmm, group j's eight
 * lanes in the low 256 bits and group j + 1's in the high 256 bits (the layout of
 * qb__hsum8_pairs' registers, on 512 bits): each group's halves added, by two vshufi64x2 and one addition. */
QB__INT4G_DOT_AVX512_INLINE __m512i qb__avx512_fold2(__m512i v0, __m512i v1) {
  return _mm512_add_epi32(_mm512_shuffle_i64x2(v0, v1, _MM_SHUFFLE(1, 0, 1, 0)),
                          _mm512_shuffle_i64x2(v0, v1, _MM_SHUFFLE(3, 2, 3, 2)));
}

/*
 * Four zmm of group pairs (register i: group 2i in the low 256 bits, 2i + 1 in the high;
 * eight lanes each) -> the eight groups' totals, lane i of the result holding group
 * order[i] = 0, 2, 4, 6, 1, 3, 5, 7 (the order of qb__hsum8_pairs, which
 * qb__int4g_scales8_order and qb__int4g_add8_lanes follow).
 * 1. Two levels of the transposing tree (unpacks of 32 and 64 bits, as qb__hsum8_pairs):
 *    128-bit lane l of r holds, in its dword i, register i's partial sum over its lane l:
 *    lanes 0 and 1 the halves of groups 0, 2, 4, 6, lanes 2 and 3 those of 1, 3, 5, 7.
 * 2. Lanes 1 and 2 swapped (vshufi64x2) and the 256-bit halves added.
 */
QB__INT4G_DOT_AVX512_INLINE __m256i qb__avx512_hsum8_pairs(const __m512i v[4]) {
  const __m512i a0 = _mm512_add_epi32(_mm512_unpacklo_epi32(v[0], v[1]), _mm512_unpackhi_epi32(v[0], v[1]));
  const __m512i a1 = _mm512_add_epi32(_mm512_unpacklo_epi32(v[2], v[3]), _mm512_unpackhi_epi32(v[2], v[3]));
  const __m512i r = _mm512_add_epi32(_mm512_unpacklo_epi64(a0, a1), _mm512_unpackhi_epi64(a0, a1));
  const __m512i s = _mm512_shuffle_i64x2(r, r, _MM_SHUFFLE(3, 1, 2, 0));
  return _mm256_add_epi32(_mm512_castsi512_si256(s), _mm512_extracti64x4_epi64(s, 1));
}

/*
 * Two adjacent asymmetric groups of 32 in one ymm, as qb__avx2_int4g_pair_lanes (the same
 * loads, blends and nibble unpacking: group j in the low 128 bits, group j + 1 in the high
 * 128 bits), the sums by vpdpbusd: two of the codes by the activations, two of the zero
 * points (one vpshufb puts each half's zero point in every byte of that half) by the same
 * activations, and one subtraction, where the AVX2 pair takes four vpmaddubsw, two s16
 * additions, two vpmaddwd and one subtraction.
 */
QB__INT4G_DOT_AVX512_INLINE __m256i qb__vnni_int4g_pair_lanes(const qb_group_qu4g32* grp, const int8_t* a) {
  _Static_assert(sizeof(qb_group_qu4g32) == 19, "the offsets below are those of 19-byte groups");
  const uint8_t* p = (const uint8_t*) grp;
  const __m256i m = _mm256_set1_epi8(15);
  const __m256i q = _mm256_blend_epi32(_mm256_loadu_si256((const __m256i*) (p + 3)),
                                       _mm256_loadu_si256((const __m256i*) (p + 6)), 0xF0);
  const __m256i lo = _mm256_and_si256(q, m), hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), m);
  const __m256i c0 = _mm256_unpacklo_epi8(lo, hi), c1 = _mm256_unpackhi_epi8(lo, hi);
  __m256i a16 = _mm256_loadu_si256((const __m256i*) (a + 16));
  /* a + 16 read once, into a register: left alone, GCC folds its load into both blends. */
  __asm__("" : "+v"(a16));
  const __m256i v0 = _mm256_blend_epi32(_mm256_loadu_si256((const __m256i*) a), a16, 0xF0);
  const __m256i v1 = _mm256_blend_epi32(a16, _mm256_loadu_si256((const __m256i*) (a + 32)), 0xF0);
  const __m256i zb =
      _mm256_shuffle_epi8(_mm256_loadu_si256((const __m256i*) (p + 2)),
                          _mm256_setr_epi32(0, 0, 0, 0, 0x03030303, 0x03030303, 0x03030303, 0x03030303));
  const __m256i zero = _mm256_setzero_si256();
  const __m256i cs = _mm256_dpbusd_epi32(_mm256_dpbusd_epi32(zero, c0, v0), c1, v1);
  return _mm256_sub_epi32(cs, _mm256_dpbusd_epi32(_mm256_dpbusd_epi32(zero, zb, v0), zb, v1));
}

/* As qb__avx512_int4g_lanes on ymm (AVX-512VL): 8 s32 lanes per group, per 32 codes one
 * vpmovzxbw of their 16 bytes, vpsllw, vpternlogd and two 256-bit vpdpbusd. */
QB__INT4G_DOT_AVX512_INLINE __m256i qb__vnni_int4g_lanes256(const uint8_t* qs, const uint8_t* zp,
                                                            const int8_t* a, unsigned g) {
  const __m256i zb = zp == NULL ? _mm256_set1_epi8(8) : _mm256_set1_epi8((char) *zp);
  __m256i cs = _mm256_setzero_si256(), zs = _mm256_setzero_si256();
  for (unsigned i = 0; i < g; i += 32) {
    __m128i q = _mm_loadu_si128((const __m128i*) (qs + i / 2));
    if (zp == NULL) q = _mm_xor_si128(q, _mm_set1_epi8((char) 0x88));
    const __m256i w = _mm256_cvtepu8_epi16(q);
    const __m256i c = _mm256_ternarylogic_epi32(w, _mm256_slli_epi16(w, 4), _mm256_set1_epi16(0x0F0F), 0xA8);
    const __m256i av = _mm256_loadu_si256((const __m256i*) (a + i));
    cs = _mm256_dpbusd_epi32(cs, c, av);
    zs = _mm256_dpbusd_epi32(zs, zb, av);
  }
  return _mm256_sub_epi32(cs, zs);
}

/* Two groups' 8 lanes each -> the pair layout of qb__hsum8_pairs' registers (group j's
 * four sums in the low half, j + 1's in the high half): two vperm2i128 and one addition. */
QB__INT4G_DOT_AVX512_INLINE __m256i qb__fold2_256(__m256i v0, __m256i v1) {
  return _mm256_add_epi32(_mm256_permute2x128_si256(v0, v1, 0x20), _mm256_permute2x128_si256(v0, v1, 0x31));
}

/* acc + p[lane[0]] + p[lane[1]] + ... + p[lane[7]], left to right, as qb__int4g_add8_lanes,
 * each term brought to lane 0 by one valignd (lane 0 as it is), where qb__int4g_add8_lanes
 * stores the vector and reads the terms back. The groups of 32 (the pair kernel) take
 * this: their chain of additions (three cycles per group on Zen 4, 24 of the loop's ~30
 * cycles per eight groups) is most of their time, and the store and eight loads sat
 * between the products and the chain; paired on Zen 4, 10 rounds, 1.08x in L1 and 1.04x
 * at L2 size (qu4g32s8 avx512vnni_u256). For groups of 64 and 128 the seven shuffles cost more
 * than they save (0.97x, qu4g64s8 avx512vnni_u512, in-process harness), so those keep the
 * store. */
QB__INT4G_DOT_AVX512_INLINE float qb__avx512_int4g_add8_lanes(float acc, __m256 p, const int lane[8]) {
  const __m256i v = _mm256_castps_si256(p);
  const __m256i t[8] = {v,
                        _mm256_alignr_epi32(v, v, 1),
                        _mm256_alignr_epi32(v, v, 2),
                        _mm256_alignr_epi32(v, v, 3),
                        _mm256_alignr_epi32(v, v, 4),
                        _mm256_alignr_epi32(v, v, 5),
                        _mm256_alignr_epi32(v, v, 6),
                        _mm256_alignr_epi32(v, v, 7)};
  for (int i = 0; i < 8; i++) {
    acc += _mm256_cvtss_f32(_mm256_castsi256_ps(t[lane[i]]));
  }
  return acc;
}

#endif /* QB_INT4G_DOT_AVX512_H */
