/*
 * AdvSIMD building blocks of the quant kernels (the kernels/quant/ files named
 * -neon-u<N>.c include it). Every step mirrors one step of quant-scalar.h so that the
 * results are bit-exact: the same f32 multiply or divide, the same rounding (FRINTN
 * is the reference's ties-to-even, FRINTA its half-away-from-zero), NaN to the zero
 * point, the clamp done in float. No FMA: there is no multiply-add in these formulas.
 */
#ifndef QB_QUANT_NEON_H
#define QB_QUANT_NEON_H

#include <arm_neon.h>
#include <stdint.h>
#include <string.h>

#include "qb/ukernel.h"

#define QB__NEON_INLINE static inline __attribute__((always_inline))

/* One set of affine parameters, broadcast. */
typedef struct qb__neon_qp {
  float32x4_t mul;    /* inv_scale (PyTorch multiplies), or scale (TFLite divides by it) */
  float32x4_t lo, hi; /* qmin - zp and qmax - zp: the clamp, relative to the zero point */
  int32x4_t zp;
  float32x4_t scale; /* for fake-quant's dequantize */
} qb__neon_qp;

QB__NEON_INLINE qb__neon_qp qb__neon_qp_make(float scale, float inv_scale, int32_t zp, int32_t qmin,
                                             int32_t qmax, int tflite) {
  qb__neon_qp p;
  p.mul = vdupq_n_f32(tflite ? scale : inv_scale);
  p.lo = vdupq_n_f32((float) (qmin - zp));
  p.hi = vdupq_n_f32((float) (qmax - zp));
  p.zp = vdupq_n_s32(zp);
  p.scale = vdupq_n_f32(scale);
  return p;
}

/*
 * x -> the rounded quotient clamped to [qmin - zp, qmax - zp], an integer-valued float.
 * 1. Round: FRINTA / FRINTN give roundf / the reference's ties-to-even exactly, and
 *    leave infinities and NaN as they are.
 * 2. NaN -> 0 (so the result is the zero point): AND with the "equal to itself" mask.
 * 3. Clamp: FMAX/FMIN; no NaN is left to propagate.
 */
QB__NEON_INLINE float32x4_t qb__neon_quant_rel(float32x4_t x, const qb__neon_qp* p, const int tflite) {
  float32x4_t r = tflite ? vrndaq_f32(vdivq_f32(x, p->mul)) : vrndnq_f32(vmulq_f32(x, p->mul));
  r = vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(r), vceqq_f32(r, r)));
  r = vmaxq_f32(r, p->lo);
  return vminq_f32(r, p->hi);
}

/* The quantized values as int32 in [qmin, qmax]: the convert of an integer is exact. */
QB__NEON_INLINE int32x4_t qb__neon_quant_i32(float32x4_t x, const qb__neon_qp* p, const int tflite) {
  return vaddq_s32(vcvtq_s32_f32(qb__neon_quant_rel(x, p, tflite)), p->zp);
}

/* Fake-quant: (q - zp) * scale. The + 0.0f turns a -0 (from rounding -0.3, say) into
 * +0, as the scalar reference's integer (q - zp) does. */
QB__NEON_INLINE float32x4_t qb__neon_fakequant_vec(float32x4_t x, const qb__neon_qp* p, const int tflite) {
  const float32x4_t r = vaddq_f32(qb__neon_quant_rel(x, p, tflite), vdupq_n_f32(0.0f));
  return vmulq_f32(r, p->scale);
}

/* Four vectors of int32 already in the byte range -> 16 bytes in order (XTN twice: the
 * values fit, so truncating narrows are exact for s8 and u8 alike). */
QB__NEON_INLINE uint8x16_t qb__neon_pack16(int32x4_t a, int32x4_t b, int32x4_t c, int32x4_t d) {
  const int16x8_t ab = vcombine_s16(vmovn_s32(a), vmovn_s32(b));
  const int16x8_t cd = vcombine_s16(vmovn_s32(c), vmovn_s32(d));
  return vreinterpretq_u8_s8(vcombine_s8(vmovn_s16(ab), vmovn_s16(cd)));
}

/*
 * f32 -> s8/u8, per tensor, 16 elements per main-loop iteration. The last n % 16 go
 * through a zero-padded stack copy, so they take the same vector path as the rest.
 */
QB__NEON_INLINE void qb__neon_quant_loop(size_t n, const float* x, void* y, const qb__neon_qp* p,
                                         const int tflite) {
  uint8_t* out = (uint8_t*) y;
  for (; n >= 16; n -= 16, x += 16, out += 16) {
    const int32x4_t a = qb__neon_quant_i32(vld1q_f32(x), p, tflite);
    const int32x4_t b = qb__neon_quant_i32(vld1q_f32(x + 4), p, tflite);
    const int32x4_t c = qb__neon_quant_i32(vld1q_f32(x + 8), p, tflite);
    const int32x4_t d = qb__neon_quant_i32(vld1q_f32(x + 12), p, tflite);
    vst1q_u8(out, qb__neon_pack16(a, b, c, d));
  }
  if (n != 0) {
    float buf[16] = {0};
    uint8_t res[16];
    memcpy(buf, x, n * sizeof(float));
    const int32x4_t a = qb__neon_quant_i32(vld1q_f32(buf), p, tflite);
    const int32x4_t b = qb__neon_quant_i32(vld1q_f32(buf + 4), p, tflite);
    const int32x4_t c = qb__neon_quant_i32(vld1q_f32(buf + 8), p, tflite);
    const int32x4_t d = qb__neon_quant_i32(vld1q_f32(buf + 12), p, tflite);
    vst1q_u8(res, qb__neon_pack16(a, b, c, d));
    memcpy(out, res, n);
  }
}

/* Entry for a per-tensor quant kernel: the rounding mode picks one specialized loop. */
QB__NEON_INLINE void qb__neon_quant(size_t n, const float* x, void* y, const qb_quant_params* q) {
  const int tflite = q->round == QB_ROUND_TFLITE;
  const qb__neon_qp p = qb__neon_qp_make(q->scale, q->inv_scale, q->zero_point, q->qmin, q->qmax, tflite);
  if (tflite) {
    qb__neon_quant_loop(n, x, y, &p, 1);
  } else {
    qb__neon_quant_loop(n, x, y, &p, 0);
  }
}

/* 16 bytes -> (q - zp) * scale in four vectors: the widening is exact, so are the
 * integer subtract and the convert; the multiply is the scalar's one rounding. */
QB__NEON_INLINE void qb__neon_dequant16(const uint8_t* q, float* y, int32x4_t zp, float32x4_t s,
                                        const int is_u8) {
  const uint8x16_t b = vld1q_u8(q);
  int16x8_t lo, hi;
  if (is_u8) {
    lo = vreinterpretq_s16_u16(vmovl_u8(vget_low_u8(b)));
    hi = vreinterpretq_s16_u16(vmovl_high_u8(b));
  } else {
    lo = vmovl_s8(vget_low_s8(vreinterpretq_s8_u8(b)));
    hi = vmovl_high_s8(vreinterpretq_s8_u8(b));
  }
  vst1q_f32(y, vmulq_f32(vcvtq_f32_s32(vsubq_s32(vmovl_s16(vget_low_s16(lo)), zp)), s));
  vst1q_f32(y + 4, vmulq_f32(vcvtq_f32_s32(vsubq_s32(vmovl_high_s16(lo), zp)), s));
  vst1q_f32(y + 8, vmulq_f32(vcvtq_f32_s32(vsubq_s32(vmovl_s16(vget_low_s16(hi)), zp)), s));
  vst1q_f32(y + 12, vmulq_f32(vcvtq_f32_s32(vsubq_s32(vmovl_high_s16(hi), zp)), s));
}

QB__NEON_INLINE void qb__neon_dequant(size_t n, const void* x, float* y, float scale, int32_t zero_point,
                                      const int is_u8) {
  const uint8_t* in = (const uint8_t*) x;
  const int32x4_t zp = vdupq_n_s32(zero_point);
  const float32x4_t s = vdupq_n_f32(scale);
  for (; n >= 16; n -= 16, in += 16, y += 16) {
    qb__neon_dequant16(in, y, zp, s, is_u8);
  }
  if (n != 0) {
    uint8_t buf[16] = {0};
    float res[16];
    memcpy(buf, in, n);
    qb__neon_dequant16(buf, res, zp, s, is_u8);
    memcpy(y, res, n * sizeof(float));
  }
}

QB__NEON_INLINE void qb__neon_fakequant_loop(size_t n, const float* x, float* y, const qb__neon_qp* p,
                                             const int tflite) {
  for (; n >= 16; n -= 16, x += 16, y += 16) {
    vst1q_f32(y, qb__neon_fakequant_vec(vld1q_f32(x), p, tflite));
    vst1q_f32(y + 4, qb__neon_fakequant_vec(vld1q_f32(x + 4), p, tflite));
    vst1q_f32(y + 8, qb__neon_fakequant_vec(vld1q_f32(x + 8), p, tflite));
    vst1q_f32(y + 12, qb__neon_fakequant_vec(vld1q_f32(x + 12), p, tflite));
  }
  for (; n >= 4; n -= 4, x += 4, y += 4) {
    vst1q_f32(y, qb__neon_fakequant_vec(vld1q_f32(x), p, tflite));
  }
  if (n != 0) {
    float buf[4] = {0};
    memcpy(buf, x, n * sizeof(float));
    vst1q_f32(buf, qb__neon_fakequant_vec(vld1q_f32(buf), p, tflite));
    memcpy(y, buf, n * sizeof(float));
  }
}

QB__NEON_INLINE void qb__neon_fakequant(size_t n, const float* x, float* y, const qb_quant_params* q) {
  const int tflite = q->round == QB_ROUND_TFLITE;
  const qb__neon_qp p = qb__neon_qp_make(q->scale, q->inv_scale, q->zero_point, q->qmin, q->qmax, tflite);
  if (tflite) {
    qb__neon_fakequant_loop(n, x, y, &p, 1);
  } else {
    qb__neon_fakequant_loop(n, x, y, &p, 0);
  }
}

/* One block of 32: the steps of qb__block_quant_one. FMAXNM returns the number when
 * the other operand is NaN, so max(|x|, acc) skips NaN as the scalar's compare does. */
QB__NEON_INLINE void qb__neon_block_quant(const float* x, qb_block_q8* b) {
  float32x4_t xs[8];
  float32x4_t m = vdupq_n_f32(0.0f);
  for (int i = 0; i < 8; i++) {
    xs[i] = vld1q_f32(x + 4 * i);
    m = vmaxnmq_f32(vabsq_f32(xs[i]), m);
  }
  const float d = vmaxnmvq_f32(m) / 127.0f;
  const float idf = d != 0.0f ? 1.0f / d : 0.0f;
  const float32x4_t id = vdupq_n_f32(idf);
  const float32x4_t lo = vdupq_n_f32(-127.0f), hi = vdupq_n_f32(127.0f);
  int32x4_t q[8];
  for (int i = 0; i < 8; i++) {
    float32x4_t r = vrndnq_f32(vmulq_f32(xs[i], id));
    r = vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(r), vceqq_f32(r, r))); /* NaN, inf * 0 */
    q[i] = vcvtq_s32_f32(vminq_f32(vmaxq_f32(r, lo), hi));
  }
  memcpy(&b->d, &d, sizeof d);
  vst1q_u8((uint8_t*) b->qs, qb__neon_pack16(q[0], q[1], q[2], q[3]));
  vst1q_u8((uint8_t*) b->qs + 16, qb__neon_pack16(q[4], q[5], q[6], q[7]));
}

QB__NEON_INLINE void qb__neon_block_dequant(const qb_block_q8* b, float* y) {
  float df;
  memcpy(&df, &b->d, sizeof df);
  const float32x4_t d = vdupq_n_f32(df);
  for (int i = 0; i < QB_BLOCK_LEN; i += 8) {
    const int16x8_t w = vmovl_s8(vld1_s8(b->qs + i));
    vst1q_f32(y + i, vmulq_f32(d, vcvtq_f32_s32(vmovl_s16(vget_low_s16(w)))));
    vst1q_f32(y + i + 4, vmulq_f32(d, vcvtq_f32_s32(vmovl_high_s16(w))));
  }
}

#endif /* QB_QUANT_NEON_H */
