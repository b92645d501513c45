/* The check the .npy and .safetensors targets share: a tensor handed out is whole. */
#ifndef QB_FUZZ_TENSOR_H
#define QB_FUZZ_TENSOR_H

#include "core/dtype.h"
#include "fuzz_check.h"
#include "io/npy.h"

/* Shape, count and bytes agree, the data came from the input, and every byte of it
 * can be read (ASan catches a buffer shorter than `bytes`). */
static inline void qb_fuzz_check_tensor(const qb_tensor* t, size_t input_size) {
  const qb_dtype_info* di = qb_dtype_get(t->dtype);
  QB_FUZZ_CHECK(di != NULL && t->dtype != QB_DTYPE_none, "dtype %d", (int) t->dtype);
  QB_FUZZ_CHECK(t->ndim >= 0 && t->ndim <= QB_TENSOR_MAX_DIMS, "ndim %d", t->ndim);
  uint64_t count = 1;
  for (int i = 0; i < t->ndim; i++) {
    QB_FUZZ_CHECK(t->dims[i] == 0 || count <= UINT64_MAX / t->dims[i], "dims overflow");
    count *= t->dims[i];
  }
  QB_FUZZ_CHECK(count == t->count, "count %zu, dims give %llu", t->count, (unsigned long long) count);
  QB_FUZZ_CHECK(t->bytes == t->count * (di->bits / 8), "bytes %zu for %zu x %u bits", t->bytes, t->count,
                di->bits);
  QB_FUZZ_CHECK(t->bytes <= input_size, "%zu data bytes from a %zu-byte input", t->bytes, input_size);
  QB_FUZZ_CHECK(t->bytes == 0 || t->data != NULL, "no data");
  uint64_t sum = 0;
  for (size_t i = 0; i < t->bytes; i++) sum += ((const unsigned char*) t->data)[i];
  QB_FUZZ_CHECK(sum <= UINT64_C(255) * t->bytes, "unreachable");
  char shape[128];
  qb_tensor_shape_string(t, shape, sizeof shape);
}

#endif
