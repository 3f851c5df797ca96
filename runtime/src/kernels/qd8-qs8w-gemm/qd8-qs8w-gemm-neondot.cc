// int8 × int8 groups of 32 with the Armv8.2 dot-product instructions (Cortex-A76 / Raspberry
// Pi 5 / most phones): two sdot per group.
#include <arm_neon.h>

#include <cstring>

#include "runtime/src/kernels/gemm.h"

namespace griffin {

void grf_qd8_qs8w_gemm_ukernel__neondot(const GemmArgs& p, size_t n_begin, size_t n_end) {
  const size_t groups = p.kp / 32;
  for (size_t n = n_begin; n < n_end; ++n) {
    const int8_t* w = reinterpret_cast<const int8_t*>(p.w + n * p.w_row_bytes);
    float w_scale;
    std::memcpy(&w_scale, p.w_scales + n * sizeof(float), sizeof(float));
    const float bias = p.bias ? p.bias[n] : 0.0f;
    for (size_t m = 0; m < p.m; ++m) {
      const int8_t* a = p.aq + m * p.kp;
      const float* a_scales = p.aq_scales + m * groups;
      float32x4_t acc = vdupq_n_f32(0.0f);
      for (size_t g = 0; g < groups; ++g) {
        int32x4_t dot = vdotq_s32(vdupq_n_s32(0), vld1q_s8(a + g * 32), vld1q_s8(w + g * 32));
        dot = vdotq_s32(dot, vld1q_s8(a + g * 32 + 16), vld1q_s8(w + g * 32 + 16));
        acc = vfmaq_n_f32(acc, vcvtq_f32_s32(dot), a_scales[g]);
      }
      p.y[m * p.y_stride + n] = vaddvq_f32(acc) * w_scale + bias;
    }
  }
}

}  // namespace griffin
