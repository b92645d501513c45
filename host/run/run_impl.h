/* The parts of `qbench run` (plan.c, run.c, roof.c, console.c) and what they share. */
#ifndef QB_RUN_IMPL_H
#define QB_RUN_IMPL_H

#include <jansson.h>
#include <regex.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backends/backend.h"
#include "run/run.h"
#include "run/suite.h"

/* ---- Plan ---------------------------------------------------------------------- */

typedef enum qb_case_type { QB_CASE_KERNEL, QB_CASE_TRANSFER } qb_case_type;

/* One planned case: every one becomes at least one result row. */
typedef struct qb_case {
  char name[256]; /* results/README.md: <family>/<variant>/<backend>[:<device>]/n:/threads:/dist: */
  qb_case_type type;
  qb_suite_backend backend;
  const qb_family_info* family; /* kernel cases */
  const qb_kernel_info* kernel; /* CPU kernel cases */
  int device;                   /* OpenCL device index */
  const char* device_name;      /* "cpu" or the backend's stable device name */
  char family_name[48];         /* the family, or "transfer" */
  char variant[64];             /* "avx2_u16", an OpenCL variant, "to_device" */
  char kernel_name[128];        /* "<family>__<variant>" */
  uint64_t n;                   /* elements (transfers: bytes); 0 when the size was skipped */
  const char* size_class;       /* "L1", "L2", "L3", "DRAM" */
  bool size_given;              /* n is the suite's element count, not a size class */
  qb_dist dist;                 /* QB_DIST_COUNT: none */
  unsigned threads;
  int round;           /* qb_round_mode, or -1 when the family does not round */
  qb_transfer_dir dir; /* transfers */
  qb_status planned;   /* QB_OK, or QB_SKIPPED / an error known before running */
  char reason[512];
} qb_case;

/* A variant of this architecture that this CPU cannot run (a missing feature, the ISA
 * cap, not built): not planned as rows unless --show-skipped; counted in one stderr line
 * and listed in the results' context. Variants of another architecture are never planned. */
typedef struct qb_unplanned {
  const qb_kernel_info* kernel;
  char needs[32];   /* the missing feature ("avx512f"), or "" */
  char reason[160]; /* qb_kernel_usable's reason */
} qb_unplanned;

typedef struct qb_plan {
  qb_case* cases;
  size_t count, cap;
  qb_unplanned* unplanned;
  size_t n_unplanned, cap_unplanned;
} qb_plan;

/* What the plan is built from (options resolved against the suite). */
typedef struct qb_plan_input {
  const qb_ctx* ctx;
  const qb_suite* suite;
  unsigned backends; /* bits of qb_suite_backend actually used */
  size_t n_threads;
  unsigned threads[QB_SUITE_MAX_THREADS]; /* resolved counts, deduplicated */
  const regex_t* filter;                  /* NULL: all */
  qb_backend* opencl;                     /* NULL when not used */
  bool show_skipped;                      /* plan this CPU's unusable variants as skipped rows */
} qb_plan_input;

qb_status qb_plan_build(const qb_plan_input* in, qb_plan* plan, qb_error* err);
/* "38 variants need avx512f, 2 need avxvnni, 3 above the ISA cap" into buf ("" when none). */
void qb_plan_unplanned_summary(const qb_plan* plan, char* buf, size_t len);
void qb_plan_free(qb_plan* plan);
/* Quantize families take a rounding mode (their names get /round:<mode>). */
bool qb_family_rounds(const qb_family_info* f);
/* Roof-only families (`*_peak`): measured as compute roofs, never planned as cases. */
bool qb_family_is_peak(const qb_family_info* f);

/* ---- Roofs ---------------------------------------------------------------------- */

#define QB_ROOFS_MAX 512

typedef struct qb_roof {
  char name[96];          /* "copy", "read", "write", "stream_r<R>_w<W>", or a peak kernel's stable name */
  const char* size_class; /* "L1", "L2", "L3", "DRAM" */
  int device;             /* an OpenCL device's copy roof: its index; -1 for the CPU's */
  const char* device_name;
  const char* timing; /* device roofs: "device" or "host-wall" */
  unsigned threads;
  uint64_t bytes; /* bandwidth roofs: the footprint */
  uint64_t n;     /* compute roofs: elements per call in total */
  qb_dtype in;    /* compute roofs: the dtype path (QB_DTYPE_none otherwise) */
  double bytes_per_second;
  double flops_per_second; /* compute roofs */
  unsigned r, w;           /* stream roofs: cache lines read and written per step */
  const char* method;      /* CPU bandwidth roofs: the way that was fastest */
  /* CPU bandwidth roofs: every way tried (qb__ways in roof.c) and its bytes/s (0: failed). */
  size_t n_ways;
  const char* way_names[4];
  double way_bps[4];
  bool huge_pages; /* buffers 2 MiB-aligned and offered to transparent huge pages */
  bool ok;
  bool skipped; /* not measurable here (a device's allocation limit): not an error */
  char reason[512];
} qb_roof;

typedef struct qb_roofs {
  qb_roof items[QB_ROOFS_MAX];
  size_t count;
} qb_roofs;

/* ---- Running --------------------------------------------------------------------- */

typedef struct qb_console qb_console;

typedef struct qb_runner {
  qb_ctx* ctx;
  const qb_suite* suite;
  unsigned repetitions;
  double min_time;
  uint64_t seed;
  double case_timeout;
  unsigned all_threads; /* what "all" resolved to */
  qb_backend* opencl;
  json_t* rows; /* the "benchmarks" array */
  qb_roofs roofs;
  qb_console* console;
  size_t ok, skipped, errors;        /* cases, by their final status */
  const volatile sig_atomic_t* stop; /* set by SIGINT/SIGTERM */
  bool pinned_all;                   /* every thread could be pinned */
  struct qb_cpu_pins* pins;          /* the CPU sets of thread indices, reused across cases */
  struct qb_journal* journal;        /* every finished case and roof goes here; NULL: --list */
  size_t roofs_journaled;            /* roofs.items already in the journal */
  bool journal_warned;               /* the journal broke and the user was told */
  const qb_plan* plan;               /* for the context: the variants not planned */
} qb_runner;

/* Measures the roofs into r->roofs (uses the case machinery of run.c). */
void qb_roofs_measure(qb_runner* r, const qb_plan* plan);
/* The CPU's copy roof for a size class and thread count, or NULL. */
const qb_roof* qb_roof_copy(const qb_roofs* roofs, const char* size_class, unsigned threads);
/* The CPU bandwidth roof a family's rows are held to: its own read:write mix (read for
 * dots, copy for equal halves, stream_r<R>_w<W> otherwise), or NULL. */
const qb_roof* qb_roof_for_family(const qb_roofs* roofs, const qb_family_info* f, const char* size_class,
                                  unsigned threads);
/* The footprint of the copy roof a device case is held to: the CPU roofs' footprint
 * for its size class, or, for an explicit element count, the case's own bytes. */
uint64_t qb_roof_device_bytes(const qb_ctx* ctx, const qb_case* k);
/* An OpenCL device's copy roof at a footprint, or NULL. */
const qb_roof* qb_roof_device_copy(const qb_roofs* roofs, int device, uint64_t bytes);
/* The best compute roof for a dtype path and thread count, or NULL. */
const qb_roof* qb_roof_compute(const qb_roofs* roofs, qb_dtype in, unsigned threads);
json_t* qb_roofs_json(const qb_roofs* roofs);

/* One Google Benchmark run of a CPU bench, with its figures taken from the median (or
 * the only repetition). Used by the roofs. */
typedef struct qb_measure {
  bool ok;
  bool host_wall; /* device measures: the backend's timer was not trusted */
  char reason[512];
  double real_time_ns, bytes_per_second, items_per_second, gflops;
  json_t* runs; /* every reported run, as result-row fragments (new reference) */
} qb_measure;

struct qb_cpu_bench;
/* Times a prepared CPU bench (a roof) like a case; m->runs is a new reference. */
void qb_run_measure_cpu(qb_runner* r, const char* name, struct qb_cpu_bench* b, unsigned threads,
                        qb_measure* m);
/* Times a device state prepared by the backend (its copy roof) like a device case:
 * manual time, `bytes` moved per run. */
void qb_run_measure_device(qb_runner* r, const char* name, int device, void* state, double bytes,
                           qb_measure* m);
/* The results' "context" object (results/README.md). */
json_t* qb_run_context(const qb_runner* r, const qb_run_options* o, bool incomplete);

/* ---- Journal (resume.c) ----------------------------------------------------------- */

/* The header's "options": what --resume needs to plan the same run again. */
json_t* qb_resume_options_json(const qb_run_options* o, const char* suite_path);
/* The header's "machine": what --resume compares (host, CPU model, features, cap,
 * cores, OpenCL devices). */
json_t* qb_resume_machine_json(const qb_ctx* ctx, qb_backend* opencl);
/* The options of the journaled run (strings borrowed from the header). */
qb_status qb_resume_options(const json_t* header, const char* jpath, qb_run_options* o, qb_error* err);
/* QB_BAD_INPUT naming the first field of `now` that differs from the header's machine. */
qb_status qb_resume_check_machine(const json_t* header, const json_t* now, const char* jpath, qb_error* err);
/* The journaled roofs back into r->roofs, as far as the rows' fractions need them
 * (name, class, threads, device matched by name, figures); the results file takes the
 * journal's entries themselves, with every field. They count as journaled already. */
void qb_resume_roofs(qb_runner* r, const json_t* roofs);

/* ---- Console ------------------------------------------------------------------- */

qb_console* qb_console_new(bool quiet, size_t total);
void qb_console_free(qb_console* c);
/* Where the table goes (stdout by default). */
void qb_console_table_to(qb_console* c, FILE* f);
/* Progress on stderr when it is a terminal ("[12/340] name ..."; index QB_CONSOLE_ROOF:
 * "[roofs] name ..."); nothing otherwise. */
#define QB_CONSOLE_ROOF SIZE_MAX
void qb_console_progress(qb_console* c, size_t index, const char* name);
/* One table line for a finished case; `row` is its summary row (median or only). */
void qb_console_case(qb_console* c, const qb_case* k, const json_t* row);
void qb_console_note(qb_console* c, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void qb_console_done(qb_console* c);

#endif
