// int8 activations × int4 weights with AVX2: a group's 16 bytes expand to 32 signed values
// (low nibbles = values 0..15, high nibbles = values 16..31, minus 8), then the sign trick and
// maddubs/madd as in the int8 kernel; f16 group scales via F16C.
#include <immintrin.h>

#include "runtime/src/kernels/gemm.h"
#include "runtime/src/kernels/x86-reduce.h"

namespace griffin {

void grf_qd8_qs4w_gemm_ukernel__avx2(const GemmArgs& p, size_t n_begin, size_t n_end) {
  const size_t groups = p.kp / 32;
  const __m256i ones = _mm256_set1_epi16(1);
  const __m128i low_mask = _mm_set1_epi8(0x0f);
  const __m256i eight = _mm256_set1_epi8(8);
  for (size_t n = n_begin; n < n_end; ++n) {
    const uint8_t* w = p.w + n * p.w_row_bytes;
    const uint16_t* w_scales = reinterpret_cast<const uint16_t*>(p.w_scales) + n * groups;
    const float bias = p.bias ? p.bias[n] : 0.0f;
    for (size_t m = 0; m < p.m; ++m) {
      const int8_t* a = p.aq + m * p.kp;
      const float* a_scales = p.aq_scales + m * groups;
      __m256 acc = _mm256_setzero_ps();
      for (size_t g = 0; g < groups; ++g) {
        const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w + g * 16));
        const __m128i low = _mm_and_si128(bytes, low_mask);
        const __m128i high = _mm_and_si128(_mm_srli_epi16(bytes, 4), low_mask);
        const __m256i wv = _mm256_sub_epi8(_mm256_set_m128i(high, low), eight);
        const __m256i av = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + g * 32));
        const __m256i pairs = _mm256_maddubs_epi16(_mm256_sign_epi8(wv, wv), _mm256_sign_epi8(av, wv));
        const __m256i dot = _mm256_madd_epi16(pairs, ones);
        const float scale = a_scales[g] * _cvtsh_ss(w_scales[g]);
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot), _mm256_set1_ps(scale), acc);
      }
      p.y[m * p.y_stride + n] = horizontal_sum(acc) + bias;
    }
  }
}

}  // namespace griffin
