/* The one module that knows every dtype (host/core/dtype.inc). */
#ifndef QB_DTYPE_H
#define QB_DTYPE_H

#include <stdbool.h>
#include <stdint.h>

typedef enum qb_dtype {
#define QB_DTYPE(tok, cls, ...) QB_DTYPE_##tok,
#include "core/dtype.inc"
#undef QB_DTYPE
  QB_DTYPE_COUNT
} qb_dtype;

typedef enum qb_dtype_class { QB_CLASS_none, QB_CLASS_float, QB_CLASS_int, QB_CLASS_block } qb_dtype_class;

typedef struct qb_dtype_info {
  const char* name;
  qb_dtype_class cls;
  unsigned bits; /* storage bits per element, block metadata included */
  int exp_bits, man_bits, bias;
  int64_t imin, imax;
  const char* doc;
} qb_dtype_info;

const qb_dtype_info* qb_dtype_get(qb_dtype t);
/* Returns QB_DTYPE_none when `name` is not a dtype token. */
qb_dtype qb_dtype_find(const char* name);

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
