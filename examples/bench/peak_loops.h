// The peak loops of griffin-bench --roofline, one per (ISA, instruction sequence), each in a
// file compiled with that ISA's flags (examples/CMakeLists.txt). Every loop runs independent
// accumulator chains so that throughput, not latency, bounds it, and returns the
// multiply-accumulates it did.
#pragma once

#include <cstdint>

namespace griffin_tools {

uint64_t peak_f32_scalar(uint64_t iterations);
uint64_t peak_int8_scalar(uint64_t iterations);
#if defined(__x86_64__)
uint64_t peak_f32_avx2(uint64_t iterations);    // vfmadd231ps ymm: 8 MACs
uint64_t peak_int8_avx2(uint64_t iterations);   // vpmaddubsw + vpmaddwd + vpaddd ymm: 32 MACs
uint64_t peak_f32_avx512(uint64_t iterations);  // vfmadd231ps zmm: 16 MACs
uint64_t peak_int8_vnni(uint64_t iterations);   // vpdpbusd zmm: 64 MACs
uint64_t peak_int16_avx2(uint64_t iterations);  // vpmaddwd + vpaddd ymm: 16 MACs
uint64_t peak_int16_vnni(uint64_t iterations);  // vpdpwssd zmm: 32 MACs
#endif
#if defined(__aarch64__)
uint64_t peak_f32_neon(uint64_t iterations);      // fmla .4s: 4 MACs
uint64_t peak_int8_neon(uint64_t iterations);     // smull + smlal + sadalp: 16 MACs
uint64_t peak_int8_neondot(uint64_t iterations);  // sdot .4s: 16 MACs
#endif

}  // namespace griffin_tools
