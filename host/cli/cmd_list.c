/* qbench list: every kernel variant in the registry, and what dispatch picks. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "backends/backend.h"
#include "cli/cli.h"
#include "platform/registry.h"
#include "numerics/verify.h"

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

/* "s8,s8->s32": the inputs, then the output. */
static void qb__dtypes(const qb_family_info* f, char* buf, size_t len) {
  if (f->in2 != QB_DTYPE_none) {
    snprintf(buf, len, "%s,%s->%s", qb_dtype_get(f->in)->name, qb_dtype_get(f->in2)->name,
             qb_dtype_get(f->out)->name);
  } else {
    snprintf(buf, len, "%s->%s", qb_dtype_get(f->in)->name, qb_dtype_get(f->out)->name);
  }
}

/* Where a backend's rows go. */
typedef struct qb__sink {
  qb_cli_table* t;
  const char* backend;
} qb__sink;

static void qb__add(void* user, const qb_backend_list_row* r) {
  const qb__sink* sink = user;
  char dtypes[40], tile[16], sem[96];
  qb__dtypes(r->family, dtypes, sizeof dtypes);
  if (r->tile > 0) {
    snprintf(tile, sizeof tile, "%u", r->tile);
  } else {
    snprintf(tile, sizeof tile, "-");
  }
  if (r->has_sem) {
    qb_sem_string(r->sem, sem, sizeof sem);
  } else {
    snprintf(sem, sizeof sem, "-");
  }
  const char* row[] = {r->family->name, r->kernel, sink->backend, r->isa, tile, sem, dtypes, r->status};
  qb_cli_table_add(sink->t, row);
}

int qb_cmd_list(qb_ctx* ctx, int argc, char** argv) {
  static const struct option opts[] = {{"family", required_argument, NULL, 'f'},
                                       QB_CLI_OUT_OPTIONS,
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  const char* family = NULL;
  qb_cli_out out;
  qb_cli_out_init(&out, "list", QB__FORMATS);
  int c;
  while ((c = qb_cli_out_getopt(&out, argc, argv, "+hf:", opts)) != -1) {
    switch (c) {
      case 'h':
        qb__help();
        return 0;
      case 'f':
        family = optarg;
        break;
      default: /* QB_CLI_OPT_USAGE: the error is printed */
        return 2;
    }
  }
  if (qb_cli_out_no_operands(&out, argc, argv) != 0) return 2;
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
  /* Every backend of the registry (backends/backends.inc), in its order. */
  for (int id = 0; id < QB_BACKEND_COUNT; id++) {
    const qb_backend_info* info = qb_backend_get((qb_backend_id) id);
    qb__sink sink = {t, info->name};
    info->list(ctx, family, qb__add, &sink);
  }
  qb_cli_table_print(t, out.format, out.f);
  qb_cli_table_free(t);
  return qb_cli_out_end(&out, 0);
}
