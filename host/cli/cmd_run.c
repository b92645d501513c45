/* qbench run: parses the options; host/run/run.c does the work. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "backends/backend.h"
#include "cli/cli.h"
#include "io/results.h"
#include "run/run.h"

/* "cpu,opencl": every backend of the registry (backends/backends.inc). */
static void qb__backend_list(char* buf, size_t len) {
  size_t at = 0;
  buf[0] = '\0';
  for (int b = 0; b < QB_BACKEND_COUNT && at < len; b++) {
    const int w = snprintf(buf + at, len - at, "%s%s", b ? "," : "", qb_backend_name((qb_backend_id) b));
    if (w < 0) break;
    at += (size_t) w;
  }
}

static void qb__help(void) {
  char backends[128];
  qb__backend_list(backends, sizeof backends);
  printf(
      "usage: qbench [--isa ISA] run [OPTIONS]\n"
      "\n"
      "Measures the roofs (copy/read/write bandwidth per cache level, peak GFLOP/s),\n"
      "then every case of a suite on every backend found, through Google Benchmark:\n"
      "one table on stdout, one JSON file and a CSV beside it. Every planned case is\n"
      "a row: ok, skipped (with the reason) or error (with the reason). Cases that\n"
      "share their input data run one after another; rows and table keep the order\n"
      "of --list.\n"
      "\n"
      "options:\n"
      "  --suite NAME|FILE   the suite (default: quick; see suites/README.md)\n"
      "  --backend LIST      %s (default: the suite's, where found)\n"
      "  --device FILTER     OpenCL devices: a name substring or P:D\n"
      "  --out FILE|-        results file (default: results/<host>-<time>-<suite>.json;\n"
      "                      x.csv is one CSV); - writes the results to stdout and nothing\n"
      "                      else there (the table goes to stderr, the journal to results/)\n"
      "  --force             overwrite an existing results file\n"
      "  --format LIST       json, csv or json,csv (default: both, the CSV beside the JSON;\n"
      "                      json with --out -)\n"
      "  --filter REGEX      only the cases whose names match (POSIX extended)\n"
      "  --repetitions N     repetitions per case (default: the suite's)\n"
      "  --min-time S        seconds per repetition (default: the suite's)\n"
      "  --caches SPEC       override cache sizes, e.g. L1=32K,L2=1M,L3=32M\n"
      "  --threads LIST      thread counts, e.g. 1,all or 1..all (1 to every core, log\n"
      "                      spaced; default: the suite's)\n"
      "  --seed N            input seed (default: the suite's)\n"
      "  --data FILE         the workload: the tensors of a .safetensors or .npy file in\n"
      "                      place of the suite's sizes and distributions (f16, bf16 and\n"
      "                      f64 converted to f32 with a note); each family's kernels run\n"
      "                      on each tensor, converted to their input as `qbench error\n"
      "                      --data` does; a dot takes the first half against the second.\n"
      "                      Rows carry tensor, tensor_shape, tensor_dtype and axis; case\n"
      "                      names end in data:<tensor> instead of dist:<distribution>\n"
      "  --tensor NAME       one tensor of the file (default, or --all: every float tensor)\n"
      "  --all               every float tensor of the file (the default with --data)\n"
      "  --axis A            the channel axis of per-channel families (default 0: the rows\n"
      "                      of a 2-D weight); 1-D tensors are one channel\n"
      "  --case-timeout S    a case taking longer becomes an error row\n"
      "  --no-roofs          do not measure the roofs (no roof_fraction)\n"
      "  --list              print the planned case names and exit\n"
      "  --show-skipped      also plan, as skipped rows, the variants this CPU cannot run\n"
      "                      (by default they are one line on stderr and listed in the\n"
      "                      results' context; other architectures' are never planned)\n"
      "  --context KEY=VALUE record a fact about the run in the results (board, driver,\n"
      "                      CI build...); repeatable\n"
      "  --quiet             no table on stdout, no progress\n"
      "  --resume JOURNAL    finish an interrupted run from its journal (FILE.journal beside\n"
      "                      its results): the same suite on the same machine, every case\n"
      "                      the journal holds kept, the others run, with the run's own\n"
      "                      options (--out, --show-skipped, --context, --isa...); no other\n"
      "                      option but --quiet\n"
      "  -h, --help          this help\n"
      "\n"
      "Every finished case is appended to a journal beside the results file\n"
      "(FILE.journal) as soon as it is measured; it is removed once the results are\n"
      "written whole. SIGINT, SIGTERM and SIGHUP stop after the case under way and\n"
      "write what finished (marked incomplete, the journal kept for --resume); after\n"
      "SIGKILL or a crash, 'qbench recover FILE.journal' writes what finished.\n"
      "\n"
      "exit codes: 0 every case ok or skipped, 1 some case failed, the run was\n"
      "interrupted (the rows done so far are written) or the results could not be\n"
      "written (the journal is kept and named), 2 bad usage or input (nothing is run,\n"
      "no file is created or changed).\n",
      backends);
}

/* Splits a comma list into `out` via `one` (false: bad item). */
static bool qb__list(const char* s, bool (*one)(const char* item, void* out), void* out) {
  char buf[256];
  if (snprintf(buf, sizeof buf, "%s", s) >= (int) sizeof buf || buf[0] == '\0') return false;
  char* save = NULL;
  int n = 0;
  for (char* tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save), n++) {
    if (!one(tok, out)) return false;
  }
  return n > 0;
}

static bool qb__backend(const char* item, void* out) {
  const qb_backend_id b = qb_backend_find(item);
  if (b == QB_BACKEND_COUNT) return false;
  *(unsigned*) out |= 1u << b;
  return true;
}

static bool qb__format(const char* item, void* out) {
  if (strcmp(item, "json") == 0) {
    *(unsigned*) out |= QB_RESULTS_JSON;
  } else if (strcmp(item, "csv") == 0) {
    *(unsigned*) out |= QB_RESULTS_CSV;
  } else {
    return false;
  }
  return true;
}

static bool qb__thread(const char* item, void* out) {
  qb_run_options* o = out;
  uint64_t t;
  if (o->n_threads == QB_SUITE_MAX_THREADS) return false;
  if (strcmp(item, "all") == 0) {
    t = QB_SUITE_THREADS_ALL;
  } else if (strcmp(item, "1..all") == 0) {
    t = QB_SUITE_THREADS_SCALING;
  } else if (!qb_parse_u64(item, 1, 4096, &t)) {
    return false;
  }
  o->threads[o->n_threads++] = (unsigned) t;
  return true;
}

static bool qb__seconds(const char* s, double* out) {
  return qb_parse_double(s, out) && *out > 0 && *out <= 86400;
}

int qb_cmd_run(qb_ctx* ctx, int argc, char** argv) {
  enum {
    O_SUITE = 256,
    O_BACKEND,
    O_DEVICE,
    O_OUT,
    O_FORCE,
    O_FORMAT,
    O_FILTER,
    O_REPS,
    O_MINTIME,
    O_CACHES,
    O_THREADS,
    O_SEED,
    O_QUIET,
    O_LIST,
    O_TIMEOUT,
    O_NOROOFS,
    O_RESUME,
    O_SHOW_SKIPPED,
    O_CONTEXT,
    O_DATA,
    O_TENSOR,
    O_ALL,
    O_AXIS
  };
  static const struct option opts[] = {{"suite", required_argument, NULL, O_SUITE},
                                       {"backend", required_argument, NULL, O_BACKEND},
                                       {"device", required_argument, NULL, O_DEVICE},
                                       {"out", required_argument, NULL, O_OUT},
                                       {"force", no_argument, NULL, O_FORCE},
                                       {"format", required_argument, NULL, O_FORMAT},
                                       {"filter", required_argument, NULL, O_FILTER},
                                       {"repetitions", required_argument, NULL, O_REPS},
                                       {"min-time", required_argument, NULL, O_MINTIME},
                                       {"caches", required_argument, NULL, O_CACHES},
                                       {"threads", required_argument, NULL, O_THREADS},
                                       {"seed", required_argument, NULL, O_SEED},
                                       {"quiet", no_argument, NULL, O_QUIET},
                                       {"list", no_argument, NULL, O_LIST},
                                       {"case-timeout", required_argument, NULL, O_TIMEOUT},
                                       {"no-roofs", no_argument, NULL, O_NOROOFS},
                                       {"resume", required_argument, NULL, O_RESUME},
                                       {"show-skipped", no_argument, NULL, O_SHOW_SKIPPED},
                                       {"context", required_argument, NULL, O_CONTEXT},
                                       {"data", required_argument, NULL, O_DATA},
                                       {"tensor", required_argument, NULL, O_TENSOR},
                                       {"all", no_argument, NULL, O_ALL},
                                       {"axis", required_argument, NULL, O_AXIS},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  qb_run_options o;
  memset(&o, 0, sizeof o);
  uint64_t u;
  optind = 1;
  opterr = 0;
  int c;
  int others = 0; /* options besides --quiet and --resume */
  bool all = false, axis_given = false;
  while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
    if (c != O_QUIET && c != O_RESUME) others++;
    switch (c) {
      case 'h':
        qb__help();
        return 0;
      case O_SUITE:
        o.suite = optarg;
        break;
      case O_BACKEND:
        o.backends = 0;
        if (!qb__list(optarg, qb__backend, &o.backends)) {
          char backends[128];
          qb__backend_list(backends, sizeof backends);
          return qb_cli_usage_error("run", "--backend '%s': expected a list of %s", optarg, backends);
        }
        break;
      case O_DEVICE:
        o.device_filter = optarg;
        break;
      case O_OUT:
        if (optarg[0] == '\0') return qb_cli_usage_error("run", "--out: the file name is empty");
        o.out_path = optarg;
        break;
      case O_FORCE:
        o.force = true;
        break;
      case O_FORMAT:
        o.formats = 0;
        if (!qb__list(optarg, qb__format, &o.formats)) {
          return qb_cli_usage_error("run", "--format '%s': expected a list of json, csv", optarg);
        }
        break;
      case O_FILTER:
        o.filter = optarg;
        break;
      case O_REPS:
        if (!qb_parse_u64(optarg, 1, QB_SUITE_MAX_REPETITIONS, &u)) {
          return qb_cli_usage_error("run", "--repetitions '%s': expected 1 to %d", optarg,
                                    QB_SUITE_MAX_REPETITIONS);
        }
        o.repetitions = (unsigned) u;
        break;
      case O_MINTIME:
        if (!qb__seconds(optarg, &o.min_time)) {
          return qb_cli_usage_error("run", "--min-time '%s': expected seconds, > 0 and at most 86400",
                                    optarg);
        }
        break;
      case O_CACHES:
        o.caches = optarg;
        break;
      case O_THREADS:
        o.n_threads = 0;
        if (!qb__list(optarg, qb__thread, &o)) {
          return qb_cli_usage_error(
              "run", "--threads '%s': expected a list of counts (1 to 4096), 'all' or '1..all'", optarg);
        }
        break;
      case O_SEED:
        if (!qb_parse_u64(optarg, 0, UINT64_MAX, &o.seed)) {
          return qb_cli_usage_error("run", "--seed '%s': expected a non-negative integer", optarg);
        }
        o.seed_given = true;
        break;
      case O_QUIET:
        o.quiet = true;
        break;
      case O_LIST:
        o.list_only = true;
        break;
      case O_SHOW_SKIPPED:
        o.show_skipped = true;
        break;
      case O_CONTEXT: {
        const char* eq = strchr(optarg, '=');
        size_t klen = eq ? (size_t) (eq - optarg) : 0;
        if (eq == NULL || klen == 0 || klen >= 128 ||
            strspn(optarg,
                   "abcdefghijklmnopqrstuvwxyz"
                   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != klen) {
          return qb_cli_usage_error("run", "--context '%s': expected KEY=VALUE (KEY: letters, digits, _ . -)",
                                    optarg);
        }
        if (o.n_context == QB_RUN_MAX_CONTEXT)
          return qb_cli_usage_error("run", "--context: at most %d pairs", QB_RUN_MAX_CONTEXT);
        o.context[o.n_context++] = optarg;
        break;
      }
      case O_TIMEOUT:
        if (!qb__seconds(optarg, &o.case_timeout)) {
          return qb_cli_usage_error("run", "--case-timeout '%s': expected seconds, > 0 and at most 86400",
                                    optarg);
        }
        break;
      case O_NOROOFS:
        o.no_roofs = true;
        break;
      case O_RESUME:
        o.resume = optarg;
        break;
      case O_DATA:
        if (optarg[0] == '\0') return qb_cli_usage_error("run", "--data: the file name is empty");
        o.data = optarg;
        break;
      case O_TENSOR:
        o.tensor = optarg;
        break;
      case O_ALL:
        all = true;
        break;
      case O_AXIS:
        if (!qb_parse_u64(optarg, 0, 7, &u)) {
          return qb_cli_usage_error("run", "--axis '%s': expected an integer from 0 to 7", optarg);
        }
        o.axis = (int) u;
        axis_given = true;
        break;
      default:
        return qb_cli_usage_error("run", "unknown or incomplete option '%s'", argv[optind - 1]);
    }
  }
  if (optind < argc) return qb_cli_usage_error("run", "unexpected argument '%s'", argv[optind]);
  if (o.data == NULL && (o.tensor != NULL || all || axis_given)) {
    return qb_cli_usage_error("run", "--tensor, --all and --axis need --data FILE");
  }
  if (all && o.tensor != NULL) return qb_cli_usage_error("run", "--all and --tensor exclude each other");
  if (o.resume != NULL) {
    /* The journal's run is finished as it was asked: nothing else may change it. */
    if (others > 0) {
      return qb_cli_usage_error("run",
                                "--resume takes no other option but --quiet (the run is finished as "
                                "its journal says)");
    }
    qb_run_options only;
    memset(&only, 0, sizeof only);
    only.quiet = o.quiet;
    only.resume = o.resume;
    return qb_run(ctx, &only);
  }
  return qb_run(ctx, &o);
}
