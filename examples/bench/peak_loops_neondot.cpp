// Peak loop on the Armv8.2 dot-product extension (peak_loops.h), in assembly as the others: sdot,
// as the neondot integer kernels run it, on 16 chains v0-v15.
#include <arm_neon.h>

#include <cstdint>

#include "examples/bench/peak_loops.h"
#include "examples/bench/peak_loops_neon.h"

namespace griffin_tools {

PeakRun peak_int8_neondot(uint64_t iterations) {
  constexpr int kChains = 16;
  const int8x16_t w = vdupq_n_s8(3), a = vdupq_n_s8(-5);
  int32_t lanes[kChains * 4];
  GRF_NEON_PEAK_LOOP("sdot v\\r\\().4s, v16.16b, v17.16b", iterations, w, a, lanes);
  return {iterations * kChains * 16, sum_lanes(lanes, kChains * 4)};
}

}  // namespace griffin_tools
