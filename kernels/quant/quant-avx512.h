/*
 * AVX-512 (skx: F, BW, VL, DQ) building blocks of the quant kernels: the kernels/quant/
 * files named -avx512skx-u<N>.c include it, and it compiles only under their ISA flags.
 * The steps are those of quant-avx2.h (and of quant-scalar.h, bit for bit), with
 * 16 lanes, mask registers, and masked loads and stores for the last n % 16 elements.
 */
#ifndef QB_QUANT_AVX512_H
#define QB_QUANT_AVX512_H

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "qb/ukernel.h"

#define QB__AVX512_INLINE static inline __attribute__((always_inline))

typedef struct qb__avx512_qp {
  __m512 mul;    /* inv_scale (PyTorch multiplies), or scale (TFLite divides by it) */
  __m512 lo, hi; /* qmin - zp and qmax - zp */
  __m512 zp;     /* the zero point as a float (exact) */
  __m512i zpi;   /* and as an int32 */
  __m512 scale;
  __m512i zp16;         /* zp in int16 lanes (qb__avx512_quant64_pt) */
  __m512i qmin8, qmax8; /* qmin and qmax in bytes, as the dtype reads them */
  __m512 rlo, rhi;      /* TFLite: inv_scale (1 -+ 2^-20), rounded (qb__avx512_quant64_tfl) */
  int tfl_fast;         /* TFLite: inv_scale in [2^-125, 2^125], where those bracket x / scale */
} qb__avx512_qp;

QB__AVX512_INLINE qb__avx512_qp qb__avx512_qp_make(const qb_quant_params* q, const int tflite) {
  qb__avx512_qp p;
  p.mul = _mm512_set1_ps(tflite ? q->scale : q->inv_scale);
  p.lo = _mm512_set1_ps((float) (q->qmin - q->zero_point));
  p.hi = _mm512_set1_ps((float) (q->qmax - q->zero_point));
  p.zp = _mm512_set1_ps((float) q->zero_point);
  p.zpi = _mm512_set1_epi32(q->zero_point);
  p.scale = _mm512_set1_ps(q->scale);
  p.zp16 = _mm512_set1_epi16((int16_t) q->zero_point);
  p.qmin8 = _mm512_set1_epi8((char) q->qmin);
  p.qmax8 = _mm512_set1_epi8((char) q->qmax);
  /* As quant-avx2.h's qb__avx2_qp_tfl: only where inv_scale is normal with room to spare. */
  p.tfl_fast = q->inv_scale >= 0x1p-125f && q->inv_scale <= 0x1p125f;
  p.rlo = _mm512_set1_ps(q->inv_scale * (1.0f - 0x1p-20f));
  p.rhi = _mm512_set1_ps(q->inv_scale * (1.0f + 0x1p-20f));
  return p;
}

/* The first n (< 16) lanes. */
QB__AVX512_INLINE __mmask16 qb__avx512_tail_mask(size_t n) {
  return (__mmask16) ((1u << n) - 1u);
}

/*
 * x -> round(x / scale) clamped to [qmin - zp, qmax - zp], an integer-valued float.
 * TFLite: t = trunc(v), frac = v - t exact; where |frac| >= 0.5 add copysign(1, v)
 * (an exact add; for +-inf frac is NaN and the compare is false). NaN -> 0.
 */
QB__AVX512_INLINE __m512 qb__avx512_quant_rel(__m512 x, const qb__avx512_qp* p, const int tflite) {
  __m512 r;
  if (tflite) {
    const __m512 v = _mm512_div_ps(x, p->mul);
    const __m512 t = _mm512_roundscale_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    const __m512 frac = _mm512_abs_ps(_mm512_sub_ps(v, t));
    const __mmask16 up = _mm512_cmp_ps_mask(frac, _mm512_set1_ps(0.5f), _CMP_GE_OQ);
    const __m512i sign = _mm512_and_si512(_mm512_castps_si512(v), _mm512_set1_epi32(INT32_MIN));
    const __m512 one = _mm512_castsi512_ps(_mm512_or_si512(sign, _mm512_set1_epi32(0x3F800000)));
    r = _mm512_mask_add_ps(t, up, t, one);
  } else {
    r = _mm512_roundscale_ps(_mm512_mul_ps(x, p->mul), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  }
  r = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(r, r, _CMP_ORD_Q), r);
  r = _mm512_max_ps(r, p->lo);
  return _mm512_min_ps(r, p->hi);
}

/*
 * int32 whose low byte is the code; the narrowing stores below truncate (vpmovdb).
 * TFLite: the code itself, in [qmin, qmax]. PyTorch, in four instructions where
 * qb__avx512_quant_rel takes seven:
 * 1. v = x * inv_scale clamped to [qmin - zp, qmax - zp] *before* rounding: the bounds are
 *    integers, so round(clamp(v)) = clamp(round(v)). The operand order keeps a NaN
 *    (vmaxps/vminps return their second operand, v, when either is NaN).
 * 2. vcvtps2dq with embedded round-to-nearest-even: round_even(v) for every clamped v; a
 *    NaN gives 0x80000000.
 * 3. + zp in int32: the code, and for NaN 0x80000000 + zp, whose low byte is zp's: NaN ->
 *    zero point after the truncating store, with no mask.
 */
QB__AVX512_INLINE __m512i qb__avx512_quant_i32(__m512 x, const qb__avx512_qp* p, const int tflite) {
  if (tflite) return _mm512_cvtps_epi32(_mm512_add_ps(qb__avx512_quant_rel(x, p, 1), p->zp));
  /* 1. */
  const __m512 v = _mm512_min_ps(p->hi, _mm512_max_ps(p->lo, _mm512_mul_ps(x, p->mul)));
  /* 2., 3. */
  return _mm512_add_epi32(_mm512_cvt_roundps_epi32(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC), p->zpi);
}

/* (q - zp) * scale; + 0.0f turns -0 into +0 as the scalar's integer (q - zp) does. */
QB__AVX512_INLINE __m512 qb__avx512_fakequant_vec(__m512 x, const qb__avx512_qp* p, const int tflite) {
  const __m512 r = _mm512_add_ps(qb__avx512_quant_rel(x, p, tflite), _mm512_setzero_ps());
  return _mm512_mul_ps(r, p->scale);
}

/*
 * 64 codes at once, the steps of quant-avx2.h's qb__avx2_quant32_pt (PyTorch) and
 * qb__avx2_quant32_tfl (TFLite, no division) on vectors of 16: four conversions, two
 * vpackssdw, the saturating + zp and vpacksswb / vpackuswb (clamped to [qmin, qmax] unless
 * `full`), one vpermd to undo the packs' per-128-bit-lane interleave (dword i of 128-bit
 * lane j holds elements 16 i + 4 j .. + 3), where four qb__avx512_quant_i32 and four
 * vpmovdb (2 uops each on Zen 4) took 24 operations. Returns 0, leaving *out alone, when
 * some lane needs qb__avx512_quant_i32 instead (a NaN, |x * inv_scale| >= 32767.5, or for
 * TFLite a value within about 2^-20 of a tie): the reasons are quant-avx2.h's.
 * The parameters come lane by lane (qb__avx512_q64), so that the 64 may straddle two
 * channels (qb__avx512_quantc_walk); per tensor every lane holds the same.
 */
typedef struct qb__avx512_q64 {
  __m512 mul[4];         /* PyTorch: inv_scale for elements 16 k .. 16 k + 15 */
  __m512 rlo[4], rhi[4]; /* TFLite: inv_scale (1 -+ 2^-20), rounded, likewise */
  __m512i zab, zcd;      /* zp in the int16 lanes of vpackssdw(a, b) and (c, d) */
  __m512i qmin8, qmax8;  /* qmin and qmax in bytes */
} qb__avx512_q64;

/* Every lane with p's parameters. */
QB__AVX512_INLINE qb__avx512_q64 qb__avx512_q64_uniform(const qb__avx512_qp* p) {
  qb__avx512_q64 l;
  for (int k = 0; k < 4; k++) {
    l.mul[k] = p->mul;
    l.rlo[k] = p->rlo;
    l.rhi[k] = p->rhi;
  }
  l.zab = l.zcd = p->zp16;
  l.qmin8 = p->qmin8;
  l.qmax8 = p->qmax8;
  return l;
}

QB__AVX512_INLINE __m512i qb__avx512_pt_bytes(__m512i ab, __m512i cd, const qb__avx512_q64* l,
                                              const int is_u8, const int full) {
  __m512i b;
  ab = _mm512_adds_epi16(ab, l->zab);
  cd = _mm512_adds_epi16(cd, l->zcd);
  if (is_u8) {
    b = _mm512_packus_epi16(ab, cd);
    if (!full) b = _mm512_min_epu8(_mm512_max_epu8(b, l->qmin8), l->qmax8);
  } else {
    b = _mm512_packs_epi16(ab, cd);
    if (!full) b = _mm512_min_epi8(_mm512_max_epi8(b, l->qmin8), l->qmax8);
  }
  return _mm512_permutexvar_epi32(_mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15), b);
}

QB__AVX512_INLINE int qb__avx512_quant64_pt(const float* x, const qb__avx512_q64* l, __m512i* out,
                                            const int is_u8, const int full) {
#define QB__CVT(v) _mm512_cvt_roundps_epi32(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
  const __m512i a = QB__CVT(_mm512_mul_ps(_mm512_loadu_ps(x), l->mul[0]));
  const __m512i b = QB__CVT(_mm512_mul_ps(_mm512_loadu_ps(x + 16), l->mul[1]));
  const __m512i c = QB__CVT(_mm512_mul_ps(_mm512_loadu_ps(x + 32), l->mul[2]));
  const __m512i d = QB__CVT(_mm512_mul_ps(_mm512_loadu_ps(x + 48), l->mul[3]));
  const __m512i ab = _mm512_packs_epi32(a, b);
  const __m512i cd = _mm512_packs_epi32(c, d);
  if (_mm512_cmpeq_epi16_mask(_mm512_min_epi16(ab, cd), _mm512_set1_epi16(INT16_MIN)) != 0) return 0;
  *out = qb__avx512_pt_bytes(ab, cd, l, is_u8, full);
  return 1;
}

QB__AVX512_INLINE int qb__avx512_quant64_tfl(const float* x, const qb__avx512_q64* l, __m512i* out,
                                             const int is_u8, const int full) {
  const __m512 x0 = _mm512_loadu_ps(x), x1 = _mm512_loadu_ps(x + 16);
  const __m512 x2 = _mm512_loadu_ps(x + 32), x3 = _mm512_loadu_ps(x + 48);
  const __m512i a = QB__CVT(_mm512_mul_ps(x0, l->rlo[0]));
  const __m512i b = QB__CVT(_mm512_mul_ps(x1, l->rlo[1]));
  const __m512i c = QB__CVT(_mm512_mul_ps(x2, l->rlo[2]));
  const __m512i d = QB__CVT(_mm512_mul_ps(x3, l->rlo[3]));
  /* diff |= a ^ a_hi: vpternlogd 0xF6 = A | (B ^ C). */
  __m512i diff = _mm512_xor_si512(a, QB__CVT(_mm512_mul_ps(x0, l->rhi[0])));
  diff = _mm512_ternarylogic_epi32(diff, b, QB__CVT(_mm512_mul_ps(x1, l->rhi[1])), 0xF6);
  diff = _mm512_ternarylogic_epi32(diff, c, QB__CVT(_mm512_mul_ps(x2, l->rhi[2])), 0xF6);
  diff = _mm512_ternarylogic_epi32(diff, d, QB__CVT(_mm512_mul_ps(x3, l->rhi[3])), 0xF6);
#undef QB__CVT
  const __m512i ab = _mm512_packs_epi32(a, b);
  const __m512i cd = _mm512_packs_epi32(c, d);
  if ((_mm512_cmpeq_epi16_mask(_mm512_min_epi16(ab, cd), _mm512_set1_epi16(INT16_MIN)) |
       _mm512_test_epi32_mask(diff, diff)) != 0) {
    return 0;
  }
  *out = qb__avx512_pt_bytes(ab, cd, l, is_u8, full);
  return 1;
}

/* The general path for 64 codes, out of line (rare; inlined, its constants would take
 * registers from the fast loops). */
static __attribute__((noinline, cold)) void qb__avx512_quant64_general(const float* x, const qb__avx512_qp* p,
                                                                       uint8_t* out, int tflite) {
  for (int j = 0; j < 64; j += 16) {
    _mm_storeu_si128((__m128i*) (out + j),
                     _mm512_cvtepi32_epi8(qb__avx512_quant_i32(_mm512_loadu_ps(x + j), p, tflite)));
  }
}

QB__AVX512_INLINE void qb__avx512_quant64(const float* x, const qb__avx512_qp* p, uint8_t* out,
                                          const int tflite, const int is_u8, const int full) {
  __m512i q;
  const qb__avx512_q64 l = qb__avx512_q64_uniform(p);
  if (!tflite && __builtin_expect(qb__avx512_quant64_pt(x, &l, &q, is_u8, full), 1)) {
    _mm512_storeu_si512(out, q);
  } else if (tflite && p->tfl_fast && __builtin_expect(qb__avx512_quant64_tfl(x, &l, &q, is_u8, full), 1)) {
    _mm512_storeu_si512(out, q);
  } else {
    qb__avx512_quant64_general(x, p, out, tflite);
  }
}

/*
 * f32 -> s8/u8, per tensor. unroll 4: 64 codes per step (qb__avx512_quant64), and for
 * n >= 64 the last n % 64 as the 64 that end at n, overlapping the step before (the same
 * bytes written twice), as quant-avx2.h's loop. Otherwise vectors of 16 and a masked tail.
 */
QB__AVX512_INLINE void qb__avx512_quant_loop(size_t n, const float* x, uint8_t* out, const qb__avx512_qp* p,
                                             const int tflite, const int is_u8, const int unroll,
                                             const int full) {
  if (unroll == 4 && n >= 64) {
    for (; n >= 64; n -= 64, x += 64, out += 64) qb__avx512_quant64(x, p, out, tflite, is_u8, full);
    if (n != 0) qb__avx512_quant64(x + n - 64, p, out + n - 64, tflite, is_u8, full);
    return;
  }
  for (; n >= 16; n -= 16, x += 16, out += 16) {
    const __m512i q = qb__avx512_quant_i32(_mm512_loadu_ps(x), p, tflite);
    _mm_storeu_si128((__m128i*) out, _mm512_cvtepi32_epi8(q));
  }
  if (n != 0) {
    const __mmask16 m = qb__avx512_tail_mask(n);
    const __m512i q = qb__avx512_quant_i32(_mm512_maskz_loadu_ps(m, x), p, tflite);
    _mm512_mask_cvtepi32_storeu_epi8(out, m, q);
  }
}

/* Entry for a per-tensor quant kernel: the rounding mode, and whether [qmin, qmax] is the
 * dtype's whole range (qb__avx512_pt_bytes), pick one specialized loop. */
QB__AVX512_INLINE void qb__avx512_quant(size_t n, const float* x, void* y, const qb_quant_params* q,
                                        const int is_u8, const int unroll) {
  const int tflite = q->round == QB_ROUND_TFLITE;
  const qb__avx512_qp p = qb__avx512_qp_make(q, tflite);
  const int full = unroll == 4 && q->qmin == (is_u8 ? 0 : -128) && q->qmax == (is_u8 ? 255 : 127);
  uint8_t* out = (uint8_t*) y;
  if (tflite) {
    if (full) {
      qb__avx512_quant_loop(n, x, out, &p, 1, is_u8, unroll, 1);
    } else {
      qb__avx512_quant_loop(n, x, out, &p, 1, is_u8, unroll, 0);
    }
  } else if (full) {
    qb__avx512_quant_loop(n, x, out, &p, 0, is_u8, unroll, 1);
  } else {
    qb__avx512_quant_loop(n, x, out, &p, 0, is_u8, unroll, 0);
  }
}

/* One channel's parameters for qb__avx512_quantc_walk, broadcast. */
typedef struct qb__avx512_chan {
  __m512 mul, rlo, rhi; /* inv_scale (PyTorch); TFLite: inv_scale (1 -+ 2^-20), rounded */
  __m512i zp16;         /* zp in int16 lanes */
  int tfl_fast;         /* TFLite: inv_scale in [2^-125, 2^125] (qb__avx512_qp_make) */
} qb__avx512_chan;

QB__AVX512_INLINE qb__avx512_chan qb__avx512_chan_load(const qb_quant_params* q, size_t c, const int tflite) {
  qb__avx512_chan h;
  const float inv = q->inv_scales[c];
  h.mul = _mm512_set1_ps(inv);
  h.zp16 = _mm512_set1_epi16((int16_t) q->zero_points[c]);
  h.tfl_fast = 1;
  if (tflite) {
    h.tfl_fast = inv >= 0x1p-125f && inv <= 0x1p125f;
    h.rlo = _mm512_set1_ps(inv * (1.0f - 0x1p-20f));
    h.rhi = _mm512_set1_ps(inv * (1.0f + 0x1p-20f));
  } else {
    h.rlo = h.rhi = h.mul;
  }
  return h;
}

/* The general path for the 64 codes at x, out of line (a NaN, an overflow, a TFLite value
 * near a tie): lanes below t (1 to 64) are channel c's, the rest channel c + 1's. */
static __attribute__((noinline, cold)) void qb__avx512_quantc64_general(const float* x, uint8_t* out,
                                                                        const qb_quant_params* q, size_t c,
                                                                        unsigned t, int tflite) {
  qb__avx512_qp p[2];
  for (int j = 0; j < 2 && (j == 0 || t < 64); j++) {
    qb_quant_params pc = *q;
    pc.scale = q->scales[c + j];
    pc.inv_scale = q->inv_scales[c + j];
    pc.zero_point = q->zero_points[c + j];
    p[j] = qb__avx512_qp_make(&pc, tflite);
  }
  for (unsigned k = 0; k < 64; k += 16) {
    const __m512 v = _mm512_loadu_ps(x + k);
    __m512i r = qb__avx512_quant_i32(v, &p[0], tflite);
    if (t < k + 16) {
      const __mmask16 m = t > k ? qb__avx512_tail_mask(t - k) : 0;
      r = _mm512_mask_mov_epi32(qb__avx512_quant_i32(v, &p[1], tflite), m, r);
    }
    _mm_storeu_si128((__m128i*) (out + k), _mm512_cvtepi32_epi8(r));
  }
}

/* 64 codes at x from lane parameters l, else through the general path. */
QB__AVX512_INLINE void qb__avx512_quantc64(const float* x, uint8_t* out, const qb__avx512_q64* l, int fast,
                                           const qb_quant_params* q, size_t c, unsigned t, const int tflite,
                                           const int is_u8, const int full) {
  __m512i r;
  if (!tflite && __builtin_expect(qb__avx512_quant64_pt(x, l, &r, is_u8, full), 1)) {
    _mm512_storeu_si512(out, r);
  } else if (tflite && fast && __builtin_expect(qb__avx512_quant64_tfl(x, l, &r, is_u8, full), 1)) {
    _mm512_storeu_si512(out, r);
  } else {
    qb__avx512_quantc64_general(x, out, q, c, t, tflite);
  }
}

/*
 * The packs' int16 lanes that hold one of the first t of 64 elements, from m, the mask of
 * those elements: bit i (i < 32) for lane i of vpackssdw(a, b), bit 32 + i for lane i of
 * vpackssdw(c, d). Lane 8 j + w of a pack holds element 4 j + w of its first vector (w < 4)
 * or 4 j + w - 4 of its second, so in each 32-bit half of m
 * 1. the low 16 bits (the first vector) go nibble by nibble to the low nibbles of the
 *    half's bytes (two shift-or-mask steps);
 * 2. the high 16 bits (the second vector) likewise, then to the high nibbles.
 */
static inline uint64_t qb__avx512_pack_lanes(uint64_t m) {
  /* 1. */
  uint64_t lo = m & 0x0000FFFF0000FFFFull;
  lo = (lo | lo << 8) & 0x00FF00FF00FF00FFull;
  lo = (lo | lo << 4) & 0x0F0F0F0F0F0F0F0Full;
  /* 2. */
  uint64_t hi = (m >> 16) & 0x0000FFFF0000FFFFull;
  hi = (hi | hi << 8) & 0x00FF00FF00FF00FFull;
  hi = (hi | hi << 4) & 0x0F0F0F0F0F0F0F0Full;
  return lo | hi << 4;
}

/* Every lane with channel h's parameters. */
QB__AVX512_INLINE void qb__avx512_q64_chan(qb__avx512_q64* l, const qb__avx512_chan* h) {
  for (int k = 0; k < 4; k++) l->mul[k] = h->mul, l->rlo[k] = h->rlo, l->rhi[k] = h->rhi;
  l->zab = l->zcd = h->zp16;
}

/*
 * The lanes of a step of 64 whose first t (1 to 63) are channel a's and the rest channel
 * b's (the next):
 * 1. each f32 vector's multiplier by a masked move (bits 16 k .. 16 k + 15 of the mask of
 *    the first t lanes);
 * 2. the zero point in the packs' int16 order (qb__avx512_pack_lanes: integer shifts
 *    and masks on the same mask), a masked move for each pack.
 */
QB__AVX512_INLINE void qb__avx512_q64_straddle(qb__avx512_q64* l, const qb__avx512_chan* a,
                                               const qb__avx512_chan* b, unsigned t) {
  /* 1. */
  const uint64_t m = ((uint64_t) 1 << t) - 1;
  for (int k = 0; k < 4; k++) {
    const __mmask16 mk = (__mmask16) (m >> (16 * k));
    l->mul[k] = _mm512_mask_mov_ps(b->mul, mk, a->mul);
    l->rlo[k] = _mm512_mask_mov_ps(b->rlo, mk, a->rlo);
    l->rhi[k] = _mm512_mask_mov_ps(b->rhi, mk, a->rhi);
  }
  /* 2. */
  const uint64_t z = qb__avx512_pack_lanes(m);
  l->zab = _mm512_mask_mov_epi16(b->zp16, (__mmask32) z, a->zp16);
  l->zcd = _mm512_mask_mov_epi16(b->zp16, (__mmask32) (z >> 32), a->zp16);
}

/*
 * Per channel, f32 -> s8/u8, channels of len >= 64: elements [e0, e0 + n) of the call
 * (n >= 64; x and out point at element e0; channel c is the call's elements [c len,
 * (c + 1) len) with the c-th parameters) as steps of 64 codes in order, as the per-tensor
 * loop (qb__avx512_quant64's packs), where the step that straddles the end of channel c
 * (t of its lanes c's, t < 64) takes c's parameters in those lanes and c + 1's in the rest
 * (qb__avx512_q64_straddle; len >= 64: no step meets three channels). Where n % 64 != 0,
 * e0 + n must end a channel: the last n % 64 are then the 64 ending there, all in that
 * channel (the same bytes again). e0 is 0 for a whole call, and a tile's first element in
 * the streamed path (channel.c.in), whose tiles then cut channels anywhere at no extra
 * step.
 * A channel of 97 (the L2 case's) took two whole steps of 64 per channel (128 codes'
 * work, the second misaligned) and the channel's setup; now 97/64 steps and a blend.
 */
QB__AVX512_INLINE void qb__avx512_quantc_walk(size_t e0, size_t n, const float* x, uint8_t* out,
                                              const qb_quant_params* q, const int tflite, const int is_u8,
                                              const int full) {
  const size_t len = q->channel_len;
  qb__avx512_q64 l;
  l.qmin8 = _mm512_set1_epi8((char) q->qmin);
  l.qmax8 = _mm512_set1_epi8((char) q->qmax);
  size_t c = e0 / len, i = 0;
  size_t end = (c + 1) * len - e0; /* channel c's end, from x */
  qb__avx512_chan cur = qb__avx512_chan_load(q, c, tflite);
  for (; i + 64 <= n; i += 64) {
    if (i + 64 <= end) {
      qb__avx512_q64_chan(&l, &cur);
      qb__avx512_quantc64(x + i, out + i, &l, cur.tfl_fast, q, c, 64, tflite, is_u8, full);
      if (i + 64 == end && end < n) {
        c++, end += len;
        cur = qb__avx512_chan_load(q, c, tflite);
      }
      continue;
    }
    /* end < i + 64 <= n: channel c + 1 is in the range. */
    const unsigned t = (unsigned) (end - i);
    const qb__avx512_chan nxt = qb__avx512_chan_load(q, c + 1, tflite);
    qb__avx512_q64_straddle(&l, &cur, &nxt, t);
    qb__avx512_quantc64(x + i, out + i, &l, cur.tfl_fast && nxt.tfl_fast, q, c, t, tflite, is_u8, full);
    c++, end += len; /* i + 64 < end: len >= 64 */
    cur = nxt;
  }
  if (i < n) {
    /* cur holds element i (> n - 64) and ends at n, so it holds the 64 ending there. */
    qb__avx512_q64_chan(&l, &cur);
    qb__avx512_quantc64(x + n - 64, out + n - 64, &l, cur.tfl_fast, q, c, 64, tflite, is_u8, full);
  }
}

/*
 * Per channel, f32 -> s8/u8: channel c = x[c * len .. (c + 1) * len) with its own scale and
 * zero point. With unroll 4 and len >= 64, qb__avx512_quantc_walk. Otherwise, for len >= 16:
 * 1. the channel's vectors are built from its three values (two loads, four ops);
 * 2. whole vectors of 16 as in the per-tensor loop;
 * 3. the last len % 16 elements as the vector ending at the channel's end: it overlaps
 *    the previous one, whose elements it recomputes with the same parameters to the same
 *    bytes, and it reads and writes nothing outside the channel. No masks, and the same
 *    branches in every channel.
 * Shorter channels take the per-tensor loop (masked tail) per channel.
 */
QB__AVX512_INLINE void qb__avx512_quantc_loop(size_t n, const float* x, void* y, const qb_quant_params* q,
                                              const int tflite, const int is_u8, const int unroll,
                                              const int full) {
  const size_t len = q->channel_len;
  const float* mul = tflite ? q->scales : q->inv_scales;
  const int32_t* zps = q->zero_points;
  uint8_t* out = (uint8_t*) y;
  if (len < 16) {
    for (size_t c = 0; c < n / len; c++) {
      qb_quant_params pc = *q;
      pc.scale = q->scales[c];
      pc.inv_scale = q->inv_scales[c];
      pc.zero_point = zps[c];
      const qb__avx512_qp p = qb__avx512_qp_make(&pc, tflite);
      qb__avx512_quant_loop(len, x + c * len, out + c * len, &p, tflite, 0, 1, 0);
    }
    return;
  }
  if (unroll == 4 && len >= 64) {
    qb__avx512_quantc_walk(0, n, x, out, q, tflite, is_u8, full);
    return;
  }
  const __m512i qmin = _mm512_set1_epi32(q->qmin), qmax = _mm512_set1_epi32(q->qmax);
  for (size_t c = 0; c < n / len; c++, x += len, out += len) {
    /* 1. */
    qb__avx512_qp p;
    p.mul = _mm512_set1_ps(mul[c]);
    p.zpi = _mm512_set1_epi32(zps[c]);
    p.lo = _mm512_cvtepi32_ps(_mm512_sub_epi32(qmin, p.zpi));
    p.hi = _mm512_cvtepi32_ps(_mm512_sub_epi32(qmax, p.zpi));
    p.zp = _mm512_cvtepi32_ps(p.zpi);
    p.scale = p.mul; /* unused by quantize */
    /* 2. */
    size_t i = 0;
    for (; i + 16 <= len; i += 16) {
      _mm_storeu_si128((__m128i*) (out + i),
                       _mm512_cvtepi32_epi8(qb__avx512_quant_i32(_mm512_loadu_ps(x + i), &p, tflite)));
    }
    /* 3. */
    if (i < len) {
      _mm_storeu_si128((__m128i*) (out + len - 16),
                       _mm512_cvtepi32_epi8(qb__avx512_quant_i32(_mm512_loadu_ps(x + len - 16), &p, tflite)));
    }
  }
}

/* Entry for a per-channel quant kernel: whether [qmin, qmax] is the dtype's whole range
 * (qb__avx512_pt_bytes, as the per-tensor entry) picks one specialized loop. */
QB__AVX512_INLINE void qb__avx512_quantc(size_t n, const float* x, void* y, const qb_quant_params* q,
                                         const int tflite, const int is_u8, const int unroll) {
  if (unroll == 4 && q->qmin == (is_u8 ? 0 : -128) && q->qmax == (is_u8 ? 255 : 127)) {
    qb__avx512_quantc_loop(n, x, y, q, tflite, is_u8, unroll, 1);
  } else {
    qb__avx512_quantc_loop(n, x, y, q, tflite, is_u8, unroll, 0);
  }
}

/* Entry for elements [e0, e0 + n) of a per-channel quant call with channels of 64 or more,
 * n >= 64, and n % 64 == 0 or e0 + n a channel's end (a tile of the streamed path,
 * channel.c.in): the walk (unroll 4) from e0, specialized on a full [qmin, qmax] as
 * qb__avx512_quantc. */
QB__AVX512_INLINE void qb__avx512_quantc_at(size_t e0, size_t n, const float* x, void* y,
                                            const qb_quant_params* q, const int tflite, const int is_u8) {
  if (q->qmin == (is_u8 ? 0 : -128) && q->qmax == (is_u8 ? 255 : 127)) {
    qb__avx512_quantc_walk(e0, n, x, (uint8_t*) y, q, tflite, is_u8, 1);
  } else {
    qb__avx512_quantc_walk(e0, n, x, (uint8_t*) y, q, tflite, is_u8, 0);
  }
}

QB__AVX512_INLINE __m512 qb__avx512_dequant16(__m128i bytes, __m512i zp, __m512 scale, const int is_u8) {
  const __m512i q = is_u8 ? _mm512_cvtepu8_epi32(bytes) : _mm512_cvtepi8_epi32(bytes);
  return _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(q, zp)), scale);
}

/* A vector store, non-temporal when nt (a constant; p then 64-byte aligned). */
QB__AVX512_INLINE void qb__avx512_store_ps(float* p, __m512 v, const int nt) {
  if (nt) {
    _mm512_stream_ps(p, v);
  } else {
    _mm512_storeu_ps(p, v);
  }
}

/* Per tensor, s8/u8 -> f32. nt (a constant): the vectors' stores are non-temporal
 * (common/stream.h says when), from the first 64-byte boundary of y on; the elements
 * before it are one masked plain store, the tail a masked plain store. The caller ends
 * with an sfence. */
QB__AVX512_INLINE void qb__avx512_dequant(size_t n, const void* x, float* y, float scale, int32_t zero_point,
                                          const int is_u8, const int unroll, const int nt) {
  const uint8_t* in = (const uint8_t*) x;
  const __m512i zp = _mm512_set1_epi32(zero_point);
  const __m512 s = _mm512_set1_ps(scale);
  if (nt) {
    size_t h = (size_t) (-(uintptr_t) y & 63) / sizeof(float);
    h = h < n ? h : n;
    if (h != 0) {
      const __mmask16 m = qb__avx512_tail_mask(h);
      _mm512_mask_storeu_ps(y, m, qb__avx512_dequant16(_mm_maskz_loadu_epi8(m, in), zp, s, is_u8));
      n -= h, in += h, y += h;
    }
  }
  if (unroll == 4) {
    for (; n >= 64; n -= 64, in += 64, y += 64) {
      for (int j = 0; j < 64; j += 16) {
        const __m128i bytes = _mm_loadu_si128((const __m128i*) (in + j));
        qb__avx512_store_ps(y + j, qb__avx512_dequant16(bytes, zp, s, is_u8), nt);
      }
    }
  }
  for (; n >= 16; n -= 16, in += 16, y += 16) {
    qb__avx512_store_ps(y, qb__avx512_dequant16(_mm_loadu_si128((const __m128i*) in), zp, s, is_u8), nt);
  }
  if (n != 0) {
    const __mmask16 m = qb__avx512_tail_mask(n);
    _mm512_mask_storeu_ps(y, m, qb__avx512_dequant16(_mm_maskz_loadu_epi8(m, in), zp, s, is_u8));
  }
}

/*
 * Per channel, s8/u8 -> f32, for len >= 16: the whole array as vectors of 16 in order,
 * where the vector that straddles the end of channel c takes c's scale and zero point in
 * its first lanes and c + 1's in the rest (two masked moves), so that no element is
 * written twice: the stores bound this kernel, and rewriting an overlapping vector per
 * channel, as the quantizer does, cost it a fifth of its speed on channels of 97. The
 * last channel ends with the vector ending at n (overlapping, same values). Shorter
 * channels take the per-tensor loop per channel.
 * nt (a constant): the walk's stores are non-temporal (common/stream.h says when). The
 * walk then starts at the first 64-byte boundary of y, so that every one of its vectors
 * is aligned; the elements before it (fewer than 16, all of channel 0) are one masked
 * plain store, and the last channel's overlapping vector (the same values again) is a
 * plain store. The caller ends with an sfence.
 */
QB__AVX512_INLINE void qb__avx512_dequantc(size_t n, const void* x, float* y, const qb_quant_params* q,
                                           const int is_u8, const int unroll, const int nt) {
  const size_t len = q->channel_len, channels = n / len;
  const uint8_t* in = (const uint8_t*) x;
  (void) unroll;
  if (len < 16) {
    for (size_t c = 0; c < channels; c++) {
      qb__avx512_dequant(len, in + c * len, y + c * len, q->scales[c], q->zero_points[c], is_u8, 1, 0);
    }
    return;
  }
  __m512i zp = _mm512_set1_epi32(q->zero_points[0]);
  __m512 s = _mm512_set1_ps(q->scales[0]);
  size_t i = 0;
  if (nt) {
    i = (size_t) (-(uintptr_t) y & 63) / sizeof(float); /* < 16 <= len */
    if (i != 0) {
      const __mmask16 m = qb__avx512_tail_mask(i);
      _mm512_mask_storeu_ps(y, m, qb__avx512_dequant16(_mm_maskz_loadu_epi8(m, in), zp, s, is_u8));
    }
  }
  for (size_t c = 0; c < channels; c++) {
    const size_t end = (c + 1) * len;
    for (; i + 16 <= end; i += 16) {
      qb__avx512_store_ps(y + i,
                          qb__avx512_dequant16(_mm_loadu_si128((const __m128i*) (in + i)), zp, s, is_u8), nt);
    }
    if (c + 1 == channels) {
      if (i < end) {
        _mm512_storeu_ps(y + end - 16, qb__avx512_dequant16(_mm_loadu_si128((const __m128i*) (in + end - 16)),
                                                            zp, s, is_u8));
      }
      break;
    }
    const __m512i zp_next = _mm512_set1_epi32(q->zero_points[c + 1]);
    const __m512 s_next = _mm512_set1_ps(q->scales[c + 1]);
    if (i < end) {
      /* Lanes [0, end - i) are channel c's (end - i < 16), the rest c + 1's (len >= 16). */
      const __mmask16 m = qb__avx512_tail_mask(end - i);
      const __m128i bytes = _mm_loadu_si128((const __m128i*) (in + i));
      qb__avx512_store_ps(y + i,
                          qb__avx512_dequant16(bytes, _mm512_mask_mov_epi32(zp_next, m, zp),
                                               _mm512_mask_mov_ps(s_next, m, s), is_u8),
                          nt);
      i += 16;
    }
    zp = zp_next;
    s = s_next;
  }
}

QB__AVX512_INLINE void qb__avx512_fakequant_loop(size_t n, const float* x, float* y, const qb__avx512_qp* p,
                                                 const int tflite, const int unroll) {
  if (unroll == 4) {
    for (; n >= 64; n -= 64, x += 64, y += 64) {
      for (int j = 0; j < 64; j += 16) {
        _mm512_storeu_ps(y + j, qb__avx512_fakequant_vec(_mm512_loadu_ps(x + j), p, tflite));
      }
    }
  }
  for (; n >= 16; n -= 16, x += 16, y += 16) {
    _mm512_storeu_ps(y, qb__avx512_fakequant_vec(_mm512_loadu_ps(x), p, tflite));
  }
  if (n != 0) {
    const __mmask16 m = qb__avx512_tail_mask(n);
    _mm512_mask_storeu_ps(y, m, qb__avx512_fakequant_vec(_mm512_maskz_loadu_ps(m, x), p, tflite));
  }
}

QB__AVX512_INLINE void qb__avx512_fakequant(size_t n, const float* x, float* y, const qb_quant_params* q,
                                            const int unroll) {
  const int tflite = q->round == QB_ROUND_TFLITE;
  const qb__avx512_qp p = qb__avx512_qp_make(q, tflite);
  if (tflite) {
    qb__avx512_fakequant_loop(n, x, y, &p, 1, unroll);
  } else {
    qb__avx512_fakequant_loop(n, x, y, &p, 0, unroll);
  }
}

/*
 * The absmax of 16 consecutive blocks of 32, reduced together: block b's in lane
 * 4 * (b % 4) + b / 4. Steps:
 * 1. each block's |x| maxima in one vector;
 * 2. the 16 vectors reduced by four levels of shuffles and maxima, each halving the partials
 *    per block (45 instructions for 16 blocks where a reduction per block takes 8).
 * bits = 0: float maxima, NaN skipped (vmaxps keeps its second operand); bits = 1: integer
 * maxima of the |x| bits, which order as the floats do with NaN above inf, so a block's
 * result says whether it holds a NaN or an infinity (the result is then those bits).
 */
QB__AVX512_INLINE __m512 qb__avx512_max2(__m512 a, __m512 b, const int bits) {
  return bits ? _mm512_castsi512_ps(_mm512_max_epi32(_mm512_castps_si512(a), _mm512_castps_si512(b)))
              : _mm512_max_ps(a, b);
}

QB__AVX512_INLINE __m512 qb__avx512_amax16(const float* x, const int bits) {
  __m512 m[16];
#pragma GCC unroll 16
  for (int b = 0; b < 16; b++) {
    const __m512 a0 = _mm512_abs_ps(_mm512_loadu_ps(x + 32 * b));
    const __m512 a = bits ? a0 : _mm512_max_ps(a0, _mm512_setzero_ps());
    m[b] = qb__avx512_max2(_mm512_abs_ps(_mm512_loadu_ps(x + 32 * b + 16)), a, bits);
  }
  /* 2. Level 1: blocks 2p, 2p+1 -> 8 partials each, in the low and high 256 bits. */
  __m512 v1[8];
#pragma GCC unroll 8
  for (int p = 0; p < 8; p++) {
    v1[p] = qb__avx512_max2(_mm512_shuffle_f32x4(m[2 * p], m[2 * p + 1], 0x44),
                            _mm512_shuffle_f32x4(m[2 * p], m[2 * p + 1], 0xEE), bits);
  }
  /* Level 2: 128-bit lane j of v2[q] holds 4 partials of block 4q + j. */
  __m512 v2[4];
#pragma GCC unroll 4
  for (int q = 0; q < 4; q++) {
    v2[q] = qb__avx512_max2(_mm512_shuffle_f32x4(v1[2 * q], v1[2 * q + 1], _MM_SHUFFLE(2, 0, 2, 0)),
                            _mm512_shuffle_f32x4(v1[2 * q], v1[2 * q + 1], _MM_SHUFFLE(3, 1, 3, 1)), bits);
  }
  /* Level 3: 128-bit lane j of v3[r]: 2 partials of block 8r + j, then 2 of 8r + 4 + j. */
  __m512 v3[2];
#pragma GCC unroll 2
  for (int r = 0; r < 2; r++) {
    v3[r] = qb__avx512_max2(_mm512_shuffle_ps(v2[2 * r], v2[2 * r + 1], _MM_SHUFFLE(1, 0, 1, 0)),
                            _mm512_shuffle_ps(v2[2 * r], v2[2 * r + 1], _MM_SHUFFLE(3, 2, 3, 2)), bits);
  }
  /* Level 4: 128-bit lane j: blocks j, 4 + j, 8 + j, 12 + j. */
  return qb__avx512_max2(_mm512_shuffle_ps(v3[0], v3[1], _MM_SHUFFLE(2, 0, 2, 0)),
                         _mm512_shuffle_ps(v3[0], v3[1], _MM_SHUFFLE(3, 1, 3, 1)), bits);
}

/* One block of 32 (two vectors): the steps of qb__block_quant_one. vmaxps returns its
 * second operand when either is NaN, so max(|x|, acc) skips NaN. */
QB__AVX512_INLINE void qb__avx512_block_quant(const float* x, qb_block_q8* b) {
  const __m512 x0 = _mm512_loadu_ps(x), x1 = _mm512_loadu_ps(x + 16);
  __m512 m = _mm512_max_ps(_mm512_abs_ps(x0), _mm512_setzero_ps());
  m = _mm512_max_ps(_mm512_abs_ps(x1), m);
  const float d = _mm512_reduce_max_ps(m) / 127.0f;
  const __m512 id = _mm512_set1_ps(d != 0.0f ? 1.0f / d : 0.0f);
  const __m512 lo = _mm512_set1_ps(-127.0f), hi = _mm512_set1_ps(127.0f);
  const __m512 xs[2] = {x0, x1};
  memcpy(&b->d, &d, sizeof d);
  for (int i = 0; i < 2; i++) {
    const __m512 v = _mm512_mul_ps(xs[i], id);
    __m512 r = _mm512_roundscale_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    r = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(r, r, _CMP_ORD_Q), r); /* NaN, or inf * 0 */
    const __m512i q = _mm512_cvtps_epi32(_mm512_min_ps(_mm512_max_ps(r, lo), hi));
    _mm_storeu_si128((__m128i*) (b->qs + 16 * i), _mm512_cvtepi32_epi8(q));
  }
}

QB__AVX512_INLINE void qb__avx512_block_dequant(const qb_block_q8* b, float* y) {
  float df;
  memcpy(&df, &b->d, sizeof df);
  const __m512 d = _mm512_set1_ps(df);
  for (int i = 0; i < QB_BLOCK_LEN; i += 16) {
    const __m512i q = _mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i*) (b->qs + i)));
    _mm512_storeu_ps(y + i, _mm512_mul_ps(d, _mm512_cvtepi32_ps(q)));
  }
}

#endif /* QB_QUANT_AVX512_H */
