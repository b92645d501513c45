/* qbench plot RESULTS... --out DIR [--compare BASE NEW]: charts with gnuplot. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "report/compare.h"
#include "report/plot.h"

static void qb__help(void) {
  printf(
      "usage: qbench plot RESULTS... --out DIR [--compare BASE NEW] [--threshold PCT]\n"
      "                   [--normalize roof] [--tensor N] [--scripts DIR] [--machines]\n"
      "                   [--peers CSV] [--force]\n"
      "       qbench plot ERROR-DATA.json --out DIR [--force]\n"
      "\n"
      "Writes data files (.tsv) and charts (PNG and SVG, drawn by gnuplot with the scripts\n"
      "in plots/*.gp) into DIR, and DIR/index.html: a summary table per family, then the\n"
      "charts grouped by family, then each file's machine and run. Beside the charts,\n"
      "roof-fractions.csv: per family and backend (the CPU, each OpenCL device), at each\n"
      "size class and thread count, the best variant (median GB/s; never a failed row),\n"
      "its roof fraction (above 1 flagged) and GB/s, as index.html's 'Roof fractions'.\n"
      "Charts:\n"
      "  throughput-FAMILY  a bar per variant (largest n measured), grouped by path, across\n"
      "                     each the roof it was divided by (size class, thread count)\n"
      "  size-FAMILY    GB/s vs working-set size (log), one line per path, L1/L2/L3 marked;\n"
      "                 only for families measured at two or more sizes\n"
      "  roofline       dot products: FLOP/byte vs GFLOP/s, under the roofs of their sizes\n"
      "                 and thread counts\n"
      "  error          SQNR per format (quantizers: quantize then dequantize), per input\n"
      "                 distribution\n"
      "  memory         storage of one tensor in every format of 'qbench memory', ratio to f32\n"
      "  machines       every RESULTS file side by side, each family at each file's best\n"
      "  regression     with --compare: each row's change and the threshold band\n"
      "The newest RESULTS file (context date) feeds every chart but 'machines', which\n"
      "compares them all.\n"
      "Given the output of 'qbench error --data FILE --json' instead (alone), it draws\n"
      "  pareto         SQNR vs bits per element, one point per format, the Pareto front\n"
      "                 (no format with fewer bits and more SQNR) joined and labelled\n"
      "Emulated runs (context.qbench.emulated) are left out of 'machines' beside real ones;\n"
      "charts of emulated timings say so in their titles.\n"
      "\n"
      "  --out DIR             output folder (created when missing; one holding an\n"
      "                        index.html is replaced only with --force)\n"
      "  --force               replace an earlier plot in --out\n"
      "  --compare BASE NEW    add the regression view of 'qbench compare BASE NEW'\n"
      "  --threshold PCT       its threshold band (default %g)\n"
      "  --normalize roof      compare by roof fraction in that view\n"
      "  --tensor N            elements of the tensor the memory chart sizes (default %llu)\n"
      "  --machines            a fleet: every RESULTS file is a machine; only the machines\n"
      "                        chart, the summary of the newest and each file's context\n"
      "  --peers CSV           add the roof table's ratio to public implementations, from\n"
      "                        the CSV of 'ci/peers.sh --csv' (best ratio per peer at the\n"
      "                        largest n in L2 and at the largest n)\n"
      "  --scripts DIR         gnuplot scripts (default: $QBENCH_PLOTS, else the installed\n"
      "                        share/qbench/plots, else plots/ of the source tree)\n"
      "gnuplot: $QBENCH_GNUPLOT, else 'gnuplot' from PATH (Debian: gnuplot-nox).\n"
      "\n"
      "exit codes: 0 charts written, 1 gnuplot failed, 2 bad usage or input, or no gnuplot\n",
      QB_COMPARE_DEFAULT_THRESHOLD_PCT, (unsigned long long) QB_PLOT_DEFAULT_TENSOR);
}

/* --compare takes two values, which getopt cannot: take them out of argv first. */
static int qb__take_compare(int* argc, char** argv, const char** base, const char** new_path) {
  for (int i = 1; i < *argc; i++) {
    if (strcmp(argv[i], "--") == 0) break;
    if (strcmp(argv[i], "--compare") != 0) continue;
    if (i + 2 >= *argc) return qb_cli_usage_error("plot", "--compare needs two results files, BASE and NEW");
    *base = argv[i + 1];
    *new_path = argv[i + 2];
    for (int j = i; j + 3 <= *argc; j++) argv[j] = argv[j + 3];
    *argc -= 3;
    i--;
  }
  return 0;
}

typedef struct qb__plot_args {
  qb_plot_opts plot;
  qb_compare_opts cmp;
  const char *base, *new_path;
  const char* peers; /* --peers CSV */
} qb__plot_args;

static int qb__parse(int argc, char** argv, qb__plot_args* a) {
  static const struct option longopts[] = {{"out", required_argument, NULL, 'o'},
                                           {"threshold", required_argument, NULL, 't'},
                                           {"normalize", required_argument, NULL, 'n'},
                                           {"tensor", required_argument, NULL, 'T'},
                                           {"scripts", required_argument, NULL, 's'},
                                           {"machines", no_argument, NULL, 'm'},
                                           {"peers", required_argument, NULL, 'p'},
                                           {"force", no_argument, NULL, 'f'},
                                           {"help", no_argument, NULL, 'h'},
                                           {NULL, 0, NULL, 0}};
  optind = 1;
  opterr = 0;
  int c;
  uint64_t tensor;
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (c) {
      case 'h':
        qb__help();
        return -1;
      case 'o':
        a->plot.out_dir = optarg;
        break;
      case 's':
        a->plot.scripts_dir = optarg;
        break;
      case 'm':
        a->plot.machines_only = true;
        break;
      case 'p':
        a->peers = optarg;
        break;
      case 'f':
        a->plot.force = true;
        break;
      case 't':
        if (!qb_parse_double(optarg, &a->cmp.threshold_pct) || a->cmp.threshold_pct < 0) {
          return qb_cli_usage_error("plot", "--threshold '%s': expected a percentage >= 0", optarg);
        }
        break;
      case 'n':
        if (strcmp(optarg, "roof") != 0) {
          return qb_cli_usage_error("plot", "--normalize '%s': the only normalization is 'roof'", optarg);
        }
        a->cmp.normalize_roof = true;
        break;
      case 'T':
        if (!qb_parse_u64(optarg, 1, UINT64_C(1) << 40, &tensor)) {
          return qb_cli_usage_error("plot", "--tensor '%s': expected a number of elements from 1 to 2^40",
                                    optarg);
        }
        a->plot.tensor_elems = tensor;
        break;
      default:
        return qb_cli_usage_error("plot", "unknown or incomplete option '%s'", argv[optind - 1]);
    }
  }
  if (a->plot.out_dir == NULL) return qb_cli_usage_error("plot", "--out DIR is required");
  if (optind >= argc) return qb_cli_usage_error("plot", "expected at least one results file");
  return 0;
}

int qb_cmd_plot(qb_ctx* ctx, int argc, char** argv) {
  (void) ctx;
  qb__plot_args a;
  memset(&a, 0, sizeof a);
  a.plot.tensor_elems = QB_PLOT_DEFAULT_TENSOR;
  qb_compare_opts_default(&a.cmp);
  int rc = qb__take_compare(&argc, argv, &a.base, &a.new_path);
  if (rc == 0) rc = qb__parse(argc, argv, &a);
  if (rc != 0) return rc < 0 ? 0 : rc;

  /* No gnuplot: say so before reading or writing anything. */
  qb_error err = {0};
  char gnuplot[4096], scripts[4096];
  qb_status st = qb_plot_check(&a.plot, gnuplot, sizeof gnuplot, scripts, sizeof scripts, &err);
  if (st != QB_OK) {
    qb_error_print(&err);
    return 2;
  }

  /* The summary of `qbench error --data --json`: error vs bits per element, alone. */
  if (strcmp(argv[optind], "-") != 0) {
    qb_pareto_set ps;
    st = qb_pareto_load(argv[optind], &ps, &err);
    const bool error_data = ps.is_error_data;
    if (st == QB_OK && error_data) {
      qb_plot_report* prep = calloc(1, sizeof *prep);
      if (argc - optind != 1 || a.base != NULL || a.plot.machines_only) {
        st = qb_fail(
            &err, QB_USAGE,
            "%s is 'qbench error --data' output: it is plotted alone (one file, no --compare or --machines)",
            argv[optind]);
      } else if (prep == NULL) {
        st = qb_fail(&err, QB_NO_MEMORY, "out of memory");
      } else {
        st = qb_plot_pareto(&ps, &a.plot, prep, &err);
      }
      if (st == QB_OK) {
        fprintf(stderr, "qbench plot: %zu formats, %zu on the Pareto front; open %s/index.html\n", ps.n,
                qb_pareto_front(ps.points, ps.n), a.plot.out_dir);
      }
      free(prep);
      qb_pareto_free(&ps);
    }
    if (error_data) {
      if (st != QB_OK) qb_error_print(&err);
      return st == QB_OK ? 0 : (st == QB_INTERNAL ? 1 : 2);
    }
    st = QB_OK; /* a results file (or none): read and judged as ever below */
  }

  size_t n_sets = (size_t) (argc - optind);
  qb_resultset* sets = calloc(n_sets, sizeof *sets);
  qb_resultset base = {0}, new_set = {0};
  qb_comparison cmp = {0};
  bool have_cmp = false;
  qb_plot_report* rep = calloc(1, sizeof *rep);
  qb_plot_peers peers = {0};
  if (sets == NULL || rep == NULL) {
    st = qb_fail(&err, QB_NO_MEMORY, "out of memory");
    goto done;
  }
  /* The peers' CSV first: a bad one is one line, and nothing is written. */
  if (a.peers != NULL) {
    st = qb_plot_peers_load(a.peers, &peers, &err);
    a.plot.peers = &peers;
  }
  for (size_t i = 0; i < n_sets && st == QB_OK; i++)
    st = qb_resultset_load(argv[optind + (int) i], &sets[i], &err);
  if (st == QB_OK && a.base != NULL) {
    st = qb_resultset_load(a.base, &base, &err);
    if (st == QB_OK) st = qb_resultset_load(a.new_path, &new_set, &err);
    if (st == QB_OK) st = qb_compare_sets(&base, &new_set, &a.cmp, &cmp, &err);
    have_cmp = st == QB_OK;
    a.plot.cmp = have_cmp ? &cmp : NULL;
  }
  if (st == QB_OK) st = qb_plot_all(sets, n_sets, &a.plot, rep, &err);
  if (st == QB_OK && rep->note[0] != '\0') fprintf(stderr, "qbench plot: %s\n", rep->note);
  if (st == QB_OK) {
    fprintf(stderr, "qbench plot: %zu charts (PNG and SVG) and their data in %s; open %s/index.html\n",
            rep->n_charts, a.plot.out_dir, a.plot.out_dir);
  }
done:
  if (st != QB_OK) qb_error_print(&err);
  if (have_cmp) qb_comparison_free(&cmp);
  qb_plot_peers_free(&peers);
  qb_resultset_free(&new_set);
  qb_resultset_free(&base);
  for (size_t i = 0; sets != NULL && i < n_sets; i++) qb_resultset_free(&sets[i]);
  free(sets);
  free(rep);
  if (st == QB_OK) return 0;
  return st == QB_INTERNAL ? 1 : 2;
}
