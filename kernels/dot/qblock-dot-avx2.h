/*
 * x86 pieces of the llama.cpp block dots (q8_0 . q8_0, q4_0 . q8_0), for the files that
 * qblock-x86.c.in writes: exact per-block int32 sums, eight blocks' totals in one vector,
 * the eight blocks' f16 scales widened in one instruction. Included only by -avx2- and
 * -avx512vnni- files; the block sums differ by ISA (the file's flags decide).
 */
#ifndef QB_QBLOCK_DOT_AVX2_H
#define QB_QBLOCK_DOT_AVX2_H

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "dot/dot-x86.h"
#include "qb/ukernel.h"

#ifdef __AVX512VNNI__
/* The 8 s32 lanes of 32 s8 x 32 s8 products with vpdpbusd (u8 x s8 quads): a is biased
 * to u8 (a XOR 0x80 = a + 128) and 128 * sum(b) taken off, both sums formed by the same
 * instruction; each lane's sums lie within 4 * 255 * 128, so nothing wraps. */
static inline __m256i qb__q8_0_lanes(const qb_block_q8_0* x, const qb_block_q8_0* y) {
  const __m256i bias = _mm256_set1_epi8((char) 0x80);
  const __m256i a = _mm256_loadu_si256((const __m256i*) x->qs);
  __m256i b = _mm256_loadu_si256((const __m256i*) y->qs);
  const __m256i zero = _mm256_setzero_si256();
  /* b read once, into a register: left alone, GCC folds its load into both vpdpbusd
   * (three 32-byte loads per block instead of two, about half of them across a cache
   * line, the blocks being 34 bytes; 1.02x in L1, 1.05x at L2 size on Zen 4). */
  __asm__("" : "+v"(b));
  return _mm256_sub_epi32(_mm256_dpbusd_epi32(zero, _mm256_xor_si256(a, bias), b),
                          _mm256_dpbusd_epi32(zero, bias, b));
}
#else
/* The 8 s32 lanes of 32 s8 x 32 s8 products: sign-extended to 16 bits straight from
 * memory and multiplied by vpmaddwd, exact for every byte (vpmaddubsw's sign trick fails
 * on -128, which the reference accepts). */
static inline __m256i qb__q8_0_lanes(const qb_block_q8_0* x, const qb_block_q8_0* y) {
  const __m256i a0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i*) x->qs));
  const __m256i a1 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i*) (x->qs + 16)));
  const __m256i b0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i*) y->qs));
  const __m256i b1 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i*) (y->qs + 16)));
  return _mm256_add_epi32(_mm256_madd_epi16(a0, b0), _mm256_madd_epi16(a1, b1));
}
#endif

#ifndef __AVX512VNNI__
/* One q8_0 block times one by the sign trick: x * y = |x| * sign(y, x), with |x| read
 * as u8 (|-128| = 128 exactly), unless y = -128 and x < 0, where sign(y, x) wraps
 * -(-128) to -128. Where no byte of sign(y, x) is -128, it lies in [-127, 127]:
 * vpmaddubsw's pairs lie within 2 * 128 * 127 and never saturate, and one vpmaddwd by 1
 * gives the block's 8 s32 lanes. *lo keeps the minimum byte of sign(y, x), which tells
 * the caller whether the sum is exact. Four vector operations and a vpminsb per block,
 * no shuffle (the widening of qb__q8_0_lanes takes four vpmovsxbw, shuffles). Blocks
 * that ggml's or qbench's quantizer wrote never hold -128 (codes in [-127, 127]). */
static inline __m256i qb__q8_0_sign_lanes(const qb_block_q8_0* x, const qb_block_q8_0* y, __m256i* lo) {
  /* x is read once, into a register: left alone, the compiler folds its load into both
   * vpabsb and vpsignb (three 32-byte loads per block instead of two; measured 1-2 %). */
  __m256i a = _mm256_loadu_si256((const __m256i*) x->qs);
  __asm__("" : "+x"(a));
  const __m256i sb = _mm256_sign_epi8(_mm256_loadu_si256((const __m256i*) y->qs), a);
  *lo = _mm256_min_epi8(*lo, sb);
  return _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_abs_epi8(a), sb), _mm256_set1_epi16(1));
}

/* The levels of the transposing reduction, for the q8_0 sums below. Level 1: the lanes
 * of blocks j and j + 1 -> their pairs interleaved (block j in the even lanes). Level 2:
 * two of those -> four blocks' quarter sums (block j + i in lane i of each 128-bit
 * half), by one vpalignr and a blend where the unpack form takes two shuffles. Level 3:
 * the halves of two of those added -> eight totals, by one vperm2i128 and a blend where
 * the plain form takes two. On Zen 3 shuffles go to two of the four vector pipes, and
 * the vperm2i128 to one per cycle, so trading one for a blend (any pipe) pays. */
static inline __m256i qb__tree1(__m256i v0, __m256i v1) {
  return _mm256_add_epi32(_mm256_unpacklo_epi32(v0, v1), _mm256_unpackhi_epi32(v0, v1));
}
static inline __m256i qb__tree2(__m256i a0, __m256i a1) {
  /* [a0.2 a0.3 a1.0 a1.1] + [a0.0 a0.1 a1.2 a1.3] per 128-bit half. */
  return _mm256_add_epi32(_mm256_alignr_epi8(a1, a0, 8), _mm256_blend_epi32(a0, a1, 0xCC));
}
static inline __m256i qb__tree3(__m256i b0, __m256i b1) {
  /* [b0.hi b1.lo] + [b0.lo b1.hi]. */
  return _mm256_add_epi32(_mm256_permute2x128_si256(b0, b1, 0x21), _mm256_blend_epi32(b0, b1, 0xF0));
}

/* Eight q8_0 blocks times eight: their eight totals, in order, exact unless the minimum
 * byte of *lo (updated here) is -128 (qb__q8_0_sign_lanes). Each pair of blocks goes
 * into the reduction as soon as its lanes are formed, so that the vector pipes see the
 * sums and the shuffles interleaved: with the vpalignr / blend levels, 1.03-1.04x the
 * eight blocks' lanes first and qb__hsum8 after (paired objects, Zen 3, L1 and L2). */
static inline __m256i qb__q8_0_totals8_sign(const qb_block_q8_0* x, const qb_block_q8_0* y, __m256i* lo) {
  __m256i b[2];
  for (int h = 0; h < 2; h++) {
    __m256i a[2];
    for (int i = 0; i < 2; i++) {
      const int j = 4 * h + 2 * i;
      const __m256i v0 = qb__q8_0_sign_lanes(&x[j], &y[j], lo);
      a[i] = qb__tree1(v0, qb__q8_0_sign_lanes(&x[j + 1], &y[j + 1], lo));
    }
    b[h] = qb__tree2(a[0], a[1]);
  }
  return qb__tree3(b[0], b[1]);
}

/* Whether some byte of lo is -128: the sign trick's sums are then redone by widening. */
static inline int qb__q8_0_sign_failed(__m256i lo) {
  return _mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, _mm256_set1_epi8((char) 0x80))) != 0;
}
#endif

/* Eight q8_0 blocks times eight q8_0 blocks: each block's 8 s32 lanes (their sum is the
 * block's exact isum), in v[0..7], exact for every byte (the widening path on avx2). */
static inline void qb__q8_0_lanes8(const qb_block_q8_0* x, const qb_block_q8_0* y, __m256i v[8]) {
  for (int j = 0; j < 8; j++) {
    v[j] = qb__q8_0_lanes(&x[j], &y[j]);
  }
}

/* Two q4_0 blocks (codes c in 0..15, values c - 8) times two q8_0 blocks, x[0] . y[0]
 * and x[4] . y[4]: 4 s32 lanes each, the first in the low half, the second in the high
 * half. A block's sum c b - 8 b does not care which code meets which activation, so
 * the packed bytes need no reordering: the low nibbles (elements 0..15) of both blocks
 * in one register meet the two blocks' first 16 activations, the high nibbles (16..31)
 * their last 16. The codes are unsigned, so the u8 x s8 instructions take them as they
 * are: vpdpbusd (AVX512-VNNI), or vpmaddubsw, whose pairs (|c b| <= 15 * 128, |8 b| <=
 * 8 * 128) and their sums here (within 2 * 2 * 23 * 128) never saturate. Two blocks per
 * register halve the reduction (qb__hsum8_pairs): measured 6 % faster than a block per
 * register on avx512vnni, 4 % on avx2. */
static inline __m256i qb__q4_0_pair_lanes(const qb_block_q4_0* x, const qb_block_q8_0* y) {
  const __m256i q = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const __m128i*) x[0].qs)),
                                            _mm_loadu_si128((const __m128i*) x[4].qs), 1);
  const __m256i bl =
      _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const __m128i*) y[0].qs)),
                              _mm_loadu_si128((const __m128i*) y[4].qs), 1);
  const __m256i bh =
      _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const __m128i*) (y[0].qs + 16))),
                              _mm_loadu_si128((const __m128i*) (y[4].qs + 16)), 1);
  const __m256i m = _mm256_set1_epi8(15), eight = _mm256_set1_epi8(8);
  const __m256i lo = _mm256_and_si256(q, m), hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), m);
#ifdef __AVX512VNNI__
  const __m256i zero = _mm256_setzero_si256();
  const __m256i s = _mm256_dpbusd_epi32(_mm256_dpbusd_epi32(zero, lo, bl), hi, bh);
  return _mm256_sub_epi32(s, _mm256_dpbusd_epi32(_mm256_dpbusd_epi32(zero, eight, bl), eight, bh));
#else
  const __m256i s = _mm256_add_epi16(_mm256_maddubs_epi16(lo, bl), _mm256_maddubs_epi16(hi, bh));
  const __m256i t = _mm256_add_epi16(_mm256_maddubs_epi16(eight, bl), _mm256_maddubs_epi16(eight, bh));
  return _mm256_madd_epi16(_mm256_sub_epi16(s, t), _mm256_set1_epi16(1));
#endif
}

/* Eight blocks' lane sums -> their eight totals, in order: a transposing tree of
 * unpacks (14 shuffles and 7 additions for the eight, where vphaddd would take more). */
static inline __m256i qb__hsum8(const __m256i v[8]) {
  __m256i a[4], b[2];
  for (int i = 0; i < 4; i++) {
    a[i] = _mm256_add_epi32(_mm256_unpacklo_epi32(v[2 * i], v[2 * i + 1]),
                            _mm256_unpackhi_epi32(v[2 * i], v[2 * i + 1]));
  }
  for (int i = 0; i < 2; i++) {
    b[i] = _mm256_add_epi32(_mm256_unpacklo_epi64(a[2 * i], a[2 * i + 1]),
                            _mm256_unpackhi_epi64(a[2 * i], a[2 * i + 1]));
  }
  return _mm256_add_epi32(_mm256_permute2x128_si256(b[0], b[1], 0x20),
                          _mm256_permute2x128_si256(b[0], b[1], 0x31));
}

/* Four registers of block pairs (qb__q4_0_pair_lanes: register j holds blocks j and
 * j + 4, 4 lanes each) -> the eight blocks' totals, in order: two levels of the
 * transposing tree of qb__hsum8 leave blocks 0..3 in the low half and 4..7 in the
 * high half (6 shuffles and 3 additions). */
static inline __m256i qb__hsum8_pairs(const __m256i v[4]) {
  const __m256i a0 = _mm256_add_epi32(_mm256_unpacklo_epi32(v[0], v[1]), _mm256_unpackhi_epi32(v[0], v[1]));
  const __m256i a1 = _mm256_add_epi32(_mm256_unpacklo_epi32(v[2], v[3]), _mm256_unpackhi_epi32(v[2], v[3]));
  return _mm256_add_epi32(_mm256_unpacklo_epi64(a0, a1), _mm256_unpackhi_epi64(a0, a1));
}

/* The f16 scale at the start of each of eight blocks `stride` bytes apart, widened
 * exactly to f32: packed four to a 64-bit word in general registers (plain loads,
 * shifts and ors, which leave the vector units to the sums), one vcvtph2ps for all.
 * The empty asm keeps the words in general registers: left alone, the compiler
 * vectorizes the packing into a dozen shuffles, which measured 15 % slower.
 * With `overlap`, each pair of scales takes two loads: the 32 bits that end with the
 * odd block's scale (its top half; the low half is the last two bytes of the block
 * before, inside the group) and a 16-bit load of the even block's scale into the low
 * half of the same register (movw, which keeps the top half), so eight scales take
 * eight loads, two shifts and two ors instead of eight loads, six shifts and six ors.
 * Measured on q8_0 avx2_u512 with the single load of x above: 2-3 % in L1; on q8_0
 * avx512vnni_u512 (Zen 4, with b loaded once: qb__q8_0_lanes) 1.03x in L1 and 1.01x at
 * L2 size over the plain packing. */
static inline __m256 qb__scales8_packed(const void* base, size_t stride, int overlap) {
  const unsigned char* p = (const unsigned char*) base;
  uint64_t lo, hi;
  if (overlap) {
    uint64_t w[4];
    for (int i = 0; i < 4; i++) {
      uint32_t v;
      memcpy(&v, p + (size_t) (2 * i + 1) * stride - 2, sizeof v);
      __asm__("movw %1, %w0"
              : "+r"(v)
              : "m"(*(const uint16_t*) (const void*) (p + (size_t) (2 * i) * stride)));
      w[i] = v;
    }
    lo = w[0] | w[1] << 32;
    hi = w[2] | w[3] << 32;
  } else {
    uint16_t d[8];
    for (int i = 0; i < 8; i++) {
      memcpy(&d[i], p + (size_t) i * stride, sizeof d[i]);
    }
    lo = (uint64_t) d[0] | (uint64_t) d[1] << 16 | (uint64_t) d[2] << 32 | (uint64_t) d[3] << 48;
    hi = (uint64_t) d[4] | (uint64_t) d[5] << 16 | (uint64_t) d[6] << 32 | (uint64_t) d[7] << 48;
  }
  __asm__("" : "+r"(lo), "+r"(hi));
  return _mm256_cvtph_ps(_mm_set_epi64x((long long) hi, (long long) lo));
}

/* The eight blocks' scales by the packing each caller measured best: the overlapping
 * loads on avx2, the plain packing on avx512vnni (the int4 groups' files). */
static inline __m256 qb__scales8(const void* base, size_t stride) {
#ifdef __AVX512VNNI__
  return qb__scales8_packed(base, stride, 0);
#else
  return qb__scales8_packed(base, stride, 1);
#endif
}

/* The eight scales of eight q8_0 blocks, by the overlapping loads on every ISA: what
 * the reassociated q8_0 dots take (qblock-x86.c.in). On avx512vnni (Zen 4, /tmp harness,
 * both builds' objects alternating, 400 rounds) the q8_0 exact dot ran 0.99x with them
 * and q4_0 . q8_0 (the q8_0 side) 0.97x, so those keep qb__scales8. */
static inline __m256 qb__scales8_q8_0(const qb_block_q8_0* x) {
  return qb__scales8_packed(&x->d, sizeof *x, 1);
}

/* The eight f16 scales of eight q4_0 blocks (18 bytes apart), widened to f32. With
 * AVX-512 BW/VL they are the 16-bit words 0, 9, .., 63 of the group's first 128 bytes:
 * two vpermt2w, each over a 64-byte half, a blend and one vcvtph2ps (measured 2 %
 * faster than the general-register packing; for the 34-byte q8_0 blocks the same idea
 * needs eight loads and four permutes and measured slower). */
static inline __m256 qb__scales8_q4_0(const qb_block_q4_0* x) {
#if defined(__AVX512BW__) && defined(__AVX512VL__)
  const char* p = (const char*) x;
  const __m256i i0 = _mm256_setr_epi16(0, 9, 18, 27, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  const __m256i i1 = _mm256_setr_epi16(0, 0, 0, 0, 4, 13, 22, 31, 0, 0, 0, 0, 0, 0, 0, 0);
  const __m256i lo = _mm256_permutex2var_epi16(_mm256_loadu_si256((const __m256i*) p), i0,
                                               _mm256_loadu_si256((const __m256i*) (p + 32)));
  const __m256i hi = _mm256_permutex2var_epi16(_mm256_loadu_si256((const __m256i*) (p + 64)), i1,
                                               _mm256_loadu_si256((const __m256i*) (p + 96)));
  return _mm256_cvtph_ps(_mm_blend_epi32(_mm256_castsi256_si128(lo), _mm256_castsi256_si128(hi), 0xC));
#else
  return qb__scales8(&x->d, sizeof *x);
#endif
}

/* One block's exact int32 sum, for the last 1..7 blocks of the block dots
 * (qblock-x86.c.in): the lanes of the group code, summed (q8_0 on avx2: the widening
 * lanes, exact for every byte). q4_0: the 16 packed bytes' low nibbles (elements 0..15)
 * in the low half, their high nibbles (16..31) in the high half, against the block's 32
 * activations in order. */
static inline int32_t qb__q8_0_isum1(const qb_block_q8_0* x, const qb_block_q8_0* y) {
  return qb__hsum_epi32_256(qb__q8_0_lanes(x, y));
}
static inline int32_t qb__q4_0_isum1(const qb_block_q4_0* x, const qb_block_q8_0* y) {
  const __m128i q = _mm_loadu_si128((const __m128i*) x->qs), m = _mm_set1_epi8(15);
  const __m256i c = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_and_si128(q, m)),
                                            _mm_and_si128(_mm_srli_epi16(q, 4), m), 1);
  const __m256i b = _mm256_loadu_si256((const __m256i*) y->qs), eight = _mm256_set1_epi8(8);
#ifdef __AVX512VNNI__
  const __m256i zero = _mm256_setzero_si256();
  return qb__hsum_epi32_256(
      _mm256_sub_epi32(_mm256_dpbusd_epi32(zero, c, b), _mm256_dpbusd_epi32(zero, eight, b)));
#else
  /* Pairs within 2 * 15 * 128 and 2 * 8 * 128: vpmaddubsw never saturates. */
  const __m256i s = _mm256_sub_epi16(_mm256_maddubs_epi16(c, b), _mm256_maddubs_epi16(eight, b));
  return qb__hsum_epi32_256(_mm256_madd_epi16(s, _mm256_set1_epi16(1)));
#endif
}

/* acc + p[0] + p[1] + ... + p[7], left to right: eight dependent f32 additions. */
static inline float qb__add8_in_order(float acc, __m256 p) {
  const __m128 lo = _mm256_castps256_ps128(p), hi = _mm256_extractf128_ps(p, 1);
  acc += _mm_cvtss_f32(lo);
  acc += _mm_cvtss_f32(_mm_movehdup_ps(lo));
  acc += _mm_cvtss_f32(_mm_movehl_ps(lo, lo));
  acc += _mm_cvtss_f32(_mm_shuffle_ps(lo, lo, 3));
  acc += _mm_cvtss_f32(hi);
  acc += _mm_cvtss_f32(_mm_movehdup_ps(hi));
  acc += _mm_cvtss_f32(_mm_movehl_ps(hi, hi));
  acc += _mm_cvtss_f32(_mm_shuffle_ps(hi, hi, 3));
  return acc;
}

#endif /* QB_QBLOCK_DOT_AVX2_H */
