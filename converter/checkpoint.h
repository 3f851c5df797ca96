// A Hugging Face RecurrentGemma checkpoint directory: config.json, one model.safetensors or
// shards listed in model.safetensors.index.json, and optionally tokenizer.model.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "converter/safetensors.h"

namespace griffin {

struct CheckpointTensor {
  const SafetensorsFile* file;
  const SafetensorsEntry* entry;
};

class Checkpoint {
 public:
  static Result<std::unique_ptr<Checkpoint>> open(const std::string& directory);

  const std::string& directory() const { return directory_; }
  const nlohmann::json& config_json() const { return config_json_; }
  const std::string& tokenizer_model() const { return tokenizer_model_; }  // empty if absent
  // Every tensor of every shard, by name.
  const std::map<std::string, CheckpointTensor>& tensors() const { return tensors_; }
  const CheckpointTensor* find(const std::string& name) const;
  // The shape of `name`, or empty when absent.
  std::vector<int64_t> shape_of(const std::string& name) const;

 private:
  Status load_shards();

  std::string directory_;
  nlohmann::json config_json_;
  std::string tokenizer_model_;
  std::vector<std::unique_ptr<SafetensorsFile>> files_;
  std::map<std::string, CheckpointTensor> tensors_;
};

// Reads a whole small file (config.json, tokenizer.model, index JSON).
Result<std::string> read_text_file(const std::string& path);
Result<nlohmann::json> read_json_file(const std::string& path);

}  // namespace griffin
