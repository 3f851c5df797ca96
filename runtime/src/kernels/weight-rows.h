// Reading one weight row of a GemmArgs block, shared by every variant of the f32-activation
// families (plain C++, no ISA flags needed).
#pragma once

#include <cstdint>
#include <cstring>

#include "runtime/src/kernels/gemm.h"

namespace griffin {

template <typename T>
inline const T* weight_row(const GemmArgs& p, size_t n) {
  return reinterpret_cast<const T*>(p.w + n * p.w_row_bytes);
}

// int8 rows: the row's f32 scale (stored unaligned next to the rows).
inline float weight_row_scale(const GemmArgs& p, size_t n) {
  float scale;
  std::memcpy(&scale, p.w_scales + n * sizeof(float), sizeof(float));
  return scale;
}

inline float bias_of(const GemmArgs& p, size_t n) {
  return p.bias ? p.bias[n] : 0.0f;
}

inline float bf16_to_f32(uint16_t bf16) {
  const uint32_t bits = static_cast<uint32_t>(bf16) << 16;
  float value;
  std::memcpy(&value, &bits, 4);
  return value;
}

}  // namespace griffin
