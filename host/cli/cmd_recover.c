/* qbench recover JOURNAL: the results file from whatever a run's journal holds. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "io/journal.h"
#include "io/results.h"

static void qb__help(void) {
  printf(
      "usage: qbench recover JOURNAL [--out FILE] [--force] [--format json|csv|json,csv]\n"
      "\n"
      "Writes the results file of a run from its journal (FILE.journal, appended by\n"
      "'qbench run' as each case finished): after SIGKILL, the OOM killer, a crash, a\n"
      "power cut, or a results file that could not be written. Every case the journal\n"
      "holds is a row as the run measured it; context.qbench.incomplete is true unless\n"
      "every planned case is in, and context.qbench.recovered is true.\n"
      "'qbench run --resume JOURNAL' instead finishes the run.\n"
      "\n"
      "  --out FILE|-   the results file (default: the run's own target); x.csv is a CSV;\n"
      "                 - writes JSON (or --format csv) to stdout and nothing else\n"
      "  --force        replace an existing file\n"
      "  --format LIST  json, csv or json,csv (default: what the run was to write, or\n"
      "                 the name's extension with --out; json with --out -)\n"
      "\n"
      "exit codes: 0 written, every planned case in and none failed; 1 written but\n"
      "incomplete or with error rows, or the file could not be written; 2 bad usage or\n"
      "a journal that is not one (nothing written).\n");
}

static bool qb__format(const char* s, unsigned* out) {
  if (strcmp(s, "json") == 0) {
    *out = QB_RESULTS_JSON;
  } else if (strcmp(s, "csv") == 0) {
    *out = QB_RESULTS_CSV;
  } else if (strcmp(s, "json,csv") == 0 || strcmp(s, "csv,json") == 0) {
    *out = QB_RESULTS_JSON | QB_RESULTS_CSV;
  } else {
    return false;
  }
  return true;
}

int qb_cmd_recover(qb_ctx* ctx, int argc, char** argv) {
  (void) ctx;
  static const struct option opts[] = {{"out", required_argument, NULL, 'o'},
                                       {"force", no_argument, NULL, 'f'},
                                       {"format", required_argument, NULL, 'F'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  const char* out = NULL;
  bool force = false;
  unsigned formats = 0;
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
      case 'h':
        qb__help();
        return 0;
      case 'o':
        if (optarg[0] == '\0') return qb_cli_usage_error("recover", "--out: the file name is empty");
        if (strlen(optarg) > PATH_MAX - 32) {
          return qb_cli_usage_error("recover", "--out: the path is %zu bytes long (at most %d)",
                                    strlen(optarg), PATH_MAX - 32);
        }
        out = optarg;
        break;
      case 'f':
        force = true;
        break;
      case 'F':
        if (!qb__format(optarg, &formats)) {
          return qb_cli_usage_error("recover", "--format '%s': expected json, csv or json,csv", optarg);
        }
        break;
      default:
        return qb_cli_usage_error("recover", "unknown or incomplete option '%s'", argv[optind - 1]);
    }
  }
  if (optind + 1 != argc) {
    return qb_cli_usage_error(
        "recover", optind >= argc ? "expected the journal (FILE.journal)" : "expected one journal, got more");
  }
  const char* jpath = argv[optind];
  qb_journal_data d;
  qb_error err = {0};
  if (qb_journal_load(jpath, &d, &err) != QB_OK) {
    qb_error_print(&err);
    return 2;
  }
  const json_t* opt = json_object_get(d.header, "options");
  const char* target = out ? out : json_string_value(json_object_get(d.header, "target"));
  const bool to_stdout = qb_results_is_stdout(target);
  if (to_stdout && formats == (QB_RESULTS_JSON | QB_RESULTS_CSV)) {
    qb_journal_data_free(&d);
    return qb_cli_usage_error("recover", "--out - with --format json,csv: standard output holds one format");
  }
  if (to_stdout && formats == 0) formats = QB_RESULTS_JSON;
  if (formats == 0) {
    const size_t n = strlen(target);
    const json_int_t f = json_integer_value(json_object_get(opt, "formats"));
    if (out != NULL) {
      formats =
          n >= 4 && strcmp(target + n - 4, ".csv") == 0 ? QB_RESULTS_CSV : (QB_RESULTS_JSON | QB_RESULTS_CSV);
    } else {
      formats = (f > 0 && f <= (QB_RESULTS_JSON | QB_RESULTS_CSV)) ? (unsigned) f
                                                                   : (QB_RESULTS_JSON | QB_RESULTS_CSV);
    }
  }
  /* Checked before anything is written: a taken name is refused (2), not overwritten. */
  if (!to_stdout && qb_results_check_targets(target, force, formats, &err) != QB_OK) {
    qb_journal_data_free(&d);
    qb_error_print(&err);
    return 2;
  }
  size_t cases, error_rows;
  bool incomplete;
  json_t* doc = qb_journal_results(&d, &cases, &error_rows, &incomplete);
  const json_int_t planned = json_integer_value(json_object_get(json_object_get(d.header, "plan"), "count"));
  const bool torn = d.torn_tail;
  const qb_status st = to_stdout ? qb_results_write_stream(stdout, doc, formats, "standard output", &err)
                                 : qb_results_write(target, doc, force, formats, &err);
  json_decref(doc);
  int rc = (incomplete || error_rows > 0) ? 1 : 0;
  if (st != QB_OK) {
    fprintf(stderr, "qbench recover: %s (the journal %s is unchanged)\n", err.msg, jpath);
    rc = 1;
  } else {
    fprintf(stderr, "qbench recover: %zu of %lld cases%s; wrote %s\n", cases, (long long) planned,
            torn ? " (a last line cut short by the crash left out)" : "",
            to_stdout ? "them to standard output" : target);
  }
  qb_journal_data_free(&d); /* target may be the header's */
  return rc;
}
