/*
 * The run journal (results/README.md, "The journal"): a JSON-lines file beside the
 * results target that `qbench run` appends every finished case and roof to as soon as
 * it is measured, so that a run ended any way at all (a signal, a full disk, SIGKILL,
 * the OOM killer) loses at most the case in flight. `qbench run --resume` finishes a
 * run from it and `qbench recover` writes the results file from it.
 *
 * One JSON object per line, each with "type":
 *   header      first line: "qbench_journal" (the format version), "target", "options"
 *               (what the run was asked, enough to run it again), "machine" (what
 *               --resume checks), "plan" ({"count", "hash"} of the case names) and
 *               "context" (the results' context as it stood at the start)
 *   roof        {"roof": <an entry of context.qbench.roofs>}
 *   roofs_done  every roof is in (a resumed run measures them again otherwise)
 *   case        {"name": <case name>, "rows": [<its result rows>]}
 * A last line without its newline is the write a crash cut short: it is ignored.
 */
#ifndef QB_JOURNAL_H
#define QB_JOURNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/status.h"

#define QB_JOURNAL_VERSION 1
/* A journal larger than this is not one qbench wrote (a full suite journals a few MiB). */
#define QB_JOURNAL_MAX_BYTES (UINT64_C(1) << 30)
/* Distinct roofs a journal may hold (a run measures a few dozen, QB_ROOFS_MAX at most). */
#define QB_JOURNAL_MAX_ROOFS 1024

/* ---- Writing ---------------------------------------------------------------------- */

typedef struct qb_journal {
  int fd;         /* -1 when closed */
  char* path;     /* owned */
  off_t good;     /* bytes of whole lines so far */
  bool broken;    /* an append failed: no more appends (the file holds whole lines) */
  char why[256];  /* why it broke */
  unsigned syncs; /* fsync calls made (tests, notes) */
} qb_journal;

/* The journal's path for a results target: "<target>.journal". False when it does not
 * fit in len. */
bool qb_journal_path(const char* target, char* buf, size_t len);

/* Creates the journal exclusively (O_EXCL: it is the reservation of its target: a run
 * that finds it taken picks another name or refuses) and holds a flock on it while the
 * run lives. QB_EXISTS when it exists. */
qb_status qb_journal_create(qb_journal* j, const char* path, qb_error* err);
/* Removes a journal that no live run holds (`run --out X --force` over a dead run's). */
void qb_journal_remove_stale(const char* path);
/* Opens an existing journal to append to it (--resume; QB_EXISTS when a live run holds
 * it); its torn last line, if any, is cut off first so that appends start on a line of
 * their own. */
qb_status qb_journal_reopen(qb_journal* j, const char* path, qb_error* err);
/* Appends one compact JSON line and writes it through (write(2) of the whole line,
 * fdatasync when `sync`). On failure the file is cut back to its last whole line, the
 * journal is marked broken and later appends do nothing (QB_IO each time). */
qb_status qb_journal_append(qb_journal* j, const json_t* line, bool sync, qb_error* err);
void qb_journal_close(qb_journal* j);

/* ---- Reading ---------------------------------------------------------------------- */

typedef struct qb_journal_data {
  json_t* header; /* the header line's object */
  json_t* roofs;  /* array of roof entries, in order */
  bool roofs_done;
  json_t* cases;   /* array of {"name", "rows"[, "index"]} in journal order, names unique */
  json_t* by_name; /* the same cases by name */
  size_t lines;    /* whole lines read */
  bool torn_tail;  /* a last line without its newline was ignored */
  uint64_t rows;   /* result rows in all cases */
} qb_journal_data;

/* Parses a journal held in memory; `name` names it in messages ("J:7: ..."). Anything
 * but a torn last line that is not what the format says is QB_BAD_INPUT. */
qb_status qb_journal_parse(const char* buf, size_t len, const char* name, qb_journal_data* out,
                           qb_error* err);
/* Reads and parses a journal file: a regular file (checked without blocking) of at most
 * QB_JOURNAL_MAX_BYTES. */
qb_status qb_journal_load(const char* path, qb_journal_data* out, qb_error* err);
void qb_journal_data_free(qb_journal_data* d);
/* The rows of a journaled case, or NULL (borrowed). */
const json_t* qb_journal_case_rows(const qb_journal_data* d, const char* name);

/* The hash of a plan that the header records and --resume compares: FNV-1a 64 over the
 * case names, each followed by a newline, as 16 hex digits. */
void qb_journal_plan_hash(uint64_t* state, const char* name);
#define QB_JOURNAL_HASH_INIT UINT64_C(0xcbf29ce484222325)

/*
 * The results document from a journal (qbench recover): the header's context, the
 * journaled roofs in context.qbench.roofs, context.qbench.incomplete true unless every
 * planned case is in, context.qbench.recovered true, and every journaled row, in plan
 * order (by the cases' indices; journal order when a case has none). Sets
 * *cases to the number of cases and *error_rows to the rows whose status is "error".
 * A new reference.
 */
json_t* qb_journal_results(const qb_journal_data* d, size_t* cases, size_t* error_rows, bool* incomplete);

#endif
