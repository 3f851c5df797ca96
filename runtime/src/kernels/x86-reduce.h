// Horizontal sum of an __m256, shared by the AVX2 and AVX-512 kernel variants (included only
// by files compiled with AVX2 enabled).
#pragma once

#include <immintrin.h>

namespace griffin {

inline float horizontal_sum(__m256 v) {
  __m128 sum = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  sum = _mm_add_ps(sum, _mm_movehl_ps(sum, sum));
  sum = _mm_add_ss(sum, _mm_movehdup_ps(sum));
  return _mm_cvtss_f32(sum);
}

}  // namespace griffin
