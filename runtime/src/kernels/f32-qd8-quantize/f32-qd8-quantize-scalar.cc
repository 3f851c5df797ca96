// f32 activations -> int8 in groups of 32 with an f32 scale each (the definition; see gemm.h),
// the scale of each group's own largest value or (per_token) of the whole row's.
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

void quantize(size_t m, size_t k, size_t kp, const float* a, size_t a_stride, int8_t* aq,
              float* scales, int32_t offset_bias, int32_t* offsets, bool per_token) {
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
      const float scale = amax / 127.0f;
      const float inverse = amax > 0.0f ? 127.0f / amax : 0.0f;
      int32_t sum = 0;
      for (size_t i = begin; i < begin + 32; ++i) {
        // A NaN (a NaN or infinite input: infinity · 0 in an infinite group) has no int8 value;
        // it becomes -128, as the vector variants' conversion and saturation make it.
        const float value = i < end ? x[i] * inverse : 0.0f;
        q[i] = std::isnan(value) ? int8_t{-128} : static_cast<int8_t>(std::nearbyint(value));
        sum += q[i];
      }
      scales[row * groups + g] = scale;
      offsets[row * groups + g] = offset_bias * sum;
    }
  }
}

}  // namespace

void grf_f32_qd8_quantize_ukernel__scalar(size_t m, size_t k, size_t kp, const float* a,
                                          size_t a_stride, int8_t* aq, float* scales,
                                          int32_t offset_bias, int32_t* offsets) {
  quantize(m, k, kp, a, a_stride, aq, scales, offset_bias, offsets, false);
}

void grf_f32_qd8_quantize_token_ukernel__scalar(size_t m, size_t k, size_t kp, const float* a,
                                                size_t a_stride, int8_t* aq, float* scales,
                                                int32_t offset_bias, int32_t* offsets) {
  quantize(m, k, kp, a, a_stride, aq, scales, offset_bias, offsets, true);
}

}  // namespace griffin
