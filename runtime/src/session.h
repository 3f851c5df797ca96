// A session: one sequence's state over one arena, carved by the memory plan at creation.
// After create() returns, nothing allocates: prefill, decode, sampling and streaming
// detokenization use only the arena and fixed-size members (DESIGN.md §4).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "runtime/src/memory_plan.h"
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
  const SessionLayout& layout() const { return layout_; }
  int64_t position() const { return state_.position; }
  // Arena bytes the session's buffers occupy, as carved (equals layout().total_bytes).
  size_t arena_used_bytes() const { return arena_used_; }
  const float* logits() const { return state_.logits; }
  bool has_logits() const { return state_.position > 0; }

  void reset();
  Status prefill(const int32_t* tokens, size_t count, float* all_logits, size_t capacity);
  Status decode(int32_t token);
  // repetition_window 0 = the whole history.
  Status sample(const SamplerParams& params, int64_t repetition_window, int32_t* token);
  // Streaming detokenization (see griffin_session_token_text).
  Status token_text(int32_t token, char* text, size_t capacity, size_t* length);

 private:
  Session(const Model& model, const SessionOptions& options, SessionLayout layout, uint8_t* arena,
          bool owns_arena, size_t arena_used);
  Status check_tokens(const int32_t* tokens, size_t count) const;
  void remember(const int32_t* tokens, size_t count);

  const Model& model_;
  SessionOptions options_;
  SessionLayout layout_;
  uint8_t* arena_;
  bool owns_arena_;
  size_t arena_used_ = 0;
  SessionState state_;
  SamplerRng rng_;
  int32_t* history_;       // the most recent tokens, oldest first
  int64_t history_count_ = 0;
  Utf8Stream utf8_;
  bool at_text_start_ = true;
};

}  // namespace griffin
