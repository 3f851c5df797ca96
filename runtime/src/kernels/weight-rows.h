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

// Decode reads every weight once, straight from memory, in row-sized runs of a few KB: the
// hardware prefetcher restarts on each run and lags, so a 1-token tile leaves memory idle
// between its loads. Decode kernels therefore prefetch the weights `kPrefetchTiles` tiles
// ahead while they compute (2B int8 on Zen 1: the GEMV went from 11 to 15 GB/s on 2 threads).
// Prefetches never fault, so running past the last row is harmless.
constexpr size_t kPrefetchTiles = 1;
constexpr size_t kPrefetchRows = 4;  // for the row-at-a-time GEMVs
// The int16 decode of int8 rows and the f32-widening decode tiles (bf16) prefetch this many
// bytes ahead instead of one tile: on two Zen 3 threads, 2B int8 decode went 11.8-12.1 ->
// 12.3-12.7 tokens/s (48, 64 and 96 KB alike; one 20 KB tile of 8 rows before) and bf16 decode
// 6.34-6.49 -> 6.52-6.59. The lines pass through L2, not L1, at that distance. The int4 tiles
// keep one tile (5 KB): 12-64 KB made them 2-4 % slower. Not measured on AVX-512 machines.
constexpr size_t kDecodePrefetchBytes = 65536;

// Prefetches `bytes` (a multiple of 64, or less than 64) from `region` on: one hint per line.
inline void prefetch_lines(const uint8_t* region, size_t bytes) {
  for (size_t offset = 0; offset < bytes; offset += 64) __builtin_prefetch(region + offset, 0, 3);
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
