/* The run's side of the journal (resume.c; io/journal.h holds the file): what the
 * header records, and what `qbench run --resume` takes back from it. */
#ifndef QB_RUN_RESUME_H
#define QB_RUN_RESUME_H

#include <jansson.h>

#include "backends/backend.h"
#include "run/roof.h"
#include "run/run.h"

/* The header's "options": what --resume needs to plan the same run again. */
json_t* qb_resume_options_json(const qb_run_options* o, const char* suite_path);
/* The header's "machine": what --resume compares (host, CPU model, features, cap,
 * cores, and each device backend's devices as "<name>_devices"). `backends`:
 * QB_BACKEND_COUNT entries, NULL for those not used. */
json_t* qb_resume_machine_json(const qb_ctx* ctx, qb_backend* const* backends);
/* The options of the journaled run (strings borrowed from the header). */
qb_status qb_resume_options(const json_t* header, const char* jpath, qb_run_options* o, qb_error* err);
/* QB_BAD_INPUT naming the first field of `now` that differs from the header's machine. */
qb_status qb_resume_check_machine(const json_t* header, const json_t* now, const char* jpath, qb_error* err);
/* The journaled roofs into *out, as far as the rows' fractions need them (name, class,
 * threads, a device matched by its backend and name in this run, figures); the results
 * file takes the journal's entries themselves, with every field. */
void qb_resume_roofs(const json_t* roofs, qb_backend* const* backends, qb_roofs* out);

#endif
