// f32 × int8 weights with NEON (every aarch64 CPU): 8 weights widened (s8 -> s16 -> s32 -> f32)
// per step and used for up to 4 tokens (a prefill chunk), so widening is paid once per weight
// and token tile.
#include <arm_neon.h>

#include <cstring>

#include "runtime/src/kernels/gemm.h"

namespace griffin {
namespace {

template <size_t MR>
void token_tile(const GemmArgs& p, const int8_t* w, float w_scale, float bias, size_t m0,
                size_t n) {
  // Two accumulators per token whatever MR is, so a token's sum is the same in a tile of 4
  // (prefill) as alone (decode): chunked prefill and decode give identical logits.
  constexpr size_t U = 2;
  const float* a[MR];
  for (size_t i = 0; i < MR; ++i) a[i] = p.a + (m0 + i) * p.a_stride;
  float32x4_t acc[MR][2 * U];
  for (size_t i = 0; i < MR; ++i) {
    for (size_t u = 0; u < 2 * U; ++u) acc[i][u] = vdupq_n_f32(0.0f);
  }
  size_t k = 0;
  for (; k + 8 * U <= p.k; k += 8 * U) {
    for (size_t u = 0; u < U; ++u) {
      const int16x8_t w16 = vmovl_s8(vld1_s8(w + k + 8 * u));
      const float32x4_t w_low = vcvtq_f32_s32(vmovl_s16(vget_low_s16(w16)));
      const float32x4_t w_high = vcvtq_f32_s32(vmovl_s16(vget_high_s16(w16)));
      for (size_t i = 0; i < MR; ++i) {
        acc[i][2 * u] = vfmaq_f32(acc[i][2 * u], vld1q_f32(a[i] + k + 8 * u), w_low);
        acc[i][2 * u + 1] = vfmaq_f32(acc[i][2 * u + 1], vld1q_f32(a[i] + k + 8 * u + 4), w_high);
      }
    }
  }
  for (; k + 8 <= p.k; k += 8) {
    const int16x8_t w16 = vmovl_s8(vld1_s8(w + k));
    const float32x4_t w_low = vcvtq_f32_s32(vmovl_s16(vget_low_s16(w16)));
    const float32x4_t w_high = vcvtq_f32_s32(vmovl_s16(vget_high_s16(w16)));
    for (size_t i = 0; i < MR; ++i) {
      acc[i][0] = vfmaq_f32(acc[i][0], vld1q_f32(a[i] + k), w_low);
      acc[i][1] = vfmaq_f32(acc[i][1], vld1q_f32(a[i] + k + 4), w_high);
    }
  }
  for (size_t i = 0; i < MR; ++i) {
    float32x4_t total = vaddq_f32(acc[i][0], acc[i][1]);
    for (size_t u = 2; u < 2 * U; ++u) total = vaddq_f32(total, acc[i][u]);
    float sum = vaddvq_f32(total);
    for (size_t j = k; j < p.k; ++j) sum += a[i][j] * static_cast<float>(w[j]);
    p.y[(m0 + i) * p.y_stride + n] = sum * w_scale + bias;
  }
}

}  // namespace

void grf_f32_qs8w_gemm_ukernel__neon(const GemmArgs& p, size_t n_begin, size_t n_end) {
  for (size_t n = n_begin; n < n_end; ++n) {
    const int8_t* w = reinterpret_cast<const int8_t*>(p.w + n * p.w_row_bytes);
    float w_scale;
    std::memcpy(&w_scale, p.w_scales + n * sizeof(float), sizeof(float));
    const float bias = p.bias ? p.bias[n] : 0.0f;
    size_t m = 0;
    for (; m + 4 <= p.m; m += 4) token_tile<4>(p, w, w_scale, bias, m, n);
    switch (p.m - m) {
      case 3:
        token_tile<3>(p, w, w_scale, bias, m, n);
        break;
      case 2:
        token_tile<2>(p, w, w_scale, bias, m, n);
        break;
      case 1:
        token_tile<1>(p, w, w_scale, bias, m, n);
        break;
      default:
        break;
    }
  }
}

}  // namespace griffin
