/* The console side of `qbench run`: one table on stdout (on stderr when the results go
 * to stdout), grouped by family, and a
 * one-line progress indicator on stderr when (and only when) stderr is a terminal. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run/console.h"

struct qb_console {
  FILE* table; /* stdout; stderr when stdout carries the results (`--out -`) */
  bool quiet;
  bool tty;         /* stderr is a terminal: progress is drawn */
  bool progress_on; /* a progress line is on screen and must be cleared first */
  size_t total;
  char family[48]; /* the group whose header was printed last */
};

qb_console* qb_console_new(bool quiet, size_t total) {
  qb_console* c = calloc(1, sizeof *c);
  if (c == NULL) return NULL;
  c->table = stdout;
  c->quiet = quiet;
  c->tty = !quiet && isatty(STDERR_FILENO);
  c->total = total;
  return c;
}

void qb_console_table_to(qb_console* c, FILE* f) {
  if (c != NULL) c->table = f;
}

void qb_console_free(qb_console* c) {
  free(c);
}

static void qb__clear(qb_console* c) {
  if (c->progress_on) {
    fputs("\r\033[K", stderr);
    c->progress_on = false;
  }
}

void qb_console_progress(qb_console* c, size_t index, const char* name) {
  if (c == NULL || !c->tty) return;
  if (index == QB_CONSOLE_ROOF) {
    fprintf(stderr, "\r\033[K[roofs] %.100s ...", name);
  } else {
    fprintf(stderr, "\r\033[K[%zu/%zu] %.100s ...", index + 1, c->total, name);
  }
  fflush(stderr);
  c->progress_on = true;
}

void qb_console_note(qb_console* c, const char* fmt, ...) {
  if (c != NULL) qb__clear(c);
  va_list ap;
  va_start(ap, fmt);
  fputs("qbench run: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

static double qb__val(const json_t* o, const char* key, bool* present) {
  const json_t* v = json_object_get(o, key);
  *present = json_is_number(v);
  return *present ? json_number_value(v) : 0.0;
}

/* A figure, or "-" when the row does not have it. */
static void qb__fmt(char* buf, size_t len, const json_t* o, const char* key, double scale, const char* fmt) {
  bool present;
  const double v = qb__val(o, key, &present) * scale;
  if (!present || v == 0.0) {
    snprintf(buf, len, "-");
  } else {
    snprintf(buf, len, fmt, v);
  }
}

/* `--data` runs add a tensor column after the kernel's. */
static void qb__header(qb_console* c, const char* family, bool tensor) {
  snprintf(c->family, sizeof c->family, "%s", family);
  fprintf(c->table, "\n%s\n  %-34s%s%-*s %11s %3s %8s %6s %8s %18s %6s  %s\n", family, "kernel",
          tensor ? " " : "", tensor ? 40 : 0, tensor ? "tensor" : "", "n", "thr", "GB/s", "roof", "GFLOP/s",
          "SQNR dB / max ULP", "mism", "status");
}

void qb_console_case(qb_console* c, const qb_case* k, const json_t* row) {
  if (c == NULL || c->quiet) return;
  qb__clear(c);
  if (strcmp(c->family, k->family_name) != 0) qb__header(c, k->family_name, k->tensor != NULL);
  char kernel[80], n[24], gbs[16], roof[16], gflops[16], err[48], mism[24];
  /* The variant, its rounding mode when the family has one, and the device (a host
   * backend's one device goes without saying). */
  const char* round = k->round >= 0 ? qb_suite_round_name((qb_round_mode) k->round) : NULL;
  const bool named = !qb_backend_is_host(k->backend);
  snprintf(kernel, sizeof kernel, "%s%s%s%s%s", k->variant, round ? " " : "", round ? round : "",
           named ? "@" : "", named ? k->device_name : "");
  if (k->n) {
    snprintf(n, sizeof n, "%llu", (unsigned long long) k->n);
  } else {
    snprintf(n, sizeof n, "-");
  }
  qb__fmt(gbs, sizeof gbs, row, "bytes_per_second", 1e-9, "%.2f");
  qb__fmt(roof, sizeof roof, row, "roof_fraction", 1.0, "%.2f");
  qb__fmt(gflops, sizeof gflops, row, "gflops", 1.0, "%.2f");
  const json_t* e = json_object_get(row, "error");
  snprintf(err, sizeof err, "-");
  snprintf(mism, sizeof mism, "-");
  if (json_is_object(e)) {
    const json_t* sq = json_object_get(e, "sqnr_db");
    const json_t* ulp = json_object_get(e, "max_ulp");
    char a[20], b[20];
    /* null SQNR: no error at all (an infinite ratio). */
    snprintf(a, sizeof a, json_is_number(sq) ? "%.1f" : "inf", json_number_value(sq));
    snprintf(b, sizeof b, json_is_number(ulp) ? "%.3g" : "-", json_number_value(ulp));
    snprintf(err, sizeof err, "%s / %s", a, b);
    snprintf(mism, sizeof mism, "%lld",
             (long long) (json_integer_value(json_object_get(e, "mismatches")) +
                          json_integer_value(json_object_get(e, "nan_inf_mismatches"))));
  }
  const char* status = json_string_value(json_object_get(row, "status"));
  const char* reason = json_string_value(json_object_get(row, "reason"));
  fprintf(c->table, "  %-34.34s%s%-*.*s %11s %3u %8s %6s %8s %18s %6s  %s%s%.90s\n", kernel,
          k->tensor ? " " : "", k->tensor ? 40 : 0, k->tensor ? 40 : 0, k->tensor ? k->tensor : "", n,
          k->threads, gbs, roof, gflops, err, mism, status ? status : "?", reason && reason[0] ? ": " : "",
          reason ? reason : "");
  fflush(c->table);
}

void qb_console_done(qb_console* c) {
  if (c == NULL) return;
  qb__clear(c);
  if (!c->quiet && c->family[0]) fputc('\n', c->table);
}
