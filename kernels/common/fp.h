/*
 * Scalar bit-level conversions between f32 and the small float formats. These are
 * the semantics of qbench's scalar references (kernels/README.md "Semantics"):
 * round to nearest, ties to even; subnormals kept; NaN stays NaN.
 * The tests check them against an independent formulation in double arithmetic.
 */
#ifndef QB_COMMON_FP_H
#define QB_COMMON_FP_H

#include <stdint.h>
#include <string.h>

static inline uint32_t qb_f32_to_bits(float f) {
  uint32_t w;
  memcpy(&w, &f, sizeof w);
  return w;
}

static inline float qb_f32_from_bits(uint32_t w) {
  float f;
  memcpy(&f, &w, sizeof f);
  return f;
}

static inline uint64_t qb_f64_to_bits(double d) {
  uint64_t w;
  memcpy(&w, &d, sizeof w);
  return w;
}

static inline double qb_f64_from_bits(uint64_t w) {
  double d;
  memcpy(&d, &w, sizeof d);
  return d;
}

/*
 * Rounds a finite, non-negative f32 (given as its bits) to a small binary format with
 * `mbits` mantissa bits and exponent bias `bias`, ties to even. Returns the format's
 * code without sign: (biased exponent << mbits) | mantissa. A result above the
 * format's largest finite code means overflow; the caller decides what that gives.
 */
static inline uint32_t qb__round_to_small(uint32_t abs, int mbits, int bias) {
  const int e = (int) (abs >> 23);
  const uint32_t m = abs & 0x7FFFFFu;
  uint32_t q, rem, half;
  int shift;
  if (e - 127 + bias >= 1) {
    /* 1. Normal in the target: keep the top mbits of the mantissa. */
    shift = 23 - mbits;
    q = ((uint32_t) (e - 127 + bias) << mbits) | (m >> shift);
    rem = m & ((1u << shift) - 1u);
  } else {
    /* 2. Subnormal in the target: value = full * 2^(e - 150) (f32 subnormals have
     *    e == 0 and no implicit bit), unit = 2^(1 - bias - mbits). */
    const uint32_t full = e == 0 ? m : (m | 0x800000u);
    const int e_eff = e == 0 ? 1 : e;
    shift = 151 - bias - mbits - e_eff;
    if (shift > 24) {
      return 0; /* below half the smallest subnormal */
    }
    q = full >> shift;
    rem = full & ((1u << shift) - 1u);
  }
  /* 3. Round half to even; a carry out of the mantissa correctly bumps the exponent. */
  half = 1u << (shift - 1);
  if (rem > half || (rem == half && (q & 1u))) {
    q += 1;
  }
  return q;
}

/* Expands a small-format code (exponent e, mantissa m, no sign) that is finite. */
static inline uint32_t qb__small_to_f32(uint32_t e, uint32_t m, int mbits, int bias) {
  if (e == 0) {
    int ee = 1;
    if (m == 0) {
      return 0;
    }
    /* Normalize the subnormal: shift until the implicit bit appears. */
    while (!(m & (1u << mbits))) {
      m <<= 1;
      ee -= 1;
    }
    m &= (1u << mbits) - 1u;
    return ((uint32_t) (ee - bias + 127) << 23) | (m << (23 - mbits));
  }
  return ((uint32_t) ((int) e - bias + 127) << 23) | (m << (23 - mbits));
}

/* f32 -> f16: RNE, overflow to inf, NaN keeps its top payload bits and is quieted. */
static inline uint16_t qb_f32_to_f16_bits(uint32_t w) {
  const uint32_t sign = (w >> 16) & 0x8000u;
  const uint32_t abs = w & 0x7FFFFFFFu;
  if (abs > 0x7F800000u) {
    return (uint16_t) (sign | 0x7E00u | ((abs >> 13) & 0x3FFu));
  }
  if (abs >= 0x477FF000u) { /* >= 65520 = 65504 + half an ulp: rounds to inf */
    return (uint16_t) (sign | 0x7C00u);
  }
  return (uint16_t) (sign | qb__round_to_small(abs, 10, 15));
}

/* f16 -> f32: exact; a signaling NaN is quieted, payload kept. */
static inline uint32_t qb_f16_to_f32_bits(uint16_t h) {
  const uint32_t sign = (uint32_t) (h & 0x8000u) << 16;
  const uint32_t e = (h >> 10) & 0x1Fu;
  const uint32_t m = h & 0x3FFu;
  if (e == 0x1F) {
    return sign | 0x7F800000u | (m << 13) | (m ? 0x400000u : 0);
  }
  return sign | qb__small_to_f32(e, m, 10, 15);
}

/* f32 -> bf16: RNE, overflow to inf, NaN keeps its top payload bits and is quieted. */
static inline uint16_t qb_f32_to_bf16_bits(uint32_t w) {
  if ((w & 0x7FFFFFFFu) > 0x7F800000u) {
    return (uint16_t) ((w >> 16) | 0x0040u);
  }
  /* Adding 0x7FFF plus the kept lsb rounds half to even; a carry bumps the exponent. */
  return (uint16_t) ((w + 0x7FFFu + ((w >> 16) & 1u)) >> 16);
}

/* bf16 -> f32: exact, the bits shifted (a signaling NaN stays signaling). */
static inline uint32_t qb_bf16_to_f32_bits(uint16_t h) {
  return (uint32_t) h << 16;
}

/* f32 -> f8 e4m3fn: RNE; no inf in the format, so overflow and +-inf give NaN
 * (0x7F with the sign), or +-448 when `saturate`. NaN gives the canonical NaN. */
static inline uint8_t qb_f32_to_f8e4m3_bits(uint32_t w, int saturate) {
  const uint32_t sign = (w >> 24) & 0x80u;
  const uint32_t abs = w & 0x7FFFFFFFu;
  uint32_t q;
  if (abs > 0x7F800000u) {
    return (uint8_t) (sign | 0x7Fu);
  }
  q = abs == 0x7F800000u ? 0x7Fu : qb__round_to_small(abs, 3, 7);
  if (q > 0x7Eu) {
    q = saturate ? 0x7Eu : 0x7Fu;
  }
  return (uint8_t) (sign | q);
}

static inline uint32_t qb_f8e4m3_to_f32_bits(uint8_t b) {
  const uint32_t sign = (uint32_t) (b & 0x80u) << 24;
  if ((b & 0x7Fu) == 0x7Fu) {
    return sign | 0x7FC00000u;
  }
  return sign | qb__small_to_f32((b >> 3) & 0xFu, b & 0x7u, 3, 7);
}

/* f32 -> f8 e5m2: RNE, overflow to inf; NaN gives the canonical quiet NaN 0x7E. */
static inline uint8_t qb_f32_to_f8e5m2_bits(uint32_t w) {
  const uint32_t sign = (w >> 24) & 0x80u;
  const uint32_t abs = w & 0x7FFFFFFFu;
  uint32_t q;
  if (abs > 0x7F800000u) {
    return (uint8_t) (sign | 0x7Eu);
  }
  q = abs == 0x7F800000u ? 0x7Cu : qb__round_to_small(abs, 2, 15);
  if (q > 0x7Bu) {
    q = 0x7Cu;
  }
  return (uint8_t) (sign | q);
}

/* f8 e5m2 -> f32: exact; a signaling NaN is quieted, payload kept. */
static inline uint32_t qb_f8e5m2_to_f32_bits(uint8_t b) {
  const uint32_t sign = (uint32_t) (b & 0x80u) << 24;
  const uint32_t e = (b >> 2) & 0x1Fu;
  const uint32_t m = b & 0x3u;
  if (e == 0x1F) {
    return sign | 0x7F800000u | (m << 21) | (m ? 0x400000u : 0);
  }
  return sign | qb__small_to_f32(e, m, 2, 15);
}

/* ---- Low-bit floats: FP6, FP4 (finite "fn" formats) and the E8M0 scale type ---------
 * kernels/lowbit/README.md states the rules and where other implementations differ. */

/*
 * qb__round_to_small with a choice of ties: `ties_away` rounds a value exactly halfway
 * between two codes away from zero (the OCP MX reference code's default), otherwise to
 * the even code. Same contract otherwise: a finite, non-negative f32 in, an unsigned
 * code out, overflow left to the caller.
 */
static inline uint32_t qb__round_to_small_ties(uint32_t abs, int mbits, int bias, int ties_away) {
  const int e = (int) (abs >> 23);
  const uint32_t m = abs & 0x7FFFFFu;
  uint32_t q, rem, half;
  int shift;
  if (e - 127 + bias >= 1) {
    shift = 23 - mbits;
    q = ((uint32_t) (e - 127 + bias) << mbits) | (m >> shift);
    rem = m & ((1u << shift) - 1u);
  } else {
    const uint32_t full = e == 0 ? m : (m | 0x800000u);
    const int e_eff = e == 0 ? 1 : e;
    shift = 151 - bias - mbits - e_eff;
    if (shift > 24) {
      return 0; /* below half the smallest subnormal */
    }
    q = full >> shift;
    rem = full & ((1u << shift) - 1u);
  }
  half = 1u << (shift - 1);
  if (rem > half || (rem == half && (ties_away || (q & 1u)))) {
    q += 1;
  }
  return q;
}

/*
 * f32 -> a finite small float of 1 + ebits + mbits bits (FP6 e2m3/e3m2, FP4 e2m1): round
 * to nearest (ties to even, or away with `ties_away`); overflow and +-inf saturate to
 * the largest finite magnitude; NaN, which the formats lack, gives zero with the NaN's
 * sign bit. The code comes back in the low bits, the sign at bit ebits + mbits.
 */
static inline uint8_t qb__f32_to_fn_small(uint32_t w, int ebits, int mbits, int bias, int ties_away) {
  const uint32_t nbits = (uint32_t) (ebits + mbits);
  const uint32_t sign = (w >> 31) << nbits;
  const uint32_t abs = w & 0x7FFFFFFFu;
  const uint32_t maxcode = (1u << nbits) - 1u;
  uint32_t q;
  if (abs > 0x7F800000u) {
    return (uint8_t) sign;
  }
  q = abs == 0x7F800000u ? maxcode : qb__round_to_small_ties(abs, mbits, bias, ties_away);
  return (uint8_t) (sign | (q > maxcode ? maxcode : q));
}

/* A finite small float code (sign at bit ebits + mbits) -> f32 bits, exact. */
static inline uint32_t qb__fn_small_to_f32(uint32_t c, int ebits, int mbits, int bias) {
  const uint32_t nbits = (uint32_t) (ebits + mbits);
  const uint32_t sign = ((c >> nbits) & 1u) << 31;
  return sign | qb__small_to_f32((c >> mbits) & ((1u << ebits) - 1u), c & ((1u << mbits) - 1u), mbits, bias);
}

/* FP6 E2M3 (bias 1, max 7.5), FP6 E3M2 (bias 3, max 28), FP4 E2M1 (bias 1, max 6). */
static inline uint8_t qb_f32_to_f6e2m3_bits(uint32_t w) {
  return qb__f32_to_fn_small(w, 2, 3, 1, 0);
}
static inline uint8_t qb_f32_to_f6e3m2_bits(uint32_t w) {
  return qb__f32_to_fn_small(w, 3, 2, 3, 0);
}
static inline uint8_t qb_f32_to_f4e2m1_bits(uint32_t w) {
  return qb__f32_to_fn_small(w, 2, 1, 1, 0);
}
static inline uint32_t qb_f6e2m3_to_f32_bits(uint8_t c) {
  return qb__fn_small_to_f32(c, 2, 3, 1);
}
static inline uint32_t qb_f6e3m2_to_f32_bits(uint8_t c) {
  return qb__fn_small_to_f32(c, 3, 2, 3);
}
static inline uint32_t qb_f4e2m1_to_f32_bits(uint8_t c) {
  return qb__fn_small_to_f32(c, 2, 1, 1);
}

/*
 * f32 -> E8M0 (unsigned powers of two 2^-127 .. 2^127, 0xFF = NaN, no zero, no sign):
 * to the nearest power of two, ties upward (ml_dtypes' float8_e8m0fnu rounding; with
 * no mantissa bits "even" would mean an even exponent). Values in (0, 2^-127) give
 * 2^-127; zero, negatives (-0 too), inf, NaN and values from 1.5 * 2^127 up give NaN.
 */
static inline uint8_t qb_f32_to_e8m0_bits(uint32_t w) {
  const uint32_t e = w >> 23;
  uint32_t c;
  if (w == 0 || w >= 0x7F800000u) {
    return 0xFF; /* +0, negatives (sign bit set), inf, NaN */
  }
  if (e == 0) {
    /* f32 subnormal x = m * 2^-149: 2^-126 from 1.5 * 2^-127 = 0x600000 * 2^-149 up. */
    return (uint8_t) ((w & 0x7FFFFFu) >= 0x600000u ? 1u : 0u);
  }
  /* 1. The exponent of a normal is its floor(log2); 2. from 1.5 * 2^e up, round up. */
  c = e + ((w & 0x400000u) ? 1u : 0u);
  return (uint8_t) (c >= 0xFFu ? 0xFFu : c);
}

/* E8M0 -> f32: 2^(c - 127) (2^-127 is an f32 subnormal), 0xFF -> quiet NaN. */
static inline uint32_t qb_e8m0_to_f32_bits(uint8_t c) {
  if (c == 0xFF) {
    return 0x7FC00000u;
  }
  return c == 0 ? 0x00400000u : (uint32_t) c << 23;
}

/* 2^k as f32 for k in [-149, 127]: a power of two built from its bits. */
static inline float qb_pow2f(int k) {
  return qb_f32_from_bits(k >= -126 ? (uint32_t) (k + 127) << 23 : 1u << (k + 149));
}

#endif /* QB_COMMON_FP_H */
