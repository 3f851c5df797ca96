// f32 × bf16 weights with AVX-512F: 16 weights widened per step (zero-extend, shift into the
// top half of each 32-bit lane). Decode: a GEMV with two accumulators per row; prefill: 4×4
// tiles of tokens × rows (tiling.h).
#include <immintrin.h>

#include "runtime/src/kernels/gemm.h"
#include "runtime/src/kernels/tiling.h"
#include "runtime/src/kernels/weight-rows.h"

namespace griffin {
namespace {

inline __m512 widen16(const uint16_t* w) {
  const __m512i bits =
      _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(w)));
  return _mm512_castsi512_ps(_mm512_slli_epi32(bits, 16));
}

struct Bf16Avx512 {
  static void gemv(const GemmArgs& p, size_t n) {
    const uint16_t* w = weight_row<uint16_t>(p, n);
    const float* a = p.a;
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
    size_t k = 0;
    for (; k + 32 <= p.k; k += 32) {
      acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + k), widen16(w + k), acc0);
      acc1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + k + 16), widen16(w + k + 16), acc1);
    }
    for (; k + 16 <= p.k; k += 16)
      acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + k), widen16(w + k), acc0);
    float sum = _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
    for (; k < p.k; ++k) sum += a[k] * bf16_to_f32(w[k]);
    p.y[n] = sum + bias_of(p, n);
  }

  template <size_t MR, size_t NR>
  static void tile(const GemmArgs& p, size_t m0, size_t n0) {
    const float* a[MR];
    const uint16_t* w[NR];
    __m512 acc[MR][NR];
    for (size_t i = 0; i < MR; ++i) a[i] = p.a + (m0 + i) * p.a_stride;
    for (size_t j = 0; j < NR; ++j) w[j] = weight_row<uint16_t>(p, n0 + j);
    for (size_t i = 0; i < MR; ++i) {
      for (size_t j = 0; j < NR; ++j) acc[i][j] = _mm512_setzero_ps();
    }
    size_t k = 0;
    for (; k + 16 <= p.k; k += 16) {
      __m512 wv[NR];
      for (size_t j = 0; j < NR; ++j) wv[j] = widen16(w[j] + k);
      for (size_t i = 0; i < MR; ++i) {
        const __m512 av = _mm512_loadu_ps(a[i] + k);
        for (size_t j = 0; j < NR; ++j) acc[i][j] = _mm512_fmadd_ps(av, wv[j], acc[i][j]);
      }
    }
    for (size_t i = 0; i < MR; ++i) {
      for (size_t j = 0; j < NR; ++j) {
        float sum = _mm512_reduce_add_ps(acc[i][j]);
        for (size_t t = k; t < p.k; ++t) sum += a[i][t] * bf16_to_f32(w[j][t]);
        p.y[(m0 + i) * p.y_stride + n0 + j] = sum + bias_of(p, n0 + j);
      }
    }
  }
};

}  // namespace

void grf_f32_bf16w_gemm_ukernel__avx512f(const GemmArgs& p, size_t n_begin, size_t n_end) {
  TiledGemm<Bf16Avx512, 4, 4>::run(p, n_begin, n_end);
}

}  // namespace griffin
