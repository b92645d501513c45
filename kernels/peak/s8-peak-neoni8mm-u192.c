/*
 * s8 (u8 . s8 -> s32) peak with USDOT (Armv8.6 FEAT_I8MM, the mixed-sign dot that
 * matches the family's u8 . s8): 12 independent accumulators, each USDOT adding four
 * products to each of 4 lanes (192 multiply-adds per iteration). Integer sums wrap
 * modulo 2^32 as in the reference: exact. (SDOT alone cannot run this family: a[0] is
 * unsigned and may exceed 127.)
 */
#include <arm_neon.h>
#include <assert.h>

#include "peak/peak.h"
#include "qb/ukernel.h"

#define QB__PER_ACC 16 /* 4 lanes x 4 products */
#define QB__DECL(j)                  \
  int32x4_t acc##j = vdupq_n_s32(0); \
  __asm__("" : "+w"(acc##j));
#define QB__STEP(j) acc##j = vusdotq_s32(acc##j, x, y);
#define QB__SUM(j) sum = vaddq_s32(sum, acc##j);

void qb_s8_peak_ukernel__neoni8mm_u192(size_t n, const void* a, const void* b, void* out) {
  const size_t iters = n / (QB__PER_ACC * 12);
  assert(out != NULL);
  assert(n % (QB__PER_ACC * 12) == 0);
  QB_PEAK_CHAINS12(QB__DECL)
  if (n > 0) {
    const uint8x16_t x = vld1q_dup_u8((const uint8_t*) a);
    const int8x16_t y = vld1q_dup_s8((const int8_t*) b);
    assert(qb_s8_peak_operands_ok(*(const uint8_t*) a, *(const int8_t*) b));
    for (size_t i = 0; i < iters; i++) {
      QB_PEAK_CHAINS12(QB__STEP)
    }
  }
  int32x4_t sum = vdupq_n_s32(0);
  QB_PEAK_CHAINS12(QB__SUM)
  *(int32_t*) out = vaddvq_s32(sum);
}
