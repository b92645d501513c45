/* Machine topology and caches, from hwloc (or /sys when hwloc is absent). */
#ifndef QB_TOPO_H
#define QB_TOPO_H

#include <stdbool.h>
#include <stdint.h>

#include "core/status.h"

typedef struct qb_topo {
  bool from_hwloc;
  char cpu_model[128];
  int packages, cores, pus, numa_nodes;
  /* Cores this process may run on (its CPU affinity when qbench started, e.g. under
   * taskset): what `threads = all` counts and where threads are pinned. */
  int cores_usable;
  /* Per-core data caches (L1d, L2) and the last level seen by one core, in bytes.
   * 0 when unknown. */
  uint64_t l1d, l2, l3;
  /* What sizing uses: the detected value unless the user overrode it. */
  uint64_t l1d_used, l2_used, l3_used;
  bool overridden;
} qb_topo;

/* Never fails: what cannot be found is 0. */
void qb_topo_detect(qb_topo* t);
/* Parses "L1=32K,L2=1M,L3=32M" overrides (K/M/G suffixes). */
qb_status qb_topo_override(qb_topo* t, const char* spec, qb_error* err);

/* Binds the calling thread to usable core `core` (0-based among the cores the process's
 * CPU affinity allowed when qbench started; wraps around), to one PU of it that the
 * affinity allowed. False when it could not (the OS refused); the caller records it. */
bool qb_topo_bind_thread(int core);

#endif
