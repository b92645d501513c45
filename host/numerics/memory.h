/*
 * Memory footprint of a tensor in every storage format: data bytes, the metadata a
 * quantization scheme adds (scales and zero points), per-element figures and the ratios
 * to f32 and f64. Formulas in host/numerics/README.md ("Memory").
 */
#ifndef QB_MEMORY_H
#define QB_MEMORY_H

#include <stddef.h>
#include <stdint.h>

#include "core/dtype.h"
#include "core/status.h"

#define QB_MEMORY_MAX_DIMS 8

typedef enum qb_mem_scheme {
  QB_MEM_PLAIN,       /* the values themselves, no metadata */
  QB_MEM_PER_TENSOR,  /* one f32 scale + one s32 zero point for the tensor */
  QB_MEM_PER_CHANNEL, /* one f32 scale + one s32 zero point per channel (the first dimension) */
  QB_MEM_BLOCK,       /* one f32 scale per QB_MEMORY_BLOCK elements (symmetric: no zero point) */
} qb_mem_scheme;

#define QB_MEMORY_BLOCK 32

typedef struct qb_memory_row {
  char name[32];  /* "s8 per-channel" */
  qb_dtype dtype; /* the element dtype (s8, not qb8, for block int8) */
  qb_mem_scheme scheme;
  uint64_t elements;
  uint64_t data_bytes;     /* the values, packed (4-bit: two per byte) */
  uint64_t metadata_bytes; /* scales and zero points */
  uint64_t total_bytes;
  double bytes_per_element; /* total / elements */
  double ratio_to_f32;      /* total / (4 * elements) */
  double ratio_to_f64;      /* total / (8 * elements) */
} qb_memory_row;

/* "2000x2000" (or "4096", "32x128x128"): 1 to QB_MEMORY_MAX_DIMS positive dimensions
 * whose product fits 2^62. */
qb_status qb_memory_parse_shape(const char* s, uint64_t* dims, int* ndim, qb_error* err);

/* One format's footprint for a tensor of shape dims[0..ndim). */
qb_status qb_memory_footprint(qb_dtype t, qb_mem_scheme scheme, const uint64_t* dims, int ndim,
                              qb_memory_row* row, qb_error* err);

/* Every format qbench knows, widest first; returns the row count (at most max). */
/* Rows enough for every format qb_memory_table lists (each dtype once, the schemes more). */
#define QB_MEMORY_MAX_ROWS (QB_DTYPE_COUNT + 8)
size_t qb_memory_table(const uint64_t* dims, int ndim, qb_memory_row* rows, size_t max);

const char* qb_mem_scheme_name(qb_mem_scheme s);

#endif
