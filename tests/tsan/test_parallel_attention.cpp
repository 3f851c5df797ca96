// Attention runs on the model's thread pool once a call has enough work (blocks/attention.cpp:
// tokens × heads × keys × head_dim >= 65,536): a prefill chunk in tasks of up to four tokens,
// a decoded token with its query heads split over the threads. The fixtures' heads are too
// small for a decoded token to get there, so this model has 7 query heads of 128 dims on one
// KV head: from key 74 on, every decoded token runs split, 4 heads on one thread and 3 on the
// other. With a local layer whose 96-key window wraps and a global layer, and f32 and bf16
// caches (bf16 rows are widened on each task's stack), the logits of a prefill and of the
// decode steps after it must have the same bits on 1 and 2 threads. Built with
// -fsanitize=thread by scripts/sanitize.sh, and run natively by CTest.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "converter/synthetic.h"
#include "griffin/griffin.h"
#include "tests/support/test_files.h"

using namespace griffin;
using griffin::test::TempDir;

namespace {

ModelConfig wide_heads_config() {
  ModelConfig c = preset_config("griffin-tiny").value();
  c.depth = 3;
  c.num_heads = 7;  // two threads take 4 and 3 heads
  c.num_kv_heads = 1;
  c.head_dim = 128;
  c.lru_width = 56;
  c.mlp_width = 128;
  c.vocab_size = 256;
  c.attention_window = 96;
  c.block_types = {BlockType::kLocalAttention, BlockType::kRecurrent, BlockType::kGlobalAttention};
  return c;
}

constexpr size_t kPrompt = 300;
constexpr int kSteps = 12;

// The prompt's last logits, then each decode step's, concatenated.
std::vector<float> run(const std::string& path, int32_t threads, griffin_dtype kv_dtype) {
  griffin_model_options model_options = griffin_model_default_options();
  model_options.num_threads = threads;
  griffin_model* model = nullptr;
  REQUIRE(griffin_model_open(path.c_str(), &model_options, &model) == GRIFFIN_OK);
  griffin_session_options options = griffin_session_default_options();
  options.kv_dtype = kv_dtype;
  options.max_context = 512;
  griffin_session* session = nullptr;
  REQUIRE(griffin_session_create(model, &options, nullptr, 0, &session) == GRIFFIN_OK);
  std::vector<int32_t> prompt(kPrompt);
  for (size_t i = 0; i < kPrompt; ++i) prompt[i] = static_cast<int32_t>((i * 37 + 5) % 256);
  REQUIRE(griffin_session_prefill(session, prompt.data(), prompt.size(), nullptr, 0) == GRIFFIN_OK);
  const float* logits = nullptr;
  size_t vocab = 0;
  REQUIRE(griffin_session_logits(session, &logits, &vocab) == GRIFFIN_OK);
  REQUIRE(vocab == 256);
  std::vector<float> all(logits, logits + vocab);
  for (int step = 0; step < kSteps; ++step) {
    REQUIRE(griffin_session_decode(session, (step * 11 + 3) % 256, &logits) == GRIFFIN_OK);
    all.insert(all.end(), logits, logits + vocab);
  }
  griffin_session_destroy(session);
  griffin_model_close(model);
  return all;
}

}  // namespace

TEST_CASE("Attention split over the thread pool gives the bits of one thread",
          "[attention][threads]") {
  TempDir dir;
  const std::string path = dir.file("wide-heads.griffin");
  REQUIRE(write_synthetic_griffin(wide_heads_config(), path, {}).ok());
  for (const griffin_dtype kv_dtype : {GRIFFIN_DTYPE_F32, GRIFFIN_DTYPE_BF16}) {
    CAPTURE(static_cast<int>(kv_dtype));
    const std::vector<float> one = run(path, 1, kv_dtype);
    REQUIRE(one.size() == (kSteps + 1) * 256u);
    float largest = 0.0f;
    for (float v : one) largest = std::max(largest, std::abs(v));
    REQUIRE(largest > 0.0f);  // real logits, not an untouched buffer
    for (const int32_t threads : {2}) {
      CAPTURE(threads);
      const std::vector<float> split = run(path, threads, kv_dtype);
      REQUIRE(split.size() == one.size());
      CHECK(std::memcmp(split.data(), one.data(), one.size() * sizeof(float)) == 0);
    }
  }
}

namespace {

// Heads wider than a pool task's stack buffer (blocks/attention.cpp: kMaxStackHeadDim, 1,024
// floats) attend on the calling thread and widen each cached row into the session's one-row
// kv_row. A window of 40 keys crosses the 64-key blocks of the running softmax.
ModelConfig huge_heads_config() {
  ModelConfig c = preset_config("griffin-tiny").value();
  c.depth = 2;
  c.num_heads = 2;
  c.num_kv_heads = 1;
  c.head_dim = 1040;
  c.lru_width = 32;
  c.mlp_width = 64;
  c.vocab_size = 128;
  c.attention_window = 40;
  c.block_types = {BlockType::kLocalAttention, BlockType::kRecurrent};
  return c;
}

// Logits of every token of `tokens`: prefilled in chunks of `chunk`, or decoded one at a time
// (chunk 0).
std::vector<float> all_logits(griffin_model* model, const std::vector<int32_t>& tokens, int chunk) {
  griffin_session_options options = griffin_session_default_options();
  options.kv_dtype = GRIFFIN_DTYPE_BF16;
  options.prefill_chunk = chunk > 0 ? chunk : 64;
  griffin_session* session = nullptr;
  REQUIRE(griffin_session_create(model, &options, nullptr, 0, &session) == GRIFFIN_OK);
  const size_t vocab = 128;
  std::vector<float> out(tokens.size() * vocab);
  if (chunk > 0) {
    REQUIRE(griffin_session_prefill(session, tokens.data(), tokens.size(), out.data(),
                                    out.size()) == GRIFFIN_OK);
  } else {
    for (size_t t = 0; t < tokens.size(); ++t) {
      const float* logits = nullptr;
      REQUIRE(griffin_session_decode(session, tokens[t], &logits) == GRIFFIN_OK);
      std::copy(logits, logits + vocab, out.begin() + t * vocab);
    }
  }
  griffin_session_destroy(session);
  return out;
}

}  // namespace

TEST_CASE("Heads too wide for a task's stack: prefill and decode agree", "[attention]") {
  TempDir dir;
  const std::string path = dir.file("huge-heads.griffin");
  REQUIRE(write_synthetic_griffin(huge_heads_config(), path, {}).ok());
  std::vector<int32_t> tokens(100);
  for (size_t i = 0; i < tokens.size(); ++i) tokens[i] = static_cast<int32_t>((i * 29 + 7) % 128);
  for (const int32_t threads : {1, 2}) {
    CAPTURE(threads);
    griffin_model_options model_options = griffin_model_default_options();
    model_options.num_threads = threads;
    griffin_model* model = nullptr;
    REQUIRE(griffin_model_open(path.c_str(), &model_options, &model) == GRIFFIN_OK);
    const std::vector<float> decoded = all_logits(model, tokens, 0);
    float largest = 0.0f;
    for (float v : decoded) largest = std::max(largest, std::abs(v));
    REQUIRE(largest > 0.0f);
    for (const int chunk : {64, 7}) {
      CAPTURE(chunk);
      const std::vector<float> prefilled = all_logits(model, tokens, chunk);
      float worst = 0.0f;
      for (size_t i = 0; i < decoded.size(); ++i) {
        worst = std::max(worst, std::abs(decoded[i] - prefilled[i]));
      }
      // The runtime's prefill-against-decode tolerance (test_runtime_fixtures.cpp), scaled to
      // these logits.
      CHECK(worst <= 5e-5f * std::max(1.0f, largest));
    }
    griffin_model_close(model);
  }
}
