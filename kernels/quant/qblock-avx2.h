/*
 * AVX2 (+F16C) blocks of llama.cpp's q8_0 and q4_0 (qblock-scalar.h gives the semantics),
 * included only by -avx2- files. Each function handles a fixed number of blocks and is
 * bit-exact with the scalar reference for every input: qblock.c.in loops over them.
 */
#ifndef QB_QBLOCK_AVX2_H
#define QB_QBLOCK_AVX2_H

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "common/hmax-avx2.h"
#include "qb/ukernel.h"
#include "quant/qblock-scalar.h"

#define QB__QBLOCK_AVX2_INLINE static inline __attribute__((always_inline))

/* An empty asm that says it reads and writes two stored arrays, so that the compiler
 * reads each block's scale and id back from them (a broadcast load, a 32- or 16-bit
 * load) instead of keeping them in registers and extracting each one by two shuffles
 * (vpermilps + vperm2f128, vextracti128 + vpextrd) on the pipes that also pack the
 * codes. */
#define qb__avx2_from_memory(a, b) __asm__("" : "+m"(a), "+m"(b))

/*
 * common/hmax-avx2.h's tree (eight vectors of per-block partial maxima -> block k's maximum
 * in lane k / 2 + 4 * (k % 2), the same lanes holding the same maxima) with 8 shuffles
 * instead of 14: in its first two levels each compared pair is one vpblendd (any vector
 * ALU pipe) and one shuffle (the pipes that also multiply, convert and pack) where the
 * shared tree takes two shuffles. Level 1: [m0.lo | m1.hi] (vpblendd) against [m0.hi |
 * m1.lo] (vperm2i128); level 2, in each 128-bit lane: [p0[0], p0[1], p1[2], p1[3]]
 * against [p0[2], p0[3], p1[0], p1[1]] (vshufps 0x4E); level 3 as the shared tree. Still 21
 * instructions. `uns` picks unsigned 32-bit maxima.
 */
QB__QBLOCK_AVX2_INLINE __m256i qb__avx2_qblock_hmax8x8(const __m256i* m, int uns) {
#define QB__MAX(a, b) (uns ? _mm256_max_epu32(a, b) : _mm256_max_epi32(a, b))
#define QB__SHUF(a, b, imm) \
  _mm256_castps_si256(_mm256_shuffle_ps(_mm256_castsi256_ps(a), _mm256_castsi256_ps(b), imm))
  __m256i p[4];
#pragma GCC unroll 4
  for (int j = 0; j < 4; j++) {
    p[j] = QB__MAX(_mm256_blend_epi32(m[2 * j], m[2 * j + 1], 0xF0),
                   _mm256_permute2x128_si256(m[2 * j], m[2 * j + 1], 0x21));
  }
  const __m256i q0 = QB__MAX(_mm256_blend_epi32(p[0], p[1], 0xCC), QB__SHUF(p[0], p[1], 0x4E));
  const __m256i q1 = QB__MAX(_mm256_blend_epi32(p[2], p[3], 0xCC), QB__SHUF(p[2], p[3], 0x4E));
  const __m256i r = QB__MAX(QB__SHUF(q0, q1, 0x88), QB__SHUF(q0, q1, 0xDD));
#undef QB__SHUF
#undef QB__MAX
  return r;
}

/*
 * The |x| maxima of the eight blocks of 32 at x, as integer maxima of the |x| bits (NaN
 * above inf, so a block's result says whether it holds a NaN or an infinity), block k's in
 * lane k / 2 + 4 * (k % 2): four vectors per block folded into one, then qb__avx2_qblock_hmax8x8.
 */
QB__QBLOCK_AVX2_INLINE __m256i qb__avx2_amax8(const float* x) {
  const __m256i absm = _mm256_set1_epi32(0x7FFFFFFF);
  __m256i m[8];
#pragma GCC unroll 8
  for (int k = 0; k < 8; k++) {
    __m256i a = _mm256_and_si256(_mm256_loadu_si256((const __m256i*) (x + 32 * k)), absm);
#pragma GCC unroll 3
    for (int i = 1; i < 4; i++) {
      a = _mm256_max_epi32(_mm256_and_si256(_mm256_loadu_si256((const __m256i*) (x + 32 * k + 8 * i)), absm),
                           a);
    }
    m[k] = a;
  }
  return qb__avx2_qblock_hmax8x8(m, 0);
}

/*
 * Step 2 shared by the eight-block quantizers of qb8 and q4_0 (q8_0's is qb__avx2_q8_0_prep8): id = d != 0 ?
 * one / d : 0 by one vector division (into ids; `one` is 1, or 2 where the codes want 2 / d = 2 (1 / d)
 * exactly), and the lanes whose block the fast path cannot take (returned as a bit mask): a NaN or an
 * infinity in it (amax bits above inf's) or a subnormal d (dm = |d|: 1 / d inf or too coarse to bound the
 * codes). The fast path runs on those blocks too (garbage, no trap: every exception is masked) and
 * qb__avx2_qblock_redo writes them again.
 */
QB__QBLOCK_AVX2_INLINE int qb__avx2_qblock_id8(__m256 d, __m256 dm, __m256i amax, float one, float* ids) {
  const __m256 nz = _mm256_cmp_ps(dm, _mm256_setzero_ps(), _CMP_NEQ_UQ);
  _mm256_storeu_ps(ids, _mm256_and_ps(_mm256_div_ps(_mm256_set1_ps(one), d), nz));
  const __m256 tiny = _mm256_and_ps(nz, _mm256_cmp_ps(dm, _mm256_set1_ps(0x1p-126f), _CMP_LT_OQ));
  const __m256i naninf = _mm256_cmpgt_epi32(amax, _mm256_set1_epi32(0x7F7FFFFF));
  return _mm256_movemask_ps(_mm256_or_ps(tiny, _mm256_castsi256_ps(naninf)));
}

/* The blocks of a group of eight (block k in lane k / 2 + 4 * (k % 2) of `special`) written
 * again by `one`, a one-block path exact for every input, over the fast path's bytes; out of
 * line (rare, and inlined copies would fill the group loop with cold code). */
static __attribute__((noinline)) void qb__avx2_qblock_redo(const float* x, void* b, size_t bsize, int special,
                                                           void (*one)(const float*, void*)) {
  for (int k = 0; k < 8; k++) {
    if (special & (1 << (k / 2 + 4 * (k % 2)))) one(x + 32 * k, (char*) b + bsize * (size_t) k);
  }
}

/*
 * The codes of one q8_0 block with a normal d (so |x| * id <= 127 (1 + 2^-22)) and no NaN
 * or infinity, from id2 = 2 / d = 2 id (exact: 1 / d is normal): roundf(v), v = x * id, in
 * integers. 1. w = trunc(x * id2) = trunc(2 v) (x * id2 = 2 v exactly where |v| >= 2^-126;
 * below that both are 0), |w| <= 254; 2. roundf(v) = sign(v) floor(|v| + 1/2) =
 * sign(v) floor((floor(2 |v|) + 1) / 2) = sign(w) floor((|w| + 1) / 2), which is
 * (w + 1) >> 1 for w > 0 and w >> 1 (arithmetic: floor(w / 2) = -floor((1 - w) / 2)) for
 * w <= 0; 3. both by one vpavgw, (a + b + 1) >> 1 on the unsigned 16-bit lanes in 17 bits,
 * with b = [w < 0] (all ones): for w >= 0, (w + 0 + 1) >> 1; for w < 0, a = 2^16 + w and
 * b = 2^16 - 1, so (2^17 + w) >> 1 = 2^16 + floor(w / 2), whose low 16 bits are w >> 1.
 * A compare and an average per 16 codes in the int16 lanes of the first pack (the compare
 * on any vector ALU pipe; the shift this replaces, with a subtract, ran on the two pipes
 * that also pack), where the float way (trunc(v + copysign(0x1.fffffep-2, x))) took a
 * vblendvps and a vaddps per 8 on the floating-point pipes. The results are in
 * [-127, 127]: the packs do not saturate.
 */
QB__QBLOCK_AVX2_INLINE __m256i qb__avx2_q8_0_round16(__m256i w) {
  return _mm256_avg_epu16(w, _mm256_cmpgt_epi16(_mm256_setzero_si256(), w));
}

QB__QBLOCK_AVX2_INLINE void qb__avx2_q8_0_codes(const float* x, __m256 id2, uint16_t dh, qb_block_q8_0* b) {
  __m256i w[4];
#pragma GCC unroll 4
  for (int i = 0; i < 4; i++) w[i] = _mm256_cvttps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + 8 * i), id2));
  const __m256i w0 = qb__avx2_q8_0_round16(_mm256_packs_epi32(w[0], w[1]));
  const __m256i w1 = qb__avx2_q8_0_round16(_mm256_packs_epi32(w[2], w[3]));
  b->d = dh;
  _mm256_storeu_si256(
      (__m256i*) b->qs,
      _mm256_permutevar8x32_epi32(_mm256_packs_epi16(w0, w1), _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7)));
}

/*
 * Eight q8_0 blocks (256 values). Steps, each the reference's operation:
 * 1. every block's amax as the integer maximum of |x| bits, reduced together
 *    (qb__avx2_amax8, done by the caller); for a block without NaN it is the reference's amax;
 * 2. d = amax / 127 and id2 = d != 0 ? 2 / d : 0 (2 id exactly) by two vector divisions; d
 *    stored as f16 by vcvtps2ph (round to nearest even, as qb_f32_to_f16_bits);
 * 3. the codes by qb__avx2_q8_0_codes. A block holding a NaN or an infinity (amax bits
 *    >= 0x7F800000), or with a subnormal d (1 / d inf or too coarse to bound the codes),
 *    goes through the reference instead: rare, and the fast path then needs no NaN mask
 *    and no clamp.
 */
static void qb__avx2_q8_0_ref(const float* x, void* b) {
  qb__q8_0_block(x, (qb_block_q8_0*) b);
}

/* A group's per-block constants (step 2), computed a step ahead of its codes: block k's
 * f16 d and id2 in lane k / 2 + 4 * (k % 2). (The lanes of the blocks to redo are returned
 * apart, so that they stay in a register.) */
typedef struct {
  uint16_t dh[8];
  float ids[8];
} qb__avx2_q8_0_prep;

/* Step 2 of eight blocks: their d (to f16 into p->dh), id2 = 2 / max(d, 2^-126) (into
 * p->ids: 2 / d for a normal d; for d = 0, a block of zeros, 2^127, which sends its x = +-0
 * to +-0 as id2 = 0 would), and the lanes of the blocks the fast path cannot take: a NaN
 * or an infinity (amax bits above inf's) or a subnormal d, whose bits b satisfy
 * b - 1 < 0x7FFFFF as unsigned: one add that flips the sign bit of b - 1 and one signed
 * compare. (d = amax / 127 is never negative.) */
QB__QBLOCK_AVX2_INLINE int qb__avx2_q8_0_prep8(__m256i amax, qb__avx2_q8_0_prep* p) {
  const __m256 d = _mm256_div_ps(_mm256_castsi256_ps(amax), _mm256_set1_ps(127.0f));
  _mm256_storeu_ps(p->ids, _mm256_div_ps(_mm256_set1_ps(2.0f), _mm256_max_ps(d, _mm256_set1_ps(0x1p-126f))));
  _mm_storeu_si128((__m128i*) p->dh, _mm256_cvtps_ph(d, _MM_FROUND_TO_NEAREST_INT));
  const __m256i tiny =
      _mm256_cmpgt_epi32(_mm256_set1_epi32(INT32_MIN + 0x7FFFFF),
                         _mm256_add_epi32(_mm256_castps_si256(d), _mm256_set1_epi32(INT32_MAX)));
  const __m256i naninf = _mm256_cmpgt_epi32(amax, _mm256_set1_epi32(0x7F7FFFFF));
  return _mm256_movemask_ps(_mm256_castsi256_ps(_mm256_or_si256(tiny, naninf)));
}

/* Step 3 of eight blocks under their constants, block k's id2 broadcast (from memory) from
 * lane k / 2 + 4 * (k % 2). (Its f16 d as one vpextrw from a vector load of p->dh, one
 * instruction per block where the 16-bit load and store take two, ran 0.96-0.98x: vpextrw
 * to memory takes a vector pipe.) */
QB__QBLOCK_AVX2_INLINE void qb__avx2_q8_0_codes8(const float* x, qb_block_q8_0* b, qb__avx2_q8_0_prep* p,
                                                 int special) {
  qb__avx2_from_memory(p->dh, p->ids);
#pragma GCC unroll 8
  for (int k = 0; k < 8; k++) {
    const int lane = k / 2 + 4 * (k % 2);
    qb__avx2_q8_0_codes(x + 32 * k, _mm256_set1_ps(p->ids[lane]), p->dh[lane], &b[k]);
  }
  if (__builtin_expect(special != 0, 0)) qb__avx2_qblock_redo(x, b, sizeof(*b), special, qb__avx2_q8_0_ref);
}

/* `groups` groups of eight q8_0 blocks as a pipeline of three stages: while a group's codes
 * are computed, the next group's constants are (from maxima found in the step before) and
 * the maxima of the group after it (their loads overlap the codes). With the constants
 * computed at the start of their own group, its codes waited on the chain of two
 * divisions and the stores they broadcast from. Two groups per iteration while two more
 * follow them, so that the two structs of constants are fixed stack addresses (indexed by
 * g % 2, their addresses and the loop took 43 scalar instructions per group where this
 * loop takes 22: 32 instructions per block instead of 35); the last groups one at a time. */
QB__QBLOCK_AVX2_INLINE void qb__avx2_q8_0_quant_x8(const float* x, qb_block_q8_0* b, size_t groups) {
  if (groups == 0) return;
  qb__avx2_q8_0_prep p[2];
  int s0 = qb__avx2_q8_0_prep8(qb__avx2_amax8(x), &p[0]), s1 = 0;
  __m256i amax = groups > 1 ? qb__avx2_amax8(x + 256) : _mm256_setzero_si256();
  size_t g = 0;
  for (; g + 4 <= groups; g += 2) {
    /* amax: group g + 1's; p[0], s0: group g's constants (g is even). */
    s1 = qb__avx2_q8_0_prep8(amax, &p[1]);
    amax = qb__avx2_amax8(x + 256 * (g + 2));
    qb__avx2_q8_0_codes8(x + 256 * g, b + 8 * g, &p[0], s0);
    s0 = qb__avx2_q8_0_prep8(amax, &p[0]);
    amax = qb__avx2_amax8(x + 256 * (g + 3));
    qb__avx2_q8_0_codes8(x + 256 * (g + 1), b + 8 * (g + 1), &p[1], s1);
  }
  for (; g < groups; g++) {
    /* amax: group g + 1's; p[g % 2] and s0 or s1: group g's constants. */
    if (g + 1 < groups) {
      const int s = qb__avx2_q8_0_prep8(amax, &p[(g + 1) % 2]);
      if ((g + 1) % 2)
        s1 = s;
      else
        s0 = s;
    }
    if (g + 2 < groups) amax = qb__avx2_amax8(x + 256 * (g + 2));
    qb__avx2_q8_0_codes8(x + 256 * g, b + 8 * g, &p[g % 2], g % 2 ? s1 : s0);
  }
}

/* One q8_0 block, the steps of qb__avx2_q8_0_quant_x8 with a scalar d and id (the last
 * blocks of a row, fewer than eight). */
QB__QBLOCK_AVX2_INLINE void qb__avx2_q8_0_quant(const float* x, qb_block_q8_0* b) {
  const __m256i absm = _mm256_set1_epi32(0x7FFFFFFF);
  __m256i mx = _mm256_and_si256(_mm256_loadu_si256((const __m256i*) x), absm);
#pragma GCC unroll 3
  for (int i = 1; i < 4; i++) {
    mx = _mm256_max_epi32(_mm256_and_si256(_mm256_loadu_si256((const __m256i*) (x + 8 * i)), absm), mx);
  }
  __m128i m4 = _mm_max_epi32(_mm256_castsi256_si128(mx), _mm256_extracti128_si256(mx, 1));
  m4 = _mm_max_epi32(m4, _mm_shuffle_epi32(m4, _MM_SHUFFLE(1, 0, 3, 2)));
  m4 = _mm_max_epi32(m4, _mm_shuffle_epi32(m4, _MM_SHUFFLE(2, 3, 0, 1)));
  const uint32_t amax = (uint32_t) _mm_cvtsi128_si32(m4);
  const float d = qb_f32_from_bits(amax) / 127.0f;
  if (amax >= 0x7F800000u || (d != 0.0f && d < 0x1p-126f)) {
    qb__q8_0_block(x, b);
    return;
  }
  const uint16_t dh = (uint16_t) _mm_extract_epi16(_mm_cvtps_ph(_mm_set_ss(d), _MM_FROUND_TO_NEAREST_INT), 0);
  qb__avx2_q8_0_codes(x, _mm256_set1_ps(d != 0.0f ? 2.0f / d : 0.0f), dh, b);
}

/*
 * qbench's qb8 (quant-scalar.h's qb__block_quant_one: an f32 d = amax / 127 and the codes
 * nearbyint(x * id) clamped to [-127, 127]), eight blocks at once, the steps of
 * qb__avx2_q8_0_quant_x8: the maxima by qb__avx2_amax8, d and id by two vector divisions
 * (the reference's IEEE operations, so its bits). Where a block holds no NaN and no
 * infinity and its d is normal or 0, |x * id| <= 127 (1 + 2^-22) for every x of it
 * (amax * fl(1 / fl(amax / 127)) is 127 within two roundings), so the codes are
 * vcvtps2dq(x * id) (nearest even in the default rounding mode, as the reference's
 * qb__round_even assumes) with no clamp and no NaN mask: a multiply and a conversion per
 * vector, then the packs. Any other block goes through the reference (rare).
 */
QB__QBLOCK_AVX2_INLINE void qb__avx2_qb8_codes(const float* x, __m256 id, const float* d, qb_block_q8* b) {
  __m256i q[4];
#pragma GCC unroll 4
  for (int i = 0; i < 4; i++) q[i] = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + 8 * i), id));
  const __m256i w = _mm256_packs_epi16(_mm256_packs_epi32(q[0], q[1]), _mm256_packs_epi32(q[2], q[3]));
  memcpy(&b->d, d, sizeof(float));
  _mm256_storeu_si256((__m256i*) b->qs,
                      _mm256_permutevar8x32_epi32(w, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7)));
}

static void qb__avx2_qb8_ref(const float* x, void* b) {
  qb__block_quant_one(x, (qb_block_q8*) b);
}

QB__QBLOCK_AVX2_INLINE __m256i qb__avx2_qb8_quant_x8_one(const float* x, qb_block_q8* b, __m256i amax,
                                                         const float* next) {
  const __m256 d = _mm256_div_ps(_mm256_castsi256_ps(amax), _mm256_set1_ps(127.0f));
  float ds[8], ids[8];
  const int special = qb__avx2_qblock_id8(d, d, amax, 1.0f, ids);
  _mm256_storeu_ps(ds, d);
  qb__avx2_from_memory(ds, ids);
  /* The next eight blocks' maxima, so that their loads overlap these blocks' codes. */
  const __m256i amax_next = next != NULL ? qb__avx2_amax8(next) : _mm256_setzero_si256();
  /* Block k's d and id (broadcast from memory) from lane k / 2 + 4 * (k % 2). */
#pragma GCC unroll 8
  for (int k = 0; k < 8; k++) {
    const int lane = k / 2 + 4 * (k % 2);
    qb__avx2_qb8_codes(x + 32 * k, _mm256_set1_ps(ids[lane]), &ds[lane], &b[k]);
  }
  if (__builtin_expect(special != 0, 0)) qb__avx2_qblock_redo(x, b, sizeof(*b), special, qb__avx2_qb8_ref);
  return amax_next;
}

/* `groups` groups of eight qb8 blocks, pipelined as qb__avx2_q8_0_quant_x8. */
QB__QBLOCK_AVX2_INLINE void qb__avx2_qb8_quant_x8(const float* x, qb_block_q8* b, size_t groups) {
  __m256i amax = groups != 0 ? qb__avx2_amax8(x) : _mm256_setzero_si256();
  for (size_t g = 0; g < groups; g++) {
    amax = qb__avx2_qb8_quant_x8_one(x + 256 * g, b + 8 * g, amax, g + 1 < groups ? x + 256 * (g + 1) : NULL);
  }
}

/* One q8_0 block: y = (float) q * d, d decoded exactly by vcvtph2ps. */
QB__QBLOCK_AVX2_INLINE void qb__avx2_q8_0_dequant(const qb_block_q8_0* b, float* y) {
  const __m256 d = _mm256_set1_ps(_mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtsi32_si128(b->d))));
  for (int i = 0; i < QB_BLOCK_LEN; i += 8) {
    const __m256i q = _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i*) (b->qs + i)));
    _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_cvtepi32_ps(q), d));
  }
}

/* The largest of 8 lanes (none NaN). */
QB__QBLOCK_AVX2_INLINE float qb__avx2_qblock_hmax(__m256 v) {
  __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  m = _mm_max_ps(m, _mm_movehl_ps(m, m));
  m = _mm_max_ss(m, _mm_movehdup_ps(m));
  return _mm_cvtss_f32(m);
}

/*
 * One q4_0 block. Steps, as qb__q4_0_block:
 * 1. amax with NaN skipped; m = the first element whose |x| is amax (the lowest set bit of
 *    the equality mask), 0 when amax is 0 (the reference never replaces its initial +0, so
 *    a block of -0 keeps m = +0 and d = -0);
 * 2. d = m / -8, id = d != 0 ? 1 / d : 0 in f32, d stored as f16 (vcvtps2ph, RNE);
 * 3. v = x * id, NaN -> 0 (then v + 8.5 truncates to the reference's 8), t = v + 8.5 in
 *    f32 (no FMA: two roundings as the reference), clamped to [0, 15] (max(t, 0) also
 *    sends -inf to 0), truncated;
 * 4. byte j = code j | code j + 16 << 4.
 */
QB__QBLOCK_AVX2_INLINE void qb__avx2_q4_0_quant(const float* x, qb_block_q4_0* b) {
  const __m256 absm = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
  __m256 xv[4], a[4];
  __m256 mx = _mm256_setzero_ps();
#pragma GCC unroll 4
  for (int i = 0; i < 4; i++) {
    xv[i] = _mm256_loadu_ps(x + 8 * i);
    a[i] = _mm256_and_ps(xv[i], absm);
    mx = _mm256_max_ps(a[i], mx);
  }
  /* 1. */
  const float amax = qb__avx2_qblock_hmax(mx);
  float m = 0.0f;
  if (amax != 0.0f) {
    const __m256 am = _mm256_set1_ps(amax);
    uint32_t eq = 0;
#pragma GCC unroll 4
    for (int i = 0; i < 4; i++)
      eq |= (uint32_t) _mm256_movemask_ps(_mm256_cmp_ps(a[i], am, _CMP_EQ_OQ)) << (8 * i);
    m = x[__builtin_ctz(eq)];
  }
  /* 2. */
  const float d = m / -8.0f;
  const __m256 id = _mm256_set1_ps(d != 0.0f ? 1.0f / d : 0.0f);
  b->d = (uint16_t) _mm_extract_epi16(_mm_cvtps_ph(_mm_set_ss(d), _MM_FROUND_TO_NEAREST_INT), 0);
  /* 3. */
  __m256i c[4];
#pragma GCC unroll 4
  for (int i = 0; i < 4; i++) {
    __m256 v = _mm256_mul_ps(xv[i], id);
    v = _mm256_and_ps(v, _mm256_cmp_ps(v, v, _CMP_ORD_Q));
    const __m256 t = _mm256_add_ps(v, _mm256_set1_ps(8.5f));
    c[i] = _mm256_cvttps_epi32(_mm256_min_ps(_mm256_max_ps(t, _mm256_setzero_ps()), _mm256_set1_ps(15.0f)));
  }
  /* 4. Elements 0-7 with 16-23, 8-15 with 24-31; the packs interleave 4-dword halves. */
  const __m256i lo = _mm256_or_si256(c[0], _mm256_slli_epi32(c[2], 4));
  const __m256i hi = _mm256_or_si256(c[1], _mm256_slli_epi32(c[3], 4));
  const __m256i w = _mm256_packs_epi32(lo, hi);
  const __m128i bytes = _mm_packus_epi16(_mm256_castsi256_si128(w), _mm256_extracti128_si256(w, 1));
  _mm_storeu_si128((__m128i*) b->qs, _mm_shuffle_epi32(bytes, _MM_SHUFFLE(3, 1, 2, 0)));
}

/*
 * Eight q4_0 blocks (256 values), the steps of qb__avx2_q4_0_quant with the per-block
 * reductions and scalar divisions done for all eight at once:
 * 1. m's magnitude and sign from two maxima of each block's x bits, reduced together
 *    (qb__avx2_q4_0_range8): p, the signed maximum (the largest positive x's bits where the
 *    block has a positive x, else negative), and n, the unsigned maximum with the sign bit
 *    flipped (the largest |x| among the negative x where it has one, else negative). So
 *    amax = max(p, n) as integers, and m is positive where p > n, negative where n > p; where
 *    p == n != 0 both +amax and -amax occur and the first of them decides
 *    (qb__avx2_q4_0_ties, out of line: rare in real data). An all-zero block (+0 and -0
 *    alike) keeps the reference's initial m = +0;
 * 2. d = m / -8 = -m * 0.125 (the same exact value, so the same rounding) as amax * 0.125
 *    with the sign opposite to m's; id = d != 0 ? 1 / d : 0 by one vector division; d to
 *    f16 by vcvtps2ph (RNE, as qb_f32_to_f16_bits);
 * 3. the codes trunc(min(x * id + 8.5, 15)): with x finite and d normal (or 0),
 *    |x * id| <= 8 (1 + 2^-22), so x * id + 8.5 > 0.49 and needs no NaN mask and no lower
 *    clamp. A block holding a NaN or an infinity (amax bits >= 0x7F800000: a NaN of either
 *    sign lands in p or n above inf) or with a subnormal d goes through qb__avx2_q4_0_quant:
 *    rare.
 */
typedef struct {
  __m256i p, n;
} qb__avx2_q4_0_range;

QB__QBLOCK_AVX2_INLINE qb__avx2_q4_0_range qb__avx2_q4_0_range8(const float* x) {
  __m256i p[8], n[8];
#pragma GCC unroll 8
  for (int k = 0; k < 8; k++) {
    p[k] = n[k] = _mm256_loadu_si256((const __m256i*) (x + 32 * k));
#pragma GCC unroll 3
    for (int i = 1; i < 4; i++) {
      __m256i v = _mm256_loadu_si256((const __m256i*) (x + 32 * k + 8 * i));
      __asm__("" : "+x"(v)); /* one load for both maxima */
      p[k] = _mm256_max_epi32(p[k], v);
      n[k] = _mm256_max_epu32(n[k], v);
    }
  }
  const qb__avx2_q4_0_range r = {
      qb__avx2_qblock_hmax8x8(p, 0),
      _mm256_xor_si256(qb__avx2_qblock_hmax8x8(n, 1), _mm256_set1_epi32(INT32_MIN))};
  return r;
}

/* The blocks (lanes set in `tie`) where +amax and -amax both occur: m's sign from the first
 * element of that magnitude, into `neg` (all ones where m is negative). */
static __attribute__((noinline)) __m256i qb__avx2_q4_0_ties(const float* x, __m256i amax, int tie,
                                                            __m256i neg) {
  uint32_t am[8];
  int32_t ng[8];
  _mm256_storeu_si256((__m256i*) am, amax);
  _mm256_storeu_si256((__m256i*) ng, neg);
  for (int lane = 0; lane < 8; lane++) {
    if (!(tie & (1 << lane))) continue;
    const float* xb = x + 32 * (2 * (lane % 4) + lane / 4);
    for (int i = 0; i < QB_BLOCK_LEN; i++) {
      const uint32_t u = qb_f32_to_bits(xb[i]);
      if ((u & 0x7FFFFFFFu) == am[lane]) {
        ng[lane] = -(int32_t) (u >> 31);
        break;
      }
    }
  }
  return _mm256_loadu_si256((const __m256i*) ng);
}

/* One block's codes before the clamp, trunc(x * id + 8.5) in [0, 16], as 16-bit lanes packed
 * in pairs: element j (low nibble) | element j + 16 (high nibble), min(c, 15) first; the
 * lanes hold elements 0-3, 8-11 (low 128 bits) and 4-7, 12-15 (high) of the low nibbles. */
QB__QBLOCK_AVX2_INLINE __m256i qb__avx2_q4_0_pairs(const float* x, __m256 id) {
  __m256i c[4];
#pragma GCC unroll 4
  for (int i = 0; i < 4; i++) {
    c[i] = _mm256_cvttps_epi32(
        _mm256_add_ps(_mm256_mul_ps(_mm256_loadu_ps(x + 8 * i), id), _mm256_set1_ps(8.5f)));
  }
  const __m256i fifteen = _mm256_set1_epi16(15);
  const __m256i lo = _mm256_min_epi16(_mm256_packs_epi32(c[0], c[1]), fifteen);
  const __m256i hi = _mm256_min_epi16(_mm256_packs_epi32(c[2], c[3]), fifteen);
  return _mm256_or_si256(lo, _mm256_slli_epi16(hi, 4));
}

/* Two blocks' codes (qb__avx2_q4_0_pairs) to bytes by one pack and one vpermd. */
QB__QBLOCK_AVX2_INLINE void qb__avx2_q4_0_codes2(const float* x, __m256 id0, __m256 id1, qb_block_q4_0* b) {
  const __m256i w = _mm256_packus_epi16(qb__avx2_q4_0_pairs(x, id0), qb__avx2_q4_0_pairs(x + 32, id1));
  const __m256i q = _mm256_permutevar8x32_epi32(w, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
  _mm_storeu_si128((__m128i*) b[0].qs, _mm256_castsi256_si128(q));
  _mm_storeu_si128((__m128i*) b[1].qs, _mm256_extracti128_si256(q, 1));
}

static void qb__avx2_q4_0_ref(const float* x, void* b) {
  qb__avx2_q4_0_quant(x, (qb_block_q4_0*) b);
}

QB__QBLOCK_AVX2_INLINE qb__avx2_q4_0_range qb__avx2_q4_0_quant_x8_one(const float* x, qb_block_q4_0* b,
                                                                      qb__avx2_q4_0_range r,
                                                                      const float* next) {
  /* 1. */
  const __m256i amax = _mm256_max_epi32(r.p, r.n);
  const __m256i zero = _mm256_cmpeq_epi32(amax, _mm256_setzero_si256());
  __m256i neg = _mm256_andnot_si256(zero, _mm256_cmpgt_epi32(r.n, r.p));
  const int tie =
      _mm256_movemask_ps(_mm256_castsi256_ps(_mm256_andnot_si256(zero, _mm256_cmpeq_epi32(r.p, r.n))));
  if (__builtin_expect(tie != 0, 0)) neg = qb__avx2_q4_0_ties(x, amax, tie, neg);
  /* 2. */
  const __m256 dm = _mm256_mul_ps(_mm256_castsi256_ps(amax), _mm256_set1_ps(0.125f));
  const __m256 d = _mm256_or_ps(dm, _mm256_andnot_ps(_mm256_castsi256_ps(neg), _mm256_set1_ps(-0.0f)));
  uint16_t dh[8];
  float ids[8];
  const int special = qb__avx2_qblock_id8(d, dm, amax, 1.0f, ids);
  _mm_storeu_si128((__m128i*) dh, _mm256_cvtps_ph(d, _MM_FROUND_TO_NEAREST_INT));
  qb__avx2_from_memory(dh, ids);
  /* Step 1 of the next eight blocks, so that its loads overlap these blocks' codes. */
  const qb__avx2_q4_0_range r_next = next != NULL ? qb__avx2_q4_0_range8(next) : r;
  /* 3. Blocks k and k + 1 (ids broadcast from memory from lanes k / 2 and k / 2 + 4). */
#pragma GCC unroll 4
  for (int k = 0; k < 8; k += 2) {
    b[k].d = dh[k / 2];
    b[k + 1].d = dh[k / 2 + 4];
    qb__avx2_q4_0_codes2(x + 32 * k, _mm256_set1_ps(ids[k / 2]), _mm256_set1_ps(ids[k / 2 + 4]), &b[k]);
  }
  if (__builtin_expect(special != 0, 0)) qb__avx2_qblock_redo(x, b, sizeof(*b), special, qb__avx2_q4_0_ref);
  return r_next;
}

/* `groups` groups of eight q4_0 blocks, pipelined as qb__avx2_q8_0_quant_x8. */
QB__QBLOCK_AVX2_INLINE void qb__avx2_q4_0_quant_x8(const float* x, qb_block_q4_0* b, size_t groups) {
  if (groups == 0) return;
  qb__avx2_q4_0_range r = qb__avx2_q4_0_range8(x);
  for (size_t g = 0; g < groups; g++) {
    r = qb__avx2_q4_0_quant_x8_one(x + 256 * g, b + 8 * g, r, g + 1 < groups ? x + 256 * (g + 1) : NULL);
  }
}

/* One q4_0 block: y = (float) (code - 8) * d. Bytes 8m .. 8m + 7 widened to 32-bit lanes by one
 * vpmovzxbd from memory hold elements 8m .. 8m + 7 in their low nibbles and 16 + 8m .. in
 * their high ones: a mask and a shift, where widening 16 loaded bytes took six shuffles. */
QB__QBLOCK_AVX2_INLINE void qb__avx2_q4_0_dequant(const qb_block_q4_0* b, float* y) {
  const __m256 d = _mm256_set1_ps(_mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtsi32_si128(b->d))));
  const __m256i m = _mm256_set1_epi32(15), eight = _mm256_set1_epi32(8);
#pragma GCC unroll 2
  for (int h = 0; h < 2; h++) {
    const __m256i q = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i*) (b->qs + 8 * h)));
    const __m256i lo = _mm256_sub_epi32(_mm256_and_si256(q, m), eight);
    const __m256i hi = _mm256_sub_epi32(_mm256_srli_epi32(q, 4), eight);
    _mm256_storeu_ps(y + 8 * h, _mm256_mul_ps(_mm256_cvtepi32_ps(lo), d));
    _mm256_storeu_ps(y + 16 + 8 * h, _mm256_mul_ps(_mm256_cvtepi32_ps(hi), d));
  }
}

#endif /* QB_QBLOCK_AVX2_H */
