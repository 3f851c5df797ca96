// The elementwise loops that call tanh (ops::gelu_gate, ops::soft_cap), split over the thread
// pool. In decode they run once per token over 256k logits and 200k MLP activations: done on
// one thread they were ~8 % of a 2B token's time while the pool's other threads waited.
// Each element is computed exactly as by the scalar op, so the result has the same bits for
// any pool and any split. A null pool runs on the calling thread.
#pragma once

#include <pthreadpool.h>

#include <cstddef>

namespace griffin::ops {

void parallel_gelu_gate(pthreadpool_t pool, size_t count, const float* gate, const float* other,
                        float* out);

void parallel_soft_cap(pthreadpool_t pool, size_t count, float cap, float* x);

}  // namespace griffin::ops
