#include "numerics/metrics.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* The spacing of float dtype d at |v|, v held at max (the largest finite value). The
 * exponents come from the f64 bits rather than frexp/ldexp: this runs once per element of
 * every error figure. */
static double qb__ulp(const qb_dtype_info* d, double max, double v) {
  double a = fabs(v);
  if (a > max) {
    a = max;
  }
  /* 1. The binade of a (a in [2^E, 2^(E+1))), held at the subnormal floor (an f64
   * subnormal's biased exponent 0 gives E = -1023, below every floor). */
  uint64_t bits;
  memcpy(&bits, &a, sizeof bits);
  int E = (int) (bits >> 52) - 1023;
  if (a == 0.0 || E < 1 - d->bias) {
    E = 1 - d->bias;
  }
  /* 2. The spacing there, 2^(E - man_bits), built as an f64 when it is a normal one. */
  const int s = E - d->man_bits;
  if (s < -1022 || s > 1023) {
    return ldexp(1.0, s);
  }
  const uint64_t sb = (uint64_t) (s + 1023) << 52;
  double r;
  memcpy(&r, &sb, sizeof r);
  return r;
}

double qb_metrics_ulp(qb_dtype t, double v) {
  const qb_dtype_info* d = qb_dtype_get(t);
  qb_finfo fi;
  if (!qb_dtype_finfo(t, &fi)) {
    return 0.0;
  }
  return qb__ulp(d, fi.max, v);
}

/* Whether a non-finite pair agrees: NaN with NaN, inf with the same inf. */
static int qb__nonfinite_same(double r, double g) {
  if (isnan(r) || isnan(g)) {
    return isnan(r) && isnan(g);
  }
  return r == g;
}

void qb_metrics_begin(qb_metrics_acc* a, qb_dtype out_dtype) {
  memset(a, 0, sizeof *a);
  a->out_dtype = out_dtype;
  /* finfo costs a log10 and a pow: once per output, not once per element. */
  qb_finfo fi;
  a->out_max = qb_dtype_finfo(out_dtype, &fi) ? fi.max : 0.0;
}

/* 1 / 2^(E - man_bits) for qb__ulp's spacing, or 0 when that is not a normal f64
 * (a division is then needed; multiplying by the inverse of a power of two is exact and
 * rounds as the division does). */
static double qb__inv_ulp(const qb_dtype_info* d, double max, double v) {
  const double u = qb__ulp(d, max, v);
  int e;
  (void) frexp(u, &e);
  const int s = 1 - e; /* u = 2^(e - 1): the inverse is 2^(1 - e) */
  if (s < -1022 || s > 1023) return 0.0;
  const uint64_t sb = (uint64_t) (s + 1023) << 52;
  double r;
  memcpy(&r, &sb, sizeof r);
  return r;
}

/* Kahan-Babuska (Neumaier) summation: the sums of squares over millions of elements keep
 * their digits, so the exact figures in the tests do not hang on rounding luck. One step
 * on a sum held in two scalars (registers, where an array would live in memory). */
#define QB__NEUMAIER(sum, corr, x)                   \
  do {                                               \
    const double qb__x = (x), qb__t = (sum) + qb__x; \
    if (fabs(sum) >= fabs(qb__x)) {                  \
      (corr) += ((sum) -qb__t) + qb__x;              \
    } else {                                         \
      (corr) += (qb__x - qb__t) + (sum);             \
    }                                                \
    (sum) = qb__t;                                   \
  } while (0)

void qb_metrics_add(qb_metrics_acc* a, const double* ref, const double* got, size_t n) {
  /* The running figures in locals: through a->m, every store could alias ref and got and
   * force reloads (this loop sees every element of every error figure). */
  uint64_t count = a->m.count, mism = a->m.mismatches, naninf = a->m.nan_inf_mismatches;
  uint64_t overflows = a->m.overflows;
  double max_abs = a->m.max_abs, max_rel = a->m.max_rel, max_ulp = a->m.max_ulp;
  double e2 = a->err2[0], e2c = a->err2[1], r2 = a->ref2[0], r2c = a->ref2[1];
  double us = a->ulps[0], usc = a->ulps[1];
  const qb_dtype_info* d = qb_dtype_get(a->out_dtype);
  const int is_float = d->cls == QB_CLASS_float;
  const double out_max = a->out_max;
  /* The inverse spacing of the last binade seen, kept while the reference stays in it. */
  int binade = INT32_MIN;
  double inv = 0.0;
  for (size_t i = 0; i < n; i++) {
    const double r = ref[i], g = got[i];
    if (!isfinite(r) || !isfinite(g)) {
      if (!qb__nonfinite_same(r, g)) {
        naninf++;
        overflows += isfinite(r) ? 1u : 0u;
      }
      continue;
    }
    const double e = fabs(g - r);
    count++;
    mism += g != r ? 1u : 0u;
    if (e > max_abs) {
      max_abs = e;
    }
    /* A division only where the ratio can be a new maximum: e / |r| > M needs
     * e > M |r|, and then 2e > fl(M |r|) whatever the rounding. */
    if (r != 0.0 && 2.0 * e > max_rel * fabs(r) && e / fabs(r) > max_rel) {
      max_rel = e / fabs(r);
    }
    QB__NEUMAIER(e2, e2c, e * e);
    QB__NEUMAIER(r2, r2c, r * r);
    if (is_float) {
      /* The biased exponent field: one binade (or zero and the f64 subnormals, which
       * all sit at every format's subnormal floor). */
      const union {
        double f;
        uint64_t u;
      } rb = {r};
      const int be = (int) (rb.u >> 52 & 0x7FF);
      if (be != binade) {
        binade = be;
        inv = qb__inv_ulp(d, out_max, r);
      }
      const double u = inv != 0.0 ? e * inv : e / qb__ulp(d, out_max, r);
      if (u > max_ulp) {
        max_ulp = u;
      }
      QB__NEUMAIER(us, usc, u);
    }
  }
  a->m.count = count;
  a->m.mismatches = mism;
  a->m.nan_inf_mismatches = naninf;
  a->m.overflows = overflows;
  a->m.max_abs = max_abs;
  a->m.max_rel = max_rel;
  a->m.max_ulp = max_ulp;
  a->err2[0] = e2;
  a->err2[1] = e2c;
  a->ref2[0] = r2;
  a->ref2[1] = r2c;
  a->ulps[0] = us;
  a->ulps[1] = usc;
}

void qb_metrics_end(const qb_metrics_acc* a, qb_error_metrics* m) {
  const double se = a->err2[0] + a->err2[1], sr = a->ref2[0] + a->ref2[1];
  *m = a->m;
  m->bound = NAN;
  if (m->count > 0) {
    m->rmse = sqrt(se / (double) m->count);
    m->mean_ulp = (a->ulps[0] + a->ulps[1]) / (double) m->count;
  }
  m->nmse = se == 0.0 ? 0.0 : (sr == 0.0 ? INFINITY : se / sr);
  m->sqnr_db = se == 0.0 ? INFINITY : (sr == 0.0 ? -INFINITY : 10.0 * log10(sr / se));
}

void qb_metrics_compute(const double* ref, const double* got, size_t n, qb_dtype out_dtype,
                        qb_error_metrics* m) {
  qb_metrics_acc a;
  qb_metrics_begin(&a, out_dtype);
  qb_metrics_add(&a, ref, got, n);
  qb_metrics_end(&a, m);
}

static json_t* qb__real(double v) {
  return isfinite(v) ? json_real(v) : json_null();
}

json_t* qb_metrics_to_json(const qb_error_metrics* m) {
  json_t* o = json_object();
  json_object_set_new(o, "max_abs", qb__real(m->max_abs));
  json_object_set_new(o, "max_rel", qb__real(m->max_rel));
  json_object_set_new(o, "rmse", qb__real(m->rmse));
  json_object_set_new(o, "nmse", qb__real(m->nmse));
  json_object_set_new(o, "sqnr_db", qb__real(m->sqnr_db));
  json_object_set_new(o, "max_ulp", qb__real(m->max_ulp));
  json_object_set_new(o, "mean_ulp", qb__real(m->mean_ulp));
  json_object_set_new(o, "count", json_integer((json_int_t) m->count));
  json_object_set_new(o, "mismatches", json_integer((json_int_t) m->mismatches));
  json_object_set_new(o, "nan_inf_mismatches", json_integer((json_int_t) m->nan_inf_mismatches));
  json_object_set_new(o, "overflows", json_integer((json_int_t) m->overflows));
  return o;
}
