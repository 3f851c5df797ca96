// Peak loops of the scalar kernel variants (peak_loops.h): one f32 multiply-add, or one int32
// multiply-add of int8 values, per MAC.
#include "examples/bench/peak_loops.h"

namespace griffin_tools {

namespace {
volatile int sink;
}

uint64_t peak_f32_scalar(uint64_t iterations) {
  constexpr int kChains = 8;
  float acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = 1e-3f * static_cast<float>(i);
  const float scale = 0.999f;
  for (uint64_t it = 0; it < iterations; ++it) {
    for (int i = 0; i < kChains; ++i) acc[i] = acc[i] * scale + 1e-3f;
  }
  float total = 0.0f;
  for (float value : acc) total += value;
  sink = total > 0.0f;
  return iterations * kChains;
}

uint64_t peak_int8_scalar(uint64_t iterations) {
  constexpr int kChains = 8;
  int32_t acc[kChains] = {};
  int32_t w = 3;
  for (uint64_t it = 0; it < iterations; ++it) {
    __asm__ volatile("" : "+r"(w));  // the products cannot be hoisted out of the loop
    for (int i = 0; i < kChains; ++i) acc[i] += w * static_cast<int8_t>(i - 5);
  }
  int32_t total = 0;
  for (int32_t value : acc) total += value;
  sink = total;
  return iterations * kChains;
}

}  // namespace griffin_tools
