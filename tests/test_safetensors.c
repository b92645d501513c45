/* .safetensors: the fixture model, and one crafted file per malformation. */
#include <stdio.h>
#include <string.h>

#include "io/safetensors.h"
#include "test_util.h"

#ifndef QB_TEST_DATA
#error "QB_TEST_DATA (tests/data) is set by tests/numerics.cmake"
#endif

static void test_fixture(void** state) {
  (void) state;
  qb_safetensors st;
  qb_tensor t;
  qb_error err = {0};
  assert_int_equal(qb_safetensors_open(QB_TEST_DATA "/model.safetensors", &st, &err), QB_OK);
  assert_true(st.count == 3); /* __metadata__ is not a tensor */
  const qb_safetensors_entry* w = qb_safetensors_find(&st, "w");
  assert_non_null(w);
  assert_true(w->dtype == QB_DTYPE_f32 && w->ndim == 2 && w->dims[0] == 8 && w->dims[1] == 32);
  assert_int_equal(qb_safetensors_load(&st, "w", &t, &err), QB_OK);
  assert_true(t.count == 256 && ((float*) t.data)[0] == 0.0f);
  qb_tensor_free(&t);
  assert_int_equal(qb_safetensors_load(&st, "b", &t, &err), QB_OK);
  assert_true(t.dtype == QB_DTYPE_bf16 && t.count == 64);
  qb_tensor_free(&t);
  assert_int_equal(qb_safetensors_load(&st, "mask", &t, &err), QB_BAD_INPUT);
  assert_non_null(strstr(err.msg, "BOOL"));
  assert_int_equal(qb_safetensors_load(&st, "nope", &t, &err), QB_BAD_INPUT);
  assert_non_null(strstr(err.msg, "no tensor 'nope'"));
  qb_safetensors_close(&st);
  qb_safetensors_close(&st); /* twice is harmless */
  assert_int_equal(qb_safetensors_open(QB_TEST_DATA "/missing.safetensors", &st, &err), QB_IO);
}

/* An image: 8-byte length, the JSON header, then `data_len` zero bytes. */
static size_t qb__craft(unsigned char* buf, const char* json, size_t data_len) {
  const uint64_t n = strlen(json);
  for (int i = 0; i < 8; i++) buf[i] = (unsigned char) (n >> (8 * i));
  memcpy(buf + 8, json, n);
  memset(buf + 8 + n, 0, data_len);
  return 8 + n + data_len;
}

static void qb__expect_bad(const unsigned char* buf, size_t len, const char* words) {
  qb_safetensors st;
  qb_error err = {0};
  const qb_status s = qb_safetensors_parse(buf, len, "m.safetensors", &st, &err);
  if (s != QB_BAD_INPUT || strstr(err.msg, words) == NULL) {
    print_error("expected an error with '%s', got status %d: %s\n", words, (int) s, err.msg);
  }
  assert_int_equal(s, QB_BAD_INPUT);
  assert_non_null(strstr(err.msg, "m.safetensors"));
  assert_null(strchr(err.msg, '\n'));
  assert_true(st.count == 0 && st.entries == NULL);
}

static void test_malformed(void** state) {
  (void) state;
  static unsigned char buf[4096];
  qb_safetensors st;
  qb_error err = {0};
  size_t len =
      qb__craft(buf, "{\"a\": {\"dtype\": \"F16\", \"shape\": [2, 2], \"data_offsets\": [0, 8]}}", 8);
  assert_int_equal(qb_safetensors_parse(buf, len, "m.safetensors", &st, &err), QB_OK);
  qb_safetensors_close(&st);
  qb__expect_bad(buf, 7, "truncated");
  qb__expect_bad(buf, 20, "truncated");
  qb__expect_bad(buf, len - 1, "out of range");
  buf[5] = 0x40; /* a header length of 2^46 */
  qb__expect_bad(buf, len, "limit");
  len = qb__craft(buf, "{\"a\": {\"dtype\": \"F16\", \"shape\": [2, 2], \"data_offsets\": [0, 6]}}", 8);
  qb__expect_bad(buf, len, "6 bytes of data, but F16 x 4 elements need 8");
  len = qb__craft(buf, "{\"a\": {\"dtype\": \"F16\", \"shape\": [2], \"data_offsets\": [4, 0]}}", 8);
  qb__expect_bad(buf, len, "out of range");
  len = qb__craft(buf,
                  "{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]},"
                  " \"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}",
                  12);
  qb__expect_bad(buf, len, "overlap");
  len = qb__craft(buf, "{\"a\": {\"dtype\": \"Q4\", \"shape\": [2], \"data_offsets\": [0, 2]}}", 2);
  qb__expect_bad(buf, len, "unknown dtype 'Q4'");
  len = qb__craft(buf, "{\"a\": {\"dtype\": \"F32\", \"shape\": [2]}}", 8);
  qb__expect_bad(buf, len, "data_offsets");
  len = qb__craft(buf, "{\"a\": {\"dtype\": \"F32\", \"shape\": [-2], \"data_offsets\": [0, 8]}}", 8);
  qb__expect_bad(buf, len, "shape");
  len = qb__craft(
      buf, "{\"a\": {\"dtype\": \"F64\", \"shape\": [4294967296, 4294967296], \"data_offsets\": [0, 8]}}", 8);
  qb__expect_bad(buf, len, "overflows");
  len = qb__craft(buf, "{\"a\": ", 0);
  qb__expect_bad(buf, len, "not JSON");
  len = qb__craft(buf, "[1, 2]", 0);
  qb__expect_bad(buf, len, "not a JSON object");
  len = qb__craft(buf,
                  "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]},"
                  " \"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}",
                  8);
  qb__expect_bad(buf, len, "duplicate");
  /* Empty tensors share no bytes with anyone. */
  len = qb__craft(buf,
                  "{\"e\": {\"dtype\": \"F32\", \"shape\": [0], \"data_offsets\": [0, 0]},"
                  " \"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}",
                  4);
  assert_int_equal(qb_safetensors_parse(buf, len, "m.safetensors", &st, &err), QB_OK);
  assert_true(st.count == 2);
  qb_safetensors_close(&st);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fixture),
      cmocka_unit_test(test_malformed),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
