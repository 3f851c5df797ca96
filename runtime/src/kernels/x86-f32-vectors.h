// f32 vector operations for the f32-widen-gemm.h, f32-f32w-columns.h and f32-tanh-loops.h `Ops` of
// each x86 variant:
// Avx2Floats (8 lanes) needs AVX2 + FMA, Avx512Floats (16 lanes) AVX-512F. Each is defined only
// when the file including this header is compiled for it. Also the scalar tails shared by the
// variants.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "runtime/src/kernels/weight-rows.h"
#include "runtime/src/kernels/x86-reduce.h"

namespace griffin {
namespace {

#if defined(__AVX2__) && defined(__FMA__)
struct Avx2Floats {
  using Vector = __m256;
  static constexpr size_t kLanes = 8;
  // WidenGemm::gemv prefetches the row kPrefetchRows on: on Zen 1, 2B int8 decode through the
  // GEMV went from 4.0 to 4.65 tokens/s with it.
  static constexpr bool kGemvPrefetch = true;
  static Vector zero() { return _mm256_setzero_ps(); }
  static Vector load(const float* a) { return _mm256_loadu_ps(a); }
  static Vector fma(Vector a, Vector w, Vector acc) { return _mm256_fmadd_ps(a, w, acc); }
  static Vector add(Vector x, Vector y) { return _mm256_add_ps(x, y); }
  static Vector mul(Vector x, Vector y) { return _mm256_mul_ps(x, y); }
  // The first n < kLanes floats, the other lanes zero (masked: no lane past n is read or written).
  static __m256i first_lanes(size_t n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)),
                              _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static Vector load_first(const float* x, size_t n) {
    return _mm256_maskload_ps(x, first_lanes(n));
  }
  static void store_first(float* x, Vector v, size_t n) {
    _mm256_maskstore_ps(x, first_lanes(n), v);
  }
  static float sum(Vector v) { return horizontal_sum(v); }
  static void store(float* x, Vector v) { _mm256_storeu_ps(x, v); }
  static Vector splat(float x) { return _mm256_set1_ps(x); }
};
#endif

#if defined(__AVX512F__)
struct Avx512Floats {
  using Vector = __m512;
  static constexpr size_t kLanes = 16;
  // No GEMV prefetch: on Zen 4 (the only AVX-512 CPU measured) the hardware prefetcher keeps up
  // with the rows alone, and the prefetches cost the bf16 GEMV 1-63 % (median ~18 %) of its
  // one-thread rate in 16 interleaved passes over 600 MB, and 2B bf16 decode 4 % to 27 %.
  static constexpr bool kGemvPrefetch = false;
  static Vector zero() { return _mm512_setzero_ps(); }
  static Vector load(const float* a) { return _mm512_loadu_ps(a); }
  static Vector fma(Vector a, Vector w, Vector acc) { return _mm512_fmadd_ps(a, w, acc); }
  static Vector add(Vector x, Vector y) { return _mm512_add_ps(x, y); }
  static Vector mul(Vector x, Vector y) { return _mm512_mul_ps(x, y); }
  static Vector load_first(const float* x, size_t n) {
    return _mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << n) - 1), x);
  }
  static void store_first(float* x, Vector v, size_t n) {
    _mm512_mask_storeu_ps(x, static_cast<__mmask16>((1u << n) - 1), v);
  }
  static float sum(Vector v) { return _mm512_reduce_add_ps(v); }
  static void store(float* x, Vector v) { _mm512_storeu_ps(x, v); }
  static Vector splat(float x) { return _mm512_set1_ps(x); }
};
#endif

// Σ a·w over the last `count` columns, in order (the tails of the f32-activation kernels).
struct Bf16ScalarTail {
  static float tail(const float* a, const uint16_t* w, size_t count) {
    float sum = 0.0f;
    for (size_t k = 0; k < count; ++k) sum += a[k] * bf16_to_f32(w[k]);
    return sum;
  }
};
struct Int8ScalarTail {
  static float tail(const float* a, const int8_t* w, size_t count) {
    float sum = 0.0f;
    for (size_t k = 0; k < count; ++k) sum += a[k] * static_cast<float>(w[k]);
    return sum;
  }
};

}  // namespace
}  // namespace griffin
