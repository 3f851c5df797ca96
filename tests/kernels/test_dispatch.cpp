// Kernel dispatch is visible and checked: the chosen variant of each family is the best one the
// CPU supports, and when GRIFFIN_EXPECT_KERNELS names an ISA (the aarch64 runner sets "neon" on
// an emulated Cortex-A72 and "neondot" on a Cortex-A76) the selection must be exactly that, so
// a silent fall-back to scalar code fails the run.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "runtime/src/kernels/dispatch.h"

using namespace griffin;

namespace {

Isa best_supported(const std::vector<GemmVariant>& variants) {
  for (const GemmVariant& variant : variants) {
    if (cpu_supports(variant.isa)) return variant.isa;
  }
  return Isa::kScalar;
}

#if defined(__x86_64__)
// The vendor as Linux reports it ("GenuineIntel", "AuthenticAMD"), read without cpuinfo: the
// first vendor_id line of /proc/cpuinfo; empty where there is none (no procfs).
std::string proc_cpuinfo_vendor() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("vendor_id", 0) != 0) continue;
    const size_t colon = line.find(':');
    if (colon == std::string::npos) return "";
    const size_t begin = line.find_first_not_of(' ', colon + 1);
    return begin == std::string::npos ? "" : line.substr(begin);
  }
  return "";
}
#endif

}  // namespace

TEST_CASE("Dispatch picks the best supported variant of every family", "[dispatch]") {
  const KernelTable table = select_kernels(false);
  CHECK(table.bf16.isa == best_supported(bf16_gemm_variants()));
  CHECK(table.f32_qs8.isa == best_supported(f32_qs8_gemm_variants()));
  CHECK(table.qs8.isa == best_supported(qs8_gemm_variants()));
  CHECK(table.qs4.isa == best_supported(qs4_gemm_variants()));
  for (const TanhVariant& variant : tanh_variants()) {
    if (cpu_supports(variant.isa)) {
      CHECK(table.tanh.isa == variant.isa);
      CHECK(table.tanh.gelu_gate == variant.gelu_gate);
      CHECK(table.tanh.soft_cap == variant.soft_cap);
      break;
    }
  }
  CHECK(table.tanh.gelu_gate != nullptr);
  CHECK(table.tanh.soft_cap != nullptr);
  for (const RglruVariant& variant : rglru_variants()) {
    if (cpu_supports(variant.isa)) {
      CHECK(table.rglru.isa == variant.isa);
      CHECK(table.rglru.scan == variant.scan);
      break;
    }
  }
  CHECK(table.rglru.scan != nullptr);
  WARN("selected: " << table.describe());
  const KernelTable scalar = select_kernels(true);
  CHECK(scalar.bf16.isa == Isa::kScalar);
  CHECK(scalar.f32_qs8.isa == Isa::kScalar);
  CHECK(scalar.qs8.isa == Isa::kScalar);
  CHECK(scalar.qs4.isa == Isa::kScalar);
  CHECK(scalar.tanh.isa == Isa::kScalar);
  CHECK(scalar.tanh.gelu_gate != nullptr);
  CHECK(scalar.rglru.isa == Isa::kScalar);
  CHECK(scalar.rglru.scan != nullptr);
#if defined(__x86_64__) || defined(__aarch64__)
  // Every CPU these builds target has at least the baseline SIMD variant (AVX2 on the x86
  // machines we support, NEON on every aarch64 core): scalar must not be chosen.
  CHECK(table.f32_qs8.isa != Isa::kScalar);
  CHECK(table.qs8.isa != Isa::kScalar);
#endif
#if defined(__x86_64__)
  // glibc's vector tanhf: its AVX-512 variant where the CPU has AVX-512F, else AVX2 and FMA.
  CHECK(table.tanh.isa == (cpu_supports(Isa::kAvx512f) ? Isa::kAvx512f : Isa::kAvx2));
  CHECK(select_kernels(false, false, false, false, Isa::kAvx2).tanh.isa == Isa::kAvx2);
  CHECK(table.rglru.isa == Isa::kAvx2);  // glibc's vector expf and expm1f
#endif
}

TEST_CASE("Dispatch matches GRIFFIN_EXPECT_KERNELS when it is set", "[dispatch]") {
  const char* expected = std::getenv("GRIFFIN_EXPECT_KERNELS");
  if (expected == nullptr || *expected == '\0') {
    WARN("GRIFFIN_EXPECT_KERNELS not set: nothing to compare");
    return;
  }
  const KernelTable table = select_kernels(false);
  const std::string want = expected;
  INFO("GRIFFIN_EXPECT_KERNELS=" << want << ", selected: " << table.describe());
  if (want == "neon") {
    CHECK(std::string(isa_name(table.bf16.isa)) == "neon");
    CHECK(std::string(isa_name(table.f32_qs8.isa)) == "neon");
    CHECK(std::string(isa_name(table.qs8.isa)) == "neon");
    CHECK(std::string(isa_name(table.qs4.isa)) == "neon");
  } else if (want == "neondot") {
    CHECK(std::string(isa_name(table.bf16.isa)) == "neon");
    CHECK(std::string(isa_name(table.f32_qs8.isa)) == "neon");
    CHECK(std::string(isa_name(table.qs8.isa)) == "neondot");
    CHECK(std::string(isa_name(table.qs4.isa)) == "neondot");
  } else {
    // An x86 ISA name: the integer families must use it.
    CHECK(std::string(isa_name(table.qs8.isa)) == want);
    CHECK(std::string(isa_name(table.qs4.isa)) == want);
  }
}

TEST_CASE("The int8 activation option switches the int8 family that describe() names",
          "[dispatch]") {
  const KernelTable weight_only = select_kernels(false);
  const KernelTable integer = select_kernels(false, true);
  CHECK_FALSE(weight_only.int8_activations);
  CHECK(integer.int8_activations);
  CHECK(weight_only.describe().find("f32-qs8w-gemm") != std::string::npos);
  CHECK(weight_only.describe().find("qd8-qs8w-gemm") == std::string::npos);
  CHECK(integer.describe().find("qd8-qs8w-gemm") != std::string::npos);
  CHECK(integer.describe().find("f32-qs8w-gemm") == std::string::npos);
}

TEST_CASE("A GEMM variant's label is its name after the family", "[dispatch]") {
  GemmVariant variant{Isa::kAvx512vnni, nullptr, "grf_qd8_qs4w_gemm_ukernel__avx512vnni"};
  CHECK(gemm_variant_label(variant) == "avx512vnni");
  variant.name = "grf_qd8_qs4w_gemm_ukernel__avx512vnni_eight_tokens";
  CHECK(gemm_variant_label(variant) == "avx512vnni_eight_tokens");
  // Names that do not follow the pattern fall back to the ISA.
  variant.name = "unnamed";
  CHECK(gemm_variant_label(variant) == "avx512vnni");
  variant.name = "trailing__";
  CHECK(gemm_variant_label(variant) == "avx512vnni");
  variant.name = nullptr;
  CHECK(gemm_variant_label(variant) == "avx512vnni");
  // Every listed variant's label starts with its ISA's name.
  for (const auto* list : {&bf16_gemm_variants(), &f32_gemm_variants(), &f32_qs8_gemm_variants(),
                           &qs8_gemm_variants(), &qs4_gemm_variants()}) {
    for (const GemmVariant& listed : *list) {
      INFO(listed.name);
      CHECK(gemm_variant_label(listed).rfind(isa_name(listed.isa), 0) == 0);
    }
  }
}

TEST_CASE("The bf16 decode and int4 prefill shapes follow the CPU's vendor on AVX-512",
          "[dispatch]") {
  const KernelTable table = select_kernels(false);
  const std::string chosen = table.bf16.name;
  INFO("f32-bf16w-gemm: " << chosen);
#if defined(__x86_64__)
  // Only on x86: under qemu-aarch64 /proc/cpuinfo can be the x86 host's.
  const std::string vendor = proc_cpuinfo_vendor();
  INFO("/proc/cpuinfo vendor_id: '" << vendor << "'");
  if (!vendor.empty()) CHECK(cpu_is_intel() == (vendor == "GenuineIntel"));
  if (cpu_supports(Isa::kAvx512f)) {
    // One row at a time with four chains on Intel, the two-chain GEMV elsewhere (the variants'
    // file says what each measured).
    CHECK(chosen == (cpu_is_intel() ? "grf_f32_bf16w_gemm_ukernel__avx512f_lone_rows"
                                    : "grf_f32_bf16w_gemm_ukernel__avx512f"));
  }
  if (cpu_supports(Isa::kAvx512vnni)) {
    // int4 prefill 8 tokens a pass in assembly on Intel, 6 through the intrinsics elsewhere.
    const std::string int4 = table.qs4.name;
    CHECK(int4 == (cpu_is_intel() ? "grf_qd8_qs4w_gemm_ukernel__avx512vnni_eight_tokens"
                                  : "grf_qd8_qs4w_gemm_ukernel__avx512vnni"));
    // griffin_model_kernels says which shape runs.
    const std::string described = table.describe();
    INFO("describe(): " << described);
    CHECK(described.find(cpu_is_intel() ? "qd8-qs4w-gemm avx512vnni_eight_tokens, "
                                        : "qd8-qs4w-gemm avx512vnni, ") != std::string::npos);
    CHECK(described.find(cpu_is_intel() ? "f32-bf16w-gemm avx512f_lone_rows, "
                                        : "f32-bf16w-gemm avx512f, ") != std::string::npos);
  }
  // Under an AVX2 ceiling the vendor does not matter.
  CHECK(std::string(select_kernels(false, false, false, false, Isa::kAvx2).bf16.name) ==
        (cpu_supports(Isa::kAvx2) ? "grf_f32_bf16w_gemm_ukernel__avx2"
                                  : "grf_f32_bf16w_gemm_ukernel__scalar"));
#endif
  // Every listed variant the CPU's ISAs allow is still run by the kernel tests, whatever its
  // condition: the lists hold both shapes of each (none off x86).
  const auto count_of = [](const std::vector<GemmVariant>& variants, Isa isa) {
    return std::count_if(variants.begin(), variants.end(),
                         [&](const GemmVariant& variant) { return variant.isa == isa; });
  };
#if defined(__x86_64__)
  constexpr std::ptrdiff_t kShapes = 2;
#else
  constexpr std::ptrdiff_t kShapes = 0;
#endif
  CHECK(count_of(bf16_gemm_variants(), Isa::kAvx512f) == kShapes);
  CHECK(count_of(qs4_gemm_variants(), Isa::kAvx512vnni) == kShapes);
}
