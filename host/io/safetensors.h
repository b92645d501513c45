/*
 * .safetensors files (Hugging Face): an 8-byte little-endian header length, a JSON
 * header naming each tensor's dtype, shape and data offsets, then the data. The file
 * is mapped, not read: a model's tensors are loaded one at a time. Every offset is
 * checked (in range, matching dtype x shape, not overlapping another) before any
 * tensor is handed out.
 */
#ifndef QB_SAFETENSORS_H
#define QB_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "io/npy.h"
#include "core/status.h"

/* The official reader's limit on the header: beyond it a file is refused as hostile. */
#define QB_SAFETENSORS_MAX_HEADER (100u << 20)

typedef struct qb_safetensors_entry {
  char* name;
  char st_dtype[16]; /* as written: "F32", "BF16", "F8_E4M3", ... */
  qb_dtype dtype;    /* QB_DTYPE_none when qbench has no such dtype (BOOL, U32, ...) */
  int ndim;
  uint64_t dims[QB_TENSOR_MAX_DIMS];
  uint64_t count;
  uint64_t begin, end; /* byte offsets in the data section */
} qb_safetensors_entry;

typedef struct qb_safetensors {
  const char* name; /* the path (messages) */
  qb_safetensors_entry* entries;
  size_t count;
  const unsigned char* data; /* the data section */
  uint64_t data_len;
  /* Private: the mapping (or NULL for a parsed buffer). */
  void* map;
  size_t map_len;
} qb_safetensors;

qb_status qb_safetensors_open(const char* path, qb_safetensors* st, qb_error* err);
/* Parses an image in memory; st borrows buf, which must outlive it. */
qb_status qb_safetensors_parse(const void* buf, size_t len, const char* name, qb_safetensors* st,
                               qb_error* err);
const qb_safetensors_entry* qb_safetensors_find(const qb_safetensors* st, const char* name);
/* Copies one tensor out (QB_BAD_INPUT for an unknown name or an unsupported dtype). */
qb_status qb_safetensors_load(const qb_safetensors* st, const char* name, qb_tensor* t, qb_error* err);
/* Safe on a zeroed or already closed st. */
void qb_safetensors_close(qb_safetensors* st);

/*
 * Writes tensors[0..n) as a .safetensors file named names[0..n), atomically (an existing
 * file only with force): the header's JSON in the order given, padded with spaces to 8
 * bytes, then the data. Dtypes are those safetensors names (F64 F32 F16 BF16 I8 U8 I16
 * I32 I64 F8_E4M3 F8_E5M2); any other is QB_BAD_INPUT before anything is written.
 */
qb_status qb_safetensors_write(const char* path, const qb_tensor* const* tensors, const char* const* names,
                               size_t n, bool force, qb_error* err);

#endif
