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
// it at 61-72 GMAC/s, against 95-98 with blocks, where `vpdpwssd` alone peaks at 109-113.
//
// Two or more tokens (int16_vnni_spans) go through the rows 16 at a time (a span), block by
// block: each tile of four rows sums four tokens (then up to four more) over the block in inline
// assembly, with the tokens' activations of a group in registers, and adds each sum into its
// (token, row) accumulator; the span's accumulators and a block of activations (16 KB for eight
// tokens) stay in L1 and the weights come from L2, where the tiles prefetch the next span's rows.
// Each span's sums are reduced 16 rows at once in the tree _mm512_reduce_add_ps uses
// (row_sums_16). Before (2026-12-05, twelfth Zen 4 session), each tile walked its four rows whole
// with each row's vpdpwssd reading the activations as a memory operand: 16 loads per 16 products
// held the tile to 0.81 of the peak even from L1, and a tile's 40 KB of activations (eight tokens
// of 2,560 columns) came from L2. Eight tokens on a 512 × 2,560 matrix in L2, one core: 86-88 ->
// 96-99 GMAC/s (of 117); 2B int8 batch of 8 on two: 152-163 -> 136-145 ms a step, and the
// default int8 prefill 74-77 -> 83-87 tokens/s.
//
// Tokens go in blocks of up to kVnniInt16MaxTokens (fewer when their rows are wide) rounded on
// the stack by each call (one per thread-pool task), interleaved by group: up to 136 KB
// (kVnniInt16StackValues int16 and their scales), on the x86 machines this runs on. A prefill
// chunk of 64 tokens takes eight blocks, each reading the task's rows again (from L2 or L3 after
// the first).
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

// The most tokens one call rounds and runs at once: a tile takes four, then up to four more on
// the same rows.
constexpr size_t kVnniInt16MaxTokens = 8;
// The most values one call rounds at once (tokens × padded columns): 128 KB of int16 and 8 KB of
// scales on the stack. Eight tokens of 2B's widest input (7680) fit; a row wider than this takes
// the f32 tiles.
constexpr size_t kVnniInt16StackValues = 65536;
// The rounding is the AVX2 form's own (x86-int16-decode.h: quantize_int16_blocks, blocks of
// kInt16BlockGroups groups, int16_blocks scales per token), so the int16 values are the same.

// Where a lone token prefetches the rows ahead of it: into L2, whose miss slots a stream from
// memory needs more of than L1's, sixteen rows on (40 KB of 2B). Against the next tile into L1, 2B
// int8 decode on one thread went 6.3-6.5 -> 7.3-7.7 tokens/s and two sessions on a thread each, in
// turns, 11.6-13.0 -> 15.4-16.3; one session on two threads was level (ahead in 6 of 11 interleaved
// pairs, the host's memory drifting).
constexpr size_t kLoneRowsAhead = 16;

// One block of the 4 × 4 tile, in inline assembly: the int32 sums of tokens 0-3 × rows 0-3 over
// `groups` (>= 1) groups, then acc(i, j) += float(sum) × scales[i], one conversion and one FMA
// (vfmadd213ps: one rounding, as _mm512_fmadd_ps). Per group the four tokens' activations are
// loaded once into registers and each row's weights widened once, for 16 vpdpwssd; with each
// row's vpdpwssd reading the activations as a memory operand (16 loads per 16 products), the
// tile ran at 0.81 of vpdpwssd's peak from L1 on Zen 4, and at the peak so (GCC, given the loop
// in intrinsics, copied and spilled the sums). w: row 0 at the block, the others `w_stride` bytes
// apart; a: token 0's activations at the block, tokens 1-3 64 bytes after it (the call's tokens
// interleaved by group), the next group `a_step` bytes on; ahead: 128 bytes a group prefetched
// into L2; acc: token 0's accumulator on row 0, token i's i · 64 bytes on, row j's j · acc_stride.
inline void int16_vnni_block_4x4(const uint8_t* w, size_t w_stride, const int16_t* a, size_t a_step,
                                 size_t groups, const uint8_t* ahead, const float* scales,
                                 float* acc, size_t acc_stride) {
  const uint8_t* w3 = w + 3 * w_stride;
  const uint8_t* const end = w + 32 * groups;
  float* acc3 = reinterpret_cast<float*>(reinterpret_cast<char*>(acc) + 3 * acc_stride);
  // clang-format off
#define GRF_W16_ROW(load, s0, s1, s2, s3)                         \
  "vpmovsxbw " load ", %%zmm20\n\t"                              \
  "vpdpwssd %%zmm16, %%zmm20, %%zmm" s0 "\n\t"                   \
  "vpdpwssd %%zmm17, %%zmm20, %%zmm" s1 "\n\t"                   \
  "vpdpwssd %%zmm18, %%zmm20, %%zmm" s2 "\n\t"                   \
  "vpdpwssd %%zmm19, %%zmm20, %%zmm" s3 "\n\t"
// acc(i, j) at `row` + i · 64 (tokens i = 0..3 of row j) += float(zmm(4j + i)) × zmm(16 + i).
#define GRF_W16_ADD(sum, scale, at)                               \
  "vcvtdq2ps %%zmm" sum ", %%zmm" sum "\n\t"                     \
  "vfmadd213ps " at ", %%zmm" scale ", %%zmm" sum "\n\t"        \
  "vmovups %%zmm" sum ", " at "\n\t"
#define GRF_W16_ADD_ROW(row, s0, s1, s2, s3)                      \
  GRF_W16_ADD(s0, "16", row) GRF_W16_ADD(s1, "17", "64" row)    \
  GRF_W16_ADD(s2, "18", "128" row) GRF_W16_ADD(s3, "19", "192" row)
  __asm__ volatile(
      "vpxord %%zmm0, %%zmm0, %%zmm0\n\t"
      "vmovdqa64 %%zmm0, %%zmm1\n\t" "vmovdqa64 %%zmm0, %%zmm2\n\t" "vmovdqa64 %%zmm0, %%zmm3\n\t"
      "vmovdqa64 %%zmm0, %%zmm4\n\t" "vmovdqa64 %%zmm0, %%zmm5\n\t" "vmovdqa64 %%zmm0, %%zmm6\n\t"
      "vmovdqa64 %%zmm0, %%zmm7\n\t" "vmovdqa64 %%zmm0, %%zmm8\n\t" "vmovdqa64 %%zmm0, %%zmm9\n\t"
      "vmovdqa64 %%zmm0, %%zmm10\n\t" "vmovdqa64 %%zmm0, %%zmm11\n\t" "vmovdqa64 %%zmm0, %%zmm12\n\t"
      "vmovdqa64 %%zmm0, %%zmm13\n\t" "vmovdqa64 %%zmm0, %%zmm14\n\t" "vmovdqa64 %%zmm0, %%zmm15\n\t"
      "1:\n\t"
      "prefetcht1 (%[ahead])\n\t"
      "prefetcht1 64(%[ahead])\n\t"
      "vmovdqu64 (%[a]), %%zmm16\n\t"
      "vmovdqu64 64(%[a]), %%zmm17\n\t"
      "vmovdqu64 128(%[a]), %%zmm18\n\t"
      "vmovdqu64 192(%[a]), %%zmm19\n\t"
      // Row j's sums for tokens 0-3 are zmm(4j)..zmm(4j+3).
      GRF_W16_ROW("(%[w])", "0", "1", "2", "3")
      GRF_W16_ROW("(%[w],%[w_stride],1)", "4", "5", "6", "7")
      GRF_W16_ROW("(%[w],%[w_stride],2)", "8", "9", "10", "11")
      GRF_W16_ROW("(%[w3])", "12", "13", "14", "15")
      "add $32, %[w]\n\t"
      "add $32, %[w3]\n\t"
      "add %[a_step], %[a]\n\t"
      "add $128, %[ahead]\n\t"
      "cmp %[end], %[w]\n\t"
      "jne 1b\n\t"
      "vbroadcastss (%[scales]), %%zmm16\n\t"
      "vbroadcastss 4(%[scales]), %%zmm17\n\t"
      "vbroadcastss 8(%[scales]), %%zmm18\n\t"
      "vbroadcastss 12(%[scales]), %%zmm19\n\t"
      GRF_W16_ADD_ROW("(%[acc])", "0", "1", "2", "3")
      GRF_W16_ADD_ROW("(%[acc],%[acc_stride],1)", "4", "5", "6", "7")
      GRF_W16_ADD_ROW("(%[acc],%[acc_stride],2)", "8", "9", "10", "11")
      GRF_W16_ADD_ROW("(%[acc3])", "12", "13", "14", "15")
      : [w] "+r"(w), [w3] "+r"(w3), [a] "+r"(a), [ahead] "+r"(ahead)
      : [w_stride] "r"(w_stride), [a_step] "r"(a_step), [end] "r"(end), [scales] "r"(scales),
        [acc] "r"(acc), [acc_stride] "r"(acc_stride), [acc3] "r"(acc3)
      : "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
        "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "xmm16", "xmm17", "xmm18",
        "xmm19", "xmm20");
#undef GRF_W16_ROW
#undef GRF_W16_ADD
#undef GRF_W16_ADD_ROW
  // clang-format on
}

// Lane r = the sum of the 16 lanes of rows[r] (r < 16), each added up in _mm512_reduce_add_ps's
// tree (the halves, then the quarters, then lanes two apart, then the last two), so that a row
// gets the bits it gets alone (int16_vnni_lone_row): the same additions, done for 16 rows at once
// in 15 vector additions. The tree leaves input s's sum in lane perm(s), perm(s) = 4 · (s % 4) + s
// / 4, which is its own inverse: the rows go in in that order.
inline __m512 row_sums_16(const float* const* rows) {
  __m512 v[16];
  for (size_t s = 0; s < 16; ++s) v[s] = _mm512_load_ps(rows[4 * (s % 4) + s / 4]);
  __m512 halves[8];
  for (size_t m = 0; m < 8; ++m) {
    halves[m] = _mm512_add_ps(_mm512_shuffle_f32x4(v[2 * m], v[2 * m + 1], 0x44),
                              _mm512_shuffle_f32x4(v[2 * m], v[2 * m + 1], 0xEE));
  }
  __m512 quarters[4];
  for (size_t m = 0; m < 4; ++m) {
    quarters[m] = _mm512_add_ps(_mm512_shuffle_f32x4(halves[2 * m], halves[2 * m + 1], 0x88),
                                _mm512_shuffle_f32x4(halves[2 * m], halves[2 * m + 1], 0xDD));
  }
  __m512 pairs[2];
  for (size_t m = 0; m < 2; ++m) {
    pairs[m] = _mm512_add_ps(_mm512_shuffle_ps(quarters[2 * m], quarters[2 * m + 1], 0x44),
                             _mm512_shuffle_ps(quarters[2 * m], quarters[2 * m + 1], 0xEE));
  }
  return _mm512_add_ps(_mm512_shuffle_ps(pairs[0], pairs[1], 0x88),
                       _mm512_shuffle_ps(pairs[0], pairs[1], 0xDD));
}

// Row n for a lone rounded token q [kp] and its block scales: per block one chain of vpdpwssd,
// then one conversion and one FMA into the row's accumulator, and one horizontal sum at the end.
inline void int16_vnni_lone_row(const GemmArgs& p, const int16_t* q, const float* q_scales,
                                size_t n) {
  const size_t groups = p.kp / 32;
  const size_t blocks = int16_blocks(p.kp);
  const uint8_t* w = weight_row<uint8_t>(p, n);
  // The row kLoneRowsAhead on (rows are contiguous): a line every two groups.
  const uint8_t* ahead = w + kLoneRowsAhead * p.w_row_bytes;
  alignas(64) float acc[16];
  _mm512_store_ps(acc, _mm512_setzero_ps());
  for (size_t b = 0; b < blocks; ++b) {
    __m512i sum = _mm512_setzero_si512();
    const size_t g_end = std::min(groups, (b + 1) * kInt16BlockGroups);
    for (size_t g = b * kInt16BlockGroups; g < g_end; ++g) {
      if (g % 2 == 0) _mm_prefetch(reinterpret_cast<const char*>(ahead + g * 32), _MM_HINT_T1);
      const __m512i weights =
          _mm512_cvtepi8_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + g * 32)));
      sum = _mm512_dpwssd_epi32(sum, weights, _mm512_loadu_si512(q + g * 32));
    }
    // Keeps the accumulator in memory, loaded and stored once per block, as this row has always
    // run (the decode it serves is bound by memory).
    __asm__ volatile("" ::: "memory");
    _mm512_store_ps(acc, _mm512_fmadd_ps(_mm512_cvtepi32_ps(sum), _mm512_set1_ps(q_scales[b]),
                                         _mm512_load_ps(acc)));
  }
  p.y[n] = int8_row_output(p, n, _mm512_reduce_add_ps(_mm512_load_ps(acc)));
}

// Sums of tokens 0..MR-1 × rows 0..NR-1 (rows `w_stride` bytes apart) over `groups` groups of
// one block, into sums[i · NR + j], in intrinsics, prefetching 128 bytes a group from `ahead` as
// int16_vnni_block_4x4 does (the shapes other than 4 × 4).
template <size_t MR, size_t NR>
inline void int16_vnni_sums(const uint8_t* w, size_t w_stride, const int16_t* a, size_t a_step,
                            size_t groups, const uint8_t* ahead, __m512i* sums) {
  __m512i sum[MR][NR];
  for (size_t i = 0; i < MR; ++i) {
    for (size_t j = 0; j < NR; ++j) sum[i][j] = _mm512_setzero_si512();
  }
  for (size_t g = 0; g < groups; ++g) {
    _mm_prefetch(reinterpret_cast<const char*>(ahead + g * 128), _MM_HINT_T1);
    _mm_prefetch(reinterpret_cast<const char*>(ahead + g * 128 + 64), _MM_HINT_T1);
    const int16_t* tokens = a + g * (a_step / sizeof(int16_t));
    __m512i activations[MR];
    for (size_t i = 0; i < MR; ++i) activations[i] = _mm512_loadu_si512(tokens + i * 32);
    for (size_t j = 0; j < NR; ++j) {
      const __m512i weights = _mm512_cvtepi8_epi16(
          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + j * w_stride + g * 32)));
      for (size_t i = 0; i < MR; ++i) {
        sum[i][j] = _mm512_dpwssd_epi32(sum[i][j], weights, activations[i]);
      }
    }
  }
  for (size_t i = 0; i < MR; ++i) {
    for (size_t j = 0; j < NR; ++j) _mm512_store_si512(sums + i * NR + j, sum[i][j]);
  }
}

// Rows a span takes together (int16_vnni_spans): their accumulators, 16 rows × 8 tokens × 64
// bytes = 8 KB, and a block of the tokens' activations (8 × 2 KB) stay in L1.
constexpr size_t kInt16SpanRows = 16;

// acc[r + j][t0 + i] += float(sums[i · NR + j]) × token t0 + i's scale of block b: one
// conversion and one FMA per (token, row) and block, in block order, as a lone token's.
template <size_t MR, size_t NR, size_t kTokens>
inline void int16_vnni_add_block(const __m512i* sums, const float* q_scales, size_t blocks,
                                 size_t b, size_t t0, size_t r, float (*acc)[kTokens][16]) {
  for (size_t i = 0; i < MR; ++i) {
    const __m512 scale = _mm512_set1_ps(q_scales[(t0 + i) * blocks + b]);
    for (size_t j = 0; j < NR; ++j) {
      float* a = acc[r + j][t0 + i];
      _mm512_store_ps(
          a, _mm512_fmadd_ps(_mm512_cvtepi32_ps(sums[i * NR + j]), scale, _mm512_load_ps(a)));
    }
  }
}

// Tokens t0..t0+MR-1 of rows r..r+NR-1 of a span over one block b: their sums, added into acc.
template <size_t MR, size_t NR, size_t kTokens>
inline void int16_vnni_tokens(const uint8_t* w, size_t w_stride, const int16_t* a, size_t a_step,
                              size_t groups, const uint8_t* ahead, const float* q_scales,
                              size_t blocks, size_t b, size_t t0, size_t r,
                              float (*acc)[kTokens][16]) {
  if constexpr (MR == 4 && NR == 4) {
    alignas(16) float scales[4];
    for (size_t i = 0; i < 4; ++i) scales[i] = q_scales[(t0 + i) * blocks + b];
    int16_vnni_block_4x4(w, w_stride, a, a_step, groups, ahead, scales, acc[r][t0],
                         kTokens * 16 * sizeof(float));
  } else {
    alignas(64) __m512i sums[MR * NR];
    int16_vnni_sums<MR, NR>(w, w_stride, a, a_step, groups, ahead, sums);
    int16_vnni_add_block<MR, NR, kTokens>(sums, q_scales, blocks, b, t0, r, acc);
  }
}

// Tokens 0..MR+MR2-1 of rows [n_begin, n_end), kInt16SpanRows rows at a time. A span goes block
// by block (1,024 columns; the tokens' activations of a block, 16 KB for eight, stay in L1), each
// of its tiles of four rows (then one) summing tokens 0..MR-1 and then, while the tile's rows are
// in L1, tokens MR..MR+MR2-1; the tiles prefetch the next span's rows into L2 meanwhile, 128
// bytes a group. The weights so come from L2 and the activations from L1: walking each tile's
// rows whole, the activations (40 KB for eight tokens of 2,560 columns) came from L2 for every
// tile and the tiles waited on them.
template <size_t MR, size_t MR2>
inline void int16_vnni_spans(const GemmArgs& p, const int16_t* q, const float* q_scales,
                             size_t n_begin, size_t n_end) {
  constexpr size_t kTokens = MR + MR2;
  const size_t groups = p.kp / 32;
  const size_t blocks = int16_blocks(p.kp);
  const size_t a_step = kTokens * 32 * sizeof(int16_t);  // bytes from one group of q to the next
  alignas(64) float acc[kInt16SpanRows][kTokens][16];
  for (size_t s0 = n_begin; s0 < n_end; s0 += kInt16SpanRows) {
    const size_t rows = std::min(kInt16SpanRows, n_end - s0);
    for (size_t r = 0; r < rows; ++r) {
      for (size_t i = 0; i < kTokens; ++i) _mm512_store_ps(acc[r][i], _mm512_setzero_ps());
    }
    // The next span's rows, contiguous: the tiles of one pass over the span's blocks walk
    // kInt16SpanRows · kp bytes at 128 a group (the second pass prefetches them again).
    const uint8_t* ahead = weight_row<uint8_t>(p, s0) + kInt16SpanRows * p.w_row_bytes;
    for (size_t b = 0; b < blocks; ++b) {
      const size_t g0 = b * kInt16BlockGroups;
      const size_t count = std::min(groups, g0 + kInt16BlockGroups) - g0;
      const int16_t* a = q + g0 * kTokens * 32;
      const auto tile = [&](auto rows_of_tile, size_t r) {
        constexpr size_t NR = decltype(rows_of_tile)::value;
        const uint8_t* w = weight_row<uint8_t>(p, s0 + r) + g0 * 32;
        int16_vnni_tokens<MR, NR, kTokens>(w, p.w_row_bytes, a, a_step, count, ahead, q_scales,
                                           blocks, b, 0, r, acc);
        if constexpr (MR2 > 0) {
          int16_vnni_tokens<MR2, NR, kTokens>(w, p.w_row_bytes, a + MR * 32, a_step, count, ahead,
                                              q_scales, blocks, b, MR, r, acc);
        }
        ahead += count * 128;
      };
      size_t r = 0;
      for (; r + 4 <= rows; r += 4) tile(std::integral_constant<size_t, 4>(), r);
      for (; r < rows; ++r) tile(std::integral_constant<size_t, 1>(), r);
    }
    if (rows == kInt16SpanRows) {
      // int8_row_output for 16 rows at once: sum · row scale + bias in one FMA each.
      const __m512 row_scales = _mm512_loadu_ps(p.w_scales + s0 * sizeof(float));
      const __m512 bias = p.bias ? _mm512_loadu_ps(p.bias + s0) : _mm512_setzero_ps();
      for (size_t i = 0; i < kTokens; ++i) {
        const float* sums[kInt16SpanRows];
        for (size_t r = 0; r < kInt16SpanRows; ++r) sums[r] = acc[r][i];
        _mm512_storeu_ps(p.y + i * p.y_stride + s0,
                         _mm512_fmadd_ps(row_sums_16(sums), row_scales, bias));
      }
    } else {
      for (size_t r = 0; r < rows; ++r) {
        for (size_t i = 0; i < kTokens; ++i) {
          p.y[i * p.y_stride + s0 + r] =
              int8_row_output(p, s0 + r, _mm512_reduce_add_ps(_mm512_load_ps(acc[r][i])));
        }
      }
    }
  }
}

// Rows [n_begin, n_end) for tokens 0..m-1, m <= kVnniInt16MaxTokens, rounded in q. A lone token
// reads one row at a time, one stream, 16 rows ahead into L2 (kLoneRowsAhead). On a host whose
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
      for (size_t n = n_begin; n < n_end; ++n) int16_vnni_lone_row(p, q, q_scales, n);
      return;
    case 2:
      return int16_vnni_spans<2, 0>(p, q, q_scales, n_begin, n_end);
    case 3:
      return int16_vnni_spans<3, 0>(p, q, q_scales, n_begin, n_end);
    case 4:
      return int16_vnni_spans<4, 0>(p, q, q_scales, n_begin, n_end);
    case 5:
      return int16_vnni_spans<4, 1>(p, q, q_scales, n_begin, n_end);
    case 6:
      return int16_vnni_spans<4, 2>(p, q, q_scales, n_begin, n_end);
    case 7:
      return int16_vnni_spans<4, 3>(p, q, q_scales, n_begin, n_end);
    default:
      return int16_vnni_spans<4, 4>(p, q, q_scales, n_begin, n_end);
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
      // Interleaved by group ([kp / 32][part.m][32]): a tile's tokens sit side by side, one
      // stream for the hardware prefetcher.
      quantize_int16_blocks(p.k, p.kp, part.a + i * p.a_stride, q + i * 32, q_scales + i * blocks,
                            part.m * 32);
    }
    int16_vnni_token_block(part, q, q_scales, n_begin, n_end);
  }
}

}  // namespace
}  // namespace griffin
