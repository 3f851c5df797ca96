// One plan: the arena hands out exactly the regions the memory plan placed (offset and size,
// in order), and what it used equals the planned bytes, for every block mix, weight dtype, KV
// dtype and chunk size; the engines and the quantization scratch come from the plan alone.
#include <catch2/catch.hpp>

#include <string>

#include "converter/convert.h"
#include "griffin/griffin.h"
#include "plan/memory_plan.h"
#include "runtime/src/model.h"
#include "runtime/src/session.h"
#include "tests/support/test_files.h"

using namespace griffin;
using namespace griffin::test;

TEST_CASE("The arena hands out exactly the planned regions", "[memory][plan][arena]") {
  const std::string name = GENERATE("griffin", "hawk", "mqa", "gqa", "conv3", "longwin");
  const DType dtype = GENERATE(DType::kF32, DType::kBF16, DType::kInt8, DType::kInt4);
  TempDir dir;
  const std::string path = dir.file("model.griffin");
  ConvertOptions convert;
  convert.weight_dtype = dtype;
  REQUIRE(
      convert_checkpoint(std::string(GRIFFIN_TEST_DATA_DIR) + "/fixtures/" + name, path, convert)
          .ok());
  for (const bool int8_activations : {false, true}) {
    ModelOptions model_options;
    model_options.int8_activations = int8_activations;
    auto model = Model::open(path, model_options);
    REQUIRE(model.ok());
    // The f32 arrays made at load (norm scales, conv taps, gate blocks) are what the plan said.
    CHECK(model.value()->prepared_bytes() == model.value()->plan().weights_prepared);
    for (const DType kv : {DType::kF32, DType::kBF16}) {
      for (const int64_t chunk : {1, 7, 64}) {
        INFO(name << " " << dtype_name(dtype) << (int8_activations ? " int8-act" : "") << " KV "
                  << dtype_name(kv) << " chunk " << chunk);
        SessionOptions options;
        options.kv_dtype = kv;
        options.prefill_chunk = chunk;
        options.max_context = 37;
        auto session = Session::create(*model.value(), options, nullptr, 0);
        REQUIRE(session.ok());
        const SessionLayout& planned = session.value()->layout();
        const Arena& arena = session.value()->arena();
        REQUIRE(arena.regions().size() == planned.buffers.size());
        for (size_t i = 0; i < planned.buffers.size(); ++i) {
          INFO(planned.buffers[i].name);
          CHECK(arena.regions()[i].offset == planned.buffers[i].offset);
          CHECK(arena.regions()[i].bytes == planned.buffers[i].bytes);
        }
        CHECK(arena.used() == planned.used_bytes);
        CHECK(planned.total_bytes % kArenaAlignment == 0);
        CHECK(planned.total_bytes - planned.used_bytes < kArenaAlignment);
        // Through the C API too: the usage report equals the file's plan.
        griffin_model_options c_model = griffin_model_default_options();
        c_model.int8_activations = int8_activations;
        griffin_model* c_handle = nullptr;
        REQUIRE(griffin_model_open(path.c_str(), &c_model, &c_handle) == GRIFFIN_OK);
        griffin_session_options c_options = griffin_session_default_options();
        c_options.kv_dtype = static_cast<griffin_dtype>(kv);
        c_options.prefill_chunk = static_cast<int32_t>(chunk);
        c_options.max_context = 37;
        griffin_memory_plan plan = {};
        plan.struct_size = sizeof plan;
        REQUIRE(griffin_model_memory_plan(c_handle, &c_options, &plan) == GRIFFIN_OK);
        griffin_session* c_session = nullptr;
        REQUIRE(griffin_session_create(c_handle, &c_options, nullptr, 0, &c_session) == GRIFFIN_OK);
        griffin_memory_usage usage = {};
        usage.struct_size = sizeof usage;
        REQUIRE(griffin_memory_usage_get(c_handle, c_session, &usage) == GRIFFIN_OK);
        CHECK(usage.session_used_bytes == plan.session_used_bytes);
        CHECK(usage.session_bytes == plan.session_bytes);
        CHECK(plan.session_used_bytes == planned.used_bytes);
        size_t state = 0;
        REQUIRE(griffin_session_state_size(c_session, &state) == GRIFFIN_OK);
        CHECK(state == plan.state_bytes);
        griffin_session_destroy(c_session);
        griffin_model_close(c_handle);
      }
    }
  }
}

TEST_CASE("The plan decides each linear's engine and the quantization scratch", "[memory][plan]") {
  const ModelConfig c = preset_config("recurrentgemma-2b").value();
  const SessionOptions session;
  PlanOptions weight_only, dynamic;
  dynamic.int8_activations = true;
  const std::string down = "model.layers.0.mlp_block.down_proj.weight";
  const std::string embedding = "model.embed_tokens.weight";

  const ModelMemoryPlan int8 =
      plan_model_memory(c, recipe_dtypes(DType::kInt8, DType::kInt8), session, weight_only);
  CHECK(int8.linear(down).engine == LinearEngine::kInt8);
  CHECK(int8.linear(down).packed_bytes == 0);
  CHECK(int8.quantized_columns == 0);  // f32 activations: no int8 scratch planned
  CHECK(int8.session.quantized == kNoBuffer);

  const ModelMemoryPlan int8_dynamic =
      plan_model_memory(c, recipe_dtypes(DType::kInt8, DType::kInt8), session, dynamic);
  CHECK(int8_dynamic.linear(down).engine == LinearEngine::kInt8Dynamic);
  CHECK(int8_dynamic.quantized_columns == 7680);  // down_proj's input, E = 7680
  // T x Kp int8 activations, T x Kp/32 f32 scales and T x Kp/32 int32 sums.
  CHECK(layout_bytes(int8_dynamic.session, RegionKind::kScratch) ==
        layout_bytes(int8.session, RegionKind::kScratch) + 64 * 7680 + 64 * (7680 / 32) * 4 +
            64 * (7680 / 32) * 4);

  const ModelMemoryPlan int4 =
      plan_model_memory(c, recipe_dtypes(DType::kInt4, DType::kInt8), session, weight_only);
  CHECK(int4.linear(down).engine == LinearEngine::kInt4Dynamic);
  CHECK(int4.linear(embedding).engine == LinearEngine::kInt8);
  CHECK(int4.quantized_columns == 7680);

  const ModelMemoryPlan f32 =
      plan_model_memory(c, recipe_dtypes(DType::kF32, DType::kF32), session, weight_only);
  CHECK(f32.linear(down).engine == LinearEngine::kXnnpack);
  CHECK(f32.linear(down).packed_bytes == packed_linear_bytes(7680, 2560));
  const ModelMemoryPlan bf16 =
      plan_model_memory(c, recipe_dtypes(DType::kBF16, DType::kBF16), session, weight_only);
  CHECK(bf16.linear(embedding).engine == LinearEngine::kBf16);
  // 26 layers x 3 MLP matrices + 18 x 3 recurrent + 8 x 4 attention + the unembedding.
  CHECK(bf16.linears.size() == 26 * 3 + 18 * 3 + 8 * 4 + 1);
}
