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

#endif
