// Kernel dispatch: each family's variants are listed once (<family>.inc, best first); the best
// variant the CPU supports is chosen once per model from cpuinfo, with scalar as the fallback
// and an option to force scalar for debugging. Tests and griffin-bench use the same lists.
#pragma once

#include <string>
#include <vector>

#include "runtime/src/kernels/gemm.h"

namespace griffin {

enum class Isa { kScalar, kAvx2, kAvx512f, kAvx512vnni, kNeon, kNeondot };

const char* isa_name(Isa isa);  // "scalar", "avx2", "avx512f", "avx512vnni", "neon", "neondot"
bool cpu_supports(Isa isa);

struct GemmVariant {
  Isa isa;
  GemmKernel kernel;
  const char* name;  // the function's name
};

const std::vector<GemmVariant>& bf16_gemm_variants();
const std::vector<GemmVariant>& qs8_gemm_variants();
const std::vector<GemmVariant>& qs4_gemm_variants();

struct KernelTable {
  GemmVariant bf16;
  GemmVariant qs8;
  GemmVariant qs4;
  QuantizeKernel quantize = nullptr;
  // "f32-bf16w-gemm: ...__avx512f, qd8-qs8w-gemm: ...__avx512vnni, ..."
  std::string describe() const;
};

KernelTable select_kernels(bool force_scalar);

}  // namespace griffin
