/* qbench apply: one kernel variant on the user's tensor, its error against the
 * references, and optionally its output as a .npy file. */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "numerics/calib.h"
#include "backends/backend.h"
#include "backends/opencl_kernels.h"
#include "cli/cli.h"
#include "numerics/casedata.h"
#include "io/npy.h"
#include "io/results.h"
#include "io/safetensors.h"
#include "io/tensorset.h"
#include "numerics/verify.h"

static void qb__help(void) {
  printf(
      "usage: qbench [--isa ISA] apply KERNEL --in FILE [--in2 FILE] [--tensor NAME]\n"
      "                    [--scale S [--zero-point Z]] [--round pytorch|tflite]\n"
      "                    [--out y.npy|- [--force]] [--format table|json|csv|md] [--json]\n"
      "                    [--device FILTER] [--axis A] [--params-out FILE.json]\n"
      "\n"
      "Runs one kernel variant (a stable name from 'qbench list', or a family name for the\n"
      "variant dispatch picks) on a tensor from a .npy or .safetensors file, and prints its\n"
      "error against the f64 reference and its mismatches against the scalar reference\n"
      "(within the variant's declared semantics). An OpenCL variant (f32_f16_cvt__ocl_half)\n"
      "runs on the first device that offers it; without one the command says why (exit 2).\n"
      "Input in the kernel's input dtype is used as is; f32 input is converted as 'qbench\n"
      "error' does (floats by the reference casts, integers by calibrated quantization);\n"
      "f16, bf16 and f64 input to a kernel of f32 input is converted to f32 (a note on\n"
      "stderr).\n"
      "\n"
      "  --in FILE        the input (.npy, or .safetensors: every tensor unless --tensor)\n"
      "  --in2 FILE       a dot's second operand (same length)\n"
      "  --tensor NAME    the safetensors tensor to use\n"
      "  --scale S        quantization scale (default: calibrated by min/max from f32 input)\n"
      "  --zero-point Z   quantization zero point (default 0 when --scale is given)\n"
      "  --round R        pytorch (default: x * (1/scale), ties to even) or tflite\n"
      "                   (x / scale, ties away from zero)\n"
      "  --device FILTER  OpenCL variants: the device (a name substring or P:D)\n"
      "  --axis A         per-channel kernels: the channel axis of the tensor (default 0,\n"
      "                   the rows of a 2-D weight); the output keeps the input's layout\n"
      "  --params-out F   write the quantization parameters used, per tensor, as JSON:\n"
      "                   scale and zero point (arrays along --axis for per-channel\n"
      "                   kernels; dequantize as (q - zero_point) * scale); block formats\n"
      "                   carry theirs inside the blocks\n"
      "  --out FILE|-     write the output as .npy (atomically; bf16/fp8 as their bits,\n"
      "                   block formats as rows of block bytes); an existing file is kept\n"
      "                   unless --force; - writes the .npy to stdout and the table to stderr;\n"
      "                   FILE.safetensors: the output under the tensor's name, and for int8\n"
      "                   formats NAME_scale and NAME_zero_point beside it (per channel:\n"
      "                   one per channel along --axis)\n"
      "  --format F       the error table aligned (default), as JSON, CSV or markdown;\n"
      "                   printed only when the whole command succeeds (stdout holds\n"
      "                   nothing on failure)\n"
      "  --json           the same as --format json\n"
      "\n"
      "exit codes: 0 done, 1 the variant differs from the scalar reference,\n"
      "            2 bad usage or input (no output file is created)\n");
}

/* The variant that runs: a CPU kernel, or an OpenCL variant on one device. */
typedef struct qb__path {
  const qb_family_info* family;
  const char* name; /* the stable name, "f32_f16_cvt__ocl_half" */
  unsigned sem;     /* declared semantics (on the device, for OpenCL) */
  const qb_kernel_info* cpu;
  const qb_opencl_kernel_decl* ocl;
  qb_backend* b;
  int device;
  char name_buf[96];
} qb__path;

typedef struct qb__apply_opts {
  const char *in, *in2, *tensor, *out, *device;
  bool force, have_scale, have_zp;
  double scale;
  int64_t zp;
  qb_round_mode round;
  qb_cli_format format;   /* --format / --json */
  qb_cli_table* rows;     /* every row, printed once all went well (nothing on stdout on failure) */
  int axis;               /* --axis: the channel axis of per-channel kernels */
  const char* params_out; /* --params-out FILE.json */
  json_t* params;         /* its "tensors" array, written once all went well */
} qb__apply_opts;

static bool qb__is_safetensors(const char* path) {
  const size_t n = strlen(path);
  return n >= 12 && strcmp(path + n - 12, ".safetensors") == 0;
}

/* (outer, A, inner) sizes of a tensor around `axis` (a 0-D or 1-D tensor: one channel). */
static void qb__axis_split(const qb_tensor* t, int axis, size_t* outer, size_t* a, size_t* inner) {
  *outer = 1;
  *inner = 1;
  *a = t->ndim > 1 ? (size_t) t->dims[axis] : 1;
  for (int d = 0; d < t->ndim; d++) {
    if (t->ndim > 1 && d < axis) *outer *= (size_t) t->dims[d];
    if (t->ndim > 1 && d > axis) *inner *= (size_t) t->dims[d];
  }
  if (t->ndim <= 1) *inner = t->count;
}

/*
 * A per-channel output back in the input's layout: the kernel ran on (A, outer, inner),
 * --axis outermost (io/tensorset.h); the file gets (outer, A, inner), runs of inner
 * elements moved whole. NULL when out of memory.
 */
static void* qb__unpermute(const void* y, size_t esize, const qb_tensor* in, int axis) {
  size_t outer, a, inner;
  qb__axis_split(in, axis, &outer, &a, &inner);
  unsigned char* out = malloc(in->count * esize + 1);
  if (out == NULL) return NULL;
  for (size_t o = 0; o < outer; o++) {
    for (size_t c = 0; c < a; c++) {
      memcpy(out + (o * a + c) * inner * esize, (const unsigned char*) y + (c * outer + o) * inner * esize,
             inner * esize);
    }
  }
  return out;
}

/* The output as a tensor with the input's shape (a dot: a scalar; a block dtype: rows of
 * block bytes); a per-channel output along an axis other than the first is put back in
 * the input's layout. */
static qb_status qb__write_safetensors(const qb__apply_opts* o, const qb_case_data* d, const char* name,
                                       const qb_tensor* y, qb_error* err);

static qb_status qb__write_out(const qb__apply_opts* o, const qb_case_data* d, const char* name,
                               const qb_tensor* in, bool permuted, qb_error* err) {
  qb_tensor y;
  qb_block_geom g;
  void* back = NULL;
  memset(&y, 0, sizeof y);
  y.dtype = d->family->out;
  y.data = d->y;
  y.bytes = d->y_bytes;
  if (permuted && in->ndim > 1 && o->axis > 0) {
    const unsigned bits = qb_dtype_get(y.dtype)->bits;
    if (bits % 8 != 0) {
      return qb_fail(err, QB_BAD_INPUT, "--out: %s along axis %d: sub-byte codes cannot be reordered",
                     qb_dtype_get(y.dtype)->name, o->axis);
    }
    back = qb__unpermute(d->y, bits / 8, in, o->axis);
    if (back == NULL)
      return qb_fail(err, QB_NO_MEMORY, "--out: no memory to reorder %zu elements", in->count);
    y.data = back;
  }
  if (d->family->kind == QB_KIND_dot) {
    y.ndim = 0;
    y.count = 1;
  } else if (qb_dtype_block(d->family->out, &g)) {
    y.dtype = QB_DTYPE_u8;
    y.ndim = 2;
    y.dims[0] = d->y_bytes / g.bytes;
    y.dims[1] = g.bytes;
    y.count = d->y_bytes;
  } else {
    y.ndim = in->ndim;
    memcpy(y.dims, in->dims, sizeof y.dims);
    y.count = in->count;
  }
  const qb_status s = qb_results_is_stdout(o->out) ? qb_npy_write_stream(stdout, "standard output", &y, err)
                      : qb__is_safetensors(o->out) ? qb__write_safetensors(o, d, name, &y, err)
                                                   : qb_npy_write(o->out, &y, o->force, err);
  free(back);
  return s;
}

/*
 * --out FILE.safetensors: the output under the input tensor's name, and for an affine
 * format its parameters beside it as compressed-tensors names them for a weight:
 * NAME_scale (f32) and NAME_zero_point (i32), one per channel along --axis ([channels])
 * or one for the tensor ([]); dequantize as (q - zero_point) * scale. Block formats carry
 * their scales in their blocks (rows of block bytes, as the .npy output).
 */
static qb_status qb__write_safetensors(const qb__apply_opts* o, const qb_case_data* d, const char* name,
                                       const qb_tensor* y, qb_error* err) {
  const qb_family_info* f = d->family;
  const qb_tensor* t[3] = {y, NULL, NULL};
  const char* names[3] = {name, NULL, NULL};
  char sname[600], zname[600], base[512];
  qb_tensor sc, zp;
  size_t n = 1;
  /* A .npy input's tensor is named by its file: "dir/w.npy" -> "w". */
  const size_t len = strlen(name);
  if (len > 4 && strcmp(name + len - 4, ".npy") == 0) {
    const char* slash = strrchr(name, '/');
    const char* b = slash ? slash + 1 : name;
    snprintf(base, sizeof base, "%.*s", (int) (name + len - 4 - b), b);
    name = base;
    names[0] = base;
  }
  memset(&sc, 0, sizeof sc);
  memset(&zp, 0, sizeof zp);
  if (qb_case_param_dtype(f) != QB_DTYPE_none) {
    const bool pc = qb_case_per_channel(f);
    sc.dtype = QB_DTYPE_f32;
    zp.dtype = QB_DTYPE_s32;
    sc.ndim = zp.ndim = pc ? 1 : 0;
    sc.dims[0] = zp.dims[0] = pc ? d->channels : 1;
    sc.count = zp.count = pc ? d->channels : 1;
    sc.bytes = zp.bytes = 4 * sc.count;
    sc.data = pc ? (void*) d->qp.scales : (void*) &d->qp.scale;
    zp.data = pc ? (void*) d->qp.zero_points : (void*) &d->qp.zero_point;
    snprintf(sname, sizeof sname, "%.580s_scale", name);
    snprintf(zname, sizeof zname, "%.580s_zero_point", name);
    t[1] = &sc;
    t[2] = &zp;
    names[1] = sname;
    names[2] = zname;
    n = 3;
  }
  return qb_safetensors_write(o->out, t, names, n, o->force, err);
}

/* The parameters a case quantized with, as one entry of --params-out. */
static json_t* qb__params_json(const qb__apply_opts* o, const qb_case_data* d, const char* name,
                               const qb_tensor* x) {
  const qb_family_info* f = d->family;
  const qb_dtype pdt = qb_case_param_dtype(f);
  json_t* shape = json_array();
  for (int i = 0; i < x->ndim; i++) json_array_append_new(shape, json_integer((json_int_t) x->dims[i]));
  json_t* e =
      json_pack("{s:s, s:o, s:s}", "tensor", name, "shape", shape, "input", qb_dtype_get(x->dtype)->name);
  qb_block_geom g;
  if (pdt == QB_DTYPE_none) {
    if (qb_dtype_block(f->out, &g)) {
      json_object_set_new(e, "scheme", json_string("block"));
      json_object_set_new(e, "dtype", json_string(qb_dtype_get(f->out)->name));
      json_object_set_new(e, "block", json_integer((json_int_t) g.len));
      json_object_set_new(e, "scales", json_string("inside each block, before its codes (--out rows)"));
    } else {
      json_object_set_new(e, "scheme", json_string("none"));
    }
    return e;
  }
  json_object_set_new(e, "dtype", json_string(qb_dtype_get(pdt)->name));
  json_object_set_new(e, "qmin", json_integer(d->qp.qmin));
  json_object_set_new(e, "qmax", json_integer(d->qp.qmax));
  if (qb_case_per_channel(f)) {
    json_t *sc = json_array(), *zp = json_array();
    for (size_t c = 0; c < d->channels; c++) {
      json_array_append_new(sc, json_real(d->qp.scales[c]));
      json_array_append_new(zp, json_integer(d->qp.zero_points[c]));
    }
    json_object_set_new(e, "scheme", json_string("per-channel"));
    json_object_set_new(e, "axis", json_integer(x->ndim > 1 ? o->axis : 0));
    json_object_set_new(e, "channels", json_integer((json_int_t) d->channels));
    json_object_set_new(e, "scale", sc);
    json_object_set_new(e, "zero_point", zp);
  } else {
    json_object_set_new(e, "scheme", json_string("per-tensor"));
    json_object_set_new(e, "scale", json_real(d->qp.scale));
    json_object_set_new(e, "zero_point", json_integer(d->qp.zero_point));
  }
  return e;
}

/* Each row names the kernel and its declared semantics in words, so that the data
 * stands alone (JSON, CSV); no hex flags. */
static const char* const qb__cols[] = {"tensor",  "dtype",   "elements", "max_abs",  "max_rel",
                                       "rmse",    "sqnr_db", "max_ulp",  "mean_ulp", "mismatch",
                                       "nan_inf", "status",  "kernel",   "semantics"};
static const bool qb__right[] = {false, false, true, true, true,  true,  true,
                                 true,  true,  true, true, false, false, false};

static void qb__print_row(const qb__apply_opts* o, const qb__path* k, const char* name, const qb_tensor* t,
                          const qb_error_metrics* m) {
  char v[9][32], sem[96];
  qb_sem_string(k->sem, sem, sizeof sem);
  snprintf(v[0], sizeof v[0], "%zu", t->count);
  snprintf(v[1], sizeof v[0], "%.4g", m->max_abs);
  snprintf(v[2], sizeof v[0], "%.4g", m->max_rel);
  snprintf(v[3], sizeof v[0], "%.4g", m->rmse);
  snprintf(v[4], sizeof v[0], "%.3f", m->sqnr_db);
  snprintf(v[5], sizeof v[0], "%.3g", m->max_ulp);
  snprintf(v[6], sizeof v[0], "%.3g", m->mean_ulp);
  snprintf(v[7], sizeof v[0], "%llu", (unsigned long long) m->mismatches);
  snprintf(v[8], sizeof v[0], "%llu", (unsigned long long) m->nan_inf_mismatches);
  const char* row[] = {
      name, qb_dtype_get(t->dtype)->name, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], "ok", k->name,
      sem};
  qb_cli_table_add(o->rows, row);
}

/* Runs the path on the case data into d->y: the CPU kernel, or the device's variant
 * (inputs uploaded, run once, output fetched). */
static qb_status qb__run_path(const qb__path* p, qb_case_data* d, qb_error* err) {
  if (p->cpu != NULL) {
    qb_case_data_run(d, p->cpu, d->y);
    return QB_OK;
  }
  const qb_backend_case c = qb_backend_case_of(d, p->ocl->variant);
  void* state = NULL;
  double seconds;
  const char* note;
  qb_status s = p->b->ops->prepare(p->b, p->device, &c, &state, err);
  if (s == QB_OK) s = p->b->ops->run(p->b, state, &seconds, &note, err);
  if (s == QB_OK) s = p->b->ops->fetch(p->b, state, d->y, err);
  if (state != NULL) p->b->ops->release(p->b, state);
  return s;
}

static qb_status qb__apply_one(const qb__path* k, const qb__apply_opts* o, const char* name,
                               const qb_tensor* x, size_t chlen, const qb_tensor* x2, bool write,
                               int* differs, qb_error* err) {
  const qb_family_info* f = k->family;
  const qb_dtype pdt = qb_case_param_dtype(f);
  qb_quant_params user;
  qb_case_options opt = {o->round, false, NULL, chlen};
  qb_case_data d;
  qb_error_metrics m;
  qb_error e2 = {0};
  qb_status s;
  if (o->have_scale) {
    if (pdt == QB_DTYPE_none)
      return qb_fail(err, QB_BAD_INPUT, "--scale: %s takes no quantization params", f->name);
    const qb_dtype_info* di = qb_dtype_get(pdt);
    if (o->zp < di->imin || o->zp > di->imax) {
      return qb_fail(err, QB_BAD_INPUT, "--zero-point %lld: outside the %s range [%lld, %lld]",
                     (long long) o->zp, di->name, (long long) di->imin, (long long) di->imax);
    }
    qb_quant_params_init(&user, (float) o->scale, (int32_t) o->zp, (int32_t) di->imin, (int32_t) di->imax,
                         o->round);
    opt.params = &user;
  }
  if (x2 != NULL && x2->count != x->count) {
    return qb_fail(err, QB_BAD_INPUT, "%s: %zu elements, but --in2 has %zu", name, x->count, x2->count);
  }
  /* The second operand's dtype is checked here, so the message names its own file. */
  if (x2 != NULL && x2->dtype != f->in2 && x2->dtype != QB_DTYPE_f32) {
    return qb_fail(err, QB_BAD_INPUT, "%s: %s takes %s as its second input%s, not %s", o->in2, f->name,
                   qb_dtype_get(f->in2)->name, f->in2 == QB_DTYPE_f32 ? "" : " (or f32, converted)",
                   qb_dtype_get(x2->dtype)->name);
  }
  s = qb_case_data_init_from(&d, f, x->count, x->dtype, x->data, x2 ? x2->dtype : QB_DTYPE_none,
                             x2 ? x2->data : NULL, &opt, &e2);
  if (s != QB_OK) return qb_fail(err, s, "%s: %s", name, e2.msg);
  s = qb__run_path(k, &d, &e2);
  if (s != QB_OK) {
    qb_case_data_free(&d);
    return qb_fail(err, s, "%s on %s: %s", k->name, k->b ? k->b->ops->device_name(k->b, k->device) : "cpu",
                   e2.msg);
  }
  s = qb_case_data_evaluate(&d, d.y, k->sem, &m, err);
  if (s == QB_OK) {
    qb__print_row(o, k, name, x, &m);
    if (m.mismatches || m.nan_inf_mismatches) *differs = 1;
    if (o->params != NULL) json_array_append_new(o->params, qb__params_json(o, &d, name, x));
    if (write) s = qb__write_out(o, &d, name, x, chlen != 0, err);
  }
  qb_case_data_free(&d);
  return s;
}

static int qb__parse(int argc, char** argv, qb__apply_opts* o) {
  static const struct option opts[] = {{"in", required_argument, NULL, 'i'},
                                       {"in2", required_argument, NULL, 'I'},
                                       {"tensor", required_argument, NULL, 't'},
                                       {"scale", required_argument, NULL, 's'},
                                       {"zero-point", required_argument, NULL, 'z'},
                                       {"round", required_argument, NULL, 'r'},
                                       {"out", required_argument, NULL, 'o'},
                                       {"force", no_argument, NULL, 'f'},
                                       {"format", required_argument, NULL, 'F'},
                                       {"json", no_argument, NULL, 'j'},
                                       {"device", required_argument, NULL, 'd'},
                                       {"axis", required_argument, NULL, 'a'},
                                       {"params-out", required_argument, NULL, 'P'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  int c;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
      case 'h':
        qb__help();
        return 0;
      case 'i':
        o->in = optarg;
        break;
      case 'I':
        o->in2 = optarg;
        break;
      case 't':
        o->tensor = optarg;
        break;
      case 'o':
        if (optarg[0] == '\0') return qb_cli_usage_error("apply", "--out: the file name is empty");
        o->out = optarg;
        break;
      case 'd':
        o->device = optarg;
        break;
      case 'a': {
        int64_t a;
        if (!qb_parse_i64(optarg, 0, QB_TENSOR_MAX_DIMS - 1, &a))
          return qb_cli_usage_error("apply", "--axis '%s': expected an axis from 0 to %d", optarg,
                                    QB_TENSOR_MAX_DIMS - 1);
        o->axis = (int) a;
        break;
      }
      case 'P':
        if (optarg[0] == '\0') return qb_cli_usage_error("apply", "--params-out: the file name is empty");
        o->params_out = optarg;
        break;
      case 'F':
        if (!qb_cli_format_parse(optarg, &o->format))
          return qb_cli_usage_error("apply", "--format '%s': expected table, json, csv or md", optarg);
        break;
      case 'j':
        o->format = QB_CLI_JSON;
        break;
      case 'f':
        o->force = true;
        break;
      case 's':
        if (!qb_parse_double(optarg, &o->scale) || !(o->scale > 0.0) || !isfinite((float) o->scale) ||
            (float) o->scale == 0.0f) {
          return qb_cli_usage_error("apply", "--scale '%s': expected a finite f32 number above 0", optarg);
        }
        o->have_scale = true;
        break;
      case 'z':
        if (!qb_parse_i64(optarg, -255, 255, &o->zp)) {
          return qb_cli_usage_error("apply", "--zero-point '%s': expected an integer", optarg);
        }
        o->have_zp = true;
        break;
      case 'r':
        if (strcmp(optarg, "pytorch") == 0) {
          o->round = QB_ROUND_PYTORCH;
        } else if (strcmp(optarg, "tflite") == 0) {
          o->round = QB_ROUND_TFLITE;
        } else {
          return qb_cli_usage_error("apply", "--round '%s': expected pytorch or tflite", optarg);
        }
        break;
      default:
        return qb_cli_usage_error("apply", "unknown or incomplete option '%s'", argv[optind - 1]);
    }
  }
  if (optind >= argc) return qb_cli_usage_error("apply", "a KERNEL is required (see 'qbench list')");
  if (optind + 1 < argc) return qb_cli_usage_error("apply", "unexpected argument '%s'", argv[optind + 1]);
  if (o->in == NULL) return qb_cli_usage_error("apply", "--in FILE is required");
  if (o->have_zp && !o->have_scale) return qb_cli_usage_error("apply", "--zero-point needs --scale");
  if (o->force && (o->out == NULL || qb_results_is_stdout(o->out)) && o->params_out == NULL)
    return qb_cli_usage_error("apply", "--force without --out FILE or --params-out FILE");
  return -1;
}

/* An OpenCL variant on the first device (of --device) that offers it; says why not. */
static bool qb__opencl_path(const qb_ctx* ctx, const char* name, const char* device, qb__path* p,
                            qb_error* err) {
  qb_error e = {0};
  const qb_family_info* f = qb_family_get(p->ocl->family);
  if (qb_opencl_backend_create(ctx, device, &p->b, &e) != QB_OK) {
    p->b = NULL;
    qb_fail(err, QB_BAD_INPUT, "kernel '%s' is an OpenCL variant: no OpenCL device here: %s", name, e.msg);
    return false;
  }
  for (int d = 0; d < p->b->ops->device_count(p->b); d++) {
    const char* names[16];
    const int nv = p->b->ops->variants(p->b, d, f->id, names, 16, NULL);
    for (int v = 0; v < nv; v++) {
      if (strcmp(names[v], p->ocl->variant) != 0) continue;
      json_t* j = p->b->ops->device_context(p->b, d);
      const json_t* dn = json_object_get(j, "fp32_denorms");
      p->sem = qb_opencl_kernel_sem(p->ocl, !json_is_boolean(dn) || json_is_true(dn));
      json_decref(j);
      p->device = d;
      return true;
    }
  }
  qb_fail(err, QB_BAD_INPUT, "kernel '%s': no OpenCL device here offers it (it needs %s)", name,
          p->ocl->needs[0] ? p->ocl->needs : "what the devices lack");
  p->b->ops->destroy(p->b);
  p->b = NULL;
  return false;
}

/* The kernel: a stable name (CPU or OpenCL), or a family's picked CPU variant; it must
 * run here. */
static bool qb__resolve(const qb_ctx* ctx, const char* name, const char* device, qb__path* p, qb_error* err) {
  const qb_kernel_info* k = qb_kernel_find(name);
  char buf[160];
  const char* why;
  memset(p, 0, sizeof *p);
  p->ocl = k == NULL ? qb_opencl_kernel_find(name) : NULL;
  if (p->ocl != NULL) {
    p->family = qb_family_get(p->ocl->family);
    snprintf(p->name_buf, sizeof p->name_buf, "%s__%s", p->family->name, p->ocl->variant);
    p->name = p->name_buf;
    return qb__opencl_path(ctx, name, device, p, err);
  }
  if (device != NULL) {
    qb_fail(err, QB_BAD_INPUT, "--device: kernel '%s' is not an OpenCL variant", name);
    return false;
  }
  if (k == NULL) {
    const qb_family fam = qb_family_find(name);
    if (fam == QB_FAMILY_COUNT) {
      qb_fail(err, QB_BAD_INPUT, "kernel '%s': no such kernel or family (see 'qbench list')", name);
      return false;
    }
    k = qb_kernel_pick(fam, &ctx->cpu);
    if (k == NULL) {
      qb_fail(err, QB_BAD_INPUT, "kernel '%s': no variant of the family runs here", name);
      return false;
    }
  } else if (!qb_kernel_usable(k, &ctx->cpu, &why, buf, sizeof buf)) {
    qb_fail(err, QB_BAD_INPUT, "kernel '%s' cannot run here: %s", name, why);
    return false;
  }
  if (qb_family_get(k->family)->in_bits + qb_family_get(k->family)->out_bits == 0) {
    qb_fail(err, QB_BAD_INPUT, "kernel '%s': a compute peak, not a numerical kernel", name);
    return false;
  }
  p->cpu = k;
  p->family = qb_family_get(k->family);
  p->name = k->name;
  p->sem = k->sem;
  return true;
}

static qb_status qb__read_npy_or_one(const char* path, const char* tensor, qb_tensor* t, qb_error* err) {
  if (qb__is_safetensors(path)) {
    qb_safetensors st;
    qb_status s = qb_safetensors_open(path, &st, err);
    if (s != QB_OK) return s;
    if (tensor == NULL && st.count != 1) {
      s = qb_fail(err, QB_BAD_INPUT, "%s: %zu tensors; --in2 from safetensors needs exactly one", path,
                  st.count);
    } else {
      s = qb_safetensors_load(&st, tensor ? tensor : st.entries[0].name, t, err);
    }
    qb_safetensors_close(&st);
    return s;
  }
  return qb_npy_read(path, t, err);
}

/*
 * Tensor i of the input as the kernel takes it: a float tensor for a kernel of f32 input
 * converted to f32 (a note on stderr unless it was f32), with --axis outermost for a
 * per-channel kernel (*chlen the channel length; 0 otherwise); any other tensor as stored.
 */
static qb_status qb__load(const qb__apply_opts* o, const qb_family_info* f, const qb_tensorset* ts, size_t i,
                          qb_tensor* x, size_t* chlen, qb_error* err) {
  const qb_dtype stored = ts->safetensors ? qb_safetensors_find(&ts->st, ts->names[i])->dtype : ts->npy.dtype;
  const bool per_channel = qb_case_per_channel(f);
  *chlen = 0;
  if (f->in == QB_DTYPE_f32 && qb_tensorset_is_float(stored) && (stored != QB_DTYPE_f32 || per_channel)) {
    qb_dtype from;
    const qb_status s = qb_tensorset_load_f32(ts, i, per_channel ? o->axis : 0, x, chlen, &from, err);
    if (s != QB_OK) return s;
    if (!per_channel) *chlen = 0;
    if (from != QB_DTYPE_f32) {
      fprintf(stderr, "qbench apply: %s: %s converted to f32%s\n", ts->names[i], qb_dtype_get(from)->name,
              from == QB_DTYPE_f64 ? " (rounded to nearest even)" : " (exact)");
    }
    return QB_OK;
  }
  if (ts->safetensors) return qb_safetensors_load(&ts->st, ts->names[i], x, err);
  /* The .npy tensor stays the set's: a copy of it. */
  const qb_status s = qb_tensor_alloc(x, ts->npy.dtype, ts->npy.ndim, ts->npy.dims, err);
  if (s == QB_OK) memcpy(x->data, ts->npy.data, ts->npy.bytes);
  return s;
}

/* --params-out: every tensor's parameters, written atomically once all went well. */
static qb_status qb__write_params(const qb__apply_opts* o, const qb__path* k, qb_error* err) {
  json_t* root = json_pack("{s:s, s:s, s:s, s:O}", "kernel", k->name, "family", k->family->name, "round",
                           o->round == QB_ROUND_TFLITE ? "tflite" : "pytorch", "tensors", o->params);
  char* text = root ? json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(9)) : NULL;
  json_decref(root);
  if (text == NULL) return qb_fail(err, QB_NO_MEMORY, "--params-out: out of memory");
  const qb_status s = qb_write_file_atomic(o->params_out, text, strlen(text), "\n", 1, o->force, err);
  free(text);
  return s;
}

int qb_cmd_apply(qb_ctx* ctx, int argc, char** argv) {
  qb__apply_opts o = {.round = QB_ROUND_PYTORCH, .format = QB_CLI_TABLE};
  qb_error err = {0};
  qb_tensor x2;
  qb_tensorset ts;
  int differs = 0, rc = qb__parse(argc, argv, &o);
  struct stat sb;
  if (rc >= 0) return rc;
  o.rows = qb_cli_table_new(sizeof qb__cols / sizeof qb__cols[0], qb__cols, qb__right);
  if (o.rows == NULL) {
    fprintf(stderr, "qbench apply: out of memory\n");
    return 2;
  }
  memset(&x2, 0, sizeof x2);
  memset(&ts, 0, sizeof ts);
  qb__path path;
  const qb__path* k = &path;
  if (!qb__resolve(ctx, argv[optind], o.device, &path, &err)) goto fail;
  /* Refuse before any work: an existing --out without --force. */
  if (o.out != NULL && !qb_results_is_stdout(o.out) && !o.force && lstat(o.out, &sb) == 0) {
    qb_fail(&err, QB_EXISTS, "%s: exists (--force overwrites it)", o.out);
    goto fail;
  }
  if (o.params_out != NULL && !o.force && lstat(o.params_out, &sb) == 0) {
    qb_fail(&err, QB_EXISTS, "%s: exists (--force overwrites it)", o.params_out);
    goto fail;
  }
  if (k->family->kind == QB_KIND_dot && o.in2 == NULL) {
    qb_fail(&err, QB_BAD_INPUT, "kernel '%s' is a dot: --in2 FILE is required", k->name);
    goto fail;
  }
  if (o.in2 != NULL && qb__read_npy_or_one(o.in2, NULL, &x2, &err) != QB_OK) goto fail;
  if (qb_tensorset_open(&ts, o.in, NULL, &err) != QB_OK) goto fail;
  if (ts.safetensors && o.tensor == NULL && o.out != NULL && ts.count != 1) {
    qb_fail(&err, QB_BAD_INPUT, "%s: %zu tensors: --out needs --tensor NAME", o.in, ts.count);
    goto fail;
  }
  if (ts.safetensors && o.tensor != NULL && qb_safetensors_find(&ts.st, o.tensor) == NULL) {
    qb_fail(&err, QB_BAD_INPUT, "%s: no tensor '%s'", o.in, o.tensor);
    goto fail;
  }
  if (o.params_out != NULL && (o.params = json_array()) == NULL) {
    qb_fail(&err, QB_NO_MEMORY, "out of memory");
    goto fail;
  }
  size_t applied = 0;
  for (size_t i = 0; i < ts.count; i++) {
    qb_tensor x;
    size_t chlen = 0;
    qb_error terr = {0};
    if (ts.safetensors && o.tensor != NULL && strcmp(o.tensor, ts.names[i]) != 0) continue;
    qb_status s = qb__load(&o, k->family, &ts, i, &x, &chlen, &terr);
    if (s == QB_OK) {
      s = qb__apply_one(k, &o, ts.names[i], &x, chlen, o.in2 ? &x2 : NULL, o.out != NULL, &differs, &terr);
      qb_tensor_free(&x);
    }
    if (s == QB_OK) {
      applied++;
    } else if (ts.safetensors && o.tensor == NULL && s == QB_BAD_INPUT) {
      /* Over a whole model a tensor the kernel cannot take is a row that says so. */
      const qb_safetensors_entry* e = qb_safetensors_find(&ts.st, ts.names[i]);
      char count[32], status[600];
      snprintf(count, sizeof count, "%llu", (unsigned long long) e->count);
      snprintf(status, sizeof status, "skipped: %.580s", terr.msg);
      char sem[96];
      qb_sem_string(k->sem, sem, sizeof sem);
      const char* row[] = {e->name, e->st_dtype, count, "", "", "", "", "", "", "", "", status, k->name, sem};
      qb_cli_table_add(o.rows, row);
    } else {
      err = terr;
      goto fail;
    }
  }
  if (applied == 0) {
    qb_fail(&err, QB_BAD_INPUT, "%s: no tensor the kernel %s can take", o.in, k->name);
    goto fail;
  }
  if (o.params != NULL && qb__write_params(&o, k, &err) != QB_OK) goto fail;
  qb_tensorset_close(&ts);
  qb_tensor_free(&x2);
  json_decref(o.params);
  if (path.b != NULL) path.b->ops->destroy(path.b);
  /* With the tensor on stdout (--out -), the table is for the human: stderr. */
  qb_cli_table_print(o.rows, o.format, qb_results_is_stdout(o.out) ? stderr : stdout);
  qb_cli_table_free(o.rows);
  const bool wrote_out = o.out != NULL && !qb_results_is_stdout(o.out);
  if (wrote_out || o.params_out != NULL) {
    fprintf(stderr, "qbench apply: wrote %s%s%s\n", wrote_out ? o.out : "",
            wrote_out && o.params_out ? " and " : "", o.params_out ? o.params_out : "");
  }
  return differs ? 1 : 0;
fail:
  if (path.b != NULL) path.b->ops->destroy(path.b);
  qb_cli_table_free(o.rows);
  qb_tensorset_close(&ts);
  qb_tensor_free(&x2);
  json_decref(o.params);
  fflush(stdout);
  qb_error_print(&err);
  return 2;
}
