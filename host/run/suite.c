/* Suites: parsing, lookup, selection and size resolution (suite.h, suites/README.md). */
#include "run/suite.h"

#include "io/file.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "qb/build_config.h"

/* A suite file is a few dozen lines; anything this large is not one. */
#define QB__SUITE_MAX_FILE (1u << 20)
#define QB__SUITE_MAX_LINE 4096
#define QB__SUITE_MAX_THREADS_COUNT 4096u

static const char* const qb__round_names[] = {"pytorch", "tflite"};
static const char* const qb__class_names[] = {"", "L1", "L2", "L3", "DRAM"};

#define QB__KEYS                                                                      \
  "description, families, kernels, dtypes, sizes, distributions, backends, threads, " \
  "rounding, repetitions, min_time, seed"
#define QB__SIZE_EXPECT "an element count from 1 to 2^40 with an optional K/M/G suffix, or L1, L2, L3, DRAM"

const char* qb_suite_round_name(qb_round_mode r) {
  return (unsigned) r < sizeof qb__round_names / sizeof qb__round_names[0] ? qb__round_names[r] : NULL;
}

void qb_suite_defaults(qb_suite* s) {
  memset(s, 0, sizeof *s);
  s->repetitions = 3;
  s->min_time = 0.1;
  s->seed = 1;
}

/* The defaults of the lists apply only where the file gave none. */
static void qb__fill_list_defaults(qb_suite* s) {
  if (s->n_sizes == 0) s->sizes[s->n_sizes++] = (qb_size_spec){QB_SIZE_L2, 0};
  if (s->distributions == 0) s->distributions = 1u << QB_DIST_normal;
  for (int b = 0; s->backends == 0 && b < QB_BACKEND_COUNT; b++) {
    if (qb_backend_is_host((qb_backend_id) b)) s->backends |= 1u << b;
  }
  if (s->n_threads == 0) s->threads[s->n_threads++] = 1;
  if (s->rounding == 0) s->rounding = QB_SUITE_ROUND_BIT(QB_ROUND_PYTORCH);
}

void qb_suite_free(qb_suite* s) {
  if (s != NULL) memset(s, 0, sizeof *s);
}

/* ---- Parsing ---------------------------------------------------------------------- */

/* Where the parser stands, for messages. */
typedef struct qb__pos {
  const char* file;
  unsigned line;
} qb__pos;

static qb_status qb__perr(qb_error* err, const qb__pos* p, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));
static qb_status qb__perr(qb_error* err, const qb__pos* p, const char* fmt, ...) {
  char what[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  return qb_fail(err, QB_BAD_INPUT, "%s:%u: %s", p->file, p->line, what);
}

static bool qb__is_glob_char(char c) {
  return isalnum((unsigned char) c) || c == '_' || c == '*' || c == '?' || c == '[' || c == ']' || c == '!' ||
         c == '-';
}

/* Checks a glob's length and characters: names and glob syntax only, so that a typo
 * such as a stray quote is reported rather than silently matching nothing. */
static qb_status qb__check_glob(const qb__pos* p, const char* key, const char* v, qb_error* err) {
  if (strlen(v) >= QB_SUITE_MAX_PATTERN_LEN) {
    return qb__perr(err, p, "%s pattern '%.40s...' is too long (expected at most %d characters)", key, v,
                    QB_SUITE_MAX_PATTERN_LEN - 1);
  }
  for (const char* c = v; *c; c++) {
    if (!qb__is_glob_char(*c)) {
      return qb__perr(err, p,
                      "%s pattern '%s' has the character '%c' (expected letters, digits, '_', '-' and "
                      "the glob characters * ? [ ] !)",
                      key, v, *c);
    }
  }
  return QB_OK;
}

static bool qb__glob_matches_some_family(const char* glob) {
  for (int f = 0; f < QB_FAMILY_COUNT; f++) {
    if (fnmatch(glob, qb_family_get((qb_family) f)->name, 0) == 0) return true;
  }
  return false;
}

static qb_status qb__add_family(qb_suite* s, const qb__pos* p, const char* v, qb_error* err) {
  qb_status st = qb__check_glob(p, "families", v, err);
  if (st != QB_OK) return st;
  if (!qb__glob_matches_some_family(v)) {
    return qb__perr(err, p,
                    "unknown family '%s' (expected a family name or a glob matching one; see "
                    "'qbench list')",
                    v);
  }
  if (s->n_families == QB_SUITE_MAX_PATTERNS) {
    return qb__perr(err, p, "too many families patterns (expected at most %d)", QB_SUITE_MAX_PATTERNS);
  }
  snprintf(s->families[s->n_families++], QB_SUITE_MAX_PATTERN_LEN, "%s", v);
  return QB_OK;
}

static qb_status qb__add_kernel(qb_suite* s, const qb__pos* p, const char* v, qb_error* err) {
  qb_status st = qb__check_glob(p, "kernels", v, err);
  if (st != QB_OK) return st;
  const char* sep = strstr(v, "__");
  if (sep == NULL) {
    return qb__perr(err, p,
                    "kernel pattern '%s' has no '__' (expected FAMILY__VARIANT, e.g. "
                    "f32_f16_cvt__avx2_*)",
                    v);
  }
  char fam[QB_SUITE_MAX_PATTERN_LEN];
  snprintf(fam, sizeof fam, "%.*s", (int) (sep - v), v);
  if (!qb__glob_matches_some_family(fam)) {
    return qb__perr(err, p,
                    "kernel pattern '%s': unknown family '%s' (expected a family name or a glob "
                    "matching one; see 'qbench list')",
                    v, fam);
  }
  if (s->n_kernels == QB_SUITE_MAX_PATTERNS) {
    return qb__perr(err, p, "too many kernels patterns (expected at most %d)", QB_SUITE_MAX_PATTERNS);
  }
  snprintf(s->kernels[s->n_kernels++], QB_SUITE_MAX_PATTERN_LEN, "%s", v);
  return QB_OK;
}

static qb_status qb__add_dtype(qb_suite* s, const qb__pos* p, const char* v, qb_error* err) {
  qb_dtype t = qb_dtype_find(v);
  if (t == QB_DTYPE_none) {
    return qb__perr(err, p, "unknown dtype '%s' (expected a dtype token; see 'qbench dtypes')", v);
  }
  s->dtypes |= UINT64_C(1) << t;
  return QB_OK;
}

/* A decimal count with an optional binary K/M/G suffix, strictly: no sign, no spaces,
 * no fraction. Returns false with *why set. */
static bool qb__parse_count(const char* v, uint64_t* out, const char** why) {
  if (v[0] == '-') {
    *why = "negative";
    return false;
  }
  if (!isdigit((unsigned char) v[0])) {
    *why = "not a number";
    return false;
  }
  uint64_t x = 0;
  const char* c = v;
  for (; isdigit((unsigned char) *c); c++) {
    if (x > (UINT64_MAX - 9) / 10) {
      *why = "too large";
      return false;
    }
    x = x * 10 + (uint64_t) (*c - '0');
  }
  unsigned shift = 0;
  switch (*c) {
    case 'K':
    case 'k':
      shift = 10;
      c++;
      break;
    case 'M':
    case 'm':
      shift = 20;
      c++;
      break;
    case 'G':
    case 'g':
      shift = 30;
      c++;
      break;
    default:
      break;
  }
  if (*c != '\0') {
    *why = "not a number";
    return false;
  }
  if (x == 0) {
    *why = "zero";
    return false;
  }
  if (x > (QB_SUITE_MAX_ELEMENTS >> shift)) {
    *why = "too large";
    return false;
  }
  *out = x << shift;
  return true;
}

static qb_status qb__add_size(qb_suite* s, const qb__pos* p, const char* v, qb_error* err) {
  qb_size_spec spec = {QB_SIZE_ELEMENTS, 0};
  bool found = false;
  for (int k = QB_SIZE_L1; k <= QB_SIZE_DRAM; k++) {
    if (strcasecmp(v, qb__class_names[k]) == 0) {
      spec.kind = (qb_size_kind) k;
      found = true;
    }
  }
  const char* why = NULL;
  if (!found && !qb__parse_count(v, &spec.elements, &why)) {
    return qb__perr(err, p, "size '%s' is %s (expected %s)", v, why, QB__SIZE_EXPECT);
  }
  for (size_t i = 0; i < s->n_sizes; i++) {
    if (s->sizes[i].kind == spec.kind && s->sizes[i].elements == spec.elements) {
      return qb__perr(err, p, "size '%s' given twice (expected each size once)", v);
    }
  }
  if (s->n_sizes == QB_SUITE_MAX_SIZES) {
    return qb__perr(err, p, "too many sizes (expected at most %d)", QB_SUITE_MAX_SIZES);
  }
  s->sizes[s->n_sizes++] = spec;
  return QB_OK;
}

static qb_status qb__add_dist(qb_suite* s, const qb__pos* p, const char* v, qb_error* err) {
  qb_dist d = qb_dist_find(v);
  if (d == QB_DIST_COUNT) {
    return qb__perr(err, p,
                    "unknown distribution '%s' (expected uniform, normal, laplace, outliers or "
                    "constant)",
                    v);
  }
  s->distributions |= 1u << d;
  return QB_OK;
}

static qb_status qb__add_backend(qb_suite* s, const qb__pos* p, const char* v, qb_error* err) {
  const qb_backend_id b = qb_backend_find(v);
  if (b != QB_BACKEND_COUNT) {
    s->backends |= 1u << b;
    return QB_OK;
  }
  char names[256];
  qb_backend_names(names, sizeof names);
  return qb__perr(err, p, "unknown backend '%s' (expected %s)", v, names);
}

static qb_status qb__add_round(qb_suite* s, const qb__pos* p, const char* v, qb_error* err) {
  for (unsigned r = 0; r < sizeof qb__round_names / sizeof qb__round_names[0]; r++) {
    if (strcmp(v, qb__round_names[r]) == 0) {
      s->rounding |= QB_SUITE_ROUND_BIT(r);
      return QB_OK;
    }
  }
  return qb__perr(err, p, "unknown rounding '%s' (expected pytorch or tflite)", v);
}

static qb_status qb__add_threads(qb_suite* s, const qb__pos* p, const char* v, qb_error* err) {
  unsigned t = QB_SUITE_THREADS_ALL;
  if (strcmp(v, "1..all") == 0) {
    t = QB_SUITE_THREADS_SCALING;
  } else if (strcmp(v, "all") != 0) {
    uint64_t x;
    const char* why = NULL;
    if (!qb__parse_count(v, &x, &why) || x > QB__SUITE_MAX_THREADS_COUNT) {
      return qb__perr(err, p, "threads '%s' is %s (expected 'all', '1..all' or a count from 1 to %u)", v,
                      why ? why : "too large", QB__SUITE_MAX_THREADS_COUNT);
    }
    t = (unsigned) x;
  }
  for (size_t i = 0; i < s->n_threads; i++) {
    if (s->threads[i] == t) return qb__perr(err, p, "threads '%s' given twice (expected each count once)", v);
  }
  if (s->n_threads == QB_SUITE_MAX_THREADS) {
    return qb__perr(err, p, "too many thread counts (expected at most %d)", QB_SUITE_MAX_THREADS);
  }
  s->threads[s->n_threads++] = t;
  return QB_OK;
}

typedef qb_status qb__add_fn(qb_suite* s, const qb__pos* p, const char* v, qb_error* err);

/* Splits a value list on blanks and commas and hands each item to `add`. */
static qb_status qb__each_item(qb_suite* s, const qb__pos* p, const char* key, char* values, qb__add_fn* add,
                               qb_error* err) {
  int count = 0;
  for (char *save = NULL, *tok = strtok_r(values, " \t,", &save); tok; tok = strtok_r(NULL, " \t,", &save)) {
    qb_status st = add(s, p, tok, err);
    if (st != QB_OK) return st;
    count++;
  }
  if (count == 0) return qb__perr(err, p, "no value for '%s' (expected one or more values)", key);
  return QB_OK;
}

/* Exactly one token. */
static qb_status qb__single(const qb__pos* p, const char* key, char* values, char** out, qb_error* err) {
  char* save = NULL;
  char* tok = strtok_r(values, " \t", &save);
  if (tok == NULL) return qb__perr(err, p, "no value for '%s' (expected one value)", key);
  char* extra = strtok_r(NULL, " \t", &save);
  if (extra != NULL) return qb__perr(err, p, "'%s' has more than one value (expected one value)", key);
  *out = tok;
  return QB_OK;
}

static qb_status qb__parse_scalar(qb_suite* s, const qb__pos* p, const char* key, char* values,
                                  qb_error* err) {
  char* v = NULL;
  qb_status st = qb__single(p, key, values, &v, err);
  if (st != QB_OK) return st;
  if (strcmp(key, "repetitions") == 0) {
    uint64_t x;
    const char* why = NULL;
    if (!qb__parse_count(v, &x, &why) || x > QB_SUITE_MAX_REPETITIONS) {
      return qb__perr(err, p, "repetitions '%s' is %s (expected a count from 1 to %d)", v,
                      why ? why : "too large", QB_SUITE_MAX_REPETITIONS);
    }
    s->repetitions = (unsigned) x;
  } else if (strcmp(key, "min_time") == 0) {
    char* end;
    errno = 0;
    double x = strtod(v, &end);
    if (end == v || *end != '\0' || errno != 0 || !isfinite(x) || x <= 0 || x > QB_SUITE_MAX_MIN_TIME) {
      return qb__perr(err, p,
                      "min_time '%s' is not a valid time (expected seconds, a finite number > 0 and "
                      "<= %g)",
                      v, QB_SUITE_MAX_MIN_TIME);
    }
    s->min_time = x;
  } else {
    /* seed: any 64-bit value, decimal. */
    char* end;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 10);
    if (!isdigit((unsigned char) v[0]) || *end != '\0' || errno != 0) {
      return qb__perr(err, p, "seed '%s' is not a number (expected a decimal integer from 0 to 2^64-1)", v);
    }
    s->seed = (uint64_t) x;
  }
  return QB_OK;
}

/* Keys that may appear once; list keys may repeat and append. */
enum { QB__SEEN_DESCRIPTION = 1, QB__SEEN_REPETITIONS = 2, QB__SEEN_MIN_TIME = 4, QB__SEEN_SEED = 8 };

static qb_status qb__parse_line(qb_suite* s, const qb__pos* p, char* line, unsigned* seen, qb_error* err) {
  char* eq = strchr(line, '=');
  if (eq == NULL) {
    return qb__perr(err, p, "'%.60s' has no '=' (expected KEY = VALUE)", line);
  }
  *eq = '\0';
  char* key = line;
  char* values = eq + 1;
  /* Trim the key; keys are single words. */
  while (*key == ' ' || *key == '\t') key++;
  char* kend = key + strlen(key);
  while (kend > key && (kend[-1] == ' ' || kend[-1] == '\t')) *--kend = '\0';
  if (*key == '\0') return qb__perr(err, p, "no key before '=' (expected KEY = VALUE)");

  static const struct {
    const char* key;
    qb__add_fn* add;
  } lists[] = {{"families", qb__add_family}, {"kernels", qb__add_kernel},     {"dtypes", qb__add_dtype},
               {"sizes", qb__add_size},      {"distributions", qb__add_dist}, {"backends", qb__add_backend},
               {"threads", qb__add_threads}, {"rounding", qb__add_round}};
  for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
    if (strcmp(key, lists[i].key) == 0) return qb__each_item(s, p, key, values, lists[i].add, err);
  }

  static const struct {
    const char* key;
    unsigned bit;
  } once[] = {{"description", QB__SEEN_DESCRIPTION},
              {"repetitions", QB__SEEN_REPETITIONS},
              {"min_time", QB__SEEN_MIN_TIME},
              {"seed", QB__SEEN_SEED}};
  for (size_t i = 0; i < sizeof once / sizeof once[0]; i++) {
    if (strcmp(key, once[i].key) != 0) continue;
    if (*seen & once[i].bit) return qb__perr(err, p, "'%s' given twice (expected it once)", key);
    *seen |= once[i].bit;
    if (once[i].bit != QB__SEEN_DESCRIPTION) return qb__parse_scalar(s, p, key, values, err);
    while (*values == ' ' || *values == '\t') values++;
    size_t vlen = strlen(values);
    while (vlen > 0 && (values[vlen - 1] == ' ' || values[vlen - 1] == '\t')) values[--vlen] = '\0';
    if (strlen(values) >= sizeof s->description) {
      return qb__perr(err, p, "description is too long (expected at most %zu characters)",
                      sizeof s->description - 1);
    }
    snprintf(s->description, sizeof s->description, "%s", values);
    return QB_OK;
  }
  return qb__perr(err, p, "unknown key '%.60s' (expected one of: " QB__KEYS ")", key);
}

/* "dir/quick.suite" -> "quick". */
static void qb__suite_name(const char* filename, char* buf, size_t len) {
  const char* base = strrchr(filename, '/');
  base = base ? base + 1 : filename;
  size_t n = strlen(base);
  if (n > 6 && strcmp(base + n - 6, ".suite") == 0) n -= 6;
  snprintf(buf, len, "%.*s", (int) n, base);
}

/* Whether at least one family passes every filter: a suite that selects nothing is a
 * mistake in the file, not an empty run. */
static bool qb__selects_some_family(const qb_suite* s) {
  for (int f = 0; f < QB_FAMILY_COUNT; f++) {
    if (qb_suite_matches_family(s, qb_family_get((qb_family) f))) return true;
  }
  return false;
}

qb_status qb_suite_parse(const char* text, const char* filename, qb_suite* s, qb_error* err) {
  qb_suite_defaults(s);
  qb__suite_name(filename, s->name, sizeof s->name);
  qb__pos p = {filename, 0};
  unsigned seen = 0;
  char line[QB__SUITE_MAX_LINE + 1];
  const char* c = text;
  while (*c != '\0') {
    p.line++;
    const char* eol = strchr(c, '\n');
    size_t len = eol ? (size_t) (eol - c) : strlen(c);
    if (len > QB__SUITE_MAX_LINE) {
      return qb__perr(err, &p, "line is %zu characters long (expected at most %d)", len, QB__SUITE_MAX_LINE);
    }
    memcpy(line, c, len);
    line[len] = '\0';
    c += len + (eol ? 1 : 0);
    /* CRLF is a line end; a CR anywhere else (old Mac line endings) would hide every
     * line after it inside this one: an error that names the line. */
    if (len > 0 && line[len - 1] == '\r') line[len - 1] = '\0';
    if (strchr(line, '\r') != NULL) {
      return qb__perr(err, &p,
                      "a carriage return inside the line (CR-only line endings? expected LF or CRLF)");
    }
    char* hash = strchr(line, '#');
    if (hash) *hash = '\0';
    const char* t = line;
    while (*t == ' ' || *t == '\t') t++;
    if (*t == '\0') continue;
    qb_status st = qb__parse_line(s, &p, line, &seen, err);
    if (st != QB_OK) return st;
  }
  qb__fill_list_defaults(s);
  if (!qb__selects_some_family(s)) {
    return qb_fail(err, QB_BAD_INPUT,
                   "%s: selects no family (expected families, kernels and dtypes that "
                   "some family passes together)",
                   filename);
  }
  return QB_OK;
}

/* ---- Loading ---------------------------------------------------------------------- */

static qb_status qb__read_file(const char* path, char** out, qb_error* err) {
  size_t n;
  /* A regular file only (a FIFO would block, /dev/zero never end), measured first. */
  qb_status st = qb_file_read_all(path, QB__SUITE_MAX_FILE, "a suite file", out, &n, err);
  if (st == QB_OK && memchr(*out, '\0', n) != NULL) {
    free(*out);
    *out = NULL;
    st = qb_fail(err, QB_BAD_INPUT, "%s: holds a NUL byte (expected a text file)", path);
  }
  return st;
}

static bool qb__is_file(const char* path) {
  return access(path, R_OK) == 0;
}

/* Appends, truncating at len. */
static void qb__append(char* buf, size_t len, const char* text) {
  size_t used = strlen(buf), add = strlen(text);
  if (used + 1 >= len) return;
  if (add > len - used - 1) add = len - used - 1;
  memcpy(buf + used, text, add);
  buf[used + add] = '\0';
}

/* The directory of the running executable, "" when unknown. */
static void qb__exe_dir(char* buf, size_t len) {
  buf[0] = '\0';
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return;
  exe[n] = '\0';
  char* slash = strrchr(exe, '/');
  if (slash == NULL) return;
  *slash = '\0';
  snprintf(buf, len, "%s", exe);
}

/* Finds <dir>/<name>.suite in the search order of suite.h; "" when in none. `tried`
 * lists the places for the message. */
static void qb__resolve(const char* name, char* path, size_t len, char* tried, size_t tried_len) {
  char exe_dir[PATH_MAX];
  qb__exe_dir(exe_dir, sizeof exe_dir);
  const char* env = getenv("QBENCH_SUITES_DIR");
  char dirs[4][PATH_MAX];
  int n = 0;
  if (env != NULL && env[0] != '\0') snprintf(dirs[n++], PATH_MAX, "%s", env);
  /* An installed binary's own suites come before the source tree it was built from
   * (which may have moved on, or be gone). */
  if (exe_dir[0]) {
    snprintf(dirs[n++], PATH_MAX, "%.*s/../share/qbench/suites", PATH_MAX - 26, exe_dir);
    snprintf(dirs[n++], PATH_MAX, "%.*s/suites", PATH_MAX - 8, exe_dir);
  }
  snprintf(dirs[n++], PATH_MAX, "%s/suites", QB_SOURCE_DIR);
  path[0] = '\0';
  tried[0] = '\0';
  for (int i = 0; i < n; i++) {
    snprintf(path, len, "%.*s/%s.suite", PATH_MAX - 8, dirs[i], name);
    if (qb__is_file(path)) return;
    if (tried[0]) qb__append(tried, tried_len, ", ");
    qb__append(tried, tried_len, dirs[i]);
  }
  path[0] = '\0';
}

qb_status qb_suite_load(const char* name_or_path, qb_suite* s, qb_error* err) {
  qb_suite_defaults(s);
  size_t nlen = strlen(name_or_path);
  bool bare =
      strchr(name_or_path, '/') == NULL && !(nlen > 6 && strcmp(name_or_path + nlen - 6, ".suite") == 0);
  char path[PATH_MAX];
  if (bare) {
    if (nlen == 0)
      return qb_fail(err, QB_BAD_INPUT, "empty suite name (expected a name like 'quick' or a path)");
    char tried[3 * PATH_MAX];
    qb__resolve(name_or_path, path, sizeof path, tried, sizeof tried);
    if (path[0] == '\0') {
      return qb_fail(err, QB_IO, "suite '%s' not found (expected %s.suite in one of: %s)", name_or_path,
                     name_or_path, tried);
    }
  } else {
    if (nlen >= sizeof s->path) {
      return qb_fail(err, QB_BAD_INPUT, "%s: the suite path is %zu bytes long (at most %zu)", name_or_path,
                     nlen, sizeof s->path - 1);
    }
    snprintf(path, sizeof path, "%s", name_or_path);
  }
  char* text;
  qb_status st = qb__read_file(path, &text, err);
  if (st != QB_OK) return st;
  st = qb_suite_parse(text, path, s, err);
  free(text);
  if (st == QB_OK) snprintf(s->path, sizeof s->path, "%s", path);
  return st;
}

/* ---- Selection -------------------------------------------------------------------- */

static bool qb__has_dtype(uint64_t mask, qb_dtype t) {
  return t != QB_DTYPE_none && (mask >> t) & 1u;
}

bool qb_suite_matches_family(const qb_suite* s, const qb_family_info* f) {
  bool by_name = s->n_families == 0;
  for (size_t i = 0; i < s->n_families && !by_name; i++) by_name = fnmatch(s->families[i], f->name, 0) == 0;
  if (!by_name) return false;
  if (s->dtypes != 0 && !qb__has_dtype(s->dtypes, f->in) && !qb__has_dtype(s->dtypes, f->in2) &&
      !qb__has_dtype(s->dtypes, f->out)) {
    return false;
  }
  if (s->n_kernels == 0) return true;
  for (size_t i = 0; i < s->n_kernels; i++) {
    /* The family part of a kernel glob is what precedes its first "__" (parse checked
     * that there is one). */
    const char* sep = strstr(s->kernels[i], "__");
    char fam[QB_SUITE_MAX_PATTERN_LEN];
    snprintf(fam, sizeof fam, "%.*s", (int) (sep - s->kernels[i]), s->kernels[i]);
    if (fnmatch(fam, f->name, 0) == 0) return true;
  }
  return false;
}

bool qb_suite_matches_kernel(const qb_suite* s, const char* stable_name) {
  const char* sep = strstr(stable_name, "__");
  if (sep == NULL || sep - stable_name >= 64) return false;
  char fam[64];
  snprintf(fam, sizeof fam, "%.*s", (int) (sep - stable_name), stable_name);
  qb_family id = qb_family_find(fam);
  if (id == QB_FAMILY_COUNT || !qb_suite_matches_family(s, qb_family_get(id))) return false;
  if (s->n_kernels == 0) return true;
  for (size_t i = 0; i < s->n_kernels; i++) {
    if (fnmatch(s->kernels[i], stable_name, 0) == 0) return true;
  }
  return false;
}

/* ---- Sizes ------------------------------------------------------------------------ */

/*
 * Bits per element for sizing, in 64ths of a bit (block formats move fractional bits:
 * q8_0 moves 8.5): the family's bytes-moved formula.
 * A family that moves no memory (the compute peaks) still has buffers, so it is sized by
 * their storage: the inputs, and the output of a unary kernel (a dot's single output is
 * negligible).
 */
static uint64_t qb__bits64_per_element(const qb_family_info* f) {
  const double moved = f->in_bits + f->in2_bits + f->out_bits;
  if (moved != 0) return (uint64_t) ceil(moved * 64.0);
  uint64_t bits = qb_dtype_get(f->in)->bits;
  if (f->in2 != QB_DTYPE_none) bits += qb_dtype_get(f->in2)->bits;
  if (f->kind == QB_KIND_unary) bits += qb_dtype_get(f->out)->bits;
  return bits * 64;
}

/* The cache size a class is measured against (the last level for L3 and DRAM). */
static uint64_t qb__class_bytes(qb_size_kind k, const qb_topo* t) {
  switch (k) {
    case QB_SIZE_L1:
      return t->l1d_used;
    case QB_SIZE_L2:
      return t->l2_used;
    case QB_SIZE_L3:
    case QB_SIZE_DRAM:
      return t->l3_used ? t->l3_used : t->l2_used;
    default:
      return 0;
  }
}

/*
 * Whether a cache class may shrink n to the family's max_n: the smaller case still fits
 * that cache, and it is still that class's case when its bytes exceed the level below
 * (L1 has none). DRAM never shrinks: smaller would no longer be out of cache.
 */
static bool qb__clamp_keeps_class(qb_size_kind k, const qb_topo* t, const qb_family_info* f) {
  const uint64_t m = f->n_multiple ? f->n_multiple : 1;
  const double bytes = qb_family_bytes(f, f->max_n / m * m);
  switch (k) {
    case QB_SIZE_L1:
      return true;
    case QB_SIZE_L2:
      return bytes > (double) t->l1d_used;
    case QB_SIZE_L3:
      return bytes > (double) t->l2_used;
    default:
      return false;
  }
}

qb_status qb_suite_resolve_size(const qb_size_spec* spec, const qb_topo* topo, const qb_family_info* f,
                                uint64_t* n, qb_error* err) {
  const uint64_t m = f->n_multiple ? f->n_multiple : 1;
  const uint64_t bits = qb__bits64_per_element(f); /* 64ths of a bit */
  uint64_t x;
  if (spec->kind == QB_SIZE_ELEMENTS) {
    if (spec->elements == 0 || spec->elements > QB_SUITE_MAX_ELEMENTS) {
      return qb_fail(err, QB_BAD_INPUT, "size %" PRIu64 " is out of range (expected 1 to 2^40 elements)",
                     spec->elements);
    }
    x = (spec->elements + m - 1) / m * m;
  } else if (spec->kind >= QB_SIZE_L1 && spec->kind <= QB_SIZE_DRAM) {
    const uint64_t cache = qb__class_bytes(spec->kind, topo);
    if (cache == 0 || bits == 0) {
      return qb_fail(err, QB_BAD_INPUT,
                     "size %s for %s: the cache size is unknown (expected it detected or "
                     "given with --caches)",
                     qb__class_names[spec->kind], f->name);
    }
    if (spec->kind == QB_SIZE_DRAM) {
      /* At least DRAM_FACTOR x the last level: round the count and then n up. */
      /* In exact bits per element: 64ths rounded up would undershoot for a format whose
       * metadata is finer than 1/64 bit per element (one f32 per 128 x 128 tile). */
      const double moved = f->in_bits + f->in2_bits + f->out_bits;
      x = (uint64_t) ceil((double) cache * QB_SUITE_DRAM_FACTOR * 8.0 /
                          (moved != 0 ? moved : (double) bits / 64.0));
      x = (x + m - 1) / m * m;
    } else {
      /* Half the level, so the case fits beside the stack, the code and the other
       * buffers: round down, but never below one multiple. */
      x = cache / 2 * 8 * 64 / bits / m * m;
      if (x == 0) x = m;
    }
  } else {
    return qb_fail(err, QB_BAD_INPUT, "size kind %d is invalid (expected L1, L2, L3, DRAM or a count)",
                   (int) spec->kind);
  }
  if (x > f->max_n && qb__clamp_keeps_class(spec->kind, topo, f)) {
    x = f->max_n / m * m;
  }
  if (x > f->max_n) {
    char what[32];
    qb_suite_size_string(spec, what, sizeof what);
    return qb_fail(err, QB_SKIPPED,
                   "%s needs n=%" PRIu64 " but %s allows at most n=%" PRIu64
                   " (its accumulator would overflow)",
                   what, x, f->name, f->max_n);
  }
  *n = x;
  return QB_OK;
}

const char* qb_suite_size_class(const qb_size_spec* spec, const qb_topo* topo, const qb_family_info* f,
                                uint64_t n) {
  if (spec->kind >= QB_SIZE_L1 && spec->kind <= QB_SIZE_DRAM) return qb__class_names[spec->kind];
  const double bytes = qb_family_bytes(f, n);
  if (bytes <= (double) topo->l1d_used) return "L1";
  if (bytes <= (double) topo->l2_used) return "L2";
  if (bytes <= (double) qb__class_bytes(QB_SIZE_L3, topo)) return "L3";
  return "DRAM";
}

void qb_suite_size_string(const qb_size_spec* spec, char* buf, size_t len) {
  if (spec->kind >= QB_SIZE_L1 && spec->kind <= QB_SIZE_DRAM) {
    snprintf(buf, len, "%s", qb__class_names[spec->kind]);
    return;
  }
  const uint64_t e = spec->elements;
  if (e != 0 && e % (UINT64_C(1) << 30) == 0) {
    snprintf(buf, len, "%" PRIu64 "G", e >> 30);
  } else if (e != 0 && e % (UINT64_C(1) << 20) == 0) {
    snprintf(buf, len, "%" PRIu64 "M", e >> 20);
  } else if (e != 0 && e % (UINT64_C(1) << 10) == 0) {
    snprintf(buf, len, "%" PRIu64 "K", e >> 10);
  } else {
    snprintf(buf, len, "%" PRIu64, e);
  }
}
