/*
 * qb_opencl_backend_create for builds without OpenCL (host/CMakeLists.txt compiles this
 * file only then), so that the harness and `qbench info` link and report the reason.
 */
#include "backends/backend.h"

qb_status qb_opencl_backend_create(const qb_ctx* ctx, const char* filter, qb_backend** out, qb_error* err) {
  (void) ctx;
  (void) filter;
  *out = NULL;
  return qb_fail(err, QB_UNSUPPORTED,
                 "not built (OpenCL headers and ICD loader not found at configure time)");
}
