// The AVX-512 VNNI dot product for qd8-x86-tile.h, on 256-bit vectors (AVX512VL): vpdpbusd sums
// four u8·s8 products per 32-bit lane without saturation. Included only by files compiled with
// VNNI enabled.
#pragma once

#include <immintrin.h>

namespace griffin {

struct VnniDot {
  static __m256i dot(__m256i w_abs, __m256i a_signed) {
    return _mm256_dpbusd_epi32(_mm256_setzero_si256(), w_abs, a_signed);
  }
};

}  // namespace griffin
