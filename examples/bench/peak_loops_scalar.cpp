// Peak loops of the scalar kernel variants (peak_loops.h): one f32 multiply-add, or one int32
// multiply-add of int8 values, per MAC. Plain C++: these measure what the compiler makes of the
// scalar kernels' own loops.
#include "examples/bench/peak_loops.h"

namespace griffin_tools {

namespace {
// Read once per call, so the compiler cannot fold the multiply by one away.
volatile float opaque_one = 1.0f;
}  // namespace

double sum_lanes(const int32_t* lanes, int count) {
  double total = 0.0;
  for (int i = 0; i < count; ++i) total += lanes[i];
  return total;
}

double sum_lanes(const float* lanes, int count) {
  double total = 0.0;
  for (int i = 0; i < count; ++i) total += lanes[i];
  return total;
}

PeakRun peak_f32_scalar(uint64_t iterations) {
  constexpr int kChains = 8;
  float acc[kChains] = {};
  const float scale = opaque_one, step = static_cast<float>(kPeakF32Step);
  for (uint64_t it = 0; it < iterations; ++it) {
    for (int i = 0; i < kChains; ++i) acc[i] = acc[i] * scale + step;
  }
  return {iterations * kChains, sum_lanes(acc, kChains)};
}

PeakRun peak_int8_scalar(uint64_t iterations) {
  constexpr int kChains = 8;
  int32_t acc[kChains] = {};
  int32_t w = 3;
  const int32_t a = -5;
  for (uint64_t it = 0; it < iterations; ++it) {
    for (int i = 0; i < kChains; ++i) {
      __asm__ volatile("" : "+r"(w));  // each chain's product is made anew
      acc[i] += w * a;
    }
  }
  return {iterations * kChains, sum_lanes(acc, kChains)};
}

}  // namespace griffin_tools
