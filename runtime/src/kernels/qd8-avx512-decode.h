// How the AVX-512 VNNI decode kernels of the integer families (qd8-qs4w-avx512-decode.h,
// qd8-qs8w-avx512-decode.h) walk a call of one to four decoded tokens: first each token's
// activations are prepared once for the call, on the stack, in the form the kernel's inner loop
// takes (Kernel::prepare; int8: the start value of each int32 lane and the spread scales); then
// Kernel::kRows rows at a time, then one, each tile running every token of the call. A token's
// sums do not depend on how many tokens share its tiles, so each token of a batch of up to four
// gets its lone bits.
// Why prepared: the int8 tiles had rebuilt those vectors for every row, 3 of the 7 vector
// operations per load. 2B decode with int8 activations on two Zen 4 vCPUs, at the host's fast
// memory level (54-61 GB/s): 0.67-0.72 of the bandwidth against 0.60-0.69, 14.5-15.2 against
// 12.3-14.3 tokens/s in 5 of 5 time-matched pairs (the bits are the same: the same operations
// on the same values). int4 prepares nothing (prepared_vectors 0): its two-row tiles share the
// chunks they build, and prepared ones, though they streamed rows from L3 at 40-42 GB/s against
// 34 on one core, read them from memory at 44-50 GB/s against 54-60 on two (a lighter loop can
// stream slower: docs/benchmarks.md, ninth Zen 4 session).
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

#include <algorithm>
#include <cstddef>

#include "runtime/src/kernels/gemm.h"

namespace griffin {
namespace {

constexpr size_t kDecodePrefetchTiles = 8;
// The stack that holds a call's prepared tokens: 2B's widest input (7680 columns) takes 11.5 KB
// a token for int4 and 15 KB for int8, so four tokens fit. Tokens that do not fit together run
// in turns, each pass reading the rows again; the caller takes another path for a token wider
// than this alone (Avx512Decode::fits).
constexpr size_t kDecodePreparedVectors = 1024;  // 64 KB

// Prefetches the `bytes` of a tile's rows that are kDecodePrefetchTiles tiles on, as the tile
// reaches `offset` into its rows (rows are contiguous: NR rows advance NR bytes per column).
inline void prefetch_decode_rows(const uint8_t* ahead, size_t offset, size_t bytes) {
  for (size_t line = 0; line < bytes; line += 64) {
    _mm_prefetch(reinterpret_cast<const char*>(ahead + offset + line), _MM_HINT_T1);
  }
}

// A tile's accumulators, zeroed (kernels that read prepared activations).
template <size_t MR, size_t NR>
struct DecodeAccumulators {
  __m512 acc[MR][NR];

  DecodeAccumulators() {
    for (size_t i = 0; i < MR; ++i) {
      for (size_t j = 0; j < NR; ++j) acc[i][j] = _mm512_setzero_ps();
    }
  }
};

// The accumulators and the call's MR tokens as they are (int8 activations, their group scales
// and the quantizer's group offsets), for kernels that prepare nothing.
template <size_t MR, size_t NR>
struct DecodeTile : DecodeAccumulators<MR, NR> {
  const int8_t* a[MR];
  const float* a_scales[MR];
  const int32_t* offsets[MR];

  explicit DecodeTile(const GemmArgs& p) {
    for (size_t i = 0; i < MR; ++i) {
      a[i] = p.aq + i * p.kp;
      a_scales[i] = p.aq_scales + i * (p.kp / 32);
      offsets[i] = p.aq_group_offsets + i * (p.kp / 32);
    }
  }
};

// Kernel: kRows; prepared_vectors(kp), the 64-byte vectors of one token's prepared activations;
// prepare(p, token, out); tile<MR, NR>(p, prepared, per_token, n0), token i's vectors at
// prepared + i · per_token.
template <typename Kernel>
struct Avx512Decode {
  // Whether one token's prepared activations fit the stack.
  static bool fits(const GemmArgs& p) {
    return Kernel::prepared_vectors(p.kp) <= kDecodePreparedVectors;
  }

  template <size_t MR>
  static void rows(const GemmArgs& p, const __m512i* prepared, size_t per_token, size_t n_begin,
                   size_t n_end) {
    size_t n = n_begin;
    for (; n + Kernel::kRows <= n_end; n += Kernel::kRows) {
      Kernel::template tile<MR, Kernel::kRows>(p, prepared, per_token, n);
    }
    for (; n < n_end; ++n) Kernel::template tile<MR, 1>(p, prepared, per_token, n);
  }

  // p.m in 1..4 and fits(p) (the caller checks).
  static void run(const GemmArgs& p, size_t n_begin, size_t n_end) {
    alignas(64) __m512i prepared[kDecodePreparedVectors];
    const size_t per_token = Kernel::prepared_vectors(p.kp);
    const size_t together =
        per_token == 0 ? p.m : std::min(p.m, kDecodePreparedVectors / per_token);
    for (size_t m0 = 0; m0 < p.m; m0 += together) {
      GemmArgs part = p;
      part.m = std::min(together, p.m - m0);
      part.aq = p.aq + m0 * p.kp;
      part.aq_scales = p.aq_scales + m0 * (p.kp / 32);
      part.aq_group_offsets = p.aq_group_offsets + m0 * (p.kp / 32);
      part.y = p.y + m0 * p.y_stride;
      for (size_t i = 0; i < part.m; ++i) Kernel::prepare(part, i, prepared + i * per_token);
      switch (part.m) {
        case 1:
          rows<1>(part, prepared, per_token, n_begin, n_end);
          break;
        case 2:
          rows<2>(part, prepared, per_token, n_begin, n_end);
          break;
        case 3:
          rows<3>(part, prepared, per_token, n_begin, n_end);
          break;
        default:
          rows<4>(part, prepared, per_token, n_begin, n_end);
          break;
      }
    }
  }
};

}  // namespace
}  // namespace griffin
