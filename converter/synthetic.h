// Synthetic models: the exact tensor shapes of a config, filled with seeded pseudo-random
// weights at sensible scales. For benchmarks and memory tests at the real 2B/9B sizes without
// the real weights. Every tensor gets its own stream, so no two pages hold identical data
// (a VM host could merge identical pages and inflate bandwidth figures).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "converter/tensor_stream.h"
#include "format/model_config.h"

namespace griffin {

struct SyntheticOptions {
  uint64_t seed = 1;
  DType weight_dtype = DType::kF32;
  std::optional<DType> embed_dtype;  // default: weight_dtype
  std::string source;      // metadata: where the config came from
  std::string created_by;  // metadata: the command line
  StreamOptions stream;
};

// Writes a .griffin file.
Status write_synthetic_griffin(const ModelConfig& config, const std::string& output_path,
                               const SyntheticOptions& options);

// Writes a Hugging Face checkpoint directory (config.json + model.safetensors) with the same
// weights, for exercising the converter itself. Matrices take options.weight_dtype.
Status write_synthetic_checkpoint(const ModelConfig& config, const std::string& directory,
                                  const SyntheticOptions& options);

// A config from an HF-style config.json alone: MLP width from intermediate_size / 2, KV heads
// from num_key_value_heads (default 1).
Result<ModelConfig> config_from_hf_json(const nlohmann::json& json);

}  // namespace griffin
