// int8 activations × int4 weights with the dot-product instructions: nibbles expand as in the
// NEON variant, then two sdot per group.
#include <arm_neon.h>
#include <fp16.h>

#include "runtime/src/kernels/gemm.h"

namespace griffin {

void grf_qd8_qs4w_gemm_ukernel__neondot(const GemmArgs& p, size_t n_begin, size_t n_end) {
  const size_t groups = p.kp / 32;
  const uint8x16_t low_mask = vdupq_n_u8(0x0f);
  const int8x16_t eight = vdupq_n_s8(8);
  for (size_t n = n_begin; n < n_end; ++n) {
    const uint8_t* w = p.w + n * p.w_row_bytes;
    const uint16_t* w_scales = reinterpret_cast<const uint16_t*>(p.w_scales) + n * groups;
    const float bias = p.bias ? p.bias[n] : 0.0f;
    for (size_t m = 0; m < p.m; ++m) {
      const int8_t* a = p.aq + m * p.kp;
      const float* a_scales = p.aq_scales + m * groups;
      float32x4_t acc = vdupq_n_f32(0.0f);
      for (size_t g = 0; g < groups; ++g) {
        const uint8x16_t bytes = vld1q_u8(w + g * 16);
        const int8x16_t w0 = vsubq_s8(vreinterpretq_s8_u8(vandq_u8(bytes, low_mask)), eight);
        const int8x16_t w1 = vsubq_s8(vreinterpretq_s8_u8(vshrq_n_u8(bytes, 4)), eight);
        int32x4_t dot = vdotq_s32(vdupq_n_s32(0), vld1q_s8(a + g * 32), w0);
        dot = vdotq_s32(dot, vld1q_s8(a + g * 32 + 16), w1);
        const float scale = a_scales[g] * fp16_ieee_to_fp32_value(w_scales[g]);
        acc = vfmaq_n_f32(acc, vcvtq_f32_s32(dot), scale);
      }
      p.y[m * p.y_stride + n] = vaddvq_f32(acc) + bias;
    }
  }
}

}  // namespace griffin
