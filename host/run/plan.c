/* Planning: the suite and the options become the list of cases, in table order
 * (families.inc order; within a family each backend in backends.inc order, each
 * device, its variants best first; then each device backend's transfers). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/plan.h"

bool qb_family_rounds(const qb_family_info* f) {
  /* The affine quantizers (per tensor, per channel, fake-quant) read qb_quant_params'
   * rounding mode; dequantizers do not round, and block formats round their own way
   * (kernels/ops.inc's rounds column). */
  return qb_family_op(f)->rounds;
}

bool qb_family_is_peak(const qb_family_info* f) {
  return f->op == QB_OP_peak;
}

/* The most variants one backend offers for one family. */
#define QB__MAX_VARIANTS 64

static qb_case* qb__push(qb_plan* p, qb_error* err) {
  if (p->count == p->cap) {
    size_t cap = p->cap ? 2 * p->cap : 256;
    qb_case* c = realloc(p->cases, cap * sizeof *c);
    if (c == NULL) {
      qb_fail(err, QB_NO_MEMORY, "out of memory planning %zu cases", p->count + 1);
      return NULL;
    }
    p->cases = c;
    p->cap = cap;
  }
  qb_case* k = &p->cases[p->count];
  memset(k, 0, sizeof *k);
  return k;
}

/* Names the case; false when the --filter regex leaves it out. */
static bool qb__name(qb_case* k, const char* n_text, const regex_t* filter) {
  char backend[96];
  /* A host backend's one device is the backend itself ("cpu"); a device is named. */
  if (qb_backend_is_host(k->backend)) {
    snprintf(backend, sizeof backend, "%s", qb_backend_name(k->backend));
  } else {
    snprintf(backend, sizeof backend, "%s:%s", qb_backend_name(k->backend), k->device_name);
  }
  /* A case on a tensor of --data names the tensor where the distribution would be. */
  int len = snprintf(k->name, sizeof k->name, "%s/%s/%s/n:%s/threads:%u/%s:%s", k->family_name, k->variant,
                     backend, n_text, k->threads, k->tensor ? "data" : "dist",
                     k->tensor                  ? k->tensor
                     : k->dist == QB_DIST_COUNT ? "none"
                                                : qb_dist_name(k->dist));
  if (k->round >= 0 && len > 0 && (size_t) len < sizeof k->name) {
    snprintf(k->name + len, sizeof k->name - (size_t) len, "/round:%s",
             qb_suite_round_name((qb_round_mode) k->round));
  }
  return filter == NULL || regexec(filter, k->name, 0, NULL, 0) == 0;
}

/* The cases of one variant (threads and rounding) on each tensor of --data: the tensor
 * in place of a size and a distribution, sized by its bytes into a cache class (the
 * roof it is held to). A tensor the family cannot take is a skipped row. */
static qb_status qb__data_matrix(const qb_plan_input* in, qb_plan* p, const qb_case* proto, size_t n_threads,
                                 const unsigned* threads, qb_error* err) {
  const qb_suite* s = in->suite;
  const qb_family_info* f = proto->family;
  for (size_t t = 0; t < in->data->count; t++) {
    const qb_run_tensor* rt = &in->data->tensors[t];
    uint64_t n = 0;
    qb_error n_err = {0};
    const qb_status ns = qb_run_data_n(f, rt->count, &n, &n_err);
    const qb_size_spec spec = {QB_SIZE_ELEMENTS, n};
    char n_text[32];
    snprintf(n_text, sizeof n_text, "%" PRIu64, n);
    for (size_t ti = 0; ti < n_threads; ti++) {
      for (int r = -1; r <= QB_ROUND_TFLITE; r++) {
        if (qb_family_rounds(f) ? (r < 0 || !(s->rounding & QB_SUITE_ROUND_BIT(r))) : r >= 0) continue;
        qb_case* k = qb__push(p, err);
        if (k == NULL) return QB_NO_MEMORY;
        *k = *proto;
        k->n = n;
        k->size_class = ns == QB_OK ? qb_suite_size_class(&spec, &in->ctx->topo, f, n) : "none";
        /* Held to its class's roof like a class-sized case: the tensor fits that level. */
        k->size_given = false;
        k->threads = threads[ti];
        k->dist = QB_DIST_COUNT;
        k->tensor = rt->name;
        k->tensor_index = t;
        k->round = r;
        if (ns != QB_OK && k->planned == QB_OK) {
          k->planned = ns;
          qb_text_copy(k->reason, sizeof k->reason, n_err.msg);
        }
        if (qb__name(k, n_text, in->filter)) p->count++;
      }
    }
  }
  return QB_OK;
}

/* Every (size, threads, distribution, rounding) of one variant of one family. */
static qb_status qb__matrix(const qb_plan_input* in, qb_plan* p, const qb_case* proto, size_t n_threads,
                            const unsigned* threads, qb_error* err) {
  const qb_suite* s = in->suite;
  const qb_family_info* f = proto->family;
  if (in->data != NULL) return qb__data_matrix(in, p, proto, n_threads, threads, err);
  for (size_t si = 0; si < s->n_sizes; si++) {
    uint64_t n = 0;
    qb_error size_err = {0};
    const qb_status ss = qb_suite_resolve_size(&s->sizes[si], &in->ctx->topo, f, &n, &size_err);
    if (ss != QB_OK && ss != QB_SKIPPED) return qb_fail(err, ss, "%s", size_err.msg);
    char n_text[32];
    if (ss == QB_OK) {
      snprintf(n_text, sizeof n_text, "%" PRIu64, n);
    } else {
      qb_suite_size_string(&s->sizes[si], n_text, sizeof n_text);
    }
    for (size_t ti = 0; ti < n_threads; ti++) {
      for (int d = 0; d < QB_DIST_COUNT; d++) {
        if (!(s->distributions & (1u << d))) continue;
        for (int r = -1; r <= QB_ROUND_TFLITE; r++) {
          if (qb_family_rounds(f) ? (r < 0 || !(s->rounding & QB_SUITE_ROUND_BIT(r))) : r >= 0) continue;
          qb_case* k = qb__push(p, err);
          if (k == NULL) return QB_NO_MEMORY;
          *k = *proto;
          k->n = ss == QB_OK ? n : 0;
          k->size_class = ss == QB_OK ? qb_suite_size_class(&s->sizes[si], &in->ctx->topo, f, n) : "none";
          k->size_given = s->sizes[si].kind == QB_SIZE_ELEMENTS;
          k->threads = threads[ti];
          k->dist = (qb_dist) d;
          k->round = r;
          if (ss == QB_SKIPPED && k->planned == QB_OK) {
            k->planned = QB_SKIPPED;
            qb_text_copy(k->reason, sizeof k->reason, size_err.msg);
          }
          if (qb__name(k, n_text, in->filter)) p->count++;
        }
      }
    }
  }
  return QB_OK;
}

static qb_status qb__unplanned(qb_plan* p, const qb_kernel_info* kern, const char* needs, const char* reason,
                               qb_error* err) {
  if (p->n_unplanned == p->cap_unplanned) {
    size_t cap = p->cap_unplanned ? 2 * p->cap_unplanned : 32;
    qb_unplanned* u = realloc(p->unplanned, cap * sizeof *u);
    if (u == NULL) return qb_fail(err, QB_NO_MEMORY, "out of memory planning");
    p->unplanned = u;
    p->cap_unplanned = cap;
  }
  qb_unplanned* u = &p->unplanned[p->n_unplanned++];
  memset(u, 0, sizeof *u);
  u->kernel = kern;
  snprintf(u->needs, sizeof u->needs, "%s", needs);
  snprintf(u->reason, sizeof u->reason, "%.150s", reason);
  return QB_OK;
}

void qb_plan_unplanned_summary(const qb_plan* plan, char* buf, size_t len) {
  buf[0] = '\0';
  size_t at = 0;
  /* Each distinct need once, in first-seen order; then those without one, by reason. */
  for (size_t i = 0; i < plan->n_unplanned && at + 1 < len; i++) {
    const qb_unplanned* u = &plan->unplanned[i];
    bool seen = false;
    for (size_t j = 0; j < i && !seen; j++) {
      const qb_unplanned* v = &plan->unplanned[j];
      seen =
          u->needs[0] ? strcmp(v->needs, u->needs) == 0 : !v->needs[0] && strcmp(v->reason, u->reason) == 0;
    }
    if (seen) continue;
    size_t count = 0;
    for (size_t j = i; j < plan->n_unplanned; j++) {
      const qb_unplanned* v = &plan->unplanned[j];
      count +=
          u->needs[0] ? strcmp(v->needs, u->needs) == 0 : !v->needs[0] && strcmp(v->reason, u->reason) == 0;
    }
    int w = u->needs[0] ? snprintf(buf + at, len - at, "%s%zu variant%s need%s %s", at ? ", " : "", count,
                                   count == 1 ? "" : "s", count == 1 ? "s" : "", u->needs)
                        : snprintf(buf + at, len - at, "%s%zu variant%s: %s", at ? ", " : "", count,
                                   count == 1 ? "" : "s", u->reason);
    if (w < 0) break;
    at += (size_t) w < len - at ? (size_t) w : len - at - 1;
  }
}

/* Every variant one device of a backend offers for a family: each (size, threads,
 * distribution, rounding) of it. A variant that cannot run here is a skipped row with
 * its reason, or (without --show-skipped) only counted; a family the device does not
 * offer is one skipped row of variant `none`, so that every machine's file names the
 * same cases. */
static qb_status qb__plan_backend(const qb_plan_input* in, qb_plan* p, const qb_family_info* f,
                                  qb_backend_id id, int dev, qb_error* err) {
  qb_backend* b = in->backends[id];
  const bool host = qb_backend_is_host(id);
  const unsigned one = 1;
  const size_t n_threads = host ? in->n_threads : 1;
  const unsigned* threads = host ? in->threads : &one;
  const char* names[QB__MAX_VARIANTS];
  const char* why = NULL;
  const int nv = b->ops->variants(b, dev, f->id, names, QB__MAX_VARIANTS, &why);
  qb_case proto;
  memset(&proto, 0, sizeof proto);
  proto.type = QB_CASE_KERNEL;
  proto.backend = id;
  proto.family = f;
  proto.device = dev;
  proto.device_name = b->ops->device_name(b, dev);
  snprintf(proto.family_name, sizeof proto.family_name, "%s", f->name);
  if (nv <= 0) {
    snprintf(proto.variant, sizeof proto.variant, "none");
    snprintf(proto.kernel_name, sizeof proto.kernel_name, "%s__none", f->name);
    snprintf(proto.isa, sizeof proto.isa, "%s", qb_backend_name(id));
    proto.planned = QB_SKIPPED;
    snprintf(proto.reason, sizeof proto.reason, "%s", why ? why : "not offered by this device");
    return qb__matrix(in, p, &proto, 1, &one, err);
  }
  for (int v = 0; v < nv; v++) {
    qb_case k = proto;
    snprintf(k.variant, sizeof k.variant, "%s", names[v]);
    snprintf(k.kernel_name, sizeof k.kernel_name, "%s__%s", f->name, names[v]);
    if (!qb_suite_matches_kernel(in->suite, k.kernel_name)) continue;
    qb_backend_variant info = {.isa = qb_backend_name(id), .usable = true};
    if (b->ops->describe != NULL) b->ops->describe(b, dev, f->id, names[v], &info);
    k.kernel = info.kernel;
    snprintf(k.isa, sizeof k.isa, "%s", info.isa);
    if (!info.usable) {
      k.planned = QB_SKIPPED;
      snprintf(k.reason, sizeof k.reason, "%s", info.reason[0] ? info.reason : "not usable here");
    }
    const size_t before = p->count;
    qb_status s = qb__matrix(in, p, &k, n_threads, threads, err);
    if (s != QB_OK) return s;
    /* A variant this machine cannot run: counted (when the suite and filter plan any of
     * its cases), not a stack of zero-time rows; --show-skipped keeps the rows. */
    if (!info.usable && !in->show_skipped) {
      if (p->count > before && (s = qb__unplanned(p, k.kernel, info.needs, k.reason, err)) != QB_OK) return s;
      p->count = before;
    }
  }
  return QB_OK;
}

/* Host <-> device bandwidth, one row per direction and size (n is in bytes). */
static qb_status qb__plan_transfers(const qb_plan_input* in, qb_plan* p, qb_backend_id id, int dev,
                                    qb_error* err) {
  const qb_topo* t = &in->ctx->topo;
  for (size_t si = 0; si < in->suite->n_sizes; si++) {
    const qb_size_spec* sp = &in->suite->sizes[si];
    uint64_t bytes;
    const char* cls;
    switch (sp->kind) {
      case QB_SIZE_L1:
        bytes = t->l1d_used / 2, cls = "L1";
        break;
      case QB_SIZE_L2:
        bytes = t->l2_used / 2, cls = "L2";
        break;
      case QB_SIZE_L3:
        bytes = t->l3_used / 2, cls = "L3";
        break;
      case QB_SIZE_DRAM:
        bytes = t->l3_used * QB_SUITE_DRAM_FACTOR, cls = "DRAM";
        break;
      default:
        bytes = sp->elements * 4, cls = "none";
        break; /* an f32 buffer of that many */
    }
    for (int dir = QB_TO_DEVICE; dir <= QB_FROM_DEVICE; dir++) {
      qb_case* k = qb__push(p, err);
      if (k == NULL) return QB_NO_MEMORY;
      k->type = QB_CASE_TRANSFER;
      k->backend = id;
      k->device = dev;
      k->device_name = in->backends[id]->ops->device_name(in->backends[id], dev);
      snprintf(k->isa, sizeof k->isa, "%s", qb_backend_name(id));
      k->dir = (qb_transfer_dir) dir;
      snprintf(k->family_name, sizeof k->family_name, "transfer");
      snprintf(k->variant, sizeof k->variant, "%s", dir == QB_TO_DEVICE ? "to_device" : "from_device");
      snprintf(k->kernel_name, sizeof k->kernel_name, "transfer__%s", k->variant);
      k->n = bytes;
      k->size_class = sp->kind == QB_SIZE_ELEMENTS ? "none" : cls;
      k->dist = QB_DIST_COUNT;
      k->threads = 1;
      k->round = -1;
      char n_text[32];
      snprintf(n_text, sizeof n_text, "%" PRIu64, bytes);
      if (qb__name(k, n_text, in->filter)) p->count++;
    }
  }
  return QB_OK;
}

static int qb__devices(const qb_plan_input* in, qb_backend_id id) {
  qb_backend* b = in->backends[id];
  return b != NULL ? b->ops->device_count(b) : 0;
}

qb_status qb_plan_build(const qb_plan_input* in, qb_plan* plan, qb_error* err) {
  memset(plan, 0, sizeof *plan);
  qb_status s = QB_OK;
  for (int fi = 0; fi < QB_FAMILY_COUNT && s == QB_OK; fi++) {
    const qb_family_info* f = qb_family_get((qb_family) fi);
    if (qb_family_is_peak(f) || !qb_suite_matches_family(in->suite, f)) continue;
    for (int id = 0; id < QB_BACKEND_COUNT && s == QB_OK; id++) {
      for (int d = 0; d < qb__devices(in, (qb_backend_id) id) && s == QB_OK; d++) {
        s = qb__plan_backend(in, plan, f, (qb_backend_id) id, d, err);
      }
    }
  }
  /* Host <-> device transfers: for the backends whose devices are not the host (not
   * with --data: its tensors are the workload, the suite's sizes are not). */
  for (int id = 0; id < QB_BACKEND_COUNT && s == QB_OK && in->data == NULL; id++) {
    if (qb_backend_is_host((qb_backend_id) id)) continue;
    for (int d = 0; d < qb__devices(in, (qb_backend_id) id) && s == QB_OK; d++) {
      s = qb__plan_transfers(in, plan, (qb_backend_id) id, d, err);
    }
  }
  if (s != QB_OK) qb_plan_free(plan);
  return s;
}

void qb_plan_free(qb_plan* plan) {
  free(plan->cases);
  free(plan->unplanned);
  memset(plan, 0, sizeof *plan);
}
