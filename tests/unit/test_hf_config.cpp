// config.json parsing: both block-pattern keys, values derived from tensor shapes, defaults,
// and configs that disagree with the shapes.
#include <catch2/catch.hpp>

#include "converter/hf_config.h"
#include "tests/support/hf_checkpoint_builder.h"

using namespace griffin;
using namespace griffin::test;

namespace {

// Shapes of a tiny model's tensors, as the converter would read them from the checkpoint.
ShapeLookup shapes_of(const std::vector<RawTensor>& tensors) {
  return [tensors](const std::string& name) {
    for (const RawTensor& t : tensors) {
      if (t.name == name) return t.shape;
    }
    return std::vector<int64_t>{};
  };
}

}  // namespace

TEST_CASE("HF config values map to the model config", "[converter][config]") {
  TinyModel model;
  auto settings = parse_hf_config(tiny_config_json(model), shapes_of(tiny_tensors(model, "F32")));
  REQUIRE(settings.ok());
  const ModelConfig& c = settings->config;
  CHECK(c.width == 8);
  CHECK(c.depth == 3);
  CHECK(c.num_heads == 2);
  CHECK(c.head_dim == 4);
  CHECK(c.lru_width == 12);
  CHECK(c.mlp_width == 16);  // from gate_proj rows; intermediate_size is 32
  CHECK(c.conv1d_width == 4);
  CHECK(c.attention_window == 4);
  CHECK(c.vocab_size == 40);
  CHECK(c.block_types == std::vector<BlockType>{BlockType::kRecurrent, BlockType::kRecurrent,
                                                BlockType::kLocalAttention});
  CHECK(c.embedding_scale == 2.828125f);  // sqrt(8) = 2.8284 rounded to 8 significant bits
}

TEST_CASE("The embedding scale is sqrt(width) rounded to bf16", "[converter][config]") {
  TinyModel model;
  model.width = 2560;
  model.heads = 10;
  model.head_dim = 256;
  model.lru_width = 2560;
  model.depth = 1;
  model.pattern = {"recurrent"};
  const auto tensors = tiny_tensors(model, "F32");
  auto settings = parse_hf_config(tiny_config_json(model), shapes_of(tensors));
  REQUIRE(settings.ok());
  CHECK(settings->config.embedding_scale == 50.5f);
  nlohmann::json config = tiny_config_json(model);
  config["embeddings_scale_by_sqrt_dim"] = false;
  CHECK(parse_hf_config(config, shapes_of(tensors))->config.embedding_scale == 1.0f);
}

TEST_CASE("The block pattern may be spelled _block_types and cycles", "[converter][config]") {
  TinyModel model;
  model.depth = 5;
  model.pattern = {"recurrent", "global_attention"};
  model.pattern_key = "_block_types";
  auto settings = parse_hf_config(tiny_config_json(model), shapes_of(tiny_tensors(model, "F32")));
  REQUIRE(settings.ok());
  CHECK(settings->config.block_types ==
        std::vector<BlockType>{BlockType::kRecurrent, BlockType::kGlobalAttention,
                               BlockType::kRecurrent, BlockType::kGlobalAttention,
                               BlockType::kRecurrent});
}

TEST_CASE("KV heads come from k_proj when the config omits them", "[converter][config]") {
  TinyModel model;
  model.heads = 4;
  model.kv_heads = 2;
  model.head_dim = 2;
  nlohmann::json config = tiny_config_json(model);
  config.erase("num_key_value_heads");  // HF would fall back to 4 heads: wrong
  config.erase("head_dim");             // defaults to width / heads = 2
  auto settings = parse_hf_config(config, shapes_of(tiny_tensors(model, "F32")));
  REQUIRE(settings.ok());
  CHECK(settings->config.num_kv_heads == 2);
  CHECK(settings->config.head_dim == 2);
}

TEST_CASE("Configs that disagree with the tensor shapes are refused", "[converter][config]") {
  TinyModel model;
  const auto tensors = tiny_tensors(model, "F32");
  nlohmann::json config = tiny_config_json(model);
  SECTION("num_key_value_heads") {
    config["num_key_value_heads"] = 2;
    auto settings = parse_hf_config(config, shapes_of(tensors));
    REQUIRE_FALSE(settings.ok());
    CHECK_THAT(settings.status().message(), Catch::Contains("num_key_value_heads 2"));
    CHECK_THAT(settings.status().message(), Catch::Contains("k_proj"));
  }
  SECTION("intermediate_size") {
    config["intermediate_size"] = 16;
    auto settings = parse_hf_config(config, shapes_of(tensors));
    REQUIRE_FALSE(settings.ok());
    CHECK_THAT(settings.status().message(), Catch::Contains("intermediate_size 16"));
  }
  SECTION("hidden_size") {
    config["hidden_size"] = 10;
    auto settings = parse_hf_config(config, shapes_of(tensors));
    REQUIRE_FALSE(settings.ok());
    CHECK_THAT(settings.status().message(), Catch::Contains("model.embed_tokens.weight"));
  }
  SECTION("vocab_size") {
    config["vocab_size"] = 41;
    CHECK_FALSE(parse_hf_config(config, shapes_of(tensors)).ok());
  }
}

TEST_CASE("Bad config values name the key", "[converter][config]") {
  TinyModel model;
  const auto tensors = tiny_tensors(model, "F32");
  nlohmann::json config = tiny_config_json(model);
  auto message_for = [&](const nlohmann::json& json) {
    auto settings = parse_hf_config(json, shapes_of(tensors));
    REQUIRE_FALSE(settings.ok());
    return settings.status().message();
  };
  SECTION("missing hidden_size") {
    config.erase("hidden_size");
    CHECK_THAT(message_for(config), Catch::Contains("hidden_size"));
  }
  SECTION("string where a number belongs") {
    config["num_attention_heads"] = "two";
    CHECK_THAT(message_for(config), Catch::Contains("num_attention_heads"));
  }
  SECTION("unknown block type") {
    config["block_types"] = {"recurrent", "mamba"};
    CHECK_THAT(message_for(config), Catch::Contains("mamba"));
  }
  SECTION("no block pattern") {
    config.erase("block_types");
    CHECK_THAT(message_for(config), Catch::Contains("block_types"));
  }
  SECTION("unsupported activation") {
    config["hidden_activation"] = "relu";
    CHECK_THAT(message_for(config), Catch::Contains("relu"));
  }
}
