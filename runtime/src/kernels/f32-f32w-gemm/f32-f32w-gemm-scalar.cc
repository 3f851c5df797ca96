// f32 activations × f32 weights, the definition: y[m, n] = Σ_k a[m, k] · W[n, k] + bias[n],
// summed in f32 in k order (see gemm.h). Used for the RG-LRU gate blocks, which the model
// prepares at load as [out, in] rows (docs/griffin-math.md §7.3).
#include "runtime/src/kernels/gemm.h"

namespace griffin {

void grf_f32_f32w_gemm_ukernel__scalar(const GemmArgs& p, size_t n_begin, size_t n_end) {
  for (size_t n = n_begin; n < n_end; ++n) {
    const float* w = reinterpret_cast<const float*>(p.w + n * p.w_row_bytes);
    const float bias = p.bias ? p.bias[n] : 0.0f;
    for (size_t m = 0; m < p.m; ++m) {
      const float* a = p.a + m * p.a_stride;
      float acc = 0.0f;
      for (size_t k = 0; k < p.k; ++k) acc += a[k] * w[k];
      p.y[m * p.y_stride + n] = acc + bias;
    }
  }
}

}  // namespace griffin
