/*
 * The verification oracle: one kernel's output against its family's scalar reference,
 * with the semantics the kernel declares (qb/ukernel.h QB_SEM_*) applied to the
 * reference first, then compared element by element. The one implementation behind the
 * harness's mismatch counts (casedata.c), the cast tests and the OpenCL tests.
 *
 * - QB_SEM_FTZ_IN: the reference recomputed from inputs whose subnormals read as signed
 *   zero (block inputs: their scales and float codes);
 * - QB_SEM_FTZ_OUT: the reference's subnormal float outputs flushed to signed zero;
 * - QB_SEM_NAN_CANON: any NaN output equals any NaN;
 * - QB_SEM_REASSOC: a float dot may differ by qb_dot_sem_bound (kernels/dot/dot.h) over
 *   sum |a_i b_i| of the reference's own inputs.
 */
#ifndef QB_VERIFY_H
#define QB_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "platform/registry.h"

/* The inputs one kernel call read. */
typedef struct qb_verify_io {
  const qb_family_info* f;
  size_t n;
  const void* x;
  const void* x2;     /* a dot's second input; NULL otherwise */
  const void* params; /* the kernel's params; NULL when none */
} qb_verify_io;

typedef struct qb_verify_result {
  uint64_t mismatches;         /* outputs that differ, both sides finite */
  uint64_t nan_inf_mismatches; /* outputs that differ where either side is NaN or inf */
  size_t first;                /* the first differing output; SIZE_MAX when none */
  uint64_t want, got;          /* its bits (qb_element_bits), expected and given */
  double bound;                /* QB_SEM_REASSOC float dot: the |y - y_ref| allowed; else 0 */
} qb_verify_result;

/* The declared semantics in words, as `qbench list` and the rows print them: "exact", or
 * the flags' names joined by commas ("nan-canon,reassoc"). */
void qb_sem_string(unsigned sem, char* buf, size_t len);

/* Outputs of a kernel call (one for a dot, else n). */
size_t qb_verify_outputs(const qb_verify_io* io);

/* Judges `y`, the output of a kernel declaring `sem` on io's inputs. y_ref is the scalar
 * reference's output on the same inputs, or NULL to have it computed here. Fails only
 * when out of memory or when the family has no reference. */
qb_status qb_verify(const qb_verify_io* io, const void* y_ref, const void* y, unsigned sem,
                    qb_verify_result* r, qb_error* err);

/* qb_verify for a caller that already has a float dot's sum |a_i b_i| over io's inputs
 * (the QB_SEM_REASSOC bound's; *sum_abs, or NULL to have it computed here), as
 * casedata.c keeps it for every output judged on the same inputs. Not read when
 * QB_SEM_FTZ_IN flushes the inputs: the bound is then over the flushed ones. */
qb_status qb_verify_sum_abs(const qb_verify_io* io, const double* sum_abs, const void* y_ref, const void* y,
                            unsigned sem, qb_verify_result* r, qb_error* err);

#endif
