/*
 * What every fuzz target checks besides "no crash, no sanitizer report": a parser
 * either succeeds with a consistent result, or fails with a bad-input status and one
 * line that names the input. A broken promise aborts, which libFuzzer (and the replay
 * driver, tests/fuzz/replay_main.c) reports as a crash with the input saved.
 */
#ifndef QB_FUZZ_CHECK_H
#define QB_FUZZ_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"

/* libFuzzer's entry point, also called by the replay driver. */
int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

#define QB_FUZZ_CHECK(cond, ...)                                                     \
  do {                                                                               \
    if (!(cond)) {                                                                   \
      fprintf(stderr, "fuzz check failed: %s (%s:%d): ", #cond, __FILE__, __LINE__); \
      fprintf(stderr, __VA_ARGS__);                                                  \
      fputc('\n', stderr);                                                           \
      abort();                                                                       \
    }                                                                                \
  } while (0)

/* A failed parse: QB_BAD_INPUT (never out of memory: nothing a parser keeps may be
 * larger than its input, so a hostile size must be refused before it is allocated),
 * and a message of one line that names the input, when `name` is given. */
static inline void qb_fuzz_check_error(qb_status s, const qb_error* err, const char* name) {
  QB_FUZZ_CHECK(s == QB_BAD_INPUT, "status %s: %s", qb_status_name(s), err->msg);
  QB_FUZZ_CHECK(err->status == s, "err->status %s, returned %s", qb_status_name(err->status),
                qb_status_name(s));
  QB_FUZZ_CHECK(err->msg[0] != '\0', "empty message for status %s", qb_status_name(s));
  QB_FUZZ_CHECK(strchr(err->msg, '\n') == NULL, "message of more than one line: %s", err->msg);
  if (name != NULL)
    QB_FUZZ_CHECK(strstr(err->msg, name) != NULL, "message does not name %s: %s", name, err->msg);
}

/* The input as a NUL-terminated string (the caller frees it). */
static inline char* qb_fuzz_cstr(const uint8_t* data, size_t size) {
  char* s = malloc(size + 1);
  if (s == NULL) abort();
  if (size > 0) memcpy(s, data, size);
  s[size] = '\0';
  return s;
}

#endif
