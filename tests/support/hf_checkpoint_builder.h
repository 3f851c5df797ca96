// Builds tiny Hugging Face RecurrentGemma checkpoints for tests, written from
// docs/griffin-math.md §2 independently of the converter's own tensor list. Values are small
// multiples of 1/64 so they are exact in f32, f16 and bf16 alike.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/test_files.h"

namespace griffin::test {

struct TinyModel {
  int64_t vocab = 40;
  int64_t width = 8;
  int64_t depth = 3;
  int64_t heads = 2;
  int64_t kv_heads = 1;
  int64_t head_dim = 4;
  int64_t lru_width = 12;
  int64_t mlp_width = 16;
  int64_t conv_width = 4;
  int64_t window = 4;
  std::vector<std::string> pattern = {"recurrent", "recurrent", "attention"};
  std::string pattern_key = "block_types";  // HF also writes "_block_types"
};

nlohmann::json tiny_config_json(const TinyModel& model);

// Every tensor of the model, in `dtype` ("F32", "BF16" or "F16"). Tensor t, element i holds
// tiny_value(t, i).
std::vector<RawTensor> tiny_tensors(const TinyModel& model, const std::string& dtype);
float tiny_value(size_t tensor_index, size_t element_index);

// Writes config.json and the tensors, as one model.safetensors (shards == 1) or as
// model-0000k-of-0000n.safetensors files plus model.safetensors.index.json.
void write_checkpoint(const std::string& directory, const nlohmann::json& config,
                      const std::vector<RawTensor>& tensors, int shards = 1);

// Index of a tensor by name in `tensors` (throws when absent).
size_t tensor_index(const std::vector<RawTensor>& tensors, const std::string& name);

}  // namespace griffin::test
