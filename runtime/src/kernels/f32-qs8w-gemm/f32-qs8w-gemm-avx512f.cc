// f32 × int8 weights (f32 scale per row) with AVX-512F: 16 weights widened to f32 per step.
// Prefill: 4×4 tiles of tokens × rows. The last 1..15 columns are one masked step (weight rows
// are padded to 32, so the weights can be read whole). Shape: f32-widen-gemm.h. Decode: int16
// activations (x86-int16-decode.h, the AVX2 code, so the bits equal the AVX2 variant's) when the
// caller allows it, else a GEMV with two accumulators per row.
#include <immintrin.h>

#include "runtime/src/kernels/f32-widen-gemm.h"
#include "runtime/src/kernels/tiling.h"
#include "runtime/src/kernels/x86-f32-vectors.h"
#include "runtime/src/kernels/x86-int16-decode.h"

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

void grf_f32_qs8w_gemm_ukernel__avx512f(const GemmArgs& p, size_t n_begin, size_t n_end) {
  if (wants_int16_decode(p)) {
    int16_decode(p, n_begin, n_end);
    return;
  }
  TiledGemm<WidenGemm<Qs8Avx512>, 4, 4>::run(p, n_begin, n_end);
}

}  // namespace griffin
