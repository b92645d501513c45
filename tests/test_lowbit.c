/*
 * The low-bit float formats (kernels/lowbit/README.md): element casts checked against an
 * oracle written from the formats' definitions (value tables and comparisons in double,
 * nothing from kernels/common/fp.h), edge blocks of the MX, NVFP4 and per-128 FP8
 * formats with hand-worked expectations, the dots against double sums, and every
 * non-scalar variant against its reference, bit for bit.
 *
 *   test_lowbit                          the unit tests
 *   test_lowbit --sweep FAMILY [C/N]     exhaustive sweep of an f32 -> element cast
 *                                        (chunk C of N; QB_EXHAUSTIVE_STRIDE thins it)
 *   test_lowbit --dump FAMILY IN OUT [G] run FAMILY's scalar reference on the raw bytes of
 *                                        IN, write OUT (tests/lowbit_oracle.py uses it;
 *                                        G: the NVFP4 tensor scale)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dot/dot.h"
#include "platform/cpu.h"
#include "nvf4_div.h"
#include "platform/registry.h"
#include "test_cvt.h"
#include "test_kernels.h"
#include "test_util.h"

static float from_bits(uint32_t w) {
  float f;
  memcpy(&f, &w, sizeof f);
  return f;
}
static uint32_t to_bits(float f) {
  uint32_t w;
  memcpy(&w, &f, sizeof w);
  return w;
}

/* The first index below n where a and b differ; n where they agree. */
static size_t first_diff(const uint8_t* a, const uint8_t* b, size_t n) {
  size_t i = 0;
  while (i < n && a[i] == b[i]) i++;
  return i;
}

/* ---- The oracle of the element casts ----------------------------------------------- */

/* A format by its definition: 1 sign bit (none for e8m0), ebits, mbits, bias. */
typedef struct fmt {
  const char* name;
  int ebits, mbits, bias;
  int e8m0;
  int per_byte; /* codes per packed group and bytes per group */
  int group_bytes;
  double vals[256]; /* the non-negative values, in code order */
  int nvals;
} fmt;

static void fmt_init(fmt* f) {
  if (f->e8m0) {
    f->nvals = 255;
    for (int c = 0; c < 255; c++) f->vals[c] = ldexp(1.0, c - 127);
    return;
  }
  f->nvals = 1 << (f->ebits + f->mbits);
  for (int c = 0; c < f->nvals; c++) {
    const int e = c >> f->mbits, m = c & ((1 << f->mbits) - 1);
    f->vals[c] = e == 0 ? ldexp(m, 1 - f->bias - f->mbits) : ldexp(1.0 + ldexp(m, -f->mbits), e - f->bias);
  }
}

static fmt g_f6e2m3 = {"f6e2m3", 2, 3, 1, 0, 4, 3, {0}, 0};
static fmt g_f6e3m2 = {"f6e3m2", 3, 2, 3, 0, 4, 3, {0}, 0};
static fmt g_f4e2m1 = {"f4e2m1", 2, 1, 1, 0, 2, 1, {0}, 0};
static fmt g_e8m0 = {"e8m0", 8, 0, 127, 1, 1, 1, {0}, 0};

/* The code the rules give for x: nearest value, ties to the even code (e8m0: ties up),
 * saturating (fn formats) or NaN (e8m0); NaN -> signed zero (fn formats). */
static unsigned oracle_code(const fmt* f, float x) {
  const double a = fabs((double) x);
  const unsigned sign = f->e8m0 ? 0 : (signbit(x) ? 1u << (f->ebits + f->mbits) : 0);
  int lo = 0, hi = f->nvals - 1;
  if (f->e8m0 && (isnan(x) || signbit(x) || x == 0.0f || isinf(x))) return 0xFF;
  if (isnan(x)) return sign;
  if (a >= f->vals[f->nvals - 1]) {
    if (!f->e8m0) return sign | (unsigned) (f->nvals - 1);
    return a >= 1.5 * f->vals[254] ? 0xFF : 254;
  }
  if (a < f->vals[0]) return 0; /* e8m0 below 2^-127 */
  while (hi - lo > 1) {         /* vals[lo] <= a < vals[hi] */
    const int mid = (lo + hi) / 2;
    if (f->vals[mid] <= a)
      lo = mid;
    else
      hi = mid;
  }
  const double half = (f->vals[lo] + f->vals[hi]) / 2; /* exact in double */
  if (a < half) return sign | (unsigned) lo;
  if (a > half) return sign | (unsigned) hi;
  if (f->e8m0) return (unsigned) hi;
  return sign | (unsigned) ((lo & 1) ? hi : lo);
}

static double oracle_value(const fmt* f, unsigned c) {
  if (f->e8m0) return c == 0xFF ? NAN : f->vals[c];
  const unsigned nb = (unsigned) (f->ebits + f->mbits);
  const double v = f->vals[c & ((1u << nb) - 1u)];
  return (c >> nb) & 1u ? -v : v;
}

/* Unpacks code i of a packed buffer (little-endian bit stream of w-bit codes). */
static unsigned code_at(const fmt* f, const uint8_t* p, size_t i) {
  const unsigned w = f->e8m0 ? 8u : 1u + (unsigned) (f->ebits + f->mbits);
  const size_t bit = i * w, last = ((i + 1) * w - 1) / 8;
  if (w == 8) return p[i];
  const unsigned v = p[bit / 8] | (last > bit / 8 ? (unsigned) p[bit / 8 + 1] << 8 : 0u);
  return (v >> (bit % 8)) & ((1u << w) - 1u);
}

/* Codes p[0..n) one per byte, as code_at reads them: a loop per width, for the sweeps. */
static void unpack_codes(const fmt* f, const uint8_t* p, size_t n, uint8_t* codes) {
  const unsigned w = f->e8m0 ? 8u : 1u + (unsigned) (f->ebits + f->mbits);
  size_t i = 0;
  if (w == 8) {
    memcpy(codes, p, n);
    return;
  }
  if (w == 4) {
    for (; i + 2 <= n; i += 2, p++) {
      codes[i] = (uint8_t) (*p & 15u);
      codes[i + 1] = (uint8_t) (*p >> 4);
    }
  } else if (w == 6) {
    for (; i + 4 <= n; i += 4, p += 3) {
      const uint32_t v = (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16;
      codes[i] = (uint8_t) (v & 63u);
      codes[i + 1] = (uint8_t) (v >> 6 & 63u);
      codes[i + 2] = (uint8_t) (v >> 12 & 63u);
      codes[i + 3] = (uint8_t) (v >> 18);
    }
  }
  for (const uint8_t* base = p - i * w / 8; i < n; i++) codes[i] = (uint8_t) code_at(f, base, i);
}

static void put_code(const fmt* f, uint8_t* p, size_t i, unsigned c) {
  const unsigned w = f->e8m0 ? 8u : 1u + (unsigned) (f->ebits + f->mbits);
  const size_t bit = i * w;
  if (w == 8) {
    p[i] = (uint8_t) c;
    return;
  }
  for (unsigned k = 0; k < w; k++) {
    const size_t b = bit + k;
    p[b / 8] = (uint8_t) ((p[b / 8] & ~(1u << (b % 8))) | (((c >> k) & 1u) << (b % 8)));
  }
}

static const fmt* fmt_of_cast(qb_family fam, int* to_f32) {
  static const struct {
    qb_family enc, dec;
    const fmt* f;
  } t[] = {{QB_FAMILY_f32_f6e2m3_cvt, QB_FAMILY_f6e2m3_f32_cvt, &g_f6e2m3},
           {QB_FAMILY_f32_f6e3m2_cvt, QB_FAMILY_f6e3m2_f32_cvt, &g_f6e3m2},
           {QB_FAMILY_f32_f4e2m1_cvt, QB_FAMILY_f4e2m1_f32_cvt, &g_f4e2m1},
           {QB_FAMILY_f32_e8m0_cvt, QB_FAMILY_e8m0_f32_cvt, &g_e8m0}};
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
    if (t[i].enc == fam || t[i].dec == fam) {
      if (to_f32) *to_f32 = t[i].dec == fam;
      return t[i].f;
    }
  }
  return NULL;
}

/* ---- Sweeps: f32 -> element, every input pattern ------------------------------------ */

#define BATCH 4096

/* The non-scalar variants of `family` this CPU (and the ISA cap) can run; prints the others. */
static size_t sweep_variants(qb_family family, const qb_kernel_info** ks, size_t max) {
  qb_cpu cpu;
  qb_error err = {0};
  size_t n = 0;
  qb_cpu_detect(&cpu);
  if (qb_cpu_cap_from_env(&cpu, &err) != QB_OK) {
    qb_error_print(&err);
    return 0;
  }
  for (size_t i = 0; i < qb_kernel_count(); i++) {
    const qb_kernel_info* k = qb_kernel_at(i);
    char buf[160];
    const char* reason;
    if (k->family != family || k == qb_kernel_reference(family)) continue;
    if (!qb_kernel_usable(k, &cpu, &reason, buf, sizeof buf)) {
      printf("  %s: not checked here (%s)\n", k->name, reason);
      continue;
    }
    if (n < max) ks[n++] = k;
  }
  return n;
}

/* Chunk sw of the 2^32 inputs of an f32 -> element cast: the scalar reference against the
 * oracle, and every usable variant against the reference, byte for byte, on the same
 * batches (each batch a different length, so the variants' tails see every residue). */
static int sweep_cast(const qb_cvt_sweep* sw) {
  const fmt* f = fmt_of_cast(sw->family, NULL);
  const qb_kernel_info* k = qb_kernel_reference(sw->family);
  static float in[BATCH + 4];
  static uint8_t out[BATCH], vout[BATCH + 64], codes[BATCH + 4];
  unsigned prev = 0x100;
  uint64_t checked = 0, bad = 0, vbad = 0, batches = 0;
  float prev_x = 0;
  const double t0 = qb_cvt_cpu_now();
  const qb_kernel_info* ks[8];
  size_t nks;
  if (f == NULL) {
    fprintf(stderr, "%s: not an f32 -> element cast of this test\n", qb_family_get(sw->family)->name);
    return 2;
  }
  nks = sweep_variants(sw->family, ks, 8);
  for (uint64_t base = qb_cvt_sweep_first(sw); base < sw->hi; batches++) {
    size_t n = 0, padded;
    const size_t len = BATCH - (size_t) (batches % 128); /* 3969 .. 4096 */
    for (uint64_t p = base; p < sw->hi && n < len; p += sw->stride) in[n++] = from_bits((uint32_t) p);
    base += (uint64_t) n * sw->stride;
    /* The packed casts take whole groups: pad the last batch with zeros, unchecked. */
    for (padded = n; padded % (size_t) f->per_byte != 0; padded++) in[padded] = 0.0f;
    qb_kernel_unary(k)(padded, in, out, NULL);
    for (size_t j = 0; j < nks; j++) {
      const size_t bytes = padded * (f->e8m0 ? 8u : 1u + (unsigned) (f->ebits + f->mbits)) / 8;
      memset(vout, 0xA5, sizeof vout);
      qb_kernel_unary(ks[j])(padded, in, vout, NULL);
      if (memcmp(vout, out, bytes) != 0 || vout[bytes] != 0xA5) {
        for (size_t i = 0; i < padded; i++) {
          if (code_at(f, vout, i) != code_at(f, out, i) && vbad++ < 5)
            fprintf(stderr, "%s: x = 0x%08X (%a): got 0x%02X, the reference 0x%02X\n", ks[j]->name,
                    to_bits(in[i]), (double) in[i], code_at(f, vout, i), code_at(f, out, i));
        }
        if (vout[bytes] != 0xA5 && vbad++ < 5)
          fprintf(stderr, "%s: wrote past %zu bytes\n", ks[j]->name, bytes);
      }
    }
    unpack_codes(f, out, n, codes);
    for (size_t i = 0; i < n; i++) {
      const unsigned c = codes[i];
      const uint32_t w = to_bits(in[i]);
      /* Rounding to nearest is monotone in the input's bits within a sign, so a run of
       * equal codes is right when its ends are: check where the code changes (both
       * sides), every NaN and every 257th pattern. */
      const int check = c != prev || (w & 0x7FFFFFFFu) > 0x7F800000u || qb_cvt_multiple_of_257(w);
      if (check) {
        const unsigned want = oracle_code(f, in[i]);
        checked++;
        if (want != c && bad++ < 5)
          fprintf(stderr, "%s: x = 0x%08X (%a): got 0x%02X, want 0x%02X\n", f->name, w, (double) in[i], c,
                  want);
        if (c != prev && prev != 0x100 && oracle_code(f, prev_x) != prev && bad++ < 5) {
          fprintf(stderr, "%s: x = 0x%08X: got 0x%02X, want 0x%02X\n", f->name, to_bits(prev_x), prev,
                  oracle_code(f, prev_x));
        }
      }
      prev = c;
      prev_x = in[i];
    }
  }
  printf("%s [0x%09llX, 0x%09llX) stride %llu: %llu checked by the oracle, %llu wrong, %.1f s CPU\n",
         qb_family_get(sw->family)->name, (unsigned long long) sw->lo, (unsigned long long) sw->hi,
         (unsigned long long) sw->stride, (unsigned long long) checked, (unsigned long long) bad,
         qb_cvt_cpu_now() - t0);
  for (size_t j = 0; j < nks; j++) printf("  %s against the reference: every input above\n", ks[j]->name);
  if (vbad) printf("  %llu variant output(s) differ from the reference\n", (unsigned long long) vbad);
  return bad || vbad ? 1 : 0;
}

/* ---- Unit tests: casts ----------------------------------------------------------------- */

static void test_decode_every_code(void** state) {
  (void) state;
  const qb_family dec[] = {QB_FAMILY_f6e2m3_f32_cvt, QB_FAMILY_f6e3m2_f32_cvt, QB_FAMILY_f4e2m1_f32_cvt,
                           QB_FAMILY_e8m0_f32_cvt};
  for (size_t d = 0; d < sizeof dec / sizeof dec[0]; d++) {
    const fmt* f = fmt_of_cast(dec[d], NULL);
    const unsigned ncodes = f->e8m0 ? 256u : 2u << (f->ebits + f->mbits);
    uint8_t packed[256];
    float out[256];
    memset(packed, 0, sizeof packed);
    for (unsigned c = 0; c < ncodes; c++) put_code(f, packed, c, c);
    qb_kernel_unary(qb_kernel_reference(dec[d]))(ncodes, packed, out, NULL);
    for (unsigned c = 0; c < ncodes; c++) {
      const double want = oracle_value(f, c);
      if (isnan(want)) {
        assert_true(isnan(out[c]));
        continue;
      }
      if ((double) out[c] != want || !signbit(out[c]) != !signbit(want)) {
        fprintf(stderr, "%s code 0x%02X: got %a, want %a\n", f->name, c, (double) out[c], want);
        fail();
      }
    }
  }
}

/* Round trips, the packing order (FP4: low nibble first) and named values. */
static void test_cast_values(void** state) {
  (void) state;
  const float x[8] = {0.25f, 0.75f, 1.25f, 2.5f, 5.0f, 100.0f, -INFINITY, -0.0f};
  const unsigned want4[8] = {0x0, 0x2, 0x2, 0x4, 0x6, 0x7, 0xF, 0x8};
  uint8_t p[8];
  qb_kernel_unary(qb_kernel_reference(QB_FAMILY_f32_f4e2m1_cvt))(8, x, p, NULL);
  for (int i = 0; i < 8; i++) assert_int_equal(code_at(&g_f4e2m1, p, (size_t) i), want4[i]);
  assert_int_equal(p[0], 0x20); /* 0.25 -> 0 in the low nibble, 0.75 -> 1.0 (code 2) high */
  const float y[4] = {7.5f, 8.0f, NAN, -NAN};
  qb_kernel_unary(qb_kernel_reference(QB_FAMILY_f32_f6e2m3_cvt))(4, y, p, NULL);
  assert_int_equal(code_at(&g_f6e2m3, p, 0), 0x1F);
  assert_int_equal(code_at(&g_f6e2m3, p, 1), 0x1F);
  assert_int_equal(code_at(&g_f6e2m3, p, 2), 0x00); /* NaN -> zero with the NaN's sign */
  assert_int_equal(code_at(&g_f6e2m3, p, 3), 0x20);
  const float z[6] = {1.5f, 3.0f, 0.0f, -1.0f, 1e-45f, 0x1.8p127f};
  const unsigned want8[6] = {128, 129, 0xFF, 0xFF, 0, 0xFF};
  qb_kernel_unary(qb_kernel_reference(QB_FAMILY_f32_e8m0_cvt))(6, z, p, NULL);
  for (int i = 0; i < 6; i++) assert_int_equal(p[i], want8[i]);
}

/* ---- Unit tests: blocks ------------------------------------------------------------------ */

static void quant(qb_family f, const float* x, size_t n, void* y, const void* params) {
  qb_kernel_unary(qb_kernel_reference(f))(n, x, y, params);
}

static void test_mx_edge_blocks(void** state) {
  (void) state;
  float x[32], y[32];
  qb_block_mx8 b8;
  qb_block_mx4 b4;
  /* All zero: the smallest scale, zero codes, zeros back. */
  memset(x, 0, sizeof x);
  quant(QB_FAMILY_f32_mxf8e4m3_quant, x, 32, &b8, NULL);
  assert_int_equal(b8.e, 0);
  for (int i = 0; i < 32; i++) assert_int_equal(b8.qs[i], 0);
  quant(QB_FAMILY_mxf8e4m3_f32_dequant, (const float*) (const void*) &b8, 32, y, NULL);
  for (int i = 0; i < 32; i++) assert_true(y[i] == 0.0f);
  quant(QB_FAMILY_f32_mxi8_quantrceil, x, 32, &b8, NULL);
  assert_int_equal(b8.e, 0);
  /* NaN or inf anywhere: the NaN scale, every element NaN. */
  for (int i = 0; i < 32; i++) x[i] = (float) i;
  x[7] = NAN;
  quant(QB_FAMILY_f32_mxf4_quant, x, 32, &b4, NULL);
  assert_int_equal(b4.e, 0xFF);
  quant(QB_FAMILY_mxf4_f32_dequant, (const float*) (const void*) &b4, 32, y, NULL);
  for (int i = 0; i < 32; i++) assert_true(isnan(y[i]));
  x[7] = -INFINITY;
  quant(QB_FAMILY_f32_mxf8e5m2_quantrceil, x, 32, &b8, NULL);
  assert_int_equal(b8.e, 0xFF);
  /* amax at the top of f32: 2^(127 - 8), the element 511.99 saturates to 448. */
  memset(x, 0, sizeof x);
  x[0] = 3.4028235e38f;
  quant(QB_FAMILY_f32_mxf8e4m3_quant, x, 32, &b8, NULL);
  assert_int_equal(b8.e, 127 + 119);
  assert_int_equal(b8.qs[0], 0x7E);
  /* amax at the bottom (2^-149): the scale is held at 2^-127, the element underflows. */
  x[0] = 0x1p-149f;
  quant(QB_FAMILY_f32_mxf8e4m3_quant, x, 32, &b8, NULL);
  assert_int_equal(b8.e, 0);
  assert_int_equal(b8.qs[0], 0);
  /* ... but an E4M3 subnormal survives where the scale leaves room: amax 2^-120. */
  x[0] = 0x1p-120f;
  x[1] = 0x1p-136f; /* 2^-136 / 2^-127 = 2^-9: the smallest e4m3 subnormal */
  quant(QB_FAMILY_f32_mxf8e4m3_quant, x, 32, &b8, NULL);
  assert_int_equal(b8.e, 0);
  assert_int_equal(b8.qs[1], 0x01);
  quant(QB_FAMILY_mxf8e4m3_f32_dequant, (const float*) (const void*) &b8, 32, y, NULL);
  assert_true(y[1] == 0x1p-136f && y[0] == 0x1p-120f);
  /* Subnormal elements under an ordinary scale: amax 1 -> 2^-8, 2^-17 -> code 1. */
  x[0] = 1.0f;
  x[1] = 0x1p-17f;
  quant(QB_FAMILY_f32_mxf8e4m3_quant, x, 32, &b8, NULL);
  assert_int_equal(b8.e, 127 - 8);
  assert_int_equal(b8.qs[0], 0x78); /* 256 */
  assert_int_equal(b8.qs[1], 0x01);
}

/* FLOOR clips what RCEIL keeps; ties away differ from ties to even. */
static void test_mx_variants(void** state) {
  (void) state;
  float x[32], y[32];
  qb_block_mx8 b8;
  qb_block_mx4 b4;
  memset(x, 0, sizeof x);
  x[0] = 500.0f; /* floor(log2 500) - 8 = 0: 500 saturates at 448 */
  quant(QB_FAMILY_f32_mxf8e4m3_quant, x, 32, &b8, NULL);
  assert_int_equal(b8.e, 127);
  assert_int_equal(b8.qs[0], 0x7E);
  quant(QB_FAMILY_f32_mxf8e4m3_quantrceil, x, 32, &b8, NULL); /* 500 / 448 -> 2^1: 250 -> 256 */
  assert_int_equal(b8.e, 128);
  quant(QB_FAMILY_mxf8e4m3_f32_dequant, (const float*) (const void*) &b8, 32, y, NULL);
  assert_true(y[0] == 512.0f);
  /* MXFP4, amax 6 (scale 1): 2.5 is a tie between 2 and 3. */
  x[0] = 6.0f;
  x[1] = 2.5f;
  x[2] = -0.25f;
  quant(QB_FAMILY_f32_mxf4_quant, x, 32, &b4, NULL);
  assert_int_equal(b4.e, 127);
  assert_int_equal(b4.qs[0], 0x47);      /* 6 -> 7, 2.5 -> 2 (code 4) */
  assert_int_equal(b4.qs[1] & 0xF, 0x8); /* -0.25 -> -0 */
  quant(QB_FAMILY_f32_mxf4_quantaway, x, 32, &b4, NULL);
  assert_int_equal(b4.qs[0], 0x57);      /* 2.5 -> 3 (code 5) */
  assert_int_equal(b4.qs[1] & 0xF, 0x9); /* -0.25 -> -0.5 */
  /* MXINT8, amax 1: elements in 1/64; 1/128 is a tie. */
  x[0] = 1.0f;
  x[1] = 1.0f / 128;
  x[2] = -3.0f / 128;
  quant(QB_FAMILY_f32_mxi8_quant, x, 32, &b8, NULL);
  assert_int_equal(b8.e, 127);
  assert_int_equal(b8.qs[0], 64);
  assert_int_equal(b8.qs[1], 0);
  assert_int_equal((int8_t) b8.qs[2], -2);
  quant(QB_FAMILY_f32_mxi8_quantaway, x, 32, &b8, NULL);
  assert_int_equal(b8.qs[1], 1);
  assert_int_equal((int8_t) b8.qs[2], -2);
  /* RCEIL for MXINT8: 1 / (127/64) -> 2^0; 1.99 -> 2^1 under FLOOR too. */
  quant(QB_FAMILY_f32_mxi8_quantrceil, x, 32, &b8, NULL);
  assert_int_equal(b8.e, 127);
  /* FP6 packing order: four codes in three bytes, little-endian. */
  qb_block_mx6 b6;
  for (int i = 0; i < 32; i++) x[i] = 0.0f;
  x[0] = 7.5f;    /* e2m3 code 0x1F with scale 1 */
  x[1] = -0.125f; /* 0x21 */
  quant(QB_FAMILY_f32_mxf6e2m3_quant, x, 32, &b6, NULL);
  assert_int_equal(b6.e, 127);
  assert_int_equal(b6.qs[0], 0x1F | (0x21 << 6 & 0xFF));
  assert_int_equal(b6.qs[1], 0x21 >> 2);
}

static void test_nvf4_and_f8b128(void** state) {
  (void) state;
  float x[128], y[128];
  qb_block_nvf4 nb;
  qb_block_f8b128 fb;
  qb_quant_params g2;
  memset(&g2, 0, sizeof g2);
  g2.scale = 2.0f;
  memset(x, 0, sizeof x);
  quant(QB_FAMILY_f32_nvf4_quant, x, 16, &nb, NULL);
  assert_int_equal(nb.s, 0);
  quant(QB_FAMILY_nvf4_f32_dequant, (const float*) (const void*) &nb, 16, y, NULL);
  for (int i = 0; i < 16; i++) assert_true(y[i] == 0.0f);
  x[0] = 6.0f;
  x[1] = -1.5f;
  quant(QB_FAMILY_f32_nvf4_quant, x, 16, &nb, NULL);
  assert_int_equal(nb.s, 0x38); /* e4m3(6 / 6) = 1.0 */
  assert_int_equal(nb.qs[0], 0x7 | 0xB << 4);
  quant(QB_FAMILY_f32_nvf4_quant, x, 16, &nb, &g2); /* 6 / 6 / 2 = 0.5 */
  assert_int_equal(nb.s, 0x30);
  quant(QB_FAMILY_nvf4_f32_dequant, (const float*) (const void*) &nb, 16, y, &g2);
  assert_true(y[0] == 6.0f && y[1] == -1.5f);
  x[3] = NAN;
  quant(QB_FAMILY_f32_nvf4_quant, x, 16, &nb, NULL);
  assert_int_equal(nb.s, 0x7F);
  quant(QB_FAMILY_nvf4_f32_dequant, (const float*) (const void*) &nb, 16, y, NULL);
  assert_true(isnan(y[0]));
  /* FP8 per 128: an all-zero block gives d = 0 and zeros back (no 0 / 0). */
  memset(x, 0, sizeof x);
  quant(QB_FAMILY_f32_f8e4m3b128_quant, x, 128, &fb, NULL);
  assert_true(fb.d == 0.0f);
  quant(QB_FAMILY_f8e4m3b128_f32_dequant, (const float*) (const void*) &fb, 128, y, NULL);
  for (int i = 0; i < 128; i++) assert_true(y[i] == 0.0f);
  x[5] = 448.0f * 3;
  x[6] = -3.0f;
  quant(QB_FAMILY_f32_f8e4m3b128_quant, x, 128, &fb, NULL);
  assert_true(fb.d == 3.0f);
  assert_int_equal(fb.qs[5], 0x7E);
  assert_int_equal(fb.qs[6], 0xB8); /* -1.0 */
  x[9] = INFINITY;
  quant(QB_FAMILY_f32_f8e4m3b128_quant, x, 128, &fb, NULL);
  assert_true(isnan(fb.d));
}

/* NVFP4 divides by d (tests/common/nvf4_div.h): on the block where x / d and x * (1 / d)
 * fall on different sides of E2M1 boundaries, the reference gives x / d's codes, with the
 * tensor scale absent and with g = 5/128 (d = 48 g = 1.875 again). */
static void test_nvf4_divides(void** state) {
  (void) state;
  qb_block_nvf4 nb;
  qb_quant_params g;
  memset(&g, 0, sizeof g);
  g.scale = 0.0390625f;
  quant(QB_FAMILY_f32_nvf4_quant, qb_test_nvf4_div_x, 16, &nb, NULL);
  assert_int_equal(nb.s, qb_test_nvf4_div_s);
  assert_memory_equal(nb.qs, qb_test_nvf4_div_qs, sizeof nb.qs);
  quant(QB_FAMILY_f32_nvf4_quant, qb_test_nvf4_div_x, 16, &nb, &g);
  assert_int_equal(nb.s, 0x64); /* e4m3(48) */
  assert_memory_equal(nb.qs, qb_test_nvf4_div_qs, sizeof nb.qs);
}

static void fill(float* x, size_t n, uint64_t seed, double spread) {
  for (size_t i = 0; i < n; i++) {
    const double u = (double) (qb_test_rand(&seed) >> 11) * 0x1p-53;
    const double v = (double) (qb_test_rand(&seed) >> 11) * 0x1p-53;
    x[i] = (float) ((u - 0.5) * exp2((v - 0.5) * spread));
  }
}

static void test_dots(void** state) {
  (void) state;
  enum { N = 32 * 64 };
  static float a[N], b[N], da[N], db[N];
  static qb_block_mx8 qa[N / 32], qb[N / 32];
  static qb_block_mx4 q4[N / 32];
  static uint8_t fa[N], fbb[N];
  float r;
  fill(a, N, 1, 16);
  fill(b, N, 2, 16);
  quant(QB_FAMILY_f32_mxf8e4m3_quant, a, N, qa, NULL);
  quant(QB_FAMILY_f32_mxf8e4m3_quant, b, N, qb, NULL);
  quant(QB_FAMILY_f32_mxf4_quant, a, N, q4, NULL);
  quant(QB_FAMILY_mxf8e4m3_f32_dequant, (const float*) (const void*) qa, N, da, NULL);
  quant(QB_FAMILY_mxf8e4m3_f32_dequant, (const float*) (const void*) qb, N, db, NULL);
  double s = 0, sabs = 0;
  for (int i = 0; i < N; i++) s += (double) da[i] * db[i], sabs += fabs((double) da[i] * db[i]);
  qb_kernel_dot(qb_kernel_reference(QB_FAMILY_mxf8e4m3_dot))(N, qa, qb, &r);
  assert_true(fabs(r - s) <= 1e-5 * sabs);
  quant(QB_FAMILY_mxf4_f32_dequant, (const float*) (const void*) q4, N, da, NULL);
  s = sabs = 0;
  for (int i = 0; i < N; i++) s += (double) da[i] * db[i], sabs += fabs((double) da[i] * db[i]);
  qb_kernel_dot(qb_kernel_reference(QB_FAMILY_mxf4mxf8e4m3_dot))(N, q4, qb, &r);
  assert_true(fabs(r - s) <= 1e-5 * sabs);
  qa[3].e = 0xFF; /* a NaN scale poisons the dot */
  qb_kernel_dot(qb_kernel_reference(QB_FAMILY_mxf8e4m3_dot))(N, qa, qb, &r);
  assert_true(isnan(r));
  fill(a, N, 3, 4);
  quant(QB_FAMILY_f32_f8e4m3_cvtsat, a, N, fa, NULL);
  quant(QB_FAMILY_f32_f8e4m3_cvtsat, b, N, fbb, NULL);
  quant(QB_FAMILY_f8e4m3_f32_cvt, (const float*) (const void*) fa, N, da, NULL);
  quant(QB_FAMILY_f8e4m3_f32_cvt, (const float*) (const void*) fbb, N, db, NULL);
  s = sabs = 0;
  for (int i = 0; i < N; i++) s += (double) da[i] * db[i], sabs += fabs((double) da[i] * db[i]);
  qb_kernel_dot(qb_kernel_reference(QB_FAMILY_f8e4m3_dot))(N, fa, fbb, &r);
  assert_true(fabs(r - s) <= 1e-5 * sabs);
}

/* ---- Every non-scalar variant against its reference ------------------------------------ */

/* The families of kernels/lowbit/, from the registry: those whose reference lives there. */
static bool lowbit_family(qb_family f) {
  const qb_dtype mine[] = {QB_DTYPE_f6e2m3,   QB_DTYPE_f6e3m2,   QB_DTYPE_f4e2m1,   QB_DTYPE_e8m0,
                           QB_DTYPE_mxf8e4m3, QB_DTYPE_mxf8e5m2, QB_DTYPE_mxf6e2m3, QB_DTYPE_mxf6e3m2,
                           QB_DTYPE_mxf4,     QB_DTYPE_mxi8,     QB_DTYPE_nvf4,     QB_DTYPE_f8e4m3b128};
  const qb_family_info* fi = qb_family_get(f);
  for (size_t i = 0; i < sizeof mine / sizeof mine[0]; i++) {
    if (fi->in == mine[i] || fi->in2 == mine[i] || fi->out == mine[i]) return true;
  }
  return f == QB_FAMILY_f8e4m3_dot;
}

static bool checks(const qb_kernel_info* k) {
  return lowbit_family(k->family) && k != qb_kernel_reference(k->family);
}

/* The element casts' own cases: every n (a multiple of the group) up to 200 elements,
 * so every tail length of any unroll up to 64; decodes on bytes that hold every code at
 * every position of its group, encodes on every rounding tie of the format (both signs)
 * and its neighbours, NaNs, infinities, zeros, f32 subnormals and values at and above
 * the largest. */
static void check_elem(const qb_kernel_info* k, const fmt* f, int to_f32) {
  /* BIG: room for over two 4 KiB tiles of output of an encode (FP4: 2 elements a byte). */
  enum { M = 1024, BIG = 20000 };
  static float x[M + BIG];
  static uint8_t got[(M + BIG) * 4 + 128], want[(M + BIG) * 4 + 128];
  const qb_kernel_info* ref = qb_kernel_reference(k->family);
  const size_t group = (size_t) f->per_byte;
  size_t m = 0;
  if (to_f32) {
    uint8_t* b = (uint8_t*) x;
    for (size_t i = 0; i < sizeof x; i++) b[i] = (uint8_t) (i < 768 ? i : i * 37 + 11);
  } else {
    static const uint32_t special[] = {0x7FC00000u, 0xFFC00000u, 0x7F800001u, 0xFFFFFFFFu, 0x7FBFFFFFu,
                                       0x7F800000u, 0xFF800000u, 0x00000000u, 0x80000000u, 0x00000001u,
                                       0x807FFFFFu, 0x00400000u, 0x005FFFFFu, 0x00600000u, 0x00800000u,
                                       0x7F7FFFFFu, 0xFF7FFFFFu, 0x7F3FFFFFu, 0x7F400000u, 0x3FC00000u};
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++) x[m++] = from_bits(special[i]);
    for (int c = 0; c < f->nvals && m + 12 <= M; c++) {
      const double hi = c + 1 < f->nvals ? f->vals[c + 1] : 2 * f->vals[c];
      const float mid = (float) ((f->vals[c] + hi) / 2), v = (float) f->vals[c];
      const float near[6] = {mid, nextafterf(mid, 0.0f), nextafterf(mid, INFINITY),
                             v,   nextafterf(v, 0.0f),   nextafterf(v, INFINITY)};
      for (int j = 0; j < 6; j++) {
        x[m++] = near[j];
        x[m++] = -near[j];
      }
    }
    for (; m < M + BIG; m++) x[m] = x[(m * 7919) % 640]; /* the same values in another order */
  }
  for (size_t n = 0; n <= 200; n += group) {
    for (size_t at = 0; at + n <= M; at += 199 * group) {
      const size_t bytes = to_f32 ? n * 4 : n * (f->e8m0 ? 8u : 1u + (unsigned) (f->ebits + f->mbits)) / 8;
      const void* in = to_f32 ? (const void*) ((const uint8_t*) x + at) : (const void*) (x + at);
      memset(got, 0xA5, sizeof got);
      memset(want, 0xA5, sizeof want);
      qb_kernel_unary(k)(n, in, got, NULL);
      qb_kernel_unary(ref)(n, in, want, NULL);
      const size_t i = first_diff(got, want, bytes + 64);
      if (i < bytes + 64)
        fail_msg("%s: n = %zu at %zu: byte %zu is 0x%02X, the reference's 0x%02X", k->name, n, at, i, got[i],
                 want[i]);
    }
  }
  /* Over two 4 KiB tiles of output, into an output 64-byte aligned and 4 bytes off it, so
   * that a streamed call (kernels/common/stream-x86.h; test_kernels.c runs every check
   * with the threshold at 0 too) goes through its head, its tiles and its plain rest. */
#if defined(__x86_64__) || defined(__i386__) /* only x86 kernels stream */
  const size_t big = to_f32 ? 3000 : BIG;
  const size_t n = (big - 1) / (2 * group) * (2 * group) + group;
  for (size_t off = 0; off <= 4; off += 4) {
    const size_t bytes = to_f32 ? n * 4 : n * (f->e8m0 ? 8u : 1u + (unsigned) (f->ebits + f->mbits)) / 8;
    uint8_t* g = got + (64 - (uintptr_t) got % 64) % 64 + off;
    uint8_t* w = want + (64 - (uintptr_t) want % 64) % 64 + off;
    memset(got, 0xA5, sizeof got);
    memset(want, 0xA5, sizeof want);
    qb_kernel_unary(k)(n, x, g, NULL);
    qb_kernel_unary(ref)(n, x, w, NULL);
    const size_t i = first_diff(g, w, bytes + 64);
    if (i < bytes + 64)
      fail_msg("%s: n = %zu, output %zu bytes off 64: byte %zu is 0x%02X, the reference's 0x%02X", k->name, n,
               off, i, g[i], w[i]);
  }
#endif
}

/* The encodes on blocks of ordinary numbers (both signs, 2^-20 .. 2^8) with one special
 * input, then two, among them, at every position of a 64-element call: the AVX2 encodes
 * finish such blocks in a short path and redo the others (lowbit/elem-avx2.h), so a lone
 * zero, subnormal, NaN or huge value must be found wherever it sits. The specials: signed
 * zeros, subnormals at E8M0's rounding edges, the smallest normals, NaNs (quiet,
 * signaling, both signs, 0xFFC00000 and up), infinities, the largest finite values, and
 * powers of two around where the FP6 / FP4 codes of the short path saturate. */
static void check_elem_lone(const qb_kernel_info* k, const fmt* f) {
  enum { N = 64 };
  static const uint32_t special[] = {
      0x00000000u, 0x80000000u, 0x00000001u, 0x003FFFFFu, 0x00400000u, 0x005FFFFFu, 0x00600000u, 0x007FFFFFu,
      0x807FFFFFu, 0x00800000u, 0x00BFFFFFu, 0x00C00000u, 0x7FC00000u, 0xFFC00000u, 0xFFFFFFFFu, 0x7FFFFFFFu,
      0x7F800001u, 0xFF800001u, 0x7FBFFFFFu, 0x7F800000u, 0xFF800000u, 0x7F7FFFFFu, 0xFF7FFFFFu, 0x7F400000u,
      0x46800000u, 0xC6FFFFFFu, 0x47000000u, 0x4D800000u, 0x4E000000u, 0xCE800000u, 0x5E800000u, 0xDEFFFFFFu,
      0x5F000000u, 0x74000000u, 0xF4800000u, 0x75000000u, 0x75800000u, 0xF6000000u};
  enum { S = sizeof special / sizeof special[0] };
  const qb_kernel_info* ref = qb_kernel_reference(k->family);
  const size_t bytes = N * (f->e8m0 ? 8u : 1u + (unsigned) (f->ebits + f->mbits)) / 8;
  float bg[N], x[N];
  uint8_t got[N + 64], want[N + 64];
  for (int i = 0; i < N; i++) {
    const float v = ldexpf(1.0f + (float) (i * 37 % 64) / 64.0f, i * 13 % 28 - 20);
    bg[i] = i % 3 == 1 ? -v : v;
  }
  for (int pair = 0; pair < 2; pair++) {
    for (int a = 0; a < S; a++) {
      for (int t = 0; t < (pair ? S : N); t++) {
        memcpy(x, bg, sizeof x);
        const int pa = pair ? (a * 7 + t * 3) % N : t;
        x[pa] = from_bits(special[a]);
        if (pair) x[(pa + 1 + (a + t) % (N - 1)) % N] = from_bits(special[t]);
        memset(got, 0xA5, sizeof got);
        memset(want, 0xA5, sizeof want);
        qb_kernel_unary(k)(N, x, got, NULL);
        qb_kernel_unary(ref)(N, x, want, NULL);
        const size_t i = first_diff(got, want, bytes + 64);
        if (i < bytes + 64)
          fail_msg("%s: 0x%08X at %d%s%s: byte %zu is 0x%02X, the reference's 0x%02X", k->name, special[a],
                   pa, pair ? " with " : "", pair ? "another special" : "", i, got[i], want[i]);
      }
    }
  }
}

/* ---- The dots: every variant against its reference, within its declared bound --------- */

/* Room for the longest dot checked here (70 blocks of 32) and in check() (132). */
enum { DOT_MAX_N = 32 * 132, DOT_RANDOM_N = 32 * 70 };

/* A random E4M3 code that is not NaN (0x7F, 0xFF become 0x7E, 0xFE). */
static uint8_t rand_e4m3(uint64_t* s) {
  const uint8_t c = (uint8_t) (qb_test_rand(s) >> 24);
  return (c & 0x7Fu) == 0x7Fu ? (uint8_t) (c - 1u) : c;
}

/* Random dot inputs for family f over n elements: codes without NaN and E8M0 scales
 * 2^-20..2^20 (so that sums neither overflow nor underflow). */
static void dot_fill(qb_family f, void* a, void* b, size_t n, uint64_t seed) {
  if (f == QB_FAMILY_f8e4m3_dot) {
    for (size_t i = 0; i < n; i++) ((uint8_t*) a)[i] = rand_e4m3(&seed), ((uint8_t*) b)[i] = rand_e4m3(&seed);
    return;
  }
  for (size_t k = 0; k < n / 32; k++) {
    qb_block_mx8* y = (qb_block_mx8*) b + k;
    y->e = (uint8_t) (107 + qb_test_rand(&seed) % 41);
    for (int i = 0; i < 32; i++) y->qs[i] = rand_e4m3(&seed);
    if (f == QB_FAMILY_mxf8e4m3_dot) {
      qb_block_mx8* x = (qb_block_mx8*) a + k;
      x->e = (uint8_t) (107 + qb_test_rand(&seed) % 41);
      for (int i = 0; i < 32; i++) x->qs[i] = rand_e4m3(&seed);
    } else {
      qb_block_mx4* x = (qb_block_mx4*) a + k;
      x->e = (uint8_t) (107 + qb_test_rand(&seed) % 41);
      for (int i = 0; i < 16; i++) x->qs[i] = (uint8_t) (qb_test_rand(&seed) >> 40);
    }
  }
}

/* The element codes of input `side` (0: a, 1: b) of a dot: the codes of block k start
 * at the returned pointer; *e is the block's scale byte (NULL for f8e4m3_dot). */
static uint8_t* dot_codes(qb_family f, void* buf, int side, size_t k, uint8_t** e) {
  if (f == QB_FAMILY_f8e4m3_dot) {
    *e = NULL;
    return (uint8_t*) buf + 32 * k;
  }
  if (side == 0 && f == QB_FAMILY_mxf4mxf8e4m3_dot) {
    *e = &((qb_block_mx4*) buf)[k].e;
    return ((qb_block_mx4*) buf)[k].qs;
  }
  *e = &((qb_block_mx8*) buf)[k].e;
  return ((qb_block_mx8*) buf)[k].qs;
}

/* sum |a_i b_i| in double over the values the reference reads: its dequantizers on
 * copies with every scale 2^0 (so that no value overflows f32), times the scales in
 * double. */
static double dot_sum_abs(qb_family f, const void* a, const void* b, size_t n) {
  static float da[DOT_MAX_N], db[DOT_MAX_N];
  static uint8_t ua[DOT_MAX_N * 2], ub[DOT_MAX_N * 2];
  static double sa[DOT_MAX_N / 32], sb[DOT_MAX_N / 32];
  const bool mx = f != QB_FAMILY_f8e4m3_dot;
  const size_t bytes_a =
      f == QB_FAMILY_mxf4mxf8e4m3_dot ? n / 32 * sizeof(qb_block_mx4) : n / 32 * sizeof(qb_block_mx8);
  double s = 0.0;
  if (!mx) {
    quant(QB_FAMILY_f8e4m3_f32_cvt, (const float*) a, n, da, NULL);
    quant(QB_FAMILY_f8e4m3_f32_cvt, (const float*) b, n, db, NULL);
    for (size_t i = 0; i < n; i++) s += fabs((double) da[i] * db[i]);
    return s;
  }
  memcpy(ua, a, bytes_a);
  memcpy(ub, b, n / 32 * sizeof(qb_block_mx8));
  for (size_t k = 0; k < n / 32; k++) {
    uint8_t* ea;
    dot_codes(f, ua, 0, k, &ea);
    sa[k] = *ea == 0xFF ? NAN : ldexp(1.0, *ea - 127);
    *ea = 127;
    dot_codes(f, ub, 1, k, &ea);
    sb[k] = *ea == 0xFF ? NAN : ldexp(1.0, *ea - 127);
    *ea = 127;
  }
  quant(f == QB_FAMILY_mxf8e4m3_dot ? QB_FAMILY_mxf8e4m3_f32_dequant : QB_FAMILY_mxf4_f32_dequant,
        (const float*) (const void*) ua, n, da, NULL);
  quant(QB_FAMILY_mxf8e4m3_f32_dequant, (const float*) (const void*) ub, n, db, NULL);
  for (size_t i = 0; i < n; i++) s += fabs((double) da[i] * db[i]) * sa[i / 32] * sb[i / 32];
  return s;
}

/* One dot against the reference: bit-exact when the variant declares QB_SEM_EXACT;
 * otherwise a NaN where the reference gives one (any NaN under QB_SEM_NAN_CANON), the
 * same infinity, or within qb_dot_sem_bound. `what` names the case on failure. */
static void dot_compare(const qb_kernel_info* k, size_t n, const void* a, const void* b, const char* what) {
  float got = 1.0f, want = 2.0f;
  qb_kernel_dot(k)(n, a, b, &got);
  qb_kernel_dot(qb_kernel_reference(k->family))(n, a, b, &want);
  if (to_bits(got) == to_bits(want)) return;
  if (k->sem == QB_SEM_EXACT)
    fail_msg("%s: %s, n = %zu: got %a, want %a (declared exact)", k->name, what, n, got, want);
  if (isnan(want) && isnan(got) && (k->sem & QB_SEM_NAN_CANON)) return;
  if (!isfinite(want) || !isfinite(got) || !(k->sem & QB_SEM_REASSOC))
    fail_msg("%s: %s, n = %zu: got %a (0x%08x), want %a (0x%08x)", k->name, what, n, got, to_bits(got), want,
             to_bits(want));
  const double bound = qb_dot_sem_bound(n, dot_sum_abs(k->family, a, b, n), k->sem);
  if (!(fabs((double) got - want) <= bound))
    fail_msg("%s: %s, n = %zu: got %a, want %a: |diff| %g > bound %g", k->name, what, n, got, want,
             fabs((double) got - want), bound);
}

static void check_dot(const qb_kernel_info* k) {
  static uint8_t a[DOT_MAX_N * 2], b[DOT_MAX_N * 2];
  const qb_family f = k->family;
  const bool mx = f != QB_FAMILY_f8e4m3_dot;
  const bool fp4 = f == QB_FAMILY_mxf4mxf8e4m3_dot;
  uint8_t *ca, *cb, *ea, *eb;
  /* 1. Random inputs, every length up to 9 tiles (every block count for the MX dots),
   *    then longer ones: tails of every size, one block, many blocks. */
  for (uint64_t seed = 1; seed <= 3; seed++) {
    dot_fill(f, a, b, DOT_MAX_N, seed);
    for (size_t n = 0; n <= DOT_RANDOM_N; n += (mx ? 32 : 1) * (n < 9 * k->tile ? 1 : 7)) {
      dot_compare(k, n, a, b, "random codes");
    }
  }
  /* 2. Special values, at the first, a middle and the last block of several lengths. */
  const size_t lens[] = {32, 64, 96, 32 * 67, mx ? 32 * 3 : 37, mx ? 32 * 9 : 100};
  for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
    const size_t n = lens[li], nb = (n + 31) / 32;
    const size_t where[3] = {0, nb / 2, nb - 1};
    for (int w = 0; w < 3; w++) {
      const size_t kb = where[w];
      const size_t last = n - 1 - 32 * kb < 31 ? n - 1 - 32 * kb : 31; /* the block's last element */
      /* NaN codes of either sign on either side. */
      for (int side = 0; side < 2; side++) {
        for (int neg = 0; neg < 2 && !(fp4 && side == 0); neg++) {
          dot_fill(f, a, b, DOT_MAX_N, 10 + li);
          uint8_t* c = dot_codes(f, side ? b : a, side, kb, &ea);
          c[last] = neg ? 0xFF : 0x7F;
          dot_compare(k, n, a, b, "a NaN code");
        }
      }
      if (!mx) continue;
      /* NaN scales on either side. */
      for (int side = 0; side < 2; side++) {
        dot_fill(f, a, b, DOT_MAX_N, 20 + li);
        dot_codes(f, side ? b : a, side, kb, &ea);
        *ea = 0xFF;
        dot_compare(k, n, a, b, "a NaN scale");
      }
      /* The smallest scales (2^-127 both: products far below f32's subnormals), the
       * largest (2^127 both: the sum overflows), and 2^127 . 2^-126, where the
       * reference's (p * 2^127) * 2^-126 overflows although the product of the scales
       * is 2: a kernel that multiplies the scales first differs. A NaN scale beside 2^-27
       * (a kernel that adds the two exponent bytes must still see the NaN), and
       * 2^-108 / 2^-109, where the smallest block sums (2^-18) times the scale stop / start
       * being f32 subnormals. mxf4mxf8e4m3_dot's one-FMA scaling on AVX2 (ea in [11, 227],
       * ea + eb in [138, 354]): a NaN scale beside 2^-67, whose byte sum is inside that
       * range, and the two sides of its lower edge (11 + 127, 10 + 128). The x86 kernels'
       * path for scales that could overflow a lane (ea > 227 or ea + eb > 354: summed, then
       * scaled) with a finite result: 2^101 . 2^-27, 2^100 . 2^1, 2^113 . 2^-67. Each pair
       * at block kb alone (the other blocks random), then at every block (the pair's path
       * alone makes the sum: a block whose scaling is wrong cannot hide under the others). */
      const uint8_t scales[][2] = {{0, 0},    {254, 254}, {254, 1},   {0, 254},  {100, 255}, {255, 100},
                                   {19, 127}, {18, 127},  {127, 19},  {127, 18}, {60, 255},  {11, 127},
                                   {10, 128}, {228, 100}, {227, 128}, {240, 60}};
      for (size_t si = 0; si < sizeof scales / sizeof scales[0]; si++) {
        for (int every = 0; every < 2 && !(every && w > 0); every++) {
          dot_fill(f, a, b, DOT_MAX_N, 30 + li);
          for (size_t kk = every ? 0 : kb; kk < (every ? nb : kb + 1); kk++) {
            dot_codes(f, a, 0, kk, &ea);
            dot_codes(f, b, 1, kk, &eb);
            *ea = scales[si][0];
            *eb = scales[si][1];
          }
          dot_compare(k, n, a, b, every ? "extreme scales at every block" : "extreme scales");
        }
      }
    }
    /* Every code at its largest magnitude (E4M3 +-448, FP4 +-6), all of one sign and of
     * alternating signs, under the largest and moderate scales; every code subnormal. */
    for (int pat = 0; pat < 5; pat++) {
      dot_fill(f, a, b, DOT_MAX_N, 40 + li);
      for (size_t kb = 0; kb < nb; kb++) {
        ca = dot_codes(f, a, 0, kb, &ea);
        cb = dot_codes(f, b, 1, kb, &eb);
        for (int i = 0; i < 32; i++) {
          const uint8_t sign = pat == 1 && (i & 1) ? 0x80 : 0;
          const uint8_t e4 = pat == 4 ? (uint8_t) (1 + (i % 7)) : (uint8_t) (0x7E | sign);
          if (fp4) {
            if (i < 16) ca[i] = pat == 4 ? 0x11 : (uint8_t) (sign ? 0xF7 : 0x77);
          } else {
            ca[i] = e4;
          }
          cb[i] = pat == 4 ? (uint8_t) (0x80 | (1 + (i % 5))) : e4;
        }
        if (ea != NULL) *ea = pat == 2 ? 254 : pat == 3 ? 127 + 60 : *ea;
        if (eb != NULL) *eb = pat == 2 ? 254 : pat == 3 ? 127 + 60 : *eb;
      }
      dot_compare(k, n, a, b, "largest or subnormal codes");
    }
  }
  /* 3. Misaligned inputs: each side at byte offsets 1 to 63 from the buffer's start (the
   *    AVX-512 kernels load 64 bytes, or two blocks, at a time), lengths of a few tiles
   *    with tails (whole blocks for the MX dots). */
  static const size_t offs[][2] = {{1, 0}, {0, 1}, {3, 5}, {31, 17}, {33, 63}, {63, 2}};
  for (size_t oi = 0; oi < sizeof offs / sizeof offs[0]; oi++) {
    uint8_t* pa = a + offs[oi][0];
    uint8_t* pb = b + offs[oi][1];
    dot_fill(f, pa, pb, DOT_RANDOM_N, 50 + oi);
    for (size_t n = 0; n <= 5 * k->tile + 96; n += (mx ? 32 : 1) * (n < 2 * k->tile ? 1 : 5))
      dot_compare(k, n, pa, pb, "misaligned inputs");
  }
}

/*
 * The MX quantizers of the float formats (and FP8 per 128, whose d = amax / 448 is then
 * 2^s exactly, so that x / d lands on the same points) on every rounding boundary of their grids: for
 * every shared exponent s from -127 to the largest that the format reaches (amax = the
 * largest value x 2^s, which sets s under FLOOR and RCEIL alike), blocks of the format's
 * values, the midpoints between neighbours (the ties) and the powers of two that start its
 * binades, each as it is and one f32 ulp either side, both signs, times 2^s, and values 1
 * to 40 binades under the smallest subnormal (every fifth s in the middle of the range,
 * where the x86 fast path's constants are all that s changes). The x86 variants take
 * each element's rounding constant from its binade index over the floor binade
 * (lowbit-avx2.h, mxq-avx512.h), so these are the inputs where an index one off, a table
 * entry or the saturation below the floor shows; the slow path's scales (near -127 and
 * the top) included.
 */
static void check_mx_grid(const qb_kernel_info* k) {
  /* ebits, mbits, bias and the largest magnitude code of the element format. */
  static const struct {
    qb_dtype out;
    int ebits, mbits, bias, maxcode, blen;
  } fmts[] = {{QB_DTYPE_mxf8e4m3, 4, 3, 7, 0x7E, 32}, {QB_DTYPE_mxf8e5m2, 5, 2, 15, 0x7B, 32},
              {QB_DTYPE_mxf6e2m3, 2, 3, 1, 0x1F, 32}, {QB_DTYPE_mxf6e3m2, 3, 2, 3, 0x1F, 32},
              {QB_DTYPE_mxf4, 2, 1, 1, 0x07, 32},     {QB_DTYPE_f8e4m3b128, 4, 3, 7, 0x7E, 128}};
  const qb_family_info* f = qb_family_get(k->family);
  int fi = -1;
  for (int i = 0; i < (int) (sizeof fmts / sizeof fmts[0]); i++)
    if (f->kind == QB_KIND_unary && f->in == QB_DTYPE_f32 && f->out == fmts[i].out) fi = i;
  if (fi < 0) return;
  const int mbits = fmts[fi].mbits, bias = fmts[fi].bias, maxcode = fmts[fi].maxcode, bl = fmts[fi].blen;
  double vals[128];
  for (int c = 0; c <= maxcode; c++) {
    const int e = c >> mbits, m = c & ((1 << mbits) - 1);
    vals[c] = e == 0 ? ldexp(m, 1 - bias - mbits) : ldexp(1.0 + ldexp(m, -mbits), e - bias);
  }
  /* Per s: 31 elements per block after its amax; values, midpoints, binade starts (the
   * normal values with mantissa 0 are among the values), each -ulp, 0, +ulp. */
  enum { MAXV = 3 * 2 * 3 * 128 + 2 * 40, MAXB = (MAXV + 30) / 31 };
  static float base[MAXV], x[MAXB * 32];
  static uint8_t got[MAXB * 33 + 256], want[MAXB * 33 + 256];
  const qb_kernel_info* ref = qb_kernel_reference(k->family);
  const int emax = (int) floor(log2(vals[maxcode]));
  for (int s = -127; s <= 127 - emax - 1; s++) {
    /* Every s at the ends (the slow path's and its edges), every fifth between. */
    if (s > -115 && s < 95 && s % 5 != 0) continue;
    int nv = 0;
    for (int c = 0; c <= maxcode; c++) {
      const double v[2] = {vals[c], c < maxcode ? (vals[c] + vals[c + 1]) / 2 : vals[c]};
      for (int h = 0; h < 2; h++) {
        const float t = ldexpf((float) v[h], s);
        const float u[3] = {nextafterf(t, 0.0f), t, nextafterf(t, INFINITY)};
        for (int i = 0; i < 3; i++) {
          base[nv++] = u[i];
          base[nv++] = -u[i];
        }
      }
    }
    for (int d = 1; d <= 40; d++) {
      base[nv++] = ldexpf((float) vals[1], s - d);
      base[nv++] = -ldexpf(1.5f * (float) vals[1], s - d);
    }
    const int nb = (nv + bl - 2) / (bl - 1);
    const float amax = ldexpf((float) vals[maxcode], s);
    for (int b = 0; b < nb; b++) {
      x[bl * b] = b & 1 ? -amax : amax;
      for (int i = 1; i < bl; i++) {
        const int at = (bl - 1) * b + i - 1;
        x[bl * b + i] = at < nv ? base[at] : 0.0f;
      }
    }
    memset(got, 0xA5, sizeof got);
    memset(want, 0xA5, sizeof want);
    qb_kernel_unary(k)((size_t) nb * bl, x, got, NULL);
    qb_kernel_unary(ref)((size_t) nb * bl, x, want, NULL);
    if (memcmp(got, want, sizeof got) != 0)
      fail_msg("%s: the grid blocks at s = %d differ from the reference", k->name, s);
  }
}

/*
 * The block dequantizers (MX, NVFP4) under every scale byte, each with every code at every
 * position of the packed stream: for scale byte e, 2^w / 32 blocks (at least 2; w the
 * code width) whose element i holds code (i + i / 2^w) mod 2^w, so that every code meets
 * every neighbour. The x86 variants take the blocks of some scales (the NaN scales, the
 * largest, NVFP4's subnormal and NaN E4M3 codes) by another path than the rest: a range one
 * off shows here. NVFP4 also under tensor scales that make d subnormal or infinite.
 */
static void check_dequant_scales(const qb_kernel_info* k) {
  static const struct {
    qb_family family;
    int width, blen;
  } fmts[] = {{QB_FAMILY_mxf8e4m3_f32_dequant, 8, 32}, {QB_FAMILY_mxf8e5m2_f32_dequant, 8, 32},
              {QB_FAMILY_mxf6e2m3_f32_dequant, 6, 32}, {QB_FAMILY_mxf6e3m2_f32_dequant, 6, 32},
              {QB_FAMILY_mxf4_f32_dequant, 4, 32},     {QB_FAMILY_mxi8_f32_dequant, 8, 32},
              {QB_FAMILY_nvf4_f32_dequant, 4, 16}};
  int fi = -1;
  for (int i = 0; i < (int) (sizeof fmts / sizeof fmts[0]); i++)
    if (k->family == fmts[i].family) fi = i;
  if (fi < 0) return;
  const int w = fmts[fi].width, bl = fmts[fi].blen, bbytes = 1 + bl * w / 8;
  const int per = (1 << w) / bl > 2 ? (1 << w) / bl : 2, nb = 256 * per;
  static uint8_t in[256 * 8 * 33];
  static float got[256 * 8 * 32 + 16], want[256 * 8 * 32 + 16];
  memset(in, 0, sizeof in);
  for (int b = 0; b < nb; b++) {
    uint8_t* blk = in + (size_t) b * bbytes;
    blk[0] = (uint8_t) (b / per);
    for (int j = 0; j < bl; j++) {
      const int i = (b % per) * bl + j, c = (i + i / (1 << w)) % (1 << w);
      for (int t = 0; t < w; t++)
        if (c >> t & 1) blk[1 + (j * w + t) / 8] |= (uint8_t) (1 << ((j * w + t) % 8));
    }
  }
  const qb_kernel_info* ref = qb_kernel_reference(k->family);
  static const float gs[] = {0.0f, 1e-38f, 3e38f, 0.37f};
  const int ng = k->family == QB_FAMILY_nvf4_f32_dequant ? 4 : 1;
  for (int gi = 0; gi < ng; gi++) {
    qb_quant_params p;
    memset(&p, 0, sizeof p);
    p.scale = gs[gi];
    memset(got, 0xA5, sizeof got);
    memset(want, 0xA5, sizeof want);
    qb_kernel_unary(k)((size_t) nb * bl, in, got, gi == 0 ? NULL : &p);
    qb_kernel_unary(ref)((size_t) nb * bl, in, want, gi == 0 ? NULL : &p);
    for (int i = 0; i < nb * bl + 16; i++)
      if (memcmp(&got[i], &want[i], 4) != 0)
        fail_msg("%s: g = %g, scale byte 0x%02X, element %d: got 0x%08X, want 0x%08X", k->name,
                 (double) gs[gi], i < nb * bl ? in[(size_t) (i / bl) * bbytes] : 0, i % bl, to_bits(got[i]),
                 to_bits(want[i]));
  }
}

/*
 * The per-128 FP8 dequantizer with every code at every position (block b holds code
 * (b + i) mod 256 at element i: NaN codes too, next to every other) under scales on both
 * sides of the x86 rows' fast-path edge (|d| 2^8 exact and finite: |d| < 2^119), the
 * smallest subnormal, zero, inf and NaN, both signs.
 */
static void check_f8b128_dequant_codes(const qb_kernel_info* k) {
  if (k->family != QB_FAMILY_f8e4m3b128_f32_dequant) return;
  static const float ds[] = {1.0f, -0.37f, 0x1p-149f, 0.0f, 0x1.fffffep118f, -0x1p119f, 3e38f, INFINITY, NAN};
  enum { NB = 256 };
  static qb_block_f8b128 in[NB];
  static float got[NB * 128 + 16], want[NB * 128 + 16];
  for (int di = 0; di < (int) (sizeof ds / sizeof ds[0]); di++) {
    for (int b = 0; b < NB; b++) {
      in[b].d = (b & 1) && ds[di] == ds[di] ? -ds[di] : ds[di];
      for (int i = 0; i < 128; i++) in[b].qs[i] = (uint8_t) (b + i);
    }
    memset(got, 0xA5, sizeof got);
    memset(want, 0xA5, sizeof want);
    qb_kernel_unary(k)((size_t) NB * 128, in, got, NULL);
    qb_kernel_unary(qb_kernel_reference(k->family))((size_t) NB * 128, in, want, NULL);
    for (int i = 0; i < NB * 128 + 16; i++)
      if (memcmp(&got[i], &want[i], 4) != 0)
        fail_msg("%s: d = %a, block %d, element %d (code 0x%02X): got 0x%08X, want 0x%08X", k->name,
                 (double) ds[di], i / 128, i % 128, (i / 128 + i % 128) & 0xFF, to_bits(got[i]),
                 to_bits(want[i]));
  }
}

/*
 * FP8 per 128 under a subnormal scale: amax = a x 2^-149 for a = 1 .. 2000 (d = amax / 448
 * rounded to a multiple of 2^-149, or 0), so that x / d reaches up to about 1.5 x 448 and
 * every quotient above 448 must saturate to 0x7E (the x86 rows clamp the quotient to 448
 * before rounding it, the reference the rounded code); the other elements are every
 * multiple of 2^-149 below amax in turn, both signs.
 */
static void check_f8b128_tiny(const qb_kernel_info* k) {
  if (qb_family_get(k->family)->out != QB_DTYPE_f8e4m3b128) return;
  enum { NB = 2000 };
  static float x[NB * 128];
  static uint8_t got[NB * 132 + 64], want[NB * 132 + 64];
  for (int b = 0; b < NB; b++) {
    const int a = b + 1;
    x[128 * b] = (b & 1 ? -1.0f : 1.0f) * ldexpf((float) a, -149);
    for (int i = 1; i < 128; i++)
      x[128 * b + i] = (i & 1 ? -1.0f : 1.0f) * ldexpf((float) ((i * 7 + b) % a + 1), -149);
  }
  memset(got, 0xA5, sizeof got);
  memset(want, 0xA5, sizeof want);
  qb_kernel_unary(k)((size_t) NB * 128, x, got, NULL);
  qb_kernel_unary(qb_kernel_reference(k->family))((size_t) NB * 128, x, want, NULL);
  for (size_t i = 0; i < (size_t) NB * 132; i++)
    if (got[i] != want[i])
      fail_msg("%s: subnormal-scale block %zu, byte %zu: got 0x%02X, want 0x%02X", k->name, i / 132, i % 132,
               got[i], want[i]);
}

/*
 * FP8 per 128 at the bottom of the normal scales: amax from 128 f32 steps below 448 x 2^-126
 * to 128 above (d = amax / 448 rounds to the largest subnormals, 2^-126 and the smallest
 * normals), the other elements amax and its 127 neighbours below (quotients near 448,
 * both signs) or amax times k / 128 (a spread of codes), in turn. The x86 rows clamp the
 * quotient only under a subnormal d (blkq-avx2.h): a normal d keeps every |x / d| below
 * the tie at 464, a subnormal one does not.
 */
static void check_f8b128_min_normal(const qb_kernel_info* k) {
  if (qb_family_get(k->family)->out != QB_DTYPE_f8e4m3b128) return;
  enum { NB = 512 };
  static float x[NB * 128];
  static uint8_t got[NB * 132 + 64], want[NB * 132 + 64];
  const uint32_t mid = to_bits(ldexpf(448.0f, -126));
  for (int b = 0; b < NB; b++) {
    const uint32_t a = mid - 128u + (uint32_t) (b / 2);
    for (int i = 0; i < 128; i++) {
      const float m = b & 1 ? from_bits(a - (uint32_t) i) : from_bits(a) * (float) (128 - i) / 128.0f;
      x[128 * b + i] = (i + b) & 1 ? -m : m;
    }
  }
  memset(got, 0xA5, sizeof got);
  memset(want, 0xA5, sizeof want);
  qb_kernel_unary(k)((size_t) NB * 128, x, got, NULL);
  qb_kernel_unary(qb_kernel_reference(k->family))((size_t) NB * 128, x, want, NULL);
  for (size_t i = 0; i < (size_t) NB * 132; i++)
    if (got[i] != want[i])
      fail_msg("%s: block %zu near the smallest normal scale, byte %zu: got 0x%02X, want 0x%02X", k->name,
               i / 132, i % 132, got[i], want[i]);
}

/*
 * FP8 per 128 at the rounding boundaries of E4M3: for 64 scales (d = 3 x 2^k and other
 * few-bit d, where m d is exact and x / d an exact tie, then d of 23 random bits), every
 * midpoint m between neighbouring E4M3 values up to 448 (those of the subnormal codes
 * included) as x = fl(m d) moved by -4 .. 4 f32 steps, one step per block, both signs;
 * element 0 holds amax = 448 d, element 127 a zero: the quotients a product by 1/d may
 * put on the wrong side of a boundary (blkq-avx512.h's rows, which divide there; used by
 * the tile quantizer, test_f8tile's case 5).
 */
static void check_f8b128_ties(const qb_kernel_info* k) {
  if (qb_family_get(k->family)->out != QB_DTYPE_f8e4m3b128) return;
  enum { ND = 64, NB = ND * 9 };
  static float x[NB * 128];
  static uint8_t got[NB * 132 + 64], want[NB * 132 + 64];
  uint32_t seed = 12345u;
  for (int di = 0; di < ND; di++) {
    seed = seed * 1664525u + 1013904223u;
    const float amax =
        di < 24 ? 448.0f * (float) (2 * (di % 8) + 1) * ldexpf(1.0f, di / 8 * 9 - 9)
                : from_bits(to_bits(448.0f) + (seed >> 9) + (uint32_t) ((di % 24) - 12) * (1u << 23));
    const float d = amax / 448.0f;
    for (int st = 0; st < 9; st++) {
      float* xb = x + 128 * (di * 9 + st);
      xb[0] = st & 1 ? -amax : amax;
      xb[127] = st & 2 ? -0.0f : 0.0f;
      for (int c = 0; c < 126; c++) {
        /* The midpoint between codes c and c + 1. */
        const float v0 = c < 8 ? ldexpf((float) c, -9) : ldexpf((float) (8 + (c & 7)), (c >> 3) - 10);
        const float v1 = c + 1 < 8 ? ldexpf((float) (c + 1), -9)
                                   : ldexpf((float) (8 + ((c + 1) & 7)), ((c + 1) >> 3) - 10);
        const float m = from_bits(to_bits(fabsf((v0 + v1) / 2.0f * d)) + (uint32_t) (st - 4));
        xb[1 + c] = (c + st) & 1 ? -m : m;
      }
    }
  }
  memset(got, 0xA5, sizeof got);
  memset(want, 0xA5, sizeof want);
  qb_kernel_unary(k)((size_t) NB * 128, x, got, NULL);
  qb_kernel_unary(qb_kernel_reference(k->family))((size_t) NB * 128, x, want, NULL);
  for (size_t i = 0; i < (size_t) NB * 132; i++)
    if (got[i] != want[i])
      fail_msg("%s: block %zu at the E4M3 boundaries, byte %zu: got 0x%02X, want 0x%02X", k->name, i / 132,
               i % 132, got[i], want[i]);
}

/*
 * NVFP4 under f32 subnormal tensor scales g: blocks of 16 multiples of 2^-149, amax = a x
 * 2^-149 for a = 1 .. 2048, so that d = e4m3(s) g is itself a subnormal rounded far from
 * s g (quotients x / d up to about 12: the x86 codes must clamp them, blkq-avx2.h) or 0.
 */
static void check_nvf4_tiny_g(const qb_kernel_info* k) {
  if (k->family != QB_FAMILY_f32_nvf4_quant) return;
  enum { NB = 2048 };
  static float x[NB * 16];
  static uint8_t got[NB * 9 + 64], want[NB * 9 + 64];
  static const float gs[] = {0x1p-149f, 0x1p-147f, 0x1p-145f, 0x1p-143f, 0x1p-140f, 1e-40f};
  for (int b = 0; b < NB; b++) {
    const int a = b + 1;
    x[16 * b] = (b & 1 ? -1.0f : 1.0f) * ldexpf((float) a, -149);
    for (int i = 1; i < 16; i++)
      x[16 * b + i] = (i & 1 ? -1.0f : 1.0f) * ldexpf((float) ((i * 7 + b) % a + 1), -149);
  }
  for (size_t gi = 0; gi < sizeof gs / sizeof gs[0]; gi++) {
    qb_quant_params p;
    memset(&p, 0, sizeof p);
    p.scale = gs[gi];
    memset(got, 0xA5, sizeof got);
    memset(want, 0xA5, sizeof want);
    qb_kernel_unary(k)((size_t) NB * 16, x, got, &p);
    qb_kernel_unary(qb_kernel_reference(k->family))((size_t) NB * 16, x, want, &p);
    for (size_t i = 0; i < (size_t) NB * 9; i++)
      if (got[i] != want[i])
        fail_msg("%s: g = %a, block %zu, byte %zu: got 0x%02X, want 0x%02X", k->name, (double) gs[gi], i / 9,
                 i % 9, got[i], want[i]);
  }
}

/* The value of a finite E4M3 code 0x00-0x7E (its definition: 2^-9 m for exponent field 0,
 * else (8 + m) 2^(e - 10)). */
static float e4m3_value(uint8_t c) {
  const int e = c >> 3, m = c & 7;
  return e == 0 ? ldexpf((float) m, -9) : ldexpf((float) (8 + m), e - 10);
}

/*
 * NVFP4 at the rounding boundaries of E2M1 (0.25, 0.75, 1.25, 1.75, 2.5, 3.5, 5) and at its
 * saturation (6), for many block scales d: under tensor scales g (none, few-bit ones where
 * x / d is an exact tie, 23-bit ones, huge ones, and tiny ones that make d an f32
 * subnormal) and scale codes s (E4M3 subnormals, normals, 0x7E), blocks whose element 0 is
 * the amax fl(6 e4m3(s) g) and whose others are each boundary b as x = fl(b d) moved by
 * -1, 0, +1 f32 steps (held at the amax), both signs; d = e4m3(s') g from the scale s' that
 * the reference gives the amax. The quotients a product by 1/d may put on the wrong side
 * of a boundary (f32_nvf4_quant__avx512vbmi_rcp_u256's bracket, which divides there). The
 * kernel runs on the blocks as they lie and from a pointer one float past a 64-byte line.
 */
static void check_nvf4_boundaries(const qb_kernel_info* k) {
  if (k->family != QB_FAMILY_f32_nvf4_quant) return;
  static const float gs[] = {0.0f,           5.0f / 128.0f, 0.375f, 0.37f,     1.7f,  0x1.234566p+5f,
                             0x1.fffffep-3f, 3e4f,          1e30f,  0x1p-140f, 1e-40f};
  static const uint8_t ss[] = {0x01, 0x03, 0x07, 0x08, 0x1A, 0x30, 0x38, 0x3F, 0x44, 0x55, 0x6F, 0x7D, 0x7E};
  static const float bounds[8] = {0.25f, 0.75f, 1.25f, 1.75f, 2.5f, 3.5f, 5.0f, 6.0f};
  /* 8 blocks per scale code, 7 iterations of the AVX-512 kernel's 16 blocks. */
  enum { NS = sizeof ss, NB = NS * 8 + 8, NX = NB * 16 };
  static float x[NX];
  static _Alignas(64) float buf[NX + 16];
  static uint8_t got[NB * 9 + 64], want[NB * 9 + 64];
  for (size_t gi = 0; gi < sizeof gs / sizeof gs[0]; gi++) {
    const float g = gs[gi] != 0.0f ? gs[gi] : 1.0f;
    qb_quant_params p;
    memset(&p, 0, sizeof p);
    p.scale = gs[gi];
    memset(x, 0, sizeof x);
    for (int si = 0; si < NS; si++) {
      const float amax = 6.0f * e4m3_value(ss[si]) * g;
      float blk[16] = {amax};
      qb_block_nvf4 one;
      qb_kernel_unary(qb_kernel_reference(k->family))(16, blk, &one, gi == 0 ? NULL : &p);
      if (!isfinite(amax) || one.s > 0x7E) continue;
      const float d = e4m3_value(one.s) * g;
      /* 24 values (8 boundaries, 3 steps each) over two blocks, then both again negated
       * (element 0 too) with the signs of the others alternating the other way. */
      for (int v = 0; v < 4; v++) {
        float* xb = x + 16 * (8 * si + 2 * v);
        for (int h = 0; h < 2; h++) {
          xb[16 * h] = v & 2 ? -amax : amax;
          for (int i = 1; i < 16; i++) {
            const int j = 15 * h + i - 1;
            float m = 0.0f;
            if (j < 24) {
              const uint32_t w = to_bits(bounds[j / 3] * d);
              m = w == 0 && j % 3 == 0 ? 0.0f : from_bits(w + (uint32_t) (j % 3) - 1u);
              if (m > amax) m = amax;
            }
            xb[16 * h + i] = (i + v) & 1 ? -m : m;
          }
        }
      }
    }
    for (int shift = 0; shift < 2; shift++) {
      float* xs = buf + shift;
      memcpy(xs, x, sizeof x);
      memset(got, 0xA5, sizeof got);
      memset(want, 0xA5, sizeof want);
      qb_kernel_unary(k)((size_t) NX, xs, got, gi == 0 ? NULL : &p);
      qb_kernel_unary(qb_kernel_reference(k->family))((size_t) NX, xs, want, gi == 0 ? NULL : &p);
      for (size_t i = 0; i < (size_t) NB * 9 + 64; i++)
        if (got[i] != want[i])
          fail_msg("%s: g = %a%s, block %zu at the E2M1 boundaries, byte %zu: got 0x%02X, want 0x%02X",
                   k->name, (double) gs[gi], shift ? " (pointer 4 bytes past a line)" : "", i / 9, i % 9,
                   got[i], want[i]);
    }
  }
}

/* One non-scalar variant against its reference over three spreads of inputs, every n
 * that is a multiple of the block up to 8 blocks, then every 13th. */
static void check(const qb_kernel_info* k) {
  int to_f32 = 0;
  const fmt* ef = fmt_of_cast(k->family, &to_f32);
  if (ef != NULL) check_elem(k, ef, to_f32);
  if (ef != NULL && !to_f32) check_elem_lone(k, ef);
  check_mx_grid(k);
  check_f8b128_tiny(k);
  check_f8b128_min_normal(k);
  check_f8b128_ties(k);
  check_nvf4_tiny_g(k);
  check_nvf4_boundaries(k);
  check_dequant_scales(k);
  check_f8b128_dequant_codes(k);
  enum { N = 128 * 33 };
  static float x[N];
  static uint8_t in[N * 4], in2[N * 4], got[N * 4 + 64], want[N * 4 + 64];
  const qb_family_info* f = qb_family_get(k->family);
  const qb_kernel_info* ref = qb_kernel_reference(k->family);
  if (f->kind == QB_KIND_dot) check_dot(k);
  /* Three spreads of magnitudes: within one block's reach, across all of f32, and narrow
   * (many elements at the top of their block, where saturation and ties decide). */
  static const double spread[3] = {40, 260, 3};
  for (int pass = 0; pass < 3; pass++) {
    fill(x, N, 7 + (uint64_t) pass, spread[pass]);
    x[5] = NAN;
    x[200] = INFINITY;
    /* Edge blocks among the random ones: all zero, ties of every element grid (amax 6:
     * scale 1 for e2m1/e2m3), amax at FLT_MAX (both signs: MXINT8's RCEIL scale clamps
     * at 2^127 there, so -FLT_MAX x 2^-127 rounds to -128 and must be held at -127) and at
     * 2^-149, subnormal inputs. */
    for (int i = 0; i < 32; i++) {
      x[256 + i] = 0.0f;
      x[288 + i] = (float) (i - 16) * 0.125f + 0.0625f;
      x[320 + i] = i == 3 ? 3.4028235e38f : i == 5 ? -3.4028235e38f : (float) i * 1e30f;
      x[352 + i] = i == 0 ? 0x1p-149f : 0.0f;
      x[384 + i] = (float) i * 0x1p-140f;
    }
    x[288] = 6.0f;
    /* Every tie of the E2M1 grid (scale 1 under amax 6), and of the finer grids: multiples
     * of 0.25 from -1.75 to 5.75, so ties even and ties away differ. */
    for (int i = 0; i < 32; i++) x[448 + i] = i == 0 ? 6.0f : (float) (i - 8) * 0.25f;
    /* A block of 128 subnormals (element 512: a block of every format) whose amax / 448
     * rounds to 2^-149, so that x / d reaches 638 and the E4M3 codes saturate at 448. */
    for (int i = 0; i < 128; i++) x[512 + i] = (float) ((i & 1 ? -1 : 1) * (5 * i + 3)) * 0x1p-149f;
    /* An NVFP4 block on which dividing by d and multiplying by 1 / d differ (nvf4_div.h). */
    memcpy(x + 416, qb_test_nvf4_div_x, sizeof qb_test_nvf4_div_x);
    /* Blocks at the edges of the x86 MX quantizers' fast path (lowbit-avx2.h: the scale
     * folded into the rounding constant or the multiplier for shared exponents within a
     * range per format, the elements multiplied by 2^-s first outside it): amaxes from
     * 2^-130 to 2^-96 and from 2^98 to 2^110 in steps of 2^2, with both signs and many
     * mantissas. */
    for (int j = 0; j < 25; j++) {
      const int e = j < 18 ? -130 + 2 * j : 98 + 2 * (j - 18);
      for (int i = 0; i < 32; i++)
        x[640 + 32 * j + i] = ldexpf((float) ((i * 7 + j) % 32 + 1) / 32.0f, e) * (i & 2 ? -1.0f : 1.0f);
    }
    /* Inputs: f32 as is; any other dtype reads the same bytes as its codes. */
    memcpy(in, x, sizeof x);
    memcpy(in2, x, sizeof x);
    for (size_t n = 0; n <= N; n += f->n_multiple * (n < 8 * f->n_multiple ? 1 : 13)) {
      memset(got, 0xA5, sizeof got);
      memset(want, 0xA5, sizeof want);
      if (f->kind == QB_KIND_dot) {
        dot_compare(k, n, in, in2, "f32 bytes as codes");
      } else {
        /* NVFP4 also under tensor scales g that move the block scales into E4M3's
         * subnormals and zero (g large) or into its saturation (g small); 0: none. The
         * dequantizer also under a g that makes d infinite (its table path must not take
         * those blocks). Subnormal g: check_nvf4_tiny_g. */
        static const float gs[] = {0.0f, 0.37f, 3e4f, 1e-30f, 1e30f, 3e38f};
        const int ng = k->family == QB_FAMILY_f32_nvf4_quant     ? 5
                       : k->family == QB_FAMILY_nvf4_f32_dequant ? 6
                                                                 : 1;
        for (int gi = 0; gi < ng; gi++) {
          qb_quant_params p;
          memset(&p, 0, sizeof p);
          p.scale = gs[gi];
          memset(got, 0xA5, sizeof got);
          qb_kernel_unary(k)(n, in, got, gi == 0 ? NULL : &p);
          qb_kernel_unary(ref)(n, in, want, gi == 0 ? NULL : &p);
          if (memcmp(got, want, sizeof got) != 0)
            fail_msg("%s: n = %zu, g = %g differs from the reference", k->name, n, (double) gs[gi]);
        }
      }
    }
  }
}

/* ---- --dump: the reference on raw bytes, for tests/lowbit_oracle.py ---------------------- */

static int dump(const char* family, const char* in_path, const char* out_path, const char* g) {
  const qb_family fam = qb_family_find(family);
  FILE* fi = fopen(in_path, "rb");
  FILE* fo = fopen(out_path, "wb");
  if (fam == QB_FAMILY_COUNT || fi == NULL || fo == NULL) {
    fprintf(stderr, "--dump: unknown family %s or unreadable %s / %s\n", family, in_path, out_path);
    return 2;
  }
  const qb_family_info* f = qb_family_get(fam);
  fseek(fi, 0, SEEK_END);
  const long bytes = ftell(fi);
  fseek(fi, 0, SEEK_SET);
  /* n from the input's size: bits per element of the input, metadata included. */
  const size_t n = (size_t) llround((double) bytes * 8.0 / f->in_bits);
  uint8_t* x = malloc((size_t) bytes + 1);
  uint8_t* y = malloc(qb_dtype_buffer_bytes(f->out, n) + 64);
  qb_quant_params p;
  memset(&p, 0, sizeof p);
  p.scale = g != NULL ? strtof(g, NULL) : 0.0f;
  if (x == NULL || y == NULL || fread(x, 1, (size_t) bytes, fi) != (size_t) bytes ||
      f->kind != QB_KIND_unary) {
    fprintf(stderr, "--dump: cannot run %s on %s\n", family, in_path);
    return 2;
  }
  qb_kernel_unary(qb_kernel_reference(fam))(n, x, y, &p);
  const size_t out_bytes = (size_t) llround((double) n * f->out_bits / 8.0);
  fwrite(y, 1, out_bytes, fo);
  fclose(fi);
  fclose(fo);
  free(x);
  free(y);
  return 0;
}

int main(int argc, char** argv) {
  qb_cvt_sweep sw;
  fmt_init(&g_f6e2m3);
  fmt_init(&g_f6e3m2);
  fmt_init(&g_f4e2m1);
  fmt_init(&g_e8m0);
  if (argc >= 5 && strcmp(argv[1], "--dump") == 0)
    return dump(argv[2], argv[3], argv[4], argc > 5 ? argv[5] : NULL);
  if (argc >= 2 && strcmp(argv[1], "--sweep") == 0 && qb_cvt_parse_sweep(argc, argv, &sw))
    return sweep_cast(&sw);
  const struct CMUnitTest common[] = {
      cmocka_unit_test(test_decode_every_code),
      cmocka_unit_test(test_cast_values),
      cmocka_unit_test(test_mx_edge_blocks),
      cmocka_unit_test(test_mx_variants),
      cmocka_unit_test(test_nvf4_and_f8b128),
      cmocka_unit_test(test_nvf4_divides),
      cmocka_unit_test(test_dots),
  };
  const qb_test_kernels t = {checks, check, common, sizeof common / sizeof common[0]};
  return qb_test_kernels_main(argc, argv, &t);
}
