// f32 × f32 weights ([K, N] rows) with AVX-512F: prefill tiles of 6 tokens × 64 outputs (24
// accumulators), a lone token 256 outputs at a time (16), one load per 16 weights
// (f32-f32w-columns.h). On Zen 4 the 6 × 4 tile ran the 256 × 256 gate blocks at the f32 FMA
// peak (117 GMAC/s on two cores, against 58-65 for 4 × 4 tiles over [N, K] rows).
#include "runtime/src/kernels/f32-f32w-gemm/f32-f32w-columns.h"
#include "runtime/src/kernels/x86-f32-vectors.h"

namespace griffin {
namespace {

struct Avx512Columns : Avx512Floats {
  static constexpr size_t kTokens = 6;
  static constexpr size_t kVectors = 4;
  static constexpr size_t kLoneVectors = 16;
};

}  // namespace

void grf_f32_f32w_gemm_ukernel__avx512f(const GemmArgs& p, size_t n_begin, size_t n_end) {
  ColumnGemm<Avx512Columns>::run(p, n_begin, n_end);
}

}  // namespace griffin
