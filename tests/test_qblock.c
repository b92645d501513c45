/*
 * llama.cpp's q8_0 and q4_0 (and, for the SIMD checks, the int4 group formats, whose
 * reference is checked against NumPy by tests/int4/check_int4.py): every registered variant (scalar reference
 * included) of the six families against test vectors generated once from ggml's own reference code
 * (tests/data/ggml/q8_0_q4_0_vectors.h: inputs and the bytes/bits ggml produced), then
 * every non-scalar variant against the scalar reference on random and crafted blocks
 * (NaN, inf, f16 scale overflow and underflow) at block counts around its tile, one
 * element off alignment, with guard bytes after the output. All variants are bit-exact
 * except the block dots that declare QB_SEM_REASSOC: their per-block integer sums are
 * exact, but they add the blocks' products in another order than ggml's scalar code, so
 * they are held to qb_dot_reassoc_bound over the blocks' products (qb__dot_agrees).
 * The int4 group . s8 dots (no published vectors) are here too: every non-scalar variant
 * against its reference (their dequantize families are in test_quant_simd).
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fp.h"
#include "dot/dot.h"
#include "platform/registry.h"
#include "quant/int4g-scalar.h"
#include "test_kernels.h"
#include "test_util.h"
/* After <stdint.h>: the vectors are plain arrays. */
#include "../data/ggml/q8_0_q4_0_vectors.h"

#define QB__N (QB_GGML_NB * QB_BLOCK_LEN)

static float qb__f(uint32_t b) {
  return qb_f32_from_bits(b);
}

/* ---- Against ggml's vectors ------------------------------------------------------- */

static void qb__vec_quant(const qb_kernel_info* k, const uint32_t* xbits, const uint8_t* want, size_t bsize) {
  float* x = malloc(QB__N * sizeof(float));
  uint8_t* y = malloc(QB_GGML_NB * bsize);
  assert_non_null(x);
  assert_non_null(y);
  for (size_t i = 0; i < QB__N; i++) x[i] = qb__f(xbits[i]);
  /* Every prefix of whole blocks, so that tails of every length are covered. */
  for (size_t nb = 0; nb <= QB_GGML_NB; nb++) {
    memset(y, 0xA5, QB_GGML_NB * bsize);
    qb_kernel_unary(k)(nb * QB_BLOCK_LEN, x, y, NULL);
    for (size_t i = 0; i < nb * bsize; i++) {
      if (y[i] != want[i]) {
        fail_msg("%s: %zu blocks: byte %zu (block %zu) is 0x%02x, ggml stores 0x%02x", k->name, nb, i,
                 i / bsize, y[i], want[i]);
      }
    }
    for (size_t i = nb * bsize; i < QB_GGML_NB * bsize; i++) {
      if (y[i] != 0xA5) fail_msg("%s: %zu blocks: wrote byte %zu past the output", k->name, nb, i);
    }
  }
  free(x);
  free(y);
}

static void qb__vec_q8_0_quant(const qb_kernel_info* k) {
  qb__vec_quant(k, qb_ggml_x, qb_ggml_q8_0_x, sizeof(qb_block_q8_0));
  qb__vec_quant(k, qb_ggml_w, qb_ggml_q8_0_w, sizeof(qb_block_q8_0));
}
static void qb__vec_q4_0_quant(const qb_kernel_info* k) {
  qb__vec_quant(k, qb_ggml_x, qb_ggml_q4_0_x, sizeof(qb_block_q4_0));
}

static void qb__vec_dequant(const qb_kernel_info* k, const uint8_t* blocks, const uint32_t* want) {
  float* y = malloc((QB__N + 1) * sizeof(float));
  assert_non_null(y);
  for (size_t nb = 0; nb <= QB_GGML_NB; nb++) {
    for (size_t i = 0; i <= QB__N; i++) y[i] = -7.0f;
    qb_kernel_unary(k)(nb * QB_BLOCK_LEN, blocks, y, NULL);
    for (size_t i = 0; i < nb * QB_BLOCK_LEN; i++) {
      if (qb_f32_to_bits(y[i]) != want[i]) {
        fail_msg("%s: %zu blocks: element %zu is 0x%08x, ggml gives 0x%08x", k->name, nb, i,
                 qb_f32_to_bits(y[i]), want[i]);
      }
    }
    if (y[nb * QB_BLOCK_LEN] != -7.0f) fail_msg("%s: %zu blocks: wrote past the output", k->name, nb);
  }
  free(y);
}
static void qb__vec_q8_0_dequant(const qb_kernel_info* k) {
  qb__vec_dequant(k, qb_ggml_q8_0_x, qb_ggml_q8_0_deq_x);
}
static void qb__vec_q4_0_dequant(const qb_kernel_info* k) {
  qb__vec_dequant(k, qb_ggml_q4_0_x, qb_ggml_q4_0_deq_x);
}

/* ---- How a block dot's result is judged ------------------------------------------ */

static float qb__h(uint16_t h) {
  return qb__f(qb_f16_to_f32_bits(h));
}

/* Block k's exact integer sum: x is q4_0 (q4 set) or q8_0, y q8_0. */
static int32_t qb__block_isum(int q4, const void* x, const qb_block_q8_0* y, size_t k) {
  int32_t isum = 0;
  for (int j = 0; j < QB_BLOCK_LEN; j++) {
    int32_t v;
    if (q4) {
      const uint8_t c = ((const qb_block_q4_0*) x)[k].qs[j % (QB_BLOCK_LEN / 2)];
      v = (j < QB_BLOCK_LEN / 2 ? c & 15 : c >> 4) - 8;
    } else {
      v = ((const qb_block_q8_0*) x)[k].qs[j];
    }
    isum += v * y[k].qs[j];
  }
  return isum;
}

/*
 * A block dot's result `got` against the reference's `want` over nb blocks. Bit for bit
 * when the variant declares QB_SEM_EXACT. A QB_SEM_REASSOC variant forms each block's
 * integer sum exactly and reassociates only the f32 sum of the blocks' products
 * p_k = isum_k * dx_k * dy_k: non-finite results must agree (the same infinity, or both
 * NaN: no finite partial sum can overflow, |p_k| < 2^52), finite ones lie within
 * qb_dot_reassoc_bound(nb + 1, sum |p_k|) of each other. Each p_k passes through at most
 * nb + 1 roundings on either side (the scales' product, the product by isum unless an FMA
 * fuses it, at most nb - 1 additions: the n of dot.h's argument is nb + 1), and sum |p_k|,
 * exact in double (f16 scales, |isum| < 2^20), is the sum of |a_i b_i| over the terms
 * the variant adds. (A variant that rounded each lane's partial sum of a block apart, as
 * ggml's x86 code does, would need sum |dx dy| sum |qx qy| instead: this family's
 * REASSOC variants must not.)
 */
static void qb__dot_agrees(const qb_kernel_info* k, int q4, const void* x, const qb_block_q8_0* y, size_t nb,
                           float got, float want, const char* what) {
  if (qb_f32_to_bits(got) == qb_f32_to_bits(want)) return;
  if (k->sem == QB_SEM_EXACT) {
    fail_msg("%s: %s, %zu blocks: got %a, the reference gives %a (declared exact)", k->name, what, nb, got,
             want);
  }
  assert_true(k->sem == QB_SEM_REASSOC);
  if (!isfinite(got) || !isfinite(want)) {
    if (isnan(got) && isnan(want)) return;
    fail_msg("%s: %s, %zu blocks: got %a, the reference gives %a", k->name, what, nb, got, want);
  }
  double sum_abs = 0.0;
  for (size_t b = 0; b < nb; b++) {
    const uint16_t dx = q4 ? ((const qb_block_q4_0*) x)[b].d : ((const qb_block_q8_0*) x)[b].d;
    sum_abs += fabs((double) qb__h(dx) * (double) qb__h(y[b].d) * (double) qb__block_isum(q4, x, y, b));
  }
  const double bound = qb_dot_reassoc_bound(nb + 1, sum_abs, 0);
  const double err = fabs((double) got - (double) want);
  if (!(err <= bound)) {
    fail_msg("%s: %s, %zu blocks: got %a, the reference gives %a: |diff| %g > bound %g", k->name, what, nb,
             got, want, err, bound);
  }
}

static void qb__vec_dot(const qb_kernel_info* k, const uint8_t* a, const uint32_t* want) {
  const int q4 = k->family == QB_FAMILY_q4_0q8_0_dot;
  for (size_t nb = 1; nb <= QB_GGML_NB; nb++) {
    float got = NAN;
    qb_kernel_dot(k)(nb * QB_BLOCK_LEN, a, qb_ggml_q8_0_w, &got);
    qb__dot_agrees(k, q4, a, (const qb_block_q8_0*) (const void*) qb_ggml_q8_0_w, nb, got,
                   qb__f(want[nb - 1]), "ggml's vectors");
  }
}
static void qb__vec_q8_0_dot(const qb_kernel_info* k) {
  qb__vec_dot(k, qb_ggml_q8_0_x, qb_ggml_dot_q8_0_q8_0);
}
static void qb__vec_q4_0q8_0_dot(const qb_kernel_info* k) {
  qb__vec_dot(k, qb_ggml_q4_0_x, qb_ggml_dot_q4_0_q8_0);
}

/* The families checked here, each with its ggml vector check (none for the int4 groups,
 * whose references tests/int4/check_int4.py checks against NumPy); every kernel of them
 * is one case (the scalar references of the int4 groups excepted): the vectors, then,
 * for the non-scalar ones, the comparison with the reference below. */
typedef void qb__check_fn(const qb_kernel_info* k);
static const struct {
  qb_family family;
  qb__check_fn* vectors;
} qb__families[] = {
    {QB_FAMILY_f32_q8_0_quant, qb__vec_q8_0_quant},
    {QB_FAMILY_f32_q4_0_quant, qb__vec_q4_0_quant},
    {QB_FAMILY_q8_0_f32_dequant, qb__vec_q8_0_dequant},
    {QB_FAMILY_q4_0_f32_dequant, qb__vec_q4_0_dequant},
    {QB_FAMILY_q8_0_dot, qb__vec_q8_0_dot},
    {QB_FAMILY_q4_0q8_0_dot, qb__vec_q4_0q8_0_dot},
    /* int4 groups: no published vectors; their SIMD variants against the reference (the
     * dots by qb__vs_ref_int4dot, quantize and dequantize by qb__vs_ref_unary). */
    {QB_FAMILY_f32_qu4g32_quant, NULL},
    {QB_FAMILY_f32_qu4g64_quant, NULL},
    {QB_FAMILY_f32_qu4g128_quant, NULL},
    {QB_FAMILY_f32_qs4g128_quant, NULL},
    {QB_FAMILY_qu4g32_f32_dequant, NULL},
    {QB_FAMILY_qu4g64_f32_dequant, NULL},
    {QB_FAMILY_qu4g128_f32_dequant, NULL},
    {QB_FAMILY_qs4g128_f32_dequant, NULL},
    {QB_FAMILY_qu4g32s8_dot, NULL},
    {QB_FAMILY_qu4g64s8_dot, NULL},
    {QB_FAMILY_qu4g128s8_dot, NULL},
    {QB_FAMILY_qs4g128s8_dot, NULL},
};

static bool qb__listed(qb_family f, qb__check_fn** vectors) {
  for (size_t i = 0; i < sizeof qb__families / sizeof qb__families[0]; i++) {
    if (qb__families[i].family == f) {
      *vectors = qb__families[i].vectors;
      return true;
    }
  }
  return false;
}

/* ---- Documented edge semantics of the references (where ggml is undefined) -------- */

static void test_edges(void** state) {
  (void) state;
  float x[32];
  qb_block_q8_0 b8;
  qb_block_q4_0 b4;
  float y[32];
  /* 1. The example: with 127 in the block, 0.5, 2.5, -0.5 give 1, 3, -1 (half away
   *    from zero), where qb8 gives 0, 2, 0. */
  memset(x, 0, sizeof x);
  x[0] = 127.0f, x[1] = 0.5f, x[2] = 2.5f, x[3] = -0.5f;
  qb_f32_q8_0_quant_ukernel__scalar_u1(32, x, &b8, NULL);
  assert_int_equal(b8.d, 0x3C00); /* 1.0 */
  assert_int_equal(b8.qs[1], 1);
  assert_int_equal(b8.qs[2], 3);
  assert_int_equal(b8.qs[3], -1);
  qb_block_q8 bq;
  qb_f32_qb8_quant_ukernel__scalar_u1(32, x, &bq, NULL);
  assert_int_equal(bq.qs[1], 0);
  assert_int_equal(bq.qs[2], 2);
  assert_int_equal(bq.qs[3], 0);
  /* 2. NaN: code 0 (q8_0) / 8 (q4_0), and it does not count for the scale. */
  x[5] = NAN;
  qb_f32_q8_0_quant_ukernel__scalar_u1(32, x, &b8, NULL);
  assert_int_equal(b8.d, 0x3C00);
  assert_int_equal(b8.qs[5], 0);
  qb_f32_q4_0_quant_ukernel__scalar_u1(32, x, &b4, NULL);
  assert_int_equal(b4.qs[5] & 15, 8);
  /* 3. An infinity: scale inf, every code 0 (q8_0) / 8 (q4_0): dequantizes to NaN. */
  x[7] = -INFINITY;
  qb_f32_q8_0_quant_ukernel__scalar_u1(32, x, &b8, NULL);
  assert_int_equal(b8.d, 0x7C00);
  for (int i = 0; i < 32; i++) assert_int_equal(b8.qs[i], 0);
  qb_q8_0_f32_dequant_ukernel__scalar_u1(32, &b8, y, NULL);
  assert_true(isnan(y[0]));
  qb_f32_q4_0_quant_ukernel__scalar_u1(32, x, &b4, NULL);
  assert_int_equal(b4.d, 0x7C00); /* d = -inf / -8 */
  for (int i = 0; i < 16; i++) assert_int_equal(b4.qs[i], 0x88);
  /* 4. A scale above f16's range: d = inf, codes from the f32 scale (as ggml). */
  for (int i = 0; i < 32; i++) x[i] = (float) (i - 16) * 1e6f;
  qb_f32_q8_0_quant_ukernel__scalar_u1(32, x, &b8, NULL);
  assert_int_equal(b8.d, 0x7C00);
  assert_int_equal(b8.qs[0], -127);
  /* 5. A subnormal f32 scale: 1 / d = inf, codes saturate, zeros stay 0. */
  for (int i = 0; i < 32; i++) x[i] = (i & 1) ? 1e-40f : 0.0f;
  qb_f32_q8_0_quant_ukernel__scalar_u1(32, x, &b8, NULL);
  assert_int_equal(b8.d, 0);
  assert_int_equal(b8.qs[0], 0);
  assert_int_equal(b8.qs[1], 127);
  qb_f32_q4_0_quant_ukernel__scalar_u1(32, x, &b4, NULL);
  assert_int_equal(b4.qs[0] & 15, 8);
  assert_int_equal(b4.qs[0] >> 4, 8);
  assert_int_equal(b4.qs[1] & 15, 0);
}

/* ---- Every SIMD variant against the scalar reference ----------------------------- */

/* Random blocks of varied scale; every 7th block holds a special value. */
static void qb__fill(float* x, size_t n, uint64_t* seed) {
  static const float specials[] = {NAN, INFINITY, -INFINITY, 1e6f, 1e-40f, 0.0f, -0.0f};
  for (size_t b = 0; b < n / QB_BLOCK_LEN; b++) {
    const uint64_t r = qb_test_rand(seed);
    const float scale = ldexpf(1.0f, (int) (r % 40) - 20);
    for (size_t i = 0; i < QB_BLOCK_LEN; i++) {
      const uint64_t v = qb_test_rand(seed);
      x[b * QB_BLOCK_LEN + i] = scale * ((float) (int32_t) (v & 0xFFFF) - 32768.0f) / 4096.0f;
      if ((v >> 32) % 13 == 0) x[b * QB_BLOCK_LEN + i] = (float) (int) ((v >> 40) % 17) - 8.0f; /* ties */
    }
    if (b % 7 == 6) x[b * QB_BLOCK_LEN + (r >> 8) % QB_BLOCK_LEN] = specials[(r >> 16) % 7];
    /* Edge blocks the SIMD paths treat apart: a scale near or below FLT_MIN (subnormal d,
     * 1 / d huge or inf), all zeros of both signs, and the largest |x| twice with both
     * signs (q4_0 keeps the first). */
    float* xb = x + b * QB_BLOCK_LEN;
    switch (b % 11) {
      case 3:
        for (size_t i = 0; i < QB_BLOCK_LEN; i++)
          xb[i] = ldexpf(xb[i] / scale, -118 - (int) ((r >> 24) % 30));
        break;
      case 5:
        for (size_t i = 0; i < QB_BLOCK_LEN; i++) xb[i] = (i + r) % 3 == 0 ? -0.0f : 0.0f;
        break;
      case 8:
        xb[(r >> 4) % 16] = 65536.0f * scale;
        xb[16 + (r >> 12) % 16] = -65536.0f * scale;
        if (r & 1) {
          const float t = xb[(r >> 4) % 16];
          xb[(r >> 4) % 16] = xb[16 + (r >> 12) % 16];
          xb[16 + (r >> 12) % 16] = t;
        }
        break;
      case 9:
        /* All -0 (q4_0: m stays +0, d = -0), or the largest |x| three times with random
         * signs (the first one's sign decides). */
        if ((r >> 2) % 4 == 0) {
          for (size_t i = 0; i < QB_BLOCK_LEN; i++) xb[i] = -0.0f;
        } else {
          for (int t = 0; t < 3; t++)
            xb[(r >> (4 + 5 * t)) % QB_BLOCK_LEN] = ((r >> (20 + t)) & 1 ? -65536.0f : 65536.0f) * scale;
        }
        break;
      case 10: {
        /* The largest |x| a few ulps either side of the value whose scale is FLT_MIN
         * (q8_0: 127 * 2^-126, q4_0: 8 * 2^-126), so that d is the largest subnormals or the
         * smallest normals: the SIMD paths send the former (only) to the reference. */
        const uint32_t edge = (r >> 3) & 1 ? 0x03FE0000u : 0x02000000u; /* 127 * 2^-126, 2^-123 */
        uint32_t ub = edge + (uint32_t) ((r >> 4) % 9) - 4u;
        float m;
        memcpy(&m, &ub, sizeof m);
        for (size_t i = 0; i < QB_BLOCK_LEN; i++) xb[i] = m * (xb[i] / scale) / 8.0f;
        xb[(r >> 8) % QB_BLOCK_LEN] = (r >> 13) & 1 ? -m : m;
        break;
      }
      default:
        break;
    }
  }
}

static size_t qb__bsize(qb_dtype t) {
  return qb_dtype_buffer_bytes(t, QB_BLOCK_LEN);
}

/* The quantize reference that makes blocks of dtype t, found in the registry by its op. */
static const qb_kernel_info* qb__quant_ref(qb_dtype t) {
  const qb_family q = qb_family_by_op(QB_OP_bquant, QB_DTYPE_f32, t);
  assert_true(q != QB_FAMILY_COUNT);
  return qb_kernel_reference(q);
}

/* Unary: random floats or random blocks (quantized by the reference) in, bytes compared. */
static void qb__vs_ref_unary(const qb_kernel_info* k) {
  const qb_family_info* f = qb_family_get(k->family);
  const qb_kernel_info* ref = qb_kernel_reference(k->family);
  uint64_t seed = 0xB10C0000u + (uint64_t) k->family;
  const size_t unit = f->n_multiple; /* the block or group length */
  size_t sizes[16];
  const size_t ns = qb_test_sizes(k->tile / unit ? (unsigned) (k->tile / unit) : 1, sizes, 16);
  for (size_t si = 0; si < ns; si++) {
    for (size_t off = 0; off < 2; off++) {
      const size_t n = (sizes[si] + (si == 0 ? 0 : 3)) * unit;
      const size_t xb = qb_dtype_buffer_bytes(f->in, n), yb = qb_dtype_buffer_bytes(f->out, n);
      unsigned char* xbuf = malloc(xb + 64);
      unsigned char* y = malloc(yb + 64 + 16);
      unsigned char* yr = malloc(yb + 16);
      float* xf = malloc((n + 1) * sizeof(float));
      assert_true(xbuf && y && yr && xf);
      qb__fill(xf, n, &seed);
      unsigned char* x = xbuf + (off ? (f->in == QB_DTYPE_f32 ? 4 : 2) : 0);
      if (f->in == QB_DTYPE_f32) {
        memcpy(x, xf, n * sizeof(float));
      } else {
        /* A dequantize family's input: blocks made by the quantize reference. */
        qb_kernel_unary(qb__quant_ref(f->in))(n, xf, x, NULL);
      }
      unsigned char* yo = y + (off ? 4 : 0);
      memset(yo, 0x5A, yb + 16);
      memset(yr, 0x5A, yb + 16);
      qb_kernel_unary(ref)(n, x, yr, NULL);
      qb_kernel_unary(k)(n, x, yo, NULL);
      for (size_t i = 0; i < yb + 16; i++) {
        if (yo[i] != yr[i]) {
          fail_msg("%s: n=%zu offset=%zu: byte %zu is 0x%02x, the reference gives 0x%02x%s", k->name, n, off,
                   i, yo[i], yr[i], i >= yb ? " (past the output)" : "");
        }
      }
      free(xbuf);
      free(y);
      free(yr);
      free(xf);
    }
  }
}

/*
 * A dequantizer on blocks no quantizer writes: every byte random (scales of any f16 value,
 * NaN and inf included, zero points up to 255, every code), bytes of the output compared
 * with the reference's.
 */
static void qb__raw_dequant(const qb_kernel_info* k) {
  const qb_family_info* f = qb_family_get(k->family);
  const qb_kernel_info* ref = qb_kernel_reference(k->family);
  uint64_t seed = 0xDE0000u + (uint64_t) k->family;
  const size_t n = 40 * f->n_multiple;
  const size_t xb = qb_dtype_buffer_bytes(f->in, n), yb = qb_dtype_buffer_bytes(f->out, n);
  unsigned char* x = malloc(xb);
  unsigned char* y = malloc(yb);
  unsigned char* yr = malloc(yb);
  assert_true(x && y && yr);
  for (int round = 0; round < 8; round++) {
    for (size_t i = 0; i < xb; i++) x[i] = (unsigned char) (qb_test_rand(&seed) >> 24);
    qb_kernel_unary(ref)(n, x, yr, NULL);
    qb_kernel_unary(k)(n, x, y, NULL);
    for (size_t i = 0; i < yb; i++) {
      if (y[i] != yr[i])
        fail_msg("%s: random bytes: byte %zu is 0x%02x, the reference gives 0x%02x", k->name, i, y[i], yr[i]);
    }
  }
  free(x);
  free(y);
  free(yr);
}

/*
 * Int4 group quantize on values at and next to the ties of x / s (the SIMD variants round
 * x / s by a multiplication and fall back to the division near a half-integer: this is
 * where the two could differ). Each group's scale is an f16 value s_t that the reference
 * reproduces exactly (hi - lo = 15 s_t, or amax = 7 s_t, exact in f32), so x = (k + 1/2) s_t
 * is an exact tie; its neighbours 1 and 2 ulps away are not. The asymmetric groups have
 * lo = 0 or lo = -8 s_t (zero point 0 or 8), the symmetric ones codes in [-7, 7].
 */
static void qb__int4_ties(const qb_kernel_info* k) {
  const qb_family_info* f = qb_family_get(k->family);
  const qb_kernel_info* ref = qb_kernel_reference(k->family);
  const int sym = k->family == QB_FAMILY_f32_qs4g128_quant;
  const size_t g = f->n_multiple, ng = 64, n = g * ng;
  uint64_t seed = 0x71E5u + (uint64_t) k->family;
  float* x = malloc(n * sizeof(float));
  const size_t yb = qb_dtype_buffer_bytes(f->out, n);
  unsigned char* y = malloc(yb);
  unsigned char* yr = malloc(yb);
  assert_true(x && y && yr);
  for (size_t j = 0; j < ng; j++) {
    const uint64_t r = qb_test_rand(&seed);
    /* A normal f16 with a random mantissa, 2^-14 .. 2^9. */
    const float st = qb_f32_from_bits(qb_f16_to_f32_bits((uint16_t) (0x0400 + r % 0x5C00)));
    const int shifted = !sym && (r >> 20) % 2;
    float* xg = x + j * g;
    for (size_t i = 0; i < g; i++) {
      const uint64_t v = qb_test_rand(&seed);
      const int c = sym ? (int) (v % 14) - 7 : (int) (v % 15) - (shifted ? 8 : 0);
      float t = ((float) c + 0.5f) * st;
      for (int u = 0; u < (int) ((v >> 8) % 5); u++) t = nextafterf(t, (v >> 16) & 1 ? INFINITY : -INFINITY);
      xg[i] = t;
    }
    if (sym) {
      xg[(r >> 24) % g] = 7.0f * st * ((r >> 40) & 1 ? 1.0f : -1.0f);
    } else {
      xg[(r >> 24) % g] = (shifted ? 7.0f : 15.0f) * st;
      xg[(r >> 32) % g] = shifted ? -8.0f * st : 0.0f;
    }
  }
  memset(y, 0x5A, yb);
  memset(yr, 0x5A, yb);
  qb_kernel_unary(ref)(n, x, yr, NULL);
  qb_kernel_unary(k)(n, x, y, NULL);
  for (size_t i = 0; i < yb; i++) {
    if (y[i] != yr[i]) {
      fail_msg("%s: ties: byte %zu is 0x%02x, the reference gives 0x%02x", k->name, i, y[i], yr[i]);
    }
  }
  free(x);
  free(y);
  free(yr);
}

/* Runs k and its reference on the n values at x; fails at the first byte that differs. */
static void qb__int4_cmp(const qb_kernel_info* k, const float* x, size_t n, const char* what) {
  const qb_family_info* f = qb_family_get(k->family);
  const size_t yb = qb_dtype_buffer_bytes(f->out, n);
  unsigned char* y = malloc(yb + 16);
  unsigned char* yr = malloc(yb + 16);
  assert_true(y && yr);
  memset(y, 0x5A, yb + 16);
  memset(yr, 0x5A, yb + 16);
  qb_kernel_unary(qb_kernel_reference(k->family))(n, x, yr, NULL);
  qb_kernel_unary(k)(n, x, y, NULL);
  for (size_t i = 0; i < yb + 16; i++) {
    if (y[i] != yr[i]) {
      fail_msg("%s: %s: byte %zu (group %zu) is 0x%02x, the reference gives 0x%02x", k->name, what, i,
               i / (yb / (n / f->n_multiple)), y[i], yr[i]);
    }
  }
  free(y);
  free(yr);
}

/*
 * Int4 group quantize at every rounding boundary of the codes, where the scale makes
 * x * fl(1 / s) round differently from x / s (the SIMD variants must give round_even(x / s) of
 * the true division there). Each group's scale is an f16 value s_t that the reference
 * reproduces exactly (hi - lo = 15 s_t, or amax = 7 s_t, exact in f32): normal or subnormal,
 * and chosen so that at least one of the group's values has nearbyint(x * fl(1 / s_t)) !=
 * nearbyint(x / s_t). The values run through every half-integer b of the code range
 * (quotients -7.5 .. 6.5 for the symmetric groups and the asymmetric ones with zero point 8,
 * 0.5 .. 14.5 for those with zero point 0) at x = b s_t exactly (a tie of x / s_t) and one
 * ulp below and above. 43 groups: five runs of eight and three more (the SIMD tails).
 */
static void qb__int4_bounds(const qb_kernel_info* k) {
  const qb_family_info* f = qb_family_get(k->family);
  const int sym = k->family == QB_FAMILY_f32_qs4g128_quant;
  const size_t g = f->n_multiple, ng = 43, n = g * ng;
  uint64_t seed = 0xB0DEu + (uint64_t) k->family;
  float* x = malloc(n * sizeof(float));
  assert_true(x != NULL);
  unsigned stream = 0, differ = 0;
  for (size_t j = 0; j < ng; j++) {
    const uint64_t r = qb_test_rand(&seed);
    const int shifted = sym || (j % 2); /* quotients -8 .. 7 (else 0 .. 15) */
    float* xg = x + j * g;
    /* 1. The scale: from a random f16 on (every 8th group subnormal), the first whose
     *    multiplication differs from the division on one of this group's values. */
    uint16_t h = (uint16_t) (j % 8 == 7 ? 1 + r % 0x3FF : 0x0400 + r % 0x7000);
    for (;; h = (uint16_t) (h + 1 < 0x7800 ? h + 1 : 1)) {
      const float st = qb_f32_from_bits(qb_f16_to_f32_bits(h)), inv = 1.0f / st;
      unsigned d = 0;
      for (size_t i = 2; i < g; i++) {
        const unsigned e = (stream + (unsigned) i - 2) % 45;
        const float b = (float) (int) (e / 3) + (shifted ? -7.5f : 0.5f);
        float v = b * st;
        if (e % 3 != 1) v = nextafterf(v, e % 3 == 0 ? -INFINITY : INFINITY);
        xg[i] = v;
        d += nearbyintf(v * inv) != nearbyintf(v / st);
      }
      if (d == 0) continue;
      differ += d;
      /* 2. The values that fix the range (and so s = s_t and the zero point). */
      if (sym) {
        xg[0] = 7.0f * st;
        xg[1] = -7.0f * st;
      } else {
        xg[0] = (shifted ? 7.0f : 15.0f) * st;
        xg[1] = shifted ? -8.0f * st : 0.0f;
      }
      break;
    }
    stream = (stream + (unsigned) g - 2) % 45;
    /* The range-fixing values at random places. */
    const size_t p0 = (r >> 32) % g, p1 = (r >> 40) % g;
    float t = xg[0];
    xg[0] = xg[p0];
    xg[p0] = t;
    t = xg[1];
    xg[1] = xg[p1 == p0 ? (p1 + 1) % g : p1];
    xg[p1 == p0 ? (p1 + 1) % g : p1] = t;
  }
  assert_true(differ >= ng); /* the case the SIMD variants must not take x * (1 / s) for */
  qb__int4_cmp(k, x, n, "boundaries");
  free(x);
}

/*
 * Int4 group quantize on the groups the SIMD variants send to the reference or treat apart:
 * a NaN of either sign (and payload), infinities, -0, all-positive and all-negative
 * groups, a range whose scale underflows f16 (s = 0) or is subnormal there, one beyond f16
 * (s = inf), values near FLT_MAX, constant groups, all-NaN groups; one case per group, in
 * the runs of eight (AVX2) or sixteen (AVX-512) and in the tail.
 */
static void qb__int4_edges(const qb_kernel_info* k) {
  const qb_family_info* f = qb_family_get(k->family);
  const size_t g = f->n_multiple, ng = 16 * 2 + 5, n = g * ng;
  uint64_t seed = 0xED6Eu + (uint64_t) k->family;
  float* x = malloc(n * sizeof(float));
  assert_true(x != NULL);
  for (size_t j = 0; j < ng; j++) {
    const uint64_t r = qb_test_rand(&seed);
    float* xg = x + j * g;
    const size_t at = (r >> 8) % g;
    for (size_t i = 0; i < g; i++) {
      xg[i] = ((float) (int32_t) (qb_test_rand(&seed) & 0xFFFF) - 32768.0f) / 4096.0f;
    }
    switch ((j * 7 + r % 2) % 17) {
      case 0:
        xg[at] = NAN;
        break;
      case 1:
        xg[at] = qb_f32_from_bits(0xFFC00001u);
        break; /* a negative NaN */
      case 2:
        xg[at] = INFINITY;
        break;
      case 3:
        xg[at] = -INFINITY;
        break;
      case 4:
        for (size_t i = 0; i < g; i++) xg[i] = (i + r) % 3 ? -0.0f : 0.0f;
        break;
      case 5:
        for (size_t i = 0; i < g; i++) xg[i] = fabsf(xg[i]) + 0.25f;
        break;
      case 6:
        for (size_t i = 0; i < g; i++) xg[i] = -fabsf(xg[i]) - 0.25f;
        break;
      case 7:
        for (size_t i = 0; i < g; i++) xg[i] *= 0x1p-32f; /* (hi - lo) / 15 below 2^-25: s = 0 */
        break;
      case 8:
        for (size_t i = 0; i < g; i++) xg[i] *= 0x1p-22f; /* s an f16 subnormal */
        break;
      case 9:
        for (size_t i = 0; i < g; i++) xg[i] *= 0x1p17f; /* s beyond f16: inf */
        break;
      case 10:
        for (size_t i = 0; i < g; i++) xg[i] = xg[i] > 0 ? FLT_MAX : -FLT_MAX / 3.0f;
        break;
      case 11:
        xg[at] = qb_f32_from_bits(0x7FFFFFFFu);
        break;
      case 12:
        xg[at] = qb_f32_from_bits(0xFFFFFFFFu);
        break;
      case 13:
        xg[at] = qb_f32_from_bits(0xFFC00000u);
        xg[(at + 1) % g] = -INFINITY;
        break;
      case 14:
        for (size_t i = 0; i < g; i++) xg[i] = 1.0f;
        break;
      case 15:
        for (size_t i = 0; i < g; i++) xg[i] = -3.0f;
        break;
      default:
        for (size_t i = 0; i < g; i++) xg[i] = NAN;
        break;
    }
  }
  qb__int4_cmp(k, x, n, "edge groups");
  free(x);
}

/*
 * Int4 group quantize with scales at and below the smallest normal f16 (2^-14), where the
 * stored scale may be much smaller than amax / 7 or (hi - lo) / 15: a subnormal f16 s = q 2^-24
 * rounded down from (q + 0.49) 2^-24 puts |x / s| up to 10.4 (symmetric) or 22 (asymmetric),
 * so the codes' clamps to [-8, 7] and [0, 15] decide them (the AVX2 symmetric groups skip the
 * clamp only where s is normal); and amax / 7 just below 2^-14, rounded up to 2^-14 (normal)
 * or down to the largest subnormal. Both signs of the extreme value in each group; in runs of
 * eight and sixteen and in the tail.
 */
static void qb__int4_small_scales(const qb_kernel_info* k) {
  const qb_family_info* f = qb_family_get(k->family);
  const int sym = k->family == QB_FAMILY_f32_qs4g128_quant;
  const size_t g = f->n_multiple, ng = 16 * 2 + 5, n = g * ng;
  uint64_t seed = 0x5CA1Eu + (uint64_t) k->family;
  float* x = malloc(n * sizeof(float));
  assert_true(x != NULL);
  for (size_t j = 0; j < ng; j++) {
    const uint64_t r = qb_test_rand(&seed);
    const float div = sym ? 7.0f : 15.0f;
    float m; /* the scale before its rounding to f16 */
    switch (j % 4) {
      case 0:
      case 1:
        m = ((float) (1 + r % 6) + 0.49f) * 0x1p-24f; /* rounds down to q 2^-24 */
        break;
      case 2:
        m = 0x1p-14f - 0x1p-26f; /* rounds up to 2^-14 */
        break;
      default:
        m = 0x1p-14f - 0x1p-24f + 0x1p-27f; /* rounds down to 1023 2^-24 */
        break;
    }
    float* xg = x + j * g;
    /* Asymmetric: hi - lo = 15 m with lo = -hi; symmetric: amax = 7 m. */
    const float a = sym ? div * m : div * m / 2.0f;
    for (size_t i = 0; i < g; i++) {
      xg[i] = a * ((float) (int) (qb_test_rand(&seed) % 2001) - 1000.0f) / 1000.0f;
    }
    xg[(r >> 16) % g] = a;
    xg[(r >> 24) % g] = -a;
  }
  qb__int4_cmp(k, x, n, "small scales");
  free(x);
}

/*
 * Int4 group quantize on a row of QB_INT4G_STREAM values and more (8 MiB), where the AVX-512
 * asymmetric group loop takes another order (kernels/quant/int4g-scalar.h): random groups of
 * varied scale, with a NaN, an infinity, an all-zero group, a constant group and one whose
 * scale is an f16 subnormal past the switch, and a tail of groups after the last run of
 * sixteen; bytes compared with the reference.
 */
static void qb__int4_long_row(const qb_kernel_info* k) {
  const qb_family_info* f = qb_family_get(k->family);
  const size_t g = f->n_multiple, ng = QB_INT4G_STREAM / g + 3 * 16 + 5, n = g * ng;
  uint64_t seed = 0x10A6u + (uint64_t) k->family;
  float* x = malloc(n * sizeof(float));
  assert_true(x != NULL);
  for (size_t j = 0; j < ng; j++) {
    const float scale = ldexpf(1.0f, (int) (qb_test_rand(&seed) % 40) - 20);
    for (size_t i = 0; i < g; i++) {
      x[j * g + i] = scale * (float) ((int32_t) (qb_test_rand(&seed) & 0xFFFF) - 30000) / 4096.0f;
    }
  }
  const size_t at = QB_INT4G_STREAM / g; /* the first group past the switch */
  x[(at + 1) * g + 5] = NAN;
  x[(at + 18) * g + 7] = -INFINITY;
  memset(&x[(at + 21) * g], 0, g * sizeof(float));
  for (size_t i = 0; i < g; i++) x[(at + 35) * g + i] = -2.5f;
  for (size_t i = 0; i < g; i++) x[(at + 40) * g + i] *= 0x1p-38f;
  qb__int4_cmp(k, x, n, "long row");
  free(x);
}

/* Activations of a W4A8 dot: random s8, -128 included. */
static void qb__fill_s8(int8_t* a, size_t n, uint64_t* seed) {
  for (size_t i = 0; i < n; i++) a[i] = (int8_t) (qb_test_rand(seed) >> 24);
}

static void qb__vs_ref_dot(const qb_kernel_info* k) {
  const qb_family_info* f = qb_family_get(k->family);
  const qb_kernel_info* ref = qb_kernel_reference(k->family);
  uint64_t seed = 0xD070000u + (uint64_t) k->family;
  const size_t unit = f->n_multiple;
  size_t sizes[16];
  const size_t ns = qb_test_sizes(k->tile / unit ? (unsigned) (k->tile / unit) : 1, sizes, 16);
  for (size_t si = 0; si < ns; si++) {
    for (size_t off = 0; off < 2; off++) {
      const size_t n = (sizes[si] + (si == 0 ? 0 : 5)) * unit;
      unsigned char* abuf = malloc(qb_dtype_buffer_bytes(f->in, n) + 8);
      unsigned char* bbuf = malloc(qb_dtype_buffer_bytes(f->in2, n) + 8);
      float* xf = malloc((n + 1) * sizeof(float));
      assert_true(abuf && bbuf && xf);
      unsigned char* a = abuf + off * 2;
      unsigned char* b = bbuf + off * 2;
      qb__fill(xf, n, &seed);
      qb_kernel_unary(qb__quant_ref(f->in))(n, xf, a, NULL);
      if (f->in2 == QB_DTYPE_s8) {
        qb__fill_s8((int8_t*) b, n, &seed);
      } else {
        qb__fill(xf, n, &seed);
        qb_kernel_unary(qb__quant_ref(f->in2))(n, xf, b, NULL);
      }
      float want = 0, got = 0;
      qb_kernel_dot(ref)(n, a, b, &want);
      qb_kernel_dot(k)(n, a, b, &got);
      if (k->family == QB_FAMILY_q8_0_dot || k->family == QB_FAMILY_q4_0q8_0_dot) {
        char what[48];
        snprintf(what, sizeof what, "quantized blocks, offset %zu", off);
        qb__dot_agrees(k, k->family == QB_FAMILY_q4_0q8_0_dot, a, (const qb_block_q8_0*) (const void*) b,
                       n / QB_BLOCK_LEN, got, want, what);
      } else if (qb_f32_to_bits(got) != qb_f32_to_bits(want) && !(isnan(got) && isnan(want))) {
        fail_msg("%s: n=%zu offset=%zu: got %a, the reference gives %a", k->name, n, off, got, want);
      }
      free(abuf);
      free(bbuf);
      free(xf);
    }
  }
}

/*
 * A q8_0 / q4_0 . q8_0 variant on blocks no quantizer writes: every byte value in the
 * codes, -128 included (the reference accepts them; the AVX2 q8_0 sums take another
 * path for a group of eight blocks where an activation is -128), finite f16 scales of
 * every exponent, zero included. Groups of eight blocks with and without -128 alternate
 * irregularly within one call; then every code -128 (q8_0: the largest |isum|) or every
 * code 0 (q4_0: -8) against activations -128.
 */
static void qb__raw_dot(const qb_kernel_info* k) {
  const int q4 = k->family == QB_FAMILY_q4_0q8_0_dot;
  const size_t xbytes = q4 ? sizeof(qb_block_q4_0) : sizeof(qb_block_q8_0);
  uint64_t seed = 0x4A3D0700u + (uint64_t) k->family;
  size_t sizes[16];
  const size_t ns = qb_test_sizes((unsigned) (k->tile / QB_BLOCK_LEN), sizes, 16);
  for (size_t si = 0; si < ns; si++) {
    for (int fill = 0; fill < 2; fill++) {
      const size_t nb = sizes[si] + (si == 0 ? 0 : 5);
      unsigned char* xbuf = malloc(nb * xbytes + 1);
      qb_block_q8_0* y = malloc(nb * sizeof *y + 1);
      assert_true(xbuf && y);
      for (size_t b = 0; b < nb; b++) {
        unsigned char* xb = xbuf + b * xbytes;
        const uint64_t r = qb_test_rand(&seed);
        /* A finite scale of any exponent and sign (0 one time in 16). */
        const uint16_t dx = (uint16_t) ((r & 0x83FFu) | (((r >> 16) % 31u) << 10));
        const uint16_t dy = (uint16_t) (((r >> 24) & 0x83FFu) | (((r >> 40) % 31u) << 10));
        const uint16_t dx0 = (r >> 48) % 16 ? dx : 0;
        memcpy(xb, &dx0, 2);
        y[b].d = dy;
        for (size_t i = 2; i < xbytes; i++)
          xb[i] = fill ? (q4 ? 0x00 : 0x80) : (unsigned char) qb_test_rand(&seed);
        const int keep_min = fill || (b / 8 + (r >> 56)) % 3 == 0;
        for (int i = 0; i < QB_BLOCK_LEN; i++) {
          const int8_t v = fill ? -128 : (int8_t) qb_test_rand(&seed);
          y[b].qs[i] = v == -128 && !keep_min ? -127 : v;
        }
      }
      float want = NAN, got = NAN;
      qb_kernel_dot(qb_kernel_reference(k->family))(nb * QB_BLOCK_LEN, xbuf, y, &want);
      qb_kernel_dot(k)(nb * QB_BLOCK_LEN, xbuf, y, &got);
      qb__dot_agrees(k, q4, xbuf, y, nb, got, want, fill ? "codes at -128 (q4_0: -8)" : "every byte value");
      free(xbuf);
      free(y);
    }
  }
}

/*
 * The float order of the per-block step, where it decides the result: (float) isum * (dx *
 * dy) for q8_0 . q8_0 and ((float) isum * dx) * dy for q4_0 . q8_0. With random blocks
 * the sums are small enough that both orders round alike, so a variant using the other
 * order could pass the tests above; here blocks with a large sum (codes at their extremes)
 * meet the first f16 scale dy for which the two orders differ, and every variant must
 * give the reference's order, for every count of such blocks (tails included).
 */
static int qb__order_q4; /* which family qb__order_dot checks */
static void qb__order_dot(const qb_kernel_info* k) {
  enum { NB = 9 };
  qb_block_q4_0 x4[NB];
  qb_block_q8_0 x8[NB], y[NB];
  const uint16_t dx = 0x3BFF; /* 0.99951171875: a full 11-bit significand */
  uint16_t dy = 0x3400;
  int32_t isum;
  for (int b = 0; b < NB; b++) {
    x4[b].d = x8[b].d = dx;
    memset(x4[b].qs, 0, sizeof x4[b].qs); /* codes 0: values -8 */
    x4[b].qs[0] = 1;                      /* element 0: -7 */
    memset(x8[b].qs, 127, sizeof x8[b].qs);
    x8[b].qs[0] = 101;
    memset(y[b].qs, qb__order_q4 ? 0x81 : 127, sizeof y[b].qs); /* -127 or 127 */
  }
  isum = qb__order_q4 ? 31 * 8 * 127 + 7 * 127 : 31 * 127 * 127 + 101 * 127;
  /* 1. The first dy above 0.25 where the orders differ (there is one within a few steps). */
  for (;; dy++) {
    const float p1 = (float) isum * (qb__h(dx) * qb__h(dy)), p2 = (float) isum * qb__h(dx) * qb__h(dy);
    assert_true(dy < 0x3800);
    if (p1 != p2) break;
  }
  for (int b = 0; b < NB; b++) y[b].d = dy;
  /* 2. The reference's order, block after block, against the variant. */
  float want = 0.0f;
  for (int nb = 1; nb <= NB; nb++) {
    want += qb__order_q4 ? (float) isum * qb__h(dx) * qb__h(dy) : (float) isum * (qb__h(dx) * qb__h(dy));
    float got = NAN;
    const void* x = qb__order_q4 ? (const void*) x4 : (const void*) x8;
    qb_kernel_dot(k)((size_t) nb * QB_BLOCK_LEN, x, y, &got);
    /* A REASSOC variant need not round as the reference: within the bound. */
    qb__dot_agrees(k, qb__order_q4, x, y, (size_t) nb, got, want, "the per-block rounding order");
  }
}

/*
 * An int4 group . s8 variant against the reference: random groups (finite f16 scales of
 * every magnitude, every code and zero point byte), plus groups at the extremes (zero
 * point 0 or 255 with codes 0 or 15, activations -128 or 127: the largest sums), at
 * group counts around the tile, the activations one byte off alignment. Results
 * compared bit for bit (both NaN passes: a NaN scale in the last group).
 */
static void qb__vs_ref_int4dot(const qb_kernel_info* k) {
  const qb_family_info* f = qb_family_get(k->family);
  const qb_kernel_info* ref = qb_kernel_reference(k->family);
  const size_t g = f->n_multiple, gbytes = qb_dtype_buffer_bytes(f->in, g);
  const int sym = f->in == QB_DTYPE_qs4g128;
  uint64_t seed = 0x14D0700u + (uint64_t) k->family;
  size_t sizes[16];
  const size_t ns = qb_test_sizes(1, sizes, 16);
  for (size_t si = 0; si < ns; si++) {
    for (size_t off = 0; off < 2; off++) {
      const size_t ng = sizes[si] + (si == 0 ? 0 : 3), n = ng * g;
      unsigned char* w = malloc(ng * gbytes + 1);
      signed char* abuf = malloc(n + 1);
      assert_true(w && abuf);
      signed char* a = abuf + off;
      for (size_t i = 0; i < ng * gbytes; i++) w[i] = (unsigned char) qb_test_rand(&seed);
      for (size_t i = 0; i < n; i++) a[i] = (signed char) qb_test_rand(&seed);
      for (size_t j = 0; j < ng; j++) {
        unsigned char* grp = w + j * gbytes;
        const uint64_t r = qb_test_rand(&seed);
        /* A finite scale (exponent field below 31), any sign. */
        const uint16_t h = (uint16_t) (r & 0xFBFFu);
        memcpy(grp, &h, 2);
        if (j % 5 == 4) {
          const int hi = (r >> 16) & 1;
          if (!sym) grp[2] = hi ? 0 : 255;
          memset(grp + (sym ? 2 : 3), hi ? 0x77 : (sym ? 0x88 : 0x00), g / 2);
          memset(a + j * g, hi ? 127 : -128, g);
        }
      }
      if (ng > 2 && si % 3 == 2) {
        const uint16_t nan = 0x7E01;
        memcpy(w + (ng - 1) * gbytes, &nan, 2);
      }
      float want = 0, got = 0;
      qb_kernel_dot(ref)(n, w, a, &want);
      qb_kernel_dot(k)(n, w, a, &got);
      if (qb_f32_to_bits(got) != qb_f32_to_bits(want) && !(isnan(got) && isnan(want))) {
        fail_msg("%s: %zu groups, activations offset %zu: got %a, the reference gives %a", k->name, ng, off,
                 got, want);
      }
      free(w);
      free(abuf);
    }
  }
}

static bool qb__checks(const qb_kernel_info* k) {
  qb__check_fn* vectors = NULL;
  /* Without vectors the check is the comparison with the reference: not for itself. */
  return qb__listed(k->family, &vectors) && (vectors != NULL || k->isa != QB_ISA_scalar);
}

static void qb__check(const qb_kernel_info* k) {
  qb__check_fn* vectors = NULL;
  qb__listed(k->family, &vectors);
  if (vectors == NULL && qb_family_get(k->family)->kind == QB_KIND_dot) {
    qb__vs_ref_int4dot(k);
    return;
  }
  if (vectors != NULL) vectors(k);
  if (k->family == QB_FAMILY_q8_0_dot || k->family == QB_FAMILY_q4_0q8_0_dot) {
    qb__order_q4 = k->family == QB_FAMILY_q4_0q8_0_dot;
    qb__order_dot(k);
    if (k->isa != QB_ISA_scalar) qb__raw_dot(k);
  }
  if (k->isa == QB_ISA_scalar) return;
  if (qb_family_get(k->family)->kind == QB_KIND_dot) {
    qb__vs_ref_dot(k);
  } else {
    qb__vs_ref_unary(k);
    if (qb_family_get(k->family)->in != QB_DTYPE_f32) qb__raw_dequant(k);
  }
  const qb_family fam = k->family;
  if (fam == QB_FAMILY_f32_qu4g32_quant || fam == QB_FAMILY_f32_qu4g64_quant ||
      fam == QB_FAMILY_f32_qu4g128_quant || fam == QB_FAMILY_f32_qs4g128_quant) {
    qb__int4_ties(k);
    qb__int4_bounds(k);
    qb__int4_edges(k);
    qb__int4_small_scales(k);
    qb__int4_long_row(k);
  }
}

/* The geometry the host sizes buffers by. */
static void test_geometry(void** state) {
  (void) state;
  assert_int_equal(qb__bsize(QB_DTYPE_q8_0), 34);
  assert_int_equal(qb__bsize(QB_DTYPE_q4_0), 18);
  assert_true(qb_family_get(QB_FAMILY_f32_q8_0_quant)->out_bits == 8.5);
  assert_true(qb_family_get(QB_FAMILY_q4_0q8_0_dot)->in_bits == 4.5);
  assert_true(qb_family_bytes(qb_family_get(QB_FAMILY_q4_0q8_0_dot), 64) == 2 * 18 + 2 * 34);
}

int main(int argc, char** argv) {
  const struct CMUnitTest common[] = {
      cmocka_unit_test(test_geometry),
      cmocka_unit_test(test_edges),
  };
  const qb_test_kernels t = {qb__checks, qb__check, common, sizeof common / sizeof common[0]};
  return qb_test_kernels_main(argc, argv, &t);
}
