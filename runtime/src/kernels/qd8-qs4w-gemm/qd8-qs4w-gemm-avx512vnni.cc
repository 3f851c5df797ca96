// int8 activations × int4 weights (f16 group scales via F16C) with AVX-512 VNNI.
// Prefill and decode batches of five or more: exact int32 group dots on repacked 16- and 8-row
// blocks (qd8-vnni-rows.h). Decode of up to four tokens (GemmArgs::decode): the 256-bit 1×4
// tiles of qd8-x86-tile.h on the rows as stored, which stream faster for a single token than
// the exact per-group reduction (on Zen 4, 16 against 9.5 GB/s per core with the weights in
// L2); they sum in another order, so a decoded token agrees with its prefilled value to float
// rounding.
#include "runtime/src/kernels/qd8-vnni-rows.h"
#include "runtime/src/kernels/qd8-x86-tile.h"
#include "runtime/src/kernels/qd8-x86-vnni.h"
#include "runtime/src/kernels/tiling.h"

namespace griffin {

void grf_qd8_qs4w_gemm_ukernel__avx512vnni(const GemmArgs& p, size_t n_begin, size_t n_end) {
  if (!vnni_repacked<Int4Rows>(p, n_begin, n_end)) {
    TiledGemm<Qs4Tile<VnniDot>, 4, 4, 4>::run(p, n_begin, n_end);
  }
}

}  // namespace griffin
