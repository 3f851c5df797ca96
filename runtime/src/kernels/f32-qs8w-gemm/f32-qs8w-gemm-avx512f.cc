// f32 × int8 weights (f32 scale per row) with AVX-512F. When the caller allows int16
// activations (GemmArgs::int16_decode, int16_prefill), every token runs x86-int16-prefill.h and
// x86-int16-decode.h, the AVX2 code, so the bits equal the AVX2 variant's. Otherwise 16 weights are
// widened to f32 per step: 4×4 tiles of tokens × rows, the last 1..15 columns one masked step
// (weight rows are padded to 32, so the weights can be read whole; shape: f32-widen-gemm.h), and a
// GEMV with two accumulators per row for one token.
#include <immintrin.h>

#include "runtime/src/kernels/f32-qs8w-avx512.h"
#include "runtime/src/kernels/tiling.h"
#include "runtime/src/kernels/x86-int16-prefill.h"

namespace griffin {

void grf_f32_qs8w_gemm_ukernel__avx512f(const GemmArgs& p, size_t n_begin, size_t n_end) {
  if (wants_int16(p)) {
    int16_token_blocks(p, n_begin, n_end);
    return;
  }
  TiledGemm<WidenGemm<Qs8Avx512>, 4, 4>::run(p, n_begin, n_end);
}

}  // namespace griffin
