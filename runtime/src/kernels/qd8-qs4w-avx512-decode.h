// The AVX-512 VNNI decode of int4 rows (qd8-qs4w avx512vnni with GemmArgs::decode, up to
// kMaxTiledDecodeTokens tokens): 512-bit vectors over the rows as stored, 2 rows at a time.
// The 256-bit 1×4 tiles of qd8-x86-tile.h pay an unpack, a conversion and an FMA per (row,
// group) of 16 bytes. Here one 64-byte load holds 4 groups of a row:
//   - low nibbles: values 0..15 of the 4 groups, high nibbles (shift by 4): values 16..31;
//   - the token's activations of those groups are rearranged to match (two 128-bit-lane
//     shuffles, once per token and 4 groups, shared by the rows), so two vpdpbusd leave each
//     group's dot in 4 of the 16 int32 lanes, from a start value that holds the group's nibble
//     offset −8 · Σa (the quantizer's, GemmArgs::aq_group_offsets) in the first of them. Summing
//     each lane's activations for it took two more vpdpbusd per token and 4 groups: 2B int4
//     batches of 4 on two Zen 4 threads 82.4 -> 78.4 ms a step (5 interleaved pairs), a lone
//     token level (bound by memory);
//   - one conversion and one FMA per 4 groups, by the product of the weight and activation
//     scales, each spread over its group's 4 lanes with one vpermps.
// On a Zen 4 core with the weights in L3 that streams 33-36 GB/s of int4 rows against 26-29 for
// the 1×4 tiles; 2B decode on 2 threads, bound by memory, gained 11 % (mean of 6 interleaved
// pairs), and 4 % more from prefetching the scales with the rows.
// Rows sum their lanes once, at the end. The walk over rows and tokens, and the prefetch, are
// qd8-avx512-decode.h's; a decoded token differs from its prefill (qd8-vnni-rows.h) by float
// rounding.
// Included only by files compiled with AVX-512 VNNI (+VL, BW).
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "runtime/src/kernels/gemm.h"
#include "runtime/src/kernels/qd8-avx512-decode.h"
#include "runtime/src/kernels/weight-rows.h"

namespace griffin {
namespace {

// A token's activations for 4 groups (fewer at the end of a row: the rest read as zero),
// arranged as a 64-byte load of 4 int4 groups unpacks.
struct Int4DecodeChunk {
  __m512i low;     // values 0..15 of each group, 16 bytes per group
  __m512i high;    // values 16..31
  __m512i offset;  // −8 · Σa of each group in the first of its four int32 lanes, 0 in the others
};

// `offsets`: the token's 8 · Σa of these groups, as the quantizer wrote them
// (GemmArgs::aq_group_offsets). Summing each lane's 8 activations here instead took two of the
// six vpdpbusd of a one-token, two-row step.
inline Int4DecodeChunk int4_decode_chunk(const int8_t* a, const int32_t* offsets,
                                         size_t groups_left) {
  __m512i first, second;  // groups 0 and 1, groups 2 and 3 (32 bytes each)
  if (groups_left >= 4) {
    first = _mm512_loadu_si512(a);
    second = _mm512_loadu_si512(a + 64);
  } else {
    const size_t bytes = groups_left * 32;
    const auto mask = [](size_t n) { return n >= 64 ? ~__mmask64{0} : (__mmask64{1} << n) - 1; };
    first = _mm512_maskz_loadu_epi8(mask(bytes), a);
    second = _mm512_maskz_loadu_epi8(mask(bytes > 64 ? bytes - 64 : 0), a + 64);
  }
  Int4DecodeChunk chunk;
  // 128-bit lanes: first = [g0 0..15, g0 16..31, g1 0..15, g1 16..31], second likewise.
  chunk.low = _mm512_shuffle_i64x2(first, second, 0x88);   // lanes 0, 2 of each
  chunk.high = _mm512_shuffle_i64x2(first, second, 0xdd);  // lanes 1, 3 of each
  const size_t known = groups_left >= 4 ? 4 : groups_left;
  const __m128i four = _mm_maskz_loadu_epi32(static_cast<__mmask8>((1u << known) - 1), offsets);
  // Group l's offset to lane 4l, the others zeroed.
  const __m512i first_lanes = _mm512_maskz_permutexvar_epi32(
      0x1111, _mm512_set_epi32(0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0),
      _mm512_castsi128_si512(four));
  chunk.offset = _mm512_sub_epi32(_mm512_setzero_si512(), first_lanes);
  return chunk;
}

// The rows of a decode tile: NR rows from n0, their f16 group scales, and the rows
// kDecodePrefetchTiles tiles on.
template <size_t NR>
struct Int4DecodeRows {
  const uint8_t* w[NR];
  const uint16_t* scales[NR];
  const uint8_t* ahead;
  const uint8_t* scales_ahead;
};

// Groups g0..g0+count-1 (count <= 16; kFull: exactly 16, no masks) of MR tokens and NR rows,
// added to acc. 16 groups: one conversion of each row's 16 f16 scales.
template <size_t MR, size_t NR, bool kFull>
inline void int4_decode_block(const GemmArgs& p, const int8_t* const* a,
                              const float* const* a_scales, const int32_t* const* offsets,
                              const Int4DecodeRows<NR>& rows, size_t g0, size_t count,
                              __m512 (&acc)[MR][NR]) {
  const size_t groups = p.kp / 32;
  const __mmask16 block_mask =
      kFull ? __mmask16(0xffff) : static_cast<__mmask16>((uint32_t{1} << count) - 1);
  prefetch_decode_rows(rows.ahead, g0 * NR * 16, NR * 16 * 16);
  prefetch_decode_rows(rows.scales_ahead, g0 * NR * 2, NR * 2 * 16);
  __m512 scale[MR][NR];
  for (size_t j = 0; j < NR; ++j) {
    const __m512 ws = _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(block_mask, rows.scales[j] + g0));
    for (size_t i = 0; i < MR; ++i) {
      scale[i][j] = _mm512_mul_ps(ws, _mm512_maskz_loadu_ps(block_mask, a_scales[i] + g0));
    }
  }
  const __m512i nibble = _mm512_set1_epi8(0x0f);
  for (size_t c = 0; c < (kFull ? 16 : count); c += 4) {
    const size_t g = g0 + c;
    const size_t left = kFull ? 4 : groups - g;
    __m512i low[NR], high[NR];
    for (size_t j = 0; j < NR; ++j) {
      const uint8_t* bytes_at = rows.w[j] + g * 16;
      const __m512i bytes =
          left >= 4 ? _mm512_loadu_si512(bytes_at)
                    : _mm512_maskz_loadu_epi8((__mmask64{1} << (left * 16)) - 1, bytes_at);
      low[j] = _mm512_and_si512(bytes, nibble);
      high[j] = _mm512_and_si512(_mm512_srli_epi16(bytes, 4), nibble);
    }
    // Lane l of the chunk holds group c + l / 4.
    const int q = static_cast<int>(c);
    const __m512i lane_group = _mm512_set_epi32(q + 3, q + 3, q + 3, q + 3, q + 2, q + 2, q + 2,
                                                q + 2, q + 1, q + 1, q + 1, q + 1, q, q, q, q);
    for (size_t i = 0; i < MR; ++i) {
      const Int4DecodeChunk chunk = int4_decode_chunk(a[i] + g * 32, offsets[i] + g, left);
      for (size_t j = 0; j < NR; ++j) {
        const __m512i dot = _mm512_dpbusd_epi32(
            _mm512_dpbusd_epi32(chunk.offset, low[j], chunk.low), high[j], chunk.high);
        acc[i][j] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot),
                                    _mm512_permutexvar_ps(lane_group, scale[i][j]), acc[i][j]);
      }
    }
  }
}

struct Int4Decode {
  static constexpr size_t kRows = 2;  // rows per tile: measured best of 1..4

  // Nothing prepared: a tile rebuilds its chunks from the int8 activations, which streamed
  // 2B int4 decode faster from memory than chunks prepared once per call
  // (qd8-avx512-decode.h).
  static size_t prepared_vectors(size_t) { return 0; }
  static void prepare(const GemmArgs&, size_t, __m512i*) {}

  // The call's MR tokens and rows n0..n0+NR-1.
  template <size_t MR, size_t NR>
  static void tile(const GemmArgs& p, const __m512i*, size_t, size_t n0) {
    const size_t groups = p.kp / 32;
    DecodeTile<MR, NR> t(p);
    Int4DecodeRows<NR> rows;
    for (size_t j = 0; j < NR; ++j) {
      rows.w[j] = weight_row<uint8_t>(p, n0 + j);
      rows.scales[j] = reinterpret_cast<const uint16_t*>(p.w_scales) + (n0 + j) * groups;
    }
    rows.ahead = rows.w[0] + kDecodePrefetchTiles * NR * p.w_row_bytes;
    rows.scales_ahead =
        reinterpret_cast<const uint8_t*>(rows.scales[0] + kDecodePrefetchTiles * NR * groups);
    size_t g0 = 0;
    for (; g0 + 16 <= groups; g0 += 16) {
      int4_decode_block<MR, NR, true>(p, t.a, t.a_scales, t.offsets, rows, g0, 16, t.acc);
    }
    if (g0 < groups) {
      int4_decode_block<MR, NR, false>(p, t.a, t.a_scales, t.offsets, rows, g0, groups - g0, t.acc);
    }
    for (size_t i = 0; i < MR; ++i) {
      for (size_t j = 0; j < NR; ++j) {
        p.y[i * p.y_stride + n0 + j] = _mm512_reduce_add_ps(t.acc[i][j]) + bias_of(p, n0 + j);
      }
    }
  }
};

}  // namespace
}  // namespace griffin
