// The one C++ file of qbench: Google Benchmark (1.7) behind the C API of gbench.h.
// Nothing else lives here; planning, data and results stay in C.
// status.h is a C header without its own extern "C": give qb_fail C linkage here.
extern "C" {
#include "core/status.h"
}
#include "measure/gbench.h"

#include <benchmark/benchmark.h>

#include <time.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

namespace {

benchmark::State* qb__st(qb_gb_state* st) {
  return reinterpret_cast<benchmark::State*>(st);
}
const benchmark::State* qb__st(const qb_gb_state* st) {
  return reinterpret_cast<const benchmark::State*>(st);
}

// The first error of a benchmark's repetitions, held for the ones after it.
struct qb__first_error {
  std::mutex mu;
  bool set = false;
  std::string msg;
};

// Where qb_gb_skip_with_error records a message: the running benchmark's first error.
thread_local qb__first_error* qb__current_error = nullptr;

// The span of one run (calibration step or repetition) of a host benchmark on T > 1
// threads: from the first thread's first timed call to the last thread's last one, in
// nanoseconds on the monotonic clock. Google Benchmark divides a rate counter by the
// mean of the threads' own times; every thread reports this span (less its own pauses)
// as its manual time, so that mean is the span: bytes over first start to last end, as
// STREAM times, whichever way the scheduler placed the threads.
struct qb__span {
  std::atomic<int64_t> first_start{INT64_MAX};
  std::atomic<int64_t> last_end{INT64_MIN};
};

struct qb__registered {
  qb_gb_fn* fn;
  void* user;
  std::shared_ptr<qb__first_error> first_error;
  std::shared_ptr<qb__span> span;  // null: one thread, or the callback's own manual time
};

// What one thread of a span-timed run knows of its own part (qb__call sets it up).
struct qb__span_thread {
  qb__span* span = nullptr;  // null: this run is not span-timed
  bool started = false;      // its loop has begun: its start is recorded
  int64_t paused_ns = 0;     // time between its pauses and resumes
  int64_t pause_at = 0;
};
thread_local qb__span_thread qb__span_self;

int64_t qb__now_ns() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void qb__atomic_min(std::atomic<int64_t>& a, int64_t v) {
  int64_t cur = a.load();
  while (v < cur && !a.compare_exchange_weak(cur, v)) {
  }
}
void qb__atomic_max(std::atomic<int64_t>& a, int64_t v) {
  int64_t cur = a.load();
  while (v > cur && !a.compare_exchange_weak(cur, v)) {
  }
}

// One step of a span-timed keep-running loop (batch: KeepRunningBatch(n), else
// KeepRunning()). Google Benchmark holds every thread at a barrier after the start of
// the loop and again before any thread leaves it (FinishKeepRunning, inside the call that
// returns false; a thread that failed and left is taken off that barrier; the user guide
// promises both: "all will have finished before any thread exits the benchmark loop"), so:
// 1. Before the call that will end this thread's loop (its iterations reached the
//    maximum; iterations() is 0 before the loop starts), right after its last timed
//    call, the thread's end goes into last_end.
// 2. After the call that starts the loop (past the start barrier), its start goes into
//    first_start.
// 3. When the call returns false, every thread that finished without an error has done
//    step 1 (the end barrier lies between), so the span is complete: this thread's
//    manual time is the span less its own pauses. A thread that failed reports nothing:
//    the run is an error row.
bool qb__span_step(benchmark::State& st, int64_t n, bool batch) {
  qb__span_thread& me = qb__span_self;
  if (me.started && !st.error_occurred() && st.iterations() >= st.max_iterations) {
    qb__atomic_max(me.span->last_end, qb__now_ns());  // 1.
  }
  const bool more = batch ? st.KeepRunningBatch(n) : st.KeepRunning();
  if (more && !me.started) {
    me.started = true;
    qb__atomic_min(me.span->first_start, qb__now_ns());  // 2.
  } else if (!more && me.started && !st.error_occurred()) {
    const int64_t ns = me.span->last_end.load() - me.span->first_start.load() - me.paused_ns;  // 3.
    st.SetIterationTime(static_cast<double>(ns > 0 ? ns : 0) * 1e-9);
    me.started = false;
  }
  return more;
}

// One call of a registered benchmark. Once a repetition has failed, every later one
// fails at once with the same message: the case is an error row whatever follows, and
// Google Benchmark 1.7 cannot take a failed repetition before good ones (its statistics
// then read the failed run's null statistics: a crash or std::bad_alloc, and the row
// loses the device's message).
void qb__call(const qb__registered& reg, benchmark::State& st) {
  // A span-timed run: thread 0 clears the span before its loop starts. The run before
  // has ended (Google Benchmark joins its threads first), and no thread of this run
  // records anything before the start barrier, which thread 0 must reach.
  qb__span_self = qb__span_thread();
  if (reg.span != nullptr) {
    if (st.thread_index() == 0) {
      reg.span->first_start.store(INT64_MAX);
      reg.span->last_end.store(INT64_MIN);
    }
    qb__span_self.span = reg.span.get();
  }
  qb__first_error* e = reg.first_error.get();
  {
    std::lock_guard<std::mutex> lock(e->mu);
    if (e->set) {
      st.SkipWithError(e->msg.c_str());
      return;
    }
  }
  qb__current_error = e;
  reg.fn(reinterpret_cast<qb_gb_state*>(&st), reg.user);
  qb__current_error = nullptr;
  qb__span_self = qb__span_thread();
}

// Hands each run to C. Context and console printing are deliberately absent: the
// harness records the machine itself and prints its own table.
class qb__reporter : public benchmark::BenchmarkReporter {
 public:
  qb__reporter(qb_gb_report_fn* fn, void* user) : fn_(fn), user_(user) {}

  bool ReportContext(const Context&) override { return true; }

  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) report_one(r);
  }

 private:
  void report_one(const Run& r) {
    std::vector<qb_gb_counter> counters;
    counters.reserve(r.counters.size());
    for (const auto& kv : r.counters) counters.push_back({kv.first.c_str(), kv.second.value});
    qb_gb_run out = {};
    out.name = r.run_name.function_name.c_str();
    out.run_type = r.run_type == Run::RT_Aggregate ? QB_GB_RUN_AGGREGATE : QB_GB_RUN_ITERATION;
    out.aggregate_name = r.aggregate_name.c_str();
    out.aggregate_is_percentage =
        r.run_type == Run::RT_Aggregate && r.aggregate_unit == benchmark::kPercentage;
    out.repetitions = r.repetitions;
    out.repetition_index = r.repetition_index;
    out.threads = r.threads;
    out.iterations = r.iterations;
    // A percentage statistic (cv) is stored unscaled, as Google Benchmark's JSON writes it.
    out.real_time_ns = out.aggregate_is_percentage ? r.real_accumulated_time : r.GetAdjustedRealTime();
    out.cpu_time_ns = out.aggregate_is_percentage ? r.cpu_accumulated_time : r.GetAdjustedCPUTime();
    out.counters = counters.data();
    out.counter_count = counters.size();
    out.error_occurred = r.error_occurred;
    out.error_message = r.error_message.c_str();
    fn_(&out, user_);
  }

  qb_gb_report_fn* fn_;
  void* user_;
};

}  // namespace

extern "C" {

bool qb_gb_available(void) {
  return true;
}

qb_status qb_gb_register(const char* name, qb_gb_fn* fn, void* user, const qb_gb_options* opt,
                         qb_error* err) {
  qb_gb_options o = {};
  if (opt != nullptr) o = *opt;
  try {
    const int threads = o.threads > 0 ? o.threads : 1;
    // Span-timed: a host callback on more than one thread (qb__span_step).
    const bool span = threads > 1 && !o.manual_time;
    const qb__registered reg = {fn, user, std::make_shared<qb__first_error>(),
                                span ? std::make_shared<qb__span>() : nullptr};
    benchmark::internal::Benchmark* b =
        benchmark::RegisterBenchmark(name, [reg](benchmark::State& st) { qb__call(reg, st); });
    b->Unit(benchmark::kNanosecond);
    b->Threads(threads);
    if (o.repetitions > 0) b->Repetitions(o.repetitions);
    if (o.min_time > 0) b->MinTime(o.min_time);
    // Rates are per wall-clock second, not per CPU second. On one thread Google
    // Benchmark's real time: the thread's timed span. On T > 1 threads, manual time set
    // by the shim (qb__span_step): the bytes summed over the threads over the span from
    // the first thread's first timed call to the last thread's last one, where Google
    // Benchmark's real time would give the mean of the threads' own spans, which counts
    // threads the scheduler ran one after the other as side by side
    // (host/measure/README.md).
    if (o.manual_time || span) {
      b->UseManualTime();
    } else {
      b->UseRealTime();
    }
    if (o.aggregates_only) b->ReportAggregatesOnly(true);
  } catch (const std::exception& e) {
    return qb_fail(err, QB_INTERNAL, "registering benchmark '%s' failed: %s", name, e.what());
  }
  return QB_OK;
}

void qb_gb_clear(void) {
  benchmark::ClearRegisteredBenchmarks();
}

bool qb_gb_keep_running(qb_gb_state* st) {
  if (qb__span_self.span != nullptr) return qb__span_step(*qb__st(st), 1, false);
  return qb__st(st)->KeepRunning();
}
bool qb_gb_keep_running_batch(qb_gb_state* st, int64_t n) {
  if (qb__span_self.span != nullptr) return qb__span_step(*qb__st(st), n, true);
  return qb__st(st)->KeepRunningBatch(n);
}
int qb_gb_thread_index(const qb_gb_state* st) {
  return qb__st(st)->thread_index();
}
int qb_gb_threads(const qb_gb_state* st) {
  return qb__st(st)->threads();
}
int64_t qb_gb_max_iterations(const qb_gb_state* st) {
  return qb__st(st)->max_iterations;
}
int64_t qb_gb_iterations(const qb_gb_state* st) {
  return qb__st(st)->iterations();
}
void qb_gb_set_iteration_time(qb_gb_state* st, double seconds) {
  qb__st(st)->SetIterationTime(seconds);
}

void qb_gb_set_counter(qb_gb_state* st, const char* name, double value, unsigned flags) {
  int f = benchmark::Counter::kDefaults;
  if (flags & QB_GB_COUNTER_RATE) f |= benchmark::Counter::kIsRate;
  if (flags & QB_GB_COUNTER_AVG_THREADS) f |= benchmark::Counter::kAvgThreads;
  if (flags & QB_GB_COUNTER_PER_ITERATION) f |= benchmark::Counter::kIsIterationInvariant;
  qb__st(st)->counters[name] = benchmark::Counter(value, static_cast<benchmark::Counter::Flags>(f));
}

void qb_gb_skip_with_error(qb_gb_state* st, const char* msg) {
  qb__first_error* e = qb__current_error;
  if (e != nullptr) {
    std::lock_guard<std::mutex> lock(e->mu);
    if (!e->set) {
      try {
        e->msg = msg;
        e->set = true;
      } catch (const std::exception&) {
        // Out of memory for the copy: the later repetitions run as they would have.
      }
    }
  }
  qb__st(st)->SkipWithError(msg);
}
bool qb_gb_error_occurred(const qb_gb_state* st) {
  return qb__st(st)->error_occurred();
}
// Span-timed runs keep a thread's pauses out of its time: it reports the span less
// them (so the rate's time is the span less the threads' mean pause).
void qb_gb_pause_timing(qb_gb_state* st) {
  if (qb__span_self.span != nullptr) qb__span_self.pause_at = qb__now_ns();
  qb__st(st)->PauseTiming();
}
void qb_gb_resume_timing(qb_gb_state* st) {
  qb__st(st)->ResumeTiming();
  if (qb__span_self.span != nullptr) qb__span_self.paused_ns += qb__now_ns() - qb__span_self.pause_at;
}

qb_status qb_gb_run_all(const char* filter, qb_gb_report_fn* report, void* user, size_t* matched,
                        qb_error* err) {
  if (matched != nullptr) *matched = 0;
  try {
    qb__reporter rep(report, user);
    // Google Benchmark reports a bad regex or an empty match on its error stream;
    // collect it so that it becomes our one-line message, not stray output.
    std::ostringstream out, errs;
    rep.SetOutputStream(&out);
    rep.SetErrorStream(&errs);
    size_t n = benchmark::RunSpecifiedBenchmarks(&rep, std::string(filter ? filter : "."));
    if (matched != nullptr) *matched = n;
    std::string e = errs.str();
    while (!e.empty() && (e.back() == '\n' || e.back() == ' ')) e.pop_back();
    if (n == 0 && !e.empty()) {
      return qb_fail(err, QB_BAD_INPUT, "benchmark filter '%s': %s", filter ? filter : ".", e.c_str());
    }
  } catch (const std::exception& e) {
    return qb_fail(err, QB_INTERNAL, "running benchmarks failed: %s", e.what());
  }
  return QB_OK;
}

}  // extern "C"
