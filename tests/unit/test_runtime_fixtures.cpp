// The runtime against the independent float64 reference (tests/reference/): every fixture is
// converted with the converter and run through the C API in f32, by full prefill, token by
// token, in small chunks, and prefill-then-decode at several split points.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "converter/convert.h"
#include "griffin/griffin.h"
#include "tests/support/npy.h"
#include "tests/support/test_files.h"

using namespace griffin;
using namespace griffin::test;

namespace {

struct Fixture {
  std::vector<int32_t> tokens;
  std::vector<int64_t> splits;
  NpyArray logits;  // [T, V]
  size_t vocab = 0;
};

Fixture load_fixture(const std::string& name) {
  const std::string dir = std::string(GRIFFIN_TEST_DATA_DIR) + "/fixtures/" + name;
  Fixture f;
  const nlohmann::json json = nlohmann::json::parse(read_file(dir + "/tokens.json"));
  f.tokens = json["tokens"].get<std::vector<int32_t>>();
  f.splits = json["splits"].get<std::vector<int64_t>>();
  f.logits = read_npy_f32(dir + "/logits.npy");
  f.vocab = static_cast<size_t>(f.logits.shape[1]);
  return f;
}

// Converts the fixture's checkpoint and opens it.
griffin_model* open_fixture(const std::string& name, const TempDir& dir) {
  const std::string path = dir.file(name + ".griffin");
  ConvertOptions options;
  const Status status =
      convert_checkpoint(std::string(GRIFFIN_TEST_DATA_DIR) + "/fixtures/" + name, path, options);
  INFO(status.message());
  REQUIRE(status.ok());
  griffin_model_options model_options = griffin_model_default_options();
  model_options.num_threads = 1;
  griffin_model* model = nullptr;
  REQUIRE(griffin_model_open(path.c_str(), &model_options, &model) == GRIFFIN_OK);
  return model;
}

griffin_session* new_session(griffin_model* model, int chunk) {
  griffin_session_options options = griffin_session_default_options();
  options.prefill_chunk = chunk;
  griffin_session* session = nullptr;
  REQUIRE(griffin_session_create(model, &options, nullptr, 0, &session) == GRIFFIN_OK);
  return session;
}

float max_abs_diff(const float* a, const float* b, size_t count) {
  float worst = 0.0f;
  for (size_t i = 0; i < count; ++i) worst = std::max(worst, std::fabs(a[i] - b[i]));
  return worst;
}

constexpr float kReferenceTolerance = 1e-4f;    // f32 runtime vs f64 reference
constexpr float kConsistencyTolerance = 5e-5f;  // prefill vs decode in the runtime itself

}  // namespace

TEST_CASE("Runtime logits match the float64 reference", "[runtime][reference]") {
  const std::string name =
      GENERATE(std::string("griffin"), std::string("hawk"), std::string("mqa"), std::string("gqa"),
               std::string("conv3"), std::string("longwin"));
  INFO("fixture " << name);
  TempDir dir;
  const Fixture f = load_fixture(name);
  griffin_model* model = open_fixture(name, dir);
  const size_t T = f.tokens.size(), V = f.vocab;
  const float* expected = f.logits.values.data();
  float peak = 0.0f;
  for (float value : f.logits.values) peak = std::max(peak, std::fabs(value));
  CHECK(peak > 20.0f);  // the fixtures reach into the soft cap's range

  // Full prefill, every token's logits.
  griffin_session* session = new_session(model, 64);
  std::vector<float> prefill_logits(T * V);
  REQUIRE(griffin_session_prefill(session, f.tokens.data(), T, prefill_logits.data(),
                                  prefill_logits.size()) == GRIFFIN_OK);
  const float prefill_error = max_abs_diff(prefill_logits.data(), expected, T * V);
  INFO("full prefill max |error| " << prefill_error);
  CHECK(prefill_error <= kReferenceTolerance);

  // Token by token.
  REQUIRE(griffin_session_reset(session) == GRIFFIN_OK);
  std::vector<float> decode_logits(T * V);
  for (size_t t = 0; t < T; ++t) {
    const float* logits = nullptr;
    REQUIRE(griffin_session_decode(session, f.tokens[t], &logits) == GRIFFIN_OK);
    std::copy(logits, logits + V, decode_logits.begin() + t * V);
  }
  const float decode_error = max_abs_diff(decode_logits.data(), expected, T * V);
  INFO("decode max |error| " << decode_error);
  CHECK(decode_error <= kReferenceTolerance);
  CHECK(max_abs_diff(decode_logits.data(), prefill_logits.data(), T * V) <= kConsistencyTolerance);
  griffin_session_destroy(session);

  // Prefill in chunks smaller than the sequence (and than the window).
  for (int chunk : {1, 2, 3, 5, 7}) {
    griffin_session* chunked = new_session(model, chunk);
    std::vector<float> logits(T * V);
    REQUIRE(griffin_session_prefill(chunked, f.tokens.data(), T, logits.data(), logits.size()) ==
            GRIFFIN_OK);
    INFO("chunk " << chunk);
    CHECK(max_abs_diff(logits.data(), expected, T * V) <= kReferenceTolerance);
    CHECK(max_abs_diff(logits.data(), prefill_logits.data(), T * V) <= kConsistencyTolerance);
    griffin_session_destroy(chunked);
  }

  // Prefill k tokens, then decode the rest.
  griffin_session* mixed = new_session(model, 4);
  for (int64_t split : f.splits) {
    REQUIRE(griffin_session_reset(mixed) == GRIFFIN_OK);
    std::vector<float> logits(T * V);
    REQUIRE(griffin_session_prefill(mixed, f.tokens.data(), static_cast<size_t>(split),
                                    logits.data(), logits.size()) == GRIFFIN_OK);
    for (size_t t = static_cast<size_t>(split); t < T; ++t) {
      const float* step = nullptr;
      REQUIRE(griffin_session_decode(mixed, f.tokens[t], &step) == GRIFFIN_OK);
      std::copy(step, step + V, logits.begin() + t * V);
    }
    size_t position = 0;
    REQUIRE(griffin_session_position(mixed, &position) == GRIFFIN_OK);
    CHECK(position == T);
    INFO("split " << split);
    CHECK(max_abs_diff(logits.data(), expected, T * V) <= kReferenceTolerance);
  }
  griffin_session_destroy(mixed);
  griffin_model_close(model);
}
