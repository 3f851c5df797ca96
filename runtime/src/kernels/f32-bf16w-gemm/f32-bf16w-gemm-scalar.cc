// f32 activations × bf16 weights, the definition: widen each weight (bf16 is the top half of an
// f32) and accumulate in f32 (see gemm.h).
#include <cstring>

#include "runtime/src/kernels/gemm.h"

namespace griffin {

void grf_f32_bf16w_gemm_ukernel__scalar(const GemmArgs& p, size_t n_begin, size_t n_end) {
  for (size_t n = n_begin; n < n_end; ++n) {
    const uint16_t* w = reinterpret_cast<const uint16_t*>(p.w + n * p.w_row_bytes);
    const float bias = p.bias ? p.bias[n] : 0.0f;
    for (size_t m = 0; m < p.m; ++m) {
      const float* a = p.a + m * p.a_stride;
      float acc = 0.0f;
      for (size_t k = 0; k < p.k; ++k) {
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
