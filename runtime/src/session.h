// A session: one sequence's state over one arena, carved by the memory plan at creation.
// After create() returns, nothing allocates: prefill, decode, sampling and streaming
// detokenization use only the arena and fixed-size members (docs/memory.md).
#pragma once

#include <atomic>

#include <cstdint>
#include <memory>
#include <string>

#include "plan/memory_plan.h"
#include "runtime/src/arena.h"
#include "runtime/src/model.h"
#include "runtime/src/sampling/sampler.h"
#include "runtime/src/session_state.h"
#include "runtime/src/text/utf8_stream.h"

namespace griffin {

class Session {
 public:
  // `buffer` (may be null: the session allocates) must hold layout.total_bytes bytes.
  // max_memory_bytes (0 = none) refuses a plan larger than the budget.
  static Result<std::unique_ptr<Session>> create(const Model& model, const SessionOptions& options,
                                                 void* buffer, size_t buffer_size,
                                                 uint64_t max_memory_bytes = 0);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  const Model& model() const { return model_; }
  const SessionOptions& options() const { return options_; }
  const SessionLayout& layout() const { return layout_; }
  // What the arena handed out (each region, and the end of the last one).
  const Arena& arena() const { return arena_; }
  int64_t position() const { return state_.counters->position; }
  const float* logits() const { return state_.logits; }
  bool has_logits() const { return position() > 0; }

  void reset();
  // Restarts the sampler's generator from `seed` (the rest of the state is untouched).
  void reseed(uint64_t seed) { state_.counters->rng.reseed(seed); }
  // Feeds `count` tokens in chunks of layout().chunk; afterwards logits() are the last fed
  // token's (all_logits, when not null, receives every token's). Only the last chunk computes
  // logits. When `cancel` is given it is polled before each chunk: once set, prefill stops there
  // with the tokens fed so far (*fed, when not null, counts them; their last one's logits are
  // ready as usual).
  Status prefill(const int32_t* tokens, size_t count, float* all_logits, size_t capacity,
                 const std::atomic<bool>* cancel = nullptr, size_t* fed = nullptr);
  Status decode(int32_t token);
  // repetition_window 0 = the whole history.
  Status sample(const SamplerParams& params, int64_t repetition_window, int32_t* token);
  // Streaming detokenization (see griffin_session_token_text).
  Status token_text(int32_t token, char* text, size_t capacity, size_t* length);
  // The end of streamed text: bytes of an unfinished character come out as U+FFFD, one per
  // byte (up to 9 bytes and a NUL). kOutOfRange, and nothing consumed, when they do not fit.
  Status flush_text(char* text, size_t capacity, size_t* length);

  // Snapshots (snapshot.cpp): the persistent regions behind a header; see griffin.h.
  size_t snapshot_size() const;
  Status save(void* buffer, size_t capacity, size_t* written) const;
  Status load(const void* data, size_t size);
  // A new session (own arena) of the same model and options, in the same state.
  Result<std::unique_ptr<Session>> fork() const;

 private:
  friend class BatchDecoder;  // stacks this session's token with others' (batch_decode.h)
  Session(const Model& model, const SessionOptions& options, SessionLayout layout, Arena arena,
          SessionState state, bool owns_arena);
  // load's range checks of a checksummed payload's counters and history, before any copy.
  Status check_snapshot_scalars(const uint8_t* payload) const;
  Status check_tokens(const int32_t* tokens, size_t count) const;
  void remember(const int32_t* tokens, size_t count);

  const Model& model_;
  SessionOptions options_;
  SessionLayout layout_;
  Arena arena_;
  bool owns_arena_;
  SessionState state_;
};

}  // namespace griffin
