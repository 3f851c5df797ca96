// int8 activations × int4 weights with the dot-product extension: two sdot per group.
// Shape: qd8-qs4w-neon-tile.h.
#include <arm_neon.h>

#include "runtime/src/kernels/qd8-qs4w-gemm/qd8-qs4w-neon-tile.h"
#include "runtime/src/kernels/tiling.h"

namespace griffin {
namespace {

struct SdotDot {
  static int32x4_t dot(int8x16_t a0, int8x16_t a1, int8x16_t w0, int8x16_t w1) {
    return vdotq_s32(vdotq_s32(vdupq_n_s32(0), a0, w0), a1, w1);
  }
};

}  // namespace

void grf_qd8_qs4w_gemm_ukernel__neondot(const GemmArgs& p, size_t n_begin, size_t n_end) {
  TiledGemm<Qs4NeonTile<SdotDot>, 4, 1>::run(p, n_begin, n_end);
}

}  // namespace griffin
