#include "core/dtype.h"

#include <math.h>
#include <string.h>

static const qb_dtype_info qb__dtypes[QB_DTYPE_COUNT] = {
#define QB_DTYPE(tok, cls, bits, eb, mb, bias, imin, imax, doc) \
  {#tok, QB_CLASS_##cls, bits, eb, mb, bias, imin, imax, doc},
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

/* The largest finite value. The all-ones exponent is inf/NaN for IEEE-like formats;
 * e4m3fn keeps it for normals and gives up only the all-ones mantissa (NaN). */
/* FP6 and FP4 have no inf and no NaN: every code is a number, the all-ones exponent too. */
static bool qb__all_finite(qb_dtype t) {
  return t == QB_DTYPE_f6e2m3 || t == QB_DTYPE_f6e3m2 || t == QB_DTYPE_f4e2m1;
}

static double qb__max(qb_dtype t, const qb_dtype_info* d) {
  const bool fn = t == QB_DTYPE_f8e4m3;
  const bool finite = qb__all_finite(t);
  const int emax = fn || finite ? (1 << d->exp_bits) - 1 - d->bias : (1 << d->exp_bits) - 2 - d->bias;
  const double top_mantissa = fn ? 2.0 - 2.0 * ldexp(1.0, -d->man_bits) : 2.0 - ldexp(1.0, -d->man_bits);
  return ldexp(top_mantissa, emax);
}

bool qb_dtype_finfo(qb_dtype t, qb_finfo* out) {
  const qb_dtype_info* d = qb_dtype_get(t);
  if (d->cls != QB_CLASS_float) {
    return false;
  }
  const int emin = 1 - d->bias;
  const bool fn = t == QB_DTYPE_f8e4m3;
  out->max = qb__max(t, d);
  out->lowest = -out->max;
  out->eps = ldexp(1.0, -d->man_bits);
  out->min_normal = ldexp(1.0, emin);
  out->min_subnormal = ldexp(1.0, emin - d->man_bits);
  out->digits = (int) floor(-log10(out->eps));
  out->resolution = pow(10.0, -out->digits);
  out->has_inf = !fn && !qb__all_finite(t) && t != QB_DTYPE_e8m0;
  if (t == QB_DTYPE_e8m0) { /* unsigned powers of two from 2^-127 (code 0): no subnormals */
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
  const double max = qb__max(t, d);
  const bool has_inf = t != QB_DTYPE_f8e4m3 && !qb__all_finite(t) && t != QB_DTYPE_e8m0;
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
    /* FP6/FP4 have no NaN to give: they always saturate (kernels/lowbit/README.md). */
    r = saturate || qb__all_finite(t) ? max : (has_inf ? INFINITY : NAN);
  }
  return copysign(r, v);
}
