#include "backends/cpu/cpu_bench.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "platform/topo.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

/* The kernels' streamed-store driver, for its tile sizes and prefetch distance only. */
#include "common/stream-x86.h"
#endif

/* Aim for at least this many bytes per keep-running step, so that the call into
 * Google Benchmark's loop (not inlined across the C/C++ boundary) stays well under
 * one percent of an L1-sized case. */
#define QB__BATCH_BYTES (256.0 * 1024.0)
/* Timeout checks inside the loop: every this many steps (a clock read each). */
#define QB__TIMEOUT_STRIDE 64

void* qb_cpu_alloc_touched(size_t bytes) {
  const size_t huge = (size_t) 2 << 20;
  if (bytes == 0) bytes = 1;
  /* 1. Buffers of 4 MiB and more: map 2 MiB extra and trim both ends, so the buffer
   *    starts on a 2 MiB boundary and every 2 MiB of it can be a huge page. */
  const size_t extra = bytes >= 2 * huge ? huge : 0;
  char* p = mmap(NULL, bytes + extra, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return NULL;
  if (extra) {
    const size_t head = (huge - (size_t) ((uintptr_t) p % huge)) % huge;
    if (head) munmap(p, head);
    if (extra - head) munmap(p + head + bytes, extra - head);
    p += head;
  }
#ifdef MADV_HUGEPAGE
  /* 2. Fewer TLB misses on DRAM-sized buffers; a refusal only costs speed. */
  (void) madvise(p, bytes, MADV_HUGEPAGE);
#endif
  /* 3. Every page written now, so no first-touch fault lands in a timed region. */
  memset(p, 0x5A, bytes);
  return p;
}

void qb_cpu_free(void* p, size_t bytes) {
  if (p != NULL) munmap(p, bytes ? bytes : 1);
}

qb_status qb_cpu_pins_init(qb_cpu_pins* p, unsigned count, qb_error* err) {
  p->count = count;
  p->sets = calloc(count ? count : 1, sizeof *p->sets);
  p->state = calloc(count ? count : 1, 1);
  if (p->sets == NULL || p->state == NULL) {
    qb_cpu_pins_free(p);
    return qb_fail(err, QB_NO_MEMORY, "out of memory for %u thread pins", count);
  }
  return QB_OK;
}

void qb_cpu_pins_free(qb_cpu_pins* p) {
  free(p->sets);
  free(p->state);
  p->sets = NULL;
  p->state = NULL;
  p->count = 0;
}

bool qb_cpu_pin(qb_cpu_pins* p, int t) {
  if (p == NULL || t < 0 || (unsigned) t >= p->count) return qb_topo_bind_thread(t);
  if (p->state[t] == 1) return pthread_setaffinity_np(pthread_self(), sizeof p->sets[t], &p->sets[t]) == 0;
  if (p->state[t] == 2) return false;
  const bool ok =
      qb_topo_bind_thread(t) && pthread_getaffinity_np(pthread_self(), sizeof p->sets[t], &p->sets[t]) == 0;
  p->state[t] = ok ? 1 : 2;
  return ok;
}

static uint64_t qb__gcd(uint64_t a, uint64_t b) {
  while (b) {
    uint64_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

static uint64_t qb__lcm(uint64_t a, uint64_t b) {
  return a / qb__gcd(a, b) * b;
}

static int64_t qb__batch(double bytes) {
  if (bytes <= 0) return 1;
  double k = QB__BATCH_BYTES / bytes;
  return k <= 1 ? 1 : (int64_t) k;
}

static qb_status qb__alloc_slices(qb_cpu_bench* b, unsigned threads, qb_error* err) {
  b->threads = threads ? threads : 1;
  b->slices = aligned_alloc(_Alignof(qb_cpu_slice), b->threads * sizeof *b->slices);
  if (b->slices == NULL) return qb_fail(err, QB_NO_MEMORY, "out of memory for %u thread slices", b->threads);
  memset(b->slices, 0, b->threads * sizeof *b->slices);
  atomic_init(&b->bind_failures, 0);
  atomic_init(&b->timed_out, false);
  return QB_OK;
}

qb_status qb_cpu_bench_kernel(qb_cpu_bench* b, const qb_kernel_info* k, const qb_backend_case* c, void* y,
                              unsigned threads, double timeout_s, qb_error* err) {
  memset(b, 0, sizeof *b);
  b->work = QB_CPU_WORK_KERNEL;
  b->kernel = k;
  b->kind = c->family->kind;
  b->timeout_s = timeout_s;
  qb_status s = qb__alloc_slices(b, threads, err);
  if (s != QB_OK) return s;
  const qb_family_info* f = c->family;
  const qb_quant_params qp0 = {0};
  const qb_quant_params* qp = c->qp ? c->qp : &qp0;
  if (b->kind == QB_KIND_dot) {
    /* 64 bytes apart: threads writing their results never share a cache line. */
    b->outs = aligned_alloc(64, (size_t) b->threads * 64);
    if (b->outs == NULL) {
      qb_cpu_bench_free(b);
      return qb_fail(err, QB_NO_MEMORY, "out of memory for %u dot results", b->threads);
    }
    memset(b->outs, 0, (size_t) b->threads * 64);
  }
  /* 1. Slice boundaries: multiples of the block, channel and 64 elements (whole cache
   *    lines for every dtype, whole bytes for packed 4-bit ones). */
  uint64_t unit = qb__lcm(f->n_multiple ? f->n_multiple : 1, 64);
  if (qp->channel_len > 0) unit = qb__lcm(unit, qp->channel_len);
  const uint64_t n = c->n;
  for (unsigned t = 0; t < b->threads; t++) {
    uint64_t lo = n * t / b->threads / unit * unit;
    uint64_t hi = t + 1 == b->threads ? n : n * (t + 1) / b->threads / unit * unit;
    qb_cpu_slice* sl = &b->slices[t];
    /* 2. Each slice points into the shared buffers at its first element. */
    sl->n = (size_t) (hi - lo);
    sl->x = (const char*) c->x + qb_dtype_buffer_bytes(f->in, (size_t) lo);
    sl->x2 = c->x2 ? (const char*) c->x2 + qb_dtype_buffer_bytes(f->in2, (size_t) lo) : NULL;
    sl->y = b->kind == QB_KIND_unary ? (char*) y + qb_dtype_buffer_bytes(f->out, (size_t) lo) : NULL;
    sl->out = b->outs ? (char*) b->outs + (size_t) t * 64 : NULL;
    sl->qp = *qp;
    if (qp->channel_len > 0) {
      /* 3. Per-channel parameters start at the slice's first channel. */
      const size_t c0 = (size_t) lo / qp->channel_len;
      sl->qp.scales = qp->scales + c0;
      sl->qp.inv_scales = qp->inv_scales + c0;
      sl->qp.zero_points = qp->zero_points + c0;
    }
    sl->bytes = qb_family_bytes(f, sl->n);
    sl->items = (double) sl->n;
    sl->flops = qb_family_flops(f, sl->n);
    sl->batch = qb__batch(sl->bytes);
  }
  return QB_OK;
}

/* 1 in dtype t at p (the peak kernels' operands). */
static void qb__one(qb_dtype t, void* p) {
  switch (t) {
    case QB_DTYPE_f32: {
      const float one = 1.0f;
      memcpy(p, &one, sizeof one);
      break;
    }
    case QB_DTYPE_f16:
      *(uint16_t*) p = 0x3C00;
      break;
    case QB_DTYPE_bf16:
      *(uint16_t*) p = 0x3F80;
      break;
    default:
      *(uint8_t*) p = 1;
      break; /* u8, s8 */
  }
}

qb_status qb_cpu_bench_peak(qb_cpu_bench* b, const qb_kernel_info* k, size_t n, unsigned threads,
                            double timeout_s, qb_error* err) {
  memset(b, 0, sizeof *b);
  const qb_family_info* f = qb_family_get(k->family);
  b->work = QB_CPU_WORK_KERNEL;
  b->kernel = k;
  b->kind = QB_KIND_dot;
  b->timeout_s = timeout_s;
  qb_status s = qb__alloc_slices(b, threads, err);
  if (s != QB_OK) return s;
  b->outs = aligned_alloc(64, (size_t) b->threads * 64);
  b->ones = aligned_alloc(64, 128);
  if (b->outs == NULL || b->ones == NULL) {
    qb_cpu_bench_free(b);
    return qb_fail(err, QB_NO_MEMORY, "out of memory for the %s roof", k->name);
  }
  memset(b->ones, 0, 128);
  qb__one(f->in, b->ones);
  qb__one(f->in2, (char*) b->ones + 64);
  for (unsigned t = 0; t < b->threads; t++) {
    qb_cpu_slice* sl = &b->slices[t];
    sl->n = n;
    sl->x = b->ones;
    sl->x2 = (char*) b->ones + 64;
    sl->out = (char*) b->outs + (size_t) t * 64;
    sl->items = (double) n;
    sl->flops = qb_family_flops(f, n);
    sl->batch = 1;
  }
  return QB_OK;
}

qb_status qb_cpu_bench_roof(qb_cpu_bench* b, qb_cpu_work work, size_t bytes, unsigned threads,
                            unsigned placements, bool narrow, const qb_cpu* cpu, double timeout_s,
                            qb_error* err) {
  const int widest = qb_cpu_stream_width(cpu);
  if (narrow && widest != 64) return qb_fail(err, QB_UNSUPPORTED, "a narrower loop needs AVX-512 (x86)");
  memset(b, 0, sizeof *b);
  b->work = work;
  b->timeout_s = timeout_s;
  b->placements = placements ? placements : 1;
  b->width = narrow ? 32 : widest;
  qb_status s = qb__alloc_slices(b, threads, err);
  if (s != QB_OK) return s;
  /* Copy moves each byte twice (read, then write): its buffers are half the footprint
   * each. Slices are whole 4 KiB pages so that threads never share a line. */
  const size_t unit = 4096;
  const size_t span = work == QB_CPU_WORK_COPY ? bytes / 2 : bytes;
  const size_t per = (span / b->threads + unit - 1) / unit * unit;
  const size_t buf = per * b->threads;
  b->placement_bytes = work == QB_CPU_WORK_COPY ? 2 * buf : buf;
  b->roof_bytes = b->placement_bytes * b->placements;
  b->roof_buf = qb_cpu_alloc_touched(b->roof_bytes);
  if (b->roof_buf == NULL) {
    qb_cpu_bench_free(b);
    return qb_fail(err, QB_NO_MEMORY, "out of memory for a %zu-byte roof buffer", b->roof_bytes);
  }
  for (unsigned t = 0; t < b->threads; t++) {
    qb_cpu_slice* sl = &b->slices[t];
    char* base = (char*) b->roof_buf + (size_t) t * per;
    sl->n = per;
    sl->y = base;
    sl->x = work == QB_CPU_WORK_COPY ? base + buf : base;
    sl->bytes = work == QB_CPU_WORK_COPY ? 2.0 * (double) per : (double) per;
    sl->items = (double) per;
    sl->batch = qb__batch(sl->bytes);
  }
  return QB_OK;
}

int qb_cpu_stream_width(const qb_cpu* cpu) {
#if defined(__x86_64__) || defined(__i386__)
  if (qb_isa_usable(cpu, QB_ISA_avx512skx, NULL, NULL, 0)) return 64;
  if (qb_isa_usable(cpu, QB_ISA_avx2, NULL, NULL, 0)) return 32;
#else
  (void) cpu;
#endif
  return 16;
}

qb_status qb_cpu_bench_stream(qb_cpu_bench* b, qb_cpu_stream st, size_t bytes, unsigned threads,
                              unsigned placements, const qb_cpu* cpu, double timeout_s, qb_error* err) {
  memset(b, 0, sizeof *b);
  b->work = QB_CPU_WORK_STREAM;
  b->timeout_s = timeout_s;
  b->placements = placements ? placements : 1;
  b->stream = st;
  const int widest = qb_cpu_stream_width(cpu);
  b->width = widest;
  if (st.r + st.w == 0) return qb_fail(err, QB_INTERNAL, "a stream roof moves no bytes");
  if (st.nt && b->width < 32) {
    return qb_fail(err, QB_UNSUPPORTED, "non-temporal stores need AVX2 (x86)");
  }
  if (st.prefetch && !st.nt)
    return qb_fail(err, QB_INTERNAL, "a prefetching stream roof stores non-temporally");
  if (st.tile) {
#if defined(__x86_64__) || defined(__i386__)
    if (st.r == 0 || st.w == 0 || st.w > QB_STREAM_BUF || st.narrow || st.prefetch)
      return qb_fail(err, QB_INTERNAL, "the tile way reads and streams a mix of both, in the widest vectors");
    b->tile_r = st.r;
    b->tile_w = st.w;
#else
    return qb_fail(err, QB_UNSUPPORTED, "the tile way is the x86 kernels' driver");
#endif
  }
  if (st.narrow) {
    if (widest != 64) return qb_fail(err, QB_UNSUPPORTED, "a narrower loop needs AVX-512 (x86)");
    b->width = 32;
  }
  qb_status s = qb__alloc_slices(b, threads, err);
  if (s != QB_OK) return s;
  /* 1. A step moves r + w lines, scaled up to at least 16 lines (or st.lines; in the
   *    same proportion) so that the loop's own overhead stays out of an L1 figure. Each
   *    thread takes whole steps of its share of the footprint, its read and write spans
   *    whole 4 KiB pages apart from other threads'. */
  const unsigned lines = st.lines ? st.lines : 16;
  while (b->stream.r + b->stream.w < lines) {
    b->stream.r *= 2;
    b->stream.w *= 2;
  }
  st = b->stream;
  const size_t step = (size_t) (st.r + st.w) * 64;
  size_t steps = bytes / b->threads / step;
  if (steps == 0) steps = 1;
  const size_t page = 4096;
  const size_t rspan = (steps * st.r * 64 + page - 1) / page * page;
  const size_t wspan = (steps * st.w * 64 + page - 1) / page * page;
  const size_t per = rspan + wspan;
  b->placement_bytes = per * b->threads;
  b->roof_bytes = b->placement_bytes * b->placements;
  b->roof_buf = qb_cpu_alloc_touched(b->roof_bytes);
  if (b->roof_buf == NULL) {
    qb_cpu_bench_free(b);
    return qb_fail(err, QB_NO_MEMORY, "out of memory for a %zu-byte roof buffer", b->roof_bytes);
  }
  /* 2. All read spans first, then all write spans, as a kernel's input and output are
   *    two buffers. */
  for (unsigned t = 0; t < b->threads; t++) {
    qb_cpu_slice* sl = &b->slices[t];
    sl->x = (const char*) b->roof_buf + (size_t) t * rspan;
    sl->y = (char*) b->roof_buf + (size_t) b->threads * rspan + (size_t) t * wspan;
    sl->n = steps;
    sl->bytes = (double) (steps * step);
    sl->items = sl->bytes;
    sl->batch = qb__batch(sl->bytes);
  }
  return QB_OK;
}

void qb_cpu_bench_free(qb_cpu_bench* b) {
  free(b->slices);
  free(b->outs);
  free(b->ones);
  b->ones = NULL;
  qb_cpu_free(b->roof_buf, b->roof_bytes);
  b->slices = NULL;
  b->outs = NULL;
  b->roof_buf = NULL;
}

/* The read roofs: independent vector accumulators, so that the adds never limit the
 * loads. Four over one stream (`sum`); eight (`sum-8`): on the dev VM's Zen 3 the
 * four-accumulator loop read 187 GB/s at L1 size where eight read 204 and an AVX2 f32
 * dot 203 (the loop's own instructions take dispatch slots from the loads); and two
 * streams of four, the two halves of the buffer at once (`sum-2`), as a dot reads its
 * two inputs: out of cache each stream is its own prefetch stream. One copy of each is
 * built for AVX-512 (64-byte vectors), one for AVX2 (32-byte) and one for the baseline,
 * the widest the CPU has chosen at run time: on an Intel Xeon (Emerald Rapids class,
 * session 22) two 64-byte loads a cycle read L1 at twice the 32-byte loops' rate, and
 * a VNNI u8 . s8 dot read 1.21 of the 32-byte roof. The file names of kernels/ decide
 * their flags, but this is a measuring tool of the host, so a function attribute keeps
 * it in one place. */
typedef uint64_t qb__v4u64 __attribute__((vector_size(32)));
typedef uint64_t qb__v8u64 __attribute__((vector_size(64)));

#define QB__READ_FOLD(V, a)                                              \
  uint64_t f = 0;                                                        \
  for (size_t l = 0; l < sizeof(V) / sizeof(uint64_t); l++) f ^= (a)[l]; \
  return f;

#define QB__READ_BODY(V)                    \
  const V* v = (const V*) p;                \
  const size_t nv = bytes / sizeof(V);      \
  V a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0}; \
  size_t i = 0;                             \
  for (; i + 4 <= nv; i += 4) {             \
    a0 += v[i];                             \
    a1 += v[i + 1];                         \
    a2 += v[i + 2];                         \
    a3 += v[i + 3];                         \
  }                                         \
  for (; i < nv; i++) a0 += v[i];           \
  a0 += a1 + a2 + a3;                       \
  QB__READ_FOLD(V, a0)

#define QB__READ8_BODY(V)                                                           \
  const V* v = (const V*) p;                                                        \
  const size_t nv = bytes / sizeof(V);                                              \
  V a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0}, a4 = {0}, a5 = {0}, a6 = {0}, a7 = {0}; \
  size_t i = 0;                                                                     \
  for (; i + 8 <= nv; i += 8) {                                                     \
    a0 += v[i];                                                                     \
    a1 += v[i + 1];                                                                 \
    a2 += v[i + 2];                                                                 \
    a3 += v[i + 3];                                                                 \
    a4 += v[i + 4];                                                                 \
    a5 += v[i + 5];                                                                 \
    a6 += v[i + 6];                                                                 \
    a7 += v[i + 7];                                                                 \
  }                                                                                 \
  for (; i < nv; i++) a0 += v[i];                                                   \
  a0 += a1 + a2 + a3 + a4 + a5 + a6 + a7;                                           \
  QB__READ_FOLD(V, a0)

/* Two halves of bytes / 2 each (the odd last vector, if any, folded in at the end).
 * Out of cache the second stream runs QB__READ2_SKEW bytes ahead in its half (wrapping
 * to the half's start), so the two streams are never an exact power of two apart: on
 * the dev VM's Zen 3 two streams 64 MiB apart (a 128 MiB buffer's halves) read 12-15 %
 * slower than at 64 MiB plus 1, 2, 3, 4 or 6 MiB (a few KiB did not help), and a dot's
 * two buffers, mapped apart, are rarely that unlucky. */
#define QB__READ2_SKEW ((size_t) 3 << 20)
#define QB__READ2_BODY(V)                                                           \
  const V* v = (const V*) p;                                                        \
  const size_t nv = bytes / sizeof(V), half = nv / 2;                               \
  const size_t sk = QB__READ2_SKEW / sizeof(V), skew = half >= 2 * sk ? sk : 0;     \
  V a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0}, b0 = {0}, b1 = {0}, b2 = {0}, b3 = {0}; \
  for (int seg = 0; seg < 2; seg++) {                                               \
    /* i in [lo, hi) pairs v[i] with the second half's element w[i]. */             \
    const size_t lo = seg ? half - skew : 0, hi = seg ? half : half - skew;         \
    const V* w = v + half + (seg ? 0 : skew) - lo;                                  \
    size_t i = lo;                                                                  \
    for (; i + 4 <= hi; i += 4) {                                                   \
      a0 += v[i];                                                                   \
      b0 += w[i];                                                                   \
      a1 += v[i + 1];                                                               \
      b1 += w[i + 1];                                                               \
      a2 += v[i + 2];                                                               \
      b2 += w[i + 2];                                                               \
      a3 += v[i + 3];                                                               \
      b3 += w[i + 3];                                                               \
    }                                                                               \
    for (; i < hi; i++) a0 += v[i] + w[i];                                          \
  }                                                                                 \
  if (2 * half < nv) a0 += v[2 * half];                                             \
  a0 += a1 + a2 + a3 + b0 + b1 + b2 + b3;                                           \
  QB__READ_FOLD(V, a0)

/* The bytes past the last whole vector are not read (the roof's slices are whole pages). */
static uint64_t qb__read_base(const void* p, size_t bytes) {
  QB__READ_BODY(qb__v4u64)
}
static uint64_t qb__read8_base(const void* p, size_t bytes) {
  QB__READ8_BODY(qb__v4u64)
}
static uint64_t qb__read2_base(const void* p, size_t bytes) {
  QB__READ2_BODY(qb__v4u64)
}

#if defined(__x86_64__) || defined(__i386__)
__attribute__((target("avx2"))) static uint64_t qb__read_avx2(const void* p, size_t bytes) {
  QB__READ_BODY(qb__v4u64)
}
__attribute__((target("avx2"))) static uint64_t qb__read8_avx2(const void* p, size_t bytes) {
  QB__READ8_BODY(qb__v4u64)
}
__attribute__((target("avx2"))) static uint64_t qb__read2_avx2(const void* p, size_t bytes) {
  QB__READ2_BODY(qb__v4u64)
}
__attribute__((target("avx512f"))) static uint64_t qb__read_avx512(const void* p, size_t bytes) {
  QB__READ_BODY(qb__v8u64)
}
__attribute__((target("avx512f"))) static uint64_t qb__read8_avx512(const void* p, size_t bytes) {
  QB__READ8_BODY(qb__v8u64)
}
__attribute__((target("avx512f"))) static uint64_t qb__read2_avx512(const void* p, size_t bytes) {
  QB__READ2_BODY(qb__v8u64)
}
#else
#define qb__read_avx2 qb__read_base
#define qb__read8_avx2 qb__read8_base
#define qb__read2_avx2 qb__read2_base
#define qb__read_avx512 qb__read_base
#define qb__read8_avx512 qb__read8_base
#define qb__read2_avx512 qb__read2_base
#endif

/*
 * The stream roof's loop: per step, r cache lines loaded and folded into one
 * accumulator, then w lines stored (the accumulator XOR a constant, so neither side is
 * dead code and the stored lines are never zero: the loads of a step cancel in the XOR,
 * and on the dev VM non-temporal stores of zero lines ran about twice as fast as any
 * other data, 51-55 against 26-27 GB/s over 128 MiB, a roof no kernel storing its
 * results could reach).
 * One copy per vector width; the stores are plain or non-temporal. As with the read
 * roof, target attributes keep this measuring tool of the host in one place.
 */
#define QB__STREAM_BODY(V, LOAD, STORE, FENCE, PF)                                              \
  const char* in = (const char*) x;                                                             \
  char* out = (char*) y;                                                                        \
  const unsigned loads = r * (unsigned) (64 / sizeof(V));                                       \
  const unsigned stores = w * (unsigned) (64 / sizeof(V));                                      \
  V acc0 = zero, acc1 = zero, acc2 = zero, acc3 = zero;                                         \
  const V salt = zero + (uint64_t) 0x9E3779B97F4A7C15u;                                         \
  for (size_t i = 0; i < steps; i++) {                                                          \
    unsigned j = 0;                                                                             \
    for (; j + 4 <= loads; j += 4) {                                                            \
      if (PF) {                                                                                 \
        for (unsigned k = 0; k < 4 * sizeof(V); k += 64) __builtin_prefetch(in + PF + k, 0, 3); \
      }                                                                                         \
      acc0 ^= LOAD(in);                                                                         \
      acc1 ^= LOAD(in + sizeof(V));                                                             \
      acc2 ^= LOAD(in + 2 * sizeof(V));                                                         \
      acc3 ^= LOAD(in + 3 * sizeof(V));                                                         \
      in += 4 * sizeof(V);                                                                      \
    }                                                                                           \
    for (; j < loads; j++) {                                                                    \
      acc0 ^= LOAD(in);                                                                         \
      in += sizeof(V);                                                                          \
    }                                                                                           \
    const V v = acc0 ^ salt;                                                                    \
    for (j = 0; j + 4 <= stores; j += 4) {                                                      \
      STORE(out, v);                                                                            \
      STORE(out + sizeof(V), v);                                                                \
      STORE(out + 2 * sizeof(V), v);                                                            \
      STORE(out + 3 * sizeof(V), v);                                                            \
      out += 4 * sizeof(V);                                                                     \
    }                                                                                           \
    for (; j < stores; j++) {                                                                   \
      STORE(out, v);                                                                            \
      out += sizeof(V);                                                                         \
    }                                                                                           \
  }                                                                                             \
  FENCE;                                                                                        \
  acc0 ^= acc1 ^ acc2 ^ acc3;                                                                   \
  uint64_t h;                                                                                   \
  memcpy(&h, &acc0, sizeof h);                                                                  \
  return h;

typedef uint64_t qb__v2u64 __attribute__((vector_size(16)));
#define QB__LD_BASE(p) (*(const qb__v2u64*) (p))
#define QB__ST_BASE(p, v) (*(qb__v2u64*) (p) = (v))

static uint64_t qb__stream_base(const void* x, void* y, size_t steps, unsigned r, unsigned w) {
  const qb__v2u64 zero = {0};
  QB__STREAM_BODY(qb__v2u64, QB__LD_BASE, QB__ST_BASE, (void) 0, 0)
}

#if defined(__x86_64__) || defined(__i386__)
#define QB__LD_256(p) ((qb__v4u64) _mm256_load_si256((const __m256i*) (p)))
#define QB__ST_256(p, v) _mm256_store_si256((__m256i*) (p), (__m256i) (v))
#define QB__NT_256(p, v) _mm256_stream_si256((__m256i*) (p), (__m256i) (v))
typedef uint64_t qb__v8u64 __attribute__((vector_size(64)));
#define QB__LD_512(p) ((qb__v8u64) _mm512_load_si512((const void*) (p)))
#define QB__ST_512(p, v) _mm512_store_si512((void*) (p), (__m512i) (v))
#define QB__NT_512(p, v) _mm512_stream_si512((void*) (p), (__m512i) (v))

__attribute__((target("avx2"))) static uint64_t qb__stream_avx2(const void* x, void* y, size_t steps,
                                                                unsigned r, unsigned w) {
  const qb__v4u64 zero = {0};
  QB__STREAM_BODY(qb__v4u64, QB__LD_256, QB__ST_256, (void) 0, 0)
}
__attribute__((target("avx2"))) static uint64_t qb__stream_avx2_nt(const void* x, void* y, size_t steps,
                                                                   unsigned r, unsigned w) {
  const qb__v4u64 zero = {0};
  QB__STREAM_BODY(qb__v4u64, QB__LD_256, QB__NT_256, _mm_sfence(), 0)
}
__attribute__((target("avx2"))) static uint64_t qb__stream_avx2_nt_pf(const void* x, void* y, size_t steps,
                                                                      unsigned r, unsigned w) {
  const qb__v4u64 zero = {0};
  QB__STREAM_BODY(qb__v4u64, QB__LD_256, QB__NT_256, _mm_sfence(), QB_CPU_STREAM_PREFETCH)
}
__attribute__((target("avx512f"))) static uint64_t qb__stream_avx512(const void* x, void* y, size_t steps,
                                                                     unsigned r, unsigned w) {
  const qb__v8u64 zero = {0};
  QB__STREAM_BODY(qb__v8u64, QB__LD_512, QB__ST_512, (void) 0, 0)
}
__attribute__((target("avx512f"))) static uint64_t qb__stream_avx512_nt(const void* x, void* y, size_t steps,
                                                                        unsigned r, unsigned w) {
  const qb__v8u64 zero = {0};
  QB__STREAM_BODY(qb__v8u64, QB__LD_512, QB__NT_512, _mm_sfence(), 0)
}
__attribute__((target("avx512f"))) static uint64_t qb__stream_avx512_nt_pf(const void* x, void* y,
                                                                           size_t steps, unsigned r,
                                                                           unsigned w) {
  const qb__v8u64 zero = {0};
  QB__STREAM_BODY(qb__v8u64, QB__LD_512, QB__NT_512, _mm_sfence(), QB_CPU_STREAM_PREFETCH)
}
#endif

/*
 * The tile way (qb_cpu_stream.tile): the write-heavy kernels' streamed-store driver
 * (kernels/common/stream-x86.h, qb__stream_run step 3) around a body that reads and
 * writes the mix's bytes, so that a kernel streaming its output through that driver
 * moves its bytes no better than a way of its roof. A group is r bytes in and w out (the
 * mix in lowest terms); a tile is as many groups as the driver takes, so the tiles have
 * the kernels' sizes: where a group reads at least what it writes and a few groups make
 * whole lines of output (qb_stream_line_groups), those (256 B in and 128 B out for 2:1),
 * each tile streamed out while the next is folded, with its input lines prefetched at
 * once, as the driver's line tiles; otherwise at most QB_STREAM_TILE bytes
 * out and QB_STREAM_TILE_IN in, at least one, as below. Per tile:
 * 1. The tile's input folded into one accumulator (vector loads, the last one ending at
 *    the tile's last byte), and the accumulator XOR a counter stored over the tile's
 *    output in a buffer on the stack (in L1), as a kernel's plain loop writes its tile.
 *    The counter steps on every vector stored, so that no two lines of the output are
 *    alike, as a kernel's are not (the stream loop's steps store one value; on this VM
 *    the bytes stored can change the rate: non-temporal stores of zero lines ran 3x
 *    as fast as any other data).
 * 2. The buffer copied to the destination as qb__stream_copy does: the whole 64-byte
 *    lines with non-temporal stores, a partial line at either end with plain ones,
 *    and, between the lines, prefetches of the input QB_STREAM_AHEAD bytes on (a tile's
 *    worth, none past the end of the input) spread evenly over them.
 * What is left under a tile goes through step 1 straight to the destination, and an
 * sfence ends the call. The driver's constants and its line tiles are its own
 * (stream-x86.h is included for them only: its functions are built with each kernel's
 * flags, not the host's).
 */
#define QB__TILE_FOLD(V, LOADU, STOREU, acc, ctr, src, nin, dst, nout)                            \
  do {                                                                                            \
    size_t i_ = 0;                                                                                \
    for (; i_ + sizeof(V) <= (nin); i_ += sizeof(V)) acc ^= LOADU((src) + i_);                    \
    if (i_ < (nin)) {                                                                             \
      if ((nin) >= sizeof(V)) {                                                                   \
        acc ^= LOADU((src) + (nin) - sizeof(V));                                                  \
      } else {                                                                                    \
        V part_ = zero;                                                                           \
        memcpy(&part_, (src), (nin));                                                             \
        acc ^= part_;                                                                             \
      }                                                                                           \
    }                                                                                             \
    size_t j_ = 0;                                                                                \
    for (; j_ + sizeof(V) <= (nout); j_ += sizeof(V), ctr += salt) STOREU((dst) + j_, acc ^ ctr); \
    if (j_ < (nout)) {                                                                            \
      const V v_ = acc ^ ctr;                                                                     \
      ctr += salt;                                                                                \
      if ((nout) >= sizeof(V)) {                                                                  \
        STOREU((dst) + (nout) - sizeof(V), v_);                                                   \
      } else {                                                                                    \
        memcpy((dst), &v_, (nout));                                                               \
      }                                                                                           \
    }                                                                                             \
  } while (0)

#define QB__TILE_BODY(V, LOADU, STOREU, NT_LINE)                                                          \
  const char* in = (const char*) x;                                                                       \
  char* out = (char*) y;                                                                                  \
  const V zero = {0};                                                                                     \
  const V salt = zero + (uint64_t) 0x9E3779B97F4A7C15u;                                                   \
  V acc = zero, ctr = salt;                                                                               \
  _Alignas(64) char buf[QB_STREAM_BUF];                                                                   \
  size_t left = groups;                                                                                   \
  const size_t line_tile = qb_stream_line_groups(r, w, 1);                                                \
  if (line_tile != 0 && line_tile * w <= sizeof buf / 2 && (uintptr_t) out % 64 == 0) {                   \
    const size_t tile_in = line_tile * r, tile_out = line_tile * w;                                       \
    char* const half[2] = {buf, buf + sizeof buf / 2};                                                    \
    size_t k = 0;                                                                                         \
    for (; left >= line_tile; left -= line_tile, k ^= 1) {                                                \
      QB__TILE_FOLD(V, LOADU, STOREU, acc, ctr, in, tile_in, half[k], tile_out); /* 1. */                 \
      if (left * r >= QB_STREAM_AHEAD + tile_in) {                               /* 2. */                 \
        for (size_t b_ = 0; b_ < tile_in; b_ += 64) _mm_prefetch(in + QB_STREAM_AHEAD + b_, _MM_HINT_T0); \
      }                                                                                                   \
      if (left != groups) {                                                                               \
        for (size_t l_ = 0; l_ < tile_out; l_ += 64) NT_LINE(out - tile_out + l_, half[k ^ 1] + l_);      \
      }                                                                                                   \
      in += tile_in;                                                                                      \
      out += tile_out;                                                                                    \
    }                                                                                                     \
    if (left != groups) {                                                                                 \
      for (size_t l_ = 0; l_ < tile_out; l_ += 64) NT_LINE(out - tile_out + l_, half[k ^ 1] + l_);        \
    }                                                                                                     \
  } else {                                                                                                \
    size_t tile = w < QB_STREAM_TILE ? QB_STREAM_TILE / w : 1;                                            \
    if (tile * r > QB_STREAM_TILE_IN) tile = r < QB_STREAM_TILE_IN ? QB_STREAM_TILE_IN / r : 1;           \
    const size_t tile_in = tile * r, tile_out = tile * w;                                                 \
    for (; left >= tile; left -= tile) {                                                                  \
      QB__TILE_FOLD(V, LOADU, STOREU, acc, ctr, in, tile_in, buf, tile_out); /* 1. */                     \
      /* 2. */                                                                                            \
      const size_t pf_bytes = left * r >= QB_STREAM_AHEAD + tile_in ? tile_in : 0;                        \
      const char* pf = in + QB_STREAM_AHEAD;                                                              \
      const char* const pf_end = pf + pf_bytes;                                                           \
      const char* src = buf;                                                                              \
      char* dst = out;                                                                                    \
      size_t bytes = tile_out;                                                                            \
      const size_t lead = (size_t) (-(uintptr_t) dst & 63);                                               \
      if (lead != 0) {                                                                                    \
        const size_t k = lead < bytes ? lead : bytes;                                                     \
        memcpy(dst, src, k);                                                                              \
        dst += k;                                                                                         \
        src += k;                                                                                         \
        bytes -= k;                                                                                       \
      }                                                                                                   \
      const size_t lines = bytes / 64;                                                                    \
      const size_t per = lines != 0 ? (pf_bytes / 64 + lines - 1) / lines : 0;                            \
      for (; bytes >= 64; bytes -= 64, dst += 64, src += 64) {                                            \
        for (size_t k = 0; k < per && pf < pf_end; k++, pf += 64) _mm_prefetch(pf, _MM_HINT_T0);          \
        NT_LINE(dst, src);                                                                                \
      }                                                                                                   \
      if (bytes != 0) memcpy(dst, src, bytes);                                                            \
      in += tile_in;                                                                                      \
      out += tile_out;                                                                                    \
    }                                                                                                     \
  }                                                                                                       \
  if (left != 0) QB__TILE_FOLD(V, LOADU, STOREU, acc, ctr, in, left* r, out, left* w);                    \
  _mm_sfence();                                                                                           \
  uint64_t h;                                                                                             \
  memcpy(&h, &acc, sizeof h);                                                                             \
  return h;

#if defined(__x86_64__) || defined(__i386__)
#define QB__LDU_256(p) ((qb__v4u64) _mm256_loadu_si256((const __m256i*) (p)))
#define QB__STU_256(p, v) _mm256_storeu_si256((__m256i*) (p), (__m256i) (v))
#define QB__NT_LINE_256(d, s)                                                             \
  do {                                                                                    \
    _mm256_stream_si256((__m256i*) (d), _mm256_load_si256((const __m256i*) (s)));         \
    _mm256_stream_si256((__m256i*) (d) + 1, _mm256_load_si256((const __m256i*) (s) + 1)); \
  } while (0)
#define QB__LDU_512(p) ((qb__v8u64) _mm512_loadu_si512((const void*) (p)))
#define QB__STU_512(p, v) _mm512_storeu_si512((void*) (p), (__m512i) (v))
#define QB__NT_LINE_512(d, s) _mm512_stream_si512((void*) (d), _mm512_loadu_si512((const void*) (s)))

__attribute__((target("avx2"))) static uint64_t qb__tile_avx2(const void* x, void* y, size_t groups, size_t r,
                                                              size_t w) {
  QB__TILE_BODY(qb__v4u64, QB__LDU_256, QB__STU_256, QB__NT_LINE_256)
}
__attribute__((target("avx512f"))) static uint64_t qb__tile_avx512(const void* x, void* y, size_t groups,
                                                                   size_t r, size_t w) {
  QB__TILE_BODY(qb__v8u64, QB__LDU_512, QB__STU_512, QB__NT_LINE_512)
}
#endif

static uint64_t qb__stream(const qb_cpu_bench* b, const qb_cpu_slice* s) {
  const unsigned r = b->stream.r, w = b->stream.w;
#if defined(__x86_64__) || defined(__i386__)
  if (b->stream.tile) {
    /* Groups of the mix in lowest terms: each step of the scaled mix is 64 of its lines. */
    const size_t groups = s->n * 64 * (r / b->tile_r);
    return b->width == 64 ? qb__tile_avx512(s->x, s->y, groups, b->tile_r, b->tile_w)
                          : qb__tile_avx2(s->x, s->y, groups, b->tile_r, b->tile_w);
  }
#endif
#if defined(__x86_64__) || defined(__i386__)
  if (b->width == 64) {
    if (b->stream.prefetch) return qb__stream_avx512_nt_pf(s->x, s->y, s->n, r, w);
    return b->stream.nt ? qb__stream_avx512_nt(s->x, s->y, s->n, r, w)
                        : qb__stream_avx512(s->x, s->y, s->n, r, w);
  }
  if (b->width == 32) {
    if (b->stream.prefetch) return qb__stream_avx2_nt_pf(s->x, s->y, s->n, r, w);
    return b->stream.nt ? qb__stream_avx2_nt(s->x, s->y, s->n, r, w)
                        : qb__stream_avx2(s->x, s->y, s->n, r, w);
  }
#endif
  return qb__stream_base(s->x, s->y, s->n, r, w);
}

static inline void qb__call(const qb_cpu_bench* b, qb_cpu_slice* s) {
  switch (b->work) {
    case QB_CPU_WORK_KERNEL:
      if (b->kind == QB_KIND_dot) {
        qb_kernel_dot(b->kernel)(s->n, s->x, s->x2, s->out);
      } else {
        qb_kernel_unary(b->kernel)(s->n, s->x, s->y, &s->qp);
      }
      break;
    case QB_CPU_WORK_COPY:
      memcpy(s->y, s->x, s->n);
      break;
    case QB_CPU_WORK_READ:
      s->sink += b->width == 64   ? qb__read_avx512(s->x, s->n)
                 : b->width == 32 ? qb__read_avx2(s->x, s->n)
                                  : qb__read_base(s->x, s->n);
      break;
    case QB_CPU_WORK_READ8:
      s->sink += b->width == 64   ? qb__read8_avx512(s->x, s->n)
                 : b->width == 32 ? qb__read8_avx2(s->x, s->n)
                                  : qb__read8_base(s->x, s->n);
      break;
    case QB_CPU_WORK_READ2:
      s->sink += b->width == 64   ? qb__read2_avx512(s->x, s->n)
                 : b->width == 32 ? qb__read2_avx2(s->x, s->n)
                                  : qb__read2_base(s->x, s->n);
      break;
    case QB_CPU_WORK_WRITE:
      memset(s->y, (int) (s->sink++ % 255 + 1), s->n); /* never zero bytes (see the stream loop) */
      break;
    case QB_CPU_WORK_STREAM:
      s->sink += qb__stream(b, s);
      break;
  }
}

static bool qb__over_time(qb_cpu_bench* b) {
  if (b->timeout_s <= 0 || qb_monotonic_seconds() - b->start_s <= b->timeout_s) return false;
  atomic_store(&b->timed_out, true);
  return true;
}

void qb_cpu_bench_fn(qb_gb_state* st, void* user) {
  qb_cpu_bench* b = user;
  const int t = qb_gb_thread_index(st);
  qb_cpu_slice* s = &b->slices[t];
  /* Google Benchmark starts fresh threads for every calibration step and repetition:
   * pin each to its own core before its timed loop. */
  if (!qb_cpu_pin(b->pins, t)) atomic_fetch_add(&b->bind_failures, 1);
  if (atomic_load(&b->timed_out) || qb__over_time(b)) {
    qb_gb_skip_with_error(st, b->timeout_msg);
    return;
  }
  /* A roof over several placements: each run (calibration step or repetition) on the
   * next copy of the buffers, warmed by one untimed call so that no run times the fetch
   * of lines another run left out of the cache. Each thread counts its own runs: every
   * run calls every thread once, so all threads are on the same placement. */
  if (b->placements > 1) {
    const size_t shift = (size_t) (s->runs++ % b->placements) * b->placement_bytes;
    s->x = (const char*) s->x - s->shift + shift;
    s->y = (char*) s->y - s->shift + shift;
    s->shift = shift;
    qb__call(b, s);
  }
  /* A multi-thread roof's warm-up: untimed calls for warm_s, once per thread index (GB
   * starts fresh threads for each repetition; the later ones follow at once). A DRAM
   * roof's repetition is one call of a few milliseconds, timed right after the threads
   * start, where a case's repetition is tens of calls after a calibration run: on the
   * 2-core dev VM the 2-thread DRAM roofs of write-heavy mixes read 23-26 GB/s (one
   * core's bandwidth) while kernels of those mixes ran 49-52 in the same run. */
  if (b->warm_s > 0 && !s->warmed) {
    const double t0 = qb_monotonic_seconds();
    do qb__call(b, s);
    while (qb_monotonic_seconds() - t0 < b->warm_s);
    s->warmed = true;
  }
  const int64_t batch = s->batch;
  uint64_t steps = 0;
  while (qb_gb_keep_running_batch(st, batch)) {
    for (int64_t i = 0; i < batch; i++) qb__call(b, s);
    if ((++steps % QB__TIMEOUT_STRIDE) == 0 && qb__over_time(b)) {
      qb_gb_skip_with_error(st, b->timeout_msg);
      return;
    }
  }
  const double iters = (double) qb_gb_iterations(st);
  /* Summed over threads, then divided by the time from the first thread's first timed
   * call to the last thread's last one (the shim's rate on T threads, gbench.h and
   * host/measure/README.md): the machine's throughput with every thread at work, however
   * the scheduler placed the threads. */
  qb_gb_set_counter(st, "bytes_per_second", s->bytes * iters, QB_GB_COUNTER_RATE);
  qb_gb_set_counter(st, "items_per_second", s->items * iters, QB_GB_COUNTER_RATE);
  if (s->flops > 0) qb_gb_set_counter(st, "gflops", s->flops * iters * 1e-9, QB_GB_COUNTER_RATE);
}
