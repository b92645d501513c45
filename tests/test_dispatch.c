/*
 * The registry and dispatch, run once per ISA level this CPU supports (QBENCH_MAX_ISA
 * set by tests/isa_levels.cmake): the registry is consistent, dispatch picks the best
 * variant at or under the cap, and what it picks agrees with the scalar reference.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/stream.h"
#include "numerics/calib.h"
#include "platform/registry.h"
#include "test_util.h"

static qb_cpu g_cpu;

/* Whether `variant` (a stable name's part after "__") is NAMING.md's <isa>_u<N> or
 * <isa>_<algo>_u<N> for this ISA and tile: <algo> one token [a-z][a-z0-9]* that is neither
 * an ISA token nor reads as a tile (u<digits>). */
static bool variant_name_ok(const char* variant, qb_isa isa, unsigned tile) {
  const char* in = qb_isa_name(isa);
  const size_t n = strlen(in);
  if (strncmp(variant, in, n) != 0 || variant[n] != '_') return false;
  const char* rest = variant + n + 1;
  char utile[16];
  snprintf(utile, sizeof utile, "u%u", tile);
  if (strcmp(rest, utile) == 0) return true;
  const char* sep = strchr(rest, '_');
  if (sep == NULL || strcmp(sep + 1, utile) != 0) return false;
  char algo[32];
  const size_t len = (size_t) (sep - rest);
  if (len == 0 || len >= sizeof algo || rest[0] < 'a' || rest[0] > 'z') return false;
  memcpy(algo, rest, len);
  algo[len] = '\0';
  for (size_t i = 0; i < len; i++) {
    if (!((algo[i] >= 'a' && algo[i] <= 'z') || (algo[i] >= '0' && algo[i] <= '9'))) return false;
  }
  if (qb_isa_find(algo) != QB_ISA_COUNT) return false;
  return !(algo[0] == 'u' && strspn(algo + 1, "0123456789") == len - 1 && len > 1);
}

/* The names NAMING.md allows and a few it does not, algorithm tokens included; then every
 * registry entry's stable name splits at "__" into its family and a variant of its own
 * ISA and tile, and qb_kernel_find finds it by that name. */
static void test_variant_names(void** state) {
  (void) state;
  static const struct {
    const char* variant;
    qb_isa isa;
    unsigned tile;
    bool ok;
  } cases[] = {
      {"avx512vbmi_u256", QB_ISA_avx512vbmi, 256, true},
      {"avx512vbmi_rcp_u256", QB_ISA_avx512vbmi, 256, true},
      {"avx512bf16vbmi_u128", QB_ISA_avx512bf16vbmi, 128, true},
      {"avx2_rr2lut64_u32", QB_ISA_avx2, 32, true},
      {"scalar_u1", QB_ISA_scalar, 1, true},
      {"avx512vbmi_rcp_u128", QB_ISA_avx512vbmi, 256, false},
      {"avx2_rcp_u256", QB_ISA_avx512vbmi, 256, false},
      {"avx512vbmi_avx2_u256", QB_ISA_avx512vbmi, 256, false},
      {"avx512vbmi_Rcp_u256", QB_ISA_avx512vbmi, 256, false},
      {"avx512vbmi_9x_u256", QB_ISA_avx512vbmi, 256, false},
      {"avx512vbmi_rcp_x_u256", QB_ISA_avx512vbmi, 256, false},
      {"avx512vbmi__u256", QB_ISA_avx512vbmi, 256, false},
      {"avx512vbmi_u8_u256", QB_ISA_avx512vbmi, 256, false},
      {"avx512vbmi_u256_rcp", QB_ISA_avx512vbmi, 256, false},
      {"avx512vbmirc_u256", QB_ISA_avx512vbmi, 256, false},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    if (variant_name_ok(cases[i].variant, cases[i].isa, cases[i].tile) != cases[i].ok) {
      fail_msg("variant name %s (ISA %s, tile %u): expected %s", cases[i].variant, qb_isa_name(cases[i].isa),
               cases[i].tile, cases[i].ok ? "accepted" : "rejected");
    }
  }
  for (size_t i = 0; i < qb_kernel_count(); i++) {
    const qb_kernel_info* k = qb_kernel_at(i);
    const char* fam = qb_family_get(k->family)->name;
    const char* sep = strstr(k->name, "__");
    char fn[160];
    snprintf(fn, sizeof fn, "qb_%s_ukernel__%s", fam, k->variant);
    if (sep == NULL || (size_t) (sep - k->name) != strlen(fam) || strncmp(k->name, fam, strlen(fam)) != 0 ||
        k->variant != sep + 2 || qb_family_find(fam) != k->family || strcmp(fn, k->fn_name) != 0 ||
        !variant_name_ok(k->variant, k->isa, k->tile) || qb_kernel_find(k->name) != k) {
      fail_msg(
          "registry entry %s (stable name %s): not <family>__<isa>[_<algo>]_u<N> of its own family, "
          "ISA %s and tile %u (NAMING.md)",
          k->fn_name, k->name, qb_isa_name(k->isa), k->tile);
    }
  }
}

/* Every family has exactly one scalar reference, built, and last in its list; every
 * entry's name follows NAMING.md; every entry of a built ISA has its function. */
static void test_registry_consistent(void** state) {
  (void) state;
  for (int f = 0; f < QB_FAMILY_COUNT; f++) {
    int scalars = 0;
    const qb_kernel_info* last = NULL;
    for (size_t i = 0; i < qb_kernel_count(); i++) {
      const qb_kernel_info* k = qb_kernel_at(i);
      if (k->family != (qb_family) f) continue;
      last = k;
      if (k->isa == QB_ISA_scalar) scalars++;
    }
    if (last == NULL || scalars != 1 || last->isa != QB_ISA_scalar || last->fn == NULL) {
      fail_msg("family %s: needs exactly one built scalar reference, listed last", qb_family_get(f)->name);
    }
  }
  for (size_t i = 0; i < qb_kernel_count(); i++) {
    const qb_kernel_info* k = qb_kernel_at(i);
    if (!variant_name_ok(k->variant, k->isa, k->tile)) {
      fail_msg(
          "registry entry %s: expected the variant %s_u%u or %s_<algo>_u%u (family, ISA and tile must "
          "agree; NAMING.md)",
          k->fn_name, qb_isa_name(k->isa), k->tile, qb_isa_name(k->isa), k->tile);
    }
    if (qb_isa_native(k->isa) && qb_isa_built(k->isa) && k->fn == NULL) {
      fail_msg("%s: its ISA was built but the function is missing (kernel file absent?)", k->fn_name);
    }
  }
}

/* The first usable variant in the family's registry order; NULL when none. */
static const qb_kernel_info* first_usable(qb_family f, const qb_cpu* cpu) {
  char buf[160];
  for (size_t i = 0; i < qb_kernel_count(); i++) {
    const qb_kernel_info* k = qb_kernel_at(i);
    if (k->family == f && qb_kernel_usable(k, cpu, NULL, buf, sizeof buf)) return k;
  }
  return NULL;
}

/* The first usable variant that kernels/prefer.inc prefers for f on cpu's class. */
static const qb_kernel_info* first_preferred(qb_family f, const qb_cpu* cpu) {
  char buf[160];
  for (size_t i = 0; i < qb_preference_count(); i++) {
    const qb_preference* p = qb_preference_at(i);
    const qb_kernel_info* k = qb_preference_kernel(p);
    if (p->family == f && p->cls == cpu->cls && k != NULL &&
        qb_kernel_usable(k, cpu, NULL, buf, sizeof buf)) {
      return k;
    }
  }
  return NULL;
}

/* Dispatch picks the class's first usable preference, else the first usable variant in
 * the registry order; never one above the cap. */
static void test_pick_respects_cap(void** state) {
  (void) state;
  for (int f = 0; f < QB_FAMILY_COUNT; f++) {
    const qb_kernel_info* p = qb_kernel_pick((qb_family) f, &g_cpu);
    assert_non_null(p);
    assert_true(qb_isa_level(p->isa) <= g_cpu.cap_level);
    const qb_kernel_info* want = first_preferred((qb_family) f, &g_cpu);
    assert_ptr_equal(p, want != NULL ? want : first_usable((qb_family) f, &g_cpu));
  }
}

/* Every row of kernels/prefer.inc names a registry entry of its family (a typo in a
 * variant fails here as well as in the build), a class, and a variant other than the
 * scalar reference; no row repeats another. */
static void test_preferences_name_kernels(void** state) {
  (void) state;
  for (size_t i = 0; i < qb_preference_count(); i++) {
    const qb_preference* p = qb_preference_at(i);
    const qb_family_info* fi = qb_family_get(p->family);
    assert_non_null(fi);
    const qb_kernel_info* k = qb_preference_kernel(p);
    if (k == NULL || k->family != p->family) {
      fail_msg("kernels/prefer.inc row %zu: %s has no variant %s", i, fi->name, p->variant);
    }
    if ((unsigned) p->cls >= QB_CPU_CLASS_COUNT) fail_msg("kernels/prefer.inc row %zu: no such class", i);
    if (k->isa == QB_ISA_scalar) fail_msg("kernels/prefer.inc row %zu: prefers the scalar reference", i);
    for (size_t j = 0; j < i; j++) {
      const qb_preference* q = qb_preference_at(j);
      if (q->family == p->family && q->cls == p->cls && strcmp(q->variant, p->variant) == 0) {
        fail_msg("kernels/prefer.inc rows %zu and %zu: the same row", j, i);
      }
    }
  }
  assert_null(qb_preference_at(qb_preference_count()));
}

/*
 * A CPU that has every feature and no cap (dispatch is only data here: nothing runs),
 * of class `cls`: every built native ISA is usable on it.
 */
static qb_cpu cpu_of_class(qb_cpu_class cls) {
  qb_cpu cpu = g_cpu;
  cpu.features = ~0ull;
  cpu.cap_level = INT_MAX;
  cpu.cap_name[0] = '\0';
  cpu.cls = cls;
  return cpu;
}

/* A row is honoured on a CPU of its class (when its variant is usable) and not on a CPU
 * of any class with no row for the family, which gets the registry order. */
static void test_preference_follows_class(void** state) {
  (void) state;
  int checked = 0;
  for (size_t i = 0; i < qb_preference_count(); i++) {
    const qb_preference* p = qb_preference_at(i);
    const qb_kernel_info* k = qb_preference_kernel(p);
    assert_non_null(k);
    if (!qb_isa_native(k->isa) || !qb_isa_built(k->isa)) continue; /* another arch's row */
    qb_cpu cpu = cpu_of_class(p->cls);
    const qb_kernel_info* want = first_preferred(p->family, &cpu);
    assert_non_null(want);
    assert_ptr_equal(qb_kernel_pick(p->family, &cpu), want);
    if (want == k && k != first_usable(p->family, &cpu)) checked++;
    for (int c = 0; c < QB_CPU_CLASS_COUNT; c++) {
      qb_cpu other = cpu_of_class((qb_cpu_class) c);
      if (first_preferred(p->family, &other) != NULL) continue; /* a row of its own */
      assert_ptr_equal(qb_kernel_pick(p->family, &other), first_usable(p->family, &other));
      assert_ptr_not_equal(qb_kernel_pick(p->family, &other), k);
    }
  }
  printf("%d preference(s) checked against the registry order\n", checked);
}

/* A preferred variant that is not usable (here: its ISA above the cap) falls back to the
 * registry order under that cap, not to another variant of the row's ISA. */
static void test_preference_falls_back(void** state) {
  (void) state;
  for (size_t i = 0; i < qb_preference_count(); i++) {
    const qb_preference* p = qb_preference_at(i);
    const qb_kernel_info* k = qb_preference_kernel(p);
    assert_non_null(k);
    if (!qb_isa_native(k->isa) || !qb_isa_built(k->isa)) continue;
    qb_cpu cpu = cpu_of_class(p->cls);
    /* 1. Cap just below the row's ISA: the row is not usable. */
    cpu.cap_level = qb_isa_level(k->isa) - 1;
    snprintf(cpu.cap_name, sizeof cpu.cap_name, "below %s", qb_isa_name(k->isa));
    const qb_kernel_info* got = qb_kernel_pick(p->family, &cpu);
    assert_non_null(got);
    assert_ptr_not_equal(got, k);
    const qb_kernel_info* want = first_preferred(p->family, &cpu);
    assert_ptr_equal(got, want != NULL ? want : first_usable(p->family, &cpu));
    /* 2. No features at all: only the scalar reference runs. */
    cpu = cpu_of_class(p->cls);
    cpu.features = 0;
    assert_ptr_equal(qb_kernel_pick(p->family, &cpu), qb_kernel_reference(p->family));
  }
}

/* The class names round-trip, and this CPU's class is one of them. */
static void test_cpu_class_names(void** state) {
  (void) state;
  for (int c = 0; c < QB_CPU_CLASS_COUNT; c++) {
    assert_int_equal(qb_cpu_class_find(qb_cpu_class_name((qb_cpu_class) c)), c);
  }
  assert_int_equal(qb_cpu_class_find("no-such-class"), QB_CPU_CLASS_COUNT);
  assert_true((unsigned) g_cpu.cls < QB_CPU_CLASS_COUNT);
  printf("this CPU: class %s (%s)\n", qb_cpu_class_name(g_cpu.cls), g_cpu.class_why);
}

/* Inputs that any family of this dtype accepts (finite where that matters). */
static void fill_input(qb_dtype t, void* buf, size_t n, uint64_t* seed) {
  switch (t) {
    case QB_DTYPE_f32:
      for (size_t i = 0; i < n; i++)
        ((float*) buf)[i] = (float) ((int64_t) (qb_test_rand(seed) % 20001) - 10000) / 64.0f;
      break;
    case QB_DTYPE_f64:
      for (size_t i = 0; i < n; i++)
        ((double*) buf)[i] = (double) ((int64_t) (qb_test_rand(seed) % 2000001) - 1000000) / 3.0;
      break;
    case QB_DTYPE_qb8:
      for (size_t b = 0; b < n / QB_BLOCK_LEN; b++) {
        qb_block_q8* blk = (qb_block_q8*) buf + b;
        blk->d = (float) (qb_test_rand(seed) % 1000) / 4096.0f;
        for (int j = 0; j < QB_BLOCK_LEN; j++) blk->qs[j] = (int8_t) ((int) (qb_test_rand(seed) % 255) - 127);
      }
      break;
    default: /* integers and small floats: any bit pattern */
      for (size_t i = 0; i < qb_dtype_buffer_bytes(t, n); i++)
        ((uint8_t*) buf)[i] = (uint8_t) qb_test_rand(seed);
      break;
  }
}

static void test_picked_matches_reference(void** state) {
  (void) state;
  enum { N = 4096 + 37 * 32 };
  uint64_t seed = 7;
  float scales[N / 256 + 1];
  float inv_scales[N / 256 + 1];
  int32_t zps[N / 256 + 1];
  for (int f = 0; f < QB_FAMILY_COUNT; f++) {
    const qb_family_info* fi = qb_family_get((qb_family) f);
    const qb_kernel_info* p = qb_kernel_pick((qb_family) f, &g_cpu);
    const qb_kernel_info* ref = qb_kernel_reference((qb_family) f);
    if (p == ref || p->sem != QB_SEM_EXACT) continue; /* non-exact variants: their own tests */
    size_t n = N - N % fi->n_multiple;
    if (n > fi->max_n) n = fi->max_n - fi->max_n % fi->n_multiple;
    void* x = calloc(1, qb_dtype_buffer_bytes(fi->in, n) + 64);
    void* x2 = calloc(1, qb_dtype_buffer_bytes(fi->in2 ? fi->in2 : QB_DTYPE_u8, n) + 64);
    size_t ybytes = fi->kind == QB_KIND_dot ? 8 : qb_dtype_buffer_bytes(fi->out, n);
    void* y = calloc(1, ybytes + 64);
    void* yr = calloc(1, ybytes + 64);
    fill_input(fi->in, x, n, &seed);
    if (fi->kind == QB_KIND_dot) {
      fill_input(fi->in2, x2, n, &seed);
      if (fi->op == QB_OP_peak) {
        /* A peak kernel multiplies a[0] by b[0] n times; its operands must keep the sums
         * exact (qb_s8_peak_operands_ok: vpmaddubsw saturates a pair above 32767), which
         * random bytes need not. */
        ((uint8_t*) x)[0] = 3;
        ((uint8_t*) x2)[0] = 5;
      }
      qb_kernel_dot(p)(n, x, x2, y);
      qb_kernel_dot(ref)(n, x, x2, yr);
    } else {
      qb_quant_params qp;
      const bool u8 = fi->in == QB_DTYPE_u8 || fi->out == QB_DTYPE_u8;
      qb_quant_params_init(&qp, 0.37f, u8 ? 131 : -5, u8 ? 0 : -128, u8 ? 255 : 127, QB_ROUND_TFLITE);
      for (size_t c = 0; c < n / 256 + 1; c++) {
        scales[c] = 0.01f + 0.03f * (float) c;
        inv_scales[c] = 1.0f / scales[c];
        zps[c] = u8 ? (int32_t) (100 + c) : (int32_t) c - 3;
      }
      qp.channel_len = 256;
      qp.scales = scales;
      qp.inv_scales = inv_scales;
      qp.zero_points = zps;
      size_t nn = qb_family_op(fi)->params == QB_PARAMS_channel ? n - n % 256 : n;
      qb_kernel_unary(p)(nn, x, y, &qp);
      qb_kernel_unary(ref)(nn, x, yr, &qp);
    }
    /* A dot's NaN is any NaN (random bytes give NaN and inf scales; which NaN payload a
     * product of two NaNs keeps depends on the operand order), as in test_qblock. */
    const bool both_nan = fi->kind == QB_KIND_dot && isnan(*(float*) y) && isnan(*(float*) yr);
    if (memcmp(y, yr, ybytes) != 0 && !both_nan) {
      fail_msg("%s (picked under cap '%s') differs from %s", p->name, g_cpu.cap_name, ref->name);
    }
    free(x);
    free(x2);
    free(y);
    free(yr);
  }
}

/* The store threshold counts the bytes a call moves, read and written
 * (kernels/common/stream.h): a narrowing kernel whose output alone is under it still
 * streams once its input and output reach it; a call that writes nothing never does. */
static void test_stream_wanted_counts_bytes_moved(void** state) {
  (void) state;
  const size_t saved = qb_kernels_stream_min_bytes();
  qb_kernels_set_stream_min_bytes(100);
  assert_true(qb_stream_wanted(80, 20));
  assert_true(qb_stream_wanted(20, 80));
  assert_false(qb_stream_wanted(80, 19));
  assert_false(qb_stream_wanted(100, 0));
  qb_kernels_set_stream_min_bytes(0);
  assert_true(qb_stream_wanted(0, 1));
  assert_false(qb_stream_wanted(1, 0));
  qb_kernels_set_stream_min_bytes(QB_STREAM_NEVER);
  assert_false(qb_stream_wanted(SIZE_MAX / 2, SIZE_MAX / 2));
  qb_kernels_set_stream_min_bytes(saved);
}

int main(void) {
  qb_error err;
  qb_cpu_detect(&g_cpu);
  const char* cap = getenv("QBENCH_MAX_ISA");
  if (cap != NULL && cap[0] != '\0') {
    const qb_isa isa = qb_isa_find(cap);
    char buf[160];
    const char* why;
    qb_cpu probe = g_cpu; /* uncapped: can this CPU run the level at all? */
    if (isa == QB_ISA_COUNT || !qb_isa_usable(&probe, isa, &why, buf, sizeof buf)) {
      printf("skipped: ISA level %s cannot run here (%s)\n", cap, isa == QB_ISA_COUNT ? "unknown" : why);
      return QB_TEST_SKIP;
    }
    if (qb_cpu_cap_from_env(&g_cpu, &err) != QB_OK) {
      printf("%s\n", err.msg);
      return 1;
    }
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_variant_names),
      cmocka_unit_test(test_registry_consistent),
      cmocka_unit_test(test_pick_respects_cap),
      cmocka_unit_test(test_preferences_name_kernels),
      cmocka_unit_test(test_preference_follows_class),
      cmocka_unit_test(test_preference_falls_back),
      cmocka_unit_test(test_cpu_class_names),
      cmocka_unit_test(test_picked_matches_reference),
      cmocka_unit_test(test_stream_wanted_counts_bytes_moved),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
