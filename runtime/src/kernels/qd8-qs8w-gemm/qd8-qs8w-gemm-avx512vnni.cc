// int8 × int8 groups of 32 with AVX-512 VNNI on 256-bit vectors (AVX512VL): vpdpbusd sums four
// u8·s8 products per 32-bit lane without saturation; signs move onto the activations as in the
// AVX2 variant.
#include <immintrin.h>

#include <cstring>

#include "runtime/src/kernels/gemm.h"
#include "runtime/src/kernels/x86-reduce.h"

namespace griffin {

void grf_qd8_qs8w_gemm_ukernel__avx512vnni(const GemmArgs& p, size_t n_begin, size_t n_end) {
  const size_t groups = p.kp / 32;
  for (size_t n = n_begin; n < n_end; ++n) {
    const uint8_t* w = p.w + n * p.w_row_bytes;
    float w_scale;
    std::memcpy(&w_scale, p.w_scales + n * sizeof(float), sizeof(float));
    const float bias = p.bias ? p.bias[n] : 0.0f;
    for (size_t m = 0; m < p.m; ++m) {
      const int8_t* a = p.aq + m * p.kp;
      const float* a_scales = p.aq_scales + m * groups;
      __m256 acc = _mm256_setzero_ps();
      for (size_t g = 0; g < groups; ++g) {
        const __m256i wv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + g * 32));
        const __m256i av = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + g * 32));
        const __m256i dot = _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_sign_epi8(wv, wv),
                                                _mm256_sign_epi8(av, wv));
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot), _mm256_set1_ps(a_scales[g]), acc);
      }
      p.y[m * p.y_stride + n] = horizontal_sum(acc) * w_scale + bias;
    }
  }
}

}  // namespace griffin
