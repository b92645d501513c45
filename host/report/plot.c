/* qbench plot: selection, data files, gnuplot runs and index.html (plot.h). */
#include "report/plot.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "io/file.h"
#include "io/results.h"
#include "numerics/memory.h"
#include "platform/cpu.h"
#include "platform/registry.h"

/* ---- colours ---- */

static const struct {
  const char* path;
  uint32_t rgb;
} qb__path_colors[] = {
    {"scalar", 0x7f7f7f},     {"f16c", 0x8c564b},       {"avx2", 0x1f77b4},       {"avxvnni", 0x17becf},
    {"avx512skx", 0xd62728},  {"avx512vbmi", 0xff9896}, {"avx512vnni", 0xe377c2}, {"avx512bf16", 0x9467bd},
    {"avx512fp16", 0xbcbd22}, {"neon", 0x2ca02c},       {"neonfp16", 0x98df8a},   {"neondot", 0x006d2c},
    {"neoni8mm", 0x74c476},   {"neonbf16", 0x31a354},   {"sve", 0x756bb1},        {"sve2", 0x54278f},
};
/* Devices and anything else: oranges and browns, apart from every CPU path's colour. */
static const uint32_t qb__device_palette[] = {0xff7f0e, 0xa63603, 0xfdae6b, 0xe6550d, 0x8c6d31, 0xfd8d3c};
/* Machines (chart 6) and distributions (chart 4) in order of appearance. */
static const uint32_t qb__series_palette[] = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b};

static uint32_t qb__hash(const char* s) {
  uint32_t h = 2166136261u; /* FNV-1a: stable across runs and machines */
  for (; *s; s++) h = (h ^ (uint8_t) *s) * 16777619u;
  return h;
}

uint32_t qb_plot_path_color(const char* path) {
  for (size_t i = 0; i < sizeof qb__path_colors / sizeof qb__path_colors[0]; i++) {
    if (strcmp(path, qb__path_colors[i].path) == 0) return qb__path_colors[i].rgb;
  }
  return qb__device_palette[qb__hash(path) % (sizeof qb__device_palette / sizeof qb__device_palette[0])];
}

static uint32_t qb__dist_color(const char* dist) {
  static const char* const known[] = {"normal", "uniform", "outliers"};
  for (size_t i = 0; i < 3; i++) {
    if (strcmp(dist, known[i]) == 0) return qb__series_palette[i];
  }
  return qb__series_palette[3 + qb__hash(dist) % 3];
}

void qb_plot_row_path(const qb_result_row* row, char* buf, size_t len) {
  if (!row->has_qbench) {
    snprintf(buf, len, "gbench");
  } else if (strcmp(row->backend, "cpu") == 0 || row->backend[0] == '\0') {
    snprintf(buf, len, "%s", row->isa[0] ? row->isa : "cpu");
  } else {
    snprintf(buf, len, "%s:%s", row->backend, row->device);
  }
}

/* scalar, then the CPU ISAs in isa.inc order, then devices by name. */
static int qb__path_rank(const char* path) {
  qb_isa isa = qb_isa_find(path);
  return isa == QB_ISA_COUNT ? 1000 : (int) isa;
}

static int qb__cmp_path(const char* a, const char* b) {
  int ra = qb__path_rank(a), rb = qb__path_rank(b);
  return ra != rb ? (ra > rb) - (ra < rb) : strcmp(a, b);
}

/* ---- cases: one per row name, medians over its ok repetitions ---- */

typedef struct qb__case {
  const qb_result_row* row; /* its first row: strings, error and memory figures */
  const qb_resultset* set;
  char path[96];
  char kernel[160];
  bool ok;
  double gbps, gops, roof_fraction, roof_gbps, bytes; /* NAN when absent */
  double compute_fraction;                            /* dots: of their compute peak; else NAN */
} qb__case;

typedef struct qb__cases {
  qb__case* v;
  size_t n;
} qb__cases;

typedef struct qb__name_idx {
  const char* name;
  size_t index;
} qb__name_idx;

/* Aggregates are named "<name>_median" etc.; their run_name is the name they belong to. */
static const char* qb__row_key(const qb_result_row* row) {
  return row->run_name[0] != '\0' ? row->run_name : row->name;
}

static int qb__cmp_name_idx(const void* a, const void* b) {
  const qb__name_idx *x = a, *y = b;
  int c = strcmp(x->name, y->name);
  return c ? c : (x->index > y->index) - (x->index < y->index);
}

static int qb__cmp_dbl(const void* a, const void* b) {
  double x = *(const double*) a, y = *(const double*) b;
  return (x > y) - (x < y);
}

/* Median of the finite values among v[0..n) (reordered); NAN if none. */
static double qb__median_finite(double* v, size_t n) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (isfinite(v[i])) v[k++] = v[i];
  }
  if (k == 0) return NAN;
  qsort(v, k, sizeof *v, qb__cmp_dbl);
  return k % 2 ? v[k / 2] : 0.5 * (v[k / 2 - 1] + v[k / 2]);
}

static bool qb__row_ok(const qb_result_row* r) {
  if (r->error_occurred) return false;
  return !r->has_qbench || r->status[0] == '\0' || strcmp(r->status, "ok") == 0;
}

static bool qb__row_iteration(const qb_result_row* r) {
  return r->run_type[0] == '\0' || strcmp(r->run_type, "iteration") == 0;
}

/* Whether a roof of the context is the one a row was divided by: the same name, size
 * class and thread count, on the same side (a device's own roof carries its backend
 * and device; the CPU's carry neither). */
static bool qb__roof_of_row(const qb_result_roof* roof, const qb_result_row* r) {
  if (strcmp(roof->name, r->roof_name) != 0 || strcmp(roof->size_class, r->size_class) != 0) return false;
  if (roof->threads > 0 && r->threads > 0 && roof->threads != r->threads) return false;
  if (roof->device[0] == '\0') return r->backend[0] == '\0' || strcmp(r->backend, "cpu") == 0;
  return strcmp(roof->backend, r->backend) == 0 && strcmp(roof->device, r->device) == 0;
}

/* The roof a row is measured against, in GB/s; NAN when it is not a bandwidth roof.
 * A device measures its roof of each mix at each footprint its cases use, so several
 * may share a name and size class: the one whose footprint is nearest the row's bytes
 * is its own. */
static double qb__roof_gbps(const qb_resultset* s, const qb_result_row* r, double gbps, double rf,
                            double bytes) {
  const qb_result_roof* best = NULL;
  for (size_t i = 0; i < s->n_roofs; i++) {
    const qb_result_roof* roof = &s->roofs[i];
    if (!qb__roof_of_row(roof, r) || !isfinite(roof->bytes_per_second)) continue;
    if (best == NULL || (isfinite(bytes) && fabs(roof->bytes - bytes) < fabs(best->bytes - bytes))) {
      best = roof;
    }
  }
  if (best != NULL) return best->bytes_per_second / 1e9;
  /* Not in the context (a file from before device roofs): the row's own figures imply it. */
  if (r->has_qbench && !(r->gflops > 0) && rf > 0 && isfinite(gbps)) return gbps / rf;
  return NAN;
}

static void qb__case_fill(qb__case* c, const qb_resultset* s, const qb_result_row* const* rows, size_t n,
                          double* buf) {
  const qb_result_row* first = rows[0];
  memset(c, 0, sizeof *c);
  c->row = first;
  c->set = s;
  qb_plot_row_path(first, c->path, sizeof c->path);
  snprintf(c->kernel, sizeof c->kernel, "%s", first->kernel[0] ? first->kernel : first->name);
  size_t k = 0;
  for (size_t i = 0; i < n; i++) k += qb__row_ok(rows[i]);
  c->ok = k > 0;
  c->gbps = c->gops = c->roof_fraction = c->roof_gbps = c->bytes = c->compute_fraction = NAN;
  if (!c->ok) return;
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    if (qb__row_ok(rows[i])) buf[m++] = rows[i]->bytes_per_second / 1e9;
  }
  c->gbps = qb__median_finite(buf, m);
  m = 0;
  for (size_t i = 0; i < n; i++) {
    if (!qb__row_ok(rows[i])) continue;
    buf[m++] = rows[i]->has_qbench && rows[i]->gflops > 0 ? rows[i]->gflops : rows[i]->items_per_second / 1e9;
  }
  c->gops = qb__median_finite(buf, m);
  m = 0;
  for (size_t i = 0; i < n; i++) {
    if (qb__row_ok(rows[i]) && rows[i]->has_qbench && rows[i]->roof_fraction > 0)
      buf[m++] = rows[i]->roof_fraction;
  }
  c->roof_fraction = qb__median_finite(buf, m);
  m = 0;
  for (size_t i = 0; i < n; i++) {
    if (qb__row_ok(rows[i]) && rows[i]->has_qbench && rows[i]->compute_roof_fraction > 0)
      buf[m++] = rows[i]->compute_roof_fraction;
  }
  c->compute_fraction = qb__median_finite(buf, m);
  qb_family f = first->has_qbench ? qb_family_find(first->family) : QB_FAMILY_COUNT;
  if (f != QB_FAMILY_COUNT && first->n > 0) {
    c->bytes = qb_family_bytes(qb_family_get(f), (uint64_t) first->n);
  } else if (first->memory.present && first->memory.footprint_bytes > 0) {
    c->bytes = (double) first->memory.footprint_bytes;
  }
  c->roof_gbps = qb__roof_gbps(s, first, c->gbps, c->roof_fraction, c->bytes);
}

/* One case per row name: its iteration rows, or its median aggregate when it has none. */
static qb_status qb__cases_build(const qb_resultset* s, qb__cases* out, qb_error* err) {
  size_t n = s->n_rows;
  qb__name_idx* idx = malloc((n ? n : 1) * sizeof *idx);
  const qb_result_row** rows = malloc((n ? n : 1) * sizeof *rows);
  double* buf = malloc((n ? n : 1) * sizeof *buf);
  out->v = calloc(n ? n : 1, sizeof *out->v);
  out->n = 0;
  qb_status st = QB_OK;
  if (idx == NULL || rows == NULL || buf == NULL || out->v == NULL) {
    st = qb_fail(err, QB_NO_MEMORY, "%s: out of memory reading %zu rows", s->path, n);
    goto done;
  }
  for (size_t i = 0; i < n; i++) idx[i] = (qb__name_idx){qb__row_key(&s->rows[i]), i};
  qsort(idx, n, sizeof *idx, qb__cmp_name_idx);
  for (size_t i = 0; i < n;) {
    size_t j = i, k = 0;
    bool any_iter = false;
    while (j < n && strcmp(idx[j].name, idx[i].name) == 0)
      any_iter |= qb__row_iteration(&s->rows[idx[j++].index]);
    for (size_t t = i; t < j; t++) {
      const qb_result_row* r = &s->rows[idx[t].index];
      if (any_iter ? qb__row_iteration(r) : strcmp(r->aggregate_name, "median") == 0) rows[k++] = r;
    }
    if (k > 0) qb__case_fill(&out->v[out->n++], s, rows, k, buf);
    i = j;
  }
done:
  free(idx);
  free(rows);
  free(buf);
  if (st != QB_OK) {
    free(out->v);
    out->v = NULL;
  }
  return st;
}

/* ---- the plotter: output folder, scripts, gnuplot ---- */

typedef struct qb__plotter {
  const qb_plot_opts* o;
  char gnuplot[4096];
  char scripts[4096];
  char log[4096];
  char title[512];        /* machine, date, version of sets[0] */
  char timing_title[600]; /* title, marked when sets[0] is an emulated run */
  qb_plot_report* rep;
} qb__plotter;

static bool qb__executable(const char* path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

static bool qb__find_in_path(const char* name, char* out, size_t len) {
  if (strchr(name, '/') != NULL) {
    snprintf(out, len, "%s", name);
    return qb__executable(out);
  }
  const char* path = getenv("PATH");
  if (path == NULL) return false;
  for (const char* p = path;;) {
    const char* end = strchr(p, ':');
    size_t dl = end ? (size_t) (end - p) : strlen(p);
    if (dl > 0 && (size_t) snprintf(out, len, "%.*s/%s", (int) dl, p, name) < len && qb__executable(out))
      return true;
    if (end == NULL) return false;
    p = end + 1;
  }
}

static bool qb__scripts_in(const char* dir) {
  char buf[4200];
  snprintf(buf, sizeof buf, "%s/throughput.gp", dir);
  return access(buf, R_OK) == 0;
}

/*
 * Where the scripts are: the option, $QBENCH_PLOTS, the executable's
 * ../share/qbench/plots (an installed qbench), plots/ beside the build folder (build
 * folders live in the source tree), else the source tree this file was built from
 * (__FILE__ is absolute under CMake).
 */
static bool qb__find_scripts(const char* given, char* out, size_t len) {
  if (given != NULL) {
    snprintf(out, len, "%s", given);
    return qb__scripts_in(out);
  }
  const char* env = getenv("QBENCH_PLOTS");
  if (env != NULL && env[0] != '\0') {
    snprintf(out, len, "%s", env);
    return qb__scripts_in(out);
  }
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    exe[n] = '\0';
    char* slash = strrchr(exe, '/');
    if (slash != NULL) *slash = '\0';
    snprintf(out, len, "%s/../share/qbench/plots", exe);
    if (qb__scripts_in(out)) return true;
    snprintf(out, len, "%s/../plots", exe);
    if (qb__scripts_in(out)) return true;
  }
  snprintf(out, len, "%s", __FILE__);
  for (int up = 0; up < 3; up++) {
    char* slash = strrchr(out, '/');
    if (slash == NULL) return false;
    *slash = '\0';
  }
  strncat(out, "/plots", len - strlen(out) - 1);
  return qb__scripts_in(out);
}

qb_status qb_plot_check(const qb_plot_opts* o, char* gnuplot, size_t glen, char* scripts, size_t slen,
                        qb_error* err) {
  const char* g = o->gnuplot ? o->gnuplot : getenv("QBENCH_GNUPLOT");
  if (g == NULL || g[0] == '\0') g = "gnuplot";
  if (!qb__find_in_path(g, gnuplot, glen)) {
    return qb_fail(err, QB_UNSUPPORTED, "%s: gnuplot not found (install gnuplot-nox, or set QBENCH_GNUPLOT)",
                   g);
  }
  if (!qb__find_scripts(o->scripts_dir, scripts, slen)) {
    return qb_fail(err, QB_IO, "%s: no gnuplot scripts there (expected throughput.gp; set QBENCH_PLOTS)",
                   scripts);
  }
  return QB_OK;
}

static FILE* qb__open(const qb__plotter* p, const char* name, qb_error* err) {
  char path[4200];
  snprintf(path, sizeof path, "%s/%s", p->o->out_dir, name);
  FILE* f = fopen(path, "w");
  if (f == NULL) qb_fail(err, QB_IO, "%s: cannot write: %s", path, strerror(errno));
  return f;
}

static qb_status qb__close(const qb__plotter* p, FILE* f, const char* name, qb_error* err) {
  bool bad = ferror(f) != 0;
  if (fclose(f) != 0 || bad) return qb_fail(err, QB_IO, "%s/%s: write failed", p->o->out_dir, name);
  return QB_OK;
}

/* Closes the two files a chart wrote, both: the first failure, with its message. */
static qb_status qb__close2(const qb__plotter* p, FILE* f, const char* fname, FILE* g, const char* gname,
                            qb_error* err) {
  qb_error later = {0};
  const qb_status st = qb__close(p, f, fname, err);
  const qb_status st2 = qb__close(p, g, gname, st == QB_OK ? err : &later);
  return st != QB_OK ? st : st2;
}

/* gnuplot -e text: name='value' with quotes doubled (gnuplot's single-quote escape). */
static void qb__var(char* buf, size_t len, const char* name, const char* value) {
  size_t at = strlen(buf);
  at += (size_t) snprintf(buf + at, at < len ? len - at : 0, "%s='", name);
  for (const char* s = value; *s && at + 3 < len; s++) {
    if (*s == '\'') buf[at++] = '\'';
    /* A newline would end the string and start a command: control characters go. */
    buf[at++] = (unsigned char) *s < 0x20 || *s == 0x7f ? ' ' : *s;
  }
  if (at + 3 < len) {
    buf[at++] = '\'';
    buf[at++] = ';';
    buf[at] = '\0';
  }
}

/* gnuplot -e text: name='DIR/FILE' (qb__var), the path of a file the chart reads. */
static void qb__var_file(char* buf, size_t len, const char* name, const char* dir, const char* file) {
  char path[4200];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  qb__var(buf, len, name, path);
}

static void qb__varf(char* buf, size_t len, const char* name, double v) {
  size_t at = strlen(buf);
  if (at < len) snprintf(buf + at, len - at, "%s=%.17g;", name, isfinite(v) ? v : 0.0);
}

/* Appends "#rrggbb " to a colour list (the scripts' per-block `colors` words). */
static void qb__color_word(char* buf, size_t len, uint32_t rgb) {
  size_t at = strlen(buf);
  if (at + 9 < len) snprintf(buf + at, len - at, "#%06x ", (unsigned) (rgb & 0xffffffu));
}

/* Runs one script with its variables; output goes to gnuplot.log in the folder. */
static qb_status qb__gnuplot(qb__plotter* p, const char* script, const char* chart, const char* title,
                             char* vars, qb_error* err) {
  char out[4200], spath[4200];
  snprintf(out, sizeof out, "%s/%s", p->o->out_dir, chart);
  snprintf(spath, sizeof spath, "%s/%s", p->scripts, script);
  qb__var(vars, 8192, "out", out);
  qb__var(vars, 8192, "title", title);
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) return qb_fail(err, QB_INTERNAL, "cannot start gnuplot: %s", strerror(errno));
  if (pid == 0) {
    int fd = open(p->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    execl(p->gnuplot, "gnuplot", "-e", vars, spath, (char*) NULL);
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return qb_fail(err, QB_INTERNAL, "waiting for gnuplot: %s", strerror(errno));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return qb_fail(err, QB_INTERNAL, "gnuplot failed on %s for chart '%s' (see %s)", spath, chart, p->log);
  }
  qb_plot_report* rep = p->rep;
  if (rep->n_charts < sizeof rep->names / sizeof rep->names[0]) {
    snprintf(rep->names[rep->n_charts++], sizeof rep->names[0], "%s", chart);
  }
  return QB_OK;
}

/* Writes "<x>\t<y>..." rows through fprintf; NAN as gnuplot's NaN. */
static const char* qb__num(char* buf, size_t len, double v) {
  if (isfinite(v)) {
    snprintf(buf, len, "%.6g", v);
  } else {
    snprintf(buf, len, "NaN");
  }
  return buf;
}

/* ---- selections ---- */

/* Whether a case can stand for its family anywhere (a chart's bar, the summary, a cell
 * of the roof table): ok, with a rate. A failed or skipped case is shown as a row,
 * never as the best. */
static bool qb__case_rated(const qb__case* c) {
  return c->ok && isfinite(c->gbps) && c->gbps > 0;
}

/* The best of v[0..n): the rated case of the highest median GB/s over its ok
 * repetitions (the first given among equals); NULL when none is rated. The one rule by
 * which the summary and the roof table choose a family's best. */
static const qb__case* qb__fastest(const qb__case* const* v, size_t n) {
  const qb__case* best = NULL;
  for (size_t i = 0; i < n; i++) {
    if (qb__case_rated(v[i]) && (best == NULL || v[i]->gbps > best->gbps)) best = v[i];
  }
  return best;
}

typedef struct qb__pick {
  const qb__case** v;
  size_t n;
} qb__pick;

/* Sort keys for picking one case per (path, kernel): largest n first. */
static int qb__cmp_path_kernel_n(const void* a, const void* b) {
  const qb__case *x = *(const qb__case*const*) a, *y = *(const qb__case*const*) b;
  int c = qb__cmp_path(x->path, y->path);
  if (c == 0) c = strcmp(x->kernel, y->kernel);
  if (c == 0) c = (x->row->n < y->row->n) - (x->row->n > y->row->n);
  return c;
}

/* The ok cases with a finite figure, one per (path, kernel): the one with the largest n. */
static qb_status qb__pick_largest(const qb__cases* cs, bool need_gops, qb__pick* out, qb_error* err) {
  out->v = malloc((cs->n ? cs->n : 1) * sizeof *out->v);
  out->n = 0;
  if (out->v == NULL) return qb_fail(err, QB_NO_MEMORY, "out of memory selecting rows to plot");
  for (size_t i = 0; i < cs->n; i++) {
    const qb__case* c = &cs->v[i];
    if (qb__case_rated(c) && (!need_gops || (isfinite(c->gops) && c->gops > 0))) {
      out->v[out->n++] = c;
    }
  }
  qsort(out->v, out->n, sizeof *out->v, qb__cmp_path_kernel_n);
  size_t k = 0;
  for (size_t i = 0; i < out->n; i++) {
    if (k > 0 && strcmp(out->v[k - 1]->path, out->v[i]->path) == 0 &&
        strcmp(out->v[k - 1]->kernel, out->v[i]->kernel) == 0) {
      continue;
    }
    out->v[k++] = out->v[i];
  }
  out->n = k;
  return QB_OK;
}

/* ---- chart 1: throughput per family, a horizontal bar per variant, its own roof marked ---- */

/* "copy L2, 1 thread" or "copy opencl:pocl-cpu L2 (256 KiB)": what a roof is, in its label. */
static void qb__roof_label(const qb_result_roof* r, char* buf, size_t len) {
  char thr[32] = "";
  if (r->threads > 0)
    snprintf(thr, sizeof thr, ", %lld thread%s", (long long) r->threads, r->threads == 1 ? "" : "s");
  if (r->device[0] != '\0') {
    snprintf(buf, len, "%s %s:%s %s (%.0f KiB)%s", r->name, r->backend, r->device, r->size_class,
             r->bytes / 1024.0, thr);
  } else {
    snprintf(buf, len, "%s %s%s", r->name, r->size_class, thr);
  }
}

/* The context roof a case was divided by (nearest footprint among several), or NULL. */
static const qb_result_roof* qb__case_roof(const qb__case* c) {
  const qb_result_roof* best = NULL;
  for (size_t i = 0; i < c->set->n_roofs; i++) {
    const qb_result_roof* roof = &c->set->roofs[i];
    if (!qb__roof_of_row(roof, c->row) || !isfinite(roof->bytes_per_second)) continue;
    if (best == NULL || (isfinite(c->bytes) && fabs(roof->bytes - c->bytes) < fabs(best->bytes - c->bytes)))
      best = roof;
  }
  return best;
}

static const char* qb__case_family(const qb__case* c) {
  return c->row->has_qbench ? c->row->family : "gbench";
}

/* Sort keys for a family's bars: path, then fastest first. */
static int qb__cmp_path_gbps(const void* a, const void* b) {
  const qb__case *x = *(const qb__case*const*) a, *y = *(const qb__case*const*) b;
  int c = qb__cmp_path(x->path, y->path);
  if (c == 0) c = (x->gbps < y->gbps) - (x->gbps > y->gbps);
  return c;
}

/* The cases a family's chart and summary use, into out[]: ok, with a rate, one per
 * (path, kernel, threads), at the largest n that kernel was measured at. */
static size_t qb__family_pick(const qb__cases* cs, const char* family, const qb__case** out) {
  size_t n = 0;
  for (size_t i = 0; i < cs->n; i++) {
    const qb__case* c = &cs->v[i];
    if (!qb__case_rated(c) || strcmp(qb__case_family(c), family) != 0) continue;
    size_t k = 0;
    while (k < n && !(strcmp(out[k]->path, c->path) == 0 && strcmp(out[k]->kernel, c->kernel) == 0 &&
                      out[k]->row->threads == c->row->threads))
      k++;
    if (k == n) {
      out[n++] = c;
    } else if (c->row->n > out[k]->row->n || (c->row->n == out[k]->row->n && c->gbps > out[k]->gbps)) {
      out[k] = c;
    }
  }
  qsort(out, n, sizeof *out, qb__cmp_path_gbps);
  return n;
}

/* Families in registry order (unknown ones last, by name). */
static int qb__cmp_family_name(const void* a, const void* b) {
  const char *x = *(const char*const*) a, *y = *(const char*const*) b;
  qb_family fx = qb_family_find(x), fy = qb_family_find(y);
  return fx != fy ? (fx > fy) - (fx < fy) : strcmp(x, y);
}

/* The families of a set's cases (each once) into out[]; returns how many. */
static size_t qb__families(const qb__cases* cs, const char** out) {
  size_t n = 0;
  for (size_t i = 0; i < cs->n; i++) {
    const char* f = qb__case_family(&cs->v[i]);
    size_t k = 0;
    while (k < n && strcmp(out[k], f) != 0) k++;
    if (k == n) out[n++] = f;
  }
  qsort(out, n, sizeof *out, qb__cmp_family_name);
  return n;
}

/* A bar's label: the variant, with its device for a device path, and its thread count
 * when the family was measured at several. */
static void qb__bar_label(const qb__case* c, bool threads, char* buf, size_t len) {
  const char* v = c->row->has_qbench && c->row->variant[0] ? c->row->variant : c->kernel;
  bool device = qb__path_rank(c->path) == 1000 && strcmp(c->path, "gbench") != 0;
  char thr[32] = "";
  if (threads && c->row->threads > 0)
    snprintf(thr, sizeof thr, ", %lld thread%s", (long long) c->row->threads,
             c->row->threads == 1 ? "" : "s");
  snprintf(buf, len, "%s%s%s%s%s", v, device ? " (" : "", device ? c->row->backend : "", device ? ")" : "",
           thr);
}

static qb_status qb__throughput_one(qb__plotter* p, const qb__cases* cs, const char* family, qb_error* err) {
  size_t cap = cs->n ? cs->n : 1;
  const qb__case** v = malloc(cap * sizeof *v);
  char(*rlabels)[300] = malloc(cap * sizeof *rlabels);
  int* roof_of = malloc(cap * sizeof *roof_of);
  FILE *f = NULL, *g = NULL;
  qb_status st = QB_OK;
  char chart[160], name[200], rname[220], a[32], label[300];
  snprintf(chart, sizeof chart, "throughput-%s", family);
  snprintf(name, sizeof name, "%s.tsv", chart);
  snprintf(rname, sizeof rname, "%s-roofs.tsv", chart);
  if (v == NULL || rlabels == NULL || roof_of == NULL) {
    st = qb_fail(err, QB_NO_MEMORY, "out of memory selecting rows to plot");
    goto done;
  }
  size_t n = qb__family_pick(cs, family, v), nr = 0;
  bool threads = false;
  double xmax = 0;
  for (size_t i = 0; i < n; i++) {
    threads |= v[i]->row->threads != v[0]->row->threads;
    if (v[i]->gbps > xmax) xmax = v[i]->gbps;
    const qb_result_roof* r = qb__case_roof(v[i]);
    roof_of[i] = -1;
    if (r == NULL) continue;
    if (r->bytes_per_second / 1e9 > xmax) xmax = r->bytes_per_second / 1e9;
    qb__roof_label(r, label, sizeof label);
    size_t k = 0;
    while (k < nr && strcmp(rlabels[k], label) != 0) k++;
    if (k == nr) snprintf(rlabels[nr++], sizeof rlabels[0], "%s", label);
    roof_of[i] = (int) k;
  }
  f = qb__open(p, name, err);
  g = f ? qb__open(p, rname, err) : NULL;
  if (f == NULL || g == NULL) {
    st = err->status;
    goto done;
  }
  /* Bars from the top: the first case at y = n. */
  fprintf(f, "# %s: one block per path: y, GB/s (median), colour, variant, value label, roof fraction\n",
          family);
  fprintf(g, "# %s: one block per roof the bars were divided by: its GB/s, the bar's y\n", family);
  int blocks = 0;
  char colors[2048] = "";
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && strcmp(v[j]->path, v[i]->path) == 0) j++;
    uint32_t rgb = qb_plot_path_color(v[i]->path);
    qb__color_word(colors, sizeof colors, rgb);
    fprintf(f, "%sy\tgbps\tcolor\t%s\n", blocks ? "\n\n" : "", v[i]->path);
    for (size_t t = i; t < j; t++) {
      char value[64], lab[300];
      qb__bar_label(v[t], threads, lab, sizeof lab);
      if (isfinite(v[t]->roof_fraction)) {
        snprintf(value, sizeof value, "%.3g GB/s, %.0f %% of roof", v[t]->gbps, 100 * v[t]->roof_fraction);
      } else {
        snprintf(value, sizeof value, "%.3g GB/s", v[t]->gbps);
      }
      fprintf(f, "%zu\t%s\t%u\t%s\t%s\t%s\n", n - t, qb__num(a, sizeof a, v[t]->gbps), rgb, lab, value,
              isfinite(v[t]->roof_fraction) ? qb__num(label, sizeof label, v[t]->roof_fraction) : "NaN");
    }
    blocks++;
    i = j;
  }
  for (size_t k = 0; k < nr; k++) {
    fprintf(g, "%sgbps\ty\t%s\n", k ? "\n\n" : "", rlabels[k]);
    for (size_t i = 0; i < n; i++) {
      if (roof_of[i] != (int) k) continue;
      const qb_result_roof* r = qb__case_roof(v[i]);
      fprintf(g, "%.6g\t%zu\n", r->bytes_per_second / 1e9, n - i);
    }
  }
  st = qb__close2(p, f, name, g, rname, err);
  f = g = NULL;
  if (st == QB_OK) {
    char vars[8192] = "";
    qb__var_file(vars, sizeof vars, "data", p->o->out_dir, name);
    qb__var_file(vars, sizeof vars, "roofs", p->o->out_dir, rname);
    qb__var(vars, sizeof vars, "family", family);
    qb__var(vars, sizeof vars, "colors", colors);
    qb__varf(vars, sizeof vars, "nblocks", blocks);
    qb__varf(vars, sizeof vars, "nbars", (double) n);
    qb__varf(vars, sizeof vars, "nroofs", (double) nr);
    qb__varf(vars, sizeof vars, "xmax", xmax > 0 ? xmax : 1);
    st = qb__gnuplot(p, "throughput.gp", chart, p->timing_title, vars, err);
  }
done:
  if (f) fclose(f);
  if (g) fclose(g);
  free(v);
  free(rlabels);
  free(roof_of);
  return st;
}

/* One throughput chart per family with a rate; one labelled empty chart when none has. */
static qb_status qb__chart_throughput(qb__plotter* p, const qb__cases* cs, qb_error* err) {
  const char** fams = malloc((cs->n ? cs->n : 1) * sizeof *fams);
  const qb__case** tmp = malloc((cs->n ? cs->n : 1) * sizeof *tmp);
  if (fams == NULL || tmp == NULL) {
    free(fams);
    free(tmp);
    return qb_fail(err, QB_NO_MEMORY, "out of memory selecting rows to plot");
  }
  size_t nf = qb__families(cs, fams), drawn = 0;
  qb_status st = QB_OK;
  for (size_t i = 0; i < nf && st == QB_OK; i++) {
    if (qb__family_pick(cs, fams[i], tmp) == 0) continue;
    st = qb__throughput_one(p, cs, fams[i], err);
    drawn++;
  }
  if (st == QB_OK && drawn == 0) st = qb__throughput_one(p, cs, "none", err);
  free(fams);
  free(tmp);
  return st;
}

/* ---- chart 2: throughput vs working-set size per family, one line per path ---- */

static int qb__cmp_size(const void* a, const void* b) {
  const qb__case *x = *(const qb__case*const*) a, *y = *(const qb__case*const*) b;
  int c = qb__cmp_path(x->path, y->path);
  if (c == 0) c = (x->bytes > y->bytes) - (x->bytes < y->bytes);
  if (c == 0) c = (x->gbps < y->gbps) - (x->gbps > y->gbps); /* best variant first */
  return c;
}

static qb_status qb__size_one(qb__plotter* p, const qb_resultset* set, const char* family, const qb__case** v,
                              size_t n, qb_error* err) {
  char name[200], chart[160];
  snprintf(chart, sizeof chart, "size-%s", family);
  snprintf(name, sizeof name, "%s.tsv", chart);
  qsort(v, n, sizeof *v, qb__cmp_size);
  FILE* f = qb__open(p, name, err);
  if (f == NULL) return err->status;
  fprintf(f, "# %s: one block per path: bytes moved per call, GB/s (best variant of the path), colour\n",
          family);
  int blocks = 0;
  size_t points = 0;
  char a[32], colors[2048] = "";
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && strcmp(v[j]->path, v[i]->path) == 0) j++;
    qb__color_word(colors, sizeof colors, qb_plot_path_color(v[i]->path));
    fprintf(f, "%sbytes\tgbps\tcolor\t%s\n", blocks ? "\n\n" : "", v[i]->path);
    for (size_t t = i; t < j; t++) {
      if (t > i && v[t]->bytes == v[t - 1]->bytes) continue;
      fprintf(f, "%.17g\t%s\t%u\n", v[t]->bytes, qb__num(a, sizeof a, v[t]->gbps),
              qb_plot_path_color(v[t]->path));
      points++;
    }
    blocks++;
    i = j;
  }
  qb_status st = qb__close(p, f, name, err);
  if (st != QB_OK) return st;
  const qb_result_topology* t = &set->topology;
  char vars[8192] = "";
  qb__var_file(vars, sizeof vars, "data", p->o->out_dir, name);
  qb__var(vars, sizeof vars, "family", family);
  qb__var(vars, sizeof vars, "colors", colors);
  qb__varf(vars, sizeof vars, "nblocks", blocks);
  qb__varf(vars, sizeof vars, "npoints", (double) points);
  qb__varf(vars, sizeof vars, "l1", t->present && t->l1d_used > 0 ? (double) t->l1d_used : 0);
  qb__varf(vars, sizeof vars, "l2", t->present && t->l2_used > 0 ? (double) t->l2_used : 0);
  qb__varf(vars, sizeof vars, "l3", t->present && t->l3_used > 0 ? (double) t->l3_used : 0);
  /* The x range spans the sizes and the caches, so that one size is still a chart. */
  double xmin = INFINITY, xmax = 0;
  for (size_t i = 0; i < n; i++) {
    if (v[i]->bytes < xmin) xmin = v[i]->bytes;
    if (v[i]->bytes > xmax) xmax = v[i]->bytes;
  }
  if (t->present && t->l1d_used > 0 && (double) t->l1d_used < xmin) xmin = (double) t->l1d_used;
  if (t->present && t->l3_used > 0 && (double) t->l3_used > xmax) xmax = (double) t->l3_used;
  if (!(xmax > 0)) {
    xmin = 1024;
    xmax = 1073741824;
  }
  qb__varf(vars, sizeof vars, "xmin", xmin / 2);
  qb__varf(vars, sizeof vars, "xmax", xmax * 2);
  return qb__gnuplot(p, "size.gp", chart, p->timing_title, vars, err);
}

static int qb__cmp_family(const void* a, const void* b) {
  const qb__case *x = *(const qb__case*const*) a, *y = *(const qb__case*const*) b;
  return strcmp(x->row->family, y->row->family);
}

static qb_status qb__chart_size(qb__plotter* p, const qb_resultset* set, const qb__cases* cs, qb_error* err) {
  const qb__case** v = malloc((cs->n ? cs->n : 1) * sizeof *v);
  if (v == NULL) return qb_fail(err, QB_NO_MEMORY, "out of memory selecting rows to plot");
  size_t n = 0;
  for (size_t i = 0; i < cs->n; i++) {
    const qb__case* c = &cs->v[i];
    if (c->ok && c->row->has_qbench && isfinite(c->gbps) && c->gbps > 0 && isfinite(c->bytes) &&
        c->bytes > 0) {
      v[n++] = c;
    }
  }
  qsort(v, n, sizeof *v, qb__cmp_family);
  qb_status st = QB_OK;
  size_t charts = 0;
  for (size_t i = 0; i < n && st == QB_OK;) {
    size_t j = i;
    bool sizes = false; /* a line needs two sizes: one size is the throughput chart's bar */
    while (j < n && strcmp(v[j]->row->family, v[i]->row->family) == 0) {
      sizes |= v[j]->bytes != v[i]->bytes;
      j++;
    }
    if (sizes) {
      st = qb__size_one(p, set, v[i]->row->family, v + i, j - i, err);
      charts++;
    }
    i = j;
  }
  free(v);
  return st;
}

/* ---- chart 2b: thread scaling per family ---- */

static int qb__size_rank(const char* size_class) {
  static const char* const order[] = {"L1", "L2", "L3", "DRAM"};
  for (int i = 0; i < 4; i++) {
    if (strcmp(size_class, order[i]) == 0) return i;
  }
  return 4;
}

/* Family, then size class, then path, then threads; the fastest variant first. */
static int qb__cmp_scaling(const void* a, const void* b) {
  const qb__case *x = *(const qb__case*const*) a, *y = *(const qb__case*const*) b;
  int c = strcmp(x->row->family, y->row->family);
  if (c == 0) c = qb__size_rank(x->row->size_class) - qb__size_rank(y->row->size_class);
  if (c == 0) c = strcmp(x->row->size_class, y->row->size_class);
  if (c == 0) c = qb__cmp_path(x->path, y->path);
  if (c == 0) c = (x->row->threads > y->row->threads) - (x->row->threads < y->row->threads);
  if (c == 0) c = (x->gbps < y->gbps) - (x->gbps > y->gbps);
  return c;
}

/* One family's cases v[0..n) (sorted by qb__cmp_scaling): a line per (size class, path)
 * through the best variant's GB/s at each thread count, and per size class the line of
 * the roofs those rows were held to (each thread count's own, every core's included). */
static qb_status qb__scaling_one(qb__plotter* p, const char* family, const qb__case** v, size_t n,
                                 qb_error* err) {
  char name[200], rname[220], chart[160];
  snprintf(chart, sizeof chart, "scaling-%s", family);
  snprintf(name, sizeof name, "%s.tsv", chart);
  snprintf(rname, sizeof rname, "%s-roofs.tsv", chart);
  FILE* f = qb__open(p, name, err);
  if (f == NULL) return err->status;
  FILE* g = qb__open(p, rname, err);
  if (g == NULL) {
    fclose(f);
    return err->status;
  }
  fprintf(f, "# %s: one block per (size class, path): threads, GB/s (the path's best variant), colour\n",
          family);
  fprintf(g, "# %s: one block per size class: threads, GB/s of the roof the rows were held to\n", family);
  int blocks = 0, rblocks = 0;
  long long tmax = 1;
  char a[32], colors[2048] = "", dashes[256] = "", rdashes[256] = "";
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && strcmp(v[j]->row->size_class, v[i]->row->size_class) == 0) j++;
    const int dash = 1 + qb__size_rank(v[i]->row->size_class);
    bool any_roof = false;
    /* The roof of this size class at each thread count, in thread order (the cases are
     * in path order first): the largest the rows name, as every variant of a family is
     * held to the same roof. */
    long long seen[64];
    size_t ns = 0;
    for (size_t t = i; t < j; t++) {
      bool dup = false;
      for (size_t q = 0; q < ns && !dup; q++) dup = seen[q] == v[t]->row->threads;
      if (!dup && ns < 64) seen[ns++] = v[t]->row->threads;
    }
    for (size_t q = 1; q < ns; q++) {
      for (size_t r = q; r > 0 && seen[r - 1] > seen[r]; r--) {
        const long long tmp = seen[r];
        seen[r] = seen[r - 1];
        seen[r - 1] = tmp;
      }
    }
    for (size_t q = 0; q < ns; q++) {
      double roof = NAN;
      for (size_t t = i; t < j; t++) {
        if (v[t]->row->threads == seen[q] && isfinite(v[t]->roof_gbps) && !(v[t]->roof_gbps <= roof))
          roof = v[t]->roof_gbps;
      }
      if (!isfinite(roof)) continue;
      if (!any_roof) {
        fprintf(g, "%sthreads\tgbps\troof %s\n", rblocks ? "\n\n" : "", v[i]->row->size_class);
        any_roof = true;
      }
      fprintf(g, "%lld\t%s\n", (long long) seen[q], qb__num(a, sizeof a, roof));
      if (seen[q] > tmax) tmax = seen[q];
    }
    if (any_roof) {
      rblocks++;
      snprintf(rdashes + strlen(rdashes), sizeof rdashes - strlen(rdashes), "%s%d", rdashes[0] ? " " : "",
               dash);
    }
    for (size_t t = i; t < j;) {
      size_t u = t;
      while (u < j && strcmp(v[u]->path, v[t]->path) == 0) u++;
      qb__color_word(colors, sizeof colors, qb_plot_path_color(v[t]->path));
      snprintf(dashes + strlen(dashes), sizeof dashes - strlen(dashes), "%s%d", dashes[0] ? " " : "", dash);
      fprintf(f, "%sthreads\tgbps\tcolor\t%s %s\n", blocks ? "\n\n" : "", v[t]->path, v[t]->row->size_class);
      for (size_t w = t; w < u; w++) {
        if (w > t && v[w]->row->threads == v[w - 1]->row->threads) continue; /* a slower variant */
        fprintf(f, "%lld\t%s\t%u\n", (long long) v[w]->row->threads, qb__num(a, sizeof a, v[w]->gbps),
                qb_plot_path_color(v[w]->path));
        if (v[w]->row->threads > tmax) tmax = v[w]->row->threads;
      }
      blocks++;
      t = u;
    }
    i = j;
  }
  const qb_status st = qb__close2(p, f, name, g, rname, err);
  if (st != QB_OK) return st;
  char vars[8192] = "";
  qb__var_file(vars, sizeof vars, "data", p->o->out_dir, name);
  qb__var_file(vars, sizeof vars, "roofs", p->o->out_dir, rname);
  qb__var(vars, sizeof vars, "family", family);
  qb__var(vars, sizeof vars, "colors", colors);
  qb__var(vars, sizeof vars, "dashes", dashes);
  qb__var(vars, sizeof vars, "rdashes", rdashes);
  qb__varf(vars, sizeof vars, "nblocks", blocks);
  qb__varf(vars, sizeof vars, "nroofs", rblocks);
  qb__varf(vars, sizeof vars, "tmax", (double) tmax);
  return qb__gnuplot(p, "scaling.gp", chart, p->timing_title, vars, err);
}

/* A thread-scaling chart for each family whose CPU rows ran at two thread counts or more. */
static qb_status qb__chart_scaling(qb__plotter* p, const qb__cases* cs, qb_error* err) {
  const qb__case** v = malloc((cs->n ? cs->n : 1) * sizeof *v);
  if (v == NULL) return qb_fail(err, QB_NO_MEMORY, "out of memory selecting rows to plot");
  size_t n = 0;
  for (size_t i = 0; i < cs->n; i++) {
    const qb__case* c = &cs->v[i];
    const bool host = c->row->backend[0] == '\0' || strcmp(c->row->backend, "cpu") == 0;
    if (c->ok && host && c->row->has_qbench && c->row->threads > 0 && c->row->size_class[0] != '\0' &&
        isfinite(c->gbps) && c->gbps > 0) {
      v[n++] = c;
    }
  }
  qsort(v, n, sizeof *v, qb__cmp_scaling);
  qb_status st = QB_OK;
  for (size_t i = 0; i < n && st == QB_OK;) {
    size_t j = i;
    bool threads = false; /* a line needs two thread counts */
    while (j < n && strcmp(v[j]->row->family, v[i]->row->family) == 0) {
      threads |= v[j]->row->threads != v[i]->row->threads;
      j++;
    }
    if (threads) st = qb__scaling_one(p, v[i]->row->family, v + i, j - i, err);
    i = j;
  }
  free(v);
  return st;
}

/* ---- chart 3: compute roofline of the dot products ---- */

/*
 * The roofs that bound the dots drawn: the bandwidth roofs of each dot case's size class
 * and thread count (its device's own, nearest its footprint, for a device) and the compute
 * peaks measured at the thread counts the dots ran with. Nothing else: a roof of a
 * size or thread count not measured says nothing about these points.
 */
static qb_status qb__roofline_roofs(const qb__plotter* p, const qb_resultset* set, const qb__pick* pk,
                                    double* xmin, double* xmax, int* nroofs, qb_error* err) {
  const qb_result_roof** use = malloc((set->n_roofs ? set->n_roofs : 1) * sizeof *use);
  if (use == NULL) return qb_fail(err, QB_NO_MEMORY, "out of memory selecting roofs to plot");
  size_t nu = 0;
  double bw_max = 0, peak_max = 0;
  for (size_t i = 0; i < set->n_roofs; i++) {
    const qb_result_roof* r = &set->roofs[i];
    bool keep = false;
    if (isfinite(r->bytes_per_second) && r->bytes_per_second > 0) {
      for (size_t k = 0; k < pk->n && !keep; k++) {
        const qb_result_row* row = pk->v[k]->row;
        bool cpu = strcmp(row->backend, "cpu") == 0 || row->backend[0] == '\0';
        keep = strcmp(r->size_class, row->size_class) == 0 &&
               (r->threads <= 0 || row->threads <= 0 || r->threads == row->threads) &&
               (r->device[0] == '\0'
                    ? cpu
                    : strcmp(r->backend, row->backend) == 0 && strcmp(r->device, row->device) == 0);
        /* A device measures its roofs at each footprint: only the one nearest the case's. */
        if (keep && r->device[0] != '\0') keep = qb__case_roof(pk->v[k]) == r;
      }
      if (keep && r->bytes_per_second / 1e9 > bw_max) bw_max = r->bytes_per_second / 1e9;
    } else if (isfinite(r->flops_per_second) && r->flops_per_second > 0 && r->device[0] == '\0') {
      for (size_t k = 0; k < pk->n && !keep; k++) {
        const qb_result_row* row = pk->v[k]->row;
        keep = (strcmp(row->backend, "cpu") == 0 || row->backend[0] == '\0') &&
               (r->threads <= 0 || row->threads <= 0 || r->threads == row->threads);
      }
      if (keep && r->flops_per_second / 1e9 > peak_max) peak_max = r->flops_per_second / 1e9;
    }
    if (keep) use[nu++] = r;
  }
  /* Keep the ridge point (where the highest roofs meet) inside the chart. */
  if (bw_max > 0 && peak_max > 0) {
    double ridge = peak_max / bw_max;
    if (ridge / 4 < *xmin) *xmin = ridge / 4;
    if (ridge * 4 > *xmax) *xmax = ridge * 4;
  }
  FILE* f = qb__open(p, "roofline-roofs.tsv", err);
  if (f == NULL) {
    free(use);
    return err->status;
  }
  fprintf(f, "# one block per roof the dots are bound by: two points (FLOP/byte, GFLOP/s) of its line\n");
  *nroofs = 0;
  for (size_t i = 0; i < nu; i++) {
    const qb_result_roof* r = use[i];
    double x0 = *xmin, x1 = *xmax, y0, y1;
    char label[300], what[260];
    qb__roof_label(r, what, sizeof what);
    if (isfinite(r->bytes_per_second) && r->bytes_per_second > 0) {
      double bw = r->bytes_per_second / 1e9;
      if (peak_max > 0 && peak_max / bw < x1) x1 = peak_max / bw;
      y0 = bw * x0;
      y1 = bw * x1;
      snprintf(label, sizeof label, "%s: %.1f GB/s", what, bw);
    } else {
      double peak = r->flops_per_second / 1e9;
      if (bw_max > 0 && peak / bw_max > x0) x0 = peak / bw_max;
      y0 = y1 = peak;
      snprintf(label, sizeof label, "%s: %.1f GFLOP/s", what, peak);
    }
    fprintf(f, "%sx\ty\t%s\n%.9g\t%.9g\n%.9g\t%.9g\n", *nroofs ? "\n\n" : "", label, x0, y0, x1, y1);
    (*nroofs)++;
  }
  free(use);
  return qb__close(p, f, "roofline-roofs.tsv", err);
}

static qb_status qb__chart_roofline(qb__plotter* p, const qb_resultset* set, const qb__cases* cs,
                                    qb_error* err) {
  qb__pick pk;
  qb_status st = qb__pick_largest(cs, true, &pk, err);
  if (st != QB_OK) return st;
  /* Dots only: the families with flops. Casts and quantizers are bandwidth-bound by
   * design (their per-family throughput charts show them against their roofs). */
  size_t k = 0;
  for (size_t i = 0; i < pk.n; i++) {
    if (pk.v[i]->row->has_qbench && pk.v[i]->row->gflops > 0) pk.v[k++] = pk.v[i];
  }
  pk.n = k;
  double xmin = INFINITY, xmax = 0;
  for (size_t i = 0; i < pk.n; i++) {
    double oi = pk.v[i]->gops / pk.v[i]->gbps;
    if (oi < xmin) xmin = oi;
    if (oi > xmax) xmax = oi;
  }
  if (pk.n == 0) {
    xmin = 0.04;
    xmax = 25;
  } else {
    xmin /= 4;
    xmax *= 4;
  }
  int nroofs = 0;
  st = qb__roofline_roofs(p, set, &pk, &xmin, &xmax, &nroofs, err);
  FILE* f = st == QB_OK ? qb__open(p, "roofline.tsv", err) : NULL;
  if (f == NULL) {
    free(pk.v);
    return err->status;
  }
  fprintf(f, "# one block per path: FLOP/byte, GFLOP/s, colour, kernel, point label\n");
  int blocks = 0;
  char colors[2048] = "";
  for (size_t i = 0; i < pk.n;) {
    size_t j = i;
    while (j < pk.n && strcmp(pk.v[j]->path, pk.v[i]->path) == 0) j++;
    qb__color_word(colors, sizeof colors, qb_plot_path_color(pk.v[i]->path));
    fprintf(f, "%soi\tgops\tcolor\t%s\n", blocks ? "\n\n" : "", pk.v[i]->path);
    for (size_t t = i; t < j; t++) {
      const qb_result_row* r = pk.v[t]->row;
      fprintf(f, "%.6g\t%.6g\t%u\t%s\t%s %s\n", pk.v[t]->gops / pk.v[t]->gbps, pk.v[t]->gops,
              qb_plot_path_color(pk.v[t]->path), pk.v[t]->kernel, r->family, r->variant);
    }
    blocks++;
    i = j;
  }
  st = qb__close(p, f, "roofline.tsv", err);
  if (st == QB_OK) {
    char vars[8192] = "";
    qb__var_file(vars, sizeof vars, "data", p->o->out_dir, "roofline.tsv");
    qb__var_file(vars, sizeof vars, "roofs", p->o->out_dir, "roofline-roofs.tsv");
    qb__var(vars, sizeof vars, "colors", colors);
    qb__varf(vars, sizeof vars, "nblocks", blocks);
    qb__varf(vars, sizeof vars, "npoints", (double) pk.n);
    qb__varf(vars, sizeof vars, "nroofs", nroofs);
    qb__varf(vars, sizeof vars, "xmin", xmin);
    qb__varf(vars, sizeof vars, "xmax", xmax);
    st = qb__gnuplot(p, "roofline.gp", "roofline", p->timing_title, vars, err);
  }
  free(pk.v);
  return st;
}

/* ---- chart 4: numerical error per scheme and input distribution ---- */

typedef struct qb__err_pt {
  char scheme[96];
  const char* dist;
  const qb__case* c;
  double sqnr;
} qb__err_pt;

static int qb__cmp_err_pt(const void* a, const void* b) {
  const qb__err_pt *x = a, *y = b;
  int c = strcmp(x->scheme, y->scheme);
  if (c == 0) c = strcmp(x->dist, y->dist);
  if (c == 0) c = qb__cmp_path(x->c->path, y->c->path); /* the scalar reference first */
  if (c == 0) c = (x->c->row->n < y->c->row->n) - (x->c->row->n > y->c->row->n);
  return c;
}

/* SQNR in dB, or from NMSE when SQNR is absent; NAN when neither is finite. */
static double qb__sqnr(const qb_result_error* e) {
  if (isfinite(e->sqnr_db)) return e->sqnr_db;
  if (isfinite(e->nmse) && e->nmse > 0) return -10 * log10(e->nmse);
  return NAN;
}

static int qb__dist_order(const char* d) {
  static const char* const known[] = {"normal", "uniform", "outliers"};
  for (int i = 0; i < 3; i++) {
    if (strcmp(d, known[i]) == 0) return i;
  }
  return 3;
}

static int qb__cmp_dist(const void* a, const void* b) {
  const char *x = *(const char*const*) a, *y = *(const char*const*) b;
  int ox = qb__dist_order(x), oy = qb__dist_order(y);
  return ox != oy ? ox - oy : strcmp(x, y);
}

/*
 * Whether a family turns stored integer codes back into floats (a dequantize). Its
 * error row measures the dequantize arithmetic alone (~150 dB), which says nothing
 * about the format; the format's error, as its user meets it, is the quantize row's:
 * that row's error is taken after dequantizing its codes (the round trip).
 */
static bool qb__family_dequantizes(const char* family) {
  qb_family id = qb_family_find(family);
  if (id == QB_FAMILY_COUNT) return false;
  const qb_family_info* f = qb_family_get(id);
  qb_dtype_class in = qb_dtype_get(f->in)->cls, out = qb_dtype_get(f->out)->cls;
  return f->kind == QB_KIND_unary && (in == QB_CLASS_int || in == QB_CLASS_block) && out == QB_CLASS_float;
}

/* Whether a family stores floats as integer codes (a quantize: its error is the round trip). */
static bool qb__family_quantizes(const char* family) {
  qb_family id = qb_family_find(family);
  if (id == QB_FAMILY_COUNT) return false;
  const qb_family_info* f = qb_family_get(id);
  qb_dtype_class in = qb_dtype_get(f->in)->cls, out = qb_dtype_get(f->out)->cls;
  return f->kind == QB_KIND_unary && in == QB_CLASS_float && (out == QB_CLASS_int || out == QB_CLASS_block);
}

static qb_status qb__chart_error(qb__plotter* p, const qb__cases* cs, qb_error* err) {
  qb__err_pt* pts = calloc(cs->n ? cs->n : 1, sizeof *pts);
  const char** dists = calloc(cs->n ? cs->n : 1, sizeof *dists);
  FILE *f = NULL, *g = NULL;
  qb_status st = QB_OK;
  if (pts == NULL || dists == NULL) {
    st = qb_fail(err, QB_NO_MEMORY, "out of memory selecting rows to plot");
    goto done;
  }
  size_t n = 0, nd = 0;
  for (size_t i = 0; i < cs->n; i++) {
    const qb__case* c = &cs->v[i];
    if (!c->ok || !c->row->has_qbench || !c->row->error.present || !isfinite(qb__sqnr(&c->row->error)))
      continue;
    if (qb__family_dequantizes(c->row->family)) continue;
    qb__err_pt* e = &pts[n++];
    const char* rnd = c->row->rounding;
    snprintf(e->scheme, sizeof e->scheme, "%s%s%s%s", c->row->family,
             rnd[0] && strcmp(rnd, "none") ? "/" : "", rnd[0] && strcmp(rnd, "none") ? rnd : "",
             qb__family_quantizes(c->row->family) ? " (round trip)" : "");
    /* A row of `run --data` ran on a tensor, not a distribution: the tensor names its bar. */
    e->dist = c->row->tensor[0] ? c->row->tensor : c->row->distribution[0] ? c->row->distribution : "default";
    e->c = c;
    e->sqnr = qb__sqnr(&c->row->error);
  }
  qsort(pts, n, sizeof *pts, qb__cmp_err_pt);
  size_t k = 0; /* one point per (scheme, distribution) */
  for (size_t i = 0; i < n; i++) {
    if (k > 0 && strcmp(pts[k - 1].scheme, pts[i].scheme) == 0 && strcmp(pts[k - 1].dist, pts[i].dist) == 0)
      continue;
    pts[k++] = pts[i];
  }
  n = k;
  for (size_t i = 0; i < n; i++) {
    bool seen = false;
    for (size_t d = 0; d < nd && !seen; d++) seen = strcmp(dists[d], pts[i].dist) == 0;
    if (!seen) dists[nd++] = pts[i].dist;
  }
  qsort(dists, nd, sizeof *dists, qb__cmp_dist);
  f = qb__open(p, "error.tsv", err);
  g = f ? qb__open(p, "error-schemes.tsv", err) : NULL;
  if (f == NULL || g == NULL) {
    st = err->status;
    goto done;
  }
  /* Groups are schemes, bars are distributions: x = group * (nd + 1) + distribution. */
  fprintf(f, "# one block per input distribution: bar x, SQNR dB, colour, scheme (scalar path preferred)\n");
  fprintf(g, "# per scheme: centre x\tscheme\n");
  size_t ngroups = 0;
  for (size_t i = 0; i < n; i++) {
    if (i == 0 || strcmp(pts[i].scheme, pts[i - 1].scheme) != 0) {
      fprintf(g, "%g\t0\t%s\n", (double) ngroups * (double) (nd + 1) + 0.5 * (double) (nd + 1),
              pts[i].scheme);
      ngroups++;
    }
  }
  char colors[2048] = "";
  for (size_t d = 0; d < nd; d++) {
    qb__color_word(colors, sizeof colors, qb__dist_color(dists[d]));
    fprintf(f, "%sx\tsqnr_db\tcolor\t%s\n", d ? "\n\n" : "", dists[d]);
    size_t grp = 0;
    for (size_t i = 0; i < n; i++) {
      if (i > 0 && strcmp(pts[i].scheme, pts[i - 1].scheme) != 0) grp++;
      if (strcmp(pts[i].dist, dists[d]) != 0) continue;
      fprintf(f, "%g\t%.6g\t%u\t%s\n", (double) grp * (double) (nd + 1) + (double) d + 1, pts[i].sqnr,
              qb__dist_color(dists[d]), pts[i].scheme);
    }
  }
  st = qb__close2(p, f, "error.tsv", g, "error-schemes.tsv", err);
  f = g = NULL;
  if (st == QB_OK) {
    char vars[8192] = "";
    qb__var_file(vars, sizeof vars, "data", p->o->out_dir, "error.tsv");
    qb__var_file(vars, sizeof vars, "schemes", p->o->out_dir, "error-schemes.tsv");
    qb__var(vars, sizeof vars, "colors", colors);
    qb__varf(vars, sizeof vars, "nblocks", (double) nd);
    qb__varf(vars, sizeof vars, "nbars", (double) n);
    qb__varf(vars, sizeof vars, "xmax", (double) ngroups * (double) (nd + 1));
    st = qb__gnuplot(p, "error.gp", "error", p->title, vars, err);
  }
done:
  if (f) fclose(f);
  if (g) fclose(g);
  free(pts);
  free(dists);
  return st;
}

/* ---- chart 5: memory of one tensor per dtype and scheme ---- */

typedef struct qb__mem_bar {
  char label[64];
  double ratio;
  uint32_t rgb;
} qb__mem_bar;

static int qb__cmp_mem(const void* a, const void* b) {
  const qb__mem_bar *x = a, *y = b;
  int c = (x->ratio < y->ratio) - (x->ratio > y->ratio);
  return c ? c : strcmp(x->label, y->label);
}

/*
 * The bars come from the memory table (`qbench memory`: every format qbench knows, its
 * data and metadata bytes by formula) for a tensor of --tensor elements, shaped as
 * 1024 rows (the per-channel scheme's channels) when it divides, else one row. A
 * formula, not a measurement: the same for every run, and right for skipped cases.
 */
static qb_status qb__chart_memory(qb__plotter* p, const qb__cases* cs, qb_error* err) {
  (void) cs;
  enum { MAX_FORMATS = 64 };
  qb_memory_row rows[MAX_FORMATS];
  uint64_t t = p->o->tensor_elems ? p->o->tensor_elems : 1, dims[2];
  int ndim = 2;
  dims[0] = t % 1024 == 0 ? 1024 : 1;
  dims[1] = t / dims[0];
  size_t n = qb_memory_table(dims, ndim, rows, MAX_FORMATS);
  qb__mem_bar* bars = calloc(n + 1, sizeof *bars);
  if (bars == NULL) return qb_fail(err, QB_NO_MEMORY, "out of memory selecting rows to plot");
  for (size_t k = 0; k < n; k++) {
    snprintf(bars[k].label, sizeof bars[k].label, "%.40s", rows[k].name);
    bars[k].ratio = rows[k].ratio_to_f32;
    bars[k].rgb = qb__series_palette[k % (sizeof qb__series_palette / sizeof qb__series_palette[0])];
  }
  qsort(bars, n, sizeof *bars, qb__cmp_mem);
  FILE* f = qb__open(p, "memory.tsv", err);
  if (f == NULL) {
    free(bars);
    return err->status;
  }
  double tensor = (double) p->o->tensor_elems;
  fprintf(f, "# storage of a tensor of %.0f elements: x, MiB, colour, dtype and scheme, ratio to f32\n",
          tensor);
  fprintf(f, "x\tmib\tcolor\tlabel\tratio\n");
  for (size_t k = 0; k < n; k++) {
    fprintf(f, "%zu\t%.6g\t%u\t%s\tx%.3g\n", k + 1, bars[k].ratio * 4 * tensor / 1048576.0, bars[k].rgb,
            bars[k].label, bars[k].ratio);
  }
  free(bars);
  qb_status st = qb__close(p, f, "memory.tsv", err);
  if (st != QB_OK) return st;
  char vars[8192] = "";
  qb__var_file(vars, sizeof vars, "data", p->o->out_dir, "memory.tsv");
  qb__varf(vars, sizeof vars, "nbars", (double) n);
  qb__varf(vars, sizeof vars, "tensor", tensor);
  return qb__gnuplot(p, "memory.gp", "memory", p->title, vars, err);
}

/* ---- chart 6: machines side by side ---- */

/* The machine of a results file, for legends: "CPU model (host), date, file" — two
 * runs of one machine differ by date and file. */
static void qb__machine_label(const qb_resultset* s, char* buf, size_t len) {
  const char* model = s->has_qbench && s->cpu_model[0] ? s->cpu_model : "";
  const char* host = s->host_name[0] ? s->host_name : "?";
  const char* file = strrchr(s->path, '/') ? strrchr(s->path, '/') + 1 : s->path;
  char date[32];
  snprintf(date, sizeof date, "%.16s", s->date[0] ? s->date : "undated"); /* to the minute */
  for (char* c = date; *c; c++) {
    if (*c == 'T') *c = ' ';
  }
  snprintf(buf, len, "%s%s(%s), %s, %s", model, model[0] ? " " : "", host, date, file);
}

/* What machines are compared on: each family, per kind of path (the CPU, or a device
 * backend), at each machine's best variant: the question a fleet asks is what each
 * machine does best, not how one variant name fares. */
static void qb__machine_key(const qb__case* c, char* buf, size_t len) {
  const char* backend = c->row->has_qbench && c->row->backend[0] ? c->row->backend : "cpu";
  snprintf(buf, len, "%s%s%s", qb__case_family(c), strcmp(backend, "cpu") ? " " : "",
           strcmp(backend, "cpu") ? backend : "");
}

typedef struct qb__mkey {
  char key[200];
  size_t count; /* how many files have it */
} qb__mkey;

static int qb__cmp_mkey(const void* a, const void* b) {
  return strcmp(((const qb__mkey*) a)->key, ((const qb__mkey*) b)->key);
}

/* Each file's case for a key: at the largest n, the fastest; or NULL. */
static const qb__case* qb__machine_find(const qb__pick* pk, const char* key) {
  const qb__case* best = NULL;
  char k[200];
  for (size_t i = 0; i < pk->n; i++) {
    const qb__case* c = pk->v[i];
    qb__machine_key(c, k, sizeof k);
    if (strcmp(k, key) != 0) continue;
    if (best == NULL || c->row->n > best->row->n || (c->row->n == best->row->n && c->gbps > best->gbps))
      best = c;
  }
  return best;
}

/* The files of sets[use[0..n_sets)], side by side. */
static qb_status qb__chart_machines(qb__plotter* p, const qb_resultset* sets, const qb__cases* cases,
                                    const size_t* use, size_t n_sets, const char* title, qb_error* err) {
  qb__pick* picks = calloc(n_sets, sizeof *picks);
  size_t cap = 0, nk = 0;
  for (size_t s = 0; s < n_sets; s++) cap += cases[use[s]].n;
  qb__mkey* keys = calloc(cap ? cap : 1, sizeof *keys);
  FILE *f = NULL, *g = NULL;
  qb_status st = QB_OK;
  if (picks == NULL || keys == NULL) {
    st = qb_fail(err, QB_NO_MEMORY, "out of memory selecting rows to plot");
    goto done;
  }
  for (size_t s = 0; s < n_sets && st == QB_OK; s++)
    st = qb__pick_largest(&cases[use[s]], false, &picks[s], err);
  if (st != QB_OK) goto done;
  /* Keys: every kernel; with several files, those all of them have (when any). */
  for (size_t s = 0; s < n_sets; s++) {
    for (size_t i = 0; i < picks[s].n; i++) {
      char k[200];
      qb__machine_key(picks[s].v[i], k, sizeof k);
      size_t j = 0;
      while (j < nk && strcmp(keys[j].key, k) != 0) j++;
      if (j == nk) snprintf(keys[nk++].key, sizeof keys[0].key, "%s", k);
      /* Count each file once per key. */
      if (qb__machine_find(&picks[s], k) == picks[s].v[i]) keys[j].count++;
    }
  }
  size_t common = 0;
  for (size_t j = 0; j < nk; j++) common += keys[j].count == n_sets;
  if (n_sets > 1 && common > 0) {
    size_t k = 0;
    for (size_t j = 0; j < nk; j++) {
      if (keys[j].count == n_sets) keys[k++] = keys[j];
    }
    nk = k;
  }
  qsort(keys, nk, sizeof *keys, qb__cmp_mkey);
  f = qb__open(p, "machines.tsv", err);
  g = f ? qb__open(p, "machines-kernels.tsv", err) : NULL;
  if (f == NULL || g == NULL) {
    st = err->status;
    goto done;
  }
  fprintf(f, "# one block per results file: bar x, roof fraction, GB/s, colour, kernel (largest n)\n");
  fprintf(g, "# per kernel: centre x\tkernel\n");
  size_t width = n_sets + 1, bars = 0, roofbars = 0;
  for (size_t j = 0; j < nk; j++) {
    fprintf(g, "%g\t0\t%s\n", (double) (j * width) + 0.5 * (double) width, keys[j].key);
  }
  char a[32], b[32], label[300], colors[2048] = "";
  for (size_t s = 0; s < n_sets; s++) {
    qb__machine_label(&sets[use[s]], label, sizeof label);
    qb__color_word(colors, sizeof colors, qb__series_palette[s % 6]);
    fprintf(f, "%sx\troof\tgbps\tcolor\t%s\n", s ? "\n\n" : "", label);
    for (size_t j = 0; j < nk; j++) {
      const qb__case* c = qb__machine_find(&picks[s], keys[j].key);
      if (c == NULL) continue;
      fprintf(f, "%zu\t%s\t%s\t%u\t%s\n", j * width + s + 1, qb__num(a, sizeof a, c->roof_fraction),
              qb__num(b, sizeof b, c->gbps), qb__series_palette[s % 6], keys[j].key);
      bars++;
      roofbars += isfinite(c->roof_fraction);
    }
  }
  st = qb__close2(p, f, "machines.tsv", g, "machines-kernels.tsv", err);
  f = g = NULL;
  if (st == QB_OK) {
    char vars[8192] = "";
    qb__var_file(vars, sizeof vars, "data", p->o->out_dir, "machines.tsv");
    qb__var_file(vars, sizeof vars, "kernels", p->o->out_dir, "machines-kernels.tsv");
    qb__var(vars, sizeof vars, "colors", colors);
    qb__varf(vars, sizeof vars, "nblocks", (double) n_sets);
    qb__varf(vars, sizeof vars, "nbars", (double) bars);
    qb__varf(vars, sizeof vars, "xmax", (double) (nk * width));
    qb__varf(vars, sizeof vars, "nroofbars", (double) roofbars);
    st = qb__gnuplot(p, "machines.gp", "machines", title, vars, err);
  }
done:
  if (f) fclose(f);
  if (g) fclose(g);
  if (picks) {
    for (size_t s = 0; s < n_sets; s++) free(picks[s].v);
  }
  free(picks);
  free(keys);
  return st;
}

/* ---- chart 7: the regression view of a comparison ---- */

static uint32_t qb__verdict_color(qb_cmp_verdict v) {
  switch (v) {
    case QB_CMP_SLOWER:
      return 0xd62728;
    case QB_CMP_SLOWER_WEAK:
      return 0xff9896;
    case QB_CMP_FASTER:
      return 0x2ca02c;
    case QB_CMP_FASTER_WEAK:
      return 0x98df8a;
    default:
      return 0x7f7f7f;
  }
}

static qb_status qb__chart_regression(qb__plotter* p, const qb_comparison* c, qb_error* err) {
  FILE* f = qb__open(p, "regression.tsv", err);
  if (f == NULL) return err->status;
  fprintf(f,
          "# per timed row in both files: x, time-equivalent change %% (+ slower), colour, verdict, row\n");
  fprintf(f, "x\tchange_pct\tcolor\tverdict\tname\n");
  size_t n = 0;
  for (size_t i = 0; i < c->n_rows; i++) {
    const qb_cmp_row* r = &c->rows[i];
    if (r->presence != QB_CMP_BOTH || r->verdict == QB_CMP_NOT_TIMED || !isfinite(r->change_pct)) continue;
    fprintf(f, "%zu\t%.6g\t%u\t%s%s\t%s\n", ++n, r->change_pct, qb__verdict_color(r->verdict),
            qb_cmp_verdict_name(r->verdict), r->error_regression ? "+error" : "", r->name);
  }
  qb_status st = qb__close(p, f, "regression.tsv", err);
  if (st != QB_OK) return st;
  char vars[8192] = "";
  qb__var_file(vars, sizeof vars, "data", p->o->out_dir, "regression.tsv");
  qb__var(vars, sizeof vars, "base", c->base_path);
  qb__var(vars, sizeof vars, "new", c->new_path);
  qb__varf(vars, sizeof vars, "nbars", (double) n);
  qb__varf(vars, sizeof vars, "threshold", c->opts.threshold_pct);
  return qb__gnuplot(p, "regression.gp", "regression", p->title, vars, err);
}

/* ---- index.html: a report ---- */

static void qb__html(FILE* f, const char* s) {
  for (; *s; s++) {
    switch (*s) {
      case '<':
        fputs("&lt;", f);
        break;
      case '>':
        fputs("&gt;", f);
        break;
      case '&':
        fputs("&amp;", f);
        break;
      case '"':
        fputs("&quot;", f);
        break;
      case '\'':
        fputs("&#39;", f);
        break;
      default:
        fputc(*s, f);
    }
  }
}

static void qb__html_row(FILE* f, const char* key, const char* value) {
  fputs("<tr><th>", f);
  qb__html(f, key);
  fputs("</th><td>", f);
  qb__html(f, value);
  fputs("</td></tr>\n", f);
}

/* 32768 -> "32 KiB", 33554432 -> "32 MiB". */
static void qb__human_bytes(double v, char* buf, size_t len) {
  static const char* const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    u++;
  }
  snprintf(buf, len, v == floor(v) ? "%.0f %s" : "%.3g %s", v, units[u]);
}

static bool qb__chart_made(const qb__plotter* p, const char* name) {
  for (size_t i = 0; i < p->rep->n_charts; i++) {
    if (strcmp(p->rep->names[i], name) == 0) return true;
  }
  return false;
}

static void qb__html_figure(FILE* f, const char* chart, const char* caption) {
  fputs("<figure><a href=\"", f);
  qb__html(f, chart);
  fputs(".svg\"><img src=\"", f);
  qb__html(f, chart);
  fputs(".png\" alt=\"", f);
  qb__html(f, caption);
  fputs("\"></a><figcaption>", f);
  qb__html(f, caption);
  fputs(" (<a href=\"", f);
  qb__html(f, chart);
  fputs(".svg\">SVG</a>, <a href=\"", f);
  qb__html(f, chart);
  fputs(".tsv\">data</a>)</figcaption></figure>\n", f);
}

/* One summary row per family: its best path and how it compares. */
static void qb__summary_row(FILE* f, const qb__cases* cs, const char* family, const qb__case** tmp,
                            bool link) {
  size_t n = qb__family_pick(cs, family, tmp);
  qb_family id = qb_family_find(family);
  const qb_family_info* fi = id != QB_FAMILY_COUNT ? qb_family_get(id) : NULL;
  char buf[600];
  fputs("<tr><td>", f);
  if (link) {
    fputs("<a href=\"#fam-", f);
    qb__html(f, family);
    fputs("\">", f);
  }
  qb__html(f, family);
  fputs(link ? "</a></td><td class=\"what\">" : "</td><td class=\"what\">", f);
  qb__html(f, fi ? fi->doc : "");
  fputs("</td>", f);
  if (n == 0) {
    size_t skipped = 0, errors = 0;
    for (size_t i = 0; i < cs->n; i++) {
      if (strcmp(qb__case_family(&cs->v[i]), family) != 0) continue;
      skipped += strcmp(cs->v[i].row->status, "skipped") == 0;
      errors += strcmp(cs->v[i].row->status, "error") == 0;
    }
    snprintf(buf, sizeof buf, "no ok row (%zu skipped, %zu errors)", skipped, errors);
    fputs("<td colspan=\"6\" class=\"none\">", f);
    qb__html(f, buf);
    fputs("</td></tr>\n", f);
    return;
  }
  const qb__case* best = qb__fastest(tmp, n);
  /* The scalar reference at the same size and thread count. */
  const qb__case* scalar = NULL;
  for (size_t i = 0; i < cs->n; i++) {
    const qb__case* c = &cs->v[i];
    if (c->ok && strcmp(c->path, "scalar") == 0 && strcmp(qb__case_family(c), family) == 0 &&
        c->row->n == best->row->n && c->row->threads == best->row->threads && isfinite(c->gbps) &&
        (scalar == NULL || c->gbps > scalar->gbps))
      scalar = c;
  }
  /* 1. Best path: the variant (its ISA is in its name), a device's backend, threads
   * when not one; a device's full name in the tooltip. */
  char thr[48] = "";
  if (best->row->threads != 1) snprintf(thr, sizeof thr, ", %lld threads", (long long) best->row->threads);
  bool device = best->row->has_qbench && strcmp(best->row->backend, "cpu") != 0 && best->row->backend[0];
  snprintf(buf, sizeof buf, "%s%s%s%s%s", best->row->has_qbench ? best->row->variant : best->kernel,
           device ? " (" : "", device ? best->row->backend : "", device ? ")" : "", thr);
  fputs("<td title=\"", f);
  qb__html(f, best->path);
  fputs("\">", f);
  qb__html(f, buf);
  fputs("</td>", f);
  /* 2. GB/s (and GFLOP/s for the dots). */
  if (best->row->has_qbench && best->row->gflops > 0 && isfinite(best->gops)) {
    snprintf(buf, sizeof buf, "%.3g GB/s (%.3g GFLOP/s)", best->gbps, best->gops);
  } else {
    snprintf(buf, sizeof buf, "%.3g GB/s", best->gbps);
  }
  fprintf(f, "<td class=\"num\">%s</td>", buf);
  /* 3. Fraction of its roof. */
  if (isfinite(best->roof_fraction)) {
    fprintf(f, "<td class=\"num\">%.0f %%</td>", 100 * best->roof_fraction);
  } else {
    fputs("<td class=\"num\">-</td>", f);
  }
  /* 4. Speed-up over the scalar reference. */
  if (scalar != NULL && scalar != best && scalar->gbps > 0) {
    fprintf(f, "<td class=\"num\">%.1fx</td>", best->gbps / scalar->gbps);
  } else if (scalar == best) {
    fputs("<td class=\"num\">1x (scalar is best)</td>", f);
  } else {
    fputs("<td class=\"num\">-</td>", f);
  }
  /* 5. SQNR: the format's error; a dequantize's own figure is its arithmetic alone. */
  const qb_result_error* e = &best->row->error;
  if (qb__family_dequantizes(family)) {
    fputs(
        "<td class=\"num\" title=\"a dequantize's own error is its arithmetic alone; the format's error is "
        "the quantize row's round trip\">see quantize</td>",
        f);
  } else if (!best->row->has_qbench || !e->present) {
    fputs("<td class=\"num\">not measured</td>", f);
  } else if ((isinf(e->sqnr_db) && e->sqnr_db > 0) ||
             (!isfinite(qb__sqnr(e)) && e->nmse == 0 && e->max_abs == 0)) {
    fputs("<td class=\"num\">exact (+inf dB)</td>", f);
  } else if (isfinite(qb__sqnr(e))) {
    fprintf(f, "<td class=\"num\">%.1f dB%s</td>", qb__sqnr(e),
            qb__family_quantizes(family) ? " (round trip)" : "");
  } else {
    fputs("<td class=\"num\">not measured</td>", f);
  }
  /* 6. Bytes moved per element (the family's formula, metadata included). */
  if (fi != NULL) {
    snprintf(buf, sizeof buf, "%.4g", (fi->in_bits + fi->in2_bits + fi->out_bits) / 8.0);
  } else {
    snprintf(buf, sizeof buf, "-");
  }
  fprintf(f, "<td class=\"num\">%s</td></tr>\n", buf);
}

/* A results file's machine and run, in human units. */
static void qb__html_context(FILE* f, const qb_resultset* r, bool main_set) {
  char buf[512], a[64], b[64], c[64];
  fputs("<h3>", f);
  qb__html(f, r->path);
  fputs(main_set ? " (the charts above are from this run)</h3>\n<table class=\"ctx\">\n"
                 : "</h3>\n<table class=\"ctx\">\n",
        f);
  qb__html_row(f, "CPU", r->has_qbench && r->cpu_model[0] ? r->cpu_model : "unknown");
  qb__html_row(f, "host", r->host_name);
  qb__html_row(f, "date", r->date[0] ? r->date : "undated");
  if (r->has_qbench) {
    snprintf(buf, sizeof buf, "%s (commit %s)", r->version, r->git_commit);
    qb__html_row(f, "qbench", buf);
    qb__html_row(f, "suite", r->suite);
    qb__html_row(f, "OS", r->os);
    qb__html_row(f, "compiler", r->compiler);
    qb__html_row(f, "ISA cap", r->isa_cap[0] ? r->isa_cap : "none");
    qb__html_row(f, "emulated", r->emulated ? "yes: timings are the emulator's, not this machine's" : "no");
    if (r->topology.present) {
      const qb_result_topology* t = &r->topology;
      snprintf(buf, sizeof buf, "%lld package%s, %lld cores, %lld hardware threads, %lld NUMA node%s",
               (long long) t->packages, t->packages == 1 ? "" : "s", (long long) t->cores, (long long) t->pus,
               (long long) t->numa_nodes, t->numa_nodes == 1 ? "" : "s");
      qb__html_row(f, "topology", buf);
      qb__human_bytes((double) t->l1d_used, a, sizeof a);
      qb__human_bytes((double) t->l2_used, b, sizeof b);
      qb__human_bytes((double) t->l3_used, c, sizeof c);
      snprintf(buf, sizeof buf, "L1d %s, L2 %s, L3 %s (%s)", a, b, c,
               t->caches_overridden ? "overridden by the user" : t->source);
      qb__html_row(f, "caches used", buf);
    }
  }
  snprintf(buf, sizeof buf, "%zu", r->n_rows);
  qb__html_row(f, "rows", buf);
  fputs("</table>\n", f);
  if (r->n_roofs == 0) return;
  fputs(
      "<details><summary>measured roofs</summary>\n<table class=\"roofs\"><thead><tr><th>roof</th><th>size "
      "class</th><th>footprint</th><th>threads</th><th>rate</th></tr></thead><tbody>\n",
      f);
  for (size_t i = 0; i < r->n_roofs; i++) {
    const qb_result_roof* o = &r->roofs[i];
    if (isfinite(o->bytes_per_second)) {
      snprintf(b, sizeof b, "%.1f GB/s", o->bytes_per_second / 1e9);
    } else if (isfinite(o->flops_per_second)) {
      snprintf(b, sizeof b, "%.1f GFLOP/s", o->flops_per_second / 1e9);
    } else {
      continue;
    }
    if (o->bytes > 0) {
      qb__human_bytes(o->bytes, a, sizeof a);
    } else {
      snprintf(a, sizeof a, "registers");
    }
    snprintf(buf, sizeof buf, "%s%s%s%s", o->name, o->device[0] ? " (" : "", o->device[0] ? o->device : "",
             o->device[0] ? ")" : "");
    fputs("<tr><td>", f);
    qb__html(f, buf);
    fputs("</td><td>", f);
    qb__html(f, o->size_class);
    fprintf(f, "</td><td class=\"num\">%s</td><td class=\"num\">%lld</td><td class=\"num\">%s</td></tr>\n", a,
            (long long) o->threads, b);
  }
  fputs("</tbody></table></details>\n", f);
}

/* ---- the peers' ratios (ci/peers.sh --csv) ---- */

static const char qb__peers_header[] = "peer,operation,family,n,variant,qbench_gelps,peer_gelps,ratio";

void qb_plot_peers_free(qb_plot_peers* p) {
  free(p->v);
  p->v = NULL;
  p->n = 0;
}

/* One data line (NUL-terminated, no line break) into *r; false with err set when bad.
 * *has_ratio false for a line without a peer ("none", empty ratio). */
static bool qb__peer_line(char* line, const char* path, size_t lineno, qb_plot_peer_row* r, bool* has_ratio,
                          qb_error* err) {
  char* field[8];
  size_t nf = 0;
  if (strchr(line, '"') != NULL) {
    qb_fail(err, QB_BAD_INPUT, "%s:%zu: a quoted field (ci/peers.sh --csv writes none)", path, lineno);
    return false;
  }
  for (char* s = line;; s++) {
    if (nf < 8) field[nf] = s;
    nf++;
    s = strchr(s, ',');
    if (s == NULL) break;
    *s = '\0';
  }
  if (nf != 8) {
    qb_fail(err, QB_BAD_INPUT, "%s:%zu: %zu fields, expected 8 (%s)", path, lineno, nf, qb__peers_header);
    return false;
  }
  char* end = NULL;
  errno = 0;
  const unsigned long long n = strtoull(field[3], &end, 10);
  if (field[3][0] < '0' || field[3][0] > '9' || *end != '\0' || errno != 0 || n == 0) {
    qb_fail(err, QB_BAD_INPUT, "%s:%zu: n '%.40s': expected a count of elements above 0", path, lineno,
            field[3]);
    return false;
  }
  if (field[0][0] == '\0' || strlen(field[0]) >= sizeof r->peer || field[2][0] == '\0' ||
      strlen(field[2]) >= sizeof r->family) {
    qb_fail(err, QB_BAD_INPUT, "%s:%zu: peer '%.40s' or family '%.70s' empty or too long", path, lineno,
            field[0], field[2]);
    return false;
  }
  *has_ratio = field[7][0] != '\0';
  double ratio = NAN;
  if (*has_ratio) {
    ratio = strtod(field[7], &end);
    if (*end != '\0' || !isfinite(ratio) || !(ratio > 0)) {
      qb_fail(err, QB_BAD_INPUT, "%s:%zu: ratio '%.40s': expected a finite number above 0 or nothing", path,
              lineno, field[7]);
      return false;
    }
  }
  snprintf(r->peer, sizeof r->peer, "%s", field[0]);
  snprintf(r->family, sizeof r->family, "%s", field[2]);
  r->n = (uint64_t) n;
  r->ratio = ratio;
  return true;
}

qb_status qb_plot_peers_load(const char* path, qb_plot_peers* out, qb_error* err) {
  memset(out, 0, sizeof *out);
  snprintf(out->path, sizeof out->path, "%s", path);
  char* text = NULL;
  size_t len = 0;
  qb_status st =
      qb_file_read_all(path, UINT64_C(64) << 20, "a peers CSV from ci/peers.sh --csv", &text, &len, err);
  if (st != QB_OK) return st;
  if (strlen(text) != len) {
    free(text);
    return qb_fail(err, QB_BAD_INPUT, "%s: a NUL byte: not a peers CSV", path);
  }
  size_t lines = 1;
  for (const char* s = text; (s = strchr(s, '\n')) != NULL; s++) lines++;
  out->v = malloc(lines * sizeof *out->v);
  if (out->v == NULL) {
    free(text);
    return qb_fail(err, QB_NO_MEMORY, "%s: out of memory reading %zu lines", path, lines);
  }
  size_t lineno = 0;
  for (char* line = text; line != NULL && st == QB_OK;) {
    char* next = strchr(line, '\n');
    if (next != NULL) *next++ = '\0';
    const size_t ll = strlen(line);
    if (ll > 0 && line[ll - 1] == '\r') line[ll - 1] = '\0';
    lineno++;
    if (lineno == 1) {
      if (strcmp(line, qb__peers_header) != 0)
        st = qb_fail(err, QB_BAD_INPUT,
                     "%s:1: not a peers CSV (expected the header '%s' of ci/peers.sh --csv)", path,
                     qb__peers_header);
    } else if (line[0] != '\0') {
      bool has_ratio = false;
      if (!qb__peer_line(line, path, lineno, &out->v[out->n], &has_ratio, err)) {
        st = err->status;
      } else if (has_ratio) {
        out->n++;
      }
    }
    line = next;
  }
  free(text);
  if (st != QB_OK) qb_plot_peers_free(out);
  return st;
}

static bool qb__same_peer(const qb_plot_peer_row* a, const qb_plot_peer_row* b) {
  return strcmp(a->peer, b->peer) == 0 && strcmp(a->family, b->family) == 0;
}

/* The best ratio of a peer's lines for a family at n (the first such line is r). */
static double qb__peer_best(const qb_plot_peers* pp, const qb_plot_peer_row* r, uint64_t n) {
  double best = NAN;
  for (size_t i = 0; i < pp->n; i++) {
    if (qb__same_peer(&pp->v[i], r) && pp->v[i].n == n && !(pp->v[i].ratio <= best)) best = pp->v[i].ratio;
  }
  return best;
}

/* A family's cell of ratios: per peer (in file order), the best ratio at the largest n
 * whose bytes fit in L2 (l2 bytes; 0: unknown) and at the largest n. */
static void qb__html_peers_cell(FILE* f, const qb_plot_peers* pp, const char* family, double l2) {
  const qb_family id = qb_family_find(family);
  const qb_family_info* fi = id != QB_FAMILY_COUNT ? qb_family_get(id) : NULL;
  char buf[256];
  size_t shown = 0;
  for (size_t i = 0; i < pp->n; i++) {
    const qb_plot_peer_row* r = &pp->v[i];
    if (strcmp(r->family, family) != 0) continue;
    bool seen = false;
    for (size_t k = 0; k < i && !seen; k++) seen = qb__same_peer(&pp->v[k], r);
    if (seen) continue;
    uint64_t n_all = 0, n_in = 0;
    for (size_t k = i; k < pp->n; k++) {
      if (!qb__same_peer(&pp->v[k], r)) continue;
      if (pp->v[k].n > n_all) n_all = pp->v[k].n;
      if (fi != NULL && l2 > 0 && qb_family_bytes(fi, pp->v[k].n) <= l2 && pp->v[k].n > n_in)
        n_in = pp->v[k].n;
    }
    size_t at = (size_t) snprintf(buf, sizeof buf, "%s:", r->peer);
    if (n_in > 0)
      at +=
          (size_t) snprintf(buf + at, sizeof buf - at, " %.2fx at n = %llu (in L2)%s",
                            qb__peer_best(pp, r, n_in), (unsigned long long) n_in, n_in != n_all ? "," : "");
    if (n_in != n_all && at < sizeof buf)
      snprintf(buf + at, sizeof buf - at, " %.2fx at n = %llu", qb__peer_best(pp, r, n_all),
               (unsigned long long) n_all);
    fputs(shown++ ? "<br>" : "<td class=\"peers\">", f);
    qb__html(f, buf);
  }
  fputs(shown ? "</td>" : "<td class=\"none\" title=\"no peer measured this family\"></td>", f);
}

/* ---- the roof table: per family and backend, the best at each size class and thread count ---- */

/* One cell: the cases of a family on one backend at one size class and thread count. */
typedef struct qb__cell {
  const char* family;
  const char* backend; /* "cpu", or "<backend>:<device>" (each device apart) */
  const char* size_class;
  long long threads;
  const qb__case* best;   /* qb__fastest of the cell's cases; NULL when none is rated */
  size_t failed, skipped; /* its cases that are not ok */
  /* The family's best GB/s on the same backend and thread count at the smallest size
   * class the results hold for it, over this cell's roof GB/s: the fraction of this roof
   * the kernel reaches with its data in the nearest cache measured. Below 1, the core
   * (its instructions), not this size's memory, binds the cell. NAN at that smallest
   * class itself and where a figure is missing. */
  double ceiling;
} qb__cell;

typedef struct qb__rooftab {
  qb__cell* v; /* by family (registry order), backend (the CPU first), size class, threads */
  size_t n;
} qb__rooftab;

static const char* qb__case_backend(const qb__case* c) {
  const bool host = c->row->backend[0] == '\0' || strcmp(c->row->backend, "cpu") == 0;
  return host ? "cpu" : c->path;
}

static int qb__cmp_backend(const char* a, const char* b) {
  const int ha = strcmp(a, "cpu") == 0, hb = strcmp(b, "cpu") == 0;
  return ha != hb ? hb - ha : strcmp(a, b);
}

static int qb__cmp_class_threads(const char* ca, long long ta, const char* cb, long long tb) {
  int c = qb__size_rank(ca) - qb__size_rank(cb);
  if (c == 0) c = strcmp(ca, cb);
  if (c == 0) c = (ta > tb) - (ta < tb);
  return c;
}

/* Cases by cell: family, backend, size class, threads. */
static int qb__cmp_cell_case(const void* a, const void* b) {
  const qb__case *x = *(const qb__case*const*) a, *y = *(const qb__case*const*) b;
  int c = qb__cmp_family_name(&x->row->family, &y->row->family);
  if (c == 0) c = qb__cmp_backend(qb__case_backend(x), qb__case_backend(y));
  if (c == 0)
    c = qb__cmp_class_threads(x->row->size_class, (long long) x->row->threads, y->row->size_class,
                              (long long) y->row->threads);
  return c;
}

/* Each cell's ceiling (qb__cell): the nearest cell of its family, backend and thread
 * count is the one at the lowest-ranked size class with a rated best. */
static void qb__rooftab_ceilings(qb__rooftab* t) {
  for (size_t i = 0; i < t->n; i++) {
    qb__cell* c = &t->v[i];
    c->ceiling = NAN;
    if (c->best == NULL || !(c->best->roof_gbps > 0)) continue;
    const qb__cell* near = NULL;
    for (size_t k = 0; k < t->n; k++) {
      const qb__cell* o = &t->v[k];
      if (o->best == NULL || !isfinite(o->best->gbps) || o->threads != c->threads ||
          strcmp(o->family, c->family) != 0 || strcmp(o->backend, c->backend) != 0)
        continue;
      if (near == NULL || qb__size_rank(o->size_class) < qb__size_rank(near->size_class)) near = o;
    }
    if (near != NULL && qb__size_rank(near->size_class) < qb__size_rank(c->size_class))
      c->ceiling = near->best->gbps / c->best->roof_gbps;
  }
}

/* The cells of a set's qbench cases that name a size class, each with its best. */
static qb_status qb__rooftab_build(const qb__cases* cs, qb__rooftab* t, qb_error* err) {
  const qb__case** v = malloc((cs->n ? cs->n : 1) * sizeof *v);
  t->v = calloc(cs->n ? cs->n : 1, sizeof *t->v);
  t->n = 0;
  if (v == NULL || t->v == NULL) {
    free(v);
    free(t->v);
    t->v = NULL;
    return qb_fail(err, QB_NO_MEMORY, "out of memory building the roof table");
  }
  size_t n = 0;
  for (size_t i = 0; i < cs->n; i++) {
    if (cs->v[i].row->has_qbench && cs->v[i].row->size_class[0] != '\0') v[n++] = &cs->v[i];
  }
  qsort(v, n, sizeof *v, qb__cmp_cell_case);
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && qb__cmp_cell_case(&v[i], &v[j]) == 0) j++;
    qb__cell* cell = &t->v[t->n++];
    cell->family = v[i]->row->family;
    cell->backend = qb__case_backend(v[i]);
    cell->size_class = v[i]->row->size_class;
    cell->threads = (long long) v[i]->row->threads;
    cell->best = qb__fastest(v + i, j - i);
    for (size_t k = i; k < j; k++) {
      if (v[k]->ok) continue;
      if (strcmp(v[k]->row->status, "skipped") == 0) {
        cell->skipped++;
      } else {
        cell->failed++;
      }
    }
    i = j;
  }
  free(v);
  qb__rooftab_ceilings(t);
  return QB_OK;
}

static const char* qb__cell_variant(const qb__case* c) {
  return c->row->variant[0] ? c->row->variant : c->kernel;
}

/* A number for the CSV: 4 significant digits, empty when not measured. */
static void qb__csv_num(FILE* f, double v) {
  if (isfinite(v)) fprintf(f, "%.4g", v);
}

/* DIR/roof-fractions.csv: one line per cell, the HTML table's figures; a cell with no ok
 * case has its status ("error" when any of its cases failed, else "skipped") and no
 * figures. above_roof is true when either fraction (a dot's compute one too) is above 1.
 * ceiling_fraction is the cell's ceiling, bound "compute" where it is below 1, else
 * "memory" (both empty where there is no ceiling). */
static qb_status qb__rooftab_csv(const qb__plotter* p, const qb__rooftab* t, qb_error* err) {
  static const char name[] = "roof-fractions.csv";
  FILE* f = qb__open(p, name, err);
  if (f == NULL) return err->status;
  fputs(
      "family,backend,size_class,threads,variant,roof,roof_fraction,gbps,roof_gbps,above_roof,status,compute_"
      "roof,"
      "compute_roof_fraction,ceiling_fraction,bound\n",
      f);
  for (size_t i = 0; i < t->n; i++) {
    const qb__cell* c = &t->v[i];
    const qb__case* b = c->best;
    qb_csv_field(f, c->family);
    fputc(',', f);
    qb_csv_field(f, c->backend);
    fputc(',', f);
    qb_csv_field(f, c->size_class);
    fprintf(f, ",%lld,", c->threads);
    if (b == NULL) {
      fprintf(f, ",,,,,,%s,,,,\n", c->failed > 0 ? "error" : "skipped");
      continue;
    }
    qb_csv_field(f, qb__cell_variant(b));
    fputc(',', f);
    qb_csv_field(f, b->row->roof_name);
    fputc(',', f);
    qb__csv_num(f, b->roof_fraction);
    fputc(',', f);
    qb__csv_num(f, b->gbps);
    fputc(',', f);
    qb__csv_num(f, b->roof_gbps);
    /* Above either of its roofs: the roof is not a limit there. */
    const bool over = b->roof_fraction > 1 || b->compute_fraction > 1;
    fprintf(f, ",%s,ok,", over ? "true" : isfinite(b->roof_fraction) ? "false" : "");
    qb_csv_field(f, b->row->compute_roof_name);
    fputc(',', f);
    qb__csv_num(f, b->compute_fraction);
    fputc(',', f);
    qb__csv_num(f, c->ceiling);
    fprintf(f, ",%s\n", !isfinite(c->ceiling) ? "" : c->ceiling < 1 ? "compute" : "memory");
  }
  return qb__close(p, f, name, err);
}

/* "L2, 1 thread" */
static void qb__class_threads_label(const qb__cell* c, char* buf, size_t len) {
  snprintf(buf, len, "%s, %lld thread%s", c->size_class, c->threads, c->threads == 1 ? "" : "s");
}

/* One cell of the HTML table: variant, fraction of its roof (flagged above 1), GB/s. */
static void qb__html_cell(FILE* f, const qb__cell* c) {
  char buf[640], lab[96];
  if (c == NULL) {
    fputs("<td class=\"none\" title=\"not measured\"></td>", f);
    return;
  }
  qb__class_threads_label(c, lab, sizeof lab);
  const qb__case* b = c->best;
  if (b == NULL) {
    snprintf(buf, sizeof buf, "no ok row (%zu error%s, %zu skipped)", c->failed, c->failed == 1 ? "" : "s",
             c->skipped);
    fputs("<td class=\"none\">", f);
    qb__html(f, buf);
    fputs("</td>", f);
    return;
  }
  const bool over = isfinite(b->roof_fraction) && b->roof_fraction > 1;
  const bool cover = isfinite(b->compute_fraction) && b->compute_fraction > 1;
  char roof[160], comp[200] = "", ceil[200] = "";
  const char* rname = b->row->roof_name[0] ? b->row->roof_name : "no roof";
  if (isfinite(b->roof_gbps)) {
    snprintf(roof, sizeof roof, "%s (%.4g GB/s)", rname, b->roof_gbps);
  } else {
    snprintf(roof, sizeof roof, "%s", rname);
  }
  if (isfinite(b->compute_fraction))
    snprintf(comp, sizeof comp, "; %.4g GFLOP/s against its compute peak %s", b->gops,
             b->row->compute_roof_name);
  if (isfinite(c->ceiling))
    snprintf(ceil, sizeof ceil, "; from the nearest cache measured the family reaches %.4g of this roof (%s)",
             c->ceiling, c->ceiling < 1 ? "the core binds it here" : "this memory can bind it here");
  snprintf(buf, sizeof buf, "%s at %s, n = %lld: %.4g GB/s against %s%s%s%s", b->path, lab,
           (long long) b->row->n, b->gbps, roof, comp, ceil,
           over || cover ? "; above a roof: the roof is not a limit" : "");
  fputs(over || cover ? "<td class=\"num over\" title=\"" : "<td class=\"num\" title=\"", f);
  qb__html(f, buf);
  fputs("\">", f);
  qb__html(f, qb__cell_variant(b));
  if (isfinite(b->roof_fraction)) {
    fprintf(f, "<br>%.0f %%%s", 100 * b->roof_fraction, over ? " (above its roof)" : "");
  } else {
    fputs("<br>no roof", f);
  }
  if (isfinite(b->compute_fraction))
    fprintf(f, "<br>compute %.0f %%%s", 100 * b->compute_fraction, cover ? " (above its peak)" : "");
  if (isfinite(c->ceiling) && c->ceiling < 1) fprintf(f, "<br>ceiling %.0f %%", 100 * c->ceiling);
  fprintf(f, "<br>%.3g GB/s</td>", b->gbps);
}

/* The roof table in index.html: a row per (family, backend), a column per (size class,
 * thread count) the results hold. */
static void qb__html_rooftab(FILE* f, const qb__rooftab* t, const qb_plot_peers* peers, double l2) {
  fputs(
      "<h2 id=\"roofs\">Roof fractions</h2>\n<p>Per family and backend (the CPU; each OpenCL device apart), "
      "at each size class and thread count the rows were measured at: the best variant, chosen by the median "
      "GB/s of its ok repetitions (a failed or skipped row is never chosen), its fraction of its own roof "
      "(the row's <code>roof_fraction</code>: the machine's measured roof for the family's read:write mix "
      "at that size and thread count; a device's against that device's own roof of the mix) and its GB/s. A "
      "fraction "
      "above 100 % is flagged: the roof is not a limit there. A dot also shows its fraction of its path's "
      "compute peak (<code>compute_roof_fraction</code>, \"compute\"): the higher of its two fractions is "
      "what binds it. A \"ceiling\" is the fraction of the cell's roof that the family's best reaches, on "
      "the same backend and thread count, at the smallest size class measured (its data in the nearest "
      "cache), shown where it is below 100 %: there the core, not this size's memory, binds the kernel, and "
      "a faster memory would not raise its roof fraction past the ceiling. An empty cell was not measured. "
      "The same "
      "table, one line per cell: <a href=\"roof-fractions.csv\">roof-fractions.csv</a>.</p>\n",
      f);
  if (peers != NULL) {
    char l2s[64] = "unknown: no topology in the results";
    if (l2 > 0) qb__human_bytes(l2, l2s, sizeof l2s);
    fputs(
        "<p>Ratio to public implementations: qbench's best variant over the peer, both timed alternately in "
        "one process on one pinned core by <code>ci/peers.sh --csv</code> (",
        f);
    qb__html(f, peers->path);
    fputs(
        "; its timings, not this run's): per peer, the best ratio at the largest n whose bytes fit this "
        "run's "
        "L2 (",
        f);
    qb__html(f, l2s);
    fputs(") and at the largest n. Above 1: qbench is faster.</p>\n", f);
  }
  if (t->n == 0) {
    fputs("<p class=\"sub\">No row names a size class: nothing to tabulate.</p>\n", f);
    return;
  }
  /* 1. The columns: every (size class, threads) of a cell, in order, each once. */
  const qb__cell** cols = malloc(t->n * sizeof *cols);
  if (cols == NULL) return;
  size_t nc = 0;
  for (size_t i = 0; i < t->n; i++) {
    size_t k = 0;
    while (k < nc && qb__cmp_class_threads(cols[k]->size_class, cols[k]->threads, t->v[i].size_class,
                                           t->v[i].threads) != 0)
      k++;
    if (k == nc) cols[nc++] = &t->v[i];
  }
  for (size_t i = 1; i < nc; i++) {
    for (size_t k = i; k > 0 && qb__cmp_class_threads(cols[k - 1]->size_class, cols[k - 1]->threads,
                                                      cols[k]->size_class, cols[k]->threads) > 0;
         k--) {
      const qb__cell* tmp = cols[k];
      cols[k] = cols[k - 1];
      cols[k - 1] = tmp;
    }
  }
  char lab[96];
  fputs("<div class=\"wide\"><table class=\"rooftab\"><thead><tr><th>family</th><th>backend</th>", f);
  for (size_t k = 0; k < nc; k++) {
    qb__class_threads_label(cols[k], lab, sizeof lab);
    fputs("<th class=\"num\">", f);
    qb__html(f, lab);
    fputs("</th>", f);
  }
  if (peers != NULL) fputs("<th>ratio to public implementations (qbench / peer)</th>", f);
  fputs("</tr></thead><tbody>\n", f);
  /* 2. A row per (family, backend): its cells are consecutive. */
  for (size_t i = 0; i < t->n;) {
    size_t j = i;
    while (j < t->n && strcmp(t->v[j].family, t->v[i].family) == 0 &&
           strcmp(t->v[j].backend, t->v[i].backend) == 0)
      j++;
    fputs("<tr><td>", f);
    qb__html(f, t->v[i].family);
    fputs("</td><td>", f);
    qb__html(f, t->v[i].backend);
    fputs("</td>", f);
    for (size_t k = 0; k < nc; k++) {
      const qb__cell* c = NULL;
      for (size_t q = i; q < j && c == NULL; q++) {
        if (qb__cmp_class_threads(t->v[q].size_class, t->v[q].threads, cols[k]->size_class,
                                  cols[k]->threads) == 0)
          c = &t->v[q];
      }
      qb__html_cell(f, c);
    }
    if (peers != NULL && strcmp(t->v[i].backend, "cpu") == 0) {
      qb__html_peers_cell(f, peers, t->v[i].family, l2);
    } else if (peers != NULL) {
      fputs("<td class=\"none\" title=\"the peers run on the CPU\"></td>", f);
    }
    fputs("</tr>\n", f);
    i = j;
  }
  fputs("</tbody></table></div>\n", f);
  free(cols);
}

static qb_status qb__index_html(const qb__plotter* p, const qb_resultset* sets, size_t n_sets, size_t m,
                                const qb__cases* cs, const qb__rooftab* roofs, qb_error* err) {
  const char** fams = malloc((cs->n ? cs->n : 1) * sizeof *fams);
  const qb__case** tmp = malloc((cs->n ? cs->n : 1) * sizeof *tmp);
  if (fams == NULL || tmp == NULL) {
    free(fams);
    free(tmp);
    return qb_fail(err, QB_NO_MEMORY, "out of memory writing index.html");
  }
  size_t nf = qb__families(cs, fams);
  FILE* f = qb__open(p, "index.html", err);
  if (f == NULL) {
    free(fams);
    free(tmp);
    return err->status;
  }
  fputs(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>qbench report: ",
      f);
  qb__html(f, p->title);
  fputs(
      "</title>\n<style>\n"
      "body{font-family:'DejaVu Sans',sans-serif;margin:1em auto;max-width:1100px;padding:0 1em;color:#222}\n"
      "h1{font-size:1.5em}h2{border-bottom:1px solid #ccc;margin-top:2em}h3{margin-top:1.5em}\n"
      "table{border-collapse:collapse;margin:.5em 0}th,td{text-align:left;padding:.2em "
      ".6em;vertical-align:top}\n"
      "table.summary th,table.summary td,table.roofs td,table.roofs th{border-bottom:1px solid #e4e4e4}\n"
      "table.summary{font-size:.8em;width:100%}table.summary thead th{background:#f2f2f2}\n"
      "div.wide{overflow-x:auto}td.what{color:#555;max-width:12em}\n"
      "td.num{text-align:right}td.none{color:#888}\n"
      "table.rooftab{font-size:.8em}table.rooftab th,table.rooftab td{border-bottom:1px solid #e4e4e4}\n"
      "table.rooftab thead "
      "th{background:#f2f2f2}th.num{text-align:right}td.over{color:#b00;font-weight:bold}\n"
      "img{max-width:100%;border:1px solid #ddd}figure{margin:1em 0}figcaption{color:#555;font-size:.9em}\n"
      "nav ol{columns:3;font-size:.9em}.sub{color:#555}\n"
      "</style></head><body>\n<h1>qbench report</h1>\n<p class=\"sub\">",
      f);
  qb__html(f, p->title);
  if (n_sets > 1) {
    char buf[600];
    snprintf(buf, sizeof buf, ". Charts from the newest of %zu results files (%s); all of them in Machines.",
             n_sets, sets[m].path);
    qb__html(f, buf);
  }
  fputs("</p>\n", f);

  /* Contents. */
  fputs(
      "<nav><h2>Contents</h2><ol>\n<li><a href=\"#summary\">Summary</a></li>\n<li><a href=\"#roofs\">Roof "
      "fractions</a></li>\n",
      f);
  for (size_t i = 0; i < nf && !p->o->machines_only; i++) {
    fputs("<li><a href=\"#fam-", f);
    qb__html(f, fams[i]);
    fputs("\">", f);
    qb__html(f, fams[i]);
    fputs("</a></li>\n", f);
  }
  static const struct {
    const char* chart;
    const char* title;
  } others[] = {
      {"roofline", "Compute roofline (dot products)"},
      {"error", "Numerical error"},
      {"memory", "Memory"},
      {"machines", "Machines"},
      {"regression", "Regression"},
  };
  for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
    if (qb__chart_made(p, others[i].chart))
      fprintf(f, "<li><a href=\"#%s\">%s</a></li>\n", others[i].chart, others[i].title);
  }
  fputs("<li><a href=\"#context\">Machine and run</a></li>\n</ol></nav>\n", f);

  /* Summary: one row per family. */
  fputs(
      "<h2 id=\"summary\">Summary</h2>\n<p>Per family: its fastest path at the largest size measured, its "
      "throughput, its fraction of the machine's measured roof for the same size and thread count, its "
      "speed-up over the portable scalar reference at the same size and thread count, the format's error "
      "(SQNR against an f64 reference; quantizers: quantize then dequantize) and the bytes it moves per "
      "element.</p>\n<div class=\"wide\"><table "
      "class=\"summary\"><thead><tr><th>family</th><th>what</th><th>best "
      "path</th><th>throughput</th><th>of roof</th><th>speed-up over scalar</th><th>SQNR</th><th>bytes / "
      "element</th></tr></thead><tbody>\n",
      f);
  for (size_t i = 0; i < nf; i++) qb__summary_row(f, cs, fams[i], tmp, !p->o->machines_only);
  fputs("</tbody></table></div>\n", f);
  qb__html_rooftab(f, roofs, p->o->peers, sets[m].topology.present ? (double) sets[m].topology.l2_used : 0);

  /* Families: throughput and size charts (none for a fleet's machines-only view). */
  for (size_t i = 0; i < nf && !p->o->machines_only; i++) {
    char chart[200];
    qb_family id = qb_family_find(fams[i]);
    fputs("<h2 id=\"fam-", f);
    qb__html(f, fams[i]);
    fputs("\">", f);
    qb__html(f, fams[i]);
    fputs("</h2>\n", f);
    if (id != QB_FAMILY_COUNT) {
      fputs("<p>", f);
      qb__html(f, qb_family_get(id)->doc);
      fputs("</p>\n", f);
    }
    snprintf(chart, sizeof chart, "throughput-%s", fams[i]);
    if (qb__chart_made(p, chart)) qb__html_figure(f, chart, "throughput of each variant against its roof");
    snprintf(chart, sizeof chart, "size-%s", fams[i]);
    if (qb__chart_made(p, chart)) qb__html_figure(f, chart, "throughput against working-set size");
    snprintf(chart, sizeof chart, "scaling-%s", fams[i]);
    if (qb__chart_made(p, chart))
      qb__html_figure(f, chart, "throughput against threads, beside the roof at each thread count");
  }
  if (nf == 0 && qb__chart_made(p, "throughput-none")) qb__html_figure(f, "throughput-none", "throughput");
  for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
    if (!qb__chart_made(p, others[i].chart)) continue;
    fprintf(f, "<h2 id=\"%s\">%s</h2>\n", others[i].chart, others[i].title);
    qb__html_figure(f, others[i].chart, others[i].title);
  }

  /* Machine and run context of every file. */
  fputs("<h2 id=\"context\">Machine and run</h2>\n", f);
  qb__html_context(f, &sets[m], n_sets > 1);
  for (size_t s = 0; s < n_sets; s++) {
    if (s != m) qb__html_context(f, &sets[s], false);
  }
  fputs(
      "<p class=\"sub\">Data files (.tsv) and gnuplot's log are beside the charts; the scripts are "
      "plots/*.gp (edit them and run qbench plot again).</p>\n</body></html>\n",
      f);
  free(fams);
  free(tmp);
  return qb__close(p, f, "index.html", err);
}

/* ---- all charts ---- */

static void qb__make_title(qb__plotter* p, const qb_resultset* s, const qb__cases* cs) {
  char devices[256] = "";
  for (size_t i = 0; i < cs->n; i++) {
    const char* path = cs->v[i].path;
    if (qb__path_rank(path) < 1000 || strcmp(path, "gbench") == 0 || strstr(devices, path) != NULL) continue;
    size_t at = strlen(devices);
    snprintf(devices + at, sizeof devices - at, " + %s", path);
  }
  const char* model = s->has_qbench && s->cpu_model[0] ? s->cpu_model : "unknown CPU";
  snprintf(p->title, sizeof p->title, "%s%s (%s), %s, qbench %s", model, devices, s->host_name,
           s->date[0] ? s->date : "undated", s->has_qbench && s->version[0] ? s->version : "?");
  snprintf(p->timing_title, sizeof p->timing_title, "%s%s", p->title,
           s->emulated ? " (emulated: timings meaningless)" : "");
}

/*
 * The file the single-run charts are drawn from: the newest run (context date, ISO 8601,
 * compared as text; undated files count as oldest), the first given among equals, so
 * that `qbench plot` over a folder of results shows the latest run and puts every file in the
 * machines chart.
 */
static size_t qb__newest(const qb_resultset* sets, size_t n_sets) {
  size_t m = 0;
  for (size_t s = 1; s < n_sets; s++) {
    if (strcmp(sets[s].date, sets[m].date) > 0) m = s;
  }
  return m;
}

/*
 * The files the machines chart shows, into use[]; returns how many. An emulator's times
 * say nothing about any machine, so beside a real run they would mislead: emulated files
 * are left out when any file is real (rep->note names them), and kept, marked in the
 * title, when all are emulated.
 */
static size_t qb__machine_sets(const qb_resultset* sets, size_t n_sets, size_t* use, qb_plot_report* rep) {
  size_t n_real = 0, n = 0, left = 0;
  for (size_t s = 0; s < n_sets; s++) n_real += !sets[s].emulated;
  for (size_t s = 0; s < n_sets; s++) {
    if (n_real == 0 || !sets[s].emulated) {
      use[n++] = s;
      continue;
    }
    if (left++ == 0) {
      snprintf(rep->note, sizeof rep->note,
               "emulated runs left out of the machines chart (their timings mean nothing beside real ones):");
    }
    size_t at = strlen(rep->note);
    snprintf(rep->note + at, sizeof rep->note - at, " %s", sets[s].path);
  }
  return n;
}

static qb_status qb__mkdir(const char* dir, qb_error* err) {
  if (mkdir(dir, 0755) != 0 && errno != EEXIST)
    return qb_fail(err, QB_IO, "%s: cannot create: %s", dir, strerror(errno));
  struct stat st;
  if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) return qb_fail(err, QB_IO, "%s: not a directory", dir);
  return QB_OK;
}

/* A name that goes into a file name (size-<family>.png): a closed set of characters,
 * so that no name adds a directory, hides a file or carries markup or quotes. */
static bool qb__file_name_ok(const char* s) {
  if (s[0] == '\0' || s[0] == '.' || s[0] == '-' || strlen(s) > 64) return false;
  for (; *s; s++) {
    const unsigned char c = (unsigned char) *s;
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-' || c == '.')) {
      return false;
    }
  }
  return true;
}

qb_status qb_plot_check_names(const qb_resultset* set, qb_error* err) {
  for (size_t i = 0; i < set->n_rows; i++) {
    const qb_result_row* r = &set->rows[i];
    if (r->has_qbench && !qb__file_name_ok(r->family)) {
      return qb_fail(
          err, QB_BAD_INPUT,
          "%s: row %zu ('%.80s'): family '%.80s' is not a name qbench writes (expected 1 to 64 letters, "
          "digits, '_', '-' or '.', not first '.' or '-'); nothing was written",
          set->path, i, r->name, r->family);
    }
  }
  return QB_OK;
}

/* An earlier plot in the folder is replaced only with --force. */
static qb_status qb__check_out_dir(const qb_plot_opts* o, qb_error* err) {
  char index[4200];
  /* Every file goes to a 4200-byte path (out_dir, '/', a chart name of at most 128): a
   * longer folder is refused whole rather than cut. */
  if (strlen(o->out_dir) > sizeof index - 160) {
    return qb_fail(err, QB_USAGE, "--out '%s': the path is %zu bytes long (at most %zu)", o->out_dir,
                   strlen(o->out_dir), sizeof index - 160);
  }
  snprintf(index, sizeof index, "%s/index.html", o->out_dir);
  struct stat st;
  if (!o->force && lstat(index, &st) == 0) {
    return qb_fail(err, QB_EXISTS, "%s: exists: the folder holds an earlier plot (use --force to replace it)",
                   index);
  }
  return QB_OK;
}

qb_status qb_plot_all(const qb_resultset* sets, size_t n_sets, const qb_plot_opts* o, qb_plot_report* rep,
                      qb_error* err) {
  qb__plotter p;
  memset(&p, 0, sizeof p);
  memset(rep, 0, sizeof *rep);
  p.o = o;
  p.rep = rep;
  if (n_sets == 0) return qb_fail(err, QB_USAGE, "no results files to plot");
  qb_status st = qb_plot_check(o, p.gnuplot, sizeof p.gnuplot, p.scripts, sizeof p.scripts, err);
  if (st != QB_OK) return st;
  snprintf(rep->gnuplot, sizeof rep->gnuplot, "%s", p.gnuplot);
  /* Before anything is written: names that become file names, and an earlier plot. */
  for (size_t s = 0; s < n_sets && st == QB_OK; s++) st = qb_plot_check_names(&sets[s], err);
  if (st != QB_OK) return st;
  if ((st = qb__check_out_dir(o, err)) != QB_OK) return st;
  if ((st = qb__mkdir(o->out_dir, err)) != QB_OK) return st;
  snprintf(p.log, sizeof p.log, "%s/gnuplot.log", o->out_dir);
  unlink(p.log);

  qb__cases* cases = calloc(n_sets, sizeof *cases);
  size_t* use = calloc(n_sets, sizeof *use);
  if (cases == NULL || use == NULL) {
    free(cases);
    free(use);
    return qb_fail(err, QB_NO_MEMORY, "out of memory");
  }
  for (size_t s = 0; s < n_sets && st == QB_OK; s++) st = qb__cases_build(&sets[s], &cases[s], err);
  size_t m = qb__newest(sets, n_sets);
  rep->main_set = m;
  if (st == QB_OK) qb__make_title(&p, &sets[m], &cases[m]);
  if (st == QB_OK && !o->machines_only) {
    st = qb__chart_throughput(&p, &cases[m], err);
    if (st == QB_OK) st = qb__chart_size(&p, &sets[m], &cases[m], err);
    if (st == QB_OK) st = qb__chart_scaling(&p, &cases[m], err);
    if (st == QB_OK) st = qb__chart_roofline(&p, &sets[m], &cases[m], err);
    if (st == QB_OK) st = qb__chart_error(&p, &cases[m], err);
    if (st == QB_OK) st = qb__chart_memory(&p, &cases[m], err);
  }
  if (st == QB_OK) {
    size_t n_use = qb__machine_sets(sets, n_sets, use, rep);
    bool all_emulated = n_use > 0 && sets[use[0]].emulated;
    st = qb__chart_machines(&p, sets, cases, use, n_use, all_emulated ? p.timing_title : p.title, err);
  }
  if (st == QB_OK && o->cmp != NULL) st = qb__chart_regression(&p, o->cmp, err);
  qb__rooftab roofs = {NULL, 0};
  if (st == QB_OK) st = qb__rooftab_build(&cases[m], &roofs, err);
  if (st == QB_OK) st = qb__rooftab_csv(&p, &roofs, err);
  if (st == QB_OK) st = qb__index_html(&p, sets, n_sets, m, &cases[m], &roofs, err);
  free(roofs.v);
  for (size_t s = 0; s < n_sets; s++) free(cases[s].v);
  free(cases);
  free(use);
  return st;
}

/* ---- error vs bits per element: the summary of `qbench error --data` ---- */

static bool qb__dominates(const qb_pareto_point* q, const qb_pareto_point* p) {
  return q->bits <= p->bits && q->sqnr_db >= p->sqnr_db && (q->bits < p->bits || q->sqnr_db > p->sqnr_db);
}

size_t qb_pareto_front(qb_pareto_point* p, size_t n) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    p[i].front = true;
    for (size_t j = 0; j < n && p[i].front; j++) {
      if (j != i && qb__dominates(&p[j], &p[i])) p[i].front = false;
    }
    k += p[i].front ? 1u : 0u;
  }
  return k;
}

void qb_pareto_free(qb_pareto_set* s) {
  free(s->points);
  memset(s, 0, sizeof *s);
}

qb_status qb_pareto_load(const char* path, qb_pareto_set* out, qb_error* err) {
  char* buf = NULL;
  size_t len = 0;
  memset(out, 0, sizeof *out);
  qb_status st = qb_file_read_all(path, QB_RESULTSET_MAX_BYTES, "an error --data file", &buf, &len, err);
  if (st != QB_OK) return st;
  json_error_t jerr;
  json_t* doc = json_loadb(buf, len, 0, &jerr);
  free(buf);
  const json_t* summary = json_object_get(doc, "summary");
  const json_t* data = json_object_get(doc, "data");
  if (doc == NULL || !json_is_array(summary) || !json_is_string(data)) {
    json_decref(doc);
    return QB_OK; /* not `qbench error --data` output: out->is_error_data stays false */
  }
  out->is_error_data = true;
  snprintf(out->data, sizeof out->data, "%s", json_string_value(data));
  out->points = calloc(json_array_size(summary) + 1, sizeof *out->points);
  if (out->points == NULL) {
    json_decref(doc);
    return qb_fail(err, QB_NO_MEMORY, "out of memory reading %s", path);
  }
  size_t i;
  const json_t* f;
  json_array_foreach(summary, i, f) {
    const json_t* name = json_object_get(f, "format");
    const json_t* bits = json_object_get(f, "bits_per_element");
    const json_t* sqnr = json_object_get(f, "sqnr_db");
    const json_t* tensors = json_object_get(f, "tensors");
    if (!json_is_string(name) || !json_is_number(bits) || !json_is_integer(tensors) ||
        !(json_is_number(sqnr) || json_is_null(sqnr))) {
      json_decref(doc);
      qb_pareto_free(out);
      return qb_fail(err, QB_BAD_INPUT,
                     "%s: summary entry %zu: expected format, bits_per_element, sqnr_db, tensors", path, i);
    }
    /* A format that measured no tensor, or one without error (SQNR +inf, null), has no
     * place on a finite chart: counted, not drawn. */
    if (json_integer_value(tensors) == 0 || json_is_null(sqnr) || !isfinite(json_number_value(sqnr))) {
      out->left_out++;
      continue;
    }
    qb_pareto_point* p = &out->points[out->n++];
    snprintf(p->format, sizeof p->format, "%s", json_string_value(name));
    p->bits = json_number_value(bits);
    p->sqnr_db = json_number_value(sqnr);
  }
  json_decref(doc);
  if (out->n == 0) {
    qb_pareto_free(out);
    return qb_fail(err, QB_BAD_INPUT, "%s: no format with a finite SQNR to plot", path);
  }
  qb_pareto_front(out->points, out->n);
  return QB_OK;
}

static int qb__cmp_pareto(const void* a, const void* b) {
  const qb_pareto_point *x = a, *y = b;
  if (x->bits != y->bits) return x->bits < y->bits ? -1 : 1;
  if (x->sqnr_db != y->sqnr_db) return x->sqnr_db > y->sqnr_db ? -1 : 1;
  return strcmp(x->format, y->format);
}

/* One label of the front: the formats at one point, and where the text goes. */
typedef struct qb__pareto_label {
  double bits, sqnr_db, y; /* the point; y: the text's height, apart from its neighbours' */
  char text[256];
} qb__pareto_label;

/*
 * The front's labels, one per point (formats with the same bits and SQNR share one), at
 * heights at least `gap` apart so that no two texts overlap: labels are taken in order
 * of SQNR (the front's order) and a run of labels too close together is spread evenly
 * around the mean of its points' heights, merging runs until none overlap (the 1-D
 * label placement of Vollick et al., kept simple). Returns the label count.
 */
static size_t qb__pareto_labels(const qb_pareto_point* p, size_t n, double gap, qb__pareto_label* lab) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (!p[i].front) continue;
    if (k > 0 && lab[k - 1].bits == p[i].bits && lab[k - 1].sqnr_db == p[i].sqnr_db) {
      const size_t used = strlen(lab[k - 1].text);
      snprintf(lab[k - 1].text + used, sizeof lab[k - 1].text - used, ", %s", p[i].format);
      continue;
    }
    lab[k] = (qb__pareto_label){.bits = p[i].bits, .sqnr_db = p[i].sqnr_db, .y = p[i].sqnr_db};
    snprintf(lab[k].text, sizeof lab[k].text, "%s", p[i].format);
    k++;
  }
  /* Runs [start, end) of labels packed gap apart, each centred on its points' mean. */
  size_t* start = malloc((k + 1) * sizeof *start);
  if (start == NULL) return k; /* the labels stay at their points */
  size_t runs = 0;
  for (size_t i = 0; i < k; i++) {
    start[runs++] = i;
    start[runs] = i + 1;
    for (;;) {
      /* Place the last run, then merge it into the one below while they overlap. */
      const size_t a = start[runs - 1], b = start[runs];
      double mean = 0;
      for (size_t j = a; j < b; j++) mean += lab[j].sqnr_db - gap * (double) (j - a);
      mean /= (double) (b - a);
      for (size_t j = a; j < b; j++) lab[j].y = mean + gap * (double) (j - a);
      if (runs < 2 || lab[a - 1].y + gap <= lab[a].y) break;
      start[runs - 1] = start[runs];
      runs--;
    }
  }
  free(start);
  return k;
}

qb_status qb_plot_pareto(qb_pareto_set* s, const qb_plot_opts* o, qb_plot_report* rep, qb_error* err) {
  qb__plotter p;
  memset(&p, 0, sizeof p);
  memset(rep, 0, sizeof *rep);
  p.o = o;
  p.rep = rep;
  qb_status st = qb_plot_check(o, p.gnuplot, sizeof p.gnuplot, p.scripts, sizeof p.scripts, err);
  if (st != QB_OK) return st;
  snprintf(rep->gnuplot, sizeof rep->gnuplot, "%s", p.gnuplot);
  if ((st = qb__check_out_dir(o, err)) != QB_OK) return st;
  if ((st = qb__mkdir(o->out_dir, err)) != QB_OK) return st;
  snprintf(p.log, sizeof p.log, "%s/gnuplot.log", o->out_dir);
  unlink(p.log);
  snprintf(p.title, sizeof p.title, "qbench error --data %.440s", s->data);
  qsort(s->points, s->n, sizeof *s->points, qb__cmp_pareto);

  /* 1. The data: every format (index 0), then the front alone in order of bits (index 1). */
  FILE* f = qb__open(&p, "pareto.tsv", err);
  if (f == NULL) return err->status;
  fprintf(f, "# %s: SQNR (dB, weighted over the tensors) vs bits per element with metadata\n", s->data);
  fprintf(f, "bits\tsqnr_db\tfront\tformat\n");
  for (size_t i = 0; i < s->n; i++) {
    fprintf(f, "%.17g\t%.17g\t%d\t%s\n", s->points[i].bits, s->points[i].sqnr_db, s->points[i].front ? 1 : 0,
            s->points[i].format);
  }
  fprintf(f, "\n\nbits\tsqnr_db\tfront\tformat\n");
  for (size_t i = 0; i < s->n; i++) {
    if (s->points[i].front)
      fprintf(f, "%.17g\t%.17g\t1\t%s\n", s->points[i].bits, s->points[i].sqnr_db, s->points[i].format);
  }
  /* Index 2, the front's labels: left of their points (the empty side of a front), their
   * heights kept a line apart. A line of 9-point text is about 3.4 % of the chart's
   * SQNR range (650 pixels tall, the range padded as pareto.gp pads it). */
  double lo = 0, hi = 0, xlo = 0, xhi = 0;
  for (size_t i = 0; i < s->n; i++) {
    const qb_pareto_point* q = &s->points[i];
    if (i == 0 || q->sqnr_db < lo) lo = q->sqnr_db;
    if (i == 0 || q->sqnr_db > hi) hi = q->sqnr_db;
    if (i == 0 || q->bits < xlo) xlo = q->bits;
    if (i == 0 || q->bits > xhi) xhi = q->bits;
  }
  qb__pareto_label* lab = s->n ? malloc(s->n * sizeof *lab) : NULL;
  const size_t nlab = lab ? qb__pareto_labels(s->points, s->n, 0.034 * (hi > lo ? hi - lo : 1.0), lab) : 0;
  const double dx = 0.015 * (xhi > xlo ? xhi - xlo : 1.0);
  fprintf(f, "\n\nbits\tsqnr_db\tlabel_bits\tlabel_sqnr_db\tformats\n");
  for (size_t i = 0; i < nlab; i++) {
    fprintf(f, "%.17g\t%.17g\t%.17g\t%.17g\t%s\n", lab[i].bits, lab[i].sqnr_db, lab[i].bits - dx, lab[i].y,
            lab[i].text);
  }
  free(lab);
  if ((st = qb__close(&p, f, "pareto.tsv", err)) != QB_OK) return st;
  char vars[8192] = "";
  qb__var_file(vars, sizeof vars, "data", o->out_dir, "pareto.tsv");
  qb__varf(vars, sizeof vars, "npoints", (double) s->n);
  if ((st = qb__gnuplot(&p, "pareto.gp", "pareto", p.title, vars, err)) != QB_OK) return st;

  /* 2. index.html: the chart, then every format with its figures and whether it is on the front. */
  f = qb__open(&p, "index.html", err);
  if (f == NULL) return err->status;
  fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>", f);
  qb__html(f, p.title);
  fputs(
      "</title><style>body{font-family:sans-serif;margin:1em 2em}td,th{padding:2px 8px;text-align:right}"
      "td:first-child,th:first-child{text-align:left}tr.front{font-weight:bold}img{max-width:100%}</style>"
      "</head><body>\n<h1>Which format keeps this model best</h1>\n<p>",
      f);
  qb__html(f, p.title);
  fprintf(f, ": %zu formats drawn", s->n);
  if (s->left_out) fprintf(f, ", %zu left out (no tensor measured, or no error at all)", s->left_out);
  fputs(
      ". A format is on the Pareto front (bold) when no other has both fewer bits per element and a "
      "higher SQNR.</p>\n",
      f);
  qb__html_figure(f, "pareto", "SQNR vs bits per element, the Pareto front highlighted");
  fputs("<table>\n<tr><th>format</th><th>bits/element</th><th>SQNR (dB)</th><th>Pareto front</th></tr>\n", f);
  for (size_t i = 0; i < s->n; i++) {
    fprintf(f, "<tr%s><td>", s->points[i].front ? " class=\"front\"" : "");
    qb__html(f, s->points[i].format);
    fprintf(f, "</td><td>%.4g</td><td>%.2f</td><td>%s</td></tr>\n", s->points[i].bits, s->points[i].sqnr_db,
            s->points[i].front ? "yes" : "");
  }
  fputs("</table>\n</body></html>\n", f);
  return qb__close(&p, f, "index.html", err);
}
