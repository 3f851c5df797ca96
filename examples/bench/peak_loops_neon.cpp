// Peak loops on plain NEON (peak_loops.h): the f32 FMA (fmla) of the neon variants and the
// int8 dot of the neon integer kernels (smull + smlal into 16-bit lanes, sadalp into 32-bit).
#include <arm_neon.h>

#include "examples/bench/peak_loops.h"

namespace griffin_tools {

namespace {
volatile int sink;
}

uint64_t peak_f32_neon(uint64_t iterations) {
  constexpr int kChains = 16;
  float32x4_t acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = vdupq_n_f32(1e-3f * static_cast<float>(i));
  const float32x4_t scale = vdupq_n_f32(0.999f), offset = vdupq_n_f32(1e-3f);
  for (uint64_t it = 0; it < iterations; ++it) {
    for (int i = 0; i < kChains; ++i) acc[i] = vfmaq_f32(offset, acc[i], scale);
  }
  float32x4_t total = acc[0];
  for (int i = 1; i < kChains; ++i) total = vaddq_f32(total, acc[i]);
  sink = vaddvq_f32(total) > 0.0f;
  return iterations * kChains * 4;
}

uint64_t peak_int8_neon(uint64_t iterations) {
  constexpr int kChains = 8;
  int32x4_t acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = vdupq_n_s32(0);
  int8x16_t w = vdupq_n_s8(3);
  const int8x16_t a = vdupq_n_s8(-5);
  for (uint64_t it = 0; it < iterations; ++it) {
    for (int i = 0; i < kChains; ++i) {
      __asm__ volatile("" : "+w"(w));  // the products cannot be hoisted or shared
      int16x8_t products = vmull_s8(vget_low_s8(a), vget_low_s8(w));
      products = vmlal_s8(products, vget_high_s8(a), vget_high_s8(w));
      acc[i] = vpadalq_s16(acc[i], products);
    }
  }
  int32x4_t total = acc[0];
  for (int i = 1; i < kChains; ++i) total = vaddq_s32(total, acc[i]);
  sink = vaddvq_s32(total);
  return iterations * kChains * 16;
}

}  // namespace griffin_tools
