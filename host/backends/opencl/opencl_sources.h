/* The OpenCL C sources of kernels/opencl/, embedded at build time (embed.cmake). */
#ifndef QB_OPENCL_SOURCES_H
#define QB_OPENCL_SOURCES_H

typedef struct qb_ocl_source {
  const char* name; /* "cvt.cl" */
  const char* text; /* NUL-terminated */
} qb_ocl_source;

/* In program order: copy.cl, cvt.cl, quant.cl, dot.cl. */
extern const qb_ocl_source qb_ocl_sources[];
extern const int qb_ocl_source_count;

#endif
