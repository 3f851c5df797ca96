// int8 activations with one scale per token (GemmArgs::aq_token_scales) × int8 weights with one
// scale per row, on AVX-512 VNNI, for decode batches of five or more tokens.
// With both scales outside the sum, a row's dot product is one exact int32 sum of kp products:
//   y = fma(float(Σ_k u·a − 128 · Σa) · a_scale, w_scale, bias),   u = q xor 0x80 = q + 128,
// whatever order the products are added in. So the rows need no repacking and no per-group
// work: each 64 bytes of a row go in one vector and meet every token's 64 activation bytes in one
// vpdpbusd, and each (token, row) sums its 16 lanes once, at the row's end. The float steps are
// those of the repacked prefill (qd8-vnni-rows.h, Int8Rows with token scales), so a token of a
// batch gets its prefill's bits.
// Why not the repacked blocks for batches: they repack each block for the call's tokens, and a
// batch of eight paid for that as much as for its products: 2B with int8 activations on two Zen 4
// vCPUs, 125-126 ms a step there, 99-101 here (~48 ms of products at the vpdpbusd peak, ~55 ms
// of reading the weights at 50 GB/s). Up to four tokens keep the tuned decode tiles
// (qd8-qs8w-avx512-decode.h, per-group steps on the equal scales): this kernel decoded a lone
// token at 0.75-0.78 of the read bandwidth against their 0.87-0.89 (in 4-row tiles, and 8).
#pragma once

#include <immintrin.h>

#include <algorithm>
#include <cstddef>

#include "runtime/src/kernels/gemm.h"
#include "runtime/src/kernels/qd8-avx512-decode.h"
#include "runtime/src/kernels/qd8-vnni-rows.h"
#include "runtime/src/kernels/weight-rows.h"
#include "runtime/src/kernels/x86-reduce.h"

namespace griffin {
namespace {

constexpr size_t kTokenTileTokens = 8;
constexpr size_t kTokenChunk = 64;  // tokens whose rows' offsets are summed once (a stack array)

// 128 · Σa of a token, from the quantizer's per-group offsets.
inline int32_t token_offset(const GemmArgs& p, size_t token) {
  return sum_int32(p.aq_group_offsets + token * (p.kp / 32), p.kp / 32);
}

// Tokens m0..m0+MR-1 against rows n0..n0+NR-1.
template <size_t MR, size_t NR>
inline void token_rows_tile(const GemmArgs& p, const int32_t* offsets, size_t m0, size_t n0) {
  const __m512i sign = _mm512_set1_epi8(static_cast<char>(0x80));
  const uint8_t* w = weight_row<uint8_t>(p, n0);
  const uint8_t* ahead = w + kDecodePrefetchTiles * NR * p.w_row_bytes;
  const int8_t* a = p.aq + m0 * p.kp;
  __m512i acc[MR][NR];
#pragma GCC unroll 32
  for (size_t i = 0; i < MR; ++i) {
#pragma GCC unroll 32
    for (size_t j = 0; j < NR; ++j) acc[i][j] = _mm512_setzero_si512();
  }
  for (size_t k = 0; k < p.kp; k += 64) {
    // Decode reads the rows once from memory: the tiles kDecodePrefetchTiles on are requested
    // meanwhile (qd8-avx512-decode.h) by a chunk's first tokens; its later ones find them in
    // cache.
    if (m0 % kTokenChunk == 0) prefetch_decode_rows(ahead, NR * k, NR * 64);
    // kp is a multiple of 32: the last step may have 32 bytes. Masked-off weight bytes become
    // 0x80 and meet zeroed activations, adding nothing. (A lambda for the step kept the
    // accumulators on the stack.)
    const __mmask64 mask = k + 64 <= p.kp ? ~__mmask64{0} : __mmask64{0xffffffff};
    __m512i rows[NR];
    for (size_t j = 0; j < NR; ++j) {
      rows[j] = _mm512_xor_si512(_mm512_maskz_loadu_epi8(mask, w + j * p.w_row_bytes + k), sign);
    }
#pragma GCC unroll 32
    for (size_t i = 0; i < MR; ++i) {
      const __m512i tokens = _mm512_maskz_loadu_epi8(mask, a + i * p.kp + k);
#pragma GCC unroll 32
      for (size_t j = 0; j < NR; ++j) acc[i][j] = _mm512_dpbusd_epi32(acc[i][j], rows[j], tokens);
    }
  }
  // The lane sums first, in fully unrolled loops: read in the output loop, the accumulators
  // were kept on the stack, each stored after every vpdpbusd.
  int32_t sums[MR][NR];
#pragma GCC unroll 32
  for (size_t i = 0; i < MR; ++i) {
#pragma GCC unroll 32
    for (size_t j = 0; j < NR; ++j) sums[i][j] = _mm512_reduce_add_epi32(acc[i][j]);
  }
  for (size_t i = 0; i < MR; ++i) {
    float* y = p.y + (m0 + i) * p.y_stride + n0;
    const float a_scale = p.aq_scales[(m0 + i) * (p.kp / 32)];
    for (size_t j = 0; j < NR; ++j) {
      const int32_t sum = sums[i][j] - offsets[i];
      // As the repacked prefill: the conversion, × a_scale, then one FMA with the row's scale.
      const __m128 unscaled = _mm_cvtsi32_ss(_mm_setzero_ps(), sum);
      y[j] = int8_row_output(p, n0 + j, _mm_cvtss_f32(_mm_mul_ss(unscaled, _mm_set_ss(a_scale))));
    }
  }
}

// A pass of `tokens` (1..MR) tokens over NR rows.
template <size_t MR, size_t NR>
inline void token_rows_pass(const GemmArgs& p, const int32_t* offsets, size_t m0, size_t tokens,
                            size_t n0) {
  if constexpr (MR > 1) {
    if (tokens < MR) {
      token_rows_pass<MR - 1, NR>(p, offsets, m0, tokens, n0);
      return;
    }
  }
  token_rows_tile<MR, NR>(p, offsets, m0, n0);
}

// Rows [n_begin, n_end) of every token: tiles of up to kTokenTileTokens tokens × 2 rows, the
// rows' tiles outermost so that a batch's later tokens find the rows in cache, in chunks of up to
// kTokenChunk tokens whose offsets are summed once. Up to four tokens (here only when too wide
// for the decode tiles, Avx512Decode::fits) take 4 rows a tile.
inline void token_rows(const GemmArgs& p, size_t n_begin, size_t n_end) {
  int32_t offsets[kTokenChunk];
  const size_t rows_per_tile = p.m <= 4 ? 4 : 2;
  for (size_t c0 = 0; c0 < p.m; c0 += kTokenChunk) {
    const size_t chunk = std::min(kTokenChunk, p.m - c0);
    for (size_t i = 0; i < chunk; ++i) offsets[i] = token_offset(p, c0 + i);
    for (size_t n = n_begin; n < n_end;) {
      const size_t rows = std::min(rows_per_tile, n_end - n);
      for (size_t m0 = c0; m0 < c0 + chunk; m0 += kTokenTileTokens) {
        const size_t tokens = std::min(kTokenTileTokens, c0 + chunk - m0);
        const int32_t* tile_offsets = offsets + (m0 - c0);
        if (rows < rows_per_tile) {  // the last rows, one at a time
          for (size_t r = 0; r < rows; ++r) {
            token_rows_pass<kTokenTileTokens, 1>(p, tile_offsets, m0, tokens, n + r);
          }
        } else if (rows_per_tile == 4) {
          token_rows_pass<4, 4>(p, tile_offsets, m0, tokens, n);
        } else {
          token_rows_pass<kTokenTileTokens, 2>(p, tile_offsets, m0, tokens, n);
        }
      }
      n += rows;
    }
  }
}

}  // namespace
}  // namespace griffin
