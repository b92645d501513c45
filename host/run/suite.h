/*
 * Suites: what `qbench run` measures, read from a small line-oriented file
 * (suites/README.md has the format). A suite is data only: it names families or
 * kernel globs, dtypes, sizes, input distributions, backends, thread counts and the
 * timing knobs. The planner turns it into cases; this module never touches a kernel.
 */
#ifndef QB_SUITE_H
#define QB_SUITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backends/backend.h"
#include "numerics/dist.h"
#include "platform/registry.h"
#include "core/status.h"
#include "platform/topo.h"

/* Fixed capacities: a suite is a few lines, so the struct holds everything inline and
 * needs no allocation. A list longer than its capacity is a parse error. */
#define QB_SUITE_MAX_PATTERNS 64
#define QB_SUITE_MAX_PATTERN_LEN 96
#define QB_SUITE_MAX_SIZES 16
#define QB_SUITE_MAX_THREADS 8
/* Limits on values; anything beyond is rejected with the line that gave it. */
#define QB_SUITE_MAX_ELEMENTS (UINT64_C(1) << 40)
#define QB_SUITE_MAX_REPETITIONS 1000
#define QB_SUITE_MAX_MIN_TIME 3600.0

/* The factor by which a DRAM-class case's buffers exceed the last-level cache. */
#define QB_SUITE_DRAM_FACTOR 4

/* A size: an element count, or a class sized from the caches for each family. */
typedef enum qb_size_kind {
  QB_SIZE_ELEMENTS = 0, /* exactly `elements` (rounded to the family's n_multiple) */
  QB_SIZE_L1,           /* the case's buffers fill half of L1d */
  QB_SIZE_L2,           /* half of L2 */
  QB_SIZE_L3,           /* half of the last-level cache */
  QB_SIZE_DRAM,         /* at least QB_SUITE_DRAM_FACTOR x the last-level cache */
} qb_size_kind;

typedef struct qb_size_spec {
  qb_size_kind kind;
  uint64_t elements; /* QB_SIZE_ELEMENTS only */
} qb_size_spec;

/* Rounding modes for the quantize families: bit (1 << qb_round_mode). */
#define QB_SUITE_ROUND_BIT(mode) (1u << (unsigned) (mode))

/* threads[i] == QB_SUITE_THREADS_ALL means one thread per core (topology). */
#define QB_SUITE_THREADS_ALL 0u
/* threads[i] == QB_SUITE_THREADS_SCALING ("1..all") means counts from 1 to one per core,
 * spaced evenly on a log scale (1, 2, 4, ... and every core; at most
 * QB_SUITE_MAX_THREADS in all): a thread-scaling curve. */
#define QB_SUITE_THREADS_SCALING 0xFFFFFFFFu

typedef struct qb_suite {
  char name[64];   /* "quick": the file name without directory and ".suite" */
  char path[1024]; /* the file it was read from ("" when parsed from text) */
  char description[160];

  /* Selection. A family is in when some `families` glob matches its name (none given:
   * all), it has a dtype in `dtypes` (0: any), and, when `kernels` globs are given,
   * one of them could match one of its kernels. */
  size_t n_families;
  char families[QB_SUITE_MAX_PATTERNS][QB_SUITE_MAX_PATTERN_LEN];
  size_t n_kernels;
  char kernels[QB_SUITE_MAX_PATTERNS][QB_SUITE_MAX_PATTERN_LEN];
  uint64_t dtypes; /* bit (1 << qb_dtype); 0: no dtype filter */

  /* The matrix. Each list keeps the file's order; none is ever empty after parsing
   * (defaults: sizes L2, distributions normal, backends cpu, threads 1,
   * rounding pytorch). */
  size_t n_sizes;
  qb_size_spec sizes[QB_SUITE_MAX_SIZES];
  unsigned distributions; /* bit (1 << qb_dist), numerics/dist.h */
  unsigned backends;      /* bit (1 << qb_backend_id): backends/backends.inc; none given: the host ones */
  size_t n_threads;
  unsigned threads[QB_SUITE_MAX_THREADS]; /* QB_SUITE_THREADS_ALL or a count */
  unsigned rounding;                      /* QB_SUITE_ROUND_BIT(QB_ROUND_*) */

  /* Timing and data. Defaults: repetitions 3, min_time 0.1 s, seed 1. */
  unsigned repetitions;
  double min_time; /* seconds per repetition (Google Benchmark's --benchmark_min_time) */
  uint64_t seed;
} qb_suite;

/* Fills *s with the defaults above (no file). */
void qb_suite_defaults(qb_suite* s);

/*
 * Loads a suite. A bare name ("quick": no '/' and no ".suite") resolves to
 * <dir>/quick.suite, looking in $QBENCH_SUITES_DIR, then the executable's
 * ../share/qbench/suites/ (an installed qbench, /proc/self/exe), then suites/ next to
 * the executable, then the source tree's suites/. Anything else is a path. Not found: QB_IO naming every
 * place looked in. Parse errors: QB_BAD_INPUT "FILE:LINE: <what> (expected <what>)".
 */
qb_status qb_suite_load(const char* name_or_path, qb_suite* s, qb_error* err);

/* Parses suite text; `filename` is used in messages and for the suite's name. */
qb_status qb_suite_parse(const char* text, const char* filename, qb_suite* s, qb_error* err);

/* Releases what the suite holds (nothing today; kept so callers need not change). */
void qb_suite_free(qb_suite* s);

/* Whether the suite selects this family (families globs, dtypes, kernel globs). */
bool qb_suite_matches_family(const qb_suite* s, const qb_family_info* f);

/*
 * Whether the suite selects a kernel by its stable name, "<family>__<variant>"
 * ("f32_f16_cvt__avx2_u16"; other backends use their own variant names). The part
 * before "__" must be a selected family; then some `kernels` glob must match the whole
 * name (none given: all match).
 */
bool qb_suite_matches_kernel(const qb_suite* s, const char* stable_name);

/*
 * The element count for one size of one family on this machine. Classes are sized by
 * bytes: the case's total buffer bytes (qb_family_bytes; for a family that moves no
 * memory, like the compute peaks, its buffers' storage) fill half of L1d / L2 / the
 * last-level cache (the topology's *_used figures), or reach QB_SUITE_DRAM_FACTOR x
 * the last-level cache. n is rounded to the family's n_multiple (down for the cache
 * classes, never below one multiple; up for DRAM and explicit counts).
 * Beyond the family's max_n (integer dots), a cache class shrinks n to max_n when the
 * case then still exceeds the level below (an L2 case stays bigger than L1d); otherwise,
 * and always for DRAM and explicit counts, QB_SKIPPED with the reason.
 * QB_BAD_INPUT when the spec is invalid.
 */
qb_status qb_suite_resolve_size(const qb_size_spec* spec, const qb_topo* topo, const qb_family_info* f,
                                uint64_t* n, qb_error* err);

/*
 * The size class a case of n elements of family f falls in, for the results'
 * `size_class`: the spec's own class, or for an explicit count the smallest level
 * whose *_used size holds the case's bytes ("L1", "L2", "L3", else "DRAM").
 */
const char* qb_suite_size_class(const qb_size_spec* spec, const qb_topo* topo, const qb_family_info* f,
                                uint64_t n);

/* Names: "pytorch"; NULL for an out-of-range value. Distributions: qb_dist_name;
 * backends: qb_backend_name. */
const char* qb_suite_round_name(qb_round_mode r);
/* Writes a size spec as the suite file would ("L2", "1M", "4096") into buf. */
void qb_suite_size_string(const qb_size_spec* spec, char* buf, size_t len);

#endif
