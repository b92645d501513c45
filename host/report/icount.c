/* Instructions per element: the counts file, callgrind's dumps, base against head (icount.h). */
#include "report/icount.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/file.h"

#define QB__ICOUNT_FORMAT "qbench-icount"
#define QB__ICOUNT_FORMAT_VERSION 1
/* A counts file holds a few hundred kernels: a few tens of KiB. */
#define QB__ICOUNT_MAX_BYTES (16u << 20)

static char* qb__dup(const char* s) {
  return strdup(s != NULL ? s : "");
}

qb_status qb_icount_init(qb_icount_set* s, const char* tool, const char* isa_cap, const char* version,
                         qb_error* err) {
  memset(s, 0, sizeof *s);
  s->tool = qb__dup(tool);
  s->isa_cap = qb__dup(isa_cap);
  s->version = qb__dup(version);
  if (s->tool == NULL || s->isa_cap == NULL || s->version == NULL) {
    qb_icount_free(s);
    return qb_fail(err, QB_NO_MEMORY, "out of memory for a counts set");
  }
  return QB_OK;
}

qb_status qb_icount_add(qb_icount_set* s, const char* kernel, const char* isa, uint64_t n,
                        uint64_t instructions, qb_error* err) {
  qb_icount_entry* e = realloc(s->e, (s->count + 1) * sizeof *e);
  if (e == NULL) return qb_fail(err, QB_NO_MEMORY, "out of memory for the counts of '%s'", kernel);
  s->e = e;
  e = &s->e[s->count];
  e->kernel = qb__dup(kernel);
  e->isa = qb__dup(isa);
  e->n = n;
  e->instructions = instructions;
  if (e->kernel == NULL || e->isa == NULL) {
    free(e->kernel);
    free(e->isa);
    return qb_fail(err, QB_NO_MEMORY, "out of memory for the counts of '%s'", kernel);
  }
  s->count++;
  return QB_OK;
}

qb_status qb_icount_add_skipped(qb_icount_set* s, const char* kernel, const char* reason, qb_error* err) {
  qb_icount_skip* k = realloc(s->skipped, (s->n_skipped + 1) * sizeof *k);
  if (k == NULL) return qb_fail(err, QB_NO_MEMORY, "out of memory for '%s'", kernel);
  s->skipped = k;
  k = &s->skipped[s->n_skipped];
  k->kernel = qb__dup(kernel);
  k->reason = qb__dup(reason);
  if (k->kernel == NULL || k->reason == NULL) {
    free(k->kernel);
    free(k->reason);
    return qb_fail(err, QB_NO_MEMORY, "out of memory for '%s'", kernel);
  }
  s->n_skipped++;
  return QB_OK;
}

/* *name = a copy of to when it is from; false when out of memory. */
static bool qb__rename_one(char** name, const char* from, const char* to) {
  if (strcmp(*name, from) != 0) return true;
  char* copy = qb__dup(to);
  if (copy == NULL) return false;
  free(*name);
  *name = copy;
  return true;
}

qb_status qb_icount_rename(qb_icount_set* s, const char* from, const char* to, qb_error* err) {
  bool ok = true;
  for (size_t i = 0; ok && i < s->count; i++) ok = qb__rename_one(&s->e[i].kernel, from, to);
  for (size_t i = 0; ok && i < s->n_skipped; i++) ok = qb__rename_one(&s->skipped[i].kernel, from, to);
  return ok ? QB_OK : qb_fail(err, QB_NO_MEMORY, "out of memory renaming '%s'", from);
}

void qb_icount_free(qb_icount_set* s) {
  for (size_t i = 0; i < s->count; i++) {
    free(s->e[i].kernel);
    free(s->e[i].isa);
  }
  for (size_t i = 0; i < s->n_skipped; i++) {
    free(s->skipped[i].kernel);
    free(s->skipped[i].reason);
  }
  free(s->e);
  free(s->skipped);
  free(s->tool);
  free(s->isa_cap);
  free(s->version);
  memset(s, 0, sizeof *s);
}

/* The rest of the line after `key` at the start of a line of text, or NULL. */
static const char* qb__line_after(const char* text, const char* key, size_t* len) {
  size_t k = strlen(key);
  for (const char* p = text; p != NULL && *p;) {
    if (strncmp(p, key, k) == 0) {
      const char* v = p + k;
      *len = strcspn(v, "\r\n");
      return v;
    }
    p = strchr(p, '\n');
    if (p != NULL) p++;
  }
  return NULL;
}

static bool qb__parse_count(const char* v, size_t len, uint64_t* out) {
  while (len && *v == ' ') v++, len--;
  if (len == 0 || *v < '0' || *v > '9') return false;
  uint64_t x = 0;
  for (; len && *v >= '0' && *v <= '9'; v++, len--) {
    if (x > (UINT64_MAX - 9) / 10) return false;
    x = x * 10 + (uint64_t) (*v - '0');
  }
  /* Only the first event column counts (callgrind's default events: Ir alone). */
  if (len && *v != ' ') return false;
  *out = x;
  return true;
}

bool qb_icount_parse_dump(const char* text, char* name, size_t name_len, uint64_t* ir, char* tool,
                          size_t tool_len) {
  size_t len;
  const char* t = qb__line_after(text, "creator: ", &len);
  if (tool != NULL && t != NULL && len < tool_len) {
    memcpy(tool, t, len);
    tool[len] = '\0';
  }
  const char* v = qb__line_after(text, "desc: Trigger: Client Request: ", &len);
  if (v == NULL || len == 0 || len >= name_len) return false;
  memcpy(name, v, len);
  name[len] = '\0';
  const char* c = qb__line_after(text, "summary:", &len);
  if (c == NULL) c = qb__line_after(text, "totals:", &len);
  return c != NULL && qb__parse_count(c, len, ir);
}

qb_status qb_icount_write(FILE* f, const qb_icount_set* s, qb_error* err) {
  json_t* kernels = json_array();
  json_t* skipped = json_array();
  json_t* doc = NULL;
  if (kernels == NULL || skipped == NULL) goto oom;
  for (size_t i = 0; i < s->count; i++) {
    const qb_icount_entry* e = &s->e[i];
    json_t* o = json_pack("{s:s, s:s, s:I, s:I, s:f}", "kernel", e->kernel, "isa", e->isa, "n",
                          (json_int_t) e->n, "instructions", (json_int_t) e->instructions, "per_element",
                          e->n ? (double) e->instructions / (double) e->n : 0.0);
    if (o == NULL || json_array_append_new(kernels, o) != 0) goto oom;
  }
  for (size_t i = 0; i < s->n_skipped; i++) {
    json_t* o = json_pack("{s:s, s:s}", "kernel", s->skipped[i].kernel, "reason", s->skipped[i].reason);
    if (o == NULL || json_array_append_new(skipped, o) != 0) goto oom;
  }
  doc = json_pack("{s:s, s:i, s:s, s:s, s:s, s:o, s:o}", "format", QB__ICOUNT_FORMAT, "format_version",
                  QB__ICOUNT_FORMAT_VERSION, "tool", s->tool, "isa_cap", s->isa_cap, "qbench_version",
                  s->version, "kernels", kernels, "not_counted", skipped);
  kernels = skipped = NULL;
  if (doc == NULL) goto oom;
  int rc = json_dumpf(doc, f, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
  json_decref(doc);
  if (rc != 0 || fputc('\n', f) == EOF || ferror(f)) return qb_fail(err, QB_IO, "writing the counts failed");
  return QB_OK;
oom:
  json_decref(kernels);
  json_decref(skipped);
  return qb_fail(err, QB_NO_MEMORY, "out of memory writing the counts");
}

qb_status qb_icount_load(const char* path, qb_icount_set* s, qb_error* err) {
  char* text = NULL;
  size_t len;
  memset(s, 0, sizeof *s);
  qb_status st = qb_file_read_all(path, QB__ICOUNT_MAX_BYTES, "a qbench icount file", &text, &len, err);
  if (st != QB_OK) return st;
  json_error_t je;
  json_t* doc = json_loadb(text, len, 0, &je);
  free(text);
  if (doc == NULL) return qb_fail(err, QB_BAD_INPUT, "%s:%d: not JSON: %s", path, je.line, je.text);
  const char *format, *tool, *cap, *version;
  int fv;
  json_t *kernels, *skipped;
  if (json_unpack_ex(doc, &je, 0, "{s:s, s:i, s:s, s:s, s:s, s:o, s:o}", "format", &format, "format_version",
                     &fv, "tool", &tool, "isa_cap", &cap, "qbench_version", &version, "kernels", &kernels,
                     "not_counted", &skipped) != 0) {
    st = qb_fail(err, QB_BAD_INPUT, "%s: not a qbench icount file: %s", path, je.text);
    goto done;
  }
  if (strcmp(format, QB__ICOUNT_FORMAT) != 0 || fv != QB__ICOUNT_FORMAT_VERSION) {
    st = qb_fail(err, QB_BAD_INPUT, "%s: format '%s' version %d, expected '%s' version %d", path, format, fv,
                 QB__ICOUNT_FORMAT, QB__ICOUNT_FORMAT_VERSION);
    goto done;
  }
  if (!json_is_array(kernels) || !json_is_array(skipped)) {
    st = qb_fail(err, QB_BAD_INPUT, "%s: 'kernels' and 'not_counted' must be arrays", path);
    goto done;
  }
  if ((st = qb_icount_init(s, tool, cap, version, err)) != QB_OK) goto done;
  size_t i;
  json_t* o;
  json_array_foreach(kernels, i, o) {
    const char *kernel, *isa;
    json_int_t n, ir;
    double pe;
    if (json_unpack_ex(o, &je, 0, "{s:s, s:s, s:I, s:I, s:F}", "kernel", &kernel, "isa", &isa, "n", &n,
                       "instructions", &ir, "per_element", &pe) != 0 ||
        n <= 0 || ir < 0) {
      st = qb_fail(err, QB_BAD_INPUT, "%s: kernels[%zu]: %s", path, i,
                   n <= 0 || ir < 0 ? "n must be > 0 and instructions >= 0" : je.text);
      goto done;
    }
    for (size_t j = 0; j < s->count; j++) {
      if (strcmp(s->e[j].kernel, kernel) == 0) {
        st = qb_fail(err, QB_BAD_INPUT, "%s: kernel '%s' counted twice", path, kernel);
        goto done;
      }
    }
    if ((st = qb_icount_add(s, kernel, isa, (uint64_t) n, (uint64_t) ir, err)) != QB_OK) goto done;
  }
  json_array_foreach(skipped, i, o) {
    const char *kernel, *reason;
    if (json_unpack_ex(o, &je, 0, "{s:s, s:s}", "kernel", &kernel, "reason", &reason) != 0) {
      st = qb_fail(err, QB_BAD_INPUT, "%s: not_counted[%zu]: %s", path, i, je.text);
      goto done;
    }
    if ((st = qb_icount_add_skipped(s, kernel, reason, err)) != QB_OK) goto done;
  }
done:
  json_decref(doc);
  if (st != QB_OK) qb_icount_free(s);
  return st;
}

/* ---- base against head ---- */

const char* qb_icount_verdict_name(qb_icount_verdict v) {
  switch (v) {
    case QB_ICOUNT_SAME:
      return "same";
    case QB_ICOUNT_WITHIN:
      return "more (within)";
    case QB_ICOUNT_MORE:
      return "MORE";
    case QB_ICOUNT_FEWER:
      return "fewer";
    case QB_ICOUNT_GONE:
      return "GONE";
    case QB_ICOUNT_NEW:
      return "new";
  }
  return "?";
}

static const qb_icount_entry* qb__find(const qb_icount_set* s, const char* kernel) {
  for (size_t i = 0; i < s->count; i++) {
    if (strcmp(s->e[i].kernel, kernel) == 0) return &s->e[i];
  }
  return NULL;
}

static double qb__per_element(const qb_icount_entry* e) {
  return (double) e->instructions / (double) e->n;
}

qb_status qb_icount_compare(const qb_icount_set* base, const qb_icount_set* head, double threshold_pct,
                            qb_icount_cmp* out, qb_error* err) {
  memset(out, 0, sizeof *out);
  out->threshold_pct = threshold_pct;
  out->base_tool = base->tool;
  out->head_tool = head->tool;
  out->isa_cap = head->isa_cap;
  out->rows = calloc(base->count + head->count + 1, sizeof *out->rows);
  if (out->rows == NULL) return qb_fail(err, QB_NO_MEMORY, "out of memory comparing counts");
  for (size_t i = 0; i < base->count; i++) {
    const qb_icount_entry* b = &base->e[i];
    const qb_icount_entry* h = qb__find(head, b->kernel);
    qb_icount_row* r = &out->rows[out->n_rows++];
    r->kernel = b->kernel;
    r->base_pe = qb__per_element(b);
    r->head_pe = h != NULL ? qb__per_element(h) : NAN;
    r->change_pct = NAN;
    if (h != NULL && b->n == h->n) {
      /* Exact in the counts: a rise of exactly the threshold is not above it. */
      r->change_pct = ((double) h->instructions - (double) b->instructions) * 100 / (double) b->instructions;
    } else if (h != NULL) {
      r->change_pct = (r->head_pe - r->base_pe) * 100 / r->base_pe;
    }
    if (h == NULL) {
      r->verdict = QB_ICOUNT_GONE;
      out->n_gone++;
    } else if (b->n == h->n ? h->instructions == b->instructions : r->head_pe == r->base_pe) {
      /* Exact at the same n (the usual case): not a rounding away from a change. */
      r->verdict = QB_ICOUNT_SAME;
      out->n_same++;
    } else if (r->head_pe < r->base_pe) {
      r->verdict = QB_ICOUNT_FEWER;
      out->n_fewer++;
    } else if (r->change_pct > threshold_pct) {
      r->verdict = QB_ICOUNT_MORE;
      out->n_more++;
    } else {
      r->verdict = QB_ICOUNT_WITHIN;
      out->n_within++;
    }
  }
  for (size_t i = 0; i < head->count; i++) {
    const qb_icount_entry* h = &head->e[i];
    if (qb__find(base, h->kernel) != NULL) continue;
    qb_icount_row* r = &out->rows[out->n_rows++];
    r->kernel = h->kernel;
    r->base_pe = r->change_pct = NAN;
    r->head_pe = qb__per_element(h);
    r->verdict = QB_ICOUNT_NEW;
    out->n_new++;
  }
  return QB_OK;
}

void qb_icount_cmp_free(qb_icount_cmp* c) {
  free(c->rows);
  memset(c, 0, sizeof *c);
}

bool qb_icount_regressed(const qb_icount_cmp* c) {
  return c->n_more + c->n_gone > 0;
}
