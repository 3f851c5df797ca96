// Long runs with the bundled model (label "long": minutes natively, so scripts/sanitize.sh skips
// them): 100,000 greedy tokens with finite logits, flat resident memory and flat time per
// token; and 1,000 snapshot / restore / fork cycles whose logits must match bit for bit.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <string>
#include <vector>

#include "griffin/griffin.h"

namespace {

const char* const kModelPath =
    GRIFFIN_SOURCE_DIR "/examples/models/kjv-griffin/kjv-griffin.griffin";

// VmRSS of this process in KiB, from /proc/self/status.
long resident_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

int32_t argmax(const float* logits, size_t n) {
  size_t best = 0;
  for (size_t i = 1; i < n; ++i) {
    if (logits[i] > logits[best]) best = i;
  }
  return static_cast<int32_t>(best);
}

// The CPU time this thread has used: the decode's own work, whatever else the machine runs.
double thread_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

struct Model {
  griffin_model* model = nullptr;
  size_t vocab = 0;
  Model() {
    griffin_model_options options = griffin_model_default_options();
    options.num_threads = 1;  // one thread: steady timing on a shared machine
    REQUIRE(griffin_model_open(kModelPath, &options, &model) == GRIFFIN_OK);
    griffin_model_info info = {};
    info.struct_size = sizeof(info);
    REQUIRE(griffin_model_get_info(model, &info) == GRIFFIN_OK);
    vocab = static_cast<size_t>(info.vocab_size);
  }
  ~Model() { griffin_model_close(model); }
};

}  // namespace

TEST_CASE("100,000 tokens: finite logits, flat memory, flat time per token", "[long]") {
  constexpr int kTokens = 100000;
  constexpr int kWindow = 10000;  // the first and last windows compared for time
  Model m;
  griffin_session* session = nullptr;
  REQUIRE(griffin_session_create(m.model, nullptr, nullptr, 0, &session) == GRIFFIN_OK);

  int32_t token = 2;  // BOS
  long rss_after_warmup = 0;
  double first_seconds = 0, last_seconds = 0;
  int non_finite_steps = 0;
  // Greedy decoding of a tiny model falls into a loop; a token from the input keeps it moving
  // through the vocabulary instead (every 97th step), as a user's turn would.
  for (int step = 0; step < kTokens; ++step) {
    const double start = thread_cpu_seconds();
    const float* logits = nullptr;
    REQUIRE(griffin_session_decode(session, token, &logits) == GRIFFIN_OK);
    const double seconds = thread_cpu_seconds() - start;
    if (step < kWindow) first_seconds += seconds;
    if (step >= kTokens - kWindow) last_seconds += seconds;
    for (size_t i = 0; i < m.vocab; ++i) {
      if (!std::isfinite(logits[i])) {
        ++non_finite_steps;
        break;
      }
    }
    token =
        step % 97 == 96 ? static_cast<int32_t>(3 + step % (m.vocab - 3)) : argmax(logits, m.vocab);
    if (step == kWindow - 1) rss_after_warmup = resident_kib();
  }
  const long rss_end = resident_kib();
  size_t position = 0;
  REQUIRE(griffin_session_position(session, &position) == GRIFFIN_OK);
  griffin_session_destroy(session);

  const double first_ms = first_seconds * 1000 / kWindow;
  const double last_ms = last_seconds * 1000 / kWindow;
  std::printf(
      "100k tokens: first %d tokens %.3f CPU ms/token, last %d %.3f CPU ms/token; VmRSS %ld KiB "
      "after warm-up, %ld KiB at the end\n",
      kWindow, first_ms, kWindow, last_ms, rss_after_warmup, rss_end);
  CHECK(position == static_cast<size_t>(kTokens));
  CHECK(non_finite_steps == 0);
  REQUIRE(rss_after_warmup > 0);
  CHECK(rss_end - rss_after_warmup < 1024);  // < 1 MiB of growth
  // CPU time of this thread (the model runs on it: one thread), so other processes' load does
  // not count; generous all the same, but a cost that grows with position would blow past it.
  CHECK(last_ms < 1.5 * first_ms);
}

TEST_CASE("1,000 snapshot, restore and fork cycles give identical logits", "[long]") {
  Model m;
  griffin_session* live = nullptr;
  griffin_session* restored = nullptr;
  REQUIRE(griffin_session_create(m.model, nullptr, nullptr, 0, &live) == GRIFFIN_OK);
  REQUIRE(griffin_session_create(m.model, nullptr, nullptr, 0, &restored) == GRIFFIN_OK);
  size_t bytes = 0;
  REQUIRE(griffin_session_state_size(live, &bytes) == GRIFFIN_OK);
  std::vector<uint8_t> snapshot(bytes);
  std::vector<float> expected(m.vocab);

  int32_t token = 2;
  int mismatches = 0, failures = 0;
  for (int cycle = 0; cycle < 1000; ++cycle) {
    size_t written = 0;
    griffin_session* forked = nullptr;
    if (griffin_session_save(live, snapshot.data(), bytes, &written) != GRIFFIN_OK ||
        griffin_session_fork(live, &forked) != GRIFFIN_OK ||
        griffin_session_load(restored, snapshot.data(), written) != GRIFFIN_OK) {
      ++failures;
      break;
    }
    const float* logits = nullptr;
    REQUIRE(griffin_session_decode(live, token, &logits) == GRIFFIN_OK);
    std::memcpy(expected.data(), logits, m.vocab * sizeof(float));
    REQUIRE(griffin_session_decode(restored, token, &logits) == GRIFFIN_OK);
    if (std::memcmp(logits, expected.data(), m.vocab * sizeof(float)) != 0) ++mismatches;
    REQUIRE(griffin_session_decode(forked, token, &logits) == GRIFFIN_OK);
    if (std::memcmp(logits, expected.data(), m.vocab * sizeof(float)) != 0) ++mismatches;
    griffin_session_destroy(forked);
    token = cycle % 13 == 12 ? static_cast<int32_t>(3 + cycle % (m.vocab - 3))
                             : argmax(expected.data(), m.vocab);
  }
  CHECK(failures == 0);
  CHECK(mismatches == 0);
  size_t position = 0;
  REQUIRE(griffin_session_position(live, &position) == GRIFFIN_OK);
  CHECK(position == 1000);
  griffin_session_destroy(live);
  griffin_session_destroy(restored);
}
