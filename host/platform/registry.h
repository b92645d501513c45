/*
 * The kernel registry: kernels/families.inc and kernels/kernels.inc expanded into
 * tables. Host code reaches kernels only through here.
 */
#ifndef QB_REGISTRY_H
#define QB_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "platform/cpu.h"
#include "core/dtype.h"
#include "qb/ukernel.h"

typedef enum qb_family {
#define QB_FAMILY(id, ...) QB_FAMILY_##id,
#include "families.inc"
#undef QB_FAMILY
  QB_FAMILY_COUNT
} qb_family;

typedef enum qb_kind { QB_KIND_unary, QB_KIND_dot } qb_kind;

/* What a family does (kernels/ops.inc). */
typedef enum qb_op {
#define QB_OP(op, ...) QB_OP_##op,
#include "ops.inc"
#undef QB_OP
  QB_OP_COUNT
} qb_op;

/* What a family's kernels take as params (kernels/ops.inc's params column). */
typedef enum qb_op_params {
  QB_PARAMS_none,    /* unused */
  QB_PARAMS_tensor,  /* qb_quant_params, per tensor */
  QB_PARAMS_channel, /* qb_quant_params, per channel */
  QB_PARAMS_block    /* none: the block format carries its scales */
} qb_op_params;

typedef struct qb_op_info {
  qb_op id;
  const char* name; /* "quantc" */
  qb_kind kind;
  qb_op_params params;
  bool rounds; /* reads qb_quant_params' rounding mode */
  const char* doc;
} qb_op_info;

const qb_op_info* qb_op_get(qb_op op);
/* Whether the op's kernels take affine qb_quant_params (per tensor or per channel). */
static inline bool qb_op_affine(const qb_op_info* o) {
  return o->params == QB_PARAMS_tensor || o->params == QB_PARAMS_channel;
}

typedef struct qb_family_info {
  qb_family id;
  const char* name; /* "f32_f16_cvt" */
  qb_op op;
  qb_kind kind; /* the op's */
  qb_dtype in, in2, out;
  double in_bits, in2_bits, out_bits; /* bits moved per element (the bytes formula; q8_0: 8.5) */
  unsigned flops;                     /* operations per element */
  uint64_t n_multiple;
  uint64_t max_n;
  const char* peaks; /* dots: the peak families bounding its multiply-adds, space-separated; else "" */
  const char* doc;
} qb_family_info;

typedef void (*qb_any_fn)(void);

typedef struct qb_kernel_info {
  qb_family family;
  qb_isa isa;
  const char* fn_name; /* "qb_f32_f16_cvt_ukernel__avx2_u16" */
  const char* name;    /* "f32_f16_cvt__avx2_u16": the stable name used in results */
  const char* variant; /* "avx2_u16" */
  qb_any_fn fn;        /* NULL when not built */
  unsigned tile;       /* elements per main-loop iteration */
  unsigned sem;        /* QB_SEM_* flags relative to the scalar reference */
} qb_kernel_info;

const qb_family_info* qb_family_get(qb_family f);
qb_family qb_family_find(const char* name); /* QB_FAMILY_COUNT when unknown */
/* Whether `peak` is one of f's peaks (families.inc's peaks column). */
bool qb_family_bound_by(const qb_family_info* f, qb_family peak);
/* The first family (families.inc order) doing `op` from dtype in to dtype out;
 * QB_FAMILY_COUNT when there is none. */
qb_family qb_family_by_op(qb_op op, qb_dtype in, qb_dtype out);
/* The family's op's facts. */
static inline const qb_op_info* qb_family_op(const qb_family_info* f) {
  return qb_op_get(f->op);
}

size_t qb_kernel_count(void);
const qb_kernel_info* qb_kernel_at(size_t i);
/* By stable name ("f32_f16_cvt__avx2_u16"); NULL when unknown. */
const qb_kernel_info* qb_kernel_find(const char* name);
/* The family's scalar reference (always built). */
const qb_kernel_info* qb_kernel_reference(qb_family f);
/* Whether it can run here; when not, *reason says why (buf holds it when needed). */
bool qb_kernel_usable(const qb_kernel_info* k, const qb_cpu* cpu, const char** reason, char* buf, int buflen);
/*
 * What dispatch picks: the first usable variant that kernels/prefer.inc prefers for the
 * family on this CPU's class, else the first usable variant in the registry order (best
 * first). NULL only when nothing is usable (never: the scalar reference always is).
 */
const qb_kernel_info* qb_kernel_pick(qb_family f, const qb_cpu* cpu);

/* One row of kernels/prefer.inc: on a CPU of class `cls`, pick `variant` ("avx2_u32")
 * of `family` ahead of the registry order, when it is usable. */
typedef struct qb_preference {
  qb_family family;
  const char* variant;
  qb_cpu_class cls;
} qb_preference;

size_t qb_preference_count(void);
const qb_preference* qb_preference_at(size_t i);
/* The registry entry the row names; NULL when none (a test keeps it from happening). */
const qb_kernel_info* qb_preference_kernel(const qb_preference* p);

static inline qb_unary_fn* qb_kernel_unary(const qb_kernel_info* k) {
  return (qb_unary_fn*) k->fn;
}
static inline qb_dot_fn* qb_kernel_dot(const qb_kernel_info* k) {
  return (qb_dot_fn*) k->fn;
}

/* Bytes moved for n elements, from the family's formula. */
double qb_family_bytes(const qb_family_info* f, uint64_t n);
/* Operations for n elements (0 for families measured in bytes). */
double qb_family_flops(const qb_family_info* f, uint64_t n);

/* Where a block's zero point comes from (kernels/blocks.inc's zero column). */
typedef enum qb_block_zero {
  QB_BLOCK_ZERO_none,  /* 0 */
  QB_BLOCK_ZERO_eight, /* 8: u4 codes read as code - 8 (llama.cpp q4_0) */
  QB_BLOCK_ZERO_byte   /* a u4 zero point in the byte after the scale */
} qb_block_zero;

/* How a block's codes are laid out (kernels/blocks.inc's order column). */
typedef enum qb_block_order {
  QB_BLOCK_ORDER_stream, /* a little-endian bit stream, code i at bits [w i, w (i + 1)) */
  QB_BLOCK_ORDER_halves  /* nibbles: i < len/2 low nibble of byte i, else high of byte i - len/2 */
} qb_block_order;

/* A block dtype's layout (kernels/blocks.inc); false for any other dtype. */
typedef struct qb_block_geom {
  unsigned len;         /* elements per block */
  unsigned bytes;       /* bytes per block, scale included */
  unsigned meta_bytes;  /* of which metadata (the scale, and a zero point byte) */
  qb_dtype scale, code; /* the scale's dtype (first in the block) and the codes' */
  qb_block_zero zero;
  qb_block_order order;
  int code_exp; /* value = scale * (code - zero) * 2^code_exp */
} qb_block_geom;
bool qb_dtype_block(qb_dtype t, qb_block_geom* g);

/* Bytes of one buffer of n elements of dtype t (block dtypes: whole blocks; s4/u4: packed). */
size_t qb_dtype_buffer_bytes(qb_dtype t, size_t n);

#endif
