/*
 * qbench plot from the committed fixtures: every chart as PNG and SVG, the PNG's header
 * sane, the SVG holding the expected bars and points, the data files the expected rows;
 * partial and empty data still charted; no gnuplot is a one-line error and exit 2.
 * Skipped (77) when gnuplot is not installed.
 */
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "numerics/memory.h"
#include "test_util.h"

#if !defined(QB_TEST_DATA) || !defined(QB_TEST_QBENCH) || !defined(QB_TEST_PLOTS)
#error "QB_TEST_DATA, QB_TEST_QBENCH and QB_TEST_PLOTS are set by tests/compareplot.cmake"
#endif

static char qb__tmp[] = "/tmp/qb_test_plot_XXXXXX";

/* A whole file, NUL-terminated (NULL when unreadable); *len its size. */
static char* qb__read(const char* dir, const char* name, size_t* len) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE* f = fopen(path, "rb");
  if (f == NULL) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char* buf = malloc((size_t) n + 1);
  if (buf == NULL || fread(buf, 1, (size_t) n, f) != (size_t) n) {
    free(buf);
    fclose(f);
    return NULL;
  }
  fclose(f);
  buf[n] = '\0';
  if (len) *len = (size_t) n;
  return buf;
}

static size_t qb__count(const char* hay, const char* needle) {
  size_t n = 0;
  for (const char* p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle)) n++;
  return n;
}

/* Data rows (lines starting with a digit) and blocks (header lines, starting with a letter). */
static void qb__tsv_shape(const char* text, size_t* rows, size_t* blocks) {
  *rows = *blocks = 0;
  for (const char* line = text; *line;
       line = strchr(line, '\n') ? strchr(line, '\n') + 1 : line + strlen(line)) {
    if (isdigit((unsigned char) line[0])) (*rows)++;
    if (isalpha((unsigned char) line[0])) (*blocks)++;
  }
}

/* The number in column `col` (0-based) of the first data row containing `key`; NAN if none. */
static double qb__tsv_value(const char* tsv, const char* key, int col) {
  const char* row = strstr(tsv, key);
  if (row == NULL) return NAN;
  while (row > tsv && row[-1] != '\n') row--;
  for (int c = 0; c < col; c++) {
    row = strchr(row, '\t');
    if (row == NULL) return NAN;
    row++;
  }
  return strtod(row, NULL);
}

/* Runs qbench plot ARGS (NULL-terminated, fixture names relative to the data folder). */
static int qb__plot(const char* out_dir, const char* env_name, const char* env_value, char* err,
                    size_t errlen, const char* const* files) {
  char* argv[16];
  char paths[8][512];
  int n = 0;
  argv[n++] = (char*) QB_TEST_QBENCH;
  argv[n++] = (char*) "plot";
  for (int i = 0; files[i] != NULL; i++) {
    if (files[i][0] == '-' || files[i][0] == '/') {
      argv[n++] = (char*) files[i];
    } else {
      snprintf(paths[i], sizeof paths[i], "%s/%s", QB_TEST_DATA, files[i]);
      argv[n++] = paths[i];
    }
  }
  argv[n++] = (char*) "--out";
  argv[n++] = (char*) out_dir;
  argv[n] = NULL;
  FILE* fe = tmpfile();
  assert_non_null(fe);
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    dup2(fileno(fe), 2);
    setenv("QBENCH_PLOTS", QB_TEST_PLOTS, 1);
    if (env_name != NULL) setenv(env_name, env_value, 1);
    execv(argv[0], argv);
    _exit(127);
  }
  int st;
  assert_true(waitpid(pid, &st, 0) == pid && WIFEXITED(st));
  rewind(fe);
  size_t k = fread(err, 1, errlen - 1, fe);
  err[k] = '\0';
  fclose(fe);
  return WEXITSTATUS(st);
}

static uint32_t qb__be32(const unsigned char* p) {
  return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

/* The PNG's signature and IHDR: 8-bit RGB(A), at least min_w x min_h, not tiny. */
static void qb__check_png(const char* dir, const char* chart, uint32_t min_w, uint32_t min_h,
                          size_t min_bytes) {
  char name[256];
  size_t len = 0;
  snprintf(name, sizeof name, "%s.png", chart);
  unsigned char* png = (unsigned char*) qb__read(dir, name, &len);
  if (png == NULL) fail_msg("%s missing", name);
  static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  assert_true(len > 33);
  assert_memory_equal(png, sig, 8);
  assert_memory_equal(png + 12, "IHDR", 4);
  uint32_t w = qb__be32(png + 16), h = qb__be32(png + 20);
  if (w < min_w || h < min_h || len < min_bytes) {
    fail_msg("%s: %ux%u, %zu bytes (expected at least %ux%u, %zu bytes)", name, w, h, len, min_w, min_h,
             min_bytes);
  }
  assert_int_equal(png[24], 8);              /* bit depth */
  assert_true(png[25] == 2 || png[25] == 6); /* truecolour (with alpha) */
  free(png);
}

/* The SVG exists, and holds at least `min_colors` distinct rgb() colours. */
static char* qb__svg(const char* dir, const char* chart, size_t min_colors) {
  char name[256];
  snprintf(name, sizeof name, "%s.svg", chart);
  char* svg = qb__read(dir, name, NULL);
  if (svg == NULL) fail_msg("%s missing", name);
  assert_non_null(strstr(svg, "<svg"));
  assert_non_null(strstr(svg, "</svg>"));
  char seen[64][24];
  size_t n = 0;
  for (const char* p = svg; (p = strstr(p, "rgb(")) != NULL && n < 64; p += 4) {
    char c[24];
    snprintf(c, sizeof c, "%.*s", (int) strcspn(p, ")"), p);
    size_t k = 0;
    while (k < n && strcmp(seen[k], c) != 0) k++;
    if (k == n) snprintf(seen[n++], sizeof seen[0], "%s", c);
  }
  if (n < min_colors) fail_msg("%s: %zu distinct colours, expected at least %zu", name, n, min_colors);
  return svg;
}

static void test_full_set(void** state) {
  (void) state;
  char dir[600], err[4096];
  snprintf(dir, sizeof dir, "%s/full", qb__tmp);
  const char* files[] = {"plot_a.json", "plot_b.json", "--compare", "base.json", "slow20.json", NULL};
  int rc = qb__plot(dir, NULL, NULL, err, sizeof err, files);
  if (rc != 0) fail_msg("qbench plot exited %d: %s", rc, err);
  assert_non_null(
      strstr(err, "15 charts")); /* 7 throughput, 3 size, roofline, error, memory, machines, regression */
  assert_non_null(strstr(err, "index.html"));

  static const char* const charts[] = {
      "throughput-f32_f16_cvt", "size-f32_f16_cvt", "roofline", "error", "memory", "machines", "regression"};
  char* html = qb__read(dir, "index.html", NULL);
  assert_non_null(html);
  assert_non_null(strstr(html, "<h2 id=\"summary\">Summary</h2>"));
  assert_non_null(strstr(html, "AMD EPYC 7B13 (fixture)"));
  for (size_t i = 0; i < sizeof charts / sizeof charts[0]; i++) {
    qb__check_png(dir, charts[i], 1000, 300, 15000);
    free(qb__svg(dir, charts[i], 3));
    char ref[128];
    snprintf(ref, sizeof ref, "src=\"%s.png\"", charts[i]);
    if (strstr(html, ref) == NULL) fail_msg("index.html lacks %s", ref);
  }
  free(html);

  /* 1. Throughput per family: a bar per (path, variant) at the largest n, each against
   * the roof of its own size class and thread count (named with both). */
  char* tsv = qb__read(dir, "throughput-f32_f16_cvt.tsv", NULL);
  size_t rows, blocks;
  qb__tsv_shape(tsv, &rows, &blocks);
  assert_int_equal(blocks, 3); /* scalar, avx2, opencl:pocl-cpu */
  assert_int_equal(rows, 3);
  double gbps_avx2 = qb__tsv_value(tsv, "\tavx2_u16\t", 1),
         gbps_scalar = qb__tsv_value(tsv, "\tscalar_u1\t", 1);
  assert_true(gbps_avx2 > 8.85 && gbps_avx2 < 9.15); /* 6 bytes/element in 6n/9 ns: 9 GB/s +-1 % jitter */
  assert_true(gbps_scalar > 1.9 && gbps_scalar < 2.1);
  free(tsv);
  tsv = qb__read(dir, "throughput-f32_f16_cvt-roofs.tsv", NULL);
  qb__tsv_shape(tsv, &rows, &blocks);
  assert_int_equal(blocks, 1); /* only the roof the bars were measured against */
  assert_int_equal(rows, 2);   /* scalar and avx2 (the device has no roof in this file) */
  assert_non_null(strstr(tsv, "\tcopy DRAM, 1 thread\n12\t3\n12\t2\n"));
  free(tsv);
  char* svg = qb__svg(dir, "throughput-f32_f16_cvt", 4);
  assert_non_null(strstr(svg, "copy DRAM, 1 thread"));
  assert_non_null(strstr(svg, "8.97 GB/s, 75 % of roof"));
  assert_non_null(strstr(
      svg, "AMD EPYC 7B13 (fixture) + opencl:pocl-cpu (fixture-a), 2026-11-22T15:40:00+00:00, qbench 0.1.0"));
  free(svg);
  /* The summary row says what the chart draws: best path, GB/s, roof, speed-up over scalar. */
  char want[256];
  snprintf(want, sizeof want,
           "<td title=\"avx2\">avx2_u16</td><td class=\"num\">8.97 GB/s</td><td class=\"num\">75 %%</td><td "
           "class=\"num\">%.1fx</td><td class=\"num\">73.6 dB</td><td class=\"num\">6</td>",
           gbps_avx2 / gbps_scalar);
  html = qb__read(dir, "index.html", NULL);
  if (strstr(html, want) == NULL) fail_msg("index.html lacks the summary cells %s", want);
  assert_non_null(strstr(html, "L1d 32 KiB, L2 512 KiB, L3 32 MiB"));
  assert_non_null(strstr(html, "<a href=\"#fam-f32_qs8_quant\">"));
  /* The roof table, without the peers' column (no --peers). */
  assert_non_null(strstr(html, "<h2 id=\"roofs\">Roof fractions</h2>"));
  assert_null(strstr(html, "ratio to public implementations"));
  free(html);

  /* One thread count: no scaling chart. */
  assert_null(qb__read(dir, "scaling-f32_f16_cvt.tsv", NULL));

  /* 2. Size: four sizes on three paths, each a point (+ one legend sample per path). */
  tsv = qb__read(dir, "size-f32_f16_cvt.tsv", NULL);
  qb__tsv_shape(tsv, &rows, &blocks);
  assert_int_equal(rows, 12);
  assert_int_equal(blocks, 3);
  free(tsv);
  svg = qb__svg(dir, "size-f32_f16_cvt", 4);
  assert_int_equal(qb__count(svg, "xlink:href='#gpPt6'"), 12 + 3);
  assert_non_null(strstr(svg, "L2 512 KiB"));
  free(svg);

  /* 3. Roofline: the dots only, under the roofs of their sizes and thread counts. */
  tsv = qb__read(dir, "roofline.tsv", NULL);
  qb__tsv_shape(tsv, &rows, &blocks);
  assert_int_equal(rows, 2); /* f32_dot scalar and avx2 at the largest n */
  assert_null(strstr(tsv, "cvt"));
  free(tsv);
  tsv = qb__read(dir, "roofline-roofs.tsv", NULL);
  qb__tsv_shape(tsv, &rows, &blocks);
  assert_int_equal(blocks, 3); /* copy DRAM (the dots' size), the two 1-thread peaks; not copy L1 */
  assert_null(strstr(tsv, "copy L1"));
  free(tsv);
  svg = qb__svg(dir, "roofline", 4);
  assert_int_equal(qb__count(svg, "xlink:href='#gpPt6'"), 2 + 2);
  assert_non_null(strstr(svg, "copy DRAM, 1 thread: 12.0 GB/s"));
  assert_non_null(strstr(svg, "f32_dot avx2_u32"));
  free(svg);

  /* 4. Error: 7 schemes; 4 of them with three distributions; quantizers as round trips. */
  tsv = qb__read(dir, "error.tsv", NULL);
  qb__tsv_shape(tsv, &rows, &blocks);
  assert_int_equal(rows, 3 + 4 * 3);
  assert_int_equal(blocks, 3);
  assert_non_null(strstr(tsv, "\t21.5\t"));
  assert_non_null(strstr(tsv, "\tf32_qs8_quant/pytorch (round trip)\n"));
  free(tsv);

  /* 5. Memory: every format of the memory table (numerics/memory.h), each once, sized
   * right for 2^20 elements. */
  tsv = qb__read(dir, "memory.tsv", NULL);
  qb__tsv_shape(tsv, &rows, &blocks);
  {
    const uint64_t dims[1] = {1u << 20};
    qb_memory_row mrows[QB_MEMORY_MAX_ROWS];
    assert_int_equal(rows, qb_memory_table(dims, 1, mrows, QB_MEMORY_MAX_ROWS));
  }
  assert_non_null(strstr(tsv, "\t0.523438\t")); /* qu4g128: 4.1875 bits per element */
  assert_non_null(strstr(tsv, "\t0.53125\t"));  /* mxf4: 4.25 bits per element */
  assert_non_null(strstr(tsv, "1\t8\t2062260\tf64\tx2\n"));
  assert_non_null(strstr(tsv, "\t4\t16744206\tf32\tx1\n"));
  assert_non_null(strstr(tsv, "\t1.125\t")); /* s8 block32: 1 MiB + a 4-byte scale per 32 */
  assert_int_equal(qb__count(tsv, "\ts8 per-tensor\t"), 1);
  assert_int_equal(qb__count(tsv, "\ts8 block32\t"), 1);
  free(tsv);

  /* 6. Machines: both files, each family they share (CPU and device), at each one's best;
   * labelled by machine, date and file. */
  tsv = qb__read(dir, "machines.tsv", NULL);
  qb__tsv_shape(tsv, &rows, &blocks);
  assert_int_equal(blocks, 2);
  assert_int_equal(rows, 2 * 7);
  assert_non_null(strstr(tsv, "Intel Xeon Gold 6268CL (fixture) (fixture-b), 2026-11-22 15:40, plot_b.json"));
  assert_non_null(strstr(tsv, "\t8.96982\t2062260\tf32_f16_cvt\n")); /* plot_a's best: avx2_u16 */
  free(tsv);

  /* 7. Regression: four timed rows, one red. */
  tsv = qb__read(dir, "regression.tsv", NULL);
  qb__tsv_shape(tsv, &rows, &blocks);
  assert_int_equal(rows, 4);
  assert_non_null(strstr(tsv, "\t20\t14034728\tSLOWER\tf32_f16_cvt/avx2_u16/"));
  free(tsv);
  svg = qb__svg(dir, "regression", 3);
  assert_int_equal(qb__count(svg, "fill = 'rgb(214,  39,  40)'"), 1);
  free(svg);
}

static void test_partial_and_empty(void** state) {
  (void) state;
  char dir[600], err[4096];
  snprintf(dir, sizeof dir, "%s/partial", qb__tmp);
  const char* partial[] = {"plot_partial.json", NULL};
  int rc = qb__plot(dir, NULL, NULL, err, sizeof err, partial);
  if (rc != 0) fail_msg("partial: qbench plot exited %d: %s", rc, err);
  qb__check_png(dir, "throughput-f32_f16_cvt", 1000, 300, 5000);
  char* svg = qb__svg(dir, "throughput-f32_f16_cvt", 2);
  assert_int_equal(qb__count(svg, "fill = 'rgb(127, 127, 127)'"), 1 + 1); /* scalar only */
  free(svg);

  snprintf(dir, sizeof dir, "%s/empty", qb__tmp);
  const char* empty[] = {"plot_empty.json", NULL};
  rc = qb__plot(dir, NULL, NULL, err, sizeof err, empty);
  if (rc != 0) fail_msg("empty: qbench plot exited %d: %s", rc, err);
  /* Memory is a formula, known for skipped cases too: that chart has bars here. */
  qb__check_png(dir, "memory", 1000, 600, 10000);
  static const char* const charts[] = {"throughput-none", "roofline", "error", "machines"};
  for (size_t i = 0; i < sizeof charts / sizeof charts[0]; i++) {
    qb__check_png(dir, charts[i], 1000, 300, 5000);
    svg = qb__svg(dir, charts[i], 0);
    if (strstr(svg, "no data") == NULL && strstr(svg, "roofs only") == NULL)
      fail_msg("%s: no 'no data' label", charts[i]);
    free(svg);
  }
  /* No size chart without two sizes. */
  assert_null(qb__read(dir, "size-none.tsv", NULL));
  assert_null(qb__read(dir, "size-f32_f16_cvt.tsv", NULL));
  size_t len;
  char* log = qb__read(dir, "gnuplot.log", &len);
  assert_non_null(log);
  assert_null(strstr(log, "rror")); /* gnuplot printed no error */
  free(log);

  snprintf(dir, sizeof dir, "%s/gbench", qb__tmp);
  const char* plain[] = {"gbench_plain.json", NULL};
  rc = qb__plot(dir, NULL, NULL, err, sizeof err, plain);
  if (rc != 0) fail_msg("plain Google Benchmark: qbench plot exited %d: %s", rc, err);
}

/* Emulated timings never beside real ones; alone, they plot with a marked title. */
static void test_emulated(void** state) {
  (void) state;
  char dir[600], err[4096];
  snprintf(dir, sizeof dir, "%s/emulated", qb__tmp);
  const char* alone[] = {"plot_emulated.json", NULL};
  int rc = qb__plot(dir, NULL, NULL, err, sizeof err, alone);
  if (rc != 0) fail_msg("emulated: qbench plot exited %d: %s", rc, err);
  assert_null(strstr(err, "left out"));
  static const char* const timing[] = {"throughput-f32_f16_cvt", "size-f32_f16_cvt", "roofline", "machines"};
  for (size_t i = 0; i < sizeof timing / sizeof timing[0]; i++) {
    char* svg = qb__svg(dir, timing[i], 1);
    if (strstr(svg, "(emulated: timings meaningless)") == NULL) fail_msg("%s: title not marked", timing[i]);
    free(svg);
  }
  static const char* const untimed[] = {"error", "memory"};
  for (size_t i = 0; i < sizeof untimed / sizeof untimed[0]; i++) {
    char* svg = qb__svg(dir, untimed[i], 1);
    assert_non_null(strstr(svg, "Neoverse-N1 (qemu, fixture) (fixture-emu)"));
    assert_null(strstr(svg, "emulated"));
    free(svg);
  }

  /* Among real files, the emulated one is left out of machines, with a note. */
  snprintf(dir, sizeof dir, "%s/mixed", qb__tmp);
  const char* mixed[] = {"plot_a.json", "plot_emulated.json", "plot_b.json", NULL};
  rc = qb__plot(dir, NULL, NULL, err, sizeof err, mixed);
  if (rc != 0) fail_msg("mixed: qbench plot exited %d: %s", rc, err);
  const char* note = strstr(err, "qbench plot: emulated runs left out of the machines chart");
  if (note == NULL) fail_msg("no note on stderr: %s", err);
  const char* eol = strchr(note, '\n');
  assert_non_null(eol);
  assert_non_null(strstr(note, "plot_emulated.json\n"));
  assert_true(strstr(note, "plot_emulated.json") < eol);
  char* tsv = qb__read(dir, "machines.tsv", NULL);
  size_t rows, blocks;
  qb__tsv_shape(tsv, &rows, &blocks);
  assert_int_equal(blocks, 2);
  assert_int_equal(rows, 2 * 7);
  assert_null(strstr(tsv, "fixture-emu"));
  assert_non_null(strstr(tsv, "(fixture-b)"));
  free(tsv);
  char* svg = qb__svg(dir, "throughput-f32_f16_cvt", 1);
  assert_null(strstr(svg, "emulated"));
  free(svg);
}

/* Several files: the single-run charts come from the newest (by context date), not the
 * first given; the machines chart holds them all. */
static void test_newest(void** state) {
  (void) state;
  char dir[600], err[4096], newer[700];
  size_t len;
  char* b = qb__read(QB_TEST_DATA, "plot_b.json", &len);
  assert_non_null(b);
  char* at = strstr(b, "\"date\":\"2026-11-22T15:40:00+00:00\"");
  assert_non_null(at);
  memcpy(at + strlen("\"date\":\"2026-11-2"), "3", 1); /* a day later */
  snprintf(newer, sizeof newer, "%s/newer_b.json", qb__tmp);
  FILE* f = fopen(newer, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(b, 1, len, f), len);
  fclose(f);
  free(b);
  snprintf(dir, sizeof dir, "%s/newest", qb__tmp);
  const char* files[] = {newer, "plot_a.json", NULL};
  int rc = qb__plot(dir, NULL, NULL, err, sizeof err, files);
  if (rc != 0) fail_msg("qbench plot exited %d: %s", rc, err);
  char* svg = qb__svg(dir, "throughput-f32_f16_cvt", 1);
  assert_non_null(strstr(svg, "(fixture-b), 2026-11-23T15:40:00+00:00"));
  free(svg);
  char* tsv = qb__read(dir, "machines.tsv", NULL);
  assert_non_null(strstr(tsv, "plot_a.json"));
  assert_non_null(strstr(tsv, "newer_b.json"));
  free(tsv);

  /* --machines: a fleet's view, the machines chart alone (and index.html). */
  snprintf(dir, sizeof dir, "%s/fleet", qb__tmp);
  const char* fleet[] = {"--machines", newer, "plot_a.json", NULL};
  rc = qb__plot(dir, NULL, NULL, err, sizeof err, fleet);
  if (rc != 0) fail_msg("--machines: qbench plot exited %d: %s", rc, err);
  assert_non_null(strstr(err, " 1 charts"));
  qb__check_png(dir, "machines", 1000, 600, 10000);
  assert_null(qb__read(dir, "throughput-f32_f16_cvt.tsv", NULL));
  char* html = qb__read(dir, "index.html", NULL);
  assert_non_null(html);
  assert_non_null(strstr(html, "src=\"machines.png\""));
  free(html);
}

/* Thread scaling: a line per (size class, path) through each thread count, beside the
 * roof of each thread count; a file with one thread count has no scaling chart. */
static void test_scaling(void** state) {
  (void) state;
  char dir[600], err[4096];
  snprintf(dir, sizeof dir, "%s/scaling", qb__tmp);
  const char* files[] = {"plot_threads.json", NULL};
  int rc = qb__plot(dir, NULL, NULL, err, sizeof err, files);
  if (rc != 0) fail_msg("qbench plot exited %d: %s", rc, err);
  qb__check_png(dir, "scaling-f32_f16_cvt", 1000, 300, 5000);
  char* tsv = qb__read(dir, "scaling-f32_f16_cvt.tsv", NULL);
  size_t rows, blocks;
  qb__tsv_shape(tsv, &rows, &blocks);
  assert_int_equal(blocks, 4); /* (L2, DRAM) x (scalar, avx2) */
  assert_int_equal(rows, 8);   /* each at 1 and 2 threads */
  /* avx2 at DRAM: 6 bytes/element in 6n/9 ns on 1 thread, 1.8x that on 2 (+-1 % jitter). */
  const char* avx2 = strstr(tsv, "\tavx2 DRAM\n");
  assert_non_null(avx2);
  double t1, g1, t2, g2;
  assert_int_equal(sscanf(avx2 + strlen("\tavx2 DRAM\n"), "%lf\t%lf\t%*u\n%lf\t%lf", &t1, &g1, &t2, &g2), 4);
  assert_true(t1 == 1 && t2 == 2);
  assert_true(g1 > 8.85 && g1 < 9.15);
  assert_true(g2 > 1.75 * g1 && g2 < 1.85 * g1);
  free(tsv);
  tsv = qb__read(dir, "scaling-f32_f16_cvt-roofs.tsv", NULL);
  qb__tsv_shape(tsv, &rows, &blocks);
  assert_int_equal(blocks, 2);                                 /* L2 and DRAM */
  assert_non_null(strstr(tsv, "\troof DRAM\n1\t12\n2\t20\n")); /* the all-core roof beside the 1-thread one */
  assert_non_null(strstr(tsv, "\troof L2\n1\t50\n2\t90\n"));
  free(tsv);
  char* svg = qb__svg(dir, "scaling-f32_f16_cvt", 2);
  assert_non_null(strstr(svg, "avx2 DRAM"));
  assert_non_null(strstr(svg, "roof DRAM"));
  free(svg);
  char* html = qb__read(dir, "index.html", NULL);
  assert_non_null(strstr(html, "src=\"scaling-f32_f16_cvt.png\""));
  free(html);
}

/* The roof table: per family and backend, at each size class and thread count, the best
 * by median GB/s (never a failed case), its roof fraction (above 1 flagged) and GB/s;
 * the same cells in roof-fractions.csv. With --peers, the ratios of ci/peers.sh --csv
 * beside it, per peer at the largest n in L2 and at the largest n (one plot for both:
 * each costs seconds of CI). */
static void test_roof_table(void** state) {
  (void) state;
  char dir[600], err[4096];
  snprintf(dir, sizeof dir, "%s/roofs", qb__tmp);
  const char* files[] = {"plot_roofs.json", "--peers", "peers_small.csv", NULL};
  int rc = qb__plot(dir, NULL, NULL, err, sizeof err, files);
  if (rc != 0) fail_msg("qbench plot exited %d: %s", rc, err);
  char* csv = qb__read(dir, "roof-fractions.csv", NULL);
  assert_non_null(csv);
  /* L1, 1 thread: avx2_u16 at 36 of 72 GB/s. L1, 2 threads: avx2_u16 above its roof.
   * L2, 1 thread: avx2_u8 (40), not the failed avx2_u32 (90). L2, 2 threads: avx2_u16
   * (median 72), not avx2_u8 (median 70; mean 93, best 140). The device against its own
   * copy roof (40 GB/s, not the CPU's 50). f32_bf16_cvt, L2, 2 threads: an error and a
   * skipped case, no figures; not measured on 2 threads at L1: no line. The dot against
   * its read roof and its compute peak, on 2 threads above the peak (flagged). A cell
   * above the smallest size class has a ceiling: the family's best GB/s at that class, on
   * as many threads, over the cell's roof (bound "compute" below 1, else "memory"). */
  static const char want[] =
      "family,backend,size_class,threads,variant,roof,roof_fraction,gbps,roof_gbps,above_roof,status,compute_"
      "roof,"
      "compute_roof_fraction,ceiling_fraction,bound\n"
      "f32_f16_cvt,cpu,L1,1,avx2_u16,copy,0.5,36,72,false,ok,,,,\n"
      "f32_f16_cvt,cpu,L1,2,avx2_u16,copy,1.071,150,140,true,ok,,,,\n"
      "f32_f16_cvt,cpu,L2,1,avx2_u8,copy,0.8,40,50,false,ok,,,0.72,compute\n"
      "f32_f16_cvt,cpu,L2,2,avx2_u16,copy,0.8,72,90,false,ok,,,1.667,memory\n"
      "f32_f16_cvt,opencl:pocl-cpu,L2,1,f16_v4,copy,0.5,20,40,false,ok,,,,\n"
      "f32_bf16_cvt,cpu,L1,1,avx2_u16,copy,0.2778,20,72,false,ok,,,,\n"
      "f32_bf16_cvt,cpu,L2,1,avx2_u16,copy,0.6,30,50,false,ok,,,0.4,compute\n"
      "f32_bf16_cvt,cpu,L2,2,,,,,,,error,,,,\n"
      "f32_dot,cpu,L1,1,avx2_u32,read,0.5,80,160,false,ok,peak_f32_fma__avx2,0.2,,\n"
      "f32_dot,cpu,L1,2,avx2_u32,read,0.5,160,320,true,ok,peak_f32_fma__avx2,1.333,,\n";
  if (strcmp(csv, want) != 0) fail_msg("roof-fractions.csv:\n%s\nexpected:\n%s", csv, want);
  free(csv);

  char* html = qb__read(dir, "index.html", NULL);
  assert_non_null(html);
  assert_non_null(strstr(html, "<li><a href=\"#roofs\">Roof fractions</a></li>"));
  assert_non_null(strstr(html, "<h2 id=\"roofs\">Roof fractions</h2>"));
  assert_non_null(strstr(html, "<a href=\"roof-fractions.csv\">"));
  /* Columns in order: L1 then L2, each on 1 then 2 threads; the peers' last. */
  const char* head = strstr(html, "<table class=\"rooftab\">");
  assert_non_null(head);
  assert_non_null(strstr(head,
                         "<th>family</th><th>backend</th><th class=\"num\">L1, 1 thread</th><th "
                         "class=\"num\">L1, 2 threads</th><th class=\"num\">L2, 1 thread</th><th "
                         "class=\"num\">L2, 2 threads</th><th>ratio to public implementations (qbench / "
                         "peer)</th></tr>"));
  /* Four rows (f32_f16_cvt on the CPU and on the device, f32_bf16_cvt and f32_dot on
   * the CPU). */
  const char* end = strstr(head, "</table>");
  assert_non_null(end);
  size_t rows = 0;
  for (const char* r = strstr(head, "<tr><td>"); r != NULL && r < end; r = strstr(r + 1, "<tr><td>")) rows++;
  assert_int_equal(rows, 4);
  assert_non_null(strstr(head, ">avx2_u16<br>107 % (above its roof)<br>150 GB/s</td>"));
  assert_non_null(strstr(head, ">avx2_u32<br>50 %<br>compute 20 %<br>80 GB/s</td>"));
  assert_non_null(
      strstr(head,
             "<td class=\"num over\" title=\"avx2 at L1, 2 threads, n = 2048: 160 GB/s against read "
             "(320 GB/s); 40 GFLOP/s against its compute peak peak_f32_fma__avx2; above a roof: the "
             "roof is not a limit\">avx2_u32<br>50 %<br>compute 133 % (above its peak)<br>160 GB/s</td>"));
  assert_non_null(strstr(head,
                         "<td class=\"num over\" title=\"avx2 at L1, 2 threads, n = 2048: 150 GB/s against "
                         "copy (140 GB/s); above a roof: the roof is not a limit\">"));
  /* L2: its ceiling is the family's best at L1 on as many threads (36 GB/s on 1 thread,
   * 0.72 of the 50 GB/s roof: shown; 150 GB/s on 2, above the 90 GB/s roof: not shown). */
  assert_non_null(strstr(head, ">avx2_u8<br>80 %<br>ceiling 72 %<br>40 GB/s</td>"));
  assert_non_null(strstr(head,
                         "; from the nearest cache measured the family reaches 0.72 of this roof (the core "
                         "binds it here)\">avx2_u8"));
  assert_non_null(strstr(head, ">avx2_u16<br>80 %<br>72 GB/s</td>"));
  assert_non_null(strstr(head, "<td>opencl:pocl-cpu</td><td class=\"none\" title=\"not measured\"></td>"));
  assert_non_null(strstr(head, ">f16_v4<br>50 %<br>20 GB/s</td>"));
  assert_non_null(strstr(head, "<td class=\"none\">no ok row (1 error, 1 skipped)</td>"));
  assert_null(strstr(head, "<br>90 GB/s</td>")); /* the failed avx2_u32 */
  /* L2 is 512 KiB: 65536 f32 -> f16 elements (384 KiB) fit, 16777216 do not. */
  assert_non_null(
      strstr(html,
             "<td class=\"peers\">ggml: 1.30x at n = 65536 (in L2), 0.96x at n = 16777216<br>numkong: "
             "2.20x at n = 65536 (in L2)<br>torch: 2.00x at n = 16777216</td></tr>"));
  /* The device's row and a family no peer measured: empty. */
  assert_non_null(strstr(html, "<td class=\"none\" title=\"the peers run on the CPU\"></td></tr>"));
  assert_non_null(strstr(html, "<td class=\"none\" title=\"no peer measured this family\"></td></tr>"));
  assert_null(strstr(html, "f32_q8_0_quant"));
  free(html);
}

/* --peers: a malformed line is one line naming the file and line, exit 2, nothing
 * written (a missing file, a results file, /dev/zero: tests/badinput/table.txt). */
static void test_peers_bad(void** state) {
  (void) state;
  static const struct {
    const char* text;
    const char* says;
  } cases[] = {
      {"ggml,x,f32_f16_cvt,4096,v,1,1,-2\n", "bad_peers0.csv:2: ratio '-2'"},
      {"ggml,x,f32_f16_cvt,4096,v,1,1\n", "bad_peers1.csv:2: 7 fields, expected 8"},
      {"ggml,x,f32_f16_cvt,4k,v,1,1,2\n", "bad_peers2.csv:2: n '4k'"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char dir[600], err[4096], bad[700];
    snprintf(bad, sizeof bad, "%s/bad_peers%zu.csv", qb__tmp, i);
    FILE* f = fopen(bad, "w");
    assert_non_null(f);
    fprintf(f, "peer,operation,family,n,variant,qbench_gelps,peer_gelps,ratio\n%s", cases[i].text);
    fclose(f);
    snprintf(dir, sizeof dir, "%s/peers_bad%zu", qb__tmp, i);
    const char* args[] = {"plot_roofs.json", "--peers", bad, NULL};
    const int rc = qb__plot(dir, NULL, NULL, err, sizeof err, args);
    if (rc != 2 || strstr(err, cases[i].says) == NULL || strchr(err, '\n') != err + strlen(err) - 1)
      fail_msg("--peers %s: exit %d, '%s' (expected 2 and one line naming '%s')", bad, rc, err,
               cases[i].says);
    struct stat st;
    assert_true(stat(dir, &st) != 0); /* nothing written */
  }
}

static void test_no_gnuplot(void** state) {
  (void) state;
  char dir[600], err[4096];
  snprintf(dir, sizeof dir, "%s/none", qb__tmp);
  const char* files[] = {"plot_a.json", NULL};
  int rc = qb__plot(dir, "QBENCH_GNUPLOT", "/nonexistent/gnuplot", err, sizeof err, files);
  assert_int_equal(rc, 2);
  assert_non_null(strstr(err, "gnuplot not found"));
  assert_true(strchr(err, '\n') == err + strlen(err) - 1); /* one line */
  struct stat st;
  assert_true(stat(dir, &st) != 0); /* nothing written */
}

int main(void) {
  if (system("command -v gnuplot >/dev/null 2>&1") != 0) {
    printf("skipped: gnuplot not installed (Debian: gnuplot-nox)\n");
    return QB_TEST_SKIP;
  }
  if (mkdtemp(qb__tmp) == NULL) return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_full_set),   cmocka_unit_test(test_partial_and_empty),
      cmocka_unit_test(test_emulated),   cmocka_unit_test(test_newest),
      cmocka_unit_test(test_no_gnuplot), cmocka_unit_test(test_scaling),
      cmocka_unit_test(test_roof_table), cmocka_unit_test(test_peers_bad),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  if (rc == 0) {
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", qb__tmp);
    if (system(cmd) != 0) rc = 1;
  }
  return rc;
}
