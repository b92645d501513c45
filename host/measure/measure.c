/* The timing adapters (measure.h): one Google Benchmark benchmark per measurement,
 * its runs collected as result-row fragments. */
#include "measure/measure.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

double qb_monotonic_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + 1e-9 * (double) ts.tv_nsec;
}

static json_t* qb__num(double v) {
  return isfinite(v) ? json_real(v) : json_null();
}

/* Every reported run becomes an object with Google Benchmark's own field names, so
 * that a results file reads like its JSON output. The first error is kept. */
static void qb__on_run(const qb_gb_run* run, void* user) {
  qb_measure* m = user;
  json_t* o = json_object();
  const bool agg = run->run_type == QB_GB_RUN_AGGREGATE;
  json_object_set_new(o, "run_type", json_string(agg ? "aggregate" : "iteration"));
  if (agg) {
    json_object_set_new(o, "aggregate_name", json_string(run->aggregate_name));
    json_object_set_new(o, "aggregate_unit",
                        json_string(run->aggregate_is_percentage ? "percentage" : "time"));
  }
  json_object_set_new(o, "repetitions", json_integer(run->repetitions));
  json_object_set_new(o, "repetition_index", json_integer(run->repetition_index));
  json_object_set_new(o, "threads", json_integer(run->threads));
  json_object_set_new(o, "iterations", json_integer(run->iterations));
  json_object_set_new(o, "real_time", qb__num(run->real_time_ns));
  json_object_set_new(o, "cpu_time", qb__num(run->cpu_time_ns));
  json_object_set_new(o, "time_unit", json_string("ns"));
  for (size_t i = 0; i < run->counter_count; i++) {
    json_object_set_new(o, run->counters[i].name, qb__num(run->counters[i].value));
  }
  if (run->error_occurred) {
    json_object_set_new(o, "error_occurred", json_true());
    json_object_set_new(o, "error_message", json_string(run->error_message));
    if (m->ok) snprintf(m->reason, sizeof m->reason, "%s", run->error_message);
    m->ok = false;
  }
  json_array_append_new(m->runs, o);
}

json_t* qb_measure_summary(const json_t* runs) {
  size_t i;
  json_t* o;
  json_t* first = NULL;
  json_array_foreach(runs, i, o) {
    const char* agg = json_string_value(json_object_get(o, "aggregate_name"));
    if (agg != NULL && strcmp(agg, "median") == 0) return o;
    if (first == NULL) first = o;
  }
  return first;
}

double qb_measure_get(const json_t* run, const char* key) {
  const json_t* v = json_object_get(run, key);
  return json_is_number(v) ? json_number_value(v) : 0.0;
}

/* Registers one benchmark, runs it, forgets it; the summary's figures into m. */
static qb_status qb__measure(const qb_measure_options* o, const char* name, qb_gb_fn* fn, void* user,
                             unsigned threads, bool manual, unsigned repetitions, qb_measure* m,
                             qb_error* err) {
  const qb_gb_options g = {.repetitions = (int) repetitions,
                           .min_time = o->min_time,
                           .threads = (int) threads,
                           .manual_time = manual};
  m->runs = json_array();
  m->ok = true;
  m->reason[0] = '\0';
  qb_status s = qb_gb_register(name, fn, user, &g, err);
  if (s == QB_OK) s = qb_gb_run_all(NULL, qb__on_run, m, NULL, err);
  qb_gb_clear();
  if (s != QB_OK) {
    m->ok = false;
    qb_text_copy(m->reason, sizeof m->reason, err->msg);
    return s;
  }
  const json_t* sum = qb_measure_summary(m->runs);
  if (sum == NULL && m->ok) {
    m->ok = false;
    snprintf(m->reason, sizeof m->reason, "Google Benchmark reported no run");
  }
  m->real_time_ns = qb_measure_get(sum, "real_time");
  m->bytes_per_second = qb_measure_get(sum, "bytes_per_second");
  m->items_per_second = qb_measure_get(sum, "items_per_second");
  m->gflops = qb_measure_get(sum, "gflops");
  return QB_OK;
}

qb_status qb_measure_host(const qb_measure_options* o, const char* name, qb_gb_fn* fn, void* user,
                          unsigned threads, qb_measure* m, qb_error* err) {
  memset(m, 0, sizeof *m);
  return qb__measure(o, name, fn, user, threads, false, o->repetitions, m, err);
}

/* The device callback's state. */
typedef struct qb__device {
  const qb_device_work* w;
  double start_s, timeout_s;
  bool timed_out, host_wall;
  const char* note;
  char timeout_msg[96];
} qb__device;

/* Manual time: the device's own time for each call, or the host's wall clock around
 * it when the device has no timer it trusts. */
static void qb__device_fn(qb_gb_state* st, void* user) {
  qb__device* d = user;
  qb_error err = {0};
  while (qb_gb_keep_running(st)) {
    double sec = -1.0;
    const char* note = NULL;
    const double t0 = qb_monotonic_seconds();
    const qb_status s = d->w->call(d->w->user, &sec, &note, &err);
    const double wall = qb_monotonic_seconds() - t0;
    if (s != QB_OK) {
      qb_gb_skip_with_error(st, err.msg);
      return;
    }
    if (d->timeout_s > 0 && qb_monotonic_seconds() - d->start_s > d->timeout_s) {
      d->timed_out = true;
      qb_gb_skip_with_error(st, d->timeout_msg);
      return;
    }
    if (note != NULL) d->note = note;
    if (sec < 0) {
      sec = wall;
      d->host_wall = true;
    }
    qb_gb_set_iteration_time(st, sec);
  }
  const double iters = (double) qb_gb_iterations(st);
  qb_gb_set_counter(st, "bytes_per_second", d->w->bytes * iters, QB_GB_COUNTER_RATE);
  qb_gb_set_counter(st, "items_per_second", d->w->items * iters, QB_GB_COUNTER_RATE);
  if (d->w->flops > 0) qb_gb_set_counter(st, "gflops", d->w->flops * iters * 1e-9, QB_GB_COUNTER_RATE);
}

qb_status qb_measure_device(const qb_measure_options* o, const char* name, const qb_device_work* w,
                            unsigned repetitions, qb_measure* m, qb_error* err) {
  memset(m, 0, sizeof *m);
  qb__device d = {.w = w, .start_s = qb_monotonic_seconds(), .timeout_s = o->case_timeout};
  snprintf(d.timeout_msg, sizeof d.timeout_msg, "timed out after %g s (--case-timeout)", o->case_timeout);
  const qb_status s =
      qb__measure(o, name, qb__device_fn, &d, 1, true, repetitions ? repetitions : o->repetitions, m, err);
  m->timed_out = d.timed_out;
  m->host_wall = d.host_wall;
  m->note = d.note;
  return s;
}
