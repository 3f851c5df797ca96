// f32 activations -> int8 in groups of 32 with an f32 scale each (the definition; see gemm.h),
// the scale of each group's own largest value, of the whole row's (per token), or the power of
// two at or above the group's (gemm.h, power_of_two_activation_scale).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "runtime/src/kernels/gemm.h"

namespace griffin {

namespace {

// The largest |x| of group g of a row of k values, or 0 when it is below 1e-30: 127 / amax would
// overflow to infinity for the tiniest, and infinity (or 0 · infinity) has no int8 value.
float group_abs_max(const float* x, size_t k, size_t g) {
  const size_t begin = g * 32, end = begin + 32 < k ? begin + 32 : k;
  float amax = 0.0f;
  for (size_t i = begin; i < end; ++i) amax = std::fmax(amax, std::fabs(x[i]));
  return amax >= 1e-30f ? amax : 0.0f;
}

enum class Scales { kPerGroup, kPerToken, kPowerOfTwo };

// value rounded to nearest-even and saturated as the vector variants' conversion and packs make
// it: a NaN, or a value out of int32's range, is -128 (a NaN comes from a NaN or infinite input:
// infinity · 0 in an infinite group); otherwise the nearest of -128..127.
int8_t saturated_int8(float value) {
  if (std::isnan(value) || std::fabs(value) >= 2147483648.0f) return int8_t{-128};
  return static_cast<int8_t>(std::clamp(std::nearbyint(value), -128.0f, 127.0f));
}

void quantize(size_t m, size_t k, size_t kp, const float* a, size_t a_stride, int8_t* aq,
              float* scales, int32_t offset_bias, int32_t* offsets, Scales mode) {
  const bool per_token = mode == Scales::kPerToken;
  const size_t groups = kp / 32;
  for (size_t row = 0; row < m; ++row) {
    const float* x = a + row * a_stride;
    int8_t* q = aq + row * kp;
    float row_amax = 0.0f;
    if (per_token) {
      for (size_t g = 0; g < groups; ++g) row_amax = std::fmax(row_amax, group_abs_max(x, k, g));
    }
    for (size_t g = 0; g < groups; ++g) {
      const size_t begin = g * 32, end = begin + 32 < k ? begin + 32 : k;
      const float amax = per_token ? row_amax : group_abs_max(x, k, g);
      const ActivationGroupScale group = activation_group_scale(amax, mode == Scales::kPowerOfTwo);
      int32_t sum = 0;
      for (size_t i = begin; i < begin + 32; ++i) {
        q[i] = saturated_int8(i < end ? x[i] * group.inverse : 0.0f);
        sum += q[i];
      }
      scales[row * groups + g] = group.scale;
      offsets[row * groups + g] = offset_bias * sum;
    }
  }
}

}  // namespace

void grf_f32_qd8_quantize_ukernel__scalar(size_t m, size_t k, size_t kp, const float* a,
                                          size_t a_stride, int8_t* aq, float* scales,
                                          int32_t offset_bias, int32_t* offsets) {
  quantize(m, k, kp, a, a_stride, aq, scales, offset_bias, offsets, Scales::kPerGroup);
}

void grf_f32_qd8_quantize_token_ukernel__scalar(size_t m, size_t k, size_t kp, const float* a,
                                                size_t a_stride, int8_t* aq, float* scales,
                                                int32_t offset_bias, int32_t* offsets) {
  quantize(m, k, kp, a, a_stride, aq, scales, offset_bias, offsets, Scales::kPerToken);
}

void grf_f32_qd8_quantize_pow2_ukernel__scalar(size_t m, size_t k, size_t kp, const float* a,
                                               size_t a_stride, int8_t* aq, float* scales,
                                               int32_t offset_bias, int32_t* offsets) {
  quantize(m, k, kp, a, a_stride, aq, scales, offset_bias, offsets, Scales::kPowerOfTwo);
}

}  // namespace griffin
