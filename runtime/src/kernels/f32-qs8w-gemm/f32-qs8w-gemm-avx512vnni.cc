// f32 × int8 weights (f32 scale per row) on AVX-512 VNNI. Prefill is the avx512f variant's
// (4×4 tiles widening 16 weights to f32 per step, f32-qs8w-avx512.h), so prefill bits equal it.
// Decode of up to eight tokens, when the caller allows int16 activations: `vpdpwssd` over blocks
// of 128 columns (x86-int16-vnni-decode.h), so a batch of eight sessions reads the weights once
// at integer speed where the avx512f variant widened them to f32.
#include <immintrin.h>

#include "runtime/src/kernels/f32-qs8w-avx512.h"
#include "runtime/src/kernels/tiling.h"
#include "runtime/src/kernels/x86-int16-vnni-decode.h"

namespace griffin {

void grf_f32_qs8w_gemm_ukernel__avx512vnni(const GemmArgs& p, size_t n_begin, size_t n_end) {
  if (wants_int16_vnni_decode(p)) {
    int16_vnni_decode(p, n_begin, n_end);
    return;
  }
  TiledGemm<WidenGemm<Qs8Avx512>, 4, 4>::run(p, n_begin, n_end);
}

}  // namespace griffin
