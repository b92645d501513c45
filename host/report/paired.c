/* Paired comparison over rounds: the statistics, the row verdicts, the reports (paired.h). */
#include "report/paired.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/table.h"

void qb_paired_opts_default(qb_paired_opts* o) {
  o->threshold_pct = QB_PAIRED_DEFAULT_THRESHOLD_PCT;
  o->device_threshold_pct = QB_PAIRED_DEFAULT_DEVICE_THRESHOLD_PCT;
  o->alpha = QB_PAIRED_DEFAULT_ALPHA;
  o->error_tolerance = 0.0;
  o->strict_reassoc = false;
}

const char* qb_paired_verdict_name(qb_paired_verdict v) {
  switch (v) {
    case QB_PAIRED_NOT_TIMED:
      return "n/a";
    case QB_PAIRED_PASS:
      return "pass";
    case QB_PAIRED_SLOWER:
      return "SLOWER";
    case QB_PAIRED_FASTER:
      return "faster";
    case QB_PAIRED_NO_VERDICT:
      return "no verdict";
  }
  return "?";
}

/* ---- statistics ---- */

/* The standard normal distribution function. */
static double qb__phi(double z) {
  return 0.5 * erfc(-z / sqrt(2.0));
}

long qb_signed_rank_critical(size_t n, double p, double* tail) {
  *tail = 0;
  if (n == 0 || !(p > 0)) return -1;
  size_t m = n * (n + 1) / 2;
  if (n > QB_PAIRED_EXACT_MAX_ROUNDS) {
    /* Normal approximation with a continuity correction: T has mean m/2 and variance
     * n(n+1)(2n+1)/24 under the null. */
    double mean = (double) m / 2, sd = sqrt((double) n * (double) (n + 1) * (double) (2 * n + 1) / 24);
    for (long c = (long) mean; c >= 0; c--) {
      double t = qb__phi(((double) c + 0.5 - mean) / sd);
      if (t <= p) {
        *tail = t;
        return c;
      }
    }
    return -1;
  }
  /* 1. The number of subsets of the ranks {1..n} with each sum: count[s] for s <= m,
   *    built one rank at a time (a 0/1 knapsack). Counts reach 2^n, exact enough in
   *    doubles for a ratio.
   * 2. Scale by 2^-n and walk up the cumulative distribution. */
  double* count = calloc(m + 1, sizeof *count);
  if (count == NULL) return -1;
  count[0] = 1;
  for (size_t k = 1; k <= n; k++) {
    for (size_t s = m; s >= k; s--) count[s] += count[s - k];
  }
  double scale = ldexp(1.0, -(int) n), cdf = 0;
  long c = -1;
  for (size_t s = 0; s <= m / 2; s++) {
    double next = cdf + count[s] * scale;
    if (next > p) break;
    cdf = next;
    c = (long) s;
  }
  free(count);
  *tail = c >= 0 ? cdf : 0;
  return c;
}

static int qb__cmp_double(const void* a, const void* b) {
  double x = *(const double*) a, y = *(const double*) b;
  return (x > y) - (x < y);
}

static double qb__pct(double log_ratio) {
  return expm1(log_ratio) * 100;
}

qb_paired_verdict qb_paired_judge(const double* base, const double* head, size_t n, double threshold_pct,
                                  double alpha, qb_paired_estimate* est, char* why, size_t why_len) {
  est->n = n;
  est->change_pct = est->lo_pct = est->hi_pct = NAN;
  est->confidence = NAN;
  why[0] = '\0';
  if (n == 0) {
    snprintf(why, why_len, "no round with both sides ok");
    return QB_PAIRED_NOT_TIMED;
  }
  size_t m = n * (n + 1) / 2;
  double* d = malloc(n * sizeof *d);
  double* w = malloc(m * sizeof *w);
  if (d == NULL || w == NULL) {
    free(d);
    free(w);
    snprintf(why, why_len, "out of memory for %zu rounds", n);
    return QB_PAIRED_NOT_TIMED;
  }
  for (size_t i = 0; i < n; i++) d[i] = log(head[i] / base[i]);
  /* The Walsh averages; their median is the Hodges-Lehmann estimate, their order
   * statistics at the signed-rank critical value bound the interval. */
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    for (size_t j = i; j < n; j++) w[k++] = 0.5 * (d[i] + d[j]);
  }
  qsort(w, m, sizeof *w, qb__cmp_double);
  double hl = m % 2 ? w[m / 2] : 0.5 * (w[m / 2 - 1] + w[m / 2]);
  est->change_pct = qb__pct(hl);
  double tail;
  long c = qb_signed_rank_critical(n, alpha / 2, &tail);
  qb_paired_verdict v;
  if (c < 0) {
    size_t need = n;
    while (ldexp(1.0, -(int) need) > alpha / 2) need++;
    snprintf(why, why_len, "%zu rounds cannot give a %g %% interval (need %zu or more)", n, 100 * (1 - alpha),
             need);
    v = QB_PAIRED_NO_VERDICT;
  } else {
    est->lo_pct = qb__pct(w[c]);
    est->hi_pct = qb__pct(w[m - 1 - (size_t) c]);
    est->confidence = 1 - 2 * tail;
    if (est->lo_pct > threshold_pct) {
      v = QB_PAIRED_SLOWER;
    } else if (est->hi_pct < -threshold_pct) {
      v = QB_PAIRED_FASTER;
    } else if (est->hi_pct <= threshold_pct) {
      v = QB_PAIRED_PASS;
    } else {
      snprintf(why, why_len, "interval [%+.1f %%, %+.1f %%] straddles the threshold +%g %% (noise too wide)",
               est->lo_pct, est->hi_pct, threshold_pct);
      v = QB_PAIRED_NO_VERDICT;
    }
  }
  free(d);
  free(w);
  return v;
}

/* ---- matching rows over the rounds ---- */

typedef struct qb__entry {
  const char* name;
  size_t round, index; /* row `index` of round `round`'s comparison */
} qb__entry;

static int qb__cmp_entry(const void* a, const void* b) {
  const qb__entry *x = a, *y = b;
  int c = strcmp(x->name, y->name);
  if (c != 0) return c;
  if (x->round != y->round) return (x->round > y->round) - (x->round < y->round);
  return (x->index > y->index) - (x->index < y->index);
}

/* A group of entries (one row name) and where it first appears. */
typedef struct qb__group {
  const qb__entry* e;
  size_t n;
} qb__group;

static int qb__cmp_group_first(const void* a, const void* b) {
  const qb__entry *x = ((const qb__group*) a)->e, *y = ((const qb__group*) b)->e;
  if (x->round != y->round) return (x->round > y->round) - (x->round < y->round);
  return (x->index > y->index) - (x->index < y->index);
}

static bool qb__ok(const char* status) {
  return strcmp(status, "ok") == 0;
}

/* Folds one round's status into a side's: the first that is not ok wins. */
static void qb__fold_status(const char** status, const char** reason, const char* s, const char* why) {
  if (qb__ok(*status) && !qb__ok(s)) {
    *status = s;
    *reason = why;
  }
}

static bool qb__timed(const qb_cmp_row* r) {
  return r->presence == QB_CMP_BOTH && r->verdict != QB_CMP_NOT_TIMED && r->verdict != QB_CMP_EMULATED &&
         isfinite(r->base_min) && r->base_min > 0 && isfinite(r->new_min) && r->new_min > 0;
}

static double qb__median(double* v, size_t n) {
  return n ? qb_median_inplace(v, n) : NAN;
}

/* One paired row from the entries of its name. */
static qb_status qb__pair_row(qb_paired_row* row, const qb__group* g, const qb_comparison* cmp, size_t rounds,
                              const qb_paired_opts* o, bool emulated, qb_error* err) {
  memset(row, 0, sizeof *row);
  const qb_cmp_row* first = &cmp[g->e[0].round].rows[g->e[0].index];
  row->name = first->name;
  row->backend = first->backend;
  row->device = first->device;
  row->timing = first->timing;
  row->base_status = row->head_status = "ok";
  row->base_reason = row->head_reason = "";
  row->error_metric = row->within_metric = -1;
  row->error_base = row->error_head = NAN;
  row->within_base = row->within_head = row->within_bound = NAN;
  row->est.change_pct = row->est.lo_pct = row->est.hi_pct = row->est.confidence = NAN;
  double* a = malloc(rounds * sizeof *a);
  double* b = malloc(rounds * sizeof *b);
  double* sa = malloc(rounds * sizeof *sa);
  double* sb = malloc(rounds * sizeof *sb);
  if (a == NULL || b == NULL || sa == NULL || sb == NULL) {
    free(a);
    free(b);
    free(sa);
    free(sb);
    return qb_fail(err, QB_NO_MEMORY, "out of memory pairing row '%s'", row->name);
  }
  size_t n = 0;
  for (size_t i = 0; i < g->n; i++) {
    const qb_cmp_row* r = &cmp[g->e[i].round].rows[g->e[i].index];
    row->head_missing_rounds += r->presence == QB_CMP_BASE_ONLY;
    if (r->presence != QB_CMP_NEW_ONLY) {
      row->base_present = true;
      qb__fold_status(&row->base_status, &row->base_reason, r->base_status, r->base_reason);
    }
    if (r->presence != QB_CMP_BASE_ONLY) {
      row->head_present = true;
      qb__fold_status(&row->head_status, &row->head_reason, r->new_status, r->new_reason);
    }
    if (r->error_regression && row->error_metric < 0) {
      for (int m = 0; m < QB_CMP_ERR_COUNT; m++) {
        if (!r->err_worse[m]) continue;
        row->error_metric = m;
        row->error_base = r->err_base[m];
        row->error_head = r->err_new[m];
        break;
      }
    }
    row->error_regression |= r->error_regression;
    for (int m = 0; m < QB_CMP_ERR_COUNT && row->within_metric < 0; m++) {
      if (!r->err_within[m]) continue;
      row->within_metric = m;
      row->within_base = r->err_base[m];
      row->within_head = r->err_new[m];
      row->within_bound = r->err_bound;
    }
    row->error_within_bound |= r->error_within_bound;
    if (qb__timed(r)) {
      a[n] = r->base_min;
      b[n] = r->new_min;
      n++;
    }
  }
  if (!row->base_present) row->base_status = "missing";
  if (!row->head_present) {
    row->head_status = "missing";
  } else if (row->head_missing_rounds && qb__ok(row->head_status)) {
    row->head_status = "missing";
    row->head_reason = "absent from some rounds";
  }
  row->status_regression = row->base_present && qb__ok(row->base_status) && !qb__ok(row->head_status);

  row->threshold_pct = strcmp(row->timing, "device") == 0 ? o->device_threshold_pct : o->threshold_pct;
  row->base_median = row->head_median = NAN;
  if (emulated) {
    row->verdict = QB_PAIRED_NOT_TIMED;
    snprintf(row->why, sizeof row->why, "emulated run: timings mean nothing");
  } else if (!row->base_present || !row->head_present) {
    row->verdict = QB_PAIRED_NOT_TIMED;
    snprintf(row->why, sizeof row->why, "only in the %s", row->base_present ? "base" : "head");
  } else if (!qb__ok(row->base_status) || !qb__ok(row->head_status)) {
    row->verdict = QB_PAIRED_NOT_TIMED;
    snprintf(row->why, sizeof row->why, "%s -> %s", row->base_status, row->head_status);
  } else {
    row->verdict =
        qb_paired_judge(a, b, n, row->threshold_pct, o->alpha, &row->est, row->why, sizeof row->why);
    memcpy(sa, a, n * sizeof *a);
    memcpy(sb, b, n * sizeof *b);
    row->base_median = qb__median(sa, n);
    row->head_median = qb__median(sb, n);
  }
  free(a);
  free(b);
  free(sa);
  free(sb);
  return QB_OK;
}

/* Devices (backend, device) with ok rows in the base and none in the head. */
static qb_status qb__find_gone(qb_paired* p, qb_error* err) {
  typedef struct {
    const char *backend, *device;
    size_t base_ok, head_ok;
  } qb__dev;
  qb__dev* devs = NULL;
  size_t n = 0;
  for (size_t i = 0; i < p->n_rows; i++) {
    const qb_paired_row* r = &p->rows[i];
    if (r->backend[0] == '\0') continue; /* plain Google Benchmark rows name no backend */
    size_t k = 0;
    while (k < n && !(strcmp(devs[k].backend, r->backend) == 0 && strcmp(devs[k].device, r->device) == 0))
      k++;
    if (k == n) {
      qb__dev* grown = realloc(devs, (n + 1) * sizeof *devs);
      if (grown == NULL) {
        free(devs);
        return qb_fail(err, QB_NO_MEMORY, "out of memory listing devices");
      }
      devs = grown;
      devs[n++] = (qb__dev){r->backend, r->device, 0, 0};
    }
    devs[k].base_ok += r->base_present && qb__ok(r->base_status);
    devs[k].head_ok += r->head_present && qb__ok(r->head_status);
  }
  p->gone = calloc(n ? n : 1, sizeof *p->gone);
  if (p->gone == NULL) {
    free(devs);
    return qb_fail(err, QB_NO_MEMORY, "out of memory listing devices");
  }
  for (size_t k = 0; k < n; k++) {
    if (devs[k].base_ok > 0 && devs[k].head_ok == 0) {
      p->gone[p->n_gone++] = (qb_paired_gone){devs[k].backend, devs[k].device, devs[k].base_ok};
    }
  }
  free(devs);
  return QB_OK;
}

static void qb__count(qb_paired* p, const qb_paired_row* r) {
  p->n_pass += r->verdict == QB_PAIRED_PASS;
  p->n_slower += r->verdict == QB_PAIRED_SLOWER;
  p->n_faster += r->verdict == QB_PAIRED_FASTER;
  p->n_no_verdict += r->verdict == QB_PAIRED_NO_VERDICT;
  p->n_not_timed += r->verdict == QB_PAIRED_NOT_TIMED;
  p->n_error_regressions += r->error_regression;
  p->n_error_within_bound += r->error_within_bound && !r->error_regression;
  p->n_status_regressions += r->status_regression;
  p->n_new += !r->base_present;
}

qb_status qb_paired_compare(const qb_resultset* const* base, const qb_resultset* const* head, size_t rounds,
                            const qb_paired_opts* opts, qb_paired* out, qb_error* err) {
  memset(out, 0, sizeof *out);
  out->opts = *opts;
  out->n_rounds = rounds;
  if (rounds == 0) return qb_fail(err, QB_BAD_INPUT, "no rounds to compare");
  out->base_cpu = base[0]->cpu_model;
  out->head_cpu = head[0]->cpu_model;
  out->base_version = base[0]->version;
  out->head_version = head[0]->version;

  qb_compare_opts co;
  qb_compare_opts_default(&co);
  co.error_tolerance = opts->error_tolerance;
  co.strict_reassoc = opts->strict_reassoc;
  qb_comparison* cmp = calloc(rounds, sizeof *cmp);
  qb__entry* e = NULL;
  qb__group* g = NULL;
  qb_status st = QB_OK;
  if (cmp == NULL) return qb_fail(err, QB_NO_MEMORY, "out of memory for %zu rounds", rounds);
  size_t total = 0;
  for (size_t r = 0; r < rounds; r++) {
    if ((st = qb_compare_sets(base[r], head[r], &co, &cmp[r], err)) != QB_OK) goto done;
    out->emulated |= qb_comparison_emulated(&cmp[r]);
    total += cmp[r].n_rows;
  }
  e = malloc((total ? total : 1) * sizeof *e);
  g = malloc((total ? total : 1) * sizeof *g);
  out->rows = calloc(total ? total : 1, sizeof *out->rows);
  if (e == NULL || g == NULL || out->rows == NULL) {
    st = qb_fail(err, QB_NO_MEMORY, "out of memory pairing %zu rows", total);
    goto done;
  }
  size_t k = 0;
  for (size_t r = 0; r < rounds; r++) {
    for (size_t i = 0; i < cmp[r].n_rows; i++) e[k++] = (qb__entry){cmp[r].rows[i].name, r, i};
  }
  qsort(e, total, sizeof *e, qb__cmp_entry);
  size_t n_groups = 0;
  for (size_t i = 0; i < total;) {
    size_t j = i;
    while (j < total && strcmp(e[j].name, e[i].name) == 0) j++;
    g[n_groups++] = (qb__group){e + i, j - i};
    i = j;
  }
  qsort(g, n_groups, sizeof *g, qb__cmp_group_first);
  for (size_t i = 0; i < n_groups; i++) {
    if ((st = qb__pair_row(&out->rows[i], &g[i], cmp, rounds, opts, out->emulated, err)) != QB_OK) goto done;
    out->n_rows++;
    qb__count(out, &out->rows[i]);
  }
  st = qb__find_gone(out, err);
done:
  for (size_t r = 0; r < rounds; r++) qb_comparison_free(&cmp[r]);
  free(cmp);
  free(e);
  free(g);
  if (st != QB_OK) qb_paired_free(out);
  return st;
}

void qb_paired_free(qb_paired* p) {
  free(p->rows);
  free(p->gone);
  p->rows = NULL;
  p->gone = NULL;
  p->n_rows = p->n_gone = 0;
}

bool qb_paired_regressed(const qb_paired* p) {
  return p->n_slower + p->n_error_regressions + p->n_status_regressions + p->n_gone > 0 ||
         (p->icount != NULL && qb_icount_regressed(p->icount));
}

/* ---- reports ---- */

#define QB__NCOL 7
#define QB__CELL QB_REPORT_CELL
static const char* const qb__head[QB__NCOL] = {"name", "base", "head", "change", "interval", "n", "verdict"};

static void qb__cells(const qb_paired_row* r, char cells[][QB_REPORT_CELL]) {
  char lo[24], hi[24];
  qb_report_fmt_time(cells[1], QB__CELL, r->base_median);
  qb_report_fmt_time(cells[2], QB__CELL, r->head_median);
  qb_report_fmt_pct(cells[3], QB__CELL, r->est.change_pct, 1);
  if (isfinite(r->est.lo_pct)) {
    qb_report_fmt_pct(lo, sizeof lo, r->est.lo_pct, 1);
    qb_report_fmt_pct(hi, sizeof hi, r->est.hi_pct, 1);
    snprintf(cells[4], QB__CELL, "[%s, %s]", lo, hi);
  } else {
    snprintf(cells[4], QB__CELL, "-");
  }
  snprintf(cells[5], QB__CELL, "%zu", r->est.n);
  snprintf(cells[6], QB__CELL, "%s (>%g%%)", qb_paired_verdict_name(r->verdict), r->threshold_pct);
}

/* The rows of a table and the ones it shows. */
typedef struct qb__picked {
  const qb_paired_row* rows;
  bool (*pick)(const qb_paired_row*);
} qb__picked;

/* A picked row's name and cells (qb_report_row_fn); NULL for the others. */
static const char* qb__picked_row(const void* rows, size_t i, char cells[][QB_REPORT_CELL]) {
  const qb__picked* p = rows;
  if (!p->pick(&p->rows[i])) return NULL;
  qb__cells(&p->rows[i], cells);
  return p->rows[i].name;
}

/* The timing table of the rows that `pick` selects. */
static void qb__table(FILE* f, const qb_paired* p, bool md, bool (*pick)(const qb_paired_row*)) {
  const qb__picked picked = {p->rows, pick};
  qb_report_table(f, md, "  ", QB__NCOL, qb__head, p->n_rows, qb__picked_row, &picked);
}

static bool qb__pick_slower(const qb_paired_row* r) {
  return r->verdict == QB_PAIRED_SLOWER;
}
static bool qb__pick_faster(const qb_paired_row* r) {
  return r->verdict == QB_PAIRED_FASTER;
}
static bool qb__pick_timed(const qb_paired_row* r) {
  return r->verdict != QB_PAIRED_NOT_TIMED;
}

/* The instruction counts' section: what was compared, and every kernel whose count
 * changed (the regressions are also in the regressions list). */
static void qb__print_icount(FILE* f, const qb_icount_cmp* ic, bool md) {
  const char* li = md ? "- " : "  ";
  fprintf(
      f, md ? "\n### Instructions per element (callgrind)\n\n" : "\ninstructions per element (callgrind):\n");
  fprintf(f,
          "%s%zu CPU kernels, one call each under %s (ISA cap %s; kernels above it and OpenCL kernels are "
          "not counted): %zu same, %zu more within +%g %%, %zu MORE, %zu fewer, %zu gone, %zu new\n",
          li, ic->n_rows, ic->head_tool, ic->isa_cap, ic->n_same, ic->n_within, ic->threshold_pct, ic->n_more,
          ic->n_fewer, ic->n_gone, ic->n_new);
  if (strcmp(ic->base_tool, ic->head_tool) != 0) {
    fprintf(f, "%sWARNING: base counted under %s, head under %s\n", li, ic->base_tool, ic->head_tool);
  }
  for (size_t i = 0; i < ic->n_rows; i++) {
    const qb_icount_row* r = &ic->rows[i];
    if (r->verdict == QB_ICOUNT_SAME) continue;
    char b[32], h[32], c[32];
    snprintf(b, sizeof b, isfinite(r->base_pe) ? "%.4f" : "-", r->base_pe);
    snprintf(h, sizeof h, isfinite(r->head_pe) ? "%.4f" : "-", r->head_pe);
    snprintf(c, sizeof c, isfinite(r->change_pct) ? "%+.2f %%" : "-", r->change_pct);
    fprintf(f, "%s%s: %s -> %s (%s): %s\n", li, r->kernel, b, h, c, qb_icount_verdict_name(r->verdict));
  }
}

static void qb__print_text(FILE* f, const qb_paired* p, bool md) {
  const qb_paired_opts* o = &p->opts;
  const char* li = md ? "- " : "  ";
  fprintf(f, md ? "## qbench compare --paired\n\n" : "qbench compare --paired\n");
  fprintf(f,
          "%s%zu pairs of runs of base (A) and head (B) on %s; per row the Hodges-Lehmann shift of ln(B/A) "
          "over the pairs that hold it (its rounds, n) and its %g %% Wilcoxon signed-rank interval\n",
          li, p->n_rounds, p->head_cpu[0] ? p->head_cpu : "an unnamed CPU", 100 * (1 - o->alpha));
  fprintf(
      f,
      "%sa timing regression: interval wholly above +%g %% (host-timed rows), +%g %% (device-timed rows); "
      "error tolerance %g (relative)\n",
      li, o->threshold_pct, o->device_threshold_pct, o->error_tolerance);
  if (strcmp(p->base_cpu, p->head_cpu) != 0) {
    fprintf(f, "%sWARNING: base ran on '%s', head on '%s': not a paired run of one machine\n", li,
            p->base_cpu, p->head_cpu);
  }
  if (p->emulated)
    fprintf(f, "%san emulated run: timing not compared, only statuses and numerical error\n", li);

  fprintf(f, md ? "\n### Regressions\n\n" : "\nregressions:\n");
  size_t listed = 0;
  if (p->n_slower) {
    fprintf(f, md ? "Timing:\n\n" : "  timing:\n");
    qb__table(f, p, md, qb__pick_slower);
    if (md) fprintf(f, "\n");
    listed++;
  }
  for (size_t i = 0; i < p->n_gone; i++, listed++) {
    fprintf(f, "%sDEVICE GONE: %s %s (%zu rows ok in the base, none in the head)\n", li, p->gone[i].backend,
            p->gone[i].device, p->gone[i].base_ok_rows);
  }
  for (size_t i = 0; i < p->n_rows; i++) {
    const qb_paired_row* r = &p->rows[i];
    if (r->status_regression) {
      fprintf(f, "%sSTATUS: %s: %s -> %s%s%s\n", li, r->name, r->base_status, r->head_status,
              r->head_reason[0] ? ": " : "", r->head_reason);
      listed++;
    }
    if (r->error_regression) {
      if (r->error_metric >= 0) {
        fprintf(f, "%sNUMERICAL ERROR: %s: %s %.10g -> %.10g\n", li, r->name,
                qb_compare_error_metric_name(r->error_metric), r->error_base, r->error_head);
      } else {
        fprintf(f, "%sNUMERICAL ERROR: %s\n", li, r->name);
      }
      listed++;
    }
  }
  const qb_icount_cmp* ic = p->icount;
  for (size_t i = 0; ic != NULL && i < ic->n_rows; i++) {
    const qb_icount_row* r = &ic->rows[i];
    if (r->verdict == QB_ICOUNT_MORE) {
      fprintf(f, "%sINSTRUCTIONS: %s: %.4f -> %.4f per element (%+.2f %%, threshold +%g %%)\n", li, r->kernel,
              r->base_pe, r->head_pe, r->change_pct, ic->threshold_pct);
      listed++;
    } else if (r->verdict == QB_ICOUNT_GONE) {
      fprintf(f, "%sINSTRUCTIONS: %s: counted in the base (%.4f per element), not in the head\n", li,
              r->kernel, r->base_pe);
      listed++;
    }
  }
  if (listed == 0) fprintf(f, "%snone\n", li);

  if (p->n_error_within_bound) {
    fprintf(f, md ? "\n### Numerical error within a reassoc bound (not failing)\n\n"
                  : "\nnumerical error within a reassoc bound (not failing):\n");
    for (size_t i = 0; i < p->n_rows; i++) {
      const qb_paired_row* r = &p->rows[i];
      if (!r->error_within_bound || r->error_regression) continue;
      fprintf(f, "%s%s: %s %.10g -> %.10g", li, r->name, qb_compare_error_metric_name(r->within_metric),
              r->within_base, r->within_head);
      if (isfinite(r->within_bound))
        fprintf(f, "; bound on |result - scalar reference| %.3g", r->within_bound);
      fprintf(f, "\n");
    }
  }
  if (p->n_no_verdict) {
    fprintf(f, md ? "\n### No verdict (not failing)\n\n" : "\nno verdict (not failing):\n");
    for (size_t i = 0; i < p->n_rows; i++) {
      const qb_paired_row* r = &p->rows[i];
      if (r->verdict == QB_PAIRED_NO_VERDICT) fprintf(f, "%s%s: %s\n", li, r->name, r->why);
    }
  }
  if (p->n_faster) {
    fprintf(f, md ? "\n### Faster\n\n" : "\nfaster:\n");
    qb__table(f, p, md, qb__pick_faster);
  }
  bool untimed = false;
  for (size_t i = 0; i < p->n_rows; i++) {
    const qb_paired_row* r = &p->rows[i];
    if (r->verdict != QB_PAIRED_NOT_TIMED || r->status_regression) continue;
    if (!untimed) fprintf(f, md ? "\n### Not timed\n\n" : "\nnot timed:\n");
    untimed = true;
    fprintf(f, "%s%s: %s%s%s\n", li, r->name, r->why,
            r->head_reason[0] ? ": " : (r->base_reason[0] ? ": " : ""),
            r->head_reason[0] ? r->head_reason : r->base_reason);
  }
  if (ic != NULL) qb__print_icount(f, ic, md);
  fprintf(f, md ? "\n### Every timed row\n\n" : "\nevery timed row:\n");
  qb__table(f, p, md, qb__pick_timed);
  fprintf(f,
          "%s%zu rows: %zu pass, %zu slower, %zu faster, %zu no verdict, %zu not timed, %zu new; %zu error "
          "regressions, %zu status regressions, %zu devices gone\n",
          md ? "\n" : "\nsummary: ", p->n_rows, p->n_pass, p->n_slower, p->n_faster, p->n_no_verdict,
          p->n_not_timed, p->n_new, p->n_error_regressions, p->n_status_regressions, p->n_gone);
  if (p->n_error_within_bound) {
    fprintf(f, "%s%zu rows' error figures moved within their reassoc bound (not a regression)\n",
            md ? "\n" : "         ", p->n_error_within_bound);
  }
  if (ic != NULL) {
    fprintf(f, "%s%zu kernels' instructions per element: %zu more than +%g %%, %zu no longer counted\n",
            md ? "\n" : "instructions: ", ic->n_rows, ic->n_more, ic->threshold_pct, ic->n_gone);
  } else {
    fprintf(f, "%sinstructions: not compared\n", md ? "\n" : "");
  }
  fprintf(f, "%s%s%s\n",
          md ? "\n**result: " : "result: ", qb_paired_regressed(p) ? "REGRESSION" : "no regression",
          md ? "**" : "");
}

static json_t* qb__jnum(double v) {
  return isfinite(v) ? json_real(v) : json_null();
}

static json_t* qb__row_json(const qb_paired_row* r) {
  json_t* o =
      json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "name", r->name, "backend", r->backend, "device",
                r->device, "timing", r->timing, "base_status", r->base_status, "head_status", r->head_status,
                "base_reason", r->base_reason, "head_reason", r->head_reason);
  if (o == NULL) return NULL;
  json_object_set_new(o, "rounds", json_integer((json_int_t) r->est.n));
  json_object_set_new(o, "head_missing_rounds", json_integer((json_int_t) r->head_missing_rounds));
  json_object_set_new(o, "base_median_ns", qb__jnum(r->base_median));
  json_object_set_new(o, "head_median_ns", qb__jnum(r->head_median));
  json_object_set_new(o, "change_pct", qb__jnum(r->est.change_pct));
  json_object_set_new(o, "interval_lo_pct", qb__jnum(r->est.lo_pct));
  json_object_set_new(o, "interval_hi_pct", qb__jnum(r->est.hi_pct));
  json_object_set_new(o, "confidence", qb__jnum(r->est.confidence));
  json_object_set_new(o, "threshold_pct", json_real(r->threshold_pct));
  json_object_set_new(o, "verdict", json_string(qb_paired_verdict_name(r->verdict)));
  json_object_set_new(o, "why", json_string(r->why));
  json_object_set_new(o, "status_regression", json_boolean(r->status_regression));
  json_object_set_new(o, "error_regression", json_boolean(r->error_regression));
  if (r->error_metric >= 0) {
    json_object_set_new(o, "error_worse",
                        json_pack("{s:s, s:o, s:o}", "metric", qb_compare_error_metric_name(r->error_metric),
                                  "base", qb__jnum(r->error_base), "head", qb__jnum(r->error_head)));
  }
  if (r->error_within_bound && !r->error_regression) {
    json_object_set_new(
        o, "error_within_bound",
        json_pack("{s:s, s:o, s:o, s:o}", "metric", qb_compare_error_metric_name(r->within_metric), "base",
                  qb__jnum(r->within_base), "head", qb__jnum(r->within_head), "bound",
                  qb__jnum(r->within_bound)));
  }
  return o;
}

static json_t* qb__icount_json(const qb_icount_cmp* ic) {
  if (ic == NULL) return json_null();
  json_t* rows = json_array();
  if (rows == NULL) return NULL;
  for (size_t i = 0; i < ic->n_rows; i++) {
    const qb_icount_row* r = &ic->rows[i];
    json_array_append_new(
        rows, json_pack("{s:s, s:o, s:o, s:o, s:s}", "kernel", r->kernel, "base_per_element",
                        qb__jnum(r->base_pe), "head_per_element", qb__jnum(r->head_pe), "change_pct",
                        qb__jnum(r->change_pct), "verdict", qb_icount_verdict_name(r->verdict)));
  }
  return json_pack("{s:s, s:s, s:s, s:f, s:{s:I, s:I, s:I, s:I, s:I, s:I}, s:b, s:o}", "base_tool",
                   ic->base_tool, "head_tool", ic->head_tool, "isa_cap", ic->isa_cap, "threshold_pct",
                   ic->threshold_pct, "summary", "same", (json_int_t) ic->n_same, "within",
                   (json_int_t) ic->n_within, "more", (json_int_t) ic->n_more, "fewer",
                   (json_int_t) ic->n_fewer, "gone", (json_int_t) ic->n_gone, "new", (json_int_t) ic->n_new,
                   "regression", qb_icount_regressed(ic), "rows", rows);
}

static json_t* qb__paired_json(const qb_paired* p) {
  const qb_paired_opts* o = &p->opts;
  json_t* rows = json_array();
  json_t* gone = json_array();
  if (rows == NULL || gone == NULL) {
    json_decref(rows);
    json_decref(gone);
    return NULL;
  }
  for (size_t i = 0; i < p->n_rows; i++) json_array_append_new(rows, qb__row_json(&p->rows[i]));
  for (size_t i = 0; i < p->n_gone; i++) {
    json_array_append_new(
        gone, json_pack("{s:s, s:s, s:I}", "backend", p->gone[i].backend, "device", p->gone[i].device,
                        "base_ok_rows", (json_int_t) p->gone[i].base_ok_rows));
  }
  json_t* doc = json_pack(
      "{s:s, s:I, s:{s:f, s:f, s:f, s:f}, s:{s:s, s:s, s:s, s:s}, s:b, "
      "s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}, s:b, s:o, s:o, s:o}",
      "method", "paired rounds; Hodges-Lehmann shift of ln(head/base), Wilcoxon signed-rank interval",
      "rounds", (json_int_t) p->n_rounds, "options", "threshold_pct", o->threshold_pct,
      "device_threshold_pct", o->device_threshold_pct, "alpha", o->alpha, "error_tolerance",
      o->error_tolerance, "machines", "base_cpu", p->base_cpu, "head_cpu", p->head_cpu, "base_version",
      p->base_version, "head_version", p->head_version, "emulated", p->emulated, "summary", "rows",
      (json_int_t) p->n_rows, "pass", (json_int_t) p->n_pass, "slower", (json_int_t) p->n_slower, "faster",
      (json_int_t) p->n_faster, "no_verdict", (json_int_t) p->n_no_verdict, "not_timed",
      (json_int_t) p->n_not_timed, "new", (json_int_t) p->n_new, "error_regressions",
      (json_int_t) p->n_error_regressions, "status_regressions", (json_int_t) p->n_status_regressions,
      "devices_gone", (json_int_t) p->n_gone, "regression", qb_paired_regressed(p), "gone", gone, "rows",
      rows, "instructions", qb__icount_json(p->icount));
  if (doc != NULL) {
    json_object_set_new(json_object_get(doc, "options"), "strict_reassoc", json_boolean(o->strict_reassoc));
    json_object_set_new(json_object_get(doc, "summary"), "error_within_bound",
                        json_integer((json_int_t) p->n_error_within_bound));
  }
  return doc;
}

qb_status qb_paired_print(FILE* f, const qb_paired* p, qb_compare_format fmt, qb_error* err) {
  if (fmt == QB_COMPARE_JSON) {
    json_t* doc = qb__paired_json(p);
    if (doc == NULL) return qb_fail(err, QB_NO_MEMORY, "out of memory building the paired comparison's JSON");
    int rc = json_dumpf(doc, f, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
    json_decref(doc);
    if (rc != 0) return qb_fail(err, QB_IO, "writing the paired comparison failed");
    fputc('\n', f);
  } else {
    qb__print_text(f, p, fmt == QB_COMPARE_MD);
  }
  return ferror(f) ? qb_fail(err, QB_IO, "writing the paired comparison failed") : QB_OK;
}
