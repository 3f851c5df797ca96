// f32 × f32 weights ([K, N] rows) with AVX2 + FMA: prefill tiles of 6 tokens × 16 outputs (12
// accumulators, with the weights and a broadcast within the 16 registers), a lone token 64
// outputs at a time (f32-f32w-columns.h).
#include <immintrin.h>

#include "runtime/src/kernels/f32-f32w-gemm/f32-f32w-columns.h"

namespace griffin {
namespace {

struct Avx2Columns {
  using Vector = __m256;
  static constexpr size_t kLanes = 8;
  static constexpr size_t kTokens = 6;
  static constexpr size_t kVectors = 2;
  static constexpr size_t kLoneVectors = 8;
  static Vector zero() { return _mm256_setzero_ps(); }
  static Vector load(const float* x) { return _mm256_loadu_ps(x); }
  static void store(float* x, Vector v) { _mm256_storeu_ps(x, v); }
  static Vector splat(float x) { return _mm256_set1_ps(x); }
  static Vector fma(Vector a, Vector w, Vector acc) { return _mm256_fmadd_ps(a, w, acc); }
  static Vector add(Vector x, Vector y) { return _mm256_add_ps(x, y); }
};

}  // namespace

void grf_f32_f32w_gemm_ukernel__avx2(const GemmArgs& p, size_t n_begin, size_t n_end) {
  ColumnGemm<Avx2Columns>::run(p, n_begin, n_end);
}

}  // namespace griffin
