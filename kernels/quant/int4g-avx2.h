/*
 * AVX2 (+FMA, F16C) groups of int4 group quantization (int4g-scalar.h gives the semantics),
 * included only by -avx2- files; the group length g (a multiple of 32) is a parameter, so
 * that one function serves qu4g32, qu4g64, qu4g128 and qs4g128. Bit-exact with the
 * reference: the range by integer maxima of the float bits (qb__avx2_int4g_acc), the scale
 * rounded to f16 by F16C (vcvtps2ph, nearest even, as qb_f32_to_f16_bits), the zero point
 * by the reference's division, then the codes as round_even(x / s) by one multiplication
 * and one FMA that give fl(x / s) itself (qb__avx2_int4g_round8); a group holding a NaN or
 * an infinity, or whose scale is 0 or beyond f16, through the scalar reference.
 */
#ifndef QB_INT4G_AVX2_H
#define QB_INT4G_AVX2_H

#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "qb/ukernel.h"
#include "quant/int4g-scalar.h"

#define QB__INT4G_AVX2_INLINE static inline __attribute__((always_inline))

/*
 * The codes round_even(x / s) of a true f32 division, by one multiplication and one FMA:
 * with rh = fl(1 / s), rl = fl(fl(1 - rh s) * rh) (1 - rh s is exact in one FMA),
 * t = fma(x, rh, fl(x * rl)) is fl(x / s) itself, bit for bit, for every f32 x and every
 * f16 scale s > 0 (normal or subnormal; the callers keep |x / s| <= 23, so nothing
 * overflows):
 * 1. rh + rl = (1 / s)(1 + e) with |e| < 3 * 2^-48, and fl(x * rl) adds at most 2^-48 |x / s|,
 *    so the FMA rounds, once, a value y with |y - x / s| < 2^-46 |x / s|.
 * 2. x / s is never a midpoint between two floats: x = X 2^a and s = S 2^b with odd X < 2^24
 *    and odd S < 2^11, and a midpoint's odd part has 25 bits, so x / s = (odd) 2^k would need
 *    X = (odd >= 2^24 + 1) * S. Nor is it near one: x / s - m (m a midpoint in [2^p, 2^(p+1)))
 *    is a nonzero multiple of 2^(p - 24) / S, so |x / s - m| >= 2^(p - 35) > |y - x / s|.
 * 3. So y and x / s lie strictly between the same two midpoints: fl(y) = fl(x / s). Where
 *    x / s is tiny (|x / s| < 1/4) fl(x * rl) may be subnormal or 0 but t stays below 1/2, as
 *    x / s does: the code is 0 either way.
 * An exhaustive check (every f16 mantissa against every f32 mantissa, 2^33 pairs; every f16
 * scale against every x within 200 ulps of a half-integer multiple of it) found no
 * difference. vcvtps2dq then rounds t to nearest even (the default MXCSR mode, which the
 * reference's division assumes too). So the codes need no check near the half-integers,
 * where fl(x * rh) alone differs from fl(x / s) for about a quarter of all mantissa pairs
 * and gives another code for some x with 564 of the 1024 f16 mantissas.
 */

/* One group's parameters for its codes: rh, rl and z + 112 in bytes (broadcast). */
typedef struct {
  __m256 rh, rl;
  __m256i z;
} qb__avx2_int4g_par;

/* Eight codes of x (rounded, int32): the step above. */
QB__INT4G_AVX2_INLINE __m256i qb__avx2_int4g_round8(const float* x, const qb__avx2_int4g_par* p) {
  const __m256 v = _mm256_loadu_ps(x);
  return _mm256_cvtps_epi32(_mm256_fmadd_ps(v, p->rh, _mm256_mul_ps(v, p->rl)));
}

/*
 * How a group's rounded codes c become its nibbles (qb__avx2_int4g_bytes32 and the packing
 * functions after it), chosen per group from its format and its parameters:
 * - QB__INT4G_ASYM: an asymmetric group: clamp(c + z, 0, 15);
 * - QB__INT4G_SYM_CLAMPED: a symmetric group whose scale is an f16 subnormal (coarser than
 *   amax / 7, so |c| up to 10): z = 8, the code clamp(c + 8, 0, 15), whose low nibble xor 8
 *   is the two's complement nibble of c (the xor comes after the packing);
 * - QB__INT4G_SYM_NORMAL: a symmetric group whose scale is a normal f16 (qb__avx2_int4g_par8:
 *   every code in [-7, 7], no clamp): the low nibble of c itself.
 */
typedef enum { QB__INT4G_ASYM = 0, QB__INT4G_SYM_CLAMPED = 1, QB__INT4G_SYM_NORMAL = 2 } qb__avx2_int4g_mode;

/*
 * 32 values at x -> 32 bytes of biased codes clamp(c + z, 0, 15) (QB__INT4G_SYM_CLAMPED:
 * z = 8), in the order of vpackssdw / vpacksswb across the four vectors (4-element units 0,
 * 2, 4, 6, 1, 3, 5, 7): the signed packs (|c| <= 23: exact), then both clamps by two
 * saturations: c + z + 112 saturates at 127 exactly where c + z >= 15, and subtracting 112
 * unsigned saturates at 0 exactly where c + z < 0 (p->z holds z + 112). 3 instructions for
 * 32 codes' + z and clamp. QB__INT4G_SYM_NORMAL: the low nibble of c itself by one vpand.
 */
QB__INT4G_AVX2_INLINE __m256i qb__avx2_int4g_bytes32(const float* x, const qb__avx2_int4g_par* p,
                                                     const qb__avx2_int4g_mode mode) {
  __m256i c[4];
#pragma GCC unroll 4
  for (int k = 0; k < 4; k++) c[k] = qb__avx2_int4g_round8(x + 8 * k, p);
  const __m256i w = _mm256_packs_epi16(_mm256_packs_epi32(c[0], c[1]), _mm256_packs_epi32(c[2], c[3]));
  if (mode == QB__INT4G_SYM_NORMAL) return _mm256_and_si256(w, _mm256_set1_epi8(15));
  return _mm256_subs_epu8(_mm256_adds_epi8(w, p->z), _mm256_set1_epi8(112));
}

/* 32 codes of one group (qb__avx2_int4g_bytes32) -> 16 bytes at out, element 2j in the low
 * nibble of byte j: the 4-element units back in order (vpermd), each byte pair summed as
 * c[2j] + 16 c[2j + 1] by vpmaddubsw, and narrowed. */
QB__INT4G_AVX2_INLINE void qb__avx2_int4g_quant32(const float* x, const qb__avx2_int4g_par* p,
                                                  const qb__avx2_int4g_mode mode, uint8_t* out) {
  const __m256i b = _mm256_permutevar8x32_epi32(qb__avx2_int4g_bytes32(x, p, mode),
                                                _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
  const __m256i pairs = _mm256_maddubs_epi16(b, _mm256_set1_epi16(0x1001));
  const __m128i o = _mm_packus_epi16(_mm256_castsi256_si128(pairs), _mm256_extracti128_si256(pairs, 1));
  _mm_storeu_si128((__m128i*) out,
                   mode == QB__INT4G_SYM_CLAMPED ? _mm_xor_si128(o, _mm_set1_epi8((char) 0x88)) : o);
}

/*
 * 64 codes, 32 at xa (parameters pa) and 32 at xb (pb) -> 16 bytes at oa and 16 at ob (one
 * 32-byte store where ob == oa + 16, `joined`): two qb__avx2_int4g_bytes32, their byte
 * pairs summed by vpmaddubsw and packed together, then the 2-byte units (one per 4
 * elements) put in order by one vpermq and one vpshufb: 6 instructions for the 64 codes'
 * packing where two qb__avx2_int4g_quant32 take 10.
 */
QB__INT4G_AVX2_INLINE void qb__avx2_int4g_codes64(const float* xa, const qb__avx2_int4g_par* pa,
                                                  const float* xb, const qb__avx2_int4g_par* pb,
                                                  const qb__avx2_int4g_mode mode, uint8_t* oa, uint8_t* ob,
                                                  const int joined) {
  const __m256i m = _mm256_set1_epi16(0x1001);
  const __m256i w = _mm256_packus_epi16(_mm256_maddubs_epi16(qb__avx2_int4g_bytes32(xa, pa, mode), m),
                                        _mm256_maddubs_epi16(qb__avx2_int4g_bytes32(xb, pb, mode), m));
  /* w's 2-byte units (A = xa's, B = xb's; i = elements 4i .. 4i + 3): A0 A2 A4 A6 B0 B2 B4 B6 |
   * A1 A3 A5 A7 B1 B3 B5 B7; vpermq (0, 2, 1, 3) gives A0 A2 A4 A6 A1 A3 A5 A7 | B..., and the
   * vpshufb interleaves each lane's halves. */
  const __m256i q = _mm256_permute4x64_epi64(w, 0xD8);
  const __m256i idx = _mm256_setr_epi8(0, 1, 8, 9, 2, 3, 10, 11, 4, 5, 12, 13, 6, 7, 14, 15, 0, 1, 8, 9, 2, 3,
                                       10, 11, 4, 5, 12, 13, 6, 7, 14, 15);
  __m256i o = _mm256_shuffle_epi8(q, idx);
  if (mode == QB__INT4G_SYM_CLAMPED) o = _mm256_xor_si256(o, _mm256_set1_epi8((char) 0x88));
  if (joined) {
    _mm256_storeu_si256((__m256i*) oa, o);
  } else {
    _mm_storeu_si128((__m128i*) oa, _mm256_castsi256_si128(o));
    _mm_storeu_si128((__m128i*) ob, _mm256_extracti128_si256(o, 1));
  }
}

/* One group's codes (g values at x, g / 2 bytes at qs). */
QB__INT4G_AVX2_INLINE void qb__avx2_int4g_codes(const float* x, unsigned g, const qb__avx2_int4g_par* p,
                                                const qb__avx2_int4g_mode mode, uint8_t* qs) {
  if (g == 32) {
    qb__avx2_int4g_quant32(x, p, mode, qs);
    return;
  }
  for (unsigned i = 0; i < g; i += 64)
    qb__avx2_int4g_codes64(x + i, p, x + i + 32, p, mode, qs + i / 2, NULL, 1);
}

/* A symmetric group's codes with the clamp (QB__INT4G_SYM_CLAMPED), out of line: only a
 * group whose scale is an f16 subnormal needs it. */
__attribute__((noinline, cold, unused)) static void qb__avx2_int4g_codes_clamped(const float* x, unsigned g,
                                                                                 const qb__avx2_int4g_par* p,
                                                                                 uint8_t* qs) {
  qb__avx2_int4g_codes(x, g, p, QB__INT4G_SYM_CLAMPED, qs);
}

/* One group's codes in the mode its format (sym: 0 asymmetric, 1 symmetric) and its
 * parameters allow: a symmetric group with `sub` (its scale an f16 subnormal) with the
 * clamp, any other without. */
QB__INT4G_AVX2_INLINE void qb__avx2_int4g_codes_any(const float* x, unsigned g, const qb__avx2_int4g_par* p,
                                                    const int sym, const int sub, uint8_t* qs) {
  if (!sym) {
    qb__avx2_int4g_codes(x, g, p, QB__INT4G_ASYM, qs);
  } else if (__builtin_expect(sub, 0)) {
    qb__avx2_int4g_codes_clamped(x, g, p, qs);
  } else {
    qb__avx2_int4g_codes(x, g, p, QB__INT4G_SYM_NORMAL, qs);
  }
}

/*
 * Eight accumulators (group k's in a[k]) -> one vector of the eight groups' maxima, signed
 * (is_signed) or unsigned 32-bit, group k in lane k / 2 + 4 * (k % 2): three shuffle levels
 * (as qblock-avx2.h's qb__avx2_hmax8x8).
 */
QB__INT4G_AVX2_INLINE __m256i qb__avx2_int4g_red8(const __m256i* a, const int is_signed) {
#define QB__OP(u, v) (is_signed ? _mm256_max_epi32(u, v) : _mm256_max_epu32(u, v))
#define QB__SHUF(u, v, imm) \
  _mm256_castps_si256(_mm256_shuffle_ps(_mm256_castsi256_ps(u), _mm256_castsi256_ps(v), imm))
  __m256i p[4];
#pragma GCC unroll 4
  for (int j = 0; j < 4; j++) {
    p[j] = QB__OP(_mm256_permute2x128_si256(a[2 * j], a[2 * j + 1], 0x20),
                  _mm256_permute2x128_si256(a[2 * j], a[2 * j + 1], 0x31));
  }
  const __m256i q0 = QB__OP(QB__SHUF(p[0], p[1], 0x44), QB__SHUF(p[0], p[1], 0xEE));
  const __m256i q1 = QB__OP(QB__SHUF(p[2], p[3], 0x44), QB__SHUF(p[2], p[3], 0xEE));
  return QB__OP(QB__SHUF(q0, q1, 0x88), QB__SHUF(q0, q1, 0xDD));
#undef QB__SHUF
#undef QB__OP
}

/* One accumulator -> its maximum (signed or unsigned 32-bit) in every lane. */
QB__INT4G_AVX2_INLINE __m256i qb__avx2_int4g_red1(__m256i a, const int is_signed) {
#define QB__OP(u, v) (is_signed ? _mm256_max_epi32(u, v) : _mm256_max_epu32(u, v))
  a = QB__OP(a, _mm256_permute2x128_si256(a, a, 0x01));
  a = QB__OP(a, _mm256_shuffle_epi32(a, 0x4E));
  return QB__OP(a, _mm256_shuffle_epi32(a, 0xB1));
#undef QB__OP
}

/*
 * The range of g values at x on the float bits, by integer maxima (which leave the floating
 * point ports to the codes): hi's bits = max over the signed bits and 0 (negative floats
 * are negative integers; +inf above every finite value; a positive NaN above +inf), lo's
 * bits = max over the unsigned bits and 0 (a negative float's magnitude grows with its bits;
 * -inf above every finite value, a negative NaN above -inf; without a negative value, some
 * positive one or 0). Symmetric: the signed maximum of the bits with the sign cleared.
 * NaN is not skipped here, it shows in the result (qb__avx2_int4g_par8). The accumulators
 * start from the first vector, not from 0: the unsigned maximum with 0 changes nothing (0
 * is the least), nor does the signed one of |x| bits, and the asymmetric hi's maximum with
 * 0 is taken once after the reduction (qb__avx2_int4g_hi0), where it costs one
 * instruction per eight groups instead of one per group.
 */
QB__INT4G_AVX2_INLINE void qb__avx2_int4g_acc(const float* x, unsigned g, const int sym, __m256i* hb,
                                              __m256i* lb) {
  const __m256i absm = _mm256_set1_epi32(0x7FFFFFFF);
  const __m256i v0 = _mm256_loadu_si256((const __m256i*) x);
  __m256i h = sym ? _mm256_and_si256(v0, absm) : v0, l = v0;
  for (unsigned i = 8; i < g; i += 8) {
    const __m256i v = _mm256_loadu_si256((const __m256i*) (x + i));
    if (sym) {
      h = _mm256_max_epi32(h, _mm256_and_si256(v, absm));
    } else {
      h = _mm256_max_epi32(h, v);
      l = _mm256_max_epu32(l, v);
    }
  }
  *hb = h;
  *lb = l;
}

/* A reduced hi (qb__avx2_int4g_acc) with the maximum with 0 (asymmetric). Without it an
 * all-negative group's hi would be its most negative value (the largest signed bits), its
 * scale 0, and the group would go through the reference: the same bytes, slowly (so the
 * tests cannot see it missing). */
QB__INT4G_AVX2_INLINE __m256i qb__avx2_int4g_hi0(__m256i h, const int sym) {
  return sym ? h : _mm256_max_epi32(h, _mm256_setzero_si256());
}

/* The ranges of the eight groups of g at x (qb__avx2_int4g_acc), group k's in lane
 * k / 2 + 4 * (k % 2). */
QB__INT4G_AVX2_INLINE void qb__avx2_int4g_range8(const float* x, unsigned g, const int sym, __m256i* hb,
                                                 __m256i* lb) {
  __m256i h[8], l[8];
#pragma GCC unroll 8
  for (int k = 0; k < 8; k++) qb__avx2_int4g_acc(x + k * g, g, sym, &h[k], &l[k]);
  *hb = qb__avx2_int4g_hi0(qb__avx2_int4g_red8(h, 1), sym);
  *lb = sym ? _mm256_setzero_si256() : qb__avx2_int4g_red8(l, 0);
}

/*
 * Eight groups' parameters (one per lane) from their range bits: the steps of
 * qb__int4g_quant_group (asymmetric) or qb__int4g_quant_group_sym in vectors:
 * 1. hi = the bits of hb; lo = the bits of lb where negative, else +0 (lo = -0 only from
 *    -0 values: the reference's lo = +0 gives the same scale, zero point and codes);
 *    both 0 -> -1, 1; symmetric: amax = the bits of hb;
 * 2. s = f16((hi - lo) / 15) or f16(amax / 7) by a vector division and vcvtps2ph (nearest
 *    even, as qb_f32_to_f16_bits), and back;
 * 3. z = clamp(round_even(-lo / s), 0, 15) by a division and vroundps; rh = 1 / s by
 *    another; rl = (1 - rh s) rh (the FMA exact, above).
 * A group whose s is not finite and > 0 (s = 0: a tiny range; inf: an infinity or a range
 * beyond f16; NaN: a NaN in the group, above) is flagged in *special: the caller runs the
 * scalar reference on it, which is exact for every input. Otherwise every value is finite
 * and |x / s| <= 22.5 (s >= 2^-24 is at least 2/3 of (hi - lo) / 15; symmetric 10.5).
 */
QB__INT4G_AVX2_INLINE void qb__avx2_int4g_par8(__m256i hb, __m256i lb, const int sym, uint16_t* d, float* rh,
                                               float* rl, int16_t* z, int32_t* zb, int* special, int* sub) {
  const __m256 zero = _mm256_setzero_ps();
  __m128i sh;
  __m256 zf = _mm256_set1_ps(8.0f); /* symmetric: the codes biased by 8 (qb__avx2_int4g_bytes32) */
  if (sym) {
    sh = _mm256_cvtps_ph(_mm256_div_ps(_mm256_castsi256_ps(hb), _mm256_set1_ps(7.0f)),
                         _MM_FROUND_TO_NEAREST_INT);
  } else {
    __m256 h = _mm256_castsi256_ps(hb);
    __m256 l = _mm256_castsi256_ps(_mm256_and_si256(lb, _mm256_srai_epi32(lb, 31)));
    const __m256 both0 =
        _mm256_and_ps(_mm256_cmp_ps(l, zero, _CMP_EQ_OQ), _mm256_cmp_ps(h, zero, _CMP_EQ_OQ));
    l = _mm256_blendv_ps(l, _mm256_set1_ps(-1.0f), both0);
    h = _mm256_blendv_ps(h, _mm256_set1_ps(1.0f), both0);
    sh =
        _mm256_cvtps_ph(_mm256_div_ps(_mm256_sub_ps(h, l), _mm256_set1_ps(15.0f)), _MM_FROUND_TO_NEAREST_INT);
    zf = _mm256_div_ps(_mm256_xor_ps(l, _mm256_set1_ps(-0.0f)), _mm256_cvtph_ps(sh));
    zf = _mm256_round_ps(zf, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    zf = _mm256_min_ps(_mm256_max_ps(zf, zero), _mm256_set1_ps(15.0f)); /* NaN (special) -> 15 */
  }
  const __m256 s = _mm256_cvtph_ps(sh);
  const __m256 r = _mm256_div_ps(_mm256_set1_ps(1.0f), s);
  const __m256 ok = _mm256_and_ps(_mm256_cmp_ps(s, zero, _CMP_GT_OQ),
                                  _mm256_cmp_ps(s, _mm256_set1_ps(INFINITY), _CMP_LT_OQ));
  *special = ~_mm256_movemask_ps(ok) & 0xFF;
  /* Symmetric: s >= 2^-14 (a normal f16) is at least fl(amax / 7) (1 - 2^-11), so |x / s|
   * <= 7 (1 + 2^-10) and every code is in [-7, 7]: no clamp (qb__avx2_int4g_bytes32). A
   * subnormal s is coarser (|x / s| up to 10.5): those groups keep the clamp. */
  *sub = sym ? _mm256_movemask_ps(_mm256_cmp_ps(s, _mm256_set1_ps(0x1p-14f), _CMP_LT_OQ)) : 0;
  _mm_storeu_si128((__m128i*) d, sh);
  _mm256_storeu_ps(rh, r);
  _mm256_storeu_ps(rl, _mm256_mul_ps(_mm256_fnmadd_ps(r, s, _mm256_set1_ps(1.0f)), r));
  const __m256i zi = _mm256_cvttps_epi32(zf);
  /* z + 112 in each byte, for a broadcast load (no shuffle) per group. */
  _mm256_storeu_si256((__m256i*) zb, _mm256_mullo_epi32(_mm256_add_epi32(zi, _mm256_set1_epi32(112)),
                                                        _mm256_set1_epi32(0x01010101)));
  _mm_storeu_si128((__m128i*) z,
                   _mm_packs_epi32(_mm256_castsi256_si128(zi), _mm256_extracti128_si256(zi, 1)));
}

/* Lane `lane` of qb__avx2_int4g_par8's arrays as the codes' parameters. */
QB__INT4G_AVX2_INLINE qb__avx2_int4g_par qb__avx2_int4g_par_of(const float* rh, const float* rl,
                                                               const int32_t* zb, int lane) {
  qb__avx2_int4g_par p;
  p.rh = _mm256_set1_ps(rh[lane]);
  p.rl = _mm256_set1_ps(rl[lane]);
  p.z = _mm256_set1_epi32(zb[lane]);
  return p;
}

/* A group's header (d, and z for the asymmetric formats) from lane `lane`; returns the
 * codes' offset in the group struct. */
QB__INT4G_AVX2_INLINE unsigned qb__avx2_int4g_header(uint8_t* grp, const uint16_t* d, const int16_t* z,
                                                     int lane, const int sym) {
  memcpy(grp, &d[lane], 2);
  if (sym) return 2;
  grp[2] = (uint8_t) z[lane];
  return 3;
}

/* The scalar reference on one group (a special one, qb__avx2_int4g_par8). */
QB__INT4G_AVX2_INLINE void qb__avx2_int4g_ref(const float* x, unsigned g, const int sym, uint8_t* grp) {
  if (sym) {
    qb__int4g_quant_group_sym(x, g, grp, grp + 2);
  } else {
    qb__int4g_quant_group(x, g, grp, grp + 2, grp + 3);
  }
}

/*
 * Eight groups of g at x into the eight group structs at out (gbytes each): their
 * parameters together (qb__avx2_int4g_par8, so that their latency chains overlap), then
 * the ranges of the next eight (at next, when not NULL, into *nh, *nl: their loads, from L2,
 * overlap these groups' codes, whose loads then hit L1), then each group's codes; with
 * g = 32 two groups' codes at once (qb__avx2_int4g_codes64).
 */
QB__INT4G_AVX2_INLINE void qb__avx2_int4g_quant_x8_one(const float* x, unsigned g, const int sym,
                                                       uint8_t* out, size_t gbytes, __m256i hb, __m256i lb,
                                                       const float* next, __m256i* nh, __m256i* nl) {
  uint16_t d[8];
  float rh[8], rl[8];
  int16_t z[8];
  int32_t zb[8];
  int special, sub;
  qb__avx2_int4g_par8(hb, lb, sym, d, rh, rl, z, zb, &special, &sub);
  /* Read each group's parameters back from the arrays (broadcast loads, 16-bit loads): an
   * empty asm that says it reads and writes them, as qblock-avx2.h's qb__avx2_from_memory.
   * Without it GCC took every lane out of the vectors by two shuffles each (vpermilps +
   * vperm2f128, vpextrw), on the pipes that also pack the codes. */
  __asm__("" : "+m"(d), "+m"(rh), "+m"(rl), "+m"(z), "+m"(zb));
  if (next != NULL) qb__avx2_int4g_range8(next, g, sym, nh, nl);
  if (g == 32) {
#pragma GCC unroll 4
    for (int k = 0; k < 8; k += 2) {
      /* Groups k and k + 1: lanes k / 2 and k / 2 + 4. */
      const int la = k / 2, lb2 = k / 2 + 4;
      uint8_t* ga = out + (size_t) k * gbytes;
      uint8_t* gb = ga + gbytes;
      if (__builtin_expect(special & (0x11 << la), 0)) {
        qb__avx2_int4g_ref(x + k * g, g, sym, ga);
        qb__avx2_int4g_ref(x + (k + 1) * g, g, sym, gb);
        continue;
      }
      const unsigned o = qb__avx2_int4g_header(ga, d, z, la, sym);
      qb__avx2_int4g_header(gb, d, z, lb2, sym);
      const qb__avx2_int4g_par pa = qb__avx2_int4g_par_of(rh, rl, zb, la),
                               pb = qb__avx2_int4g_par_of(rh, rl, zb, lb2);
      const qb__avx2_int4g_mode mode = !sym                   ? QB__INT4G_ASYM
                                       : (sub & (0x11 << la)) ? QB__INT4G_SYM_CLAMPED
                                                              : QB__INT4G_SYM_NORMAL;
      qb__avx2_int4g_codes64(x + k * g, &pa, x + (k + 1) * g, &pb, mode, ga + o, gb + o, 0);
    }
    return;
  }
#pragma GCC unroll 8
  for (int k = 0; k < 8; k++) {
    const int lane = k / 2 + 4 * (k % 2);
    uint8_t* grp = out + (size_t) k * gbytes;
    if (__builtin_expect(special & (1 << lane), 0)) {
      qb__avx2_int4g_ref(x + k * g, g, sym, grp);
      continue;
    }
    const unsigned o = qb__avx2_int4g_header(grp, d, z, lane, sym);
    const qb__avx2_int4g_par p = qb__avx2_int4g_par_of(rh, rl, zb, lane);
    qb__avx2_int4g_codes_any(x + k * g, g, &p, sym, sub & (1 << lane), grp + o);
  }
}

/* One group (the last ones, fewer than eight): its range reduced to every lane, then as
 * one of eight. */
QB__INT4G_AVX2_INLINE void qb__avx2_int4g_quant_one(const float* x, unsigned g, const int sym, uint8_t* grp) {
  __m256i h, l;
  qb__avx2_int4g_acc(x, g, sym, &h, &l);
  uint16_t d[8];
  float rh[8], rl[8];
  int16_t z[8];
  int32_t zb[8];
  int special, sub;
  qb__avx2_int4g_par8(qb__avx2_int4g_hi0(qb__avx2_int4g_red1(h, 1), sym), sym ? l : qb__avx2_int4g_red1(l, 0),
                      sym, d, rh, rl, z, zb, &special, &sub);
  if (special & 1) {
    qb__avx2_int4g_ref(x, g, sym, grp);
    return;
  }
  const unsigned o = qb__avx2_int4g_header(grp, d, z, 0, sym);
  const qb__avx2_int4g_par p = qb__avx2_int4g_par_of(rh, rl, zb, 0);
  qb__avx2_int4g_codes_any(x, g, &p, sym, sub & 1, grp + o);
}

/* `count` groups of g at x into the group structs at out (gbytes each): runs of eight, each
 * run's ranges computed while the previous run's codes are, then the rest one by one. */
QB__INT4G_AVX2_INLINE void qb__avx2_int4g_quant_groups(const float* x, unsigned g, const int sym,
                                                       uint8_t* out, size_t gbytes, size_t count) {
  const size_t runs = count / 8;
  if (!sym && g == 128 && count * g >= QB_INT4G_STREAM) {
    /* A long asymmetric row of groups of 128 (from QB_INT4G_STREAM values, int4g-scalar.h):
     * each run's ranges right before its codes, as int4g-avx512.h. At DRAM size (~29.5 Mi
     * values, ci/paired, two runs of 5 and 6 rounds, Zen 4) qu4g128 avx2_u1024 ran
     * 1.64x (1.15-2.01) and 1.93x (1.28-2.28) so; qu4g32 and qu4g64 0.91-0.93x and 0.86-0.93x
     * (ranges 0.43-1.30), so they keep the overlapped loop. */
    for (size_t c = 0; c < runs; c++) {
      const float* xc = x + (size_t) 8 * g * c;
      __m256i h, l;
      qb__avx2_int4g_range8(xc, g, sym, &h, &l);
      qb__avx2_int4g_quant_x8_one(xc, g, sym, out + 8 * gbytes * c, gbytes, h, l, NULL, &h, &l);
    }
  } else if (runs > 0) {
    __m256i h, l;
    qb__avx2_int4g_range8(x, g, sym, &h, &l);
    for (size_t c = 0; c < runs; c++) {
      const float* xc = x + (size_t) 8 * g * c;
      qb__avx2_int4g_quant_x8_one(xc, g, sym, out + 8 * gbytes * c, gbytes, h, l,
                                  c + 1 < runs ? xc + 8 * g : NULL, &h, &l);
    }
  }
  for (size_t k = runs * 8; k < count; k++) qb__avx2_int4g_quant_one(x + k * g, g, sym, out + k * gbytes);
}

/*
 * One group -> g floats: y = (float) (code - z) * s (asymmetric), or (float) s4(code) * s
 * (symmetric). Elements 8m .. 8m + 7 are the nibbles of the 32-bit word m of the codes (the
 * bit stream, little-endian), so each vector of 8 codes is that word broadcast from memory
 * (a load, no shuffle), shifted right by 4 lane (vpsrlvd) and masked: one shift per 8
 * values where widening bytes took two and a half shuffles (unpack, extract, vpmovzxbd).
 * Asymmetric: (float) (code - z) by vpsubd and vcvtdq2ps, as the reference; symmetric: the
 * float with the bits 0x4B000000 | (code ^ 8) is 2^23 + (code ^ 8) exactly, and subtracting
 * 2^23 + 8 leaves (code ^ 8) - 8 = s4(code) exactly, then the same product.
 */
QB__INT4G_AVX2_INLINE void qb__avx2_int4g_dequant(const uint8_t* d, int32_t z, const uint8_t* qs, unsigned g,
                                                  int sym, float* y) {
  uint16_t h;
  memcpy(&h, d, 2);
  const __m256 s = _mm256_set1_ps(_mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtsi32_si128(h))));
  const __m256i sh = _mm256_setr_epi32(0, 4, 8, 12, 16, 20, 24, 28);
  const __m256i m = _mm256_set1_epi32(15), zv = _mm256_set1_epi32(z);
#pragma GCC unroll 16
  for (unsigned i = 0; i < g; i += 8) {
    int32_t w;
    memcpy(&w, qs + i / 2, 4);
    const __m256i c = _mm256_and_si256(_mm256_srlv_epi32(_mm256_set1_epi32(w), sh), m);
    __m256 v;
    if (sym) {
      v = _mm256_sub_ps(_mm256_castsi256_ps(_mm256_xor_si256(c, _mm256_set1_epi32(0x4B000008))),
                        _mm256_set1_ps(0x1.00001p23f));
    } else {
      v = _mm256_cvtepi32_ps(_mm256_sub_epi32(c, zv));
    }
    _mm256_storeu_ps(y + i, _mm256_mul_ps(v, s));
  }
}

#endif /* QB_INT4G_AVX2_H */
