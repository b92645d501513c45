/* The reports' timing tables and cell formats (table.h). */
#include "report/table.h"

#include <math.h>
#include <string.h>

void qb_report_table(FILE* f, bool md, const char* indent, size_t ncol, const char* const* head, size_t nrows,
                     qb_report_row_fn* row, const void* rows) {
  char cells[QB_REPORT_MAX_COLS][QB_REPORT_CELL];
  size_t w[QB_REPORT_MAX_COLS];
  if (ncol > QB_REPORT_MAX_COLS) ncol = QB_REPORT_MAX_COLS;
  for (size_t k = 0; k < ncol; k++) w[k] = strlen(head[k]);
  for (size_t i = 0; i < nrows; i++) {
    const char* name = row(rows, i, cells);
    if (name == NULL) continue;
    if (strlen(name) > w[0]) w[0] = strlen(name);
    for (size_t k = 1; k < ncol; k++) {
      if (strlen(cells[k]) > w[k]) w[k] = strlen(cells[k]);
    }
  }
  for (size_t k = 0; k < ncol; k++) {
    if (md) {
      fprintf(f, "| %-*s ", (int) w[k], head[k]);
    } else if (k == 0) {
      fprintf(f, "%s%-*s", indent, (int) w[k], head[k]);
    } else {
      fprintf(f, "  %*s", (int) w[k], head[k]);
    }
  }
  fprintf(f, md ? "|\n" : "\n");
  if (md) {
    for (size_t k = 0; k < ncol; k++) fprintf(f, k ? "|---:" : "|:---");
    fprintf(f, "|\n");
  }
  for (size_t i = 0; i < nrows; i++) {
    const char* name = row(rows, i, cells);
    if (name == NULL) continue;
    if (md) {
      fprintf(f, "| %-*s ", (int) w[0], name);
    } else {
      fprintf(f, "%s%-*s", indent, (int) w[0], name);
    }
    for (size_t k = 1; k < ncol; k++) fprintf(f, md ? "| %*s " : "  %*s", (int) w[k], cells[k]);
    fprintf(f, md ? "|\n" : "\n");
  }
}

void qb_report_fmt_time(char* buf, size_t len, double ns) {
  if (!isfinite(ns)) {
    snprintf(buf, len, "-");
  } else if (ns >= 1e9) {
    snprintf(buf, len, "%.3f s", ns / 1e9);
  } else if (ns >= 1e6) {
    snprintf(buf, len, "%.3f ms", ns / 1e6);
  } else if (ns >= 1e3) {
    snprintf(buf, len, "%.3f us", ns / 1e3);
  } else {
    snprintf(buf, len, "%.2f ns", ns);
  }
}

void qb_report_fmt_pct(char* buf, size_t len, double pct, int decimals) {
  if (isfinite(pct)) {
    snprintf(buf, len, "%+.*f%%", decimals, pct);
  } else {
    snprintf(buf, len, "-");
  }
}
