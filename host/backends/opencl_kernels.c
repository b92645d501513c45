/* The OpenCL variants as data (opencl_kernels.h), built with or without OpenCL. */
#include "backends/opencl_kernels.h"

#include <string.h>

/* ocl_kernels.inc's `needs` column in words (a new value there fails to compile here). */
#define QB__NEEDS_NONE ""
#define QB__NEEDS_FP16 "cl_khr_fp16"
#define QB__NEEDS_INTDOT "cl_khr_integer_dot_product (4x8-bit)"
#define QB__NEEDS_DIV "correctly rounded f32 division or fp64"

static const qb_opencl_kernel_decl qb__decls[] = {
#define QB_OCL_KERNEL(fam, var, args, unit, need, fl, sem) \
  {QB_FAMILY_##fam, #var, unit, QB__NEEDS_##need, fl != 0, sem},
#include "backends/opencl/ocl_kernels.inc"
#undef QB_OCL_KERNEL
};
#define QB__NDECLS (sizeof qb__decls / sizeof qb__decls[0])

size_t qb_opencl_kernel_count(void) {
  return QB__NDECLS;
}

const qb_opencl_kernel_decl* qb_opencl_kernel_at(size_t i) {
  return i < QB__NDECLS ? &qb__decls[i] : NULL;
}

const qb_opencl_kernel_decl* qb_opencl_kernel_find(const char* name) {
  const char* sep = strstr(name, "__");
  if (sep == NULL) return NULL;
  const size_t flen = (size_t) (sep - name);
  for (size_t i = 0; i < QB__NDECLS; i++) {
    const char* fam = qb_family_get(qb__decls[i].family)->name;
    if (strlen(fam) == flen && strncmp(fam, name, flen) == 0 && strcmp(sep + 2, qb__decls[i].variant) == 0)
      return &qb__decls[i];
  }
  return NULL;
}

unsigned qb_opencl_kernel_sem(const qb_opencl_kernel_decl* k, bool device_denorms) {
  return k->sem | (k->float_math && !device_denorms ? (QB_SEM_FTZ_IN | QB_SEM_FTZ_OUT) : 0u);
}
