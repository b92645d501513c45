/* The one context struct: everything a command needs that is detected once. */
#ifndef QB_CONTEXT_H
#define QB_CONTEXT_H

#include <stdio.h>

#include "platform/cpu.h"
#include "platform/topo.h"

typedef struct qb_ctx {
  qb_cpu cpu;   /* features and the ISA cap */
  qb_topo topo; /* topology and caches */
  const char* argv0;
  /* Set by a command once its product is in a file (run's results): a failure to write
   * stdout (a closed pipe, /dev/full) then loses only the table, not the exit code. */
  bool stdout_optional;
} qb_ctx;

#endif
