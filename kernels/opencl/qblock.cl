/*
 * llama.cpp's q8_0 and q4_0 (kernels/quant/qblock-scalar.h) and the int4 groups of
 * GPTQ/AWQ checkpoints (kernels/quant/int4g-scalar.h): quantize, dequantize and their
 * dots. Bit-exact with the references: the same float operations in the same order
 * (FP_CONTRACT is off), the divisions through qb__div (correctly rounded: the quantizers
 * need DIV), f16 scales through cvt.cl's integer conversions, NaN and clamps as selects
 * before any float -> integer conversion. One work-item handles QB_VEC blocks (QB_SPAN,
 * as qb8 in quant.cl). Blocks are byte arrays: q8_0 is 34 bytes, q4_0 18, the int4
 * groups 3 + G/2 (2 + G/2 symmetric), so their f16 scales are read as two bytes.
 */

#define QB_Q8_0_BYTES 34
#define QB_Q4_0_BYTES 18

/* The f16 scale stored little-endian at p, widened to f32 exactly. */
float qb__f16_at(global const uchar* p) {
  return as_float(qb__f16_to_f32_bits((ushort) (p[0] | p[1] << 8)));
}

/* Stores the f16 bits of s at p and returns the stored value widened back. */
float qb__store_f16(float s, global uchar* p) {
  const ushort h = qb__f32_to_f16_bits(as_uint(s));
  p[0] = (uchar) h;
  p[1] = (uchar) (h >> 8);
  return as_float(qb__f16_to_f32_bits(h));
}

/* As qb__q8_0_block: amax (NaN skipped), d = amax / 127 stored as f16, codes
 * round_away(x * id) with id = 1 / d of the f32 d, NaN -> 0, clamped to +-127. */
kernel void qb_f32_q8_0_quant_ocl(ulong n, global const float* x, global uchar* y) {
  QB_SPAN(b, n / QB_BLOCK_LEN, {
    global const float* xb = x + b * QB_BLOCK_LEN;
    global uchar* yb = y + b * QB_Q8_0_BYTES;
    const float amax = qb__absmax_skipnan(xb, QB_BLOCK_LEN);
    const float d = qb__div(amax, 127.0f);
    const float id = d != 0.0f ? qb__div(1.0f, d) : 0.0f;
    (void) qb__store_f16(d, yb);
    for (int i = 0; i < QB_BLOCK_LEN; i++) {
      float r = qb__round_away(xb[i] * id);
      r = isnan(r) ? 0.0f : r;
      r = r < -127.0f ? -127.0f : r;
      r = r > 127.0f ? 127.0f : r;
      yb[2 + i] = (uchar) (char) r;
    }
  });
}

kernel void qb_q8_0_f32_dequant_ocl(ulong n, global const uchar* x, global float* y) {
  QB_SPAN(b, n / QB_BLOCK_LEN, {
    global const uchar* xb = x + b * QB_Q8_0_BYTES;
    const float d = qb__f16_at(xb);
    for (int i = 0; i < QB_BLOCK_LEN; i++) y[b * QB_BLOCK_LEN + i] = convert_float((char) xb[2 + i]) * d;
  });
}

/* As qb__q4_0_code: min(15, trunc(v * id + 8.5f)), NaN -> 8, a negative sum -> 0; the
 * sum is clamped before the conversion so no lane converts NaN or a large value. */
uint qb__q4_0_code(float v, float id) {
  const float t = v * id + 8.5f;
  const float tc = t >= 15.0f ? 15.0f : t >= 0.0f ? t : 0.0f;
  return isnan(t) ? 8u : convert_uint(tc);
}

/* As qb__q4_0_block: m = the first element of largest |x| (NaN skipped), d = m / -8
 * stored as f16, id = 1 / d of the f32 d; byte j holds element j (low nibble) and
 * j + 16 (high). */
kernel void qb_f32_q4_0_quant_ocl(ulong n, global const float* x, global uchar* y) {
  QB_SPAN(b, n / QB_BLOCK_LEN, {
    global const float* xb = x + b * QB_BLOCK_LEN;
    global uchar* yb = y + b * QB_Q4_0_BYTES;
    float amax = 0.0f, m = 0.0f;
    for (int i = 0; i < QB_BLOCK_LEN; i++) {
      const float a = fabs(xb[i]);
      const int up = amax < a;
      m = up ? xb[i] : m;
      amax = up ? a : amax;
    }
    const float d = qb__div(m, -8.0f);
    const float id = d != 0.0f ? qb__div(1.0f, d) : 0.0f;
    (void) qb__store_f16(d, yb);
    for (int j = 0; j < QB_BLOCK_LEN / 2; j++) {
      yb[2 + j] = (uchar) (qb__q4_0_code(xb[j], id) | qb__q4_0_code(xb[j + QB_BLOCK_LEN / 2], id) << 4);
    }
  });
}

kernel void qb_q4_0_f32_dequant_ocl(ulong n, global const uchar* x, global float* y) {
  QB_SPAN(b, n / QB_BLOCK_LEN, {
    global const uchar* xb = x + b * QB_Q4_0_BYTES;
    const float d = qb__f16_at(xb);
    for (int j = 0; j < QB_BLOCK_LEN / 2; j++) {
      const uchar q = xb[2 + j];
      y[b * QB_BLOCK_LEN + j] = convert_float((int) (q & 15u) - 8) * d;
      y[b * QB_BLOCK_LEN + j + QB_BLOCK_LEN / 2] = convert_float((int) (q >> 4) - 8) * d;
    }
  });
}

/* Per block an exact int sum, then the block's term as ggml forms it: q8_0 . q8_0
 * isum * (da * db), q4_0 . q8_0 isum * da * db; only the order of the block sums
 * differs from the reference (QB_SEM_REASSOC). */
kernel void qb_q8_0_dot_ocl(ulong n, global const uchar* a, global const uchar* b, global float* partial,
                            local float* s) {
  float acc = 0.0f;
  QB_STRIDE(k, n / QB_BLOCK_LEN) {
    global const uchar* ab = a + k * QB_Q8_0_BYTES;
    global const uchar* bb = b + k * QB_Q8_0_BYTES;
    int isum = 0;
    for (int i = 0; i < QB_BLOCK_LEN; i++) isum += (int) (char) ab[2 + i] * (int) (char) bb[2 + i];
    acc += convert_float(isum) * (qb__f16_at(ab) * qb__f16_at(bb));
  }
  QB_PARTIAL_F32(acc, partial, s);
}

kernel void qb_q4_0q8_0_dot_ocl(ulong n, global const uchar* a, global const uchar* b, global float* partial,
                                local float* s) {
  float acc = 0.0f;
  QB_STRIDE(k, n / QB_BLOCK_LEN) {
    global const uchar* ab = a + k * QB_Q4_0_BYTES;
    global const uchar* bb = b + k * QB_Q8_0_BYTES;
    int isum = 0;
    for (int j = 0; j < QB_BLOCK_LEN / 2; j++) {
      isum += ((int) (ab[2 + j] & 15u) - 8) * (int) (char) bb[2 + j];
      isum += ((int) (ab[2 + j] >> 4) - 8) * (int) (char) bb[2 + j + QB_BLOCK_LEN / 2];
    }
    acc += convert_float(isum) * qb__f16_at(ab) * qb__f16_at(bb);
  }
  QB_PARTIAL_F32(acc, partial, s);
}

/* ---- int4 groups ------------------------------------------------------------------------ */

/* Rounds to nearest, ties to even, as qb__round_even (quant-scalar.h); qb__rint
 * (quant.cl) differs from it only in the sign of a zero result, which the integer
 * codes built from it drop. */

/* As qb__int4g_quant_group: lo = min(min x, 0), hi = max(max x, 0) (NaN skipped), both 0
 * -> -1, 1; s = (hi - lo) / 15 stored as f16 and read back; z = clamp(rint(-lo / s), 0,
 * 15); code = clamp(rint(x / s) + z, 0, 15), NaN -> z; s == 0 -> z = 0 and codes 0. */
#define QB_INT4G_QUANT_KERNEL(name, G)                                       \
  kernel void name(ulong n, global const float* x, global uchar* y) {        \
    QB_SPAN(b, n / (G), {                                                    \
      global const float* xb = x + b * (G);                                  \
      global uchar* yb = y + b * (3 + (G) / 2);                              \
      float lo = 0.0f, hi = 0.0f;                                            \
      for (int i = 0; i < (G); i++) {                                        \
        lo = xb[i] < lo ? xb[i] : lo;                                        \
        hi = xb[i] > hi ? xb[i] : hi;                                        \
      }                                                                      \
      const int flat = lo == 0.0f && hi == 0.0f;                             \
      lo = flat ? -1.0f : lo;                                                \
      hi = flat ? 1.0f : hi;                                                 \
      const float sc = qb__store_f16(qb__div(hi - lo, 15.0f), yb);           \
      const int zero = sc == 0.0f;                                           \
      const float ds = zero ? 1.0f : sc;                                     \
      float zf = zero ? 0.0f : qb__rint(qb__div(-lo, ds));                   \
      zf = isnan(zf) ? 0.0f : zf;                                            \
      zf = zf < 0.0f ? 0.0f : zf > 15.0f ? 15.0f : zf;                       \
      yb[2] = (uchar) convert_uint(zf);                                      \
      for (int j = 0; j < (G) / 2; j++) {                                    \
        uint c[2];                                                           \
        for (int k = 0; k < 2; k++) {                                        \
          float q = zero ? 0.0f : qb__rint(qb__div(xb[2 * j + k], ds)) + zf; \
          q = isnan(q) ? zf : q;                                             \
          q = q < 0.0f ? 0.0f : q > 15.0f ? 15.0f : q;                       \
          c[k] = convert_uint(q);                                            \
        }                                                                    \
        yb[3 + j] = (uchar) (c[0] | c[1] << 4);                              \
      }                                                                      \
    });                                                                      \
  }

/* As qb__int4g_quant_group_sym: s = absmax / 7 stored as f16 and read back; code =
 * clamp(rint(x / s), -8, 7) as a two's-complement nibble; s == 0 or NaN -> 0. */
kernel void qb_f32_qs4g128_quant_ocl(ulong n, global const float* x, global uchar* y) {
  QB_SPAN(b, n / 128, {
    global const float* xb = x + b * 128;
    global uchar* yb = y + b * 66;
    const float amax = qb__absmax_skipnan(xb, 128);
    const float sc = qb__store_f16(qb__div(amax, 7.0f), yb);
    const int zero = sc == 0.0f;
    const float ds = zero ? 1.0f : sc;
    for (int j = 0; j < 64; j++) {
      uint c[2];
      for (int k = 0; k < 2; k++) {
        float q = zero ? 0.0f : qb__rint(qb__div(xb[2 * j + k], ds));
        q = isnan(q) ? 0.0f : q;
        q = q < -8.0f ? -8.0f : q > 7.0f ? 7.0f : q;
        c[k] = (uint) convert_int(q) & 15u;
      }
      yb[2 + j] = (uchar) (c[0] | c[1] << 4);
    }
  });
}

/* value = (code - z) * s, the subtraction exact in int. */
#define QB_INT4G_DEQUANT_KERNEL(name, G)                                \
  kernel void name(ulong n, global const uchar* x, global float* y) {   \
    QB_SPAN(b, n / (G), {                                               \
      global const uchar* xb = x + b * (3 + (G) / 2);                   \
      const float s = qb__f16_at(xb);                                   \
      const int z = xb[2];                                              \
      for (int j = 0; j < (G) / 2; j++) {                               \
        const uchar q = xb[3 + j];                                      \
        y[b * (G) + 2 * j] = convert_float((int) (q & 15u) - z) * s;    \
        y[b * (G) + 2 * j + 1] = convert_float((int) (q >> 4) - z) * s; \
      }                                                                 \
    });                                                                 \
  }

/* A nibble as a signed code (two's complement). */
int qb__s4(uint nib) {
  return (int) (nib ^ 8u) - 8;
}

kernel void qb_qs4g128_f32_dequant_ocl(ulong n, global const uchar* x, global float* y) {
  QB_SPAN(b, n / 128, {
    global const uchar* xb = x + b * 66;
    const float s = qb__f16_at(xb);
    for (int j = 0; j < 64; j++) {
      const uchar q = xb[2 + j];
      y[b * 128 + 2 * j] = convert_float(qb__s4(q & 15u)) * s;
      y[b * 128 + 2 * j + 1] = convert_float(qb__s4(q >> 4)) * s;
    }
  });
}

/* int4 weights . s8 activations: per group an exact int sum of (code - z) * a, then
 * acc += isum * s; only the order of the group sums differs (QB_SEM_REASSOC). */
#define QB_INT4G_DOT_KERNEL(name, G)                                                              \
  kernel void name(ulong n, global const uchar* w, global const char* act, global float* partial, \
                   local float* s) {                                                              \
    float acc = 0.0f;                                                                             \
    QB_STRIDE(k, n / (G)) {                                                                       \
      global const uchar* wb = w + k * (3 + (G) / 2);                                             \
      global const char* a = act + k * (G);                                                       \
      const int z = wb[2];                                                                        \
      int isum = 0;                                                                               \
      for (int j = 0; j < (G) / 2; j++) {                                                         \
        isum += ((int) (wb[3 + j] & 15u) - z) * (int) a[2 * j];                                   \
        isum += ((int) (wb[3 + j] >> 4) - z) * (int) a[2 * j + 1];                                \
      }                                                                                           \
      acc += convert_float(isum) * qb__f16_at(wb);                                                \
    }                                                                                             \
    QB_PARTIAL_F32(acc, partial, s);                                                              \
  }

QB_INT4G_QUANT_KERNEL(qb_f32_qu4g32_quant_ocl, 32)
QB_INT4G_QUANT_KERNEL(qb_f32_qu4g64_quant_ocl, 64)
QB_INT4G_QUANT_KERNEL(qb_f32_qu4g128_quant_ocl, 128)
QB_INT4G_DEQUANT_KERNEL(qb_qu4g32_f32_dequant_ocl, 32)
QB_INT4G_DEQUANT_KERNEL(qb_qu4g64_f32_dequant_ocl, 64)
QB_INT4G_DEQUANT_KERNEL(qb_qu4g128_f32_dequant_ocl, 128)
QB_INT4G_DOT_KERNEL(qb_qu4g32s8_dot_ocl, 32)
QB_INT4G_DOT_KERNEL(qb_qu4g64s8_dot_ocl, 64)
QB_INT4G_DOT_KERNEL(qb_qu4g128s8_dot_ocl, 128)

kernel void qb_qs4g128s8_dot_ocl(ulong n, global const uchar* w, global const char* act,
                                 global float* partial, local float* s) {
  float acc = 0.0f;
  QB_STRIDE(k, n / 128) {
    global const uchar* wb = w + k * 66;
    global const char* a = act + k * 128;
    int isum = 0;
    for (int j = 0; j < 64; j++) {
      isum += qb__s4(wb[2 + j] & 15u) * (int) a[2 * j];
      isum += qb__s4(wb[2 + j] >> 4) * (int) a[2 * j + 1];
    }
    acc += convert_float(isum) * qb__f16_at(wb);
  }
  QB_PARTIAL_F32(acc, partial, s);
}
