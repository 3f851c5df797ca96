// The AVX-512 widening of f32-qs8w prefill (16 int8 weights to f32 per step), shared by the
// avx512f and avx512vnni variants, which differ only in their decode. Included only by files
// compiled with AVX-512F; unnamed namespace, as in the other x86 kernel headers.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "runtime/src/kernels/f32-widen-gemm.h"
#include "runtime/src/kernels/x86-f32-vectors.h"

namespace griffin {
namespace {

struct Qs8Avx512 : Avx512Floats, FinishInt8 {
  using Weight = int8_t;
  static Vector widen(const int8_t* w) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w));
    return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(bytes));
  }
  static float tail(const float* a, const int8_t* w, size_t count) {
    if (count == 0) return 0.0f;
    const __mmask16 mask = static_cast<__mmask16>((1u << count) - 1u);
    return _mm512_reduce_add_ps(_mm512_mul_ps(_mm512_maskz_loadu_ps(mask, a), widen(w)));
  }
};

}  // namespace
}  // namespace griffin
