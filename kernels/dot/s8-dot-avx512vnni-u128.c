/*
 * s8 . s8 -> s32 with vpdpbusd (AVX512_VNNI), which multiplies *unsigned* bytes by
 * signed bytes. The unsigned-offset trick makes a signed a fit:
 *   1. a + 128 is in [0, 255], and as a byte it is a XOR 0x80;
 *   2. sum (a + 128) b = sum a b + 128 sum b, so sum a b = sum (a + 128) b - sum 128 b;
 *   3. the second sum is one more vpdpbusd, with 0x80 bytes as the unsigned operand.
 * Both sums can exceed s32 (up to n * 255 * 128) and vpdpbusd wraps rather than
 * saturates; s32 lanes compute modulo 2^32, so the difference is sum a b modulo 2^32,
 * and that is the true result because n <= QB_S8_DOT_MAX_N makes it fit in s32.
 * 2 data and 2 correction accumulators of 16 lanes; a masked tail (masked-off bytes
 * read as 0, so b = 0 there and both sums gain nothing). Per 64 pairs: 2 loads, 1 xor,
 * 2 vpdpbusd; on Zen 4 a zmm vpdpbusd takes the two 256-bit multiply pipes for a
 * cycle (one per cycle; vpsadbw, the other way to sum b, takes the same pipes), so 2
 * cycles per 64 pairs, which is also the L1 load roof (64 bytes per cycle).
 */
#include <assert.h>

#include "dot/dot.h"
#include "dot/dot-x86.h"
#include "qb/ukernel.h"

void qb_s8_dot_ukernel__avx512vnni_u128(size_t n, const void* a, const void* b, void* out) {
  const int8_t* x = (const int8_t*) a;
  const int8_t* y = (const int8_t*) b;
  const __m512i offset = _mm512_set1_epi8((char) 0x80);
  __m512i acc0 = _mm512_setzero_si512(), acc1 = _mm512_setzero_si512();
  __m512i corr0 = _mm512_setzero_si512(), corr1 = _mm512_setzero_si512();
  size_t i = 0;
  assert(out != NULL);
  assert(n <= QB_S8_DOT_MAX_N);
  assert(n == 0 || (a != NULL && b != NULL));
  for (; i + 128 <= n; i += 128) {
    __m512i vy0 = _mm512_loadu_si512(y + i);
    __m512i vy1 = _mm512_loadu_si512(y + i + 64);
    /* Each b vector feeds two vpdpbusd; without this GCC 12 folds its load into both
     * as a memory operand, and the loop reads b twice: 3 zmm loads per 64 pairs, which
     * on Zen 4 (one zmm load per cycle) bound it at 3 cycles against the 2 of its
     * vpdpbusd. The empty asm holds each b vector in a register. */
    __asm__("" : "+v"(vy0), "+v"(vy1));
    acc0 = _mm512_dpbusd_epi32(acc0, _mm512_xor_si512(_mm512_loadu_si512(x + i), offset), vy0);
    acc1 = _mm512_dpbusd_epi32(acc1, _mm512_xor_si512(_mm512_loadu_si512(x + i + 64), offset), vy1);
    corr0 = _mm512_dpbusd_epi32(corr0, offset, vy0);
    corr1 = _mm512_dpbusd_epi32(corr1, offset, vy1);
  }
  while (i < n) {
    const size_t left = n - i;
    const __mmask64 m = left >= 64 ? ~(__mmask64) 0 : qb__mask_low64(left);
    const __m512i vy = _mm512_maskz_loadu_epi8(m, y + i);
    acc0 = _mm512_dpbusd_epi32(acc0, _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, x + i), offset), vy);
    corr0 = _mm512_dpbusd_epi32(corr0, offset, vy);
    i += left >= 64 ? 64 : left;
  }
  acc0 = _mm512_sub_epi32(_mm512_add_epi32(acc0, acc1), _mm512_add_epi32(corr0, corr1));
  *(int32_t*) out = qb__hsum_epi32_512(acc0);
}
