/*
 * What every device backend does the same way, over its own operations: a case (prepare,
 * the device-timed run, the same run with its transfers, fetch, release), its copy
 * roof and its transfer rows, each timed by the measure layer's device adapter.
 */
#ifndef QB_BACKEND_DEVICE_H
#define QB_BACKEND_DEVICE_H

#include "backends/backend.h"

/* A run_case for device backends: prepare uploads, `run` is timed as manual time (the
 * device's clock, or the host's wall clock: timing "host-wall"), then
 * `run_with_transfers` once more (time_with_transfers_ns,
 * bytes_per_second_with_transfers), and `fetch` brings the output back, held to the
 * exact reference (dots to the reassociation bound: a device sums in its own order). */
void qb_backend_device_run_case(qb_backend* b, int device, const qb_backend_case* c, unsigned threads,
                                const qb_measure_options* mo, const char* name, void* y,
                                qb_backend_result* res);

/* The device's way `way` (copy_way) of the mix rd:wr over a footprint of `bytes`, timed
 * as a case is (prepare_copy, then `run`), bytes/s by the bytes it moves.
 * QB_SKIPPED when it does not fit the device (err says why); another status when it
 * could not be prepared; else QB_OK and the measurement. */
qb_status qb_backend_device_measure_copy(qb_backend* b, int device, size_t bytes, unsigned rd, unsigned wr,
                                         int way, const qb_measure_options* mo, const char* name,
                                         qb_measure* m, qb_error* err);

/* Host <-> device transfers of `bytes` as a case (rows of family "transfer"). */
void qb_backend_device_run_transfer(qb_backend* b, int device, size_t bytes, qb_transfer_dir dir,
                                    const qb_measure_options* mo, const char* name, qb_backend_result* res);

#endif
