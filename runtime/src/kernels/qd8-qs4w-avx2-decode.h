// The AVX2 qd8-qs4w kernel for one token (decode, and a prefill chunk of one), with the sums of
// the prefill's lanes (qd8-qs4w-avx2-prefill.h): a token gets the same bits alone, in a batch
// and in any prefill chunk.
//
// Why: the 1×4 tiles of qd8-x86-tile.h, which lone tokens ran before, pay per row and pair of
// groups a conversion, an FMA and a two-scale broadcast from a block of scales just stored, on
// top of the three integer multiplies; the prefill's lanes transpose each row's block first,
// which pays only when several tokens share it (a lone token in the lanes decoded 20 % slower
// than in the tiles). Here the rows are read as stored, two groups per 256-bit load as in the
// tiles, and the groups are gathered into lanes after the products instead of before: the four
// pairs' 16-bit sums of a block of 8 groups go through three vphaddw, which leave each group's
// 16-bit sums in its own pair of lanes in the lanes' order (0, 2, 4, 6 in the low half, 1, 3, 5,
// 7 in the high), and one vpmaddwd widens them to one exact group dot per 32-bit lane. Then, as
// in the lanes, one subtract (the nibble offset 8 · Σa), one conversion and one FMA with the
// block's 8 scales. Run as AVX2 on a Zen 4 core (GRIFFIN_MAX_ISA=avx2), int4 rows from L3
// stream at 34-36 GB/s against the tiles' 26-28, and 2B int4 decode on one thread went from
// 16-17 to 18-19 GB/s (docs/benchmarks.md, twenty-second Zen 4 session).
//
// Exactness: a pair's 16-bit lane sums 4 products u · a (u <= 15, |a| <= 127): at most 7,620;
// after the three vphaddw, 16 products, at most 30,480, so nothing wraps (vphaddw does not
// saturate, but need not). The group dots are therefore the lanes' exact int32 dots, in the same
// lanes, and each lane's FMA takes the same operands in the same order: scale = w_scale · a_scale
// (both permuted to the lanes' order), acc = scale · float(dot) + acc, block after block; the
// last part-block runs the lanes' own code (int4_lane_block), and the row ends with the same
// horizontal_sum plus bias.
//
// Per call the token's activations are laid out once per block (kPairBlockBytes): for each pair
// of groups, values 0..15 of both groups and then values 16..31 of both (the order of the
// weights' nibbles), then the block's 8 offsets and 8 scales in the lanes' order, so that every
// activation operand is one aligned load. Included only by files compiled with AVX2 enabled.
#pragma once

#include <immintrin.h>

#include <cstring>

#include "runtime/src/kernels/gemm.h"
#include "runtime/src/kernels/qd8-qs4w-avx2-prefill.h"
#include "runtime/src/kernels/weight-rows.h"
#include "runtime/src/kernels/x86-reduce.h"

namespace griffin {
namespace {

// A block of 8 groups of the token: 4 pairs × 64 bytes of activations, then 8 int32 offsets
// and 8 f32 scales in the lanes' order.
constexpr size_t kPairBlockBytes = 320;
constexpr size_t kPairBlockOffsets = 256;
constexpr size_t kPairBlockScales = 288;
// The rows the lanes take (int4_lanes_fit): at most 64 blocks.
constexpr size_t kPairMaxBlocks = kInt4LaneMaxBlocks;
// Rows per tile: four rows' loads in flight, as the tiles had.
constexpr size_t kPairTileRows = 4;

// The token's `blocks` full blocks, laid out as above.
inline void pack_pair_blocks(const GemmArgs& p, size_t blocks, uint8_t* out) {
  const __m256i order = lane_order();
  for (size_t b = 0; b < blocks; ++b, out += kPairBlockBytes) {
    const int8_t* a = p.aq + 256 * b;
    for (size_t pair = 0; pair < 4; ++pair) {
      const int8_t* g = a + 64 * pair;  // groups 2 · pair and 2 · pair + 1 of the block
      _mm256_store_si256(reinterpret_cast<__m256i*>(out + 64 * pair), load_halves(g, g + 32));
      _mm256_store_si256(reinterpret_cast<__m256i*>(out + 64 * pair + 32),
                         load_halves(g + 16, g + 48));
    }
    const __m256i offsets =
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.aq_group_offsets + 8 * b));
    _mm256_store_si256(reinterpret_cast<__m256i*>(out + kPairBlockOffsets),
                       _mm256_permutevar8x32_epi32(offsets, order));
    _mm256_store_ps(reinterpret_cast<float*>(out + kPairBlockScales),
                    _mm256_permutevar8x32_ps(_mm256_loadu_ps(p.aq_scales + 8 * b), order));
  }
}

// Rows [n0, n0 + NR) for the token: `packed` its full blocks (pack_pair_blocks), `tail` its
// last part-block packed for the lanes (pack_activation_block), if the rows have one.
template <size_t NR>
inline void int4_pair_rows(const GemmArgs& p, size_t n0, const uint8_t* packed,
                           const uint8_t* tail) {
  const size_t groups = p.kp / 32;
  const size_t blocks = groups / 8;
  const uint8_t* w[NR];
  const uint16_t* w_scales[NR];
  for (size_t j = 0; j < NR; ++j) {
    w[j] = weight_row<uint8_t>(p, n0 + j);
    w_scales[j] = reinterpret_cast<const uint16_t*>(p.w_scales) + (n0 + j) * groups;
  }
  // The rows kPrefetchTiles tiles on (contiguous), at the same point: NR · 128 bytes a block.
  const uint8_t* ahead = w[0] + kPrefetchTiles * NR * p.w_row_bytes;
  const __m256i nibble = _mm256_set1_epi8(0x0f);
  const __m256i ones = _mm256_set1_epi16(1);
  const __m256i order = lane_order();
  __m256 acc[NR];
  for (size_t j = 0; j < NR; ++j) acc[j] = _mm256_setzero_ps();
  for (size_t b = 0; b < blocks; ++b) {
    prefetch_lines(ahead + b * NR * 128, NR * 128);
    const uint8_t* a = packed + b * kPairBlockBytes;
    const __m256i offsets =
        _mm256_load_si256(reinterpret_cast<const __m256i*>(a + kPairBlockOffsets));
    const __m256 token_scales =
        _mm256_load_ps(reinterpret_cast<const float*>(a + kPairBlockScales));
    for (size_t j = 0; j < NR; ++j) {
      __m256i sums[4];
      for (size_t pair = 0; pair < 4; ++pair) {
        const __m256i bytes =
            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[j] + 128 * b + 32 * pair));
        const __m256i low = _mm256_and_si256(bytes, nibble);
        const __m256i high = _mm256_and_si256(_mm256_srli_epi16(bytes, 4), nibble);
        const __m256i* values = reinterpret_cast<const __m256i*>(a + 64 * pair);
        sums[pair] = _mm256_add_epi16(_mm256_maddubs_epi16(low, _mm256_load_si256(values)),
                                      _mm256_maddubs_epi16(high, _mm256_load_si256(values + 1)));
      }
      const __m256i gathered = _mm256_hadd_epi16(_mm256_hadd_epi16(sums[0], sums[1]),
                                                 _mm256_hadd_epi16(sums[2], sums[3]));
      const __m256i dot = _mm256_sub_epi32(_mm256_madd_epi16(gathered, ones), offsets);
      const __m256 row_scales = _mm256_permutevar8x32_ps(
          _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w_scales[j] + 8 * b))),
          order);
      acc[j] =
          _mm256_fmadd_ps(_mm256_mul_ps(row_scales, token_scales), _mm256_cvtepi32_ps(dot), acc[j]);
    }
  }
  for (size_t j = 0; j < NR; ++j) {
    if (groups % 8 != 0) {
      int4_lane_block(w[j] + 128 * blocks, w_scales[j] + 8 * blocks, groups % 8, tail, 1, &acc[j]);
    }
    p.y[n0 + j] = horizontal_sum(acc[j]) + bias_of(p, n0 + j);
  }
}

// One token's rows [n_begin, n_end); the rows must fit the lanes (int4_lanes_fit).
__attribute__((noinline)) void int4_pair_decode(const GemmArgs& p, size_t n_begin, size_t n_end) {
  alignas(32) uint8_t packed[kPairMaxBlocks * kPairBlockBytes];
  alignas(32) uint8_t tail[kPackedBlockBytes];
  const size_t groups = p.kp / 32;
  const size_t blocks = groups / 8;
  pack_pair_blocks(p, blocks, packed);
  if (groups % 8 != 0) {
    pack_activation_block(p.aq + 256 * blocks, p.aq_scales + 8 * blocks,
                          p.aq_group_offsets + 8 * blocks, groups % 8, tail);
  }
  size_t n = n_begin;
  for (; n + kPairTileRows <= n_end; n += kPairTileRows) {
    int4_pair_rows<kPairTileRows>(p, n, packed, tail);
  }
  for (; n < n_end; ++n) int4_pair_rows<1>(p, n, packed, tail);
}

}  // namespace
}  // namespace griffin
