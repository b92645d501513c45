/* Suites: every parse error with its exact message, loading, selection, sizes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/suite.h"
#include "qb/build_config.h"
#include "test_util.h"

#define QB_TEST_SUITES_DIR QB_SOURCE_DIR "/tests/data/suites"

/* Each bad suite and the one line it must produce (file name "t.suite"). */
static const struct {
  const char* text;
  const char* msg;
} qb__bad[] = {
    {"sizes L2\n", "t.suite:1: 'sizes L2' has no '=' (expected KEY = VALUE)"},
    {" = 4\n", "t.suite:1: no key before '=' (expected KEY = VALUE)"},
    {"# c\n\nsizez = L2\n",
     "t.suite:3: unknown key 'sizez' (expected one of: description, families, kernels, dtypes, sizes, "
     "distributions, backends, threads, rounding, repetitions, min_time, seed)"},
    {"families = f32_f17_cvt\n",
     "t.suite:1: unknown family 'f32_f17_cvt' (expected a family name or a glob matching one; see 'qbench "
     "list')"},
    {"families = f32_f16_cvt, 'x'\n",
     "t.suite:1: families pattern ''x'' has the character ''' (expected letters, digits, '_', '-' and the "
     "glob "
     "characters * ? [ ] !)"},
    {"families = "
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "\n",
     "t.suite:1: families pattern 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is too long (expected at "
     "most 95 "
     "characters)"},
    {"kernels = *avx2*\n",
     "t.suite:1: kernel pattern '*avx2*' has no '__' (expected FAMILY__VARIANT, e.g. f32_f16_cvt__avx2_*)"},
    {"kernels = f32_f17_cvt__avx2_u16\n",
     "t.suite:1: kernel pattern 'f32_f17_cvt__avx2_u16': unknown family 'f32_f17_cvt' (expected a family "
     "name or "
     "a glob matching one; see 'qbench list')"},
    {"dtypes = f32 f12\n", "t.suite:1: unknown dtype 'f12' (expected a dtype token; see 'qbench dtypes')"},
    {"dtypes = none\n", "t.suite:1: unknown dtype 'none' (expected a dtype token; see 'qbench dtypes')"},
    {"sizes = 0\n",
     "t.suite:1: size '0' is zero (expected an element count from 1 to 2^40 with an optional K/M/G suffix, "
     "or "
     "L1, L2, L3, DRAM)"},
    {"sizes = -4096\n",
     "t.suite:1: size '-4096' is negative (expected an element count from 1 to 2^40 with an optional K/M/G "
     "suffix, or L1, L2, L3, DRAM)"},
    {"sizes = 1.5M\n",
     "t.suite:1: size '1.5M' is not a number (expected an element count from 1 to 2^40 with an optional "
     "K/M/G "
     "suffix, or L1, L2, L3, DRAM)"},
    {"sizes = L4\n",
     "t.suite:1: size 'L4' is not a number (expected an element count from 1 to 2^40 with an optional K/M/G "
     "suffix, or L1, L2, L3, DRAM)"},
    {"sizes = 1025G\n",
     "t.suite:1: size '1025G' is too large (expected an element count from 1 to 2^40 with an optional K/M/G "
     "suffix, or L1, L2, L3, DRAM)"},
    {"sizes = 1099511627777\n",
     "t.suite:1: size '1099511627777' is too large (expected an element count from 1 to 2^40 with an "
     "optional "
     "K/M/G suffix, or L1, L2, L3, DRAM)"},
    {"sizes = 99999999999999999999999\n",
     "t.suite:1: size '99999999999999999999999' is too large (expected an element count from 1 to 2^40 with "
     "an "
     "optional K/M/G suffix, or L1, L2, L3, DRAM)"},
    {"sizes = L2 4096 l2\n", "t.suite:1: size 'l2' given twice (expected each size once)"},
    {"sizes = 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n",
     "t.suite:1: too many sizes (expected at most 16)"},
    {"sizes =\n", "t.suite:1: no value for 'sizes' (expected one or more values)"},
    {"sizes = , ,\n", "t.suite:1: no value for 'sizes' (expected one or more values)"},
    {"distributions = normal gaussian\n",
     "t.suite:1: unknown distribution 'gaussian' (expected uniform, normal, laplace, outliers or constant)"},
    {"backends = cpu cuda\n", "t.suite:1: unknown backend 'cuda' (expected cpu or opencl)"},
    {"rounding = banker\n", "t.suite:1: unknown rounding 'banker' (expected pytorch or tflite)"},
    {"threads = 0\n", "t.suite:1: threads '0' is zero (expected 'all', '1..all' or a count from 1 to 4096)"},
    {"threads = 5000\n",
     "t.suite:1: threads '5000' is too large (expected 'all', '1..all' or a count from 1 to 4096)"},
    {"threads = some\n",
     "t.suite:1: threads 'some' is not a number (expected 'all', '1..all' or a count from 1 to 4096)"},
    {"threads = 1 all 1\n", "t.suite:1: threads '1' given twice (expected each count once)"},
    {"repetitions = 0\n", "t.suite:1: repetitions '0' is zero (expected a count from 1 to 1000)"},
    {"repetitions = 1001\n", "t.suite:1: repetitions '1001' is too large (expected a count from 1 to 1000)"},
    {"repetitions = -3\n", "t.suite:1: repetitions '-3' is negative (expected a count from 1 to 1000)"},
    {"repetitions = 3 4\n", "t.suite:1: 'repetitions' has more than one value (expected one value)"},
    {"repetitions =\n", "t.suite:1: no value for 'repetitions' (expected one value)"},
    {"repetitions = 3\nrepetitions = 4\n", "t.suite:2: 'repetitions' given twice (expected it once)"},
    {"min_time = -0.5\n",
     "t.suite:1: min_time '-0.5' is not a valid time (expected seconds, a finite number > 0 and <= 3600)"},
    {"min_time = nan\n",
     "t.suite:1: min_time 'nan' is not a valid time (expected seconds, a finite number > 0 and <= 3600)"},
    {"min_time = inf\n",
     "t.suite:1: min_time 'inf' is not a valid time (expected seconds, a finite number > 0 and <= 3600)"},
    {"min_time = 0\n",
     "t.suite:1: min_time '0' is not a valid time (expected seconds, a finite number > 0 and <= 3600)"},
    {"min_time = 0.1s\n",
     "t.suite:1: min_time '0.1s' is not a valid time (expected seconds, a finite number > 0 and <= 3600)"},
    {"seed = -1\n", "t.suite:1: seed '-1' is not a number (expected a decimal integer from 0 to 2^64-1)"},
    {"seed = 18446744073709551616\n",
     "t.suite:1: seed '18446744073709551616' is not a number (expected a decimal integer from 0 to 2^64-1)"},
    {"seed = 0x10\n", "t.suite:1: seed '0x10' is not a number (expected a decimal integer from 0 to 2^64-1)"},
    {"description = a\ndescription = b\n", "t.suite:2: 'description' given twice (expected it once)"},
    {"families = f32_dot\ndtypes = f8e4m3\n",
     "t.suite: selects no family (expected families, kernels and dtypes that some family passes together)"},
};

static void test_bad_suites(void** state) {
  (void) state;
  for (size_t i = 0; i < sizeof qb__bad / sizeof qb__bad[0]; i++) {
    qb_suite s;
    qb_error err = {0};
    qb_status st = qb_suite_parse(qb__bad[i].text, "t.suite", &s, &err);
    if (st != QB_BAD_INPUT || strcmp(err.msg, qb__bad[i].msg) != 0) {
      print_error("bad suite %zu: %s\n  got status %s: %s\n  want: %s\n", i, qb__bad[i].text,
                  qb_status_name(st), err.msg, qb__bad[i].msg);
      fail();
    }
  }
}

static void test_too_long_line(void** state) {
  (void) state;
  char text[5000];
  memset(text, ' ', sizeof text);
  memcpy(text, "seed = 1\n", 9);
  text[sizeof text - 1] = '\0';
  qb_suite s;
  qb_error err = {0};
  assert_int_equal(qb_suite_parse(text, "t.suite", &s, &err), QB_BAD_INPUT);
  assert_string_equal(err.msg, "t.suite:2: line is 4990 characters long (expected at most 4096)");
}

static void test_defaults(void** state) {
  (void) state;
  qb_suite s;
  qb_error err = {0};
  assert_int_equal(qb_suite_parse("# nothing but a comment\n\n   \n", "dir/empty.suite", &s, &err), QB_OK);
  assert_string_equal(s.name, "empty");
  assert_int_equal(s.n_families, 0);
  assert_int_equal(s.n_sizes, 1);
  assert_int_equal(s.sizes[0].kind, QB_SIZE_L2);
  assert_int_equal(s.distributions, 1u << QB_DIST_normal);
  assert_int_equal(s.backends, 1u << QB_BACKEND_cpu);
  assert_int_equal(s.n_threads, 1);
  assert_int_equal(s.threads[0], 1);
  assert_int_equal(s.rounding, QB_SUITE_ROUND_BIT(QB_ROUND_PYTORCH));
  assert_int_equal(s.repetitions, 3);
  assert_true(s.min_time == 0.1);
  assert_int_equal(s.seed, 1);
  qb_suite_free(&s);
}

static void test_full_parse(void** state) {
  (void) state;
  const char* text =
      "description =  all the knobs  # comment\n"
      "families = f32_*_cvt, *_dot\n"
      "families = qb8_f32_dequant\n"
      "kernels = *__scalar_* f32_f16_cvt__avx2_u16\n"
      "dtypes = f16, s8\n"
      "sizes = 4096, 64K, 1M, 2G, L1, l2, L3, DRAM\n"
      "distributions = uniform laplace constant laplace\n"
      "backends = opencl\n"
      "threads = all 1 4 1..all\n"
      "rounding = tflite pytorch\n"
      "repetitions = 1000\n"
      "min_time = 2.5e-2\n"
      "seed = 18446744073709551615\r\n";
  qb_suite s;
  qb_error err = {0};
  assert_int_equal(qb_suite_parse(text, "knobs.suite", &s, &err), QB_OK);
  assert_string_equal(s.name, "knobs");
  assert_string_equal(s.description, "all the knobs");
  assert_int_equal(s.n_families, 3);
  assert_string_equal(s.families[2], "qb8_f32_dequant");
  assert_int_equal(s.n_kernels, 2);
  assert_int_equal(s.dtypes, (1u << QB_DTYPE_f16) | (1u << QB_DTYPE_s8));
  assert_int_equal(s.n_sizes, 8);
  const uint64_t want[] = {4096, 65536, 1048576, UINT64_C(2) << 30};
  for (int i = 0; i < 4; i++) {
    assert_int_equal(s.sizes[i].kind, QB_SIZE_ELEMENTS);
    assert_int_equal(s.sizes[i].elements, want[i]);
  }
  assert_int_equal(s.sizes[4].kind, QB_SIZE_L1);
  assert_int_equal(s.sizes[5].kind, QB_SIZE_L2);
  assert_int_equal(s.sizes[7].kind, QB_SIZE_DRAM);
  assert_int_equal(s.distributions,
                   (1u << QB_DIST_uniform) | (1u << QB_DIST_laplace) | (1u << QB_DIST_constant));
  assert_int_equal(s.backends, 1u << QB_BACKEND_opencl);
  assert_int_equal(s.n_threads, 4);
  assert_int_equal(s.threads[0], QB_SUITE_THREADS_ALL);
  assert_int_equal(s.threads[2], 4);
  assert_int_equal(s.threads[3], QB_SUITE_THREADS_SCALING);
  assert_int_equal(s.rounding, QB_SUITE_ROUND_BIT(QB_ROUND_PYTORCH) | QB_SUITE_ROUND_BIT(QB_ROUND_TFLITE));
  assert_int_equal(s.repetitions, 1000);
  assert_true(s.min_time == 0.025);
  assert_true(s.seed == UINT64_MAX);
}

static void test_size_strings(void** state) {
  (void) state;
  static const struct {
    qb_size_spec spec;
    const char* text;
  } cases[] = {{{QB_SIZE_ELEMENTS, 4096}, "4K"},
               {{QB_SIZE_ELEMENTS, 4097}, "4097"},
               {{QB_SIZE_ELEMENTS, 1u << 20}, "1M"},
               {{QB_SIZE_ELEMENTS, UINT64_C(3) << 30}, "3G"},
               {{QB_SIZE_L1, 0}, "L1"},
               {{QB_SIZE_DRAM, 0}, "DRAM"}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char buf[32];
    qb_suite_size_string(&cases[i].spec, buf, sizeof buf);
    assert_string_equal(buf, cases[i].text);
  }
  assert_string_equal(qb_backend_name(QB_BACKEND_opencl), "opencl");
  assert_null(qb_backend_name(QB_BACKEND_COUNT));
  assert_string_equal(qb_suite_round_name(QB_ROUND_TFLITE), "tflite");
}

/* The shipped suites parse, and keep the promises their README makes. */
static void test_shipped_suites(void** state) {
  (void) state;
  unsetenv("QBENCH_SUITES_DIR");
  static const char* names[] = {"quick", "full", "error", "ci"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    qb_suite s;
    qb_error err = {0};
    if (qb_suite_load(names[i], &s, &err) != QB_OK) {
      print_error("%s: %s\n", names[i], err.msg);
      fail();
    }
    assert_string_equal(s.name, names[i]);
    assert_non_null(strstr(s.path, "/suites/"));
    assert_int_equal(s.n_families, 1); /* "*": every family */
    assert_int_equal(s.backends, (1u << QB_BACKEND_cpu) | (1u << QB_BACKEND_opencl));
    for (int f = 0; f < QB_FAMILY_COUNT; f++)
      assert_true(qb_suite_matches_family(&s, qb_family_get((qb_family) f)));
    if (strcmp(names[i], "ci") == 0) assert_true(s.repetitions >= 9);
    if (strcmp(names[i], "full") == 0) {
      assert_int_equal(s.n_sizes, 4);
      assert_int_equal(s.distributions, (1u << QB_DIST_COUNT) - 1);
      /* 1 to every core: threads = all rows and a scaling curve for every family. */
      assert_int_equal(s.n_threads, 1);
      assert_int_equal(s.threads[0], QB_SUITE_THREADS_SCALING);
    }
    if (strcmp(names[i], "error") == 0) {
      assert_int_equal(s.n_sizes, 1);
      assert_int_equal(s.distributions, (1u << QB_DIST_COUNT) - 1);
    }
  }
}

static void test_load_paths(void** state) {
  (void) state;
  qb_suite s;
  qb_error err = {0};

  /* A bare name through $QBENCH_SUITES_DIR. */
  setenv("QBENCH_SUITES_DIR", QB_TEST_SUITES_DIR, 1);
  assert_int_equal(qb_suite_load("good", &s, &err), QB_OK);
  assert_string_equal(s.name, "good");
  assert_string_equal(s.path, QB_TEST_SUITES_DIR "/good.suite");
  assert_string_equal(s.description, "fixture: two families, two sizes");
  assert_int_equal(s.n_families, 2);
  assert_int_equal(s.n_sizes, 2);
  assert_int_equal(s.sizes[0].elements, 1024);
  assert_int_equal(s.repetitions, 4);

  /* The environment comes first, the source tree last: quick is still found. */
  assert_int_equal(qb_suite_load("quick", &s, &err), QB_OK);

  /* Not found anywhere: every place is named, the environment's first, then the
   * installed share/qbench/suites beside the executable, the source tree last. */
  assert_int_equal(qb_suite_load("nosuch", &s, &err), QB_IO);
  assert_non_null(
      strstr(err.msg, "suite 'nosuch' not found (expected nosuch.suite in one of: " QB_TEST_SUITES_DIR ", "));
  assert_non_null(strstr(err.msg, "/../share/qbench/suites, "));
  assert_true(strstr(err.msg, "/../share/qbench/suites") < strstr(err.msg, ", " QB_SOURCE_DIR "/suites)"));
  unsetenv("QBENCH_SUITES_DIR");

  /* Paths: errors carry the path and the line. */
  assert_int_equal(qb_suite_load(QB_TEST_SUITES_DIR "/bad-line5.suite", &s, &err), QB_BAD_INPUT);
  assert_string_equal(err.msg, QB_TEST_SUITES_DIR
                      "/bad-line5.suite:5: size 'L4' is not a number (expected an "
                      "element count from 1 to 2^40 with an optional K/M/G suffix, or L1, L2, L3, DRAM)");
  assert_int_equal(qb_suite_load(QB_TEST_SUITES_DIR "/bad-crlf.suite", &s, &err), QB_BAD_INPUT);
  assert_string_equal(err.msg, QB_TEST_SUITES_DIR
                      "/bad-crlf.suite:3: repetitions '0' is zero (expected a count from 1 to 1000)");
  assert_int_equal(qb_suite_load(QB_TEST_SUITES_DIR "/bad-nul.suite", &s, &err), QB_BAD_INPUT);
  assert_string_equal(err.msg, QB_TEST_SUITES_DIR "/bad-nul.suite: holds a NUL byte (expected a text file)");
  assert_int_equal(qb_suite_load(QB_TEST_SUITES_DIR "/missing.suite", &s, &err), QB_IO);
  assert_string_equal(err.msg, QB_TEST_SUITES_DIR "/missing.suite: cannot open: No such file or directory");
  assert_int_equal(qb_suite_load("", &s, &err), QB_BAD_INPUT);
}

static bool qb__fam(const qb_suite* s, const char* name) {
  qb_family f = qb_family_find(name);
  assert_int_not_equal(f, QB_FAMILY_COUNT);
  return qb_suite_matches_family(s, qb_family_get(f));
}

static void test_matching(void** state) {
  (void) state;
  qb_suite s;
  qb_error err = {0};

  assert_int_equal(qb_suite_parse("families = f32_*_cvt\n", "t.suite", &s, &err), QB_OK);
  assert_true(qb__fam(&s, "f32_f16_cvt"));
  assert_true(qb__fam(&s, "f32_f8e4m3_cvt"));
  assert_false(qb__fam(&s, "f32_f8e4m3_cvtsat")); /* the glob is anchored at the end */
  assert_false(qb__fam(&s, "f16_f32_cvt"));
  assert_true(qb_suite_matches_kernel(&s, "f32_f16_cvt__avx2_u16"));
  assert_false(qb_suite_matches_kernel(&s, "f16_f32_cvt__scalar_u1"));
  assert_false(qb_suite_matches_kernel(&s, "f32_f16_cvt"));       /* no variant */
  assert_false(qb_suite_matches_kernel(&s, "f32_f99_cvt__x_u1")); /* no such family */

  /* dtypes: any of a family's three dtypes. */
  assert_int_equal(qb_suite_parse("dtypes = bf16\n", "t.suite", &s, &err), QB_OK);
  assert_true(qb__fam(&s, "f32_bf16_cvt"));
  assert_true(qb__fam(&s, "bf16_dot"));
  assert_false(qb__fam(&s, "f16_dot"));
  assert_int_equal(qb_suite_parse("dtypes = s32\n", "t.suite", &s, &err), QB_OK);
  assert_true(qb__fam(&s, "s8_dot")); /* by its output */
  assert_false(qb__fam(&s, "f32_dot"));

  /* kernels: the family part selects families, the whole glob selects variants. */
  assert_int_equal(qb_suite_parse("kernels = *_dot__scalar_*, f32_f16_cvt__avx2_*\n", "t.suite", &s, &err),
                   QB_OK);
  assert_true(qb__fam(&s, "s8_dot"));
  assert_true(qb__fam(&s, "f32_f16_cvt"));
  assert_false(qb__fam(&s, "f16_f32_cvt"));
  assert_true(qb_suite_matches_kernel(&s, "s8_dot__scalar_u1"));
  assert_false(qb_suite_matches_kernel(&s, "s8_dot__avx2_u32"));
  assert_true(qb_suite_matches_kernel(&s, "f32_f16_cvt__avx2_u16"));
  assert_false(qb_suite_matches_kernel(&s, "f32_f16_cvt__scalar_u1"));

  /* All three together. */
  assert_int_equal(
      qb_suite_parse("families = *_dot\ndtypes = f16 bf16\nkernels = *__scalar_*\n", "t.suite", &s, &err),
      QB_OK);
  assert_true(qb__fam(&s, "f16_dot"));
  assert_false(qb__fam(&s, "f32_dot"));
  assert_false(qb__fam(&s, "f32_f16_cvt"));
  assert_true(qb_suite_matches_kernel(&s, "bf16_dot__scalar_u1"));
  assert_false(qb_suite_matches_kernel(&s, "bf16_dot__avx2_u16"));
}

/* The machine of these VMs: L1d 32 KiB, L2 512 KiB, L3 32 MiB. */
static qb_topo qb__topo(void) {
  qb_topo t;
  memset(&t, 0, sizeof t);
  t.l1d = t.l1d_used = 32 * 1024;
  t.l2 = t.l2_used = 512 * 1024;
  t.l3 = t.l3_used = 32 * 1024 * 1024;
  return t;
}

static qb_status qb__resolve(const char* fam, qb_size_kind kind, uint64_t elements, const qb_topo* t,
                             uint64_t* n, qb_error* err) {
  qb_size_spec spec = {kind, elements};
  qb_family f = qb_family_find(fam);
  assert_int_not_equal(f, QB_FAMILY_COUNT);
  *n = 0;
  return qb_suite_resolve_size(&spec, t, qb_family_get(f), n, err);
}

static void test_resolve_size(void** state) {
  (void) state;
  const qb_topo t = qb__topo();
  qb_error err = {0};
  uint64_t n;
  static const struct {
    const char* fam;
    qb_size_kind kind;
    uint64_t elements, want;
  } cases[] = {
      /* f32 -> f16: 6 bytes per element. */
      {"f32_f16_cvt", QB_SIZE_L1, 0, 2730},       /* 16384 / 6, down */
      {"f32_f16_cvt", QB_SIZE_L2, 0, 43690},      /* 262144 / 6 */
      {"f32_f16_cvt", QB_SIZE_L3, 0, 2796202},    /* 16 MiB / 6 */
      {"f32_f16_cvt", QB_SIZE_DRAM, 0, 22369622}, /* 128 MiB / 6, up */
      {"f32_f16_cvt", QB_SIZE_ELEMENTS, 1000, 1000},
      /* f64 -> f32: 12 bytes. */
      {"f64_f32_cvt", QB_SIZE_DRAM, 0, 11184811},
      /* block int8 dot: 2 x 9 bits, multiples of 32. */
      {"qb8_dot", QB_SIZE_L2, 0, 116480},     /* 116508 down to 32 */
      {"qb8_dot", QB_SIZE_DRAM, 0, 59652352}, /* 59652324 up to 32 */
      {"qb8_dot", QB_SIZE_ELEMENTS, 1, 32},
      {"qb8_dot", QB_SIZE_ELEMENTS, 33, 64},
      {"f32_qb8_quant", QB_SIZE_ELEMENTS, 4096, 4096},
      /* s8 dot: max_n 131071. L1 fits below it; L2 shrinks to max_n (256 KiB > L1d). */
      {"s8_dot", QB_SIZE_L1, 0, 8192},
      {"s8_dot", QB_SIZE_L2, 0, 131071},
      {"u8s8_dot", QB_SIZE_L2, 0, 65793},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    qb_status st = qb__resolve(cases[i].fam, cases[i].kind, cases[i].elements, &t, &n, &err);
    if (st != QB_OK || n != cases[i].want) {
      print_error("case %zu (%s): status %s n=%llu, want %llu (%s)\n", i, cases[i].fam, qb_status_name(st),
                  (unsigned long long) n, (unsigned long long) cases[i].want, err.msg);
      fail();
    }
  }

  /* The classes hold their promise in bytes, for every family. */
  for (int fi = 0; fi < QB_FAMILY_COUNT; fi++) {
    const qb_family_info* f = qb_family_get((qb_family) fi);
    qb_size_spec l1 = {QB_SIZE_L1, 0}, dram = {QB_SIZE_DRAM, 0};
    assert_int_equal(qb_suite_resolve_size(&l1, &t, f, &n, &err), QB_OK);
    /* Half of L1, or one multiple when not even that fits (a 128 x 128 tile family). */
    assert_true(qb_family_bytes(f, n) <= t.l1d_used / 2.0 || n == f->n_multiple);
    assert_int_equal(n % f->n_multiple, 0);
    if (f->in_bits + f->in2_bits + f->out_bits == 0) continue; /* moves no memory: below */
    if (qb_suite_resolve_size(&dram, &t, f, &n, &err) == QB_OK) {
      assert_true(qb_family_bytes(f, n) >= 4.0 * (double) t.l3_used);
      assert_int_equal(n % f->n_multiple, 0);
    } else {
      assert_int_equal(err.status, QB_SKIPPED);
      assert_true(f->max_n != UINT64_MAX);
    }
  }

  /* A compute peak moves no memory: it is sized by its buffers' storage (2 x f32). */
  if (qb_family_find("f32_peak") != QB_FAMILY_COUNT) {
    assert_int_equal(qb__resolve("f32_peak", QB_SIZE_L1, 0, &t, &n, &err), QB_OK);
    assert_int_equal(n, 16384 / 8 / 192 * 192);
  }

  /* Beyond max_n without a class to shrink into: skipped, with the reason. */
  assert_int_equal(qb__resolve("s8_dot", QB_SIZE_L3, 0, &t, &n, &err), QB_SKIPPED);
  assert_string_equal(err.msg,
                      "L3 needs n=8388608 but s8_dot allows at most n=131071 (its accumulator would "
                      "overflow)");
  assert_int_equal(qb__resolve("s8_dot", QB_SIZE_DRAM, 0, &t, &n, &err), QB_SKIPPED);
  assert_int_equal(qb__resolve("u8s8_dot", QB_SIZE_ELEMENTS, 65794, &t, &n, &err), QB_SKIPPED);
  assert_string_equal(err.msg,
                      "65794 needs n=65794 but u8s8_dot allows at most n=65793 (its accumulator would "
                      "overflow)");
  assert_int_equal(qb__resolve("u8s8_dot", QB_SIZE_ELEMENTS, 65793, &t, &n, &err), QB_OK);

  /* Invalid specs and unknown caches. */
  assert_int_equal(qb__resolve("f32_dot", QB_SIZE_ELEMENTS, 0, &t, &n, &err), QB_BAD_INPUT);
  assert_string_equal(err.msg, "size 0 is out of range (expected 1 to 2^40 elements)");
  assert_int_equal(qb__resolve("f32_dot", QB_SIZE_ELEMENTS, (UINT64_C(1) << 40) + 1, &t, &n, &err),
                   QB_BAD_INPUT);
  qb_topo none;
  memset(&none, 0, sizeof none);
  assert_int_equal(qb__resolve("f32_dot", QB_SIZE_L2, 0, &none, &n, &err), QB_BAD_INPUT);
  assert_string_equal(err.msg,
                      "size L2 for f32_dot: the cache size is unknown (expected it detected or given "
                      "with --caches)");

  /* No L3: the last level is L2, and DRAM is 4x it. */
  qb_topo no_l3 = t;
  no_l3.l3 = no_l3.l3_used = 0;
  assert_int_equal(qb__resolve("f32_dot", QB_SIZE_DRAM, 0, &no_l3, &n, &err), QB_OK);
  assert_int_equal(n, 262144); /* 2 MiB / 8 bytes */
}

static void test_size_class(void** state) {
  (void) state;
  const qb_topo t = qb__topo();
  const qb_family_info* f = qb_family_get(QB_FAMILY_f32_dot); /* 8 bytes per element */
  qb_size_spec e = {QB_SIZE_ELEMENTS, 0}, l3 = {QB_SIZE_L3, 0};
  assert_string_equal(qb_suite_size_class(&e, &t, f, 4096), "L1"); /* 32 KiB: fits */
  assert_string_equal(qb_suite_size_class(&e, &t, f, 4097), "L2");
  assert_string_equal(qb_suite_size_class(&e, &t, f, 65536), "L2"); /* 512 KiB */
  assert_string_equal(qb_suite_size_class(&e, &t, f, 65537), "L3");
  assert_string_equal(qb_suite_size_class(&e, &t, f, 4194305), "DRAM");
  assert_string_equal(qb_suite_size_class(&l3, &t, f, 1), "L3"); /* a class names itself */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_bad_suites),   cmocka_unit_test(test_too_long_line),
      cmocka_unit_test(test_defaults),     cmocka_unit_test(test_full_parse),
      cmocka_unit_test(test_size_strings), cmocka_unit_test(test_shipped_suites),
      cmocka_unit_test(test_load_paths),   cmocka_unit_test(test_matching),
      cmocka_unit_test(test_resolve_size), cmocka_unit_test(test_size_class),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
