// Concurrency on one model, built with -fsanitize=thread by scripts/sanitize.sh (and run
// natively by CTest): four sessions decoding on four threads, cancel from a fifth thread during
// griffin_session_generate, and a snapshot taken while another session decodes. Each result is
// checked against the same work done on one thread, so a race shows as a TSan report or as
// different logits.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "griffin/griffin.h"
#include "tests/support/fixture_models.h"
#include "tests/support/test_files.h"

namespace {

const char* const kModelPath =
    GRIFFIN_SOURCE_DIR "/examples/models/kjv-griffin/kjv-griffin.griffin";
constexpr int kSessions = 4;
constexpr int kSteps = 24;

// The bundled model has a tokenizer (generate needs one); the griffin fixture is tiny, so the
// decode-heavy cases stay quick under TSan. `threads` 2: the sessions share the model's thread
// pool (pthreadpool); the decode-heavy cases use 1, because four sessions contending for one
// two-thread pool on two cores took 35 s instead of 0.04 s natively (spinning workers).
griffin_model* open_shared_model(const std::string& path, int32_t threads) {
  griffin_model_options options = griffin_model_default_options();
  options.num_threads = threads;
  griffin_model* model = nullptr;
  REQUIRE(griffin_model_open(path.c_str(), &options, &model) == GRIFFIN_OK);
  return model;
}

griffin_session* new_session(griffin_model* model) {
  griffin_session* session = nullptr;
  REQUIRE(griffin_session_create(model, nullptr, nullptr, 0, &session) == GRIFFIN_OK);
  return session;
}

// Feeds `first` then greedy tokens for kSteps steps; returns every step's logits, concatenated.
// No Catch2 macros: it runs on worker threads (Catch2 v2 assertions are not thread-safe).
bool decode_greedy(griffin_session* session, int32_t first, size_t vocab, std::vector<float>* out) {
  int32_t token = first;
  for (int step = 0; step < kSteps; ++step) {
    const float* logits = nullptr;
    if (griffin_session_decode(session, token, &logits) != GRIFFIN_OK) return false;
    out->insert(out->end(), logits, logits + vocab);
    token = 0;
    for (size_t i = 1; i < vocab; ++i) {
      if (logits[i] > logits[token]) token = static_cast<int32_t>(i);
    }
  }
  return true;
}

size_t vocab_of(griffin_model* model) {
  griffin_model_info info = {};
  info.struct_size = sizeof(info);
  REQUIRE(griffin_model_get_info(model, &info) == GRIFFIN_OK);
  return static_cast<size_t>(info.vocab_size);
}

}  // namespace

TEST_CASE("four sessions of one model decode on four threads like one thread", "[tsan]") {
  griffin::test::TempDir dir;
  griffin_model* model = open_shared_model(griffin::test::convert_fixture(dir, "griffin"), 1);
  const size_t vocab = vocab_of(model);
  const int32_t firsts[kSessions] = {2, 10, 20, 30};  // below every model's vocab_size

  std::vector<std::vector<float>> expected(kSessions);
  for (int i = 0; i < kSessions; ++i) {
    griffin_session* session = new_session(model);
    REQUIRE(decode_greedy(session, firsts[i], vocab, &expected[i]));
    griffin_session_destroy(session);
  }

  std::vector<griffin_session*> sessions;
  for (int i = 0; i < kSessions; ++i) sessions.push_back(new_session(model));
  std::vector<std::vector<float>> got(kSessions);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kSessions; ++i) {
    threads.emplace_back([&, i] {
      if (decode_greedy(sessions[i], firsts[i], vocab, &got[i])) ++ok;
    });
  }
  for (std::thread& thread : threads) thread.join();
  CHECK(ok == kSessions);
  for (int i = 0; i < kSessions; ++i) {
    INFO("session " << i);
    REQUIRE(got[i].size() == expected[i].size());
    CHECK(std::memcmp(got[i].data(), expected[i].data(), got[i].size() * sizeof(float)) == 0);
  }
  for (griffin_session* session : sessions) griffin_session_destroy(session);
  griffin_model_close(model);
}

TEST_CASE("cancel from a fifth thread stops generations running on four", "[tsan]") {
  griffin_model* model = open_shared_model(kModelPath, 2);
  std::vector<griffin_session*> sessions;
  for (int i = 0; i < kSessions; ++i) sessions.push_back(new_session(model));

  std::atomic<int> started{0};
  std::vector<griffin_generate_result> results(kSessions);
  std::vector<griffin_status> statuses(kSessions, GRIFFIN_ERR_INTERNAL);
  const auto on_piece = [](const char*, size_t, int32_t, void* user) -> int {
    static_cast<std::atomic<int>*>(user)->fetch_add(1);
    return 0;
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < kSessions; ++i) {
    threads.emplace_back([&, i] {
      griffin_generate_options options = griffin_generate_default_options();
      options.max_tokens = 100000;  // only the cancel ends it
      results[i].struct_size = sizeof(results[i]);
      const char prompt[] = "And God said";
      statuses[i] = griffin_session_generate(sessions[i], prompt, sizeof(prompt) - 1, &options,
                                             on_piece, &started, &results[i]);
    });
  }
  std::thread canceller([&] {
    while (started.load() < kSessions * 2)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    for (griffin_session* session : sessions) griffin_session_cancel(session);
  });
  canceller.join();
  for (std::thread& thread : threads) thread.join();
  for (int i = 0; i < kSessions; ++i) {
    INFO("session " << i);
    CHECK(statuses[i] == GRIFFIN_OK);
    CHECK(results[i].stop_reason == GRIFFIN_STOP_CANCELLED);
    size_t position = 0;
    REQUIRE(griffin_session_position(sessions[i], &position) == GRIFFIN_OK);
    CHECK(position == static_cast<size_t>(results[i].prompt_tokens + results[i].generated_tokens));
  }
  for (griffin_session* session : sessions) griffin_session_destroy(session);
  griffin_model_close(model);
}

TEST_CASE("a snapshot taken while another session decodes restores exactly", "[tsan]") {
  griffin::test::TempDir dir;
  griffin_model* model = open_shared_model(griffin::test::convert_fixture(dir, "griffin"), 1);
  const size_t vocab = vocab_of(model);
  griffin_session* busy = new_session(model);
  griffin_session* saved = new_session(model);
  const int32_t prompt[] = {2, 40, 41, 42, 43};  // the fixture's vocab is 80
  REQUIRE(griffin_session_prefill(saved, prompt, 5, nullptr, 0) == GRIFFIN_OK);
  std::vector<float> after_prefill;
  {
    const float* logits = nullptr;
    size_t n = 0;
    REQUIRE(griffin_session_logits(saved, &logits, &n) == GRIFFIN_OK);
    after_prefill.assign(logits, logits + n);
  }

  std::vector<float> busy_logits;
  bool busy_ok = false;
  std::thread decoder([&] { busy_ok = decode_greedy(busy, 2, vocab, &busy_logits); });
  size_t bytes = 0;
  REQUIRE(griffin_session_state_size(saved, &bytes) == GRIFFIN_OK);
  std::vector<uint8_t> snapshot(bytes);
  size_t written = 0;
  const griffin_status save_status = griffin_session_save(saved, snapshot.data(), bytes, &written);
  decoder.join();
  REQUIRE(save_status == GRIFFIN_OK);
  CHECK(busy_ok);

  griffin_session* restored = new_session(model);
  REQUIRE(griffin_session_load(restored, snapshot.data(), written) == GRIFFIN_OK);
  const float* logits = nullptr;
  size_t n = 0;
  REQUIRE(griffin_session_logits(restored, &logits, &n) == GRIFFIN_OK);
  REQUIRE(n == after_prefill.size());
  CHECK(std::memcmp(logits, after_prefill.data(), n * sizeof(float)) == 0);
  for (griffin_session* session : {busy, saved, restored}) griffin_session_destroy(session);
  griffin_model_close(model);
}

TEST_CASE("batched decodes on two threads while a third session decodes alone", "[tsan]") {
  griffin::test::TempDir dir;
  const std::string path = griffin::test::convert_fixture(dir, "griffin");
  griffin_model_options options = griffin_model_default_options();
  options.num_threads = 1;
  options.max_batch = 2;
  griffin_model* model = nullptr;
  REQUIRE(griffin_model_open(path.c_str(), &options, &model) == GRIFFIN_OK);
  const size_t vocab = vocab_of(model);

  // Two batches of two sessions each advance on two threads (they share the model's batch
  // arena, which its own lock serialises), while a fifth session decodes alone on a third.
  // Expected: each batch's logits equal the same batch run with nothing else going on.
  auto run_batch = [&](griffin_session* a, griffin_session* b, int32_t first,
                       std::vector<float>* out) {
    griffin_session* sessions[2] = {a, b};
    int32_t tokens[2] = {first, static_cast<int32_t>(first + 1)};
    for (int step = 0; step < kSteps; ++step) {
      if (griffin_batch_decode(sessions, tokens, 2) != GRIFFIN_OK) return false;
      for (int i = 0; i < 2; ++i) {
        const float* logits = nullptr;
        size_t n = 0;
        if (griffin_session_logits(sessions[i], &logits, &n) != GRIFFIN_OK) return false;
        out->insert(out->end(), logits, logits + n);
        tokens[i] = static_cast<int32_t>((tokens[i] * 7 + step) % static_cast<int32_t>(vocab));
      }
    }
    return true;
  };
  std::vector<griffin_session*> s;
  for (int i = 0; i < 5; ++i) s.push_back(new_session(model));
  std::vector<float> expected_1, expected_2, expected_alone;
  REQUIRE(run_batch(s[0], s[1], 3, &expected_1));
  REQUIRE(run_batch(s[2], s[3], 9, &expected_2));
  REQUIRE(decode_greedy(s[4], 5, vocab, &expected_alone));
  for (griffin_session* session : s) REQUIRE(griffin_session_reset(session) == GRIFFIN_OK);

  std::vector<float> got_1, got_2, got_alone;
  bool ok_1 = false, ok_2 = false, ok_alone = false;
  std::thread first([&] { ok_1 = run_batch(s[0], s[1], 3, &got_1); });
  std::thread second([&] { ok_2 = run_batch(s[2], s[3], 9, &got_2); });
  std::thread alone([&] { ok_alone = decode_greedy(s[4], 5, vocab, &got_alone); });
  first.join();
  second.join();
  alone.join();
  CHECK(ok_1);
  CHECK(ok_2);
  CHECK(ok_alone);
  CHECK(got_1 == expected_1);
  CHECK(got_2 == expected_2);
  CHECK(got_alone == expected_alone);
  for (griffin_session* session : s) griffin_session_destroy(session);
  griffin_model_close(model);
}
