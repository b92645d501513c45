/* qbench list: every kernel variant in the registry, and what dispatch picks. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "backends/backend.h"
#include "cli/cli.h"
#include "platform/registry.h"
#include "backends/opencl_kernels.h"

#define QB__FORMATS (QB_CLI_FMT_BIT(QB_CLI_JSON) | QB_CLI_FMT_BIT(QB_CLI_CSV) | QB_CLI_FMT_BIT(QB_CLI_MD))

static void qb__help(void) {
  printf(
      "usage: qbench [--isa ISA] list [--family NAME] [--format table|json|csv|md] [--json]\n"
      "                         [--out FILE|- [--force]]\n"
      "\n"
      "Lists every CPU kernel variant (best first within a family): family, kernel,\n"
      "backend, ISA, tile, declared semantics, dtypes, and 'picked' / 'available' or why\n"
      "it cannot run; then every OpenCL variant on each device (the device in the isa\n"
      "column, the elements of one work-item step as its tile), or once with why it\n"
      "cannot run when there is no device.\n"
      "Semantics, in words: exact (bit for bit the reference), or what the variant may do\n"
      "differently: ftz-in / ftz-out (flushes subnormal inputs / outputs), nan-canon (one\n"
      "canonical NaN), reassoc (sums in another order), round-odd. An OpenCL variant's are\n"
      "those on that device (a device without f32 subnormals flushes them).\n"
      "\n"
      "  --family NAME  one family only\n");
  qb_cli_out_help(stdout, QB__FORMATS);
}

void qb_sem_string(unsigned sem, char* buf, size_t len) {
  buf[0] = '\0';
  if (sem == 0) {
    snprintf(buf, len, "exact");
    return;
  }
  static const struct {
    unsigned bit;
    const char* name;
  } names[] = {{QB_SEM_FTZ_IN, "ftz-in"},
               {QB_SEM_FTZ_OUT, "ftz-out"},
               {QB_SEM_NAN_CANON, "nan-canon"},
               {QB_SEM_REASSOC, "reassoc"},
               {QB_SEM_ROUND_ODD, "round-odd"}};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    if (sem & names[i].bit) {
      if (buf[0]) strncat(buf, ",", len - strlen(buf) - 1);
      strncat(buf, names[i].name, len - strlen(buf) - 1);
    }
  }
}

/* "s8,s8->s32": the inputs, then the output. */
static void qb__dtypes(const qb_family_info* f, char* buf, size_t len) {
  if (f->in2 != QB_DTYPE_none) {
    snprintf(buf, len, "%s,%s->%s", qb_dtype_get(f->in)->name, qb_dtype_get(f->in2)->name,
             qb_dtype_get(f->out)->name);
  } else {
    snprintf(buf, len, "%s->%s", qb_dtype_get(f->in)->name, qb_dtype_get(f->out)->name);
  }
}

/* Whether a device has f32 subnormals, from its description (true when it does not say). */
static bool qb__device_denorms(qb_backend* b, int d) {
  json_t* j = b->ops->device_context(b, d);
  const json_t* v = json_object_get(j, "fp32_denorms");
  const bool denorms = !json_is_boolean(v) || json_is_true(v);
  json_decref(j);
  return denorms;
}

/* One row per OpenCL variant (ocl_kernels.inc, read as data: opencl_kernels.h) and
 * device: the device in the isa column, its semantics there in words, available or
 * what the device lacks. Without a device (or an OpenCL build) each variant is still a
 * row, saying why it cannot run here. */
static void qb__list_opencl(const qb_ctx* ctx, const char* family, qb_cli_table* t) {
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
    char dtypes[40], kernel[96], tile[16], sem[96], status[QB_ERROR_MSG_MAX + 64];
    qb__dtypes(f, dtypes, sizeof dtypes);
    snprintf(kernel, sizeof kernel, "%s__%s", f->name, k->variant);
    snprintf(tile, sizeof tile, "%u", k->unit);
    if (ndev == 0) {
      qb_sem_string(k->sem, sem, sizeof sem);
      const char* row[] = {f->name, kernel, "opencl", "-", tile, sem, dtypes, none};
      qb_cli_table_add(t, row);
    }
    for (int d = 0; d < ndev; d++) {
      const char* names[16];
      const char* why = NULL;
      const int nv = b->ops->variants(b, d, k->family, names, 16, &why);
      bool offered = false;
      for (int v = 0; v < nv; v++) offered |= strcmp(names[v], k->variant) == 0;
      qb_sem_string(qb_opencl_kernel_sem(k, qb__device_denorms(b, d)), sem, sizeof sem);
      if (offered) {
        snprintf(status, sizeof status, "available");
      } else {
        snprintf(status, sizeof status, "device lacks %s", k->needs[0] ? k->needs : "it");
      }
      const char* row[] = {f->name, kernel, "opencl", b->ops->device_name(b, d), tile, sem, dtypes, status};
      qb_cli_table_add(t, row);
    }
  }
  if (b != NULL) b->ops->destroy(b);
}

int qb_cmd_list(qb_ctx* ctx, int argc, char** argv) {
  static const struct option opts[] = {{"family", required_argument, NULL, 'f'},
                                       QB_CLI_OUT_OPTIONS,
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  const char* family = NULL;
  qb_cli_out out;
  qb_cli_out_init(&out, "list", QB__FORMATS);
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, "+hf:", opts, NULL)) != -1) {
    const int taken = qb_cli_out_option(&out, c, optarg);
    if (taken == 2) return 2;
    if (taken) continue;
    switch (c) {
      case 'h':
        qb__help();
        return 0;
      case 'f':
        family = optarg;
        break;
      default:
        return qb_cli_usage_error("list", "unknown or incomplete option '%s'", argv[optind - 1]);
    }
  }
  if (optind < argc) return qb_cli_usage_error("list", "unexpected argument '%s'", argv[optind]);
  if (family != NULL && qb_family_find(family) == QB_FAMILY_COUNT) {
    return qb_cli_usage_error("list", "--family '%s': unknown family", family);
  }
  if (qb_cli_out_begin(&out) != 0) return 2;
  /* Scripts read these columns by position: dtypes goes before status, which is last. */
  static const char* const cols[] = {"family", "kernel",    "backend", "isa",
                                     "tile",   "semantics", "dtypes",  "status"};
  static const bool right[] = {false, false, false, false, true, false, false, false};
  qb_cli_table* t = qb_cli_table_new(8, cols, right);
  if (t == NULL) {
    fprintf(stderr, "qbench list: out of memory\n");
    return qb_cli_out_end(&out, 2);
  }
  for (size_t i = 0; i < qb_kernel_count(); i++) {
    const qb_kernel_info* k = qb_kernel_at(i);
    const qb_family_info* f = qb_family_get(k->family);
    if (family != NULL && strcmp(family, f->name) != 0) continue;
    char buf[160], sem[64];
    const char* reason;
    const char* status;
    if (qb_kernel_usable(k, &ctx->cpu, &reason, buf, sizeof buf)) {
      status = qb_kernel_pick(k->family, &ctx->cpu) == k ? "picked" : "available";
    } else {
      status = reason;
    }
    qb_sem_string(k->sem, sem, sizeof sem);
    char dtypes[40];
    qb__dtypes(f, dtypes, sizeof dtypes);
    char tile[16];
    snprintf(tile, sizeof tile, "%u", k->tile);
    const char* row[] = {f->name, k->name, "cpu", qb_isa_name(k->isa), tile, sem, dtypes, status};
    qb_cli_table_add(t, row);
  }
  qb__list_opencl(ctx, family, t);
  qb_cli_table_print(t, out.format, out.f);
  qb_cli_table_free(t);
  return qb_cli_out_end(&out, 0);
}
