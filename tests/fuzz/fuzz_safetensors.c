/* Fuzz target: .safetensors images (host/io/safetensors.h): the header, then
 * every tensor it lists loaded as `qbench apply` would load it. */
#include "fuzz_tensor.h"
#include "io/safetensors.h"

#define QB__NAME "fuzz.safetensors"

static void qb__check_entries(const qb_safetensors* st, size_t size) {
  QB_FUZZ_CHECK(st->data_len <= size, "data section of %llu bytes in a %zu-byte input",
                (unsigned long long) st->data_len, size);
  for (size_t i = 0; i < st->count; i++) {
    const qb_safetensors_entry* e = &st->entries[i];
    QB_FUZZ_CHECK(e->name != NULL, "entry %zu has no name", i);
    QB_FUZZ_CHECK(e->begin <= e->end && e->end <= st->data_len, "entry %zu: [%llu, %llu) outside %llu bytes",
                  i, (unsigned long long) e->begin, (unsigned long long) e->end,
                  (unsigned long long) st->data_len);
    QB_FUZZ_CHECK(qb_safetensors_find(st, e->name) != NULL, "entry '%s' not found by name", e->name);
    qb_tensor t;
    qb_error err = {0};
    memset(&t, 0, sizeof t);
    qb_status s = qb_safetensors_load(st, e->name, &t, &err);
    if (s == QB_OK) {
      qb_fuzz_check_tensor(&t, size);
      QB_FUZZ_CHECK(t.bytes == e->end - e->begin, "entry '%s': %zu bytes loaded from [%llu, %llu)", e->name,
                    t.bytes, (unsigned long long) e->begin, (unsigned long long) e->end);
    } else {
      /* Only a dtype qbench lacks may refuse a listed tensor. */
      QB_FUZZ_CHECK(e->dtype == QB_DTYPE_none, "entry '%s' (%s) listed but not loadable: %s", e->name,
                    e->st_dtype, err.msg);
      qb_fuzz_check_error(s, &err, NULL);
    }
    qb_tensor_free(&t);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  qb_safetensors st;
  qb_error err = {0};
  memset(&st, 0, sizeof st);
  qb_status s = qb_safetensors_parse(data, size, QB__NAME, &st, &err);
  if (s == QB_OK) {
    qb__check_entries(&st, size);
  } else {
    qb_fuzz_check_error(s, &err, QB__NAME);
  }
  qb_safetensors_close(&st);
  return 0;
}
