/*
 * f32 -> NVFP4 on AVX-512 + VBMI, 16 blocks of 16 per iteration (one block per vector),
 * bit-exact with the reference (lowbit-scalar.h: s = e4m3_sat(amax / 6 / g), d = e4m3(s) g,
 * codes e2m1(x / d) by one f32 division each): the AVX2 kernel's arithmetic (blkq-avx2.h:
 * the same E4M3 and E2M1 steps), the quotients by products with 1/d that a bracket proves
 * equal to the divisions' codes (below), so the same codes for every input and g.
 *
 * The `rcp` variant (kernels/NAMING.md, algorithm tokens) of avx512vbmi_u256
 * (f32-nvf4-quant-avx512vbmi-u256.c), which divides every element: the same ISA, tile and
 * steps but the quotients. Which one runs is the CPU's: where the divider binds (Intel's
 * vdivps zmm issues about one per 10 cycles) this one, picked by kernels/prefer.inc; where
 * the pipes bind (Zen 4, whose divider takes 6 cycles beside them, and where a product form
 * with one more operation per block ran 0.95x) the dividing one, first in the registry.
 *
 * Per iteration:
 * 1. the 16 amaxes (qb__nvf4_amax16), the scale codes s (blkq-avx2.h's E4M3 steps on 16
 *    lanes), each block's divisor: d, or +inf where d = 0, so that x / inf gives the
 *    signed zero whose code keeps only the sign (the reference's d = 0 case), and r =
 *    fl(1 / divisor) by one vdivps (0 where d = 0); an iteration holding a block whose d
 *    is an f32 subnormal (1/d may overflow) is divided whole by blkq-avx2.h;
 * 2. per block: q = x r; |q| clamped below to 1/16 by one vrangeps (max of absolute
 *    values, sign cleared), and above to 6 in the iterations holding a block whose
 *    quotients may reach 7 (blkq-avx2.h, scales step 5: s an E4M3 subnormal or 0x7E, or d
 *    an f32 subnormal); the E2M1 code by blkq-avx2.h's per-binade magic number (a 16-entry
 *    vpermps on the exponent's low 4 bits), left in the low byte of lo = fma(a, 1 - 2^-21,
 *    magic); hi = fma(a, 1 + 2^-21, magic) beside it, and a group of 4 blocks where some
 *    lo != hi is done again by divisions (x / d, the same steps, the sum a + magic);
 * 3. per two blocks: the 32 code bytes gathered by one vpermt2b, the signs (byte 3 of x)
 *    by another, joined; per four blocks the nibble pairs joined by vpmaddubsw and the
 *    36 output bytes (scale byte, 8 code bytes per block) placed by one vpermt2b;
 * 4. blocks holding inf rewritten: scale 0x7F, codes 0.
 * Iterations holding a NaN and the last nb % 16 blocks take blkq-avx2.h's AVX2 steps.
 *
 * Why the products give the divisions' codes (blkq-avx512.h's proof for E4M3, carried to
 * E2M1's grid). Let t = x / d (real), Q = fl(t) the reference's quotient, P = fl(x r), u =
 * 2^-24, and A, a the clamped |Q|, |P| (max with 1/16, min with 6 where clamped).
 * 1. r = (1/d)(1 + e1), |e1| <= 4u (d is a normal f32 here, so 1/d <= 2^126; were 1/d
 *    below 2^-126, it is still at least 2^-128, d being finite, and its half step 2^-150
 *    at most 4u of it). Where |t| >= 2^-125, x r and Q are normal, P = x r (1 + e2),
 *    |e2| <= u, so |P - t| <= 5.01u |t| and, as |Q - t| <= u |t|, |P - Q| <= 6.01u |t| <
 *    6.1u |P|. Where |t| < 2^-125, |P| and |Q| are at most 2^-124: both clamp to 1/16
 *    (code 0; r = 0 for d = 0 gives P = +-0 = Q). The clamps are monotone and move no
 *    value farther from another, so |A - a| < 6.1u a < 2^-21 a (a at 6 and |P| above it:
 *    A = 6 or within 6.1u 6 of it).
 * 2. For v in [1/16, 6.4) (|t| < 6 x 17/16 (1 + 2^-21) outside the clamped iterations,
 *    blkq-avx2.h's step 5) the low byte of fl(v + magic(v)) is v's E2M1 magnitude code
 *    (blkq-avx2.h, qb__blkq_avx2_e2m1_mag), and v -> fl(v + m) is monotone for a fixed m.
 *    lo and hi are fl(v + magic(a)) at v = a (1 -+ 2^-21) (an FMA rounds once), so A lies
 *    between those v. If magic(A) = magic(a) and lo = hi, fl(A + magic(a)) = lo: A's code
 *    is lo's low byte. magic changes only at 2 and 4 (2^22 below 2, 2^23 + 2 in [2, 4),
 *    2^24 + 8 in [4, 8)); there A and a lie within 6.1u 4 of that power of two, which is
 *    an E2M1 value (codes 4 and 6) far from the boundaries 1.75, 2.5, 3.5 and 5: both
 *    round to it, as lo does. (1/4 is a boundary and a power of two, but magic is 2^22 on
 *    both sides of it: the first case.)
 * 3. lo != hi means a rounding boundary (0.25, 0.75, 1.25, 1.75, 2.5, 3.5, 5) within 2^-21
 *    a of a: every exact tie (x = b d, which a few-bit g gives often) and, rarely (not
 *    counted), a quotient of normal data; the group of 4 blocks is then divided. test_lowbit's
 *    check_nvf4_boundaries places x on and one step either side of every boundary times d
 *    for 11 tensor scales and 13 scale codes; a bracket of 2^-24 fails it under 4 of them.
 * Per block the product, the range, vpsrld, vpermps, 2 FMAs and a vpternlogd (lo ^ hi
 * or-ed into the group's flag; one vptestmd per group), against the division, the range,
 * vpsrld, vpermps and an addition.
 *
 * Session 22 (Intel Xeon, Emerald Rapids class, 2 shared cores, loaded: ci/paired against
 * main, 8 rounds, L2, head/base items per second, median (min-max)). Intel's vdivps zmm
 * issues about one per 10 cycles (Zen 4: 6), which bound the divided loop (0.13 of the L2
 * roof). Every block by products, a failing group redone by divisions: 1.133
 * (1.082-1.158); the same with the failing block redone alone (a vpcmpd and a kortest per
 * block in place of the vpternlogd): 1.093 (1.041-1.393). At DRAM size (4 rounds) 1.007
 * (0.986-1.105), the AVX2 row 1.016: not slower out of cache. Not measured on Zen 4, where
 * session 20 found the pipes, not the divider, binding (a product form with one operation
 * more per block ran 0.95x there).
 *
 * Everything else (the amax tree, the scales, the gathers, the prefetch, what was tried on
 * Zen 4 in sessions 17 and 20) is avx512vbmi_u256's, whose header tells it; a change to
 * one file's shared steps belongs in the other too.
 */
#include <assert.h>
#include <string.h>

#include "lowbit/blkq-avx2.h"
#include "qb/ukernel.h"

/* The AVX2 kernel's steps (true divisions) on nb blocks. Out of line: the rare path. */
static __attribute__((noinline)) void qb__nvf4_by_division(const float* x, size_t nb, float g,
                                                           qb_block_nvf4* out) {
  if (g == 1.0f)
    qb__blkq_avx2_nvf4_quant(x, nb, _mm256_set1_ps(1.0f), 1, out);
  else
    qb__blkq_avx2_nvf4_quant(x, nb, _mm256_set1_ps(g), 0, out);
}

/* blkq-avx2.h's qb__blkq_avx2_e4m3_pos on 16 lanes: the saturating E4M3 codes (nearest even)
 * of w >= 0 (f32 bits; inf and NaN give 0x7E). */
static inline __m512i qb__e4m3_pos_x16(__m512i w) {
  const __m512i emin = _mm512_set1_epi32(QB_F8_E4M3_EMIN << 23);
  const __m512i a = _mm512_min_epu32(w, _mm512_set1_epi32(QB_F8_E4M3_CLAMP));
  const __m512i e = _mm512_max_epu32(_mm512_and_si512(a, _mm512_set1_epi32(0x7F800000)), emin);
  const __m512i magic = _mm512_add_epi32(e, _mm512_set1_epi32(20 << 23));
  const __m512i n = _mm512_sub_epi32(
      _mm512_castps_si512(_mm512_add_ps(_mm512_castsi512_ps(a), _mm512_castsi512_ps(magic))), magic);
  const __m512i q = _mm512_add_epi32(n, _mm512_srli_epi32(_mm512_sub_epi32(e, emin), 20));
  return _mm512_min_epu32(q, _mm512_set1_epi32(0x7E));
}

/* One iteration's scales (step 1): per block k, its divisor dv[k] (read back by broadcasts),
 * the 16 scale bytes in order, and masks: the blocks holding inf (special, rewritten), those
 * whose quotients may reach 7 (top), and the lanes holding a NaN (slow: the whole iteration
 * by blkq-avx2.h). */
typedef struct qb__nvf4_scales16 {
  float dv[16], rv[16];
  __m128i s;
  __mmask16 special, top, slow;
} qb__nvf4_scales16;

/*
 * The 16 blocks' amaxes (|x| bits), block k in lane k, and whether any x is NaN: the
 * transposing tree of common/hmax-avx512.h with two changes that save 15 of its 68
 * operations (16 ands, 52 in the tree):
 * 1. the first level takes max(|a|, |b|) by one vrangeps (imm 0x0B: the larger magnitude,
 *    sign cleared) on the raw x, where the ands made |x| first; vrangeps returns the other
 *    operand for a NaN, so the NaN are found apart, one vcmpps (unordered) per pair of
 *    blocks;
 * 2. levels 2-4 take the lanes they move by one vpermt2d where a blend and a shuffle did.
 * The inputs enter in bit-reversed order (the tree puts input j in lane bitrev4(j)).
 */
static inline __attribute__((always_inline)) __m512i qb__nvf4_amax16(const float* x, __mmask16* nan) {
  static const int rev[16] = {0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15};
  __m512 v1[8];
  __mmask16 un = 0;
#pragma GCC unroll 8
  for (int p = 0; p < 8; p++) {
    const __m512 a = _mm512_loadu_ps(x + 16 * rev[2 * p]), b = _mm512_loadu_ps(x + 16 * rev[2 * p + 1]);
    un |= _mm512_cmp_ps_mask(a, b, _CMP_UNORD_Q);
    v1[p] = _mm512_range_ps(_mm512_mask_blend_ps(0xFF00, a, b),
                            _mm512_shuffle_f32x4(a, b, _MM_SHUFFLE(1, 0, 3, 2)), 0x0B);
  }
  *nan = un;
  /* Level 2: chunks [A0 B1 A2 B3] against [A1 B0 A3 B2]. */
  const __m512i i2 = _mm512_setr_epi32(4, 5, 6, 7, 16, 17, 18, 19, 12, 13, 14, 15, 24, 25, 26, 27);
  __m512i v2[4];
#pragma GCC unroll 4
  for (int q = 0; q < 4; q++) {
    const __m512i a = _mm512_castps_si512(v1[2 * q]), b = _mm512_castps_si512(v1[2 * q + 1]);
    v2[q] = _mm512_max_epi32(_mm512_mask_blend_epi32(0xF0F0, a, b), _mm512_permutex2var_epi32(a, i2, b));
  }
  /* Level 3: per chunk qwords [Aq0 Bq1] against [Aq1 Bq0]. */
  const __m512i i3 = _mm512_setr_epi32(2, 3, 16, 17, 6, 7, 20, 21, 10, 11, 24, 25, 14, 15, 28, 29);
  __m512i v3[2];
#pragma GCC unroll 2
  for (int r = 0; r < 2; r++)
    v3[r] = _mm512_max_epi32(_mm512_mask_blend_epi32(0xCCCC, v2[2 * r], v2[2 * r + 1]),
                             _mm512_permutex2var_epi32(v2[2 * r], i3, v2[2 * r + 1]));
  /* Level 4: dwords [A0 B1] against [A1 B0]. */
  const __m512i i4 = _mm512_setr_epi32(1, 16, 3, 18, 5, 20, 7, 22, 9, 24, 11, 26, 13, 28, 15, 30);
  return _mm512_max_epi32(_mm512_mask_blend_epi32(0xAAAA, v3[0], v3[1]),
                          _mm512_permutex2var_epi32(v3[0], i4, v3[1]));
}

/* Step 1 from the amaxes (qb__nvf4_amax16). */
static inline __attribute__((always_inline)) void qb__nvf4_scales16_of(__m512i amax, __mmask16 nan, __m512 g,
                                                                       const int g1, qb__nvf4_scales16* sc) {
  sc->special = _mm512_cmpgt_epi32_mask(amax, _mm512_set1_epi32(0x7F7FFFFF));
  const __m512 q6 = _mm512_div_ps(_mm512_castsi512_ps(amax), _mm512_set1_ps(6.0f));
  const __m512 q = g1 ? q6 : _mm512_div_ps(q6, g);
  const __m512i s = qb__e4m3_pos_x16(_mm512_castps_si512(q));
  sc->s = _mm512_cvtepi32_epi8(s);
  /* d = e4m3(s) g: s's 7 bits in f32's exponent and mantissa fields, times 2^120. */
  const __m512 sv = _mm512_mul_ps(_mm512_castsi512_ps(_mm512_slli_epi32(s, 20)),
                                  _mm512_castsi512_ps(_mm512_set1_epi32(247 << 23)));
  const __m512 d = g1 ? sv : _mm512_mul_ps(sv, g);
  const __m512 dv = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(d, _mm512_setzero_ps(), _CMP_EQ_OQ), d,
                                         _mm512_set1_ps(__builtin_inff()));
  _mm512_storeu_ps(sc->dv, dv);
  _mm512_storeu_ps(sc->rv, _mm512_div_ps(_mm512_set1_ps(1.0f), dv));
  /* s from 1 to 7 (E4M3 subnormals) or 0x7E; d an f32 subnormal (d is s itself where g = 1). */
  __mmask16 top = _mm512_cmplt_epu32_mask(_mm512_sub_epi32(s, _mm512_set1_epi32(1)), _mm512_set1_epi32(7)) |
                  _mm512_cmpeq_epi32_mask(s, _mm512_set1_epi32(0x7E));
  __mmask16 sub = 0;
  if (!g1)
    sub = _mm512_cmplt_epu32_mask(_mm512_sub_epi32(_mm512_castps_si512(d), _mm512_set1_epi32(1)),
                                  _mm512_set1_epi32(0x7FFFFF));
  sc->top = top | sub;
  sc->slow = nan | sub;
}

/* One block's E2M1 magnitude codes (step 2), one per 32-bit lane in the low byte of the
 * returned sum (its bits 3-7 are 0). */
static inline __attribute__((always_inline)) __m512i qb__nvf4_mags16_div(__m512 xv, const float* dv,
                                                                         __m512 tab, const int top) {
  const __m512 q = _mm512_div_ps(xv, _mm512_set1_ps(*dv));
  /* max(|q|, 1/16), sign cleared: imm 0x0B (max of absolute values, sign bit 0). */
  __m512 a = _mm512_range_ps(q, _mm512_set1_ps(0.0625f), 0x0B);
  if (top) a = _mm512_min_ps(a, _mm512_set1_ps(6.0f));
  const __m512 magic = _mm512_permutexvar_ps(_mm512_srli_epi32(_mm512_castps_si512(a), 23), tab);
  return _mm512_castps_si512(_mm512_add_ps(a, magic));
}

/* The same codes from the product with r = fl(1 / dv) and the bracket (the file's header
 * comment, step 2): the sum at a (1 - 2^-21); the bits where it and the sum at a (1 +
 * 2^-21) differ are or-ed into *near (the group is then divided). */
static inline __attribute__((always_inline)) __m512i qb__nvf4_mags16(__m512 xv, const float* dv,
                                                                     const float* rv, __m512 tab,
                                                                     const int top, const int div,
                                                                     __m512i* near) {
  if (div) return qb__nvf4_mags16_div(xv, dv, tab, top);
  const __m512 p = _mm512_mul_ps(xv, _mm512_set1_ps(*rv));
  __m512 a = _mm512_range_ps(p, _mm512_set1_ps(0.0625f), 0x0B);
  if (top) a = _mm512_min_ps(a, _mm512_set1_ps(6.0f));
  const __m512 magic = _mm512_permutexvar_ps(_mm512_srli_epi32(_mm512_castps_si512(a), 23), tab);
  const __m512 lo = _mm512_fmadd_ps(a, _mm512_set1_ps(1.0f - 0x1p-21f), magic);
  const __m512 hi = _mm512_fmadd_ps(a, _mm512_set1_ps(1.0f + 0x1p-21f), magic);
  /* 0xF6: A | (B ^ C). */
  *near = _mm512_ternarylogic_epi32(*near, _mm512_castps_si512(lo), _mm512_castps_si512(hi), 0xF6);
  return _mm512_castps_si512(lo);
}

/* v's dwords rotated down by k (0..3): _mm512_alignr_epi32 needs a constant count, which
 * clang requires literally; after GCC's unrolling each case folds to one valignd. */
static inline __m512i qb__nvf4_rotate32(__m512i v, int k) {
  switch (k) {
    case 0:
      return v;
    case 1:
      return _mm512_alignr_epi32(v, v, 1);
    case 2:
      return _mm512_alignr_epi32(v, v, 2);
    default:
      return _mm512_alignr_epi32(v, v, 3);
  }
}

static void qb__nvf4_group_by_division(const float* x, const qb__nvf4_scales16* sc, uint8_t* o, int top,
                                       int last, int gq);

/* Steps 2-3 for groups gfrom .. gto - 1 (of 4 blocks) of one iteration's 16 blocks (div:
 * every block divided, the group redone where the products' bracket failed). */
static inline __attribute__((always_inline)) void qb__nvf4_codes16(const float* x,
                                                                   const qb__nvf4_scales16* sc, uint8_t* o,
                                                                   const int top, const int last,
                                                                   const int gfrom, const int gto,
                                                                   const int div) {
  /* Entry (exponent field mod 16): 2^22 below 2 (exponents 123-127: 11-15), 2^23 + 2 in
   * [2, 4) (128: 0), 2^24 + 8 in [4, 8) (129: 1). */
  const __m512 tab = _mm512_setr_ps(0x1p23f + 2.0f, 0x1p24f + 8.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f,
                                    0.0f, 0.0f, 0x1p22f, 0x1p22f, 0x1p22f, 0x1p22f, 0x1p22f);
  /* Byte i of 32: byte 4 i of the first vector, or 4 (i - 16) of the second (index 64 +). */
  const __m512i perm =
      _mm512_set_epi8(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                      0, 0, 0, 124, 120, 116, 112, 108, 104, 100, 96, 92, 88, 84, 80, 76, 72, 68, 64, 60, 56,
                      52, 48, 44, 40, 36, 32, 28, 24, 20, 16, 12, 8, 4, 0);
  const __m512i perm3 = _mm512_add_epi8(perm, _mm512_set1_epi8(3));
  /* Output byte o of a group of 4 blocks: block b = o / 9; o % 9 = 0 its scale byte (index
   * 64 + b, the group's scales moved to bytes 0-3), else its code byte o % 9 - 1, the
   * low byte of word 8 b + o % 9 - 1. */
  const __m512i place =
      _mm512_set_epi8(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 62,
                      60, 58, 56, 54, 52, 50, 48, 67, 46, 44, 42, 40, 38, 36, 34, 32, 66, 30, 28, 26, 24, 22,
                      20, 18, 16, 65, 14, 12, 10, 8, 6, 4, 2, 0, 64);
  const __m512i nib = _mm512_set1_epi16(0x1001);
  const __m512i scales = _mm512_castsi128_si512(sc->s);
#pragma GCC unroll 4
  for (int gq = gfrom; gq < gto; gq++) {
    __m256i c[2];
    __m512i near = _mm512_setzero_si512();
#pragma GCC unroll 2
    for (int h = 0; h < 2; h++) {
      const int b = 4 * gq + 2 * h;
      __m512 x0 = _mm512_loadu_ps(x + 16 * b), x1 = _mm512_loadu_ps(x + 16 * b + 16);
      /* Loaded once: Zen 4 loads one 512-bit vector per cycle, and GCC would fold x into
       * three operations' memory operands (three loads). */
      __asm__("" : "+v"(x0), "+v"(x1));
      const __m512i s0 = qb__nvf4_mags16(x0, &sc->dv[b], &sc->rv[b], tab, top, div, &near);
      const __m512i s1 = qb__nvf4_mags16(x1, &sc->dv[b + 1], &sc->rv[b + 1], tab, top, div, &near);
      const __m256i mag = _mm512_castsi512_si256(_mm512_permutex2var_epi8(s0, perm, s1));
      const __m256i sg = _mm512_castsi512_si256(
          _mm512_permutex2var_epi8(_mm512_castps_si512(x0), perm3, _mm512_castps_si512(x1)));
      /* mag | (sg >> 4 & 8): x's sign bit to the code's bit 3. 0xF8: A | (B & C). */
      c[h] = _mm256_ternarylogic_epi32(mag, _mm256_srli_epi16(sg, 4), _mm256_set1_epi8(8), 0xF8);
    }
    const __m512i w = _mm512_maddubs_epi16(_mm512_inserti64x4(_mm512_castsi256_si512(c[0]), c[1], 1), nib);
    const __m512i sq = qb__nvf4_rotate32(scales, gq);
    const __m512i v = _mm512_permutex2var_epi8(w, place, sq);
    if (last && gq == 3)
      _mm512_mask_storeu_epi8(o + 36 * gq, 0xFFFFFFFFFull, v);
    else
      _mm512_storeu_si512((void*) (o + 36 * gq), v);
    if (!div && __builtin_expect(_mm512_test_epi32_mask(near, near) != 0, 0))
      qb__nvf4_group_by_division(x, sc, o, top, last, gq);
  }
}

/* Group gq of an iteration's blocks redone by divisions. Out of line: the rare path. */
static __attribute__((noinline)) void qb__nvf4_group_by_division(const float* x, const qb__nvf4_scales16* sc,
                                                                 uint8_t* o, int top, int last, int gq) {
  if (top)
    qb__nvf4_codes16(x, sc, o, 1, last, gq, gq + 1, 1);
  else
    qb__nvf4_codes16(x, sc, o, 0, last, gq, gq + 1, 1);
}

/* qb__nvf4_codes16 for groups gfrom .. gto - 1 with the iteration's flags as constants. */
static inline __attribute__((always_inline)) void qb__nvf4_codes16_part(const float* x,
                                                                        const qb__nvf4_scales16* sc,
                                                                        uint8_t* o, const int last,
                                                                        const int gfrom, const int gto) {
  if (__builtin_expect(sc->top != 0, 0)) {
    if (last)
      qb__nvf4_codes16(x, sc, o, 1, 1, gfrom, gto, 0);
    else
      qb__nvf4_codes16(x, sc, o, 1, 0, gfrom, gto, 0);
  } else if (last) {
    qb__nvf4_codes16(x, sc, o, 0, 1, gfrom, gto, 0);
  } else {
    qb__nvf4_codes16(x, sc, o, 0, 0, gfrom, gto, 0);
  }
}

/* Step 4. */
static inline void qb__nvf4_special16(const qb__nvf4_scales16* sc, uint8_t* o) {
  if (__builtin_expect(sc->special != 0, 0)) {
    qb_block_nvf4* ob = (qb_block_nvf4*) (void*) o;
    for (int b = 0; b < 16; b++) {
      if (sc->special >> b & 1) {
        ob[b].s = 0x7F;
        memset(ob[b].qs, 0, sizeof ob[b].qs);
      }
    }
  }
}

/* nb (a multiple of 16, at least 16) blocks under g (g1: g = 1), each iteration's scales
 * computed one iteration ahead. The last iteration stores its last 36
 * bytes by a masked store; the others store 64 bytes from each group of 4 blocks, 28 past it (overwritten by
 * the next group's store). */
static inline __attribute__((always_inline)) void qb__nvf4_fast(const float* x, size_t nb, float gs,
                                                                const int g1, qb_block_nvf4* out) {
  const __m512 g = _mm512_set1_ps(gs);
  qb__nvf4_scales16 sc[2];
  int cur = 0;
  __mmask16 nan;
  const __m512i amax0 = qb__nvf4_amax16(x, &nan);
  qb__nvf4_scales16_of(amax0, nan, g, g1, &sc[0]);
  for (size_t b = 0; b < nb; b += 16) {
    const int last = b + 16 >= nb;
    const qb__nvf4_scales16* s = &sc[cur];
    const float* xb = x + b * QB_NVF4_BLOCK_LEN;
    uint8_t* ob = (uint8_t*) (out + b);
    const int fast = s->slow == 0;
    /* The next iteration's step 1 in two parts: its amax tree before this iteration's
     * codes, its scale arithmetic (three divisions: two for s, one for 1/d; the E4M3 round
     * trip) after the first of their four groups, so that both chains of latencies run
     * beside the codes' work. In one process against the whole step 1 after the second
     * group: 1.10-1.13x; the arithmetic after the second group 1.09-1.10x, after the third
     * 1.09x; the tree after the first group 1.05-1.10x; the tree after the second and the
     * arithmetic after the last 0.95x. */
    __m512i amax = _mm512_setzero_si512();
    nan = 0;
    /* The input of the iteration 9 ahead (9 KiB on) prefetched, one line per block: out of
     * cache (128 MiB, in one process against no prefetch, alternating, best of 30, the VM's
     * memory shared with other loads; six trials) 1.09-2.1x; in L1 and L2 1.00x. */
    if (b + 16 * 9 < nb) {
      for (int l = 0; l < 16; l++)
        _mm_prefetch((const char*) (x + (b + 16 * 9 + l) * QB_NVF4_BLOCK_LEN), _MM_HINT_T0);
    }
    if (!last) amax = qb__nvf4_amax16(x + (b + 16) * QB_NVF4_BLOCK_LEN, &nan);
    if (__builtin_expect(fast, 1)) qb__nvf4_codes16_part(xb, s, ob, last, 0, 1);
    if (!last) qb__nvf4_scales16_of(amax, nan, g, g1, &sc[cur ^ 1]);
    if (__builtin_expect(fast, 1)) {
      qb__nvf4_codes16_part(xb, s, ob, last, 1, 4);
      qb__nvf4_special16(s, ob);
    } else {
      qb__nvf4_by_division(xb, 16, gs, out + b);
    }
    cur ^= 1;
  }
}

void qb_f32_nvf4_quant_ukernel__avx512vbmi_rcp_u256(size_t n, const void* x, void* y, const void* params) {
  const float* in = (const float*) x;
  qb_block_nvf4* out = (qb_block_nvf4*) y;
  assert(n % QB_NVF4_BLOCK_LEN == 0);
  assert(n == 0 || (x != NULL && y != NULL));
  const float gs = qb__nvf4_tensor_scale(params);
  assert(gs > 0.0f && gs <= 3.4028235e38f);
  const size_t nb = n / QB_NVF4_BLOCK_LEN, nbk = nb / 16 * 16;
  if (nbk != 0) {
    if (gs == 1.0f)
      qb__nvf4_fast(in, nbk, gs, 1, out);
    else
      qb__nvf4_fast(in, nbk, gs, 0, out);
  }
  if (nbk < nb) qb__nvf4_by_division(in + nbk * QB_NVF4_BLOCK_LEN, nb - nbk, gs, out + nbk);
}
