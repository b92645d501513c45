/* The device backends' common driver (device.h). */
#include "backends/device.h"

#include <stdio.h>
#include <string.h>

/* One call of a device state, as the measure layer's device adapter times it. */
typedef struct qb__call {
  qb_backend* b;
  void* state;
  int device;
  size_t bytes; /* transfers */
  qb_transfer_dir dir;
  enum { QB__RUN, QB__WITH_TRANSFERS, QB__TRANSFER } what;
} qb__call;

static qb_status qb__call_fn(void* user, double* device_seconds, const char** note, qb_error* err) {
  qb__call* c = user;
  switch (c->what) {
    case QB__RUN:
      return c->b->ops->run(c->b, c->state, device_seconds, note, err);
    case QB__WITH_TRANSFERS:
      return c->b->ops->run_with_transfers(c->b, c->state, device_seconds, err);
    default:
      return c->b->ops->transfer(c->b, c->device, c->bytes, c->dir, device_seconds, err);
  }
}

/* The status of a measurement that ran but reported an error. */
static void qb__measure_failed(const qb_measure* m, qb_backend_result* res) {
  res->status = m->timed_out ? QB_TIMEOUT : QB_BACKEND;
  snprintf(res->reason, sizeof res->reason, "%s", m->reason);
}

static void qb__fail(qb_backend_result* res, const qb_error* err) {
  res->status = err->status == QB_OK ? QB_INTERNAL : err->status;
  qb_text_copy(res->reason, sizeof res->reason, err->msg);
}

void qb_backend_device_run_case(qb_backend* b, int device, const qb_backend_case* c, unsigned threads,
                                const qb_measure_options* mo, const char* name, void* y,
                                qb_backend_result* res) {
  (void) threads; /* a device case is one host thread */
  qb_error err = {0};
  void* state = NULL;
  res->timing = "device";
  qb_status s = b->ops->prepare(b, device, c, &state, &err);
  if (s != QB_OK) {
    qb__fail(res, &err);
    return;
  }
  qb__call call = {.b = b, .state = state, .device = device, .what = QB__RUN};
  const qb_device_work w = {.call = qb__call_fn,
                            .user = &call,
                            .bytes = qb_family_bytes(c->family, c->n),
                            .items = (double) c->n,
                            .flops = qb_family_flops(c->family, c->n)};
  qb_measure m;
  s = qb_measure_device(mo, name, &w, 0, &m, &err);
  res->runs = m.runs;
  if (m.host_wall) res->timing = "host-wall";
  res->timer_note = m.note;
  if (s != QB_OK) {
    qb__fail(res, &err);
  } else if (!m.ok) {
    qb__measure_failed(&m, res);
  } else {
    /* The same call with its uploads and download: what an application would see. */
    call.what = QB__WITH_TRANSFERS;
    qb_measure mt;
    qb_error terr = {0};
    if (qb_measure_device(mo, name, &w, 1, &mt, &terr) == QB_OK && mt.ok) {
      const double ns = mt.real_time_ns;
      res->extra = json_pack("{s:f,s:f}", "time_with_transfers_ns", ns, "bytes_per_second_with_transfers",
                             ns > 0 ? w.bytes / (ns * 1e-9) : 0.0);
    } else {
      res->extra = json_pack("{s:s}", "transfers_error", mt.reason);
    }
    json_decref(mt.runs);
    memset(y, 0xA5, c->y_bytes);
    if (b->ops->fetch(b, state, y, &err) != QB_OK) {
      qb__fail(res, &err);
    } else {
      res->have_output = true;
      /* Held to what the variant declares (a half cast's canonical NaN, a float dot's
       * reassociation), as the tests hold it, not to one rule per kind of family. */
      res->sem = b->ops->sem(b, device, c->family->id, c->variant);
    }
  }
  b->ops->release(b, state);
}

qb_status qb_backend_device_measure_copy(qb_backend* b, int device, size_t bytes, unsigned rd, unsigned wr,
                                         int way, const qb_measure_options* mo, const char* name,
                                         qb_measure* m, qb_error* err) {
  void* state = NULL;
  size_t moved = 0;
  memset(m, 0, sizeof *m);
  const qb_status st = b->ops->prepare_copy(b, device, bytes, rd, wr, way, &state, &moved, err);
  if (st != QB_OK) return st;
  qb__call call = {.b = b, .state = state, .device = device, .what = QB__RUN};
  /* Items as the CPU roofs count them: half the bytes moved. */
  const qb_device_work w = {
      .call = qb__call_fn, .user = &call, .bytes = (double) moved, .items = 0.5 * (double) moved};
  const qb_status s = qb_measure_device(mo, name, &w, 0, m, err);
  b->ops->release(b, state);
  if (s != QB_OK && !m->reason[0]) qb_text_copy(m->reason, sizeof m->reason, err->msg);
  return QB_OK;
}

void qb_backend_device_run_transfer(qb_backend* b, int device, size_t bytes, qb_transfer_dir dir,
                                    const qb_measure_options* mo, const char* name, qb_backend_result* res) {
  qb_error err = {0};
  qb__call call = {.b = b, .device = device, .bytes = bytes, .dir = dir, .what = QB__TRANSFER};
  const qb_device_work w = {
      .call = qb__call_fn, .user = &call, .bytes = (double) bytes, .items = (double) bytes};
  qb_measure m;
  res->timing = "device";
  const qb_status s = qb_measure_device(mo, name, &w, 0, &m, &err);
  res->runs = m.runs;
  if (s != QB_OK) {
    qb__fail(res, &err);
  } else if (!m.ok) {
    qb__measure_failed(&m, res);
  }
  if (m.host_wall) res->timing = "host-wall";
}
