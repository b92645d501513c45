/* qbench compare BASE NEW: timing (noise-aware) and numerical-error regressions;
 * qbench compare --paired A1 B1 A2 B2 ...: the regression gate's paired verdict. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "report/compare.h"
#include "report/paired.h"

static void qb__help(void) {
  printf(
      "usage: qbench compare BASE NEW [--threshold PCT] [--alpha A] [--normalize roof]\n"
      "                      [--error-tolerance X] [--strict-reassoc] [--rename OLD=NEW ...]\n"
      "                      [--format table|md|json] [--json] [--out FILE|- [--force]]\n"
      "       qbench compare --paired A1 B1 [A2 B2 ...] [--threshold PCT]\n"
      "                      [--device-threshold PCT] [--alpha A] [--error-tolerance X]\n"
      "                      [--strict-reassoc]\n"
      "                      [--icount-base FILE --icount-head FILE [--icount-threshold PCT]]\n"
      "                      [--rename OLD=NEW ...] [--format table|md|json] [--json]\n"
      "                      [--out FILE|- [--force]]\n"
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
      "a row that was ok and now errors, is skipped or is missing. A dot whose semantics\n"
      "allow reassociation (qbench list: reassoc) may sum in any order, and each order\n"
      "rounds differently: its contract is its bound on |result - scalar reference|, so\n"
      "while NEW stays within that bound (no mismatch) a worse figure is listed as a change\n"
      "within the bound, not a regression (--strict-reassoc: a regression too).\n"
      "Warnings on stderr: when the repetitions are too few for the U test ever to reach\n"
      "p < A (no timing verdict can fail), and when the files come from different CPU\n"
      "models or qbench versions (their timings mix the machines with the change).\n"
      "When either file is an emulated run (context.qbench.emulated), timing is not\n"
      "compared (its times mean nothing): only statuses and numerical error count.\n"
      "\n"
      "With --paired, the files are rounds: A is the base, B the head, each round one run\n"
      "of each on the same machine moments apart (ci/regression runs them, alternating\n"
      "A B, B A, ...). Per row and round d = ln(B/A) of the two fastest repetitions; over the\n"
      "rounds the Hodges-Lehmann estimate of the shift and its 1-A Wilcoxon signed-rank\n"
      "interval (exact, deterministic). A row is SLOWER (a regression) when the whole\n"
      "interval lies above PCT, passes when it lies at or below PCT, and otherwise has\n"
      "no verdict, named with the reason (interval straddles PCT, or too few rounds: 6\n"
      "are needed for a 95 %% interval); no verdict does not fail. Device-timed rows\n"
      "(OpenCL) use --device-threshold. Always failing: a row ok in the base and error,\n"
      "skipped or missing in the head; an error metric worse in any round (a reassoc\n"
      "dot: outside its bound); a backend\n"
      "device with ok rows in the base and none in the head.\n"
      "With --icount-base and --icount-head (counts files of `qbench icount` run by the\n"
      "base's and the head's qbench), a kernel whose instructions per element rose by\n"
      "more than --icount-threshold percent, or that the base counted and the head did\n"
      "not, is a regression too: the counts are exact, so no noise can trip it.\n"
      "\n"
      "  --threshold PCT        slowdown threshold in percent (default %g; --paired: %g)\n"
      "  --device-threshold PCT --paired: the threshold of device-timed rows (default %g)\n"
      "  --alpha A              significance level of the U test, or 1 - the paired\n"
      "                         interval's confidence (default %g)\n"
      "  --normalize roof       compare roof_fraction instead of time, so that runs on other\n"
      "                         machines or busy runners compare fairly (rows without a\n"
      "                         roof fraction fall back to time and are counted)\n"
      "  --icount-base FILE, --icount-head FILE\n"
      "                         --paired: the base's and the head's instruction counts\n"
      "  --icount-threshold PCT --paired: instructions per element may rise by this much\n"
      "                         (default %g)\n"
      "  --error-tolerance X    relative slack per error metric: worse by more than X times\n"
      "                         its base value (default 0: any worsening)\n"
      "  --strict-reassoc       judge reassoc dots' error figures against the base as well,\n"
      "                         not only against their semantics' bound\n"
      "  --rename OLD=NEW       a variant renamed between base and head: the base's rows\n"
      "                         (and counts) of kernel OLD are compared as kernel NEW's\n"
      "                         (stable names, FAMILY__VARIANT; repeatable; ci/renames)\n"
      "  --format F             table (default), md (markdown) or json; --json is json\n"
      "  --out FILE|-           the report to FILE (atomically, exactly that name; .md and\n"
      "                         .json pick the format) or stdout (-, the default)\n"
      "  --force                replace an existing --out FILE\n"
      "\n"
      "exit codes: 0 no regression, 1 regression, 2 bad usage or bad input (unreadable\n"
      "file, different suites, no rows in common)\n",
      QB_COMPARE_STRONG_REPS, QB_COMPARE_DEFAULT_THRESHOLD_PCT, QB_PAIRED_DEFAULT_THRESHOLD_PCT,
      QB_PAIRED_DEFAULT_DEVICE_THRESHOLD_PCT, QB_COMPARE_DEFAULT_ALPHA, QB_ICOUNT_DEFAULT_THRESHOLD_PCT);
}

#define QB__MAX_RENAMES 64

/* The options of both modes. */
typedef struct qb__args {
  qb_compare_opts opts;
  qb_paired_opts paired_opts;
  bool paired, threshold_set;
  qb_compare_format fmt;
  qb_cli_out out;
  const char *icount_base, *icount_head; /* --paired: counts files, or NULL */
  double icount_threshold_pct;
  /* --rename OLD=NEW: the base's kernel OLD compared as NEW (split at '=' in place). */
  size_t n_renames;
  const char *rename_from[QB__MAX_RENAMES], *rename_to[QB__MAX_RENAMES];
} qb__args;

/* OLD=NEW of --rename, checked and split in place; 0, else the exit code (2). */
static int qb__parse_rename(char* arg, qb__args* a) {
  char* eq = strchr(arg, '=');
  const char* bad = NULL;
  if (eq == NULL) {
    bad = "expected OLD=NEW";
  } else {
    *eq = '\0';
    for (const char* k = arg; k != NULL; k = (k == arg) ? eq + 1 : NULL) {
      const char* sep = strstr(k, "__");
      if (sep == NULL || sep == k || sep[2] == '\0' || strchr(k, '/') != NULL || strchr(k, '=') != NULL) {
        bad = "expected two stable kernel names FAMILY__VARIANT, as `qbench list` prints them";
      }
    }
    if (bad == NULL && strcmp(arg, eq + 1) == 0) bad = "OLD and NEW are the same kernel";
  }
  if (bad == NULL && a->n_renames == QB__MAX_RENAMES) bad = "too many renames (at most 64)";
  if (bad != NULL) {
    if (eq != NULL) *eq = '=';
    return qb_cli_usage_error("compare", "--rename '%s': %s", arg, bad);
  }
  a->rename_from[a->n_renames] = arg;
  a->rename_to[a->n_renames] = eq + 1;
  a->n_renames++;
  return 0;
}

/* The renames on one base results file; says on stderr what was renamed. */
static qb_status qb__rename_set(const qb__args* a, qb_resultset* r, bool say, qb_error* err) {
  for (size_t k = 0; k < a->n_renames; k++) {
    size_t n = 0;
    qb_status st = qb_resultset_rename_kernel(r, a->rename_from[k], a->rename_to[k], &n, err);
    if (st != QB_OK) return st;
    if (n > 0 && say) {
      fprintf(stderr, "qbench compare: %s: the rows of %s compared as %s (--rename)\n", r->path,
              a->rename_from[k], a->rename_to[k]);
    }
  }
  return QB_OK;
}

/* Parses the options into *a; returns 0 to go on, else the exit code. */
static int qb__parse(int argc, char** argv, qb__args* a) {
  qb_compare_opts* opts = &a->opts;
  qb_compare_format* fmt = &a->fmt;
  static const struct option longopts[] = {{"threshold", required_argument, NULL, 't'},
                                           {"device-threshold", required_argument, NULL, 'd'},
                                           {"paired", no_argument, NULL, 'p'},
                                           {"alpha", required_argument, NULL, 'a'},
                                           {"normalize", required_argument, NULL, 'n'},
                                           {"error-tolerance", required_argument, NULL, 'e'},
                                           {"strict-reassoc", no_argument, NULL, 's'},
                                           QB_CLI_OUT_OPTIONS,
                                           {"icount-base", required_argument, NULL, 'B'},
                                           {"icount-head", required_argument, NULL, 'H'},
                                           {"icount-threshold", required_argument, NULL, 'T'},
                                           {"rename", required_argument, NULL, 'r'},
                                           {"help", no_argument, NULL, 'h'},
                                           {NULL, 0, NULL, 0}};
  int c;
  while ((c = qb_cli_out_getopt(&a->out, argc, argv, "h", longopts)) != -1) {
    switch (c) {
      case 'h':
        qb__help();
        return -1;
      case 't':
        if (!qb_parse_double(optarg, &opts->threshold_pct) || opts->threshold_pct < 0) {
          return qb_cli_usage_error("compare", "--threshold '%s': expected a percentage >= 0", optarg);
        }
        a->threshold_set = true;
        break;
      case 'd':
        if (!qb_parse_double(optarg, &a->paired_opts.device_threshold_pct) ||
            a->paired_opts.device_threshold_pct < 0) {
          return qb_cli_usage_error("compare", "--device-threshold '%s': expected a percentage >= 0", optarg);
        }
        break;
      case 'p':
        a->paired = true;
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
      case 's':
        opts->strict_reassoc = true;
        break;
      case 'B':
        a->icount_base = optarg;
        break;
      case 'H':
        a->icount_head = optarg;
        break;
      case 'T':
        if (!qb_parse_double(optarg, &a->icount_threshold_pct) || a->icount_threshold_pct < 0) {
          return qb_cli_usage_error("compare", "--icount-threshold '%s': expected a percentage >= 0", optarg);
        }
        break;
      case 'r':
        if (qb__parse_rename(optarg, a) != 0) return 2;
        break;
      default: /* QB_CLI_OPT_USAGE: the error is printed */
        return 2;
    }
  }
  if ((a->icount_base != NULL) != (a->icount_head != NULL)) {
    return qb_cli_usage_error("compare", "--icount-base and --icount-head go together");
  }
  if (a->icount_base != NULL && !a->paired) {
    return qb_cli_usage_error("compare", "--icount-base/--icount-head apply to --paired only");
  }
  if (qb_cli_out_begin(&a->out) != 0) return 2;
  *fmt = a->out.format == QB_CLI_JSON ? QB_COMPARE_JSON
         : a->out.format == QB_CLI_MD ? QB_COMPARE_MD
                                      : QB_COMPARE_TABLE;
  if (a->paired) {
    if (argc - optind < 2 || (argc - optind) % 2 != 0) {
      return qb_cli_usage_error(
          "compare", "--paired: expected rounds of two files, A1 B1 A2 B2 ... (got %d files)", argc - optind);
    }
    if (opts->normalize_roof) {
      return qb_cli_usage_error("compare",
                                "--paired compares times of one machine: --normalize does not apply");
    }
    a->paired_opts.alpha = opts->alpha;
    a->paired_opts.error_tolerance = opts->error_tolerance;
    a->paired_opts.strict_reassoc = opts->strict_reassoc;
    if (a->threshold_set) a->paired_opts.threshold_pct = opts->threshold_pct;
    return 0;
  }
  if (argc - optind != 2) {
    return qb_cli_usage_error("compare", "expected two results files, BASE and NEW (got %d)", argc - optind);
  }
  return 0;
}

/* qbench compare --paired A1 B1 A2 B2 ...: loads every round, judges, reports. */
static int qb__paired(const qb__args* a, int nfiles, char** files) {
  size_t rounds = (size_t) nfiles / 2;
  qb_resultset* sets = calloc((size_t) nfiles, sizeof *sets);
  const qb_resultset** base = calloc(rounds, sizeof *base);
  const qb_resultset** head = calloc(rounds, sizeof *head);
  qb_paired p = {0};
  qb_icount_set ib = {0}, ih = {0};
  qb_icount_cmp ic = {0};
  qb_error err = {0};
  qb_status st = QB_OK;
  if (sets == NULL || base == NULL || head == NULL) st = qb_fail(&err, QB_NO_MEMORY, "out of memory");
  /* The counts first: a bad counts file is bad input, found before any other work. */
  if (st == QB_OK && a->icount_base != NULL) {
    st = qb_icount_load(a->icount_base, &ib, &err);
    for (size_t k = 0; st == QB_OK && k < a->n_renames; k++) {
      st = qb_icount_rename(&ib, a->rename_from[k], a->rename_to[k], &err);
    }
    if (st == QB_OK) st = qb_icount_load(a->icount_head, &ih, &err);
    if (st == QB_OK) st = qb_icount_compare(&ib, &ih, a->icount_threshold_pct, &ic, &err);
  }
  for (int i = 0; st == QB_OK && i < nfiles; i++) st = qb_resultset_load(files[i], &sets[i], &err);
  for (size_t r = 0; st == QB_OK && r < rounds; r++) st = qb__rename_set(a, &sets[2 * r], r == 0, &err);
  for (size_t r = 0; st == QB_OK && r < rounds; r++) {
    base[r] = &sets[2 * r];
    head[r] = &sets[2 * r + 1];
  }
  if (st == QB_OK) st = qb_paired_compare(base, head, rounds, &a->paired_opts, &p, &err);
  if (st == QB_OK && a->icount_base != NULL) p.icount = &ic;
  if (st == QB_OK && strcmp(p.base_cpu, p.head_cpu) != 0) {
    fprintf(stderr,
            "qbench compare: warning: base ran on '%s', head on '%s': not a paired run of one machine\n",
            p.base_cpu, p.head_cpu);
  }
  if (st == QB_OK) st = qb_paired_print(a->out.f, &p, a->fmt, &err);
  int rc;
  if (st != QB_OK) {
    qb_error_print(&err);
    rc = 2;
  } else {
    rc = qb_paired_regressed(&p) ? 1 : 0;
  }
  qb_paired_free(&p);
  qb_icount_cmp_free(&ic);
  qb_icount_free(&ib);
  qb_icount_free(&ih);
  for (int i = 0; sets != NULL && i < nfiles; i++) qb_resultset_free(&sets[i]);
  free(sets);
  free(base);
  free(head);
  return rc;
}

/* Warnings for a human comparing two files: verdicts that cannot fail, and timings that
 * mix two machines or two builds with the change. */
static void qb__warn(const qb_resultset* b, const qb_resultset* n, const qb_comparison* c) {
  if (b->cpu_model[0] && n->cpu_model[0] && strcmp(b->cpu_model, n->cpu_model) != 0) {
    fprintf(stderr,
            "qbench compare: warning: BASE ran on '%s', NEW on '%s': timing changes mix the two machines "
            "with the change (pair runs of one machine: ci/regression, qbench compare --paired)\n",
            b->cpu_model, n->cpu_model);
  }
  if (b->version[0] && n->version[0] && strcmp(b->version, n->version) != 0) {
    fprintf(stderr, "qbench compare: warning: BASE is qbench %s, NEW is qbench %s\n", b->version, n->version);
  }
  if (qb_comparison_emulated(c)) return;
  size_t weakest = 0, rb = 0, rn = 0;
  double worst = 0;
  for (size_t i = 0; i < c->n_rows; i++) {
    const qb_cmp_row* r = &c->rows[i];
    if (r->presence != QB_CMP_BOTH || r->verdict == QB_CMP_NOT_TIMED) continue;
    double p = qb_mann_whitney_min_p(r->base_reps, r->new_reps);
    if (p < c->opts.alpha) continue;
    if (weakest++ == 0 || p > worst) {
      worst = p;
      rb = r->base_reps;
      rn = r->new_reps;
    }
  }
  if (weakest == 0) return;
  size_t need = 1;
  while (qb_mann_whitney_min_p(need, need) >= c->opts.alpha) need++;
  fprintf(
      stderr,
      "qbench compare: warning: %zu timed rows have too few repetitions for the U test to reach p < %g "
      "(%zu against %zu: its smallest p is %.3g): no timing verdict there can fail; use --repetitions %zu "
      "or more, or pair runs (ci/regression, qbench compare --paired)\n",
      weakest, c->opts.alpha, rb, rn, worst, need);
}

int qb_cmd_compare(qb_ctx* ctx, int argc, char** argv) {
  (void) ctx;
  qb__args a = {.fmt = QB_COMPARE_TABLE};
  qb_cli_out_init(&a.out, "compare", QB_CLI_FMT_BIT(QB_CLI_JSON) | QB_CLI_FMT_BIT(QB_CLI_MD));
  qb_compare_opts_default(&a.opts);
  qb_paired_opts_default(&a.paired_opts);
  a.icount_threshold_pct = QB_ICOUNT_DEFAULT_THRESHOLD_PCT;
  int rc = qb__parse(argc, argv, &a);
  if (rc != 0) return qb_cli_out_end(&a.out, rc < 0 ? 0 : rc);
  if (a.paired) return qb_cli_out_end(&a.out, qb__paired(&a, argc - optind, argv + optind));
  const qb_compare_opts opts = a.opts;
  const qb_compare_format fmt = a.fmt;

  qb_resultset base = {0}, new_set = {0};
  qb_comparison cmp = {0};
  qb_error err = {0};
  qb_status st = qb_resultset_load(argv[optind], &base, &err);
  if (st == QB_OK) st = qb__rename_set(&a, &base, true, &err);
  if (st == QB_OK) st = qb_resultset_load(argv[optind + 1], &new_set, &err);
  if (st == QB_OK) st = qb_compare_sets(&base, &new_set, &opts, &cmp, &err);
  if (st == QB_OK && qb_comparison_emulated(&cmp)) {
    fprintf(stderr,
            "qbench compare: %s is an emulated run (context.qbench.emulated): timing not compared, "
            "only statuses and numerical error\n",
            cmp.base_emulated ? base.path : new_set.path);
  }
  if (st == QB_OK) qb__warn(&base, &new_set, &cmp);
  if (st == QB_OK) st = qb_compare_print(a.out.f, &cmp, fmt, &err);
  if (st != QB_OK) {
    qb_error_print(&err);
    rc = 2;
  } else {
    rc = qb_comparison_regressed(&cmp) ? 1 : 0;
  }
  qb_comparison_free(&cmp);
  qb_resultset_free(&new_set);
  qb_resultset_free(&base);
  return qb_cli_out_end(&a.out, rc);
}
