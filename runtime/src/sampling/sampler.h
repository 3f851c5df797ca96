// Token sampling from logits: greedy, temperature, top-k, top-p, min-p and a repetition
// penalty, with a seeded generator so that the same seed gives the same tokens.
// Allocation-free: all working memory is a caller-provided SamplerWorkspace (a session's arena).
#pragma once

#include <cstddef>
#include <cstdint>

#include "format/status.h"

namespace griffin {

struct SamplerParams {
  float temperature = 0.0f;        // 0 = greedy (argmax; ties go to the lowest id)
  int32_t top_k = 0;               // 0 = off
  float top_p = 1.0f;              // 1 = off
  float min_p = 0.0f;              // 0 = off
  float repetition_penalty = 1.0f;  // 1 = off
};

// Ranges: temperature >= 0 and finite, top_k >= 0, top_p in (0, 1], min_p in [0, 1],
// repetition_penalty > 0 and finite. The message names the field.
Status validate_sampler_params(const SamplerParams& params);

// A small, fast, seedable generator (deterministic across platforms).
class SamplerRng {
 public:
  explicit SamplerRng(uint64_t seed = 0) { reseed(seed); }
  void reseed(uint64_t seed);
  uint64_t next_u64();
  float next_unit_float();  // uniform in [0, 1)

 private:
  uint64_t state_[4];
};

// Working memory for `vocab_size` candidates.
struct SamplerWorkspace {
  float* values = nullptr;     // [vocab_size]
  int32_t* indices = nullptr;  // [vocab_size]
  size_t capacity = 0;
};

// Chooses a token from `logits` (not modified). The repetition penalty applies once per
// distinct id in `recent` (CTRL-style: a positive logit is divided by the penalty, a negative
// one multiplied). Filters apply in the order: penalty, temperature, top-k, softmax, top-p,
// min-p; then one draw. Requires valid params and workspace.capacity >= vocab_size.
int32_t sample_token(const float* logits, size_t vocab_size, const SamplerParams& params,
                     const int32_t* recent, size_t recent_count, SamplerRng& rng,
                     SamplerWorkspace& workspace);

}  // namespace griffin
