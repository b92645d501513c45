/* The data of consecutive cases, prepared once (host/run/prepared.c): given again only
 * to a case of the same key, equal byte for byte to data made afresh, with a zeroed
 * output buffer, and made again when a case changed them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/prepared.h"
#include "test_util.h"

#define N 4096
#define SEED 7

static qb_case kase(const char* family, const char* variant, qb_dist dist, int round, unsigned threads) {
  qb_case k;
  memset(&k, 0, sizeof k);
  k.type = QB_CASE_KERNEL;
  k.family = qb_family_get(qb_family_find(family));
  assert_non_null(k.family);
  k.n = N;
  k.dist = dist;
  k.round = round;
  k.threads = threads;
  snprintf(k.name, sizeof k.name, "%s/%s/cpu/n:%d/threads:%u/dist:%s", family, variant, N, threads,
           qb_dist_name(dist));
  return k;
}

/* d holds what qb_case_data_init makes for case k, byte for byte. */
static void assert_fresh(const qb_case_data* d, const qb_case* k) {
  qb_case_data f;
  qb_error err = {0};
  const qb_round_mode round = k->round < 0 ? QB_ROUND_PYTORCH : (qb_round_mode) k->round;
  assert_int_equal(qb_case_data_init(&f, k->family, N, k->dist, SEED, round, &err), QB_OK);
  assert_int_equal(d->x_bytes, f.x_bytes);
  assert_int_equal(d->x2_bytes, f.x2_bytes);
  assert_int_equal(d->y_bytes, f.y_bytes);
  assert_memory_equal(d->x, f.x, f.x_bytes);
  if (f.x2_bytes) assert_memory_equal(d->x2, f.x2, f.x2_bytes);
  assert_memory_equal(d->y_ref, f.y_ref, f.y_bytes);
  assert_int_equal(d->channels, f.channels);
  if (f.channels) {
    assert_memory_equal(d->scales, f.scales, f.channels * sizeof *f.scales);
    assert_memory_equal(d->zero_points, f.zero_points, f.channels * sizeof *f.zero_points);
  }
  assert_true(d->qp.scale == f.qp.scale);
  assert_int_equal(d->qp.zero_point, f.qp.zero_point);
  assert_int_equal(d->qp.round, f.qp.round);
  /* The f64 reference kept with them: the one the fresh data give. */
  assert_true(d->have_ref64);
  assert_int_equal(qb_case_data_keep_ref64(&f, &err), QB_OK);
  assert_int_equal(d->ref64 != NULL, f.ref64 != NULL);
  if (f.ref64 != NULL) assert_memory_equal(d->ref64, f.ref64, qb_case_data_outputs(&f) * sizeof *f.ref64);
  assert_memory_equal(&d->dot64, &f.dot64, sizeof f.dot64);
  assert_memory_equal(&d->dot64_sum_abs, &f.dot64_sum_abs, sizeof f.dot64_sum_abs);
  qb_case_data_free(&f);
}

/* The figures of output y (the case's scalar reference, one element changed) from the data
 * the prepared cases gave equal those from data made afresh, evaluated without a kept
 * reference: a reference kept from other data would give other figures. */
static void assert_figures_fresh(qb_case_data* d, const qb_case* k) {
  qb_case_data f;
  qb_error err = {0};
  qb_error_metrics got, want;
  const qb_round_mode round = k->round < 0 ? QB_ROUND_PYTORCH : (qb_round_mode) k->round;
  assert_int_equal(qb_case_data_init(&f, k->family, N, k->dist, SEED, round, &err), QB_OK);
  assert_false(f.have_ref64);
  memcpy(d->y, d->y_ref, d->y_bytes);
  ((unsigned char*) d->y)[d->y_bytes - 1] ^= 0x21u;
  memcpy(f.y, d->y, d->y_bytes);
  assert_int_equal(qb_case_data_evaluate(d, d->y, QB_SEM_REASSOC, &got, &err), QB_OK);
  assert_int_equal(qb_case_data_evaluate(&f, f.y, QB_SEM_REASSOC, &want, &err), QB_OK);
  const double g[] = {got.max_abs, got.max_rel, got.rmse,     got.nmse,
                      got.sqnr_db, got.max_ulp, got.mean_ulp, got.bound};
  const double w[] = {want.max_abs, want.max_rel, want.rmse,     want.nmse,
                      want.sqnr_db, want.max_ulp, want.mean_ulp, want.bound};
  assert_memory_equal(g, w, sizeof g);
  assert_int_equal(got.count, want.count);
  assert_int_equal(got.mismatches, want.mismatches);
  assert_int_equal(got.nan_inf_mismatches, want.nan_inf_mismatches);
  assert_int_equal(got.overflows, want.overflows);
  qb_case_data_free(&f);
}

static void assert_zero(const void* p, size_t bytes) {
  const unsigned char* b = p;
  for (size_t i = 0; i < bytes; i++) assert_int_equal(b[i], 0);
}

/* Variants and thread counts of one key share the data; the output is zeroed for each. */
static void test_reuse_within_key(void** state) {
  (void) state;
  static const char* const families[] = {"f32_qs8_quantc", "s8_dot", "f32_f16_cvt", "qs8_f32_dequant"};
  for (size_t f = 0; f < sizeof families / sizeof families[0]; f++) {
    qb_prepared p;
    memset(&p, 0, sizeof p);
    qb_prepared_info info;
    qb_case_data* d;
    qb_error err = {0};
    const qb_case a = kase(families[f], "scalar_u1", QB_DIST_normal, 0, 1);
    const qb_case b = kase(families[f], "other_u8", QB_DIST_normal, 0, 2);
    assert_int_equal(qb_prepared_case(&p, &a, SEED, NULL, &d, &info, &err), QB_OK);
    assert_false(info.reused);
    assert_fresh(d, &a);
    const qb_case_data* first = d;
    memset(d->y, 0x5A, d->y_bytes); /* a variant's output */
    assert_int_equal(qb_prepared_case(&p, &b, SEED, NULL, &d, &info, &err), QB_OK);
    assert_true(info.reused);
    assert_null(info.changed_by);
    assert_ptr_equal(d, first);
    assert_zero(d->y, d->y_bytes);
    assert_fresh(d, &b);
    qb_prepared_free(&p);
  }
}

/* Another distribution, rounding, size or seed: data made afresh. */
static void test_new_key(void** state) {
  (void) state;
  qb_prepared p;
  memset(&p, 0, sizeof p);
  qb_prepared_info info;
  qb_case_data* d;
  qb_error err = {0};
  const qb_case a = kase("f32_qs8_quant", "scalar_u1", QB_DIST_normal, 0, 1);
  qb_case b = kase("f32_qs8_quant", "scalar_u1", QB_DIST_laplace, 0, 1);
  assert_int_equal(qb_prepared_case(&p, &a, SEED, NULL, &d, &info, &err), QB_OK);
  assert_int_equal(qb_prepared_case(&p, &b, SEED, NULL, &d, &info, &err), QB_OK);
  assert_false(info.reused);
  assert_fresh(d, &b);
  b.round = QB_ROUND_TFLITE; /* other params */
  assert_int_equal(qb_prepared_case(&p, &b, SEED, NULL, &d, &info, &err), QB_OK);
  assert_false(info.reused);
  assert_int_equal(d->qp.round, QB_ROUND_TFLITE);
  assert_int_equal(qb_prepared_case(&p, &b, SEED + 1, NULL, &d, &info, &err), QB_OK);
  assert_false(info.reused);
  const qb_case c = kase("f32_qu8_quant", "scalar_u1", QB_DIST_laplace, QB_ROUND_TFLITE, 1);
  assert_int_equal(qb_prepared_case(&p, &c, SEED + 1, NULL, &d, &info, &err), QB_OK);
  assert_false(info.reused);
  /* Freed: the next case makes its own. */
  qb_prepared_free(&p);
  assert_int_equal(qb_prepared_case(&p, &c, SEED + 1, NULL, &d, &info, &err), QB_OK);
  assert_false(info.reused);
  qb_prepared_free(&p);
}

/* Through a run of cases whose key changes (family, distribution, rounding, seed, size)
 * and stays, each case's figures are those of its own data: a reference kept from the
 * case before would give others. */
static void test_figures_follow_the_key(void** state) {
  (void) state;
  static const struct {
    const char* family;
    qb_dist dist;
    int round;
  } seq[] = {
      {"f32_f16_cvt", QB_DIST_normal, -1},       {"f32_f16_cvt", QB_DIST_normal, -1},
      {"f32_f16_cvt", QB_DIST_laplace, -1},      {"f32_bf16_cvt", QB_DIST_laplace, -1},
      {"f16_f32_cvt", QB_DIST_laplace, -1},      {"f32_qs8_quant", QB_DIST_laplace, 0},
      {"f32_qs8_quant", QB_DIST_laplace, 1},     {"qs8_f32_dequant", QB_DIST_laplace, 1},
      {"qs8_f32_dequantc", QB_DIST_laplace, 1},  {"f32_dot", QB_DIST_normal, -1},
      {"f32_dot", QB_DIST_normal, -1},           {"f32_dot", QB_DIST_uniform, -1},
      {"f16_dot", QB_DIST_uniform, -1},          {"q4_0q8_0_dot", QB_DIST_uniform, -1},
      {"mxf4_f32_dequant", QB_DIST_uniform, -1}, {"f32_mxf4_quant", QB_DIST_uniform, -1},
  };
  qb_prepared p;
  memset(&p, 0, sizeof p);
  for (size_t i = 0; i < sizeof seq / sizeof seq[0]; i++) {
    qb_prepared_info info;
    qb_case_data* d;
    qb_error err = {0};
    const qb_case k = kase(seq[i].family, "scalar_u1", seq[i].dist, seq[i].round, 1);
    assert_int_equal(qb_prepared_case(&p, &k, SEED, NULL, &d, &info, &err), QB_OK);
    assert_fresh(d, &k);
    assert_figures_fresh(d, &k);
  }
  qb_prepared_free(&p);
}

/* The f32 draws kept for the next family of the same size, distribution and seed: its
 * data are those made afresh, also when the draws held were changed (drawn again) and
 * when a dot needs its second operand after a unary family drew only the first. */
static void test_draws_kept(void** state) {
  (void) state;
  static const char* const families[] = {"f32_f16_cvt", "f32_dot", "f32_qs8_quantc", "s8_dot",
                                         "f32_bf16_cvt"};
  for (int change = 0; change < 3; change++) {
    qb_prepared p;
    memset(&p, 0, sizeof p);
    for (size_t f = 0; f < sizeof families / sizeof families[0]; f++) {
      qb_prepared_info info;
      qb_case_data* d;
      qb_error err = {0};
      const qb_case k = kase(families[f], "scalar_u1", QB_DIST_laplace, 0, 1);
      assert_int_equal(qb_prepared_case(&p, &k, SEED, NULL, &d, &info, &err), QB_OK);
      assert_false(info.reused);
      assert_fresh(d, &k);
      assert_non_null(p.xf);
      if (change == 1) p.xf[N / 2] += 1.0f;
      if (change == 2 && p.x2f != NULL) p.x2f[N - 1] = -p.x2f[N - 1];
    }
    qb_prepared_free(&p);
    assert_null(p.xf);
  }
}

/* A case that wrote its inputs (one byte of any of them): the next case gets them made
 * again, and the change is named. */
static void test_changed_inputs(void** state) {
  (void) state;
  for (int which = 0; which < 6; which++) {
    qb_prepared p;
    memset(&p, 0, sizeof p);
    qb_prepared_info info;
    qb_case_data* d;
    qb_error err = {0};
    const char* family = which == 1 || which == 5 ? "s8_dot" : "f32_qs8_quantc";
    const qb_case a = kase(family, "scalar_u1", QB_DIST_normal, 0, 1);
    const qb_case b = kase(family, "other_u8", QB_DIST_normal, 0, 1);
    assert_int_equal(qb_prepared_case(&p, &a, SEED, NULL, &d, &info, &err), QB_OK);
    switch (which) {
      case 0:
        ((unsigned char*) d->x)[d->x_bytes - 1] ^= 1; /* the last byte: the sum's tail */
        break;
      case 1:
        ((unsigned char*) d->x2)[17] ^= 0x80;
        break;
      case 2:
        ((unsigned char*) d->y_ref)[3] += 1;
        break;
      case 3:
        d->scales[d->channels - 1] *= 2.0f;
        break;
      case 4:
        d->ref64[N - 1] += 1.0; /* the kept f64 reference */
        break;
      default:
        d->dot64_sum_abs *= 2.0;
        break;
    }
    assert_int_equal(qb_prepared_case(&p, &b, SEED, NULL, &d, &info, &err), QB_OK);
    assert_false(info.reused);
    assert_non_null(info.changed_by);
    assert_string_equal(info.changed_by, a.name);
    assert_fresh(d, &b);
    qb_prepared_free(&p);
  }
}

/* A case whose data cannot be made is the case's error; nothing is held after it. */
static void test_failure(void** state) {
  (void) state;
  qb_prepared p;
  memset(&p, 0, sizeof p);
  qb_prepared_info info;
  qb_case_data* d;
  qb_error err = {0};
  qb_case a = kase("f32_q8_0_quant", "scalar_u1", QB_DIST_normal, 0, 1);
  assert_int_equal(qb_prepared_case(&p, &a, SEED, NULL, &d, &info, &err), QB_OK);
  a.n = 33; /* not a multiple of the block */
  assert_int_not_equal(qb_prepared_case(&p, &a, SEED, NULL, &d, &info, &err), QB_OK);
  assert_null(d);
  assert_false(p.have);
  qb_prepared_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_reuse_within_key),       cmocka_unit_test(test_new_key),
      cmocka_unit_test(test_figures_follow_the_key), cmocka_unit_test(test_draws_kept),
      cmocka_unit_test(test_changed_inputs),         cmocka_unit_test(test_failure),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
