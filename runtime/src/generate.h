// The generation loop behind griffin_session_generate: prompt -> chunked prefill -> sample,
// feed, detokenize, until a stop condition; pieces stream out as complete UTF-8 and stop
// sequences are matched across token boundaries without emitting them (griffin.h "Generation").
//
// Every sampled token is fed to the session before generate returns (also the last one, and an
// EOS or end-of-turn token), so afterwards the session's state holds the whole reply and its
// logits are those after the last token: a following call continues the conversation.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "runtime/src/session.h"

namespace griffin {

enum class StopReason { kLength, kEndOfSequence, kSequence, kCallback, kCancelled };

struct GenerateParams {
  int32_t max_tokens = 256;
  SamplerParams sampler;
  int64_t repetition_window = 0;  // 0 = the session's whole history
  // Borrowed for the call: NUL-terminated UTF-8, each 1..StopSequences::kMaxSequenceBytes bytes.
  const char* const* stop_sequences = nullptr;
  size_t stop_sequence_count = 0;
  bool reseed = false;  // restart the sampler's generator from `seed` before the first sample
  uint64_t seed = 0;
};

struct GenerateStats {
  StopReason stop_reason = StopReason::kLength;
  int32_t prompt_tokens = 0;     // fed from the prompt, BOS included
  int32_t generated_tokens = 0;  // sampled and fed
  double prefill_seconds = 0.0;
  double decode_seconds = 0.0;
};

// Receives each piece (complete UTF-8, `length` bytes, not NUL-terminated); `token` is the token
// that released it, -1 for the bytes flushed at the end. Returns non-zero to stop.
using PieceCallback = int (*)(const char* piece, size_t length, int32_t token, void* user);

// Checks the parameters (stop sequences: StopSequences::validate) before anything is fed.
Status validate_generate_params(const GenerateParams& params);

// Feeds `prompt` (BOS first when the session is at position 0) in prefill chunks, then
// generates. `cancel` is polled between prefill chunks and between decode steps; when set, the
// call returns OK with kCancelled and the tokens fed so far stay in the session. `callback` may
// be null. Allocates only to tokenize the prompt.
Status generate(Session& session, std::string_view prompt, const GenerateParams& params,
                const std::atomic<bool>& cancel, PieceCallback callback, void* user,
                GenerateStats* stats);

}  // namespace griffin
