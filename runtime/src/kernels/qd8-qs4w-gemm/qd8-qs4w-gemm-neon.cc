// int8 activations × int4 weights with plain NEON: vmull/vmlal into 16-bit lanes (two products
// of |x| <= 127 fit), then pairwise widening adds. Shape: qd8-qs4w-neon-tile.h.
#include <arm_neon.h>

#include "runtime/src/kernels/qd8-qs4w-gemm/qd8-qs4w-neon-tile.h"
#include "runtime/src/kernels/tiling.h"

namespace griffin {
namespace {

struct MullDot {
  static int32x4_t dot(int8x16_t a0, int8x16_t a1, int8x16_t w0, int8x16_t w1) {
    int16x8_t p0 = vmull_s8(vget_low_s8(a0), vget_low_s8(w0));
    p0 = vmlal_s8(p0, vget_high_s8(a0), vget_high_s8(w0));
    int16x8_t p1 = vmull_s8(vget_low_s8(a1), vget_low_s8(w1));
    p1 = vmlal_s8(p1, vget_high_s8(a1), vget_high_s8(w1));
    return vpadalq_s16(vpaddlq_s16(p0), p1);
  }
};

}  // namespace

void grf_qd8_qs4w_gemm_ukernel__neon(const GemmArgs& p, size_t n_begin, size_t n_end) {
  TiledGemm<Qs4NeonTile<MullDot>, 4, 1>::run(p, n_begin, n_end);
}

}  // namespace griffin
