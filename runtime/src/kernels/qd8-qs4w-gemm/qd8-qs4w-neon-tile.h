// The NEON int4 kernels (qd8-qs4w neon and neondot) share one shape: per group of 32, the 16
// bytes expand to two int8x16 vectors (low nibbles = values 0..15, high nibbles = 16..31, minus
// 8), an exact 32-bit dot product is taken with the int8 activations, converted, and added with
// the activation and weight scales. `Dot` takes the dot product: vmull/vmlal + pairwise
// widening adds on plain NEON, sdot with the dot-product extension. Prefill tiles cover up to 4
// tokens of one row (tiling.h), so a group is expanded once per tile; each token's arithmetic is
// the same as alone.
#pragma once

#include <arm_neon.h>
#include <fp16.h>

#include "runtime/src/kernels/gemm.h"
#include "runtime/src/kernels/weight-rows.h"

namespace griffin {

template <typename Dot>
struct Qs4NeonTile {
  template <size_t MR, size_t NR>
  static void tile(const GemmArgs& p, size_t m0, size_t n) {
    static_assert(NR == 1, "tiles cover one row");
    const size_t groups = p.kp / 32;
    const uint8x16_t low_mask = vdupq_n_u8(0x0f);
    const int8x16_t eight = vdupq_n_s8(8);
    const uint8_t* w = weight_row<uint8_t>(p, n);
    const uint16_t* w_scales = reinterpret_cast<const uint16_t*>(p.w_scales) + n * groups;
    float32x4_t acc[MR];
    for (size_t i = 0; i < MR; ++i) acc[i] = vdupq_n_f32(0.0f);
    for (size_t g = 0; g < groups; ++g) {
      const uint8x16_t bytes = vld1q_u8(w + g * 16);
      const int8x16_t w0 = vsubq_s8(vreinterpretq_s8_u8(vandq_u8(bytes, low_mask)), eight);
      const int8x16_t w1 = vsubq_s8(vreinterpretq_s8_u8(vshrq_n_u8(bytes, 4)), eight);
      const float w_scale = fp16_ieee_to_fp32_value(w_scales[g]);
      for (size_t i = 0; i < MR; ++i) {
        const int8_t* a = p.aq + (m0 + i) * p.kp + g * 32;
        const int32x4_t dot = Dot::dot(vld1q_s8(a), vld1q_s8(a + 16), w0, w1);
        const float scale = p.aq_scales[(m0 + i) * groups + g] * w_scale;
        acc[i] = vfmaq_n_f32(acc[i], vcvtq_f32_s32(dot), scale);
      }
    }
    for (size_t i = 0; i < MR; ++i) {
      p.y[(m0 + i) * p.y_stride + n] = vaddvq_f32(acc[i]) + bias_of(p, n);
    }
  }

  static void gemv(const GemmArgs& p, size_t n) { tile<1, 1>(p, 0, n); }
};

}  // namespace griffin
