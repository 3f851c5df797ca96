// f32 activations × f32 weights, the definition: y[m, n] = Σ_k a[m, k] · W[k, n] + bias[n], the
// weights as [K, N] rows (row k at w + k · w_row_bytes), summed in k order with one rounding
// per step: acc = fma(a[m, k], W[k, n], acc) from 0, then acc + bias. Used for the RG-LRU gate
// blocks, whose [in, out] layout the model keeps (docs/griffin-math.md §7.3); every variant
// gives these bits (f32-f32w-columns.h).
#include "runtime/src/kernels/f32-f32w-gemm/f32-f32w-columns.h"

namespace griffin {

void grf_f32_f32w_gemm_ukernel__scalar(const GemmArgs& p, size_t n_begin, size_t n_end) {
  f32w_scalar_outputs(p, 0, p.m, n_begin, n_end);
}

}  // namespace griffin
