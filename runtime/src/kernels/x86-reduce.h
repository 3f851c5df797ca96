// Horizontal sum of an __m256, shared by the AVX2 and AVX-512 kernel variants (included only
// by files compiled with AVX2 enabled). Like the other x86 kernel headers it sits in an unnamed
// namespace: each file compiled for its own ISA keeps its own copy, where one shared inline
// copy, whichever the linker kept, could carry AVX-512 encodings into an AVX2 variant.
#pragma once

#include <immintrin.h>

namespace griffin {
namespace {

inline float horizontal_sum(__m256 v) {
  __m128 sum = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  sum = _mm_add_ps(sum, _mm_movehl_ps(sum, sum));
  sum = _mm_add_ss(sum, _mm_movehdup_ps(sum));
  return _mm_cvtss_f32(sum);
}

}  // namespace
}  // namespace griffin
