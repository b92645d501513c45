/* One output convention for every command's table: aligned text, JSON or CSV (cli.h). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "io/results.h"

struct qb_cli_table {
  size_t ncols, nrows, cap;
  const char* const* cols;
  const bool* right; /* right-aligned (numbers) per column, or NULL */
  char** cells;      /* nrows x ncols, owned */
};

qb_cli_table* qb_cli_table_new(size_t ncols, const char* const* cols, const bool* right) {
  qb_cli_table* t = calloc(1, sizeof *t);
  if (t == NULL) return NULL;
  t->ncols = ncols;
  t->cols = cols;
  t->right = right;
  return t;
}

bool qb_cli_table_add(qb_cli_table* t, const char* const* cells) {
  if (t->nrows == t->cap) {
    size_t cap = t->cap ? 2 * t->cap : 64;
    char** c = realloc(t->cells, cap * t->ncols * sizeof *c);
    if (c == NULL) return false;
    t->cells = c;
    t->cap = cap;
  }
  for (size_t j = 0; j < t->ncols; j++) {
    char* s = strdup(cells[j] ? cells[j] : "");
    if (s == NULL) {
      for (size_t k = 0; k < j; k++) free(t->cells[t->nrows * t->ncols + k]);
      return false;
    }
    t->cells[t->nrows * t->ncols + j] = s;
  }
  t->nrows++;
  return true;
}

void qb_cli_table_print(const qb_cli_table* t, qb_cli_format fmt, FILE* f) {
  if (fmt == QB_CLI_JSON) {
    json_t* rows = json_array();
    for (size_t i = 0; i < t->nrows; i++) {
      json_t* o = json_object();
      for (size_t j = 0; j < t->ncols; j++)
        json_object_set_new(o, t->cols[j], json_string(t->cells[i * t->ncols + j]));
      json_array_append_new(rows, o);
    }
    json_dumpf(rows, f, JSON_INDENT(2));
    fputc('\n', f);
    json_decref(rows);
    return;
  }
  if (fmt == QB_CLI_CSV) {
    for (size_t j = 0; j < t->ncols; j++) {
      if (j) fputc(',', f);
      qb_csv_field(f, t->cols[j]);
    }
    fputc('\n', f);
    for (size_t i = 0; i < t->nrows; i++) {
      for (size_t j = 0; j < t->ncols; j++) {
        if (j) fputc(',', f);
        qb_csv_field(f, t->cells[i * t->ncols + j]);
      }
      fputc('\n', f);
    }
    return;
  }
  if (fmt == QB_CLI_MD) {
    /* GitHub markdown: a header, the alignment row, a line per row ('|' escaped). */
    for (size_t i = 0; i <= t->nrows + 1; i++) {
      for (size_t j = 0; j < t->ncols; j++) {
        const bool right = t->right != NULL && t->right[j];
        fputs(j ? " | " : "| ", f);
        if (i == 1) {
          fputs(right ? "---:" : "---", f);
          continue;
        }
        for (const char* c = i == 0 ? t->cols[j] : t->cells[(i - 2) * t->ncols + j]; *c; c++) {
          if (*c == '|') fputc('\\', f);
          fputc(*c, f);
        }
      }
      fputs(" |\n", f);
    }
    return;
  }
  /* Text: each column as wide as its widest cell; the last one unpadded. */
  size_t width[64] = {0};
  size_t nc = t->ncols < 64 ? t->ncols : 64;
  for (size_t j = 0; j < nc; j++) width[j] = strlen(t->cols[j]);
  for (size_t i = 0; i < t->nrows; i++) {
    for (size_t j = 0; j < nc; j++) {
      size_t w = strlen(t->cells[i * t->ncols + j]);
      if (w > width[j]) width[j] = w;
    }
  }
  for (size_t i = 0; i <= t->nrows; i++) {
    for (size_t j = 0; j < nc; j++) {
      const char* s = i == 0 ? t->cols[j] : t->cells[(i - 1) * t->ncols + j];
      bool last = j + 1 == nc, right = t->right != NULL && t->right[j];
      if (j) fputc(' ', f);
      if (last && !right) {
        fputs(s, f);
      } else {
        fprintf(f, right ? "%*s" : "%-*s", (int) width[j], s);
      }
    }
    fputc('\n', f);
  }
}

void qb_cli_table_free(qb_cli_table* t) {
  if (t == NULL) return;
  for (size_t i = 0; i < t->nrows * t->ncols; i++) free(t->cells[i]);
  free(t->cells);
  free(t);
}
