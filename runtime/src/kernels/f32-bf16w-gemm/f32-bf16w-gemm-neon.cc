// f32 × bf16 weights with NEON (every aarch64 core): vshll widens 4 bf16 into the top halves of
// 4 f32 lanes; two FMA accumulators.
#include <arm_neon.h>

#include <cstring>

#include "runtime/src/kernels/gemm.h"

namespace griffin {

void grf_f32_bf16w_gemm_ukernel__neon(const GemmArgs& p, size_t n_begin, size_t n_end) {
  for (size_t n = n_begin; n < n_end; ++n) {
    const uint16_t* w = reinterpret_cast<const uint16_t*>(p.w + n * p.w_row_bytes);
    const float bias = p.bias ? p.bias[n] : 0.0f;
    for (size_t m = 0; m < p.m; ++m) {
      const float* a = p.a + m * p.a_stride;
      float32x4_t acc0 = vdupq_n_f32(0.0f), acc1 = vdupq_n_f32(0.0f);
      size_t k = 0;
      for (; k + 8 <= p.k; k += 8) {
        const uint16x8_t wv = vld1q_u16(w + k);
        acc0 = vfmaq_f32(acc0, vld1q_f32(a + k), vreinterpretq_f32_u32(vshll_n_u16(vget_low_u16(wv), 16)));
        acc1 = vfmaq_f32(acc1, vld1q_f32(a + k + 4), vreinterpretq_f32_u32(vshll_n_u16(vget_high_u16(wv), 16)));
      }
      float acc = vaddvq_f32(vaddq_f32(acc0, acc1));
      for (; k < p.k; ++k) {
        const uint32_t bits = static_cast<uint32_t>(w[k]) << 16;
        float weight;
        std::memcpy(&weight, &bits, 4);
        acc += a[k] * weight;
      }
      p.y[m * p.y_stride + n] = acc + bias;
    }
  }
}

}  // namespace griffin
