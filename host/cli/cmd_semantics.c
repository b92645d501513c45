/* qbench semantics: what every cast path usable here does, measured (host/numerics/semantics.h):
 * the CPU variants through the registry, the OpenCL variants on every device found. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/opencl_kernels.h"
#include "cli/cli.h"
#include "backends/backend.h"
#include "numerics/semantics.h"
#include "platform/registry.h"
#include "numerics/verify.h"

#define QB__FORMATS (QB_CLI_FMT_BIT(QB_CLI_JSON) | QB_CLI_FMT_BIT(QB_CLI_CSV) | QB_CLI_FMT_BIT(QB_CLI_MD))

static void qb__help(void) {
  printf(
      "usage: qbench [--isa ISA] semantics [--family NAME] [--show-skipped]\n"
      "                        [--format table|json|csv|md] [--json] [--out FILE|- [--force]]\n"
      "\n"
      "Runs every float cast and block quantizer variant this machine can run, the CPU's and each "
      "OpenCL\n"
      "device's, on crafted inputs and prints what it does, measured:\n"
      "  rounding       nearest, toward-zero, toward+inf, toward-inf, away; exact (widening)\n"
      "  ties           even, away, toward-zero, odd (nearest rounding only)\n"
      "  sub_in         subnormal inputs kept or flushed (n/a: they round to zero anyway)\n"
      "  sub_out        subnormal results kept or flushed (n/a: no normal input has one)\n"
      "  nan_payload    kept (top payload bits survive), canonical, or lost\n"
      "  nan_sign       kept or lost\n"
      "  snan           signaling NaN quieted or kept signaling\n"
      "  overflow, inf  a finite input above the range, and +inf: inf, nan or saturate\n"
      "Block quantizers without zero points (MX, NVFP4, FP8/128, q8_0, qb8, qs4g128), a block at a time:\n"
      "rounding and ties of the elements at scale 1, overflow when the block's largest\n"
      "element clips, inf for a block holding +inf, and (casts: n/a)\n"
      "  scale          floor (OCP), rceil, or amax/max (the scale itself rounded)\n"
      "  zero_block     what an all-zero block gives: zeros or nan\n"
      "  nan_block      a NaN makes its whole block NaN (block) or only itself (element)\n"
      "  declared       what the variant declares (as 'qbench list' says it), to compare\n"
      "The path is cpu/VARIANT or opencl/DEVICE/VARIANT. Variants that cannot run here are\n"
      "one count on stderr (another architecture's, each missing feature's, OpenCL\n"
      "without a device); --show-skipped adds a row for each with its reason, and the\n"
      "JSON, CSV and markdown forms always hold them (status skipped: ...).\n"
      "\n"
      "  --family NAME  one cast family only (e.g. f32_bf16_cvt)\n"
      "  --show-skipped a row for each variant this machine cannot run\n");
  qb_cli_out_help(stdout, QB__FORMATS);
  printf(
      "\n"
      "exit codes: 0 every path measured or skipped, 1 an OpenCL path failed on its device\n"
      "(a row says why), 2 bad usage\n");
}

static void qb__run_cpu(void* user, size_t n, const void* x, void* y) {
  const qb_kernel_info* k = (const qb_kernel_info*) user;
  qb_kernel_unary(k)(n, x, y, NULL);
}

/* One OpenCL variant on one device, as the probe's callback: prepare, run, fetch. A
 * failure is kept for the row (the probe's callback cannot fail). */
typedef struct qb__ocl_path {
  qb_backend* b;
  int device;
  const qb_family_info* family;
  const char* variant;
  qb_status status;
  qb_error err;
} qb__ocl_path;

static void qb__run_ocl(void* user, size_t n, const void* x, void* y) {
  qb__ocl_path* p = user;
  const qb_backend_case c = {.family = p->family,
                             .variant = p->variant,
                             .n = n,
                             .x = x,
                             .x_bytes = qb_dtype_buffer_bytes(p->family->in, n),
                             .y_bytes = qb_dtype_buffer_bytes(p->family->out, n)};
  void* state = NULL;
  double seconds;
  const char* note;
  memset(y, 0, c.y_bytes);
  p->status = p->b->ops->prepare(p->b, p->device, &c, &state, &p->err);
  if (p->status == QB_OK) p->status = p->b->ops->run(p->b, state, &seconds, &note, &p->err);
  if (p->status == QB_OK) p->status = p->b->ops->fetch(p->b, state, y, &p->err);
  if (state != NULL) p->b->ops->release(p->b, state);
}

static const char* const qb__cols[] = {
    "family", "path",     "rounding", "ties",  "sub_in",     "sub_out",   "nan_payload", "nan_sign",
    "snan",   "overflow", "inf",      "scale", "zero_block", "nan_block", "declared",    "status"};
#define QB__NCOLS (sizeof qb__cols / sizeof qb__cols[0])

static void qb__row(qb_cli_table* t, const char* family, const char* path, const qb_sem_observed* o,
                    unsigned declared, const char* status) {
  char sem[96];
  qb_sem_string(declared, sem, sizeof sem);
  if (o == NULL) {
    const char* row[QB__NCOLS] = {family, path, "", "", "", "", "", "", "", "", "", "", "", "", sem, status};
    qb_cli_table_add(t, row);
    return;
  }
  const char* row[QB__NCOLS] = {
      family,         path,         o->rounding, o->ties,     o->subnormal_in, o->subnormal_out,
      o->nan_payload, o->nan_sign,  o->snan,     o->overflow, o->inf,          o->scale,
      o->zero_block,  o->nan_block, sem,         status};
  qb_cli_table_add(t, row);
}

/* What could not run, counted for one stderr line. */
typedef struct qb__skips {
  size_t foreign, other, no_device, n_needs;
  char needs[16][40];
  size_t need_count[16];
} qb__skips;

static void qb__count_need(qb__skips* s, const char* need) {
  size_t j = 0;
  while (j < s->n_needs && strcmp(s->needs[j], need) != 0) j++;
  if (j == s->n_needs && s->n_needs < 16) {
    snprintf(s->needs[s->n_needs], sizeof s->needs[0], "%s", need);
    s->need_count[s->n_needs++] = 0;
  }
  if (j < s->n_needs) {
    s->need_count[j]++;
  } else {
    s->other++;
  }
}

static void qb__skips_note(const qb__skips* s) {
  if (s->foreign + s->other + s->no_device + s->n_needs == 0) return;
  fprintf(stderr, "qbench semantics: not run here:");
  const char* sep = " ";
  if (s->foreign) {
    fprintf(stderr, "%s%zu variant%s of another architecture", sep, s->foreign, s->foreign == 1 ? "" : "s");
    sep = ", ";
  }
  for (size_t j = 0; j < s->n_needs; j++, sep = ", ")
    fprintf(stderr, "%s%zu need%s %s", sep, s->need_count[j], s->need_count[j] == 1 ? "s" : "", s->needs[j]);
  if (s->no_device) {
    fprintf(stderr, "%s%zu OpenCL variant%s (no device)", sep, s->no_device, s->no_device == 1 ? "" : "s");
    sep = ", ";
  }
  if (s->other) fprintf(stderr, "%s%zu above the ISA cap or not built", sep, s->other);
  fprintf(stderr, " (--show-skipped lists them; `qbench list` says why)\n");
}

/* The CPU variants: measured, or a skipped row. */
static qb_status qb__cpu(const qb_ctx* ctx, const char* family, bool rows_skipped, qb_cli_table* t,
                         qb__skips* sk, qb_error* err) {
  for (size_t i = 0; i < qb_kernel_count(); i++) {
    const qb_kernel_info* k = qb_kernel_at(i);
    const qb_family_info* f = qb_family_get(k->family);
    if (!qb_semantics_family_ok(k->family)) continue;
    if (family != NULL && strcmp(family, f->name) != 0) continue;
    char path[96], buf[160], status[200];
    snprintf(path, sizeof path, "cpu/%s", k->variant);
    const char* reason;
    if (!qb_kernel_usable(k, &ctx->cpu, &reason, buf, sizeof buf)) {
      snprintf(status, sizeof status, "skipped: %s", reason);
      if (rows_skipped) qb__row(t, f->name, path, NULL, k->sem, status);
      char need[40];
      if (!qb_isa_native(k->isa)) {
        sk->foreign++;
      } else if (qb_isa_missing_feature(&ctx->cpu, k->isa, need, sizeof need)) {
        qb__count_need(sk, need);
      } else {
        sk->other++;
      }
      continue;
    }
    qb_sem_observed o;
    if (qb_semantics_probe(k->family, path, qb__run_cpu, (void*) k, &o, err) != QB_OK) return err->status;
    qb__row(t, f->name, path, &o, k->sem, "measured");
  }
  return QB_OK;
}

static bool qb__device_denorms(qb_backend* b, int d) {
  json_t* j = b->ops->device_context(b, d);
  const json_t* v = json_object_get(j, "fp32_denorms");
  const bool denorms = !json_is_boolean(v) || json_is_true(v);
  json_decref(j);
  return denorms;
}

/* The OpenCL variants (opencl_kernels.h) on every device; without one, skipped rows.
 * Returns the number of paths that failed on their device. */
static size_t qb__opencl(const qb_ctx* ctx, const char* family, bool rows_skipped, qb_cli_table* t,
                         qb__skips* sk, qb_error* err) {
  qb_backend* b = NULL;
  qb_error e = {0};
  char none[QB_ERROR_MSG_MAX + 64];
  size_t failed = 0;
  if (qb_opencl_backend_create(ctx, NULL, &b, &e) != QB_OK) {
    b = NULL;
    snprintf(none, sizeof none, "skipped: no OpenCL device: %s", e.msg);
  } else {
    snprintf(none, sizeof none, "skipped: no OpenCL device");
  }
  const int ndev = b ? b->ops->device_count(b) : 0;
  for (size_t i = 0; i < qb_opencl_kernel_count(); i++) {
    const qb_opencl_kernel_decl* k = qb_opencl_kernel_at(i);
    const qb_family_info* f = qb_family_get(k->family);
    if (!qb_semantics_family_ok(k->family)) continue;
    if (family != NULL && strcmp(family, f->name) != 0) continue;
    char path[200], status[QB_ERROR_MSG_MAX + 64];
    if (ndev == 0) {
      snprintf(path, sizeof path, "opencl/%s", k->variant);
      if (rows_skipped) qb__row(t, f->name, path, NULL, k->sem, none);
      sk->no_device++;
      continue;
    }
    for (int d = 0; d < ndev; d++) {
      const unsigned sem = qb_opencl_kernel_sem(k, qb__device_denorms(b, d));
      snprintf(path, sizeof path, "opencl/%s/%s", b->ops->device_name(b, d), k->variant);
      const char* names[16];
      const int nv = b->ops->variants(b, d, k->family, names, 16, NULL);
      bool offered = false;
      for (int v = 0; v < nv; v++) offered |= strcmp(names[v], k->variant) == 0;
      if (!offered) {
        snprintf(status, sizeof status, "skipped: device lacks %s", k->needs[0] ? k->needs : "it");
        if (rows_skipped) qb__row(t, f->name, path, NULL, sem, status);
        qb__count_need(sk, k->needs[0] ? k->needs : "an OpenCL feature");
        continue;
      }
      qb__ocl_path p = {.b = b, .device = d, .family = f, .variant = k->variant, .status = QB_OK};
      qb_sem_observed o;
      if (qb_semantics_probe(k->family, path, qb__run_ocl, &p, &o, err) != QB_OK) {
        b->ops->destroy(b);
        return (size_t) -1;
      }
      if (p.status != QB_OK) {
        snprintf(status, sizeof status, "error: %s", p.err.msg);
        qb__row(t, f->name, path, NULL, sem, status);
        failed++;
        continue;
      }
      qb__row(t, f->name, path, &o, sem, "measured");
    }
  }
  if (b != NULL) b->ops->destroy(b);
  return failed;
}

int qb_cmd_semantics(qb_ctx* ctx, int argc, char** argv) {
  static const struct option opts[] = {QB_CLI_OUT_OPTIONS,
                                       {"family", required_argument, NULL, 'f'},
                                       {"show-skipped", no_argument, NULL, 's'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  const char* family = NULL;
  bool show_skipped = false;
  qb_cli_out out;
  qb_cli_out_init(&out, "semantics", QB__FORMATS);
  int c;
  while ((c = qb_cli_out_getopt(&out, argc, argv, "+hf:", opts)) != -1) {
    switch (c) {
      case 'h':
        qb__help();
        return 0;
      case 'f':
        family = optarg;
        break;
      case 's':
        show_skipped = true;
        break;
      default: /* QB_CLI_OPT_USAGE: the error is printed */
        return 2;
    }
  }
  if (qb_cli_out_no_operands(&out, argc, argv) != 0) return 2;
  if (family != NULL) {
    const qb_family f = qb_family_find(family);
    if (f == QB_FAMILY_COUNT) return qb_cli_usage_error("semantics", "--family '%s': unknown family", family);
    if (!qb_semantics_family_ok(f)) {
      return qb_cli_usage_error("semantics", "--family '%s': not a float cast family", family);
    }
  }
  if (qb_cli_out_begin(&out) != 0) return 2;
  /* Data for tools holds every variant; the aligned table only what ran, unless asked. */
  const bool rows_skipped = show_skipped || out.format != QB_CLI_TABLE;
  qb_cli_table* t = qb_cli_table_new(QB__NCOLS, qb__cols, NULL);
  if (t == NULL) {
    fprintf(stderr, "qbench semantics: out of memory\n");
    return qb_cli_out_end(&out, 2);
  }
  qb__skips sk;
  memset(&sk, 0, sizeof sk);
  qb_error err = {0};
  size_t failed = 0;
  if (qb__cpu(ctx, family, rows_skipped, t, &sk, &err) != QB_OK ||
      (failed = qb__opencl(ctx, family, rows_skipped, t, &sk, &err)) == (size_t) -1) {
    qb_cli_table_free(t);
    qb_error_print(&err);
    return qb_cli_out_end(&out, qb_status_exit_code(err.status) ? qb_status_exit_code(err.status) : 2);
  }
  qb_cli_table_print(t, out.format, out.f);
  qb_cli_table_free(t);
  if (!rows_skipped) qb__skips_note(&sk);
  return qb_cli_out_end(&out, failed ? 1 : 0);
}
