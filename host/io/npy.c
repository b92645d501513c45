#include "io/npy.h"

#include "io/file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
  const char* descr;
  qb_dtype dtype;
} qb__descrs[] = {
    {"f8", QB_DTYPE_f64}, {"f4", QB_DTYPE_f32}, {"f2", QB_DTYPE_f16}, {"i1", QB_DTYPE_s8},
    {"u1", QB_DTYPE_u8},  {"i2", QB_DTYPE_s16}, {"i4", QB_DTYPE_s32}, {"i8", QB_DTYPE_s64},
};

qb_status qb_tensor_alloc(qb_tensor* t, qb_dtype dtype, int ndim, const uint64_t* dims, qb_error* err) {
  const size_t esize = qb_dtype_get(dtype)->bits / 8;
  size_t count = 1;
  memset(t, 0, sizeof *t);
  if (ndim < 0 || ndim > QB_TENSOR_MAX_DIMS) {
    return qb_fail(err, QB_BAD_INPUT, "%d dimensions (at most %d)", ndim, QB_TENSOR_MAX_DIMS);
  }
  for (int i = 0; i < ndim; i++) {
    if (dims[i] != 0 && count > SIZE_MAX / esize / dims[i]) {
      return qb_fail(err, QB_BAD_INPUT, "shape overflows size_t at dimension %d (%llu)", i,
                     (unsigned long long) dims[i]);
    }
    count *= (size_t) dims[i];
    t->dims[i] = dims[i];
  }
  t->dtype = dtype;
  t->ndim = ndim;
  t->count = count;
  t->bytes = count * esize;
  if (posix_memalign(&t->data, 64, t->bytes ? (t->bytes + 63) / 64 * 64 : 64) != 0) {
    t->data = NULL;
    return qb_fail(err, QB_NO_MEMORY, "no memory for %zu bytes", t->bytes);
  }
  return QB_OK;
}

void qb_tensor_free(qb_tensor* t) {
  free(t->data);
  memset(t, 0, sizeof *t);
}

void qb_tensor_shape_string(const qb_tensor* t, char* buf, size_t len) {
  size_t at = 0;
  buf[0] = '\0';
  if (t->ndim == 0) snprintf(buf, len, "scalar");
  for (int i = 0; i < t->ndim && at < len; i++) {
    at += (size_t) snprintf(buf + at, len - at, "%s%llu", i ? "x" : "", (unsigned long long) t->dims[i]);
  }
}

/* ---- Reading ----------------------------------------------------------------------- */

/* A cursor over the header's Python dict literal. */
typedef struct qb__hdr {
  const char* p;
  const char* end;
} qb__hdr;

static void qb__skip_space(qb__hdr* h) {
  while (h->p < h->end && (*h->p == ' ' || *h->p == '\t' || *h->p == '\n' || *h->p == '\r')) h->p++;
}

static bool qb__eat(qb__hdr* h, char c) {
  qb__skip_space(h);
  if (h->p < h->end && *h->p == c) {
    h->p++;
    return true;
  }
  return false;
}

/* A quoted string ('...' or "...") into buf; false when malformed or too long. */
static bool qb__string(qb__hdr* h, char* buf, size_t len) {
  qb__skip_space(h);
  if (h->p >= h->end || (*h->p != '\'' && *h->p != '"')) return false;
  const char q = *h->p++;
  size_t k = 0;
  while (h->p < h->end && *h->p != q) {
    if (k + 1 >= len) return false;
    buf[k++] = *h->p++;
  }
  if (h->p >= h->end) return false;
  h->p++;
  buf[k] = '\0';
  return true;
}

static bool qb__word(qb__hdr* h, const char* w) {
  const size_t n = strlen(w);
  qb__skip_space(h);
  if ((size_t) (h->end - h->p) >= n && memcmp(h->p, w, n) == 0) {
    h->p += n;
    return true;
  }
  return false;
}

/* A shape tuple: "()", "(5,)", "(2, 3)". */
static qb_status qb__shape(qb__hdr* h, const char* name, uint64_t* dims, int* ndim, qb_error* err) {
  *ndim = 0;
  if (!qb__eat(h, '(')) return qb_fail(err, QB_BAD_INPUT, "%s: header 'shape' is not a tuple", name);
  for (;;) {
    if (qb__eat(h, ')')) return QB_OK;
    qb__skip_space(h);
    if (h->p >= h->end || *h->p < '0' || *h->p > '9') {
      return qb_fail(err, QB_BAD_INPUT, "%s: header 'shape' holds something other than integers", name);
    }
    uint64_t v = 0;
    while (h->p < h->end && *h->p >= '0' && *h->p <= '9') {
      const uint64_t digit = (uint64_t) (*h->p++ - '0');
      if (v > (UINT64_MAX - digit) / 10)
        return qb_fail(err, QB_BAD_INPUT, "%s: a dimension overflows 64 bits", name);
      v = v * 10 + digit;
    }
    if (h->p < h->end && *h->p == 'L') h->p++; /* Python 2 longs */
    if (*ndim == QB_TENSOR_MAX_DIMS) {
      return qb_fail(err, QB_BAD_INPUT, "%s: more than %d dimensions", name, QB_TENSOR_MAX_DIMS);
    }
    dims[(*ndim)++] = v;
    if (!qb__eat(h, ',')) {
      if (qb__eat(h, ')')) return QB_OK;
      return qb_fail(err, QB_BAD_INPUT, "%s: header 'shape' tuple is malformed", name);
    }
  }
}

static qb_status qb__descr(const char* d, const char* name, qb_dtype* out, qb_error* err) {
  const char order = d[0];
  if (order == '>') {
    return qb_fail(err, QB_BAD_INPUT, "%s: big-endian data ('%s'); save it little-endian (astype('<%s'))",
                   name, d, d + 1);
  }
  if (order != '<' && order != '|' && order != '=') {
    return qb_fail(err, QB_BAD_INPUT, "%s: unsupported dtype '%s'", name, d);
  }
  for (size_t i = 0; i < sizeof qb__descrs / sizeof qb__descrs[0]; i++) {
    if (strcmp(d + 1, qb__descrs[i].descr) == 0) {
      /* '|' (no byte order) only makes sense for one-byte types. */
      if (order == '|' && qb_dtype_get(qb__descrs[i].dtype)->bits != 8) break;
      *out = qb__descrs[i].dtype;
      return QB_OK;
    }
  }
  return qb_fail(err, QB_BAD_INPUT, "%s: unsupported dtype '%s' (f8, f4, f2, i1, u1, i2, i4, i8 are read)",
                 name, d);
}

static qb_status qb__parse_header(qb__hdr* h, const char* name, qb_dtype* dtype, uint64_t* dims, int* ndim,
                                  qb_error* err) {
  bool have_descr = false, have_order = false, have_shape = false;
  char key[32], val[32];
  qb_status s;
  if (!qb__eat(h, '{')) return qb_fail(err, QB_BAD_INPUT, "%s: header is not a dict", name);
  while (!qb__eat(h, '}')) {
    if (!qb__string(h, key, sizeof key) || !qb__eat(h, ':')) {
      return qb_fail(err, QB_BAD_INPUT, "%s: header dict is malformed", name);
    }
    if (strcmp(key, "descr") == 0) {
      if (!qb__string(h, val, sizeof val)) {
        return qb_fail(err, QB_BAD_INPUT,
                       "%s: header 'descr' is not a simple dtype string (structured arrays "
                       "are not read)",
                       name);
      }
      if ((s = qb__descr(val, name, dtype, err)) != QB_OK) return s;
      have_descr = true;
    } else if (strcmp(key, "fortran_order") == 0) {
      if (qb__word(h, "True")) {
        return qb_fail(err, QB_BAD_INPUT, "%s: Fortran order; save it in C order (np.ascontiguousarray)",
                       name);
      }
      if (!qb__word(h, "False"))
        return qb_fail(err, QB_BAD_INPUT, "%s: header 'fortran_order' is not a bool", name);
      have_order = true;
    } else if (strcmp(key, "shape") == 0) {
      if ((s = qb__shape(h, name, dims, ndim, err)) != QB_OK) return s;
      have_shape = true;
    } else {
      return qb_fail(err, QB_BAD_INPUT, "%s: unexpected header key '%s'", name, key);
    }
    if (!qb__eat(h, ',')) {
      if (qb__eat(h, '}')) break;
      return qb_fail(err, QB_BAD_INPUT, "%s: header dict is malformed", name);
    }
  }
  if (!have_descr || !have_order || !have_shape) {
    return qb_fail(err, QB_BAD_INPUT, "%s: header lacks '%s'", name,
                   !have_descr   ? "descr"
                   : !have_order ? "fortran_order"
                                 : "shape");
  }
  return QB_OK;
}

qb_status qb_npy_parse(const void* buf, size_t len, const char* name, qb_tensor* t, qb_error* err) {
  const unsigned char* b = (const unsigned char*) buf;
  size_t hlen, data_at;
  uint64_t dims[QB_TENSOR_MAX_DIMS];
  int ndim = 0;
  qb_dtype dtype = QB_DTYPE_none;
  qb_status s;
  memset(t, 0, sizeof *t);
  /* 1. Magic, version, header length. */
  if (len < 10)
    return qb_fail(err, QB_BAD_INPUT, "%s: truncated: %zu bytes, not even a .npy preamble", name, len);
  if (memcmp(b, "\x93NUMPY", 6) != 0)
    return qb_fail(err, QB_BAD_INPUT, "%s: bad magic: not a .npy file", name);
  if (b[6] == 1) {
    hlen = (size_t) b[8] | (size_t) b[9] << 8;
    data_at = 10;
  } else if (b[6] == 2 || b[6] == 3) {
    if (len < 12) return qb_fail(err, QB_BAD_INPUT, "%s: truncated in the header length", name);
    hlen = (size_t) b[8] | (size_t) b[9] << 8 | (size_t) b[10] << 16 | (size_t) b[11] << 24;
    data_at = 12;
  } else {
    return qb_fail(err, QB_BAD_INPUT, "%s: unsupported .npy version %u.%u", name, b[6], b[7]);
  }
  if (hlen > len - data_at) {
    return qb_fail(err, QB_BAD_INPUT, "%s: truncated: header of %zu bytes, file of %zu", name, hlen, len);
  }
  /* 2. The header dict. */
  qb__hdr h = {(const char*) b + data_at, (const char*) b + data_at + hlen};
  if ((s = qb__parse_header(&h, name, &dtype, dims, &ndim, err)) != QB_OK) return s;
  data_at += hlen;
  /* 3. The data: exactly what the shape says, checked before allocating, so that a
   * short file claiming a huge shape is refused without asking for its memory (a shape
   * that overflows size_t is left to qb_tensor_alloc, which says so). */
  size_t need = qb_dtype_get(dtype)->bits / 8;
  bool fits = true;
  for (int i = 0; i < ndim && fits; i++) {
    if (dims[i] != 0 && need > SIZE_MAX / dims[i]) {
      fits = false;
    } else {
      need *= (size_t) dims[i];
    }
  }
  if (fits && len - data_at != need) {
    qb_tensor shape_only = {.ndim = ndim};
    char shape[128];
    memcpy(shape_only.dims, dims, (size_t) ndim * sizeof dims[0]);
    qb_tensor_shape_string(&shape_only, shape, sizeof shape);
    return qb_fail(err, QB_BAD_INPUT, "%s: data is %zu bytes, shape %s of %s needs %zu", name, len - data_at,
                   shape, qb_dtype_get(dtype)->name, need);
  }
  qb_error aerr = {0};
  if ((s = qb_tensor_alloc(t, dtype, ndim, dims, &aerr)) != QB_OK) {
    return qb_fail(err, s, "%s: %s", name, aerr.msg);
  }
  memcpy(t->data, b + data_at, t->bytes);
  return QB_OK;
}

qb_status qb_npy_read(const char* path, qb_tensor* t, qb_error* err) {
  char* buf;
  size_t len;
  memset(t, 0, sizeof *t);
  /* A regular file only, checked without blocking (a FIFO would hang the open). */
  qb_status s = qb_file_read_all(path, QB_NPY_MAX_FILE, "a .npy file", &buf, &len, err);
  if (s != QB_OK) return s;
  s = qb_npy_parse(buf, len, path, t, err);
  free(buf);
  return s;
}

/* ---- Writing ----------------------------------------------------------------------- */

static bool qb__write_all(int fd, const void* p, size_t n) {
  const char* c = (const char*) p;
  while (n > 0) {
    const ssize_t w = write(fd, c, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    c += w;
    n -= (size_t) w;
  }
  return true;
}

qb_status qb_write_file_atomic(const char* path, const void* head, size_t head_len, const void* body,
                               size_t body_len, bool force, qb_error* err) {
  char tmp[PATH_MAX];
  struct stat st;
  if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) {
    /* Renaming over /dev/full or a FIFO would replace the node itself. */
    return qb_fail(err, QB_IO, "%s: not a regular file (a device or FIFO is never replaced)", path);
  }
  if (!force && lstat(path, &st) == 0) {
    return qb_fail(err, QB_EXISTS, "%s: exists (--force overwrites it)", path);
  }
  if ((size_t) snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path) >= sizeof tmp) {
    return qb_fail(err, QB_BAD_INPUT, "%s: path too long", path);
  }
  const int fd = mkstemp(tmp);
  if (fd < 0)
    return qb_fail(err, QB_IO, "%s: cannot create a temporary file beside it: %s", path, strerror(errno));
  bool ok = qb__write_all(fd, head, head_len) && qb__write_all(fd, body, body_len) && fsync(fd) == 0;
  ok = close(fd) == 0 && ok;
  if (!ok) {
    unlink(tmp);
    return qb_fail(err, QB_IO, "%s: write failed: %s", path, strerror(errno));
  }
  /* mkstemp creates 0600; give the file the mode a plain create would (umask can only
   * be read by setting it, and it is put back at once). */
  const mode_t um = umask(0);
  umask(um);
  (void) chmod(tmp, 0666 & ~um);
  /* Without force, link() refuses an existing target atomically: no race with another
   * writer between the check above and here. */
  if (force ? rename(tmp, path) != 0 : link(tmp, path) != 0) {
    const int e = errno;
    unlink(tmp);
    if (e == EEXIST) return qb_fail(err, QB_EXISTS, "%s: exists (--force overwrites it)", path);
    return qb_fail(err, QB_IO, "%s: cannot put the file in place: %s", path, strerror(e));
  }
  if (!force) unlink(tmp);
  return QB_OK;
}

static const char* qb__descr_of(qb_dtype t) {
  switch (t) {
    case QB_DTYPE_f64:
      return "<f8";
    case QB_DTYPE_f32:
      return "<f4";
    case QB_DTYPE_f16:
      return "<f2";
    case QB_DTYPE_bf16:
      return "<u2";
    case QB_DTYPE_s8:
      return "|i1";
    case QB_DTYPE_u8:
    case QB_DTYPE_f8e4m3:
    case QB_DTYPE_f8e5m2:
      return "|u1";
    case QB_DTYPE_s16:
      return "<i2";
    case QB_DTYPE_s32:
      return "<i4";
    case QB_DTYPE_s64:
      return "<i8";
    default:
      return NULL;
  }
}

/* The version 1.0 header of t into head (640 bytes); its length, or 0 (error set). */
static size_t qb__npy_head(const char* path, const qb_tensor* t, unsigned char* head, qb_error* err) {
  const char* descr = qb__descr_of(t->dtype);
  char dict[512], shape[256];
  size_t at = 0;
  if (descr == NULL) {
    qb_fail(err, QB_BAD_INPUT, "%s: no .npy dtype for %s", path, qb_dtype_get(t->dtype)->name);
    return 0;
  }
  shape[0] = '\0';
  for (int i = 0; i < t->ndim; i++) {
    at += (size_t) snprintf(shape + at, sizeof shape - at, "%llu,%s", (unsigned long long) t->dims[i],
                            i + 1 < t->ndim ? " " : "");
  }
  if (t->ndim > 1) shape[at - 1] = '\0'; /* "(2, 3)" but "(5,)" */
  int dl =
      snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", descr, shape);
  /* Version 1.0 header: magic (6) + version (2) + length (2) + dict, padded with spaces
   * and a final newline to a multiple of 64 bytes, so the data are aligned. */
  const size_t total = (10 + (size_t) dl + 1 + 63) / 64 * 64;
  memcpy(head, "\x93NUMPY\x01\x00", 8);
  head[8] = (unsigned char) ((total - 10) & 0xFF);
  head[9] = (unsigned char) ((total - 10) >> 8);
  memcpy(head + 10, dict, (size_t) dl);
  memset(head + 10 + dl, ' ', total - 10 - (size_t) dl);
  head[total - 1] = '\n';
  return total;
}

qb_status qb_npy_write(const char* path, const qb_tensor* t, bool force, qb_error* err) {
  unsigned char head[640];
  const size_t total = qb__npy_head(path, t, head, err);
  if (total == 0) return err->status;
  return qb_write_file_atomic(path, head, total, t->data, t->bytes, force, err);
}

qb_status qb_npy_write_stream(FILE* f, const char* name, const qb_tensor* t, qb_error* err) {
  unsigned char head[640];
  const size_t total = qb__npy_head(name, t, head, err);
  if (total == 0) return err->status;
  if (fwrite(head, 1, total, f) != total || fwrite(t->data, 1, t->bytes, f) != t->bytes || fflush(f) != 0) {
    return qb_fail(err, QB_IO, "%s: cannot write: %s", name, strerror(errno ? errno : EIO));
  }
  return QB_OK;
}
