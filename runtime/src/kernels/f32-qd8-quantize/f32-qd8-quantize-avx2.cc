// f32 activations -> int8 in groups of 32 with AVX2, bit for bit the scalar definition: the same
// division for the scale and the inverse, the product rounded to nearest-even (vcvtps2dq in the
// default rounding mode, as nearbyint), and a group past k zero-padded (zeros change neither
// the group's largest value nor their own rounding). On Zen 4 the scalar loop was ~4 % of 2B
// int4 prefill.
#include <immintrin.h>

#include <cstring>

#include "runtime/src/kernels/gemm.h"

namespace griffin {

void grf_f32_qd8_quantize_ukernel__avx2(size_t m, size_t k, size_t kp, const float* a,
                                        size_t a_stride, int8_t* aq, float* scales) {
  const size_t groups = kp / 32;
  const __m256 magnitude = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
  // packs interleave 128-bit lanes; this puts the groups' 4-byte runs back in order.
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  for (size_t row = 0; row < m; ++row) {
    const float* x = a + row * a_stride;
    int8_t* q = aq + row * kp;
    for (size_t g = 0; g < groups; ++g) {
      const size_t begin = g * 32;
      const float* values = x + begin;
      float padded[32];
      if (begin + 32 > k) {
        const size_t count = begin < k ? k - begin : 0;
        std::memset(padded, 0, sizeof(padded));
        std::memcpy(padded, values, count * sizeof(float));
        values = padded;
      }
      __m256 v[4];
      for (size_t i = 0; i < 4; ++i) v[i] = _mm256_loadu_ps(values + 8 * i);
      const __m256 largest = _mm256_max_ps(
          _mm256_max_ps(_mm256_and_ps(v[0], magnitude), _mm256_and_ps(v[1], magnitude)),
          _mm256_max_ps(_mm256_and_ps(v[2], magnitude), _mm256_and_ps(v[3], magnitude)));
      __m128 top = _mm_max_ps(_mm256_castps256_ps128(largest), _mm256_extractf128_ps(largest, 1));
      top = _mm_max_ps(top, _mm_movehl_ps(top, top));
      top = _mm_max_ss(top, _mm_movehdup_ps(top));
      // A group below 1e-30 counts as zero, as in the definition.
      const float amax = _mm_cvtss_f32(top) >= 1e-30f ? _mm_cvtss_f32(top) : 0.0f;
      scales[row * groups + g] = amax / 127.0f;
      const __m256 inverse = _mm256_set1_ps(amax > 0.0f ? 127.0f / amax : 0.0f);
      __m256i r[4];
      for (size_t i = 0; i < 4; ++i) r[i] = _mm256_cvtps_epi32(_mm256_mul_ps(v[i], inverse));
      const __m256i bytes =
          _mm256_packs_epi16(_mm256_packs_epi32(r[0], r[1]), _mm256_packs_epi32(r[2], r[3]));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(q + begin),
                          _mm256_permutevar8x32_epi32(bytes, order));
    }
  }
}

}  // namespace griffin
