// The peak loops of griffin-bench --roofline, one per (ISA, instruction sequence), each in a
// file compiled with that ISA's flags (examples/CMakeLists.txt). Every loop runs independent
// accumulator chains so that throughput, not latency, bounds it, and reports the
// multiply-accumulates it did. The SIMD loops are written in assembly, nothing in them but the
// chains and the counter: GCC's loops from intrinsics copied accumulators between registers, and
// their rate then hung on the build (peak_loops_avx512.cpp).
//
// So that a test can check each count against what the loop computed, every loop starts its
// accumulators at zero and ends by adding up all their lanes: each integer multiply-accumulate
// adds 3 · -5 (lane_sum = -15 · macs), each f32 one 2^-20 (acc · 1 + 2^-20, or acc + 2^-10 ·
// 2^-10; exact while a lane stays below 16, so lane_sum = macs · 2^-20 for short runs).
#pragma once

#include <cstdint>

namespace griffin_tools {

struct PeakRun {
  uint64_t macs = 0;
  double lane_sum = 0.0;  // the sum of every accumulator lane at the end
};

constexpr double kPeakIntegerProduct = -15.0;     // 3 · -5, per integer multiply-accumulate
constexpr double kPeakF32Step = 1.0 / (1 << 20);  // 2^-20, per f32 multiply-accumulate

PeakRun peak_f32_scalar(uint64_t iterations);
PeakRun peak_int8_scalar(uint64_t iterations);
#if defined(__x86_64__)
PeakRun peak_f32_avx2(uint64_t iterations);    // vfmadd213ps ymm: 8 MACs
PeakRun peak_int8_avx2(uint64_t iterations);   // vpmaddubsw + vpmaddwd + vpaddd ymm: 32 MACs
PeakRun peak_int4_avx2(uint64_t iterations);   // 8 × (vpmaddubsw + vpaddw), vpmaddwd + vpaddd: 256
PeakRun peak_f32_avx512(uint64_t iterations);  // vfmadd213ps zmm: 16 MACs
PeakRun peak_int8_vnni(uint64_t iterations);   // vpdpbusd zmm: 64 MACs
PeakRun peak_int16_avx2(uint64_t iterations);  // vpmaddwd + vpaddd ymm: 16 MACs
PeakRun peak_int16_vnni(uint64_t iterations);  // vpdpwssd zmm: 32 MACs
#endif
#if defined(__aarch64__)
PeakRun peak_f32_neon(uint64_t iterations);      // fmla .4s: 4 MACs
PeakRun peak_int8_neon(uint64_t iterations);     // smull + smlal2 + sadalp: 16 MACs
PeakRun peak_int8_neondot(uint64_t iterations);  // sdot .4s: 16 MACs
#endif

// The sum of `count` lanes stored by a loop.
double sum_lanes(const int32_t* lanes, int count);
double sum_lanes(const float* lanes, int count);

}  // namespace griffin_tools
