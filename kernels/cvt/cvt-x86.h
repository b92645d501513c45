/*
 * Vector building blocks shared by the x86 cast kernels. Each block is the bit-level
 * algorithm of kernels/common/fp.h done on 8 (AVX2) or 16 (AVX-512) lanes at once, so
 * the kernels that use it are bit-exact with the scalar references for every input.
 * They are integer arithmetic (plus exact float operations on normal values), so no
 * result depends on MXCSR (rounding mode, DAZ, FTZ).
 *
 * Included only by kernel files compiled with the flags of their ISA (isa.inc); each
 * block is there only when the file's flags enable its instructions.
 */
#ifndef QB_CVT_X86_H
#define QB_CVT_X86_H

#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__F16C__)

/*
 * Blocks: one step of a cast kernel's loop (kernels/cvt/block-loop.c.in), named
 * qb_cvt_<isa>_<from>_<to>_x<B> for B elements, and _tail(in, out, n) for the last
 * n < B where a mask lets the block itself do them. What each block computes, and why it
 * is bit-exact with the scalar reference, is said next to it;
 * tests/test_cvt_simd.c checks every f32 or every 16-bit input against the reference.
 */

/* f16 -> f32, 8 elements with F16C. vcvtph2ps is exact, keeps subnormals and quiets a
 * signaling NaN with its payload kept, as the reference does: bit-exact. */
static inline void qb_cvt_f16c_f16_f32_x8(const uint16_t* in, float* out) {
  _mm256_storeu_ps(out, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i*) in)));
}

/* f32 -> f16, 8 elements with F16C. vcvtps2ph with the rounding in the immediate (nearest
 * even, whatever MXCSR says) rounds like the reference, overflows to inf, and keeps a NaN's
 * top payload bits with the quiet bit set, as the reference does: bit-exact. */
static inline void qb_cvt_f16c_f32_f16_x8(const float* in, uint16_t* out) {
  _mm_storeu_si128((__m128i*) out, _mm256_cvtps_ph(_mm256_loadu_ps(in), _MM_FROUND_TO_NEAREST_INT));
}

/* The 8 f16 at h (16-byte aligned) widened to f32 by the memory form of vcvtph2ps, in an
 * asm statement: from the intrinsics (a store, then _mm256_cvtph_ps of a load) GCC
 * forwards the stored vector in registers and converts from the register. On Zen 3 the
 * register form issues once per cycle and shares that slot with the cross-lane
 * operations (vextracti128, vperm*), the memory form twice per cycle; the fp8 and FP6
 * decodes store their f16 to a stack buffer and convert through this. */
static inline __m256 qb_cvt_f16c_cvtph_mem(const uint16_t* h) {
  __m256 r;
  __asm__("vcvtph2ps %1, %0" : "=x"(r) : "m"(*(const __m128i*) h));
  return r;
}

#endif /* __F16C__ */

#if defined(__AVX2__)

/*
 * f32 -> bf16 on 8 lanes, the result in the low 16 bits of each 32-bit lane:
 * 1. Round half to even by adding 0x7FFF plus the lsb that is kept (bit 16); a carry
 *    bumps the exponent, and past the largest finite value it gives inf.
 * 2. NaN (|w| > 0x7F800000, a signed compare is fine on |w|) keeps its top payload bits
 *    with the quiet bit (bit 22, bf16's bit 6) set instead of being rounded.
 */
static inline __m256i qb_cvt_avx2_f32_to_bf16(__m256i w) {
  const __m256i lsb = _mm256_and_si256(_mm256_srli_epi32(w, 16), _mm256_set1_epi32(1));
  const __m256i rounded = _mm256_add_epi32(_mm256_add_epi32(w, _mm256_set1_epi32(0x7FFF)), lsb);
  const __m256i abs = _mm256_and_si256(w, _mm256_set1_epi32(0x7FFFFFFF));
  const __m256i is_nan = _mm256_cmpgt_epi32(abs, _mm256_set1_epi32(0x7F800000));
  const __m256i quiet = _mm256_or_si256(w, _mm256_set1_epi32(0x00400000));
  return _mm256_srli_epi32(_mm256_blendv_epi8(rounded, quiet, is_nan), 16);
}

/* Two vectors of 8 values below 2^16 in 32-bit lanes -> 16 u16 in order. vpackusdw packs
 * within 128-bit halves ([a0-3 b0-3 | a4-7 b4-7]); the 64-bit permute puts them in order. */
static inline __m256i qb_cvt_avx2_pack_u16(__m256i a, __m256i b) {
  return _mm256_permute4x64_epi64(_mm256_packus_epi32(a, b), 0xD8);
}

/*
 * Rounds 8 finite or infinite non-negative f32 (|w| bits, NaN handled by the caller) to
 * a small float format with `mbits` mantissa bits and exponent bias `bias`, ties to even,
 * as qb__round_to_small does: the code without sign, (biased exponent << mbits) | m, where
 * a result above the format's largest finite code means overflow.
 * 1. One shift per lane: 23 - mbits when the value is normal in the target (f32 exponent
 *    e >= 128 - bias); otherwise the subnormal shift 151 - bias - mbits - max(e, 1), which
 *    is larger. Shifts past 31 are held at 31: the value is then below a quarter of the
 *    smallest subnormal and rounds to 0 either way.
 * 2. The shifted source: |w| itself for target normals (exponent and mantissa shift down
 *    together), else the mantissa with its implicit bit (none for f32 subnormals).
 * 3. Round half to even: add half - 1 plus the lsb that is kept, then shift (ties away
 *    from zero, `ties_away`: add half).
 * 4. Target normals carry the f32 exponent: take off the bias difference. A carry out of
 *    the mantissa has already bumped the exponent, and a subnormal that rounds up to the
 *    smallest normal comes out as exponent 1, mantissa 0.
 */
static inline __m256i qb_cvt_avx2_round_small_ties(__m256i abs, int mbits, int bias, const int ties_away) {
  const __m256i one = _mm256_set1_epi32(1);
  const __m256i e = _mm256_srli_epi32(abs, 23);
  const __m256i normal = _mm256_cmpgt_epi32(e, _mm256_set1_epi32(127 - bias));
  /* 1. */
  const __m256i e_eff = _mm256_max_epi32(e, one);
  __m256i shift = _mm256_sub_epi32(_mm256_set1_epi32(151 - bias - mbits), e_eff);
  shift = _mm256_max_epi32(shift, _mm256_set1_epi32(23 - mbits));
  shift = _mm256_min_epi32(shift, _mm256_set1_epi32(31));
  /* 2. */
  const __m256i implicit =
      _mm256_and_si256(_mm256_cmpgt_epi32(e, _mm256_setzero_si256()), _mm256_set1_epi32(0x800000));
  const __m256i full = _mm256_or_si256(_mm256_and_si256(abs, _mm256_set1_epi32(0x7FFFFF)), implicit);
  const __m256i src = _mm256_blendv_epi8(full, abs, normal);
  /* 3. (Ties away: add half, then shift.) */
  const __m256i half = _mm256_sllv_epi32(one, _mm256_sub_epi32(shift, one));
  __m256i q;
  if (ties_away) {
    q = _mm256_srlv_epi32(_mm256_add_epi32(src, half), shift);
  } else {
    const __m256i lsb = _mm256_and_si256(_mm256_srlv_epi32(src, shift), one);
    q = _mm256_srlv_epi32(_mm256_add_epi32(_mm256_add_epi32(src, _mm256_sub_epi32(half, one)), lsb), shift);
  }
  /* 4. */
  return _mm256_sub_epi32(q, _mm256_and_si256(normal, _mm256_set1_epi32((127 - bias) << mbits)));
}

static inline __m256i qb_cvt_avx2_round_small(__m256i abs, int mbits, int bias) {
  return qb_cvt_avx2_round_small_ties(abs, mbits, bias, 0);
}

/* f32 -> f8 e4m3fn on 8 lanes, the byte in the low 8 bits of each lane. Overflow and +-inf
 * give NaN (0x7F with the sign), or +-448 (0x7E) when `saturate`; NaN gives 0x7F, signed. */
static inline __m256i qb_cvt_avx2_f32_to_f8e4m3(__m256i w, int saturate) {
  const __m256i sign = _mm256_and_si256(_mm256_srli_epi32(w, 24), _mm256_set1_epi32(0x80));
  const __m256i abs = _mm256_and_si256(w, _mm256_set1_epi32(0x7FFFFFFF));
  __m256i q = qb_cvt_avx2_round_small(abs, 3, 7);
  /* Every code above 0x7E is out of range: NaN (0x7F) or the saturated 0x7E. Inf took the
   * normal path and its code is far above 0x7E. */
  q = _mm256_min_epi32(q, _mm256_set1_epi32(saturate ? 0x7E : 0x7F));
  const __m256i is_nan = _mm256_cmpgt_epi32(abs, _mm256_set1_epi32(0x7F800000));
  q = _mm256_blendv_epi8(q, _mm256_set1_epi32(0x7F), is_nan);
  return _mm256_or_si256(q, sign);
}

/* f32 -> f8 e5m2 on 8 lanes: overflow and +-inf give inf (0x7C), NaN gives 0x7E; signed. */
static inline __m256i qb_cvt_avx2_f32_to_f8e5m2(__m256i w) {
  const __m256i sign = _mm256_and_si256(_mm256_srli_epi32(w, 24), _mm256_set1_epi32(0x80));
  const __m256i abs = _mm256_and_si256(w, _mm256_set1_epi32(0x7FFFFFFF));
  __m256i q = qb_cvt_avx2_round_small(abs, 2, 15);
  q = _mm256_min_epi32(q, _mm256_set1_epi32(0x7C));
  const __m256i is_nan = _mm256_cmpgt_epi32(abs, _mm256_set1_epi32(0x7F800000));
  q = _mm256_blendv_epi8(q, _mm256_set1_epi32(0x7E), is_nan);
  return _mm256_or_si256(q, sign);
}

/* Four vectors of 8 bytes-in-32-bit-lanes -> 32 bytes in order. The two packs work within
 * 128-bit halves and leave the 4-byte groups as [a0 b0 c0 d0 a1 b1 c1 d1]; the dword
 * permute restores [a0 a1 b0 b1 c0 c1 d0 d1]. */
static inline __m256i qb_cvt_avx2_pack_u8x4(__m256i a, __m256i b, __m256i c, __m256i d) {
  const __m256i ab = _mm256_packus_epi32(a, b);
  const __m256i cd = _mm256_packus_epi32(c, d);
  return _mm256_permutevar8x32_epi32(_mm256_packus_epi16(ab, cd), _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

/* One vector of 8 bytes-in-32-bit-lanes -> 8 bytes in the low half of the result. */
static inline __m128i qb_cvt_avx2_pack_u8x1(__m256i a) {
  const __m256i t = _mm256_packus_epi16(_mm256_packus_epi32(a, a), _mm256_setzero_si256());
  return _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(t, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7)));
}

/*
 * f8 e4m3fn -> f32 on 8 lanes (bytes zero-extended to 32 bits), exact:
 * 1. Normals (exponent field > 0): the 7 magnitude bits shifted into f32's place and the
 *    bias difference (127 - 7) added to the exponent.
 * 2. Subnormals and zero (exponent field 0): m * 2^-9, by an int -> float conversion and a
 *    multiplication by a power of two, both exact on these small normal values.
 * 3. S.1111.111 is NaN: the canonical quiet NaN with the sign.
 */
static inline __m256i qb_cvt_avx2_f8e4m3_to_f32(__m256i b) {
  const __m256i sign = _mm256_slli_epi32(_mm256_and_si256(b, _mm256_set1_epi32(0x80)), 24);
  const __m256i em = _mm256_and_si256(b, _mm256_set1_epi32(0x7F));
  const __m256i normal = _mm256_add_epi32(_mm256_slli_epi32(em, 20), _mm256_set1_epi32(120 << 23));
  const __m256i sub = _mm256_castps_si256(_mm256_mul_ps(_mm256_cvtepi32_ps(em), _mm256_set1_ps(0x1p-9f)));
  __m256i r = _mm256_blendv_epi8(sub, normal, _mm256_cmpgt_epi32(em, _mm256_set1_epi32(7)));
  r = _mm256_blendv_epi8(r, _mm256_set1_epi32(0x7FC00000), _mm256_cmpeq_epi32(em, _mm256_set1_epi32(0x7F)));
  return _mm256_or_si256(r, sign);
}

/* bf16 -> f32, 8 elements with AVX2: zero-extend and shift into the high half. Exact (a
 * signaling NaN stays signaling, as in the reference). */
static inline void qb_cvt_avx2_bf16_f32_x8(const uint16_t* in, float* out) {
  const __m256i w = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i*) in));
  _mm256_storeu_si256((__m256i*) out, _mm256_slli_epi32(w, 16));
}

/* f32 -> bf16 with AVX2 integer arithmetic (qb_cvt_avx2_f32_to_bf16: the reference's own
 * algorithm), 16 elements and one store. */
static inline void qb_cvt_avx2_f32_bf16_x16(const float* in, uint16_t* out) {
  const __m256i a = qb_cvt_avx2_f32_to_bf16(_mm256_loadu_si256((const __m256i*) in));
  const __m256i b = qb_cvt_avx2_f32_to_bf16(_mm256_loadu_si256((const __m256i*) (in + 8)));
  _mm256_storeu_si256((__m256i*) out, qb_cvt_avx2_pack_u16(a, b));
}

/* The same, 8 elements, for what is left after the 16-element blocks. */
static inline void qb_cvt_avx2_f32_bf16_x8(const float* in, uint16_t* out) {
  const __m256i a = qb_cvt_avx2_f32_to_bf16(_mm256_loadu_si256((const __m256i*) in));
  _mm_storeu_si128((__m128i*) out, _mm256_castsi256_si128(qb_cvt_avx2_pack_u16(a, a)));
}

/*
 * f32 -> bf16 on 16-bit words (blocks qb_cvt_w16_avx2_f32_bf16_x<B>): bit-exact with
 * the reference, in about half the instructions of qb_cvt_avx2_f32_to_bf16 on Zen 3
 * (10 vector operations per 16 elements against 22; no 32-bit shift, no variable blend).
 * 1. Loads: a = in[0..3 | 8..11], b = in[4..7 | 12..15], from three overlapping 32-byte
 *    loads (in, in + 4, in + 8) and two blends, so that the in-lane steps below leave
 *    the 16 results in order (no cross-lane permute after them). The blends take one
 *    load each as a memory operand: 4 instructions per 16 against 6 for four 16-byte
 *    broadcasts and two blends.
 * 2. w + 0x8000 on the 32-bit lanes rounds half up: its top half is hi + 1 exactly when
 *    lo >= 0x8000, the carry going into the exponent where the mantissa is all ones (to
 *    inf past the largest finite value, as the reference). No finite or infinite input
 *    overflows the 32 bits (only NaN patterns lie past 0x7FFF8000 in magnitude).
 * 3. vpshufb gathers, in each 128-bit lane, the four low halves (lo) then the four high
 *    halves (hi) of that sum; vpunpck{l,h}qdq makes one vector of 16 lo and one of 16 hi.
 * 4. Ties to even: the reference adds 0x7FFF plus the kept lsb, so it differs from
 *    rounding half up only at a tie (lo of the input 0x8000, of the sum 0), where it
 *    keeps an even hi: the sum's hi with its lsb cleared (hi + 1 when hi is odd, hi when
 *    hi is even). vpsubusw(1, lo) is 1 exactly at a tie, and vpandn clears that bit.
 * 5. NaN (the reference keeps the top payload bits and sets the quiet bit; the rounding
 *    above may carry out of a NaN's payload) is rare: vcmpunordps on two vectors at once
 *    finds one in either, and a block with any NaN runs through qb_cvt_avx2_f32_to_bf16
 *    (the reference's own algorithm) instead.
 */
static inline void qb_cvt_w16_avx2_load16(const float* in, __m256* a, __m256* b) {
  const __m256 mid = _mm256_loadu_ps(in + 4);
  *a = _mm256_blend_ps(_mm256_loadu_ps(in), mid, 0xF0);
  *b = _mm256_blend_ps(mid, _mm256_loadu_ps(in + 8), 0xF0);
}

/* Steps 2 to 4 on a and b of step 1: the 16 bf16 in order. */
static inline __m256i qb_cvt_w16_avx2_round16(__m256 a, __m256 b) {
  const __m256i split = _mm256_setr_epi8(0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15, 0, 1, 4, 5, 8,
                                         9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15);
  const __m256i half = _mm256_set1_epi32(0x8000);
  const __m256i sa = _mm256_shuffle_epi8(_mm256_add_epi32(_mm256_castps_si256(a), half), split);
  const __m256i sb = _mm256_shuffle_epi8(_mm256_add_epi32(_mm256_castps_si256(b), half), split);
  const __m256i lo = _mm256_unpacklo_epi64(sa, sb);
  const __m256i hi = _mm256_unpackhi_epi64(sa, sb);
  return _mm256_andnot_si256(_mm256_subs_epu16(_mm256_set1_epi16(1), lo), hi);
}

/* Step 6's rare block, out of line (inlined, its code made the loop 3-4 % slower): a
 * block holding a NaN, written again by the reference's algorithm from its eight input
 * vectors, passed in registers (the fast stores may have overwritten the input in memory,
 * in a cast over its own buffer). Each pair holds in[0..3 | 8..11] and in[4..7 | 12..15]
 * of its 16 (step 1), so the in-lane vpackusdw leaves them in order. */
static __attribute__((noinline, cold)) void qb_cvt_w16_avx2_f32_bf16_fix64(__m256 x0, __m256 x1, __m256 x2,
                                                                           __m256 x3, __m256 x4, __m256 x5,
                                                                           __m256 x6, __m256 x7,
                                                                           uint16_t* out) {
  const __m256 x[8] = {x0, x1, x2, x3, x4, x5, x6, x7};
  for (int j = 0; j < 4; j++) {
    _mm256_storeu_si256((__m256i*) (out + 16 * j),
                        _mm256_packus_epi32(qb_cvt_avx2_f32_to_bf16(_mm256_castps_si256(x[2 * j])),
                                            qb_cvt_avx2_f32_to_bf16(_mm256_castps_si256(x[2 * j + 1]))));
  }
}

/*
 * 64 elements: four groups of 16, one NaN test for all (step 5).
 * 6. The test's branch comes after the stores (where it stood before them, the loop ran
 *    6-7 % slower: stores waiting on a late branch): a block holding a NaN is then
 *    written again, from its input vectors (until session 23 from its input in memory,
 *    and a block whose output overlapped its input went through a scratch block: a test
 *    and a branch in every block).
 */
static inline __attribute__((always_inline)) void qb_cvt_w16_avx2_f32_bf16_x64(const float* in,
                                                                               uint16_t* out) {
  __m256 x[8];
  for (int j = 0; j < 4; j++) qb_cvt_w16_avx2_load16(in + 16 * j, &x[2 * j], &x[2 * j + 1]);
  const __m256 u = _mm256_or_ps(
      _mm256_or_ps(_mm256_cmp_ps(x[0], x[1], _CMP_UNORD_Q), _mm256_cmp_ps(x[2], x[3], _CMP_UNORD_Q)),
      _mm256_or_ps(_mm256_cmp_ps(x[4], x[5], _CMP_UNORD_Q), _mm256_cmp_ps(x[6], x[7], _CMP_UNORD_Q)));
  for (int j = 0; j < 4; j++)
    _mm256_storeu_si256((__m256i*) (out + 16 * j), qb_cvt_w16_avx2_round16(x[2 * j], x[2 * j + 1]));
  if (__builtin_expect(_mm256_movemask_ps(u) != 0, 0))
    qb_cvt_w16_avx2_f32_bf16_fix64(x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7], out);
}

/* 16 elements, for what is left after the 64-element blocks. */
static inline void qb_cvt_w16_avx2_f32_bf16_x16(const float* in, uint16_t* out) {
  __m256 a, b;
  qb_cvt_w16_avx2_load16(in, &a, &b);
  if (_mm256_movemask_ps(_mm256_cmp_ps(a, b, _CMP_UNORD_Q)) != 0) {
    qb_cvt_avx2_f32_bf16_x16(in, out);
    return;
  }
  _mm256_storeu_si256((__m256i*) out, qb_cvt_w16_avx2_round16(a, b));
}

/* f32 -> f64, 4 elements with AVX (vcvtps2pd). Exact, like the reference's C cast (a
 * signaling NaN quieted, its payload kept). */
static inline void qb_cvt_avx2_f32_f64_x4(const float* in, double* out) {
  _mm256_storeu_pd(out, _mm256_cvtps_pd(_mm_loadu_ps(in)));
}

/* f64 -> f32, 4 elements with AVX (vcvtpd2ps). The same conversion as the reference's C
 * cast (cvtsd2ss): MXCSR rounding, nearest even by default; NaN quieted with its top
 * payload bits. The avx512skx kernels' streamed tiles run it too, where the 512-bit form
 * is slower out of cache on the Zen 4 (kernels/cvt/README.md, "Out of cache on Zen 4"). */
static inline void qb_cvt_avx2_f64_f32_x4(const double* in, float* out) {
  _mm_storeu_ps(out, _mm256_cvtpd_ps(_mm256_loadu_pd(in)));
}

/* f32 -> f8 e4m3fn with AVX2 integer arithmetic (qb_cvt_avx2_f32_to_f8e4m3: the
 * reference's rounding on 8 lanes), 32 elements and one store. `saturate` as in the
 * reference: overflow and inf give +-448 instead of NaN (f32_f8e4m3_cvtsat). */
static inline void qb_cvt_avx2_f32_f8e4m3_x32(const float* in, uint8_t* out, int saturate) {
  const __m256i a = qb_cvt_avx2_f32_to_f8e4m3(_mm256_loadu_si256((const __m256i*) in), saturate);
  const __m256i b = qb_cvt_avx2_f32_to_f8e4m3(_mm256_loadu_si256((const __m256i*) (in + 8)), saturate);
  const __m256i c = qb_cvt_avx2_f32_to_f8e4m3(_mm256_loadu_si256((const __m256i*) (in + 16)), saturate);
  const __m256i d = qb_cvt_avx2_f32_to_f8e4m3(_mm256_loadu_si256((const __m256i*) (in + 24)), saturate);
  _mm256_storeu_si256((__m256i*) out, qb_cvt_avx2_pack_u8x4(a, b, c, d));
}

/* The same, 8 elements, for what is left after the 32-element blocks. */
static inline void qb_cvt_avx2_f32_f8e4m3_x8(const float* in, uint8_t* out, int saturate) {
  const __m256i a = qb_cvt_avx2_f32_to_f8e4m3(_mm256_loadu_si256((const __m256i*) in), saturate);
  _mm_storel_epi64((__m128i*) out, qb_cvt_avx2_pack_u8x1(a));
}

/* f32 -> f8 e5m2 with AVX2 integer arithmetic (qb_cvt_avx2_f32_to_f8e5m2), 32 elements and
 * one store: overflow and inf to inf, NaN to 0x7E with the sign. */
static inline void qb_cvt_avx2_f32_f8e5m2_x32(const float* in, uint8_t* out) {
  const __m256i a = qb_cvt_avx2_f32_to_f8e5m2(_mm256_loadu_si256((const __m256i*) in));
  const __m256i b = qb_cvt_avx2_f32_to_f8e5m2(_mm256_loadu_si256((const __m256i*) (in + 8)));
  const __m256i c = qb_cvt_avx2_f32_to_f8e5m2(_mm256_loadu_si256((const __m256i*) (in + 16)));
  const __m256i d = qb_cvt_avx2_f32_to_f8e5m2(_mm256_loadu_si256((const __m256i*) (in + 24)));
  _mm256_storeu_si256((__m256i*) out, qb_cvt_avx2_pack_u8x4(a, b, c, d));
}

/* The same, 8 elements. */
static inline void qb_cvt_avx2_f32_f8e5m2_x8(const float* in, uint8_t* out) {
  const __m256i a = qb_cvt_avx2_f32_to_f8e5m2(_mm256_loadu_si256((const __m256i*) in));
  _mm_storel_epi64((__m128i*) out, qb_cvt_avx2_pack_u8x1(a));
}

/* f8 e4m3fn -> f32, 8 elements (qb_cvt_avx2_f8e4m3_to_f32): exact. */
static inline void qb_cvt_avx2_f8e4m3_f32_x8(const uint8_t* in, float* out) {
  const __m256i b = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i*) in));
  _mm256_storeu_si256((__m256i*) out, qb_cvt_avx2_f8e4m3_to_f32(b));
}

/* f8 e5m2 -> f32, 8 elements with F16C. An e5m2 byte is the high byte of the f16 with the
 * same value (same exponent, mantissa truncated), so the byte shifted up goes through
 * vcvtph2ps: exact, subnormals kept, a signaling NaN quieted with its payload, as the
 * reference does. */
static inline void qb_cvt_avx2_f8e5m2_f32_x8(const uint8_t* in, float* out) {
  const __m128i h = _mm_slli_epi16(_mm_cvtepu8_epi16(_mm_loadl_epi64((const __m128i*) in)), 8);
  _mm256_storeu_ps(out, _mm256_cvtph_ps(h));
}

/* The same, 16 elements from one 16-byte load: vpunpck{l,h}bw with zero put each byte in
 * the high half of a 16-bit lane (the f16 above) with no vpmovzxbw and no shift. Both
 * unpacks stay within the 128-bit register, so no cross-lane operation competes with
 * vcvtph2ps's own (on Zen 3 one per cycle: a widening vpmovzxbw, vextracti128 or
 * vcvtph2ps from a register each take that slot). 1.36x the _x8 block in L1, 1.11x at L2
 * size (paired, 1 thread, this Zen 3). */
static inline void qb_cvt_avx2_f8e5m2_f32_x16(const uint8_t* in, float* out) {
  const __m128i b = _mm_loadu_si128((const __m128i*) in);
  _mm256_storeu_ps(out, _mm256_cvtph_ps(_mm_unpacklo_epi8(_mm_setzero_si128(), b)));
  _mm256_storeu_ps(out + 8, _mm256_cvtph_ps(_mm_unpackhi_epi8(_mm_setzero_si128(), b)));
}

#endif /* __AVX2__ */

#if defined(__AVX512F__)

/* f32 -> bf16 on 16 lanes: qb_cvt_avx2_f32_to_bf16's two steps, then vpmovdw keeps the
 * low 16 bits of each lane (the rounded value shifted down). */
static inline __m256i qb_cvt_avx512_f32_to_bf16(__m512i w) {
  const __m512i lsb = _mm512_and_si512(_mm512_srli_epi32(w, 16), _mm512_set1_epi32(1));
  const __m512i rounded = _mm512_add_epi32(_mm512_add_epi32(w, _mm512_set1_epi32(0x7FFF)), lsb);
  const __m512i abs = _mm512_and_si512(w, _mm512_set1_epi32(0x7FFFFFFF));
  const __mmask16 is_nan = _mm512_cmpgt_epu32_mask(abs, _mm512_set1_epi32(0x7F800000));
  const __m512i r = _mm512_mask_mov_epi32(rounded, is_nan, _mm512_or_si512(w, _mm512_set1_epi32(0x00400000)));
  return _mm512_cvtepi32_epi16(_mm512_srli_epi32(r, 16));
}

/* The mask of the first n < 16 (or < 8) lanes, for the tails. */
static inline __mmask16 qb_cvt_mask16(size_t n) {
  return (__mmask16) ((1u << n) - 1u);
}
static inline __mmask8 qb_cvt_mask8(size_t n) {
  return (__mmask8) ((1u << n) - 1u);
}

/* f16 -> f32, 16 elements with AVX-512 (512-bit vcvtph2ps): exact as with F16C. _tail: the
 * last n < 16, masked (masked-off lanes are neither read nor written). */
static inline void qb_cvt_avx512skx_f16_f32_x16(const uint16_t* in, float* out) {
  _mm512_storeu_ps(out, _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i*) in)));
}
static inline void qb_cvt_avx512skx_f16_f32_tail(const uint16_t* in, float* out, size_t n) {
  const __mmask16 m = qb_cvt_mask16(n);
  _mm512_mask_storeu_ps(out, m, _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, in)));
}

/* f32 -> f16, 16 elements with AVX-512 (512-bit vcvtps2ph, nearest even in the
 * immediate): bit-exact as with F16C. */
static inline void qb_cvt_avx512skx_f32_f16_x16(const float* in, uint16_t* out) {
  _mm256_storeu_si256((__m256i*) out, _mm512_cvtps_ph(_mm512_loadu_ps(in), _MM_FROUND_TO_NEAREST_INT));
}
static inline void qb_cvt_avx512skx_f32_f16_tail(const float* in, uint16_t* out, size_t n) {
  const __mmask16 m = qb_cvt_mask16(n);
  _mm256_mask_storeu_epi16(out, m, _mm512_cvtps_ph(_mm512_maskz_loadu_ps(m, in), _MM_FROUND_TO_NEAREST_INT));
}

/* bf16 -> f32, 16 elements: zero-extend and shift into the high half. Exact. */
static inline void qb_cvt_avx512skx_bf16_f32_x16(const uint16_t* in, float* out) {
  const __m512i w = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i*) in));
  _mm512_storeu_si512(out, _mm512_slli_epi32(w, 16));
}
static inline void qb_cvt_avx512skx_bf16_f32_tail(const uint16_t* in, float* out, size_t n) {
  const __mmask16 m = qb_cvt_mask16(n);
  _mm512_mask_storeu_epi32(out, m,
                           _mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(m, in)), 16));
}

/* f32 -> bf16, 16 elements with integer arithmetic (qb_cvt_avx512_f32_to_bf16, the
 * reference's algorithm, then vpmovdw): bit-exact. The 32-element blocks below run it for
 * a block that holds a NaN. */
static inline void qb_cvt_avx512skx_f32_bf16_x16(const float* in, uint16_t* out) {
  _mm256_storeu_si256((__m256i*) out, qb_cvt_avx512_f32_to_bf16(_mm512_loadu_si512(in)));
}

/*
 * f32 -> bf16 on 32 elements, AVX-512 F/BW (blocks qb_cvt_avx512skx_f32_bf16_x32 and
 * _tail): the rounding of qb_cvt_w16_avx2_f32_bf16_x64 on 16 lanes, bit-exact with the
 * reference. 7 operations per 32 elements and a NaN test against 20 for two
 * qb_cvt_avx512_f32_to_bf16 (whose vpmovdw is 2 uops on Intel).
 * 1. w + 0x8000 on the 32-bit lanes rounds half up: its high half is hi + 1 exactly when
 *    lo >= 0x8000, the carry going into the exponent (to inf past the largest finite
 *    value, as the reference). No finite or infinite input overflows the 32 bits.
 * 2. Ties to even: the sum's low half is 0 exactly at a tie (lo 0x8000), where the
 *    reference keeps an even hi: the sum's hi with its lsb cleared (hi + 1 when hi is odd,
 *    hi when it is even). vptestnmd finds those lanes, a masked vpandd clears bit 16.
 * 3. One vpermt2w takes the 32 high halves of the two sums, in order.
 * 4. NaN (the reference keeps the top payload bits and sets the quiet bit; step 1 may
 *    carry out of a NaN's payload) is rare: one vcmpps unordered of the two input vectors
 *    finds one in either, and such a block is written again by the reference's
 *    algorithm (qb_cvt_avx512_f32_to_bf16), out of line, after the fast store, as in
 *    qb_cvt_w16_avx2_f32_bf16_x64 (a branch in front of the store makes it wait). The
 *    redo takes the block's two input vectors as arguments, not its input in memory,
 *    which a cast over its own buffer (y == x) has overwritten by then. (Until session
 *    23 it re-read the input, so a block whose output overlapped its input stored to a
 *    scratch block first: that test and its branch in every block cost the loop about a
 *    fifth of its rate on the Emerald Rapids Xeon, with the AVX-512 units on two ports.)
 */
static inline __m512i qb_cvt_avx512_f32_to_bf16_w32(__m512i a, __m512i b) {
  const __m512i half = _mm512_set1_epi32(0x8000);
  const __m512i low = _mm512_set1_epi32(0xFFFF);
  const __m512i no_lsb = _mm512_set1_epi32(~0x10000);
  const __m512i high_halves = _mm512_set_epi16(63, 61, 59, 57, 55, 53, 51, 49, 47, 45, 43, 41, 39, 37, 35, 33,
                                               31, 29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1);
  /* 1. */
  __m512i sa = _mm512_add_epi32(a, half);
  __m512i sb = _mm512_add_epi32(b, half);
  /* 2. */
  sa = _mm512_mask_and_epi32(sa, _mm512_testn_epi32_mask(sa, low), sa, no_lsb);
  sb = _mm512_mask_and_epi32(sb, _mm512_testn_epi32_mask(sb, low), sb, no_lsb);
  /* 3. */
  return _mm512_permutex2var_epi16(sa, high_halves, sb);
}

/* Step 4's rare block, out of line: a block holding a NaN, written again from its two
 * input vectors (passed in registers: the fast store may have overwritten the input in
 * memory, in a cast over its own buffer). */
static __attribute__((noinline, cold)) void qb_cvt_avx512skx_f32_bf16_fix32(__m512 a, __m512 b,
                                                                            uint16_t* out) {
  _mm256_storeu_si256((__m256i*) out, qb_cvt_avx512_f32_to_bf16(_mm512_castps_si512(a)));
  _mm256_storeu_si256((__m256i*) (out + 16), qb_cvt_avx512_f32_to_bf16(_mm512_castps_si512(b)));
}

static inline __attribute__((always_inline)) void qb_cvt_avx512skx_f32_bf16_x32(const float* in,
                                                                                uint16_t* out) {
  const __m512 a = _mm512_loadu_ps(in);
  const __m512 b = _mm512_loadu_ps(in + 16);
  const int nan = _mm512_cmp_ps_mask(a, b, _CMP_UNORD_Q) != 0;
  _mm512_storeu_si512(out, qb_cvt_avx512_f32_to_bf16_w32(_mm512_castps_si512(a), _mm512_castps_si512(b)));
  if (__builtin_expect(nan, 0)) qb_cvt_avx512skx_f32_bf16_fix32(a, b, out);
}

/* The last n < 32, masked (masked-off lanes are neither read nor written), by the
 * reference's algorithm: once a call, so no NaN test. */
static inline void qb_cvt_avx512skx_f32_bf16_tail(const float* in, uint16_t* out, size_t n) {
  if (n >= 16) {
    qb_cvt_avx512skx_f32_bf16_x16(in, out);
    in += 16;
    out += 16;
    n -= 16;
  }
  const __mmask16 m = qb_cvt_mask16(n);
  _mm256_mask_storeu_epi16(out, m, qb_cvt_avx512_f32_to_bf16(_mm512_maskz_loadu_epi32(m, in)));
}

/* f32 -> f64, 8 elements (vcvtps2pd): exact. */
static inline void qb_cvt_avx512skx_f32_f64_x8(const float* in, double* out) {
  _mm512_storeu_pd(out, _mm512_cvtps_pd(_mm256_loadu_ps(in)));
}
static inline void qb_cvt_avx512skx_f32_f64_tail(const float* in, double* out, size_t n) {
  const __mmask8 m = qb_cvt_mask8(n);
  _mm512_mask_storeu_pd(out, m, _mm512_cvtps_pd(_mm256_maskz_loadu_ps(m, in)));
}

/* f64 -> f32, 8 elements (vcvtpd2ps): the same conversion as the reference's C cast. */
static inline void qb_cvt_avx512skx_f64_f32_x8(const double* in, float* out) {
  _mm256_storeu_ps(out, _mm512_cvtpd_ps(_mm512_loadu_pd(in)));
}
static inline void qb_cvt_avx512skx_f64_f32_tail(const double* in, float* out, size_t n) {
  const __mmask8 m = qb_cvt_mask8(n);
  _mm256_mask_storeu_ps(out, m, _mm512_cvtpd_ps(_mm512_maskz_loadu_pd(m, in)));
}

#endif /* __AVX512F__ */

#if defined(__AVX512BF16__)

/*
 * f32 -> bf16, 16 elements with AVX512-BF16 (vcvtneps2bf16). The instruction rounds to
 * nearest even and quiets NaN keeping the top payload bits like the reference, but it reads
 * subnormal f32 inputs as zero of the same sign whatever MXCSR.DAZ says (Intel SDM,
 * convert_fp32_to_bfloat16): the kernel declares QB_SEM_FTZ_IN. Its outputs are never
 * subnormal for a normal input (bf16 has f32's exponent range), so no other flag.
 */
static inline void qb_cvt_avx512bf16_f32_bf16_x16(const float* in, uint16_t* out) {
  _mm256_storeu_si256((__m256i*) out, (__m256i) _mm512_cvtneps_pbh(_mm512_loadu_ps(in)));
}
static inline void qb_cvt_avx512bf16_f32_bf16_tail(const float* in, uint16_t* out, size_t n) {
  const __mmask16 m = qb_cvt_mask16(n);
  _mm256_mask_storeu_epi16(out, m, (__m256i) _mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(m, in)));
}

/* The same conversion on 8 elements (256-bit vcvtneps2bf16, AVX512-BF16 + VL): the same
 * bits as _x16. The streamed tiles of f32_bf16_cvt avx512bf16 run it, where the 512-bit
 * form is slower out of cache on the Zen 4 (kernels/cvt/README.md, "Out of cache on Zen 4"). */
static inline void qb_cvt_avx512bf16_f32_bf16_x8(const float* in, uint16_t* out) {
  _mm_storeu_si128((__m128i*) out, (__m128i) _mm256_cvtneps_pbh(_mm256_loadu_ps(in)));
}

#endif /* __AVX512BF16__ */

#if defined(__AVX512FP16__)

/* f16 -> f32, 16 elements with AVX512-FP16 (vcvtph2psx). Declared bit-exact like vcvtph2ps
 * (exact, subnormals kept, sNaN quieted with its payload). Not checked on hardware yet:
 * tests/test_cvt_simd.c checks all 65,536 inputs on a CPU that has AVX512-FP16. */
static inline void qb_cvt_avx512fp16_f16_f32_x16(const uint16_t* in, float* out) {
  const __m256h h = _mm256_castsi256_ph(_mm256_loadu_si256((const __m256i*) in));
  _mm512_storeu_ps(out, _mm512_cvtxph_ps(h));
}
static inline void qb_cvt_avx512fp16_f16_f32_tail(const uint16_t* in, float* out, size_t n) {
  const __mmask16 m = qb_cvt_mask16(n);
  _mm512_mask_storeu_ps(out, m, _mm512_cvtxph_ps(_mm256_castsi256_ph(_mm256_maskz_loadu_epi16(m, in))));
}

/* f32 -> f16, 16 elements with AVX512-FP16 (vcvtps2phx, the rounding embedded: nearest even
 * whatever MXCSR says). Declared bit-exact like vcvtps2ph: round to nearest even, overflow
 * to inf, NaN payload truncated and quieted. Not checked on hardware yet: tests/test_cvt_simd.c
 * checks every f32 on a CPU that has AVX512-FP16. */
static inline void qb_cvt_avx512fp16_f32_f16_x16(const float* in, uint16_t* out) {
  const __m256h h =
      _mm512_cvtx_roundps_ph(_mm512_loadu_ps(in), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  _mm256_storeu_si256((__m256i*) out, _mm256_castph_si256(h));
}
static inline void qb_cvt_avx512fp16_f32_f16_tail(const float* in, uint16_t* out, size_t n) {
  const __mmask16 m = qb_cvt_mask16(n);
  const __m256h h =
      _mm512_cvtx_roundps_ph(_mm512_maskz_loadu_ps(m, in), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  _mm256_mask_storeu_epi16(out, m, _mm256_castph_si256(h));
}

#endif /* __AVX512FP16__ */

#endif /* QB_CVT_X86_H */
