// griffin-bench --roofline's peak loops (examples/bench/peak_loops.h) do the multiply-adds they
// count: each loop's accumulators, added up, hold exactly what that many multiply-adds of its
// constants make (-15 each for the integer sequences, 2^-20 each for f32). A loop whose chains,
// passes or width disagree with its count reads a roof that is too high or too low by that much.
#include <sys/auxv.h>

#include <catch2/catch.hpp>
#include <initializer_list>
#include <string>
#include <vector>

#include "examples/bench/peak_loops.h"

namespace {

using griffin_tools::PeakRun;

struct Loop {
  std::string name;
  PeakRun (*run)(uint64_t);
  bool integer;
  uint64_t macs_per_pass;  // chains × multiply-adds per instruction sequence
};

std::vector<Loop> loops_this_cpu_runs() {
  using namespace griffin_tools;
  std::vector<Loop> loops = {{"f32 scalar", peak_f32_scalar, false, 8},
                             {"int8 scalar", peak_int8_scalar, true, 8}};
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    loops.push_back({"f32 avx2", peak_f32_avx2, false, 12 * 8});
    loops.push_back({"int8 avx2", peak_int8_avx2, true, 6 * 32});
    loops.push_back({"int4 avx2", peak_int4_avx2, true, 6 * 256});
    loops.push_back({"int16 avx2", peak_int16_avx2, true, 6 * 16});
  }
  if (__builtin_cpu_supports("avx512f")) {
    loops.push_back({"f32 avx512", peak_f32_avx512, false, 16 * 16});
  }
  if (__builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl")) {
    loops.push_back({"int8 vnni", peak_int8_vnni, true, 16 * 64});
    loops.push_back({"int16 vnni", peak_int16_vnni, true, 16 * 32});
  }
#endif
#if defined(__aarch64__)
  loops.push_back({"f32 neon", peak_f32_neon, false, 16 * 4});
  loops.push_back({"int8 neon", peak_int8_neon, true, 8 * 16});
  constexpr unsigned long kDotProduct = 1ul << 20;  // HWCAP_ASIMDDP
  if (getauxval(AT_HWCAP) & kDotProduct) {
    loops.push_back({"int8 neondot", peak_int8_neondot, true, 16 * 16});
  }
#endif
  return loops;
}

}  // namespace

TEST_CASE("Each peak loop of griffin-bench --roofline does the multiply-adds it counts",
          "[roofline]") {
  for (const Loop& loop : loops_this_cpu_runs()) {
    // Up to 1,000 passes every f32 lane stays below 16, where adding 2^-20 is exact.
    for (uint64_t passes : {0, 1, 3, 1000}) {
      INFO(loop.name << ", " << passes << " passes");
      const PeakRun run = loop.run(passes);
      CHECK(run.macs == passes * loop.macs_per_pass);
      const double each =
          loop.integer ? griffin_tools::kPeakIntegerProduct : griffin_tools::kPeakF32Step;
      CHECK(run.lane_sum == each * static_cast<double>(passes * loop.macs_per_pass));
    }
  }
}
