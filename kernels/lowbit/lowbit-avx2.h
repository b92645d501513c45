/*
 * The MX block quantization of lowbit-scalar.h on AVX2, 8 blocks of 32 per step: the
 * amaxes as integer maxima of |x| bits reduced across the blocks, the shared exponents
 * of all 8 in vector registers, then each block's codes: MXINT8 by one multiplication
 * (the scale and the 2^6 folded into it) and the conversion's rounding; the float formats
 * by one f32 addition at the element's quantum with the scale folded into the rounding
 * constant (no multiplication), the code left in the sum's low byte. Ties away are ties
 * to even of |x| with its last bit set. The dequantization, one block per call, and the
 * NVFP4 and per-128 FP8 blocks. Bit-exact with the references (FLOOR and RCEIL; elements
 * ties to even or away). Included only by files built with AVX2 flags.
 */
#ifndef QB_LOWBIT_AVX2_H
#define QB_LOWBIT_AVX2_H

#include <immintrin.h>
#include <string.h>

#include "cvt/cvt-x86.h"
#include "lowbit/elem-avx2.h"
#include "lowbit/lowbit-scalar.h"

/* ---- MX quantize, 8 blocks per step ----------------------------------------------------- */

/* The step is inlined into its loop (GCC otherwise calls it, and rebuilds every vector
 * constant from general registers at each call, two vector operations apiece). */
#define QB__MX_AVX2_INLINE static inline __attribute__((always_inline))

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

/* A vector constant of the step's scale and constant computation that GCC cannot build
 * again (where `hide`): there it made each of them from a general register (mov, vmovd,
 * vpbroadcastd: three instructions) in every step; past an empty asm the value is a
 * register or a stack slot that it reloads: 0.3-3 % fewer instructions per element,
 * 1.02-1.05x paired. Not for MXFP8 under RCEIL (qb__mx_hide_k), which ran 0.97-0.99x so,
 * with 3 % fewer instructions; in mxq-avx512.h's step (QB__MX_FMA_FORM, defined before this
 * header is included) every format hides them: MXFP8 RCEIL 1.04-1.07x there. */
static inline __m256i qb__mx_k_avx2(int32_t v, const int hide) {
  __m256i r = _mm256_set1_epi32(v);
  if (hide) __asm__("" : "+x"(r));
  return r;
}
static inline int qb__mx_hide_k(qb__mx_kind k, qb__mx_scale_mode mode) {
#if defined(QB__MX_FMA_FORM) && QB__MX_FMA_FORM
  (void) k;
  (void) mode;
  return 1;
#else
  return !(mode == QB__MX_RCEIL && (k == QB__MX_E4M3 || k == QB__MX_E5M2));
#endif
}

/*
 * The shared exponents s of 8 blocks from their amax bits (qb__mx_shared_exp, lane by lane;
 * lanes of inf / NaN blocks get some s in range, replaced by the caller):
 * FLOOR: floor(log2(amax)) is the exponent field less 127 for a normal amax; a subnormal
 *   amax (floor(log2(amax)) from -149 to -127) or 0 gives s <= -127 - emax, which the clamp
 *   makes -127 for every format (emax >= 0), as the field 0 less 127 + emax does: no
 *   subnormal case (its exponent by vcvtdq2ps and a blend, 5 operations per 8 blocks,
 *   until session 12);
 * RCEIL: q = amax / max_elem (one f32 division, as the reference); for a normal q,
 *   ceil(log2(q)) is the exponent field of q's bits plus 2^23 - 1 (a carry exactly when the
 *   mantissa is not zero) less 127; that sum also gives -126 for a subnormal q above 2^-127
 *   and -127 for q = 0, so only q in (0, 2^-127] (ceil at most -127) is first made 0;
 * then s clamped to [-127, 127].
 */
static inline __m256i qb__mx_scale_x8_avx2(__m256i amax, qb__mx_kind k, qb__mx_scale_mode mode) {
  const int hide = qb__mx_hide_k(k, mode);
  __m256i s;
  if (mode == QB__MX_FLOOR) {
    s = _mm256_sub_epi32(_mm256_srli_epi32(amax, 23), qb__mx_k_avx2(127 + qb__mx_emax(k), hide));
  } else {
    const __m256i q =
        _mm256_castps_si256(_mm256_div_ps(_mm256_castsi256_ps(amax), _mm256_set1_ps(qb__mx_maxval(k))));
    const __m256i t = _mm256_and_si256(q, _mm256_cmpgt_epi32(q, qb__mx_k_avx2(0x400000, hide)));
    s = _mm256_sub_epi32(_mm256_srli_epi32(_mm256_add_epi32(t, qb__mx_k_avx2(0x7FFFFF, hide)), 23),
                         qb__mx_k_avx2(127, hide));
  }
  return _mm256_min_epi32(_mm256_max_epi32(s, qb__mx_k_avx2(-127, hide)), qb__mx_k_avx2(127, hide));
}

/*
 * The MX element formats' constants: mantissa bits, the biased f32 exponent of the
 * smallest normal binade (127 + 1 - bias), the code's sign bit, the largest magnitude
 * code, and the range of shared exponents s for which qb__mx_fcodes_x32_avx2 may round x
 * itself (below: the floor binade 2^(emin + s) must be a normal f32, so that every f32
 * subnormal x lies below it; above: the rounding constant, up to 2^(s + emax + 23 -
 * mbits), must be finite). MXINT8: x * 2^(6 - s) must have a normal multiplier.
 */
static inline int qb__mx_mbits(qb__mx_kind k) {
  static const int v[] = {3, 2, 3, 2, 1, 0};
  return v[k];
}
static inline int qb__mx_eminb(qb__mx_kind k) {
  static const int v[] = {121, 113, 127, 125, 127, 0};
  return v[k];
}
static inline int qb__mx_nbits(qb__mx_kind k) {
  static const int v[] = {7, 7, 5, 5, 3, 7};
  return v[k];
}
static inline int qb__mx_maxcode(qb__mx_kind k) {
  static const int v[] = {0x7E, 0x7B, 0x1F, 0x1F, 0x07, 0x7F};
  return v[k];
}
static inline int qb__mx_fast_lo(qb__mx_kind k) {
  return k == QB__MX_INT8 ? -121 : 1 - qb__mx_eminb(k);
}
static inline int qb__mx_fast_hi(qb__mx_kind k) {
  return k == QB__MX_INT8 ? 127 : 104 - qb__mx_emax(k) + qb__mx_mbits(k);
}

/*
 * The 32 codes (one byte each, sign included; in order for FP8, in the lane order of
 * qb__elem_avx2_merge_byte1_lanes for FP6 and FP4) of one block of a float format,
 * given the block's constants c1 and lo (qb__mx_quant_x8_avx2), rounding x itself rather
 * than x * 2^-s. With E the biased exponent field of |x|, s the block's shared exponent
 * and emin its format's smallest normal binade, the element's quantum in x's terms is
 * 2^(max(E, emin + s) - 127 - mbits):
 * 1. ties away: |x| with its last bit set (x | 1). A tie of the format's grid is an odd
 *    multiple of half a quantum, which has at least 2^-130 and 19 more mantissa bits than
 *    x's last: its own last bit is 0, so x | 1 lies above the ties that x equals and on
 *    the same side of every other;
 * 2. magic = X << 23 plus d, X = max(E, emin + s) + 23 - mbits and d a small even
 *    constant: one and, one add (c1 = (23 - mbits) << 23 + d) and one max (lo, the floor
 *    binade's, plus d); every f32 subnormal x falls below the floor (qb__mx_fast_lo).
 *    |x| + magic rounds |x| to a multiple k of the quantum 2^(X - 127 - 23) (nearest, ties
 *    to even: d is even) and leaves d + k in the sum's mantissa field, whose low 16 bits
 *    are d + k (< 2^9) and high 16 bits X << 7 (X <= 255: positive as int16);
 * 3. vpmaddwd with the words (256, 2^(mbits + 1)) gives 256 (d + k) + 2^(mbits + 8) X =
 *    256 (d + k + (X << mbits)), whose byte 1 is the code k + ((max(E, emin + s) - emin -
 *    s) << mbits) (k's implicit bit carries the exponent's + 1; a carry into the next
 *    binade lands by itself) with d = -((23 - mbits + s + emin) << mbits) mod 256 (as
 *    cvt-f8-x86.h's 32-element encoders take the byte: no shift per element);
 * 4. the bytes gathered and the signs put on by qb__elem_avx2_merge_byte1; FLOOR clamps
 *    them to the largest code (an element at most 2^(emax + 1) - ulp rounds at most two
 *    codes above it).
 * 6 vector operations per 8 elements before the merge.
 */
static inline __m256i qb__mx_fcodes_x32_avx2(const float* x, __m256i c1, __m256i lo, qb__mx_kind k,
                                             const int clamp, const int ties_away) {
  const int mbits = qb__mx_mbits(k);
  __m256i x0[4], q[4];
#pragma GCC unroll 4
  for (int i = 0; i < 4; i++) {
    __m256i w = _mm256_loadu_si256((const __m256i*) (x + 8 * i));
    x0[i] = w;
    if (ties_away) w = _mm256_or_si256(w, _mm256_set1_epi32(1));
    const __m256i magic =
        _mm256_max_epi32(_mm256_add_epi32(_mm256_and_si256(w, _mm256_set1_epi32(0x7F800000)), c1), lo);
    const __m256 sum = _mm256_add_ps(_mm256_castsi256_ps(_mm256_and_si256(w, _mm256_set1_epi32(0x7FFFFFFF))),
                                     _mm256_castsi256_ps(magic));
    q[i] = _mm256_madd_epi16(_mm256_castps_si256(sum), _mm256_set1_epi32((2 << mbits) << 16 | 256));
  }
  /* 4. (FP6, FP4: in lane order, for their packs.) The signs from x as loaded: from x | 1,
   * GCC kept both x | 1 and (x | 1) & 0x7FFFFFFF, one more vpor per 8 elements. */
  return qb__mx_nbits(k) == 7
             ? qb__elem_avx2_merge_byte1(q, x0, qb__mx_nbits(k), clamp, qb__mx_maxcode(k))
             : qb__elem_avx2_merge_byte1_lanes(q, x0, qb__mx_nbits(k), clamp, qb__mx_maxcode(k));
}

/*
 * The 32 MXINT8 codes of one block: x * mul, mul = 2^(6 - s) (exact: the reference's
 * (x * 2^-s) * 64 wherever that is not rounded away below f32's normals, where both are
 * 0 after rounding), with its last bit set for ties away (as in qb__mx_fcodes_x32_avx2;
 * the ties, half-integers below 128, end in a 0 bit), converted with MXCSR's nearest even
 * (qbench never changes it), packed to bytes with signed saturation (128 -> 127) and -128
 * raised to -127 (clamp).
 */
static inline __m256i qb__mx_icodes_x32_avx2(const float* x, __m256 mul, const int clamp,
                                             const int ties_away) {
  __m256i r[4];
#pragma GCC unroll 4
  for (int i = 0; i < 4; i++) {
    __m256 y = _mm256_mul_ps(_mm256_loadu_ps(x + 8 * i), mul);
    if (ties_away) y = _mm256_or_ps(y, _mm256_castsi256_ps(_mm256_set1_epi32(1)));
    r[i] = _mm256_cvtps_epi32(y);
  }
  __m256i c = _mm256_packs_epi16(_mm256_packs_epi32(r[0], r[1]), _mm256_packs_epi32(r[2], r[3]));
  if (clamp) c = _mm256_max_epi8(c, _mm256_set1_epi8(-127));
  return _mm256_permutevar8x32_epi32(c, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

/* One block's codes and exponent byte e stored at out: c holds 32 bytes in order (8 bits)
 * or in the lane order of qb__elem_avx2_merge_byte1_lanes (FP6, FP4: their packs take
 * that order with one cross-lane step where ordering the codes first took two 3-cycle
 * permutes, elem-avx2.h). */
static inline void qb__mx_store_block_avx2(__m256i c, uint8_t e, const int width, uint8_t* out) {
  out[0] = e;
  if (width == 8) {
    _mm256_storeu_si256((__m256i*) (out + 1), c);
  } else if (width == 6) {
    qb__elem_avx2_pack6_lanes_x32(c, out + 1);
  } else {
    qb__elem_avx2_pack4_lanes_x32(c, out + 1);
  }
}

/* Block b of a step: codes of src under the step's per-block constants (p0, p1: c1 and lo,
 * or MXINT8's multiplier), stored. */
static inline void qb__mx_block_avx2(const float* src, const int32_t* p0, const int32_t* p1,
                                     const int32_t* es, int b, qb__mx_kind k, const int clamp,
                                     const int ties_away, const int width, uint8_t* out) {
  const __m256i v0 = _mm256_set1_epi32(p0[b]), v1 = _mm256_set1_epi32(p1[b]);
  const __m256i c = k == QB__MX_INT8 ? qb__mx_icodes_x32_avx2(src, _mm256_castsi256_ps(v0), clamp, ties_away)
                                     : qb__mx_fcodes_x32_avx2(src, v0, v1, k, clamp, ties_away);
  qb__mx_store_block_avx2(c, (uint8_t) es[b], width, out + (1 + 4 * (size_t) width) * (size_t) b);
}

/* The block encoder of the step below and the form of its float formats' constants: this
 * header's, or those of a wider ISA's header (mxq-avx512.h) that defines both before it
 * includes this one (QB__MX_FMA_FORM 1: mxq-avx512.h's c and fl). */
#ifndef QB__MX_BLOCK
#define QB__MX_BLOCK qb__mx_block_avx2
#define QB__MX_FMA_FORM 0
#endif

/*
 * 8 MX blocks (256 f32) -> 8 stored blocks (the E8M0 byte, then 4 width bytes of codes)
 * at out, given their amaxes (qb__mx_amax_x8_avx2):
 * 1. the shared exponents s of all 8 at once (above), e = s + 127;
 * 2. the exponent the codes are computed with, s': 0 for blocks that are all zero or hold
 *    inf / NaN (the codes of zeros do not depend on it; the others are overwritten in 5),
 *    s where it lies in the format's fast range, else 0 with the block's elements first
 *    multiplied by 2^-s into a buffer (the reference's products; rare: blocks below about
 *    2^-118 or above 2^100, tested by one movemask per step);
 * 3. the per-block constants from s' (the float formats: c1 and lo of
 *    qb__mx_fcodes_x32_avx2, or c and fl of the FMA form, QB__MX_FMA_FORM; MXINT8:
 *    2^(6 - s')), stored once and broadcast per block;
 * 4. block by block, the codes, packed and stored;
 * 5. blocks holding inf or NaN (rare) overwritten with the NaN scale 0xFF and codes 0.
 */
/* A step's per-block constants (steps 1-3 below), computed a step ahead of its codes. */
typedef struct qb__mx_prep_avx2 {
  int32_t p0[8], p1[8], es[8];
  __m256i s;
  int slow, nan;
  /* mxq-avx512.h's MXINT8 step alone (qb__mx_prep_i8_avx512): some block of the step may
   * round an element to +-128 (its codes then need the clamp to +-127). */
  int wide;
} qb__mx_prep_avx2;

/* Steps 1-3 of qb__mx_quant_x8_avx2: the constants of 8 blocks from their amaxes. */
QB__MX_AVX2_INLINE void qb__mx_prep_x8_avx2(__m256i amax, qb__mx_kind k, qb__mx_scale_mode mode,
                                            qb__mx_prep_avx2* pr) {
  const int hide = qb__mx_hide_k(k, mode);
  /* 1. */
  const __m256i s = qb__mx_scale_x8_avx2(amax, k, mode);
  pr->s = s;
  _mm256_storeu_si256((__m256i*) pr->es, _mm256_add_epi32(s, qb__mx_k_avx2(127, hide)));
  /* 2. */
  const __m256i bad = _mm256_cmpgt_epi32(amax, qb__mx_k_avx2(0x7F7FFFFF, hide));
  pr->nan = _mm256_movemask_ps(_mm256_castsi256_ps(bad));
  const __m256i quiet = _mm256_or_si256(bad, _mm256_cmpeq_epi32(amax, _mm256_setzero_si256()));
  const __m256i sq = _mm256_andnot_si256(quiet, s);
  /* The FMA form's fast range ends one shared exponent lower (until session 19 MXFP8 read
   * its signs from the vpmaddwd result, which X = 254 would lose; kept, not needed now). */
  const __m256i slowv =
      _mm256_or_si256(_mm256_cmpgt_epi32(qb__mx_k_avx2(qb__mx_fast_lo(k), hide), sq),
                      _mm256_cmpgt_epi32(sq, qb__mx_k_avx2(qb__mx_fast_hi(k) - QB__MX_FMA_FORM, hide)));
  pr->slow = _mm256_movemask_ps(_mm256_castsi256_ps(slowv));
  const __m256i sd = _mm256_andnot_si256(slowv, sq);
  /* 3. */
  if (k == QB__MX_INT8) {
    _mm256_storeu_si256((__m256i*) pr->p0,
                        _mm256_slli_epi32(_mm256_sub_epi32(qb__mx_k_avx2(133, hide), sd), 23));
  } else {
    const int mbits = qb__mx_mbits(k);
    const __m256i u = _mm256_add_epi32(sd, qb__mx_k_avx2(qb__mx_eminb(k) + 23 - mbits, hide));
    const __m256i d = _mm256_and_si256(_mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(u, mbits)),
                                       qb__mx_k_avx2(0xFF, hide));
    if (QB__MX_FMA_FORM) {
      /* The FMA form (mxq-avx512.h): p0 = c, 2^(23 - mbits) with mantissa field d; p1 = fl,
       * the floor binade's bits F << 23 (u = F + 23 - mbits). */
      _mm256_storeu_si256((__m256i*) pr->p0, _mm256_add_epi32(d, qb__mx_k_avx2((150 - mbits) << 23, hide)));
      _mm256_storeu_si256((__m256i*) pr->p1,
                          _mm256_slli_epi32(_mm256_sub_epi32(u, qb__mx_k_avx2(23 - mbits, hide)), 23));
    } else {
      _mm256_storeu_si256((__m256i*) pr->p0, _mm256_add_epi32(d, qb__mx_k_avx2((23 - mbits) << 23, hide)));
      _mm256_storeu_si256((__m256i*) pr->p1, _mm256_add_epi32(d, _mm256_slli_epi32(u, 23)));
    }
  }
}

/* Steps 4-5 of qb__mx_quant_x8_avx2: 8 blocks' codes under their constants, stored. */
QB__MX_AVX2_INLINE void qb__mx_codes_x8_avx2(const float* x, const qb__mx_prep_avx2* pr, qb__mx_kind k,
                                             qb__mx_scale_mode mode, const int ties_away, const int width,
                                             uint8_t* out) {
  const size_t bs = 1 + 4 * (size_t) width;
  /* FLOOR lets elements reach 2^(emax + 1) - ulp; RCEIL keeps them at the format's
   * largest value (1 + 2^-23) except MXINT8's at s = 127, clamped there (amax up to 2^128
   * over 127 / 64 asks for 2^128). */
  const int clamp = mode == QB__MX_FLOOR || k == QB__MX_INT8;
  /* 4. The blocks broadcast their constants from memory (a load each); without this barrier
   * the compiler keeps the stored vectors in registers and spends two shuffles per
   * constant per block on the vector unit, the bottleneck. */
  __asm__ volatile("" : : : "memory");
  const int slow = pr->slow;
  if (slow == 0) {
#pragma GCC unroll 8
    for (int b = 0; b < 8; b++)
      QB__MX_BLOCK(x + 32 * b, pr->p0, pr->p1, pr->es, b, k, clamp, ties_away, width, out);
  } else {
    /* 2^-s as f32 bits ((127 - s) << 23, or the subnormal 2^-127 for s = 127, as qb_pow2f). */
    const __m256i s = pr->s;
    const __m256i inv = _mm256_or_si256(
        _mm256_slli_epi32(_mm256_sub_epi32(_mm256_set1_epi32(127), s), 23),
        _mm256_and_si256(_mm256_cmpeq_epi32(s, _mm256_set1_epi32(127)), _mm256_set1_epi32(0x400000)));
    float invs[8], tv[32];
    _mm256_storeu_si256((__m256i*) invs, inv);
    for (int b = 0; b < 8; b++) {
      const float* src = x + 32 * b;
      if ((slow >> b) & 1) {
        const __m256 vb = _mm256_broadcast_ss(invs + b);
        for (int i = 0; i < 4; i++)
          _mm256_storeu_ps(tv + 8 * i, _mm256_mul_ps(_mm256_loadu_ps(src + 8 * i), vb));
        src = tv;
      }
      QB__MX_BLOCK(src, pr->p0, pr->p1, pr->es, b, k, clamp, ties_away, width, out);
    }
  }
  /* 5. */
  const int nan = pr->nan;
  if (nan != 0) {
    for (int b = 0; b < 8; b++) {
      if ((nan >> b) & 1) {
        out[bs * (size_t) b] = 0xFF;
        memset(out + bs * (size_t) b + 1, 0, bs - 1);
      }
    }
  }
}

/* The whole step on one group of 8 blocks (the tail's zero-padded copy). */
QB__MX_AVX2_INLINE void qb__mx_quant_x8_avx2(const float* x, __m256i amax, qb__mx_kind k,
                                             qb__mx_scale_mode mode, const int ties_away, const int width,
                                             uint8_t* out) {
  qb__mx_prep_avx2 pr;
  qb__mx_prep_x8_avx2(amax, k, mode, &pr);
  qb__mx_codes_x8_avx2(x, &pr, k, mode, ties_away, width, out);
}

/*
 * nb MX blocks -> nb stored blocks at out, 8 per step, as a pipeline of three stages: while
 * a step's blocks are encoded, the next step's constants are computed (from amaxes found
 * in the step before) and the amaxes of the step after it are found (their L2 loads overlap
 * the encoding). With the constants of a step computed at its start, its codes waited on
 * their chain of latencies (the amax tree, the scales, the stores the blocks broadcast
 * from): MXFP8 1.2x, MXINT8 1.3x slower. The last 1..7 blocks go through the same step on a
 * zero-padded copy.
 *
 * QB__MX_QUANT_PIPE(name, amax_x8, prep, codes) defines the pipeline as the function `name`
 * with the amax stage amax_x8 (the amax bits of 8 consecutive blocks, lane b for block b, at
 * least 0x7F800000 where a block holds inf or NaN) and the step's two halves prep and codes
 * (qb__mx_prep_x8_avx2's and qb__mx_codes_x8_avx2's signatures; the tail takes those two):
 * qb__mx_quant_avx2 below with qb__mx_amax_x8_avx2, mxq-avx512.h's qb__mx_quant_avx512 with
 * its 512-bit amaxes and qb__mx_quant_i8_avx512 with MXINT8's own step as well. A macro
 * and not a function taking the amax function: passed as a pointer into an always-inline
 * driver, GCC inlined the amaxes later and laid out the AVX2 kernels differently (larger
 * stack frames, other registers) where this leaves their code as it was.
 */
#define QB__MX_QUANT_PIPE(name, amax_x8, prep, codes)                                         \
  static inline void name(const float* x, size_t nb, qb__mx_kind k, qb__mx_scale_mode mode,   \
                          const int ties_away, const int width, uint8_t* out) {               \
    const size_t bs = 1 + 4 * (size_t) width;                                                 \
    size_t b = 0;                                                                             \
    if (nb >= 8) {                                                                            \
      qb__mx_prep_avx2 pr[2];                                                                 \
      int cur = 0;                                                                            \
      prep(amax_x8(x), k, mode, &pr[0]);                                                      \
      if (nb >= 16) {                                                                         \
        __m256i amax = amax_x8(x + QB_MX_BLOCK_LEN * 8);                                      \
        for (; b + 16 <= nb; b += 8) {                                                        \
          /* amax: step b + 8's; pr[cur]: step b's constants. */                              \
          const __m256i next = b + 24 <= nb ? amax_x8(x + QB_MX_BLOCK_LEN * (b + 16)) : amax; \
          prep(amax, k, mode, &pr[cur ^ 1]);                                                  \
          codes(x + QB_MX_BLOCK_LEN * b, &pr[cur], k, mode, ties_away, width, out + bs * b);  \
          amax = next;                                                                        \
          cur ^= 1;                                                                           \
        }                                                                                     \
      }                                                                                       \
      codes(x + QB_MX_BLOCK_LEN * b, &pr[cur], k, mode, ties_away, width, out + bs * b);      \
      b += 8;                                                                                 \
    }                                                                                         \
    if (b < nb) {                                                                             \
      float tx[8 * QB_MX_BLOCK_LEN];                                                          \
      uint8_t ty[8 * (1 + 4 * 8)];                                                            \
      memset(tx, 0, sizeof tx);                                                               \
      memcpy(tx, x + QB_MX_BLOCK_LEN * b, (nb - b) * QB_MX_BLOCK_LEN * sizeof(float));        \
      qb__mx_quant_x8_avx2(tx, amax_x8(tx), k, mode, ties_away, width, ty);                   \
      memcpy(out + bs * b, ty, (nb - b) * bs);                                                \
    }                                                                                         \
  }

QB__MX_QUANT_PIPE(qb__mx_quant_avx2, qb__mx_amax_x8_avx2, qb__mx_prep_x8_avx2, qb__mx_codes_x8_avx2)

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

/*
 * FP4 (E2M1) by table, the value times the block's scale d folded in: 8 codes (0..15, one
 * per 32-bit lane) -> e2m1(code) * d for a finite d, bit for bit the reference's product:
 * 1. the table, once per block: lane m holds m's magnitude (0, 0.5, 1, 1.5, 2, 3, 4, 6)
 *    times d, the same f32 multiplication the reference does for that code, then XOR m << 28;
 * 2. vpermps looks lane code & 7 up (it reads the index's low 3 bits only);
 * 3. XOR code << 28 cancels the m << 28 of step 1 and flips bit 31 by the code's sign bit
 *    (bit 3): -(|v| * d) is (-|v|) * d in round to nearest, zeros and infinities
 *    included. A NaN or infinite d breaks step 3 (0 * inf is x86's default NaN whatever
 *    the signs), so its blocks take qb__mx_decode_avx2 and a multiplication.
 */
static inline __m256 qb__f4_table_avx2(__m256 d) {
  const __m256 t = _mm256_mul_ps(_mm256_setr_ps(0.0f, 0.5f, 1.0f, 1.5f, 2.0f, 3.0f, 4.0f, 6.0f), d);
  return _mm256_xor_ps(t, _mm256_castsi256_ps(_mm256_setr_epi32(0, 1 << 28, 2 << 28, 3 << 28, 4 << 28,
                                                                5 << 28, 6 << 28, 7 << 28)));
}
static inline __m256 qb__f4_lookup_avx2(__m256 t, __m256i c) {
  return _mm256_xor_ps(_mm256_permutevar8x32_ps(t, c), _mm256_castsi256_ps(_mm256_slli_epi32(c, 28)));
}

/*
 * FP8 by F16C: 16 E4M3 or E5M2 codes (bytes) -> two f16 vectors whose values are exactly
 * the codes' values (E5M2) or 2^-8 times them (E4M3), for vcvtph2ps, which widens exactly:
 * 1. vpunpck{l,h}bw with zero puts each byte in the top half of a 16-bit lane: E5M2 is
 *    the top byte of an f16 (same exponent width and bias), inf and NaN included
 *    (vcvtph2ps keeps the payload and quiets it, as fp.h decodes E5M2);
 * 2. E4M3: s.eeee.mmm -> f16 s.0eeee.mmm0000000 (an arithmetic shift by 1 copies the
 *    sign into bit 14, which the mask clears), f16's bias 15 against E4M3's 7: 2^-8 x
 *    the value, subnormals included (normal in f16). E4M3's 0x7F magnitude (NaN) reads
 *    as 480 here: callers send blocks holding it elsewhere (qb__f8_has_e4m3_nan).
 * The caller multiplies by the scale (times 2^8 for E4M3: exact where it stays finite),
 * one rounding of the exact product, as the reference's.
 */
static inline void qb__f8_f16_x16(__m128i q, int e4m3, __m256* lo, __m256* hi) {
  __m128i a = _mm_unpacklo_epi8(_mm_setzero_si128(), q), b = _mm_unpackhi_epi8(_mm_setzero_si128(), q);
  if (e4m3) {
    const __m128i m = _mm_set1_epi16((short) 0xBFFF);
    a = _mm_and_si128(_mm_srai_epi16(a, 1), m);
    b = _mm_and_si128(_mm_srai_epi16(b, 1), m);
  }
  *lo = _mm256_cvtph_ps(a);
  *hi = _mm256_cvtph_ps(b);
}

/*
 * qb__f8_f16_x16 on 32 codes (bytes) in one ymm: the byte unpacks and the E4M3 shift and
 * mask at full width (two of each per 32 codes, not four), the 128-bit halves then
 * widened by vcvtph2ps (the upper ones by vextracti128), in element order.
 */
static inline void qb__f8_f16_x32(__m256i q, int e4m3, __m256 v[4]) {
  __m256i a = _mm256_unpacklo_epi8(_mm256_setzero_si256(), q),
          b = _mm256_unpackhi_epi8(_mm256_setzero_si256(), q);
  if (e4m3) {
    const __m256i m = _mm256_set1_epi16((short) 0xBFFF);
    a = _mm256_and_si256(_mm256_srai_epi16(a, 1), m);
    b = _mm256_and_si256(_mm256_srai_epi16(b, 1), m);
  }
  v[0] = _mm256_cvtph_ps(_mm256_castsi256_si128(a));
  v[1] = _mm256_cvtph_ps(_mm256_castsi256_si128(b));
  v[2] = _mm256_cvtph_ps(_mm256_extracti128_si256(a, 1));
  v[3] = _mm256_cvtph_ps(_mm256_extracti128_si256(b, 1));
}

/* Whether any of the 32 E4M3 codes in q is NaN (magnitude 0x7F). */
static inline int qb__f8_any_e4m3_nan(__m256i q) {
  const __m256i m = _mm256_set1_epi8(0x7F);
  return _mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_and_si256(q, m), m)) != 0;
}

/* Whether any of 32 E4M3 codes (bytes at q) is NaN. */
static inline int qb__f8_has_e4m3_nan(const uint8_t* q) {
  return qb__f8_any_e4m3_nan(_mm256_loadu_si256((const __m256i*) q));
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

/*
 * One MX block -> 32 f32 by the fastest exact path for its format, or 0 where the block
 * needs qb__mx_dequant_block_avx2 (k is a constant in
 * each kernel, so only one path is compiled): FP4 by qb__f4_table_avx2 (the scale is
 * finite under every e but 0xFF); FP6 through f16 (qb__f6_f32_x16, elem-avx2.h: no f32
 * subnormal operand, which this Zen multiplies slowly; the scale and the 2^(15 - bias) of
 * the f16 reading folded into one normal power of two for e <= 239 + bias); E4M3 (no NaN
 * code, e <= 246) and E5M2 by F16C (qb__f8_f16_x16); the rest (MXINT8, the NaN scale,
 * FP6 under scales from 2^(113 + bias)): 0, for qb__mx_dequant_block_avx2.
 */
static inline int qb__mx_dequant_block_try_avx2(const uint8_t* qs, uint8_t e, qb__mx_kind k, int width,
                                                float* y) {
  if (k == QB__MX_E2M1 && e != 0 && e != 0xFF) {
    /* The element decode's values (qb__f4_f32_x32: normal f32 or zeros) times the
     * block's 2^s, a normal f32 for these e: the reference's product. */
    __m256i v[4];
    qb__f4_f32_x32(qb__f4_spread_x32(_mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i*) qs))), v);
    const __m256 m = _mm256_castsi256_ps(_mm256_set1_epi32(e << 23));
#pragma GCC unroll 4
    for (int i = 0; i < 4; i++) _mm256_storeu_ps(y + 8 * i, _mm256_mul_ps(_mm256_castsi256_ps(v[i]), m));
    return 1;
  }
  if (k == QB__MX_INT8 && e >= 7 && e != 0xFF) {
    /* MXINT8 as exact f32 without a conversion instruction: each code byte put in the
     * low byte of a 32-bit lane (vpshufb, 16 code bytes in both 128-bit lanes), XOR
     * 0x4B000080 gives the f32 2^23 + 128 + c (the XOR flips the sign bit of c to make
     * c + 128 in 0..255), minus 2^23 + 128 is c exactly; then one multiplication by
     * 2^(e - 127 - 6), a normal f32 for these e: the reference's (c / 64) * 2^s, whose
     * first step is exact, rounded once. */
    const __m256 m = _mm256_castsi256_ps(_mm256_set1_epi32((e - 6) << 23));
    const __m256i x = _mm256_set1_epi32(0x4B000080);
    const __m256 bias = _mm256_set1_ps(8388736.0f); /* 2^23 + 128 */
    const __m256i c0 = _mm256_setr_epi8(0, -1, -1, -1, 1, -1, -1, -1, 2, -1, -1, -1, 3, -1, -1, -1, 4, -1, -1,
                                        -1, 5, -1, -1, -1, 6, -1, -1, -1, 7, -1, -1, -1);
    const __m256i c1 = _mm256_setr_epi8(8, -1, -1, -1, 9, -1, -1, -1, 10, -1, -1, -1, 11, -1, -1, -1, 12, -1,
                                        -1, -1, 13, -1, -1, -1, 14, -1, -1, -1, 15, -1, -1, -1);
#pragma GCC unroll 2
    for (int h = 0; h < 2; h++) {
      const __m256i q = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i*) (qs + 16 * h)));
      const __m256 v0 =
          _mm256_sub_ps(_mm256_castsi256_ps(_mm256_xor_si256(_mm256_shuffle_epi8(q, c0), x)), bias);
      const __m256 v1 =
          _mm256_sub_ps(_mm256_castsi256_ps(_mm256_xor_si256(_mm256_shuffle_epi8(q, c1), x)), bias);
      _mm256_storeu_ps(y + 16 * h, _mm256_mul_ps(v0, m));
      _mm256_storeu_ps(y + 16 * h + 8, _mm256_mul_ps(v1, m));
    }
    return 1;
  }
  if (k == QB__MX_E2M1 && e == 0) {
    __m256i c[4];
    qb__mx_unpack_avx2(qs, width, c);
    const __m256 t = qb__f4_table_avx2(_mm256_set1_ps(qb__e8m0_scale(e)));
#pragma GCC unroll 4
    for (int i = 0; i < 4; i++) _mm256_storeu_ps(y + 8 * i, qb__f4_lookup_avx2(t, c[i]));
    return 1;
  }
  if ((k == QB__MX_E2M3 && e <= 239 + 1) || (k == QB__MX_E3M2 && e <= 239 + 3)) {
    /* FP6 through f16 (qb__f6_f32_x16): the codes' values times 2^(bias - 15), times
     * 2^(e - 127 + 15 - bias), a normal f32 for these e, in one rounding. */
    const int mbits = k == QB__MX_E2M3 ? 3 : 2, bias = k == QB__MX_E2M3 ? 1 : 3;
    const __m256 m = _mm256_castsi256_ps(_mm256_set1_epi32((e + 15 - bias) << 23));
    qb__f6_f32_x16(qs, 0, mbits, m, y);
    qb__f6_f32_x16(qs + 8, 4, mbits, m, y + 16);
    return 1;
  }
  if ((k == QB__MX_E5M2 && e != 0xFF) || (k == QB__MX_E4M3 && e <= 246 && !qb__f8_has_e4m3_nan(qs))) {
    const __m256 m = _mm256_set1_ps(k == QB__MX_E4M3 ? qb__e8m0_scale((uint8_t) (e + 8)) : qb__e8m0_scale(e));
#pragma GCC unroll 2
    for (int i = 0; i < 2; i++) {
      __m256 lo, hi;
      qb__f8_f16_x16(_mm_loadu_si128((const __m128i*) (qs + 16 * i)), k == QB__MX_E4M3, &lo, &hi);
      _mm256_storeu_ps(y + 16 * i, _mm256_mul_ps(lo, m));
      _mm256_storeu_ps(y + 16 * i + 8, _mm256_mul_ps(hi, m));
    }
    return 1;
  }
  return 0;
}

/* One NVFP4 block of 16 -> f32: e2m1(code) * d with the reference's d = e4m3(s) * g, by
 * qb__f4_table_avx2 for a finite d; a NaN or infinite d through qb__mx_decode_avx2 and a
 * multiplication (FP4 has no NaN: a NaN d gives d's NaN, as the reference). */
static inline void qb__nvf4_dequant_block_avx2(const qb_block_nvf4* b, float g, float* y) {
  /* e4m3(s) by F16C (qb__f8_f16_x16's reading: s.0eeee.mmm0000000 is 2^-8 x the value,
   * exact, subnormals included), then x 2^8 (exact) and x g, as qb__nvf4_block_d; its NaN
   * codes (0x7F, 0xFF) through qb__nvf4_block_d itself. */
  const uint32_t s = b->s;
  const float df = (s & 0x7Fu) != 0x7Fu
                       ? _cvtsh_ss((unsigned short) (((s & 0x7Fu) << 7) | ((s & 0x80u) << 8))) * 256.0f * g
                       : qb__nvf4_block_d(b->s, g);
  const __m128i q = _mm_loadl_epi64((const __m128i*) b->qs);
  const __m128i m = _mm_set1_epi8(15);
  const __m128i e = _mm_unpacklo_epi8(_mm_and_si128(q, m), _mm_and_si128(_mm_srli_epi16(q, 4), m));
  const __m256i c0 = _mm256_cvtepu8_epi32(e), c1 = _mm256_cvtepu8_epi32(_mm_srli_si128(e, 8));
  if (__builtin_expect(qb_f32_to_bits(df) << 1 < 0xFF000000u, 1)) {
    const __m256 t = qb__f4_table_avx2(_mm256_set1_ps(df));
    _mm256_storeu_ps(y, qb__f4_lookup_avx2(t, c0));
    _mm256_storeu_ps(y + 8, qb__f4_lookup_avx2(t, c1));
    return;
  }
  const __m256 d = _mm256_set1_ps(df);
  _mm256_storeu_ps(y, _mm256_mul_ps(qb__mx_decode_avx2(c0, QB__MX_E2M1), d));
  _mm256_storeu_ps(y + 8, _mm256_mul_ps(qb__mx_decode_avx2(c1, QB__MX_E2M1), d));
}

/*
 * 8 NVFP4 blocks (72 bytes) -> 128 f32, as qb__nvf4_dequant_block_avx2 but with the
 * scalar work of a block (its d) done for 8 at once and no branch per block:
 * 1. the 8 scale bytes (bytes 0, 9, ..., 63) gathered by two vpshufb into the high bytes
 *    of 8 16-bit lanes, read as f16 (qb__f8_f16_x16: s.0eeee.mmm0000000 is 2^-8 x
 *    e4m3(s), exactly), widened, times 2^8 (exact) and times g (skipped for g = 1): the
 *    reference's d = e4m3(s) * g, 8 at once;
 * 2. the blocks whose d would be NaN (s & 0x7F = 0x7F, which F16C reads as a number) or
 *    is infinite or NaN (g large): the whole step goes through
 *    qb__nvf4_dequant_block_avx2 (rare);
 * 3. two blocks at a time: their 16 code bytes (read as the 16 bytes from each block's
 *    codes in the low 128-bit lane and from one byte later in the high one, so that the
 *    second block's scale byte is skipped and nothing past the second block is read)
 *    spread as the element decode wants them, decoded by its two vpshufb tables
 *    (qb__f4_f32_x32: the values as f32, normal or zero), each 8 times its block's d:
 *    the reference's product.
 */
static inline void qb__nvf4_dequant_x8_avx2(const qb_block_nvf4* b, float g, float* y) {
  const uint8_t* p = (const uint8_t*) b;
  const __m256i lo = _mm256_loadu_si256((const __m256i*) p),
                hi = _mm256_loadu_si256((const __m256i*) (p + 32));
  /* Scale j at byte 9j: lo's lanes hold bytes 0-15 (s0 at 0, s1 at 9) and 16-31 (s2 at 2,
   * s3 at 11), hi's 32-47 (s4 at 4, s5 at 13) and 48-63 (s6 at 6, s7 at 15); each goes to
   * the high byte of 16-bit lane j of its 128-bit half, and the halves are then ORed. */
  const __m256i cl = _mm256_setr_epi8(-1, 0, -1, 9, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                      -1, -1, -1, 2, -1, 11, -1, -1, -1, -1, -1, -1, -1, -1);
  const __m256i ch = _mm256_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1, -1, 4, -1, 13, -1, -1, -1, -1, -1, -1,
                                      -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 6, -1, 15);
  const __m256i sw = _mm256_or_si256(_mm256_shuffle_epi8(lo, cl), _mm256_shuffle_epi8(hi, ch));
  const __m128i s = _mm_or_si128(_mm256_castsi256_si128(sw), _mm256_extracti128_si256(sw, 1));
  const __m128i nan = _mm_cmpeq_epi16(_mm_and_si128(s, _mm_set1_epi16(0x7F00)), _mm_set1_epi16(0x7F00));
  __m256 d =
      _mm256_mul_ps(_mm256_cvtph_ps(_mm_and_si128(_mm_srai_epi16(s, 1), _mm_set1_epi16((short) 0xBFFF))),
                    _mm256_set1_ps(256.0f));
  if (g != 1.0f) d = _mm256_mul_ps(d, _mm256_set1_ps(g));
  const __m256i inf = _mm256_cmpgt_epi32(
      _mm256_and_si256(_mm256_castps_si256(d), _mm256_set1_epi32(0x7FFFFFFF)), _mm256_set1_epi32(0x7F7FFFFF));
  if (__builtin_expect(_mm_movemask_epi8(nan) | _mm256_movemask_epi8(inf), 0)) {
    for (int j = 0; j < 8; j++) qb__nvf4_dequant_block_avx2(&b[j], g, y + 16 * j);
    return;
  }
  _Alignas(32) float dd[8];
  _mm256_store_ps(dd, d);
  /* From the low lane (the first block's codes at 0-7, the second's at 9-15) code bytes 0,
   * 1, 4, 5 of each, from the high lane (one byte later: the first's at 0-6 for its bytes
   * 1-7, the second's at 8-15) bytes 2, 3, 6, 7 of each, each twice (qb__f4_spread_x32). */
  const __m256i ctl = _mm256_setr_epi8(0, 0, 1, 1, 4, 4, 5, 5, 9, 9, 10, 10, 13, 13, 14, 14, 1, 1, 2, 2, 5, 5,
                                       6, 6, 10, 10, 11, 11, 14, 14, 15, 15);
#pragma GCC unroll 4
  for (int j = 0; j < 8; j += 2) {
    const __m256i q = _mm256_loadu2_m128i((const __m128i*) (b[j].qs + 1), (const __m128i*) b[j].qs);
    __m256i v[4];
    qb__f4_f32_x32(_mm256_shuffle_epi8(q, ctl), v);
    const __m256 d0 = _mm256_broadcast_ss(&dd[j]), d1 = _mm256_broadcast_ss(&dd[j + 1]);
    float* o = y + 16 * j;
    _mm256_storeu_ps(o, _mm256_mul_ps(_mm256_castsi256_ps(v[0]), d0));
    _mm256_storeu_ps(o + 8, _mm256_mul_ps(_mm256_castsi256_ps(v[1]), d0));
    _mm256_storeu_ps(o + 16, _mm256_mul_ps(_mm256_castsi256_ps(v[2]), d1));
    _mm256_storeu_ps(o + 24, _mm256_mul_ps(_mm256_castsi256_ps(v[3]), d1));
  }
}

/* 32 codes of a row, the first way: qb__mx_decode_avx2 and the product. */
static inline void qb__f8_row32_slow_avx2(const uint8_t* q, __m256 dv, float* y, const int keep_nan) {
#pragma GCC unroll 4
  for (int i = 0; i < 32; i += 8) {
    const __m256 v =
        qb__mx_decode_avx2(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i*) (q + i))), QB__MX_E4M3);
    const __m256 p = _mm256_mul_ps(v, dv);
    _mm256_storeu_ps(y + i, keep_nan ? _mm256_blendv_ps(p, v, _mm256_cmp_ps(v, v, _CMP_UNORD_Q)) : p);
  }
}

/* One row of 128 e4m3 codes -> f32: e4m3(code) * d. keep_nan: a NaN code keeps its own NaN
 * (as the per-128 reference: a blend, since vmulps's choice between two NaNs follows the
 * operand order); else the plain product code * d in that order, as the 128 x 128 tile
 * reference computes it. A per-128 block is one such row; a tile is 128 of them. */
static inline void qb__f8_row_dequant_avx2(const uint8_t* q, float d, float* y, const int keep_nan) {
  const __m256 dv = _mm256_set1_ps(d);
  /* By F16C (qb__f8_f16_x32) 32 codes at a time where none is NaN and d x 2^8 is exact and
   * finite (|d| < 2^119; a NaN d stays d's NaN, as the reference's product); else below. */
  if (__builtin_expect((qb_f32_to_bits(d) & 0x7FFFFFFFu) < 0x7B000000u || d != d, 1)) {
    const __m256 d8 = _mm256_mul_ps(dv, _mm256_set1_ps(256.0f));
    for (int i = 0; i < 128; i += 32) {
      const __m256i c = _mm256_loadu_si256((const __m256i*) (q + i));
      if (__builtin_expect(qb__f8_any_e4m3_nan(c), 0)) {
        qb__f8_row32_slow_avx2(q + i, dv, y + i, keep_nan);
        continue;
      }
      __m256 v[4];
      qb__f8_f16_x32(c, 1, v);
#pragma GCC unroll 4
      for (int j = 0; j < 4; j++) _mm256_storeu_ps(y + i + 8 * j, _mm256_mul_ps(v[j], d8));
    }
    return;
  }
  for (int i = 0; i < 128; i += 32) qb__f8_row32_slow_avx2(q + i, dv, y + i, keep_nan);
}

/* One per-128 FP8 block -> f32. */
static inline void qb__f8b128_dequant_block_avx2(const qb_block_f8b128* b, float* y) {
  qb__f8_row_dequant_avx2(b->qs, b->d, y, 1);
}

#endif /* QB_LOWBIT_AVX2_H */
