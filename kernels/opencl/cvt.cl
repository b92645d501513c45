/*
 * Casts. The `ocl` variants work on the bits in integer arithmetic, so they are
 * bit-exact with kernels/common/fp.h on every device, whatever it does with subnormals
 * and NaN payloads. `ocl_vhalf` uses OpenCL 1.2's vload_half/vstore_half_rte (NaN
 * payloads are the implementation's); `ocl_half` uses the half type (cl_khr_fp16).
 */

/* 1:1 port of qb__round_to_small (kernels/common/fp.h): a finite, non-negative f32
 * (bits) rounded to a format with mbits mantissa bits and bias, ties to even. */
uint qb__round_to_small(uint mag, int mbits, int bias) {
  const int e = (int) (mag >> 23);
  const uint m = mag & 0x7FFFFFu;
  uint q, rem, halfway;
  int shift;
  if (e - 127 + bias >= 1) {
    shift = 23 - mbits;
    q = ((uint) (e - 127 + bias) << mbits) | (m >> shift);
    rem = m & ((1u << shift) - 1u);
  } else {
    const uint full = e == 0 ? m : (m | 0x800000u);
    const int e_eff = e == 0 ? 1 : e;
    shift = 151 - bias - mbits - e_eff;
    if (shift > 24) {
      return 0;
    }
    q = full >> shift;
    rem = full & ((1u << shift) - 1u);
  }
  halfway = 1u << (shift - 1);
  if (rem > halfway || (rem == halfway && (q & 1u))) {
    q += 1;
  }
  return q;
}

/* A finite small-format code (no sign) as f32 bits; subnormals normalized. */
uint qb__small_to_f32(uint e, uint m, int mbits, int bias) {
  if (e == 0) {
    if (m == 0) {
      return 0;
    }
    /* The implicit bit lands at position mbits after (mbits + 1 - bit length) shifts. */
    const int lz = (int) clz(m) - (31 - mbits);
    m = (m << lz) & ((1u << mbits) - 1u);
    return ((uint) (1 - lz - bias + 127) << 23) | (m << (23 - mbits));
  }
  return ((uint) ((int) e - bias + 127) << 23) | (m << (23 - mbits));
}

ushort qb__f32_to_f16_bits(uint w) {
  const uint sign = (w >> 16) & 0x8000u;
  const uint mag = w & 0x7FFFFFFFu;
  if (mag > 0x7F800000u) {
    return (ushort) (sign | 0x7E00u | ((mag >> 13) & 0x3FFu));
  }
  if (mag >= 0x477FF000u) {
    return (ushort) (sign | 0x7C00u);
  }
  return (ushort) (sign | qb__round_to_small(mag, 10, 15));
}

uint qb__f16_to_f32_bits(ushort h) {
  const uint sign = (uint) (h & 0x8000u) << 16;
  const uint e = (h >> 10) & 0x1Fu;
  const uint m = h & 0x3FFu;
  if (e == 0x1F) {
    return sign | 0x7F800000u | (m << 13) | (m ? 0x400000u : 0u);
  }
  return sign | qb__small_to_f32(e, m, 10, 15);
}

/* RNE in integers: adding 0x7FFF plus the kept lsb rounds half to even. */
ushort qb__f32_to_bf16_bits(uint w) {
  if ((w & 0x7FFFFFFFu) > 0x7F800000u) {
    return (ushort) ((w >> 16) | 0x0040u);
  }
  return (ushort) ((w + 0x7FFFu + ((w >> 16) & 1u)) >> 16);
}

uchar qb__f32_to_f8e4m3_bits(uint w, int saturate) {
  const uint sign = (w >> 24) & 0x80u;
  const uint mag = w & 0x7FFFFFFFu;
  uint q;
  if (mag > 0x7F800000u) {
    return (uchar) (sign | 0x7Fu);
  }
  q = mag == 0x7F800000u ? 0x7Fu : qb__round_to_small(mag, 3, 7);
  if (q > 0x7Eu) {
    q = saturate ? 0x7Eu : 0x7Fu;
  }
  return (uchar) (sign | q);
}

uint qb__f8e4m3_to_f32_bits(uchar b) {
  const uint sign = (uint) (b & 0x80u) << 24;
  if ((b & 0x7Fu) == 0x7Fu) {
    return sign | 0x7FC00000u;
  }
  return sign | qb__small_to_f32((b >> 3) & 0xFu, b & 0x7u, 3, 7);
}

uchar qb__f32_to_f8e5m2_bits(uint w) {
  const uint sign = (w >> 24) & 0x80u;
  const uint mag = w & 0x7FFFFFFFu;
  uint q;
  if (mag > 0x7F800000u) {
    return (uchar) (sign | 0x7Eu);
  }
  q = mag == 0x7F800000u ? 0x7Cu : qb__round_to_small(mag, 2, 15);
  if (q > 0x7Bu) {
    q = 0x7Cu;
  }
  return (uchar) (sign | q);
}

uint qb__f8e5m2_to_f32_bits(uchar b) {
  const uint sign = (uint) (b & 0x80u) << 24;
  const uint e = (b >> 2) & 0x1Fu;
  const uint m = b & 0x3u;
  if (e == 0x1F) {
    return sign | 0x7F800000u | (m << 21) | (m ? 0x400000u : 0u);
  }
  return sign | qb__small_to_f32(e, m, 2, 15);
}

/*
 * f64 -> f32 as C's (float) cast on x86 does it: RNE, subnormals kept, overflow to
 * inf, NaN quieted with the top payload bits. Integer arithmetic, so it needs no fp64.
 * Steps:
 * 1. NaN and inf; exponents beyond f32's range overflow; below it, results are 0.
 * 2. Build a 25-bit significand (implicit bit, 23 kept bits, one guard bit) and a
 *    sticky flag for everything below, shifting further for f32 subnormals.
 * 3. Round half to even; a carry out of the mantissa bumps the exponent correctly.
 */
uint qb__f64_to_f32_bits(ulong w) {
  const uint sign = (uint) (w >> 32) & 0x80000000u;
  const ulong mag = w & 0x7FFFFFFFFFFFFFFFul;
  const int e = (int) (mag >> 52);
  const ulong m = mag & 0xFFFFFFFFFFFFFul;
  if (e == 0x7FF) {
    return sign | 0x7F800000u | (m ? 0x400000u | (uint) (m >> 29) : 0u);
  }
  const int ef = e - 1023 + 127; /* the f32 biased exponent, before rounding */
  if (ef >= 0xFF) {
    return sign | 0x7F800000u;
  }
  if (e == 0 || ef < -24) {
    return sign; /* below half the smallest f32 subnormal (f64 subnormals included) */
  }
  const ulong full = m | 0x10000000000000ul; /* 53 bits */
  /* Normal: keep 24 bits (shift 29); subnormal (ef <= 0): shift 1 - ef more. */
  const int shift = ef >= 1 ? 29 : 29 + 1 - ef;
  ulong q = full >> shift;
  const ulong rem = full & ((1ul << shift) - 1ul);
  const ulong halfway = 1ul << (shift - 1);
  if (rem > halfway || (rem == halfway && (q & 1ul))) {
    q += 1;
  }
  /* q holds the implicit bit for normals; adding the exponent field lets a carry flow. */
  const uint biased = ef >= 1 ? (uint) (ef - 1) << 23 : 0u;
  return sign | (biased + (uint) q);
}

/* f32 -> f64, exact; a signaling NaN is quieted, payload kept (x86's cvtss2sd). */
ulong qb__f32_to_f64_bits(uint w) {
  const ulong sign = (ulong) (w & 0x80000000u) << 32;
  const uint e = (w >> 23) & 0xFFu;
  uint m = w & 0x7FFFFFu;
  if (e == 0xFF) {
    return sign | 0x7FF0000000000000ul | ((ulong) m << 29) | (m ? 0x8000000000000ul : 0ul);
  }
  if (e == 0) {
    if (m == 0) {
      return sign;
    }
    const int lz = (int) clz(m) - 8; /* shifts until bit 23 (the implicit bit) is set */
    m = (m << lz) & 0x7FFFFFu;
    return sign | ((ulong) (1 - lz - 127 + 1023) << 52) | ((ulong) m << 29);
  }
  return sign | ((ulong) (e - 127 + 1023) << 52) | ((ulong) m << 29);
}

kernel void qb_f64_f32_cvt_ocl(ulong n, global const ulong* x, global uint* y) {
  QB_EACH(i, n) { y[i] = qb__f64_to_f32_bits(x[i]); }
}

kernel void qb_f32_f64_cvt_ocl(ulong n, global const uint* x, global ulong* y) {
  QB_EACH(i, n) { y[i] = qb__f32_to_f64_bits(x[i]); }
}

kernel void qb_f32_f16_cvt_ocl(ulong n, global const uint* x, global ushort* y) {
  QB_EACH(i, n) { y[i] = qb__f32_to_f16_bits(x[i]); }
}

kernel void qb_f16_f32_cvt_ocl(ulong n, global const ushort* x, global uint* y) {
  QB_EACH(i, n) { y[i] = qb__f16_to_f32_bits(x[i]); }
}

/* OpenCL 1.2 core: vstore_half_rte rounds to nearest even, whatever the device's
 * default rounding; NaN payloads are the implementation's. */
kernel void qb_f32_f16_cvt_ocl_vhalf(ulong n, global const float* x, global half* y) {
  QB_EACH(i, n) { vstore_half_rte(x[i], i, y); }
}

kernel void qb_f16_f32_cvt_ocl_vhalf(ulong n, global const half* x, global float* y) {
  QB_EACH(i, n) { y[i] = vload_half(i, x); }
}

#if QB_HAVE_FP16
#pragma OPENCL EXTENSION cl_khr_fp16 : enable
kernel void qb_f32_f16_cvt_ocl_half(ulong n, global const float* x, global half* y) {
  QB_EACH(i, n) { y[i] = convert_half_rte(x[i]); }
}

kernel void qb_f16_f32_cvt_ocl_half(ulong n, global const half* x, global float* y) {
  QB_EACH(i, n) { y[i] = convert_float(x[i]); }
}
#endif

kernel void qb_f32_bf16_cvt_ocl(ulong n, global const uint* x, global ushort* y) {
  QB_EACH(i, n) { y[i] = qb__f32_to_bf16_bits(x[i]); }
}

kernel void qb_bf16_f32_cvt_ocl(ulong n, global const ushort* x, global uint* y) {
  QB_EACH(i, n) { y[i] = (uint) x[i] << 16; }
}

kernel void qb_f32_f8e4m3_cvt_ocl(ulong n, global const uint* x, global uchar* y) {
  QB_EACH(i, n) { y[i] = qb__f32_to_f8e4m3_bits(x[i], 0); }
}

kernel void qb_f32_f8e4m3_cvtsat_ocl(ulong n, global const uint* x, global uchar* y) {
  QB_EACH(i, n) { y[i] = qb__f32_to_f8e4m3_bits(x[i], 1); }
}

kernel void qb_f8e4m3_f32_cvt_ocl(ulong n, global const uchar* x, global uint* y) {
  QB_EACH(i, n) { y[i] = qb__f8e4m3_to_f32_bits(x[i]); }
}

kernel void qb_f32_f8e5m2_cvt_ocl(ulong n, global const uint* x, global uchar* y) {
  QB_EACH(i, n) { y[i] = qb__f32_to_f8e5m2_bits(x[i]); }
}

kernel void qb_f8e5m2_f32_cvt_ocl(ulong n, global const uchar* x, global uint* y) {
  QB_EACH(i, n) { y[i] = qb__f8e5m2_to_f32_bits(x[i]); }
}
