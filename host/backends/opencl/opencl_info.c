/* `qbench info`'s OpenCL section: each device, from the backend's own description. */
#include <stdio.h>

#include "backends/backend.h"
#include "backends/opencl/opencl_info.h"

static const char* qb__yes(json_t* o, const char* key) {
  return json_is_true(json_object_get(o, key)) ? "yes" : "no";
}

static double qb__mib(json_t* o, const char* key) {
  return (double) json_integer_value(json_object_get(o, key)) / (1024.0 * 1024.0);
}

static void qb__print_device(FILE* f, json_t* o) {
  json_t* ext = json_object_get(o, "extensions");
  json_t* vw = json_object_get(o, "preferred_vector_width");
  fprintf(f, "  [%s] %s\n", json_string_value(json_object_get(o, "index")),
          json_string_value(json_object_get(o, "name")));
  fprintf(f, "    device:       %s (%s)\n", json_string_value(json_object_get(o, "device")),
          json_string_value(json_object_get(o, "vendor")));
  fprintf(f, "    platform:     %s; driver %s; %s; %s\n", json_string_value(json_object_get(o, "platform")),
          json_string_value(json_object_get(o, "driver")), json_string_value(json_object_get(o, "version")),
          json_string_value(json_object_get(o, "opencl_c_version")));
  fprintf(f,
          "    compute:      %lld units at up to %lld MHz; work-group max %lld, used %lld; %lld element(s) "
          "per item\n",
          json_integer_value(json_object_get(o, "compute_units")),
          json_integer_value(json_object_get(o, "max_clock_mhz")),
          json_integer_value(json_object_get(o, "max_work_group_size")),
          json_integer_value(json_object_get(o, "work_group_size")),
          json_integer_value(json_object_get(o, "elements_per_work_item")));
  fprintf(f, "    memory:       global %.0f MiB, local %.0f KiB, largest allocation %.0f MiB\n",
          qb__mib(o, "global_mem_bytes"), qb__mib(o, "local_mem_bytes") * 1024.0,
          qb__mib(o, "max_alloc_bytes"));
  fprintf(f, "    float:        fp16 %s, fp64 %s, f32 subnormals %s, correctly rounded f32 division %s\n",
          qb__yes(ext, "cl_khr_fp16"), qb__yes(ext, "cl_khr_fp64"), qb__yes(o, "fp32_denorms"),
          qb__yes(o, "fp32_correctly_rounded_divide"));
  fprintf(f, "    int8 dot:     cl_khr_integer_dot_product %s\n", qb__yes(ext, "cl_khr_integer_dot_product"));
  fprintf(
      f,
      "    vector width: char %lld, short %lld, int %lld, half %lld, float %lld, double %lld (preferred)\n",
      json_integer_value(json_object_get(vw, "char")), json_integer_value(json_object_get(vw, "short")),
      json_integer_value(json_object_get(vw, "int")), json_integer_value(json_object_get(vw, "half")),
      json_integer_value(json_object_get(vw, "float")), json_integer_value(json_object_get(vw, "double")));
  fprintf(f, "    timer:        resolution %lld ns (profiling events)\n",
          json_integer_value(json_object_get(o, "timer_resolution_ns")));
}

void qb_opencl_print_device(qb_backend* b, int device, FILE* f) {
  json_t* o = b->ops->device_context(b, device);
  qb__print_device(f, o);
  json_decref(o);
}
