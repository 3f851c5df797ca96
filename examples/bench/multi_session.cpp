// Several sessions of one model: batched or on threads (see multi_session.h).
#include "examples/bench/multi_session.h"

#include <atomic>
#include <thread>

#include "examples/common/tool_common.h"

namespace griffin_tools {

namespace {

int32_t greedy(const float* logits, size_t vocab) {
  size_t best = 0;
  for (size_t i = 1; i < vocab; ++i) best = logits[i] > logits[best] ? i : best;
  return static_cast<int32_t>(best);
}

size_t vocab_of(griffin_model* model) {
  return static_cast<size_t>(model_info(model).vocab_size);
}

MultiResult finish(size_t sessions, int32_t steps, double seconds) {
  MultiResult r;
  r.sessions = sessions;
  r.decode_seconds = seconds;
  r.tokens_per_s = seconds > 0 ? static_cast<double>(sessions) * steps / seconds : 0.0;
  r.ms_per_step = steps > 0 ? seconds * 1e3 / steps : 0.0;
  return r;
}

// `count` sessions at the end of `prompt`: one prefill, then forks of it. A fork copies the
// state bit for bit, so every session continues exactly as if it had prefilled the prompt
// itself, and a batch of 16 costs one prefill instead of 16.
std::vector<SessionPtr> prefilled_copies(griffin_model* model,
                                         const griffin_session_options& options,
                                         const std::vector<int32_t>& prompt, size_t count) {
  std::vector<SessionPtr> sessions;
  sessions.push_back(create_session(model, options));
  check(griffin_session_prefill(sessions[0].get(), prompt.data(), prompt.size(), nullptr, 0),
        "prefill failed", sessions[0].get());
  for (size_t i = 1; i < count; ++i) {
    griffin_session* copy = nullptr;
    check(griffin_session_fork(sessions[0].get(), &copy), "griffin_session_fork",
          sessions[0].get());
    sessions.emplace_back(copy);
  }
  return sessions;
}

}  // namespace

MultiResult run_batched(griffin_model* model, const griffin_session_options& options,
                        const std::vector<int32_t>& prompt, int32_t steps, size_t batch) {
  const size_t vocab = vocab_of(model);
  std::vector<SessionPtr> owned;
  std::vector<griffin_session*> sessions;
  std::vector<int32_t> tokens(batch);
  owned = prefilled_copies(model, options, prompt, batch);
  for (size_t i = 0; i < batch; ++i) {
    sessions.push_back(owned[i].get());
    const float* logits = nullptr;
    check(griffin_session_logits(sessions[i], &logits, nullptr), "griffin_session_logits");
    tokens[i] = greedy(logits, vocab);
  }
  const Clock::time_point start = Clock::now();
  for (int32_t step = 0; step < steps; ++step) {
    check(griffin_batch_decode(sessions.data(), tokens.data(), batch), "griffin_batch_decode",
          sessions[0]);
    for (size_t i = 0; i < batch; ++i) {
      const float* logits = nullptr;
      griffin_session_logits(sessions[i], &logits, nullptr);
      tokens[i] = greedy(logits, vocab);
    }
  }
  const double seconds = seconds_between(start, Clock::now());
  return finish(batch, steps, seconds);
}

MultiResult run_threads(griffin_model* model, const griffin_session_options& options,
                        const std::vector<int32_t>& prompt, int32_t steps, size_t count) {
  const size_t vocab = vocab_of(model);
  std::vector<SessionPtr> sessions = prefilled_copies(model, options, prompt, count);
  std::atomic<size_t> ready{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  for (size_t i = 0; i < count; ++i) {
    threads.emplace_back([&, i] {
      griffin_session* session = sessions[i].get();
      const float* logits = nullptr;
      griffin_session_logits(session, &logits, nullptr);
      int32_t token = greedy(logits, vocab);
      ++ready;
      while (ready.load() < count) std::this_thread::yield();  // start together
      for (int32_t step = 0; step < steps; ++step) {
        if (griffin_session_decode(session, token, &logits) != GRIFFIN_OK) {
          failed = true;
          return;
        }
        token = greedy(logits, vocab);
      }
    });
  }
  while (ready.load() < count) std::this_thread::yield();
  const Clock::time_point start = Clock::now();
  for (std::thread& thread : threads) thread.join();
  const double seconds = seconds_between(start, Clock::now());
  if (failed) throw ToolError("decode failed on one of the session threads");
  return finish(count, steps, seconds);
}

}  // namespace griffin_tools
