// f32 × int8 weights (f32 scale per row) with AVX2 + FMA: 8 weights widened to f32 per step.
// Decode: a GEMV with two accumulators per row; prefill: 4×2 tiles of tokens × rows (8
// accumulators leave room in AVX2's 16 registers). Shape: f32-widen-gemm.h.
#include <immintrin.h>

#include "runtime/src/kernels/f32-widen-gemm.h"
#include "runtime/src/kernels/tiling.h"
#include "runtime/src/kernels/x86-reduce.h"

namespace griffin {
namespace {

struct Qs8Avx2 : FinishInt8 {
  using Vector = __m256;
  using Weight = int8_t;
  static constexpr size_t kLanes = 8;
  static Vector zero() { return _mm256_setzero_ps(); }
  static Vector load(const float* a) { return _mm256_loadu_ps(a); }
  static Vector widen(const int8_t* w) {
    const __m128i bytes = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(w));
    return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(bytes));
  }
  static Vector fma(Vector a, Vector w, Vector acc) { return _mm256_fmadd_ps(a, w, acc); }
  static Vector add(Vector x, Vector y) { return _mm256_add_ps(x, y); }
  static float sum(Vector v) { return horizontal_sum(v); }
  static float tail(const float* a, const int8_t* w, size_t count) {
    float sum = 0.0f;
    for (size_t k = 0; k < count; ++k) sum += a[k] * static_cast<float>(w[k]);
    return sum;
  }
};

}  // namespace

void grf_f32_qs8w_gemm_ukernel__avx2(const GemmArgs& p, size_t n_begin, size_t n_end) {
  TiledGemm<WidenGemm<Qs8Avx2>, 4, 2>::run(p, n_begin, n_end);
}

}  // namespace griffin
