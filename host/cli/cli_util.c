#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"

int qb_cli_usage_error(const char* cmd, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "qbench%s%s: ", cmd ? " " : "", cmd ? cmd : "");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, " (try 'qbench %s%s--help')\n", cmd ? cmd : "", cmd ? " " : "");
  va_end(ap);
  return 2;
}

bool qb_parse_u64(const char* s, uint64_t min, uint64_t max, uint64_t* out) {
  char* end;
  /* strtoull skips any blank and takes a sign ("\t-1" is 2^64-1): only digits pass. */
  if (s == NULL || !isdigit((unsigned char) *s)) return false;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno != 0 || *end != '\0' || v < min || v > max) return false;
  *out = v;
  return true;
}

bool qb_parse_i64(const char* s, int64_t min, int64_t max, int64_t* out) {
  char* end;
  if (s == NULL || *s == '\0' || isspace((unsigned char) *s)) return false;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno != 0 || *end != '\0' || v < min || v > max) return false;
  *out = v;
  return true;
}

bool qb_parse_double(const char* s, double* out) {
  char* end;
  if (s == NULL || *s == '\0' || isspace((unsigned char) *s)) return false;
  errno = 0;
  double v = strtod(s, &end);
  if (errno == ERANGE || *end != '\0' || !isfinite(v)) return false;
  *out = v;
  return true;
}
