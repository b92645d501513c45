/*
 * The CPU backend side of `qbench run`: one Google Benchmark callback that runs a
 * kernel (or a bandwidth roof: copy, read, write) on T threads, each thread pinned to
 * its own core and working on its own slice of the buffers, and reports bytes/s,
 * items/s and (for dots) GFLOP/s as rate counters.
 */
#ifndef QB_CPU_BENCH_H
#define QB_CPU_BENCH_H

#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backends/backend.h"
#include "core/status.h"
#include "measure/gbench.h"
#include "measure/measure.h"
#include "platform/cpu.h"
#include "platform/registry.h"

/*
 * Where each thread index was pinned. qb_topo_bind_thread asks hwloc for the topology
 * on every call (milliseconds), and Google Benchmark starts fresh threads for every
 * calibration step and repetition: the first pin of an index goes through it, later
 * ones reapply the CPU set it chose. Each thread writes only its own index.
 */
typedef struct qb_cpu_pins {
  unsigned count;
  cpu_set_t* sets;
  unsigned char* state; /* 0: not tried, 1: pinned (sets[i] valid), 2: could not pin */
} qb_cpu_pins;

qb_status qb_cpu_pins_init(qb_cpu_pins* p, unsigned count, qb_error* err);
void qb_cpu_pins_free(qb_cpu_pins* p);
/* Pins the calling thread as thread index t; false when it could not. */
bool qb_cpu_pin(qb_cpu_pins* p, int t);

typedef enum qb_cpu_work {
  QB_CPU_WORK_KERNEL, /* a registry kernel over a case's data */
  QB_CPU_WORK_COPY,   /* memcpy: half the bytes read, half written */
  QB_CPU_WORK_READ,   /* a sum over every 64-bit word, four accumulators */
  QB_CPU_WORK_READ8,  /* the same sum, eight accumulators */
  QB_CPU_WORK_READ2,  /* the sum over the two halves at once, as a dot reads its inputs */
  QB_CPU_WORK_WRITE,  /* memset */
  QB_CPU_WORK_STREAM, /* a vector loop reading r and writing w cache lines per step */
} qb_cpu_work;

/* How a stream roof moves its bytes (qb_cpu_bench_stream). */
typedef struct qb_cpu_stream {
  unsigned r, w;  /* cache lines read and written per step, in this order (r + w > 0) */
  bool nt;        /* non-temporal stores (x86 with AVX2 only) */
  bool narrow;    /* 256-bit vectors where the CPU has 512-bit ones (x86 with AVX-512 only) */
  unsigned lines; /* r and w scaled up (in proportion) to at least this many lines per
                     step; 0: 16 */
  bool prefetch;  /* with nt: each line read is prefetched QB_CPU_STREAM_PREFETCH bytes
                     ahead, as the kernels' tile driver does (kernels/common/stream-x86.h) */
  bool tile;      /* with nt: the kernels' tile driver itself (stream-x86.h): tiles of
                     its sizes read into an L1 buffer, streamed out with its prefetches;
                     r and w are then the bytes of one group (x86 with AVX2 only) */
} qb_cpu_stream;

/* How far ahead a prefetching stream roof asks for its input lines. */
#define QB_CPU_STREAM_PREFETCH 4096

/* What one thread does per iteration. Each slice on cache lines of its own: a roof's
 * thread writes its sink on every call, and slices packed side by side made the two
 * threads of a 2-thread L1 roof pass a line back and forth on every call (quiet machine:
 * the stream loop's 2-thread L1 roof 0.8x its 1-thread one, against 1.9x apart). */
typedef struct qb_cpu_slice {
  _Alignas(64) const void* x;
  const void* x2;
  void* y;                    /* unary output, or the roof's destination */
  void* out;                  /* dots: this thread's own result, a cache line apart from others' */
  size_t n;                   /* elements (roofs: bytes) */
  qb_quant_params qp;         /* per-channel arrays shifted to this slice's first channel */
  double bytes, items, flops; /* per iteration */
  int64_t batch;              /* iterations per keep-running step: amortizes the loop's overhead */
  uint64_t sink;              /* read roof: keeps the sum alive */
  bool warmed;                /* this thread index has done the bench's warm-up (warm_s) */
  unsigned runs;              /* roofs over placements: this thread's runs so far */
  size_t shift;               /* roofs over placements: x and y's offset from placement 0 */
} qb_cpu_slice;

typedef struct qb_cpu_bench {
  qb_cpu_work work;
  const qb_kernel_info* kernel;
  qb_kind kind;
  unsigned threads;
  qb_cpu_slice* slices; /* one per thread */
  void* outs;           /* dots: the per-thread results */
  void* ones;           /* peaks: a[0] and b[0] */
  void* roof_buf;       /* roofs: the buffers, allocated and touched here */
  size_t roof_bytes;
  /* Roofs: copies of the buffers (each placement_bytes, side by side in roof_buf), one
   * per run in turn (qb_cpu_bench_fn); 1: one copy. */
  unsigned placements;
  size_t placement_bytes;
  int width;               /* read and stream roofs: the loops' vectors, 64 (AVX-512),
                            * 32 (AVX2) or 16 (portable C) bytes */
  qb_cpu_stream stream;    /* stream roofs: the mix */
  unsigned tile_r, tile_w; /* the tile way: the mix in lowest terms (bytes per group) */
  /* Roofs: seconds of untimed calls each thread makes before its first timed
   * repetition, all threads at once (0: none). See qb_cpu_bench_fn. */
  double warm_s;
  /* Limits: the monotonic time the case started and how long it may take (0: none). */
  double start_s, timeout_s;
  char timeout_msg[96];
  qb_cpu_pins* pins;        /* NULL: qb_topo_bind_thread every time */
  atomic_int bind_failures; /* threads that could not be pinned */
  atomic_bool timed_out;
} qb_cpu_bench;

/*
 * A kernel over a case's buffers (c's inputs, y its output), split into `threads`
 * slices on multiples of the family's n_multiple (and of the channel length of
 * per-channel families), so that each slice is a valid call of its own. The buffers
 * must outlive the bench.
 */
qb_status qb_cpu_bench_kernel(qb_cpu_bench* b, const qb_kernel_info* k, const qb_backend_case* c, void* y,
                              unsigned threads, double timeout_s, qb_error* err);

/*
 * A compute roof: a `*_peak` family's kernel (kernels/peak/README.md), which reads only
 * a[0] and b[0] (both 1 here) and does n multiply-adds in registers. Every thread does
 * the whole n, so the GFLOP/s counter is the machine's with that many threads.
 */
qb_status qb_cpu_bench_peak(qb_cpu_bench* b, const qb_kernel_info* k, size_t n, unsigned threads,
                            double timeout_s, qb_error* err);

/*
 * A bandwidth roof over `bytes` in total (its whole footprint), split over threads.
 * `placements` copies of the buffers are allocated side by side (all alive at once, so
 * on physical pages of their own), and each run of the benchmark (calibration step or
 * repetition) works on the next copy: out of L1 the rate a loop reaches depends on the
 * physical pages under its buffers (on the 2-vCPU Zen 4 a 17:128 mix read 105-114 GB/s
 * over some 512 KiB buffers and 117 over others, each buffer the same in every round), and
 * the fastest repetition of a roof over several copies is not held down by one unlucky
 * allocation. 0 or 1: one copy. The read works load the widest vectors the CPU has
 * (qb_cpu_stream_width); `narrow`: 32-byte ones where that is 64 (QB_UNSUPPORTED
 * elsewhere, as a narrow stream roof), a way of its own where wide vectors lower the clock.
 */
qb_status qb_cpu_bench_roof(qb_cpu_bench* b, qb_cpu_work work, size_t bytes, unsigned threads,
                            unsigned placements, bool narrow, const qb_cpu* cpu, double timeout_s,
                            qb_error* err);

/*
 * A stream roof over `bytes` in total: each step reads s.r cache lines from one buffer
 * and writes s.w lines to another, with the widest vector loads and stores the CPU has
 * (non-temporal ones when s.nt), so that a kernel reading R and writing W bytes per
 * element can be held to a loop that moves bytes in the same proportion. The bytes
 * counter counts what is read plus what is written, as a family's bytes formula does.
 * QB_UNSUPPORTED when s.nt is asked for without AVX2, or s.narrow without AVX-512 (the
 * loop is then the widest one already). `placements` as for qb_cpu_bench_roof.
 */
qb_status qb_cpu_bench_stream(qb_cpu_bench* b, qb_cpu_stream s, size_t bytes, unsigned threads,
                              unsigned placements, const qb_cpu* cpu, double timeout_s, qb_error* err);

/* The widest vector, in bytes, a stream roof's loop uses on this CPU: 64 (AVX-512), 32
 * (AVX2) or 16 (portable); where it is 64, a `narrow` loop (32) is a way of its own. */
int qb_cpu_stream_width(const qb_cpu* cpu);

/* The Google Benchmark callback; `user` is the qb_cpu_bench. */
void qb_cpu_bench_fn(qb_gb_state* st, void* user);

void qb_cpu_bench_free(qb_cpu_bench* b);

/* Allocates `bytes` aligned to 2 MiB (transparent huge pages asked for) and writes every
 * page, so no first-touch fault lands in a timed region. NULL when out of memory. */
void* qb_cpu_alloc_touched(size_t bytes);
void qb_cpu_free(void* p, size_t bytes);

#endif
