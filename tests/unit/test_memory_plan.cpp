// The memory plan against sizes computed here from the shapes alone (docs/griffin-math.md §9), and
// the runtime's measured memory against the plan.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "converter/convert.h"
#include "format/model_config.h"
#include "griffin/griffin.h"
#include "plan/memory_plan.h"
#include "tests/support/test_files.h"

using namespace griffin;
using namespace griffin::test;

namespace {

constexpr uint64_t MiB = 1024 * 1024;

SessionOptions options_with(DType kv_dtype, int64_t max_context = 4096, int64_t chunk = 64) {
  SessionOptions options;
  options.kv_dtype = kv_dtype;
  options.max_context = max_context;
  options.prefill_chunk = chunk;
  return options;
}

// Scratch of one chunk of T tokens, written out from the buffer list in memory_plan.h.
uint64_t scratch_bytes(uint64_t T, uint64_t D, uint64_t L, uint64_t E, uint64_t H, uint64_t KV,
                       uint64_t hd) {
  const uint64_t q = H * hd;
  const uint64_t floats = 3 * T * D + T * std::max({L, q, E}) + T * std::max(L, E) +
                          T * std::max(L, q) + 2 * T * L + 2 * T * KV * hd + hd;
  return floats * 4 + T * 8;  // + int64 positions
}

}  // namespace

TEST_CASE("RecurrentGemma-2B session plan with a bf16 KV cache", "[memory][plan]") {
  const ModelConfig c = preset_config("recurrentgemma-2b").value();
  const SessionLayout layout = plan_session(c, options_with(DType::kBF16));
  // 8 attention layers x (K and V) x 2048 slots x 256 dims x 2 bytes = 16 MiB.
  CHECK(layout_bytes(layout, RegionKind::kKvCache) == 16 * MiB);
  CHECK(layout_bytes(layout, RegionKind::kRglruState) == 18ull * 2560 * 4);
  CHECK(layout_bytes(layout, RegionKind::kConvState) == 18ull * 3 * 2560 * 4);
  CHECK(layout_bytes(layout, RegionKind::kLogits) == 256000ull * 4);
  CHECK(layout_bytes(layout, RegionKind::kSampler) == 256000ull * 8);
  CHECK(layout_bytes(layout, RegionKind::kHistory) == 256ull * 4);
  CHECK(layout_bytes(layout, RegionKind::kScratch) ==
        scratch_bytes(64, 2560, 2560, 7680, 10, 1, 256));
  uint64_t sum = 0;
  for (const Buffer& buffer : layout.buffers) sum += buffer.bytes;
  CHECK(layout.total_bytes == sum);  // every buffer is a multiple of 64 bytes here: no padding
  // f32 doubles the cache.
  CHECK(layout_bytes(plan_session(c, options_with(DType::kF32)), RegionKind::kKvCache) == 32 * MiB);
}

TEST_CASE("RecurrentGemma-9B KV cache with bf16 is 24 MiB", "[memory][plan]") {
  const ModelConfig c = preset_config("recurrentgemma-9b").value();
  const SessionLayout layout = plan_session(c, options_with(DType::kBF16));
  CHECK(layout_bytes(layout, RegionKind::kKvCache) == 24 * MiB);
  CHECK(layout_bytes(layout, RegionKind::kRglruState) == 26ull * 4096 * 4);
}

TEST_CASE("Griffin's plan does not depend on context length but MQA's grows with it",
          "[memory][plan]") {
  const ModelConfig griffin = preset_config("recurrentgemma-2b").value();
  CHECK(plan_session(griffin, options_with(DType::kBF16, 4096)).total_bytes ==
        plan_session(griffin, options_with(DType::kBF16, 1 << 20)).total_bytes);
  const ModelConfig mqa = preset_config("mqa-transformer-2b").value();
  const uint64_t at_4k =
      layout_bytes(plan_session(mqa, options_with(DType::kBF16, 4096)), RegionKind::kKvCache);
  const uint64_t at_8k =
      layout_bytes(plan_session(mqa, options_with(DType::kBF16, 8192)), RegionKind::kKvCache);
  CHECK(at_4k == 26ull * 2 * 4096 * 256 * 2);
  CHECK(at_8k == 2 * at_4k);
}

TEST_CASE("Widths of a block kind the model lacks plan no memory", "[memory][plan]") {
  // No weight of a Hawk model has head_dim or num_heads · head_dim in its shape, and none of an
  // MQA Transformer's has lru_width: a corrupt header can set them to anything validate_config
  // admits (up to 2^24), and a fuzzed Hawk file with head_dim 2^23 once planned a 13 GB session.
  const ModelConfig hawk = preset_config("hawk-2b").value();
  ModelConfig hawk_wide = hawk;
  hawk_wide.head_dim = int64_t{1} << 23;
  hawk_wide.num_kv_heads = hawk_wide.num_heads;
  const SessionLayout hawk_layout = plan_session(hawk_wide, options_with(DType::kBF16));
  CHECK(hawk_layout.total_bytes == plan_session(hawk, options_with(DType::kBF16)).total_bytes);
  // Scratch as the recurrent and MLP blocks need it, with no attention widths at all.
  CHECK(layout_bytes(hawk_layout, RegionKind::kScratch) ==
        scratch_bytes(64, 2560, 2560, 7680, 0, 1, 0));
  CHECK(layout_bytes(hawk_layout, RegionKind::kKvCache) == 0);

  const ModelConfig mqa = preset_config("mqa-transformer-2b").value();
  ModelConfig mqa_wide = mqa;
  mqa_wide.lru_width = int64_t{1} << 24;
  const SessionLayout mqa_layout = plan_session(mqa_wide, options_with(DType::kBF16, 4096));
  CHECK(mqa_layout.total_bytes == plan_session(mqa, options_with(DType::kBF16, 4096)).total_bytes);
  CHECK(layout_bytes(mqa_layout, RegionKind::kScratch) ==
        scratch_bytes(64, 2560, 0, 7680, 10, 1, 256));
  CHECK(layout_bytes(mqa_layout, RegionKind::kRglruState) == 0);
}

TEST_CASE("Mapped weight bytes follow the dtype recipe", "[memory][plan]") {
  const ModelConfig c = preset_config("recurrentgemma-2b").value();
  // Small (always f32) parameters, counted from docs/griffin-math.md §2: final norm; per layer two
  // norms and the MLP biases; recurrent biases, conv taps and bias, Λ', gate biases; the
  // attention output bias.
  const uint64_t D = 2560, L = 2560, E = 7680, K = 4;
  const uint64_t small =
      D + 26 * (2 * D + 2 * E + D) + 18 * (2 * L + D + K * L + L + L + 2 * L) + 8 * D;
  const uint64_t total = 2682862080ull;
  // The RG-LRU gate blocks: 18 layers x 2 gates x 10 blocks of 256 x 256.
  const uint64_t gates = 18ull * 2 * 10 * 256 * 256;
  CHECK(mapped_weight_bytes(c, recipe_dtypes(DType::kBF16, DType::kBF16)) ==
        (total - small) * 2 + small * 4);
  CHECK(mapped_weight_bytes(c, recipe_dtypes(DType::kF32, DType::kF32)) == total * 4);
  // f32 weights: XNNPACK packs an f32 copy of every matrix but the gate blocks, at least 4
  // bytes per parameter.
  const ModelMemoryPlan f32 =
      plan_model_memory(c, recipe_dtypes(DType::kF32, DType::kF32), options_with(DType::kBF16));
  CHECK(f32.weights_packed >= (total - small - gates) * 4);
  CHECK(f32.weights_packed <= (total - small - gates) * 4 * 1.02);
  // bf16 and quantized weights are read in place and the gate blocks run on our f32 kernel
  // over copies made at load: nothing is packed, the gates (and their biases) are prepared.
  const ModelMemoryPlan int4 =
      plan_model_memory(c, recipe_dtypes(DType::kInt4, DType::kInt8), options_with(DType::kBF16));
  CHECK(int4.weights_packed == 0);
  CHECK(int4.weights_prepared >= (gates + 18ull * 2 * 2560) * 4);
  CHECK(int4.weights_prepared == f32.weights_prepared);
  // int4 matrices: 4 bits + an f16 scale per 32 values; the int8 embedding: 1 byte + an f32
  // scale per row; the gates f32.
  const uint64_t matrices = total - small - gates - 256000ull * 2560;
  CHECK(int4.weights_mapped >=
        matrices / 2 + matrices / 16 + 256000ull * (2560 + 4) + gates * 4 + small * 4);
  CHECK(int4.weights_mapped <=
        (matrices / 2 + matrices / 16 + 256000ull * (2560 + 4) + gates * 4 + small * 4) +
            484 * 64);  // 64-byte scale alignment
}

TEST_CASE("A session uses exactly its planned arena and XNNPACK stays inside the plan",
          "[memory][plan]") {
  TempDir dir;
  const std::string path = dir.file("griffin.griffin");
  REQUIRE(
      convert_checkpoint(std::string(GRIFFIN_TEST_DATA_DIR) + "/fixtures/griffin", path, {}).ok());
  griffin_memory_plan before_open = {};
  before_open.struct_size = sizeof before_open;
  REQUIRE(griffin_file_memory_plan(path.c_str(), nullptr, &before_open) == GRIFFIN_OK);
  griffin_model* model = nullptr;
  REQUIRE(griffin_model_open(path.c_str(), nullptr, &model) == GRIFFIN_OK);
  griffin_memory_plan plan = {};
  plan.struct_size = sizeof plan;
  REQUIRE(griffin_model_memory_plan(model, nullptr, &plan) == GRIFFIN_OK);
  CHECK(plan.total_bytes == before_open.total_bytes);
  // The griffin fixture: D 16, L 24, E 32, H 2, KV 1, hd 8, K 4, Wn 5, V 80, RRARRA, chunk 64.
  CHECK(plan.kv_cache_bytes == 2ull * 2 * 5 * 8 * 4);
  CHECK(plan.rglru_state_bytes == 4ull * 24 * 4);
  CHECK(plan.conv_state_bytes == 4ull * 3 * 24 * 4);
  CHECK(plan.scratch_bytes == scratch_bytes(64, 16, 24, 32, 2, 1, 8));
  griffin_session* session = nullptr;
  REQUIRE(griffin_session_create(model, nullptr, nullptr, 0, &session) == GRIFFIN_OK);
  griffin_memory_usage usage = {};
  usage.struct_size = sizeof usage;
  REQUIRE(griffin_memory_usage_get(model, session, &usage) == GRIFFIN_OK);
  CHECK(usage.session_bytes == plan.session_bytes);
  CHECK(usage.session_used_bytes == plan.session_bytes);
  CHECK(usage.xnnpack_bytes > 0);
  CHECK(usage.xnnpack_bytes <= plan.weights_packed_bytes);
  griffin_session_destroy(session);
  griffin_model_close(model);
}

TEST_CASE("A caller-provided arena of exactly the planned size works", "[memory][plan]") {
  TempDir dir;
  const std::string path = dir.file("gqa.griffin");
  REQUIRE(convert_checkpoint(std::string(GRIFFIN_TEST_DATA_DIR) + "/fixtures/gqa", path, {}).ok());
  griffin_model* model = nullptr;
  REQUIRE(griffin_model_open(path.c_str(), nullptr, &model) == GRIFFIN_OK);
  griffin_session_options options = griffin_session_default_options();
  options.kv_dtype = GRIFFIN_DTYPE_BF16;
  options.prefill_chunk = 3;
  griffin_memory_plan plan = {};
  plan.struct_size = sizeof plan;
  REQUIRE(griffin_model_memory_plan(model, &options, &plan) == GRIFFIN_OK);
  void* buffer = std::aligned_alloc(64, plan.session_bytes);
  griffin_session* own = nullptr;
  griffin_session* given = nullptr;
  REQUIRE(griffin_session_create(model, &options, nullptr, 0, &own) == GRIFFIN_OK);
  REQUIRE(griffin_session_create(model, &options, buffer, plan.session_bytes, &given) ==
          GRIFFIN_OK);
  const int32_t tokens[10] = {2, 9, 8, 7, 6, 5, 4, 3, 10, 11};
  REQUIRE(griffin_session_prefill(own, tokens, 10, nullptr, 0) == GRIFFIN_OK);
  REQUIRE(griffin_session_prefill(given, tokens, 10, nullptr, 0) == GRIFFIN_OK);
  const float* a = nullptr;
  const float* b = nullptr;
  size_t vocab = 0;
  REQUIRE(griffin_session_logits(own, &a, &vocab) == GRIFFIN_OK);
  REQUIRE(griffin_session_logits(given, &b, nullptr) == GRIFFIN_OK);
  CHECK(std::vector<float>(a, a + vocab) == std::vector<float>(b, b + vocab));
  CHECK(reinterpret_cast<const char*>(b) >= static_cast<char*>(buffer));
  CHECK(reinterpret_cast<const char*>(b) < static_cast<char*>(buffer) + plan.session_bytes);
  griffin_session_destroy(given);
  griffin_session_destroy(own);
  std::free(buffer);

  // One byte short is refused with both numbers.
  buffer = std::aligned_alloc(64, plan.session_bytes);
  CHECK(griffin_session_create(model, &options, buffer, plan.session_bytes - 1, &given) ==
        GRIFFIN_ERR_OUT_OF_MEMORY);
  const std::string message = griffin_last_error();
  CHECK_THAT(message, Catch::Contains(std::to_string(plan.session_bytes - 1)));
  CHECK_THAT(message, Catch::Contains(std::to_string(plan.session_bytes)));
  std::free(buffer);
  griffin_model_close(model);
}

TEST_CASE("Memory budgets below the plan are refused with both numbers", "[memory][plan]") {
  TempDir dir;
  const std::string path = dir.file("hawk.griffin");
  REQUIRE(convert_checkpoint(std::string(GRIFFIN_TEST_DATA_DIR) + "/fixtures/hawk", path, {}).ok());
  griffin_memory_plan plan = {};
  plan.struct_size = sizeof plan;
  REQUIRE(griffin_file_memory_plan(path.c_str(), nullptr, &plan) == GRIFFIN_OK);
  griffin_model_options model_options = griffin_model_default_options();
  model_options.max_memory_bytes = plan.model_bytes - 1;
  griffin_model* model = nullptr;
  CHECK(griffin_model_open(path.c_str(), &model_options, &model) == GRIFFIN_ERR_OUT_OF_MEMORY);
  CHECK_THAT(std::string(griffin_last_error()),
             Catch::Contains(std::to_string(plan.model_bytes)) &&
                 Catch::Contains(std::to_string(plan.model_bytes - 1)));
  CHECK(model == nullptr);
  model_options.max_memory_bytes = plan.model_bytes;
  REQUIRE(griffin_model_open(path.c_str(), &model_options, &model) == GRIFFIN_OK);
  griffin_session_options options = griffin_session_default_options();
  options.max_memory_bytes = plan.session_bytes - 1;
  griffin_session* session = nullptr;
  CHECK(griffin_session_create(model, &options, nullptr, 0, &session) == GRIFFIN_ERR_OUT_OF_MEMORY);
  CHECK_THAT(std::string(griffin_last_error()),
             Catch::Contains(std::to_string(plan.session_bytes)));
  options.max_memory_bytes = plan.session_bytes;
  REQUIRE(griffin_session_create(model, &options, nullptr, 0, &session) == GRIFFIN_OK);
  griffin_session_destroy(session);
  griffin_model_close(model);
}

TEST_CASE("A bf16 KV cache gives the same logits by prefill and by decode", "[memory][plan]") {
  TempDir dir;
  const std::string path = dir.file("griffin.griffin");
  REQUIRE(
      convert_checkpoint(std::string(GRIFFIN_TEST_DATA_DIR) + "/fixtures/griffin", path, {}).ok());
  griffin_model* model = nullptr;
  REQUIRE(griffin_model_open(path.c_str(), nullptr, &model) == GRIFFIN_OK);
  griffin_session_options options = griffin_session_default_options();
  options.kv_dtype = GRIFFIN_DTYPE_BF16;
  options.prefill_chunk = 7;
  griffin_session* prefill = nullptr;
  griffin_session* decode = nullptr;
  REQUIRE(griffin_session_create(model, &options, nullptr, 0, &prefill) == GRIFFIN_OK);
  REQUIRE(griffin_session_create(model, &options, nullptr, 0, &decode) == GRIFFIN_OK);
  std::vector<int32_t> tokens;
  for (int i = 0; i < 20; ++i) tokens.push_back(2 + (i * 7) % 70);
  std::vector<float> all(20 * 80);
  REQUIRE(griffin_session_prefill(prefill, tokens.data(), 20, all.data(), all.size()) ==
          GRIFFIN_OK);
  float worst = 0.0f;
  for (int t = 0; t < 20; ++t) {
    const float* logits = nullptr;
    REQUIRE(griffin_session_decode(decode, tokens[t], &logits) == GRIFFIN_OK);
    for (int v = 0; v < 80; ++v) worst = std::max(worst, std::fabs(logits[v] - all[t * 80 + v]));
  }
  CHECK(worst <= 5e-5f);
  griffin_session_destroy(prefill);
  griffin_session_destroy(decode);
  griffin_model_close(model);
}
