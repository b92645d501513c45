/*
 * Affine and block quantization, bit-exact with kernels/quant/quant-scalar.h.
 * f32 division must round correctly for TFLite's x / scale and the block scale: the
 * host builds with -cl-fp32-correctly-rounded-divide-sqrt where the device offers it,
 * else defines QB_DIV_F64 and divides in f64 (a correctly rounded f64 quotient of two
 * f32 rounds to the correctly rounded f32 one: 53 >= 2 * 24 + 2).
 */
#if QB_DIV_F64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
float qb__div(float a, float b) {
  return (float) ((double) a / (double) b);
}
#else
float qb__div(float a, float b) {
  return a / b;
}
#endif

/* a / b for 16 lanes, correctly rounded as qb__div. */
float16 qb__div16(float16 a, float b) {
#if QB_DIV_F64
  return convert_float16(convert_double16(a) / (double) b);
#else
  return a / b;
#endif
}

/* a / b lane by lane, correctly rounded as qb__div. */
float16 qb__div16v(float16 a, float16 b) {
#if QB_DIV_F64
  return convert_float16(convert_double16(a) / convert_double16(b));
#else
  return a / b;
#endif
}

/*
 * rint and round (ties away) for the quantizers, in plain float arithmetic: PoCL 3.1's
 * rint and round (x86) do not vectorize and held f32_qs8_quant to 9 GB/s where the
 * same loop without them moves 20. Both equal the built-ins on all 2^32 inputs, up to
 * the sign of a zero result, which the conversion to int that follows drops.
 * qb__rint: adding and subtracting 2^23 (with v's sign) leaves v rounded to an integer
 * in the current rounding mode, round to nearest even (FP_CONTRACT is off, so the two
 * stay two roundings); |v| >= 2^23 is an integer already, and NaN stays NaN.
 * qb__round_away: v - trunc(v) is exact for |v| < 2^23, and so is adding +-1 to the
 * truncation; the int conversion truncates (its value is unused for larger |v|).
 */
float qb__rint(float v) {
  const float t = copysign(0x1p23f, v);
  const float r = (v + t) - t;
  return fabs(v) < 0x1p23f ? r : v;
}

float qb__round_away(float v) {
  const float t = (float) (int) v;
  const float r = t + (fabs(v - t) >= 0.5f ? copysign(1.0f, v) : 0.0f);
  return fabs(v) < 0x1p23f ? r : v;
}

/*
 * x -> q as qb__quant_one: round (PyTorch: rint(x * inv_scale), ties to even;
 * TFLite: round(x / scale), ties away), NaN -> zero point (checked explicitly:
 * convert_char_sat(NaN) differs between implementations), clamp in float, then add
 * the zero point in integers. No early return: the NaN case is a select, so the span
 * loop vectorizes (see QB_SPAN in cvt.cl). Kernels call it through QB_SPAN_ROUNDING,
 * with tflite a constant.
 */
int qb__quant_one(float x, float scale, float inv_scale, int zp, int qmin, int qmax, int tflite) {
  float r = tflite ? qb__round_away(qb__div(x, scale)) : qb__rint(x * inv_scale);
  const float lo = (float) (qmin - zp);
  const float hi = (float) (qmax - zp);
  r = r < lo ? lo : r;
  r = r > hi ? hi : r;
  return isnan(r) ? zp : (int) r + zp;
}

/*
 * QB_SPAN with the rounding a constant: t is declared 1 (TFLite) or 0 (PyTorch) in one
 * loop each, so a loop computes only its own rounding. Left to a select per element,
 * PoCL computed both, the division included, in the PyTorch loop.
 */
#define QB_SPAN_ROUNDING(i, n, t, tflite, ...) \
  do {                                         \
    if (tflite) {                              \
      const int t = 1;                         \
      QB_SPAN(i, n, __VA_ARGS__);              \
    } else {                                   \
      const int t = 0;                         \
      QB_SPAN(i, n, __VA_ARGS__);              \
    }                                          \
  } while (0)

float qb__dequant_one(int q, float scale, int zp) {
  return (float) (q - zp) * scale;
}

/*
 * qb__quant_one for 16 lanes, each with its own scale, reciprocal and zero point (per
 * channel, two channels can meet within 16 elements), `tflite` a constant. The same
 * result by fewer steps: v is first clamped to +-(qmax - qmin), a range of integers
 * that holds [qmin - zp, qmax - zp] whatever zp in [qmin, qmax] (rounding is monotonic
 * and keeps integers, so rounding the clamped value and clamping the code to the
 * narrower range gives the reference's code), so what is rounded lies in [-255, 255],
 * where one float addition rounds as qb__round_clamp16 below does (ties to even:
 * c + 1.5 * 2^23, whose low bits are the code; ties away: c + copysign(0.5 - 2^-25, c)
 * truncated; both equal rint / round on every f32 in [-256, 256], checked
 * exhaustively). The zero point is then added and the code clamped to [qmin, qmax] in
 * integers, with bounds the same for every lane; a NaN (which clamps to anything)
 * takes the zero point by one select at the end. The clamps are written as compares
 * and selects, which LLVM makes one vmaxps / vminps each; OpenCL's clamp() defines
 * NaN operands, which took PoCL three operations per bound.
 */
QB_ALWAYS_INLINE int16 qb__quant16(float16 x, float16 s, float16 is, int16 zp, int qmin, int qmax,
                                   const int tflite) {
  const float16 v = tflite ? qb__div16v(x, s) : x * is;
  const float16 w = (float16) (float) (qmax - qmin);
  float16 c = select(v, -w, v < -w);
  c = select(c, w, c > w);
  const int16 r = tflite ? convert_int16(c + copysign((float16) 0x1.fffffep-2f, c))
                         : as_int16(c + 0x1.8p23f) - 0x4B400000;
  return select(clamp(r + zp, (int16) qmin, (int16) qmax), zp, v != v);
}

/* 16 codes from x to y (`u8` and `tflite` constants). */
QB_ALWAYS_INLINE void qb__quant16_store(global const float* x, global void* y, float16 s, float16 is,
                                        int16 zp, int qmin, int qmax, const int u8, const int tflite) {
  const int16 q = qb__quant16(QB_LOAD(float16, x), s, is, zp, qmin, qmax, tflite);
  QB_STORE(uchar16, y, u8 ? convert_uchar16(q) : as_uchar16(convert_char16(q)));
}

/* 16 codes from x (`u8` a constant) dequantized to y. */
QB_ALWAYS_INLINE void qb__dequant16_store(global const void* x, global float* y, float16 s, int16 zp,
                                          const int u8) {
  const uchar16 b = QB_LOAD(uchar16, x);
  const int16 q = u8 ? convert_int16(b) : convert_int16(as_char16(b));
  QB_STORE(float16, y, convert_float16(q - zp) * s);
}

#define QB_QUANT_ARGS float scale, float inv_scale, int zp, int qmin, int qmax, int tflite
#define QB_QUANTC_ARGS                                                                                  \
  global const float *scales, global const float *inv_scales, global const int *zps, ulong channel_len, \
      int qmin, int qmax, int tflite

/* Per tensor: 16 lanes at a time on whole spans (QB_SPAN16), else per element; `u8` a
 * constant. */
#define QB_QUANT_BODY(T, u8)                                                                      \
  do {                                                                                            \
    const float16 s16 = (float16) scale, is16 = (float16) inv_scale;                              \
    const int16 z16 = (int16) zp;                                                                 \
    if (tflite)                                                                                   \
      QB_STREAM16(n, x, b, qb__quant16_store(x + b, y + b, s16, is16, z16, qmin, qmax, u8, 1), i, \
                  y[i] = (T) qb__quant_one(x[i], scale, inv_scale, zp, qmin, qmax, 1));           \
    else                                                                                          \
      QB_STREAM16(n, x, b, qb__quant16_store(x + b, y + b, s16, is16, z16, qmin, qmax, u8, 0), i, \
                  y[i] = (T) qb__quant_one(x[i], scale, inv_scale, zp, qmin, qmax, 0));           \
  } while (0)

kernel void qb_f32_qs8_quant_ocl(ulong n, global const float* x, global char* y, QB_QUANT_ARGS) {
  QB_QUANT_BODY(char, 0);
}

kernel void qb_f32_qu8_quant_ocl(ulong n, global const float* x, global uchar* y, QB_QUANT_ARGS) {
  QB_QUANT_BODY(uchar, 1);
}

kernel void qb_qs8_f32_dequant_ocl(ulong n, global const char* x, global float* y, QB_QUANT_ARGS) {
  QB_STREAM16(n, x, b, qb__dequant16_store(x + b, y + b, (float16) scale, (int16) zp, 0), i,
              y[i] = qb__dequant_one(x[i], scale, zp));
}

kernel void qb_qu8_f32_dequant_ocl(ulong n, global const uchar* x, global float* y, QB_QUANT_ARGS) {
  QB_STREAM16(n, x, b, qb__dequant16_store(x + b, y + b, (float16) scale, (int16) zp, 1), i,
              y[i] = qb__dequant_one(x[i], scale, zp));
}

/* x quantized and dequantized, 16 lanes (`tflite` a constant). */
QB_ALWAYS_INLINE void qb__fakequant16(global const float* x, global float* y, float scale, float inv_scale,
                                      int zp, int qmin, int qmax, const int tflite) {
  const int16 z = (int16) zp;
  const int16 q =
      qb__quant16(QB_LOAD(float16, x), (float16) scale, (float16) inv_scale, z, qmin, qmax, tflite);
  QB_STORE(float16, y, convert_float16(q - z) * scale);
}

kernel void qb_f32_qs8_fakequant_ocl(ulong n, global const float* x, global float* y, QB_QUANT_ARGS) {
  if (tflite)
    QB_STREAM16(n, x, b, qb__fakequant16(x + b, y + b, scale, inv_scale, zp, qmin, qmax, 1), i,
                y[i] = qb__dequant_one(qb__quant_one(x[i], scale, inv_scale, zp, qmin, qmax, 1), scale, zp));
  else
    QB_STREAM16(n, x, b, qb__fakequant16(x + b, y + b, scale, inv_scale, zp, qmin, qmax, 0), i,
                y[i] = qb__dequant_one(qb__quant_one(x[i], scale, inv_scale, zp, qmin, qmax, 0), scale, zp));
}

/*
 * Per channel: element i belongs to channel i / channel_len. A 64-bit division per
 * element does not vectorize on x86 (PoCL calls a scalar routine per lane) and the
 * parameters became gathers: per-channel quantize ran at 0.04-0.06 of the device's copy
 * roof. When a channel is at least 16 long (QB_VEC long), 16 elements (a work-item's
 * span) meet at most two channels: one division finds the first and where the next
 * begins, both channels' parameters are loaded once, and each lane (element) picks by a
 * select. Where QB_VEC divides the channel length, a span lies in one channel.
 *
 * On whole spans where QB_VEC is a multiple of 16 (CPU devices) the kernels take 16
 * lanes at a time (qb__quant16): the per-element loop of the pair case (any channel
 * length not a multiple of 16, such as qbench's 157 at DRAM size) compared 64-bit
 * element indices and picked the parameters element by element, 2.5x slower than the
 * per-tensor kernel on PoCL 3.1 (AVX2).
 */
#define QB_CHANNEL_PAIR(n)                                                    \
  const ulong qb_f_ = min((ulong) get_global_id(0) * QB_VEC, (ulong) (n) -1); \
  const ulong qb_c0_ = qb_f_ / channel_len;                                   \
  const ulong qb_next_ = (qb_c0_ + 1) * channel_len;                          \
  const ulong qb_c1_ = qb_next_ < (n) ? qb_c0_ + 1 : qb_c0_

/* The channels of the 16 elements from b (channel_len >= 16, b + 16 <= n): lanes below
 * qb_up_'s first set lane in channel qb_c0_, the others in qb_c1_. */
#define QB_CHANNEL_PAIR16(b, n)                              \
  const ulong qb_c0_ = (b) / channel_len;                    \
  const ulong qb_next_ = (qb_c0_ + 1) * channel_len;         \
  const ulong qb_c1_ = qb_next_ < (n) ? qb_c0_ + 1 : qb_c0_; \
  const int16 qb_up_ = QB_LANES16 > (int16) ((int) min(qb_next_ - (b), (ulong) 16) - 1)

QB_ALWAYS_INLINE void qb__quantc16(ulong n, global const float* x, global void* y, ulong b,
                                   global const float* scales, global const float* inv_scales,
                                   global const int* zps, ulong channel_len, int qmin, int qmax, const int u8,
                                   const int tflite) {
  QB_CHANNEL_PAIR16(b, n);
  if (qb_next_ - b >= 16) {
    qb__quant16_store(x + b, (global uchar*) y + b, (float16) scales[qb_c0_], (float16) inv_scales[qb_c0_],
                      (int16) zps[qb_c0_], qmin, qmax, u8, tflite);
    return;
  }
  const float16 s = select((float16) scales[qb_c0_], (float16) scales[qb_c1_], qb_up_);
  const float16 is = select((float16) inv_scales[qb_c0_], (float16) inv_scales[qb_c1_], qb_up_);
  const int16 z = select((int16) zps[qb_c0_], (int16) zps[qb_c1_], qb_up_);
  qb__quant16_store(x + b, (global uchar*) y + b, s, is, z, qmin, qmax, u8, tflite);
}

QB_ALWAYS_INLINE void qb__dequantc16(ulong n, global const void* x, global float* y, ulong b,
                                     global const float* scales, global const int* zps, ulong channel_len,
                                     const int u8) {
  QB_CHANNEL_PAIR16(b, n);
  if (qb_next_ - b >= 16) {
    qb__dequant16_store((global const uchar*) x + b, y + b, (float16) scales[qb_c0_], (int16) zps[qb_c0_],
                        u8);
    return;
  }
  const float16 s = select((float16) scales[qb_c0_], (float16) scales[qb_c1_], qb_up_);
  const int16 z = select((int16) zps[qb_c0_], (int16) zps[qb_c1_], qb_up_);
  qb__dequant16_store((global const uchar*) x + b, y + b, s, z, u8);
}

/* Whether this work-item takes the 16-lane path. */
#define QB_CHANNELS16_OK(n) \
  (QB_VEC % 16 == 0 && channel_len >= 16 && get_global_id(0) * QB_VEC + QB_VEC <= (n))

#define QB_QUANTC_BODY(T, u8)                                                                    \
  if (n == 0) return;                                                                            \
  if (QB_CHANNELS16_OK(n)) {                                                                     \
    const ulong b0 = get_global_id(0) * QB_VEC;                                                  \
    if (tflite)                                                                                  \
      for (uint k = 0; k < QB_VEC; k += 16) {                                                    \
        QB_STREAM_PF(x + b0 + k);                                                                \
        qb__quantc16(n, x, y, b0 + k, scales, inv_scales, zps, channel_len, qmin, qmax, u8, 1);  \
      }                                                                                          \
    else                                                                                         \
      for (uint k = 0; k < QB_VEC; k += 16) {                                                    \
        QB_STREAM_PF(x + b0 + k);                                                                \
        qb__quantc16(n, x, y, b0 + k, scales, inv_scales, zps, channel_len, qmin, qmax, u8, 0);  \
      }                                                                                          \
  } else if (channel_len % QB_VEC == 0) {                                                        \
    const ulong c = min((ulong) get_global_id(0) * QB_VEC, (ulong) (n) -1) / channel_len;        \
    const float s = scales[c], is = inv_scales[c];                                               \
    const int z = zps[c];                                                                        \
    QB_SPAN_ROUNDING(i, n, t, tflite, y[i] = (T) qb__quant_one(x[i], s, is, z, qmin, qmax, t));  \
  } else if (channel_len >= QB_VEC) {                                                            \
    QB_CHANNEL_PAIR(n);                                                                          \
    const float s0 = scales[qb_c0_], s1 = scales[qb_c1_];                                        \
    const float is0 = inv_scales[qb_c0_], is1 = inv_scales[qb_c1_];                              \
    const int z0 = zps[qb_c0_], z1 = zps[qb_c1_];                                                \
    QB_SPAN_ROUNDING(i, n, t, tflite, {                                                          \
      const int up = i >= qb_next_;                                                              \
      y[i] = (T) qb__quant_one(x[i], up ? s1 : s0, up ? is1 : is0, up ? z1 : z0, qmin, qmax, t); \
    });                                                                                          \
  } else {                                                                                       \
    QB_SPAN_ROUNDING(i, n, t, tflite, {                                                          \
      const ulong c = i / channel_len;                                                           \
      y[i] = (T) qb__quant_one(x[i], scales[c], inv_scales[c], zps[c], qmin, qmax, t);           \
    });                                                                                          \
  }

#define QB_DEQUANTC_BODY(u8)                                                              \
  if (n == 0) return;                                                                     \
  if (QB_CHANNELS16_OK(n)) {                                                              \
    const ulong b0 = get_global_id(0) * QB_VEC;                                           \
    for (uint k = 0; k < QB_VEC; k += 16) {                                               \
      QB_STREAM_PF(x + b0 + k);                                                           \
      qb__dequantc16(n, x, y, b0 + k, scales, zps, channel_len, u8);                      \
    }                                                                                     \
  } else if (channel_len % QB_VEC == 0) {                                                 \
    const ulong c = min((ulong) get_global_id(0) * QB_VEC, (ulong) (n) -1) / channel_len; \
    const float s = scales[c];                                                            \
    const int z = zps[c];                                                                 \
    QB_SPAN(i, n, y[i] = qb__dequant_one(x[i], s, z));                                    \
  } else if (channel_len >= QB_VEC) {                                                     \
    QB_CHANNEL_PAIR(n);                                                                   \
    const float s0 = scales[qb_c0_], s1 = scales[qb_c1_];                                 \
    const int z0 = zps[qb_c0_], z1 = zps[qb_c1_];                                         \
    QB_SPAN(i, n, {                                                                       \
      const int up = i >= qb_next_;                                                       \
      y[i] = qb__dequant_one(x[i], up ? s1 : s0, up ? z1 : z0);                           \
    });                                                                                   \
  } else {                                                                                \
    QB_SPAN(i, n, {                                                                       \
      const ulong c = i / channel_len;                                                    \
      y[i] = qb__dequant_one(x[i], scales[c], zps[c]);                                    \
    });                                                                                   \
  }

kernel void qb_f32_qs8_quantc_ocl(ulong n, global const float* x, global char* y,
                                  QB_QUANTC_ARGS){QB_QUANTC_BODY(char, 0)}

kernel void qb_f32_qu8_quantc_ocl(ulong n, global const float* x, global uchar* y,
                                  QB_QUANTC_ARGS){QB_QUANTC_BODY(uchar, 1)}

kernel void qb_qs8_f32_dequantc_ocl(ulong n, global const char* x, global float* y,
                                    QB_QUANTC_ARGS){QB_DEQUANTC_BODY(0)}

kernel void qb_qu8_f32_dequantc_ocl(ulong n, global const uchar* x, global float* y, QB_QUANTC_ARGS) {
  QB_DEQUANTC_BODY(1)
}
/*
 * Block quantization: one work-item per block of 32. A block is 36 bytes (f32 scale d,
 * then 32 s8 codes), so d stays 4-byte aligned. As qb__block_quant_one: NaN counts as
 * 0 for the absmax and quantizes to 0; an inf gives d = inf and all-zero codes.
 */
#define QB_BLOCK_LEN 32
#define QB_BLOCK_BYTES 36

/* max |x[i]| over len elements, NaN skipped (the comparison is false for NaN); the
 * block quantizers here and in qblock.cl. */
float qb__absmax_skipnan(global const float* x, int len) {
  float amax = 0.0f;
  for (int i = 0; i < len; i++) {
    const float a = fabs(x[i]);
    amax = a > amax ? a : amax;
  }
  return amax;
}

/*
 * Whole-block helpers in OpenCL vector types. A loop over a block's elements with a
 * float max reduction stays scalar on PoCL (LLVM vectorizes a float min/max reduction
 * only without NaNs), and so did the code loop after it: the block quantizers ran at
 * 0.05-0.35 of the device's copy roof. Loaded as float16 (vload16: any alignment of the
 * element type), each block is a few vector instructions on a CPU device, and a GPU
 * splits the vectors into scalars per work-item as it would the loops.
 * |x| as bits with NaN as 0: an integer max of these is the f32 amax that skips NaN (the
 * comparison `a > amax` is false for NaN), inf included.
 */

uint16 qb__abs_bits16_skipnan(float16 v) {
  const uint16 a = as_uint16(v) & 0x7FFFFFFFu;
  return select(a, (uint16) 0u, a > 0x7F800000u);
}

/*
 * Across-lane reductions through bitcasts (each step views pairs of lanes as one of twice
 * the width), not through .lo/.hi or other swizzles: oclgrind 21.10 reports the results
 * of narrowing swizzles of loaded vectors as uninitialized, and the shifts and selects
 * cost PoCL as much as the shuffles. Vector min, max and clamp get vector operands only:
 * oclgrind 21.10 computes their vector-with-scalar forms wrongly.
 */
uint qb__hmax16(uint16 v) {
  const ulong8 a = as_ulong8(v);
  const uint8 b = convert_uint8(max(a & 0xFFFFFFFFul, a >> 32));
  const ulong4 c = as_ulong4(b);
  const uint4 d = convert_uint4(max(c & 0xFFFFFFFFul, c >> 32));
  const ulong2 e = as_ulong2(d);
  const uint2 f = convert_uint2(max(e & 0xFFFFFFFFul, e >> 32));
  const ulong g = as_ulong(f);
  return (uint) max(g & 0xFFFFFFFFul, g >> 32);
}

uint qb__hmin16(uint16 v) {
  const ulong8 a = as_ulong8(v);
  const uint8 b = convert_uint8(min(a & 0xFFFFFFFFul, a >> 32));
  const ulong4 c = as_ulong4(b);
  const uint4 d = convert_uint4(min(c & 0xFFFFFFFFul, c >> 32));
  const ulong2 e = as_ulong2(d);
  const uint2 f = convert_uint2(min(e & 0xFFFFFFFFul, e >> 32));
  const ulong g = as_ulong(f);
  return (uint) min(g & 0xFFFFFFFFul, g >> 32);
}

/* The smallest (`largest` 0) or the largest of 16 floats by comparisons (no NaN among
 * them), pairs of lanes as above. */
float qb__hminmax16f(float16 v, int largest) {
  const ulong8 a = as_ulong8(v);
  const float8 a0 = as_float8(convert_uint8(a & 0xFFFFFFFFul)), a1 = as_float8(convert_uint8(a >> 32));
  const float8 b = largest ? select(a0, a1, a1 > a0) : select(a0, a1, a1 < a0);
  const ulong4 c = as_ulong4(b);
  const float4 c0 = as_float4(convert_uint4(c & 0xFFFFFFFFul)), c1 = as_float4(convert_uint4(c >> 32));
  const float4 d = largest ? select(c0, c1, c1 > c0) : select(c0, c1, c1 < c0);
  const ulong2 e = as_ulong2(d);
  const float2 e0 = as_float2(convert_uint2(e & 0xFFFFFFFFul)), e1 = as_float2(convert_uint2(e >> 32));
  const float2 f = largest ? select(e0, e1, e1 > e0) : select(e0, e1, e1 < e0);
  const ulong g = as_ulong(f);
  const float g0 = as_float((uint) g), g1 = as_float((uint) (g >> 32));
  return largest ? (g1 > g0 ? g1 : g0) : (g1 < g0 ? g1 : g0);
}

/*
 * Sixteen blocks at a time. A block quantizer's steps after the loads form a chain per
 * block: its amax across lanes, one or two scalar divisions (correctly rounded: about 10
 * cycles each), the scale's conversion in scalar code, then its codes. PoCL 3.1 keeps
 * that chain in block order, so the blocks hardly overlap: the q8_0 quantizer computed
 * 9.3 GB/s on one Zen 4 core, 2.5x less than the same kernel with a constant amax.
 * QB_BLOCKS16 instead hands a work-item's blocks to `group` sixteen at a time (b16 the
 * first) when QB_VEC is a multiple of 16 and its span is whole: the kernel reduces the
 * sixteen amaxes into the lanes of one vector (qb__hmax16x16), computes the scales,
 * reciprocals and scale encodings as 16-lane vectors, then encodes each block with its
 * lane. Otherwise (a partial span, QB_VEC 1 on a GPU) `one` runs per block b, as QB_SPAN.
 */
#define QB_BLOCKS16(nb, b16, group, b, one) QB_SPAN16(nb, b16, group, b, one)

/* How far ahead (f32 elements) the sixteen-block quantizers prefetch in their second
 * pass (QB_PREFETCH): 8 KiB, what the per-128 FP8 and int4 quantizers' next sixteen
 * blocks were when they reached 0.9-0.98 of the copy roof on PoCL, where the 16- and
 * 32-element formats' next sixteen blocks (1-2 KiB) left NVFP4 and q4 per 32 at 0.6. */
#define QB_BLOCKS_AHEAD 2048

/* M(k, h) for the sixteen blocks of a group: k the block, h its lane as a hex digit
 * (for the vector component .s<h>). Kept out of clang-format, whose layout of this list
 * changed from one run to the next. */
/* clang-format off */
#define QB_REP16(M)                                                       \
  M(0, 0) M(1, 1) M(2, 2) M(3, 3) M(4, 4) M(5, 5) M(6, 6) M(7, 7)         \
  M(8, 8) M(9, 9) M(10, a) M(11, b) M(12, c) M(13, d) M(14, e) M(15, f)
/* clang-format on */

/* Lane i of the result: the larger of lanes 2i and 2i + 1 (bitcasts, as qb__hmax16). */
uint8 qb__pairmax16(uint16 v) {
  const ulong8 a = as_ulong8(v);
  return convert_uint8(max(a & 0xFFFFFFFFul, a >> 32));
}

/* Lane k of the result is the max over the lanes of mk: a transpose by halving (each
 * level joins two vectors' lane-pair maxima into one, so a block's partial maxima stay
 * in adjacent lanes): 15 joins for 16 blocks where qb__hmax16 per block took 64 steps. */
#ifdef __clang__
/*
 * Under clang (PoCL, oclgrind) the lane pairs are split by two shuffles with constant
 * masks instead: the even lanes of a then of b, and the odd ones (one vpermt2d each on
 * AVX-512), so a join is three operations where the bitcasts, narrowings and the
 * concatenation took nine (sixteen-block quantizers 1.1-1.3x on PoCL 3.1).
 * __builtin_shufflevector is clang's; other compilers keep the bitcast form.
 */
/* clang-format off */
#define QB_EVEN16(a, b) __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30)
#define QB_ODD16(a, b) __builtin_shufflevector(a, b, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31)
/* clang-format on */
#define QB_PM(a, b) max(QB_EVEN16(a, b), QB_ODD16(a, b))
#else
#define QB_PM(a, b) ((uint16) (qb__pairmax16(a), qb__pairmax16(b)))
#endif
#if defined(__clang__) && defined(__AVX2__) && !defined(__AVX512F__)
/*
 * On AVX2 a 16-lane vector is two 8-lane registers, and QB_EVEN16 / QB_ODD16 of two of
 * them cross both registers and their 128-bit halves (a vshufps and a vpermpd per
 * output register): ten operations a join, 150 for the tree. Here each block's two
 * halves are joined first (lane l with lane l + 8: one vpmaxud), then eight-lane joins
 * whose shuffles stay inside 128-bit halves (one vshufps each), the blocks' partial
 * maxima in an order that only the last level (two vperm2i128) puts in block order:
 * lane i of the low half of R_j holds block 4j + i's maximum over lanes 0-3 (mod 8),
 * of the high half over lanes 4-7. 16 + 24 + 12 + 6 = 58 operations; the same maxima.
 */
#define QB_J8(OP, a, b)                                        \
  OP(__builtin_shufflevector(a, b, 0, 2, 8, 10, 4, 6, 12, 14), \
     __builtin_shufflevector(a, b, 1, 3, 9, 11, 5, 7, 13, 15))
#define QB_JH(OP, a, b)                                       \
  OP(__builtin_shufflevector(a, b, 0, 1, 2, 3, 8, 9, 10, 11), \
     __builtin_shufflevector(a, b, 4, 5, 6, 7, 12, 13, 14, 15))
#define QB_TREE8(T8, T16, OP, m)                                                                           \
  const T8 p0 = QB_J8(OP, OP(m0.lo, m0.hi), OP(m1.lo, m1.hi)),                                             \
           p1 = QB_J8(OP, OP(m2.lo, m2.hi), OP(m3.lo, m3.hi));                                             \
  const T8 p2 = QB_J8(OP, OP(m4.lo, m4.hi), OP(m5.lo, m5.hi)),                                             \
           p3 = QB_J8(OP, OP(m6.lo, m6.hi), OP(m7.lo, m7.hi));                                             \
  const T8 p4 = QB_J8(OP, OP(m8.lo, m8.hi), OP(m9.lo, m9.hi)),                                             \
           p5 = QB_J8(OP, OP(m10.lo, m10.hi), OP(m11.lo, m11.hi));                                         \
  const T8 p6 = QB_J8(OP, OP(m12.lo, m12.hi), OP(m13.lo, m13.hi)),                                         \
           p7 = QB_J8(OP, OP(m14.lo, m14.hi), OP(m15.lo, m15.hi));                                         \
  const T8 r0 = QB_J8(OP, p0, p1), r1 = QB_J8(OP, p2, p3), r2 = QB_J8(OP, p4, p5), r3 = QB_J8(OP, p6, p7); \
  return (T16) (QB_JH(OP, r0, r1), QB_JH(OP, r2, r3))
#define QB_TREE8_MAX(a, b) max(a, b)
QB_ALWAYS_INLINE uint16 qb__hmax16x16(uint16 m0, uint16 m1, uint16 m2, uint16 m3, uint16 m4, uint16 m5,
                                      uint16 m6, uint16 m7, uint16 m8, uint16 m9, uint16 m10, uint16 m11,
                                      uint16 m12, uint16 m13, uint16 m14, uint16 m15) {
  QB_TREE8(uint8, uint16, QB_TREE8_MAX, m);
}
#else
uint16 qb__hmax16x16(uint16 m0, uint16 m1, uint16 m2, uint16 m3, uint16 m4, uint16 m5, uint16 m6, uint16 m7,
                     uint16 m8, uint16 m9, uint16 m10, uint16 m11, uint16 m12, uint16 m13, uint16 m14,
                     uint16 m15) {
  const uint16 a = QB_PM(QB_PM(QB_PM(m0, m1), QB_PM(m2, m3)), QB_PM(QB_PM(m4, m5), QB_PM(m6, m7)));
  const uint16 b = QB_PM(QB_PM(QB_PM(m8, m9), QB_PM(m10, m11)), QB_PM(QB_PM(m12, m13), QB_PM(m14, m15)));
  return QB_PM(a, b);
}
#endif
#define QB_HMAX16X16(m)                                                                                 \
  qb__hmax16x16(m##0, m##1, m##2, m##3, m##4, m##5, m##6, m##7, m##8, m##9, m##10, m##11, m##12, m##13, \
                m##14, m##15)

/*
 * round(v) to a code in [-lim, lim] (lim an integer <= 127), NaN -> 0, as the
 * references' round (ties to even when `away` is 0, away from zero else), NaN check
 * and float clamp. The clamp comes first (rounding is monotonic and the bounds are
 * integers, so rounding the clamped value gives the clamped code). Then one float
 * addition rounds: ties to even, c + 1.5 * 2^23 lies in [2^23, 2^24), where the
 * addition rounds to an integer whose bits, less those of 1.5 * 2^23, are the code;
 * ties away, c + copysign(0.5 - 2^-25, c) truncated (the sum rounds to the next
 * integer exactly when |c|'s fraction is at least 0.5). Both equal the references'
 * rounding on every f32 in [-127, 127] (checked exhaustively); 9 (6) vector
 * operations per 16 codes where the truncate-and-compare form took 17.
 */
int16 qb__round_clamp16(float16 v, float lim, int away) {
  float16 c = select(v, (float16) 0.0f, v != v); /* isnan: PoCL's takes 3 integer operations */
  c = clamp(c, (float16) -lim, (float16) lim);   /* vector bounds: see qb__hmax16 */
  if (away) return convert_int16(c + copysign((float16) 0x1.fffffep-2f, c));
  return as_int16(c + 0x1.8p23f) - 0x4B400000;
}

/* qb__rint for 16 lanes. */
float16 qb__rint16(float16 v) {
  const float16 t = copysign((float16) 0x1p23f, v);
  return select(v, (v + t) - t, fabs(v) < 0x1p23f);
}

/*
 * The signed 8-bit block formats, qb8 (below) and llama.cpp's q8_0 (qblock.cl): per
 * block of 32, amax (NaN skipped), d = amax / 127, id = 1 / d (0 when d is 0), the scale,
 * then the codes round(x * id) clamped to +-127 (NaN -> 0). qb8 (`f16` 0,
 * qb__block_quant_one): d as f32 in 4 bytes, ties to even; q8_0 (`f16` 1,
 * qb__q8_0_block): d's f16 bits in 2 bytes (id still from the f32 d), ties away. One
 * block at xb, yb, or sixteen at xg, yg with their scales in lanes (QB_BLOCKS16); `f16`
 * is a constant at every call, so each kernel keeps only its own steps.
 */
QB_ALWAYS_INLINE void qb__s8_quant1(global const float* xb, global uchar* yb, const int f16) {
  const float16 v0 = QB_LOAD(float16, xb), v1 = QB_LOAD(float16, xb + 16);
  const float amax = as_float(qb__hmax16(max(qb__abs_bits16_skipnan(v0), qb__abs_bits16_skipnan(v1))));
  const float d = qb__div(amax, 127.0f);
  const float id = d != 0.0f ? qb__div(1.0f, d) : 0.0f;
  if (f16)
    QB_STORE(ushort, yb, qb__f32_to_f16_bits(as_uint(d)));
  else
    QB_STORE(uint, yb, as_uint(d));
  const int sb = f16 ? 2 : 4;
  QB_STORE(uchar16, yb + sb, as_uchar16(convert_char16(qb__round_clamp16(v0 * id, 127.0f, f16))));
  QB_STORE(uchar16, yb + sb + 16, as_uchar16(convert_char16(qb__round_clamp16(v1 * id, 127.0f, f16))));
}

#define QB_S8_AMAX(k, h)                                                         \
  const uint16 m##k = max(qb__abs_bits16_skipnan(QB_LOAD(float16, xg + 32 * k)), \
                          qb__abs_bits16_skipnan(QB_LOAD(float16, xg + 32 * k + 16)));
#define QB_S8_CODES(k, h)                                                                                   \
  {                                                                                                         \
    global uchar* yb = yg + (32 + sb) * k;                                                                  \
    QB_PREFETCH(xg + QB_BLOCKS_AHEAD + 32 * k);                                                             \
    QB_PREFETCH(xg + QB_BLOCKS_AHEAD + 32 * k + 16);                                                        \
    if (f16)                                                                                                \
      QB_STORE(ushort, yb, (ushort) s.s##h);                                                                \
    else                                                                                                    \
      QB_STORE(uint, yb, s.s##h);                                                                           \
    QB_STORE(uchar16, yb + sb,                                                                              \
             as_uchar16(                                                                                    \
                 convert_char16(qb__round_clamp16(QB_LOAD(float16, xg + 32 * k) * id.s##h, 127.0f, f16)))); \
    QB_STORE(uchar16, yb + sb + 16,                                                                         \
             as_uchar16(convert_char16(                                                                     \
                 qb__round_clamp16(QB_LOAD(float16, xg + 32 * k + 16) * id.s##h, 127.0f, f16))));           \
  }
QB_ALWAYS_INLINE void qb__s8_quant16(global const float* xg, global uchar* yg, const int f16) {
  QB_REP16(QB_S8_AMAX)
  const float16 d = qb__div16v(as_float16(QB_HMAX16X16(m)), (float16) 127.0f);
  const float16 id = select(qb__div16v((float16) 1.0f, d), (float16) 0.0f, d == 0.0f);
  const uint16 s = f16 ? qb__f32_to_f16_bits16(as_uint16(d)) : as_uint16(d);
  const int sb = f16 ? 2 : 4;
  QB_REP16(QB_S8_CODES)
}

kernel void qb_f32_qb8_quant_ocl(ulong n, global const float* x, global uchar* y) {
  QB_BLOCKS16(n / QB_BLOCK_LEN, b16, qb__s8_quant16(x + b16 * QB_BLOCK_LEN, y + b16 * QB_BLOCK_BYTES, 0), b,
              qb__s8_quant1(x + b * QB_BLOCK_LEN, y + b * QB_BLOCK_BYTES, 0));
}

kernel void qb_qb8_f32_dequant_ocl(ulong n, global const uchar* x, global float* y) {
  QB_SPAN(b, n / QB_BLOCK_LEN, {
    global const uchar* xb = x + b * QB_BLOCK_BYTES;
    const float d = as_float(QB_LOAD(uint, xb));
    for (int h = 0; h < 2; h++) {
      const char16 c = as_char16(QB_LOAD(uchar16, xb + 4 + 16 * h));
      QB_STORE(float16, y + b * QB_BLOCK_LEN + 16 * h, d * convert_float16(c));
    }
  });
}
