// The expected tensor list and parameter counts of the released and paper presets, against
// counts computed here from the shapes in docs/griffin-math.md §2.
#include <catch2/catch.hpp>

#include "format/model_config.h"
#include "format/tensor_specs.h"

using namespace griffin;

namespace {

int64_t total_parameters(const ModelConfig& config) {
  int64_t total = 0;
  for (const TensorSpec& spec : expected_tensors(config)) total += element_count(spec.shape);
  return total;
}

// Parameters from the shapes, written out independently of tensor_specs.cpp.
int64_t count_by_formula(int64_t D, int64_t depth_recurrent, int64_t depth_attention, int64_t H,
                         int64_t hd, int64_t L, int64_t E, int64_t K, int64_t V) {
  const int64_t common = 2 * D + (2 * (E * D + E) + D * E + D);
  const int64_t recurrent = 2 * (L * D + L) + (D * L + D) + (L * K + L) + L + 2 * (L * (L / H) + L);
  const int64_t attention = H * hd * D + 2 * hd * D + D * H * hd + D;
  return V * D + D + (depth_recurrent + depth_attention) * common + depth_recurrent * recurrent +
         depth_attention * attention;
}

}  // namespace

TEST_CASE("RecurrentGemma-2B has 2682862080 parameters in 484 tensors", "[format][specs]") {
  const ModelConfig config = preset_config("recurrentgemma-2b").value();
  CHECK(expected_tensors(config).size() == 484);
  CHECK(total_parameters(config) == 2682862080LL);
  CHECK(total_parameters(config) ==
        count_by_formula(2560, 18, 8, 10, 256, 2560, 7680, 4, 256000));
  CHECK(config.count_layers(BlockType::kLocalAttention) == 8);
  CHECK(config.embedding_scale == 50.5f);
  CHECK(config.rotary_dims() == 128);
}

TEST_CASE("RecurrentGemma-9B has 8579977216 parameters in 704 tensors", "[format][specs]") {
  const ModelConfig config = preset_config("recurrentgemma-9b").value();
  CHECK(expected_tensors(config).size() == 704);
  CHECK(total_parameters(config) == 8579977216LL);
  CHECK(config.embedding_scale == 64.0f);
  CHECK(config.count_layers(BlockType::kLocalAttention) == 12);
}

TEST_CASE("Hawk and MQA presets keep Griffin's width and depth", "[format][specs]") {
  const ModelConfig hawk = preset_config("hawk-2b").value();
  CHECK(hawk.depth == 26);
  CHECK(hawk.count_layers(BlockType::kRecurrent) == 26);
  CHECK(total_parameters(hawk) == count_by_formula(2560, 26, 0, 10, 256, 2560, 7680, 4, 256000));
  const ModelConfig mqa = preset_config("mqa-transformer-9b").value();
  CHECK(mqa.width == 4096);
  CHECK(mqa.count_layers(BlockType::kGlobalAttention) == 38);
  CHECK(total_parameters(mqa) == count_by_formula(4096, 0, 38, 16, 256, 4096, 12288, 4, 256000));
}

TEST_CASE("Tensor names follow the Hugging Face checkpoint", "[format][specs]") {
  const ModelConfig config = preset_config("recurrentgemma-2b").value();
  const std::vector<TensorSpec> specs = expected_tensors(config);
  CHECK(specs.front().name == "model.embed_tokens.weight");
  CHECK(specs.back().name == "model.final_norm.weight");
  auto find = [&](const std::string& name) -> const TensorSpec* {
    for (const TensorSpec& spec : specs) {
      if (spec.name == name) return &spec;
    }
    return nullptr;
  };
  const TensorSpec* gate = find("model.layers.0.temporal_block.rg_lru.recurrent_gate_weight");
  REQUIRE(gate);
  CHECK(gate->shape == std::vector<int64_t>{10, 256, 256});
  const TensorSpec* conv = find("model.layers.1.temporal_block.conv_1d.weight");
  REQUIRE(conv);
  CHECK(conv->shape == std::vector<int64_t>{2560, 1, 4});
  const TensorSpec* k_proj = find("model.layers.2.temporal_block.k_proj.weight");
  REQUIRE(k_proj);
  CHECK(k_proj->shape == std::vector<int64_t>{256, 2560});
  CHECK(find("model.layers.2.temporal_block.q_proj.bias") == nullptr);
  CHECK(find("model.layers.2.temporal_block.o_proj.bias") != nullptr);
  CHECK(find("lm_head.weight") == nullptr);
  CHECK_FALSE(role_takes_weight_dtype(conv->role));
  CHECK(role_takes_weight_dtype(gate->role));
}

TEST_CASE("Unknown presets are refused with the list of known ones", "[format][specs]") {
  auto config = preset_config("recurrentgemma-7b");
  REQUIRE_FALSE(config.ok());
  CHECK_THAT(config.status().message(), Catch::Contains("recurrentgemma-2b"));
}

TEST_CASE("validate_config names the bad field", "[format][specs]") {
  ModelConfig config = preset_config("griffin-tiny").value();
  REQUIRE(validate_config(config).ok());
  config.num_kv_heads = 3;  // does not divide 4 heads
  CHECK_THAT(validate_config(config).message(), Catch::Contains("num_kv_heads"));
  config = preset_config("griffin-tiny").value();
  config.block_types.pop_back();
  CHECK_THAT(validate_config(config).message(), Catch::Contains("block types"));
}
