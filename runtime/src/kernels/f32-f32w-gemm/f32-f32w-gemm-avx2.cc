// f32 × f32 weights with AVX2 + FMA: 8 weights per load. Decode: a GEMV with two accumulators
// per row; prefill: 4×3 tiles of tokens × rows (12 accumulators, as the bf16 variant: 8 did not
// cover the FMA latency). Shape: f32-widen-gemm.h (widening is a load).
#include <immintrin.h>

#include "runtime/src/kernels/f32-f32w-gemm/f32-f32w-tail.h"
#include "runtime/src/kernels/f32-widen-gemm.h"
#include "runtime/src/kernels/tiling.h"
#include "runtime/src/kernels/x86-f32-vectors.h"

namespace griffin {
namespace {

struct F32Avx2 : Avx2Floats, F32WeightRows {
  static Vector widen(const float* w) { return _mm256_loadu_ps(w); }
};

}  // namespace

void grf_f32_f32w_gemm_ukernel__avx2(const GemmArgs& p, size_t n_begin, size_t n_end) {
  TiledGemm<WidenGemm<F32Avx2>, 4, 3>::run(p, n_begin, n_end);
}

}  // namespace griffin
