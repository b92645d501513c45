/* Error metrics against hand-computed figures. */
#include <math.h>
#include <string.h>

#include "numerics/metrics.h"
#include "test_util.h"

static void test_hand_computed(void** state) {
  (void) state;
  const double ref[] = {1.0, 2.0, 4.0, 0.0};
  const double got[] = {1.5, 2.0, 3.0, 0.25};
  qb_error_metrics m;
  qb_metrics_compute(ref, got, 4, QB_DTYPE_f16, &m);
  /* errors 0.5, 0, 1, 0.25: squares sum to 1.3125; sum ref^2 = 21. */
  assert_true(m.count == 4 && m.mismatches == 3 && m.nan_inf_mismatches == 0 && m.overflows == 0);
  assert_true(m.max_abs == 1.0);
  assert_true(m.max_rel == 0.5); /* 0.5 / 1; the element with ref 0 is left out */
  assert_true(m.rmse == sqrt(1.3125 / 4.0));
  assert_true(m.nmse == 0.0625);
  assert_true(fabs(m.sqnr_db - 10.0 * log10(16.0)) < 1e-12);
  /* f16 spacing: 2^-10 at 1, 2^-8 at 4, 2^-24 (subnormal) at 0. */
  assert_true(m.max_ulp == 0.25 * 0x1p24);
  assert_true(m.mean_ulp == (512.0 + 0.0 + 256.0 + 4194304.0) / 4.0);
}

static void test_exact_and_int(void** state) {
  (void) state;
  const double ref[] = {-3.0, 7.0, 100.0};
  qb_error_metrics m;
  qb_metrics_compute(ref, ref, 3, QB_DTYPE_f32, &m);
  assert_true(m.count == 3 && m.mismatches == 0 && m.max_abs == 0.0 && m.rmse == 0.0 && m.nmse == 0.0);
  assert_true(isinf(m.sqnr_db) && m.sqnr_db > 0);
  const double got[] = {-2.0, 7.0, 98.0};
  qb_metrics_compute(ref, got, 3, QB_DTYPE_s32, &m);
  assert_true(m.max_abs == 2.0 && m.max_ulp == 0.0 && m.mean_ulp == 0.0 && m.mismatches == 2);
  assert_true(fabs(m.sqnr_db - 10.0 * log10((9.0 + 49.0 + 10000.0) / 5.0)) < 1e-12);
  qb_metrics_compute(ref, got, 0, QB_DTYPE_f32, &m);
  assert_true(m.count == 0 && m.rmse == 0.0 && m.mean_ulp == 0.0);
}

static void test_nonfinite(void** state) {
  (void) state;
  const double ref[] = {NAN, INFINITY, 1.0, 1.0, -INFINITY, 2.0};
  const double got[] = {-NAN, INFINITY, INFINITY, NAN, INFINITY, 2.5};
  qb_error_metrics m;
  qb_metrics_compute(ref, got, 6, QB_DTYPE_f8e5m2, &m);
  assert_true(m.nan_inf_mismatches == 3); /* 1 vs inf, 1 vs NaN, -inf vs inf */
  assert_true(m.overflows == 2);
  assert_true(m.count == 1 && m.mismatches == 1 && m.max_abs == 0.5);
  assert_true(m.max_ulp == 1.0); /* e5m2 spacing at 2 is 0.5 */
}

static void test_ulp(void** state) {
  (void) state;
  assert_true(qb_metrics_ulp(QB_DTYPE_f32, 1.0) == 0x1p-23);
  assert_true(qb_metrics_ulp(QB_DTYPE_f32, -1.5) == 0x1p-23);
  assert_true(qb_metrics_ulp(QB_DTYPE_f32, 0.0) == 0x1p-149);
  assert_true(qb_metrics_ulp(QB_DTYPE_f64, 1.0) == 0x1p-52);
  assert_true(qb_metrics_ulp(QB_DTYPE_bf16, 1.0) == 0x1p-7);
  assert_true(qb_metrics_ulp(QB_DTYPE_f16, 70000.0) == 32.0); /* above max: the top binade */
  assert_true(qb_metrics_ulp(QB_DTYPE_f16, 0x1p-20) == 0x1p-24);
  assert_true(qb_metrics_ulp(QB_DTYPE_f8e4m3, 0.0) == 0x1p-9);
  assert_true(qb_metrics_ulp(QB_DTYPE_f8e4m3, 448.0) == 32.0);
  assert_true(qb_metrics_ulp(QB_DTYPE_f8e5m2, 1.0) == 0.25);
  assert_true(qb_metrics_ulp(QB_DTYPE_s8, 1.0) == 0.0);
  assert_true(qb_metrics_ulp(QB_DTYPE_qb8, 1.0) == 0.0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hand_computed),
      cmocka_unit_test(test_exact_and_int),
      cmocka_unit_test(test_nonfinite),
      cmocka_unit_test(test_ulp),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
