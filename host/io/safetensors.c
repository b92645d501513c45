#include "io/safetensors.h"

#include "io/file.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
  const char* name;
  qb_dtype dtype;
} qb__st_dtypes[] = {
    {"F64", QB_DTYPE_f64},        {"F32", QB_DTYPE_f32},        {"F16", QB_DTYPE_f16},
    {"BF16", QB_DTYPE_bf16},      {"I8", QB_DTYPE_s8},          {"U8", QB_DTYPE_u8},
    {"I16", QB_DTYPE_s16},        {"I32", QB_DTYPE_s32},        {"I64", QB_DTYPE_s64},
    {"F8_E4M3", QB_DTYPE_f8e4m3}, {"F8_E5M2", QB_DTYPE_f8e5m2},
};

/* Element sizes of the dtypes qbench cannot compute on, so their offsets are checked too. */
static const struct {
  const char* name;
  unsigned bytes;
} qb__st_other[] = {{"BOOL", 1}, {"U16", 2}, {"U32", 4}, {"U64", 8}, {"F8_E8M0", 1}, {"C64", 8}};

static unsigned qb__esize(const char* st_dtype, qb_dtype* dtype) {
  *dtype = QB_DTYPE_none;
  for (size_t i = 0; i < sizeof qb__st_dtypes / sizeof qb__st_dtypes[0]; i++) {
    if (strcmp(st_dtype, qb__st_dtypes[i].name) == 0) {
      *dtype = qb__st_dtypes[i].dtype;
      return qb_dtype_get(*dtype)->bits / 8;
    }
  }
  for (size_t i = 0; i < sizeof qb__st_other / sizeof qb__st_other[0]; i++) {
    if (strcmp(st_dtype, qb__st_other[i].name) == 0) return qb__st_other[i].bytes;
  }
  return 0;
}

void qb_safetensors_close(qb_safetensors* st) {
  for (size_t i = 0; i < st->count; i++) free(st->entries[i].name);
  free(st->entries);
  if (st->map != NULL) munmap(st->map, st->map_len);
  memset(st, 0, sizeof *st);
}

/* One header entry: dtype, shape, data_offsets, all checked against the data section. */
static qb_status qb__entry(const qb_safetensors* st, const char* key, json_t* v, qb_safetensors_entry* e,
                           qb_error* err) {
  json_t* dt = json_object_get(v, "dtype");
  json_t* shape = json_object_get(v, "shape");
  json_t* offs = json_object_get(v, "data_offsets");
  const char* n = st->name;
  if (!json_is_object(v) || !json_is_string(dt) || !json_is_array(shape) || !json_is_array(offs) ||
      json_array_size(offs) != 2) {
    return qb_fail(err, QB_BAD_INPUT, "%s: tensor '%s': needs \"dtype\", \"shape\" and two \"data_offsets\"",
                   n, key);
  }
  snprintf(e->st_dtype, sizeof e->st_dtype, "%s", json_string_value(dt));
  const unsigned esize = qb__esize(e->st_dtype, &e->dtype);
  if (esize == 0)
    return qb_fail(err, QB_BAD_INPUT, "%s: tensor '%s': unknown dtype '%s'", n, key, e->st_dtype);
  if (json_array_size(shape) > QB_TENSOR_MAX_DIMS) {
    return qb_fail(err, QB_BAD_INPUT, "%s: tensor '%s': more than %d dimensions", n, key, QB_TENSOR_MAX_DIMS);
  }
  e->ndim = (int) json_array_size(shape);
  e->count = 1;
  for (int i = 0; i < e->ndim; i++) {
    json_t* d = json_array_get(shape, (size_t) i);
    if (!json_is_integer(d) || json_integer_value(d) < 0) {
      return qb_fail(err, QB_BAD_INPUT, "%s: tensor '%s': shape holds something other than sizes", n, key);
    }
    e->dims[i] = (uint64_t) json_integer_value(d);
    if (e->dims[i] != 0 && e->count > UINT64_MAX / esize / e->dims[i]) {
      return qb_fail(err, QB_BAD_INPUT, "%s: tensor '%s': shape overflows 64 bits", n, key);
    }
    e->count *= e->dims[i];
  }
  json_t* b = json_array_get(offs, 0);
  json_t* en = json_array_get(offs, 1);
  if (!json_is_integer(b) || !json_is_integer(en) || json_integer_value(b) < 0 ||
      json_integer_value(en) < 0) {
    return qb_fail(err, QB_BAD_INPUT, "%s: tensor '%s': data_offsets are not two sizes", n, key);
  }
  e->begin = (uint64_t) json_integer_value(b);
  e->end = (uint64_t) json_integer_value(en);
  if (e->begin > e->end || e->end > st->data_len) {
    return qb_fail(
        err, QB_BAD_INPUT, "%s: tensor '%s': data_offsets [%llu, %llu] out of range (data is %llu bytes)", n,
        key, (unsigned long long) e->begin, (unsigned long long) e->end, (unsigned long long) st->data_len);
  }
  if (e->end - e->begin != e->count * esize) {
    return qb_fail(err, QB_BAD_INPUT, "%s: tensor '%s': %llu bytes of data, but %s x %llu elements need %llu",
                   n, key, (unsigned long long) (e->end - e->begin), e->st_dtype,
                   (unsigned long long) e->count, (unsigned long long) (e->count * esize));
  }
  return QB_OK;
}

static int qb__by_begin(const void* a, const void* b) {
  const qb_safetensors_entry* x = *(const qb_safetensors_entry* const*) a;
  const qb_safetensors_entry* y = *(const qb_safetensors_entry* const*) b;
  return x->begin < y->begin ? -1 : x->begin > y->begin;
}

/* No two tensors share a byte (empty tensors share nothing). */
static qb_status qb__check_overlap(const qb_safetensors* st, qb_error* err) {
  const qb_safetensors_entry** order = malloc((st->count ? st->count : 1) * sizeof *order);
  qb_status s = QB_OK;
  if (order == NULL) return qb_fail(err, QB_NO_MEMORY, "%s: no memory for the tensor list", st->name);
  for (size_t i = 0; i < st->count; i++) order[i] = &st->entries[i];
  qsort(order, st->count, sizeof *order, qb__by_begin);
  const qb_safetensors_entry* last = NULL;
  for (size_t i = 0; i < st->count && s == QB_OK; i++) {
    if (order[i]->begin == order[i]->end) continue;
    if (last != NULL && order[i]->begin < last->end) {
      s = qb_fail(err, QB_BAD_INPUT, "%s: tensors '%s' and '%s' overlap (bytes %llu..%llu and %llu..%llu)",
                  st->name, last->name, order[i]->name, (unsigned long long) last->begin,
                  (unsigned long long) last->end, (unsigned long long) order[i]->begin,
                  (unsigned long long) order[i]->end);
    }
    last = order[i];
  }
  free(order);
  return s;
}

static qb_status qb__parse_header(qb_safetensors* st, const char* text, size_t len, qb_error* err) {
  json_error_t je;
  json_t* root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
  const char* key;
  json_t* v;
  qb_status s = QB_OK;
  if (root == NULL) {
    return qb_fail(err, QB_BAD_INPUT, "%s: header is not JSON: %s (at byte %d)", st->name, je.text,
                   je.position);
  }
  if (!json_is_object(root)) {
    json_decref(root);
    return qb_fail(err, QB_BAD_INPUT, "%s: header is not a JSON object", st->name);
  }
  st->entries = calloc(json_object_size(root) + 1, sizeof *st->entries);
  if (st->entries == NULL) {
    json_decref(root);
    return qb_fail(err, QB_NO_MEMORY, "%s: no memory for the tensor list", st->name);
  }
  json_object_foreach(root, key, v) {
    if (strcmp(key, "__metadata__") == 0) continue; /* free-form strings: not ours to judge */
    qb_safetensors_entry* e = &st->entries[st->count];
    if ((s = qb__entry(st, key, v, e, err)) != QB_OK) break;
    if ((e->name = strdup(key)) == NULL) {
      s = qb_fail(err, QB_NO_MEMORY, "%s: no memory", st->name);
      break;
    }
    st->count++;
  }
  json_decref(root);
  return s != QB_OK ? s : qb__check_overlap(st, err);
}

qb_status qb_safetensors_parse(const void* buf, size_t len, const char* name, qb_safetensors* st,
                               qb_error* err) {
  const unsigned char* b = (const unsigned char*) buf;
  uint64_t hlen = 0;
  memset(st, 0, sizeof *st);
  st->name = name;
  if (len < 8) return qb_fail(err, QB_BAD_INPUT, "%s: truncated: %zu bytes, no header length", name, len);
  for (int i = 7; i >= 0; i--) hlen = hlen << 8 | b[i];
  if (hlen > QB_SAFETENSORS_MAX_HEADER) {
    return qb_fail(err, QB_BAD_INPUT,
                   "%s: header of %llu bytes (over the %u-byte limit): not a safetensors file?", name,
                   (unsigned long long) hlen, QB_SAFETENSORS_MAX_HEADER);
  }
  if (hlen > len - 8) {
    return qb_fail(err, QB_BAD_INPUT, "%s: truncated: header of %llu bytes, file of %zu", name,
                   (unsigned long long) hlen, len);
  }
  st->data = b + 8 + hlen;
  st->data_len = len - 8 - hlen;
  const qb_status s = qb__parse_header(st, (const char*) b + 8, (size_t) hlen, err);
  if (s != QB_OK) qb_safetensors_close(st);
  return s;
}

qb_status qb_safetensors_open(const char* path, qb_safetensors* st, qb_error* err) {
  void* map = NULL;
  memset(st, 0, sizeof *st);
  /* A regular file only, checked without blocking (a FIFO would hang the open). */
  int fd;
  uint64_t size;
  qb_status os = qb_file_open_regular(path, &fd, &size, err);
  if (os != QB_OK) return os;
  if (size >= SIZE_MAX) {
    close(fd);
    return qb_fail(err, QB_BAD_INPUT, "%s: too large to map", path);
  }
  const size_t len = (size_t) size;
  if (len > 0) {
    map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
      close(fd);
      return qb_fail(err, QB_IO, "%s: cannot map: %s", path, strerror(errno));
    }
  }
  close(fd);
  const qb_status s = qb_safetensors_parse(map ? map : "", len, path, st, err);
  if (s != QB_OK) {
    if (map) munmap(map, len);
    return s;
  }
  st->map = map;
  st->map_len = len;
  return QB_OK;
}

const qb_safetensors_entry* qb_safetensors_find(const qb_safetensors* st, const char* name) {
  for (size_t i = 0; i < st->count; i++) {
    if (strcmp(st->entries[i].name, name) == 0) return &st->entries[i];
  }
  return NULL;
}

qb_status qb_safetensors_load(const qb_safetensors* st, const char* name, qb_tensor* t, qb_error* err) {
  const qb_safetensors_entry* e = qb_safetensors_find(st, name);
  qb_error aerr = {0};
  memset(t, 0, sizeof *t);
  if (e == NULL) return qb_fail(err, QB_BAD_INPUT, "%s: no tensor '%s'", st->name, name);
  if (e->dtype == QB_DTYPE_none) {
    return qb_fail(err, QB_BAD_INPUT, "%s: tensor '%s': dtype %s is not one qbench computes on", st->name,
                   name, e->st_dtype);
  }
  const qb_status s = qb_tensor_alloc(t, e->dtype, e->ndim, e->dims, &aerr);
  if (s != QB_OK) return qb_fail(err, s, "%s: tensor '%s': %s", st->name, name, aerr.msg);
  memcpy(t->data, st->data + e->begin, t->bytes);
  return QB_OK;
}

qb_status qb_safetensors_write(const char* path, const qb_tensor* const* tensors, const char* const* names,
                               size_t n, bool force, qb_error* err) {
  json_t* head = json_object();
  size_t body_len = 0;
  qb_status st = QB_OK;
  for (size_t i = 0; i < n && st == QB_OK; i++) {
    const char* dt = NULL;
    for (size_t k = 0; k < sizeof qb__st_dtypes / sizeof qb__st_dtypes[0]; k++) {
      if (qb__st_dtypes[k].dtype == tensors[i]->dtype) dt = qb__st_dtypes[k].name;
    }
    if (dt == NULL) {
      st = qb_fail(err, QB_BAD_INPUT, "%s: tensor '%s': safetensors has no dtype for %s", path, names[i],
                   qb_dtype_get(tensors[i]->dtype)->name);
      break;
    }
    json_t* shape = json_array();
    for (int d = 0; d < tensors[i]->ndim; d++)
      json_array_append_new(shape, json_integer((json_int_t) tensors[i]->dims[d]));
    json_object_set_new(head, names[i],
                        json_pack("{s:s, s:o, s:[I, I]}", "dtype", dt, "shape", shape, "data_offsets",
                                  (json_int_t) body_len, (json_int_t) (body_len + tensors[i]->bytes)));
    body_len += tensors[i]->bytes;
  }
  char* text = st == QB_OK ? json_dumps(head, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
  json_decref(head);
  if (st != QB_OK) return st;
  /* 8 bytes of header length, the JSON padded with spaces to a multiple of 8, the data. */
  const size_t jlen = text ? strlen(text) : 0, padded = (jlen + 7) / 8 * 8;
  unsigned char* hbuf = malloc(8 + padded);
  unsigned char* body = malloc(body_len + 1);
  if (text == NULL || hbuf == NULL || body == NULL) {
    free(text);
    free(hbuf);
    free(body);
    return qb_fail(err, QB_NO_MEMORY, "%s: out of memory", path);
  }
  for (int b = 0; b < 8; b++) hbuf[b] = (unsigned char) ((uint64_t) padded >> (8 * b));
  memcpy(hbuf + 8, text, jlen);
  memset(hbuf + 8 + jlen, ' ', padded - jlen);
  for (size_t i = 0, at = 0; i < n; at += tensors[i]->bytes, i++)
    memcpy(body + at, tensors[i]->data, tensors[i]->bytes);
  st = qb_write_file_atomic(path, hbuf, 8 + padded, body, body_len, force, err);
  free(text);
  free(hbuf);
  free(body);
  return st;
}
