#include "numerics/element.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "common/fp.h"
#include "platform/registry.h"

/* Code j of a block, by its layout. */
static uint64_t qb__code(const qb_block_geom* g, const unsigned char* block, unsigned j) {
  const unsigned char* codes = block + g->meta_bytes;
  if (g->order == QB_BLOCK_ORDER_halves) {
    const unsigned half = g->len / 2;
    return j < half ? codes[j] & 15u : codes[j - half] >> 4;
  }
  return qb_dtype_load_bits(g->code, codes, j);
}

static void qb__set_code(const qb_block_geom* g, unsigned char* block, unsigned j, uint64_t v) {
  unsigned char* codes = block + g->meta_bytes;
  if (g->order == QB_BLOCK_ORDER_halves) {
    const unsigned half = g->len / 2;
    unsigned char* p = &codes[j < half ? j : j - half];
    *p = j < half ? (unsigned char) ((*p & 0xF0u) | (v & 15u))
                  : (unsigned char) ((*p & 0x0Fu) | (v & 15u) << 4);
    return;
  }
  qb_dtype_store_bits(g->code, codes, j, v);
}

static const unsigned char* qb__block(const qb_block_geom* g, const void* buf, size_t i) {
  return (const unsigned char*) buf + i / g->len * g->bytes;
}

double qb_element_value(qb_dtype t, const void* buf, size_t i) {
  /* The formats of the long cases read directly (the error figures decode every element
   * of every case); the same values as the descriptor gives, faster. */
  switch (t) {
    case QB_DTYPE_f64:
      return ((const double*) buf)[i];
    case QB_DTYPE_f32:
      return ((const float*) buf)[i];
    case QB_DTYPE_f16:
      return qb_f32_from_bits(qb_f16_to_f32_bits(((const uint16_t*) buf)[i]));
    case QB_DTYPE_bf16:
      return qb_f32_from_bits(qb_bf16_to_f32_bits(((const uint16_t*) buf)[i]));
    case QB_DTYPE_s8:
      return ((const int8_t*) buf)[i];
    case QB_DTYPE_u8:
      return ((const uint8_t*) buf)[i];
    default:
      break;
  }
  qb_block_geom g;
  if (!qb_dtype_block(t, &g)) return qb_dtype_decode_bits(t, qb_dtype_load_bits(t, buf, i));
  const unsigned char* b = qb__block(&g, buf, i);
  const double scale = qb_dtype_decode_bits(g.scale, qb_dtype_load_bits(g.scale, b, 0));
  double zero = 0.0;
  if (g.zero == QB_BLOCK_ZERO_eight) zero = 8.0;
  if (g.zero == QB_BLOCK_ZERO_byte) zero = b[qb_dtype_get(g.scale)->bits / 8];
  const double q = qb_dtype_decode_bits(g.code, qb__code(&g, b, (unsigned) (i % g.len)));
  return scale * ldexp(q - zero, g.code_exp);
}

/*
 * Every code's value of a dtype of at most 8 bits (float or int), as
 * qb_dtype_decode_bits gives it: over a run longer than the table, a look-up per
 * element instead of a decode (the error figures decode every element of every case).
 * Returns false for wider dtypes.
 */
static bool qb__table(qb_dtype t, double table[256]) {
  const unsigned bits = qb_dtype_get(t)->bits;
  if (bits > 8) return false;
  for (uint64_t c = 0; c < (1u << bits); c++) table[c] = qb_dtype_decode_bits(t, c);
  return true;
}

/* Code j of a block of `stream` order, `bits` wide: qb_dtype_load_bits's bits, with
 * whole bytes and nibbles read directly. */
static unsigned qb__stream_code(qb_dtype code, unsigned bits, const unsigned char* codes, unsigned j) {
  if (bits == 8) return codes[j];
  if (bits == 4) return (unsigned) (codes[j / 2] >> (4 * (j % 2))) & 15u;
  return (unsigned) qb_dtype_load_bits(code, codes, j);
}

void qb_element_values(qb_dtype t, const void* buf, size_t i0, size_t k, double* out) {
  double table[256];
  const qb_dtype_info* d = qb_dtype_get(t);
  qb_block_geom g;
  if (!qb_dtype_block(t, &g)) {
    /* A narrow dtype over a run longer than its table: looked up (s8 and u8 convert
     * faster than they look up). */
    if (d->bits <= 8 && k >= (size_t) 1 << d->bits && d->cls == QB_CLASS_float && qb__table(t, table)) {
      const unsigned char* p = (const unsigned char*) buf;
      if (d->bits == 8) {
        for (size_t j = 0; j < k; j++) out[j] = table[p[i0 + j]];
      } else {
        for (size_t j = 0; j < k; j++) out[j] = table[qb_dtype_load_bits(t, buf, i0 + j)];
      }
      return;
    }
    for (size_t j = 0; j < k; j++) out[j] = qb_element_value(t, buf, i0 + j);
    return;
  }
  /* A block's scale and zero point once per block, not once per element; its codes'
   * values from a table (every code dtype of blocks.inc has at most 8 bits). */
  const bool looked_up = qb__table(g.code, table);
  const unsigned code_bits = qb_dtype_get(g.code)->bits;
  size_t block = SIZE_MAX;
  const unsigned char* b = NULL;
  double scale = 0.0, zero = 0.0;
  for (size_t j = 0; j < k; j++) {
    const size_t i = i0 + j;
    if (i / g.len != block) {
      block = i / g.len;
      b = qb__block(&g, buf, i);
      scale = qb_dtype_decode_bits(g.scale, qb_dtype_load_bits(g.scale, b, 0));
      zero = g.zero == QB_BLOCK_ZERO_eight ? 8.0 : 0.0;
      if (g.zero == QB_BLOCK_ZERO_byte) zero = b[qb_dtype_get(g.scale)->bits / 8];
    }
    const unsigned jb = (unsigned) (i % g.len);
    double q;
    if (!looked_up) {
      q = qb_dtype_decode_bits(g.code, qb__code(&g, b, jb));
    } else if (g.order == QB_BLOCK_ORDER_stream) {
      q = table[qb__stream_code(g.code, code_bits, b + g.meta_bytes, jb)];
    } else {
      q = table[qb__code(&g, b, jb)];
    }
    /* ldexp(x, 0) is x: the call only where the layout scales its codes. */
    out[j] = scale * (g.code_exp != 0 ? ldexp(q - zero, g.code_exp) : q - zero);
  }
}

uint64_t qb_element_bits(qb_dtype t, const void* buf, size_t i) {
  qb_block_geom g;
  if (!qb_dtype_block(t, &g)) return qb_dtype_load_bits(t, buf, i);
  const unsigned char* b = qb__block(&g, buf, i);
  uint64_t meta = 0;
  memcpy(&meta, b, g.meta_bytes); /* little-endian hosts; at most 4 bytes */
  return meta << qb_dtype_get(g.code)->bits | qb__code(&g, b, (unsigned) (i % g.len));
}

void qb_element_flush(qb_dtype t, void* buf, size_t n) {
  qb_block_geom g;
  if (!qb_dtype_block(t, &g)) {
    const qb_dtype_info* d = qb_dtype_get(t);
    if (d->cls != QB_CLASS_float || d->special == QB_SPECIAL_e8m0) return; /* e8m0: no subnormals */
    /* The widths of the FTZ variants, as word loops (the exhaustive sweeps flush 2^32). */
    const uint32_t exps = ((1u << d->exp_bits) - 1) << d->man_bits;
    if (d->bits == 32) {
      uint32_t* p = (uint32_t*) buf;
      for (size_t i = 0; i < n; i++) p[i] = (p[i] & exps) == 0 ? p[i] & 0x80000000u : p[i];
      return;
    }
    if (d->bits == 16) {
      uint16_t* p = (uint16_t*) buf;
      for (size_t i = 0; i < n; i++) p[i] = (p[i] & exps) == 0 ? (uint16_t) (p[i] & 0x8000u) : p[i];
      return;
    }
    for (size_t i = 0; i < n; i++)
      qb_dtype_store_bits(t, buf, i, qb_dtype_flush_bits(t, qb_dtype_load_bits(t, buf, i)));
    return;
  }
  const bool float_codes = qb_dtype_get(g.code)->cls == QB_CLASS_float;
  for (size_t k = 0; k < n / g.len; k++) {
    unsigned char* b = (unsigned char*) buf + k * g.bytes;
    qb_dtype_store_bits(g.scale, b, 0, qb_dtype_flush_bits(g.scale, qb_dtype_load_bits(g.scale, b, 0)));
    for (unsigned j = 0; float_codes && j < g.len; j++) {
      qb__set_code(&g, b, j, qb_dtype_flush_bits(g.code, qb__code(&g, b, j)));
    }
  }
}
