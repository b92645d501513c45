/* Fuzz target: suite files (host/run/suite.h qb_suite_parse). */
#include "fuzz_check.h"
#include "run/suite.h"

#define QB__NAME "fuzz.suite"

static void qb__check_suite(const qb_suite* s) {
  QB_FUZZ_CHECK(s->n_sizes >= 1 && s->n_sizes <= QB_SUITE_MAX_SIZES, "n_sizes %zu", s->n_sizes);
  QB_FUZZ_CHECK(s->n_threads >= 1 && s->n_threads <= QB_SUITE_MAX_THREADS, "n_threads %zu", s->n_threads);
  QB_FUZZ_CHECK(s->n_families <= QB_SUITE_MAX_PATTERNS && s->n_kernels <= QB_SUITE_MAX_PATTERNS,
                "patterns %zu/%zu", s->n_families, s->n_kernels);
  QB_FUZZ_CHECK(s->repetitions >= 1 && s->repetitions <= QB_SUITE_MAX_REPETITIONS, "repetitions %u",
                s->repetitions);
  QB_FUZZ_CHECK(s->min_time > 0 && s->min_time <= QB_SUITE_MAX_MIN_TIME, "min_time %g", s->min_time);
  QB_FUZZ_CHECK(s->distributions != 0 && s->backends != 0 && s->rounding != 0, "an empty list");
  for (size_t i = 0; i < s->n_sizes; i++) {
    const qb_size_spec* z = &s->sizes[i];
    QB_FUZZ_CHECK(z->kind >= QB_SIZE_ELEMENTS && z->kind <= QB_SIZE_DRAM, "size kind %d", (int) z->kind);
    if (z->kind == QB_SIZE_ELEMENTS) {
      QB_FUZZ_CHECK(z->elements >= 1 && z->elements <= QB_SUITE_MAX_ELEMENTS, "size %llu",
                    (unsigned long long) z->elements);
    }
    char buf[32];
    qb_suite_size_string(z, buf, sizeof buf);
  }
  for (size_t i = 0; i < s->n_families; i++) {
    QB_FUZZ_CHECK(memchr(s->families[i], '\0', QB_SUITE_MAX_PATTERN_LEN) != NULL, "unterminated pattern");
  }
  QB_FUZZ_CHECK(memchr(s->description, '\0', sizeof s->description) != NULL, "unterminated description");
  /* Selection must work on whatever parsed. */
  size_t selected = 0;
  for (int f = 0; f < QB_FAMILY_COUNT; f++) {
    const qb_family_info* fi = qb_family_get((qb_family) f);
    if (fi != NULL && qb_suite_matches_family(s, fi)) selected++;
  }
  QB_FUZZ_CHECK(selected > 0, "a suite that parsed selects no family");
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  char* text = qb_fuzz_cstr(data, size);
  qb_suite s;
  qb_error err = {0};
  qb_status st = qb_suite_parse(text, QB__NAME, &s, &err);
  if (st == QB_OK) {
    qb__check_suite(&s);
    qb_suite_free(&s);
  } else {
    qb_fuzz_check_error(st, &err, QB__NAME);
  }
  free(text);
  return 0;
}
