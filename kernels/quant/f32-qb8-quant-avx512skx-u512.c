/*
 * f32 -> qb8, avx512skx, 16 blocks of 32 (512 values) per iteration: the blocks' absmax
 * found together, so the horizontal reductions and the divisions are shared.
 * 1, 2. The 16 blocks' absmax in one vector, block b's in lane qb__avx512_amax_lane[b]
 *    (qb__avx512_amax16_bits in qblock-avx512.h: VRANGEPS, then four levels of blends,
 *    shuffles and integer maxima): the reference's absmax (quiet NaNs skipped), with an
 *    infinity or an all-NaN block as bits above 0x7F7FFFFF.
 * 3. d = absmax / 127 and id = d != 0 ? 1 / d : 0 with two vector divisions: the same IEEE
 *    operations as the reference, so the same bits.
 * 4. When no block holds an infinity and every d is normal or 0, |x * id| <=
 *    127 (1 + 2^-22) for every x (absmax * fl(1 / fl(absmax / 127)) is 127 within two
 *    roundings), so nearbyint(x * id) is in [-127, 127] for every x but a NaN, no clamp:
 *    each value is one multiplication and one vcvtps2dq (nearest even, as the reference's
 *    qb__round_even in the default rounding mode), two blocks' codes packed together by
 *    qb__avx512_pack_s8x64. Otherwise each of the 16 blocks goes through
 *    qb__avx512_block_quant, which clamps and masks (rare); a NaN x is seen in the codes.
 * 5. In a row of fewer than QB_QBLOCK_STREAM values, the next group's maxima are
 *    found between this group's scales and its codes (their loads overlap the codes), as
 *    q8_0 and q4_0 do (qblock-avx512.h); in a longer row, right before its own codes.
 * The last n % 512 values go block by block. Bit-exact with the scalar reference.
 */
#include <assert.h>
#include <string.h>

#include "qb/ukernel.h"
#include "quant/qblock-avx512.h"
#include "quant/quant-avx512.h"

/* nearbyint(x * id) for 16 values (step 4). */
static inline __m512i qb__qb8_round16(const float* x, __m512 id) {
  return _mm512_cvt_roundps_epi32(_mm512_mul_ps(_mm512_loadu_ps(x), id),
                                  _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}

/* 16 blocks starting at x, from their maxima (steps 1, 2: amax); returns the maxima of the
 * 16 blocks at next (when not NULL), found before these blocks' codes (step 5). */
static inline __attribute__((always_inline)) __m512i qb__quant16(const float* x, qb_block_q8* out,
                                                                 __m512i amax, const float* next) {
  /* 3. */
  const __m512 d = _mm512_div_ps(_mm512_castsi512_ps(amax), _mm512_set1_ps(127.0f));
  const __mmask16 nz = _mm512_cmp_ps_mask(d, _mm512_setzero_ps(), _CMP_NEQ_UQ);
  const __m512 id = _mm512_maskz_div_ps(nz, _mm512_set1_ps(1.0f), d);
  const __mmask16 special = _mm512_mask_cmp_ps_mask(nz, d, _mm512_set1_ps(0x1p-126f), _CMP_LT_OQ) |
                            _mm512_cmpgt_epi32_mask(amax, _mm512_set1_epi32(0x7F7FFFFF));
  float ds[16], ids[16];
  _mm512_storeu_ps(ds, d);
  _mm512_storeu_ps(ids, id);
  qb__avx512_from_memory(ds, ids);
  const __m512i amax_next = next != NULL ? qb__avx512_amax16_bits(next) : _mm512_setzero_si512();
  if (__builtin_expect(special != 0, 0)) {
    for (int b = 0; b < 16; b++) qb__avx512_block_quant(x + 32 * b, &out[b]);
    return amax_next;
  }
  /* 4. A NaN x (quiet NaNs are skipped by the maxima, so it can reach here) becomes
   * INT32_MIN in vcvtps2dq and -128 in the packs, a code that is otherwise never made:
   * then the 16 blocks are redone by qb__avx512_block_quant. */
  __m512i lowest = _mm512_setzero_si512();
#pragma GCC unroll 8
  for (int b = 0; b < 16; b += 2) {
    const int l0 = qb__avx512_amax_lane[b], l1 = qb__avx512_amax_lane[b + 1];
    const __m512 i0 = _mm512_set1_ps(ids[l0]), i1 = _mm512_set1_ps(ids[l1]);
    const float* xb = x + 32 * b;
    const __m512i v = qb__avx512_pack_s8x64(qb__qb8_round16(xb, i0), qb__qb8_round16(xb + 16, i0),
                                            qb__qb8_round16(xb + 32, i1), qb__qb8_round16(xb + 48, i1));
    memcpy(&out[b].d, &ds[l0], sizeof(float));
    memcpy(&out[b + 1].d, &ds[l1], sizeof(float));
    lowest = _mm512_min_epi8(lowest, v);
    qb__avx512_store_2x32(v, out[b].qs, out[b + 1].qs);
  }
  if (__builtin_expect(_mm512_cmpeq_epi8_mask(lowest, _mm512_set1_epi8(INT8_MIN)) != 0, 0)) {
    for (int b = 0; b < 16; b++) qb__avx512_block_quant(x + 32 * b, &out[b]);
  }
  return amax_next;
}

void qb_f32_qb8_quant_ukernel__avx512skx_u512(size_t n, const void* x, void* y, const void* params) {
  const float* in = (const float*) x;
  qb_block_q8* out = (qb_block_q8*) y;
  (void) params;
  assert(n % QB_BLOCK_LEN == 0);
  assert(n == 0 || (x != NULL && y != NULL));
  const size_t groups = n / 512;
  if (groups * 512 >= QB_QBLOCK_STREAM) {
    for (size_t g = 0; g < groups; g++) {
      (void) qb__quant16(in + 512 * g, &out[16 * g], qb__avx512_amax16_bits(in + 512 * g), NULL);
    }
  } else if (groups != 0) {
    __m512i amax = qb__avx512_amax16_bits(in);
    for (size_t g = 0; g < groups; g++) {
      amax = qb__quant16(in + 512 * g, &out[16 * g], amax, g + 1 < groups ? in + 512 * (g + 1) : NULL);
    }
  }
  size_t b = 16 * groups;
  for (; b < n / QB_BLOCK_LEN; b++) qb__avx512_block_quant(in + b * QB_BLOCK_LEN, &out[b]);
}
