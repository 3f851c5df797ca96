// int8 activations × int4 weights with AVX2 (vpmaddubsw + vpmaddwd), f16 group scales via F16C.
// Two groups per step (Qs4Tile with kPairs). Shape: qd8-x86-tile.h.
#include "runtime/src/kernels/qd8-x86-tile.h"
#include "runtime/src/kernels/tiling.h"

namespace griffin {

void grf_qd8_qs4w_gemm_ukernel__avx2(const GemmArgs& p, size_t n_begin, size_t n_end) {
  TiledGemm<Qs4Tile<MaddubsDot, true>, 4, 2, 4>::run(p, n_begin, n_end);
}

}  // namespace griffin
