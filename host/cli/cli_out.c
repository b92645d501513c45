/* One convention for where a command's data goes: --format, --json, --out FILE|-,
 * --force (cli.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "io/npy.h"
#include "io/results.h"

static const char* const qb__format_names[] = {"table", "json", "csv", "md"};
#define QB__NFORMATS (sizeof qb__format_names / sizeof qb__format_names[0])

bool qb_cli_format_parse(const char* s, qb_cli_format* out) {
  for (size_t i = 0; i < QB__NFORMATS; i++) {
    if (strcmp(s, qb__format_names[i]) == 0) {
      *out = (qb_cli_format) i;
      return true;
    }
  }
  return false;
}

const char* qb_cli_format_name(qb_cli_format f) {
  return (size_t) f < QB__NFORMATS ? qb__format_names[f] : "?";
}

/* "table, json or csv": the allowed formats in words. */
static void qb__allowed_words(unsigned allowed, char* buf, size_t len) {
  size_t n = 0, k = 0;
  for (size_t i = 0; i < QB__NFORMATS; i++) n += (allowed >> i) & 1u;
  buf[0] = '\0';
  for (size_t i = 0; i < QB__NFORMATS; i++) {
    if (!((allowed >> i) & 1u)) continue;
    const size_t used = strlen(buf);
    snprintf(buf + used, len - used, "%s%s", k == 0 ? "" : (k + 1 == n ? " or " : ", "), qb__format_names[i]);
    k++;
  }
}

void qb_cli_out_init(qb_cli_out* o, const char* cmd, unsigned allowed) {
  memset(o, 0, sizeof *o);
  o->cmd = cmd;
  o->allowed = allowed | QB_CLI_FMT_BIT(QB_CLI_TABLE);
  o->format = QB_CLI_TABLE;
}

/* 1 when `c` was one of the output options (taken), 0 when not, 2 on bad usage (the
 * one-line error printed). */
static int qb__option(qb_cli_out* o, int c, const char* arg) {
  char words[64];
  switch (c) {
    case QB_CLI_OPT_FORMAT: {
      qb_cli_format f;
      if (!qb_cli_format_parse(arg, &f) || !(o->allowed & QB_CLI_FMT_BIT(f))) {
        qb__allowed_words(o->allowed, words, sizeof words);
        return qb_cli_usage_error(o->cmd, "--format '%s': expected %s", arg, words);
      }
      o->format = f;
      o->format_given = true;
      return 1;
    }
    case QB_CLI_OPT_JSON:
      if (!(o->allowed & QB_CLI_FMT_BIT(QB_CLI_JSON))) {
        return qb_cli_usage_error(o->cmd, "unknown or incomplete option '--json'");
      }
      o->format = QB_CLI_JSON;
      o->format_given = true;
      return 1;
    case QB_CLI_OPT_OUT:
      if (arg[0] == '\0') return qb_cli_usage_error(o->cmd, "--out: the file name is empty");
      o->path = arg;
      return 1;
    case QB_CLI_OPT_FORCE:
      o->force = true;
      return 1;
    default:
      return 0;
  }
}

int qb_cli_out_getopt(qb_cli_out* o, int argc, char** argv, const char* shortopts,
                      const struct option* longopts) {
  if (!o->parsing) {
    optind = 1;
    opterr = 0;
    o->parsing = true;
  }
  for (;;) {
    const int c = getopt_long(argc, argv, shortopts, longopts, NULL);
    if (c == '?' || c == ':') {
      (void) qb_cli_usage_error(o->cmd, "unknown or incomplete option '%s'", argv[optind - 1]);
      return QB_CLI_OPT_USAGE;
    }
    const int taken = qb__option(o, c, optarg);
    if (taken == 2) return QB_CLI_OPT_USAGE;
    if (!taken) return c;
  }
}

int qb_cli_out_no_operands(const qb_cli_out* o, int argc, char** argv) {
  if (optind < argc) return qb_cli_usage_error(o->cmd, "unexpected argument '%s'", argv[optind]);
  return 0;
}

/* The format a name's extension says, when the command writes it. */
static bool qb__format_of_name(const qb_cli_out* o, qb_cli_format* out) {
  static const struct {
    const char* ext;
    qb_cli_format f;
  } exts[] = {{".json", QB_CLI_JSON}, {".csv", QB_CLI_CSV}, {".md", QB_CLI_MD}};
  const size_t n = strlen(o->path);
  for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
    const size_t e = strlen(exts[i].ext);
    if (n > e && strcmp(o->path + n - e, exts[i].ext) == 0 && (o->allowed & QB_CLI_FMT_BIT(exts[i].f))) {
      *out = exts[i].f;
      return true;
    }
  }
  return false;
}

int qb_cli_out_begin(qb_cli_out* o) {
  const bool to_file = o->path != NULL && !qb_results_is_stdout(o->path);
  if (o->force && !to_file) return qb_cli_usage_error(o->cmd, "--force without --out FILE");
  if (to_file) {
    if (!o->format_given) (void) qb__format_of_name(o, &o->format);
    qb_error err = {0};
    /* Checked as a results file is: nothing is computed for a name that is taken. */
    if (qb_results_check_targets(o->path, o->force, QB_RESULTS_JSON, &err) != QB_OK) {
      fprintf(stderr, "qbench %s: %s\n", o->cmd, err.msg);
      return 2;
    }
  }
  o->f = open_memstream(&o->buf, &o->len);
  if (o->f == NULL) {
    fprintf(stderr, "qbench %s: out of memory\n", o->cmd);
    return 2;
  }
  return 0;
}

int qb_cli_out_end(qb_cli_out* o, int rc) {
  if (o->f == NULL) return rc;
  const bool whole = fclose(o->f) == 0;
  o->f = NULL;
  if (rc == 0 || rc == 1) {
    if (!whole) {
      fprintf(stderr, "qbench %s: out of memory for the output\n", o->cmd);
      rc = 1;
    } else if (o->path == NULL || qb_results_is_stdout(o->path)) {
      /* A failed stdout is reported by main.c (a closed pipe, /dev/full). */
      fwrite(o->buf, 1, o->len, stdout);
    } else {
      qb_error err = {0};
      if (qb_write_file_atomic(o->path, o->buf, o->len, NULL, 0, o->force, &err) != QB_OK) {
        fprintf(stderr, "qbench %s: %s\n", o->cmd, err.msg);
        rc = 1;
      } else {
        fprintf(stderr, "qbench %s: wrote %s\n", o->cmd, o->path);
      }
    }
  }
  free(o->buf);
  o->buf = NULL;
  o->len = 0;
  return rc;
}

void qb_cli_out_help(FILE* f, unsigned allowed) {
  char words[64];
  qb__allowed_words(allowed | QB_CLI_FMT_BIT(QB_CLI_TABLE), words, sizeof words);
  fprintf(f, "  --format F     %s (default: table, or what --out's extension says)\n", words);
  if (allowed & QB_CLI_FMT_BIT(QB_CLI_JSON)) fprintf(f, "  --json         the same as --format json\n");
  fprintf(f,
          "  --out FILE|-   write the data to FILE (atomically, exactly that name; .json, .csv\n"
          "                 and .md pick the format when --format does not) or to stdout\n"
          "                 (-, the default); nothing is written when the command fails\n"
          "  --force        replace an existing --out FILE\n");
}
