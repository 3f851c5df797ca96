// The two tanh loops (GELU gating, §6; the logit soft cap, §8) for one x86 vector width, over
// glibc's vector tanhf (libmvec). No library we use has a vectorized f32 tanh (Debian's XNNPACK
// has sigmoid, not tanh), and libmvec comes with glibc. A short tail runs through the same
// arithmetic (explicit FMAs and products only, nothing the compiler may contract differently) in
// a vector whose other lanes are zero, loaded and stored masked, so an element's bits do not
// depend on where it sits in the array: any thread split or prefill chunking gives the same
// result. (A zero-padded copy on the stack did the same until GCC gave the 16-float copy 64-byte
// alignment, which ASan's fake stack frames do not have: the aligned stores there faulted.)
//
// V (each variant's file, compiled with its ISA's flags): x86-f32-vectors.h's Avx2Floats or
// Avx512Floats (Vector, kLanes, load, store, load_first, store_first, splat, mul, fma(a, b, c) =
// a·b + c) and tanh(x).
#pragma once

#include <cstddef>

namespace griffin {
namespace {

template <typename V>
struct TanhLoops {
  using Vector = typename V::Vector;
  static constexpr size_t kLanes = V::kLanes;

  // 0.5·u·(1 + tanh(sqrt(2/π)·(u + 0.044715·u³))) · other, as ops::gelu_tanh orders it.
  static Vector gelu_gate(Vector u, Vector other) {
    const Vector cube = V::mul(V::mul(u, u), u);
    const Vector inner = V::fma(V::splat(0.044715f), cube, u);
    const Vector t = V::tanh(V::mul(V::splat(0.7978845608028654f), inner));
    const Vector half_u = V::mul(V::splat(0.5f), u);
    return V::mul(V::fma(half_u, t, half_u), other);
  }

  // cap·tanh(x / cap), with 1 / cap computed once as ops::soft_cap does.
  static Vector soft_cap(Vector x, float cap, float inverse) {
    return V::mul(V::splat(cap), V::tanh(V::mul(x, V::splat(inverse))));
  }

  static void gelu_gate_loop(size_t count, const float* gate, const float* other, float* out) {
    size_t i = 0;
    for (; i + kLanes <= count; i += kLanes) {
      V::store(out + i, gelu_gate(V::load(gate + i), V::load(other + i)));
    }
    if (i == count) return;
    const size_t n = count - i;
    V::store_first(out + i, gelu_gate(V::load_first(gate + i, n), V::load_first(other + i, n)), n);
  }

  static void soft_cap_loop(size_t count, float cap, float* x) {
    if (cap <= 0.0f) return;
    const float inverse = 1.0f / cap;
    size_t i = 0;
    for (; i + kLanes <= count; i += kLanes) {
      V::store(x + i, soft_cap(V::load(x + i), cap, inverse));
    }
    if (i == count) return;
    const size_t n = count - i;
    V::store_first(x + i, soft_cap(V::load_first(x + i, n), cap, inverse), n);
  }
};

}  // namespace
}  // namespace griffin
