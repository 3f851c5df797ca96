// f32 × bf16 weights with AVX2 + FMA: 8 weights widened per step (zero-extend, shift into the
// top half of each 32-bit lane), two accumulators. Matches the scalar kernel up to f32
// summation order.
#include <immintrin.h>

#include <cstring>

#include "runtime/src/kernels/gemm.h"
#include "runtime/src/kernels/x86-reduce.h"

namespace griffin {

void grf_f32_bf16w_gemm_ukernel__avx2(const GemmArgs& p, size_t n_begin, size_t n_end) {
  for (size_t n = n_begin; n < n_end; ++n) {
    const uint16_t* w = reinterpret_cast<const uint16_t*>(p.w + n * p.w_row_bytes);
    const float bias = p.bias ? p.bias[n] : 0.0f;
    for (size_t m = 0; m < p.m; ++m) {
      const float* a = p.a + m * p.a_stride;
      __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
      size_t k = 0;
      for (; k + 16 <= p.k; k += 16) {
        const __m256i w0 = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w + k)));
        const __m256i w1 = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w + k + 8)));
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + k), _mm256_castsi256_ps(_mm256_slli_epi32(w0, 16)), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + k + 8), _mm256_castsi256_ps(_mm256_slli_epi32(w1, 16)), acc1);
      }
      for (; k + 8 <= p.k; k += 8) {
        const __m256i w0 = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w + k)));
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + k), _mm256_castsi256_ps(_mm256_slli_epi32(w0, 16)), acc0);
      }
      float acc = horizontal_sum(_mm256_add_ps(acc0, acc1));
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
