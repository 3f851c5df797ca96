// The pieces the x86 f32-f32w-gemm variants give f32-widen-gemm.h besides their vectors: f32
// weights need no widening, a row's last columns are summed in order, and a row's sum gets
// only the bias.
#pragma once

#include <cstddef>

#include "runtime/src/kernels/weight-rows.h"

namespace griffin {

struct F32WeightRows {
  using Weight = float;
  static float tail(const float* a, const float* w, size_t count) {
    float sum = 0.0f;
    for (size_t k = 0; k < count; ++k) sum += a[k] * w[k];
    return sum;
  }
  static float finish(const GemmArgs& p, size_t n, float sum) { return sum + bias_of(p, n); }
};

}  // namespace griffin
