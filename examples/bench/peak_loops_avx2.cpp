// Peak loops on AVX2 + FMA (peak_loops.h): the f32 FMA of f32-bf16w / f32-qs8w and the int8
// dot of qd8-qs8w / qd8-qs4w (vpmaddubsw, then vpmaddwd against ones, added into 32-bit lanes).
#include <immintrin.h>

#include "examples/bench/peak_loops.h"

namespace griffin_tools {

namespace {
volatile int sink;  // keeps each loop's result alive
}

uint64_t peak_f32_avx2(uint64_t iterations) {
  constexpr int kChains = 12;  // FMA latency 4-5 cycles × 2 per cycle, plus headroom
  __m256 acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = _mm256_set1_ps(1e-3f * static_cast<float>(i));
  const __m256 scale = _mm256_set1_ps(0.999f), offset = _mm256_set1_ps(1e-3f);
  for (uint64_t it = 0; it < iterations; ++it) {
    for (int i = 0; i < kChains; ++i) acc[i] = _mm256_fmadd_ps(acc[i], scale, offset);
  }
  __m256 total = acc[0];
  for (int i = 1; i < kChains; ++i) total = _mm256_add_ps(total, acc[i]);
  sink = _mm256_cvtss_f32(total) > 0.0f;
  return iterations * kChains * 8;
}

uint64_t peak_int8_avx2(uint64_t iterations) {
  constexpr int kChains = 8;
  __m256i acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = _mm256_setzero_si256();
  __m256i w = _mm256_set1_epi8(3);
  const __m256i a = _mm256_set1_epi8(-5), ones = _mm256_set1_epi16(1);
  for (uint64_t it = 0; it < iterations; ++it) {
    for (int i = 0; i < kChains; ++i) {
      __asm__ volatile("" : "+x"(w));  // the products cannot be hoisted or shared
      acc[i] = _mm256_add_epi32(acc[i], _mm256_madd_epi16(_mm256_maddubs_epi16(w, a), ones));
    }
  }
  __m256i total = acc[0];
  for (int i = 1; i < kChains; ++i) total = _mm256_add_epi32(total, acc[i]);
  sink = _mm256_extract_epi32(total, 0);
  return iterations * kChains * 32;
}

// The int16 dot of f32-qs8w with int16 activations (x86-int16-decode.h, x86-int16-prefill.h):
// vpmaddwd of the widened weights and the rounded activations, added into 32-bit lanes.
uint64_t peak_int16_avx2(uint64_t iterations) {
  constexpr int kChains = 8;
  __m256i acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = _mm256_setzero_si256();
  __m256i w = _mm256_set1_epi16(3);
  const __m256i a = _mm256_set1_epi16(-5);
  for (uint64_t it = 0; it < iterations; ++it) {
    for (int i = 0; i < kChains; ++i) {
      __asm__ volatile("" : "+x"(w));  // the products cannot be hoisted or shared
      acc[i] = _mm256_add_epi32(acc[i], _mm256_madd_epi16(w, a));
    }
  }
  __m256i total = acc[0];
  for (int i = 1; i < kChains; ++i) total = _mm256_add_epi32(total, acc[i]);
  sink = _mm256_extract_epi32(total, 0);
  return iterations * kChains * 16;
}

}  // namespace griffin_tools
