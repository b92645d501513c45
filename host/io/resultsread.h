/*
 * Reading results back, for `qbench compare` and `qbench plot`: a qbench results file or
 * a plain Google Benchmark JSON file, into flat C structs. Every malformed input is
 * QB_BAD_INPUT with one line naming the file and, where it applies, the row index and
 * the field. The reader trusts nothing: sizes, types, ranges and finiteness are checked
 * (it is a fuzzing target).
 *
 * Strings point into the parsed document that the set keeps alive; an absent string is
 * "" (never NULL). An absent number is NAN (doubles) or -1 (integers), unless noted.
 */
#ifndef QB_RESULTSREAD_H
#define QB_RESULTSREAD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

/* Hostile-input caps: files and row counts beyond these are rejected, not parsed. */
#define QB_RESULTSET_MAX_BYTES (UINT64_C(1) << 30)
#define QB_RESULTSET_MAX_ROWS 1000000u

/* Numerical error figures of a row ("error" object). */
typedef struct qb_result_error {
  bool present;
  double max_abs, max_rel, rmse, nmse, sqnr_db, max_ulp, mean_ulp;
  int64_t mismatches, nan_inf_mismatches;
  const char* semantics; /* what the mismatches were judged by: "exact", "nan-canon,reassoc"; "" */
  double bound;          /* a reassoc dot's allowed |result - scalar reference|; NAN when absent */
} qb_result_error;

/* Memory figures of a row ("memory" object). */
typedef struct qb_result_memory {
  bool present;
  double bytes_per_element;
  int64_t footprint_bytes, metadata_bytes;
  double ratio_to_f32, ratio_to_f64;
} qb_result_memory;

typedef struct qb_result_row {
  /* Google Benchmark's fields. */
  const char* name;
  const char* run_name;
  const char* run_type;       /* "iteration" or "aggregate" ("" when absent: iteration) */
  const char* aggregate_name; /* "mean", "median", "stddev", "cv", ... or "" */
  const char* aggregate_unit; /* "time" or "percentage" (cv), "" when absent */
  int64_t repetitions, repetition_index, threads, iterations;
  /* Times converted to ns from time_unit. For an aggregate whose aggregate_unit is
   * "percentage" (cv) they are the raw ratios, not converted. */
  double real_time_ns, cpu_time_ns;
  double bytes_per_second, items_per_second;
  bool error_occurred;
  const char* error_message;

  /* qbench's fields; has_qbench when the row carries "family". */
  bool has_qbench;
  const char *family, *kernel, *variant, *backend, *device, *isa;
  const char *dtype_in, *dtype_in2, *dtype_out;
  int64_t n;
  const char *size_class, *distribution, *rounding;
  const char* tensor; /* `qbench run --data`: the tensor the row ran on; "" otherwise */
  const char *status, *reason, *timing, *roof_name;
  double roof_fraction, gflops;
  /* Dots: GFLOP/s over the compute peak of their path (results/README.md). */
  const char* compute_roof_name;
  double compute_roof_fraction;
  qb_result_error error;
  qb_result_memory memory;
} qb_result_row;

/* One entry of context.qbench.roofs. */
typedef struct qb_result_roof {
  const char* name;
  const char* size_class;
  const char *backend, *device; /* a device's own roof; "" for the CPU's */
  int64_t threads;
  double bytes;
  double bytes_per_second, flops_per_second; /* NAN for the one a roof lacks */
} qb_result_roof;

/* One entry of Google Benchmark's context.caches. */
typedef struct qb_result_cache {
  const char* type;
  int64_t level, size, num_sharing;
} qb_result_cache;

/* context.qbench.topology. */
typedef struct qb_result_topology {
  bool present;
  const char* source;
  int64_t packages, cores, pus, numa_nodes;
  int64_t l1d, l2, l3, l1d_used, l2_used, l3_used;
  bool caches_overridden;
} qb_result_topology;

typedef struct qb_resultset {
  json_t* doc;   /* owns every string below, but for those of `owned` */
  json_t* owned; /* strings made after loading (qb_resultset_rename_kernel), or NULL */
  char* path;    /* a copy of the name given to load/parse */
  /* Google Benchmark's context. */
  const char *date, *host_name, *executable, *library_build_type;
  int64_t num_cpus;
  size_t n_caches;
  qb_result_cache* caches;
  /* context.qbench; has_qbench when present (else a plain Google Benchmark file). */
  bool has_qbench;
  const char *version, *git_commit, *suite, *cpu_model, *isa_cap, *os, *compiler;
  int64_t seed;
  bool emulated, incomplete;
  qb_result_topology topology;
  size_t n_roofs;
  qb_result_roof* roofs;
  /* The rows, in file order. */
  size_t n_rows;
  qb_result_row* rows;
} qb_resultset;

/* Reads and parses a file (at most QB_RESULTSET_MAX_BYTES, a regular file checked
 * without blocking and measured before it is read; "-" is standard input). QB_IO when
 * it cannot be read; QB_BAD_INPUT when malformed or not a regular file. On failure *r
 * is empty (safe to free). */
qb_status qb_resultset_load(const char* path, qb_resultset* r, qb_error* err);

/* Parses text of len bytes (need not be NUL-terminated); `name` is used in messages. */
qb_status qb_resultset_parse(const char* text, size_t len, const char* name, qb_resultset* r, qb_error* err);

void qb_resultset_free(qb_resultset* r);

/* A kernel's rows under another stable name: every qbench row of kernel `from`
 * ("FAMILY__VARIANT") takes kernel `to`'s kernel, family and variant, and the same
 * prefix of its name and run_name ("FAMILY/VARIANT/..."). For comparing results across
 * a variant's rename (`qbench compare --rename`). Sets *renamed to the rows changed. */
qb_status qb_resultset_rename_kernel(qb_resultset* r, const char* from, const char* to, size_t* renamed,
                                     qb_error* err);

/* The first row with this name and run_type ("iteration" when NULL), or NULL. */
const qb_result_row* qb_resultset_find(const qb_resultset* r, const char* name, const char* run_type);

#endif
