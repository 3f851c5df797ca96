// The flags that say how a griffin-* tool opens its model, added the same way by every tool so
// each means the same everywhere (they set griffin_model_options; docs/memory.md explains the
// residency ones).
#pragma once

#include <CLI/CLI.hpp>

#include "examples/common/cli_checks.h"
#include "examples/common/tool_common.h"

namespace griffin_tools {

inline void add_model_flags(CLI::App& app, ModelFlags& flags) {
  app.add_option("-t,--threads", flags.threads, "matrix threads; 0 = one per core")
      ->capture_default_str()
      ->check(non_negative());
  app.add_flag("--int8-activations", flags.int8_activations,
               "int8 weights: quantize activations to int8 too (less accurate; faster prefill only "
               "with int8 dot products, e.g. AVX-512 VNNI: on AVX2 alone the default is faster)");
  app.add_flag("--per-token-activation-scales", flags.per_token_activation_scales,
               "int4 weights (and int8 with --int8-activations): one scale per token for the int8 "
               "activations instead of one per 32 values (faster prefill with AVX-512 VNNI, "
               "slightly less accurate; docs/quantization.md)")
      ->excludes(app.add_flag("--power-of-two-activation-scales",
                              flags.power_of_two_activation_scales,
                              "int4 weights (and int8 with --int8-activations): each 32 values' "
                              "activation scale rounded up to a power of two (about the per-token "
                              "prefill speed with AVX-512 VNNI, at most twice the per-group "
                              "error; docs/quantization.md)"));
  app.add_flag("--prefault", flags.prefault, "read every weight page into RAM at open");
  app.add_flag("--lock-weights", flags.lock_weights,
               "mlock the weights so the OS cannot evict them (needs RLIMIT_MEMLOCK)");
  app.add_flag("--huge-pages", flags.huge_pages,
               "read the weights into private memory in 2 MB pages (Linux transparent huge "
               "pages): faster, costs the file's size in RAM");
  app.add_flag("--repack-weights", flags.repack_weights,
               "on AVX-512 VNNI: repack the int4 matrices, and the int8 ones with "
               "--int8-activations, at open into the kernel's blocks (faster prefill; costs their "
               "size in private memory, the mapped pages given back; docs/quantization.md)");
  app.add_flag("--sleep-between-steps", flags.sleep_between_steps,
               "after each prefill or decode step, the matrix threads sleep instead of spinning "
               "(for other work between steps on few cores; a wake-up per step)");
}

}  // namespace griffin_tools
