/*
 * The OpenCL backend on every device found: each family's OpenCL variants against the
 * CPU scalar reference (through the registry) for sizes around the work-group size;
 * every output judged by the verification oracle (host/numerics/verify.h: casts and
 * quantization bit-exact with the differences a variant declares applied, integer dots
 * exact, float dots within qb_dot_sem_bound); and the errors:
 * a program that does not build, a buffer beyond the largest allocation, a device
 * filter that matches nothing. Exits 77 when there is no OpenCL device.
 *
 * QB_OPENCL_TEST_QUICK=1 tests fewer sizes (for oclgrind, ci/oclgrind).
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nvf4_div.h"
#include "numerics/element.h"
#include "numerics/verify.h"
#include "test_util.h"

#ifndef QB_HAVE_OPENCL
int main(void) {
  printf("test_opencl: built without OpenCL: skipped\n");
  return QB_TEST_SKIP;
}
#else

#include "common/fp.h"
#include "backends/backend.h"
#include "dot/dot.h"
#include "backends/opencl/opencl_test.h"
#include "platform/registry.h"

typedef struct qb__t {
  qb_ctx ctx;
  qb_backend* b;
  bool quick;
} qb__t;

/* One case's host buffers. */
typedef struct qb__bufs {
  size_t n;
  unsigned char *x, *x2, *ref, *got;
  size_t x_bytes, x2_bytes, y_bytes;
  float scales[64], inv_scales[64];
  int32_t zps[64];
} qb__bufs;

/* ---- Inputs ------------------------------------------------------------------------ */

/* f32 bit patterns every cast must get right: zeros, infinities, NaNs (quiet, signaling,
 * with payloads), subnormals, the largest values and the ties of each small format
 * (E8M0's: 1.5 x 2^e rounds up, for the subnormal 2^-127 and at the top too). */
static const uint32_t qb__f32_specials[] = {
    0x00000000u, 0x80000000u, 0x7F800000u, 0xFF800000u, 0x7FC00000u, 0xFFC00001u, 0x7F800001u, 0x7FA12345u,
    0x00000001u, 0x807FFFFFu, 0x00400000u, 0x7F7FFFFFu, 0xFF7FFFFFu, 0x3F800000u, 0x3F801000u, 0x3F803000u,
    0x477FEFFFu, 0x477FF000u, 0x477FE000u, 0x33800000u, 0x33000000u, 0x33000001u, 0x387FC000u, 0x3F808000u,
    0x3F818000u, 0x43E00000u, 0x43E80000u, 0x43F00000u, 0x47600000u, 0x47700000u, 0x3B000000u, 0x3A800000u,
    0x37800000u, 0x37000000u, 0x3F7FFFFFu, 0x42FE0000u, 0xC2FF0000u, 0x3F828000u, 0x00600000u, 0x005FFFFFu,
    0x3FC00000u, 0x3FBFFFFFu, 0x7F400000u, 0x7F3FFFFFu};

/* Floats for quantization with the scale `scale`: ties of x/scale (exact halves when
 * the scale is a power of two), random values across and beyond the range, NaN, inf. */
static float qb__quant_value(uint64_t* s, size_t i, float scale) {
  static const uint32_t sp[] = {0x7FC00000u, 0xFFC00000u, 0x7F800000u, 0xFF800000u, 0x00000000u,
                                0x80000000u, 0x7F7FFFFFu, 0xFF7FFFFFu, 0x00000001u};
  const uint64_t r = qb_test_rand(s);
  if (i < sizeof sp / sizeof sp[0]) return qb_f32_from_bits(sp[i]);
  const int k = (int) (r % 600) - 300;
  switch ((r >> 16) % 4) {
    case 0:
      return ((float) k + 0.5f) * scale; /* a tie */
    case 1:
      return (float) k * scale;
    case 2:
      return (float) ((double) ((r >> 24) % 2000001) / 1e6 - 1.0) * 400.0f * scale;
    default:
      return qb_f32_from_bits((uint32_t) (r >> 32)); /* any bits, NaN included */
  }
}

static void qb__fill_blocks(uint64_t* s, unsigned char* p, size_t nblocks) {
  for (size_t k = 0; k < nblocks; k++) {
    qb_block_q8 blk;
    blk.d = (float) ((qb_test_rand(s) % 1000) + 1) / 4096.0f;
    for (int i = 0; i < QB_BLOCK_LEN; i++) blk.qs[i] = (int8_t) (qb_test_rand(s) & 0xFF);
    memcpy(p + k * sizeof blk, &blk, sizeof blk);
  }
}

/* Whether a dtype's buffers are filled byte by byte: block formats and packed sub-byte
 * codes, whose elements share bytes or a scale. */
static bool qb__bytewise(qb_dtype t) {
  return qb_dtype_get(t)->cls == QB_CLASS_block || qb_dtype_get(t)->bits < 8;
}

static float qb__uniform(uint64_t* s) {
  return (float) ((double) (qb_test_rand(s) >> 11) * 0x1p-53);
}

/*
 * f32 inputs of a block quantizer, block by block (len elements each), cycling through
 * the edge blocks kernels/lowbit/README.md and kernels/quant/README.md name: values of
 * one magnitude anywhere in f32's range, all zero (signed zeros), a NaN, an infinity,
 * amax at FLT_MAX, amax at 2^-149, subnormal elements, the ties of the FP4/FP6 grids
 * (amax 6: scale 1), any bits, values bunched at the top of their block, the ties
 * of MXINT8's grid, and the NVFP4 block on which dividing by the scale and multiplying by
 * its reciprocal differ (tests/common/nvf4_div.h), repeated to the block's length.
 */
static void qb__fill_quant_blocks(uint64_t* s, float* x, size_t n, size_t len) {
  for (size_t b = 0; b * len < n; b++) {
    float* xb = x + b * len;
    const int kind = (int) (b % 12);
    const int e = (int) (qb_test_rand(s) % 250) - 130; /* the block's magnitude: 2^e */
    for (size_t i = 0; i < len; i++) {
      const float u = qb__uniform(s) - 0.5f;
      const uint32_t bits = (uint32_t) (qb_test_rand(s) >> 32);
      float v;
      switch (kind) {
        case 1:
          v = (i & 1) ? -0.0f : 0.0f;
          break;
        case 4:
          v = i == 3 ? -3.4028235e38f : u * 0x1p127f;
          break;
        case 5:
          v = i == len / 2 ? 0x1p-149f : (i & 1) ? -0.0f : 0.0f;
          break;
        case 6:
          v = qb_f32_from_bits(bits & 0x807FFFFFu); /* subnormals and signed zeros */
          break;
        case 7:
          /* the last element ties the first's |x| with the other sign: q4_0 keeps the first */
          v = i == 0 ? 6.0f : i == len - 1 ? -6.0f : (float) ((int) (i % 32) - 16) * 0.125f + 0.0625f;
          break;
        case 8:
          v = qb_f32_from_bits(bits);
          break;
        case 9:
          v = ldexpf(1.0f + 0.1f * u, e > 120 ? 120 : e) * (bits & 1 ? -1.0f : 1.0f);
          break;
        case 10: /* amax 1.5 (MX scale 2^0): the ties of MXINT8's grid of 1/64 */
          v = i == 1 ? -1.5f : ((float) (int) (bits % 181) - 90.0f + 0.5f) / 64.0f;
          break;
        case 11:
          v = qb_test_nvf4_div_x[i % 16];
          break;
        default:
          v = ldexpf(u * exp2f(20.0f * qb__uniform(s) - 10.0f), e > 110 ? 110 : e);
          break;
      }
      xb[i] = v;
    }
    if (kind == 2) xb[qb_test_rand(s) % len] = NAN;
    if (kind == 3) xb[qb_test_rand(s) % len] = (b & 1) ? -INFINITY : INFINITY;
  }
}

/* The family that makes dtype t from f32 (a block quantizer or a saturating cast), or
 * QB_FAMILY_COUNT. */
static qb_family qb__maker(qb_dtype t) {
  const qb_family q = qb_family_by_op(QB_OP_bquant, QB_DTYPE_f32, t);
  return q != QB_FAMILY_COUNT ? q : qb_family_by_op(QB_OP_cvtsat, QB_DTYPE_f32, t);
}

/* Dot inputs of a format made by quantizing floats in [-2, 2] with the CPU reference of
 * its quantizer: finite codes and scales, as a dot meets them. False when t has none. */
static bool qb__fill_made(qb_dtype t, unsigned char* p, size_t n, uint64_t* s) {
  const qb_family q = qb__maker(t);
  if (q == QB_FAMILY_COUNT || n == 0) return q != QB_FAMILY_COUNT;
  float* v = malloc(n * sizeof *v);
  assert_non_null(v);
  for (size_t i = 0; i < n; i++) v[i] = 4.0f * qb__uniform(s) - 2.0f;
  qb_kernel_unary(qb_kernel_reference(q))(n, v, p, NULL);
  free(v);
  return true;
}

/* Random data of the dtype; floats for dots stay in [-2, 2] so sums do not overflow. */
static void qb__fill(qb_dtype t, unsigned char* p, size_t n, uint64_t* s, bool dot, float scale, bool ftz) {
  for (size_t i = 0; i < n; i++) {
    const uint64_t r = qb_test_rand(s);
    const float v = (float) ((double) (r % 4000001) / 1e6 - 2.0);
    switch (t) {
      case QB_DTYPE_f64: {
        /* Doubles near f32 values (ties and their neighbours), and any bits. */
        const uint32_t f = i < sizeof qb__f32_specials / sizeof qb__f32_specials[0] ? qb__f32_specials[i]
                                                                                    : (uint32_t) (r >> 32);
        uint64_t w = qb_f64_to_bits((double) qb_f32_from_bits(f));
        const int kind = (int) (r % 5);
        if (kind == 1) w += 1ull << 28; /* exactly half an f32 ulp above: a tie */
        if (kind == 2) w += (1ull << 28) + 1;
        if (kind == 3) w = qb_test_rand(s);
        memcpy(p + 8 * i, &w, 8);
        break;
      }
      case QB_DTYPE_f32: {
        uint32_t w;
        if (dot)
          w = qb_f32_to_bits(v);
        else if (scale > 0.0f)
          w = qb_f32_to_bits(qb__quant_value(s, i, scale));
        else if (i < sizeof qb__f32_specials / sizeof qb__f32_specials[0])
          w = qb__f32_specials[i];
        else
          w = (uint32_t) (r >> 32);
        /* A device without f32 subnormals reads them as zero (QB_SEM_FTZ_IN): both sides
         * then see zero. */
        if (ftz && (w & 0x7F800000u) == 0) w &= 0x80000000u;
        memcpy(p + 4 * i, &w, 4);
        break;
      }
      case QB_DTYPE_f16:
      case QB_DTYPE_bf16: {
        uint16_t h = (uint16_t) (r >> 40);
        if (dot)
          h = t == QB_DTYPE_f16 ? qb_f32_to_f16_bits(qb_f32_to_bits(v))
                                : qb_f32_to_bf16_bits(qb_f32_to_bits(v));
        memcpy(p + 2 * i, &h, 2);
        break;
      }
      default:
        p[i] = (unsigned char) (r >> 56);
        break;
    }
  }
}

/* ---- One case ----------------------------------------------------------------------- */

static qb_status qb__device_run(qb__t* t, int dev, const qb_backend_case* c, void* y, qb_error* err) {
  void* state = NULL;
  qb_status st = t->b->ops->prepare(t->b, dev, c, &state, err);
  if (st != QB_OK) return st;
  double secs = 0.0;
  const char* note = NULL;
  st = t->b->ops->run(t->b, state, &secs, &note, err);
  if (st == QB_OK) {
    assert_non_null(note);
    st = t->b->ops->fetch(t->b, state, y, err);
  }
  t->b->ops->release(t->b, state);
  return st;
}

static void qb__ref_run(const qb_family_info* f, const qb_backend_case* c, void* y) {
  const qb_kernel_info* ref = qb_kernel_reference(f->id);
  if (f->kind == QB_KIND_dot)
    qb_kernel_dot(ref)(c->n, c->x, c->x2, y);
  else
    qb_kernel_unary(ref)(c->n, c->x, y, c->qp);
}

/* Runs one variant at size n with params qp (NULL for casts and dots); returns the
 * number of mismatching outputs (printing the first). */
static int qb__check(qb__t* t, int dev, const qb_family_info* f, const char* variant, size_t n,
                     const qb_quant_params* qp, uint64_t seed) {
  const unsigned sem = qb_opencl_variant_sem(t->b, dev, f->id, variant);
  const bool dot = f->kind == QB_KIND_dot;
  const size_t xb = qb_dtype_buffer_bytes(f->in, n);
  const size_t x2b = dot ? qb_dtype_buffer_bytes(f->in2, n) : 0;
  const size_t yb = dot ? 4 : qb_dtype_buffer_bytes(f->out, n);
  unsigned char* x = calloc(xb + 1, 1);
  unsigned char* x2 = calloc(x2b + 1, 1);
  unsigned char* ref = calloc(yb + 1, 1);
  unsigned char* got = calloc(yb + 1, 1);
  assert_true(x && x2 && ref && got);
  uint64_t s = seed;
  const bool ftz = (sem & QB_SEM_FTZ_IN) != 0;
  const bool affine = qp != NULL && qb_op_affine(qb_family_op(f));
  if (f->in == QB_DTYPE_qb8)
    qb__fill_blocks(&s, x, n / QB_BLOCK_LEN);
  else if (dot && qb__fill_made(f->in, x, n, &s))
    ;
  else if (qb__bytewise(f->in))
    qb__fill(QB_DTYPE_u8, x, xb, &s, false, 0.0f, ftz); /* any bytes: every code and scale */
  else if (f->in == QB_DTYPE_f32 && qb__bytewise(f->out) && f->n_multiple > 1)
    qb__fill_quant_blocks(&s, (float*) (void*) x, n, f->n_multiple);
  else
    qb__fill(f->in, x, n, &s, dot, affine && f->in == QB_DTYPE_f32 ? qp->scale : 0.0f, ftz);
  if (f->in2 == QB_DTYPE_qb8)
    qb__fill_blocks(&s, x2, n / QB_BLOCK_LEN);
  else if (dot && qb__fill_made(f->in2, x2, n, &s))
    ;
  else if (dot)
    qb__fill(f->in2, x2, n, &s, true, 0.0f, ftz);
  if (f->id == QB_FAMILY_f32_qb8_quant && n >= 64) {
    /* A block with a NaN and one with an infinity: defined results (quant-scalar.h). */
    float nan = NAN, inf = INFINITY;
    memcpy(x + 4 * 3, &nan, 4);
    memcpy(x + 4 * 40, &inf, 4);
  }
  const qb_backend_case c = {f, variant, n, x, dot ? x2 : NULL, qp, xb, x2b, yb};
  qb_error err = {0};
  const qb_status st = qb__device_run(t, dev, &c, got, &err);
  if (st == QB_SKIPPED) {
    printf("  skipped %s/%s n=%zu: %s\n", f->name, variant, n, err.msg);
    free(x), free(x2), free(ref), free(got);
    return 0;
  }
  if (st != QB_OK) fail_msg("%s/%s n=%zu: %s", f->name, variant, n, err.msg);
  qb__ref_run(f, &c, ref);

  /* The verification oracle (numerics/verify.h): the declared semantics applied to the
   * reference, then every output compared (float dots within their bound). */
  const qb_verify_io io = {f, n, x, dot ? x2 : NULL, qp};
  qb_verify_result r;
  assert_int_equal(qb_verify(&io, ref, got, sem, &r, &err), QB_OK);
  const int bad = r.first != SIZE_MAX;
  if (bad) {
    printf(
        "  %s/%s n=%zu%s: output %zu: 0x%llx, reference 0x%llx (input 0x%llx); %llu + %llu NaN/inf outputs "
        "differ\n",
        f->name, variant, n,
        affine ? (qp->round == QB_ROUND_TFLITE ? " tflite" : " pytorch")
        : qp   ? " (params: NVFP4 tensor scale, tile columns)"
               : "",
        r.first, (unsigned long long) r.got, (unsigned long long) r.want,
        (unsigned long long) qb_element_bits(f->in, x, dot ? 0 : r.first), (unsigned long long) r.mismatches,
        (unsigned long long) r.nan_inf_mismatches);
  }
  free(x), free(x2), free(ref), free(got);
  return bad;
}

/* The parameter sets a quant family is tested with: both roundings, a power-of-two
 * scale (exact ties) and a non-power-of-two one, full and restricted ranges. */
static int qb__quant_sets(const qb_family_info* f, size_t n, qb__bufs* pc, qb_quant_params* out) {
  const bool u8 = f->in == QB_DTYPE_u8 || f->out == QB_DTYPE_u8;
  const int32_t tmin = u8 ? 0 : -128, tmax = u8 ? 255 : 127;
  const struct {
    float scale;
    int32_t zp, qmin, qmax;
  } sets[] = {{0.25f, u8 ? 128 : 3, tmin, tmax},
              {0.1f, u8 ? 7 : -5, tmin, tmax},
              {0.5f, u8 ? 100 : 0, tmin + 28, tmax - 27}};
  int count = 0;
  for (size_t k = 0; k < sizeof sets / sizeof sets[0]; k++) {
    for (int round = 0; round < 2; round++) {
      qb_quant_params* p = &out[count++];
      memset(p, 0, sizeof *p);
      p->scale = sets[k].scale;
      p->inv_scale = 1.0f / sets[k].scale;
      p->zero_point = sets[k].zp;
      p->qmin = sets[k].qmin;
      p->qmax = sets[k].qmax;
      p->round = round ? QB_ROUND_TFLITE : QB_ROUND_PYTORCH;
      /* Per channel: up to 64 channels with mixed scales and zero points. */
      size_t len = n;
      for (size_t ch = 64; ch >= 2; ch--) {
        if (n % ch == 0) {
          len = n / ch;
          break;
        }
      }
      p->channel_len = len ? len : 1;
      for (int c = 0; c < 64; c++) {
        pc->scales[c] = ldexpf(1.0f + 0.125f * (float) (c % 7), c % 5 - 3);
        pc->inv_scales[c] = 1.0f / pc->scales[c];
        pc->zps[c] = p->qmin + (int32_t) ((c * 37) % (p->qmax - p->qmin + 1));
      }
      p->scales = pc->scales;
      p->inv_scales = pc->inv_scales;
      p->zero_points = pc->zps;
    }
  }
  return count;
}

static void qb__test_families(void** state) {
  qb__t* t = *state;
  int checked = 0, failed = 0, no_ref = 0;
  for (int dev = 0; dev < t->b->ops->device_count(t->b); dev++) {
    size_t wg;
    unsigned vec;
    qb_opencl_geometry(t->b, dev, &wg, &vec);
    /* A CPU device's QB_VEC is a multiple of 16 (opencl_device.c), so the block
     * quantizers' sixteen-block code runs on whole spans and their per-block code on
     * the partial ones, which the sizes below end in: both are checked here. */
    printf("device %s: work-group %zu, %u element(s) per work-item; block quantizers: %s\n",
           t->b->ops->device_name(t->b, dev), wg, vec,
           vec % 16 == 0 ? "sixteen-block and per-block code" : "per-block code only");
    size_t sizes[16];
    size_t nsizes = qb_test_sizes((unsigned) (wg * vec), sizes, t->quick ? 6 : 9);
    for (qb_family fam = 0; fam < QB_FAMILY_COUNT; fam++) {
      const qb_family_info* f = qb_family_get(fam);
      const qb_kernel_info* ref = qb_kernel_reference(fam);
      if (ref == NULL || ref->fn == NULL) {
        printf("  %s: no CPU scalar reference built: not checked\n", f->name);
        no_ref++;
        continue;
      }
      const char* names[8];
      const char* why = NULL;
      const int nv = t->b->ops->variants(t->b, dev, fam, names, 8, &why);
      if (nv == 0) printf("  %s: no variant on this device: %s\n", f->name, why);
      /* Block families: also two work-groups of whole blocks and three more (a tile
       * family's work-group takes vec tiles: at least 11, one of each edge kind). */
      const size_t nsz = nsizes + (!t->quick && f->n_multiple > 1);
      const size_t tiles = 2 * vec + 3 > 11 ? 2 * vec + 3 : 11;
      sizes[nsizes] = (f->n_multiple >= QB_F8T_TILE_LEN ? tiles : 2 * wg * vec + 3) * f->n_multiple;
      for (int v = 0; v < nv; v++) {
        size_t prev = SIZE_MAX;
        for (size_t si = 0; si < nsz; si++) {
          /* Block families need whole blocks: round up to 32. Sizes that round to the
           * same n (a tile of 16384 under most) would repeat the same case: once. */
          size_t n = (sizes[si] + f->n_multiple - 1) / f->n_multiple * f->n_multiple;
          if (n > f->max_n) n = (size_t) f->max_n;
          if (n == prev) continue;
          prev = n;
          const bool quant =
              f->in == QB_DTYPE_f32
                  ? (f->out == QB_DTYPE_s8 || f->out == QB_DTYPE_u8 || fam == QB_FAMILY_f32_qs8_fakequant)
                  : (f->in == QB_DTYPE_s8 || f->in == QB_DTYPE_u8) && f->kind == QB_KIND_unary;
          if (!quant) {
            failed += qb__check(t, dev, f, names[v], n, NULL, 1000 + n) != 0;
            checked++;
            if ((fam == QB_FAMILY_f32_f8e4m3t128_quant || fam == QB_FAMILY_f8e4m3t128_f32_dequant) &&
                si == 0) {
              /* Per-128x128 tiles of wider matrices (the row length in the params'
               * channel_len, qb/lowbit.h): 1 x 3, 2 x 2, 3 x 1 and 3 x 7 tiles (the
               * last over two work-groups where vec is 16, one ending mid tile row). */
              static const size_t shapes[][2] = {{1, 3}, {2, 2}, {3, 1}, {3, 7}};
              for (int k = 0; k < 4; k++) {
                const qb_quant_params cp = {.channel_len = shapes[k][1] * QB_F8T_TILE};
                const size_t tn = shapes[k][0] * shapes[k][1] * QB_F8T_TILE_LEN;
                failed += qb__check(t, dev, f, names[v], tn, &cp, 1700 + (uint64_t) k) != 0;
                checked++;
              }
            }
            if (f->in == QB_DTYPE_nvf4 || f->out == QB_DTYPE_nvf4) {
              /* NVFP4's second level: an f32 tensor scale in the params (qb/lowbit.h). A
               * large one too: there a block whose e4m3 scale underflows to 0 (its
               * elements kept as signed zeros) holds elements up to 6 * g * 2^-10. And an
               * infinite one, which the kernel quantizes by its path for a tensor scale
               * that is not finite. */
              const qb_quant_params gs[3] = {{.scale = 0.0390625f}, {.scale = 4096.0f}, {.scale = INFINITY}};
              for (int k = 0; k < 3; k++) {
                failed += qb__check(t, dev, f, names[v], n, &gs[k], 1500 + n + (uint64_t) k) != 0;
                checked++;
              }
            }
            continue;
          }
          qb__bufs pc;
          qb_quant_params sets[8];
          const int ns = qb__quant_sets(f, n, &pc, sets);
          for (int k = 0; k < ns; k++) {
            failed += qb__check(t, dev, f, names[v], n, &sets[k], 2000 + n + (uint64_t) k) != 0;
            checked++;
          }
        }
      }
    }
  }
  printf("%d case(s) checked, %d failed; %d famil(ies) without a CPU reference\n", checked, failed, no_ref);
  assert_int_equal(failed, 0);
}

/* The longest integer dots, every product the most negative: exact or wrong. */
static void qb__test_int_dot_extremes(void** state) {
  qb__t* t = *state;
  for (int dev = 0; dev < t->b->ops->device_count(t->b); dev++) {
    const qb_family fams[] = {QB_FAMILY_s8_dot, QB_FAMILY_u8s8_dot};
    for (size_t k = 0; k < 2; k++) {
      const qb_family_info* f = qb_family_get(fams[k]);
      const size_t n = (size_t) f->max_n;
      unsigned char* a = malloc(n);
      unsigned char* b = malloc(n);
      assert_true(a && b);
      memset(a, fams[k] == QB_FAMILY_s8_dot ? 0x80 : 0xFF, n); /* -128, or 255 */
      memset(b, 0x80, n);
      const int32_t expect = fams[k] == QB_FAMILY_s8_dot ? (int32_t) n * 16384 : -(int32_t) n * 255 * 128;
      const char* names[8];
      const char* why;
      const int nv = t->b->ops->variants(t->b, dev, fams[k], names, 8, &why);
      for (int v = 0; v < nv; v++) {
        const qb_backend_case c = {f, names[v], n, a, b, NULL, n, n, 4};
        int32_t got = 0;
        qb_error err = {0};
        const qb_status st = qb__device_run(t, dev, &c, &got, &err);
        if (st != QB_OK) fail_msg("%s/%s n=%zu: %s", f->name, names[v], n, err.msg);
        if (got != expect) fail_msg("%s/%s n=%zu: %d, expected %d", f->name, names[v], n, got, expect);
      }
      free(a);
      free(b);
    }
  }
}

/* A program that does not compile: QB_BACKEND carrying the build log's first lines. */
static void qb__test_build_failure(void** state) {
  qb__t* t = *state;
  qb_backend* b = NULL;
  qb_error err = {0};
  assert_int_equal(qb_opencl_backend_create(&t->ctx, NULL, &b, &err), QB_OK);
  qb_opencl_test_inject_source(b, "kernel void qb_broken(global int* y) { y[0] = qb_undeclared_thing; }");
  const qb_family_info* f = qb_family_get(QB_FAMILY_f32_f16_cvt);
  float x[4] = {1, 2, 3, 4};
  uint16_t y[4];
  const qb_backend_case c = {f, "ocl", 4, x, NULL, NULL, sizeof x, 0, sizeof y};
  void* st = NULL;
  const qb_status s = b->ops->prepare(b, 0, &c, &st, &err);
  printf("build failure: %s\n", err.msg);
  assert_int_equal(s, QB_BACKEND);
  assert_null(st);
  assert_non_null(strstr(err.msg, "failed to build OpenCL program for "));
  assert_non_null(strstr(err.msg, b->ops->device_name(b, 0)));
  /* The excerpt names the culprit on every implementation we know; no newline. */
  assert_non_null(strstr(err.msg, "qb_undeclared_thing"));
  assert_null(strchr(err.msg, '\n'));
  b->ops->destroy(b);
}

/* A buffer beyond the device's largest allocation: QB_SKIPPED, before any allocation. */
static void qb__test_too_large(void** state) {
  qb__t* t = *state;
  json_t* o = t->b->ops->device_context(t->b, 0);
  const size_t max_alloc = (size_t) json_integer_value(json_object_get(o, "max_alloc_bytes"));
  json_decref(o);
  assert_true(max_alloc > 0);
  const qb_family_info* f = qb_family_get(QB_FAMILY_f32_f16_cvt);
  const size_t n = max_alloc / 4 + 1;
  const float dummy = 0.0f;
  const qb_backend_case c = {f, "ocl", n, &dummy, NULL, NULL, n * 4, 0, n * 2};
  void* st = NULL;
  qb_error err = {0};
  assert_int_equal(t->b->ops->prepare(t->b, 0, &c, &st, &err), QB_SKIPPED);
  assert_null(st);
  assert_non_null(strstr(err.msg, "largest allocation"));
  double secs;
  assert_int_equal(t->b->ops->transfer(t->b, 0, max_alloc + 1, QB_TO_DEVICE, &secs, &err), QB_SKIPPED);
}

/* The bandwidth roofs' states: a size the device cannot hold is QB_SKIPPED, a copy
 * footprint under a pair of 32-bit words QB_BAD_INPUT, a way past the last
 * of a mix QB_BAD_INPUT; every way of every mix runs and says which timer it used, as a
 * case does, and moves every byte it is credited with (a copy way copies every word,
 * sizes around its vectors and work-groups, tails included; a stream way writes each
 * chunk's lines as the XOR of the lines it read): a way that moved less would make the
 * roof too high. */
static void qb__test_copy_roof(void** state) {
  qb__t* t = *state;
  qb_backend* b = t->b;
  json_t* o = b->ops->device_context(b, 0);
  const size_t max_alloc = (size_t) json_integer_value(json_object_get(o, "max_alloc_bytes"));
  json_decref(o);
  void* st = NULL;
  size_t moved = 0;
  qb_error err = {0};
  assert_int_equal(b->ops->prepare_copy(b, 0, (max_alloc / 4 + 1) * 8, 1, 1, 0, &st, &moved, &err),
                   QB_SKIPPED);
  assert_null(st);
  assert_non_null(strstr(err.msg, "largest allocation"));
  assert_int_equal(b->ops->prepare_copy(b, 0, 6, 1, 1, 0, &st, &moved, &err), QB_BAD_INPUT);
  assert_null(st);
  /* A footprint that is not whole word pairs is rounded down, and says so in *moved. */
  assert_int_equal(b->ops->prepare_copy(b, 0, 1004, 1, 1, 0, &st, &moved, &err), QB_OK);
  assert_int_equal(moved, 1000);
  b->ops->release(b, st);
  /* The mixes: a copy, the read-heavy and write-heavy casts', a read (dots), q8_0's
   * quantizer's 64:17 and its dequantizer's 17:64. */
  static const unsigned mixes[][2] = {{1, 1}, {4, 1}, {1, 4}, {1, 0}, {64, 17}, {17, 64}};
  size_t wg;
  unsigned vec;
  qb_opencl_geometry(b, 0, &wg, &vec);
  const size_t span = wg * vec * 16; /* the widest way's words per work-group */
  const size_t sizes[] = {1, 3, 4, 5, 17, 64, 67, span - 1, span, span + 5, 3 * span + 14};
  /* A stream way's chunks: within a work-item's span, a span and one more, a work-group
   * of spans and a part. */
  const size_t chunk_sizes[] = {1, 3, vec, vec + 1, wg * vec + 5};
  const size_t copy_most = 2 * (3 * span + 14) * 4, stream_most = (wg * vec + 5) * 81 * 64;
  const size_t most = copy_most > stream_most ? copy_most : stream_most;
  uint32_t* x = malloc(most);
  uint32_t* y = malloc(most);
  assert_true(x && y);
  for (size_t i = 0; i < most / 4; i++) x[i] = (uint32_t) (i * 2654435761u) ^ 0x5A5A5A5Au;
  for (size_t m = 0; m < sizeof mixes / sizeof mixes[0]; m++) {
    const unsigned rd = mixes[m][0], wr = mixes[m][1];
    int ways = 0;
    while (b->ops->copy_way(b, ways, rd, wr) != NULL) ways++;
    assert_true(ways >= 2);
    assert_int_equal(b->ops->prepare_copy(b, 0, 64, rd, wr, ways, &st, &moved, &err), QB_BAD_INPUT);
    assert_null(st);
    for (int way = 0; way < ways; way++) {
      const char* name = b->ops->copy_way(b, way, rd, wr);
      assert_int_equal(b->ops->prepare_copy(b, 0, 128 * 1024, rd, wr, way, &st, &moved, &err), QB_OK);
      assert_non_null(st);
      assert_true(moved > 0 && moved <= 128 * 1024 + (rd + wr) * 64);
      for (int i = 0; i < 3; i++) {
        double secs = 0.0;
        const char* note = NULL;
        assert_int_equal(b->ops->run(b, st, &secs, &note, &err), QB_OK);
        assert_non_null(note);
        /* A trusted device time is positive; an untrusted one is -1 and says so. */
        if (secs < 0) {
          assert_non_null(strstr(note, "untrusted"));
        } else {
          assert_true(secs > 0.0);
        }
      }
      b->ops->release(b, st);
      const bool copy =
          strcmp(name, "lines") != 0 && strcmp(name, "planes") != 0 && strcmp(name, "steps") != 0;
      const size_t nsz = copy ? sizeof sizes / sizeof sizes[0] : sizeof chunk_sizes / sizeof chunk_sizes[0];
      for (size_t k = 0; k < nsz; k++) {
        /* A copy way's footprint in word pairs; a stream way's in chunks of rd + wr lines. */
        const size_t n = copy ? sizes[k] : chunk_sizes[k];
        const size_t bytes = copy ? 8 * n : n * (rd + wr) * 64;
        size_t yb = 0;
        memset(y, 0xA5, most);
        if (qb_opencl_test_copy(b, 0, way, rd, wr, bytes, x, y, &yb, &err) != QB_OK)
          fail_msg("way %s of %u:%u, %zu bytes: %s", name, rd, wr, bytes, err.msg);
        if (copy) {
          assert_int_equal(yb, 4 * n);
          for (size_t i = 0; i < n; i++) {
            if (y[i] != x[i])
              fail_msg("copy way %s n=%zu: word %zu is 0x%08x, expected 0x%08x", name, n, i, y[i], x[i]);
          }
          continue;
        }
        assert_int_equal(yb, n * wr * 64);
        /* Chunk c's line j (16 words) of y: the XOR of its rd lines of x, each word ^ j;
         * the planes way lays line j of chunk c at j * n + c, the others at c * w + j.
         * The steps way writes line j after the first ceil((s + 1) rd / (rd + wr))
         * lines read at its step s, so it holds the XOR of those. */
        const bool planes = strcmp(name, "planes") == 0, steps = strcmp(name, "steps") == 0;
        for (size_t c = 0; c < n; c++) {
          unsigned read_before[128], ri = 0, wi = 0;
          for (unsigned s = 0; s < rd + wr && wr <= 128; s++) {
            if ((size_t) ri * (rd + wr) < (size_t) (s + 1) * rd) {
              ri++;
            } else {
              read_before[wi++] = ri;
            }
          }
          for (unsigned j = 0; j < wr; j++) {
            const unsigned reads = steps ? read_before[j] : rd;
            for (unsigned v = 0; v < 16; v++) {
              uint32_t want = j;
              for (unsigned i = 0; i < reads; i++) want ^= x[(planes ? i * n + c : c * rd + i) * 16 + v];
              const uint32_t got = y[(planes ? j * n + c : c * wr + j) * 16 + v];
              if (got != want)
                fail_msg(
                    "stream way %s of %u:%u, %zu chunks: chunk %zu line %u word %u is 0x%08x, expected "
                    "0x%08x",
                    name, rd, wr, n, c, j, v, got, want);
            }
          }
        }
      }
      printf("way %s of the mix %u:%u: every byte moved at %zu sizes\n", name, rd, wr, nsz);
    }
  }
  free(x);
  free(y);
}

/* A --device filter that matches nothing: a clear QB_BAD_INPUT naming it and the
 * devices there are; "P:D" indices select exactly one device. */
static void qb__test_filters(void** state) {
  qb__t* t = *state;
  qb_backend* b = NULL;
  qb_error err = {0};
  assert_int_equal(qb_opencl_backend_create(&t->ctx, "no-such-device-xyz", &b, &err), QB_BAD_INPUT);
  assert_null(b);
  assert_non_null(strstr(err.msg, "--device 'no-such-device-xyz': no OpenCL device matches"));
  assert_non_null(strstr(err.msg, t->b->ops->device_name(t->b, 0)));
  assert_int_equal(qb_opencl_backend_create(&t->ctx, "99:99", &b, &err), QB_BAD_INPUT);
  assert_int_equal(qb_opencl_backend_create(&t->ctx, "0:0", &b, &err), QB_OK);
  assert_int_equal(b->ops->device_count(b), 1);
  b->ops->destroy(b);
  /* By name: the first device's own short name selects it. */
  assert_int_equal(qb_opencl_backend_create(&t->ctx, t->b->ops->device_name(t->b, 0), &b, &err), QB_OK);
  assert_true(b->ops->device_count(b) >= 1);
  assert_string_equal(b->ops->device_name(b, 0), t->b->ops->device_name(t->b, 0));
  b->ops->destroy(b);
}

/* A device without fp64 builds the integer f64 -> f32 steps of cvt.cl: PoCL and
 * oclgrind both have fp64, so a second backend is built as for devices without it and
 * the f64 casts checked on it against the scalar reference, as qb__test_families does.
 * A numerics check: not in the quick runs (oclgrind, the sanitizers), where a second
 * program build takes a minute and the memory accesses are those already checked. */
static void qb__test_no_fp64(void** state) {
  qb__t* t = *state;
  if (t->quick) skip();
  qb__t u = *t;
  qb_error err = {0};
  assert_int_equal(qb_opencl_backend_create(&t->ctx, NULL, &u.b, &err), QB_OK);
  qb_opencl_test_no_fp64(u.b);
  const qb_family fams[] = {QB_FAMILY_f64_f32_cvt, QB_FAMILY_f32_f64_cvt};
  int checked = 0, failed = 0;
  for (int dev = 0; dev < u.b->ops->device_count(u.b); dev++) {
    size_t wg;
    unsigned vec;
    qb_opencl_geometry(u.b, dev, &wg, &vec);
    size_t sizes[16];
    const size_t nsizes = qb_test_sizes((unsigned) (wg * vec), sizes, 6);
    for (size_t fi = 0; fi < sizeof fams / sizeof fams[0]; fi++) {
      const qb_family_info* f = qb_family_get(fams[fi]);
      const char* names[8];
      const char* why = NULL;
      const int nv = u.b->ops->variants(u.b, dev, fams[fi], names, 8, &why);
      for (int v = 0; v < nv; v++) {
        for (size_t si = 0; si < nsizes; si++) {
          failed += qb__check(&u, dev, f, names[v], sizes[si], NULL, 3000 + sizes[si]) != 0;
          checked++;
        }
      }
    }
  }
  u.b->ops->destroy(u.b);
  printf("no fp64: %d f64 cast cases checked, %d failed\n", checked, failed);
  assert_true(checked > 0);
  assert_int_equal(failed, 0);
}

/* QBENCH_OPENCL_VEC sets every device's elements per work-item; out of range it is a
 * clear QB_BAD_INPUT. */
static void qb__test_vec_override(void** state) {
  qb__t* t = *state;
  qb_backend* b = NULL;
  qb_error err = {0};
  setenv("QBENCH_OPENCL_VEC", "65", 1);
  assert_int_equal(qb_opencl_backend_create(&t->ctx, NULL, &b, &err), QB_BAD_INPUT);
  assert_non_null(strstr(err.msg, "QBENCH_OPENCL_VEC='65'"));
  setenv("QBENCH_OPENCL_VEC", "32", 1);
  assert_int_equal(qb_opencl_backend_create(&t->ctx, NULL, &b, &err), QB_OK);
  unsetenv("QBENCH_OPENCL_VEC");
  size_t wg;
  unsigned vec;
  qb_opencl_geometry(b, 0, &wg, &vec);
  assert_int_equal(vec, 32);
  b->ops->destroy(b);
}

/* The description carries what `qbench info` and the results context need. */
static void qb__test_context(void** state) {
  qb__t* t = *state;
  for (int dev = 0; dev < t->b->ops->device_count(t->b); dev++) {
    json_t* o = t->b->ops->device_context(t->b, dev);
    const char* keys[] = {"name",
                          "vendor",
                          "driver",
                          "opencl_c_version",
                          "compute_units",
                          "max_clock_mhz",
                          "global_mem_bytes",
                          "local_mem_bytes",
                          "max_alloc_bytes",
                          "extensions",
                          "timer_resolution_ns",
                          "preferred_vector_width"};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
      if (json_object_get(o, keys[k]) == NULL) fail_msg("device_context lacks '%s'", keys[k]);
    }
    const char* name = t->b->ops->device_name(t->b, dev);
    assert_null(strchr(name, ' '));
    assert_null(strchr(name, '/'));
    json_decref(o);
  }
}

static int qb__setup(void** state) {
  static qb__t t;
  memset(&t, 0, sizeof t);
  qb_cpu_detect(&t.ctx.cpu);
  const char* q = getenv("QB_OPENCL_TEST_QUICK");
  t.quick = q != NULL && q[0] == '1';
  qb_error err = {0};
  if (qb_opencl_backend_create(&t.ctx, NULL, &t.b, &err) != QB_OK) return -1;
  *state = &t;
  return 0;
}

static int qb__teardown(void** state) {
  qb__t* t = *state;
  t->b->ops->destroy(t->b);
  return 0;
}

int main(void) {
  /* No device at all is a skip, not a failure. */
  qb_ctx ctx;
  memset(&ctx, 0, sizeof ctx);
  qb_backend* b = NULL;
  qb_error err = {0};
  const qb_status st = qb_opencl_backend_create(&ctx, NULL, &b, &err);
  if (st != QB_OK) {
    printf("test_opencl: %s: skipped\n", err.msg);
    return st == QB_UNSUPPORTED ? QB_TEST_SKIP : 1;
  }
  b->ops->destroy(b);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(qb__test_context),          cmocka_unit_test(qb__test_filters),
      cmocka_unit_test(qb__test_too_large),        cmocka_unit_test(qb__test_build_failure),
      cmocka_unit_test(qb__test_int_dot_extremes), cmocka_unit_test(qb__test_families),
      cmocka_unit_test(qb__test_copy_roof),        cmocka_unit_test(qb__test_vec_override),
      cmocka_unit_test(qb__test_no_fp64),
  };
  /* QB_TEST_FILTER=<glob> runs only the matching tests (cmocka's filter). */
  const char* filter = getenv("QB_TEST_FILTER");
  if (filter != NULL && filter[0] != '\0') cmocka_set_test_filter(filter);
  return cmocka_run_group_tests(tests, qb__setup, qb__teardown);
}
#endif
