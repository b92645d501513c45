#include "numerics/memory.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "numerics/casedata.h"
#include "platform/registry.h"

/* The product must leave room for 8 bytes per element and the metadata: 2^62 does. */
#define QB__MAX_ELEMENTS (UINT64_C(1) << 59)

const char* qb_mem_scheme_name(qb_mem_scheme s) {
  switch (s) {
    case QB_MEM_PLAIN:
      return "plain";
    case QB_MEM_PER_TENSOR:
      return "per-tensor";
    case QB_MEM_PER_CHANNEL:
      return "per-channel";
    case QB_MEM_BLOCK:
      return "block32";
  }
  return "unknown";
}

qb_status qb_memory_parse_shape(const char* s, uint64_t* dims, int* ndim, qb_error* err) {
  const char* p = s;
  uint64_t total = 1;
  *ndim = 0;
  if (s == NULL || *s == '\0')
    return qb_fail(err, QB_BAD_INPUT, "shape '': expected dimensions like 2000x2000");
  for (;;) {
    char* end;
    if (*p < '0' || *p > '9') {
      return qb_fail(err, QB_BAD_INPUT, "shape '%s': expected a dimension at '%s'", s, p);
    }
    errno = 0;
    const unsigned long long v = strtoull(p, &end, 10);
    if (errno != 0 || v == 0)
      return qb_fail(err, QB_BAD_INPUT, "shape '%s': dimensions must be 1 or more", s);
    if (*ndim == QB_MEMORY_MAX_DIMS) {
      return qb_fail(err, QB_BAD_INPUT, "shape '%s': more than %d dimensions", s, QB_MEMORY_MAX_DIMS);
    }
    if (v > QB__MAX_ELEMENTS / total) {
      return qb_fail(err, QB_BAD_INPUT, "shape '%s': more than 2^59 elements", s);
    }
    total *= v;
    dims[(*ndim)++] = v;
    if (*end == '\0') return QB_OK;
    if (*end != 'x' && *end != 'X' && *end != ',') {
      return qb_fail(err, QB_BAD_INPUT, "shape '%s': unexpected '%c' (dimensions are separated by 'x')", s,
                     *end);
    }
    p = end + 1;
  }
}

qb_status qb_memory_footprint(qb_dtype t, qb_mem_scheme scheme, const uint64_t* dims, int ndim,
                              qb_memory_row* row, qb_error* err) {
  const qb_dtype_info* di = qb_dtype_get(t);
  const uint64_t meta_one = 4 + 4; /* an f32 scale and an s32 zero point */
  uint64_t n = 1;
  if (ndim < 1 || ndim > QB_MEMORY_MAX_DIMS) return qb_fail(err, QB_BAD_INPUT, "shape: %d dimensions", ndim);
  for (int i = 0; i < ndim; i++) {
    if (dims[i] == 0 || dims[i] > QB__MAX_ELEMENTS / n) {
      return qb_fail(err, QB_BAD_INPUT, "shape: dimension %d (%llu) is 0 or makes more than 2^59 elements", i,
                     (unsigned long long) dims[i]);
    }
    n *= dims[i];
  }
  qb_block_geom g;
  if (di->cls == QB_CLASS_block && t != QB_DTYPE_qb8 && scheme == QB_MEM_PLAIN && qb_dtype_block(t, &g)) {
    /* A block format carries its scales in its blocks (kernels/blocks.inc): q8_0, q4_0, the
     * MX formats, NVFP4, f8e4m3b128. */
    const uint64_t blocks = (n + g.len - 1) / g.len;
    row->dtype = t;
    row->scheme = scheme;
    row->elements = n;
    row->data_bytes = blocks * (g.bytes - g.meta_bytes);
    row->metadata_bytes = blocks * g.meta_bytes;
    row->total_bytes = blocks * g.bytes;
    row->bytes_per_element = (double) row->total_bytes / (double) n;
    row->ratio_to_f32 = (double) row->total_bytes / (4.0 * (double) n);
    row->ratio_to_f64 = (double) row->total_bytes / (8.0 * (double) n);
    snprintf(row->name, sizeof row->name, "%s", di->name);
    return QB_OK;
  }
  if (di->cls != QB_CLASS_float && di->cls != QB_CLASS_int) {
    return qb_fail(err, QB_BAD_INPUT, "memory: %s is not an element dtype", di->name);
  }
  if (scheme != QB_MEM_PLAIN && di->cls != QB_CLASS_int) {
    return qb_fail(err, QB_BAD_INPUT, "memory: %s %s: quantization schemes are for integer dtypes", di->name,
                   qb_mem_scheme_name(scheme));
  }
  row->dtype = t;
  row->scheme = scheme;
  row->elements = n;
  row->data_bytes = (n * di->bits + 7) / 8;
  switch (scheme) {
    case QB_MEM_PLAIN:
      row->metadata_bytes = 0;
      break;
    case QB_MEM_PER_TENSOR:
      row->metadata_bytes = meta_one;
      break;
    case QB_MEM_PER_CHANNEL:
      row->metadata_bytes = dims[0] * meta_one;
      break;
    case QB_MEM_BLOCK:
      row->metadata_bytes = (n + QB_MEMORY_BLOCK - 1) / QB_MEMORY_BLOCK * 4;
      break;
  }
  row->total_bytes = row->data_bytes + row->metadata_bytes;
  row->bytes_per_element = (double) row->total_bytes / (double) n;
  row->ratio_to_f32 = (double) row->total_bytes / (4.0 * (double) n);
  row->ratio_to_f64 = (double) row->total_bytes / (8.0 * (double) n);
  if (scheme == QB_MEM_PLAIN) {
    snprintf(row->name, sizeof row->name, "%s", di->name);
  } else {
    snprintf(row->name, sizeof row->name, "%s %s", di->name, qb_mem_scheme_name(scheme));
  }
  return QB_OK;
}

size_t qb_memory_table(const uint64_t* dims, int ndim, qb_memory_row* rows, size_t max) {
  /* The integer dtypes' affine schemes (metadata beside the codes). */
  static const struct {
    qb_dtype t;
    qb_mem_scheme s;
  } schemes[] = {
      {QB_DTYPE_s8, QB_MEM_PER_TENSOR}, {QB_DTYPE_u8, QB_MEM_PER_TENSOR}, {QB_DTYPE_s8, QB_MEM_PER_CHANNEL},
      {QB_DTYPE_s8, QB_MEM_BLOCK},      {QB_DTYPE_s4, QB_MEM_PER_TENSOR}, {QB_DTYPE_s4, QB_MEM_PER_CHANNEL},
      {QB_DTYPE_s4, QB_MEM_BLOCK},
  };
  size_t k = 0;
  /* 1. Every float dtype stored plainly, in dtype.inc order (e8m0, the scale type, too:
   *    f32_e8m0_cvt stores tensors in it). */
  for (int t = 0; t < QB_DTYPE_COUNT && k < max; t++) {
    const qb_dtype_info* d = qb_dtype_get((qb_dtype) t);
    if (d->cls != QB_CLASS_float) continue;
    if (qb_memory_footprint((qb_dtype) t, QB_MEM_PLAIN, dims, ndim, &rows[k], NULL) == QB_OK) k++;
  }
  /* 2. The schemes. */
  for (size_t i = 0; i < sizeof schemes / sizeof schemes[0] && k < max; i++) {
    if (qb_memory_footprint(schemes[i].t, schemes[i].s, dims, ndim, &rows[k], NULL) == QB_OK) k++;
  }
  /* 2b. Every other (integer dtype, scheme) that a family of the registry quantizes to or
   *     dequantizes from (u8 per channel: qu8_quantc), so that each family's storage is
   *     a row. */
  for (int fi = 0; fi < QB_FAMILY_COUNT && k < max; fi++) {
    const qb_family_info* f = qb_family_get((qb_family) fi);
    const qb_dtype t = qb_case_param_dtype(f);
    if (t == QB_DTYPE_none) continue;
    const qb_mem_scheme s = qb_case_per_channel(f) ? QB_MEM_PER_CHANNEL : QB_MEM_PER_TENSOR;
    bool seen = false;
    for (size_t i = 0; i < k && !seen; i++) seen = rows[i].dtype == t && rows[i].scheme == s;
    if (!seen && qb_memory_footprint(t, s, dims, ndim, &rows[k], NULL) == QB_OK) k++;
  }
  /* 3. Every block dtype of kernels/blocks.inc, scales inside its blocks (qb8 is the s8
   *    block32 row above). A new block format is a row here with no edit. */
  for (int t = 0; t < QB_DTYPE_COUNT && k < max; t++) {
    qb_block_geom g;
    if (t == QB_DTYPE_qb8 || !qb_dtype_block((qb_dtype) t, &g)) continue;
    if (qb_memory_footprint((qb_dtype) t, QB_MEM_PLAIN, dims, ndim, &rows[k], NULL) == QB_OK) k++;
  }
  return k;
}
