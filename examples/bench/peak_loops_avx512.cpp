// Peak loops on AVX-512 (peak_loops.h): the f32 FMA of the avx512f variants, the VNNI int8 dot
// (vpdpbusd) of the integer families' avx512vnni variants and the VNNI int16 dot (vpdpwssd) of
// f32-qs8w avx512vnni, all on 512-bit vectors, as the kernels' inner loops run them (the
// repacked prefill blocks and the decode rows; only the tails of a product use 256 bits).
// The width matters on Intel cores with two 512-bit FMA units: on a Xeon (family 6 model 207)
// a 512-bit vpdpbusd did 1.7-1.9 x the multiply-adds per second of a 256-bit one, where Zen 4,
// which runs 512-bit operations in two halves, does the same in either width.
#include <immintrin.h>

#include "examples/bench/peak_loops.h"

namespace griffin_tools {

namespace {
volatile int sink;
}

uint64_t peak_f32_avx512(uint64_t iterations) {
  constexpr int kChains = 16;
  __m512 acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = _mm512_set1_ps(1e-3f * static_cast<float>(i));
  const __m512 scale = _mm512_set1_ps(0.999f), offset = _mm512_set1_ps(1e-3f);
  for (uint64_t it = 0; it < iterations; ++it) {
    for (int i = 0; i < kChains; ++i) acc[i] = _mm512_fmadd_ps(acc[i], scale, offset);
  }
  __m512 total = acc[0];
  for (int i = 1; i < kChains; ++i) total = _mm512_add_ps(total, acc[i]);
  sink = _mm512_reduce_add_ps(total) > 0.0f;
  return iterations * kChains * 16;
}

uint64_t peak_int8_vnni(uint64_t iterations) {
  constexpr int kChains = 12;  // vpdpbusd latency 5 × 2 per cycle, plus headroom
  __m512i acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = _mm512_setzero_si512();
  const __m512i w = _mm512_set1_epi8(3), a = _mm512_set1_epi8(-5);
  for (uint64_t it = 0; it < iterations; ++it) {
    for (int i = 0; i < kChains; ++i) acc[i] = _mm512_dpbusd_epi32(acc[i], w, a);
  }
  __m512i total = acc[0];
  for (int i = 1; i < kChains; ++i) total = _mm512_add_epi32(total, acc[i]);
  sink = _mm_cvtsi128_si32(_mm512_castsi512_si128(total));  // one lane, as peak_int16_vnni
  return iterations * kChains * 64;
}

uint64_t peak_int16_vnni(uint64_t iterations) {
  constexpr int kChains = 12;
  __m512i acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = _mm512_setzero_si512();
  const __m512i w = _mm512_set1_epi16(3), a = _mm512_set1_epi16(-5);
  for (uint64_t it = 0; it < iterations; ++it) {
    for (int i = 0; i < kChains; ++i) acc[i] = _mm512_dpwssd_epi32(acc[i], w, a);
  }
  __m512i total = acc[0];
  for (int i = 1; i < kChains; ++i) total = _mm512_add_epi32(total, acc[i]);
  // One lane, not _mm512_reduce_add_epi32: GCC sums that in C ints, whose wrap-around is
  // undefined (UBSan stops on it), and the lanes wrap here as vpdpwssd's do.
  sink = _mm_cvtsi128_si32(_mm512_castsi512_si128(total));
  return iterations * kChains * 32;
}

}  // namespace griffin_tools
