/* The Google Benchmark shim (host/measure/gbench.h): what the reporter hands back. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "measure/gbench.h"
#include "test_util.h"

typedef struct seen {
  int iteration_rows, aggregate_rows, error_rows;
  char names[16][96];
  int n_names;
  char aggregates[8][16];
  double bytes_per_second, per_thread;
  int64_t threads;
  char error_message[128];
} seen;

static void record(const qb_gb_run* r, void* user) {
  seen* s = user;
  if (s->n_names < 16) snprintf(s->names[s->n_names++], sizeof s->names[0], "%s", r->name);
  if (r->error_occurred) {
    s->error_rows++;
    snprintf(s->error_message, sizeof s->error_message, "%s", r->error_message);
    return;
  }
  if (r->run_type == QB_GB_RUN_AGGREGATE) {
    if (s->aggregate_rows < 8) snprintf(s->aggregates[s->aggregate_rows], 16, "%s", r->aggregate_name);
    s->aggregate_rows++;
    return;
  }
  s->iteration_rows++;
  s->threads = r->threads;
  for (size_t i = 0; i < r->counter_count; i++) {
    if (strcmp(r->counters[i].name, "bytes_per_second") == 0) s->bytes_per_second = r->counters[i].value;
    if (strcmp(r->counters[i].name, "per_thread") == 0) s->per_thread = r->counters[i].value;
  }
}

typedef struct work {
  atomic_int thread_mask;
  volatile uint64_t sink;
} work;

static void spin(qb_gb_state* st, void* user) {
  work* w = user;
  atomic_fetch_or(&w->thread_mask, 1 << qb_gb_thread_index(st));
  uint64_t acc = 0;
  while (qb_gb_keep_running(st)) {
    for (int i = 0; i < 64; i++) acc += (uint64_t) i * acc + 1;
  }
  w->sink = acc;
  qb_gb_set_counter(st, "bytes_per_second", 64.0 * (double) qb_gb_iterations(st), QB_GB_COUNTER_RATE);
  /* Every thread reports 3: averaged over threads it stays 3. */
  qb_gb_set_counter(st, "per_thread", 3.0, QB_GB_COUNTER_AVG_THREADS);
}

static void fails(qb_gb_state* st, void* user) {
  (void) user;
  qb_gb_skip_with_error(st, "inputs could not be prepared");
}

static void manual(qb_gb_state* st, void* user) {
  (void) user;
  while (qb_gb_keep_running(st)) qb_gb_set_iteration_time(st, 1e-6);
}

static const qb_gb_options quick = {.repetitions = 1, .min_time = 0.001, .threads = 1};

static void test_repetitions_give_aggregates(void** state) {
  (void) state;
  work w = {0};
  seen s = {0};
  qb_error err = {0};
  qb_gb_options o = quick;
  o.repetitions = 3;
  assert_int_equal(qb_gb_register("spin/reps", spin, &w, &o, &err), QB_OK);
  assert_int_equal(qb_gb_run_all(NULL, record, &s, NULL, &err), QB_OK);
  qb_gb_clear();
  assert_int_equal(s.iteration_rows, 3);
  assert_int_equal(s.aggregate_rows, 4);
  assert_string_equal(s.aggregates[0], "mean");
  assert_string_equal(s.aggregates[1], "median");
  assert_string_equal(s.names[0], "spin/reps");
  assert_true(s.bytes_per_second > 0);
}

static void test_threads_and_counters(void** state) {
  (void) state;
  work w = {0};
  seen s = {0};
  qb_error err = {0};
  qb_gb_options o = quick;
  o.threads = 2;
  assert_int_equal(qb_gb_register("spin/threads", spin, &w, &o, &err), QB_OK);
  assert_int_equal(qb_gb_run_all(NULL, record, &s, NULL, &err), QB_OK);
  qb_gb_clear();
  assert_int_equal(s.iteration_rows, 1);
  assert_int_equal(s.threads, 2);
  assert_int_equal(atomic_load(&w.thread_mask), 3);
  assert_true(s.per_thread == 3.0);
}

static void test_error_and_filter(void** state) {
  (void) state;
  work w = {0};
  seen s = {0};
  size_t matched = 0;
  qb_error err = {0};
  assert_int_equal(qb_gb_register("a/fails", fails, NULL, &quick, &err), QB_OK);
  assert_int_equal(qb_gb_register("b/manual", manual, NULL, &quick, &err), QB_OK);
  assert_int_equal(qb_gb_register("c/spin", spin, &w, &quick, &err), QB_OK);
  assert_int_equal(qb_gb_run_all("^(a|b)/", record, &s, &matched, &err), QB_OK);
  assert_int_equal(matched, 2);
  assert_int_equal(s.error_rows, 1);
  assert_string_equal(s.error_message, "inputs could not be prepared");
  assert_int_equal(s.iteration_rows, 1);
  assert_int_equal(s.n_names, 2);
  /* No match at all is an error with Google Benchmark's reason. */
  assert_int_not_equal(qb_gb_run_all("^nothing$", record, &s, &matched, &err), QB_OK);
  assert_int_equal(matched, 0);
  assert_non_null(strstr(err.msg, "^nothing$"));
  qb_gb_clear();
}

int main(void) {
  if (!qb_gb_available()) return QB_TEST_SKIP;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_repetitions_give_aggregates),
      cmocka_unit_test(test_threads_and_counters),
      cmocka_unit_test(test_error_and_filter),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
