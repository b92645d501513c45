/* Fuzz target: results files as `qbench compare` and `qbench plot` read them
 * (host/io/resultsread.h qb_resultset_parse). */
#include <math.h>

#include "fuzz_check.h"
#include "io/resultsread.h"

#define QB__NAME "fuzz.json"

/* Every string the reader hands out is a string ("" when absent), never NULL. */
static size_t qb__len(const char* s) {
  QB_FUZZ_CHECK(s != NULL, "a NULL string");
  return strlen(s);
}

static void qb__check_row(const qb_result_row* w) {
  size_t n = qb__len(w->name) + qb__len(w->run_name) + qb__len(w->run_type) + qb__len(w->aggregate_name) +
             qb__len(w->aggregate_unit) + qb__len(w->error_message);
  if (w->has_qbench) {
    n += qb__len(w->family) + qb__len(w->kernel) + qb__len(w->variant) + qb__len(w->backend) +
         qb__len(w->device) + qb__len(w->isa) + qb__len(w->dtype_in) + qb__len(w->dtype_in2) +
         qb__len(w->dtype_out) + qb__len(w->size_class) + qb__len(w->distribution) + qb__len(w->rounding) +
         qb__len(w->status) + qb__len(w->reason) + qb__len(w->timing) + qb__len(w->roof_name);
  }
  (void) n;
  /* Times and rates are finite and not negative, or absent (NAN). */
  const double nums[] = {w->real_time_ns, w->cpu_time_ns, w->bytes_per_second, w->items_per_second};
  for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
    QB_FUZZ_CHECK(isnan(nums[i]) || (isfinite(nums[i]) && nums[i] >= 0), "row '%s': figure %zu is %g",
                  w->name, i, nums[i]);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  qb_resultset r;
  qb_error err = {0};
  memset(&r, 0, sizeof r);
  qb_status st = qb_resultset_parse((const char*) data, size, QB__NAME, &r, &err);
  if (st == QB_OK) {
    QB_FUZZ_CHECK(r.n_rows <= QB_RESULTSET_MAX_ROWS, "%zu rows", r.n_rows);
    for (size_t i = 0; i < r.n_rows; i++) {
      qb__check_row(&r.rows[i]);
      QB_FUZZ_CHECK(
          qb_resultset_find(&r, r.rows[i].name, r.rows[i].run_type[0] ? r.rows[i].run_type : NULL) != NULL,
          "row %zu '%s' not found by its name", i, r.rows[i].name);
    }
    for (size_t i = 0; i < r.n_roofs; i++) (void) (qb__len(r.roofs[i].name) + qb__len(r.roofs[i].size_class));
    for (size_t i = 0; i < r.n_caches; i++) (void) qb__len(r.caches[i].type);
    (void) (qb__len(r.date) + qb__len(r.host_name) + qb__len(r.suite) + qb__len(r.version));
  } else {
    qb_fuzz_check_error(st, &err, QB__NAME);
  }
  qb_resultset_free(&r);
  return 0;
}
