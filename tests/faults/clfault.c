/*
 * An LD_PRELOAD shim over the OpenCL API that injects device faults, so that the
 * fault tests (tests/faults/faults.sh) exercise the real backend and the real run
 * without any test hook in qbench itself. QB_FAULT picks one:
 *
 *   build       clBuildProgram fails (CL_BUILD_PROGRAM_FAILURE): a program that does not build
 *   noplatform  clGetPlatformIDs finds nothing: no OpenCL device there at all
 *   lost        kernel launches fail (CL_DEVICE_NOT_AVAILABLE): a device gone mid-run
 *   alloc       clCreateBuffer fails (CL_MEM_OBJECT_ALLOCATION_FAILURE) above
 *               QB_FAULT_ALLOC_LIMIT bytes (default 0: every buffer)
 *   slow        clWaitForEvents and clFinish take QB_FAULT_SLOW_MS ms more (default
 *               200): a kernel that runs too long for --case-timeout
 *
 * Anything else (or no QB_FAULT) passes every call through to the real library.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* RTLD_NEXT */
#endif
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>

/* cl_khr_icd: what the ICD loader answers when it finds no platform. */
#define QB__PLATFORM_NOT_FOUND (-1001)

static int qb__fault(const char* name) {
  const char* f = getenv("QB_FAULT");
  return f != NULL && strcmp(f, name) == 0;
}

static void* qb__next(const char* sym) {
  void* p = dlsym(RTLD_NEXT, sym);
  if (p == NULL) abort(); /* the shim is only preloaded into programs that link OpenCL */
  return p;
}

static void qb__sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0) {
  }
}

static void qb__slow(void) {
  if (!qb__fault("slow")) return;
  const char* ms = getenv("QB_FAULT_SLOW_MS");
  qb__sleep_ms(ms ? atol(ms) : 200);
}

CL_API_ENTRY cl_int CL_API_CALL clGetPlatformIDs(cl_uint n, cl_platform_id* p, cl_uint* count) {
  if (qb__fault("noplatform")) {
    if (count) *count = 0;
    return QB__PLATFORM_NOT_FOUND;
  }
  cl_int (*real)(cl_uint, cl_platform_id*, cl_uint*) = qb__next("clGetPlatformIDs");
  return real(n, p, count);
}

CL_API_ENTRY cl_int CL_API_CALL clBuildProgram(cl_program p, cl_uint nd, const cl_device_id* d,
                                               const char* opts, void(CL_CALLBACK* cb)(cl_program, void*),
                                               void* user) {
  if (qb__fault("build")) return CL_BUILD_PROGRAM_FAILURE;
  cl_int (*real)(cl_program, cl_uint, const cl_device_id*, const char*, void(CL_CALLBACK*)(cl_program, void*),
                 void*) = qb__next("clBuildProgram");
  return real(p, nd, d, opts, cb, user);
}

CL_API_ENTRY cl_int CL_API_CALL clEnqueueNDRangeKernel(cl_command_queue q, cl_kernel k, cl_uint dim,
                                                       const size_t* off, const size_t* global,
                                                       const size_t* local, cl_uint nw, const cl_event* wait,
                                                       cl_event* ev) {
  if (qb__fault("lost")) return CL_DEVICE_NOT_AVAILABLE;
  cl_int (*real)(cl_command_queue, cl_kernel, cl_uint, const size_t*, const size_t*, const size_t*, cl_uint,
                 const cl_event*, cl_event*) = qb__next("clEnqueueNDRangeKernel");
  return real(q, k, dim, off, global, local, nw, wait, ev);
}

CL_API_ENTRY cl_mem CL_API_CALL clCreateBuffer(cl_context c, cl_mem_flags fl, size_t size, void* host,
                                               cl_int* rc) {
  if (qb__fault("alloc")) {
    const char* lim = getenv("QB_FAULT_ALLOC_LIMIT");
    if (size > (size_t) (lim ? strtoull(lim, NULL, 10) : 0)) {
      if (rc) *rc = CL_MEM_OBJECT_ALLOCATION_FAILURE;
      return NULL;
    }
  }
  cl_mem (*real)(cl_context, cl_mem_flags, size_t, void*, cl_int*) = qb__next("clCreateBuffer");
  return real(c, fl, size, host, rc);
}

CL_API_ENTRY cl_int CL_API_CALL clWaitForEvents(cl_uint n, const cl_event* evs) {
  cl_int (*real)(cl_uint, const cl_event*) = qb__next("clWaitForEvents");
  const cl_int rc = real(n, evs);
  qb__slow();
  return rc;
}

CL_API_ENTRY cl_int CL_API_CALL clFinish(cl_command_queue q) {
  cl_int (*real)(cl_command_queue) = qb__next("clFinish");
  const cl_int rc = real(q);
  qb__slow();
  return rc;
}
