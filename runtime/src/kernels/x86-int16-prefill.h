// int8 weight rows (f32-qs8w) on AVX2 and AVX-512F with int16 activations, for any number of
// tokens: prefill in steps of four to six tokens on one row at a time, decoded batches in steps
// of eight (and a last six), everything else (a lone decoded token, batches of up to five, the
// last few tokens of a prefill, rows too wide for eight tokens on the stack) in the tiles of
// x86-int16-decode.h. The arithmetic is that file's: blocks of 1,024 columns rounded to int16,
// exact 32-bit `vpmaddwd` sums over a block, then per block one conversion and one FMA into the
// (token, row) accumulator, and one horizontal sum at the end; so every token still gets the
// bits of its lone decode, in any chunking or batch.
//
// Why many tokens on one row, and why in assembly. Per 32 columns, the 3×2 tiles of
// x86-int16-decode.h widen 4 weight vectors for 12 `vpmaddwd` and 12 `vpaddd` (75 GMAC/s on one
// Zen 3 core with everything in L1). Six tokens on one row widen 2 vectors for 12 multiplies: 82
// GMAC/s in L1 (the loop's multiplies alone run at 90, its additions alone at 160; an addition
// that waits on its product lets Zen 3 issue about 1.6 multiplies a cycle, not 2, in any order
// tried: docs/benchmarks.md, "fifth session"). That needs 6 sums, 6 accumulators, 2 weights
// and 2 products: all 16 AVX2 registers, and GCC, given the same loop in intrinsics, spilled
// (34-43 GMAC/s), so the inner loop is written out below. Eight tokens keep their accumulators in
// memory (loaded and stored once per block of 1,024 columns). Eight tokens' activations are 16
// bytes per column, so the columns go in spans of one block (16 KB, held in L1 while the rows of a
// chunk pass over them), and the accumulators of a chunk's rows wait on the stack between spans.
// Tokens are interleaved per 32 columns (the step's 64-byte pieces one after the other) so the loop
// reads them at fixed offsets from one pointer.
//
// One Zen 3 core, 320 rows (one pool task of a 2B matrix), with the rounding: 64 tokens of
// 2,560 columns 57 -> 67 GMAC/s, of 7,680 55 -> 65; a decoded batch of 8 56.5 -> 66.6.
#pragma once

#include <immintrin.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "runtime/src/kernels/gemm.h"
#include "runtime/src/kernels/tiling.h"
#include "runtime/src/kernels/weight-rows.h"
#include "runtime/src/kernels/x86-int16-decode.h"
#include "runtime/src/kernels/x86-reduce.h"

namespace griffin {
namespace {

// Prefill tokens per step: at most six (all 16 registers), at least four (fewer would widen each
// weight for too few multiplies).
constexpr size_t kInt16PrefillMaxTokens = 6;
constexpr size_t kInt16PrefillMinTokens = 4;
// Decoded batches run steps of eight tokens, their accumulators in memory (8 sums, 2 weights
// and 2 products fill 12 registers): each weight is read from memory once for eight sessions.
constexpr size_t kInt16BatchStepTokens = 8;
// Blocks of 1,024 columns per span (eight tokens' activations take 16 KB of L1).
constexpr size_t kInt16PrefillSpanBlocks = 1;
// Decoded batches read each weight from memory once, a span of a row at a time, rows apart: the
// loop prefetches the same span of the row this many rows on, where the next row alone was
// too close to hide memory's latency. Two Zen 3 threads, 40 distinct 7,680 × 2,560 matrices,
// eight tokens: 56.0 ms (one row on) -> 52.6 (eight; four to twelve alike), median of 16.
// Prefill reads its rows from cache for most steps and keeps the next row.
constexpr size_t kInt16BatchPrefetchRows = 8;
// Rows whose accumulators wait between spans (16 KB of stack).
constexpr size_t kInt16PrefillChunkRows = 64;

// The inner loop's pieces. ymm6-11 hold the tokens' 32-bit sums, ymm12-13 32 weights widened to
// int16, ymm14-15 products and scales. Token t's 32 activations of a group sit at t · 64 bytes.
// clang-format off
#define GRF_I16_ZERO(sum) "vpxor %%" sum ", %%" sum ", %%" sum "\n\t"
#define GRF_I16_TOKEN(offset, sum)                     \
  "vpmaddwd " offset "(%[a]), %%ymm12, %%ymm14\n\t"    \
  "vpmaddwd " offset "+32(%[a]), %%ymm13, %%ymm15\n\t" \
  "vpaddd %%ymm14, %%" sum ", %%" sum "\n\t"           \
  "vpaddd %%ymm15, %%" sum ", %%" sum "\n\t"
#define GRF_I16_LOOP_HEAD                              \
  "1:\n\t"                                             \
  "prefetcht0 (%[w],%[next_row])\n\t"                  \
  "vpmovsxbw (%[w]), %%ymm12\n\t"                      \
  "vpmovsxbw 16(%[w]), %%ymm13\n\t"
#define GRF_I16_LOOP_TAIL(group_bytes)                 \
  "add $32, %[w]\n\t"                                  \
  "add $" group_bytes ", %[a]\n\t"                     \
  "cmp %[end], %[w]\n\t"                               \
  "jne 1b\n\t"
// acc += float(sum) × the token's scale, as x86-int16-decode.h's tiles do.
#define GRF_I16_FINISH(offset, sum, acc)               \
  "vcvtdq2ps %%" sum ", %%" sum "\n\t"                 \
  "vbroadcastss " offset "(%[scales]), %%ymm14\n\t"    \
  "vfmadd231ps %%ymm14, %%" sum ", %[" acc "]\n\t"
// Every step has tokens 0-3; five and six add tokens 4 and 5.
#define GRF_I16_ZERO_0_3                                                   \
  GRF_I16_ZERO("ymm6") GRF_I16_ZERO("ymm7") GRF_I16_ZERO("ymm8")           \
  GRF_I16_ZERO("ymm9")
#define GRF_I16_TOKENS_0_3                                                 \
  GRF_I16_TOKEN("0", "ymm6") GRF_I16_TOKEN("64", "ymm7")                   \
  GRF_I16_TOKEN("128", "ymm8") GRF_I16_TOKEN("192", "ymm9")
#define GRF_I16_FINISH_0_3                                                 \
  GRF_I16_FINISH("0", "ymm6", "acc0") GRF_I16_FINISH("4", "ymm7", "acc1")  \
  GRF_I16_FINISH("8", "ymm8", "acc2") GRF_I16_FINISH("12", "ymm9", "acc3")
#define GRF_I16_OUTPUTS_0_3                                                \
  [w] "+r"(w), [a] "+r"(a), [acc0] "+x"(v[0]), [acc1] "+x"(v[1]),          \
  [acc2] "+x"(v[2]), [acc3] "+x"(v[3])
#define GRF_I16_INPUTS_AND_CLOBBERS                                        \
  : [end] "r"(end), [scales] "r"(scales), [next_row] "r"(next_row)       \
  : "memory", "cc", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",    \
    "xmm12", "xmm13", "xmm14", "xmm15"

// One block (`groups` <= 8 groups of 32 columns, at least one) of one row for MR tokens:
// w: the row's int8 weights at the block; a: the block's int16 activations, [group][token][32];
// scales: the tokens' scales of this block. Adds each token's block sum × its scale into v,
// and moves w and a past the block. next_row: the distance to the next row, whose same columns
// it prefetches.
template <size_t MR>
inline void int16_prefill_block(const uint8_t*& w, const int16_t*& a, size_t groups,
                                const float* scales, size_t next_row,
                                __m256 (&v)[kInt16PrefillMaxTokens]) {
  static_assert(MR >= kInt16PrefillMinTokens && MR <= kInt16PrefillMaxTokens, "4 to 6 tokens");
  const uint8_t* const end = w + 32 * groups;
  if constexpr (MR == 6) {
    __asm__ volatile(
        GRF_I16_ZERO_0_3 GRF_I16_ZERO("ymm10") GRF_I16_ZERO("ymm11")
        GRF_I16_LOOP_HEAD
        GRF_I16_TOKENS_0_3 GRF_I16_TOKEN("256", "ymm10") GRF_I16_TOKEN("320", "ymm11")
        GRF_I16_LOOP_TAIL("384")
        GRF_I16_FINISH_0_3 GRF_I16_FINISH("16", "ymm10", "acc4")
        GRF_I16_FINISH("20", "ymm11", "acc5")
        : GRF_I16_OUTPUTS_0_3, [acc4] "+x"(v[4]), [acc5] "+x"(v[5])
        GRF_I16_INPUTS_AND_CLOBBERS);
  } else if constexpr (MR == 5) {
    __asm__ volatile(
        GRF_I16_ZERO_0_3 GRF_I16_ZERO("ymm10")
        GRF_I16_LOOP_HEAD
        GRF_I16_TOKENS_0_3 GRF_I16_TOKEN("256", "ymm10")
        GRF_I16_LOOP_TAIL("320")
        GRF_I16_FINISH_0_3 GRF_I16_FINISH("16", "ymm10", "acc4")
        : GRF_I16_OUTPUTS_0_3, [acc4] "+x"(v[4])
        GRF_I16_INPUTS_AND_CLOBBERS);
  } else {
    __asm__ volatile(
        GRF_I16_ZERO_0_3
        GRF_I16_LOOP_HEAD
        GRF_I16_TOKENS_0_3
        GRF_I16_LOOP_TAIL("256")
        GRF_I16_FINISH_0_3
        : GRF_I16_OUTPUTS_0_3
        GRF_I16_INPUTS_AND_CLOBBERS);
  }
}
// clang-format on

#undef GRF_I16_FINISH
#undef GRF_I16_ZERO_0_3
#undef GRF_I16_TOKENS_0_3
#undef GRF_I16_FINISH_0_3
#undef GRF_I16_OUTPUTS_0_3
#undef GRF_I16_INPUTS_AND_CLOBBERS

// The same for eight tokens, their sums in ymm4-11 and their accumulators in memory (acc[8]):
// each is loaded, gets the same FMA, and is stored back once per block. The loop reuses the
// six-token pieces above.
// clang-format off
#define GRF_I16_FINISH8(scale, acc, sum)               \
  "vcvtdq2ps %%" sum ", %%" sum "\n\t"                 \
  "vbroadcastss " scale "(%[scales]), %%ymm14\n\t"     \
  "vmovups " acc "(%[acc]), %%ymm15\n\t"               \
  "vfmadd231ps %%ymm14, %%" sum ", %%ymm15\n\t"        \
  "vmovups %%ymm15, " acc "(%[acc])\n\t"
inline void int16_batch_block(const uint8_t*& w, const int16_t*& a, size_t groups,
                              const float* scales, size_t next_row, __m256* acc) {
  const uint8_t* const end = w + 32 * groups;
  __asm__ volatile(
      GRF_I16_ZERO("ymm4") GRF_I16_ZERO("ymm5") GRF_I16_ZERO("ymm6") GRF_I16_ZERO("ymm7")
      GRF_I16_ZERO("ymm8") GRF_I16_ZERO("ymm9") GRF_I16_ZERO("ymm10") GRF_I16_ZERO("ymm11")
      GRF_I16_LOOP_HEAD
      GRF_I16_TOKEN("0", "ymm4") GRF_I16_TOKEN("64", "ymm5")
      GRF_I16_TOKEN("128", "ymm6") GRF_I16_TOKEN("192", "ymm7")
      GRF_I16_TOKEN("256", "ymm8") GRF_I16_TOKEN("320", "ymm9")
      GRF_I16_TOKEN("384", "ymm10") GRF_I16_TOKEN("448", "ymm11")
      GRF_I16_LOOP_TAIL("512")
      GRF_I16_FINISH8("0", "0", "ymm4") GRF_I16_FINISH8("4", "32", "ymm5")
      GRF_I16_FINISH8("8", "64", "ymm6") GRF_I16_FINISH8("12", "96", "ymm7")
      GRF_I16_FINISH8("16", "128", "ymm8") GRF_I16_FINISH8("20", "160", "ymm9")
      GRF_I16_FINISH8("24", "192", "ymm10") GRF_I16_FINISH8("28", "224", "ymm11")
      : [w] "+r"(w), [a] "+r"(a)
      : [end] "r"(end), [scales] "r"(scales), [next_row] "r"(next_row), [acc] "r"(acc)
      : "memory", "cc", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",
        "xmm12", "xmm13", "xmm14", "xmm15");
}
// clang-format on
#undef GRF_I16_FINISH8
#undef GRF_I16_ZERO
#undef GRF_I16_TOKEN
#undef GRF_I16_LOOP_HEAD
#undef GRF_I16_LOOP_TAIL

// MR tokens (q: [group][token][32] int16, scales: [block][token]) × rows [n_begin, n_end): in
// chunks of rows, each chunk over the spans of columns in order, so a block's sums reach a
// token's accumulator in the order the lone decode adds them.
template <size_t MR>
inline void int16_prefill_rows(const GemmArgs& p, const int16_t* q, const float* scales,
                               size_t n_begin, size_t n_end) {
  const size_t groups = p.kp / 32;
  const size_t blocks = int16_blocks(p.kp);
  // Whole vectors in and out (a copy of a struct of them went through the stack in 16-byte
  // halves, and the loads of the next block waited on those stores).
  __m256 waiting[kInt16PrefillChunkRows][kInt16BatchStepTokens];
  for (size_t c0 = n_begin; c0 < n_end; c0 += kInt16PrefillChunkRows) {
    const size_t c1 = std::min(n_end, c0 + kInt16PrefillChunkRows);
    for (size_t b0 = 0; b0 < blocks; b0 += kInt16PrefillSpanBlocks) {
      const size_t b1 = std::min(blocks, b0 + kInt16PrefillSpanBlocks);
      for (size_t n = c0; n < c1; ++n) {
        const uint8_t* w = weight_row<uint8_t>(p, n) + b0 * kInt16BlockGroups * 32;
        const int16_t* a = q + b0 * kInt16BlockGroups * MR * 32;
        if constexpr (MR == kInt16BatchStepTokens) {
          __m256* acc = waiting[n - c0];
          if (b0 == 0) {
            for (size_t i = 0; i < MR; ++i) acc[i] = _mm256_setzero_ps();
          }
          for (size_t b = b0; b < b1; ++b) {
            const size_t block_groups = std::min(kInt16BlockGroups, groups - b * kInt16BlockGroups);
            int16_batch_block(w, a, block_groups, scales + b * MR,
                              kInt16BatchPrefetchRows * p.w_row_bytes, acc);
          }
          if (b1 < blocks) continue;
          for (size_t i = 0; i < MR; ++i) {
            p.y[i * p.y_stride + n] = int8_row_output(p, n, horizontal_sum(acc[i]));
          }
        } else {
          __m256 acc[kInt16PrefillMaxTokens];
          for (size_t i = 0; i < MR; ++i) {
            acc[i] = b0 == 0 ? _mm256_setzero_ps() : waiting[n - c0][i];
          }
          for (size_t b = b0; b < b1; ++b) {
            const size_t block_groups = std::min(kInt16BlockGroups, groups - b * kInt16BlockGroups);
            int16_prefill_block<MR>(w, a, block_groups, scales + b * MR, p.w_row_bytes, acc);
          }
          if (b1 < blocks) {
            for (size_t i = 0; i < MR; ++i) waiting[n - c0][i] = acc[i];
            continue;
          }
          for (size_t i = 0; i < MR; ++i) {
            p.y[i * p.y_stride + n] = int8_row_output(p, n, horizontal_sum(acc[i]));
          }
        }
      }
    }
  }
}

// Prefill of at least four tokens and decoded batches of at least six on rows this wide or
// narrower take the steps below (eight tokens' activations on the stack).
inline bool wants_int16_steps(const GemmArgs& p) {
  const size_t fewest = p.int16_decode ? kInt16PrefillMaxTokens : kInt16PrefillMinTokens;
  return (p.int16_decode || p.int16_prefill) && p.m >= fewest &&
         kInt16BatchStepTokens * p.kp <= kInt16DecodeStackValues;
}

// How many tokens the next step takes, with `left` of the call's tokens not yet done and `done`
// steps behind it (0: the rest is for the caller). Decoded batches: eights, then a six if six are
// left; each weight is read from memory once for them. Fewer tokens per row leave too little
// time to fetch the next row (2B batches of 4 ran at 29 tokens/s in steps, 35 in the tiles; of
// 5 at 34 in both; of 6 at 39 against 36), so they take the tiles. Prefill: ceil(m / 6)
// steps as even as they go when that leaves none below four (64 = 9 · 6 + 2 · 5, 13 = 5 + 4 +
// 4), else sixes and the rest (at most three) for the caller.
inline size_t int16_step_tokens(const GemmArgs& p, size_t left, size_t done) {
  if (p.int16_decode) {
    if (left >= kInt16BatchStepTokens) return kInt16BatchStepTokens;
    return left == kInt16PrefillMaxTokens ? left : 0;
  }
  return even_step_tokens(p.m, left, done, kInt16PrefillMaxTokens, kInt16PrefillMinTokens);
}

// Tokens 0..m-1 in steps (int16_step_tokens); returns how many it did. Not inlined, so its
// 128 KB of activations are off the stack before int16_decode takes its own.
__attribute__((noinline)) inline size_t int16_steps(const GemmArgs& p, size_t n_begin,
                                                    size_t n_end) {
  alignas(32) int16_t q[kInt16DecodeStackValues];
  float scales[kInt16DecodeStackValues / 32];
  size_t m0 = 0;
  for (size_t s = 0;; ++s) {
    const size_t mr = int16_step_tokens(p, p.m - m0, s);
    if (mr == 0) break;
    for (size_t i = 0; i < mr; ++i) {
      quantize_int16_blocks(p.k, p.kp, p.a + (m0 + i) * p.a_stride, q + i * 32, scales + i, mr * 32,
                            mr);
    }
    GemmArgs step = p;
    step.m = mr;
    step.y = p.y + m0 * p.y_stride;
    if (mr == 8) int16_prefill_rows<8>(step, q, scales, n_begin, n_end);
    if (mr == 6) int16_prefill_rows<6>(step, q, scales, n_begin, n_end);
    if (mr == 5) int16_prefill_rows<5>(step, q, scales, n_begin, n_end);
    if (mr == 4) int16_prefill_rows<4>(step, q, scales, n_begin, n_end);
    m0 += mr;
  }
  return m0;
}

// Tokens 0..m-1, any m. Prefill takes four to six at a time where it can; the rest go in blocks
// of as many tokens as the stack holds at this width (nine for 2B's rows of 2,560 columns, eight
// for its 7,680; at least four) through x86-int16-decode.h: each block rounds its tokens and
// reads the rows again, from L2 or L3 after the first (the widest 2B matrix is 19.7 MB, and a
// task holds a part of it).
inline void int16_token_blocks(const GemmArgs& p, size_t n_begin, size_t n_end) {
  const size_t done = wants_int16_steps(p) ? int16_steps(p, n_begin, n_end) : 0;
  const size_t block = std::min(kInt16DecodeMaxTokens, kInt16DecodeStackValues / p.kp);
  for (size_t m0 = done; m0 < p.m; m0 += block) {
    GemmArgs part = p;
    part.m = std::min(block, p.m - m0);
    part.a = p.a + m0 * p.a_stride;
    part.y = p.y + m0 * p.y_stride;
    int16_decode(part, n_begin, n_end);
  }
}

}  // namespace
}  // namespace griffin
