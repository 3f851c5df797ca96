// griffin-convert end to end on tiny generated checkpoints: the values that come out, the
// dtypes, sharded checkpoints, the tokenizer, and every refusal leaving no file behind.
#include <catch2/catch.hpp>

#include "converter/convert.h"
#include "format/griffin_file.h"
#include "tests/support/hf_checkpoint_builder.h"

using namespace griffin;
using namespace griffin::test;

namespace {

struct Fixture {
  TempDir checkpoint;
  TempDir output;
  TinyModel model;
  std::string out_path() const { return output.file("model.griffin"); }
};

Status convert(const Fixture& f, DType dtype = DType::kF32) {
  ConvertOptions options;
  options.weight_dtype = dtype;
  return convert_checkpoint(f.checkpoint.path(), f.out_path(), options);
}

// Every tensor of `file` holds tiny_value(t, i) for the checkpoint's tensor t.
void check_values(const GriffinFile& file, const std::vector<RawTensor>& source) {
  for (const TensorView& view : file.tensors()) {
    const size_t t = tensor_index(source, view.record->name);
    const int64_t count = element_count(view.record->shape);
    int mismatches = 0;
    for (int64_t i = 0; i < count; ++i) {
      mismatches += load_as_f32(view.record->dtype, view.data, i) != tiny_value(t, i);
    }
    INFO(view.record->name);
    CHECK(mismatches == 0);
  }
}

void expect_refusal(const Fixture& f, const std::string& fragment1, const std::string& fragment2) {
  const Status status = convert(f);
  REQUIRE_FALSE(status.ok());
  CHECK_THAT(status.message(), Catch::Contains(fragment1));
  CHECK_THAT(status.message(), Catch::Contains(fragment2));
  CHECK(f.output.list().empty());  // no output, no temporary file
}

}  // namespace

TEST_CASE("A tiny checkpoint converts with exact values", "[converter][convert]") {
  Fixture f;
  const std::string source_dtype = GENERATE(std::string("F32"), std::string("BF16"),
                                            std::string("F16"));
  const auto tensors = tiny_tensors(f.model, source_dtype);
  write_checkpoint(f.checkpoint.path(), tiny_config_json(f.model), tensors);
  const DType out_dtype = GENERATE(DType::kF32, DType::kBF16, DType::kF16);
  INFO("source " << source_dtype << " -> " << dtype_name(out_dtype));
  REQUIRE(convert(f, out_dtype).ok());
  CHECK(f.output.list() == std::vector<std::string>{"model.griffin"});
  auto file = GriffinFile::open(f.out_path());
  REQUIRE(file.ok());
  CHECK(file.value()->config().width == 8);
  CHECK(file.value()->tensors().size() == tensors.size());
  CHECK(file.value()->find("model.embed_tokens.weight")->record->dtype == out_dtype);
  CHECK(file.value()->find("model.layers.0.temporal_block.rg_lru.recurrent_param")->record->dtype ==
        DType::kF32);
  const std::string name = dtype_name(out_dtype);
  CHECK(file.value()->header().metadata.dtype_recipe ==
        "matrices=" + name + " embedding=" + name + " gates=" + name + " small=f32");
  CHECK(file.value()->header().tokenizer.sentencepiece_model.empty());
  check_values(*file.value(), tensors);
}

TEST_CASE("Narrowing to bf16 rounds to nearest even", "[converter][convert]") {
  Fixture f;
  auto tensors = tiny_tensors(f.model, "F32");
  const size_t embed = tensor_index(tensors, "model.embed_tokens.weight");
  std::vector<float> values(static_cast<size_t>(f.model.vocab * f.model.width), 0.5f);
  uint32_t halfway_even = 0x3f808000u, halfway_odd = 0x3f818000u;
  std::memcpy(&values[0], &halfway_even, 4);
  std::memcpy(&values[1], &halfway_odd, 4);
  tensors[embed].bytes = f32_bytes(values);
  write_checkpoint(f.checkpoint.path(), tiny_config_json(f.model), tensors);
  REQUIRE(convert(f, DType::kBF16).ok());
  auto file = GriffinFile::open(f.out_path());
  REQUIRE(file.ok());
  const uint16_t* bits =
      static_cast<const uint16_t*>(file.value()->find("model.embed_tokens.weight")->data);
  CHECK(bits[0] == 0x3f80);
  CHECK(bits[1] == 0x3f82);
  CHECK(bits[2] == 0x3f00);  // 0.5
}

TEST_CASE("A sharded checkpoint converts to the same tensors", "[converter][convert]") {
  Fixture f;
  const auto tensors = tiny_tensors(f.model, "BF16");
  write_checkpoint(f.checkpoint.path(), tiny_config_json(f.model), tensors, 3);
  REQUIRE(f.checkpoint.list().size() == 5);  // config, index, three shards
  REQUIRE(convert(f).ok());
  auto file = GriffinFile::open(f.out_path());
  REQUIRE(file.ok());
  check_values(*file.value(), tensors);
}

TEST_CASE("A tied lm_head copy is ignored", "[converter][convert]") {
  Fixture f;
  auto tensors = tiny_tensors(f.model, "F32");
  RawTensor head = tensors[tensor_index(tensors, "model.embed_tokens.weight")];
  head.name = "lm_head.weight";
  tensors.push_back(head);
  write_checkpoint(f.checkpoint.path(), tiny_config_json(f.model), tensors);
  REQUIRE(convert(f).ok());
  auto file = GriffinFile::open(f.out_path());
  REQUIRE(file.ok());
  CHECK(file.value()->find("lm_head.weight") == nullptr);
}

TEST_CASE("tokenizer.model is embedded byte for byte", "[converter][convert]") {
  Fixture f;
  write_checkpoint(f.checkpoint.path(), tiny_config_json(f.model), tiny_tensors(f.model, "F32"));
  const std::string tokenizer = read_file(GRIFFIN_TEST_DATA_DIR "/tiny_tokenizer.model");
  SECTION("a valid model") {
    f.model.vocab = 200;  // the tiny tokenizer has 200 pieces
    write_checkpoint(f.checkpoint.path(), tiny_config_json(f.model),
                     tiny_tensors(f.model, "F32"));
    write_file(f.checkpoint.file("tokenizer.model"), tokenizer);
    REQUIRE(convert(f).ok());
    auto file = GriffinFile::open(f.out_path());
    REQUIRE(file.ok());
    CHECK(std::string(file.value()->header().tokenizer.sentencepiece_model) == tokenizer);
    CHECK(file.value()->header().tokenizer.bos_id == 2);
    CHECK(file.value()->header().tokenizer.start_of_turn == "<start_of_turn>");
  }
  SECTION("more pieces than the model's vocabulary") {
    write_file(f.checkpoint.file("tokenizer.model"), tokenizer);
    expect_refusal(f, "tokenizer.model", "200 pieces");
  }
  SECTION("not a SentencePiece model") {
    write_file(f.checkpoint.file("tokenizer.model"), "not a protobuf");
    expect_refusal(f, "tokenizer.model", "not a SentencePiece model");
  }
}

TEST_CASE("Bad checkpoints are refused with the file and tensor named", "[converter][convert]") {
  Fixture f;
  auto tensors = tiny_tensors(f.model, "F32");
  nlohmann::json config = tiny_config_json(f.model);
  const std::string up = "model.layers.1.mlp_block.up_proj.weight";
  SECTION("missing tensor") {
    tensors.erase(tensors.begin() + tensor_index(tensors, up));
    write_checkpoint(f.checkpoint.path(), config, tensors);
    expect_refusal(f, up, "is missing");
  }
  SECTION("unexpected tensor") {
    tensors.push_back({"model.layers.0.temporal_block.q_proj.weight", "F32", {1}, f32_bytes({1})});
    write_checkpoint(f.checkpoint.path(), config, tensors);
    expect_refusal(f, "unexpected tensor model.layers.0.temporal_block.q_proj.weight",
                   "model.safetensors");
  }
  SECTION("wrong shape") {
    tensors[tensor_index(tensors, up)].shape = {8, 16};  // transposed
    write_checkpoint(f.checkpoint.path(), config, tensors);
    expect_refusal(f, up, "has shape [8, 16], but config.json implies [16, 8]");
  }
  SECTION("unsupported dtype") {
    RawTensor& t = tensors[tensor_index(tensors, up)];
    t.dtype = "F64";
    t.bytes += t.bytes;  // 8 bytes per element
    write_checkpoint(f.checkpoint.path(), config, tensors);
    expect_refusal(f, up, "dtype F64");
  }
  SECTION("truncated safetensors") {
    write_checkpoint(f.checkpoint.path(), config, tensors);
    const std::string bytes = read_file(f.checkpoint.file("model.safetensors"));
    write_file(f.checkpoint.file("model.safetensors"), bytes.substr(0, bytes.size() - 10));
    expect_refusal(f, "model.safetensors", "past the end");
  }
  SECTION("malformed safetensors header") {
    write_checkpoint(f.checkpoint.path(), config, tensors);
    std::string bytes = read_file(f.checkpoint.file("model.safetensors"));
    bytes[9] = '!';
    write_file(f.checkpoint.file("model.safetensors"), bytes);
    expect_refusal(f, "model.safetensors", "malformed safetensors header");
  }
  SECTION("bad JSON in config.json") {
    write_checkpoint(f.checkpoint.path(), config, tensors);
    write_file(f.checkpoint.file("config.json"), "{\"hidden_size\": 8,");
    expect_refusal(f, "config.json", "bad JSON");
  }
  SECTION("config and shapes disagree") {
    config["num_key_value_heads"] = 2;
    write_checkpoint(f.checkpoint.path(), config, tensors);
    expect_refusal(f, "num_key_value_heads 2", "k_proj");
  }
  SECTION("no config.json") {
    write_file(f.checkpoint.file("model.safetensors"), encode_safetensors(tensors));
    expect_refusal(f, "config.json", "cannot open");
  }
  SECTION("no weights") {
    write_file(f.checkpoint.file("config.json"), config.dump());
    expect_refusal(f, "no model.safetensors", f.checkpoint.path());
  }
  SECTION("index names a shard without the tensor") {
    write_checkpoint(f.checkpoint.path(), config, tensors, 2);
    std::string index = read_file(f.checkpoint.file("model.safetensors.index.json"));
    nlohmann::json json = nlohmann::json::parse(index);
    json["weight_map"]["model.extra.weight"] = "model-00001-of-00002.safetensors";
    write_file(f.checkpoint.file("model.safetensors.index.json"), json.dump());
    expect_refusal(f, "model.extra.weight", "does not contain it");
  }
}

TEST_CASE("A failed conversion leaves an existing output untouched", "[converter][convert]") {
  Fixture f;
  write_file(f.out_path(), "previous model");
  auto tensors = tiny_tensors(f.model, "F32");
  tensors.pop_back();
  write_checkpoint(f.checkpoint.path(), tiny_config_json(f.model), tensors);
  REQUIRE_FALSE(convert(f).ok());
  CHECK(read_file(f.out_path()) == "previous model");
  CHECK(f.output.list() == std::vector<std::string>{"model.griffin"});
}

TEST_CASE("Cancellation stops the write and removes the partial file", "[converter][convert]") {
  Fixture f;
  write_checkpoint(f.checkpoint.path(), tiny_config_json(f.model), tiny_tensors(f.model, "F32"));
  volatile std::sig_atomic_t cancel = 1;
  ConvertOptions options;
  options.stream.cancel = &cancel;
  const Status status = convert_checkpoint(f.checkpoint.path(), f.out_path(), options);
  REQUIRE_FALSE(status.ok());
  CHECK_THAT(status.message(), Catch::Contains("interrupted"));
  CHECK(f.output.list().empty());
}
