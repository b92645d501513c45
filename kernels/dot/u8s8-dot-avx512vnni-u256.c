/* u8 . s8 -> s32 with vpdpbusd (AVX512_VNNI): each s32 lane adds four u8 * s8 products,
 * wrapping (never saturating), and n <= QB_U8S8_DOT_MAX_N keeps every lane sum in s32,
 * so the result is exact. 4 accumulators cover vpdpbusd's 5-cycle latency; a masked
 * tail (masked-off bytes read as 0). */
#include <assert.h>

#include "dot/dot.h"
#include "dot/dot-x86.h"
#include "qb/ukernel.h"

void qb_u8s8_dot_ukernel__avx512vnni_u256(size_t n, const void* a, const void* b, void* out) {
  const uint8_t* x = (const uint8_t*) a;
  const int8_t* y = (const int8_t*) b;
  __m512i acc0 = _mm512_setzero_si512(), acc1 = _mm512_setzero_si512();
  __m512i acc2 = _mm512_setzero_si512(), acc3 = _mm512_setzero_si512();
  size_t i = 0;
  assert(out != NULL);
  assert(n <= QB_U8S8_DOT_MAX_N);
  assert(n == 0 || (a != NULL && b != NULL));
  for (; i + 256 <= n; i += 256) {
    acc0 = _mm512_dpbusd_epi32(acc0, _mm512_loadu_si512(x + i), _mm512_loadu_si512(y + i));
    acc1 = _mm512_dpbusd_epi32(acc1, _mm512_loadu_si512(x + i + 64), _mm512_loadu_si512(y + i + 64));
    acc2 = _mm512_dpbusd_epi32(acc2, _mm512_loadu_si512(x + i + 128), _mm512_loadu_si512(y + i + 128));
    acc3 = _mm512_dpbusd_epi32(acc3, _mm512_loadu_si512(x + i + 192), _mm512_loadu_si512(y + i + 192));
  }
  while (i < n) {
    const size_t left = n - i;
    const __mmask64 m = left >= 64 ? ~(__mmask64) 0 : qb__mask_low64(left);
    acc0 = _mm512_dpbusd_epi32(acc0, _mm512_maskz_loadu_epi8(m, x + i), _mm512_maskz_loadu_epi8(m, y + i));
    i += left >= 64 ? 64 : left;
  }
  acc0 = _mm512_add_epi32(_mm512_add_epi32(acc0, acc1), _mm512_add_epi32(acc2, acc3));
  *(int32_t*) out = qb__hsum_epi32_512(acc0);
}
