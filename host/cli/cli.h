/* The CLI's commands (host/cli/commands.inc) and small helpers they share. */
#ifndef QB_CLI_H
#define QB_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "platform/context.h"
#include "core/status.h"

#define QB_COMMAND(name, summary) int qb_cmd_##name(qb_ctx* ctx, int argc, char** argv);
#include "cli/commands.inc"
#undef QB_COMMAND

/* Prints "qbench <cmd>: <msg>" and a usage hint on stderr; returns 2. */
int qb_cli_usage_error(const char* cmd, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

/* Strict numeric parsing for options: the whole string, in range, finite. */
bool qb_parse_u64(const char* s, uint64_t min, uint64_t max, uint64_t* out);
bool qb_parse_i64(const char* s, int64_t min, int64_t max, int64_t* out);
bool qb_parse_double(const char* s, double* out); /* finite only */

/*
 * One output convention for tables (list, dtypes, ...): `--format table|json|csv`, and
 * `--json` as the short form of `--format json`. Text columns are as wide as their
 * widest cell; JSON is an array of objects keyed by the column names; CSV quotes per
 * RFC 4180. Data goes to stdout, messages to stderr.
 */
#include <getopt.h>
#include <stdio.h>

typedef enum qb_cli_format { QB_CLI_TABLE, QB_CLI_JSON, QB_CLI_CSV, QB_CLI_MD } qb_cli_format;
bool qb_cli_format_parse(const char* s, qb_cli_format* out);
const char* qb_cli_format_name(qb_cli_format f);

typedef struct qb_cli_table qb_cli_table;
/* cols (and right, per column: right-aligned; may be NULL) must outlive the table. */
qb_cli_table* qb_cli_table_new(size_t ncols, const char* const* cols, const bool* right);
bool qb_cli_table_add(qb_cli_table* t, const char* const* cells); /* ncols strings, copied */
void qb_cli_table_print(const qb_cli_table* t, qb_cli_format fmt, FILE* f);
void qb_cli_table_free(qb_cli_table* t);

/*
 * Where a command's data goes, spelled the same on every command that writes data:
 *   --format F      one of the command's formats (table, json, csv, md: `allowed`)
 *   --json          the same as --format json (where json is allowed)
 *   --out FILE|-    the file, written atomically under exactly that name (an existing
 *                   one refused without --force); `-` or no --out: stdout. Without
 *                   --format the name's extension decides (.json, .csv, .md), else table.
 *   --force         replace an existing --out FILE
 * The command prints into `f` (held in memory), and qb_cli_out_end delivers it only when
 * the command succeeded: on failure stdout holds nothing and no file is touched.
 */
enum {
  QB_CLI_OPT_FORMAT = 0x4000,
  QB_CLI_OPT_JSON,
  QB_CLI_OPT_OUT,
  QB_CLI_OPT_FORCE,
  QB_CLI_OPT_USAGE, /* from qb_cli_out_getopt: bad usage, the error printed */
};
#define QB_CLI_OUT_OPTIONS                                                                              \
  {"format", required_argument, NULL, QB_CLI_OPT_FORMAT}, {"json", no_argument, NULL, QB_CLI_OPT_JSON}, \
      {"out", required_argument, NULL, QB_CLI_OPT_OUT}, {                                               \
    "force", no_argument, NULL, QB_CLI_OPT_FORCE                                                        \
  }
#define QB_CLI_FMT_BIT(f) (1u << (f))

typedef struct qb_cli_out {
  const char* cmd;  /* "list", for messages */
  unsigned allowed; /* QB_CLI_FMT_BIT(...) of the formats the command writes */
  qb_cli_format format;
  bool format_given, force;
  const char* path; /* NULL or "-": stdout */
  FILE* f;          /* open between begin and end */
  char* buf;
  size_t len;
  bool parsing; /* qb_cli_out_getopt has restarted getopt */
} qb_cli_out;

/* A command's output settings, before parsing (table, stdout). */
void qb_cli_out_init(qb_cli_out* o, const char* cmd, unsigned allowed);
/* The command's getopt_long loop, the options above taken into `o` on the way: returns
 * the next option that is the command's own, or -1 when the options end (optind at the
 * first operand). QB_CLI_OPT_USAGE means bad usage with its one-line error printed (an
 * unknown or incomplete option, a bad --format, ...): the command returns 2. The first
 * call restarts getopt and silences getopt's own messages. */
int qb_cli_out_getopt(qb_cli_out* o, int argc, char** argv, const char* shortopts,
                      const struct option* longopts);
/* After the loop, for a command that takes no operands: 0, or 2 with the error printed. */
int qb_cli_out_no_operands(const qb_cli_out* o, int argc, char** argv);
/* After parsing, before any work: the format settled, the target checked (2 with the
 * error printed: an existing file without --force, no such directory, ...), the
 * buffer opened. 0 when all is well. */
int qb_cli_out_begin(qb_cli_out* o);
/* Delivers the data when rc is 0 or 1 (a command that ran); returns rc, or 1 when the
 * data could not be delivered whole. With rc 2 (or any other) the data is dropped. */
int qb_cli_out_end(qb_cli_out* o, int rc);
/* The help lines of these options, for a command's --help (the formats `allowed`). */
void qb_cli_out_help(FILE* f, unsigned allowed);

#endif
