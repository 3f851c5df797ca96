// The AVX-512 VNNI dot products for qd8-x86-tile.h, on 256-bit vectors (AVX512VL): vpdpbusd
// sums four u8·s8 products per 32-bit lane without saturation. For int4 the offset −8 · Σa is
// the accumulator's starting value, so a (token, row, group) costs one instruction. Included
// only by files compiled with VNNI enabled.
#pragma once

#include <immintrin.h>

namespace griffin {
namespace {

struct VnniDot {
  // A group's 16 bytes as its 32 values (unpack_nibbles' result): the bytes in both halves,
  // the high half shifted by 4 (vpsrlvw), one mask. Two ALU operations, where unpack_nibbles
  // takes four (a decode tile's unpacking was about half its work).
  static __m256i unpack(const uint8_t* group) {
    const __m256i bytes =
        _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(group)));
    const __m256i shifts = _mm256_set_epi64x(0x0004000400040004, 0x0004000400040004, 0, 0);
    return _mm256_and_si256(_mm256_srlv_epi16(bytes, shifts), _mm256_set1_epi8(0x0f));
  }
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
