#include "core/dtype.h"

#include <math.h>
#include <string.h>

static const qb_dtype_info qb__dtypes[QB_DTYPE_COUNT] = {
#define QB_DTYPE(tok, cls, bits, eb, mb, bias, special, imin, imax, doc) \
  {#tok, QB_CLASS_##cls, bits, eb, mb, bias, QB_SPECIAL_##special, imin, imax, doc},
#include "core/dtype.inc"
#undef QB_DTYPE
};

const qb_dtype_info* qb_dtype_get(qb_dtype t) {
  return (unsigned) t < QB_DTYPE_COUNT ? &qb__dtypes[t] : &qb__dtypes[QB_DTYPE_none];
}

qb_dtype qb_dtype_find(const char* name) {
  for (int t = 1; t < QB_DTYPE_COUNT; t++) {
    if (strcmp(qb__dtypes[t].name, name) == 0) {
      return (qb_dtype) t;
    }
  }
  return QB_DTYPE_none;
}

uint64_t qb_dtype_load_bits(qb_dtype t, const void* buf, size_t i) {
  const unsigned bits = qb_dtype_get(t)->bits;
  const unsigned char* p = (const unsigned char*) buf;
  uint64_t v = 0;
  if (bits % 8 == 0) {
    memcpy(&v, p + i * (bits / 8), bits / 8); /* little-endian hosts */
    return v;
  }
  /* Packed: gather the bytes the element spans, low bits first. */
  const size_t off = i * bits, first = off / 8, last = (off + bits - 1) / 8;
  for (size_t b = last + 1; b-- > first;) v = (v << 8) | p[b];
  return (v >> (off % 8)) & ((1ull << bits) - 1);
}

void qb_dtype_store_bits(qb_dtype t, void* buf, size_t i, uint64_t v) {
  const unsigned bits = qb_dtype_get(t)->bits;
  unsigned char* p = (unsigned char*) buf;
  if (bits % 8 == 0) {
    memcpy(p + i * (bits / 8), &v, bits / 8);
    return;
  }
  const size_t off = i * bits;
  const uint64_t mask = (1ull << bits) - 1;
  for (size_t b = off / 8; b <= (off + bits - 1) / 8; b++) {
    /* The part of the element that falls in byte b, and where it sits there. */
    const int shift = (int) (off - 8 * b); /* negative: the element began in an earlier byte */
    const uint64_t m = shift >= 0 ? mask << shift : mask >> -shift;
    const uint64_t x = shift >= 0 ? (v & mask) << shift : (v & mask) >> -shift;
    p[b] = (unsigned char) ((p[b] & ~m) | (x & m));
  }
}

static uint64_t qb__sign_bit(const qb_dtype_info* d) {
  return 1ull << (d->bits - 1);
}
static uint64_t qb__exp_field(const qb_dtype_info* d, uint64_t v) {
  return (v >> d->man_bits) & ((1ull << d->exp_bits) - 1);
}
static uint64_t qb__man_field(const qb_dtype_info* d, uint64_t v) {
  return v & ((1ull << d->man_bits) - 1);
}

bool qb_dtype_is_nan_bits(qb_dtype t, uint64_t v) {
  const qb_dtype_info* d = qb_dtype_get(t);
  const uint64_t ones = (1ull << d->exp_bits) - 1;
  switch (d->special) {
    case QB_SPECIAL_ieee:
      return qb__exp_field(d, v) == ones && qb__man_field(d, v) != 0;
    case QB_SPECIAL_fn:
      return qb__exp_field(d, v) == ones && qb__man_field(d, v) == (1ull << d->man_bits) - 1;
    case QB_SPECIAL_e8m0:
      return v == ones;
    default:
      return false;
  }
}

double qb_dtype_decode_bits(qb_dtype t, uint64_t v) {
  const qb_dtype_info* d = qb_dtype_get(t);
  if (d->cls == QB_CLASS_int) {
    if (d->imin < 0 && d->bits < 64 && (v & qb__sign_bit(d)))
      return (double) (int64_t) (v | ~((1ull << d->bits) - 1));
    return d->imin < 0 ? (double) (int64_t) v : (double) v;
  }
  if (d->cls != QB_CLASS_float) return NAN;
  if (qb_dtype_is_nan_bits(t, v)) return NAN;
  if (d->special == QB_SPECIAL_e8m0) return ldexp(1.0, (int) v - d->bias);
  const uint64_t e = qb__exp_field(d, v), m = qb__man_field(d, v);
  double a;
  if (d->special == QB_SPECIAL_ieee && e == (1ull << d->exp_bits) - 1) {
    a = INFINITY;
  } else if (e == 0) {
    a = ldexp((double) m, 1 - d->bias - d->man_bits);
  } else {
    a = ldexp((double) ((1ull << d->man_bits) | m), (int) e - d->bias - d->man_bits);
  }
  return (v & qb__sign_bit(d)) ? -a : a;
}

uint64_t qb_dtype_flush_bits(qb_dtype t, uint64_t v) {
  const qb_dtype_info* d = qb_dtype_get(t);
  if (d->cls != QB_CLASS_float || d->special == QB_SPECIAL_e8m0) return v; /* e8m0: no subnormals */
  return qb__exp_field(d, v) == 0 ? v & qb__sign_bit(d) : v;
}

/* The largest finite value. The all-ones exponent is inf/NaN for IEEE-like formats;
 * e4m3fn keeps it for normals and gives up only the all-ones mantissa (NaN); the
 * finite formats keep all of it. */
static double qb__max(const qb_dtype_info* d) {
  const bool ieee =
      d->special == QB_SPECIAL_ieee || d->special == QB_SPECIAL_e8m0; /* all ones: not a number */
  const int emax = ieee ? (1 << d->exp_bits) - 2 - d->bias : (1 << d->exp_bits) - 1 - d->bias;
  const double ulp1 = ldexp(1.0, -d->man_bits);
  const double top_mantissa = d->special == QB_SPECIAL_fn ? 2.0 - 2.0 * ulp1 : 2.0 - ulp1;
  return ldexp(top_mantissa, emax);
}

bool qb_dtype_finfo(qb_dtype t, qb_finfo* out) {
  const qb_dtype_info* d = qb_dtype_get(t);
  if (d->cls != QB_CLASS_float) {
    return false;
  }
  const int emin = 1 - d->bias;
  out->max = qb__max(d);
  out->lowest = -out->max;
  out->eps = ldexp(1.0, -d->man_bits);
  out->min_normal = ldexp(1.0, emin);
  out->min_subnormal = ldexp(1.0, emin - d->man_bits);
  out->digits = (int) floor(-log10(out->eps));
  out->resolution = pow(10.0, -out->digits);
  out->has_inf = d->special == QB_SPECIAL_ieee;
  if (d->special == QB_SPECIAL_e8m0) { /* unsigned powers of two from 2^-127 (code 0): no subnormals */
    out->min_normal = out->min_subnormal = out->lowest = ldexp(1.0, -127);
  }
  return true;
}

double qb_dtype_round(qb_dtype t, double v, bool saturate) {
  const qb_dtype_info* d = qb_dtype_get(t);
  if (t == QB_DTYPE_f64 || isnan(v) || d->cls != QB_CLASS_float) {
    return v;
  }
  /* Only the largest finite value is needed here: the rest of finfo costs a log10 and a
   * pow, which the exhaustive sweeps would pay 2^32 times. */
  const double max = qb__max(d);
  const bool has_inf = d->special == QB_SPECIAL_ieee;
  const double a = fabs(v);
  double r;
  if (isinf(v)) {
    r = INFINITY;
  } else {
    /* 1. The exponent of a (a in [2^E, 2^(E+1))), held at the subnormal floor. */
    int e;
    frexp(a, &e);
    int E = e - 1;
    if (E < 1 - d->bias) {
      E = 1 - d->bias;
    }
    /* 2. The spacing of the format at that exponent; scale, round to an integer
     *    (ties to even: the default rounding mode), scale back. All exact in double. */
    const double ulp = ldexp(1.0, E - d->man_bits);
    r = nearbyint(a / ulp) * ulp;
  }
  if (r > max) {
    /* A format with neither inf nor NaN can only saturate. */
    r = saturate || d->special == QB_SPECIAL_finite ? max : (has_inf ? INFINITY : NAN);
  }
  return copysign(r, v);
}
