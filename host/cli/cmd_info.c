/* qbench info: the machine as qbench sees it. */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "platform/registry.h"
#ifdef QB_HAVE_OPENCL
#include "backends/opencl/opencl_info.h"
#endif

static void qb__help(void) {
  printf(
      "usage: qbench [--isa ISA] info\n"
      "\n"
      "Shows the CPU model, packages/cores/PUs, cache sizes and NUMA nodes (hwloc), the\n"
      "CPU features detected at run time, each ISA path and whether it can run, and\n"
      "the OpenCL platforms and devices found.\n");
}

static void qb__size(char* buf, size_t len, uint64_t b) {
  if (b == 0)
    snprintf(buf, len, "unknown");
  else if (b % (1u << 20) == 0)
    snprintf(buf, len, "%llu MiB", (unsigned long long) (b >> 20));
  else
    snprintf(buf, len, "%llu KiB", (unsigned long long) (b >> 10));
}

int qb_cmd_info(qb_ctx* ctx, int argc, char** argv) {
  static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
    if (c == 'h') {
      qb__help();
      return 0;
    }
    return qb_cli_usage_error("info", "unknown option '%s'", argv[optind - 1]);
  }
  if (optind < argc) return qb_cli_usage_error("info", "unexpected argument '%s'", argv[optind]);

  const qb_topo* t = &ctx->topo;
  char l1[32], l2[32], l3[32];
  qb__size(l1, sizeof l1, t->l1d);
  qb__size(l2, sizeof l2, t->l2);
  qb__size(l3, sizeof l3, t->l3);
  printf("cpu:        %s\n", t->cpu_model);
  printf("topology:   %d package(s), %d core(s), %d PU(s), %d NUMA node(s) (%s)\n", t->packages, t->cores,
         t->pus, t->numa_nodes, t->from_hwloc ? "hwloc" : "sysconf; hwloc not available");
  printf("caches:     L1d %s, L2 %s, L3 %s (per core / as seen by one core)\n", l1, l2, l3);
  printf("features:  ");
  for (int f = 0; f < QB_FEAT_COUNT; f++) {
    if (qb_feature_is_native((qb_feature) f) && (ctx->cpu.features & (1ull << f))) {
      printf(" %s", qb_feature_name((qb_feature) f));
    }
  }
  printf("\n");
  printf("isa cap:    %s\n", ctx->cpu.cap_name[0] ? ctx->cpu.cap_name : "none");
  if (ctx->cpu.emulated) {
    printf("emulated:   yes (%s): timings mean nothing about any machine\n", ctx->cpu.emulated_why);
  } else {
    printf("emulated:   no%s%s%s\n", ctx->cpu.emulated_why[0] ? " (" : "", ctx->cpu.emulated_why,
           ctx->cpu.emulated_why[0] ? ")" : "");
  }
  printf("cpu paths:\n");
  for (int i = 0; i < QB_ISA_COUNT; i++) {
    if (!qb_isa_native((qb_isa) i)) continue;
    char buf[160];
    const char* reason;
    bool ok = qb_isa_usable(&ctx->cpu, (qb_isa) i, &reason, buf, sizeof buf);
    printf("  %-11s %s\n", qb_isa_name((qb_isa) i), ok ? "available" : reason);
  }
#ifdef QB_HAVE_OPENCL
  qb_opencl_print_info(stdout, ctx);
#else
  printf("opencl:     not built (OpenCL headers and ICD loader not found at configure time)\n");
#endif
  return 0;
}
