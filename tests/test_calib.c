/* Calibration and parameter validation (host/numerics/calib.h) against hand-computed values.
 * Ranges are chosen so that every scale is a power of two (exact in f32). */
#include <float.h>
#include <math.h>
#include <string.h>

#include "numerics/calib.h"
#include "test_util.h"

#define QB_N(a) (sizeof(a) / sizeof((a)[0]))

typedef struct {
  float scale;
  int32_t zp;
} qb__sz;

static qb__sz minmax_ok(const float* x, size_t n, int32_t qmin, int32_t qmax) {
  qb__sz r = {0};
  qb_error err = {0};
  assert_int_equal(qb_calib_minmax(x, n, qmin, qmax, &r.scale, &r.zp, &err), QB_OK);
  return r;
}

static qb__sz absmax_ok(const float* x, size_t n, int32_t qmin, int32_t qmax) {
  qb__sz r = {0};
  qb_error err = {0};
  assert_int_equal(qb_calib_absmax(x, n, qmin, qmax, &r.scale, &r.zp, &err), QB_OK);
  return r;
}

/* Expects QB_BAD_INPUT whose message contains `needle`. */
static void expect_bad(qb_status s, const qb_error* err, const char* needle) {
  assert_int_equal(s, QB_BAD_INPUT);
  assert_int_equal(err->status, QB_BAD_INPUT);
  if (strstr(err->msg, needle) == NULL) {
    fail_msg("message '%s' lacks '%s'", err->msg, needle);
  }
  assert_null(strchr(err->msg, '\n'));
}

static void test_minmax_mixed_sign(void** state) {
  (void) state;
  /* Range 63.75 = 255 * 0.25: scale 0.25; min / scale = -64. */
  const float x[] = {-16.0f, 3.0f, 47.75f, 0.0f};
  qb__sz u = minmax_ok(x, QB_N(x), 0, 255);
  assert_true(u.scale == 0.25f);
  assert_int_equal(u.zp, 64);
  qb__sz s = minmax_ok(x, QB_N(x), -128, 127);
  assert_true(s.scale == 0.25f);
  assert_int_equal(s.zp, -64);
}

static void test_minmax_all_positive_and_negative(void** state) {
  (void) state;
  /* The range is extended to 0: [0, 127.5] and [-127.5, 0], scale 0.5. */
  const float pos[] = {10.0f, 127.5f, 64.0f};
  qb__sz u = minmax_ok(pos, QB_N(pos), 0, 255);
  assert_true(u.scale == 0.5f);
  assert_int_equal(u.zp, 0);
  qb__sz s = minmax_ok(pos, QB_N(pos), -128, 127);
  assert_true(s.scale == 0.5f);
  assert_int_equal(s.zp, -128);

  const float neg[] = {-3.0f, -127.5f};
  u = minmax_ok(neg, QB_N(neg), 0, 255);
  assert_true(u.scale == 0.5f);
  assert_int_equal(u.zp, 255);
  s = minmax_ok(neg, QB_N(neg), -128, 127);
  assert_true(s.scale == 0.5f);
  assert_int_equal(s.zp, 127);
}

static void test_minmax_constant(void** state) {
  (void) state;
  const float zeros[] = {0.0f, -0.0f, 0.0f};
  qb__sz u = minmax_ok(zeros, QB_N(zeros), 0, 255);
  assert_true(u.scale == FLT_EPSILON);
  assert_int_equal(u.zp, 0);
  qb__sz s = minmax_ok(zeros, QB_N(zeros), -128, 127);
  assert_true(s.scale == FLT_EPSILON);
  assert_int_equal(s.zp, -128);
  /* A constant 127.5: range [0, 127.5]. */
  const float c[] = {127.5f, 127.5f};
  u = minmax_ok(c, QB_N(c), 0, 255);
  assert_true(u.scale == 0.5f);
  assert_int_equal(u.zp, 0);
  /* A tiny range is floored at eps, like PyTorch's observer. */
  const float tiny[] = {1e-30f, -1e-30f};
  u = minmax_ok(tiny, QB_N(tiny), 0, 255);
  assert_true(u.scale == FLT_EPSILON);
  assert_int_equal(u.zp, 0);
}

static void test_minmax_zero_point_tie_to_even(void** state) {
  (void) state;
  /* [-0.625, 63.125]: scale 0.25, min / scale = -2.5 exactly; torch.round gives -2. */
  const float x[] = {-0.625f, 63.125f};
  qb__sz u = minmax_ok(x, QB_N(x), 0, 255);
  assert_true(u.scale == 0.25f);
  assert_int_equal(u.zp, 2);
  /* [-0.875, 62.875]: -3.5 -> -4. */
  const float y[] = {-0.875f, 62.875f};
  u = minmax_ok(y, QB_N(y), 0, 255);
  assert_true(u.scale == 0.25f);
  assert_int_equal(u.zp, 4);
}

static void test_minmax_ignores_nan(void** state) {
  (void) state;
  const float x[] = {NAN, -16.0f, NAN, 47.75f, -NAN};
  qb__sz u = minmax_ok(x, QB_N(x), 0, 255);
  assert_true(u.scale == 0.25f);
  assert_int_equal(u.zp, 64);
}

static void test_minmax_errors(void** state) {
  (void) state;
  float scale = -1.0f;
  int32_t zp = -1;
  qb_error err = {0};
  const float nans[] = {NAN, NAN};
  const float pinf[] = {1.0f, INFINITY};
  const float ninf[] = {-INFINITY, 1.0f};
  const float huge[] = {-3e38f, 3e38f};
  const float ok[] = {1.0f};
  expect_bad(qb_calib_minmax(nans, 2, 0, 255, &scale, &zp, &err), &err, "all 2 elements are NaN");
  expect_bad(qb_calib_minmax(pinf, 2, 0, 255, &scale, &zp, &err), &err, "element 1 is +inf");
  expect_bad(qb_calib_minmax(ninf, 2, 0, 255, &scale, &zp, &err), &err, "element 0 is -inf");
  expect_bad(qb_calib_minmax(huge, 2, 0, 255, &scale, &zp, &err), &err, "overflows f32");
  expect_bad(qb_calib_minmax(ok, 0, 0, 255, &scale, &zp, &err), &err, "empty");
  expect_bad(qb_calib_minmax(ok, 1, 5, 5, &scale, &zp, &err), &err, "qmin = 5 >= qmax = 5");
  expect_bad(qb_calib_absmax(pinf, 2, -128, 127, &scale, &zp, &err), &err, "element 1 is +inf");
  expect_bad(qb_calib_absmax(nans, 2, -128, 127, &scale, &zp, &err), &err, "NaN");
  /* Outputs are left alone on failure. */
  assert_true(scale == -1.0f);
  assert_int_equal(zp, -1);
}

static void test_absmax(void** state) {
  (void) state;
  /* absmax 63.75 over (qmax - qmin) / 2 = 127.5: scale 0.5. */
  const float x[] = {-63.75f, 1.0f, NAN, 20.0f};
  qb__sz s = absmax_ok(x, QB_N(x), -128, 127);
  assert_true(s.scale == 0.5f);
  assert_int_equal(s.zp, 0);
  qb__sz u = absmax_ok(x, QB_N(x), 0, 255);
  assert_true(u.scale == 0.5f);
  assert_int_equal(u.zp, 128);
  /* The positive side can be the larger one; a restricted range [-127, 127]. */
  const float y[] = {-3.0f, 127.0f};
  s = absmax_ok(y, QB_N(y), -127, 127);
  assert_true(s.scale == 1.0f);
  assert_int_equal(s.zp, 0);
  const float zeros[] = {0.0f, 0.0f};
  s = absmax_ok(zeros, QB_N(zeros), -128, 127);
  assert_true(s.scale == FLT_EPSILON);
  assert_int_equal(s.zp, 0);
  u = absmax_ok(zeros, QB_N(zeros), 0, 255);
  assert_true(u.scale == FLT_EPSILON);
  assert_int_equal(u.zp, 128);
}

static void test_minmax_channels(void** state) {
  (void) state;
  /* Four channels of two: mixed sign, all positive, constant zero, all negative. */
  const float x[] = {-16.0f, 47.75f, 10.0f, 127.5f, 0.0f, 0.0f, -127.5f, -3.0f};
  float scales[4] = {0};
  int32_t zps[4] = {0};
  qb_error err = {0};
  assert_int_equal(qb_calib_minmax_channels(x, 4, 2, 0, 255, scales, zps, &err), QB_OK);
  const float want_s[] = {0.25f, 0.5f, FLT_EPSILON, 0.5f};
  const int32_t want_zp[] = {64, 0, 0, 255};
  for (int c = 0; c < 4; c++) {
    assert_true(scales[c] == want_s[c]);
    assert_int_equal(zps[c], want_zp[c]);
  }
  assert_int_equal(qb_calib_minmax_channels(x, 4, 2, -128, 127, scales, zps, &err), QB_OK);
  const int32_t want_zp8[] = {-64, -128, -128, 127};
  for (int c = 0; c < 4; c++) {
    assert_int_equal(zps[c], want_zp8[c]);
  }
  const float bad[] = {1.0f, 2.0f, NAN, NAN, -INFINITY, 0.0f};
  expect_bad(qb_calib_minmax_channels(bad, 3, 2, 0, 255, scales, zps, &err), &err,
             "channel 1: all 2 elements are NaN");
  expect_bad(qb_calib_minmax_channels(bad + 4, 1, 2, 0, 255, scales, zps, &err), &err,
             "channel 0: element 0 is -inf");
  expect_bad(qb_calib_minmax_channels(bad, 0, 2, 0, 255, scales, zps, &err), &err, "empty");
}

static void test_params_init(void** state) {
  (void) state;
  qb_quant_params p;
  memset(&p, 0xA5, sizeof p);
  qb_quant_params_init(&p, 0.1f, 3, -128, 127, QB_ROUND_TFLITE);
  assert_true(p.scale == 0.1f);
  assert_true(p.inv_scale == 1.0f / 0.1f);
  assert_int_equal(p.zero_point, 3);
  assert_int_equal(p.qmin, -128);
  assert_int_equal(p.qmax, 127);
  assert_int_equal(p.round, QB_ROUND_TFLITE);
  assert_int_equal(p.channel_len, 0);
  assert_null(p.scales);
  assert_null(p.inv_scales);
  assert_null(p.zero_points);
}

static void test_validate_per_tensor(void** state) {
  (void) state;
  qb_quant_params p;
  qb_error err = {0};
  qb_quant_params_init(&p, 0.5f, 10, 0, 255, QB_ROUND_PYTORCH);
  assert_int_equal(qb_quant_params_validate(&p, 100, &err), QB_OK);
  p.scale = 0.0f;
  expect_bad(qb_quant_params_validate(&p, 100, &err), &err, "scale = 0: must be finite and > 0");
  p.scale = -2.0f;
  expect_bad(qb_quant_params_validate(&p, 100, &err), &err, "scale = -2");
  p.scale = NAN;
  expect_bad(qb_quant_params_validate(&p, 100, &err), &err, "scale = nan");
  p.scale = INFINITY;
  expect_bad(qb_quant_params_validate(&p, 100, &err), &err, "scale = inf");
  qb_quant_params_init(&p, 1e-39f, 10, 0, 255, QB_ROUND_PYTORCH);
  expect_bad(qb_quant_params_validate(&p, 100, &err), &err, "1/scale overflows");
  qb_quant_params_init(&p, 0.5f, 10, 0, 255, QB_ROUND_PYTORCH);
  p.inv_scale = 2.5f;
  expect_bad(qb_quant_params_validate(&p, 100, &err), &err, "inv_scale = 2.5: must be 1/scale = 2");
  qb_quant_params_init(&p, 0.5f, 256, 0, 255, QB_ROUND_PYTORCH);
  expect_bad(qb_quant_params_validate(&p, 100, &err), &err,
             "zero_point = 256: outside [qmin, qmax] = [0, 255]");
  qb_quant_params_init(&p, 0.5f, -129, -128, 127, QB_ROUND_TFLITE);
  expect_bad(qb_quant_params_validate(&p, 100, &err), &err, "zero_point = -129");
  qb_quant_params_init(&p, 0.5f, 0, 10, -10, QB_ROUND_TFLITE);
  expect_bad(qb_quant_params_validate(&p, 100, &err), &err, "qmin = 10 > qmax = -10");
  qb_quant_params_init(&p, 0.5f, 0, -10, 10, (qb_round_mode) 7);
  expect_bad(qb_quant_params_validate(&p, 100, &err), &err, "round = 7");
  /* Boundaries are allowed: zp at qmin and at qmax, the largest finite scale. */
  qb_quant_params_init(&p, FLT_MAX, 0, 0, 255, QB_ROUND_PYTORCH);
  assert_int_equal(qb_quant_params_validate(&p, 1, &err), QB_OK);
  qb_quant_params_init(&p, 1.0f, 255, 0, 255, QB_ROUND_PYTORCH);
  assert_int_equal(qb_quant_params_validate(&p, 1, &err), QB_OK);
}

static void test_validate_per_channel(void** state) {
  (void) state;
  float scales[3] = {0.5f, 0.25f, 2.0f};
  float inv[3] = {2.0f, 4.0f, 0.5f};
  int32_t zps[3] = {0, 5, -128};
  qb_quant_params p;
  qb_error err = {0};
  /* The per-tensor fields are not used per channel: a zero scale there is fine. */
  qb_quant_params_init(&p, 1.0f, 0, -128, 127, QB_ROUND_PYTORCH);
  p.scale = 0.0f;
  p.channel_len = 4;
  p.scales = scales;
  p.inv_scales = inv;
  p.zero_points = zps;
  assert_int_equal(qb_quant_params_validate(&p, 12, &err), QB_OK);
  expect_bad(qb_quant_params_validate(&p, 10, &err), &err, "channel_len = 4 does not divide n = 10");
  scales[1] = -0.25f;
  expect_bad(qb_quant_params_validate(&p, 12, &err), &err, "channel 1 scale = -0.25");
  scales[1] = 0.25f;
  inv[2] = 0.4f;
  expect_bad(qb_quant_params_validate(&p, 12, &err), &err, "channel 2 inv_scale = 0.4");
  inv[2] = 0.5f;
  zps[0] = 128;
  expect_bad(qb_quant_params_validate(&p, 12, &err), &err, "channel 0 zero_point = 128");
  /* Only the channels that n covers are read. */
  assert_int_equal(qb_quant_params_validate(&p, 0, &err), QB_OK);
  zps[0] = 0;
  p.inv_scales = NULL;
  expect_bad(qb_quant_params_validate(&p, 12, &err), &err, "per-channel inv_scales missing");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_minmax_mixed_sign),
      cmocka_unit_test(test_minmax_all_positive_and_negative),
      cmocka_unit_test(test_minmax_constant),
      cmocka_unit_test(test_minmax_zero_point_tie_to_even),
      cmocka_unit_test(test_minmax_ignores_nan),
      cmocka_unit_test(test_minmax_errors),
      cmocka_unit_test(test_absmax),
      cmocka_unit_test(test_minmax_channels),
      cmocka_unit_test(test_params_init),
      cmocka_unit_test(test_validate_per_tensor),
      cmocka_unit_test(test_validate_per_channel),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
