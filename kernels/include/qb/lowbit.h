/*
 * Storage of the low-bit float formats (kernels/lowbit/README.md): the OCP Microscaling
 * blocks (MXFP8, MXFP6, MXFP4, MXINT8), NVFP4 and FP8 with per-128 f32 scales. Every
 * struct is a plain byte layout (no padding): a block's scale, then its element codes.
 *
 * Packed codes are little-endian bit streams: element i of a block occupies bits
 * [w * i, w * (i + 1)) counting from bit 0 of byte 0, for w = 4 or 6. So FP4 puts
 * element 2k in the low nibble of byte k and 2k + 1 in the high nibble (as ml_dtypes'
 * and PyTorch's float4_e2m1fn_x2 do), and FP6 packs four codes in three bytes:
 * byte 0 = c0 | c1 << 6, byte 1 = c1 >> 2 | c2 << 4, byte 2 = c2 >> 4 | c3 << 2.
 */
#ifndef QB_LOWBIT_H
#define QB_LOWBIT_H

#include <stdint.h>

/* OCP MX: 32 elements share one E8M0 scale (the exponent byte `e`: 2^(e - 127)). */
#define QB_MX_BLOCK_LEN 32
typedef struct qb_block_mx8 { /* MXFP8 (E4M3, E5M2) and MXINT8 */
  uint8_t e;
  uint8_t qs[QB_MX_BLOCK_LEN];
} qb_block_mx8;
typedef struct qb_block_mx6 { /* MXFP6 (E2M3, E3M2): 32 x 6 bits */
  uint8_t e;
  uint8_t qs[QB_MX_BLOCK_LEN * 6 / 8];
} qb_block_mx6;
typedef struct qb_block_mx4 { /* MXFP4 (E2M1): 32 x 4 bits */
  uint8_t e;
  uint8_t qs[QB_MX_BLOCK_LEN / 2];
} qb_block_mx4;

/* NVFP4: 16 E2M1 elements share one E4M3 scale; a per-tensor f32 scale on top. */
#define QB_NVF4_BLOCK_LEN 16
typedef struct qb_block_nvf4 {
  uint8_t s; /* E4M3 block scale (positive; 0x7F: NaN) */
  uint8_t qs[QB_NVF4_BLOCK_LEN / 2];
} qb_block_nvf4;

/* The optional second level of NVFP4, value = e2m1 * e4m3(s) * tensor_scale, comes in
 * the params of the unary signature: a qb_quant_params whose `scale` is the f32 tensor
 * scale (finite, > 0); NULL params or scale 0 mean one level (tensor_scale = 1). The
 * other fields are not read. */

/* FP8 E4M3 with one f32 scale per 1 x 128 block (value = e4m3 * d). */
#define QB_F8B_BLOCK_LEN 128
typedef struct qb_block_f8b128 {
  float d;
  uint8_t qs[QB_F8B_BLOCK_LEN];
} qb_block_f8b128;

/*
 * FP8 E4M3 with one f32 scale per 128 x 128 tile of a 2-D weight matrix (value = e4m3 * d).
 * A tile is stored whole: its scale, then its 128 x 128 codes row by row; the tiles follow
 * in row-major order of the tile grid. The matrix (the f32 side) is row-major, and its row
 * length comes in the params of the unary signature: a qb_quant_params whose channel_len
 * is the number of columns (a multiple of 128, with n / columns a multiple of 128); NULL
 * params or channel_len 0 mean 128 columns, where the tiles are 16384 consecutive
 * elements, in order. The other fields are not read.
 */
#define QB_F8T_TILE 128
#define QB_F8T_TILE_LEN (QB_F8T_TILE * QB_F8T_TILE)
typedef struct qb_block_f8t128 {
  float d;
  uint8_t qs[QB_F8T_TILE_LEN];
} qb_block_f8t128;

#endif /* QB_LOWBIT_H */
