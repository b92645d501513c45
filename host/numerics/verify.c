#include "numerics/verify.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dot/dot.h"
#include "numerics/element.h"

size_t qb_verify_outputs(const qb_verify_io* io) {
  return io->f->kind == QB_KIND_dot ? 1 : io->n;
}

static bool qb__flushes(qb_dtype t) {
  const qb_dtype_class c = qb_dtype_get(t)->cls;
  return c == QB_CLASS_float || c == QB_CLASS_block;
}

/* A copy of an input buffer with its subnormals flushed; NULL when out of memory. */
static void* qb__flushed(qb_dtype t, const void* src, size_t n) {
  const size_t bytes = qb_dtype_buffer_bytes(t, n);
  void* p = malloc(bytes ? bytes : 1);
  if (p != NULL) {
    memcpy(p, src, bytes);
    qb_element_flush(t, p, n);
  }
  return p;
}

static void qb__run(const qb_verify_io* io, const void* x, const void* x2, void* y) {
  const qb_kernel_info* ref = qb_kernel_reference(io->f->id);
  if (io->f->kind == QB_KIND_dot) {
    qb_kernel_dot(ref)(io->n, x, x2, y);
  } else {
    qb_kernel_unary(ref)(io->n, x, y, io->params);
  }
}

/* sum |a_i b_i| over the values the reference read, decoded a run at a time. */
static double qb__sum_abs(const qb_family_info* f, size_t n, const void* a, const void* b) {
  enum { CHUNK = 1024 };
  double va[CHUNK], vb[CHUNK];
  double s = 0.0;
  for (size_t i0 = 0; i0 < n; i0 += CHUNK) {
    const size_t k = n - i0 < CHUNK ? n - i0 : CHUNK;
    qb_element_values(f->in, a, i0, k, va);
    qb_element_values(f->in2, b, i0, k, vb);
    for (size_t j = 0; j < k; j++) s += fabs(va[j] * vb[j]);
  }
  return s;
}

/* Element by element, the semantics' output side applied (steps 2-5 of qb_verify). */
static void qb__compare(const qb_verify_io* io, const void* y_ref, const void* y, unsigned sem,
                        qb_verify_result* r) {
  const qb_family_info* f = io->f;
  const size_t outs = qb_verify_outputs(io);
  const bool float_out = qb_dtype_get(f->out)->cls == QB_CLASS_float;
  const double bound = r->bound;
  for (size_t i = 0; i < outs; i++) {
    uint64_t want = qb_element_bits(f->out, y_ref, i);
    const uint64_t got = qb_element_bits(f->out, y, i);
    /* 3. FTZ_OUT: the reference's subnormal outputs flushed. */
    if ((sem & QB_SEM_FTZ_OUT) && float_out) want = qb_dtype_flush_bits(f->out, want);
    if (want == got) continue;
    bool naninf = false;
    if (float_out) {
      const double w = qb_dtype_decode_bits(f->out, want), g = qb_dtype_decode_bits(f->out, got);
      /* 4. NAN_CANON: any NaN equals any NaN (a NaN against an inf still differs). */
      if ((sem & QB_SEM_NAN_CANON) && isnan(w) && isnan(g)) continue;
      naninf = !isfinite(w) || !isfinite(g);
      /* 5. REASSOC: within the bound. */
      if (!naninf && bound > 0.0 && fabs(g - w) <= bound) continue;
    }
    if (r->first == SIZE_MAX) {
      r->first = i;
      r->want = want;
      r->got = got;
    }
    if (naninf) {
      r->nan_inf_mismatches++;
    } else {
      r->mismatches++;
    }
  }
}

qb_status qb_verify(const qb_verify_io* io, const void* y_ref, const void* y, unsigned sem,
                    qb_verify_result* r, qb_error* err) {
  return qb_verify_sum_abs(io, NULL, y_ref, y, sem, r, err);
}

qb_status qb_verify_sum_abs(const qb_verify_io* io, const double* sum_abs, const void* y_ref, const void* y,
                            unsigned sem, qb_verify_result* r, qb_error* err) {
  const qb_family_info* f = io->f;
  const size_t outs = qb_verify_outputs(io);
  void *fx = NULL, *fx2 = NULL, *own = NULL;
  const void *x = io->x, *x2 = io->x2;
  qb_status s = QB_OK;
  memset(r, 0, sizeof *r);
  r->first = SIZE_MAX;

  /* 1. FTZ_IN: the reference's inputs flushed; its output recomputed from them. */
  if ((sem & QB_SEM_FTZ_IN) && qb__flushes(f->in)) {
    x = fx = qb__flushed(f->in, io->x, io->n);
    if (io->x2 != NULL) x2 = fx2 = qb__flushed(f->in2, io->x2, io->n);
    if (fx == NULL || (io->x2 != NULL && fx2 == NULL)) goto oom;
    y_ref = NULL;
  }
  if (y_ref == NULL) {
    const qb_kernel_info* ref = qb_kernel_reference(f->id);
    if (ref == NULL || ref->fn == NULL) {
      s = qb_fail(err, QB_UNSUPPORTED, "%s: no scalar reference in this build", f->name);
      goto done;
    }
    const size_t bytes = qb_dtype_buffer_bytes(f->out, outs);
    own = malloc(bytes ? bytes : 1);
    if (own == NULL) goto oom;
    qb__run(io, x, x2, own);
    y_ref = own;
  }
  /* Outputs identical to the reference's pass under any semantics: the common case,
   * decided at memcmp speed (the exhaustive sweeps verify 2^32 outputs). */
  /* 2. REASSOC: the bound of a float dot, over the reference's own inputs. */
  if ((sem & QB_SEM_REASSOC) && f->kind == QB_KIND_dot && qb_dtype_get(f->out)->cls == QB_CLASS_float)
    r->bound =
        qb_dot_sem_bound(io->n, sum_abs != NULL && x == io->x ? *sum_abs : qb__sum_abs(f, io->n, x, x2), sem);
  if (memcmp(y_ref, y, qb_dtype_buffer_bytes(f->out, outs)) != 0) qb__compare(io, y_ref, y, sem, r);
  goto done;
oom:
  s = qb_fail(err, QB_NO_MEMORY, "%s: no memory to verify n = %zu", f->name, io->n);
done:
  free(fx);
  free(fx2);
  free(own);
  return s;
}

void qb_sem_string(unsigned sem, char* buf, size_t len) {
  buf[0] = '\0';
  if (sem == 0) {
    snprintf(buf, len, "exact");
    return;
  }
  static const struct {
    unsigned bit;
    const char* name;
  } names[] = {{QB_SEM_FTZ_IN, "ftz-in"},
               {QB_SEM_FTZ_OUT, "ftz-out"},
               {QB_SEM_NAN_CANON, "nan-canon"},
               {QB_SEM_REASSOC, "reassoc"},
               {QB_SEM_ROUND_ODD, "round-odd"}};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    if (sem & names[i].bit) {
      if (buf[0]) strncat(buf, ",", len - strlen(buf) - 1);
      strncat(buf, names[i].name, len - strlen(buf) - 1);
    }
  }
}
