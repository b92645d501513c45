#define QB_UKERNEL_ATTR __attribute__((weak))
#include "platform/registry.h"

#include <stdio.h>
#include <string.h>

static const qb_op_info qb__ops[QB_OP_COUNT] = {
#define QB_OP(op, kind, params, rounds, doc) \
  {QB_OP_##op, #op, QB_KIND_##kind, QB_PARAMS_##params, rounds, doc},
#include "ops.inc"
#undef QB_OP
};

/* An op's kind, at compile time, for the family table's initializers. */
enum {
#define QB_OP(op, kind, ...) QB__KIND_OF_##op = QB_KIND_##kind,
#include "ops.inc"
#undef QB_OP
};

static const qb_family_info qb__families[QB_FAMILY_COUNT] = {
#define QB_FAMILY(id, op, in, in2, out, ib, i2b, ob, flops, mult, maxn, peaks, doc) \
  {QB_FAMILY_##id,                                                                  \
   #id,                                                                             \
   QB_OP_##op,                                                                      \
   (qb_kind) QB__KIND_OF_##op,                                                      \
   QB_DTYPE_##in,                                                                   \
   QB_DTYPE_##in2,                                                                  \
   QB_DTYPE_##out,                                                                  \
   ib,                                                                              \
   i2b,                                                                             \
   ob,                                                                              \
   flops,                                                                           \
   mult,                                                                            \
   maxn,                                                                            \
   peaks,                                                                           \
   doc},
#include "families.inc"
#undef QB_FAMILY
};

static const qb_kernel_info qb__kernels[] = {
#define QB_KERNEL(family, isa, fn, tile, sem) \
  {QB_FAMILY_##family, QB_ISA_##isa, #fn, NULL, NULL, (qb_any_fn) fn, tile, sem},
#include "kernels.inc"
#undef QB_KERNEL
};

#define QB__NKERNELS (sizeof qb__kernels / sizeof qb__kernels[0])

/*
 * The stable names ("f32_f16_cvt__avx2_u16") are derived from the function names
 * (qb_<family>_ukernel__<variant>) once, before main, into a read-only-after view.
 */
static char qb__names[QB__NKERNELS][96];
static qb_kernel_info qb__view[QB__NKERNELS];

__attribute__((constructor)) static void qb__init_names(void) {
  for (size_t i = 0; i < QB__NKERNELS; i++) {
    const char* fn = qb__kernels[i].fn_name;
    const char* variant = strstr(fn, "_ukernel__");
    const char* family = qb__families[qb__kernels[i].family].name;
    snprintf(qb__names[i], sizeof qb__names[i], "%s__%s", family, variant ? variant + 10 : fn);
    qb__view[i] = qb__kernels[i];
    qb__view[i].name = qb__names[i];
    qb__view[i].variant = strstr(qb__names[i], "__") + 2;
  }
}

const qb_op_info* qb_op_get(qb_op op) {
  return (unsigned) op < QB_OP_COUNT ? &qb__ops[op] : NULL;
}

qb_family qb_family_by_op(qb_op op, qb_dtype in, qb_dtype out) {
  for (int f = 0; f < QB_FAMILY_COUNT; f++) {
    const qb_family_info* fi = &qb__families[f];
    if (fi->op == op && fi->in == in && fi->out == out) return (qb_family) f;
  }
  return QB_FAMILY_COUNT;
}

const qb_family_info* qb_family_get(qb_family f) {
  return (unsigned) f < QB_FAMILY_COUNT ? &qb__families[f] : NULL;
}

qb_family qb_family_find(const char* name) {
  for (int f = 0; f < QB_FAMILY_COUNT; f++) {
    if (strcmp(qb__families[f].name, name) == 0) {
      return (qb_family) f;
    }
  }
  return QB_FAMILY_COUNT;
}

bool qb_family_bound_by(const qb_family_info* f, qb_family peak) {
  const qb_family_info* p = qb_family_get(peak);
  if (f == NULL || p == NULL || f->peaks == NULL) return false;
  const size_t len = strlen(p->name);
  for (const char* s = f->peaks; *s != '\0';) {
    while (*s == ' ') s++;
    const size_t word = strcspn(s, " ");
    if (word == len && strncmp(s, p->name, len) == 0) return true;
    s += word;
  }
  return false;
}

size_t qb_kernel_count(void) {
  return QB__NKERNELS;
}

const qb_kernel_info* qb_kernel_at(size_t i) {
  return i < QB__NKERNELS ? &qb__view[i] : NULL;
}

const qb_kernel_info* qb_kernel_find(const char* name) {
  for (size_t i = 0; i < QB__NKERNELS; i++) {
    const qb_kernel_info* k = qb_kernel_at(i);
    if (strcmp(k->name, name) == 0 || strcmp(k->fn_name, name) == 0) {
      return k;
    }
  }
  return NULL;
}

const qb_kernel_info* qb_kernel_reference(qb_family f) {
  for (size_t i = 0; i < QB__NKERNELS; i++) {
    const qb_kernel_info* k = qb_kernel_at(i);
    if (k->family == f && k->isa == QB_ISA_scalar) {
      return k;
    }
  }
  return NULL;
}

bool qb_kernel_usable(const qb_kernel_info* k, const qb_cpu* cpu, const char** reason, char* buf,
                      int buflen) {
  if (!qb_isa_usable(cpu, k->isa, reason, buf, buflen)) {
    return false;
  }
  if (k->fn == NULL) {
    snprintf(buf, buflen, "not built: %s is missing from this binary", k->fn_name);
    if (reason) *reason = buf;
    return false;
  }
  if (reason) *reason = NULL;
  return true;
}

/*
 * kernels/prefer.inc: per CPU class, variants that dispatch picks ahead of the registry
 * order. A family or class token that does not exist fails to compile (the enums); so
 * does a variant, through the static assertion below naming the function that
 * kernels.inc declares (sizeof does not evaluate it, so an unbuilt one is fine). The
 * last entry only keeps the array nonempty when the file has no rows.
 */
#define QB_PREFER(family, variant, cls) \
  _Static_assert(sizeof(&qb_##family##_ukernel__##variant) != 0, "prefer.inc: " #family "__" #variant);
#include "prefer.inc"
#undef QB_PREFER

static const qb_preference qb__prefer[] = {
#define QB_PREFER(family, variant, cls) {QB_FAMILY_##family, #variant, QB_CPU_CLASS_##cls},
#include "prefer.inc"
#undef QB_PREFER
    {QB_FAMILY_COUNT, "", QB_CPU_CLASS_COUNT}};

size_t qb_preference_count(void) {
  return sizeof qb__prefer / sizeof qb__prefer[0] - 1;
}

const qb_preference* qb_preference_at(size_t i) {
  return i < qb_preference_count() ? &qb__prefer[i] : NULL;
}

const qb_kernel_info* qb_preference_kernel(const qb_preference* p) {
  for (size_t i = 0; i < QB__NKERNELS; i++) {
    const qb_kernel_info* k = qb_kernel_at(i);
    if (k->family == p->family && strcmp(k->variant, p->variant) == 0) return k;
  }
  return NULL;
}

const qb_kernel_info* qb_kernel_pick(qb_family f, const qb_cpu* cpu) {
  char buf[160];
  /* 1. The class's preferences for the family, in the table's order, when usable. */
  for (size_t i = 0; i < qb_preference_count(); i++) {
    const qb_preference* p = &qb__prefer[i];
    if (p->family != f || p->cls != cpu->cls) continue;
    const qb_kernel_info* k = qb_preference_kernel(p);
    if (k != NULL && qb_kernel_usable(k, cpu, NULL, buf, sizeof buf)) return k;
  }
  /* 2. Otherwise the registry order: the first usable variant. */
  for (size_t i = 0; i < QB__NKERNELS; i++) {
    const qb_kernel_info* k = qb_kernel_at(i);
    if (k->family == f && qb_kernel_usable(k, cpu, NULL, buf, sizeof buf)) {
      return k;
    }
  }
  return NULL;
}

double qb_family_bytes(const qb_family_info* f, uint64_t n) {
  return (double) n * (double) (f->in_bits + f->in2_bits + f->out_bits) / 8.0;
}

double qb_family_flops(const qb_family_info* f, uint64_t n) {
  return (double) n * (double) f->flops;
}

bool qb_dtype_block(qb_dtype t, qb_block_geom* g) {
  switch (t) {
#define QB_BLOCK(dt, len_, bytes_, meta_, type, scale_, code_, zero_, order_, exp_) \
  case QB_DTYPE_##dt:                                                               \
    g->len = (len_);                                                                \
    g->bytes = (bytes_);                                                            \
    g->meta_bytes = (meta_);                                                        \
    g->scale = QB_DTYPE_##scale_;                                                   \
    g->code = QB_DTYPE_##code_;                                                     \
    g->zero = QB_BLOCK_ZERO_##zero_;                                                \
    g->order = QB_BLOCK_ORDER_##order_;                                             \
    g->code_exp = (exp_);                                                           \
    return true;
#include "blocks.inc"
#undef QB_BLOCK
    default:
      return false;
  }
}

size_t qb_dtype_buffer_bytes(qb_dtype t, size_t n) {
  switch (t) {
#define QB_BLOCK(dt, len, bytes, meta, type, ...) \
  case QB_DTYPE_##dt:                             \
    return (n + (len) -1) / (len) * (bytes);
#include "blocks.inc"
#undef QB_BLOCK
    default:
      return (n * qb_dtype_get(t)->bits + 7) / 8;
  }
}
