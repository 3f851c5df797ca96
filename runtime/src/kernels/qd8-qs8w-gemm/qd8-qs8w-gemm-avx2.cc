// int8 × int8 groups of 32 with AVX2: maddubs needs one unsigned operand, so the weights' signs
// move onto the activations (|w| · sign(w)·a), then madd sums pairs into 32-bit lanes. No
// saturation: |w|, |a| <= 127, so a pair is at most 32258. Prefill tiles cover up to 4 tokens of
// one row (tiling.h): a weight group is loaded once for 4 tokens, and each token's sum is
// computed exactly as alone.
#include <immintrin.h>

#include "runtime/src/kernels/gemm.h"
#include "runtime/src/kernels/tiling.h"
#include "runtime/src/kernels/weight-rows.h"
#include "runtime/src/kernels/x86-reduce.h"

namespace griffin {
namespace {

struct Qs8Avx2 {
  template <size_t MR, size_t NR>
  static void tile(const GemmArgs& p, size_t m0, size_t n) {
    static_assert(NR == 1, "tiles cover one row");
    const size_t groups = p.kp / 32;
    const __m256i ones = _mm256_set1_epi16(1);
    const uint8_t* w = weight_row<uint8_t>(p, n);
    __m256 acc[MR];
    for (size_t i = 0; i < MR; ++i) acc[i] = _mm256_setzero_ps();
    for (size_t g = 0; g < groups; ++g) {
      const __m256i wv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + g * 32));
      const __m256i w_abs = _mm256_sign_epi8(wv, wv);
      for (size_t i = 0; i < MR; ++i) {
        const size_t m = m0 + i;
        const __m256i av =
            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.aq + m * p.kp + g * 32));
        const __m256i dot =
            _mm256_madd_epi16(_mm256_maddubs_epi16(w_abs, _mm256_sign_epi8(av, wv)), ones);
        acc[i] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot),
                                 _mm256_set1_ps(p.aq_scales[m * groups + g]), acc[i]);
      }
    }
    const float w_scale = weight_row_scale(p, n);
    for (size_t i = 0; i < MR; ++i) {
      p.y[(m0 + i) * p.y_stride + n] = horizontal_sum(acc[i]) * w_scale + bias_of(p, n);
    }
  }

  static void gemv(const GemmArgs& p, size_t n) { tile<1, 1>(p, 0, n); }
};

}  // namespace

void grf_qd8_qs8w_gemm_ukernel__avx2(const GemmArgs& p, size_t n_begin, size_t n_end) {
  TiledGemm<Qs8Avx2, 4, 1>::run(p, n_begin, n_end);
}

}  // namespace griffin
