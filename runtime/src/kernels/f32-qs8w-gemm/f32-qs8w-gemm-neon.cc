// f32 × int8 weights (f32 scale per row) with NEON (every aarch64 CPU): 8 weights widened
// (s8 -> s16 -> s32 -> f32) per step, four FMA accumulators per token. Prefill tiles cover up to
// 4 tokens of one row (tiling.h), so each widened weight serves 4 tokens; a token's sum is the
// same in every tile and in the GEMV, so chunked prefill equals decode.
#include <arm_neon.h>

#include "runtime/src/kernels/gemm.h"
#include "runtime/src/kernels/tiling.h"
#include "runtime/src/kernels/weight-rows.h"

namespace griffin {
namespace {

inline void widen8(const int8_t* w, float32x4_t* low, float32x4_t* high) {
  const int16x8_t w16 = vmovl_s8(vld1_s8(w));
  *low = vcvtq_f32_s32(vmovl_s16(vget_low_s16(w16)));
  *high = vcvtq_f32_s32(vmovl_s16(vget_high_s16(w16)));
}

struct Qs8Neon {
  template <size_t MR, size_t NR>
  static void tile(const GemmArgs& p, size_t m0, size_t n) {
    static_assert(NR == 1, "NEON tiles cover one row");
    const int8_t* w = weight_row<int8_t>(p, n);
    const float* a[MR];
    float32x4_t acc[MR][4];
    for (size_t i = 0; i < MR; ++i) {
      a[i] = p.a + (m0 + i) * p.a_stride;
      for (size_t u = 0; u < 4; ++u) acc[i][u] = vdupq_n_f32(0.0f);
    }
    size_t k = 0;
    float32x4_t w_low, w_high;
    for (; k + 16 <= p.k; k += 16) {
      for (size_t half = 0; half < 2; ++half) {
        widen8(w + k + 8 * half, &w_low, &w_high);
        for (size_t i = 0; i < MR; ++i) {
          const float* x = a[i] + k + 8 * half;
          acc[i][2 * half] = vfmaq_f32(acc[i][2 * half], vld1q_f32(x), w_low);
          acc[i][2 * half + 1] = vfmaq_f32(acc[i][2 * half + 1], vld1q_f32(x + 4), w_high);
        }
      }
    }
    for (; k + 8 <= p.k; k += 8) {
      widen8(w + k, &w_low, &w_high);
      for (size_t i = 0; i < MR; ++i) {
        acc[i][0] = vfmaq_f32(acc[i][0], vld1q_f32(a[i] + k), w_low);
        acc[i][1] = vfmaq_f32(acc[i][1], vld1q_f32(a[i] + k + 4), w_high);
      }
    }
    const float scale = weight_row_scale(p, n);
    for (size_t i = 0; i < MR; ++i) {
      const float32x4_t total =
          vaddq_f32(vaddq_f32(acc[i][0], acc[i][1]), vaddq_f32(acc[i][2], acc[i][3]));
      float sum = vaddvq_f32(total);
      for (size_t j = k; j < p.k; ++j) sum += a[i][j] * static_cast<float>(w[j]);
      p.y[(m0 + i) * p.y_stride + n] = sum * scale + bias_of(p, n);
    }
  }

  static void gemv(const GemmArgs& p, size_t n) { tile<1, 1>(p, 0, n); }
};

}  // namespace

void grf_f32_qs8w_gemm_ukernel__neon(const GemmArgs& p, size_t n_begin, size_t n_end) {
  TiledGemm<Qs8Neon, 4, 1>::run(p, n_begin, n_end);
}

}  // namespace griffin
