/* Preconditions shared by the peak families (kernels/peak/README.md). */
#ifndef QB_PEAK_PEAK_H
#define QB_PEAK_PEAK_H

#include <stdint.h>

/*
 * s8_peak: |a[0] * b[0]| <= 16383, so that the AVX2 form's vpmaddubsw pair sum
 * 2 * a * b fits in s16 and does not saturate; every variant asserts it, so the family
 * means the same thing on every ISA.
 */
#define QB_S8_PEAK_MAX_PRODUCT 16383

static inline int qb_s8_peak_operands_ok(uint8_t a, int8_t b) {
  const int32_t p = (int32_t) a * (int32_t) b;
  return p <= QB_S8_PEAK_MAX_PRODUCT && -p <= QB_S8_PEAK_MAX_PRODUCT;
}

/*
 * The SIMD peak kernels keep one named variable per accumulator chain, expanded from
 * these lists: GCC 12 keeps named vectors in registers but moves (and even spills)
 * the elements of an accumulator array around vpdpbusd. Each accumulator starts as an
 * opaque zero (an empty asm statement "modifies" it): otherwise the compiler sees 12
 * chains computing the same value from the same start and keeps only one of them.
 * Check the loops with objdump -d after changing a kernel (README.md).
 */
#define QB_PEAK_CHAINS4(F) F(0) F(1) F(2) F(3)
#define QB_PEAK_CHAINS8(F) QB_PEAK_CHAINS4(F) F(4) F(5) F(6) F(7)
#define QB_PEAK_CHAINS12(F) QB_PEAK_CHAINS8(F) F(8) F(9) F(10) F(11)

#endif /* QB_PEAK_PEAK_H */
