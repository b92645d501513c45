/* The backend registry (host/backends/backends.inc) and the CPU backend through the
 * backend interface alone, as the runner drives it: its variants are the kernel
 * registry's of this architecture, `describe` agrees with dispatch, and `run_case`
 * leaves an output that matches the scalar reference (checked by the same evaluation
 * the runner uses), on one and two threads; a variant it does not have is a status,
 * not a crash. Timings are never asserted. */
#include <stdio.h>
#include <string.h>

#include "backends/backend.h"
#include "numerics/casedata.h"
#include "test_util.h"

static qb_ctx ctx;

static void test_registry(void** state) {
  (void) state;
  char names[256];
  qb_backend_names(names, sizeof names);
  for (int i = 0; i < QB_BACKEND_COUNT; i++) {
    const qb_backend_info* b = qb_backend_get((qb_backend_id) i);
    assert_non_null(b);
    assert_int_equal(b->id, i);
    assert_int_equal(qb_backend_find(b->name), i);
    assert_string_equal(qb_backend_name((qb_backend_id) i), b->name);
    assert_int_equal(qb_backend_is_host((qb_backend_id) i), b->kind == QB_BACKEND_KIND_host);
    assert_non_null(b->create);
    assert_non_null(b->list);
    assert_true(b->summary[0] != '\0');
    assert_non_null(strstr(names, b->name));
    for (int j = 0; j < i; j++) assert_string_not_equal(qb_backend_get((qb_backend_id) j)->name, b->name);
  }
  assert_int_equal(qb_backend_find("no_such_backend"), QB_BACKEND_COUNT);
  assert_null(qb_backend_get(QB_BACKEND_COUNT));
  assert_null(qb_backend_name(QB_BACKEND_COUNT));
  assert_false(qb_backend_is_host(QB_BACKEND_COUNT));
}

static qb_backend* cpu_backend(void) {
  qb_backend* b = NULL;
  qb_error err = {0};
  assert_int_equal(qb_backend_get(QB_BACKEND_cpu)->create(&ctx, NULL, &b, &err), QB_OK);
  assert_string_equal(b->ops->name, "cpu");
  assert_int_equal(b->ops->device_count(b), 1);
  assert_string_equal(b->ops->device_name(b, 0), "cpu");
  return b;
}

static void test_cpu_variants(void** state) {
  (void) state;
  qb_backend* b = cpu_backend();
  for (int fi = 0; fi < QB_FAMILY_COUNT; fi++) {
    const char* names[64];
    const char* why = NULL;
    const int nv = b->ops->variants(b, 0, (qb_family) fi, names, 64, &why);
    /* The registry's kernels of this architecture, in its order (best first). */
    int at = 0;
    for (size_t i = 0; i < qb_kernel_count(); i++) {
      const qb_kernel_info* k = qb_kernel_at(i);
      if (k->family != (qb_family) fi || !qb_isa_native(k->isa)) continue;
      assert_true(at < nv);
      assert_string_equal(names[at], k->variant);
      qb_backend_variant v;
      b->ops->describe(b, 0, (qb_family) fi, names[at], &v);
      assert_ptr_equal(v.kernel, k);
      assert_string_equal(v.isa, qb_isa_name(k->isa));
      char buf[160];
      assert_int_equal(v.usable, qb_kernel_usable(k, &ctx.cpu, NULL, buf, sizeof buf));
      assert_true(v.usable || v.reason[0] != '\0');
      at++;
    }
    assert_int_equal(at, nv);
  }
  qb_backend_variant v;
  b->ops->describe(b, 0, QB_FAMILY_COUNT - 1, "no_such_variant", &v);
  assert_false(v.usable);
  assert_null(v.kernel);
  b->ops->destroy(b);
}

/* One case through run_case, its output held to the reference as the runner holds it. */
static void run_one(qb_backend* b, const qb_family_info* f, const char* variant, unsigned threads) {
  const uint64_t m = f->n_multiple ? f->n_multiple : 1;
  const size_t n = (size_t) ((2368 + m - 1) / m * m); /* not a multiple of any tile */
  qb_case_data d;
  qb_error err = {0};
  assert_int_equal(qb_case_data_init(&d, f, n, QB_DIST_normal, 1, QB_ROUND_PYTORCH, &err), QB_OK);
  const qb_backend_case c = {.family = f,
                             .variant = variant,
                             .n = d.n,
                             .x = d.x,
                             .x2 = d.x2,
                             .qp = &d.qp,
                             .x_bytes = d.x_bytes,
                             .x2_bytes = d.x2_bytes,
                             .y_bytes = d.y_bytes};
  const qb_measure_options mo = {.repetitions = 1, .min_time = 0.001};
  qb_backend_result res = {.status = QB_OK};
  char name[160];
  snprintf(name, sizeof name, "%s__%s/threads:%u", f->name, variant, threads);
  b->ops->run_case(b, 0, &c, threads, &mo, name, d.y, &res);
  if (res.status != QB_OK) fail_msg("%s: %s", name, res.reason);
  assert_true(res.have_output);
  assert_string_equal(res.timing, "host");
  assert_true(json_array_size(res.runs) > 0);
  assert_non_null(json_object_get(res.extra, "pinned"));
  qb_error_metrics met;
  assert_int_equal(qb_case_data_evaluate(&d, d.y, res.sem, &met, &err), QB_OK);
  if (met.mismatches + met.nan_inf_mismatches != 0) {
    fail_msg("%s: %llu mismatches against the scalar reference", name,
             (unsigned long long) (met.mismatches + met.nan_inf_mismatches));
  }
  json_decref(res.runs);
  json_decref(res.extra);
  qb_case_data_free(&d);
}

static void test_cpu_run_case(void** state) {
  (void) state;
  qb_backend* b = cpu_backend();
  bool op_seen[QB_OP_COUNT] = {false};
  int ran = 0;
  for (int fi = 0; fi < QB_FAMILY_COUNT; fi++) {
    const qb_family_info* f = qb_family_get((qb_family) fi);
    /* One family per operation (peaks are roofs, not cases): the picked variant and
     * the scalar reference, on one and two threads. */
    if (f->op == QB_OP_peak || op_seen[f->op]) continue;
    op_seen[f->op] = true;
    const qb_kernel_info* picked = qb_kernel_pick(f->id, &ctx.cpu);
    const qb_kernel_info* ref = qb_kernel_reference(f->id);
    for (unsigned t = 1; t <= 2; t++) {
      run_one(b, f, picked->variant, t);
      if (ref != picked) run_one(b, f, ref->variant, t);
      ran++;
    }
  }
  assert_true(ran > 0);
  /* A variant the backend does not have: an error status with the reason, no output. */
  const qb_family_info* f = qb_family_get((qb_family) 0);
  qb_backend_case c = {.family = f, .variant = "no_such_variant", .n = 64};
  const qb_measure_options mo = {.repetitions = 1, .min_time = 0.001};
  qb_backend_result res = {.status = QB_OK};
  b->ops->run_case(b, 0, &c, 1, &mo, "none", NULL, &res);
  assert_int_not_equal(res.status, QB_OK);
  assert_false(res.have_output);
  assert_non_null(strstr(res.reason, "no_such_variant"));
  b->ops->destroy(b);
}

static void count_row(void* user, const qb_backend_list_row* r) {
  (void) r;
  (*(size_t*) user)++;
}

static void test_cpu_list(void** state) {
  (void) state;
  size_t rows = 0;
  qb_backend_get(QB_BACKEND_cpu)->list(&ctx, NULL, count_row, &rows);
  assert_int_equal(rows, qb_kernel_count()); /* every kernel, this architecture's or not */
}

int main(void) {
  if (!qb_gb_available()) return QB_TEST_SKIP;
  qb_cpu_detect(&ctx.cpu);
  ctx.topo.cores = 2;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_registry),
      cmocka_unit_test(test_cpu_variants),
      cmocka_unit_test(test_cpu_run_case),
      cmocka_unit_test(test_cpu_list),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
