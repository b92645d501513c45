/*
 * AVX-512 (F/BW/VL/DQ) groups of int4 group quantization (int4g-scalar.h gives the
 * semantics), included only by -avx512skx- files: the steps of int4g-avx2.h (which explains
 * them and proves the codes exact) on sixteen groups at a time, in 512-bit vectors, for
 * groups of g = 32, 64 and 128 (qu4g32, qu4g64, qu4g128, qs4g128; g and the symmetry are
 * parameters). What differs from AVX2:
 * - the sixteen groups' ranges are reduced together by one tree of blends, shuffles and
 *   maxima per bound, from eight lanes per group or sixteen (qb__avx512_int4g_narrow), their
 *   parameters computed by 16-lane divisions;
 * - 128 codes (eight vectors: one group of 128, two of 64 or four of 32, each 32 codes with
 *   their own group's rh and rl, and z from a vector holding each group's in its bytes) are
 *   packed by two levels of signed packs, + z and both clamps
 *   by two saturating byte operations, the byte pairs summed by vpmaddubsw, one vpackuswb
 *   and one vpermw that puts the 2-byte units (four codes each) in order: 14 instructions
 *   for 128 codes where AVX2 takes 16 ymm instructions;
 * - each group's rh, rl and z + 112 are broadcast from memory (a load, no shuffle), and a
 *   special group (below) is written again by the reference after the run's codes, so the
 *   loop over the codes has no branch;
 * - symmetric groups: the range is one vrangeps per 16 values (the largest magnitude, sign
 *   cleared) where AVX2 takes a vpand and a vpmaxsd, and the codes take no clamp at all (a
 *   group whose scale is an f16 subnormal, the only one that needs it, goes through the
 *   reference), so the nibbles are one vpand per 64 codes.
 * Bit-exact with the reference: a group whose scale is NaN, inf or 0 goes through the scalar
 * reference, so the codes never see an infinity, and a NaN only in a symmetric group
 * (qb__avx512_int4g_acc), whose NaN values the codes give nibble 0, as the reference does.
 */
#ifndef QB_INT4G_AVX512_H
#define QB_INT4G_AVX512_H

#include <assert.h>
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "common/hmax-avx512.h"
#include "qb/ukernel.h"
#include "quant/int4g-avx2.h"
#include "quant/int4g-scalar.h"

#define QB__INT4G_AVX512_INLINE static inline __attribute__((always_inline))

/* One group's parameters for its codes (qb__avx2_int4g_par): rh, rl, and z + 112 in every
 * byte of zb. */
typedef struct {
  __m512 rh, rl;
  __m512i zb;
} qb__avx512_int4g_par;

/* Sixteen codes of x (rounded, int32): fma(x, rh, fl(x rl)) is fl(x / s) (qb__avx2_int4g_round8
 * proves it), rounded to nearest even by vcvtps2dq. */
QB__INT4G_AVX512_INLINE __m512i qb__avx512_int4g_round16(const float* x, const qb__avx512_int4g_par* p) {
  __m512 v = _mm512_loadu_ps(x);
  __asm__("" : "+v"(v)); /* one load for both uses (the compiler folds it into each) */
  return _mm512_cvtps_epi32(_mm512_fmadd_ps(v, p->rh, _mm512_mul_ps(v, p->rl)));
}

/*
 * 64 values at x -> 32 words, each two biased codes clamp(c + z, 0, 15) as c[e] + 16 c[e + 1]
 * (e even); the first 32 values' codes with pa's rh and rl, the last 32's with pb's (the same
 * group, or two groups of 32), z + 112 from zb (each 128-bit lane: its first 8 bytes for the
 * first 32 values, the last 8 for the rest). The packs work within 128-bit lanes: after
 * vpackssdw and vpacksswb lane i holds the 4-code units (16 k + 4 i .. 16 k + 4 i + 3) for
 * k = 0 .. 3; + z and the clamps as qb__avx2_int4g_bytes32 (|c| <= 23: the packs are exact);
 * symmetric, the low nibble of c by one vpand (no clamp: every code is in [-7, 7] where the
 * scale is a normal f16, qb__avx2_int4g_par8; a NaN value's code converts to INT32_MIN, which
 * packs to the byte 0x80: nibble 0, as the reference's); vpmaddubsw sums each byte pair:
 * lane i's words are the units' halves in the same order. `half`: 32 values only (the codes
 * of the last 32 are 0).
 */
QB__INT4G_AVX512_INLINE __m512i qb__avx512_int4g_words64(const float* x, const qb__avx512_int4g_par* pa,
                                                         const qb__avx512_int4g_par* pb, const __m512i zb,
                                                         const int sym, const int half) {
  const __m512i c0 = qb__avx512_int4g_round16(x, pa), c1 = qb__avx512_int4g_round16(x + 16, pa);
  const __m512i c2 = half ? _mm512_setzero_si512() : qb__avx512_int4g_round16(x + 32, pb);
  const __m512i c3 = half ? _mm512_setzero_si512() : qb__avx512_int4g_round16(x + 48, pb);
  const __m512i w = _mm512_packs_epi16(_mm512_packs_epi32(c0, c1), _mm512_packs_epi32(c2, c3));
  const __m512i b = sym ? _mm512_and_si512(w, _mm512_set1_epi8(15))
                        : _mm512_subs_epu8(_mm512_adds_epi8(w, zb), _mm512_set1_epi8(112));
  return _mm512_maddubs_epi16(b, _mm512_set1_epi16(0x1001));
}

/*
 * Two qb__avx512_int4g_words64 results (A: 64 values, B: the next 64) -> their 64 code
 * bytes in element order (A's 32, then B's), element 2j in the low nibble of byte j.
 * vpackuswb puts lane i's words of A, then of B, as bytes: the 2-byte unit (k, i) of A
 * (codes 16 k + 4 i .. + 3) at word 8 i + k, of B at word 8 i + 4 + k; it belongs at word
 * 4 k + i (A) or 16 + 4 k + i (B). One vpermw moves them there.
 */
QB__INT4G_AVX512_INLINE __m512i qb__avx512_int4g_order128(const __m512i a, const __m512i b) {
  const __m512i idx = _mm512_setr_epi32(
      0x00080000, 0x00180010, 0x00090001, 0x00190011, 0x000A0002, 0x001A0012, 0x000B0003, 0x001B0013,
      0x000C0004, 0x001C0014, 0x000D0005, 0x001D0015, 0x000E0006, 0x001E0016, 0x000F0007, 0x001F0017);
  return _mm512_permutexvar_epi16(idx, _mm512_packus_epi16(a, b));
}

/*
 * The ranges of sixteen groups are reduced in eight lanes per group (`narrow`: 256-bit
 * accumulators, qb__avx512_int4g_acc8 and common/hmax-avx512.h's qb__avx512_hmax16x8) for the symmetric
 * groups and groups of 32 and 64, in sixteen for the asymmetric groups of 128 (512-bit, qb__avx512_int4g_acc
 * and common/hmax-avx512.h's tree). Paired against sixteen lanes (ci/paired, L2, 8 rounds): qu4g32 1.08x,
 * qu4g64 1.02x, qs4g128 1.02x, qu4g128 0.98x: the narrow accumulation costs one 256-bit maximum more per
 * group and bound, the narrow tree half the moves, which pays where groups are short or the bound is one.
 * `wide` (the -wide- variant of qs4g128, picked on Intel: prefer.inc) takes sixteen lanes for the
 * symmetric groups too: Intel runs 512-bit operations on two ports (0 and 5) and, while any are in
 * flight, its 256-bit ones on the same two, where VRANGEPS ymm has only port 0; so a 512-bit VRANGEPS
 * folds twice the values of a 256-bit one at the same cost (seven per group of 128 and the
 * sixteen-lane tree where the eight-lane way takes fifteen and its tree), which the trees' extra
 * moves do not undo (Zen 4 runs a 256-bit operation as half a 512-bit one, and keeps eight lanes).
 */
static inline int qb__avx512_int4g_narrow(unsigned g, int sym, int wide) {
  return !wide && (sym || g < 128);
}

/* The lane of group k (0 .. 15) in the reduced ranges, and the group of each lane: narrow
 * (qb__avx512_hmax8_lane) or not (qb__avx512_hmax16_lane, the bit reversal of k, its own
 * inverse). */
static const int qb__avx512_int4g_lanes[2][16] = {{0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15},
                                                  {0, 4, 1, 5, 2, 6, 3, 7, 8, 12, 9, 13, 10, 14, 11, 15}};
static const int qb__avx512_int4g_groups[2][16] = {{0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15},
                                                   {0, 2, 4, 6, 1, 3, 5, 7, 8, 10, 12, 14, 9, 11, 13, 15}};

/* Sixteen 16-lane accumulators (group k's in m[k], qb__avx512_int4g_acc) -> one vector of
 * the groups' maxima (signed or unsigned 32-bit): common/hmax-avx512.h's tree
 * (qblock-avx512.h's amaxes take the same). */
QB__INT4G_AVX512_INLINE __m512i qb__avx512_int4g_red16(const __m512i* m, const int is_signed) {
  return qb__avx512_hmax16x16(m, !is_signed);
}

/* One accumulator -> its maximum (signed or unsigned 32-bit) in every lane. */
QB__INT4G_AVX512_INLINE __m512i qb__avx512_int4g_red1(__m512i a, const int is_signed) {
#define QB__OP(u, v) (is_signed ? _mm512_max_epi32(u, v) : _mm512_max_epu32(u, v))
  a = QB__OP(a, _mm512_shuffle_i64x2(a, a, _MM_SHUFFLE(1, 0, 3, 2)));
  a = QB__OP(a, _mm512_shuffle_i64x2(a, a, _MM_SHUFFLE(2, 3, 0, 1)));
  a = QB__OP(a, _mm512_shuffle_epi32(a, _MM_PERM_BADC));
  return QB__OP(a, _mm512_shuffle_epi32(a, _MM_PERM_CDAB));
#undef QB__OP
}

/*
 * The range of g values at x on the float bits (qb__avx2_int4g_acc): *hb = the signed
 * maximum of the bits (asymmetric; the caller takes it with 0), *lb = their unsigned
 * maximum (a negative float's magnitude grows with its bits); asymmetric, NaN is not
 * skipped: it shows in the scale. Symmetric: *hb = the largest magnitude by vrangeps (imm
 * 0x0B: the larger magnitude, sign cleared), for the caller's unsigned maximum: vrangeps
 * returns the other operand where one is a quiet NaN (as vmaxps does) and a quiet NaN where
 * one is signalling (its sign kept), so a lane holding a number gets the largest magnitude
 * of its numbers (the reference's amax skips NaN too) and a lane of NaNs only a NaN, which
 * the unsigned maximum keeps (a NaN's bits, of either sign, exceed every number's
 * magnitude): the scale is NaN only where the reference's would not be, and that group goes
 * through the reference.
 */
QB__INT4G_AVX512_INLINE void qb__avx512_int4g_acc(const float* x, unsigned g, const int sym, __m512i* hb,
                                                  __m512i* lb) {
  const __m512i v0 = _mm512_loadu_si512(x);
  __m512i h = v0, l = v0;
  for (unsigned i = 16; i < g; i += 16) {
    const __m512i v = _mm512_loadu_si512(x + i);
    if (sym) {
      h = _mm512_castps_si512(_mm512_range_ps(_mm512_castsi512_ps(h), _mm512_castsi512_ps(v), 0x0B));
    } else {
      h = _mm512_max_epi32(h, v);
      l = _mm512_max_epu32(l, v);
    }
  }
  *hb = h;
  *lb = l;
}

/* qb__avx512_int4g_acc in eight lanes (256-bit vectors), for qb__avx512_hmax16x8. */
QB__INT4G_AVX512_INLINE void qb__avx512_int4g_acc8(const float* x, unsigned g, const int sym, __m256i* hb,
                                                   __m256i* lb) {
  const __m256i v0 = _mm256_loadu_si256((const __m256i*) x);
  __m256i h = v0, l = v0;
  for (unsigned i = 8; i < g; i += 8) {
    const __m256i v = _mm256_loadu_si256((const __m256i*) (x + i));
    if (sym) {
      h = _mm256_castps_si256(_mm256_range_ps(_mm256_castsi256_ps(h), _mm256_castsi256_ps(v), 0x0B));
    } else {
      h = _mm256_max_epi32(h, v);
      l = _mm256_max_epu32(l, v);
    }
  }
  *hb = h;
  *lb = l;
}

/* The ranges of the sixteen groups of g at x, group k's in lane
 * qb__avx512_int4g_lanes[narrow][k]. */
QB__INT4G_AVX512_INLINE void qb__avx512_int4g_range16(const float* x, unsigned g, const int sym,
                                                      const int wide, __m512i* hb, __m512i* lb) {
  if (qb__avx512_int4g_narrow(g, sym, wide)) {
    __m256i h[16], l[16];
#pragma GCC unroll 16
    for (int k = 0; k < 16; k++) qb__avx512_int4g_acc8(x + k * g, g, sym, &h[k], &l[k]);
    *hb = qb__avx512_hmax16x8(h, sym);
    *lb = sym ? _mm512_setzero_si512() : qb__avx512_hmax16x8(l, 1);
    return;
  }
  __m512i h[16], l[16];
#pragma GCC unroll 16
  for (int k = 0; k < 16; k++) qb__avx512_int4g_acc(x + k * g, g, sym, &h[k], &l[k]);
  *hb = qb__avx512_int4g_red16(h, !sym);
  *lb = sym ? _mm512_setzero_si512() : qb__avx512_int4g_red16(l, 0);
}

/* Sixteen groups' parameters, lane j's in element j of each array: the f16 scales d, rh, rl,
 * the zero points z (bytes) and z + 112 in every byte of zb[j]. */
typedef struct {
  uint16_t d[16];
  uint8_t z[16];
  float rh[16], rl[16];
  uint32_t zb[16];
} qb__avx512_int4g_pars;

/*
 * Sixteen groups' parameters (one per lane) from their range bits, as qb__avx2_int4g_par8:
 * hi = max(hb, 0) as a float; lo = lb's float where negative, else 0; both 0 -> -1, 1;
 * s = f16((hi - lo) / 15) (symmetric: f16(amax / 7)); z = clamp(round_even(-lo / s), 0, 15)
 * (symmetric: 8, the bias of the codes); rh = 1 / s, rl = (1 - rh s) rh. Returns the mask
 * of the lanes whose s is not finite and > 0 (the caller runs the reference on them).
 */
QB__INT4G_AVX512_INLINE unsigned qb__avx512_int4g_par16(__m512i hb, __m512i lb, const int sym,
                                                        qb__avx512_int4g_pars* out) {
  const __m512 zero = _mm512_setzero_ps();
  __m256i sh;
  __m512 zf = _mm512_set1_ps(8.0f);
  if (sym) {
    sh = _mm512_cvtps_ph(_mm512_div_ps(_mm512_castsi512_ps(hb), _mm512_set1_ps(7.0f)),
                         _MM_FROUND_TO_NEAREST_INT);
  } else {
    __m512 h = _mm512_castsi512_ps(_mm512_max_epi32(hb, _mm512_setzero_si512()));
    __m512 l = _mm512_castsi512_ps(_mm512_maskz_mov_epi32(_mm512_movepi32_mask(lb), lb));
    const __mmask16 both0 = _mm512_cmp_ps_mask(l, zero, _CMP_EQ_OQ) & _mm512_cmp_ps_mask(h, zero, _CMP_EQ_OQ);
    l = _mm512_mask_mov_ps(l, both0, _mm512_set1_ps(-1.0f));
    h = _mm512_mask_mov_ps(h, both0, _mm512_set1_ps(1.0f));
    sh =
        _mm512_cvtps_ph(_mm512_div_ps(_mm512_sub_ps(h, l), _mm512_set1_ps(15.0f)), _MM_FROUND_TO_NEAREST_INT);
    zf = _mm512_div_ps(_mm512_xor_ps(l, _mm512_set1_ps(-0.0f)), _mm512_cvtph_ps(sh));
    zf = _mm512_roundscale_ps(zf, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    zf = _mm512_min_ps(_mm512_max_ps(zf, zero), _mm512_set1_ps(15.0f)); /* NaN (special) -> 15 */
  }
  const __m512 s = _mm512_cvtph_ps(sh);
  const __m512 r = _mm512_div_ps(_mm512_set1_ps(1.0f), s);
  /* Symmetric: a subnormal s is also special (the codes skip the clamp, qb__avx512_int4g_words64). */
  const __mmask16 pos = sym ? _mm512_cmp_ps_mask(s, _mm512_set1_ps(0x1p-14f), _CMP_GE_OQ)
                            : _mm512_cmp_ps_mask(s, zero, _CMP_GT_OQ);
  const __mmask16 ok = pos & _mm512_cmp_ps_mask(s, _mm512_set1_ps(INFINITY), _CMP_LT_OQ);
  _mm256_storeu_si256((__m256i*) out->d, sh);
  _mm512_storeu_ps(out->rh, r);
  _mm512_storeu_ps(out->rl, _mm512_mul_ps(_mm512_fnmadd_ps(r, s, _mm512_set1_ps(1.0f)), r));
  const __m512i zi = _mm512_cvttps_epi32(zf);
  _mm_storeu_si128((__m128i*) out->z, _mm512_cvtepi32_epi8(zi));
  _mm512_storeu_si512(out->zb, _mm512_mullo_epi32(_mm512_add_epi32(zi, _mm512_set1_epi32(112)),
                                                  _mm512_set1_epi32(0x01010101)));
  return (unsigned) (~ok & 0xFFFF);
}

/* After qb__avx512_int4g_par16: tells the compiler that the arrays may have changed, so that
 * each group's parameters are read back from memory (a broadcast load each) instead of
 * extracted from registers by shuffles (qblock-avx512.h's qb__avx512_from_memory). */
#define qb__avx512_int4g_from_memory(pars) __asm__("" : "+m"(pars))

/* Lane `lane` of the parameters as a group's code parameters (broadcast loads). */
QB__INT4G_AVX512_INLINE qb__avx512_int4g_par qb__avx512_int4g_par_of(const qb__avx512_int4g_pars* ps,
                                                                     int lane) {
  qb__avx512_int4g_par p;
  p.rh = _mm512_set1_ps(ps->rh[lane]);
  p.rl = _mm512_set1_ps(ps->rl[lane]);
  p.zb = _mm512_set1_epi32((int32_t) ps->zb[lane]);
  return p;
}

/* A group's header (d, and z for the asymmetric formats) from lane `lane`; returns the
 * codes' offset in the group struct. */
QB__INT4G_AVX512_INLINE unsigned qb__avx512_int4g_header(uint8_t* grp, const qb__avx512_int4g_pars* ps,
                                                         int lane, const int sym) {
  memcpy(grp, &ps->d[lane], 2);
  if (sym) return 2;
  grp[2] = ps->z[lane];
  return 3;
}

/* The scalar reference on one group (a special one). */
QB__INT4G_AVX512_INLINE void qb__avx512_int4g_ref(const float* x, unsigned g, const int sym, uint8_t* grp) {
  if (sym) {
    qb__int4g_quant_group_sym(x, g, grp, grp + 2);
  } else {
    qb__int4g_quant_group(x, g, grp, grp + 2, grp + 3);
  }
}

/* The codes of 128 values at x, those of group a (and b, when a group of 32 or 64
 * values does not cover them), in element order, one vector. */
QB__INT4G_AVX512_INLINE __m512i qb__avx512_int4g_codes128(const float* x, unsigned g,
                                                          const qb__avx512_int4g_pars* ps, const int* lanes,
                                                          const int sym) {
  if (g == 128) {
    const qb__avx512_int4g_par p = qb__avx512_int4g_par_of(ps, lanes[0]);
    return qb__avx512_int4g_order128(qb__avx512_int4g_words64(x, &p, &p, p.zb, sym, 0),
                                     qb__avx512_int4g_words64(x + 64, &p, &p, p.zb, sym, 0));
  }
  if (g == 64) {
    const qb__avx512_int4g_par pa = qb__avx512_int4g_par_of(ps, lanes[0]),
                               pb = qb__avx512_int4g_par_of(ps, lanes[1]);
    return qb__avx512_int4g_order128(qb__avx512_int4g_words64(x, &pa, &pa, pa.zb, sym, 0),
                                     qb__avx512_int4g_words64(x + 64, &pb, &pb, pb.zb, sym, 0));
  }
  qb__avx512_int4g_par p[4];
  __m512i zb[2];
#pragma GCC unroll 4
  for (int j = 0; j < 4; j++) p[j] = qb__avx512_int4g_par_of(ps, lanes[j]);
    /* Each 128-bit lane's first 8 bytes for the first group of the pair, the last 8 for the second. */
#pragma GCC unroll 2
  for (int j = 0; j < 2; j++)
    zb[j] =
        sym ? p[2 * j].zb : _mm512_mask_set1_epi32(p[2 * j].zb, 0xCCCC, (int32_t) ps->zb[lanes[2 * j + 1]]);
  return qb__avx512_int4g_order128(qb__avx512_int4g_words64(x, &p[0], &p[1], zb[0], sym, 0),
                                   qb__avx512_int4g_words64(x + 64, &p[2], &p[3], zb[1], sym, 0));
}

/* Group m of the sixteen at next: its range accumulators (qb__avx512_int4g_acc8 or _acc), and
 * once both of a pair are there (narrow), their tree's first level. */
QB__INT4G_AVX512_INLINE void qb__avx512_int4g_acc_next(const float* next, unsigned g, const int sym,
                                                       const int wide, int m, __m256i* nh8, __m256i* nl8,
                                                       __m256i* nhp, __m256i* nlp, __m512i* nh16,
                                                       __m512i* nl16) {
  if (qb__avx512_int4g_narrow(g, sym, wide)) {
    qb__avx512_int4g_acc8(next + (size_t) m * g, g, sym, &nh8[m], &nl8[m]);
    if (m & 1) {
      nhp[m / 2] = qb__avx512_hmax8_pair(nh8[m - 1], nh8[m], sym);
      if (!sym) nlp[m / 2] = qb__avx512_hmax8_pair(nl8[m - 1], nl8[m], 1);
    }
  } else {
    qb__avx512_int4g_acc(next + (size_t) m * g, g, sym, &nh16[m], &nl16[m]);
  }
}

/*
 * Sixteen groups of g at x into the group structs at out (gbytes each) with their parameters
 * ps (qb__avx512_int4g_par16; `special` its mask): the codes of each 128 values (one group of
 * 128, two of 64 or four of 32: one vpermw per 128), and among them the range accumulators
 * of the next sixteen groups (at next, when not NULL), so that those loads, from L2, spread
 * among the codes, whose loads then hit L1; then those groups' trees and parameters into
 * *ps_next, and their mask returned. `halfway` (a constant): the accumulators during the
 * first half of the codes (twice as many groups per 128 values), the trees and parameters
 * halfway, so that this run's second half hides their latency (trees, three divisions,
 * vcvtps2ph, the stores that the codes' broadcasts read back), which the next run's codes
 * would otherwise wait for: timing only, every run with the first run's parameters, qu4g32
 * ran 1.10x and qu4g64 1.04x, so that is what the latency cost. Otherwise (rows of
 * QB_INT4G_STREAM values or more, which stream from DRAM) one group's accumulators per 128
 * values of codes and the parameters at the end. A special group is written again by the
 * reference at the end (rare): its codes from non-finite parameters are stored first and
 * overwritten.
 */
/* nh8, nl8, nhp, nlp, nh16, nl16 are written and read only when next is set; GCC at -O2 (RelWithDebInfo, the
 * valgrind build) cannot tell and warns that they may be used uninitialized. Zeroing them
 * without next cost 20-140 instructions more per call in the -O3 objects. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
QB__INT4G_AVX512_INLINE unsigned qb__avx512_int4g_quant_x16_one(const float* x, unsigned g, const int sym,
                                                                uint8_t* out, size_t gbytes,
                                                                qb__avx512_int4g_pars* ps,
                                                                const unsigned special, const float* next,
                                                                qb__avx512_int4g_pars* ps_next,
                                                                const int halfway, const int wide) {
  qb__avx512_int4g_from_memory(*ps);
  const int narrow = qb__avx512_int4g_narrow(g, sym, wide);
  __m256i nh8[16], nl8[16], nhp[8], nlp[8];
  __m512i nh16[16], nl16[16];
  unsigned special_next = 0;
  const int per = 128 / (int) g; /* groups per 128 values */
#pragma GCC unroll 16
  for (int k = 0; k < 16; k += per) {
    int lanes[4] = {0, 0, 0, 0};
#pragma GCC unroll 4
    for (int j = 0; j < per; j++) lanes[j] = qb__avx512_int4g_lanes[narrow][k + j];
    /* The next run's groups 2 k .. 2 k + 2 per - 1 (halfway) or k .. k + per - 1. */
    if (next != NULL && halfway && k < 8) {
#pragma GCC unroll 8
      for (int m = 2 * k; m < 2 * (k + per); m++)
        qb__avx512_int4g_acc_next(next, g, sym, wide, m, nh8, nl8, nhp, nlp, nh16, nl16);
    }
    if (next != NULL && !halfway) {
#pragma GCC unroll 4
      for (int m = k; m < k + per; m++)
        qb__avx512_int4g_acc_next(next, g, sym, wide, m, nh8, nl8, nhp, nlp, nh16, nl16);
    }
    const __m512i c = qb__avx512_int4g_codes128(x + (size_t) k * g, g, ps, lanes, sym);
    unsigned o = 0;
#pragma GCC unroll 4
    for (int j = 0; j < per; j++)
      o = qb__avx512_int4g_header(out + (size_t) (k + j) * gbytes, ps, lanes[j], sym);
    uint8_t* gk = out + (size_t) k * gbytes + o;
    if (g == 128) {
      _mm512_storeu_si512(gk, c);
    } else if (g == 64) {
      _mm256_storeu_si256((__m256i*) gk, _mm512_castsi512_si256(c));
      _mm256_storeu_si256((__m256i*) (gk + gbytes), _mm512_extracti64x4_epi64(c, 1));
    } else {
      _mm_storeu_si128((__m128i*) gk, _mm512_castsi512_si128(c));
      _mm_storeu_si128((__m128i*) (gk + gbytes), _mm512_extracti32x4_epi32(c, 1));
      _mm_storeu_si128((__m128i*) (gk + 2 * gbytes), _mm512_extracti32x4_epi32(c, 2));
      _mm_storeu_si128((__m128i*) (gk + 3 * gbytes), _mm512_extracti32x4_epi32(c, 3));
    }
    if (next != NULL && k + per == (halfway ? 8 : 16)) {
      const __m512i nh = narrow ? qb__avx512_hmax16x8p(nhp, sym) : qb__avx512_int4g_red16(nh16, !sym);
      const __m512i nl = sym      ? _mm512_setzero_si512()
                         : narrow ? qb__avx512_hmax16x8p(nlp, 1)
                                  : qb__avx512_int4g_red16(nl16, 0);
      special_next = qb__avx512_int4g_par16(nh, nl, sym, ps_next);
    }
  }
  for (unsigned m = special; __builtin_expect(m != 0, 0); m &= m - 1) {
    const int k = qb__avx512_int4g_groups[narrow][__builtin_ctz(m)];
    qb__avx512_int4g_ref(x + (size_t) k * g, g, sym, out + (size_t) k * gbytes);
  }
  return special_next;
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

/* One group by the x16 path's steps (the last groups, fewer than sixteen): its range
 * reduced to every lane. */
QB__INT4G_AVX512_INLINE void qb__avx512_int4g_quant_one(const float* x, unsigned g, const int sym,
                                                        uint8_t* grp) {
  __m512i h, l;
  qb__avx512_int4g_acc(x, g, sym, &h, &l);
  qb__avx512_int4g_pars ps;
  const unsigned special =
      qb__avx512_int4g_par16(qb__avx512_int4g_red1(h, !sym), sym ? l : qb__avx512_int4g_red1(l, 0), sym, &ps);
  qb__avx512_int4g_from_memory(ps);
  if (special & 1) {
    qb__avx512_int4g_ref(x, g, sym, grp);
    return;
  }
  const unsigned o = qb__avx512_int4g_header(grp, &ps, 0, sym);
  const qb__avx512_int4g_par p = qb__avx512_int4g_par_of(&ps, 0);
  const __m512i a = qb__avx512_int4g_words64(x, &p, &p, p.zb, sym, g == 32);
  if (g == 128) {
    _mm512_storeu_si512(grp + o,
                        qb__avx512_int4g_order128(a, qb__avx512_int4g_words64(x + 64, &p, &p, p.zb, sym, 0)));
    return;
  }
  const __m512i c = qb__avx512_int4g_order128(a, _mm512_setzero_si512());
  if (g == 64) {
    _mm256_storeu_si256((__m256i*) (grp + o), _mm512_castsi512_si256(c));
  } else {
    _mm_storeu_si128((__m128i*) (grp + o), _mm512_castsi512_si128(c));
  }
}

/*
 * `count` groups of g at x into the group structs at out (gbytes each): runs of sixteen,
 * each run's ranges computed while the previous run's codes are, then the rest one by one.
 * An asymmetric row of QB_INT4G_STREAM values or more (int4g-scalar.h: 8 MiB of input, one
 * that streams from DRAM) takes each run's ranges right before its own codes instead. This
 * order against the overlapped one (qu4g32, qu4g64, qu4g128; one process, variants
 * alternating, median of 15 calls' ratios, thread CPU time, loaded Zen 4 VM): 0.86-0.96x at
 * 0.5 and 1 Mi values, 0.87-1.09x at 2 Mi, 0.97-1.21x at 2.5 Mi, 1.37-1.98x at 3 Mi and
 * 1.54-2.11x at 4 Mi (the overlapped loop 14-16 GB/s there, this order 24-29); the same
 * switch as qblock-avx512.h's q8_0 and q4_0 loops (a kernel cannot see where its data is: the
 * row's length chooses). The symmetric groups keep the overlapped loop at every length: this
 * order ran 0.72-0.74x there in cache and 0.6-0.72x at 4 and 32 Mi values. The overlapped loop
 * computes each run's parameters halfway through the previous run's codes (`halfway`) on
 * shorter rows only: on a symmetric row of 32 Mi values that order ran 0.70x and 0.88x of
 * session 19's loop (two runs of 31 call pairs, thread CPU time, medians), the other
 * 1.24-1.34x (three runs of 21; the same operations as session 19's in another order, not
 * explained).
 */
/* The runs of sixteen groups at x, each run's ranges computed while the previous run's codes
 * are (qb__avx512_int4g_quant_x16_one, `halfway` a constant). */
QB__INT4G_AVX512_INLINE void qb__avx512_int4g_quant_runs(const float* x, unsigned g, const int sym,
                                                         uint8_t* out, size_t gbytes, size_t runs,
                                                         const int halfway, const int wide) {
  qb__avx512_int4g_pars ps[2];
  __m512i h, l;
  qb__avx512_int4g_range16(x, g, sym, wide, &h, &l);
  unsigned special = qb__avx512_int4g_par16(h, l, sym, &ps[0]);
  for (size_t c = 0; c < runs; c++) {
    const float* xc = x + (size_t) 16 * g * c;
    special =
        qb__avx512_int4g_quant_x16_one(xc, g, sym, out + 16 * gbytes * c, gbytes, &ps[c & 1], special,
                                       c + 1 < runs ? xc + 16 * g : NULL, &ps[(c + 1) & 1], halfway, wide);
  }
}

QB__INT4G_AVX512_INLINE void qb__avx512_int4g_quant_groups(const float* x, unsigned g, const int sym,
                                                           uint8_t* out, size_t gbytes, size_t count,
                                                           const int wide) {
  assert(g == 32 || g == 64 || g == 128);
  const size_t runs = count / 16;
  if (!sym && count * g >= QB_INT4G_STREAM) {
    qb__avx512_int4g_pars ps[2];
    for (size_t c = 0; c < runs; c++) {
      const float* xc = x + (size_t) 16 * g * c;
      __m512i h, l;
      qb__avx512_int4g_range16(xc, g, sym, wide, &h, &l);
      const unsigned special = qb__avx512_int4g_par16(h, l, sym, &ps[0]);
      (void) qb__avx512_int4g_quant_x16_one(xc, g, sym, out + 16 * gbytes * c, gbytes, &ps[0], special, NULL,
                                            &ps[1], 0, wide);
    }
  } else if (runs > 0 && count * g < QB_INT4G_STREAM) {
    qb__avx512_int4g_quant_runs(x, g, sym, out, gbytes, runs, 1, wide);
  } else if (runs > 0) {
    qb__avx512_int4g_quant_runs(x, g, sym, out, gbytes, runs, 0, wide);
  }
  for (size_t k = runs * 16; k < count; k++) qb__avx512_int4g_quant_one(x + k * g, g, sym, out + k * gbytes);
}

/* (float) z for every zero-point byte: a broadcast load instead of a conversion and a
 * shuffle per group. */
static const float qb__int4g_zf[256] = {
#define QB__Z4(k) (k), (k) + 1, (k) + 2, (k) + 3
#define QB__Z16(k) QB__Z4(k), QB__Z4((k) + 4), QB__Z4((k) + 8), QB__Z4((k) + 12)
#define QB__Z64(k) QB__Z16(k), QB__Z16((k) + 16), QB__Z16((k) + 32), QB__Z16((k) + 48)
    QB__Z64(0), QB__Z64(64), QB__Z64(128), QB__Z64(192)
#undef QB__Z64
#undef QB__Z16
#undef QB__Z4
};

/*
 * One group (the struct at grp: d, z unless symmetric, then the codes) -> g floats, y =
 * (float) (code - z) * s (symmetric: (float) s4(code) * s) by a table: the sixteen values
 * a code can give are computed once per group, t[i] = (float) (i - z) * s (i - z is exact
 * in f32 for every z, so each entry is the reference's one product), and each 16 outputs
 * are one vpermps of t by 16 indices whose low 4 bits are the codes (vpermps reads no other
 * bit, so the nibbles need no mask). The indices of 16 codes (8 bytes, element 2j in the
 * low nibble of byte j) come from those 8 bytes broadcast to every 64-bit lane (a load):
 * - VBMI (avx512vbmi files): one vpmultishiftqb putting bits 4 L .. of the 64 at the low
 *   byte of 32-bit lane L;
 * - otherwise: vpshufb puts byte L / 2 at the low byte of lane L, and vpsrlvd shifts the
 *   odd lanes right by 4.
 * Where AVX2 (qb__avx2_int4g_dequant) takes a shift, a mask, a subtraction or an xor, a
 * conversion and a product per 8 values, this takes one or two shuffles and the vpermps
 * per 16, and 5 operations per group for the table.
 */
QB__INT4G_AVX512_INLINE void qb__avx512_int4g_dequant(const uint8_t* grp, unsigned g, const int sym,
                                                      float* y) {
  /* s from the f16 at grp (vcvtph2ps reads 4, the first is d); z as a float from memory. */
  const __m512 s = _mm512_broadcastss_ps(_mm_cvtph_ps(_mm_loadl_epi64((const __m128i*) grp)));
  const __m512 v = sym ? _mm512_setr_ps(0, 1, 2, 3, 4, 5, 6, 7, -8, -7, -6, -5, -4, -3, -2, -1)
                       : _mm512_sub_ps(_mm512_setr_ps(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                       _mm512_set1_ps(qb__int4g_zf[grp[2]]));
  const __m512 t = _mm512_mul_ps(v, s);
  const uint8_t* qs = grp + (sym ? 2 : 3);
#if defined(__AVX512VBMI__)
  /* 64-bit lane k: bit offsets 8 k (lane 2 k, the low nibble of byte k) and 8 k + 4. */
  const __m512i ctrl =
      _mm512_setr_epi64(0x0000000400000000, 0x0000000C00000008, 0x0000001400000010, 0x0000001C00000018,
                        0x0000002400000020, 0x0000002C00000028, 0x0000003400000030, 0x0000003C00000038);
#else
  const __m512i shuf = _mm512_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
  const __m512i odd4 = _mm512_set1_epi64(0x0000000400000000);
#endif
#pragma GCC unroll 8
  for (unsigned i = 0; i < g; i += 16) {
    uint64_t w;
    memcpy(&w, qs + i / 2, 8);
#if defined(__AVX512VBMI__)
    const __m512i idx = _mm512_multishift_epi64_epi8(ctrl, _mm512_set1_epi64((int64_t) w));
#else
    const __m512i idx = _mm512_srlv_epi32(_mm512_shuffle_epi8(_mm512_set1_epi64((int64_t) w), shuf), odd4);
#endif
    _mm512_storeu_ps(y + i, _mm512_permutexvar_ps(idx, t));
  }
}

#endif /* QB_INT4G_AVX512_H */
