// int8 × int8 groups of 32 with AVX-512 VNNI on 256-bit vectors (AVX512VL): vpdpbusd sums four
// u8·s8 products per 32-bit lane without saturation; signs move onto the activations as in the
// AVX2 variant. Prefill tiles cover up to 4 tokens of one row (tiling.h): a weight group is
// loaded once for 4 tokens, and each token's sum is computed exactly as alone.
#include <immintrin.h>

#include "runtime/src/kernels/gemm.h"
#include "runtime/src/kernels/tiling.h"
#include "runtime/src/kernels/weight-rows.h"
#include "runtime/src/kernels/x86-reduce.h"

namespace griffin {
namespace {

struct Qs8Avx512Vnni {
  template <size_t MR, size_t NR>
  static void tile(const GemmArgs& p, size_t m0, size_t n) {
    static_assert(NR == 1, "tiles cover one row");
    const size_t groups = p.kp / 32;
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
            _mm256_dpbusd_epi32(_mm256_setzero_si256(), w_abs, _mm256_sign_epi8(av, wv));
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

void grf_qd8_qs8w_gemm_ukernel__avx512vnni(const GemmArgs& p, size_t n_begin, size_t n_end) {
  TiledGemm<Qs8Avx512Vnni, 4, 1>::run(p, n_begin, n_end);
}

}  // namespace griffin
