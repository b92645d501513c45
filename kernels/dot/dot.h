/*
 * Constants shared by the dot families: the longest lengths of the integer dots and
 * the error bound that float variants declaring QB_SEM_REASSOC are held to. Kernels
 * assert the lengths; tests compare against the bound. The derivations are in
 * kernels/dot/README.md.
 */
#ifndef QB_DOT_DOT_H
#define QB_DOT_DOT_H

#include <float.h>
#include <math.h>
#include <stdint.h>

#include "qb/ukernel.h"

/* s8_dot: n * 128 * 128 <= 2^31 - 1 (the worst case, every product is -128 * -128). */
#define QB_S8_DOT_MAX_N 131071u
/* u8s8_dot: n * 255 * 128 <= 2^31 (the worst case, every product is 255 * -128). */
#define QB_U8S8_DOT_MAX_N 65793u

/* The unit roundoff of f32 (round to nearest): 2^-24. */
#define QB_DOT_F32_U 0x1p-24

/*
 * gamma(n) = n*u / (1 - n*u): the classic bound on the relative error of n rounded
 * operations in f32 (Higham, "Accuracy and Stability of Numerical Algorithms", 3.1).
 * Infinite when n*u >= 1, where the bound says nothing.
 */
static inline double qb_dot_gamma(uint64_t n) {
  const double nu = (double) n * QB_DOT_F32_U;
  return nu < 1.0 ? nu / (1.0 - nu) : INFINITY;
}

/*
 * QB_DOT_REL_BOUND: the largest |d - ref| allowed between a QB_SEM_REASSOC variant's
 * result d and the scalar reference's ref, for a dot of n terms whose exact products
 * have absolute values summing to sum_abs (for qb8: sum over blocks of
 * |d_a * d_b| * sum |qa * qb|).
 *
 * Both results are within gamma(n) * sum_abs of the exact dot (each term passes through
 * at most n roundings, whatever the order: one multiply, or none when an FMA fuses it,
 * and at most n - 1 additions), hence 2 * gamma(n) * sum_abs between them. Underflow
 * adds an absolute error per operation: at most 2^-149 (the smallest subnormal) with
 * gradual underflow; below 2^-126 (FLT_MIN) when the variant flushes subnormals
 * (QB_SEM_FTZ_OUT); both results have at most n + 1 such operations.
 */
static inline double qb_dot_reassoc_bound(uint64_t n, double sum_abs, int flushes) {
  const double eta = flushes ? (double) FLT_MIN : 0x1p-149;
  return 2.0 * qb_dot_gamma(n) * sum_abs + 2.0 * (double) (n + 1) * eta;
}
#define QB_DOT_REL_BOUND(n, sum_abs, flushes) qb_dot_reassoc_bound((n), (sum_abs), (flushes))

/*
 * The bound for a variant that declares `sem` (QB_SEM_* flags). A QB_SEM_ROUND_ODD
 * variant's own roundings err by up to one ulp (2u) rather than half, so its result is
 * within gamma(2n) * sum_abs of the exact dot (to first order 2 * gamma(n)), and the
 * two results within (gamma(n) + gamma(2n)) * sum_abs of each other.
 */
static inline double qb_dot_sem_bound(uint64_t n, double sum_abs, unsigned sem) {
  const int flushes = (sem & QB_SEM_FTZ_OUT) != 0;
  if (sem & QB_SEM_ROUND_ODD) {
    const double eta = flushes ? (double) FLT_MIN : 0x1p-149;
    return (qb_dot_gamma(n) + qb_dot_gamma(2 * n)) * sum_abs + 2.0 * (double) (n + 1) * eta;
  }
  return qb_dot_reassoc_bound(n, sum_abs, flushes);
}

#endif /* QB_DOT_DOT_H */
