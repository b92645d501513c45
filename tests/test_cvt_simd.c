/*
 * Every non-scalar cast variant in the registry against its family's scalar reference,
 * exactly, after applying the semantics the variant declares: the verification oracle
 * of host/numerics/verify.h judges every output. One case per kernel
 * (tests/common/test_kernels.h); a variant this CPU cannot run (or that QBENCH_MAX_ISA
 * caps away) is a skipped case.
 *
 *   test_cvt_simd                          sizes around each tile, unaligned pointers,
 *                                          guards past the end, thinned sweeps
 *   test_cvt_simd --sweep FAMILY [C/N]     every usable variant of FAMILY over chunk C of
 *                                          N of the whole input space
 *
 * Exits 77 (skipped) when no variant it would test can run here.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numerics/element.h"
#include "numerics/verify.h"
#include "test_cvt.h"
#include "test_kernels.h"
#include "test_util.h"

static qb_cpu g_cpu;
static qb_cvt_sweep g_sweep;

/* ---- A family's reference and formats (a variant's output is judged by test_cvt.h's
 * qb_cvt_expect: the verification oracle of host/numerics/verify.h). */

typedef struct family_ctx {
  const qb_family_info* f;
  const qb_kernel_info* ref;
  const qb_dtype_info *di, *dout;
} family_ctx;

static family_ctx family_ctx_of(qb_family family) {
  family_ctx c;
  c.f = qb_family_get(family);
  c.ref = qb_kernel_reference(family);
  c.di = qb_dtype_get(c.f->in);
  c.dout = qb_dtype_get(c.f->out);
  assert_non_null(c.ref);
  assert_non_null(c.ref->fn);
  return c;
}

/* ---- Inputs for the size tests: random bit patterns, values near the output format's
 * range (ties and subnormals included), and the special values. */

static uint64_t special_input(const family_ctx* c, uint64_t r) {
  const qb_dtype_info* f = c->di;
  const unsigned mbits = (unsigned) f->man_bits;
  const uint64_t sign = (r & 1) << (f->bits - 1);
  const uint64_t emax = (1ull << f->exp_bits) - 1, mmask = (1ull << mbits) - 1;
  r >>= 1;
  switch (r % 8) {
    case 0:
      return sign; /* zero */
    case 1:
      return sign | (emax << mbits); /* inf (NaN in e4m3fn) */
    case 2:
      return sign | (emax << mbits) | ((r >> 3) & mmask) | 1; /* NaN, any payload */
    case 3:
      return sign | ((r >> 3) & mmask); /* subnormal */
    case 4:
      return sign | (((emax - 1) << mbits) | mmask); /* the largest finite */
    default:
      break;
  }
  /* A value near the output's range: the output's exponent range, plus a few binades either
   * side, with a mantissa whose dropped bits are often exactly half (a tie). */
  const int bias_in = f->bias, bias_out = c->dout->bias;
  const int span = (1 << c->dout->exp_bits) + 8;
  const int e_out = (int) ((r >> 3) % (uint64_t) span) - 4 - bias_out; /* unbiased */
  int64_t e = e_out + bias_in;
  if (e < 0) e = 0;
  if (e > (int64_t) emax - 1) e = (int64_t) emax - 1;
  uint64_t m = (r >> 12) & mmask;
  if (mbits > (unsigned) c->dout->man_bits && (r & 0x40000000)) {
    const unsigned drop = mbits - (unsigned) c->dout->man_bits;
    m = (m & ~((1ull << drop) - 1)) | (1ull << (drop - 1)); /* exactly half an output ulp */
  }
  return sign | ((uint64_t) e << mbits) | m;
}

static void fill_inputs(const family_ctx* c, void* in, size_t n, uint64_t* seed) {
  for (size_t i = 0; i < n; i++) {
    const uint64_t r = qb_test_rand(seed);
    uint64_t v = (r & 3) == 0 ? qb_test_rand(seed) : special_input(c, qb_test_rand(seed));
    if (c->di->bits < 64) v &= (1ull << c->di->bits) - 1;
    qb_dtype_store_bits(c->f->in, in, i, v);
  }
}

#define GUARD 64

/* Sizes around the kernel's tile, aligned and one element off, against the reference. */
static void check_sizes_and_alignment(const qb_kernel_info* k) {
  uint64_t seed = 0xC0FFEEull ^ (uint64_t) k->family;
  const family_ctx c = family_ctx_of(k->family);
  const size_t eb_in = c.di->bits / 8, eb_out = c.dout->bits / 8;
  size_t sizes[17];
  size_t ns = qb_test_sizes(k->tile, sizes, 16);
  /* Two 4 KiB tiles of output and more, so that a streamed call (kernels/common/
   * stream-x86.h; test_kernels.c runs every check with the threshold at 0 too) goes
   * through its head, its tiles and its plain rest, aligned and not. */
#if defined(__x86_64__) || defined(__i386__) /* only x86 kernels stream */
  sizes[ns++] = 8192 + 3 * (size_t) k->tile + 1;
#endif
  for (size_t s = 0; s < ns; s++) {
    for (size_t off = 0; off <= 1; off++) {
      const size_t n = sizes[s];
      char where[64];
      snprintf(where, sizeof where, "n = %zu, offset %zu", n, off);
      /* The input ends exactly at its last element, so a sanitizer build catches any read
       * past it; the output has guard elements after it that must stay untouched. */
      const size_t in_bytes = (off + n) * eb_in;
      uint8_t* in = malloc(in_bytes != 0 ? in_bytes : 1);
      uint8_t* out = malloc((off + n + GUARD) * eb_out);
      assert_non_null(in);
      assert_non_null(out);
      fill_inputs(&c, in + off * eb_in, n, &seed);
      memset(out, 0xA5, (off + n + GUARD) * eb_out);
      qb_kernel_unary(k)(n, n ? in + off * eb_in : NULL, n ? out + off * eb_out : NULL, NULL);
      qb_cvt_expect(k, in + off * eb_in, NULL, out + off * eb_out, n, where);
      for (size_t g = 0; g < off * eb_out; g++) {
        if (out[g] != 0xA5) fail_msg("%s (%s): wrote before the output", k->name, where);
      }
      for (size_t g = (off + n) * eb_out; g < (off + n + GUARD) * eb_out; g++) {
        if (out[g] != 0xA5) fail_msg("%s (%s): wrote past the end of the output", k->name, where);
      }
      free(in);
      free(out);
    }
  }
}

/* A narrowing cast run over its own input (y == x): the output must be the reference's
 * on the input as it was (every block reads its inputs before writing over them; a
 * kernel that rereads an input after its stores, e.g. to redo a NaN block, must not read
 * it from where the output went). */
static void check_in_place(const qb_kernel_info* k) {
  const family_ctx c = family_ctx_of(k->family);
  const size_t eb_in = c.di->bits / 8, eb_out = c.dout->bits / 8;
  if (eb_out >= eb_in) return;
  uint64_t seed = 0x1A91ACEull ^ (uint64_t) k->family;
  const size_t sizes[] = {(size_t) k->tile, 3 * (size_t) k->tile + 5, 8192 + 3 * (size_t) k->tile + 1};
  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
    const size_t n = sizes[s];
    uint8_t* buf = malloc(n * eb_in);
    uint8_t* in = malloc(n * eb_in);
    assert_non_null(buf);
    assert_non_null(in);
    fill_inputs(&c, in, n, &seed);
    memcpy(buf, in, n * eb_in);
    qb_kernel_unary(k)(n, buf, buf, NULL);
    char where[64];
    snprintf(where, sizeof where, "in place, n = %zu", n);
    qb_cvt_expect(k, in, NULL, buf, n, where);
    free(buf);
    free(in);
  }
}

/* ---- Sweeps: every usable variant of one family over a range of input patterns. */

#define BLOCK 8192

/* Variants ks[0..nk) of one family over [first, hi) in steps of stride. */
static void sweep_variants(qb_family family, const qb_kernel_info* const* ks, size_t nk, uint64_t first,
                           uint64_t hi, uint64_t stride, bool verbose) {
  static uint64_t in[BLOCK], want[BLOCK], got[BLOCK];
  if (nk == 0) return;
  const family_ctx c = family_ctx_of(family);
  const qb_cvt_fmt fi = qb_cvt_fmt_of(c.f->in); /* the inline store: this loop writes 2^32 inputs */
  const double t0 = qb_cvt_now(), c0 = qb_cvt_cpu_now();
  uint64_t visited = 0;
  uint64_t p = first;
  while (p < hi) {
    size_t n = 0;
    for (; n < BLOCK && p < hi; n++, p += stride) qb_cvt_set(fi, in, n, p);
    visited += n;
    qb_kernel_unary(c.ref)(n, in, want, NULL);
    for (size_t j = 0; j < nk; j++) {
      qb_kernel_unary(ks[j])(n, in, got, NULL);
      qb_cvt_expect(ks[j], in, want, got, n, "sweep");
    }
  }
  if (verbose) {
    const double dt = qb_cvt_now() - t0, dc = qb_cvt_cpu_now() - c0;
    printf("%s: %zu variant(s), chunk %u/%u [0x%09" PRIx64 ", 0x%09" PRIx64 ") stride %" PRIu64 ": %" PRIu64
           " inputs, %.2f s wall, %.2f s CPU (%.1f ns CPU per input: the reference and every variant)\n",
           c.f->name, nk, g_sweep.chunk, g_sweep.nchunks, g_sweep.lo, g_sweep.hi, stride, visited, dt, dc,
           visited ? 1e9 * dc / (double) visited : 0.0);
    for (size_t j = 0; j < nk; j++) printf("  checked %s\n", ks[j]->name);
  }
}

static void test_sweep(void** state) {
  (void) state;
  const qb_kernel_info* ks[32];
  const size_t nk = qb_cvt_usable_variants(g_sweep.family, &g_cpu, ks, 32, false);
  sweep_variants(g_sweep.family, ks, nk, qb_cvt_sweep_first(&g_sweep), g_sweep.hi, g_sweep.stride, true);
}

/* A thinned sample of the kernel's input space (all of it for 8- and 16-bit inputs). */
static void check_thinned_sweep(const qb_kernel_info* k) {
  const unsigned bits = qb_dtype_get(qb_family_get(k->family)->in)->bits;
  if (bits > 32) return; /* f64 inputs: the size tests' random and special values */
  sweep_variants(k->family, &k, 1, 0, 1ull << bits, bits >= 32 ? 65521 : 1, false);
}

/* The cases of one kernel (tests/kernels.cmake: `ctest -R <kernel>`). */
static bool checks(const qb_kernel_info* k) {
  const qb_family_info* f = qb_family_get(k->family);
  /* Whole-byte formats only: the packed FP6/FP4 casts are test_lowbit's. */
  const bool bytes = qb_dtype_get(f->in)->bits % 8 == 0 && qb_dtype_get(f->out)->bits % 8 == 0;
  return qb_cvt_is_cast_family(k->family) && bytes && k->isa != QB_ISA_scalar;
}

static void check(const qb_kernel_info* k) {
  check_sizes_and_alignment(k);
  check_in_place(k);
  check_thinned_sweep(k);
}

int main(int argc, char** argv) {
  if (argc >= 2 && strcmp(argv[1], "--sweep") == 0 && qb_cvt_parse_sweep(argc, argv, &g_sweep)) {
    qb_error err = {0};
    const qb_kernel_info* ks[256];
    qb_cpu_detect(&g_cpu);
    if (qb_cpu_cap_from_env(&g_cpu, &err) != QB_OK) {
      qb_error_print(&err);
      return 2;
    }
    const qb_family_info* f = qb_family_get(g_sweep.family);
    if (!qb_cvt_is_cast_family(g_sweep.family)) {
      fprintf(stderr, "%s: '%s' is not a cast family\n", argv[0], f->name);
      return 2;
    }
    if (qb_cvt_usable_variants(g_sweep.family, &g_cpu, ks, 256, true) == 0) {
      printf("no usable non-scalar variant of %s here: skipped\n", f->name);
      return QB_TEST_SKIP;
    }
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_sweep)};
    return cmocka_run_group_tests_name(f->name, tests, NULL, NULL);
  }
  const qb_test_kernels t = {checks, check, NULL, 0};
  return qb_test_kernels_main(argc, argv, &t);
}
