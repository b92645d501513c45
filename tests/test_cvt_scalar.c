/*
 * The scalar cast references (kernels/cvt/<family>-scalar-u1.c, over kernels/common/fp.h)
 * against an independent formulation: values decoded with ldexp, rounded with
 * qb_dtype_round() (double arithmetic, host/core/dtype.c) and encoded back to bits with
 * frexp/ldexp here, plus the NaN rules that fp.h documents.
 *
 *   test_cvt_scalar                              edge cases, random f64, thinned sweeps
 *   test_cvt_scalar --sweep FAMILY [C/N]         chunk C of N of FAMILY's whole input
 *                                                space (QB_EXHAUSTIVE_STRIDE=k thins
 *                                                the 2^32 spaces to every k-th pattern;
 *                                                QB_CVT_ORACLE=every: see run_state),
 *                                                and every usable SIMD variant of FAMILY
 *                                                against the reference on the same inputs
 *
 * tests/cvt.cmake registers the sweeps in chunks, labelled `exhaustive`.
 */
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_cvt.h"
#include "test_util.h"

/* ---- The independent formulation. */

typedef struct cast {
  qb_family family;
  const qb_kernel_info* ref;
  qb_dtype in, out;
  qb_cvt_fmt fi, fo;
  int bias_in, bias_out;
  bool saturate;
} cast;

static cast cast_of(qb_family family) {
  const qb_family_info* f = qb_family_get(family);
  cast c;
  c.family = family;
  c.ref = qb_kernel_reference(family);
  c.in = f->in;
  c.out = f->out;
  c.fi = qb_cvt_fmt_of(f->in);
  c.fo = qb_cvt_fmt_of(f->out);
  c.bias_in = qb_dtype_get(f->in)->bias;
  c.bias_out = qb_dtype_get(f->out)->bias;
  c.saturate = family == QB_FAMILY_f32_f8e4m3_cvtsat;
  assert_non_null(c.ref);
  assert_non_null(c.ref->fn);
  return c;
}

/* The value of a non-NaN code, by the format's definition: (-1)^s 2^(e - bias) 1.m, or
 * 2^(1 - bias) 0.m when the exponent field is 0; the all-ones exponent is inf (not in fn). */
static double decode(qb_cvt_fmt f, int bias, uint64_t v) {
  const bool neg = (v >> (f.bits - 1)) & 1u;
  const uint64_t e = qb_cvt_exp_field(f, v), m = qb_cvt_man_field(f, v);
  double a;
  if (!f.fn && e == (1ull << f.ebits) - 1) {
    a = INFINITY;
  } else if (e == 0) {
    a = ldexp((double) m, 1 - bias - (int) f.mbits);
  } else {
    a = ldexp((double) ((1ull << f.mbits) | m), (int) e - bias - (int) f.mbits);
  }
  return neg ? -a : a;
}

/*
 * The code of a value that the format holds exactly (what qb_dtype_round returns), by
 * frexp/ldexp. Returns false when r is not exactly representable: that would be a bug
 * in the oracle itself, and the caller fails on it.
 */
static bool encode(qb_cvt_fmt f, int bias, double r, uint64_t* out) {
  const uint64_t sign = signbit(r) ? 1ull << (f.bits - 1) : 0;
  const uint64_t emax = (1ull << f.ebits) - 1;
  if (isnan(r)) return false;
  if (isinf(r)) {
    if (f.fn) return false;
    *out = sign | (emax << f.mbits);
    return true;
  }
  const double a = fabs(r);
  if (a == 0.0) {
    *out = sign;
    return true;
  }
  int e;
  frexp(a, &e); /* a = f * 2^e, f in [0.5, 1): the exponent of a is e - 1 */
  const int E = e - 1, emin = 1 - bias;
  double mant;
  uint64_t biased;
  if (E >= emin) {
    biased = (uint64_t) (E + bias);
    /* 1.m * 2^mbits - 2^mbits: the mantissa field, an integer when a is representable. */
    mant = ldexp(a, (int) f.mbits - E) - ldexp(1.0, (int) f.mbits);
    if (biased > (f.fn ? emax : emax - 1)) return false;
  } else {
    biased = 0;
    mant = ldexp(a, (int) f.mbits - emin);
  }
  if (mant != floor(mant) || mant < 0 || mant >= ldexp(1.0, (int) f.mbits)) return false;
  *out = sign | (biased << f.mbits) | (uint64_t) mant;
  if (f.fn && qb_cvt_is_nan(f, *out)) return false;
  return true;
}

/*
 * The NaN rules of kernels/common/fp.h (and of the hardware f32 <-> f64 conversions):
 * an fp8 output is the canonical NaN with the input's sign (e4m3fn S.1111.111, e5m2
 * S.11111.10); an e4m3fn input gives the canonical quiet NaN; otherwise the payload's top
 * bits are kept (shifted to the output's width) and the quiet bit is set, except bf16 ->
 * f32, which is a plain shift and keeps a signaling NaN signaling.
 */
static uint64_t nan_rule(const cast* c, uint64_t v) {
  const uint64_t sign = ((v >> (c->fi.bits - 1)) & 1u) << (c->fo.bits - 1);
  const uint64_t exp_ones = ((1ull << c->fo.ebits) - 1) << c->fo.mbits;
  const uint64_t quiet = 1ull << (c->fo.mbits - 1);
  if (c->out == QB_DTYPE_f8e4m3) return sign | 0x7F;
  if (c->out == QB_DTYPE_f8e5m2) return sign | 0x7E;
  if (c->in == QB_DTYPE_f8e4m3) return sign | exp_ones | quiet;
  const uint64_t m = qb_cvt_man_field(c->fi, v);
  const uint64_t payload =
      c->fo.mbits >= c->fi.mbits ? m << (c->fo.mbits - c->fi.mbits) : m >> (c->fi.mbits - c->fo.mbits);
  return sign | exp_ones | payload | (c->family == QB_FAMILY_bf16_f32_cvt ? 0 : quiet);
}

/* The expected output code for input code v. */
static uint64_t oracle(const cast* c, uint64_t v) {
  if (qb_cvt_is_nan(c->fi, v)) return nan_rule(c, v);
  const double r = qb_dtype_round(c->out, decode(c->fi, c->bias_in, v), c->saturate);
  if (isnan(r)) { /* e4m3fn overflow without saturation: the canonical NaN, signed */
    return (signbit(r) ? 0x80u : 0u) | 0x7Fu;
  }
  uint64_t code = 0;
  if (!encode(c->fo, c->bias_out, r, &code)) {
    fail_msg("%s: oracle: qb_dtype_round gave %a for input 0x%0*" PRIx64 ", not representable",
             qb_family_get(c->family)->name, r, qb_cvt_hexw(c->fi), v);
  }
  return code;
}

static void check_one(const cast* c, uint64_t v, uint64_t got) {
  const uint64_t want = oracle(c, v);
  if (got != want) {
    fail_msg("%s: input 0x%0*" PRIx64 ": reference gives 0x%0*" PRIx64 ", oracle 0x%0*" PRIx64, c->ref->name,
             qb_cvt_hexw(c->fi), v, qb_cvt_hexw(c->fo), got, qb_cvt_hexw(c->fo), want);
  }
}

/*
 * How a sweep compares the reference with the oracle.
 *
 * EVERY: qb_dtype_round for every input. Exact but slow on 2^32 inputs: qb_dtype_round
 * costs ~130 ns (most of it qb_dtype_finfo's log10 and pow), ~10 minutes per family.
 *
 * RUNS (the default for 2^32 spaces): the sweep visits the inputs in increasing bit order,
 * so within one sign their values are monotone, and rounding to nearest (with overflow
 * above every finite value) is a monotone function of the value. Split the inputs into
 * runs on which the reference's output is constant; check the oracle at the first and
 * the last input of every run. If both match, the oracle's value at every input between
 * them lies between two equal values, so it matches too: every input is checked, with
 * qb_dtype_round called only at the points where the reference's output changes. NaN
 * inputs break runs and are each checked against the NaN rule, and every input whose
 * pattern is a multiple of 257 is also checked directly, as a cross-check of the argument.
 * QB_CVT_ORACLE=every selects EVERY.
 */
typedef struct run_state {
  bool every;
  bool open;     /* a run is open: its first input has been checked */
  uint64_t last; /* the run's last input so far */
  uint64_t out;  /* the reference's output on the run */
} run_state;

static run_state run_state_new(const cast* c) {
  const char* mode = getenv("QB_CVT_ORACLE");
  run_state rs = {c->fi.bits < 32 || (mode != NULL && strcmp(mode, "every") == 0), false, 0, 0};
  return rs;
}

static void run_close(const cast* c, run_state* rs) {
  if (rs->open) check_one(c, rs->last, rs->out);
  rs->open = false;
}

/* Checks the reference's outputs out[0..n) on in[0..n) against the oracle. fi and fo are
 * the input's and the output's formats (c->fi, c->fo): check_block passes them as
 * constants for the f32 -> 8- and 16-bit casts, whose 2^32 sweeps spend most of their
 * time in this loop, so the compiler drops the width switches from it. */
static inline __attribute__((always_inline)) void check_outputs(const cast* c, qb_cvt_fmt fi, qb_cvt_fmt fo,
                                                                const void* in, const void* out, size_t n,
                                                                run_state* rs) {
  const uint64_t sign = 1ull << (fi.bits - 1);
  for (size_t i = 0; i < n; i++) {
    const uint64_t v = qb_cvt_get(fi, in, i);
    const uint64_t got = qb_cvt_get(fo, out, i);
    if (rs->every || qb_cvt_multiple_of_257(v) || qb_cvt_is_nan(fi, v)) {
      check_one(c, v, got);
      if (rs->every) continue;
    }
    if (qb_cvt_is_nan(fi, v)) {
      run_close(c, rs);
      continue;
    }
    if (rs->open && got == rs->out && (v & sign) == (rs->last & sign)) {
      rs->last = v;
      continue;
    }
    run_close(c, rs);
    check_one(c, v, got);
    rs->open = true;
    rs->last = v;
    rs->out = got;
  }
}

/* Runs the reference over in[0..n) and checks its outputs against the oracle. */
static void check_block(const cast* c, const void* in, void* out, size_t n, run_state* rs) {
  static const qb_cvt_fmt f32 = {32, 8, 23, false}, w8 = {8, 0, 0, false}, w16 = {16, 0, 0, false};
  qb_kernel_unary(c->ref)(n, in, out, NULL);
  const bool from_f32 = c->fi.bits == 32 && c->fi.ebits == 8 && c->fi.mbits == 23 && !c->fi.fn;
  if (from_f32 && c->fo.bits == 8) {
    check_outputs(c, f32, w8, in, out, n, rs);
  } else if (from_f32 && c->fo.bits == 16) {
    check_outputs(c, f32, w16, in, out, n, rs);
  } else {
    check_outputs(c, c->fi, c->fo, in, out, n, rs);
  }
}

#define BLOCK 8192

/* The sweep mode's SIMD variants of the family (none in unit mode): each runs on every
 * block after the reference and is held to its output (test_cvt.h's qb_cvt_expect), so a
 * 2^32 space costs one pass of the reference for the oracle and the variants together. */
static const qb_kernel_info* g_variants[32];
static size_t g_nvariants;

/* Patterns first, first + stride, ... below hi through the reference, block by block. */
static void sweep(const cast* c, uint64_t first, uint64_t hi, uint64_t stride) {
  static uint64_t in[BLOCK], out[BLOCK], got[BLOCK]; /* wide enough for any format */
  run_state rs = run_state_new(c);
  uint64_t p = first;
  while (p < hi) {
    size_t n = 0;
    for (; n < BLOCK && p < hi; n++, p += stride) qb_cvt_set(c->fi, in, n, p);
    check_block(c, in, out, n, &rs);
    for (size_t j = 0; j < g_nvariants; j++) {
      qb_kernel_unary(g_variants[j])(n, in, got, NULL);
      qb_cvt_expect(g_variants[j], in, out, got, n, "sweep");
    }
  }
  run_close(c, &rs);
}

/* ---- Sweep mode: one chunk of one family's input space. */

static qb_cvt_sweep g_sweep;

static void test_sweep(void** state) {
  (void) state;
  const cast c = cast_of(g_sweep.family);
  const double t0 = qb_cvt_now(), c0 = qb_cvt_cpu_now();
  sweep(&c, qb_cvt_sweep_first(&g_sweep), g_sweep.hi, g_sweep.stride);
  const double dt = qb_cvt_now() - t0, dc = qb_cvt_cpu_now() - c0;
  const uint64_t first = qb_cvt_sweep_first(&g_sweep);
  const uint64_t visited =
      first < g_sweep.hi ? (g_sweep.hi - first + g_sweep.stride - 1) / g_sweep.stride : 0;
  printf(
      "%s: chunk %u/%u [0x%09" PRIx64 ", 0x%09" PRIx64 ") stride %" PRIu64 ", oracle at %s: %" PRIu64
      " inputs, %.2f s wall, %.2f s CPU (%.1f ns CPU each: the reference, the oracle and %zu variant(s))\n",
      c.ref->name, g_sweep.chunk, g_sweep.nchunks, g_sweep.lo, g_sweep.hi, g_sweep.stride,
      run_state_new(&c).every ? "every input" : "run ends", visited, dt, dc,
      visited ? 1e9 * dc / (double) visited : 0.0, g_nvariants);
  for (size_t j = 0; j < g_nvariants; j++)
    printf("  %s against the reference: every input above\n", g_variants[j]->name);
}

/* ---- Unit mode. */

static const qb_family k_small_families[] = {
    QB_FAMILY_f32_f16_cvt,    QB_FAMILY_f16_f32_cvt,       QB_FAMILY_f32_bf16_cvt,   QB_FAMILY_bf16_f32_cvt,
    QB_FAMILY_f32_f8e4m3_cvt, QB_FAMILY_f32_f8e4m3_cvtsat, QB_FAMILY_f8e4m3_f32_cvt, QB_FAMILY_f32_f8e5m2_cvt,
    QB_FAMILY_f8e5m2_f32_cvt, QB_FAMILY_f32_f64_cvt,
};

/* Every family over a thinned sample of its input space (all of it for 8/16 bits), so
 * the unit label alone already covers every cast; the full sweeps are `exhaustive`. */
static void test_thinned_sweeps(void** state) {
  (void) state;
  for (size_t i = 0; i < sizeof k_small_families / sizeof k_small_families[0]; i++) {
    const cast c = cast_of(k_small_families[i]);
    const uint64_t space = 1ull << c.fi.bits;
    sweep(&c, 0, space, c.fi.bits >= 32 ? 65521 : 1);
  }
}

/* Hand-written expectations, independent of both the oracle and fp.h. */
typedef struct {
  uint32_t in;
  uint32_t out;
} pair32;

static void expect_f32_to(qb_family fam, const pair32* p, size_t n) {
  const cast c = cast_of(fam);
  for (size_t i = 0; i < n; i++) {
    uint64_t out = 0;
    qb_kernel_unary(c.ref)(1, &p[i].in, &out, NULL);
    const uint64_t got = qb_cvt_get(c.fo, &out, 0);
    if (got != p[i].out) {
      fail_msg("%s: input 0x%08" PRIx32 ": got 0x%0*" PRIx64 ", expected 0x%0*" PRIx32, c.ref->name, p[i].in,
               qb_cvt_hexw(c.fo), got, qb_cvt_hexw(c.fo), p[i].out);
    }
    assert_int_equal(oracle(&c, p[i].in), p[i].out);
  }
}

static void test_known_values(void** state) {
  (void) state;
  static const pair32 f16[] = {
      {0x3F800000, 0x3C00}, /* 1 */
      {0x3F801000, 0x3C00}, /* 1 + 2^-11: tie, to even (down) */
      {0x3F803000, 0x3C02}, /* 1 + 3 * 2^-11: tie, to even (up) */
      {0x477FE000, 0x7BFF}, /* 65504 */
      {0x477FEFFF, 0x7BFF}, /* just below 65520 */
      {0x477FF000, 0x7C00}, /* 65520: tie, to even = inf */
      {0x33800000, 0x0001}, /* 2^-24: the smallest subnormal */
      {0x33000000, 0x0000}, /* 2^-25: tie, to even = 0 */
      {0xB3000001, 0x8001}, /* just above -2^-25 */
      {0x387FE000, 0x0400}, /* 2^-14 - 2^-25: tie between 0x3FF and 0x400, to even */
      {0x00000001, 0x0000}, /* an f32 subnormal */
      {0xFF800000, 0xFC00}, /* -inf */
      {0x7F800001, 0x7E00}, /* sNaN, payload below f16's width: quiet NaN */
      {0xFFC02000, 0xFE01}, /* qNaN with payload */
      {0x7FBFE000, 0x7FFF}, /* sNaN with a full payload */
  };
  static const pair32 bf16[] = {
      {0x3F808000, 0x3F80},                       /* tie to even (down) */
      {0x3F818000, 0x3F82},                       /* tie to even (up) */
      {0x3F808001, 0x3F81}, {0x7F7FFFFF, 0x7F80}, /* FLT_MAX rounds to inf */
      {0x7F7F7FFF, 0x7F7F}, {0x00000001, 0x0000}, /* f32 subnormals round like any value */
      {0x00008000, 0x0000},                       /* tie, to even */
      {0x00018000, 0x0002}, {0x7F800001, 0x7FC0}, /* sNaN: quieted */
      {0xFF810000, 0xFFC1},
  };
  static const pair32 e4m3[] = {
      {0x43E00000, 0x7E}, /* 448 */
      {0x43E80000, 0x7E}, /* 464: tie, to even (down) */
      {0x43E80001, 0x7F}, /* just above 464: overflow -> NaN */
      {0xC3F00000, 0xFF}, /* -480 */
      {0x7F800000, 0x7F}, /* inf -> NaN */
      {0x3B000000, 0x01}, /* 2^-9: the smallest subnormal */
      {0x3A800000, 0x00}, /* 2^-10: tie, to even = 0 */
      {0x3B400000, 0x02}, /* 3 * 2^-10: tie between 1 and 2, to even */
      {0x3C700000, 0x08}, /* 2^-6 - 2^-10: tie between 7 * 2^-9 and 2^-6, to even */
      {0xFFC00000, 0xFF}, /* NaN keeps its sign */
  };
  static const pair32 e4m3sat[] = {
      {0x43E80001, 0x7E}, {0xC3F00000, 0xFE}, {0x7F800000, 0x7E}, {0xFF800000, 0xFE}, {0x7FC00000, 0x7F},
  };
  static const pair32 e5m2[] = {
      {0x47600000, 0x7B},                     /* 57344 */
      {0x476FFFFF, 0x7B}, {0x47700000, 0x7C}, /* 61440: tie, to even = inf */
      {0x37800000, 0x01},                     /* 2^-16 */
      {0x37000000, 0x00},                     /* 2^-17: tie to 0 */
      {0x7F800001, 0x7E},                     /* any NaN: canonical */
      {0xFFFFFFFF, 0xFE},
  };
  expect_f32_to(QB_FAMILY_f32_f16_cvt, f16, sizeof f16 / sizeof f16[0]);
  expect_f32_to(QB_FAMILY_f32_bf16_cvt, bf16, sizeof bf16 / sizeof bf16[0]);
  expect_f32_to(QB_FAMILY_f32_f8e4m3_cvt, e4m3, sizeof e4m3 / sizeof e4m3[0]);
  expect_f32_to(QB_FAMILY_f32_f8e4m3_cvtsat, e4m3sat, sizeof e4m3sat / sizeof e4m3sat[0]);
  expect_f32_to(QB_FAMILY_f32_f8e5m2_cvt, e5m2, sizeof e5m2 / sizeof e5m2[0]);
}

/* ---- f64 <-> f32. */

static uint32_t f64_to_f32_ref(uint64_t d) {
  const cast c = cast_of(QB_FAMILY_f64_f32_cvt);
  uint32_t out;
  qb_kernel_unary(c.ref)(1, &d, &out, NULL);
  return out;
}

static double f64_from_bits(uint64_t w) {
  double d;
  memcpy(&d, &w, sizeof d);
  return d;
}

static void check_f64(const cast* c, uint64_t d) {
  const uint32_t got = f64_to_f32_ref(d);
  const uint64_t want = oracle(c, d);
  if (got != want) {
    fail_msg("%s: input 0x%016" PRIx64 " (%a): reference gives 0x%08" PRIx32 ", oracle 0x%08" PRIx64,
             c->ref->name, d, f64_from_bits(d), got, want);
  }
}

static void test_f64_f32_edges(void** state) {
  (void) state;
  const cast c = cast_of(QB_FAMILY_f64_f32_cvt);
  static const struct {
    double in;
    uint32_t out;
  } known[] = {
      {1.0, 0x3F800000},
      {1.0 + 0x1p-24, 0x3F800000},           /* tie, to even (down) */
      {1.0 + 0x3p-24, 0x3F800002},           /* tie, to even (up) */
      {1.0 + 0x1p-24 + 0x1p-52, 0x3F800001}, /* just above the tie */
      {0x1.fffffep127, 0x7F7FFFFF},          /* FLT_MAX */
      {0x1.ffffffp127, 0x7F800000},          /* FLT_MAX + half an ulp: tie, to even = inf */
      {0x1.fffffefffffffp127, 0x7F7FFFFF},   /* just below */
      {1e300, 0x7F800000},
      {-1e300, 0xFF800000},
      {0x1p-149, 0x00000001},                /* the smallest f32 subnormal */
      {0x1p-150, 0x00000000},                /* tie, to even = 0 */
      {-0x1.0000000000001p-150, 0x80000001}, /* just above the tie */
      {0x3p-150, 0x00000002},                /* 1.5 units: tie, to even */
      {0x5p-150, 0x00000002},                /* 2.5 units: tie, to even */
      {0x1p-126 - 0x1p-150, 0x00800000},     /* tie between the largest subnormal and FLT_MIN */
      {0x1p-1074, 0x00000000},               /* an f64 subnormal */
      {-0x1p-1074, 0x80000000},
      {-0.0, 0x80000000},
  };
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
    uint64_t d;
    memcpy(&d, &known[i].in, sizeof d);
    const uint32_t got = f64_to_f32_ref(d);
    if (got != known[i].out) {
      fail_msg("f64 -> f32: %a gives 0x%08" PRIx32 ", expected 0x%08" PRIx32, known[i].in, got, known[i].out);
    }
    check_f64(&c, d);
  }
  /* NaN: the top 23 payload bits kept, the quiet bit set, the sign kept. */
  static const uint64_t nans[][2] = {
      {0x7FF0000000000001ull, 0x7FC00000}, /* sNaN whose payload is below f32's width */
      {0x7FF4000000000000ull, 0x7FE00000}, {0xFFF8000000000123ull, 0xFFC00000},
      {0x7FFFFFFFFFFFFFFFull, 0x7FFFFFFF}, {0xFFF0000020000000ull, 0xFFC00001},
  };
  for (size_t i = 0; i < sizeof nans / sizeof nans[0]; i++) {
    const uint32_t got = f64_to_f32_ref(nans[i][0]);
    if (got != nans[i][1]) {
      fail_msg("f64 -> f32: NaN 0x%016" PRIx64 " gives 0x%08" PRIx32 ", expected 0x%08" PRIx64, nans[i][0],
               got, nans[i][1]);
    }
    check_f64(&c, nans[i][0]);
  }
}

static void test_f64_f32_random(void** state) {
  (void) state;
  const cast c = cast_of(QB_FAMILY_f64_f32_cvt);
  uint64_t s = 0x5EED0F64ull;
  for (int i = 0; i < (1 << 20); i++) {
    /* 1. Any bit pattern (mostly far outside f32's range: overflow and underflow). */
    check_f64(&c, qb_test_rand(&s));
    /* 2. Near the f32 grid: an f32 value, the midpoint to its successor (a tie), and one
     *    f64 ulp either side of each; f32's range only, subnormals included. */
    const uint32_t w = (uint32_t) qb_test_rand(&s) & 0xFF7FFFFFu; /* finite, below the top binade */
    float a, b;
    const uint32_t w1 = w + 1;
    memcpy(&a, &w, sizeof a);
    memcpy(&b, &w1, sizeof b);
    const double mid = ((double) a + (double) b) / 2; /* exact: 25 significant bits */
    const double cand[] = {(double) a,
                           mid,
                           nextafter(mid, 0.0),
                           nextafter(mid, INFINITY),
                           nextafter((double) a, 0.0),
                           nextafter((double) a, INFINITY)};
    for (size_t k = 0; k < sizeof cand / sizeof cand[0]; k++) {
      uint64_t d;
      memcpy(&d, &cand[k], sizeof d);
      check_f64(&c, d);
    }
  }
}

static void test_f32_f64_edges(void** state) {
  (void) state;
  const cast c = cast_of(QB_FAMILY_f32_f64_cvt);
  static const uint32_t in[] = {0x00000000, 0x80000000, 0x00000001, 0x807FFFFF, 0x00800000, 0x3F800000,
                                0x7F7FFFFF, 0xFF800000, 0x7F800001, 0x7FC00000, 0xFFBFFFFF, 0x7FFFFFFF};
  static const uint64_t want[] = {
      0x0000000000000000ull, 0x8000000000000000ull, 0x36A0000000000000ull,
      0xB80FFFFFC0000000ull, 0x3810000000000000ull, 0x3FF0000000000000ull,
      0x47EFFFFFE0000000ull, 0xFFF0000000000000ull, 0x7FF8000020000000ull, /* sNaN quieted, payload kept */
      0x7FF8000000000000ull, 0xFFFFFFFFE0000000ull, 0x7FFFFFFFE0000000ull};
  for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
    uint64_t out;
    qb_kernel_unary(c.ref)(1, &in[i], &out, NULL);
    if (out != want[i]) {
      fail_msg("f32 -> f64: 0x%08" PRIx32 " gives 0x%016" PRIx64 ", expected 0x%016" PRIx64, in[i], out,
               want[i]);
    }
    assert_true(oracle(&c, in[i]) == want[i]);
  }
}

int main(int argc, char** argv) {
  if (qb_cvt_parse_sweep(argc, argv, &g_sweep)) {
    const qb_family_info* f = qb_family_get(g_sweep.family);
    if (!qb_cvt_is_cast_family(g_sweep.family)) {
      fprintf(stderr, "%s: '%s' is not a cast family\n", argv[0], f->name);
      return 2;
    }
    qb_cpu cpu;
    qb_error err = {0};
    qb_cpu_detect(&cpu);
    if (qb_cpu_cap_from_env(&cpu, &err) != QB_OK) {
      qb_error_print(&err);
      return 2;
    }
    g_nvariants = qb_cvt_usable_variants(g_sweep.family, &cpu, g_variants, 32, true);
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_sweep)};
    return cmocka_run_group_tests_name(f->name, tests, NULL, NULL);
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_known_values),   cmocka_unit_test(test_f64_f32_edges),
      cmocka_unit_test(test_f64_f32_random), cmocka_unit_test(test_f32_f64_edges),
      cmocka_unit_test(test_thinned_sweeps),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
