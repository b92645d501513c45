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

/* A kernel's declared semantics in words: "exact", or "ftz-in,nan-canon,..." (cmd_list.c). */
void qb_sem_string(unsigned sem, char* buf, size_t len);

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
#include <stdio.h>

typedef enum qb_cli_format { QB_CLI_TABLE, QB_CLI_JSON, QB_CLI_CSV } qb_cli_format;
bool qb_cli_format_parse(const char* s, qb_cli_format* out);

typedef struct qb_cli_table qb_cli_table;
/* cols (and right, per column: right-aligned; may be NULL) must outlive the table. */
qb_cli_table* qb_cli_table_new(size_t ncols, const char* const* cols, const bool* right);
bool qb_cli_table_add(qb_cli_table* t, const char* const* cells); /* ncols strings, copied */
void qb_cli_table_print(const qb_cli_table* t, qb_cli_format fmt, FILE* f);
void qb_cli_table_free(qb_cli_table* t);

#endif
