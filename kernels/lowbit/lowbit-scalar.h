/*
 * The scalar semantics of the low-bit block formats, one inline function per step
 * (kernels/lowbit/README.md): OCP MX (scale FLOOR or RCEIL, element ties to even or
 * away), NVFP4, FP8 with per-128 f32 scales, and the packing of 4- and 6-bit codes.
 * The references (*-scalar-u1.c) are these functions applied block by block.
 */
#ifndef QB_LOWBIT_SCALAR_H
#define QB_LOWBIT_SCALAR_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include "common/fp.h"
#include "qb/ukernel.h"

/* The element types of the MX formats. */
typedef enum qb__mx_kind {
  QB__MX_E4M3,
  QB__MX_E5M2,
  QB__MX_E2M3,
  QB__MX_E3M2,
  QB__MX_E2M1,
  QB__MX_INT8,
} qb__mx_kind;

/* How the shared scale is chosen: OCP's floor(log2(amax)) - emax, or the smallest power
 * of two not below amax / max_elem (RCEIL, as vendor GPU libraries do). */
typedef enum qb__mx_scale_mode { QB__MX_FLOOR, QB__MX_RCEIL } qb__mx_scale_mode;

/* The exponent of the largest normal (OCP MX v1.0, table 1); MXINT8 elements are
 * two's complement with an implied 2^-6, emax 0. */
static inline int qb__mx_emax(qb__mx_kind k) {
  static const int emax[] = {8, 15, 2, 4, 2, 0};
  return emax[k];
}

/* The largest magnitude of an element. */
static inline float qb__mx_maxval(qb__mx_kind k) {
  static const float maxval[] = {448.0f, 57344.0f, 7.5f, 28.0f, 6.0f, 127.0f / 64.0f};
  return maxval[k];
}

/* floor(log2(x)) of a positive finite f32 given as its bits (subnormals included). */
static inline int qb__ilog2_floor(uint32_t abs) {
  uint32_t m = abs & 0x7FFFFFu;
  int e = -150;
  if (abs >> 23) {
    return (int) (abs >> 23) - 127;
  }
  while (m) { /* subnormal: m * 2^-149, the position of the top set bit */
    m >>= 1;
    e += 1;
  }
  return e;
}

/* ceil(log2(x)) of a positive finite f32 given as its bits. */
static inline int qb__ilog2_ceil(uint32_t abs) {
  const int f = qb__ilog2_floor(abs);
  /* Exact powers of two: a normal with a zero mantissa, a subnormal with one bit set. */
  const uint32_t m = abs & 0x7FFFFFu;
  const int pow2 = (abs >> 23) ? m == 0 : (m & (m - 1u)) == 0;
  return pow2 ? f : f + 1;
}

static inline int qb__clamp_scale(int s) {
  return s < -127 ? -127 : s > 127 ? 127 : s;
}

/* The largest |x| of a block as f32 bits; at least 0x7F800000 when any is inf or NaN. */
static inline uint32_t qb__amax_bits(const float* x, size_t len) {
  uint32_t a = 0;
  for (size_t i = 0; i < len; i++) {
    const uint32_t v = qb_f32_to_bits(x[i]) & 0x7FFFFFFFu;
    a = v > a ? v : a;
  }
  return a;
}

/* The shared exponent s (scale 2^s) of a block with finite amax (bits). amax = 0 gives
 * the smallest scale, 2^-127. */
static inline int qb__mx_shared_exp(uint32_t amax, qb__mx_kind k, qb__mx_scale_mode mode) {
  float q;
  if (amax == 0) {
    return -127;
  }
  if (mode == QB__MX_FLOOR) {
    return qb__clamp_scale(qb__ilog2_floor(amax) - qb__mx_emax(k));
  }
  /* RCEIL: amax / max_elem as one f32 division (rounded to nearest), then up to a power
   * of two. */
  q = qb_f32_from_bits(amax) / qb__mx_maxval(k);
  if (q == 0.0f) {
    return -127;
  }
  return qb__clamp_scale(qb__ilog2_ceil(qb_f32_to_bits(q)));
}

/* One element v (already divided by the scale, finite) -> its code: round to nearest
 * (ties even or away), saturate to the element's largest magnitude. */
static inline uint8_t qb__mx_encode(float v, qb__mx_kind k, int ties_away) {
  const uint32_t w = qb_f32_to_bits(v);
  const uint32_t abs = w & 0x7FFFFFFFu;
  uint32_t q;
  switch (k) {
    case QB__MX_E4M3:
      q = qb__round_to_small_ties(abs, 3, 7, ties_away);
      return (uint8_t) (((w >> 24) & 0x80u) | (q > 0x7Eu ? 0x7Eu : q));
    case QB__MX_E5M2:
      q = qb__round_to_small_ties(abs, 2, 15, ties_away);
      return (uint8_t) (((w >> 24) & 0x80u) | (q > 0x7Bu ? 0x7Bu : q));
    case QB__MX_E2M3:
      return qb__f32_to_fn_small(w, 2, 3, 1, ties_away);
    case QB__MX_E3M2:
      return qb__f32_to_fn_small(w, 3, 2, 3, ties_away);
    case QB__MX_E2M1:
      return qb__f32_to_fn_small(w, 2, 1, 1, ties_away);
    case QB__MX_INT8:
    default: {
      /* |v| < 2 here, so r = |v| * 64 < 128 exactly: round to an integer, clamp to 127. */
      const float r = qb_f32_from_bits(abs) * 64.0f;
      uint32_t t = (uint32_t) r;
      const float frac = r - (float) t;
      if (frac > 0.5f || (frac == 0.5f && (ties_away || (t & 1u)))) t += 1;
      if (t > 127u) t = 127u;
      return (uint8_t) ((w >> 31) ? (uint8_t) (0u - t) : t);
    }
  }
}

/* An element code -> its value, before the scale. */
static inline float qb__mx_decode(uint8_t c, qb__mx_kind k) {
  switch (k) {
    case QB__MX_E4M3:
      return qb_f32_from_bits(qb_f8e4m3_to_f32_bits(c));
    case QB__MX_E5M2:
      return qb_f32_from_bits(qb_f8e5m2_to_f32_bits(c));
    case QB__MX_E2M3:
      return qb_f32_from_bits(qb_f6e2m3_to_f32_bits(c));
    case QB__MX_E3M2:
      return qb_f32_from_bits(qb_f6e3m2_to_f32_bits(c));
    case QB__MX_E2M1:
      return qb_f32_from_bits(qb_f4e2m1_to_f32_bits(c));
    case QB__MX_INT8:
    default:
      return (float) (int8_t) c * (1.0f / 64.0f);
  }
}

/* The scale 2^(e - 127) of an E8M0 byte as f32 (0xFF: NaN). */
static inline float qb__e8m0_scale(uint8_t e) {
  return qb_f32_from_bits(qb_e8m0_to_f32_bits(e));
}

/*
 * Quantizes one MX block of 32: the E8M0 exponent into *e, one unpacked code per
 * element into codes. A block holding NaN or inf gets the NaN scale 0xFF and codes 0.
 * Elements are x * 2^-s, a multiplication by a power of two, exact wherever it can
 * matter (a product that underflows f32 is far below half the smallest element).
 */
static inline void qb__mx_quant_block(const float* x, qb__mx_kind k, qb__mx_scale_mode mode, int ties_away,
                                      uint8_t* e, uint8_t* codes) {
  const uint32_t amax = qb__amax_bits(x, QB_MX_BLOCK_LEN);
  int s;
  float inv;
  if (amax >= 0x7F800000u) {
    *e = 0xFF;
    for (int i = 0; i < QB_MX_BLOCK_LEN; i++) codes[i] = 0;
    return;
  }
  s = qb__mx_shared_exp(amax, k, mode);
  *e = (uint8_t) (s + 127);
  inv = qb_pow2f(-s);
  for (int i = 0; i < QB_MX_BLOCK_LEN; i++) codes[i] = qb__mx_encode(x[i] * inv, k, ties_away);
}

/* Dequantizes codes with exponent byte e: decode(code) * 2^(e - 127), NaN for 0xFF. A NaN
 * code gives its own NaN, also under the NaN scale: the product of two NaNs would leave
 * which one survives to the compiler's operand order (fmul and mulps keep their first
 * operand's, and a compiler may swap the operands of a multiplication). */
static inline void qb__mx_dequant_block(const uint8_t* codes, uint8_t e, qb__mx_kind k, size_t len,
                                        float* y) {
  const float scale = qb__e8m0_scale(e);
  if (k != QB__MX_E4M3 && k != QB__MX_E5M2) {
    /* No NaN codes (FP6, FP4, INT8): the plain product, a loop the compiler vectorizes
     * (the NaN test below, a branch in the loop, kept it from that: 2.7-5.8x slower). */
    for (size_t i = 0; i < len; i++) y[i] = qb__mx_decode(codes[i], k) * scale;
    return;
  }
  for (size_t i = 0; i < len; i++) {
    const float v = qb__mx_decode(codes[i], k);
    y[i] = v != v ? v : v * scale;
  }
}

/* ---- Packing: little-endian bit streams (qb/lowbit.h) -------------------------------- */

static inline void qb__pack4(const uint8_t* codes, size_t n, uint8_t* out) {
  for (size_t i = 0; i < n / 2; i++) out[i] = (uint8_t) ((codes[2 * i] & 0xFu) | (codes[2 * i + 1] << 4));
}

static inline void qb__unpack4(const uint8_t* in, size_t n, uint8_t* codes) {
  for (size_t i = 0; i < n / 2; i++) {
    codes[2 * i] = in[i] & 0xFu;
    codes[2 * i + 1] = in[i] >> 4;
  }
}

static inline void qb__pack6(const uint8_t* c, size_t n, uint8_t* out) {
  for (size_t i = 0; i < n / 4; i++, c += 4, out += 3) {
    const uint32_t w = (c[0] & 0x3Fu) | (uint32_t) (c[1] & 0x3Fu) << 6 | (uint32_t) (c[2] & 0x3Fu) << 12 |
                       (uint32_t) (c[3] & 0x3Fu) << 18;
    out[0] = (uint8_t) w;
    out[1] = (uint8_t) (w >> 8);
    out[2] = (uint8_t) (w >> 16);
  }
}

static inline void qb__unpack6(const uint8_t* in, size_t n, uint8_t* c) {
  for (size_t i = 0; i < n / 4; i++, in += 3, c += 4) {
    const uint32_t w = in[0] | (uint32_t) in[1] << 8 | (uint32_t) in[2] << 16;
    c[0] = w & 0x3Fu;
    c[1] = (w >> 6) & 0x3Fu;
    c[2] = (w >> 12) & 0x3Fu;
    c[3] = (uint8_t) (w >> 18);
  }
}

/* ---- NVFP4 ---------------------------------------------------------------------------- */

/* The f32 tensor scale from the params (qb/lowbit.h): 1 when absent or 0. */
static inline float qb__nvf4_tensor_scale(const void* params) {
  const float g = params != NULL ? ((const qb_quant_params*) params)->scale : 0.0f;
  return g != 0.0f ? g : 1.0f;
}

/* The block's decode scale d = e4m3(s) * tensor_scale (NaN for the NaN scale codes). */
static inline float qb__nvf4_block_d(uint8_t s, float tensor_scale) {
  return qb_f32_from_bits(qb_f8e4m3_to_f32_bits(s)) * tensor_scale;
}

/*
 * One NVFP4 block of 16: s = e4m3_sat(amax / 6 / g) (round to nearest even), d =
 * e4m3(s) * g, codes = e2m1(x / d) (nearest even, saturating at 6). A block holding NaN
 * or inf gets the NaN scale 0x7F and codes 0; a block whose d is 0 (amax / 6 / g below
 * half the smallest E4M3 subnormal, all-zero blocks too) keeps only the signs (+-0).
 */
static inline void qb__nvf4_quant_block(const float* x, float g, qb_block_nvf4* out) {
  const uint32_t amax = qb__amax_bits(x, QB_NVF4_BLOCK_LEN);
  uint8_t codes[QB_NVF4_BLOCK_LEN];
  float d;
  if (amax >= 0x7F800000u) {
    out->s = 0x7F;
    for (int i = 0; i < QB_NVF4_BLOCK_LEN / 2; i++) out->qs[i] = 0;
    return;
  }
  out->s = qb_f32_to_f8e4m3_bits(qb_f32_to_bits(qb_f32_from_bits(amax) / 6.0f / g), 1);
  d = qb__nvf4_block_d(out->s, g);
  for (int i = 0; i < QB_NVF4_BLOCK_LEN; i++) {
    const uint32_t w = qb_f32_to_bits(x[i]);
    codes[i] = d == 0.0f ? (uint8_t) ((w >> 31) << 3) : qb_f32_to_f4e2m1_bits(qb_f32_to_bits(x[i] / d));
  }
  qb__pack4(codes, QB_NVF4_BLOCK_LEN, out->qs);
}

/* ---- FP8 E4M3 with one f32 scale per 128 ----------------------------------------------- */

/*
 * d = amax / 448, codes = e4m3_sat(x / d) (nearest even). A block holding NaN or inf
 * gets d = NaN and NaN codes (0x7F); an all-zero block (d = 0: where public code
 * divides 0 by 0) keeps d = 0 and +-0 codes, so it dequantizes to zeros.
 */
/* The codes of len elements under a finite scale d: e4m3_sat(x / d), nearest even; d = 0
 * (an all-zero block or tile) gives +-0, keeping each element's sign. */
static inline void qb__f8_scaled_codes(const float* x, size_t len, float d, uint8_t* q) {
  for (size_t i = 0; i < len; i++) {
    const uint32_t w = qb_f32_to_bits(x[i]);
    q[i] = d == 0.0f ? (uint8_t) ((w >> 31) << 7) : qb_f32_to_f8e4m3_bits(qb_f32_to_bits(x[i] / d), 1);
  }
}

static inline void qb__f8b128_quant_block(const float* x, qb_block_f8b128* out) {
  const uint32_t amax = qb__amax_bits(x, QB_F8B_BLOCK_LEN);
  if (amax >= 0x7F800000u) {
    out->d = qb_f32_from_bits(0x7FC00000u);
    for (int i = 0; i < QB_F8B_BLOCK_LEN; i++) out->qs[i] = 0x7F;
    return;
  }
  out->d = qb_f32_from_bits(amax) / 448.0f;
  qb__f8_scaled_codes(x, QB_F8B_BLOCK_LEN, out->d, out->qs);
}

/* ---- FP8 E4M3 with one f32 scale per 128 x 128 tile (qb/lowbit.h) ----------------------- */

/* The matrix's row length: params' channel_len, or 128 when there is none. */
static inline size_t qb__f8t128_cols(size_t n, const void* params) {
  const qb_quant_params* p = (const qb_quant_params*) params;
  const size_t cols = p != NULL && p->channel_len != 0 ? p->channel_len : QB_F8T_TILE;
  assert(cols % QB_F8T_TILE == 0 && n % (cols * QB_F8T_TILE) == 0);
  (void) n;
  return cols;
}

#endif /* QB_LOWBIT_SCALAR_H */
