// f32 × int8 weights (f32 scale per row) with AVX2 + FMA: 8 weights widened to f32 per step.
// Decode: a GEMV with two accumulators per row; prefill: 4×2 tiles of tokens × rows
// (tiling.h; 8 accumulators leave room in AVX2's 16 registers).
#include <immintrin.h>

#include "runtime/src/kernels/gemm.h"
#include "runtime/src/kernels/tiling.h"
#include "runtime/src/kernels/weight-rows.h"
#include "runtime/src/kernels/x86-reduce.h"

namespace griffin {
namespace {

inline __m256 widen8(const int8_t* w) {
  const __m128i bytes = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(w));
  return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(bytes));
}

struct Qs8Avx2 {
  static void gemv(const GemmArgs& p, size_t n) {
    const int8_t* w = weight_row<int8_t>(p, n);
    const float* a = p.a;
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    size_t k = 0;
    for (; k + 16 <= p.k; k += 16) {
      acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + k), widen8(w + k), acc0);
      acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + k + 8), widen8(w + k + 8), acc1);
    }
    for (; k + 8 <= p.k; k += 8)
      acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + k), widen8(w + k), acc0);
    float sum = horizontal_sum(_mm256_add_ps(acc0, acc1));
    for (; k < p.k; ++k) sum += a[k] * static_cast<float>(w[k]);
    p.y[n] = sum * weight_row_scale(p, n) + bias_of(p, n);
  }

  template <size_t MR, size_t NR>
  static void tile(const GemmArgs& p, size_t m0, size_t n0) {
    const float* a[MR];
    const int8_t* w[NR];
    __m256 acc[MR][NR];
    for (size_t i = 0; i < MR; ++i) a[i] = p.a + (m0 + i) * p.a_stride;
    for (size_t j = 0; j < NR; ++j) w[j] = weight_row<int8_t>(p, n0 + j);
    for (size_t i = 0; i < MR; ++i) {
      for (size_t j = 0; j < NR; ++j) acc[i][j] = _mm256_setzero_ps();
    }
    size_t k = 0;
    for (; k + 8 <= p.k; k += 8) {
      __m256 wv[NR];
      for (size_t j = 0; j < NR; ++j) wv[j] = widen8(w[j] + k);
      for (size_t i = 0; i < MR; ++i) {
        const __m256 av = _mm256_loadu_ps(a[i] + k);
        for (size_t j = 0; j < NR; ++j) acc[i][j] = _mm256_fmadd_ps(av, wv[j], acc[i][j]);
      }
    }
    for (size_t i = 0; i < MR; ++i) {
      for (size_t j = 0; j < NR; ++j) {
        float sum = horizontal_sum(acc[i][j]);
        for (size_t t = k; t < p.k; ++t) sum += a[i][t] * static_cast<float>(w[j][t]);
        p.y[(m0 + i) * p.y_stride + n0 + j] =
            sum * weight_row_scale(p, n0 + j) + bias_of(p, n0 + j);
      }
    }
  }
};

}  // namespace

void grf_f32_qs8w_gemm_ukernel__avx2(const GemmArgs& p, size_t n_begin, size_t n_end) {
  TiledGemm<Qs8Avx2, 4, 2>::run(p, n_begin, n_end);
}

}  // namespace griffin
