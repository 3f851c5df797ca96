// The shape of every f32-f32w-gemm variant. The weights are [K, N] rows, the RG-LRU gate
// blocks' own [in, out] layout: row k holds input k's weight for each of the N outputs, so a
// tile of MR tokens × NV vectors of outputs adds a[m, k] · W[k, n..] with one broadcast per
// token and one load per vector, and no sum ever crosses lanes. (As [N, K] rows, a tile's 16
// dot products of 256 columns each ended in a reduction across lanes, and the gate blocks ran
// at about half the f32 FMA peak in prefill.) Each output is summed as the scalar definition
// sums it: acc = fma(a[m, k], W[k, n], acc) for k = 0, 1, ..., then acc + bias. An FMA rounds
// once, the same in a vector lane as in std::fma, so every variant, tile shape, token count and
// split of the outputs gives the same bits: decode equals prefill exactly.
//
// Ops (each SIMD variant's, compiled with its ISA flags): Vector, kLanes, zero(), load(const
// float*), store(float*, Vector), splat(float), fma(a, w, acc) = a·w + acc, add(x, y); the
// prefill tile kTokens × kVectors and a lone token's kLoneVectors (powers of two).
#pragma once

#include <cmath>
#include <cstddef>

#include "runtime/src/kernels/gemm.h"
#include "runtime/src/kernels/weight-rows.h"

namespace griffin {
namespace {

// Outputs [n_begin, n_end) of tokens m0..m0+count-1, one at a time: the scalar definition, and
// the SIMD variants' last outputs (fewer than a vector).
inline void f32w_scalar_outputs(const GemmArgs& p, size_t m0, size_t count, size_t n_begin,
                                size_t n_end) {
  for (size_t m = m0; m < m0 + count; ++m) {
    const float* a = p.a + m * p.a_stride;
    for (size_t n = n_begin; n < n_end; ++n) {
      float acc = 0.0f;
      for (size_t k = 0; k < p.k; ++k) acc = std::fma(a[k], weight_row<float>(p, k)[n], acc);
      p.y[m * p.y_stride + n] = acc + bias_of(p, n);
    }
  }
}

template <typename Ops>
struct ColumnGemm {
  using Vector = typename Ops::Vector;
  static constexpr size_t kLanes = Ops::kLanes;

  // Tokens m0..m0+MR-1, outputs n0..n0+NV·kLanes-1.
  template <size_t MR, size_t NV>
  static void tile(const GemmArgs& p, size_t m0, size_t n0) {
    const float* a[MR];
    Vector acc[MR][NV];
    for (size_t i = 0; i < MR; ++i) {
      a[i] = p.a + (m0 + i) * p.a_stride;
      for (size_t j = 0; j < NV; ++j) acc[i][j] = Ops::zero();
    }
    for (size_t k = 0; k < p.k; ++k) {
      const float* w = weight_row<float>(p, k) + n0;
      Vector wv[NV];
      for (size_t j = 0; j < NV; ++j) wv[j] = Ops::load(w + j * kLanes);
      for (size_t i = 0; i < MR; ++i) {
        const Vector av = Ops::splat(a[i][k]);
        for (size_t j = 0; j < NV; ++j) acc[i][j] = Ops::fma(av, wv[j], acc[i][j]);
      }
    }
    for (size_t j = 0; j < NV; ++j) {
      const Vector bias = p.bias ? Ops::load(p.bias + n0 + j * kLanes) : Ops::zero();
      for (size_t i = 0; i < MR; ++i) {
        Ops::store(p.y + (m0 + i) * p.y_stride + n0 + j * kLanes, Ops::add(acc[i][j], bias));
      }
    }
  }

  // Tokens m0..m0+MR-1 over outputs [n, n_end): tiles of NV vectors, then of fewer, then the
  // last outputs one by one.
  template <size_t MR, size_t NV>
  static void columns(const GemmArgs& p, size_t m0, size_t n, size_t n_end) {
    for (; n + NV * kLanes <= n_end; n += NV * kLanes) tile<MR, NV>(p, m0, n);
    if constexpr (NV > 1) {
      columns<MR, NV / 2>(p, m0, n, n_end);
    } else {
      f32w_scalar_outputs(p, m0, MR, n, n_end);
    }
  }

  // The last `count` (< MR) tokens from m0.
  template <size_t MR>
  static void last_tokens(const GemmArgs& p, size_t m0, size_t count, size_t n_begin,
                          size_t n_end) {
    if constexpr (MR > 1) {
      if (count == MR - 1) {
        columns<MR - 1, Ops::kVectors>(p, m0, n_begin, n_end);
      } else {
        last_tokens<MR - 1>(p, m0, count, n_begin, n_end);
      }
    }
  }

  static void run(const GemmArgs& p, size_t n_begin, size_t n_end) {
    if (p.m == 1) {
      columns<1, Ops::kLoneVectors>(p, 0, n_begin, n_end);
      return;
    }
    size_t m = 0;
    for (; m + Ops::kTokens <= p.m; m += Ops::kTokens) {
      columns<Ops::kTokens, Ops::kVectors>(p, m, n_begin, n_end);
    }
    last_tokens<Ops::kTokens>(p, m, p.m - m, n_begin, n_end);
  }
};

}  // namespace
}  // namespace griffin
