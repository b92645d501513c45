/* The console of `qbench run` (console.c): the table on stdout, progress on stderr. */
#ifndef QB_RUN_CONSOLE_H
#define QB_RUN_CONSOLE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "run/plan.h"

typedef struct qb_console qb_console;

qb_console* qb_console_new(bool quiet, size_t total);
void qb_console_free(qb_console* c);
/* Where the table goes (stdout by default). */
void qb_console_table_to(qb_console* c, FILE* f);
/* Progress on stderr when it is a terminal ("[12/340] name ..."; index QB_CONSOLE_ROOF:
 * "[roofs] name ..."); nothing otherwise. */
#define QB_CONSOLE_ROOF SIZE_MAX
void qb_console_progress(qb_console* c, size_t index, const char* name);
/* One table line for a finished case; `row` is its summary row (median or only). */
void qb_console_case(qb_console* c, const qb_case* k, const json_t* row);
void qb_console_note(qb_console* c, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void qb_console_done(qb_console* c);

#endif
