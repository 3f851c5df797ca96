// f32 × int8 weights (f32 scale per row) on AVX-512 VNNI. When the caller allows int16
// activations (GemmArgs::int16_decode, int16_prefill), every token runs `vpdpwssd` over blocks of
// 1,024 columns (x86-int16-vnni-decode.h): decode, batches and prefill at integer speed, each
// token with its lone decode's bits. Otherwise the avx512f variant's 4×4 tiles widen 16 weights
// to f32 per step (f32-qs8w-avx512.h).
#include <immintrin.h>

#include "runtime/src/kernels/f32-qs8w-avx512.h"
#include "runtime/src/kernels/tiling.h"
#include "runtime/src/kernels/x86-int16-vnni-decode.h"

namespace griffin {

void grf_f32_qs8w_gemm_ukernel__avx512vnni(const GemmArgs& p, size_t n_begin, size_t n_end) {
  if (wants_int16_vnni(p)) {
    int16_vnni(p, n_begin, n_end);
    return;
  }
  TiledGemm<WidenGemm<Qs8Avx512>, 4, 4>::run(p, n_begin, n_end);
}

}  // namespace griffin
