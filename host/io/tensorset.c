#include "io/tensorset.h"

#include <stdlib.h>
#include <string.h>

#include "common/fp.h"

static bool qb__ends_with(const char* s, const char* tail) {
  const size_t n = strlen(s), m = strlen(tail);
  return n >= m && strcmp(s + n - m, tail) == 0;
}

qb_status qb_tensorset_open(qb_tensorset* ts, const char* path, const char* tensor, qb_error* err) {
  qb_status s;
  memset(ts, 0, sizeof *ts);
  ts->path = path;
  if (!qb__ends_with(path, ".safetensors")) {
    if ((s = qb_npy_read(path, &ts->npy, err)) != QB_OK) return s;
    ts->names = malloc(sizeof *ts->names);
    if (ts->names == NULL) return qb_fail(err, QB_NO_MEMORY, "%s: out of memory", path);
    ts->names[0] = path;
    ts->count = 1;
    return QB_OK;
  }
  ts->safetensors = true;
  if ((s = qb_safetensors_open(path, &ts->st, err)) != QB_OK) return s;
  ts->names = malloc((ts->st.count ? ts->st.count : 1) * sizeof *ts->names);
  if (ts->names == NULL) {
    qb_tensorset_close(ts);
    return qb_fail(err, QB_NO_MEMORY, "%s: out of memory", path);
  }
  for (size_t i = 0; i < ts->st.count; i++) {
    if (tensor == NULL || strcmp(ts->st.entries[i].name, tensor) == 0)
      ts->names[ts->count++] = ts->st.entries[i].name;
  }
  if (tensor != NULL && ts->count == 0) {
    qb_tensorset_close(ts);
    return qb_fail(err, QB_BAD_INPUT, "%s: no tensor named '%s'", path, tensor);
  }
  return QB_OK;
}

/* Element i of t as f32. */
static float qb__as_f32(const qb_tensor* t, size_t i) {
  switch (t->dtype) {
    case QB_DTYPE_f64:
      return (float) ((const double*) t->data)[i];
    case QB_DTYPE_f16:
      return qb_f32_from_bits(qb_f16_to_f32_bits(((const uint16_t*) t->data)[i]));
    case QB_DTYPE_bf16:
      return qb_f32_from_bits(qb_bf16_to_f32_bits(((const uint16_t*) t->data)[i]));
    default:
      return ((const float*) t->data)[i];
  }
}

bool qb_tensorset_is_float(qb_dtype t) {
  return t == QB_DTYPE_f32 || t == QB_DTYPE_f16 || t == QB_DTYPE_bf16 || t == QB_DTYPE_f64;
}

qb_status qb_tensorset_load_f32(const qb_tensorset* ts, size_t i, int axis, qb_tensor* out,
                                size_t* channel_len, qb_dtype* from, qb_error* err) {
  qb_tensor loaded, *t = &loaded;
  qb_status s;
  memset(out, 0, sizeof *out);
  memset(&loaded, 0, sizeof loaded);
  if (ts->safetensors) {
    if ((s = qb_safetensors_load(&ts->st, ts->names[i], &loaded, err)) != QB_OK) return s;
  } else {
    t = (qb_tensor*) &ts->npy;
  }
  *from = t->dtype;
  if (!qb_tensorset_is_float(t->dtype)) {
    s = qb_fail(err, QB_BAD_INPUT, "%s: %s, not a float tensor", ts->names[i], qb_dtype_get(t->dtype)->name);
    goto done;
  }
  const int nd = t->ndim;
  if (axis < 0 || (nd > 1 && axis >= nd) || (nd <= 1 && axis > 0)) {
    s = qb_fail(err, QB_BAD_INPUT, "%s: no axis %d (%d dimensions)", ts->names[i], axis, nd);
    goto done;
  }
  if ((s = qb_tensor_alloc(out, QB_DTYPE_f32, t->ndim, t->dims, err)) != QB_OK) goto done;
  /* (outer, A, inner) -> (A, outer, inner): the axis outermost, each channel contiguous. */
  size_t outer = 1, inner = 1, a = nd > 1 ? (size_t) t->dims[axis] : 1;
  for (int d = 0; d < nd; d++) {
    if (nd > 1 && d < axis) outer *= (size_t) t->dims[d];
    if (nd > 1 && d > axis) inner *= (size_t) t->dims[d];
  }
  if (nd <= 1) inner = t->count;
  float* y = (float*) out->data;
  for (size_t o = 0; o < outer; o++) {
    for (size_t c = 0; c < a; c++) {
      for (size_t r = 0; r < inner; r++)
        y[(c * outer + o) * inner + r] = qb__as_f32(t, (o * a + c) * inner + r);
    }
  }
  *channel_len = outer * inner;
done:
  if (ts->safetensors) qb_tensor_free(&loaded);
  return s;
}

void qb_tensorset_shape(const qb_tensorset* ts, size_t i, qb_tensor* out) {
  memset(out, 0, sizeof *out);
  if (!ts->safetensors) {
    *out = ts->npy;
    out->data = NULL;
    return;
  }
  const qb_safetensors_entry* e = qb_safetensors_find(&ts->st, ts->names[i]);
  if (e == NULL) return;
  out->dtype = e->dtype;
  out->ndim = e->ndim;
  memcpy(out->dims, e->dims, sizeof out->dims);
  out->count = (size_t) e->count;
}

void qb_tensorset_close(qb_tensorset* ts) {
  if (ts->safetensors) qb_safetensors_close(&ts->st);
  qb_tensor_free(&ts->npy);
  free(ts->names);
  memset(ts, 0, sizeof *ts);
}
