/*
 * `qbench run --data`: the user's tensors as the workload (data.c). The file is opened
 * and every selected tensor checked (a float dtype, the channel axis) before any work;
 * the plan then takes each tensor in place of the suite's sizes and distributions, and
 * the runner asks here for each case's data: the tensor as f32 with the axis outermost
 * (io/tensorset.h, as `qbench error --data` reads it), converted to the family's input
 * dtypes by numerics/casedata.h.
 */
#ifndef QB_RUN_DATA_H
#define QB_RUN_DATA_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "io/tensorset.h"
#include "numerics/casedata.h"

/* The longest tensor name a case name holds beside the family, variant, device and
 * figures (plan.h: 256 bytes in all). */
#define QB_RUN_DATA_MAX_NAME 128

/* One selected tensor, as the plan and the rows name it. */
typedef struct qb_run_tensor {
  const char* name; /* the safetensors name; a .npy file's name without its directory */
  size_t index;     /* in the tensorset */
  uint64_t count;   /* elements */
  int axis;         /* the channel axis it is loaded with (0 for 0-D and 1-D tensors) */
  qb_dtype stored;  /* f32, f16, bf16 or f64 */
  char shape[64];   /* "384x1536" */
} qb_run_tensor;

typedef struct qb_run_data {
  const char* path;
  int axis; /* as given (default 0) */
  qb_tensorset ts;
  qb_run_tensor* tensors;
  size_t count;
  size_t left_out; /* tensors of the file that are not float (--all): not a workload */
  /* Private: the one tensor loaded now, kept while the cases on it follow each other. */
  bool have;
  size_t loaded;
  qb_tensor x;
  size_t channel_len;
} qb_run_data;

/*
 * Opens path (.safetensors or .npy) and selects `tensor` (NULL: every float tensor of
 * the file; the others left out with a note on stderr). QB_BAD_INPUT (or QB_IO) naming
 * the file and tensor: a missing or unreadable file, an unknown tensor, a named tensor
 * that is not float, or a tensor of two or more dimensions without axis `axis`.
 */
qb_status qb_run_data_open(qb_run_data* rd, const char* path, const char* tensor, int axis, qb_error* err);

/*
 * The element count of family f's cases on a tensor of `count` elements: all of them
 * for a unary family; for a dot, the tensor's first half against its second (two
 * different vectors of the same data, as a dot's operands are). QB_SKIPPED with the
 * reason when that count does not fit the family (an odd count for a dot, not a
 * multiple of its block, beyond its max_n).
 */
qb_status qb_run_data_n(const qb_family_info* f, uint64_t count, uint64_t* n, qb_error* err);

/* The case data of family f on tensor t (an index into rd->tensors) with rounding
 * `round`: as qb_case_data_init makes them from a distribution. */
qb_status qb_run_data_case(qb_run_data* rd, size_t t, const qb_family_info* f, qb_round_mode round,
                           qb_case_data* d, qb_error* err);

/* The fields every row of a case on tensor t carries: tensor, shape, stored dtype, axis. */
json_t* qb_run_data_row_fields(const qb_run_data* rd, size_t t);
/* The results' context entry: the file, the axis, the tensors and those left out. */
json_t* qb_run_data_context(const qb_run_data* rd);

/* Safe on a zeroed or already closed rd. */
void qb_run_data_close(qb_run_data* rd);

#endif
