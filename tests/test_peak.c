/*
 * The peak families: every usable variant, the scalar references included, must do
 * exactly n multiply-adds of a[0] * b[0] and write their sum. Inputs are chosen so
 * that every partial sum is exact (integers below 2^24 for floats; int32 wraps
 * modulo 2^32 like the instructions), so a variant that did more or fewer multiply-adds,
 * or dropped an accumulator, gives a different number. Only a[0] and b[0] exist.
 */
#include <stdio.h>
#include <string.h>

#include "peak/peak.h"
#include "platform/registry.h"
#include "test_kernels.h"
#include "test_util.h"

/* Multiples of the family's n_multiple: 0, 1, 2, 5 and 1000 of them. */
static const uint64_t qb__counts[] = {0, 1, 2, 5, 1000};

static void qb__run_f(const qb_kernel_info* k, uint64_t n, float a, float b, float want) {
  float got = -1.0f;
  qb_kernel_dot(k)(n, &a, &b, &got);
  if (got != want)
    fail_msg("%s: n=%llu a=%g b=%g: got %.9g, want %.9g", k->name, (unsigned long long) n, a, b, got, want);
}

/* A 16-bit float pair (f16 or bf16, by the family), as bits. */
static void qb__run_h(const qb_kernel_info* k, uint64_t n, uint16_t a, uint16_t b, float want) {
  float got = -1.0f;
  qb_kernel_dot(k)(n, &a, &b, &got);
  if (got != want)
    fail_msg("%s: n=%llu a=0x%04X b=0x%04X: got %.9g, want %.9g", k->name, (unsigned long long) n, a, b, got,
             want);
}

static void qb__run_s8(const qb_kernel_info* k, uint64_t n, uint8_t a, int8_t b) {
  /* n products of a * b, modulo 2^32, read as int32 (two's complement). */
  const uint32_t w = (uint32_t) n * (uint32_t) ((int32_t) a * b);
  const int32_t want = w > INT32_MAX ? -(int32_t) (~w) - 1 : (int32_t) w;
  int32_t got = 0x5A5A5A5A;
  qb_kernel_dot(k)(n, &a, &b, &got);
  if (got != want)
    fail_msg("%s: n=%llu a=%u b=%d: got %d, want %d", k->name, (unsigned long long) n, a, b, got, want);
}

static void qb__check(const qb_kernel_info* k) {
  const qb_family_info* fam = qb_family_get(k->family);
  /* A variant's loop covers tile multiply-adds; the family's n_multiple must be whole tiles. */
  assert_int_equal(fam->n_multiple % k->tile, 0);
  for (size_t c = 0; c < sizeof qb__counts / sizeof qb__counts[0]; c++) {
    const uint64_t n = qb__counts[c] * fam->n_multiple;
    switch (fam->in) {
      case QB_DTYPE_f32:
        qb__run_f(k, n, 1.0f, 1.0f, (float) n);
        qb__run_f(k, n, 0.5f, 0.25f, (float) n / 8);
        qb__run_f(k, n, 3.0f, -2.0f, -6.0f * (float) n);
        break;
      case QB_DTYPE_bf16:
        qb__run_h(k, n, 0x3F80, 0x3F80, (float) n);         /* 1 * 1 */
        qb__run_h(k, n, 0x4000, 0xBF00, -(float) n);        /* 2 * -0.5 */
        qb__run_h(k, n, 0x3E80, 0x4040, 0.75f * (float) n); /* 0.25 * 3 */
        break;
      case QB_DTYPE_f16:
        qb__run_h(k, n, 0x3C00, 0x3C00, (float) n);           /* 1 * 1 */
        qb__run_h(k, n, 0x4000, 0xB800, -(float) n);          /* 2 * -0.5 */
        qb__run_h(k, n, 0x3400, 0x4200, 0.75f * (float) n);   /* 0.25 * 3 */
        qb__run_h(k, n, 0x0001, 0x7800, 0x1p-9f * (float) n); /* 2^-24 (subnormal) * 2^15 */
        break;
      default:
        qb__run_s8(k, n, 1, 1);
        qb__run_s8(k, n, 3, -5);
        qb__run_s8(k, n, 255, 64); /* 16320 * n: wraps at 1000 multiples */
        qb__run_s8(k, n, 127, -128);
        break;
    }
  }
}

/* Every family whose op is `peak` (kernels/ops.inc), from the registry: no memory
 * traffic, one multiply and one add per element. */
static void test_peak_families(void** state) {
  (void) state;
  for (int f = 0; f < QB_FAMILY_COUNT; f++) {
    const qb_family_info* fam = qb_family_get((qb_family) f);
    if (fam->op != QB_OP_peak) continue;
    assert_int_equal(fam->in_bits + fam->in2_bits + fam->out_bits, 0);
    assert_int_equal(fam->flops, 2);
  }
}

/* Every kernel of those families is one case, the scalar ones included. */
static bool qb__checks(const qb_kernel_info* k) {
  return qb_family_get(k->family)->op == QB_OP_peak;
}

static void test_s8_operand_limit(void** state) {
  (void) state;
  assert_true(qb_s8_peak_operands_ok(255, 64));    /* 16320 */
  assert_true(qb_s8_peak_operands_ok(127, -128));  /* -16256 */
  assert_false(qb_s8_peak_operands_ok(255, 127));  /* 2 * 32385 would saturate s16 */
  assert_false(qb_s8_peak_operands_ok(129, -128)); /* 16512 */
}

int main(int argc, char** argv) {
  const struct CMUnitTest common[] = {
      cmocka_unit_test(test_s8_operand_limit),
      cmocka_unit_test(test_peak_families),
  };
  const qb_test_kernels t = {qb__checks, qb__check, common, sizeof common / sizeof common[0]};
  return qb_test_kernels_main(argc, argv, &t);
}
