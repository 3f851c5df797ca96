// The AVX-512 VNNI dot products for qd8-x86-tile.h, on 256-bit vectors (AVX512VL): vpdpbusd
// sums four u8·s8 products per 32-bit lane without saturation. For int4 the offset −8 · Σa is
// the accumulator's starting value, so a (token, row, group) costs one instruction. Included
// only by files compiled with VNNI enabled.
#pragma once

#include <immintrin.h>

namespace griffin {
namespace {

struct VnniDot {
  static __m256i int4_offset(__m256i a) {
    const __m256i eights = _mm256_set1_epi8(8);
    return _mm256_sub_epi32(_mm256_setzero_si256(),
                            _mm256_dpbusd_epi32(_mm256_setzero_si256(), eights, a));
  }
  static __m256i int4_dot(__m256i u, __m256i a, __m256i offset) {
    return _mm256_dpbusd_epi32(offset, u, a);
  }
  static __m256i int8_dot(__m256i w_abs, __m256i a_signed) {
    return _mm256_dpbusd_epi32(_mm256_setzero_si256(), w_abs, a_signed);
  }
};

}  // namespace
}  // namespace griffin
