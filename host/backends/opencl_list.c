/*
 * `qbench list`'s OpenCL rows (the backend's qb_backend_lister, backends.inc), built with
 * or without OpenCL: one row per OpenCL variant (ocl_kernels.inc, read as data:
 * opencl_kernels.h) and device: the device in the isa column, the elements of one
 * work-item step as its tile, its semantics on that device, available or what the
 * device lacks. Without a device (or an OpenCL build) each variant is still a row,
 * saying why it cannot run here.
 */
#include <stdio.h>
#include <string.h>

#include "backends/backend.h"
#include "backends/opencl_kernels.h"

/* Whether a device has f32 subnormals, from its description (true when it does not say). */
static bool qb__device_denorms(qb_backend* b, int d) {
  json_t* j = b->ops->device_context(b, d);
  const json_t* v = json_object_get(j, "fp32_denorms");
  const bool denorms = !json_is_boolean(v) || json_is_true(v);
  json_decref(j);
  return denorms;
}

void qb_opencl_backend_list(const qb_ctx* ctx, const char* family, qb_backend_list_fn* add, void* user) {
  qb_backend* b = NULL;
  qb_error err = {0};
  char none[QB_ERROR_MSG_MAX + 32];
  if (qb_opencl_backend_create(ctx, NULL, &b, &err) != QB_OK) {
    b = NULL;
    snprintf(none, sizeof none, "no OpenCL device: %s", err.msg);
  } else if (b->ops->device_count(b) == 0) {
    snprintf(none, sizeof none, "no OpenCL device");
  }
  const int ndev = b ? b->ops->device_count(b) : 0;
  for (size_t i = 0; i < qb_opencl_kernel_count(); i++) {
    const qb_opencl_kernel_decl* k = qb_opencl_kernel_at(i);
    const qb_family_info* f = qb_family_get(k->family);
    if (family != NULL && strcmp(family, f->name) != 0) continue;
    char kernel[96], status[QB_ERROR_MSG_MAX + 64];
    snprintf(kernel, sizeof kernel, "%s__%s", f->name, k->variant);
    qb_backend_list_row row = {.family = f, .kernel = kernel, .tile = k->unit, .has_sem = true};
    if (ndev == 0) {
      row.isa = "-";
      row.sem = k->sem;
      row.status = none;
      add(user, &row);
    }
    for (int d = 0; d < ndev; d++) {
      const char* names[16];
      const char* why = NULL;
      const int nv = b->ops->variants(b, d, k->family, names, 16, &why);
      bool offered = false;
      for (int v = 0; v < nv; v++) offered |= strcmp(names[v], k->variant) == 0;
      if (offered) {
        snprintf(status, sizeof status, "available");
      } else {
        snprintf(status, sizeof status, "device lacks %s", k->needs[0] ? k->needs : "it");
      }
      row.isa = b->ops->device_name(b, d);
      row.sem = qb_opencl_kernel_sem(k, qb__device_denorms(b, d));
      row.status = status;
      add(user, &row);
    }
  }
  if (b != NULL) b->ops->destroy(b);
}
