// The two tanh loops (GELU gating, §6; the logit soft cap, §8) eight lanes at a time with glibc's
// vector tanhf (libmvec, x86-64 vector ABI: `_ZGVdN8v_tanhf` is the AVX2 variant, within 1 ulp).
// No library we use has a vectorized f32 tanh (Debian's XNNPACK has sigmoid, not tanh), and
// libmvec comes with glibc. The scalar tanhf costs ~35 ns an element on Zen 1, libmvec's ~2.3 ns;
// decode runs ~500k of them per 2B token, prefill ~250k per prompt token. A short tail runs
// through a zero-padded copy and the same arithmetic (explicit FMAs and products only, nothing
// the compiler may contract differently), so an element's bits do not depend on where it sits
// in the array: any thread split or prefill chunking gives the same result.
#include <immintrin.h>

#include <cstddef>
#include <cstring>

#include "runtime/src/kernels/f32-tanh/f32-tanh.h"

extern "C" __m256 _ZGVdN8v_tanhf(__m256 x);  // glibc >= 2.35, libmvec

namespace griffin {
namespace {

constexpr size_t kLanes = 8;

// 0.5·u·(1 + tanh(sqrt(2/π)·(u + 0.044715·u³))) · other, as ops::gelu_tanh orders it.
__m256 gelu_gate8(__m256 u, __m256 other) {
  const __m256 cube = _mm256_mul_ps(_mm256_mul_ps(u, u), u);
  const __m256 inner = _mm256_fmadd_ps(_mm256_set1_ps(0.044715f), cube, u);
  const __m256 t = _ZGVdN8v_tanhf(_mm256_mul_ps(_mm256_set1_ps(0.7978845608028654f), inner));
  const __m256 half_u = _mm256_mul_ps(_mm256_set1_ps(0.5f), u);
  return _mm256_mul_ps(_mm256_fmadd_ps(half_u, t, half_u), other);
}

// cap·tanh(x / cap), with 1 / cap computed once as ops::soft_cap does.
__m256 soft_cap8(__m256 x, float cap, float inverse) {
  return _mm256_mul_ps(_mm256_set1_ps(cap),
                       _ZGVdN8v_tanhf(_mm256_mul_ps(x, _mm256_set1_ps(inverse))));
}

}  // namespace

void grf_f32_gelu_gate__avx2(size_t count, const float* gate, const float* other, float* out) {
  size_t i = 0;
  for (; i + kLanes <= count; i += kLanes) {
    _mm256_storeu_ps(out + i, gelu_gate8(_mm256_loadu_ps(gate + i), _mm256_loadu_ps(other + i)));
  }
  if (i == count) return;
  const size_t n = count - i;
  alignas(32) float u[kLanes] = {};
  alignas(32) float o[kLanes] = {};
  std::memcpy(u, gate + i, n * sizeof(float));
  std::memcpy(o, other + i, n * sizeof(float));
  _mm256_store_ps(u, gelu_gate8(_mm256_load_ps(u), _mm256_load_ps(o)));
  std::memcpy(out + i, u, n * sizeof(float));
}

void grf_f32_soft_cap__avx2(size_t count, float cap, float* x) {
  if (cap <= 0.0f) return;
  const float inverse = 1.0f / cap;
  size_t i = 0;
  for (; i + kLanes <= count; i += kLanes) {
    _mm256_storeu_ps(x + i, soft_cap8(_mm256_loadu_ps(x + i), cap, inverse));
  }
  if (i == count) return;
  const size_t n = count - i;
  alignas(32) float v[kLanes] = {};
  std::memcpy(v, x + i, n * sizeof(float));
  _mm256_store_ps(v, soft_cap8(_mm256_load_ps(v), cap, inverse));
  std::memcpy(x + i, v, n * sizeof(float));
}

}  // namespace griffin
