// int8 activations × int4 weights (f16 group scales via F16C) with AVX-512 VNNI.
// Prefill: exact int32 group dots on 8-row repacked blocks (qd8-qs4w-vnni-rows.h), with the
// offsets 8 · Σa computed once per call for up to kOffsetInts / groups tokens at a time (one
// 32 KB stack buffer, whatever the chunk). Decode (GemmArgs::decode): the 256-bit 1×4 tiles of
// qd8-x86-tile.h on the rows as stored, which stream faster for a single token than the exact
// per-group reduction (on Zen 4, 16 against 9.5 GB/s per core with the weights in L2); they sum
// in another order, so a decoded token agrees with its prefilled value to float rounding. Rows
// of more than kOffsetInts groups (none in RecurrentGemma) take the 256-bit tiles throughout.
#include <algorithm>

#include "runtime/src/kernels/qd8-qs4w-vnni-rows.h"
#include "runtime/src/kernels/qd8-x86-tile.h"
#include "runtime/src/kernels/qd8-x86-vnni.h"
#include "runtime/src/kernels/tiling.h"

namespace griffin {
namespace {

constexpr size_t kOffsetInts = 8192;

}  // namespace

void grf_qd8_qs4w_gemm_ukernel__avx512vnni(const GemmArgs& p, size_t n_begin, size_t n_end) {
  const size_t groups = p.kp / 32;
  if (p.decode || groups == 0 || groups > kOffsetInts) {
    TiledGemm<Qs4Tile<VnniDot>, 4, 4, 4>::run(p, n_begin, n_end);
    return;
  }
  const size_t block_tokens = kOffsetInts / groups;
  alignas(32) int32_t offsets[kOffsetInts];
  for (size_t m0 = 0; m0 < p.m; m0 += block_tokens) {
    const GemmArgs block = token_block(p, m0, std::min(block_tokens, p.m - m0));
    for (size_t g = 0; g < block.m * groups; ++g) offsets[g] = int4_group_offset(block.aq + g * 32);
    qs4_vnni_rows(block, offsets, n_begin, n_end);
  }
}

}  // namespace griffin
