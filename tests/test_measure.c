/* The measure layer's timing adapters (host/measure/measure.h): device calls timed as
 * manual time from a fake device whose clock the test sets, so the figures are exact
 * (no wall-clock timing is asserted); host callbacks on threads; errors and timeouts;
 * the bytes a CPU stream roof moves over copies of its buffers (counted, not timed). */
#include <math.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "backends/cpu/cpu_bench.h"
#include "measure/measure.h"
#include "test_util.h"

/* A device whose every call takes `seconds` by its own clock (negative: it has none),
 * and fails at call `fail_at` (0: never). */
typedef struct fake_device {
  int calls, fail_at;
  double seconds;
  const char* note;
} fake_device;

static qb_status fake_call(void* user, double* device_seconds, const char** note, qb_error* err) {
  fake_device* d = user;
  d->calls++;
  if (d->fail_at > 0 && d->calls == d->fail_at)
    return qb_fail(err, QB_BACKEND, "device fell over at call %d", d->calls);
  *device_seconds = d->seconds;
  if (d->note != NULL) *note = d->note;
  return QB_OK;
}

static size_t count_runs(const json_t* runs, const char* type) {
  size_t n = 0, i;
  json_t* o;
  json_array_foreach(runs, i, o) n += strcmp(json_string_value(json_object_get(o, "run_type")), type) == 0;
  return n;
}

static const qb_measure_options opts = {.repetitions = 3, .min_time = 0.001, .case_timeout = 0};

static void test_device_manual_time(void** state) {
  (void) state;
  fake_device d = {.seconds = 1e-6, .note = "events"};
  const qb_device_work w = {.call = fake_call, .user = &d, .bytes = 1000, .items = 250, .flops = 0};
  qb_measure m;
  qb_error err = {0};
  assert_int_equal(qb_measure_device(&opts, "dev/manual", &w, 0, &m, &err), QB_OK);
  assert_true(m.ok);
  assert_false(m.host_wall);
  assert_false(m.timed_out);
  assert_string_equal(m.note, "events");
  /* Three repetitions, then mean, median, stddev and cv. */
  assert_int_equal(count_runs(m.runs, "iteration"), 3);
  assert_int_equal(count_runs(m.runs, "aggregate"), 4);
  const json_t* sum = qb_measure_summary(m.runs);
  assert_string_equal(json_string_value(json_object_get(sum, "aggregate_name")), "median");
  /* The device's own microsecond per call: 1000 ns, 1000 bytes in it: 1e9 B/s. */
  assert_true(fabs(m.real_time_ns - 1000.0) < 1e-6);
  assert_true(fabs(m.bytes_per_second / 1e9 - 1.0) < 1e-9);
  assert_true(fabs(m.items_per_second / 2.5e8 - 1.0) < 1e-9);
  assert_null(json_object_get(sum, "gflops"));
  assert_true(d.calls > 3);
  json_decref(m.runs);
}

static void test_device_without_clock(void** state) {
  (void) state;
  fake_device d = {.seconds = -1.0};
  const qb_device_work w = {.call = fake_call, .user = &d, .bytes = 64, .items = 16, .flops = 32};
  qb_measure m;
  qb_error err = {0};
  assert_int_equal(qb_measure_device(&opts, "dev/wall", &w, 1, &m, &err), QB_OK);
  assert_true(m.ok);
  assert_true(m.host_wall); /* the host's wall clock stood in */
  assert_null(m.note);
  assert_int_equal(count_runs(m.runs, "iteration"), 1); /* repetitions 1 given */
  assert_true(m.real_time_ns > 0);
  assert_true(m.gflops > 0);
  json_decref(m.runs);
}

static void test_device_error_and_timeout(void** state) {
  (void) state;
  fake_device d = {.seconds = 1e-6, .fail_at = 2};
  const qb_device_work w = {.call = fake_call, .user = &d, .bytes = 8, .items = 2};
  qb_measure m;
  qb_error err = {0};
  const qb_status st = qb_measure_device(&opts, "dev/fails", &w, 1, &m, &err);
  if (st != QB_OK) fail_msg("status %d: %s", st, err.msg);
  assert_false(m.ok);
  assert_false(m.timed_out);
  assert_non_null(strstr(m.reason, "device fell over at call 2"));
  json_decref(m.runs);

  /* A case timeout far below one call: the first call ends it. */
  fake_device slow = {.seconds = 1e-6};
  const qb_device_work ws = {.call = fake_call, .user = &slow, .bytes = 8, .items = 2};
  const qb_measure_options tight = {.repetitions = 1, .min_time = 0.001, .case_timeout = 1e-12};
  assert_int_equal(qb_measure_device(&tight, "dev/timeout", &ws, 0, &m, &err), QB_OK);
  assert_false(m.ok);
  assert_true(m.timed_out);
  assert_non_null(strstr(m.reason, "timed out after"));
  assert_int_equal(slow.calls, 1);
  json_decref(m.runs);
}

/* The device's own message when one call fails and the calls after it succeed (a
 * transient fault), in the first of three repetitions or a later one: every repetition
 * from the failed one on is an error with that message, and no statistics are made.
 * Google Benchmark 1.7 crashed (or threw std::bad_alloc, which became the row's reason)
 * computing statistics over a failed repetition followed by good ones. */
static void test_device_error_then_good_repetitions(void** state) {
  (void) state;
  /* The calls one repetition takes (calibration included): exact under manual time. */
  fake_device once = {.seconds = 1e-6};
  const qb_device_work w1 = {.call = fake_call, .user = &once, .bytes = 8, .items = 2};
  qb_measure m;
  qb_error err = {0};
  assert_int_equal(qb_measure_device(&opts, "dev/once", &w1, 1, &m, &err), QB_OK);
  assert_true(m.ok);
  json_decref(m.runs);
  const int per_rep = once.calls;
  assert_true(per_rep > 2);
  /* The second call (first repetition), then the second call of the second repetition. */
  const int fail_at[] = {2, per_rep + 2};
  const int first_failed[] = {0, 1};
  for (int k = 0; k < 2; k++) {
    fake_device d = {.seconds = 1e-6, .fail_at = fail_at[k]};
    const qb_device_work w = {.call = fake_call, .user = &d, .bytes = 8, .items = 2};
    char want[64];
    snprintf(want, sizeof want, "device fell over at call %d", fail_at[k]);
    const qb_status st = qb_measure_device(&opts, "dev/transient", &w, 0, &m, &err);
    if (st != QB_OK) fail_msg("fail_at %d: status %d: %s", fail_at[k], st, err.msg);
    assert_false(m.ok);
    if (strstr(m.reason, want) == NULL) fail_msg("fail_at %d: reason '%s'", fail_at[k], m.reason);
    assert_int_equal(count_runs(m.runs, "iteration"), 3);
    assert_int_equal(count_runs(m.runs, "aggregate"), 0);
    size_t i;
    json_t* o;
    json_array_foreach(m.runs, i, o) {
      const bool failed = json_is_true(json_object_get(o, "error_occurred"));
      assert_int_equal(failed, (int) i >= first_failed[k]);
      if (failed) assert_string_equal(json_string_value(json_object_get(o, "error_message")), want);
    }
    /* No call after the failed one: the later repetitions fail without running. */
    assert_int_equal(d.calls, fail_at[k]);
    json_decref(m.runs);
  }
}

typedef struct host_work {
  atomic_int max_threads;
  bool fail;
} host_work;

static void host_fn(qb_gb_state* st, void* user) {
  host_work* h = user;
  const int t = qb_gb_threads(st);
  if (t > atomic_load(&h->max_threads)) atomic_store(&h->max_threads, t);
  if (h->fail) {
    qb_gb_skip_with_error(st, "host work refused");
    return;
  }
  volatile uint64_t sink = 0;
  while (qb_gb_keep_running(st)) sink += 1;
  (void) sink;
  qb_gb_set_counter(st, "bytes_per_second", 64.0 * (double) qb_gb_iterations(st), QB_GB_COUNTER_RATE);
}

static void test_host_threads_and_errors(void** state) {
  (void) state;
  host_work h = {0};
  qb_measure m;
  qb_error err = {0};
  const qb_measure_options one = {.repetitions = 1, .min_time = 0.001};
  assert_int_equal(qb_measure_host(&one, "host/two", host_fn, &h, 2, &m, &err), QB_OK);
  assert_true(m.ok);
  assert_int_equal(atomic_load(&h.max_threads), 2);
  assert_int_equal((int) json_integer_value(json_object_get(qb_measure_summary(m.runs), "threads")), 2);
  assert_true(m.bytes_per_second > 0);
  json_decref(m.runs);

  h.fail = true;
  assert_int_equal(qb_measure_host(&one, "host/fails", host_fn, &h, 1, &m, &err), QB_OK);
  assert_false(m.ok);
  assert_string_equal(m.reason, "host work refused");
  assert_int_equal(qb_measure_get(qb_measure_summary(m.runs), "bytes_per_second"), 0);
  json_decref(m.runs);
}

/* Two threads in a fixed order, whatever their speed: thread 1's first call waits until
 * thread 0 has made its last one. Each records the monotonic time around its own calls
 * (the last run's: the one reported, as there is one repetition). */
typedef struct ordered_work {
  atomic_int done0;         /* thread 0 has made its last call in this run */
  int64_t start[2], end[2]; /* each thread's first and last call */
  int64_t waited;           /* thread 1's first call, after its wait */
} ordered_work;

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void ordered_fn(qb_gb_state* st, void* user) {
  ordered_work* w = user;
  const int t = qb_gb_thread_index(st);
  /* Cleared before thread 0 reaches the start barrier, which thread 1 passes first. */
  if (t == 0) atomic_store(&w->done0, 0);
  int64_t start = 0, end = 0, waited = 0;
  volatile uint64_t sink = 0;
  while (qb_gb_keep_running(st)) {
    if (start == 0) {
      start = now_ns();
      if (t == 1) {
        while (!atomic_load(&w->done0)) sched_yield();
        waited = now_ns();
      }
    }
    for (int i = 0; i < 100; i++) sink += (uint64_t) i;
    end = now_ns();
    /* Thread 0's last call made: before its last keep-running step, which waits for
     * thread 1 at Google Benchmark's end barrier. */
    if (t == 0 && qb_gb_iterations(st) >= qb_gb_max_iterations(st)) atomic_store(&w->done0, 1);
  }
  (void) sink;
  w->start[t] = start;
  w->end[t] = end;
  if (t == 1) w->waited = waited;
  qb_gb_set_counter(st, "bytes_per_second", 1e9, QB_GB_COUNTER_RATE);
}

/* The rate on T threads is over the span from the first thread's first call to the last
 * thread's last one (order, not length, is asserted): thread 1 waits for all of thread
 * 0's calls, so the time behind the rate is at least thread 1's own span (start to last
 * call). Google Benchmark's own real time gives the mean of the threads' spans, which is
 * shorter than the longer one whenever the two differ. On one thread nothing changes:
 * the rate is over that thread's own span. */
static void test_host_rate_is_over_the_span(void** state) {
  (void) state;
  ordered_work w = {0};
  qb_measure m;
  qb_error err = {0};
  const qb_measure_options one = {.repetitions = 1, .min_time = 0.002};
  assert_int_equal(qb_measure_host(&one, "host/ordered", ordered_fn, &w, 2, &m, &err), QB_OK);
  assert_true(m.ok);
  assert_int_equal(count_runs(m.runs, "iteration"), 1);
  /* Two threads' 1e9 "bytes" each: seconds = 2e9 / rate. */
  const double seconds = 2e9 / m.bytes_per_second;
  assert_true(w.waited >= w.end[0]); /* the order held */
  const double longer = (double) (w.end[1] - w.start[1]) * 1e-9;
  const double whole = (double) (w.end[1] - w.start[0]) * 1e-9;
  if (!(seconds >= longer * (1 - 1e-12)) || !(seconds >= whole * (1 - 1e-12)))
    fail_msg("rate over %.9f s; thread 1's own calls %.9f s, both threads' %.9f s", seconds, longer, whole);
  json_decref(m.runs);
}

static void test_summary(void** state) {
  (void) state;
  json_t* runs = json_array();
  assert_null(qb_measure_summary(runs));
  json_array_append_new(runs, json_pack("{s:s,s:f}", "run_type", "iteration", "real_time", 5.0));
  json_array_append_new(
      runs, json_pack("{s:s,s:s,s:f}", "run_type", "aggregate", "aggregate_name", "mean", "real_time", 6.0));
  assert_true(qb_measure_get(qb_measure_summary(runs), "real_time") == 5.0); /* no median: the first */
  json_array_append_new(runs, json_pack("{s:s,s:s,s:f}", "run_type", "aggregate", "aggregate_name", "median",
                                        "real_time", 7.0));
  assert_true(qb_measure_get(qb_measure_summary(runs), "real_time") == 7.0);
  assert_true(qb_measure_get(qb_measure_summary(runs), "absent") == 0.0);
  json_decref(runs);
}

/* Whether every 64-bit word of [p, p + bytes) still holds the fill of
 * qb_cpu_alloc_touched (0x5A bytes). */
static bool untouched(const unsigned char* p, size_t bytes) {
  for (size_t i = 0; i < bytes; i++) {
    if (p[i] != 0x5A) return false;
  }
  return true;
}

/* No byte of [p, p + bytes) that a stream roof stores is left at the fill: its stored
 * lines are never the fill (the loop's salt). */
static bool all_stored(const unsigned char* p, size_t bytes) {
  for (size_t i = 0; i < bytes; i += 8) {
    if (untouched(p + i, 8)) return false;
  }
  return true;
}

/* Times a stream bench (1 thread, `reps` short repetitions) and checks its spans
 * (counting, not timing): each step reads stream.r and writes stream.w lines, each call
 * is counted as those bytes, and in every copy of the buffers the write span holds
 * exactly the lines written while the read span and the rest of its pages are left alone. */
static void time_and_check_spans(qb_cpu_bench* b, const char* name, unsigned reps) {
  const qb_cpu_slice* sl = &b->slices[0];
  const size_t steps = sl->n, rbytes = steps * b->stream.r * 64, wbytes = steps * b->stream.w * 64;
  assert_true(steps > 0);
  assert_true(sl->bytes == (double) (rbytes + wbytes));
  const unsigned char* base = b->roof_buf;
  const size_t wstart = (const unsigned char*) sl->y - base;
  assert_true(wstart >= rbytes && wstart + wbytes <= b->placement_bytes);
  const qb_measure_options o = {.repetitions = reps, .min_time = 0.0005};
  qb_measure m;
  qb_error err = {0};
  assert_int_equal(qb_measure_host(&o, name, qb_cpu_bench_fn, b, 1, &m, &err), QB_OK);
  assert_true(m.ok);
  json_decref(m.runs);
  assert_true(b->placements >= 1);
  for (unsigned p = 0; p < b->placements; p++) {
    const unsigned char* copy = base + (size_t) p * b->placement_bytes;
    assert_true(untouched(copy, wstart));
    assert_true(all_stored(copy + wstart, wbytes));
    assert_true(untouched(copy + wstart + wbytes, b->placement_bytes - wstart - wbytes));
  }
}

/* A stream roof over three placements (counting, not timing): each run works on the next
 * copy of the buffers, so after a few runs every copy's write span holds exactly the
 * lines the mix writes, its read span and the rest of its pages are left alone, and each
 * call is counted as the bytes the mix moves. */
static void test_stream_roof_placements(void** state) {
  (void) state;
  qb_cpu cpu;
  qb_cpu_detect(&cpu);
  qb_cpu_bench b;
  qb_error err = {0};
  const qb_cpu_stream mix = {1, 8, false, false, 0, false, false};
  assert_int_equal(qb_cpu_bench_stream(&b, mix, 64 << 10, 1, 3, &cpu, 0, &err), QB_OK);
  assert_int_equal(b.placements, 3);
  assert_int_equal(b.roof_bytes, 3 * b.placement_bytes);
  /* 1:8 scaled to 2:16 (at least 16 lines a step). */
  assert_int_equal(b.stream.r, 2);
  assert_int_equal(b.stream.w, 16);
  time_and_check_spans(&b, "roof/stream/placements", 3);
  qb_cpu_bench_free(&b);
}

/* The tile way (the kernels' streamed-store driver around a fold of the mix's bytes;
 * counting, not timing): for mixes whose tiles end inside a line (3:16 reads 192 bytes
 * a tile, 256:35 writes 280, 35:256 reads 140) and 1:1, every call writes its whole write
 * span, leaves its read span and the rest of its pages alone, and is counted as the bytes
 * the mix moves. */
static void test_stream_roof_tile(void** state) {
  (void) state;
  qb_cpu cpu;
  qb_cpu_detect(&cpu);
  static const unsigned mixes[][2] = {{3, 16}, {256, 35}, {35, 256}, {1, 1}};
  for (size_t i = 0; i < sizeof mixes / sizeof mixes[0]; i++) {
    const qb_cpu_stream mix = {mixes[i][0], mixes[i][1], true, false, 0, false, true};
    qb_cpu_bench b;
    qb_error err = {0};
    const qb_status st = qb_cpu_bench_stream(&b, mix, 300 << 10, 1, 1, &cpu, 0, &err);
    if (st == QB_UNSUPPORTED) return; /* not x86 with AVX2: no tile way */
    assert_int_equal(st, QB_OK);
    assert_true(b.stream.r % mixes[i][0] == 0 && b.stream.r / mixes[i][0] == b.stream.w / mixes[i][1]);
    time_and_check_spans(&b, "roof/stream/tile", 2);
    qb_cpu_bench_free(&b);
  }
}

int main(void) {
  if (!qb_gb_available()) return QB_TEST_SKIP;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_device_manual_time),
      cmocka_unit_test(test_device_without_clock),
      cmocka_unit_test(test_device_error_and_timeout),
      cmocka_unit_test(test_device_error_then_good_repetitions),
      cmocka_unit_test(test_host_threads_and_errors),
      cmocka_unit_test(test_host_rate_is_over_the_span),
      cmocka_unit_test(test_summary),
      cmocka_unit_test(test_stream_roof_placements),
      cmocka_unit_test(test_stream_roof_tile),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
