// int8 activations × int4 weights with AVX2 (vpmaddubsw + vpmaddwd), f16 group scales via F16C.
// Prefill and decode batches of two or more: one lane per group (qd8-qs4w-avx2-prefill.h); one
// token (a lone decoded token, a prefill chunk of one): the stored rows with the same sums
// (qd8-qs4w-avx2-decode.h), so a token's bits do not depend on how it is batched or chunked.
// Rows wider than 16,384 columns (none in RecurrentGemma) run the tiles of qd8-x86-tile.h:
// two groups per step (Qs4Tile with kPairs), and the nibble offset taken off in f32 per row and
// 8 groups (kFloatOffsets), from the quantizer's offsets (GemmArgs::aq_group_offsets) times the
// group scales, here once per call for up to kOffsetFloats / groups tokens at a time: one stack
// buffer, whatever the chunk. Rows wider than kOffsetFloats columns / 32 groups use integer
// offsets. Shape: qd8-x86-tile.h.
#include "runtime/src/kernels/qd8-qs4w-avx2-decode.h"
#include "runtime/src/kernels/qd8-qs4w-avx2-prefill.h"
#include "runtime/src/kernels/qd8-x86-tile.h"
#include "runtime/src/kernels/tiling.h"

namespace griffin {
namespace {

constexpr size_t kOffsetFloats = 8192;  // 32 KB of stack
constexpr size_t kTileTokens = 4;       // the prefill tile's MR

}  // namespace

void grf_qd8_qs4w_gemm_ukernel__avx2(const GemmArgs& p, size_t n_begin, size_t n_end) {
  if (p.m == 0) return;
  if (p.m == 1 && int4_lanes_fit(p)) {
    int4_pair_decode(p, n_begin, n_end);
    return;
  }
  if (int4_lanes_fit(p)) {
    int4_lane_gemm(p, n_begin, n_end);
    return;
  }
  const size_t groups = p.kp / 32;
  if (groups == 0 || groups * kTileTokens > kOffsetFloats) {
    TiledGemm<Qs4Tile<MaddubsDot, true>, 4, 2, 4>::run(p, n_begin, n_end);
    return;
  }
  // Whole prefill tiles per block of tokens, so the blocks change no tile shape that matters:
  // every (token, row) sums the same way in any tile anyway.
  const size_t block_tokens = kOffsetFloats / groups / kTileTokens * kTileTokens;
  alignas(32) float offsets[kOffsetFloats];
  for (size_t m0 = 0; m0 < p.m; m0 += block_tokens) {
    GemmArgs block = token_block(p, m0, std::min(block_tokens, p.m - m0));
    int4_group_offsets(block.m, p.kp, block.aq_group_offsets, block.aq_scales, offsets);
    block.aq_offsets = offsets;
    TiledGemm<Qs4Tile<MaddubsDot, true, true>, 4, 2, 4>::run(block, n_begin, n_end);
  }
}

}  // namespace griffin
