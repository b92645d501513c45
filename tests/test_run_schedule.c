/* The order qbench run runs a plan in (host/run/schedule.c): a stable sort of the plan
 * that brings together the cases sharing their data (run/prepared.h's key), the plan
 * itself unchanged; a plan already in data order (the ci and quick suites) as it is. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/prepared.h"
#include "run/schedule.h"
#include "plan_fixture.h"
#include "test_util.h"

/* Several sizes, distributions, thread counts and roundings: the plan varies the
 * distribution and rounding fastest, then the threads, so the cases of one key are far
 * apart in it. */
static const char* const suite_text =
    "families = f32_qs8_quant, s8_dot, f32_f16_cvt\n"
    "sizes = 1000, DRAM\n"
    "distributions = normal, uniform\n"
    "threads = 1, all\n"
    "rounding = pytorch, tflite\n";

typedef qb_test_plan_fixture fixture;

static int setup(void** state) {
  return qb_test_plan_setup(state, suite_text, "schedule.suite");
}

static int teardown(void** state) {
  return qb_test_plan_teardown(state);
}

static bool same_key(const qb_case* a, const qb_case* b) {
  qb_prepared_key ka, kb;
  return qb_prepared_key_of(a, &ka) && qb_prepared_key_of(b, &kb) && qb_prepared_key_cmp(&ka, &kb) == 0;
}

/* The plan index of the first case of case i's key (i itself for a case without data). */
static size_t first_of_key(const qb_plan* p, size_t i) {
  for (size_t j = 0; j < i; j++) {
    if (same_key(&p->cases[j], &p->cases[i])) return j;
  }
  return i;
}

/*
 * What every schedule keeps: each plan index once; the cases of one key consecutive
 * (cases without data may sit among them), in plan order; the keys in the order the plan
 * first reaches them; a case without data right after its predecessor in the plan or
 * after cases of that predecessor's group. Returns the number of keys.
 */
static size_t check_schedule(const qb_plan* p, const size_t* order) {
  const size_t n = p->count;
  size_t* pos = malloc(n * sizeof *pos);
  bool* seen = calloc(n, sizeof *seen);
  assert_non_null(pos);
  assert_non_null(seen);
  for (size_t s = 0; s < n; s++) {
    assert_true(order[s] < n);
    assert_false(seen[order[s]]);
    seen[order[s]] = true;
    pos[order[s]] = s;
  }
  size_t keys = 0, last = SIZE_MAX, last_first = 0;
  qb_prepared_key k;
  for (size_t s = 0; s < n; s++) {
    const qb_case* c = &p->cases[order[s]];
    if (!qb_prepared_key_of(c, &k)) {
      /* Without data: after its predecessor in the plan. */
      if (order[s] > 0) assert_true(pos[order[s] - 1] < s);
      continue;
    }
    if (last != SIZE_MAX && same_key(&p->cases[last], c)) {
      assert_true(last < order[s]); /* plan order within the key */
    } else {
      /* A new key: none of its cases ran before, and the plan reached it after the last. */
      const size_t first = first_of_key(p, order[s]);
      assert_int_equal(first, order[s]);
      if (keys > 0) assert_true(first > last_first);
      last_first = first;
      keys++;
    }
    last = order[s];
  }
  free(pos);
  free(seen);
  return keys;
}

static bool is_identity(const size_t* order, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (order[i] != i) return false;
  }
  return true;
}

/* A plan of two sizes, distributions, thread counts and roundings: every key's cases
 * together; the first ones as the data key orders them. */
static void test_groups_by_key(void** state) {
  fixture* fx = *state;
  qb_plan p;
  size_t* order;
  qb_error err = {0};
  assert_int_equal(qb_plan_build(&fx->in, &p, &err), QB_OK);
  assert_int_equal(qb_schedule_build(&p, &order, &err), QB_OK);
  assert_non_null(order);
  const size_t keys = check_schedule(&p, order);
  assert_false(is_identity(order, p.count));
  /* The scalar variants only (the scalar cap): f32_qs8_quant 2 sizes x 2 distributions x
   * 2 roundings, s8_dot 1 size (DRAM is above its max_n: skipped, no data) x 2, f32_f16_cvt
   * 2 x 2; per scalar variant. */
  assert_true(keys >= 8 + 2 + 4);
  /* Both thread counts of a key one after the other, where the plan has the other
   * distributions and roundings between them. */
  size_t s0 = 0;
  while (s0 < p.count && strcmp(p.cases[order[s0]].family_name, "f32_qs8_quant") != 0) s0++;
  assert_true(s0 + 2 < p.count);
  assert_string_equal(p.cases[order[s0]].name,
                      "f32_qs8_quant/scalar_u1/cpu/n:1000/threads:1/dist:uniform/round:pytorch");
  assert_string_equal(p.cases[order[s0] + 1].name,
                      "f32_qs8_quant/scalar_u1/cpu/n:1000/threads:1/dist:uniform/round:tflite");
  assert_string_equal(p.cases[order[s0 + 1]].name,
                      "f32_qs8_quant/scalar_u1/cpu/n:1000/threads:4/dist:uniform/round:pytorch");
  assert_string_equal(p.cases[order[s0 + 2]].name,
                      "f32_qs8_quant/scalar_u1/cpu/n:1000/threads:1/dist:uniform/round:tflite");
  free(order);
  qb_plan_free(&p);

  /* With every variant of this architecture as rows (skipped ones without data, riding
   * with their predecessors), and with a filter leaving holes. */
  fx->in.show_skipped = true;
  assert_int_equal(qb_plan_build(&fx->in, &p, &err), QB_OK);
  fx->in.show_skipped = false;
  assert_int_equal(qb_schedule_build(&p, &order, &err), QB_OK);
  check_schedule(&p, order);
  free(order);
  qb_plan_free(&p);
}

/* One key per run of the plan already: the schedule is the plan. */
static void test_data_order_kept(void** state) {
  fixture* fx = *state;
  qb_plan p;
  size_t* order;
  qb_error err = {0};
  /* One thread count, distribution, size and rounding. */
  qb_suite_free(&fx->suite);
  assert_int_equal(qb_suite_parse("families = *\nsizes = L2\ndistributions = normal\nthreads = 1\n"
                                  "rounding = pytorch\n",
                                  "one.suite", &fx->suite, &err),
                   QB_OK);
  fx->in.n_threads = 1;
  for (int skipped = 0; skipped < 2; skipped++) {
    fx->in.show_skipped = skipped;
    assert_int_equal(qb_plan_build(&fx->in, &p, &err), QB_OK);
    assert_int_equal(qb_schedule_build(&p, &order, &err), QB_OK);
    check_schedule(&p, order);
    assert_true(is_identity(order, p.count));
    free(order);
    qb_plan_free(&p);
  }
  fx->in.show_skipped = false;
  /* The shipped ci and quick suites (their own options: one of each). */
  unsetenv("QBENCH_SUITES_DIR");
  static const char* const shipped[] = {"ci", "quick"};
  for (size_t i = 0; i < sizeof shipped / sizeof shipped[0]; i++) {
    qb_suite_free(&fx->suite);
    assert_int_equal(qb_suite_load(shipped[i], &fx->suite, &err), QB_OK);
    fx->in.show_skipped = true;
    assert_int_equal(qb_plan_build(&fx->in, &p, &err), QB_OK);
    fx->in.show_skipped = false;
    assert_true(p.count > 0);
    assert_int_equal(qb_schedule_build(&p, &order, &err), QB_OK);
    assert_true(is_identity(order, p.count));
    free(order);
    qb_plan_free(&p);
  }
}

/* The key: family, rounding, and the tensor or the size and distribution; never the
 * variant, thread count or backend. A case without data has none. */
static void test_key(void** state) {
  (void) state;
  qb_case a, b;
  memset(&a, 0, sizeof a);
  a.type = QB_CASE_KERNEL;
  a.family = qb_family_get(qb_family_find("f32_qs8_quant"));
  a.n = 4096;
  a.dist = QB_DIST_normal;
  a.round = QB_ROUND_PYTORCH;
  a.threads = 1;
  snprintf(a.variant, sizeof a.variant, "scalar_u1");
  b = a;
  b.threads = 2;
  snprintf(b.variant, sizeof b.variant, "avx2_u32");
  b.backend = (qb_backend_id) (QB_BACKEND_COUNT - 1);
  assert_true(same_key(&a, &b));
  b = a;
  b.round = QB_ROUND_TFLITE;
  assert_false(same_key(&a, &b));
  b = a;
  b.n = 4097;
  assert_false(same_key(&a, &b));
  b = a;
  b.dist = QB_DIST_uniform;
  assert_false(same_key(&a, &b));
  b = a;
  b.family = qb_family_get(qb_family_find("f32_qu8_quant"));
  assert_false(same_key(&a, &b));
  /* On a tensor: its index decides, not the size or a distribution. */
  a.tensor = "w";
  a.tensor_index = 1;
  a.dist = QB_DIST_COUNT;
  b = a;
  b.n = 8;
  assert_true(same_key(&a, &b));
  b.tensor_index = 2;
  assert_false(same_key(&a, &b));
  b = a;
  b.tensor = NULL;
  assert_false(same_key(&a, &b));
  /* No data: a transfer, a case planned as skipped. */
  qb_prepared_key k;
  b = a;
  b.planned = QB_SKIPPED;
  assert_false(qb_prepared_key_of(&b, &k));
  b = a;
  b.type = QB_CASE_TRANSFER;
  assert_false(qb_prepared_key_of(&b, &k));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_groups_by_key, setup, teardown),
      cmocka_unit_test_setup_teardown(test_data_order_kept, setup, teardown),
      cmocka_unit_test(test_key),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
