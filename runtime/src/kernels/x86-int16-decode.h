// int8 weight rows (f32-qs8w) on AVX2 with the activations rounded to 16 bits: a lone decoded
// token, a batch, and prefill (in blocks of up to kInt16DecodeMaxTokens tokens). The f32 path
// widens every weight through vpmovsxbd + vcvtdq2ps; on Zen 1 (one conversion pipe) that, not
// memory, bounded decode, and on one Zen 3 core its prefill tiles ran at 26 GMAC/s. Here each
// token's activations are rounded to int16 in blocks of 1,024 columns (scale = max|x| / 32767,
// so each value is within 1/65534 of its block's largest), each weight is sign-extended to 16
// bits once for the tokens of a tile, and `vpmaddwd` gives exact 32-bit sums of pairs of
// products, added up over the block: one conversion and one FMA per 1,024 weights and token.
// Each of a block's 8 lanes sums 128 products (|sum| <= 128 · 128 · 32768 = 2^29 < 2^31, for
// any bytes a file holds); its conversion to f32 rounds to 24 bits, far below the int16
// rounding. Why blocks this long: the conversion and the FMA compete with the multiplies, so
// they cost in proportion to how often they come. Blocks of 32 ran at 39-40 GMAC/s on one Zen 3
// core with four tokens, of 256 at 50-52 (the error against an f64 sum moved from 1.08e-3 to
// 1.05e-3 in the same test); the eight-token steps of x86-int16-prefill.h ran at 66-68 with
// blocks of 256, 70-71 with 512 and 72-74 with 1,024 (2,048 would put eight tokens'
// activations of one block past L1: 52).
// The row's scale and bias come last. A token sums in the same order whatever the tile and
// block, so each session of a batch gets the bits of its lone decode, and a prefilled token gets
// them too, in any chunking. GemmArgs::int16_decode asks for it for decoded tokens
// (Session::decode, griffin_batch_decode), GemmArgs::int16_prefill for prefill. Included by the
// AVX2 and the AVX-512F variants: on Zen 4 the AVX-512F widening decode was bound by its
// conversions too (int8 2B decode 8.7-9.0 -> 10.7-14.1 tok/s). Everything here sits in an
// unnamed namespace, so each file gets its own copy compiled for its own ISA: one shared inline
// copy, picked by the linker, could carry AVX-512 encodings into the AVX2 variant.
#pragma once

#include <immintrin.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "runtime/src/kernels/gemm.h"
#include "runtime/src/kernels/weight-rows.h"
#include "runtime/src/kernels/x86-reduce.h"

namespace griffin {
namespace {

// The widest padded row the decode rounds; wider rows (none in RecurrentGemma 2B/9B: at most
// 12,288 columns) take the f32 path.
constexpr size_t kInt16DecodeMaxColumns = 16384;
// The most tokens one call rounds, and the most values it rounds (tokens × padded columns:
// 128 KB of int16 plus 8 KB of scales on the stack, as the VNNI form's). More tokens run in
// blocks (int16_token_blocks).
constexpr size_t kInt16DecodeMaxTokens = 9;
constexpr size_t kInt16DecodeStackValues = 65536;

// Columns per int16 scale: 32 groups of 32.
constexpr size_t kInt16BlockGroups = 32;

inline size_t int16_blocks(size_t kp) {
  return (kp / 32 + kInt16BlockGroups - 1) / kInt16BlockGroups;
}

// a [k] f32 -> q [kp] int16 and scales [int16_blocks(kp)]; the padding past k is zero. Group g
// (32 columns) goes to q + g · group_stride and block b's scale to scales[b · scale_stride]: the
// six-token prefill (x86-int16-prefill.h) interleaves its tokens so.
inline void quantize_int16_blocks(size_t k, size_t kp, const float* a, int16_t* q, float* scales,
                                  size_t group_stride = 32, size_t scale_stride = 1) {
  const size_t groups = kp / 32;
  for (size_t g0 = 0; g0 < groups; g0 += kInt16BlockGroups) {
    const size_t g1 = std::min(groups, g0 + kInt16BlockGroups);
    float max_abs = 0.0f;
    for (size_t g = g0; g < g1; ++g) {
      __m256 v[4];
      load_group(a, k, g, v);
      max_abs = std::max(max_abs, group_abs_max(v));
    }
    scales[g0 / kInt16BlockGroups * scale_stride] = max_abs / 32767.0f;
    const __m256 inverse = _mm256_set1_ps(max_abs > 0.0f ? 32767.0f / max_abs : 0.0f);
    for (size_t g = g0; g < g1; ++g) {
      __m256 v[4];
      load_group(a, k, g, v);
      for (size_t half = 0; half < 2; ++half) {
        // Round to nearest; packs saturates (|x · inverse| <= 32767 up to rounding) and
        // interleaves 128-bit lanes, which the permute puts back in column order.
        const __m256i low = _mm256_cvtps_epi32(_mm256_mul_ps(v[2 * half], inverse));
        const __m256i high = _mm256_cvtps_epi32(_mm256_mul_ps(v[2 * half + 1], inverse));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(q + g * group_stride + 16 * half),
                            _mm256_permute4x64_epi64(_mm256_packs_epi32(low, high), 0xD8));
      }
    }
  }
}

// Tokens t0..t0+MR-1 × rows n0..n0+NR-1: per group, each weight widened once, then per token two
// vpmaddwd added into the block's 32-bit sums; per block, one conversion and one FMA per token
// and row, in the same order for any MR. The activations are memory operands: they stay in L1
// for the rows of a task.
template <size_t MR, size_t NR>
inline void int16_decode_tile(const GemmArgs& p, const int16_t* q, const float* q_scales, size_t t0,
                              size_t n0) {
  const size_t groups = p.kp / 32;
  const size_t blocks = int16_blocks(p.kp);
  q += t0 * p.kp;
  q_scales += t0 * blocks;
  const uint8_t* w[NR];
  for (size_t j = 0; j < NR; ++j) w[j] = weight_row<uint8_t>(p, n0 + j);
  // A lone token streams its rows one after the other from memory: kLoneRowPrefetchBytes on,
  // one hint per line. Batches are bound by their arithmetic: the next tile.
  constexpr bool kLoneRow = MR == 1 && NR == 1;
  const uint8_t* ahead =
      w[0] + (kLoneRow ? kLoneRowPrefetchBytes : kPrefetchTiles * NR * p.w_row_bytes);
  __m256 acc[MR][NR];
  for (size_t i = 0; i < MR; ++i) {
    for (size_t j = 0; j < NR; ++j) acc[i][j] = _mm256_setzero_ps();
  }
  for (size_t b = 0; b < blocks; ++b) {
    __m256i sum[MR][NR];
    for (size_t i = 0; i < MR; ++i) {
      for (size_t j = 0; j < NR; ++j) sum[i][j] = _mm256_setzero_si256();
    }
    const size_t g_end = std::min(groups, (b + 1) * kInt16BlockGroups);
    for (size_t g = b * kInt16BlockGroups; g < g_end; ++g) {
      if (!kLoneRow || g % 2 == 0) prefetch_lines(ahead + g * NR * 32, NR * 32);
      for (size_t j = 0; j < NR; ++j) {
        const __m256i w0 =
            _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w[j] + g * 32)));
        const __m256i w1 = _mm256_cvtepi8_epi16(
            _mm_loadu_si128(reinterpret_cast<const __m128i*>(w[j] + g * 32 + 16)));
        // Past two tokens the activations are read as memory operands of vpmaddwd, once per row:
        // GCC otherwise loaded them into registers once for the NR rows and spilled the 32-bit
        // sums to the stack instead. The empty asm hides from it that each row reads the same
        // addresses (four tokens: 51-52 -> 55-56 GMAC/s on one Zen 3 core).
        const int16_t* tokens = q + g * 32;
        if constexpr (MR > 2) __asm__ volatile("" : "+r"(tokens));
        for (size_t i = 0; i < MR; ++i) {
          const __m256i* token = reinterpret_cast<const __m256i*>(tokens + i * p.kp);
          sum[i][j] = _mm256_add_epi32(sum[i][j], _mm256_madd_epi16(w0, _mm256_loadu_si256(token)));
          sum[i][j] =
              _mm256_add_epi32(sum[i][j], _mm256_madd_epi16(w1, _mm256_loadu_si256(token + 1)));
        }
      }
    }
    for (size_t i = 0; i < MR; ++i) {
      const __m256 scale = _mm256_broadcast_ss(q_scales + i * blocks + b);
      for (size_t j = 0; j < NR; ++j) {
        acc[i][j] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sum[i][j]), scale, acc[i][j]);
      }
    }
  }
  for (size_t i = 0; i < MR; ++i) {
    for (size_t j = 0; j < NR; ++j) {
      p.y[(t0 + i) * p.y_stride + n0 + j] = int8_row_output(p, n0 + j, horizontal_sum(acc[i][j]));
    }
  }
}

// Rows [n_begin, n_end) in NR-row steps (then one row at a time), and on each step the tiles
// of Heights tokens one after the other, while the step's rows are in L1.
template <size_t NR, size_t... Heights>
inline void int16_decode_rows(const GemmArgs& p, const int16_t* q, const float* q_scales,
                              size_t n_begin, size_t n_end) {
  size_t n = n_begin;
  for (; n + NR <= n_end; n += NR) {
    size_t t0 = 0;
    ((int16_decode_tile<Heights, NR>(p, q, q_scales, t0, n), t0 += Heights), ...);
  }
  for (; n < n_end; ++n) {
    size_t t0 = 0;
    ((int16_decode_tile<Heights, 1>(p, q, q_scales, t0, n), t0 += Heights), ...);
  }
}

// Tokens 0..m-1 (m <= kInt16DecodeMaxTokens) of rows [n_begin, n_end). A lone token runs one
// row at a time (kLoneRowPrefetchBytes), two 2×4 tiles, more tiles of three or four tokens on
// pairs of rows (their 32-bit sums fit AVX2's 16 registers).
// On one Zen 3 core, rows of 2,560 columns in L2: 3×2 tiles 59-61 GMAC/s, 4×2 55-56, so nine
// tokens run as 3+3+3 and five to eight mostly in threes; rows of 7,680 columns (activations
// past L1) ran 4+4 at 53 and 3+3+2 at 51. Each call (one per thread-pool task) rounds the
// tokens itself: a few thousand cycles against the hundreds of thousands its rows take.
inline void int16_decode(const GemmArgs& p, size_t n_begin, size_t n_end) {
  alignas(32) int16_t q[kInt16DecodeStackValues];
  float q_scales[kInt16DecodeStackValues / 32];  // at most m · (kp / 1024 + 1) used
  for (size_t i = 0; i < p.m; ++i) {
    quantize_int16_blocks(p.k, p.kp, p.a + i * p.a_stride, q + i * p.kp,
                          q_scales + i * int16_blocks(p.kp));
  }
  switch (p.m) {
    case 1:
      return int16_decode_rows<1, 1>(p, q, q_scales, n_begin, n_end);
    case 2:
      return int16_decode_rows<4, 2>(p, q, q_scales, n_begin, n_end);
    case 3:
      return int16_decode_rows<2, 3>(p, q, q_scales, n_begin, n_end);
    case 4:
      return int16_decode_rows<2, 4>(p, q, q_scales, n_begin, n_end);
    case 5:
      return int16_decode_rows<2, 3, 2>(p, q, q_scales, n_begin, n_end);
    case 6:
      return int16_decode_rows<2, 3, 3>(p, q, q_scales, n_begin, n_end);
    case 7:
      return int16_decode_rows<2, 4, 3>(p, q, q_scales, n_begin, n_end);
    case 8:
      if (p.kp > 4096) return int16_decode_rows<2, 4, 4>(p, q, q_scales, n_begin, n_end);
      return int16_decode_rows<2, 3, 3, 2>(p, q, q_scales, n_begin, n_end);
    default:
      return int16_decode_rows<2, 3, 3, 3>(p, q, q_scales, n_begin, n_end);
  }
}

inline bool wants_int16(const GemmArgs& p) {
  return (p.int16_decode || p.int16_prefill) && p.m >= 1 && p.kp <= kInt16DecodeMaxColumns;
}

}  // namespace
}  // namespace griffin
