/*
 * Real tensors as the workload (host/io/tensorset.h): the axis made outermost, f64/f16
 * inputs converted, and per-channel quantization along a real axis against per tensor on
 * a weight whose rows differ in scale by 10^3.5: the figures are deterministic and pinned.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/tensorset.h"
#include "numerics/casedata.h"
#include "platform/registry.h"
#include "test_util.h"

#define R 8
#define C 32
#define QB_TEST_PER_TENSOR_DB 42.908407
#define QB_TEST_PER_ROW_DB 50.434552

/* Row r: a deterministic pattern scaled by 10^(r / 2). */
static float qb__w(int r, int c) {
  return powf(10.0f, (float) r / 2.0f) * sinf((float) (r * C + c) * 0.7f + 0.3f);
}

static void qb__write(const char* path, qb_dtype t) {
  qb_tensor x;
  qb_error err = {0};
  const uint64_t dims[2] = {R, C};
  assert_int_equal(qb_tensor_alloc(&x, t, 2, dims, &err), QB_OK);
  for (int r = 0; r < R; r++) {
    for (int c = 0; c < C; c++) {
      if (t == QB_DTYPE_f64) {
        ((double*) x.data)[r * C + c] = qb__w(r, c);
      } else {
        ((float*) x.data)[r * C + c] = qb__w(r, c);
      }
    }
  }
  assert_int_equal(qb_npy_write(path, &x, true, &err), QB_OK);
  qb_tensor_free(&x);
}

static void test_axes(void** state) {
  (void) state;
  char path[] = "/tmp/qb_tensorset_XXXXXX.npy";
  int fd = mkstemps(path, 4);
  assert_true(fd >= 0);
  close(fd);
  qb__write(path, QB_DTYPE_f64);
  qb_tensorset ts;
  qb_error err = {0};
  qb_tensor y;
  size_t chlen;
  qb_dtype from;
  assert_int_equal(qb_tensorset_open(&ts, path, NULL, &err), QB_OK);
  assert_int_equal(ts.count, 1);
  /* Axis 0: rows stay rows, channels of 32. */
  assert_int_equal(qb_tensorset_load_f32(&ts, 0, 0, &y, &chlen, &from, &err), QB_OK);
  assert_int_equal(from, QB_DTYPE_f64);
  assert_int_equal(chlen, C);
  assert_true(((float*) y.data)[3 * C + 5] == qb__w(3, 5));
  qb_tensor_free(&y);
  /* Axis 1: columns become the channels (8 elements each). */
  assert_int_equal(qb_tensorset_load_f32(&ts, 0, 1, &y, &chlen, &from, &err), QB_OK);
  assert_int_equal(chlen, R);
  assert_true(((float*) y.data)[5 * R + 3] == qb__w(3, 5));
  qb_tensor_free(&y);
  assert_int_equal(qb_tensorset_load_f32(&ts, 0, 2, &y, &chlen, &from, &err), QB_BAD_INPUT);
  qb_tensorset_close(&ts);
  unlink(path);
}

/* SQNR of f32 -> family on x with channels of chlen (0: the default chunks). */
static double qb__sqnr(const char* family, const float* x, size_t n, size_t chlen) {
  const qb_case_options o = {QB_ROUND_PYTORCH, false, NULL, chlen};
  qb_case_data d;
  qb_error err = {0};
  qb_error_metrics m;
  assert_int_equal(qb_case_data_init_from(&d, qb_family_get(qb_family_find(family)), n, QB_DTYPE_f32, x,
                                          QB_DTYPE_none, NULL, &o, &err),
                   QB_OK);
  assert_int_equal(qb_case_data_evaluate(&d, d.y_ref, QB_SEM_EXACT, &m, &err), QB_OK);
  qb_case_data_free(&d);
  return m.sqnr_db;
}

static void test_per_row_beats_per_tensor(void** state) {
  (void) state;
  float x[R * C];
  for (int r = 0; r < R; r++) {
    for (int c = 0; c < C; c++) x[r * C + c] = qb__w(r, c);
  }
  const double tensor = qb__sqnr("f32_qs8_quant", x, R * C, 0);
  const double chunks = qb__sqnr("f32_qs8_quantc", x, R * C, 0); /* 256-element chunks: one */
  const double rows = qb__sqnr("f32_qs8_quantc", x, R * C, C);   /* axis 0: a channel per row */
  print_message("per tensor %.6f dB, 256-element chunks %.6f dB, per row %.6f dB\n", tensor, chunks, rows);
  assert_true(chunks == tensor); /* the old behaviour: one chunk is the whole tensor */
  assert_true(rows > tensor + 7.0);
  /* Pinned: the data and the arithmetic are deterministic. */
  assert_true(fabs(tensor - QB_TEST_PER_TENSOR_DB) < 1e-5);
  assert_true(fabs(rows - QB_TEST_PER_ROW_DB) < 1e-5);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_axes),
      cmocka_unit_test(test_per_row_beats_per_tensor),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
