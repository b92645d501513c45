/* The dot families' scalar references against results known exactly by hand. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dot/dot.h"
#include "platform/registry.h"
#include "test_util.h"

static qb_dot_fn* qb__ref(qb_family f) {
  const qb_kernel_info* k = qb_kernel_reference(f);
  assert_non_null(k);
  assert_non_null(k->fn);
  return qb_kernel_dot(k);
}

static float qb__dot_f(qb_family f, size_t n, const void* a, const void* b) {
  float out = NAN; /* a kernel that forgets to write leaves NaN, which no case expects */
  qb__ref(f)(n, a, b, &out);
  return out;
}

static int32_t qb__dot_i(qb_family f, size_t n, const void* a, const void* b) {
  int32_t out = 0x5A5A5A5A;
  qb__ref(f)(n, a, b, &out);
  return out;
}

static void test_limits_match_registry(void** state) {
  (void) state;
  assert_int_equal(qb_family_get(QB_FAMILY_s8_dot)->max_n, QB_S8_DOT_MAX_N);
  assert_int_equal(qb_family_get(QB_FAMILY_u8s8_dot)->max_n, QB_U8S8_DOT_MAX_N);
  /* The limits are the largest that cannot overflow: one more would. */
  assert_true((int64_t) QB_S8_DOT_MAX_N * 16384 <= INT32_MAX);
  assert_true((int64_t) (QB_S8_DOT_MAX_N + 1) * 16384 > INT32_MAX);
  assert_true(-(int64_t) QB_U8S8_DOT_MAX_N * 32640 >= INT32_MIN);
  assert_true(-(int64_t) (QB_U8S8_DOT_MAX_N + 1) * 32640 < INT32_MIN);
}

static void test_empty(void** state) {
  (void) state;
  assert_true(qb__dot_f(QB_FAMILY_f32_dot, 0, NULL, NULL) == 0.0f);
  assert_true(qb__dot_f(QB_FAMILY_f16_dot, 0, NULL, NULL) == 0.0f);
  assert_true(qb__dot_f(QB_FAMILY_bf16_dot, 0, NULL, NULL) == 0.0f);
  assert_true(qb__dot_f(QB_FAMILY_qb8_dot, 0, NULL, NULL) == 0.0f);
  assert_int_equal(qb__dot_i(QB_FAMILY_s8_dot, 0, NULL, NULL), 0);
  assert_int_equal(qb__dot_i(QB_FAMILY_u8s8_dot, 0, NULL, NULL), 0);
}

static void test_s8_max_n(void** state) {
  (void) state;
  const size_t n = QB_S8_DOT_MAX_N;
  int8_t* a = malloc(n);
  assert_non_null(a);
  memset(a, 0x80, n); /* -128 */
  assert_int_equal(qb__dot_i(QB_FAMILY_s8_dot, n, a, a), 131071 * 16384);
  /* The negative end: -128 * 127 everywhere. */
  int8_t* b = malloc(n);
  assert_non_null(b);
  memset(b, 0x7F, n);
  assert_int_equal(qb__dot_i(QB_FAMILY_s8_dot, n, a, b), -131071 * 16256);
  free(b);
  free(a);
}

static void test_s8_small(void** state) {
  (void) state;
  const int8_t a[] = {1, -2, 3, 127, -128, 0, -1};
  const int8_t b[] = {5, 7, -4, 127, 3, 99, -1};
  /* 5 - 14 - 12 + 16129 - 384 + 0 + 1 */
  assert_int_equal(qb__dot_i(QB_FAMILY_s8_dot, 7, a, b), 15725);
}

static void test_u8s8_max_n(void** state) {
  (void) state;
  const size_t n = QB_U8S8_DOT_MAX_N;
  uint8_t* a = malloc(n);
  int8_t* b = malloc(n);
  assert_non_null(a);
  assert_non_null(b);
  memset(a, 0xFF, n); /* 255 */
  memset(b, 0x80, n); /* -128 */
  assert_int_equal(qb__dot_i(QB_FAMILY_u8s8_dot, n, a, b), -2147483520);
  memset(b, 0x7F, n);
  assert_int_equal(qb__dot_i(QB_FAMILY_u8s8_dot, n, a, b), 65793 * 32385);
  free(b);
  free(a);
}

static void test_u8s8_small(void** state) {
  (void) state;
  const uint8_t a[] = {255, 128, 1, 0, 200};
  const int8_t b[] = {-1, 2, -128, 77, 127};
  /* -255 + 256 - 128 + 0 + 25400: a byte 128 must read as +128, not -128. */
  assert_int_equal(qb__dot_i(QB_FAMILY_u8s8_dot, 5, a, b), 25273);
}

static void test_f32_small(void** state) {
  (void) state;
  const float a[] = {1.5f, -2.0f, 0.25f};
  const float b[] = {2.0f, 3.0f, 8.0f};
  assert_true(qb__dot_f(QB_FAMILY_f32_dot, 3, a, b) == -1.0f);
  /* Index order, one accumulator: 2^24 + 1 rounds to 2^24 (ties to even), twice.
   * Summing the ones first would give 2^24 + 2. */
  const float c[] = {0x1p24f, 1.0f, 1.0f};
  const float ones[] = {1.0f, 1.0f, 1.0f};
  assert_true(qb__dot_f(QB_FAMILY_f32_dot, 3, c, ones) == 0x1p24f);
  /* The product is rounded before the add (no fusion): (1 + 2^-12)^2 = 1 + 2^-11 +
   * 2^-24 rounds to 1 + 2^-11 (a tie, to even); minus (1 + 2^-11) gives 0. A fused
   * multiply-add would give 2^-24. */
  const float d[] = {1.0f + 0x1p-12f, -(1.0f + 0x1p-11f)};
  const float e[] = {1.0f + 0x1p-12f, 1.0f};
  assert_true(qb__dot_f(QB_FAMILY_f32_dot, 2, d, e) == 0.0f);
}

static void test_f16_small(void** state) {
  (void) state;
  /* 1.0, 2.0, -0.5, 65504 . 3.0, -0.25, 4.0, 1.0 = 3 - 0.5 - 2 + 65504 */
  const uint16_t a[] = {0x3C00, 0x4000, 0xB800, 0x7BFF};
  const uint16_t b[] = {0x4200, 0xB400, 0x4400, 0x3C00};
  assert_true(qb__dot_f(QB_FAMILY_f16_dot, 4, a, b) == 65504.5f);
  /* The smallest f16 subnormals, squared: 2^-48, normal and exact in f32. */
  const uint16_t s[] = {0x0001, 0x8001};
  const uint16_t t[] = {0x0001, 0x0000};
  assert_true(qb__dot_f(QB_FAMILY_f16_dot, 2, s, t) == 0x1p-48f);
}

static void test_bf16_small(void** state) {
  (void) state;
  /* 1.0, 3.0, -2.0 . 1.5, -1.0, 0.5 = 1.5 - 3 - 1 */
  const uint16_t a[] = {0x3F80, 0x4040, 0xC000};
  const uint16_t b[] = {0x3FC0, 0xBF80, 0x3F00};
  assert_true(qb__dot_f(QB_FAMILY_bf16_dot, 3, a, b) == -2.5f);
  /* A subnormal bf16 input (2^-133) is kept, not flushed, and so is the subnormal
   * f32 product it gives. */
  const uint16_t s[] = {0x0001};
  const uint16_t one[] = {0x3F80};
  assert_true(qb__dot_f(QB_FAMILY_bf16_dot, 1, s, one) == 0x1p-133f);
}

static void test_qb8_blocks(void** state) {
  (void) state;
  qb_block_q8 a[3], b[3];
  memset(a, 0, sizeof a);
  memset(b, 0, sizeof b);
  /* Block 0: 0.5 * 2 * (32 * 1 * 2) = 64. */
  a[0].d = 0.5f;
  b[0].d = 2.0f;
  /* Block 1: 0.25 * 4 * (32 * 127 * -127) = -516128. */
  a[1].d = 0.25f;
  b[1].d = 4.0f;
  /* Block 2: 3 * 0.125 * sum_i (i - 16) * 1 = 0.375 * -16 = -6. */
  a[2].d = 3.0f;
  b[2].d = 0.125f;
  for (int i = 0; i < QB_BLOCK_LEN; i++) {
    a[0].qs[i] = 1;
    b[0].qs[i] = 2;
    a[1].qs[i] = 127;
    b[1].qs[i] = -127;
    a[2].qs[i] = (int8_t) (i - 16);
    b[2].qs[i] = 1;
  }
  assert_true(qb__dot_f(QB_FAMILY_qb8_dot, 32, a, b) == 64.0f);
  assert_true(qb__dot_f(QB_FAMILY_qb8_dot, 64, a, b) == -516064.0f);
  assert_true(qb__dot_f(QB_FAMILY_qb8_dot, 96, a, b) == -516070.0f);
  /* Only the block's scales scale it: block 2 alone. */
  assert_true(qb__dot_f(QB_FAMILY_qb8_dot, 32, &a[2], &b[2]) == -6.0f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_limits_match_registry),
      cmocka_unit_test(test_empty),
      cmocka_unit_test(test_s8_max_n),
      cmocka_unit_test(test_s8_small),
      cmocka_unit_test(test_u8s8_max_n),
      cmocka_unit_test(test_u8s8_small),
      cmocka_unit_test(test_f32_small),
      cmocka_unit_test(test_f16_small),
      cmocka_unit_test(test_bf16_small),
      cmocka_unit_test(test_qb8_blocks),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
