/* The run's side of the journal (io/journal.h): what the header records, and what
 * `qbench run --resume` takes back from it: the options, the machine check, the roofs. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/journal.h"
#include "io/results.h"
#include "run/resume.h"

/* ---- Header ----------------------------------------------------------------------- */

static json_t* qb__str_or_null(const char* s) {
  return s ? json_string(s) : json_null();
}

json_t* qb_resume_options_json(const qb_run_options* o, const char* suite_path) {
  json_t* t = json_array();
  for (size_t i = 0; i < o->n_threads; i++) json_array_append_new(t, json_integer(o->threads[i]));
  json_t* j = json_object();
  json_object_set_new(j, "suite", json_string(suite_path));
  json_object_set_new(j, "backends", json_integer(o->backends));
  json_object_set_new(j, "device", qb__str_or_null(o->device_filter));
  json_object_set_new(j, "formats", json_integer(o->formats));
  json_object_set_new(j, "force", json_boolean(o->force));
  json_object_set_new(j, "filter", qb__str_or_null(o->filter));
  json_object_set_new(j, "repetitions", json_integer(o->repetitions));
  json_object_set_new(j, "min_time", json_real(o->min_time));
  json_object_set_new(j, "caches", qb__str_or_null(o->caches));
  json_object_set_new(j, "threads", t);
  json_object_set_new(j, "seed_given", json_boolean(o->seed_given));
  /* A string: a seed may use all 64 bits, more than a JSON integer holds. */
  char seed[24];
  snprintf(seed, sizeof seed, "%llu", (unsigned long long) o->seed);
  json_object_set_new(j, "seed", json_string(seed));
  json_object_set_new(j, "no_roofs", json_boolean(o->no_roofs));
  json_object_set_new(j, "case_timeout", json_real(o->case_timeout));
  /* Added later: a journal without them resumes as the run was then (no rows for
   * unplanned variants, no user context, a file). */
  json_object_set_new(j, "show_skipped", json_boolean(o->show_skipped));
  json_t* user = json_array();
  for (size_t i = 0; i < o->n_context; i++) json_array_append_new(user, json_string(o->context[i]));
  json_object_set_new(j, "context", user);
  json_object_set_new(j, "stdout", json_boolean(qb_results_is_stdout(o->out_path)));
  /* --data (its path made absolute by the caller): the tensors the plan ran on. */
  json_object_set_new(j, "data", qb__str_or_null(o->data));
  json_object_set_new(j, "tensor", qb__str_or_null(o->tensor));
  json_object_set_new(j, "axis", json_integer(o->axis));
  return j;
}

json_t* qb_resume_machine_json(const qb_ctx* ctx, qb_backend* const* backends) {
  char host[256] = "";
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  host[sizeof host - 1] = '\0';
  json_t* feats = json_array();
  for (int f = 0; f < QB_FEAT_COUNT; f++) {
    if (ctx->cpu.features & (1ull << f))
      json_array_append_new(feats, json_string(qb_feature_name((qb_feature) f)));
  }
  json_t* m = json_pack("{s:s,s:s,s:o,s:s,s:i,s:i}", "host_name", host, "cpu_model", ctx->topo.cpu_model,
                        "isa_features", feats, "isa_cap", ctx->cpu.cap_name, "cores", ctx->topo.cores, "pus",
                        ctx->topo.pus);
  /* Each device backend's devices, named by the registry ("opencl_devices"). */
  for (int id = 0; id < QB_BACKEND_COUNT; id++) {
    const qb_backend_info* info = qb_backend_get((qb_backend_id) id);
    if (info->kind != QB_BACKEND_KIND_device) continue;
    qb_backend* b = backends[id];
    json_t* devs = json_array();
    for (int d = 0; b != NULL && d < b->ops->device_count(b); d++) {
      json_array_append_new(devs, json_string(b->ops->device_name(b, d)));
    }
    char key[64];
    snprintf(key, sizeof key, "%s_devices", info->name);
    json_object_set_new(m, key, devs);
  }
  return m;
}

/* ---- Resuming --------------------------------------------------------------------- */

static const char* qb__opt_str(const json_t* o, const char* key) {
  return json_string_value(json_object_get(o, key));
}

qb_status qb_resume_options(const json_t* header, const char* jpath, qb_run_options* o, qb_error* err) {
  const json_t* j = json_object_get(header, "options");
  const json_t* t = json_object_get(j, "threads");
  const char* seed = qb__opt_str(j, "seed");
  if (qb__opt_str(j, "suite") == NULL || !json_is_integer(json_object_get(j, "backends")) ||
      !json_is_integer(json_object_get(j, "formats")) ||
      !json_is_integer(json_object_get(j, "repetitions")) ||
      !json_is_number(json_object_get(j, "min_time")) || !json_is_array(t) ||
      json_array_size(t) > QB_SUITE_MAX_THREADS || seed == NULL ||
      !json_is_number(json_object_get(j, "case_timeout"))) {
    return qb_fail(err, QB_BAD_INPUT, "%s: the header's options are incomplete (not written by this qbench?)",
                   jpath);
  }
  o->suite = qb__opt_str(j, "suite");
  o->backends = (unsigned) json_integer_value(json_object_get(j, "backends"));
  o->device_filter = qb__opt_str(j, "device");
  o->formats = (unsigned) json_integer_value(json_object_get(j, "formats"));
  o->force = json_is_true(json_object_get(j, "force"));
  o->filter = qb__opt_str(j, "filter");
  o->repetitions = (unsigned) json_integer_value(json_object_get(j, "repetitions"));
  o->min_time = json_number_value(json_object_get(j, "min_time"));
  o->caches = qb__opt_str(j, "caches");
  o->n_threads = json_array_size(t);
  for (size_t i = 0; i < o->n_threads; i++)
    o->threads[i] = (unsigned) json_integer_value(json_array_get(t, i));
  o->seed_given = json_is_true(json_object_get(j, "seed_given"));
  o->seed = strtoull(seed, NULL, 10);
  o->no_roofs = json_is_true(json_object_get(j, "no_roofs"));
  o->case_timeout = json_number_value(json_object_get(j, "case_timeout"));
  o->out_path = json_string_value(json_object_get(header, "target"));
  if (json_is_true(json_object_get(j, "stdout"))) o->out_path = "-";
  o->show_skipped = json_is_true(json_object_get(j, "show_skipped"));
  o->data = qb__opt_str(j, "data");
  o->tensor = qb__opt_str(j, "tensor");
  o->axis = (int) json_integer_value(json_object_get(j, "axis"));
  const json_t* user = json_object_get(j, "context");
  o->n_context = 0;
  for (size_t i = 0; i < json_array_size(user) && o->n_context < QB_RUN_MAX_CONTEXT; i++) {
    const char* kv = json_string_value(json_array_get(user, i));
    if (kv == NULL || strchr(kv, '=') == NULL) {
      return qb_fail(err, QB_BAD_INPUT, "%s: the header's context holds an entry that is not KEY=VALUE",
                     jpath);
    }
    o->context[o->n_context++] = kv;
  }
  return QB_OK;
}

qb_status qb_resume_check_machine(const json_t* header, const json_t* now, const char* jpath, qb_error* err) {
  const json_t* then = json_object_get(header, "machine");
  const char* key;
  const json_t* v;
  json_object_foreach((json_t*) now, key, v) {
    const json_t* w = json_object_get(then, key);
    if (w == NULL || !json_equal(v, w)) {
      char* a = json_dumps(w ? w : json_null(), JSON_COMPACT | JSON_ENCODE_ANY);
      char* b = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
      qb_fail(err, QB_BAD_INPUT,
              "%s: not the machine it started on: %s was %.300s, is %.300s (a run is resumed only where it "
              "started, with the same --isa)",
              jpath, key, a ? a : "?", b ? b : "?");
      free(a);
      free(b);
      return QB_BAD_INPUT;
    }
  }
  return QB_OK;
}

static const char* qb__size_class(const char* s) {
  static const char* const names[] = {"L1", "L2", "L3", "DRAM"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    if (strcmp(s, names[i]) == 0) return names[i];
  }
  return NULL;
}

void qb_resume_roofs(const json_t* roofs, qb_backend* const* backends, qb_roofs* out) {
  size_t i;
  const json_t* o;
  out->count = 0;
  json_array_foreach(roofs, i, o) {
    if (out->count == QB_ROOFS_MAX) break;
    const char* cls = qb__size_class(json_string_value(json_object_get(o, "size_class")));
    if (cls == NULL) continue;
    qb_roof* x = &out->items[out->count];
    memset(x, 0, sizeof *x);
    x->in = QB_DTYPE_none;
    x->backend = -1;
    x->device = -1;
    snprintf(x->name, sizeof x->name, "%s", json_string_value(json_object_get(o, "name")));
    x->size_class = cls;
    x->threads = (unsigned) json_integer_value(json_object_get(o, "threads"));
    const char* dev = json_string_value(json_object_get(o, "device"));
    if (dev != NULL) {
      /* A device roof holds for the device of that name, on the backend of that name,
       * in this run. */
      const char* bname = json_string_value(json_object_get(o, "backend"));
      const qb_backend_id id = bname ? qb_backend_find(bname) : QB_BACKEND_COUNT;
      qb_backend* b = id < QB_BACKEND_COUNT ? backends[id] : NULL;
      x->device = -2;
      x->backend = (int) id;
      for (int d = 0; b != NULL && d < b->ops->device_count(b); d++) {
        if (strcmp(b->ops->device_name(b, d), dev) == 0) {
          x->device = d;
          x->device_name = b->ops->device_name(b, d);
        }
      }
      if (x->device == -2) continue;
      const char* timing = json_string_value(json_object_get(o, "timing"));
      x->timing = timing && strcmp(timing, "host-wall") == 0 ? "host-wall" : "device";
    }
    const char* dtype = json_string_value(json_object_get(o, "dtype"));
    if (dtype != NULL) x->in = qb_dtype_find(dtype);
    x->bytes = (uint64_t) json_integer_value(json_object_get(o, "bytes"));
    x->n = (uint64_t) json_integer_value(json_object_get(o, "n"));
    x->bytes_per_second = json_number_value(json_object_get(o, "bytes_per_second"));
    x->flops_per_second = json_number_value(json_object_get(o, "flops_per_second"));
    x->r = (unsigned) json_integer_value(json_object_get(o, "read_lines"));
    x->w = (unsigned) json_integer_value(json_object_get(o, "write_lines"));
    const char* st = json_string_value(json_object_get(o, "status"));
    x->ok = st != NULL && strcmp(st, "ok") == 0;
    x->skipped = st != NULL && strcmp(st, "skipped") == 0;
    const char* why = json_string_value(json_object_get(o, "reason"));
    snprintf(x->reason, sizeof x->reason, "%s", why ? why : "");
    out->count++;
  }
}
