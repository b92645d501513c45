/*
 * gbench.h for builds without Google Benchmark: the harness still links and every case
 * becomes an error row saying why. With Google Benchmark, gbench_shim.cc defines these.
 */
#include "measure/gbench.h"

#ifndef QB_HAVE_GBENCH

bool qb_gb_available(void) {
  return false;
}

qb_status qb_gb_register(const char* name, qb_gb_fn* fn, void* user, const qb_gb_options* opt,
                         qb_error* err) {
  (void) fn;
  (void) user;
  (void) opt;
  return qb_fail(err, QB_UNSUPPORTED, "cannot time '%s': built without Google Benchmark", name);
}

void qb_gb_clear(void) {}

/* Without a registered benchmark no callback ever runs, so no state ever exists. */
bool qb_gb_keep_running(qb_gb_state* st) {
  (void) st;
  return false;
}
bool qb_gb_keep_running_batch(qb_gb_state* st, int64_t n) {
  (void) st;
  (void) n;
  return false;
}
int qb_gb_thread_index(const qb_gb_state* st) {
  (void) st;
  return 0;
}
int qb_gb_threads(const qb_gb_state* st) {
  (void) st;
  return 1;
}
int64_t qb_gb_max_iterations(const qb_gb_state* st) {
  (void) st;
  return 0;
}
int64_t qb_gb_iterations(const qb_gb_state* st) {
  (void) st;
  return 0;
}
void qb_gb_set_iteration_time(qb_gb_state* st, double seconds) {
  (void) st;
  (void) seconds;
}
void qb_gb_set_counter(qb_gb_state* st, const char* name, double value, unsigned flags) {
  (void) st;
  (void) name;
  (void) value;
  (void) flags;
}
void qb_gb_skip_with_error(qb_gb_state* st, const char* msg) {
  (void) st;
  (void) msg;
}
bool qb_gb_error_occurred(const qb_gb_state* st) {
  (void) st;
  return false;
}
void qb_gb_pause_timing(qb_gb_state* st) {
  (void) st;
}
void qb_gb_resume_timing(qb_gb_state* st) {
  (void) st;
}

qb_status qb_gb_run_all(const char* filter, qb_gb_report_fn* report, void* user, size_t* matched,
                        qb_error* err) {
  (void) filter;
  (void) report;
  (void) user;
  if (matched) *matched = 0;
  return qb_fail(err, QB_UNSUPPORTED, "built without Google Benchmark");
}

#endif
