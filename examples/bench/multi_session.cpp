// Several sessions of one model: batched or on threads (see multi_session.h).
#include "examples/bench/multi_session.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "examples/bench/greedy_session.h"
#include "examples/common/tool_common.h"

namespace griffin_tools {

namespace {

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
  std::vector<SessionPtr> owned = prefilled_copies(model, options, prompt, batch + 1);
  GreedySession lone(owned[batch].get(), vocab);
  std::vector<griffin_session*> sessions;
  std::vector<int32_t> tokens(batch);
  for (size_t i = 0; i < batch; ++i) {
    sessions.push_back(owned[i].get());
    tokens[i] = GreedySession(sessions[i], vocab).token;
  }
  double batch_seconds = 0.0, lone_seconds = 0.0;
  for (int32_t step = 0; step < steps; ++step) {
    const Clock::time_point start = Clock::now();
    check(griffin_batch_decode(sessions.data(), tokens.data(), batch), "griffin_batch_decode",
          sessions[0]);
    for (size_t i = 0; i < batch; ++i) tokens[i] = GreedySession(sessions[i], vocab).token;
    const Clock::time_point middle = Clock::now();
    check(lone.step(), "decode failed", lone.session);
    batch_seconds += seconds_between(start, middle);
    lone_seconds += seconds_between(middle, Clock::now());
  }
  MultiResult result = finish(batch, steps, batch_seconds);
  result.lone_tokens_per_s = lone_seconds > 0 ? steps / lone_seconds : 0.0;
  return result;
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
      GreedySession session(sessions[i].get(), vocab);
      ++ready;
      while (ready.load() < count) std::this_thread::yield();  // start together
      for (int32_t step = 0; step < steps; ++step) {
        if (session.step() != GRIFFIN_OK) {
          failed = true;
          return;
        }
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

MultiResult run_threads_in_turns(griffin_model* model, const griffin_session_options& options,
                                 const std::vector<int32_t>& prompt, int32_t steps, size_t count) {
  const size_t vocab = vocab_of(model);
  std::vector<SessionPtr> sessions = prefilled_copies(model, options, prompt, count + 1);
  // The threads wait for the round number to reach their next step, decode one token each,
  // and count themselves done; the calling thread decodes the lone session in between.
  std::mutex mutex;
  std::condition_variable changed;
  int32_t round = 0;  // steps released so far
  size_t done = 0;    // session steps finished so far
  bool failed = false;
  std::vector<std::thread> threads;
  for (size_t i = 0; i < count; ++i) {
    threads.emplace_back([&, i] {
      GreedySession session(sessions[i].get(), vocab);
      for (int32_t step = 0; step < steps; ++step) {
        {
          std::unique_lock<std::mutex> lock(mutex);
          changed.wait(lock, [&] { return round > step; });
        }
        const bool ok = session.step() == GRIFFIN_OK;
        std::lock_guard<std::mutex> lock(mutex);
        failed = failed || !ok;
        ++done;
        changed.notify_all();
      }
    });
  }
  GreedySession lone(sessions[count].get(), vocab);
  double together_seconds = 0.0, lone_seconds = 0.0;
  bool lone_failed = false;
  for (int32_t step = 0; step < steps; ++step) {
    const Clock::time_point start = Clock::now();
    lone_failed = lone_failed || lone.step() != GRIFFIN_OK;
    const Clock::time_point middle = Clock::now();
    {
      std::unique_lock<std::mutex> lock(mutex);
      ++round;
      changed.notify_all();
      changed.wait(lock, [&] { return done == static_cast<size_t>(round) * count; });
    }
    together_seconds += seconds_between(middle, Clock::now());
    lone_seconds += seconds_between(start, middle);
  }
  for (std::thread& thread : threads) thread.join();
  if (failed || lone_failed) throw ToolError("decode failed on one of the session threads");
  MultiResult result = finish(count, steps, together_seconds);
  result.lone_tokens_per_s = lone_seconds > 0 ? steps / lone_seconds : 0.0;
  return result;
}

}  // namespace griffin_tools
