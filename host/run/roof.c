/*
 * Roofs, measured in the same run and through the same machinery as the cases:
 * copy, read and write bandwidth at every size class (L1, L2, L3, DRAM), on one thread
 * and on every core; and the compute roof of each `*_peak` family's usable variants
 * (GFLOP/s in L1), and the stream roof of every other read:write mix a case moves. A
 * row's roof_fraction divides by the roof of its family's mix at its size class and
 * thread count. Each OpenCL device gets its own roofs (the fastest of its ways of each
 * mix) at every footprint and mix its cases use, and its rows divide by those.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "backends/cpu/cpu_bench.h"
#include "backends/device.h"
#include "run/roof.h"

/* What one measurement of roofs works with: the inputs, the table being filled, and
 * the pins of the CPU roofs' threads (kept across roofs: a hwloc bind costs
 * milliseconds). */
typedef struct qb__roofing {
  const qb_roof_input* in;
  qb_roofs* roofs;
  qb_cpu_pins pins;
  size_t final; /* the entries before this one are final (journaled as they are) */
} qb__roofing;

static const char* const qb__class_names[] = {"L1", "L2", "L3", "DRAM"};

/* A roof's total footprint, sized as qb_suite_resolve_size sizes a case's buffers:
 * half the level for the caches, QB_SUITE_DRAM_FACTOR x the last level for DRAM. */
static uint64_t qb__class_bytes(const qb_topo* t, int cls) {
  const uint64_t l3 = t->l3_used ? t->l3_used : t->l2_used;
  switch (cls) {
    case 0:
      return t->l1d_used / 2;
    case 1:
      return t->l2_used / 2;
    case 2:
      return l3 / 2;
    default:
      return l3 * QB_SUITE_DRAM_FACTOR;
  }
}

static qb_roof* qb__next(qb_roofs* roofs) {
  if (roofs->count == QB_ROOFS_MAX) return NULL;
  qb_roof* x = &roofs->items[roofs->count++];
  memset(x, 0, sizeof *x);
  x->in = QB_DTYPE_none;
  x->backend = -1;
  x->device = -1;
  return x;
}

/* One way of moving a roof's bytes: memcpy/memset/the sum loop, or a stream loop. */
typedef struct qb__way {
  const char* name;
  qb_cpu_work work;
  qb_cpu_stream stream;
} qb__way;

/* The ways of each bandwidth roof (the fastest is the roof), so that a kernel that
 * moves its bytes better than memcpy does cannot end above its roof. `loop-256` (the
 * loop in 256-bit vectors) only where the loop's own vectors are 512-bit: where wide
 * vectors lower the clock or split into halves, a kernel of 256-bit vectors may move
 * the bytes faster than the widest loop does. `loop-nt-64`: non-temporal stores in steps
 * of at least 64 lines, as a kernel streaming its output through an L1 tile moves them
 * (kernels/common/stream-x86.h): out of cache on the dev VM, reads in longer runs
 * before each run of stores moved a 2:1 or 1:1 mix 4-8 % faster than 16-line steps
 * (longer steps still were slower again), and streamed f32 -> f16 casts ran above the
 * 16-line roof. `loop-nt-pf`: the same with each line read prefetched 4 KiB ahead, as
 * that tile driver's copy prefetches its input, only at QB__ROOF_BIG_BYTES and above
 * (L1/L2 data needs no prefetch): with it, out of cache, the widening casts and the
 * qu4g128 dequantizer ran 1.01-1.04 of the 64-line roof. `tile` (from QB__ROOF_BIG_BYTES on, as the
 * kernels stream only out of cache): the kernels' streamed-store driver itself (stream-x86.h's tiles,
 * buffer and prefetch around a fold of the mix's bytes; cpu_bench.c): at DRAM size on the 2-vCPU
 * Zen 4 the streamed f32 -> f16 cast ran 1.08-1.19 of the best of the other ways on one thread
 * (quiet runs of sessions 15-18), and the FP6/FP4 decodes 1.5-1.75 of them on two threads.
 * `sum-8` and `sum-2` (cpu_bench.c): a read with eight
 * accumulators, and a read of two streams at once as a dot reads x and y; on the dev VM's Zen 3 an AVX2 f32
 * dot read 1.05 of the four-accumulator sum at L1 size. The `sum` ways load the widest
 * vectors (64 bytes with AVX-512: on an Intel Xeon of session 22 a VNNI u8 . s8 dot read 1.21
 * of the 32-byte sums at L1 size); `-256`, as `loop-256`, the 32-byte ones beside them. */
static const qb__way qb__copy_ways[] = {
    {"memcpy", QB_CPU_WORK_COPY, {0, 0, false, false, 0, false, false}},
    {"loop", QB_CPU_WORK_STREAM, {1, 1, false, false, 0, false, false}},
    {"loop-256", QB_CPU_WORK_STREAM, {1, 1, false, true, 0, false, false}},
    {"loop-nt", QB_CPU_WORK_STREAM, {1, 1, true, false, 0, false, false}},
    {"loop-nt-64", QB_CPU_WORK_STREAM, {1, 1, true, false, 64, false, false}},
    {"loop-nt-pf", QB_CPU_WORK_STREAM, {1, 1, true, false, 64, true, false}},
    {"tile", QB_CPU_WORK_STREAM, {1, 1, true, false, 0, false, true}}};
static const qb__way qb__read_ways[] = {
    {"sum", QB_CPU_WORK_READ, {0, 0, false, false, 0, false, false}},
    {"sum-8", QB_CPU_WORK_READ8, {0, 0, false, false, 0, false, false}},
    {"sum-2", QB_CPU_WORK_READ2, {0, 0, false, false, 0, false, false}},
    {"sum-256", QB_CPU_WORK_READ, {0, 0, false, true, 0, false, false}},
    {"sum-8-256", QB_CPU_WORK_READ8, {0, 0, false, true, 0, false, false}},
    {"sum-2-256", QB_CPU_WORK_READ2, {0, 0, false, true, 0, false, false}},
    {"loop", QB_CPU_WORK_STREAM, {1, 0, false, false, 0, false, false}},
    {"loop-256", QB_CPU_WORK_STREAM, {1, 0, false, true, 0, false, false}}};
static const qb__way qb__write_ways[] = {
    {"memset", QB_CPU_WORK_WRITE, {0, 0, false, false, 0, false, false}},
    {"loop", QB_CPU_WORK_STREAM, {0, 1, false, false, 0, false, false}},
    {"loop-256", QB_CPU_WORK_STREAM, {0, 1, false, true, 0, false, false}},
    {"loop-nt", QB_CPU_WORK_STREAM, {0, 1, true, false, 0, false, false}}};

/* Tells the caller that a roof is about to be timed: every entry before it is final. */
static void qb__progress(qb__roofing* r, const char* bench) {
  if (r->in->progress != NULL) {
    r->in->progress(r->in->user, bench, r->roofs, r->final);
  }
}

/*
 * How a CPU roof is timed: many short repetitions, of which the fastest counts. On a
 * busy machine a repetition that no other process interrupted is likelier the shorter
 * it is, and the fastest of many finds one; the suite's longer repetitions (the cases'
 * medians) would carry the load into the roof. A roof of QB__ROOF_BIG_BYTES or more (L3
 * and DRAM sizes: a call of a millisecond or more, one call per repetition) is timed in
 * the suite's count of repetitions, at least QB__ROOF_BIG_REPETITIONS: twelve passes
 * over tens of MiB cost seconds under valgrind for little gain.
 */
#define QB__ROOF_REPETITIONS 12u
#define QB__ROOF_BIG_REPETITIONS 3u
#define QB__ROOF_BIG_BYTES ((uint64_t) 4 << 20)
#define QB__ROOF_MIN_TIME 0.002
/* A multi-thread roof of QB__ROOF_BIG_BYTES or more: seconds of untimed calls on every
 * thread before each way's first timed repetition (qb_cpu_bench.warm_s), so that the
 * threads are timed with every core busy, as a case's threads are after its calibration
 * runs. In quiet runs on the 2-core dev VM the 2-thread DRAM roofs of write-heavy mixes
 * (each repetition one call of about 3 ms, right after the threads start) read 23-26
 * GB/s, one core's worth, while kernels of those mixes ran 49-52 in tens of calls per
 * repetition (the first of them 48.5, after one calibration call); with both cores
 * busy the same loops read 47-53. 10 ms: about three calls of a 2-thread DRAM roof,
 * some 2 s in all over a run of every family at DRAM on 2 threads. */
#define QB__ROOF_WARM_S 0.01

/* Repetitions per copy of a roof's buffers, where its runs go round several
 * (qb__placements): as many as QB__ROOF_REPETITIONS spread over two would give each. */
#define QB__ROOF_PLACEMENT_REPETITIONS 6u

/* The roofs' short repetitions (the suite's when they are more or shorter still). */
static qb_measure_options qb__roof_options(const qb_measure_options* suite, bool big, unsigned placements) {
  qb_measure_options mo = *suite;
  unsigned reps = big ? QB__ROOF_BIG_REPETITIONS : QB__ROOF_REPETITIONS;
  if (placements > 1 && reps < placements * QB__ROOF_PLACEMENT_REPETITIONS)
    reps = placements * QB__ROOF_PLACEMENT_REPETITIONS;
  if (mo.repetitions < reps) mo.repetitions = reps;
  if (!(mo.min_time <= QB__ROOF_MIN_TIME)) mo.min_time = QB__ROOF_MIN_TIME;
  return mo;
}

/* A prepared CPU bench timed as a case is, on the roofs' pins, with the options `mo`
 * (the roofs' repetitions, or the rows' own). */
static void qb__measure_cpu(qb__roofing* r, const char* bench, qb_cpu_bench* b, unsigned threads,
                            const qb_measure_options* mo, qb_measure* m) {
  qb_error err = {0};
  qb__progress(r, bench);
  b->pins = &r->pins;
  snprintf(b->timeout_msg, sizeof b->timeout_msg, "timed out after %g s (--case-timeout)",
           r->in->measure.case_timeout);
  b->start_s = qb_monotonic_seconds();
  if (qb_measure_host(mo, bench, qb_cpu_bench_fn, b, threads, m, &err) != QB_OK) m->ok = false;
}

/* The fastest repetition of a measurement: a roof is a limit, and a repetition that a
 * busy machine slowed down says nothing about what the machine can do. */
static double qb__fastest(const qb_measure* m, const char* key) {
  double best = 0;
  size_t i;
  const json_t* o;
  json_array_foreach(m->runs, i, o) {
    const char* type = json_string_value(json_object_get(o, "run_type"));
    if (type == NULL || strcmp(type, "iteration") != 0 || json_is_true(json_object_get(o, "error_occurred")))
      continue;
    const double v = qb_measure_get(o, key);
    if (v > best) best = v;
  }
  return best;
}

/* The ways of a bandwidth roof, from what it is: its name, or its read:write mix; the
 * narrow loop only where the CPU's widest is 512-bit. */
static size_t qb__ways_of(const qb_roof* x, const qb_cpu* cpu, qb__way* out) {
  const qb__way* table = NULL;
  size_t n = 0;
  if (strcmp(x->name, "copy") == 0) {
    table = qb__copy_ways;
    n = sizeof qb__copy_ways / sizeof qb__copy_ways[0];
  } else if (strcmp(x->name, "read") == 0) {
    table = qb__read_ways;
    n = sizeof qb__read_ways / sizeof qb__read_ways[0];
  } else if (strcmp(x->name, "write") == 0) {
    table = qb__write_ways;
    n = sizeof qb__write_ways / sizeof qb__write_ways[0];
  }
  qb__way mix[6] = {{"loop", QB_CPU_WORK_STREAM, {x->r, x->w, false, false, 0, false, false}},
                    {"loop-256", QB_CPU_WORK_STREAM, {x->r, x->w, false, true, 0, false, false}},
                    {"loop-nt", QB_CPU_WORK_STREAM, {x->r, x->w, true, false, 0, false, false}},
                    {"loop-nt-64", QB_CPU_WORK_STREAM, {x->r, x->w, true, false, 64, false, false}},
                    {"loop-nt-pf", QB_CPU_WORK_STREAM, {x->r, x->w, true, false, 64, true, false}},
                    {"tile", QB_CPU_WORK_STREAM, {x->r, x->w, true, false, 0, false, true}}};
  if (table == NULL) {
    table = mix;
    n = sizeof mix / sizeof mix[0];
  }
  const bool narrow = qb_cpu_stream_width(cpu) == 64;
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    if (table[i].stream.narrow && !narrow) continue;
    if ((table[i].stream.prefetch || table[i].stream.tile) && x->bytes < QB__ROOF_BIG_BYTES) continue;
    out[m++] = table[i];
  }
  return m;
}

static int qb__class_index(const char* size_class) {
  int cls = 0;
  while (cls < 3 && strcmp(qb__class_names[cls], size_class) != 0) cls++;
  return cls;
}

/*
 * Copies of a roof's buffers (qb_cpu_bench_roof), the runs of each way going round
 * them: out of L1 the rate a loop reaches depends on the physical pages under its
 * buffers, and one allocation can hold a roof down for a whole run (in five runs of
 * session 17 on the 2-vCPU Zen 4 the L2 roof of the 17:128 mix read 110.6-111.6 GB/s
 * over four trials in two runs and 116.6-117.3 in three others, and dequantizers of
 * that mix ran 1.03 of the low ones; a stand-alone copy of the 256-bit loop over eight
 * buffers read 105-114 or 117 GB/s per buffer, the same in each of four rounds). Only
 * where a way is timed in many short repetitions (below QB__ROOF_BIG_BYTES: the big
 * roofs' few one-call repetitions would each get one copy) and on footprints beyond the
 * L1d as detected (--caches may size an "L2" roof that still fits it), which is indexed
 * within the page.
 */
#define QB__ROOF_PLACEMENTS 3u

static unsigned qb__placements(const qb_roof* x, const qb_topo* t, bool big) {
  const uint64_t l1d = t->l1d ? t->l1d : t->l1d_used; /* the cache as detected, not as sized */
  return big || x->bytes <= l1d ? 1 : QB__ROOF_PLACEMENTS;
}

/* A way under 1/QB__ROOF_WAY_DROP of its roof (or failed) after its first trial (after
 * its second from QB__ROOF_BIG_BYTES on) is not timed again: it cannot become the roof,
 * and above L1 size the non-temporal ways of a write-heavy mix move a third of what the
 * plain loop does (on the 2-vCPU Zen 4 at L2 size, 29-42 GB/s against 108-117), half of
 * the time of each later trial. The big roofs' ways have two trials first: their trial
 * is a few one-call repetitions, and one unlucky trial (a load that came and went)
 * dropped the `tile` way of a DRAM roof for a whole run in session 19. */
#define QB__ROOF_WAY_DROP 2

/* One way of a roof timed with the options `mo` (the bench's name ends in `suffix`):
 * its fastest repetition, kept as the way's and the roof's when faster than before; 0
 * when it failed or this CPU lacks it. */
static double qb__time_way(qb__roofing* r, qb_roof* x, size_t i, const qb__way* way,
                           const qb_measure_options* mo, const char* suffix) {
  const qb_ctx* ctx = r->in->ctx;
  const double timeout = r->in->measure.case_timeout;
  /* Non-temporal stores go round no cache: their ways keep one copy of the buffers
   * and the plain count of repetitions (a third of a roof's ways above L1 size). */
  const unsigned places = way->stream.nt ? 1 : x->placements;
  qb_cpu_bench b;
  qb_error err = {0};
  const qb_status st = way->work == QB_CPU_WORK_STREAM
                           ? qb_cpu_bench_stream(&b, way->stream, (size_t) x->bytes, x->threads, places,
                                                 &ctx->cpu, timeout, &err)
                           : qb_cpu_bench_roof(&b, way->work, (size_t) x->bytes, x->threads, places,
                                               way->stream.narrow, &ctx->cpu, timeout, &err);
  if (st != QB_OK) {
    /* A way this CPU lacks (non-temporal stores without AVX2) is no failure. */
    if (st != QB_UNSUPPORTED && x->method == NULL) qb_text_copy(x->reason, sizeof x->reason, err.msg);
    return 0;
  }
  b.warm_s = x->warm_s;
  char bench[192];
  snprintf(bench, sizeof bench, "roof/%s/%s/%s/threads:%u%s", x->name, way->name, x->size_class, x->threads,
           suffix);
  qb_measure m;
  qb__measure_cpu(r, bench, &b, x->threads, mo, &m);
  qb_cpu_bench_free(&b);
  const double bps = m.ok ? qb__fastest(&m, "bytes_per_second") : 0;
  json_decref(m.runs);
  if (!(bps > 0)) {
    if (x->method == NULL) snprintf(x->reason, sizeof x->reason, "%s", m.reason);
    return 0;
  }
  if (bps > x->way_bps[i]) x->way_bps[i] = bps;
  if (bps > x->bytes_per_second) {
    x->bytes_per_second = bps;
    x->method = way->name;
    x->ok = true;
  }
  return bps;
}

/* One trial of a CPU bandwidth roof: every way timed once (later, those still in the
 * running); each way's fastest repetition, and the roof's, kept when faster than
 * the trials before. */
static void qb__bandwidth_trial(qb__roofing* r, qb_roof* x) {
  const qb_ctx* ctx = r->in->ctx;
  qb__way ways[sizeof x->way_bps / sizeof x->way_bps[0]];
  const size_t n_ways = qb__ways_of(x, &ctx->cpu, ways);
  const unsigned trial = ++x->trials;
  const bool big = x->bytes >= QB__ROOF_BIG_BYTES;
  x->placements = qb__placements(x, &ctx->topo, big);
  const qb_measure_options mo = qb__roof_options(&r->in->measure, big, x->placements);
  const qb_measure_options mo_nt = qb__roof_options(&r->in->measure, big, 1);
  x->repetitions = mo.repetitions;
  x->nt_repetitions = mo_nt.repetitions;
  x->min_time = mo.min_time;
  x->warm_s = big && x->threads > 1 ? QB__ROOF_WARM_S : 0;
  if (trial == 1) r->final = (size_t) (x - r->roofs->items);
  double trial_best = 0;
  for (size_t i = 0; i < n_ways && i < sizeof x->way_bps / sizeof x->way_bps[0] && !*r->in->stop; i++) {
    const qb__way* way = &ways[i];
    if (i >= x->n_ways) {
      x->way_names[i] = way->name;
      x->way_bps[i] = 0;
      x->n_ways = i + 1;
    } else if (trial > (big ? 2u : 1u) && x->way_bps[i] < x->bytes_per_second / QB__ROOF_WAY_DROP) {
      continue;
    }
    const double bps = qb__time_way(r, x, i, way, way->stream.nt ? &mo_nt : &mo, trial > 1 ? "/again" : "");
    if (bps > trial_best) trial_best = bps;
  }
  if (trial_best > 0 && x->n_trial_bps < sizeof x->trial_bps / sizeof x->trial_bps[0])
    x->trial_bps[x->n_trial_bps++] = trial_best;
}

/* A big roof's fastest way timed as the rows are (the suite's repetitions and seconds
 * per repetition, each thread making tens of calls in a row over the same buffers, where
 * the roof's own repetitions are one call each): right after a row went above the roof,
 * so that the two are timed in the same call shape and at nearly the same time. See
 * qb_roof_retry. */
static void qb__bandwidth_row_shaped(qb__roofing* r, qb_roof* x) {
  if (x->method == NULL || x->bytes < QB__ROOF_BIG_BYTES || *r->in->stop) return;
  qb__way ways[sizeof x->way_bps / sizeof x->way_bps[0]];
  const size_t n_ways = qb__ways_of(x, &r->in->ctx->cpu, ways);
  for (size_t i = 0; i < n_ways && i < x->n_ways; i++) {
    if (strcmp(ways[i].name, x->method) != 0) continue;
    qb_measure_options mo = r->in->measure;
    if (mo.repetitions == 0) mo.repetitions = 1;
    x->row_shaped++;
    x->row_repetitions = mo.repetitions;
    x->row_min_time = mo.min_time;
    (void) qb__time_way(r, x, i, &ways[i], &mo, "/as-rows");
    return;
  }
}

/* A CPU bandwidth roof's entry (not yet timed). */
static qb_roof* qb__bandwidth_add(qb__roofing* r, const char* name, unsigned rd, unsigned wr, int cls,
                                  unsigned threads) {
  qb_roof* x = qb__next(r->roofs);
  if (x == NULL) return NULL;
  snprintf(x->name, sizeof x->name, "%s", name);
  x->size_class = qb__class_names[cls];
  x->threads = threads;
  x->bytes = qb__class_bytes(&r->in->ctx->topo, cls);
  x->r = rd;
  x->w = wr;
  x->huge_pages = x->bytes >= ((uint64_t) 4 << 20);
  snprintf(x->reason, sizeof x->reason, "not timed: the run was stopped first");
  return x;
}

static bool qb__is_cpu_bandwidth(const qb_roof* x) {
  return x->device < 0 && x->in == QB_DTYPE_none && x->size_class != NULL && x->bytes > 0;
}

static unsigned qb__gcd(unsigned a, unsigned b) {
  while (b) {
    const unsigned t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/* A family's read:write mix in lowest terms (bits per element, both inputs read; in
 * eighths of a bit, as block formats carry fractional bits: q8_0 reads 8.5). */
static void qb__mix(const qb_family_info* f, unsigned* rd, unsigned* wr) {
  const unsigned a = (unsigned) lround(8.0 * (f->in_bits + f->in2_bits));
  const unsigned b = f->kind == QB_KIND_dot ? 0 : (unsigned) lround(8.0 * f->out_bits);
  const unsigned g = qb__gcd(a, b);
  *rd = g ? a / g : 0;
  *wr = g ? b / g : 0;
}

static void qb__mix_name(unsigned rd, unsigned wr, char* buf, size_t len) {
  if (wr == 0) {
    snprintf(buf, len, "read");
  } else if (rd == 0) {
    snprintf(buf, len, "write");
  } else if (rd == wr) {
    snprintf(buf, len, "copy");
  } else {
    snprintf(buf, len, "stream_r%u_w%u", rd, wr);
  }
}

/* Multiply-adds per call of a compute roof: a few microseconds of work, far above the
 * cost of a call, far below a timer tick's worry. */
#define QB__PEAK_N (UINT64_C(1) << 18)

static void qb__compute(qb__roofing* r, const qb_kernel_info* k, unsigned threads) {
  const qb_family_info* f = qb_family_get(k->family);
  qb_roof* x = qb__next(r->roofs);
  if (x == NULL) return;
  r->final = r->roofs->count - 1;
  snprintf(x->name, sizeof x->name, "%s", k->name);
  x->size_class = "L1";
  x->threads = threads;
  x->in = f->in;
  x->family = (int) k->family;
  const uint64_t m = f->n_multiple ? f->n_multiple : 1;
  x->n = (QB__PEAK_N + m - 1) / m * m;
  qb_error err = {0};
  qb_cpu_bench b;
  if (qb_cpu_bench_peak(&b, k, (size_t) x->n, threads, r->in->measure.case_timeout, &err) != QB_OK) {
    qb_text_copy(x->reason, sizeof x->reason, err.msg);
    return;
  }
  char bench[160];
  snprintf(bench, sizeof bench, "roof/%s/L1/threads:%u", k->name, threads);
  qb_measure meas;
  const qb_measure_options mo = qb__roof_options(&r->in->measure, false, 1);
  qb__measure_cpu(r, bench, &b, threads, &mo, &meas);
  const double gflops = meas.ok ? qb__fastest(&meas, "gflops") : 0;
  x->ok = gflops > 0;
  x->flops_per_second = gflops * 1e9;
  x->trials = 1;
  snprintf(x->reason, sizeof x->reason, "%s", meas.reason);
  json_decref(meas.runs);
  qb_cpu_bench_free(&b);
}

uint64_t qb_roof_device_bytes(const qb_topo* topo, const qb_case* k) {
  static const char* const names[] = {"L1", "L2", "L3", "DRAM"};
  if (!k->size_given && k->size_class != NULL) {
    for (int cls = 0; cls < 4; cls++) {
      if (strcmp(k->size_class, names[cls]) == 0) return qb__class_bytes(topo, cls);
    }
  }
  return (uint64_t) qb_family_bytes(k->family, k->n);
}

const qb_roof* qb_roof_device(const qb_roofs* roofs, qb_backend_id backend, int device, uint64_t bytes,
                              const qb_family_info* f) {
  if (f == NULL) return NULL;
  unsigned rd, wr;
  qb__mix(f, &rd, &wr);
  char name[32];
  qb__mix_name(rd, wr, name, sizeof name);
  for (size_t i = 0; i < roofs->count; i++) {
    const qb_roof* x = &roofs->items[i];
    if (x->backend == (int) backend && x->device == device && x->bytes == bytes && strcmp(x->name, name) == 0)
      return x->ok ? x : NULL;
  }
  return NULL;
}

/* One trial of a device bandwidth roof: every way of the device's for the roof's mix
 * timed as a case is, each way's fastest repetition (or its median, when faster) and
 * the roof's kept when faster than the trials before. A way under a quarter of the
 * fastest after the first trial (or failed in it) is not timed again: it cannot become
 * the roof, and on PoCL the u128x4 way runs about 1/19 of the word copy, seconds per
 * trial at DRAM size. */
static void qb__device_copy_trial(qb__roofing* r, qb_roof* x) {
  qb_backend* b = r->in->backends[x->backend];
  if (b == NULL || x->skipped) return;
  const size_t max_ways = sizeof x->way_bps / sizeof x->way_bps[0];
  const unsigned trial = x->trials++;
  for (int way = 0; (size_t) way < max_ways && !*r->in->stop; way++) {
    const char* way_name = b->ops->copy_way(b, way, x->r, x->w);
    if (way_name == NULL) break;
    if (trial == 0) {
      x->way_names[way] = way_name;
      x->way_bps[way] = 0;
      x->n_ways = (size_t) way + 1;
    } else if (x->way_bps[way] < x->bytes_per_second / 4) {
      continue;
    }
    char bench[192];
    snprintf(bench, sizeof bench, "roof/%s/%s/%s:%s/%s/bytes:%" PRIu64 "%s", x->name, way_name,
             qb_backend_name((qb_backend_id) x->backend), x->device_name, x->size_class, x->bytes,
             trial > 0 ? "/again" : "");
    qb__progress(r, bench);
    qb_measure m;
    qb_error err = {0};
    const qb_status st = qb_backend_device_measure_copy(b, x->device, (size_t) x->bytes, x->r, x->w, way,
                                                        &r->in->measure, bench, &m, &err);
    if (st != QB_OK) {
      /* Too big for the device is a fact about every way; another failure is one way's. */
      if (x->method == NULL) qb_text_copy(x->reason, sizeof x->reason, err.msg);
      if (st == QB_SKIPPED) {
        x->skipped = !x->ok;
        return;
      }
      continue;
    }
    const double fastest = m.ok ? qb__fastest(&m, "bytes_per_second") : 0;
    const double bps = !m.ok ? 0 : fastest > m.bytes_per_second ? fastest : m.bytes_per_second;
    if (!(bps > 0) && x->method == NULL) snprintf(x->reason, sizeof x->reason, "%s", m.reason);
    if (bps > x->way_bps[way]) x->way_bps[way] = bps;
    if (bps > x->bytes_per_second) {
      x->bytes_per_second = bps;
      x->method = way_name;
      x->timing = m.host_wall ? "host-wall" : "device";
      x->ok = true;
      x->reason[0] = '\0';
    }
    json_decref(m.runs);
  }
}

/* Trials of each device bandwidth roof at the start of the run (each way as many
 * repetitions as the suite's cases); rows above it add one each (qb_roof_retry), and
 * the end of the run one more (qb_roofs_last_trial), as for the CPU roofs. */
#define QB__DEVICE_ROOF_TRIALS 3

static bool qb__is_device_copy(const qb_roof* x) {
  return x->device >= 0 && x->backend >= 0;
}

/* The device's bandwidth roof of the mix rd:wr (named `name`) over a footprint of
 * `bytes`, split between reads and writes in that mix (a copy half and half, as the
 * CPU's copy roof splits its footprint): the fastest of the device's ways of that mix
 * (as the CPU roofs, so that a kernel moving its bytes better than one way cannot end
 * above the roof), over QB__DEVICE_ROOF_TRIALS trials: one trial on a shared machine
 * left PoCL rows at up to 1.5x their DRAM copy roof. A read-heavy mix moves more bytes
 * per second than a copy (PoCL at DRAM size: f32 -> u8 quantizers above the copy
 * roof), so each mix has its own. */
static void qb__device_copy(qb__roofing* r, const qb_case* k, uint64_t bytes, unsigned rd, unsigned wr,
                            const char* name) {
  qb_roof* x = qb__next(r->roofs);
  if (x == NULL) return;
  r->final = r->roofs->count - 1;
  snprintf(x->name, sizeof x->name, "%s", name);
  x->r = rd;
  x->w = wr;
  x->size_class = k->size_class;
  x->threads = 1;
  x->bytes = bytes;
  x->backend = (int) k->backend;
  x->device = k->device;
  x->device_name = k->device_name;
  for (unsigned trial = 0; trial < QB__DEVICE_ROOF_TRIALS && !*r->in->stop && !x->skipped; trial++) {
    qb__device_copy_trial(r, x);
  }
}

/* Whether the plan runs any case on a host backend: only then the CPU's roofs. */
static bool qb__plan_has_host_work(const qb_plan* p) {
  for (size_t i = 0; i < p->count; i++) {
    if (qb_backend_is_host(p->cases[i].backend) && p->cases[i].planned == QB_OK) return true;
  }
  return false;
}

/* One bandwidth roof per (device, footprint, mix) that a planned device case will be
 * held to. */
static void qb__device_roofs(qb__roofing* r) {
  const qb_plan* plan = r->in->plan;
  for (size_t i = 0; i < plan->count && !*r->in->stop; i++) {
    const qb_case* k = &plan->cases[i];
    if (k->type != QB_CASE_KERNEL || qb_backend_is_host(k->backend) || k->planned != QB_OK) continue;
    if (r->in->backends[k->backend] == NULL) continue;
    const uint64_t bytes = qb_roof_device_bytes(&r->in->ctx->topo, k);
    unsigned rd, wr;
    qb__mix(k->family, &rd, &wr);
    char name[32];
    qb__mix_name(rd, wr, name, sizeof name);
    bool seen = false;
    for (size_t j = 0; j < r->roofs->count && !seen; j++) {
      const qb_roof* x = &r->roofs->items[j];
      seen = x->backend == (int) k->backend && x->device == k->device && x->bytes == bytes &&
             strcmp(x->name, name) == 0;
    }
    if (!seen) qb__device_copy(r, k, bytes, rd, wr, name);
  }
}

static bool qb__roof_seen(const qb_roofs* roofs, const char* name, const char* size_class, unsigned threads) {
  for (size_t i = 0; i < roofs->count; i++) {
    const qb_roof* x = &roofs->items[i];
    if (x->device < 0 && x->threads == threads && strcmp(x->name, name) == 0 && x->size_class != NULL &&
        strcmp(x->size_class, size_class) == 0) {
      return true;
    }
  }
  return false;
}

static void qb__cpu_roofs(qb__roofing* r) {
  const qb_plan* plan = r->in->plan;
  /* 1. Copy, read and write at every size class, on one thread and on each thread
   *    count a planned CPU case uses (every core among them in the suites that ask). */
  unsigned threads[QB_ROOFS_MAX / 16];
  size_t nt = 0;
  threads[nt++] = 1;
  for (size_t i = 0; i < plan->count; i++) {
    const qb_case* k = &plan->cases[i];
    if (k->type != QB_CASE_KERNEL || !qb_backend_is_host(k->backend) || k->planned != QB_OK) continue;
    bool seen = false;
    for (size_t t = 0; t < nt && !seen; t++) seen = threads[t] == k->threads;
    if (!seen && nt < sizeof threads / sizeof threads[0]) threads[nt++] = k->threads;
  }
  const size_t first = r->roofs->count;
  for (int cls = 0; cls < 4; cls++) {
    for (size_t t = 0; t < nt; t++) {
      qb__bandwidth_add(r, "copy", 1, 1, cls, threads[t]);
      qb__bandwidth_add(r, "read", 1, 0, cls, threads[t]);
      qb__bandwidth_add(r, "write", 0, 1, cls, threads[t]);
    }
  }
  /* 2. Each other read:write mix a planned CPU case moves, at its size class and thread
   *    count: a stream loop with plain and with non-temporal stores. */
  for (size_t i = 0; i < plan->count; i++) {
    const qb_case* k = &plan->cases[i];
    if (k->type != QB_CASE_KERNEL || !qb_backend_is_host(k->backend) || k->planned != QB_OK) continue;
    if (k->size_class == NULL || k->size_given) continue;
    unsigned rd, wr;
    qb__mix(k->family, &rd, &wr);
    char name[32];
    qb__mix_name(rd, wr, name, sizeof name);
    if (qb__roof_seen(r->roofs, name, k->size_class, k->threads)) continue;
    qb__bandwidth_add(r, name, rd, wr, qb__class_index(k->size_class), k->threads);
  }
  /* 3. One trial of each (more come when rows go above them, and at the end). */
  for (size_t i = first; i < r->roofs->count && !*r->in->stop; i++)
    qb__bandwidth_trial(r, &r->roofs->items[i]);
  for (size_t i = 0; i < qb_kernel_count(); i++) {
    const qb_kernel_info* k = qb_kernel_at(i);
    /* The scalar peaks are oracles, not roofs: the compiler may fold their loops
     * (kernels/peak/README.md). */
    if (!qb_family_is_peak(qb_family_get(k->family)) || k->isa == QB_ISA_scalar) continue;
    if (!qb_kernel_usable(k, &r->in->ctx->cpu, NULL, (char[160]){0}, 160)) continue;
    for (size_t t = 0; t < nt; t++) {
      if (*r->in->stop) return;
      qb__compute(r, k, threads[t]);
    }
  }
}

bool qb_roof_retry(const qb_roof_input* in, qb_roofs* roofs, size_t index) {
  if (index >= roofs->count) return false;
  qb_roof* x = &roofs->items[index];
  const bool device = qb__is_device_copy(x) && x->ok;
  if (!(qb__is_cpu_bandwidth(x) || device) || x->retries >= QB_ROOF_MAX_RETRIES_PER_ROOF) return false;
  qb__roofing r = {.in = in, .roofs = roofs};
  if (device) {
    const double before = x->bytes_per_second;
    x->retries++;
    qb__device_copy_trial(&r, x);
    return x->bytes_per_second > before;
  }
  qb_error err = {0};
  if (qb_cpu_pins_init(&r.pins, in->all_threads ? in->all_threads : 1, &err) != QB_OK) r.pins.count = 0;
  const double before = x->bytes_per_second;
  x->retries++;
  qb__bandwidth_trial(&r, x);
  qb__bandwidth_row_shaped(&r, x);
  qb_cpu_pins_free(&r.pins);
  return x->bytes_per_second > before;
}

void qb_roofs_last_trial(const qb_roof_input* in, qb_roofs* roofs, const bool* used) {
  qb__roofing r = {.in = in, .roofs = roofs};
  qb_error err = {0};
  if (qb_cpu_pins_init(&r.pins, in->all_threads ? in->all_threads : 1, &err) != QB_OK) r.pins.count = 0;
  /* Backwards: the roofs first timed last are timed first, so the two trials of each
   * are as far apart as the run allows. */
  for (size_t i = roofs->count; i-- > 0 && !*in->stop;) {
    qb_roof* x = &roofs->items[i];
    if (!used[i]) continue;
    if (qb__is_cpu_bandwidth(x)) {
      qb__bandwidth_trial(&r, x);
    } else if (qb__is_device_copy(x) && x->ok) {
      qb__device_copy_trial(&r, x);
    }
  }
  qb_cpu_pins_free(&r.pins);
}

void qb_roofs_measure(const qb_roof_input* in, qb_roofs* out) {
  qb__roofing r = {.in = in, .roofs = out};
  out->count = 0;
  qb_error err = {0};
  /* Pins for every thread count a roof uses; without them each thread binds anew. */
  if (qb_cpu_pins_init(&r.pins, in->all_threads ? in->all_threads : 1, &err) != QB_OK) r.pins.count = 0;
  if (qb__plan_has_host_work(in->plan)) qb__cpu_roofs(&r);
  qb__device_roofs(&r);
  qb_cpu_pins_free(&r.pins);
}

bool qb_roof_unsteady(const qb_roof* x, double* slowest, double* fastest) {
  double lo = 0, hi = 0;
  for (unsigned i = 0; i < x->n_trial_bps; i++) {
    if (lo == 0 || x->trial_bps[i] < lo) lo = x->trial_bps[i];
    if (x->trial_bps[i] > hi) hi = x->trial_bps[i];
  }
  *slowest = lo;
  *fastest = hi;
  return lo > 0 && hi > lo * QB_ROOF_UNSTEADY;
}

const qb_roof* qb_roof_copy(const qb_roofs* roofs, const char* size_class, unsigned threads) {
  if (size_class == NULL) return NULL;
  for (size_t i = 0; i < roofs->count; i++) {
    const qb_roof* x = &roofs->items[i];
    if (x->ok && x->device < 0 && x->threads == threads && strcmp(x->name, "copy") == 0 &&
        strcmp(x->size_class, size_class) == 0) {
      return x;
    }
  }
  return NULL;
}

const qb_roof* qb_roof_for_family(const qb_roofs* roofs, const qb_family_info* f, const char* size_class,
                                  unsigned threads) {
  if (size_class == NULL || f == NULL) return NULL;
  unsigned rd, wr;
  qb__mix(f, &rd, &wr);
  char name[32];
  qb__mix_name(rd, wr, name, sizeof name);
  for (size_t i = 0; i < roofs->count; i++) {
    const qb_roof* x = &roofs->items[i];
    if (x->ok && x->device < 0 && x->threads == threads && strcmp(x->name, name) == 0 &&
        strcmp(x->size_class, size_class) == 0) {
      return x;
    }
  }
  return NULL;
}

const qb_roof* qb_roof_compute(const qb_roofs* roofs, const qb_family_info* f, unsigned threads) {
  const qb_roof* best = NULL;
  for (size_t i = 0; i < roofs->count; i++) {
    const qb_roof* x = &roofs->items[i];
    if (x->ok && x->device < 0 && x->in != QB_DTYPE_none && qb_family_bound_by(f, (qb_family) x->family) &&
        x->threads == threads && (best == NULL || x->flops_per_second > best->flops_per_second)) {
      best = x;
    }
  }
  return best;
}

json_t* qb_roofs_json(const qb_roofs* roofs) {
  json_t* a = json_array();
  for (size_t i = 0; i < roofs->count; i++) {
    const qb_roof* x = &roofs->items[i];
    json_t* o = json_object();
    json_object_set_new(o, "name", json_string(x->name));
    json_object_set_new(o, "size_class", json_string(x->size_class));
    json_object_set_new(o, "threads", json_integer(x->threads));
    if (x->device >= 0) {
      json_object_set_new(o, "backend", json_string(qb_backend_name((qb_backend_id) x->backend)));
      json_object_set_new(o, "device", json_string(x->device_name));
      if (x->timing) json_object_set_new(o, "timing", json_string(x->timing));
      json_object_set_new(o, "trials", json_integer(x->trials));
      json_object_set_new(o, "retries", json_integer(x->retries));
      json_object_set_new(o, "best_of",
                          json_string("the fastest repetition of each of the device's ways of the roof's "
                                      "read:write mix, over every trial"));
      json_object_set_new(o, "read_lines", json_integer(x->r));
      json_object_set_new(o, "write_lines", json_integer(x->w));
    }
    /* A roof that failed has no figure (absent, with its reason), never 0.0 B/s. */
    if (x->in != QB_DTYPE_none) {
      json_object_set_new(o, "dtype", json_string(qb_dtype_get(x->in)->name));
      json_object_set_new(o, "n", json_integer((json_int_t) x->n));
      if (x->ok) json_object_set_new(o, "flops_per_second", json_real(x->flops_per_second));
    } else {
      json_object_set_new(o, "bytes", json_integer((json_int_t) x->bytes));
      if (x->ok) json_object_set_new(o, "bytes_per_second", json_real(x->bytes_per_second));
    }
    if (x->n_ways > 0) {
      /* How the roof was obtained: every way tried and the fastest one. */
      if (x->method) json_object_set_new(o, "method", json_string(x->method));
      json_t* ways = json_object();
      for (size_t j = 0; j < x->n_ways; j++) {
        json_object_set_new(ways, x->way_names[j],
                            x->way_bps[j] > 0 ? json_real(x->way_bps[j]) : json_null());
      }
      json_object_set_new(o, "ways", ways);
    }
    if (x->device < 0 && x->n_ways > 0) {
      /* A CPU roof's trials, repetitions and pages. */
      json_object_set_new(o, "trials", json_integer(x->trials));
      json_object_set_new(o, "retries", json_integer(x->retries));
      if (x->n_trial_bps > 0) {
        json_t* each = json_array();
        for (unsigned j = 0; j < x->n_trial_bps; j++) json_array_append_new(each, json_real(x->trial_bps[j]));
        json_object_set_new(o, "trial_bytes_per_second", each);
      }
      char best[384];
      if (x->placements > 1) {
        snprintf(best, sizeof best,
                 "the fastest of %u repetitions of %g ms of each way, its runs going round %u copies of its "
                 "buffers (the non-temporal ways: %u over one copy), over every trial",
                 x->repetitions, x->min_time * 1e3, x->placements, x->nt_repetitions);
      } else {
        snprintf(best, sizeof best,
                 "the fastest of %u repetitions of %g ms (or of one call, if longer) of each way, over every "
                 "trial",
                 x->repetitions, x->min_time * 1e3);
      }
      if (x->row_shaped > 0) {
        /* The retries' timings of the fastest way in the rows' own shape. */
        const size_t len = strlen(best);
        snprintf(best + len, sizeof best - len,
                 "; at %u retr%s, its fastest way also in %u repetition%s of %g s, as the rows are timed",
                 x->row_shaped, x->row_shaped == 1 ? "y" : "ies", x->row_repetitions,
                 x->row_repetitions == 1 ? "" : "s", x->row_min_time);
      }
      json_object_set_new(o, "best_of", json_string(best));
      json_object_set_new(o, "row_shaped_trials", json_integer(x->row_shaped));
      json_object_set_new(o, "warm_up_s", json_real(x->warm_s));
      json_object_set_new(o, "placements", json_integer(x->placements));
      if (x->r + x->w > 0) {
        json_object_set_new(o, "read_lines", json_integer(x->r));
        json_object_set_new(o, "write_lines", json_integer(x->w));
      }
      json_object_set_new(o, "pages",
                          json_string(x->huge_pages ? "2 MiB-aligned, MADV_HUGEPAGE" : "4 KiB, touched"));
    }
    json_object_set_new(o, "status", json_string(x->ok ? "ok" : x->skipped ? "skipped" : "error"));
    if (!x->ok) json_object_set_new(o, "reason", json_string(x->reason));
    json_array_append_new(a, o);
  }
  return a;
}
