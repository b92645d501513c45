/* qbench compare BASE NEW: timing (noise-aware) and numerical-error regressions. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "report/compare.h"

static void qb__help(void) {
  printf(
      "usage: qbench compare BASE NEW [--threshold PCT] [--alpha A] [--normalize roof]\n"
      "                      [--error-tolerance X] [--format table|md|json]\n"
      "\n"
      "Compares two results files (qbench's, or plain Google Benchmark JSON) row by row,\n"
      "matched by name. Per row: the median time change, throughput and roof-fraction\n"
      "changes, every error metric's change; new, missing, skipped and errored rows are\n"
      "listed.\n"
      "\n"
      "A row is a timing regression only when a two-sided Mann-Whitney U test over the\n"
      "repetitions gives p < A AND the median slowed down by more than PCT percent. With\n"
      "fewer than %d repetitions on a side the verdict is weak: reported, never failing.\n"
      "Numerical error is deterministic: any worsening of an error metric (SQNR down;\n"
      "max_abs, max_rel, rmse, nmse, ulp or mismatches up) beyond X is a regression, as is\n"
      "a row that was ok and now errors.\n"
      "When either file is an emulated run (context.qbench.emulated), timing is not\n"
      "compared (its times mean nothing): only statuses and numerical error count.\n"
      "\n"
      "  --threshold PCT        slowdown threshold in percent (default %g)\n"
      "  --alpha A              significance level of the U test (default %g)\n"
      "  --normalize roof       compare roof_fraction instead of time, so that runs on other\n"
      "                         machines or busy runners compare fairly (rows without a\n"
      "                         roof fraction fall back to time and are counted)\n"
      "  --error-tolerance X    relative slack per error metric: worse by more than X times\n"
      "                         its base value (default 0: any worsening)\n"
      "  --format F             table (default), md (markdown) or json\n"
      "\n"
      "exit codes: 0 no regression, 1 regression, 2 bad usage or bad input (unreadable\n"
      "file, different suites, no rows in common)\n",
      QB_COMPARE_STRONG_REPS, QB_COMPARE_DEFAULT_THRESHOLD_PCT, QB_COMPARE_DEFAULT_ALPHA);
}

/* Parses the options into opts and *fmt; returns 0 to go on, else the exit code. */
static int qb__parse(int argc, char** argv, qb_compare_opts* opts, qb_compare_format* fmt) {
  static const struct option longopts[] = {{"threshold", required_argument, NULL, 't'},
                                           {"alpha", required_argument, NULL, 'a'},
                                           {"normalize", required_argument, NULL, 'n'},
                                           {"error-tolerance", required_argument, NULL, 'e'},
                                           {"format", required_argument, NULL, 'f'},
                                           {"help", no_argument, NULL, 'h'},
                                           {NULL, 0, NULL, 0}};
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (c) {
      case 'h':
        qb__help();
        return -1;
      case 't':
        if (!qb_parse_double(optarg, &opts->threshold_pct) || opts->threshold_pct < 0) {
          return qb_cli_usage_error("compare", "--threshold '%s': expected a percentage >= 0", optarg);
        }
        break;
      case 'a':
        if (!qb_parse_double(optarg, &opts->alpha) || !(opts->alpha > 0 && opts->alpha < 1)) {
          return qb_cli_usage_error("compare", "--alpha '%s': expected a number between 0 and 1", optarg);
        }
        break;
      case 'n':
        if (strcmp(optarg, "roof") != 0) {
          return qb_cli_usage_error("compare", "--normalize '%s': the only normalization is 'roof'", optarg);
        }
        opts->normalize_roof = true;
        break;
      case 'e':
        if (!qb_parse_double(optarg, &opts->error_tolerance) || opts->error_tolerance < 0) {
          return qb_cli_usage_error("compare", "--error-tolerance '%s': expected a number >= 0", optarg);
        }
        break;
      case 'f':
        if (strcmp(optarg, "table") == 0) {
          *fmt = QB_COMPARE_TABLE;
        } else if (strcmp(optarg, "md") == 0) {
          *fmt = QB_COMPARE_MD;
        } else if (strcmp(optarg, "json") == 0) {
          *fmt = QB_COMPARE_JSON;
        } else {
          return qb_cli_usage_error("compare", "--format '%s': expected table, md or json", optarg);
        }
        break;
      default:
        return qb_cli_usage_error("compare", "unknown or incomplete option '%s'", argv[optind - 1]);
    }
  }
  if (argc - optind != 2) {
    return qb_cli_usage_error("compare", "expected two results files, BASE and NEW (got %d)", argc - optind);
  }
  return 0;
}

int qb_cmd_compare(qb_ctx* ctx, int argc, char** argv) {
  (void) ctx;
  qb_compare_opts opts;
  qb_compare_opts_default(&opts);
  qb_compare_format fmt = QB_COMPARE_TABLE;
  int rc = qb__parse(argc, argv, &opts, &fmt);
  if (rc != 0) return rc < 0 ? 0 : rc;

  qb_resultset base = {0}, new_set = {0};
  qb_comparison cmp = {0};
  qb_error err = {0};
  qb_status st = qb_resultset_load(argv[optind], &base, &err);
  if (st == QB_OK) st = qb_resultset_load(argv[optind + 1], &new_set, &err);
  if (st == QB_OK) st = qb_compare_sets(&base, &new_set, &opts, &cmp, &err);
  if (st == QB_OK && qb_comparison_emulated(&cmp)) {
    fprintf(stderr,
            "qbench compare: %s is an emulated run (context.qbench.emulated): timing not compared, "
            "only statuses and numerical error\n",
            cmp.base_emulated ? base.path : new_set.path);
  }
  if (st == QB_OK) st = qb_compare_print(stdout, &cmp, fmt, &err);
  if (st != QB_OK) {
    qb_error_print(&err);
    rc = 2;
  } else {
    rc = qb_comparison_regressed(&cmp) ? 1 : 0;
  }
  qb_comparison_free(&cmp);
  qb_resultset_free(&new_set);
  qb_resultset_free(&base);
  return rc;
}
