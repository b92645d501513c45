/*
 * Google Benchmark's own compare.py (Debian: libbenchmark-tools) reads a qbench results
 * file unchanged, and its U test p-values equal qbench compare's. Skipped (77) when
 * compare.py or /usr/bin/python3 with scipy is not installed.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report/compare.h"
#include "test_util.h"

#ifndef QB_TEST_DATA
#error "QB_TEST_DATA is set by tests/compareplot.cmake"
#endif

static char qb__python[512] = "/usr/bin/python3";
static char qb__compare_py[512] = "/usr/share/benchmark/compare.py";

/* Runs compare.py BASE NEW with -d, into a temp file; returns its JSON or NULL. */
static json_t* qb__run_compare_py(const char* base, const char* new_name) {
  char out[] = "/tmp/qb_compare_py_XXXXXX";
  int fd = mkstemp(out);
  assert_true(fd >= 0);
  close(fd);
  char bp[512], np[512];
  snprintf(bp, sizeof bp, "%s/%s", QB_TEST_DATA, base);
  snprintf(np, sizeof np, "%s/%s", QB_TEST_DATA, new_name);
  char* argv[] = {
      qb__python, qb__compare_py, (char*) "--no-color", (char*) "-d", out, (char*) "benchmarks", bp, np,
      NULL};
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    if (freopen("/dev/null", "w", stdout) == NULL) _exit(126);
    execv(argv[0], argv);
    _exit(127);
  }
  int st;
  assert_true(waitpid(pid, &st, 0) == pid);
  json_error_t je;
  json_t* doc = WIFEXITED(st) && WEXITSTATUS(st) == 0 ? json_load_file(out, 0, &je) : NULL;
  unlink(out);
  return doc;
}

/* Every row compare.py ran a U test on has qbench's p-value, to 1e-12. */
static void qb__check_pair(const char* base, const char* new_name) {
  json_t* py = qb__run_compare_py(base, new_name);
  if (py == NULL) fail_msg("compare.py failed on %s %s", base, new_name);
  char bp[512], np[512];
  snprintf(bp, sizeof bp, "%s/%s", QB_TEST_DATA, base);
  snprintf(np, sizeof np, "%s/%s", QB_TEST_DATA, new_name);
  qb_resultset b = {0}, n = {0};
  qb_comparison c = {0};
  qb_error err = {0};
  qb_compare_opts o;
  qb_compare_opts_default(&o);
  assert_int_equal(qb_resultset_load(bp, &b, &err), QB_OK);
  assert_int_equal(qb_resultset_load(np, &n, &err), QB_OK);
  assert_int_equal(qb_compare_sets(&b, &n, &o, &c, &err), QB_OK);
  size_t checked = 0;
  for (size_t i = 0; i < json_array_size(py); i++) {
    json_t* row = json_array_get(py, i);
    json_t* p = json_object_get(json_object_get(row, "utest"), "time_pvalue");
    if (!json_is_number(p)) continue;
    const char* name = json_string_value(json_object_get(row, "name"));
    const qb_cmp_row* mine = NULL;
    for (size_t k = 0; k < c.n_rows; k++) {
      if (strcmp(c.rows[k].name, name) == 0) mine = &c.rows[k];
    }
    if (mine == NULL) fail_msg("%s: compare.py row %s not in qbench's comparison", new_name, name);
    double want = json_number_value(p);
    if (!(fabs(mine->p_value - want) <= 1e-12 * want)) {
      fail_msg("%s %s: p = %.17g, compare.py %.17g", new_name, name, mine->p_value, want);
    }
    checked++;
  }
  assert_int_equal(checked, 4); /* the four ok cases; the skipped one has no test */
  qb_comparison_free(&c);
  qb_resultset_free(&b);
  qb_resultset_free(&n);
  json_decref(py);
}

static void test_p_values_match_compare_py(void** state) {
  (void) state;
  qb__check_pair("base.json", "slow20.json");           /* asymptotic, 9 a side */
  qb__check_pair("base.json", "jitter.json");           /* noise only */
  qb__check_pair("weak_base.json", "weak_slow20.json"); /* exact, 3 a side */
}

int main(void) {
  const char* env = getenv("QB_GBENCH_COMPARE");
  if (env != NULL && env[0] != '\0') snprintf(qb__compare_py, sizeof qb__compare_py, "%s", env);
  if (access(qb__compare_py, R_OK) != 0) {
    printf("skipped: %s not found (Debian: libbenchmark-tools; or set QB_GBENCH_COMPARE)\n", qb__compare_py);
    return QB_TEST_SKIP;
  }
  /* compare.py needs scipy; Debian's python3-scipy is for the system python. */
  if (access(qb__python, X_OK) != 0 || system("/usr/bin/python3 -c 'import scipy' >/dev/null 2>&1") != 0) {
    printf("skipped: %s cannot import scipy (Debian: python3-scipy)\n", qb__python);
    return QB_TEST_SKIP;
  }
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_p_values_match_compare_py)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
