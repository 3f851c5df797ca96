// Peak loops on AVX-512 (peak_loops.h): the f32 FMA of the avx512f variants on 512-bit vectors,
// the VNNI int8 dot (vpdpbusd) of the avx512vnni variants on 256-bit vectors, and the VNNI int16
// dot (vpdpwssd) of f32-qs8w avx512vnni on 512-bit vectors, as they run.
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
  __m256i acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = _mm256_setzero_si256();
  const __m256i w = _mm256_set1_epi8(3), a = _mm256_set1_epi8(-5);
  for (uint64_t it = 0; it < iterations; ++it) {
    for (int i = 0; i < kChains; ++i) acc[i] = _mm256_dpbusd_epi32(acc[i], w, a);
  }
  __m256i total = acc[0];
  for (int i = 1; i < kChains; ++i) total = _mm256_add_epi32(total, acc[i]);
  sink = _mm256_extract_epi32(total, 0);
  return iterations * kChains * 32;
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
