#include "numerics/casedata.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "numerics/calib.h"
#include "numerics/element.h"
#include "numerics/verify.h"
#include "common/fp.h"
#include "dot/dot.h"

static bool qb__is_float(qb_dtype t) {
  return qb_dtype_get(t)->cls == QB_CLASS_float;
}
static bool qb__is_block(qb_dtype t) {
  return qb_dtype_get(t)->cls == QB_CLASS_block;
}

/* Whether the family computes on its inputs' values. Families that move no bits (the
 * compute peaks) do not: there is no numerical error to measure. */
static bool qb__numerical(const qb_family_info* f) {
  return f->op != QB_OP_peak && f->in_bits + f->in2_bits + f->out_bits != 0;
}

static bool qb__has_params(const qb_family_info* f) {
  return qb_op_affine(qb_family_op(f));
}

static bool qb__per_channel(const qb_family_info* f) {
  return qb_family_op(f)->params == QB_PARAMS_channel;
}

/* The integer dtype that a family's affine params quantize to: the codes a quantizer
 * writes or a dequantizer reads; fake-quant rounds through s8 (kernels/ops.inc). */
static qb_dtype qb__param_dtype(const qb_family_info* f) {
  switch (f->op) {
    case QB_OP_dequant:
    case QB_OP_dequantc:
      return f->in;
    case QB_OP_fakequant:
      return QB_DTYPE_s8;
    default:
      return f->out;
  }
}

bool qb_case_per_channel(const qb_family_info* f) {
  return qb__per_channel(f);
}

bool qb_case_is_format(const qb_family_info* f) {
  switch (f->op) {
    case QB_OP_quant:
    case QB_OP_quantc:
    case QB_OP_bquant:
      return f->in == QB_DTYPE_f32;
    case QB_OP_cvt:
    case QB_OP_cvtsat:
      return f->in == QB_DTYPE_f32 && f->out != QB_DTYPE_f64;
    default:
      return false;
  }
}

qb_dtype qb_case_param_dtype(const qb_family_info* f) {
  return qb__has_params(f) ? qb__param_dtype(f) : QB_DTYPE_none;
}

size_t qb_case_data_outputs(const qb_case_data* d) {
  return d->family->kind == QB_KIND_dot ? 1 : d->n;
}

/*
 * A 64-byte aligned buffer with every page written. Buffers of 4 MiB and more are
 * aligned to 2 MiB and offered to transparent huge pages, so a long cast does not pay
 * a TLB miss every 4 KiB (madvise is advice: its failure changes nothing else).
 */
static void* qb__buf_alloc(size_t bytes) {
  const size_t huge = (size_t) 2 << 20;
  const size_t align = bytes >= 2 * huge ? huge : 64;
  size_t size = (bytes + align - 1) / align * align;
  void* p = NULL;
  if (size == 0) size = align;
  if (posix_memalign(&p, align, size) != 0) return NULL;
  if (align == huge) (void) madvise(p, size, MADV_HUGEPAGE);
  memset(p, 0, size);
  return p;
}

double qb_case_decode(qb_dtype t, const void* buf, size_t i) {
  return qb_element_value(t, buf, i);
}

/* ---- Building the data ------------------------------------------------------------ */

/* Runs the scalar reference of the family doing `op` from f32 to t. */
static qb_status qb__run_from_f32(qb_op op, qb_dtype t, size_t n, const void* x, void* y, const void* params,
                                  qb_error* err) {
  const qb_family f = qb_family_by_op(op, QB_DTYPE_f32, t);
  const qb_kernel_info* k = f == QB_FAMILY_COUNT ? NULL : qb_kernel_reference(f);
  if (k == NULL || k->fn == NULL || qb_family_get(f)->kind != QB_KIND_unary) {
    return qb_fail(err, QB_UNSUPPORTED, "case data: no %s family from f32 to %s in this build",
                   qb_op_get(op)->name, qb_dtype_get(t)->name);
  }
  qb_kernel_unary(k)(n, x, y, params);
  return QB_OK;
}

/* The largest divisor of n that is at most QB_CASE_CHANNEL_LEN (1 for a prime above it). */
static size_t qb__channel_len(size_t n) {
  size_t len = n < QB_CASE_CHANNEL_LEN ? n : QB_CASE_CHANNEL_LEN;
  while (len > 1 && n % len != 0) len--;
  return len;
}

/* Per-tensor params for dtype qdt: the user's (checked), or calibrated on xf. */
static qb_status qb__tensor_params(qb_quant_params* p, qb_dtype qdt, const float* xf, size_t n,
                                   const qb_case_options* o, qb_error* err) {
  const qb_dtype_info* di = qb_dtype_get(qdt);
  float scale;
  int32_t zp;
  qb_status s;
  if (o->params != NULL) {
    *p = *o->params;
    p->round = o->round;
    p->channel_len = 0;
    p->scales = p->inv_scales = NULL;
    p->zero_points = NULL;
    if (p->qmin < di->imin || p->qmax > di->imax) {
      return qb_fail(err, QB_BAD_INPUT, "quant params: qmin %d / qmax %d outside the %s range [%lld, %lld]",
                     (int) p->qmin, (int) p->qmax, di->name, (long long) di->imin, (long long) di->imax);
    }
    return qb_quant_params_validate(p, n, err);
  }
  if (xf == NULL) {
    return qb_fail(err, QB_BAD_INPUT,
                   "%s input given as integers: its scale and zero point must be given too", di->name);
  }
  s = o->absmax ? qb_calib_absmax(xf, n, (int32_t) di->imin, (int32_t) di->imax, &scale, &zp, err)
                : qb_calib_minmax(xf, n, (int32_t) di->imin, (int32_t) di->imax, &scale, &zp, err);
  if (s != QB_OK) return s;
  qb_quant_params_init(p, scale, zp, (int32_t) di->imin, (int32_t) di->imax, o->round);
  return QB_OK;
}

/* The case's own params (d->qp), per tensor or per channel (arrays owned by d). */
static qb_status qb__case_params(qb_case_data* d, const float* xf, const qb_case_options* o, qb_error* err) {
  const qb_dtype qdt = qb__param_dtype(d->family);
  if (!qb__per_channel(d->family)) {
    d->metadata_bytes = sizeof(float) + sizeof(int32_t);
    return qb__tensor_params(&d->qp, qdt, xf, d->n, o, err);
  }
  /* The caller's channels (a real tensor's axis), else chunks of QB_CASE_CHANNEL_LEN. */
  const size_t len =
      o->channel_len != 0 && d->n % o->channel_len == 0 ? o->channel_len : qb__channel_len(d->n);
  const qb_dtype_info* di = qb_dtype_get(qdt);
  d->channels = d->n / len;
  d->scales = malloc(d->channels * sizeof(float));
  d->inv_scales = malloc(d->channels * sizeof(float));
  d->zero_points = malloc(d->channels * sizeof(int32_t));
  if (d->scales == NULL || d->inv_scales == NULL || d->zero_points == NULL) {
    return qb_fail(err, QB_NO_MEMORY, "case data: no memory for %zu channels", d->channels);
  }
  if (o->params != NULL || xf == NULL) {
    /* User params (one set) hold for every channel. */
    qb_quant_params one;
    qb_status s = qb__tensor_params(&one, qdt, NULL, d->n, o, err);
    if (s != QB_OK) return s;
    for (size_t c = 0; c < d->channels; c++) {
      d->scales[c] = one.scale;
      d->zero_points[c] = one.zero_point;
    }
    d->qp = one;
  } else {
    qb_status s = qb_calib_minmax_channels(xf, d->channels, len, (int32_t) di->imin, (int32_t) di->imax,
                                           d->scales, d->zero_points, err);
    if (s != QB_OK) return s;
    qb_quant_params_init(&d->qp, d->scales[0], d->zero_points[0], (int32_t) di->imin, (int32_t) di->imax,
                         o->round);
  }
  for (size_t c = 0; c < d->channels; c++) d->inv_scales[c] = 1.0f / d->scales[c];
  d->qp.channel_len = len;
  d->qp.scales = d->scales;
  d->qp.inv_scales = d->inv_scales;
  d->qp.zero_points = d->zero_points;
  d->metadata_bytes = d->channels * (sizeof(float) + sizeof(int32_t));
  return qb_quant_params_validate(&d->qp, d->n, err);
}

/*
 * f32 values -> dtype t through the scalar references: float dtypes by the cast
 * (saturating where one exists, so an outlier becomes the format's max, not NaN);
 * integers by quantizing (`qp`: the case's params; NULL: per-tensor calibration, absmax
 * for s8 and min/max for u8, as a dot's operands would be); qb8 by block quantization.
 */
static qb_status qb__from_f32(qb_dtype t, const float* xf, size_t n, void* out, const qb_quant_params* qp,
                              qb_round_mode round, qb_error* err) {
  if (t == QB_DTYPE_f32) {
    memcpy(out, xf, n * sizeof(float));
    return QB_OK;
  }
  if (qb__is_block(t)) return qb__run_from_f32(QB_OP_bquant, t, n, xf, out, NULL, err);
  if (qb__is_float(t)) {
    const bool sat = qb_family_by_op(QB_OP_cvtsat, QB_DTYPE_f32, t) != QB_FAMILY_COUNT;
    return qb__run_from_f32(sat ? QB_OP_cvtsat : QB_OP_cvt, t, n, xf, out, NULL, err);
  }
  if (qb_dtype_get(t)->cls != QB_CLASS_int) {
    return qb_fail(err, QB_UNSUPPORTED, "case data: no conversion from f32 to %s", qb_dtype_get(t)->name);
  }
  qb_quant_params local;
  if (qp == NULL) {
    const qb_case_options o = {round, qb_dtype_get(t)->imin < 0, NULL, 0};
    qb_status s = qb__tensor_params(&local, t, xf, n, &o, err);
    if (s != QB_OK) return s;
    qp = &local;
  }
  return qb__run_from_f32(qp->channel_len ? QB_OP_quantc : QB_OP_quant, t, n, xf, out, qp, err);
}

/* Takes input `given` (dtype gt) into buffer `out` of dtype want. */
static qb_status qb__take_input(qb_case_data* d, qb_dtype want, qb_dtype gt, const void* given, void* out,
                                size_t bytes, const qb_case_options* o, qb_error* err) {
  if (gt == want) {
    memcpy(out, given, bytes);
    return QB_OK;
  }
  if (gt != QB_DTYPE_f32) {
    if (want == QB_DTYPE_f32) {
      return qb_fail(err, QB_BAD_INPUT, "%s takes f32 input, not %s", d->family->name,
                     qb_dtype_get(gt)->name);
    }
    return qb_fail(err, QB_BAD_INPUT, "%s takes %s input (or f32, converted), not %s", d->family->name,
                   qb_dtype_get(want)->name, qb_dtype_get(gt)->name);
  }
  const bool own_params = d->family->op == QB_OP_dequant || d->family->op == QB_OP_dequantc;
  return qb__from_f32(want, (const float*) given, d->n, out, own_params ? &d->qp : NULL, o->round, err);
}

static qb_status qb__check_n(const qb_family_info* f, size_t n, qb_error* err) {
  if (n == 0) return qb_fail(err, QB_BAD_INPUT, "%s: n must be at least 1", f->name);
  if (n % f->n_multiple != 0) {
    return qb_fail(err, QB_BAD_INPUT, "%s: n = %zu is not a multiple of %llu", f->name, n,
                   (unsigned long long) f->n_multiple);
  }
  if ((uint64_t) n > f->max_n) {
    return qb_fail(err, QB_BAD_INPUT, "%s: n = %zu is above the family's limit %llu", f->name, n,
                   (unsigned long long) f->max_n);
  }
  return QB_OK;
}

static qb_status qb__init_buffers(qb_case_data* d, const qb_family_info* f, size_t n, qb_error* err) {
  d->family = f;
  d->n = n;
  d->ref_kernel = qb_kernel_reference(f->id);
  if (d->ref_kernel == NULL || d->ref_kernel->fn == NULL) {
    return qb_fail(err, QB_INTERNAL, "%s: the scalar reference is not in this build", f->name);
  }
  d->x_bytes = qb_dtype_buffer_bytes(f->in, n);
  d->x2_bytes = f->kind == QB_KIND_dot ? qb_dtype_buffer_bytes(f->in2, n) : 0;
  d->y_bytes = qb_dtype_buffer_bytes(f->out, f->kind == QB_KIND_dot ? 1 : n);
  d->x = qb__buf_alloc(d->x_bytes);
  d->x2 = f->kind == QB_KIND_dot ? qb__buf_alloc(d->x2_bytes) : NULL;
  d->y = qb__buf_alloc(d->y_bytes);
  d->y_ref = qb__buf_alloc(d->y_bytes);
  if (d->x == NULL || (f->kind == QB_KIND_dot && d->x2 == NULL) || d->y == NULL || d->y_ref == NULL) {
    return qb_fail(err, QB_NO_MEMORY, "%s: no memory for n = %zu (%zu + %zu + 2 x %zu bytes)", f->name, n,
                   d->x_bytes, d->x2_bytes, d->y_bytes);
  }
  return QB_OK;
}

static void qb__run_kernel(const qb_case_data* d, const qb_kernel_info* k, const void* x, const void* x2,
                           void* y) {
  if (d->family->kind == QB_KIND_dot) {
    qb_kernel_dot(k)(d->n, x, x2, y);
  } else {
    qb_kernel_unary(k)(d->n, x, y, &d->qp);
  }
}

static void qb__run_reference(const qb_case_data* d, const void* x, const void* x2, void* y) {
  qb__run_kernel(d, d->ref_kernel, x, x2, y);
}

void qb_case_data_run(const qb_case_data* d, const qb_kernel_info* k, void* y) {
  qb__run_kernel(d, k, d->x, d->x2, y);
}

void qb_case_data_run_reference(qb_case_data* d) {
  qb__run_reference(d, d->x, d->x2, d->y);
}

qb_status qb_case_data_init_from(qb_case_data* d, const qb_family_info* f, size_t n, qb_dtype xt,
                                 const void* x, qb_dtype x2t, const void* x2, const qb_case_options* o,
                                 qb_error* err) {
  qb_status s;
  memset(d, 0, sizeof *d);
  if (!qb__numerical(f)) {
    return qb_fail(err, QB_UNSUPPORTED, "%s: not a numerical family (no case data)", f->name);
  }
  if ((s = qb__check_n(f, n, err)) != QB_OK || (s = qb__init_buffers(d, f, n, err)) != QB_OK) goto fail;
  if (qb__has_params(f)) {
    /* Params come from f32 data when there is some: the input itself, or the floats
     * that a dequant family's integers are made from. */
    const float* xf = xt == QB_DTYPE_f32 ? (const float*) x : NULL;
    if ((s = qb__case_params(d, xf, o, err)) != QB_OK) goto fail;
  } else if (qb_family_op(f)->params == QB_PARAMS_block) {
    qb_block_geom g;
    (void) qb_dtype_block(f->op == QB_OP_bquant ? f->out : f->in, &g);
    d->metadata_bytes = n / g.len * g.meta_bytes;
  }
  if ((s = qb__take_input(d, f->in, xt, x, d->x, d->x_bytes, o, err)) != QB_OK) goto fail;
  if (f->kind == QB_KIND_dot) {
    if (x2 == NULL) {
      s = qb_fail(err, QB_BAD_INPUT, "%s: a dot needs a second input", f->name);
      goto fail;
    }
    if ((s = qb__take_input(d, f->in2, x2t, x2, d->x2, d->x2_bytes, o, err)) != QB_OK) goto fail;
  }
  qb__run_reference(d, d->x, d->x2, d->y_ref);
  return QB_OK;
fail:
  qb_case_data_free(d);
  return s;
}

void qb_case_draw(qb_dist dist, uint64_t seed, size_t n, int which, float* out) {
  /* A dot's second operand: the same distribution, another stream. */
  qb_dist_fill(dist, which == 0 ? seed : seed ^ 0x5851F42D4C957F2Dull, n, out);
}

qb_status qb_case_data_init(qb_case_data* d, const qb_family_info* f, size_t n, qb_dist dist, uint64_t seed,
                            qb_round_mode round, qb_error* err) {
  const qb_case_options o = {round, false, NULL, 0};
  const bool dot = f->kind == QB_KIND_dot;
  float* xf = malloc((n ? n : 1) * sizeof(float));
  float* x2f = dot ? malloc((n ? n : 1) * sizeof(float)) : NULL;
  qb_status s;
  memset(d, 0, sizeof *d);
  if (xf == NULL || (dot && x2f == NULL)) {
    s = qb_fail(err, QB_NO_MEMORY, "%s: no memory for n = %zu inputs", f->name, n);
  } else {
    qb_case_draw(dist, seed, n, 0, xf);
    if (dot) qb_case_draw(dist, seed, n, 1, x2f);
    s = qb_case_data_init_from(d, f, n, QB_DTYPE_f32, xf, QB_DTYPE_f32, x2f, &o, err);
  }
  free(xf);
  free(x2f);
  return s;
}

void qb_case_data_free(qb_case_data* d) {
  free(d->x);
  free(d->x2);
  free(d->y);
  free(d->y_ref);
  free(d->scales);
  free(d->inv_scales);
  free(d->zero_points);
  free(d->ref64);
  memset(d, 0, sizeof *d);
}

/* ---- Evaluation ------------------------------------------------------------------- */

/* Element i's affine params (per tensor or its channel's). */
static void qb__params_at(const qb_case_data* d, size_t i, double* scale, double* zp) {
  if (d->qp.channel_len) {
    *scale = d->qp.scales[i / d->qp.channel_len];
    *zp = d->qp.zero_points[i / d->qp.channel_len];
  } else {
    *scale = d->qp.scale;
    *zp = d->qp.zero_point;
  }
}

/* The f64 reference of output i, from the input as stored. */
static double qb__ref64(const qb_case_data* d, size_t i) {
  double scale, zp;
  switch (d->family->op) {
    case QB_OP_dequant:
    case QB_OP_dequantc:
      qb__params_at(d, i, &scale, &zp);
      return (qb_case_decode(d->family->in, d->x, i) - zp) * scale;
    default:
      return qb_case_decode(d->family->in, d->x, i);
  }
}

/* Output i as the value it stands for: quantized codes dequantized with the case's params. */
static double qb__got64(const qb_case_data* d, const void* y, size_t i) {
  double scale, zp;
  if (d->family->op == QB_OP_quant || d->family->op == QB_OP_quantc) {
    qb__params_at(d, i, &scale, &zp);
    return (qb_case_decode(d->family->out, y, i) - zp) * scale;
  }
  return qb_case_decode(d->family->out, y, i);
}

/* The f64 dot of the inputs as stored, and the sum of |a_i b_i| for the REASSOC bound;
 * the inputs decoded a run at a time (a block's scale once per block). */
static void qb__dot64(const qb_case_data* d, double* dot, double* sum_abs) {
  enum { CHUNK = 1024 };
  double va[CHUNK], vb[CHUNK];
  double s[2] = {0, 0}, a = 0;
  for (size_t i0 = 0; i0 < d->n; i0 += CHUNK) {
    const size_t k = d->n - i0 < CHUNK ? d->n - i0 : CHUNK;
    qb_element_values(d->family->in, d->x, i0, k, va);
    qb_element_values(d->family->in2, d->x2, i0, k, vb);
    for (size_t j = 0; j < k; j++) {
      const double p = va[j] * vb[j];
      const double t = s[0] + p;
      s[1] += fabs(s[0]) >= fabs(p) ? (s[0] - t) + p : (p - t) + s[0];
      s[0] = t;
      a += fabs(p);
    }
  }
  *dot = s[0] + s[1];
  *sum_abs = a;
}

/* The f64 reference of outputs [i0, i0 + k) of a unary family, into ref. */
static void qb__ref_values(const qb_case_data* d, size_t i0, size_t k, double* ref) {
  const qb_op op = d->family->op;
  if (op != QB_OP_dequant && op != QB_OP_dequantc) {
    /* The input's plain values (no affine params): decoded a run at a time. */
    qb_element_values(d->family->in, d->x, i0, k, ref);
    return;
  }
  for (size_t j = 0; j < k; j++) ref[j] = qb__ref64(d, i0 + j);
}

/* Outputs [i0, i0 + k) of y as the values they stand for, into got. */
static void qb__got_values(const qb_case_data* d, const void* y, size_t i0, size_t k, double* got) {
  const qb_op op = d->family->op;
  if (op != QB_OP_quant && op != QB_OP_quantc) {
    qb_element_values(d->family->out, y, i0, k, got);
    return;
  }
  for (size_t j = 0; j < k; j++) got[j] = qb__got64(d, y, i0 + j);
}

qb_status qb_case_data_keep_ref64(qb_case_data* d, qb_error* err) {
  free(d->ref64);
  d->ref64 = NULL;
  d->have_ref64 = false;
  if (d->family->kind == QB_KIND_dot) {
    qb__dot64(d, &d->dot64, &d->dot64_sum_abs);
  } else {
    d->ref64 = malloc((d->n ? d->n : 1) * sizeof *d->ref64);
    if (d->ref64 == NULL) {
      return qb_fail(err, QB_NO_MEMORY, "%s: no memory for the f64 reference of n = %zu", d->family->name,
                     d->n);
    }
    qb__ref_values(d, 0, d->n, d->ref64);
  }
  d->have_ref64 = true;
  return QB_OK;
}

static void qb__error_figures(const qb_case_data* d, const void* y, qb_error_metrics* m) {
  enum { CHUNK = 1024 };
  double ref[CHUNK], got[CHUNK];
  qb_metrics_acc acc;
  qb_metrics_begin(&acc, d->family->out);
  if (d->family->kind == QB_KIND_dot) {
    double sum_abs;
    if (d->have_ref64) {
      ref[0] = d->dot64;
    } else {
      qb__dot64(d, &ref[0], &sum_abs);
    }
    got[0] = qb_case_decode(d->family->out, y, 0);
    qb_metrics_add(&acc, ref, got, 1);
  } else {
    for (size_t i0 = 0; i0 < d->n; i0 += CHUNK) {
      const size_t k = d->n - i0 < CHUNK ? d->n - i0 : CHUNK;
      /* The reference kept (qb_case_data_keep_ref64), or decoded here. */
      const double* r = ref;
      if (d->have_ref64) {
        r = d->ref64 + i0;
      } else {
        qb__ref_values(d, i0, k, ref);
      }
      qb__got_values(d, y, i0, k, got);
      qb_metrics_add(&acc, r, got, k);
    }
  }
  qb_metrics_end(&acc, m);
}

qb_status qb_case_data_evaluate(const qb_case_data* d, const void* y, unsigned sem, qb_error_metrics* m,
                                qb_error* err) {
  /* (b) The figures against the f64 reference. */
  qb__error_figures(d, y, m);
  m->bound = NAN;
  /* The reference against itself (`qbench error --data`) has nothing to compare. */
  if (y == d->y_ref && (sem & (QB_SEM_FTZ_IN | QB_SEM_FTZ_OUT)) == 0) {
    m->mismatches = m->nan_inf_mismatches = 0;
    return QB_OK;
  }
  /* (a) Bit-wise against the scalar reference, its declared semantics applied
   * (numerics/verify.h). */
  const qb_verify_io io = {d->family, d->n, d->x, d->x2, &d->qp};
  /* A dot's sum |a_i b_i| (its REASSOC bound's) kept with the f64 reference. */
  const double* sum_abs = d->have_ref64 && d->family->kind == QB_KIND_dot ? &d->dot64_sum_abs : NULL;
  qb_verify_result r;
  const qb_status s = qb_verify_sum_abs(&io, sum_abs, d->y_ref, y, sem, &r, err);
  m->mismatches = r.mismatches;
  m->nan_inf_mismatches = r.nan_inf_mismatches;
  if (r.bound > 0.0) m->bound = r.bound;
  return s;
}
