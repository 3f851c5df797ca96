// Multiply-accumulates per prompt token of a model, from its shape (griffin_model_info), for
// griffin-bench --roofline: every weight matrix once (docs/griffin-math.md §4-§7: q/k/v/o or
// linear_x/y/out, the RG-LRU gate blocks, the MLP), plus one unembedding per prefill. The
// attention scores and the conv taps (< 1 % at 2B shape and a few hundred tokens) are left out.
#pragma once

#include <cstdint>

#include "griffin/griffin.h"

namespace griffin_tools {

double prefill_macs_per_token(const griffin_model_info& info, int32_t prompt_tokens);

}  // namespace griffin_tools
