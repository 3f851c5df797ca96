// The forward pass over one chunk of tokens (docs/griffin-math.md §3-§8). Decode is a chunk of one.
#pragma once

#include <cstddef>
#include <cstdint>

#include "runtime/src/model.h"
#include "runtime/src/session_state.h"

namespace griffin {

// Runs `count` (<= state.chunk) tokens at positions state.position... and advances the
// position. The last token's logits land in state.logits; when `all_logits` is not null, the
// logits of every token are written there as rows of vocab_size floats. Token ids and the
// position limit must have been checked by the caller.
Status forward_chunk(const Model& model, SessionState& state, const int32_t* tokens,
                     size_t count, float* all_logits);

// The blocks (runtime/src/blocks/*.cpp). Each reads state.normed [T, D] and writes state.mix.
Status recurrent_block(const Model& model, const LayerWeights& weights, LayerState& layer,
                       SessionState& state, size_t count);
Status attention_block(const Model& model, const LayerWeights& weights, LayerState& layer,
                       SessionState& state, size_t count);
Status mlp_block(const Model& model, const LayerWeights& weights, SessionState& state,
                 size_t count);

}  // namespace griffin
