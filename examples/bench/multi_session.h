// griffin-bench --batch N and --sessions N: decode throughput of several sessions of one model,
// advanced together by griffin_batch_decode (one pass over the weights per step) or each on its
// own thread with griffin_session_decode (no model-wide lock).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "griffin/griffin.h"

namespace griffin_tools {

struct MultiResult {
  size_t sessions = 0;
  double decode_seconds = 0.0;
  double tokens_per_s = 0.0;  // all sessions' decoded tokens / wall-clock seconds
  double ms_per_step = 0.0;   // wall-clock per step (one token of every session)
};

// `batch` sessions each prefilled with `prompt`, then `steps` greedy griffin_batch_decode calls
// (the model must have been opened with max_batch >= batch).
MultiResult run_batched(griffin_model* model, const griffin_session_options& options,
                        const std::vector<int32_t>& prompt, int32_t steps, size_t batch);

// `count` sessions on `count` threads, each prefilled with `prompt` and then decoding `steps`
// tokens greedily; only the decode phase (all threads between two barriers) is timed.
MultiResult run_threads(griffin_model* model, const griffin_session_options& options,
                        const std::vector<int32_t>& prompt, int32_t steps, size_t count);

}  // namespace griffin_tools
