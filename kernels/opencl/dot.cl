/*
 * Dot products in two launches: each work-group reduces its work-items' partial sums
 * in local memory and writes one partial; then one work-group sums the partials. The
 * host launches power-of-two work-groups. Products are formed as the CPU references
 * form them (f16/bf16 products are exact in f32; f32 products are rounded once, no
 * contraction), so float results differ from the sequential reference only by the
 * order of the sums: within QB_DOT_REL_BOUND. Integer sums are exact in int (the
 * families' max_n keeps them from overflowing).
 */
#if QB_HAVE_INTDOT
#pragma OPENCL EXTENSION cl_khr_integer_dot_product : enable
#endif

float qb__wg_sum_f32(float v, local float* s) {
  const uint lid = get_local_id(0);
  s[lid] = v;
  barrier(CLK_LOCAL_MEM_FENCE);
  for (uint w = get_local_size(0) / 2; w > 0; w >>= 1) {
    if (lid < w) {
      s[lid] += s[lid + w];
    }
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  return s[0];
}

int qb__wg_sum_s32(int v, local int* s) {
  const uint lid = get_local_id(0);
  s[lid] = v;
  barrier(CLK_LOCAL_MEM_FENCE);
  for (uint w = get_local_size(0) / 2; w > 0; w >>= 1) {
    if (lid < w) {
      s[lid] += s[lid + w];
    }
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  return s[0];
}

/* Grid-stride loop over units (elements, 4-element chunks or blocks). */
#define QB_STRIDE(i, n) for (ulong i = get_global_id(0); i < (n); i += get_global_size(0))

#define QB_PARTIAL_F32(acc, partial, s)            \
  do {                                             \
    const float sum_ = qb__wg_sum_f32((acc), (s)); \
    if (get_local_id(0) == 0) {                    \
      (partial)[get_group_id(0)] = sum_;           \
    }                                              \
  } while (0)

#define QB_PARTIAL_S32(acc, partial, s)          \
  do {                                           \
    const int sum_ = qb__wg_sum_s32((acc), (s)); \
    if (get_local_id(0) == 0) {                  \
      (partial)[get_group_id(0)] = sum_;         \
    }                                            \
  } while (0)

kernel void qb_reduce_f32_ocl(uint count, global const float* partial, global float* out, local float* s) {
  float acc = 0.0f;
  for (uint i = get_local_id(0); i < count; i += get_local_size(0)) {
    acc += partial[i];
  }
  const float sum = qb__wg_sum_f32(acc, s);
  if (get_local_id(0) == 0) {
    out[0] = sum;
  }
}

kernel void qb_reduce_s32_ocl(uint count, global const int* partial, global int* out, local int* s) {
  int acc = 0;
  for (uint i = get_local_id(0); i < count; i += get_local_size(0)) {
    acc += partial[i];
  }
  const int sum = qb__wg_sum_s32(acc, s);
  if (get_local_id(0) == 0) {
    out[0] = sum;
  }
}

kernel void qb_f32_dot_ocl(ulong n, global const float* a, global const float* b, global float* partial,
                           local float* s) {
  float acc = 0.0f;
  QB_STRIDE(i, n) {
    acc += a[i] * b[i];
  }
  QB_PARTIAL_F32(acc, partial, s);
}

/* vload_half is OpenCL 1.2 core: no cl_khr_fp16 needed to read half. */
kernel void qb_f16_dot_ocl(ulong n, global const half* a, global const half* b, global float* partial,
                           local float* s) {
  float acc = 0.0f;
  QB_STRIDE(i, n) {
    acc += vload_half(i, a) * vload_half(i, b);
  }
  QB_PARTIAL_F32(acc, partial, s);
}

#if QB_HAVE_FP16
kernel void qb_f16_dot_ocl_half(ulong n, global const half* a, global const half* b, global float* partial,
                                local float* s) {
  float acc = 0.0f;
  QB_STRIDE(i, n) {
    acc += convert_float(a[i]) * convert_float(b[i]);
  }
  QB_PARTIAL_F32(acc, partial, s);
}
#endif

kernel void qb_bf16_dot_ocl(ulong n, global const ushort* a, global const ushort* b, global float* partial,
                            local float* s) {
  float acc = 0.0f;
  QB_STRIDE(i, n) {
    acc += as_float((uint) a[i] << 16) * as_float((uint) b[i] << 16);
  }
  QB_PARTIAL_F32(acc, partial, s);
}

/* Integer dots: 4-element char vectors widened to int, then the tail of n % 4 elements
 * taken by the first work-items. */
#define QB_INT_DOT(acc, n, a, b, DOT4)             \
  do {                                             \
    const ulong n4_ = (n) / 4;                     \
    QB_STRIDE(c_, n4_) {                           \
      acc += DOT4(vload4(c_, a), vload4(c_, b));   \
    }                                              \
    if (get_global_id(0) < (n) -4 * n4_) {         \
      const ulong t_ = 4 * n4_ + get_global_id(0); \
      acc += (int) (a)[t_] * (int) (b)[t_];        \
    }                                              \
  } while (0)

/* Widened lane by lane: the same int arithmetic as convert_int4(a) * convert_int4(b),
 * written so that oclgrind 21.10's uninitialized-value checker does not crash on it. */
int qb__dot4_s8(char4 a, char4 b) {
  return (int) a.x * (int) b.x + (int) a.y * (int) b.y + (int) a.z * (int) b.z + (int) a.w * (int) b.w;
}

int qb__dot4_u8s8(uchar4 a, char4 b) {
  return (int) a.x * (int) b.x + (int) a.y * (int) b.y + (int) a.z * (int) b.z + (int) a.w * (int) b.w;
}

kernel void qb_s8_dot_ocl(ulong n, global const char* a, global const char* b, global int* partial,
                          local int* s) {
  int acc = 0;
  QB_INT_DOT(acc, n, a, b, qb__dot4_s8);
  QB_PARTIAL_S32(acc, partial, s);
}

kernel void qb_u8s8_dot_ocl(ulong n, global const uchar* a, global const char* b, global int* partial,
                            local int* s) {
  int acc = 0;
  QB_INT_DOT(acc, n, a, b, qb__dot4_u8s8);
  QB_PARTIAL_S32(acc, partial, s);
}

#if QB_HAVE_INTDOT
/* cl_khr_integer_dot_product's packed 4x8-bit dot (dp4a-like instructions). */
kernel void qb_s8_dot_ocl_dot4(ulong n, global const char* a, global const char* b, global int* partial,
                               local int* s) {
  int acc = 0;
  QB_INT_DOT(acc, n, a, b, dot);
  QB_PARTIAL_S32(acc, partial, s);
}

kernel void qb_u8s8_dot_ocl_dot4(ulong n, global const uchar* a, global const char* b, global int* partial,
                                 local int* s) {
  int acc = 0;
  QB_INT_DOT(acc, n, a, b, dot);
  QB_PARTIAL_S32(acc, partial, s);
}
#endif

/* Block dot: per block an exact int sum of 32 products, then acc += da * db * isum in
 * f32 as the reference does; only the order of the block sums differs. */
#define QB_QB8_DOT(acc, n, a, b, DOT4)                                              \
  QB_STRIDE(blk_, (n) / QB_BLOCK_LEN) {                                             \
    global const uchar* ab_ = (a) + blk_ * QB_BLOCK_BYTES;                          \
    global const uchar* bb_ = (b) + blk_ * QB_BLOCK_BYTES;                          \
    global const char* qa_ = (global const char*) (ab_ + 4);                        \
    global const char* qb_ = (global const char*) (bb_ + 4);                        \
    int isum_ = 0;                                                                  \
    for (int c_ = 0; c_ < QB_BLOCK_LEN / 4; c_++) {                                 \
      isum_ += DOT4(vload4(c_, qa_), vload4(c_, qb_));                              \
    }                                                                               \
    acc += *(global const float*) ab_ * *(global const float*) bb_ * (float) isum_; \
  }

kernel void qb_qb8_dot_ocl(ulong n, global const uchar* a, global const uchar* b, global float* partial,
                           local float* s) {
  float acc = 0.0f;
  QB_QB8_DOT(acc, n, a, b, qb__dot4_s8)
  QB_PARTIAL_F32(acc, partial, s);
}

#if QB_HAVE_INTDOT
kernel void qb_qb8_dot_ocl_dot4(ulong n, global const uchar* a, global const uchar* b, global float* partial,
                                local float* s) {
  float acc = 0.0f;
  QB_QB8_DOT(acc, n, a, b, dot)
  QB_PARTIAL_F32(acc, partial, s);
}
#endif
