/*
 * When a kernel's stores stream: the one process-wide setting of the kernels, and how
 * a kernel reads it.
 *
 * Out of cache, a plain store to a line that is not in the cache first reads the line
 * (read-for-ownership), so a kernel that writes more than it reads moves up to half as
 * many bytes again as it needs: an f8 -> f32 cast reads 1 byte, writes 4 and, with
 * plain stores, also reads those 4 first. Non-temporal (streaming) stores write whole
 * lines without reading them, but they bypass the cache: when the output would have
 * stayed in cache for its next reader they make the kernel slower. A library chooses by
 * size, as glibc's memcpy does above its non-temporal threshold: the write-heavy x86
 * kernels (kernels/README.md, "Stores") stream their stores when one call moves (reads
 * plus writes) at least `stream_min_bytes` bytes, and store plainly otherwise. The
 * footprint, not the output alone, is what decides whether the output is still cached
 * when the call returns: a quantizer reading 100 MiB to write 15 MiB has pushed its
 * first output lines out of a 32 MiB last level long before it ends.
 *
 * The kernels never decide the threshold: the host sets it from the machine (for
 * `qbench run`, the CPU backend from the last-level cache and the case's threads:
 * host/run/README.md), before the threads that call the kernels start, and leaves it
 * alone while they run. The default, QB_STREAM_NEVER, keeps every store plain. The
 * tests set it to 0 (every call streams) and to QB_STREAM_NEVER to check both paths.
 */
#ifndef QB_COMMON_STREAM_H
#define QB_COMMON_STREAM_H

#include <stddef.h>
#include <stdint.h>

/* The kernels' only mutable state, in one struct. */
typedef struct qb_kernel_config {
  /* A call that moves (reads plus writes) at least this many bytes streams its stores
   * (where its kernel can); QB_STREAM_NEVER: none does. */
  size_t stream_min_bytes;
} qb_kernel_config;

#define QB_STREAM_NEVER SIZE_MAX

/* Defined once, in kernels/common/stream.c; read through qb_stream_wanted. */
extern qb_kernel_config qb__kernel_config;

/* Sets the threshold (bytes read plus written by one call; QB_STREAM_NEVER: never). Not
 * thread-safe against running kernels: call it before starting the threads that run
 * them. */
void qb_kernels_set_stream_min_bytes(size_t bytes);
size_t qb_kernels_stream_min_bytes(void);

/* Whether a call that reads `in_bytes` and writes `out_bytes` bytes should stream its
 * stores (never when it writes nothing). */
static inline int qb_stream_wanted(size_t in_bytes, size_t out_bytes) {
  return out_bytes != 0 && in_bytes + out_bytes >= qb__kernel_config.stream_min_bytes;
}

/* Whether a call that reads `in_bytes` and writes (next to) nothing reads them from
 * beyond the cache: the same threshold, for a read-only kernel (a dot) that has a loop
 * of its own for that case or prefetches (kernels/dot/README.md, "The f32 dot out of
 * cache", "The dots out of cache on Intel"). */
static inline int qb_stream_reads_out_of_cache(size_t in_bytes) {
  return in_bytes >= qb__kernel_config.stream_min_bytes;
}

/* The streamed-store driver's line tile (common/stream-x86.h, step 3) for groups of
 * `in_bytes` in and `out_bytes` out, of a body whose main loop takes `min_groups` groups
 * a step: the fewest whole groups whose output is whole 64-byte lines, doubled until it
 * is at least QB_STREAM_LINE_TILE bytes and min_groups groups (so that the body runs its
 * main loop, not its tail); 0 where that takes more than QB_STREAM_LINE_TILE_IN bytes of
 * input, or where a group writes more than it reads (the driver's longer tiles then:
 * the widening casts and dequantizers ran 0.94-0.97x with line tiles on the Emerald
 * Rapids Xeon, the narrowing ones 1.07-1.16x). Portable arithmetic, so the host's roof
 * of the driver (host/backends/cpu) tiles alike. */
#define QB_STREAM_LINE_TILE 128
#define QB_STREAM_LINE_TILE_IN 2048
static inline size_t qb_stream_line_groups(size_t in_bytes, size_t out_bytes, size_t min_groups) {
  if (out_bytes == 0 || out_bytes > in_bytes || min_groups > QB_STREAM_LINE_TILE_IN) return 0;
  /* 64 over the largest power of two dividing out_bytes (at most 64), then doubled. */
  const size_t low = out_bytes & (0 - out_bytes);
  size_t g = low >= 64 ? 1 : 64 / low;
  for (int k = 0; k < 12 && (g * out_bytes < QB_STREAM_LINE_TILE || g < min_groups); k++) g *= 2;
  return g * in_bytes <= QB_STREAM_LINE_TILE_IN && g >= min_groups ? g : 0;
}

#endif /* QB_COMMON_STREAM_H */
