// The model's hyper-parameters as the runtime needs them (docs/griffin-math.md §1), independent of
// how a checkpoint spelled them, plus the named presets of the released and paper models.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "format/status.h"

namespace griffin {

// Values equal griffin::fb::BlockType.
enum class BlockType : uint8_t { kRecurrent = 0, kLocalAttention = 1, kGlobalAttention = 2 };

const char* block_type_name(BlockType type);  // "recurrent", "attention", "global_attention"

struct ModelConfig {
  int64_t width = 0;             // D
  int64_t depth = 0;             // layers
  int64_t num_heads = 0;         // H
  int64_t num_kv_heads = 0;      // KV heads; divides H
  int64_t head_dim = 0;          // hd
  int64_t lru_width = 0;         // L; divisible by H (RG-LRU gate blocks)
  int64_t mlp_width = 0;         // E
  int64_t conv1d_width = 0;      // K
  int64_t attention_window = 0;  // Wn
  int64_t vocab_size = 0;        // V
  float rope_theta = 10000.0f;
  float partial_rotary_factor = 0.5f;
  float logits_soft_cap = 30.0f;  // 0 disables it (official semantics)
  float embedding_scale = 1.0f;   // bf16(sqrt(D)) when the checkpoint scales embeddings
  float rms_norm_eps = 1e-6f;
  std::vector<BlockType> block_types;  // one per layer

  int64_t rotary_dims() const;  // head dims that RoPE rotates: even, <= head_dim
  int64_t count_layers(BlockType type) const;
  bool operator==(const ModelConfig& other) const;
};

// bf16-rounded sqrt(D), the embedding normalizer of docs/griffin-math.md §3 (50.5 for D = 2560).
float embedding_scale_for_width(int64_t width);

// Checks ranges and divisibility; the message names the offending field.
Status validate_config(const ModelConfig& config);

// Named configs: recurrentgemma-2b, recurrentgemma-9b (R,R,A pattern), hawk-2b / hawk-9b (all
// recurrent), mqa-transformer-2b / mqa-transformer-9b (all global attention), and griffin-tiny,
// a small (R,R,A) model for tests and quick starts.
std::vector<std::string> preset_names();
Result<ModelConfig> preset_config(const std::string& name);

}  // namespace griffin
