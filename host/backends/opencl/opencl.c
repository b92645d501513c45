/*
 * The OpenCL backend (host/backends/backend.h). One program per device, built on the
 * device's first case (before any timing) from the sources embedded at build time;
 * one command queue with profiling; kernels and buffers per case.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backends/device.h"
#include "backends/opencl/opencl_info.h"
#include "backends/opencl/opencl_internal.h"
#include "backends/opencl/opencl_sources.h"
#include "backends/opencl/opencl_test.h"
#include "qb/lowbit.h"

static const qb__ocl_entry qb__entries[] = {
#define QB_OCL_KERNEL(fam, var, args, unit, need, fl, sem) \
  {QB_FAMILY_##fam, #var, "qb_" #fam "_" #var, QB__OCL_ARGS_##args, unit, QB__OCL_NEED_##need, fl, sem},
#include "backends/opencl/ocl_kernels.inc"
#undef QB_OCL_KERNEL
};
#define QB__NENTRIES (sizeof qb__entries / sizeof qb__entries[0])

/* The ways of the device's bandwidth roofs (kernels/opencl/copy.cl), each run as a case;
 * a roof is the fastest of its mix's ways. The variant is the way's name in the results.
 * The copy ways (32-bit words; unit: words per work-item step) move the 1:1 mix only:
 * the last is the implementation's own copy (clEnqueueCopyBuffer: a copy engine, or its
 * own kernel), the first also the timer check's copy. The stream ways move any mix, in
 * chunks of r 64-byte lines read and w written (unit: work-item steps per chunk, each
 * step taking QB_VEC; 0: one chunk per work-item). Not a family's variants, so not in
 * the table above. */
static const qb__ocl_entry qb__copy_entries[] = {
    {QB_FAMILY_COUNT, "u32", "qb_copy_ocl", QB__OCL_ARGS_CAST, 1, QB__OCL_NEED_NONE, false, QB_SEM_EXACT},
    {QB_FAMILY_COUNT, "u128", "qb_copy_ocl_u128", QB__OCL_ARGS_CAST, 4, QB__OCL_NEED_NONE, false,
     QB_SEM_EXACT},
    {QB_FAMILY_COUNT, "u128x4", "qb_copy_ocl_u128x4", QB__OCL_ARGS_CAST, 16, QB__OCL_NEED_NONE, false,
     QB_SEM_EXACT},
    {QB_FAMILY_COUNT, "enqueue_copy", "clEnqueueCopyBuffer", QB__OCL_ARGS_COPYBUF, 1, QB__OCL_NEED_NONE,
     false, QB_SEM_EXACT},
    {QB_FAMILY_COUNT, "lines", "qb_stream_ocl_lines", QB__OCL_ARGS_STREAM, 1, QB__OCL_NEED_NONE, false,
     QB_SEM_EXACT},
    {QB_FAMILY_COUNT, "steps", "qb_stream_ocl_steps", QB__OCL_ARGS_STREAM, 0, QB__OCL_NEED_NONE, false,
     QB_SEM_EXACT},
    {QB_FAMILY_COUNT, "planes", "qb_stream_ocl_planes", QB__OCL_ARGS_STREAM, 4, QB__OCL_NEED_NONE, false,
     QB_SEM_EXACT},
};
#define QB__NCOPY (sizeof qb__copy_entries / sizeof qb__copy_entries[0])

/* The work-group size cap when QBENCH_OPENCL_WG does not say otherwise. */
#define QB__DEFAULT_WG 256
/* At most this many work-groups write dot partials: enough to fill a large GPU. */
#define QB__MAX_DOT_GROUPS 1024
/* The timer check copies this many bytes: no device moves 2 MiB in under 100 ns. */
#define QB__TIMER_CHECK_BYTES (1u << 20)
#define QB__TIMER_FLOOR_S 100e-9
/* Lines of the build log kept in the error message. */
#define QB__LOG_LINES 4

static const char* const qb__note_device = "device: OpenCL profiling events";
static const char* const qb__note_untrusted = "device timer untrusted: host wall";

typedef struct qb__ocl_case {
  qb__ocl_device* dev;
  const qb__ocl_entry* e;
  qb_backend_case c;
  cl_mem x, x2, y, partial, scales, inv_scales, zps;
  cl_kernel k, reduce;
  size_t global, local;
  cl_uint groups;
  cl_uint r, w; /* a stream way's lines read and written per chunk (c.n chunks) */
} qb__ocl_case;

static double qb__now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + 1e-9 * (double) ts.tv_nsec;
}

static qb__ocl* qb__self(qb_backend* b) {
  return (qb__ocl*) b;
}

static const qb__ocl_entry* qb__find_entry(qb_family fam, const char* variant) {
  for (size_t i = 0; i < QB__NENTRIES; i++) {
    if (qb__entries[i].family == fam && strcmp(qb__entries[i].variant, variant) == 0) return &qb__entries[i];
  }
  return NULL;
}

/* Why the device cannot run an entry, or NULL when it can. */
static const char* qb__entry_missing(const qb__ocl_device* d, const qb__ocl_entry* e) {
  switch (e->need) {
    case QB__OCL_NEED_FP16:
      return d->fp16 ? NULL : "device lacks cl_khr_fp16";
    case QB__OCL_NEED_INTDOT:
      return d->intdot ? NULL : "device lacks cl_khr_integer_dot_product (4x8-bit)";
    case QB__OCL_NEED_DIV:
      return qb__ocl_div_ok(d) ? NULL : "device has no correctly rounded f32 division and no fp64";
    case QB__OCL_NEED_NONE:
      break;
  }
  return NULL;
}

/* ---- Program build ---------------------------------------------------------------- */

/* Compilers name the program by a temporary file ("error: /root/.cache/pocl/kcache/
 * tempfile_X.cl:46:16: ..."): keep "program.cl:46:16: ...", which says the same in less. */
static void qb__drop_temp_path(char* line) {
  char* ext = strstr(line, ".cl:");
  if (ext == NULL) return;
  char* start = ext;
  while (start > line && start[-1] != ' ' && start[-1] != '<') start--;
  static const char name[] = "program";
  if ((size_t) (ext - start) < sizeof name - 1) return;
  memcpy(start, name, sizeof name - 1);
  memmove(start + sizeof name - 1, ext, strlen(ext) + 1);
}

/* The first lines of the build log, joined with " | ", into buf. */
static void qb__log_excerpt(const qb__ocl_device* d, cl_program prog, char* buf, size_t len) {
  size_t log_len = 0;
  buf[0] = '\0';
  if (clGetProgramBuildInfo(prog, d->id, CL_PROGRAM_BUILD_LOG, 0, NULL, &log_len) != CL_SUCCESS ||
      log_len == 0) {
    snprintf(buf, len, "(no build log)");
    return;
  }
  char* log = calloc(log_len + 1, 1);
  if (log == NULL ||
      clGetProgramBuildInfo(prog, d->id, CL_PROGRAM_BUILD_LOG, log_len, log, NULL) != CL_SUCCESS) {
    free(log);
    snprintf(buf, len, "(build log unreadable)");
    return;
  }
  int lines = 0;
  size_t j = 0;
  for (char* line = strtok(log, "\n"); line != NULL && lines < QB__LOG_LINES; line = strtok(NULL, "\n")) {
    while (*line == ' ' || *line == '\t') line++;
    if (*line == '\0') continue;
    qb__drop_temp_path(line);
    j += (size_t) snprintf(buf + j, j < len ? len - j : 0, "%s%s", lines ? " | " : "", line);
    if (j >= len) break;
    lines++;
  }
  free(log);
}

static char* qb__program_text(const qb__ocl* o) {
  size_t total = 1 + (o->inject ? strlen(o->inject) + 1 : 0);
  for (int i = 0; i < qb_ocl_source_count; i++) total += strlen(qb_ocl_sources[i].text) + 1;
  char* text = malloc(total);
  if (text == NULL) return NULL;
  size_t j = 0;
  for (int i = 0; i < qb_ocl_source_count; i++) {
    j += (size_t) sprintf(text + j, "%s\n", qb_ocl_sources[i].text);
  }
  if (o->inject) sprintf(text + j, "%s\n", o->inject);
  return text;
}

static qb_status qb__build(qb__ocl* o, qb__ocl_device* d, qb_error* err) {
  char* text = qb__program_text(o);
  if (text == NULL) return qb_fail(err, QB_NO_MEMORY, "OpenCL: out of memory assembling the program");
  cl_int rc;
  const char* src = text;
  d->program = clCreateProgramWithSource(d->ctx, 1, &src, NULL, &rc);
  free(text);
  if (rc != CL_SUCCESS) {
    return qb_fail(err, QB_BACKEND, "OpenCL: clCreateProgramWithSource for %s: %s", d->short_name,
                   qb__ocl_error_name(rc));
  }
  char opts[256];
  snprintf(opts, sizeof opts,
           "-DQB_VEC=%u -DQB_HAVE_FP16=%d -DQB_HAVE_FP64=%d -DQB_HAVE_INTDOT=%d -DQB_DIV_F64=%d%s", d->vec,
           d->fp16, d->fp64, d->intdot, !d->div_rounded && d->fp64,
           d->div_rounded ? " -cl-fp32-correctly-rounded-divide-sqrt" : "");
  rc = clBuildProgram(d->program, 1, &d->id, opts, NULL, NULL);
  if (rc != CL_SUCCESS) {
    char excerpt[400];
    qb__log_excerpt(d, d->program, excerpt, sizeof excerpt);
    return qb_fail(err, QB_BACKEND, "failed to build OpenCL program for %s (%s): %s", d->short_name,
                   qb__ocl_error_name(rc), excerpt);
  }
  return QB_OK;
}

/* ---- Timer check ------------------------------------------------------------------- */

static qb_status qb__event_seconds(cl_event first, cl_event last, double* s) {
  cl_ulong t0 = 0, t1 = 0;
  if (clGetEventProfilingInfo(first, CL_PROFILING_COMMAND_START, sizeof t0, &t0, NULL) != CL_SUCCESS ||
      clGetEventProfilingInfo(last, CL_PROFILING_COMMAND_END, sizeof t1, &t1, NULL) != CL_SUCCESS) {
    return QB_BACKEND;
  }
  *s = t1 > t0 ? 1e-9 * (double) (t1 - t0) : 0.0;
  return QB_OK;
}

static size_t qb__round_up(size_t v, size_t m) {
  return (v + m - 1) / m * m;
}

/*
 * Copies 1 MiB a few times and compares the device's time with the host's. Some
 * implementations report nonsense (rusticl on llvmpipe: 0-3 ns for anything): a copy
 * that the device claims took under 100 ns, or longer than the host waited for it, is
 * not believed, and every time from this device is then host wall time. The first
 * launches also absorb lazy compilation (PoCL compiles at the first enqueue).
 */
static qb_status qb__check_timer(qb__ocl_device* d, qb_error* err) {
  const cl_ulong words = QB__TIMER_CHECK_BYTES / 4;
  const size_t bytes = d->max_alloc >= QB__TIMER_CHECK_BYTES ? QB__TIMER_CHECK_BYTES : (size_t) d->max_alloc;
  const cl_ulong n = bytes / 4 < words ? bytes / 4 : words;
  cl_int rc;
  qb_status st = QB_OK;
  cl_mem x = clCreateBuffer(d->ctx, CL_MEM_READ_WRITE, bytes, NULL, &rc);
  cl_mem y = clCreateBuffer(d->ctx, CL_MEM_READ_WRITE, bytes, NULL, &rc);
  cl_kernel k = clCreateKernel(d->program, "qb_copy_ocl", &rc);
  if (x == NULL || y == NULL || k == NULL) {
    st = qb_fail(err, QB_BACKEND, "OpenCL: cannot set up the timer check on %s: %s", d->short_name,
                 qb__ocl_error_name(rc));
    goto done;
  }
  /* The input is written from the host (not clEnqueueFillBuffer, which OpenCL 1.1
   * devices lack), so every byte the copy reads is defined. */
  void* zeros = calloc(1, bytes);
  rc = zeros ? clEnqueueWriteBuffer(d->queue, x, CL_TRUE, 0, bytes, zeros, 0, NULL, NULL)
             : CL_OUT_OF_HOST_MEMORY;
  free(zeros);
  if (rc != CL_SUCCESS) {
    st = qb_fail(err, QB_BACKEND, "OpenCL: cannot write the timer check's input on %s: %s", d->short_name,
                 qb__ocl_error_name(rc));
    goto done;
  }
  clSetKernelArg(k, 0, sizeof n, &n);
  clSetKernelArg(k, 1, sizeof x, &x);
  clSetKernelArg(k, 2, sizeof y, &y);
  const size_t global = qb__round_up((n + d->vec - 1) / d->vec, d->wg);
  double best_dev = 1e30, best_wall = 1e30;
  for (int rep = 0; rep < 4; rep++) {
    cl_event ev = NULL;
    const double t0 = qb__now();
    rc = clEnqueueNDRangeKernel(d->queue, k, 1, NULL, &global, &d->wg, 0, NULL, &ev);
    if (rc == CL_SUCCESS) rc = clWaitForEvents(1, &ev);
    const double wall = qb__now() - t0;
    double dev = 0.0;
    if (rc != CL_SUCCESS || qb__event_seconds(ev, ev, &dev) != QB_OK) {
      if (ev) clReleaseEvent(ev);
      st = qb_fail(err, QB_BACKEND, "OpenCL: the timer check's copy failed on %s: %s", d->short_name,
                   qb__ocl_error_name(rc));
      goto done;
    }
    clReleaseEvent(ev);
    if (rep == 0) continue; /* lazy compilation */
    best_dev = dev < best_dev ? dev : best_dev;
    best_wall = wall < best_wall ? wall : best_wall;
  }
  d->timer_check_s = best_dev;
  d->timer_trusted =
      d->timer_res_ns > 0 && best_dev >= QB__TIMER_FLOOR_S && best_dev <= best_wall * 1.5 + 1e-3;
done:
  if (k) clReleaseKernel(k);
  if (x) clReleaseMemObject(x);
  if (y) clReleaseMemObject(y);
  return st;
}

/* Creates the device's context, queue and program on first use. */
static qb_status qb__ensure_ready(qb__ocl* o, qb__ocl_device* d, qb_error* err) {
  if (d->ready) return QB_OK;
  cl_int rc;
  const cl_context_properties props[] = {CL_CONTEXT_PLATFORM, (cl_context_properties) d->platform, 0};
  d->ctx = clCreateContext(props, 1, &d->id, NULL, NULL, &rc);
  if (d->ctx == NULL) {
    return qb_fail(err, QB_BACKEND, "OpenCL: clCreateContext for %s: %s", d->short_name,
                   qb__ocl_error_name(rc));
  }
  d->queue = clCreateCommandQueue(d->ctx, d->id, CL_QUEUE_PROFILING_ENABLE, &rc);
  qb_status st = QB_OK;
  if (d->queue == NULL) {
    st = qb_fail(err, QB_BACKEND, "OpenCL: clCreateCommandQueue for %s: %s", d->short_name,
                 qb__ocl_error_name(rc));
  }
  if (st == QB_OK) st = qb__build(o, d, err);
  if (st == QB_OK) st = qb__check_timer(d, err);
  if (st != QB_OK) {
    if (d->program) clReleaseProgram(d->program);
    if (d->queue) clReleaseCommandQueue(d->queue);
    clReleaseContext(d->ctx);
    d->program = NULL;
    d->queue = NULL;
    d->ctx = NULL;
    return st;
  }
  d->ready = true;
  return QB_OK;
}

/* ---- Ops: devices ------------------------------------------------------------------ */

static int qb__device_count(qb_backend* b) {
  return qb__self(b)->ndev;
}

static const char* qb__device_name(qb_backend* b, int device) {
  return qb__self(b)->dev[device].short_name;
}

static json_t* qb__device_context(qb_backend* b, int device) {
  return qb__ocl_device_json(&qb__self(b)->dev[device]);
}

static int qb__variants(qb_backend* b, int device, qb_family fam, const char** names, int max,
                        const char** why) {
  const qb__ocl_device* d = &qb__self(b)->dev[device];
  int count = 0;
  const char* last_why = "no OpenCL kernel for this family";
  for (size_t i = 0; i < QB__NENTRIES; i++) {
    const qb__ocl_entry* e = &qb__entries[i];
    if (e->family != fam) continue;
    const char* missing = qb__entry_missing(d, e);
    if (missing != NULL) {
      last_why = missing;
    } else if (count < max) {
      names[count++] = e->variant;
    }
  }
  if (count == 0 && why) *why = last_why;
  return count;
}

/* ---- Ops: cases -------------------------------------------------------------------- */

static void qb__release(qb_backend* b, void* state) {
  (void) b;
  qb__ocl_case* s = state;
  if (s == NULL) return;
  cl_mem* mems[] = {&s->x, &s->x2, &s->y, &s->partial, &s->scales, &s->inv_scales, &s->zps};
  for (size_t i = 0; i < sizeof mems / sizeof mems[0]; i++) {
    if (*mems[i]) clReleaseMemObject(*mems[i]);
  }
  if (s->k) clReleaseKernel(s->k);
  if (s->reduce) clReleaseKernel(s->reduce);
  free(s);
}

/* A device buffer of `bytes` (at least 4: OpenCL refuses empty buffers), filled from
 * host when given. */
static cl_mem qb__buffer(qb__ocl_device* d, size_t bytes, const void* host, cl_int* rc) {
  cl_mem m = clCreateBuffer(d->ctx, CL_MEM_READ_WRITE, bytes ? bytes : 4, NULL, rc);
  if (m != NULL && host != NULL && bytes > 0) {
    *rc = clEnqueueWriteBuffer(d->queue, m, CL_TRUE, 0, bytes, host, 0, NULL, NULL);
    if (*rc != CL_SUCCESS) {
      clReleaseMemObject(m);
      m = NULL;
    }
  }
  return m;
}

/* QB_SKIPPED when a buffer exceeds the device's largest allocation or all of them its
 * memory: the case cannot run here, which is a fact about the device, not an error. */
static qb_status qb__check_sizes(const qb__ocl_device* d, const qb_backend_case* c, size_t chan_bytes,
                                 qb_error* err) {
  const struct {
    const char* what;
    size_t bytes;
  } bufs[] = {{"input", c->x_bytes},
              {"second input", c->x2_bytes},
              {"output", c->y_bytes},
              {"per-channel parameters", chan_bytes}};
  cl_ulong total = 0;
  for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) {
    if (bufs[i].bytes > d->max_alloc) {
      return qb_fail(err, QB_SKIPPED, "%s buffer of %zu bytes exceeds %s's largest allocation (%llu bytes)",
                     bufs[i].what, bufs[i].bytes, d->short_name, (unsigned long long) d->max_alloc);
    }
    total += bufs[i].bytes;
  }
  if (total > d->global_mem) {
    return qb_fail(err, QB_SKIPPED, "buffers of %llu bytes exceed %s's global memory (%llu bytes)",
                   (unsigned long long) total, d->short_name, (unsigned long long) d->global_mem);
  }
  return QB_OK;
}

/* The TILE layout's row length: the params' channel_len, 128 without one (qb/lowbit.h). */
static size_t qb__tile_cols(const qb_quant_params* qp) {
  return qp != NULL && qp->channel_len != 0 ? qp->channel_len : QB_F8T_TILE;
}

static size_t qb__kernel_wg(const qb__ocl_device* d, cl_kernel k) {
  size_t kmax = 0;
  if (clGetKernelWorkGroupInfo(k, d->id, CL_KERNEL_WORK_GROUP_SIZE, sizeof kmax, &kmax, NULL) != CL_SUCCESS ||
      kmax == 0) {
    return d->wg;
  }
  size_t wg = d->wg;
  while (wg > kmax) wg /= 2;
  return wg;
}

/* Sets the kernel arguments of the case's layout; geometry too. */
static cl_int qb__set_args(qb__ocl_case* s) {
  const qb__ocl_device* d = s->dev;
  const qb_backend_case* c = &s->c;
  const qb_quant_params* qp = c->qp;
  const cl_ulong n = c->n;
  cl_int rc = CL_SUCCESS;
  cl_uint a = 0;
#define QB__ARG(v) rc |= clSetKernelArg(s->k, a++, sizeof(v), &(v))
  QB__ARG(n);
  QB__ARG(s->x);
  if (s->e->args == QB__OCL_ARGS_DOT) QB__ARG(s->x2);
  cl_mem out = s->e->args == QB__OCL_ARGS_DOT ? s->partial : s->y;
  QB__ARG(out);
  if (s->e->args == QB__OCL_ARGS_QUANT || s->e->args == QB__OCL_ARGS_QUANTC) {
    const cl_int qmin = qp->qmin, qmax = qp->qmax, tflite = qp->round == QB_ROUND_TFLITE;
    if (s->e->args == QB__OCL_ARGS_QUANT) {
      const cl_float scale = qp->scale, inv = qp->inv_scale;
      const cl_int zp = qp->zero_point;
      QB__ARG(scale);
      QB__ARG(inv);
      QB__ARG(zp);
    } else {
      const cl_ulong len = qp->channel_len;
      QB__ARG(s->scales);
      QB__ARG(s->inv_scales);
      QB__ARG(s->zps);
      QB__ARG(len);
    }
    QB__ARG(qmin);
    QB__ARG(qmax);
    QB__ARG(tflite);
  } else if (s->e->args == QB__OCL_ARGS_TSCALE) {
    /* NVFP4's tensor scale: absent (no params) is 0, which the kernels read as 1. */
    const cl_float g = qp != NULL ? qp->scale : 0.0f;
    QB__ARG(g);
  } else if (s->e->args == QB__OCL_ARGS_TILE) {
    const cl_ulong cols = qb__tile_cols(qp);
    QB__ARG(cols);
  } else if (s->e->args == QB__OCL_ARGS_STREAM) {
    QB__ARG(s->r);
    QB__ARG(s->w);
  }
  s->local = qb__kernel_wg(d, s->k);
  /* Rounded up: a copy way's last words need not fill a unit (a family's n is whole
   * units, where this changes nothing). A stream way's unit is its steps per chunk. */
  const size_t units = s->e->args != QB__OCL_ARGS_STREAM ? (c->n + s->e->unit - 1) / s->e->unit
                       : s->e->unit == 0                 ? c->n * d->vec
                                                         : c->n * s->e->unit;
  if (s->e->args == QB__OCL_ARGS_TILE) {
    /* A work-group per QB_VEC tiles (the unit: lowbit.cl), its work-items sharing each
     * tile's rows: at most one row each, and a power of two for the local-memory tree. */
    while (s->local > QB_F8T_TILE) s->local /= 2;
    const size_t groups = (units + d->vec - 1) / d->vec;
    s->global = (groups ? groups : 1) * s->local;
  } else if (s->e->args == QB__OCL_ARGS_DOT) {
    rc |= clSetKernelArg(s->k, a++, s->local * 4, NULL);
    size_t groups = (units + s->local - 1) / s->local;
    const size_t cap = (size_t) d->compute_units * 4 > QB__MAX_DOT_GROUPS ? QB__MAX_DOT_GROUPS
                                                                          : (size_t) d->compute_units * 4;
    groups = groups > cap ? cap : groups;
    s->groups = (cl_uint) (groups ? groups : 1);
    s->global = s->groups * s->local;
    cl_uint r = 0;
    rc |= clSetKernelArg(s->reduce, r++, sizeof s->groups, &s->groups);
    rc |= clSetKernelArg(s->reduce, r++, sizeof s->partial, &s->partial);
    rc |= clSetKernelArg(s->reduce, r++, sizeof s->y, &s->y);
    rc |= clSetKernelArg(s->reduce, r++, qb__kernel_wg(d, s->reduce) * 4, NULL);
  } else {
    s->global = qb__round_up((units + d->vec - 1) / d->vec, s->local);
    if (s->global == 0) s->global = s->local;
  }
#undef QB__ARG
  return rc;
}

static cl_int qb__enqueue(qb__ocl_case* s, cl_event* first, cl_event* last) {
  cl_int rc =
      s->e->args == QB__OCL_ARGS_COPYBUF
          ? clEnqueueCopyBuffer(s->dev->queue, s->x, s->y, 0, 0, s->c.n * 4, 0, NULL, first)
          : clEnqueueNDRangeKernel(s->dev->queue, s->k, 1, NULL, &s->global, &s->local, 0, NULL, first);
  if (rc != CL_SUCCESS || s->reduce == NULL) {
    if (rc == CL_SUCCESS && last) {
      *last = *first;
      clRetainEvent(*first);
    }
    return rc;
  }
  const size_t rl = qb__kernel_wg(s->dev, s->reduce);
  return clEnqueueNDRangeKernel(s->dev->queue, s->reduce, 1, NULL, &rl, &rl, 0, NULL, last);
}

static qb_status qb__create_case(qb__ocl_case* s, qb_error* err) {
  qb__ocl_device* d = s->dev;
  const qb_backend_case* c = &s->c;
  cl_int rc = CL_SUCCESS;
  const bool dot = s->e->args == QB__OCL_ARGS_DOT;
  const char* step = "input buffers";
  s->x = qb__buffer(d, c->x_bytes, c->x, &rc);
  if (s->x && dot) s->x2 = qb__buffer(d, c->x2_bytes, c->x2, &rc);
  if (rc == CL_SUCCESS) s->y = qb__buffer(d, c->y_bytes, NULL, &rc);
  if (rc == CL_SUCCESS && dot) {
    /* Zeroed from the host: every partial is defined before the first launch writes it. */
    static const uint32_t zeros[QB__MAX_DOT_GROUPS];
    s->partial = qb__buffer(d, sizeof zeros, zeros, &rc);
  }
  if (rc == CL_SUCCESS && s->e->args == QB__OCL_ARGS_QUANTC) {
    const size_t ch = c->qp->channel_len ? c->n / c->qp->channel_len : 0;
    s->scales = qb__buffer(d, ch * 4, c->qp->scales, &rc);
    if (rc == CL_SUCCESS) s->inv_scales = qb__buffer(d, ch * 4, c->qp->inv_scales, &rc);
    if (rc == CL_SUCCESS) s->zps = qb__buffer(d, ch * 4, c->qp->zero_points, &rc);
  }
  if (rc == CL_SUCCESS && s->e->args != QB__OCL_ARGS_COPYBUF) {
    step = "kernels";
    s->k = clCreateKernel(d->program, s->e->kernel, &rc);
    if (rc == CL_SUCCESS && dot) {
      const bool f32 = c->family->out == QB_DTYPE_f32;
      s->reduce = clCreateKernel(d->program, f32 ? "qb_reduce_f32_ocl" : "qb_reduce_s32_ocl", &rc);
    }
  }
  if (rc == CL_SUCCESS && s->k != NULL) {
    step = "kernel arguments";
    rc = qb__set_args(s);
  }
  if (rc != CL_SUCCESS) {
    return qb_fail(err, QB_BACKEND, "OpenCL: %s on %s: %s: %s", s->e->kernel, d->short_name, step,
                   qb__ocl_error_name(rc));
  }
  /* Warm-up: the first launch compiles lazily on some implementations, and it writes
   * the output buffer, so every page is touched before timing. */
  for (int i = 0; i < 2 && rc == CL_SUCCESS; i++) {
    rc = qb__enqueue(s, NULL, NULL);
    if (rc == CL_SUCCESS) rc = clFinish(d->queue);
  }
  if (rc != CL_SUCCESS) {
    return qb_fail(err, QB_BACKEND, "OpenCL: %s on %s: warm-up launch: %s", s->e->kernel, d->short_name,
                   qb__ocl_error_name(rc));
  }
  return QB_OK;
}

static qb_status qb__prepare(qb_backend* b, int device, const qb_backend_case* c, void** state,
                             qb_error* err) {
  qb__ocl* o = qb__self(b);
  qb__ocl_device* d = &o->dev[device];
  *state = NULL;
  const qb__ocl_entry* e = qb__find_entry(c->family->id, c->variant);
  if (e == NULL) {
    return qb_fail(err, QB_BAD_INPUT, "OpenCL: family %s has no variant '%s'", c->family->name, c->variant);
  }
  const char* missing = qb__entry_missing(d, e);
  if (missing != NULL) return qb_fail(err, QB_SKIPPED, "%s on %s: %s", e->kernel, d->short_name, missing);
  if (c->qp != NULL && c->qp->round == QB_ROUND_TFLITE && !qb__ocl_div_ok(d) &&
      (e->args == QB__OCL_ARGS_QUANT || e->args == QB__OCL_ARGS_QUANTC)) {
    return qb_fail(err, QB_SKIPPED,
                   "%s on %s: TFLite rounding needs correctly rounded f32 division (or fp64)", e->kernel,
                   d->short_name);
  }
  if (e->args == QB__OCL_ARGS_QUANTC &&
      (c->qp == NULL || c->qp->channel_len == 0 || c->n % c->qp->channel_len)) {
    return qb_fail(err, QB_BAD_INPUT, "OpenCL: %s: n=%zu is not a whole number of channels", e->kernel, c->n);
  }
  if (e->args == QB__OCL_ARGS_TILE) {
    const size_t cols = qb__tile_cols(c->qp);
    if (cols % QB_F8T_TILE != 0 || c->n % (cols * QB_F8T_TILE) != 0) {
      return qb_fail(err, QB_BAD_INPUT,
                     "OpenCL: %s: n=%zu is not a whole number of %dx%d tiles of %zu columns", e->kernel, c->n,
                     QB_F8T_TILE, QB_F8T_TILE, cols);
    }
  }
  if ((e->args == QB__OCL_ARGS_QUANT || e->args == QB__OCL_ARGS_QUANTC) && c->qp == NULL) {
    return qb_fail(err, QB_BAD_INPUT, "OpenCL: %s needs quantization parameters", e->kernel);
  }
  const size_t chan_bytes = e->args == QB__OCL_ARGS_QUANTC ? c->n / c->qp->channel_len * 4 : 0;
  qb_status st = qb__check_sizes(d, c, chan_bytes, err);
  if (st != QB_OK) return st;
  st = qb__ensure_ready(o, d, err);
  if (st != QB_OK) return st;

  qb__ocl_case* s = calloc(1, sizeof *s);
  if (s == NULL) return qb_fail(err, QB_NO_MEMORY, "OpenCL: out of memory preparing %s", e->kernel);
  s->dev = d;
  s->e = e;
  s->c = *c;
  st = qb__create_case(s, err);
  if (st != QB_OK) {
    qb__release(b, s);
    return st;
  }
  *state = s;
  return QB_OK;
}

static qb_status qb__run(qb_backend* b, void* state, double* device_seconds, const char** timer_note,
                         qb_error* err) {
  (void) b;
  qb__ocl_case* s = state;
  cl_event first = NULL, last = NULL;
  cl_int rc = qb__enqueue(s, &first, &last);
  if (rc == CL_SUCCESS) rc = clWaitForEvents(1, &last);
  qb_status st = QB_OK;
  if (rc != CL_SUCCESS) {
    st = qb_fail(err, QB_BACKEND, "OpenCL: %s on %s: launch: %s", s->e->kernel, s->dev->short_name,
                 qb__ocl_error_name(rc));
  } else if (!s->dev->timer_trusted || qb__event_seconds(first, last, device_seconds) != QB_OK ||
             *device_seconds <= 0.0) {
    *device_seconds = -1.0;
    *timer_note = qb__note_untrusted;
  } else {
    *timer_note = qb__note_device;
  }
  if (first) clReleaseEvent(first);
  if (last) clReleaseEvent(last);
  return st;
}

static qb_status qb__run_with_transfers(qb_backend* b, void* state, double* seconds, qb_error* err) {
  (void) b;
  qb__ocl_case* s = state;
  cl_command_queue q = s->dev->queue;
  const double t0 = qb__now();
  cl_int rc = CL_SUCCESS;
  if (s->c.x_bytes) rc = clEnqueueWriteBuffer(q, s->x, CL_FALSE, 0, s->c.x_bytes, s->c.x, 0, NULL, NULL);
  if (rc == CL_SUCCESS && s->x2 && s->c.x2_bytes) {
    rc = clEnqueueWriteBuffer(q, s->x2, CL_FALSE, 0, s->c.x2_bytes, s->c.x2, 0, NULL, NULL);
  }
  if (rc == CL_SUCCESS) rc = qb__enqueue(s, NULL, NULL);
  /* The harness's y is not ours to write here: read into a scratch copy. */
  void* tmp = s->c.y_bytes ? malloc(s->c.y_bytes) : NULL;
  if (rc == CL_SUCCESS && tmp)
    rc = clEnqueueReadBuffer(q, s->y, CL_TRUE, 0, s->c.y_bytes, tmp, 0, NULL, NULL);
  if (rc == CL_SUCCESS) rc = clFinish(q);
  *seconds = qb__now() - t0;
  free(tmp);
  if (rc != CL_SUCCESS) {
    return qb_fail(err, QB_BACKEND, "OpenCL: %s on %s: run with transfers: %s", s->e->kernel,
                   s->dev->short_name, qb__ocl_error_name(rc));
  }
  return QB_OK;
}

static qb_status qb__fetch(qb_backend* b, void* state, void* y, qb_error* err) {
  (void) b;
  qb__ocl_case* s = state;
  if (s->c.y_bytes == 0) return QB_OK;
  cl_int rc = clEnqueueReadBuffer(s->dev->queue, s->y, CL_TRUE, 0, s->c.y_bytes, y, 0, NULL, NULL);
  if (rc != CL_SUCCESS) {
    return qb_fail(err, QB_BACKEND, "OpenCL: %s on %s: reading the output: %s", s->e->kernel,
                   s->dev->short_name, qb__ocl_error_name(rc));
  }
  return QB_OK;
}

/* ---- Ops: the copy roof ------------------------------------------------------------ */

/* The entry of the device's way `way` of moving the mix rd:wr (the copy ways only for
 * 1:1), or NULL past the last. */
static const qb__ocl_entry* qb__way_entry(int way, unsigned rd, unsigned wr) {
  for (size_t i = 0; i < QB__NCOPY && way >= 0; i++) {
    const bool fits = qb__copy_entries[i].args == QB__OCL_ARGS_STREAM || (rd == 1 && wr == 1);
    if (fits && way-- == 0) return &qb__copy_entries[i];
  }
  return NULL;
}

static const char* qb__copy_way(qb_backend* b, int way, unsigned rd, unsigned wr) {
  (void) b;
  const qb__ocl_entry* e = qb__way_entry(way, rd, wr);
  return e ? e->variant : NULL;
}

/* The device's way `way` of the mix rd:wr over a footprint of `bytes`, from host data x
 * (NULL: zeros; else the x buffer's bytes: words for a copy way, lines for a stream
 * way); *moved: the bytes one run reads and writes. A copy way moves two buffers of
 * half the footprint in whole words (rounded down), a stream way whole chunks of
 * rd + wr lines (at least one). */
static qb_status qb__copy_state(qb__ocl* o, qb__ocl_device* d, size_t bytes, unsigned rd, unsigned wr,
                                int way, const void* x, qb__ocl_case** state, size_t* moved, qb_error* err) {
  *state = NULL;
  const qb__ocl_entry* e = qb__way_entry(way, rd, wr);
  if (e == NULL || rd + wr == 0 || rd > 4096 || wr > 4096) {
    return qb_fail(err, QB_BAD_INPUT, "OpenCL: bandwidth way %d of the mix %u:%u: the device has none", way,
                   rd, wr);
  }
  const bool stream = e->args == QB__OCL_ARGS_STREAM;
  if (!stream && bytes < 8) {
    return qb_fail(err, QB_BAD_INPUT, "OpenCL: copy roof of %zu bytes: expected at least 8", bytes);
  }
  if (!stream) bytes = bytes / 8 * 8;
  const size_t line = 64, chunk = (rd + wr) * line;
  const size_t chunks = stream ? (bytes / chunk ? bytes / chunk : 1) : 0;
  /* A read-only mix still has a y: a line per work-item at most (copy.cl). */
  const size_t y_read = ((e->unit ? chunks * e->unit / d->vec : chunks) + d->wg + 1) * line;
  const qb_backend_case c = {.n = stream ? chunks : bytes / 8,
                             .x_bytes = stream ? chunks * rd * line : bytes / 2,
                             .y_bytes = !stream ? bytes / 2
                                        : wr    ? chunks * wr * line
                                                : y_read};
  *moved = stream ? chunks * chunk : bytes;
  qb_status st = qb__check_sizes(d, &c, 0, err);
  if (st != QB_OK) return st;
  st = qb__ensure_ready(o, d, err);
  if (st != QB_OK) return st;
  qb__ocl_case* s = calloc(1, sizeof *s);
  /* The input is written from the host, as in the timer check: every byte the copy
   * reads is defined. calloc's zero pages cost nothing to read from. */
  void* zeros = x == NULL ? calloc(1, c.x_bytes) : NULL;
  if (s == NULL || (x == NULL && zeros == NULL)) {
    free(s);
    free(zeros);
    return qb_fail(err, QB_NO_MEMORY, "OpenCL: out of memory preparing a %zu-byte roof on %s", bytes,
                   d->short_name);
  }
  s->dev = d;
  s->e = e;
  s->c = c;
  s->r = rd;
  s->w = wr;
  s->c.x = x != NULL ? x : zeros;
  st = qb__create_case(s, err);
  free(zeros);
  /* Nothing on the host to upload again or to fetch into: `run` and `release` only. */
  s->c.x = NULL;
  s->c.x_bytes = s->c.y_bytes = 0;
  if (st != QB_OK) {
    qb__release(&o->base, s);
    return st;
  }
  *state = s;
  return QB_OK;
}

static qb_status qb__prepare_copy(qb_backend* b, int device, size_t bytes, unsigned rd, unsigned wr, int way,
                                  void** state, size_t* moved, qb_error* err) {
  qb__ocl* o = qb__self(b);
  qb__ocl_case* s = NULL;
  const qb_status st = qb__copy_state(o, &o->dev[device], bytes, rd, wr, way, NULL, &s, moved, err);
  *state = s;
  return st;
}

/* ---- Ops: transfers ---------------------------------------------------------------- */

static qb_status qb__transfer(qb_backend* b, int device, size_t bytes, qb_transfer_dir dir, double* seconds,
                              qb_error* err) {
  qb__ocl* o = qb__self(b);
  qb__ocl_device* d = &o->dev[device];
  if (bytes == 0 || bytes > d->max_alloc) {
    return qb_fail(err, QB_SKIPPED, "transfer of %zu bytes: %s allows 1 to %llu bytes in one buffer", bytes,
                   d->short_name, (unsigned long long) d->max_alloc);
  }
  qb_status st = qb__ensure_ready(o, d, err);
  if (st != QB_OK) return st;
  cl_int rc;
  cl_mem m = clCreateBuffer(d->ctx, CL_MEM_READ_WRITE, bytes, NULL, &rc);
  unsigned char* host = malloc(bytes);
  if (m == NULL || host == NULL) {
    st = qb_fail(err, m == NULL ? QB_BACKEND : QB_NO_MEMORY,
                 "OpenCL: cannot allocate %zu bytes for a transfer on %s", bytes, d->short_name);
    goto done;
  }
  memset(host, 1, bytes); /* touch every page before timing */
  cl_event ev = NULL;
  for (int rep = 0; rep < 2 && rc == CL_SUCCESS; rep++) { /* the first one is the warm-up */
    if (ev) clReleaseEvent(ev);
    ev = NULL;
    rc = dir == QB_TO_DEVICE ? clEnqueueWriteBuffer(d->queue, m, CL_TRUE, 0, bytes, host, 0, NULL, &ev)
                             : clEnqueueReadBuffer(d->queue, m, CL_TRUE, 0, bytes, host, 0, NULL, &ev);
  }
  if (rc != CL_SUCCESS) {
    st = qb_fail(err, QB_BACKEND, "OpenCL: transfer of %zu bytes on %s: %s", bytes, d->short_name,
                 qb__ocl_error_name(rc));
  } else if (!d->timer_trusted || qb__event_seconds(ev, ev, seconds) != QB_OK || *seconds <= 0.0) {
    *seconds = -1.0;
  }
  if (ev) clReleaseEvent(ev);
done:
  free(host);
  if (m) clReleaseMemObject(m);
  return st;
}

static void qb__destroy(qb_backend* b) {
  qb__ocl* o = qb__self(b);
  for (int i = 0; i < o->ndev; i++) {
    qb__ocl_device* d = &o->dev[i];
    if (!d->ready) continue;
    clReleaseProgram(d->program);
    clReleaseCommandQueue(d->queue);
    clReleaseContext(d->ctx);
  }
  free(o->dev);
  free(o);
}

static unsigned qb__sem(qb_backend* b, int device, qb_family fam, const char* variant) {
  const qb__ocl_device* d = &qb__self(b)->dev[device];
  const qb__ocl_entry* e = qb__find_entry(fam, variant);
  if (e == NULL) return 0;
  return e->sem | (e->float_math && !d->denorms ? QB_SEM_FTZ_IN | QB_SEM_FTZ_OUT : 0u);
}

static const qb_backend_ops qb__ops = {
    .name = "opencl",
    .device_count = qb__device_count,
    .device_name = qb__device_name,
    .device_context = qb__device_context,
    .variants = qb__variants,
    .run_case = qb_backend_device_run_case,
    .prepare = qb__prepare,
    .run = qb__run,
    .run_with_transfers = qb__run_with_transfers,
    .fetch = qb__fetch,
    .sem = qb__sem,
    .release = qb__release,
    .copy_way = qb__copy_way,
    .prepare_copy = qb__prepare_copy,
    .transfer = qb__transfer,
    .print_device = qb_opencl_print_device,
    .destroy = qb__destroy,
};

qb_status qb_opencl_backend_create(const qb_ctx* ctx, const char* filter, qb_backend** out, qb_error* err) {
  (void) ctx;
  *out = NULL;
  /* QBENCH_OPENCL_WG caps the work-group size (tests use it for several groups on
   * small inputs, and oclgrind for speed). */
  size_t wg_cap = QB__DEFAULT_WG;
  const char* env = getenv("QBENCH_OPENCL_WG");
  if (env != NULL && env[0] != '\0') {
    char* end;
    const unsigned long v = strtoul(env, &end, 10);
    if (*end != '\0' || v == 0 || v > 65536) {
      return qb_fail(err, QB_BAD_INPUT, "QBENCH_OPENCL_WG='%s': expected a work-group size from 1 to 65536",
                     env);
    }
    wg_cap = v;
  }
  /* QBENCH_OPENCL_VEC sets every device's elements per work-item (QB_VEC), e.g. 16 on
   * oclgrind (which prefers 1) to run the block quantizers' sixteen-block code there. */
  unsigned long vec = 0;
  env = getenv("QBENCH_OPENCL_VEC");
  if (env != NULL && env[0] != '\0') {
    char* end;
    vec = strtoul(env, &end, 10);
    if (*end != '\0' || vec == 0 || vec > 64) {
      return qb_fail(err, QB_BAD_INPUT,
                     "QBENCH_OPENCL_VEC='%s': expected elements per work-item from 1 to 64", env);
    }
  }
  qb__ocl* o = calloc(1, sizeof *o);
  if (o == NULL) return qb_fail(err, QB_NO_MEMORY, "OpenCL: out of memory creating the backend");
  qb_status st = qb__ocl_enumerate(filter, wg_cap, &o->dev, &o->ndev, err);
  if (st != QB_OK) {
    free(o);
    return st;
  }
  for (int i = 0; i < o->ndev && vec != 0; i++) o->dev[i].vec = (unsigned) vec;
  o->base.ops = &qb__ops;
  *out = &o->base;
  return QB_OK;
}

/* ---- Test hooks (opencl_test.h) ------------------------------------------------------ */

void qb_opencl_geometry(qb_backend* b, int device, size_t* work_group, unsigned* vec) {
  const qb__ocl_device* d = &qb__self(b)->dev[device];
  *work_group = d->wg;
  *vec = d->vec;
}

unsigned qb_opencl_variant_sem(qb_backend* b, int device, qb_family fam, const char* variant) {
  return qb__sem(b, device, fam, variant);
}

void qb_opencl_test_inject_source(qb_backend* b, const char* text) {
  qb__self(b)->inject = text;
}

void qb_opencl_test_no_fp64(qb_backend* b) {
  qb__ocl* o = qb__self(b);
  for (int i = 0; i < o->ndev; i++) o->dev[i].fp64 = false;
}

qb_status qb_opencl_test_copy(qb_backend* b, int device, int way, unsigned rd, unsigned wr, size_t bytes,
                              const void* x, void* y, size_t* y_bytes, qb_error* err) {
  qb__ocl* o = qb__self(b);
  qb__ocl_case* s = NULL;
  size_t moved = 0;
  qb_status st = qb__copy_state(o, &o->dev[device], bytes, rd, wr, way, x, &s, &moved, err);
  if (st != QB_OK) return st;
  /* The buffers' sizes, as qb__copy_state made them (it clears them in the state). */
  const bool stream = s->e->args == QB__OCL_ARGS_STREAM;
  *y_bytes = stream ? (wr ? s->c.n * wr * 64 : 0) : bytes / 8 * 4;
  /* The warm-up launches ran already; one more, then the output. */
  cl_int rc = qb__enqueue(s, NULL, NULL);
  if (rc == CL_SUCCESS && *y_bytes > 0)
    rc = clEnqueueReadBuffer(s->dev->queue, s->y, CL_TRUE, 0, *y_bytes, y, 0, NULL, NULL);
  if (rc == CL_SUCCESS) rc = clFinish(s->dev->queue);
  if (rc != CL_SUCCESS) {
    st = qb_fail(err, QB_BACKEND, "OpenCL: %s on %s: %s", s->e->kernel, s->dev->short_name,
                 qb__ocl_error_name(rc));
  }
  qb__release(b, s);
  return st;
}
