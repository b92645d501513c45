/* qbench compare, command level: exit codes, the row named, one-line errors on stderr. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_util.h"

#if !defined(QB_TEST_DATA) || !defined(QB_TEST_QBENCH)
#error "QB_TEST_DATA and QB_TEST_QBENCH are set by tests/compareplot.cmake"
#endif

typedef struct qb__run {
  int rc;
  char out[65536], err[4096];
} qb__run;

static void qb__slurp(int fd, char* buf, size_t len) {
  size_t at = 0;
  ssize_t n;
  lseek(fd, 0, SEEK_SET);
  while (at + 1 < len && (n = read(fd, buf + at, len - 1 - at)) > 0) at += (size_t) n;
  buf[at] = '\0';
  close(fd);
}

/* Runs argv (NULL-terminated), capturing the exit code, stdout and stderr. */
static void qb__exec(qb__run* r, char** argv) {
  FILE *fo = tmpfile(), *fe = tmpfile();
  assert_non_null(fo);
  assert_non_null(fe);
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    dup2(fileno(fo), 1);
    dup2(fileno(fe), 2);
    execv(argv[0], argv);
    _exit(127);
  }
  int st;
  assert_true(waitpid(pid, &st, 0) == pid && WIFEXITED(st));
  r->rc = WEXITSTATUS(st);
  qb__slurp(dup(fileno(fo)), r->out, sizeof r->out);
  qb__slurp(dup(fileno(fe)), r->err, sizeof r->err);
  fclose(fo);
  fclose(fe);
}

/* qbench compare ARGS... with file names relative to the fixture folder. */
static void qb__compare(qb__run* r, const char* a1, const char* a2, const char* a3, const char* a4) {
  char p1[512], p2[512];
  snprintf(p1, sizeof p1, "%s/%s", QB_TEST_DATA, a1);
  snprintf(p2, sizeof p2, "%s/%s", QB_TEST_DATA, a2);
  char* argv[] = {(char*) QB_TEST_QBENCH, (char*) "compare", p1, p2, (char*) a3, (char*) a4, NULL};
  qb__exec(r, argv);
}

/* qbench compare --paired with `rounds` rounds of (A, B) from the fixtures, then opt. */
static void qb__paired(qb__run* r, const char* a, const char* b, int rounds, const char* opt,
                       const char* val) {
  static char paths[2][512];
  snprintf(paths[0], sizeof paths[0], "%s/%s", QB_TEST_DATA, a);
  snprintf(paths[1], sizeof paths[1], "%s/%s", QB_TEST_DATA, b);
  char* argv[32];
  int k = 0;
  argv[k++] = (char*) QB_TEST_QBENCH;
  argv[k++] = (char*) "compare";
  argv[k++] = (char*) "--paired";
  for (int i = 0; i < rounds && k < 26; i++) {
    argv[k++] = paths[0];
    argv[k++] = paths[1];
  }
  argv[k++] = (char*) opt;
  argv[k++] = (char*) val;
  argv[k] = NULL;
  qb__exec(r, argv);
}

/* stderr holds exactly one line, containing `want`. */
static void qb__one_line_error(const qb__run* r, const char* want) {
  if (strstr(r->err, want) == NULL) fail_msg("stderr '%s' lacks '%s'", r->err, want);
  const char* nl = strchr(r->err, '\n');
  assert_non_null(nl);
  assert_true(nl[1] == '\0');
}

static void test_identical_is_0(void** state) {
  (void) state;
  static qb__run r;
  qb__compare(&r, "base.json", "base.json", NULL, NULL);
  assert_int_equal(r.rc, 0);
  assert_non_null(strstr(r.out, "result: no regression"));
  assert_string_equal(r.err, "");
}

static void test_slow_row_is_1_and_named(void** state) {
  (void) state;
  static qb__run r;
  qb__compare(&r, "base.json", "slow20.json", NULL, NULL);
  assert_int_equal(r.rc, 1);
  const char* line = strstr(r.out, "f32_f16_cvt/avx2_u16/cpu/n:1048576/threads:1/dist:normal ");
  assert_non_null(line);
  const char* eol = strchr(line, '\n');
  assert_non_null(eol);
  char buf[512];
  snprintf(buf, sizeof buf, "%.*s", (int) (eol - line), line);
  assert_non_null(strstr(buf, "+20.00%"));
  assert_non_null(strstr(buf, "SLOWER"));
  assert_non_null(strstr(r.out, "result: REGRESSION"));
}

static void test_sqnr_down_is_1(void** state) {
  (void) state;
  static qb__run r;
  qb__compare(&r, "base.json", "sqnr_down.json", NULL, NULL);
  assert_int_equal(r.rc, 1);
  assert_non_null(strstr(
      r.out, "f32_qs8_quant/avx2_u32/cpu/n:65536/threads:1/dist:normal/round:pytorch: sqnr_db 40.1 -> 40 "));
  assert_non_null(strstr(r.out, "WORSE"));
}

static void test_jitter_is_0(void** state) {
  (void) state;
  static qb__run r;
  qb__compare(&r, "base.json", "jitter.json", NULL, NULL);
  assert_int_equal(r.rc, 0);
  assert_null(strstr(r.out, "SLOWER"));
}

static void test_missing_and_new_listed(void** state) {
  (void) state;
  static qb__run r;
  qb__compare(&r, "base.json", "missing.json", NULL, NULL);
  /* A row that was ok and vanished is a regression. */
  assert_int_equal(r.rc, 1);
  assert_non_null(
      strstr(r.out, "MISSING (was ok) (only in BASE): f32_dot/avx2_u32/cpu/n:4096/threads:1/dist:normal\n"));
  assert_non_null(
      strstr(r.out, "new (only in NEW, ok): f16_f32_cvt/scalar_u1/cpu/n:1048576/threads:1/dist:normal\n"));
  /* Rows skipped on both sides are a count, not a line each. */
  assert_null(
      strstr(r.out, "skipped: f32_bf16_cvt/avx512bf16_u32/cpu/n:1048576/threads:1/dist:normal (skipped"));
  assert_non_null(strstr(r.out, " rows skipped in both\n"));
  qb__compare(&r, "base.json", "errored.json", NULL, NULL);
  assert_int_equal(r.rc, 1);
  assert_non_null(strstr(r.out, "ERRORED (was ok): f32_f16_cvt/scalar_u1/"));
}

static void test_bad_input_is_2(void** state) {
  (void) state;
  static qb__run r;
  qb__compare(&r, "base.json", "broken.json", NULL, NULL);
  assert_int_equal(r.rc, 2);
  qb__one_line_error(&r, "broken.json: ");
  qb__compare(&r, "base.json", "no-such-file.json", NULL, NULL);
  assert_int_equal(r.rc, 2);
  qb__one_line_error(&r, "no-such-file.json: ");
  qb__compare(&r, "base.json", "other_suite.json", NULL, NULL);
  assert_int_equal(r.rc, 2);
  qb__one_line_error(&r, "other_suite.json: suite 'quick' differs from suite 'ci' of ");
  qb__compare(&r, "base.json", "disjoint.json", NULL, NULL);
  assert_int_equal(r.rc, 2);
  qb__one_line_error(&r, "disjoint.json: no rows in common with ");
  assert_string_equal(r.out, "");
  qb__compare(&r, "base.json", "base.json", "--threshold", "-3");
  assert_int_equal(r.rc, 2);
  qb__one_line_error(&r, "--threshold '-3'");
  qb__compare(&r, "base.json", "base.json", "--format", "xml");
  assert_int_equal(r.rc, 2);
}

static void test_options(void** state) {
  (void) state;
  static qb__run r;
  /* A 25 % threshold lets the 20 % slowdown pass; roof normalization evens machines. */
  qb__compare(&r, "base.json", "slow20.json", "--threshold", "25");
  assert_int_equal(r.rc, 0);
  qb__compare(&r, "base.json", "machine_b.json", NULL, NULL);
  assert_int_equal(r.rc, 1);
  qb__compare(&r, "base.json", "machine_b.json", "--normalize", "roof");
  assert_int_equal(r.rc, 0);
  qb__compare(&r, "base.json", "sqnr_down.json", "--error-tolerance", "0.03");
  assert_int_equal(r.rc, 0);
  qb__compare(&r, "weak_base.json", "weak_slow20.json", NULL, NULL);
  assert_int_equal(r.rc, 0);
  assert_non_null(strstr(r.out, "slower? (weak)"));
  qb__compare(&r, "base.json", "slow20.json", "--format", "md");
  assert_int_equal(r.rc, 1);
  assert_non_null(strstr(r.out, "| f32_f16_cvt/avx2_u16/cpu/n:1048576/threads:1/dist:normal "));
  qb__compare(&r, "base.json", "slow20.json", "--format", "json");
  assert_int_equal(r.rc, 1);
  assert_non_null(strstr(r.out, "\"verdict\": \"SLOWER\""));
}

/* Real BASE, emulated NEW: the 20 % slower row is not a verdict; an SQNR drop still is. */
static void test_emulated_not_timed(void** state) {
  (void) state;
  static qb__run r;
  qb__compare(&r, "base.json", "emulated_slow20.json", NULL, NULL);
  assert_int_equal(r.rc, 0);
  assert_null(strstr(r.out, "SLOWER"));
  assert_null(strstr(r.out, "+20.00%"));
  const char* line = strstr(r.out, "f32_f16_cvt/avx2_u16/cpu/n:1048576/threads:1/dist:normal ");
  assert_non_null(line);
  const char* eol = strchr(line, '\n');
  assert_non_null(eol);
  char buf[512];
  snprintf(buf, sizeof buf, "%.*s", (int) (eol - line), line);
  if (strstr(buf, "not compared: emulated run") == NULL) fail_msg("row '%s' lacks the emulated verdict", buf);
  assert_non_null(strstr(r.out, "timing not compared: NEW is an emulated run"));
  assert_non_null(strstr(r.out, "result: no regression"));
  qb__one_line_error(
      &r, "emulated_slow20.json is an emulated run (context.qbench.emulated): timing not compared");

  qb__compare(&r, "base.json", "emulated_sqnr_down.json", NULL, NULL);
  assert_int_equal(r.rc, 1);
  assert_non_null(strstr(r.out, "sqnr_db 40.1 -> 40 "));
  qb__one_line_error(&r, "timing not compared");

  qb__compare(&r, "base.json", "emulated_slow20.json", "--format", "md");
  assert_int_equal(r.rc, 0);
  assert_non_null(strstr(r.out, "not compared: emulated run |"));
  qb__compare(&r, "base.json", "emulated_slow20.json", "--format", "json");
  assert_int_equal(r.rc, 0);
  assert_non_null(strstr(r.out, "\"verdict\": \"not compared: emulated run\""));
  assert_non_null(strstr(r.out, "\"timing_compared\": false"));
  assert_null(strstr(r.out, "\"verdict\": \"SLOWER\""));
}

/* Warnings for humans: too few repetitions to fail, and files from other machines. */
static void test_warnings(void** state) {
  (void) state;
  static qb__run r;
  qb__compare(&r, "weak_base.json", "weak_slow20.json", NULL, NULL);
  assert_int_equal(r.rc, 0);
  qb__one_line_error(&r, "too few repetitions for the U test to reach p < 0.05 (3 against 3");
  qb__compare(&r, "base.json", "machine_b.json", NULL, NULL);
  assert_non_null(strstr(r.err, "warning: BASE ran on '"));
}

static void test_paired(void** state) {
  (void) state;
  static qb__run r;
  qb__paired(&r, "base.json", "base.json", 6, NULL, NULL);
  assert_int_equal(r.rc, 0);
  assert_non_null(strstr(r.out, "result: no regression"));
  assert_string_equal(r.err, "");

  qb__paired(&r, "base.json", "slow20.json", 6, NULL, NULL);
  assert_int_equal(r.rc, 1);
  const char* line = strstr(r.out, "  f32_f16_cvt/avx2_u16/cpu/n:1048576/threads:1/dist:normal ");
  assert_non_null(line);
  assert_non_null(strstr(line, "SLOWER"));
  qb__paired(&r, "base.json", "slow20.json", 6, "--threshold", "25");
  assert_int_equal(r.rc, 0);
  qb__paired(&r, "base.json", "slow20.json", 6, "--format", "json");
  assert_int_equal(r.rc, 1);
  assert_non_null(strstr(r.out, "\"verdict\": \"SLOWER\""));
  qb__paired(&r, "base.json", "slow20.json", 6, "--format", "md");
  assert_non_null(strstr(r.out, "| f32_f16_cvt/avx2_u16/cpu/n:1048576/threads:1/dist:normal "));
  /* Too few rounds: no verdict, named with the reason, not failing. */
  qb__paired(&r, "base.json", "slow20.json", 3, NULL, NULL);
  assert_int_equal(r.rc, 0);
  assert_non_null(strstr(r.out, "3 rounds cannot give a 95 % interval (need 6 or more)"));

  qb__paired(&r, "base.json", "missing.json", 6, NULL, NULL);
  assert_int_equal(r.rc, 1);
  assert_non_null(strstr(r.out, "STATUS: f32_dot/avx2_u32/cpu/n:4096/threads:1/dist:normal: ok -> missing"));
  qb__paired(&r, "base.json", "sqnr_down.json", 6, NULL, NULL);
  assert_int_equal(r.rc, 1);
  assert_non_null(
      strstr(r.out, "NUMERICAL ERROR: f32_qs8_quant/avx2_u32/cpu/n:65536/threads:1/dist:normal/"));

  /* An odd number of files is bad usage. */
  static char odd[512];
  snprintf(odd, sizeof odd, "%s/base.json", QB_TEST_DATA);
  char* argv[] = {(char*) QB_TEST_QBENCH, (char*) "compare", (char*) "--paired", odd, odd, odd, NULL};
  qb__exec(&r, argv);
  assert_int_equal(r.rc, 2);
  qb__one_line_error(&r, "--paired: expected rounds of two files");
}

/* --rename OLD=NEW: a renamed variant is judged against the row it replaced, not missing. */
static void test_rename(void** state) {
  (void) state;
  static qb__run r;
  static const char* const ren = "f32_dot__avx2_u32=f32_dot__avx2_u64";
  qb__compare(&r, "base.json", "renamed.json", NULL, NULL);
  assert_int_equal(r.rc, 1);
  assert_non_null(strstr(r.out, "MISSING (was ok) (only in BASE): f32_dot/avx2_u32/"));
  qb__compare(&r, "base.json", "renamed.json", "--rename", ren);
  assert_int_equal(r.rc, 0);
  assert_null(strstr(r.out, "only in BASE"));
  assert_non_null(strstr(r.out, "f32_dot/avx2_u64/cpu/n:4096/threads:1/dist:normal "));
  qb__one_line_error(&r, "the rows of f32_dot__avx2_u32 compared as f32_dot__avx2_u64 (--rename)");
  /* Paired: the renamed row is timed against the old one. */
  qb__paired(&r, "base.json", "renamed_slow20.json", 6, "--rename", ren);
  assert_int_equal(r.rc, 1);
  const char* line = strstr(r.out, "  f32_dot/avx2_u64/cpu/n:4096/threads:1/dist:normal ");
  assert_non_null(line);
  assert_non_null(strstr(line, "SLOWER"));
  assert_null(strstr(r.out, "ok -> missing"));
  qb__paired(&r, "base.json", "renamed.json", 6, "--rename", ren);
  assert_int_equal(r.rc, 0);
  /* A rename that matches no row changes nothing and says nothing. */
  qb__compare(&r, "base.json", "base.json", "--rename", "f32_dot__avx9_u1=f32_dot__avx9_u2");
  assert_int_equal(r.rc, 0);
  assert_string_equal(r.err, "");
  /* Bad usage: one line, exit 2. */
  static const char* const bad[][2] = {{"f32_dot__avx2_u32", "expected OLD=NEW"},
                                       {"f32_dot=f32_dot__avx2_u64", "expected two stable kernel names"},
                                       {"f32_dot__avx2_u32=__u64", "expected two stable kernel names"},
                                       {"f32_dot__avx2_u32=f32_dot__avx2_u32", "the same kernel"}};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    qb__compare(&r, "base.json", "renamed.json", "--rename", bad[i][0]);
    assert_int_equal(r.rc, 2);
    qb__one_line_error(&r, bad[i][1]);
  }
}

/* A reassoc dot 10 dB down within its bound passes, named; --strict-reassoc or a
 * mismatch fails; both modes. */
static void test_reassoc_within_bound(void** state) {
  (void) state;
  static qb__run r;
  const char* row =
      "f32_dot/avx2_u32/cpu/n:4096/threads:1/dist:normal: sqnr_db 120 -> 110 (-10) worse, within bound;";
  qb__compare(&r, "base.json", "reassoc_sqnr_down.json", NULL, NULL);
  assert_int_equal(r.rc, 0);
  if (strstr(r.out, row) == NULL) fail_msg("stdout lacks '%s':\n%s", row, r.out);
  assert_non_null(strstr(r.out, "reassoc: within its bound of 0.375 on |result - scalar reference|"));
  assert_non_null(strstr(r.out, "1 rows' error figures moved within their reassoc bound (not a regression)"));
  assert_non_null(strstr(r.out, "result: no regression"));
  qb__compare(&r, "base.json", "reassoc_sqnr_down.json", "--strict-reassoc", NULL);
  assert_int_equal(r.rc, 1);
  assert_non_null(strstr(r.out, "sqnr_db 120 -> 110 (-10) WORSE;"));
  qb__compare(&r, "base.json", "reassoc_mismatch.json", NULL, NULL);
  assert_int_equal(r.rc, 1);
  assert_non_null(strstr(r.out, "mismatches 0 -> 1 (+1) WORSE;"));

  qb__paired(&r, "base.json", "reassoc_sqnr_down.json", 6, NULL, NULL);
  assert_int_equal(r.rc, 0);
  assert_non_null(strstr(r.out, "numerical error within a reassoc bound (not failing):"));
  assert_non_null(strstr(r.out,
                         "f32_dot/avx2_u32/cpu/n:4096/threads:1/dist:normal: sqnr_db 120 -> 110; bound on "
                         "|result - scalar reference| 0.375"));
  qb__paired(&r, "base.json", "reassoc_sqnr_down.json", 6, "--strict-reassoc", NULL);
  assert_int_equal(r.rc, 1);
  assert_non_null(
      strstr(r.out, "NUMERICAL ERROR: f32_dot/avx2_u32/cpu/n:4096/threads:1/dist:normal: sqnr_db"));
  qb__paired(&r, "base.json", "reassoc_mismatch.json", 6, NULL, NULL);
  assert_int_equal(r.rc, 1);
  assert_non_null(strstr(r.out, "NUMERICAL ERROR: f32_dot/"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_warnings),           cmocka_unit_test(test_paired),
      cmocka_unit_test(test_identical_is_0),     cmocka_unit_test(test_slow_row_is_1_and_named),
      cmocka_unit_test(test_sqnr_down_is_1),     cmocka_unit_test(test_reassoc_within_bound),
      cmocka_unit_test(test_jitter_is_0),        cmocka_unit_test(test_missing_and_new_listed),
      cmocka_unit_test(test_bad_input_is_2),     cmocka_unit_test(test_options),
      cmocka_unit_test(test_emulated_not_timed), cmocka_unit_test(test_rename),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
