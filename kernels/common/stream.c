/* The kernels' one process-wide setting (stream.h). */
#include "common/stream.h"

qb_kernel_config qb__kernel_config = {QB_STREAM_NEVER};

void qb_kernels_set_stream_min_bytes(size_t bytes) {
  qb__kernel_config.stream_min_bytes = bytes;
}

size_t qb_kernels_stream_min_bytes(void) {
  return qb__kernel_config.stream_min_bytes;
}
