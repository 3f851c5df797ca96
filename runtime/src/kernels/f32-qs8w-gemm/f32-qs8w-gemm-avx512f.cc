// f32 × int8 weights (f32 scale per row) with AVX-512F: 16 weights widened to f32 per step.
// Decode: a GEMV with two accumulators per row; prefill: 4×4 tiles of tokens × rows
// (tiling.h). The last 1..15 columns use masked activation loads (weight rows are padded to 32).
#include <immintrin.h>

#include "runtime/src/kernels/gemm.h"
#include "runtime/src/kernels/tiling.h"
#include "runtime/src/kernels/weight-rows.h"

namespace griffin {
namespace {

inline __m512 widen16(const int8_t* w) {
  const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w));
  return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(bytes));
}

struct Qs8Avx512 {
  static void gemv(const GemmArgs& p, size_t n) {
    const int8_t* w = weight_row<int8_t>(p, n);
    const float* a = p.a;
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
    size_t k = 0;
    for (; k + 32 <= p.k; k += 32) {
      acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + k), widen16(w + k), acc0);
      acc1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + k + 16), widen16(w + k + 16), acc1);
    }
    for (; k + 16 <= p.k; k += 16)
      acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + k), widen16(w + k), acc0);
    if (k < p.k) {
      const __mmask16 mask = static_cast<__mmask16>((1u << (p.k - k)) - 1u);
      acc0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask, a + k), widen16(w + k), acc0);
    }
    const float sum = _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
    p.y[n] = sum * weight_row_scale(p, n) + bias_of(p, n);
  }

  template <size_t MR, size_t NR>
  static inline void step(const float* const* a, const int8_t* const* w, size_t k, __mmask16 mask,
                          __m512 (&acc)[MR][NR]) {
    __m512 wv[NR];
    for (size_t j = 0; j < NR; ++j) wv[j] = widen16(w[j] + k);
    for (size_t i = 0; i < MR; ++i) {
      const __m512 av = _mm512_maskz_loadu_ps(mask, a[i] + k);
      for (size_t j = 0; j < NR; ++j) acc[i][j] = _mm512_fmadd_ps(av, wv[j], acc[i][j]);
    }
  }

  template <size_t MR, size_t NR>
  static void tile(const GemmArgs& p, size_t m0, size_t n0) {
    const float* a[MR];
    const int8_t* w[NR];
    __m512 acc[MR][NR];
    for (size_t i = 0; i < MR; ++i) a[i] = p.a + (m0 + i) * p.a_stride;
    for (size_t j = 0; j < NR; ++j) w[j] = weight_row<int8_t>(p, n0 + j);
    for (size_t i = 0; i < MR; ++i) {
      for (size_t j = 0; j < NR; ++j) acc[i][j] = _mm512_setzero_ps();
    }
    size_t k = 0;
    for (; k + 16 <= p.k; k += 16) step<MR, NR>(a, w, k, static_cast<__mmask16>(0xFFFF), acc);
    // The last 1..15 columns: masked activation loads (the weight rows are padded to 32).
    if (k < p.k) step<MR, NR>(a, w, k, static_cast<__mmask16>((1u << (p.k - k)) - 1u), acc);
    for (size_t i = 0; i < MR; ++i) {
      for (size_t j = 0; j < NR; ++j) {
        const float sum = _mm512_reduce_add_ps(acc[i][j]);
        p.y[(m0 + i) * p.y_stride + n0 + j] =
            sum * weight_row_scale(p, n0 + j) + bias_of(p, n0 + j);
      }
    }
  }
};

}  // namespace

void grf_f32_qs8w_gemm_ukernel__avx512f(const GemmArgs& p, size_t n_begin, size_t n_end) {
  TiledGemm<Qs8Avx512, 4, 4>::run(p, n_begin, n_end);
}

}  // namespace griffin
