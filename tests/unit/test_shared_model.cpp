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

TEST_CASE("Sessions on several threads share one model", "[api][threads]") {
  const DType dtype = GENERATE(DType::kF32, DType::kInt8);
  INFO(dtype_name(dtype));
  TempDir dir;
  const std::string path = dir.file("griffin.griffin");
  ConvertOptions options;
  options.weight_dtype = dtype;
  REQUIRE(convert_checkpoint(std::string(GRIFFIN_TEST_DATA_DIR) + "/fixtures/griffin", path, options)
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
