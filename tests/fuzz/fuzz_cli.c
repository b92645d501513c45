/*
 * Fuzz target: the CLI's option parsers (host/cli/cli.h qb_parse_*, the --shape of
 * `qbench memory`, the --caches of `qbench run`). Each parse is held to an oracle
 * written independently here: what the option's help promises it accepts.
 *
 * Input: byte 0 picks the parser; for the integer parsers bytes 1..16 are the bounds
 * (two 64-bit little-endian words); the rest, up to the first NUL, is the argument.
 */
#include <ctype.h>
#include <math.h>

#include "cli/cli.h"
#include "fuzz_check.h"
#include "numerics/memory.h"
#include "platform/topo.h"

static uint64_t qb__word(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
  return v;
}

/* The oracle for an unsigned decimal: one or more digits and nothing else; *out is
 * its value, *overflow when it exceeds 2^64-1. */
static bool qb__digits(const char* s, uint64_t* out, bool* overflow) {
  uint64_t v = 0;
  *overflow = false;
  if (*s == '\0') return false;
  for (; *s; s++) {
    if (*s < '0' || *s > '9') return false;
    const uint64_t d = (uint64_t) (*s - '0');
    if (v > (UINT64_MAX - d) / 10) *overflow = true;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

static void qb__u64(const char* s, uint64_t min, uint64_t max) {
  uint64_t got = 0, want = 0;
  bool overflow;
  const bool ok = qb_parse_u64(s, min, max, &got);
  const bool expect = qb__digits(s, &want, &overflow) && !overflow && want >= min && want <= max;
  QB_FUZZ_CHECK(ok == expect, "qb_parse_u64('%s', %llu, %llu): %s, oracle %s", s, (unsigned long long) min,
                (unsigned long long) max, ok ? "accepted" : "refused", expect ? "accepts" : "refuses");
  if (ok) QB_FUZZ_CHECK(got == want, "qb_parse_u64('%s') = %llu", s, (unsigned long long) got);
}

static void qb__i64(const char* s, int64_t min, int64_t max) {
  int64_t got = 0;
  const bool ok = qb_parse_i64(s, min, max, &got);
  const bool neg = *s == '-';
  uint64_t mag = 0;
  bool overflow;
  bool expect = qb__digits(s + (neg || *s == '+'), &mag, &overflow) && !overflow;
  int64_t want = 0;
  if (expect) {
    if (neg ? mag > (uint64_t) INT64_MAX + 1 : mag > (uint64_t) INT64_MAX) {
      expect = false;
    } else {
      want = neg ? (int64_t) (0 - mag) : (int64_t) mag;
      expect = want >= min && want <= max;
    }
  }
  QB_FUZZ_CHECK(ok == expect, "qb_parse_i64('%s', %lld, %lld): %s, oracle %s", s, (long long) min,
                (long long) max, ok ? "accepted" : "refused", expect ? "accepts" : "refuses");
  if (ok) QB_FUZZ_CHECK(got == want, "qb_parse_i64('%s') = %lld", s, (long long) got);
}

/* A double: finite, and the text starts with a sign, a digit or a point (no blanks,
 * no "nan"/"inf" spelled out). */
static void qb__double(const char* s) {
  double got = 0;
  if (!qb_parse_double(s, &got)) return;
  QB_FUZZ_CHECK(isfinite(got), "qb_parse_double('%s') = %g", s, got);
  const char* p = s + (*s == '-' || *s == '+');
  QB_FUZZ_CHECK(isdigit((unsigned char) *p) || *p == '.', "qb_parse_double accepted '%s'", s);
}

static void qb__shape(const char* s) {
  uint64_t dims[QB_MEMORY_MAX_DIMS + 1];
  int ndim = -1;
  qb_error err = {0};
  const qb_status st = qb_memory_parse_shape(s, dims, &ndim, &err);
  if (st != QB_OK) {
    qb_fuzz_check_error(st, &err, "shape '");
    return;
  }
  QB_FUZZ_CHECK(ndim >= 1 && ndim <= QB_MEMORY_MAX_DIMS, "shape '%s': ndim %d", s, ndim);
  uint64_t total = 1;
  for (int i = 0; i < ndim; i++) {
    QB_FUZZ_CHECK(dims[i] >= 1 && dims[i] <= (UINT64_C(1) << 59) / total, "shape '%s': dimension %d", s, i);
    total *= dims[i];
  }
  for (const char* p = s; *p; p++) {
    QB_FUZZ_CHECK(isdigit((unsigned char) *p) || *p == 'x' || *p == 'X' || *p == ',', "shape '%s' accepted",
                  s);
  }
}

/* --caches: an accepted spec sets positive sizes from its own text only. */
static void qb__caches(const char* s) {
  qb_topo t;
  qb_error err = {0};
  memset(&t, 0, sizeof t);
  t.l1d_used = 32768;
  t.l2_used = 524288;
  t.l3_used = 33554432;
  const qb_status st = qb_topo_override(&t, s, &err);
  if (st != QB_OK) {
    QB_FUZZ_CHECK(st == QB_USAGE, "--caches '%s': status %s", s, qb_status_name(st));
    QB_FUZZ_CHECK(err.msg[0] != '\0' && strchr(err.msg, '\n') == NULL, "--caches '%s': message '%s'", s,
                  err.msg);
    QB_FUZZ_CHECK(strstr(err.msg, "--caches") != NULL, "--caches '%s': message '%s'", s, err.msg);
    return;
  }
  QB_FUZZ_CHECK(t.l1d_used > 0 && t.l2_used > 0 && t.l3_used > 0, "--caches '%s': a zero size", s);
  QB_FUZZ_CHECK(t.l1d_used <= (UINT64_C(1) << 40) && t.l2_used <= (UINT64_C(1) << 40) &&
                    t.l3_used <= (UINT64_C(1) << 40),
                "--caches '%s': a size over 2^40", s);
  /* Every level it changed is named in the text. */
  QB_FUZZ_CHECK(t.l1d_used == 32768 || strcasestr(s, "L1=") != NULL, "--caches '%s' changed L1", s);
  QB_FUZZ_CHECK(t.l2_used == 524288 || strcasestr(s, "L2=") != NULL, "--caches '%s' changed L2", s);
  QB_FUZZ_CHECK(t.l3_used == 33554432 || strcasestr(s, "L3=") != NULL, "--caches '%s' changed L3", s);
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 17) return 0;
  const uint64_t a = qb__word(data + 1), b = qb__word(data + 9);
  char* s = qb_fuzz_cstr(data + 17, size - 17);
  switch (data[0] % 5) {
    case 0:
      qb__u64(s, a < b ? a : b, a < b ? b : a);
      break;
    case 1:
      qb__i64(s, (int64_t) a < (int64_t) b ? (int64_t) a : (int64_t) b,
              (int64_t) a < (int64_t) b ? (int64_t) b : (int64_t) a);
      break;
    case 2:
      qb__double(s);
      break;
    case 3:
      qb__shape(s);
      break;
    default:
      qb__caches(s);
      break;
  }
  free(s);
  return 0;
}
