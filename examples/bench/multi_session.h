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
  // run_batched only: one more session, decoding alone in turns with the batch's steps, so
  // that the batch's speed-up over a lone session is measured in one window of time.
  double lone_tokens_per_s = 0.0;
};

// `batch` sessions each prefilled with `prompt`, then `steps` greedy griffin_batch_decode calls
// (the model must have been opened with max_batch >= batch). After each call, one more session
// at the same point decodes one token alone with griffin_session_decode: a drift of the
// machine's speed during the run (a VM's reaches ±20 % within minutes) then slows both alike,
// and lone_tokens_per_s is that session's rate over the same minutes. Only the batch's calls
// count in tokens_per_s and ms_per_step.
MultiResult run_batched(griffin_model* model, const griffin_session_options& options,
                        const std::vector<int32_t>& prompt, int32_t steps, size_t batch);

// `count` sessions on `count` threads, each prefilled with `prompt` and then decoding `steps`
// tokens greedily; only the decode phase (all threads between two barriers) is timed.
MultiResult run_threads(griffin_model* model, const griffin_session_options& options,
                        const std::vector<int32_t>& prompt, int32_t steps, size_t count);

// As run_threads, in turns with one more session decoding alone on the calling thread: each
// step, the lone session decodes one token, then the `count` threads decode one token each at
// once. tokens_per_s counts the threads' turns only; lone_tokens_per_s is the lone session's
// rate over the same minutes (see run_batched).
MultiResult run_threads_in_turns(griffin_model* model, const griffin_session_options& options,
                                 const std::vector<int32_t>& prompt, int32_t steps, size_t count);

}  // namespace griffin_tools
