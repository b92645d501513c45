/*
 * bf16 . bf16 -> f32 with BFDOT (Armv8.6 FEAT_BF16): each lane adds a pair of products
 * per instruction, four accumulators, 32 per iteration; the last n % 32 through the
 * same instruction on a zero-padded copy. Without FEAT_EBF16 (or with FPCR.EBF = 0)
 * BFDOT ignores FPCR: subnormal inputs and results are flushed to zero, NaN results
 * are the default NaN, and its additions round to odd, so each of them errs by up to
 * one ulp instead of half: QB_SEM_FTZ_IN | QB_SEM_FTZ_OUT | QB_SEM_REASSOC |
 * QB_SEM_ROUND_ODD (kernels/ARM.md has the bound and what qemu does).
 */
#include <arm_neon.h>
#include <assert.h>
#include <string.h>

#include "qb/ukernel.h"

static inline bfloat16x8_t qb__ld(const uint16_t* p) {
  return vld1q_bf16((const bfloat16_t*) p);
}

void qb_bf16_dot_ukernel__neonbf16_u32(size_t n, const void* a, const void* b, void* out) {
  const uint16_t* x = (const uint16_t*) a;
  const uint16_t* y = (const uint16_t*) b;
  float32x4_t acc0 = vdupq_n_f32(0.0f), acc1 = vdupq_n_f32(0.0f);
  float32x4_t acc2 = vdupq_n_f32(0.0f), acc3 = vdupq_n_f32(0.0f);
  size_t i = 0;
  assert(out != NULL);
  assert(n == 0 || (a != NULL && b != NULL));
  for (; i + 32 <= n; i += 32) {
    acc0 = vbfdotq_f32(acc0, qb__ld(x + i), qb__ld(y + i));
    acc1 = vbfdotq_f32(acc1, qb__ld(x + i + 8), qb__ld(y + i + 8));
    acc2 = vbfdotq_f32(acc2, qb__ld(x + i + 16), qb__ld(y + i + 16));
    acc3 = vbfdotq_f32(acc3, qb__ld(x + i + 24), qb__ld(y + i + 24));
  }
  if (i < n) {
    /* Zero padding adds +0 products: the accumulators do not change. */
    uint16_t xb[32] = {0}, yb[32] = {0};
    memcpy(xb, x + i, (n - i) * sizeof *x);
    memcpy(yb, y + i, (n - i) * sizeof *y);
    for (size_t j = 0; j < n - i; j += 8) {
      acc0 = vbfdotq_f32(acc0, qb__ld(xb + j), qb__ld(yb + j));
    }
  }
  *(float*) out = vaddvq_f32(vaddq_f32(vaddq_f32(acc0, acc1), vaddq_f32(acc2, acc3)));
}
