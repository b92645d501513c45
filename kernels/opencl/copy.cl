/*
 * The backend's own kernels: plain copies, the first used to check the device's
 * profiling timer (a copy of a known size must take a plausible time), all of them as
 * the ways of the device's bandwidth roof (`qbench run`'s OpenCL rows divide by the
 * fastest: host/backends/opencl/opencl.c, host/run/roof.c).
 *
 * Every .cl file of this folder is concatenated into one program per device, in the
 * order copy.cl, cvt.cl, quant.cl, dot.cl, qblock.cl, lowbit.cl, elem.cl, so later files
 * may use earlier helpers.
 * The host defines:
 *   QB_VEC          elements per work-item of the element-wise kernels (>= 1)
 *   QB_HAVE_FP16    1 when the device has cl_khr_fp16 (native half variants)
 *   QB_HAVE_INTDOT  1 when the device has cl_khr_integer_dot_product (packed dots)
 *   QB_DIV_F64      1 when f32 division must go through f64 to be correctly rounded
 */
#ifndef QB_VEC
#define QB_VEC 1
#endif

/* Products and sums are rounded one by one, as the CPU references do: a fused
 * multiply-add would round once and give other bits. */
#pragma OPENCL FP_CONTRACT OFF

/* A helper to inline however large it looks before its constant arguments fold (PoCL
 * 3.1 otherwise left lowbit.cl's qb__mx_encode16 a call per 16 elements). A compiler
 * that is not clang gets no attribute rather than an unknown one. */
#ifdef __clang__
#define QB_ALWAYS_INLINE __attribute__((always_inline))
#else
#define QB_ALWAYS_INLINE
#endif

/*
 * A prefetch of the cache line at p into L1 (x86 `prefetcht0`, which never faults, so p
 * may lie past the buffer's end): the element-wise kernels prefetch their input ahead
 * (QB_STREAM16, cvt.cl), the stream roof's `lines` way the same, and the sixteen-block
 * quantizers, which read their blocks twice (maxima, then codes) and during the second
 * pass nothing from memory, their next sixteen blocks then (quant.cl). OpenCL's
 * prefetch() compiles to nothing on PoCL 3.1; clang's builtin gives the instruction.
 * Other compilers and targets (oclgrind) skip it.
 */
#if defined(__clang__) && defined(__x86_64__)
#define QB_PREFETCH(p) __builtin_prefetch(p)
#else
#define QB_PREFETCH(p) ((void) 0)
#endif

/*
 * Element-wise loop: work-item g handles elements g, g + G, g + 2G, ... (G the global
 * size), QB_VEC of them at most. Neighbouring work-items touch neighbouring elements,
 * which is what GPUs coalesce and what CPU implementations vectorize across items.
 */
#define QB_EACH(i, n) \
  for (ulong qb_k_ = 0, i = get_global_id(0); qb_k_ < QB_VEC && i < (n); qb_k_++, i += get_global_size(0))

/*
 * The copy is the device's bandwidth roof, so it must be as fast as the device can
 * copy. Work-item g copies words [g * QB_VEC, (g + 1) * QB_VEC): as many work-items as
 * QB_EACH would use, but each one's words contiguous. Written as QB_EACH, PoCL 3.1 on
 * x86 compiled it into code moving 1.1 GB/s while its casts moved 6 to 13 GB/s (a
 * same-size load and store in the strided loop, whatever the types, restrict or not);
 * this form moves 19 GB/s there. On a GPU (QB_VEC 1) it is one word per work-item,
 * neighbours neighbouring, which coalesces.
 */
kernel void qb_copy_ocl(ulong n, global const uint* x, global uint* y) {
  ulong i = get_global_id(0) * QB_VEC;
  if (i + QB_VEC <= n) {
    for (uint k = 0; k < QB_VEC; k++) y[i + k] = x[i + k];
  } else {
    for (; i < n; i++) y[i] = x[i];
  }
}

/*
 * The same words copied in 16-byte vectors, for devices that move more bytes per
 * work-item faster than one word: on a GPU (QB_VEC 1) the word copy above keeps too few
 * bytes in flight per thread, and kernels that read 8 or 16 bytes per work-item ran
 * above it (NVIDIA H200: f64 -> f32 casts at 1.13 of that roof). The device's roof is
 * the fastest of these ways, so no kernel that moves its bytes better can end above
 * it. Buffers are device allocations (aligned to far more than 16 bytes), so the words
 * may be read as uint4. The last n % 4 words go one by one, by work-item 0.
 *
 * u128: work-item g copies the vectors [g * QB_VEC, (g + 1) * QB_VEC), neighbours
 * neighbouring (the host launches ceil(n / 4) / QB_VEC work-items).
 */
kernel void qb_copy_ocl_u128(ulong n, global const uint* x, global uint* y) {
  global const uint4* x4 = (global const uint4*) x;
  global uint4* y4 = (global uint4*) y;
  const ulong q = n / 4;
  const ulong v = get_global_id(0) * QB_VEC;
  if (v + QB_VEC <= q) {
    for (uint k = 0; k < QB_VEC; k++) y4[v + k] = x4[v + k];
  } else {
    for (ulong j = v; j < q; j++) y4[j] = x4[j];
  }
  if (get_global_id(0) == 0) {
    for (ulong j = 4 * q; j < n; j++) y[j] = x[j];
  }
}

/*
 * u128x4: 4 * QB_VEC vectors per work-item, the k-th at g + k * G (G the global size):
 * each access coalesced across neighbouring work-items, four of them in flight per
 * work-item on a GPU (the host launches ceil(n / 16) / QB_VEC work-items).
 */
kernel void qb_copy_ocl_u128x4(ulong n, global const uint* x, global uint* y) {
  global const uint4* x4 = (global const uint4*) x;
  global uint4* y4 = (global uint4*) y;
  const ulong q = n / 4, g = get_global_id(0), G = get_global_size(0);
  for (uint k = 0; k < 4 * QB_VEC; k++) {
    const ulong j = g + k * G;
    if (j < q) y4[j] = x4[j];
  }
  if (g == 0) {
    for (ulong j = 4 * q; j < n; j++) y[j] = x[j];
  }
}

/*
 * The ways of a roof of any read:write mix (STREAM arguments): n chunks, each r lines
 * (64 bytes: one uint16) of x read and w lines of y written, the lines written holding
 * the XOR of the lines read, so no read can be left out. With w = 0 (a read roof) a
 * work-item writes its own line of y only if what it read XORs to a value no input the
 * host writes (zeros) gives, which the compiler cannot know.
 *
 * lines: work-item g takes chunks [g * QB_VEC, (g + 1) * QB_VEC), each chunk's lines
 * contiguous, prefetching the line QB_STREAM_LINES_AHEAD on of what it reads (the way
 * a CPU device streams best: PoCL's narrowing casts ran 1.2-1.5x faster with that
 * prefetch).
 */
#define QB_ROOF_MAGIC 0x9E3779B9u
#define QB_STREAM_LINES_AHEAD 32
kernel void qb_stream_ocl_lines(ulong n, global const uint16* x, global uint16* y, uint r, uint w) {
  const ulong c0 = get_global_id(0) * QB_VEC;
  const ulong c1 = c0 + QB_VEC < n ? c0 + QB_VEC : n;
  uint16 any = 0u;
  for (ulong c = c0; c < c1; c++) {
    uint16 acc = 0u;
    for (uint j = 0; j < r; j++) {
      QB_PREFETCH(x + c * r + j + QB_STREAM_LINES_AHEAD);
      acc ^= x[c * r + j];
    }
    for (uint j = 0; j < w; j++) y[c * w + j] = acc ^ (uint16) j;
    any ^= acc;
  }
  if (w == 0 && all(any == (uint16) QB_ROOF_MAGIC)) y[get_global_id(0)] = any;
}

/*
 * steps: one chunk per work-item (QB_VEC chunks each ran 0.92x at the largest mixes),
 * its reads spread among its writes: step s
 * (of r + w) reads while fewer than ceil((s + 1) r / (r + w)) lines have been read, else
 * writes its next line as the XOR of the lines read so far (the way a block dequantizer
 * moves a write-heavy mix: a few bytes in, a line or two out, where `lines` wrote a whole
 * chunk's lines in one burst: dequantizers ran up to 1.10 of that). The XOR of every
 * line read is stored, never in practice, where it equals QB_ROOF_MAGIC.
 */
kernel void qb_stream_ocl_steps(ulong n, global const uint16* x, global uint16* y, uint r, uint w) {
  const ulong c = get_global_id(0);
  if (c >= n) return;
  uint16 acc = 0u;
  uint ri = 0, wi = 0;
  for (uint s = 0; s < r + w; s++) {
    if (ri * (r + w) < (s + 1) * r) {
      QB_PREFETCH(x + c * r + ri + QB_STREAM_LINES_AHEAD);
      acc ^= x[c * r + ri];
      ri++;
    } else {
      y[c * w + wi] = acc ^ (uint16) wi;
      wi++;
    }
  }
  if (all(acc == (uint16) QB_ROOF_MAGIC)) y[w ? c * w : c] = acc;
}

/*
 * planes: the r lines read of a chunk lie in r planes of n lines each (line j of chunk
 * c at j * n + c), the w written in w planes, in 16-byte vectors: work-item g takes
 * vectors g, g + G, ... (G the global size), QB_VEC of them at most, so neighbouring
 * work-items touch neighbouring bytes of every plane (the way a GPU coalesces).
 */
kernel void qb_stream_ocl_planes(ulong n, global const uint4* x, global uint4* y, uint r, uint w) {
  const ulong q = 4 * n, g = get_global_id(0), G = get_global_size(0);
  uint4 any = 0u;
  for (uint k = 0; k < QB_VEC; k++) {
    const ulong v = g + k * G;
    if (v >= q) break;
    uint4 acc = 0u;
    for (uint j = 0; j < r; j++) acc ^= x[j * q + v];
    for (uint j = 0; j < w; j++) y[j * q + v] = acc ^ (uint4) j;
    any ^= acc;
  }
  if (w == 0 && all(any == (uint4) QB_ROOF_MAGIC)) y[g] = any;
}
