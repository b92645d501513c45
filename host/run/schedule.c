#include "run/schedule.h"

#include <stdint.h>
#include <stdlib.h>

#include "run/prepared.h"

/* A keyed case: its data key and its plan index. */
typedef struct qb__keyed {
  qb_prepared_key key;
  size_t index;
} qb__keyed;

/* By key, then by plan index: each key's cases together, its first case first. */
static int qb__cmp(const void* pa, const void* pb) {
  const qb__keyed* a = pa;
  const qb__keyed* b = pb;
  const int c = qb_prepared_key_cmp(&a->key, &b->key);
  if (c != 0) return c;
  return a->index < b->index ? -1 : a->index > b->index;
}

qb_status qb_schedule_build(const qb_plan* plan, size_t** order, qb_error* err) {
  const size_t n = plan->count;
  *order = NULL;
  if (n == 0) return QB_OK;
  qb__keyed* keyed = malloc(n * sizeof *keyed);
  size_t* rank = malloc(n * sizeof *rank);
  size_t* start = calloc(n + 1, sizeof *start);
  size_t* out = malloc(n * sizeof *out);
  if (keyed == NULL || rank == NULL || start == NULL || out == NULL) {
    free(keyed);
    free(rank);
    free(start);
    free(out);
    return qb_fail(err, QB_NO_MEMORY, "out of memory scheduling %zu cases", n);
  }
  /* 1. The keyed cases, sorted by key: each key's cases side by side, in plan order. */
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    if (qb_prepared_key_of(&plan->cases[i], &keyed[m].key)) keyed[m++].index = i;
  }
  qsort(keyed, m, sizeof *keyed, qb__cmp);
  /* 2. Each case's rank: the plan index of the first case of its key; a case without
   * data, its predecessor's (rank[i] <= i either way). */
  for (size_t i = 0; i < n; i++) rank[i] = SIZE_MAX;
  for (size_t j = 0, first = 0; j < m; j++) {
    if (j == 0 || qb_prepared_key_cmp(&keyed[j - 1].key, &keyed[j].key) != 0) first = keyed[j].index;
    rank[keyed[j].index] = first;
  }
  for (size_t i = 0; i < n; i++) {
    if (rank[i] == SIZE_MAX) rank[i] = i > 0 ? rank[i - 1] : 0;
  }
  /* 3. A counting sort by rank, stable: within a rank, plan order. */
  for (size_t i = 0; i < n; i++) start[rank[i] + 1]++;
  for (size_t r = 0; r < n; r++) start[r + 1] += start[r];
  for (size_t i = 0; i < n; i++) out[start[rank[i]]++] = i;
  free(keyed);
  free(rank);
  free(start);
  *order = out;
  return QB_OK;
}
