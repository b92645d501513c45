/*
 * qbench error --data: the user's tensors as the workload. Every selected tensor through
 * every storage format (f32 in, a narrower dtype out: casts, affine per tensor and per
 * channel along --axis, block and group formats), by the formats' scalar references, with
 * the same figures as `qbench error` (host/numerics/metrics.h): a row per tensor and format
 * and a summary per format (SQNR weighted by the tensors' energy, total bytes with
 * metadata, the ratio to f32).
 */
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cmd_error_data.h"
#include "io/tensorset.h"
#include "numerics/casedata.h"

/* "q8_0_quant" for f32_q8_0_quant: the family name without its f32 input (display only). */
static const char* qb__label(const qb_family_info* f) {
  return strncmp(f->name, "f32_", 4) == 0 ? f->name + 4 : f->name;
}

/* The formats named in a comma list (family names, labels, or an unambiguous output
 * dtype), or every format when list is NULL. Returns the count, or -1 after a message. */
static int qb__select_formats(const char* list, const qb_family_info** out) {
  int k = 0;
  if (list == NULL) {
    for (int fi = 0; fi < QB_FAMILY_COUNT; fi++) {
      const qb_family_info* f = qb_family_get((qb_family) fi);
      if (qb_case_is_format(f)) out[k++] = f;
    }
    return k;
  }
  char buf[1024];
  snprintf(buf, sizeof buf, "%s", list);
  for (char* tok = strtok(buf, ","); tok != NULL; tok = strtok(NULL, ",")) {
    const qb_family_info* hit = NULL;
    int hits = 0;
    for (int fi = 0; fi < QB_FAMILY_COUNT; fi++) {
      const qb_family_info* f = qb_family_get((qb_family) fi);
      if (!qb_case_is_format(f)) continue;
      if (strcmp(tok, f->name) == 0 || strcmp(tok, qb__label(f)) == 0) {
        hit = f;
        hits = 1;
        break;
      }
      if (strcmp(tok, qb_dtype_get(f->out)->name) == 0) {
        hit = f;
        hits++;
      }
    }
    if (hits != 1) {
      fprintf(stderr, "qbench error: --formats: '%s' %s (formats: ", tok,
              hits ? "names several formats; give one" : "is not a format");
      for (int fi = 0, first = 1; fi < QB_FAMILY_COUNT; fi++) {
        const qb_family_info* f = qb_family_get((qb_family) fi);
        if (!qb_case_is_format(f)) continue;
        fprintf(stderr, "%s%s", first ? "" : " ", qb__label(f));
        first = 0;
      }
      fprintf(stderr, ")\n");
      return -1;
    }
    out[k++] = hit;
  }
  return k;
}

typedef struct qb__sum {
  double signal, noise, max_abs, max_rel;
  double bytes, elements;
  uint64_t tensors, skipped, overflows;
} qb__sum;

/* One tensor through one format: what a worker computes and the printer reads. */
typedef struct qb__cell {
  qb_status status;
  qb_error err;
  qb_error_metrics m;
  double bytes;
} qb__cell;

/* The formats of one tensor shared out among the workers, each taking the next one. */
typedef struct qb__job {
  const qb_family_info* const* formats;
  int nf;
  const float* x;
  size_t n, chlen;
  qb__cell* cells;
  pthread_mutex_t lock;
  int next;
} qb__job;

static void qb__cell_run(const qb__job* j, int k) {
  const qb_family_info* f = j->formats[k];
  qb__cell* c = &j->cells[k];
  const qb_case_options opt = {QB_ROUND_PYTORCH, false, NULL, j->chlen};
  qb_case_data d;
  memset(c, 0, sizeof *c);
  if (j->n % f->n_multiple != 0) {
    c->status = qb_fail(&c->err, QB_SKIPPED, "%zu elements: not a multiple of the block length %llu", j->n,
                        (unsigned long long) f->n_multiple);
    return;
  }
  c->status = qb_case_data_init_from(&d, f, j->n, QB_DTYPE_f32, j->x, QB_DTYPE_none, NULL, &opt, &c->err);
  if (c->status != QB_OK) return;
  /* The reference's output against itself: the figures only (no kernel is under test). */
  c->status = qb_case_data_evaluate(&d, d.y_ref, QB_SEM_EXACT, &c->m, &c->err);
  const bool block = qb_dtype_get(f->out)->cls == QB_CLASS_block;
  c->bytes = (double) d.y_bytes + (block ? 0.0 : (double) d.metadata_bytes);
  qb_case_data_free(&d);
}

static void* qb__worker(void* arg) {
  qb__job* j = (qb__job*) arg;
  for (;;) {
    pthread_mutex_lock(&j->lock);
    const int k = j->next++;
    pthread_mutex_unlock(&j->lock);
    if (k >= j->nf) return NULL;
    qb__cell_run(j, k);
  }
}

/*
 * Every format of one tensor, on as many threads as there are CPUs, within a working
 * set of about 1 GiB: each format in flight holds a copy of the tensor, its output and
 * the reference's (up to ~16 bytes per element), so a large tensor runs on fewer.
 */
static void qb__run_tensor(qb__job* j) {
  enum { MAX_WORKERS = 16 };
  const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  const double per = 16.0 * (double) j->n;
  long w = cpus < 1 ? 1 : cpus;
  if (w > MAX_WORKERS) w = MAX_WORKERS;
  if (w > j->nf) w = j->nf;
  if (per > 0 && (double) w * per > 1073741824.0) w = (long) (1073741824.0 / per);
  if (w < 1) w = 1;
  pthread_t t[MAX_WORKERS];
  long started = 0;
  j->next = 0;
  for (long i = 1; i < w; i++) {
    if (pthread_create(&t[started], NULL, qb__worker, j) != 0) break; /* fewer threads, same work */
    started++;
  }
  (void) qb__worker(j);
  for (long i = 0; i < started; i++) pthread_join(t[i], NULL);
}

int qb_error_data(const qb_error_data_opts* o) {
  const qb_family_info* formats[QB_FAMILY_COUNT];
  const int nf = qb__select_formats(o->formats, formats);
  qb_tensorset ts;
  qb_error err = {0};
  if (nf < 0) return 2;
  if (qb_tensorset_open(&ts, o->path, o->tensor, &err) != QB_OK) {
    qb_error_print(&err);
    return 2;
  }
  qb__sum* sums = calloc((size_t) nf + 1, sizeof *sums);
  json_t* rows = json_array();
  qb__cell* cells = calloc((size_t) nf + 1, sizeof *cells);
  double f32_bytes = 0.0;
  size_t loaded = 0;
  int rc = 0;
  if (!o->json) {
    fprintf(o->out,
            "%s: %zu tensor%s, per-channel formats along axis %d; figures against the f32 values (scalar "
            "references)\n",
            o->path, ts.count, ts.count == 1 ? "" : "s", o->axis);
    fprintf(o->out, "%-44s %-12s %-20s %9s %11s %11s %8s\n", "tensor", "shape", "format", "sqnr_db",
            "max_abs", "max_rel", "bits/el");
  }
  for (size_t ti = 0; ti < ts.count; ti++) {
    qb_tensor x;
    size_t chlen = 0;
    qb_dtype from = QB_DTYPE_f32;
    char shape[64];
    /* A 0-D or 1-D tensor is one channel whatever the axis (as `run --data` takes it). */
    qb_tensor meta;
    qb_tensorset_shape(&ts, ti, &meta);
    const int axis = meta.ndim >= 2 ? o->axis : 0;
    if (qb_tensorset_load_f32(&ts, ti, axis, &x, &chlen, &from, &err) != QB_OK) {
      fprintf(stderr, "qbench error: skipped: %s\n", err.msg);
      continue;
    }
    if (from != QB_DTYPE_f32) {
      fprintf(stderr, "qbench error: %s: %s converted to f32%s\n", ts.names[ti], qb_dtype_get(from)->name,
              from == QB_DTYPE_f64 ? " (rounded to nearest even)" : " (exact)");
    }
    qb_tensor_shape_string(&x, shape, sizeof shape);
    loaded++;
    const float* xf = (const float*) x.data;
    double signal = 0.0;
    for (size_t i = 0; i < x.count; i++) {
      if (isfinite(xf[i])) signal += (double) xf[i] * (double) xf[i];
    }
    f32_bytes += 4.0 * (double) x.count;
    qb__job job = {formats, nf, xf, x.count, chlen, cells, PTHREAD_MUTEX_INITIALIZER, 0};
    qb__run_tensor(&job);
    for (int k = 0; k < nf; k++) {
      const qb_family_info* f = formats[k];
      const qb__cell* c = &cells[k];
      const qb_error_metrics m = c->m;
      const double bytes = c->bytes;
      const qb_status s = c->status;
      json_t* row = json_pack("{s:s, s:s, s:s, s:s, s:I}", "tensor", ts.names[ti], "shape", shape, "format",
                              qb__label(f), "family", f->name, "n", (json_int_t) x.count);
      if (s == QB_OK) {
        const double noise = m.rmse * m.rmse * (double) m.count;
        qb__sum* u = &sums[k];
        u->signal += signal;
        u->noise += noise;
        u->max_abs = m.max_abs > u->max_abs ? m.max_abs : u->max_abs;
        u->max_rel = m.max_rel > u->max_rel ? m.max_rel : u->max_rel;
        u->bytes += bytes;
        u->elements += (double) x.count;
        u->tensors++;
        u->overflows += m.overflows;
        json_object_set_new(row, "status", json_string("ok"));
        json_object_set_new(row, "error", qb_metrics_to_json(&m));
        json_object_set_new(row, "bytes", json_real(bytes));
        json_object_set_new(row, "bytes_per_element", json_real(bytes / (double) x.count));
        if (!o->json) {
          char sq[16];
          if (isinf(m.sqnr_db) && m.sqnr_db > 0) {
            snprintf(sq, sizeof sq, "exact");
          } else {
            snprintf(sq, sizeof sq, "%.2f", m.sqnr_db);
          }
          fprintf(o->out, "%-44.44s %-12.12s %-20s %9s %11.4g %11.4g %8.4g\n", ts.names[ti], shape,
                  qb__label(f), sq, m.max_abs, m.max_rel, 8.0 * bytes / (double) x.count);
        }
      }
      if (s != QB_OK) {
        sums[k].skipped++;
        json_object_set_new(row, "status", json_string(s == QB_SKIPPED ? "skipped" : "error"));
        json_object_set_new(row, "reason", json_string(c->err.msg));
        if (!o->json)
          fprintf(o->out, "%-44.44s %-12.12s %-20s %9s  %s\n", ts.names[ti], shape, qb__label(f), "-",
                  c->err.msg);
        if (s != QB_SKIPPED) rc = 1;
      }
      json_array_append_new(rows, row);
    }
    qb_tensor_free(&x);
  }
  json_t* summary = json_array();
  if (!o->json) {
    fprintf(o->out,
            "\nsummary per format (SQNR weighted by each tensor's energy: 10 log10(sum x^2 / sum err^2) over "
            "all)\n");
    fprintf(o->out, "%-20s %7s %7s %9s %11s %14s %8s %8s %9s\n", "format", "tensors", "skipped", "sqnr_db",
            "max_abs", "total_bytes", "bits/el", "vs_f32", "overflow");
    fprintf(o->out, "%-20s %7zu %7d %9s %11s %14.0f %8s %8s %9s\n", "f32 (as given)", loaded, 0, "exact", "0",
            f32_bytes, "32", "1", "0");
  }
  for (int k = 0; k < nf; k++) {
    const qb__sum* u = &sums[k];
    const double sqnr = u->noise > 0 ? 10.0 * log10(u->signal / u->noise) : INFINITY;
    const double bits = u->elements > 0 ? 8.0 * u->bytes / u->elements : 0.0;
    const double ratio = u->elements > 0 ? u->bytes / (4.0 * u->elements) : 0.0;
    json_t* j = json_pack(
        "{s:s, s:s, s:I, s:I, s:o, s:f, s:f, s:f, s:f, s:I}", "format", qb__label(formats[k]), "family",
        formats[k]->name, "tensors", (json_int_t) u->tensors, "skipped", (json_int_t) u->skipped, "sqnr_db",
        isfinite(sqnr) ? json_real(sqnr) : json_null(), "max_abs", u->max_abs, "total_bytes", u->bytes,
        "bits_per_element", bits, "ratio_to_f32", ratio, "overflows", (json_int_t) u->overflows);
    json_array_append_new(summary, j);
    if (!o->json) {
      char sq[16];
      if (isinf(sqnr)) {
        snprintf(sq, sizeof sq, "exact");
      } else {
        snprintf(sq, sizeof sq, "%.2f", sqnr);
      }
      fprintf(o->out, "%-20s %7llu %7llu %9s %11.4g %14.0f %8.4g %8.4f %9llu\n", qb__label(formats[k]),
              (unsigned long long) u->tensors, (unsigned long long) u->skipped, sq, u->max_abs, u->bytes,
              bits, ratio, (unsigned long long) u->overflows);
    }
  }
  if (o->json) {
    json_t* root = json_pack("{s:s, s:i, s:I, s:o, s:o}", "data", o->path, "axis", o->axis, "tensors",
                             (json_int_t) ts.count, "rows", rows, "summary", summary);
    json_dumpf(root, o->out, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
    fputc('\n', o->out);
    json_decref(root);
  } else {
    json_decref(rows);
    json_decref(summary);
  }
  free(sums);
  free(cells);
  qb_tensorset_close(&ts);
  return rc;
}
