/*
 * Runs a fuzz target over files, without libFuzzer: the seed corpus and every crash
 * ever found (tests/fuzz/corpus/<target>/) replayed in every build, sanitizers or not,
 * so a fixed parser bug stays fixed. usage: fuzz_<target>_replay FILE|DIR...
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_check.h"

/* Corpus files are small; anything larger is not one of ours. */
#define QB__MAX_INPUT (16u << 20)

static int qb__run_file(const char* path) {
  FILE* f = fopen(path, "rb");
  if (f == NULL) {
    fprintf(stderr, "%s: cannot open: %s\n", path, strerror(errno));
    return 1;
  }
  uint8_t* buf = malloc(QB__MAX_INPUT);
  size_t n = buf ? fread(buf, 1, QB__MAX_INPUT, f) : 0;
  const int bad = buf == NULL || ferror(f) || !feof(f);
  fclose(f);
  if (bad) {
    fprintf(stderr, "%s: cannot read it whole (at most %u bytes)\n", path, QB__MAX_INPUT);
    free(buf);
    return 1;
  }
  /* An exact-size copy, so ASan sees a read one byte past the input. */
  uint8_t* exact = malloc(n ? n : 1);
  if (exact == NULL) abort();
  memcpy(exact, buf, n);
  free(buf);
  LLVMFuzzerTestOneInput(exact, n);
  free(exact);
  return 0;
}

static int qb__run_dir(const char* dir, size_t* count) {
  struct dirent** names = NULL;
  const int n = scandir(dir, &names, NULL, alphasort);
  int rc = 0;
  if (n < 0) {
    fprintf(stderr, "%s: cannot list: %s\n", dir, strerror(errno));
    return 1;
  }
  for (int i = 0; i < n; i++) {
    char path[4096];
    struct stat sb;
    snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
    if (names[i]->d_name[0] != '.' && stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
      rc |= qb__run_file(path);
      (*count)++;
    }
    free(names[i]);
  }
  free(names);
  return rc;
}

int main(int argc, char** argv) {
  size_t count = 0;
  int rc = 0;
  if (argc < 2) {
    fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
    return 2;
  }
  for (int i = 1; i < argc; i++) {
    struct stat sb;
    if (stat(argv[i], &sb) != 0) {
      fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
      rc = 1;
    } else if (S_ISDIR(sb.st_mode)) {
      rc |= qb__run_dir(argv[i], &count);
    } else {
      rc |= qb__run_file(argv[i]);
      count++;
    }
  }
  printf("%s: %zu inputs replayed\n", argv[0], count);
  /* An empty corpus proves nothing. */
  return rc != 0 || count == 0;
}
