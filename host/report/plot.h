/*
 * `qbench plot`: results files -> data files (.tsv) -> gnuplot with the user-editable
 * scripts in plots/ (*.gp) -> PNG and SVG charts and an index.html, all in one folder.
 *
 * The C side does the selection and arithmetic (medians, which row stands for a
 * kernel, bar positions, roof lines, colours); the scripts only draw, so a chart's look
 * can be changed without rebuilding. Each script takes its file names and labels as
 * `gnuplot -e` variables, documented at its top.
 */
#ifndef QB_PLOT_H
#define QB_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report/compare.h"
#include "io/resultsread.h"
#include "core/status.h"

/*
 * The CSV that ci/peers.sh --csv writes (qbench beside public implementations):
 * peer,operation,family,n,variant,qbench_gelps,peer_gelps,ratio. `qbench plot --peers
 * FILE` joins its ratios to the roof table by family.
 */
typedef struct qb_plot_peer_row {
  char peer[32];   /* "ggml", "numkong", "torch" */
  char family[64]; /* qbench's family */
  uint64_t n;
  double ratio; /* qbench / peer (above 1: qbench is faster) */
} qb_plot_peer_row;

typedef struct qb_plot_peers {
  char path[512];
  qb_plot_peer_row* v; /* the lines with a ratio, in file order ("none" lines left out) */
  size_t n;
} qb_plot_peers;

/* Reads a peers CSV: QB_IO when it cannot be read, QB_BAD_INPUT (one line naming the
 * file and line) when it is not one; *out is empty (safe to free) on failure. */
qb_status qb_plot_peers_load(const char* path, qb_plot_peers* out, qb_error* err);
void qb_plot_peers_free(qb_plot_peers* p);

typedef struct qb_plot_opts {
  const char* out_dir;        /* created when missing */
  bool force;                 /* replace an earlier plot (out_dir/index.html) */
  const char* scripts_dir;    /* NULL: $QBENCH_PLOTS, else plots/ next to the build or source */
  const char* gnuplot;        /* NULL: $QBENCH_GNUPLOT, else "gnuplot" from PATH */
  uint64_t tensor_elems;      /* the tensor the memory chart sizes (elements) */
  const qb_comparison* cmp;   /* adds the regression view when not NULL */
  bool machines_only;         /* a fleet: only the machines chart (and index.html) */
  const qb_plot_peers* peers; /* adds the ratio to public implementations when not NULL */
} qb_plot_opts;

#define QB_PLOT_DEFAULT_TENSOR (UINT64_C(1) << 20)

/* Charts written, for the caller's message and the tests. */
typedef struct qb_plot_report {
  size_t n_charts;     /* each as .png and .svg */
  char names[128][96]; /* chart base names ("throughput", "size-f32_f16_cvt", ...) */
  char gnuplot[4096];  /* the gnuplot executable used */
  char note[1024];     /* one line for the user ("" when none): emulated files left out */
  size_t main_set;     /* the file the single-run charts come from: the newest run */
} qb_plot_report;

/* QB_BAD_INPUT when a row's family is not a name qbench writes: family names become file
 * names (size-<family>.png), so they come from a closed set of characters. */
qb_status qb_plot_check_names(const qb_resultset* set, qb_error* err);

/*
 * Finds gnuplot (QB_UNSUPPORTED with one line when absent) and the scripts (QB_IO),
 * before anything is written.
 */
qb_status qb_plot_check(const qb_plot_opts* o, char* gnuplot, size_t glen, char* scripts, size_t slen,
                        qb_error* err);

/*
 * Writes every chart of sets[0..n): the single-run charts (throughput per family, size
 * per family with two or more sizes, the dots' compute roofline, error, memory) from the
 * newest file by context date (the first given among equals; rep->main_set), the
 * machines chart from all, and index.html (a summary table per family first, then the
 * roof table: per family and backend, the best variant at each size class and thread
 * count, its roof fraction and GB/s, also written as roof-fractions.csv).
 * Emulated timings (context.qbench.emulated) never stand beside real ones: the machines
 * chart leaves emulated files out when any file is real (rep->note says which), and a
 * timing chart drawn from emulated runs only says "(emulated: timings meaningless)" in
 * its title. The error and memory charts do not depend on timing and are drawn as ever.
 */
qb_status qb_plot_all(const qb_resultset* sets, size_t n_sets, const qb_plot_opts* o, qb_plot_report* rep,
                      qb_error* err);

/*
 * The fixed path -> colour map (0xRRGGBB): scalar, each ISA token and OpenCL devices
 * (hashed into a palette of their own, so a device keeps its colour run to run).
 */
uint32_t qb_plot_path_color(const char* path);
/* A row's path: its ISA for the CPU backend ("scalar", "avx2"), else "<backend>:<device>". */
void qb_plot_row_path(const qb_result_row* row, char* buf, size_t len);

/*
 * Error vs storage, from the output of `qbench error --data FILE --json`: one point per
 * format (bits per element with metadata, SQNR weighted over the tensors), the Pareto
 * front marked (no other format has fewer or equal bits and a higher or equal SQNR, one
 * of them strictly).
 */
typedef struct qb_pareto_point {
  char format[48];
  double bits;
  double sqnr_db;
  bool front;
} qb_pareto_point;

typedef struct qb_pareto_set {
  bool is_error_data; /* the file was `qbench error --data` output */
  char data[512];     /* the tensor file it measured */
  qb_pareto_point* points;
  size_t n;
  size_t left_out; /* formats without a tensor measured or without error (SQNR +inf) */
} qb_pareto_set;

/* Marks each point's front flag; returns how many are on the front. */
size_t qb_pareto_front(qb_pareto_point* p, size_t n);

/* Reads a file: QB_OK with is_error_data false when it is not `error --data` output (a
 * results file, say); QB_BAD_INPUT when it is but its summary is malformed or has
 * nothing to plot. */
qb_status qb_pareto_load(const char* path, qb_pareto_set* out, qb_error* err);
void qb_pareto_free(qb_pareto_set* s);

/* Writes pareto.tsv, pareto.png/.svg (plots/pareto.gp) and index.html into o->out_dir
 * (same rules as qb_plot_all: gnuplot checked first, an earlier plot kept without force).
 * Sorts s->points by bits. */
qb_status qb_plot_pareto(qb_pareto_set* s, const qb_plot_opts* o, qb_plot_report* rep, qb_error* err);

#endif
