// f32 activations -> int8 in groups of 32 with AVX2, bit for bit the scalar definition: the same
// division for the scale and the inverse, the product rounded to nearest-even (vcvtps2dq in the
// default rounding mode, as nearbyint), and a group past k zero-padded (x86-reduce.h). On Zen 4 the
// scalar loop was ~4 % of 2B int4 prefill. Per token (the _token variant), every group takes the
// scale of the row's largest value, found in a first pass over the row; in the _pow2 variant,
// the power of two at or above the group's (gemm.h, power_of_two_activation_scale).
#include <immintrin.h>

#include <cmath>

#include "runtime/src/kernels/gemm.h"
#include "runtime/src/kernels/x86-reduce.h"

namespace griffin {

namespace {

enum class Scales { kPerGroup, kPerToken, kPowerOfTwo };

void quantize(size_t m, size_t k, size_t kp, const float* a, size_t a_stride, int8_t* aq,
              float* scales, int32_t offset_bias, int32_t* offsets, Scales mode) {
  const bool per_token = mode == Scales::kPerToken;
  const size_t groups = kp / 32;
  // packs interleave 128-bit lanes; this puts the groups' 4-byte runs back in order.
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  for (size_t row = 0; row < m; ++row) {
    const float* x = a + row * a_stride;
    int8_t* q = aq + row * kp;
    int32_t* row_offsets = offsets + row * groups;
    const __m256i bias = _mm256_set1_epi32(offset_bias);
    // Each group's values summed into 8 lanes, reduced 8 groups at a time (one lane reduction
    // per group made the quantizer 40 % slower).
    __m256i partial[8];
    float row_amax = 0.0f;
    for (size_t g = 0; per_token && g < groups; ++g) {
      __m256 v[4];
      load_group(x, k, g, v);
      row_amax = std::fmax(row_amax, group_abs_max(v));
    }
    for (size_t g = 0; g < groups; ++g) {
      __m256 v[4];
      load_group(x, k, g, v);
      // Below 1e-30: zero, as in the definition.
      const float amax = per_token ? row_amax : group_abs_max(v);
      const ActivationGroupScale group = activation_group_scale(amax, mode == Scales::kPowerOfTwo);
      scales[row * groups + g] = group.scale;
      const __m256 inverse = _mm256_set1_ps(group.inverse);
      __m256i r[4];
      for (size_t i = 0; i < 4; ++i) r[i] = _mm256_cvtps_epi32(_mm256_mul_ps(v[i], inverse));
      const __m256i bytes =
          _mm256_packs_epi16(_mm256_packs_epi32(r[0], r[1]), _mm256_packs_epi32(r[2], r[3]));
      // Σq from the bytes as stored: 4 to a lane (|sum| <= 512), exact whatever r held (a NaN
      // activation converts to INT32_MIN, which the packs saturate to -128).
      partial[g % 8] =
          _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_set1_epi8(1), bytes), _mm256_set1_epi16(1));
      if (g % 8 == 7) {
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(row_offsets + g - 7),
                            _mm256_mullo_epi32(sum_lanes8(partial), bias));
      }
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(q + g * 32),
                          _mm256_permutevar8x32_epi32(bytes, order));
    }
    for (size_t g = groups / 8 * 8; g < groups; ++g) {
      row_offsets[g] = offset_bias * sum_lanes(partial[g % 8]);
    }
  }
}

}  // namespace

void grf_f32_qd8_quantize_ukernel__avx2(size_t m, size_t k, size_t kp, const float* a,
                                        size_t a_stride, int8_t* aq, float* scales,
                                        int32_t offset_bias, int32_t* offsets) {
  quantize(m, k, kp, a, a_stride, aq, scales, offset_bias, offsets, Scales::kPerGroup);
}

void grf_f32_qd8_quantize_token_ukernel__avx2(size_t m, size_t k, size_t kp, const float* a,
                                              size_t a_stride, int8_t* aq, float* scales,
                                              int32_t offset_bias, int32_t* offsets) {
  quantize(m, k, kp, a, a_stride, aq, scales, offset_bias, offsets, Scales::kPerToken);
}

void grf_f32_qd8_quantize_pow2_ukernel__avx2(size_t m, size_t k, size_t kp, const float* a,
                                             size_t a_stride, int8_t* aq, float* scales,
                                             int32_t offset_bias, int32_t* offsets) {
  quantize(m, k, kp, a, a_stride, aq, scales, offset_bias, offsets, Scales::kPowerOfTwo);
}

}  // namespace griffin
