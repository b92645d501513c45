/*
 * The interface between the harness and a backend (host/backends/README.md): the CPU
 * and OpenCL today, each in its own folder, listed once in backends.inc. The runner
 * prepares a case's host data, asks the backend to run and time it (`run_case`),
 * checks the output it leaves against the CPU scalar reference and writes the rows. A
 * backend never prints and never exits: it returns a status with a message, and the
 * harness turns that into an error row.
 */
#ifndef QB_BACKEND_H
#define QB_BACKEND_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/status.h"
#include "measure/measure.h"
#include "numerics/casedata.h"
#include "platform/context.h"
#include "platform/registry.h"

/* The registry (backends.inc): QB_BACKEND_cpu, QB_BACKEND_opencl, ... */
typedef enum qb_backend_id {
#define QB_BACKEND(name, ...) QB_BACKEND_##name,
#include "backends/backends.inc"
#undef QB_BACKEND
  QB_BACKEND_COUNT
} qb_backend_id;

/*
 * What a backend is, as the runner needs it (the kind column of backends.inc):
 * - host: runs on this machine's cores: cases take the suite's thread counts, rows are
 *   held to the CPU's bandwidth and compute roofs, its one device is named as itself
 *   ("cpu" in case names).
 * - device: one or more devices, each named in case names ("opencl:<device>"), one
 *   thread, held to its device's own copy roof (the fastest of its copy ways:
 *   prepare_copy), with host <-> device
 *   transfer rows (transfer), and its devices listed in the results' context
 *   ("<name>_devices").
 */
typedef enum qb_backend_kind { QB_BACKEND_KIND_host, QB_BACKEND_KIND_device } qb_backend_kind;

/* One case as a backend sees it: host buffers prepared (and owned) by the harness. */
typedef struct qb_backend_case {
  const qb_family_info* family;
  const char* variant; /* the backend's own variant name (from `variants`) */
  size_t n;
  const void* x;             /* input, family->in dtype, x_bytes */
  const void* x2;            /* second input for dots (in2 dtype), else NULL */
  const qb_quant_params* qp; /* quant families; per-channel arrays included */
  size_t x_bytes, x2_bytes, y_bytes;
} qb_backend_case;

/* The case of a variant on data the harness made (numerics/casedata.h). */
static inline qb_backend_case qb_backend_case_of(const qb_case_data* d, const char* variant) {
  const qb_backend_case c = {.family = d->family,
                             .variant = variant,
                             .n = d->n,
                             .x = d->x,
                             .x2 = d->x2,
                             .qp = &d->qp,
                             .x_bytes = d->x_bytes,
                             .x2_bytes = d->x2_bytes,
                             .y_bytes = d->y_bytes};
  return c;
}

/* One variant as the planner sees it (`describe`). */
typedef struct qb_backend_variant {
  const qb_kernel_info* kernel; /* a kernel of the registry (host backends), or NULL */
  const char* isa;              /* the rows' isa column ("avx2"; a device backend's name) */
  bool usable;                  /* runs here; else `reason` (and `needs`) say why not */
  char needs[32];               /* the missing CPU feature ("avx512f"), or "" */
  char reason[256];
} qb_backend_variant;

/* What running a case gave (`run_case`). The runner owns runs and extra afterwards. */
typedef struct qb_backend_result {
  qb_status status; /* QB_OK; else every row of the case is an error (or skipped) */
  char reason[512];
  const char* timing;     /* "host", "device" or "host-wall" */
  const char* timer_note; /* static text for the rows, or NULL */
  json_t* runs;           /* Google Benchmark's runs as row fragments (measure.h), or NULL */
  json_t* extra;          /* more fields for every row, or NULL */
  bool have_output;       /* y holds the case's output: the runner checks it */
  unsigned sem;           /* the semantics (QB_SEM_*) the output is held to */
  bool unpinned;          /* host backends: some thread could not be pinned to a core */
} qb_backend_result;

/* One `qbench list` row (`list`). */
typedef struct qb_backend_list_row {
  const qb_family_info* family;
  const char* kernel; /* "<family>__<variant>", or "-" */
  const char* isa;    /* the isa column: an ISA, or a device's name */
  unsigned tile;      /* 0: "-" */
  bool has_sem;       /* the semantics column: sem in words, else "-" */
  unsigned sem;
  const char* status; /* "picked", "available", or why not */
} qb_backend_list_row;

typedef void qb_backend_list_fn(void* user, const qb_backend_list_row* row);

typedef enum qb_transfer_dir { QB_TO_DEVICE, QB_FROM_DEVICE } qb_transfer_dir;

typedef struct qb_backend qb_backend;

/*
 * A backend's operations. Required: name, device_count, device_name, variants,
 * run_case, destroy. The device kind also needs copy_way, prepare_copy, run, release and
 * transfer (roofs and transfer rows), and its run_case is usually
 * qb_backend_device_run_case (backends/device.h) over prepare, run,
 * run_with_transfers, fetch, sem and release. Optional (NULL): device_context, describe,
 * print_device.
 */
typedef struct qb_backend_ops {
  const char* name; /* its backends.inc name: "cpu", "opencl" */
  int (*device_count)(qb_backend* b);
  /* A short stable name for row names, e.g. "pocl:cpu-haswell" (no spaces or '/'). */
  const char* (*device_name)(qb_backend* b, int device);
  /* The device's description for the results context and `qbench info` (new reference). */
  json_t* (*device_context)(qb_backend* b, int device);
  /* Variants this device offers for a family, best first; returns the count (0: family
   * not offered, *why says why). names point into backend-owned storage. */
  int (*variants)(qb_backend* b, int device, qb_family fam, const char** names, int max, const char** why);
  /* A variant's kernel, isa column and whether it runs here. NULL: every variant runs,
   * its isa column is the backend's name. */
  void (*describe)(qb_backend* b, int device, qb_family fam, const char* variant, qb_backend_variant* out);
  /* Runs and times one case on `threads` threads (host backends; device backends get 1)
   * under `name` through the measure layer, and leaves its output in y (c->y_bytes; the
   * runner's buffer, fully allocated) when res->have_output. Every failure is in res
   * (status and reason), never a crash. */
  void (*run_case)(qb_backend* b, int device, const qb_backend_case* c, unsigned threads,
                   const qb_measure_options* mo, const char* name, void* y, qb_backend_result* res);
  /* `qbench info`'s block for one device (indented two spaces). NULL: its name only. */
  void (*print_device)(qb_backend* b, int device, FILE* f);
  /* Allocates device buffers and uploads the inputs. A case too big for the device
   * returns QB_SKIPPED with the reason; any other failure QB_BACKEND. */
  qb_status (*prepare)(qb_backend* b, int device, const qb_backend_case* c, void** state, qb_error* err);
  /* Runs the kernel once and waits. *device_seconds: the device's own time for it, or a
   * negative value when the backend has no trustworthy timer (the harness then uses
   * host wall time and says so in the row). *timer_note: static text for the row. */
  qb_status (*run)(qb_backend* b, void* state, double* device_seconds, const char** timer_note,
                   qb_error* err);
  /* Upload inputs, run, download the output: the time with transfers (host wall). */
  qb_status (*run_with_transfers)(qb_backend* b, void* state, double* seconds, qb_error* err);
  /* Copies the last output into y (y_bytes). */
  qb_status (*fetch)(qb_backend* b, void* state, void* y, qb_error* err);
  /* The semantics (QB_SEM_*) a variant's output is held to on this device: what the
   * variant declares, with what the device adds (flushed subnormals where it has none). */
  unsigned (*sem)(qb_backend* b, int device, qb_family fam, const char* variant);
  void (*release)(qb_backend* b, void* state);
  /* The name of the device's way `way` (0, 1, ...) of moving bytes in the read:write
   * mix rd:wr (lowest terms: 1:1 a copy, 1:0 a read), or NULL past the last: a device
   * case's bandwidth roof is the fastest way of its family's mix (the results name
   * each way and the fastest). */
  const char* (*copy_way)(qb_backend* b, int way, unsigned rd, unsigned wr);
  /* Prepares the device's way `way` of the mix rd:wr over device-resident buffers of
   * about `bytes` in all, input defined, warmed up: every `run` of the state then reads
   * and writes *moved bytes in the mix, timed as a case's run is. The state takes `run`
   * and `release` only. Too big for the device: QB_SKIPPED. */
  qb_status (*prepare_copy)(qb_backend* b, int device, size_t bytes, unsigned rd, unsigned wr, int way,
                            void** state, size_t* moved, qb_error* err);
  /* Moves `bytes` between host and device once; *seconds as for run. */
  qb_status (*transfer)(qb_backend* b, int device, size_t bytes, qb_transfer_dir dir, double* seconds,
                        qb_error* err);
  void (*destroy)(qb_backend* b);
} qb_backend_ops;

/* Every backend struct starts with this. */
struct qb_backend {
  const qb_backend_ops* ops;
};

/* Creates a backend. `filter` picks devices (device backends: a name substring or
 * "P:D" indices; NULL for all); a backend that cannot run here (not built, no device)
 * answers QB_UNSUPPORTED (or QB_BAD_INPUT for a filter matching nothing) with the
 * reason. */
typedef qb_status qb_backend_create_fn(const qb_ctx* ctx, const char* filter, qb_backend** out,
                                       qb_error* err);

/* `qbench list`'s rows of a backend (family NULL: all), through `add`: every variant it
 * has, with what it makes of this machine, also when it cannot run here (no device, not
 * built: then each row says why). */
typedef void qb_backend_lister(const qb_ctx* ctx, const char* family, qb_backend_list_fn* add, void* user);

/* One line of backends.inc. */
typedef struct qb_backend_info {
  qb_backend_id id;
  const char* name;
  qb_backend_kind kind;
  qb_backend_create_fn* create;
  qb_backend_lister* list;
  const char* summary;
} qb_backend_info;

#define QB_BACKEND(name, kind, create, list, summary) \
  qb_backend_create_fn create;                        \
  qb_backend_lister list;
#include "backends/backends.inc"
#undef QB_BACKEND

/* The registry's line of a backend; NULL when out of range. */
const qb_backend_info* qb_backend_get(qb_backend_id id);
/* A backend by its name (a suite's or --backend's word), or QB_BACKEND_COUNT. */
qb_backend_id qb_backend_find(const char* name);
/* The name, or NULL when out of range. */
const char* qb_backend_name(qb_backend_id id);
bool qb_backend_is_host(qb_backend_id id);
/* Every name in registry order, for messages: "cpu or opencl", "a, b or c". */
void qb_backend_names(char* buf, size_t len);

#endif
