/*
 * Blocks of the Arm cast kernels: one step of a kernel's loop (kernels/cvt/block-loop.c.in,
 * as on x86; sve-loop.c.in for SVE), named qb_cvt_<isa>_<from>_<to>_x<B> for B elements.
 * What each computes, and why it is bit-exact with the scalar reference, is said next to
 * it. FPCR is at Linux's defaults (round to nearest even, subnormals kept, FPCR.DN 0: NaN
 * quieted with its top payload bits).
 *
 * Included only by kernel files compiled with the flags of their ISA (isa.inc); each
 * block is there only when the file's flags enable its instructions.
 */
#ifndef QB_CVT_ARM_H
#define QB_CVT_ARM_H

#include <stddef.h>
#include <stdint.h>

#if defined(__ARM_NEON)
#include <arm_neon.h>

/* bf16 -> f32, 8 elements: a bf16 is the top half of an f32, so SHLL (vshll_n_u16 by 16)
 * widens and shifts in one step. Exact, a signaling NaN stays signaling, as in the
 * reference. */
static inline void qb_cvt_neon_bf16_f32_x8(const uint16_t* in, float* out) {
  const uint16x8_t h = vld1q_u16(in);
  vst1q_f32(out, vreinterpretq_f32_u32(vshll_n_u16(vget_low_u16(h), 16)));
  vst1q_f32(out + 4, vreinterpretq_f32_u32(vshll_high_n_u16(h, 16)));
}

/* f16 -> f32, 8 elements with FCVTL/FCVTL2 (base Armv8.0 AdvSIMD). Exact; a signaling NaN
 * is quieted with its payload kept, as the reference does. */
static inline void qb_cvt_neon_f16_f32_x8(const uint16_t* in, float* out) {
  const float16x8_t h = vreinterpretq_f16_u16(vld1q_u16(in));
  vst1q_f32(out, vcvt_f32_f16(vget_low_f16(h)));
  vst1q_f32(out + 4, vcvt_high_f32_f16(h));
}

/* f32 -> f16, 8 elements with FCVTN/FCVTN2. The vector half-precision converts are part of
 * base Armv8.0 AdvSIMD (no +fp16 needed) and honour FPCR: round to nearest even,
 * subnormals kept, NaN quieted with its top payload bits, overflow to inf. That is the
 * reference's semantics. */
static inline void qb_cvt_neon_f32_f16_x8(const float* in, uint16_t* out) {
  const float16x8_t h = vcvt_high_f16_f32(vcvt_f16_f32(vld1q_f32(in)), vld1q_f32(in + 4));
  vst1q_u16(out, vreinterpretq_u16_f16(h));
}

/*
 * f32 -> bf16 with AdvSIMD integer arithmetic: the reference's own algorithm
 * (kernels/common/fp.h), so bit-exact on every Armv8 core, bf16 or not.
 * 1. Round half to even: add 0x7FFF plus the lsb that is kept; a carry bumps the
 *    exponent (and overflows to inf) as it should.
 * 2. NaN: keep the top 16 bits and set the quiet bit instead.
 * 3. Narrow: the high halves of the 32-bit lanes (UZP2 via vuzp2q_u16).
 */
static inline uint32x4_t qb_cvt_neon_round_bf16(uint32x4_t w) {
  const uint32x4_t lsb = vandq_u32(vshrq_n_u32(w, 16), vdupq_n_u32(1));
  const uint32x4_t rounded = vaddq_u32(w, vaddq_u32(lsb, vdupq_n_u32(0x7FFF)));
  const uint32x4_t abs = vandq_u32(w, vdupq_n_u32(0x7FFFFFFFu));
  const uint32x4_t is_nan = vcgtq_u32(abs, vdupq_n_u32(0x7F800000u));
  const uint32x4_t quiet = vorrq_u32(w, vdupq_n_u32(0x00400000u));
  return vbslq_u32(is_nan, quiet, rounded);
}
static inline void qb_cvt_neon_f32_bf16_x8(const float* in, uint16_t* out) {
  const uint32x4_t lo = qb_cvt_neon_round_bf16(vreinterpretq_u32_f32(vld1q_f32(in)));
  const uint32x4_t hi = qb_cvt_neon_round_bf16(vreinterpretq_u32_f32(vld1q_f32(in + 4)));
  vst1q_u16(out, vuzp2q_u16(vreinterpretq_u16_u32(lo), vreinterpretq_u16_u32(hi)));
}

/* f32 -> f64, 4 elements with FCVTL/FCVTL2. Exact; NaN handling as the reference's C
 * conversion (the same instruction). */
static inline void qb_cvt_neon_f32_f64_x4(const float* in, double* out) {
  const float32x4_t v = vld1q_f32(in);
  vst1q_f64(out, vcvt_f64_f32(vget_low_f32(v)));
  vst1q_f64(out + 2, vcvt_high_f64_f32(v));
}

/* f64 -> f32, 4 elements with FCVTN/FCVTN2: the same instruction the reference's C
 * conversion compiles to. */
static inline void qb_cvt_neon_f64_f32_x4(const double* in, float* out) {
  vst1q_f32(out, vcvt_high_f32_f64(vcvt_f32_f64(vld1q_f64(in)), vld1q_f64(in + 2)));
}

#endif /* __ARM_NEON */

#if defined(__ARM_FEATURE_BF16_VECTOR_ARITHMETIC)

/* f32 -> bf16, 8 elements with BFCVTN/BFCVTN2 (Armv8.6 FEAT_BF16). Unlike BFDOT/BFMMLA,
 * the converts honour FPCR like any single-precision operation: round to nearest even
 * with subnormals kept (x86's vcvtneps2bf16 flushes them) and NaN quieted with its top
 * payload bits: the reference's semantics, bit-exact (measured under qemu-aarch64 -cpu
 * max by test_cvt_simd's exhaustive sweep; kernels/ARM.md). */
static inline void qb_cvt_neonbf16_f32_bf16_x8(const float* in, uint16_t* out) {
  vst1q_bf16((bfloat16_t*) out, vcvtq_high_bf16_f32(vcvtq_low_bf16_f32(vld1q_f32(in)), vld1q_f32(in + 4)));
}

#endif /* __ARM_FEATURE_BF16_VECTOR_ARITHMETIC */

#if defined(__ARM_FEATURE_SVE)
#include <arm_sve.h>

/* The SVE blocks convert one vector of 32-bit containers under predicate pg
 * (kernels/cvt/sve-loop.c.in). */

/* f16 -> f32 with FCVT: LD1H into 32-bit containers puts each f16 where FCVT (.s from .h)
 * reads it. Exact; a signaling NaN is quieted, payload kept, as in the reference. */
static inline void qb_cvt_sve_f16_f32(svbool_t pg, const uint16_t* in, float* out) {
  svst1_f32(pg, out, svcvt_f32_f16_x(pg, svreinterpret_f16_u32(svld1uh_u32(pg, in))));
}

/* f32 -> f16 with FCVT: each f16 lands in the low half of its 32-bit container, and ST1H
 * stores exactly those halves. Round to nearest even, subnormals kept, NaN quieted with
 * its top payload bits: the reference's semantics. */
static inline void qb_cvt_sve_f32_f16(svbool_t pg, const float* in, uint16_t* out) {
  svst1h_u32(pg, out, svreinterpret_u32_f16(svcvt_f16_f32_x(pg, svld1_f32(pg, in))));
}

#endif /* __ARM_FEATURE_SVE */

#endif /* QB_CVT_ARM_H */
