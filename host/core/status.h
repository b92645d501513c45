/* Status codes with messages (libuv's pattern): one X-macro list, host/core/status.inc. */
#ifndef QB_STATUS_H
#define QB_STATUS_H

#include <stdarg.h>
#include <stddef.h>

typedef enum qb_status {
#define QB_STATUS(name, code, msg) QB_##name,
#include "core/status.inc"
#undef QB_STATUS
  QB_STATUS_COUNT
} qb_status;

const char* qb_status_name(qb_status s);    /* "BAD_INPUT" */
const char* qb_status_message(qb_status s); /* "bad input" */
int qb_status_exit_code(qb_status s);       /* 0, 1 or 2 */

/*
 * An error with context: the status and one line that names the input and the problem,
 * e.g. "suites/x.suite:3: unknown key 'sizez' (expected one of: ...)".
 */
/* Room for two full paths (PATH_MAX each) and the reason: messages are never cut
 * where they name a file. A longer one ends with "[message cut]", never silently. */
#define QB_ERROR_MSG_MAX 10240
typedef struct qb_error {
  qb_status status;
  char msg[QB_ERROR_MSG_MAX];
} qb_error;

/* Sets err (when not NULL) and returns s, so callers can `return qb_fail(err, ...)`. */
qb_status qb_fail(qb_error* err, qb_status s, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
qb_status qb_vfail(qb_error* err, qb_status s, const char* fmt, va_list ap);

/* Copies a message into a smaller field (a row's reason): cut, when it must be, with
 * "..." at the end so that the cut shows. */
void qb_text_copy(char* dst, size_t len, const char* src);

/* Prints "qbench: <msg>" on stderr as one line. */
void qb_error_print(const qb_error* err);

#endif
