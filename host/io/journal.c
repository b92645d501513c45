/* The run journal: appending and reading (journal.h, results/README.md). */
#include "io/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/file.h"

/* ---- Writing ---------------------------------------------------------------------- */

bool qb_journal_path(const char* target, char* buf, size_t len) {
  return (size_t) snprintf(buf, len, "%s.journal", target) < len;
}

static void qb__init(qb_journal* j) {
  memset(j, 0, sizeof *j);
  j->fd = -1;
}

qb_status qb_journal_create(qb_journal* j, const char* path, qb_error* err) {
  qb__init(j);
  const int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    if (errno == EEXIST) return qb_fail(err, QB_EXISTS, "%s: exists", path);
    return qb_fail(err, QB_IO, "%s: cannot create the journal: %s", path, strerror(errno));
  }
  /* Held while the run lives: --resume and --force tell a live run from a dead one. */
  (void) flock(fd, LOCK_EX | LOCK_NB);
  j->path = strdup(path);
  j->fd = fd;
  if (j->path == NULL) {
    qb_journal_close(j);
    unlink(path);
    return qb_fail(err, QB_NO_MEMORY, "%s: out of memory", path);
  }
  return QB_OK;
}

/* Whether a live process holds the journal (its run is under way). */
static bool qb__in_use(int fd) {
  if (flock(fd, LOCK_EX | LOCK_NB) == 0) return false;
  return errno == EWOULDBLOCK;
}

void qb_journal_remove_stale(const char* path) {
  const int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return;
  struct stat st;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && !qb__in_use(fd)) unlink(path);
  close(fd);
}

qb_status qb_journal_reopen(qb_journal* j, const char* path, qb_error* err) {
  qb__init(j);
  int fd;
  uint64_t size;
  qb_status s = qb_file_open_regular(path, &fd, &size, err);
  if (s != QB_OK) return s;
  close(fd);
  fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC);
  if (fd < 0) return qb_fail(err, QB_IO, "%s: cannot open the journal to append: %s", path, strerror(errno));
  if (qb__in_use(fd)) {
    close(fd);
    return qb_fail(err, QB_EXISTS, "%s: in use by a qbench run under way", path);
  }
  /* Cut a torn last line off: the next line must start on a line of its own. */
  off_t keep = (off_t) size;
  char c;
  while (keep > 0 && pread(fd, &c, 1, keep - 1) == 1 && c != '\n') keep--;
  if (keep != (off_t) size && ftruncate(fd, keep) != 0) {
    const int e = errno;
    close(fd);
    return qb_fail(err, QB_IO, "%s: cannot cut its torn last line: %s", path, strerror(e));
  }
  j->path = strdup(path);
  j->fd = fd;
  j->good = keep;
  if (j->path == NULL) {
    qb_journal_close(j);
    return qb_fail(err, QB_NO_MEMORY, "%s: out of memory", path);
  }
  return QB_OK;
}

static qb_status qb__break(qb_journal* j, int e, qb_error* err) {
  j->broken = true;
  snprintf(j->why, sizeof j->why, "%s", strerror(e));
  /* Back to the last whole line: a later reader (recover, resume) sees whole lines only. */
  if (ftruncate(j->fd, j->good) != 0) {
    /* Nothing more can be done; the reader drops a torn last line anyway. */
  }
  return qb_fail(err, QB_IO, "%s: cannot append to the journal: %s", j->path, j->why);
}

qb_status qb_journal_append(qb_journal* j, const json_t* line, bool sync, qb_error* err) {
  if (j->fd < 0) return qb_fail(err, QB_INTERNAL, "journal not open");
  if (j->broken) return qb_fail(err, QB_IO, "%s: cannot append to the journal: %s", j->path, j->why);
  char* text = json_dumps(line, JSON_COMPACT | JSON_ENSURE_ASCII);
  if (text == NULL) return qb__break(j, ENOMEM, err);
  const size_t n = strlen(text);
  text[n] = '\n'; /* json_dumps's NUL becomes the newline: the line is written whole */
  size_t done = 0;
  int e = 0;
  while (done < n + 1) {
    const ssize_t w = write(j->fd, text + done, n + 1 - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      e = w < 0 ? errno : ENOSPC;
      break;
    }
    done += (size_t) w;
  }
  free(text);
  if (e != 0) return qb__break(j, e, err);
  if (sync) {
    if (fdatasync(j->fd) != 0 && errno != EINVAL && errno != EROFS) return qb__break(j, errno, err);
    j->syncs++;
  }
  j->good += (off_t) (n + 1);
  return QB_OK;
}

void qb_journal_close(qb_journal* j) {
  if (j->fd >= 0) close(j->fd);
  free(j->path);
  j->fd = -1;
  j->path = NULL;
}

/* ---- Reading ---------------------------------------------------------------------- */

void qb_journal_plan_hash(uint64_t* state, const char* name) {
  uint64_t h = *state;
  for (const unsigned char* p = (const unsigned char*) name;; p++) {
    const unsigned char c = *p ? *p : '\n';
    h ^= c;
    h *= UINT64_C(0x100000001b3);
    if (*p == '\0') break;
  }
  *state = h;
}

void qb_journal_data_free(qb_journal_data* d) {
  json_decref(d->header);
  json_decref(d->roofs);
  json_decref(d->cases);
  json_decref(d->by_name);
  memset(d, 0, sizeof *d);
}

static bool qb__is_uint(const json_t* v) {
  return json_is_integer(v) && json_integer_value(v) >= 0;
}

static qb_status qb__check_header(const json_t* h, const char* name, qb_error* err) {
  const json_t* v = json_object_get(h, "qbench_journal");
  if (!json_is_integer(v) || json_integer_value(v) != QB_JOURNAL_VERSION) {
    return qb_fail(err, QB_BAD_INPUT,
                   "%s:1: not a qbench journal of version %d (expected 'qbench_journal': %d)", name,
                   QB_JOURNAL_VERSION, QB_JOURNAL_VERSION);
  }
  const json_t* plan = json_object_get(h, "plan");
  if (!json_is_string(json_object_get(h, "target")) ||
      json_string_length(json_object_get(h, "target")) == 0 ||
      !json_is_object(json_object_get(h, "options")) || !json_is_object(json_object_get(h, "machine")) ||
      !json_is_object(plan) || !qb__is_uint(json_object_get(plan, "count")) ||
      !json_is_string(json_object_get(plan, "hash")) || !json_is_object(json_object_get(h, "context")) ||
      !json_is_object(json_object_get(json_object_get(h, "context"), "qbench"))) {
    return qb_fail(err, QB_BAD_INPUT,
                   "%s:1: the header lacks a field (expected target, options, machine, plan {count, hash}, "
                   "context {qbench})",
                   name);
  }
  return QB_OK;
}

static qb_status qb__check_rows(const json_t* rows, const char* cname, const char* name, size_t line,
                                qb_error* err) {
  if (!json_is_array(rows) || json_array_size(rows) == 0) {
    return qb_fail(err, QB_BAD_INPUT, "%s:%zu: case '%.200s' has no rows (expected a non-empty array)", name,
                   line, cname);
  }
  size_t i;
  const json_t* r;
  json_array_foreach(rows, i, r) {
    const char* run_name = json_string_value(json_object_get(r, "run_name"));
    const char* st = json_string_value(json_object_get(r, "status"));
    if (!json_is_object(r) || !json_is_string(json_object_get(r, "name")) || run_name == NULL ||
        strcmp(run_name, cname) != 0 || st == NULL ||
        (strcmp(st, "ok") != 0 && strcmp(st, "skipped") != 0 && strcmp(st, "error") != 0)) {
      return qb_fail(err, QB_BAD_INPUT,
                     "%s:%zu: row %zu of case '%.200s' is not a result row of it (expected name, run_name "
                     "equal to the case, status ok|skipped|error)",
                     name, line, i, cname);
    }
  }
  return QB_OK;
}

/* One whole line, already parsed: checked and filed. */
static qb_status qb__take(qb_journal_data* d, json_t* o, const char* name, size_t line, qb_error* err) {
  const char* type = json_string_value(json_object_get(o, "type"));
  if (type == NULL) {
    return qb_fail(err, QB_BAD_INPUT, "%s:%zu: no 'type' (expected header, roof, roofs_done or case)", name,
                   line);
  }
  if (line == 1) {
    if (strcmp(type, "header") != 0) {
      return qb_fail(err, QB_BAD_INPUT,
                     "%s:1: the first line is a '%.40s', not the header (not a qbench journal?)", name, type);
    }
    qb_status s = qb__check_header(o, name, err);
    if (s == QB_OK) d->header = json_incref(o);
    return s;
  }
  if (strcmp(type, "roof") == 0) {
    const json_t* roof = json_object_get(o, "roof");
    if (!json_is_object(roof) || !json_is_string(json_object_get(roof, "name")) ||
        !json_is_string(json_object_get(roof, "size_class")) ||
        !qb__is_uint(json_object_get(roof, "threads"))) {
      return qb_fail(err, QB_BAD_INPUT, "%s:%zu: a roof without name, size_class and threads", name, line);
    }
    /* A resumed run that measured its roofs again: the later entry stands. */
    size_t i;
    json_t* old;
    json_array_foreach(d->roofs, i, old) {
      static const char* const keys[] = {"name", "size_class", "threads", "backend", "device", "bytes", "n"};
      bool same = true;
      for (size_t k = 0; k < sizeof keys / sizeof keys[0] && same; k++) {
        const json_t* a = json_object_get(old, keys[k]);
        const json_t* b = json_object_get(roof, keys[k]);
        same = (a == NULL && b == NULL) || (a != NULL && b != NULL && json_equal(a, b));
      }
      if (same) {
        json_array_set(d->roofs, i, (json_t*) roof);
        return QB_OK;
      }
    }
    if (json_array_size(d->roofs) >= QB_JOURNAL_MAX_ROOFS) {
      return qb_fail(err, QB_BAD_INPUT, "%s:%zu: more than %d roofs (a run measures a few dozen)", name, line,
                     QB_JOURNAL_MAX_ROOFS);
    }
    json_array_append(d->roofs, (json_t*) roof);
    return QB_OK;
  }
  if (strcmp(type, "roofs_done") == 0) {
    d->roofs_done = true;
    return QB_OK;
  }
  if (strcmp(type, "case") == 0) {
    const char* cname = json_string_value(json_object_get(o, "name"));
    if (cname == NULL || cname[0] == '\0')
      return qb_fail(err, QB_BAD_INPUT, "%s:%zu: a case without a name", name, line);
    if (json_object_get(d->by_name, cname) != NULL) {
      return qb_fail(err, QB_BAD_INPUT, "%s:%zu: case '%.200s' a second time", name, line, cname);
    }
    const json_t* rows = json_object_get(o, "rows");
    qb_status s = qb__check_rows(rows, cname, name, line, err);
    if (s != QB_OK) return s;
    /* The case's plan index (journals of older versions have none). */
    const json_t* index = json_object_get(o, "index");
    if (index != NULL && !qb__is_uint(index)) {
      return qb_fail(err, QB_BAD_INPUT, "%s:%zu: case '%.200s' has an index that is not a count", name, line,
                     cname);
    }
    json_t* c = json_pack("{s:s,s:O}", "name", cname, "rows", rows);
    if (index != NULL) json_object_set(c, "index", (json_t*) index);
    json_object_set(d->by_name, cname, c);
    json_array_append_new(d->cases, c);
    d->rows += json_array_size(rows);
    return QB_OK;
  }
  if (strcmp(type, "header") == 0) return qb_fail(err, QB_BAD_INPUT, "%s:%zu: a second header", name, line);
  return qb_fail(err, QB_BAD_INPUT, "%s:%zu: unknown type '%.40s' (expected roof, roofs_done or case)", name,
                 line, type);
}

qb_status qb_journal_parse(const char* buf, size_t len, const char* name, qb_journal_data* out,
                           qb_error* err) {
  memset(out, 0, sizeof *out);
  if ((uint64_t) len > QB_JOURNAL_MAX_BYTES) {
    return qb_fail(err, QB_BAD_INPUT, "%s: larger than %" PRIu64 " bytes (expected a qbench journal)", name,
                   QB_JOURNAL_MAX_BYTES);
  }
  out->roofs = json_array();
  out->cases = json_array();
  out->by_name = json_object();
  qb_status s = QB_OK;
  size_t at = 0, line = 0;
  while (at < len && s == QB_OK) {
    const char* start = buf + at;
    const char* nl = memchr(start, '\n', len - at);
    if (nl == NULL) {
      /* A line without its newline: the append a crash cut short. */
      out->torn_tail = true;
      break;
    }
    const size_t n = (size_t) (nl - start);
    line++;
    at += n + 1;
    json_error_t je;
    json_t* o = json_loadb(start, n, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(o)) {
      s = qb_fail(err, QB_BAD_INPUT, "%s:%zu: not a JSON object: %s", name, line,
                  o == NULL ? je.text : "another JSON value");
    } else {
      s = qb__take(out, o, name, line, err);
    }
    json_decref(o);
  }
  if (s == QB_OK && out->header == NULL) {
    s = qb_fail(err, QB_BAD_INPUT,
                "%s: empty (expected a qbench journal: a header line, then roofs and cases)", name);
  }
  out->lines = line;
  if (s != QB_OK) qb_journal_data_free(out);
  return s;
}

qb_status qb_journal_load(const char* path, qb_journal_data* out, qb_error* err) {
  memset(out, 0, sizeof *out);
  char* buf;
  size_t len;
  qb_status s = qb_file_read_all(path, QB_JOURNAL_MAX_BYTES, "a qbench journal", &buf, &len, err);
  if (s != QB_OK) return s;
  s = qb_journal_parse(buf, len, path, out, err);
  free(buf);
  return s;
}

const json_t* qb_journal_case_rows(const qb_journal_data* d, const char* name) {
  return json_object_get(json_object_get(d->by_name, name), "rows");
}

/* A case and where it goes: its plan index, then its place in the journal. */
typedef struct qb__placed {
  json_int_t index;
  size_t at;
} qb__placed;

static int qb__placed_cmp(const void* pa, const void* pb) {
  const qb__placed* a = pa;
  const qb__placed* b = pb;
  if (a->index != b->index) return a->index < b->index ? -1 : 1;
  return a->at < b->at ? -1 : a->at > b->at;
}

/* The journaled cases' order in the plan: their journal positions sorted by plan index
 * (malloc'd); NULL when some case has no index (an older journal: journal order, which
 * was the plan's) or memory is short. */
static size_t* qb__plan_order(const json_t* cases) {
  const size_t n = json_array_size(cases);
  qb__placed* p = malloc((n > 0 ? n : 1) * sizeof *p);
  size_t* order = malloc((n > 0 ? n : 1) * sizeof *order);
  bool all = p != NULL && order != NULL;
  for (size_t i = 0; all && i < n; i++) {
    const json_t* index = json_object_get(json_array_get(cases, i), "index");
    all = index != NULL;
    if (all) p[i] = (qb__placed){json_integer_value(index), i};
  }
  if (all) {
    qsort(p, n, sizeof *p, qb__placed_cmp);
    for (size_t i = 0; i < n; i++) order[i] = p[i].at;
  }
  free(p);
  if (!all) {
    free(order);
    return NULL;
  }
  return order;
}

json_t* qb_journal_results(const qb_journal_data* d, size_t* cases, size_t* error_rows, bool* incomplete) {
  json_t* ctx = json_deep_copy(json_object_get(d->header, "context"));
  json_t* q = json_object_get(ctx, "qbench");
  const json_int_t planned = json_integer_value(json_object_get(json_object_get(d->header, "plan"), "count"));
  *cases = json_array_size(d->cases);
  *incomplete = (json_int_t) *cases < planned;
  json_object_set_new(q, "incomplete", json_boolean(*incomplete));
  json_object_set_new(q, "recovered", json_true());
  json_object_set(q, "roofs", d->roofs);
  json_t* rows = json_array();
  *error_rows = 0;
  const size_t n = json_array_size(d->cases);
  size_t* order = qb__plan_order(d->cases);
  for (size_t i = 0; i < n; i++) {
    const json_t* c = json_array_get(d->cases, order != NULL ? order[i] : i);
    size_t k;
    json_t* r;
    json_array_foreach(json_object_get(c, "rows"), k, r) {
      const char* st = json_string_value(json_object_get(r, "status"));
      if (st != NULL && strcmp(st, "error") == 0) (*error_rows)++;
      json_array_append(rows, r);
    }
  }
  free(order);
  json_t* doc = json_object();
  json_object_set_new(doc, "context", ctx);
  json_object_set_new(doc, "benchmarks", rows);
  return doc;
}
