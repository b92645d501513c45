/* The dtype table against the published figures, and qb_dtype_round's rounding. */
#include <math.h>
#include <stdio.h>

#include "core/dtype.h"
#include "test_util.h"

static void check_finfo(qb_dtype t, double max, double eps, double min_normal, double min_sub, double res) {
  qb_finfo fi;
  assert_true(qb_dtype_finfo(t, &fi));
  assert_true(fi.max == max);
  assert_true(fi.lowest == -max);
  assert_true(fi.eps == eps);
  assert_true(fi.min_normal == min_normal);
  assert_true(fi.min_subnormal == min_sub);
  assert_true(fi.resolution == res);
}

static void test_finfo_published(void** state) {
  (void) state;
  /* torch.finfo / numpy.finfo figures. */
  check_finfo(QB_DTYPE_f64, 1.7976931348623157e308, 2.220446049250313e-16, 2.2250738585072014e-308,
              4.9406564584124654e-324, 1e-15);
  check_finfo(QB_DTYPE_f32, 3.4028234663852886e38, 1.1920928955078125e-07, 1.1754943508222875e-38,
              1.401298464324817e-45, 1e-06);
  check_finfo(QB_DTYPE_f16, 65504.0, 0.0009765625, 6.103515625e-05, 5.960464477539063e-08, 0.001);
  check_finfo(QB_DTYPE_bf16, 3.3895313892515355e38, 0.0078125, 1.1754943508222875e-38, 9.183549615799121e-41,
              0.01);
  check_finfo(QB_DTYPE_f8e4m3, 448.0, 0.125, 0.015625, 0.001953125, 1.0);
  check_finfo(QB_DTYPE_f8e5m2, 57344.0, 0.25, 6.103515625e-05, 1.52587890625e-05, 1.0);
  qb_finfo fi;
  assert_false(qb_dtype_finfo(QB_DTYPE_s8, &fi));
}

static void test_iinfo(void** state) {
  (void) state;
  assert_int_equal(qb_dtype_get(QB_DTYPE_s8)->imin, -128);
  assert_int_equal(qb_dtype_get(QB_DTYPE_s8)->imax, 127);
  assert_int_equal(qb_dtype_get(QB_DTYPE_u8)->imax, 255);
  assert_int_equal(qb_dtype_get(QB_DTYPE_s4)->imin, -8);
  assert_int_equal(qb_dtype_get(QB_DTYPE_u4)->imax, 15);
  assert_int_equal(qb_dtype_get(QB_DTYPE_s16)->imin, -32768);
  assert_int_equal(qb_dtype_get(QB_DTYPE_qb8)->bits, 9);
  assert_int_equal(qb_dtype_find("bf16"), QB_DTYPE_bf16);
  assert_int_equal(qb_dtype_find("f8e4m3"), QB_DTYPE_f8e4m3);
  assert_int_equal(qb_dtype_find("float17"), QB_DTYPE_none);
}

/* The seed tutorials' 1/3 as stored in each float dtype. */
static void test_value_one_third(void** state) {
  (void) state;
  const double v = 1.0 / 3.0;
  char buf[128];
  snprintf(buf, sizeof buf, "%.60f", qb_dtype_round(QB_DTYPE_f32, v, false));
  assert_string_equal(buf, "0.333333343267440795898437500000000000000000000000000000000000");
  assert_true(qb_dtype_round(QB_DTYPE_f16, v, false) == 0.333251953125);
  assert_true(qb_dtype_round(QB_DTYPE_bf16, v, false) == 0.333984375);
  assert_true(qb_dtype_round(QB_DTYPE_f8e4m3, v, false) == 0.34375);
  assert_true(qb_dtype_round(QB_DTYPE_f8e5m2, v, false) == 0.3125);
}

static void test_round_edges(void** state) {
  (void) state;
  /* Ties to even at 1 + eps/2 in f16: 1.00048828125 -> 1.0; 1 + 3 eps/2 -> 1 + 2 eps. */
  assert_true(qb_dtype_round(QB_DTYPE_f16, 1.00048828125, false) == 1.0);
  assert_true(qb_dtype_round(QB_DTYPE_f16, 1.00146484375, false) == 1.001953125);
  /* Overflow: f16 65520 (max + half ulp) goes to inf, 65519 stays at max. */
  assert_true(isinf(qb_dtype_round(QB_DTYPE_f16, 65520.0, false)));
  assert_true(qb_dtype_round(QB_DTYPE_f16, 65519.0, false) == 65504.0);
  /* e4m3fn: 464 ties to 448; above is NaN, or 448 when saturating; inf too. */
  assert_true(qb_dtype_round(QB_DTYPE_f8e4m3, 464.0, false) == 448.0);
  assert_true(isnan(qb_dtype_round(QB_DTYPE_f8e4m3, 465.0, false)));
  assert_true(qb_dtype_round(QB_DTYPE_f8e4m3, 465.0, true) == 448.0);
  assert_true(qb_dtype_round(QB_DTYPE_f8e4m3, -INFINITY, true) == -448.0);
  /* e5m2: 61440 ties up to inf (57344's mantissa is odd). */
  assert_true(isinf(qb_dtype_round(QB_DTYPE_f8e5m2, 61440.0, false)));
  assert_true(qb_dtype_round(QB_DTYPE_f8e5m2, 61439.0, false) == 57344.0);
  /* Subnormals kept: half the smallest f16 subnormal ties to zero, just above rounds up. */
  assert_true(qb_dtype_round(QB_DTYPE_f16, ldexp(1.0, -25), false) == 0.0);
  assert_true(qb_dtype_round(QB_DTYPE_f16, ldexp(1.5, -25), false) == ldexp(1.0, -24));
  assert_true(signbit(qb_dtype_round(QB_DTYPE_bf16, -ldexp(1.0, -140), false)));
  assert_true(isnan(qb_dtype_round(QB_DTYPE_bf16, NAN, false)));
}

/* Packed 4-bit elements: element 0 in the low nibble, s4 sign-extended, stores that
 * leave the neighbouring nibble alone. */
static void test_packed_4bit(void** state) {
  (void) state;
  uint8_t buf[3] = {0x8F, 0x70, 0xAA};
  assert_int_equal(qb_dtype_load_bits(QB_DTYPE_s4, buf, 0), 0xF);
  assert_int_equal(qb_dtype_load_bits(QB_DTYPE_s4, buf, 1), 0x8);
  assert_true(qb_dtype_decode_bits(QB_DTYPE_s4, 0xF) == -1.0);
  assert_true(qb_dtype_decode_bits(QB_DTYPE_s4, 0x8) == -8.0);
  assert_true(qb_dtype_decode_bits(QB_DTYPE_s4, 0x7) == 7.0);
  assert_true(qb_dtype_decode_bits(QB_DTYPE_u4, 0xF) == 15.0);
  qb_dtype_store_bits(QB_DTYPE_u4, buf, 2, 0x5);
  assert_int_equal(buf[1], 0x75);
  qb_dtype_store_bits(QB_DTYPE_u4, buf, 5, 0x3);
  assert_int_equal(buf[2], 0x3A);
  assert_int_equal(buf[0], 0x8F);
}

/* The descriptor decodes every format the kernels' bit helpers do. */
static void test_decode_descriptor(void** state) {
  (void) state;
  assert_true(qb_dtype_decode_bits(QB_DTYPE_f16, 0x3C00) == 1.0);
  assert_true(qb_dtype_decode_bits(QB_DTYPE_f16, 0x0001) == 0x1p-24);
  assert_true(qb_dtype_decode_bits(QB_DTYPE_f16, 0xFC00) == -INFINITY);
  assert_true(isnan(qb_dtype_decode_bits(QB_DTYPE_f16, 0x7E00)));
  assert_true(qb_dtype_decode_bits(QB_DTYPE_f8e4m3, 0x7E) == 448.0);
  assert_true(isnan(qb_dtype_decode_bits(QB_DTYPE_f8e4m3, 0xFF)));
  assert_true(qb_dtype_decode_bits(QB_DTYPE_f8e5m2, 0x7C) == INFINITY);
  assert_true(qb_dtype_decode_bits(QB_DTYPE_bf16, 0x3F80) == 1.0);
  assert_int_equal(qb_dtype_flush_bits(QB_DTYPE_f16, 0x8001), 0x8000);
  assert_int_equal(qb_dtype_flush_bits(QB_DTYPE_f16, 0x0400), 0x0400);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_finfo_published),
      cmocka_unit_test(test_iinfo),
      cmocka_unit_test(test_value_one_third),
      cmocka_unit_test(test_round_edges),
      cmocka_unit_test(test_packed_4bit),
      cmocka_unit_test(test_decode_descriptor),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
