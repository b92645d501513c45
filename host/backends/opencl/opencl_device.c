/* OpenCL device enumeration through the ICD loader, filtering and description. */
#include <CL/cl_ext.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backends/opencl/opencl_internal.h"

const char* qb__ocl_error_name(cl_int e) {
  switch (e) {
#define QB__CASE(x) \
  case x:           \
    return #x;
    QB__CASE(CL_DEVICE_NOT_FOUND)
    QB__CASE(CL_DEVICE_NOT_AVAILABLE)
    QB__CASE(CL_COMPILER_NOT_AVAILABLE)
    QB__CASE(CL_MEM_OBJECT_ALLOCATION_FAILURE)
    QB__CASE(CL_OUT_OF_RESOURCES)
    QB__CASE(CL_OUT_OF_HOST_MEMORY)
    QB__CASE(CL_PROFILING_INFO_NOT_AVAILABLE)
    QB__CASE(CL_BUILD_PROGRAM_FAILURE)
    QB__CASE(CL_INVALID_VALUE)
    QB__CASE(CL_INVALID_PLATFORM)
    QB__CASE(CL_INVALID_DEVICE)
    QB__CASE(CL_INVALID_CONTEXT)
    QB__CASE(CL_INVALID_COMMAND_QUEUE)
    QB__CASE(CL_INVALID_MEM_OBJECT)
    QB__CASE(CL_INVALID_BUILD_OPTIONS)
    QB__CASE(CL_INVALID_PROGRAM_EXECUTABLE)
    QB__CASE(CL_INVALID_KERNEL_NAME)
    QB__CASE(CL_INVALID_KERNEL)
    QB__CASE(CL_INVALID_ARG_INDEX)
    QB__CASE(CL_INVALID_ARG_VALUE)
    QB__CASE(CL_INVALID_ARG_SIZE)
    QB__CASE(CL_INVALID_KERNEL_ARGS)
    QB__CASE(CL_INVALID_WORK_GROUP_SIZE)
    QB__CASE(CL_INVALID_WORK_ITEM_SIZE)
    QB__CASE(CL_INVALID_GLOBAL_WORK_SIZE)
    QB__CASE(CL_INVALID_EVENT)
    QB__CASE(CL_INVALID_BUFFER_SIZE)
    QB__CASE(CL_PLATFORM_NOT_FOUND_KHR)
#undef QB__CASE
    default:
      return "unknown OpenCL error";
  }
}

/* A short platform token for row names: the well-known implementations by name,
 * else the platform name's first word. */
static void qb__platform_token(const char* platform, char* out, size_t len) {
  static const struct {
    const char* match;
    const char* token;
  } known[] = {{"Portable Computing Language", "pocl"},
               {"NVIDIA", "nvidia"},
               {"Oclgrind", "oclgrind"},
               {"rusticl", "rusticl"},
               {"Clover", "clover"},
               {"Intel", "intel"},
               {"AMD", "amd"},
               {"Apple", "apple"},
               {"ARM", "arm"}};
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
    if (strstr(platform, known[i].match) != NULL) {
      snprintf(out, len, "%s", known[i].token);
      return;
    }
  }
  size_t j = 0;
  for (const char* p = platform; *p && !isspace((unsigned char) *p) && j + 1 < len; p++) {
    out[j++] = (char) tolower((unsigned char) *p);
  }
  out[j] = '\0';
  if (j == 0) snprintf(out, len, "platform");
}

/* "<platform token>:<device name lowercased, runs of other characters as one '-'>". */
static void qb__short_name(qb__ocl_device* d) {
  char tok[32];
  qb__platform_token(d->platform_name, tok, sizeof tok);
  size_t j = (size_t) snprintf(d->short_name, sizeof d->short_name, "%s:", tok);
  bool dash = true; /* no leading '-' */
  for (const char* p = d->name; *p && j + 2 < sizeof d->short_name && j < 64; p++) {
    const unsigned char ch = (unsigned char) *p;
    if (isalnum(ch) || ch == '.' || ch == '_') {
      d->short_name[j++] = (char) tolower(ch);
      dash = false;
    } else if (!dash) {
      d->short_name[j++] = '-';
      dash = true;
    }
  }
  while (j > 0 && d->short_name[j - 1] == '-') j--;
  d->short_name[j] = '\0';
}

static void qb__str_info(cl_device_id id, cl_device_info what, char* buf, size_t len) {
  buf[0] = '\0';
  if (clGetDeviceInfo(id, what, len, buf, NULL) != CL_SUCCESS) buf[0] = '\0';
  buf[len - 1] = '\0';
  /* Some drivers pad names with spaces. */
  size_t n = strlen(buf);
  while (n > 0 && isspace((unsigned char) buf[n - 1])) buf[--n] = '\0';
}

static cl_ulong qb__ulong_info(cl_device_id id, cl_device_info what) {
  cl_ulong v = 0;
  if (clGetDeviceInfo(id, what, sizeof v, &v, NULL) != CL_SUCCESS) v = 0;
  return v;
}

static cl_uint qb__uint_info(cl_device_id id, cl_device_info what) {
  cl_uint v = 0;
  if (clGetDeviceInfo(id, what, sizeof v, &v, NULL) != CL_SUCCESS) v = 0;
  return v;
}

static size_t qb__size_info(cl_device_id id, cl_device_info what) {
  size_t v = 0;
  if (clGetDeviceInfo(id, what, sizeof v, &v, NULL) != CL_SUCCESS) v = 0;
  return v;
}

/* Whether a space-separated extension list holds `ext` as a whole word. */
static bool qb__has_ext(const char* list, const char* ext) {
  const size_t len = strlen(ext);
  for (const char* p = strstr(list, ext); p != NULL; p = strstr(p + 1, ext)) {
    if ((p == list || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\0')) return true;
  }
  return false;
}

static size_t qb__pow2_floor(size_t v) {
  size_t p = 1;
  while (p * 2 <= v) p *= 2;
  return p;
}

static void qb__describe(qb__ocl_device* d, size_t wg_cap) {
  char plat[128];
  if (clGetPlatformInfo(d->platform, CL_PLATFORM_NAME, sizeof plat, plat, NULL) != CL_SUCCESS) plat[0] = '\0';
  plat[sizeof plat - 1] = '\0';
  snprintf(d->platform_name, sizeof d->platform_name, "%s", plat);
  qb__str_info(d->id, CL_DEVICE_NAME, d->name, sizeof d->name);
  qb__str_info(d->id, CL_DEVICE_VENDOR, d->vendor, sizeof d->vendor);
  qb__str_info(d->id, CL_DRIVER_VERSION, d->driver, sizeof d->driver);
  qb__str_info(d->id, CL_DEVICE_VERSION, d->version, sizeof d->version);
  qb__str_info(d->id, CL_DEVICE_OPENCL_C_VERSION, d->clc_version, sizeof d->clc_version);
  d->compute_units = qb__uint_info(d->id, CL_DEVICE_MAX_COMPUTE_UNITS);
  d->clock_mhz = qb__uint_info(d->id, CL_DEVICE_MAX_CLOCK_FREQUENCY);
  d->global_mem = qb__ulong_info(d->id, CL_DEVICE_GLOBAL_MEM_SIZE);
  d->local_mem = qb__ulong_info(d->id, CL_DEVICE_LOCAL_MEM_SIZE);
  d->max_alloc = qb__ulong_info(d->id, CL_DEVICE_MAX_MEM_ALLOC_SIZE);
  d->max_wg = qb__size_info(d->id, CL_DEVICE_MAX_WORK_GROUP_SIZE);
  d->timer_res_ns = qb__size_info(d->id, CL_DEVICE_PROFILING_TIMER_RESOLUTION);
  d->vec_char = qb__uint_info(d->id, CL_DEVICE_PREFERRED_VECTOR_WIDTH_CHAR);
  d->vec_short = qb__uint_info(d->id, CL_DEVICE_PREFERRED_VECTOR_WIDTH_SHORT);
  d->vec_int = qb__uint_info(d->id, CL_DEVICE_PREFERRED_VECTOR_WIDTH_INT);
  d->vec_long = qb__uint_info(d->id, CL_DEVICE_PREFERRED_VECTOR_WIDTH_LONG);
  d->vec_float = qb__uint_info(d->id, CL_DEVICE_PREFERRED_VECTOR_WIDTH_FLOAT);
  d->vec_double = qb__uint_info(d->id, CL_DEVICE_PREFERRED_VECTOR_WIDTH_DOUBLE);
  d->vec_half = qb__uint_info(d->id, CL_DEVICE_PREFERRED_VECTOR_WIDTH_HALF);

  size_t ext_len = 0;
  char* ext = NULL;
  if (clGetDeviceInfo(d->id, CL_DEVICE_EXTENSIONS, 0, NULL, &ext_len) == CL_SUCCESS &&
      (ext = calloc(ext_len + 1, 1)) != NULL &&
      clGetDeviceInfo(d->id, CL_DEVICE_EXTENSIONS, ext_len, ext, NULL) == CL_SUCCESS) {
    d->fp16 = qb__has_ext(ext, "cl_khr_fp16");
    d->fp64 = qb__has_ext(ext, "cl_khr_fp64");
    if (qb__has_ext(ext, "cl_khr_integer_dot_product")) {
      /* The kernels use the unpacked char4 form. */
      cl_bitfield caps = 0;
      if (clGetDeviceInfo(d->id, CL_DEVICE_INTEGER_DOT_PRODUCT_CAPABILITIES_KHR, sizeof caps, &caps, NULL) ==
          CL_SUCCESS) {
        d->intdot = (caps & CL_DEVICE_INTEGER_DOT_PRODUCT_INPUT_4x8BIT_KHR) != 0;
      }
    }
  }
  free(ext);
  const cl_ulong fp = qb__ulong_info(d->id, CL_DEVICE_SINGLE_FP_CONFIG);
  d->denorms = (fp & CL_FP_DENORM) != 0;
  d->div_rounded = (fp & CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT) != 0;

  /* A power of two (the reductions halve it), at most the cap and the device's limit. */
  d->wg = qb__pow2_floor(d->max_wg < wg_cap ? (d->max_wg ? d->max_wg : 1) : wg_cap);
  /* Elements per work-item: the device's preferred f32 vector width, GPUs 1 (their wide
   * SIMD comes from neighbouring work-items instead). A CPU device's is rounded up to a
   * multiple of 16 (PoCL prefers 8 on AVX2, 4 on NEON, 16 on AVX-512; oclgrind, which
   * calls itself a CPU too, prefers 1 and keeps it): the block
   * quantizers then take a work-item's blocks sixteen at a time (QB_BLOCKS16 in
   * kernels/opencl/quant.cl) on every CPU, so the code that runs is the code that
   * test_opencl checks there, not only on AVX-512. Twice the preferred width cost the
   * element-wise kernels nothing on PoCL 3.1 (AVX-512 device, QB_VEC 32 against 16: casts
   * 1.00-1.18x, in cache, one thread). */
  d->vec = d->vec_float >= 1 && d->vec_float <= 16 ? d->vec_float : 1;
  if (d->vec > 1 && (qb__ulong_info(d->id, CL_DEVICE_TYPE) & CL_DEVICE_TYPE_CPU) != 0)
    d->vec = (d->vec + 15) / 16 * 16;
  qb__short_name(d);
}

/* "P:D" with both numbers; false for anything else. */
static bool qb__parse_indices(const char* s, int* p, int* dv) {
  char* end;
  long a = strtol(s, &end, 10);
  if (end == s || *end != ':') return false;
  const char* s2 = end + 1;
  long b = strtol(s2, &end, 10);
  if (end == s2 || *end != '\0' || a < 0 || b < 0 || a > 1000 || b > 1000) return false;
  *p = (int) a;
  *dv = (int) b;
  return true;
}

static bool qb__matches(const qb__ocl_device* d, const char* filter) {
  int p, dv;
  if (qb__parse_indices(filter, &p, &dv)) return p == d->pidx && dv == d->didx;
  return strcasestr(d->platform_name, filter) != NULL || strcasestr(d->name, filter) != NULL ||
         strcasestr(d->short_name, filter) != NULL;
}

/* Every device of every platform that has devices (mesa registers platforms without
 * any, which answer CL_DEVICE_NOT_FOUND). */
static qb_status qb__all_devices(size_t wg_cap, qb__ocl_device** out, int* count, qb_error* err) {
  cl_uint np = 0;
  cl_int rc = clGetPlatformIDs(0, NULL, &np);
  if (rc == CL_PLATFORM_NOT_FOUND_KHR || (rc == CL_SUCCESS && np == 0)) {
    return qb_fail(err, QB_UNSUPPORTED,
                   "no OpenCL platform found (the ICD loader lists none in /etc/OpenCL/vendors)");
  }
  if (rc != CL_SUCCESS) {
    return qb_fail(err, QB_UNSUPPORTED, "OpenCL: clGetPlatformIDs failed: %s", qb__ocl_error_name(rc));
  }
  cl_platform_id* plats = calloc(np, sizeof *plats);
  qb__ocl_device* devs = NULL;
  int n = 0;
  qb_status st = QB_OK;
  if (plats == NULL || clGetPlatformIDs(np, plats, NULL) != CL_SUCCESS) {
    st = qb_fail(err, QB_UNSUPPORTED, "OpenCL: cannot list the %u platform(s)", np);
    goto done;
  }
  for (cl_uint p = 0; p < np; p++) {
    cl_uint nd = 0;
    if (clGetDeviceIDs(plats[p], CL_DEVICE_TYPE_ALL, 0, NULL, &nd) != CL_SUCCESS || nd == 0) continue;
    cl_device_id* ids = calloc(nd, sizeof *ids);
    qb__ocl_device* grown = realloc(devs, (size_t) (n + (int) nd) * sizeof *devs);
    if (ids == NULL || grown == NULL) {
      free(ids);
      if (grown) devs = grown;
      st = qb_fail(err, QB_NO_MEMORY, "OpenCL: out of memory listing devices");
      goto done;
    }
    devs = grown;
    if (clGetDeviceIDs(plats[p], CL_DEVICE_TYPE_ALL, nd, ids, NULL) == CL_SUCCESS) {
      for (cl_uint i = 0; i < nd; i++) {
        qb__ocl_device* d = &devs[n++];
        memset(d, 0, sizeof *d);
        d->platform = plats[p];
        d->id = ids[i];
        d->pidx = (int) p;
        d->didx = (int) i;
        qb__describe(d, wg_cap);
      }
    }
    free(ids);
  }
  if (n == 0) {
    st = qb_fail(err, QB_UNSUPPORTED, "no OpenCL device found (%u platform(s), none with devices)", np);
  }
done:
  free(plats);
  if (st != QB_OK) {
    free(devs);
    return st;
  }
  /* Identical devices (two of the same GPU) get their index appended. */
  for (int i = 0; i < n; i++) {
    for (int j = i + 1; j < n; j++) {
      if (strcmp(devs[i].short_name, devs[j].short_name) == 0) {
        size_t len = strlen(devs[j].short_name);
        snprintf(devs[j].short_name + len, sizeof devs[j].short_name - len, "-%d", j);
      }
    }
  }
  *out = devs;
  *count = n;
  return QB_OK;
}

qb_status qb__ocl_enumerate(const char* filter, size_t wg_cap, qb__ocl_device** out, int* count,
                            qb_error* err) {
  qb__ocl_device* devs = NULL;
  int n = 0;
  qb_status st = qb__all_devices(wg_cap, &devs, &n, err);
  if (st != QB_OK || filter == NULL || filter[0] == '\0') {
    if (st == QB_OK) {
      *out = devs;
      *count = n;
    }
    return st;
  }
  /* Keep the matching devices; name them all in the message when none does. */
  int kept = 0;
  char seen[384] = "";
  for (int i = 0; i < n; i++) {
    size_t len = strlen(seen);
    snprintf(seen + len, sizeof seen - len, "%s%d:%d %s", i ? ", " : "", devs[i].pidx, devs[i].didx,
             devs[i].short_name);
    if (qb__matches(&devs[i], filter)) devs[kept++] = devs[i];
  }
  if (kept == 0) {
    free(devs);
    return qb_fail(err, QB_BAD_INPUT, "--device '%s': no OpenCL device matches (devices: %s)", filter, seen);
  }
  *out = devs;
  *count = kept;
  return QB_OK;
}

json_t* qb__ocl_device_json(const qb__ocl_device* d) {
  json_t* o = json_object();
  json_object_set_new(o, "name", json_string(d->short_name));
  json_object_set_new(o, "device", json_string(d->name));
  json_object_set_new(o, "platform", json_string(d->platform_name));
  json_object_set_new(o, "index", json_sprintf("%d:%d", d->pidx, d->didx));
  json_object_set_new(o, "vendor", json_string(d->vendor));
  json_object_set_new(o, "driver", json_string(d->driver));
  json_object_set_new(o, "version", json_string(d->version));
  json_object_set_new(o, "opencl_c_version", json_string(d->clc_version));
  json_object_set_new(o, "compute_units", json_integer(d->compute_units));
  json_object_set_new(o, "max_clock_mhz", json_integer(d->clock_mhz));
  json_object_set_new(o, "global_mem_bytes", json_integer((json_int_t) d->global_mem));
  json_object_set_new(o, "local_mem_bytes", json_integer((json_int_t) d->local_mem));
  json_object_set_new(o, "max_alloc_bytes", json_integer((json_int_t) d->max_alloc));
  json_object_set_new(o, "max_work_group_size", json_integer((json_int_t) d->max_wg));
  json_object_set_new(o, "work_group_size", json_integer((json_int_t) d->wg));
  json_object_set_new(o, "elements_per_work_item", json_integer(d->vec));
  json_object_set_new(o, "timer_resolution_ns", json_integer((json_int_t) d->timer_res_ns));
  if (d->ready) json_object_set_new(o, "timer_trusted", json_boolean(d->timer_trusted));
  json_t* ext = json_object();
  json_object_set_new(ext, "cl_khr_fp16", json_boolean(d->fp16));
  json_object_set_new(ext, "cl_khr_fp64", json_boolean(d->fp64));
  json_object_set_new(ext, "cl_khr_integer_dot_product", json_boolean(d->intdot));
  json_object_set_new(o, "extensions", ext);
  json_object_set_new(o, "fp32_denorms", json_boolean(d->denorms));
  json_object_set_new(o, "fp32_correctly_rounded_divide", json_boolean(d->div_rounded));
  json_t* vw = json_object();
  json_object_set_new(vw, "char", json_integer(d->vec_char));
  json_object_set_new(vw, "short", json_integer(d->vec_short));
  json_object_set_new(vw, "int", json_integer(d->vec_int));
  json_object_set_new(vw, "long", json_integer(d->vec_long));
  json_object_set_new(vw, "half", json_integer(d->vec_half));
  json_object_set_new(vw, "float", json_integer(d->vec_float));
  json_object_set_new(vw, "double", json_integer(d->vec_double));
  json_object_set_new(o, "preferred_vector_width", vw);
  return o;
}
