/*
 * What a float cast path does, measured on crafted inputs (`qbench semantics`): the
 * rounding and its ties, subnormal inputs and outputs, NaN payloads and signaling NaNs,
 * overflow and infinities. Nothing is read from the registry's declared semantics: the
 * path is only reached through a callback, so the same probe serves the CPU kernels
 * (through the registry) and any backend that can run a cast on a few elements.
 */
#ifndef QB_SEMANTICS_H
#define QB_SEMANTICS_H

#include <stdbool.h>
#include <stddef.h>

#include "platform/registry.h"
#include "core/status.h"

/* Runs the path on n elements: x holds n inputs of the family's input dtype, y gets n
 * outputs of its output dtype (both packed, little-endian, as the CPU kernels use). */
typedef void (*qb_sem_run_fn)(void* user, size_t n, const void* x, void* y);

/*
 * What was observed. Each field is a static string:
 * - rounding:      nearest | toward-zero | toward+inf | toward-inf | away | exact
 *                  (widening: every input is representable) | other
 * - ties:          even | away | toward-zero | odd | other | n/a (rounding is not nearest)
 * - subnormal_in:  kept | flushed | other | n/a (every subnormal input rounds to zero anyway);
 *                  "flushed" means a subnormal input gave zero where the exact result is not
 * - subnormal_out: kept | flushed | other | n/a (no normal input has a subnormal result)
 * - nan_payload:   kept (the payload's top bits survive) | canonical (one NaN for all) |
 *                  lost (a NaN became a number) | other | n/a (the input has one NaN only)
 * - nan_sign:      kept | lost | n/a
 * - snan:          quieted | signaling | lost | n/a (no signaling NaN on one side)
 * - overflow:      inf | nan | saturate | other | n/a (no input exceeds the output's range)
 * - inf:           inf | nan | saturate | other | n/a (the input has no inf)
 * Block quantizers without a zero point (f32 -> MX, NVFP4, FP8 per 128, q8_0, qb8,
 * qs4g128: one scale per block) fill the same
 * fields for their elements within a block whose scale is 1 (rounding, ties), overflow
 * for the block's largest element under the scale rule (saturate: it clips), inf for a
 * block holding +inf (nan: the whole block), and three of their own (casts: n/a):
 * - scale:         floor (OCP: 2^(floor(log2 amax) - emax)) | rceil (2^ceil(log2(amax /
 *                  max))) | amax/max (the scale itself amax / max, rounded to its type) | other
 * - zero_block:    zeros (an all-zero block gives zeros) | nan | other
 * - nan_block:     block (a NaN makes the whole block NaN) | element (only itself) | other
 */
typedef struct qb_sem_observed {
  char family[32];
  char path[96];
  const char* rounding;
  const char* ties;
  const char* subnormal_in;
  const char* subnormal_out;
  const char* nan_payload;
  const char* nan_sign;
  const char* snan;
  const char* overflow;
  const char* inf;
  const char* scale;
  const char* zero_block;
  const char* nan_block;
} qb_sem_observed;

/* Whether the probe understands the family: a float cast (op cvt or cvtsat), or a block
 * quantizer from f32 to a block format without a zero point (MX, NVFP4, FP8 per 128,
 * q8_0, qb8, qs4g128). */
bool qb_semantics_family_ok(qb_family family);

/*
 * Probes one path of a cast family: builds the crafted inputs, calls run once on all of
 * them, and classifies the outputs into *out (path is copied for the caller's report).
 * QB_BAD_INPUT when the family is not a float cast.
 */
qb_status qb_semantics_probe(qb_family family, const char* path, qb_sem_run_fn run, void* user,
                             qb_sem_observed* out, qb_error* err);

#endif
