// f32 activations × int8 weights (f32 scale per row), the definition: each weight widened to
// f32, the products summed in f32 in order, then scaled once per row (see gemm.h).
#include "runtime/src/kernels/gemm.h"
#include "runtime/src/kernels/weight-rows.h"

namespace griffin {

void grf_f32_qs8w_gemm_ukernel__scalar(const GemmArgs& p, size_t n_begin, size_t n_end) {
  for (size_t n = n_begin; n < n_end; ++n) {
    const int8_t* w = weight_row<int8_t>(p, n);
    const float scale = weight_row_scale(p, n);
    for (size_t m = 0; m < p.m; ++m) {
      const float* a = p.a + m * p.a_stride;
      float sum = 0.0f;
      for (size_t k = 0; k < p.k; ++k) sum += a[k] * static_cast<float>(w[k]);
      p.y[m * p.y_stride + n] = sum * scale + bias_of(p, n);
    }
  }
}

}  // namespace griffin
