/* qbench: the command-line entry point. Global options, then one command. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "qb/build_config.h"

static const struct {
  const char* name;
  const char* summary;
  int (*fn)(qb_ctx*, int, char**);
} qb__commands[] = {
#define QB_COMMAND(name, summary) {#name, summary, qb_cmd_##name},
#include "cli/commands.inc"
#undef QB_COMMAND
};

static void qb__usage(FILE* f) {
  fprintf(f,
          "usage: qbench [--isa ISA] COMMAND [OPTIONS]\n"
          "\n"
          "Benchmarks low-precision numerics kernels (casts, quantization, dot products) on\n"
          "every path this machine has, with throughput, memory and numerical error.\n"
          "\n"
          "commands:\n");
  for (size_t i = 0; i < sizeof qb__commands / sizeof qb__commands[0]; i++) {
    fprintf(f, "  %-10s %s\n", qb__commands[i].name, qb__commands[i].summary);
  }
  fprintf(f,
          "\n"
          "global options (anywhere on the line):\n"
          "  --isa ISA    cap the CPU paths at ISA (scalar, avx2, avx512skx, ...); the same as\n"
          "               QBENCH_MAX_ISA=ISA\n"
          "  -h, --help   this help; 'qbench COMMAND --help' for a command's options\n"
          "  --version    the version and build\n"
          "\n"
          "exit codes: 0 all well, 1 some cases failed or a regression was found,\n"
          "            2 bad usage or bad input (no output file is created or changed)\n");
}

int main(int argc, char** argv) {
  qb_ctx ctx;
  qb_error err = {0};
  memset(&ctx, 0, sizeof ctx);
  ctx.argv0 = argv[0];
  qb_cpu_detect(&ctx.cpu);
  if (qb_cpu_cap_from_env(&ctx.cpu, &err) != QB_OK) {
    qb_error_print(&err);
    return 2;
  }

  /* 1. Take the global --isa out of argv wherever it stands. */
  int n = 1;
  for (int i = 1; i < argc; i++) {
    const char* cap = NULL;
    if (strcmp(argv[i], "--isa") == 0) {
      if (i + 1 >= argc) return qb_cli_usage_error(NULL, "option '--isa' needs a value");
      cap = argv[++i];
    } else if (strncmp(argv[i], "--isa=", 6) == 0) {
      cap = argv[i] + 6;
    } else {
      argv[n++] = argv[i];
      continue;
    }
    if (qb_cpu_set_cap(&ctx.cpu, cap, &err) != QB_OK) {
      qb_error_print(&err);
      return 2;
    }
  }
  argc = n;
  argv[argc] = NULL;

  /* 2. Options before the command. */
  if (argc < 2) {
    qb__usage(stderr);
    return 2;
  }
  if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
    qb__usage(stdout);
    return 0;
  }
  if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
    printf("qbench %s (commit %s, %s build)\n", QB_VERSION, QB_GIT_COMMIT, QB_BUILD_TYPE);
    return 0;
  }
  if (argv[1][0] == '-') {
    return qb_cli_usage_error(NULL, "unknown option '%s'", argv[1]);
  }

  /* 3. The command. */
  for (size_t i = 0; i < sizeof qb__commands / sizeof qb__commands[0]; i++) {
    if (strcmp(argv[1], qb__commands[i].name) == 0) {
      qb_topo_detect(&ctx.topo);
      fflush(stdout);
      int rc = qb__commands[i].fn(&ctx, argc - 1, argv + 1);
      if (fflush(stdout) != 0 || ferror(stdout)) {
        /* A closed pipe or /dev/full is not bad input (2): the work ran. When the
         * command's product is in a file (run's results), the exit code is the work's;
         * otherwise the product was lost: 1. */
        fprintf(stderr, "qbench: writing standard output failed%s\n",
                ctx.stdout_optional ? " (the results file was written)" : "");
        return ctx.stdout_optional ? rc : (rc ? rc : 1);
      }
      return rc;
    }
  }
  return qb_cli_usage_error(NULL, "unknown command '%s'", argv[1]);
}
