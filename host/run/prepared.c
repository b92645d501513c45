#include "run/prepared.h"

#include <stdlib.h>
#include <string.h>

/* The rounding a case's data are made with (families that do not round: the default). */
static qb_round_mode qb__round(const qb_case* k) {
  return k->round < 0 ? QB_ROUND_PYTORCH : (qb_round_mode) k->round;
}

bool qb_prepared_key_of(const qb_case* k, qb_prepared_key* key) {
  memset(key, 0, sizeof *key);
  if (k->type != QB_CASE_KERNEL || k->planned != QB_OK || k->family == NULL) return false;
  key->family = k->family;
  key->round = qb__round(k);
  key->on_tensor = k->tensor != NULL;
  if (key->on_tensor) {
    key->tensor_index = k->tensor_index;
  } else {
    key->n = k->n;
    key->dist = k->dist;
  }
  return true;
}

#define QB__CMP(a, b) ((a) < (b) ? -1 : (a) > (b) ? 1 : 0)

int qb_prepared_key_cmp(const qb_prepared_key* a, const qb_prepared_key* b) {
  int c = QB__CMP(a->family->id, b->family->id);
  if (c == 0) c = QB__CMP(a->round, b->round);
  if (c == 0) c = QB__CMP(a->on_tensor, b->on_tensor);
  if (c == 0 && a->on_tensor) c = QB__CMP(a->tensor_index, b->tensor_index);
  if (c == 0 && !a->on_tensor) c = QB__CMP(a->n, b->n);
  if (c == 0 && !a->on_tensor) c = QB__CMP(a->dist, b->dist);
  return c;
}

/* Whether the data held were made for case k: the same key (family and rounding, and the
 * same tensor or the same size and distribution) and seed. The thread count is not part
 * of it: every slice of a case reads the one set of inputs. */
static bool qb__same(const qb_prepared* p, const qb_case* k, uint64_t seed) {
  qb_prepared_key key;
  return p->have && qb_prepared_key_of(k, &key) && qb_prepared_key_cmp(&key, &p->key) == 0 && seed == p->seed;
}

/*
 * A sum of `bytes` bytes at `at` into four lanes. Each step, h = (h ^ w) * odd, is a
 * bijection of the lane for a given word and of the word for a given lane, so one
 * changed word always changes its lane's result; four lanes keep the multiplies'
 * latency out of the way (about 0.2 ms a MiB).
 */
static void qb__sum_bytes(uint64_t h[4], const void* at, size_t bytes) {
  const uint64_t odd = 0x9E3779B97F4A7C15ull;
  const unsigned char* b = at;
  if (at == NULL) return;
  for (; bytes >= 32; bytes -= 32, b += 32) {
    uint64_t w[4];
    memcpy(w, b, sizeof w);
    for (int j = 0; j < 4; j++) h[j] = (h[j] ^ w[j]) * odd;
  }
  for (int j = 0; bytes > 0; j++) {
    uint64_t w = 0;
    const size_t take = bytes < 8 ? bytes : 8;
    memcpy(&w, b, take);
    h[j] = (h[j] ^ w ^ (uint64_t) take << 56) * odd;
    bytes -= take;
    b += take;
  }
}

/* The four words of a sum, folded into one. */
static uint64_t qb__fold(const uint64_t h[4]) {
  return h[0] ^ (h[1] << 1 | h[1] >> 63) ^ (h[2] << 2 | h[2] >> 62) ^ (h[3] << 3 | h[3] >> 61);
}

/* Every byte the cases read from the data: inputs, per-channel parameters, the scalar
 * and the f64 references. */
static uint64_t qb__sum(const qb_case_data* d) {
  uint64_t h[4] = {1, 2, 3, 4};
  qb__sum_bytes(h, d->x, d->x_bytes);
  qb__sum_bytes(h, d->x2, d->x2_bytes);
  qb__sum_bytes(h, d->y_ref, d->y_bytes);
  if (d->have_ref64) {
    qb__sum_bytes(h, d->ref64, d->ref64 != NULL ? qb_case_data_outputs(d) * sizeof *d->ref64 : 0);
    qb__sum_bytes(h, &d->dot64, sizeof d->dot64);
    qb__sum_bytes(h, &d->dot64_sum_abs, sizeof d->dot64_sum_abs);
  }
  qb__sum_bytes(h, d->scales, d->channels * sizeof *d->scales);
  qb__sum_bytes(h, d->inv_scales, d->channels * sizeof *d->inv_scales);
  qb__sum_bytes(h, d->zero_points, d->channels * sizeof *d->zero_points);
  qb__sum_bytes(h, &d->qp, sizeof d->qp);
  return qb__fold(h);
}

/* The sum of the f32 draws held. */
static uint64_t qb__draw_sum(const qb_prepared* p) {
  uint64_t h[4] = {5, 6, 7, 8};
  qb__sum_bytes(h, p->xf, p->xf != NULL ? p->draw_n * sizeof *p->xf : 0);
  qb__sum_bytes(h, p->x2f, p->x2f != NULL ? p->draw_n * sizeof *p->x2f : 0);
  return qb__fold(h);
}

static void qb__free_draws(qb_prepared* p) {
  free(p->xf);
  free(p->x2f);
  p->xf = p->x2f = NULL;
  p->draw_n = 0;
}

/* Frees the case's data (and its key); the draws stay. */
static void qb__free_data(qb_prepared* p) {
  if (p->have) qb_case_data_free(&p->d);
  p->have = false;
  memset(&p->key, 0, sizeof p->key);
  p->last_case = NULL;
}

void qb_prepared_free(qb_prepared* p) {
  qb__free_data(p);
  qb__free_draws(p);
  memset(p, 0, sizeof *p);
}

/*
 * The f32 values case k's inputs are made from, in p->xf (and p->x2f for a dot): those
 * held when they were drawn for the same size, distribution and seed and are intact
 * (the check as for the data: they are the runner's own buffers, but on the same heap),
 * else drawn now, the old freed first.
 */
static qb_status qb__draws(qb_prepared* p, const qb_case* k, uint64_t seed, qb_error* err) {
  const size_t n = (size_t) k->n;
  const bool dot = k->family->kind == QB_KIND_dot;
  if (p->xf != NULL &&
      (p->draw_n != n || p->draw_dist != k->dist || p->draw_seed != seed || qb__draw_sum(p) != p->draw_sum)) {
    qb__free_draws(p);
  }
  if (p->xf == NULL) {
    p->xf = malloc((n ? n : 1) * sizeof *p->xf);
    if (p->xf == NULL) goto oom;
    qb_case_draw(k->dist, seed, n, 0, p->xf);
    p->draw_n = n;
    p->draw_dist = k->dist;
    p->draw_seed = seed;
  }
  if (dot && p->x2f == NULL) {
    p->x2f = malloc((n ? n : 1) * sizeof *p->x2f);
    if (p->x2f == NULL) goto oom;
    qb_case_draw(k->dist, seed, n, 1, p->x2f);
  }
  p->draw_sum = qb__draw_sum(p);
  return QB_OK;
oom:
  qb__free_draws(p);
  return qb_fail(err, QB_NO_MEMORY, "%s: no memory for n = %zu inputs", k->family->name, n);
}

/* New data for case k into p->d: from the tensor, or from the draws (held for the next
 * family when small enough to keep). */
static qb_status qb__make(qb_prepared* p, const qb_case* k, uint64_t seed, qb_run_data* data,
                          qb_round_mode round, qb_error* err) {
  if (k->tensor != NULL || k->n > QB_PREPARED_KEEP_MAX_N) {
    qb__free_draws(p);
    return k->tensor != NULL ? qb_run_data_case(data, k->tensor_index, k->family, round, &p->d, err)
                             : qb_case_data_init(&p->d, k->family, (size_t) k->n, k->dist, seed, round, err);
  }
  const qb_status s = qb__draws(p, k, seed, err);
  if (s != QB_OK) return s;
  /* What qb_case_data_init does with the values it draws. */
  const qb_case_options o = {round, false, NULL, 0};
  return qb_case_data_init_from(&p->d, k->family, (size_t) k->n, QB_DTYPE_f32, p->xf, QB_DTYPE_f32,
                                k->family->kind == QB_KIND_dot ? p->x2f : NULL, &o, err);
}

qb_status qb_prepared_case(qb_prepared* p, const qb_case* k, uint64_t seed, qb_run_data* data,
                           qb_case_data** out, qb_prepared_info* info, qb_error* err) {
  memset(info, 0, sizeof *info);
  *out = NULL;
  if (qb__same(p, k, seed)) {
    if (qb__sum(&p->d) == p->sum) {
      /* The output buffer as a fresh one is: every byte zero. */
      memset(p->d.y, 0, p->d.y_bytes);
      p->last_case = k->name;
      info->reused = true;
      *out = &p->d;
      return QB_OK;
    }
    info->changed_by = p->last_case;
  }
  /* 1. The old data go before the new ones are made: one case's data at a time (the
   * draws they were made from stay while the next ones are drawn the same). */
  qb__free_data(p);
  const qb_round_mode round = qb__round(k);
  qb_status s = qb__make(p, k, seed, data, round, err);
  /* 2. The f64 reference that every case's error figures are computed against, kept with
   * the data when small enough (QB_PREPARED_KEEP_MAX_N): each variant's evaluation then
   * decodes only its own output. */
  if (s == QB_OK && qb_case_data_outputs(&p->d) <= QB_PREPARED_KEEP_MAX_N) {
    s = qb_case_data_keep_ref64(&p->d, err);
    if (s != QB_OK) qb_case_data_free(&p->d);
  }
  if (s != QB_OK) {
    qb_prepared_free(p);
    return s;
  }
  /* 3. The key, and the sum of what the next cases will read. */
  p->have = true;
  qb_prepared_key_of(k, &p->key);
  p->seed = seed;
  p->sum = qb__sum(&p->d);
  p->last_case = k->name;
  *out = &p->d;
  return QB_OK;
}
