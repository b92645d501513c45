/*
 * Shared by the cast tests (test_cvt_scalar.c, test_cvt_simd.c): the command line of
 * an exhaustive sweep, the sweep's chunk and stride, and bit-level facts about the
 * small float formats that the tests need to apply a variant's declared semantics.
 * Everything here is written from the formats' definitions, not from kernels/common/fp.h.
 */
#ifndef QB_TEST_CVT_H
#define QB_TEST_CVT_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/dtype.h"
#include "numerics/element.h"
#include "numerics/verify.h"
#include "platform/cpu.h"
#include "platform/registry.h"
#include "test_util.h"

/* A float cast family: op `cvt` or `cvtsat` (NAMING.md), float dtypes on both sides. */
static inline bool qb_cvt_is_cast_family(qb_family f) {
  const qb_family_info* fi = qb_family_get(f);
  return (fi->op == QB_OP_cvt || fi->op == QB_OP_cvtsat) && qb_dtype_get(fi->in)->cls == QB_CLASS_float &&
         qb_dtype_get(fi->out)->cls == QB_CLASS_float;
}

/* Whether pattern v is a multiple of 257, the sweeps' direct cross-check: below 2^32 by
 * the multiplicative inverse (v * 257^-1 mod 2^32 is at most (2^32 - 1) / 257 exactly for
 * the multiples), which saves a division on every one of the 2^32 inputs. */
static inline bool qb_cvt_multiple_of_257(uint64_t v) {
  if (v >> 32) return v % 257 == 0;
  return (uint32_t) ((uint32_t) v * 0xFF00FF01u) <= 0x00FF00FFu;
}

/* The 2^32 sweeps visit every k-th pattern when QB_EXHAUSTIVE_STRIDE=k (default 1). */
static inline uint64_t qb_cvt_stride(void) {
  const char* s = getenv("QB_EXHAUSTIVE_STRIDE");
  if (s == NULL || *s == '\0') return 1;
  char* end;
  unsigned long long k = strtoull(s, &end, 10);
  if (*end != '\0' || k == 0 || k > (1ull << 32)) {
    fprintf(stderr, "QB_EXHAUSTIVE_STRIDE='%s': expected a whole number in [1, 2^32]\n", s);
    exit(2);
  }
  return k;
}

/*
 * One exhaustive sweep, from the command line: `--sweep FAMILY [C/N]` sweeps chunk C of
 * N (0 <= C < N) of the family's input space; the chunk is a range of the high bits, so
 * N chunks cover [C * 2^32 / N, (C + 1) * 2^32 / N). Without C/N the whole space.
 */
typedef struct qb_cvt_sweep {
  qb_family family;
  uint64_t lo, hi; /* input bit patterns [lo, hi) */
  uint64_t stride;
  unsigned chunk, nchunks;
} qb_cvt_sweep;

/* Returns 1 when argv asks for a sweep (filled in), 0 when there are no arguments;
 * exits 2 on a malformed command line. */
static inline int qb_cvt_parse_sweep(int argc, char** argv, qb_cvt_sweep* sw) {
  memset(sw, 0, sizeof *sw);
  if (argc <= 1) return 0;
  if (strcmp(argv[1], "--sweep") != 0 || argc < 3 || argc > 4) {
    fprintf(stderr, "usage: %s [--sweep FAMILY [CHUNK/NCHUNKS]]\n", argv[0]);
    exit(2);
  }
  sw->family = qb_family_find(argv[2]);
  if (sw->family == QB_FAMILY_COUNT) {
    fprintf(stderr, "%s: unknown family '%s'\n", argv[0], argv[2]);
    exit(2);
  }
  sw->chunk = 0;
  sw->nchunks = 1;
  if (argc == 4 && (sscanf(argv[3], "%u/%u", &sw->chunk, &sw->nchunks) != 2 || sw->nchunks == 0 ||
                    sw->nchunks > 65536 || sw->chunk >= sw->nchunks)) {
    fprintf(stderr, "%s: bad chunk '%s' (expected C/N with 0 <= C < N <= 65536)\n", argv[0], argv[3]);
    exit(2);
  }
  const qb_family_info* f = qb_family_get(sw->family);
  const uint64_t space = 1ull << (unsigned) f->in_bits;
  sw->lo = space * sw->chunk / sw->nchunks;
  sw->hi = space * (sw->chunk + 1) / sw->nchunks;
  /* The stride thins only the 2^32 spaces; 8- and 16-bit spaces are always complete. */
  sw->stride = f->in_bits >= 32 ? qb_cvt_stride() : 1;
  return 1;
}

/* The first pattern of the sweep: the first multiple of the stride in [lo, hi). */
static inline uint64_t qb_cvt_sweep_first(const qb_cvt_sweep* sw) {
  return (sw->lo + sw->stride - 1) / sw->stride * sw->stride;
}

static inline double qb_cvt_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + 1e-9 * (double) ts.tv_nsec;
}

/* The process's CPU time: on a shared machine the wall time says little. */
static inline double qb_cvt_cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double) ts.tv_sec + 1e-9 * (double) ts.tv_nsec;
}

/* ---- Bit-level facts about a float dtype, from its table entry (host/core/dtype.inc). */

typedef struct qb_cvt_fmt {
  unsigned bits; /* storage width: 8, 16, 32 or 64 */
  unsigned ebits, mbits;
  bool fn; /* e4m3fn: no inf; only S.1111.111 is NaN */
} qb_cvt_fmt;

static inline qb_cvt_fmt qb_cvt_fmt_of(qb_dtype t) {
  const qb_dtype_info* d = qb_dtype_get(t);
  qb_cvt_fmt f = {d->bits, (unsigned) d->exp_bits, (unsigned) d->man_bits, d->special == QB_SPECIAL_fn};
  return f;
}

static inline uint64_t qb_cvt_exp_field(qb_cvt_fmt f, uint64_t v) {
  return (v >> f.mbits) & ((1ull << f.ebits) - 1);
}

static inline uint64_t qb_cvt_man_field(qb_cvt_fmt f, uint64_t v) {
  return v & ((1ull << f.mbits) - 1);
}

static inline bool qb_cvt_is_nan(qb_cvt_fmt f, uint64_t v) {
  const uint64_t emax = (1ull << f.ebits) - 1, mmax = (1ull << f.mbits) - 1;
  if (f.fn) return qb_cvt_exp_field(f, v) == emax && qb_cvt_man_field(f, v) == mmax;
  return qb_cvt_exp_field(f, v) == emax && qb_cvt_man_field(f, v) != 0;
}

static inline bool qb_cvt_is_subnormal(qb_cvt_fmt f, uint64_t v) {
  return qb_cvt_exp_field(f, v) == 0 && qb_cvt_man_field(f, v) != 0;
}

/* v with its magnitude bits cleared: the signed zero of the same sign. */
static inline uint64_t qb_cvt_signed_zero(qb_cvt_fmt f, uint64_t v) {
  return v & (1ull << (f.bits - 1));
}

/* Element i of a buffer of the format's width, as an integer. */
static inline uint64_t qb_cvt_get(qb_cvt_fmt f, const void* p, size_t i) {
  switch (f.bits) {
    case 8:
      return ((const uint8_t*) p)[i];
    case 16:
      return ((const uint16_t*) p)[i];
    case 32:
      return ((const uint32_t*) p)[i];
    default:
      return ((const uint64_t*) p)[i];
  }
}

static inline void qb_cvt_set(qb_cvt_fmt f, void* p, size_t i, uint64_t v) {
  switch (f.bits) {
    case 8:
      ((uint8_t*) p)[i] = (uint8_t) v;
      break;
    case 16:
      ((uint16_t*) p)[i] = (uint16_t) v;
      break;
    case 32:
      ((uint32_t*) p)[i] = (uint32_t) v;
      break;
    default:
      ((uint64_t*) p)[i] = v;
      break;
  }
}

/* Hex digits of a value of the format's width ("%0*llx" with this). */
static inline int qb_cvt_hexw(qb_cvt_fmt f) {
  return (int) f.bits / 4;
}

/* ---- Variants against the reference, for the sweeps of test_cvt_scalar and test_cvt_simd. */

/* The usable non-scalar CPU variants of cast family `family` (every cast family when
 * QB_FAMILY_COUNT) on `cpu`, into out[0..max); prints the others as skipped when `report`.
 * Returns how many were found. */
static inline size_t qb_cvt_usable_variants(qb_family family, const qb_cpu* cpu, const qb_kernel_info** out,
                                            size_t max, bool report) {
  size_t n = 0, skipped = 0;
  for (size_t i = 0; i < qb_kernel_count(); i++) {
    const qb_kernel_info* k = qb_kernel_at(i);
    if (!qb_cvt_is_cast_family(k->family) || k->isa == QB_ISA_scalar) continue;
    if (family != QB_FAMILY_COUNT && k->family != family) continue;
    char buf[160];
    const char* reason;
    if (!qb_kernel_usable(k, cpu, &reason, buf, sizeof buf)) {
      if (report) printf("[ SKIPPED  ] %s: %s\n", k->name, reason);
      skipped++;
      continue;
    }
    if (n < max) out[n++] = k;
  }
  if (report) printf("%zu usable variant(s), %zu skipped\n", n, skipped);
  return n;
}

/* Fails on the first output of variant k on in[0..n) that the verification oracle
 * (host/numerics/verify.h: the reference with k's declared semantics applied) rejects,
 * printing its input and both outputs. want: the reference's output on `in` (NULL: the
 * oracle computes it). Equal bytes pass under every semantics before the element-wise look. */
static inline void qb_cvt_expect(const qb_kernel_info* k, const void* in, const void* want, const void* got,
                                 size_t n, const char* where) {
  const qb_family_info* f = qb_family_get(k->family);
  const unsigned bits_in = (unsigned) qb_dtype_get(f->in)->bits,
                 bits_out = (unsigned) qb_dtype_get(f->out)->bits;
  if (want != NULL && memcmp(want, got, n * (bits_out / 8)) == 0) return;
  const qb_verify_io io = {f, n, in, NULL, NULL};
  qb_verify_result r;
  qb_error err = {0};
  if (qb_verify(&io, want, got, k->sem, &r, &err) != QB_OK) fail_msg("%s (%s): %s", k->name, where, err.msg);
  if (r.first == SIZE_MAX) return;
  fail_msg("%s (%s): element %zu, input 0x%0*" PRIx64 ": expected 0x%0*" PRIx64 ", got 0x%0*" PRIx64, k->name,
           where, r.first, (int) bits_in / 4, qb_element_bits(f->in, in, r.first), (int) bits_out / 4, r.want,
           (int) bits_out / 4, r.got);
}

#endif /* QB_TEST_CVT_H */
