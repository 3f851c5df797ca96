// f32 × bf16 weights with AVX2 + FMA: 8 weights widened per step (zero-extend, shift into the
// top half of each 32-bit lane). Decode: one row at a time with four accumulators, prefetched
// kLoneRowPrefetchBytes on, or for rows wider than kWideRowColumns the same sums in panels of
// columns (weight-rows.h; 1×4 tiles with 64 KB on, before, read 5 % slower on
// Zen 3, and the two-accumulator GEMV ~1.35× slower on Zen 1); prefill: 4×3 tiles of tokens × rows
// (12 accumulators, 3 widened weight vectors, the activations read by the FMAs: 15 of AVX2's 16
// registers). 12 chains cover the FMA latency where 8 did not: one Zen 3 core ran 4×2 tiles at
// 22-24 GMAC/s and 4×3 at 36-38 (3×4 at 20-21: its fourth weight vector spills). Shape:
// f32-widen-gemm.h.
#include <immintrin.h>

#include "runtime/src/kernels/f32-widen-gemm.h"
#include "runtime/src/kernels/tiling.h"
#include "runtime/src/kernels/x86-f32-vectors.h"

namespace griffin {
namespace {

struct Bf16Avx2 : Avx2Floats, Bf16ScalarTail, FinishBf16 {
  using Weight = uint16_t;
  static Vector widen(const uint16_t* w) {
    const __m256i bits =
        _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w)));
    return _mm256_castsi256_ps(_mm256_slli_epi32(bits, 16));
  }
};

}  // namespace

void grf_f32_bf16w_gemm_ukernel__avx2(const GemmArgs& p, size_t n_begin, size_t n_end) {
  lone_rows_or_tiles<Bf16Avx2, 4, 3>(p, n_begin, n_end);
}

}  // namespace griffin
