/* The "context" object of a results file (run_context.c; results/README.md), from
 * explicit facts about the run. */
#ifndef QB_RUN_CONTEXT_H
#define QB_RUN_CONTEXT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "backends/backend.h"
#include "run/plan.h"
#include "run/roof.h"
#include "run/run.h"

typedef struct qb_run_facts {
  const qb_ctx* ctx;
  const char* suite; /* its name */
  uint64_t seed;
  unsigned repetitions;
  double min_time, case_timeout;
  unsigned all_threads; /* what "all" resolved to */
  bool pinned_all;      /* every thread could be pinned */
  const qb_plan* plan;  /* the variants not planned; NULL: none */
  const qb_roofs* roofs;
  qb_backend* const* backends;   /* QB_BACKEND_COUNT entries; NULL: not used */
  const qb_run_options* options; /* --context pairs; NULL: none */
} qb_run_facts;

json_t* qb_run_context(const qb_run_facts* f, bool incomplete);

#endif
