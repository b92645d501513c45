/* Results: the atomic writer (JSON + CSV), default names, and the reader on good and
 * broken files (qbench's and plain Google Benchmark's). */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/results.h"
#include "io/resultsread.h"
#include "test_util.h"

/* ---- Helpers ------------------------------------------------------------------------- */

typedef struct qb__tmp {
  char dir[256];
} qb__tmp;

static int qb__setup(void** state) {
  qb__tmp* t = calloc(1, sizeof *t);
  if (t == NULL) return -1;
  snprintf(t->dir, sizeof t->dir, "/tmp/qb-test-results-XXXXXX");
  if (mkdtemp(t->dir) == NULL) return -1;
  *state = t;
  return 0;
}

static int qb__teardown(void** state) {
  qb__tmp* t = *state;
  DIR* d = opendir(t->dir);
  if (d != NULL) {
    struct dirent* e;
    char p[600];
    while ((e = readdir(d)) != NULL) {
      if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
      snprintf(p, sizeof p, "%s/%s", t->dir, e->d_name);
      if (unlink(p) != 0) rmdir(p);
    }
    closedir(d);
  }
  chmod(t->dir, 0700);
  rmdir(t->dir);
  free(t);
  return 0;
}

static void qb__path(const qb__tmp* t, const char* name, char* buf, size_t len) {
  snprintf(buf, len, "%s/%s", t->dir, name);
}

/* Entries of dir whose name starts with '.', other than . and .. (temp files). */
static int qb__hidden_files(const char* dir) {
  DIR* d = opendir(dir);
  assert_non_null(d);
  int n = 0;
  struct dirent* e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.' && strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) n++;
  }
  closedir(d);
  return n;
}

static char* qb__slurp(const char* path) {
  FILE* f = fopen(path, "rb");
  if (f == NULL) return NULL;
  static const size_t cap = 1 << 20;
  char* buf = malloc(cap + 1);
  size_t n = fread(buf, 1, cap, f);
  fclose(f);
  buf[n] = '\0';
  return buf;
}

static void qb__spit(const char* path, const char* text) {
  FILE* f = fopen(path, "wb");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

/* A small results document as the run builds it: a qbench row with every nested
 * figure, an error row whose reason needs CSV quoting, and an aggregate. */
static json_t* qb__doc(void) {
  json_error_t e;
  json_t* doc = json_loads(
      "{\"context\": {\"date\": \"2026-11-22T15:40:00+00:00\", \"host_name\": \"box\", \"executable\": "
      "\"qbench\","
      " \"num_cpus\": 2, \"caches\": [{\"type\": \"Data\", \"level\": 1, \"size\": 32768, \"num_sharing\": "
      "1}],"
      " \"library_build_type\": \"release\","
      " \"qbench\": {\"version\": \"0.1.0\", \"git_commit\": \"abc\", \"suite\": \"quick\", \"seed\": 7,"
      "  \"cpu_model\": \"AMD EPYC\", \"isa_cap\": \"\", \"os\": \"Linux\", \"compiler\": \"GCC 12\","
      "  \"emulated\": false, \"incomplete\": true,"
      "  \"topology\": {\"source\": \"hwloc\", \"packages\": 1, \"cores\": 2, \"pus\": 2, \"numa_nodes\": 1,"
      "   \"l1d\": 32768, \"l2\": 524288, \"l3\": 33554432, \"l1d_used\": 32768, \"l2_used\": 524288,"
      "   \"l3_used\": 33554432, \"caches_overridden\": false},"
      "  \"roofs\": [{\"name\": \"copy\", \"size_class\": \"DRAM\", \"threads\": 1, \"bytes\": 268435456,"
      "    \"bytes_per_second\": 1.2e10},"
      "   {\"name\": \"peak_f32_fma__avx2\", \"size_class\": \"L1\", \"threads\": 1, \"flops_per_second\": "
      "1e11}]}},"
      " \"benchmarks\": ["
      "  {\"name\": \"f32_f16_cvt/avx2_u16/cpu/n:1048576/threads:1/dist:normal\","
      "   \"run_name\": \"f32_f16_cvt/avx2_u16/cpu/n:1048576/threads:1/dist:normal\", \"run_type\": "
      "\"iteration\","
      "   \"repetitions\": 3, \"repetition_index\": 1, \"threads\": 1, \"iterations\": 1000, \"real_time\": "
      "1234.5,"
      "   \"cpu_time\": 1230.25, \"time_unit\": \"us\", \"bytes_per_second\": 5.1e9, \"items_per_second\": "
      "0.1,"
      "   \"family\": \"f32_f16_cvt\", \"kernel\": \"f32_f16_cvt__avx2_u16\", \"variant\": \"avx2_u16\","
      "   \"backend\": \"cpu\", \"device\": \"cpu\", \"isa\": \"avx2\", \"dtype_in\": \"f32\", "
      "\"dtype_in2\": \"none\","
      "   \"dtype_out\": \"f16\", \"n\": 1048576, \"size_class\": \"L3\", \"distribution\": \"normal\","
      "   \"rounding\": \"none\", \"status\": \"ok\", \"reason\": \"\", \"timing\": \"host\", \"gflops\": 0,"
      "   \"roof_name\": \"copy\", \"roof_fraction\": 0.93,"
      "   \"error\": {\"max_abs\": 0.00048828125, \"max_rel\": 0.000488, \"rmse\": 1e-4, \"nmse\": 3e-8,"
      "    \"sqnr_db\": 73.6, \"max_ulp\": 0.5, \"mean_ulp\": 0.25, \"mismatches\": 0, "
      "\"nan_inf_mismatches\": 2},"
      "   \"memory\": {\"bytes_per_element\": 2, \"footprint_bytes\": 6291456, \"metadata_bytes\": 0,"
      "    \"ratio_to_f32\": 0.5, \"ratio_to_f64\": 0.25}},"
      "  {\"name\": \"s8_dot/avx2_u32/opencl:pocl/n:1/threads:1/dist:normal\", \"run_type\": \"iteration\","
      "   \"error_occurred\": true, \"error_message\": \"said \\\"no\\\", twice\", \"family\": \"s8_dot\","
      "   \"status\": \"error\", \"reason\": \"said \\\"no\\\", twice\", \"n\": 1, \"error\": {\"sqnr_db\": "
      "null}},"
      "  {\"name\": \"f32_dot/scalar_u1/cpu/n:64/threads:1/dist:normal_cv\", \"run_type\": \"aggregate\","
      "   \"aggregate_name\": \"cv\", \"aggregate_unit\": \"percentage\", \"real_time\": 0.05, \"cpu_time\": "
      "0.04,"
      "   \"time_unit\": \"ms\", \"repetitions\": 3, \"repetition_index\": -1, \"threads\": 1}"
      " ]}",
      0, &e);
  if (doc == NULL) print_error("fixture: %s (line %d)\n", e.text, e.line);
  assert_non_null(doc);
  return doc;
}

/* ---- Writer --------------------------------------------------------------------------- */

static void test_check_target(void** state) {
  qb__tmp* t = *state;
  char path[512], msg[1200];
  qb_error err = {0};
  qb__path(t, "x.json", path, sizeof path);
  assert_int_equal(qb_results_check_target(path, false, &err), QB_OK);
  assert_int_equal(qb__hidden_files(t->dir), 0); /* the probe is gone */

  qb__spit(path, "{}");
  assert_int_equal(qb_results_check_target(path, false, &err), QB_EXISTS);
  snprintf(msg, sizeof msg, "%s: exists (use --force to overwrite)", path);
  assert_string_equal(err.msg, msg);
  assert_int_equal(qb_status_exit_code(err.status), 2);
  assert_int_equal(qb_results_check_target(path, true, &err), QB_OK);
  unlink(path);

  /* The CSV sibling counts too. */
  char csv[512];
  qb__path(t, "x.csv", csv, sizeof csv);
  qb__spit(csv, "a\n");
  assert_int_equal(qb_results_check_target(path, false, &err), QB_EXISTS);
  snprintf(msg, sizeof msg, "%s: exists (use --force to overwrite)", csv);
  assert_string_equal(err.msg, msg);
  unlink(csv);

  /* A directory where the file should be, and a missing directory. */
  assert_int_equal(qb_results_check_target(t->dir, true, &err), QB_IO);
  snprintf(msg, sizeof msg, "%s: is a directory (expected a file name)", t->dir);
  assert_string_equal(err.msg, msg);
  qb__path(t, "nodir/x.json", path, sizeof path);
  assert_int_equal(qb_results_check_target(path, false, &err), QB_IO);
  snprintf(msg, sizeof msg, "%s: directory '%s/nodir' is missing: No such file or directory", path, t->dir);
  assert_string_equal(err.msg, msg);
  assert_int_equal(qb_status_exit_code(err.status), 2);
  assert_int_equal(qb_results_check_target("", false, &err), QB_IO);
}

/* A directory no file can be created in: as root, modes do not stop us, so use sysfs. */
static const char* qb__readonly_dir(qb__tmp* t, char* buf, size_t len) {
  if (geteuid() == 0) return "/sys";
  qb__path(t, "ro", buf, len);
  assert_int_equal(mkdir(buf, 0555), 0);
  return buf;
}

static void test_readonly_dir(void** state) {
  qb__tmp* t = *state;
  char ro[512], path[600];
  const char* dir = qb__readonly_dir(t, ro, sizeof ro);
  snprintf(path, sizeof path, "%s/qbench-test.json", dir);
  qb_error err = {0};
  assert_int_equal(qb_results_check_target(path, false, &err), QB_IO);
  assert_non_null(strstr(err.msg, "is not writable"));
  json_t* doc = qb__doc();
  assert_int_equal(qb_results_write(path, doc, true, QB_RESULTS_JSON | QB_RESULTS_CSV, &err), QB_IO);
  assert_int_equal(access(path, F_OK), -1);
  if (dir == ro) assert_int_equal(qb__hidden_files(ro), 0);
  json_decref(doc);
}

static void test_write_json_csv(void** state) {
  qb__tmp* t = *state;
  char path[512], csv[512];
  qb__path(t, "r.json", path, sizeof path);
  qb__path(t, "r.csv", csv, sizeof csv);
  json_t* doc = qb__doc();
  qb_error err = {0};
  assert_int_equal(qb_results_write(path, doc, false, QB_RESULTS_JSON | QB_RESULTS_CSV, &err), QB_OK);
  assert_int_equal(qb__hidden_files(t->dir), 0);

  /* The JSON reads back equal. */
  json_error_t je;
  json_t* back = json_load_file(path, 0, &je);
  assert_non_null(back);
  assert_true(json_equal(doc, back));
  json_decref(back);
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0644);

  /* The CSV: fixed header, flattened figures, RFC 4180 quoting, empty when absent. */
  char* text = qb__slurp(csv);
  assert_non_null(text);
  const char* want =
      "name,run_type,aggregate_name,repetition_index,repetitions,threads,iterations,real_time,cpu_time,time_"
      "unit,"
      "bytes_per_second,items_per_second,family,kernel,variant,backend,device,isa,dtype_in,dtype_in2,dtype_"
      "out,n,"
      "size_class,distribution,rounding,status,reason,timing,gflops,roof_name,roof_fraction,error_max_abs,"
      "error_max_rel,error_rmse,error_nmse,error_sqnr_db,error_max_ulp,error_mean_ulp,error_mismatches,"
      "error_nan_inf_mismatches,memory_bytes_per_element,memory_footprint_bytes,memory_metadata_bytes,"
      "memory_ratio_to_f32,memory_ratio_to_f64,error_occurred,error_message,compute_roof_name,"
      "compute_roof_fraction,time_with_transfers_ns,bytes_per_second_with_transfers,memory_format,pinned,"
      "tensor,tensor_shape,tensor_dtype,axis,stream_min_bytes,error_semantics,error_bound\n"
      "f32_f16_cvt/avx2_u16/cpu/n:1048576/threads:1/"
      "dist:normal,iteration,,1,3,1,1000,1234.5,1230.25,us,5100000000,"
      "0.1,f32_f16_cvt,f32_f16_cvt__avx2_u16,avx2_u16,cpu,cpu,avx2,f32,none,f16,1048576,L3,normal,none,ok,,"
      "host,0,"
      "copy,0.93,0.00048828125,0.000488,0.0001,3e-08,73.6,0.5,0.25,0,2,2,6291456,0,0.5,0.25,,,,,,,,,,,,,,,\n"
      "s8_dot/avx2_u32/opencl:pocl/n:1/threads:1/dist:normal,iteration,,,,,,,,,,,s8_dot,,,,,,,,,1,,,,error,"
      "\"said \"\"no\"\", twice\",,,,,,,,,,,,,,,,,,,true,\"said \"\"no\"\", twice\",,,,,,,,,,,,,\n"
      "f32_dot/scalar_u1/cpu/n:64/threads:1/dist:normal_cv,aggregate,cv,-1,3,1,,0.05,0.04,ms"
      /* 50 empty fields */ ",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n";
  assert_string_equal(text, want);
  free(text);

  size_t ncols;
  const char* const* cols = qb_results_csv_columns(&ncols);
  assert_int_equal(ncols, 60);
  assert_string_equal(cols[0], "name");
  assert_string_equal(cols[ncols - 1], "error_bound");

  /* An exact result's SQNR (+inf: null in JSON, beside a zero NMSE) is "inf" in the CSV;
   * a row without error figures leaves the field empty. */
  json_t* exact = json_pack("{s:[{s:s,s:{s:f,s:n}},{s:s}]}", "benchmarks", "name", "exact", "error", "nmse",
                            0.0, "sqnr_db", "name", "none");
  char only[512];
  qb__path(t, "inf.csv", only, sizeof only);
  assert_int_equal(qb_results_write(only, exact, false, QB_RESULTS_CSV, &err), QB_OK);
  json_decref(exact);
  text = qb__slurp(only);
  assert_non_null(text);
  assert_non_null(strstr(text, "\nexact,"));
  size_t sqnr_col = 0;
  while (strcmp(cols[sqnr_col], "error_sqnr_db") != 0) sqnr_col++;
  const char* line = strstr(text, "\nexact,") + 1;
  for (size_t k = 0; k < sqnr_col; k++) line = strchr(line, ',') + 1;
  assert_true(strncmp(line, "inf,", 4) == 0);
  line = strstr(text, "\nnone,") + 1;
  for (size_t k = 0; k < sqnr_col; k++) line = strchr(line, ',') + 1;
  assert_true(line[0] == ',');
  free(text);

  /* CSV only: written to the name given (`--out x.csv`), never to x.csv.csv, and no
   * JSON anywhere. */
  qb__path(t, "only.csv", path, sizeof path);
  qb__path(t, "only.csv.csv", csv, sizeof csv);
  assert_int_equal(qb_results_write(path, doc, false, QB_RESULTS_CSV, &err), QB_OK);
  assert_int_equal(access(path, F_OK), 0);
  assert_int_equal(access(csv, F_OK), -1);
  FILE* head = fopen(path, "r");
  char first[8] = "";
  assert_non_null(head);
  assert_non_null(fgets(first, sizeof first, head));
  fclose(head);
  assert_string_equal(first, "name,ru");
  /* JSON only: an unrelated CSV of the same stem is no obstacle. */
  qb__path(t, "other.csv", csv, sizeof csv);
  qb__path(t, "other.json", path, sizeof path);
  FILE* unrelated = fopen(csv, "w");
  assert_non_null(unrelated);
  fclose(unrelated);
  assert_int_equal(qb_results_check_targets(path, false, QB_RESULTS_JSON, &err), QB_OK);
  assert_int_equal(qb_results_write(path, doc, false, QB_RESULTS_JSON, &err), QB_OK);
  assert_int_equal(qb_results_check_targets(path, false, QB_RESULTS_JSON | QB_RESULTS_CSV, &err), QB_EXISTS);
  assert_int_equal(qb_results_write(path, doc, false, 0, &err), QB_INTERNAL);
  json_decref(doc);
}

static void test_no_overwrite_without_force(void** state) {
  qb__tmp* t = *state;
  char path[512], msg[1200];
  qb__path(t, "keep.json", path, sizeof path);
  qb__spit(path, "earlier\n");
  json_t* doc = qb__doc();
  qb_error err = {0};
  assert_int_equal(qb_results_write(path, doc, false, QB_RESULTS_JSON, &err), QB_EXISTS);
  snprintf(msg, sizeof msg, "%s: exists (use --force to overwrite)", path);
  assert_string_equal(err.msg, msg);
  char* text = qb__slurp(path);
  assert_string_equal(text, "earlier\n");
  free(text);
  assert_int_equal(qb__hidden_files(t->dir), 0);

  /* With force it is replaced. */
  assert_int_equal(qb_results_write(path, doc, true, QB_RESULTS_JSON, &err), QB_OK);
  text = qb__slurp(path);
  assert_non_null(strstr(text, "\"benchmarks\""));
  free(text);
  json_decref(doc);
}

/* A disk that fills after `budget` bytes. */
typedef struct qb__full {
  size_t budget;
  size_t calls;
} qb__full;

static size_t qb__full_write(const void* buf, size_t len, FILE* f, void* user) {
  qb__full* d = user;
  d->calls++;
  size_t n = len <= d->budget ? len : d->budget;
  d->budget -= n;
  size_t w = fwrite(buf, 1, n, f);
  if (n < len) errno = ENOSPC;
  return w;
}

static void test_injected_write_failure(void** state) {
  qb__tmp* t = *state;
  char path[512], csv[512], msg[1200];
  qb__path(t, "full.json", path, sizeof path);
  qb__path(t, "full.csv", csv, sizeof csv);
  qb__spit(path, "earlier json\n");
  qb__spit(csv, "earlier csv\n");
  json_t* doc = qb__doc();
  char* json_text = json_dumps(doc, JSON_INDENT(2));
  const size_t json_len = strlen(json_text) + 1; /* the newline the writer adds */
  free(json_text);
  /* Fail at the first byte, inside the JSON, at its last byte, and inside the CSV (so
   * the JSON temp file was complete): every time, both earlier files stay. */
  const size_t budgets[] = {0, 1, 100, json_len - 1, json_len + 10, json_len + 900};
  for (size_t i = 0; i < sizeof budgets / sizeof budgets[0]; i++) {
    qb__full full = {budgets[i], 0};
    qb_results_io io = {qb__full_write, &full};
    qb_error err = {0};
    qb_status st = qb_results_write_io(path, doc, true, QB_RESULTS_JSON | QB_RESULTS_CSV, &io, &err);
    if (st != QB_IO) {
      print_error("budget %zu: status %s (%s)\n", budgets[i], qb_status_name(st), err.msg);
      fail();
    }
    snprintf(msg, sizeof msg, "%s: cannot write: No space left on device",
             budgets[i] < json_len ? path : csv);
    assert_string_equal(err.msg, msg);
    char* a = qb__slurp(path);
    char* b = qb__slurp(csv);
    assert_string_equal(a, "earlier json\n");
    assert_string_equal(b, "earlier csv\n");
    free(a);
    free(b);
    assert_int_equal(qb__hidden_files(t->dir), 0);
  }
  /* Enough room: both replaced. */
  qb__full full = {SIZE_MAX, 0};
  qb_results_io io = {qb__full_write, &full};
  qb_error err = {0};
  assert_int_equal(qb_results_write_io(path, doc, true, QB_RESULTS_JSON | QB_RESULTS_CSV, &io, &err), QB_OK);
  assert_true(full.calls > 0);
  char* a = qb__slurp(csv);
  assert_memory_equal(a, "name,run_type,", 14);
  free(a);
  json_decref(doc);
}

static void test_default_path(void** state) {
  qb__tmp* t = *state;
  char a[512], b[512], host[256] = "";
  gethostname(host, sizeof host - 1);
  for (int attempt = 0; attempt < 3; attempt++) {
    qb_results_default_path(a, sizeof a, t->dir, "quick");
    /* <dir>/<host>-YYYYmmdd-HHMMSS-quick.json */
    const size_t dl = strlen(t->dir);
    assert_memory_equal(a, t->dir, dl);
    assert_int_equal(a[dl], '/');
    const char* stamp = a + strlen(a) - strlen("-20261122-154000-quick.json");
    assert_string_equal(stamp + 16, "-quick.json");
    for (int i = 1; i < 16; i++) assert_true(i == 9 ? stamp[i] == '-' : (stamp[i] >= '0' && stamp[i] <= '9'));
    qb__spit(a, "{}");
    qb_results_default_path(b, sizeof b, t->dir, "quick");
    unlink(a);
    if (strncmp(a, b, strlen(a) - 5) != 0) continue; /* the clock ticked between the calls */
    assert_string_equal(b + strlen(a) - 5, "-2.json");
    break;
  }
  /* A suite given as a path cannot add directories to the name. */
  qb_results_default_path(a, sizeof a, t->dir, "../x y");
  assert_non_null(strstr(a, "-.._x_y.json"));
  assert_null(strchr(a + strlen(t->dir) + 1, '/'));

  assert_true(qb_results_csv_path("a/b.json", a, sizeof a));
  assert_string_equal(a, "a/b.csv");
  assert_true(qb_results_csv_path("a/b", a, sizeof a));
  assert_string_equal(a, "a/b.csv");
  assert_false(qb_results_csv_path("a/b.json", a, 5));
}

/* ---- Reader ---------------------------------------------------------------------------- */

static void test_read_qbench(void** state) {
  qb__tmp* t = *state;
  char path[512];
  qb__path(t, "q.json", path, sizeof path);
  json_t* doc = qb__doc();
  qb_error err = {0};
  assert_int_equal(qb_results_write(path, doc, false, QB_RESULTS_JSON, &err), QB_OK);
  json_decref(doc);

  qb_resultset r;
  assert_int_equal(qb_resultset_load(path, &r, &err), QB_OK);
  assert_string_equal(r.path, path);
  assert_true(r.has_qbench);
  assert_string_equal(r.version, "0.1.0");
  assert_string_equal(r.suite, "quick");
  assert_string_equal(r.cpu_model, "AMD EPYC");
  assert_string_equal(r.host_name, "box");
  assert_string_equal(r.date, "2026-11-22T15:40:00+00:00");
  assert_int_equal(r.seed, 7);
  assert_false(r.emulated);
  assert_true(r.incomplete);
  assert_int_equal(r.num_cpus, 2);
  assert_int_equal(r.n_caches, 1);
  assert_int_equal(r.caches[0].size, 32768);
  assert_true(r.topology.present);
  assert_string_equal(r.topology.source, "hwloc");
  assert_int_equal(r.topology.l3_used, 33554432);
  assert_int_equal(r.n_roofs, 2);
  assert_string_equal(r.roofs[0].name, "copy");
  assert_true(r.roofs[0].bytes_per_second == 1.2e10);
  assert_true(isnan(r.roofs[0].flops_per_second));
  assert_true(r.roofs[1].flops_per_second == 1e11);

  assert_int_equal(r.n_rows, 3);
  const qb_result_row* a = &r.rows[0];
  assert_true(a->has_qbench);
  assert_string_equal(a->run_type, "iteration");
  assert_int_equal(a->repetitions, 3);
  assert_int_equal(a->repetition_index, 1);
  assert_int_equal(a->iterations, 1000);
  assert_true(a->real_time_ns == 1234500.0); /* us -> ns */
  assert_true(a->cpu_time_ns == 1230250.0);
  assert_true(a->bytes_per_second == 5.1e9);
  assert_string_equal(a->kernel, "f32_f16_cvt__avx2_u16");
  assert_string_equal(a->dtype_out, "f16");
  assert_int_equal(a->n, 1048576);
  assert_string_equal(a->size_class, "L3");
  assert_string_equal(a->status, "ok");
  assert_true(a->roof_fraction == 0.93);
  assert_true(a->error.present);
  assert_true(a->error.max_abs == 0.00048828125);
  assert_true(a->error.sqnr_db == 73.6);
  assert_int_equal(a->error.nan_inf_mismatches, 2);
  assert_true(a->memory.present);
  assert_int_equal(a->memory.footprint_bytes, 6291456);
  assert_true(a->memory.ratio_to_f64 == 0.25);

  const qb_result_row* b = &r.rows[1];
  assert_true(b->error_occurred);
  assert_string_equal(b->error_message, "said \"no\", twice");
  assert_true(isnan(b->real_time_ns));
  assert_true(b->error.present);
  assert_true(isnan(b->error.sqnr_db)); /* null: no figure */
  assert_false(b->memory.present);
  assert_int_equal(b->memory.footprint_bytes, -1);

  const qb_result_row* c = &r.rows[2];
  assert_false(c->has_qbench);
  assert_string_equal(c->aggregate_name, "cv");
  assert_true(c->real_time_ns == 0.05);      /* a ratio: not converted */
  assert_int_equal(c->repetition_index, -1); /* "not a repetition" */
  assert_int_equal(c->n, -1);

  assert_ptr_equal(qb_resultset_find(&r, "s8_dot/avx2_u32/opencl:pocl/n:1/threads:1/dist:normal", NULL), b);
  assert_null(qb_resultset_find(&r, "f32_dot/scalar_u1/cpu/n:64/threads:1/dist:normal_cv", NULL));
  assert_ptr_equal(qb_resultset_find(&r, "f32_dot/scalar_u1/cpu/n:64/threads:1/dist:normal_cv", "aggregate"),
                   c);
  qb_resultset_free(&r);
  assert_null(r.rows);
  qb_resultset_free(&r); /* twice is harmless */
}

/* What Google Benchmark 1.7's --benchmark_format=json writes, with repetitions. */
static const char qb__gbench_json[] =
    "{\n"
    "  \"context\": {\n"
    "    \"date\": \"2026-11-22T15:00:00+00:00\", \"host_name\": \"ci\", \"executable\": \"./bm\",\n"
    "    \"num_cpus\": 2, \"mhz_per_cpu\": 2450, \"cpu_scaling_enabled\": false,\n"
    "    \"caches\": [\n"
    "      {\"type\": \"Data\", \"level\": 1, \"size\": 32768, \"num_sharing\": 1},\n"
    "      {\"type\": \"Unified\", \"level\": 3, \"size\": 33554432, \"num_sharing\": 2}\n"
    "    ],\n"
    "    \"load_avg\": [0.5, 0.25, 0.1], \"library_build_type\": \"release\"\n"
    "  },\n"
    "  \"benchmarks\": [\n"
    "    {\"name\": \"BM_copy/64/repeats:2\", \"family_index\": 0, \"per_family_instance_index\": 0,\n"
    "     \"run_name\": \"BM_copy/64/repeats:2\", \"run_type\": \"iteration\", \"repetitions\": 2,\n"
    "     \"repetition_index\": 0, \"threads\": 1, \"iterations\": 5000000, \"real_time\": 1.5e+00,\n"
    "     \"cpu_time\": 1.25, \"time_unit\": \"us\", \"bytes_per_second\": 4.2e10},\n"
    "    {\"name\": \"BM_copy/64/repeats:2\", \"family_index\": 0, \"per_family_instance_index\": 0,\n"
    "     \"run_name\": \"BM_copy/64/repeats:2\", \"run_type\": \"iteration\", \"repetitions\": 2,\n"
    "     \"repetition_index\": 1, \"threads\": 1, \"iterations\": 5000000, \"real_time\": 2,\n"
    "     \"cpu_time\": 2, \"time_unit\": \"s\"},\n"
    "    {\"name\": \"BM_copy/64/repeats:2_mean\", \"family_index\": 0, \"per_family_instance_index\": 0,\n"
    "     \"run_name\": \"BM_copy/64/repeats:2\", \"run_type\": \"aggregate\", \"repetitions\": 2,\n"
    "     \"threads\": 1, \"aggregate_name\": \"mean\", \"aggregate_unit\": \"time\", \"iterations\": 2,\n"
    "     \"real_time\": 3, \"cpu_time\": 4, \"time_unit\": \"ms\"},\n"
    "    {\"name\": \"BM_fail\", \"run_type\": \"iteration\", \"error_occurred\": true,\n"
    "     \"error_message\": \"boom\", \"iterations\": 0, \"real_time\": 0, \"cpu_time\": 0, \"time_unit\": "
    "\"ns\"}\n"
    "  ]\n"
    "}\n";

static void test_read_gbench(void** state) {
  (void) state;
  qb_resultset r;
  qb_error err = {0};
  assert_int_equal(qb_resultset_parse(qb__gbench_json, strlen(qb__gbench_json), "gb.json", &r, &err), QB_OK);
  assert_false(r.has_qbench);
  assert_string_equal(r.version, "");
  assert_false(r.topology.present);
  assert_int_equal(r.n_roofs, 0);
  assert_int_equal(r.n_caches, 2);
  assert_int_equal(r.caches[1].level, 3);
  assert_int_equal(r.n_rows, 4);
  for (size_t i = 0; i < r.n_rows; i++) assert_false(r.rows[i].has_qbench);
  assert_true(r.rows[0].real_time_ns == 1500.0);
  assert_true(r.rows[0].cpu_time_ns == 1250.0);
  assert_true(r.rows[0].bytes_per_second == 4.2e10);
  assert_true(isnan(r.rows[0].items_per_second));
  assert_true(r.rows[1].real_time_ns == 2e9);
  assert_true(r.rows[2].cpu_time_ns == 4e6);
  assert_string_equal(r.rows[2].aggregate_name, "mean");
  assert_int_equal(r.rows[2].repetition_index, -1);
  assert_true(r.rows[3].error_occurred);
  assert_string_equal(r.rows[3].error_message, "boom");
  assert_string_equal(r.rows[3].family, "");
  qb_resultset_free(&r);

  /* An empty benchmarks array is a valid (empty) file. */
  assert_int_equal(qb_resultset_parse("{\"benchmarks\": []}", 18, "e.json", &r, &err), QB_OK);
  assert_int_equal(r.n_rows, 0);
  qb_resultset_free(&r);
}

/* Each broken file and its one line (file name "b.json"). */
static const struct {
  const char* text;
  const char* msg;
} qb__broken[] = {
    {"", "b.json: not valid JSON: '[' or '{' expected near end of file (line 1, column 0)"},
    {"benchmarks", "b.json: not valid JSON: '[' or '{' expected near 'benchmarks' (line 1, column 10)"},
    {"{\"benchmarks\": [", "b.json: not valid JSON: ']' expected near end of file (line 1, column 16)"},
    {"{\"benchmarks\": []} x", "b.json: not valid JSON: end of file expected near 'x' (line 1, column 20)"},
    {"{\"benchmarks\": [{\"name\": \"a\", \"real_time\": NaN, \"cpu_time\": 1}]}",
     "b.json: not valid JSON: invalid token near 'NaN' (line 1, column 46)"},
    {"{\"benchmarks\": [{\"name\": \"a\", \"real_time\": 1e400, \"cpu_time\": 1}]}",
     "b.json: not valid JSON: real number overflow near '1e400' (line 1, column 48)"},
    {"{\"benchmarks\": [], \"benchmarks\": []}",
     "b.json: not valid JSON: duplicate object key near '\"benchmarks\"' (line 1, column 31)"},
    {"[1, 2]", "b.json: the top level is an array (expected an object with a 'benchmarks' array)"},
    {"{\"context\": {}}", "b.json: no 'benchmarks' array (expected Google Benchmark or qbench JSON)"},
    {"{\"benchmarks\": {}}", "b.json: 'benchmarks' is an object (expected an array)"},
    {"{\"benchmarks\": [], \"context\": 3}", "b.json: 'context' is a number (expected an object)"},
    {"{\"benchmarks\": [{\"name\": \"a\", \"real_time\": 1, \"cpu_time\": 1}, 7]}",
     "b.json: benchmarks[1] is a number (expected an object)"},
    {"{\"benchmarks\": [{\"real_time\": 1, \"cpu_time\": 1}]}",
     "b.json: benchmarks[0].name is missing (expected a string)"},
    {"{\"benchmarks\": [{\"name\": 5, \"real_time\": 1, \"cpu_time\": 1}]}",
     "b.json: benchmarks[0].name is a number (expected a string)"},
    {"{\"benchmarks\": [{\"name\": \"a\", \"cpu_time\": 1}]}",
     "b.json: benchmarks[0].real_time is missing (expected a number)"},
    {"{\"benchmarks\": [{\"name\": \"a\", \"real_time\": -1.5, \"cpu_time\": 1}]}",
     "b.json: benchmarks[0].real_time is negative (-1.5) (expected a number >= 0)"},
    {"{\"benchmarks\": [{\"name\": \"a\", \"real_time\": 1, \"cpu_time\": \"1\"}]}",
     "b.json: benchmarks[0].cpu_time is a string (expected a number)"},
    {"{\"benchmarks\": [{\"name\": \"a\", \"real_time\": 1, \"cpu_time\": 1, \"time_unit\": \"ks\"}]}",
     "b.json: benchmarks[0].time_unit 'ks' is unknown (expected ns, us, ms or s)"},
    {"{\"benchmarks\": [{\"name\": \"a\", \"real_time\": 1e300, \"cpu_time\": 1, \"time_unit\": \"s\"}]}",
     "b.json: benchmarks[0]: time too large in ns (expected a time below 1e308 ns)"},
    {"{\"benchmarks\": [{\"name\": \"a\", \"real_time\": 1, \"cpu_time\": 1, \"repetitions\": -2}]}",
     "b.json: benchmarks[0].repetitions is negative (-2) (expected an integer >= 0)"},
    {"{\"benchmarks\": [{\"name\": \"a\", \"real_time\": 1, \"cpu_time\": 1, \"repetition_index\": -2}]}",
     "b.json: benchmarks[0].repetition_index is negative (-2) (expected an integer >= -1)"},
    {"{\"benchmarks\": [{\"name\": \"a\", \"real_time\": 1, \"cpu_time\": 1, \"iterations\": 1.5}]}",
     "b.json: benchmarks[0].iterations is 1.5 (expected an integer)"},
    {"{\"benchmarks\": [{\"name\": \"a\", \"real_time\": 1, \"cpu_time\": 1, \"iterations\": 1e19}]}",
     "b.json: benchmarks[0].iterations is 1e+19 (expected an integer)"},
    {"{\"benchmarks\": [{\"name\": \"a\", \"real_time\": 1, \"cpu_time\": 1, \"threads\": [1]}]}",
     "b.json: benchmarks[0].threads is an array (expected an integer)"},
    {"{\"benchmarks\": [{\"name\": \"a\", \"real_time\": 1, \"cpu_time\": 1, \"error_occurred\": \"yes\"}]}",
     "b.json: benchmarks[0].error_occurred is a string (expected true or false)"},
    {"{\"benchmarks\": [{\"name\": \"a\", \"real_time\": 1, \"cpu_time\": 1, \"bytes_per_second\": -1}]}",
     "b.json: benchmarks[0].bytes_per_second is negative (-1) (expected a number >= 0)"},
    {"{\"benchmarks\": [{\"name\": \"a\", \"real_time\": 1, \"cpu_time\": 1, \"family\": 3}]}",
     "b.json: benchmarks[0].family is a number (expected a string)"},
    {"{\"benchmarks\": [{\"name\": \"a\", \"real_time\": 1, \"cpu_time\": 1, \"family\": \"f\", \"status\": "
     "\"meh\"}]}",
     "b.json: benchmarks[0].status 'meh' is unknown (expected ok, skipped or error)"},
    {"{\"benchmarks\": [{\"name\": \"a\", \"real_time\": 1, \"cpu_time\": 1, \"family\": \"f\", \"n\": -1}]}",
     "b.json: benchmarks[0].n is negative (-1) (expected an integer >= 0)"},
    {"{\"benchmarks\": [{\"name\": \"a\", \"real_time\": 1, \"cpu_time\": 1, \"family\": \"f\", \"error\": "
     "[]}]}",
     "b.json: benchmarks[0].error is an array (expected an object)"},
    {"{\"benchmarks\": [{\"name\": \"a\", \"real_time\": 1, \"cpu_time\": 1}, {\"name\": \"b\", "
     "\"real_time\": 1, "
     "\"cpu_time\": 1, \"family\": \"f\", \"error\": {\"max_abs\": \"0\"}}]}",
     "b.json: benchmarks[1].error.max_abs is a string (expected a number)"},
    {"{\"benchmarks\": [{\"name\": \"a\", \"real_time\": 1, \"cpu_time\": 1, \"family\": \"f\", \"error\": "
     "{\"mismatches\": -3}}]}",
     "b.json: benchmarks[0].error.mismatches is negative (-3) (expected an integer >= 0)"},
    {"{\"benchmarks\": [{\"name\": \"a\", \"real_time\": 1, \"cpu_time\": 1, \"family\": \"f\", \"memory\": "
     "{\"ratio_to_f32\": false}}]}",
     "b.json: benchmarks[0].memory.ratio_to_f32 is a boolean (expected a number)"},
    {"{\"benchmarks\": [], \"context\": {\"caches\": {}}}",
     "b.json: context.caches is an object (expected an array)"},
    {"{\"benchmarks\": [], \"context\": {\"caches\": [{\"size\": -1}]}}",
     "b.json: context.caches[0].size is negative (-1) (expected an integer >= 0)"},
    {"{\"benchmarks\": [], \"context\": {\"caches\": [null]}}",
     "b.json: context.caches[0] is null (expected an object)"},
    {"{\"benchmarks\": [], \"context\": {\"qbench\": []}}",
     "b.json: context.qbench is an array (expected an object)"},
    {"{\"benchmarks\": [], \"context\": {\"qbench\": {\"incomplete\": 1}}}",
     "b.json: context.qbench.incomplete is a number (expected true or false)"},
    {"{\"benchmarks\": [], \"context\": {\"qbench\": {\"roofs\": [{\"bytes_per_second\": 1}]}}}",
     "b.json: context.qbench.roofs[0].name is missing (expected a string)"},
    {"{\"benchmarks\": [], \"context\": {\"qbench\": {\"roofs\": [{\"name\": \"copy\", \"bytes_per_second\": "
     "-5}]}}}",
     "b.json: context.qbench.roofs[0].bytes_per_second is negative (-5) (expected a number >= 0)"},
    {"{\"benchmarks\": [], \"context\": {\"qbench\": {\"topology\": {\"l3\": \"32M\"}}}}",
     "b.json: context.qbench.topology.l3 is a string (expected an integer)"},
};

static void test_read_broken(void** state) {
  (void) state;
  int failures = 0;
  for (size_t i = 0; i < sizeof qb__broken / sizeof qb__broken[0]; i++) {
    qb_resultset r;
    qb_error err = {0};
    qb_status st = qb_resultset_parse(qb__broken[i].text, strlen(qb__broken[i].text), "b.json", &r, &err);
    if (st != QB_BAD_INPUT || strcmp(err.msg, qb__broken[i].msg) != 0) {
      print_error("broken file %zu: %s\n  got status %s: %s\n  want: %s\n", i, qb__broken[i].text,
                  qb_status_name(st), err.msg, qb__broken[i].msg);
      failures++;
    }
    /* A failed parse leaves an empty set, safe to free again. */
    assert_null(r.doc);
    assert_int_equal(r.n_rows, 0);
    qb_resultset_free(&r);
  }
  assert_int_equal(failures, 0);
}

static void test_read_hostile(void** state) {
  qb__tmp* t = *state;
  qb_resultset r;
  qb_error err = {0};
  /* An embedded NUL: the length, not the NUL, bounds the text. */
  const char nul[] = "{\"benchmarks\": []}\0{";
  assert_int_equal(qb_resultset_parse(nul, sizeof nul - 1, "n.json", &r, &err), QB_BAD_INPUT);
  /* Deep nesting: refused by the parser's depth limit, not by a crash. */
  const size_t depth = 100000;
  char* deep = malloc(2 * depth + 1);
  memset(deep, '[', depth);
  memset(deep + depth, ']', depth);
  deep[2 * depth] = '\0';
  assert_int_equal(qb_resultset_parse(deep, 2 * depth, "d.json", &r, &err), QB_BAD_INPUT);
  assert_non_null(strstr(err.msg, "d.json: not valid JSON: maximum parsing depth reached"));
  free(deep);
  /* Files: missing, and read back through load. */
  char path[512], msg[1200];
  qb__path(t, "missing.json", path, sizeof path);
  assert_int_equal(qb_resultset_load(path, &r, &err), QB_IO);
  snprintf(msg, sizeof msg, "%s: cannot open: No such file or directory", path);
  assert_string_equal(err.msg, msg);
  qb__path(t, "gb.json", path, sizeof path);
  qb__spit(path, qb__gbench_json);
  assert_int_equal(qb_resultset_load(path, &r, &err), QB_OK);
  assert_int_equal(r.n_rows, 4);
  qb_resultset_free(&r);
  qb__spit(path, "{\"benchmarks\": 1}");
  assert_int_equal(qb_resultset_load(path, &r, &err), QB_BAD_INPUT);
  snprintf(msg, sizeof msg, "%s: 'benchmarks' is a number (expected an array)", path);
  assert_string_equal(err.msg, msg);
  /* Not regular files: refused at once, before a byte is read (a FIFO without a writer
   * would block a plain open forever, /dev/zero never end). */
  assert_int_equal(qb_resultset_load(t->dir, &r, &err), QB_BAD_INPUT);
  snprintf(msg, sizeof msg, "%s: not a regular file (a directory)", t->dir);
  assert_string_equal(err.msg, msg);
  qb__path(t, "fifo.json", path, sizeof path);
  assert_int_equal(mkfifo(path, 0600), 0);
  assert_int_equal(qb_resultset_load(path, &r, &err), QB_BAD_INPUT);
  snprintf(msg, sizeof msg, "%s: not a regular file (a FIFO)", path);
  assert_string_equal(err.msg, msg);
  unlink(path);
  assert_int_equal(qb_resultset_load("/dev/zero", &r, &err), QB_BAD_INPUT);
  assert_string_equal(err.msg, "/dev/zero: not a regular file (a character device)");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_check_target, qb__setup, qb__teardown),
      cmocka_unit_test_setup_teardown(test_readonly_dir, qb__setup, qb__teardown),
      cmocka_unit_test_setup_teardown(test_write_json_csv, qb__setup, qb__teardown),
      cmocka_unit_test_setup_teardown(test_no_overwrite_without_force, qb__setup, qb__teardown),
      cmocka_unit_test_setup_teardown(test_injected_write_failure, qb__setup, qb__teardown),
      cmocka_unit_test_setup_teardown(test_default_path, qb__setup, qb__teardown),
      cmocka_unit_test_setup_teardown(test_read_qbench, qb__setup, qb__teardown),
      cmocka_unit_test(test_read_gbench),
      cmocka_unit_test(test_read_broken),
      cmocka_unit_test_setup_teardown(test_read_hostile, qb__setup, qb__teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
