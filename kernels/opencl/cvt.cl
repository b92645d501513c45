/*
 * Casts. The `ocl` variants work on the bits in integer arithmetic (f32 -> f16 lets one
 * float addition round, see there), so they are bit-exact with kernels/common/fp.h on
 * every device, whatever it does with subnormals and NaN payloads. `ocl_vhalf` uses OpenCL 1.2's
 * vload_half/vstore_half_rte (NaN payloads are the implementation's); `ocl_half` uses the half type
 * (cl_khr_fp16).
 */

/*
 * Element-wise loop: work-item g handles elements [g * QB_VEC, (g + 1) * QB_VEC), its
 * statement run once per element with `i` the element's index. Written this way, with a
 * fixed trip count when the span is whole, PoCL 3.1 on x86 turns the span into vector
 * loads and stores; a strided loop (element g + k * G) or a span with a variable end
 * compiled into scalar code 2 to 10 times slower (see copy.cl). On a GPU (QB_VEC 1) a
 * work-item handles one element, neighbours neighbouring, which coalesces.
 * The statement must not depend on the order of the elements.
 */
#define QB_SPAN(i, n, ...)                            \
  do {                                                \
    const ulong qb_b_ = get_global_id(0) * QB_VEC;    \
    if (qb_b_ + QB_VEC <= (n)) {                      \
      for (uint qb_k_ = 0; qb_k_ < QB_VEC; qb_k_++) { \
        const ulong i = qb_b_ + qb_k_;                \
        __VA_ARGS__;                                  \
      }                                               \
    } else {                                          \
      for (ulong i = qb_b_; i < (n); i++) {           \
        __VA_ARGS__;                                  \
      }                                               \
    }                                                 \
  } while (0)

/*
 * QB_SPAN in steps of 16 elements: where QB_VEC is a multiple of 16 (CPU devices) and
 * the work-item's span is whole, `group` runs once per 16 elements, b16 the first, and
 * works on explicit 16-lane vectors (QB_LOAD, QB_STORE below), which PoCL compiles as
 * written; otherwise (a partial span, QB_VEC 1 on a GPU) `one` runs per element i, as
 * in QB_SPAN.
 */
#define QB_SPAN16(n, b16, group, i, one)                        \
  do {                                                          \
    const ulong qb_b16_ = get_global_id(0) * QB_VEC;            \
    if (QB_VEC % 16 == 0 && qb_b16_ + QB_VEC <= (n)) {          \
      for (uint qb_k16_ = 0; qb_k16_ < QB_VEC; qb_k16_ += 16) { \
        const ulong b16 = qb_b16_ + qb_k16_;                    \
        group;                                                  \
      }                                                         \
    } else {                                                    \
      QB_SPAN(i, n, one);                                       \
    }                                                           \
  } while (0)

/* QB_SPAN16 over a stream read from x: each step whose 16 elements start a 64-byte line
 * of x prefetches the line QB_STREAM_AHEAD bytes on (QB_PREFETCH; QB_STREAM_PF alone
 * where a kernel steps by itself). PoCL on a 2-vCPU Xeon at DRAM size: the narrowing
 * casts and the 8-bit quantizers 1.2-1.5x, the widening casts unchanged. */
#define QB_STREAM_AHEAD 2048
#define QB_STREAM_PF(p)                                                                                 \
  do {                                                                                                  \
    if ((ulong) (p) % 64 < 16 * sizeof(*(p))) QB_PREFETCH((global const uchar*) (p) + QB_STREAM_AHEAD); \
  } while (0)
#define QB_STREAM16(n, x, b16, group, i, one) \
  QB_SPAN16(                                  \
      n, b16,                                 \
      {                                       \
        QB_STREAM_PF(x + b16);                \
        group;                                \
      },                                      \
      i, one)

/* The lane numbers of a 16-lane vector. */
#define QB_LANES16 ((int16) (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15))

/*
 * Unaligned whole-vector loads and stores through packed structs (OpenCL C 1.2, 6.11.1:
 * a packed struct's members have alignment 1). The blocks' codes start at odd offsets
 * (q8_0: 34-byte blocks), where vstore16 is the only portable store, and PoCL 3.1 turns
 * every vstoreN into N scalar stores (one byte at a time for uchar16: three quarters of
 * the q8_0 quantizer's instructions); through a packed struct LLVM emits one unaligned
 * vector store. Loads (vloadN) vectorize as they are, but read the same way for symmetry.
 */
#define QB_PACKED_TYPE(T)                  \
  typedef struct __attribute__((packed)) { \
    T v;                                   \
  } qb__packed_##T
QB_PACKED_TYPE(uchar4);
QB_PACKED_TYPE(uchar8);
QB_PACKED_TYPE(uchar16);
QB_PACKED_TYPE(ushort);
QB_PACKED_TYPE(uint);
QB_PACKED_TYPE(uint4);
QB_PACKED_TYPE(ushort16);
QB_PACKED_TYPE(uint16);
QB_PACKED_TYPE(float16);
#define QB_STORE(T, p, val) (((global qb__packed_##T*) (p))->v = (val))
#define QB_LOAD(T, p) (((global const qb__packed_##T*) (p))->v)

/*
 * The helpers below compute every path and pick one at the end (selects, no early
 * returns), which is what lets a vectorizer that works across elements (PoCL's, and
 * LLVM's on the span above) keep the whole loop in vector registers: with branches on
 * NaN, overflow and subnormal inputs f32_f16_cvt ran at 0.9 GB/s on PoCL 3.1 (x86).
 * Shift counts are clamped on the paths not taken, so every lane computes something
 * defined.
 */

/* Rounds v >> s (1 <= s <= 31) to nearest, ties to even: adding half an ulp minus one
 * plus the kept lsb carries exactly when the dropped bits exceed half, or equal it with
 * an odd lsb. v + (1 << (s - 1)) must not overflow (v < 2^31 here). */
uint qb__shift_rne(uint v, uint s) {
  return (v + (1u << (s - 1)) - 1u + ((v >> s) & 1u)) >> s;
}

/* A finite small-format code (no sign) as f32 bits. A subnormal m * 2^(1 - bias - mbits)
 * is normalized by converting m to float (exact: m < 2^24, so no rounding and no
 * subnormal is involved, whatever the device's modes) and lowering that exponent by
 * bias + mbits - 1; vector units convert, where they have no clz. */
uint qb__small_to_f32(uint e, uint m, int mbits, int bias) {
  const uint nrm = ((uint) ((int) e - bias + 127) << 23) | (m << (23 - mbits));
  const uint sub = m == 0 ? 0u : as_uint(convert_float(m)) - ((uint) (bias + mbits - 1) << 23);
  return e == 0 ? sub : nrm;
}

/*
 * f32 -> f16 with the float unit doing the rounding (Maratyszcza's FP16 library): the
 * integer form (fp.h's qb__round_to_small: a variable shift per path and a select) ran
 * at 0.64 of the copy roof on PoCL (x86), this one at 0.93. Equal to the integer form on all 2^32 inputs
 * (checked on PoCL). It needs round to nearest even as the default (every full-profile device) and does not
 * depend on subnormal flushing: no operand or result that matters is subnormal (an f32 subnormal input, or a
 * product below 2^-25, gives 0 whether flushed or not).
 * 1. Scale |x| by 2^112 then 2^-110: values that overflow f16 become inf in the first
 *    product (>= 2^16; 65520 to 65536 round up to inf in step 2 instead).
 * 2. Add 2^(E + 15), E the exponent of x but at least -14 (f16's smallest normal):
 *    2^13 times the scaled value's leading bit, so the sum keeps 10 bits below that
 *    bit (fewer for f16 subnormals) and the addition rounds to f16, ties to even.
 * 3. The sum's exponent and top mantissa bits are then f16's exponent and mantissa;
 *    adding them lets a rounding carry bump the exponent. NaN keeps its payload's top
 *    bits, quieted, as in fp.h.
 */
ushort qb__f32_to_f16_bits(uint w) {
  const uint sign = (w >> 16) & 0x8000u;
  const uint mag = w & 0x7FFFFFFFu;
  const float scaled = (as_float(mag) * 0x1.0p+112f) * 0x1.0p-110f;
  const uint bias = max((w + w) & 0xFF000000u, 0x71000000u);
  const uint bits = as_uint(as_float((bias >> 1) + 0x07800000u) + scaled);
  const uint q = ((bits >> 13) & 0x7C00u) + (bits & 0x0FFFu);
  const uint nan = 0x7E00u | ((mag >> 13) & 0x3FFu);
  return (ushort) (sign | (mag > 0x7F800000u ? nan : q));
}

/* qb__f32_to_f16_bits for 16 lanes. */
uint16 qb__f32_to_f16_bits16(uint16 w) {
  const uint16 sign = (w >> 16) & 0x8000u;
  const uint16 mag = w & 0x7FFFFFFFu;
  const float16 scaled = (as_float16(mag) * 0x1.0p+112f) * 0x1.0p-110f;
  const uint16 bias = max((w + w) & 0xFF000000u, (uint16) 0x71000000u);
  const uint16 bits = as_uint16(as_float16((bias >> 1) + 0x07800000u) + scaled);
  const uint16 q = ((bits >> 13) & 0x7C00u) + (bits & 0x0FFFu);
  const uint16 nan = 0x7E00u | ((mag >> 13) & 0x3FFu);
  return sign | select(q, nan, mag > 0x7F800000u);
}

uint qb__f16_to_f32_bits(ushort h) {
  const uint sign = (uint) (h & 0x8000u) << 16;
  const uint e = (h >> 10) & 0x1Fu;
  const uint m = h & 0x3FFu;
  const uint infnan = 0x7F800000u | (m << 13) | (m ? 0x400000u : 0u);
  return sign | (e == 0x1F ? infnan : qb__small_to_f32(e, m, 10, 15));
}

/* qb__f16_to_f32_bits for 16 lanes: subnormals normalized by an exact convert_float of
 * the mantissa, as qb__small_to_f32. */
uint16 qb__f16_to_f32_bits16(uint16 h) {
  const uint16 e = (h >> 10) & 0x1Fu, m = h & 0x3FFu;
  const uint16 nrm = ((e + 112u) << 23) | (m << 13);
  const uint16 sub = select(as_uint16(convert_float16(as_int16(m))) - (24u << 23), (uint16) 0u, m == 0u);
  const uint16 infnan = 0x7F800000u | (m << 13) | select((uint16) 0u, (uint16) 0x400000u, m != 0u);
  return ((h & 0x8000u) << 16) | select(select(nrm, sub, e == 0u), infnan, e == 0x1Fu);
}

/* RNE in integers: adding 0x7FFF plus the kept lsb rounds half to even. */
ushort qb__f32_to_bf16_bits(uint w) {
  const uint nan = (w >> 16) | 0x0040u;
  const uint q = (w + 0x7FFFu + ((w >> 16) & 1u)) >> 16;
  return (ushort) ((w & 0x7FFFFFFFu) > 0x7F800000u ? nan : q);
}

/* qb__f32_to_bf16_bits for 16 lanes (the 16-bit results in the low halves). */
uint16 qb__f32_to_bf16_bits16(uint16 w) {
  const uint16 nan = (w >> 16) | 0x0040u;
  const uint16 q = (w + 0x7FFFu + ((w >> 16) & 1u)) >> 16;
  return select(q, nan, (w & 0x7FFFFFFFu) > 0x7F800000u);
}

/*
 * A finite or infinite |x| (bits) -> an fp8 code without sign, nearest even, by one float
 * addition (kernels/cvt/cvt-f8-x86.h does the same on the CPU). The integer form (fp.h's
 * qb__round_to_small: two variable shifts and a select per element) held the fp8 casts
 * to 0.24 of the copy roof on PoCL (x86).
 * 1. Clamp |x| at 2^clampexp (clampbits), above the format's overflow threshold, so inf
 *    and huge values stay finite and still round to a code above every finite one.
 * 2. E = max(exponent field, emin), emin the biased f32 exponent of the format's
 *    smallest normal; magic = 2^(E - 127 + 23 - mbits), whose last mantissa bit is the
 *    format's spacing at |x| (normal or subnormal).
 * 3. |x| + magic rounds |x| to a multiple of that spacing, ties to even (OpenCL's
 *    default rounding); bits(sum) - bits(magic) is then |x| in spacings, 0 to 2^(mbits+1),
 *    and adding (E - emin) << mbits gives the code (a carry bumps the exponent). A
 *    device that flushes the subnormal f32 inputs gives 0 for them, as rounding does.
 */
uint qb__f8_round(uint mag, int mbits, uint emin, uint clampbits) {
  const uint a = min(mag, clampbits);
  const uint e = max(a >> 23, emin);
  const uint magic = (e + (uint) (23 - mbits)) << 23;
  const uint sum = as_uint(as_float(a) + as_float(magic));
  return sum - magic + ((e - emin) << mbits);
}

/* inf needs no case of its own: it rounds to a code above every finite one. */
uchar qb__f32_to_f8e4m3_bits(uint w, int saturate) {
  const uint sign = (w >> 24) & 0x80u;
  const uint mag = w & 0x7FFFFFFFu;
  const uint q = qb__f8_round(mag, 3, 121u, 0x44000000u); /* emin 2^-6, clamp at 512 */
  const uint over = saturate ? 0x7Eu : 0x7Fu;
  return (uchar) (sign | (mag > 0x7F800000u ? 0x7Fu : q > 0x7Eu ? over : q));
}

uint qb__f8e4m3_to_f32_bits(uchar b) {
  const uint sign = (uint) (b & 0x80u) << 24;
  const uint v = qb__small_to_f32((b >> 3) & 0xFu, b & 0x7u, 3, 7);
  return sign | ((b & 0x7Fu) == 0x7Fu ? 0x7FC00000u : v);
}

uchar qb__f32_to_f8e5m2_bits(uint w) {
  const uint sign = (w >> 24) & 0x80u;
  const uint mag = w & 0x7FFFFFFFu;
  const uint q = min(qb__f8_round(mag, 2, 113u, 0x47800000u), 0x7Cu); /* emin 2^-14, clamp at 65536 */
  return (uchar) (sign | (mag > 0x7F800000u ? 0x7Eu : q));
}

uint qb__f8e5m2_to_f32_bits(uchar b) {
  const uint sign = (uint) (b & 0x80u) << 24;
  const uint e = (b >> 2) & 0x1Fu;
  const uint m = b & 0x3u;
  const uint infnan = 0x7F800000u | (m << 21) | (m ? 0x400000u : 0u);
  return sign | (e == 0x1F ? infnan : qb__small_to_f32(e, m, 2, 15));
}

/* ---- The fp8 casts on 16 lanes (QB_SPAN16; lowbit.cl's encoders and decoders take the
 * first two as well) ---- */

/*
 * |x| (f32 bits) rounded to a small float of mbits mantissa bits by one float addition,
 * its code (exponent and mantissa bits) returned; emin = 128 - bias is the f32 exponent
 * of the format's smallest normal. 1. a is |x| clamped at clampbits (above the format's
 * largest value, so an overflow still gives a code above every finite one). 2. magic =
 * 2^(E + 23 - mbits), E = a's exponent but at least emin: a + magic keeps mbits bits
 * below a's leading bit (a fixed grid below the smallest normal) and rounds there to
 * nearest even. 3. The magic also carries E - emin above the code's mantissa bits in
 * its own mantissa (an even number of steps: ties still go to the even code; the sum
 * stays in the magic's binade), so the sum's mantissa bits are the code. 2x the MX
 * quantizers' speed on PoCL against two variable shifts and selects (as qb__f8_round);
 * the offset in the magic rather than added to the sum less the magic: per-128 FP8
 * quantize 1.08x, f32 -> FP6 / FP4 1.06x / 1.10x, NVFP4 1.04x.
 * Ties away (`away` 1): a's last bit set first. A tie of any of these grids has at most
 * mbits + 2 significant bits, so its last bit is 0, and the set bit lifts it just above
 * the tie, which then rounds up, away from zero; any other value either has that bit
 * already or moves to the next f32, and no tie lies between two neighbouring f32 (the
 * trick of the CPU MX quantizers, kernels/lowbit/README.md). Equal to fp.h's integer
 * rounding, both ties, on every finite non-negative f32 for E4M3, E5M2, E2M3, E3M2 and
 * E2M1 (checked exhaustively on PoCL, and the magic's offset against the subtraction
 * on every f32 bit pattern).
 */
uint16 qb__f8_round16(uint16 mag, int mbits, uint emin, uint clampbits, int away) {
  const uint16 a = min(mag, (uint16) clampbits) | (uint) (away != 0);
  const uint16 e = max(a >> 23, (uint16) emin);
  const uint16 magic = ((e + (uint) (23 - mbits)) << 23) + ((e - emin) << (uint) mbits);
  return as_uint16(as_float16(a) + as_float16(magic)) & 0x7FFFFFu;
}

/*
 * A small float's magnitude bits (exponent and mantissa, mbits of mantissa, no inf or NaN)
 * -> f32 bits, exact: the bits shifted into place with the exponent rebiased by one
 * integer addition. A subnormal (exponent field 0) is decoded as the normal of exponent
 * 1 with the same mantissa, less that normal's implicit 1 (2^(1 - bias)): one exact f32
 * subtraction, no f32 subnormal operand or result for these formats. 7 vector
 * operations per 16 codes where the exponent/mantissa split, the convert_float
 * normalization and two selects took 14.
 */
uint16 qb__small_mag_to_f32_16(uint16 mag, int mbits, int bias) {
  const uint16 o = (mag << (uint) (23 - mbits)) + ((uint) (127 - bias) << 23);
  const float one = as_float((uint) (128 - bias) << 23);
  const uint16 sub = as_uint16(as_float16(o + (1u << 23)) - one);
  return select(o, sub, mag < (1u << mbits));
}

uint16 qb__f8e4m3_to_f32_bits16(uint16 b) {
  const uint16 v = qb__small_mag_to_f32_16(b & 0x7Fu, 3, 7);
  return ((b & 0x80u) << 24) | select(v, (uint16) 0x7FC00000u, (b & 0x7Fu) == 0x7Fu);
}

uint16 qb__f8e5m2_to_f32_bits16(uint16 b) {
  const uint16 e = (b >> 2) & 0x1Fu;
  const uint16 m = b & 0x3u;
  const uint16 infnan = 0x7F800000u | (m << 21) | select((uint16) 0u, (uint16) 0x400000u, m != 0u);
  return ((b & 0x80u) << 24) | select(qb__small_mag_to_f32_16(b & 0x7Fu, 2, 15), infnan, e == 0x1Fu);
}

uint16 qb__f32_to_f8e4m3_bits16(uint16 w, int saturate) {
  const uint16 mag = w & 0x7FFFFFFFu;
  const uint16 q = qb__f8_round16(mag, 3, 121u, 0x44000000u, 0);
  const uint16 over = (uint16) (saturate ? 0x7Eu : 0x7Fu);
  return ((w >> 24) & 0x80u) | select(select(q, over, q > 0x7Eu), (uint16) 0x7Fu, mag > 0x7F800000u);
}

uint16 qb__f32_to_f8e5m2_bits16(uint16 w) {
  const uint16 mag = w & 0x7FFFFFFFu;
  const uint16 q = min(qb__f8_round16(mag, 2, 113u, 0x47800000u, 0), (uint16) 0x7Cu);
  return ((w >> 24) & 0x80u) | select(q, (uint16) 0x7Eu, mag > 0x7F800000u);
}

/*
 * f64 -> f32 as C's (float) cast on x86 does it: RNE, subnormals kept, overflow to
 * inf, NaN quieted with the top payload bits. Integer arithmetic, so it needs no fp64.
 * Every path is computed and one picked by selects (cvt.cl's rule: the early returns
 * this had kept PoCL's span loop scalar). Steps:
 * 1. A 53-bit significand (the implicit bit set) shifted right by 29 for a normal f32
 *    result, by 29 + 1 - ef more for a subnormal one (ef: the f32 biased exponent
 *    before rounding; shifts clamped to 54, enough to round everything below half the
 *    smallest subnormal to 0), rounded to nearest even as qb__shift_rne does (the sum
 *    stays below 2^55).
 * 2. Adding the exponent field (ef - 1 for normals, 0 for subnormals) to the rounded
 *    significand, implicit bit included, lets a carry bump the exponent, up to inf.
 * 3. Then the selects: NaN and inf; exponents beyond f32's range overflow; f64
 *    subnormals and values below 2^-151 (ef < -24) give 0.
 */
uint qb__f64_to_f32_bits(ulong w) {
  const uint sign = (uint) (w >> 32) & 0x80000000u;
  const ulong mag = w & 0x7FFFFFFFFFFFFFFFul;
  const int e = (int) (mag >> 52);
  const ulong m = mag & 0xFFFFFFFFFFFFFul;
  const int ef = e - 1023 + 127;
  const ulong full = m | 0x10000000000000ul;
  const ulong shift = (ulong) clamp(30 - ef, 29, 54);
  const ulong q = (full + (1ul << (shift - 1)) - 1ul + ((full >> shift) & 1ul)) >> shift;
  const uint fin = (ef >= 1 ? (uint) (ef - 1) << 23 : 0u) + (uint) q;
  const uint infnan = 0x7F800000u | (m ? 0x400000u | (uint) (m >> 29) : 0u);
  const uint r = e == 0x7FF ? infnan : ef >= 0xFF ? 0x7F800000u : (e == 0 || ef < -24) ? 0u : fin;
  return sign | r;
}

/* f32 -> f64, exact; a signaling NaN is quieted, payload kept (x86's cvtss2sd). A
 * subnormal m * 2^-149 is normalized by converting m to float (exact: m < 2^23, and no
 * subnormal is involved) instead of clz, which has no vector form on AVX2; selects, no
 * branches. */
ulong qb__f32_to_f64_bits(uint w) {
  const ulong sign = (ulong) (w & 0x80000000u) << 32;
  const uint e = (w >> 23) & 0xFFu;
  const uint m = w & 0x7FFFFFu;
  const ulong nrm = ((ulong) (e + 1023 - 127) << 52) | ((ulong) m << 29);
  /* m = 2^(E - 127) * 1.f with E, f from the float: the value is 2^(E - 127 - 149) * 1.f */
  const uint fb = as_uint(convert_float((int) m));
  const ulong sub =
      m == 0 ? 0ul : ((ulong) ((fb >> 23) - 127 - 149 + 1023) << 52) | ((ulong) (fb & 0x7FFFFFu) << 29);
  const ulong infnan = 0x7FF0000000000000ul | ((ulong) m << 29) | (m ? 0x8000000000000ul : 0ul);
  return sign | (e == 0xFF ? infnan : e == 0 ? sub : nrm);
}

#if QB_HAVE_FP64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
/*
 * qb__f64_to_f32_bits on a device with fp64 (the host defines QB_HAVE_FP64 1 there), by
 * the float unit: the integer steps above took PoCL 3.1 (AVX2) 50 operations per 4
 * elements and held the cast to 8 GB/s per core. Bit-exact with them whatever the
 * device does with subnormals and NaN payloads:
 * 1. |x| >= 2^-126: the cast to float rounds to nearest even (OpenCL's default) to a
 *    normal f32 or, beyond the range, inf; no subnormal is involved.
 * 2. |x| < 2^-126: 2^-97 + |x| rounds |x| to a multiple of 2^-149 (the sum's last
 *    mantissa bit), ties to even, and bits(sum) - bits(2^-97) is that multiple, which
 *    is the f32 subnormal's bits (2^23: the smallest normal). A device that flushes
 *    the f64 subnormal inputs adds 0 for them, which rounds to 0 as they do.
 * 3. NaN: quieted, its top payload bits kept (a select: devices differ there).
 * A device without fp64 keeps the integer steps.
 */
uint qb__f64_to_f32_bits_fp64(ulong w) {
  const ulong mag = w & 0x7FFFFFFFFFFFFFFFul;
  const double a = as_double(mag);
  const uint nrm = as_uint((float) a);
  const uint sub = (uint) (as_ulong(a + 0x1p-97) - 0x39E0000000000000ul);
  const uint nan = ((uint) (mag >> 29) & 0x7FFFFFFFu) | 0x00400000u;
  const uint r = mag > 0x7FF0000000000000ul ? nan : mag < 0x3810000000000000ul ? sub : nrm;
  return ((uint) (w >> 32) & 0x80000000u) | r;
}
#define QB_F64_TO_F32_BITS qb__f64_to_f32_bits_fp64
#else
#define QB_F64_TO_F32_BITS qb__f64_to_f32_bits
#endif

kernel void qb_f64_f32_cvt_ocl(ulong n, global const ulong* x, global uint* y) {
  QB_SPAN16(
      n, b,
      {
        QB_STREAM_PF(x + b);
        QB_STREAM_PF(x + b + 8);
        for (int k = 0; k < 16; k++) y[b + k] = QB_F64_TO_F32_BITS(x[b + k]);
      },
      i, y[i] = QB_F64_TO_F32_BITS(x[i]));
}

/*
 * qb__f32_to_f64_bits for 16 lanes in 32-bit words: the f64's high word is the sign,
 * the f32's exponent rebiased (+896; +1792 for inf and NaN, with the quiet bit; 0 for
 * zero) above its mantissa's top 20 bits, and the low word its last 3 bits; a
 * subnormal m * 2^-149 is first normalized by converting m to float (exact), and its
 * exponent rebiased by 747 (= 1023 - 149 - 127). The two words are interleaved into
 * the 64-bit lanes at the end. PoCL 3.1 (AVX2) made 35 operations per 4 elements of
 * the 64-bit per-element form (11.7 GB/s per core), about 24 per 8 of this one.
 */
#ifdef __clang__
/* clang-format off */
#define QB_ZIP_LO16(a, b) __builtin_shufflevector(a, b, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23)
#define QB_ZIP_HI16(a, b) __builtin_shufflevector(a, b, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31)
/* clang-format on */
#else
#define QB_ZIP_LO16(a, b) shuffle2(a, b, (uint16) (0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23))
#define QB_ZIP_HI16(a, b) \
  shuffle2(a, b, (uint16) (8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31))
#endif
QB_ALWAYS_INLINE void qb__f32_to_f64_16(global const uint* x, global ulong* y) {
  const uint16 w = QB_LOAD(uint16, x);
  const uint16 mag = w & 0x7FFFFFFFu;
  const int16 sub = as_int16(mag < 0x00800000u);
  const uint16 src = select(mag, as_uint16(convert_float16(as_int16(mag))), sub);
  uint16 off = select((uint16) (896u << 20), (uint16) (747u << 20), sub);
  off = select(off, (uint16) (1792u << 20), mag >= 0x7F800000u);
  off = select(off, (uint16) 0u, mag == 0u);
  const uint16 quiet = select((uint16) 0u, (uint16) 0x00080000u, mag > 0x7F800000u);
  const uint16 hi = (w & 0x80000000u) | ((src >> 3) + off) | quiet;
  const uint16 lo = src << 29;
  QB_STORE(uint16, y, QB_ZIP_LO16(lo, hi));
  QB_STORE(uint16, y + 8, QB_ZIP_HI16(lo, hi));
}

kernel void qb_f32_f64_cvt_ocl(ulong n, global const uint* x, global ulong* y) {
  QB_STREAM16(n, x, b, qb__f32_to_f64_16(x + b, y + b), i, y[i] = qb__f32_to_f64_bits(x[i]));
}

kernel void qb_f32_f16_cvt_ocl(ulong n, global const uint* x, global ushort* y) {
  QB_STREAM16(n, x, b,
              QB_STORE(ushort16, y + b, convert_ushort16(qb__f32_to_f16_bits16(QB_LOAD(uint16, x + b)))), i,
              y[i] = qb__f32_to_f16_bits(x[i]));
}

kernel void qb_f16_f32_cvt_ocl(ulong n, global const ushort* x, global uint* y) {
  QB_STREAM16(n, x, b,
              QB_STORE(uint16, y + b, qb__f16_to_f32_bits16(convert_uint16(QB_LOAD(ushort16, x + b)))), i,
              y[i] = qb__f16_to_f32_bits(x[i]));
}

/* OpenCL 1.2 core: vstore_half_rte rounds to nearest even, whatever the device's
 * default rounding; NaN payloads are the implementation's. */
kernel void qb_f32_f16_cvt_ocl_vhalf(ulong n, global const float* x, global half* y) {
  QB_SPAN(i, n, vstore_half_rte(x[i], i, y));
}

kernel void qb_f16_f32_cvt_ocl_vhalf(ulong n, global const half* x, global float* y) {
  QB_SPAN(i, n, y[i] = vload_half(i, x));
}

#if QB_HAVE_FP16
#pragma OPENCL EXTENSION cl_khr_fp16 : enable
kernel void qb_f32_f16_cvt_ocl_half(ulong n, global const float* x, global half* y) {
  QB_SPAN(i, n, y[i] = convert_half_rte(x[i]));
}

kernel void qb_f16_f32_cvt_ocl_half(ulong n, global const half* x, global float* y) {
  QB_SPAN(i, n, y[i] = convert_float(x[i]));
}
#endif

kernel void qb_f32_bf16_cvt_ocl(ulong n, global const uint* x, global ushort* y) {
  QB_STREAM16(n, x, b,
              QB_STORE(ushort16, y + b, convert_ushort16(qb__f32_to_bf16_bits16(QB_LOAD(uint16, x + b)))), i,
              y[i] = qb__f32_to_bf16_bits(x[i]));
}

kernel void qb_bf16_f32_cvt_ocl(ulong n, global const ushort* x, global uint* y) {
  QB_SPAN(i, n, y[i] = (uint) x[i] << 16);
}

kernel void qb_f32_f8e4m3_cvt_ocl(ulong n, global const uint* x, global uchar* y) {
  QB_STREAM16(n, x, b,
              QB_STORE(uchar16, y + b, convert_uchar16(qb__f32_to_f8e4m3_bits16(QB_LOAD(uint16, x + b), 0))),
              i, y[i] = qb__f32_to_f8e4m3_bits(x[i], 0));
}

kernel void qb_f32_f8e4m3_cvtsat_ocl(ulong n, global const uint* x, global uchar* y) {
  QB_STREAM16(n, x, b,
              QB_STORE(uchar16, y + b, convert_uchar16(qb__f32_to_f8e4m3_bits16(QB_LOAD(uint16, x + b), 1))),
              i, y[i] = qb__f32_to_f8e4m3_bits(x[i], 1));
}

kernel void qb_f8e4m3_f32_cvt_ocl(ulong n, global const uchar* x, global uint* y) {
  QB_STREAM16(n, x, b,
              QB_STORE(uint16, y + b, qb__f8e4m3_to_f32_bits16(convert_uint16(QB_LOAD(uchar16, x + b)))), i,
              y[i] = qb__f8e4m3_to_f32_bits(x[i]));
}

kernel void qb_f32_f8e5m2_cvt_ocl(ulong n, global const uint* x, global uchar* y) {
  QB_STREAM16(n, x, b,
              QB_STORE(uchar16, y + b, convert_uchar16(qb__f32_to_f8e5m2_bits16(QB_LOAD(uint16, x + b)))), i,
              y[i] = qb__f32_to_f8e5m2_bits(x[i]));
}

kernel void qb_f8e5m2_f32_cvt_ocl(ulong n, global const uchar* x, global uint* y) {
  QB_STREAM16(n, x, b,
              QB_STORE(uint16, y + b, qb__f8e5m2_to_f32_bits16(convert_uint16(QB_LOAD(uchar16, x + b)))), i,
              y[i] = qb__f8e5m2_to_f32_bits(x[i]));
}
