// f32 × int8 weights (f32 scale per row) with AVX-512F: 16 weights widened to f32 per step.
// Prefill: 4×4 tiles of tokens × rows. The last 1..15 columns are one masked step (weight rows
// are padded to 32, so the weights can be read whole). Shape: f32-widen-gemm.h. Decode: int16
// activations (x86-int16-decode.h, the AVX2 code, so the bits equal the AVX2 variant's) when the
// caller allows it, else a GEMV with two accumulators per row.
#include <immintrin.h>

#include "runtime/src/kernels/f32-qs8w-avx512.h"
#include "runtime/src/kernels/tiling.h"
#include "runtime/src/kernels/x86-int16-decode.h"

namespace griffin {

void grf_f32_qs8w_gemm_ukernel__avx512f(const GemmArgs& p, size_t n_begin, size_t n_end) {
  if (wants_int16_decode(p)) {
    int16_decode(p, n_begin, n_end);
    return;
  }
  TiledGemm<WidenGemm<Qs8Avx512>, 4, 4>::run(p, n_begin, n_end);
}

}  // namespace griffin
