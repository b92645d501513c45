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

#include "platform/cpu.h"
#include "platform/registry.h"

/* ---- colours ---- */

static const struct {
  const char* path;
  uint32_t rgb;
} qb__path_colors[] = {
    {"scalar", 0x7f7f7f},    {"f16c", 0x8c564b},       {"avx2", 0x1f77b4},       {"avxvnni", 0x17becf},
    {"avx512skx", 0xd62728}, {"avx512vnni", 0xe377c2}, {"avx512bf16", 0x9467bd}, {"avx512fp16", 0xbcbd22},
    {"neon", 0x2ca02c},      {"neonfp16", 0x98df8a},   {"neondot", 0x006d2c},    {"neoni8mm", 0x74c476},
    {"neonbf16", 0x31a354},  {"sve", 0x756bb1},        {"sve2", 0x54278f},
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
 * A device measures its copy roof at each footprint its cases use, so several may
 * share a size class: the one whose footprint is nearest the row's bytes is its own. */
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
  c->gbps = c->gops = c->roof_fraction = c->roof_gbps = c->bytes = NAN;
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

/* gnuplot -e text: name='value' with quotes doubled (gnuplot's single-quote escape). */
static void qb__var(char* buf, size_t len, const char* name, const char* value) {
  size_t at = strlen(buf);
  at += (size_t) snprintf(buf + at, at < len ? len - at : 0, "%s='", name);
  for (const char* s = value; *s && at + 3 < len; s++) {
    if (*s == '\'') buf[at++] = '\'';
    buf[at++] = *s;
  }
  if (at + 3 < len) {
    buf[at++] = '\'';
    buf[at++] = ';';
    buf[at] = '\0';
  }
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
    if (c->ok && isfinite(c->gbps) && c->gbps > 0 && (!need_gops || (isfinite(c->gops) && c->gops > 0))) {
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

/* ---- chart 1: throughput by kernel, grouped by path, with each path's roof ---- */

static qb_status qb__chart_throughput(qb__plotter* p, const qb__cases* cs, qb_error* err) {
  qb__pick pk;
  qb_status st = qb__pick_largest(cs, false, &pk, err);
  if (st != QB_OK) return st;
  FILE* f = qb__open(p, "throughput.tsv", err);
  FILE* g = f ? qb__open(p, "throughput-paths.tsv", err) : NULL;
  if (f == NULL || g == NULL) {
    if (f) fclose(f);
    free(pk.v);
    return err->status;
  }
  char a[32], b[32];
  fprintf(f, "# one block per path: bar x, GB/s (median), colour, kernel (largest n measured)\n");
  fprintf(g, "# per path: centre x\troof GB/s\tfirst x\tlast x\tcolour\tpath\n");
  double x = 0;
  int blocks = 0, roofs = 0;
  char colors[2048] = "";
  for (size_t i = 0; i < pk.n;) {
    size_t j = i;
    while (j < pk.n && strcmp(pk.v[j]->path, pk.v[i]->path) == 0) j++;
    uint32_t rgb = qb_plot_path_color(pk.v[i]->path);
    qb__color_word(colors, sizeof colors, rgb);
    fprintf(f, "%sx\tgbps\tcolor\t%s\n", blocks ? "\n\n" : "", pk.v[i]->path);
    double x0 = x + 1, roof = NAN;
    for (size_t t = i; t < j; t++) {
      x += 1;
      fprintf(f, "%g\t%s\t%u\t%s\n", x, qb__num(a, sizeof a, pk.v[t]->gbps), rgb, pk.v[t]->kernel);
      if (isfinite(pk.v[t]->roof_gbps) && !(pk.v[t]->roof_gbps <= roof)) roof = pk.v[t]->roof_gbps;
    }
    roofs += isfinite(roof);
    fprintf(g, "%g\t%s\t%g\t%g\t%u\t%s\n", 0.5 * (x0 + x), qb__num(b, sizeof b, roof), x0 - 0.45, x + 0.45,
            rgb, pk.v[i]->path);
    x += 1; /* a gap between paths */
    blocks++;
    i = j;
  }
  st = qb__close(p, f, "throughput.tsv", err);
  qb_status st2 = qb__close(p, g, "throughput-paths.tsv", err);
  if (st == QB_OK) st = st2;
  if (st == QB_OK) {
    char vars[8192] = "";
    char path[4200];
    snprintf(path, sizeof path, "%s/throughput.tsv", p->o->out_dir);
    qb__var(vars, sizeof vars, "data", path);
    snprintf(path, sizeof path, "%s/throughput-paths.tsv", p->o->out_dir);
    qb__var(vars, sizeof vars, "paths", path);
    qb__var(vars, sizeof vars, "colors", colors);
    qb__varf(vars, sizeof vars, "nblocks", blocks);
    qb__varf(vars, sizeof vars, "nbars", (double) pk.n);
    qb__varf(vars, sizeof vars, "xmax", x);
    qb__varf(vars, sizeof vars, "nroofs", roofs);
    st = qb__gnuplot(p, "throughput.gp", "throughput", p->timing_title, vars, err);
  }
  free(pk.v);
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
  char vars[8192] = "", path[4200];
  snprintf(path, sizeof path, "%s/%s", p->o->out_dir, name);
  qb__var(vars, sizeof vars, "data", path);
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
    while (j < n && strcmp(v[j]->row->family, v[i]->row->family) == 0) j++;
    st = qb__size_one(p, set, v[i]->row->family, v + i, j - i, err);
    charts++;
    i = j;
  }
  /* No sizes at all still gives one labelled (empty) chart. */
  if (st == QB_OK && charts == 0) st = qb__size_one(p, set, "none", v, 0, err);
  free(v);
  return st;
}

/* ---- chart 3: roofline ---- */

static qb_status qb__roofline_roofs(const qb__plotter* p, const qb_resultset* set, double* xmin, double* xmax,
                                    int* nroofs, qb_error* err) {
  double bw_max = 0, peak_max = 0;
  for (size_t i = 0; i < set->n_roofs; i++) {
    const qb_result_roof* r = &set->roofs[i];
    if (isfinite(r->bytes_per_second) && r->bytes_per_second / 1e9 > bw_max)
      bw_max = r->bytes_per_second / 1e9;
    if (isfinite(r->flops_per_second) && r->flops_per_second / 1e9 > peak_max) {
      peak_max = r->flops_per_second / 1e9;
    }
  }
  /* Keep the ridge point (where the highest roofs meet) inside the chart. */
  if (bw_max > 0 && peak_max > 0) {
    double ridge = peak_max / bw_max;
    if (ridge / 4 < *xmin) *xmin = ridge / 4;
    if (ridge * 4 > *xmax) *xmax = ridge * 4;
  }
  FILE* f = qb__open(p, "roofline-roofs.tsv", err);
  if (f == NULL) return err->status;
  fprintf(f, "# one block per measured roof: two points (operational intensity, GOP/s) of its line\n");
  *nroofs = 0;
  for (size_t i = 0; i < set->n_roofs; i++) {
    const qb_result_roof* r = &set->roofs[i];
    double x0 = *xmin, x1 = *xmax, y0, y1;
    char label[200];
    if (isfinite(r->bytes_per_second) && r->bytes_per_second > 0) {
      double bw = r->bytes_per_second / 1e9;
      if (peak_max > 0 && peak_max / bw < x1) x1 = peak_max / bw;
      y0 = bw * x0;
      y1 = bw * x1;
      if (r->device[0] != '\0') {
        snprintf(label, sizeof label, "%s %s:%s %s: %.1f GB/s", r->name, r->backend, r->device, r->size_class,
                 bw);
      } else {
        snprintf(label, sizeof label, "%s %s: %.1f GB/s", r->name, r->size_class, bw);
      }
    } else if (isfinite(r->flops_per_second) && r->flops_per_second > 0) {
      double peak = r->flops_per_second / 1e9;
      if (bw_max > 0 && peak / bw_max > x0) x0 = peak / bw_max;
      y0 = y1 = peak;
      snprintf(label, sizeof label, "%s: %.1f GFLOP/s", r->name, peak);
    } else {
      continue;
    }
    fprintf(f, "%sx\ty\t%s\n%.9g\t%.9g\n%.9g\t%.9g\n", *nroofs ? "\n\n" : "", label, x0, y0, x1, y1);
    (*nroofs)++;
  }
  return qb__close(p, f, "roofline-roofs.tsv", err);
}

static qb_status qb__chart_roofline(qb__plotter* p, const qb_resultset* set, const qb__cases* cs,
                                    qb_error* err) {
  qb__pick pk;
  qb_status st = qb__pick_largest(cs, true, &pk, err);
  if (st != QB_OK) return st;
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
  st = qb__roofline_roofs(p, set, &xmin, &xmax, &nroofs, err);
  FILE* f = st == QB_OK ? qb__open(p, "roofline.tsv", err) : NULL;
  if (f == NULL) {
    free(pk.v);
    return err->status;
  }
  fprintf(f, "# one block per path: operational intensity (op/byte), GOP/s, colour, kernel\n");
  int blocks = 0;
  char colors[2048] = "";
  for (size_t i = 0; i < pk.n;) {
    size_t j = i;
    while (j < pk.n && strcmp(pk.v[j]->path, pk.v[i]->path) == 0) j++;
    qb__color_word(colors, sizeof colors, qb_plot_path_color(pk.v[i]->path));
    fprintf(f, "%soi\tgops\tcolor\t%s\n", blocks ? "\n\n" : "", pk.v[i]->path);
    for (size_t t = i; t < j; t++) {
      fprintf(f, "%.6g\t%.6g\t%u\t%s\n", pk.v[t]->gops / pk.v[t]->gbps, pk.v[t]->gops,
              qb_plot_path_color(pk.v[t]->path), pk.v[t]->kernel);
    }
    blocks++;
    i = j;
  }
  st = qb__close(p, f, "roofline.tsv", err);
  if (st == QB_OK) {
    char vars[8192] = "", path[4200];
    snprintf(path, sizeof path, "%s/roofline.tsv", p->o->out_dir);
    qb__var(vars, sizeof vars, "data", path);
    snprintf(path, sizeof path, "%s/roofline-roofs.tsv", p->o->out_dir);
    qb__var(vars, sizeof vars, "roofs", path);
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
    qb__err_pt* e = &pts[n++];
    const char* rnd = c->row->rounding;
    snprintf(e->scheme, sizeof e->scheme, "%s%s%s", c->row->family, rnd[0] && strcmp(rnd, "none") ? "/" : "",
             rnd[0] && strcmp(rnd, "none") ? rnd : "");
    e->dist = c->row->distribution[0] ? c->row->distribution : "default";
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
  st = qb__close(p, f, "error.tsv", err);
  f = NULL;
  qb_status st2 = qb__close(p, g, "error-schemes.tsv", err);
  g = NULL;
  if (st == QB_OK) st = st2;
  if (st == QB_OK) {
    char vars[8192] = "", path[4200];
    snprintf(path, sizeof path, "%s/error.tsv", p->o->out_dir);
    qb__var(vars, sizeof vars, "data", path);
    snprintf(path, sizeof path, "%s/error-schemes.tsv", p->o->out_dir);
    qb__var(vars, sizeof vars, "schemes", path);
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

/* "s8 per-channel" from f32_qs8_quantc: the narrow dtype and the family's scheme. */
static void qb__mem_label(const qb_result_row* r, char* buf, size_t len) {
  const char* low = strcmp(r->dtype_in, "f32") != 0 ? r->dtype_in : r->dtype_out;
  const char* tail = strrchr(r->family, '_');
  tail = tail ? tail + 1 : "";
  const char* scheme = "";
  if (strcmp(tail, "quant") == 0 || strcmp(tail, "dequant") == 0)
    scheme = strcmp(low, "qb8") ? " per-tensor" : " block-32";
  if (strcmp(tail, "quantc") == 0 || strcmp(tail, "dequantc") == 0) scheme = " per-channel";
  snprintf(buf, len, "%s%s", low, scheme);
}

static qb_status qb__chart_memory(qb__plotter* p, const qb__cases* cs, qb_error* err) {
  qb__mem_bar* bars = calloc(cs->n + 1, sizeof *bars);
  if (bars == NULL) return qb_fail(err, QB_NO_MEMORY, "out of memory selecting rows to plot");
  size_t n = 0;
  for (size_t i = 0; i < cs->n; i++) {
    const qb_result_row* r = cs->v[i].row;
    if (!r->has_qbench || !r->memory.present || !(r->memory.ratio_to_f32 > 0)) continue;
    if (strcmp(r->dtype_in, "f32") == 0 && strcmp(r->dtype_out, "f32") == 0) continue; /* fake-quant: f32 */
    char label[64];
    qb__mem_label(r, label, sizeof label);
    bool seen = false;
    for (size_t k = 0; k < n && !seen; k++) seen = strcmp(bars[k].label, label) == 0;
    if (seen) continue;
    snprintf(bars[n].label, sizeof bars[n].label, "%s", label);
    bars[n].ratio = r->memory.ratio_to_f32;
    bars[n].rgb = qb__series_palette[n % (sizeof qb__series_palette / sizeof qb__series_palette[0])];
    n++;
  }
  /* The f32 reference bar, unless a row already is one. */
  bool have_f32 = false;
  for (size_t k = 0; k < n; k++) have_f32 |= strcmp(bars[k].label, "f32") == 0;
  if (!have_f32 && n > 0) bars[n++] = (qb__mem_bar){"f32", 1.0, 0x7f7f7f};
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
  char vars[8192] = "", path[4200];
  snprintf(path, sizeof path, "%s/memory.tsv", p->o->out_dir);
  qb__var(vars, sizeof vars, "data", path);
  qb__varf(vars, sizeof vars, "nbars", (double) n);
  qb__varf(vars, sizeof vars, "tensor", tensor);
  return qb__gnuplot(p, "memory.gp", "memory", p->title, vars, err);
}

/* ---- chart 6: machines side by side ---- */

/* The machine of a results file, for legends: "CPU model (host)". */
static void qb__machine_label(const qb_resultset* s, char* buf, size_t len) {
  const char* model = s->has_qbench && s->cpu_model[0] ? s->cpu_model : "";
  const char* host = s->host_name[0] ? s->host_name : s->path;
  if (model[0]) {
    snprintf(buf, len, "%s (%s)", model, host);
  } else {
    snprintf(buf, len, "%s", host);
  }
}

/* The kernel a machine comparison matches on: kernel and path kind, not the device name. */
static void qb__machine_key(const qb__case* c, char* buf, size_t len) {
  const char* backend = c->row->has_qbench && c->row->backend[0] ? c->row->backend : "cpu";
  snprintf(buf, len, "%s%s%s", c->kernel, strcmp(backend, "cpu") ? " " : "",
           strcmp(backend, "cpu") ? backend : "");
}

typedef struct qb__mkey {
  char key[200];
  size_t count; /* how many files have it */
} qb__mkey;

static int qb__cmp_mkey(const void* a, const void* b) {
  return strcmp(((const qb__mkey*) a)->key, ((const qb__mkey*) b)->key);
}

/* Each file's largest-n case per key, or NULL. */
static const qb__case* qb__machine_find(const qb__pick* pk, const char* key) {
  const qb__case* best = NULL;
  char k[200];
  for (size_t i = 0; i < pk->n; i++) {
    qb__machine_key(pk->v[i], k, sizeof k);
    if (strcmp(k, key) == 0 && (best == NULL || pk->v[i]->row->n > best->row->n)) best = pk->v[i];
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
  st = qb__close(p, f, "machines.tsv", err);
  f = NULL;
  qb_status st2 = qb__close(p, g, "machines-kernels.tsv", err);
  g = NULL;
  if (st == QB_OK) st = st2;
  if (st == QB_OK) {
    char vars[8192] = "", path[4200];
    snprintf(path, sizeof path, "%s/machines.tsv", p->o->out_dir);
    qb__var(vars, sizeof vars, "data", path);
    snprintf(path, sizeof path, "%s/machines-kernels.tsv", p->o->out_dir);
    qb__var(vars, sizeof vars, "kernels", path);
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
  char vars[8192] = "", path[4200];
  snprintf(path, sizeof path, "%s/regression.tsv", p->o->out_dir);
  qb__var(vars, sizeof vars, "data", path);
  qb__var(vars, sizeof vars, "base", c->base_path);
  qb__var(vars, sizeof vars, "new", c->new_path);
  qb__varf(vars, sizeof vars, "nbars", (double) n);
  qb__varf(vars, sizeof vars, "threshold", c->opts.threshold_pct);
  return qb__gnuplot(p, "regression.gp", "regression", p->title, vars, err);
}

/* ---- index.html ---- */

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

static qb_status qb__index_html(const qb__plotter* p, const qb_resultset* sets, size_t n_sets,
                                qb_error* err) {
  FILE* f = qb__open(p, "index.html", err);
  if (f == NULL) return err->status;
  fputs(
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>qbench plots</title>\n"
      "<style>body{font-family:'DejaVu Sans',sans-serif;margin:1em}th{text-align:left;padding-right:1em}"
      "img{max-width:100%;border:1px solid #ddd}figure{margin:1em 0}</style></head><body>\n<h1>qbench: ",
      f);
  qb__html(f, p->title);
  fputs("</h1>\n", f);
  for (size_t s = 0; s < n_sets; s++) {
    const qb_resultset* r = &sets[s];
    char buf[128];
    fputs("<h2>", f);
    qb__html(f, r->path);
    fputs("</h2>\n<table>\n", f);
    qb__html_row(f, "host", r->host_name);
    qb__html_row(f, "date", r->date);
    if (r->has_qbench) {
      qb__html_row(f, "CPU", r->cpu_model);
      qb__html_row(f, "qbench", r->version);
      qb__html_row(f, "commit", r->git_commit);
      qb__html_row(f, "suite", r->suite);
      qb__html_row(f, "OS", r->os);
      qb__html_row(f, "compiler", r->compiler);
      qb__html_row(f, "ISA cap", r->isa_cap[0] ? r->isa_cap : "none");
      qb__html_row(f, "emulated", r->emulated ? "yes (figures are not this machine's)" : "no");
      if (r->topology.present) {
        snprintf(buf, sizeof buf, "L1d %lld, L2 %lld, L3 %lld bytes (%s)", (long long) r->topology.l1d_used,
                 (long long) r->topology.l2_used, (long long) r->topology.l3_used,
                 r->topology.caches_overridden ? "overridden" : r->topology.source);
        qb__html_row(f, "caches used", buf);
      }
    }
    snprintf(buf, sizeof buf, "%zu", r->n_rows);
    qb__html_row(f, "rows", buf);
    fputs("</table>\n", f);
  }
  for (size_t i = 0; i < p->rep->n_charts; i++) {
    const char* c = p->rep->names[i];
    fprintf(f,
            "<figure><a href=\"%s.svg\"><img src=\"%s.png\" alt=\"%s\"></a><figcaption>%s (<a "
            "href=\"%s.svg\">SVG</a>)"
            "</figcaption></figure>\n",
            c, c, c, c, c);
  }
  fputs(
      "<p>Data files (.tsv) and gnuplot's log are beside the charts; the scripts are plots/*.gp.</p>\n"
      "</body></html>\n",
      f);
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
  if (st == QB_OK) {
    qb__make_title(&p, &sets[0], &cases[0]);
    st = qb__chart_throughput(&p, &cases[0], err);
  }
  if (st == QB_OK) st = qb__chart_size(&p, &sets[0], &cases[0], err);
  if (st == QB_OK) st = qb__chart_roofline(&p, &sets[0], &cases[0], err);
  if (st == QB_OK) st = qb__chart_error(&p, &cases[0], err);
  if (st == QB_OK) st = qb__chart_memory(&p, &cases[0], err);
  if (st == QB_OK) {
    size_t n_use = qb__machine_sets(sets, n_sets, use, rep);
    bool all_emulated = n_use > 0 && sets[use[0]].emulated;
    st = qb__chart_machines(&p, sets, cases, use, n_use, all_emulated ? p.timing_title : p.title, err);
  }
  if (st == QB_OK && o->cmp != NULL) st = qb__chart_regression(&p, o->cmp, err);
  if (st == QB_OK) st = qb__index_html(&p, sets, n_sets, err);
  for (size_t s = 0; s < n_sets; s++) free(cases[s].v);
  free(cases);
  free(use);
  return st;
}
