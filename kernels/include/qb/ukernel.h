/*
 * The kernel side of qbench: signatures, parameter structs, semantics flags and the
 * prototypes of every registered kernel. Kernels include only this header (and
 * the headers in kernels/common/); they know nothing of the host.
 */
#ifndef QB_UKERNEL_H
#define QB_UKERNEL_H

#include <stddef.h>
#include <stdint.h>

#include "lowbit.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The two kernel signatures. Every kernel of a family has its family's kind.
 * Pointers are untyped so that one table can hold every family; the kernel's
 * name says the dtypes, and the kernel casts to them on entry.
 */
typedef void qb_unary_fn(size_t n, const void* x, void* y, const void* params);
typedef void qb_dot_fn(size_t n, const void* a, const void* b, void* out);

/* Rounding of x / scale in affine quantization. */
typedef enum qb_round_mode {
  /* PyTorch: q = clamp(zp + nearbyint(x * (1.0f / scale))), ties to even. */
  QB_ROUND_PYTORCH = 0,
  /* TFLite: q = clamp(round(x / scale) + zp), round half away from zero. */
  QB_ROUND_TFLITE = 1,
} qb_round_mode;

/*
 * Affine quantization parameters (quant, dequant, fakequant families).
 * Preconditions (asserted by kernels, validated by the host): scale finite and > 0,
 * inv_scale == 1.0f / scale, qmin <= zero_point <= qmax.
 * Per-channel families (suffix `c`) read the channel arrays instead: channel k covers
 * elements [k * channel_len, (k + 1) * channel_len), and n % channel_len == 0.
 */
typedef struct qb_quant_params {
  float scale;
  float inv_scale;
  int32_t zero_point;
  int32_t qmin;
  int32_t qmax;
  qb_round_mode round;
  size_t channel_len;
  const float* scales;
  const float* inv_scales;
  const int32_t* zero_points;
} qb_quant_params;

/* One block of symmetric block quantization: value[i] = d * qs[i]. */
#define QB_BLOCK_LEN 32
typedef struct qb_block_q8 {
  float d;
  int8_t qs[QB_BLOCK_LEN];
} qb_block_q8;

/*
 * llama.cpp's (ggml's) block formats, byte for byte as its GGUF files and kernels store
 * them (kernels/quant/README.md "llama.cpp formats"). `d` is an IEEE binary16 bit pattern.
 * q8_0: value[i] = d * qs[i] (34 bytes per 32 values, 8.5 bits each).
 * q4_0: value[i] = d * (code[i] - 8), code[i] = qs[i] & 15 and code[i + 16] = qs[i] >> 4
 *       for i < 16: the first half of the block in the low nibbles (18 bytes, 4.5 bits).
 */
typedef struct qb_block_q8_0 {
  uint16_t d;
  int8_t qs[QB_BLOCK_LEN];
} qb_block_q8_0;
typedef struct qb_block_q4_0 {
  uint16_t d;
  uint8_t qs[QB_BLOCK_LEN / 2];
} qb_block_q4_0;

/*
 * int4 group quantization as GPTQ/AWQ-style checkpoints hold it (kernels/quant/README.md
 * "int4 groups"): G consecutive values along the input dimension share an f16 scale `d`
 * (stored as two little-endian bytes, so the struct has no padding) and, asymmetric, a u4
 * zero point `z` (in a byte): value = d * (code - z), codes 0..15. Symmetric (qs4): value =
 * d * code, codes -8..7 as two's-complement nibbles. Two codes per byte, element 2j in the
 * low nibble of qs[j] and 2j + 1 in the high one (GPTQ's int32 packing, byte by byte).
 */
#define QB_INT4_GROUP(G)            \
  typedef struct qb_group_qu4g##G { \
    uint8_t d[2];                   \
    uint8_t z;                      \
    uint8_t qs[(G) / 2];            \
  } qb_group_qu4g##G;
QB_INT4_GROUP(32)
QB_INT4_GROUP(64)
QB_INT4_GROUP(128)
#undef QB_INT4_GROUP
typedef struct qb_group_qs4g128 {
  uint8_t d[2];
  uint8_t qs[64];
} qb_group_qs4g128;

/* The block structs have exactly the sizes kernels/blocks.inc gives (no padding). */
#define QB_BLOCK(dt, len, bytes, meta, type, ...) \
  _Static_assert(sizeof(type) == (bytes), #type " does not match kernels/blocks.inc");
#ifndef __cplusplus
#include "../../blocks.inc"
#endif
#undef QB_BLOCK

/*
 * Semantics a variant declares, relative to its family's scalar reference.
 * 0 means bit-exact with the reference for every input.
 */
enum {
  QB_SEM_EXACT = 0,
  QB_SEM_FTZ_IN = 1u << 0,    /* subnormal float inputs are read as signed zero */
  QB_SEM_FTZ_OUT = 1u << 1,   /* subnormal float outputs are flushed to signed zero */
  QB_SEM_NAN_CANON = 1u << 2, /* NaN outputs carry a canonical payload */
  QB_SEM_REASSOC = 1u << 3,   /* float sums in another order: within QB_DOT_REL_BOUND */
  /* Float additions round to odd, so each errs by up to one ulp rather than half (Arm
   * BFDOT/BFMMLA without FEAT_EBF16): with QB_SEM_REASSOC, within qb_dot_sem_bound. */
  QB_SEM_ROUND_ODD = 1u << 4,
};

/* Prototypes of every registered kernel. The registry declares them weak, so that a
 * kernel whose ISA the compiler could not build is a NULL entry, not a link error. */
#ifndef QB_UKERNEL_ATTR
#define QB_UKERNEL_ATTR
#endif
/* Each operation's signature (kernels/ops.inc's kind), then each family's. */
#define QB_OP(op, kind, ...) typedef qb_##kind##_fn qb_op_##op##_fn;
#include "../../ops.inc"
#undef QB_OP
#define QB_FAMILY(id, op, ...) typedef qb_op_##op##_fn qb_##id##_fn;
#include "../../families.inc"
#undef QB_FAMILY
#define QB_KERNEL(family, isa, fn, tile, sem) extern qb_##family##_fn fn QB_UKERNEL_ATTR;
#include "../../kernels.inc"
#undef QB_KERNEL

#ifdef __cplusplus
}
#endif

#endif /* QB_UKERNEL_H */
