// The elementwise loops that call tanh (GELU gating, the soft cap), split over the thread pool.
// In decode they run once per token over 256k logits and 200k MLP activations: done on one
// thread they were ~8 % of a 2B token's time while the pool's other threads waited. `kernel` is
// the model's variant (KernelTable::tanh, f32-tanh.h); every tile runs it on its own range, and
// the variants compute an element the same way wherever it sits, so the result has the bits of
// one call over the whole array for any pool and any split. A null pool runs on the calling
// thread.
#pragma once

#include <pthreadpool.h>

#include <cstddef>

#include "runtime/src/kernels/f32-rglru/f32-rglru.h"
#include "runtime/src/kernels/f32-tanh/f32-tanh.h"

namespace griffin::ops {

void parallel_gelu_gate(pthreadpool_t pool, GeluGateKernel kernel, size_t count, const float* gate,
                        const float* other, float* out);

void parallel_soft_cap(pthreadpool_t pool, SoftCapKernel kernel, size_t count, float cap, float* x);

// The RG-LRU scan of `rows` steps over `width` channels (rows `width` floats apart), the channels
// split over the pool: the scan is serial in time but independent across channels, and on one
// thread it was ~9 % of a 2B prefill while the other threads waited (kernels/f32-rglru).
void parallel_rglru_scan(pthreadpool_t pool, RglruScanKernel kernel, size_t rows, size_t width,
                         const float* gate_r, const float* gate_i, const float* v,
                         const float* neg_c_softplus, const int64_t* positions, float* h,
                         float* out);

// x += residual (unless null), then y = rmsnorm(x) (ops::rmsnorm), `rows` rows of `width`, the
// rows split over the pool. Each row is computed as ops::add_inplace then ops::rmsnorm compute
// it, so the bits do not depend on the split. On one thread the norms of a 2B prefill (each a
// serial sum of 2,560 squares) were ~2 % of its time while the other threads waited.
void parallel_add_rmsnorm(pthreadpool_t pool, size_t rows, size_t width, float* x,
                          const float* residual, const float* scale, float eps, float* y);

}  // namespace griffin::ops
