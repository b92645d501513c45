/*
 * NumPy .npy files (format versions 1.0, 2.0 and 3.0): little-endian, C order, the
 * dtypes f64/f32/f16/i8/u8/i16/i32/i64. Every malformed file is one error naming the
 * file and the problem. A qb_tensor is also what the .safetensors reader returns.
 */
#ifndef QB_NPY_H
#define QB_NPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "core/dtype.h"
#include "core/status.h"

#define QB_TENSOR_MAX_DIMS 8
/* A .npy file is read whole into memory: one larger than this is refused on its size,
 * before a byte is read. */
#define QB_NPY_MAX_FILE (UINT64_C(1) << 40)

typedef struct qb_tensor {
  qb_dtype dtype;
  int ndim; /* 0 for a scalar */
  uint64_t dims[QB_TENSOR_MAX_DIMS];
  size_t count; /* elements: the product of dims (1 for a scalar) */
  size_t bytes; /* count * element size */
  void* data;   /* owned, 64-byte aligned (qb_tensor_free) */
} qb_tensor;

/* Allocates t->data for `count` elements of dtype (bytes checked for overflow). */
qb_status qb_tensor_alloc(qb_tensor* t, qb_dtype dtype, int ndim, const uint64_t* dims, qb_error* err);
void qb_tensor_free(qb_tensor* t);
/* "2x3" into buf. */
void qb_tensor_shape_string(const qb_tensor* t, char* buf, size_t len);

/* Reads a whole .npy file; `name` in messages is the path. */
qb_status qb_npy_read(const char* path, qb_tensor* t, qb_error* err);
/* Parses a .npy image in memory (what qb_npy_read does after reading the file). */
qb_status qb_npy_parse(const void* buf, size_t len, const char* name, qb_tensor* t, qb_error* err);

/*
 * Writes t to path atomically (a temporary file in the same folder, then a rename), so
 * a reader never sees half a file. Without `force`, an existing path is QB_EXISTS and is
 * left as it was. bf16 and fp8 (no NumPy dtype) are written as their bits, '<u2' and
 * '|u1', which ml_dtypes views back as bfloat16 / float8.
 */
qb_status qb_npy_write(const char* path, const qb_tensor* t, bool force, qb_error* err);

/* The same .npy on a stream (`--out -`), flushed; `name` in messages. */
qb_status qb_npy_write_stream(FILE* f, const char* name, const qb_tensor* t, qb_error* err);

/* The same for any bytes: the primitive the .npy writer (and others) use. */
qb_status qb_write_file_atomic(const char* path, const void* head, size_t head_len, const void* body,
                               size_t body_len, bool force, qb_error* err);

#endif
