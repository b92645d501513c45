#include "test_kernels.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/stream.h"

static qb_cpu qb__cpu;
static void (*qb__check)(const qb_kernel_info* k);

const qb_cpu* qb_test_cpu(void) {
  return &qb__cpu;
}

/* One kernel's cmocka case: its state is the kernel. A kernel this CPU cannot run is
 * a skipped case (cmocka's skip()), so a run of every case still says which. Every kernel
 * is checked twice: with the threshold of kernels/common/stream.h at "never" (the
 * default) and at 0, so that every call takes the out-of-cache path: the streamed stores
 * of a write-heavy kernel, the prefetching loop of a dot, face the same checks, tails
 * and unaligned buffers included; a kernel without such a path runs the same code twice
 * (x86 only). */
static void qb__kernel_case(void** state) {
  const qb_kernel_info* k = (const qb_kernel_info*) *state;
  char buf[160];
  const char* reason = NULL;
  if (!qb_kernel_usable(k, &qb__cpu, &reason, buf, sizeof buf)) {
    print_message("[ SKIPPED  ] %s: %s\n", k->name, reason ? reason : "not usable");
    skip();
  }
  qb_kernels_set_stream_min_bytes(QB_STREAM_NEVER);
  qb__check(k);
#if defined(__x86_64__) || defined(__i386__)
  /* Only x86 kernels have such paths (kernels/README.md, "Stores"): elsewhere the
   * second pass would run the same code again, under qemu at that. */
  qb_kernels_set_stream_min_bytes(0);
  qb__check(k);
  qb_kernels_set_stream_min_bytes(QB_STREAM_NEVER);
#endif
}

static struct CMUnitTest qb__case_of(const qb_kernel_info* k) {
  struct CMUnitTest c = {k->name, qb__kernel_case, NULL, NULL, (void*) k};
  return c;
}

/* Registry entries this binary checks: built ones only (a variant of another
 * architecture, or one the compiler could not build, gets no case at all). */
static bool qb__mine(const qb_test_kernels* t, const qb_kernel_info* k) {
  return k->fn != NULL && t->checks(k);
}

static int qb__usage(const char* argv0, const char* what) {
  fprintf(stderr, "%s: %s (usage: %s [--common | --kernel NAME | --list])\n", argv0, what, argv0);
  return 2;
}

/* cmocka returns the number of failed cases; a process exits 0 or 1. */
static int qb__run(const char* group, const struct CMUnitTest* cases, size_t n) {
  return _cmocka_run_group_tests(group, cases, n, NULL, NULL) == 0 ? 0 : 1;
}

static int qb__run_one(const char* argv0, const qb_test_kernels* t, const char* name) {
  const qb_kernel_info* k = qb_kernel_find(name);
  if (k == NULL) {
    fprintf(stderr, "%s: --kernel '%s': no such kernel in the registry (see qbench list)\n", argv0, name);
    return 2;
  }
  if (!qb__mine(t, k)) {
    fprintf(stderr, "%s: --kernel '%s': %s\n", argv0, name,
            k->fn == NULL ? "not built in this build" : "not one this test checks (see --list)");
    return 2;
  }
  char buf[160];
  const char* reason = NULL;
  if (!qb_kernel_usable(k, &qb__cpu, &reason, buf, sizeof buf)) {
    printf("%s: skipped: %s\n", k->name, reason ? reason : "not usable here");
    return QB_TEST_SKIP;
  }
  const struct CMUnitTest one[] = {qb__case_of(k)};
  return qb__run(k->name, one, 1);
}

static int qb__run_all(const qb_test_kernels* t, bool kernels) {
  const size_t nk = qb_kernel_count();
  struct CMUnitTest* cases = malloc((t->ncommon + nk + 1) * sizeof *cases);
  if (cases == NULL) return 1;
  size_t n = 0;
  for (size_t i = 0; i < t->ncommon; i++) cases[n++] = t->common[i];
  for (size_t i = 0; kernels && i < nk; i++) {
    if (qb__mine(t, qb_kernel_at(i))) cases[n++] = qb__case_of(qb_kernel_at(i));
  }
  const int rc = n == 0 ? QB_TEST_SKIP : qb__run("tests", cases, n);
  free(cases);
  return rc;
}

int qb_test_kernels_main(int argc, char** argv, const qb_test_kernels* t) {
  qb_error err = {0};
  qb_cpu_detect(&qb__cpu);
  if (qb_cpu_cap_from_env(&qb__cpu, &err) != QB_OK) {
    qb_error_print(&err);
    return 2;
  }
  qb__check = t->check;
  if (argc <= 1) return qb__run_all(t, true);
  if (strcmp(argv[1], "--list") == 0 && argc == 2) {
    if (t->ncommon > 0) printf("common\n");
    for (size_t i = 0; i < qb_kernel_count(); i++) {
      if (qb__mine(t, qb_kernel_at(i))) printf("%s\n", qb_kernel_at(i)->name);
    }
    return fflush(stdout) == 0 ? 0 : 1;
  }
  if (strcmp(argv[1], "--common") == 0 && argc == 2) {
    if (t->ncommon == 0) return qb__usage(argv[0], "--common: this test has no shared cases");
    return qb__run_all(t, false);
  }
  if (strcmp(argv[1], "--kernel") == 0 && argc == 3) return qb__run_one(argv[0], t, argv[2]);
  return qb__usage(argv[0], "unknown option");
}
