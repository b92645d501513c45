/*
 * Writing results (shape in results/README.md): the JSON document the run builds, and a
 * CSV beside it. Writes are atomic: a temp file in the same directory, flushed and
 * fsync'ed, then renamed over the target (or linked, when not forced, so that a file
 * that appeared meanwhile is never clobbered). On any failure the temp file is removed
 * and an earlier file at the target is left as it was.
 */
#ifndef QB_RESULTS_H
#define QB_RESULTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/status.h"

/* Formats for qb_results_write. */
enum { QB_RESULTS_JSON = 1u << 0, QB_RESULTS_CSV = 1u << 1 };

/*
 * Checks, before any work, that the results can be written: the target (and its .csv
 * sibling) must not exist unless `force` (QB_EXISTS "results/x.json: exists (use
 * --force to overwrite)"), and its directory must exist and be writable (QB_IO).
 * Both statuses map to exit code 2.
 */
qb_status qb_results_check_target(const char* path, bool force, qb_error* err);
/* The same for the files a write of `formats` makes: one format alone is written to
 * `path` itself (`--out x.csv` is a CSV named x.csv), both put the CSV beside. */
qb_status qb_results_check_targets(const char* path, bool force, unsigned formats, qb_error* err);

/*
 * Writes `doc` to `path` in the one format asked, or, with both, the JSON to `path` and
 * the CSV to the sibling path (qb_results_csv_path). With both, both temp files are
 * complete before either is renamed into place.
 */
qb_status qb_results_write(const char* path, const json_t* doc, bool force, unsigned formats, qb_error* err);

/*
 * The same with the writes going through `io` (NULL: stdio), so that tests can inject a
 * failure (a full disk) at any byte. `write` returns the bytes written; fewer than
 * `len` is a failure, with errno as the reason (0 is reported as ENOSPC).
 */
typedef struct qb_results_io {
  size_t (*write)(const void* buf, size_t len, FILE* f, void* user);
  void* user;
} qb_results_io;
qb_status qb_results_write_io(const char* path, const json_t* doc, bool force, unsigned formats,
                              const qb_results_io* io, qb_error* err);

/*
 * A unique default path: "<dir>/<host>-<YYYYmmdd-HHMMSS>-<suite>.json" (UTC), with
 * "-2", "-3", ... before ".json" when taken (by the JSON, its CSV or its journal, the
 * mark of a run under way). Host and suite are reduced to
 * [A-Za-z0-9._-]. Truncated to len (always NUL-terminated).
 */
void qb_results_default_path(char* buf, size_t len, const char* dir, const char* suite);

/* The CSV path for a JSON path: ".json" replaced by ".csv" (else ".csv" appended).
 * False when it does not fit in len. */
bool qb_results_csv_path(const char* json_path, char* buf, size_t len);

/*
 * The CSV: a header line, then one line per entry of doc's "benchmarks", columns in
 * the fixed order of qb_results_csv_columns (nested "error" and "memory" fields
 * flattened as error_max_abs, memory_footprint_bytes, ...). Absent fields are empty;
 * text fields are quoted per RFC 4180 when they hold a comma, quote or newline.
 */
qb_status qb_results_csv_write_stream(FILE* f, const json_t* doc, const qb_results_io* io, const char* name,
                                      qb_error* err);
const char* const* qb_results_csv_columns(size_t* count);

/* One CSV text field on a stream, quoted per RFC 4180 (quotes doubled) when it holds a
 * comma, a quote or a line break: for every other CSV qbench writes (the CLI's tables,
 * plot's roof-fractions.csv). */
void qb_csv_field(FILE* f, const char* s);

/*
 * `--out -`: the results in one format (QB_RESULTS_JSON or QB_RESULTS_CSV) on a stream,
 * flushed; a write that fails (a closed pipe, a full disk) is QB_IO naming `name`.
 */
qb_status qb_results_write_stream(FILE* f, const json_t* doc, unsigned format, const char* name,
                                  qb_error* err);

/*
 * Whether a name means standard output: "-" (every command's `--out -`).
 */
bool qb_results_is_stdout(const char* path);

#endif
