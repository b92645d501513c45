/* Distributions: names, reproducibility (golden bits), prefix stability, moments, log. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "numerics/dist.h"
#include "test_util.h"

#define QB_N 65536

/* FNV-1a over the bits of the floats: a change to any bit of any element shows. */
static uint64_t qb__hash(const float* x, size_t n) {
  uint64_t h = 0xCBF29CE484222325ull;
  const unsigned char* p = (const unsigned char*) x;
  for (size_t i = 0; i < n * sizeof(float); i++) {
    h = (h ^ p[i]) * 0x100000001B3ull;
  }
  return h;
}

static void test_names(void** state) {
  (void) state;
  for (int d = 0; d < QB_DIST_COUNT; d++) {
    assert_int_equal(qb_dist_find(qb_dist_name((qb_dist) d)), d);
  }
  assert_int_equal(qb_dist_find("gauss"), QB_DIST_COUNT);
  assert_int_equal(qb_dist_find("normalx"), QB_DIST_COUNT);
  assert_int_equal(qb_dist_find(""), QB_DIST_COUNT);
  assert_string_equal(qb_dist_name(QB_DIST_laplace), "laplace");
}

/* Golden hashes of (dist, seed 1, n 65536): the bits every platform must give. If one
 * changes, every recorded result that used the distribution changes with it. */
static const uint64_t qb__golden[QB_DIST_COUNT] = {
    0x024d6364a353d964ull, 0x086a0bc68abb8b3full, 0x0a1e0222276f1244ull,
    0x309dfdd774a2f106ull, 0x9d85be94894a2325ull,
};

static void test_golden(void** state) {
  (void) state;
  float* x = malloc(QB_N * sizeof *x);
  assert_non_null(x);
  for (int d = 0; d < QB_DIST_COUNT; d++) {
    qb_dist_fill((qb_dist) d, 1, QB_N, x);
    const uint64_t h = qb__hash(x, QB_N);
    if (h != qb__golden[d]) {
      print_error("%s: hash 0x%016llx, expected 0x%016llx (x[0] = %a)\n", qb_dist_name((qb_dist) d),
                  (unsigned long long) h, (unsigned long long) qb__golden[d], (double) x[0]);
    }
    assert_true(h == qb__golden[d]);
  }
  free(x);
}

static void test_seed_and_prefix(void** state) {
  (void) state;
  float a[1001], b[1001], c[1001];
  for (int d = 0; d < QB_DIST_COUNT; d++) {
    qb_dist_fill((qb_dist) d, 7, 1001, a);
    qb_dist_fill((qb_dist) d, 7, 333, b); /* odd length: the normal pair is cut */
    assert_memory_equal(a, b, 333 * sizeof(float));
    qb_dist_fill((qb_dist) d, 8, 1001, c);
    if (d != QB_DIST_constant) {
      assert_true(memcmp(a, c, sizeof a) != 0);
    }
  }
  /* The same seed gives different streams for normal and outliers. */
  qb_dist_fill(QB_DIST_normal, 7, 1001, a);
  qb_dist_fill(QB_DIST_outliers, 7, 1001, b);
  assert_true(memcmp(a, b, sizeof a) != 0);
}

typedef struct {
  double mean, var, maxabs, frac_big;
} qb__moments;

static qb__moments qb__stats(const float* x, size_t n) {
  qb__moments m = {0, 0, 0, 0};
  for (size_t i = 0; i < n; i++) m.mean += x[i];
  m.mean /= (double) n;
  for (size_t i = 0; i < n; i++) {
    m.var += (x[i] - m.mean) * (x[i] - m.mean);
    if (fabs(x[i]) > m.maxabs) m.maxabs = fabs(x[i]);
    if (fabs(x[i]) > 10.0) m.frac_big += 1.0;
  }
  m.var /= (double) (n - 1);
  m.frac_big /= (double) n;
  return m;
}

static void test_moments(void** state) {
  (void) state;
  const size_t n = 1u << 20;
  float* x = malloc(n * sizeof *x);
  assert_non_null(x);
  /* Standard errors at n = 2^20: mean ~0.001, variance ~0.0014 (normal), 0.0035 (laplace). */
  qb_dist_fill(QB_DIST_uniform, 3, n, x);
  qb__moments m = qb__stats(x, n);
  assert_true(fabs(m.mean) < 0.005 && fabs(m.var - 1.0 / 3.0) < 0.005 && m.maxabs <= 1.0);
  qb_dist_fill(QB_DIST_normal, 3, n, x);
  m = qb__stats(x, n);
  assert_true(fabs(m.mean) < 0.005 && fabs(m.var - 1.0) < 0.01 && m.maxabs > 4.0 && m.maxabs < 7.0);
  qb_dist_fill(QB_DIST_laplace, 3, n, x);
  m = qb__stats(x, n);
  assert_true(fabs(m.mean) < 0.005 && fabs(m.var - 1.0) < 0.02 && m.maxabs > 7.0);
  qb_dist_fill(QB_DIST_outliers, 3, n, x);
  m = qb__stats(x, n);
  /* 1/128 of the elements scaled by 100: about 0.0078 of them beyond 10. */
  assert_true(m.frac_big > 0.0070 && m.frac_big < 0.0086 && m.maxabs > 300.0);
  qb_dist_fill(QB_DIST_constant, 3, 5, x);
  for (int i = 0; i < 5; i++) assert_true(x[i] == 1.0f);
  free(x);
}

static void test_log(void** state) {
  (void) state;
  uint64_t s = 11;
  double worst = 0.0;
  for (int i = 0; i < 100000; i++) {
    const double x =
        ldexp(1.0 + (double) (qb_test_rand(&s) >> 12) * 0x1p-52, (int) (qb_test_rand(&s) % 200) - 150);
    const double want = log(x), got = qb_dist_log(x);
    const double ulps = fabs(got - want) / (nextafter(fabs(want), INFINITY) - fabs(want));
    if (ulps > worst) worst = ulps;
  }
  assert_true(worst <= 2.0);
  assert_true(qb_dist_log(1.0) == 0.0);
  assert_true(fabs(qb_dist_log(0x1p-53) - (-53.0 * 0.69314718055994530942)) < 1e-13);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_names),   cmocka_unit_test(test_golden), cmocka_unit_test(test_seed_and_prefix),
      cmocka_unit_test(test_moments), cmocka_unit_test(test_log),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
