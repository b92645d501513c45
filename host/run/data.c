/* `qbench run --data`: the file's tensors as the workload (data.h). */
#include "run/data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

qb_status qb_run_data_open(qb_run_data* rd, const char* path, const char* tensor, int axis, qb_error* err) {
  qb_status s;
  memset(rd, 0, sizeof *rd);
  rd->path = path;
  rd->axis = axis;
  if ((s = qb_tensorset_open(&rd->ts, path, tensor, err)) != QB_OK) return s;
  rd->tensors = calloc(rd->ts.count ? rd->ts.count : 1, sizeof *rd->tensors);
  if (rd->tensors == NULL) {
    s = qb_fail(err, QB_NO_MEMORY, "%s: out of memory", path);
    goto fail;
  }
  for (size_t i = 0; i < rd->ts.count; i++) {
    qb_tensor shape;
    qb_tensorset_shape(&rd->ts, i, &shape);
    const char* name = rd->ts.names[i];
    if (!qb_tensorset_is_float(shape.dtype)) {
      const char* dt =
          shape.dtype == QB_DTYPE_none ? "a dtype qbench does not read" : qb_dtype_get(shape.dtype)->name;
      /* A tensor asked for by name, or the one of a .npy file, is the whole workload. */
      if (tensor != NULL || !rd->ts.safetensors) {
        s = rd->ts.safetensors
                ? qb_fail(err, QB_BAD_INPUT, "%s: tensor '%s': not a float tensor (%s)", path, name, dt)
                : qb_fail(err, QB_BAD_INPUT, "%s: not a float tensor (%s)", path, dt);
        goto fail;
      }
      fprintf(stderr, "qbench run: %s: tensor '%s': not a float tensor (%s): not a workload\n", path, name,
              dt);
      rd->left_out++;
      continue;
    }
    /* A 0-D or 1-D tensor is one channel whatever the axis; a matrix must have it. */
    if (shape.ndim >= 2 && axis >= shape.ndim) {
      s = qb_fail(err, QB_BAD_INPUT, "%s: tensor '%s' has no axis %d (%d dimensions)", path, name, axis,
                  shape.ndim);
      goto fail;
    }
    if (shape.count == 0) {
      fprintf(stderr, "qbench run: %s: tensor '%s' is empty: not a workload\n", path, name);
      rd->left_out++;
      continue;
    }
    /* A case's name holds the tensor's (plan.h: 256 bytes in all); a longer one would be
     * cut, and two cut names could be one. */
    if (strlen(name) > QB_RUN_DATA_MAX_NAME) {
      if (tensor != NULL) {
        s = qb_fail(err, QB_BAD_INPUT, "%s: tensor '%.40s...': a name of %zu bytes (case names hold %d)",
                    path, name, strlen(name), QB_RUN_DATA_MAX_NAME);
        goto fail;
      }
      fprintf(stderr,
              "qbench run: %s: tensor '%.40s...': a name of %zu bytes (case names hold %d): not a workload\n",
              path, name, strlen(name), QB_RUN_DATA_MAX_NAME);
      rd->left_out++;
      continue;
    }
    qb_run_tensor* t = &rd->tensors[rd->count++];
    /* A .npy file's one tensor goes by the file's name: case names are '/'-separated. */
    const char* slash = strrchr(name, '/');
    t->name = !rd->ts.safetensors && slash != NULL ? slash + 1 : name;
    t->index = i;
    t->count = shape.count;
    t->axis = shape.ndim >= 2 ? axis : 0;
    t->stored = shape.dtype;
    qb_tensor_shape_string(&shape, t->shape, sizeof t->shape);
    if (t->stored != QB_DTYPE_f32) {
      fprintf(stderr, "qbench run: %s: %s converted to f32%s\n", name, qb_dtype_get(t->stored)->name,
              t->stored == QB_DTYPE_f64 ? " (rounded to nearest even)" : " (exact)");
    }
  }
  if (rd->count == 0) {
    s = qb_fail(err, QB_BAD_INPUT, "%s: no float tensor to run on", path);
    goto fail;
  }
  return QB_OK;
fail:
  qb_run_data_close(rd);
  return s;
}

qb_status qb_run_data_n(const qb_family_info* f, uint64_t count, uint64_t* n, qb_error* err) {
  const bool dot = f->kind == QB_KIND_dot;
  *n = dot ? count / 2 : count;
  if (dot && count % 2 != 0) {
    return qb_fail(err, QB_SKIPPED,
                   "%llu elements: a dot takes the first half against the second, an odd count has none",
                   (unsigned long long) count);
  }
  if (*n == 0 || *n % f->n_multiple != 0) {
    return qb_fail(err, QB_SKIPPED, "%llu elements%s: not a multiple of the block length %llu",
                   (unsigned long long) *n, dot ? " per operand" : "", (unsigned long long) f->n_multiple);
  }
  if (*n > f->max_n) {
    return qb_fail(err, QB_SKIPPED, "%llu elements%s: above the family's limit %llu", (unsigned long long) *n,
                   dot ? " per operand" : "", (unsigned long long) f->max_n);
  }
  return QB_OK;
}

/* Tensor t as f32, its axis outermost: loaded once for all of its cases. */
static qb_status qb__load(qb_run_data* rd, size_t t, qb_error* err) {
  if (rd->have && rd->loaded == t) return QB_OK;
  qb_tensor_free(&rd->x);
  rd->have = false;
  qb_dtype from;
  const qb_run_tensor* rt = &rd->tensors[t];
  /* Every case of a family on a tensor loads it again (cases come family by family); a
   * copy of the tensor costs little beside the timing of a case. */
  const qb_status s =
      qb_tensorset_load_f32(&rd->ts, rt->index, rt->axis, &rd->x, &rd->channel_len, &from, err);
  if (s != QB_OK) return s;
  rd->have = true;
  rd->loaded = t;
  return QB_OK;
}

qb_status qb_run_data_case(qb_run_data* rd, size_t t, const qb_family_info* f, qb_round_mode round,
                           qb_case_data* d, qb_error* err) {
  uint64_t n;
  qb_status s;
  memset(d, 0, sizeof *d);
  if ((s = qb_run_data_n(f, rd->tensors[t].count, &n, err)) != QB_OK) return s;
  if ((s = qb__load(rd, t, err)) != QB_OK) return s;
  const float* x = (const float*) rd->x.data;
  const bool dot = f->kind == QB_KIND_dot;
  /* Per-channel families: the tensor's channels along its axis (`qbench error --data`'s). */
  const qb_case_options o = {round, false, NULL, rd->channel_len};
  return qb_case_data_init_from(d, f, (size_t) n, QB_DTYPE_f32, x, QB_DTYPE_f32, dot ? x + n : NULL, &o, err);
}

json_t* qb_run_data_row_fields(const qb_run_data* rd, size_t t) {
  const qb_run_tensor* rt = &rd->tensors[t];
  return json_pack("{s:s,s:s,s:s,s:i}", "tensor", rt->name, "tensor_shape", rt->shape, "tensor_dtype",
                   qb_dtype_get(rt->stored)->name, "axis", rt->axis);
}

json_t* qb_run_data_context(const qb_run_data* rd) {
  return json_pack("{s:s,s:i,s:I,s:I}", "path", rd->path, "axis", rd->axis, "tensors", (json_int_t) rd->count,
                   "left_out", (json_int_t) rd->left_out);
}

void qb_run_data_close(qb_run_data* rd) {
  qb_tensor_free(&rd->x);
  free(rd->tensors);
  qb_tensorset_close(&rd->ts);
  memset(rd, 0, sizeof *rd);
}
