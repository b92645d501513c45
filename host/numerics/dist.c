#include "numerics/dist.h"

#include <math.h>

/* Clang would fuse a*b+c on targets with FMA (its default is fp-contract=on); fusing
 * would change the bits from one machine to another. GCC in C11 mode never fuses. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

static const struct {
  const char* name;
  const char* doc;
} qb__dists[QB_DIST_COUNT] = {
    {"uniform", "uniform on [-1, 1)"},
    {"normal", "standard normal N(0, 1)"},
    {"laplace", "Laplace with unit variance (scale 1/sqrt(2))"},
    {"outliers", "standard normal with ~1/128 of the elements scaled by 100"},
    {"constant", "every element 1.0"},
};

const char* qb_dist_name(qb_dist d) {
  return (unsigned) d < QB_DIST_COUNT ? qb__dists[d].name : "unknown";
}

const char* qb_dist_doc(qb_dist d) {
  return (unsigned) d < QB_DIST_COUNT ? qb__dists[d].doc : "unknown";
}

qb_dist qb_dist_find(const char* name) {
  for (int d = 0; d < QB_DIST_COUNT; d++) {
    const char* a = qb__dists[d].name;
    const char* b = name;
    while (*a && *a == *b) {
      a++;
      b++;
    }
    if (*a == '\0' && *b == '\0') {
      return (qb_dist) d;
    }
  }
  return QB_DIST_COUNT;
}

/* xoshiro256** (Blackman and Vigna), seeded through splitmix64 as its authors advise. */
typedef struct qb__rng {
  uint64_t s[4];
} qb__rng;

static uint64_t qb__splitmix64(uint64_t* x) {
  uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static void qb__rng_seed(qb__rng* r, uint64_t seed) {
  for (int i = 0; i < 4; i++) {
    r->s[i] = qb__splitmix64(&seed);
  }
}

static uint64_t qb__rotl(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

static uint64_t qb__next(qb__rng* r) {
  uint64_t* s = r->s;
  const uint64_t result = qb__rotl(s[1] * 5, 7) * 9;
  const uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = qb__rotl(s[3], 45);
  return result;
}

/* Uniform on (0, 1): the top 53 bits, offset by half a step so 0 never comes out. */
static double qb__open01(qb__rng* r) {
  return ((double) (qb__next(r) >> 11) + 0.5) * 0x1p-53;
}

/* Uniform on [-1, 1): 53 bits, exact in double. */
static double qb__sym(qb__rng* r) {
  return (double) (qb__next(r) >> 11) * 0x1p-52 - 1.0;
}

double qb_dist_log(double x) {
  /* 1. x = m * 2^e exactly, with m in [sqrt(1/2), sqrt(2)). */
  int e;
  double m = frexp(x, &e);
  if (m < 0.70710678118654752440) {
    m *= 2.0;
    e -= 1;
  }
  /* 2. log(m) = 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.1716: the odd series
   *    2 (s + s^3/3 + s^5/5 + ...) reaches double precision by the s^25 term. */
  const double s = (m - 1.0) / (m + 1.0);
  const double s2 = s * s;
  double p = 2.0 / 25.0;
  for (int k = 11; k >= 0; k--) {
    p = 2.0 / (double) (2 * k + 1) + s2 * p;
  }
  /* 3. Add e log(2), with log(2) split so that e * hi is exact. */
  const double ln2_hi = 6.93147180369123816490e-01;
  const double ln2_lo = 1.90821492927058770002e-10;
  return (double) e * ln2_hi + (s * p + (double) e * ln2_lo);
}

/* A standard normal pair by Marsaglia's polar method (no sin/cos needed). */
static void qb__normal_pair(qb__rng* r, double* z0, double* z1) {
  double u, v, s;
  do {
    u = qb__sym(r);
    v = qb__sym(r);
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  const double f = sqrt(-2.0 * qb_dist_log(s) / s); /* sqrt is correctly rounded by IEEE 754 */
  *z0 = u * f;
  *z1 = v * f;
}

static void qb__fill_normal(qb__rng* r, size_t n, float* out, int outliers) {
  double z0, z1;
  for (size_t i = 0; i < n; i += 2) {
    qb__normal_pair(r, &z0, &z1);
    if (outliers) {
      /* One draw decides both elements of the pair: bits 0-6 and 7-13 each pick 1 in 128. */
      const uint64_t pick = qb__next(r);
      z0 = (pick & 127u) == 0 ? z0 * 100.0 : z0;
      z1 = ((pick >> 7) & 127u) == 0 ? z1 * 100.0 : z1;
    }
    out[i] = (float) z0;
    if (i + 1 < n) {
      out[i + 1] = (float) z1;
    }
  }
}

void qb_dist_fill(qb_dist d, uint64_t seed, size_t n, float* out) {
  qb__rng r;
  /* Each distribution has its own stream for a seed, so "normal" and "outliers" with the
   * same seed are not the same numbers under another name. */
  qb__rng_seed(&r, seed ^ (0xD1B54A32D192ED03ull * (uint64_t) (d + 1)));
  switch (d) {
    case QB_DIST_uniform:
      for (size_t i = 0; i < n; i++) {
        out[i] = (float) qb__sym(&r);
      }
      break;
    case QB_DIST_normal:
      qb__fill_normal(&r, n, out, 0);
      break;
    case QB_DIST_outliers:
      qb__fill_normal(&r, n, out, 1);
      break;
    case QB_DIST_laplace:
      for (size_t i = 0; i < n; i++) {
        /* Inverse CDF: u uniform on (-1/2, 1/2), x = -b sign(u) log(1 - 2|u|). */
        const double u = qb__open01(&r) - 0.5;
        const double mag = -0.70710678118654752440 * qb_dist_log(1.0 - 2.0 * fabs(u));
        out[i] = (float) (u < 0.0 ? -mag : mag);
      }
      break;
    case QB_DIST_constant:
    default:
      for (size_t i = 0; i < n; i++) {
        out[i] = 1.0f;
      }
      break;
  }
}
