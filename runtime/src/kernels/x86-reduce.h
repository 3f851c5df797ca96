// Horizontal reductions, the end of an int8 row, and the group loading of activation rounding,
// shared by the AVX2 and AVX-512 kernel variants (included only by files compiled with AVX2
// enabled). Like the other x86 kernel headers it sits in an unnamed namespace: each file compiled
// for its own ISA keeps its own copy, where one shared inline copy, whichever the linker kept,
// could carry AVX-512 encodings into an AVX2 variant.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "runtime/src/kernels/gemm.h"
#include "runtime/src/kernels/weight-rows.h"

namespace griffin {
namespace {

inline float horizontal_sum(__m256 v) {
  __m128 sum = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  sum = _mm_add_ps(sum, _mm_movehl_ps(sum, sum));
  sum = _mm_add_ss(sum, _mm_movehdup_ps(sum));
  return _mm_cvtss_f32(sum);
}

// The sum of 8 int32 lanes (exact while it fits, as for a group of int8 values).
inline int32_t sum_lanes(__m256i v) {
  __m128i sum = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  sum = _mm_add_epi32(sum, _mm_shuffle_epi32(sum, 0x4E));
  sum = _mm_add_epi32(sum, _mm_shuffle_epi32(sum, 0xB1));
  return _mm_cvtsi128_si32(sum);
}

// The lane sums of 8 vectors, in order, as one vector.
inline __m256i sum_lanes8(const __m256i v[8]) {
  // hadd works within 128-bit halves: ab holds v0..v3's sums of lanes 0-3 in its low half and
  // of lanes 4-7 in its high half.
  const __m256i ab =
      _mm256_hadd_epi32(_mm256_hadd_epi32(v[0], v[1]), _mm256_hadd_epi32(v[2], v[3]));
  const __m256i cd =
      _mm256_hadd_epi32(_mm256_hadd_epi32(v[4], v[5]), _mm256_hadd_epi32(v[6], v[7]));
  return _mm256_add_epi32(_mm256_permute2x128_si256(ab, cd, 0x20),
                          _mm256_permute2x128_si256(ab, cd, 0x31));
}

// An int8 row's output from the f32 sum of its scaled group dots: sum · row scale + bias in one
// explicit FMA. Left to the compiler, `sum * scale + bias` is contracted in some tile shapes and
// not others, and a token's bits would depend on its tile.
inline float int8_row_output(const GemmArgs& p, size_t n, float sum) {
  const __m128 y =
      _mm_fmadd_ss(_mm_set_ss(sum), _mm_set_ss(weight_row_scale(p, n)), _mm_set_ss(bias_of(p, n)));
  return _mm_cvtss_f32(y);
}

// Activation group `g` of 32 floats from a row of k values as four vectors; values past k are
// zero (they change neither the group's largest value nor their own rounding).
inline void load_group(const float* row, size_t k, size_t g, __m256 v[4]) {
  const float* x = row + g * 32;
  float padded[32];
  if (g * 32 + 32 > k) {
    const size_t count = g * 32 < k ? k - g * 32 : 0;
    for (size_t i = 0; i < 32; ++i) padded[i] = i < count ? x[i] : 0.0f;
    x = padded;
  }
  for (size_t i = 0; i < 4; ++i) v[i] = _mm256_loadu_ps(x + 8 * i);
}

// The largest |x| of a group of 32, or 0 when it is below 1e-30: the inverse scale 127 / max
// (32767 / max for int16) would overflow to infinity, which has no integer value.
inline float group_abs_max(const __m256 v[4]) {
  const __m256 magnitude = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
  const __m256 largest =
      _mm256_max_ps(_mm256_max_ps(_mm256_and_ps(v[0], magnitude), _mm256_and_ps(v[1], magnitude)),
                    _mm256_max_ps(_mm256_and_ps(v[2], magnitude), _mm256_and_ps(v[3], magnitude)));
  __m128 top = _mm_max_ps(_mm256_castps256_ps128(largest), _mm256_extractf128_ps(largest, 1));
  top = _mm_max_ps(top, _mm_movehl_ps(top, top));
  top = _mm_max_ss(top, _mm_movehdup_ps(top));
  const float max_abs = _mm_cvtss_f32(top);
  return max_abs >= 1e-30f ? max_abs : 0.0f;
}

}  // namespace
}  // namespace griffin
