// One model, several sessions on several threads (griffin.h "Thread safety"): each thread's
// logits equal those of the same sequence run alone, for an XNNPACK (f32) model and for one on
// our kernels (int8).
#include <catch2/catch.hpp>

#include <thread>

#include "converter/convert.h"
#include "griffin/griffin.h"
#include "tests/support/test_files.h"

using namespace griffin;
using namespace griffin::test;

namespace {

std::vector<float> run_sequence(griffin_model* model, int seed, int steps) {
  griffin_session* session = nullptr;
  std::vector<float> trace;
  if (griffin_session_create(model, nullptr, nullptr, 0, &session) != GRIFFIN_OK) return trace;
  for (int step = 0; step < steps; ++step) {
    const float* logits = nullptr;
    if (griffin_session_decode(session, 2 + (seed * 31 + step * 7) % 70, &logits) != GRIFFIN_OK) {
      break;
    }
    trace.insert(trace.end(), logits, logits + 80);
  }
  griffin_session_destroy(session);
  return trace;
}

}  // namespace

TEST_CASE("Sessions on several threads share one model", "[api][threads][serial]") {
  const DType dtype = GENERATE(DType::kF32, DType::kInt8);
  INFO(dtype_name(dtype));
  TempDir dir;
  const std::string path = dir.file("griffin.griffin");
  ConvertOptions options;
  options.weight_dtype = dtype;
  REQUIRE(
      convert_checkpoint(std::string(GRIFFIN_TEST_DATA_DIR) + "/fixtures/griffin", path, options)
          .ok());
  griffin_model* model = nullptr;
  REQUIRE(griffin_model_open(path.c_str(), nullptr, &model) == GRIFFIN_OK);
  constexpr int kThreads = 4, kSteps = 200;
  std::vector<std::vector<float>> alone(kThreads), together(kThreads);
  for (int t = 0; t < kThreads; ++t) alone[t] = run_sequence(model, t, kSteps);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] { together[t] = run_sequence(model, t, kSteps); });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) {
    REQUIRE(alone[t].size() == static_cast<size_t>(kSteps) * 80);
    CHECK(together[t] == alone[t]);
  }
  griffin_model_close(model);
}

namespace {

// Prefill in uneven chunks, then decode: every logit of the run, in order.
std::vector<float> prefill_then_decode(griffin_model* model, int seed) {
  griffin_model_info info = {};
  info.struct_size = sizeof info;
  if (griffin_model_get_info(model, &info) != GRIFFIN_OK) return {};
  const size_t vocab = static_cast<size_t>(info.vocab_size);
  griffin_session_options options = griffin_session_default_options();
  options.prefill_chunk = 5;
  griffin_session* session = nullptr;
  std::vector<float> trace;
  if (griffin_session_create(model, &options, nullptr, 0, &session) != GRIFFIN_OK) return trace;
  std::vector<int32_t> prompt(23);
  for (size_t i = 0; i < prompt.size(); ++i)
    prompt[i] = 2 + (seed * 13 + static_cast<int>(i) * 5) % 60;
  std::vector<float> all(prompt.size() * vocab);
  if (griffin_session_prefill(session, prompt.data(), prompt.size(), all.data(), all.size()) ==
      GRIFFIN_OK) {
    trace = all;
    for (int step = 0; step < 40; ++step) {
      const float* logits = nullptr;
      if (griffin_session_decode(session, 2 + (seed + step * 3) % 60, &logits) != GRIFFIN_OK) break;
      trace.insert(trace.end(), logits, logits + vocab);
    }
  }
  griffin_session_destroy(session);
  return trace;
}

}  // namespace

// No model-wide lock: prefill and decode of two sessions overlap. Bit-identical results show
// that they share no mutable state (the gate blocks run on our kernels over read-only copies;
// f32/f16 matrices lock one XNNPACK operator per call).
TEST_CASE("Two sessions prefill and decode in parallel, bit-identical to one after the other",
          "[api][threads][serial]") {
  const std::string name = GENERATE("griffin", "hawk", "mqa");
  const DType dtype = GENERATE(DType::kF32, DType::kBF16, DType::kInt8, DType::kInt4);
  INFO(name << " " << dtype_name(dtype));
  TempDir dir;
  const std::string path = dir.file(name + ".griffin");
  ConvertOptions options;
  options.weight_dtype = dtype;
  REQUIRE(
      convert_checkpoint(std::string(GRIFFIN_TEST_DATA_DIR) + "/fixtures/" + name, path, options)
          .ok());
  for (const int32_t threads : {1, 2}) {
    griffin_model_options model_options = griffin_model_default_options();
    model_options.num_threads = threads;
    griffin_model* model = nullptr;
    REQUIRE(griffin_model_open(path.c_str(), &model_options, &model) == GRIFFIN_OK);
    const std::vector<float> first = prefill_then_decode(model, 1);
    const std::vector<float> second = prefill_then_decode(model, 2);
    REQUIRE(first.size() >= (23 + 40) * 64u);
    REQUIRE(first.size() % (23 + 40) == 0);
    REQUIRE(second.size() == first.size());
    for (int round = 0; round < 3; ++round) {
      std::vector<float> a, b;
      std::thread one([&] { a = prefill_then_decode(model, 1); });
      std::thread two([&] { b = prefill_then_decode(model, 2); });
      one.join();
      two.join();
      CHECK(a == first);
      CHECK(b == second);
    }
    griffin_model_close(model);
  }
}
