// int8 activations × int4 weights with AVX-512 VNNI (256-bit vpdpbusd), nibbles expanded as in
// the AVX2 variant. Prefill tiles cover up to 4 tokens of one row (tiling.h), so a group is
// expanded once for 4 tokens; each token's sum is computed exactly as alone.
#include <immintrin.h>

#include "runtime/src/kernels/gemm.h"
#include "runtime/src/kernels/tiling.h"
#include "runtime/src/kernels/weight-rows.h"
#include "runtime/src/kernels/x86-reduce.h"

namespace griffin {
namespace {

struct Qs4Avx512Vnni {
  template <size_t MR, size_t NR>
  static void tile(const GemmArgs& p, size_t m0, size_t n) {
    static_assert(NR == 1, "tiles cover one row");
    const size_t groups = p.kp / 32;
    const __m128i low_mask = _mm_set1_epi8(0x0f);
    const __m256i eight = _mm256_set1_epi8(8);
    const uint8_t* w = weight_row<uint8_t>(p, n);
    const uint16_t* w_scales = reinterpret_cast<const uint16_t*>(p.w_scales) + n * groups;
    __m256 acc[MR];
    for (size_t i = 0; i < MR; ++i) acc[i] = _mm256_setzero_ps();
    for (size_t g = 0; g < groups; ++g) {
      const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w + g * 16));
      const __m128i low = _mm_and_si128(bytes, low_mask);
      const __m128i high = _mm_and_si128(_mm_srli_epi16(bytes, 4), low_mask);
      const __m256i wv = _mm256_sub_epi8(_mm256_set_m128i(high, low), eight);
      const __m256i w_abs = _mm256_sign_epi8(wv, wv);
      const float w_scale = _cvtsh_ss(w_scales[g]);
      for (size_t i = 0; i < MR; ++i) {
        const size_t m = m0 + i;
        const __m256i av =
            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.aq + m * p.kp + g * 32));
        const __m256i dot =
            _mm256_dpbusd_epi32(_mm256_setzero_si256(), w_abs, _mm256_sign_epi8(av, wv));
        const float scale = p.aq_scales[m * groups + g] * w_scale;
        acc[i] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot), _mm256_set1_ps(scale), acc[i]);
      }
    }
    for (size_t i = 0; i < MR; ++i)
      p.y[(m0 + i) * p.y_stride + n] = horizontal_sum(acc[i]) + bias_of(p, n);
  }

  static void gemv(const GemmArgs& p, size_t n) { tile<1, 1>(p, 0, n); }
};

}  // namespace

void grf_qd8_qs4w_gemm_ukernel__avx512vnni(const GemmArgs& p, size_t n_begin, size_t n_end) {
  TiledGemm<Qs4Avx512Vnni, 4, 1>::run(p, n_begin, n_end);
}

}  // namespace griffin
