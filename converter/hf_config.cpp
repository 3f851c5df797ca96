// config.json parsing (see hf_config.h).
#include "converter/hf_config.h"

#include <cmath>

#include "format/tensor_specs.h"

namespace griffin {

namespace {

Result<int64_t> get_int(const nlohmann::json& json, const char* key, std::optional<int64_t> fallback) {
  if (!json.contains(key) || json[key].is_null()) {
    GRF_CHECK(fallback.has_value(), kInvalidFile, "config.json: missing \"%s\"", key);
    return *fallback;
  }
  GRF_CHECK(json[key].is_number_integer(), kInvalidFile, "config.json: \"%s\" must be an integer",
            key);
  return json[key].get<int64_t>();
}

Result<float> get_float(const nlohmann::json& json, const char* key, float fallback) {
  if (!json.contains(key) || json[key].is_null()) return fallback;
  GRF_CHECK(json[key].is_number(), kInvalidFile, "config.json: \"%s\" must be a number", key);
  return json[key].get<float>();
}

Result<std::vector<BlockType>> parse_block_pattern(const nlohmann::json& json, int64_t depth) {
  const char* key = json.contains("block_types") ? "block_types" : "_block_types";
  GRF_CHECK(json.contains(key), kInvalidFile,
            "config.json: missing \"block_types\" (or \"_block_types\")");
  const nlohmann::json& pattern = json[key];
  GRF_CHECK(pattern.is_array() && !pattern.empty(), kInvalidFile,
            "config.json: \"%s\" must be a non-empty list", key);
  std::vector<BlockType> cycle;
  for (const nlohmann::json& item : pattern) {
    GRF_CHECK(item.is_string(), kInvalidFile, "config.json: \"%s\" must hold strings", key);
    const std::string name = item.get<std::string>();
    if (name == "recurrent") {
      cycle.push_back(BlockType::kRecurrent);
    } else if (name == "attention" || name == "local_attention") {
      cycle.push_back(BlockType::kLocalAttention);
    } else if (name == "global_attention") {
      cycle.push_back(BlockType::kGlobalAttention);
    } else {
      return make_status(StatusCode::kUnsupported,
                         "config.json: block type '%s' is not one of recurrent, attention, "
                         "global_attention",
                         name.c_str());
    }
  }
  std::vector<BlockType> types;
  for (int64_t layer = 0; layer < depth; ++layer) types.push_back(cycle[layer % cycle.size()]);
  return types;
}

}  // namespace

Result<HfModelSettings> parse_hf_config(const nlohmann::json& json, const ShapeLookup& shapes) {
  HfModelSettings settings;
  ModelConfig& c = settings.config;
  if (json.contains("hidden_activation") && json["hidden_activation"].is_string()) {
    const std::string activation = json["hidden_activation"].get<std::string>();
    GRF_CHECK(activation == "gelu_pytorch_tanh" || activation == "gelu_tanh" ||
                  activation == "gelu_new",
              kUnsupported, "config.json: hidden_activation '%s' is not supported (the model "
              "uses the tanh GELU)", activation.c_str());
  }
  GRF_ASSIGN_OR_RETURN(c.width, get_int(json, "hidden_size", std::nullopt));
  GRF_ASSIGN_OR_RETURN(c.depth, get_int(json, "num_hidden_layers", std::nullopt));
  GRF_ASSIGN_OR_RETURN(c.num_heads, get_int(json, "num_attention_heads", std::nullopt));
  GRF_ASSIGN_OR_RETURN(c.vocab_size, get_int(json, "vocab_size", std::nullopt));
  GRF_CHECK(c.width > 0 && c.depth > 0 && c.num_heads > 0 && c.depth <= 100000, kInvalidFile,
            "config.json: hidden_size, num_hidden_layers and num_attention_heads must be "
            "positive");
  GRF_ASSIGN_OR_RETURN(c.head_dim, get_int(json, "head_dim", c.width / c.num_heads));
  GRF_ASSIGN_OR_RETURN(c.lru_width, get_int(json, "lru_width", c.width));
  GRF_ASSIGN_OR_RETURN(c.conv1d_width, get_int(json, "conv1d_width", 4));
  GRF_ASSIGN_OR_RETURN(c.attention_window, get_int(json, "attention_window_size", 2048));
  GRF_ASSIGN_OR_RETURN(c.rope_theta, get_float(json, "rope_theta", 10000.0f));
  GRF_ASSIGN_OR_RETURN(c.partial_rotary_factor, get_float(json, "partial_rotary_factor", 0.5f));
  GRF_ASSIGN_OR_RETURN(c.logits_soft_cap, get_float(json, "logits_soft_cap", 30.0f));
  GRF_ASSIGN_OR_RETURN(c.rms_norm_eps, get_float(json, "rms_norm_eps", 1e-6f));
  GRF_ASSIGN_OR_RETURN(c.block_types, parse_block_pattern(json, c.depth));
  bool scale_embeddings = true;
  if (json.contains("embeddings_scale_by_sqrt_dim")) {
    GRF_CHECK(json["embeddings_scale_by_sqrt_dim"].is_boolean(), kInvalidFile,
              "config.json: \"embeddings_scale_by_sqrt_dim\" must be true or false");
    scale_embeddings = json["embeddings_scale_by_sqrt_dim"].get<bool>();
  }
  c.embedding_scale = scale_embeddings ? embedding_scale_for_width(c.width) : 1.0f;
  GRF_ASSIGN_OR_RETURN(settings.bos_id, get_int(json, "bos_token_id", 2));
  GRF_ASSIGN_OR_RETURN(settings.eos_id, get_int(json, "eos_token_id", 1));
  GRF_ASSIGN_OR_RETURN(settings.pad_id, get_int(json, "pad_token_id", 0));

  // The embedding fixes vocabulary and width.
  const std::vector<int64_t> embed = shapes("model.embed_tokens.weight");
  GRF_CHECK(!embed.empty(), kInvalidFile, "tensor model.embed_tokens.weight is missing");
  GRF_CHECK(embed.size() == 2 && embed[0] == c.vocab_size && embed[1] == c.width, kInvalidFile,
            "config.json says vocab_size %lld and hidden_size %lld, but "
            "model.embed_tokens.weight has shape %s",
            (long long)c.vocab_size, (long long)c.width, shape_string(embed).c_str());

  // MLP width E: from gate_proj rows, never from intermediate_size (HF stores 2·E there).
  const std::vector<int64_t> gate = shapes("model.layers.0.mlp_block.gate_proj.weight");
  GRF_CHECK(gate.size() == 2, kInvalidFile,
            "tensor model.layers.0.mlp_block.gate_proj.weight is missing or not a matrix");
  c.mlp_width = gate[0];
  if (json.contains("intermediate_size") && json["intermediate_size"].is_number_integer()) {
    const int64_t intermediate = json["intermediate_size"].get<int64_t>();
    GRF_CHECK(intermediate == 2 * c.mlp_width, kInvalidFile,
              "config.json intermediate_size %lld disagrees with "
              "model.layers.0.mlp_block.gate_proj.weight, which has %lld rows (HF convention: "
              "intermediate_size = 2 x rows)",
              (long long)intermediate, (long long)c.mlp_width);
  }

  // KV heads: from the first attention layer's k_proj rows (HF falls back to H when the key is
  // missing, which is wrong for these checkpoints).
  std::optional<int64_t> configured_kv;
  if (json.contains("num_key_value_heads") && json["num_key_value_heads"].is_number_integer()) {
    configured_kv = json["num_key_value_heads"].get<int64_t>();
  }
  c.num_kv_heads = configured_kv.value_or(1);
  for (int64_t layer = 0; layer < c.depth; ++layer) {
    if (c.block_types[layer] == BlockType::kRecurrent) continue;
    const std::string name =
        "model.layers." + std::to_string(layer) + ".temporal_block.k_proj.weight";
    const std::vector<int64_t> k_proj = shapes(name);
    GRF_CHECK(k_proj.size() == 2, kInvalidFile, "tensor %s is missing or not a matrix",
              name.c_str());
    GRF_CHECK(c.head_dim > 0 && k_proj[0] % c.head_dim == 0, kInvalidFile,
              "tensor %s has %lld rows, not a multiple of head_dim %lld", name.c_str(),
              (long long)k_proj[0], (long long)c.head_dim);
    const int64_t derived = k_proj[0] / c.head_dim;
    GRF_CHECK(!configured_kv || *configured_kv == derived, kInvalidFile,
              "config.json num_key_value_heads %lld disagrees with %s, which holds %lld heads",
              (long long)*configured_kv, name.c_str(), (long long)derived);
    c.num_kv_heads = derived;
    break;
  }
  Status valid = validate_config(c);
  if (!valid.ok()) return valid.with_context("config.json");
  return settings;
}

nlohmann::json make_hf_config(const ModelConfig& c) {
  nlohmann::json json;
  json["architectures"] = {"RecurrentGemmaForCausalLM"};
  json["model_type"] = "recurrent_gemma";
  json["hidden_size"] = c.width;
  json["num_hidden_layers"] = c.depth;
  json["num_attention_heads"] = c.num_heads;
  json["num_key_value_heads"] = c.num_kv_heads;
  json["head_dim"] = c.head_dim;
  json["lru_width"] = c.lru_width;
  json["intermediate_size"] = 2 * c.mlp_width;
  json["conv1d_width"] = c.conv1d_width;
  json["attention_window_size"] = c.attention_window;
  json["vocab_size"] = c.vocab_size;
  json["rope_theta"] = c.rope_theta;
  json["partial_rotary_factor"] = c.partial_rotary_factor;
  json["logits_soft_cap"] = c.logits_soft_cap;
  json["rms_norm_eps"] = c.rms_norm_eps;
  json["embeddings_scale_by_sqrt_dim"] = c.embedding_scale != 1.0f;
  json["hidden_activation"] = "gelu_pytorch_tanh";
  json["bos_token_id"] = 2;
  json["eos_token_id"] = 1;
  json["pad_token_id"] = 0;
  nlohmann::json pattern = nlohmann::json::array();
  for (BlockType type : c.block_types) pattern.push_back(block_type_name(type));
  json["block_types"] = pattern;
  return json;
}

}  // namespace griffin
