#include "core/status.h"

#include <stdio.h>
#include <string.h>

static const struct {
  const char* name;
  int code;
  const char* msg;
} qb__statuses[] = {
#define QB_STATUS(name, code, msg) {#name, code, msg},
#include "core/status.inc"
#undef QB_STATUS
};

const char* qb_status_name(qb_status s) {
  return (unsigned) s < QB_STATUS_COUNT ? qb__statuses[s].name : "UNKNOWN";
}

const char* qb_status_message(qb_status s) {
  return (unsigned) s < QB_STATUS_COUNT ? qb__statuses[s].msg : "unknown status";
}

int qb_status_exit_code(qb_status s) {
  return (unsigned) s < QB_STATUS_COUNT ? qb__statuses[s].code : 1;
}

qb_status qb_vfail(qb_error* err, qb_status s, const char* fmt, va_list ap) {
  if (err != NULL) {
    err->status = s;
    const int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    if (n < 0 || (size_t) n >= sizeof err->msg) {
      static const char cut[] = " [message cut]";
      memcpy(err->msg + sizeof err->msg - sizeof cut, cut, sizeof cut);
    }
    /* One line: a message never carries a newline (build logs are cut at the first). */
    for (char* p = err->msg; *p; p++) {
      if (*p == '\n' || *p == '\r') {
        *p = ' ';
      }
    }
  }
  return s;
}

qb_status qb_fail(qb_error* err, qb_status s, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  qb_vfail(err, s, fmt, ap);
  va_end(ap);
  return s;
}

void qb_error_print(const qb_error* err) {
  fprintf(stderr, "qbench: %s\n", err->msg[0] ? err->msg : qb_status_message(err->status));
}

void qb_text_copy(char* dst, size_t len, const char* src) {
  if (len == 0) return;
  const size_t n = strlen(src);
  if (n < len) {
    memcpy(dst, src, n + 1);
    return;
  }
  if (len < 4) {
    dst[0] = '\0';
    return;
  }
  memcpy(dst, src, len - 4);
  memcpy(dst + len - 4, "...", 4);
}
