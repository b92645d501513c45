/*
 * Instructions per element (`qbench icount`): the regression gate's deterministic
 * signal. Each CPU kernel that valgrind can run is called once at a fixed n (with a
 * tail) under callgrind, and the instructions it executed are counted; the same binary
 * on the same input executes the same instructions every time, so a count that rose
 * between the base and the head is a change in the code, never noise.
 *
 * Here: the counts file (JSON), reading callgrind's per-call dumps, and the comparison
 * of a base's counts with a head's (the verdict `qbench compare --paired` reports next
 * to the timing rows). `host/cli/cmd_icount.c` does the counting.
 */
#ifndef QB_ICOUNT_H
#define QB_ICOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/status.h"

/*
 * A kernel fails the gate when its instructions per element rose by more than this,
 * in percent. The counts are exact, so any threshold above 0 has no false alarm on an
 * unchanged kernel; this one leaves room for a deliberate small trade (a setup
 * instruction more per call) and catches a loop that does a few percent more work
 * (ci/README.md: what it caught, measured).
 */
#define QB_ICOUNT_DEFAULT_THRESHOLD_PCT 1.0
/* The elements of a counted call: 4181 = 37 * 113 is odd (every SIMD loop has a
 * tail) and per-channel kernels get channels of 113 (a tail in every channel). */
#define QB_ICOUNT_DEFAULT_N 4181
/* The ISA cap when none is given: valgrind 3.19 decodes AVX2, FMA and F16C but no
 * AVX-512. */
#define QB_ICOUNT_DEFAULT_CAP "avx2"

typedef struct qb_icount_entry {
  char* kernel; /* the stable name, "f32_dot__avx2_u32" */
  char* isa;
  uint64_t n;            /* elements of the counted call */
  uint64_t instructions; /* executed by that call, callees included */
} qb_icount_entry;

/* A kernel of this CPU that was not counted, and why (the ISA cap, valgrind). */
typedef struct qb_icount_skip {
  char* kernel;
  char* reason;
} qb_icount_skip;

typedef struct qb_icount_set {
  char* tool;    /* "callgrind-3.19.0" */
  char* isa_cap; /* the cap the kernels ran under */
  char* version; /* qbench's */
  size_t count;
  qb_icount_entry* e;
  size_t n_skipped;
  qb_icount_skip* skipped;
} qb_icount_set;

/* Sets the set's strings (copied; any may be NULL: ""). */
qb_status qb_icount_init(qb_icount_set* s, const char* tool, const char* isa_cap, const char* version,
                         qb_error* err);
/* Appends one counted kernel, or one not counted (strings copied). */
qb_status qb_icount_add(qb_icount_set* s, const char* kernel, const char* isa, uint64_t n,
                        uint64_t instructions, qb_error* err);
qb_status qb_icount_add_skipped(qb_icount_set* s, const char* kernel, const char* reason, qb_error* err);
void qb_icount_free(qb_icount_set* s);

/* Kernel `from`'s entries (counted or not) under the stable name `to`: for comparing
 * counts across a variant's rename (`qbench compare --rename`). */
qb_status qb_icount_rename(qb_icount_set* s, const char* from, const char* to, qb_error* err);
/* The counts file (JSON) on f. QB_IO when the stream fails. */
qb_status qb_icount_write(FILE* f, const qb_icount_set* s, qb_error* err);

/*
 * One callgrind dump (a `callgrind.out` file's text): the client request that
 * triggered it (`desc: Trigger: Client Request: NAME`) into name, and its total
 * instructions (the `summary:` line, or `totals:`) into *ir; tool (when not NULL) gets
 * the `creator:` ("callgrind-3.19.0"). False when the name or the count is missing.
 */
bool qb_icount_parse_dump(const char* text, char* name, size_t name_len, uint64_t* ir, char* tool,
                          size_t tool_len);

/* The counts file: {"format": "qbench-icount", ...} (results/README.md). Reading
 * checks every field; QB_BAD_INPUT names the file and what is wrong. */
qb_status qb_icount_load(const char* path, qb_icount_set* s, qb_error* err);

typedef enum qb_icount_verdict {
  QB_ICOUNT_SAME,   /* the same instructions per element */
  QB_ICOUNT_WITHIN, /* more, by no more than the threshold */
  QB_ICOUNT_MORE,   /* more by more than the threshold: a regression */
  QB_ICOUNT_FEWER,  /* fewer (not failing) */
  QB_ICOUNT_GONE,   /* counted in the base, not in the head: a regression */
  QB_ICOUNT_NEW,    /* counted in the head only */
} qb_icount_verdict;
const char* qb_icount_verdict_name(qb_icount_verdict v);

typedef struct qb_icount_row {
  const char* kernel;
  double base_pe, head_pe; /* instructions per element; NAN where that side has none */
  double change_pct;
  qb_icount_verdict verdict;
} qb_icount_row;

typedef struct qb_icount_cmp {
  double threshold_pct;
  const char *base_tool, *head_tool, *isa_cap;
  size_t n_rows; /* the base's order, then kernels new in the head */
  qb_icount_row* rows;
  size_t n_same, n_within, n_more, n_fewer, n_gone, n_new;
} qb_icount_cmp;

/* Kernels matched by name; the sets must outlive *out. */
qb_status qb_icount_compare(const qb_icount_set* base, const qb_icount_set* head, double threshold_pct,
                            qb_icount_cmp* out, qb_error* err);
void qb_icount_cmp_free(qb_icount_cmp* c);
/* Whether the gate fails on counts: a kernel with more instructions, or one gone. */
bool qb_icount_regressed(const qb_icount_cmp* c);

#endif
