// f32 activations -> int8 in groups of 32 with an f32 scale each (the definition; see gemm.h).
#include <cmath>
#include <cstring>

#include "runtime/src/kernels/gemm.h"

namespace griffin {

void grf_f32_qd8_quantize_ukernel__scalar(size_t m, size_t k, size_t kp, const float* a,
                                          size_t a_stride, int8_t* aq, float* scales,
                                          int32_t offset_bias, int32_t* offsets) {
  const size_t groups = kp / 32;
  for (size_t row = 0; row < m; ++row) {
    const float* x = a + row * a_stride;
    int8_t* q = aq + row * kp;
    for (size_t g = 0; g < groups; ++g) {
      const size_t begin = g * 32, end = begin + 32 < k ? begin + 32 : k;
      float amax = 0.0f;
      for (size_t i = begin; i < end; ++i) amax = std::fmax(amax, std::fabs(x[i]));
      // A group below 1e-30 counts as zero: 127 / amax would overflow to infinity for the
      // tiniest, and infinity (or 0 · infinity) has no int8 value.
      if (!(amax >= 1e-30f)) amax = 0.0f;
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

}  // namespace griffin
