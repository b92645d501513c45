/*
 * The user's tensors as a workload: one .npy file (one tensor) or the tensors of a
 * .safetensors file (every one, or one by name), each handed out as f32 with a chosen
 * axis outermost, so that per-channel quantization along that axis sees contiguous
 * channels. `qbench error --data` and `qbench apply --axis` use it.
 */
#ifndef QB_TENSORSET_H
#define QB_TENSORSET_H

#include <stdbool.h>
#include <stddef.h>

#include "core/status.h"
#include "io/npy.h"
#include "io/safetensors.h"

typedef struct qb_tensorset {
  const char* path;
  bool safetensors;
  qb_safetensors st;
  qb_tensor npy;      /* the .npy tensor (safetensors: unused) */
  size_t count;       /* tensors selected */
  const char** names; /* their names (npy: the path) */
} qb_tensorset;

/* Opens path (.safetensors or .npy); `tensor` selects one safetensors tensor by name, NULL
 * all of them. */
qb_status qb_tensorset_open(qb_tensorset* ts, const char* path, const char* tensor, qb_error* err);

/* Whether qb_tensorset_load_f32 takes tensors stored as t: f32, f16, bf16 and f64. */
bool qb_tensorset_is_float(qb_dtype t);

/*
 * Tensor i as f32 (f16, bf16 and f64 converted: f64 rounds to nearest even; *from says the
 * stored dtype), its axis `axis` made outermost: out holds dims[axis] channels of
 * *channel_len contiguous elements (a 0-D or 1-D tensor is one channel). QB_BAD_INPUT for
 * a non-float tensor or an axis it does not have.
 */
qb_status qb_tensorset_load_f32(const qb_tensorset* ts, size_t i, int axis, qb_tensor* out,
                                size_t* channel_len, qb_dtype* from, qb_error* err);

/* Tensor i's stored dtype (QB_DTYPE_none when qbench has no such dtype) and shape,
 * without loading it: out->data is NULL and nothing needs freeing. */
void qb_tensorset_shape(const qb_tensorset* ts, size_t i, qb_tensor* out);

/* Safe on a zeroed or already closed set. */
void qb_tensorset_close(qb_tensorset* ts);

#endif
