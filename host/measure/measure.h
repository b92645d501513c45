/*
 * The two timing adapters over Google Benchmark (gbench.h), behind one options struct:
 * a host callback timed on T threads by the wall clock (CPU kernels, CPU roofs), and a
 * device call timed one call at a time as manual time (a device's own clock, or the
 * host's wall clock around the call when the device has none it trusts). Each
 * measurement registers one benchmark, runs it, collects every reported run as a
 * result-row fragment and forgets it. Nothing here knows cases, backends or roofs.
 */
#ifndef QB_MEASURE_H
#define QB_MEASURE_H

#include <jansson.h>
#include <stdbool.h>

#include "core/status.h"
#include "measure/gbench.h"

/* How every measurement of a run is taken. */
typedef struct qb_measure_options {
  unsigned repetitions; /* 1 or more; each is an `iteration` run, then the aggregates */
  double min_time;      /* seconds per repetition */
  double case_timeout;  /* seconds one measurement may take; 0: no limit */
} qb_measure_options;

/* One measurement: every run Google Benchmark reported, and the figures of the one that
 * stands for it (the median of the repetitions, or the only run). */
typedef struct qb_measure {
  bool ok;          /* timed without an error; the figures below are the summary's */
  bool timed_out;   /* device calls: the case went past case_timeout */
  bool host_wall;   /* device calls: the host's wall clock stood in at least once */
  const char* note; /* device calls: the backend's note on its timer (static text), or NULL */
  char reason[512]; /* !ok: the first error */
  double real_time_ns, bytes_per_second, items_per_second, gflops;
  json_t* runs; /* every reported run as a result-row fragment (new reference, never NULL
                 * after a measure call; empty when nothing ran) */
} qb_measure;

/* Seconds on the monotonic clock. */
double qb_monotonic_seconds(void);

/* The run that stands for a measurement: the median aggregate, else the first run.
 * Borrowed from `runs`; NULL when empty. */
json_t* qb_measure_summary(const json_t* runs);

/* A number field of a run (0 when absent). */
double qb_measure_get(const json_t* run, const char* key);

/*
 * Host timing: `fn(user)` is Google Benchmark's callback on `threads` threads, wall
 * time (one thread's own; on more, first start to last end: gbench.h), o->repetitions
 * repetitions of at least o->min_time (the callback checks case_timeout itself, as only
 * it knows its steps). QB_OK with m->ok false when a run reported an error (m->reason);
 * another status when the benchmark could not be registered or run at all.
 */
qb_status qb_measure_host(const qb_measure_options* o, const char* name, qb_gb_fn* fn, void* user,
                          unsigned threads, qb_measure* m, qb_error* err);

/* One call of device work: runs once and waits. *device_seconds: the device's own time
 * for it, or negative when it has none it trusts; *note: static text, or left alone. */
typedef qb_status qb_device_call(void* user, double* device_seconds, const char** note, qb_error* err);

/* What a device measurement times, and what one call moves (for the rate counters). */
typedef struct qb_device_work {
  qb_device_call* call;
  void* user;
  double bytes, items, flops; /* per call; flops 0: no gflops counter */
} qb_device_work;

/*
 * Device timing: one thread, manual time (each call's device time, or the host's wall
 * clock around it: m->host_wall), `repetitions` (0: o->repetitions). case_timeout is
 * checked after every call (a call that never returns cannot be cut short from here).
 * Statuses as for qb_measure_host.
 */
qb_status qb_measure_device(const qb_measure_options* o, const char* name, const qb_device_work* w,
                            unsigned repetitions, qb_measure* m, qb_error* err);

#endif
