/*
 * qbench plot from the committed fixtures: every chart as PNG and SVG, the PNG's header
 * sane, the SVG holding the expected bars and points, the data files the expected rows;
 * partial and empty data still charted; no gnuplot is a one-line error and exit 2.
 * Skipped (77) when gnuplot is not installed.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* Runs qbench plot ARGS (NULL-terminated, fixture names relative to the data folder). */
static int qb__plot(const char* out_dir, const char* env_name, const char* env_value, char* err,
                    size_t errlen, const char* const* files) {
  char* argv[16];
  char paths[8][512];
  int n = 0;
  argv[n++] = (char*) QB_TEST_QBENCH;
  argv[n++] = (char*) "plot";
  for (int i = 0; files[i] != NULL; i++) {
    if (files[i][0] == '-') {
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
  assert_non_null(strstr(err, "13 charts"));
  assert_non_null(strstr(err, "index.html"));

  static const char* const charts[] = {"throughput", "size-f32_f16_cvt", "roofline",  "error",
                                       "memory",     "machines",         "regression"};
  char* html = qb__read(dir, "index.html", NULL);
  assert_non_null(html);
  assert_non_null(strstr(html, "AMD EPYC 7B13 (fixture)"));
  for (size_t i = 0; i < sizeof charts / sizeof charts[0]; i++) {
    qb__check_png(dir, charts[i], 1000, 600, 15000);
    free(qb__svg(dir, charts[i], 3));
    char ref[128];
    snprintf(ref, sizeof ref, "src=\"%s.png\"", charts[i]);
    if (strstr(html, ref) == NULL) fail_msg("index.html lacks %s", ref);
  }
  free(html);

  /* 1. Throughput: one bar per (path, kernel); avx2 has three (+ its legend sample). */
  char* tsv = qb__read(dir, "throughput.tsv", NULL);
  size_t rows, blocks;
  qb__tsv_shape(tsv, &rows, &blocks);
  assert_int_equal(blocks, 3); /* scalar, avx2, opencl:pocl-cpu */
  assert_int_equal(rows, 10);
  const char* row = strstr(tsv, "\tf32_f16_cvt__avx2_u16\n");
  assert_non_null(row);
  while (row > tsv && row[-1] != '\n') row--;
  double x, gbps;
  assert_int_equal(sscanf(row, "%lf\t%lf", &x, &gbps), 2);
  assert_true(gbps > 8.85 && gbps < 9.15); /* 6 bytes/element in 6n/9 ns: 9 GB/s +-1 % jitter */
  free(tsv);
  char* svg = qb__svg(dir, "throughput", 4);
  assert_int_equal(qb__count(svg, "fill = 'rgb( 31, 119, 180)'"), 3 + 1);
  assert_non_null(strstr(
      svg, "AMD EPYC 7B13 (fixture) + opencl:pocl-cpu (fixture-a), 2026-11-22T15:40:00+00:00, qbench 0.1.0"));
  free(svg);

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

  /* 3. Roofline: a point per (path, kernel), four measured roofs. */
  tsv = qb__read(dir, "roofline.tsv", NULL);
  qb__tsv_shape(tsv, &rows, &blocks);
  free(tsv);
  svg = qb__svg(dir, "roofline", 4);
  assert_int_equal(rows, 10);
  assert_int_equal(qb__count(svg, "xlink:href='#gpPt6'"), rows + blocks);
  assert_non_null(strstr(svg, "copy DRAM: 12.0 GB/s"));
  free(svg);

  /* 4. Error: 7 schemes; 4 of them with three distributions. */
  tsv = qb__read(dir, "error.tsv", NULL);
  qb__tsv_shape(tsv, &rows, &blocks);
  assert_int_equal(rows, 3 + 4 * 3);
  assert_int_equal(blocks, 3);
  assert_non_null(strstr(tsv, "\t21.5\t"));
  free(tsv);

  /* 5. Memory: f32 and six narrow formats, qb8 with its scale overhead. */
  tsv = qb__read(dir, "memory.tsv", NULL);
  qb__tsv_shape(tsv, &rows, &blocks);
  assert_int_equal(rows, 7);
  assert_non_null(strstr(tsv, "\tqb8 block-32\tx0.281\n"));
  assert_non_null(strstr(tsv, "1\t4\t8355711\tf32\tx1\n"));
  free(tsv);

  /* 6. Machines: both files, the kernels they share. */
  tsv = qb__read(dir, "machines.tsv", NULL);
  qb__tsv_shape(tsv, &rows, &blocks);
  assert_int_equal(blocks, 2);
  assert_int_equal(rows, 2 * 9);
  assert_non_null(strstr(tsv, "Intel Xeon Gold 6268CL (fixture) (fixture-b)"));
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
  qb__check_png(dir, "throughput", 1000, 600, 10000);
  char* svg = qb__svg(dir, "throughput", 2);
  assert_int_equal(qb__count(svg, "fill = 'rgb(127, 127, 127)'"), 2 + 1); /* scalar only */
  free(svg);

  snprintf(dir, sizeof dir, "%s/empty", qb__tmp);
  const char* empty[] = {"plot_empty.json", NULL};
  rc = qb__plot(dir, NULL, NULL, err, sizeof err, empty);
  if (rc != 0) fail_msg("empty: qbench plot exited %d: %s", rc, err);
  /* Memory is a formula, known for skipped cases too: that chart has bars here. */
  qb__check_png(dir, "memory", 1000, 600, 10000);
  static const char* const charts[] = {"throughput", "size-none", "roofline", "error", "machines"};
  for (size_t i = 0; i < sizeof charts / sizeof charts[0]; i++) {
    qb__check_png(dir, charts[i], 1000, 600, 5000);
    svg = qb__svg(dir, charts[i], 0);
    if (strstr(svg, "no data") == NULL && strstr(svg, "roofs only") == NULL)
      fail_msg("%s: no 'no data' label", charts[i]);
    free(svg);
  }
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
  static const char* const timing[] = {"throughput", "size-f32_f16_cvt", "roofline", "machines"};
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
  assert_int_equal(rows, 2 * 9);
  assert_null(strstr(tsv, "fixture-emu"));
  assert_non_null(strstr(tsv, "(fixture-b)"));
  free(tsv);
  char* svg = qb__svg(dir, "throughput", 1);
  assert_null(strstr(svg, "emulated"));
  free(svg);
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
      cmocka_unit_test(test_full_set),
      cmocka_unit_test(test_partial_and_empty),
      cmocka_unit_test(test_emulated),
      cmocka_unit_test(test_no_gnuplot),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  if (rc == 0) {
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", qb__tmp);
    if (system(cmd) != 0) rc = 1;
  }
  return rc;
}
