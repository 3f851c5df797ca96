// f32 × bf16 weights with AVX-512F: 16 weights widened per step (zero-extend, shift into the
// top half of each 32-bit lane). Decode: a GEMV with two accumulators per row; prefill: 4×4
// tiles of tokens × rows. Shape: f32-widen-gemm.h.
#include <immintrin.h>

#include "runtime/src/kernels/f32-widen-gemm.h"
#include "runtime/src/kernels/tiling.h"

namespace griffin {
namespace {

struct Bf16Avx512 : FinishBf16 {
  using Vector = __m512;
  using Weight = uint16_t;
  static constexpr size_t kLanes = 16;
  static Vector zero() { return _mm512_setzero_ps(); }
  static Vector load(const float* a) { return _mm512_loadu_ps(a); }
  static Vector widen(const uint16_t* w) {
    const __m512i bits =
        _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(w)));
    return _mm512_castsi512_ps(_mm512_slli_epi32(bits, 16));
  }
  static Vector fma(Vector a, Vector w, Vector acc) { return _mm512_fmadd_ps(a, w, acc); }
  static Vector add(Vector x, Vector y) { return _mm512_add_ps(x, y); }
  static float sum(Vector v) { return _mm512_reduce_add_ps(v); }
  static float tail(const float* a, const uint16_t* w, size_t count) {
    float sum = 0.0f;
    for (size_t k = 0; k < count; ++k) sum += a[k] * bf16_to_f32(w[k]);
    return sum;
  }
};

}  // namespace

void grf_f32_bf16w_gemm_ukernel__avx512f(const GemmArgs& p, size_t n_begin, size_t n_end) {
  TiledGemm<WidenGemm<Bf16Avx512>, 4, 4>::run(p, n_begin, n_end);
}

}  // namespace griffin
