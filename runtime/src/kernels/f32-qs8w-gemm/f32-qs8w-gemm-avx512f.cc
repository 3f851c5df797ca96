// f32 × int8 weights with AVX-512F: 16 weights widened to f32 per step and used for up to 4
// tokens (a prefill chunk), so widening is paid once per weight and token tile.
#include <immintrin.h>

#include <cstring>

#include "runtime/src/kernels/gemm.h"

namespace griffin {
namespace {

inline __m512 widen16(const int8_t* w) {
  const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w));
  return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(bytes));
}

template <size_t MR>
void token_tile(const GemmArgs& p, const int8_t* w, float w_scale, float bias, size_t m0,
                size_t n) {
  // Two accumulators per token whatever MR is, so a token's sum is the same in a tile of 4
  // (prefill) as alone (decode): chunked prefill and decode give identical logits.
  constexpr size_t U = 2;
  const float* a[MR];
  for (size_t i = 0; i < MR; ++i) a[i] = p.a + (m0 + i) * p.a_stride;
  __m512 acc[MR][U];
  for (size_t i = 0; i < MR; ++i) {
    for (size_t u = 0; u < U; ++u) acc[i][u] = _mm512_setzero_ps();
  }
  size_t k = 0;
  for (; k + 16 * U <= p.k; k += 16 * U) {
    for (size_t u = 0; u < U; ++u) {
      const __m512 wv = widen16(w + k + 16 * u);
      for (size_t i = 0; i < MR; ++i) {
        acc[i][u] = _mm512_fmadd_ps(_mm512_loadu_ps(a[i] + k + 16 * u), wv, acc[i][u]);
      }
    }
  }
  for (; k + 16 <= p.k; k += 16) {
    const __m512 wv = widen16(w + k);
    for (size_t i = 0; i < MR; ++i)
      acc[i][0] = _mm512_fmadd_ps(_mm512_loadu_ps(a[i] + k), wv, acc[i][0]);
  }
  // The last 1..15 columns: masked loads of the activations (the weight row is padded to 32).
  if (k < p.k) {
    const __mmask16 mask = static_cast<__mmask16>((1u << (p.k - k)) - 1u);
    const __m512 wv = widen16(w + k);
    for (size_t i = 0; i < MR; ++i) {
      acc[i][0] = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask, a[i] + k), wv, acc[i][0]);
    }
  }
  for (size_t i = 0; i < MR; ++i) {
    __m512 total = acc[i][0];
    for (size_t u = 1; u < U; ++u) total = _mm512_add_ps(total, acc[i][u]);
    p.y[(m0 + i) * p.y_stride + n] = _mm512_reduce_add_ps(total) * w_scale + bias;
  }
}

}  // namespace

void grf_f32_qs8w_gemm_ukernel__avx512f(const GemmArgs& p, size_t n_begin, size_t n_end) {
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
