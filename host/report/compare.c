/* qbench compare: matching, the U test, the verdicts and the reports (compare.h). */
#include "report/compare.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/table.h"

/* The exact U distribution is tabulated as (min side + 1) x (min*max + 1) doubles;
 * beyond this many cells the normal approximation is used instead. */
#define QB__MWU_EXACT_MAX_CELLS 4000000u

void qb_compare_opts_default(qb_compare_opts* o) {
  o->threshold_pct = QB_COMPARE_DEFAULT_THRESHOLD_PCT;
  o->alpha = QB_COMPARE_DEFAULT_ALPHA;
  o->normalize_roof = false;
  o->error_tolerance = 0.0;
  o->strict_reassoc = false;
}

static const struct {
  const char* name;
  bool higher_is_better;
} qb__metrics[QB_CMP_ERR_COUNT] = {
#define QB__X(field, hib) {#field, hib},
    QB_COMPARE_ERROR_METRICS(QB__X)
#undef QB__X
};

const char* qb_compare_error_metric_name(int metric) {
  return metric >= 0 && metric < QB_CMP_ERR_COUNT ? qb__metrics[metric].name : "?";
}

const char* qb_cmp_verdict_name(qb_cmp_verdict v) {
  switch (v) {
    case QB_CMP_NOT_TIMED:
      return "n/a";
    case QB_CMP_SAME:
      return "same";
    case QB_CMP_SLOWER:
      return "SLOWER";
    case QB_CMP_SLOWER_WEAK:
      return "slower? (weak)";
    case QB_CMP_FASTER:
      return "faster";
    case QB_CMP_FASTER_WEAK:
      return "faster? (weak)";
    case QB_CMP_EMULATED:
      return "not compared: emulated run";
  }
  return "?";
}

/* ---- statistics ---- */

static int qb__cmp_double(const void* a, const void* b) {
  double x = *(const double*) a, y = *(const double*) b;
  return (x > y) - (x < y);
}

double qb_median_inplace(double* v, size_t n) {
  if (n == 0) return NAN;
  qsort(v, n, sizeof *v, qb__cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

typedef struct qb__mw_item {
  double v;
  int side; /* 0: a, 1: b */
} qb__mw_item;

static int qb__cmp_item(const void* a, const void* b) {
  return qb__cmp_double(&((const qb__mw_item*) a)->v, &((const qb__mw_item*) b)->v);
}

/*
 * P(U <= k) for sample sizes m and n without ties: the number of orderings with a
 * given U follows f(i, j, u) = f(i-1, j, u-j) + f(i, j-1, u) (Mann and Whitney 1947),
 * tabulated one j at a time over i = 0..s (s the smaller size). Only additions of
 * positive counts, so doubles keep the ratio accurate even past 2^53.
 */
static double qb__mwu_exact_cdf(size_t m, size_t n, size_t k) {
  size_t s = m < n ? m : n, l = m < n ? n : m;
  size_t width = s * l + 1;
  if ((s + 1) > QB__MWU_EXACT_MAX_CELLS / width) return NAN;
  double* f = calloc((s + 1) * width, sizeof *f);
  if (f == NULL) return NAN;
  for (size_t i = 0; i <= s; i++) f[i * width] = 1.0; /* j = 0: only u = 0 */
  for (size_t j = 1; j <= l; j++) {
    for (size_t i = 1; i <= s; i++) {
      double* row = f + i * width;
      const double* prev = f + (i - 1) * width; /* already at this j */
      for (size_t u = width; u-- > j;) row[u] += prev[u - j];
    }
  }
  double below = 0, total = 0;
  const double* last = f + s * width;
  for (size_t u = 0; u < width; u++) {
    total += last[u];
    if (u <= k) below += last[u];
  }
  free(f);
  return below / total;
}

double qb_mann_whitney_p(const double* a, size_t na, const double* b, size_t nb) {
  if (na == 0 || nb == 0) return NAN;
  size_t n = na + nb;
  qb__mw_item* it = malloc(n * sizeof *it);
  if (it == NULL) return NAN;
  for (size_t i = 0; i < na; i++) it[i] = (qb__mw_item){a[i], 0};
  for (size_t i = 0; i < nb; i++) it[na + i] = (qb__mw_item){b[i], 1};
  qsort(it, n, sizeof *it, qb__cmp_item);

  /* 1. Rank sum of a, ties sharing their average rank; the tie term sum(t^3 - t). */
  double r1 = 0, tie_term = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && it[j].v == it[i].v) j++;
    double t = (double) (j - i), rank = 0.5 * (double) (i + 1 + j);
    for (size_t k = i; k < j; k++) {
      if (it[k].side == 0) r1 += rank;
    }
    tie_term += t * t * t - t;
    i = j;
  }
  free(it);

  /* 2. U of a and of b; the two-sided test uses the larger. */
  double u1 = r1 - (double) na * (double) (na + 1) / 2;
  double u2 = (double) na * (double) nb - u1;
  double u = u1 > u2 ? u1 : u2;

  /* 3. scipy's "auto": exact unless both sides exceed 8 samples or anything ties. */
  double p = NAN;
  if (!(na > 8 && nb > 8) && tie_term == 0) {
    size_t k = (size_t) ((double) na * (double) nb - u + 0.5);
    p = 2 * qb__mwu_exact_cdf(na, nb, k);
  }
  if (isnan(p)) {
    double mu = (double) na * (double) nb / 2, dn = (double) n;
    double var = (double) na * (double) nb / 12 * ((dn + 1) - tie_term / (dn * (dn - 1)));
    if (!(var > 0)) return 1.0;            /* every sample equal: no evidence of a difference */
    double z = (u - mu - 0.5) / sqrt(var); /* continuity correction, as scipy */
    p = erfc(z / sqrt(2.0));               /* 2 * the normal survival function */
  }
  return p > 1 ? 1 : p;
}

double qb_mann_whitney_min_p(size_t na, size_t nb) {
  if (na == 0 || nb == 0) return 1.0;
  /* C(na + nb, na) as a running product; each step stays an exact-enough double. */
  double c = 1;
  for (size_t k = 1; k <= na; k++) c = c * (double) (nb + k) / (double) k;
  double p = 2 / c;
  return p > 1 ? 1 : p;
}

/* ---- grouping rows by name ---- */

typedef struct qb__sort_ctx_row {
  const char* name;
  size_t index;
} qb__sort_row;

/* Aggregates are named "<name>_median" etc.; their run_name is the name they belong to. */
static const char* qb__row_key(const qb_result_row* row) {
  return row->run_name[0] != '\0' ? row->run_name : row->name;
}

static int qb__cmp_sort_row(const void* a, const void* b) {
  const qb__sort_row *x = a, *y = b;
  int c = strcmp(x->name, y->name);
  if (c != 0) return c;
  return (x->index > y->index) - (x->index < y->index);
}

/* Rows of one name: idx[0..n) in file order. */
typedef struct qb__group {
  const char* name;
  const size_t* idx;
  size_t n;
} qb__group;

typedef struct qb__index {
  size_t* order; /* row indices sorted by (name, index) */
  qb__group* groups;
  size_t n_groups;
} qb__index;

static void qb__index_free(qb__index* x) {
  free(x->order);
  free(x->groups);
  memset(x, 0, sizeof *x);
}

static qb_status qb__index_build(const qb_resultset* r, qb__index* x, qb_error* err) {
  memset(x, 0, sizeof *x);
  size_t n = r->n_rows;
  qb__sort_row* tmp = malloc((n ? n : 1) * sizeof *tmp);
  x->order = malloc((n ? n : 1) * sizeof *x->order);
  x->groups = malloc((n ? n : 1) * sizeof *x->groups);
  if (tmp == NULL || x->order == NULL || x->groups == NULL) {
    free(tmp);
    qb__index_free(x);
    return qb_fail(err, QB_NO_MEMORY, "%s: out of memory indexing %zu rows", r->path, n);
  }
  for (size_t i = 0; i < n; i++) tmp[i] = (qb__sort_row){qb__row_key(&r->rows[i]), i};
  qsort(tmp, n, sizeof *tmp, qb__cmp_sort_row);
  for (size_t i = 0; i < n; i++) x->order[i] = tmp[i].index;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && strcmp(tmp[j].name, tmp[i].name) == 0) j++;
    x->groups[x->n_groups++] = (qb__group){tmp[i].name, x->order + i, j - i};
    i = j;
  }
  free(tmp);
  return QB_OK;
}

static const qb__group* qb__index_find(const qb__index* x, const char* name) {
  size_t lo = 0, hi = x->n_groups;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(x->groups[mid].name, name);
    if (c == 0) return &x->groups[mid];
    if (c < 0) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return NULL;
}

/* ---- one side of a row ---- */

typedef struct qb__side {
  const char *status, *reason;
  size_t n; /* ok samples */
  double *time, *roof, *bps, *gflops;
  const qb_result_error* error;
} qb__side;

static void qb__side_free(qb__side* s) {
  free(s->time);
  free(s->roof);
  free(s->bps);
  free(s->gflops);
  memset(s, 0, sizeof *s);
}

static bool qb__is_iteration(const qb_result_row* row) {
  return row->run_type[0] == '\0' || strcmp(row->run_type, "iteration") == 0;
}

static const char* qb__row_status(const qb_result_row* row) {
  if (row->has_qbench && row->status[0] != '\0') return row->status;
  return row->error_occurred ? "error" : "ok";
}

static const char* qb__row_reason(const qb_result_row* row) {
  return row->reason[0] != '\0' ? row->reason : row->error_message;
}

/*
 * The samples of one row name: its per-repetition (iteration) rows, aggregates ignored;
 * when a file holds only aggregates (--benchmark_report_aggregates_only), its median
 * is the one sample. The status is the first that is not ok, else ok.
 */
static bool qb__side_build(const qb_resultset* r, const qb__group* g, qb__side* s) {
  memset(s, 0, sizeof *s);
  s->status = "ok";
  s->reason = "";
  size_t cap = g->n;
  s->time = malloc(cap * sizeof(double));
  s->roof = malloc(cap * sizeof(double));
  s->bps = malloc(cap * sizeof(double));
  s->gflops = malloc(cap * sizeof(double));
  if (!s->time || !s->roof || !s->bps || !s->gflops) return false;
  bool any_iteration = false;
  for (size_t i = 0; i < g->n; i++) any_iteration |= qb__is_iteration(&r->rows[g->idx[i]]);
  for (size_t i = 0; i < g->n; i++) {
    const qb_result_row* row = &r->rows[g->idx[i]];
    bool use = any_iteration ? qb__is_iteration(row) : strcmp(row->aggregate_name, "median") == 0;
    if (!use) continue;
    const char* st = qb__row_status(row);
    if (strcmp(st, "ok") != 0) {
      if (strcmp(s->status, "ok") == 0) {
        s->status = st;
        s->reason = qb__row_reason(row);
      }
      continue;
    }
    if (s->error == NULL && row->has_qbench && row->error.present) s->error = &row->error;
    s->time[s->n] = row->real_time_ns;
    s->roof[s->n] = row->roof_fraction;
    s->bps[s->n] = row->bytes_per_second;
    s->gflops[s->n] = row->gflops;
    s->n++;
  }
  if (!any_iteration && s->n == 0 && strcmp(s->status, "ok") == 0) {
    s->status = "error";
    s->reason = "no iteration or median row";
  }
  return true;
}

/* Median of the finite, positive values among v[0..n) (v is reordered); NAN if none. */
static double qb__median_positive(double* v, size_t n) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (isfinite(v[i]) && v[i] > 0) v[k++] = v[i];
  }
  return k == n ? qb_median_inplace(v, k) : NAN;
}

static double qb__change_pct(double base, double now) {
  return isfinite(base) && isfinite(now) && base > 0 ? (now / base - 1) * 100 : NAN;
}

static bool qb__all_positive(const double* v, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (!(isfinite(v[i]) && v[i] > 0)) return false;
  }
  return n > 0;
}

/* ---- one matched row ---- */

static double qb__metric(const qb_result_error* e, int m) {
  switch (m) {
#define QB__X(field, hib)  \
  case QB_CMP_ERR_##field: \
    return (double) e->field;
    QB_COMPARE_ERROR_METRICS(QB__X)
#undef QB__X
  }
  return NAN;
}

/*
 * Whether a metric got worse beyond the relative tolerance. A count of -1 (absent) or
 * NAN on either side is not compared. An infinite base (an exact SQNR) has no slack:
 * any finite value is worse.
 */
static bool qb__metric_worse(int m, double base, double now, double tol) {
  if (isnan(base) || isnan(now)) return false;
  if ((m == QB_CMP_ERR_mismatches || m == QB_CMP_ERR_nan_inf_mismatches) && (base < 0 || now < 0))
    return false;
  if (base == now) return false;
  double slack = isfinite(base) ? tol * fabs(base) : 0;
  if (qb__metrics[m].higher_is_better) return now < base && base - now > slack;
  return now > base && now - base > slack;
}

/* Whether a comma-separated list of words ("nan-canon,reassoc") holds `word`. */
static bool qb__has_word(const char* list, const char* word) {
  const size_t len = strlen(word);
  for (const char* p = list; *p;) {
    const size_t k = strcspn(p, ",");
    if (k == len && strncmp(p, word, len) == 0) return true;
    p += k + (p[k] == ',');
  }
  return false;
}

/*
 * A dot that declares reassoc may sum in any order, and each order rounds differently:
 * its contract is the bound its semantics give (numerics/verify.h), not the base's exact
 * figure. While NEW meets the bound (no mismatch against the scalar reference, which its
 * run checked), a worse figure is a change within the semantics, not a regression.
 */
static bool qb__within_bound(const qb_result_error* n) {
  return qb__has_word(n->semantics, "reassoc") && n->mismatches == 0 && n->nan_inf_mismatches == 0;
}

static void qb__judge_errors(qb_cmp_row* row, const qb__side* b, const qb__side* n, double tol,
                             bool strict_reassoc) {
  for (int m = 0; m < QB_CMP_ERR_COUNT; m++) row->err_base[m] = row->err_new[m] = NAN;
  row->err_bound = NAN;
  if (b->error == NULL || n->error == NULL) return;
  row->has_error = true;
  row->err_bound = n->error->bound;
  const bool within = !strict_reassoc && qb__within_bound(n->error);
  for (int m = 0; m < QB_CMP_ERR_COUNT; m++) {
    row->err_base[m] = qb__metric(b->error, m);
    row->err_new[m] = qb__metric(n->error, m);
    if ((m == QB_CMP_ERR_mismatches || m == QB_CMP_ERR_nan_inf_mismatches)) {
      if (row->err_base[m] < 0) row->err_base[m] = NAN;
      if (row->err_new[m] < 0) row->err_new[m] = NAN;
    }
    const bool worse = qb__metric_worse(m, row->err_base[m], row->err_new[m], tol);
    const bool count = m == QB_CMP_ERR_mismatches || m == QB_CMP_ERR_nan_inf_mismatches;
    row->err_within[m] = worse && within && !count;
    row->err_worse[m] = worse && !row->err_within[m];
    row->error_regression |= row->err_worse[m];
    row->error_within_bound |= row->err_within[m];
  }
}

static void qb__judge_timing(qb_cmp_row* row, qb__side* b, qb__side* n, const qb_compare_opts* o,
                             bool emulated, bool* roof_fallback) {
  row->base_reps = b->n;
  row->new_reps = n->n;
  row->p_value = NAN;
  row->base_median = row->new_median = row->change_pct = NAN;
  row->base_min = row->new_min = NAN;
  /* An emulator's times are not the machine's: no figure derived from them is shown,
   * so that no reader takes an emulated change for a real one. */
  if (emulated && b->n > 0 && n->n > 0) {
    row->verdict = QB_CMP_EMULATED;
    return;
  }
  row->bps_change_pct = qb__change_pct(qb__median_positive(b->bps, b->n), qb__median_positive(n->bps, n->n));
  row->gflops_change_pct =
      qb__change_pct(qb__median_positive(b->gflops, b->n), qb__median_positive(n->gflops, n->n));
  if (b->n == 0 || n->n == 0) {
    row->verdict = QB_CMP_NOT_TIMED;
    return;
  }
  /* roof_change_pct needs the raw samples before the U test reorders them. */
  bool roofs = qb__all_positive(b->roof, b->n) && qb__all_positive(n->roof, n->n);
  if (o->normalize_roof && !roofs) *roof_fallback = true;
  row->by_roof = o->normalize_roof && roofs;
  double* bs = row->by_roof ? b->roof : b->time;
  double* ns = row->by_roof ? n->roof : n->time;
  row->p_value = b->n >= 2 && n->n >= 2 ? qb_mann_whitney_p(bs, b->n, ns, n->n) : NAN;
  row->base_median = qb_median_inplace(bs, b->n);
  row->new_median = qb_median_inplace(ns, n->n);
  if (!row->by_roof) {
    row->base_min = bs[0]; /* sorted by the median */
    row->new_min = ns[0];
  }
  if (roofs) {
    double rb = row->by_roof ? row->base_median : qb_median_inplace(b->roof, b->n);
    double rn = row->by_roof ? row->new_median : qb_median_inplace(n->roof, n->n);
    row->roof_change_pct = qb__change_pct(rb, rn);
  }
  /* A roof fraction is a rate: its time-equivalent change is base / new - 1. */
  row->change_pct = row->by_roof ? qb__change_pct(row->new_median, row->base_median)
                                 : qb__change_pct(row->base_median, row->new_median);
  bool weak = b->n < QB_COMPARE_STRONG_REPS || n->n < QB_COMPARE_STRONG_REPS;
  /* Too few samples for the test to ever reach alpha (3 a side: p >= 0.1): a median
   * change beyond the threshold is still worth a flag, marked weak, never failing. */
  bool significant = weak || row->p_value < o->alpha;
  row->verdict = QB_CMP_SAME;
  if (significant && row->change_pct > o->threshold_pct) {
    row->verdict = weak ? QB_CMP_SLOWER_WEAK : QB_CMP_SLOWER;
  } else if (significant && row->change_pct < -o->threshold_pct) {
    row->verdict = weak ? QB_CMP_FASTER_WEAK : QB_CMP_FASTER;
  }
}

static void qb__count(qb_comparison* c, const qb_cmp_row* row) {
  if (row->presence == QB_CMP_NEW_ONLY) c->n_new++;
  if (row->presence == QB_CMP_BASE_ONLY) c->n_missing++;
  c->n_status_regressions += row->status_regression;
  if (row->presence != QB_CMP_BOTH) return;
  c->n_common++;
  if (strcmp(row->new_status, "skipped") == 0) c->n_skipped++;
  if (strcmp(row->new_status, "error") == 0) c->n_errored++;
  c->n_slower += row->verdict == QB_CMP_SLOWER;
  c->n_slower_weak += row->verdict == QB_CMP_SLOWER_WEAK;
  c->n_faster += row->verdict == QB_CMP_FASTER;
  c->n_error_regressions += row->error_regression;
  c->n_error_within_bound += row->error_within_bound && !row->error_regression;
}

static qb_status qb__compare_row(qb_cmp_row* row, const qb_resultset* base, const qb__group* bg,
                                 const qb_resultset* new_set, const qb__group* ng, const qb_compare_opts* o,
                                 bool* roof_fallback, qb_error* err) {
  qb__side b = {0}, n = {0};
  qb_status st = QB_OK;
  memset(row, 0, sizeof *row);
  row->name = bg ? bg->name : ng->name;
  row->presence = bg && ng ? QB_CMP_BOTH : bg ? QB_CMP_BASE_ONLY : QB_CMP_NEW_ONLY;
  const qb_result_row* first = bg ? &base->rows[bg->idx[0]] : &new_set->rows[ng->idx[0]];
  row->backend = first->backend;
  row->device = first->device;
  row->timing = first->timing;
  row->base_status = row->new_status = row->base_reason = row->new_reason = "";
  row->p_value = row->base_median = row->new_median = row->change_pct = NAN;
  row->base_min = row->new_min = NAN;
  row->bps_change_pct = row->gflops_change_pct = row->roof_change_pct = NAN;
  for (int m = 0; m < QB_CMP_ERR_COUNT; m++) row->err_base[m] = row->err_new[m] = NAN;
  if ((bg && !qb__side_build(base, bg, &b)) || (ng && !qb__side_build(new_set, ng, &n))) {
    st = qb_fail(err, QB_NO_MEMORY, "out of memory comparing row '%s'", row->name);
    goto done;
  }
  if (bg) {
    row->base_status = b.status;
    row->base_reason = b.reason;
  }
  if (ng) {
    row->new_status = n.status;
    row->new_reason = n.reason;
  }
  /* A row that was ok and is gone (its backend, device or variant vanished) is a
   * regression as much as one that now fails. */
  if (row->presence == QB_CMP_BASE_ONLY) row->status_regression = strcmp(b.status, "ok") == 0;
  if (row->presence != QB_CMP_BOTH) goto done;
  qb__judge_timing(row, &b, &n, o, base->emulated || new_set->emulated, roof_fallback);
  qb__judge_errors(row, &b, &n, o->error_tolerance, o->strict_reassoc);
  row->status_regression = strcmp(b.status, "ok") == 0 && strcmp(n.status, "ok") != 0;
done:
  qb__side_free(&b);
  qb__side_free(&n);
  return st;
}

static qb_status qb__check_suites(const qb_resultset* base, const qb_resultset* new_set, qb_error* err) {
  if (base->has_qbench && new_set->has_qbench && base->suite[0] && new_set->suite[0] &&
      strcmp(base->suite, new_set->suite) != 0) {
    return qb_fail(err, QB_BAD_INPUT,
                   "%s: suite '%s' differs from suite '%s' of %s (compare runs of one suite)", new_set->path,
                   new_set->suite, base->suite, base->path);
  }
  return QB_OK;
}

/* The first file index of a group: groups list their rows in file order. */
static int qb__cmp_group_first(const void* a, const void* b) {
  size_t x = (*(const qb__group*const*) a)->idx[0], y = (*(const qb__group*const*) b)->idx[0];
  return (x > y) - (x < y);
}

qb_status qb_compare_sets(const qb_resultset* base, const qb_resultset* new_set, const qb_compare_opts* opts,
                          qb_comparison* out, qb_error* err) {
  qb__index bi = {0}, ni = {0};
  const qb__group** order = NULL;
  memset(out, 0, sizeof *out);
  out->opts = *opts;
  out->base_path = base->path;
  out->new_path = new_set->path;
  out->base_emulated = base->emulated;
  out->new_emulated = new_set->emulated;
  qb_status st = qb__check_suites(base, new_set, err);
  if (st != QB_OK) goto done;
  if ((st = qb__index_build(base, &bi, err)) != QB_OK) goto done;
  if ((st = qb__index_build(new_set, &ni, err)) != QB_OK) goto done;

  /* Report order: BASE's rows in file order, then the rows only NEW has, in its order. */
  size_t total = bi.n_groups + ni.n_groups;
  order = malloc((total ? total : 1) * sizeof *order);
  out->rows = calloc(total ? total : 1, sizeof *out->rows);
  if (order == NULL || out->rows == NULL) {
    st = qb_fail(err, QB_NO_MEMORY, "out of memory comparing %s and %s", base->path, new_set->path);
    goto done;
  }
  for (size_t i = 0; i < bi.n_groups; i++) order[i] = &bi.groups[i];
  qsort(order, bi.n_groups, sizeof *order, qb__cmp_group_first);
  size_t n_order = bi.n_groups;
  size_t first_new = n_order;
  for (size_t i = 0; i < ni.n_groups; i++) {
    if (qb__index_find(&bi, ni.groups[i].name) == NULL) order[n_order++] = &ni.groups[i];
  }
  qsort(order + first_new, n_order - first_new, sizeof *order, qb__cmp_group_first);

  for (size_t i = 0; i < n_order; i++) {
    bool is_base = i < first_new;
    const qb__group* bg = is_base ? order[i] : NULL;
    const qb__group* ng = is_base ? qb__index_find(&ni, order[i]->name) : order[i];
    bool fb = false;
    st = qb__compare_row(&out->rows[out->n_rows], base, bg, new_set, ng, opts, &fb, err);
    if (st != QB_OK) goto done;
    out->n_roof_fallback += fb;
    qb__count(out, &out->rows[out->n_rows]);
    out->n_rows++;
  }
  if (out->n_common == 0) {
    st = qb_fail(err, QB_BAD_INPUT, "%s: no rows in common with %s (%zu rows vs %zu)", new_set->path,
                 base->path, bi.n_groups, ni.n_groups);
  }
done:
  free(order);
  qb__index_free(&bi);
  qb__index_free(&ni);
  if (st != QB_OK) qb_comparison_free(out);
  return st;
}

void qb_comparison_free(qb_comparison* c) {
  free(c->rows);
  c->rows = NULL;
  c->n_rows = 0;
}

bool qb_comparison_emulated(const qb_comparison* c) {
  return c->base_emulated || c->new_emulated;
}

bool qb_comparison_regressed(const qb_comparison* c) {
  return c->n_slower + c->n_error_regressions + c->n_status_regressions > 0;
}

/* ---- reports ---- */

#define QB__NCOL 9
#define QB__CELL QB_REPORT_CELL

static const char* const qb__timing_head[QB__NCOL] = {"name", "base",    "new",  "change", "p-value",
                                                      "reps", "verdict", "GB/s", "roof"};

/* The cells of one timed row (cell 0, the name, is left to the caller). */
static void qb__timing_cells(const qb_cmp_row* r, char cells[][QB_REPORT_CELL]) {
  if (r->by_roof) {
    snprintf(cells[1], QB__CELL, "%.4f", r->base_median);
    snprintf(cells[2], QB__CELL, "%.4f", r->new_median);
  } else {
    qb_report_fmt_time(cells[1], QB__CELL, r->base_median);
    qb_report_fmt_time(cells[2], QB__CELL, r->new_median);
  }
  qb_report_fmt_pct(cells[3], QB__CELL, r->change_pct, 2);
  if (isfinite(r->p_value)) {
    snprintf(cells[4], QB__CELL, "%.4f", r->p_value);
  } else {
    snprintf(cells[4], QB__CELL, "-");
  }
  snprintf(cells[5], QB__CELL, "%zu/%zu", r->base_reps, r->new_reps);
  snprintf(cells[6], QB__CELL, "%s", qb_cmp_verdict_name(r->verdict));
  qb_report_fmt_pct(cells[7], QB__CELL, r->bps_change_pct, 2);
  qb_report_fmt_pct(cells[8], QB__CELL, r->roof_change_pct, 2);
}

static bool qb__timed(const qb_cmp_row* r) {
  return r->presence == QB_CMP_BOTH && r->verdict != QB_CMP_NOT_TIMED;
}

/* A timed row's name and cells (qb_report_row_fn); NULL for the others. */
static const char* qb__timing_row(const void* rows, size_t i, char cells[][QB_REPORT_CELL]) {
  const qb_cmp_row* r = &((const qb_cmp_row*) rows)[i];
  if (!qb__timed(r)) return NULL;
  qb__timing_cells(r, cells);
  return r->name;
}

static void qb__print_timing(FILE* f, const qb_comparison* c, bool md) {
  qb_report_table(f, md, "", QB__NCOL, qb__timing_head, c->n_rows, qb__timing_row, c->rows);
}

/* Error metrics that changed, one row per line: "sqnr_db 45.1 -> 45 (-0.1) WORSE". */
static void qb__print_errors(FILE* f, const qb_comparison* c, bool md) {
  size_t unchanged = 0, compared = 0;
  for (size_t i = 0; i < c->n_rows; i++) {
    const qb_cmp_row* r = &c->rows[i];
    if (!r->has_error) continue;
    compared++;
    bool changed = false;
    for (int m = 0; m < QB_CMP_ERR_COUNT; m++) {
      double b = r->err_base[m], n = r->err_new[m];
      if (isnan(b) && isnan(n)) continue;
      if (b == n) continue;
      if (!changed) fprintf(f, md ? "- `%s`:" : "  %s:", r->name);
      changed = true;
      fprintf(f, " %s %.10g -> %.10g (%+.3g)%s;", qb__metrics[m].name, b, n, n - b,
              r->err_worse[m]    ? " WORSE"
              : r->err_within[m] ? " worse, within bound"
                                 : "");
    }
    if (changed && r->error_within_bound) {
      if (isfinite(r->err_bound)) {
        fprintf(f, " reassoc: within its bound of %.3g on |result - scalar reference|;", r->err_bound);
      } else {
        fprintf(f, " reassoc: within its bound (no mismatch against the scalar reference);");
      }
    }
    if (changed) {
      fprintf(f, "\n");
    } else {
      unchanged++;
    }
  }
  fprintf(f,
          md ? "\n%zu of %zu rows with error figures unchanged.\n"
             : "  %zu of %zu rows with error figures unchanged\n",
          unchanged, compared);
}

static void qb__print_lists(FILE* f, const qb_comparison* c, bool md) {
  const char* bullet = md ? "- " : "  ";
  /* Rows skipped on both sides, and rows skipped in BASE that NEW no longer plans (a
   * variant this CPU cannot run is not a row by default now), say nothing row by row:
   * one count each. */
  size_t still_skipped = 0, unplanned = 0;
  for (size_t i = 0; i < c->n_rows; i++) {
    const qb_cmp_row* r = &c->rows[i];
    if (r->presence == QB_CMP_BASE_ONLY && strcmp(r->base_status, "skipped") == 0) {
      unplanned++;
    } else if (r->presence == QB_CMP_BOTH && strcmp(r->base_status, "skipped") == 0 &&
               strcmp(r->new_status, "skipped") == 0) {
      still_skipped++;
    }
  }
  if (still_skipped) fprintf(f, "%s%zu rows skipped in both\n", bullet, still_skipped);
  if (unplanned) fprintf(f, "%s%zu rows skipped in BASE and not planned in NEW\n", bullet, unplanned);
  for (size_t i = 0; i < c->n_rows; i++) {
    const qb_cmp_row* r = &c->rows[i];
    if (r->presence == QB_CMP_BASE_ONLY && strcmp(r->base_status, "skipped") == 0) continue;
    if (r->presence == QB_CMP_BOTH && strcmp(r->base_status, "skipped") == 0 &&
        strcmp(r->new_status, "skipped") == 0)
      continue;
    if (r->presence == QB_CMP_NEW_ONLY) {
      fprintf(f, "%snew (only in NEW, %s): %s\n", bullet, r->new_status, r->name);
    } else if (r->presence == QB_CMP_BASE_ONLY) {
      fprintf(f, "%s%s (only in BASE): %s\n", bullet, r->status_regression ? "MISSING (was ok)" : "missing",
              r->name);
    } else if (strcmp(r->new_status, "ok") != 0 || strcmp(r->base_status, "ok") != 0) {
      const char* label = r->status_regression && strcmp(r->new_status, "skipped") == 0 ? "SKIPPED (was ok)"
                          : r->status_regression                                        ? "ERRORED (was ok)"
                          : strcmp(r->new_status, "skipped") == 0                       ? "skipped"
                          : strcmp(r->new_status, "error") == 0                         ? "errored"
                                                                                        : "now ok";
      fprintf(f, "%s%s: %s (%s -> %s)%s%s\n", bullet, label, r->name, r->base_status, r->new_status,
              r->new_reason[0] ? ": " : "", r->new_reason);
    }
  }
}

static void qb__print_text(FILE* f, const qb_comparison* c, bool md) {
  const qb_compare_opts* o = &c->opts;
  fprintf(
      f, md ? "## qbench compare\n\n- BASE: `%s`\n- NEW: `%s`\n" : "qbench compare\n  BASE: %s\n  NEW:  %s\n",
      c->base_path, c->new_path);
  fprintf(f,
          "%sby %s; a timing regression needs p < %g (Mann-Whitney U, two-sided) and a slowdown above %g%%; "
          "fewer than %d repetitions a side is a weak verdict; error tolerance %g (relative)\n\n",
          md ? "- " : "  ", o->normalize_roof ? "roof fraction (time-equivalent change)" : "median real time",
          o->alpha, o->threshold_pct, QB_COMPARE_STRONG_REPS, o->error_tolerance);
  if (qb_comparison_emulated(c)) {
    fprintf(f,
            "%stiming not compared: %s is an emulated run (its timings mean nothing); only statuses and "
            "numerical error are judged\n\n",
            md ? "- " : "  ",
            c->base_emulated && c->new_emulated ? "each file"
            : c->base_emulated                  ? "BASE"
                                                : "NEW");
  }
  if (c->n_roof_fallback) {
    fprintf(f, "%s%zu rows lack a roof fraction on a side: compared by time\n\n", md ? "- " : "  ",
            c->n_roof_fallback);
  }
  fprintf(f, md ? "### Timing\n\n" : "timing:\n");
  qb__print_timing(f, c, md);
  fprintf(f, md ? "\n### Numerical error\n\n" : "\nnumerical error:\n");
  qb__print_errors(f, c, md);
  fprintf(f, md ? "\n### Rows\n\n" : "\nrows:\n");
  qb__print_lists(f, c, md);
  fprintf(f,
          "%s%zu in common, %zu new, %zu missing, %zu skipped, %zu errored; %zu slower, %zu slower (weak), "
          "%zu faster; %zu error regressions, %zu status regressions\n",
          md ? "\n" : "\nsummary: ", c->n_common, c->n_new, c->n_missing, c->n_skipped, c->n_errored,
          c->n_slower, c->n_slower_weak, c->n_faster, c->n_error_regressions, c->n_status_regressions);
  if (c->n_error_within_bound) {
    fprintf(f, "%s%zu rows' error figures moved within their reassoc bound (not a regression)\n",
            md ? "\n" : "         ", c->n_error_within_bound);
  }
  fprintf(f, "%s%s\n",
          md ? "\n**result: " : "result: ", qb_comparison_regressed(c) ? "REGRESSION" : "no regression");
  if (md) fprintf(f, "**\n");
}

/* NAN and inf are not JSON: they become null. */
static json_t* qb__jnum(double v) {
  return isfinite(v) ? json_real(v) : json_null();
}

static json_t* qb__row_json(const qb_cmp_row* r) {
  static const char* const presence[] = {"both", "new", "missing"};
  json_t* o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "name", r->name, "presence", presence[r->presence],
                        "base_status", r->base_status, "new_status", r->new_status, "base_reason",
                        r->base_reason, "new_reason", r->new_reason);
  if (o == NULL) return NULL;
  json_object_set_new(o, "measure", json_string(r->by_roof ? "roof_fraction" : "real_time_ns"));
  json_object_set_new(o, "base_reps", json_integer((json_int_t) r->base_reps));
  json_object_set_new(o, "new_reps", json_integer((json_int_t) r->new_reps));
  json_object_set_new(o, "base_median", qb__jnum(r->base_median));
  json_object_set_new(o, "new_median", qb__jnum(r->new_median));
  json_object_set_new(o, "change_pct", qb__jnum(r->change_pct));
  json_object_set_new(o, "p_value", qb__jnum(r->p_value));
  json_object_set_new(o, "verdict", json_string(qb_cmp_verdict_name(r->verdict)));
  json_object_set_new(o, "bytes_per_second_change_pct", qb__jnum(r->bps_change_pct));
  json_object_set_new(o, "gflops_change_pct", qb__jnum(r->gflops_change_pct));
  json_object_set_new(o, "roof_fraction_change_pct", qb__jnum(r->roof_change_pct));
  if (r->has_error) {
    json_t* e = json_object();
    for (int m = 0; m < QB_CMP_ERR_COUNT; m++) {
      json_object_set_new(
          e, qb__metrics[m].name,
          json_pack("{s:o, s:o, s:b, s:b}", "base", qb__jnum(r->err_base[m]), "new", qb__jnum(r->err_new[m]),
                    "worse", r->err_worse[m], "within_bound", r->err_within[m]));
    }
    json_object_set_new(o, "error", e);
    json_object_set_new(o, "error_bound", qb__jnum(r->err_bound));
  }
  json_object_set_new(o, "error_regression", json_boolean(r->error_regression));
  json_object_set_new(o, "error_within_bound", json_boolean(r->error_within_bound && !r->error_regression));
  json_object_set_new(o, "status_regression", json_boolean(r->status_regression));
  return o;
}

static json_t* qb__comparison_json(const qb_comparison* c) {
  const qb_compare_opts* o = &c->opts;
  json_t* rows = json_array();
  for (size_t i = 0; i < c->n_rows; i++) json_array_append_new(rows, qb__row_json(&c->rows[i]));
  json_t* doc = json_pack(
      "{s:s, s:s, s:{s:f, s:f, s:b, s:f, s:i}, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}, "
      "s:b, "
      "s:o}",
      "base", c->base_path, "new", c->new_path, "options", "threshold_pct", o->threshold_pct, "alpha",
      o->alpha, "normalize_roof", o->normalize_roof, "error_tolerance", o->error_tolerance,
      "strong_repetitions", QB_COMPARE_STRONG_REPS, "summary", "common", (json_int_t) c->n_common, "new",
      (json_int_t) c->n_new, "missing", (json_int_t) c->n_missing, "skipped", (json_int_t) c->n_skipped,
      "errored", (json_int_t) c->n_errored, "slower", (json_int_t) c->n_slower, "slower_weak",
      (json_int_t) c->n_slower_weak, "faster", (json_int_t) c->n_faster, "error_regressions",
      (json_int_t) c->n_error_regressions, "status_regressions", (json_int_t) c->n_status_regressions,
      "roof_fallback", (json_int_t) c->n_roof_fallback, "regression", qb_comparison_regressed(c), "rows",
      rows);
  if (doc != NULL) {
    json_object_set_new(json_object_get(doc, "options"), "strict_reassoc", json_boolean(o->strict_reassoc));
    json_object_set_new(json_object_get(doc, "summary"), "error_within_bound",
                        json_integer((json_int_t) c->n_error_within_bound));
    json_object_set_new(doc, "emulated",
                        json_pack("{s:b, s:b}", "base", c->base_emulated, "new", c->new_emulated));
    json_object_set_new(doc, "timing_compared", json_boolean(!qb_comparison_emulated(c)));
  }
  return doc;
}

qb_status qb_compare_print(FILE* f, const qb_comparison* c, qb_compare_format fmt, qb_error* err) {
  if (fmt == QB_COMPARE_JSON) {
    json_t* doc = qb__comparison_json(c);
    if (doc == NULL) return qb_fail(err, QB_NO_MEMORY, "out of memory building the comparison's JSON");
    int rc = json_dumpf(doc, f, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
    json_decref(doc);
    if (rc != 0) return qb_fail(err, QB_IO, "writing the comparison failed");
    fputc('\n', f);
  } else {
    qb__print_text(f, c, fmt == QB_COMPARE_MD);
  }
  return ferror(f) ? qb_fail(err, QB_IO, "writing the comparison failed") : QB_OK;
}
