// Peak loop on the Armv8.2 dot-product extension (peak_loops.h): sdot, as the neondot integer
// kernels run it.
#include <arm_neon.h>

#include "examples/bench/peak_loops.h"

namespace griffin_tools {

namespace {
volatile int sink;
}

uint64_t peak_int8_neondot(uint64_t iterations) {
  constexpr int kChains = 12;
  int32x4_t acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = vdupq_n_s32(0);
  const int8x16_t w = vdupq_n_s8(3), a = vdupq_n_s8(-5);
  for (uint64_t it = 0; it < iterations; ++it) {
    for (int i = 0; i < kChains; ++i) acc[i] = vdotq_s32(acc[i], a, w);
  }
  int32x4_t total = acc[0];
  for (int i = 1; i < kChains; ++i) total = vaddq_s32(total, acc[i]);
  sink = vaddvq_s32(total);
  return iterations * kChains * 16;
}

}  // namespace griffin_tools
