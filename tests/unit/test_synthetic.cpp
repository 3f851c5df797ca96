// Synthetic models: exact shapes, seeded and reproducible, distinct data per tensor, and the
// same weights whether written as .griffin or as an HF checkpoint that is then converted.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>

#include "converter/checkpoint.h"
#include "converter/convert.h"
#include "converter/synthetic.h"
#include "format/griffin_file.h"
#include "tests/support/test_files.h"

using namespace griffin;
using namespace griffin::test;

namespace {

std::string data_section(const std::string& path) {
  auto file = GriffinFile::open(path);
  REQUIRE(file.ok());
  return read_file(path).substr(file.value()->data_offset());
}

}  // namespace

TEST_CASE("Synthetic files are reproducible from the seed", "[converter][synthetic]") {
  TempDir dir;
  const ModelConfig config = preset_config("griffin-tiny").value();
  SyntheticOptions options;
  options.seed = 7;
  REQUIRE(write_synthetic_griffin(config, dir.file("a.griffin"), options).ok());
  REQUIRE(write_synthetic_griffin(config, dir.file("b.griffin"), options).ok());
  options.seed = 8;
  REQUIRE(write_synthetic_griffin(config, dir.file("c.griffin"), options).ok());
  CHECK(data_section(dir.file("a.griffin")) == data_section(dir.file("b.griffin")));
  CHECK(data_section(dir.file("a.griffin")) != data_section(dir.file("c.griffin")));
}

TEST_CASE("Synthetic weights have the intended ranges and differ per tensor",
          "[converter][synthetic]") {
  TempDir dir;
  const ModelConfig config = preset_config("griffin-tiny").value();
  REQUIRE(write_synthetic_griffin(config, dir.file("m.griffin"), {}).ok());
  auto file = GriffinFile::open(dir.file("m.griffin"));
  REQUIRE(file.ok());
  const TensorView* lambda = file.value()->find("model.layers.0.temporal_block.rg_lru.recurrent_param");
  REQUIRE(lambda);
  for (int64_t i = 0; i < config.lru_width; ++i) {
    const float value = load_as_f32(DType::kF32, lambda->data, i);
    const float decay = std::exp(-std::log1p(std::exp(value)));  // a = exp(-softplus(Λ'))
    REQUIRE(decay >= 0.9f);
    REQUIRE(decay <= 0.999f);
  }
  const TensorView* q0 = file.value()->find("model.layers.2.temporal_block.q_proj.weight");
  const TensorView* q1 = file.value()->find("model.layers.5.temporal_block.q_proj.weight");
  CHECK(std::memcmp(q0->data, q1->data, q0->record->size) != 0);
  const float bound = std::sqrt(3.0f / 64.0f);
  for (int64_t i = 0; i < element_count(q0->record->shape); ++i) {
    REQUIRE(std::fabs(load_as_f32(DType::kF32, q0->data, i)) <= bound);
  }
}

TEST_CASE("A synthetic HF checkpoint converts to the synthetic .griffin bytes",
          "[converter][synthetic]") {
  TempDir dir;
  const std::string preset = GENERATE(std::string("griffin-tiny"));
  const ModelConfig config = preset_config(preset).value();
  for (DType dtype : {DType::kF32, DType::kBF16}) {
    SyntheticOptions options;
    options.seed = 3;
    options.weight_dtype = dtype;
    REQUIRE(write_synthetic_griffin(config, dir.file("direct.griffin"), options).ok());
    REQUIRE(write_synthetic_checkpoint(config, dir.file("hf"), options).ok());
    ConvertOptions convert;
    convert.weight_dtype = dtype;
    REQUIRE(convert_checkpoint(dir.file("hf"), dir.file("converted.griffin"), convert).ok());
    auto converted = GriffinFile::open(dir.file("converted.griffin"));
    REQUIRE(converted.ok());
    CHECK(converted.value()->config() == config);
    CHECK(data_section(dir.file("direct.griffin")) == data_section(dir.file("converted.griffin")));
  }
}

TEST_CASE("Synthetic configs can come from an HF config.json", "[converter][synthetic]") {
  nlohmann::json json = {{"hidden_size", 32},       {"num_hidden_layers", 4},
                         {"num_attention_heads", 4}, {"num_key_value_heads", 2},
                         {"intermediate_size", 96},  {"vocab_size", 100},
                         {"lru_width", 48},          {"attention_window_size", 8},
                         {"_block_types", {"recurrent", "attention"}}};
  auto config = config_from_hf_json(json);
  REQUIRE(config.ok());
  CHECK(config->mlp_width == 48);
  CHECK(config->num_kv_heads == 2);
  CHECK(config->head_dim == 8);
  CHECK(config->count_layers(BlockType::kLocalAttention) == 2);
  json.erase("intermediate_size");
  CHECK_FALSE(config_from_hf_json(json).ok());
}
