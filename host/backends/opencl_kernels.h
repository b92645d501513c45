/*
 * The OpenCL variants as data, known without an OpenCL device or even an OpenCL build:
 * host/backends/opencl/ocl_kernels.inc expanded once more, for `qbench list`, `apply`
 * and `semantics`, which name and describe the variants wherever they run. The backend
 * itself (opencl.c) expands the same list; this file adds nothing to it.
 */
#ifndef QB_OPENCL_KERNELS_H
#define QB_OPENCL_KERNELS_H

#include <stdbool.h>
#include <stddef.h>

#include "platform/registry.h"

typedef struct qb_opencl_kernel_decl {
  qb_family family;
  const char* variant; /* "ocl_half": the row name's variant, "f32_f16_cvt__ocl_half" the kernel's */
  unsigned unit;       /* elements one work-item step handles */
  const char* needs;   /* what the device must offer, in words; "" for nothing */
  bool float_math;     /* float arithmetic: flushes subnormals where the device has none */
  unsigned sem;        /* QB_SEM_* against the CPU scalar reference, IEEE subnormals assumed */
} qb_opencl_kernel_decl;

size_t qb_opencl_kernel_count(void);
const qb_opencl_kernel_decl* qb_opencl_kernel_at(size_t i);
/* "f32_f16_cvt__ocl_half" -> its entry; NULL when no OpenCL variant has that name. */
const qb_opencl_kernel_decl* qb_opencl_kernel_find(const char* name);
/* The semantics on a device: the declared ones, plus flushed subnormals (in and out)
 * for a float kernel on a device without f32 subnormals. */
unsigned qb_opencl_kernel_sem(const qb_opencl_kernel_decl* k, bool device_denorms);

#endif
