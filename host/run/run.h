/*
 * `qbench run`: suite -> plan of cases -> roofs -> every case timed through Google
 * Benchmark on its backend -> one result row per run -> table, JSON and CSV.
 * The "Running, timing and roofs" section of host/run/README.md describes it.
 */
#ifndef QB_RUN_H
#define QB_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "platform/context.h"
#include "run/suite.h"

#define QB_RUN_MAX_CONTEXT 32

typedef struct qb_run_options {
  const char* suite;                      /* name or path; NULL: "quick" */
  unsigned backends;                      /* bit (1 << qb_backend_id); 0: the suite's, those found */
  const char* device_filter;              /* OpenCL devices: name substring or "P:D"; NULL: all */
  const char* out_path;                   /* NULL: results/<host>-<time>-<suite>.json */
  bool force;                             /* overwrite an existing output */
  unsigned formats;                       /* QB_RESULTS_JSON | QB_RESULTS_CSV; 0: both */
  const char* filter;                     /* POSIX extended regex over case names; NULL: all */
  unsigned repetitions;                   /* 0: the suite's */
  double min_time;                        /* seconds; 0: the suite's */
  const char* caches;                     /* "L1=..,L2=..,L3=.." overrides; NULL: detected */
  size_t n_threads;                       /* 0: the suite's */
  unsigned threads[QB_SUITE_MAX_THREADS]; /* counts, or QB_SUITE_THREADS_ALL */
  bool seed_given;
  uint64_t seed;
  bool quiet;          /* no table on stdout */
  bool list_only;      /* print the planned case names and stop */
  bool no_roofs;       /* skip the bandwidth and compute roofs */
  double case_timeout; /* seconds a case may take; 0: no limit */
  const char* resume;  /* a journal to finish (the other options come from it); NULL: none */
  bool show_skipped;   /* plan this CPU's unusable variants as skipped rows */
  const char* data;    /* --data FILE (.safetensors or .npy): its tensors are the workload; NULL: none */
  const char* tensor;  /* --tensor NAME: one tensor of the file; NULL: every float tensor */
  int axis;            /* --axis: the channel axis of per-channel families on --data (default 0) */
  size_t n_context;    /* --context KEY=VALUE pairs, recorded in context.qbench.user_context */
  const char* context[QB_RUN_MAX_CONTEXT];
} qb_run_options;

/* Runs the whole command; returns the exit code (0 ok/skipped, 1 errors or
 * interrupted, 2 bad usage or input: then no file was created or changed). */
int qb_run(qb_ctx* ctx, const qb_run_options* o);

#endif
