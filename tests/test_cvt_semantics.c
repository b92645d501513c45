/*
 * The semantics probe (host/numerics/semantics.h): it must name what synthetic paths with
 * known behaviour do (truncation, ties away, flushing, canonical NaN), describe each
 * scalar reference as kernels/README.md documents it, and see every usable variant do
 * what its reference does, apart from the differences the variant declares.
 */
#include <string.h>

#include "common/fp.h"
#include "platform/cpu.h"
#include "numerics/semantics.h"
#include "test_util.h"

static void run_kernel(void* user, size_t n, const void* x, void* y) {
  qb_kernel_unary((const qb_kernel_info*) user)(n, x, y, NULL);
}

static qb_sem_observed probe(qb_family f, qb_sem_run_fn run, void* user) {
  qb_sem_observed o;
  qb_error err = {0};
  assert_int_equal(qb_semantics_probe(f, "test", run, user, &o, &err), QB_OK);
  return o;
}

/* ---- Synthetic f32 -> bf16 and f32 -> f16 paths with known behaviour. */

static void bf16_truncate(void* user, size_t n, const void* x, void* y) {
  (void) user;
  const uint32_t* in = x;
  uint16_t* out = y;
  for (size_t i = 0; i < n; i++) out[i] = (uint16_t) (in[i] >> 16);
}

static void bf16_ties_away(void* user, size_t n, const void* x, void* y) {
  (void) user;
  const uint32_t* in = x;
  uint16_t* out = y;
  for (size_t i = 0; i < n; i++) {
    const bool nan = (in[i] & 0x7FFFFFFFu) > 0x7F800000u;
    out[i] = nan ? qb_f32_to_bf16_bits(in[i]) : (uint16_t) ((in[i] + 0x8000u) >> 16);
  }
}

static void bf16_ftz_in_canon_nan(void* user, size_t n, const void* x, void* y) {
  (void) user;
  const uint32_t* in = x;
  uint16_t* out = y;
  for (size_t i = 0; i < n; i++) {
    uint32_t w = in[i];
    if ((w & 0x7F800000u) == 0) w &= 0x80000000u; /* subnormal (or zero) -> signed zero */
    out[i] = (w & 0x7FFFFFFFu) > 0x7F800000u ? 0x7FC0 : qb_f32_to_bf16_bits(w);
  }
}

static void f16_ftz_out(void* user, size_t n, const void* x, void* y) {
  (void) user;
  const uint32_t* in = x;
  uint16_t* out = y;
  for (size_t i = 0; i < n; i++) {
    uint16_t h = qb_f32_to_f16_bits(in[i]);
    if ((h & 0x7C00u) == 0) h &= 0x8000u;
    out[i] = h;
  }
}

static void f16_saturate(void* user, size_t n, const void* x, void* y) {
  (void) user;
  const uint32_t* in = x;
  uint16_t* out = y;
  for (size_t i = 0; i < n; i++) {
    uint16_t h = qb_f32_to_f16_bits(in[i]);
    if ((h & 0x7FFFu) == 0x7C00u) h = (uint16_t) ((h & 0x8000u) | 0x7BFFu);
    out[i] = h;
  }
}

static void test_synthetic_paths(void** state) {
  (void) state;
  qb_sem_observed o = probe(QB_FAMILY_f32_bf16_cvt, bf16_truncate, NULL);
  assert_string_equal(o.rounding, "toward-zero");
  assert_string_equal(o.ties, "n/a");
  assert_string_equal(o.subnormal_in, "kept");
  assert_string_equal(o.nan_payload, "kept");
  assert_string_equal(o.snan, "signaling");
  assert_string_equal(o.overflow, "saturate");
  assert_string_equal(o.inf, "inf");

  o = probe(QB_FAMILY_f32_bf16_cvt, bf16_ties_away, NULL);
  assert_string_equal(o.rounding, "nearest");
  assert_string_equal(o.ties, "away");

  o = probe(QB_FAMILY_f32_bf16_cvt, bf16_ftz_in_canon_nan, NULL);
  assert_string_equal(o.rounding, "nearest");
  assert_string_equal(o.ties, "even");
  assert_string_equal(o.subnormal_in, "flushed");
  assert_string_equal(o.nan_payload, "canonical");
  assert_string_equal(o.nan_sign, "lost");

  o = probe(QB_FAMILY_f32_f16_cvt, f16_ftz_out, NULL);
  assert_string_equal(o.subnormal_in, "n/a"); /* f32 subnormals are far below f16's range */
  assert_string_equal(o.subnormal_out, "flushed");

  o = probe(QB_FAMILY_f32_f16_cvt, f16_saturate, NULL);
  assert_string_equal(o.overflow, "saturate");
  assert_string_equal(o.inf, "saturate");
}

/* ---- The references, as kernels/README.md "Semantics" documents them. */

/* Fails unless got == ref, or the difference is allowed (to `allowed`, or to anything). */
static void expect_field(const char* name, const char* field, const char* got, const char* ref,
                         bool may_differ, const char* allowed) {
  if (strcmp(got, ref) == 0) return;
  if (may_differ && (allowed == NULL || strcmp(got, allowed) == 0)) return;
  fail_msg("%s: %s is '%s', expected '%s'", name, field, got, ref);
}

typedef struct expect {
  qb_family family;
  const char *rounding, *ties, *sub_in, *sub_out, *payload, *sign, *snan, *overflow, *inf;
} expect;

static void test_references(void** state) {
  (void) state;
  static const expect want[] = {
      {QB_FAMILY_f64_f32_cvt, "nearest", "even", "n/a", "kept", "kept", "kept", "quieted", "inf", "inf"},
      {QB_FAMILY_f32_f64_cvt, "exact", "n/a", "kept", "n/a", "kept", "kept", "quieted", "n/a", "inf"},
      {QB_FAMILY_f32_f16_cvt, "nearest", "even", "n/a", "kept", "kept", "kept", "quieted", "inf", "inf"},
      {QB_FAMILY_f16_f32_cvt, "exact", "n/a", "kept", "n/a", "kept", "kept", "quieted", "n/a", "inf"},
      {QB_FAMILY_f32_bf16_cvt, "nearest", "even", "kept", "n/a", "kept", "kept", "quieted", "inf", "inf"},
      {QB_FAMILY_bf16_f32_cvt, "exact", "n/a", "kept", "n/a", "kept", "kept", "signaling", "n/a", "inf"},
      {QB_FAMILY_f32_f8e4m3_cvt, "nearest", "even", "n/a", "kept", "n/a", "kept", "n/a", "nan", "nan"},
      {QB_FAMILY_f32_f8e4m3_cvtsat, "nearest", "even", "n/a", "kept", "n/a", "kept", "n/a", "saturate",
       "saturate"},
      {QB_FAMILY_f8e4m3_f32_cvt, "exact", "n/a", "kept", "n/a", "n/a", "kept", "n/a", "n/a", "n/a"},
      {QB_FAMILY_f32_f8e5m2_cvt, "nearest", "even", "n/a", "kept", "canonical", "kept", "quieted", "inf",
       "inf"},
      {QB_FAMILY_f8e5m2_f32_cvt, "exact", "n/a", "kept", "n/a", "kept", "kept", "quieted", "n/a", "inf"},
      /* The low-bit casts (kernels/lowbit/README.md), packed FP6/FP4 read as packed: no
       * inf or NaN, so NaN becomes a (signed) zero and overflow saturates; e8m0 rounds to
       * the nearest power of two with ties up (for a format without sign: away). */
      {QB_FAMILY_f32_f6e2m3_cvt, "nearest", "even", "n/a", "kept", "lost", "n/a", "lost", "saturate",
       "saturate"},
      {QB_FAMILY_f32_f6e3m2_cvt, "nearest", "even", "n/a", "kept", "lost", "n/a", "lost", "saturate",
       "saturate"},
      {QB_FAMILY_f32_f4e2m1_cvt, "nearest", "even", "n/a", "kept", "lost", "n/a", "lost", "saturate",
       "saturate"},
      {QB_FAMILY_f6e2m3_f32_cvt, "exact", "n/a", "kept", "n/a", "n/a", "n/a", "n/a", "n/a", "n/a"},
      {QB_FAMILY_f6e3m2_f32_cvt, "exact", "n/a", "kept", "n/a", "n/a", "n/a", "n/a", "n/a", "n/a"},
      {QB_FAMILY_f4e2m1_f32_cvt, "exact", "n/a", "kept", "n/a", "n/a", "n/a", "n/a", "n/a", "n/a"},
      {QB_FAMILY_f32_e8m0_cvt, "nearest", "away", "kept", "n/a", "n/a", "n/a", "n/a", "nan", "nan"},
      {QB_FAMILY_e8m0_f32_cvt, "exact", "n/a", "n/a", "n/a", "n/a", "n/a", "n/a", "n/a", "n/a"},
  };
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    const qb_kernel_info* k = qb_kernel_reference(want[i].family);
    assert_non_null(k);
    const qb_sem_observed o = probe(want[i].family, run_kernel, (void*) k);
    expect_field(k->name, "rounding", o.rounding, want[i].rounding, false, NULL);
    expect_field(k->name, "ties", o.ties, want[i].ties, false, NULL);
    expect_field(k->name, "subnormal_in", o.subnormal_in, want[i].sub_in, false, NULL);
    expect_field(k->name, "subnormal_out", o.subnormal_out, want[i].sub_out, false, NULL);
    expect_field(k->name, "nan_payload", o.nan_payload, want[i].payload, false, NULL);
    expect_field(k->name, "nan_sign", o.nan_sign, want[i].sign, false, NULL);
    expect_field(k->name, "snan", o.snan, want[i].snan, false, NULL);
    expect_field(k->name, "overflow", o.overflow, want[i].overflow, false, NULL);
    expect_field(k->name, "inf", o.inf, want[i].inf, false, NULL);
  }
  /* The block quantizers: the scale rule, element ties, clipping and edge blocks. */
  static const struct {
    qb_family family;
    const char *scale, *ties, *overflow;
  } blocks[] = {
      {QB_FAMILY_f32_mxf8e4m3_quant, "floor", "even", "saturate"},
      {QB_FAMILY_f32_mxf8e4m3_quantrceil, "rceil", "even", "n/a"},
      {QB_FAMILY_f32_mxf8e4m3_quantaway, "floor", "away", "saturate"},
      {QB_FAMILY_f32_mxf8e5m2_quant, "floor", "even", "saturate"},
      {QB_FAMILY_f32_mxf6e2m3_quantrceil, "rceil", "even", "n/a"},
      {QB_FAMILY_f32_mxf6e3m2_quantaway, "floor", "away", "saturate"},
      {QB_FAMILY_f32_mxf4_quant, "floor", "even", "saturate"},
      {QB_FAMILY_f32_mxf4_quantrceil, "rceil", "even", "n/a"},
      {QB_FAMILY_f32_mxf4_quantaway, "floor", "away", "saturate"},
      {QB_FAMILY_f32_mxi8_quant, "floor", "even", "saturate"},
      {QB_FAMILY_f32_mxi8_quantrceil, "rceil", "even", "n/a"},
      {QB_FAMILY_f32_nvf4_quant, "amax/max", "even", "n/a"},
      {QB_FAMILY_f32_f8e4m3b128_quant, "amax/max", "even", "n/a"},
      /* The int8 blocks: the one difference of q8_0 (llama.cpp) and qb8 is in their ties. */
      {QB_FAMILY_f32_q8_0_quant, "amax/max", "away", "n/a"},
      {QB_FAMILY_f32_qb8_quant, "amax/max", "even", "n/a"},
  };
  for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++) {
    const qb_kernel_info* k = qb_kernel_reference(blocks[i].family);
    assert_non_null(k);
    assert_true(qb_semantics_family_ok(blocks[i].family));
    const qb_sem_observed o = probe(blocks[i].family, run_kernel, (void*) k);
    expect_field(k->name, "scale", o.scale, blocks[i].scale, false, NULL);
    expect_field(k->name, "rounding", o.rounding, "nearest", false, NULL);
    expect_field(k->name, "ties", o.ties, blocks[i].ties, false, NULL);
    expect_field(k->name, "overflow", o.overflow, blocks[i].overflow, false, NULL);
    expect_field(k->name, "zero_block", o.zero_block, "zeros", false, NULL);
    if (blocks[i].family != QB_FAMILY_f32_q8_0_quant && blocks[i].family != QB_FAMILY_f32_qb8_quant)
      expect_field(k->name, "nan_block", o.nan_block, "block", false, NULL);
    expect_field(k->name, "inf", o.inf, "nan", false, NULL);
  }
  qb_sem_observed o;
  qb_error err = {0};
  assert_int_equal(qb_semantics_probe(QB_FAMILY_f32_dot, "x", run_kernel, NULL, &o, &err), QB_BAD_INPUT);
  assert_false(qb_semantics_family_ok(QB_FAMILY_f32_qs8_fakequant));
}

/* ---- Every usable variant against its reference, the declared differences allowed. */

static void test_variants_match_reference(void** state) {
  (void) state;
  qb_cpu cpu;
  qb_error err = {0};
  qb_cpu_detect(&cpu);
  assert_int_equal(qb_cpu_cap_from_env(&cpu, &err), QB_OK);
  for (size_t i = 0; i < qb_kernel_count(); i++) {
    const qb_kernel_info* k = qb_kernel_at(i);
    char buf[160];
    if (!qb_semantics_family_ok(k->family) || !qb_kernel_usable(k, &cpu, NULL, buf, sizeof buf)) continue;
    const qb_sem_observed ref = probe(k->family, run_kernel, (void*) qb_kernel_reference(k->family));
    const qb_sem_observed o = probe(k->family, run_kernel, (void*) k);
    const unsigned s = k->sem;
    expect_field(k->name, "rounding", o.rounding, ref.rounding, false, NULL);
    expect_field(k->name, "ties", o.ties, ref.ties, false, NULL);
    expect_field(k->name, "subnormal_in", o.subnormal_in, ref.subnormal_in, s & QB_SEM_FTZ_IN, "flushed");
    expect_field(k->name, "subnormal_out", o.subnormal_out, ref.subnormal_out, s & QB_SEM_FTZ_OUT, "flushed");
    expect_field(k->name, "nan_payload", o.nan_payload, ref.nan_payload, s & QB_SEM_NAN_CANON, "canonical");
    expect_field(k->name, "nan_sign", o.nan_sign, ref.nan_sign, s & QB_SEM_NAN_CANON, NULL);
    expect_field(k->name, "snan", o.snan, ref.snan, s & QB_SEM_NAN_CANON, NULL);
    expect_field(k->name, "overflow", o.overflow, ref.overflow, false, NULL);
    expect_field(k->name, "inf", o.inf, ref.inf, false, NULL);
    expect_field(k->name, "scale", o.scale, ref.scale, false, NULL);
    expect_field(k->name, "zero_block", o.zero_block, ref.zero_block, false, NULL);
    expect_field(k->name, "nan_block", o.nan_block, ref.nan_block, false, NULL);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_synthetic_paths),
      cmocka_unit_test(test_references),
      cmocka_unit_test(test_variants_match_reference),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
