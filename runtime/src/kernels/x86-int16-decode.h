// Single-token decode of int8 weight rows (f32-qs8w) on AVX2 with the activations rounded to
// 16 bits: the f32 path widens every weight through vpmovsxbd + vcvtdq2ps, and on CPUs with
// one conversion pipe (Zen 1) that, not memory, bounds decode. Here the token's activations
// are rounded once per call to int16 in groups of 32 (scale = max|x| / 32767, so each value
// is within 1/65534 of its group's largest), each weight is sign-extended to 16 bits and
// `vpmaddwd` gives exact 32-bit sums of pairs of products: one conversion per group of 32
// instead of four. Each of a group's 8 lanes sums 4 products (|sum| <= 4 · 127 · 32767 < 2^24),
// so its conversion to f32 is exact; it is scaled in f32, the row's scale and bias come last.
// GemmArgs::int16_decode asks for it (Session::decode); prefill keeps f32 activations, so any
// chunking still gives the same bits. Included only by files compiled with AVX2 + FMA.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "runtime/src/kernels/gemm.h"
#include "runtime/src/kernels/weight-rows.h"
#include "runtime/src/kernels/x86-reduce.h"

namespace griffin {

// The widest padded row the decode rounds on the stack (32 KB + 2 KB); wider rows (none in
// RecurrentGemma 2B/9B: at most 12,288 columns) take the f32 path.
constexpr size_t kInt16DecodeMaxColumns = 16384;

// a [k] f32 -> q [kp] int16 and scales [kp / 32]; the padding past k is zero.
inline void quantize_int16_groups(size_t k, size_t kp, const float* a, int16_t* q, float* scales) {
  const __m256 sign_bit = _mm256_set1_ps(-0.0f);
  for (size_t g = 0; g < kp / 32; ++g) {
    alignas(32) float padded[32];
    const float* x = a + g * 32;
    if (g * 32 + 32 > k) {
      for (size_t i = 0; i < 32; ++i) padded[i] = g * 32 + i < k ? x[i] : 0.0f;
      x = padded;
    }
    __m256 v[4];
    __m256 largest = _mm256_setzero_ps();
    for (size_t i = 0; i < 4; ++i) {
      v[i] = _mm256_loadu_ps(x + 8 * i);
      largest = _mm256_max_ps(largest, _mm256_andnot_ps(sign_bit, v[i]));
    }
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(largest), _mm256_extractf128_ps(largest, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    // A group below 1e-30 (where 32767 / max would overflow) counts as zero.
    const float max_abs = _mm_cvtss_f32(m) >= 1e-30f ? _mm_cvtss_f32(m) : 0.0f;
    scales[g] = max_abs / 32767.0f;
    const __m256 inverse = _mm256_set1_ps(max_abs > 0.0f ? 32767.0f / max_abs : 0.0f);
    for (size_t half = 0; half < 2; ++half) {
      // Round to nearest; packs saturates (|x · inverse| <= 32767 up to rounding) and
      // interleaves 128-bit lanes, which the permute puts back in column order.
      const __m256i low = _mm256_cvtps_epi32(_mm256_mul_ps(v[2 * half], inverse));
      const __m256i high = _mm256_cvtps_epi32(_mm256_mul_ps(v[2 * half + 1], inverse));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(q + g * 32 + 16 * half),
                          _mm256_permute4x64_epi64(_mm256_packs_epi32(low, high), 0xD8));
    }
  }
}

// Rows n0..n0+NR-1 of the token: per group, two vpmaddwd per row, one conversion, one FMA.
template <size_t NR>
inline void int16_decode_tile(const GemmArgs& p, const int16_t* q, const float* q_scales,
                              size_t n0) {
  const size_t groups = p.kp / 32;
  const uint8_t* w[NR];
  for (size_t j = 0; j < NR; ++j) w[j] = weight_row<uint8_t>(p, n0 + j);
  const uint8_t* ahead = w[0] + kPrefetchTiles * NR * p.w_row_bytes;
  __m256 acc[NR];
  for (size_t j = 0; j < NR; ++j) acc[j] = _mm256_setzero_ps();
  for (size_t g = 0; g < groups; ++g) {
    prefetch_lines(ahead + g * NR * 32, NR * 32);
    const __m256i a0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q + g * 32));
    const __m256i a1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q + g * 32 + 16));
    const __m256 scale = _mm256_broadcast_ss(q_scales + g);
    for (size_t j = 0; j < NR; ++j) {
      const __m256i w0 =
          _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w[j] + g * 32)));
      const __m256i w1 = _mm256_cvtepi8_epi16(
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(w[j] + g * 32 + 16)));
      const __m256i dot = _mm256_add_epi32(_mm256_madd_epi16(w0, a0), _mm256_madd_epi16(w1, a1));
      acc[j] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot), scale, acc[j]);
    }
  }
  for (size_t j = 0; j < NR; ++j) {
    const __m128 y =
        _mm_fmadd_ss(_mm_set_ss(horizontal_sum(acc[j])), _mm_set_ss(weight_row_scale(p, n0 + j)),
                     _mm_set_ss(bias_of(p, n0 + j)));
    p.y[n0 + j] = _mm_cvtss_f32(y);
  }
}

// Token 0 of rows [n_begin, n_end) in 1×4 tiles. Each call (one per thread-pool task) rounds
// the token itself: a few hundred cycles against the hundreds of thousands its rows take.
inline void int16_decode(const GemmArgs& p, size_t n_begin, size_t n_end) {
  alignas(32) int16_t q[kInt16DecodeMaxColumns];
  float q_scales[kInt16DecodeMaxColumns / 32];
  quantize_int16_groups(p.k, p.kp, p.a, q, q_scales);
  size_t n = n_begin;
  for (; n + 4 <= n_end; n += 4) int16_decode_tile<4>(p, q, q_scales, n);
  for (; n < n_end; ++n) int16_decode_tile<1>(p, q, q_scales, n);
}

inline bool wants_int16_decode(const GemmArgs& p) {
  return p.int16_decode && p.m == 1 && p.kp <= kInt16DecodeMaxColumns;
}

}  // namespace griffin
