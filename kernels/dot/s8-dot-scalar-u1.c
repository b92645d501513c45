/* s8 . s8 -> s32. The scalar reference: exact, because n <= QB_S8_DOT_MAX_N keeps every
 * partial sum, in any order, inside int32 (kernels/dot/README.md). */
#include <assert.h>

#include "dot/dot.h"
#include "qb/ukernel.h"

void qb_s8_dot_ukernel__scalar_u1(size_t n, const void* a, const void* b, void* out) {
  const int8_t* x = (const int8_t*) a;
  const int8_t* y = (const int8_t*) b;
  int32_t acc = 0;
  assert(out != NULL);
  assert(n <= QB_S8_DOT_MAX_N);
  assert(n == 0 || (a != NULL && b != NULL));
  for (size_t i = 0; i < n; i++) {
    acc += (int32_t) x[i] * (int32_t) y[i];
  }
  *(int32_t*) out = acc;
}
