/*
 * Paired comparison (`qbench compare --paired A1 B1 A2 B2 ...`): the regression gate's
 * verdict. A is the base, B the head; each pair holds one run of each over the same
 * cases, made on the same machine moments apart (ci/regression alternates them A B,
 * B A, ...), so the machine, its neighbours and its clock are common to both sides of
 * the pair and cancel in its ratio. A row's rounds are the pairs that hold it (the
 * gate cuts the suite into chunks, so each pair holds some of the rows).
 *
 * Per row and round: the fastest repetition of each side, and d = ln(B / A). A busy
 * machine only ever slows a repetition down (preemption, a neighbour's cache traffic),
 * so the fastest of a run's short repetitions is the one least disturbed: on the shared
 * 2-core VM its round-to-round spread was about half that of the median's.
 * Over the rounds: the Hodges-Lehmann estimate of the shift (the median of the Walsh
 * averages (d_i + d_j) / 2, i <= j) and its distribution-free confidence interval from
 * the exact Wilcoxon signed-rank distribution (Hollander and Wolfe, ch. 3). Both are
 * deterministic: no resampling, no seed. A row is a timing regression when the whole
 * interval lies above the threshold; it passes when the whole interval lies at or below
 * it; otherwise (the interval straddles the threshold, or too few rounds for the
 * confidence level) it has no verdict, with the reason, and does not fail.
 *
 * Statuses and numerical error do not depend on timing and always count: a row ok in
 * the base and error, skipped or missing in the head; any error metric worse in any
 * round (qb_compare_sets' rule, with its tolerance); a backend device with ok rows in
 * the base and none in the head.
 */
#ifndef QB_PAIRED_H
#define QB_PAIRED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/status.h"
#include "io/resultsread.h"
#include "report/compare.h"
#include "report/icount.h"

/* Defaults of the gate (ci/README.md says how they were measured). */
#define QB_PAIRED_DEFAULT_THRESHOLD_PCT 10.0
#define QB_PAIRED_DEFAULT_DEVICE_THRESHOLD_PCT 25.0
#define QB_PAIRED_DEFAULT_ALPHA 0.05
/* Rounds beyond this use the normal approximation of the signed-rank distribution. */
#define QB_PAIRED_EXACT_MAX_ROUNDS 200

typedef struct qb_paired_opts {
  double threshold_pct;        /* host-timed rows (CPU kernels) */
  double device_threshold_pct; /* device-timed rows (OpenCL): see ci/README.md */
  double alpha;                /* the interval's confidence is 1 - alpha (two-sided) */
  double error_tolerance;      /* as qb_compare_opts */
  bool strict_reassoc;         /* as qb_compare_opts */
} qb_paired_opts;

void qb_paired_opts_default(qb_paired_opts* o);

typedef enum qb_paired_verdict {
  QB_PAIRED_NOT_TIMED,  /* a side has no ok round, or the runs are emulated */
  QB_PAIRED_PASS,       /* interval wholly at or below the threshold */
  QB_PAIRED_SLOWER,     /* interval wholly above the threshold: a regression */
  QB_PAIRED_FASTER,     /* interval wholly below minus the threshold (not failing) */
  QB_PAIRED_NO_VERDICT, /* interval straddles the threshold, or too few rounds */
} qb_paired_verdict;
const char* qb_paired_verdict_name(qb_paired_verdict v);

/* The shift of one row, in percent of the base time (+ is slower). */
typedef struct qb_paired_estimate {
  size_t n;                          /* paired rounds */
  double change_pct, lo_pct, hi_pct; /* Hodges-Lehmann estimate and interval; NAN: none */
  double confidence;                 /* the interval's exact coverage (>= 1 - alpha) */
} qb_paired_estimate;

/*
 * The paired verdict on n rounds of one row: base[i] and head[i] are the two sides'
 * times (any positive unit) of round i. `why` gets the reason when there is no verdict
 * (else ""). Deterministic; no allocation beyond O(n^2) scratch (QB_PAIRED_NOT_TIMED
 * with a reason when that fails).
 */
qb_paired_verdict qb_paired_judge(const double* base, const double* head, size_t n, double threshold_pct,
                                  double alpha, qb_paired_estimate* est, char* why, size_t why_len);

/*
 * The largest c with P(T <= c) <= p under the null distribution of the signed-rank
 * statistic T for n pairs, or -1 when even P(T = 0) = 2^-n exceeds p. *tail gets
 * P(T <= c) (0 when -1).
 */
long qb_signed_rank_critical(size_t n, double p, double* tail);

#define QB_PAIRED_WHY 160

typedef struct qb_paired_row {
  const char* name;
  const char *backend, *device, *timing;
  /* "ok", "skipped", "error" or "missing": the first that is not ok over the rounds. */
  const char *base_status, *head_status;
  const char *base_reason, *head_reason;
  size_t head_missing_rounds; /* rounds whose head file lacks the row */
  bool base_present, head_present;
  double base_median, head_median; /* ns: medians over the rounds of the per-round fastest */
  double threshold_pct;            /* the one applied (host or device) */
  qb_paired_estimate est;
  qb_paired_verdict verdict;
  char why[QB_PAIRED_WHY];
  bool status_regression, error_regression;
  int error_metric; /* the first metric that got worse (QB_CMP_ERR_*), -1: none */
  double error_base, error_head;
  /* A reassoc dot's figures that moved within its bound in some round (not failing):
   * the first such metric, its base and head figures, and the head's bound (NAN: absent). */
  bool error_within_bound;
  int within_metric;
  double within_base, within_head, within_bound;
} qb_paired_row;

/* A backend device with ok rows in the base and none in the head. */
typedef struct qb_paired_gone {
  const char *backend, *device;
  size_t base_ok_rows;
} qb_paired_gone;

typedef struct qb_paired {
  qb_paired_opts opts;
  size_t n_rounds;
  const char *base_cpu, *head_cpu, *base_version, *head_version;
  bool emulated;
  size_t n_rows; /* first round's order, then rows later rounds add */
  qb_paired_row* rows;
  size_t n_gone;
  qb_paired_gone* gone;
  size_t n_pass, n_slower, n_faster, n_no_verdict, n_not_timed;
  size_t n_error_regressions, n_status_regressions, n_new;
  size_t n_error_within_bound; /* rows with error_within_bound and no error regression */
  /* Instructions per element, base against head (report/icount.h), or NULL: set by the
   * caller; it counts in the verdict and the report. */
  const qb_icount_cmp* icount;
} qb_paired;

/*
 * Compares rounds: base[r] and head[r] are the two runs of round r (the sets must
 * outlive *out). QB_BAD_INPUT (one line naming the file) when a pair cannot be compared
 * (different suites, no rows in common) or rounds is 0.
 */
qb_status qb_paired_compare(const qb_resultset* const* base, const qb_resultset* const* head, size_t rounds,
                            const qb_paired_opts* opts, qb_paired* out, qb_error* err);
void qb_paired_free(qb_paired* p);
/* Whether the gate fails: a timing, numerical-error or status regression, a device gone,
 * a kernel whose instructions per element rose (or that is no longer counted). */
bool qb_paired_regressed(const qb_paired* p);
/* The report: table, markdown or JSON. QB_IO when the stream fails. */
qb_status qb_paired_print(FILE* f, const qb_paired* p, qb_compare_format fmt, qb_error* err);

#endif
