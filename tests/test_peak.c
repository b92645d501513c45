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
#include "run/roof.h"
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

/* The peaks column (families.inc): every dot names at least one peak family and
 * nothing else; every other family names none. Tokenized as qb_family_bound_by does. */
static void test_dot_peaks(void** state) {
  (void) state;
  for (int f = 0; f < QB_FAMILY_COUNT; f++) {
    const qb_family_info* fam = qb_family_get((qb_family) f);
    assert_non_null(fam->peaks);
    if (fam->op != QB_OP_dot) {
      if (fam->peaks[0] != '\0') fail_msg("%s: a peaks entry on a family that is not a dot", fam->name);
      continue;
    }
    char buf[128];
    snprintf(buf, sizeof buf, "%s", fam->peaks);
    int named = 0;
    for (char* w = strtok(buf, " "); w != NULL; w = strtok(NULL, " ")) {
      const qb_family p = qb_family_find(w);
      if (p == QB_FAMILY_COUNT || qb_family_get(p)->op != QB_OP_peak)
        fail_msg("%s: peaks names \"%s\", not a peak family", fam->name, w);
      assert_true(qb_family_bound_by(fam, p));
      named++;
    }
    if (named == 0) fail_msg("%s: a dot with no peak", fam->name);
    /* Exactly the named ones bind it. */
    int bound = 0;
    for (int p = 0; p < QB_FAMILY_COUNT; p++) bound += qb_family_bound_by(fam, (qb_family) p);
    assert_int_equal(bound, named);
  }
  /* Whole words only: bf16_peak does not name f16_peak. */
  const qb_family_info* f8 = qb_family_get(qb_family_find("f8e4m3_dot"));
  assert_true(qb_family_bound_by(f8, qb_family_find("bf16_peak")));
  assert_false(qb_family_bound_by(f8, qb_family_find("f16_peak")));
}

/* A dot's compute roof is the fastest measured roof of its own peaks at its thread
 * count: never another family's, a failed one or one of another thread count. */
static void test_compute_roof_pick(void** state) {
  (void) state;
  static qb_roofs roofs;
  memset(&roofs, 0, sizeof roofs);
  const struct {
    const char* family;
    unsigned threads;
    double flops;
    bool ok;
  } rows[] = {
      {"f32_peak", 1, 100e9, true}, {"bf16_peak", 1, 60e9, true}, {"bf16_peak", 1, 300e9, false},
      {"s8_peak", 1, 900e9, true},  {"f32_peak", 2, 200e9, true}, {"f16_peak", 1, 500e9, true},
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    qb_roof* x = &roofs.items[roofs.count++];
    const qb_family p = qb_family_find(rows[i].family);
    snprintf(x->name, sizeof x->name, "%s__test%zu", rows[i].family, i);
    x->device = -1;
    x->backend = -1;
    x->threads = rows[i].threads;
    x->in = qb_family_get(p)->in;
    x->family = (int) p;
    x->flops_per_second = rows[i].flops;
    x->ok = rows[i].ok;
  }
  const qb_roof* r = qb_roof_compute(&roofs, qb_family_get(qb_family_find("f8e4m3_dot")), 1);
  assert_non_null(r);
  assert_string_equal(r->name, "f32_peak__test0");
  r = qb_roof_compute(&roofs, qb_family_get(qb_family_find("f8e4m3_dot")), 2);
  assert_non_null(r);
  assert_string_equal(r->name, "f32_peak__test4");
  r = qb_roof_compute(&roofs, qb_family_get(qb_family_find("s8_dot")), 1);
  assert_non_null(r);
  assert_string_equal(r->name, "s8_peak__test3");
  r = qb_roof_compute(&roofs, qb_family_get(qb_family_find("bf16_dot")), 1);
  assert_non_null(r);
  assert_string_equal(r->name, "bf16_peak__test1");
  assert_null(qb_roof_compute(&roofs, qb_family_get(qb_family_find("s8_dot")), 2));
  assert_null(qb_roof_compute(&roofs, qb_family_get(qb_family_find("f32_f16_cvt")), 1));
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
      cmocka_unit_test(test_dot_peaks),
      cmocka_unit_test(test_compute_roof_pick),
  };
  const qb_test_kernels t = {qb__checks, qb__check, common, sizeof common / sizeof common[0]};
  return qb_test_kernels_main(argc, argv, &t);
}
