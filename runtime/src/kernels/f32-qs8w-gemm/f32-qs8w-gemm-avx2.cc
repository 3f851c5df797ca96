// f32 × int8 weights (f32 scale per row) with AVX2 + FMA. When the caller allows int16
// activations (GemmArgs::int16_decode, int16_prefill), every token runs the int16
// path: x86-int16-prefill.h (prefill and batches of six or more in steps on one row) and
// x86-int16-decode.h.
// Otherwise, and for rows wider than it takes, 8 weights are widened to f32 per step: 4×3
// tiles of tokens × rows (12 accumulators, as the bf16 variant; shape: f32-widen-gemm.h), a
// GEMV with two accumulators per row for one token.
#include <immintrin.h>

#include "runtime/src/kernels/f32-widen-gemm.h"
#include "runtime/src/kernels/tiling.h"
#include "runtime/src/kernels/x86-f32-vectors.h"
#include "runtime/src/kernels/x86-int16-prefill.h"

namespace griffin {
namespace {

struct Qs8Avx2 : Avx2Floats, Int8ScalarTail, FinishInt8 {
  using Weight = int8_t;
  static Vector widen(const int8_t* w) {
    const __m128i bytes = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(w));
    return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(bytes));
  }
};

}  // namespace

void grf_f32_qs8w_gemm_ukernel__avx2(const GemmArgs& p, size_t n_begin, size_t n_end) {
  if (wants_int16(p)) {
    int16_token_blocks(p, n_begin, n_end);
    return;
  }
  TiledGemm<WidenGemm<Qs8Avx2>, 4, 3>::run(p, n_begin, n_end);
}

}  // namespace griffin
