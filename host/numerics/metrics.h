/*
 * Numerical error of an output against an f64 reference: the one implementation that
 * the tests, `qbench error`, `qbench apply` and the result rows share. The formulas
 * are in host/numerics/README.md ("Numerical error").
 */
#ifndef QB_METRICS_H
#define QB_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/dtype.h"

typedef struct qb_error_metrics {
  double max_abs; /* max |got - ref| */
  double max_rel; /* max |got - ref| / |ref| over ref != 0 */
  double rmse;    /* sqrt(sum (got - ref)^2 / count) */
  double nmse;    /* sum (got - ref)^2 / sum ref^2 (0 when both sums are 0, inf when only ref's is) */
  double sqnr_db; /* 10 log10(sum ref^2 / sum (got - ref)^2); +inf when there is no error */
  double max_ulp; /* |got - ref| in units of out_dtype's spacing at ref (0 for ints) */
  double mean_ulp;
  uint64_t count;              /* elements whose ref and got are both finite: what the figures cover */
  uint64_t mismatches;         /* qb_metrics_compute: finite pairs with got != ref;
                                  qb_case_data_evaluate: bit-wise vs the scalar reference */
  uint64_t nan_inf_mismatches; /* ref and got disagree on NaN/inf (NaN matches NaN, inf its own sign) */
  uint64_t overflows;          /* ref finite, got inf or NaN: the format's range ran out */
  double bound;                /* qb_case_data_evaluate, a QB_SEM_REASSOC float dot: the
                                  |got - scalar reference| its semantics allow; else NAN */
} qb_error_metrics;

/*
 * Compares got[i] with ref[i], i < n. The ulp of ref is out_dtype's spacing at |ref|
 * (its subnormal spacing below the normal range, its top binade's spacing above max);
 * float dtypes only, 0 for integer and block dtypes. Pairs where either side is NaN or
 * inf are left out of the figures and counted in nan_inf_mismatches when they differ.
 */
void qb_metrics_compute(const double* ref, const double* got, size_t n, qb_dtype out_dtype,
                        qb_error_metrics* m);

/*
 * The same in pieces, for outputs too long to hold as doubles at once: begin, add
 * chunks in order, end. qb_metrics_compute is begin + one add + end.
 */
typedef struct qb_metrics_acc {
  qb_error_metrics m;
  qb_dtype out_dtype;
  double out_max; /* the output's largest finite value (float outputs), found once in begin */
  double err2[2], ref2[2], ulps[2]; /* compensated sums: value and correction */
} qb_metrics_acc;
void qb_metrics_begin(qb_metrics_acc* a, qb_dtype out_dtype);
void qb_metrics_add(qb_metrics_acc* a, const double* ref, const double* got, size_t n);
void qb_metrics_end(const qb_metrics_acc* a, qb_error_metrics* m);

/* The figures as the results file's "error" object (results/README.md); a non-finite
 * figure (sqnr_db of an exact output: +inf) is written as null, which JSON can hold. */
json_t* qb_metrics_to_json(const qb_error_metrics* m);

/* The spacing of float dtype t at |v| (0 for other dtypes). */
double qb_metrics_ulp(qb_dtype t, double v);

#endif
