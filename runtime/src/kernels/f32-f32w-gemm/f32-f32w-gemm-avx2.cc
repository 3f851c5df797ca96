// f32 × f32 weights ([K, N] rows) with AVX2 + FMA: prefill tiles of 6 tokens × 16 outputs (12
// accumulators, with the weights and a broadcast within the 16 registers), a lone token 64
// outputs at a time (f32-f32w-columns.h).
#include "runtime/src/kernels/f32-f32w-gemm/f32-f32w-columns.h"
#include "runtime/src/kernels/x86-f32-vectors.h"

namespace griffin {
namespace {

struct Avx2Columns : Avx2Floats {
  static constexpr size_t kTokens = 6;
  static constexpr size_t kVectors = 2;
  static constexpr size_t kLoneVectors = 8;
};

}  // namespace

void grf_f32_f32w_gemm_ukernel__avx2(const GemmArgs& p, size_t n_begin, size_t n_end) {
  ColumnGemm<Avx2Columns>::run(p, n_begin, n_end);
}

}  // namespace griffin
