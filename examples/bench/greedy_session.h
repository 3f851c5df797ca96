// A session of the timed runs decoding greedily, for griffin-bench's modes (bench.cpp,
// multi_session.cpp). No allocation and no I/O in a step.
#pragma once

#include <cstddef>
#include <cstdint>

#include "examples/common/tool_common.h"
#include "griffin/griffin.h"

namespace griffin_tools {

// The id of the largest logit (the first of equals).
inline int32_t greedy_pick(const float* logits, size_t vocab) {
  size_t best = 0;
  for (size_t i = 1; i < vocab; ++i) best = logits[i] > logits[best] ? i : best;
  return static_cast<int32_t>(best);
}

// `token` is the pick from the session's current logits; step() decodes it and picks the next
// (a failed decode returns its status and picks nothing).
struct GreedySession {
  GreedySession(griffin_session* s, size_t v) : session(s), vocab(v) {
    const float* logits = nullptr;
    check(griffin_session_logits(session, &logits, nullptr), "griffin_session_logits", session);
    token = greedy_pick(logits, vocab);
  }
  griffin_status step() {
    const float* logits = nullptr;
    const griffin_status status = griffin_session_decode(session, token, &logits);
    if (status == GRIFFIN_OK) token = greedy_pick(logits, vocab);
    return status;
  }
  griffin_session* session;
  size_t vocab;
  int32_t token = 0;
};

}  // namespace griffin_tools
