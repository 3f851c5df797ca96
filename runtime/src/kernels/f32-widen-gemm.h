// The x86 f32-activation kernels (f32-bf16w, f32-qs8w; AVX2 and AVX-512F) share one shape and
// differ only in how a vector of weights becomes f32 and how a row's sum is finished. `Ops`
// (defined in each variant's file, compiled with that variant's ISA flags) supplies:
//   Vector, kLanes, zero(), load(const float*), fma(a, w, acc), add(x, y), sum(Vector): the f32
//     vector, and kGemvPrefetch: whether the GEMV prefetches rows ahead (x86-f32-vectors.h);
//   Weight, widen(const Weight*): kLanes weights as f32;
//   tail(a, w, count): Σ a·w over the last count < kLanes columns;
//   finish(p, n, sum): the output value (scale, bias).
// Decode runs gemv (two accumulators per row) or, where the variant asks, lone_rows (four) or,
// for rows too wide for their activations to stay in L1, gemv_panels (with either's
// accumulators); prefill runs MR×NR tiles through tiling.h.
#pragma once

#include <algorithm>
#include <cstddef>

#include "runtime/src/kernels/gemm.h"
#include "runtime/src/kernels/tiling.h"
#include "runtime/src/kernels/weight-rows.h"

namespace griffin {

template <typename Ops>
struct WidenGemm {
  using Vector = typename Ops::Vector;
  using Weight = typename Ops::Weight;
  static constexpr size_t kLanes = Ops::kLanes;

  static void gemv(const GemmArgs& p, size_t n) {
    const Weight* w = weight_row<Weight>(p, n);
    const float* a = p.a;
    // The row kPrefetchRows on, at the same column (weight-rows.h), where Ops::kGemvPrefetch.
    const uint8_t* ahead = reinterpret_cast<const uint8_t*>(w) + kPrefetchRows * p.w_row_bytes;
    Vector acc0 = Ops::zero(), acc1 = Ops::zero();
    size_t k = 0;
    for (; k + 2 * kLanes <= p.k; k += 2 * kLanes) {
      if constexpr (Ops::kGemvPrefetch) __builtin_prefetch(ahead + k * sizeof(Weight), 0, 3);
      acc0 = Ops::fma(Ops::load(a + k), Ops::widen(w + k), acc0);
      acc1 = Ops::fma(Ops::load(a + k + kLanes), Ops::widen(w + k + kLanes), acc1);
    }
    Vector acc[2] = {acc0, acc1};
    finish_row(p, n, w, k, acc);
  }

  // The end of a row summed in Chains interleaved chains of kLanes columns (gemv: 2, lone_row: 4),
  // from column k on (past its last whole step): one more vector at a time into the first chain,
  // the chains added pairwise, the horizontal sum, the scalar tail, then the output. Shared with
  // gemv_panels, which must sum alike.
  template <size_t Chains>
  static void finish_row(const GemmArgs& p, size_t n, const Weight* w, size_t k,
                         Vector (&acc)[Chains]) {
    static_assert(Chains == 2 || Chains == 4, "gemv's or lone_row's chains");
    for (; k + kLanes <= p.k; k += kLanes) {
      acc[0] = Ops::fma(Ops::load(p.a + k), Ops::widen(w + k), acc[0]);
    }
    Vector sum = Ops::add(acc[0], acc[1]);
    if constexpr (Chains == 4) sum = Ops::add(sum, Ops::add(acc[2], acc[3]));
    p.y[n] = Ops::finish(p, n, Ops::sum(sum) + Ops::tail(p.a + k, w + k, p.k - k));
  }

  // A lone token's rows [n_begin, n_end) in blocks of kPanelRows rows, each block a panel of
  // kPanelColumns columns at a time, the Chains accumulators of each row parked between panels:
  // the multiply-adds of gemv (Chains = 2) or lone_row (Chains = 4) in their order, so the same
  // bits. It is for wide rows: with 7,680 columns (RecurrentGemma-2B's MLP down projection) the
  // 30 KB of f32 activations do not stay in L1 beside the weights streaming through it, and
  // every activation load went to L2; a panel's 10 KB do stay. The next block is requested into
  // L2 as the current one is read (a step's worth of lines per step), as the panels read each
  // row in runs of a panel's width rather than end to end.
  template <size_t Chains>
  static void gemv_panels(const GemmArgs& p, size_t n_begin, size_t n_end) {
    constexpr size_t kStep = Chains * kLanes;
    constexpr size_t kStepBytes = kStep * sizeof(Weight);
    static_assert(kPanelColumns % kStep == 0, "panels of whole steps");
    static_assert(kStepBytes % 64 == 0, "a step of whole lines");
    Vector parked[kPanelRows][Chains];
    for (size_t n0 = n_begin; n0 < n_end; n0 += kPanelRows) {
      const size_t n1 = std::min(n_end, n0 + kPanelRows);
      const uint8_t* next = reinterpret_cast<const uint8_t*>(weight_row<Weight>(p, n1));
      const uint8_t* const next_end =
          next + (std::min(n_end, n1 + kPanelRows) - n1) * p.w_row_bytes;
      for (size_t k0 = 0; k0 < p.k; k0 += kPanelColumns) {
        const bool last = k0 + kPanelColumns >= p.k;
        const size_t k_end = last ? p.k : k0 + kPanelColumns;
        for (size_t n = n0; n < n1; ++n) {
          const Weight* w = weight_row<Weight>(p, n);
          Vector acc[Chains];
          for (size_t c = 0; c < Chains; ++c) acc[c] = k0 == 0 ? Ops::zero() : parked[n - n0][c];
          size_t k = k0;
          for (; k + kStep <= k_end; k += kStep) {
            if (next < next_end) {
              for (size_t line = 0; line < kStepBytes; line += 64) {
                __builtin_prefetch(next + line, 0, 2);  // prefetcht1: into L2
              }
              next += kStepBytes;
            }
            for (size_t c = 0; c < Chains; ++c) {
              acc[c] =
                  Ops::fma(Ops::load(p.a + k + c * kLanes), Ops::widen(w + k + c * kLanes), acc[c]);
            }
          }
          if (!last) {
            for (size_t c = 0; c < Chains; ++c) parked[n - n0][c] = acc[c];
          } else {
            finish_row(p, n, w, k, acc);
          }
        }
      }
    }
  }

  // Row n for a lone token, read as one stream (lone_rows): four accumulators cover the FMA
  // latency, and each line is prefetched kLoneRowPrefetchBytes on.
  static void lone_row(const GemmArgs& p, size_t n) {
    static_assert(4 * kLanes * sizeof(Weight) % 64 == 0, "a step of whole lines");
    const Weight* w = weight_row<Weight>(p, n);
    const float* a = p.a;
    const uint8_t* ahead = reinterpret_cast<const uint8_t*>(w) + kLoneRowPrefetchBytes;
    Vector acc0 = Ops::zero(), acc1 = Ops::zero(), acc2 = Ops::zero(), acc3 = Ops::zero();
    size_t k = 0;
    for (; k + 4 * kLanes <= p.k; k += 4 * kLanes) {
      prefetch_lines(ahead + k * sizeof(Weight), 4 * kLanes * sizeof(Weight));
      acc0 = Ops::fma(Ops::load(a + k), Ops::widen(w + k), acc0);
      acc1 = Ops::fma(Ops::load(a + k + kLanes), Ops::widen(w + k + kLanes), acc1);
      acc2 = Ops::fma(Ops::load(a + k + 2 * kLanes), Ops::widen(w + k + 2 * kLanes), acc2);
      acc3 = Ops::fma(Ops::load(a + k + 3 * kLanes), Ops::widen(w + k + 3 * kLanes), acc3);
    }
    Vector acc[4] = {acc0, acc1, acc2, acc3};
    finish_row(p, n, w, k, acc);
  }

  // A lone token's rows [n_begin, n_end) one after the other.
  static void lone_rows(const GemmArgs& p, size_t n_begin, size_t n_end) {
    for (size_t n = n_begin; n < n_end; ++n) lone_row(p, n);
  }

  template <size_t MR, size_t NR>
  static void tile(const GemmArgs& p, size_t m0, size_t n0) {
    const float* a[MR];
    const Weight* w[NR];
    Vector acc[MR][NR];
    for (size_t i = 0; i < MR; ++i) a[i] = p.a + (m0 + i) * p.a_stride;
    for (size_t j = 0; j < NR; ++j) w[j] = weight_row<Weight>(p, n0 + j);
    for (size_t i = 0; i < MR; ++i) {
      for (size_t j = 0; j < NR; ++j) acc[i][j] = Ops::zero();
    }
    // A single token (MR = 1): kDecodePrefetchBytes on (the rows are contiguous), NR rows of
    // kLanes weights per step.
    const uint8_t* ahead = reinterpret_cast<const uint8_t*>(w[0]) + kDecodePrefetchBytes;
    size_t k = 0;
    for (; k + kLanes <= p.k; k += kLanes) {
      if constexpr (MR == 1) {
        __builtin_prefetch(ahead + NR * k * sizeof(Weight), 0, 3);
      }
      Vector wv[NR];
      for (size_t j = 0; j < NR; ++j) wv[j] = Ops::widen(w[j] + k);
      for (size_t i = 0; i < MR; ++i) {
        const Vector av = Ops::load(a[i] + k);
        for (size_t j = 0; j < NR; ++j) acc[i][j] = Ops::fma(av, wv[j], acc[i][j]);
      }
    }
    for (size_t i = 0; i < MR; ++i) {
      for (size_t j = 0; j < NR; ++j) {
        const float sum = Ops::sum(acc[i][j]) + Ops::tail(a[i] + k, w[j] + k, p.k - k);
        p.y[(m0 + i) * p.y_stride + n0 + j] = Ops::finish(p, n0 + j, sum);
      }
    }
  }
};

// A whole product in the lone-rows shape: a lone token one row at a time with four chains (in
// panels of them for rows wider than kWideRowColumns), more tokens in MR×NR tiles. The AVX2 bf16
// variant, and the AVX-512F one chosen on Intel cores.
template <typename Ops, size_t MR, size_t NR>
void lone_rows_or_tiles(const GemmArgs& p, size_t n_begin, size_t n_end) {
  if (p.m == 1 && p.k > kWideRowColumns) {
    WidenGemm<Ops>::template gemv_panels<4>(p, n_begin, n_end);
  } else if (p.m == 1) {
    WidenGemm<Ops>::lone_rows(p, n_begin, n_end);
  } else {
    TiledGemm<WidenGemm<Ops>, MR, NR>::run(p, n_begin, n_end);
  }
}

// Finishing a row's sum: bf16 rows add the bias; int8 rows scale, then add the bias.
struct FinishBf16 {
  static float finish(const GemmArgs& p, size_t n, float sum) { return sum + bias_of(p, n); }
};
struct FinishInt8 {
  static float finish(const GemmArgs& p, size_t n, float sum) {
    return sum * weight_row_scale(p, n) + bias_of(p, n);
  }
};

}  // namespace griffin
