// int8 × int8 groups of 32 with plain NEON (Cortex-A72 class): vmull/vmlal into 16-bit lanes
// (two products of |x| <= 127 fit), then pairwise widening adds into 32-bit lanes.
#include <arm_neon.h>

#include <cstring>

#include "runtime/src/kernels/gemm.h"

namespace griffin {

void grf_qd8_qs8w_gemm_ukernel__neon(const GemmArgs& p, size_t n_begin, size_t n_end) {
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
        const int8x16_t a0 = vld1q_s8(a + g * 32), a1 = vld1q_s8(a + g * 32 + 16);
        const int8x16_t w0 = vld1q_s8(w + g * 32), w1 = vld1q_s8(w + g * 32 + 16);
        int16x8_t p0 = vmull_s8(vget_low_s8(a0), vget_low_s8(w0));
        p0 = vmlal_s8(p0, vget_high_s8(a0), vget_high_s8(w0));
        int16x8_t p1 = vmull_s8(vget_low_s8(a1), vget_low_s8(w1));
        p1 = vmlal_s8(p1, vget_high_s8(a1), vget_high_s8(w1));
        const int32x4_t dot = vpadalq_s16(vpaddlq_s16(p0), p1);
        acc = vfmaq_n_f32(acc, vcvtq_f32_s32(dot), a_scales[g]);
      }
      p.y[m * p.y_stride + n] = vaddvq_f32(acc) * w_scale + bias;
    }
  }
}

}  // namespace griffin
