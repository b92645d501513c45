/* The plan of `qbench run` (plan.c): the suite and the options become the list of
 * cases, every one a row. */
#ifndef QB_RUN_PLAN_H
#define QB_RUN_PLAN_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backends/backend.h"
#include "run/data.h"
#include "run/suite.h"

typedef enum qb_case_type { QB_CASE_KERNEL, QB_CASE_TRANSFER } qb_case_type;

/* One planned case: every one becomes at least one result row. */
typedef struct qb_case {
  char name[256]; /* results/README.md: <family>/<variant>/<backend>[:<device>]/n:/threads:/dist: */
  qb_case_type type;
  qb_backend_id backend;
  const qb_family_info* family; /* kernel cases */
  const qb_kernel_info* kernel; /* a registry kernel (host backends), else NULL */
  int device;                   /* the backend's device index */
  const char* device_name;      /* "cpu" or the backend's stable device name */
  char family_name[48];         /* the family, or "transfer" */
  char variant[64];             /* "avx2_u16", an OpenCL variant, "to_device" */
  char kernel_name[128];        /* "<family>__<variant>" */
  char isa[32];                 /* the rows' isa column: the kernel's ISA, else the backend */
  uint64_t n;                   /* elements (transfers: bytes); 0 when the size was skipped */
  const char* size_class;       /* "L1", "L2", "L3", "DRAM" */
  bool size_given;              /* n is the suite's element count, not a size class */
  qb_dist dist;                 /* QB_DIST_COUNT: none */
  const char* tensor;           /* --data: the tensor the case runs on (its name), else NULL */
  size_t tensor_index;          /* --data: into the plan input's data->tensors */
  unsigned threads;
  int round;           /* qb_round_mode, or -1 when the family does not round */
  qb_transfer_dir dir; /* transfers */
  qb_status planned;   /* QB_OK, or QB_SKIPPED / an error known before running */
  char reason[512];
} qb_case;

/* A variant of this architecture that this CPU cannot run (a missing feature, the ISA
 * cap, not built): not planned as rows unless --show-skipped; counted in one stderr line
 * and listed in the results' context. Variants of another architecture are never planned. */
typedef struct qb_unplanned {
  const qb_kernel_info* kernel;
  char needs[32];   /* the missing feature ("avx512f"), or "" */
  char reason[160]; /* qb_kernel_usable's reason */
} qb_unplanned;

typedef struct qb_plan {
  qb_case* cases;
  size_t count, cap;
  qb_unplanned* unplanned;
  size_t n_unplanned, cap_unplanned;
} qb_plan;

/* What the plan is built from (options resolved against the suite). */
typedef struct qb_plan_input {
  const qb_ctx* ctx;
  const qb_suite* suite;
  qb_backend* backends[QB_BACKEND_COUNT]; /* those used; NULL: not used */
  size_t n_threads;
  unsigned threads[QB_SUITE_MAX_THREADS]; /* resolved counts, deduplicated (host backends) */
  const regex_t* filter;                  /* NULL: all */
  bool show_skipped;                      /* plan this CPU's unusable variants as skipped rows */
  const qb_run_data* data;                /* --data: its tensors replace the suite's sizes and
                                             distributions, and no transfer is planned; else NULL */
} qb_plan_input;

qb_status qb_plan_build(const qb_plan_input* in, qb_plan* plan, qb_error* err);
/* "38 variants need avx512f, 2 need avxvnni, 3 above the ISA cap" into buf ("" when none). */
void qb_plan_unplanned_summary(const qb_plan* plan, char* buf, size_t len);
void qb_plan_free(qb_plan* plan);
/* Quantize families take a rounding mode (their names get /round:<mode>). */
bool qb_family_rounds(const qb_family_info* f);
/* Roof-only families (`*_peak`): measured as compute roofs, never planned as cases. */
bool qb_family_is_peak(const qb_family_info* f);

#endif
