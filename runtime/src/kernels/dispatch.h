// Kernel dispatch: each family's variants are listed once (<family>.inc, best first); the best
// variant the CPU supports is chosen once per model from cpuinfo, with scalar as the fallback,
// an option to force scalar for debugging, and an optional ceiling on the ISA (GRIFFIN_MAX_ISA,
// read at model load) so that one machine can run and measure an older machine's kernels.
// Tests and griffin-bench use the same lists.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/src/kernels/f32-rglru/f32-rglru.h"
#include "runtime/src/kernels/f32-tanh/f32-tanh.h"
#include "runtime/src/kernels/gemm.h"

namespace griffin {

enum class Isa { kScalar, kAvx2, kAvx512f, kAvx512vnni, kNeon, kNeondot };

const char* isa_name(Isa isa);  // "scalar", "avx2", "avx512f", "avx512vnni", "neon", "neondot"
bool cpu_supports(Isa isa);

// "scalar", "avx2", ... as isa_name spells them, for the ISAs this build has kernels for (x86
// or aarch64); false for any other name.
bool parse_isa(std::string_view name, Isa* isa);
const char* isa_names_of_build();  // those names, for messages: "scalar, avx2, avx512f, avx512vnni"
// Whether a variant of `isa` may run under `ceiling`: scalar always; otherwise the same family
// (x86 or Arm) and not above it in the order of the enum.
bool isa_at_most(Isa isa, Isa ceiling);

struct GemmVariant {
  Isa isa;
  GemmKernel kernel;
  const char* name;  // the function's name
  // Null, or what the CPU must also be for select_kernels to pick this variant (a shape that
  // is faster on one vendor's cores and slower on another's, with the same ISA). Tests run
  // every variant the CPU's ISAs allow, whatever this says.
  bool (*only_where)() = nullptr;
  // Null, or how this variant repacks weights at load (GemmArgs::w_packed, repack_weights).
  RepackKernel repack = nullptr;
};

// Whether the CPU's first core is an Intel one (cpuinfo; false when unknown).
bool cpu_is_intel();

const std::vector<GemmVariant>& bf16_gemm_variants();
const std::vector<GemmVariant>& f32_gemm_variants();      // f32-f32w
const std::vector<GemmVariant>& f32_qs8_gemm_variants();  // f32-qs8w
const std::vector<GemmVariant>& qs8_gemm_variants();      // qd8-qs8w
const std::vector<GemmVariant>& qs4_gemm_variants();

// What a GEMM variant's name says after its family: the ISA, then the shape where an ISA has
// several ("avx512vnni", "avx512vnni_eight_tokens"); the ISA's name if the name has no "__".
std::string gemm_variant_label(const GemmVariant& variant);

struct TanhVariant {
  Isa isa = Isa::kScalar;
  GeluGateKernel gelu_gate = nullptr;
  SoftCapKernel soft_cap = nullptr;
};

const std::vector<TanhVariant>& tanh_variants();  // f32-tanh: GELU gating and the soft cap

struct RglruVariant {
  Isa isa = Isa::kScalar;
  RglruScanKernel scan = nullptr;
};

const std::vector<RglruVariant>& rglru_variants();  // f32-rglru: the RG-LRU scan

struct KernelTable {
  GemmVariant f32;  // f32 weights prepared at load (the RG-LRU gate blocks)
  GemmVariant bf16;
  GemmVariant f32_qs8;  // int8 weights, f32 activations (the default)
  GemmVariant qs8;      // int8 weights, activations quantized to int8 (opt-in: int8 dot products)
  GemmVariant qs4;
  TanhVariant tanh;
  RglruVariant rglru;
  QuantizeKernel quantize = nullptr;
  bool int8_activations = false;  // int8 weights run qs8 instead of f32_qs8
  // The qd8 families' activations take one scale per token, not per group of 32 (quantize is a
  // _token variant; GemmArgs::aq_token_scales): faster prefill, an accuracy trade.
  bool token_activation_scales = false;
  // Their groups' scales are powers of two (quantize is a _pow2 variant;
  // GemmArgs::aq_power_of_two_scales): faster AVX-512 VNNI prefill, a smaller accuracy trade.
  bool power_of_two_activation_scales = false;
  // The families in use and each GEMM's variant (gemm_variant_label): "f32-bf16w-gemm
  // avx512f_lone_rows, f32-qs8w-gemm avx512vnni, ..., f32-tanh avx2, f32-rglru avx2"
  std::string describe() const;
};

// `max_isa`: no variant above it (isa_at_most), where the CPU would allow more.
KernelTable select_kernels(bool force_scalar, bool int8_activations = false,
                           bool token_activation_scales = false,
                           bool power_of_two_activation_scales = false,
                           std::optional<Isa> max_isa = std::nullopt);

}  // namespace griffin
