/*
 * An LD_PRELOAD shim that sends the process a signal in the middle of its final write:
 * when qbench fsyncs a temp file (".NAME.tmp-XXXXXX", results.c), the signal named by
 * QB_SIGWRITE (INT, TERM or HUP) is raised first, once. It stands for a Ctrl-C that
 * lands while slow storage takes the results: the write must finish, the temp file
 * must go, the results must be whole (tests/faults/faults.sh, mode sigwrite).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* RTLD_NEXT */
#endif
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int qb__done;

static int qb__is_temp(int fd) {
  char link[64], path[4096];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  const ssize_t n = readlink(link, path, sizeof path - 1);
  if (n <= 0) return 0;
  path[n] = '\0';
  return strstr(path, ".tmp-") != NULL;
}

int fsync(int fd) {
  static int (*next)(int);
  if (next == NULL) next = (int (*)(int)) dlsym(RTLD_NEXT, "fsync");
  const char* s = getenv("QB_SIGWRITE");
  if (s != NULL && !qb__done && qb__is_temp(fd)) {
    qb__done = 1;
    raise(strcmp(s, "TERM") == 0 ? SIGTERM : strcmp(s, "HUP") == 0 ? SIGHUP : SIGINT);
  }
  return next ? next(fd) : -1;
}
