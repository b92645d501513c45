/*
 * A C view of Google Benchmark (host/measure/gbench_shim.cc, the project's only C++).
 *
 * The harness registers one benchmark per case with a C callback, runs it through a
 * reporter that hands every run back to C, and clears the registry again. Google
 * Benchmark's own console output is never printed: qbench prints its own table.
 *
 * When the build found no Google Benchmark, gbench_absent.c provides the same
 * functions: qb_gb_available() is false and qb_gb_register() fails with
 * QB_UNSUPPORTED. `qbench run` checks qb_gb_available() first and stops with exit 2
 * (it could time nothing); `--list` still works.
 */
#ifndef QB_GBENCH_H
#define QB_GBENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The running benchmark as the callback sees it (a benchmark::State underneath). */
typedef struct qb_gb_state qb_gb_state;

/* Called once per thread per calibration step or repetition; must run the keep-running
 * loop to its end unless it reported an error first. */
typedef void qb_gb_fn(qb_gb_state* st, void* user);

typedef struct qb_gb_options {
  int repetitions;      /* 0: Google Benchmark's default (1) */
  double min_time;      /* seconds per repetition; 0: its default (0.5 s) */
  int threads;          /* threads running the callback at once; 0 means 1 */
  bool manual_time;     /* the callback reports each iteration's time itself; else the
                           wall time: one thread's real time, or on T > 1 threads the span
                           from the first thread's first timed call to the last thread's
                           last one (the shim sets it as each thread's manual time) */
  bool aggregates_only; /* report only mean/median/stddev/cv, not each repetition */
} qb_gb_options;

/* Counter flags (benchmark::Counter::Flags). */
enum {
  QB_GB_COUNTER_RATE = 1u << 0,          /* divided by the run's time (qb_gb_options): per second */
  QB_GB_COUNTER_AVG_THREADS = 1u << 1,   /* divided by the number of threads */
  QB_GB_COUNTER_PER_ITERATION = 1u << 2, /* multiplied by the iterations of the run */
};

/* Whether this build has Google Benchmark. */
bool qb_gb_available(void);

/* Registers a benchmark under `name` (kept verbatim; time unit ns; the timer is the wall
 * time unless manual_time, see qb_gb_options). `user` must outlive qb_gb_run_all(). */
qb_status qb_gb_register(const char* name, qb_gb_fn* fn, void* user, const qb_gb_options* opt, qb_error* err);
/* Forgets every registered benchmark. */
void qb_gb_clear(void);

/* The callback's side. */
bool qb_gb_keep_running(qb_gb_state* st);
bool qb_gb_keep_running_batch(qb_gb_state* st, int64_t n); /* may overshoot by n */
int qb_gb_thread_index(const qb_gb_state* st);
int qb_gb_threads(const qb_gb_state* st);
int64_t qb_gb_max_iterations(const qb_gb_state* st);
int64_t qb_gb_iterations(const qb_gb_state* st); /* done so far by this thread */
void qb_gb_set_iteration_time(qb_gb_state* st, double seconds);
/* Sets (replaces) this thread's counter; threads' values are summed, then flags apply. */
void qb_gb_set_counter(qb_gb_state* st, const char* name, double value, unsigned flags);
void qb_gb_skip_with_error(qb_gb_state* st, const char* msg);
bool qb_gb_error_occurred(const qb_gb_state* st);
void qb_gb_pause_timing(qb_gb_state* st); /* on T > 1 threads: this thread's pauses come off its span */
void qb_gb_resume_timing(qb_gb_state* st);

typedef enum qb_gb_run_type { QB_GB_RUN_ITERATION, QB_GB_RUN_AGGREGATE } qb_gb_run_type;

typedef struct qb_gb_counter {
  const char* name;
  double value; /* flags applied: a rate is per second */
} qb_gb_counter;

/* One run as the reporter saw it; pointers are valid during the report callback only. */
typedef struct qb_gb_run {
  const char* name; /* the registered name */
  qb_gb_run_type run_type;
  const char* aggregate_name;   /* "mean", "median", "stddev", "cv"; "" for iterations */
  bool aggregate_is_percentage; /* cv: times are fractions, not nanoseconds */
  int64_t repetitions, repetition_index, threads, iterations;
  double real_time_ns, cpu_time_ns; /* per iteration (aggregates: the statistic) */
  const qb_gb_counter* counters;
  size_t counter_count;
  bool error_occurred;
  const char* error_message;
} qb_gb_run;

typedef void qb_gb_report_fn(const qb_gb_run* run, void* user);

/*
 * Runs the registered benchmarks whose names match `filter` (Google Benchmark's regex;
 * NULL runs all), calling `report` for every run in order. *matched (when not NULL) is
 * the number of benchmarks that matched.
 */
qb_status qb_gb_run_all(const char* filter, qb_gb_report_fn* report, void* user, size_t* matched,
                        qb_error* err);

#ifdef __cplusplus
}
#endif

#endif /* QB_GBENCH_H */
