/* Reading results files: qbench's and plain Google Benchmark's JSON (resultsread.h).
 *
 * The file may be anything (a fuzzer writes it), so every field is fetched through one
 * of the typed getters below: each checks presence, type, finiteness and range, and
 * turns a failure into one line naming the file, the place and the field. */
#include "io/resultsread.h"

#include "io/file.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where the reader stands: the file and the object being read ("benchmarks[3]"). */
typedef struct qb__rd {
  const char* file;
  const char* at;
  qb_error* err;
} qb__rd;

static const char* qb__type(const json_t* v) {
  switch (json_typeof(v)) {
    case JSON_OBJECT:
      return "an object";
    case JSON_ARRAY:
      return "an array";
    case JSON_STRING:
      return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
      return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
      return "a boolean";
    default:
      return "null";
  }
}

/* The field, or NULL when absent or null (null means absent: a writer's "no figure"). */
static const json_t* qb__field(const json_t* obj, const char* key) {
  const json_t* v = json_object_get(obj, key);
  return v == NULL || json_is_null(v) ? NULL : v;
}

static qb_status qb__missing(qb__rd* d, const char* key, const char* expected) {
  return qb_fail(d->err, QB_BAD_INPUT, "%s: %s.%s is missing (expected %s)", d->file, d->at, key, expected);
}

static qb_status qb__wrong(qb__rd* d, const char* key, const json_t* v, const char* expected) {
  return qb_fail(d->err, QB_BAD_INPUT, "%s: %s.%s is %s (expected %s)", d->file, d->at, key, qb__type(v),
                 expected);
}

static const char qb__empty[] = "";

static qb_status qb__str(qb__rd* d, const json_t* obj, const char* key, bool required, const char** out) {
  const json_t* v = qb__field(obj, key);
  *out = qb__empty;
  if (v == NULL) return required ? qb__missing(d, key, "a string") : QB_OK;
  if (!json_is_string(v)) return qb__wrong(d, key, v, "a string");
  *out = json_string_value(v);
  return QB_OK;
}

/* A number >= min (NAN when absent). */
static qb_status qb__num(qb__rd* d, const json_t* obj, const char* key, bool required, double min,
                         double* out) {
  const json_t* v = qb__field(obj, key);
  *out = NAN;
  if (v == NULL) return required ? qb__missing(d, key, "a number") : QB_OK;
  if (!json_is_number(v)) return qb__wrong(d, key, v, "a number");
  const double x = json_number_value(v);
  if (!isfinite(x)) {
    return qb_fail(d->err, QB_BAD_INPUT, "%s: %s.%s is not finite (expected a finite number)", d->file, d->at,
                   key);
  }
  if (x < min) {
    return qb_fail(d->err, QB_BAD_INPUT, "%s: %s.%s is %s (%g) (expected a number >= %g)", d->file, d->at,
                   key, x < 0 ? "negative" : "too small", x, min);
  }
  *out = x;
  return QB_OK;
}

/* An integer >= min (-1 when absent). A real is accepted when it is a whole number
 * in range: some writers print every number as a double. */
static qb_status qb__int(qb__rd* d, const json_t* obj, const char* key, bool required, int64_t min,
                         int64_t* out) {
  const json_t* v = qb__field(obj, key);
  *out = -1;
  if (v == NULL) return required ? qb__missing(d, key, "an integer") : QB_OK;
  int64_t x;
  if (json_is_integer(v)) {
    x = (int64_t) json_integer_value(v);
  } else if (json_is_real(v)) {
    const double r = json_real_value(v);
    if (!(r == floor(r) && fabs(r) < 9.2e18)) {
      return qb_fail(d->err, QB_BAD_INPUT, "%s: %s.%s is %g (expected an integer)", d->file, d->at, key, r);
    }
    x = (int64_t) r;
  } else {
    return qb__wrong(d, key, v, "an integer");
  }
  if (x < min) {
    return qb_fail(d->err, QB_BAD_INPUT, "%s: %s.%s is %s (%lld) (expected an integer >= %lld)", d->file,
                   d->at, key, x < 0 ? "negative" : "too small", (long long) x, (long long) min);
  }
  *out = x;
  return QB_OK;
}

static qb_status qb__bool(qb__rd* d, const json_t* obj, const char* key, bool* out) {
  const json_t* v = qb__field(obj, key);
  *out = false;
  if (v == NULL) return QB_OK;
  if (!json_is_boolean(v)) return qb__wrong(d, key, v, "true or false");
  *out = json_is_true(v);
  return QB_OK;
}

/* An optional object or array member: NULL when absent, an error when of another type. */
static qb_status qb__sub(qb__rd* d, const json_t* obj, const char* key, bool array, const json_t** out) {
  const json_t* v = qb__field(obj, key);
  *out = NULL;
  if (v == NULL) return QB_OK;
  if (array ? !json_is_array(v) : !json_is_object(v))
    return qb__wrong(d, key, v, array ? "an array" : "an object");
  *out = v;
  return QB_OK;
}

/* Runs a chain of getters, stopping at the first failure. */
#define QB__TRY(expr)                     \
  do {                                    \
    qb_status qb__st_ = (expr);           \
    if (qb__st_ != QB_OK) return qb__st_; \
  } while (0)

/* ---- Rows ---------------------------------------------------------------------------- */

static qb_status qb__time_factor(qb__rd* d, const char* unit, double* factor) {
  static const struct {
    const char* unit;
    double ns;
  } units[] = {{"", 1.0}, {"ns", 1.0}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}};
  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
    if (strcmp(unit, units[i].unit) == 0) {
      *factor = units[i].ns;
      return QB_OK;
    }
  }
  return qb_fail(d->err, QB_BAD_INPUT, "%s: %s.time_unit '%.20s' is unknown (expected ns, us, ms or s)",
                 d->file, d->at, unit);
}

static qb_status qb__read_error(qb__rd* d, const json_t* e, qb_result_error* out) {
  QB__TRY(qb__num(d, e, "max_abs", false, 0, &out->max_abs));
  QB__TRY(qb__num(d, e, "max_rel", false, 0, &out->max_rel));
  QB__TRY(qb__num(d, e, "rmse", false, 0, &out->rmse));
  QB__TRY(qb__num(d, e, "nmse", false, 0, &out->nmse));
  QB__TRY(qb__num(d, e, "sqnr_db", false, -INFINITY, &out->sqnr_db));
  QB__TRY(qb__num(d, e, "max_ulp", false, 0, &out->max_ulp));
  QB__TRY(qb__num(d, e, "mean_ulp", false, 0, &out->mean_ulp));
  QB__TRY(qb__int(d, e, "mismatches", false, 0, &out->mismatches));
  QB__TRY(qb__int(d, e, "nan_inf_mismatches", false, 0, &out->nan_inf_mismatches));
  QB__TRY(qb__str(d, e, "semantics", false, &out->semantics));
  QB__TRY(qb__num(d, e, "bound", false, 0, &out->bound));
  out->present = true;
  return QB_OK;
}

static qb_status qb__read_memory(qb__rd* d, const json_t* m, qb_result_memory* out) {
  QB__TRY(qb__num(d, m, "bytes_per_element", false, 0, &out->bytes_per_element));
  QB__TRY(qb__int(d, m, "footprint_bytes", false, 0, &out->footprint_bytes));
  QB__TRY(qb__int(d, m, "metadata_bytes", false, 0, &out->metadata_bytes));
  QB__TRY(qb__num(d, m, "ratio_to_f32", false, 0, &out->ratio_to_f32));
  QB__TRY(qb__num(d, m, "ratio_to_f64", false, 0, &out->ratio_to_f64));
  out->present = true;
  return QB_OK;
}

static qb_status qb__read_qbench_row(qb__rd* d, const json_t* o, qb_result_row* r) {
  QB__TRY(qb__str(d, o, "family", true, &r->family));
  QB__TRY(qb__str(d, o, "kernel", false, &r->kernel));
  QB__TRY(qb__str(d, o, "variant", false, &r->variant));
  QB__TRY(qb__str(d, o, "backend", false, &r->backend));
  QB__TRY(qb__str(d, o, "device", false, &r->device));
  QB__TRY(qb__str(d, o, "isa", false, &r->isa));
  QB__TRY(qb__str(d, o, "dtype_in", false, &r->dtype_in));
  QB__TRY(qb__str(d, o, "dtype_in2", false, &r->dtype_in2));
  QB__TRY(qb__str(d, o, "dtype_out", false, &r->dtype_out));
  QB__TRY(qb__int(d, o, "n", false, 0, &r->n));
  QB__TRY(qb__str(d, o, "size_class", false, &r->size_class));
  QB__TRY(qb__str(d, o, "distribution", false, &r->distribution));
  QB__TRY(qb__str(d, o, "rounding", false, &r->rounding));
  QB__TRY(qb__str(d, o, "tensor", false, &r->tensor));
  QB__TRY(qb__str(d, o, "status", false, &r->status));
  if (r->status[0] && strcmp(r->status, "ok") != 0 && strcmp(r->status, "skipped") != 0 &&
      strcmp(r->status, "error") != 0) {
    return qb_fail(d->err, QB_BAD_INPUT, "%s: %s.status '%.20s' is unknown (expected ok, skipped or error)",
                   d->file, d->at, r->status);
  }
  QB__TRY(qb__str(d, o, "reason", false, &r->reason));
  QB__TRY(qb__str(d, o, "timing", false, &r->timing));
  QB__TRY(qb__str(d, o, "roof_name", false, &r->roof_name));
  QB__TRY(qb__num(d, o, "roof_fraction", false, 0, &r->roof_fraction));
  QB__TRY(qb__num(d, o, "gflops", false, 0, &r->gflops));
  QB__TRY(qb__str(d, o, "compute_roof_name", false, &r->compute_roof_name));
  QB__TRY(qb__num(d, o, "compute_roof_fraction", false, 0, &r->compute_roof_fraction));
  const json_t *e, *m;
  QB__TRY(qb__sub(d, o, "error", false, &e));
  QB__TRY(qb__sub(d, o, "memory", false, &m));
  char at[96];
  const char* row_at = d->at;
  if (e) {
    snprintf(at, sizeof at, "%s.error", row_at);
    d->at = at;
    QB__TRY(qb__read_error(d, e, &r->error));
  }
  if (m) {
    snprintf(at, sizeof at, "%s.memory", row_at);
    d->at = at;
    QB__TRY(qb__read_memory(d, m, &r->memory));
  }
  d->at = row_at;
  r->has_qbench = true;
  return QB_OK;
}

static qb_status qb__read_row(qb__rd* d, const json_t* o, qb_result_row* r) {
  if (!json_is_object(o)) {
    return qb_fail(d->err, QB_BAD_INPUT, "%s: %s is %s (expected an object)", d->file, d->at, qb__type(o));
  }
  QB__TRY(qb__str(d, o, "name", true, &r->name));
  QB__TRY(qb__str(d, o, "run_name", false, &r->run_name));
  QB__TRY(qb__str(d, o, "run_type", false, &r->run_type));
  QB__TRY(qb__str(d, o, "aggregate_name", false, &r->aggregate_name));
  QB__TRY(qb__str(d, o, "aggregate_unit", false, &r->aggregate_unit));
  QB__TRY(qb__int(d, o, "repetitions", false, 0, &r->repetitions));
  /* -1 is how a writer says "not a repetition" (an aggregate): the same as absent. */
  QB__TRY(qb__int(d, o, "repetition_index", false, -1, &r->repetition_index));
  QB__TRY(qb__int(d, o, "threads", false, 0, &r->threads));
  QB__TRY(qb__int(d, o, "iterations", false, 0, &r->iterations));
  QB__TRY(qb__bool(d, o, "error_occurred", &r->error_occurred));
  QB__TRY(qb__str(d, o, "error_message", false, &r->error_message));
  /* A row that failed may lack times; every other row has both. */
  const bool need_times = !r->error_occurred;
  double real, cpu, factor = 1.0;
  QB__TRY(qb__num(d, o, "real_time", need_times, 0, &real));
  QB__TRY(qb__num(d, o, "cpu_time", need_times, 0, &cpu));
  const char* unit;
  QB__TRY(qb__str(d, o, "time_unit", false, &unit));
  QB__TRY(qb__time_factor(d, unit, &factor));
  /* A cv aggregate is a ratio, not a time: it keeps its value. */
  if (strcmp(r->aggregate_unit, "percentage") == 0) factor = 1.0;
  r->real_time_ns = real * factor;
  r->cpu_time_ns = cpu * factor;
  if (isinf(r->real_time_ns) || isinf(r->cpu_time_ns)) {
    return qb_fail(d->err, QB_BAD_INPUT, "%s: %s: time too large in ns (expected a time below 1e308 ns)",
                   d->file, d->at);
  }
  QB__TRY(qb__num(d, o, "bytes_per_second", false, 0, &r->bytes_per_second));
  QB__TRY(qb__num(d, o, "items_per_second", false, 0, &r->items_per_second));
  r->error.max_abs = r->error.max_rel = r->error.rmse = r->error.nmse = NAN;
  r->error.sqnr_db = r->error.max_ulp = r->error.mean_ulp = NAN;
  r->error.mismatches = r->error.nan_inf_mismatches = -1;
  r->error.semantics = qb__empty;
  r->error.bound = NAN;
  r->memory.bytes_per_element = r->memory.ratio_to_f32 = r->memory.ratio_to_f64 = NAN;
  r->memory.footprint_bytes = r->memory.metadata_bytes = -1;
  r->n = -1;
  r->roof_fraction = r->gflops = r->compute_roof_fraction = NAN;
  r->family = r->kernel = r->variant = r->backend = r->device = r->isa = qb__empty;
  r->dtype_in = r->dtype_in2 = r->dtype_out = qb__empty;
  r->size_class = r->distribution = r->rounding = r->tensor = qb__empty;
  r->status = r->reason = r->timing = r->roof_name = r->compute_roof_name = qb__empty;
  if (qb__field(o, "family") != NULL) QB__TRY(qb__read_qbench_row(d, o, r));
  return QB_OK;
}

/* ---- Context --------------------------------------------------------------------------- */

static qb_status qb__read_caches(qb__rd* d, const json_t* a, qb_resultset* r) {
  r->n_caches = json_array_size(a);
  if (r->n_caches == 0) return QB_OK;
  r->caches = calloc(r->n_caches, sizeof *r->caches);
  if (r->caches == NULL)
    return qb_fail(d->err, QB_NO_MEMORY, "%s: out of memory reading context.caches", d->file);
  char at[64];
  for (size_t i = 0; i < r->n_caches; i++) {
    const json_t* c = json_array_get(a, i);
    snprintf(at, sizeof at, "context.caches[%zu]", i);
    d->at = at;
    if (!json_is_object(c)) {
      return qb_fail(d->err, QB_BAD_INPUT, "%s: %s is %s (expected an object)", d->file, at, qb__type(c));
    }
    qb_result_cache* x = &r->caches[i];
    QB__TRY(qb__str(d, c, "type", false, &x->type));
    QB__TRY(qb__int(d, c, "level", false, 0, &x->level));
    QB__TRY(qb__int(d, c, "size", false, 0, &x->size));
    QB__TRY(qb__int(d, c, "num_sharing", false, 0, &x->num_sharing));
  }
  return QB_OK;
}

static qb_status qb__read_roofs(qb__rd* d, const json_t* a, qb_resultset* r) {
  r->n_roofs = json_array_size(a);
  if (r->n_roofs == 0) return QB_OK;
  r->roofs = calloc(r->n_roofs, sizeof *r->roofs);
  if (r->roofs == NULL) return qb_fail(d->err, QB_NO_MEMORY, "%s: out of memory reading the roofs", d->file);
  char at[64];
  for (size_t i = 0; i < r->n_roofs; i++) {
    const json_t* o = json_array_get(a, i);
    snprintf(at, sizeof at, "context.qbench.roofs[%zu]", i);
    d->at = at;
    if (!json_is_object(o)) {
      return qb_fail(d->err, QB_BAD_INPUT, "%s: %s is %s (expected an object)", d->file, at, qb__type(o));
    }
    qb_result_roof* x = &r->roofs[i];
    QB__TRY(qb__str(d, o, "name", true, &x->name));
    QB__TRY(qb__str(d, o, "size_class", false, &x->size_class));
    QB__TRY(qb__str(d, o, "backend", false, &x->backend));
    QB__TRY(qb__str(d, o, "device", false, &x->device));
    QB__TRY(qb__int(d, o, "threads", false, 0, &x->threads));
    QB__TRY(qb__num(d, o, "bytes", false, 0, &x->bytes));
    QB__TRY(qb__num(d, o, "bytes_per_second", false, 0, &x->bytes_per_second));
    QB__TRY(qb__num(d, o, "flops_per_second", false, 0, &x->flops_per_second));
  }
  return QB_OK;
}

static qb_status qb__read_topology(qb__rd* d, const json_t* o, qb_result_topology* t) {
  d->at = "context.qbench.topology";
  QB__TRY(qb__str(d, o, "source", false, &t->source));
  QB__TRY(qb__int(d, o, "packages", false, 0, &t->packages));
  QB__TRY(qb__int(d, o, "cores", false, 0, &t->cores));
  QB__TRY(qb__int(d, o, "pus", false, 0, &t->pus));
  QB__TRY(qb__int(d, o, "numa_nodes", false, 0, &t->numa_nodes));
  QB__TRY(qb__int(d, o, "l1d", false, 0, &t->l1d));
  QB__TRY(qb__int(d, o, "l2", false, 0, &t->l2));
  QB__TRY(qb__int(d, o, "l3", false, 0, &t->l3));
  QB__TRY(qb__int(d, o, "l1d_used", false, 0, &t->l1d_used));
  QB__TRY(qb__int(d, o, "l2_used", false, 0, &t->l2_used));
  QB__TRY(qb__int(d, o, "l3_used", false, 0, &t->l3_used));
  QB__TRY(qb__bool(d, o, "caches_overridden", &t->caches_overridden));
  t->present = true;
  return QB_OK;
}

static qb_status qb__read_qbench(qb__rd* d, const json_t* q, qb_resultset* r) {
  d->at = "context.qbench";
  QB__TRY(qb__str(d, q, "version", false, &r->version));
  QB__TRY(qb__str(d, q, "git_commit", false, &r->git_commit));
  QB__TRY(qb__str(d, q, "suite", false, &r->suite));
  QB__TRY(qb__str(d, q, "cpu_model", false, &r->cpu_model));
  QB__TRY(qb__str(d, q, "isa_cap", false, &r->isa_cap));
  QB__TRY(qb__str(d, q, "os", false, &r->os));
  QB__TRY(qb__str(d, q, "compiler", false, &r->compiler));
  QB__TRY(qb__int(d, q, "seed", false, 0, &r->seed));
  QB__TRY(qb__bool(d, q, "emulated", &r->emulated));
  QB__TRY(qb__bool(d, q, "incomplete", &r->incomplete));
  const json_t *topo, *roofs;
  QB__TRY(qb__sub(d, q, "topology", false, &topo));
  QB__TRY(qb__sub(d, q, "roofs", true, &roofs));
  if (topo) QB__TRY(qb__read_topology(d, topo, &r->topology));
  if (roofs) QB__TRY(qb__read_roofs(d, roofs, r));
  r->has_qbench = true;
  return QB_OK;
}

static qb_status qb__read_context(qb__rd* d, const json_t* c, qb_resultset* r) {
  d->at = "context";
  QB__TRY(qb__str(d, c, "date", false, &r->date));
  QB__TRY(qb__str(d, c, "host_name", false, &r->host_name));
  QB__TRY(qb__str(d, c, "executable", false, &r->executable));
  QB__TRY(qb__str(d, c, "library_build_type", false, &r->library_build_type));
  QB__TRY(qb__int(d, c, "num_cpus", false, 0, &r->num_cpus));
  const json_t *caches, *q;
  QB__TRY(qb__sub(d, c, "caches", true, &caches));
  QB__TRY(qb__sub(d, c, "qbench", false, &q));
  if (caches) QB__TRY(qb__read_caches(d, caches, r));
  if (q) QB__TRY(qb__read_qbench(d, q, r));
  return QB_OK;
}

/* ---- Entry points ----------------------------------------------------------------------- */

static void qb__empty_set(qb_resultset* r) {
  memset(r, 0, sizeof *r);
  r->date = r->host_name = r->executable = r->library_build_type = qb__empty;
  r->version = r->git_commit = r->suite = r->cpu_model = r->isa_cap = r->os = r->compiler = qb__empty;
  r->topology.source = qb__empty;
  r->num_cpus = r->seed = -1;
  r->topology.packages = r->topology.cores = r->topology.pus = r->topology.numa_nodes = -1;
  r->topology.l1d = r->topology.l2 = r->topology.l3 = -1;
  r->topology.l1d_used = r->topology.l2_used = r->topology.l3_used = -1;
}

static qb_status qb__parse_doc(qb__rd* d, qb_resultset* r) {
  const json_t* root = r->doc;
  if (!json_is_object(root)) {
    return qb_fail(d->err, QB_BAD_INPUT,
                   "%s: the top level is %s (expected an object with a 'benchmarks' array)", d->file,
                   qb__type(root));
  }
  const json_t* rows = json_object_get(root, "benchmarks");
  if (rows == NULL) {
    return qb_fail(d->err, QB_BAD_INPUT,
                   "%s: no 'benchmarks' array (expected Google Benchmark or qbench JSON)", d->file);
  }
  if (!json_is_array(rows)) {
    return qb_fail(d->err, QB_BAD_INPUT, "%s: 'benchmarks' is %s (expected an array)", d->file,
                   qb__type(rows));
  }
  const json_t* ctx = json_object_get(root, "context");
  if (ctx != NULL && !json_is_object(ctx)) {
    return qb_fail(d->err, QB_BAD_INPUT, "%s: 'context' is %s (expected an object)", d->file, qb__type(ctx));
  }
  if (ctx) QB__TRY(qb__read_context(d, ctx, r));

  const size_t n = json_array_size(rows);
  if (n > QB_RESULTSET_MAX_ROWS) {
    return qb_fail(d->err, QB_BAD_INPUT, "%s: %zu benchmarks (expected at most %u)", d->file, n,
                   QB_RESULTSET_MAX_ROWS);
  }
  if (n == 0) return QB_OK;
  r->rows = calloc(n, sizeof *r->rows);
  if (r->rows == NULL) return qb_fail(d->err, QB_NO_MEMORY, "%s: out of memory for %zu rows", d->file, n);
  r->n_rows = n;
  char at[48];
  for (size_t i = 0; i < n; i++) {
    snprintf(at, sizeof at, "benchmarks[%zu]", i);
    d->at = at;
    QB__TRY(qb__read_row(d, json_array_get(rows, i), &r->rows[i]));
  }
  return QB_OK;
}

qb_status qb_resultset_parse(const char* text, size_t len, const char* name, qb_resultset* r, qb_error* err) {
  qb__empty_set(r);
  r->path = strdup(name ? name : "");
  if (r->path == NULL) return qb_fail(err, QB_NO_MEMORY, "out of memory");
  qb__rd d = {r->path, "", err};
  if (len > QB_RESULTSET_MAX_BYTES) {
    qb_fail(err, QB_BAD_INPUT, "%s: %zu bytes is too large (expected at most %llu)", d.file, len,
            (unsigned long long) QB_RESULTSET_MAX_BYTES);
    goto fail;
  }
  json_error_t jerr;
  /* Duplicate keys are refused: two values for one field leave the meaning open. */
  r->doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
  if (r->doc == NULL) {
    qb_fail(err, QB_BAD_INPUT, "%s: not valid JSON: %s (line %d, column %d)", d.file, jerr.text, jerr.line,
            jerr.column);
    goto fail;
  }
  if (qb__parse_doc(&d, r) != QB_OK) goto fail;
  return QB_OK;
fail:;
  const qb_status st = err ? err->status : QB_BAD_INPUT;
  qb_resultset_free(r);
  return st;
}

/* Standard input ("-"), read in growing chunks, never past the cap. */
static qb_status qb__read_stdin(char** out, size_t* out_len, qb_error* err) {
  size_t cap = 1 << 16, len = 0;
  char* buf = NULL;
  qb_status st = QB_OK;
  for (;;) {
    char* grown = realloc(buf, cap);
    if (grown == NULL) {
      st = qb_fail(err, QB_NO_MEMORY, "-: out of memory reading standard input");
      break;
    }
    buf = grown;
    len += fread(buf + len, 1, cap - len, stdin);
    if (ferror(stdin)) {
      st = qb_fail(err, QB_IO, "-: cannot read standard input: %s", strerror(errno));
      break;
    }
    if (len < cap) break; /* end of file */
    if (cap > QB_RESULTSET_MAX_BYTES) {
      st = qb_fail(err, QB_BAD_INPUT, "-: larger than %llu bytes (expected a results file)",
                   (unsigned long long) QB_RESULTSET_MAX_BYTES);
      break;
    }
    /* The last step asks for one byte past the cap: input that fills it is too big. */
    cap = cap > QB_RESULTSET_MAX_BYTES / 2 ? (size_t) QB_RESULTSET_MAX_BYTES + 1 : cap * 2;
  }
  if (st != QB_OK) {
    free(buf);
    buf = NULL;
    len = 0;
  }
  *out = buf;
  *out_len = len;
  return st;
}

qb_status qb_resultset_load(const char* path, qb_resultset* r, qb_error* err) {
  qb__empty_set(r);
  char* buf = NULL;
  size_t len = 0;
  /* A file: regular (a FIFO would block, /dev/zero never end) and measured before it is
   * read. A pipe is welcome as "-". */
  qb_status st = strcmp(path, "-") == 0
                     ? qb__read_stdin(&buf, &len, err)
                     : qb_file_read_all(path, QB_RESULTSET_MAX_BYTES, "a results file", &buf, &len, err);
  if (st == QB_OK) st = qb_resultset_parse(buf, len, path, r, err);
  free(buf);
  return st;
}

void qb_resultset_free(qb_resultset* r) {
  if (r == NULL) return;
  json_decref(r->doc);
  json_decref(r->owned);
  free(r->path);
  free(r->rows);
  free(r->roofs);
  free(r->caches);
  qb__empty_set(r);
}

/* A copy of s's first len bytes kept until the set is freed, or NULL when out of memory. */
static const char* qb__own(qb_resultset* r, const char* s, size_t len) {
  if (r->owned == NULL && (r->owned = json_array()) == NULL) return NULL;
  json_t* j = json_stringn(s, len);
  if (j == NULL || json_array_append_new(r->owned, j) != 0) return NULL;
  return json_string_value(j);
}

/* "FAMILY/VARIANT/rest" of kernel from -> the same of kernel to; NULL when s lacks
 * from's prefix (then it is kept) or out of memory (*oom). */
static const char* qb__renamed(qb_resultset* r, const char* s, const char* fam, size_t fam_len,
                               const char* var, const char* nfam, size_t nfam_len, const char* nvar,
                               bool* oom) {
  const size_t var_len = strlen(var);
  if (strncmp(s, fam, fam_len) != 0 || s[fam_len] != '/' || strncmp(s + fam_len + 1, var, var_len) != 0 ||
      (s[fam_len + 1 + var_len] != '/' && s[fam_len + 1 + var_len] != '\0')) {
    return NULL;
  }
  const char* rest = s + fam_len + 1 + var_len;
  const size_t len = nfam_len + 1 + strlen(nvar) + strlen(rest) + 1;
  char* buf = malloc(len);
  if (buf == NULL) {
    *oom = true;
    return NULL;
  }
  snprintf(buf, len, "%.*s/%s%s", (int) nfam_len, nfam, nvar, rest);
  const char* kept = qb__own(r, buf, len - 1);
  free(buf);
  if (kept == NULL) *oom = true;
  return kept;
}

qb_status qb_resultset_rename_kernel(qb_resultset* r, const char* from, const char* to, size_t* renamed,
                                     qb_error* err) {
  *renamed = 0;
  const char* fsep = strstr(from, "__");
  const char* tsep = strstr(to, "__");
  if (fsep == NULL || fsep == from || fsep[2] == '\0' || tsep == NULL || tsep == to || tsep[2] == '\0') {
    return qb_fail(err, QB_BAD_INPUT, "rename '%s' -> '%s': expected stable kernel names FAMILY__VARIANT",
                   from, to);
  }
  const size_t fam_len = (size_t) (fsep - from), nfam_len = (size_t) (tsep - to);
  const char *var = fsep + 2, *nvar = tsep + 2;
  bool oom = false;
  for (size_t i = 0; i < r->n_rows && !oom; i++) {
    qb_result_row* row = &r->rows[i];
    if (!row->has_qbench || strcmp(row->kernel, from) != 0) continue;
    const char* name = qb__renamed(r, row->name, from, fam_len, var, to, nfam_len, nvar, &oom);
    const char* run_name = qb__renamed(r, row->run_name, from, fam_len, var, to, nfam_len, nvar, &oom);
    const char* kernel = qb__own(r, to, strlen(to));
    const char* family = qb__own(r, to, nfam_len);
    if (kernel == NULL || family == NULL) oom = true;
    if (oom) break;
    if (name != NULL) row->name = name;
    if (run_name != NULL) row->run_name = run_name;
    row->kernel = kernel;
    row->family = family;
    row->variant = kernel + nfam_len + 2;
    (*renamed)++;
  }
  return oom ? qb_fail(err, QB_NO_MEMORY, "out of memory renaming '%s' in %s", from, r->path) : QB_OK;
}

const qb_result_row* qb_resultset_find(const qb_resultset* r, const char* name, const char* run_type) {
  const char* want = run_type ? run_type : "iteration";
  for (size_t i = 0; i < r->n_rows; i++) {
    const qb_result_row* row = &r->rows[i];
    const char* type = row->run_type[0] ? row->run_type : "iteration";
    if (strcmp(row->name, name) == 0 && strcmp(type, want) == 0) return row;
  }
  return NULL;
}
