/*
 * f32 -> bf16 with BFCVTN/BFCVTN2 (Armv8.6 FEAT_BF16), 16 per iteration. Unlike
 * BFDOT/BFMMLA, the converts honour FPCR like any single-precision operation: under
 * Linux's defaults that is round to nearest even with subnormals kept (x86's
 * vcvtneps2bf16 flushes them) and NaN quieted with its top payload bits: the
 * reference's semantics, bit-exact (measured under qemu-aarch64 -cpu max by
 * test_cvt_simd's exhaustive sweep; kernels/ARM.md).
 */
#include <arm_neon.h>
#include <assert.h>
#include <string.h>

#include "qb/ukernel.h"

static inline bfloat16x8_t qb__cvt8(const float* in) {
  return vcvtq_high_bf16_f32(vcvtq_low_bf16_f32(vld1q_f32(in)), vld1q_f32(in + 4));
}

void qb_f32_bf16_cvt_ukernel__neonbf16_u16(size_t n, const void* x, void* y, const void* params) {
  const float* in = (const float*) x;
  uint16_t* out = (uint16_t*) y;
  (void) params;
  assert(n == 0 || (x != NULL && y != NULL));
  for (; n >= 16; n -= 16, in += 16, out += 16) {
    vst1q_bf16((bfloat16_t*) out, qb__cvt8(in));
    vst1q_bf16((bfloat16_t*) (out + 8), qb__cvt8(in + 8));
  }
  for (; n >= 8; n -= 8, in += 8, out += 8) {
    vst1q_bf16((bfloat16_t*) out, qb__cvt8(in));
  }
  if (n != 0) {
    float ibuf[8] = {0};
    uint16_t obuf[8];
    memcpy(ibuf, in, n * sizeof *in);
    vst1q_bf16((bfloat16_t*) obuf, qb__cvt8(ibuf));
    memcpy(out, obuf, n * sizeof *out);
  }
}
