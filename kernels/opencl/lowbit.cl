/*
 * The low-bit float formats (kernels/lowbit/README.md): the FP6/FP4/E8M0 element casts,
 * the OCP MX blocks (quantize with the three scale/tie variants, dequantize), NVFP4,
 * FP8 E4M3 with one f32 scale per 128, and the E4M3, MXFP8 . MXFP8 and MXFP4 . MXFP8
 * dots. Bit-exact with kernels/lowbit/lowbit-scalar.h and kernels/common/fp.h: the
 * element roundings are integer arithmetic on the bits (cvt.cl's helpers), or, in the
 * 16-lane forms, one float addition that rounds exactly as they do, ties to even or
 * (on |x| with its last bit set) away (cvt.cl's qb__f8_round16: it needs round to
 * nearest even as the default rounding, as cvt.cl's f32 -> f16 and fp8 casts); the
 * block scales are read from the exponent bits, and the other float operations are the
 * ones the references do, in the same order (FP_CONTRACT is off, copy.cl):
 * multiplications by powers of two, the RCEIL/NVFP4/per-128 divisions (qb__div:
 * correctly rounded, the entries need DIV) and the dots' sums.
 *
 * Block kernels give one work-item QB_VEC blocks (QB_SPAN over blocks, as qb8 in
 * quant.cl), each block in 16-lane vectors (kernels/opencl/README.md). Every path is computed and picked by
 * selects (cvt.cl: branches keep PoCL's loops scalar); a block holding NaN or inf has its elements replaced
 * by 0 before they are encoded, so no lane converts a NaN or an out-of-range float to an integer.
 */

/* ---- Element rounding ---------------------------------------------------------------- */

/* v >> s (1 <= s <= 31) rounded to nearest, ties away from zero (v + 2^(s-1) < 2^32). */
uint qb__shift_rna(uint v, uint s) {
  return (v + (1u << (s - 1))) >> s;
}

/* fp.h's qb__round_to_small_ties (its qb__round_to_small with a choice of ties): `away`
 * rounds exact halves away from zero, else to even. A finite non-negative f32 (bits) in,
 * an unsigned code out, overflow left to the caller. Beyond the smallest subnormal's half
 * the clamped shift of 25 gives 0 as the reference's early return does (full < 2^24 is
 * below half of 2^25, so neither tie rule rounds it up). */
uint qb__round_to_small_ties(uint mag, int mbits, int bias, int away) {
  const int e = (int) (mag >> 23);
  const uint nv = mag - ((uint) (127 - bias) << 23);
  const uint ns = (uint) (23 - mbits);
  const uint full = e == 0 ? mag : (mag & 0x7FFFFFu) | 0x800000u;
  const uint ss = (uint) clamp(151 - bias - mbits - max(e, 1), 1, 25);
  const uint nrm = away ? qb__shift_rna(nv, ns) : qb__shift_rne(nv, ns);
  const uint sub = away ? qb__shift_rna(full, ss) : qb__shift_rne(full, ss);
  return e >= 128 - bias ? nrm : sub;
}

/* f32 -> a finite small float of 1 + ebits + mbits bits (FP6 E2M3/E3M2, FP4 E2M1), as
 * qb__f32_to_fn_small: nearest (ties even or away), overflow and inf saturate (inf's
 * rounding overflows like any large value), NaN gives zero with the NaN's sign. */
uchar qb__f32_to_fn_small(uint w, int ebits, int mbits, int bias, int away) {
  const uint nbits = (uint) (ebits + mbits);
  const uint sign = (w >> 31) << nbits;
  const uint mag = w & 0x7FFFFFFFu;
  const uint maxcode = (1u << nbits) - 1u;
  const uint q = min(qb__round_to_small_ties(mag, mbits, bias, away), maxcode);
  return (uchar) (sign | (mag > 0x7F800000u ? 0u : q));
}

/* A small float code (sign at bit ebits + mbits) -> f32 bits, exact. */
uint qb__fn_small_to_f32(uint c, int ebits, int mbits, int bias) {
  const uint nbits = (uint) (ebits + mbits);
  const uint sign = ((c >> nbits) & 1u) << 31;
  return sign | qb__small_to_f32((c >> mbits) & ((1u << ebits) - 1u), c & ((1u << mbits) - 1u), mbits, bias);
}

/* f32 -> E8M0 as qb_f32_to_e8m0_bits: the nearest power of two, ties up; (0, 2^-127)
 * gives code 0; zero, negatives, inf, NaN and overflow give 0xFF. */
uchar qb__f32_to_e8m0_bits(uint w) {
  const uint e = w >> 23;
  const uint sub = (w & 0x7FFFFFu) >= 0x600000u ? 1u : 0u;
  const uint c = min(e + ((w >> 22) & 1u), 0xFFu);
  return (uchar) ((w == 0u || w >= 0x7F800000u) ? 0xFFu : e == 0u ? sub : c);
}

/* E8M0 -> f32 bits: 2^(c - 127) (code 0 is the subnormal 2^-127), 0xFF -> NaN. */
uint qb__e8m0_to_f32_bits(uint c) {
  return c == 0xFFu ? 0x7FC00000u : c == 0u ? 0x00400000u : c << 23;
}

/* The two E8M0 casts above on 16 lanes (QB_SPAN16). */
uint16 qb__f32_to_e8m0_bits16(uint16 w) {
  const uint16 e = w >> 23;
  const uint16 sub = select((uint16) 0u, (uint16) 1u, (w & 0x7FFFFFu) >= 0x600000u);
  const uint16 c = min(e + ((w >> 22) & 1u), (uint16) 0xFFu);
  return select(select(c, sub, e == 0u), (uint16) 0xFFu, (w == 0u) | (w >= 0x7F800000u));
}

uint16 qb__e8m0_to_f32_bits16(uint16 c) {
  return select(select(c << 23, (uint16) 0x00400000u, c == 0u), (uint16) 0x7FC00000u, c == 0xFFu);
}

/* ---- MX blocks --------------------------------------------------------------------- */

/* Element kinds, as qb__mx_kind (lowbit-scalar.h); always compile-time constants, so
 * the switches below fold away. */
#define QB_MX_E4M3 0
#define QB_MX_E5M2 1
#define QB_MX_E2M3 2
#define QB_MX_E3M2 3
#define QB_MX_E2M1 4
#define QB_MX_INT8 5
#define QB_MX_FLOOR 0
#define QB_MX_RCEIL 1
#define QB_MX_LEN 32

int qb__mx_emax(int k) {
  return k == QB_MX_E4M3 ? 8 : k == QB_MX_E5M2 ? 15 : k == QB_MX_E3M2 ? 4 : k == QB_MX_INT8 ? 0 : 2;
}

float qb__mx_maxval(int k) {
  return k == QB_MX_E4M3   ? 448.0f
         : k == QB_MX_E5M2 ? 57344.0f
         : k == QB_MX_E2M3 ? 7.5f
         : k == QB_MX_E3M2 ? 28.0f
         : k == QB_MX_E2M1 ? 6.0f
                           : 127.0f / 64.0f;
}

/* floor(log2(x)) of a positive finite f32 (bits), subnormals included: a subnormal
 * m * 2^-149 is normalized by an exact convert_float(m) (m < 2^23), as in cvt.cl. */
int qb__ilog2_floor(uint a) {
  const int nrm = (int) (a >> 23) - 127;
  const int sub = (int) (as_uint(convert_float(a & 0x7FFFFFu)) >> 23) - 127 - 149;
  return (a >> 23) ? nrm : sub;
}

/* ceil(log2(x)): floor, plus one unless x is a power of two: a normal with no mantissa
 * bits, or a subnormal whose exact conversion to float has none (not m & (m - 1), which
 * LLVM turns into a popcount that oclgrind 21.10 cannot run). */
int qb__ilog2_ceil(uint a) {
  const uint m = a & 0x7FFFFFu;
  const int pow2 = (a >> 23) ? m == 0u : (as_uint(convert_float(m)) & 0x7FFFFFu) == 0u;
  return qb__ilog2_floor(a) + (pow2 ? 0 : 1);
}

/* The shared exponent of a block with finite amax (bits), as qb__mx_shared_exp: FLOOR
 * from the exponent bits, RCEIL from one correctly rounded f32 division; 0 gives -127. */
int qb__mx_shared_exp(uint amax, int k, int mode) {
  const float q = mode == QB_MX_RCEIL ? qb__div(as_float(amax), qb__mx_maxval(k)) : 1.0f;
  const int fl = qb__ilog2_floor(max(amax, 1u)) - qb__mx_emax(k);
  const int ce = qb__ilog2_ceil(max(as_uint(q), 1u));
  const int s = clamp(mode == QB_MX_RCEIL ? ce : fl, -127, 127);
  return (amax == 0u || (mode == QB_MX_RCEIL && q == 0.0f)) ? -127 : s;
}

/* 2^k as f32 for k in [-127, 127] (2^-127 is a subnormal). */
float qb__pow2f(int k) {
  return as_float(k >= -126 ? (uint) (k + 127) << 23 : 0x00400000u);
}

/* One element v = x * 2^-s (finite) -> its code, as qb__mx_encode. */
uchar qb__mx_encode(float v, int k, int away) {
  const uint w = as_uint(v);
  const uint mag = w & 0x7FFFFFFFu;
  const uint sign8 = (w >> 24) & 0x80u;
  if (k == QB_MX_E4M3) return (uchar) (sign8 | min(qb__round_to_small_ties(mag, 3, 7, away), 0x7Eu));
  if (k == QB_MX_E5M2) return (uchar) (sign8 | min(qb__round_to_small_ties(mag, 2, 15, away), 0x7Bu));
  if (k == QB_MX_E2M3) return qb__f32_to_fn_small(w, 2, 3, 1, away);
  if (k == QB_MX_E3M2) return qb__f32_to_fn_small(w, 3, 2, 3, away);
  if (k == QB_MX_E2M1) return qb__f32_to_fn_small(w, 2, 1, 1, away);
  /* INT8: |v| < 2, so r = |v| * 64 < 128 exactly; round to an integer, clamp to 127. */
  const float r = as_float(mag) * 64.0f;
  const uint t = convert_uint(r);
  const float frac = r - convert_float(t);
  const uint up = frac > 0.5f || (frac == 0.5f && (away || (t & 1u)));
  const uint q = min(t + up, 127u);
  return (uchar) ((w >> 31) ? 0u - q : q);
}

/* An element code -> its value before the scale, as qb__mx_decode. */
float qb__mx_decode(uint c, int k) {
  if (k == QB_MX_E4M3) return as_float(qb__f8e4m3_to_f32_bits((uchar) c));
  if (k == QB_MX_E5M2) return as_float(qb__f8e5m2_to_f32_bits((uchar) c));
  if (k == QB_MX_E2M3) return as_float(qb__fn_small_to_f32(c, 2, 3, 1));
  if (k == QB_MX_E3M2) return as_float(qb__fn_small_to_f32(c, 3, 2, 3));
  if (k == QB_MX_E2M1) return as_float(qb__fn_small_to_f32(c, 2, 1, 1));
  return convert_float((char) c) * (1.0f / 64.0f);
}

/* a * b where a NaN a is kept as is: x86 multiplies return the first NaN operand, so
 * when both are NaN (a NaN element code and a NaN scale) the reference's product is a's
 * NaN; a compiler free to commute the product could give b's. */
float qb__mul_nan_first(float a, float b) {
  return isnan(a) ? a : a * b;
}

/*
 * 16-lane forms of the element conversions above, for the block kernels (one block of
 * 16, 32 or 128 elements is one to eight of them). Each is its scalar namesake lane by
 * lane, selects for its ternaries; min, max and clamp always get vector operands
 * (oclgrind 21.10 computes their vector-with-scalar forms wrongly): loops over a block's elements through the
 * scalar forms stayed scalar on PoCL 3.1 (MX quantize 0.25-0.48 of the device copy roof, FP6 dequantize
 * 0.09).
 */
/* fp.h's qb__round_to_small_ties on 16 lanes (the scalar qb__round_to_small_ties above). */
uint16 qb__round_to_small_ties16(uint16 mag, int ebits, int mbits, int bias, int away) {
  return qb__f8_round16(mag, mbits, (uint) (128 - bias), (uint) (128 - bias + (1 << ebits)) << 23, away);
}

/*
 * qb__f32_to_fn_small on 16 lanes: |x| is clamped at the format's largest value before
 * the rounding (whose rounding is exact; with the ties-away bit set it is not a tie), so
 * inf and every larger value give the largest code without a clamp of the code after
 * it; a NaN, clamped too, has its code replaced by 0 (the NaN's sign kept).
 */
uint16 qb__f32_to_fn_small16(uint16 w, int ebits, int mbits, int bias, int away) {
  const uint nbits = (uint) (ebits + mbits);
  const uint16 sign = (w >> 31) << nbits;
  const uint16 mag = w & 0x7FFFFFFFu;
  const uint maxbits = (uint) (126 - bias + (1 << ebits)) << 23 | (0x7FFFFFu & ~(0x7FFFFFu >> (uint) mbits));
  const uint16 q = qb__f8_round16(mag, mbits, (uint) (128 - bias), maxbits, away);
  return sign | select(q, (uint16) 0u, mag > 0x7F800000u);
}

uint16 qb__fn_small_to_f32_16(uint16 c, int ebits, int mbits, int bias) {
  const uint nbits = (uint) (ebits + mbits);
  const uint16 sign = ((c >> nbits) & 1u) << 31;
  return sign | qb__small_mag_to_f32_16(c & ((1u << nbits) - 1u), mbits, bias);
}

/* As qb__mx_encode: 16 elements v = x * 2^-s (finite) -> their 8-bit codes. Always
 * inlined: PoCL 3.1 left it a call per 16 elements (its six kinds are too large before
 * the constant kind folds them), which cost the MX quantizers 1.11-1.29x. */
QB_ALWAYS_INLINE uint16 qb__mx_encode16(float16 v, int k, int away) {
  const uint16 w = as_uint16(v);
  const uint16 mag = w & 0x7FFFFFFFu;
  const uint16 sign8 = (w >> 24) & 0x80u;
  if (k == QB_MX_E4M3) return sign8 | min(qb__round_to_small_ties16(mag, 4, 3, 7, away), (uint16) 0x7Eu);
  if (k == QB_MX_E5M2) return sign8 | min(qb__round_to_small_ties16(mag, 5, 2, 15, away), (uint16) 0x7Bu);
  if (k == QB_MX_E2M3) return qb__f32_to_fn_small16(w, 2, 3, 1, away);
  if (k == QB_MX_E3M2) return qb__f32_to_fn_small16(w, 3, 2, 3, away);
  if (k == QB_MX_E2M1) return qb__f32_to_fn_small16(w, 2, 1, 1, away);
  /* |v| < 2, so r = |v| * 64 < 128: one float addition rounds it to an integer, as
   * qb__round_clamp16 (the integer steps with a float -> uint conversion and back took
   * 6 operations each on AVX2, which has neither). */
  const float16 r = as_float16(mag) * 64.0f;
  const int16 t = away ? convert_int16(r + 0x1.fffffep-2f) : as_int16(r + 0x1.8p23f) - 0x4B400000;
  const uint16 q = min(as_uint16(t), (uint16) 127u);
  return select(q, 0u - q, w >> 31 != 0u) & 0xFFu;
}

/*
 * qb__mx_encode16 for the float kinds with the block's scale folded into the rounding
 * (as the CPU MX quantizers, kernels/lowbit/README.md): the codes of x = v * 2^s without
 * the product. v's quantum 2^(max(E_v, emin) - mbits) is x's 2^(max(E_x, F) - mbits) with
 * the floor binade F = emin + s (emin = 128 - bias), so a + magic rounds |x| itself; the
 * magic 2^(max(E_x, F) + 23 - mbits) carries (max(E_x, F) - F) << mbits in its mantissa
 * (even: ties still go to the even code), so the sum's mantissa bits are the code. The
 * reference's v is x * 2^-s exactly wherever the rounding can tell (v below 2^-126 is an
 * f32 subnormal only far under half the format's smallest step). Needs F >= 1 (a normal
 * floor binade) and a finite magic (qb__mx_quant16 says which blocks; the others take
 * qb__mx_encode16); x finite, |x| below 2^(emax + 1 + s) (FLOOR; RCEIL: at most the
 * largest value), so no clamp before the rounding, one after it. The kernels' outputs
 * are byte-identical with the unfolded ones (test_opencl; and 2^20 elements per format
 * and input kind on PoCL: normal, arbitrary bits, block magnitudes 2^-150 to 2^129).
 */
/* The encode given the block's floor binade fl = 128 - bias + s and the magic's per-block
 * constant cst = ((23 - mbits) << 23) - (fl << mbits) (qb__mx_encode16_folded). */
QB_ALWAYS_INLINE uint16 qb__mx_encode16_folded_fc(uint16 w, uint fl, uint cst, int k, int away) {
  const int mbits = k == QB_MX_E4M3 || k == QB_MX_E2M3 ? 3 : k == QB_MX_E2M1 ? 1 : 2;
  const uint maxcode = k == QB_MX_E4M3 ? 0x7Eu : k == QB_MX_E5M2 ? 0x7Bu : k == QB_MX_E2M1 ? 7u : 31u;
  const uint16 a = (w & 0x7FFFFFFFu) | (uint) (away != 0); /* ties away: see qb__f8_round16 */
  const uint16 e = max(a >> 23, (uint16) fl);
  /* ((e + 23 - mbits) << 23) + ((e - fl) << mbits) as one multiplication and one
   * addition of a per-block constant (LLVM otherwise made it four shifts and additions
   * where fl is not a constant: MX quantize 1.02-1.05x per core on PoCL 3.1, AVX2) */
  const uint16 magic = e * ((1u << 23) + (1u << (uint) mbits)) + cst;
  const uint16 q = min(as_uint16(as_float16(a) + as_float16(magic)) & 0x7FFFFFu, (uint16) maxcode);
  const uint sbit = k == QB_MX_E4M3 || k == QB_MX_E5M2 ? 7u : k == QB_MX_E2M1 ? 3u : 5u;
  return ((w >> 31) << sbit) | q;
}
QB_ALWAYS_INLINE uint16 qb__mx_encode16_folded(uint16 w, int s, int k, int away) {
  const int mbits = k == QB_MX_E4M3 || k == QB_MX_E2M3 ? 3 : k == QB_MX_E2M1 ? 1 : 2;
  const int bias = k == QB_MX_E4M3 ? 7 : k == QB_MX_E5M2 ? 15 : k == QB_MX_E3M2 ? 3 : 1;
  const uint fl = (uint) (128 - bias + s);
  return qb__mx_encode16_folded_fc(w, fl, ((uint) (23 - mbits) << 23) - (fl << (uint) mbits), k, away);
}

#if defined(__clang__) && defined(__AVX512F__) && defined(__AVX512DQ__) && defined(__AVX512BW__) && \
    defined(__AVX512VL__)
/*
 * The FP6 kinds' folded encode on AVX-512 (PoCL) by the CPU MX quantizers' FMA form
 * (kernels/lowbit/mxq-avx512.h, kernels/lowbit/README.md), the codes as bytes: with F the
 * block's floor binade (f2 = 2^F) and E' = max(E_x, F) (E_x x's binade):
 * 1. e = x & 0xFF800000 (+-2^E_x, x's sign; +-0 for zeros and subnormals), e' = vrangeps
 *    (e, f2, imm 3: the larger magnitude, e's sign) = +-2^E';
 * 2. s = fma(e', c, x), c = 2^(23 - mbits) (1 + d 2^-23): e' c is +-(2^(E' + 23 - mbits)
 *    + d 2^(E' - mbits)) exactly, whose quantum 2^(E' - mbits) is the format's at E'
 *    (its subnormals' at E' = F), and |x| < 2^(E' + 1) keeps |s| in that binade: the one
 *    rounding (nearest even, d even) leaves s's mantissa d + k, k the count of quanta
 *    of |x| rounded, with x's sign;
 * 3. vpmaddwd of s with the words (256, 2^(mbits + 1)): byte 1 of each dword is d + k +
 *    (s's exponent field << mbits) modulo 256 (the sign, at the top of the high word,
 *    only moves bits from 16 + mbits up), which is k + ((E' - F) << mbits), the magnitude
 *    code, as d = -((23 - mbits + fl) << mbits) modulo 256 (fl = F + 127); that byte is
 *    narrowed, clamped at 31 (FLOOR can round up to 2^(emax + 1 + s): code 32), and the
 *    sign (bit 31 of x, one vpmovd2m) put on bit 5 by a masked byte addition.
 * Ties away: x with its last bit set, as qb__f8_round16. 8 vector operations per 16
 * codes (four of them on 128 bits) where qb__mx_encode16_folded_fc takes 11 and the
 * narrowing. The blocks are those qb__mx_encode16_folded takes (a normal f2, a finite s).
 */
typedef short qb__v32hi __attribute__((__vector_size__(64)));
QB_ALWAYS_INLINE uchar16 qb__mx_encode16_fma6(uint16 w, float f2, float c, int mbits, int away) {
  const uint16 wa = away ? w | 1u : w;
  const qb__v16sf e = __builtin_astype(as_float16(wa & 0xFF800000u), qb__v16sf);
  const qb__v16sf e2 = __builtin_ia32_rangeps512_mask(e, __builtin_astype((float16) f2, qb__v16sf), 0x03, e,
                                                      (ushort) 0xFFFF, 4);
  const float16 sv = fma(__builtin_astype(e2, float16), (float16) c, as_float16(wa));
  const qb__v32hi mw = __builtin_astype((uint16) ((2u << (uint) mbits) << 16 | 256u), qb__v32hi);
  const uint16 p = __builtin_astype(__builtin_ia32_pmaddwd512(__builtin_astype(sv, qb__v32hi), mw), uint16);
  const qb__v16qi b = __builtin_astype(min(convert_uchar16(p >> 8), (uchar16) 31), qb__v16qi);
  const ushort neg = __builtin_ia32_cvtd2mask512(__builtin_astype(w, qb__v16si));
  return __builtin_astype(__builtin_ia32_selectb_128(neg, b + __builtin_astype((uchar16) 32, qb__v16qi), b),
                          uchar16);
}
#define QB_MX_FMA6 1
#else
#define QB_MX_FMA6 0
#endif

/* As qb__mx_decode: 16 element codes -> their values before the scale. */
float16 qb__mx_decode16(uint16 c, int k) {
  if (k == QB_MX_E4M3) return as_float16(qb__f8e4m3_to_f32_bits16(c));
  if (k == QB_MX_E5M2) return as_float16(qb__f8e5m2_to_f32_bits16(c));
  if (k == QB_MX_E2M3) return as_float16(qb__fn_small_to_f32_16(c, 2, 3, 1));
  if (k == QB_MX_E3M2) return as_float16(qb__fn_small_to_f32_16(c, 3, 2, 3));
  if (k == QB_MX_E2M1) return as_float16(qb__fn_small_to_f32_16(c, 2, 1, 1));
  return convert_float16(as_int16(c << 24) >> 24) * (1.0f / 64.0f);
}

float16 qb__mul_nan_first16(float16 a, float b) {
  return select(a * b, a, a != a); /* isnan: see qb__round_clamp16 */
}

/* 16 codes of 6 bits as four 24-bit groups (four codes each, little-endian): pairs of
 * lanes joined into 12 bits, then pairs of those (bitcasts, as qb__hmax16); stored as 12
 * bytes in three uints (qb__store_6bit16). */
#if defined(__clang__) && defined(__SSSE3__)
/*
 * On x86 (PoCL) the codes, narrowed to bytes, are joined by two multiply-adds of
 * adjacent lanes: pmaddubsw with (1, 64) gives each pair's 12 bits in a 16-bit lane,
 * pmaddwd with (1, 4096) each group's 24 bits in a 32-bit lane (no overflow: codes are
 * below 64). The qword shifts, masks and narrowings of the portable form took about
 * twice the operations (MXFP6 quantize 1.20-1.22x, f32 -> FP6 1.28x per core on PoCL 3.1,
 * AVX2). clang's x86 builtins (qb__v16qi: qblock.cl); oclgrind and other targets keep
 * the portable form.
 */
typedef short qb__v8hi __attribute__((__vector_size__(16)));
uint4 qb__groups_6bit16b(uchar16 c) {
  const qb__v16qi b = __builtin_astype(c, qb__v16qi);
  const qb__v16qi m1 = {1, 64, 1, 64, 1, 64, 1, 64, 1, 64, 1, 64, 1, 64, 1, 64};
  const qb__v8hi m2 = {1, 4096, 1, 4096, 1, 4096, 1, 4096};
  return __builtin_astype(__builtin_ia32_pmaddwd128(__builtin_ia32_pmaddubsw128(b, m1), m2), uint4);
}
uint4 qb__groups_6bit16(uint16 c) {
  return qb__groups_6bit16b(convert_uchar16(c));
}
#else
uint4 qb__groups_6bit16(uint16 c) {
  const ulong8 a = as_ulong8(c);
  const ulong4 b = as_ulong4(convert_uint8((a | a >> 26) & 0xFFFul));
  return convert_uint4((b | b >> 20) & 0xFFFFFFul);
}
#endif

void qb__store_6bit16(uint16 c, global uchar* p) {
  const uint4 g = qb__groups_6bit16(c);
  QB_STORE(uint, p, g.s0 | g.s1 << 24);
  QB_STORE(uint, p + 4, g.s1 >> 8 | g.s2 << 16);
  QB_STORE(uint, p + 8, g.s2 >> 16 | g.s3 << 8);
}

/*
 * 32 codes of 6 bits (c0 then c1) as 24 bytes. Under clang (PoCL, oclgrind) the eight
 * 24-bit groups of qb__groups_6bit16 (4 bytes each) are closed up to 24 bytes by two
 * constant byte shuffles (`__builtin_shufflevector`:
 * one `vpermt2b` each on AVX-512 VBMI) and stored as 16 + 8 bytes, where the per-lane
 * shifts of qb__store_6bit16 took about four times the operations (MXFP6 quantize
 * 1.08-1.11x per core on PoCL 3.1). Not one join over both halves: oclgrind 21.10
 * reports the concatenated vector as uninitialized. Other compilers store each half as
 * qb__store_6bit16 does.
 */
void qb__store_6bit32(uint16 c0, uint16 c1, global uchar* p) {
#ifdef __clang__
  const uchar16 g0 = as_uchar16(qb__groups_6bit16(c0)), g1 = as_uchar16(qb__groups_6bit16(c1));
  /* clang-format off */
  QB_STORE(uchar16, p, __builtin_shufflevector(g0, g1, 0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 16, 17, 18, 20));
  QB_STORE(uchar8, p + 16, __builtin_shufflevector(g0, g1, 21, 22, 24, 25, 26, 28, 29, 30));
  /* clang-format on */
#else
  qb__store_6bit16(c0, p);
  qb__store_6bit16(c1, p + 12);
#endif
}
#if defined(__clang__) && defined(__SSSE3__)
/* qb__store_6bit32 of codes already narrowed to bytes (x86). */
void qb__store_6bit32b(uchar16 c0, uchar16 c1, global uchar* p) {
  const uchar16 g0 = as_uchar16(qb__groups_6bit16b(c0)), g1 = as_uchar16(qb__groups_6bit16b(c1));
  /* clang-format off */
  QB_STORE(uchar16, p, __builtin_shufflevector(g0, g1, 0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 16, 17, 18, 20));
  QB_STORE(uchar8, p + 16, __builtin_shufflevector(g0, g1, 21, 22, 24, 25, 26, 28, 29, 30));
  /* clang-format on */
}
#endif

/* The inverse: 12 bytes -> 16 codes, each 24-bit group from its three bytes (a shift
 * pair across two uints becomes a funnel shift, which oclgrind 21.10 cannot run; a
 * 16-byte load would read past the block). */
uint16 qb__load_6bit16(global const uchar* p) {
  uint g[4];
  for (int j = 0; j < 4; j++) g[j] = (uint) p[3 * j] | (uint) p[3 * j + 1] << 8 | (uint) p[3 * j + 2] << 16;
  const uint16 w = (uint16) (g[0], g[0], g[0], g[0], g[1], g[1], g[1], g[1], g[2], g[2], g[2], g[2], g[3],
                             g[3], g[3], g[3]);
  return (w >> (uint16) (0u, 6u, 12u, 18u, 0u, 6u, 12u, 18u, 0u, 6u, 12u, 18u, 0u, 6u, 12u, 18u)) & 0x3Fu;
}

/* 16-lane forms of qb__ilog2_floor, qb__ilog2_ceil, qb__mx_shared_exp and qb__pow2f
 * (one lane per block of a QB_BLOCKS16 group). */
int16 qb__ilog2_floor16(uint16 a) {
  const int16 nrm = as_int16(a >> 23) - 127;
  const int16 sub = as_int16(as_uint16(convert_float16(as_int16(a & 0x7FFFFFu))) >> 23) - 127 - 149;
  return select(sub, nrm, as_int16(a >> 23) != 0);
}

int16 qb__ilog2_ceil16(uint16 a) {
  const uint16 m = a & 0x7FFFFFu;
  const int16 pow2 =
      select((as_uint16(convert_float16(as_int16(m))) & 0x7FFFFFu) == 0u, m == 0u, as_int16(a >> 23) != 0);
  return qb__ilog2_floor16(a) + select((int16) 1, (int16) 0, pow2);
}

int16 qb__mx_shared_exp16(uint16 amax, int k, int mode) {
  const float16 q =
      mode == QB_MX_RCEIL ? qb__div16v(as_float16(amax), (float16) qb__mx_maxval(k)) : (float16) 1.0f;
  const int16 fl = qb__ilog2_floor16(max(amax, (uint16) 1u)) - qb__mx_emax(k);
  const int16 ce = qb__ilog2_ceil16(max(as_uint16(q), (uint16) 1u));
  const int16 s = clamp(mode == QB_MX_RCEIL ? ce : fl, (int16) -127, (int16) 127);
  const int16 zero = mode == QB_MX_RCEIL ? (amax == 0u) | (q == 0.0f) : amax == 0u;
  return select(s, (int16) -127, zero);
}

float16 qb__pow2f16(int16 k) {
  return as_float16(select((uint16) 0x00400000u, as_uint16(k + 127) << 23, k >= -126));
}

/*
 * Block b of an MX quantization: the E8M0 byte, then the codes packed by bits per
 * element (8: one per byte; 6: four in three bytes; 4: two per byte, low nibble first).
 * A block holding NaN or inf gets 0xFF and codes 0; its elements are zeroed before
 * encoding so no lane computes on them. 32 elements as two 16-lane vectors. One block
 * (qb__mx_quant1) or sixteen with their shared exponents in lanes (qb__mx_quant16,
 * QB_BLOCKS16 in quant.cl); kind, mode, away and bits are constants.
 */
void qb__mx_store_codes(uint16 c0, uint16 c1, global uchar* yb, int bits) {
  if (bits == 8) {
    QB_STORE(uchar16, yb + 1, convert_uchar16(c0));
    QB_STORE(uchar16, yb + 17, convert_uchar16(c1));
  } else if (bits == 6) {
    qb__store_6bit32(c0, c1, yb + 1);
  } else {
    QB_STORE(uchar8, yb + 1, qb__pack_nibbles16(c0));
    QB_STORE(uchar8, yb + 9, qb__pack_nibbles16(c1));
  }
}

void qb__mx_quant1(global const uint* xb, global uchar* yb, int kind, int mode, int away, int bits) {
  const uint16 w0 = QB_LOAD(uint16, xb), w1 = QB_LOAD(uint16, xb + 16);
  const uint amax = qb__hmax16(max(w0 & 0x7FFFFFFFu, w1 & 0x7FFFFFFFu));
  const int bad = amax >= 0x7F800000u;
  const int s = qb__mx_shared_exp(bad ? 0u : amax, kind, mode);
  const float inv = qb__pow2f(-s);
  yb[0] = bad ? (uchar) 0xFF : (uchar) (s + 127);
  const uint16 z = 0u;
  const uint16 c0 = bad ? z : qb__mx_encode16(as_float16(bad ? z : w0) * inv, kind, away);
  const uint16 c1 = bad ? z : qb__mx_encode16(as_float16(bad ? z : w1) * inv, kind, away);
  qb__mx_store_codes(c0, c1, yb, bits);
}

#define QB_MX_AMAX(k, h) \
  const uint16 m##k =    \
      max(QB_LOAD(uint16, xg + 32 * k) & 0x7FFFFFFFu, QB_LOAD(uint16, xg + 32 * k + 16) & 0x7FFFFFFFu);
#define QB_MX_CODES(k, h)                                                                   \
  {                                                                                         \
    global uchar* yb = yg + (1 + QB_MX_LEN * bits / 8) * k;                                 \
    QB_PREFETCH(xg + QB_BLOCKS_AHEAD + 32 * k);                                             \
    QB_PREFETCH(xg + QB_BLOCKS_AHEAD + 32 * k + 16);                                        \
    yb[0] = (uchar) e8.s##h;                                                                \
    const int bad = bad16.s##h != 0;                                                        \
    const uint16 w0 = QB_LOAD(uint16, xg + 32 * k), w1 = QB_LOAD(uint16, xg + 32 * k + 16); \
    uint16 c0, c1;                                                                          \
    if (kind != QB_MX_INT8 && fold.s##h) {                                                  \
      c0 = qb__mx_encode16_folded(w0, s.s##h, kind, away);                                  \
      c1 = qb__mx_encode16_folded(w1, s.s##h, kind, away);                                  \
    } else {                                                                                \
      c0 = bad ? z : qb__mx_encode16(as_float16(bad ? z : w0) * inv.s##h, kind, away);      \
      c1 = bad ? z : qb__mx_encode16(as_float16(bad ? z : w1) * inv.s##h, kind, away);      \
    }                                                                                       \
    qb__mx_store_codes(c0, c1, yb, bits);                                                   \
  }
/*
 * Whether every (QB_ALL16) or any (QB_ANY16) lane of a comparison's result (-1 or 0 per
 * lane) is set. PoCL 3.1 compiles all() and any() into eight pairwise ORs with a branch
 * each; clang's reduction builtins give one vector reduction (MX quantize 1.01-1.02x per
 * core). Compilers without them keep all() and any().
 */
#ifdef __has_builtin
#if __has_builtin(__builtin_reduce_and) && __has_builtin(__builtin_reduce_or)
#define QB_ALL16(v) (__builtin_reduce_and(v) != 0)
#define QB_ANY16(v) (__builtin_reduce_or(v) != 0)
#endif
#endif
#ifndef QB_ALL16
#define QB_ALL16(v) all(v)
#define QB_ANY16(v) any(v)
#endif

/* QB_MX_CODES where every block of the sixteen takes the folded encode (FP6 on AVX-512:
 * qb__mx_encode16_fma6). */
#if QB_MX_FMA6
#define QB_MX_STORE_FOLD(k, w0, w1, yb)                                                \
  if (bits == 6)                                                                       \
    qb__store_6bit32b(qb__mx_encode16_fma6(w0, f2m[k], cm[k], mbits, away),            \
                      qb__mx_encode16_fma6(w1, f2m[k], cm[k], mbits, away), (yb) + 1); \
  else                                                                                 \
    qb__mx_store_codes(qb__mx_encode16_folded_fc(w0, flm[k], cstm[k], kind, away),     \
                       qb__mx_encode16_folded_fc(w1, flm[k], cstm[k], kind, away), yb, bits);
#else
#define QB_MX_STORE_FOLD(k, w0, w1, yb)                                          \
  qb__mx_store_codes(qb__mx_encode16_folded_fc(w0, flm[k], cstm[k], kind, away), \
                     qb__mx_encode16_folded_fc(w1, flm[k], cstm[k], kind, away), yb, bits);
#endif
#define QB_MX_CODES_FOLD(k, h)                                                              \
  {                                                                                         \
    global uchar* yb = yg + (1 + QB_MX_LEN * bits / 8) * k;                                 \
    QB_PREFETCH(xg + QB_BLOCKS_AHEAD + 32 * k);                                             \
    QB_PREFETCH(xg + QB_BLOCKS_AHEAD + 32 * k + 16);                                        \
    yb[0] = (uchar) e8.s##h;                                                                \
    const uint16 w0 = QB_LOAD(uint16, xg + 32 * k), w1 = QB_LOAD(uint16, xg + 32 * k + 16); \
    QB_MX_STORE_FOLD(k, w0, w1, yb)                                                         \
  }
void qb__mx_quant16(global const uint* xg, global uchar* yg, int kind, int mode, int away, int bits) {
  QB_REP16(QB_MX_AMAX)
  const uint16 amax = QB_HMAX16X16(m);
  const int16 bad16 = amax >= 0x7F800000u;
  const int16 s = qb__mx_shared_exp16(select(amax, (uint16) 0u, bad16), kind, mode);
  const float16 inv = qb__pow2f16(-s);
  const int16 e8 = select(s + 127, (int16) 0xFF, bad16);
  const uint16 z = 0u;
  /* The blocks qb__mx_encode16_folded takes: a normal floor binade (s >= bias - 127)
   * and a finite magic (|x| < 2^(emax + 1 + s), so its exponent field is at most
   * 127 + emax + s + 23 - mbits: s <= 104 - emax + mbits); bad ones have s = -127. */
  const int bias = kind == QB_MX_E4M3 ? 7 : kind == QB_MX_E5M2 ? 15 : kind == QB_MX_E3M2 ? 3 : 1;
  const int mbits = kind == QB_MX_E4M3 || kind == QB_MX_E2M3 ? 3 : kind == QB_MX_E2M1 ? 1 : 2;
  const int16 fold = (s >= bias - 127) & (s <= 104 - qb__mx_emax(kind) + mbits) & (bad16 == 0);
  if (kind != QB_MX_INT8 && QB_ALL16(fold)) {
    /* Each block's fl and cst from private copies of their lane vectors: LLVM reads them
     * as memory-broadcast operands where it extracted a lane and computed and broadcast
     * both per block (MX quantize 1.06-1.09x per core on PoCL 3.1). */
    uint flm[16], cstm[16];
    const uint16 fl16 = as_uint16(128 - bias + s);
    vstore16(fl16, 0, flm);
    vstore16(((uint) (23 - mbits) << 23) - (fl16 << (uint) mbits), 0, cstm);
#if QB_MX_FMA6
    /* qb__mx_encode16_fma6's 2^F and c = 2^(23 - mbits) (1 + d 2^-23) per block. */
    float f2m[16], cm[16];
    if (bits == 6) {
      vstore16(as_float16(fl16 << 23), 0, f2m);
      vstore16(
          as_float16(((uint) (150 - mbits) << 23) | ((0u - ((23u - mbits + fl16) << (uint) mbits)) & 255u)),
          0, cm);
    }
#endif
    QB_REP16(QB_MX_CODES_FOLD)
  } else {
    QB_REP16(QB_MX_CODES)
  }
}

#define QB_MX_QUANT_KERNEL(name, KIND, MODE, AWAY, BITS)                                                   \
  kernel void name(ulong n, global const uint* x, global uchar* y) {                                       \
    QB_BLOCKS16(                                                                                           \
        n / QB_MX_LEN, b16,                                                                                \
        qb__mx_quant16(x + b16 * QB_MX_LEN, y + b16 * (1 + QB_MX_LEN * BITS / 8), KIND, MODE, AWAY, BITS), \
        b, qb__mx_quant1(x + b * QB_MX_LEN, y + b * (1 + QB_MX_LEN * BITS / 8), KIND, MODE, AWAY, BITS));  \
  }

/* Code i of a block's packed codes p (BITS per element), for the dots. */
uint qb__mx_code_at(global const uchar* p, int i, int bits) {
  if (bits == 8) return p[i];
  if (bits == 4) return (p[i / 2] >> (4 * (i & 1))) & 15u;
  const int j = (i / 4) * 3;
  const uint w = (uint) p[j] | (uint) p[j + 1] << 8 | (uint) p[j + 2] << 16;
  return (w >> (6 * (i & 3))) & 0x3Fu;
}

/* Codes 16 h .. 16 h + 15 of a block's packed codes p (BITS per element). */
uint16 qb__mx_codes16(global const uchar* p, int h, int bits) {
  if (bits == 8) return convert_uint16(QB_LOAD(uchar16, p + 16 * h));
  if (bits == 4) return as_uint16(qb__unpack_nibbles16(QB_LOAD(uchar8, p + 8 * h)));
  return qb__load_6bit16(p + 12 * h);
}

#define QB_MX_DEQUANT_KERNEL(name, KIND, BITS)                                        \
  kernel void name(ulong n, global const uchar* x, global float* y) {                 \
    QB_SPAN(b, n / QB_MX_LEN, {                                                       \
      global const uchar* xb = x + b * (1 + QB_MX_LEN * BITS / 8);                    \
      const float scale = as_float(qb__e8m0_to_f32_bits(xb[0]));                      \
      for (int h = 0; h < 2; h++) {                                                   \
        const float16 v = qb__mx_decode16(qb__mx_codes16(xb + 1, h, BITS), KIND);     \
        QB_STORE(float16, y + b * QB_MX_LEN + 16 * h, qb__mul_nan_first16(v, scale)); \
      }                                                                               \
    });                                                                               \
  }

#define QB_MX_FORMAT(fmt, KIND, BITS)                                           \
  QB_MX_QUANT_KERNEL(qb_f32_##fmt##_quant_ocl, KIND, QB_MX_FLOOR, 0, BITS)      \
  QB_MX_QUANT_KERNEL(qb_f32_##fmt##_quantrceil_ocl, KIND, QB_MX_RCEIL, 0, BITS) \
  QB_MX_QUANT_KERNEL(qb_f32_##fmt##_quantaway_ocl, KIND, QB_MX_FLOOR, 1, BITS)  \
  QB_MX_DEQUANT_KERNEL(qb_##fmt##_f32_dequant_ocl, KIND, BITS)

QB_MX_FORMAT(mxf8e4m3, QB_MX_E4M3, 8)
QB_MX_FORMAT(mxf8e5m2, QB_MX_E5M2, 8)
QB_MX_FORMAT(mxf6e2m3, QB_MX_E2M3, 6)
QB_MX_FORMAT(mxf6e3m2, QB_MX_E3M2, 6)
QB_MX_FORMAT(mxf4, QB_MX_E2M1, 4)
QB_MX_FORMAT(mxi8, QB_MX_INT8, 8)

/* ---- NVFP4: 16 E2M1 + an E4M3 scale, times an optional f32 tensor scale g ------------- */

#define QB_NVF4_LEN 16
#define QB_NVF4_BYTES 9

void qb__nvf4_quant1(global const uint* xb, global uchar* yb, float gs) {
  const uint16 w0 = QB_LOAD(uint16, xb);
  const uint amax = qb__hmax16(w0 & 0x7FFFFFFFu);
  const int bad = amax >= 0x7F800000u;
  const uchar s = qb__f32_to_f8e4m3_bits(as_uint(qb__div(qb__div(as_float(bad ? 0u : amax), 6.0f), gs)), 1);
  const float d = as_float(qb__f8e4m3_to_f32_bits(s)) * gs;
  const float dd = d != 0.0f ? d : 1.0f;
  yb[0] = bad ? (uchar) 0x7F : s;
  const uint16 w = bad ? (uint16) 0u : w0;
  const uint16 q = qb__f32_to_fn_small16(as_uint16(qb__div16(as_float16(w), dd)), 2, 1, 1, 0);
  const uint16 c = bad ? (uint16) 0u : d == 0.0f ? (w >> 31) << 3 : q;
  QB_STORE(uchar8, yb + 1, qb__pack_nibbles16(c));
}

/* Sixteen blocks (QB_BLOCKS16), their scales in lanes. */
#define QB_NVF4_AMAX(k, h) const uint16 m##k = QB_LOAD(uint16, xg + 16 * k) & 0x7FFFFFFFu;
#define QB_NVF4_CODES(k, h)                                                                           \
  {                                                                                                   \
    global uchar* yb = yg + QB_NVF4_BYTES * k;                                                        \
    QB_PREFETCH(xg + QB_BLOCKS_AHEAD + 16 * k);                                                       \
    const int bad = bad16.s##h != 0;                                                                  \
    yb[0] = (uchar) e.s##h;                                                                           \
    const uint16 w = bad ? (uint16) 0u : QB_LOAD(uint16, xg + 16 * k);                                \
    const uint16 q = qb__f32_to_fn_small16(as_uint16(qb__div16(as_float16(w), dd.s##h)), 2, 1, 1, 0); \
    const uint16 c = bad ? (uint16) 0u : d.s##h == 0.0f ? (w >> 31) << 3 : q;                         \
    QB_STORE(uchar8, yb + 1, qb__pack_nibbles16(c));                                                  \
  }
/* The scales of sixteen blocks: bad flags a block holding NaN or inf, e is each block's
 * scale byte (0x7F where bad) and d = e4m3(s) * gs its scale (s the E4M3 code of
 * amax / 6 / gs, 0 where bad). */
QB_ALWAYS_INLINE void qb__nvf4_scales16a(uint16 amax, float gs, int16* bad, uint16* e, float16* d) {
  *bad = amax >= 0x7F800000u;
  const float16 a = as_float16(select(amax, (uint16) 0u, *bad));
  const uint16 s =
      qb__f32_to_f8e4m3_bits16(as_uint16(qb__div16v(qb__div16v(a, (float16) 6.0f), (float16) gs)), 1);
  *d = as_float16(qb__f8e4m3_to_f32_bits16(s)) * gs;
  *e = select(s, (uint16) 0x7Fu, *bad);
}
QB_ALWAYS_INLINE uint16 qb__nvf4_amax16(global const uint* xg) {
  QB_REP16(QB_NVF4_AMAX)
  return QB_HMAX16X16(m);
}
QB_ALWAYS_INLINE void qb__nvf4_scales16(global const uint* xg, float gs, int16* bad, uint16* e, float16* d) {
  qb__nvf4_scales16a(qb__nvf4_amax16(xg), gs, bad, e, d);
}
#if defined(__clang__) && defined(__AVX512F__) && defined(__AVX512DQ__)
/*
 * The sixteen blocks' amaxes (|x| bits, block k in lane k) on AVX-512 by the CPU NVFP4
 * quantizer's tree (kernels/lowbit/f32-nvf4-quant-avx512vbmi-u256.c, qb__nvf4_amax16):
 * 1. blocks i and j (bit-reversed order, so that the tree ends in block order): one
 *    vrangeps (imm 0x0B: the larger magnitude, sign cleared) of [a 0-7, b 8-15] (a blend)
 *    and [a 8-15, b 0-7] (one vshuff32x4) on the raw x, where the sixteen ands took |x|
 *    first and a join took two vpermt2d and a max; vrangeps returns the other operand for
 *    a quiet NaN, so the NaN are found apart, one vcmpunordps per pair of blocks (`nan`:
 *    the caller then takes the exact tree);
 * 2-4. the joins take the lanes they keep by a blend and the others by one vpermt2d
 *    (QB_T16_J, qblock.cl).
 * The same maxima (with no NaN) as qb__hmax16x16 of the |x| bits.
 */
/* clang-format off */
#define QB_NVF4_L1(p, i, j)                                                                                   \
  const float16 a##p = QB_LOAD(float16, xg + 16 * i), b##p = QB_LOAD(float16, xg + 16 * j);                   \
  un |= __builtin_ia32_cmpps512_mask(__builtin_astype(a##p, qb__v16sf), __builtin_astype(b##p, qb__v16sf), 3,  \
                                     (ushort) 0xFFFF, 4);                                                     \
  const uint16 v1##p = __builtin_astype(__builtin_ia32_rangeps512_mask(                                       \
      __builtin_astype(__builtin_shufflevector(a##p, b##p, 0, 1, 2, 3, 4, 5, 6, 7, 24, 25, 26, 27, 28, 29, 30, 31), \
                       qb__v16sf),                                                                            \
      __builtin_astype(__builtin_shufflevector(a##p, b##p, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, \
                                               23), qb__v16sf),                                               \
      0x0B, __builtin_astype(a##p, qb__v16sf), (ushort) 0xFFFF, 4), uint16);
/* clang-format on */
QB_ALWAYS_INLINE uint16 qb__nvf4_amax16r(global const uint* xg, ushort* nan) {
  ushort un = 0;
  QB_NVF4_L1(0, 0, 8)
  QB_NVF4_L1(1, 4, 12)
  QB_NVF4_L1(2, 2, 10)
  QB_NVF4_L1(3, 6, 14)
  QB_NVF4_L1(4, 1, 9)
  QB_NVF4_L1(5, 5, 13)
  QB_NVF4_L1(6, 3, 11)
  QB_NVF4_L1(7, 7, 15)
  *nan = un;
  const uint16 v20 = QB_T16_J(max, v10, v11, QB_T16_L2), v21 = QB_T16_J(max, v12, v13, QB_T16_L2);
  const uint16 v22 = QB_T16_J(max, v14, v15, QB_T16_L2), v23 = QB_T16_J(max, v16, v17, QB_T16_L2);
  const uint16 v30 = QB_T16_J(max, v20, v21, QB_T16_L3), v31 = QB_T16_J(max, v22, v23, QB_T16_L3);
  return QB_T16_J(max, v30, v31, QB_T16_L4);
}
#endif
void qb__nvf4_quant16(global const uint* xg, global uchar* yg, float gs) {
  int16 bad16;
  uint16 e;
  float16 d;
  qb__nvf4_scales16(xg, gs, &bad16, &e, &d);
  const float16 dd = select(d, (float16) 1.0f, d == 0.0f);
  QB_REP16(QB_NVF4_CODES)
}

/*
 * The E2M1 codes (sign at bit 3) of the 16 lanes of v, none of them NaN, packed two to a
 * byte (qb__pack_nibbles16): qb__f32_to_fn_small16 for E2M1 without its NaN select, |v|
 * clamped at 6 (E2M1's largest value, so every larger |v| and inf give code 7 and no
 * clamp of the code is needed), the code the low three bits of |v| plus the magic of its
 * binade (qb__f8_round16). `clamp6` 0 (a constant) leaves out the clamp where the caller
 * knows every |v| is below 7: the binade [4, 8) then gives code 7 up to 7 itself.
 */
#if defined(__clang__) && defined(__AVX512F__) && defined(__AVX512DQ__)
/*
 * On AVX-512 (PoCL) the CPU NVFP4 quantizer's steps (kernels/lowbit/f32-nvf4-quant-
 * avx512vbmi-u256.c): a = max(|v|, 1/16) with the sign cleared by one vrangeps (every
 * |v| below 1/16 has code 0, so the grid's binades are those of exponents 123-129),
 * clamped at 6, and the magic of its binade from a 16-entry table on the exponent's low
 * four bits (one vpermps): 2^22 below 2 (exponents 123-127, entries 11-15: quantum 1/2,
 * the code is the count of quanta), 2^23 + 2 in [2, 4) (128, entry 0: quantum 1, code 2
 * plus the count) and 2^24 + 8 in [4, 6] (129, entry 1: quantum 2, code 4 plus the
 * count); the offsets are even, so ties still go to the even code. The sum's mantissa is
 * the code (below 8: its bits 3-22 are clear), so the sign is or-ed onto its low byte
 * and the exponent above is dropped by the narrowing to bytes. 7 vector operations per
 * 16 codes (6 without the clamp) where the integer magic took 10, a multiply among them
 * (NVFP4 quantize 1.12-1.13x per core on PoCL 3.1, AVX-512).
 */
QB_ALWAYS_INLINE uchar8 qb__e2m1_nibbles16(float16 v, int clamp6) {
  const qb__v16sf q = __builtin_astype(v, qb__v16sf);
  const qb__v16sf r = __builtin_ia32_rangeps512_mask(q, __builtin_astype((float16) 0.0625f, qb__v16sf), 0x0B,
                                                     q, (ushort) 0xFFFF, 4);
  const float16 a = clamp6 ? min(__builtin_astype(r, float16), (float16) 6.0f) : __builtin_astype(r, float16);
  const float16 tab = (float16) (0x1p23f + 2.0f, 0x1p24f + 8.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f,
                                 0.0f, 0.0f, 0x1p22f, 0x1p22f, 0x1p22f, 0x1p22f, 0x1p22f);
  const qb__v16sf magic = __builtin_ia32_permvarsf512(__builtin_astype(tab, qb__v16sf),
                                                      __builtin_astype(as_int16(a) >> 23, qb__v16si));
  const uint16 c = as_uint16(a + __builtin_astype(magic, float16)) | ((as_uint16(v) >> 28) & 8u);
  const qb__v16qi b = __builtin_astype(convert_uchar16(c), qb__v16qi);
  const qb__v16qi m = {1, 16, 1, 16, 1, 16, 1, 16, 1, 16, 1, 16, 1, 16, 1, 16};
  return convert_uchar8(__builtin_astype(__builtin_ia32_pmaddubsw128(b, m), ushort8));
}
#else
QB_ALWAYS_INLINE uchar8 qb__e2m1_nibbles16(float16 v, int clamp6) {
  const uint16 w = as_uint16(v);
  const uint16 a = clamp6 ? min(w & 0x7FFFFFFFu, (uint16) 0x40C00000u) : w & 0x7FFFFFFFu;
  const uint16 e = max(a >> 23, (uint16) 127u);
  const uint16 magic = ((e + 22u) << 23) + ((e - 127u) << 1);
  return qb__pack_nibbles16((as_uint16(as_float16(a) + as_float16(magic)) & 7u) | ((w >> 28) & 8u));
}
#endif

/*
 * qb__nvf4_quant16 for a finite tensor scale, with no NaN among the quotients and no
 * per-block choice: a block holding NaN or inf has its elements zeroed (so its scale
 * code is 0, d = 0); d = 0 divides by +inf instead, whose quotients +-0 give the codes
 * the reference gives such a block (its elements' signs); a finite gs then leaves no
 * NaN quotient (x finite, the divisor nonzero, finite or +-inf), so the encode needs no
 * NaN select.
 */
#define QB_NVF4_CODES_F(k, h)                                                           \
  {                                                                                     \
    global uchar* yb = yg + QB_NVF4_BYTES * k;                                          \
    QB_PREFETCH(xg + QB_BLOCKS_AHEAD + 16 * k);                                         \
    yb[0] = (uchar) e.s##h;                                                             \
    const uint16 w = QB_LOAD(uint16, xg + 16 * k) & keep.s##h;                          \
    QB_STORE(uchar8, yb + 1, qb__e2m1_nibbles16(qb__div16(as_float16(w), dd.s##h), 1)); \
  }
/* QB_NVF4_CODES_F where no block of the sixteen holds NaN or inf (keep all ones). The
 * divisors come from a private copy of dd (ddm): LLVM then divides by each block's
 * divisor broadcast from memory (`vdivps m32{1to16}`) where it loaded a lane index and
 * permuted dd per block (NVFP4 quantize 1.016x per core on PoCL 3.1). */
#define QB_NVF4_CODES_OK(k, h, clamp6)                                                      \
  {                                                                                         \
    global uchar* yb = yg + QB_NVF4_BYTES * k;                                              \
    QB_PREFETCH(xg + QB_BLOCKS_AHEAD + 16 * k);                                             \
    yb[0] = em[k];                                                                          \
    const uint16 w = QB_LOAD(uint16, xg + 16 * k);                                          \
    QB_STORE(uchar8, yb + 1, qb__e2m1_nibbles16(qb__div16(as_float16(w), ddm[k]), clamp6)); \
  }
#define QB_NVF4_CODES_OK6(k, h) QB_NVF4_CODES_OK(k, h, 1)
#define QB_NVF4_CODES_OK7(k, h) QB_NVF4_CODES_OK(k, h, 0)
void qb__nvf4_quant16_finite(global const uint* xg, global uchar* yg, float gs) {
  int16 bad16;
  uint16 e;
  float16 d;
#if defined(__clang__) && defined(__AVX512F__) && defined(__AVX512DQ__)
  ushort nan;
  uint16 amax = qb__nvf4_amax16r(xg, &nan);
  if (nan != 0) amax = qb__nvf4_amax16(xg);
  qb__nvf4_scales16a(amax, gs, &bad16, &e, &d);
#else
  qb__nvf4_scales16(xg, gs, &bad16, &e, &d);
#endif
  const float16 dd = select(d, (float16) INFINITY, d == 0.0f);
  if (QB_ANY16(bad16)) {
    const uint16 keep = select((uint16) 0xFFFFFFFFu, (uint16) 0u, bad16);
    QB_REP16(QB_NVF4_CODES_F)
  } else {
    float ddm[16];
    uchar em[16]; /* the scale bytes: a scalar load and store per block, not a lane extraction */
    vstore16(dd, 0, ddm);
    vstore16(convert_uchar16(e), 0, em);
    /* Every quotient below 7 (so no clamp at 6) unless a block's scale code is an E4M3
     * subnormal (1-7) or saturated (0x7E), or its d an f32 subnormal: otherwise s is a
     * normal E4M3 within 2^-4 of amax / 6 / gs, and |x| / d <= 6 / (1 - 2^-4) plus a few
     * f32 roundings (as the CPU quantizer's `top`, kernels/lowbit/f32-nvf4-quant-
     * avx512vbmi-u256.c). NVFP4 quantize 1.04x per core on PoCL 3.1, AVX-512. */
    const int16 top = (e - 1u < 7u) | (e == 0x7Eu) | (as_uint16(d) - 1u < 0x7FFFFFu);
    if (QB_ANY16(top)) {
      QB_REP16(QB_NVF4_CODES_OK6)
    } else {
      QB_REP16(QB_NVF4_CODES_OK7)
    }
  }
}

/* As qb__nvf4_quant_block: s = e4m3_sat(amax / 6 / g), d = e4m3(s) * g, codes
 * e2m1(x / d); d == 0 keeps the signs; NaN or inf in the block: s = 0x7F, codes 0. g = 0
 * (no tensor scale) means 1. */
kernel void qb_f32_nvf4_quant_ocl(ulong n, global const uint* x, global uchar* y, float g) {
  const float gs = g != 0.0f ? g : 1.0f;
  if (isfinite(gs))
    QB_BLOCKS16(n / QB_NVF4_LEN, b16,
                qb__nvf4_quant16_finite(x + b16 * QB_NVF4_LEN, y + b16 * QB_NVF4_BYTES, gs), b,
                qb__nvf4_quant1(x + b * QB_NVF4_LEN, y + b * QB_NVF4_BYTES, gs));
  else
    QB_BLOCKS16(n / QB_NVF4_LEN, b16, qb__nvf4_quant16(x + b16 * QB_NVF4_LEN, y + b16 * QB_NVF4_BYTES, gs), b,
                qb__nvf4_quant1(x + b * QB_NVF4_LEN, y + b * QB_NVF4_BYTES, gs));
}

kernel void qb_nvf4_f32_dequant_ocl(ulong n, global const uchar* x, global float* y, float g) {
  const float gs = g != 0.0f ? g : 1.0f;
  QB_SPAN(b, n / QB_NVF4_LEN, {
    global const uchar* xb = x + b * QB_NVF4_BYTES;
    const float d = as_float(qb__f8e4m3_to_f32_bits(xb[0])) * gs;
    const uint16 c = as_uint16(qb__unpack_nibbles16(QB_LOAD(uchar8, xb + 1)));
    QB_STORE(float16, y + b * QB_NVF4_LEN, as_float16(qb__fn_small_to_f32_16(c, 2, 1, 1)) * d);
  });
}

/* ---- FP8 E4M3 with one f32 scale per 128 ----------------------------------------------- */

#define QB_F8B_LEN 128
#define QB_F8B_BYTES 132

/* As qb__f8b128_quant_block: d = amax / 448, codes e4m3_sat(x / d); an all-zero block
 * keeps d = 0 and +-0 codes; NaN or inf in the block: d = NaN, codes 0x7F. */
/* Codes of 16 elements w of a per-128 block or tile row (d its scale, dd = d or 1 when
 * d is 0). */
uchar16 qb__f8b_codes16(uint16 w, float d, float dd, int bad) {
  const uint16 wz = bad ? (uint16) 0u : w;
  const uint16 q = qb__f32_to_f8e4m3_bits16(as_uint16(qb__div16(as_float16(wz), dd)), 1);
  return convert_uchar16(bad ? (uint16) 0x7Fu : d == 0.0f ? (wz >> 31) << 7 : q);
}

/* qb__f8b_codes16 where d is finite and nonzero (no NaN or inf in the block): every
 * quotient is finite (|x / d| at most about 448, or a few times that for a subnormal d),
 * so the saturating E4M3 code needs no NaN select and the block no choice of codes. */
uchar16 qb__f8b_codes16_ok(uint16 w, float d) {
  const uint16 a = as_uint16(qb__div16(as_float16(w), d)) & 0x7FFFFFFFu;
  const uint16 q = min(qb__f8_round16(a, 3, 121u, 0x44000000u, 0), (uint16) 0x7Eu);
  return convert_uchar16(((w >> 24) & 0x80u) | q);
}

void qb__f8b_quant1(global const uint* xb, global uchar* yb) {
  uint16 am = 0u;
  for (int k = 0; k < QB_F8B_LEN / 16; k++) am = max(am, QB_LOAD(uint16, xb + 16 * k) & 0x7FFFFFFFu);
  const uint amax = qb__hmax16(am);
  const int bad = amax >= 0x7F800000u;
  const float d = qb__div(as_float(bad ? 0u : amax), 448.0f);
  const float dd = d != 0.0f ? d : 1.0f;
  QB_STORE(uint, yb, bad ? 0x7FC00000u : as_uint(d));
  for (int k = 0; k < QB_F8B_LEN / 16; k++)
    QB_STORE(uchar16, yb + 4 + 16 * k, qb__f8b_codes16(QB_LOAD(uint16, xb + 16 * k), d, dd, bad));
}

/* Sixteen blocks (QB_BLOCKS16), their scales in lanes. */
#define QB_F8B_AMAX(k, h)                   \
  uint16 m##k = 0u;                         \
  for (int j = 0; j < QB_F8B_LEN / 16; j++) \
    m##k = max(m##k, QB_LOAD(uint16, xg + QB_F8B_LEN * k + 16 * j) & 0x7FFFFFFFu);
#define QB_F8B_CODES(k, h)                                                                                 \
  QB_STORE(uint, yg + QB_F8B_BYTES * k, sb.s##h);                                                          \
  for (int j = 0; j < QB_F8B_LEN / 16; j++) {                                                              \
    QB_PREFETCH(xg + 16 * QB_F8B_LEN + QB_F8B_LEN * k + 16 * j);                                           \
    QB_STORE(                                                                                              \
        uchar16, yg + QB_F8B_BYTES * k + 4 + 16 * j,                                                       \
        qb__f8b_codes16(QB_LOAD(uint16, xg + QB_F8B_LEN * k + 16 * j), d.s##h, dd.s##h, bad16.s##h != 0)); \
  }
/* QB_F8B_CODES where no block of the sixteen is bad or has d = 0 (qb__f8b_codes16_ok). */
#define QB_F8B_CODES_OK(k, h)                                                            \
  QB_STORE(uint, yg + QB_F8B_BYTES * k, sb.s##h);                                        \
  for (int j = 0; j < QB_F8B_LEN / 16; j++) {                                            \
    QB_PREFETCH(xg + 16 * QB_F8B_LEN + QB_F8B_LEN * k + 16 * j);                         \
    QB_STORE(uchar16, yg + QB_F8B_BYTES * k + 4 + 16 * j,                                \
             qb__f8b_codes16_ok(QB_LOAD(uint16, xg + QB_F8B_LEN * k + 16 * j), d.s##h)); \
  }
void qb__f8b_quant16(global const uint* xg, global uchar* yg) {
  QB_REP16(QB_F8B_AMAX)
  const uint16 amax = QB_HMAX16X16(m);
  const int16 bad16 = amax >= 0x7F800000u;
  const float16 d = qb__div16v(as_float16(select(amax, (uint16) 0u, bad16)), (float16) 448.0f);
  const float16 dd = select(d, (float16) 1.0f, d == 0.0f);
  const uint16 sb = select(as_uint16(d), (uint16) 0x7FC00000u, bad16);
  if (QB_ANY16(bad16 | (d == 0.0f))) {
    QB_REP16(QB_F8B_CODES)
  } else {
    QB_REP16(QB_F8B_CODES_OK)
  }
}

kernel void qb_f32_f8e4m3b128_quant_ocl(ulong n, global const uint* x, global uchar* y) {
  QB_BLOCKS16(n / QB_F8B_LEN, b16, qb__f8b_quant16(x + b16 * QB_F8B_LEN, y + b16 * QB_F8B_BYTES), b,
              qb__f8b_quant1(x + b * QB_F8B_LEN, y + b * QB_F8B_BYTES));
}

kernel void qb_f8e4m3b128_f32_dequant_ocl(ulong n, global const uchar* x, global float* y) {
  QB_SPAN(b, n / QB_F8B_LEN, {
    global const uchar* xb = x + b * QB_F8B_BYTES;
    const float d = as_float(QB_LOAD(uint, xb));
    for (int k = 0; k < QB_F8B_LEN / 16; k++) {
      const float16 v =
          as_float16(qb__f8e4m3_to_f32_bits16(convert_uint16(QB_LOAD(uchar16, xb + 4 + 16 * k))));
      QB_STORE(float16, y + b * QB_F8B_LEN + 16 * k, qb__mul_nan_first16(v, d));
    }
  });
}

/* ---- FP8 E4M3 with one f32 scale per 128 x 128 tile (qb/lowbit.h) ---------------------- */

#define QB_F8T_TILE 128
#define QB_F8T_BYTES (4 + QB_F8T_TILE * QB_F8T_TILE)

/*
 * The TILE layout (ocl_kernels.inc): work-group g takes QB_VEC tiles, g * QB_VEC on (fewer
 * in the last group), in the tiles' stored order (row-major over the tile grid of a
 * matrix of `cols` columns), one after the other; its L work-items (the local size: a
 * power of two up to 128) each take the tile rows r, r + L, ... On PoCL L is 128, one row
 * of 128 contiguous elements per work-item, a fixed-trip loop it turns into vector code,
 * and QB_VEC 16 (a work-group per tile ran the dequantizer 1.14-1.29x slower at DRAM
 * size; the quantizer the same). The first element of tile t (its tile row t / tpr, tile column the
 * rest, tpr tiles per row; the remainder as t - q * tpr: a `%` beside the `/` makes LLVM
 * insert a `freeze`, which oclgrind cannot run):
 */
ulong qb__f8t_origin(ulong t, ulong cols) {
  const ulong tpr = cols / QB_F8T_TILE;
  const ulong q = t / tpr;
  return q * QB_F8T_TILE * cols + (t - q * tpr) * QB_F8T_TILE;
}

/* The tiles [*t0, *t1) of this work-group. */
void qb__f8t_span(ulong n, ulong* t0, ulong* t1) {
  const ulong nt = n / (QB_F8T_TILE * QB_F8T_TILE);
  *t0 = get_group_id(0) * QB_VEC;
  *t1 = *t0 + QB_VEC < nt ? *t0 + QB_VEC : nt;
}

/* As qb_f32_f8e4m3t128_quant_ukernel__scalar_u1: the tile's amax (each work-item's rows,
 * then a tree over the work-group in local memory), d = amax / 448, codes
 * e4m3_sat(x / d); an all-zero tile keeps d = 0 and +-0 codes; NaN or inf in the tile:
 * d = NaN, codes 0x7F. The tile is read twice, the second time from cache (64 KiB): that
 * pass prefetches the next tile's lines, one per line it reads (PoCL at DRAM size: 1.45x). */
kernel void qb_f32_f8e4m3t128_quant_ocl(ulong n, global const uint* x, global uchar* y, ulong cols) {
  local uint part[QB_F8T_TILE];
  const uint r0 = (uint) get_local_id(0), l = (uint) get_local_size(0);
  ulong t0, t1;
  qb__f8t_span(n, &t0, &t1);
  for (ulong t = t0; t < t1; t++) {
    global const uint* xt = x + qb__f8t_origin(t, cols);
    global const uint* xn = x + qb__f8t_origin(t + 1, cols);
    uint a = 0u;
    for (uint r = r0; r < QB_F8T_TILE; r += l) {
      uint16 am = 0u;
      for (int k = 0; k < QB_F8T_TILE / 16; k++)
        am = max(am, QB_LOAD(uint16, xt + r * cols + 16 * k) & 0x7FFFFFFFu);
      a = max(a, qb__hmax16(am));
    }
    part[r0] = a;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (uint s = l / 2; s > 0; s /= 2) {
      if (r0 < s) part[r0] = max(part[r0], part[r0 + s]);
      barrier(CLK_LOCAL_MEM_FENCE);
    }
    const uint amax = part[0];
    barrier(CLK_LOCAL_MEM_FENCE); /* every work-item has read part[0] before the next tile */
    const int bad = amax >= 0x7F800000u;
    const float d = qb__div(as_float(bad ? 0u : amax), 448.0f);
    const float dd = d != 0.0f ? d : 1.0f;
    global uchar* yt = y + t * QB_F8T_BYTES;
    if (r0 == 0) *(global uint*) yt = bad ? 0x7FC00000u : as_uint(d);
    for (uint r = r0; r < QB_F8T_TILE; r += l) {
      global const uint* xr = xt + r * cols;
      global uchar* yr = yt + 4 + r * QB_F8T_TILE;
      for (int k = 0; k < QB_F8T_TILE / 16; k++) {
        QB_PREFETCH(xn + r * cols + 16 * k);
        QB_STORE(uchar16, yr + 16 * k, qb__f8b_codes16(QB_LOAD(uint16, xr + 16 * k), d, dd, bad));
      }
    }
  }
}

/* As qb_f8e4m3t128_f32_dequant_ukernel__scalar_u1: e4m3 * d, a NaN code keeping its NaN. */
kernel void qb_f8e4m3t128_f32_dequant_ocl(ulong n, global const uchar* x, global float* y, ulong cols) {
  const uint r0 = (uint) get_local_id(0), l = (uint) get_local_size(0);
  ulong t0, t1;
  qb__f8t_span(n, &t0, &t1);
  for (ulong t = t0; t < t1; t++) {
    global const uchar* xt = x + t * QB_F8T_BYTES;
    global float* yt = y + qb__f8t_origin(t, cols);
    const float d = *(global const float*) xt;
    for (uint r = r0; r < QB_F8T_TILE; r += l) {
      global const uchar* xr = xt + 4 + r * QB_F8T_TILE;
      global float* yr = yt + r * cols;
      for (int k = 0; k < QB_F8T_TILE / 16; k++) {
        const float16 v = as_float16(qb__f8e4m3_to_f32_bits16(convert_uint16(QB_LOAD(uchar16, xr + 16 * k))));
        QB_STORE(float16, yr + 16 * k, qb__mul_nan_first16(v, d));
      }
    }
  }
}

/* ---- Element casts: FP6 (4 codes in 3 bytes), FP4 (2 per byte), E8M0 ------------------ */

/*
 * Work-item g converts groups [g * QB_VEC, (g + 1) * QB_VEC) of PER elements (4 for FP6,
 * 2 for FP4: the host's unit). A whole span of a multiple of W elements (W = 16 or 32)
 * goes W at a time in 16-lane vectors (the block kernels' helpers); a partial span, or
 * a span of fewer than W elements (QB_VEC 1 on a GPU), group by group. The statement
 * `group` handles group j, `chunk` the W elements from element e.
 */
#define QB_GROUP_SPAN(n, PER, W, j, group, e, chunk)                               \
  do {                                                                             \
    const ulong qb_g_ = get_global_id(0) * QB_VEC;                                 \
    if ((QB_VEC * (PER)) % (W) == 0 && qb_g_ + QB_VEC <= (n) / (PER)) {            \
      for (uint qb_k_ = 0; qb_k_ < QB_VEC * (PER) / (W); qb_k_++) {                \
        const ulong e = qb_g_ * (PER) + qb_k_ * (W);                               \
        chunk;                                                                     \
      }                                                                            \
    } else {                                                                       \
      for (ulong j = qb_g_; j < min(qb_g_ + QB_VEC, (ulong) ((n) / (PER))); j++) { \
        group;                                                                     \
      }                                                                            \
    }                                                                              \
  } while (0)

#define QB_F6_CVT_KERNEL(name, EB, MB, BIAS)                                                    \
  kernel void name(ulong n, global const uint* x, global uchar* y) {                            \
    QB_GROUP_SPAN(                                                                              \
        n, 4, 32, j,                                                                            \
        {                                                                                       \
          const uint w = (uint) qb__f32_to_fn_small(x[4 * j], EB, MB, BIAS, 0) |                \
                         (uint) qb__f32_to_fn_small(x[4 * j + 1], EB, MB, BIAS, 0) << 6 |       \
                         (uint) qb__f32_to_fn_small(x[4 * j + 2], EB, MB, BIAS, 0) << 12 |      \
                         (uint) qb__f32_to_fn_small(x[4 * j + 3], EB, MB, BIAS, 0) << 18;       \
          y[3 * j] = (uchar) w;                                                                 \
          y[3 * j + 1] = (uchar) (w >> 8);                                                      \
          y[3 * j + 2] = (uchar) (w >> 16);                                                     \
        },                                                                                      \
        e,                                                                                      \
        {                                                                                       \
          QB_STREAM_PF(x + e);                                                                  \
          QB_STREAM_PF(x + e + 16);                                                             \
          qb__store_6bit32(qb__f32_to_fn_small16(QB_LOAD(uint16, x + e), EB, MB, BIAS, 0),      \
                           qb__f32_to_fn_small16(QB_LOAD(uint16, x + e + 16), EB, MB, BIAS, 0), \
                           y + e / 4 * 3);                                                      \
        });                                                                                     \
  }

#define QB_F6_WIDEN_KERNEL(name, EB, MB, BIAS)                                                             \
  kernel void name(ulong n, global const uchar* x, global uint* y) {                                       \
    QB_GROUP_SPAN(                                                                                         \
        n, 4, 16, j,                                                                                       \
        {                                                                                                  \
          const uint w = (uint) x[3 * j] | (uint) x[3 * j + 1] << 8 | (uint) x[3 * j + 2] << 16;           \
          for (int k = 0; k < 4; k++)                                                                      \
            y[4 * j + k] = qb__fn_small_to_f32((w >> (6 * k)) & 0x3Fu, EB, MB, BIAS);                      \
        },                                                                                                 \
        e, QB_STORE(uint16, y + e, qb__fn_small_to_f32_16(qb__load_6bit16(x + e / 4 * 3), EB, MB, BIAS))); \
  }

QB_F6_CVT_KERNEL(qb_f32_f6e2m3_cvt_ocl, 2, 3, 1)
QB_F6_CVT_KERNEL(qb_f32_f6e3m2_cvt_ocl, 3, 2, 3)
QB_F6_WIDEN_KERNEL(qb_f6e2m3_f32_cvt_ocl, 2, 3, 1)
QB_F6_WIDEN_KERNEL(qb_f6e3m2_f32_cvt_ocl, 3, 2, 3)

kernel void qb_f32_f4e2m1_cvt_ocl(ulong n, global const uint* x, global uchar* y) {
  QB_GROUP_SPAN(
      n, 2, 16, j,
      y[j] = qb__f32_to_fn_small(x[2 * j], 2, 1, 1, 0) | qb__f32_to_fn_small(x[2 * j + 1], 2, 1, 1, 0) << 4,
      e, {
        QB_STREAM_PF(x + e);
        QB_STORE(uchar8, y + e / 2,
                 qb__pack_nibbles16(qb__f32_to_fn_small16(QB_LOAD(uint16, x + e), 2, 1, 1, 0)));
      });
}

kernel void qb_f4e2m1_f32_cvt_ocl(ulong n, global const uchar* x, global uint* y) {
  QB_GROUP_SPAN(
      n, 2, 16, j,
      {
        y[2 * j] = qb__fn_small_to_f32(x[j] & 15u, 2, 1, 1);
        y[2 * j + 1] = qb__fn_small_to_f32(x[j] >> 4, 2, 1, 1);
      },
      e,
      QB_STORE(uint16, y + e,
               qb__fn_small_to_f32_16(as_uint16(qb__unpack_nibbles16(QB_LOAD(uchar8, x + e / 2))), 2, 1, 1)));
}

kernel void qb_f32_e8m0_cvt_ocl(ulong n, global const uint* x, global uchar* y) {
  QB_STREAM16(n, x, b,
              QB_STORE(uchar16, y + b, convert_uchar16(qb__f32_to_e8m0_bits16(QB_LOAD(uint16, x + b)))), i,
              y[i] = qb__f32_to_e8m0_bits(x[i]));
}

kernel void qb_e8m0_f32_cvt_ocl(ulong n, global const uchar* x, global uint* y) {
  QB_STREAM16(n, x, b,
              QB_STORE(uint16, y + b, qb__e8m0_to_f32_bits16(convert_uint16(QB_LOAD(uchar16, x + b)))), i,
              y[i] = qb__e8m0_to_f32_bits(x[i]));
}

/* ---- Dots ------------------------------------------------------------------------------ */

/* E4M3 . E4M3: exact products (4-bit significands) summed in f32; the order of the sums
 * differs from the sequential reference (QB_SEM_REASSOC). */
kernel void qb_f8e4m3_dot_ocl(ulong n, global const uchar* a, global const uchar* b, global float* partial,
                              local float* s) {
  float acc = 0.0f;
  QB_STRIDE(i, n) {
    acc += as_float(qb__f8e4m3_to_f32_bits(a[i])) * as_float(qb__f8e4m3_to_f32_bits(b[i]));
  }
  QB_PARTIAL_F32(acc, partial, s);
}

/* MX block dots as the references: per block the exact element products summed in order
 * in f32, then times 2^sa and 2^sb (two multiplications), so each block's term is the
 * reference's bit for bit; only the order of the block sums differs. */
#define QB_MX_DOT_KERNEL(name, KA, BITSA)                                                                \
  kernel void name(ulong n, global const uchar* a, global const uchar* b, global float* partial,         \
                   local float* s) {                                                                     \
    float acc = 0.0f;                                                                                    \
    QB_STRIDE(k, n / QB_MX_LEN) {                                                                        \
      global const uchar* ab = a + k * (1 + QB_MX_LEN * BITSA / 8);                                      \
      global const uchar* bb = b + k * (1 + QB_MX_LEN);                                                  \
      float p = 0.0f;                                                                                    \
      for (int i = 0; i < QB_MX_LEN; i++) {                                                              \
        p += qb__mx_decode(qb__mx_code_at(ab + 1, i, BITSA), KA) * qb__mx_decode(bb[1 + i], QB_MX_E4M3); \
      }                                                                                                  \
      acc += p * as_float(qb__e8m0_to_f32_bits(ab[0])) * as_float(qb__e8m0_to_f32_bits(bb[0]));          \
    }                                                                                                    \
    QB_PARTIAL_F32(acc, partial, s);                                                                     \
  }

QB_MX_DOT_KERNEL(qb_mxf8e4m3_dot_ocl, QB_MX_E4M3, 8)
QB_MX_DOT_KERNEL(qb_mxf4mxf8e4m3_dot_ocl, QB_MX_E2M1, 4)
