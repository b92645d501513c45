/* Instruction counts (report/icount.h) on hand-made numbers: reading callgrind's dumps,
 * the counts file, the base-against-head verdicts and their place in the paired
 * verdict. No valgrind here: the counting itself is exercised by ci/regression. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/icount.h"
#include "report/paired.h"
#include "test_util.h"

/* The head of a dump as callgrind 3.19 writes it for CALLGRIND_DUMP_STATS_AT. */
static const char qb__dump[] =
    "# callgrind format\n"
    "version: 1\n"
    "creator: callgrind-3.19.0\n"
    "pid: 25196\n"
    "cmd:  ./qbench --isa avx2 icount --inner /tmp/x\n"
    "part: 3\n"
    "\n"
    "desc: I1 cache: \n"
    "desc: Timerange: Basic block 0 - 28551\n"
    "desc: Trigger: Client Request: f32_dot__avx2_u32\n"
    "\n"
    "positions: line\n"
    "events: Ir\n"
    "summary: 1428\n"
    "\n"
    "ob=(3) /usr/lib/x86_64-linux-gnu/libc.so.6\n"
    "totals: 1428\n";

static void test_parse_dump(void** state) {
  (void) state;
  char name[64], tool[32];
  uint64_t ir = 0;
  assert_true(qb_icount_parse_dump(qb__dump, name, sizeof name, &ir, tool, sizeof tool));
  assert_string_equal(name, "f32_dot__avx2_u32");
  assert_true(ir == 1428);
  assert_string_equal(tool, "callgrind-3.19.0");
  /* The end-of-program dump has no client request: not a kernel's. */
  assert_false(
      qb_icount_parse_dump("creator: callgrind-3.19.0\ndesc: Trigger: Program termination\nsummary: 0\n",
                           name, sizeof name, &ir, NULL, 0));
  /* No count, or a count that is not a number. */
  assert_false(qb_icount_parse_dump("desc: Trigger: Client Request: k\n", name, sizeof name, &ir, NULL, 0));
  assert_false(qb_icount_parse_dump("desc: Trigger: Client Request: k\nsummary: x1\n", name, sizeof name, &ir,
                                    NULL, 0));
  /* A name longer than the buffer is refused, not cut. */
  assert_false(qb_icount_parse_dump(qb__dump, name, 8, &ir, NULL, 0));
}

/* A set of kernels k0..k(n-1), n = 4181, with the given instruction counts. */
static void qb__set(qb_icount_set* s, const uint64_t* ir, size_t n) {
  qb_error err = {0};
  assert_int_equal(qb_icount_init(s, "callgrind-3.19.0", "avx2", "test", &err), QB_OK);
  for (size_t i = 0; i < n; i++) {
    char name[16];
    snprintf(name, sizeof name, "k%zu", i);
    assert_int_equal(qb_icount_add(s, name, "avx2", 4181, ir[i], &err), QB_OK);
  }
}

static void test_equal_counts_pass(void** state) {
  (void) state;
  const uint64_t ir[] = {3478, 4775, 9452};
  qb_icount_set a, b;
  qb_icount_cmp c;
  qb_error err = {0};
  qb__set(&a, ir, 3);
  qb__set(&b, ir, 3);
  assert_int_equal(qb_icount_compare(&a, &b, QB_ICOUNT_DEFAULT_THRESHOLD_PCT, &c, &err), QB_OK);
  assert_int_equal(c.n_same, 3);
  assert_false(qb_icount_regressed(&c));
  for (size_t i = 0; i < c.n_rows; i++) assert_true(c.rows[i].change_pct == 0);
  qb_icount_cmp_free(&c);
  /* Even a threshold of 0 passes unchanged counts. */
  assert_int_equal(qb_icount_compare(&a, &b, 0, &c, &err), QB_OK);
  assert_false(qb_icount_regressed(&c));
  qb_icount_cmp_free(&c);
  qb_icount_free(&a);
  qb_icount_free(&b);
}

static void test_rise_above_threshold_fails_and_names(void** state) {
  (void) state;
  /* k0: +5 % (fails at 1 %), k1: +0.5 % (within), k2: -10 % (fewer), k3: +1 % exactly
   * (not above the threshold). */
  const uint64_t base[] = {10000, 10000, 10000, 10000};
  const uint64_t head[] = {10500, 10050, 9000, 10100};
  qb_icount_set a, b;
  qb_icount_cmp c;
  qb_error err = {0};
  qb__set(&a, base, 4);
  qb__set(&b, head, 4);
  assert_int_equal(qb_icount_compare(&a, &b, 1.0, &c, &err), QB_OK);
  assert_int_equal(c.n_rows, 4);
  assert_int_equal(c.rows[0].verdict, QB_ICOUNT_MORE);
  assert_string_equal(c.rows[0].kernel, "k0");
  assert_true(fabs(c.rows[0].change_pct - 5.0) < 1e-9);
  assert_true(fabs(c.rows[0].base_pe - 10000.0 / 4181) < 1e-12);
  assert_true(fabs(c.rows[0].head_pe - 10500.0 / 4181) < 1e-12);
  assert_int_equal(c.rows[1].verdict, QB_ICOUNT_WITHIN);
  assert_int_equal(c.rows[2].verdict, QB_ICOUNT_FEWER);
  assert_int_equal(c.rows[3].verdict, QB_ICOUNT_WITHIN);
  assert_int_equal(c.n_more, 1);
  assert_true(qb_icount_regressed(&c));
  qb_icount_cmp_free(&c);
  /* At 6 % the same counts pass. */
  assert_int_equal(qb_icount_compare(&a, &b, 6.0, &c, &err), QB_OK);
  assert_false(qb_icount_regressed(&c));
  qb_icount_cmp_free(&c);
  qb_icount_free(&a);
  qb_icount_free(&b);
}

static void test_gone_fails_new_does_not(void** state) {
  (void) state;
  const uint64_t ir[] = {100, 200, 300};
  qb_icount_set a, b;
  qb_icount_cmp c;
  qb_error err = {0};
  qb__set(&a, ir, 2); /* k0 k1 */
  qb__set(&b, ir, 1); /* k0 */
  assert_int_equal(qb_icount_add(&b, "k9", "scalar", 4181, 700, &err), QB_OK);
  assert_int_equal(qb_icount_compare(&a, &b, 1.0, &c, &err), QB_OK);
  assert_int_equal(c.n_gone, 1);
  assert_int_equal(c.n_new, 1);
  assert_int_equal(c.rows[1].verdict, QB_ICOUNT_GONE);
  assert_string_equal(c.rows[1].kernel, "k1");
  assert_true(isnan(c.rows[1].head_pe));
  assert_int_equal(c.rows[2].verdict, QB_ICOUNT_NEW);
  assert_true(qb_icount_regressed(&c));
  qb_icount_cmp_free(&c);
  /* A kernel new in the head alone is not a regression. */
  assert_int_equal(qb_icount_compare(&b, &b, 1.0, &c, &err), QB_OK);
  assert_false(qb_icount_regressed(&c));
  qb_icount_cmp_free(&c);
  qb_icount_free(&a);
  qb_icount_free(&b);
}

/* Per element: the same count at another n is a change; twice the count at twice the
 * n is not. */
static void test_per_element_across_n(void** state) {
  (void) state;
  qb_icount_set a, b;
  qb_icount_cmp c;
  qb_error err = {0};
  assert_int_equal(qb_icount_init(&a, "t", "avx2", "v", &err), QB_OK);
  assert_int_equal(qb_icount_init(&b, "t", "avx2", "v", &err), QB_OK);
  assert_int_equal(qb_icount_add(&a, "k", "avx2", 1000, 5000, &err), QB_OK);
  assert_int_equal(qb_icount_add(&b, "k", "avx2", 2000, 10000, &err), QB_OK);
  assert_int_equal(qb_icount_compare(&a, &b, 0, &c, &err), QB_OK);
  assert_int_equal(c.rows[0].verdict, QB_ICOUNT_SAME);
  qb_icount_cmp_free(&c);
  b.e[0].n = 1000;
  assert_int_equal(qb_icount_compare(&a, &b, 1, &c, &err), QB_OK);
  assert_int_equal(c.rows[0].verdict, QB_ICOUNT_MORE);
  assert_true(fabs(c.rows[0].change_pct - 100) < 1e-9);
  qb_icount_cmp_free(&c);
  qb_icount_free(&a);
  qb_icount_free(&b);
}

/* The counts file: written, read back whole; a malformed one is bad input. */
static void test_file_round_trip_and_bad_input(void** state) {
  (void) state;
  const uint64_t ir[] = {3478, 135883};
  qb_icount_set a, r;
  qb_error err = {0};
  qb__set(&a, ir, 2);
  assert_int_equal(
      qb_icount_add_skipped(&a, "f32_dot__avx512skx_u64", "under valgrind: this CPU lacks avx512f", &err),
      QB_OK);
  char path[] = "/tmp/qb-test-icount.XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  FILE* f = fdopen(fd, "w");
  assert_int_equal(qb_icount_write(f, &a, &err), QB_OK);
  fclose(f);
  assert_int_equal(qb_icount_load(path, &r, &err), QB_OK);
  assert_int_equal(r.count, 2);
  assert_string_equal(r.e[1].kernel, "k1");
  assert_true(r.e[1].instructions == 135883 && r.e[1].n == 4181);
  assert_int_equal(r.n_skipped, 1);
  assert_string_equal(r.skipped[0].reason, "under valgrind: this CPU lacks avx512f");
  assert_string_equal(r.tool, "callgrind-3.19.0");
  qb_icount_free(&r);
  static const char* const bad[] = {
      "{}",
      "[1, 2]",
      "{\"format\": \"qbench-icount\", \"format_version\": 2, \"tool\": \"t\", \"isa_cap\": \"c\", "
      "\"qbench_version\": \"v\", \"kernels\": [], \"not_counted\": []}",
      "{\"format\": \"qbench-icount\", \"format_version\": 1, \"tool\": \"t\", \"isa_cap\": \"c\", "
      "\"qbench_version\": \"v\", \"kernels\": [{\"kernel\": \"k\", \"isa\": \"i\", \"n\": 0, "
      "\"instructions\": 1, \"per_element\": 0}], \"not_counted\": []}",
      "{\"format\": \"qbench-icount\", \"format_version\": 1, \"tool\": \"t\", \"isa_cap\": \"c\", "
      "\"qbench_version\": \"v\", \"kernels\": [{\"kernel\": \"k\", \"isa\": \"i\", \"n\": 1, "
      "\"instructions\": 1, \"per_element\": 1}, {\"kernel\": \"k\", \"isa\": \"i\", \"n\": 1, "
      "\"instructions\": 1, \"per_element\": 1}], \"not_counted\": []}",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(bad[i], f);
    fclose(f);
    memset(&err, 0, sizeof err);
    if (qb_icount_load(path, &r, &err) != QB_BAD_INPUT) fail_msg("bad file %zu was accepted", i);
    assert_non_null(strstr(err.msg, path));
    assert_null(r.e);
  }
  unlink(path);
  qb_icount_free(&a);
}

/* The paired verdict fails on counts alone: no timing row at all changed. */
static void test_paired_fails_on_counts(void** state) {
  (void) state;
  const uint64_t base[] = {1000, 2000};
  const uint64_t head[] = {1100, 2000};
  qb_icount_set a, b;
  qb_icount_cmp c;
  qb_error err = {0};
  qb__set(&a, base, 2);
  qb__set(&b, head, 2);
  assert_int_equal(qb_icount_compare(&a, &b, 1.0, &c, &err), QB_OK);
  qb_paired p;
  memset(&p, 0, sizeof p);
  assert_false(qb_paired_regressed(&p));
  p.icount = &c;
  assert_true(qb_paired_regressed(&p));
  qb_icount_cmp_free(&c);
  assert_int_equal(qb_icount_compare(&a, &a, 1.0, &c, &err), QB_OK);
  assert_false(qb_paired_regressed(&p));
  qb_icount_cmp_free(&c);
  qb_icount_free(&a);
  qb_icount_free(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parse_dump),
      cmocka_unit_test(test_equal_counts_pass),
      cmocka_unit_test(test_rise_above_threshold_fails_and_names),
      cmocka_unit_test(test_gone_fails_new_does_not),
      cmocka_unit_test(test_per_element_across_n),
      cmocka_unit_test(test_file_round_trip_and_bad_input),
      cmocka_unit_test(test_paired_fails_on_counts),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
