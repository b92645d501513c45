/*
 * The interface between the harness and a device backend (OpenCL today). The harness
 * prepares host data, times `run` through Google Benchmark (manual time when the
 * backend reports device time), fetches the output, checks it against the CPU scalar
 * reference and writes the row. A backend never prints and never exits: it returns a
 * status with a message, and the harness turns that into an error row.
 */
#ifndef QB_BACKEND_H
#define QB_BACKEND_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "platform/context.h"
#include "platform/registry.h"
#include "core/status.h"

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

typedef enum qb_transfer_dir { QB_TO_DEVICE, QB_FROM_DEVICE } qb_transfer_dir;

typedef struct qb_backend qb_backend;

typedef struct qb_backend_ops {
  const char* name; /* "opencl" */
  int (*device_count)(qb_backend* b);
  /* A short stable name for row names, e.g. "pocl:cpu-haswell" (no spaces or '/'). */
  const char* (*device_name)(qb_backend* b, int device);
  /* The device's description for the results context and `qbench info` (new reference). */
  json_t* (*device_context)(qb_backend* b, int device);
  /* Variants this device offers for a family, best first; returns the count (0: family
   * not offered, *why says why). names point into backend-owned storage. */
  int (*variants)(qb_backend* b, int device, qb_family fam, const char** names, int max, const char** why);
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
  void (*release)(qb_backend* b, void* state);
  /* Prepares the device's plain copy kernel (the bandwidth roof of device cases) over
   * two device-resident buffers of `bytes` each, input defined, warmed up: every `run`
   * of the state then reads `bytes` and writes `bytes`, timed as a case's run is. The
   * state takes `run` and `release` only. Too big for the device: QB_SKIPPED. */
  qb_status (*prepare_copy)(qb_backend* b, int device, size_t bytes, void** state, qb_error* err);
  /* Moves `bytes` between host and device once; *seconds as for run. */
  qb_status (*transfer)(qb_backend* b, int device, size_t bytes, qb_transfer_dir dir, double* seconds,
                        qb_error* err);
  void (*destroy)(qb_backend* b);
} qb_backend_ops;

/* Every backend struct starts with this. */
struct qb_backend {
  const qb_backend_ops* ops;
};

/*
 * Creates the OpenCL backend over every platform's devices (platforms without devices
 * skipped), or those matching `filter` (a platform/device name substring or "P:D"
 * indices; NULL for all). No OpenCL at all is QB_UNSUPPORTED with the reason.
 * Defined in host/backends/opencl/ when built with OpenCL; a stub returning QB_UNSUPPORTED
 * otherwise.
 */
qb_status qb_opencl_backend_create(const qb_ctx* ctx, const char* filter, qb_backend** out, qb_error* err);

#endif
