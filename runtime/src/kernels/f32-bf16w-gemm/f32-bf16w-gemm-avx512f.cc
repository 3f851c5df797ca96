// f32 × bf16 weights with AVX-512F: 16 weights widened per step, two accumulators, scalar tail.
#include <immintrin.h>

#include <cstring>

#include "runtime/src/kernels/gemm.h"

namespace griffin {

void grf_f32_bf16w_gemm_ukernel__avx512f(const GemmArgs& p, size_t n_begin, size_t n_end) {
  for (size_t n = n_begin; n < n_end; ++n) {
    const uint16_t* w = reinterpret_cast<const uint16_t*>(p.w + n * p.w_row_bytes);
    const float bias = p.bias ? p.bias[n] : 0.0f;
    for (size_t m = 0; m < p.m; ++m) {
      const float* a = p.a + m * p.a_stride;
      __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
      size_t k = 0;
      for (; k + 32 <= p.k; k += 32) {
        const __m512i w0 = _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + k)));
        const __m512i w1 = _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + k + 16)));
        acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + k), _mm512_castsi512_ps(_mm512_slli_epi32(w0, 16)), acc0);
        acc1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + k + 16), _mm512_castsi512_ps(_mm512_slli_epi32(w1, 16)), acc1);
      }
      for (; k + 16 <= p.k; k += 16) {
        const __m512i w0 = _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + k)));
        acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + k), _mm512_castsi512_ps(_mm512_slli_epi32(w0, 16)), acc0);
      }
      float acc = _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
      for (; k < p.k; ++k) {
        const uint32_t bits = static_cast<uint32_t>(w[k]) << 16;
        float weight;
        std::memcpy(&weight, &bits, 4);
        acc += a[k] * weight;
      }
      p.y[m * p.y_stride + n] = acc + bias;
    }
  }
}

}  // namespace griffin
