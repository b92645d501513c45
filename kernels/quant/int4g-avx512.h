/*
 * AVX-512 (F/BW/VL/DQ) groups of int4 group quantization (int4g-scalar.h gives the
 * semantics), included only by -avx512skx- files: the steps of int4g-avx2.h (which explains
 * them and proves the codes exact) on sixteen groups at a time, in 512-bit vectors, for
 * groups of g = 128 (qu4g128, qs4g128; the symmetry is a parameter). With g = 64 and 32 the
 * same steps measured 1.07x and 0.88x of the AVX2 kernels in L2 (the sixteen groups' range
 * trees cost more per value there), and are not built. What differs from AVX2:
 * - the sixteen groups' ranges are reduced together by one tree of blends, shuffles and
 *   maxima per bound (qb__avx512_int4g_red16), their parameters computed by 16-lane
 *   divisions;
 * - 128 codes (eight vectors) are packed by two levels of signed packs, + z and both clamps
 *   by two saturating byte operations, the byte pairs summed by vpmaddubsw, one vpackuswb
 *   and one vpermw that puts the 2-byte units (four codes each) in order: 14 instructions
 *   for 128 codes where AVX2 takes 16 ymm instructions;
 * - each group's rh, rl and z + 112 are broadcast from memory (a load, no shuffle);
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
 * (e even). The packs work within 128-bit lanes: after vpackssdw and vpacksswb lane i holds
 * the 4-code units (16 k + 4 i .. 16 k + 4 i + 3) for k = 0 .. 3; + z and the clamps as
 * qb__avx2_int4g_bytes32 (|c| <= 23: the packs are exact); symmetric, the low nibble of c
 * by one vpand (no clamp: every code is in [-7, 7] where the scale is a normal f16,
 * qb__avx2_int4g_par8; a NaN value converts to INT32_MIN, which packs to the byte 0x80:
 * nibble 0, as the reference's); vpmaddubsw sums each byte pair: lane i's words are the
 * units' halves in the same order.
 */
QB__INT4G_AVX512_INLINE __m512i qb__avx512_int4g_words64(const float* x, const qb__avx512_int4g_par* p,
                                                         const int sym) {
  const __m512i c0 = qb__avx512_int4g_round16(x, p), c1 = qb__avx512_int4g_round16(x + 16, p);
  const __m512i c2 = qb__avx512_int4g_round16(x + 32, p), c3 = qb__avx512_int4g_round16(x + 48, p);
  const __m512i w = _mm512_packs_epi16(_mm512_packs_epi32(c0, c1), _mm512_packs_epi32(c2, c3));
  const __m512i b = sym ? _mm512_and_si512(w, _mm512_set1_epi8(15))
                        : _mm512_subs_epu8(_mm512_adds_epi8(w, p->zb), _mm512_set1_epi8(112));
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

/* Sixteen accumulators (group k's in a[k]) -> one vector of the groups' maxima (signed
 * or unsigned 32-bit), group k in lane qb__avx512_int4g_lane[k]: common/hmax-avx512.h's
 * tree (qblock-avx512.h's amaxes take the same). */
#define qb__avx512_int4g_lane qb__avx512_hmax16_lane
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

/* The ranges of the sixteen groups of g at x (qb__avx512_int4g_acc), group k's in lane
 * qb__avx512_int4g_lane[k]. */
QB__INT4G_AVX512_INLINE void qb__avx512_int4g_range16(const float* x, unsigned g, const int sym, __m512i* hb,
                                                      __m512i* lb) {
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

/*
 * Sixteen groups of g at x into the group structs at out (gbytes each) from their range bits
 * (hb, lb): their parameters together, then each group's codes (one vpermw per group),
 * each after the range accumulators of the same group of the next sixteen (at next, when
 * not NULL; reduced at the end into *nh, *nl), so that those loads, from L2, spread among
 * the codes, whose loads then hit L1. A special group goes through the reference (rare).
 */
/* nhv / nlv are written and read only when next is set; GCC at -O2 (RelWithDebInfo, the
 * valgrind build) cannot tell and warns that they may be used uninitialized. Zeroing them
 * without next cost 20-140 instructions more per call in the -O3 objects. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
QB__INT4G_AVX512_INLINE void qb__avx512_int4g_quant_x16_one(const float* x, unsigned g, const int sym,
                                                            uint8_t* out, size_t gbytes, __m512i hb,
                                                            __m512i lb, const float* next, __m512i* nh,
                                                            __m512i* nl) {
  qb__avx512_int4g_pars ps;
  const unsigned special = qb__avx512_int4g_par16(hb, lb, sym, &ps);
  qb__avx512_int4g_from_memory(ps);
  __m512i nhv[16], nlv[16];
#pragma GCC unroll 16
  for (int k = 0; k < 16; k++) {
    const int lane = qb__avx512_int4g_lane[k];
    const float* xk = x + (size_t) k * g;
    uint8_t* gk = out + (size_t) k * gbytes;
    if (next != NULL) qb__avx512_int4g_acc(next + (size_t) k * g, g, sym, &nhv[k], &nlv[k]);
    if (__builtin_expect(special & (1u << lane), 0)) {
      qb__avx512_int4g_ref(xk, g, sym, gk);
      continue;
    }
    const unsigned o = qb__avx512_int4g_header(gk, &ps, lane, sym);
    const qb__avx512_int4g_par p = qb__avx512_int4g_par_of(&ps, lane);
    const __m512i a = qb__avx512_int4g_words64(xk, &p, sym);
    const __m512i b = qb__avx512_int4g_words64(xk + 64, &p, sym);
    _mm512_storeu_si512(gk + o, qb__avx512_int4g_order128(a, b));
  }
  if (next != NULL) {
    *nh = qb__avx512_int4g_red16(nhv, !sym);
    *nl = sym ? _mm512_setzero_si512() : qb__avx512_int4g_red16(nlv, 0);
  }
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
  const __m512i a = qb__avx512_int4g_words64(x, &p, sym);
  const __m512i b = qb__avx512_int4g_words64(x + 64, &p, sym);
  _mm512_storeu_si512(grp + o, qb__avx512_int4g_order128(a, b));
}

/* `count` groups of g at x into the group structs at out (gbytes each): runs of sixteen,
 * each run's ranges computed while the previous run's codes are, then the rest one by one. */
QB__INT4G_AVX512_INLINE void qb__avx512_int4g_quant_groups(const float* x, unsigned g, const int sym,
                                                           uint8_t* out, size_t gbytes, size_t count) {
  assert(g == 128);
  const size_t runs = count / 16;
  if (runs > 0) {
    __m512i h, l;
    qb__avx512_int4g_range16(x, g, sym, &h, &l);
    for (size_t c = 0; c < runs; c++) {
      const float* xc = x + (size_t) 16 * g * c;
      qb__avx512_int4g_quant_x16_one(xc, g, sym, out + 16 * gbytes * c, gbytes, h, l,
                                     c + 1 < runs ? xc + 16 * g : NULL, &h, &l);
    }
  }
  for (size_t k = runs * 16; k < count; k++) qb__avx512_int4g_quant_one(x + k * g, g, sym, out + k * gbytes);
}

#endif /* QB_INT4G_AVX512_H */
