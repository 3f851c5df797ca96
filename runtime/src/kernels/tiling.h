// How the f32-activation kernel families (f32-bf16w, f32-qs8w) walk an output block: a single
// token (decode) goes row by row through the family's GEMV, which keeps two accumulators per
// row to hide FMA latency; a chunk of tokens (prefill) goes through MR×NR tiles, each weight
// vector widened once for MR tokens and each activation vector loaded once for NR rows, so the
// loop is bound by FMAs rather than loads (4×4 tiles run ~2.5× the GEMV's rate on AVX-512).
// Tiles of every size sum a (token, row) pair in the same order, so any prefill chunking gives
// the same logits; a lone token may differ from its prefilled value in the last bits (unless
// the family's GEMV is its 1×1 tile, as on NEON, where tiles cover one row: kMaxNR = 1).
#pragma once

#include <cstddef>
#include <type_traits>

#include "runtime/src/kernels/gemm.h"

namespace griffin {

// Kernel::gemv(p, n): row n for token 0. Kernel::tile<MR, NR>(p, m0, n0): tokens m0..m0+MR-1
// of rows n0..n0+NR-1, for MR, NR in 1..kMaxMR / 1..max(kMaxNR, kDecodeNR).
// kDecodeNR > 0: a single token runs 1×kDecodeNR tiles instead of the GEMV. A GEMV row is one
// chain of dependent multiply-adds, so it is bound by their latency; kDecodeNR rows at once
// keep that many chains in flight and share each activation load, which lets decode stream
// weights at memory speed. It also makes a lone token sum exactly as in prefill.
template <typename Kernel, size_t kMaxMR, size_t kMaxNR, size_t kDecodeNR = 0>
struct TiledGemm {
  template <size_t NR>
  static void rows(const GemmArgs& p, size_t n0) {
    size_t m = 0;
    for (; m + kMaxMR <= p.m; m += kMaxMR) Kernel::template tile<kMaxMR, NR>(p, m, n0);
    tokens_left<NR, kMaxMR - 1>(p, m, n0);
  }

  // The last p.m - m (< kMaxMR) tokens as one tile.
  template <size_t NR, size_t MR>
  static void tokens_left(const GemmArgs& p, size_t m, size_t n0) {
    if constexpr (MR > 0) {
      if (p.m - m == MR) {
        Kernel::template tile<MR, NR>(p, m, n0);
      } else {
        tokens_left<NR, MR - 1>(p, m, n0);
      }
    }
  }

  // The last n_end - n (< kMaxNR) rows.
  template <size_t NR>
  static void rows_left(const GemmArgs& p, size_t n, size_t n_end) {
    if constexpr (NR > 0) {
      if (n_end - n == NR) {
        rows<NR>(p, n);
      } else {
        rows_left<NR - 1>(p, n, n_end);
      }
    }
  }

  // The last n_end - n (< kDecodeNR) rows of a single token.
  template <size_t NR>
  static void decode_rows_left(const GemmArgs& p, size_t n, size_t n_end) {
    if constexpr (NR > 0) {
      if (n_end - n == NR) {
        Kernel::template tile<1, NR>(p, 0, n);
      } else {
        decode_rows_left<NR - 1>(p, n, n_end);
      }
    }
  }

  static void run(const GemmArgs& p, size_t n_begin, size_t n_end) {
    if constexpr (kDecodeNR > 0) {
      if (p.m == 1) {
        size_t n = n_begin;
        for (; n + kDecodeNR <= n_end; n += kDecodeNR) {
          Kernel::template tile<1, kDecodeNR>(p, 0, n);
        }
        decode_rows_left<kDecodeNR - 1>(p, n, n_end);
        return;
      }
    } else {
      if (p.m == 1) {
        for (size_t n = n_begin; n < n_end; ++n) Kernel::gemv(p, n);
        return;
      }
    }
    size_t n = n_begin;
    for (; n + kMaxNR <= n_end; n += kMaxNR) rows<kMaxNR>(p, n);
    rows_left<kMaxNR - 1>(p, n, n_end);
  }
};

namespace {

// Tokens in the next of the steps an x86 prefill takes m tokens in, with `done` steps behind
// it: ceil(m / most) steps as even as they go when none falls below `fewest` (64 = 9 · 6 + 2 · 5
// and 13 = 5 + 4 + 4 for most 6, fewest 4), else steps of `most` while at least `most` tokens
// are left. Returns 0 when no step is left (the caller takes the remaining tokens, if any, its
// own way); `left` tokens of the m are not done yet.
inline size_t even_step_tokens(size_t m, size_t left, size_t done, size_t most, size_t fewest) {
  const size_t steps = (m + most - 1) / most;
  if (done >= steps) return 0;
  const size_t tokens = m < fewest * steps ? most : m / steps + (done < m % steps);
  return tokens <= left ? tokens : 0;
}

}  // namespace
}  // namespace griffin
