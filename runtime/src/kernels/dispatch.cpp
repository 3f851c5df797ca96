// Kernel selection from cpuinfo (see dispatch.h).
#include "runtime/src/kernels/dispatch.h"

#include <cpuinfo.h>

#include <mutex>

#include "runtime/src/kernels/ops.h"

namespace griffin {

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::kScalar:
      return "scalar";
    case Isa::kAvx2:
      return "avx2";
    case Isa::kAvx512f:
      return "avx512f";
    case Isa::kAvx512vnni:
      return "avx512vnni";
    case Isa::kNeon:
      return "neon";
    case Isa::kNeondot:
      return "neondot";
  }
  return "unknown";
}

bool cpu_supports(Isa isa) {
  static std::once_flag once;
  static bool initialized = false;
  std::call_once(once, [] { initialized = cpuinfo_initialize(); });
  if (isa == Isa::kScalar) return true;
  if (!initialized) return false;
  switch (isa) {
#if defined(__x86_64__)
    case Isa::kAvx2:
      return cpuinfo_has_x86_avx2() && cpuinfo_has_x86_fma3() && cpuinfo_has_x86_f16c();
    case Isa::kAvx512f:
      return cpuinfo_has_x86_avx512f() && cpu_supports(Isa::kAvx2);
    case Isa::kAvx512vnni:
      return cpuinfo_has_x86_avx512vnni() && cpuinfo_has_x86_avx512vl() &&
             cpuinfo_has_x86_avx512bw() && cpu_supports(Isa::kAvx2);
#endif
#if defined(__aarch64__)
    case Isa::kNeon:
      return cpuinfo_has_arm_neon();
    case Isa::kNeondot:
      return cpuinfo_has_arm_neon_dot();
#endif
    default:
      return false;
  }
}

bool cpu_is_intel() {
  if (!cpu_supports(Isa::kScalar) || cpuinfo_get_cores_count() == 0) return false;
  return cpuinfo_get_core(0)->vendor == cpuinfo_vendor_intel;
}

namespace {

#if defined(__x86_64__)
constexpr Isa kBuildIsas[] = {Isa::kScalar, Isa::kAvx2, Isa::kAvx512f, Isa::kAvx512vnni};
#elif defined(__aarch64__)
constexpr Isa kBuildIsas[] = {Isa::kScalar, Isa::kNeon, Isa::kNeondot};
#else
constexpr Isa kBuildIsas[] = {Isa::kScalar};
#endif

}  // namespace

bool parse_isa(std::string_view name, Isa* isa) {
  for (Isa candidate : kBuildIsas) {
    if (name == isa_name(candidate)) {
      *isa = candidate;
      return true;
    }
  }
  return false;
}

const char* isa_names_of_build() {
  static const std::string names = [] {
    std::string joined;
    for (Isa isa : kBuildIsas) joined += std::string(joined.empty() ? "" : ", ") + isa_name(isa);
    return joined;
  }();
  return names.c_str();
}

bool isa_at_most(Isa isa, Isa ceiling) {
  if (isa == Isa::kScalar) return true;
  const auto arm = [](Isa x) { return x == Isa::kNeon || x == Isa::kNeondot; };
  if (ceiling == Isa::kScalar || arm(isa) != arm(ceiling)) return false;
  return static_cast<int>(isa) <= static_cast<int>(ceiling);
}

#define GRF_UKERNEL(isa, fn) {Isa::isa, fn, #fn},
#define GRF_UKERNEL_WHERE(isa, fn, where) {Isa::isa, fn, #fn, where},

const std::vector<GemmVariant>& bf16_gemm_variants() {
  static const std::vector<GemmVariant> variants = {
#include "runtime/src/kernels/f32-bf16w-gemm/f32-bf16w-gemm.inc"
  };
  return variants;
}

const std::vector<GemmVariant>& f32_gemm_variants() {
  static const std::vector<GemmVariant> variants = {
#include "runtime/src/kernels/f32-f32w-gemm/f32-f32w-gemm.inc"
  };
  return variants;
}

const std::vector<GemmVariant>& f32_qs8_gemm_variants() {
  static const std::vector<GemmVariant> variants = {
#include "runtime/src/kernels/f32-qs8w-gemm/f32-qs8w-gemm.inc"
  };
  return variants;
}

namespace {

// The variants of a family that read rows repacked at load (repack_weights): those of one ISA,
// all reading the layout one function repacks (none off x86).
struct RepackedVariant {
  Isa isa = Isa::kScalar;
  RepackKernel repack = nullptr;
};
#if defined(__x86_64__)
constexpr RepackedVariant kQs8Repacked{Isa::kAvx512vnni, grf_qd8_qs8w_repack__avx512vnni};
constexpr RepackedVariant kQs4Repacked{Isa::kAvx512vnni, grf_qd8_qs4w_repack__avx512vnni};
#else
constexpr RepackedVariant kQs8Repacked, kQs4Repacked;
#endif

std::vector<GemmVariant> with_repack(std::vector<GemmVariant> list, RepackedVariant repacked) {
  for (GemmVariant& variant : list) {
    if (repacked.repack != nullptr && variant.isa == repacked.isa) {
      variant.repack = repacked.repack;
    }
  }
  return list;
}

}  // namespace

const std::vector<GemmVariant>& qs8_gemm_variants() {
  static const std::vector<GemmVariant> variants = with_repack(
      {
#include "runtime/src/kernels/qd8-qs8w-gemm/qd8-qs8w-gemm.inc"
      },
      kQs8Repacked);
  return variants;
}

const std::vector<GemmVariant>& qs4_gemm_variants() {
  static const std::vector<GemmVariant> variants = with_repack(
      {
#include "runtime/src/kernels/qd8-qs4w-gemm/qd8-qs4w-gemm.inc"
      },
      kQs4Repacked);
  return variants;
}

#undef GRF_UKERNEL
#undef GRF_UKERNEL_WHERE

#define GRF_TANH(isa, gelu_gate, soft_cap) {Isa::isa, gelu_gate, soft_cap},

const std::vector<TanhVariant>& tanh_variants() {
  static const std::vector<TanhVariant> variants = {
#include "runtime/src/kernels/f32-tanh/f32-tanh.inc"
  };
  return variants;
}

#undef GRF_TANH

#define GRF_RGLRU(isa, scan) {Isa::isa, scan},

const std::vector<RglruVariant>& rglru_variants() {
  static const std::vector<RglruVariant> variants = {
#include "runtime/src/kernels/f32-rglru/f32-rglru.inc"
  };
  return variants;
}

#undef GRF_RGLRU

namespace {

// Whether kernels of `isa` may run: the CPU has it, and it is within the ceiling if there is one.
bool usable(Isa isa, bool force_scalar, std::optional<Isa> max_isa) {
  if (force_scalar) return isa == Isa::kScalar;
  return cpu_supports(isa) && (!max_isa || isa_at_most(isa, *max_isa));
}

// A GemmVariant's further condition (GemmVariant::only_where); the other kinds have none.
bool where_holds(const GemmVariant& variant) {
  return variant.only_where == nullptr || variant.only_where();
}
template <typename Variant>
bool where_holds(const Variant&) {
  return true;
}

template <typename Variant>  // GemmVariant, TanhVariant, RglruVariant
Variant best(const std::vector<Variant>& variants, bool force_scalar, std::optional<Isa> max_isa) {
  for (const Variant& variant : variants) {
    if (usable(variant.isa, force_scalar, max_isa) && where_holds(variant)) return variant;
  }
  return variants.back();  // scalar is always listed last
}

}  // namespace

KernelTable select_kernels(bool force_scalar, bool int8_activations, bool token_activation_scales,
                           bool power_of_two_activation_scales, std::optional<Isa> max_isa) {
  KernelTable table;
  table.f32 = best(f32_gemm_variants(), force_scalar, max_isa);
  table.bf16 = best(bf16_gemm_variants(), force_scalar, max_isa);
  table.f32_qs8 = best(f32_qs8_gemm_variants(), force_scalar, max_isa);
  table.qs8 = best(qs8_gemm_variants(), force_scalar, max_isa);
  table.qs4 = best(qs4_gemm_variants(), force_scalar, max_isa);
  table.tanh = best(tanh_variants(), force_scalar, max_isa);
  table.rglru = best(rglru_variants(), force_scalar, max_isa);
  power_of_two_activation_scales = power_of_two_activation_scales && !token_activation_scales;
  table.quantize = token_activation_scales          ? grf_f32_qd8_quantize_token_ukernel__scalar
                   : power_of_two_activation_scales ? grf_f32_qd8_quantize_pow2_ukernel__scalar
                                                    : grf_f32_qd8_quantize_ukernel__scalar;
#if defined(__x86_64__)
  if (usable(Isa::kAvx2, force_scalar, max_isa)) {
    table.quantize = token_activation_scales          ? grf_f32_qd8_quantize_token_ukernel__avx2
                     : power_of_two_activation_scales ? grf_f32_qd8_quantize_pow2_ukernel__avx2
                                                      : grf_f32_qd8_quantize_ukernel__avx2;
  }
#endif
  table.int8_activations = int8_activations;
  table.token_activation_scales = token_activation_scales;
  table.power_of_two_activation_scales = power_of_two_activation_scales;
  return table;
}

std::string gemm_variant_label(const GemmVariant& variant) {
  const std::string_view name = variant.name != nullptr ? variant.name : "";
  const size_t split = name.rfind("__");
  if (split == std::string_view::npos || split + 2 == name.size()) return isa_name(variant.isa);
  return std::string(name.substr(split + 2));
}

std::string KernelTable::describe() const {
  const std::string int8 = int8_activations
                               ? std::string("qd8-qs8w-gemm ") + gemm_variant_label(qs8)
                               : std::string("f32-qs8w-gemm ") + gemm_variant_label(f32_qs8);
  return std::string("f32-bf16w-gemm ") + gemm_variant_label(bf16) + ", " + int8 +
         ", qd8-qs4w-gemm " + gemm_variant_label(qs4) + ", f32-f32w-gemm " +
         gemm_variant_label(f32) + ", f32-tanh " + isa_name(tanh.isa) + ", f32-rglru " +
         isa_name(rglru.isa) + (token_activation_scales ? ", per-token activation scales" : "") +
         (power_of_two_activation_scales ? ", power-of-two activation scales" : "");
}

}  // namespace griffin
