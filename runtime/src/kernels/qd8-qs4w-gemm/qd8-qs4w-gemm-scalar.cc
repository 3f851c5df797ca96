// int8 activations (groups of 32) × int4 weights (groups of 32, f16 scale each), the definition.
// A group's 16 bytes hold value j in the low nibble of byte j and value j + 16 in its high
// nibble, stored as q + 8 (see format/quant.h).
#include <fp16.h>

#include <cstring>

#include "runtime/src/kernels/gemm.h"

namespace griffin {

void grf_qd8_qs4w_gemm_ukernel__scalar(const GemmArgs& p, size_t n_begin, size_t n_end) {
  const size_t groups = p.kp / 32;
  for (size_t n = n_begin; n < n_end; ++n) {
    const uint8_t* w = p.w + n * p.w_row_bytes;
    const uint16_t* w_scales = reinterpret_cast<const uint16_t*>(p.w_scales) + n * groups;
    const float bias = p.bias ? p.bias[n] : 0.0f;
    for (size_t m = 0; m < p.m; ++m) {
      const int8_t* a = p.aq + m * p.kp;
      const float* a_scales = p.aq_scales + m * groups;
      float acc = 0.0f;
      for (size_t g = 0; g < groups; ++g) {
        const uint8_t* bytes = w + g * 16;
        const int8_t* x = a + g * 32;
        int32_t dot = 0;
        for (size_t j = 0; j < 16; ++j) {
          dot +=
              int32_t{x[j]} * ((bytes[j] & 0x0f) - 8) + int32_t{x[j + 16]} * ((bytes[j] >> 4) - 8);
        }
        acc += a_scales[g] * fp16_ieee_to_fp32_value(w_scales[g]) * static_cast<float>(dot);
      }
      p.y[m * p.y_stride + n] = acc + bias;
    }
  }
}

}  // namespace griffin
