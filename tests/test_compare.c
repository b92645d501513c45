/* qbench compare, library level: the U test against scipy's figures, and the verdicts on
 * the hand-made fixtures in tests/data/results (made by make_fixtures.py there). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/compare.h"
#include "test_util.h"

#ifndef QB_TEST_DATA
#error "QB_TEST_DATA (tests/data/results) is set by tests/compareplot.cmake"
#endif

/* scipy.stats.mannwhitneyu(a, b, alternative="two-sided").pvalue, scipy 1.10.1. */
static void test_mann_whitney_matches_scipy(void** state) {
  (void) state;
  static const struct {
    double a[12], b[12];
    size_t na, nb;
    double p;
  } cases[] = {
      /* exact, no ties */
      {{1, 2, 3}, {4, 5, 6}, 3, 3, 0.1},
      {{1.5, 2.5, 3.5, 4.5, 5.5}, {1, 2, 3, 4, 5}, 5, 5, 0.6904761904761905},
      {{3, 1, 2}, {1.5, 2.5, 0.5, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 3, 12, 0.1010989010989011},
      /* asymptotic: both sides above 8 */
      {{1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
       {2.5, 3.5, 11, 12, 13, 14, 15, 16, 17, 18},
       10,
       10,
       0.009108496398030965},
      {{1, 2, 3, 4, 5, 6, 7, 8, 9}, {10, 11, 12, 13, 14, 15, 16, 17, 18}, 9, 9, 0.00041229480206169127},
      /* asymptotic: ties, with the tie correction */
      {{1, 1, 2, 2, 3}, {2, 3, 3, 4, 4}, 5, 5, 0.05241162867102868},
      {{5, 5, 5}, {5, 5, 5}, 3, 3, 1.0},
      {{1}, {2}, 1, 1, 1.0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    double p = qb_mann_whitney_p(cases[i].a, cases[i].na, cases[i].b, cases[i].nb);
    if (!(fabs(p - cases[i].p) <= 1e-12 * cases[i].p)) {
      fprintf(stderr, "case %zu: p = %.17g, scipy %.17g\n", i, p, cases[i].p);
      fail();
    }
  }
  assert_true(isnan(qb_mann_whitney_p(NULL, 0, cases[0].b, 3)));
}

static void test_median(void** state) {
  (void) state;
  double odd[] = {3, 1, 2}, even[] = {4, 1, 3, 2};
  assert_true(qb_median_inplace(odd, 3) == 2.0);
  assert_true(qb_median_inplace(even, 4) == 2.5);
  assert_true(isnan(qb_median_inplace(NULL, 0)));
}

/* Loads BASE and NEW from the fixtures and compares them. */
typedef struct qb__fx {
  qb_resultset base, new_set;
  qb_comparison cmp;
  qb_error err;
  qb_status st;
} qb__fx;

static void qb__fx_run(qb__fx* f, const char* base, const char* new_name, const qb_compare_opts* o) {
  char bp[512], np[512];
  qb_compare_opts def;
  qb_compare_opts_default(&def);
  memset(f, 0, sizeof *f);
  snprintf(bp, sizeof bp, "%s/%s", QB_TEST_DATA, base);
  snprintf(np, sizeof np, "%s/%s", QB_TEST_DATA, new_name);
  assert_int_equal(qb_resultset_load(bp, &f->base, &f->err), QB_OK);
  assert_int_equal(qb_resultset_load(np, &f->new_set, &f->err), QB_OK);
  f->st = qb_compare_sets(&f->base, &f->new_set, o ? o : &def, &f->cmp, &f->err);
}

static void qb__fx_free(qb__fx* f) {
  qb_comparison_free(&f->cmp);
  qb_resultset_free(&f->base);
  qb_resultset_free(&f->new_set);
}

static const qb_cmp_row* qb__row(const qb__fx* f, const char* prefix) {
  for (size_t i = 0; i < f->cmp.n_rows; i++) {
    if (strncmp(f->cmp.rows[i].name, prefix, strlen(prefix)) == 0) return &f->cmp.rows[i];
  }
  fail_msg("no row starting with %s", prefix);
  return NULL;
}

static void test_identical(void** state) {
  (void) state;
  qb__fx f;
  qb__fx_run(&f, "base.json", "base.json", NULL);
  assert_int_equal(f.st, QB_OK);
  assert_false(qb_comparison_regressed(&f.cmp));
  /* Five cases, aggregates folded into their rows (not rows of their own). */
  assert_int_equal(f.cmp.n_rows, 5);
  assert_int_equal(f.cmp.n_common, 5);
  assert_int_equal(f.cmp.n_skipped, 1);
  const qb_cmp_row* r = qb__row(&f, "f32_f16_cvt/avx2_u16/");
  assert_int_equal(r->verdict, QB_CMP_SAME);
  assert_int_equal(r->base_reps, 9);
  assert_true(r->change_pct == 0.0);
  assert_true(r->p_value == 1.0);
  qb__fx_free(&f);
}

static void test_slower_by_20pct(void** state) {
  (void) state;
  qb__fx f;
  qb__fx_run(&f, "base.json", "slow20.json", NULL);
  assert_int_equal(f.st, QB_OK);
  assert_true(qb_comparison_regressed(&f.cmp));
  assert_int_equal(f.cmp.n_slower, 1);
  const qb_cmp_row* r = qb__row(&f, "f32_f16_cvt/avx2_u16/");
  assert_int_equal(r->verdict, QB_CMP_SLOWER);
  assert_true(fabs(r->change_pct - 20.0) < 1e-9);
  /* Every new sample is above every base sample: scipy gives 0.00041229480206169127. */
  assert_true(fabs(r->p_value - 0.00041229480206169127) < 1e-15);
  assert_true(fabs(r->bps_change_pct - (1 / 1.2 - 1) * 100) < 1e-9);
  assert_int_equal(qb__row(&f, "f32_f16_cvt/scalar_u1/")->verdict, QB_CMP_SAME);
  qb__fx_free(&f);
}

static void test_sqnr_down_is_a_regression(void** state) {
  (void) state;
  qb__fx f;
  qb__fx_run(&f, "base.json", "sqnr_down.json", NULL);
  assert_int_equal(f.st, QB_OK);
  assert_true(qb_comparison_regressed(&f.cmp));
  assert_int_equal(f.cmp.n_error_regressions, 1);
  assert_int_equal(f.cmp.n_slower, 0);
  const qb_cmp_row* r = qb__row(&f, "f32_qs8_quant/");
  assert_true(r->error_regression);
  assert_true(r->err_worse[QB_CMP_ERR_sqnr_db]);
  assert_true(r->err_base[QB_CMP_ERR_sqnr_db] == 40.1);
  assert_true(r->err_new[QB_CMP_ERR_sqnr_db] == 40.1 - 0.1);
  assert_false(r->err_worse[QB_CMP_ERR_mismatches]);
  qb__fx_free(&f);

  /* A 3 % relative tolerance absorbs it (every metric moved by under 2.4 %: nmse 2.3 %). */
  qb_compare_opts o;
  qb_compare_opts_default(&o);
  o.error_tolerance = 0.03;
  qb__fx_run(&f, "base.json", "sqnr_down.json", &o);
  assert_false(qb_comparison_regressed(&f.cmp));
  qb__fx_free(&f);
}

/* A reassoc dot whose figures moved within its bound: shown, not failing; outside it, or
 * with --strict-reassoc, a regression. The base file carries no semantics (older files). */
static void test_reassoc_dot_judged_by_its_bound(void** state) {
  (void) state;
  qb__fx f;
  qb__fx_run(&f, "base.json", "reassoc_sqnr_down.json", NULL);
  assert_int_equal(f.st, QB_OK);
  assert_false(qb_comparison_regressed(&f.cmp));
  assert_int_equal(f.cmp.n_error_regressions, 0);
  assert_int_equal(f.cmp.n_error_within_bound, 1);
  const qb_cmp_row* r = qb__row(&f, "f32_dot/");
  assert_false(r->error_regression);
  assert_true(r->error_within_bound);
  assert_true(r->err_within[QB_CMP_ERR_sqnr_db]);
  assert_false(r->err_worse[QB_CMP_ERR_sqnr_db]);
  assert_true(r->err_within[QB_CMP_ERR_max_abs]);
  assert_false(r->err_within[QB_CMP_ERR_max_rel]); /* unchanged */
  assert_true(r->err_bound == 0.375);
  assert_false(qb__row(&f, "f32_qs8_quant/")->error_within_bound);
  qb__fx_free(&f);

  qb_compare_opts o;
  qb_compare_opts_default(&o);
  o.strict_reassoc = true;
  qb__fx_run(&f, "base.json", "reassoc_sqnr_down.json", &o);
  assert_true(qb_comparison_regressed(&f.cmp));
  assert_int_equal(f.cmp.n_error_within_bound, 0);
  r = qb__row(&f, "f32_dot/");
  assert_true(r->err_worse[QB_CMP_ERR_sqnr_db]);
  assert_false(r->error_within_bound);
  qb__fx_free(&f);

  /* One mismatch: outside the bound, so every worse figure counts. */
  qb__fx_run(&f, "base.json", "reassoc_mismatch.json", NULL);
  assert_true(qb_comparison_regressed(&f.cmp));
  assert_int_equal(f.cmp.n_error_regressions, 1);
  assert_int_equal(f.cmp.n_error_within_bound, 0);
  r = qb__row(&f, "f32_dot/");
  assert_true(r->err_worse[QB_CMP_ERR_mismatches]);
  assert_true(r->err_worse[QB_CMP_ERR_sqnr_db]);
  assert_false(r->error_within_bound);
  qb__fx_free(&f);
}

static void test_jitter_only(void** state) {
  (void) state;
  qb__fx f;
  qb__fx_run(&f, "base.json", "jitter.json", NULL);
  assert_int_equal(f.st, QB_OK);
  assert_false(qb_comparison_regressed(&f.cmp));
  for (size_t i = 0; i < f.cmp.n_rows; i++) {
    const qb_cmp_row* r = &f.cmp.rows[i];
    assert_true(r->verdict == QB_CMP_SAME || r->verdict == QB_CMP_NOT_TIMED);
    if (r->verdict == QB_CMP_SAME) assert_true(fabs(r->change_pct) < 3.0);
  }
  qb__fx_free(&f);
}

static void test_missing_new_errored(void** state) {
  (void) state;
  qb__fx f;
  qb__fx_run(&f, "base.json", "missing.json", NULL);
  assert_int_equal(f.st, QB_OK);
  /* A row that was ok and vanished is a regression (its backend, device or variant is
   * gone); a new row is reported, not failed. */
  assert_true(qb_comparison_regressed(&f.cmp));
  assert_int_equal(f.cmp.n_missing, 1);
  assert_int_equal(f.cmp.n_new, 1);
  assert_int_equal(f.cmp.n_status_regressions, 1);
  assert_int_equal(qb__row(&f, "f32_dot/")->presence, QB_CMP_BASE_ONLY);
  assert_true(qb__row(&f, "f32_dot/")->status_regression);
  assert_false(qb__row(&f, "f16_f32_cvt/")->status_regression);
  assert_int_equal(qb__row(&f, "f16_f32_cvt/")->presence, QB_CMP_NEW_ONLY);
  qb__fx_free(&f);

  qb__fx_run(&f, "base.json", "errored.json", NULL);
  assert_int_equal(f.st, QB_OK);
  assert_true(qb_comparison_regressed(&f.cmp));
  const qb_cmp_row* r = qb__row(&f, "f32_f16_cvt/scalar_u1/");
  assert_true(r->status_regression);
  assert_string_equal(r->new_status, "error");
  assert_non_null(strstr(r->new_reason, "index 17"));
  qb__fx_free(&f);
}

static void test_weak_verdict_does_not_fail(void** state) {
  (void) state;
  qb__fx f;
  qb__fx_run(&f, "weak_base.json", "weak_slow20.json", NULL);
  assert_int_equal(f.st, QB_OK);
  const qb_cmp_row* r = qb__row(&f, "f32_f16_cvt/avx2_u16/");
  assert_int_equal(r->verdict, QB_CMP_SLOWER_WEAK);
  assert_int_equal(r->base_reps, 3);
  assert_true(fabs(r->p_value - 0.1) < 1e-12); /* the smallest p 3 against 3 can give */
  assert_int_equal(f.cmp.n_slower_weak, 1);
  assert_false(qb_comparison_regressed(&f.cmp));
  qb__fx_free(&f);
}

static void test_normalize_roof(void** state) {
  (void) state;
  qb__fx f;
  qb__fx_run(&f, "base.json", "machine_b.json", NULL);
  assert_true(qb_comparison_regressed(&f.cmp)); /* 30 % slower machine */
  assert_int_equal(f.cmp.n_slower, 4);
  qb__fx_free(&f);

  qb_compare_opts o;
  qb_compare_opts_default(&o);
  o.normalize_roof = true;
  qb__fx_run(&f, "base.json", "machine_b.json", &o);
  assert_false(qb_comparison_regressed(&f.cmp)); /* ... with a 30 % lower roof */
  const qb_cmp_row* r = qb__row(&f, "f32_f16_cvt/avx2_u16/");
  assert_true(r->by_roof);
  assert_true(fabs(r->change_pct) < 1e-9);
  assert_int_equal(f.cmp.n_roof_fallback, 0);
  qb__fx_free(&f);
}

static void test_bad_inputs(void** state) {
  (void) state;
  qb__fx f;
  qb__fx_run(&f, "base.json", "other_suite.json", NULL);
  assert_int_equal(f.st, QB_BAD_INPUT);
  assert_non_null(strstr(f.err.msg, "other_suite.json: suite 'quick' differs from suite 'ci'"));
  qb__fx_free(&f);
  qb__fx_run(&f, "base.json", "disjoint.json", NULL);
  assert_int_equal(f.st, QB_BAD_INPUT);
  assert_non_null(strstr(f.err.msg, "disjoint.json: no rows in common"));
  qb__fx_free(&f);
}

static void test_plain_google_benchmark(void** state) {
  (void) state;
  qb__fx f;
  qb__fx_run(&f, "gbench_plain.json", "gbench_plain.json", NULL);
  assert_int_equal(f.st, QB_OK);
  assert_int_equal(f.cmp.n_common, 2);
  assert_false(f.cmp.rows[0].has_error); /* time only */
  assert_int_equal(f.cmp.rows[0].verdict, QB_CMP_SAME);
  qb__fx_free(&f);
}

/* The JSON report parses and carries the verdicts. */
static void test_json_report(void** state) {
  (void) state;
  qb__fx f;
  qb__fx_run(&f, "base.json", "slow20.json", NULL);
  char* buf = NULL;
  size_t len = 0;
  FILE* m = open_memstream(&buf, &len);
  assert_non_null(m);
  assert_int_equal(qb_compare_print(m, &f.cmp, QB_COMPARE_JSON, &f.err), QB_OK);
  fclose(m);
  json_error_t je;
  json_t* doc = json_loadb(buf, len, 0, &je);
  assert_non_null(doc);
  assert_true(json_is_true(json_object_get(doc, "regression")));
  json_t* rows = json_object_get(doc, "rows");
  assert_int_equal(json_array_size(rows), 5);
  assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 1), "verdict")), "SLOWER");
  json_decref(doc);
  free(buf);
  qb__fx_free(&f);
}

/* An emulated side: no timing verdict (the 20 % slowdown is not one), error still judged. */
static void test_emulated_side_not_timed(void** state) {
  (void) state;
  qb__fx f;
  qb__fx_run(&f, "base.json", "emulated_slow20.json", NULL);
  assert_int_equal(f.st, QB_OK);
  assert_true(qb_comparison_emulated(&f.cmp));
  assert_false(f.cmp.base_emulated);
  assert_true(f.cmp.new_emulated);
  assert_false(qb_comparison_regressed(&f.cmp));
  assert_int_equal(f.cmp.n_slower + f.cmp.n_slower_weak + f.cmp.n_faster, 0);
  const qb_cmp_row* r = qb__row(&f, "f32_f16_cvt/avx2_u16/");
  assert_int_equal(r->verdict, QB_CMP_EMULATED);
  assert_string_equal(qb_cmp_verdict_name(r->verdict), "not compared: emulated run");
  assert_true(isnan(r->change_pct) && isnan(r->p_value) && isnan(r->bps_change_pct));
  assert_int_equal(r->new_reps, 9);
  assert_true(r->has_error); /* the error figures are still compared */
  /* The skipped row stays untimed, as without emulation. */
  assert_int_equal(qb__row(&f, "f32_bf16_cvt/")->verdict, QB_CMP_NOT_TIMED);
  qb__fx_free(&f);

  qb__fx_run(&f, "emulated_sqnr_down.json", "base.json", NULL);
  assert_int_equal(f.st, QB_OK);
  assert_true(f.cmp.base_emulated);
  assert_false(qb_comparison_regressed(&f.cmp)); /* SQNR went up: BASE is the lower one */
  qb__fx_free(&f);
  qb__fx_run(&f, "base.json", "emulated_sqnr_down.json", NULL);
  assert_true(qb_comparison_regressed(&f.cmp));
  assert_int_equal(f.cmp.n_error_regressions, 1);
  qb__fx_free(&f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_mann_whitney_matches_scipy),
      cmocka_unit_test(test_median),
      cmocka_unit_test(test_identical),
      cmocka_unit_test(test_slower_by_20pct),
      cmocka_unit_test(test_sqnr_down_is_a_regression),
      cmocka_unit_test(test_reassoc_dot_judged_by_its_bound),
      cmocka_unit_test(test_jitter_only),
      cmocka_unit_test(test_missing_new_errored),
      cmocka_unit_test(test_weak_verdict_does_not_fail),
      cmocka_unit_test(test_normalize_roof),
      cmocka_unit_test(test_bad_inputs),
      cmocka_unit_test(test_plain_google_benchmark),
      cmocka_unit_test(test_json_report),
      cmocka_unit_test(test_emulated_side_not_timed),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
