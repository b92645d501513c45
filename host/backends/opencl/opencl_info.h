/* `qbench info`'s OpenCL section. */
#ifndef QB_OPENCL_INFO_H
#define QB_OPENCL_INFO_H

#include <stdio.h>

#include "backends/backend.h"

/* Prints one device's block from its description (the backend's print_device). */
void qb_opencl_print_device(qb_backend* b, int device, FILE* f);

#endif
