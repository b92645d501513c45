#include "test_util.h"

size_t qb_test_sizes(unsigned tile, size_t* out, size_t max_out) {
  const size_t t = tile ? tile : 1;
  const size_t cand[] = {0, 1, t - 1, t, t + 1, 2 * t - 1, 2 * t, 3 * t + 1, 7 * t + 3, 64 * t + 5};
  size_t n = 0;
  for (size_t i = 0; i < sizeof cand / sizeof cand[0] && n < max_out; i++) {
    int dup = 0;
    for (size_t j = 0; j < n; j++) dup |= out[j] == cand[i];
    if (!dup) out[n++] = cand[i];
  }
  return n;
}
