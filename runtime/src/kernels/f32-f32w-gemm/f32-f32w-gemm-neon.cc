// f32 × f32 weights ([K, N] rows) with NEON (every aarch64 core): prefill tiles of 4 tokens ×
// 16 outputs (16 accumulators), a lone token 64 outputs at a time (f32-f32w-columns.h).
// vfmaq_f32 is fused, so the bits are the scalar definition's.
#include <arm_neon.h>

#include "runtime/src/kernels/f32-f32w-gemm/f32-f32w-columns.h"

namespace griffin {
namespace {

struct NeonColumns {
  using Vector = float32x4_t;
  static constexpr size_t kLanes = 4;
  static constexpr size_t kTokens = 4;
  static constexpr size_t kVectors = 4;
  static constexpr size_t kLoneVectors = 16;
  static Vector zero() { return vdupq_n_f32(0.0f); }
  static Vector load(const float* x) { return vld1q_f32(x); }
  static void store(float* x, Vector v) { vst1q_f32(x, v); }
  static Vector splat(float x) { return vdupq_n_f32(x); }
  static Vector fma(Vector a, Vector w, Vector acc) { return vfmaq_f32(acc, a, w); }
  static Vector add(Vector x, Vector y) { return vaddq_f32(x, y); }
};

}  // namespace

void grf_f32_f32w_gemm_ukernel__neon(const GemmArgs& p, size_t n_begin, size_t n_end) {
  ColumnGemm<NeonColumns>::run(p, n_begin, n_end);
}

}  // namespace griffin
