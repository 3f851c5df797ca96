// Tiny HF checkpoint builder (see hf_checkpoint_builder.h).
#include "tests/support/hf_checkpoint_builder.h"

#include <cstring>
#include <stdexcept>

#include "format/dtype.h"

namespace griffin::test {

nlohmann::json tiny_config_json(const TinyModel& m) {
  nlohmann::json json = {{"architectures", {"RecurrentGemmaForCausalLM"}},
                         {"model_type", "recurrent_gemma"},
                         {"hidden_size", m.width},
                         {"num_hidden_layers", m.depth},
                         {"num_attention_heads", m.heads},
                         {"num_key_value_heads", m.kv_heads},
                         {"head_dim", m.head_dim},
                         {"lru_width", m.lru_width},
                         {"intermediate_size", 2 * m.mlp_width},
                         {"conv1d_width", m.conv_width},
                         {"attention_window_size", m.window},
                         {"vocab_size", m.vocab},
                         {"rope_theta", 10000.0},
                         {"partial_rotary_factor", 0.5},
                         {"logits_soft_cap", 30.0},
                         {"rms_norm_eps", 1e-6},
                         {"embeddings_scale_by_sqrt_dim", true},
                         {"hidden_activation", "gelu_pytorch_tanh"},
                         {"pad_token_id", 0},
                         {"eos_token_id", 1},
                         {"bos_token_id", 2}};
  json[m.pattern_key] = m.pattern;
  return json;
}

float tiny_value(size_t tensor_index, size_t element_index) {
  return static_cast<float>(static_cast<int>((tensor_index * 31 + element_index * 7) % 97) - 48) /
         64.0f;
}

std::vector<RawTensor> tiny_tensors(const TinyModel& m, const std::string& dtype) {
  std::vector<std::pair<std::string, std::vector<int64_t>>> shapes;
  shapes.push_back({"model.embed_tokens.weight", {m.vocab, m.width}});
  const int64_t block = m.lru_width / m.heads;
  for (int64_t layer = 0; layer < m.depth; ++layer) {
    const std::string p = "model.layers." + std::to_string(layer) + ".";
    const std::string type = m.pattern[layer % m.pattern.size()];
    shapes.push_back({p + "temporal_pre_norm.weight", {m.width}});
    shapes.push_back({p + "channel_pre_norm.weight", {m.width}});
    for (const char* proj : {"gate_proj", "up_proj"}) {
      shapes.push_back({p + "mlp_block." + proj + ".weight", {m.mlp_width, m.width}});
      shapes.push_back({p + "mlp_block." + proj + ".bias", {m.mlp_width}});
    }
    shapes.push_back({p + "mlp_block.down_proj.weight", {m.width, m.mlp_width}});
    shapes.push_back({p + "mlp_block.down_proj.bias", {m.width}});
    const std::string t = p + "temporal_block.";
    if (type == "recurrent") {
      for (const char* linear : {"linear_y", "linear_x"}) {
        shapes.push_back({t + linear + ".weight", {m.lru_width, m.width}});
        shapes.push_back({t + linear + ".bias", {m.lru_width}});
      }
      shapes.push_back({t + "linear_out.weight", {m.width, m.lru_width}});
      shapes.push_back({t + "linear_out.bias", {m.width}});
      shapes.push_back({t + "conv_1d.weight", {m.lru_width, 1, m.conv_width}});
      shapes.push_back({t + "conv_1d.bias", {m.lru_width}});
      shapes.push_back({t + "rg_lru.recurrent_param", {m.lru_width}});
      shapes.push_back({t + "rg_lru.recurrent_gate_weight", {m.heads, block, block}});
      shapes.push_back({t + "rg_lru.recurrent_gate_bias", {m.heads, block}});
      shapes.push_back({t + "rg_lru.input_gate_weight", {m.heads, block, block}});
      shapes.push_back({t + "rg_lru.input_gate_bias", {m.heads, block}});
    } else {
      shapes.push_back({t + "q_proj.weight", {m.heads * m.head_dim, m.width}});
      shapes.push_back({t + "k_proj.weight", {m.kv_heads * m.head_dim, m.width}});
      shapes.push_back({t + "v_proj.weight", {m.kv_heads * m.head_dim, m.width}});
      shapes.push_back({t + "o_proj.weight", {m.width, m.heads * m.head_dim}});
      shapes.push_back({t + "o_proj.bias", {m.width}});
    }
  }
  shapes.push_back({"model.final_norm.weight", {m.width}});

  std::vector<RawTensor> tensors;
  for (size_t index = 0; index < shapes.size(); ++index) {
    size_t count = 1;
    for (int64_t dim : shapes[index].second) count *= static_cast<size_t>(dim);
    std::vector<float> values(count);
    for (size_t i = 0; i < count; ++i) values[i] = tiny_value(index, i);
    std::string bytes;
    if (dtype == "F32") {
      bytes = f32_bytes(values);
    } else {
      std::vector<uint16_t> bits(count);
      for (size_t i = 0; i < count; ++i) {
        bits[i] = dtype == "BF16" ? bf16_from_f32(values[i]) : f16_from_f32(values[i]);
      }
      bytes = u16_bytes(bits);
    }
    tensors.push_back({shapes[index].first, dtype, shapes[index].second, bytes});
  }
  return tensors;
}

void write_checkpoint(const std::string& directory, const nlohmann::json& config,
                      const std::vector<RawTensor>& tensors, int shards) {
  write_file(directory + "/config.json", config.dump(2));
  if (shards == 1) {
    write_file(directory + "/model.safetensors", encode_safetensors(tensors));
    return;
  }
  nlohmann::json weight_map = nlohmann::json::object();
  for (int shard = 0; shard < shards; ++shard) {
    char name[64];
    std::snprintf(name, sizeof name, "model-%05d-of-%05d.safetensors", shard + 1, shards);
    std::vector<RawTensor> part;
    for (size_t i = shard; i < tensors.size(); i += static_cast<size_t>(shards)) {
      part.push_back(tensors[i]);
      weight_map[tensors[i].name] = name;
    }
    write_file(directory + "/" + name, encode_safetensors(part));
  }
  nlohmann::json index = {{"metadata", {{"total_size", 0}}}, {"weight_map", weight_map}};
  write_file(directory + "/model.safetensors.index.json", index.dump(2));
}

size_t tensor_index(const std::vector<RawTensor>& tensors, const std::string& name) {
  for (size_t i = 0; i < tensors.size(); ++i) {
    if (tensors[i].name == name) return i;
  }
  throw std::runtime_error("no tensor " + name);
}

}  // namespace griffin::test
