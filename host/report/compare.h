/*
 * Comparing two results files (`qbench compare BASE NEW`): rows matched by their stable
 * name, timing judged against noise, numerical error judged exactly.
 *
 * Timing is noisy, so a row is a timing regression only when BOTH a two-sided
 * Mann-Whitney U test over the per-repetition samples says the two sides differ
 * (p < alpha) AND the median slowed down by more than a threshold. The test is the
 * one Google Benchmark's compare.py runs (scipy's mannwhitneyu, method "auto"): exact
 * when a side has at most 8 samples and nothing ties, else the normal approximation
 * with tie and continuity corrections. With fewer than QB_COMPARE_STRONG_REPS samples a
 * side, the verdict is reported as weak and does not fail the comparison by itself.
 *
 * Numerical error is deterministic (same seed, same input), so any worsening of an
 * error metric beyond the tolerance is a regression, however small.
 *
 * A run under an emulator (context.qbench.emulated) has timings that say nothing about
 * any machine, so when either file is one, no row's timing is judged: only statuses and
 * numerical error can regress.
 */
#ifndef QB_COMPARE_H
#define QB_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "io/resultsread.h"
#include "core/status.h"

/* Below this many repetitions on either side a timing verdict is weak. */
#define QB_COMPARE_STRONG_REPS 5
/* Defaults of the CLI's options. */
#define QB_COMPARE_DEFAULT_THRESHOLD_PCT 5.0
#define QB_COMPARE_DEFAULT_ALPHA 0.05

typedef struct qb_compare_opts {
  double threshold_pct;   /* a slowdown must exceed this (percent of the base median) */
  double alpha;           /* and the U test's p-value must be below this */
  bool normalize_roof;    /* compare roof_fraction instead of time (other machine, busy runner) */
  double error_tolerance; /* relative: a metric may worsen by this fraction of its base value */
  bool strict_reassoc;    /* judge reassoc dots' figures against the base too, not their bound */
} qb_compare_opts;

void qb_compare_opts_default(qb_compare_opts* o);

/* The error metrics, in report order: X(field, higher_is_better). */
#define QB_COMPARE_ERROR_METRICS(X) \
  X(sqnr_db, true)                  \
  X(max_abs, false)                 \
  X(max_rel, false)                 \
  X(rmse, false)                    \
  X(nmse, false)                    \
  X(max_ulp, false)                 \
  X(mean_ulp, false)                \
  X(mismatches, false)              \
  X(nan_inf_mismatches, false)

enum {
#define QB__X(field, hib) QB_CMP_ERR_##field,
  QB_COMPARE_ERROR_METRICS(QB__X)
#undef QB__X
      QB_CMP_ERR_COUNT
};
const char* qb_compare_error_metric_name(int metric);

typedef enum qb_cmp_presence { QB_CMP_BOTH, QB_CMP_NEW_ONLY, QB_CMP_BASE_ONLY } qb_cmp_presence;

typedef enum qb_cmp_verdict {
  QB_CMP_NOT_TIMED,   /* a side has no ok sample (skipped, error, new, missing) */
  QB_CMP_SAME,        /* no significant change beyond the threshold */
  QB_CMP_SLOWER,      /* timing regression */
  QB_CMP_SLOWER_WEAK, /* looks slower, too few repetitions to say */
  QB_CMP_FASTER,
  QB_CMP_FASTER_WEAK,
  QB_CMP_EMULATED, /* timing not compared: a side is an emulated run */
} qb_cmp_verdict;
const char* qb_cmp_verdict_name(qb_cmp_verdict v);

/* One row name, as the two files have it. Strings point into the result sets. */
typedef struct qb_cmp_row {
  const char* name;
  /* The row's backend, device and timing ("host", "device"), from the first side that
   * has the row ("" in plain Google Benchmark files). */
  const char *backend, *device, *timing;
  qb_cmp_presence presence;
  const char *base_status, *new_status; /* "ok", "skipped", "error" ("" when absent) */
  const char *base_reason, *new_reason;

  /* Timing: medians of the measure (ns, or roof fraction when by_roof). */
  bool by_roof;
  size_t base_reps, new_reps;
  double base_median, new_median;
  double base_min, new_min; /* the fastest repetition (ns), NAN when not timed or by_roof */
  double change_pct;        /* time-equivalent: + is slower (by roof: base/new - 1) */
  double p_value;           /* NAN when a side has fewer than 2 samples */
  qb_cmp_verdict verdict;
  /* Median changes in percent, NAN when a side lacks the figure. */
  double bps_change_pct, gflops_change_pct, roof_change_pct;

  /* Numerical error, when both sides carry it. */
  bool has_error;
  double err_base[QB_CMP_ERR_COUNT], err_new[QB_CMP_ERR_COUNT]; /* NAN: absent */
  bool err_worse[QB_CMP_ERR_COUNT];
  bool error_regression;
  /* A figure that moved in a row whose NEW side declares reassoc and stays within its
   * bound (no mismatch against the scalar reference): a change the semantics allow, shown
   * but not a regression. err_bound: NEW's bound on |result - reference|, NAN if absent. */
  bool err_within[QB_CMP_ERR_COUNT];
  bool error_within_bound;
  double err_bound;
  bool status_regression; /* ok in BASE; error, skipped or missing in NEW */
} qb_cmp_row;

typedef struct qb_comparison {
  qb_compare_opts opts;
  const char *base_path, *new_path;
  size_t n_rows; /* base order, then rows only NEW has */
  qb_cmp_row* rows;
  size_t n_common, n_new, n_missing, n_skipped, n_errored;
  size_t n_slower, n_slower_weak, n_faster, n_error_regressions, n_status_regressions;
  size_t n_error_within_bound;      /* rows whose error moved within a reassoc dot's bound */
  size_t n_roof_fallback;           /* by_roof asked, but a side lacked roof_fraction: compared by time */
  bool base_emulated, new_emulated; /* either: no timing compared (QB_CMP_EMULATED rows) */
} qb_comparison;

/*
 * Compares two loaded sets (which must outlive *out). QB_BAD_INPUT when the files
 * name different suites or have no row name in common, with one line naming the file.
 */
qb_status qb_compare_sets(const qb_resultset* base, const qb_resultset* new_set, const qb_compare_opts* opts,
                          qb_comparison* out, qb_error* err);
void qb_comparison_free(qb_comparison* c);
/* Whether timing was left out because BASE or NEW is an emulated run. */
bool qb_comparison_emulated(const qb_comparison* c);
/* Whether the comparison fails: a (strong) timing, numerical-error or status regression. */
bool qb_comparison_regressed(const qb_comparison* c);

typedef enum qb_compare_format { QB_COMPARE_TABLE, QB_COMPARE_MD, QB_COMPARE_JSON } qb_compare_format;
/* Writes the report; QB_IO when the stream fails. */
qb_status qb_compare_print(FILE* f, const qb_comparison* c, qb_compare_format fmt, qb_error* err);

/*
 * The two-sided Mann-Whitney U test's p-value for samples a and b (scipy's
 * mannwhitneyu(a, b, alternative="two-sided"), method "auto"). NAN when a side is
 * empty or on allocation failure.
 */
double qb_mann_whitney_p(const double* a, size_t na, const double* b, size_t nb);

/* The smallest two-sided p-value the U test can give with na and nb samples (no
 * ties): 2 / C(na + nb, na), at most 1. Below alpha, no timing verdict can fail. */
double qb_mann_whitney_min_p(size_t na, size_t nb);

/* The median of v (sorted in place); NAN when n is 0. */
double qb_median_inplace(double* v, size_t n);

#endif
