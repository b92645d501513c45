/*
 * Element-parallel dequantizers of the block formats (the `ocl_elem` variants): q8_0,
 * q4_0, qb8, the int4 groups, the OCP MX blocks, NVFP4 and FP8 per 128. The `ocl` variants give a work-item
 * whole blocks, which suits a CPU device (PoCL vectorizes the block's loop) but not a
 * GPU, where neighbouring work-items then read bytes 18 to 132 apart and write floats
 * 128 to 512 bytes apart: no access coalesces (NVIDIA H200: 230-285 GB/s, a tenth of
 * its copy roof, where the casts moved 1.5-2 TB/s). Here work-item step q (QB_SPAN over
 * n / 4) takes the 4 adjacent elements [4q, 4q + 4) of one block: it reads its block's
 * scale (shared with its neighbours: one cache line) and its 1 to 4 code bytes, which
 * neighbour those of the next step, and stores one float4. On a GPU (QB_VEC 1) a warp
 * then reads a few consecutive cache lines and writes 512 consecutive bytes.
 *
 * Bit-exact with the references, as the `ocl` variants: the same decode helpers
 * (qblock.cl, lowbit.cl, cvt.cl) and the same single product per element, code times
 * scale in the reference's order (FP_CONTRACT is off, copy.cl). Every block length
 * here is a multiple of 4, so a step never straddles two blocks, and n is whole blocks.
 */

/* Steps over the n / 4 quads of elements of blocks of L elements and BYTES bytes: xb is
 * the quad's block, j the place of its first element in the block (a multiple of 4);
 * the body sets v, which is stored at the quad's 4 elements (y is a device allocation:
 * 16-byte aligned). L / 4 is a power of two, so the divisions are shifts. */
#define QB_ELEM_QUADS(n, L, BYTES, ...)                       \
  QB_SPAN(qb_q_, (n) / 4, {                                   \
    const ulong qb_blk_ = qb_q_ / ((L) / 4);                  \
    global const uchar* xb = x + qb_blk_ * (BYTES);           \
    const uint j = (uint) (qb_q_ - qb_blk_ * ((L) / 4)) * 4u; \
    float4 v;                                                 \
    __VA_ARGS__;                                              \
    ((global float4*) y)[qb_q_] = v;                          \
  })

/* q8_0 (34-byte blocks: f16 d, 32 s8 codes): code * d. */
kernel void qb_q8_0_f32_dequant_ocl_elem(ulong n, global const uchar* x, global float* y) {
  QB_ELEM_QUADS(n, QB_BLOCK_LEN, QB_Q8_0_BYTES, {
    const char4 c = as_char4(vload4(0, xb + 2 + j));
    v = convert_float4(c) * qb__f16_at(xb);
  });
}

/* q4_0 (18-byte blocks: f16 d, byte k holding element k in its low nibble and k + 16
 * in its high one): (nibble - 8) * d. */
kernel void qb_q4_0_f32_dequant_ocl_elem(ulong n, global const uchar* x, global float* y) {
  QB_ELEM_QUADS(n, QB_BLOCK_LEN, QB_Q4_0_BYTES, {
    const int4 c = convert_int4(vload4(0, xb + 2 + (j & 15u)));
    v = convert_float4(((c >> (int) (j >> 4 << 2)) & 15) - 8) * qb__f16_at(xb);
  });
}

/* qb8 (36-byte blocks: f32 d, 32 s8 codes, 4-byte aligned): d * code. */
kernel void qb_qb8_f32_dequant_ocl_elem(ulong n, global const uchar* x, global float* y) {
  QB_ELEM_QUADS(n, QB_BLOCK_LEN, QB_BLOCK_BYTES, {
    const float d = *(global const float*) xb;
    v = d * convert_float4(*(global const char4*) (xb + 4 + j));
  });
}

/* int4 groups of G (3 + G/2 bytes: f16 s, u8 zero point z, byte k holding elements 2k
 * (low nibble) and 2k + 1): (code - z) * s, the subtraction exact in int. */
#define QB_ELEM_INT4G_KERNEL(name, G)                                 \
  kernel void name(ulong n, global const uchar* x, global float* y) { \
    QB_ELEM_QUADS(n, G, 3 + (G) / 2, {                                \
      const uchar2 c = vload2(0, xb + 3 + j / 2);                     \
      const int4 q = (int4) (c.x & 15, c.x >> 4, c.y & 15, c.y >> 4); \
      v = convert_float4(q - (int) xb[2]) * qb__f16_at(xb);           \
    });                                                               \
  }

QB_ELEM_INT4G_KERNEL(qb_qu4g32_f32_dequant_ocl_elem, 32)
QB_ELEM_INT4G_KERNEL(qb_qu4g64_f32_dequant_ocl_elem, 64)
QB_ELEM_INT4G_KERNEL(qb_qu4g128_f32_dequant_ocl_elem, 128)

/* qs4g128 (66 bytes: f16 s, two's-complement nibbles as above): code * s. */
kernel void qb_qs4g128_f32_dequant_ocl_elem(ulong n, global const uchar* x, global float* y) {
  QB_ELEM_QUADS(n, 128, 66, {
    const uchar2 c = vload2(0, xb + 2 + j / 2);
    const int4 q = (int4) (qb__s4(c.x & 15u), qb__s4(c.x >> 4), qb__s4(c.y & 15u), qb__s4(c.y >> 4));
    v = convert_float4(q) * qb__f16_at(xb);
  });
}

/* a * b per lane where a NaN a is kept as is (qb__mul_nan_first, lowbit.cl, on four
 * lanes). As a vector select: oclgrind 21.10 takes a float4 built from four scalar
 * selects for an uninitialized value (its output is right). */
float4 qb__elem_mul_nan_first4(float4 a, float b) {
  return select(a * b, a, isnan(a));
}

/* MX blocks (an E8M0 scale byte, then 32 codes of BITS bits: 8 one per byte, 6 four in
 * three bytes, 4 two per byte, low nibble first): decode(code) * scale, a NaN code
 * keeping its NaN (as the `ocl` variant's qb__mul_nan_first). The 4 codes of a quad are
 * one 24-bit word for FP6. */
#define QB_ELEM_MX_KERNEL(name, KIND, BITS)                                                      \
  kernel void name(ulong n, global const uchar* x, global float* y) {                            \
    QB_ELEM_QUADS(n, QB_MX_LEN, 1 + QB_MX_LEN * (BITS) / 8, {                                    \
      const float scale = as_float(qb__e8m0_to_f32_bits(xb[0]));                                 \
      uint4 c;                                                                                   \
      if ((BITS) == 8) {                                                                         \
        c = convert_uint4(vload4(0, xb + 1 + j));                                                \
      } else if ((BITS) == 6) {                                                                  \
        global const uchar* p = xb + 1 + j / 4 * 3;                                              \
        const uint w = (uint) p[0] | (uint) p[1] << 8 | (uint) p[2] << 16;                       \
        c = (uint4) (w, w >> 6, w >> 12, w >> 18) & 0x3Fu;                                       \
      } else {                                                                                   \
        const uchar2 b = vload2(0, xb + 1 + j / 2);                                              \
        c = (uint4) (b.x & 15u, b.x >> 4, b.y & 15u, b.y >> 4);                                  \
      }                                                                                          \
      v = qb__elem_mul_nan_first4((float4) (qb__mx_decode(c.x, KIND), qb__mx_decode(c.y, KIND),  \
                                            qb__mx_decode(c.z, KIND), qb__mx_decode(c.w, KIND)), \
                                  scale);                                                        \
    });                                                                                          \
  }

QB_ELEM_MX_KERNEL(qb_mxf8e4m3_f32_dequant_ocl_elem, QB_MX_E4M3, 8)
QB_ELEM_MX_KERNEL(qb_mxf8e5m2_f32_dequant_ocl_elem, QB_MX_E5M2, 8)
QB_ELEM_MX_KERNEL(qb_mxf6e2m3_f32_dequant_ocl_elem, QB_MX_E2M3, 6)
QB_ELEM_MX_KERNEL(qb_mxf6e3m2_f32_dequant_ocl_elem, QB_MX_E3M2, 6)
QB_ELEM_MX_KERNEL(qb_mxf4_f32_dequant_ocl_elem, QB_MX_E2M1, 4)
QB_ELEM_MX_KERNEL(qb_mxi8_f32_dequant_ocl_elem, QB_MX_INT8, 8)

/* NVFP4 (9-byte blocks of 16: an E4M3 scale, codes two per byte, low nibble first),
 * times the tensor scale g (0: none): e2m1(code) * (e4m3(s) * g). */
kernel void qb_nvf4_f32_dequant_ocl_elem(ulong n, global const uchar* x, global float* y, float g) {
  const float gs = g != 0.0f ? g : 1.0f;
  QB_ELEM_QUADS(n, QB_NVF4_LEN, QB_NVF4_BYTES, {
    const float d = as_float(qb__f8e4m3_to_f32_bits(xb[0])) * gs;
    const uchar2 b = vload2(0, xb + 1 + j / 2);
    const uint4 c = (uint4) (b.x & 15u, b.x >> 4, b.y & 15u, b.y >> 4);
    v = (float4) (as_float(qb__fn_small_to_f32(c.x, 2, 1, 1)), as_float(qb__fn_small_to_f32(c.y, 2, 1, 1)),
                  as_float(qb__fn_small_to_f32(c.z, 2, 1, 1)), as_float(qb__fn_small_to_f32(c.w, 2, 1, 1))) *
        d;
  });
}

/* FP8 E4M3 per 128 (132-byte blocks: f32 d, 128 codes, 4-byte aligned): e4m3 * d, a
 * NaN code keeping its NaN. */
kernel void qb_f8e4m3b128_f32_dequant_ocl_elem(ulong n, global const uchar* x, global float* y) {
  QB_ELEM_QUADS(n, QB_F8B_LEN, QB_F8B_BYTES, {
    const float d = *(global const float*) xb;
    const uchar4 c = *(global const uchar4*) (xb + 4 + j);
    v = qb__elem_mul_nan_first4(
        (float4) (as_float(qb__f8e4m3_to_f32_bits(c.x)), as_float(qb__f8e4m3_to_f32_bits(c.y)),
                  as_float(qb__f8e4m3_to_f32_bits(c.z)), as_float(qb__f8e4m3_to_f32_bits(c.w))),
        d);
  });
}
