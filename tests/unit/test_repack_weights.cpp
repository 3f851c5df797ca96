// griffin_model_options.repack_weights (docs/quantization.md "Repacked weights"): on AVX-512
// VNNI the int4 matrices, and the int8 ones with int8 activations, are copied at open into the
// kernel's 32-row blocks. The bytes it reports must be those the config gives (every layer
// matrix's whole 32-row blocks, counted here from the widths), prefill must give the default's
// bits, decode those of a prefill of the same tokens, and a batch of up to four each session's
// lone bits. Elsewhere the option must change nothing and report 0.
#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <vector>

#include "converter/synthetic.h"
#include "griffin/griffin.h"
#include "tests/support/fixture_models.h"
#include "tests/support/small_models.h"
#include "tests/support/test_files.h"

using namespace griffin;
using namespace griffin::test;

namespace {

// mlp_width 2,600: 81 blocks of 32 rows and 8 rows as stored; the down projection's rows of
// 2,624 padded columns are a 64- and an 18-group block of groups.
const Widths kWidths{256, 256, 2600, 4, 64, 512};

std::string write_model(const TempDir& dir, DType dtype) {
  const std::string path = dir.file(std::string("repack-") + dtype_name(dtype) + ".griffin");
  SyntheticOptions options;
  options.weight_dtype = dtype;
  REQUIRE(write_synthetic_griffin(tiny_config_with(kWidths), path, options).ok());
  return path;
}

// What repacking the layers' matrices of `config` takes: each matrix's whole 32-row blocks of
// its input padded to 32 columns, a byte each for int8; for int4 half a byte each and the rows'
// f16 scale of every 32 columns.
uint64_t expected_repacked_bytes(const ModelConfig& c, DType dtype) {
  const uint64_t group_bytes = dtype == DType::kInt8 ? 32 * 32 : 32 * 16 + 32 * 2;
  const auto bytes = [&](int64_t out, int64_t in) {
    return static_cast<uint64_t>(out / 32) * static_cast<uint64_t>((in + 31) / 32) * group_bytes;
  };
  uint64_t total = 0;
  for (BlockType type : c.block_types) {
    if (type == BlockType::kRecurrent) {
      total += 2 * bytes(c.lru_width, c.width) + bytes(c.width, c.lru_width);
    } else {
      const int64_t q = c.num_heads * c.head_dim, kv = c.num_kv_heads * c.head_dim;
      total += bytes(q, c.width) + 2 * bytes(kv, c.width) + bytes(c.width, q);
    }
    total += 2 * bytes(c.mlp_width, c.width) + bytes(c.width, c.mlp_width);
  }
  return total;
}

griffin_model* open_with(const std::string& path, bool repack, int32_t scale,
                         uint64_t max_memory = 0, griffin_status expect = GRIFFIN_OK,
                         bool copy_weights = false) {
  griffin_model_options options = griffin_model_default_options();
  options.copy_weights = copy_weights;
  options.num_threads = 2;
  options.int8_activations = true;
  options.activation_scale = scale;
  options.repack_weights = repack;
  options.max_memory_bytes = max_memory;
  options.max_batch = 4;
  griffin_model* model = nullptr;
  REQUIRE(griffin_model_open(path.c_str(), &options, &model) == expect);
  return model;
}

griffin_memory_plan plan_of(const griffin_model* model) {
  griffin_memory_plan plan;
  std::memset(&plan, 0, sizeof plan);
  plan.struct_size = sizeof plan;
  REQUIRE(griffin_model_memory_plan(model, nullptr, &plan) == GRIFFIN_OK);
  return plan;
}

bool runs_repacked_kernel(const griffin_model* model, DType dtype) {
  const char* kernels = nullptr;
  REQUIRE(griffin_model_kernels(model, &kernels) == GRIFFIN_OK);
  const char* kernel =
      dtype == DType::kInt8 ? "qd8-qs8w-gemm avx512vnni" : "qd8-qs4w-gemm avx512vnni";
  return std::string(kernels).find(kernel) != std::string::npos;
}

const DType kRepackedTypes[] = {DType::kInt8, DType::kInt4};

std::vector<float> logits_of(griffin_session* session) {
  const float* logits = nullptr;
  size_t n = 0;
  REQUIRE(griffin_session_logits(session, &logits, &n) == GRIFFIN_OK);
  return std::vector<float>(logits, logits + n);
}

std::vector<int32_t> prompt_tokens() {
  std::vector<int32_t> prompt;
  for (int32_t i = 0; i < 70; ++i) prompt.push_back(2 + (37 * i) % 500);
  return prompt;
}

// Every prompt token's logits of a 70-token prefill (chunks of 64 and 6) into `session`, or into
// a session of its own when null.
std::vector<float> prefill_logits(griffin_model* model, griffin_session* session = nullptr) {
  griffin_session* own = nullptr;
  if (session == nullptr) {
    REQUIRE(griffin_session_create(model, nullptr, nullptr, 0, &own) == GRIFFIN_OK);
    session = own;
  }
  const std::vector<int32_t> prompt = prompt_tokens();
  std::vector<float> all(prompt.size() * static_cast<size_t>(model_info(model).vocab_size));
  REQUIRE(griffin_session_prefill(session, prompt.data(), prompt.size(), all.data(), all.size()) ==
          GRIFFIN_OK);
  griffin_session_destroy(own);
  return all;
}

}  // namespace

TEST_CASE("repack_weights prefills with the default's bits and decodes with the prefill's",
          "[memory][repack]") {
  TempDir dir;
  const ModelConfig config = tiny_config_with(kWidths);
  for (DType dtype : kRepackedTypes) {
    const std::string path = write_model(dir, dtype);
    for (int32_t scale : {GRIFFIN_ACTIVATION_SCALE_PER_GROUP, GRIFFIN_ACTIVATION_SCALE_PER_TOKEN,
                          GRIFFIN_ACTIVATION_SCALE_POWER_OF_TWO}) {
      INFO(dtype_name(dtype) << ", activation scale " << scale);
      griffin_model* stored = open_with(path, false, scale);
      griffin_model* repacked = open_with(path, true, scale);
      const bool vnni = runs_repacked_kernel(repacked, dtype);
      if (!vnni) WARN("no AVX-512 VNNI here: repack_weights must change nothing");
      const uint64_t expected = vnni ? expected_repacked_bytes(config, dtype) : 0;
      CHECK(model_info(stored).weights_repacked_bytes == 0);
      CHECK(model_info(repacked).weights_repacked_bytes == expected);
      CHECK(plan_of(repacked).weights_repacked_bytes == expected);
      CHECK(plan_of(repacked).model_bytes == plan_of(stored).model_bytes + expected);

      griffin_session* b = nullptr;
      REQUIRE(griffin_session_create(repacked, nullptr, nullptr, 0, &b) == GRIFFIN_OK);
      CHECK(prefill_logits(repacked, b) == prefill_logits(stored));
      // Decoding reads the same repacked blocks as prefill: three decoded tokens give the logits
      // of a prefill of the same 73 tokens, bit for bit (the stored rows' decode kernel sums in
      // another order: here up to 0.7 % of the largest logit away with per-token scales, a
      // rounding step of an int8 activation amplified). Without the kernel, nothing to check.
      std::vector<int32_t> tokens = {7, 300, 41};
      for (int32_t token : tokens) {
        REQUIRE(griffin_session_decode(b, token, nullptr) == GRIFFIN_OK);
      }
      griffin_session* c = nullptr;
      REQUIRE(griffin_session_create(stored, nullptr, nullptr, 0, &c) == GRIFFIN_OK);
      std::vector<int32_t> prompt = prompt_tokens();
      prompt.insert(prompt.end(), tokens.begin(), tokens.end());
      REQUIRE(griffin_session_prefill(c, prompt.data(), prompt.size(), nullptr, 0) == GRIFFIN_OK);
      if (vnni) CHECK(logits_of(b) == logits_of(c));
      griffin_session_destroy(c);
      griffin_session_destroy(b);
      griffin_model_close(stored);
      griffin_model_close(repacked);
    }
  }
}

TEST_CASE("repack_weights gives a batch of up to four each session's lone bits",
          "[memory][repack][batch]") {
  TempDir dir;
  for (DType dtype : kRepackedTypes) {
    INFO(dtype_name(dtype));
    const std::string path = write_model(dir, dtype);
    griffin_model* model = open_with(path, true, GRIFFIN_ACTIVATION_SCALE_PER_TOKEN);
    constexpr size_t kSessions = 3;
    griffin_session* batch[kSessions];
    griffin_session* alone[kSessions];
    for (size_t i = 0; i < kSessions; ++i) {
      REQUIRE(griffin_session_create(model, nullptr, nullptr, 0, &batch[i]) == GRIFFIN_OK);
      REQUIRE(griffin_session_create(model, nullptr, nullptr, 0, &alone[i]) == GRIFFIN_OK);
      const int32_t prompt[] = {2, static_cast<int32_t>(10 + i), 77};
      REQUIRE(griffin_session_prefill(batch[i], prompt, 3, nullptr, 0) == GRIFFIN_OK);
      REQUIRE(griffin_session_prefill(alone[i], prompt, 3, nullptr, 0) == GRIFFIN_OK);
    }
    for (int32_t step = 0; step < 3; ++step) {
      int32_t tokens[kSessions];
      for (size_t i = 0; i < kSessions; ++i) tokens[i] = 5 + 11 * step + static_cast<int32_t>(i);
      REQUIRE(griffin_batch_decode(batch, tokens, kSessions) == GRIFFIN_OK);
      for (size_t i = 0; i < kSessions; ++i) {
        REQUIRE(griffin_session_decode(alone[i], tokens[i], nullptr) == GRIFFIN_OK);
        INFO("step " << step << " session " << i);
        CHECK(logits_of(batch[i]) == logits_of(alone[i]));
      }
    }
    for (size_t i = 0; i < kSessions; ++i) {
      griffin_session_destroy(batch[i]);
      griffin_session_destroy(alone[i]);
    }
    griffin_model_close(model);
  }
}

TEST_CASE("repack_weights repacks a private copy too, with the same bits", "[memory][repack]") {
  // copy_weights reads the file into private memory, whose pages the repack must leave alone
  // (only a file mapping gives them back).
  TempDir dir;
  for (DType dtype : kRepackedTypes) {
    INFO(dtype_name(dtype));
    const std::string path = write_model(dir, dtype);
    griffin_model* stored = open_with(path, false, GRIFFIN_ACTIVATION_SCALE_PER_GROUP);
    griffin_model* copied =
        open_with(path, true, GRIFFIN_ACTIVATION_SCALE_PER_GROUP, 0, GRIFFIN_OK, true);
    CHECK(model_info(copied).weights_repacked_bytes ==
          (runs_repacked_kernel(copied, dtype)
               ? expected_repacked_bytes(tiny_config_with(kWidths), dtype)
               : 0));
    CHECK(prefill_logits(copied) == prefill_logits(stored));
    griffin_model_close(stored);
    griffin_model_close(copied);
  }
}

TEST_CASE("repack_weights counts against max_memory_bytes and skips what it cannot repack",
          "[memory][repack]") {
  TempDir dir;
  std::string int8_path;
  for (DType dtype : kRepackedTypes) {
    INFO(dtype_name(dtype));
    const std::string path = write_model(dir, dtype);
    if (dtype == DType::kInt8) int8_path = path;
    griffin_model* stored = open_with(path, false, GRIFFIN_ACTIVATION_SCALE_PER_GROUP);
    const uint64_t stored_bytes = plan_of(stored).model_bytes;
    const bool vnni = runs_repacked_kernel(stored, dtype);
    griffin_model_close(stored);
    if (vnni) {
      // Room for the model as stored, not for the repacked copy too.
      open_with(path, true, GRIFFIN_ACTIVATION_SCALE_PER_GROUP, stored_bytes,
                GRIFFIN_ERR_OUT_OF_MEMORY);
      CHECK_THAT(griffin_last_error(), Catch::Contains("repack_weights"));
    } else {
      WARN("no AVX-512 VNNI here: the refusal is not reached");
    }
  }
  // int8 matrices with f32 activations are not repacked.
  griffin_model_options options = griffin_model_default_options();
  options.repack_weights = true;
  griffin_model* f32_activations = nullptr;
  REQUIRE(griffin_model_open(int8_path.c_str(), &options, &f32_activations) == GRIFFIN_OK);
  CHECK(model_info(f32_activations).weights_repacked_bytes == 0);
  griffin_model_close(f32_activations);
}
