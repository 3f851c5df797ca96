// The AVX-512 VNNI decode of int8 rows (qd8-qs8w avx512vnni with GemmArgs::decode, up to
// kMaxTiledDecodeTokens tokens): 512-bit vectors over the rows as stored, one 64-byte load per
// 2 groups of a row, one row at a time. The 256-bit 1×4 tiles of qd8-x86-tile.h move each
// weight's sign onto the activations (two vpsignb) before a vpdpbusd, a conversion and an FMA
// per (row, group). Here:
//   - the weights go in unsigned, q xor 0x80 = q + 128, one vpxor per load; each int32 lane
//     starts at −128 · Σa of its 4 activations;
//   - one vpdpbusd, conversion and FMA per 2 groups, by the activation scales spread over each
//     group's 8 lanes;
//   - the start values and the spread scales are prepared once per call (Int8Decode::prepare),
//     where the tiles had built them for every row: 3 of their 7 vector operations per load.
//   - a row sums its lanes at the end and applies its f32 scale and bias in one FMA.
// One row at a time measured best: on a Zen 4 core streaming from memory, tiles of 2 and 4 rows
// read 10-16 GB/s where one row read 15-20 (the 1×4 tiles: 13-18). 2B decode with int8
// activations on 2 threads, bound by memory: 8.9 → 9.9 tokens/s (mean of 6 interleaved pairs).
// The walk over rows and tokens, and the prefetch, are qd8-avx512-decode.h's; a decoded token
// differs from its prefill (qd8-vnni-rows.h) by float rounding. Included only by files compiled
// with AVX-512 VNNI (+VL, BW).
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "runtime/src/kernels/gemm.h"
#include "runtime/src/kernels/qd8-avx512-decode.h"
#include "runtime/src/kernels/weight-rows.h"
#include "runtime/src/kernels/x86-reduce.h"

namespace griffin {
namespace {

// The vectors of one token's 2-group pair in a prepared token (Int8Decode::prepare).
enum Int8Prepared : size_t { kInt8Offset, kInt8Scale, kInt8PreparedPerPair };

// Groups g0..g0+count-1 (count <= 16; kFull: exactly 16, no masks) of MR prepared tokens and NR
// rows (w, prefetching `ahead`), added to acc.
template <size_t MR, size_t NR, bool kFull>
inline void int8_decode_block(const GemmArgs& p, const __m512i* prepared, size_t per_token,
                              const uint8_t* const* w, const uint8_t* ahead, size_t g0,
                              size_t count, __m512 (&acc)[MR][NR]) {
  const size_t groups = p.kp / 32;
  prefetch_decode_rows(ahead, g0 * NR * 32, NR * 32 * 16);
  const __m512i high_bit = _mm512_set1_epi8(static_cast<char>(0x80));
  for (size_t c = 0; c < (kFull ? 16 : count); c += 2) {
    const size_t g = g0 + c;
    // One group left at the end of an odd row: its upper 32 bytes read as zero.
    const __mmask64 bytes = kFull || groups - g >= 2 ? ~__mmask64{0} : __mmask64{0xffffffff};
    __m512i u[NR];
    for (size_t j = 0; j < NR; ++j) {
      u[j] = _mm512_xor_si512(_mm512_maskz_loadu_epi8(bytes, w[j] + g * 32), high_bit);
    }
    for (size_t i = 0; i < MR; ++i) {
      const __m512i av = _mm512_maskz_loadu_epi8(bytes, p.aq + i * p.kp + g * 32);
      const __m512i* pair = prepared + i * per_token + g / 2 * kInt8PreparedPerPair;
      const __m512 scale = _mm512_castsi512_ps(pair[kInt8Scale]);
      for (size_t j = 0; j < NR; ++j) {
        const __m512i dot = _mm512_dpbusd_epi32(pair[kInt8Offset], u[j], av);
        acc[i][j] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot), scale, acc[i][j]);
      }
    }
  }
}

struct Int8Decode {
  static constexpr size_t kRows = 1;

  static size_t prepared_vectors(size_t kp) { return (kp / 32 + 1) / 2 * kInt8PreparedPerPair; }

  // Token i's pairs of groups: each int32 lane's start value −128 · Σa of its 4 activations, and
  // the group scales spread over the lanes (0..7: the first group, 8..15: the second).
  static void prepare(const GemmArgs& p, size_t i, __m512i* out) {
    const size_t groups = p.kp / 32;
    const int8_t* a = p.aq + i * p.kp;
    const float* a_scales = p.aq_scales + i * groups;
    const __m512i high_bit = _mm512_set1_epi8(static_cast<char>(0x80));
    const __m512i lane_group = _mm512_set_epi32(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0);
    for (size_t g = 0; g < groups; g += 2, out += kInt8PreparedPerPair) {
      const bool pair = groups - g >= 2;
      const __m512i av =
          _mm512_maskz_loadu_epi8(pair ? ~__mmask64{0} : __mmask64{0xffffffff}, a + g * 32);
      out[kInt8Offset] = _mm512_sub_epi32(
          _mm512_setzero_si512(), _mm512_dpbusd_epi32(_mm512_setzero_si512(), high_bit, av));
      const __m512 scales = _mm512_maskz_loadu_ps(pair ? 0x3 : 0x1, a_scales + g);
      out[kInt8Scale] = _mm512_castps_si512(_mm512_permutexvar_ps(lane_group, scales));
    }
  }

  // The call's MR prepared tokens and rows n0..n0+NR-1.
  template <size_t MR, size_t NR>
  static void tile(const GemmArgs& p, const __m512i* prepared, size_t per_token, size_t n0) {
    const size_t groups = p.kp / 32;
    DecodeAccumulators<MR, NR> t;
    const uint8_t* w[NR];
    for (size_t j = 0; j < NR; ++j) w[j] = weight_row<uint8_t>(p, n0 + j);
    const uint8_t* ahead = w[0] + kDecodePrefetchTiles * NR * p.w_row_bytes;
    size_t g0 = 0;
    for (; g0 + 16 <= groups; g0 += 16) {
      int8_decode_block<MR, NR, true>(p, prepared, per_token, w, ahead, g0, 16, t.acc);
    }
    if (g0 < groups) {
      int8_decode_block<MR, NR, false>(p, prepared, per_token, w, ahead, g0, groups - g0, t.acc);
    }
    for (size_t i = 0; i < MR; ++i) {
      for (size_t j = 0; j < NR; ++j) {
        p.y[i * p.y_stride + n0 + j] =
            int8_row_output(p, n0 + j, _mm512_reduce_add_ps(t.acc[i][j]));
      }
    }
  }
};

}  // namespace
}  // namespace griffin
