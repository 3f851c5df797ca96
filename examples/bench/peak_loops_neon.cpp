// Peak loops on plain NEON (peak_loops.h), in assembly as the x86 ones: the f32 FMA (fmla) of
// the neon variants, and the int8 dot of the neon integer kernels (smull + smlal2 into 16-bit
// lanes, sadalp into 32-bit ones).
#include <arm_neon.h>

#include <cstdint>

#include "examples/bench/peak_loops.h"
#include "examples/bench/peak_loops_neon.h"

namespace griffin_tools {

PeakRun peak_f32_neon(uint64_t iterations) {
  // 16 chains: acc += 2^-10 · 2^-10 (fmla takes 4 cycles on a Cortex-A76 and 7 on an A72, two at
  // a time on both).
  constexpr int kChains = 16;
  const float32x4_t x = vdupq_n_f32(1.0f / 1024), y = vdupq_n_f32(1.0f / 1024);
  float lanes[kChains * 4];
  GRF_NEON_PEAK_LOOP("fmla v\\r\\().4s, v16.4s, v17.4s", iterations, x, y, lanes);
  return {iterations * kChains * 4, sum_lanes(lanes, kChains * 4)};
}

PeakRun peak_int8_neon(uint64_t iterations) {
  // Chain r: v2r = smull(w, a) on the low 8 bytes, += smlal2 on the high 8, then v(r) += the
  // pairs of v2r (sadalp). Only the sadalp chains, so 8 chains keep the multipliers busy.
  constexpr int kChains = 8;
  const int8x16_t w = vdupq_n_s8(3), a = vdupq_n_s8(-5);
  int32_t lanes[kChains * 4];
  uint64_t left = iterations;
  __asm__ volatile(
      "mov v16.16b, %[wv].16b\n\t"
      "mov v17.16b, %[av].16b\n\t"
      ".irp r,0,1,2,3,4,5,6,7\n\t"
      "movi v\\r\\().4s, #0\n\t"
      ".endr\n\t"
      "cbz %[left], 2f\n\t"
      ".p2align 6\n"
      "1:\n\t"
      ".irp r,0,1,2,3,4,5,6,7\n\t"
      "smull v2\\r\\().8h, v16.8b, v17.8b\n\t"
      "smlal2 v2\\r\\().8h, v16.16b, v17.16b\n\t"
      "sadalp v\\r\\().4s, v2\\r\\().8h\n\t"
      ".endr\n\t"
      "subs %[left], %[left], #1\n\t"
      "b.ne 1b\n"
      "2:\n\t"
      ".irp r,0,1,2,3,4,5,6,7\n\t"
      "str q\\r, [%[dst], #16*\\r]\n\t"
      ".endr"
      : [left] "+r"(left)
      : [dst] "r"(lanes), [wv] "w"(w), [av] "w"(a)
      : "cc", "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v16", "v17", "v20", "v21",
        "v22", "v23", "v24", "v25", "v26", "v27");
  return {iterations * kChains * 16, sum_lanes(lanes, kChains * 4)};
}

}  // namespace griffin_tools
