/*
 * Streamed stores for the write-heavy x86 kernels (common/stream.h says when): a call
 * whose output reaches the threshold runs the kernel's own plain loop (its `body`) on
 * tiles of at most QB_STREAM_TILE bytes of output written into a buffer on the stack,
 * which stays in L1, and copies each tile to the destination with non-temporal stores
 * (vmovntps: whole lines written without being read first). The body is the same code
 * as the plain path, so the streamed path computes the same bits; only where they are
 * written differs.
 *
 * Why a tile and not the block's own stores: one driver serves every loop shape (casts,
 * element decodes, per-tensor and block dequantizers) without a second copy of each
 * block, and the extra store and load per vector stay in L1, which at DRAM speed has
 * several times the bandwidth the kernel needs (kernels/README.md, "Stores", has the
 * figures).
 *
 * Steps of qb__stream_run:
 * 1. Below the threshold: the body, plain, on everything.
 * 2. Head: the fewest whole groups (below 64) after which the destination is 64-byte
 *    aligned, through the body, plain (none when no count of groups aligns it: then the
 *    copy below writes each tile's partial first and last lines with plain stores).
 * 3. Tiles: the body (or the kernel's tile body: qb__stream_run_tiles) into the
 *    buffer, then the buffer streamed to the destination, with prefetches of the input
 *    QB_STREAM_AHEAD bytes on. Where the destination is aligned, a group reads at
 *    least what it writes and a few whole groups make whole lines of output
 *    (qb_stream_line_groups: the narrowing casts, the element encodes, the per-tensor and
 *    per-channel quantizers, fake quant), a tile is those groups, two lines (QB_STREAM_LINE_TILE) or
 *    more, at least the body's unroll, its sizes constants; each tile's input lines are
 *    prefetched at once and the tile is streamed out while the next one is computed.
 *    Otherwise (the widening casts and dequantizers; the block quantizers, whose 18- or
 *    34-byte blocks make whole lines only 32 at a time; a destination no head aligns) a
 *    tile is at most QB_STREAM_TILE bytes of output and its prefetches are spread over
 *    the copy's lines. On the Emerald Rapids Xeon, one thread at DRAM size (`qbench
 *    run`, base and head alternating), the line tiles ran f32 -> bf16 1.10-1.13x,
 *    f32 -> f16 1.05-1.08x, f64 -> f32 1.06-1.07x, f32 -> FP6 1.16-1.50x, f32 -> FP4
 *    1.25x, f32 -> E8M0 1.19x and f32 -> FP8 1.09-1.13x the 1 KiB tiles.
 * 4. What is left (under one tile): the body, plain.
 * 5. sfence: the streamed stores are weakly ordered; after it they are ordered before
 *    anything the caller does next (another thread reading the output after a join).
 *
 * A "group" is the smallest run of elements that starts on a byte of both input and
 * output: 1 element for the casts, 4 for FP6 (3 bytes), a block for block formats.
 */
#ifndef QB_COMMON_STREAM_X86_H
#define QB_COMMON_STREAM_X86_H

#include <assert.h>
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/stream.h"

/* A tile where whole lines cannot be had in a few groups: at most QB_STREAM_TILE bytes
 * of output (16 lines) and at most QB_STREAM_TILE_IN bytes of input, in whole groups
 * (at least one; a group's output is at most QB_STREAM_BUF bytes). Short tiles keep the
 * reads and the streamed writes close together: out of cache on the Zen 3 dev VM (one
 * core, 128 MiB, paired in one process), 4 KiB tiles ran a narrowing cast (f32 -> f16,
 * f64 -> f32) at 0.77-0.88 of the stream roof of its mix, 1 KiB tiles with the prefetch
 * below at 0.92-0.96 (kernels/README.md, "Stores"). Line tiles (step 3) are shorter
 * still: QB_STREAM_LINE_TILE bytes of output, or a group's whole lines. */
#define QB_STREAM_TILE 1024
#define QB_STREAM_TILE_IN 2048
#define QB_STREAM_BUF 4096
/* How far ahead of the tile being computed the copy prefetches the input. */
#define QB_STREAM_AHEAD 4096
/* How far ahead of its loads a dot that prefetches (its template's PF) prefetches its
 * inputs out of cache (kernels/dot/README.md, "The dots out of cache on Intel"). */
#define QB_DOT_AHEAD 2048

/* Prefetches (`prefetcht0`) the lines of [p, p + bytes), one per 64 bytes from p: where
 * p is not line-aligned, the last line is left to the next span's first prefetch, so
 * contiguous spans cover every line. The drivers below and the dots that prefetch use it. */
static inline void qb__prefetch_span(const void* p, size_t bytes) {
  for (size_t o = 0; o < bytes; o += 64) _mm_prefetch((const char*) p + o, _MM_HINT_T0);
}

typedef void qb__stream_body(size_t n, const void* x, void* y, const void* params);

/* Whole 64-byte lines (`bytes` a multiple of 64) from the aligned `src` to the aligned
 * `dst`, non-temporally. */
static inline void qb__stream_lines(uint8_t* dst, const uint8_t* src, size_t bytes) {
  for (size_t i = 0; i < bytes; i += 64) {
#if defined(__AVX512F__)
    _mm512_stream_si512((void*) (dst + i), _mm512_load_si512(src + i));
#else
    _mm256_stream_si256((__m256i*) (dst + i), _mm256_load_si256((const __m256i*) (src + i)));
    _mm256_stream_si256((__m256i*) (dst + i + 32), _mm256_load_si256((const __m256i*) (src + i + 32)));
#endif
  }
}

/* Copies `bytes` from the 64-byte aligned `src` to `dst`: the whole 64-byte lines of dst
 * with non-temporal stores, a partial line at either end with plain ones. Between the
 * lines it prefetches the `pf_bytes` from `pf` (a later tile's input), spread evenly, so
 * that the input keeps arriving while the tile is written out. */
static inline void qb__stream_copy(uint8_t* dst, const uint8_t* src, size_t bytes, const uint8_t* pf,
                                   size_t pf_bytes) {
  const size_t lead = (size_t) (-(uintptr_t) dst & 63);
  if (lead != 0) {
    const size_t k = lead < bytes ? lead : bytes;
    memcpy(dst, src, k);
    dst += k;
    src += k;
    bytes -= k;
  }
  /* Input lines to prefetch per output line, rounded up. */
  const size_t lines = bytes / 64;
  const size_t per = lines != 0 ? (pf_bytes / 64 + lines - 1) / lines : 0;
  const uint8_t* const pf_end = pf + pf_bytes;
  for (; bytes >= 64; bytes -= 64, dst += 64, src += 64) {
    for (size_t k = 0; k < per && pf < pf_end; k++, pf += 64) _mm_prefetch((const char*) pf, _MM_HINT_T0);
#if defined(__AVX512F__)
    _mm512_stream_si512((void*) dst, _mm512_loadu_si512(src));
#else
    _mm256_stream_si256((__m256i*) dst, _mm256_loadu_si256((const __m256i*) src));
    _mm256_stream_si256((__m256i*) (dst + 32), _mm256_loadu_si256((const __m256i*) (src + 32)));
#endif
  }
  if (bytes != 0) memcpy(dst, src, bytes);
}

/* Runs `body` over n elements (a multiple of `group`) of x into y, streamed when the
 * call moves at least the threshold (common/stream.h): `in_bytes` and `out_bytes` are
 * the bytes of one group, `unroll` the elements of the body's main loop step (a line
 * tile takes at least that many). `body` is the kernel's plain loop, `tile_body` the loop its
 * tiles run (step 3): the same bits, in a form that may be faster out of cache (on the
 * Zen 4, f64 -> f32 and f32 -> bf16 with 256-bit conversions: kernels/cvt/README.md);
 * with constant arguments both are inlined here. */
static inline void qb__stream_run_tiles(size_t n, const void* x, void* y, const void* params,
                                        qb__stream_body* body, qb__stream_body* tile_body, size_t group,
                                        size_t in_bytes, size_t out_bytes, size_t unroll) {
  const size_t groups = n / group;
  if (!qb_stream_wanted(groups * in_bytes, groups * out_bytes)) {
    body(n, x, y, params); /* 1. */
    return;
  }
  const uint8_t* in = (const uint8_t*) x;
  uint8_t* out = (uint8_t*) y;
  size_t left = groups;
  /* 2. */
  size_t head = 0;
  while (head < 64 && ((uintptr_t) out + head * out_bytes) % 64 != 0) head++;
  if (head == 64 || head > left) head = 0;
  if (head != 0) {
    body(head * group, in, out, params);
    in += head * in_bytes;
    out += head * out_bytes;
    left -= head;
  }
  /* 3. */
  _Alignas(64) uint8_t buf[QB_STREAM_BUF];
  const size_t line_tile = qb_stream_line_groups(in_bytes, out_bytes, (unroll + group - 1) / group);
  if (line_tile != 0 && line_tile * out_bytes <= sizeof buf / 2 && (uintptr_t) out % 64 == 0) {
    /* Line tiles, their sizes constants. Each is computed into one half of the buffer
     * while the tile before it, in the other half, is streamed out, so a line is loaded
     * a tile after the body stored it: a body storing vectors narrower than a line
     * (f32 -> f16, f64 -> f32) does not make the load wait for its stores, as streaming
     * each tile straight after computing it did (f64 -> f32 0.94x on the Xeon). */
    const size_t tile_in = line_tile * in_bytes, tile_out = line_tile * out_bytes;
    uint8_t* const half[2] = {buf, buf + sizeof buf / 2};
    size_t k = 0;
    for (; left >= line_tile; left -= line_tile, k ^= 1) {
      tile_body(line_tile * group, in, half[k], params);
      if (left * in_bytes >= QB_STREAM_AHEAD + tile_in) {
        qb__prefetch_span(in + QB_STREAM_AHEAD, tile_in);
      }
      if (left != groups - head) qb__stream_lines(out - tile_out, half[k ^ 1], tile_out);
      in += tile_in;
      out += tile_out;
    }
    if (left != groups - head) qb__stream_lines(out - tile_out, half[k ^ 1], tile_out);
    if (left != 0) body(left * group, in, out, params); /* 4. */
    _mm_sfence();                                       /* 5. */
    return;
  }
  size_t tile = out_bytes < QB_STREAM_TILE ? QB_STREAM_TILE / out_bytes : 1;
  if (tile * in_bytes > QB_STREAM_TILE_IN)
    tile = in_bytes < QB_STREAM_TILE_IN ? QB_STREAM_TILE_IN / in_bytes : 1;
  const size_t tile_in = tile * in_bytes;
  assert(tile * out_bytes <= sizeof buf);
  for (; left >= tile; left -= tile) {
    tile_body(tile * group, in, buf, params);
    /* A tile's worth of input QB_STREAM_AHEAD bytes on, while this tile is written (none
     * past the end of the input). */
    const size_t pf_bytes = left * in_bytes >= QB_STREAM_AHEAD + tile_in ? tile_in : 0;
    qb__stream_copy(out, buf, tile * out_bytes, pf_bytes != 0 ? in + QB_STREAM_AHEAD : in, pf_bytes);
    in += tile_in;
    out += tile * out_bytes;
  }
  /* 4. */
  if (left != 0) body(left * group, in, out, params);
  /* 5. */
  _mm_sfence();
}

/* The driver with one loop for every step, as nearly every streamed kernel takes it. */
static inline void qb__stream_run(size_t n, const void* x, void* y, const void* params, qb__stream_body* body,
                                  size_t group, size_t in_bytes, size_t out_bytes, size_t unroll) {
  qb__stream_run_tiles(n, x, y, params, body, body, group, in_bytes, out_bytes, unroll);
}

/* For a write-light kernel whose own work binds out of cache (its L2 rate near its DRAM
 * roof), where the tile copy costs more than the read for ownership saves: when the call
 * moves at least the threshold, `body` runs on chunks of QB_STREAM_TILE_IN bytes of input
 * (whole groups), each after prefetching the input QB_STREAM_AHEAD bytes on, and stores
 * plainly. Out of cache on the Zen 3 dev VM the MXFP8 E4M3 quantizer ran 1.19x its plain
 * loop this way (kernels/README.md, "Stores"). */
static inline void qb__prefetch_run(size_t n, const void* x, void* y, const void* params,
                                    qb__stream_body* body, size_t group, size_t in_bytes, size_t out_bytes) {
  const size_t groups = n / group;
  if (!qb_stream_wanted(groups * in_bytes, groups * out_bytes)) {
    body(n, x, y, params);
    return;
  }
  const uint8_t* in = (const uint8_t*) x;
  uint8_t* out = (uint8_t*) y;
  const size_t chunk = in_bytes < QB_STREAM_TILE_IN ? QB_STREAM_TILE_IN / in_bytes : 1;
  const size_t chunk_in = chunk * in_bytes;
  size_t left = groups;
  for (; left >= chunk; left -= chunk) {
    if (left * in_bytes >= QB_STREAM_AHEAD + chunk_in) {
      qb__prefetch_span(in + QB_STREAM_AHEAD, chunk_in);
    }
    body(chunk * group, in, out, params);
    in += chunk_in;
    out += chunk * out_bytes;
  }
  if (left != 0) body(left * group, in, out, params);
}

#endif /* QB_COMMON_STREAM_X86_H */
