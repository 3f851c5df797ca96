// f32 × bf16 weights with NEON (every aarch64 core): vshll widens 4 bf16 into the top halves of
// 4 f32 lanes; 8 weights per step used for up to 4 tokens (a prefill chunk), two FMA
// accumulators per token. A token's sum is the same in any tile, so chunked prefill equals
// decode.
#include <arm_neon.h>

#include <cstring>

#include "runtime/src/kernels/gemm.h"

namespace griffin {
namespace {

inline float bf16_value(uint16_t bits16) {
  const uint32_t bits = static_cast<uint32_t>(bits16) << 16;
  float value;
  std::memcpy(&value, &bits, 4);
  return value;
}

template <size_t MR>
void token_tile(const GemmArgs& p, const uint16_t* w, float bias, size_t m0, size_t n) {
  const float* a[MR];
  float32x4_t acc0[MR], acc1[MR];
  for (size_t i = 0; i < MR; ++i) {
    a[i] = p.a + (m0 + i) * p.a_stride;
    acc0[i] = vdupq_n_f32(0.0f);
    acc1[i] = vdupq_n_f32(0.0f);
  }
  size_t k = 0;
  for (; k + 8 <= p.k; k += 8) {
    const uint16x8_t wv = vld1q_u16(w + k);
    const float32x4_t w_low = vreinterpretq_f32_u32(vshll_n_u16(vget_low_u16(wv), 16));
    const float32x4_t w_high = vreinterpretq_f32_u32(vshll_n_u16(vget_high_u16(wv), 16));
    for (size_t i = 0; i < MR; ++i) {
      acc0[i] = vfmaq_f32(acc0[i], vld1q_f32(a[i] + k), w_low);
      acc1[i] = vfmaq_f32(acc1[i], vld1q_f32(a[i] + k + 4), w_high);
    }
  }
  for (size_t i = 0; i < MR; ++i) {
    float sum = vaddvq_f32(vaddq_f32(acc0[i], acc1[i]));
    for (size_t j = k; j < p.k; ++j) sum += a[i][j] * bf16_value(w[j]);
    p.y[(m0 + i) * p.y_stride + n] = sum + bias;
  }
}

}  // namespace

void grf_f32_bf16w_gemm_ukernel__neon(const GemmArgs& p, size_t n_begin, size_t n_end) {
  for (size_t n = n_begin; n < n_end; ++n) {
    const uint16_t* w = reinterpret_cast<const uint16_t*>(p.w + n * p.w_row_bytes);
    const float bias = p.bias ? p.bias[n] : 0.0f;
    size_t m = 0;
    for (; m + 4 <= p.m; m += 4) token_tile<4>(p, w, bias, m, n);
    switch (p.m - m) {
      case 3:
        token_tile<3>(p, w, bias, m, n);
        break;
      case 2:
        token_tile<2>(p, w, bias, m, n);
        break;
      case 1:
        token_tile<1>(p, w, bias, m, n);
        break;
      default:
        break;
    }
  }
}

}  // namespace griffin
