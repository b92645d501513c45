/* qbench list: every kernel variant in the registry, and what dispatch picks. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "backends/backend.h"
#include "cli/cli.h"
#include "platform/registry.h"

static void qb__help(void) {
  printf(
      "usage: qbench [--isa ISA] list [--family NAME] [--format table|json|csv] [--json]\n"
      "\n"
      "Lists every CPU kernel variant (best first within a family): family, kernel,\n"
      "backend, ISA, tile, declared semantics, dtypes, and 'picked' / 'available' or why\n"
      "it cannot run; then each OpenCL device's variants (the device in the isa column).\n"
      "Semantics, in words: exact (bit for bit the reference), or what the variant may do\n"
      "differently: ftz-in / ftz-out (flushes subnormal inputs / outputs), nan-canon (one\n"
      "canonical NaN), reassoc (sums in another order), round-odd.\n"
      "\n"
      "  --family NAME          one family only\n"
      "  --format table|json|csv  the table aligned (default), a JSON array, or CSV\n"
      "  --json                 the same as --format json\n");
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

/* The OpenCL devices' variants, one row each (backend opencl, the device in the isa
 * column). A build without OpenCL, or no device, adds nothing. */
static void qb__list_opencl(const qb_ctx* ctx, const char* family, qb_cli_table* t) {
  qb_backend* b = NULL;
  qb_error err = {0};
  if (qb_opencl_backend_create(ctx, NULL, &b, &err) != QB_OK) {
    return;
  }
  for (int d = 0; d < b->ops->device_count(b); d++) {
    for (int fi = 0; fi < QB_FAMILY_COUNT; fi++) {
      const qb_family_info* f = qb_family_get((qb_family) fi);
      if (family != NULL && strcmp(family, f->name) != 0) continue;
      const char* names[16];
      const char* why = NULL;
      const int nv = b->ops->variants(b, d, (qb_family) fi, names, 16, &why);
      char dtypes[40], kernel[96];
      qb__dtypes(f, dtypes, sizeof dtypes);
      for (int v = 0; v < nv; v++) {
        snprintf(kernel, sizeof kernel, "%s__%s", f->name, names[v]);
        const char* row[] = {f->name, kernel, "opencl", b->ops->device_name(b, d),
                             "-",     "-",    dtypes,   "available"};
        qb_cli_table_add(t, row);
      }
      if (nv == 0) {
        const char* row[] = {f->name, "-", "opencl", b->ops->device_name(b, d),
                             "-",     "-", dtypes,   why ? why : "not offered"};
        qb_cli_table_add(t, row);
      }
    }
  }
  b->ops->destroy(b);
}

int qb_cmd_list(qb_ctx* ctx, int argc, char** argv) {
  static const struct option opts[] = {{"family", required_argument, NULL, 'f'},
                                       {"format", required_argument, NULL, 'F'},
                                       {"json", no_argument, NULL, 'j'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  const char* family = NULL;
  qb_cli_format fmt = QB_CLI_TABLE;
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, "+hf:", opts, NULL)) != -1) {
    switch (c) {
      case 'h':
        qb__help();
        return 0;
      case 'f':
        family = optarg;
        break;
      case 'F':
        if (!qb_cli_format_parse(optarg, &fmt))
          return qb_cli_usage_error("list", "--format '%s': expected table, json or csv", optarg);
        break;
      case 'j':
        fmt = QB_CLI_JSON;
        break;
      default:
        return qb_cli_usage_error("list", "unknown or incomplete option '%s'", argv[optind - 1]);
    }
  }
  if (optind < argc) return qb_cli_usage_error("list", "unexpected argument '%s'", argv[optind]);
  if (family != NULL && qb_family_find(family) == QB_FAMILY_COUNT) {
    return qb_cli_usage_error("list", "--family '%s': unknown family", family);
  }
  /* Scripts read these columns by position: dtypes goes before status, which is last. */
  static const char* const cols[] = {"family", "kernel",    "backend", "isa",
                                     "tile",   "semantics", "dtypes",  "status"};
  static const bool right[] = {false, false, false, false, true, false, false, false};
  qb_cli_table* t = qb_cli_table_new(8, cols, right);
  if (t == NULL) {
    fprintf(stderr, "qbench list: out of memory\n");
    return 2;
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
  qb_cli_table_print(t, fmt, stdout);
  qb_cli_table_free(t);
  return 0;
}
