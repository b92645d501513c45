/* The "context" of a results file (results/README.md): the machine, the build, what
 * was detected and what was used, and the roofs. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "qb/build_config.h"
#include "run/run_context.h"

static json_t* qb__caches(const qb_topo* t) {
  json_t* a = json_array();
  const struct {
    const char* type;
    int level;
    uint64_t size;
    int sharing;
  } c[] = {{"Data", 1, t->l1d, 1}, {"Unified", 2, t->l2, 1}, {"Unified", 3, t->l3, t->cores}};
  for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
    if (c[i].size == 0) continue;
    json_array_append_new(a, json_pack("{s:s,s:i,s:I,s:i}", "type", c[i].type, "level", c[i].level, "size",
                                       (json_int_t) c[i].size, "num_sharing", c[i].sharing));
  }
  return a;
}

static json_t* qb__topology(const qb_topo* t) {
  return json_pack("{s:s,s:i,s:i,s:i,s:i,s:I,s:I,s:I,s:I,s:I,s:I,s:b}", "source",
                   t->from_hwloc ? "hwloc" : "sysconf", "packages", t->packages, "cores", t->cores, "pus",
                   t->pus, "numa_nodes", t->numa_nodes, "l1d", (json_int_t) t->l1d, "l2", (json_int_t) t->l2,
                   "l3", (json_int_t) t->l3, "l1d_used", (json_int_t) t->l1d_used, "l2_used",
                   (json_int_t) t->l2_used, "l3_used", (json_int_t) t->l3_used, "caches_overridden",
                   t->overridden);
}

static json_t* qb__features(const qb_cpu* cpu) {
  json_t* a = json_array();
  for (int f = 0; f < QB_FEAT_COUNT; f++) {
    if (cpu->features & (1ull << f)) json_array_append_new(a, json_string(qb_feature_name((qb_feature) f)));
  }
  return a;
}

static json_t* qb__devices(qb_backend* b) {
  json_t* a = json_array();
  if (b == NULL) return a;
  for (int d = 0; d < b->ops->device_count(b); d++) {
    json_t* o = b->ops->device_context ? b->ops->device_context(b, d) : NULL;
    json_array_append_new(a, o ? o : json_pack("{s:s}", "name", b->ops->device_name(b, d)));
  }
  return a;
}

/* The variants this CPU cannot run, not planned: counts by missing feature, and each. */
static json_t* qb__unplanned_json(const qb_plan* plan) {
  json_t* by_need = json_object();
  json_t* list = json_array();
  for (size_t i = 0; plan != NULL && i < plan->n_unplanned; i++) {
    const qb_unplanned* u = &plan->unplanned[i];
    const char* key = u->needs[0] ? u->needs : u->reason;
    json_t* c = json_object_get(by_need, key);
    json_object_set_new(by_need, key, json_integer(c ? json_integer_value(c) + 1 : 1));
    json_array_append_new(
        list, json_pack("{s:s,s:s,s:s}", "kernel", u->kernel->name, "needs", u->needs, "reason", u->reason));
  }
  return json_pack("{s:I,s:o,s:o}", "count", (json_int_t) (plan ? plan->n_unplanned : 0), "by_need", by_need,
                   "variants", list);
}

json_t* qb_run_context(const qb_run_facts* r, bool incomplete) {
  const qb_ctx* ctx = r->ctx;
  const qb_run_options* o = r->options;
  char date[40], host[256] = "unknown", os[320], build[32];
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
  if (gethostname(host, sizeof host - 1) != 0) snprintf(host, sizeof host, "unknown");
  struct utsname u;
  if (uname(&u) == 0) {
    snprintf(os, sizeof os, "%s %s", u.sysname, u.release);
  } else {
    snprintf(os, sizeof os, "unknown");
  }
  snprintf(build, sizeof build, "%s", QB_BUILD_TYPE);
  for (char* p = build; *p; p++) *p = (char) tolower((unsigned char) *p);
  struct rusage ru;
  const long rss_kib = getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : 0;

  json_t* q = json_object();
  json_object_set_new(q, "version", json_string(QB_VERSION));
  json_object_set_new(q, "git_commit", json_string(QB_GIT_COMMIT));
  json_object_set_new(q, "suite", json_string(r->suite));
  json_object_set_new(q, "seed", json_integer((json_int_t) r->seed));
  json_object_set_new(q, "repetitions", json_integer(r->repetitions));
  json_object_set_new(q, "min_time", json_real(r->min_time));
  json_object_set_new(q, "case_timeout", json_real(r->case_timeout));
  json_object_set_new(q, "threads_all", json_integer(r->all_threads));
  json_object_set_new(q, "threads_pinned", json_boolean(r->pinned_all));
  json_object_set_new(q, "cpu_model", json_string(ctx->topo.cpu_model));
  /* The CPU class decides dispatch's preferences (kernels/prefer.inc): which variant
   * each family's "picked" row is. */
  json_object_set_new(q, "cpu_class", json_string(qb_cpu_class_name(ctx->cpu.cls)));
  json_object_set_new(q, "unplanned_variants", qb__unplanned_json(r->plan));
  json_t* user = json_object();
  for (size_t i = 0; o != NULL && i < o->n_context; i++) {
    const char* eq = strchr(o->context[i], '=');
    if (eq == NULL) continue; /* the CLI checked the form */
    char key[128];
    snprintf(key, sizeof key, "%.*s", (int) (eq - o->context[i]), o->context[i]);
    json_object_set_new(user, key, json_string(eq + 1));
  }
  json_object_set_new(q, "user_context", user);
  json_object_set_new(q, "isa_features", qb__features(&ctx->cpu));
  json_object_set_new(q, "isa_cap", json_string(ctx->cpu.cap_name));
  json_object_set_new(q, "os", json_string(os));
#ifdef __VERSION__
  json_object_set_new(q, "compiler",
                      json_string(
#ifdef __clang__
                          "Clang " __VERSION__
#else
                          "GCC " __VERSION__
#endif
                          ));
#endif
  json_object_set_new(q, "emulated", json_boolean(ctx->cpu.emulated));
  json_object_set_new(q, "emulated_why", json_string(ctx->cpu.emulated_why));
  json_object_set_new(q, "incomplete", json_boolean(incomplete));
  json_object_set_new(q, "peak_rss_bytes", json_integer((json_int_t) rss_kib * 1024));
  json_object_set_new(q, "topology", qb__topology(&ctx->topo));
  json_object_set_new(q, "roofs", qb_roofs_json(r->roofs));
  /* Each device backend's devices, named by the registry ("opencl_devices"). */
  for (int id = 0; id < QB_BACKEND_COUNT; id++) {
    const qb_backend_info* info = qb_backend_get((qb_backend_id) id);
    if (info->kind != QB_BACKEND_KIND_device) continue;
    char key[64];
    snprintf(key, sizeof key, "%s_devices", info->name);
    json_object_set_new(q, key, qb__devices(r->backends[id]));
  }

  json_t* c = json_object();
  json_object_set_new(c, "date", json_string(date));
  json_object_set_new(c, "host_name", json_string(host));
  json_object_set_new(c, "executable", json_string("qbench"));
  json_object_set_new(c, "num_cpus", json_integer(ctx->topo.pus));
  json_object_set_new(c, "mhz_per_cpu", json_integer(0));
  json_object_set_new(c, "cpu_scaling_enabled", json_false());
  json_object_set_new(c, "caches", qb__caches(&ctx->topo));
  json_object_set_new(c, "library_build_type", json_string(build));
  json_object_set_new(c, "qbench", q);
  return c;
}
