#include "metrics.h"

#include <math.h>
#include <string.h>

double qb_metrics_ulp(qb_dtype t, double v) {
  const qb_dtype_info* d = qb_dtype_get(t);
  if (d->cls != QB_CLASS_float) {
    return 0.0;
  }
  qb_finfo fi;
  qb_dtype_finfo(t, &fi);
  double a = fabs(v);
  if (a > fi.max) {
    a = fi.max;
  }
  /* 1. The binade of a (a in [2^E, 2^(E+1))), held at the subnormal floor. */
  int e;
  frexp(a, &e);
  int E = e - 1;
  if (a == 0.0 || E < 1 - d->bias) {
    E = 1 - d->bias;
  }
  /* 2. The spacing there. */
  return ldexp(1.0, E - d->man_bits);
}

/* Kahan-Babuska (Neumaier) summation: the sums of squares over millions of elements keep
 * their digits, so the exact figures in the tests do not hang on rounding luck. */
typedef struct qb__acc {
  double hi, lo;
} qb__acc;

static void qb__acc_add(qb__acc* a, double x) {
  const double t = a->hi + x;
  if (fabs(a->hi) >= fabs(x)) {
    a->lo += (a->hi - t) + x;
  } else {
    a->lo += (x - t) + a->hi;
  }
  a->hi = t;
}

static double qb__acc_sum(const qb__acc* a) { return a->hi + a->lo; }

/* Whether a non-finite pair agrees: NaN with NaN, inf with the same inf. */
static int qb__nonfinite_same(double r, double g) {
  if (isnan(r) || isnan(g)) {
    return isnan(r) && isnan(g);
  }
  return r == g;
}

void qb_metrics_compute(const double* ref, const double* got, size_t n, qb_dtype out_dtype,
                        qb_error_metrics* m) {
  qb__acc err2 = {0, 0}, ref2 = {0, 0}, ulps = {0, 0};
  const int is_float = qb_dtype_get(out_dtype)->cls == QB_CLASS_float;
  memset(m, 0, sizeof *m);
  for (size_t i = 0; i < n; i++) {
    const double r = ref[i], g = got[i];
    if (!isfinite(r) || !isfinite(g)) {
      if (!qb__nonfinite_same(r, g)) {
        m->nan_inf_mismatches++;
        m->overflows += isfinite(r) ? 1u : 0u;
      }
      continue;
    }
    const double e = fabs(g - r);
    m->count++;
    m->mismatches += g != r ? 1u : 0u;
    if (e > m->max_abs) {
      m->max_abs = e;
    }
    if (r != 0.0 && e / fabs(r) > m->max_rel) {
      m->max_rel = e / fabs(r);
    }
    qb__acc_add(&err2, e * e);
    qb__acc_add(&ref2, r * r);
    if (is_float) {
      const double u = e / qb_metrics_ulp(out_dtype, r);
      if (u > m->max_ulp) {
        m->max_ulp = u;
      }
      qb__acc_add(&ulps, u);
    }
  }
  const double se = qb__acc_sum(&err2), sr = qb__acc_sum(&ref2);
  if (m->count > 0) {
    m->rmse = sqrt(se / (double) m->count);
    m->mean_ulp = qb__acc_sum(&ulps) / (double) m->count;
  }
  m->nmse = se == 0.0 ? 0.0 : (sr == 0.0 ? INFINITY : se / sr);
  m->sqnr_db = se == 0.0 ? INFINITY : (sr == 0.0 ? -INFINITY : 10.0 * log10(sr / se));
}
