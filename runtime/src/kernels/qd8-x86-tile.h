// The x86 integer kernels (qd8-qs8w, qd8-qs4w; AVX2 and AVX-512 VNNI) on 256-bit vectors: per
// group of 32, an exact 32-bit dot product of int8 activations with the weights, converted to
// f32 and added with the group's scale. Tiles cover MR tokens × NR rows (tiling.h): each
// weight group is loaded and unpacked once per tile, each activation group once per tile, and
// the MR·NR accumulators are independent chains. Decode runs 1×4 tiles, prefill 4×2 (AVX2) or
// 4×4 (VNNI, 32 registers: only rows of more than 8192 groups; VNNI prefills and decodes
// batches of five or more on repacked rows, qd8-vnni-rows.h, and decodes up to four tokens
// in 512-bit vectors, qd8-avx512-decode.h; AVX2 int4 runs them only on rows past 16,384
// columns, qd8-qs4w-gemm-avx2.cc). Every (token, row) pair is summed in the same
// order in any tile, so prefill chunking never changes a bit and a lone token equals its
// prefilled value.
//   int4 rows: the stored nibbles u = q + 8 are used as they are, unsigned (vpmaddubsw and
//     vpdpbusd want one unsigned operand), and the offset 8 · Σa of each activation group is
//     taken off once per token and group, not once per row. The f16 group scales of 8 groups
//     are converted with one vcvtph2ps and multiplied by the 8 activation scales at once.
//     With kFloatOffsets (AVX2) the offsets come precomputed per call as f32
//     (GemmArgs::aq_offsets = 8 · Σa · activation scale per group) and each row takes off
//     Σ_g w_scale_g · offset_g with one FMA per 8 groups: Zen 1 runs vector integer multiplies
//     on one pipe, and the two vpmaddubsw per token and pair of groups that built the integer
//     offsets were a quarter of a prefill tile's multiplies.
//   int8 rows: the weights' signs move onto the activations (|w| · sign(w)·a), and the row's
//     f32 scale is applied at the end.
// `Dot` is the instruction sequence: vpmaddubsw + vpmaddwd on AVX2, vpdpbusd with VNNI (and
// its int4 unpacking).
// Included only by files compiled with AVX2 (or wider) enabled; an unnamed namespace gives each
// its own copy (x86-reduce.h).
#pragma once

#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "runtime/src/kernels/gemm.h"
#include "runtime/src/kernels/weight-rows.h"
#include "runtime/src/kernels/x86-reduce.h"

namespace griffin {
namespace {

// int4 groups: 16 bytes, low nibbles = values 0..15, high nibbles = 16..31 (format/quant.h).
inline __m256i unpack_nibbles(const uint8_t* group) {
  const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(group));
  const __m128i mask = _mm_set1_epi8(0x0f);
  return _mm256_set_m128i(_mm_and_si128(_mm_srli_epi16(bytes, 4), mask),
                          _mm_and_si128(bytes, mask));
}

// AVX2: u8·s8 pairs into 16-bit lanes (no saturation: |w|, |a| <= 127 for int8, u <= 15 for
// int4), then pairs of those into 32-bit lanes.
struct MaddubsDot {
  static __m256i unpack(const uint8_t* group) { return unpack_nibbles(group); }
  // 8 · Σa per pair of lanes, in 16-bit lanes (|8 · (a0 + a1)| <= 2032).
  static __m256i int4_offset(__m256i a) { return _mm256_maddubs_epi16(_mm256_set1_epi8(8), a); }
  // Σ (u - 8) · a over the group, in eight 32-bit lanes.
  static __m256i int4_dot(__m256i u, __m256i a, __m256i offset) {
    const __m256i pairs = _mm256_sub_epi16(_mm256_maddubs_epi16(u, a), offset);
    return _mm256_madd_epi16(pairs, _mm256_set1_epi16(1));
  }
  // Σ u · a over two half-groups, without the offset (kFloatOffsets): |pair sum| <= 4 · 15 · 127.
  static __m256i uint4_dot2(__m256i u_lo, __m256i a_lo, __m256i u_hi, __m256i a_hi) {
    const __m256i pairs =
        _mm256_add_epi16(_mm256_maddubs_epi16(u_lo, a_lo), _mm256_maddubs_epi16(u_hi, a_hi));
    return _mm256_madd_epi16(pairs, _mm256_set1_epi16(1));
  }
  static __m256i uint4_dot(__m256i u, __m256i a) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(u, a), _mm256_set1_epi16(1));
  }
  static __m256i int8_dot(__m256i w_abs, __m256i a_signed) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(w_abs, a_signed), _mm256_set1_epi16(1));
  }
  // Two int4 half-groups at once (Qs4Tile with kPairs): Σ (u_lo - 8) · a_lo + (u_hi - 8) · a_hi in
  // eight 32-bit lanes; `offset` is int4_offset(a_lo) + int4_offset(a_hi). The 16-bit sums
  // stay below 2 · 3810 + 4064 in magnitude.
  static __m256i int4_dot2(__m256i u_lo, __m256i a_lo, __m256i u_hi, __m256i a_hi, __m256i offset) {
    const __m256i pairs =
        _mm256_add_epi16(_mm256_maddubs_epi16(u_lo, a_lo), _mm256_maddubs_epi16(u_hi, a_hi));
    return _mm256_madd_epi16(_mm256_sub_epi16(pairs, offset), _mm256_set1_epi16(1));
  }
};

// Up to 8 f16 group scales (zeros past `count`) as f32.
inline __m256 load_f16x8(const uint16_t* scales, size_t count) {
  if (count == 8) return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(scales)));
  uint16_t part[8] = {};
  std::memcpy(part, scales, count * sizeof(uint16_t));
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(part)));
}

inline __m256 load_f32x8(const float* values, size_t count) {
  if (count == 8) return _mm256_loadu_ps(values);
  float part[8] = {};
  std::memcpy(part, values, count * sizeof(float));
  return _mm256_loadu_ps(part);
}

// 16 bytes from `low` in the low half of a vector, 16 from `high` in the high half.
inline __m256i load_halves(const int8_t* low, const int8_t* high) {
  return _mm256_loadu2_m128i(reinterpret_cast<const __m128i*>(high),
                             reinterpret_cast<const __m128i*>(low));
}

// int4 tiles. kPairs (AVX2): two groups per 256-bit step, about half the instructions per
// group. The 32 bytes of groups g and g + 1 hold values 0..15 of both in their low nibbles and
// values 16..31 in their high nibbles, so one load, a shift and two masks unpack both groups,
// group g in the low 128 bits and g + 1 in the high. The activations are loaded in the same
// order (values 0..15 of both groups, then 16..31), the two halves summed in 16 bits, and the
// combined scales of the two groups applied to their lanes in one FMA. Without kPairs (and for
// an odd last group) each group is unpacked on its own. Either way a (token, row) sums the same
// way in every tile, so chunking changes no bit.
template <typename Dot, bool kPairs = false, bool kFloatOffsets = false>
struct Qs4Tile {
  template <size_t MR, size_t NR>
  static void tile(const GemmArgs& p, size_t m0, size_t n0) {
    const size_t groups = p.kp / 32;
    const int8_t* a[MR];
    const float* a_scales[MR];
    const float* a_offsets[MR];
    const uint8_t* w[NR];
    const uint16_t* w_scales[NR];
    for (size_t i = 0; i < MR; ++i) {
      a[i] = p.aq + (m0 + i) * p.kp;
      a_scales[i] = p.aq_scales + (m0 + i) * groups;
      a_offsets[i] = kFloatOffsets ? p.aq_offsets + (m0 + i) * groups : nullptr;
    }
    for (size_t j = 0; j < NR; ++j) {
      w[j] = weight_row<uint8_t>(p, n0 + j);
      w_scales[j] = reinterpret_cast<const uint16_t*>(p.w_scales) + (n0 + j) * groups;
    }
    // Decode: the rows kPrefetchTiles tiles on (contiguous), NR · 16 bytes per group.
    const uint8_t* ahead = w[0] + kPrefetchTiles * NR * p.w_row_bytes;
    const __m256i nibble = _mm256_set1_epi8(0x0f);
    __m256 acc[MR][NR];
    for (size_t i = 0; i < MR; ++i) {
      for (size_t j = 0; j < NR; ++j) acc[i][j] = _mm256_setzero_ps();
    }
    for (size_t g0 = 0; g0 < groups; g0 += 8) {
      const size_t count = groups - g0 < 8 ? groups - g0 : 8;
      if constexpr (MR == 1) prefetch_lines(ahead + g0 * NR * 16, NR * 16 * 8);
      // The combined scale of each (token, row, group) of this block of 8 groups.
      alignas(32) float scale[MR][NR][8];
      for (size_t j = 0; j < NR; ++j) {
        const __m256 ws = load_f16x8(w_scales[j] + g0, count);
        for (size_t i = 0; i < MR; ++i) {
          _mm256_store_ps(scale[i][j], _mm256_mul_ps(ws, load_f32x8(a_scales[i] + g0, count)));
          if constexpr (kFloatOffsets) {
            acc[i][j] = _mm256_fnmadd_ps(ws, load_f32x8(a_offsets[i] + g0, count), acc[i][j]);
          }
        }
      }
      size_t g = 0;
      if constexpr (kPairs) {
        for (; g + 2 <= count; g += 2) {
          __m256i lo[NR], hi[NR];
          for (size_t j = 0; j < NR; ++j) {
            const __m256i bytes =
                _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[j] + (g0 + g) * 16));
            lo[j] = _mm256_and_si256(bytes, nibble);
            hi[j] = _mm256_and_si256(_mm256_srli_epi16(bytes, 4), nibble);
          }
          for (size_t i = 0; i < MR; ++i) {
            const int8_t* pair = a[i] + (g0 + g) * 32;
            const __m256i a_lo = load_halves(pair, pair + 32);
            const __m256i a_hi = load_halves(pair + 16, pair + 48);
            __m256i offset = _mm256_setzero_si256();
            if constexpr (!kFloatOffsets) {
              offset = _mm256_add_epi16(Dot::int4_offset(a_lo), Dot::int4_offset(a_hi));
            }
            for (size_t j = 0; j < NR; ++j) {
              __m256i sum;
              if constexpr (kFloatOffsets) {
                sum = Dot::uint4_dot2(lo[j], a_lo, hi[j], a_hi);
              } else {
                sum = Dot::int4_dot2(lo[j], a_lo, hi[j], a_hi, offset);
              }
              const __m256 dot = _mm256_cvtepi32_ps(sum);
              const __m256 pair_scale = _mm256_set_m128(_mm_broadcast_ss(&scale[i][j][g + 1]),
                                                        _mm_broadcast_ss(&scale[i][j][g]));
              acc[i][j] = _mm256_fmadd_ps(dot, pair_scale, acc[i][j]);
            }
          }
        }
      }
      for (; g < count; ++g) {
        __m256i u[NR];
        for (size_t j = 0; j < NR; ++j) u[j] = Dot::unpack(w[j] + (g0 + g) * 16);
        for (size_t i = 0; i < MR; ++i) {
          const __m256i av =
              _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a[i] + (g0 + g) * 32));
          __m256i offset = _mm256_setzero_si256();
          if constexpr (!kFloatOffsets) offset = Dot::int4_offset(av);
          for (size_t j = 0; j < NR; ++j) {
            __m256i sum;
            if constexpr (kFloatOffsets) {
              sum = Dot::uint4_dot(u[j], av);
            } else {
              sum = Dot::int4_dot(u[j], av, offset);
            }
            const __m256 dot = _mm256_cvtepi32_ps(sum);
            acc[i][j] = _mm256_fmadd_ps(dot, _mm256_broadcast_ss(&scale[i][j][g]), acc[i][j]);
          }
        }
      }
    }
    for (size_t i = 0; i < MR; ++i) {
      for (size_t j = 0; j < NR; ++j) {
        p.y[(m0 + i) * p.y_stride + n0 + j] = horizontal_sum(acc[i][j]) + bias_of(p, n0 + j);
      }
    }
  }
};

template <typename Dot>
struct Qs8Tile {
  template <size_t MR, size_t NR>
  static void tile(const GemmArgs& p, size_t m0, size_t n0) {
    const size_t groups = p.kp / 32;
    const int8_t* a[MR];
    const float* a_scales[MR];
    const uint8_t* w[NR];
    for (size_t i = 0; i < MR; ++i) {
      a[i] = p.aq + (m0 + i) * p.kp;
      a_scales[i] = p.aq_scales + (m0 + i) * groups;
    }
    for (size_t j = 0; j < NR; ++j) w[j] = weight_row<uint8_t>(p, n0 + j);
    // Decode: the rows kPrefetchTiles tiles on (contiguous), NR · 32 bytes per group.
    const uint8_t* ahead = w[0] + kPrefetchTiles * NR * p.w_row_bytes;
    __m256 acc[MR][NR];
    for (size_t i = 0; i < MR; ++i) {
      for (size_t j = 0; j < NR; ++j) acc[i][j] = _mm256_setzero_ps();
    }
    for (size_t g = 0; g < groups; ++g) {
      if constexpr (MR == 1) prefetch_lines(ahead + g * NR * 32, NR * 32);
      __m256i wv[NR], w_abs[NR];
      for (size_t j = 0; j < NR; ++j) {
        wv[j] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[j] + g * 32));
        w_abs[j] = _mm256_sign_epi8(wv[j], wv[j]);
      }
      for (size_t i = 0; i < MR; ++i) {
        const __m256i av = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a[i] + g * 32));
        const __m256 scale = _mm256_broadcast_ss(a_scales[i] + g);
        for (size_t j = 0; j < NR; ++j) {
          const __m256i dot = Dot::int8_dot(w_abs[j], _mm256_sign_epi8(av, wv[j]));
          acc[i][j] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot), scale, acc[i][j]);
        }
      }
    }
    for (size_t i = 0; i < MR; ++i) {
      for (size_t j = 0; j < NR; ++j) {
        p.y[(m0 + i) * p.y_stride + n0 + j] = int8_row_output(p, n0 + j, horizontal_sum(acc[i][j]));
      }
    }
  }
};

}  // namespace
}  // namespace griffin

namespace griffin {
namespace {

// Tokens [m0, m0 + tokens) of p's int8 activations and outputs, as a call of their own (the
// AVX2 int4 tiles compute their f32 offsets a block of tokens at a time).
inline GemmArgs token_block(const GemmArgs& p, size_t m0, size_t tokens) {
  GemmArgs block = p;
  block.m = tokens;
  block.aq = p.aq + m0 * p.kp;
  block.aq_scales = p.aq_scales + m0 * (p.kp / 32);
  if (p.aq_group_offsets != nullptr) block.aq_group_offsets = p.aq_group_offsets + m0 * (p.kp / 32);
  block.y = p.y + m0 * p.y_stride;
  return block;
}

// kFloatOffsets: for `m` tokens' groups [m, kp / 32], each group's 8 · Σa (the quantizer's
// exact int32, GemmArgs::aq_group_offsets) times the group's scale, in one f32 rounding.
inline void int4_group_offsets(size_t m, size_t kp, const int32_t* group_offsets,
                               const float* scales, float* offsets) {
  for (size_t g = 0; g < m * (kp / 32); ++g) {
    offsets[g] = static_cast<float>(group_offsets[g]) * scales[g];
  }
}

}  // namespace
}  // namespace griffin
