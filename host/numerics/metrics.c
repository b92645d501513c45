#include "numerics/metrics.h"

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
static void qb__acc_add(double* a, double x) {
  const double t = a[0] + x;
  if (fabs(a[0]) >= fabs(x)) {
    a[1] += (a[0] - t) + x;
  } else {
    a[1] += (x - t) + a[0];
  }
  a[0] = t;
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
}

void qb_metrics_add(qb_metrics_acc* a, const double* ref, const double* got, size_t n) {
  qb_error_metrics* m = &a->m;
  const int is_float = qb_dtype_get(a->out_dtype)->cls == QB_CLASS_float;
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
    qb__acc_add(a->err2, e * e);
    qb__acc_add(a->ref2, r * r);
    if (is_float) {
      const double u = e / qb_metrics_ulp(a->out_dtype, r);
      if (u > m->max_ulp) {
        m->max_ulp = u;
      }
      qb__acc_add(a->ulps, u);
    }
  }
}

void qb_metrics_end(const qb_metrics_acc* a, qb_error_metrics* m) {
  const double se = a->err2[0] + a->err2[1], sr = a->ref2[0] + a->ref2[1];
  *m = a->m;
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
