/* Writing results atomically: JSON and CSV (results.h, results/README.md). */
#include "io/results.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- Paths ------------------------------------------------------------------------ */

/* The directory part of path ("." when none) into buf; false when it does not fit. */
static bool qb__dirname(const char* path, char* buf, size_t len) {
  const char* slash = strrchr(path, '/');
  if (slash == NULL) return (size_t) snprintf(buf, len, ".") < len;
  size_t n = slash == path ? 1 : (size_t) (slash - path);
  if (n >= len) return false;
  memcpy(buf, path, n);
  buf[n] = '\0';
  return true;
}

static const char* qb__basename(const char* path) {
  const char* slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

bool qb_results_csv_path(const char* json_path, char* buf, size_t len) {
  size_t n = strlen(json_path);
  if (n >= 5 && strcmp(json_path + n - 5, ".json") == 0) n -= 5;
  return (size_t) snprintf(buf, len, "%.*s.csv", (int) n, json_path) < len;
}

/* Keeps [A-Za-z0-9._-]: names go into file names, and a host name or a suite path must
 * not add directories or shell-hostile characters. */
static void qb__sanitize(const char* in, char* out, size_t len) {
  size_t j = 0;
  for (const char* c = in; *c && j + 1 < len; c++) {
    const unsigned char u = (unsigned char) *c;
    const bool ok = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '.' ||
                    u == '_' || u == '-';
    out[j++] = ok ? (char) u : '_';
  }
  out[j] = '\0';
  if (j == 0) snprintf(out, len, "unknown");
}

static bool qb__exists(const char* path) {
  struct stat st;
  return lstat(path, &st) == 0;
}

/* A default name is taken when its JSON, its CSV or its journal (a run under way) exists. */
static bool qb__taken(const char* json) {
  char other[PATH_MAX];
  if (qb__exists(json)) return true;
  if (qb_results_csv_path(json, other, sizeof other) && qb__exists(other)) return true;
  return (size_t) snprintf(other, sizeof other, "%s.journal", json) < sizeof other && qb__exists(other);
}

void qb_results_default_path(char* buf, size_t len, const char* dir, const char* suite) {
  char host[256] = "";
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  host[sizeof host - 1] = '\0';
  char h[128], s[128], stamp[32];
  qb__sanitize(host, h, sizeof h);
  qb__sanitize(suite ? suite : "", s, sizeof s);
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
  const char* d = dir && dir[0] ? dir : ".";
  snprintf(buf, len, "%s/%s-%s-%s.json", d, h, stamp, s);
  /* Two runs in the same second (a script, a CI matrix) get -2, -3, ... */
  for (unsigned k = 2; qb__taken(buf) && k < 100000; k++) {
    snprintf(buf, len, "%s/%s-%s-%s-%u.json", d, h, stamp, s, k);
  }
}

/* ---- Checks before any work -------------------------------------------------------- */

/* Whether a file can be created in dir: the only honest test (root ignores modes, and a
 * read-only mount or a full quota shows only on creation). */
static qb_status qb__probe_dir(const char* path, const char* dir, qb_error* err) {
  struct stat st;
  if (stat(dir, &st) != 0) {
    return qb_fail(err, QB_IO, "%s: directory '%s' is missing: %s", path, dir, strerror(errno));
  }
  if (!S_ISDIR(st.st_mode)) return qb_fail(err, QB_IO, "%s: '%s' is not a directory", path, dir);
  char probe[PATH_MAX];
  if ((size_t) snprintf(probe, sizeof probe, "%s/.qbench-probe-XXXXXX", dir) >= sizeof probe) {
    return qb_fail(err, QB_IO, "%s: path too long", path);
  }
  int fd = mkstemp(probe);
  if (fd < 0) {
    return qb_fail(err, QB_IO, "%s: directory '%s' is not writable: %s", path, dir, strerror(errno));
  }
  close(fd);
  unlink(probe);
  return QB_OK;
}

static qb_status qb__check_one(const char* path, bool force, qb_error* err) {
  struct stat st;
  if (lstat(path, &st) != 0) return QB_OK;
  if (S_ISDIR(st.st_mode)) return qb_fail(err, QB_IO, "%s: is a directory (expected a file name)", path);
  /* --force replaces a file by renaming over it: over /dev/full or a FIFO that would
   * replace the node itself (as root, for every process), so only files qualify. */
  if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) {
    return qb_fail(err, QB_IO, "%s: not a regular file (a device or FIFO is never replaced)", path);
  }
  if (!force) return qb_fail(err, QB_EXISTS, "%s: exists (use --force to overwrite)", path);
  return QB_OK;
}

/* The files a write of `formats` to `path` makes: one format goes to the name given;
 * JSON and CSV together put the CSV beside the JSON (qb_results_csv_path). */
static bool qb__targets(const char* path, unsigned formats, char* json, char* csv, size_t len) {
  json[0] = csv[0] = '\0';
  if (formats == QB_RESULTS_CSV) return (size_t) snprintf(csv, len, "%s", path) < len;
  if ((size_t) snprintf(json, len, "%s", path) >= len) return false;
  return !(formats & QB_RESULTS_CSV) || qb_results_csv_path(path, csv, len);
}

qb_status qb_results_check_targets(const char* path, bool force, unsigned formats, qb_error* err) {
  char dir[PATH_MAX], json[PATH_MAX], csv[PATH_MAX];
  if (path == NULL || path[0] == '\0')
    return qb_fail(err, QB_IO, "empty results path (expected a file name)");
  if (!qb__dirname(path, dir, sizeof dir) || !qb__targets(path, formats, json, csv, sizeof json)) {
    return qb_fail(err, QB_IO, "%s: path too long (at most %d bytes)", path, PATH_MAX - 16);
  }
  /* Both formats from a name ending in .csv would write the CSV to "x.csv.csv". */
  const size_t n = strlen(path);
  if (formats == (QB_RESULTS_JSON | QB_RESULTS_CSV) && n >= 4 && strcmp(path + n - 4, ".csv") == 0) {
    return qb_fail(err, QB_USAGE,
                   "%s: JSON and CSV cannot have one name (give the JSON's name, the CSV goes beside it, or "
                   "--format csv)",
                   path);
  }
  qb_status st = json[0] ? qb__check_one(json, force, err) : QB_OK;
  if (st == QB_OK && csv[0]) st = qb__check_one(csv, force, err);
  if (st == QB_OK) st = qb__probe_dir(path, dir, err);
  return st;
}

qb_status qb_results_check_target(const char* path, bool force, qb_error* err) {
  return qb_results_check_targets(path, force, QB_RESULTS_JSON | QB_RESULTS_CSV, err);
}

/* ---- Output through the io hook ---------------------------------------------------- */

static size_t qb__stdio_write(const void* buf, size_t len, FILE* f, void* user) {
  (void) user;
  return fwrite(buf, 1, len, f);
}

/* A FILE with the hook that writes to it and the first error seen. */
typedef struct qb__out {
  FILE* f;
  const qb_results_io* io;
  int errnum; /* 0 while all is well */
} qb__out;

static void qb__put(qb__out* o, const char* buf, size_t len) {
  if (o->errnum != 0 || len == 0) return;
  errno = 0;
  if (o->io->write(buf, len, o->f, o->io->user) != len) o->errnum = errno ? errno : ENOSPC;
}

static void qb__puts(qb__out* o, const char* s) {
  qb__put(o, s, strlen(s));
}

static int qb__json_cb(const char* buffer, size_t size, void* data) {
  qb__out* o = data;
  qb__put(o, buffer, size);
  return o->errnum ? -1 : 0;
}

/* ---- CSV ---------------------------------------------------------------------------- */

/* The CSV columns in their fixed order: X(column, group, key) reads `key` of the row,
 * or of the row's nested object `group` ("" for none). Columns are only ever added at
 * the end, so that scripts reading by position keep working. */
#define QB__CSV_COLUMNS                                                   \
  X(name, "", name)                                                       \
  X(run_type, "", run_type)                                               \
  X(aggregate_name, "", aggregate_name)                                   \
  X(repetition_index, "", repetition_index)                               \
  X(repetitions, "", repetitions)                                         \
  X(threads, "", threads)                                                 \
  X(iterations, "", iterations)                                           \
  X(real_time, "", real_time)                                             \
  X(cpu_time, "", cpu_time)                                               \
  X(time_unit, "", time_unit)                                             \
  X(bytes_per_second, "", bytes_per_second)                               \
  X(items_per_second, "", items_per_second)                               \
  X(family, "", family)                                                   \
  X(kernel, "", kernel)                                                   \
  X(variant, "", variant)                                                 \
  X(backend, "", backend)                                                 \
  X(device, "", device)                                                   \
  X(isa, "", isa)                                                         \
  X(dtype_in, "", dtype_in)                                               \
  X(dtype_in2, "", dtype_in2)                                             \
  X(dtype_out, "", dtype_out)                                             \
  X(n, "", n)                                                             \
  X(size_class, "", size_class)                                           \
  X(distribution, "", distribution)                                       \
  X(rounding, "", rounding)                                               \
  X(status, "", status)                                                   \
  X(reason, "", reason)                                                   \
  X(timing, "", timing)                                                   \
  X(gflops, "", gflops)                                                   \
  X(roof_name, "", roof_name)                                             \
  X(roof_fraction, "", roof_fraction)                                     \
  X(error_max_abs, "error", max_abs)                                      \
  X(error_max_rel, "error", max_rel)                                      \
  X(error_rmse, "error", rmse)                                            \
  X(error_nmse, "error", nmse)                                            \
  X(error_sqnr_db, "error", sqnr_db)                                      \
  X(error_max_ulp, "error", max_ulp)                                      \
  X(error_mean_ulp, "error", mean_ulp)                                    \
  X(error_mismatches, "error", mismatches)                                \
  X(error_nan_inf_mismatches, "error", nan_inf_mismatches)                \
  X(memory_bytes_per_element, "memory", bytes_per_element)                \
  X(memory_footprint_bytes, "memory", footprint_bytes)                    \
  X(memory_metadata_bytes, "memory", metadata_bytes)                      \
  X(memory_ratio_to_f32, "memory", ratio_to_f32)                          \
  X(memory_ratio_to_f64, "memory", ratio_to_f64)                          \
  X(error_occurred, "", error_occurred)                                   \
  X(error_message, "", error_message)                                     \
  X(compute_roof_name, "", compute_roof_name)                             \
  X(compute_roof_fraction, "", compute_roof_fraction)                     \
  X(time_with_transfers_ns, "", time_with_transfers_ns)                   \
  X(bytes_per_second_with_transfers, "", bytes_per_second_with_transfers) \
  X(memory_format, "memory", format)                                      \
  X(pinned, "", pinned)                                                   \
  X(tensor, "", tensor)                                                   \
  X(tensor_shape, "", tensor_shape)                                       \
  X(tensor_dtype, "", tensor_dtype)                                       \
  X(axis, "", axis)                                                       \
  X(stream_min_bytes, "", stream_min_bytes)                               \
  X(error_semantics, "error", semantics)                                  \
  X(error_bound, "error", bound)

typedef struct qb__col {
  const char* group;
  const char* key;
} qb__col;

static const qb__col qb__cols[] = {
#define X(name, group, key) {group, #key},
    QB__CSV_COLUMNS
#undef X
};
static const char* const qb__col_names[] = {
#define X(name, group, key) #name,
    QB__CSV_COLUMNS
#undef X
};
#define QB__NCOLS (sizeof qb__cols / sizeof qb__cols[0])

const char* const* qb_results_csv_columns(size_t* count) {
  if (count) *count = QB__NCOLS;
  return qb__col_names;
}

/* The shortest %g form that reads back as the same double. */
static void qb__format_real(double v, char* buf, size_t len) {
  for (int prec = 15; prec <= 17; prec++) {
    snprintf(buf, len, "%.*g", prec, v);
    if (strtod(buf, NULL) == v) return;
  }
}

void qb_csv_field(FILE* f, const char* s) {
  if (strpbrk(s, ",\"\r\n") == NULL) {
    fputs(s, f);
    return;
  }
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"') fputc('"', f);
    fputc(*s, f);
  }
  fputc('"', f);
}

static void qb__put_text(qb__out* o, const char* s) {
  if (strpbrk(s, ",\"\r\n") == NULL) {
    qb__puts(o, s);
    return;
  }
  /* RFC 4180: quote the field and double its quotes. */
  qb__puts(o, "\"");
  for (const char* q; (q = strchr(s, '"')) != NULL; s = q + 1) {
    qb__put(o, s, (size_t) (q - s) + 1);
    qb__puts(o, "\"");
  }
  qb__puts(o, s);
  qb__puts(o, "\"");
}

static void qb__put_value(qb__out* o, const json_t* v) {
  char buf[64];
  switch (json_typeof(v)) {
    case JSON_STRING:
      qb__put_text(o, json_string_value(v));
      break;
    case JSON_INTEGER:
      snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
      qb__puts(o, buf);
      break;
    case JSON_REAL:
      qb__format_real(json_real_value(v), buf, sizeof buf);
      qb__puts(o, buf);
      break;
    case JSON_TRUE:
      qb__puts(o, "true");
      break;
    case JSON_FALSE:
      qb__puts(o, "false");
      break;
    default:
      break; /* null, objects and arrays: an empty field */
  }
}

qb_status qb_results_csv_write_stream(FILE* f, const json_t* doc, const qb_results_io* io, const char* name,
                                      qb_error* err) {
  static const qb_results_io stdio_io = {qb__stdio_write, NULL};
  qb__out o = {f, io ? io : &stdio_io, 0};
  const json_t* rows = json_is_object(doc) ? json_object_get(doc, "benchmarks") : NULL;
  if (!json_is_array(rows)) {
    return qb_fail(err, QB_INTERNAL, "%s: the results have no 'benchmarks' array", name);
  }
  for (size_t c = 0; c < QB__NCOLS; c++) {
    if (c) qb__puts(&o, ",");
    qb__puts(&o, qb__col_names[c]);
  }
  qb__puts(&o, "\n");
  for (size_t i = 0; i < json_array_size(rows); i++) {
    const json_t* row = json_array_get(rows, i);
    for (size_t c = 0; c < QB__NCOLS; c++) {
      if (c) qb__puts(&o, ",");
      const json_t* obj = qb__cols[c].group[0] ? json_object_get(row, qb__cols[c].group) : row;
      const json_t* v = json_is_object(obj) ? json_object_get(obj, qb__cols[c].key) : NULL;
      /* JSON has no infinity: an exact result's SQNR is null beside a zero NMSE. In the
       * CSV it is "inf", apart from an empty field (no error measured). */
      if (json_is_null(v) && strcmp(qb__cols[c].key, "sqnr_db") == 0 && json_is_object(obj) &&
          json_number_value(json_object_get(obj, "nmse")) == 0 &&
          json_is_number(json_object_get(obj, "nmse"))) {
        qb__puts(&o, "inf");
        continue;
      }
      if (v) qb__put_value(&o, v);
    }
    qb__puts(&o, "\n");
  }
  if (o.errnum) return qb_fail(err, QB_IO, "%s: cannot write: %s", name, strerror(o.errnum));
  return QB_OK;
}

/* ---- Atomic write -------------------------------------------------------------------- */

/* One file being written: its target and the temp file beside it. */
typedef struct qb__pending {
  char target[PATH_MAX];
  char tmp[PATH_MAX];
  bool have_tmp;  /* tmp exists on disk */
  bool committed; /* target now holds our file */
} qb__pending;

static qb_status qb__write_tmp(qb__pending* p, const json_t* doc, bool csv, const qb_results_io* io,
                               qb_error* err) {
  char dir[PATH_MAX];
  if (!qb__dirname(p->target, dir, sizeof dir) ||
      (size_t) snprintf(p->tmp, sizeof p->tmp, "%s/.%s.tmp-XXXXXX", dir, qb__basename(p->target)) >=
          sizeof p->tmp) {
    return qb_fail(err, QB_IO, "%.200s: path too long", p->target);
  }
  int fd = mkstemp(p->tmp);
  if (fd < 0) {
    return qb_fail(err, QB_IO, "%s: cannot create a temp file in '%s': %s", p->target, dir, strerror(errno));
  }
  p->have_tmp = true;
  /* mkstemp makes the file private (0600); results are for everyone to read. */
  (void) fchmod(fd, 0644);
  FILE* f = fdopen(fd, "w");
  if (f == NULL) {
    int e = errno;
    close(fd);
    return qb_fail(err, QB_IO, "%s: cannot open the temp file: %s", p->target, strerror(e));
  }
  qb_status st = QB_OK;
  qb__out o = {f, io, 0};
  if (csv) {
    st = qb_results_csv_write_stream(f, doc, io, p->target, err);
  } else {
    if (json_dump_callback(doc, qb__json_cb, &o, JSON_INDENT(2)) != 0 && o.errnum == 0) o.errnum = EINVAL;
    qb__puts(&o, "\n");
    if (o.errnum) st = qb_fail(err, QB_IO, "%s: cannot write: %s", p->target, strerror(o.errnum));
  }
  /* Flush and sync: a rename of data still in the page cache could, after a crash,
   * leave an empty file where the earlier results were. */
  if (st == QB_OK && (fflush(f) != 0 || fsync(fileno(f)) != 0)) {
    st = qb_fail(err, QB_IO, "%s: cannot write: %s", p->target, strerror(errno));
  }
  if (fclose(f) != 0 && st == QB_OK) {
    st = qb_fail(err, QB_IO, "%s: cannot write: %s", p->target, strerror(errno));
  }
  return st;
}

/* Moves the temp file into place: rename when forced; without force, link (which fails
 * when the target appeared since the check, instead of clobbering it). */
static qb_status qb__commit(qb__pending* p, bool force, qb_error* err) {
  if (force) {
    if (rename(p->tmp, p->target) != 0) {
      return qb_fail(err, QB_IO, "%s: cannot rename into place: %s", p->target, strerror(errno));
    }
  } else {
    if (link(p->tmp, p->target) != 0) {
      if (errno == EEXIST) return qb_fail(err, QB_EXISTS, "%s: exists (use --force to overwrite)", p->target);
      return qb_fail(err, QB_IO, "%s: cannot link into place: %s", p->target, strerror(errno));
    }
    unlink(p->tmp);
  }
  p->have_tmp = false;
  p->committed = true;
  return QB_OK;
}

static void qb__sync_dir(const char* path) {
  char dir[PATH_MAX];
  if (!qb__dirname(path, dir, sizeof dir)) return;
  int fd = open(dir, O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;
  (void) fsync(fd);
  close(fd);
}

qb_status qb_results_write_io(const char* path, const json_t* doc, bool force, unsigned formats,
                              const qb_results_io* io, qb_error* err) {
  static const qb_results_io stdio_io = {qb__stdio_write, NULL};
  if (io == NULL) io = &stdio_io;
  if (formats == 0 || (formats & ~(unsigned) (QB_RESULTS_JSON | QB_RESULTS_CSV)) != 0) {
    return qb_fail(err, QB_INTERNAL, "%s: invalid results formats 0x%x", path, formats);
  }
  if (!json_is_object(doc))
    return qb_fail(err, QB_INTERNAL, "%s: the results document is not an object", path);
  qb_status st = qb_results_check_targets(path, force, formats, err);
  if (st != QB_OK) return st;

  qb__pending files[2];
  memset(files, 0, sizeof files);
  size_t count = 0;
  bool is_csv[2] = {false, false};
  char json[PATH_MAX], csv[PATH_MAX];
  (void) qb__targets(path, formats, json, csv, sizeof json); /* checked above */
  if (json[0]) snprintf(files[count++].target, PATH_MAX, "%s", json);
  if (csv[0]) {
    snprintf(files[count].target, PATH_MAX, "%s", csv);
    is_csv[count++] = true;
  }
  /* 1. Every temp file complete, 2. then every commit, so a failure in writing leaves
   * every target as it was. */
  for (size_t i = 0; i < count && st == QB_OK; i++) st = qb__write_tmp(&files[i], doc, is_csv[i], io, err);
  for (size_t i = 0; i < count && st == QB_OK; i++) st = qb__commit(&files[i], force, err);
  for (size_t i = 0; i < count; i++) {
    if (files[i].have_tmp) unlink(files[i].tmp);
    /* A JSON linked in without force had no predecessor: take it back when its CSV
     * failed, so that a failed write leaves nothing behind. */
    if (st != QB_OK && files[i].committed && !force) unlink(files[i].target);
  }
  if (st == QB_OK) qb__sync_dir(path);
  return st;
}

qb_status qb_results_write(const char* path, const json_t* doc, bool force, unsigned formats, qb_error* err) {
  return qb_results_write_io(path, doc, force, formats, NULL, err);
}

bool qb_results_is_stdout(const char* path) {
  return path != NULL && strcmp(path, "-") == 0;
}

qb_status qb_results_write_stream(FILE* f, const json_t* doc, unsigned format, const char* name,
                                  qb_error* err) {
  static const qb_results_io stdio_io = {qb__stdio_write, NULL};
  if (format != QB_RESULTS_JSON && format != QB_RESULTS_CSV) {
    return qb_fail(err, QB_INTERNAL, "%s: one format on a stream, not 0x%x", name, format);
  }
  qb_status st = QB_OK;
  qb__out o = {f, &stdio_io, 0};
  if (format == QB_RESULTS_CSV) {
    st = qb_results_csv_write_stream(f, doc, &stdio_io, name, err);
  } else {
    if (json_dump_callback(doc, qb__json_cb, &o, JSON_INDENT(2)) != 0 && o.errnum == 0) o.errnum = EINVAL;
    qb__puts(&o, "\n");
    if (o.errnum) st = qb_fail(err, QB_IO, "%s: cannot write: %s", name, strerror(o.errnum));
  }
  if (st == QB_OK && (fflush(f) != 0 || ferror(f))) {
    st = qb_fail(err, QB_IO, "%s: cannot write: %s", name, strerror(errno ? errno : EIO));
  }
  return st;
}
