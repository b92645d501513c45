/*
 * Opening what users name as input files, safely: a FIFO, a device or a directory given
 * where a file is expected is refused at once instead of hanging (a FIFO blocks in
 * open(2) until a writer comes) or reading forever (/dev/zero), and a file is measured
 * before a byte of it is read.
 */
#ifndef QB_FILE_H
#define QB_FILE_H

#include <stdint.h>
#include <stddef.h>

#include "core/status.h"

/* Opens `path` for reading with O_NONBLOCK (so that the open itself never waits), then
 * checks with fstat that it is a regular file: otherwise QB_BAD_INPUT "PATH: not a
 * regular file (a FIFO|a device|a directory|...)". On success *fd is open, blocking
 * again, and *size is the file's size. */
qb_status qb_file_open_regular(const char* path, int* fd, uint64_t* size, qb_error* err);

/* Reads a whole regular file of at most `max` bytes (refused on its size, before any
 * read: QB_BAD_INPUT "PATH: N bytes, larger than MAX (expected WHAT)"). *buf is NUL
 * terminated (malloc'ed; free it), *len excludes the NUL. */
qb_status qb_file_read_all(const char* path, uint64_t max, const char* what, char** buf, size_t* len,
                           qb_error* err);

#endif
