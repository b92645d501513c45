/* Internals shared by the OpenCL backend's files (host/backends/opencl/ only). */
#ifndef QB_OPENCL_INTERNAL_H
#define QB_OPENCL_INTERNAL_H

#include <CL/cl.h>
#include <stdbool.h>
#include <stddef.h>

#include "backends/backend.h"

/* What a variant needs from the device (ocl_kernels.inc). */
typedef enum qb__ocl_need {
  QB__OCL_NEED_NONE,
  QB__OCL_NEED_FP16,
  QB__OCL_NEED_INTDOT,
  QB__OCL_NEED_DIV
} qb__ocl_need;

/* The kernel-argument layouts (ocl_kernels.inc). */
typedef enum qb__ocl_args {
  QB__OCL_ARGS_CAST,
  QB__OCL_ARGS_QUANT,
  QB__OCL_ARGS_QUANTC,
  QB__OCL_ARGS_TSCALE,
  QB__OCL_ARGS_TILE,
  QB__OCL_ARGS_DOT,
  QB__OCL_ARGS_COPYBUF, /* no kernel: clEnqueueCopyBuffer over x and y (a copy roof's way) */
  QB__OCL_ARGS_STREAM   /* (ulong chunks, x, y, uint r, uint w): a bandwidth roof's way of any mix */
} qb__ocl_args;

typedef struct qb__ocl_entry {
  qb_family family;
  const char* variant; /* "ocl_half" */
  const char* kernel;  /* "qb_f32_f16_cvt_ocl_half" */
  qb__ocl_args args;
  unsigned unit;
  qb__ocl_need need;
  bool float_math;
  unsigned sem;
} qb__ocl_entry;

/* One device: what enumeration found, then (lazily, on first use) its context, queue
 * and program, built once per run before any timing. */
typedef struct qb__ocl_device {
  cl_platform_id platform;
  cl_device_id id;
  int pidx, didx;
  char platform_name[128], name[128], vendor[128], driver[64], version[128], clc_version[64];
  char short_name[96]; /* "pocl:pthread-haswell-amd-epyc" */
  cl_uint compute_units, clock_mhz;
  cl_ulong global_mem, local_mem, max_alloc;
  size_t max_wg, timer_res_ns;
  cl_uint vec_char, vec_short, vec_int, vec_long, vec_float, vec_double, vec_half;
  bool fp16, fp64, intdot, denorms, div_rounded;
  size_t wg;    /* work-group size used: a power of two */
  unsigned vec; /* elements per work-item of the element-wise kernels */

  bool ready; /* context, queue and program exist */
  cl_context ctx;
  cl_command_queue queue;
  cl_program program;
  bool timer_trusted;
  double timer_check_s; /* the copy's device time in the timer check */
} qb__ocl_device;

typedef struct qb__ocl {
  qb_backend base;
  int ndev;
  qb__ocl_device* dev;
  const char* inject; /* test hook: text appended to the program */
} qb__ocl;

/* Device enumeration and description (opencl_device.c). */
qb_status qb__ocl_enumerate(const char* filter, size_t wg_cap, qb__ocl_device** out, int* count,
                            qb_error* err);
json_t* qb__ocl_device_json(const qb__ocl_device* d);
/* Whether the device can divide f32 correctly rounded (natively or through fp64). */
static inline bool qb__ocl_div_ok(const qb__ocl_device* d) {
  return d->div_rounded || d->fp64;
}

/* "CL_OUT_OF_RESOURCES" for an OpenCL error code. */
const char* qb__ocl_error_name(cl_int e);

#endif
