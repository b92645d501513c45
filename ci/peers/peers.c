/*
 * qbench's kernels beside public implementations of the same operations, in one process
 * on one core: each round times qbench's every usable variant and the peer once each,
 * in an order that rotates by one from round to round (no side always runs first, just
 * after an allocation or just after the other's cache footprint), by the thread's CPU
 * time (time the thread spent descheduled on a busy machine does not count); the best
 * and the median of the rounds are kept for each side, and the median of the rounds'
 * own ratios (both sides timed within one round, so a slow stretch of the machine slows
 * both). Built by ci/peers.sh (not part of CI); the peers' code is never in this
 * repository: ci/peers.sh builds them from a folder the user gives.
 *
 * Peers (compiled in when their macro is defined):
 *   QB_PEER_GGML   ggml's CPU backend: q8_0 quantize/dequantize/vec_dot, q4_0
 *                  quantize/dequantize and q4_0 . q8_0 vec_dot, f16 and bf16 vec_dot,
 *                  fp32 <-> fp16/bf16 row conversion.
 *   QB_PEER_NUMKONG  NumKong's run-time dispatched C API: nk_cast between f32 and
 *                  f16/bf16/e4m3/e5m2, nk_dot_{f32,f16,bf16,i8,e4m3}.
 * Without a peer an operation still times qbench's side: ci/peers/torch_peers.py asks
 * for those (--only FAMILY) to set them beside PyTorch's.
 *
 * Output: one line per operation and size: the variant qbench's dispatch picks
 * (qb_kernel_pick: `qbench list`'s "picked", kernels/prefer.inc included), both sides' best rates in
 * elements per second and their ratio qbench / peer (above 1: qbench is faster), then
 * each side's median rate and the median of the per-round ratios of that variant and the
 * peer (the steadier figure on a loaded machine). A dot with a peer gets a second line:
 * each side's |result - the f64 sum of its own inputs| / sum |x_i y_i|, so a peer that
 * sums in a narrower type (ggml's f16 vec_dot where the CPU has AVX512-FP16) shows it.
 * --csv FILE: the same lines (not --variants' extra ones, nor the medians) as CSV too,
 * for a program (`qbench plot --peers FILE` joins them to its roof table by family):
 * peer,operation,family,n,variant,qbench_gelps,peer_gelps,ratio (Gel/s: 10^9 elements
 * per second; peer "none" with empty peer_gelps and ratio for qbench's side alone).
 * qbench's write-heavy kernels stream their stores as `qbench run` sets them for one
 * thread (calls that move three quarters of the last level or more).
 * --serve: one request a line on stdin, "FAMILY N", answered by one round of that
 * family at that size and a line "done" (ci/peers/torch_peers.py interleaves its
 * rounds with PyTorch's so, in one long-lived process).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/stream.h"
#include "platform/cpu.h"
#include "platform/registry.h"
#include "platform/topo.h"

#ifdef QB_PEER_GGML
#include "ggml-cpu.h"
#include "ggml.h"
#endif
#ifdef QB_PEER_NUMKONG
#include "numkong/numkong.h"
#endif

/* The calling thread's CPU time: with other processes on its core, the time it waited
 * for the core would otherwise count against whichever side was running. */
static double qb__now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double) ts.tv_sec + 1e-9 * (double) ts.tv_nsec;
}

/* One timed thing: a call over n elements. */
typedef struct qb__job {
  void (*call)(const struct qb__job* j);
  size_t n;
  const void *x, *x2;
  void* y;
  const qb_kernel_info* k;
  int peer_type;             /* ggml type for the ggml calls; NumKong's source dtype */
  int peer_type2;            /* NumKong's destination dtype */
  const qb_quant_params* qp; /* qbench's quantize parameters, or NULL */
} qb__job;

/* CPU seconds per call: calls repeated for at least `min_s`. */
static double qb__time(const qb__job* j, double min_s) {
  j->call(j); /* warm */
  size_t reps = 1;
  for (;;) {
    const double t0 = qb__now();
    for (size_t i = 0; i < reps; i++) j->call(j);
    const double dt = qb__now() - t0;
    if (dt >= min_s) return dt / (double) reps;
    reps = dt <= 0 ? reps * 16 : (size_t) ((double) reps * (1.5 * min_s / dt)) + 1;
  }
}

static void qb__call_qb(const qb__job* j) {
  const qb_family_info* f = qb_family_get(j->k->family);
  if (f->kind == QB_KIND_dot) {
    float out[4];
    qb_kernel_dot(j->k)(j->n, j->x, j->x2, out);
  } else {
    qb_kernel_unary(j->k)(j->n, j->x, j->y, j->qp);
  }
}

#ifdef QB_PEER_GGML
/* peer_type: the block type (0: q8_0). */
static void qb__g_quant(const qb__job* j) {
  const enum ggml_type t = j->peer_type ? (enum ggml_type) j->peer_type : GGML_TYPE_Q8_0;
  ggml_get_type_traits_cpu(t)->from_float(j->x, j->y, (int64_t) j->n);
}
static void qb__g_dequant(const qb__job* j) {
  const enum ggml_type t = j->peer_type ? (enum ggml_type) j->peer_type : GGML_TYPE_Q8_0;
  ggml_get_type_traits(t)->to_float(j->x, j->y, (int64_t) j->n);
}
/* The dots leave their result in *(double*) j->y (for the accuracy line). */
static void qb__g_dot(const qb__job* j) {
  float s;
  ggml_get_type_traits_cpu((enum ggml_type) j->peer_type)->vec_dot((int) j->n, &s, 0, j->x, 0, j->x2, 0, 1);
  *(double*) j->y = s;
}
static void qb__g_f32_f16(const qb__job* j) {
  ggml_cpu_fp32_to_fp16(j->x, j->y, (int64_t) j->n);
}
static void qb__g_f16_f32(const qb__job* j) {
  ggml_cpu_fp16_to_fp32(j->x, j->y, (int64_t) j->n);
}
static void qb__g_f32_bf16(const qb__job* j) {
  ggml_cpu_fp32_to_bf16(j->x, j->y, (int64_t) j->n);
}
static void qb__g_bf16_f32(const qb__job* j) {
  ggml_cpu_bf16_to_fp32(j->x, j->y, (int64_t) j->n);
}
#endif

#ifdef QB_PEER_NUMKONG
static void qb__nk_cast(const qb__job* j) {
  nk_cast(j->x, (nk_dtype_t) j->peer_type, j->n, j->y, (nk_dtype_t) j->peer_type2);
}
static void qb__nk_dot(const qb__job* j) {
  switch (j->peer_type) {
    case nk_f32_k: {
      nk_f64_t r;
      nk_dot_f32(j->x, j->x2, j->n, &r);
      *(double*) j->y = (double) r;
      break;
    }
    case nk_f16_k: {
      nk_f32_t r;
      nk_dot_f16(j->x, j->x2, j->n, &r);
      *(double*) j->y = (double) r;
      break;
    }
    case nk_bf16_k: {
      nk_f32_t r;
      nk_dot_bf16(j->x, j->x2, j->n, &r);
      *(double*) j->y = (double) r;
      break;
    }
    case nk_i8_k: {
      nk_i32_t r;
      nk_dot_i8(j->x, j->x2, j->n, &r);
      *(double*) j->y = (double) r;
      break;
    }
    default: {
      nk_f32_t r;
      nk_dot_e4m3(j->x, j->x2, j->n, &r);
      *(double*) j->y = (double) r;
      break;
    }
  }
}
#endif

/* Buffers for one size: f32 inputs and room for every output format. */
typedef struct qb__bufs {
  float *f, *f2, *fo;
  void *h, *h2, *q, *q2, *gq, *gq2, *o;
} qb__bufs;

static void* qb__alloc(size_t bytes) {
  void* p = NULL;
  if (posix_memalign(&p, 2u << 20, bytes + 64) != 0) return NULL;
  memset(p, 0, bytes + 64); /* every page touched before timing */
  return p;
}

/* Runs the reference kernel of a family (the inputs of a widening or a dot). */
static void qb__ref(const char* family, size_t n, const void* x, void* y) {
  qb_kernel_unary(qb_kernel_reference(qb_family_find(family)))(n, x, y, NULL);
}

/* The family whose reference decodes a dot's input to f32 for the f64 sum (NULL: f32
 * already; "": no line, as for s8, whose sums are exact integers on both sides). `second`:
 * the dot's second input; `peer`: the peer's copy (qb8 against ggml's q8_0). */
static const char* qb__dot_decoder(int input, bool second, bool peer) {
  switch (input) {
    case 0:
      return NULL;
    case 1:
      return "f16_f32_cvt";
    case 2:
      return "bf16_f32_cvt";
    case 3:
      return peer ? "q8_0_f32_dequant" : "qb8_f32_dequant";
    case 4:
      return "f8e4m3_f32_cvt";
    case 5:
      return "q8_0_f32_dequant";
    case 9:
      return second ? "q8_0_f32_dequant" : "q4_0_f32_dequant";
    default:
      return "";
  }
}

/* The dot of x, x2 (input kind `input`) in f64 from their exact f32 values, and the sum
 * of |x_i x2_i|; tx, tx2: n floats of room. False when the input has no decoder here. */
static bool qb__dot_f64(int input, bool peer, size_t n, const void* x, const void* x2, float* tx, float* tx2,
                        double* sum, double* abs_sum) {
  const char *d = qb__dot_decoder(input, false, peer), *d2 = qb__dot_decoder(input, true, peer);
  if ((d != NULL && d[0] == '\0') || (d2 != NULL && d2[0] == '\0')) return false;
  if (d != NULL && qb_family_find(d) == QB_FAMILY_COUNT) return false;
  if (d2 != NULL && qb_family_find(d2) == QB_FAMILY_COUNT) return false;
  const float* fx = (const float*) x;
  const float* fx2 = (const float*) x2;
  if (d != NULL) {
    qb__ref(d, n, x, tx);
    fx = tx;
  }
  if (d2 != NULL) {
    qb__ref(d2, n, x2, tx2);
    fx2 = tx2;
  }
  double s = 0, a = 0;
  for (size_t i = 0; i < n; i++) {
    const double p = (double) fx[i] * (double) fx2[i];
    s += p;
    a += fabs(p);
  }
  *sum = s;
  *abs_sum = a;
  return true;
}

typedef struct qb__op {
  const char* who;    /* "ggml", "numkong"; "none": qbench's side alone */
  const char* name;   /* what the peer calls it ("" for none) */
  const char* family; /* qbench's family */
  int input; /* 0: f32, 1: f16, 2: bf16, 3: qb8 / ggml's q8_0, 4: e4m3, 5: q8_0 on both sides, 6: q4_0 on both
                sides, 7: e5m2, 8: s8, 9: q4_0 . q8_0 on both sides */
  void (*peer)(const qb__job* j);
  int peer_type, peer_type2;
} qb__op;

static const qb__op qb__ops[] = {
#ifdef QB_PEER_GGML
    {"ggml", "quantize_row_q8_0", "f32_q8_0_quant", 0, qb__g_quant, 0},
    {"ggml", "dequantize_row_q8_0", "q8_0_f32_dequant", 5, qb__g_dequant, 0},
    {"ggml", "vec_dot_q8_0_q8_0", "q8_0_dot", 5, qb__g_dot, GGML_TYPE_Q8_0},
    {"ggml", "quantize_row_q4_0", "f32_q4_0_quant", 0, qb__g_quant, GGML_TYPE_Q4_0},
    {"ggml", "dequantize_row_q4_0", "q4_0_f32_dequant", 6, qb__g_dequant, GGML_TYPE_Q4_0},
    {"ggml", "vec_dot_q4_0_q8_0", "q4_0q8_0_dot", 9, qb__g_dot, GGML_TYPE_Q4_0},
    {"ggml", "quantize_row_q8_0", "f32_qb8_quant", 0, qb__g_quant, 0},
    {"ggml", "dequantize_row_q8_0", "qb8_f32_dequant", 3, qb__g_dequant, 0},
    {"ggml", "vec_dot_q8_0_q8_0", "qb8_dot", 3, qb__g_dot, GGML_TYPE_Q8_0},
    {"ggml", "vec_dot_f16", "f16_dot", 1, qb__g_dot, GGML_TYPE_F16},
    {"ggml", "vec_dot_bf16", "bf16_dot", 2, qb__g_dot, GGML_TYPE_BF16},
    {"ggml", "cpu_fp32_to_fp16", "f32_f16_cvt", 0, qb__g_f32_f16, 0},
    {"ggml", "cpu_fp16_to_fp32", "f16_f32_cvt", 1, qb__g_f16_f32, 0},
    {"ggml", "cpu_fp32_to_bf16", "f32_bf16_cvt", 0, qb__g_f32_bf16, 0},
    {"ggml", "cpu_bf16_to_fp32", "bf16_f32_cvt", 2, qb__g_bf16_f32, 0},
#endif
#ifdef QB_PEER_NUMKONG
    {"numkong", "cast f32->f16", "f32_f16_cvt", 0, qb__nk_cast, nk_f32_k, nk_f16_k},
    {"numkong", "cast f16->f32", "f16_f32_cvt", 1, qb__nk_cast, nk_f16_k, nk_f32_k},
    {"numkong", "cast f32->bf16", "f32_bf16_cvt", 0, qb__nk_cast, nk_f32_k, nk_bf16_k},
    {"numkong", "cast bf16->f32", "bf16_f32_cvt", 2, qb__nk_cast, nk_bf16_k, nk_f32_k},
    {"numkong", "cast f32->e4m3", "f32_f8e4m3_cvt", 0, qb__nk_cast, nk_f32_k, nk_e4m3_k},
    {"numkong", "cast e4m3->f32", "f8e4m3_f32_cvt", 4, qb__nk_cast, nk_e4m3_k, nk_f32_k},
    {"numkong", "cast f32->e5m2", "f32_f8e5m2_cvt", 0, qb__nk_cast, nk_f32_k, nk_e5m2_k},
    {"numkong", "cast e5m2->f32", "f8e5m2_f32_cvt", 7, qb__nk_cast, nk_e5m2_k, nk_f32_k},
    {"numkong", "dot_f32", "f32_dot", 0, qb__nk_dot, nk_f32_k, 0},
    {"numkong", "dot_f16", "f16_dot", 1, qb__nk_dot, nk_f16_k, 0},
    {"numkong", "dot_bf16", "bf16_dot", 2, qb__nk_dot, nk_bf16_k, 0},
    {"numkong", "dot_i8", "s8_dot", 8, qb__nk_dot, nk_i8_k, 0},
    {"numkong", "dot_e4m3", "f8e4m3_dot", 4, qb__nk_dot, nk_e4m3_k, 0},
#endif
    /* qbench alone (the families ci/peers/torch_peers.py compares). */
    {"none", "", "f32_f16_cvt", 0, NULL, 0, 0},
    {"none", "", "f16_f32_cvt", 1, NULL, 0, 0},
    {"none", "", "f32_bf16_cvt", 0, NULL, 0, 0},
    {"none", "", "bf16_f32_cvt", 2, NULL, 0, 0},
    {"none", "", "f32_f8e4m3_cvt", 0, NULL, 0, 0},
    {"none", "", "f8e4m3_f32_cvt", 4, NULL, 0, 0},
    {"none", "", "f32_f8e5m2_cvt", 0, NULL, 0, 0},
    {"none", "", "f8e5m2_f32_cvt", 7, NULL, 0, 0},
    {"none", "", "f32_qs8_quant", 0, NULL, 0, 0},
    {"none", "", "qs8_f32_dequant", 8, NULL, 0, 0},
};
/* At most this many timed things per operation: qbench's usable variants and the peer. */
#define QB__MAX_JOBS 64
#define QB__PEER_JOB SIZE_MAX

static double qb__min(const double* v, size_t n) {
  double m = INFINITY;
  for (size_t i = 0; i < n; i++) m = v[i] < m ? v[i] : m;
  return m;
}

static int qb__cmp_double(const void* a, const void* b) {
  const double x = *(const double*) a, y = *(const double*) b;
  return (x > y) - (x < y);
}

/* The median of n > 0 values (the mean of the middle two for an even n), sorted in
 * `scratch`. */
static double qb__median(const double* v, size_t n, double* scratch) {
  memcpy(scratch, v, n * sizeof *v);
  qsort(scratch, n, sizeof *scratch, qb__cmp_double);
  return n % 2 ? scratch[n / 2] : 0.5 * (scratch[n / 2 - 1] + scratch[n / 2]);
}

/* Per-tensor int8 parameters, as PyTorch's quantize_per_tensor(x, 4/127, 0, qint8)
 * takes them (its rounding: nearest, ties to even). */
static const qb_quant_params qb__qp = {.scale = 4.0f / 127.0f,
                                       .inv_scale = 127.0f / 4.0f,
                                       .zero_point = 0,
                                       .qmin = -128,
                                       .qmax = 127,
                                       .round = QB_ROUND_PYTORCH};

/* Every operation whose family contains `only` (NULL: all; exact: equal to it), at
 * every size: qbench's variants and the peer in `rounds` rounds of rotating order. */
static int qb__run_all(const size_t* sizes, size_t n_sizes, int rounds, double min_s, bool variants,
                       const char* only, bool exact, const qb_cpu* cpu_in, FILE* csv) {
  const qb__op* ops = qb__ops;
  const qb_quant_params qp = qb__qp;
  const qb_cpu cpu = *cpu_in;
  for (size_t si = 0; si < n_sizes; si++) {
    const size_t n = sizes[si];
    qb__bufs b;
    b.f = qb__alloc(n * 4);
    b.f2 = qb__alloc(n * 4);
    b.fo = qb__alloc(n * 4);
    b.h = qb__alloc(n * 2);
    b.h2 = qb__alloc(n * 2);
    b.q = qb__alloc(n / 32 * sizeof(qb_block_q8));
    b.q2 = qb__alloc(n / 32 * sizeof(qb_block_q8));
    b.gq = qb__alloc(n / 32 * 40);
    b.gq2 = qb__alloc(n / 32 * 40);
    b.o = qb__alloc(n * 4);
    if (!b.f || !b.f2 || !b.fo || !b.h || !b.h2 || !b.q || !b.q2 || !b.gq || !b.gq2 || !b.o) {
      fprintf(stderr, "out of memory at n=%zu\n", n);
      return 1;
    }
    srand(1);
    for (size_t i = 0; i < n; i++) {
      b.f[i] = (float) (rand() - RAND_MAX / 2) / (float) RAND_MAX * 4.0f;
      b.f2[i] = (float) (rand() - RAND_MAX / 2) / (float) RAND_MAX * 4.0f;
    }
    for (size_t oi = 0; oi < sizeof qb__ops / sizeof qb__ops[0]; oi++) {
      const qb__op* op = &ops[oi];
      if (only != NULL && (exact ? strcmp(op->family, only) != 0 : strstr(op->family, only) == NULL))
        continue;
      /* A peer line already timed qbench's side of this family at this size. */
      bool timed = false;
      for (size_t pj = 0; pj < oi && !timed; pj++)
        timed = ops[pj].peer != NULL && op->peer == NULL && strcmp(ops[pj].family, op->family) == 0;
      if (timed) continue;
      const qb_family f = qb_family_find(op->family);
      if (f == QB_FAMILY_COUNT) continue; /* not in this qbench */
      const qb_family_info* fi = qb_family_get(f);
      const bool dot = fi->kind == QB_KIND_dot;
      /* 1. Inputs in each side's own format, from the same f32 values. */
      const void *qx = b.f, *qx2 = b.f2, *px = b.f, *px2 = b.f2;
      if (op->input == 1) {
        qb__ref("f32_f16_cvt", n, b.f, b.h);
        qb__ref("f32_f16_cvt", n, b.f2, b.h2);
        qx = px = b.h;
        qx2 = px2 = b.h2;
      } else if (op->input == 2) {
        qb__ref("f32_bf16_cvt", n, b.f, b.h);
        qb__ref("f32_bf16_cvt", n, b.f2, b.h2);
        qx = px = b.h;
        qx2 = px2 = b.h2;
      } else if (op->input == 3) {
        qb__ref("f32_qb8_quant", n, b.f, b.q);
        qb__ref("f32_qb8_quant", n, b.f2, b.q2);
        qx = b.q;
        qx2 = b.q2;
#ifdef QB_PEER_GGML
        ggml_get_type_traits_cpu(GGML_TYPE_Q8_0)->from_float(b.f, b.gq, (int64_t) n);
        ggml_get_type_traits_cpu(GGML_TYPE_Q8_0)->from_float(b.f2, b.gq2, (int64_t) n);
#endif
        px = b.gq;
        px2 = b.gq2;
      } else if (op->input == 5) {
        /* The same block format on both sides (qbench's q8_0 is ggml's bit for bit). */
        qb__ref("f32_q8_0_quant", n, b.f, b.gq);
        qb__ref("f32_q8_0_quant", n, b.f2, b.gq2);
        qx = px = b.gq;
        qx2 = px2 = b.gq2;
      } else if (op->input == 6) {
        /* q4_0 on both sides (qbench's q4_0 is ggml's bit for bit). */
        qb__ref("f32_q4_0_quant", n, b.f, b.gq);
        qx = px = b.gq;
      } else if (op->input == 9) {
        /* q4_0 weights . q8_0 activations, ggml's vec_dot_type for q4_0, on both sides. */
        qb__ref("f32_q4_0_quant", n, b.f, b.gq);
        qb__ref("f32_q8_0_quant", n, b.f2, b.gq2);
        qx = px = b.gq;
        qx2 = px2 = b.gq2;
      } else if (op->input == 4 || op->input == 7) {
        const char* cvt = op->input == 4 ? "f32_f8e4m3_cvt" : "f32_f8e5m2_cvt";
        qb__ref(cvt, n, b.f, b.q);
        qb__ref(cvt, n, b.f2, b.q2);
        qx = px = b.q;
        qx2 = px2 = b.q2;
      } else if (op->input == 8) {
        /* s8 codes: the per-tensor quantizer's output of both inputs. */
        qb_kernel_unary(qb_kernel_reference(qb_family_find("f32_qs8_quant")))(n, b.f, b.q, &qp);
        qb_kernel_unary(qb_kernel_reference(qb_family_find("f32_qs8_quant")))(n, b.f2, b.q2, &qp);
        qx = px = b.q;
        qx2 = px2 = b.q2;
      }
      const qb_quant_params* kqp = fi->kind == QB_KIND_dot ? NULL : &qp;
      qb__job peer = {op->peer, n, px, dot ? px2 : NULL, b.fo, NULL, op->peer_type, op->peer_type2, NULL};
      /* 2. Rounds: every usable qbench variant and the peer once each, in an order that
       * rotates by one from round to round; every round's time kept. */
      size_t jobs[QB__MAX_JOBS]; /* kernel indices; QB__PEER_JOB: the peer */
      size_t nj = 0;
      for (size_t i = 0; i < qb_kernel_count() && nj + 1 < QB__MAX_JOBS; i++) {
        const qb_kernel_info* k = qb_kernel_at(i);
        if (k->family == f && qb_kernel_usable(k, &cpu, NULL, (char[160]){0}, 160)) jobs[nj++] = i;
      }
      if (op->peer != NULL) jobs[nj++] = QB__PEER_JOB;
      const size_t nr = (size_t) rounds;
      double* times = malloc(nj * nr * sizeof *times); /* [job][round] */
      double* scratch = malloc(nr * sizeof *scratch);
      if (times == NULL || scratch == NULL) {
        fprintf(stderr, "out of memory\n");
        free(times);
        free(scratch);
        return 1;
      }
      for (size_t r = 0; r < nr; r++) {
        for (size_t s = 0; s < nj; s++) {
          const size_t ji = (s + r) % nj;
          qb__job j = {qb__call_qb, n, qx, dot ? qx2 : NULL, b.o, NULL, 0, 0, kqp};
          if (jobs[ji] == QB__PEER_JOB) {
            j = peer;
          } else {
            j.k = qb_kernel_at(jobs[ji]);
          }
          times[ji * nr + r] = qb__time(&j, min_s);
        }
      }
      /* 3. The variant dispatch picks (qb_kernel_pick, as `qbench list` says), not the
       * one with the best round: picking among the variants after the fact would favour
       * whichever had the luckiest round. Its best round, its median, the peer's, and the
       * median of the rounds' own ratios (peer time / qbench time in the same round);
       * --variants prints every variant's rates as well. */
      const qb_kernel_info* picked = qb_kernel_pick(f, &cpu);
      size_t bj = SIZE_MAX, pj = SIZE_MAX;
      double best_qb = INFINITY, best_peer = INFINITY, med_qb = INFINITY, med_peer = INFINITY,
             med_ratio = NAN;
      /* The picked variant's job, else (the picked one not timed) the first usable one. */
      for (size_t ji = 0; ji < nj; ji++) {
        if (jobs[ji] == QB__PEER_JOB) {
          pj = ji;
        } else if (bj == SIZE_MAX || qb_kernel_at(jobs[ji]) == picked) {
          bj = ji;
        }
      }
      if (pj != SIZE_MAX) {
        best_peer = qb__min(times + pj * nr, nr);
        med_peer = qb__median(times + pj * nr, nr, scratch);
      }
      const qb_kernel_info* best_k = bj != SIZE_MAX ? qb_kernel_at(jobs[bj]) : NULL;
      if (bj != SIZE_MAX) {
        best_qb = qb__min(times + bj * nr, nr);
        med_qb = qb__median(times + bj * nr, nr, scratch);
        if (pj != SIZE_MAX) {
          double* ratios = malloc(nr * sizeof *ratios);
          if (ratios != NULL) {
            for (size_t r = 0; r < nr; r++) ratios[r] = times[pj * nr + r] / times[bj * nr + r];
            med_ratio = qb__median(ratios, nr, scratch);
            free(ratios);
          }
        }
      }
      const double qr = (double) n / best_qb * 1e-9, pr = (double) n / best_peer * 1e-9;
      char label[96];
      if (op->peer != NULL) {
        snprintf(label, sizeof label, "%s %s", op->who, op->name);
      } else {
        snprintf(label, sizeof label, "(qbench only)");
      }
      /* Without a C peer the line is qbench's rate alone (the PyTorch script's input):
       * a dash for the peer's rates and the ratios, not a nan. */
      char peer_rate[32] = "-", ratio[32] = "-", peer_med[32] = "-", ratio_med[32] = "-";
      if (op->peer != NULL) {
        snprintf(peer_rate, sizeof peer_rate, "%.3f", pr);
        snprintf(ratio, sizeof ratio, "%.2f", qr / pr);
        snprintf(peer_med, sizeof peer_med, "%.3f", (double) n / med_peer * 1e-9);
        snprintf(ratio_med, sizeof ratio_med, "%.2f", med_ratio);
      }
      printf("%-26s %-16s %9zu  %-28s %10.3f %10s %7s %10.3f %10s %7s\n", label, op->family, n,
             best_k ? best_k->variant : "-", qr, peer_rate, ratio, (double) n / med_qb * 1e-9, peer_med,
             ratio_med);
      if (csv != NULL) {
        /* The same line for a program: peer rate and ratio empty without a peer. */
        fprintf(csv, "%s,%s,%s,%zu,%s,%.6g,", op->who, op->name, op->family, n, best_k ? best_k->variant : "",
                qr);
        if (op->peer != NULL) fprintf(csv, "%.6g,%.6g", pr, qr / pr);
        fputs(op->peer != NULL ? "\n" : ",\n", csv);
        fflush(csv);
      }
      /* A dot beside a peer: how far each side's result is from the f64 sum of its own
       * inputs, in units of sum |x_i y_i| (the scale of the float dots' error bound,
       * kernels/dot/dot.h): a peer that sums in a narrower type is not doing the same work,
       * and the line says so beside its speed. */
      double exact_qb, abs_qb, exact_peer, abs_peer;
      if (dot && op->peer != NULL && best_k != NULL &&
          qb__dot_f64(op->input, false, n, qx, qx2, (float*) b.o, b.fo, &exact_qb, &abs_qb) &&
          qb__dot_f64(op->input, true, n, px, px2, (float*) b.o, b.fo, &exact_peer, &abs_peer)) {
        float qv[4];
        qb_kernel_dot(best_k)(n, qx, qx2, qv);
        double pv;
        qb__job pjob = peer;
        pjob.y = &pv;
        pjob.call(&pjob);
        printf("%-26s %-16s %9s    result error / sum|x*y|: qbench %.1e, peer %.1e\n", "", "", "",
               fabs((double) qv[0] - exact_qb) / (abs_qb > 0 ? abs_qb : 1),
               fabs(pv - exact_peer) / (abs_peer > 0 ? abs_peer : 1));
      }
      for (size_t ji = 0; variants && ji < nj; ji++) {
        if (jobs[ji] == QB__PEER_JOB) continue;
        printf("%-26s %-16s %9zu    %-26s %10.3f %10s %7s %10.3f\n", "", "", n,
               qb_kernel_at(jobs[ji])->variant, (double) n / qb__min(times + ji * nr, nr) * 1e-9, "", "",
               (double) n / qb__median(times + ji * nr, nr, scratch) * 1e-9);
      }
      free(times);
      free(scratch);
      fflush(stdout);
    }
    free(b.f);
    free(b.f2);
    free(b.fo);
    free(b.h);
    free(b.h2);
    free(b.q);
    free(b.q2);
    free(b.gq);
    free(b.gq2);
    free(b.o);
  }
  return 0;
}

int main(int argc, char** argv) {
  size_t sizes[8] = {4096, 65536, (size_t) 16 << 20};
  size_t n_sizes = 3;
  int rounds = 7;
  double min_s = 0.02;
  int cpu_index = -1;
  bool serve = false;
  bool variants = false;
  const char* only = NULL;
  const char* csv_path = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--sizes") == 0 && i + 1 < argc) {
      n_sizes = 0;
      for (char* s = strtok(argv[++i], ","); s != NULL && n_sizes < 8; s = strtok(NULL, ",")) {
        sizes[n_sizes++] = (size_t) strtoull(s, NULL, 0) / 32 * 32;
      }
    } else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
      rounds = atoi(argv[++i]);
      if (rounds < 1) {
        fprintf(stderr, "--rounds %s: expected 1 or more\n", argv[i]);
        return 2;
      }
    } else if (strcmp(argv[i], "--min-time") == 0 && i + 1 < argc) {
      min_s = atof(argv[++i]);
    } else if (strcmp(argv[i], "--serve") == 0) {
      serve = true;
    } else if (strcmp(argv[i], "--variants") == 0) {
      variants = true;
    } else if (strcmp(argv[i], "--csv") == 0 && i + 1 < argc) {
      csv_path = argv[++i];
    } else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
      only = argv[++i];
    } else if (strcmp(argv[i], "--cpu") == 0 && i + 1 < argc) {
      cpu_index = atoi(argv[++i]);
    } else {
      fprintf(
          stderr,
          "usage: %s [--sizes N,N,...] [--rounds R] [--min-time S] [--cpu I] [--variants] [--only FAMILY] "
          "[--csv FILE] [--serve]\n",
          argv[0]);
      return 2;
    }
  }
  if (cpu_index >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu_index, &set);
    sched_setaffinity(0, sizeof set, &set);
  }
  qb_cpu cpu;
  qb_cpu_detect(&cpu);
  /* qbench's kernels as `qbench run` calls them with one thread: a call that moves three
   * quarters of the last-level cache or more streams its stores (host/backends/cpu/
   * cpu_backend.c). Left at the kernels' default (never), the write-heavy kernels were
   * timed here on a plain-store path that qbench never takes at 16M elements. */
  qb_topo topo;
  qb_topo_detect(&topo);
  if (topo.l3_used != 0) qb_kernels_set_stream_min_bytes((size_t) (topo.l3_used / 4 * 3));
#ifdef QB_PEER_GGML
  ggml_cpu_init();
#endif
#ifdef QB_PEER_NUMKONG
  nk_configure_thread(nk_capabilities());
#endif
  if (serve) {
    /* One request a line, "FAMILY N": one round at that size, then "done". */
    char line[256], fam[128];
    size_t n;
    while (fgets(line, sizeof line, stdin) != NULL) {
      if (sscanf(line, "%127s %zu", fam, &n) != 2) continue;
      n = n / 32 * 32;
      if (qb__run_all(&n, 1, 1, min_s, false, fam, true, &cpu, NULL) != 0) return 1;
      printf("done\n");
      fflush(stdout);
    }
    return 0;
  }
  FILE* csv = NULL;
  if (csv_path != NULL) {
    csv = fopen(csv_path, "w");
    if (csv == NULL) {
      fprintf(stderr, "%s: cannot write: %s\n", csv_path, strerror(errno));
      return 2;
    }
    fputs("peer,operation,family,n,variant,qbench_gelps,peer_gelps,ratio\n", csv);
  }
  printf("%-26s %-16s %9s  %-28s %10s %10s %7s %10s %10s %7s\n", "peer operation", "qbench family", "n",
         "qbench picked variant", "qb Gel/s", "peer Gel/s", "ratio", "qb med", "peer med", "med r");
  const int rc = qb__run_all(sizes, n_sizes, rounds, min_s, variants, only, false, &cpu, csv);
  if (csv != NULL && (ferror(csv) || fclose(csv) != 0)) {
    fprintf(stderr, "%s: write failed\n", csv_path);
    return 1;
  }
  return rc;
}
