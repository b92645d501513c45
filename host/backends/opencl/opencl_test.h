/*
 * What the OpenCL backend shows its tests (tests/test_opencl.c) beyond backend.h: the
 * launch geometry, the semantics a variant declares on a device, a hook that appends
 * source text to the program so a test can make the build fail, one that builds as for
 * a device without fp64, and the copy roof's ways on given data.
 */
#ifndef QB_OPENCL_TEST_H
#define QB_OPENCL_TEST_H

#include <stddef.h>
#include <stdint.h>

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

/* Builds every program after this call as for devices without fp64 (QB_HAVE_FP64 0,
 * no f64 division): the integer code paths kept for such devices run, and are tested,
 * on a device that has fp64 (PoCL, oclgrind). */
void qb_opencl_test_no_fp64(qb_backend* b);

/* Runs the device's way `way` of the mix rd:wr (backend.h's copy_way) over a footprint
 * of `bytes` as the roof runs it, from the input x (the way's input buffer: half the
 * footprint for a copy way, whole chunks of rd lines of 64 bytes for a stream way), and
 * reads its output into y (*y_bytes of it; 0 for a read-only mix): a way that moves
 * fewer bytes than it is credited with would make the roof too high. */
qb_status qb_opencl_test_copy(qb_backend* b, int device, int way, unsigned rd, unsigned wr, size_t bytes,
                              const void* x, void* y, size_t* y_bytes, qb_error* err);

#endif
