/* .npy: fixtures of versions 1, 2 and 3, a write/read round trip, atomic no-overwrite
 * writes, and one crafted file per malformation with its message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/npy.h"
#include "test_util.h"

#ifndef QB_TEST_DATA
#error "QB_TEST_DATA (tests/data) is set by tests/numerics.cmake"
#endif

static void test_fixtures(void** state) {
  (void) state;
  qb_tensor t;
  qb_error err = {0};
  assert_int_equal(qb_npy_read(QB_TEST_DATA "/f32_2x3_v1.npy", &t, &err), QB_OK);
  assert_true(t.dtype == QB_DTYPE_f32 && t.ndim == 2 && t.dims[0] == 2 && t.dims[1] == 3 && t.count == 6);
  assert_true(((float*) t.data)[5] == 5.5f && ((uintptr_t) t.data & 63u) == 0);
  qb_tensor_free(&t);
  assert_int_equal(qb_npy_read(QB_TEST_DATA "/f16_4_v2.npy", &t, &err), QB_OK);
  assert_true(t.dtype == QB_DTYPE_f16 && t.ndim == 1 && t.count == 4);
  assert_true(((uint16_t*) t.data)[0] == 0x3C00 && ((uint16_t*) t.data)[3] == 0x7BFF);
  qb_tensor_free(&t);
  assert_int_equal(qb_npy_read(QB_TEST_DATA "/i8_3_v3.npy", &t, &err), QB_OK);
  assert_true(t.dtype == QB_DTYPE_s8 && t.count == 3 && ((int8_t*) t.data)[0] == -128);
  qb_tensor_free(&t);
  assert_int_equal(qb_npy_read(QB_TEST_DATA "/missing.npy", &t, &err), QB_IO);
  assert_non_null(strstr(err.msg, "missing.npy"));
}

/* A .npy image with the given header dict (v1, padded to 64) and `data_len` data bytes. */
static size_t qb__craft(unsigned char* buf, const char* dict, size_t data_len) {
  const size_t dl = strlen(dict);
  const size_t total = (10 + dl + 1 + 63) / 64 * 64;
  memcpy(buf, "\x93NUMPY\x01\x00", 8);
  buf[8] = (unsigned char) ((total - 10) & 0xFF);
  buf[9] = (unsigned char) ((total - 10) >> 8);
  memcpy(buf + 10, dict, dl);
  memset(buf + 10 + dl, ' ', total - 10 - dl);
  buf[total - 1] = '\n';
  memset(buf + total, 0, data_len);
  return total + data_len;
}

static void qb__expect_bad(const unsigned char* buf, size_t len, const char* words) {
  qb_tensor t;
  qb_error err = {0};
  const qb_status s = qb_npy_parse(buf, len, "x.npy", &t, &err);
  if (s != QB_BAD_INPUT || strstr(err.msg, words) == NULL) {
    print_error("expected an error with '%s', got status %d: %s\n", words, (int) s, err.msg);
  }
  assert_int_equal(s, QB_BAD_INPUT);
  assert_non_null(strstr(err.msg, words));
  assert_non_null(strstr(err.msg, "x.npy"));
  assert_null(strchr(err.msg, '\n'));
  assert_null(t.data);
}

static void test_malformed(void** state) {
  (void) state;
  static unsigned char buf[4096];
  const char* ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  qb_tensor t;
  qb_error err = {0};
  size_t len = qb__craft(buf, ok, 24);
  assert_int_equal(qb_npy_parse(buf, len, "x.npy", &t, &err), QB_OK);
  qb_tensor_free(&t);
  qb__expect_bad(buf, 5, "truncated");
  qb__expect_bad(buf, 40, "truncated"); /* the header runs past the end */
  qb__expect_bad(buf, len - 1, "data is 23 bytes");
  qb__expect_bad(buf, len + 1, "data is 25 bytes"); /* longer than the shape: refused too */
  buf[1] = 'n';
  qb__expect_bad(buf, len, "bad magic");
  buf[1] = 'N';
  buf[6] = 4;
  qb__expect_bad(buf, len, "version 4");
  len = qb__craft(buf, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", 24);
  qb__expect_bad(buf, len, "Fortran order");
  len = qb__craft(buf, "{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }", 24);
  qb__expect_bad(buf, len, "big-endian");
  len = qb__craft(buf, "{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", 16);
  qb__expect_bad(buf, len, "unsupported dtype '<c8'");
  len = qb__craft(buf, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", 8);
  qb__expect_bad(buf, len, "structured");
  len = qb__craft(buf, "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", 0);
  qb__expect_bad(buf, len, "overflows size_t");
  len = qb__craft(buf, "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", 0);
  qb__expect_bad(buf, len, "overflows 64 bits");
  len = qb__craft(buf, "{'descr': '<f4', 'shape': (2,), }", 8);
  qb__expect_bad(buf, len, "lacks 'fortran_order'");
  len = qb__craft(buf, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }", 8);
  qb__expect_bad(buf, len, "other than integers");
  len = qb__craft(buf, "['descr']", 8);
  qb__expect_bad(buf, len, "not a dict");
  /* A scalar: shape (), one element. */
  len = qb__craft(buf, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }", 8);
  assert_int_equal(qb_npy_parse(buf, len, "x.npy", &t, &err), QB_OK);
  assert_true(t.ndim == 0 && t.count == 1);
  qb_tensor_free(&t);
}

static void test_round_trip_and_atomic(void** state) {
  (void) state;
  char dir[] = "/tmp/qb_npy_XXXXXX";
  char path[256];
  qb_tensor t, back;
  qb_error err = {0};
  const uint64_t dims[2] = {3, 5};
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/y.npy", dir);
  const qb_dtype types[] = {QB_DTYPE_f64, QB_DTYPE_f32, QB_DTYPE_f16, QB_DTYPE_s8, QB_DTYPE_u8, QB_DTYPE_s32};
  for (size_t k = 0; k < sizeof types / sizeof types[0]; k++) {
    assert_int_equal(qb_tensor_alloc(&t, types[k], 2, dims, &err), QB_OK);
    for (size_t i = 0; i < t.bytes; i++) ((unsigned char*) t.data)[i] = (unsigned char) (i * 7 + k);
    assert_int_equal(qb_npy_write(path, &t, true, &err), QB_OK);
    assert_int_equal(qb_npy_read(path, &back, &err), QB_OK);
    assert_true(back.dtype == types[k] && back.ndim == 2 && back.dims[1] == 5);
    assert_memory_equal(back.data, t.data, t.bytes);
    qb_tensor_free(&back);
    qb_tensor_free(&t);
  }
  /* Without force an existing file stays as it was. */
  struct stat before, after;
  assert_int_equal(stat(path, &before), 0);
  assert_int_equal(qb_tensor_alloc(&t, QB_DTYPE_f32, 1, dims, &err), QB_OK);
  assert_int_equal(qb_npy_write(path, &t, false, &err), QB_EXISTS);
  assert_non_null(strstr(err.msg, "--force"));
  assert_int_equal(stat(path, &after), 0);
  assert_true(before.st_size == after.st_size && before.st_ino == after.st_ino);
  /* No temporary file is left behind; a missing folder is an IO error. */
  snprintf(path, sizeof path, "%s/no/such/y.npy", dir);
  assert_int_equal(qb_npy_write(path, &t, false, &err), QB_IO);
  qb_tensor_free(&t);
  char cmd[300];
  snprintf(cmd, sizeof cmd, "test $(ls -A %s | wc -l) -eq 1 && rm -r %s", dir, dir);
  assert_int_equal(system(cmd), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fixtures),
      cmocka_unit_test(test_malformed),
      cmocka_unit_test(test_round_trip_and_atomic),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
