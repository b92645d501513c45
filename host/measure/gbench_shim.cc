// The one C++ file of qbench: Google Benchmark (1.7) behind the C API of gbench.h.
// Nothing else lives here; planning, data and results stay in C.
// status.h is a C header without its own extern "C": give qb_fail C linkage here.
extern "C" {
#include "core/status.h"
}
#include "measure/gbench.h"

#include <benchmark/benchmark.h>

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

struct qb__registered {
  qb_gb_fn* fn;
  void* user;
  std::shared_ptr<qb__first_error> first_error;
};

// One call of a registered benchmark. Once a repetition has failed, every later one
// fails at once with the same message: the case is an error row whatever follows, and
// Google Benchmark 1.7 cannot take a failed repetition before good ones (its statistics
// then read the failed run's null statistics: a crash or std::bad_alloc, and the row
// loses the device's message).
void qb__call(const qb__registered& reg, benchmark::State& st) {
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
    const qb__registered reg = {fn, user, std::make_shared<qb__first_error>()};
    benchmark::internal::Benchmark* b =
        benchmark::RegisterBenchmark(name, [reg](benchmark::State& st) { qb__call(reg, st); });
    b->Unit(benchmark::kNanosecond);
    b->Threads(o.threads > 0 ? o.threads : 1);
    if (o.repetitions > 0) b->Repetitions(o.repetitions);
    if (o.min_time > 0) b->MinTime(o.min_time);
    // Rates are per wall-clock second, not per CPU second: with T threads Google
    // Benchmark divides the summed bytes by the mean of the threads' own timed spans
    // (each from the start barrier to its last call), which is the time they ran side
    // by side only where they overlapped and ended together (host/measure/README.md).
    if (o.manual_time) {
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
  return qb__st(st)->KeepRunning();
}
bool qb_gb_keep_running_batch(qb_gb_state* st, int64_t n) {
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
void qb_gb_pause_timing(qb_gb_state* st) {
  qb__st(st)->PauseTiming();
}
void qb_gb_resume_timing(qb_gb_state* st) {
  qb__st(st)->ResumeTiming();
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
