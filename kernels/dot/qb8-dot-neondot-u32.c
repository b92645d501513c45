/*
 * Block int8 . block int8 -> f32 with SDOT (Armv8.2 FEAT_DotProd), one block of 32 per
 * iteration: two SDOTs give the block's exact int32 sum, then acc += da * db * isum in
 * f32, blocks in order: the reference's operations in the reference's order, so
 * bit-exact.
 */
#include <arm_neon.h>
#include <assert.h>

#include "qb/ukernel.h"

void qb_qb8_dot_ukernel__neondot_u32(size_t n, const void* a, const void* b, void* out) {
  const qb_block_q8* x = (const qb_block_q8*) a;
  const qb_block_q8* y = (const qb_block_q8*) b;
  float acc = 0.0f;
  assert(out != NULL);
  assert(n % QB_BLOCK_LEN == 0);
  assert(n == 0 || (a != NULL && b != NULL));
  for (size_t k = 0; k < n / QB_BLOCK_LEN; k++) {
    int32x4_t s = vdotq_s32(vdupq_n_s32(0), vld1q_s8(x[k].qs), vld1q_s8(y[k].qs));
    s = vdotq_s32(s, vld1q_s8(x[k].qs + 16), vld1q_s8(y[k].qs + 16));
    acc += x[k].d * y[k].d * (float) vaddvq_s32(s);
  }
  *(float*) out = acc;
}
