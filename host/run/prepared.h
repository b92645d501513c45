/*
 * The data of a run's consecutive cases, prepared once (prepared.c): every variant of a
 * family at the same size, distribution, seed and rounding (or on the same --data
 * tensor) gets the same inputs, quantization parameters, scalar reference output and
 * f64 reference (qb_case_data_keep_ref64: what the error figures are computed against),
 * so the runner keeps them from one case to the next instead of drawing, converting,
 * running the reference and decoding the inputs again; and the next family at the same
 * size, distribution and seed gets the same f32 draws (qb_case_draw), converted anew. Owned by the run loop
 * (run.c), which hands each case's data to its backend; nothing below it knows. At most one case's data are
 * held: they are freed when a case needs others (before those are made) and when the runner says so (a
 * transfer case, the end of the cases).
 *
 * What each variant makes of the data is still its own: its output buffer is zeroed
 * again, as a fresh one is, before it is handed on, and its error figures are computed
 * from its own output. The backends take the inputs as const (backend.h; the OpenCL
 * one copies them to its own buffers); should a kernel write them all the same, the
 * change is found before the next case uses them (a 64-bit sum of every byte the cases
 * read, taken when they were made) and they are made again.
 */
#ifndef QB_RUN_PREPARED_H
#define QB_RUN_PREPARED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "numerics/casedata.h"
#include "run/data.h"
#include "run/plan.h"

/* Beyond a case's own buffers, what the runner keeps for the next cases (the f64
 * reference of its outputs, 8 bytes each; the f32 values its inputs were drawn as, 4
 * bytes an operand) is kept up to this many elements (32 MiB of reference); beyond (the
 * DRAM-sized cases on a 32 MiB last level), made again for each case rather than held. */
#define QB_PREPARED_KEEP_MAX_N ((size_t) 4 << 20)

/* What a kernel case's data are made from, the run's seed aside: its family and rounding,
 * and its --data tensor or its element count and distribution. The variant, backend,
 * device and thread count are not part of it: every one of them reads the same data. */
typedef struct qb_prepared_key {
  const qb_family_info* family;
  qb_round_mode round;
  bool on_tensor;
  size_t tensor_index; /* on_tensor */
  uint64_t n;          /* !on_tensor */
  qb_dist dist;        /* !on_tensor */
} qb_prepared_key;

/* Whether case k is given data at all (a kernel case planned to run), and then its key. */
bool qb_prepared_key_of(const qb_case* k, qb_prepared_key* key);
/* A total order of keys: 0 exactly when the cases get the same data (for one seed). */
int qb_prepared_key_cmp(const qb_prepared_key* a, const qb_prepared_key* b);

typedef struct qb_prepared {
  /* Private: what the data held were made for (the key), the data, their sum. */
  bool have;
  qb_prepared_key key;
  uint64_t seed;
  qb_case_data d;
  uint64_t sum;
  const char* last_case; /* the name of the last case given them */
  /* Private: the f32 values the data were made from (xf, and x2f once a dot drew it), kept
   * for the next family of the same size, distribution and seed (the draw's whole key:
   * consecutive families of equal bytes per element draw the same); their sum. */
  float* xf;
  float* x2f;
  size_t draw_n;
  qb_dist draw_dist;
  uint64_t draw_seed;
  uint64_t draw_sum;
} qb_prepared;

/* What qb_prepared_case did, for the runner's counts and notes. */
typedef struct qb_prepared_info {
  bool reused;            /* the data held were given again */
  const char* changed_by; /* not NULL: the inputs held had changed after this case (its
                             name): made again */
} qb_prepared_info;

/*
 * The data of kernel case k (seed: the run's; data: --data's tensors, or NULL), into
 * *out (owned by p, valid until the next call or qb_prepared_free): those held when the
 * last case had the same key and they are intact, else new ones (the old freed first).
 * Only consecutive cases share: the runner orders its cases by key (schedule.h).
 * A failure is the case's (an error row); p then holds nothing.
 */
qb_status qb_prepared_case(qb_prepared* p, const qb_case* k, uint64_t seed, qb_run_data* data,
                           qb_case_data** out, qb_prepared_info* info, qb_error* err);

/* Frees what p holds; p stays usable. Safe on a zeroed p. */
void qb_prepared_free(qb_prepared* p);

#endif
