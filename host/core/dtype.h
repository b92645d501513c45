/* The one module that knows every dtype (host/core/dtype.inc). */
#ifndef QB_DTYPE_H
#define QB_DTYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum qb_dtype {
#define QB_DTYPE(tok, cls, ...) QB_DTYPE_##tok,
#include "core/dtype.inc"
#undef QB_DTYPE
  QB_DTYPE_COUNT
} qb_dtype;

typedef enum qb_dtype_class { QB_CLASS_none, QB_CLASS_float, QB_CLASS_int, QB_CLASS_block } qb_dtype_class;

/* What a float format's all-ones exponent holds (dtype.inc's special column). */
typedef enum qb_dtype_special {
  QB_SPECIAL_none,   /* not a float */
  QB_SPECIAL_ieee,   /* inf and NaN, as IEEE 754 */
  QB_SPECIAL_fn,     /* normals; only S.1..1.1..1 is NaN; no inf (e4m3fn) */
  QB_SPECIAL_finite, /* normals: no inf, no NaN (OCP MX FP6/FP4) */
  QB_SPECIAL_e8m0,   /* unsigned powers of two, no zero; all ones = NaN (OCP MX scale) */
} qb_dtype_special;

typedef struct qb_dtype_info {
  const char* name;
  qb_dtype_class cls;
  unsigned bits; /* storage bits per element, block metadata included */
  int exp_bits, man_bits, bias;
  qb_dtype_special special;
  int64_t imin, imax;
  const char* doc;
} qb_dtype_info;

const qb_dtype_info* qb_dtype_get(qb_dtype t);
/* Returns QB_DTYPE_none when `name` is not a dtype token. */
qb_dtype qb_dtype_find(const char* name);

/*
 * Element access and decoding from the descriptor alone, for any float or int dtype
 * (not block dtypes, whose elements share their block's scale):
 * - load/store: element i's raw code, `bits` wide; widths below 8 are packed
 *   little-endian (dtype.inc), wider ones are whole little-endian words.
 * - decode: the value of a code (NaN for a NaN code; ints sign-extended when imin < 0).
 * - flush: a float code with a subnormal replaced by zero of the same sign.
 */
uint64_t qb_dtype_load_bits(qb_dtype t, const void* buf, size_t i);
void qb_dtype_store_bits(qb_dtype t, void* buf, size_t i, uint64_t v);
double qb_dtype_decode_bits(qb_dtype t, uint64_t v);
bool qb_dtype_is_nan_bits(qb_dtype t, uint64_t v);
uint64_t qb_dtype_flush_bits(qb_dtype t, uint64_t v);

/* torch.finfo-like figures of a float dtype. */
typedef struct qb_finfo {
  double max;           /* largest finite */
  double lowest;        /* -max */
  double eps;           /* 2^-man_bits: the gap between 1 and the next value */
  double min_normal;    /* smallest positive normal */
  double min_subnormal; /* smallest positive subnormal */
  double resolution;    /* 10^-floor(-log10(eps)) */
  int digits;           /* floor(-log10(eps)): decimal digits kept */
  bool has_inf;
} qb_finfo;
bool qb_dtype_finfo(qb_dtype t, qb_finfo* out);

/*
 * The value a float dtype stores for v: round to nearest, ties to even, subnormals
 * kept; overflow gives inf where the format has it, NaN for f8e4m3 (or +-max when
 * `saturate`). Computed in double arithmetic with frexp/ldexp/nearbyint, independently
 * of the bit-level kernels, so the tests can use it as an oracle. v must be exactly
 * representable in double (any f32 is).
 */
double qb_dtype_round(qb_dtype t, double v, bool saturate);

#endif
