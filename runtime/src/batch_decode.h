// Batched decode (griffin_batch_decode): one token for each of up to max_batch sessions of one
// model in a single pass over the weights. The sessions' rows are stacked in the model's batch
// arena (plan_batch, allocated at open), so every linear map is one matrix-matrix product;
// conv, RG-LRU and attention run per session on its own state and scratch. One batch at a
// time per model: the arena is shared, so decode() holds a lock.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <vector>

#include "plan/memory_plan.h"
#include "runtime/src/arena.h"
#include "runtime/src/session_state.h"

namespace griffin {

class Model;
class Session;

class BatchDecoder {
 public:
  // Carves the model's batch arena from its plan (model.plan().batch).
  static Result<std::unique_ptr<BatchDecoder>> create(const Model& model);
  ~BatchDecoder();
  BatchDecoder(const BatchDecoder&) = delete;
  BatchDecoder& operator=(const BatchDecoder&) = delete;

  int64_t max_batch() const { return layout_.max_batch; }
  const Arena& arena() const { return arena_; }

  // The caller's sessions, read in place (the C API's handles need no copy): at(items, i) is
  // the i-th session, or null.
  struct SessionList {
    const void* items;
    Session* (*at)(const void* items, size_t i);
  };

  // Advances session i of `sessions` by tokens[i]. Everything is checked before anything runs
  // (no null, sessions of this model, none twice, count in [1, max_batch], token ids, position
  // limits): a refused call changes no session.
  Status decode(const SessionList& sessions, const int32_t* tokens, size_t count);
  Status decode(Session* const* sessions, const int32_t* tokens, size_t count);

 private:
  BatchDecoder(const Model& model, BatchLayout layout)
      : model_(model), layout_(std::move(layout)) {}
  Status check(const SessionList& sessions, const int32_t* tokens, size_t count) const;

  const Model& model_;
  BatchLayout layout_;
  uint8_t* base_ = nullptr;
  Arena arena_;
  RowScratch rows_;
  std::vector<SessionState*> states_;  // reserved for max_batch at create: decode never allocates
  std::mutex lock_;
};

}  // namespace griffin
