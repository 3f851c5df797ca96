// int8 activations × int4 weights (f16 group scales via F16C) with AVX-512 VNNI on 256-bit vectors
// (vpdpbusd). Shape: qd8-x86-tile.h.
#include "runtime/src/kernels/qd8-x86-tile.h"
#include "runtime/src/kernels/qd8-x86-vnni.h"
#include "runtime/src/kernels/tiling.h"

namespace griffin {

void grf_qd8_qs4w_gemm_ukernel__avx512vnni(const GemmArgs& p, size_t n_begin, size_t n_end) {
  TiledGemm<Qs4Tile<VnniDot>, 4, 4, 4>::run(p, n_begin, n_end);
}

}  // namespace griffin
