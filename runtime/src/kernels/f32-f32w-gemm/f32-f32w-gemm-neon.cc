// f32 × f32 weights with NEON (every aarch64 core): 8 weights per step, two FMA accumulators
// per token. Prefill tiles cover up to 4 tokens of one row (tiling.h), so each weight load
// serves 4 tokens; a token's sum is the same in every tile and in the GEMV.
#include <arm_neon.h>

#include "runtime/src/kernels/gemm.h"
#include "runtime/src/kernels/tiling.h"
#include "runtime/src/kernels/weight-rows.h"

namespace griffin {
namespace {

struct F32Neon {
  template <size_t MR, size_t NR>
  static void tile(const GemmArgs& p, size_t m0, size_t n) {
    static_assert(NR == 1, "NEON tiles cover one row");
    const float* w = weight_row<float>(p, n);
    const float* a[MR];
    float32x4_t acc0[MR], acc1[MR];
    for (size_t i = 0; i < MR; ++i) {
      a[i] = p.a + (m0 + i) * p.a_stride;
      acc0[i] = vdupq_n_f32(0.0f);
      acc1[i] = vdupq_n_f32(0.0f);
    }
    size_t k = 0;
    for (; k + 8 <= p.k; k += 8) {
      const float32x4_t w_low = vld1q_f32(w + k);
      const float32x4_t w_high = vld1q_f32(w + k + 4);
      for (size_t i = 0; i < MR; ++i) {
        acc0[i] = vfmaq_f32(acc0[i], vld1q_f32(a[i] + k), w_low);
        acc1[i] = vfmaq_f32(acc1[i], vld1q_f32(a[i] + k + 4), w_high);
      }
    }
    for (size_t i = 0; i < MR; ++i) {
      float sum = vaddvq_f32(vaddq_f32(acc0[i], acc1[i]));
      for (size_t j = k; j < p.k; ++j) sum += a[i][j] * w[j];
      p.y[(m0 + i) * p.y_stride + n] = sum + bias_of(p, n);
    }
  }

  static void gemv(const GemmArgs& p, size_t n) { tile<1, 1>(p, 0, n); }
};

}  // namespace

void grf_f32_f32w_gemm_ukernel__neon(const GemmArgs& p, size_t n_begin, size_t n_end) {
  TiledGemm<F32Neon, 4, 1>::run(p, n_begin, n_end);
}

}  // namespace griffin
