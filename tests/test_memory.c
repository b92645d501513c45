/* Memory footprints: the 2000x2000 figures, metadata per scheme, shapes and their errors. */
#include <string.h>

#include "numerics/casedata.h"
#include "numerics/memory.h"
#include "test_util.h"

static const qb_memory_row* qb__find(const qb_memory_row* rows, size_t k, const char* name) {
  for (size_t i = 0; i < k; i++) {
    if (strcmp(rows[i].name, name) == 0) return &rows[i];
  }
  fail_msg("no row '%s'", name);
  return NULL;
}

static void test_2000x2000(void** state) {
  (void) state;
  const uint64_t dims[2] = {2000, 2000};
  qb_memory_row rows[QB_MEMORY_MAX_ROWS];
  const size_t k = qb_memory_table(dims, 2, rows, QB_MEMORY_MAX_ROWS);
  assert_true(k >= 10 && k < QB_MEMORY_MAX_ROWS);
  /* The low-bit formats: bits per element with their scales. */
  assert_true(qb__find(rows, k, "mxf4")->bytes_per_element * 8 == 4.25);
  assert_true(qb__find(rows, k, "mxf6e2m3")->bytes_per_element * 8 == 6.25);
  assert_true(qb__find(rows, k, "mxf8e4m3")->bytes_per_element * 8 == 8.25);
  assert_true(qb__find(rows, k, "nvf4")->bytes_per_element * 8 == 4.5);
  assert_true(qb__find(rows, k, "f8e4m3b128")->bytes_per_element * 8 == 8.25);
  assert_true(qb__find(rows, k, "f6e2m3")->total_bytes == 3000000u);
  assert_true(qb__find(rows, k, "mxf4")->metadata_bytes == 125000u);
  assert_true(qb__find(rows, k, "f64")->total_bytes == 32000000u);
  assert_true(qb__find(rows, k, "f32")->total_bytes == 16000000u);
  assert_true(qb__find(rows, k, "f16")->total_bytes == 8000000u);
  assert_true(qb__find(rows, k, "bf16")->total_bytes == 8000000u);
  assert_true(qb__find(rows, k, "f8e4m3")->total_bytes == 4000000u);
  const qb_memory_row* r = qb__find(rows, k, "s8 per-tensor");
  assert_true(r->data_bytes == 4000000u && r->metadata_bytes == 8 && r->total_bytes == 4000008u);
  r = qb__find(rows, k, "s8 per-channel"); /* 2000 channels x (f32 scale + s32 zero point) */
  assert_true(r->metadata_bytes == 16000u && r->total_bytes == 4016000u);
  r = qb__find(rows, k, "s8 block32"); /* 125,000 blocks x one f32 scale: 9 bits per element */
  assert_true(r->metadata_bytes == 500000u && r->bytes_per_element == 1.125 && r->ratio_to_f32 == 0.28125);
  r = qb__find(rows, k, "s4 block32");
  assert_true(r->data_bytes == 2000000u && r->total_bytes == 2500000u && r->ratio_to_f64 == 0.078125);
  r = qb__find(rows, k, "f16");
  assert_true(r->ratio_to_f32 == 0.5 && r->ratio_to_f64 == 0.25 && r->bytes_per_element == 2.0);
  /* The deployed blocks and the formats that came with them. */
  assert_true(qb__find(rows, k, "q8_0")->bytes_per_element * 8 == 8.5);
  assert_true(qb__find(rows, k, "q4_0")->bytes_per_element * 8 == 4.5);
  assert_true(qb__find(rows, k, "qu4g32")->bytes_per_element * 8 == 4.75);
  assert_true(qb__find(rows, k, "qu4g64")->bytes_per_element * 8 == 4.375);
  assert_true(qb__find(rows, k, "qu4g128")->bytes_per_element * 8 == 4.1875);
  assert_true(qb__find(rows, k, "qs4g128")->bytes_per_element * 8 == 4.125);
  assert_true(qb__find(rows, k, "mxf8e5m2")->bytes_per_element * 8 == 8.25);
  assert_true(qb__find(rows, k, "mxf6e3m2")->bytes_per_element * 8 == 6.25);
  assert_true(qb__find(rows, k, "f6e3m2")->total_bytes == 3000000u);
  assert_true(qb__find(rows, k, "e8m0")->total_bytes == 4000000u);
}

/* Every storage format qbench has (the families that `qbench error --data` compares) has
 * its row: a format added to the registry without one here fails this test. */
static void test_every_format(void** state) {
  (void) state;
  const uint64_t dims[2] = {64, 128};
  qb_memory_row rows[QB_MEMORY_MAX_ROWS];
  const size_t k = qb_memory_table(dims, 2, rows, QB_MEMORY_MAX_ROWS);
  for (int fi = 0; fi < QB_FAMILY_COUNT; fi++) {
    const qb_family_info* f = qb_family_get((qb_family) fi);
    if (!qb_case_is_format(f)) continue;
    /* qb8 is block int8 with an f32 scale: the row "s8 block32". */
    const qb_dtype want = f->out == QB_DTYPE_qb8 ? QB_DTYPE_s8 : f->out;
    bool found = false;
    for (size_t i = 0; i < k; i++) {
      if (rows[i].dtype == want && (f->out != QB_DTYPE_qb8 || rows[i].scheme == QB_MEM_BLOCK)) found = true;
    }
    if (!found) fail_msg("%s: no memory row for %s", f->name, qb_dtype_get(f->out)->name);
  }
}

static void test_odd_sizes(void** state) {
  (void) state;
  const uint64_t dims[1] = {33};
  qb_memory_row r;
  assert_int_equal(qb_memory_footprint(QB_DTYPE_s4, QB_MEM_BLOCK, dims, 1, &r, NULL), QB_OK);
  assert_true(r.data_bytes == 17 && r.metadata_bytes == 8); /* 33 nibbles round up; 2 blocks */
  qb_error err = {0};
  assert_int_equal(qb_memory_footprint(QB_DTYPE_f32, QB_MEM_BLOCK, dims, 1, &r, &err), QB_BAD_INPUT);
  assert_non_null(strstr(err.msg, "integer"));
}

static void test_shapes(void** state) {
  (void) state;
  uint64_t d[QB_MEMORY_MAX_DIMS];
  int nd;
  qb_error err = {0};
  assert_int_equal(qb_memory_parse_shape("2000x2000", d, &nd, &err), QB_OK);
  assert_true(nd == 2 && d[0] == 2000 && d[1] == 2000);
  assert_int_equal(qb_memory_parse_shape("7", d, &nd, &err), QB_OK);
  assert_true(nd == 1 && d[0] == 7);
  assert_int_equal(qb_memory_parse_shape("32x128x128", d, &nd, &err), QB_OK);
  assert_true(nd == 3);
  const char* bad[] = {
      "", "x2", "2x", "2x0", "2*3", "-2", "2x 3", "1x1x1x1x1x1x1x1x1", "4294967296x4294967296"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    err.msg[0] = '\0';
    assert_int_equal(qb_memory_parse_shape(bad[i], d, &nd, &err), QB_BAD_INPUT);
    assert_true(strlen(err.msg) > 0 && strchr(err.msg, '\n') == NULL);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_2000x2000),
      cmocka_unit_test(test_odd_sizes),
      cmocka_unit_test(test_shapes),
      cmocka_unit_test(test_every_format),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
