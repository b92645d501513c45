/*
 * llama.cpp's q8_0 and q4_0 (kernels/quant/qblock-scalar.h) and the int4 groups of
 * GPTQ/AWQ checkpoints (kernels/quant/int4g-scalar.h): quantize, dequantize and their
 * dots. Bit-exact with the references: the same float operations in the same order
 * (FP_CONTRACT is off), the divisions through qb__div (correctly rounded: the quantizers
 * need DIV), f16 scales through cvt.cl's integer conversions, NaN and clamps as selects
 * before any float -> integer conversion. One work-item handles QB_VEC blocks (QB_SPAN,
 * as qb8 in quant.cl). Blocks are byte arrays: q8_0 is 34 bytes, q4_0 18, the int4
 * groups 3 + G/2 (2 + G/2 symmetric), so their f16 scales are read as two bytes.
 */

#define QB_Q8_0_BYTES 34
#define QB_Q4_0_BYTES 18

/* The f16 scale stored little-endian at p, widened to f32 exactly. */
float qb__f16_at(global const uchar* p) {
  return as_float(qb__f16_to_f32_bits((ushort) (p[0] | p[1] << 8)));
}

/* Stores the f16 bits of s at p and returns the stored value widened back. */
float qb__store_f16(float s, global uchar* p) {
  const ushort h = qb__f32_to_f16_bits(as_uint(s));
  QB_STORE(ushort, p, h);
  return as_float(qb__f16_to_f32_bits(h));
}

/* As qb__q8_0_block (the 8-bit block helpers of quant.cl, with the f16 scale and ties
 * away). */
kernel void qb_f32_q8_0_quant_ocl(ulong n, global const float* x, global uchar* y) {
  QB_BLOCKS16(n / QB_BLOCK_LEN, b16, qb__s8_quant16(x + b16 * QB_BLOCK_LEN, y + b16 * QB_Q8_0_BYTES, 1), b,
              qb__s8_quant1(x + b * QB_BLOCK_LEN, y + b * QB_Q8_0_BYTES, 1));
}

kernel void qb_q8_0_f32_dequant_ocl(ulong n, global const uchar* x, global float* y) {
  QB_SPAN(b, n / QB_BLOCK_LEN, {
    global const uchar* xb = x + b * QB_Q8_0_BYTES;
    const float d = qb__f16_at(xb);
    for (int h = 0; h < 2; h++) {
      const char16 c = as_char16(QB_LOAD(uchar16, xb + 2 + 16 * h));
      QB_STORE(float16, y + b * QB_BLOCK_LEN + 16 * h, convert_float16(c) * d);
    }
  });
}

/* As qb__q4_0_code: min(15, trunc(v * id + 8.5f)), NaN -> 8, a negative sum -> 0; the
 * sum is clamped before the conversion so no lane converts NaN or a large value. The
 * clamps are compares and selects that LLVM makes one vmaxps / vminps each, and the
 * conversion is to int: AVX2 has no float -> uint conversion (LLVM emulates it in
 * several operations): q4_0 quantize 1.28x per core on PoCL 3.1 (AVX2). */
uint16 qb__q4_0_codes16(float16 v, float id) {
  const float16 t = v * id + 8.5f;
  float16 tc = select(t, (float16) 0.0f, t < 0.0f);
  tc = select(tc, (float16) 15.0f, tc > 15.0f);
  return select(as_uint16(convert_int16(tc)), (uint16) 8u, t != t); /* isnan: see qb__round_clamp16 */
}

void qb__q4_0_quant1(global const float* xb, global uchar* yb) {
  const float16 v0 = QB_LOAD(float16, xb), v1 = QB_LOAD(float16, xb + 16);
  const uint16 a0 = qb__abs_bits16_skipnan(v0), a1 = qb__abs_bits16_skipnan(v1);
  const uint amax = qb__hmax16(max(a0, a1));
  const uint16 lane = (uint16) (0u, 1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u, 9u, 10u, 11u, 12u, 13u, 14u, 15u);
  const uint first =
      qb__hmin16(min(select((uint16) 32u, lane, a0 == amax), select((uint16) 32u, lane + 16u, a1 == amax)));
  const float m = amax == 0u ? 0.0f : xb[min(first, 31u)];
  const float d = qb__div(m, -8.0f);
  const float id = d != 0.0f ? qb__div(1.0f, d) : 0.0f;
  (void) qb__store_f16(d, yb);
  QB_STORE(uchar16, yb + 2, convert_uchar16(qb__q4_0_codes16(v0, id) | qb__q4_0_codes16(v1, id) << 4));
}

/*
 * Sixteen blocks (QB_BLOCKS16). The sign of m comes from two maxima of |x| bits keyed
 * with the sign in the lowest bit, once preferring negative and once positive elements
 * among equal |x|: if the largest |x| occurs with one sign only, both keys say which;
 * if with both signs (rare: m is then the first of them), the group goes block by
 * block through qb__q4_0_quant1.
 */
#define QB_Q4_0_KEYS(k, h)                                                                             \
  const float16 v0##k = QB_LOAD(float16, xg + 32 * k), v1##k = QB_LOAD(float16, xg + 32 * k + 16);     \
  const uint16 a0##k = qb__abs_bits16_skipnan(v0##k) << 1, a1##k = qb__abs_bits16_skipnan(v1##k) << 1; \
  const uint16 s0##k = as_uint16(v0##k) >> 31, s1##k = as_uint16(v1##k) >> 31;                         \
  const uint16 kn##k = max(a0##k | s0##k, a1##k | s1##k),                                              \
               kp##k = max(a0##k | (s0##k ^ 1u), a1##k | (s1##k ^ 1u));
#define QB_Q4_0_CODES(k, h)                                                                        \
  {                                                                                                \
    global uchar* yb = yg + QB_Q4_0_BYTES * k;                                                     \
    QB_PREFETCH(xg + QB_BLOCKS_AHEAD + 32 * k);                                                    \
    QB_PREFETCH(xg + QB_BLOCKS_AHEAD + 32 * k + 16);                                               \
    QB_STORE(ushort, yb, (ushort) hd.s##h);                                                        \
    QB_STORE(uchar16, yb + 2,                                                                      \
             convert_uchar16(qb__q4_0_codes16(QB_LOAD(float16, xg + 32 * k), id.s##h) |            \
                             qb__q4_0_codes16(QB_LOAD(float16, xg + 32 * k + 16), id.s##h) << 4)); \
  }
void qb__q4_0_quant16(global const float* xg, global uchar* yg) {
  QB_REP16(QB_Q4_0_KEYS)
  const uint16 kn = QB_HMAX16X16(kn), kp = QB_HMAX16X16(kp);
  const uint16 amax = kn >> 1;
  if (any((amax != 0u) & ((kn & kp & 1u) != 0u))) {
    for (int k = 0; k < 16; k++) qb__q4_0_quant1(xg + 32 * k, yg + QB_Q4_0_BYTES * k);
    return;
  }
  const float16 m = as_float16(select(amax, amax | 0x80000000u, (kn & 1u) != 0u));
  const float16 d = qb__div16v(select(m, (float16) 0.0f, amax == 0u), (float16) -8.0f);
  const float16 id = select(qb__div16v((float16) 1.0f, d), (float16) 0.0f, d == 0.0f);
  const uint16 hd = qb__f32_to_f16_bits16(as_uint16(d));
  QB_REP16(QB_Q4_0_CODES)
}

/* As qb__q4_0_block: m = the first element of largest |x| (NaN skipped), d = m / -8
 * stored as f16, id = 1 / d of the f32 d; byte j holds element j (low nibble) and
 * j + 16 (high). The first element of largest |x| is the smallest index whose |x| bits
 * equal the amax bits (NaN counted as 0; an amax of 0 gives m = +0, as the reference's
 * starting value). */
kernel void qb_f32_q4_0_quant_ocl(ulong n, global const float* x, global uchar* y) {
  QB_BLOCKS16(n / QB_BLOCK_LEN, b16, qb__q4_0_quant16(x + b16 * QB_BLOCK_LEN, y + b16 * QB_Q4_0_BYTES), b,
              qb__q4_0_quant1(x + b * QB_BLOCK_LEN, y + b * QB_Q4_0_BYTES));
}

kernel void qb_q4_0_f32_dequant_ocl(ulong n, global const uchar* x, global float* y) {
  QB_SPAN(b, n / QB_BLOCK_LEN, {
    global const uchar* xb = x + b * QB_Q4_0_BYTES;
    const float d = qb__f16_at(xb);
    const int16 q = convert_int16(QB_LOAD(uchar16, xb + 2));
    QB_STORE(float16, y + b * QB_BLOCK_LEN, convert_float16((q & 15) - 8) * d);
    QB_STORE(float16, y + b * QB_BLOCK_LEN + 16, convert_float16((q >> 4) - 8) * d);
  });
}

/* Per block an exact int sum, then the block's term as ggml forms it: q8_0 . q8_0
 * isum * (da * db), q4_0 . q8_0 isum * da * db; only the order of the block sums
 * differs from the reference (QB_SEM_REASSOC). */
kernel void qb_q8_0_dot_ocl(ulong n, global const uchar* a, global const uchar* b, global float* partial,
                            local float* s) {
  float acc = 0.0f;
  QB_STRIDE(k, n / QB_BLOCK_LEN) {
    global const uchar* ab = a + k * QB_Q8_0_BYTES;
    global const uchar* bb = b + k * QB_Q8_0_BYTES;
    int isum = 0;
    for (int i = 0; i < QB_BLOCK_LEN; i++) isum += (int) (char) ab[2 + i] * (int) (char) bb[2 + i];
    acc += convert_float(isum) * (qb__f16_at(ab) * qb__f16_at(bb));
  }
  QB_PARTIAL_F32(acc, partial, s);
}

kernel void qb_q4_0q8_0_dot_ocl(ulong n, global const uchar* a, global const uchar* b, global float* partial,
                                local float* s) {
  float acc = 0.0f;
  QB_STRIDE(k, n / QB_BLOCK_LEN) {
    global const uchar* ab = a + k * QB_Q4_0_BYTES;
    global const uchar* bb = b + k * QB_Q8_0_BYTES;
    int isum = 0;
    for (int j = 0; j < QB_BLOCK_LEN / 2; j++) {
      isum += ((int) (ab[2 + j] & 15u) - 8) * (int) (char) bb[2 + j];
      isum += ((int) (ab[2 + j] >> 4) - 8) * (int) (char) bb[2 + j + QB_BLOCK_LEN / 2];
    }
    acc += convert_float(isum) * qb__f16_at(ab) * qb__f16_at(bb);
  }
  QB_PARTIAL_F32(acc, partial, s);
}

/* ---- int4 groups ------------------------------------------------------------------------ */

/* Rounds to nearest, ties to even, as qb__round_even (quant-scalar.h); qb__rint
 * (quant.cl) differs from it only in the sign of a zero result, which the integer
 * codes built from it drop. */

/* 16 codes (< 16) packed two per byte, lane 2j low: each pair of lanes viewed as one
 * ulong (bitcasts, no swizzles: see qb__hmax16). */
#if defined(__clang__) && defined(__SSSE3__)
/*
 * On x86 (PoCL) the codes (each below 16), narrowed to bytes, are joined by one
 * multiply-add of adjacent lanes (pmaddubsw with (1, 16): c[2i] + 16 c[2i + 1] in a 16-bit
 * lane, at most 255) and narrowed again, where the qword shifts and masks took about
 * twice the operations: f32 -> f4e2m1 1.13x, NVFP4 and qu4g128 quantize 1.05x, qu4g32
 * 1.04x, q4_0 and MXFP4 1.01x per core on PoCL 3.1 (AVX2). As qb__groups_6bit16 in
 * lowbit.cl: clang's x86 builtin; oclgrind and other targets keep the portable form.
 */
typedef char qb__v16qi __attribute__((__vector_size__(16)));
uchar8 qb__pack_nibbles16(uint16 c) {
  const qb__v16qi b = __builtin_astype(convert_uchar16(c), qb__v16qi);
  const qb__v16qi m = {1, 16, 1, 16, 1, 16, 1, 16, 1, 16, 1, 16, 1, 16, 1, 16};
  return convert_uchar8(__builtin_astype(__builtin_ia32_pmaddubsw128(b, m), ushort8));
}
#else
uchar8 qb__pack_nibbles16(uint16 c) {
  const ulong8 u = as_ulong8(c);
  return convert_uchar8((u | u >> 28) & 0xFFul);
}
#endif

/*
 * The 32 int4 codes r + z of two vectors packed into 16 bytes (qb__pack_nibbles16's
 * order), where each lane of r0 and r1 holds rint(c) (c the clamped quotient) in its low
 * byte modulo 256, whatever the bits above (the sum c + 1.5 * 2^23, whose bits are
 * 0x4B400000 + rint(c)), and z is the group's zero point, given as z17 = 17 z modulo 256:
 * every r + z lies in [0, 15]. On x86 the nibble pairs are formed from r itself: the
 * narrowed bytes' pmaddubsw with (1, 16) (one 256-bit operation for both vectors) is
 * r[2i] + 16 r[2i + 1] modulo 256, so one byte addition of z17 makes it (r[2i] + z) +
 * 16 (r[2i + 1] + z), the packed byte (each nibble in [0, 15]: no carry between them).
 * That takes the addition of z to 32 codes from two 512-bit subtractions to one 128-bit
 * addition, and the two pmaddubsw and word narrowings to one each. Other targets add z
 * (z17 modulo 16) to the codes and pack them as they are.
 */
#if defined(__clang__) && defined(__AVX2__)
typedef char qb__v32qi __attribute__((__vector_size__(32)));
QB_ALWAYS_INLINE uchar16 qb__int4g_pack32(uint16 r0, uint16 r1, uchar z17) {
  const qb__v16qi b0 = __builtin_astype(convert_uchar16(r0), qb__v16qi);
  const qb__v16qi b1 = __builtin_astype(convert_uchar16(r1), qb__v16qi);
  /* clang-format off */
  const qb__v32qi b = __builtin_shufflevector(b0, b1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17,
                                              18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31);
  const qb__v32qi m = {1, 16, 1, 16, 1, 16, 1, 16, 1, 16, 1, 16, 1, 16, 1, 16,
                       1, 16, 1, 16, 1, 16, 1, 16, 1, 16, 1, 16, 1, 16, 1, 16};
  /* clang-format on */
  const qb__v16qi p = __builtin_convertvector(__builtin_ia32_pmaddubsw256(b, m), qb__v16qi);
  return __builtin_astype(p, uchar16) + z17;
}
#else
uchar16 qb__int4g_pack32(uint16 r0, uint16 r1, uchar z17) {
  const uint z = z17 & 15u; /* 17 z modulo 256 is z modulo 16 */
  return (uchar16) (qb__pack_nibbles16((r0 + z) & 15u), qb__pack_nibbles16((r1 + z) & 15u));
}
#endif

/* 16 f32 (vector k of group xb) for the int4 groups. */
#define QB_INT4G_VEC(xb, k) QB_LOAD(float16, (xb) + 16 * (k))

/* The smaller (`largest` 0) or larger of lanes 2i and 2i + 1 (no NaN among them). */
float8 qb__pairminmax16f(float16 v, int largest) {
  const ulong8 a = as_ulong8(v);
  const float8 a0 = as_float8(convert_uint8(a & 0xFFFFFFFFul)), a1 = as_float8(convert_uint8(a >> 32));
  return largest ? select(a0, a1, a1 > a0) : select(a0, a1, a1 < a0);
}

/* As qb__hmax16x16 for floats without NaN: lane k is the min or max over the lanes of mk. */
#ifdef __clang__
/* The even and odd lanes by shuffles (QB_EVEN16, quant.cl); the same selection. */
#define QB_PMF(a, b, l) qb__pairminmax2x16f(QB_EVEN16(a, b), QB_ODD16(a, b), l)
float16 qb__pairminmax2x16f(float16 e, float16 o, int largest) {
  return largest ? select(e, o, o > e) : select(e, o, o < e);
}
#else
#define QB_PMF(a, b, l) ((float16) (qb__pairminmax16f(a, l), qb__pairminmax16f(b, l)))
#endif
#ifdef __clang__
/*
 * A transposing tree of 16 vectors on AVX-512 (the CPU NVFP4 quantizer's,
 * kernels/lowbit/f32-nvf4-quant-avx512vbmi-u256.c): QB_T16_J joins a and b into the lanes
 * a keeps (a blend) against the ones it takes from b (level 1: [a 8-15, b 0-7], one
 * vshuff32x4; later levels one vpermt2d), where QB_EVEN16 / QB_ODD16 take two vpermt2d
 * per join. The inputs enter in bit-reversed order (0, 8), (4, 12), (2, 10), (6, 14),
 * (1, 9), (5, 13), (3, 11), (7, 15) so that lane k of the result is vector k's.
 */
/* clang-format off */
#define QB_T16_L1A 0, 1, 2, 3, 4, 5, 6, 7, 24, 25, 26, 27, 28, 29, 30, 31
#define QB_T16_L1B 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23
#define QB_T16_L2A 0, 1, 2, 3, 20, 21, 22, 23, 8, 9, 10, 11, 28, 29, 30, 31
#define QB_T16_L2B 4, 5, 6, 7, 16, 17, 18, 19, 12, 13, 14, 15, 24, 25, 26, 27
#define QB_T16_L3A 0, 1, 18, 19, 4, 5, 22, 23, 8, 9, 26, 27, 12, 13, 30, 31
#define QB_T16_L3B 2, 3, 16, 17, 6, 7, 20, 21, 10, 11, 24, 25, 14, 15, 28, 29
#define QB_T16_L4A 0, 17, 2, 19, 4, 21, 6, 23, 8, 25, 10, 27, 12, 29, 14, 31
#define QB_T16_L4B 1, 16, 3, 18, 5, 20, 7, 22, 9, 24, 11, 26, 13, 28, 15, 30
/* clang-format on */
#define QB_T16_J(OP, a, b, L) OP(__builtin_shufflevector(a, b, L##A), __builtin_shufflevector(a, b, L##B))
#endif
#if defined(__clang__) && defined(__AVX512F__)
/* The int4 groups' minima and maxima by that tree (qu4g32 1.06x, qu4g64 1.04x per core
 * on PoCL 3.1, AVX-512); no NaN among them, so the selects are vminps / vmaxps. */
#define QB_T16_FMIN(a, b) select(a, b, b < a)
#define QB_T16_FMAX(a, b) select(a, b, b > a)
#define QB_T16(T, OP, m)                                                                          \
  const T t10 = QB_T16_J(OP, m##0, m##8, QB_T16_L1), t11 = QB_T16_J(OP, m##4, m##12, QB_T16_L1);  \
  const T t12 = QB_T16_J(OP, m##2, m##10, QB_T16_L1), t13 = QB_T16_J(OP, m##6, m##14, QB_T16_L1); \
  const T t14 = QB_T16_J(OP, m##1, m##9, QB_T16_L1), t15 = QB_T16_J(OP, m##5, m##13, QB_T16_L1);  \
  const T t16 = QB_T16_J(OP, m##3, m##11, QB_T16_L1), t17 = QB_T16_J(OP, m##7, m##15, QB_T16_L1); \
  const T t20 = QB_T16_J(OP, t10, t11, QB_T16_L2), t21 = QB_T16_J(OP, t12, t13, QB_T16_L2);       \
  const T t22 = QB_T16_J(OP, t14, t15, QB_T16_L2), t23 = QB_T16_J(OP, t16, t17, QB_T16_L2);       \
  const T t30 = QB_T16_J(OP, t20, t21, QB_T16_L3), t31 = QB_T16_J(OP, t22, t23, QB_T16_L3);       \
  return QB_T16_J(OP, t30, t31, QB_T16_L4)
QB_ALWAYS_INLINE float16 qb__hmin16x16f(float16 m0, float16 m1, float16 m2, float16 m3, float16 m4,
                                        float16 m5, float16 m6, float16 m7, float16 m8, float16 m9,
                                        float16 m10, float16 m11, float16 m12, float16 m13, float16 m14,
                                        float16 m15) {
  QB_T16(float16, QB_T16_FMIN, m);
}
QB_ALWAYS_INLINE float16 qb__hmax16x16f(float16 m0, float16 m1, float16 m2, float16 m3, float16 m4,
                                        float16 m5, float16 m6, float16 m7, float16 m8, float16 m9,
                                        float16 m10, float16 m11, float16 m12, float16 m13, float16 m14,
                                        float16 m15) {
  QB_T16(float16, QB_T16_FMAX, m);
}
#define QB_HMINMAX16X16F(m, l)                                                                           \
  ((l) ? qb__hmax16x16f(m##0, m##1, m##2, m##3, m##4, m##5, m##6, m##7, m##8, m##9, m##10, m##11, m##12, \
                        m##13, m##14, m##15)                                                             \
       : qb__hmin16x16f(m##0, m##1, m##2, m##3, m##4, m##5, m##6, m##7, m##8, m##9, m##10, m##11, m##12, \
                        m##13, m##14, m##15))
#elif defined(__clang__) && defined(__AVX2__) && !defined(__AVX512F__)
/* The eight-lane tree of qb__hmax16x16 (quant.cl), with the float min or max. */
#define QB_TREE8_FMIN(a, b) select(a, b, b < a)
#define QB_TREE8_FMAX(a, b) select(a, b, b > a)
QB_ALWAYS_INLINE float16 qb__hmin16x16f(float16 m0, float16 m1, float16 m2, float16 m3, float16 m4,
                                        float16 m5, float16 m6, float16 m7, float16 m8, float16 m9,
                                        float16 m10, float16 m11, float16 m12, float16 m13, float16 m14,
                                        float16 m15) {
  QB_TREE8(float8, float16, QB_TREE8_FMIN, m);
}
QB_ALWAYS_INLINE float16 qb__hmax16x16f(float16 m0, float16 m1, float16 m2, float16 m3, float16 m4,
                                        float16 m5, float16 m6, float16 m7, float16 m8, float16 m9,
                                        float16 m10, float16 m11, float16 m12, float16 m13, float16 m14,
                                        float16 m15) {
  QB_TREE8(float8, float16, QB_TREE8_FMAX, m);
}
#define QB_HMINMAX16X16F(m, l)                                                                           \
  ((l) ? qb__hmax16x16f(m##0, m##1, m##2, m##3, m##4, m##5, m##6, m##7, m##8, m##9, m##10, m##11, m##12, \
                        m##13, m##14, m##15)                                                             \
       : qb__hmin16x16f(m##0, m##1, m##2, m##3, m##4, m##5, m##6, m##7, m##8, m##9, m##10, m##11, m##12, \
                        m##13, m##14, m##15))
#else
float16 qb__hminmax16x16f(float16 m0, float16 m1, float16 m2, float16 m3, float16 m4, float16 m5, float16 m6,
                          float16 m7, float16 m8, float16 m9, float16 m10, float16 m11, float16 m12,
                          float16 m13, float16 m14, float16 m15, int l) {
  const float16 a = QB_PMF(QB_PMF(QB_PMF(m0, m1, l), QB_PMF(m2, m3, l), l),
                           QB_PMF(QB_PMF(m4, m5, l), QB_PMF(m6, m7, l), l), l);
  const float16 b = QB_PMF(QB_PMF(QB_PMF(m8, m9, l), QB_PMF(m10, m11, l), l),
                           QB_PMF(QB_PMF(m12, m13, l), QB_PMF(m14, m15, l), l), l);
  return QB_PMF(a, b, l);
}
#define QB_HMINMAX16X16F(m, l)                                                                              \
  qb__hminmax16x16f(m##0, m##1, m##2, m##3, m##4, m##5, m##6, m##7, m##8, m##9, m##10, m##11, m##12, m##13, \
                    m##14, m##15, l)
#endif

/*
 * NaN lanes of c as +0, the others as they are. On AVX-512 one vfixupimmps, where the
 * compare and masked move of select() took two operations: its table holds one 4-bit
 * answer per class of the input lane, 8 (+0) for the QNaN and SNaN classes (nibbles 0
 * and 1) and 1 (the input itself) for zero, one, the infinities and the other
 * negatives and positives (nibbles 2-7). The int4 group quantizers 1.04-1.07x per core
 * on PoCL 3.1; other targets (oclgrind) keep the select.
 */
#if defined(__clang__) && defined(__AVX512F__)
typedef float qb__v16sf __attribute__((__vector_size__(64)));
typedef int qb__v16si __attribute__((__vector_size__(64)));
QB_ALWAYS_INLINE float16 qb__nan_to_zero16(float16 c) {
  const qb__v16sf v = __builtin_astype(c, qb__v16sf);
  const qb__v16si t = __builtin_astype((int16) 0x11111188, qb__v16si);
  return __builtin_astype(__builtin_ia32_fixupimmps512_mask(v, v, t, 0, (ushort) 0xFFFF, 4), float16);
}
#else
QB_ALWAYS_INLINE float16 qb__nan_to_zero16(float16 c) {
  return select(c, (float16) 0.0f, c != c); /* isnan: see qb__round_clamp16 */
}
#endif

/* Codes of vector k of group xb: clamp(rint(x / ds) + z, 0, 15), NaN -> z; zero -> 0.
 * z (an integer in [0, 15]) comes as int and as float (zf). */
uchar8 qb__int4g_codes16(float16 v, float ds, int z, float zf, int zero) {
  float16 c = qb__nan_to_zero16(qb__div16(v, ds)); /* NaN: rint(0) + z = z */
  /* rint is monotonic and -z, 15 - z are integers, so clamping c to [-z, 15 - z] before
   * rounding gives clamp(rint(c), -z, 15 - z): the code less z, with no integer clamp
   * after (compares and selects: one vmaxps / vminps each). Then c + 1.5 * 2^23 rounds c
   * to an integer in its low bits (ties to even, as qb__round_clamp16), and z is added to
   * those bits. */
  c = select(c, (float16) -zf, c < -zf);
  c = select(c, (float16) (15.0f - zf), c > 15.0f - zf);
  const int16 q = as_int16(c + 0x1.8p23f) - (0x4B400000 - z);
  return qb__pack_nibbles16(zero ? (uint16) 0u : as_uint16(q));
}

/* As qb__int4g_quant_group: lo = min(min x, 0), hi = max(max x, 0) (NaN skipped: the
 * comparisons are false for it, lane by lane and then across lanes), both 0 -> -1, 1;
 * s = (hi - lo) / 15 stored as f16 and read back; z = clamp(rint(-lo / s), 0, 15);
 * code = clamp(rint(x / s) + z, 0, 15), NaN -> z; s == 0 -> z = 0 and codes 0. The
 * group is read twice (range, then codes: G <= 128 floats, from cache the second time),
 * 16 lanes at a time, the divisions in vectors. One group (qb__int4g_quant1), or
 * sixteen (qb__int4g_quant16, QB_BLOCKS16) with their ranges, scales and zero points
 * in lanes. */
void qb__int4g_quant1(global const float* xb, global uchar* yb, int G) {
  float16 vlo = 0.0f, vhi = 0.0f;
  for (int k = 0; k < G / 16; k++) {
    const float16 v = QB_INT4G_VEC(xb, k);
    vlo = select(vlo, v, v < vlo);
    vhi = select(vhi, v, v > vhi);
  }
  float lo = qb__hminmax16f(vlo, 0), hi = qb__hminmax16f(vhi, 1);
  const int flat = lo == 0.0f && hi == 0.0f;
  lo = flat ? -1.0f : lo;
  hi = flat ? 1.0f : hi;
  const float sc = qb__store_f16(qb__div(hi - lo, 15.0f), yb);
  const int zero = sc == 0.0f;
  const float ds = zero ? 1.0f : sc;
  float zf = zero ? 0.0f : qb__rint(qb__div(-lo, ds));
  zf = isnan(zf) ? 0.0f : zf;
  zf = zf < 0.0f ? 0.0f : zf > 15.0f ? 15.0f : zf;
  yb[2] = (uchar) convert_uint(zf);
  for (int k = 0; k < G / 16; k++)
    QB_STORE(uchar8, yb + 3 + 8 * k,
             qb__int4g_codes16(QB_INT4G_VEC(xb, k), ds, (int) convert_uint(zf), zf, zero));
}

#define QB_INT4G_RANGE(k, h)                       \
  float16 lo##k = 0.0f, hi##k = 0.0f;              \
  for (int j = 0; j < G / 16; j++) {               \
    const float16 v = QB_INT4G_VEC(xg + G * k, j); \
    lo##k = select(lo##k, v, v < lo##k);           \
    hi##k = select(hi##k, v, v > hi##k);           \
  }
/*
 * qb__int4g_codes16 for qb__int4g_quant16, with the bounds -z, 15 - z given, and no
 * zero-scale select: a group whose scale is 0 has ds = 1 and z = 0, and every element
 * below 2^-21 in magnitude (hi - lo < 15 * 2^-25), so its codes are 0 anyway. The caller
 * passes them from private copies of its lane vectors, which LLVM reads as memory
 * broadcasts (`vdivps m32{1to16}`, ...) where it extracted and broadcast four lanes per
 * group (qu4g32 1.05x, qu4g64 / qu4g128 1.04x per core on PoCL 3.1). Returns the bits of
 * c + 1.5 * 2^23, 0x4B400000 + rint(c); z is added by qb__int4g_pack32.
 */
QB_ALWAYS_INLINE uint16 qb__int4g_codes16p(float16 v, float ds, float nz, float hz) {
  float16 c = qb__nan_to_zero16(qb__div16(v, ds));
  c = select(c, (float16) nz, c < nz);
  c = select(c, (float16) hz, c > hz);
  return as_uint16(c + 0x1.8p23f);
}
#define QB_INT4G_CODES(k, h)                                                                                 \
  {                                                                                                          \
    global uchar* yb = yg + (3 + G / 2) * k;                                                                 \
    QB_STORE(uint, yb, hzw[k]); /* byte 3 is the first codes' (stored below) */                              \
    for (int j = 0; j < G / 16; j += 2) {                                                                    \
      QB_PREFETCH(xg + QB_BLOCKS_AHEAD + G * k + 16 * j);                                                    \
      QB_PREFETCH(xg + QB_BLOCKS_AHEAD + G * k + 16 * j + 16);                                               \
      QB_STORE(uchar16, yb + 3 + 8 * j,                                                                      \
               qb__int4g_pack32(qb__int4g_codes16p(QB_INT4G_VEC(xg + G * k, j), dsm[k], nzm[k], hzm[k]),     \
                                qb__int4g_codes16p(QB_INT4G_VEC(xg + G * k, j + 1), dsm[k], nzm[k], hzm[k]), \
                                z17m[k]));                                                                   \
    }                                                                                                        \
  }
void qb__int4g_quant16(global const float* xg, global uchar* yg, int G) {
  QB_REP16(QB_INT4G_RANGE)
  float16 lo = QB_HMINMAX16X16F(lo, 0), hi = QB_HMINMAX16X16F(hi, 1);
  const int16 flat = (lo == 0.0f) & (hi == 0.0f);
  lo = select(lo, (float16) -1.0f, flat);
  hi = select(hi, (float16) 1.0f, flat);
  const uint16 hs = qb__f32_to_f16_bits16(as_uint16(qb__div16v(hi - lo, (float16) 15.0f)));
  const float16 sc = as_float16(qb__f16_to_f32_bits16(hs));
  const int16 zero = sc == 0.0f;
  const float16 ds = select(sc, (float16) 1.0f, zero);
  float16 zf = select(qb__rint16(qb__div16v(-lo, ds)), (float16) 0.0f, zero);
  zf = select(zf, (float16) 0.0f, isnan(zf));
  zf = clamp(zf, (float16) 0.0f, (float16) 15.0f); /* vector bounds: see qb__hmax16 */
  const uint16 zb = convert_uint16(zf);
  float dsm[16], nzm[16], hzm[16];
  uint hzw[16];
  uchar z17m[16];
  vstore16(ds, 0, dsm);
  vstore16(-zf, 0, nzm);
  vstore16(15.0f - zf, 0, hzm);
  vstore16(hs | zb << 16, 0, hzw);
  vstore16(convert_uchar16(zb * 17u), 0, z17m);
  QB_REP16(QB_INT4G_CODES)
}

#define QB_INT4G_QUANT_KERNEL(name, G)                                                         \
  kernel void name(ulong n, global const float* x, global uchar* y) {                          \
    QB_BLOCKS16(n / (G), b16, qb__int4g_quant16(x + b16 * (G), y + b16 * (3 + (G) / 2), G), b, \
                qb__int4g_quant1(x + b * (G), y + b * (3 + (G) / 2), G));                      \
  }

/* As qb__int4g_quant_group_sym: s = absmax / 7 stored as f16 and read back; code =
 * clamp(rint(x / s), -8, 7) as a two's-complement nibble; s == 0 or NaN -> 0. */
uchar8 qb__qs4g_codes16(float16 v, float ds, int zero) {
  float16 c = qb__nan_to_zero16(qb__div16(v, ds));
  /* Clamped first (integer bounds), then rounded by c + 1.5 * 2^23, whose low 4 bits are
   * the code's two's-complement nibble (as qb__round_clamp16). */
  c = clamp(c, (float16) -8.0f, (float16) 7.0f);
  return qb__pack_nibbles16(zero ? (uint16) 0u : as_uint16(c + 0x1.8p23f) & 15u);
}

void qb__qs4g128_quant1(global const float* xb, global uchar* yb) {
  uint16 am = 0u;
  for (int k = 0; k < 8; k++) am = max(am, qb__abs_bits16_skipnan(QB_INT4G_VEC(xb, k)));
  const float sc = qb__store_f16(qb__div(as_float(qb__hmax16(am)), 7.0f), yb);
  const int zero = sc == 0.0f;
  const float ds = zero ? 1.0f : sc;
  for (int k = 0; k < 8; k++)
    QB_STORE(uchar8, yb + 2 + 8 * k, qb__qs4g_codes16(QB_INT4G_VEC(xb, k), ds, zero));
}

#define QB_QS4G_AMAX(k, h) \
  uint16 m##k = 0u;        \
  for (int j = 0; j < 8; j++) m##k = max(m##k, qb__abs_bits16_skipnan(QB_INT4G_VEC(xg + 128 * k, j)));
#define QB_QS4G_CODES(k, h)                                                             \
  QB_STORE(ushort, yg + 66 * k, (ushort) hs.s##h);                                      \
  for (int j = 0; j < 8; j++) {                                                         \
    QB_PREFETCH(xg + 16 * 128 + 128 * k + 16 * j);                                      \
    QB_STORE(uchar8, yg + 66 * k + 2 + 8 * j,                                           \
             qb__qs4g_codes16(QB_INT4G_VEC(xg + 128 * k, j), ds.s##h, zero.s##h != 0)); \
  }
void qb__qs4g128_quant16(global const float* xg, global uchar* yg) {
  QB_REP16(QB_QS4G_AMAX)
  const uint16 hs = qb__f32_to_f16_bits16(as_uint16(qb__div16v(as_float16(QB_HMAX16X16(m)), (float16) 7.0f)));
  const float16 sc = as_float16(qb__f16_to_f32_bits16(hs));
  const int16 zero = sc == 0.0f;
  const float16 ds = select(sc, (float16) 1.0f, zero);
  QB_REP16(QB_QS4G_CODES)
}

kernel void qb_f32_qs4g128_quant_ocl(ulong n, global const float* x, global uchar* y) {
  QB_BLOCKS16(n / 128, b16, qb__qs4g128_quant16(x + b16 * 128, y + b16 * 66), b,
              qb__qs4g128_quant1(x + b * 128, y + b * 66));
}

/* 8 bytes of nibble pairs -> 16 codes, element 2j from byte j's low nibble: the two
 * nibbles as the halves of a uint, viewed as two ushort lanes. */
int16 qb__unpack_nibbles16(uchar8 q) {
  const uint8 w = convert_uint8(q & (uchar) 15) | convert_uint8(q >> (uchar) 4) << 16;
  return convert_int16(as_ushort16(w));
}

/* value = (code - z) * s, the subtraction exact in int. */
#define QB_INT4G_DEQUANT_KERNEL(name, G)                                       \
  kernel void name(ulong n, global const uchar* x, global float* y) {          \
    QB_SPAN(b, n / (G), {                                                      \
      global const uchar* xb = x + b * (3 + (G) / 2);                          \
      const float s = qb__f16_at(xb);                                          \
      const int z = xb[2];                                                     \
      for (int k = 0; k < (G) / 16; k++) {                                     \
        const int16 c = qb__unpack_nibbles16(QB_LOAD(uchar8, xb + 3 + 8 * k)); \
        QB_STORE(float16, y + b * (G) + 16 * k, convert_float16(c - z) * s);   \
      }                                                                        \
    });                                                                        \
  }

kernel void qb_qs4g128_f32_dequant_ocl(ulong n, global const uchar* x, global float* y) {
  QB_SPAN(b, n / 128, {
    global const uchar* xb = x + b * 66;
    const float s = qb__f16_at(xb);
    for (int k = 0; k < 8; k++) {
      const int16 c = qb__unpack_nibbles16(QB_LOAD(uchar8, xb + 2 + 8 * k));
      QB_STORE(float16, y + b * 128 + 16 * k, convert_float16(((c ^ 8) - 8)) * s);
    }
  });
}

/* A nibble as a signed code (two's complement). */
int qb__s4(uint nib) {
  return (int) (nib ^ 8u) - 8;
}

/* int4 weights . s8 activations: per group an exact int sum of (code - z) * a, then
 * acc += isum * s; only the order of the group sums differs (QB_SEM_REASSOC). */
#define QB_INT4G_DOT_KERNEL(name, G)                                                              \
  kernel void name(ulong n, global const uchar* w, global const char* act, global float* partial, \
                   local float* s) {                                                              \
    float acc = 0.0f;                                                                             \
    QB_STRIDE(k, n / (G)) {                                                                       \
      global const uchar* wb = w + k * (3 + (G) / 2);                                             \
      global const char* a = act + k * (G);                                                       \
      const int z = wb[2];                                                                        \
      int isum = 0;                                                                               \
      for (int j = 0; j < (G) / 2; j++) {                                                         \
        isum += ((int) (wb[3 + j] & 15u) - z) * (int) a[2 * j];                                   \
        isum += ((int) (wb[3 + j] >> 4) - z) * (int) a[2 * j + 1];                                \
      }                                                                                           \
      acc += convert_float(isum) * qb__f16_at(wb);                                                \
    }                                                                                             \
    QB_PARTIAL_F32(acc, partial, s);                                                              \
  }

QB_INT4G_QUANT_KERNEL(qb_f32_qu4g32_quant_ocl, 32)
QB_INT4G_QUANT_KERNEL(qb_f32_qu4g64_quant_ocl, 64)
QB_INT4G_QUANT_KERNEL(qb_f32_qu4g128_quant_ocl, 128)
QB_INT4G_DEQUANT_KERNEL(qb_qu4g32_f32_dequant_ocl, 32)
QB_INT4G_DEQUANT_KERNEL(qb_qu4g64_f32_dequant_ocl, 64)
QB_INT4G_DEQUANT_KERNEL(qb_qu4g128_f32_dequant_ocl, 128)
QB_INT4G_DOT_KERNEL(qb_qu4g32s8_dot_ocl, 32)
QB_INT4G_DOT_KERNEL(qb_qu4g64s8_dot_ocl, 64)
QB_INT4G_DOT_KERNEL(qb_qu4g128s8_dot_ocl, 128)

kernel void qb_qs4g128s8_dot_ocl(ulong n, global const uchar* w, global const char* act,
                                 global float* partial, local float* s) {
  float acc = 0.0f;
  QB_STRIDE(k, n / 128) {
    global const uchar* wb = w + k * 66;
    global const char* a = act + k * 128;
    int isum = 0;
    for (int j = 0; j < 64; j++) {
      isum += qb__s4(wb[2 + j] & 15u) * (int) a[2 * j];
      isum += qb__s4(wb[2 + j] >> 4) * (int) a[2 * j + 1];
    }
    acc += convert_float(isum) * qb__f16_at(wb);
  }
  QB_PARTIAL_F32(acc, partial, s);
}
