// Decode of int8 weight rows (f32-qs8w) with int16 activations on AVX-512 VNNI, for a lone token
// or a batch of up to kVnniInt16MaxTokens (griffin_batch_decode). x86-int16-decode.h, the AVX2
// form, spends a conversion and an FMA per group of 32 columns and token; at a batch of four
// that, not memory, bounds it (2B on Zen 4: 162 ms a step against 88 for one token), and larger
// batches fell back to widening every weight to f32.
//
// Here a weight row is read in blocks of 128 columns, as four registers of 32 int16 (each 32
// bytes sign-extended once for all the tokens), and `vpdpwssd` adds each register's products
// pairwise into 16 int32 lanes: lane l of the block's sum holds columns 32t + 2l and 32t + 2l + 1
// for t = 0..3. The activations are rounded to int16 in four groups per block chosen to match
// those lanes: group j holds the columns whose offset in their 32 is 8j..8j+7, so lanes 4j..4j+3
// belong to group j alone. One conversion and one FMA by the groups' scales (spread over their
// four lanes) then cover 128 columns of a token, where the AVX2 form needs four of each. A group
// still has 32 values (fewer in a short last block), each within 1/65534 of its group's largest,
// as in the AVX2 form; only which 32 differs, so the bits differ from it by rounding.
//
// A lane sums 8 products of at most 128 · 32767, up to 2^25: its conversion to f32 rounds to
// 24 bits where the AVX2 form's 4 products stayed exact (a relative 6e-8, like any f32 add). A
// token sums in the same order whatever the batch, so each session of a batch gets the bits of
// its lone decode. Each call (one per thread-pool task) rounds its tokens itself on the stack:
// up to 136 KB (kVnniInt16StackValues int16 and their scales), on the x86 machines this runs on.
// Included only by files compiled with AVX-512 VNNI (+VL, BW).
#pragma once

#include <immintrin.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "runtime/src/kernels/gemm.h"
#include "runtime/src/kernels/qd8-avx512-decode.h"
#include "runtime/src/kernels/tiling.h"
#include "runtime/src/kernels/weight-rows.h"
#include "runtime/src/kernels/x86-reduce.h"

namespace griffin {
namespace {

constexpr size_t kVnniInt16MaxTokens = 8;
// The most values one call rounds (tokens × padded columns): 128 KB of int16 and 8 KB of scales
// on the stack. Eight tokens of 2B's widest input (7680) fit; a batch past it takes f32 tiles.
constexpr size_t kVnniInt16StackValues = 65536;
constexpr size_t kBlockColumns = 128;

inline size_t int16_blocks(size_t kp) {
  return (kp + kBlockColumns - 1) / kBlockColumns;
}

// 16 floats of a row from column `c` on; columns past k are zero.
inline __m512 load_columns(const float* row, size_t k, size_t c) {
  if (c + 16 <= k) return _mm512_loadu_ps(row + c);
  const size_t count = c < k ? k - c : 0;
  return _mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << count) - 1u), row + c);
}

// a [k] f32 -> q [kp] int16 in column order and scales [blocks, 4] (group j of a block: the
// columns 8j..8j+7 of each of its 32s); padding past k is zero, as is a group whose largest
// |x| is below 1e-30 (32767 / max would overflow).
inline void quantize_int16_lanes(size_t k, size_t kp, const float* a, int16_t* q, float* scales) {
  for (size_t b = 0; b < int16_blocks(kp); ++b) {
    const size_t first = b * kBlockColumns;
    const size_t regs = std::min<size_t>(4, (kp - first) / 32);
    __m512 low[4], high[4];  // columns 32t..32t+15 (groups 0, 1) and 32t+16..32t+31 (2, 3)
    __m512 low_max = _mm512_setzero_ps(), high_max = _mm512_setzero_ps();
    for (size_t t = 0; t < regs; ++t) {
      low[t] = load_columns(a, k, first + 32 * t);
      high[t] = load_columns(a, k, first + 32 * t + 16);
      low_max = _mm512_max_ps(low_max, _mm512_abs_ps(low[t]));
      high_max = _mm512_max_ps(high_max, _mm512_abs_ps(high[t]));
    }
    const float group_max[4] = {
        _mm512_mask_reduce_max_ps(0x00ff, low_max), _mm512_mask_reduce_max_ps(0xff00, low_max),
        _mm512_mask_reduce_max_ps(0x00ff, high_max), _mm512_mask_reduce_max_ps(0xff00, high_max)};
    float inverse[4];
    for (size_t j = 0; j < 4; ++j) {
      const bool zero = !(group_max[j] >= 1e-30f);
      scales[b * 4 + j] = zero ? 0.0f : group_max[j] / 32767.0f;
      inverse[j] = zero ? 0.0f : 32767.0f / group_max[j];
    }
    const __m512 low_inverse =
        _mm512_mask_blend_ps(0xff00, _mm512_set1_ps(inverse[0]), _mm512_set1_ps(inverse[1]));
    const __m512 high_inverse =
        _mm512_mask_blend_ps(0xff00, _mm512_set1_ps(inverse[2]), _mm512_set1_ps(inverse[3]));
    for (size_t t = 0; t < regs; ++t) {
      // Round to nearest, then narrow with saturation (|x · inverse| <= 32767 up to rounding).
      int16_t* out = q + first + 32 * t;
      _mm256_storeu_si256(
          reinterpret_cast<__m256i*>(out),
          _mm512_cvtsepi32_epi16(_mm512_cvtps_epi32(_mm512_mul_ps(low[t], low_inverse))));
      _mm256_storeu_si256(
          reinterpret_cast<__m256i*>(out + 16),
          _mm512_cvtsepi32_epi16(_mm512_cvtps_epi32(_mm512_mul_ps(high[t], high_inverse))));
    }
  }
}

// Tokens 0..MR-1 × rows n0..n0+NR-1 over one block of `regs` registers (4 but in a short last
// block): exact int32 lane sums, then per token one conversion and one FMA by its spread scales.
template <size_t MR, size_t NR>
inline void int16_vnni_block(const GemmArgs& p, const int16_t* q, const float* q_scales,
                             const uint8_t* const w[NR], size_t b, size_t regs,
                             __m512 acc[MR][NR]) {
  const size_t first = b * kBlockColumns;
  __m512i dot[MR][NR];
  for (size_t i = 0; i < MR; ++i) {
    for (size_t j = 0; j < NR; ++j) dot[i][j] = _mm512_setzero_si512();
  }
  for (size_t t = 0; t < regs; ++t) {
    for (size_t j = 0; j < NR; ++j) {
      const __m512i weights = _mm512_cvtepi8_epi16(
          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[j] + first + 32 * t)));
      for (size_t i = 0; i < MR; ++i) {
        const __m512i a = _mm512_loadu_si512(q + i * p.kp + first + 32 * t);
        dot[i][j] = _mm512_dpwssd_epi32(dot[i][j], weights, a);
      }
    }
  }
  // Lane l belongs to group l / 4.
  const __m512i spread = _mm512_set_epi32(3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0);
  const size_t blocks = int16_blocks(p.kp);
  for (size_t i = 0; i < MR; ++i) {
    const __m512 scale = _mm512_permutexvar_ps(
        spread, _mm512_castps128_ps512(_mm_loadu_ps(q_scales + (i * blocks + b) * 4)));
    for (size_t j = 0; j < NR; ++j) {
      acc[i][j] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot[i][j]), scale, acc[i][j]);
    }
  }
}

// Tokens t0..t0+MR-1 × rows n0..n0+NR-1.
template <size_t MR, size_t NR>
inline void int16_vnni_tile(const GemmArgs& p, const int16_t* q, const float* q_scales, size_t t0,
                            size_t n0) {
  const size_t blocks = int16_blocks(p.kp);
  q += t0 * p.kp;
  q_scales += t0 * blocks * 4;
  const uint8_t* w[NR];
  for (size_t j = 0; j < NR; ++j) w[j] = weight_row<uint8_t>(p, n0 + j);
  const uint8_t* ahead = w[0] + kPrefetchTiles * NR * p.w_row_bytes;
  __m512 acc[MR][NR];
  for (size_t i = 0; i < MR; ++i) {
    for (size_t j = 0; j < NR; ++j) acc[i][j] = _mm512_setzero_ps();
  }
  const size_t full = p.kp / kBlockColumns;
  for (size_t b = 0; b < full; ++b) {
    prefetch_decode_rows(ahead, b * NR * kBlockColumns, NR * kBlockColumns);
    int16_vnni_block<MR, NR>(p, q, q_scales, w, b, 4, acc);
  }
  if (full < blocks) {
    prefetch_decode_rows(ahead, full * NR * kBlockColumns, NR * kBlockColumns);
    int16_vnni_block<MR, NR>(p, q, q_scales, w, full, (p.kp % kBlockColumns) / 32, acc);
  }
  for (size_t i = 0; i < MR; ++i) {
    for (size_t j = 0; j < NR; ++j) {
      p.y[(t0 + i) * p.y_stride + n0 + j] =
          int8_row_output(p, n0 + j, _mm512_reduce_add_ps(acc[i][j]));
    }
  }
}

// Rows [n_begin, n_end) two at a time for tokens 0..MR-1, then, while the tile's rows are still
// in L1, tokens MR..MR+MR2-1. Four tokens × two rows keep their int32 sums, f32 accumulators
// and weights within the 32 registers. Two rows with the next two prefetched also decoded one
// token fastest from memory (one Zen 4 core: median 15.8 GB/s against 12.6 for four rows with
// sixteen ahead, and 14.6 for the AVX2-form decode).
template <size_t MR, size_t MR2>
inline void int16_vnni_rows(const GemmArgs& p, const int16_t* q, const float* q_scales,
                            size_t n_begin, size_t n_end) {
  constexpr size_t kNR = 2;
  size_t n = n_begin;
  for (; n + kNR <= n_end; n += kNR) {
    int16_vnni_tile<MR, kNR>(p, q, q_scales, 0, n);
    if constexpr (MR2 > 0) int16_vnni_tile<MR2, kNR>(p, q, q_scales, MR, n);
  }
  for (; n < n_end; ++n) {
    int16_vnni_tile<MR, 1>(p, q, q_scales, 0, n);
    if constexpr (MR2 > 0) int16_vnni_tile<MR2, 1>(p, q, q_scales, MR, n);
  }
}

inline bool wants_int16_vnni_decode(const GemmArgs& p) {
  return p.int16_decode && p.m >= 1 && p.m <= kVnniInt16MaxTokens &&
         p.m * p.kp <= kVnniInt16StackValues;
}

// Tokens 0..m-1 (wants_int16_vnni_decode) of rows [n_begin, n_end).
inline void int16_vnni_decode(const GemmArgs& p, size_t n_begin, size_t n_end) {
  alignas(64) int16_t q[kVnniInt16StackValues];
  alignas(64) float q_scales[kVnniInt16StackValues / 32 + 4 * kVnniInt16MaxTokens];
  const size_t blocks = int16_blocks(p.kp);
  for (size_t i = 0; i < p.m; ++i) {
    quantize_int16_lanes(p.k, p.kp, p.a + i * p.a_stride, q + i * p.kp, q_scales + i * blocks * 4);
  }
  split_decode_tokens(p.m, [&](auto mr, auto mr2) {
    int16_vnni_rows<decltype(mr)::value, decltype(mr2)::value>(p, q, q_scales, n_begin, n_end);
  });
}

}  // namespace
}  // namespace griffin
