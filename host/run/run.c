/* `qbench run`: orchestration. Every case goes to its backend (backends/backend.h:
 * run_case, timed through the measure layer), its output is checked here against the
 * scalar reference, and its runs become rows. */
#include <errno.h>
#include <limits.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "backends/backend.h"
#include "backends/device.h"
#include "io/journal.h"
#include "io/results.h"
#include "measure/measure.h"
#include "numerics/casedata.h"
#include "numerics/memory.h"
#include "numerics/verify.h"
#include "run/console.h"
#include "run/data.h"
#include "run/plan.h"
#include "run/prepared.h"
#include "run/resume.h"
#include "run/roof.h"
#include "run/run.h"
#include "run/run_context.h"
#include "run/schedule.h"

/* One run of the command: what every case and roof is measured with, the backends in
 * use, and what has been done so far. */
typedef struct qb_runner {
  qb_ctx* ctx;
  const qb_suite* suite;
  qb_measure_options measure; /* repetitions, min time, --case-timeout */
  uint64_t seed;
  unsigned all_threads;                   /* what "all" resolved to */
  qb_backend* backends[QB_BACKEND_COUNT]; /* those used; NULL: not used */
  json_t* rows;                           /* the "benchmarks" array, filled in plan order at the end */
  json_t** case_rows;                     /* by plan index: a finished case's rows; NULL: not (yet) */
  size_t shown;                           /* the plan's first cases, shown in the table */
  qb_roofs roofs;
  qb_console* console;
  size_t ok, skipped, errors;        /* cases, by their final status */
  const volatile sig_atomic_t* stop; /* set by SIGINT/SIGTERM */
  bool pinned_all;                   /* every thread could be pinned */
  struct qb_journal* journal;        /* every finished case and roof goes here; NULL: --list */
  size_t roofs_journaled;            /* roofs.items already in the journal */
  bool journal_warned;               /* the journal broke and the user was told */
  const qb_plan* plan;               /* for the context: the variants not planned */
  bool roof_used[QB_ROOFS_MAX];      /* a row was held to roofs.items[i] */
  bool roofs_frozen;                 /* resumed: the journal's roofs, as the results file will say */
  qb_run_data* data;                 /* --data: the tensors the cases run on; NULL: none */
  qb_prepared prepared;              /* the data of the last kernel case, for the next ones */
} qb_runner;

/* The one piece of mutable state outside the context: a signal handler can reach
 * nothing else. It only records the signal; the run checks it between cases. */
static volatile sig_atomic_t qb__stop_signal;

static void qb__on_signal(int sig) {
  qb__stop_signal = sig;
}

/* Signals that end a run politely: the case under way finishes, what finished is
 * written (marked incomplete). SIGHUP is the ssh session that went away. */
static const int qb__stop_signals[] = {SIGINT, SIGTERM, SIGHUP};
/* Signals ignored for the whole run, so that their errors come back as errno where
 * they are handled: a closed pipe on stdout (EPIPE: the table is lost, the results file
 * is still written) and a file size limit (EFBIG: the journal is kept, exit 1). */
static const int qb__ignored_signals[] = {SIGPIPE, SIGXFSZ};
#define QB__NSTOP (sizeof qb__stop_signals / sizeof qb__stop_signals[0])
#define QB__NIGN (sizeof qb__ignored_signals / sizeof qb__ignored_signals[0])

typedef struct qb__signals {
  struct sigaction old_stop[QB__NSTOP], old_ign[QB__NIGN];
} qb__signals;

/* `second_kills`: while cases run, a second Ctrl-C kills at once (the first one asked
 * politely, and the journal holds every finished case). During the final write it
 * must not: the handler stays, so the write finishes and its temp files go. */
static void qb__signals_set(qb__signals* save, bool second_kills) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = qb__on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = second_kills ? SA_RESETHAND : 0;
  for (size_t i = 0; i < QB__NSTOP; i++)
    sigaction(qb__stop_signals[i], &sa, save ? &save->old_stop[i] : NULL);
  if (save == NULL) return;
  struct sigaction ign;
  memset(&ign, 0, sizeof ign);
  ign.sa_handler = SIG_IGN;
  sigemptyset(&ign.sa_mask);
  for (size_t i = 0; i < QB__NIGN; i++) sigaction(qb__ignored_signals[i], &ign, &save->old_ign[i]);
}

/* The stop signals only: SIGPIPE and SIGXFSZ stay ignored, since the table on stdout
 * is flushed after the command returns (main.c) and a closed pipe must not kill the
 * process after its results were written. */
static void qb__signals_restore(const qb__signals* save) {
  for (size_t i = 0; i < QB__NSTOP; i++) sigaction(qb__stop_signals[i], &save->old_stop[i], NULL);
}

static json_t* qb__num(double v) {
  return isfinite(v) ? json_real(v) : json_null();
}

/* ---- Rows ---------------------------------------------------------------------- */

static const char* qb__dtype(qb_dtype t) {
  return qb_dtype_get(t) ? qb_dtype_get(t)->name : "none";
}

/* The case's own fields, the same on every row of the case. */
static json_t* qb__case_fields(const qb_case* k) {
  json_t* o = json_object();
  json_object_set_new(o, "family", json_string(k->family_name));
  json_object_set_new(o, "kernel", json_string(k->kernel_name));
  json_object_set_new(o, "variant", json_string(k->variant));
  json_object_set_new(o, "backend", json_string(qb_backend_name(k->backend)));
  json_object_set_new(o, "device", json_string(k->device_name));
  json_object_set_new(o, "isa", json_string(k->isa));
  const qb_family_info* f = k->family;
  json_object_set_new(o, "dtype_in", json_string(f ? qb__dtype(f->in) : "none"));
  json_object_set_new(o, "dtype_in2", json_string(f ? qb__dtype(f->in2) : "none"));
  json_object_set_new(o, "dtype_out", json_string(f ? qb__dtype(f->out) : "none"));
  json_object_set_new(o, "n", json_integer((json_int_t) k->n));
  json_object_set_new(o, "size_class", json_string(k->size_class ? k->size_class : "none"));
  json_object_set_new(o, "distribution",
                      json_string(k->dist == QB_DIST_COUNT ? "none" : qb_dist_name(k->dist)));
  json_object_set_new(o, "rounding",
                      json_string(k->round < 0 ? "none" : qb_suite_round_name((qb_round_mode) k->round)));
  return o;
}

static json_t* qb__error_json(const qb_error_metrics* m, unsigned sem) {
  json_t* e = json_object();
  char words[96];
  qb_sem_string(sem, words, sizeof words);
  json_object_set_new(e, "semantics", json_string(words));
  if (isfinite(m->bound)) json_object_set_new(e, "bound", json_real(m->bound));
  json_object_set_new(e, "max_abs", qb__num(m->max_abs));
  json_object_set_new(e, "max_rel", qb__num(m->max_rel));
  json_object_set_new(e, "rmse", qb__num(m->rmse));
  json_object_set_new(e, "nmse", qb__num(m->nmse));
  json_object_set_new(e, "sqnr_db", qb__num(m->sqnr_db));
  json_object_set_new(e, "max_ulp", qb__num(m->max_ulp));
  json_object_set_new(e, "mean_ulp", qb__num(m->mean_ulp));
  json_object_set_new(e, "mismatches", json_integer((json_int_t) m->mismatches));
  json_object_set_new(e, "nan_inf_mismatches", json_integer((json_int_t) m->nan_inf_mismatches));
  return e;
}

/* The memory side of a row: the case's buffers, and the storage of its low-precision
 * tensor (the narrower of input and output; a dot's inputs) as host/numerics/memory.h
 * counts it, metadata included. */
static json_t* qb__memory_json(const qb_case* k, const qb_case_data* d) {
  const qb_family_info* f = k->family;
  qb_dtype t = f->in;
  if (f->kind == QB_KIND_unary && qb_dtype_get(f->out)->bits < qb_dtype_get(f->in)->bits) t = f->out;
  qb_mem_scheme scheme = QB_MEM_PLAIN;
  uint64_t dims[2] = {d->n, 1};
  int ndim = 1;
  if (t == QB_DTYPE_qb8) {
    t = QB_DTYPE_s8;
    scheme = QB_MEM_BLOCK;
  } else if (qb_dtype_get(t)->cls == QB_CLASS_int &&
             (qb_op_affine(qb_family_op(f)) || f->kind == QB_KIND_dot)) {
    /* An integer dot's operands are codes quantized per tensor (numerics/casedata.c):
     * their scale is part of what storing them costs. */
    scheme = d->qp.channel_len > 0 ? QB_MEM_PER_CHANNEL : QB_MEM_PER_TENSOR;
    if (d->qp.channel_len > 0) {
      dims[0] = d->n / d->qp.channel_len;
      dims[1] = d->qp.channel_len;
      ndim = 2;
    }
  }
  json_t* o = json_object();
  json_object_set_new(o, "footprint_bytes",
                      json_integer((json_int_t) (d->x_bytes + d->x2_bytes + d->y_bytes)));
  json_object_set_new(o, "metadata_bytes", json_integer((json_int_t) d->metadata_bytes));
  qb_memory_row row;
  qb_error err = {0};
  if (qb_memory_footprint(t, scheme, dims, ndim, &row, &err) == QB_OK) {
    json_object_set_new(o, "format", json_string(row.name));
    json_object_set_new(o, "bytes_per_element", json_real(row.bytes_per_element));
    json_object_set_new(o, "ratio_to_f32", json_real(row.ratio_to_f32));
    json_object_set_new(o, "ratio_to_f64", json_real(row.ratio_to_f64));
  }
  return o;
}

/* What the rows of a case say once it is over. */
typedef struct qb__outcome {
  qb_status status; /* QB_OK, QB_SKIPPED, or the error */
  char reason[512];
  const char* timing; /* "host", "device", "host-wall" */
  const char* timer_note;
  bool have_error;
  qb_error_metrics metrics;
  unsigned sem;   /* the semantics the output was held to */
  json_t* memory; /* owned */
  json_t* extra;  /* owned: more fields for every row (transfers, pinning) */
} qb__outcome;

static qb_roof_input qb__roof_input(qb_runner* r);

/* The roof a case's rows are held to: the bandwidth roof of its family's read:write
 * mix (roof.c), the CPU's for a host backend, its device's for a device. */
static const qb_roof* qb__case_roof(const qb_runner* r, const qb_case* k) {
  return qb_backend_is_host(k->backend) ? qb_roof_for_family(&r->roofs, k->family, k->size_class, k->threads)
                                        : qb_roof_device(&r->roofs, k->backend, k->device,
                                                         qb_roof_device_bytes(&r->ctx->topo, k), k->family);
}

/* The row the table shows (the median, or the only repetition): the one a roof is
 * checked against. */
static bool qb__shown_row(const qb_runner* r, const json_t* row) {
  const char* agg = json_string_value(json_object_get(row, "aggregate_name"));
  return agg != NULL ? strcmp(agg, "median") == 0 : r->measure.repetitions <= 1;
}

/* A row's roof fields. While the run goes on (`last` false), a shown row above its roof
 * (CPU or device bandwidth) has the roof timed again first (a load that slowed the roof down may be gone);
 * at the end (`last`), every row is held to the roofs as they finally are, and a shown
 * row still above its roof is a warning that names both. */
static void qb__roof_fields(qb_runner* r, const qb_case* k, json_t* row, bool last) {
  const char* agg = json_string_value(json_object_get(row, "aggregate_name"));
  /* A fraction of a spread is not a fraction of the roof. */
  if (agg != NULL && (strcmp(agg, "stddev") == 0 || strcmp(agg, "cv") == 0)) return;
  if (k->type != QB_CASE_KERNEL) return;
  const bool host = qb_backend_is_host(k->backend);
  const qb_roof* roof = qb__case_roof(r, k);
  const double bps = qb_measure_get(row, "bytes_per_second");
  if (roof != NULL && bps > 0) {
    const size_t index = (size_t) (roof - r->roofs.items);
    r->roof_used[index] = true;
    if (!last && !r->roofs_frozen && qb__shown_row(r, row)) {
      const qb_roof_input in = qb__roof_input(r);
      for (unsigned t = 0; t < QB_ROOF_MAX_RETRIES && bps > roof->bytes_per_second && !*r->stop; t++) {
        if (!qb_roof_retry(&in, &r->roofs, index)) break;
      }
    }
    const double fraction = bps / roof->bytes_per_second;
    json_object_set_new(row, "roof_name", json_string(roof->name));
    json_object_set_new(row, "roof_fraction", json_real(fraction));
    if (last && fraction > 1.0 && qb__shown_row(r, row)) {
      fprintf(stderr,
              "warning: %s: %.2f of its roof %s (%s, %u thread%s; %s, best of %u trial%s): the roof is not a "
              "limit\n",
              k->name, fraction, roof->name, roof->size_class ? roof->size_class : "-", k->threads,
              k->threads == 1 ? "" : "s", roof->method ? roof->method : (roof->timing ? roof->timing : "-"),
              roof->trials ? roof->trials : 1, roof->trials > 1 ? "s" : "");
    }
  }
  if (!host) return;
  const double gflops = qb_measure_get(row, "gflops");
  const qb_roof* peak = k->family ? qb_roof_compute(&r->roofs, k->family, k->threads) : NULL;
  if (peak != NULL && gflops > 0 && k->family->kind == QB_KIND_dot) {
    const double fraction = gflops * 1e9 / peak->flops_per_second;
    json_object_set_new(row, "compute_roof_name", json_string(peak->name));
    json_object_set_new(row, "compute_roof_fraction", json_real(fraction));
    if (last && fraction > 1.0 && qb__shown_row(r, row)) {
      fprintf(stderr, "warning: %s: %.2f of its compute roof %s (%u thread%s): the peak is not a limit\n",
              k->name, fraction, peak->name, k->threads, k->threads == 1 ? "" : "s");
    }
  }
}

/* At the end of the run: one more trial of every CPU and device bandwidth roof a
 * row was held to, then every
 * row's fractions again against the roofs as they finally are. */
static void qb__roofs_last(qb_runner* r, const qb_plan* plan) {
  const qb_roof_input in = qb__roof_input(r);
  /* A resumed run keeps the journal's roofs: the results file is written with them. */
  if (!r->roofs_frozen) qb_roofs_last_trial(&in, &r->roofs, r->roof_used);
  json_t* index = json_object();
  for (size_t i = 0; i < plan->count; i++)
    json_object_set_new(index, plan->cases[i].name, json_integer((json_int_t) i));
  size_t i;
  json_t* row;
  json_array_foreach(r->rows, i, row) {
    const json_t* at = json_object_get(index, json_string_value(json_object_get(row, "run_name")));
    const char* status = json_string_value(json_object_get(row, "status"));
    if (at == NULL || status == NULL || strcmp(status, "ok") != 0) continue;
    qb__roof_fields(r, &plan->cases[json_integer_value(at)], row, true);
  }
  json_decref(index);
  /* A roof whose trials disagree: the machine moved the same bytes at different rates
   * at different times (on a 2-vCPU cloud VM the 2-thread DRAM roofs of write-heavy
   * mixes read about 26 or about 50 GB/s from one minute to the next). */
  for (size_t k = 0; k < r->roofs.count && !r->roofs_frozen; k++) {
    const qb_roof* x = &r->roofs.items[k];
    double lo, hi;
    if (!r->roof_used[k] || !qb_roof_unsteady(x, &lo, &hi)) continue;
    fprintf(stderr,
            "warning: roof %s (%s, %u thread%s): its %u trials ranged %.1f-%.1f GB/s (%.2fx): the machine's "
            "bandwidth changed during the run; fractions of this roof are as uncertain\n",
            x->name, x->size_class ? x->size_class : "-", x->threads, x->threads == 1 ? "" : "s",
            x->n_trial_bps, lo / 1e9, hi / 1e9, hi / lo);
  }
}

/* ---- Rows in plan order ------------------------------------------------------------ */

/* The cases run in the schedule's order (schedule.h), their rows and table lines come
 * in the plan's. */

/* Case k's rows (taken): kept at its plan index; the table shows every case of the plan
 * whose predecessors are all done. */
static void qb__case_done(qb_runner* r, const qb_case* k, json_t* rows) {
  const size_t i = (size_t) (k - r->plan->cases);
  r->case_rows[i] = rows;
  for (; r->shown < r->plan->count && r->case_rows[r->shown] != NULL; r->shown++) {
    qb_console_case(r->console, &r->plan->cases[r->shown], qb_measure_summary(r->case_rows[r->shown]));
  }
}

/* After the last case: the table lines of the cases done after a case that was not (an
 * interrupted run), and every row in plan order. */
static void qb__rows_in_plan_order(qb_runner* r) {
  for (size_t i = r->shown; i < r->plan->count; i++) {
    if (r->case_rows[i] != NULL)
      qb_console_case(r->console, &r->plan->cases[i], qb_measure_summary(r->case_rows[i]));
  }
  r->shown = r->plan->count;
  for (size_t i = 0; i < r->plan->count; i++) {
    if (r->case_rows[i] != NULL) json_array_extend(r->rows, r->case_rows[i]);
  }
}

/* ---- Journal ------------------------------------------------------------------- */

/* Appends a line; the first failure is told once on stderr and the run goes on (its
 * rows stay in memory for the results file). */
static void qb__journal_put(qb_runner* r, json_t* line, bool sync) {
  qb_error err = {0};
  if (r->journal != NULL && qb_journal_append(r->journal, line, sync, &err) != QB_OK && !r->journal_warned) {
    r->journal_warned = true;
    qb_console_note(r->console, "%s (the run goes on; its results are kept in memory until the end)",
                    err.msg);
  }
  json_decref(line);
}

/* Roofs go in as soon as each is measured: roof.c fills an entry, then times the next,
 * so every entry before the one under way is final. */
static void qb__journal_roofs(qb_runner* r, size_t final) {
  if (r->journal == NULL || r->roofs_journaled >= final) return;
  json_t* all = qb_roofs_json(&r->roofs);
  for (size_t i = r->roofs_journaled; i < final; i++) {
    qb__journal_put(r, json_pack("{s:s,s:O}", "type", "roof", "roof", json_array_get(all, i)), false);
  }
  json_decref(all);
  r->roofs_journaled = final;
}

/* A finished case with its plan index (the schedule runs cases out of plan order; qbench
 * recover puts them back), synced: a case is seconds of work, a sync is milliseconds. */
static void qb__journal_case(qb_runner* r, const qb_case* k, json_t* rows) {
  if (r->journal == NULL) return;
  qb__journal_put(r,
                  json_pack("{s:s,s:s,s:I,s:O}", "type", "case", "name", k->name, "index",
                            (json_int_t) (k - r->plan->cases), "rows", rows),
                  true);
}

/* Turns the measured runs (taken; or, when none, one placeholder) into the case's rows. */
static void qb__emit(qb_runner* r, const qb_case* k, json_t* runs, qb__outcome* out) {
  if (runs == NULL) runs = json_array();
  if (json_array_size(runs) == 0) {
    /* Never timed: one row shaped like Google Benchmark's error rows. */
    json_t* o = json_object();
    json_object_set_new(o, "run_type", json_string("iteration"));
    json_object_set_new(o, "repetitions", json_integer(r->measure.repetitions));
    json_object_set_new(o, "repetition_index", json_integer(0));
    json_object_set_new(o, "threads", json_integer(k->threads));
    json_object_set_new(o, "iterations", json_integer(0));
    json_object_set_new(o, "real_time", json_real(0));
    json_object_set_new(o, "cpu_time", json_real(0));
    json_object_set_new(o, "time_unit", json_string("ns"));
    json_array_append_new(runs, o);
  }
  const char* status = out->status == QB_OK ? "ok" : out->status == QB_SKIPPED ? "skipped" : "error";
  json_t* fields = qb__case_fields(k);
  if (k->tensor != NULL && r->data != NULL) {
    json_t* data = qb_run_data_row_fields(r->data, k->tensor_index);
    json_object_update(fields, data);
    json_decref(data);
  }
  size_t i;
  json_t* row;
  json_array_foreach(runs, i, row) {
    const char* agg = json_string_value(json_object_get(row, "aggregate_name"));
    char name[320];
    snprintf(name, sizeof name, "%s%s%s", k->name, agg ? "_" : "", agg ? agg : "");
    json_object_set_new(row, "name", json_string(name));
    json_object_set_new(row, "run_name", json_string(k->name));
    json_object_update(row, fields);
    json_object_set_new(row, "status", json_string(status));
    json_object_set_new(row, "reason", json_string(out->reason));
    if (out->status != QB_OK) {
      json_object_set_new(row, "error_occurred", json_true());
      json_object_set_new(row, "error_message", json_string(out->reason));
    }
    json_object_set_new(row, "timing", json_string(out->timing ? out->timing : "host"));
    if (out->timer_note) json_object_set_new(row, "timer_note", json_string(out->timer_note));
    if (!json_object_get(row, "gflops")) json_object_set_new(row, "gflops", json_real(0));
    if (out->status == QB_OK) qb__roof_fields(r, k, row, false);
    if (out->have_error) json_object_set_new(row, "error", qb__error_json(&out->metrics, out->sem));
    if (out->memory) json_object_set(row, "memory", out->memory);
    if (out->extra) json_object_update(row, out->extra);
    if (out->status == QB_TIMEOUT) {
      /* A run cut short has no time and no rate: its figures would be read as real. */
      static const char* const cut[] = {"real_time", "cpu_time", "bytes_per_second", "items_per_second",
                                        "gflops"};
      for (size_t f = 0; f < sizeof cut / sizeof cut[0]; f++) json_object_del(row, cut[f]);
    }
  }
  json_decref(fields);
  qb__journal_case(r, k, runs);
  qb__case_done(r, k, runs);
  json_decref(out->memory);
  json_decref(out->extra);
  if (out->status == QB_OK) {
    r->ok++;
  } else if (out->status == QB_SKIPPED) {
    r->skipped++;
  } else {
    r->errors++;
  }
}

static void qb__fail_outcome(qb__outcome* out, qb_status status, const char* reason) {
  out->status = status == QB_OK ? QB_INTERNAL : status;
  /* A status that does not fail the run (unsupported here) is a skip, not an error. */
  if (qb_status_exit_code(out->status) == 0) out->status = QB_SKIPPED;
  qb_text_copy(out->reason, sizeof out->reason, reason);
}

/* After timing: the output the backend left, checked against the scalar reference. */
static void qb__verify(qb_case_data* d, const void* y, unsigned sem, qb__outcome* out) {
  qb_error err = {0};
  if (qb_case_data_evaluate(d, y, sem, &out->metrics, &err) != QB_OK) {
    qb__fail_outcome(out, err.status, err.msg);
    return;
  }
  out->have_error = true;
  out->sem = sem;
  const uint64_t bad = out->metrics.mismatches + out->metrics.nan_inf_mismatches;
  if (bad > 0) {
    out->status = QB_MISMATCH;
    snprintf(out->reason, sizeof out->reason, "%" PRIu64 " mismatches against the scalar reference", bad);
  }
}

/* What a backend's result means for the rows. */
static void qb__take_result(qb_runner* r, qb_backend_result* res, qb__outcome* out) {
  if (res->timing != NULL) out->timing = res->timing;
  out->timer_note = res->timer_note;
  out->extra = res->extra;
  res->extra = NULL;
  if (res->unpinned) r->pinned_all = false;
  if (res->status != QB_OK) qb__fail_outcome(out, res->status, res->reason);
}

/* ---- Cases ----------------------------------------------------------------------- */

/* A kernel case on its backend: the inputs and the reference output (never timed;
 * made once for consecutive cases that share them: run/prepared.h), the backend's run,
 * then the check of the output it left. */
static void qb__run_kernel_case(qb_runner* r, const qb_case* k) {
  qb__outcome out = {.status = QB_OK, .timing = qb_backend_is_host(k->backend) ? "host" : "device"};
  qb_backend_result res = {.status = QB_OK};
  qb_case_data* d;
  qb_prepared_info info;
  qb_error err = {0};
  const qb_status ds = qb_prepared_case(&r->prepared, k, r->seed, r->data, &d, &info, &err);
  if (info.changed_by != NULL) {
    qb_console_note(r->console, "%s: the inputs it shares with %s had changed after that case: made again",
                    k->name, info.changed_by);
  }
  if (ds != QB_OK) {
    qb__fail_outcome(&out, err.status, err.msg);
    qb__emit(r, k, NULL, &out);
    return;
  }
  out.memory = qb__memory_json(k, d);
  const qb_backend_case bc = qb_backend_case_of(d, k->variant);
  qb_backend* b = r->backends[k->backend];
  b->ops->run_case(b, k->device, &bc, k->threads, &r->measure, k->name, d->y, &res);
  qb__take_result(r, &res, &out);
  if (out.status == QB_OK && res.have_output) qb__verify(d, d->y, res.sem, &out);
  qb__emit(r, k, res.runs, &out);
}

/* Host <-> device bandwidth: one device backend's transfers of k->n bytes. */
static void qb__run_transfer_case(qb_runner* r, const qb_case* k) {
  qb__outcome out = {.status = QB_OK, .timing = "device"};
  qb_backend_result res = {.status = QB_OK};
  qb_backend_device_run_transfer(r->backends[k->backend], k->device, (size_t) k->n, k->dir, &r->measure,
                                 k->name, &res);
  qb__take_result(r, &res, &out);
  qb__emit(r, k, res.runs, &out);
}

static void qb__run_case(qb_runner* r, const qb_case* k) {
  if (k->planned != QB_OK) {
    qb__outcome out = {.status = k->planned, .timing = "host"};
    snprintf(out.reason, sizeof out.reason, "%s", k->reason);
    qb__emit(r, k, NULL, &out);
    return;
  }
  if (k->type == QB_CASE_TRANSFER) {
    /* A transfer allocates its own buffers (DRAM-sized ones): the kernel cases' data go. */
    qb_prepared_free(&r->prepared);
    qb__run_transfer_case(r, k);
  } else {
    qb__run_kernel_case(r, k);
  }
}

/* ---- Roofs ----------------------------------------------------------------------- */

/* roof.c calls this before timing each roof: the entries before it are final. */
static void qb__roof_progress(void* user, const char* name, const qb_roofs* roofs, size_t final) {
  qb_runner* r = user;
  (void) roofs;
  qb_console_progress(r->console, QB_CONSOLE_ROOF, name);
  qb__journal_roofs(r, final);
}

static qb_roof_input qb__roof_input(qb_runner* r) {
  return (qb_roof_input){.ctx = r->ctx,
                         .plan = r->plan,
                         .backends = r->backends,
                         .measure = r->measure,
                         .all_threads = r->all_threads,
                         .stop = r->stop,
                         .progress = qb__roof_progress,
                         .user = r};
}

static void qb__measure_roofs(qb_runner* r) {
  const qb_roof_input in = qb__roof_input(r);
  qb_roofs_measure(&in, &r->roofs);
}

/* The facts the results' context is written from. */
static json_t* qb__context(const qb_runner* r, const qb_run_options* o, bool incomplete) {
  const qb_run_facts f = {.ctx = r->ctx,
                          .suite = r->suite->name,
                          .seed = r->seed,
                          .repetitions = r->measure.repetitions,
                          .min_time = r->measure.min_time,
                          .case_timeout = r->measure.case_timeout,
                          .all_threads = r->all_threads,
                          .pinned_all = r->pinned_all,
                          .plan = r->plan,
                          .roofs = &r->roofs,
                          .backends = r->backends,
                          .options = o};
  json_t* c = qb_run_context(&f, incomplete);
  if (r->data != NULL)
    json_object_set_new(json_object_get(c, "qbench"), "data", qb_run_data_context(r->data));
  return c;
}

/* ---- The command ----------------------------------------------------------------- */

static qb_status qb__resolve_backends(const qb_run_options* o, const qb_suite* s, unsigned* out,
                                      qb_error* err) {
  if (o->backends != 0) {
    *out = o->backends;
    return QB_OK;
  }
  *out = s->backends;
  (void) err;
  return QB_OK;
}

static void qb__add_thread_count(qb_plan_input* in, unsigned t) {
  for (size_t j = 0; j < in->n_threads; j++) {
    if (in->threads[j] == t) return;
  }
  if (in->n_threads < QB_SUITE_MAX_THREADS) in->threads[in->n_threads++] = t;
}

static void qb__resolve_threads(const qb_run_options* o, const qb_suite* s, unsigned all, qb_plan_input* in) {
  const size_t n = o->n_threads ? o->n_threads : s->n_threads;
  const unsigned* src = o->n_threads ? o->threads : s->threads;
  in->n_threads = 0;
  for (size_t i = 0; i < n; i++) {
    if (src[i] != QB_SUITE_THREADS_SCALING) {
      qb__add_thread_count(in, src[i] == QB_SUITE_THREADS_ALL ? all : src[i]);
      continue;
    }
    /* 1..all: doubling while that fits in the list, else QB_SUITE_MAX_THREADS counts
     * evenly spaced on a log scale; every core last. */
    const unsigned steps = QB_SUITE_MAX_THREADS - 1;
    unsigned doublings = 0;
    while ((2u << doublings) < all) doublings++;
    for (unsigned k = 0; k <= steps; k++) {
      unsigned t = doublings < steps ? (k <= doublings ? 1u << k : all)
                                     : (unsigned) lround(pow((double) all, (double) k / steps));
      if (t < 1) t = 1;
      if (t > all) t = all;
      qb__add_thread_count(in, t);
    }
    qb__add_thread_count(in, all);
  }
}

static int qb__usage(const qb_error* err) {
  qb_error_print(err);
  return qb_status_exit_code(err->status) ? qb_status_exit_code(err->status) : 2;
}

/* Creates every backend the run uses. One that cannot run here is a usage error when
 * --backend named it, else a note (the suite only wished for it) and its bit goes. */
static qb_status qb__open_backends(qb_ctx* ctx, const qb_run_options* o, unsigned* backends, qb_backend** out,
                                   char* note, size_t note_len, qb_error* err) {
  note[0] = '\0';
  for (int id = 0; id < QB_BACKEND_COUNT; id++) {
    out[id] = NULL;
    if (!(*backends & (1u << id))) continue;
    const qb_backend_info* info = qb_backend_get((qb_backend_id) id);
    const char* filter = info->kind == QB_BACKEND_KIND_device ? o->device_filter : NULL;
    qb_error e = {0};
    if (info->create(ctx, filter, &out[id], &e) == QB_OK) continue;
    out[id] = NULL;
    *backends &= ~(1u << id);
    if (o->backends & (1u << id)) return qb_fail(err, QB_USAGE, "--backend %s: %s", info->name, e.msg);
    const size_t at = strlen(note);
    snprintf(note + at, note_len - at, "%s%s backend not used: %s", at ? "; " : "", info->name, e.msg);
  }
  return QB_OK;
}

static void qb__close_backends(qb_backend** backends) {
  for (int id = 0; id < QB_BACKEND_COUNT; id++) {
    if (backends[id] != NULL) backends[id]->ops->destroy(backends[id]);
    backends[id] = NULL;
  }
}

/* ---- The output: reserved before any work, written from what finished -------------- */

/* What `qbench run` writes and where, decided before any work. */
typedef struct qb__target {
  char path[PATH_MAX];    /* the results file */
  char journal[PATH_MAX]; /* "<path>.journal" */
  unsigned formats;
  bool force;
  bool to_stdout; /* `--out -`: the results on stdout, path only names the journal */
} qb__target;

/* The formats: --format when given; else the name decides: "x.csv" is a CSV, any other
 * name a JSON with its CSV beside (results/README.md). */
static qb_status qb__formats(const qb_run_options* o, const char* path, unsigned* out, qb_error* err) {
  if (qb_results_is_stdout(o->out_path)) {
    /* One stream holds one document: JSON unless --format csv. */
    if (o->formats == (QB_RESULTS_JSON | QB_RESULTS_CSV)) {
      return qb_fail(err, QB_USAGE, "--out - with --format json,csv: standard output holds one format");
    }
    *out = o->formats ? o->formats : QB_RESULTS_JSON;
    return QB_OK;
  }
  const size_t n = strlen(path);
  const bool csv_name = n >= 4 && strcmp(path + n - 4, ".csv") == 0;
  if (o->formats == 0) {
    *out = csv_name ? QB_RESULTS_CSV : (QB_RESULTS_JSON | QB_RESULTS_CSV);
    return QB_OK;
  }
  if (csv_name && o->formats == (QB_RESULTS_JSON | QB_RESULTS_CSV)) {
    return qb_fail(err, QB_USAGE,
                   "--out '%s' with --format json,csv: two files cannot have one name (give the JSON's name, "
                   "the CSV goes beside it)",
                   path);
  }
  *out = o->formats;
  return QB_OK;
}

static bool qb__set_path(char* buf, const char* path) {
  return (size_t) snprintf(buf, PATH_MAX, "%s", path) < PATH_MAX;
}

/* Checks the target and creates its journal, the reservation: a second run finds the
 * name taken before it does any work. A default name taken meanwhile (two runs started
 * in the same second) moves on to the next free one; a name given is refused. */
static qb_status qb__reserve(const qb_run_options* o, const qb_suite* s, qb__target* t, qb_journal* j,
                             qb_error* err) {
  t->force = o->force;
  t->to_stdout = qb_results_is_stdout(o->out_path);
  /* `--out -` keeps its journal where a default name would go (results/). */
  const bool given = o->out_path != NULL && !t->to_stdout;
  if (!given && mkdir("results", 0777) != 0 && errno != EEXIST) {
    return qb_fail(err, QB_IO, "results: cannot create the default output directory: %s", strerror(errno));
  }
  for (int attempt = 0; attempt < 1000; attempt++) {
    if (given) {
      if (!qb__set_path(t->path, o->out_path) || strlen(o->out_path) > PATH_MAX - 32) {
        return qb_fail(err, QB_USAGE, "--out: the path is %zu bytes long (at most %d)", strlen(o->out_path),
                       PATH_MAX - 32);
      }
    } else {
      qb_results_default_path(t->path, sizeof t->path, "results", s->name);
    }
    qb_status st = qb__formats(o, t->path, &t->formats, err);
    if (st == QB_OK) st = qb_results_check_targets(t->path, t->force, t->formats, err);
    if (st != QB_OK) return st;
    if (!qb_journal_path(t->path, t->journal, sizeof t->journal)) {
      return qb_fail(err, QB_USAGE, "%s: path too long for its journal", t->path);
    }
    if (given && o->force) qb_journal_remove_stale(t->journal);
    st = qb_journal_create(j, t->journal, err);
    if (st == QB_OK) return QB_OK;
    if (st != QB_EXISTS) return st;
    if (given) {
      return qb_fail(
          err, QB_EXISTS,
          "%s: taken: its journal %s exists (another qbench run is writing it, or an interrupted "
          "one left it: 'qbench run --resume %s' finishes that run, 'qbench recover %s' writes what "
          "it holds)",
          t->path, t->journal, t->journal, t->journal);
    }
  }
  return qb_fail(err, QB_EXISTS, "%s: no free default name (1000 tried)", t->path);
}

/* A case the journal holds already (--resume): its rows, as they were written. */
static void qb__take_journaled(qb_runner* r, const qb_case* k, const json_t* rows) {
  json_t* copy = json_deep_copy(rows);
  const char* st = json_string_value(json_object_get(json_array_get(copy, 0), "status"));
  if (st != NULL && strcmp(st, "ok") == 0) {
    r->ok++;
  } else if (st != NULL && strcmp(st, "skipped") == 0) {
    r->skipped++;
  } else {
    r->errors++;
  }
  qb__case_done(r, k, copy);
}

/* The plan's hash, as the header records it. */
static void qb__plan_hash(const qb_plan* plan, char* buf, size_t len) {
  uint64_t h = QB_JOURNAL_HASH_INIT;
  for (size_t i = 0; i < plan->count; i++) qb_journal_plan_hash(&h, plan->cases[i].name);
  snprintf(buf, len, "%016llx", (unsigned long long) h);
}

/* The suite as the header names it: a path made absolute, so that --resume from another
 * directory reads the same file; a bare name stays a name. */
static void qb__suite_ref(const qb_run_options* o, const qb_suite* s, char* buf, size_t len) {
  const char* given = o->suite ? o->suite : "quick";
  char abs[PATH_MAX];
  if (strcmp(given, s->name) != 0 && s->path[0] && realpath(s->path, abs) != NULL) {
    snprintf(buf, len, "%s", abs);
  } else {
    snprintf(buf, len, "%s", given);
  }
}

/* The header: what was asked, where, on what machine, and the plan. */
static json_t* qb__header(const qb_runner* r, const qb_run_options* o, const qb__target* t,
                          const qb_plan* plan) {
  char suite_ref[PATH_MAX], hash[24], target[PATH_MAX + 8];
  qb__suite_ref(o, r->suite, suite_ref, sizeof suite_ref);
  qb__plan_hash(plan, hash, sizeof hash);
  /* The target made absolute too: recover and resume may run elsewhere. */
  char dir[PATH_MAX];
  snprintf(target, sizeof target, "%s", t->path);
  if (t->path[0] != '/' && getcwd(dir, sizeof dir) != NULL) {
    const size_t a = strlen(dir), b = strlen(t->path);
    if (a + b + 2 <= sizeof target) {
      memcpy(target, dir, a);
      target[a] = '/';
      memcpy(target + a + 1, t->path, b + 1);
    }
  }
  qb_run_options stored = *o;
  char data_abs[PATH_MAX];
  if (o->data != NULL && realpath(o->data, data_abs) != NULL) stored.data = data_abs;
  stored.formats = t->formats;
  stored.out_path = t->to_stdout ? "-" : NULL;
  return json_pack("{s:s,s:i,s:s,s:o,s:o,s:{s:I,s:s},s:o}", "type", "header", "qbench_journal",
                   QB_JOURNAL_VERSION, "target", target, "options",
                   qb_resume_options_json(&stored, suite_ref), "machine",
                   qb_resume_machine_json(r->ctx, r->backends), "plan", "count", (json_int_t) plan->count,
                   "hash", hash, "context", qb__context(r, o, true));
}

/* One stderr line for the variants this CPU cannot run, said once the run goes ahead
 * (a refused run's stderr stays its one error line). */
static void qb__unplanned_note(const qb_plan* plan) {
  if (plan->n_unplanned == 0) return;
  char summary[1024];
  qb_plan_unplanned_summary(plan, summary, sizeof summary);
  fprintf(stderr,
          "qbench run: not planned on this CPU: %s (see `qbench list`; --show-skipped keeps them as rows)\n",
          summary);
}

int qb_run(qb_ctx* ctx, const qb_run_options* given) {
  qb_error err = {0};
  qb_suite suite;
  qb_runner r;
  qb_plan plan = {0};
  qb_plan_input pin;
  qb_journal journal = {.fd = -1};
  qb_journal_data jd;
  qb__target t;
  qb_run_data data;
  size_t* order = NULL;
  regex_t filter;
  bool have_filter = false, have_suite = false, reserved = false;
  int rc = 2;
  char note[QB_ERROR_MSG_MAX + 64];
  memset(&r, 0, sizeof r);
  memset(&pin, 0, sizeof pin);
  memset(&jd, 0, sizeof jd);
  memset(&t, 0, sizeof t);
  memset(&data, 0, sizeof data);
  qb_run_options ro = *given;
  const qb_run_options* o = &ro;
  const bool resuming = given->resume != NULL;

  /* 1. Everything that can be wrong with the input, before any work or any file. A
   * resumed run takes its options from the journal's header. */
  if (resuming) {
    if (qb_journal_load(given->resume, &jd, &err) != QB_OK) goto out;
    memset(&ro, 0, sizeof ro);
    if (qb_resume_options(jd.header, given->resume, &ro, &err) != QB_OK) goto out;
    ro.quiet = given->quiet;
    ro.resume = given->resume;
    /* The run's ISA cap comes back with it (--isa is a global option, not in "options"). */
    const char* cap = json_string_value(json_object_get(json_object_get(jd.header, "machine"), "isa_cap"));
    if (cap != NULL && cap[0] != '\0' && ctx->cpu.cap_name[0] == '\0' &&
        qb_cpu_set_cap(&ctx->cpu, cap, &err) != QB_OK) {
      goto out;
    }
  }
  if (qb_suite_load(o->suite ? o->suite : "quick", &suite, &err) != QB_OK) goto out;
  have_suite = true;
  if (o->caches != NULL && qb_topo_override(&ctx->topo, o->caches, &err) != QB_OK) goto out;
  if (o->data != NULL) {
    if (qb_run_data_open(&data, o->data, o->tensor, o->axis, &err) != QB_OK) goto out;
    r.data = &data;
  }
  if (o->filter != NULL) {
    if (regcomp(&filter, o->filter, REG_EXTENDED | REG_NOSUB) != 0) {
      qb_fail(&err, QB_USAGE, "--filter '%s': not a valid extended regular expression", o->filter);
      goto out;
    }
    have_filter = true;
  }
  unsigned backends;
  if (qb__resolve_backends(o, &suite, &backends, &err) != QB_OK) goto out;
  if (qb__open_backends(ctx, o, &backends, r.backends, note, sizeof note, &err) != QB_OK) goto out;

  /* 2. The plan. */
  r.ctx = ctx;
  r.suite = &suite;
  r.measure.repetitions = o->repetitions ? o->repetitions : suite.repetitions;
  r.measure.min_time = o->min_time > 0 ? o->min_time : suite.min_time;
  r.measure.case_timeout = o->case_timeout;
  r.seed = o->seed_given ? o->seed : suite.seed;
  r.all_threads = (unsigned) (ctx->topo.cores_usable > 0 ? ctx->topo.cores_usable : 1);
  r.pinned_all = true;
  pin.ctx = ctx;
  pin.suite = &suite;
  memcpy(pin.backends, r.backends, sizeof pin.backends);
  pin.filter = have_filter ? &filter : NULL;
  pin.show_skipped = o->show_skipped;
  pin.data = r.data;
  qb__resolve_threads(o, &suite, r.all_threads, &pin);
  if (qb_plan_build(&pin, &plan, &err) != QB_OK) goto out;
  r.plan = &plan;
  if (plan.count == 0) {
    /* A typo in a CI job's filter must fail the job, not pass it forever. */
    if (o->filter != NULL) {
      qb_fail(&err, QB_USAGE, "--filter '%s' selects no case of suite '%s' (see 'qbench run --list')",
              o->filter, suite.name);
    } else {
      qb_fail(&err, QB_BAD_INPUT, "suite '%s' plans no case on the backends used", suite.name);
    }
    goto out;
  }
  if (o->list_only) {
    qb__unplanned_note(&plan);
    for (size_t i = 0; i < plan.count; i++) printf("%s\n", plan.cases[i].name);
    rc = 0;
    goto out;
  }
  if (!qb_gb_available()) {
    qb_fail(&err, QB_UNSUPPORTED, "this qbench was built without Google Benchmark: it cannot time anything");
    rc = 2;
    goto out;
  }
  /* The order the cases run in: those sharing their data together (schedule.h). */
  if (qb_schedule_build(&plan, &order, &err) != QB_OK) goto out;
  r.case_rows = calloc(plan.count, sizeof *r.case_rows);
  if (r.case_rows == NULL) {
    qb_fail(&err, QB_NO_MEMORY, "out of memory for the rows of %zu cases", plan.count);
    goto out;
  }

  /* 3. The target, reserved by its journal (or, resuming, the journal taken back after
   * checking that it is the same plan on the same machine). */
  if (resuming) {
    char hash[24];
    qb__plan_hash(&plan, hash, sizeof hash);
    const json_t* jp = json_object_get(jd.header, "plan");
    if (json_integer_value(json_object_get(jp, "count")) != (json_int_t) plan.count ||
        strcmp(json_string_value(json_object_get(jp, "hash")), hash) != 0) {
      qb_fail(&err, QB_BAD_INPUT,
              "%s: suite '%s' now plans other cases (%zu, hash %s; the journal's run planned %lld, hash %s): "
              "resume only the same suite, or 'qbench recover' what the journal holds",
              given->resume, suite.name, plan.count, hash,
              (long long) json_integer_value(json_object_get(jp, "count")),
              json_string_value(json_object_get(jp, "hash")));
      goto out;
    }
    json_t* machine = qb_resume_machine_json(ctx, r.backends);
    const qb_status ms = qb_resume_check_machine(jd.header, machine, given->resume, &err);
    json_decref(machine);
    if (ms != QB_OK) goto out;
    /* A run that wrote to stdout resumes to stdout; its target names the journal. */
    t.to_stdout = qb_results_is_stdout(o->out_path);
    const char* target = json_string_value(json_object_get(jd.header, "target"));
    if (!qb__set_path(t.path, t.to_stdout ? target : o->out_path) ||
        !qb__set_path(t.journal, given->resume)) {
      qb_fail(&err, QB_BAD_INPUT, "%s: the target's path is too long", given->resume);
      goto out;
    }
    t.formats = o->formats ? o->formats : (QB_RESULTS_JSON | QB_RESULTS_CSV);
    /* The target may hold the incomplete file of the interrupted run: replaced. */
    t.force = true;
    if (!t.to_stdout && qb_results_check_targets(t.path, true, t.formats, &err) != QB_OK) goto out;
    if (qb_journal_reopen(&journal, given->resume, &err) != QB_OK) goto out;
  } else if (qb__reserve(o, &suite, &t, &journal, &err) != QB_OK) {
    goto out;
  }
  reserved = true;
  r.journal = &journal;
  if (!resuming) {
    json_t* h = qb__header(&r, o, &t, &plan);
    const qb_status hs = qb_journal_append(&journal, h, true, &err);
    json_decref(h);
    /* Nowhere to keep results (a full disk): refused before an hour of work. */
    if (hs != QB_OK) goto out;
  }

  qb__unplanned_note(&plan);

  /* 4. Roofs, then every case; a signal stops between cases. */
  qb__signals sigs;
  cpu_set_t affinity;
  const bool saved_affinity = pthread_getaffinity_np(pthread_self(), sizeof affinity, &affinity) == 0;
  qb__stop_signal = 0;
  r.stop = &qb__stop_signal;
  qb__signals_set(&sigs, true);
  r.rows = json_array();
  r.console = qb_console_new(o->quiet, plan.count);
  if (t.to_stdout) qb_console_table_to(r.console, stderr);
  if (note[0]) qb_console_note(r.console, "%s", note);
  if (resuming && jd.roofs_done) {
    qb_resume_roofs(jd.roofs, r.backends, &r.roofs);
    r.roofs_journaled = r.roofs.count;
    r.roofs_frozen = true;
  } else if (!o->no_roofs) {
    qb__measure_roofs(&r);
    if (!qb__stop_signal) {
      qb__journal_roofs(&r, r.roofs.count);
      qb__journal_put(&r, json_pack("{s:s}", "type", "roofs_done"), true);
    }
  } else {
    qb__journal_put(&r, json_pack("{s:s}", "type", "roofs_done"), true);
  }
  /* In the schedule's order (cases sharing their data one after the other); a resumed
   * run takes each journaled case by its name wherever it comes. */
  size_t done = 0, resumed = 0;
  for (; done < plan.count && !qb__stop_signal; done++) {
    const qb_case* k = &plan.cases[order[done]];
    const json_t* prev = resuming ? qb_journal_case_rows(&jd, k->name) : NULL;
    if (prev != NULL) {
      qb__take_journaled(&r, k, prev);
      resumed++;
      continue;
    }
    qb_console_progress(r.console, done, k->name);
    qb__run_case(&r, k);
  }
  /* The last cases' data go before the last roof trials and the write. */
  qb_prepared_free(&r.prepared);
  const bool incomplete = done < plan.count;
  qb__rows_in_plan_order(&r);
  if (!o->no_roofs && !qb__stop_signal) qb__roofs_last(&r, &plan);
  if (resumed)
    qb_console_note(r.console, "resumed: %zu of %zu cases taken from %s", resumed, plan.count, t.journal);
  if (incomplete) qb_console_note(r.console, "interrupted: %zu of %zu cases done", done, plan.count);
  qb_console_done(r.console);
  if (saved_affinity) pthread_setaffinity_np(pthread_self(), sizeof affinity, &affinity);

  /* 5. The file: the rows done so far, even when interrupted. The handlers stay (no
   * second-signal kill) until the write is over and its temp files are gone. */
  qb__signals_set(NULL, false);
  json_t* doc = json_object();
  json_t* context = qb__context(&r, o, incomplete);
  if (resuming && jd.roofs_done) json_object_set(json_object_get(context, "qbench"), "roofs", jd.roofs);
  json_object_set_new(doc, "context", context);
  json_object_set(doc, "benchmarks", r.rows);
  qb_status ws = t.to_stdout ? qb_results_write_stream(stdout, doc, t.formats, "standard output", &err)
                             : qb_results_write(t.path, doc, t.force, t.formats, &err);
  json_decref(doc);
  const bool journal_whole = !journal.broken;
  qb_journal_close(&journal);
  qb__signals_restore(&sigs);
  if (ws != QB_OK) {
    /* The work ran: exit 1, never 2, and every finished case is in the journal. */
    fprintf(stderr, "qbench run: %s; %s %s ('qbench recover %s --out FILE' writes the results from it)\n",
            err.msg,
            journal_whole ? "every finished case is in the journal"
                          : "the journal broke on the way, it holds part of the run:",
            t.journal, t.journal);
    err.status = QB_OK;
    rc = 1;
    goto out;
  }
  if (incomplete) {
    fprintf(stderr, "qbench run: the journal %s is kept: 'qbench run --resume %s' finishes the run\n",
            t.journal, t.journal);
  } else {
    unlink(t.journal);
  }
  ctx->stdout_optional = !t.to_stdout;
  if (!o->quiet) {
    fprintf(stderr, "qbench run: %zu ok, %zu skipped, %zu errors; wrote %s\n", r.ok, r.skipped, r.errors,
            t.to_stdout ? "the results to standard output" : t.path);
  }
  rc = (r.errors > 0 || incomplete) ? 1 : 0;
  err.status = QB_OK;

out:
  if (err.status != QB_OK) {
    rc = qb__usage(&err);
    /* Refused before any work: the reservation goes (a resumed journal stays). */
    if (reserved && !resuming) {
      qb_journal_close(&journal);
      unlink(t.journal);
    }
  }
  qb_journal_close(&journal);
  qb_journal_data_free(&jd);
  if (have_filter) regfree(&filter);
  qb_prepared_free(&r.prepared);
  for (size_t i = 0; r.case_rows != NULL && i < plan.count; i++) json_decref(r.case_rows[i]);
  free(r.case_rows);
  free(order);
  qb_plan_free(&plan);
  json_decref(r.rows);
  qb_console_free(r.console);
  qb__close_backends(r.backends);
  if (have_suite) qb_suite_free(&suite);
  qb_run_data_close(&data);
  return rc;
}
