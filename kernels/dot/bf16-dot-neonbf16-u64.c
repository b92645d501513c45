/*
 * bf16 . bf16 -> f32 with BFMMLA (Armv8.6 FEAT_BF16), 64 per iteration. BFMMLA
 * multiplies a 2x4 by a 4x2 bf16 matrix into a 2x2 f32 accumulator. Loading 8 elements
 * of a as the rows (a0..a3, a4..a7) and 8 of b as the columns makes the diagonal
 * accumulate a0..a3 . b0..b3 and a4..a7 . b4..b7: half of each instruction's work is
 * the unused off-diagonal, so it does as many useful multiply-adds as one BFDOT. It is
 * here to measure that on cores where BFMMLA issues faster. Semantics as BFDOT:
 * QB_SEM_FTZ_IN | QB_SEM_FTZ_OUT | QB_SEM_REASSOC | QB_SEM_ROUND_ODD.
 */
#include <arm_neon.h>
#include <assert.h>
#include <string.h>

#include "qb/ukernel.h"

static inline bfloat16x8_t qb__ld(const uint16_t* p) {
  return vld1q_bf16((const bfloat16_t*) p);
}

/* Lanes 0 and 3 of a BFMMLA accumulator are the diagonal (row-major 2x2). */
static inline float qb__diag(float32x4_t v) {
  return vgetq_lane_f32(v, 0) + vgetq_lane_f32(v, 3);
}

void qb_bf16_dot_ukernel__neonbf16_u64(size_t n, const void* a, const void* b, void* out) {
  const uint16_t* x = (const uint16_t*) a;
  const uint16_t* y = (const uint16_t*) b;
  float32x4_t acc[8];
  size_t i = 0;
  assert(out != NULL);
  assert(n == 0 || (a != NULL && b != NULL));
  for (int k = 0; k < 8; k++) acc[k] = vdupq_n_f32(0.0f);
  for (; i + 64 <= n; i += 64) {
    for (int k = 0; k < 8; k++) {
      acc[k] = vbfmmlaq_f32(acc[k], qb__ld(x + i + 8 * k), qb__ld(y + i + 8 * k));
    }
  }
  if (i < n) {
    uint16_t xb[64] = {0}, yb[64] = {0};
    memcpy(xb, x + i, (n - i) * sizeof *x);
    memcpy(yb, y + i, (n - i) * sizeof *y);
    for (size_t j = 0; j < n - i; j += 8) {
      acc[0] = vbfmmlaq_f32(acc[0], qb__ld(xb + j), qb__ld(yb + j));
    }
  }
  for (int k = 1; k < 8; k++) acc[0] = vaddq_f32(acc[0], acc[k]);
  *(float*) out = qb__diag(acc[0]);
}
