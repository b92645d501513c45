/* The planner of qbench run (host/run/plan.c): the matrix, names, statuses. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/plan.h"
#include "plan_fixture.h"
#include "test_util.h"

static const char* const suite_text =
    "families = f32_qs8_quant, s8_dot\n"
    "sizes = 1000, DRAM\n"
    "distributions = normal, uniform\n"
    "threads = 1, all\n"
    "rounding = pytorch, tflite\n";

typedef qb_test_plan_fixture fixture;

static int setup(void** state) {
  return qb_test_plan_setup(state, suite_text, "plan.suite");
}

static int teardown(void** state) {
  return qb_test_plan_teardown(state);
}

/* The family's variants of this binary's architecture (another's are never planned). */
static size_t variants(const char* family) {
  size_t n = 0;
  for (size_t i = 0; i < qb_kernel_count(); i++)
    n += qb_kernel_at(i)->family == qb_family_find(family) && qb_isa_native(qb_kernel_at(i)->isa);
  return n;
}

static const qb_case* find(const qb_plan* p, const char* name) {
  for (size_t i = 0; i < p->count; i++) {
    if (strcmp(p->cases[i].name, name) == 0) return &p->cases[i];
  }
  return NULL;
}

static void test_matrix_and_names(void** state) {
  fixture* fx = *state;
  qb_plan p;
  qb_error err = {0};
  /* By default, under the scalar cap, only the scalar variants are planned: the others
   * are counted, each with its reason, not rows. */
  assert_int_equal(qb_plan_build(&fx->in, &p, &err), QB_OK);
  assert_int_equal(p.count, 16 + 8);
  assert_int_equal(p.n_unplanned, variants("f32_qs8_quant") - 1 + variants("s8_dot") - 1);
  for (size_t i = 0; i < p.count; i++) assert_int_equal(p.cases[i].kernel->isa, QB_ISA_scalar);
  for (size_t i = 0; i < p.n_unplanned; i++) {
    assert_true(p.unplanned[i].reason[0] != '\0');
    assert_true(qb_isa_native(p.unplanned[i].kernel->isa));
  }
  char summary[512];
  qb_plan_unplanned_summary(&p, summary, sizeof summary);
  if (p.n_unplanned > 0) assert_non_null(strstr(summary, "variant"));
  qb_plan_free(&p);

  /* --show-skipped: every variant of this architecture a row.
   * variants x 2 sizes x 2 thread counts x 2 distributions (x 2 roundings for quant). */
  fx->in.show_skipped = true;
  assert_int_equal(qb_plan_build(&fx->in, &p, &err), QB_OK);
  fx->in.show_skipped = false;
  assert_int_equal(p.n_unplanned, 0);
  assert_int_equal(p.count, variants("f32_qs8_quant") * 16 + variants("s8_dot") * 8);
  for (size_t i = 0; i < p.count; i++) {
    for (size_t j = i + 1; j < p.count; j++) assert_string_not_equal(p.cases[i].name, p.cases[j].name);
  }
  const qb_case* q = find(&p, "f32_qs8_quant/scalar_u1/cpu/n:1000/threads:4/dist:uniform/round:tflite");
  assert_non_null(q);
  assert_int_equal(q->planned, QB_OK);
  assert_int_equal(q->round, QB_ROUND_TFLITE);
  assert_int_equal(q->threads, 4);
  assert_string_equal(q->size_class, "L1");
  const qb_case* d = find(&p, "s8_dot/scalar_u1/cpu/n:1000/threads:1/dist:normal");
  assert_non_null(d);
  assert_int_equal(d->round, -1);
  /* DRAM needs more than s8_dot's max_n: a skipped row that says why. */
  const qb_case* big = find(&p, "s8_dot/scalar_u1/cpu/n:DRAM/threads:1/dist:normal");
  assert_non_null(big);
  assert_int_equal(big->planned, QB_SKIPPED);
  assert_non_null(strstr(big->reason, "131071"));
  /* Every non-reference variant is skipped under the scalar cap, with a reason. */
  for (size_t i = 0; i < p.count; i++) {
    const qb_case* k = &p.cases[i];
    if (k->kernel->isa != QB_ISA_scalar) {
      assert_int_equal(k->planned, QB_SKIPPED);
      assert_true(k->reason[0] != '\0');
    }
  }
  qb_plan_free(&p);
}

static void test_filter(void** state) {
  fixture* fx = *state;
  regex_t re;
  qb_plan p;
  qb_error err = {0};
  assert_int_equal(regcomp(&re, "^s8_dot/scalar_u1/.*/threads:4/", REG_EXTENDED | REG_NOSUB), 0);
  fx->in.filter = &re;
  assert_int_equal(qb_plan_build(&fx->in, &p, &err), QB_OK);
  fx->in.filter = NULL;
  regfree(&re);
  assert_int_equal(p.count, 4); /* 2 sizes x 2 distributions */
  for (size_t i = 0; i < p.count; i++) assert_non_null(strstr(p.cases[i].name, "/threads:4/"));
  qb_plan_free(&p);
}

static void test_family_predicates(void** state) {
  (void) state;
  assert_true(qb_family_rounds(qb_family_get(qb_family_find("f32_qu8_quantc"))));
  assert_true(qb_family_rounds(qb_family_get(qb_family_find("f32_qs8_fakequant"))));
  assert_false(qb_family_rounds(qb_family_get(qb_family_find("qs8_f32_dequant"))));
  assert_false(qb_family_rounds(qb_family_get(qb_family_find("f32_qb8_quant"))));
  assert_false(qb_family_rounds(qb_family_get(qb_family_find("f32_f16_cvt"))));
  assert_false(qb_family_is_peak(qb_family_get(qb_family_find("f32_dot"))));
  if (qb_family_find("f32_peak") != QB_FAMILY_COUNT) {
    assert_true(qb_family_is_peak(qb_family_get(qb_family_find("f32_peak"))));
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_matrix_and_names, setup, teardown),
      cmocka_unit_test_setup_teardown(test_filter, setup, teardown),
      cmocka_unit_test(test_family_predicates),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
