/*
 * The machine's roofs (roof.c), measured in the same run with the same machinery as
 * the cases: from explicit inputs (the plan, the backends in use, the measure options)
 * into a table of values; the lookups that hold a row to its roof.
 */
#ifndef QB_RUN_ROOF_H
#define QB_RUN_ROOF_H

#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backends/backend.h"
#include "measure/measure.h"
#include "run/plan.h"

#define QB_ROOFS_MAX 512

typedef struct qb_roof {
  char name[96];          /* "copy", "read", "write", "stream_r<R>_w<W>", or a peak kernel's stable name */
  const char* size_class; /* "L1", "L2", "L3", "DRAM" */
  int backend;            /* a device backend's copy roof: its qb_backend_id; -1 for the CPU's roofs */
  int device;             /* a device's copy roof: its index; -1 for the CPU's */
  const char* device_name;
  const char* timing; /* device roofs: "device" or "host-wall" */
  unsigned threads;
  uint64_t bytes; /* bandwidth roofs: the footprint */
  uint64_t n;     /* compute roofs: elements per call in total */
  qb_dtype in;    /* compute roofs: the dtype path (QB_DTYPE_none otherwise) */
  int family;     /* compute roofs: the peak family (a qb_family) */
  double bytes_per_second;
  double flops_per_second; /* compute roofs */
  unsigned r, w;           /* stream roofs: cache lines read and written per step */
  const char* method;      /* CPU bandwidth roofs: the way that was fastest */
  /* CPU bandwidth roofs: every way tried (qb__ways in roof.c) and its bytes/s (0: failed). */
  size_t n_ways;
  const char* way_names[8];
  double way_bps[8];
  bool huge_pages; /* buffers 2 MiB-aligned and offered to transparent huge pages */
  /* CPU roofs are limits, so each is the fastest repetition of its fastest way over
   * every trial: `trials` in all, of which `retries` were taken because a row went above
   * it (qb_roof_retry) and one at the end of the run (qb_roofs_last_trial). */
  unsigned trials;
  unsigned retries;
  /* CPU bandwidth roofs: each trial's fastest way, in the order timed (the first
   * 16): a spread of trials is a machine that changed during the run. */
  double trial_bps[16];
  unsigned n_trial_bps;
  unsigned repetitions;    /* per way and trial */
  unsigned placements;     /* CPU bandwidth roofs: copies of the buffers the runs go round */
  unsigned nt_repetitions; /* the non-temporal ways' repetitions (over one copy) */
  double min_time;         /* seconds per repetition */
  double warm_s;           /* untimed calls per thread before each way's repetitions (0: none) */
  /* CPU bandwidth roofs of 4 MiB or more: how many retries (qb_roof_retry) also timed
   * the fastest way in the rows' own repetitions (not in trial_bps), and those. */
  unsigned row_shaped;
  unsigned row_repetitions;
  double row_min_time;
  bool ok;
  bool skipped; /* not measurable here (a device's allocation limit): not an error */
  char reason[512];
} qb_roof;

typedef struct qb_roofs {
  qb_roof items[QB_ROOFS_MAX];
  size_t count;
} qb_roofs;

/* What the roofs are measured from. */
typedef struct qb_roof_input {
  const qb_ctx* ctx;
  const qb_plan* plan;               /* which roofs its cases need */
  qb_backend* const* backends;       /* QB_BACKEND_COUNT entries; NULL: not used */
  qb_measure_options measure;        /* as the cases are measured */
  unsigned all_threads;              /* the "every core" thread count */
  const volatile sig_atomic_t* stop; /* set: stop before the next roof */
  /* Called before each roof is timed: its benchmark name (progress), and the count of
   * roofs that are final (every entry before the one under way: the journal). */
  void (*progress)(void* user, const char* name, const qb_roofs* roofs, size_t final);
  void* user;
} qb_roof_input;

/* Measures every roof the plan needs into *out (emptied first). */
void qb_roofs_measure(const qb_roof_input* in, qb_roofs* out);
/* How many times one row may have its roof re-measured because it went above it, and
 * how many such retries one roof may have in a run. */
#define QB_ROOF_MAX_RETRIES 2
#define QB_ROOF_MAX_RETRIES_PER_ROOF 12
/* A CPU bandwidth roof whose trials' fastest and slowest differ by more than this
 * factor is reported at the end of the run (qb_roof_unsteady). */
#define QB_ROOF_UNSTEADY 1.3
/* One more trial of a CPU bandwidth roof or a device copy roof (every way once, the
 * best kept; a CPU roof of 4 MiB or more then times its fastest way once more as the
 * rows are timed), because a row went above it; false when it is neither, or has had its
 * QB_ROOF_MAX_RETRIES_PER_ROOF retries, or the trial found nothing faster. */
bool qb_roof_retry(const qb_roof_input* in, qb_roofs* roofs, size_t index);
/* One more trial, at the end of the run, of every CPU bandwidth roof and device copy
 * roof whose `used` entry is set (QB_ROOFS_MAX entries): a load that was there when the
 * roofs were first timed is seldom there at both ends of the run. */
void qb_roofs_last_trial(const qb_roof_input* in, qb_roofs* roofs, const bool* used);
/* A CPU bandwidth roof's slowest and fastest trial (bytes/s); true when they differ by
 * more than QB_ROOF_UNSTEADY: the machine moved these bytes at different rates at
 * different times of the run, and a fraction of the roof is as uncertain as that. */
bool qb_roof_unsteady(const qb_roof* x, double* slowest, double* fastest);
/* The CPU's copy roof for a size class and thread count, or NULL. */
const qb_roof* qb_roof_copy(const qb_roofs* roofs, const char* size_class, unsigned threads);
/* The CPU bandwidth roof a family's rows are held to: its own read:write mix (read for
 * dots, copy for equal halves, stream_r<R>_w<W> otherwise), or NULL. */
const qb_roof* qb_roof_for_family(const qb_roofs* roofs, const qb_family_info* f, const char* size_class,
                                  unsigned threads);
/* The footprint of the bandwidth roof a device case is held to: the CPU roofs'
 * footprint for its size class, or, for an explicit element count, the case's own bytes. */
uint64_t qb_roof_device_bytes(const qb_topo* topo, const qb_case* k);
/* A device's bandwidth roof of a family's read:write mix (named as the CPU's) at a
 * footprint, or NULL. */
const qb_roof* qb_roof_device(const qb_roofs* roofs, qb_backend_id backend, int device, uint64_t bytes,
                              const qb_family_info* f);
/* A dot family's compute roof at a thread count: the fastest measured variant of the
 * peak families its families.inc line names (qb_family_bound_by), or NULL. */
const qb_roof* qb_roof_compute(const qb_roofs* roofs, const qb_family_info* f, unsigned threads);
json_t* qb_roofs_json(const qb_roofs* roofs);

#endif
