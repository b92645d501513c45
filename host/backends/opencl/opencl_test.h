/*
 * What the OpenCL backend shows its tests (tests/test_opencl.c) beyond backend.h: the
 * launch geometry, the semantics a variant declares on a device, and a hook that
 * appends source text to the program so a test can make the build fail.
 */
#ifndef QB_OPENCL_TEST_H
#define QB_OPENCL_TEST_H

#include <stddef.h>

#include "backends/backend.h"

/* The work-group size and elements per work-item the element-wise kernels use. */
void qb_opencl_geometry(qb_backend* b, int device, size_t* work_group, unsigned* vec);

/* QB_SEM_* of a variant on a device relative to the CPU scalar reference (declared in
 * host/backends/opencl/ocl_kernels.inc, plus QB_SEM_FTZ_IN | QB_SEM_FTZ_OUT for float kernels on a
 * device without f32 subnormals). */
unsigned qb_opencl_variant_sem(qb_backend* b, int device, qb_family fam, const char* variant);

/* Appends `text` (NULL: nothing) to every program built after this call. The backend
 * keeps the pointer: the text must outlive it. */
void qb_opencl_test_inject_source(qb_backend* b, const char* text);

#endif
