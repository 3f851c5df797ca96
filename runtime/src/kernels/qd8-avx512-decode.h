// How the AVX-512 VNNI decode kernels of the integer families (qd8-qs4w-avx512-decode.h,
// qd8-qs8w-avx512-decode.h) walk a call of one to four decoded tokens: Kernel::kRows rows at a
// time, then one, each tile running every token of the call. A token's sums do not depend on
// how many tokens share its tiles, so each token of a batch of up to four gets its lone bits.
// Also the prefetch these kernels share: a decode tile reads its rows once, straight from
// memory, and with the hardware prefetcher alone (a few streams, 4 KB pages) one Zen 4 core read
// them at 8 GB/s, against 22 with the rows kDecodePrefetchTiles tiles ahead requested in
// software. Into L2 (T1) rather than L1: int4 rows from memory on one Zen 4 core streamed at
// 19-24 GB/s 4-12 tiles ahead into L2, against 15-18 at 4 tiles into L1 (the L1 requests hold
// the core's few L1 miss slots); 2B int4 decode on one thread 10.9-11.8 -> 13.3-13.7 tokens/s,
// on two threads (bound by memory, drifting) ahead in 6 of 9 interleaved pairs (0.94-1.38 ×);
// int8 with int8 activations 1.05-1.12 × on two. Included only by files compiled with AVX-512 VNNI
// (+VL, BW).
#pragma once

#include <immintrin.h>

#include <cstddef>

#include "runtime/src/kernels/gemm.h"

namespace griffin {
namespace {

constexpr size_t kDecodePrefetchTiles = 8;

// Prefetches the `bytes` of a tile's rows that are kDecodePrefetchTiles tiles on, as the tile
// reaches `offset` into its rows (rows are contiguous: NR rows advance NR bytes per column).
inline void prefetch_decode_rows(const uint8_t* ahead, size_t offset, size_t bytes) {
  for (size_t line = 0; line < bytes; line += 64) {
    _mm_prefetch(reinterpret_cast<const char*>(ahead + offset + line), _MM_HINT_T1);
  }
}

// The call's MR tokens (int8 activations and their group scales) and a tile's accumulators,
// zeroed.
template <size_t MR, size_t NR>
struct DecodeTile {
  const int8_t* a[MR];
  const float* a_scales[MR];
  __m512 acc[MR][NR];

  explicit DecodeTile(const GemmArgs& p) {
    for (size_t i = 0; i < MR; ++i) {
      a[i] = p.aq + i * p.kp;
      a_scales[i] = p.aq_scales + i * (p.kp / 32);
      for (size_t j = 0; j < NR; ++j) acc[i][j] = _mm512_setzero_ps();
    }
  }
};

template <typename Kernel>
struct Avx512Decode {
  template <size_t MR>
  static void rows(const GemmArgs& p, size_t n_begin, size_t n_end) {
    size_t n = n_begin;
    for (; n + Kernel::kRows <= n_end; n += Kernel::kRows) {
      Kernel::template tile<MR, Kernel::kRows>(p, n);
    }
    for (; n < n_end; ++n) Kernel::template tile<MR, 1>(p, n);
  }

  // p.m in 1..4 (the caller checks).
  static void run(const GemmArgs& p, size_t n_begin, size_t n_end) {
    switch (p.m) {
      case 1:
        return rows<1>(p, n_begin, n_end);
      case 2:
        return rows<2>(p, n_begin, n_end);
      case 3:
        return rows<3>(p, n_begin, n_end);
      default:
        return rows<4>(p, n_begin, n_end);
    }
  }
};

}  // namespace
}  // namespace griffin
