// f32 × f32 weights ([K, N] rows) with AVX-512F: prefill tiles of 6 tokens × 64 outputs (24
// accumulators), a lone token 256 outputs at a time (16), one load per 16 weights
// (f32-f32w-columns.h). On Zen 4 the 6 × 4 tile ran the 256 × 256 gate blocks at the f32 FMA
// peak (117 GMAC/s on two cores, against 58-65 for 4 × 4 tiles over [N, K] rows).
#include <immintrin.h>

#include "runtime/src/kernels/f32-f32w-gemm/f32-f32w-columns.h"

namespace griffin {
namespace {

struct Avx512Columns {
  using Vector = __m512;
  static constexpr size_t kLanes = 16;
  static constexpr size_t kTokens = 6;
  static constexpr size_t kVectors = 4;
  static constexpr size_t kLoneVectors = 16;
  static Vector zero() { return _mm512_setzero_ps(); }
  static Vector load(const float* x) { return _mm512_loadu_ps(x); }
  static void store(float* x, Vector v) { _mm512_storeu_ps(x, v); }
  static Vector splat(float x) { return _mm512_set1_ps(x); }
  static Vector fma(Vector a, Vector w, Vector acc) { return _mm512_fmadd_ps(a, w, acc); }
  static Vector add(Vector x, Vector y) { return _mm512_add_ps(x, y); }
};

}  // namespace

void grf_f32_f32w_gemm_ukernel__avx512f(const GemmArgs& p, size_t n_begin, size_t n_end) {
  ColumnGemm<Avx512Columns>::run(p, n_begin, n_end);
}

}  // namespace griffin
