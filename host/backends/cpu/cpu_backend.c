/*
 * The CPU as a backend (backends.inc: host kind): its variants are the kernel
 * registry's variants of this architecture, best first; a case runs on T threads, each
 * pinned to its own core and working on its own slice (cpu_bench.c), timed by the
 * measure layer's host adapter; its output is then recomputed once over the whole
 * range for the runner's check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backend.h"
#include "backends/cpu/cpu_bench.h"
#include "common/stream.h"

typedef struct qb__cpu {
  qb_backend base; /* first: a qb_backend* is a qb__cpu* */
  const qb_ctx* ctx;
  /* Where each thread index was pinned, kept across cases (a hwloc bind costs
   * milliseconds, and Google Benchmark starts fresh threads for every step). */
  qb_cpu_pins pins;
} qb__cpu;

static qb__cpu* qb__self(qb_backend* b) {
  return (qb__cpu*) b;
}

static int qb__device_count(qb_backend* b) {
  (void) b;
  return 1;
}

/* The one device is named as the backend: case names say "cpu". */
static const char* qb__device_name(qb_backend* b, int device) {
  (void) b;
  (void) device;
  return "cpu";
}

/* The family's kernel named `variant`, or NULL. */
static const qb_kernel_info* qb__kernel(qb_family fam, const char* variant) {
  for (size_t i = 0; i < qb_kernel_count(); i++) {
    const qb_kernel_info* k = qb_kernel_at(i);
    if (k->family == fam && strcmp(k->variant, variant) == 0) return k;
  }
  return NULL;
}

/* The registry's variants of this architecture (another's say nothing about this
 * machine), best first; unusable ones included: `describe` says why. */
static int qb__variants(qb_backend* b, int device, qb_family fam, const char** names, int max,
                        const char** why) {
  (void) b;
  (void) device;
  int n = 0;
  for (size_t i = 0; i < qb_kernel_count() && n < max; i++) {
    const qb_kernel_info* k = qb_kernel_at(i);
    if (k->family == fam && qb_isa_native(k->isa)) names[n++] = k->variant;
  }
  if (n == 0 && why != NULL) *why = "no kernel of this architecture";
  return n;
}

static void qb__describe(qb_backend* b, int device, qb_family fam, const char* variant,
                         qb_backend_variant* out) {
  (void) device;
  const qb_cpu* cpu = &qb__self(b)->ctx->cpu;
  memset(out, 0, sizeof *out);
  out->kernel = qb__kernel(fam, variant);
  if (out->kernel == NULL) {
    out->isa = "cpu";
    snprintf(out->reason, sizeof out->reason, "no such kernel");
    return;
  }
  out->isa = qb_isa_name(out->kernel->isa);
  const char* why = NULL;
  char buf[256];
  out->usable = qb_kernel_usable(out->kernel, cpu, &why, buf, sizeof buf);
  if (!out->usable) {
    snprintf(out->reason, sizeof out->reason, "%s", why ? why : "not usable here");
    if (!qb_isa_missing_feature(cpu, out->kernel->isa, out->needs, sizeof out->needs)) out->needs[0] = '\0';
  }
}

/*
 * Bytes moved (read plus written) from which one kernel call streams its stores
 * (kernels/common/stream.h): three quarters of each thread's share of the last-level cache
 * (the size sizing uses, `--caches` included), as glibc sets its non-temporal threshold.
 * After a call that moves that much, its output cannot be in the cache at its next use,
 * so reading its lines before writing them is wasted; after a smaller one it may be (an
 * L3-sized case moves half of the last level), and plain stores keep it there. 0 (no
 * last level known): never.
 */
static size_t qb__stream_min_bytes(const qb_topo* t, unsigned threads) {
  if (t->l3_used == 0) return QB_STREAM_NEVER;
  const uint64_t share = t->l3_used / 4 * 3 / (threads ? threads : 1);
  return share > 0 && share < SIZE_MAX ? (size_t) share : QB_STREAM_NEVER;
}

static void qb__run_case(qb_backend* b, int device, const qb_backend_case* c, unsigned threads,
                         const qb_measure_options* mo, const char* name, void* y, qb_backend_result* res) {
  (void) device;
  qb__cpu* self = qb__self(b);
  qb_error err = {0};
  qb_cpu_bench bench;
  res->timing = "host";
  const qb_kernel_info* k = qb__kernel(c->family->id, c->variant);
  if (k == NULL) {
    res->status = QB_BAD_INPUT;
    snprintf(res->reason, sizeof res->reason, "%s: no CPU variant '%s'", c->family->name, c->variant);
    return;
  }
  if (threads == 0) threads = 1;
  if (threads > self->pins.count) {
    /* More threads than any case so far: start the pins again, larger. */
    qb_cpu_pins_free(&self->pins);
    if (qb_cpu_pins_init(&self->pins, threads, &err) != QB_OK) goto fail;
  }
  /* The kernels read the threshold; it is set here, before the case's threads start,
   * and put back to never when the case is done (other commands store plainly). */
  const size_t stream_min = qb__stream_min_bytes(&self->ctx->topo, threads);
  qb_kernels_set_stream_min_bytes(stream_min);
  if (qb_cpu_bench_kernel(&bench, k, c, y, threads, mo->case_timeout, &err) != QB_OK) goto fail;
  bench.pins = &self->pins;
  snprintf(bench.timeout_msg, sizeof bench.timeout_msg, "timed out after %g s (--case-timeout)",
           mo->case_timeout);
  /* 1. Timing. */
  bench.start_s = qb_monotonic_seconds();
  qb_measure m;
  const qb_status s = qb_measure_host(mo, name, qb_cpu_bench_fn, &bench, threads, &m, &err);
  res->runs = m.runs;
  if (s != QB_OK) {
    qb_cpu_bench_free(&bench);
    goto fail;
  }
  const int unpinned = atomic_load(&bench.bind_failures);
  res->extra = json_pack("{s:b, s:I}", "pinned", unpinned == 0, "stream_min_bytes",
                         stream_min == QB_STREAM_NEVER ? (json_int_t) -1 : (json_int_t) stream_min);
  res->unpinned = unpinned != 0;
  if (!m.ok) {
    res->status = atomic_load(&bench.timed_out) ? QB_TIMEOUT : QB_BACKEND;
    snprintf(res->reason, sizeof res->reason, "%s", m.reason);
    qb_cpu_bench_free(&bench);
    qb_kernels_set_stream_min_bytes(QB_STREAM_NEVER);
    return;
  }
  qb_cpu_bench_free(&bench);
  /* 2. One more call over the whole range, into a poisoned output, for the check. */
  memset(y, 0xA5, c->y_bytes);
  if (c->family->kind == QB_KIND_dot) {
    qb_kernel_dot(k)(c->n, c->x, c->x2, y);
  } else {
    qb_kernel_unary(k)(c->n, c->x, y, c->qp);
  }
  qb_kernels_set_stream_min_bytes(QB_STREAM_NEVER);
  res->have_output = true;
  res->sem = k->sem;
  return;
fail:
  qb_kernels_set_stream_min_bytes(QB_STREAM_NEVER);
  res->status = err.status == QB_OK ? QB_INTERNAL : err.status;
  qb_text_copy(res->reason, sizeof res->reason, err.msg);
}

/* Every kernel of the registry, this architecture's or not, with what dispatch makes
 * of it here: picked, available, or why it cannot run. */
void qb_cpu_backend_list(const qb_ctx* ctx, const char* family, qb_backend_list_fn* add, void* user) {
  const qb_cpu* cpu = &ctx->cpu;
  for (size_t i = 0; i < qb_kernel_count(); i++) {
    const qb_kernel_info* k = qb_kernel_at(i);
    const qb_family_info* f = qb_family_get(k->family);
    if (family != NULL && strcmp(family, f->name) != 0) continue;
    char buf[160];
    const char* reason;
    const char* status;
    if (qb_kernel_usable(k, cpu, &reason, buf, sizeof buf)) {
      status = qb_kernel_pick(k->family, cpu) == k ? "picked" : "available";
    } else {
      status = reason;
    }
    const qb_backend_list_row row = {.family = f,
                                     .kernel = k->name,
                                     .isa = qb_isa_name(k->isa),
                                     .tile = k->tile,
                                     .has_sem = true,
                                     .sem = k->sem,
                                     .status = status};
    add(user, &row);
  }
}

static void qb__destroy(qb_backend* b) {
  qb__cpu* self = qb__self(b);
  qb_cpu_pins_free(&self->pins);
  free(self);
}

static const qb_backend_ops qb__ops = {
    .name = "cpu",
    .device_count = qb__device_count,
    .device_name = qb__device_name,
    .variants = qb__variants,
    .describe = qb__describe,
    .run_case = qb__run_case,
    .destroy = qb__destroy,
};

qb_status qb_cpu_backend_create(const qb_ctx* ctx, const char* filter, qb_backend** out, qb_error* err) {
  (void) filter; /* one device: nothing to pick */
  *out = NULL;
  qb__cpu* self = calloc(1, sizeof *self);
  if (self == NULL) return qb_fail(err, QB_NO_MEMORY, "cpu backend: out of memory");
  self->ctx = ctx;
  const unsigned cores = ctx->topo.cores_usable > 0 ? (unsigned) ctx->topo.cores_usable : 1;
  if (qb_cpu_pins_init(&self->pins, cores, err) != QB_OK) {
    free(self);
    return err->status;
  }
  self->base.ops = &qb__ops;
  *out = &self->base;
  return QB_OK;
}
