/*
 * FP8 E4M3 with one f32 scale per 128 x 128 tile (f32_f8e4m3t128_quant,
 * f8e4m3t128_f32_dequant; layout in kernels/include/qb/lowbit.h): the scalar references
 * against an oracle written here from the definition (d = amax / 448 in f32, codes the
 * e4m3 value nearest x / d, ties to even, saturating, rounded by qb_dtype_round in
 * double, not by kernels/common/fp.h), for matrices of one to three tiles across and
 * one or two down, with the row length given and defaulted; and the edge tiles: all
 * zero, a NaN, an inf, amax at FLT_MAX and at the bottom of the subnormals, subnormal
 * elements, and a tile whose neighbours hold larger values. Then every other variant of the
 * two families (one CTest case each, test_f8tile:<kernel>) bit for bit against the
 * reference on the same shapes and edge tiles, with the row length given and defaulted,
 * and on dequantize inputs of arbitrary bytes (NaN and inf scales, NaN codes).
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numerics/element.h"
#include "platform/registry.h"
#include "test_kernels.h"
#include "test_util.h"

#define T QB_F8T_TILE
#define TL QB_F8T_TILE_LEN

static void quant(size_t n, const float* x, qb_block_f8t128* y, const qb_quant_params* p) {
  qb_kernel_unary(qb_kernel_reference(QB_FAMILY_f32_f8e4m3t128_quant))(n, x, y, p);
}
static void dequant(size_t n, const qb_block_f8t128* y, float* x, const qb_quant_params* p) {
  qb_kernel_unary(qb_kernel_reference(QB_FAMILY_f8e4m3t128_f32_dequant))(n, y, x, p);
}

static uint32_t bits(float f) {
  uint32_t w;
  memcpy(&w, &f, sizeof w);
  return w;
}

/* The value an e4m3 code stands for, from the dtype table (NaN for 0x7F / 0xFF). */
static double e4m3(uint8_t c) {
  return qb_dtype_decode_bits(QB_DTYPE_f8e4m3, c);
}

/*
 * Checks tile (tr, tc) of y against the definition, for the row-major matrix x with
 * `cols` columns: 1. d = amax / 448 (f32), NaN when the tile holds NaN or inf; 2. each
 * code's value is x / d rounded to e4m3 (nearest even, saturating at 448), with x's
 * sign on zeros; NaN codes for a NaN tile, signed zeros for d = 0.
 */
static void check_tile(const float* x, size_t cols, const qb_block_f8t128* y, size_t tr, size_t tc) {
  const size_t tiles_per_row = cols / T;
  const qb_block_f8t128* b = &y[tr * tiles_per_row + tc];
  float amax = 0.0f;
  int special = 0;
  for (size_t r = 0; r < T; r++) {
    for (size_t c = 0; c < T; c++) {
      const float v = x[(tr * T + r) * cols + tc * T + c];
      if (!isfinite(v)) special = 1;
      if (fabsf(v) > amax) amax = fabsf(v);
    }
  }
  if (special) {
    assert_true(isnan(b->d));
    for (size_t i = 0; i < TL; i++) assert_int_equal(b->qs[i] & 0x7F, 0x7F);
    return;
  }
  const float d = amax / 448.0f;
  if (bits(b->d) != bits(d)) fail_msg("tile (%zu, %zu): d = %a, want %a", tr, tc, (double) b->d, (double) d);
  for (size_t i = 0; i < TL; i++) {
    const float v = x[(tr * T + i / T) * cols + tc * T + i % T];
    const double want =
        d == 0.0f ? copysign(0.0, v) : qb_dtype_round(QB_DTYPE_f8e4m3, (double) (v / d), true);
    const double got = e4m3(b->qs[i]);
    if (got != want || signbit(got) != signbit(want)) {
      fail_msg("tile (%zu, %zu) element %zu: x = %a, d = %a: code 0x%02x = %g, want %g", tr, tc, i,
               (double) v, (double) d, b->qs[i], got, want);
    }
  }
}

/* Random values whose magnitude depends on the tile, so a tile mixed up with another shows. */
static void fill(float* x, size_t rows, size_t cols, uint64_t seed) {
  for (size_t r = 0; r < rows; r++) {
    for (size_t c = 0; c < cols; c++) {
      const double u = (double) (qb_test_rand(&seed) >> 11) * 0x1p-53 * 2.0 - 1.0;
      x[r * cols + c] = (float) ldexp(u, (int) ((r / T) * 7 + (c / T) * 3) - 4);
    }
  }
}

/* Every tile of rows x cols matrices against the definition; dequantize gives e4m3 * d
 * back in the matrix's own order. */
static void test_shapes(void** state) {
  (void) state;
  static const size_t shapes[][2] = {{128, 128}, {128, 256}, {256, 128}, {256, 384}, {128, 384}};
  for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
    const size_t rows = shapes[s][0], cols = shapes[s][1], n = rows * cols;
    float* x = malloc(n * sizeof *x);
    float* back = malloc(n * sizeof *back);
    qb_block_f8t128* y = malloc(n / TL * sizeof *y);
    assert_true(x && back && y);
    fill(x, rows, cols, 11 + s);
    qb_quant_params p;
    memset(&p, 0, sizeof p);
    p.channel_len = cols;
    quant(n, x, y, &p);
    for (size_t tr = 0; tr < rows / T; tr++) {
      for (size_t tc = 0; tc < cols / T; tc++) check_tile(x, cols, y, tr, tc);
    }
    dequant(n, y, back, &p);
    for (size_t i = 0; i < n; i++) {
      const size_t r = i / cols, c = i % cols;
      const qb_block_f8t128* b = &y[(r / T) * (cols / T) + c / T];
      const float want = (float) e4m3(b->qs[(r % T) * T + c % T]) * b->d;
      if (bits(back[i]) != bits(want))
        fail_msg("%zux%zu: dequantized element (%zu, %zu) differs", rows, cols, r, c);
    }
    free(x);
    free(back);
    free(y);
  }
}

/* No params (or channel_len 0): 128 columns, each tile 16384 consecutive elements; the
 * host's generic block decoding (numerics/element.h, from blocks.inc) reads it as such. */
static void test_default_row_length(void** state) {
  (void) state;
  const size_t n = 3 * TL;
  float* x = malloc(n * sizeof *x);
  qb_block_f8t128* a = malloc(3 * sizeof *a);
  qb_block_f8t128* b = malloc(3 * sizeof *b);
  assert_true(x && a && b);
  fill(x, n / T, T, 5);
  qb_quant_params p;
  memset(&p, 0, sizeof p);
  quant(n, x, a, NULL);
  quant(n, x, b, &p);
  assert_memory_equal(a, b, 3 * sizeof *a);
  p.channel_len = T;
  quant(n, x, b, &p);
  assert_memory_equal(a, b, 3 * sizeof *a);
  for (size_t t = 0; t < 3; t++) check_tile(x, T, a, t, 0);
  for (size_t i = 0; i < n; i += 997) {
    assert_true(qb_element_value(QB_DTYPE_f8e4m3t128, a, i) ==
                e4m3(a[i / TL].qs[i % TL]) * (double) a[i / TL].d);
  }
  free(x);
  free(a);
  free(b);
}

/* Edge tiles in a 2 x 3 grid (256 x 384): each tile one case; its neighbours are ordinary. */
static void test_edge_tiles(void** state) {
  (void) state;
  const size_t rows = 256, cols = 384, n = rows * cols;
  float* x = malloc(n * sizeof *x);
  float* back = malloc(n * sizeof *back);
  qb_block_f8t128* y = malloc(n / TL * sizeof *y);
  assert_true(x && back && y);
  fill(x, rows, cols, 99);
#define AT(tr, tc, r, c) x[((tr) *T + (r)) * cols + (tc) *T + (c)]
  for (size_t r = 0; r < T; r++) {
    for (size_t c = 0; c < T; c++) {
      AT(0, 0, r, c) = (r + c) % 2 ? 0.0f : -0.0f;                       /* all zero, both signs */
      AT(0, 2, r, c) = (float) (r * T + c) * 0x1p-149f;                  /* subnormal elements */
      AT(1, 2, r, c) = (r == 5 && c == 9) ? 0x1p-149f : 0.0f;            /* amax: the smallest subnormal */
      AT(1, 0, r, c) = (r == 0 && c == 0) ? FLT_MAX : (float) c * 1e36f; /* amax at the top */
    }
  }
  AT(0, 1, 77, 3) = NAN; /* a NaN: the whole tile NaN */
  AT(1, 1, 127, 127) = -INFINITY;
#undef AT
  qb_quant_params p;
  memset(&p, 0, sizeof p);
  p.channel_len = cols;
  quant(n, x, y, &p);
  for (size_t tr = 0; tr < 2; tr++) {
    for (size_t tc = 0; tc < 3; tc++) check_tile(x, cols, y, tr, tc);
  }
  /* All zero: d = 0, codes keep the sign (no 0 / 0 NaN), zeros come back. */
  assert_true(y[0].d == 0.0f && y[0].qs[0] == 0x80 && y[0].qs[1] == 0x00);
  /* 2^-149 / 448 is below f32's subnormals: d = 0 as for an all-zero tile. */
  assert_true(y[5].d == 0.0f);
  /* FLT_MAX maps to the largest code, 448 (0x7E). */
  assert_int_equal(y[3].qs[0], 0x7E);
  dequant(n, y, back, &p);
  assert_true(back[0] == 0.0f && signbit(back[0]));
  assert_true(isnan(back[77 * cols + T + 3]) && isnan(back[T]));
  assert_true(isnan(back[(T + 127) * cols + T + 127]));
  assert_true(back[T * cols] == 448.0f * y[3].d);
  free(x);
  free(back);
  free(y);
}

/* The registry's facts: tile geometry, bytes per element, the family's size step. */
static void test_registry(void** state) {
  (void) state;
  qb_block_geom g;
  assert_true(qb_dtype_block(QB_DTYPE_f8e4m3t128, &g));
  assert_int_equal(g.len, TL);
  assert_int_equal(g.bytes, sizeof(qb_block_f8t128));
  assert_int_equal(g.scale, QB_DTYPE_f32);
  assert_int_equal(g.code, QB_DTYPE_f8e4m3);
  const qb_family_info* f = qb_family_get(QB_FAMILY_f32_f8e4m3t128_quant);
  assert_int_equal(f->n_multiple, TL);
  assert_true(qb_family_bytes(f, TL) == 4.0 * TL + sizeof(qb_block_f8t128));
}

/* ---- Every other variant against the reference, bit for bit ----------------------------- */

static bool checks(const qb_kernel_info* k) {
  return (k->family == QB_FAMILY_f32_f8e4m3t128_quant || k->family == QB_FAMILY_f8e4m3t128_f32_dequant) &&
         k != qb_kernel_reference(k->family);
}

/* Under d = 1344 / 448 = 3: 3 m for the midpoint m between E4M3 codes i % 126 and i % 126 + 1
 * (an exact tie of x / d), moved by (i / 126) % 9 - 4 f32 steps. The AVX-512 rows multiply
 * by 1/d and divide only a row with a lane this near a rounding boundary (blkq-avx512.h). */
static float e4m3_mid_near(int i) {
  const int c = i % 126;
  const float v0 = c < 8 ? ldexpf((float) c, -9) : ldexpf((float) (8 + (c & 7)), (c >> 3) - 10);
  const float v1 =
      c + 1 < 8 ? ldexpf((float) (c + 1), -9) : ldexpf((float) (8 + ((c + 1) & 7)), ((c + 1) >> 3) - 10);
  const uint32_t w = bits((v0 + v1) / 2.0f * 3.0f) + (uint32_t) ((i / 126) % 9 - 4);
  float f;
  memcpy(&f, &w, sizeof f);
  return f;
}

/* The edge tiles of test_edge_tiles and a few more, one per tile in turn (tile t gets case
 * (t + shift) % 8), so that the one-tile shapes see them too across the shifts. */
static void put_edges(float* x, size_t rows, size_t cols, size_t shift) {
  const size_t tpr = cols / T, tiles = rows / T * tpr;
  for (size_t t = 0; t < tiles; t++) {
    float* tile = x + t / tpr * T * cols + t % tpr * T;
    const size_t e = (t + shift) % 8;
    for (size_t r = 0; r < T; r++) {
      for (size_t c = 0; c < T; c++) {
        float* v = &tile[r * cols + c];
        const float sgn = (r + c) % 2 ? 1.0f : -1.0f;
        switch (e) {
          case 1:
            *v = sgn * 0.0f;
            break; /* all zero */
          case 2:
            *v = sgn * (float) (r * T + c) * 0x1p-149f;
            break; /* subnormal */
          case 3:
            *v = (r == 5 && c == 9) ? -0x1p-149f : 0.0f;
            break; /* d = 0, amax > 0 */
          case 4:
            *v = (r == 0 && c == 0) ? -FLT_MAX : (float) c * 1e36f;
            break; /* amax at the top */
          case 5:
            *v = r + c == 0 ? -1344.0f : sgn * e4m3_mid_near((int) (r * T + c));
            break; /* d = 3: exact ties of x / d and their neighbours */
          case 6:
            *v = sgn * (float) ((r * T + c) % 601) * 0x1p-149f;
            break; /* d rounded down: x / d to 600 */
          default:
            break; /* random */
        }
      }
    }
    if (e == 7) tile[(t % T) * cols + 3] = t % 2 ? NAN : -INFINITY;
  }
}

/* Fills with random bytes (scale and codes): NaN, inf, subnormal scales and NaN codes. */
static void fill_bytes(void* p, size_t bytes, uint64_t seed) {
  uint8_t* b = (uint8_t*) p;
  for (size_t i = 0; i < bytes; i++) b[i] = (uint8_t) (qb_test_rand(&seed) >> 56);
}

static void check(const qb_kernel_info* k) {
  static const size_t shapes[][2] = {{0, 128},   {128, 128}, {128, 256}, {256, 128},
                                     {256, 384}, {384, 128}, {128, 896}};
  const qb_kernel_info* ref = qb_kernel_reference(k->family);
  const bool q = k->family == QB_FAMILY_f32_f8e4m3t128_quant;
  for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
    const size_t rows = shapes[s][0], cols = shapes[s][1], n = rows * cols, tiles = n / TL;
    /* One tile more than needed in every buffer, poisoned: nothing past n may be written. */
    const size_t fbytes = (n + TL) * sizeof(float), tbytes = (tiles + 1) * sizeof(qb_block_f8t128);
    float* x = malloc(fbytes);
    uint8_t* got = malloc(fbytes > tbytes ? fbytes : tbytes);
    uint8_t* want = malloc(fbytes > tbytes ? fbytes : tbytes);
    qb_block_f8t128* codes = malloc(tbytes);
    assert_true(x && got && want && codes);
    fill(x, rows, cols, 3 + s);
    put_edges(x, rows, cols, s);
    qb_quant_params p;
    memset(&p, 0, sizeof p);
    p.channel_len = cols;
    for (int pass = 0; pass < 3; pass++) {
      /* 0: the row length given; 1: NULL params (128 columns only); 2: arbitrary bytes in. */
      const qb_quant_params* pp = pass == 1 ? NULL : &p;
      if (pass == 1 && cols != T) continue;
      const size_t bytes = q ? tbytes : fbytes;
      memset(got, 0xA5, bytes);
      memset(want, 0xA5, bytes);
      if (q) {
        if (pass == 2) {
          /* Arbitrary finite floats (an exponent of all ones loses its top bit). */
          fill_bytes(x, n * sizeof(float), 77 + s);
          for (size_t i = 0; i < n; i++) {
            uint32_t w = bits(x[i]);
            if ((w & 0x7F800000u) == 0x7F800000u) w &= ~0x40000000u;
            memcpy(&x[i], &w, sizeof w);
          }
        }
        qb_kernel_unary(k)(n, x, got, pp);
        qb_kernel_unary(ref)(n, x, want, pp);
      } else {
        if (pass == 2) {
          fill_bytes(codes, tiles * sizeof *codes, 55 + s);
        } else {
          qb_kernel_unary(qb_kernel_reference(QB_FAMILY_f32_f8e4m3t128_quant))(n, x, codes, pp);
        }
        qb_kernel_unary(k)(n, codes, got, pp);
        qb_kernel_unary(ref)(n, codes, want, pp);
      }
      for (size_t i = 0; i < bytes; i++) {
        if (got[i] != want[i])
          fail_msg("%s: %zu x %zu, pass %d: byte %zu is 0x%02x, the reference's 0x%02x", k->name, rows, cols,
                   pass, i, got[i], want[i]);
      }
    }
    free(x);
    free(got);
    free(want);
    free(codes);
  }
}

int main(int argc, char** argv) {
  const struct CMUnitTest common[] = {
      cmocka_unit_test(test_registry),
      cmocka_unit_test(test_shapes),
      cmocka_unit_test(test_default_row_length),
      cmocka_unit_test(test_edge_tiles),
  };
  const qb_test_kernels t = {checks, check, common, sizeof common / sizeof common[0]};
  return qb_test_kernels_main(argc, argv, &t);
}
