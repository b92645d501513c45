/*
 * The data of one case: inputs drawn from a distribution and converted to the family's
 * dtypes, quantization parameters calibrated from them, the output buffer of the
 * kernel under test and the scalar reference's output. qb_case_data_evaluate turns an
 * output into the error figures of a result row (host/numerics/README.md).
 */
#ifndef QB_CASEDATA_H
#define QB_CASEDATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "numerics/dist.h"
#include "numerics/metrics.h"
#include "platform/registry.h"
#include "core/status.h"

/* Per-channel families: channels of this many elements when it divides n; otherwise
 * the largest divisor of n below it (n is never changed). */
#define QB_CASE_CHANNEL_LEN 256

typedef struct qb_case_data {
  const qb_family_info* family;
  size_t n;
  void* x;
  void* x2;    /* inputs in the family's dtypes (x2: dots only, else NULL) */
  void* y;     /* output buffer for the kernel under test, allocated and touched (every page written) */
  void* y_ref; /* the scalar reference's output */
  size_t x_bytes, x2_bytes, y_bytes;
  qb_quant_params qp;    /* quant families: calibrated from the data; per-channel arrays owned here */
  size_t metadata_bytes; /* scales/zero points/block scales */
  /* Private. */
  const qb_kernel_info* ref_kernel;
  float* scales;
  float* inv_scales;
  int32_t* zero_points;
  size_t channels;
  /* The f64 reference kept by qb_case_data_keep_ref64 (have_ref64): every output's
   * reference value (unary families: ref64, outputs doubles), or a dot's f64 dot and its
   * sum |a_i b_i| (ref64 NULL). */
  bool have_ref64;
  double* ref64;
  double dot64, dot64_sum_abs;
} qb_case_data;

/* How a case's data are made beyond the distribution. */
typedef struct qb_case_options {
  qb_round_mode round;
  /* Per-tensor params: symmetric absmax instead of min/max affine calibration. */
  bool absmax;
  /* User params (per tensor; per-channel families repeat them on every channel), or
   * NULL to calibrate from the data. Validated. */
  const qb_quant_params* params;
  /* Per-channel families: elements per channel (a real tensor's channel along its axis,
   * the channel outermost), or 0 for chunks of QB_CASE_CHANNEL_LEN. */
  size_t channel_len;
} qb_case_options;

qb_status qb_case_data_init(qb_case_data* d, const qb_family_info* f, size_t n, qb_dist dist, uint64_t seed,
                            qb_round_mode round, qb_error* err);

/* The f32 values qb_case_data_init draws for operand `which` (0: x; 1: a dot's x2, the
 * same distribution from another stream) of n elements: qb_case_data_init is this, then
 * qb_case_data_init_from on them (f32, rounding `round`, no other option). */
void qb_case_draw(qb_dist dist, uint64_t seed, size_t n, int which, float* out);

/*
 * From given inputs: x (and x2 for dots) either already in the family's input dtypes
 * (xt == f->in: copied as they are) or in f32 (converted as qb_case_data_init does).
 * Integer inputs given as integers need o->params for the families that dequantize.
 */
qb_status qb_case_data_init_from(qb_case_data* d, const qb_family_info* f, size_t n, qb_dtype xt,
                                 const void* x, qb_dtype x2t, const void* x2, const qb_case_options* o,
                                 qb_error* err);

/*
 * Computes the f64 reference that qb_case_data_evaluate compares an output with (the
 * "ref" column of host/numerics/README.md, "Figures") once and keeps it in d, so that
 * each later evaluation reads it instead of decoding the inputs again: for a unary
 * family qb_case_data_outputs(d) doubles, for a dot two. It depends on the inputs and
 * params alone, never on an output; whoever changes those makes the data again (or
 * calls this again). Evaluating with it kept gives the same figures, bit for bit.
 */
qb_status qb_case_data_keep_ref64(qb_case_data* d, qb_error* err);

/* Runs the scalar reference into d->y (the output buffer under test). */
void qb_case_data_run_reference(qb_case_data* d);

/* Runs kernel k, a variant of d's family, on the case's inputs (and params) into y. */
void qb_case_data_run(const qb_case_data* d, const qb_kernel_info* k, void* y);

/*
 * Error of output y (y_bytes, the out dtype) of a variant declaring semantics `sem`:
 * m->mismatches / nan_inf_mismatches against the scalar reference, the figures against
 * the f64 reference (host/numerics/README.md "Numerical error").
 */
qb_status qb_case_data_evaluate(const qb_case_data* d, const void* y, unsigned sem, qb_error_metrics* m,
                                qb_error* err);

/* The integer dtype a family's affine params quantize to (s8 or u8), or QB_DTYPE_none
 * when the family takes no params. */
qb_dtype qb_case_param_dtype(const qb_family_info* f);
/* Whether the family quantizes per channel (its params are per-channel arrays). */
bool qb_case_per_channel(const qb_family_info* f);
/* Whether the family is a storage format of f32 data: f32 in, a narrower dtype out (a
 * cast, an affine quantizer per tensor or per channel, a block format); what
 * `qbench error --data` compares. */
bool qb_case_is_format(const qb_family_info* f);

/* Outputs per case: n for unary families, 1 for dots. */
size_t qb_case_data_outputs(const qb_case_data* d);
/* Element i of a buffer of dtype t as a double (qb8: d * q). */
double qb_case_decode(qb_dtype t, const void* buf, size_t i);

void qb_case_data_free(qb_case_data* d);

#endif
