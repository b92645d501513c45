/* `qbench info`'s OpenCL section. */
#ifndef QB_OPENCL_INFO_H
#define QB_OPENCL_INFO_H

#include <stdio.h>

#include "platform/context.h"

/* Prints every OpenCL platform's devices, one block each, or one line saying why there
 * are none. Never fails. */
void qb_opencl_print_info(FILE* f, const qb_ctx* ctx);

#endif
