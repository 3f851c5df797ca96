// The AVX2 prefill of qd8-qs4w, also run for decode batches of two or more: one 32-bit lane per
// weight group, so a group's conversion, scale and FMA are paid once per 8 groups.
//
// Why: the tiles of qd8-x86-tile.h give every pair of groups its own vector, whose 8 lanes hold
// partial sums of two groups; each (token, row, pair) then pays a conversion, an FMA and a
// two-scale broadcast besides its three integer multiplies. On a Zen 3 core that held 2B int4
// prefill to about 40 GMAC/s. Here a vector's lane l belongs to group l of a block of 8: the
// block's 16-byte weight groups are transposed in 32-bit pieces (4 packed bytes = 8 weights)
// and the tokens' activations are packed the same way, so eight vpmaddubsw (four pieces × low
// and high nibbles) sum a whole group per lane in 16 bits, one vpmaddwd widens it, and the
// block ends with one subtract (the nibble offset, exact in int32), one conversion and one FMA
// with the 8 groups' scales: 92 GMAC/s on the same core.
//
// Exactness: each lane's 16-bit sum covers 16 products u · a with u <= 15, |a| <= 127 in pairs:
// at most 8 · 2 · 15 · 127 = 30,480 in magnitude, so no vpmaddubsw saturates and no vpaddw
// wraps. A group's dot Σ (u - 8) · a is therefore exact in int32, then in f32 (|dot| < 2^24),
// and a (token, row) adds its groups as fma(float(dot_g), w_scale_g · a_scale_g, acc) with
// group g in lane g mod 8, then the 8 lanes: the same steps for a token alone and in any step,
// so prefill chunking changes no bit. A call of one token (a lone decoded token) runs the same
// sums on the stored rows (qd8-qs4w-avx2-decode.h); rows wider than 16,384 columns keep the
// tiles of qd8-x86-tile.h.
//
// Tokens go in steps of four to eight (tiling.h's even_step_tokens: ceil(m / 8) steps as even
// as they go when none falls below four, else eights and then the rest; six at most on rows
// past 12,288 columns). A step packs its tokens, then passes over the rows, in chunks of 64 rows
// and spans of 2,560 columns (eight tokens' packed span: 25 KB of L1); each row's block is
// transposed once for the step's tokens, in registers. The inner loop is inline asm for the same
// reason as x86-int16-prefill.h's: six 16-bit sums, four transposed pieces, two unpacked
// weights, a mask and a product take 14 registers (eight sums all 16), and GCC spilled the
// intrinsics version (60 GMAC/s). The accumulators live in memory, loaded and stored once per
// block. Steps of one token, and a row's last part-block, run the same arithmetic in
// intrinsics.
//
// Layout of a packed token, per block b of 8 groups (kPackedBlockBytes):
//   bytes 0-255: for piece c = 0..3, 32 bytes of values 4c..4c+3 of each group (the low
//     nibbles), then 32 bytes of values 16+4c..16+4c+3 (the high nibbles), 4 bytes per group;
//   bytes 256-287: 8 · Σa of each group (int32), bytes 288-319: its activation scale (f32).
// A step's tokens are interleaved per block: token i of block b at (b · tokens + i) · 320.
// Groups sit in lanes 0, 2, 4, 6, 1, 3, 5, 7: the order two in-lane unpack rounds leave them in
// (transpose_pieces), for the weights and the activations alike. Groups past the row's end are
// zero. Included only by files compiled with AVX2 enabled.
#pragma once

#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "runtime/src/kernels/gemm.h"
#include "runtime/src/kernels/qd8-x86-tile.h"
#include "runtime/src/kernels/tiling.h"
#include "runtime/src/kernels/weight-rows.h"
#include "runtime/src/kernels/x86-reduce.h"

namespace griffin {
namespace {

constexpr size_t kPackedBlockBytes = 320;
// Steps of up to eight tokens, and of up to six on rows too wide for eight tokens' packed
// activations in the buffer below. Seven and eight tokens' sums fill ymm0-7, so their asm loop
// keeps the nibble mask in ymm15 and the pieces in ymm8-11.
constexpr size_t kInt4StepMaxTokens = 8;
constexpr size_t kInt4WideRowStepTokens = 6;
constexpr size_t kInt4StepMinTokens = 4;
// Steps of two tokens or more run the asm loop; a lone token the intrinsics.
constexpr size_t kInt4AsmMinTokens = 2;
// Rows up to 64 blocks (16,384 columns) take the lanes: a step's packed activations, at most
// 6 · 64 · 320 bytes = 120 KB, go on the stack. RecurrentGemma's widest rows are 9B's 12,288
// columns (48 blocks), whose steps of eight take the same 120 KB.
constexpr size_t kInt4LaneMaxBlocks = 64;
constexpr size_t kInt4PackedBytes = kInt4WideRowStepTokens * kInt4LaneMaxBlocks * kPackedBlockBytes;
// Steps packed at once, at most (narrow rows fit many).
constexpr size_t kInt4MaxPackedSteps = 16;
// Blocks of 8 groups per span of columns, and rows per chunk (their accumulators: 12 KB).
constexpr size_t kInt4SpanBlocks = 10;
constexpr size_t kInt4ChunkRows = 64;

// Four vectors, each 8 groups' 32-bit pieces (two groups per vector, 16 bytes each), become four
// vectors holding piece c of all 8 groups, in the lane order 0, 2, 4, 6, 1, 3, 5, 7.
inline void transpose_pieces(__m256i r0, __m256i r1, __m256i r2, __m256i r3, __m256i piece[4]) {
  const __m256i low01 = _mm256_unpacklo_epi32(r0, r1), high01 = _mm256_unpackhi_epi32(r0, r1);
  const __m256i low23 = _mm256_unpacklo_epi32(r2, r3), high23 = _mm256_unpackhi_epi32(r2, r3);
  piece[0] = _mm256_unpacklo_epi64(low01, low23);
  piece[1] = _mm256_unpackhi_epi64(low01, low23);
  piece[2] = _mm256_unpacklo_epi64(high01, high23);
  piece[3] = _mm256_unpackhi_epi64(high01, high23);
}

alignas(32) constexpr int32_t kLaneOrder[8] = {0, 2, 4, 6, 1, 3, 5, 7};
alignas(32) constexpr int16_t kOnes16[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};

inline __m256i lane_order() {
  return _mm256_load_si256(reinterpret_cast<const __m256i*>(kLaneOrder));
}

// One token's block of `count` (1..8) groups of activations `a` with scales `scales` and the
// quantizer's offsets 8 · Σa (GemmArgs::aq_group_offsets), packed.
inline void pack_activation_block(const int8_t* a, const float* scales, const int32_t* offsets,
                                  size_t count, uint8_t* out) {
  alignas(32) int8_t padded[256];
  alignas(32) float padded_scales[8] = {};
  alignas(32) int32_t padded_offsets[8] = {};  // a zero group's offset is 0
  if (count < 8) {
    std::memset(padded, 0, sizeof(padded));
    std::memcpy(padded, a, count * 32);
    std::memcpy(padded_scales, scales, count * sizeof(float));
    std::memcpy(padded_offsets, offsets, count * sizeof(int32_t));
    a = padded;
    scales = padded_scales;
    offsets = padded_offsets;
  }
  for (size_t half = 0; half < 2; ++half) {
    const int8_t* s = a + 16 * half;
    __m256i piece[4];
    transpose_pieces(load_halves(s, s + 32), load_halves(s + 64, s + 96),
                     load_halves(s + 128, s + 160), load_halves(s + 192, s + 224), piece);
    for (size_t c = 0; c < 4; ++c) {
      _mm256_store_si256(reinterpret_cast<__m256i*>(out + 64 * c + 32 * half), piece[c]);
    }
  }
  const __m256i order = lane_order();
  _mm256_store_si256(reinterpret_cast<__m256i*>(out + 256),
                     _mm256_permutevar8x32_epi32(
                         _mm256_loadu_si256(reinterpret_cast<const __m256i*>(offsets)), order));
  _mm256_store_ps(reinterpret_cast<float*>(out + 288),
                  _mm256_permutevar8x32_ps(_mm256_loadu_ps(scales), order));
}

// The inner loop's pieces, with their registers as arguments: two register sets (below) share
// them. Token i of a block sits at i · 320 bytes; `sum` is the number of its ymm register.
// clang-format off
// A piece's low nibbles into `low`, its high nibbles into `high`.
#define GRF_Q4_UNPACK(piece, mask, low, high)                                    \
  "vpand %%" mask ", %%" piece ", %%" low "\n\t"                                 \
  "vpsrlw $4, %%" piece ", %%" high "\n\t"                                       \
  "vpand %%" mask ", %%" high ", %%" high "\n\t"
// Token sums start as the low nibbles of piece 0 times the token's first vector.
#define GRF_Q4_START(token, sum, low, high, product)                             \
  "vpmaddubsw " token "(%[a]), %%" low ", %%ymm" sum "\n\t"                      \
  "vpmaddubsw 32+" token "(%[a]), %%" high ", %%" product "\n\t"                 \
  "vpaddw %%" product ", %%ymm" sum ", %%ymm" sum "\n\t"
#define GRF_Q4_ADD(vec, token, sum, low, high, product)                          \
  "vpmaddubsw " vec "+" token "(%[a]), %%" low ", %%" product "\n\t"             \
  "vpaddw %%" product ", %%ymm" sum ", %%ymm" sum "\n\t"                         \
  "vpmaddubsw " vec "+32+" token "(%[a]), %%" high ", %%" product "\n\t"         \
  "vpaddw %%" product ", %%ymm" sum ", %%ymm" sum "\n\t"
// acc = float(Σ pairs - offset) · (row scale · token scale) + acc; `acc`: the byte offset of
// the token's accumulator, `scales`: the row's 8 group scales.
#define GRF_Q4_FINISH(token, acc, sum, scales, temp)                             \
  "vpmaddwd (%[ones]), %%ymm" sum ", %%ymm" sum "\n\t"                           \
  "vpsubd 256+" token "(%[a]), %%ymm" sum ", %%ymm" sum "\n\t"                   \
  "vcvtdq2ps %%ymm" sum ", %%ymm" sum "\n\t"                                     \
  "vmulps 288+" token "(%[a]), %%" scales ", %%" temp "\n\t"                     \
  "vfmadd213ps " acc "(%[acc]), %%" temp ", %%ymm" sum "\n\t"                    \
  "vmovaps %%ymm" sum ", " acc "(%[acc])\n\t"

// Set 6 (two to six tokens): sums in ymm0-5, pieces ymm6-9, nibbles ymm10-11, product ymm12,
// mask ymm13 (then the lane order), scales ymm14, ymm15 spare. Set 8 (seven or eight tokens):
// sums in ymm0-7, pieces ymm8-11, nibbles ymm12-13, product ymm14, mask ymm15; once the pieces
// are done, ymm8-10 hold the scales, the lane order and the spare.
#define GRF_Q4_START_6(token, acc, sum) GRF_Q4_START(token, sum, "ymm10", "ymm11", "ymm12")
#define GRF_Q4_ADD1_6(token, acc, sum) GRF_Q4_ADD("64", token, sum, "ymm10", "ymm11", "ymm12")
#define GRF_Q4_ADD2_6(token, acc, sum) GRF_Q4_ADD("128", token, sum, "ymm10", "ymm11", "ymm12")
#define GRF_Q4_ADD3_6(token, acc, sum) GRF_Q4_ADD("192", token, sum, "ymm10", "ymm11", "ymm12")
#define GRF_Q4_FINISH_6(token, acc, sum) GRF_Q4_FINISH(token, acc, sum, "ymm14", "ymm15")
#define GRF_Q4_START_8(token, acc, sum) GRF_Q4_START(token, sum, "ymm12", "ymm13", "ymm14")
#define GRF_Q4_ADD1_8(token, acc, sum) GRF_Q4_ADD("64", token, sum, "ymm12", "ymm13", "ymm14")
#define GRF_Q4_ADD2_8(token, acc, sum) GRF_Q4_ADD("128", token, sum, "ymm12", "ymm13", "ymm14")
#define GRF_Q4_ADD3_8(token, acc, sum) GRF_Q4_ADD("192", token, sum, "ymm12", "ymm13", "ymm14")
#define GRF_Q4_FINISH_8(token, acc, sum) GRF_Q4_FINISH(token, acc, sum, "ymm8", "ymm10")

// Per token count, the start, add and finish of every token: STEP(token, acc, sum).
#define GRF_Q4_TOKENS_2(STEP) STEP("0", "0", "0") STEP("320", "32", "1")
#define GRF_Q4_TOKENS_3(STEP) GRF_Q4_TOKENS_2(STEP) STEP("640", "64", "2")
#define GRF_Q4_TOKENS_4(STEP) GRF_Q4_TOKENS_3(STEP) STEP("960", "96", "3")
#define GRF_Q4_TOKENS_5(STEP) GRF_Q4_TOKENS_4(STEP) STEP("1280", "128", "4")
#define GRF_Q4_TOKENS_6(STEP) GRF_Q4_TOKENS_5(STEP) STEP("1600", "160", "5")
#define GRF_Q4_TOKENS_7(STEP) GRF_Q4_TOKENS_6(STEP) STEP("1920", "192", "6")
#define GRF_Q4_TOKENS_8(STEP) GRF_Q4_TOKENS_7(STEP) STEP("2240", "224", "7")

// Full blocks [0, blocks) of one row for MR (2..8) tokens: w: the row's weights, row_scales: its
// f16 scales, a: the step's packed activations, acc: [MR][8] accumulators. next_row: the distance
// to the next row, whose same lines it prefetches. SET: 6 or 8; p0-p3 its pieces, t0-t3 the
// transpose's temporaries, then its mask, nibble, scale and lane-order registers.
#define GRF_Q4_BLOCK_LOOP(TOKENS, SET, p0, p1, p2, p3, t0, t1, t2, t3, mask, low, high,      \
                          scales, order)                                                  \
  "1:\n\t"                                                                       \
  "prefetcht0 (%[w],%[next_row])\n\t"                                            \
  "prefetcht0 64(%[w],%[next_row])\n\t"                                          \
  "vmovdqu (%[w]), %%" p0 "\n\t"                                                 \
  "vmovdqu 32(%[w]), %%" p1 "\n\t"                                               \
  "vmovdqu 64(%[w]), %%" p2 "\n\t"                                               \
  "vmovdqu 96(%[w]), %%" p3 "\n\t"                                               \
  "vpunpckldq %%" p1 ", %%" p0 ", %%" t0 "\n\t"                                  \
  "vpunpckhdq %%" p1 ", %%" p0 ", %%" t1 "\n\t"                                  \
  "vpunpckldq %%" p3 ", %%" p2 ", %%" t2 "\n\t"                                  \
  "vpunpckhdq %%" p3 ", %%" p2 ", %%" t3 "\n\t"                                  \
  "vpunpcklqdq %%" t2 ", %%" t0 ", %%" p0 "\n\t"                                 \
  "vpunpckhqdq %%" t2 ", %%" t0 ", %%" p1 "\n\t"                                 \
  "vpunpcklqdq %%" t3 ", %%" t1 ", %%" p2 "\n\t"                                 \
  "vpunpckhqdq %%" t3 ", %%" t1 ", %%" p3 "\n\t"                                 \
  "vmovdqa (%[mask]), %%" mask "\n\t"                                            \
  GRF_Q4_UNPACK(p0, mask, low, high) TOKENS(GRF_Q4_START_##SET)                  \
  GRF_Q4_UNPACK(p1, mask, low, high) TOKENS(GRF_Q4_ADD1_##SET)                   \
  GRF_Q4_UNPACK(p2, mask, low, high) TOKENS(GRF_Q4_ADD2_##SET)                   \
  GRF_Q4_UNPACK(p3, mask, low, high) TOKENS(GRF_Q4_ADD3_##SET)                   \
  "vcvtph2ps (%[row_scales]), %%" scales "\n\t"                                  \
  "vmovdqa (%[order]), %%" order "\n\t"                                          \
  "vpermps %%" scales ", %%" order ", %%" scales "\n\t"                          \
  TOKENS(GRF_Q4_FINISH_##SET)                                                    \
  "add $128, %[w]\n\t"                                                           \
  "add $16, %[row_scales]\n\t"                                                   \
  "add %[block_bytes], %[a]\n\t"                                                 \
  "cmp %[end], %[w]\n\t"                                                         \
  "jne 1b\n\t"
#define GRF_Q4_LOOP_6(TOKENS)                                                    \
  GRF_Q4_BLOCK_LOOP(TOKENS, 6, "ymm6", "ymm7", "ymm8", "ymm9", "ymm10", "ymm11", "ymm12", \
                    "ymm14", "ymm13", "ymm10", "ymm11", "ymm14", "ymm13")
#define GRF_Q4_LOOP_8(TOKENS)                                                    \
  GRF_Q4_BLOCK_LOOP(TOKENS, 8, "ymm8", "ymm9", "ymm10", "ymm11", "ymm12", "ymm13", "ymm14", \
                    "ymm15", "ymm15", "ymm12", "ymm13", "ymm8", "ymm9")
// clang-format on

alignas(32) constexpr uint8_t kNibbleMask[32] = {15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15,
                                                 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15,
                                                 15, 15, 15, 15, 15, 15, 15, 15, 15, 15};

template <size_t MR>
inline void int4_lane_blocks(const uint8_t* w, const uint16_t* row_scales, const uint8_t* a,
                             size_t blocks, size_t next_row, __m256* acc) {
  static_assert(MR >= kInt4AsmMinTokens && MR <= kInt4StepMaxTokens, "2 to 8 tokens");
  const uint8_t* const end = w + 128 * blocks;
  const size_t block_bytes = MR * kPackedBlockBytes;
  // clang-format off
#define GRF_Q4_ASM(LOOP, TOKENS)                                                 \
  __asm__ volatile(LOOP(TOKENS)                                                  \
                   : [w] "+r"(w), [row_scales] "+r"(row_scales), [a] "+r"(a)     \
                   : [end] "r"(end), [block_bytes] "r"(block_bytes),             \
                     [next_row] "r"(next_row), [acc] "r"(acc), [ones] "r"(kOnes16), \
                     [mask] "r"(kNibbleMask), [order] "r"(kLaneOrder)            \
                   : "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4",     \
                     "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",   \
                     "xmm12", "xmm13", "xmm14", "xmm15")
  // clang-format on
  if constexpr (MR == 8) {
    GRF_Q4_ASM(GRF_Q4_LOOP_8, GRF_Q4_TOKENS_8);
  } else if constexpr (MR == 7) {
    GRF_Q4_ASM(GRF_Q4_LOOP_8, GRF_Q4_TOKENS_7);
  } else if constexpr (MR == 6) {
    GRF_Q4_ASM(GRF_Q4_LOOP_6, GRF_Q4_TOKENS_6);
  } else if constexpr (MR == 5) {
    GRF_Q4_ASM(GRF_Q4_LOOP_6, GRF_Q4_TOKENS_5);
  } else if constexpr (MR == 4) {
    GRF_Q4_ASM(GRF_Q4_LOOP_6, GRF_Q4_TOKENS_4);
  } else if constexpr (MR == 3) {
    GRF_Q4_ASM(GRF_Q4_LOOP_6, GRF_Q4_TOKENS_3);
  } else {
    GRF_Q4_ASM(GRF_Q4_LOOP_6, GRF_Q4_TOKENS_2);
  }
#undef GRF_Q4_ASM
}

#undef GRF_Q4_UNPACK
#undef GRF_Q4_START
#undef GRF_Q4_ADD
#undef GRF_Q4_FINISH
#undef GRF_Q4_START_6
#undef GRF_Q4_ADD1_6
#undef GRF_Q4_ADD2_6
#undef GRF_Q4_ADD3_6
#undef GRF_Q4_FINISH_6
#undef GRF_Q4_START_8
#undef GRF_Q4_ADD1_8
#undef GRF_Q4_ADD2_8
#undef GRF_Q4_ADD3_8
#undef GRF_Q4_FINISH_8
#undef GRF_Q4_TOKENS_2
#undef GRF_Q4_TOKENS_3
#undef GRF_Q4_TOKENS_4
#undef GRF_Q4_TOKENS_5
#undef GRF_Q4_TOKENS_6
#undef GRF_Q4_TOKENS_7
#undef GRF_Q4_TOKENS_8
#undef GRF_Q4_BLOCK_LOOP
#undef GRF_Q4_LOOP_6
#undef GRF_Q4_LOOP_8

// The same arithmetic in intrinsics, for `tokens` (1..8) tokens and one block of `count` (1..8)
// groups (a block past the row's end, or a step of one token).
inline void int4_lane_block(const uint8_t* w, const uint16_t* row_scales, size_t count,
                            const uint8_t* a, size_t tokens, __m256* acc) {
  alignas(32) uint8_t padded[128];
  if (count < 8) {
    std::memset(padded, 0, sizeof(padded));
    std::memcpy(padded, w, 16 * count);
    w = padded;
  }
  __m256i piece[4];
  transpose_pieces(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(w)),
                   _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + 32)),
                   _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + 64)),
                   _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + 96)), piece);
  const __m256i nibble = _mm256_set1_epi8(0x0f);
  __m256i low[4], high[4];
  for (size_t c = 0; c < 4; ++c) {
    low[c] = _mm256_and_si256(piece[c], nibble);
    high[c] = _mm256_and_si256(_mm256_srli_epi16(piece[c], 4), nibble);
  }
  const __m256 scales = _mm256_permutevar8x32_ps(load_f16x8(row_scales, count), lane_order());
  for (size_t i = 0; i < tokens; ++i) {
    const uint8_t* token = a + i * kPackedBlockBytes;
    __m256i sum = _mm256_setzero_si256();
    for (size_t c = 0; c < 4; ++c) {
      const __m256i* values = reinterpret_cast<const __m256i*>(token + 64 * c);
      const __m256i products = _mm256_maddubs_epi16(low[c], _mm256_load_si256(values));
      sum = c == 0 ? products : _mm256_add_epi16(sum, products);
      sum = _mm256_add_epi16(sum, _mm256_maddubs_epi16(high[c], _mm256_load_si256(values + 1)));
    }
    const __m256i dot =
        _mm256_sub_epi32(_mm256_madd_epi16(sum, _mm256_set1_epi16(1)),
                         _mm256_load_si256(reinterpret_cast<const __m256i*>(token + 256)));
    const __m256 scale =
        _mm256_mul_ps(scales, _mm256_load_ps(reinterpret_cast<const float*>(token + 288)));
    acc[i] = _mm256_fmadd_ps(scale, _mm256_cvtepi32_ps(dot), acc[i]);
  }
}

// Tokens in the next step (tiling.h's even_step_tokens, at most `most`), then the last one to
// three together.
inline size_t int4_step_tokens(size_t m, size_t left, size_t done, size_t most) {
  const size_t tokens = even_step_tokens(m, left, done, most, kInt4StepMinTokens);
  return tokens > 0 ? tokens : left;
}

// Rows [c0, c1) (at most kInt4ChunkRows) for a step's `tokens` tokens (packed, interleaved)
// from token m0: over spans of columns in order, the accumulators waiting between spans, so the
// step's activations of a span stay in L1 (six tokens of 2B's 7,680 columns take 58 KB; prefill
// there ran at 67 GMAC/s on one Zen 3 core without spans, against 92 at 2,560).
template <size_t MR>
inline void int4_lane_rows(const GemmArgs& p, const uint8_t* packed, size_t tokens, size_t m0,
                           size_t c0, size_t c1) {
  const size_t groups = p.kp / 32;
  const size_t full_blocks = groups / 8;
  const size_t tail_groups = groups % 8;
  const size_t block_bytes = tokens * kPackedBlockBytes;
  const uint16_t* all_scales = reinterpret_cast<const uint16_t*>(p.w_scales);
  alignas(32) __m256 waiting[kInt4ChunkRows][kInt4StepMaxTokens];
  for (size_t n = c0; n < c1; ++n) {
    for (size_t i = 0; i < tokens; ++i) waiting[n - c0][i] = _mm256_setzero_ps();
  }
  for (size_t b0 = 0; b0 < full_blocks; b0 += kInt4SpanBlocks) {
    const size_t b1 = std::min(full_blocks, b0 + kInt4SpanBlocks);
    for (size_t n = c0; n < c1; ++n) {
      const uint8_t* w = weight_row<uint8_t>(p, n) + 128 * b0;
      const uint16_t* row_scales = all_scales + n * groups + 8 * b0;
      const uint8_t* a = packed + b0 * block_bytes;
      if constexpr (MR >= kInt4AsmMinTokens) {
        int4_lane_blocks<MR>(w, row_scales, a, b1 - b0, p.w_row_bytes, waiting[n - c0]);
      } else {
        for (size_t b = b0; b < b1; ++b, w += 128, row_scales += 8, a += block_bytes) {
          int4_lane_block(w, row_scales, 8, a, tokens, waiting[n - c0]);
        }
      }
    }
  }
  for (size_t n = c0; n < c1; ++n) {
    __m256* acc = waiting[n - c0];
    if (tail_groups > 0) {
      int4_lane_block(weight_row<uint8_t>(p, n) + 128 * full_blocks,
                      all_scales + n * groups + 8 * full_blocks, tail_groups,
                      packed + full_blocks * block_bytes, tokens, acc);
    }
    for (size_t i = 0; i < tokens; ++i) {
      p.y[(m0 + i) * p.y_stride + n] = horizontal_sum(acc[i]) + bias_of(p, n);
    }
  }
}

// Whether p's rows take the lanes.
inline bool int4_lanes_fit(const GemmArgs& p) {
  return p.kp > 0 && p.kp / 32 <= 8 * kInt4LaneMaxBlocks;
}

// One step of the call: `tokens` tokens from m0, packed at `offset` of the buffer.
struct Int4Step {
  size_t m0, tokens, offset;
};

// The whole call (int4_lanes_fit(p) must hold). The steps whose activations fit the buffer
// together are packed at once, then each chunk of rows goes through all of them while its
// weights are in L2: each weight is read from memory once per buffer of tokens (at 2B's 2,560
// columns four steps of eight, at 7,680 one), not once per step. On one Zen 3 core that took 1,920
// rows of 7,680 columns from 92 to 100 GMAC/s; 2B prefill on two cores did not change (its weight
// reads already overlapped the arithmetic), but a machine with less bandwidth per core needs
// less of it. Not inlined: its 136 KB of stack stay out of the caller's frame.
__attribute__((noinline)) void int4_lane_gemm(const GemmArgs& p, size_t n_begin, size_t n_end) {
  alignas(64) uint8_t packed[kInt4PackedBytes];
  const size_t groups = p.kp / 32;
  const size_t token_bytes = (groups + 7) / 8 * kPackedBlockBytes;
  // Steps of up to eight where eight tokens' packed rows fit the buffer (against steps of at
  // most six: 2B int4 prefill 76.9-80.8 -> 79.4-81.5 tokens/s in 6 pairs, a decoded batch of 8,
  // 4 + 4 before, 52.1-52.3 -> 57.3 in 2, on two Zen 3 threads).
  const size_t most = kInt4StepMaxTokens * token_bytes <= kInt4PackedBytes ? kInt4StepMaxTokens
                                                                           : kInt4WideRowStepTokens;
  size_t m0 = 0;
  size_t step = 0;
  while (m0 < p.m) {
    Int4Step steps[kInt4MaxPackedSteps];
    size_t count = 0;
    size_t used = 0;
    while (m0 < p.m && count < kInt4MaxPackedSteps) {
      const size_t tokens = int4_step_tokens(p.m, p.m - m0, step, most);
      if (used + tokens * token_bytes > kInt4PackedBytes) break;
      for (size_t i = 0; i < tokens; ++i) {
        const int8_t* a = p.aq + (m0 + i) * p.kp;
        const float* scales = p.aq_scales + (m0 + i) * groups;
        const int32_t* offsets = p.aq_group_offsets + (m0 + i) * groups;
        for (size_t g0 = 0; g0 < groups; g0 += 8) {
          pack_activation_block(a + 32 * g0, scales + g0, offsets + g0,
                                std::min<size_t>(8, groups - g0),
                                packed + used + ((g0 / 8) * tokens + i) * kPackedBlockBytes);
        }
      }
      steps[count++] = {m0, tokens, used};
      used += tokens * token_bytes;
      m0 += tokens;
      ++step;
    }
    for (size_t c0 = n_begin; c0 < n_end; c0 += kInt4ChunkRows) {
      const size_t c1 = std::min(n_end, c0 + kInt4ChunkRows);
      for (size_t s = 0; s < count; ++s) {
        const Int4Step& t = steps[s];
        const uint8_t* a = packed + t.offset;
        if (t.tokens == 8) {
          int4_lane_rows<8>(p, a, t.tokens, t.m0, c0, c1);
        } else if (t.tokens == 7) {
          int4_lane_rows<7>(p, a, t.tokens, t.m0, c0, c1);
        } else if (t.tokens == 6) {
          int4_lane_rows<6>(p, a, t.tokens, t.m0, c0, c1);
        } else if (t.tokens == 5) {
          int4_lane_rows<5>(p, a, t.tokens, t.m0, c0, c1);
        } else if (t.tokens == 4) {
          int4_lane_rows<4>(p, a, t.tokens, t.m0, c0, c1);
        } else if (t.tokens == 3) {
          int4_lane_rows<3>(p, a, t.tokens, t.m0, c0, c1);
        } else if (t.tokens == 2) {
          int4_lane_rows<2>(p, a, t.tokens, t.m0, c0, c1);
        } else {
          int4_lane_rows<1>(p, a, t.tokens, t.m0, c0, c1);
        }
      }
    }
  }
}

}  // namespace
}  // namespace griffin
