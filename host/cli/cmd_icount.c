/*
 * qbench icount: instructions per element of every CPU kernel valgrind can run, each
 * counted over one call at a fixed n under callgrind (report/icount.h). The regression
 * gate's deterministic signal: ci/regression runs it with the base's and the head's
 * qbench and `qbench compare --paired --icount-base A --icount-head B` judges them.
 *
 * qbench runs itself under valgrind (`--inner DIR`, not for users): the inner process
 * prepares each kernel's data with callgrind's collection off, calls the kernel once
 * to warm it (lazy binding, first-touch), then once more with collection on, and dumps
 * that call's count named after the kernel (a client request). The outer process reads
 * the dumps and writes the table or the counts file.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef QB_HAVE_CALLGRIND
#define QB_HAVE_CALLGRIND 0
#endif
#if QB_HAVE_CALLGRIND
#include <valgrind/callgrind.h>
#endif

#include "cli/cli.h"
#include "io/file.h"
#include "numerics/casedata.h"
#include "platform/registry.h"
#include "qb/build_config.h"
#include "report/icount.h"

/* The temporary folder's name (TMPDIR/qb-icount.XXXXXX) must fit here; the paths of
 * the files in it are at most a few dozen bytes longer. */
#define QB__DIR_MAX 512
/* One dump holds the functions of one call: kilobytes. */
#define QB__DUMP_MAX_BYTES (64u << 20)

#define QB__FORMATS (QB_CLI_FMT_BIT(QB_CLI_TABLE) | QB_CLI_FMT_BIT(QB_CLI_JSON) | QB_CLI_FMT_BIT(QB_CLI_CSV))

typedef struct qb__icount_opts {
  uint64_t n;
  const char* filter;
  const char* inner; /* the inner process's folder */
  qb_cli_out out;
} qb__icount_opts;

static void qb__help(void) {
  printf(
      "usage: qbench [--isa ISA] icount [--n N] [--filter REGEX] [--format table|json|csv]\n"
      "                                 [--json] [--out FILE|- [--force]]\n"
      "\n"
      "Instructions executed per element by every CPU kernel valgrind can run: each kernel\n"
      "is called once at n elements under valgrind's callgrind (after a warm-up call) and\n"
      "the instructions of that call, callees included, are counted. The count of a\n"
      "binary on its input is deterministic: the regression gate (ci/regression) compares\n"
      "the base's counts with the head's (qbench compare --paired --icount-base\n"
      "--icount-head), so a kernel that does more work fails even where timing noise\n"
      "hides it. Needs valgrind on PATH. Kernels above the ISA cap (default %s: valgrind\n"
      "3.19 runs no AVX-512) are listed as not counted; OpenCL kernels are never counted.\n"
      "--format json writes the counts file (results/README.md), with the kernels not\n"
      "counted and why; table and csv the counted kernels.\n"
      "\n"
      "  --n N           elements per call (default %d = 37 * 113: every SIMD loop has a\n"
      "                  tail; rounded up to the family's multiple)\n"
      "  --filter REGEX  only kernels whose name matches (POSIX ERE)\n",
      QB_ICOUNT_DEFAULT_CAP, QB_ICOUNT_DEFAULT_N);
  qb_cli_out_help(stdout, QB__FORMATS);
}

static int qb__parse(int argc, char** argv, qb__icount_opts* o) {
  static const struct option opts[] = {
      {"n", required_argument, NULL, 'n'},     {"filter", required_argument, NULL, 'F'},
      {"inner", required_argument, NULL, 'I'}, QB_CLI_OUT_OPTIONS,
      {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0}};
  int c;
  while ((c = qb_cli_out_getopt(&o->out, argc, argv, "h", opts)) != -1) {
    switch (c) {
      case 'h':
        qb__help();
        return 0;
      case 'n':
        if (!qb_parse_u64(optarg, 1, UINT64_C(1) << 24, &o->n))
          return qb_cli_usage_error("icount", "--n '%s': expected a count from 1 to %llu", optarg,
                                    (unsigned long long) (UINT64_C(1) << 24));
        break;
      case 'F':
        o->filter = optarg;
        break;
      case 'I':
        o->inner = optarg;
        break;
      default: /* QB_CLI_OPT_USAGE: the error is printed */
        return 2;
    }
  }
  if (qb_cli_out_no_operands(&o->out, argc, argv) != 0) return 2;
  return -1;
}

/* The call's n: the target rounded up to the family's multiple, within its maximum. */
static uint64_t qb__call_n(const qb_family_info* f, uint64_t target) {
  uint64_t m = f->n_multiple ? f->n_multiple : 1;
  uint64_t n = (target + m - 1) / m * m;
  if (f->max_n && n > f->max_n) n = f->max_n / m * m;
  return n;
}

/* Whether k is one of the kernels this command considers at all (CPU kernels of this
 * architecture, cases rather than roofs, matching the filter). */
static bool qb__considered(const qb_kernel_info* k, const regex_t* re) {
  if (!qb_isa_native(k->isa)) return false;
  if (qb_family_get(k->family)->op == QB_OP_peak) return false;
  return re == NULL || regexec(re, k->name, 0, NULL, 0) == 0;
}

/* ---- the inner process: under callgrind ---- */

#if QB_HAVE_CALLGRIND
static int qb__inner(qb_ctx* ctx, const qb__icount_opts* o, const regex_t* re) {
  if (!RUNNING_ON_VALGRIND) {
    fprintf(stderr,
            "qbench icount: --inner runs only under valgrind's callgrind (qbench icount starts it)\n");
    return 2;
  }
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/plan.txt", o->inner);
  FILE* plan = fopen(path, "w");
  if (plan == NULL) {
    fprintf(stderr, "qbench icount: %s: %s\n", path, strerror(errno));
    return 1;
  }
  int rc = 0;
  for (size_t i = 0; i < qb_kernel_count(); i++) {
    const qb_kernel_info* k = qb_kernel_at(i);
    if (!qb__considered(k, re)) continue;
    const qb_family_info* f = qb_family_get(k->family);
    const char* reason = NULL;
    char buf[160];
    if (!qb_kernel_usable(k, &ctx->cpu, &reason, buf, sizeof buf)) {
      fprintf(plan, "skip\t%s\tunder valgrind: %s\n", k->name, reason != NULL ? reason : "not usable here");
      continue;
    }
    uint64_t n = qb__call_n(f, o->n);
    qb_case_data d;
    qb_error err = {0};
    if (qb_case_data_init(&d, f, (size_t) n, QB_DIST_normal, 1, QB_ROUND_PYTORCH, &err) != QB_OK) {
      fprintf(plan, "skip\t%s\tits data: %s\n", k->name, err.msg);
      continue;
    }
    /* 1. Warm: lazy binding of any library call, first touch of the output.
     * 2. Counted: the same call again, collection on only around it.
     * 3. The dump is named after the kernel; dumping zeroes the counters. */
    for (int pass = 0; pass < 2; pass++) {
      if (pass) CALLGRIND_TOGGLE_COLLECT;
      qb_case_data_run(&d, k, d.y);
      if (pass) CALLGRIND_TOGGLE_COLLECT;
    }
    CALLGRIND_DUMP_STATS_AT(k->name);
    fprintf(plan, "count\t%s\t%s\t%llu\n", k->name, qb_isa_name(k->isa), (unsigned long long) n);
    qb_case_data_free(&d);
  }
  if (fclose(plan) != 0) rc = 1;
  return rc;
}
#endif

/* ---- the outer process ---- */

/* The last line of file `path` that contains `key`, into buf; false when none. */
static bool qb__last_line(const char* path, const char* key, char* buf, size_t len) {
  FILE* f = fopen(path, "r");
  if (f == NULL) return false;
  char line[256];
  bool found = false;
  while (fgets(line, sizeof line, f) != NULL) {
    line[strcspn(line, "\n")] = '\0';
    if (line[0] == '\0' || strstr(line, key) == NULL) continue;
    qb_text_copy(buf, len, line);
    found = true;
  }
  fclose(f);
  return found;
}

/* Runs this binary's inner process under callgrind; its files land in dir. */
static qb_status qb__run_valgrind(const qb_ctx* ctx, const qb__icount_opts* o, const char* dir,
                                  const char* cap, qb_error* err) {
  char self[PATH_MAX], outfile[PATH_MAX], logfile[PATH_MAX], errfile[PATH_MAX], nbuf[32];
  ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
  if (len <= 0) return qb_fail(err, QB_IO, "cannot find this program (/proc/self/exe): %s", strerror(errno));
  self[len] = '\0';
  snprintf(outfile, sizeof outfile, "--callgrind-out-file=%s/cg.out", dir);
  snprintf(logfile, sizeof logfile, "--log-file=%s/valgrind.log", dir);
  snprintf(errfile, sizeof errfile, "%s/inner.err", dir);
  snprintf(nbuf, sizeof nbuf, "%llu", (unsigned long long) o->n);
  const char* argv[20];
  int a = 0;
  argv[a++] = "valgrind";
  argv[a++] = "--tool=callgrind";
  argv[a++] = "--collect-atstart=no";
  argv[a++] = outfile;
  argv[a++] = logfile;
  argv[a++] = self;
  argv[a++] = "--isa";
  argv[a++] = cap;
  argv[a++] = "icount";
  argv[a++] = "--inner";
  argv[a++] = dir;
  argv[a++] = "--n";
  argv[a++] = nbuf;
  if (o->filter != NULL) {
    argv[a++] = "--filter";
    argv[a++] = o->filter;
  }
  argv[a] = NULL;
  (void) ctx;
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) return qb_fail(err, QB_IO, "fork: %s", strerror(errno));
  if (pid == 0) {
    /* The inner process's output is not this command's: stdout is data, and its stderr
     * (hwloc's complaint about valgrind) goes to a file, shown when it fails. */
    if (freopen("/dev/null", "w", stdout) == NULL || freopen(errfile, "w", stderr) == NULL) _exit(126);
    execvp("valgrind", (char* const*) argv);
    _exit(127);
  }
  int status;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return qb_fail(err, QB_IO, "waitpid: %s", strerror(errno));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
    return qb_fail(err, QB_UNSUPPORTED, "valgrind not found on PATH (Debian: apt-get install valgrind)");
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    /* Why, in one line: valgrind's own (an instruction it cannot decode, a signal), else
     * the inner qbench's last message. */
    char why[200] = "";
    if (!qb__last_line(logfile + strlen("--log-file="), "unhandled instruction", why, sizeof why))
      if (!qb__last_line(logfile + strlen("--log-file="), "Process terminating", why, sizeof why))
        qb__last_line(errfile, "", why, sizeof why);
    return qb_fail(err, QB_IO, "the kernels under callgrind %s %d%s%s",
                   WIFEXITED(status) ? "exited with" : "died of signal",
                   WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), why[0] ? ": " : "", why);
  }
  return QB_OK;
}

/* The counts of every dump in dir, then the set in the plan's order. */
static qb_status qb__collect(const char* dir, const char* cap, qb_icount_set* s, qb_error* err) {
  char path[PATH_MAX], name[256], tool[64] = "callgrind";
  size_t cap_dumps = 0, n_dumps = 0;
  struct dump {
    char* name;
    uint64_t ir;
  }* dumps = NULL;
  qb_status st = QB_OK;
  for (unsigned part = 1;; part++) {
    snprintf(path, sizeof path, "%s/cg.out.%u", dir, part);
    if (access(path, F_OK) != 0) break;
    char* text;
    size_t len;
    uint64_t ir;
    if ((st = qb_file_read_all(path, QB__DUMP_MAX_BYTES, "a callgrind dump", &text, &len, err)) != QB_OK)
      goto done;
    bool ok = qb_icount_parse_dump(text, name, sizeof name, &ir, part == 1 ? tool : NULL, sizeof tool);
    free(text);
    if (!ok) {
      st = qb_fail(err, QB_IO, "%s: not a callgrind dump of a client request", path);
      goto done;
    }
    if (n_dumps == cap_dumps) {
      cap_dumps = cap_dumps ? 2 * cap_dumps : 64;
      void* p = realloc(dumps, cap_dumps * sizeof *dumps);
      if (p == NULL) {
        st = qb_fail(err, QB_NO_MEMORY, "out of memory reading the dumps");
        goto done;
      }
      dumps = p;
    }
    dumps[n_dumps].name = strdup(name);
    dumps[n_dumps].ir = ir;
    if (dumps[n_dumps++].name == NULL) {
      st = qb_fail(err, QB_NO_MEMORY, "out of memory reading the dumps");
      goto done;
    }
  }
  if ((st = qb_icount_init(s, tool, cap, QB_VERSION, err)) != QB_OK) goto done;
  snprintf(path, sizeof path, "%s/plan.txt", dir);
  FILE* plan = fopen(path, "r");
  if (plan == NULL) {
    st = qb_fail(err, QB_IO, "%s: %s (the inner process wrote no plan)", path, strerror(errno));
    goto done;
  }
  char line[512];
  while (st == QB_OK && fgets(line, sizeof line, plan) != NULL) {
    line[strcspn(line, "\n")] = '\0';
    char* f[4] = {line, NULL, NULL, NULL};
    for (int i = 1; i < 4 && f[i - 1] != NULL; i++) {
      f[i] = strchr(f[i - 1], '\t');
      if (f[i] != NULL) *f[i]++ = '\0';
    }
    if (strcmp(f[0], "skip") == 0 && f[2] != NULL) {
      st = qb_icount_add_skipped(s, f[1], f[2], err);
    } else if (strcmp(f[0], "count") == 0 && f[3] != NULL) {
      size_t i = 0;
      while (i < n_dumps && strcmp(dumps[i].name, f[1]) != 0) i++;
      if (i == n_dumps) {
        st = qb_fail(err, QB_IO, "%s: counted, but callgrind dumped no count for it", f[1]);
      } else {
        st = qb_icount_add(s, f[1], f[2], strtoull(f[3], NULL, 10), dumps[i].ir, err);
      }
    } else {
      st = qb_fail(err, QB_IO, "%s: unexpected line '%s'", path, line);
    }
  }
  fclose(plan);
done:
  for (size_t i = 0; i < n_dumps; i++) free(dumps[i].name);
  free(dumps);
  if (st != QB_OK) qb_icount_free(s);
  return st;
}

/* Removes the inner process's files and the folder. */
static void qb__remove_dir(const char* dir) {
  char path[PATH_MAX];
  const char* fixed[] = {"plan.txt", "valgrind.log", "inner.err", "cg.out"};
  for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, fixed[i]);
    unlink(path);
  }
  for (unsigned part = 1;; part++) {
    snprintf(path, sizeof path, "%s/cg.out.%u", dir, part);
    if (unlink(path) != 0) break;
  }
  rmdir(dir);
}

static void qb__print_table(const qb_icount_set* s, qb_cli_format fmt, FILE* f) {
  static const char* const cols[] = {"kernel", "isa", "n", "instructions", "per_element"};
  static const bool right[] = {false, false, true, true, true};
  qb_cli_table* t = qb_cli_table_new(5, cols, right);
  if (t == NULL) return;
  for (size_t i = 0; i < s->count; i++) {
    const qb_icount_entry* e = &s->e[i];
    char n[24], ir[24], pe[32];
    snprintf(n, sizeof n, "%llu", (unsigned long long) e->n);
    snprintf(ir, sizeof ir, "%llu", (unsigned long long) e->instructions);
    snprintf(pe, sizeof pe, "%.4f", (double) e->instructions / (double) e->n);
    const char* row[] = {e->kernel, e->isa, n, ir, pe};
    qb_cli_table_add(t, row);
  }
  qb_cli_table_print(t, fmt, f);
  qb_cli_table_free(t);
}

/* Counts under valgrind into *s (the outer process's work). */
static qb_status qb__count(qb_ctx* ctx, const qb__icount_opts* o, const char* cap, qb_icount_set* s,
                           qb_error* err) {
  char dir[QB__DIR_MAX];
  const char* tmpdir = getenv("TMPDIR");
  if (tmpdir == NULL || tmpdir[0] == '\0') tmpdir = "/tmp";
  int dl = snprintf(dir, sizeof dir, "%s/qb-icount.XXXXXX", tmpdir);
  if (dl < 0 || (size_t) dl >= sizeof dir)
    return qb_fail(err, QB_IO, "TMPDIR is longer than %d bytes", QB__DIR_MAX - 20);
  if (mkdtemp(dir) == NULL) {
    return qb_fail(err, QB_IO, "cannot make a temporary folder in %s: %s", tmpdir, strerror(errno));
  }
  qb_status st = qb__run_valgrind(ctx, o, dir, cap, err);
  if (st == QB_OK) st = qb__collect(dir, cap, s, err);
  qb__remove_dir(dir);
  return st;
}

int qb_cmd_icount(qb_ctx* ctx, int argc, char** argv) {
  qb__icount_opts o = {.n = QB_ICOUNT_DEFAULT_N};
  qb_cli_out_init(&o.out, "icount", QB__FORMATS);
  int rc = qb__parse(argc, argv, &o);
  if (rc >= 0) return rc;
  regex_t re;
  bool have_re = false;
  if (o.filter != NULL) {
    if (regcomp(&re, o.filter, REG_EXTENDED | REG_NOSUB) != 0)
      return qb_cli_usage_error("icount", "--filter '%s': not a valid regular expression", o.filter);
    have_re = true;
    size_t any = 0;
    for (size_t i = 0; i < qb_kernel_count(); i++) any += qb__considered(qb_kernel_at(i), &re);
    if (any == 0) {
      regfree(&re);
      return qb_cli_usage_error("icount", "--filter '%s' selects no CPU kernel", o.filter);
    }
  }
#if QB_HAVE_CALLGRIND
  if (o.inner != NULL) {
    rc = qb__inner(ctx, &o, have_re ? &re : NULL);
    if (have_re) regfree(&re);
    return rc;
  }
#endif
  if (o.inner != NULL || !QB_HAVE_CALLGRIND) {
    if (have_re) regfree(&re);
    return qb_cli_usage_error("icount",
                              "this qbench was built without valgrind's headers (valgrind/callgrind.h): "
                              "install valgrind and rebuild");
  }
  if (qb_cli_out_begin(&o.out) != 0) {
    if (have_re) regfree(&re);
    return 2;
  }
  const char* cap = ctx->cpu.cap_name[0] ? ctx->cpu.cap_name : QB_ICOUNT_DEFAULT_CAP;
  qb_error err = {0};
  qb_icount_set s = {0};
  qb_status st = qb__count(ctx, &o, cap, &s, &err);
  if (have_re) regfree(&re);
  if (st == QB_OK) {
    if (o.out.format == QB_CLI_JSON) {
      st = qb_icount_write(o.out.f, &s, &err);
    } else {
      qb__print_table(&s, o.out.format, o.out.f);
    }
  }
  if (st == QB_OK) {
    fprintf(stderr, "qbench icount: %zu kernels counted under %s (ISA cap %s), %zu not counted%s\n", s.count,
            s.tool, cap, s.n_skipped, s.n_skipped ? " (--format json names them, with the reason)" : "");
  }
  qb_icount_free(&s);
  if (st != QB_OK) qb_error_print(&err);
  /* No valgrind is a missing tool, refused before any work: 2, as bad usage. */
  return qb_cli_out_end(&o.out, st == QB_OK ? 0 : st == QB_UNSUPPORTED ? 2 : 1);
}
