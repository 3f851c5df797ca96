// Peak loop on the Armv8.2 dot-product extension (peak_loops.h), in assembly as the others: sdot,
// as the neondot integer kernels run it, on 16 chains v0-v15.
#include <arm_neon.h>

#include <cstdint>

#include "examples/bench/peak_loops.h"

namespace griffin_tools {

PeakRun peak_int8_neondot(uint64_t iterations) {
  constexpr int kChains = 16;
  const int8x16_t w = vdupq_n_s8(3), a = vdupq_n_s8(-5);
  int32_t lanes[kChains * 4];
  uint64_t left = iterations;
  __asm__ volatile(
      "mov v16.16b, %[wv].16b\n\t"
      "mov v17.16b, %[av].16b\n\t"
      ".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"
      "movi v\\r\\().4s, #0\n\t"
      ".endr\n\t"
      "cbz %[left], 2f\n\t"
      ".p2align 6\n"
      "1:\n\t"
      ".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"
      "sdot v\\r\\().4s, v16.16b, v17.16b\n\t"
      ".endr\n\t"
      "subs %[left], %[left], #1\n\t"
      "b.ne 1b\n"
      "2:\n\t"
      ".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"
      "str q\\r, [%[dst], #16*\\r]\n\t"
      ".endr"
      : [left] "+r"(left)
      : [dst] "r"(lanes), [wv] "w"(w), [av] "w"(a)
      : "cc", "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11",
        "v12", "v13", "v14", "v15", "v16", "v17");
  return {iterations * kChains * 16, sum_lanes(lanes, kChains * 4)};
}

}  // namespace griffin_tools
