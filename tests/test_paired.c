/* The paired verdict (report/paired.h) on hand-made sample sets, no timing: the
 * signed-rank critical values against the published table, the three verdicts and the
 * reasons, and the row rules on the compare fixtures (tests/data/results). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/paired.h"
#include "test_util.h"

#ifndef QB_TEST_DATA
#error "QB_TEST_DATA (tests/data/results) is set by tests/compareplot.cmake"
#endif

#define QB__ROUNDS 10

/* Two-sided 5 % critical values of the Wilcoxon signed-rank statistic (the largest c
 * with P(T <= c) <= 0.025), as tabulated e.g. in Hollander and Wolfe, table A.4. */
static void test_signed_rank_critical_values(void** state) {
  (void) state;
  static const struct {
    size_t n;
    long c;
  } table[] = {{5, -1}, {6, 0}, {7, 2}, {8, 3}, {9, 5}, {10, 8}, {12, 13}, {15, 25}, {20, 52}, {25, 89}};
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
    double tail;
    long c = qb_signed_rank_critical(table[i].n, 0.025, &tail);
    if (c != table[i].c) fail_msg("n = %zu: critical value %ld, table %ld", table[i].n, c, table[i].c);
    if (c >= 0) assert_true(tail > 0 && tail <= 0.025);
  }
  /* n = 6: P(T = 0) = 1/64 exactly. */
  double tail;
  assert_int_equal(qb_signed_rank_critical(6, 0.025, &tail), 0);
  assert_true(tail == 1.0 / 64);
}

/* Base times of QB__ROUNDS rounds: a machine whose speed drifts by up to 30 % between
 * rounds, which pairing must cancel. */
static void qb__base(double* a) {
  uint64_t s = 42;
  for (int i = 0; i < QB__ROUNDS; i++)
    a[i] = 1000.0 * (1 + 0.3 * (double) (qb_test_rand(&s) >> 11) * 0x1p-53);
}

/* head[i] = base[i] * factor * (1 + noise * u), u uniform in [-1, 1). */
static void qb__head(const double* a, double* b, double factor, double noise, uint64_t seed) {
  for (int i = 0; i < QB__ROUNDS; i++) {
    double u = 2 * (double) (qb_test_rand(&seed) >> 11) * 0x1p-53 - 1;
    b[i] = a[i] * factor * (1 + noise * u);
  }
}

static void test_equal_samples_pass(void** state) {
  (void) state;
  double a[QB__ROUNDS], b[QB__ROUNDS];
  qb__base(a);
  memcpy(b, a, sizeof a);
  qb_paired_estimate e;
  char why[QB_PAIRED_WHY];
  assert_int_equal(qb_paired_judge(a, b, QB__ROUNDS, 10, 0.05, &e, why, sizeof why), QB_PAIRED_PASS);
  assert_int_equal(e.n, QB__ROUNDS);
  assert_true(e.change_pct == 0 && e.lo_pct == 0 && e.hi_pct == 0);
  assert_true(e.confidence >= 0.95);
  assert_string_equal(why, "");
}

static void test_tight_shift_of_12_pct_is_slower(void** state) {
  (void) state;
  double a[QB__ROUNDS], b[QB__ROUNDS];
  qb__base(a);
  qb__head(a, b, 1.12, 0.005, 7);
  qb_paired_estimate e;
  char why[QB_PAIRED_WHY];
  assert_int_equal(qb_paired_judge(a, b, QB__ROUNDS, 10, 0.05, &e, why, sizeof why), QB_PAIRED_SLOWER);
  assert_true(fabs(e.change_pct - 12) < 0.6);
  assert_true(e.lo_pct > 10 && e.lo_pct <= e.change_pct && e.change_pct <= e.hi_pct && e.hi_pct < 13);
  /* The same shift below a 15 % threshold passes; no verdict is needed for that. */
  assert_int_equal(qb_paired_judge(a, b, QB__ROUNDS, 15, 0.05, &e, why, sizeof why), QB_PAIRED_PASS);
}

static void test_wide_noise_has_no_verdict_and_says_why(void** state) {
  (void) state;
  double a[QB__ROUNDS], b[QB__ROUNDS];
  qb__base(a);
  qb__head(a, b, 1.12, 0.4, 11);
  qb_paired_estimate e;
  char why[QB_PAIRED_WHY];
  assert_int_equal(qb_paired_judge(a, b, QB__ROUNDS, 10, 0.05, &e, why, sizeof why), QB_PAIRED_NO_VERDICT);
  assert_true(e.lo_pct < 10 && e.hi_pct > 10);
  if (strstr(why, "straddles the threshold +10 %") == NULL) fail_msg("why: '%s'", why);
}

static void test_too_few_rounds_has_no_verdict(void** state) {
  (void) state;
  double a[5] = {1, 2, 3, 4, 5}, b[5] = {2, 4, 6, 8, 10};
  qb_paired_estimate e;
  char why[QB_PAIRED_WHY];
  assert_int_equal(qb_paired_judge(a, b, 5, 10, 0.05, &e, why, sizeof why), QB_PAIRED_NO_VERDICT);
  assert_true(fabs(e.change_pct - 100) < 1e-9); /* the estimate is still given */
  assert_true(isnan(e.lo_pct));
  if (strstr(why, "5 rounds cannot give a 95 % interval (need 6 or more)") == NULL)
    fail_msg("why: '%s'", why);
  assert_int_equal(qb_paired_judge(a, b, 0, 10, 0.05, &e, why, sizeof why), QB_PAIRED_NOT_TIMED);
}

static void test_faster_is_reported_not_failing(void** state) {
  (void) state;
  double a[QB__ROUNDS], b[QB__ROUNDS];
  qb__base(a);
  qb__head(a, b, 0.7, 0.01, 3);
  qb_paired_estimate e;
  char why[QB_PAIRED_WHY];
  assert_int_equal(qb_paired_judge(a, b, QB__ROUNDS, 10, 0.05, &e, why, sizeof why), QB_PAIRED_FASTER);
  assert_true(e.hi_pct < -10);
}

/* One outlying round (a neighbour's burst on one side) does not make a regression: it
 * widens the interval (no verdict at worst), the estimate stays near 0. */
static void test_one_outlier_round_is_not_a_regression(void** state) {
  (void) state;
  double a[QB__ROUNDS], b[QB__ROUNDS];
  qb__base(a);
  qb__head(a, b, 1.0, 0.01, 5);
  b[3] *= 2.5;
  qb_paired_estimate e;
  char why[QB_PAIRED_WHY];
  qb_paired_verdict v = qb_paired_judge(a, b, QB__ROUNDS, 10, 0.05, &e, why, sizeof why);
  assert_true(v == QB_PAIRED_PASS || v == QB_PAIRED_NO_VERDICT);
  assert_true(e.lo_pct < 2);
  assert_true(fabs(e.change_pct) < 2);
}

/* ---- rows over rounds, on the compare fixtures ---- */

typedef struct qb__fx {
  qb_resultset sets[2 * 6];
  const qb_resultset *base[6], *head[6];
  qb_paired p;
} qb__fx;

/* rounds rounds of (base_file, head_file); returns the status. */
static qb_status qb__fx_run(qb__fx* f, const char* base_file, const char* head_file, size_t rounds) {
  memset(f, 0, sizeof *f);
  qb_error err = {0};
  for (size_t r = 0; r < rounds; r++) {
    char pb[512], ph[512];
    snprintf(pb, sizeof pb, "%s/%s", QB_TEST_DATA, base_file);
    snprintf(ph, sizeof ph, "%s/%s", QB_TEST_DATA, head_file);
    assert_int_equal(qb_resultset_load(pb, &f->sets[2 * r], &err), QB_OK);
    assert_int_equal(qb_resultset_load(ph, &f->sets[2 * r + 1], &err), QB_OK);
    f->base[r] = &f->sets[2 * r];
    f->head[r] = &f->sets[2 * r + 1];
  }
  qb_paired_opts o;
  qb_paired_opts_default(&o);
  return qb_paired_compare(f->base, f->head, rounds, &o, &f->p, &err);
}

static void qb__fx_free(qb__fx* f) {
  qb_paired_free(&f->p);
  for (size_t i = 0; i < 12; i++) qb_resultset_free(&f->sets[i]);
}

static const qb_paired_row* qb__find(const qb_paired* p, const char* name) {
  for (size_t i = 0; i < p->n_rows; i++) {
    if (strcmp(p->rows[i].name, name) == 0) return &p->rows[i];
  }
  fail_msg("row %s not found", name);
  return NULL;
}

static void test_rows_identical_rounds_pass(void** state) {
  (void) state;
  static qb__fx f;
  assert_int_equal(qb__fx_run(&f, "base.json", "base.json", 6), QB_OK);
  assert_false(qb_paired_regressed(&f.p));
  assert_int_equal(f.p.n_slower + f.p.n_no_verdict + f.p.n_status_regressions + f.p.n_gone, 0);
  assert_true(f.p.n_pass > 0);
  qb__fx_free(&f);
}

static void test_rows_slow20_is_named(void** state) {
  (void) state;
  static qb__fx f;
  assert_int_equal(qb__fx_run(&f, "base.json", "slow20.json", 6), QB_OK);
  assert_true(qb_paired_regressed(&f.p));
  const qb_paired_row* r = qb__find(&f.p, "f32_f16_cvt/avx2_u16/cpu/n:1048576/threads:1/dist:normal");
  assert_int_equal(r->verdict, QB_PAIRED_SLOWER);
  assert_true(r->est.lo_pct > 10);
  qb__fx_free(&f);
}

static void test_rows_missing_and_errored_fail(void** state) {
  (void) state;
  static qb__fx f;
  assert_int_equal(qb__fx_run(&f, "base.json", "missing.json", 6), QB_OK);
  const qb_paired_row* r = qb__find(&f.p, "f32_dot/avx2_u32/cpu/n:4096/threads:1/dist:normal");
  assert_true(r->status_regression);
  assert_string_equal(r->head_status, "missing");
  assert_true(qb_paired_regressed(&f.p));
  qb__fx_free(&f);

  assert_int_equal(qb__fx_run(&f, "base.json", "errored.json", 6), QB_OK);
  assert_true(f.p.n_status_regressions > 0);
  qb__fx_free(&f);

  assert_int_equal(qb__fx_run(&f, "base.json", "sqnr_down.json", 6), QB_OK);
  assert_true(f.p.n_error_regressions > 0);
  assert_true(qb_paired_regressed(&f.p));
  qb__fx_free(&f);
}

static void test_too_few_rounds_rows_have_no_verdict(void** state) {
  (void) state;
  static qb__fx f;
  assert_int_equal(qb__fx_run(&f, "base.json", "slow20.json", 3), QB_OK);
  const qb_paired_row* r = qb__find(&f.p, "f32_f16_cvt/avx2_u16/cpu/n:1048576/threads:1/dist:normal");
  assert_int_equal(r->verdict, QB_PAIRED_NO_VERDICT);
  assert_non_null(strstr(r->why, "3 rounds cannot give"));
  assert_false(qb_paired_regressed(&f.p));
  qb__fx_free(&f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_signed_rank_critical_values),
      cmocka_unit_test(test_equal_samples_pass),
      cmocka_unit_test(test_tight_shift_of_12_pct_is_slower),
      cmocka_unit_test(test_wide_noise_has_no_verdict_and_says_why),
      cmocka_unit_test(test_too_few_rounds_has_no_verdict),
      cmocka_unit_test(test_faster_is_reported_not_failing),
      cmocka_unit_test(test_one_outlier_round_is_not_a_regression),
      cmocka_unit_test(test_rows_identical_rounds_pass),
      cmocka_unit_test(test_rows_slow20_is_named),
      cmocka_unit_test(test_rows_missing_and_errored_fail),
      cmocka_unit_test(test_too_few_rounds_rows_have_no_verdict),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
