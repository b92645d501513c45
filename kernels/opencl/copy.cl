/*
 * The backend's own kernels: a plain copy, used to check the device's profiling timer
 * (a copy of a known size must take a plausible time) and as the device's bandwidth
 * roof (`qbench run`'s OpenCL rows divide by it).
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
#define QB_EACH(i, n) \
  for (ulong qb_k_ = 0, i = get_global_id(0); qb_k_ < QB_VEC && i < (n); qb_k_++, i += get_global_size(0))

/*
 * The copy is the device's bandwidth roof, so it must be as fast as the device can
 * copy. Work-item g copies words [g * QB_VEC, (g + 1) * QB_VEC): as many work-items as
 * QB_EACH would use, but each one's words contiguous. Written as QB_EACH, PoCL 3.1 on
 * x86 compiled it into code moving 1.1 GB/s while its casts moved 6 to 13 GB/s (a
 * same-size load and store in the strided loop, whatever the types, restrict or not);
 * this form moves 19 GB/s there. On a GPU (QB_VEC 1) it is one word per work-item,
 * neighbours neighbouring, which coalesces.
 */
kernel void qb_copy_ocl(ulong n, global const uint* x, global uint* y) {
  ulong i = get_global_id(0) * QB_VEC;
  if (i + QB_VEC <= n) {
    for (uint k = 0; k < QB_VEC; k++) y[i + k] = x[i + k];
  } else {
    for (; i < n; i++) y[i] = x[i];
  }
}
