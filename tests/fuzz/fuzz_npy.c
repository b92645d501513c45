/* Fuzz target: .npy images (host/io/npy.h qb_npy_parse). */
#include "fuzz_tensor.h"

#define QB__NAME "fuzz.npy"

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  qb_tensor t;
  qb_error err = {0};
  memset(&t, 0, sizeof t);
  qb_status st = qb_npy_parse(data, size, QB__NAME, &t, &err);
  if (st == QB_OK) {
    qb_fuzz_check_tensor(&t, size);
  } else {
    qb_fuzz_check_error(st, &err, QB__NAME);
  }
  qb_tensor_free(&t);
  return 0;
}
