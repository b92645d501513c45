/*
 * The scalar references of the quant families (kernels/quant/README.md) against
 * hand-computed values: ties in both rounding modes, saturation, NaN and infinities,
 * zero-point edges, per-channel parameters, block quantization and fake-quant.
 */
#include <float.h>
#include <math.h>
#include <string.h>

#include "numerics/calib.h"
#include "platform/registry.h"
#include "test_util.h"

#define QB_N(a) (sizeof(a) / sizeof((a)[0]))

static void run_ref(qb_family f, size_t n, const void* x, void* y, const qb_quant_params* p) {
  const qb_kernel_info* k = qb_kernel_reference(f);
  assert_non_null(k);
  assert_non_null(k->fn);
  qb_kernel_unary(k)(n, x, y, p);
}

static qb_quant_params params(float scale, int32_t zp, int32_t qmin, int32_t qmax, qb_round_mode r) {
  qb_quant_params p;
  qb_quant_params_init(&p, scale, zp, qmin, qmax, r);
  return p;
}

/* Quantizes x to s8 with the reference and compares with want[]. */
static void check_s8(const qb_quant_params* p, const float* x, const int8_t* want, size_t n) {
  int8_t y[64];
  assert_true(n <= QB_N(y));
  run_ref(QB_FAMILY_f32_qs8_quant, n, x, y, p);
  for (size_t i = 0; i < n; i++) {
    if (y[i] != want[i]) {
      fail_msg("s8 x[%zu] = %a (round %d, scale %a, zp %d): got %d, want %d", i, (double) x[i],
               (int) p->round, (double) p->scale, (int) p->zero_point, y[i], want[i]);
    }
  }
}

static void check_u8(const qb_quant_params* p, const float* x, const uint8_t* want, size_t n) {
  uint8_t y[64];
  assert_true(n <= QB_N(y));
  run_ref(QB_FAMILY_f32_qu8_quant, n, x, y, p);
  for (size_t i = 0; i < n; i++) {
    if (y[i] != want[i]) {
      fail_msg("u8 x[%zu] = %a (round %d, scale %a, zp %d): got %d, want %d", i, (double) x[i],
               (int) p->round, (double) p->scale, (int) p->zero_point, y[i], want[i]);
    }
  }
}

static void test_ties(void** state) {
  (void) state;
  /* scale 0.5: x * 2 and x / 0.5 are exact, so every x below is a tie. */
  const float x[] = {0.25f, 0.75f, 1.25f, 1.75f, -0.25f, -0.75f, -1.25f, -1.75f, 63.25f, -63.75f};
  const int8_t even[] = {0, 2, 2, 4, 0, -2, -2, -4, 126, -128};
  const int8_t away[] = {1, 2, 3, 4, -1, -2, -3, -4, 127, -128};
  qb_quant_params p = params(0.5f, 0, -128, 127, QB_ROUND_PYTORCH);
  check_s8(&p, x, even, QB_N(x));
  p.round = QB_ROUND_TFLITE;
  check_s8(&p, x, away, QB_N(x));
  /* With a zero point, the tie is decided before it is added: 0.5 -> 0 + 100. */
  const float xu[] = {0.25f, 0.75f, -0.25f, -0.75f};
  const uint8_t even_u[] = {100, 102, 100, 98};
  const uint8_t away_u[] = {101, 102, 99, 98};
  p = params(0.5f, 100, 0, 255, QB_ROUND_PYTORCH);
  check_u8(&p, xu, even_u, QB_N(xu));
  p.round = QB_ROUND_TFLITE;
  check_u8(&p, xu, away_u, QB_N(xu));
}

static void test_multiply_vs_divide(void** state) {
  (void) state;
  /* x / scale is exactly -3.5, but x * fl(1 / scale) = -3.4999998: PyTorch multiplies
   * (-> -3, not -4 as ties-to-even would give), TFLite divides (-> -4). */
  const float scale = 0x1.6872bp-7f;
  const float x[] = {-0x1.3b645ap-5f, 0x1.3b645ap-5f};
  const int8_t pt[] = {-3, 3};
  const int8_t tf[] = {-4, 4};
  qb_quant_params p = params(scale, 0, -128, 127, QB_ROUND_PYTORCH);
  check_s8(&p, x, pt, 2);
  p.round = QB_ROUND_TFLITE;
  check_s8(&p, x, tf, 2);
}

static void test_saturation_nan_inf(void** state) {
  (void) state;
  const float x[] = {200.0f, -200.0f, 3e38f, -3e38f, INFINITY, -INFINITY, NAN, -NAN, 127.4f, -128.4f};
  const int8_t s8[] = {127, -128, 127, -128, 127, -128, 5, 5, 127, -128};
  const int8_t s8r[] = {100, -100, 100, -100, 100, -100, 5, 5, 100, -100};
  const uint8_t u8[] = {255, 0, 255, 0, 255, 0, 128, 128, 255, 0};
  for (int r = 0; r < 2; r++) {
    qb_quant_params p = params(1.0f, 5, -128, 127, (qb_round_mode) r);
    /* zp 5: 127.4 -> 132 -> 127 and -128.4 -> -123 (not saturated). */
    const int8_t want[] = {127, -128, 127, -128, 127, -128, 5, 5, 127, -123};
    check_s8(&p, x, want, QB_N(x));
    p = params(1.0f, 0, -128, 127, (qb_round_mode) r);
    int8_t want0[QB_N(x)];
    memcpy(want0, s8, sizeof want0);
    want0[6] = want0[7] = 0;
    check_s8(&p, x, want0, QB_N(x));
    /* A narrowed range [-100, 100] clamps there. */
    p = params(1.0f, 5, -100, 100, (qb_round_mode) r);
    check_s8(&p, x, s8r, QB_N(x));
    p = params(1.0f, 128, 0, 255, (qb_round_mode) r);
    check_u8(&p, x, u8, QB_N(x));
    /* A tiny scale: x * inv_scale overflows to inf, which saturates too. */
    const float big[] = {FLT_MAX, -FLT_MAX, 1.0f};
    const int8_t bigq[] = {127, -128, 127};
    p = params(1e-30f, 0, -128, 127, (qb_round_mode) r);
    check_s8(&p, big, bigq, 3);
  }
}

static void test_zero_point_edges(void** state) {
  (void) state;
  const float x[] = {0.0f, -0.0f, -1.0f, 1.0f, 300.0f, -300.0f};
  for (int r = 0; r < 2; r++) {
    qb_quant_params p = params(1.0f, -128, -128, 127, (qb_round_mode) r);
    const int8_t lo[] = {-128, -128, -128, -127, 127, -128};
    check_s8(&p, x, lo, QB_N(x));
    p = params(1.0f, 127, -128, 127, (qb_round_mode) r);
    const int8_t hi[] = {127, 127, 126, 127, 127, -128};
    check_s8(&p, x, hi, QB_N(x));
    p = params(1.0f, 0, 0, 255, (qb_round_mode) r);
    const uint8_t ulo[] = {0, 0, 0, 1, 255, 0};
    check_u8(&p, x, ulo, QB_N(x));
    p = params(1.0f, 255, 0, 255, (qb_round_mode) r);
    const uint8_t uhi[] = {255, 255, 254, 255, 255, 0};
    check_u8(&p, x, uhi, QB_N(x));
  }
}

static void test_constant_and_empty(void** state) {
  (void) state;
  float x[40];
  int8_t y[41];
  for (int i = 0; i < 40; i++) x[i] = 2.6f;
  memset(y, 0x5A, sizeof y);
  qb_quant_params p = params(0.5f, -3, -128, 127, QB_ROUND_TFLITE);
  run_ref(QB_FAMILY_f32_qs8_quant, 40, x, y, &p);
  for (int i = 0; i < 40; i++) assert_int_equal(y[i], 2); /* round(5.2) - 3 */
  assert_int_equal(y[40], 0x5A);                          /* nothing past n */
  memset(y, 0x5A, sizeof y);
  run_ref(QB_FAMILY_f32_qs8_quant, 0, x, y, &p);
  assert_int_equal(y[0], 0x5A);
}

static void test_dequant(void** state) {
  (void) state;
  const int8_t qs[] = {-128, 127, 0, -3, 5};
  float y[5];
  qb_quant_params p = params(0.5f, -3, -128, 127, QB_ROUND_PYTORCH);
  run_ref(QB_FAMILY_qs8_f32_dequant, 5, qs, y, &p);
  const float want_s[] = {-62.5f, 65.0f, 1.5f, 0.0f, 4.0f};
  for (int i = 0; i < 5; i++) assert_true(y[i] == want_s[i]);
  const uint8_t qu[] = {0, 255, 128, 7, 129};
  p = params(0.25f, 128, 0, 255, QB_ROUND_TFLITE);
  run_ref(QB_FAMILY_qu8_f32_dequant, 5, qu, y, &p);
  const float want_u[] = {-32.0f, 31.75f, 0.0f, -30.25f, 0.25f};
  for (int i = 0; i < 5; i++) assert_true(y[i] == want_u[i]);
  /* (q - zp) is exact in int32 even across the full range: 255 - 0. */
  p = params(1.0f, 0, 0, 255, QB_ROUND_TFLITE);
  run_ref(QB_FAMILY_qu8_f32_dequant, 2, qu, y, &p);
  assert_true(y[0] == 0.0f && y[1] == 255.0f);
}

static void test_per_channel(void** state) {
  (void) state;
  /* Three channels of three, scales 1, 0.5 and 2, zero points 0, 10 and -5. */
  const float scales[] = {1.0f, 0.5f, 2.0f};
  const float inv[] = {1.0f, 2.0f, 0.5f};
  const int32_t zps[] = {0, 10, -5};
  const float x[] = {1.5f, -2.5f, 300.0f, 1.25f, -0.25f, NAN, 3.0f, -5.0f, -1000.0f};
  const int8_t want_pt[] = {2, -2, 127, 12, 10, 10, -3, -7, -128};
  const int8_t want_tf[] = {2, -3, 127, 13, 9, 10, -3, -8, -128};
  const uint8_t want_u[] = {2, 0, 255, 12, 10, 10, 2, 0, 0};
  int8_t y[9];
  uint8_t yu[9];
  float back[9];
  qb_quant_params p = params(1.0f, 0, -128, 127, QB_ROUND_PYTORCH);
  p.channel_len = 3;
  p.scales = scales;
  p.inv_scales = inv;
  p.zero_points = zps;
  run_ref(QB_FAMILY_f32_qs8_quantc, 9, x, y, &p);
  for (int i = 0; i < 9; i++) assert_int_equal(y[i], want_pt[i]);
  p.round = QB_ROUND_TFLITE;
  run_ref(QB_FAMILY_f32_qs8_quantc, 9, x, y, &p);
  for (int i = 0; i < 9; i++) assert_int_equal(y[i], want_tf[i]);
  /* u8 with qmin 0: the third channel's zero point -5 is below qmin, so use 0 there. */
  const int32_t zpu[] = {0, 10, 0};
  p.zero_points = zpu;
  p.qmin = 0;
  p.qmax = 255;
  p.round = QB_ROUND_PYTORCH;
  run_ref(QB_FAMILY_f32_qu8_quantc, 9, x, yu, &p);
  for (int i = 0; i < 9; i++) assert_int_equal(yu[i], want_u[i]);
  run_ref(QB_FAMILY_qu8_f32_dequantc, 9, yu, back, &p);
  const float back_u[] = {2.0f, 0.0f, 255.0f, 1.0f, 0.0f, 0.0f, 4.0f, 0.0f, 0.0f};
  for (int i = 0; i < 9; i++) assert_true(back[i] == back_u[i]);
  p.zero_points = zps;
  p.qmin = -128;
  p.qmax = 127;
  run_ref(QB_FAMILY_qs8_f32_dequantc, 9, want_pt, back, &p);
  const float back_s[] = {2.0f, -2.0f, 127.0f, 1.0f, 0.0f, 0.0f, 4.0f, -4.0f, -246.0f};
  for (int i = 0; i < 9; i++) assert_true(back[i] == back_s[i]);
}

static void test_block_quant(void** state) {
  (void) state;
  float x[4 * QB_BLOCK_LEN];
  qb_block_q8 b[4];
  float y[4 * QB_BLOCK_LEN];
  /* Block 0: absmax 127 -> d = 1: q = nearbyint(x), ties to even. */
  const float b0[] = {127.0f, -127.0f, 0.5f, 1.5f, 2.5f, -0.5f, -1.5f, NAN, 3.25f, -3.75f};
  const int8_t q0[] = {127, -127, 0, 2, 2, 0, -2, 0, 3, -4};
  /* Block 1: absmax 63.5 -> d = 0.5, id = 2. */
  const float b1[] = {-63.5f, 0.25f, 0.75f, 10.0f, -NAN};
  const int8_t q1[] = {-127, 0, 2, 20, 0};
  memset(x, 0, sizeof x);
  memcpy(x, b0, sizeof b0);
  memcpy(x + QB_BLOCK_LEN, b1, sizeof b1);
  /* Block 2 stays all zero (d = 0); block 3 holds an infinity. */
  x[3 * QB_BLOCK_LEN + 1] = 5.0f;
  x[3 * QB_BLOCK_LEN + 2] = -INFINITY;
  run_ref(QB_FAMILY_f32_qb8_quant, 4 * QB_BLOCK_LEN, x, b, NULL);
  assert_true(b[0].d == 1.0f);
  assert_true(b[1].d == 0.5f);
  assert_true(b[2].d == 0.0f);
  assert_true(isinf(b[3].d) && b[3].d > 0);
  for (int i = 0; i < QB_BLOCK_LEN; i++) {
    assert_int_equal(b[0].qs[i], i < (int) QB_N(q0) ? q0[i] : 0);
    assert_int_equal(b[1].qs[i], i < (int) QB_N(q1) ? q1[i] : 0);
    assert_int_equal(b[2].qs[i], 0);
    assert_int_equal(b[3].qs[i], 0);
  }
  run_ref(QB_FAMILY_qb8_f32_dequant, 4 * QB_BLOCK_LEN, b, y, NULL);
  for (int i = 0; i < QB_BLOCK_LEN; i++) {
    assert_true(y[i] == (float) b[0].qs[i]);
    assert_true(y[QB_BLOCK_LEN + i] == 0.5f * (float) b[1].qs[i]);
    assert_true(y[2 * QB_BLOCK_LEN + i] == 0.0f);
    assert_true(isnan(y[3 * QB_BLOCK_LEN + i])); /* inf * 0 */
  }
  /* The smallest subnormal absmax: d underflows to 0, so id = 0 and every code is 0. */
  memset(x, 0, sizeof x);
  x[0] = 0x1p-149f;
  run_ref(QB_FAMILY_f32_qb8_quant, QB_BLOCK_LEN, x, b, NULL);
  assert_true(b[0].d == 0.0f);
  assert_int_equal(b[0].qs[0], 0);
  /* A block whose 1/d overflows: d subnormal, q saturates at +-127 (x * inf). */
  x[0] = 0x1p-130f;
  x[1] = -0x1p-130f;
  run_ref(QB_FAMILY_f32_qb8_quant, QB_BLOCK_LEN, x, b, NULL);
  assert_true(b[0].d == 0x1p-130f / 127.0f && isinf(1.0f / b[0].d));
  assert_int_equal(b[0].qs[0], 127);
  assert_int_equal(b[0].qs[1], -127);
  assert_int_equal(b[0].qs[2], 0);
}

static void test_fakequant(void** state) {
  (void) state;
  enum { N = 1000 };
  float x[N], y[N], back[N];
  int8_t q[N];
  uint64_t seed = 42;
  for (int i = 0; i < N; i++) {
    x[i] = (float) ((double) (qb_test_rand(&seed) >> 11) * 0x1p-53 * 80.0 - 40.0);
  }
  x[0] = NAN;
  x[1] = INFINITY;
  x[2] = -INFINITY;
  x[3] = 0.25f; /* a tie */
  for (int r = 0; r < 2; r++) {
    qb_quant_params p = params(0.5f, 7, -100, 120, (qb_round_mode) r);
    run_ref(QB_FAMILY_f32_qs8_fakequant, N, x, y, &p);
    run_ref(QB_FAMILY_f32_qs8_quant, N, x, q, &p);
    run_ref(QB_FAMILY_qs8_f32_dequant, N, q, back, &p);
    assert_memory_equal(y, back, sizeof y);
    assert_true(y[0] == 0.0f && y[1] == 56.5f && y[2] == -53.5f);
    assert_true(y[3] == (r == QB_ROUND_PYTORCH ? 0.0f : 0.5f));
  }
}

/* The references against an independent formulation with libm's nearbyint and round
 * in double on the same f32 product or quotient (exact in double), over random bit
 * patterns of every magnitude and both modes. */
static void test_reference_vs_libm(void** state) {
  (void) state;
  enum { N = 4096 };
  static float x[N];
  static int8_t y[N];
  uint64_t seed = 7;
  const float scales[] = {0.5f, 0x1.6872bp-7f, 0.0371f, 3.0f, 1e-30f, 1e20f};
  for (int i = 0; i < N; i++) {
    const uint64_t r = qb_test_rand(&seed);
    /* Exponents spread over the whole range, with a bias toward |x / scale| < 2^24. */
    const uint32_t exp = r & 1 ? (uint32_t) (r >> 8) % 255 : 100 + (uint32_t) (r >> 8) % 60;
    const uint32_t bits = (uint32_t) (r >> 40 & 0x80000000u) | exp << 23 | (uint32_t) (r >> 20 & 0x7FFFFF);
    memcpy(&x[i], &bits, sizeof bits);
  }
  for (size_t s = 0; s < QB_N(scales); s++) {
    for (int mode = 0; mode < 2; mode++) {
      qb_quant_params p = params(scales[s], -7, -128, 127, (qb_round_mode) mode);
      run_ref(QB_FAMILY_f32_qs8_quant, N, x, y, &p);
      for (int i = 0; i < N; i++) {
        const float v = mode == QB_ROUND_TFLITE ? x[i] / p.scale : x[i] * p.inv_scale;
        double q = mode == QB_ROUND_TFLITE ? round((double) v) : nearbyint((double) v);
        q = isnan(q) ? 0.0 : q;
        q = fmin(fmax(q - 7.0, -128.0), 127.0);
        if ((double) y[i] != q) {
          fail_msg("x = %a, scale %a, mode %d: got %d, want %g", (double) x[i], (double) p.scale, mode, y[i],
                   q);
        }
      }
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ties),
      cmocka_unit_test(test_multiply_vs_divide),
      cmocka_unit_test(test_saturation_nan_inf),
      cmocka_unit_test(test_zero_point_edges),
      cmocka_unit_test(test_constant_and_empty),
      cmocka_unit_test(test_dequant),
      cmocka_unit_test(test_per_channel),
      cmocka_unit_test(test_block_quant),
      cmocka_unit_test(test_fakequant),
      cmocka_unit_test(test_reference_vs_libm),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
