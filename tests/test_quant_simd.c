/*
 * Every usable SIMD variant of the quant families against its scalar reference,
 * bit for bit: both rounding modes, sizes around the tile, misaligned pointers,
 * random data mixed with crafted ties, NaN, infinities and saturating values.
 * One case per kernel (tests/common/test_kernels.h): a kernel this CPU (or
 * QBENCH_MAX_ISA) cannot run is a skipped case.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numerics/calib.h"
#include "quant/qblock-scalar.h"
#include "platform/registry.h"
#include "test_kernels.h"
#include "test_util.h"

#define QB_N(a) (sizeof(a) / sizeof((a)[0]))
#define QB_MAX_ELEMS 65536 /* 64 tiles of a 1024-value tile (eight int4 groups of 128); see sizes_for */
/* Slack after every buffer: a variant that writes past n changes it and fails. */
#define QB_GUARD 64

/* The families this test covers, from the registry: every op that takes quantization
 * params or is a block format (kernels/ops.inc), so a new one cannot go untested. */
static bool qb__is_quant_family(qb_family f) {
  const qb_family_info* fi = qb_family_get(f);
  return fi->kind == QB_KIND_unary && qb_family_op(fi)->params != QB_PARAMS_none;
}

/* Per-tensor parameter sets: exact ties (scale 0.5), a scale where x * (1/scale) and
 * x / scale round differently, an ordinary scale, one so small that x * inv_scale
 * overflows, one so large that everything rounds to the zero point. */
typedef struct {
  float scale;
  int32_t zp, qmin, qmax;
} qb__pset;
static const qb__pset qb__s8_sets[] = {
    {0.5f, 0, -128, 127},    {0x1.6872bp-7f, 3, -128, 127}, {0.0371f, -20, -127, 127}, {1e-30f, 0, -128, 127},
    {3e37f, 127, -128, 127}, {0.25f, -128, -128, 127},      {0.5f, 7, -100, 120},
};
static const qb__pset qb__u8_sets[] = {
    {0.5f, 128, 0, 255},  {0x1.6872bp-7f, 0, 0, 255}, {0.0371f, 255, 0, 255},
    {1e-30f, 77, 0, 255}, {3e37f, 0, 0, 255},         {0.25f, 30, 10, 200},
};

typedef struct {
  qb_cpu cpu;
  uint64_t seed;
  uint8_t* in;   /* QB_MAX_ELEMS elements of the widest input, plus slack */
  uint8_t* want; /* reference output */
  uint8_t* got;  /* variant output */
  float scales[QB_MAX_ELEMS], inv_scales[QB_MAX_ELEMS];
  int32_t zps[QB_MAX_ELEMS];
} qb__ctx;

static float rand_unit(qb__ctx* c) {
  return (float) ((double) (qb_test_rand(&c->seed) >> 40) * 0x1p-24);
}

/* A float input: random around the quantization range (so saturation happens), or a
 * crafted value: a tie of the scale, a neighbour of a tie, NaN, infinities, extremes. */
static float gen_f32(qb__ctx* c, float scale, size_t i) {
  const uint64_t r = qb_test_rand(&c->seed);
  const int k = (int) (r % 300) - 150;
  const float tie = ((float) k + 0.5f) * scale;
  switch ((r >> 16) % 16) {
    case 0:
      return tie;
    case 1:
      return nextafterf(tie, INFINITY);
    case 2:
      return nextafterf(tie, -INFINITY);
    case 3: {
      static const float special[] = {NAN,        -NAN,     INFINITY,    -INFINITY,  0.0f,      -0.0f,
                                      FLT_MAX,    -FLT_MAX, 0x1p-149f,   -0x1p-149f, 0x1p-126f, 8388607.5f,
                                      8388608.5f, -0.5f,    0.49999997f, 1e30f};
      return special[(i + (r >> 24)) % QB_N(special)];
    }
    case 4:
      return (float) k; /* exactly integral input */
    default:
      return (rand_unit(c) * 2.0f - 1.0f) * 300.0f * scale;
  }
}

static void fill_f32(qb__ctx* c, float* x, size_t n, float scale) {
  for (size_t i = 0; i < n; i++) x[i] = gen_f32(c, scale, i);
}

/* Every byte value once (when n allows), then random ones. */
static void fill_bytes(qb__ctx* c, uint8_t* x, size_t n) {
  for (size_t i = 0; i < n; i++) x[i] = i < 256 ? (uint8_t) i : (uint8_t) qb_test_rand(&c->seed);
}

/* Blocks with random codes and scales that include 0, inf, NaN, subnormals, huge. */
static void fill_blocks(qb__ctx* c, qb_block_q8* b, size_t nblocks) {
  static const float ds[] = {0.0f, INFINITY, NAN, 0x1p-140f, 3e38f, 1.0f, -0.5f};
  for (size_t i = 0; i < nblocks; i++) {
    const uint64_t r = qb_test_rand(&c->seed);
    b[i].d = r % 3 == 0 ? ds[(r >> 8) % QB_N(ds)] : rand_unit(c) * 0.1f;
    fill_bytes(c, (uint8_t*) b[i].qs, QB_BLOCK_LEN);
  }
}

static size_t elem_bytes(qb_dtype t) {
  return qb_dtype_buffer_bytes(t, 1);
}

/* Runs variant and reference on the same input with the outputs `out_off` bytes off
 * alignment, and compares every output byte plus the guard after it. */
static void compare(qb__ctx* c, const qb_kernel_info* k, size_t n, const void* in, const qb_quant_params* p,
                    size_t out_off, const char* what) {
  const qb_family_info* f = qb_family_get(k->family);
  const qb_kernel_info* ref = qb_kernel_reference(k->family);
  const size_t bytes = qb_dtype_buffer_bytes(f->out, n);
  memset(c->want, 0xCD, bytes + QB_GUARD + out_off);
  memset(c->got, 0xCD, bytes + QB_GUARD + out_off);
  qb_kernel_unary(ref)(n, in, c->want + out_off, p);
  qb_kernel_unary(k)(n, in, c->got + out_off, p);
  if (memcmp(c->want, c->got, bytes + QB_GUARD + out_off) == 0) {
    return;
  }
  size_t b = 0;
  while (c->want[b] == c->got[b]) b++;
  const size_t eb = f->out == QB_DTYPE_qb8 ? sizeof(qb_block_q8) : elem_bytes(f->out);
  const size_t e = (b - out_off) / eb; /* the output element (block for qb8) */
  const size_t ie = f->in == QB_DTYPE_qb8 ? sizeof(qb_block_q8) : elem_bytes(f->in);
  const size_t ishow = f->out == QB_DTYPE_qb8 ? e * QB_BLOCK_LEN : e;
  uint32_t inbits = 0;
  if (ishow < n) memcpy(&inbits, (const uint8_t*) in + ishow * ie, ie < 4 ? ie : 4);
  fail_msg(
      "%s: %s n=%zu (%s, round %s, scale %a zp %d [%d, %d]): output byte %zu (element %zu%s), "
      "input 0x%08x: got 0x%02x want 0x%02x",
      k->name, what, n, out_off ? "misaligned" : "aligned",
      p && p->round == QB_ROUND_TFLITE ? "tflite" : "pytorch", p ? (double) p->scale : 0.0,
      p ? (int) p->zero_point : 0, p ? (int) p->qmin : 0, p ? (int) p->qmax : 0, b - out_off, e,
      e >= n && f->out != QB_DTYPE_qb8 ? ", past n" : "", (unsigned) inbits, c->got[b], c->want[b]);
}

static size_t sizes_for(const qb_family_info* f, unsigned tile, size_t* out, size_t max) {
  size_t m = qb_test_sizes(tile, out, max);
  /* Two 4 KiB tiles of output and more even for 1-byte outputs, so that a streamed call
   * (kernels/common/stream-x86.h; test_kernels.c runs every check with the threshold at
   * 0 too) goes through its head, its tiles and its plain rest. */
#if defined(__x86_64__) || defined(__i386__) /* only x86 kernels stream */
  if (m < max) out[m++] = 8192 + 3 * (size_t) tile + 1;
#endif
  if (f->n_multiple > 1) {
    /* Block formats: whole blocks only, around the tile in blocks. */
    size_t k = 0;
    for (size_t i = 0; i < m; i++) {
      const size_t r = out[i] / f->n_multiple * f->n_multiple;
      int dup = 0;
      for (size_t j = 0; j < k; j++) dup |= out[j] == r;
      if (!dup) out[k++] = r;
    }
    m = k;
    if (k < max) out[m++] = 67 * f->n_multiple;
  }
  /* A tile wider than 1024 values (sixteen int4 groups of 128) loses its 64 tiles + 5 case:
   * 7 tiles + 3 already run several whole tiles and a tail. */
  size_t k = 0;
  for (size_t i = 0; i < m; i++) {
    if (out[i] <= QB_MAX_ELEMS) out[k++] = out[i];
  }
  return k;
}

static void test_per_tensor(qb__ctx* c, const qb_kernel_info* k, const qb_family_info* f, size_t n,
                            int misalign) {
  const int is_u8 = f->in == QB_DTYPE_u8 || f->out == QB_DTYPE_u8;
  const qb__pset* sets = is_u8 ? qb__u8_sets : qb__s8_sets;
  const size_t nsets = is_u8 ? QB_N(qb__u8_sets) : QB_N(qb__s8_sets);
  const size_t in_off = misalign ? elem_bytes(f->in) : 0;
  for (size_t s = 0; s < nsets; s++) {
    for (int r = 0; r < 2; r++) {
      qb_quant_params p;
      qb_quant_params_init(&p, sets[s].scale, sets[s].zp, sets[s].qmin, sets[s].qmax, (qb_round_mode) r);
      if (f->in == QB_DTYPE_f32) {
        fill_f32(c, (float*) (c->in + in_off), n, sets[s].scale);
      } else {
        fill_bytes(c, c->in + in_off, n);
      }
      compare(c, k, n, c->in + in_off, &p, misalign ? elem_bytes(f->out) : 0, "per tensor");
    }
  }
}

static void test_per_channel(qb__ctx* c, const qb_kernel_info* k, const qb_family_info* f, size_t n,
                             int misalign) {
  const int is_u8 = f->in == QB_DTYPE_u8 || f->out == QB_DTYPE_u8;
  /* 1, 3: shorter than a vector; 17, 97 (the L2 case's channels): a vector and more, with
   * a last partial vector; 63, 65, 130: either side of a 64-lane step and two steps with
   * channels straddling them; the tile and past it. */
  const size_t lens[] = {1, 3, 17, 63, 65, 97, 130, k->tile, k->tile + 5};
  const size_t in_off = misalign ? elem_bytes(f->in) : 0;
  for (size_t li = 0; li < QB_N(lens); li++) {
    const size_t len = lens[li];
    const size_t nn = n / len * len;
    for (int r = 0; r < 2; r++) {
      qb_quant_params p;
      const int32_t qmin = is_u8 ? 0 : -128, qmax = is_u8 ? 255 : 127;
      qb_quant_params_init(&p, 1.0f, is_u8 ? 128 : 0, qmin, qmax, (qb_round_mode) r);
      p.channel_len = len;
      p.scales = c->scales;
      p.inv_scales = c->inv_scales;
      p.zero_points = c->zps;
      /* Mixed scales across channels: powers of two (exact ties) and arbitrary. */
      for (size_t ch = 0; ch < (nn ? nn / len : 0); ch++) {
        const uint64_t v = qb_test_rand(&c->seed);
        c->scales[ch] = v & 1 ? ldexpf(1.0f, (int) (v >> 8) % 16 - 10) : 0.001f + rand_unit(c);
        c->inv_scales[ch] = 1.0f / c->scales[ch];
        c->zps[ch] = qmin + (int32_t) ((v >> 32) % (uint64_t) (qmax - qmin + 1));
      }
      if (f->in == QB_DTYPE_f32) {
        float* x = (float*) (c->in + in_off);
        for (size_t i = 0; i < nn; i++) x[i] = gen_f32(c, c->scales[i / len], i);
      } else {
        fill_bytes(c, c->in + in_off, nn);
      }
      compare(c, k, nn, c->in + in_off, &p, misalign ? elem_bytes(f->out) : 0, "per channel");
    }
  }
}

/*
 * One block of 32 at x whose scale sits at an edge, chosen by `kind`: all zeros (of either
 * sign); a subnormal or tiny largest magnitude (a d = amax / 127 that underflows to 0 or is
 * subnormal, a 1 / d that overflows); a largest magnitude near 127 * 2^-126 (d just either
 * side of the smallest normal); exact ties (amax = 127 * s with s a power of two, the
 * other values (k + 1/2) s and their neighbours); a huge largest magnitude.
 */
static void fill_edge_block(qb__ctx* c, float* x, int kind) {
  const uint64_t r = qb_test_rand(&c->seed);
  for (int i = 0; i < QB_BLOCK_LEN; i++) {
    const uint64_t v = qb_test_rand(&c->seed);
    const float u = rand_unit(c) * 2.0f - 1.0f;
    switch (kind) {
      case 0:
        x[i] = v & 1 ? -0.0f : 0.0f;
        break;
      case 1:
        x[i] = u * ldexpf(1.0f, (int) (r % 32) - 149);
        break;
      case 2:
        x[i] = u * 127.0f * ldexpf(1.0f + (float) (r % 5) * 0x1p-3f, -127 + (int) ((r >> 8) % 3));
        break;
      case 3: {
        const float s = ldexpf(1.0f, (int) (r % 60) - 30);
        const float t = ((float) ((int) (v % 254) - 127) + 0.5f) * s;
        x[i] = i == (int) ((r >> 8) % QB_BLOCK_LEN) ? (v & 1 ? -127.0f : 127.0f) * s
               : v % 3 == 0                         ? nextafterf(t, (v >> 8) & 1 ? INFINITY : -INFINITY)
                                                    : t;
        break;
      }
      default:
        x[i] = u * ldexpf(1.0f, 100 + (int) (r % 28));
        break;
    }
  }
}

static void test_blocks(qb__ctx* c, const qb_kernel_info* k, const qb_family_info* f, size_t n,
                        int misalign) {
  /* qb8 buffers are misaligned by one float: qb_block_q8 itself needs 4-byte alignment. */
  const size_t off = misalign ? 4 : 0;
  for (int rep = 0; rep < 6; rep++) {
    if (f->in == QB_DTYPE_f32 && rep >= 4) {
      /* Blocks at the scales' edges (fill_edge_block), mixed with ordinary ones. */
      float* x = (float*) (c->in + off);
      for (size_t b = 0; b < n / QB_BLOCK_LEN; b++) {
        const uint64_t v = qb_test_rand(&c->seed);
        if (v % 4 == 0) {
          for (int i = 0; i < QB_BLOCK_LEN; i++) x[b * QB_BLOCK_LEN + i] = rand_unit(c) - 0.5f;
        } else {
          fill_edge_block(c, x + b * QB_BLOCK_LEN, (int) ((v >> 8) % 5));
        }
      }
    } else if (f->in == QB_DTYPE_f32) {
      float* x = (float*) (c->in + off);
      /* Block scales vary: each block gets its own magnitude. */
      for (size_t i = 0; i < n; i++) {
        x[i] = gen_f32(c, ldexpf(1.0f, (int) ((i / QB_BLOCK_LEN) % 40) - 20), i);
        if (rep == 0 && (i / QB_BLOCK_LEN) % 3 != 0 && !isfinite(x[i])) x[i] = 1.0f;
      }
    } else {
      fill_blocks(c, (qb_block_q8*) (c->in + off), n / QB_BLOCK_LEN);
    }
    compare(c, k, n, c->in + off, NULL, off, "blocks");
  }
}

static void test_variant(qb__ctx* c, const qb_kernel_info* k) {
  const qb_family_info* f = qb_family_get(k->family);
  const int per_channel = qb_family_op(f)->params == QB_PARAMS_channel;
  size_t sizes[16];
  const size_t m = sizes_for(f, k->tile, sizes, QB_N(sizes));
  for (size_t i = 0; i < m; i++) {
    assert_true(sizes[i] <= QB_MAX_ELEMS);
    for (int misalign = 0; misalign < 2; misalign++) {
      if (f->n_multiple > 1) {
        test_blocks(c, k, f, sizes[i], misalign);
      } else if (per_channel) {
        test_per_channel(c, k, f, sizes[i], misalign);
      } else {
        test_per_tensor(c, k, f, sizes[i], misalign);
      }
    }
  }
}

/* TFLite's rounding on its own, through one f32_qs8_quant kernel against roundf: each
 * tie k + 0.5 in the s8 range rounds away from zero, and its two float neighbours round
 * to the nearer integer. */
static void check_tflite_ties(const qb_kernel_info* k) {
  float x[768];
  int8_t y[768];
  qb_quant_params p;
  qb_quant_params_init(&p, 1.0f, 0, -128, 127, QB_ROUND_TFLITE);
  for (int base = -128; base < 128; base += 1) {
    const float t = (float) base + 0.5f;
    x[3 * (base + 128)] = t;
    x[3 * (base + 128) + 1] = nextafterf(t, 0.0f);
    x[3 * (base + 128) + 2] = nextafterf(t, t > 0 ? INFINITY : -INFINITY);
  }
  qb_kernel_unary(k)(768, x, y, &p);
  for (int j = 0; j < 768; j++) {
    const float want = fminf(fmaxf(roundf(x[j]), -128.0f), 127.0f);
    if ((float) y[j] != want) {
      fail_msg("%s: x = %a: got %d want %g", k->name, (double) x[j], y[j], (double) want);
    }
  }
}

/* The scalar reference's ties (every other f32_qs8_quant kernel is checked in its own case). */
static void test_reference_tflite_ties(void** state) {
  (void) state;
  check_tflite_ties(qb_kernel_reference(QB_FAMILY_f32_qs8_quant));
}

/*
 * --sweep <family> <chunk>/<chunks>: every f32 bit pattern whose top bits select this
 * chunk (every QB_EXHAUSTIVE_STRIDE-th one when set), through every usable variant of a
 * per-tensor f32-input family, against the reference, in both rounding modes, with a
 * scale whose reciprocal is inexact. The reference runs once per block of inputs and every
 * variant is compared with that. Registered by tests/quant.cmake, label exhaustive.
 */
static int sweep(const char* family, const char* chunk_spec) {
  enum { B = 1 << 16, V = 32 };
  unsigned chunk = 0, chunks = 0;
  const qb_family f = qb_family_find(family);
  if (f == QB_FAMILY_COUNT || sscanf(chunk_spec, "%u/%u", &chunk, &chunks) != 2 || chunks == 0 ||
      chunk >= chunks || qb_family_get(f)->in != QB_DTYPE_f32 || qb_family_get(f)->n_multiple != 1) {
    fprintf(stderr, "usage: test_quant_simd --sweep <per-tensor f32 family> <chunk>/<chunks>\n");
    return 2;
  }
  const char* st = getenv("QB_EXHAUSTIVE_STRIDE");
  const uint64_t stride = st && atoi(st) > 0 ? (uint64_t) atoi(st) : 1;
  const uint64_t lo = (1ull << 32) * chunk / chunks, hi = (1ull << 32) * (chunk + 1) / chunks;
  const qb_family_info* fi = qb_family_get(f);
  const int is_u8 = fi->out == QB_DTYPE_u8;
  qb_cpu cpu;
  qb_error err = {0};
  char buf[160];
  qb_cpu_detect(&cpu);
  if (qb_cpu_cap_from_env(&cpu, &err) != QB_OK) {
    fprintf(stderr, "%s\n", err.msg);
    return 1;
  }
  static uint32_t x[B];
  static float want[B], got[B]; /* wide enough for any output */
  /* The usable variants, each run on every block the reference is computed for once. */
  const qb_kernel_info* ks[V];
  int tested = 0;
  for (size_t i = 0; i < qb_kernel_count(); i++) {
    const qb_kernel_info* k = qb_kernel_at(i);
    if (k->family == f && k->isa != QB_ISA_scalar && qb_kernel_usable(k, &cpu, NULL, buf, sizeof buf)) {
      if (tested == V) {
        fprintf(stderr, "test_quant_simd --sweep: more than %d variants of %s: raise V\n", V, family);
        return 1;
      }
      ks[tested++] = k;
    }
  }
  for (int r = 0; r < 2 && tested > 0; r++) {
    qb_quant_params p;
    qb_quant_params_init(&p, 0x1.6872bp-7f, is_u8 ? 131 : 3, is_u8 ? 0 : -128, is_u8 ? 255 : 127,
                         (qb_round_mode) r);
    for (uint64_t w = lo; w < hi;) {
      size_t n = 0;
      for (; n < B && w < hi; n++, w += stride) x[n] = (uint32_t) w;
      qb_kernel_unary(qb_kernel_reference(f))(n, x, want, &p);
      for (int v = 0; v < tested; v++) {
        const qb_kernel_info* k = ks[v];
        qb_kernel_unary(k)(n, x, got, &p);
        if (memcmp(want, got, qb_dtype_buffer_bytes(fi->out, n)) != 0) {
          size_t j = 0;
          const size_t eb = qb_dtype_buffer_bytes(fi->out, 1);
          while (memcmp((uint8_t*) want + j * eb, (uint8_t*) got + j * eb, eb) == 0) j++;
          fprintf(stderr, "%s: round %s: input 0x%08x differs from the reference\n", k->name,
                  r ? "tflite" : "pytorch", (unsigned) x[j]);
          return 1;
        }
      }
    }
  }
  for (int v = 0; v < tested; v++) {
    printf("ok: %s [0x%08llx, 0x%08llx) stride %llu\n", ks[v]->name, (unsigned long long) lo,
           (unsigned long long) hi, (unsigned long long) stride);
  }
  if (tested == 0) {
    printf("skipped: no usable SIMD variant of %s\n", family);
    return QB_TEST_SKIP;
  }
  return 0;
}

/* The buffers every kernel's case uses, made on first use and kept to the exit. */
static qb__ctx* ctx(void) {
  static qb__ctx* c;
  if (c == NULL) {
    c = (qb__ctx*) calloc(1, sizeof *c);
    assert_non_null(c);
    c->cpu = *qb_test_cpu();
    c->seed = 20261122;
    c->in = (uint8_t*) malloc(QB_MAX_ELEMS * sizeof(qb_block_q8) + QB_GUARD);
    c->want = (uint8_t*) malloc(QB_MAX_ELEMS * sizeof(qb_block_q8) + QB_GUARD);
    c->got = (uint8_t*) malloc(QB_MAX_ELEMS * sizeof(qb_block_q8) + QB_GUARD);
    assert_true(c->in && c->want && c->got);
  }
  return c;
}

/* The block families whose sizes here (up to 67 blocks) fit the buffers: the 128 x 128
 * tiles (16384 elements a block) are checked by test_f8tile instead. */
static bool checks(const qb_kernel_info* k) {
  return qb__is_quant_family(k->family) && k->isa != QB_ISA_scalar &&
         67 * qb_family_get(k->family)->n_multiple <= QB_MAX_ELEMS;
}

/*
 * A row of QB_QBLOCK_STREAM values and more (8 MiB), through the 16-block (tile 512)
 * kernels of q8_0, q4_0 and qb8 quantize, which take another group loop from that length
 * on (kernels/quant/qblock-scalar.h): random blocks of varied scale, with a NaN, an
 * infinity, an all-zero block and a block with a subnormal scale past the switch, and a
 * tail of blocks after the last whole group; bytes compared with the reference.
 */
static void check_long_row(const qb_kernel_info* k) {
  const qb_family_info* f = qb_family_get(k->family);
  const size_t n = QB_QBLOCK_STREAM + 4 * 512 + 3 * QB_BLOCK_LEN, nb = n / QB_BLOCK_LEN;
  const size_t yb = qb_dtype_buffer_bytes(f->out, n);
  float* x = malloc(n * sizeof(float));
  uint8_t* want = malloc(yb);
  uint8_t* got = malloc(yb);
  assert_true(x && want && got);
  uint64_t seed = 0x5EA3u + (uint64_t) k->family;
  for (size_t b = 0; b < nb; b++) {
    const float scale = ldexpf(1.0f, (int) (qb_test_rand(&seed) % 40) - 20);
    for (size_t i = 0; i < QB_BLOCK_LEN; i++) {
      x[b * QB_BLOCK_LEN + i] = scale * (float) ((int32_t) (qb_test_rand(&seed) & 0xFFFF) - 32768) / 4096.0f;
    }
  }
  const size_t at = QB_QBLOCK_STREAM / QB_BLOCK_LEN; /* the first block past the switch */
  x[(at + 1) * QB_BLOCK_LEN + 5] = NAN;
  x[(at + 20) * QB_BLOCK_LEN + 7] = -INFINITY;
  memset(&x[(at + 37) * QB_BLOCK_LEN], 0, QB_BLOCK_LEN * sizeof(float));
  for (size_t i = 0; i < QB_BLOCK_LEN; i++) x[(at + 50) * QB_BLOCK_LEN + i] *= 0x1p-120f;
  memset(want, 0x5A, yb);
  memset(got, 0x5A, yb);
  qb_kernel_unary(qb_kernel_reference(k->family))(n, x, want, NULL);
  qb_kernel_unary(k)(n, x, got, NULL);
  for (size_t i = 0; i < yb; i++) {
    if (got[i] != want[i]) {
      fail_msg("%s: n=%zu: byte %zu (block %zu) is 0x%02x, the reference gives 0x%02x", k->name, n, i,
               i / (yb / nb), got[i], want[i]);
    }
  }
  free(x);
  free(want);
  free(got);
}

static void check(const qb_kernel_info* k) {
  test_variant(ctx(), k);
  if (k->family == QB_FAMILY_f32_qs8_quant) check_tflite_ties(k);
  if ((k->family == QB_FAMILY_f32_q8_0_quant || k->family == QB_FAMILY_f32_q4_0_quant ||
       k->family == QB_FAMILY_f32_qb8_quant) &&
      k->tile == 512) {
    check_long_row(k);
  }
}

int main(int argc, char** argv) {
  if (argc == 4 && strcmp(argv[1], "--sweep") == 0) {
    return sweep(argv[2], argv[3]);
  }
  const struct CMUnitTest common[] = {cmocka_unit_test(test_reference_tflite_ties)};
  const qb_test_kernels t = {checks, check, common, QB_N(common)};
  return qb_test_kernels_main(argc, argv, &t);
}
