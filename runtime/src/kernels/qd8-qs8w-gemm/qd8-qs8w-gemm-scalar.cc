// int8 activations (groups of 32, f32 scale each) × int8 weights (f32 scale per row), the
// definition: exact integer dot per group, scaled and summed in f32 (see gemm.h).
#include <cstring>

#include "runtime/src/kernels/gemm.h"

namespace griffin {

void grf_qd8_qs8w_gemm_ukernel__scalar(const GemmArgs& p, size_t n_begin, size_t n_end) {
  const size_t groups = p.kp / 32;
  for (size_t n = n_begin; n < n_end; ++n) {
    const int8_t* w = reinterpret_cast<const int8_t*>(p.w + n * p.w_row_bytes);
    float w_scale;
    std::memcpy(&w_scale, p.w_scales + n * sizeof(float), sizeof(float));
    const float bias = p.bias ? p.bias[n] : 0.0f;
    for (size_t m = 0; m < p.m; ++m) {
      const int8_t* a = p.aq + m * p.kp;
      const float* a_scales = p.aq_scales + m * groups;
      float acc = 0.0f;
      for (size_t g = 0; g < groups; ++g) {
        int32_t dot = 0;
        for (size_t j = 0; j < 32; ++j) dot += int32_t{a[g * 32 + j]} * int32_t{w[g * 32 + j]};
        acc += a_scales[g] * static_cast<float>(dot);
      }
      p.y[m * p.y_stride + n] = acc * w_scale + bias;
    }
  }
}

}  // namespace griffin
