/*
 * AVX-512 (F/BW/VL/DQ) blocks of llama.cpp's q8_0 and q4_0 (qblock-scalar.h gives the
 * semantics; qblock-avx2.h explains the steps), included only by -avx512skx- files.
 * Bit-exact with the scalar reference for every input.
 */
#ifndef QB_QBLOCK_AVX512_H
#define QB_QBLOCK_AVX512_H

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "common/hmax-avx512.h"
#include "qb/ukernel.h"
#include "quant/qblock-scalar.h"
#include "quant/quant-avx512.h"

#define QB__QBLOCK_AVX512_INLINE static inline __attribute__((always_inline))

/*
 * The group loops of 16 blocks overlap the next group's maxima (its loads) with this
 * group's codes: 1.15-1.2x in L2 on Zen 4. On a row that streams from DRAM (or from a far
 * L3) the same overlap ran at 0.5-0.6x of the loop that computes each group's maxima
 * right before its codes (16M values: 12-14 GB/s against 25; 1M values, 4 MiB, still
 * 1.1x faster overlapped; 4M values 0.55x), whatever was prefetched (the input 1-4 KiB
 * ahead, the output by prefetchw). A kernel cannot see where its data is: the row's length
 * chooses, as memcpy's non-temporal threshold does. From QB_QBLOCK_STREAM values on (8 MiB
 * of f32 input; qblock-scalar.h), the group loops take the unoverlapped order.
 */

/*
 * The codes of one q8_0 block with a normal d and no NaN or infinity: roundf(t) for t = x * id as trunc(t +
 * copysign(0x1.fffffep-2, t)), the same magnitudes as trunc(|t| + 0x1.fffffep-2) with t's sign (one
 * vpternlogd builds the copysign), narrowed by vpmovdb (values already in [-127, 127]).
 */
QB__QBLOCK_AVX512_INLINE void qb__avx512_q8_0_codes(const float* x, __m512 id, uint16_t dh,
                                                    qb_block_q8_0* b) {
  const __m512i half = _mm512_castps_si512(_mm512_set1_ps(0x1.fffffep-2f));
  const __m512i sign = _mm512_set1_epi32(INT32_MIN);
  b->d = dh;
#pragma GCC unroll 2
  for (int i = 0; i < 2; i++) {
    const __m512 t = _mm512_mul_ps(_mm512_loadu_ps(x + 16 * i), id);
    /* half | (t & sign): 0xF8 = A | (B & C). */
    const __m512i h = _mm512_ternarylogic_epi32(half, _mm512_castps_si512(t), sign, 0xF8);
    const __m512i q = _mm512_cvttps_epi32(_mm512_add_ps(t, _mm512_castsi512_ps(h)));
    _mm_storeu_si128((__m128i*) (b->qs + 16 * i), _mm512_cvtepi32_epi8(q));
  }
}

/*
 * The |x| maxima of the 16 blocks of 32 at x, block k's in lane qb__avx512_amax_lane[k].
 * Each block's two vectors are folded into one by VRANGEPS (imm 11: the larger magnitude,
 * sign cleared: one instruction where vpandd, vpandd, vpmaxsd take three), which returns
 * the other operand where one is a quiet NaN: a block's result is its largest |x| without
 * its NaNs (the reference's), NaN where all its values are, inf where it holds an infinity.
 * So a NaN among other values does not show here: the callers see it in the codes. Then
 * integer maxima of those bits (they order as the floats do, NaN above inf) by the
 * transposing tree of common/hmax-avx512.h (shared with the int4 group ranges).
 */
#define qb__avx512_amax_lane qb__avx512_hmax16_lane

QB__QBLOCK_AVX512_INLINE __m512i qb__avx512_amax16_bits(const float* x) {
  __m512i m[16];
#pragma GCC unroll 16
  for (int k = 0; k < 16; k++) {
    m[k] = _mm512_castps_si512(
        _mm512_range_ps(_mm512_loadu_ps(x + 32 * k), _mm512_loadu_ps(x + 32 * k + 16), 11));
  }
  return qb__avx512_hmax16x16(m, 0);
}

/*
 * Four vectors of int32 codes in [-128, 127] (64 values, two blocks of 32) -> their 64 bytes
 * in element order. vpackssdw and vpacksswb work within 128-bit lanes, so lane i of their
 * result holds elements 4i..4i+3 of q0, then of q1, q2 and q3, one dword each; one vpermd
 * puts the dwords back in order (4 instructions for 64 values where vpmovdb takes 4 of
 * 2 uops each). Exact: the values are in range, the packs do not saturate.
 */
QB__QBLOCK_AVX512_INLINE __m512i qb__avx512_pack_s8x64(__m512i q0, __m512i q1, __m512i q2, __m512i q3) {
  const __m512i w = _mm512_packs_epi16(_mm512_packs_epi32(q0, q1), _mm512_packs_epi32(q2, q3));
  return _mm512_permutexvar_epi32(_mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15), w);
}

/* After the scales of a group are stored to dh (f16 bits, 16 bytes or 32 of them) and ids
 * (16 floats): tells the compiler that the arrays may have changed, so that each block's
 * scale is read back from memory, as a broadcast load for id and a 16- or 32-bit load
 * for d (no vector ALU uop). Without it the compiler keeps them in registers and extracts
 * each one by vpbroadcastd + vpermd (id) and vpextrw / valignd (d): four shuffles per two
 * blocks on the two pipes that also do the packing. */
#define qb__avx512_from_memory(dh, ids) __asm__("" : "+m"(dh), "+m"(ids))

/* The 32 code bytes of two blocks (the low and high 256 bits of v) to a and b; the high
 * half by a masked store of v at b - 32, which needs no shuffle (vextracti64x4 does). */
QB__QBLOCK_AVX512_INLINE void qb__avx512_store_2x32(__m512i v, int8_t* a, int8_t* b) {
  _mm256_storeu_si256((__m256i*) a, _mm512_castsi512_si256(v));
  _mm512_mask_storeu_epi8(b - 32, (__mmask64) 0xFFFFFFFF00000000ull, v);
}

/*
 * roundf(x * id) for 32 values (x .. x + 15 under id2 = a, x + 16 .. x + 31 under b), in
 * integers as quant/qblock-avx2.h's qb__avx2_q8_0_round16 (its comment has the proof):
 * w = trunc(x * id2) with id2 = 2 / d = 2 id exactly (d normal), packed to int16 (no
 * saturation: |w| <= 254), then roundf(v) = vpavgw(w, w >> 15): (w + 1) >> 1 for w >= 0,
 * w >> 1 for w < 0. Five operations per 16 codes in the packs' int16 lanes where the float
 * way (trunc(t + copysign(0x1.fffffep-2, t))) took a vpternlogd and a vaddps per 16 on
 * top. The int16 lanes are in vpackssdw's order (per 128-bit lane, 4 of a, then 4 of b).
 * A NaN x (no infinity reaches here) gives INT32_MIN, -32768, then -16384: a -128 after the
 * byte pack, a code that is otherwise never made.
 */
QB__QBLOCK_AVX512_INLINE __m512i qb__avx512_q8_0_round32(const float* x, __m512 a, __m512 b) {
  const __m512i w = _mm512_packs_epi32(_mm512_cvttps_epi32(_mm512_mul_ps(_mm512_loadu_ps(x), a)),
                                       _mm512_cvttps_epi32(_mm512_mul_ps(_mm512_loadu_ps(x + 16), b)));
  return _mm512_avg_epu16(w, _mm512_srai_epi16(w, 15));
}

/* One q8_0 block, the steps of qb__avx512_q8_0_quant_x16 with a scalar d and id (the last
 * blocks of a row, fewer than sixteen). */
QB__QBLOCK_AVX512_INLINE void qb__avx512_q8_0_quant(const float* x, qb_block_q8_0* b) {
  const __m512i m = _mm512_max_epi32(_mm512_castps_si512(_mm512_abs_ps(_mm512_loadu_ps(x))),
                                     _mm512_castps_si512(_mm512_abs_ps(_mm512_loadu_ps(x + 16))));
  const uint32_t amax = (uint32_t) _mm512_reduce_max_epi32(m);
  const float d = qb_f32_from_bits(amax) / 127.0f;
  if (amax >= 0x7F800000u || (d != 0.0f && d < 0x1p-126f)) {
    qb__q8_0_block(x, b);
    return;
  }
  const uint16_t dh = (uint16_t) _mm_extract_epi16(_mm_cvtps_ph(_mm_set_ss(d), _MM_FROUND_TO_NEAREST_INT), 0);
  qb__avx512_q8_0_codes(x, _mm512_set1_ps(d != 0.0f ? 1.0f / d : 0.0f), dh, b);
}

/*
 * Sixteen q8_0 blocks (512 values) from their amax (qb__avx512_amax16_bits, quiet NaNs
 * skipped): d and id2 = 2 / d (2 id exactly) by two vector divisions, d to f16 by vcvtps2ph; then
 * the maxima of the next sixteen blocks (at next, when not NULL), returned, so that their
 * loads overlap these blocks' codes; then the codes two blocks at a time
 * (qb__avx512_q8_0_round32, packed as by qb__avx512_pack_s8x64). When any of the sixteen holds
 * only NaNs or an infinity or has a subnormal d, or when a NaN shows in the codes, the
 * sixteen go through qb__avx512_q8_0_quant instead (which sends such a block to the
 * reference): rare.
 */
QB__QBLOCK_AVX512_INLINE __m512i qb__avx512_q8_0_quant_x16_one(const float* x, qb_block_q8_0* b, __m512i amax,
                                                               const float* next) {
  const __m512 d = _mm512_div_ps(_mm512_castsi512_ps(amax), _mm512_set1_ps(127.0f));
  const __mmask16 nz = _mm512_cmp_ps_mask(d, _mm512_setzero_ps(), _CMP_NEQ_UQ);
  /* id2 = 2 / d (2 id exactly); 0 where d is 0 (a block of zeros). */
  const __m512 id = _mm512_maskz_div_ps(nz, _mm512_set1_ps(2.0f), d);
  const __mmask16 special = _mm512_mask_cmp_ps_mask(nz, d, _mm512_set1_ps(0x1p-126f), _CMP_LT_OQ) |
                            _mm512_cmpgt_epi32_mask(amax, _mm512_set1_epi32(0x7F7FFFFF));
  /* Block k's d and id in lane qb__avx512_amax_lane[k]: id broadcast from memory (a load,
   * no shuffle). */
  uint16_t dh[16];
  float ids[16];
  _mm256_storeu_si256((__m256i*) dh, _mm512_cvtps_ph(d, _MM_FROUND_TO_NEAREST_INT));
  _mm512_storeu_ps(ids, id);
  qb__avx512_from_memory(dh, ids);
  const __m512i amax_next = next != NULL ? qb__avx512_amax16_bits(next) : _mm512_setzero_si512();
  if (__builtin_expect(special == 0, 1)) {
    /* A NaN x (the only value that can reach here out of range) becomes INT32_MIN in
     * vcvttps2dq and -128 in the packs, a code that is otherwise never made. */
    __m512i lowest = _mm512_setzero_si512();
#pragma GCC unroll 8
    for (int k = 0; k < 16; k += 2) {
      const int l0 = qb__avx512_amax_lane[k], l1 = qb__avx512_amax_lane[k + 1];
      const __m512 i0 = _mm512_set1_ps(ids[l0]), i1 = _mm512_set1_ps(ids[l1]);
      const float* xk = x + 32 * k;
      /* The packs and the vpermd of qb__avx512_pack_s8x64, the rounding between them. */
      const __m512i v = _mm512_permutexvar_epi32(
          _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15),
          _mm512_packs_epi16(qb__avx512_q8_0_round32(xk, i0, i0), qb__avx512_q8_0_round32(xk + 32, i1, i1)));
      lowest = _mm512_min_epi8(lowest, v);
      b[k].d = dh[l0];
      b[k + 1].d = dh[l1];
      qb__avx512_store_2x32(v, b[k].qs, b[k + 1].qs);
    }
    if (__builtin_expect(_mm512_cmpeq_epi8_mask(lowest, _mm512_set1_epi8(INT8_MIN)) != 0, 0)) {
      for (int k = 0; k < 16; k++) qb__avx512_q8_0_quant(x + 32 * k, &b[k]);
    }
    return amax_next;
  }
  for (int k = 0; k < 16; k++) qb__avx512_q8_0_quant(x + 32 * k, &b[k]);
  return amax_next;
}

/* `groups` groups of sixteen q8_0 blocks. A row in cache: each group's maxima found while the
 * previous group's codes are computed (their L2 loads overlap those codes, which read L1).
 * A row of QB_QBLOCK_STREAM values or more (one that streams from DRAM): each
 * group's maxima, then its codes (README.md, "Throughput"). */
QB__QBLOCK_AVX512_INLINE void qb__avx512_q8_0_quant_x16(const float* x, qb_block_q8_0* b, size_t groups) {
  if (groups * 512 >= QB_QBLOCK_STREAM) {
    for (size_t g = 0; g < groups; g++) {
      (void) qb__avx512_q8_0_quant_x16_one(x + 512 * g, b + 16 * g, qb__avx512_amax16_bits(x + 512 * g),
                                           NULL);
    }
    return;
  }
  __m512i amax = groups != 0 ? qb__avx512_amax16_bits(x) : _mm512_setzero_si512();
  for (size_t g = 0; g < groups; g++) {
    amax = qb__avx512_q8_0_quant_x16_one(x + 512 * g, b + 16 * g, amax,
                                         g + 1 < groups ? x + 512 * (g + 1) : NULL);
  }
}

/* One q8_0 block: y = (float) q * d. */
QB__QBLOCK_AVX512_INLINE void qb__avx512_q8_0_dequant(const qb_block_q8_0* b, float* y) {
  const __m512 d = _mm512_set1_ps(_mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtsi32_si128(b->d))));
  for (int i = 0; i < QB_BLOCK_LEN; i += 16) {
    const __m512i q = _mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i*) (b->qs + i)));
    _mm512_storeu_ps(y + i, _mm512_mul_ps(_mm512_cvtepi32_ps(q), d));
  }
}

/* One q4_0 block, the steps of qb__avx2_q4_0_quant_x1 on two vectors of 16: elements
 * 0-15 and 16-31 are exactly the low and high nibbles, so byte j = c0[j] | c1[j] << 4. */
QB__QBLOCK_AVX512_INLINE void qb__avx512_q4_0_quant(const float* x, qb_block_q4_0* b) {
  const __m512 x0 = _mm512_loadu_ps(x), x1 = _mm512_loadu_ps(x + 16);
  const __m512 a0 = _mm512_abs_ps(x0), a1 = _mm512_abs_ps(x1);
  const float amax = _mm512_reduce_max_ps(_mm512_max_ps(a1, _mm512_max_ps(a0, _mm512_setzero_ps())));
  float m = 0.0f;
  if (amax != 0.0f) {
    const __m512 am = _mm512_set1_ps(amax);
    const uint32_t eq = (uint32_t) _mm512_cmp_ps_mask(a0, am, _CMP_EQ_OQ) |
                        (uint32_t) _mm512_cmp_ps_mask(a1, am, _CMP_EQ_OQ) << 16;
    m = x[__builtin_ctz(eq)];
  }
  const float d = m / -8.0f;
  const __m512 id = _mm512_set1_ps(d != 0.0f ? 1.0f / d : 0.0f);
  b->d = (uint16_t) _mm_extract_epi16(_mm_cvtps_ph(_mm_set_ss(d), _MM_FROUND_TO_NEAREST_INT), 0);
  const __m512 xs[2] = {x0, x1};
  __m512i c[2];
#pragma GCC unroll 2
  for (int i = 0; i < 2; i++) {
    const __m512 v = _mm512_mul_ps(xs[i], id);
    const __m512 t =
        _mm512_add_ps(_mm512_maskz_mov_ps(_mm512_cmp_ps_mask(v, v, _CMP_ORD_Q), v), _mm512_set1_ps(8.5f));
    c[i] = _mm512_cvttps_epi32(_mm512_min_ps(_mm512_max_ps(t, _mm512_setzero_ps()), _mm512_set1_ps(15.0f)));
  }
  _mm_storeu_si128((__m128i*) b->qs, _mm512_cvtepi32_epi8(_mm512_or_si512(c[0], _mm512_slli_epi32(c[1], 4))));
}

/*
 * Sixteen q4_0 blocks (512 values): the steps of qb__avx2_q4_0_quant_x8 (qblock-avx2.h)
 * with the maxima of all sixteen found together (qb__avx512_pn16, the next group's while
 * this one's codes are computed), m's sign from a signed and an unsigned maximum of the x
 * bits, d = amax * 0.125 signed opposite to m, id by one vector division, d to f16 by
 * vcvtps2ph; codes trunc(min(x * id + 8.5, 15)) for the blocks without NaN or infinity
 * and with d normal or 0, qb__avx512_q4_0_quant for the rest. The codes by
 * qb__avx512_q4_0_codes4, which ORs them into *nan: a negative code sends the sixteen
 * blocks through the one-block path.
 */
/*
 * Four consecutive blocks' codes (ids ia .. id): trunc(x * id + 8.5) in [0, 16] (the steps
 * of qb__avx2_q4_0_pairs on vectors of 16), packed to int16 by vpackssdw, elements 0-15 of
 * the blocks (the low nibbles) apart from elements 16-31 (the high ones); vpackuswb of
 * each (128-bit lane i: 4 bytes of each block in turn), min(c, 15) on the 64 bytes, the
 * high nibbles shifted in by one shift and one or, and one vpermd that gathers each
 * block's 16 bytes into one 128-bit lane, stored to the four blocks (one plain 16-byte
 * store, three masked stores of the vector at an offset: no extracting shuffle). The
 * clamp and the join on bytes take 6 operations per 128 values where the same on the
 * int16 lanes (4 vpminsw, 2 shifts, 2 ors, one vpackuswb) took 9. A NaN x gives INT32_MIN,
 * then -32768: ORed into *nan (sign bits of its 16-bit lanes) before the packs to bytes,
 * which would hide it.
 */
QB__QBLOCK_AVX512_INLINE void qb__avx512_q4_0_codes4(const float* x, __m512 ia, __m512 ib, __m512 ic,
                                                     __m512 id, qb_block_q4_0* b, __m512i* nan) {
  const __m512 h = _mm512_set1_ps(8.5f);
#define QB__C(p, s) _mm512_cvttps_epi32(_mm512_add_ps(_mm512_mul_ps(_mm512_loadu_ps(p), s), h))
  const __m512i lo_ab = _mm512_packs_epi32(QB__C(x, ia), QB__C(x + 32, ib));
  const __m512i hi_ab = _mm512_packs_epi32(QB__C(x + 16, ia), QB__C(x + 48, ib));
  const __m512i lo_cd = _mm512_packs_epi32(QB__C(x + 64, ic), QB__C(x + 96, id));
  const __m512i hi_cd = _mm512_packs_epi32(QB__C(x + 80, ic), QB__C(x + 112, id));
#undef QB__C
  /* 0xFE: A | B | C. */
  *nan = _mm512_ternarylogic_epi32(*nan, lo_ab, hi_ab, 0xFE);
  *nan = _mm512_ternarylogic_epi32(*nan, lo_cd, hi_cd, 0xFE);
  const __m512i fifteen = _mm512_set1_epi8(15);
  const __m512i lo = _mm512_min_epu8(_mm512_packus_epi16(lo_ab, lo_cd), fifteen);
  const __m512i hi = _mm512_min_epu8(_mm512_packus_epi16(hi_ab, hi_cd), fifteen);
  /* Bytes <= 15: a shift of the 16-bit lanes by 4 moves each into its own high nibble. */
  const __m512i w = _mm512_or_si512(lo, _mm512_slli_epi16(hi, 4));
  const __m512i v =
      _mm512_permutexvar_epi32(_mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15), w);
  _mm_storeu_si128((__m128i*) b[0].qs, _mm512_castsi512_si128(v));
  _mm512_mask_storeu_epi8(b[1].qs - 16, (__mmask64) 0xFFFF << 16, v);
  _mm512_mask_storeu_epi8(b[2].qs - 32, (__mmask64) 0xFFFF << 32, v);
  _mm512_mask_storeu_epi8(b[3].qs - 48, (__mmask64) 0xFFFF << 48, v);
}

/*
 * Step 1 of qb__avx2_q4_0_quant_x8 (qblock-avx2.h) for the 16 blocks at x, the maxima of
 * each block's x bits by integer maxima and the transposing tree of common/hmax-avx512.h:
 * p, the signed maximum (the largest positive x's bits where the block has one, else
 * negative), and n, the unsigned maximum with the sign bit flipped (the largest |x| among
 * its negative x where it has one, else negative); block k's in lane qb__avx512_hmax8_lane[k].
 * Each block's four 256-bit vectors are folded to eight lanes by three maxima per bound and
 * reduced by the eight-lane tree (qb__avx512_hmax16x8: 43 256-bit operations per bound where
 * the sixteen-lane tree after one 512-bit maximum per block took 52 512-bit ones, the int4
 * group ranges' `narrow` trade): 1.022x paired in L2 (ci/paired, 10 rounds), 1.014-1.018x in
 * L2 and in L1 in one process (the two objects alternating, median of 600 per-call ratios,
 * three runs).
 * A NaN of either sign lands above inf in p or n. The same number of operations as the
 * VRANGEPS maxima and minima of the values (the float way this replaced), but on Zen 4
 * the integer trees ran 1.055x (paired, L2, 8 rounds); so the tree's blends and integer
 * maxima (any vector pipe) cost less there than VRANGEPS. (For q8_0's amax the integer
 * way needs two more ands per block, and ran 0.96x: VRANGEPS stays there.)
 */
typedef struct qb__avx512_pn {
  __m512i p, n;
} qb__avx512_pn;

QB__QBLOCK_AVX512_INLINE qb__avx512_pn qb__avx512_pn16(const float* x) {
  __m256i p[16], n[16];
#pragma GCC unroll 16
  for (int k = 0; k < 16; k++) {
    __m256i v[4];
#pragma GCC unroll 4
    for (int i = 0; i < 4; i++) v[i] = _mm256_loadu_si256((const __m256i*) (x + 32 * k + 8 * i));
    p[k] = _mm256_max_epi32(_mm256_max_epi32(v[0], v[1]), _mm256_max_epi32(v[2], v[3]));
    n[k] = _mm256_max_epu32(_mm256_max_epu32(v[0], v[1]), _mm256_max_epu32(v[2], v[3]));
  }
  const qb__avx512_pn r = {qb__avx512_hmax16x8(p, 0),
                           _mm512_xor_si512(qb__avx512_hmax16x8(n, 1), _mm512_set1_epi32(INT32_MIN))};
  return r;
}

/*
 * The codes of sixteen q4_0 blocks whose d (f16 bits) and id are in dh and ids, block k's in
 * element lanes[k] (read back from memory: qb__avx512_from_memory), four blocks at a time
 * (qb__avx512_q4_0_codes4); then the blocks the fast path cannot take (bit lanes[k] of
 * special), written again by qb__avx512_q4_0_quant, or all sixteen where a code came out
 * negative (a NaN x, or a special block's garbage).
 */
QB__QBLOCK_AVX512_INLINE void qb__avx512_q4_0_codes16(const float* x, qb_block_q4_0* b, const uint16_t* dh,
                                                      const float* ids, __mmask16 special, const int* lanes) {
  __m512i nan = _mm512_setzero_si512();
#pragma GCC unroll 4
  for (int k = 0; k < 16; k += 4) {
    const int l0 = lanes[k], l1 = lanes[k + 1], l2 = lanes[k + 2], l3 = lanes[k + 3];
    b[k].d = dh[l0];
    b[k + 1].d = dh[l1];
    b[k + 2].d = dh[l2];
    b[k + 3].d = dh[l3];
    qb__avx512_q4_0_codes4(x + 32 * k, _mm512_set1_ps(ids[l0]), _mm512_set1_ps(ids[l1]),
                           _mm512_set1_ps(ids[l2]), _mm512_set1_ps(ids[l3]), &b[k], &nan);
  }
  if (__builtin_expect(_mm512_movepi16_mask(nan) != 0, 0)) {
    for (int k = 0; k < 16; k++) qb__avx512_q4_0_quant(x + 32 * k, &b[k]);
  } else if (__builtin_expect(special != 0, 0)) {
    for (int k = 0; k < 16; k++) {
      if (special & (1u << lanes[k])) qb__avx512_q4_0_quant(x + 32 * k, &b[k]);
    }
  }
}

/*
 * Sixteen q4_0 blocks from their p and n (qb__avx512_pn16), as qb__avx2_q4_0_quant_x8_one:
 * amax = max(p, n) as integers, m negative where n > p, +0 where amax is 0; a block where
 * p == n != 0 (both +amax and -amax occur: m is then whichever comes first), or holding a
 * NaN or an infinity (amax bits above inf's), or with a subnormal d, goes through
 * qb__avx512_q4_0_quant. d = m / -8 = amax * 0.125 with the sign opposite to m's (the same
 * exact value, so the same rounding), id = 1 / d by one vector division, d to f16 by
 * vcvtps2ph; the next sixteen blocks' p and n (at next, when not NULL) are found before
 * these blocks' codes, so that their loads overlap.
 */
QB__QBLOCK_AVX512_INLINE qb__avx512_pn qb__avx512_q4_0_quant_x16_one(const float* x, qb_block_q4_0* b,
                                                                     qb__avx512_pn pn, const float* next) {
  const __m512i amaxb = _mm512_max_epi32(pn.p, pn.n);
  const __mmask16 nz = _mm512_test_epi32_mask(amaxb, amaxb);
  const __mmask16 neg = nz & _mm512_cmpgt_epi32_mask(pn.n, pn.p);
  const __mmask16 tie = nz & _mm512_cmpeq_epi32_mask(pn.p, pn.n);
  const __m512 dm = _mm512_mul_ps(_mm512_castsi512_ps(amaxb), _mm512_set1_ps(0.125f));
  /* d = dm where m is negative, -dm where it is positive, -0 where amax is 0 (m = +0). */
  const __m512 d = _mm512_mask_xor_ps(dm, (__mmask16) ~neg, dm, _mm512_set1_ps(-0.0f));
  const __m512 id = _mm512_maskz_div_ps(nz, _mm512_set1_ps(1.0f), d);
  const __mmask16 special = tie | _mm512_cmpgt_epi32_mask(amaxb, _mm512_set1_epi32(0x7F7FFFFF)) |
                            _mm512_mask_cmp_ps_mask(nz, dm, _mm512_set1_ps(0x1p-126f), _CMP_LT_OQ);
  uint16_t dh[16];
  float ids[16];
  _mm256_storeu_si256((__m256i*) dh, _mm512_cvtps_ph(d, _MM_FROUND_TO_NEAREST_INT));
  _mm512_storeu_ps(ids, id);
  qb__avx512_from_memory(dh, ids);
  qb__avx512_pn pn_next = pn;
  if (next != NULL) pn_next = qb__avx512_pn16(next);
  qb__avx512_q4_0_codes16(x, b, dh, ids, special, qb__avx512_hmax8_lane);
  return pn_next;
}

/* `groups` groups of sixteen q4_0 blocks, each group's maxima (FIRST: p and n, or hi and
 * lo) found while the previous group's codes are computed (ONE); from QB_QBLOCK_STREAM
 * values on, right before them. */
#define QB__AVX512_Q4_0_GROUPS(NAME, STATE, FIRST, ONE)                                                  \
  QB__QBLOCK_AVX512_INLINE void NAME(const float* x, qb_block_q4_0* b, size_t groups) {                  \
    if (groups * 512 >= QB_QBLOCK_STREAM) {                                                              \
      for (size_t g = 0; g < groups; g++) (void) ONE(x + 512 * g, b + 16 * g, FIRST(x + 512 * g), NULL); \
      return;                                                                                            \
    }                                                                                                    \
    if (groups == 0) return;                                                                             \
    STATE m = FIRST(x);                                                                                  \
    for (size_t g = 0; g < groups; g++) {                                                                \
      m = ONE(x + 512 * g, b + 16 * g, m, g + 1 < groups ? x + 512 * (g + 1) : NULL);                    \
    }                                                                                                    \
  }
QB__AVX512_Q4_0_GROUPS(qb__avx512_q4_0_quant_x16, qb__avx512_pn, qb__avx512_pn16,
                       qb__avx512_q4_0_quant_x16_one)

/*
 * The same sixteen blocks with the maxima in floats (the `range` variant,
 * f32-q4_0-quant-avx512skx-range-u512.c, picked on Intel: prefer.inc): each block's largest
 * (hi) and smallest (lo) x by VRANGEPS (imm 5: the maximum, 4: the minimum; bits 3:2 = 01,
 * the result's sign from the comparison), folded from its two vectors by one each and
 * reduced in sixteen lanes by two trees of common/hmax-avx512.h's shape, block k's in lane
 * qb__avx512_hmax16_lane[k]. Intel runs VRANGEPS zmm on both vector ports (0 and 5), the
 * integer maxima of qb__avx512_pn16 only on port 0, and with 512-bit operations in flight
 * its 256-bit ones get the same two ports: per block two folding operations and about 6.5
 * in the trees where the integer eight-lane way takes six 256-bit maxima and about 5.3 tree
 * operations, most on port 0 (Zen 4, where a 256-bit operation is half a 512-bit one and
 * integer maxima run on every pipe, keeps the integer way: the registry's order).
 * VRANGEPS orders -0 below +0 and returns the other operand where one is a quiet NaN (a
 * signalling NaN comes back quieted): a block's hi and lo are NaN only where all its values
 * are, and a NaN that does not show there shows in the codes (a negative code: the sixteen
 * go through the one-block path).
 */
#define QB__RANGE(u, v, imm) (imm == 5 ? _mm512_range_ps(u, v, 5) : _mm512_range_ps(u, v, 4))

/* Level 1 of the tree for one pair of blocks (a, b: their sixteen partials): block a's eight
 * in the low 256 bits, b's in the high. (QB__RANGE: each arm with its literal, since the
 * immediate must be a constant expression, which clang checks before inlining; imm is 4 or
 * 5 at every call, so the other arm folds away.) */
QB__QBLOCK_AVX512_INLINE __m512 qb__avx512_range_pair(__m512 a, __m512 b, const int imm) {
  return QB__RANGE(_mm512_mask_blend_ps(0xFF00, a, b), _mm512_shuffle_f32x4(a, b, _MM_SHUFFLE(1, 0, 3, 2)),
                   imm);
}

/* Levels 2 to 4 of the tree on the eight pairs (qb__avx512_range_pair): block k's result in
 * lane qb__avx512_hmax16_lane[k]. */
QB__QBLOCK_AVX512_INLINE __m512 qb__avx512_range16p(const __m512* v1, const int imm) {
  __m512 v2[4];
#pragma GCC unroll 4
  for (int q = 0; q < 4; q++) {
    const __m512 a = _mm512_mask_blend_ps(0xF0F0, v1[2 * q], v1[2 * q + 1]);
    const __m512 b = _mm512_mask_blend_ps(0xF0F0, v1[2 * q + 1], v1[2 * q]);
    v2[q] = QB__RANGE(a, _mm512_shuffle_f32x4(b, b, _MM_SHUFFLE(2, 3, 0, 1)), imm);
  }
  __m512 v3[2];
#pragma GCC unroll 2
  for (int r = 0; r < 2; r++) {
    const __m512 a = _mm512_mask_blend_ps(0xCCCC, v2[2 * r], v2[2 * r + 1]);
    const __m512 b = _mm512_mask_blend_ps(0xCCCC, v2[2 * r + 1], v2[2 * r]);
    v3[r] = QB__RANGE(a, _mm512_permute_ps(b, _MM_SHUFFLE(1, 0, 3, 2)), imm);
  }
  const __m512 a = _mm512_mask_blend_ps(0xAAAA, v3[0], v3[1]);
  const __m512 b = _mm512_mask_blend_ps(0xAAAA, v3[1], v3[0]);
  return QB__RANGE(a, _mm512_permute_ps(b, _MM_SHUFFLE(2, 3, 0, 1)), imm);
}

/* The largest (hi) and smallest (lo) x of each of the 16 blocks at x; each pair of blocks
 * through the tree's first level as soon as both are folded, so that 16 vectors, not 32,
 * wait for the rest of the tree (32 spilled). */
typedef struct qb__avx512_hilo {
  __m512 hi, lo;
} qb__avx512_hilo;

QB__QBLOCK_AVX512_INLINE qb__avx512_hilo qb__avx512_hilo16(const float* x) {
  __m512 h[8], l[8];
#pragma GCC unroll 8
  for (int p = 0; p < 8; p++) {
    const float* xp = x + 64 * p;
    const __m512 a0 = _mm512_loadu_ps(xp), a1 = _mm512_loadu_ps(xp + 16);
    const __m512 b0 = _mm512_loadu_ps(xp + 32), b1 = _mm512_loadu_ps(xp + 48);
    h[p] = qb__avx512_range_pair(_mm512_range_ps(a0, a1, 5), _mm512_range_ps(b0, b1, 5), 5);
    l[p] = qb__avx512_range_pair(_mm512_range_ps(a0, a1, 4), _mm512_range_ps(b0, b1, 4), 4);
  }
  const qb__avx512_hilo r = {qb__avx512_range16p(h, 5), qb__avx512_range16p(l, 4)};
  return r;
}
#undef QB__RANGE

/*
 * Sixteen q4_0 blocks from their hi and lo (qb__avx512_hilo16): the reference's amax is
 * max(hi, -lo) and its m is +amax when only positive values reach it, -amax when only
 * negative ones do, +0 when amax is 0; a block where both +amax and -amax occur (m is then
 * whichever comes first), whose hi or lo is NaN (only NaNs), holding an infinity, or with a
 * subnormal d goes through qb__avx512_q4_0_quant. Then as qb__avx512_q4_0_quant_x16_one.
 */
QB__QBLOCK_AVX512_INLINE qb__avx512_hilo qb__avx512_q4_0_range_x16_one(const float* x, qb_block_q4_0* b,
                                                                       qb__avx512_hilo hl,
                                                                       const float* next) {
  const __m512 nlo = _mm512_xor_ps(hl.lo, _mm512_set1_ps(-0.0f));
  const __m512 amax = _mm512_max_ps(hl.hi, nlo);
  const __mmask16 pos = _mm512_cmp_ps_mask(hl.hi, amax, _CMP_EQ_OQ);
  const __mmask16 neg = _mm512_cmp_ps_mask(nlo, amax, _CMP_EQ_OQ);
  const __mmask16 nz = _mm512_cmp_ps_mask(amax, _mm512_setzero_ps(), _CMP_NEQ_UQ);
  const __m512 dm = _mm512_mul_ps(amax, _mm512_set1_ps(0.125f));
  /* d = dm where m is negative, -dm where it is positive, -0 where amax is 0 (m = +0). */
  const __m512 d = _mm512_mask_mov_ps(_mm512_set1_ps(-0.0f), nz,
                                      _mm512_mask_xor_ps(dm, (__mmask16) ~neg, dm, _mm512_set1_ps(-0.0f)));
  const __m512 id = _mm512_maskz_div_ps(nz, _mm512_set1_ps(1.0f), d);
  const __mmask16 special = (pos & neg & nz) | _mm512_cmp_ps_mask(hl.hi, hl.lo, _CMP_UNORD_Q) |
                            _mm512_mask_cmp_ps_mask(nz, dm, _mm512_set1_ps(0x1p-126f), _CMP_LT_OQ) |
                            _mm512_cmp_ps_mask(amax, _mm512_set1_ps(INFINITY), _CMP_EQ_OQ);
  uint16_t dh[16];
  float ids[16];
  _mm256_storeu_si256((__m256i*) dh, _mm512_cvtps_ph(d, _MM_FROUND_TO_NEAREST_INT));
  _mm512_storeu_ps(ids, id);
  qb__avx512_from_memory(dh, ids);
  qb__avx512_hilo hl_next = hl;
  if (next != NULL) hl_next = qb__avx512_hilo16(next);
  qb__avx512_q4_0_codes16(x, b, dh, ids, special, qb__avx512_hmax16_lane);
  return hl_next;
}

/* qb__avx512_q4_0_quant_x16 with the float maxima (qb__avx512_q4_0_range_x16_one). */
QB__AVX512_Q4_0_GROUPS(qb__avx512_q4_0_quant_range_x16, qb__avx512_hilo, qb__avx512_hilo16,
                       qb__avx512_q4_0_range_x16_one)
#undef QB__AVX512_Q4_0_GROUPS

/*
 * One q4_0 block: y = (float) (code - 8) * d, by a table as the int4 group dequantizers
 * (int4g-avx512.h): the sixteen values a code can give, t[k] = (float) (k - 8) * d (each
 * the reference's one product), then one vpermps of t per 16 outputs, which reads only the
 * low 4 bits of each index:
 * 1. the 16 bytes widened to dwords: byte j's low nibble (element j) indexes as it is;
 * 2. shifted right by 4: its high nibble (element j + 16).
 * Where the conversion per 16 values took a mask, a subtraction, a widening, a conversion
 * and a product, this takes the shift and the vpermps, and 2 operations per block for t.
 */
QB__QBLOCK_AVX512_INLINE void qb__avx512_q4_0_dequant(const qb_block_q4_0* b, float* y) {
  const __m512 d = _mm512_broadcastss_ps(_mm_cvtph_ps(_mm_cvtsi32_si128(b->d)));
  const __m512 t = _mm512_mul_ps(_mm512_setr_ps(-8, -7, -6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7), d);
  /* 1. */
  const __m512i q = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i*) b->qs));
  _mm512_storeu_ps(y, _mm512_permutexvar_ps(q, t));
  /* 2. */
  _mm512_storeu_ps(y + 16, _mm512_permutexvar_ps(_mm512_srli_epi32(q, 4), t));
}

#endif /* QB_QBLOCK_AVX512_H */
