/* Safe opening of input files (file.h). */
#include "io/file.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char* qb__kind(mode_t m) {
  if (S_ISFIFO(m)) return "a FIFO";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISDIR(m)) return "a directory";
  if (S_ISSOCK(m)) return "a socket";
  return "not a file";
}

qb_status qb_file_open_regular(const char* path, int* fd, uint64_t* size, qb_error* err) {
  *fd = -1;
  *size = 0;
  /* O_NONBLOCK: opening a FIFO for reading otherwise waits for a writer, forever. */
  const int f = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (f < 0) return qb_fail(err, QB_IO, "%s: cannot open: %s", path, strerror(errno));
  struct stat st;
  if (fstat(f, &st) != 0) {
    const int e = errno;
    close(f);
    return qb_fail(err, QB_IO, "%s: cannot stat: %s", path, strerror(e));
  }
  if (!S_ISREG(st.st_mode)) {
    close(f);
    return qb_fail(err, QB_BAD_INPUT, "%s: not a regular file (%s)", path, qb__kind(st.st_mode));
  }
  /* A regular file never blocks; clear the flag anyway so that reads are plain. */
  const int fl = fcntl(f, F_GETFL);
  if (fl >= 0) (void) fcntl(f, F_SETFL, fl & ~O_NONBLOCK);
  *fd = f;
  *size = (uint64_t) st.st_size;
  return QB_OK;
}

qb_status qb_file_read_all(const char* path, uint64_t max, const char* what, char** buf, size_t* len,
                           qb_error* err) {
  *buf = NULL;
  *len = 0;
  int fd;
  uint64_t size;
  qb_status s = qb_file_open_regular(path, &fd, &size, err);
  if (s != QB_OK) return s;
  if (size > max || size >= SIZE_MAX) {
    close(fd);
    return qb_fail(err, QB_BAD_INPUT, "%s: %" PRIu64 " bytes, larger than %" PRIu64 " (expected %s)", path,
                   size, max, what);
  }
  char* b = malloc((size_t) size + 1);
  if (b == NULL) {
    close(fd);
    return qb_fail(err, QB_NO_MEMORY, "%s: out of memory reading %" PRIu64 " bytes", path, size);
  }
  /* Read what the size promised and one byte more: a file that grew meanwhile (or lied
   * about its size, as some /proc files do) is read no further than the limit. */
  size_t got = 0;
  while (got < (size_t) size) {
    const ssize_t r = read(fd, b + got, (size_t) size - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      const int e = errno;
      free(b);
      close(fd);
      return qb_fail(err, QB_IO, "%s: cannot read: %s", path, strerror(e));
    }
    if (r == 0) break;
    got += (size_t) r;
  }
  close(fd);
  b[got] = '\0';
  *buf = b;
  *len = got;
  return QB_OK;
}
