/* qbench list: every kernel variant in the registry, and what dispatch picks. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "registry.h"

static void qb__help(void) {
  printf(
      "usage: qbench [--isa ISA] list [--family NAME]\n"
      "\n"
      "Lists every CPU kernel variant (best first within a family): family, dtypes,\n"
      "ISA, tile, declared semantics, and 'picked' / 'available' or why it cannot run.\n");
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

int qb_cmd_list(qb_ctx* ctx, int argc, char** argv) {
  static const struct option opts[] = {{"family", required_argument, NULL, 'f'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  const char* family = NULL;
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, "+hf:", opts, NULL)) != -1) {
    switch (c) {
      case 'h': qb__help(); return 0;
      case 'f': family = optarg; break;
      default: return qb_cli_usage_error("list", "unknown or incomplete option '%s'", argv[optind - 1]);
    }
  }
  if (optind < argc) return qb_cli_usage_error("list", "unexpected argument '%s'", argv[optind]);
  if (family != NULL && qb_family_find(family) == QB_FAMILY_COUNT) {
    return qb_cli_usage_error("list", "--family '%s': unknown family", family);
  }
  printf("%-18s %-36s %-7s %-11s %5s %-16s %s\n", "family", "kernel", "backend", "isa", "tile",
         "semantics", "status");
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
    printf("%-18s %-36s %-7s %-11s %5u %-16s %s\n", f->name, k->name, "cpu", qb_isa_name(k->isa), k->tile, sem,
           status);
  }
  return 0;
}
