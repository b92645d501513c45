/*
 * Every usable SIMD dot variant against its family's scalar reference, on sizes below,
 * equal to, above and not a multiple of its tile, on pointers one element off a
 * 64-byte boundary, and at the integer families' longest lengths. Integer variants
 * must match exactly; float variants (QB_SEM_REASSOC) must stay within
 * qb_dot_reassoc_bound (kernels/dot/dot.h). One case per kernel
 * (tests/common/test_kernels.h): one this CPU cannot run is a skipped case.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fp.h"
#include "dot/dot.h"
#include "platform/registry.h"
#include "test_kernels.h"
#include "test_util.h"

/* One dot's inputs: a and b each `off` elements past a 64-byte boundary. */
typedef struct qb__case {
  void* abuf;
  void* bbuf;
  void* a;
  void* b;
  size_t n;
} qb__case;

static size_t qb__elem_bytes(qb_family f) {
  switch (f) {
    case QB_FAMILY_f32_dot:
      return 4;
    case QB_FAMILY_f16_dot:
    case QB_FAMILY_bf16_dot:
      return 2;
    case QB_FAMILY_qb8_dot:
      return sizeof(qb_block_q8); /* per block of 32 */
    default:
      return 1;
  }
}

/* A random f32 with a random sign, an exponent in [-e, e] and a random mantissa. */
static float qb__rand_f32(uint64_t* s, int e) {
  const uint64_t r = qb_test_rand(s);
  const uint32_t exp = (uint32_t) (127 - e + (int) (r % (uint64_t) (2 * e + 1)));
  return qb_f32_from_bits((uint32_t) (r >> 63) << 31 | exp << 23 | ((uint32_t) (r >> 20) & 0x7FFFFFu));
}

/* Random finite f16: every exponent, subnormals included (products stay below 2^32). */
static uint16_t qb__rand_f16(uint64_t* s) {
  const uint64_t r = qb_test_rand(s);
  return (uint16_t) ((r & 0x8000u) | ((r >> 16) % 31u) << 10 | ((r >> 32) & 0x3FFu));
}

/* Random bf16: exponents within 2^+-30 of 1, and one in 8 subnormal (to exercise
 * subnormal inputs and the flush of the FTZ variants). */
static uint16_t qb__rand_bf16(uint64_t* s) {
  const uint64_t r = qb_test_rand(s);
  const uint32_t man = (uint32_t) (r >> 32) & 0x7Fu;
  if ((r >> 40) % 8 == 0) {
    return (uint16_t) ((r & 0x8000u) | (man ? man : 1u));
  }
  return (uint16_t) ((r & 0x8000u) | (97u + (uint32_t) ((r >> 16) % 61u)) << 7 | man);
}

static void qb__fill(qb_family f, void* p, size_t n, int second, uint64_t* s) {
  switch (f) {
    case QB_FAMILY_f32_dot:
      for (size_t i = 0; i < n; i++) ((float*) p)[i] = qb__rand_f32(s, 10);
      break;
    case QB_FAMILY_f16_dot:
      for (size_t i = 0; i < n; i++) ((uint16_t*) p)[i] = qb__rand_f16(s);
      break;
    case QB_FAMILY_bf16_dot:
      for (size_t i = 0; i < n; i++) ((uint16_t*) p)[i] = qb__rand_bf16(s);
      break;
    case QB_FAMILY_qb8_dot:
      /* Every byte value, -128 included: the variants must not rely on qs != -128. */
      for (size_t k = 0; k < n / QB_BLOCK_LEN; k++) {
        qb_block_q8* blk = (qb_block_q8*) p + k;
        blk->d = qb__rand_f32(s, 8);
        for (int i = 0; i < QB_BLOCK_LEN; i++) blk->qs[i] = (int8_t) (qb_test_rand(s) & 0xFF);
      }
      break;
    default:
      (void) second;
      for (size_t i = 0; i < n; i++) ((uint8_t*) p)[i] = (uint8_t) (qb_test_rand(s) & 0xFF);
      break;
  }
}

static void qb__case_alloc(qb__case* c, qb_family f, size_t n, size_t off) {
  const size_t eb = qb__elem_bytes(f);
  const size_t units = f == QB_FAMILY_qb8_dot ? n / QB_BLOCK_LEN : n;
  const size_t bytes = ((units + off) * eb + 63) / 64 * 64 + 64;
  c->abuf = aligned_alloc(64, bytes);
  c->bbuf = aligned_alloc(64, bytes);
  assert_non_null(c->abuf);
  assert_non_null(c->bbuf);
  c->a = (char*) c->abuf + off * eb;
  c->b = (char*) c->bbuf + off * eb;
  c->n = n;
}

static void qb__case_free(qb__case* c) {
  free(c->abuf);
  free(c->bbuf);
}

/* A copy of a bf16 input with subnormals replaced by zero of the same sign: what a
 * QB_SEM_FTZ_IN variant reads. */
static uint16_t* qb__flush_bf16(const uint16_t* x, size_t n) {
  uint16_t* y = malloc(n * 2 + 2);
  assert_non_null(y);
  for (size_t i = 0; i < n; i++) {
    y[i] = (x[i] & 0x7F80u) == 0 ? (uint16_t) (x[i] & 0x8000u) : x[i];
  }
  return y;
}

/* sum |a_i b_i| in double (exact products; the sum's own error is negligible next to
 * the bound's factor of 2). For qb8: sum over blocks of |da * db| * sum |qa * qb|. */
static double qb__sum_abs(qb_family f, const void* a, const void* b, size_t n) {
  double s = 0.0;
  for (size_t i = 0; i < n; i++) {
    switch (f) {
      case QB_FAMILY_f32_dot:
        s += fabs((double) ((const float*) a)[i] * ((const float*) b)[i]);
        break;
      case QB_FAMILY_f16_dot:
        s += fabs((double) qb_f32_from_bits(qb_f16_to_f32_bits(((const uint16_t*) a)[i])) *
                  qb_f32_from_bits(qb_f16_to_f32_bits(((const uint16_t*) b)[i])));
        break;
      case QB_FAMILY_bf16_dot:
        s += fabs((double) qb_f32_from_bits(qb_bf16_to_f32_bits(((const uint16_t*) a)[i])) *
                  qb_f32_from_bits(qb_bf16_to_f32_bits(((const uint16_t*) b)[i])));
        break;
      default: {
        const qb_block_q8* x = (const qb_block_q8*) a + i / QB_BLOCK_LEN;
        const qb_block_q8* y = (const qb_block_q8*) b + i / QB_BLOCK_LEN;
        const int j = (int) (i % QB_BLOCK_LEN);
        s += fabs((double) (x->d * y->d)) * abs((int) x->qs[j] * (int) y->qs[j]);
        break;
      }
    }
  }
  return s;
}

/* Runs one variant on one case and compares it with the reference. */
static void qb__check(const qb_kernel_info* k, const qb__case* c, size_t off) {
  const qb_family_info* fam = qb_family_get(k->family);
  qb_dot_fn* ref = qb_kernel_dot(qb_kernel_reference(k->family));
  qb_dot_fn* fn = qb_kernel_dot(k);
  if (fam->out == QB_DTYPE_s32) {
    int32_t want = 0x11111111, got = 0x22222222;
    ref(c->n, c->a, c->b, &want);
    fn(c->n, c->a, c->b, &got);
    if (got != want) {
      fail_msg("%s: n=%zu offset=%zu: got %d, the reference gives %d", k->name, c->n, off, got, want);
    }
    return;
  }
  const void* ra = c->a;
  const void* rb = c->b;
  uint16_t *fa = NULL, *fb = NULL;
  if (k->sem & QB_SEM_FTZ_IN) {
    assert_int_equal(k->family, QB_FAMILY_bf16_dot); /* the only float family with FTZ */
    ra = fa = qb__flush_bf16(c->a, c->n);
    rb = fb = qb__flush_bf16(c->b, c->n);
  }
  float want = NAN, got = NAN;
  ref(c->n, ra, rb, &want);
  fn(c->n, c->a, c->b, &got);
  const double bound = qb_dot_sem_bound(c->n, qb__sum_abs(k->family, ra, rb, c->n), k->sem);
  const double err = fabs((double) got - (double) want);
  free(fa);
  free(fb);
  if (!(err <= bound)) {
    fail_msg("%s: n=%zu offset=%zu: got %a, the reference gives %a: |diff| %g > bound %g", k->name, c->n, off,
             got, want, err, bound);
  }
  if (k->sem == QB_SEM_EXACT && got != want) {
    fail_msg("%s: n=%zu: declared exact, got %a, the reference gives %a", k->name, c->n, got, want);
  }
}

/* Random inputs at every size class around the tile, aligned and one element off. */
static void qb__check_sizes(const qb_kernel_info* k, uint64_t* seed) {
  const bool blocks = k->family == QB_FAMILY_qb8_dot;
  const unsigned unit = blocks ? QB_BLOCK_LEN : 1;
  size_t sizes[16];
  const size_t ns = qb_test_sizes(k->tile / unit, sizes, 16);
  for (size_t si = 0; si < ns; si++) {
    for (size_t off = 0; off < 2; off++) {
      qb__case c;
      qb__case_alloc(&c, k->family, sizes[si] * unit, off);
      qb__fill(k->family, c.a, sizes[si] * unit, 0, seed);
      qb__fill(k->family, c.b, sizes[si] * unit, 1, seed);
      qb__check(k, &c, off);
      qb__case_free(&c);
    }
  }
}

/* The integer worst cases at the longest allowed n, every byte the same. */
static void qb__check_max_n(const qb_kernel_info* k) {
  const bool s8 = k->family == QB_FAMILY_s8_dot;
  const size_t n = s8 ? QB_S8_DOT_MAX_N : QB_U8S8_DOT_MAX_N;
  const struct {
    uint8_t a, b;
    int32_t want;
  } cases[] = {
      {0x80, 0x80, 131071 * 16384},  /* s8: -128 * -128 */
      {0x80, 0x7F, -131071 * 16256}, /* s8: -128 * 127 */
      {0xFF, 0x80, -65793 * 32640},  /* u8s8: 255 * -128 */
      {0xFF, 0x7F, 65793 * 32385},   /* u8s8: 255 * 127 */
  };
  for (size_t ci = s8 ? 0 : 2; ci < (s8 ? 2u : 4u); ci++) {
    for (size_t off = 0; off < 2; off++) {
      qb__case c;
      int32_t got = 0x33333333;
      qb__case_alloc(&c, k->family, n, off);
      memset(c.a, cases[ci].a, n);
      memset(c.b, cases[ci].b, n);
      qb_kernel_dot(k)(n, c.a, c.b, &got);
      qb__case_free(&c);
      if (got != cases[ci].want) {
        fail_msg("%s: n=%zu, a=0x%02X b=0x%02X everywhere, offset=%zu: got %d, want %d", k->name, n,
                 cases[ci].a, cases[ci].b, off, got, cases[ci].want);
      }
    }
  }
}

/* The input dtypes this test knows how to fill with random data. Dots over the other
 * block formats are checked where their block layouts are: q8_0/q4_0 and the int4 groups
 * in test_qblock (llama.cpp's vectors and random blocks), the MX/NVFP4 formats in
 * test_lowbit. */
static bool qb__fillable(qb_dtype d) {
  return d == QB_DTYPE_f32 || d == QB_DTYPE_f16 || d == QB_DTYPE_bf16 || d == QB_DTYPE_s8 ||
         d == QB_DTYPE_u8 || d == QB_DTYPE_qb8;
}

/* Every family whose op is `dot` (kernels/ops.inc; the peaks have their own test) over
 * inputs this test can fill; the scalar references are the oracle. */
static bool qb__checks(const qb_kernel_info* k) {
  const qb_family_info* fam = qb_family_get(k->family);
  return fam->op == QB_OP_dot && qb__fillable(fam->in) && qb__fillable(fam->in2) && k->isa != QB_ISA_scalar;
}

static void qb__check_kernel(const qb_kernel_info* k) {
  uint64_t seed = 0x5EED0000u + (uint64_t) k->family;
  qb__check_sizes(k, &seed);
  if (k->family == QB_FAMILY_s8_dot || k->family == QB_FAMILY_u8s8_dot) qb__check_max_n(k);
}

/* The bound admits what reordering legitimately does and little more: summing
 * 2^24 + 1 + 1 in another order gives 2^24 + 2 instead of the reference's 2^24, and a
 * bound that rejected that would be wrong; one that admitted an error of 8 would be
 * vacuous at this size. */
static void test_bound(void** state) {
  (void) state;
  const double b = QB_DOT_REL_BOUND(3, 16777218.0, 0);
  assert_true(b >= 2.0);
  assert_true(b < 8.0);
  assert_true(qb_dot_gamma(1) > 0x1p-24 && qb_dot_gamma(1) < 0x1.0001p-24);
  assert_true(qb_dot_gamma(1u << 24) == INFINITY);
  /* The FTZ form allows for flushed subnormals, the other only for underflow. */
  assert_true(QB_DOT_REL_BOUND(1, 0.0, 1) >= 0x1p-126);
  assert_true(QB_DOT_REL_BOUND(1, 0.0, 0) < 0x1p-140);
}

int main(int argc, char** argv) {
  const struct CMUnitTest common[] = {cmocka_unit_test(test_bound)};
  const qb_test_kernels t = {qb__checks, qb__check_kernel, common, sizeof common / sizeof common[0]};
  return qb_test_kernels_main(argc, argv, &t);
}
