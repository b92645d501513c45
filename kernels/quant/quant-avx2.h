/*
 * AVX2 building blocks of the quant kernels (the kernels/quant/ files named -avx2-u<N>.c
 * include it; it compiles only under those files' ISA flags). Every step mirrors one step of
 * quant-scalar.h so that the results are bit-exact: the same f32 multiply or divide,
 * the same rounding, NaN to the zero point, the clamp done in float. The one FMA
 * (qb__avx2_fakequant_vec) adds +0 to a product, which rounds it as the multiply alone
 * does.
 */
#ifndef QB_QUANT_AVX2_H
#define QB_QUANT_AVX2_H

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "qb/ukernel.h"

#define QB__AVX2_INLINE static inline __attribute__((always_inline))

/* One set of affine parameters, broadcast. */
typedef struct qb__avx2_qp {
  __m256 mul;           /* inv_scale (PyTorch multiplies), or scale (TFLite divides by it) */
  __m256 lo, hi;        /* qmin - zp and qmax - zp: the clamp, relative to the zero point */
  __m256 zp;            /* the zero point, as a float (exact: |zp| < 2^24) */
  __m256i zpi;          /* and as an int32 */
  __m256 scale;         /* for fake-quant's dequantize */
  __m256i zp16;         /* zp in int16 lanes (qb__avx2_quant32_pt) */
  __m256 rlo, rhi;      /* TFLite: inv_scale (1 -+ 2^-20), rounded (qb__avx2_quant32_tfl) */
  int tfl_fast;         /* TFLite: inv_scale in [2^-125, 2^125], where those bracket x / scale */
  __m256i qmin8, qmax8; /* qmin and qmax in bytes, as the dtype reads them */
} qb__avx2_qp;

/* The TFLite fast path's brackets (qb__avx2_quant32_tfl): only where inv_scale is normal
 * with room to spare, so that x * inv_scale is within 2^-24 relative of x / scale. */
QB__AVX2_INLINE void qb__avx2_qp_tfl(qb__avx2_qp* p, float inv_scale) {
  p->tfl_fast = inv_scale >= 0x1p-125f && inv_scale <= 0x1p125f;
  p->rlo = _mm256_set1_ps(inv_scale * (1.0f - 0x1p-20f));
  p->rhi = _mm256_set1_ps(inv_scale * (1.0f + 0x1p-20f));
}

QB__AVX2_INLINE qb__avx2_qp qb__avx2_qp_make(float scale, float inv_scale, int32_t zp, int32_t qmin,
                                             int32_t qmax, int tflite) {
  qb__avx2_qp p;
  p.mul = _mm256_set1_ps(tflite ? scale : inv_scale);
  p.lo = _mm256_set1_ps((float) (qmin - zp));
  p.hi = _mm256_set1_ps((float) (qmax - zp));
  p.zp = _mm256_set1_ps((float) zp);
  p.zpi = _mm256_set1_epi32(zp);
  p.scale = _mm256_set1_ps(scale);
  p.zp16 = _mm256_set1_epi16((int16_t) zp);
  qb__avx2_qp_tfl(&p, inv_scale);
  p.qmin8 = _mm256_set1_epi8((char) qmin);
  p.qmax8 = _mm256_set1_epi8((char) qmax);
  return p;
}

/*
 * x -> round(x / scale) clamped to [qmin - zp, qmax - zp], an integer-valued float.
 * TFLite's half-away-from-zero rounding, exactly roundf(v):
 * 1. t = trunc(v); frac = v - t is exact (Sterbenz: t and v within a factor of 2).
 * 2. Where |frac| >= 0.5, add copysign(1, v). |t| < 2^23 whenever frac != 0, so the
 *    add is exact; for v = +-inf, frac is NaN, the compare is false and t stays inf.
 */
QB__AVX2_INLINE __m256 qb__avx2_quant_rel(__m256 x, const qb__avx2_qp* p, const int tflite) {
  __m256 r;
  if (tflite) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    const __m256 v = _mm256_div_ps(x, p->mul);
    const __m256 t = _mm256_round_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    const __m256 frac = _mm256_andnot_ps(sign, _mm256_sub_ps(v, t));
    const __m256 up = _mm256_cmp_ps(frac, _mm256_set1_ps(0.5f), _CMP_GE_OQ);
    const __m256 one = _mm256_or_ps(_mm256_and_ps(v, sign), _mm256_set1_ps(1.0f));
    r = _mm256_add_ps(t, _mm256_and_ps(up, one));
  } else {
    r = _mm256_round_ps(_mm256_mul_ps(x, p->mul), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  }
  /* 3. NaN -> 0 (the zero point) by masking with "ordered"; then clamp. */
  r = _mm256_and_ps(r, _mm256_cmp_ps(r, r, _CMP_ORD_Q));
  r = _mm256_max_ps(r, p->lo);
  return _mm256_min_ps(r, p->hi);
}

/*
 * The quantized values as int32. TFLite: the codes, in [qmin, qmax] ((r + zp) is exact, so
 * is the convert). PyTorch: the codes' bytes (code & 0xFF, so the packs that follow must be
 * the unsigned ones), in five instructions where qb__avx2_quant_rel takes eight:
 * 1. v = x * inv_scale clamped to [qmin - zp, qmax - zp] *before* rounding: the bounds are
 *    integers, so round(clamp(v)) = clamp(round(v)). The operand order keeps a NaN
 *    (vmaxps/vminps return their second operand, v, when either is NaN).
 * 2. vcvtps2dq rounds to nearest even (MXCSR's mode, which qbench never changes, as the
 *    scalar reference's qb__round_even assumes too); a NaN gives 0x80000000.
 * 3. + zp in int32, & 0xFF: the code's byte, and for NaN that of 0x80000000 + zp, which is
 *    zp's: NaN -> zero point with no mask.
 */
QB__AVX2_INLINE __m256i qb__avx2_quant_i32(__m256 x, const qb__avx2_qp* p, const int tflite) {
  if (tflite) return _mm256_cvtps_epi32(_mm256_add_ps(qb__avx2_quant_rel(x, p, 1), p->zp));
  /* 1. */
  const __m256 v = _mm256_min_ps(p->hi, _mm256_max_ps(p->lo, _mm256_mul_ps(x, p->mul)));
  /* 2., 3. */
  return _mm256_and_si256(_mm256_add_epi32(_mm256_cvtps_epi32(v), p->zpi), _mm256_set1_epi32(0xFF));
}

/* Fake-quant: (q - zp) * scale, as r * scale + 0 in one FMA. The + 0 turns a -0 (from
 * rounding -0.3, say) into +0, as the scalar reference's integer (q - zp) does: -0 *
 * scale + 0 is +0. Every other r is a nonzero integer, so the exact r * scale is not zero:
 * adding +0 leaves it as it is and the FMA rounds it once, to fl(r * scale), the
 * reference's product (its sign too where that underflows). Fake-quant is bound by
 * Zen 3's FP pipes (8 operations per 8 elements before, 7 now): 1.18-1.20x in L1 and
 * at L2 size over the addition then the multiplication (paired, 1 thread). */
QB__AVX2_INLINE __m256 qb__avx2_fakequant_vec(__m256 x, const qb__avx2_qp* p, const int tflite) {
  return _mm256_fmadd_ps(qb__avx2_quant_rel(x, p, tflite), p->scale, _mm256_setzero_ps());
}

/* Four vectors of int32 in the byte range -> 32 bytes in order. The packs work within
 * 128-bit lanes, leaving dwords in the order a0 b0 c0 d0 a1 b1 c1 d1; the permute
 * restores a0 a1 b0 b1 c0 c1 d0 d1. Values are already in range: no saturation. */
QB__AVX2_INLINE __m256i qb__avx2_pack32(__m256i a, __m256i b, __m256i c, __m256i d, const int is_u8) {
  const __m256i ab = _mm256_packs_epi32(a, b);
  const __m256i cd = _mm256_packs_epi32(c, d);
  const __m256i abcd = is_u8 ? _mm256_packus_epi16(ab, cd) : _mm256_packs_epi16(ab, cd);
  return _mm256_permutevar8x32_epi32(abcd, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

/* The codes' saturating int16 lanes (zp added) -> bytes clamped to [qmin, qmax]. `full`
 * (a constant): [qmin, qmax] is the whole range of the dtype, which the saturating pack
 * already clamps to, so the clamp is left out (2 of the 19 vector operations per 32). */
QB__AVX2_INLINE __m256i qb__avx2_pt_bytes(__m256i ab, __m256i cd, const qb__avx2_qp* p, const int is_u8,
                                          const int full) {
  if (is_u8) {
    const __m256i b = _mm256_packus_epi16(ab, cd);
    return full ? b : _mm256_min_epu8(_mm256_max_epu8(b, p->qmin8), p->qmax8);
  }
  const __m256i b = _mm256_packs_epi16(ab, cd);
  return full ? b : _mm256_min_epi8(_mm256_max_epi8(b, p->qmin8), p->qmax8);
}

/*
 * PyTorch, 32 codes at once, the main loops' step: 19 vector instructions where four
 * qb__avx2_quant_i32 and qb__avx2_pack32 take 28, and only the 4 conversions on the two
 * pipes (of Zen 3's four) that also take the float min/max the other path needs 8 of.
 * Returns 0, leaving *out alone, when some lane needs qb__avx2_quant_i32 instead.
 * 1. c = vcvtps2dq(x * inv_scale): round(v), nearest even (MXCSR's mode, as in
 *    qb__avx2_quant_i32), or 0x80000000 where v is NaN or |v| >= 2^31.
 * 2. vpackssdw saturates c to int16: any c <= -32768, so any NaN or |v| >= 2^31, gives
 *    -32768; every other lane holds round(v), or 32767 where round(v) > 32767.
 * 3. If a lane is -32768, return 0: a NaN (the zero point) and an overflow to +-2^31
 *    would both look like that here. It needs |x * inv_scale| >= 32767.5, so it never
 *    happens to data the scale covers (only to NaN and to outliers of 128 times the
 *    quantization range and more).
 * 4. Otherwise add zp, saturating (|zp| <= 255), pack to bytes, saturating to the
 *    dtype's range, and clamp to [qmin, qmax] there: each step is monotone and every
 *    saturation bound lies outside [qmin, qmax], so this is clamp(round(v) + zp, qmin,
 *    qmax), the reference's clamp(round(v), qmin - zp, qmax - zp) + zp. Last, undo the
 *    packs' per-lane interleave.
 */
QB__AVX2_INLINE int qb__avx2_quant32_pt(const float* x, const qb__avx2_qp* p, __m256i* out, const int is_u8,
                                        const int full) {
  /* 1. */
  const __m256i a = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x), p->mul));
  const __m256i b = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + 8), p->mul));
  const __m256i c = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + 16), p->mul));
  const __m256i d = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + 24), p->mul));
  /* 2. */
  const __m256i ab = _mm256_packs_epi32(a, b);
  const __m256i cd = _mm256_packs_epi32(c, d);
  /* 3. */
  const __m256i low = _mm256_cmpeq_epi16(_mm256_min_epi16(ab, cd), _mm256_set1_epi16(INT16_MIN));
  if (_mm256_movemask_epi8(low) != 0) return 0;
  /* 4. */
  const __m256i q =
      qb__avx2_pt_bytes(_mm256_adds_epi16(ab, p->zp16), _mm256_adds_epi16(cd, p->zp16), p, is_u8, full);
  *out = _mm256_permutevar8x32_epi32(q, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
  return 1;
}

/*
 * TFLite, 32 codes at once, with no division: 0 where some lane needs the division.
 * With r = inv_scale = fl(1/scale) normal, x * r is within 2^-24 relative of x / scale,
 * and f = fl(x / scale) within 2^-24 of it too. lo = fl(x * rlo) and hi = fl(x * rhi)
 * (rlo, rhi: r (1 -+ 2^-20) rounded) are within (1 -+ 2^-20)(1 +- 2^-24)^3 of x / scale,
 * so f lies strictly between them (for f != 0; f = 0 makes them 0 as well).
 * 1. vcvtps2dq rounds both to nearest, ties to even, monotonically. Where they agree,
 *    every value between them rounds to that integer, so f does; and f is no tie m + 0.5,
 *    since lo < m + 0.5 < hi would round lo to m or less and hi to m + 1 or more. Off a
 *    tie, roundf(f) (half away) is the nearest integer: the code relative to zp.
 * 2. Lanes that disagree (f within about 2^-20 |f| of a tie, or |f| >= 2^19), a NaN or an
 *    overflow (0x80000000, as in qb__avx2_quant32_pt) send the 32 to the division.
 * 3. The rest is qb__avx2_quant32_pt's step 4.
 */
QB__AVX2_INLINE int qb__avx2_quant32_tfl(const float* x, const qb__avx2_qp* p, __m256i* out, const int is_u8,
                                         const int full) {
  const __m256 x0 = _mm256_loadu_ps(x), x1 = _mm256_loadu_ps(x + 8);
  const __m256 x2 = _mm256_loadu_ps(x + 16), x3 = _mm256_loadu_ps(x + 24);
  /* 1. */
  const __m256i a = _mm256_cvtps_epi32(_mm256_mul_ps(x0, p->rlo));
  const __m256i b = _mm256_cvtps_epi32(_mm256_mul_ps(x1, p->rlo));
  const __m256i c = _mm256_cvtps_epi32(_mm256_mul_ps(x2, p->rlo));
  const __m256i d = _mm256_cvtps_epi32(_mm256_mul_ps(x3, p->rlo));
  /* 2. */
  __m256i diff = _mm256_xor_si256(a, _mm256_cvtps_epi32(_mm256_mul_ps(x0, p->rhi)));
  diff = _mm256_or_si256(diff, _mm256_xor_si256(b, _mm256_cvtps_epi32(_mm256_mul_ps(x1, p->rhi))));
  diff = _mm256_or_si256(diff, _mm256_xor_si256(c, _mm256_cvtps_epi32(_mm256_mul_ps(x2, p->rhi))));
  diff = _mm256_or_si256(diff, _mm256_xor_si256(d, _mm256_cvtps_epi32(_mm256_mul_ps(x3, p->rhi))));
  const __m256i ab = _mm256_packs_epi32(a, b);
  const __m256i cd = _mm256_packs_epi32(c, d);
  const __m256i low = _mm256_cmpeq_epi16(_mm256_min_epi16(ab, cd), _mm256_set1_epi16(INT16_MIN));
  if (!_mm256_testz_si256(_mm256_or_si256(low, diff), _mm256_or_si256(low, diff))) return 0;
  /* 3. */
  const __m256i q =
      qb__avx2_pt_bytes(_mm256_adds_epi16(ab, p->zp16), _mm256_adds_epi16(cd, p->zp16), p, is_u8, full);
  *out = _mm256_permutevar8x32_epi32(q, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
  return 1;
}

/* The same steps for 8 codes (a channel's last, overlapping vector): the low 8 bytes. */
QB__AVX2_INLINE int qb__avx2_quant8_pt(const float* x, const qb__avx2_qp* p, __m128i* out, const int is_u8) {
  const __m256i a = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x), p->mul));
  const __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1));
  if (_mm_movemask_epi8(_mm_cmpeq_epi16(w, _mm_set1_epi16(INT16_MIN))) != 0) return 0;
  const __m128i z = _mm_adds_epi16(w, _mm256_castsi256_si128(p->zp16));
  const __m128i lo = _mm256_castsi256_si128(p->qmin8), hi = _mm256_castsi256_si128(p->qmax8);
  *out = is_u8 ? _mm_min_epu8(_mm_max_epu8(_mm_packus_epi16(z, z), lo), hi)
               : _mm_min_epi8(_mm_max_epi8(_mm_packs_epi16(z, z), lo), hi);
  return 1;
}

/* One vector of int32 in the byte range -> 8 bytes (the low half of the result). */
QB__AVX2_INLINE __m128i qb__avx2_pack8(__m256i a, const int is_u8) {
  const __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1));
  return is_u8 ? _mm_packus_epi16(w, w) : _mm_packs_epi16(w, w);
}

/* The general path for 32 codes, out of line: inlined, its constants took registers from
 * the fast paths' loops, which then spilled (1.5-2x slower for TFLite). */
static __attribute__((noinline, cold)) void qb__avx2_quant32_general(const float* x, const qb__avx2_qp* p,
                                                                     void* out, int tflite, int pk) {
  const __m256i a = qb__avx2_quant_i32(_mm256_loadu_ps(x), p, tflite);
  const __m256i b = qb__avx2_quant_i32(_mm256_loadu_ps(x + 8), p, tflite);
  const __m256i c = qb__avx2_quant_i32(_mm256_loadu_ps(x + 16), p, tflite);
  const __m256i d = qb__avx2_quant_i32(_mm256_loadu_ps(x + 24), p, tflite);
  _mm256_storeu_si256((__m256i*) out, qb__avx2_pack32(a, b, c, d, pk));
}

/* 32 codes to out (a main loop's step): qb__avx2_quant32_pt or qb__avx2_quant32_tfl where
 * they can, else qb__avx2_quant32_general. pk: the packs qb__avx2_quant_loop chooses. */
QB__AVX2_INLINE void qb__avx2_quant32(const float* x, const qb__avx2_qp* p, void* out, const int tflite,
                                      const int is_u8, const int pk, const int full) {
  __m256i q;
  if (!tflite && __builtin_expect(qb__avx2_quant32_pt(x, p, &q, is_u8, full), 1)) {
    _mm256_storeu_si256((__m256i*) out, q);
  } else if (tflite && p->tfl_fast && __builtin_expect(qb__avx2_quant32_tfl(x, p, &q, is_u8, full), 1)) {
    _mm256_storeu_si256((__m256i*) out, q);
  } else {
    qb__avx2_quant32_general(x, p, out, tflite, pk);
  }
}

/* 8 codes, in the low 8 bytes: qb__avx2_quant8_pt for PyTorch where it can, else
 * qb__avx2_quant_i32. */
QB__AVX2_INLINE __m128i qb__avx2_quant8(const float* x, const qb__avx2_qp* p, const int tflite,
                                        const int is_u8, const int pk) {
  __m128i q;
  if (!tflite && __builtin_expect(qb__avx2_quant8_pt(x, p, &q, is_u8), 1)) return q;
  return qb__avx2_pack8(qb__avx2_quant_i32(_mm256_loadu_ps(x), p, tflite), pk);
}

/*
 * f32 -> s8/u8, per tensor, `unroll` vectors of 8 per main-loop iteration (1 or 4).
 * With 4 and n >= 32, the last n % 32 elements are the 32 that end at n, overlapping
 * the step before (the same bytes written twice); otherwise the last n % 8 go through a
 * zero-padded stack copy, so they take the same vector path as the rest.
 */
QB__AVX2_INLINE void qb__avx2_quant_loop(size_t n, const float* x, void* y, const qb__avx2_qp* p,
                                         const int tflite, const int is_u8, const int unroll,
                                         const int full) {
  uint8_t* out = (uint8_t*) y;
  /* PyTorch's path gives the bytes as 0..255 (qb__avx2_quant_i32): unsigned packs. */
  const int pk = tflite ? is_u8 : 1;
  if (unroll == 4 && n >= 32) {
    for (; n >= 32; n -= 32, x += 32, out += 32) {
      qb__avx2_quant32(x, p, out, tflite, is_u8, pk, full);
    }
    if (n != 0) {
      /* The rest as the 32 ending at the end, overlapping (the same bytes again). */
      qb__avx2_quant32(x + n - 32, p, out + n - 32, tflite, is_u8, pk, full);
    }
    return;
  }
  for (; n >= 8; n -= 8, x += 8, out += 8) {
    const __m256i q = qb__avx2_quant_i32(_mm256_loadu_ps(x), p, tflite);
    _mm_storel_epi64((__m128i*) out, qb__avx2_pack8(q, pk));
  }
  if (n != 0) {
    float buf[8] = {0};
    uint8_t res[16];
    memcpy(buf, x, n * sizeof(float));
    const __m256i q = qb__avx2_quant_i32(_mm256_loadu_ps(buf), p, tflite);
    _mm_storeu_si128((__m128i*) res, qb__avx2_pack8(q, pk));
    memcpy(out, res, n);
  }
}

/* Entry for a per-tensor quant kernel: the rounding mode, and whether [qmin, qmax] is the
 * dtype's whole range (qb__avx2_pt_bytes), pick one specialized loop. */
QB__AVX2_INLINE void qb__avx2_quant(size_t n, const float* x, void* y, const qb_quant_params* q,
                                    const int is_u8, const int unroll) {
  const int tflite = q->round == QB_ROUND_TFLITE;
  const qb__avx2_qp p = qb__avx2_qp_make(q->scale, q->inv_scale, q->zero_point, q->qmin, q->qmax, tflite);
  const int full = unroll == 4 && q->qmin == (is_u8 ? 0 : -128) && q->qmax == (is_u8 ? 255 : 127);
  if (tflite) {
    if (full) {
      qb__avx2_quant_loop(n, x, y, &p, 1, is_u8, unroll, 1);
    } else {
      qb__avx2_quant_loop(n, x, y, &p, 1, is_u8, unroll, 0);
    }
  } else if (full) {
    qb__avx2_quant_loop(n, x, y, &p, 0, is_u8, unroll, 1);
  } else {
    qb__avx2_quant_loop(n, x, y, &p, 0, is_u8, unroll, 0);
  }
}

/*
 * Per channel, f32 -> s8/u8: the steps of qb__avx512_quantc with vectors of 8. For
 * len >= 8 the last len % 8 elements of a channel are the vector ending at its end,
 * overlapping the previous one (same parameters, same bytes), where the per-tensor loop
 * would copy them through zero-padded buffers in every channel. Shorter channels take
 * the per-tensor loop per channel.
 */
QB__AVX2_INLINE void qb__avx2_quantc(size_t n, const float* x, void* y, const qb_quant_params* q,
                                     const int tflite, const int is_u8, const int unroll) {
  const size_t len = q->channel_len;
  const float* mul = tflite ? q->scales : q->inv_scales;
  const int32_t* zps = q->zero_points;
  uint8_t* out = (uint8_t*) y;
  /* PyTorch's path gives the bytes as 0..255 (qb__avx2_quant_i32): unsigned packs. */
  const int pk = tflite ? is_u8 : 1;
  if (len < 8) {
    for (size_t c = 0; c < n / len; c++) {
      const qb__avx2_qp p =
          qb__avx2_qp_make(q->scales[c], q->inv_scales[c], zps[c], q->qmin, q->qmax, tflite);
      qb__avx2_quant_loop(len, x + c * len, out + c * len, &p, tflite, is_u8, 1, 0);
    }
    return;
  }
  const __m256i qmin = _mm256_set1_epi32(q->qmin), qmax = _mm256_set1_epi32(q->qmax);
  const __m256i qmin8 = _mm256_set1_epi8((char) q->qmin), qmax8 = _mm256_set1_epi8((char) q->qmax);
  /* A channel's rest after its whole 32s: more than 8 as 32 codes, else vectors of 8. */
  const int rest32 = unroll == 4 && len >= 32 && len % 32 > 8;
  for (size_t c = 0; c < n / len; c++, x += len, out += len) {
    qb__avx2_qp p;
    p.mul = _mm256_set1_ps(mul[c]);
    p.zpi = _mm256_set1_epi32(zps[c]);
    p.lo = _mm256_cvtepi32_ps(_mm256_sub_epi32(qmin, p.zpi));
    p.hi = _mm256_cvtepi32_ps(_mm256_sub_epi32(qmax, p.zpi));
    p.zp = _mm256_cvtepi32_ps(p.zpi);
    p.scale = p.mul; /* unused by quantize */
    p.zp16 = _mm256_set1_epi16((int16_t) zps[c]);
    if (tflite) qb__avx2_qp_tfl(&p, q->inv_scales[c]);
    p.qmin8 = qmin8;
    p.qmax8 = qmax8;
    size_t i = 0;
    if (unroll == 4) {
      for (; i + 32 <= len; i += 32) {
        qb__avx2_quant32(x + i, &p, out + i, tflite, is_u8, pk, 0);
      }
    }
    if (rest32) {
      /* A rest of more than 8 as the 32 ending at the channel's end, overlapping (the same
       * bytes); one of 8 or fewer as the vector of 8 below (a channel of 97, the L2
       * case's: one vector of 8 where the 32 took four, about as many instructions). */
      qb__avx2_quant32(x + len - 32, &p, out + len - 32, tflite, is_u8, pk, 0);
      continue;
    }
    for (; i + 8 <= len; i += 8) {
      _mm_storel_epi64((__m128i*) (out + i), qb__avx2_quant8(x + i, &p, tflite, is_u8, pk));
    }
    if (i < len) {
      _mm_storel_epi64((__m128i*) (out + len - 8), qb__avx2_quant8(x + len - 8, &p, tflite, is_u8, pk));
    }
  }
}

/* 8 bytes -> 8 int32, sign- or zero-extended. */
QB__AVX2_INLINE __m256i qb__avx2_load8_i32(const void* q, const int is_u8) {
  const __m128i b = _mm_loadl_epi64((const __m128i*) q);
  return is_u8 ? _mm256_cvtepu8_epi32(b) : _mm256_cvtepi8_epi32(b);
}

/* (q - zp) in int32 (exact), converted (exact), times scale: the scalar's operations. */
QB__AVX2_INLINE __m256 qb__avx2_dequant8(const void* q, __m256i zp, __m256 scale, const int is_u8) {
  return _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(qb__avx2_load8_i32(q, is_u8), zp)), scale);
}

/* A vector store, non-temporal when nt (a constant; p then 32-byte aligned). */
QB__AVX2_INLINE void qb__avx2_store_ps(float* p, __m256 v, const int nt) {
  if (nt) {
    _mm256_stream_ps(p, v);
  } else {
    _mm256_storeu_ps(p, v);
  }
}

/* Per tensor, s8/u8 -> f32. nt (a constant): the vectors' stores are non-temporal
 * (common/stream.h says when) from the first 32-byte boundary of y on (vmovntps needs
 * it); before it, when n >= 8, one plain vector whose last lanes the loop writes again
 * with the same values. The caller ends with an sfence. */
QB__AVX2_INLINE void qb__avx2_dequant(size_t n, const void* x, float* y, float scale, int32_t zero_point,
                                      const int is_u8, const int unroll, const int nt) {
  const uint8_t* in = (const uint8_t*) x;
  const __m256i zp = _mm256_set1_epi32(zero_point);
  const __m256 s = _mm256_set1_ps(scale);
  if (nt && n >= 8) {
    const size_t h = (size_t) (-(uintptr_t) y & 31) / sizeof(float); /* < 8 */
    if (h != 0) {
      _mm256_storeu_ps(y, qb__avx2_dequant8(in, zp, s, is_u8));
      n -= h, in += h, y += h;
    }
  }
  if (unroll == 4) {
    for (; n >= 32; n -= 32, in += 32, y += 32) {
      qb__avx2_store_ps(y, qb__avx2_dequant8(in, zp, s, is_u8), nt);
      qb__avx2_store_ps(y + 8, qb__avx2_dequant8(in + 8, zp, s, is_u8), nt);
      qb__avx2_store_ps(y + 16, qb__avx2_dequant8(in + 16, zp, s, is_u8), nt);
      qb__avx2_store_ps(y + 24, qb__avx2_dequant8(in + 24, zp, s, is_u8), nt);
    }
  }
  for (; n >= 8; n -= 8, in += 8, y += 8) {
    qb__avx2_store_ps(y, qb__avx2_dequant8(in, zp, s, is_u8), nt);
  }
  if (n != 0) {
    uint8_t buf[8] = {0};
    float res[8];
    memcpy(buf, in, n);
    _mm256_storeu_ps(res, qb__avx2_dequant8(buf, zp, s, is_u8));
    memcpy(y, res, n * sizeof(float));
  }
}

/* Per channel, s8/u8 -> f32, for len >= 8: qb__avx512_dequantc's walk with vectors of 8
 * (the vector that straddles two channels takes their parameters by two blends on a lane
 * compare, so no element is written twice); shorter channels take the per-tensor loop.
 * nt (a constant): as in qb__avx512_dequantc, the walk's stores non-temporal from the
 * first 32-byte boundary of y on (vmovntps needs it); before it, one plain vector of
 * channel 0 (len >= 8), whose last lanes the walk writes again with the same values.
 * unroll 4 (channels of 32 or more): four vectors per step within a channel. With one
 * vector per step the loop's speed hung on where it fell in the code (28 % slower in
 * cache when a change elsewhere moved it across a 64-byte line); four per step ran 1.41x
 * the one-vector loop on channels of 97 and 1.00x on channels under 32, where the check
 * alone had cost up to 25 %. The AVX-512 walk gained nothing from the same unroll. */
QB__AVX2_INLINE void qb__avx2_dequantc(size_t n, const void* x, float* y, const qb_quant_params* q,
                                       const int is_u8, const int unroll, const int nt) {
  const size_t len = q->channel_len, channels = n / len;
  const uint8_t* in = (const uint8_t*) x;
  if (len < 8) {
    for (size_t c = 0; c < channels; c++) {
      qb__avx2_dequant(len, in + c * len, y + c * len, q->scales[c], q->zero_points[c], is_u8, 1, 0);
    }
    return;
  }
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  __m256i zp = _mm256_set1_epi32(q->zero_points[0]);
  __m256 s = _mm256_set1_ps(q->scales[0]);
  const int wide = unroll == 4 && len >= 32;
  size_t i = 0;
  if (nt) {
    i = (size_t) (-(uintptr_t) y & 31) / sizeof(float); /* < 8 <= len */
    if (i != 0) _mm256_storeu_ps(y, qb__avx2_dequant8(in, zp, s, is_u8));
  }
  for (size_t c = 0; c < channels; c++) {
    const size_t end = (c + 1) * len;
    if (wide) {
      for (; i + 32 <= end; i += 32) {
        qb__avx2_store_ps(y + i, qb__avx2_dequant8(in + i, zp, s, is_u8), nt);
        qb__avx2_store_ps(y + i + 8, qb__avx2_dequant8(in + i + 8, zp, s, is_u8), nt);
        qb__avx2_store_ps(y + i + 16, qb__avx2_dequant8(in + i + 16, zp, s, is_u8), nt);
        qb__avx2_store_ps(y + i + 24, qb__avx2_dequant8(in + i + 24, zp, s, is_u8), nt);
      }
    }
    for (; i + 8 <= end; i += 8) qb__avx2_store_ps(y + i, qb__avx2_dequant8(in + i, zp, s, is_u8), nt);
    if (c + 1 == channels) {
      if (i < end) _mm256_storeu_ps(y + end - 8, qb__avx2_dequant8(in + end - 8, zp, s, is_u8));
      break;
    }
    const __m256i zp_next = _mm256_set1_epi32(q->zero_points[c + 1]);
    const __m256 s_next = _mm256_set1_ps(q->scales[c + 1]);
    if (i < end) {
      /* Lanes [0, end - i) are channel c's (end - i < 8), the rest c + 1's (len >= 8). */
      const __m256i m = _mm256_cmpgt_epi32(_mm256_set1_epi32((int) (end - i)), lane);
      qb__avx2_store_ps(y + i,
                        qb__avx2_dequant8(in + i, _mm256_blendv_epi8(zp_next, zp, m),
                                          _mm256_blendv_ps(s_next, s, _mm256_castsi256_ps(m)), is_u8),
                        nt);
      i += 8;
    }
    zp = zp_next;
    s = s_next;
  }
}

QB__AVX2_INLINE void qb__avx2_fakequant_loop(size_t n, const float* x, float* y, const qb__avx2_qp* p,
                                             const int tflite, const int unroll) {
  if (unroll == 4) {
    for (; n >= 32; n -= 32, x += 32, y += 32) {
      _mm256_storeu_ps(y, qb__avx2_fakequant_vec(_mm256_loadu_ps(x), p, tflite));
      _mm256_storeu_ps(y + 8, qb__avx2_fakequant_vec(_mm256_loadu_ps(x + 8), p, tflite));
      _mm256_storeu_ps(y + 16, qb__avx2_fakequant_vec(_mm256_loadu_ps(x + 16), p, tflite));
      _mm256_storeu_ps(y + 24, qb__avx2_fakequant_vec(_mm256_loadu_ps(x + 24), p, tflite));
    }
  }
  for (; n >= 8; n -= 8, x += 8, y += 8) {
    _mm256_storeu_ps(y, qb__avx2_fakequant_vec(_mm256_loadu_ps(x), p, tflite));
  }
  if (n != 0) {
    float buf[8] = {0};
    memcpy(buf, x, n * sizeof(float));
    _mm256_storeu_ps(buf, qb__avx2_fakequant_vec(_mm256_loadu_ps(buf), p, tflite));
    memcpy(y, buf, n * sizeof(float));
  }
}

QB__AVX2_INLINE void qb__avx2_fakequant(size_t n, const float* x, float* y, const qb_quant_params* q,
                                        const int unroll) {
  const int tflite = q->round == QB_ROUND_TFLITE;
  const qb__avx2_qp p = qb__avx2_qp_make(q->scale, q->inv_scale, q->zero_point, q->qmin, q->qmax, tflite);
  if (tflite) {
    qb__avx2_fakequant_loop(n, x, y, &p, 1, unroll);
  } else {
    qb__avx2_fakequant_loop(n, x, y, &p, 0, unroll);
  }
}

/* The largest of the 8 lanes (none NaN). */
QB__AVX2_INLINE float qb__avx2_hmax(__m256 v) {
  __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  m = _mm_max_ps(m, _mm_movehl_ps(m, m));
  m = _mm_max_ss(m, _mm_movehdup_ps(m));
  return _mm_cvtss_f32(m);
}

/* One block of 32: the steps of qb__block_quant_one. max_ps returns its second operand
 * when either is NaN, so max(|x|, acc) skips NaN as the scalar's compare does. */
QB__AVX2_INLINE void qb__avx2_block_quant(const float* x, qb_block_q8* b) {
  const __m256 abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
  const __m256 x0 = _mm256_loadu_ps(x), x1 = _mm256_loadu_ps(x + 8);
  const __m256 x2 = _mm256_loadu_ps(x + 16), x3 = _mm256_loadu_ps(x + 24);
  __m256 m = _mm256_max_ps(_mm256_and_ps(x0, abs_mask), _mm256_setzero_ps());
  m = _mm256_max_ps(_mm256_and_ps(x1, abs_mask), m);
  m = _mm256_max_ps(_mm256_and_ps(x2, abs_mask), m);
  m = _mm256_max_ps(_mm256_and_ps(x3, abs_mask), m);
  const float d = qb__avx2_hmax(m) / 127.0f;
  const float idf = d != 0.0f ? 1.0f / d : 0.0f;
  const __m256 id = _mm256_set1_ps(idf);
  const __m256 lo = _mm256_set1_ps(-127.0f), hi = _mm256_set1_ps(127.0f);
  __m256i q[4];
  const __m256 xs[4] = {x0, x1, x2, x3};
  for (int i = 0; i < 4; i++) {
    const __m256 v = _mm256_mul_ps(xs[i], id);
    __m256 r = _mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    r = _mm256_and_ps(r, _mm256_cmp_ps(r, r, _CMP_ORD_Q)); /* NaN input, or inf * 0 */
    q[i] = _mm256_cvtps_epi32(_mm256_min_ps(_mm256_max_ps(r, lo), hi));
  }
  memcpy(&b->d, &d, sizeof d);
  _mm256_storeu_si256((__m256i*) b->qs, qb__avx2_pack32(q[0], q[1], q[2], q[3], 0));
}

QB__AVX2_INLINE void qb__avx2_block_dequant(const qb_block_q8* b, float* y) {
  float df;
  memcpy(&df, &b->d, sizeof df);
  const __m256 d = _mm256_set1_ps(df);
  for (int i = 0; i < QB_BLOCK_LEN; i += 8) {
    const __m256 q = _mm256_cvtepi32_ps(qb__avx2_load8_i32(b->qs + i, 0));
    _mm256_storeu_ps(y + i, _mm256_mul_ps(d, q));
  }
}

#endif /* QB_QUANT_AVX2_H */
