/*
 * Block int8 . block int8 -> f32 with base AdvSIMD, one block of 32 per iteration:
 * SMULL/SMULL2 products (exact in s16), SADALP into s32, the block's exact int32 sum,
 * then acc += da * db * isum in f32, blocks in order, as the reference: bit-exact.
 */
#include <arm_neon.h>
#include <assert.h>

#include "qb/ukernel.h"

static inline int32x4_t qb__step(int32x4_t acc, int8x16_t a, int8x16_t b) {
  acc = vpadalq_s16(acc, vmull_s8(vget_low_s8(a), vget_low_s8(b)));
  return vpadalq_s16(acc, vmull_high_s8(a, b));
}

void qb_qb8_dot_ukernel__neon_u32(size_t n, const void* a, const void* b, void* out) {
  const qb_block_q8* x = (const qb_block_q8*) a;
  const qb_block_q8* y = (const qb_block_q8*) b;
  float acc = 0.0f;
  assert(out != NULL);
  assert(n % QB_BLOCK_LEN == 0);
  assert(n == 0 || (a != NULL && b != NULL));
  for (size_t k = 0; k < n / QB_BLOCK_LEN; k++) {
    int32x4_t s = qb__step(vdupq_n_s32(0), vld1q_s8(x[k].qs), vld1q_s8(y[k].qs));
    s = qb__step(s, vld1q_s8(x[k].qs + 16), vld1q_s8(y[k].qs + 16));
    acc += x[k].d * y[k].d * (float) vaddvq_s32(s);
  }
  *(float*) out = acc;
}
