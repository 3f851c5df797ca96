// int8 weight rows (f32-qs8w) on AVX-512 VNNI with the activations rounded to int16, for any
// number of tokens: a lone decoded token, a batch (griffin_batch_decode) and prefill. The
// arithmetic is the AVX2 form's (x86-int16-decode.h): each token's activations are rounded to
// int16 in blocks of 1,024 consecutive columns (scale = max|x| / 32767), a block's products are
// summed exactly in int32, then per block one conversion and one FMA into the (token, row)
// accumulator, and one horizontal sum at the end. Only the lanes differ: `vpdpwssd` adds pairs
// of products into 16 int32 lanes, each lane summing 64 products of a block (|sum| <= 64 · 128 ·
// 32768 = 2^28 < 2^31). A token sums in the same order whatever the batch, tile or chunk, so each
// session of a batch gets the bits of its lone decode, and a prefilled token gets them too.
//
// Why blocks of 1,024 columns. The first form of this file scaled every 32 columns, spread over
// lanes, with a conversion and an FMA per 128 columns: one Zen 4 core (rows in L2, 8 tokens) ran
// it at 61-72 GMAC/s, against 95-98 here, where `vpdpwssd` alone peaks at 109-113. The tiles are
// four rows × up to four tokens (16 int32 sums, 4 weights), eight tokens as four and four on the
// same rows while they are in L1; the f32 accumulators stay in memory, loaded and stored once per
// block, so the sums keep the registers (in registers, 4×4 spilled: 90).
//
// Tokens go in blocks of up to kVnniInt16MaxTokens (fewer when their rows are wide) rounded on
// the stack by each call (one per thread-pool task): up to 136 KB (kVnniInt16StackValues int16
// and their scales), on the x86 machines this runs on. A prefill chunk of 64 tokens takes eight
// blocks, each reading the task's rows again (from L2 or L3 after the first).
// Included only by files compiled with AVX-512 VNNI (+VL, BW).
#pragma once

#include <immintrin.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "runtime/src/kernels/gemm.h"
#include "runtime/src/kernels/weight-rows.h"
#include "runtime/src/kernels/x86-int16-decode.h"
#include "runtime/src/kernels/x86-reduce.h"

namespace griffin {
namespace {

// Tokens per pass over a tile's rows: four, then up to four more on the same rows.
constexpr size_t kVnniInt16MaxTokens = 8;
// The most values one call rounds at once (tokens × padded columns): 128 KB of int16 and 8 KB of
// scales on the stack. Eight tokens of 2B's widest input (7680) fit; a row wider than this takes
// the f32 tiles.
constexpr size_t kVnniInt16StackValues = 65536;
// The rounding is the AVX2 form's own (x86-int16-decode.h: quantize_int16_blocks, blocks of
// kInt16BlockGroups groups, int16_blocks scales per token), so the int16 values are the same.

// Where the tiles prefetch the rows ahead of them: into L2, whose miss slots a stream from memory
// needs more of than L1's. A batch is bound by its arithmetic, and its activations (eight tokens
// of 2,560 columns: 40 KB) already overflow L1: rows four tiles on. From memory, one Zen 4 core
// ran eight tokens at 64-70 GMAC/s with the next tile prefetched into L1, 81-94 with this (2-8
// tiles on alike, 16 slower), 48-54 with none. A lone token is bound by memory: rows sixteen
// tiles (rows) on, 40 KB, as the two-row tiles' eight were. Against the next tile into L1, 2B int8
// decode on one thread went 6.3-6.5 -> 7.3-7.7 tokens/s and two sessions on a thread each, in
// turns, 11.6-13.0 -> 15.4-16.3; one session on two threads was level (ahead in 6 of 11 interleaved
// pairs, the host's memory drifting).
template <size_t kTilesAhead>
struct RowsAhead {
  static constexpr size_t kTiles = kTilesAhead;
  static void fetch(const uint8_t* line) {
    _mm_prefetch(reinterpret_cast<const char*>(line), _MM_HINT_T1);
  }
};
using LoneRowsAhead = RowsAhead<16>;
using BatchRowsAhead = RowsAhead<4>;

// Tokens t0..t0+MR-1 × rows n0..n0+NR-1 of the rounded tokens q [m, kp] and their scales.
template <typename Ahead, size_t MR, size_t NR>
inline void int16_vnni_tile(const GemmArgs& p, const int16_t* q, const float* q_scales, size_t t0,
                            size_t n0) {
  const size_t groups = p.kp / 32;
  const size_t blocks = int16_blocks(p.kp);
  q += t0 * p.kp;
  q_scales += t0 * blocks;
  const uint8_t* w[NR];
  for (size_t j = 0; j < NR; ++j) w[j] = weight_row<uint8_t>(p, n0 + j);
  // Rows Ahead::kTiles tiles on (contiguous), NR · 32 bytes per group: a line per row every two.
  const uint8_t* ahead = w[0] + Ahead::kTiles * NR * p.w_row_bytes;
  alignas(64) float acc[MR][NR][16];
  for (size_t i = 0; i < MR; ++i) {
    for (size_t j = 0; j < NR; ++j) _mm512_store_ps(acc[i][j], _mm512_setzero_ps());
  }
  for (size_t b = 0; b < blocks; ++b) {
    __m512i sum[MR][NR];
    for (size_t i = 0; i < MR; ++i) {
      for (size_t j = 0; j < NR; ++j) sum[i][j] = _mm512_setzero_si512();
    }
    const size_t g_end = std::min(groups, (b + 1) * kInt16BlockGroups);
    for (size_t g = b * kInt16BlockGroups; g < g_end; ++g) {
      if (g % 2 == 0) {
        for (size_t j = 0; j < NR; ++j) Ahead::fetch(ahead + g * NR * 32 + j * 64);
      }
      // The activations are memory operands, read once per row: the empty asm hides from GCC
      // that each row reads the same addresses (else it loads them once and spills the sums).
      const int16_t* tokens = q + g * 32;
      if constexpr (MR > 2) __asm__ volatile("" : "+r"(tokens));
      for (size_t j = 0; j < NR; ++j) {
        const __m512i weights = _mm512_cvtepi8_epi16(
            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[j] + g * 32)));
        for (size_t i = 0; i < MR; ++i) {
          sum[i][j] =
              _mm512_dpwssd_epi32(sum[i][j], weights, _mm512_loadu_si512(tokens + i * p.kp));
        }
      }
    }
    for (size_t i = 0; i < MR; ++i) {
      const __m512 scale = _mm512_set1_ps(q_scales[i * blocks + b]);
      for (size_t j = 0; j < NR; ++j) {
        // Keeps the accumulators in memory (see the top of the file).
        __asm__ volatile("" ::: "memory");
        _mm512_store_ps(acc[i][j], _mm512_fmadd_ps(_mm512_cvtepi32_ps(sum[i][j]), scale,
                                                   _mm512_load_ps(acc[i][j])));
      }
    }
  }
  for (size_t i = 0; i < MR; ++i) {
    for (size_t j = 0; j < NR; ++j) {
      p.y[(t0 + i) * p.y_stride + n0 + j] =
          int8_row_output(p, n0 + j, _mm512_reduce_add_ps(_mm512_load_ps(acc[i][j])));
    }
  }
}

// Rows [n_begin, n_end) NR at a time (then one at a time), and on each step tokens 0..MR-1, then,
// while the step's rows are in L1, tokens MR..MR+MR2-1.
template <size_t NR, size_t MR, size_t MR2>
inline void int16_vnni_rows(const GemmArgs& p, const int16_t* q, const float* q_scales,
                            size_t n_begin, size_t n_end) {
  using Ahead = std::conditional_t<MR == 1, LoneRowsAhead, BatchRowsAhead>;
  size_t n = n_begin;
  for (; n + NR <= n_end; n += NR) {
    int16_vnni_tile<Ahead, MR, NR>(p, q, q_scales, 0, n);
    if constexpr (MR2 > 0) int16_vnni_tile<Ahead, MR2, NR>(p, q, q_scales, MR, n);
  }
  for (; n < n_end; ++n) {
    int16_vnni_tile<Ahead, MR, 1>(p, q, q_scales, 0, n);
    if constexpr (MR2 > 0) int16_vnni_tile<Ahead, MR2, 1>(p, q, q_scales, MR, n);
  }
}

// Rows [n_begin, n_end) for tokens 0..m-1, m <= kVnniInt16MaxTokens, rounded in q. A lone token
// reads one row at a time, one stream, 16 rows ahead into L2 (LoneRowsAhead). On a host whose
// memory reads 31-62 GB/s on two threads by the minute, only its fast minutes told the tile
// shapes apart: 2B int8 decode on two threads, against the read bandwidth measured among its own
// steps (griffin-bench --roofline), took 0.62-0.69 of 54-61 GB/s in two-row tiles 8 tiles (16
// rows) on, 0.75-0.82 in one-row tiles 8 to 32 rows on, 0.64-0.76 in four-row tiles; 11.4 ->
// 16.2 tokens/s in medians of 4-6 interleaved runs (docs/benchmarks.md, eighth Zen 4 session).
// In its slow minutes (31-41 GB/s) every shape read 0.8-0.9 of the bandwidth. Earlier, one row at
// a time 1 KB ahead into L1 (the AVX2 form's way) had not decoded faster than two rows
// (docs/benchmarks/zen4/stop39/pairs.txt).
inline void int16_vnni_token_block(const GemmArgs& p, const int16_t* q, const float* q_scales,
                                   size_t n_begin, size_t n_end) {
  switch (p.m) {
    case 1:
      return int16_vnni_rows<1, 1, 0>(p, q, q_scales, n_begin, n_end);
    case 2:
      return int16_vnni_rows<4, 2, 0>(p, q, q_scales, n_begin, n_end);
    case 3:
      return int16_vnni_rows<4, 3, 0>(p, q, q_scales, n_begin, n_end);
    case 4:
      return int16_vnni_rows<4, 4, 0>(p, q, q_scales, n_begin, n_end);
    case 5:
      return int16_vnni_rows<4, 4, 1>(p, q, q_scales, n_begin, n_end);
    case 6:
      return int16_vnni_rows<4, 4, 2>(p, q, q_scales, n_begin, n_end);
    case 7:
      return int16_vnni_rows<4, 4, 3>(p, q, q_scales, n_begin, n_end);
    default:
      return int16_vnni_rows<4, 4, 4>(p, q, q_scales, n_begin, n_end);
  }
}

// Decoded tokens (GemmArgs::int16_decode) and prefill (int16_prefill) on rows that fit the stack.
inline bool wants_int16_vnni(const GemmArgs& p) {
  return (p.int16_decode || p.int16_prefill) && p.m >= 1 && p.kp <= kVnniInt16StackValues;
}

// Tokens 0..m-1 (wants_int16_vnni) of rows [n_begin, n_end), in blocks of as many tokens as the
// stack holds at this width (eight for 2B's rows).
inline void int16_vnni(const GemmArgs& p, size_t n_begin, size_t n_end) {
  alignas(64) int16_t q[kVnniInt16StackValues];
  alignas(64) float q_scales[kVnniInt16StackValues / 32];
  const size_t block = std::min(kVnniInt16MaxTokens, kVnniInt16StackValues / p.kp);
  const size_t blocks = int16_blocks(p.kp);
  for (size_t m0 = 0; m0 < p.m; m0 += block) {
    GemmArgs part = p;
    part.m = std::min(block, p.m - m0);
    part.a = p.a + m0 * p.a_stride;
    part.y = p.y + m0 * p.y_stride;
    for (size_t i = 0; i < part.m; ++i) {
      quantize_int16_blocks(p.k, p.kp, part.a + i * p.a_stride, q + i * p.kp,
                            q_scales + i * blocks);
    }
    int16_vnni_token_block(part, q, q_scales, n_begin, n_end);
  }
}

}  // namespace
}  // namespace griffin
