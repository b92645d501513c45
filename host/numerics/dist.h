/*
 * Input distributions for cases: seeded, and the same bits on every platform. The
 * generator (xoshiro256**) and every transform (the logarithm included) are our own,
 * in plain IEEE double arithmetic, so no libm or rand() difference can change a figure.
 */
#ifndef QB_DIST_H
#define QB_DIST_H

#include <stddef.h>
#include <stdint.h>

typedef enum qb_dist {
  QB_DIST_uniform,  /* U[-1, 1) */
  QB_DIST_normal,   /* N(0, 1), Marsaglia's polar method */
  QB_DIST_laplace,  /* Laplace(0, 1/sqrt(2)): unit variance, heavier tails than normal */
  QB_DIST_outliers, /* N(0, 1) where one element in 128 (on average) is scaled by 100 */
  QB_DIST_constant, /* every element 1.0 */
  QB_DIST_COUNT
} qb_dist;

const char* qb_dist_name(qb_dist d);
/* QB_DIST_COUNT when `name` is not a distribution's name. */
qb_dist qb_dist_find(const char* name);
/* One line describing the distribution, for --help and reports. */
const char* qb_dist_doc(qb_dist d);

/* Fills out[0..n) from distribution d with `seed`. The same (d, seed, n) gives the same
 * bits everywhere, and out[0..k) does not depend on n (a prefix stays a prefix). */
void qb_dist_fill(qb_dist d, uint64_t seed, size_t n, float* out);

/* The natural logarithm of a finite x > 0, within 2 ulp; deterministic (no libm). */
double qb_dist_log(double x);

#endif
