// f32 × int8 weights with AVX2 + FMA. Each group of 8 weights is widened to f32 once and used
// for up to 4 tokens (a prefill chunk), so widening is paid once per weight and token tile.
#include <immintrin.h>

#include <cstring>

#include "runtime/src/kernels/gemm.h"
#include "runtime/src/kernels/x86-reduce.h"

namespace griffin {
namespace {

inline __m256 widen8(const int8_t* w) {
  const __m128i bytes = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(w));
  return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(bytes));
}

// Rows m0 .. m0 + MR - 1 of the output for weight row `w`.
template <size_t MR>
void token_tile(const GemmArgs& p, const int8_t* w, float w_scale, float bias, size_t m0,
                size_t n) {
  // Two accumulators per token whatever MR is, so a token's sum is the same in a tile of 4
  // (prefill) as alone (decode): chunked prefill and decode give identical logits.
  constexpr size_t U = 2;
  const float* a[MR];
  for (size_t i = 0; i < MR; ++i) a[i] = p.a + (m0 + i) * p.a_stride;
  __m256 acc[MR][U];
  for (size_t i = 0; i < MR; ++i) {
    for (size_t u = 0; u < U; ++u) acc[i][u] = _mm256_setzero_ps();
  }
  size_t k = 0;
  for (; k + 8 * U <= p.k; k += 8 * U) {
    for (size_t u = 0; u < U; ++u) {
      const __m256 wv = widen8(w + k + 8 * u);
      for (size_t i = 0; i < MR; ++i) {
        acc[i][u] = _mm256_fmadd_ps(_mm256_loadu_ps(a[i] + k + 8 * u), wv, acc[i][u]);
      }
    }
  }
  for (; k + 8 <= p.k; k += 8) {
    const __m256 wv = widen8(w + k);
    for (size_t i = 0; i < MR; ++i)
      acc[i][0] = _mm256_fmadd_ps(_mm256_loadu_ps(a[i] + k), wv, acc[i][0]);
  }
  for (size_t i = 0; i < MR; ++i) {
    __m256 total = acc[i][0];
    for (size_t u = 1; u < U; ++u) total = _mm256_add_ps(total, acc[i][u]);
    float sum = horizontal_sum(total);
    for (size_t j = k; j < p.k; ++j) sum += a[i][j] * static_cast<float>(w[j]);
    p.y[(m0 + i) * p.y_stride + n] = sum * w_scale + bias;
  }
}

}  // namespace

void grf_f32_qs8w_gemm_ukernel__avx2(const GemmArgs& p, size_t n_begin, size_t n_end) {
  for (size_t n = n_begin; n < n_end; ++n) {
    const int8_t* w = reinterpret_cast<const int8_t*>(p.w + n * p.w_row_bytes);
    float w_scale;
    std::memcpy(&w_scale, p.w_scales + n * sizeof(float), sizeof(float));
    const float bias = p.bias ? p.bias[n] : 0.0f;
    size_t m = 0;
    for (; m + 4 <= p.m; m += 4) token_tile<4>(p, w, w_scale, bias, m, n);
    switch (p.m - m) {
      case 3:
        token_tile<3>(p, w, w_scale, bias, m, n);
        break;
      case 2:
        token_tile<2>(p, w, w_scale, bias, m, n);
        break;
      case 1:
        token_tile<1>(p, w, w_scale, bias, m, n);
        break;
      default:
        break;
    }
  }
}

}  // namespace griffin
