/*
 * The MX block quantization of lowbit-scalar.h on AVX2, 8 blocks of 32 per step: the
 * amaxes as integer maxima of |x| bits reduced across the blocks, the shared exponents
 * of all 8 in vector registers, the elements x * 2^-s rounded by one f32 addition at the
 * format's quantum (elem-avx2.h; ties to even or away) and packed; the dequantization,
 * one block per call; and the NVFP4 and per-128 FP8 blocks. Bit-exact with the references
 * (FLOOR and RCEIL; elements ties to even or away). Included only by files built with
 * AVX2 flags.
 */
#ifndef QB_LOWBIT_AVX2_H
#define QB_LOWBIT_AVX2_H

#include <immintrin.h>
#include <string.h>

#include "cvt/cvt-x86.h"
#include "lowbit/elem-avx2.h"
#include "lowbit/lowbit-scalar.h"

/* The largest of 8 signed 32-bit lanes. */
static inline uint32_t qb__hmax_epi32(__m256i v) {
  __m128i m = _mm_max_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  m = _mm_max_epi32(m, _mm_shuffle_epi32(m, _MM_SHUFFLE(1, 0, 3, 2)));
  m = _mm_max_epi32(m, _mm_shuffle_epi32(m, _MM_SHUFFLE(2, 3, 0, 1)));
  return (uint32_t) _mm_cvtsi128_si32(m);
}

/* 8 scaled elements (finite) -> their codes, one per 32-bit lane (sign included). */
static inline __m256i qb__mx_encode_avx2(__m256 v, qb__mx_kind k, const int ties_away) {
  const __m256i w = _mm256_castps_si256(v);
  const __m256i abs = _mm256_and_si256(w, _mm256_set1_epi32(0x7FFFFFFF));
  static const int mbits[] = {3, 2, 3, 2, 1, 0}, bias[] = {7, 15, 1, 3, 1, 0}, nbits[] = {7, 7, 5, 5, 3, 0};
  static const int maxcode[] = {0x7E, 0x7B, 0x1F, 0x1F, 0x7, 0};
  if (k == QB__MX_INT8 && ties_away) {
    /* roundf(|v| * 64) as trunc(|v| * 64 + 0x1.fffffep-2) (qb__round_away's values for every
     * non-negative float), clamped to 127, the sign put back in int32. */
    const __m256 a = _mm256_mul_ps(_mm256_castsi256_ps(abs), _mm256_set1_ps(64.0f));
    __m256i t = _mm256_cvttps_epi32(_mm256_add_ps(a, _mm256_set1_ps(0x1.fffffep-2f)));
    t = _mm256_min_epi32(t, _mm256_set1_epi32(127));
    return _mm256_and_si256(_mm256_sign_epi32(t, _mm256_or_si256(w, _mm256_set1_epi32(1))),
                            _mm256_set1_epi32(0xFF));
  }
  if (k == QB__MX_INT8) {
    /* |v| * 64 < 128 exactly; nearest even by the rounding instruction (explicit mode). */
    __m256 r = _mm256_round_ps(_mm256_mul_ps(v, _mm256_set1_ps(64.0f)),
                               _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    r = _mm256_min_ps(_mm256_max_ps(r, _mm256_set1_ps(-127.0f)), _mm256_set1_ps(127.0f));
    return _mm256_and_si256(_mm256_cvttps_epi32(r), _mm256_set1_epi32(0xFF));
  }
  __m256i q = qb_cvt_avx2_round_small_ties(abs, mbits[k], bias[k], ties_away);
  q = _mm256_min_epi32(q, _mm256_set1_epi32(maxcode[k]));
  return _mm256_or_si256(q, _mm256_slli_epi32(_mm256_srli_epi32(w, 31), nbits[k]));
}

/* 32 codes (one byte each, in order) -> the packed bit stream of qb/lowbit.h. */
static inline void qb__mx_pack_avx2(__m256i c, int width, uint8_t* out) {
  if (width == 8) {
    _mm256_storeu_si256((__m256i*) out, c);
  } else if (width == 4) {
    /* Byte pairs -> c0 + 16 c1 in 16-bit lanes, packed to bytes, halves joined. */
    const __m256i p = _mm256_maddubs_epi16(c, _mm256_set1_epi16(0x1001));
    const __m256i b = _mm256_permute4x64_epi64(_mm256_packus_epi16(p, p), _MM_SHUFFLE(3, 1, 2, 0));
    _mm_storeu_si128((__m128i*) out, _mm256_castsi256_si128(b));
  } else {
    /* Four 6-bit codes per 32-bit lane -> c0 | c1 << 6 | c2 << 12 | c3 << 18, then the
     * low 3 bytes of each lane: 12 bytes per 128-bit half. */
    const __m256i p = _mm256_maddubs_epi16(c, _mm256_set1_epi16(0x4001));
    const __m256i w = _mm256_madd_epi16(p, _mm256_set1_epi32(0x10000001));
    const __m256i s =
        _mm256_shuffle_epi8(w, _mm256_setr_epi8(0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1, 0, 1,
                                                2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1));
    uint8_t tmp[32];
    _mm256_storeu_si256((__m256i*) tmp, s);
    memcpy(out, tmp, 12);
    memcpy(out + 12, tmp + 16, 12);
  }
}

/* ---- MX quantize, 8 blocks per step ----------------------------------------------------- */

/* The largest magnitude of each MX element type as f32 bits (qb__mx_maxval). */
static inline uint32_t qb__mx_maxbits(qb__mx_kind k) {
  static const uint32_t bits[] = {0x43E00000u, 0x47600000u, 0x40F00000u,
                                  0x41E00000u, 0x40C00000u, 0x3FFE0000u};
  return bits[k];
}

/*
 * The 32 codes (one byte each, in order) of the block at x under the inverse scale inv:
 * the elements x * 2^-s (the reference's products); the float formats' magnitudes by the
 * element casts' rounding (one f32 addition at the format's quantum,
 * qb__elem_avx2_round_fn) with the MX maximum, packed to bytes, then the sign bits: the
 * products packed to bytes with signed saturation keep their signs in bit 7, moved to
 * the code's sign bit; MXINT8 by qb__mx_encode_avx2.
 */
static inline __m256i qb__mx_codes_x32_avx2(const float* x, __m256 inv, qb__mx_kind k, const int ties_away) {
  static const int mbits[] = {3, 2, 3, 2, 1, 0}, bias[] = {7, 15, 1, 3, 1, 0}, nbits[] = {7, 7, 5, 5, 3, 0};
  __m256i w[4], q[4];
#pragma GCC unroll 4
  for (int i = 0; i < 4; i++) {
    w[i] = _mm256_castps_si256(_mm256_mul_ps(_mm256_loadu_ps(x + 8 * i), inv));
    q[i] = k == QB__MX_INT8 ? qb__mx_encode_avx2(_mm256_castsi256_ps(w[i]), k, ties_away)
                            : qb__elem_avx2_round_fn(_mm256_and_si256(w[i], _mm256_set1_epi32(0x7FFFFFFF)),
                                                     mbits[k], bias[k], qb__mx_maxbits(k), ties_away);
  }
  const __m256i c = qb_cvt_avx2_pack_u8x4(q[0], q[1], q[2], q[3]);
  if (k == QB__MX_INT8) {
    return c;
  }
  const __m256i sg = _mm256_permutevar8x32_epi32(
      _mm256_packs_epi16(_mm256_packs_epi32(w[0], w[1]), _mm256_packs_epi32(w[2], w[3])),
      _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
  /* Bit 7 of each byte to bit nbits (a 16-bit shift: each byte's own bit lands there). */
  return _mm256_or_si256(
      c, _mm256_and_si256(_mm256_srli_epi16(sg, 7 - nbits[k]), _mm256_set1_epi8((char) (1 << nbits[k]))));
}

/*
 * The amax bits of 8 consecutive blocks (256 f32), lane b for block b, at least 0x7F800000
 * where a block holds inf or NaN: each block's four vectors of |x| bits folded to one by
 * integer maxima, then the 8 vectors reduced together, with no transpose: pairs of
 * adjacent lanes (vshufps even / odd and a max) twice, leaving per 128-bit half the
 * partial maxima of four blocks, then the halves of two such vectors joined (vperm2i128).
 */
static inline __m256i qb__mx_amax_x8_avx2(const float* x) {
  const __m256i m = _mm256_set1_epi32(0x7FFFFFFF);
  __m256i v[8];
#pragma GCC unroll 8
  for (int b = 0; b < 8; b++) {
    const __m256i* p = (const __m256i*) (x + 32 * b);
    v[b] = _mm256_max_epi32(_mm256_max_epi32(_mm256_and_si256(_mm256_loadu_si256(p), m),
                                             _mm256_and_si256(_mm256_loadu_si256(p + 1), m)),
                            _mm256_max_epi32(_mm256_and_si256(_mm256_loadu_si256(p + 2), m),
                                             _mm256_and_si256(_mm256_loadu_si256(p + 3), m)));
  }
  __m256i t[4];
#pragma GCC unroll 4
  for (int i = 0; i < 4; i++) {
    const __m256 a = _mm256_castsi256_ps(v[2 * i]), b = _mm256_castsi256_ps(v[2 * i + 1]);
    t[i] = _mm256_max_epi32(_mm256_castps_si256(_mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0))),
                            _mm256_castps_si256(_mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1))));
  }
  __m256i u[2];
#pragma GCC unroll 2
  for (int i = 0; i < 2; i++) {
    const __m256 a = _mm256_castsi256_ps(t[2 * i]), b = _mm256_castsi256_ps(t[2 * i + 1]);
    u[i] = _mm256_max_epi32(_mm256_castps_si256(_mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0))),
                            _mm256_castps_si256(_mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1))));
  }
  return _mm256_max_epi32(_mm256_permute2x128_si256(u[0], u[1], 0x20),
                          _mm256_permute2x128_si256(u[0], u[1], 0x31));
}

/*
 * The shared exponents s of 8 blocks from their amax bits (qb__mx_shared_exp, lane by lane;
 * lanes of inf / NaN blocks get some s in range, replaced by the caller):
 * FLOOR: floor(log2(amax)) is the exponent field less 127 for a normal amax; for a
 *   subnormal one (m x 2^-149) it is floor(log2(m)) - 149, the exponent of (float) m (exact:
 *   m < 2^23) less 127 + 149; amax = 0 gives -276 - emax, which the clamp makes -127;
 * RCEIL: q = amax / max_elem (one f32 division, as the reference); for a normal q,
 *   ceil(log2(q)) is the exponent field of q's bits plus 2^23 - 1 (a carry exactly when the
 *   mantissa is not zero) less 127; that sum also gives -126 for a subnormal q above 2^-127
 *   and -127 for q = 0, so only q in (0, 2^-127] (ceil at most -127) is first made 0;
 * then s clamped to [-127, 127].
 */
static inline __m256i qb__mx_scale_x8_avx2(__m256i amax, qb__mx_kind k, qb__mx_scale_mode mode) {
  __m256i s;
  if (mode == QB__MX_FLOOR) {
    const __m256i nrm = _mm256_srli_epi32(amax, 23);
    const __m256i sub = _mm256_sub_epi32(_mm256_srli_epi32(_mm256_castps_si256(_mm256_cvtepi32_ps(amax)), 23),
                                         _mm256_set1_epi32(149));
    s = _mm256_blendv_epi8(nrm, sub, _mm256_cmpgt_epi32(_mm256_set1_epi32(0x800000), amax));
    s = _mm256_sub_epi32(s, _mm256_set1_epi32(127 + qb__mx_emax(k)));
  } else {
    const __m256i q =
        _mm256_castps_si256(_mm256_div_ps(_mm256_castsi256_ps(amax), _mm256_set1_ps(qb__mx_maxval(k))));
    const __m256i t = _mm256_and_si256(q, _mm256_cmpgt_epi32(q, _mm256_set1_epi32(0x400000)));
    s = _mm256_sub_epi32(_mm256_srli_epi32(_mm256_add_epi32(t, _mm256_set1_epi32(0x7FFFFF)), 23),
                         _mm256_set1_epi32(127));
  }
  return _mm256_min_epi32(_mm256_max_epi32(s, _mm256_set1_epi32(-127)), _mm256_set1_epi32(127));
}

/*
 * 8 MX blocks (256 f32) -> 8 stored blocks (the E8M0 byte, then 4 width bytes of codes)
 * at out, given their amaxes (qb__mx_amax_x8_avx2): the scales of all 8 at once (above),
 * 2^-s as f32 bits ((127 - s) << 23, or the subnormal 2^-127 for s = 127, as qb_pow2f),
 * then block by block the elements
 * x * 2^-s (the reference's product), encoded and packed. Blocks holding inf or NaN (rare)
 * are then overwritten with the NaN scale 0xFF and codes 0.
 */
static inline void qb__mx_quant_x8_avx2(const float* x, __m256i amax, qb__mx_kind k, qb__mx_scale_mode mode,
                                        const int ties_away, const int width, uint8_t* out) {
  const size_t bs = 1 + 4 * (size_t) width;
  const __m256i s = qb__mx_scale_x8_avx2(amax, k, mode);
  const __m256i inv = _mm256_or_si256(
      _mm256_slli_epi32(_mm256_sub_epi32(_mm256_set1_epi32(127), s), 23),
      _mm256_and_si256(_mm256_cmpeq_epi32(s, _mm256_set1_epi32(127)), _mm256_set1_epi32(0x400000)));
  float invs[8];
  int32_t es[8];
  _mm256_storeu_si256((__m256i*) invs, inv);
  _mm256_storeu_si256((__m256i*) es, _mm256_add_epi32(s, _mm256_set1_epi32(127)));
#pragma GCC unroll 8
  for (int b = 0; b < 8; b++) {
    const __m256 vb = _mm256_broadcast_ss(invs + b);
    const float* xb = x + 32 * b;
    uint8_t* ob = out + bs * (size_t) b;
    const __m256i c = qb__mx_codes_x32_avx2(xb, vb, k, ties_away);
    ob[0] = (uint8_t) es[b];
    if (width == 8) {
      _mm256_storeu_si256((__m256i*) (ob + 1), c);
    } else if (width == 6) {
      qb__elem_avx2_pack6_x32(c, ob + 1);
    } else {
      qb__elem_avx2_pack4_x32(c, ob + 1);
    }
  }
  const int bad =
      _mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpgt_epi32(amax, _mm256_set1_epi32(0x7F7FFFFF))));
  if (bad != 0) {
    for (int b = 0; b < 8; b++) {
      if ((bad >> b) & 1) {
        out[bs * (size_t) b] = 0xFF;
        memset(out + bs * (size_t) b + 1, 0, bs - 1);
      }
    }
  }
}

/* nb MX blocks -> nb stored blocks at out: 8 per step, each step's amaxes computed before
 * the previous step's blocks are encoded (their L2 loads overlap that work); the last 1..7
 * through the same step on a zero-padded copy. */
static inline void qb__mx_quant_avx2(const float* x, size_t nb, qb__mx_kind k, qb__mx_scale_mode mode,
                                     const int ties_away, const int width, uint8_t* out) {
  const size_t bs = 1 + 4 * (size_t) width;
  size_t b = 0;
  if (nb >= 8) {
    __m256i amax = qb__mx_amax_x8_avx2(x);
    for (; b + 16 <= nb; b += 8) {
      const __m256i next = qb__mx_amax_x8_avx2(x + QB_MX_BLOCK_LEN * (b + 8));
      qb__mx_quant_x8_avx2(x + QB_MX_BLOCK_LEN * b, amax, k, mode, ties_away, width, out + bs * b);
      amax = next;
    }
    qb__mx_quant_x8_avx2(x + QB_MX_BLOCK_LEN * b, amax, k, mode, ties_away, width, out + bs * b);
    b += 8;
  }
  if (b < nb) {
    float tx[8 * QB_MX_BLOCK_LEN];
    uint8_t ty[8 * (1 + 4 * 8)];
    memset(tx, 0, sizeof tx);
    memcpy(tx, x + QB_MX_BLOCK_LEN * b, (nb - b) * QB_MX_BLOCK_LEN * sizeof(float));
    qb__mx_quant_x8_avx2(tx, qb__mx_amax_x8_avx2(tx), k, mode, ties_away, width, ty);
    memcpy(out + bs * b, ty, (nb - b) * bs);
  }
}

/* ---- Dequantize ------------------------------------------------------------------------ */

/*
 * 8 codes (one per 32-bit lane, the element's width only) -> qb__mx_decode's values, exactly:
 * 1. MXINT8: (float) (int8) c / 64 (a multiplication by 2^-6, exact);
 * 2. the float formats: the magnitude bits moved to f32's exponent and mantissa fields give
 *    2^(e - 127) x 1.m (a normal code) or, for e = 0, f32's subnormal 2^-126 x 0.m (the
 *    code's subnormal, since both formats scale the same way); one multiplication by
 *    2^(127 - bias) (exact: a power of two, the result a normal f32) gives the value. The
 *    sign bit goes on afterwards;
 * 3. E4M3's 0x7F magnitude is NaN (the sign kept, 0x7FC00000 otherwise); E5M2's top exponent
 *    is inf (mantissa 0) or NaN with the mantissa bits kept and quieted, as fp.h decodes them.
 */
static inline __m256 qb__mx_decode_avx2(__m256i c, qb__mx_kind k) {
  static const int mbits[] = {3, 2, 3, 2, 1}, bias[] = {7, 15, 1, 3, 1}, nbits[] = {7, 7, 5, 5, 3};
  if (k == QB__MX_INT8) {
    const __m256i v = _mm256_srai_epi32(_mm256_slli_epi32(c, 24), 24);
    return _mm256_mul_ps(_mm256_cvtepi32_ps(v), _mm256_set1_ps(1.0f / 64.0f));
  }
  const __m256i mag = _mm256_and_si256(c, _mm256_set1_epi32((1 << nbits[k]) - 1));
  const __m256i sign = _mm256_slli_epi32(_mm256_srli_epi32(c, nbits[k]), 31);
  const __m256 v = _mm256_mul_ps(_mm256_castsi256_ps(_mm256_slli_epi32(mag, 23 - mbits[k])),
                                 _mm256_castsi256_ps(_mm256_set1_epi32((254 - bias[k]) << 23)));
  __m256i bits = _mm256_castps_si256(v);
  if (k == QB__MX_E4M3) {
    const __m256i nan = _mm256_cmpeq_epi32(mag, _mm256_set1_epi32(0x7F));
    bits = _mm256_blendv_epi8(bits, _mm256_set1_epi32(0x7FC00000), nan);
  } else if (k == QB__MX_E5M2) {
    const __m256i top = _mm256_cmpgt_epi32(mag, _mm256_set1_epi32(0x7B));
    const __m256i quiet =
        _mm256_and_si256(_mm256_cmpgt_epi32(mag, _mm256_set1_epi32(0x7C)), _mm256_set1_epi32(0x400000));
    const __m256i special =
        _mm256_or_si256(_mm256_or_si256(_mm256_slli_epi32(mag, 21), _mm256_set1_epi32(0x70000000)), quiet);
    bits = _mm256_blendv_epi8(bits, special, top);
  }
  return _mm256_castsi256_ps(_mm256_or_si256(bits, sign));
}

/*
 * The packed codes of one block -> 32 code bytes in element order (qb/lowbit.h's bit
 * streams): 8 bits as they are; 4 bits the low then the high nibble of each byte; 6 bits
 * each 3-byte group spread over four 32-bit lanes and shifted by 0, 6, 12, 18 (the loads
 * stay inside the 24 code bytes).
 */
static inline void qb__mx_unpack_avx2(const uint8_t* qs, int width, __m256i* c) {
  if (width == 8) {
#pragma GCC unroll 4
    for (int i = 0; i < 4; i++) c[i] = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i*) (qs + 8 * i)));
  } else if (width == 4) {
    const __m128i q = _mm_loadu_si128((const __m128i*) qs);
    const __m128i m = _mm_set1_epi8(15);
    const __m128i lo = _mm_and_si128(q, m), hi = _mm_and_si128(_mm_srli_epi16(q, 4), m);
    const __m128i e0 = _mm_unpacklo_epi8(lo, hi), e1 = _mm_unpackhi_epi8(lo, hi);
    c[0] = _mm256_cvtepu8_epi32(e0);
    c[1] = _mm256_cvtepu8_epi32(_mm_srli_si128(e0, 8));
    c[2] = _mm256_cvtepu8_epi32(e1);
    c[3] = _mm256_cvtepu8_epi32(_mm_srli_si128(e1, 8));
  } else {
    const __m256i shift = _mm256_setr_epi32(0, 6, 12, 18, 0, 6, 12, 18);
    const __m256i m6 = _mm256_set1_epi32(63);
#pragma GCC unroll 4
    for (int i = 0; i < 4; i++) {
      /* Groups 2i and 2i + 1 (bytes 6i .. 6i + 5); the last load starts 2 bytes early. */
      const int at = i < 3 ? 6 * i : 16, o = 6 * i - at;
      const __m256i g = _mm256_broadcastsi128_si256(_mm_loadl_epi64((const __m128i*) (qs + at)));
      const __m256i ctl = _mm256_setr_epi8(o, o + 1, o + 2, -1, o, o + 1, o + 2, -1, o, o + 1, o + 2, -1, o,
                                           o + 1, o + 2, -1, o + 3, o + 4, o + 5, -1, o + 3, o + 4, o + 5, -1,
                                           o + 3, o + 4, o + 5, -1, o + 3, o + 4, o + 5, -1);
      c[i] = _mm256_and_si256(_mm256_srlv_epi32(_mm256_shuffle_epi8(g, ctl), shift), m6);
    }
  }
}

/* One MX block -> 32 f32: decode(code) * 2^(e - 127), as qb__mx_dequant_block (under the
 * NaN scale 0xFF a NaN code keeps its own NaN: a blend, since vmulps's choice between two
 * NaNs follows the operand order the compiler picks). */
static inline void qb__mx_dequant_block_avx2(const uint8_t* qs, uint8_t e, qb__mx_kind k, int width,
                                             float* y) {
  const __m256 scale = _mm256_set1_ps(qb__e8m0_scale(e));
  __m256i c[4];
  qb__mx_unpack_avx2(qs, width, c);
  if (e == 0xFF) {
#pragma GCC unroll 4
    for (int i = 0; i < 4; i++) {
      const __m256 v = qb__mx_decode_avx2(c[i], k);
      _mm256_storeu_ps(y + 8 * i, _mm256_blendv_ps(scale, v, _mm256_cmp_ps(v, v, _CMP_UNORD_Q)));
    }
    return;
  }
#pragma GCC unroll 4
  for (int i = 0; i < 4; i++) _mm256_storeu_ps(y + 8 * i, _mm256_mul_ps(qb__mx_decode_avx2(c[i], k), scale));
}

/* One NVFP4 block of 16 -> f32: e2m1(code) * d with the reference's d = e4m3(s) * g (FP4 has
 * no NaN: a NaN d gives d's NaN, as the reference). */
static inline void qb__nvf4_dequant_block_avx2(const qb_block_nvf4* b, float g, float* y) {
  const __m256 d = _mm256_set1_ps(qb__nvf4_block_d(b->s, g));
  const __m128i q = _mm_loadl_epi64((const __m128i*) b->qs);
  const __m128i m = _mm_set1_epi8(15);
  const __m128i e = _mm_unpacklo_epi8(_mm_and_si128(q, m), _mm_and_si128(_mm_srli_epi16(q, 4), m));
  _mm256_storeu_ps(y, _mm256_mul_ps(qb__mx_decode_avx2(_mm256_cvtepu8_epi32(e), QB__MX_E2M1), d));
  _mm256_storeu_ps(
      y + 8, _mm256_mul_ps(qb__mx_decode_avx2(_mm256_cvtepu8_epi32(_mm_srli_si128(e, 8)), QB__MX_E2M1), d));
}

/* One row of 128 e4m3 codes -> f32: e4m3(code) * d. keep_nan: a NaN code keeps its own NaN
 * (as the per-128 reference: a blend, since vmulps's choice between two NaNs follows the
 * operand order); else the plain product code * d in that order, as the 128 x 128 tile
 * reference computes it. A per-128 block is one such row; a tile is 128 of them. */
static inline void qb__f8_row_dequant_avx2(const uint8_t* q, float d, float* y, const int keep_nan) {
  const __m256 dv = _mm256_set1_ps(d);
#pragma GCC unroll 4
  for (int i = 0; i < 128; i += 8) {
    const __m256 v =
        qb__mx_decode_avx2(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i*) (q + i))), QB__MX_E4M3);
    const __m256 p = _mm256_mul_ps(v, dv);
    _mm256_storeu_ps(y + i, keep_nan ? _mm256_blendv_ps(p, v, _mm256_cmp_ps(v, v, _CMP_UNORD_Q)) : p);
  }
}

/* One per-128 FP8 block -> f32. */
static inline void qb__f8b128_dequant_block_avx2(const qb_block_f8b128* b, float* y) {
  qb__f8_row_dequant_avx2(b->qs, b->d, y, 1);
}

#endif /* QB_LOWBIT_AVX2_H */
