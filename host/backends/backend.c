/* The backend registry: backends.inc expanded into a table. */
#include "backends/backend.h"

#include <stdio.h>
#include <string.h>

static const qb_backend_info qb__backends[QB_BACKEND_COUNT] = {
#define QB_BACKEND(name, kind, create, list, summary) \
  {QB_BACKEND_##name, #name, QB_BACKEND_KIND_##kind, create, list, summary},
#include "backends/backends.inc"
#undef QB_BACKEND
};

const qb_backend_info* qb_backend_get(qb_backend_id id) {
  return (unsigned) id < QB_BACKEND_COUNT ? &qb__backends[id] : NULL;
}

qb_backend_id qb_backend_find(const char* name) {
  for (int i = 0; i < QB_BACKEND_COUNT; i++) {
    if (strcmp(qb__backends[i].name, name) == 0) return (qb_backend_id) i;
  }
  return QB_BACKEND_COUNT;
}

const char* qb_backend_name(qb_backend_id id) {
  return (unsigned) id < QB_BACKEND_COUNT ? qb__backends[id].name : NULL;
}

bool qb_backend_is_host(qb_backend_id id) {
  return (unsigned) id < QB_BACKEND_COUNT && qb__backends[id].kind == QB_BACKEND_KIND_host;
}

void qb_backend_names(char* buf, size_t len) {
  size_t at = 0;
  buf[0] = '\0';
  for (int i = 0; i < QB_BACKEND_COUNT && at < len; i++) {
    const char* sep = i == 0 ? "" : i + 1 == QB_BACKEND_COUNT ? " or " : ", ";
    const int w = snprintf(buf + at, len - at, "%s%s", sep, qb__backends[i].name);
    if (w < 0) break;
    at += (size_t) w;
  }
}
