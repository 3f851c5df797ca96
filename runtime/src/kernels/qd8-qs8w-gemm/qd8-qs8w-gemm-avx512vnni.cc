// int8 activations × int8 weights with AVX-512 VNNI. Prefill and decode batches of five or
// more: exact int32 group dots on repacked 16- and 8-row blocks (qd8-vnni-rows.h; the weights
// go in as q xor 0x80 = q + 128, and each group takes off 128 · Σa). Decode of up to four
// tokens (GemmArgs::decode): the 256-bit 1×4 tiles of qd8-x86-tile.h on the rows as stored,
// which reduce lanes in f32 and so agree with the prefilled value to float rounding.
#include "runtime/src/kernels/qd8-vnni-rows.h"
#include "runtime/src/kernels/qd8-x86-tile.h"
#include "runtime/src/kernels/qd8-x86-vnni.h"
#include "runtime/src/kernels/tiling.h"

namespace griffin {

void grf_qd8_qs8w_gemm_ukernel__avx512vnni(const GemmArgs& p, size_t n_begin, size_t n_end) {
  if (!vnni_repacked<Int8Rows>(p, n_begin, n_end)) {
    TiledGemm<Qs8Tile<VnniDot>, 4, 4, 4>::run(p, n_begin, n_end);
  }
}

}  // namespace griffin
