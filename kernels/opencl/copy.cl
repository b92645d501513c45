/*
 * The backend's own kernels: a plain copy, used to check the device's profiling timer
 * (a copy of a known size must take a plausible time) and as a bandwidth reference.
 *
 * Every .cl file of this folder is concatenated into one program per device, in the
 * order copy.cl, cvt.cl, quant.cl, dot.cl, so later files may use earlier helpers.
 * The host defines:
 *   QB_VEC          elements per work-item of the element-wise kernels (>= 1)
 *   QB_HAVE_FP16    1 when the device has cl_khr_fp16 (native half variants)
 *   QB_HAVE_INTDOT  1 when the device has cl_khr_integer_dot_product (packed dots)
 *   QB_DIV_F64      1 when f32 division must go through f64 to be correctly rounded
 */
#ifndef QB_VEC
#define QB_VEC 1
#endif

/* Products and sums are rounded one by one, as the CPU references do: a fused
 * multiply-add would round once and give other bits. */
#pragma OPENCL FP_CONTRACT OFF

/*
 * Element-wise loop: work-item g handles elements g, g + G, g + 2G, ... (G the global
 * size), QB_VEC of them at most. Neighbouring work-items touch neighbouring elements,
 * which is what GPUs coalesce and what CPU implementations vectorize across items.
 */
#define QB_EACH(i, n)                                                     \
  for (ulong qb_k_ = 0, i = get_global_id(0); qb_k_ < QB_VEC && i < (n); \
       qb_k_++, i += get_global_size(0))

kernel void qb_copy_ocl(ulong n, global const uint* x, global uint* y) {
  QB_EACH(i, n) { y[i] = x[i]; }
}
