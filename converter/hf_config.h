// Turns a Hugging Face RecurrentGemma config.json (plus the checkpoint's tensor shapes, which
// are the truth for KV heads and MLP width: docs/griffin-math.md §1) into a ModelConfig.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "format/file_header.h"

namespace griffin {

// Returns the shape of a checkpoint tensor, or an empty vector when it is absent.
using ShapeLookup = std::function<std::vector<int64_t>(const std::string& name)>;

struct HfModelSettings {
  ModelConfig config;
  int32_t bos_id = 2;
  int32_t eos_id = 1;
  int32_t pad_id = 0;
};

// Block type strings: "recurrent", "attention" (local, HF's only attention), and our extension
// "global_attention" for the paper's MQA-Transformer layers ("local_attention" is accepted as an
// alias of "attention"). The list in `block_types` (or `_block_types`) cycles over the layers.
Result<HfModelSettings> parse_hf_config(const nlohmann::json& json, const ShapeLookup& shapes);

// The inverse, for synthetic checkpoints and tests: an HF-style config.json for `config`.
nlohmann::json make_hf_config(const ModelConfig& config);

}  // namespace griffin
