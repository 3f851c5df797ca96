// f32 × bf16 weights with AVX-512F: 16 weights widened per step (zero-extend, shift into the
// top half of each 32-bit lane). Prefill: 4×4 tiles of tokens × rows. Decode, two variants:
//   - avx512f: a GEMV with two accumulators per row, in panels of columns for rows wider than
//     kWideRowColumns (weight-rows.h). On Zen 4 the hardware prefetcher keeps up with it, and
//     one row at a time with four accumulators and software prefetches decoded 2B bf16 40 %
//     slower (docs/benchmarks/zen4/stop50/microbenchmarks.txt).
//   - avx512f_lone_rows, chosen on Intel CPUs (dispatch.cpp): that other shape, the AVX2
//     variant's lone_rows (four accumulators, each line prefetched kLoneRowPrefetchBytes on) in
//     512-bit vectors, and panels of its four chains. On a Xeon (family 6 model 207) it decoded
//     2B bf16 at 4.0-4.5 tokens/s against the GEMV's 3.1-3.8, faster in 5 of 5 pairs
//     (docs/benchmarks.md, "On an Intel Xeon VM").
// Shape: f32-widen-gemm.h.
#include <immintrin.h>

#include "runtime/src/kernels/f32-widen-gemm.h"
#include "runtime/src/kernels/tiling.h"
#include "runtime/src/kernels/x86-f32-vectors.h"

namespace griffin {
namespace {

struct Bf16Avx512 : Avx512Floats, Bf16ScalarTail, FinishBf16 {
  using Weight = uint16_t;
  static Vector widen(const uint16_t* w) {
    const __m512i bits =
        _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(w)));
    return _mm512_castsi512_ps(_mm512_slli_epi32(bits, 16));
  }
};

}  // namespace

void grf_f32_bf16w_gemm_ukernel__avx512f(const GemmArgs& p, size_t n_begin, size_t n_end) {
  if (p.m == 1 && p.k > kWideRowColumns) {
    WidenGemm<Bf16Avx512>::gemv_panels<2>(p, n_begin, n_end);
    return;
  }
  TiledGemm<WidenGemm<Bf16Avx512>, 4, 4>::run(p, n_begin, n_end);
}

void grf_f32_bf16w_gemm_ukernel__avx512f_lone_rows(const GemmArgs& p, size_t n_begin,
                                                   size_t n_end) {
  lone_rows_or_tiles<Bf16Avx512, 4, 4>(p, n_begin, n_end);
}

}  // namespace griffin
