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
// The f32-widening tiles of a single token (f32-widen-gemm.h) prefetch this many bytes ahead
// instead of one tile. They decoded bf16 on AVX2 until one row at a time did better
// (kLoneRowPrefetchBytes below); 64 KB had taken 2B int8 decode in 1×8 tiles from 11.8-12.1 to
// 12.3-12.7 tokens/s on two Zen 3 threads, and bf16 in 1×4 tiles from 6.34-6.49 to 6.52-6.59.
// The int4 tiles keep one tile (5 KB): 12-64 KB made them 2-4 % slower, and one row at a time
// (1.3 KB on) 7 % slower. Not measured on AVX-512 machines.
constexpr size_t kDecodePrefetchBytes = 65536;

// The AVX2 lone-token decodes of int8 (int16 activations) and bf16 rows read one row at a time,
// one stream of consecutive lines, and prefetch each line this far ahead: near enough that the
// hint mostly meets a line the hardware prefetcher is already fetching. On two Zen 3 threads
// (medians of four alternating runs, 2B): int8 1×8 tiles with 64 KB on 10.50-10.59 tokens/s,
// one row with 768 B on 10.63, 1 KB 11.16-11.28, 1.25 KB 11.21, 1.75 KB 10.39, 2.5 KB 9.91, 4 KB
// 9.20 (1×2 and 1×4 tiles 8.5 and 9.2); bf16 1×4 tiles with 64 KB on 6.10-6.13, one row with
// 512 B on 6.23, 768 B 6.34, 1 KB 6.22-6.44, 1.25 KB 6.34, 2 KB 5.30. Several rows at once
// (several streams a row apart) read slower than one row.
constexpr size_t kLoneRowPrefetchBytes = 1024;

// A lone token's rows wider than kWideRowColumns go through WidenGemm::gemv_panels (AVX-512 and
// AVX2): blocks of kPanelRows rows, kPanelColumns columns at a time (10 KB of f32 activations). In
// a two-thread model of 2B bf16 decode on Zen 4 (plain loops over its 165 matrices' shapes, a
// barrier after each), the MLP down projection's 7,680-column rows made the whole pass 10-20 %
// slower at the host's fast memory level than the same bytes in 2,560-column rows; blocks of 8
// rows in panels won most of it back. 2B bf16 decode, before and after in turns (18 pairs): as
// fast or faster in 16, up to 44.8 GB/s of weights (8.3 tokens/s) where before read at most 38.5.
// The AVX2 kernel (lone_row's four chains), measured on the same machine under
// GRIFFIN_MAX_ISA=avx2: faster in 10 of 10 pairs, 26.9-32.1 -> 28.5-35.1 GB/s.
constexpr size_t kWideRowColumns = 4096;
constexpr size_t kPanelColumns = 2560;
constexpr size_t kPanelRows = 8;

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
