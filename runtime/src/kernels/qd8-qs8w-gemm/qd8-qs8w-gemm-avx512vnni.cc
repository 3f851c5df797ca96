// int8 × int8 groups of 32 with AVX-512 VNNI on 256-bit vectors (vpdpbusd). Shape: qd8-x86-tile.h.
#include "runtime/src/kernels/qd8-x86-tile.h"
#include "runtime/src/kernels/qd8-x86-vnni.h"
#include "runtime/src/kernels/tiling.h"

namespace griffin {

void grf_qd8_qs8w_gemm_ukernel__avx512vnni(const GemmArgs& p, size_t n_begin, size_t n_end) {
  TiledGemm<Qs8Tile<VnniDot>, 4, 4, 4>::run(p, n_begin, n_end);
}

}  // namespace griffin
