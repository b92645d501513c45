/* Helpers shared by the tests: deterministic data and skip handling. */
#ifndef QB_TEST_UTIL_H
#define QB_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* CTest's skip code (SKIP_RETURN_CODE 77). */
#define QB_TEST_SKIP 77

/* splitmix64: a tiny deterministic generator for test data. */
static inline uint64_t qb_test_rand(uint64_t* s) {
  uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/* Element counts around a tile: below, equal, above and not a multiple of it. */
size_t qb_test_sizes(unsigned tile, size_t* out, size_t max_out);

#endif
